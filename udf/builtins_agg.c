/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_agg.c - the signatures of the aggregates, the window-only
 * functions, PREDICT and the feature transforms.
 *
 * These functions are not evaluated row by row: the aggregation and
 * window operators compute aggregates and LAG/ROW_NUMBER/RANK, the model
 * code computes PREDICT and the transforms.  The registry holds what the
 * binder needs to check a call (kinds, flags, signatures, return types)
 * and what SHOW FUNCTIONS and DESCRIBE FUNCTION print; each aggregate
 * signature's `agg` pointer carries its implementation hooks, which the
 * aggregation operators drive through an sl_agg call site.
 *
 * Return types: COUNT is BIGINT; SUM of INT or BIGINT is BIGINT (overflow
 * is an error), of DECIMAL(p,s) DECIMAL(38,s); AVG of integers is DOUBLE,
 * of DECIMAL(p,s) DECIMAL(38, max(s,6)); SUM and AVG of INTERVAL are
 * INTERVAL (AVG rounded to the millisecond); STDDEV and STDDEV_POP are
 * DOUBLE; MIN, MAX, FIRST, LAST keep their argument's type; TOPK and
 * COLLECT_LIST make an ARRAY of it.  The aggregates' implementations
 * (agg.h) live in agg_basic.c, agg_minmax.c and agg_list.c; the window
 * functions, PREDICT and the transforms have none here.
 */
#include "udf/agg_internal.h"
#include "udf/builtins.h"

#define LEAD_REFUSAL                                                   \
  "LEAD needs rows that have not arrived yet and cannot be computed on " \
  "a live stream"

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_agg[] = {
  /* Aggregates */
  {.name = "COUNT",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_STAR | SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The number of rows (COUNT(*)) or of non-NULL values of x.",
   .example = "SELECT COUNT(*), COUNT(DISTINCT card) FROM payments "
              "GROUP BY merchant",
   .sigs = {{.spec = "() -> BIGINT", .agg = &sl_agg_count_impl},
            {.spec = "(ANY) -> BIGINT", .agg = &sl_agg_count_impl}}},
  {.name = "SUM",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The sum of the non-NULL values (NULL when there are none); "
          "integer and INTERVAL overflow is an error.",
   .example = "SELECT SUM(amount) FROM payments GROUP BY card",
   .sigs = {{.spec = "(INT) -> BIGINT", .agg = &sl_agg_sum_int_impl},
            {.spec = "(BIGINT) -> BIGINT", .agg = &sl_agg_sum_int_impl},
            {.spec = "(DECIMAL) -> @decimal_sum",
             .agg = &sl_agg_sum_decimal_impl},
            {.spec = "(DOUBLE) -> DOUBLE", .agg = &sl_agg_sum_double_impl},
            {.spec = "(INTERVAL) -> INTERVAL",
             .agg = &sl_agg_sum_interval_impl}}},
  {.name = "AVG",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The mean of the non-NULL values (DOUBLE for integers; for "
          "INTERVALs an INTERVAL, rounded to the millisecond).",
   .example = "SELECT AVG(amount) FROM payments GROUP BY card",
   .sigs = {{.spec = "(BIGINT) -> DOUBLE", .agg = &sl_agg_avg_int_impl},
            {.spec = "(DECIMAL) -> @decimal_avg",
             .agg = &sl_agg_avg_decimal_impl},
            {.spec = "(DOUBLE) -> DOUBLE", .agg = &sl_agg_avg_double_impl},
            {.spec = "(INTERVAL) -> INTERVAL",
             .agg = &sl_agg_avg_interval_impl}}},
  {.name = "MIN",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The smallest non-NULL value (numbers, strings, times, any "
          "comparable type).",
   .example = "SELECT MIN(amount) FROM payments GROUP BY card",
   .sigs = {{.spec = "(T) -> T", .agg = &sl_agg_min_impl}}},
  {.name = "MAX",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The largest non-NULL value (numbers, strings, times, any "
          "comparable type).",
   .example = "SELECT MAX(amount) FROM payments GROUP BY card",
   .sigs = {{.spec = "(T) -> T", .agg = &sl_agg_max_impl}}},
  {.name = "STDDEV",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The sample standard deviation of the non-NULL values (NULL for "
          "fewer than two).",
   .example = "SELECT STDDEV(amount) FROM payments GROUP BY card",
   .sigs = {{.spec = "(DOUBLE) -> DOUBLE", .agg = &sl_agg_stddev_impl}}},
  {.name = "STDDEV_POP",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT | SL_FUNC_SLIDING,
   .doc = "The population standard deviation of the non-NULL values (0 for "
          "one value).",
   .example = "SELECT STDDEV_POP(amount) FROM payments GROUP BY card",
   .sigs = {{.spec = "(DOUBLE) -> DOUBLE",
             .agg = &sl_agg_stddev_pop_impl}}},
  {.name = "FIRST",
   .kind = SL_FUNC_AGGREGATE,
   .doc = "The non-NULL value with the earliest event time (ties: the "
          "first to arrive).",
   .example = "SELECT FIRST(status) FROM orders GROUP BY id",
   .sigs = {{.spec = "(T) -> T", .agg = &sl_agg_first_impl}}},
  {.name = "LAST",
   .kind = SL_FUNC_AGGREGATE,
   .doc = "The non-NULL value with the latest event time (ties: the "
          "last to arrive).",
   .example = "SELECT LAST(status) FROM orders GROUP BY id",
   .sigs = {{.spec = "(T) -> T", .agg = &sl_agg_last_impl}}},
  {.name = "TOPK",
   .kind = SL_FUNC_AGGREGATE,
   .doc = "The k largest non-NULL values, largest first, as an array "
          "(k a constant from 1 to 1000).",
   .example = "SELECT TOPK(amount, 3) FROM payments GROUP BY card",
   .sigs = {{.spec = "(T, CONST INT) -> ARRAY<T>",
             .prepare = sl_agg_topk_prepare,
             .agg = &sl_agg_topk_impl}}},
  {.name = "COLLECT_LIST",
   .kind = SL_FUNC_AGGREGATE,
   .flags = SL_FUNC_DISTINCT,
   .doc = "The non-NULL values in event-time order, as an array of at most "
          "10000 (a row past that is an overflow error).",
   .example = "SELECT COLLECT_LIST(merchant) FROM payments GROUP BY card",
   .sigs = {{.spec = "(T) -> ARRAY<T>", .agg = &sl_agg_collect_impl}}},

  /* Window-only functions */
  {.name = "LAG",
   .kind = SL_FUNC_WINDOW,
   .doc = "x of the n-th earlier row (default 1) of the partition, or "
          "default when there is none.",
   .example = "LAG(amount, 1, 0) OVER (PARTITION BY card ORDER BY ts)",
   .sigs = {{.spec = "(T [, CONST INT [, T]]) -> T"}}},
  {.name = "ROW_NUMBER",
   .kind = SL_FUNC_WINDOW,
   .doc = "The row's position in its partition, from 1.",
   .example = "ROW_NUMBER() OVER (PARTITION BY category ORDER BY bids "
              "DESC)",
   .sigs = {{.spec = "() -> BIGINT"}}},
  {.name = "RANK",
   .kind = SL_FUNC_WINDOW,
   .doc = "The row's rank in its partition, from 1, with gaps after ties.",
   .example = "RANK() OVER (PARTITION BY category ORDER BY bids DESC)",
   .sigs = {{.spec = "() -> BIGINT"}}},
  {.name = "LEAD",
   .kind = SL_FUNC_WINDOW,
   .refusal = LEAD_REFUSAL,
   .doc = "Not available on streams: it would need rows from the future.",
   .example = "LAG(x) OVER (PARTITION BY k ORDER BY ts)",
   .sigs = {{.spec = "(T [, CONST INT [, T]]) -> T"}}},

  /* Models */
  {.name = "PREDICT",
   .kind = SL_FUNC_MODEL,
   .doc = "The model's score for the row: the positive class's "
          "probability or the regression value.",
   .example = "PREDICT(fraud_model) or PREDICT(fraud_model VERSION 2, "
              "amount, merchant)",
   .sigs = {{.spec = "([ANY...]) -> DOUBLE"}}},
  {.name = "STANDARDIZE",
   .kind = SL_FUNC_FEATURE,
   .doc = "In CREATE MODEL FEATURES only: (x - mean) / stddev with the "
          "training rows' statistics frozen into the model.",
   .example = "CREATE MODEL m ... FEATURES (STANDARDIZE(amount)) ...",
   .sigs = {{.spec = "(NUMERIC) -> DOUBLE"}}},
  {.name = "ONE_HOT",
   .kind = SL_FUNC_FEATURE,
   .doc = "In CREATE MODEL FEATURES only: one 0/1 feature per category of "
          "the training rows (unseen categories: all zeros).",
   .example = "CREATE MODEL m ... FEATURES (ONE_HOT(merchant_category)) ...",
   .sigs = {{.spec = "(ANY) -> ARRAY<DOUBLE>"}}},
  {.name = "BUCKETIZE",
   .kind = SL_FUNC_FEATURE,
   .doc = "In CREATE MODEL FEATURES only: the index of the bucket between "
          "the given edges that holds x.",
   .example = "CREATE MODEL m ... FEATURES (BUCKETIZE(age, ARRAY[18, 30, "
              "50])) ...",
   .sigs = {{.spec = "(NUMERIC, CONST ARRAY<DOUBLE>) -> INT"}}},
};

const int sl_func_builtins_agg_count =
    (int)(sizeof(sl_func_builtins_agg) / sizeof(sl_func_builtins_agg[0]));
