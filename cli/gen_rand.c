/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_rand.c - splitmix64 and xoshiro256** (see gen_rand.h).
 */
#include "cli/gen_rand.h"

uint64_t sl_gen_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

void sl_gen_rand_seed(sl_gen_rand *r, uint64_t seed) {
  for (int i = 0; i < 4; i++)
    r->s[i] = sl_gen_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sl_gen_rand_next(sl_gen_rand *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t sl_gen_rand_below(sl_gen_rand *r, uint64_t n) {
  if (n == 0)
    return 0;
  /* Values below 2^64 mod n would make the low residues more likely:
   * draw again when one comes up. */
  uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t x = sl_gen_rand_next(r);
    if (x >= threshold)
      return x % n;
  }
}

double sl_gen_rand_unit(sl_gen_rand *r) {
  return (double)(sl_gen_rand_next(r) >> 11) * 0x1.0p-53;
}
