/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_rand.h - the pseudo-random numbers of the data generators.
 *
 * Generated data must be the same for the same seed on every machine and
 * every run, so the generators use their own PRNG rather than the C
 * library's: xoshiro256** (Blackman and Vigna), its state filled from the
 * seed by splitmix64.  Not for cryptography.
 */
#ifndef SLUICE_CLI_GEN_RAND_H
#define SLUICE_CLI_GEN_RAND_H

#include <stdint.h>

typedef struct sl_gen_rand {
  uint64_t s[4];
} sl_gen_rand;

/* One step of splitmix64: advances *state and returns the next output. */
uint64_t sl_gen_splitmix64(uint64_t *state);

/* Seeds r from seed (any value, 0 included). */
void sl_gen_rand_seed(sl_gen_rand *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t sl_gen_rand_next(sl_gen_rand *r);

/* A uniform integer in [0, n), without modulo bias; 0 when n is 0. */
uint64_t sl_gen_rand_below(sl_gen_rand *r, uint64_t n);

/* A uniform double in [0, 1), from the top 53 bits. */
double sl_gen_rand_unit(sl_gen_rand *r);

#endif
