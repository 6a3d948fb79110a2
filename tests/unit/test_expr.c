/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_expr.c - compiled expressions: every operator with NULLs,
 * PostgreSQL integer arithmetic, overflow and division by zero as row
 * errors, DECIMAL and DOUBLE, three-valued logic and short circuits, IN,
 * LIKE, BETWEEN, CASE, CAST errors, COALESCE/NULLIF, composites,
 * EXTRACT, registry calls, folding and filtering.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "test_expr_build.h"

#include "engine/expr/expr.h"
#include "engine/types/decimal.h"
#include "udf/registry.h"

/* ---- Helpers ---------------------------------------------------------- */

/* One compiled expression evaluated over a batch it owns. */
typedef struct run {
  sl_expr *x;
  sl_batch *b;
  const sl_value *res;
  int nfailed;
} run;

static void run_expr(run *t, sl_bexpr *e, sl_batch *b) {
  sl_error err;
  sl_error_clear(&err);
  t->b = b;
  sl_status rc = sl_expr_compile(e, NULL, &t->x, &err);
  if (rc)
    fail_msg("compile failed: %s", err.message);
  rc = sl_expr_run(t->x, b, sl_batch_arena(b), &t->res, &t->nfailed, &err);
  if (rc)
    fail_msg("run failed: %s", err.message);
}

static void run_done(run *t) {
  sl_expr_free(t->x);
  sl_batch_free(t->b);
}

/* A batch of n rows and no columns, for constant expressions. */
static sl_batch *rows_only(int n) {
  return tb_batch(0, n, NULL);
}

#define assert_i64(v, expected)                                            \
  do {                                                                     \
    const sl_value *v_ = (v);                                              \
    if (v_->kind == SL_TYPE_NULL)                                          \
      fail_msg("expected %lld, got NULL", (long long)(expected));          \
    long long got_ = v_->kind == SL_TYPE_INT ? v_->u.i32 : v_->u.i64;     \
    if (got_ != (long long)(expected))                                     \
      fail_msg("expected %lld, got %lld", (long long)(expected), got_);    \
  } while (0)

#define assert_is_null(v)                                                     \
  do {                                                                     \
    if ((v)->kind != SL_TYPE_NULL)                                         \
      fail_msg("expected NULL, got a value of kind %d", (v)->kind);        \
  } while (0)

#define assert_bool(v, expected)                                           \
  do {                                                                     \
    const sl_value *v_ = (v);                                              \
    if (v_->kind != SL_TYPE_BOOLEAN)                                       \
      fail_msg("expected %s, got kind %d", (expected) ? "TRUE" : "FALSE",  \
               v_->kind);                                                  \
    if (v_->u.b != (expected))                                             \
      fail_msg("expected %s", (expected) ? "TRUE" : "FALSE");              \
  } while (0)

#define assert_str(v, expected)                                            \
  do {                                                                     \
    const sl_value *v_ = (v);                                              \
    if (v_->kind != SL_TYPE_VARCHAR)                                       \
      fail_msg("expected '%s', got kind %d", (expected), v_->kind);       \
    if (v_->len != strlen(expected) ||                                     \
        memcmp(v_->u.str, (expected), v_->len) != 0)                       \
      fail_msg("expected '%s', got '%.*s'", (expected), (int)v_->len,      \
               v_->u.str);                                                 \
  } while (0)

/* Row r failed with the given reason. */
static void assert_row_error(sl_batch *b, int r, const char *reason,
                             const char *message) {
  if (b->rows[r].state != SL_BATCH_ROW_ERROR)
    fail_msg("row %d: expected a %s error, state is %u", r, reason,
             b->rows[r].state);
  assert_string_equal(b->rows[r].error->reason, reason);
  if (message)
    assert_string_equal(b->rows[r].error->message, message);
}

/* Evaluates a constant expression on one row; returns the value. */
static sl_value const_eval(sl_bexpr *e, sl_arena *arena) {
  sl_value v;
  sl_error err;
  sl_status rc = sl_expr_eval_constant(e, arena, &v, &err);
  if (rc)
    fail_msg("constant failed: %s", err.message);
  return v;
}

/* Evaluates a constant expression that must fail with reason. */
static void const_fails(sl_bexpr *e, const char *reason) {
  sl_value v;
  sl_error err;
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_status rc = sl_expr_eval_constant(e, &a, &v, &err);
  sl_arena_destroy(&a);
  if (rc != SL_ERR_RECORD)
    fail_msg("expected a %s row error, got status %d", reason, rc);
  assert_string_equal(err.reason, reason);
}

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

/* ---- Integer arithmetic ----------------------------------------------- */

static void test_int_arithmetic(void **state) {
  (void)state;
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_type *I = sl_type_int();

  sl_value v = const_eval(tb_bin(SL_OP_DIV, I, tb_int(7), tb_int(2)), &a);
  assert_i64(&v, 3);
  v = const_eval(tb_bin(SL_OP_DIV, I, tb_int(-7), tb_int(2)), &a);
  assert_i64(&v, -3);
  v = const_eval(tb_bin(SL_OP_MOD, I, tb_int(-7), tb_int(2)), &a);
  assert_i64(&v, -1);
  v = const_eval(tb_bin(SL_OP_MOD, I, tb_int(7), tb_int(-2)), &a);
  assert_i64(&v, 1);
  v = const_eval(tb_bin(SL_OP_MOD, I, tb_int(INT32_MIN), tb_int(-1)), &a);
  assert_i64(&v, 0);
  v = const_eval(tb_bin(SL_OP_MUL, I, tb_int(-46341), tb_int(46340)), &a);
  assert_i64(&v, -2147441940);
  v = const_eval(tb_un(SL_OP_NEG, I, tb_int(5)), &a);
  assert_i64(&v, -5);

  const_fails(tb_bin(SL_OP_ADD, I, tb_int(INT32_MAX), tb_int(1)), "overflow");
  const_fails(tb_bin(SL_OP_SUB, I, tb_int(INT32_MIN), tb_int(1)), "overflow");
  const_fails(tb_bin(SL_OP_MUL, I, tb_int(65536), tb_int(32768)), "overflow");
  const_fails(tb_bin(SL_OP_DIV, I, tb_int(INT32_MIN), tb_int(-1)),
              "overflow");
  const_fails(tb_un(SL_OP_NEG, I, tb_int(INT32_MIN)), "overflow");
  const_fails(tb_bin(SL_OP_DIV, I, tb_int(1), tb_int(0)), "division_by_zero");
  const_fails(tb_bin(SL_OP_MOD, I, tb_int(1), tb_int(0)), "division_by_zero");
  sl_arena_destroy(&a);
}

static void test_bigint_arithmetic_rows(void **state) {
  (void)state;
  sl_type *B = sl_type_bigint();
  /* a / b over rows: ordinary, NULL, zero, overflow, negative. */
  sl_value vals[] = {
      sl_value_bigint(9000000000), sl_value_bigint(4),
      sl_value_null(),             sl_value_bigint(3),
      sl_value_bigint(5),          sl_value_bigint(0),
      sl_value_bigint(INT64_MIN),  sl_value_bigint(-1),
      sl_value_bigint(-9),         sl_value_bigint(4),
  };
  run t;
  run_expr(&t, tb_bin(SL_OP_DIV, B, tb_col(0, B), tb_col(1, B)),
           tb_batch(2, 5, vals));
  assert_int_equal(t.nfailed, 2);
  assert_i64(&t.res[0], 2250000000);
  assert_is_null(&t.res[1]);
  assert_int_equal(t.b->rows[1].state, SL_BATCH_ROW_SELECTED);
  assert_row_error(t.b, 2, "division_by_zero", "division by zero");
  assert_is_null(&t.res[2]);
  assert_row_error(t.b, 3, "overflow", "bigint out of range");
  assert_i64(&t.res[4], -2);
  run_done(&t);

  /* Multiplication and addition overflow at 64 bits. */
  sl_arena a;
  sl_arena_init(&a, 0);
  const_fails(tb_bin(SL_OP_MUL, B, tb_bigint(INT64_C(4294967296)),
                     tb_bigint(INT64_C(2147483648))),
              "overflow");
  const_fails(tb_bin(SL_OP_ADD, B, tb_bigint(INT64_MAX), tb_bigint(1)),
              "overflow");
  sl_value v = const_eval(tb_bin(SL_OP_MUL, B, tb_bigint(INT64_C(3037000499)),
                                 tb_bigint(INT64_C(3037000499))),
                          &a);
  assert_i64(&v, INT64_C(9223372030926249001));
  v = const_eval(tb_bin(SL_OP_MOD, B, tb_bigint(INT64_MIN), tb_bigint(-1)),
                 &a);
  assert_i64(&v, 0);
  sl_arena_destroy(&a);
}

/* The first failure of a row wins; the rest of the batch goes on. */
static void test_error_does_not_cost_the_batch(void **state) {
  (void)state;
  sl_type *I = sl_type_int();
  sl_value vals[] = {sl_value_int(10), sl_value_int(0), sl_value_int(5)};
  /* (100 / a) + 2147483647: row 1 divides by zero, row 0 overflows. */
  sl_bexpr *e = tb_bin(SL_OP_ADD, I,
                       tb_bin(SL_OP_DIV, I, tb_int(100), tb_col(0, I)),
                       tb_int(2147483600));
  run t;
  run_expr(&t, e, tb_batch(1, 3, vals));
  assert_int_equal(t.nfailed, 1);
  assert_i64(&t.res[0], 2147483610);
  assert_row_error(t.b, 1, "division_by_zero", NULL);
  assert_i64(&t.res[2], 2147483620);
  assert_int_equal(t.b->nerrors, 1);
  run_done(&t);
}

/* ---- DOUBLE and DECIMAL ----------------------------------------------- */

static void test_double_arithmetic(void **state) {
  (void)state;
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_type *D = sl_type_double();
  sl_value v = const_eval(tb_bin(SL_OP_DIV, D, tb_double(7), tb_double(2)),
                          &a);
  assert_double_near(v.u.f64, 3.5, 0);
  v = const_eval(tb_bin(SL_OP_MUL, D, tb_double(1e308), tb_double(10)), &a);
  assert_true(isinf(v.u.f64) && v.u.f64 > 0);
  v = const_eval(tb_bin(SL_OP_MOD, D, tb_double(7.5), tb_double(2)), &a);
  assert_double_near(v.u.f64, 1.5, 0);
  const_fails(tb_bin(SL_OP_DIV, D, tb_double(1), tb_double(0)),
              "division_by_zero");
  const_fails(tb_bin(SL_OP_MOD, D, tb_double(1), tb_double(0)),
              "division_by_zero");
  sl_arena_destroy(&a);
}

static sl_bexpr *tb_dec(sl_int128 unscaled, int p, int s) {
  return tb_lit(tb_decimal(p, s), sl_value_decimal(unscaled, s));
}

static void test_decimal_arithmetic(void **state) {
  (void)state;
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_type *res = tb_decimal(6, 3);
  /* 1.10 + 2.205 = 3.305 exactly. */
  sl_bexpr *add = tb_bin(SL_OP_ADD, res, tb_dec(110, 3, 2),
                         tb_dec(2205, 4, 3));
  sl_value v = const_eval(add, &a);
  assert_int_equal(v.kind, SL_TYPE_DECIMAL);
  assert_int_equal(v.scale, 3);
  assert_true(sl_value_decimal_get(&v) == 3305);

  /* 10 / 3 at scale 6 rounds half away from zero. */
  sl_type *dres = tb_decimal(12, 6);
  v = const_eval(tb_bin(SL_OP_DIV, dres, tb_dec(10, 2, 0), tb_dec(3, 1, 0)),
                 &a);
  assert_true(sl_value_decimal_get(&v) == 3333333);
  sl_type *dres2 = tb_decimal(12, 6);
  v = const_eval(
      tb_bin(SL_OP_DIV, dres2, tb_dec(20, 2, 0), tb_dec(3, 1, 0)), &a);
  assert_true(sl_value_decimal_get(&v) == 6666667);

  sl_type *dres3 = tb_decimal(12, 6);
  const_fails(tb_bin(SL_OP_DIV, dres3, tb_dec(1, 1, 0), tb_dec(0, 1, 0)),
              "division_by_zero");
  /* 99.9 * 99.9 does not fit DECIMAL(3,1). */
  sl_type *small = tb_decimal(3, 1);
  const_fails(tb_bin(SL_OP_MUL, small, tb_dec(999, 3, 1), tb_dec(999, 3, 1)),
              "overflow");
  sl_arena_destroy(&a);
}

/* ---- Temporal arithmetic ---------------------------------------------- */

static void test_temporal_arithmetic(void **state) {
  (void)state;
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_type *TS = sl_type_timestamp(), *IV = sl_type_interval();
  sl_bexpr *ts = tb_lit(TS, sl_value_timestamp(1709214330250));
  sl_bexpr *iv = tb_lit(IV, sl_value_interval(3600000));
  sl_value v = const_eval(tb_bin(SL_OP_ADD, TS, ts, iv), &a);
  assert_int_equal(v.kind, SL_TYPE_TIMESTAMP);
  assert_true(v.u.i64 == 1709217930250);
  v = const_eval(tb_bin(SL_OP_SUB, IV, ts,
                        tb_lit(TS, sl_value_timestamp(1709214330000))),
                 &a);
  assert_int_equal(v.kind, SL_TYPE_INTERVAL);
  assert_true(v.u.i64 == 250);
  v = const_eval(tb_bin(SL_OP_MUL, IV, iv, tb_bigint(3)), &a);
  assert_true(v.u.i64 == 10800000);
  sl_bexpr *date = tb_lit(sl_type_date(), sl_value_date(19782));
  v = const_eval(tb_bin(SL_OP_ADD, sl_type_date(), date, tb_int(7)), &a);
  assert_int_equal(v.kind, SL_TYPE_DATE);
  assert_int_equal(v.u.i32, 19789);
  const_fails(tb_bin(SL_OP_ADD, TS, tb_lit(TS, sl_value_timestamp(INT64_MAX)),
                     iv),
              "overflow");
  sl_arena_destroy(&a);
}

/* ---- Comparison ------------------------------------------------------- */

static void test_comparisons(void **state) {
  (void)state;
  sl_type *B = sl_type_bigint(), *D = sl_type_double(),
          *V = sl_type_varchar();
  sl_value vals[] = {
      sl_value_bigint(1), sl_value_double(NAN), sl_value_varchar("abc", 3),
      sl_value_bigint(5), sl_value_double(1.5), sl_value_varchar("abd", 3),
      sl_value_null(),    sl_value_null(),      sl_value_null(),
  };
  run t;
  /* b < 3 */
  run_expr(&t, tb_cmp(SL_OP_LT, tb_col(0, B), tb_bigint(3)),
           tb_batch(3, 3, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  assert_is_null(&t.res[2]);
  run_done(&t);

  /* NaN = NaN is TRUE and NaN > every number, as in PostgreSQL. */
  run_expr(&t, tb_cmp(SL_OP_EQ, tb_col(1, D), tb_double(NAN)),
           tb_batch(3, 3, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  run_done(&t);
  run_expr(&t, tb_cmp(SL_OP_GT, tb_col(1, D), tb_double(1e308)),
           tb_batch(3, 3, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  run_done(&t);

  /* Strings compare bytewise. */
  run_expr(&t, tb_cmp(SL_OP_GE, tb_col(2, V), tb_str("abd")),
           tb_batch(3, 3, vals));
  assert_bool(&t.res[0], false);
  assert_bool(&t.res[1], true);
  assert_is_null(&t.res[2]);
  run_done(&t);

  /* NE and LE on INT; mixed numeric kinds through the generic path. */
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_value v = const_eval(tb_cmp(SL_OP_NE, tb_int(2), tb_int(2)), &a);
  assert_bool(&v, false);
  v = const_eval(tb_cmp(SL_OP_LE, tb_int(2), tb_bigint(2)), &a);
  assert_bool(&v, true);
  v = const_eval(tb_cmp(SL_OP_EQ, tb_dec(150, 3, 2), tb_dec(15, 2, 1)), &a);
  assert_bool(&v, true);
  sl_arena_destroy(&a);
}

/* ---- Logic ------------------------------------------------------------ */

static void test_three_valued_logic(void **state) {
  (void)state;
  sl_type *BO = sl_type_boolean();
  /* All nine combinations of TRUE, FALSE, NULL. */
  sl_value T = sl_value_bool(true), F = sl_value_bool(false),
           N = sl_value_null();
  sl_value vals[] = {T, T, T, F, T, N, F, T, F, F, F, N, N, T, N, F, N, N};
  /* AND: T F N F F F N F N;  OR: T T T T F N T N N */
  int and_exp[] = {1, 0, 2, 0, 0, 0, 2, 0, 2};
  int or_exp[] = {1, 1, 1, 1, 0, 2, 1, 2, 2};
  for (int op = 0; op < 2; op++) {
    run t;
    run_expr(&t,
             tb_bin(op ? SL_OP_OR : SL_OP_AND, BO, tb_col(0, BO),
                    tb_col(1, BO)),
             tb_batch(2, 9, vals));
    for (int r = 0; r < 9; r++) {
      int want = op ? or_exp[r] : and_exp[r];
      if (want == 2)
        assert_is_null(&t.res[r]);
      else
        assert_bool(&t.res[r], want == 1);
    }
    run_done(&t);
  }

  /* NOT NULL is NULL. */
  run t;
  run_expr(&t, tb_un(SL_OP_NOT, BO, tb_col(0, BO)), tb_batch(2, 9, vals));
  assert_bool(&t.res[0], false);
  assert_bool(&t.res[3], true);
  assert_is_null(&t.res[6]);
  run_done(&t);
}

/* b <> 0 AND a / b > 1 never divides by zero; nor does OR's right side
 * run where the left is TRUE. */
static void test_short_circuit(void **state) {
  (void)state;
  sl_type *I = sl_type_int(), *BO = sl_type_boolean();
  sl_value vals[] = {sl_value_int(10), sl_value_int(2), sl_value_int(10),
                     sl_value_int(0)};
  sl_bexpr *guard = tb_cmp(SL_OP_NE, tb_col(1, I), tb_int(0));
  sl_bexpr *div = tb_cmp(SL_OP_GT,
                         tb_bin(SL_OP_DIV, I, tb_col(0, I), tb_col(1, I)),
                         tb_int(1));
  run t;
  run_expr(&t, tb_bin(SL_OP_AND, BO, guard, div), tb_batch(2, 2, vals));
  assert_int_equal(t.nfailed, 0);
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  run_done(&t);

  sl_bexpr *zero = tb_cmp(SL_OP_EQ, tb_col(1, I), tb_int(0));
  sl_bexpr *div2 = tb_cmp(SL_OP_GT,
                          tb_bin(SL_OP_DIV, I, tb_col(0, I), tb_col(1, I)),
                          tb_int(1));
  run_expr(&t, tb_bin(SL_OP_OR, BO, zero, div2), tb_batch(2, 2, vals));
  assert_int_equal(t.nfailed, 0);
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], true);
  run_done(&t);

  /* Without the guard the row fails. */
  sl_bexpr *div3 = tb_bin(SL_OP_DIV, I, tb_col(0, I), tb_col(1, I));
  run_expr(&t, div3, tb_batch(2, 2, vals));
  assert_int_equal(t.nfailed, 1);
  assert_row_error(t.b, 1, "division_by_zero", NULL);
  run_done(&t);
}

static void test_is_null(void **state) {
  (void)state;
  sl_type *I = sl_type_int();
  sl_value vals[] = {sl_value_int(1), sl_value_null()};
  run t;
  run_expr(&t, tb_nary(SL_BEXPR_IS_NULL, sl_type_boolean(), false, 1,
                       tb_col(0, I)),
           tb_batch(1, 2, vals));
  assert_bool(&t.res[0], false);
  assert_bool(&t.res[1], true);
  run_done(&t);
  run_expr(&t, tb_nary(SL_BEXPR_IS_NULL, sl_type_boolean(), true, 1,
                       tb_col(0, I)),
           tb_batch(1, 2, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  run_done(&t);
}

/* ---- IN and BETWEEN --------------------------------------------------- */

static void test_in(void **state) {
  (void)state;
  sl_type *B = sl_type_bigint(), *BO = sl_type_boolean();
  sl_value vals[] = {sl_value_bigint(2), sl_value_bigint(7), sl_value_null()};
  run t;
  /* x IN (1, 2, 3) */
  run_expr(&t, tb_nary(SL_BEXPR_IN, BO, false, 4, tb_col(0, B), tb_bigint(1),
                       tb_bigint(2), tb_bigint(3)),
           tb_batch(1, 3, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  assert_is_null(&t.res[2]);
  run_done(&t);

  /* x NOT IN (1, NULL): never TRUE. */
  run_expr(&t, tb_nary(SL_BEXPR_IN, BO, true, 3, tb_col(0, B), tb_bigint(2),
                       tb_null(B)),
           tb_batch(1, 3, vals));
  assert_bool(&t.res[0], false);
  assert_is_null(&t.res[1]);
  assert_is_null(&t.res[2]);
  run_done(&t);

  /* A list with a column: evaluated per row. */
  run_expr(&t, tb_nary(SL_BEXPR_IN, BO, false, 3, tb_bigint(7), tb_col(0, B),
                       tb_bigint(9)),
           tb_batch(1, 3, vals));
  assert_bool(&t.res[0], false);
  assert_bool(&t.res[1], true);
  assert_is_null(&t.res[2]);
  run_done(&t);
}

static void test_between(void **state) {
  (void)state;
  sl_type *I = sl_type_int(), *BO = sl_type_boolean();
  sl_value vals[] = {sl_value_int(1), sl_value_int(5), sl_value_int(10),
                     sl_value_int(11), sl_value_null()};
  run t;
  run_expr(&t, tb_nary(SL_BEXPR_BETWEEN, BO, false, 3, tb_col(0, I),
                       tb_int(5), tb_int(10)),
           tb_batch(1, 5, vals));
  assert_bool(&t.res[0], false);
  assert_bool(&t.res[1], true);
  assert_bool(&t.res[2], true);
  assert_bool(&t.res[3], false);
  assert_is_null(&t.res[4]);
  run_done(&t);

  /* x NOT BETWEEN NULL AND 4: NULL where x <= 4, TRUE above. */
  run_expr(&t, tb_nary(SL_BEXPR_BETWEEN, BO, true, 3, tb_col(0, I),
                       tb_null(I), tb_int(4)),
           tb_batch(1, 5, vals));
  assert_is_null(&t.res[0]);
  assert_bool(&t.res[1], true);
  run_done(&t);
}

/* ---- LIKE ------------------------------------------------------------- */

static bool like1(const char *s, const char *pattern) {
  sl_arena a;
  sl_arena_init(&a, 0);
  sl_value v = const_eval(tb_nary(SL_BEXPR_LIKE, sl_type_boolean(), false, 2,
                                  tb_str(s), tb_str(pattern)),
                          &a);
  sl_arena_destroy(&a);
  assert_int_equal(v.kind, SL_TYPE_BOOLEAN);
  return v.u.b;
}

static void test_like_patterns(void **state) {
  (void)state;
  assert_true(like1("abc", "abc"));
  assert_false(like1("abcd", "abc"));
  assert_true(like1("abc", "a%"));
  assert_true(like1("abc", "%c"));
  assert_true(like1("abc", "%b%"));
  assert_false(like1("abc", "%d%"));
  assert_true(like1("abc", "a_c"));
  assert_false(like1("abbc", "a_c"));
  assert_true(like1("abbc", "a%c"));
  assert_true(like1("", "%"));
  assert_false(like1("", "_"));
  assert_true(like1("xaybzc", "%a%b%c"));
  assert_false(like1("xaybz", "%a%b%c"));
  assert_true(like1("mississippi", "%iss%ppi"));
  assert_true(like1("aaa", "%a_"));
  /* '_' is one character, however many bytes. */
  assert_true(like1("caf\xc3\xa9", "caf_"));
  assert_false(like1("caf\xc3\xa9", "caf__"));
  assert_true(like1("\xe2\x82\xac" "5", "_5"));
  assert_true(like1("na\xc3\xafve", "%\xc3\xaf%"));
  /* Escapes. */
  assert_true(like1("50%", "50\\%"));
  assert_false(like1("500", "50\\%"));
  assert_true(like1("a_b", "a\\_b"));
  assert_false(like1("axb", "a\\_b"));
  assert_true(like1("a\\b", "a\\\\b"));
  assert_true(like1("100% sure", "%\\%%"));
}

static void test_like_rows(void **state) {
  (void)state;
  sl_type *V = sl_type_varchar(), *BO = sl_type_boolean();
  sl_value vals[] = {sl_value_varchar("apple", 5), sl_value_varchar("a%", 2),
                     sl_value_varchar("banana", 6), sl_value_varchar("b_", 2),
                     sl_value_null(), sl_value_varchar("%", 1),
                     sl_value_varchar("x", 1), sl_value_varchar("x\\", 2)};
  run t;
  /* NOT LIKE with a constant pattern. */
  run_expr(&t, tb_nary(SL_BEXPR_LIKE, BO, true, 2, tb_col(0, V),
                       tb_str("%an%")),
           tb_batch(2, 4, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  assert_is_null(&t.res[2]);
  assert_bool(&t.res[3], true);
  run_done(&t);

  /* A pattern column; the last row's pattern ends in the escape. */
  run_expr(&t, tb_nary(SL_BEXPR_LIKE, BO, false, 2, tb_col(0, V),
                       tb_col(1, V)),
           tb_batch(2, 4, vals));
  assert_bool(&t.res[0], true);
  assert_bool(&t.res[1], false);
  assert_is_null(&t.res[2]);
  assert_row_error(t.b, 3, "type",
                   "LIKE pattern must not end with escape character");
  run_done(&t);

  /* A constant pattern ending in the escape is a compile error. */
  sl_expr *x;
  sl_error err;
  sl_bexpr *bad = tb_nary(SL_BEXPR_LIKE, BO, false, 2, tb_col(0, V),
                          tb_str("ab\\"));
  bad->pos.line = 3;
  bad->pos.column = 14;
  sl_expr_options opts = {.file = "q.sql"};
  assert_int_equal(sl_expr_compile(bad, &opts, &x, &err), SL_ERR_SQL);
  char buf[256];
  sl_error_format(&err, buf, sizeof(buf));
  assert_string_equal(buf, "q.sql:3:14: error: LIKE pattern must not end "
                           "with escape character");
}

/* ---- CASE ------------------------------------------------------------- */

static sl_bexpr *tb_case(sl_type *type, bool operand, int nwhen,
                         bool has_else, int nargs, ...) {
  sl_bexpr *e = tb_node(SL_BEXPR_CASE, type, nargs);
  e->u.case_.has_operand = operand;
  e->u.case_.nwhen = nwhen;
  e->u.case_.has_else = has_else;
  va_list ap;
  va_start(ap, nargs);
  for (int i = 0; i < nargs; i++)
    e->args[i] = va_arg(ap, sl_bexpr *);
  va_end(ap);
  return e;
}

static void test_case(void **state) {
  (void)state;
  sl_type *I = sl_type_int(), *V = sl_type_varchar();
  sl_value vals[] = {sl_value_int(0), sl_value_int(5), sl_value_int(50),
                     sl_value_null()};
  run t;
  /* CASE WHEN x = 0 THEN 'zero' WHEN 100 / x > 10 THEN 'small'
   *      ELSE 'big' END: 100 / x never runs for x = 0. */
  sl_bexpr *e = tb_case(
      V, false, 2, true, 5, tb_cmp(SL_OP_EQ, tb_col(0, I), tb_int(0)),
      tb_str("zero"),
      tb_cmp(SL_OP_GT, tb_bin(SL_OP_DIV, I, tb_int(100), tb_col(0, I)),
             tb_int(10)),
      tb_str("small"), tb_str("big"));
  run_expr(&t, e, tb_batch(1, 4, vals));
  assert_int_equal(t.nfailed, 0);
  assert_str(&t.res[0], "zero");
  assert_str(&t.res[1], "small");
  assert_str(&t.res[2], "big");
  assert_str(&t.res[3], "big");
  run_done(&t);

  /* CASE x WHEN 5 THEN 1 WHEN 50 THEN 2 END: NULL without ELSE. */
  e = tb_case(I, true, 2, false, 5, tb_col(0, I), tb_int(5), tb_int(1),
              tb_int(50), tb_int(2));
  run_expr(&t, e, tb_batch(1, 4, vals));
  assert_is_null(&t.res[0]);
  assert_i64(&t.res[1], 1);
  assert_i64(&t.res[2], 2);
  assert_is_null(&t.res[3]);
  run_done(&t);
}

/* ---- CAST ------------------------------------------------------------- */

static void test_cast(void **state) {
  (void)state;
  sl_type *V = sl_type_varchar(), *I = sl_type_int();
  sl_value vals[] = {sl_value_varchar("42", 2), sl_value_varchar("4x", 2),
                     sl_value_varchar("99999999999", 11), sl_value_null()};
  run t;
  run_expr(&t, tb_cast(I, tb_col(0, V)), tb_batch(1, 4, vals));
  assert_int_equal(t.nfailed, 2);
  assert_i64(&t.res[0], 42);
  assert_row_error(t.b, 1, "type", NULL);
  assert_row_error(t.b, 2, "overflow", NULL);
  assert_is_null(&t.res[3]);
  assert_int_equal(t.b->rows[3].state, SL_BATCH_ROW_SELECTED);
  run_done(&t);

  sl_arena a;
  sl_arena_init(&a, 0);
  sl_value v = const_eval(tb_cast(sl_type_double(), tb_int(3)), &a);
  assert_double_near(v.u.f64, 3.0, 0);
  v = const_eval(tb_cast(V, tb_double(0.1)), &a);
  assert_str(&v, "0.1");
  v = const_eval(tb_cast(sl_type_bigint(), tb_int(-8)), &a);
  assert_int_equal(v.kind, SL_TYPE_BIGINT);
  assert_i64(&v, -8);
  const_fails(tb_cast(I, tb_bigint(INT64_C(3000000000))), "overflow");
  sl_arena_destroy(&a);
}

/* ---- COALESCE, IFNULL, NULLIF ----------------------------------------- */

/* A call of a function handled natively, as the binder leaves it. */
static sl_bexpr *tb_call(const char *name, sl_type *type, int nargs, ...) {
  const sl_func_registry *reg = sl_func_registry_builtin();
  sl_bexpr *e = tb_node(SL_BEXPR_FUNC, type, nargs);
  e->u.call.name = name;
  e->u.call.func = sl_func_lookup(reg, name);
  va_list ap;
  va_start(ap, nargs);
  for (int i = 0; i < nargs; i++)
    e->args[i] = va_arg(ap, sl_bexpr *);
  va_end(ap);
  return e;
}

static void test_coalesce_short_circuit(void **state) {
  (void)state;
  sl_type *I = sl_type_int();
  sl_value vals[] = {sl_value_int(7), sl_value_int(0), sl_value_null(),
                     sl_value_int(4), sl_value_null(), sl_value_int(0)};
  run t;
  /* COALESCE(a, 100 / b): the division runs only where a is NULL. */
  sl_bexpr *e = tb_call("COALESCE", I, 2, tb_col(0, I),
                        tb_bin(SL_OP_DIV, I, tb_int(100), tb_col(1, I)));
  run_expr(&t, e, tb_batch(2, 3, vals));
  assert_int_equal(t.nfailed, 1);
  assert_i64(&t.res[0], 7);
  assert_i64(&t.res[1], 25);
  assert_row_error(t.b, 2, "division_by_zero", NULL);
  run_done(&t);

  /* IFNULL(a, -1); COALESCE of all NULLs is NULL. */
  run_expr(&t, tb_call("IFNULL", I, 2, tb_col(0, I), tb_int(-1)),
           tb_batch(2, 3, vals));
  assert_i64(&t.res[0], 7);
  assert_i64(&t.res[1], -1);
  run_done(&t);
  run_expr(&t, tb_call("COALESCE", I, 2, tb_col(0, I), tb_null(I)),
           tb_batch(2, 3, vals));
  assert_is_null(&t.res[1]);
  run_done(&t);

  /* NULLIF(b, 0). */
  run_expr(&t, tb_call("NULLIF", I, 2, tb_col(1, I), tb_int(0)),
           tb_batch(2, 3, vals));
  assert_is_null(&t.res[0]);
  assert_i64(&t.res[1], 4);
  assert_is_null(&t.res[2]);
  run_done(&t);
}

/* ---- Registry calls --------------------------------------------------- */

/* A resolved call of a registry function. */
static sl_bexpr *tb_resolved(const char *name, int nargs, sl_bexpr **args) {
  const sl_func_registry *reg = sl_func_registry_builtin();
  const sl_type *types[8];
  for (int i = 0; i < nargs; i++)
    types[i] = args[i]->type;
  sl_func_resolved r;
  sl_error err;
  if (sl_func_resolve(reg, name, nargs, types, &r, &err))
    fail_msg("resolve %s: %s", name, err.message);
  sl_bexpr *e = tb_node(SL_BEXPR_FUNC, r.ret_type, nargs);
  e->u.call.name = name;
  e->u.call.func = r.func;
  e->u.call.sig = r.sig;
  for (int i = 0; i < nargs; i++)
    e->args[i] = args[i];
  /* The return type outlives the resolution for the test's length. */
  tb_keep(r.ret_type);
  r.ret_type = NULL;
  sl_func_resolved_free(&r);
  return e;
}

static void test_registry_call_gathers(void **state) {
  (void)state;
  sl_type *V = sl_type_varchar();
  sl_value vals[] = {sl_value_varchar("abc", 3), sl_value_null(),
                     sl_value_varchar("caf\xc3\xa9", 5),
                     sl_value_varchar("", 0)};
  sl_batch *b = tb_batch(1, 4, vals);
  /* Row 0 filtered out: the call sees rows 2 and 3 only. */
  b->rows[0].state = SL_BATCH_ROW_DROPPED;
  sl_bexpr *arg = tb_col(0, V);
  sl_bexpr *e = tb_resolved("LENGTH", 1, &arg);
  run t;
  run_expr(&t, e, b);
  assert_is_null(&t.res[0]);
  assert_is_null(&t.res[1]);
  assert_i64(&t.res[2], 4);
  assert_i64(&t.res[3], 0);
  run_done(&t);
}

/* ---- Composites and EXTRACT ------------------------------------------- */

static void test_composites(void **state) {
  (void)state;
  sl_type *I = sl_type_int();
  sl_type *arr = sl_type_new_array(sl_type_int());
  sl_arena a;
  sl_arena_init(&a, 0);
  /* ARRAY[10, 20, 30][2] and out-of-range subscripts. */
  sl_bexpr *mk = tb_nary(SL_BEXPR_ARRAY, arr, false, 3, tb_int(10),
                         tb_int(20), tb_int(30));
  sl_value v = const_eval(tb_nary(SL_BEXPR_SUBSCRIPT, I, false, 2, mk,
                                  tb_int(2)),
                          &a);
  assert_i64(&v, 20);
  v = const_eval(tb_nary(SL_BEXPR_SUBSCRIPT, I, false, 2, mk, tb_int(0)), &a);
  assert_is_null(&v);
  v = const_eval(tb_nary(SL_BEXPR_SUBSCRIPT, I, false, 2, mk, tb_int(4)), &a);
  assert_is_null(&v);

  /* A MAP column and a STRUCT column. */
  sl_type *map = sl_type_new_map(sl_type_int());
  sl_type_field f[2] = {{strdup("x"), sl_type_int()},
                        {strdup("y"), sl_type_varchar()}};
  sl_type *st = sl_type_new_struct(2, f);
  sl_value entries[4] = {sl_value_varchar("a", 1), sl_value_int(1),
                         sl_value_varchar("b", 1), sl_value_int(2)};
  sl_value fields[2] = {sl_value_int(5), sl_value_varchar("yy", 2)};
  sl_value vals[] = {sl_value_composite(SL_TYPE_MAP, entries, 2),
                     sl_value_composite(SL_TYPE_STRUCT, fields, 2),
                     sl_value_null(), sl_value_null()};
  run t;
  run_expr(&t, tb_nary(SL_BEXPR_SUBSCRIPT, I, false, 2, tb_col(0, map),
                       tb_str("b")),
           tb_batch(2, 2, vals));
  assert_i64(&t.res[0], 2);
  assert_is_null(&t.res[1]);
  run_done(&t);
  run_expr(&t, tb_nary(SL_BEXPR_SUBSCRIPT, I, false, 2, tb_col(0, map),
                       tb_str("zz")),
           tb_batch(2, 2, vals));
  assert_is_null(&t.res[0]);
  run_done(&t);
  sl_bexpr *fe = tb_nary(SL_BEXPR_FIELD, sl_type_varchar(), false, 1,
                         tb_col(1, st));
  fe->u.field.index = 1;
  run_expr(&t, fe, tb_batch(2, 2, vals));
  assert_str(&t.res[0], "yy");
  assert_is_null(&t.res[1]);
  run_done(&t);

  /* || on strings; NULL operands give NULL. */
  v = const_eval(tb_bin(SL_OP_CONCAT, sl_type_varchar(), tb_str("ab"),
                        tb_str("cd")),
                 &a);
  assert_str(&v, "abcd");
  v = const_eval(tb_bin(SL_OP_CONCAT, sl_type_varchar(), tb_str("ab"),
                        tb_null(sl_type_varchar())),
                 &a);
  assert_is_null(&v);
  sl_arena_destroy(&a);
  sl_type_free(arr);
  sl_type_free(map);
  sl_type_free(st);
}

static void test_extract(void **state) {
  (void)state;
  sl_arena a;
  sl_arena_init(&a, 0);
  /* 2024-02-29T13:45:30.250Z, a Thursday. */
  struct {
    sl_extract_part part;
    int64_t want;
  } cases[] = {
      {SL_EXTRACT_YEAR, 2024},       {SL_EXTRACT_QUARTER, 1},
      {SL_EXTRACT_MONTH, 2},         {SL_EXTRACT_WEEK, 9},
      {SL_EXTRACT_DAY, 29},          {SL_EXTRACT_DOW, 4},
      {SL_EXTRACT_DOY, 60},          {SL_EXTRACT_HOUR, 13},
      {SL_EXTRACT_MINUTE, 45},       {SL_EXTRACT_SECOND, 30},
      {SL_EXTRACT_MILLISECOND, 250}, {SL_EXTRACT_EPOCH, 1709214330},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sl_bexpr *e = tb_nary(SL_BEXPR_EXTRACT, sl_type_bigint(), false, 1,
                          tb_lit(sl_type_timestamp(),
                                 sl_value_timestamp(1709214330250)));
    e->u.part = cases[i].part;
    sl_value v = const_eval(e, &a);
    assert_i64(&v, cases[i].want);
  }
  /* ISO weeks at year ends: 2021-01-03 (Sunday) is week 53 of 2020. */
  sl_bexpr *e = tb_nary(SL_BEXPR_EXTRACT, sl_type_bigint(), false, 1,
                        tb_lit(sl_type_timestamp(),
                               sl_value_timestamp(1609632000000)));
  e->u.part = SL_EXTRACT_WEEK;
  sl_value v = const_eval(e, &a);
  assert_i64(&v, 53);
  e = tb_nary(SL_BEXPR_EXTRACT, sl_type_bigint(), false, 1,
              tb_lit(sl_type_timestamp(), sl_value_timestamp(1609632000000)));
  e->u.part = SL_EXTRACT_DOW;
  v = const_eval(e, &a);
  assert_i64(&v, 7);
  /* One millisecond before the epoch. */
  e = tb_nary(SL_BEXPR_EXTRACT, sl_type_bigint(), false, 1,
              tb_lit(sl_type_timestamp(), sl_value_timestamp(-1)));
  e->u.part = SL_EXTRACT_YEAR;
  v = const_eval(e, &a);
  assert_i64(&v, 1969);
  e = tb_nary(SL_BEXPR_EXTRACT, sl_type_bigint(), false, 1,
              tb_lit(sl_type_timestamp(), sl_value_timestamp(-1)));
  e->u.part = SL_EXTRACT_MILLISECOND;
  v = const_eval(e, &a);
  assert_i64(&v, 999);
  sl_arena_destroy(&a);
}

/* ---- Folding and filtering -------------------------------------------- */

static void test_folding(void **state) {
  (void)state;
  sl_type *I = sl_type_int();
  sl_expr *x;
  sl_error err;
  const sl_value *k;
  /* (1 + 2) * 4 folds to 12. */
  sl_bexpr *e = tb_bin(SL_OP_MUL, I, tb_bin(SL_OP_ADD, I, tb_int(1),
                                            tb_int(2)),
                       tb_int(4));
  assert_int_equal(sl_expr_compile(e, NULL, &x, &err), SL_OK);
  assert_true(sl_expr_constant(x, &k));
  assert_i64(k, 12);
  sl_expr_free(x);

  /* col + (2 * 3): the constant part folds, the whole does not. */
  e = tb_bin(SL_OP_ADD, I, tb_col(0, I),
             tb_bin(SL_OP_MUL, I, tb_int(2), tb_int(3)));
  assert_int_equal(sl_expr_compile(e, NULL, &x, &err), SL_OK);
  assert_false(sl_expr_constant(x, NULL));
  sl_value vals[] = {sl_value_int(1), sl_value_int(2)};
  sl_batch *b = tb_batch(1, 2, vals);
  const sl_value *res;
  assert_int_equal(sl_expr_run(x, b, sl_batch_arena(b), &res, NULL, &err),
                   SL_OK);
  assert_i64(&res[0], 7);
  assert_i64(&res[1], 8);
  sl_expr_free(x);
  sl_batch_free(b);

  /* 1 / 0 is not folded: it fails each row when it runs. */
  e = tb_bin(SL_OP_DIV, I, tb_int(1), tb_int(0));
  assert_int_equal(sl_expr_compile(e, NULL, &x, &err), SL_OK);
  assert_false(sl_expr_constant(x, NULL));
  b = rows_only(2);
  int nfailed;
  assert_int_equal(sl_expr_run(x, b, sl_batch_arena(b), &res, &nfailed, &err),
                   SL_OK);
  assert_int_equal(nfailed, 2);
  sl_expr_free(x);
  sl_batch_free(b);

  /* A plain column is recognized. */
  assert_int_equal(sl_expr_compile(tb_col(3, I), NULL, &x, &err), SL_OK);
  assert_int_equal(sl_expr_column(x), 3);
  sl_expr_free(x);
}

static void test_filter(void **state) {
  (void)state;
  sl_type *I = sl_type_int();
  sl_value vals[] = {sl_value_int(5), sl_value_int(200), sl_value_null(),
                     sl_value_int(0), sl_value_int(500)};
  sl_batch *b = tb_batch(1, 5, vals);
  b->rows[4].state = SL_BATCH_ROW_DROPPED;
  /* 100 / x > 1: 5 passes, 200 and NULL are dropped, 0 fails. */
  sl_bexpr *e = tb_cmp(SL_OP_GT,
                       tb_bin(SL_OP_DIV, I, tb_int(100), tb_col(0, I)),
                       tb_int(1));
  sl_expr *x;
  sl_error err;
  assert_int_equal(sl_expr_compile(e, NULL, &x, &err), SL_OK);
  int dropped, failed;
  assert_int_equal(sl_expr_filter(x, b, sl_batch_arena(b), &dropped, &failed,
                                  &err),
                   SL_OK);
  assert_int_equal(dropped, 2);
  assert_int_equal(failed, 1);
  assert_int_equal(b->rows[0].state, SL_BATCH_ROW_SELECTED);
  assert_int_equal(b->rows[1].state, SL_BATCH_ROW_DROPPED);
  assert_int_equal(b->rows[2].state, SL_BATCH_ROW_DROPPED);
  assert_int_equal(b->rows[3].state, SL_BATCH_ROW_ERROR);
  assert_int_equal(b->rows[4].state, SL_BATCH_ROW_DROPPED);

  /* The same program on a larger batch grows its buffers. */
  sl_value many[300];
  for (int i = 0; i < 300; i++)
    many[i] = sl_value_int(i + 1);
  sl_batch *big = tb_batch(1, 300, many);
  assert_int_equal(sl_expr_filter(x, big, sl_batch_arena(big), &dropped,
                                  &failed, &err),
                   SL_OK);
  /* 100 / x > 1 (integer division) for x in 1..50. */
  assert_int_equal(sl_batch_selected_count(big), 50);
  sl_batch_free(big);
  sl_expr_free(x);
  sl_batch_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_int_arithmetic),
      cmocka_unit_test(test_bigint_arithmetic_rows),
      cmocka_unit_test(test_error_does_not_cost_the_batch),
      cmocka_unit_test(test_double_arithmetic),
      cmocka_unit_test(test_decimal_arithmetic),
      cmocka_unit_test(test_temporal_arithmetic),
      cmocka_unit_test(test_comparisons),
      cmocka_unit_test(test_three_valued_logic),
      cmocka_unit_test(test_short_circuit),
      cmocka_unit_test(test_is_null),
      cmocka_unit_test(test_in),
      cmocka_unit_test(test_between),
      cmocka_unit_test(test_like_patterns),
      cmocka_unit_test(test_like_rows),
      cmocka_unit_test(test_case),
      cmocka_unit_test(test_cast),
      cmocka_unit_test(test_coalesce_short_circuit),
      cmocka_unit_test(test_registry_call_gathers),
      cmocka_unit_test(test_composites),
      cmocka_unit_test(test_extract),
      cmocka_unit_test(test_folding),
      cmocka_unit_test(test_filter),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
