/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_expr_interval.c - INTERVAL kernels of compiled expressions.
 *
 * EXTRACT of an INTERVAL column evaluated over a batch: every part of
 * zero, positive, negative, sub-second, just-under-a-day and many-day
 * intervals and of NULL, with EPOCH and SECOND as correctly rounded
 * DOUBLEs; the calendar parts refused at compile time; and INTERVAL
 * division rounding half away from zero, at the ends of the range too.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "test_expr_build.h"

#include "engine/expr/expr.h"

/* ---- Helpers ---------------------------------------------------------- */

#define NROWS 9

/* The intervals of the batch, in ms; the last row is NULL. */
static const int64_t interval_ms[NROWS - 1] = {
    0,                             /* 0 */
    86410000,                      /* 1 day 00:00:10 */
    -90123456,                     /* -1 days -01:02:03.456 */
    1,                             /* 1 ms */
    -1,                            /* -1 ms */
    86399999,                      /* 23:59:59.999 */
    INT64_C(36765045500),          /* 425 days 12:30:45.500 */
    -90000,                        /* -00:01:30 */
};

/* A batch of one INTERVAL column holding interval_ms and a NULL. */
static sl_batch *interval_batch(void) {
  sl_value vals[NROWS];
  for (int r = 0; r < NROWS - 1; r++)
    vals[r] = sl_value_interval(interval_ms[r]);
  vals[NROWS - 1] = sl_value_null();
  return tb_batch(1, NROWS, vals);
}

/* EXTRACT(part FROM column 0) typed type, run over interval_batch();
 * *res points into *x, which the caller frees with *b. */
static void run_extract(sl_extract_part part, sl_type *type, sl_expr **x,
                        sl_batch **b, const sl_value **res) {
  sl_bexpr *e = tb_nary(SL_BEXPR_EXTRACT, type, false, 1,
                        tb_col(0, sl_type_interval()));
  e->u.part = part;
  sl_error err;
  sl_error_clear(&err);
  if (sl_expr_compile(e, NULL, x, &err))
    fail_msg("EXTRACT part %d: compile failed: %s", (int)part, err.message);
  *b = interval_batch();
  int nfailed = 0;
  if (sl_expr_run(*x, *b, sl_batch_arena(*b), res, &nfailed, &err))
    fail_msg("EXTRACT part %d: run failed: %s", (int)part, err.message);
  if (nfailed != 0)
    fail_msg("EXTRACT part %d: %d rows failed", (int)part, nfailed);
}

/* Checks an integer part against want for every non-NULL row. */
static void check_int_part(sl_extract_part part, sl_type *type,
                           sl_type_kind kind, const int64_t *want) {
  sl_expr *x;
  sl_batch *b;
  const sl_value *res;
  run_extract(part, type, &x, &b, &res);
  for (int r = 0; r < NROWS - 1; r++) {
    if (res[r].kind != kind)
      fail_msg("part %d row %d: kind %d, expected %d", (int)part, r,
               (int)res[r].kind, (int)kind);
    int64_t got = kind == SL_TYPE_INT ? res[r].u.i32 : res[r].u.i64;
    if (got != want[r])
      fail_msg("part %d row %d (%lld ms): got %lld, expected %lld",
               (int)part, r, (long long)interval_ms[r], (long long)got,
               (long long)want[r]);
  }
  if (res[NROWS - 1].kind != SL_TYPE_NULL)
    fail_msg("part %d: NULL gave kind %d", (int)part,
             (int)res[NROWS - 1].kind);
  sl_expr_free(x);
  sl_batch_free(b);
}

/* Checks a DOUBLE part: exactly the double nearest to want (the C
 * literal), so the kernel must divide once and round once. */
static void check_double_part(sl_extract_part part, const double *want) {
  sl_expr *x;
  sl_batch *b;
  const sl_value *res;
  run_extract(part, sl_type_double(), &x, &b, &res);
  for (int r = 0; r < NROWS - 1; r++) {
    if (res[r].kind != SL_TYPE_DOUBLE)
      fail_msg("part %d row %d: kind %d, expected DOUBLE", (int)part, r,
               (int)res[r].kind);
    if (memcmp(&res[r].u.f64, &want[r], sizeof(double)) != 0)
      fail_msg("part %d row %d (%lld ms): got %.17g, expected %.17g",
               (int)part, r, (long long)interval_ms[r], res[r].u.f64,
               want[r]);
  }
  if (res[NROWS - 1].kind != SL_TYPE_NULL)
    fail_msg("part %d: NULL gave kind %d", (int)part,
             (int)res[NROWS - 1].kind);
  sl_expr_free(x);
  sl_batch_free(b);
}

/* ---- EXTRACT ---------------------------------------------------------- */

static void test_extract_parts(void **state) {
  (void)state;
  /* Rows: 0, 1 day 10 s, -(1 day 01:02:03.456), 1 ms, -1 ms,
   * 23:59:59.999, 425 days 12:30:45.5, -90 s. */
  static const double epoch[] = {0.0,   86410.0,   -90123.456,
                                 0.001, -0.001,    86399.999,
                                 36765045.5, -90.0};
  static const double second[] = {0.0,   10.0,   -3.456, 0.001,
                                  -0.001, 59.999, 45.5,   -30.0};
  static const int64_t day[] = {0, 1, -1, 0, 0, 0, 425, 0};
  static const int64_t hour[] = {0, 0, -1, 0, 0, 23, 12, 0};
  static const int64_t minute[] = {0, 0, -2, 0, 0, 59, 30, -1};
  static const int64_t ms[] = {0, 0, -456, 1, -1, 999, 500, 0};
  check_double_part(SL_EXTRACT_EPOCH, epoch);
  check_double_part(SL_EXTRACT_SECOND, second);
  check_int_part(SL_EXTRACT_DAY, sl_type_bigint(), SL_TYPE_BIGINT, day);
  check_int_part(SL_EXTRACT_HOUR, sl_type_int(), SL_TYPE_INT, hour);
  check_int_part(SL_EXTRACT_MINUTE, sl_type_int(), SL_TYPE_INT, minute);
  check_int_part(SL_EXTRACT_MILLISECOND, sl_type_int(), SL_TYPE_INT, ms);
}

/* A whole number of seconds has SECOND and EPOCH +0.0, never -0.0. */
static void test_extract_no_negative_zero(void **state) {
  (void)state;
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_bexpr *e = tb_nary(SL_BEXPR_EXTRACT, sl_type_double(), false, 1,
                        tb_lit(sl_type_interval(),
                               sl_value_interval(-60000)));
  e->u.part = SL_EXTRACT_SECOND;
  sl_value v;
  sl_error err;
  assert_int_equal(sl_expr_eval_constant(e, &a, &v, &err), SL_OK);
  assert_int_equal(v.kind, SL_TYPE_DOUBLE);
  if (v.u.f64 != 0.0 || signbit(v.u.f64))
    fail_msg("SECOND of -60 s: got %g, expected +0", v.u.f64);
  sl_arena_destroy(&a);
}

/* The calendar parts, and types other than the binder's, do not
 * compile for an INTERVAL. */
static void test_extract_refused(void **state) {
  (void)state;
  static const sl_extract_part calendar[] = {
      SL_EXTRACT_YEAR, SL_EXTRACT_QUARTER, SL_EXTRACT_MONTH,
      SL_EXTRACT_WEEK, SL_EXTRACT_DOW,     SL_EXTRACT_DOY,
  };
  for (size_t i = 0; i < sizeof(calendar) / sizeof(calendar[0]); i++) {
    sl_bexpr *e = tb_nary(SL_BEXPR_EXTRACT, sl_type_int(), false, 1,
                          tb_col(0, sl_type_interval()));
    e->u.part = calendar[i];
    sl_expr *x = NULL;
    sl_error err;
    sl_error_clear(&err);
    if (sl_expr_compile(e, NULL, &x, &err) == SL_OK)
      fail_msg("calendar part %d of an INTERVAL compiled", (int)calendar[i]);
    assert_non_null(strstr(err.message, "EXTRACT is not defined for "
                                        "(INTERVAL)"));
  }
  /* EPOCH of an INTERVAL is DOUBLE, not BIGINT. */
  sl_bexpr *e = tb_nary(SL_BEXPR_EXTRACT, sl_type_bigint(), false, 1,
                        tb_col(0, sl_type_interval()));
  e->u.part = SL_EXTRACT_EPOCH;
  sl_expr *x = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_not_equal(sl_expr_compile(e, NULL, &x, &err), SL_OK);
}

/* ---- Division --------------------------------------------------------- */

/* INTERVAL ms / BIGINT d as a constant. */
static int64_t divide(int64_t ms, int64_t d) {
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_bexpr *e = tb_bin(SL_OP_DIV, sl_type_interval(),
                       tb_lit(sl_type_interval(), sl_value_interval(ms)),
                       tb_bigint(d));
  sl_value v;
  sl_error err;
  sl_status rc = sl_expr_eval_constant(e, &a, &v, &err);
  sl_arena_destroy(&a);
  if (rc)
    fail_msg("%lld ms / %lld failed: %s", (long long)ms, (long long)d,
             err.message);
  if (v.kind != SL_TYPE_INTERVAL)
    fail_msg("%lld ms / %lld: kind %d", (long long)ms, (long long)d,
             (int)v.kind);
  return v.u.i64;
}

#define assert_divides(ms, d, want)                                        \
  do {                                                                     \
    int64_t got_ = divide((ms), (d));                                      \
    if (got_ != (want))                                                    \
      fail_msg("%lld ms / %lld: got %lld, expected %lld",                  \
               (long long)(ms), (long long)(d), (long long)got_,           \
               (long long)(want));                                         \
  } while (0)

static void test_divide_rounds(void **state) {
  (void)state;
  /* Halves go away from zero, whatever the signs. */
  assert_divides(5, 2, 3);
  assert_divides(-5, 2, -3);
  assert_divides(5, -2, -3);
  assert_divides(-5, -2, 3);
  /* Below and above a half. */
  assert_divides(1000, 3, 333);
  assert_divides(2000, 3, 667);
  assert_divides(-2000, 3, -667);
  assert_divides(7, 7, 1);
  assert_divides(3, 7, 0);
  assert_divides(4, 7, 1);
  /* The ends of the range: no step overflows. */
  assert_divides(INT64_MAX, 2, INT64_C(4611686018427387904));
  assert_divides(INT64_MIN, 2, INT64_C(-4611686018427387904));
  assert_divides(INT64_MIN, INT64_MIN, 1);
  assert_divides(INT64_MAX, INT64_MIN, -1);
  assert_divides(1, INT64_MIN, 0);
  assert_divides(INT64_MIN, 3, INT64_C(-3074457345618258603));
}

static void test_divide_fails(void **state) {
  (void)state;
  const char *reasons[] = {"division_by_zero", "overflow"};
  const int64_t divisors[] = {0, -1};
  const int64_t dividends[] = {1000, INT64_MIN};
  for (int i = 0; i < 2; i++) {
    sl_arena a;
    sl_arena_init(&a, 0);
    sl_bexpr *e = tb_bin(SL_OP_DIV, sl_type_interval(),
                         tb_lit(sl_type_interval(),
                                sl_value_interval(dividends[i])),
                         tb_bigint(divisors[i]));
    sl_value v;
    sl_error err;
    sl_status rc = sl_expr_eval_constant(e, &a, &v, &err);
    sl_arena_destroy(&a);
    if (rc != SL_ERR_RECORD)
      fail_msg("%lld ms / %lld: status %d, expected a %s row error",
               (long long)dividends[i], (long long)divisors[i], (int)rc,
               reasons[i]);
    assert_string_equal(err.reason, reasons[i]);
  }
}

/* ---- Main ------------------------------------------------------------- */

static int setup(void **state) {
  (void)state;
  tb_init();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tb_done();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_extract_parts),
      cmocka_unit_test(test_extract_no_negative_zero),
      cmocka_unit_test(test_extract_refused),
      cmocka_unit_test(test_divide_rounds),
      cmocka_unit_test(test_divide_fails),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
