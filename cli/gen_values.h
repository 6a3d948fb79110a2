/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_values.h - rows of synthetic values for a declared schema.
 *
 * Each record draws its values column by column from one seeded PRNG, so
 * the same schema, seed and options give the same rows everywhere.  What
 * each type gets:
 *
 *   key column    with --keys K, K distinct values: record i < K takes
 *                 the i-th, later records one drawn uniformly; numbers
 *                 1..K, strings "key-1".."key-K", dates and timestamps
 *                 counting from the start time
 *   INT, BIGINT   a column called "id" counts 1, 2, 3, ...; otherwise
 *                 uniform in [0, 1000) (INT) or [0, 1000000) (BIGINT)
 *   DOUBLE        uniform in [0, 1000) with two decimals
 *   DECIMAL(p,s)  up to 4 integer digits (fewer when p - s is smaller) and
 *                 s decimals
 *   BOOLEAN       true or false
 *   VARCHAR       a word of a 16-word vocabulary
 *   BYTES         8 random bytes
 *   TIMESTAMP     start + i * step plus a jitter in [0, step): increasing
 *   DATE          the day of start + i * step
 *   INTERVAL      whole seconds below one hour
 *   ARRAY         0 to 3 elements; MAP 0 to 3 entries with distinct
 *                 vocabulary keys; STRUCT every field
 *
 * With a NULL rate, each nullable column other than the key is NULL with
 * that probability.
 */
#ifndef SLUICE_CLI_GEN_VALUES_H
#define SLUICE_CLI_GEN_VALUES_H

#include <stdint.h>

#include "cli/gen_schema.h"
#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/value.h"

typedef struct sl_gen_options {
  uint64_t seed;
  int key_column;     /* the column that keys records; -1: none */
  int64_t keys;       /* distinct values of the key column; 0: no limit */
  int64_t start_ms;   /* event time of the first record */
  int64_t step_ms;    /* event time between records (>= 0) */
  double null_rate;   /* in [0, 1] */
} sl_gen_options;

typedef struct sl_gen_rows sl_gen_rows;

/* A generator over schema (which must outlive it).  Fails with
 * SL_ERR_USAGE when the key column cannot hold the options' keys (a
 * composite type, or K too large for its type). */
sl_status sl_gen_rows_new(const sl_gen_schema *schema,
                          const sl_gen_options *opts, sl_gen_rows **out,
                          sl_error *err);

void sl_gen_rows_free(sl_gen_rows *g);

/* Fills row[0..ncols) with the next record's values; strings, bytes and
 * composites live in arena (or in static memory). */
sl_status sl_gen_rows_next(sl_gen_rows *g, sl_arena *arena, sl_value *row,
                           sl_error *err);

/* The number of rows generated so far. */
int64_t sl_gen_rows_count(const sl_gen_rows *g);

#endif
