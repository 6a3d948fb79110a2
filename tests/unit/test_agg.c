/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the numeric aggregates (udf/agg_basic.c) and the call
 * site (udf/agg.c): COUNT, SUM, AVG, STDDEV, STDDEV_POP with exact
 * values, NULL-only groups, overflow per row, retraction, merging, the
 * stored state, and DISTINCT.
 */
#include "test_agg_util.h"

#include <math.h>
#include <stdint.h>

#include "engine/types/decimal.h"

static const sl_value NUL = {.kind = SL_TYPE_NULL};

static sl_value I(int32_t v) { return sl_value_int(v); }
static sl_value L(int64_t v) { return sl_value_bigint(v); }
static sl_value D(double v) { return sl_value_double(v); }
static sl_value DEC(int64_t unscaled, int scale) {
  return sl_value_decimal(unscaled, scale);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- COUNT ------------------------------------------------------------ */

static void test_count_star_and_count_x(void **state) {
  (void)state;
  tagg star, cx;
  tagg_open(&star, "count", 0, NULL, 0, NULL);
  const sl_type *vt[] = {sl_type_varchar()};
  tagg_open(&cx, "count", 1, vt, 0, NULL);

  sl_value col[] = {sl_value_varchar("a", 1), NUL, sl_value_varchar("b", 1),
                    NUL, sl_value_varchar("c", 1)};
  bool active[] = {true, true, true, false, false};
  void *s1 = tagg_state(&star), *s2 = tagg_state(&cx);
  assert_string_equal(tagg_text(&star, s1), "0");
  assert_string_equal(tagg_text(&cx, s2), "0");

  /* COUNT(*) counts the live rows, NULL or not; COUNT(x) the non-NULL
   * ones among them. */
  tagg_update(&star, s1, false, col, N(col), active, NULL);
  tagg_update(&cx, s2, false, col, N(col), active, NULL);
  assert_string_equal(tagg_text(&star, s1), "3");
  assert_string_equal(tagg_text(&cx, s2), "2");
  tagg_add(&star, s1, col, N(col));
  tagg_add(&cx, s2, col, N(col));
  assert_string_equal(tagg_text(&star, s1), "8");
  assert_string_equal(tagg_text(&cx, s2), "5");

  /* Retraction, and retracting more than was added. */
  tagg_retract(&cx, s2, col, 2);
  assert_string_equal(tagg_text(&cx, s2), "4");
  sl_value many[] = {I(1), I(1), I(1), I(1), I(1)};
  sl_error err;
  const sl_value *cols[] = {many};
  assert_int_equal(sl_agg_retract(&cx.agg, s2, cols, 5, NULL, NULL,
                                  &cx.arena, &err), SL_ERR_INTERNAL);
  assert_string_equal(err.message,
                      "aggregate COUNT: retracting a row that was never "
                      "added");

  void *copy = tagg_roundtrip(&star, s1);
  tagg_drop(&star, copy);
  tagg_drop(&star, s1);
  tagg_drop(&cx, s2);
  tagg_close(&star);
  tagg_close(&cx);
}

/* ---- SUM -------------------------------------------------------------- */

static void test_sum_int_exact_and_null(void **state) {
  (void)state;
  const sl_type *it[] = {sl_type_int()};
  tagg t;
  tagg_open(&t, "sum", 1, it, 0, NULL);
  char type[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t.res.ret_type, type, sizeof(type)),
                      "BIGINT");

  void *st = tagg_state(&t);
  sl_value nulls[] = {NUL, NUL};
  tagg_add(&t, st, nulls, 2);
  assert_string_equal(tagg_text(&t, st), "NULL");

  /* INT values sum past INT's range into BIGINT. */
  sl_value col[] = {I(INT32_MAX), I(INT32_MAX), NUL, I(-5)};
  tagg_add(&t, st, col, N(col));
  assert_int_equal(tagg_errors(&t, NULL, NULL), 0);
  assert_string_equal(tagg_text(&t, st), "4294967289");

  void *copy = tagg_roundtrip(&t, st);
  tagg_drop(&t, copy);
  tagg_drop(&t, st);
  tagg_close(&t);
}

static void test_sum_bigint_overflow_is_a_row_error(void **state) {
  (void)state;
  const sl_type *bt[] = {sl_type_bigint()};
  tagg t;
  tagg_open(&t, "sum", 1, bt, 0, NULL);
  void *st = tagg_state(&t);

  /* The second row would leave BIGINT: it fails alone, and the sum goes
   * on from the rows that fit. */
  sl_value col[] = {L(INT64_MAX - 10), L(11), L(-20), L(INT64_MIN)};
  tagg_add(&t, st, col, N(col));
  const char *reason, *message;
  assert_int_equal(tagg_errors(&t, &reason, &message), 1);
  assert_non_null(t.agg.ctx.errors[1].reason);
  assert_string_equal(reason, "overflow");
  assert_string_equal(message, "sum: result out of range for BIGINT");
  assert_string_equal(tagg_text(&t, st), "-31");

  /* An inactive row never fails. */
  sl_value big[] = {L(INT64_MAX), L(INT64_MAX)};
  bool active[] = {false, false};
  tagg_update(&t, st, false, big, 2, active, NULL);
  assert_int_equal(tagg_errors(&t, NULL, NULL), 0);
  assert_string_equal(tagg_text(&t, st), "-31");

  /* Merged sums may leave BIGINT: the result then fails, and a
   * retraction brings it back. */
  void *a = tagg_state(&t), *b = tagg_state(&t);
  sl_value one[] = {L(INT64_MAX)}, two[] = {L(2)};
  tagg_add(&t, a, one, 1);
  tagg_add(&t, b, two, 1);
  tagg_merge(&t, a, b);
  const sl_error *e = tagg_result_error(&t, a);
  assert_int_equal(e->code, SL_ERR_RECORD);
  assert_string_equal(e->reason, "overflow");
  assert_string_equal(e->message, "sum: result out of range for BIGINT");
  void *copy = tagg_roundtrip_unchecked(&t, a);
  tagg_retract(&t, a, two, 1);
  assert_string_equal(tagg_text(&t, a), "9223372036854775807");
  tagg_retract(&t, copy, one, 1);
  assert_string_equal(tagg_text(&t, copy), "2");

  tagg_drop(&t, copy);
  tagg_drop(&t, a);
  tagg_drop(&t, b);
  tagg_drop(&t, st);
  tagg_close(&t);
}

static void test_sum_decimal(void **state) {
  (void)state;
  sl_type *dt = sl_type_new_decimal(10, 2);
  const sl_type *types[] = {dt};
  tagg t;
  tagg_open(&t, "sum", 1, types, 0, NULL);
  char type[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t.res.ret_type, type, sizeof(type)),
                      "DECIMAL(38,2)");

  void *st = tagg_state(&t);
  assert_string_equal(tagg_text(&t, st), "NULL");
  sl_value col[] = {DEC(125, 2), DEC(250, 2), NUL, DEC(-75, 2)};
  tagg_add(&t, st, col, N(col));
  assert_string_equal(tagg_text(&t, st), "3.00");
  tagg_retract(&t, st, col, 1);
  assert_string_equal(tagg_text(&t, st), "1.75");
  void *copy = tagg_roundtrip(&t, st);
  tagg_drop(&t, copy);
  tagg_drop(&t, st);
  tagg_close(&t);
  sl_type_free(dt);
}

static void test_sum_decimal_overflow(void **state) {
  (void)state;
  sl_type *dt = sl_type_new_decimal(38, 0);
  const sl_type *types[] = {dt};
  tagg t;
  tagg_open(&t, "sum", 1, types, 0, NULL);
  void *st = tagg_state(&t);

  /* 9 * 10^37 twice does not fit 38 digits: the second row fails. */
  sl_int128 nine = 9 * sl_decimal_pow10(37);
  sl_value col[] = {sl_value_decimal(nine, 0), sl_value_decimal(nine, 0),
                    DEC(-1, 0)};
  tagg_add(&t, st, col, N(col));
  const char *reason, *message;
  assert_int_equal(tagg_errors(&t, &reason, &message), 1);
  assert_string_equal(reason, "overflow");
  assert_string_equal(message,
                      "sum: result out of range for DECIMAL(38,0)");
  assert_string_equal(tagg_text(&t, st),
                      "89999999999999999999999999999999999999");

  /* Two such partial sums merge exactly (the accumulator is wider than
   * 38 digits), the result overflows, and retracting brings it back. */
  void *other = tagg_state(&t);
  tagg_add(&t, other, col, 1);
  tagg_merge(&t, st, other);
  const sl_error *e = tagg_result_error(&t, st);
  assert_string_equal(e->reason, "overflow");
  void *copy = tagg_roundtrip_unchecked(&t, st);
  tagg_retract(&t, copy, col, 1);
  assert_string_equal(tagg_text(&t, copy),
                      "89999999999999999999999999999999999999");

  tagg_drop(&t, copy);
  tagg_drop(&t, other);
  tagg_drop(&t, st);
  tagg_close(&t);
  sl_type_free(dt);
}

static void test_sum_double(void **state) {
  (void)state;
  const sl_type *dt[] = {sl_type_double()};
  tagg t;
  tagg_open(&t, "sum", 1, dt, 0, NULL);
  void *st = tagg_state(&t);
  sl_value nulls[] = {NUL};
  tagg_add(&t, st, nulls, 1);
  assert_string_equal(tagg_text(&t, st), "NULL");

  sl_value col[] = {D(0.5), D(0.25), NUL, D(-2)};
  tagg_add(&t, st, col, N(col));
  assert_string_equal(tagg_text(&t, st), "-1.25");

  /* Compensated: 1e20 + 1 - 1e20 is 1, also after retracting 1e20. */
  void *c = tagg_state(&t);
  sl_value big[] = {D(1e20), D(1), D(-1e20)};
  tagg_add(&t, c, big, 3);
  assert_string_equal(tagg_text(&t, c), "1");
  tagg_retract(&t, c, &big[2], 1);
  assert_string_equal(tagg_text(&t, c), "1e+20");
  tagg_retract(&t, c, &big[0], 1);
  assert_string_equal(tagg_text(&t, c), "1");

  /* Infinities and NaN are counted apart, so they retract. */
  sl_value odd[] = {D(INFINITY), D(-INFINITY), D(NAN)};
  tagg_add(&t, c, odd, 1);
  assert_string_equal(tagg_text(&t, c), "Infinity");
  tagg_add(&t, c, &odd[1], 1);
  assert_string_equal(tagg_text(&t, c), "NaN");
  tagg_retract(&t, c, odd, 1);
  assert_string_equal(tagg_text(&t, c), "-Infinity");
  tagg_add(&t, c, &odd[2], 1);
  assert_string_equal(tagg_text(&t, c), "NaN");
  void *copy = tagg_roundtrip(&t, c);
  tagg_retract(&t, copy, &odd[1], 2);
  assert_string_equal(tagg_text(&t, copy), "1");

  tagg_drop(&t, copy);
  tagg_drop(&t, c);
  tagg_drop(&t, st);
  tagg_close(&t);
}

/* ---- AVG -------------------------------------------------------------- */

static void test_avg(void **state) {
  (void)state;
  /* Integers average to DOUBLE. */
  const sl_type *it[] = {sl_type_int()};
  tagg t;
  tagg_open(&t, "avg", 1, it, 0, NULL);
  char type[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t.res.ret_type, type, sizeof(type)),
                      "DOUBLE");
  void *st = tagg_state(&t);
  sl_value nulls[] = {NUL, NUL};
  tagg_add(&t, st, nulls, 2);
  assert_string_equal(tagg_text(&t, st), "NULL");
  sl_value col[] = {L(1), NUL, L(2), L(4)};
  tagg_add(&t, st, col, N(col));
  assert_double_near(tagg_double(&t, st), 7.0 / 3.0, 0);
  sl_value huge[] = {L(INT64_MAX), L(INT64_MAX)};
  void *h = tagg_state(&t);
  tagg_add(&t, h, huge, 2);
  assert_int_equal(tagg_errors(&t, NULL, NULL), 0);
  assert_double_near(tagg_double(&t, h), 9223372036854775807.0, 0);
  tagg_drop(&t, h);
  tagg_drop(&t, st);
  tagg_close(&t);

  /* DECIMAL(p,s) averages to DECIMAL(38, max(s,6)), rounded half away
   * from zero. */
  sl_type *dt = sl_type_new_decimal(10, 2);
  const sl_type *types[] = {dt};
  tagg_open(&t, "avg", 1, types, 0, NULL);
  assert_string_equal(sl_type_to_sql(t.res.ret_type, type, sizeof(type)),
                      "DECIMAL(38,6)");
  st = tagg_state(&t);
  sl_value dcol[] = {DEC(100, 2), DEC(200, 2), DEC(200, 2), NUL};
  tagg_add(&t, st, dcol, N(dcol));
  assert_string_equal(tagg_text(&t, st), "1.666667");
  sl_value neg[] = {DEC(-1000, 2)};
  tagg_add(&t, st, neg, 1);
  assert_string_equal(tagg_text(&t, st), "-1.250000");
  void *copy = tagg_roundtrip(&t, st);
  tagg_drop(&t, copy);
  tagg_drop(&t, st);
  tagg_close(&t);
  sl_type_free(dt);

  /* DOUBLE. */
  const sl_type *ft[] = {sl_type_double()};
  tagg_open(&t, "avg", 1, ft, 0, NULL);
  st = tagg_state(&t);
  sl_value fcol[] = {D(1.5), D(2.5), NUL, D(-1)};
  tagg_add(&t, st, fcol, N(fcol));
  assert_string_equal(tagg_text(&t, st), "1");
  tagg_retract(&t, st, &fcol[3], 1);
  assert_string_equal(tagg_text(&t, st), "2");
  tagg_drop(&t, st);
  tagg_close(&t);
}

/* ---- STDDEV ----------------------------------------------------------- */

static void test_stddev(void **state) {
  (void)state;
  const sl_type *dt[] = {sl_type_double()};
  tagg samp, pop;
  tagg_open(&samp, "stddev", 1, dt, 0, NULL);
  tagg_open(&pop, "stddev_pop", 1, dt, 0, NULL);
  void *s = tagg_state(&samp), *p = tagg_state(&pop);

  sl_value nulls[] = {NUL};
  tagg_add(&samp, s, nulls, 1);
  tagg_add(&pop, p, nulls, 1);
  assert_string_equal(tagg_text(&samp, s), "NULL");
  assert_string_equal(tagg_text(&pop, p), "NULL");

  /* One value: the sample deviation is undefined, the population one 0. */
  sl_value one[] = {D(5)};
  tagg_add(&samp, s, one, 1);
  tagg_add(&pop, p, one, 1);
  assert_string_equal(tagg_text(&samp, s), "NULL");
  assert_string_equal(tagg_text(&pop, p), "0");

  /* 2 4 4 4 5 5 7 9 (with the 5 above): mean 5, squares 32. */
  sl_value col[] = {D(2), D(4), D(4), NUL, D(4), D(5), D(7), D(9)};
  tagg_add(&samp, s, col, N(col));
  tagg_add(&pop, p, col, N(col));
  assert_double_near(tagg_double(&pop, p), 2.0, 1e-12);
  assert_double_near(tagg_double(&samp, s), sqrt(32.0 / 7.0), 1e-12);

  /* Retracting 9 and 7 leaves 2 4 4 4 5 5: mean 4, squares 6. */
  tagg_retract(&pop, p, &col[6], 2);
  assert_double_near(tagg_double(&pop, p), 1.0, 1e-12);
  tagg_retract(&samp, s, &col[6], 2);
  assert_double_near(tagg_double(&samp, s), sqrt(6.0 / 5.0), 1e-12);

  /* A NaN makes it NaN while it stays in the group. */
  sl_value nan[] = {D(NAN)};
  tagg_add(&pop, p, nan, 1);
  assert_true(isnan(tagg_double(&pop, p)));
  void *copy = tagg_roundtrip(&pop, p);
  tagg_retract(&pop, copy, nan, 1);
  assert_double_near(tagg_double(&pop, copy), 1.0, 1e-12);

  tagg_drop(&pop, copy);
  tagg_drop(&samp, s);
  tagg_drop(&pop, p);
  tagg_close(&samp);
  tagg_close(&pop);
}

/* ---- Merge equals sequential add -------------------------------------- */

typedef struct merge_case {
  const char *name;
  const sl_type *type;
  sl_value rows[8];
  int nrows;
  double eps; /* 0: the text forms must be equal */
} merge_case;

static void test_merge_equals_sequential(void **state) {
  (void)state;
  sl_type *dec = sl_type_new_decimal(12, 3);
  merge_case cases[] = {
    {"count", sl_type_int(), {I(1), NUL, I(3), I(4), NUL, I(6)}, 6, 0},
    {"sum", sl_type_int(), {I(1), NUL, I(-3), I(40), I(5), I(6)}, 6, 0},
    {"sum", sl_type_bigint(), {L(INT64_MAX), L(-1), L(-5), L(5)}, 4, 0},
    {"sum", dec, {DEC(1234, 3), DEC(-5, 3), NUL, DEC(999999, 3)}, 4, 0},
    {"sum", sl_type_double(), {D(0.5), D(1e20), D(0.25), D(-1e20)}, 4, 0},
    {"avg", sl_type_bigint(), {L(1), L(2), L(2), L(10)}, 4, 0},
    {"avg", dec, {DEC(1000, 3), DEC(2000, 3), DEC(2000, 3)}, 3, 0},
    {"avg", sl_type_double(), {D(1), D(2), D(4), D(8)}, 4, 0},
    {"stddev", sl_type_double(),
     {D(2), D(4), D(4), D(4), D(5), D(5), D(7), D(9)}, 8, 1e-12},
    {"stddev_pop", sl_type_double(),
     {D(2), D(4), D(4), D(4), D(5), D(5), D(7), D(9)}, 8, 1e-12},
  };
  for (int c = 0; c < N(cases); c++) {
    merge_case *mc = &cases[c];
    const sl_type *types[] = {mc->type};
    tagg t;
    tagg_open(&t, mc->name, 1, types, 0, NULL);
    for (int split = 0; split <= mc->nrows; split++) {
      void *all = tagg_state(&t), *a = tagg_state(&t), *b = tagg_state(&t);
      tagg_add(&t, all, mc->rows, mc->nrows);
      tagg_add(&t, a, mc->rows, split);
      tagg_add(&t, b, mc->rows + split, mc->nrows - split);
      tagg_merge(&t, a, b);
      if (mc->eps > 0) {
        assert_double_near(tagg_double(&t, a), tagg_double(&t, all),
                           mc->eps);
      } else {
        char want[sizeof(t.text)];
        snprintf(want, sizeof(want), "%s", tagg_text(&t, all));
        if (strcmp(tagg_text(&t, a), want) != 0)
          fail_msg("%s case %d split %d: merged %s, sequential %s",
                   mc->name, c, split, tagg_text(&t, a), want);
      }
      tagg_drop(&t, all);
      tagg_drop(&t, a);
      tagg_drop(&t, b);
    }
    tagg_close(&t);
  }
  sl_type_free(dec);
}

/* ---- DISTINCT --------------------------------------------------------- */

static void test_distinct(void **state) {
  (void)state;
  const sl_type *it[] = {sl_type_int()};
  tagg cnt, sum;
  tagg_open(&cnt, "count", 1, it, SL_AGG_DISTINCT, NULL);
  tagg_open(&sum, "sum", 1, it, SL_AGG_DISTINCT, NULL);
  void *c = tagg_state(&cnt), *s = tagg_state(&sum);
  assert_string_equal(tagg_text(&cnt, c), "0");
  assert_string_equal(tagg_text(&sum, s), "NULL");

  sl_value col[] = {I(1), I(2), I(2), NUL, I(3), I(1), I(-4)};
  tagg_add(&cnt, c, col, N(col));
  tagg_add(&sum, s, col, N(col));
  assert_string_equal(tagg_text(&cnt, c), "4");
  assert_string_equal(tagg_text(&sum, s), "2");

  /* Retraction counts copies: one 2 leaves, the other stays. */
  tagg_retract(&cnt, c, &col[1], 1);
  assert_string_equal(tagg_text(&cnt, c), "4");
  tagg_retract(&cnt, c, &col[2], 1);
  assert_string_equal(tagg_text(&cnt, c), "3");
  sl_value never[] = {I(99)};
  sl_error err;
  const sl_value *cols[] = {never};
  assert_int_equal(sl_agg_retract(&cnt.agg, c, cols, 1, NULL, NULL,
                                  &cnt.arena, &err), SL_ERR_INTERNAL);

  /* Merge is a union of the sets; the state round-trips. */
  void *other = tagg_state(&cnt);
  sl_value more[] = {I(3), I(7), I(8)};
  tagg_add(&cnt, other, more, 3);
  tagg_merge(&cnt, c, other);
  assert_string_equal(tagg_text(&cnt, c), "5");
  void *copy = tagg_roundtrip(&cnt, c);
  assert_string_equal(tagg_text(&cnt, copy), "5");
  tagg_drop(&cnt, copy);
  tagg_drop(&cnt, other);
  tagg_drop(&cnt, c);
  tagg_drop(&sum, s);
  tagg_close(&cnt);
  tagg_close(&sum);

  /* DOUBLE keys are canonical: -0 is 0 and every NaN is one value. */
  const sl_type *dt[] = {sl_type_double()};
  tagg_open(&cnt, "count", 1, dt, SL_AGG_DISTINCT, NULL);
  c = tagg_state(&cnt);
  sl_value dcol[] = {D(0.0), D(-0.0), D(NAN), D(-NAN), D(1.5)};
  tagg_add(&cnt, c, dcol, N(dcol));
  assert_string_equal(tagg_text(&cnt, c), "3");
  tagg_drop(&cnt, c);
  tagg_close(&cnt);

  /* A distinct SUM that overflows fails its result, not a row. */
  const sl_type *bt[] = {sl_type_bigint()};
  tagg_open(&sum, "sum", 1, bt, SL_AGG_DISTINCT, NULL);
  s = tagg_state(&sum);
  sl_value big[] = {L(INT64_MAX), L(INT64_MAX), L(1)};
  tagg_add(&sum, s, big, 3);
  assert_int_equal(tagg_errors(&sum, NULL, NULL), 0);
  const sl_error *e = tagg_result_error(&sum, s);
  assert_string_equal(e->reason, "overflow");
  assert_string_equal(e->message, "sum: result out of range for BIGINT");
  tagg_drop(&sum, s);
  tagg_close(&sum);

  /* Many values, so that the set grows and deletes across its probe
   * runs. */
  tagg_open(&cnt, "count", 1, bt, SL_AGG_DISTINCT, NULL);
  c = tagg_state(&cnt);
  sl_value *lots = calloc(2000, sizeof(*lots));
  assert_non_null(lots);
  for (int i = 0; i < 2000; i++)
    lots[i] = L(i % 1000);
  tagg_add(&cnt, c, lots, 2000);
  assert_string_equal(tagg_text(&cnt, c), "1000");
  tagg_retract(&cnt, c, lots, 1000);
  assert_string_equal(tagg_text(&cnt, c), "1000");
  tagg_retract(&cnt, c, lots + 1000, 999);
  assert_string_equal(tagg_text(&cnt, c), "1");
  tagg_add(&cnt, c, lots, 500);
  assert_string_equal(tagg_text(&cnt, c), "501");
  free(lots);
  tagg_drop(&cnt, c);
  tagg_close(&cnt);
}

static void test_open_errors(void **state) {
  (void)state;
  const sl_type *it[] = {sl_type_int()};
  assert_string_equal(tagg_open_error("first", 1, it, SL_AGG_DISTINCT, NULL),
                      "DISTINCT is not supported in FIRST");
  assert_string_equal(tagg_open_error("last", 1, it, SL_AGG_SLIDING, NULL),
                      "LAST cannot be computed over a sliding window "
                      "(OVER ... RANGE)");

  /* Every sliding aggregate opens for a sliding window and retracts. */
  static const char *const sliding[] = {"count", "sum", "avg", "min", "max",
                                        "stddev", "stddev_pop"};
  const sl_type *dt[] = {sl_type_double()};
  for (int i = 0; i < N(sliding); i++) {
    tagg t;
    tagg_open(&t, sliding[i], 1, dt, SL_AGG_SLIDING, NULL);
    assert_true(sl_agg_can_retract(&t.agg));
    tagg_close(&t);
  }
  tagg t;
  tagg_open(&t, "min", 1, dt, 0, NULL);
  assert_false(sl_agg_can_retract(&t.agg));
  tagg_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_count_star_and_count_x),
    cmocka_unit_test(test_sum_int_exact_and_null),
    cmocka_unit_test(test_sum_bigint_overflow_is_a_row_error),
    cmocka_unit_test(test_sum_decimal),
    cmocka_unit_test(test_sum_decimal_overflow),
    cmocka_unit_test(test_sum_double),
    cmocka_unit_test(test_avg),
    cmocka_unit_test(test_stddev),
    cmocka_unit_test(test_merge_equals_sequential),
    cmocka_unit_test(test_distinct),
    cmocka_unit_test(test_open_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
