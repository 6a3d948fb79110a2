/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the math built-ins: exact integer and DECIMAL results,
 * DOUBLE domains, overflow as a row error, NULL handling, and the batch
 * contract (one failing row does not fail the others).
 */
#include "test_functions.h"

#include <limits.h>
#include <math.h>

#include "engine/types/decimal.h"

static sl_value dec(sl_int128 unscaled, int scale) {
  return sl_value_decimal(unscaled, scale);
}

/* Calls a one-argument function on a DECIMAL(p,s) value. */
static fn_result call_dec(const char *name, sl_int128 v, int p, int s,
                          int nextra, const sl_value *extra) {
  sl_type *t = sl_type_new_decimal(p, s);
  sl_type *types[3] = {t, sl_type_int(), sl_type_int()};
  sl_value args[3] = {dec(v, s)};
  for (int i = 0; i < nextra; i++)
    args[1 + i] = extra[i];
  fn_result r = fn_call_typed(name, 1 + nextra, args, types);
  sl_type_free(t);
  return r;
}

/* The text of a DECIMAL result. */
static const char *dec_text(fn_result r) {
  return fn_text(r, NULL);
}

static void test_abs(void **state) {
  (void)state;
  sl_value a[1];
  a[0] = sl_value_int(-5);
  assert_int_result(fn_call("abs", 1, a), 5);
  a[0] = sl_value_int(INT32_MIN);
  assert_row_error(fn_call("abs", 1, a), "overflow",
                   "abs: integer out of range");
  a[0] = sl_value_bigint(-7000000000);
  assert_bigint_result(fn_call("abs", 1, a), 7000000000);
  a[0] = sl_value_bigint(INT64_MIN);
  assert_row_error(fn_call("abs", 1, a), "overflow",
                   "abs: bigint out of range");
  a[0] = sl_value_double(-2.5);
  assert_double_result(fn_call("abs", 1, a), 2.5, 0);
  a[0] = sl_value_null();
  assert_null_result(fn_call("abs", 1, a));

  fn_result r = call_dec("abs", -1230, 6, 2, 0, NULL);
  assert_string_equal(r.type, "DECIMAL(6,2)");
  assert_string_equal(dec_text(r), "12.30");
  fn_reset();
}

static void test_round_double(void **state) {
  (void)state;
  sl_value a[2];
  a[0] = sl_value_double(2.5);
  assert_double_result(fn_call("round", 1, a), 3.0, 0);
  a[0] = sl_value_double(-2.5);
  assert_double_result(fn_call("round", 1, a), -3.0, 0);
  a[0] = sl_value_double(2.567);
  a[1] = sl_value_int(1);
  assert_double_result(fn_call("round", 2, a), 2.6, 0);
  a[0] = sl_value_double(1234.5);
  a[1] = sl_value_int(-2);
  assert_double_result(fn_call("round", 2, a), 1200.0, 0);
  /* 1.005 is 1.00499999999999989... in binary. */
  a[0] = sl_value_double(1.005);
  a[1] = sl_value_int(2);
  assert_double_result(fn_call("round", 2, a), 1.0, 0);
  a[0] = sl_value_double(1e300);
  a[1] = sl_value_int(20);
  assert_double_result(fn_call("round", 2, a), 1e300, 0);
  a[0] = sl_value_double(123.0);
  a[1] = sl_value_int(-1000);
  assert_double_result(fn_call("round", 2, a), 0.0, 0);
  a[0] = sl_value_double(INFINITY);
  a[1] = sl_value_int(2);
  fn_result r = fn_call("round", 2, a);
  assert_ok(r);
  assert_true(isinf(r.value.u.f64));
  a[0] = sl_value_double(2.5);
  a[1] = sl_value_null();
  assert_null_result(fn_call("round", 2, a));
  fn_reset();
}

static void test_round_decimal(void **state) {
  (void)state;
  sl_value one = sl_value_int(1), three = sl_value_int(3);
  sl_value minus2 = sl_value_int(-2), minus1 = sl_value_int(-1);

  fn_result r = call_dec("round", 2567, 4, 3, 1, &one);
  assert_string_equal(r.type, "DECIMAL(3,1)");
  assert_string_equal(dec_text(r), "2.6");

  r = call_dec("round", 999, 3, 2, 1, &one);
  assert_string_equal(dec_text(r), "10.0");

  r = call_dec("round", -25, 2, 1, 0, NULL);
  assert_string_equal(r.type, "DECIMAL(2,0)");
  assert_string_equal(dec_text(r), "-3");

  r = call_dec("round", 12345, 5, 1, 1, &minus2);
  assert_string_equal(r.type, "DECIMAL(5,0)");
  assert_string_equal(dec_text(r), "1200");

  r = call_dec("round", 25, 5, 1, 1, &three);
  assert_string_equal(r.type, "DECIMAL(8,3)");
  assert_string_equal(dec_text(r), "2.500");

  /* Integers round through DECIMAL, exactly. */
  sl_value a[2] = {sl_value_int(1250), sl_value_int(-2)};
  r = fn_call("round", 2, a);
  assert_string_equal(r.type, "DECIMAL(11,0)");
  assert_string_equal(dec_text(r), "1300");

  /* 38 nines rounded to tens need a 39th digit. */
  sl_int128 nines = sl_decimal_pow10(38) - 1;
  r = call_dec("round", nines, 38, 0, 1, &minus1);
  assert_row_error(r, "overflow",
                   "round: value out of range for DECIMAL(38,0)");
  fn_reset();
}

static void test_floor_ceil(void **state) {
  (void)state;
  sl_value a[1];
  a[0] = sl_value_double(-2.5);
  assert_double_result(fn_call("floor", 1, a), -3.0, 0);
  assert_double_result(fn_call("ceil", 1, a), -2.0, 0);
  a[0] = sl_value_double(2.1);
  assert_double_result(fn_call("ceil", 1, a), 3.0, 0);
  a[0] = sl_value_int(7);
  assert_int_result(fn_call("floor", 1, a), 7);
  assert_int_result(fn_call("ceil", 1, a), 7);
  a[0] = sl_value_bigint(-9);
  assert_bigint_result(fn_call("floor", 1, a), -9);
  a[0] = sl_value_null();
  assert_null_result(fn_call("ceil", 1, a));

  fn_result r = call_dec("floor", -25, 2, 1, 0, NULL);
  assert_string_equal(r.type, "DECIMAL(2,0)");
  assert_string_equal(dec_text(r), "-3");
  assert_string_equal(dec_text(call_dec("ceil", -25, 2, 1, 0, NULL)),
                      "-2");
  assert_string_equal(dec_text(call_dec("ceil", 21, 2, 1, 0, NULL)),
                      "3");
  assert_string_equal(dec_text(call_dec("floor", 21, 2, 1, 0, NULL)),
                      "2");
  assert_string_equal(dec_text(call_dec("ceil", 999, 3, 2, 0, NULL)),
                      "10");
  fn_reset();
}

static void test_sqrt_power_exp(void **state) {
  (void)state;
  sl_value a[2];
  a[0] = sl_value_double(2.25);
  assert_double_result(fn_call("sqrt", 1, a), 1.5, 0);
  a[0] = sl_value_int(16);
  assert_double_result(fn_call("sqrt", 1, a), 4.0, 0);
  a[0] = sl_value_double(-1);
  assert_row_error(fn_call("sqrt", 1, a), "type",
                   "sqrt: cannot take square root of a negative number");
  a[0] = sl_value_null();
  assert_null_result(fn_call("sqrt", 1, a));

  a[0] = sl_value_int(2);
  a[1] = sl_value_int(10);
  assert_double_result(fn_call("power", 2, a), 1024.0, 0);
  a[0] = sl_value_int(-2);
  a[1] = sl_value_int(3);
  assert_double_result(fn_call("power", 2, a), -8.0, 0);
  a[0] = sl_value_int(0);
  a[1] = sl_value_int(0);
  assert_double_result(fn_call("power", 2, a), 1.0, 0);
  a[1] = sl_value_int(-1);
  assert_row_error(fn_call("power", 2, a), "type",
                   "power: zero raised to a negative power is undefined");
  a[0] = sl_value_double(-8);
  a[1] = sl_value_double(1.0 / 3);
  assert_row_error(fn_call("power", 2, a), "type",
                   "power: a negative number raised to a non-integer "
                   "power yields a complex result");
  a[0] = sl_value_int(10);
  a[1] = sl_value_int(400);
  assert_row_error(fn_call("power", 2, a), "overflow",
                   "power: value out of range: overflow");
  a[1] = sl_value_int(-400);
  assert_row_error(fn_call("power", 2, a), "overflow",
                   "power: value out of range: underflow");
  a[1] = sl_value_null();
  assert_null_result(fn_call("power", 2, a));

  a[0] = sl_value_int(1);
  assert_double_result(fn_call("exp", 1, a), 2.718281828459045, 1e-15);
  a[0] = sl_value_int(1000);
  assert_row_error(fn_call("exp", 1, a), "overflow",
                   "exp: value out of range: overflow");
  a[0] = sl_value_int(-1000);
  assert_row_error(fn_call("exp", 1, a), "overflow",
                   "exp: value out of range: underflow");
  a[0] = sl_value_double(-INFINITY);
  assert_double_result(fn_call("exp", 1, a), 0.0, 0);
  fn_reset();
}

static void test_logarithms(void **state) {
  (void)state;
  sl_value a[1];
  a[0] = sl_value_double(exp(2.0));
  assert_double_result(fn_call("ln", 1, a), 2.0, 1e-15);
  a[0] = sl_value_int(1);
  assert_double_result(fn_call("ln", 1, a), 0.0, 0);
  a[0] = sl_value_int(0);
  assert_row_error(fn_call("ln", 1, a), "type",
                   "ln: cannot take logarithm of zero");
  a[0] = sl_value_int(-1);
  assert_row_error(fn_call("ln", 1, a), "type",
                   "ln: cannot take logarithm of a negative number");
  a[0] = sl_value_int(1000);
  assert_double_result(fn_call("log10", 1, a), 3.0, 0);
  a[0] = sl_value_double(0.001);
  assert_double_result(fn_call("log10", 1, a), -3.0, 0);
  a[0] = sl_value_int(0);
  assert_row_error(fn_call("log10", 1, a), "type",
                   "log10: cannot take logarithm of zero");
  a[0] = sl_value_null();
  assert_null_result(fn_call("log10", 1, a));
  fn_reset();
}

static void test_sign(void **state) {
  (void)state;
  sl_value a[1];
  a[0] = sl_value_int(-3);
  assert_int_result(fn_call("sign", 1, a), -1);
  a[0] = sl_value_bigint(0);
  assert_int_result(fn_call("sign", 1, a), 0);
  a[0] = sl_value_double(2.5);
  assert_double_result(fn_call("sign", 1, a), 1.0, 0);
  a[0] = sl_value_double(NAN);
  fn_result r = fn_call("sign", 1, a);
  assert_ok(r);
  assert_true(isnan(r.value.u.f64));
  assert_int_result(call_dec("sign", -5, 2, 1, 0, NULL), -1);
  a[0] = sl_value_null();
  assert_null_result(fn_call("sign", 1, a));
  fn_reset();
}

static void test_greatest_least(void **state) {
  (void)state;
  sl_value a[3] = {sl_value_int(3), dec(75, 1), sl_value_null()};
  sl_type *d = sl_type_new_decimal(2, 1);
  sl_type *types[3] = {sl_type_int(), d, sl_type_null()};
  fn_result r = fn_call_typed("greatest", 3, a, types);
  assert_string_equal(r.type, "DECIMAL(11,1)");
  assert_string_equal(dec_text(r), "7.5");
  assert_string_equal(dec_text(fn_call_typed("least", 3, a, types)), "3.0");
  sl_type_free(d);

  sl_value s[3] = {vs("b"), vs("a"), vs("c")};
  assert_varchar(fn_call("greatest", 3, s), "c");
  assert_varchar(fn_call("least", 3, s), "a");

  sl_value n[2] = {sl_value_null(), sl_value_null()};
  assert_null_result(fn_call("greatest", 2, n));
  sl_value one[2] = {sl_value_null(), sl_value_double(-1.5)};
  assert_double_result(fn_call("least", 2, one), -1.5, 0);
  fn_reset();
}

/* A batch evaluates every row; a failing row is NULL with its error and
 * the others are unaffected. */
static void test_batch_with_row_errors(void **state) {
  (void)state;
  const sl_type *types[] = {sl_type_int()};
  sl_func_resolved r;
  sl_error err;
  assert_int_equal(sl_func_resolve(fn_registry(), "abs", 1, types, &r, &err),
                   SL_OK);
  sl_func_ctx ctx;
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  assert_int_equal(sl_func_ctx_prepare(&ctx, NULL, &err), SL_OK);

  sl_value col[5] = {sl_value_int(1), sl_value_int(INT32_MIN),
                     sl_value_int(-3), sl_value_null(),
                     sl_value_int(INT32_MIN)};
  const sl_value *cols[] = {col};
  sl_value out[5];
  assert_int_equal(sl_func_eval(&ctx, cols, 5, out, fn_mem(), &err), SL_OK);
  assert_int_equal(ctx.nerrors, 2);
  assert_int_equal(out[0].u.i32, 1);
  assert_int_equal(out[1].kind, SL_TYPE_NULL);
  assert_int_equal(out[2].u.i32, 3);
  assert_int_equal(out[3].kind, SL_TYPE_NULL);
  assert_int_equal(out[4].kind, SL_TYPE_NULL);
  assert_null(ctx.errors[0].reason);
  assert_string_equal(ctx.errors[1].reason, "overflow");
  assert_string_equal(ctx.errors[1].message, "abs: integer out of range");
  assert_null(ctx.errors[3].reason);
  assert_string_equal(ctx.errors[4].reason, "overflow");

  /* Rows that are not live give NULL and no error. */
  bool active[5] = {true, false, true, true, true};
  assert_int_equal(sl_func_eval_active(&ctx, cols, 5, active, out, fn_mem(),
                                       &err),
                   SL_OK);
  assert_int_equal(ctx.nerrors, 1);
  assert_null(ctx.errors[1].reason);
  assert_int_equal(out[1].kind, SL_TYPE_NULL);
  assert_int_equal(out[2].u.i32, 3);
  assert_string_equal(ctx.errors[4].reason, "overflow");
  active[4] = false;
  assert_int_equal(sl_func_eval_active(&ctx, cols, 5, active, out, fn_mem(),
                                       &err),
                   SL_OK);
  assert_int_equal(ctx.nerrors, 0);

  /* The next batch starts clean. */
  sl_value ok[2] = {sl_value_int(-8), sl_value_int(9)};
  const sl_value *okcols[] = {ok};
  assert_int_equal(sl_func_eval(&ctx, okcols, 2, out, fn_mem(), &err),
                   SL_OK);
  assert_int_equal(ctx.nerrors, 0);
  assert_null(ctx.errors);
  assert_int_equal(out[0].u.i32, 8);
  sl_func_ctx_destroy(&ctx);
  sl_func_resolved_free(&r);
  fn_reset();
}

/* Functions the engine evaluates elsewhere refuse sl_func_eval. */
static void test_no_scalar_implementation(void **state) {
  (void)state;
  const sl_type *types[] = {sl_type_int()};
  sl_func_resolved r;
  sl_error err;
  assert_int_equal(sl_func_resolve(fn_registry(), "sum", 1, types, &r, &err),
                   SL_OK);
  sl_func_ctx ctx;
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  sl_value col[1] = {sl_value_int(1)};
  const sl_value *cols[] = {col};
  sl_value out[1];
  assert_int_equal(sl_func_eval(&ctx, cols, 1, out, fn_mem(), &err),
                   SL_ERR_INTERNAL);
  assert_string_equal(err.message, "function SUM has no scalar "
                                   "implementation");
  sl_func_resolved_free(&r);
  fn_reset();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_abs),
    cmocka_unit_test(test_round_double),
    cmocka_unit_test(test_round_decimal),
    cmocka_unit_test(test_floor_ceil),
    cmocka_unit_test(test_sqrt_power_exp),
    cmocka_unit_test(test_logarithms),
    cmocka_unit_test(test_sign),
    cmocka_unit_test(test_greatest_least),
    cmocka_unit_test(test_batch_with_row_errors),
    cmocka_unit_test(test_no_scalar_implementation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
