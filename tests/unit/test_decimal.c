/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/types/decimal.c: exact parsing and printing,
 * rounding half away from zero, arithmetic with its result types, and
 * overflow at 38 digits.
 */
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "engine/types/decimal.h"

/* The text of v at scale. */
static const char *text_of(sl_int128 v, int scale, char *buf) {
  sl_decimal_to_text(v, scale, buf);
  return buf;
}

/* Parses text into DECIMAL(p,s) and checks the printed result. */
static void check_parse(const char *text, int p, int s, const char *want) {
  sl_int128 v;
  sl_error err;
  sl_error_clear(&err);
  if (sl_decimal_parse(text, strlen(text), p, s, &v, &err) != SL_OK)
    fail_msg("parse \"%s\" as DECIMAL(%d,%d): %s", text, p, s, err.message);
  char buf[SL_DECIMAL_TEXT_MAX];
  if (strcmp(text_of(v, s, buf), want) != 0)
    fail_msg("parse \"%s\" as DECIMAL(%d,%d) gave %s, expected %s", text, p,
             s, buf, want);
}

static void check_parse_fails(const char *text, int p, int s,
                              const char *reason, const char *message) {
  sl_int128 v;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_decimal_parse(text, strlen(text), p, s, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, reason);
  assert_string_equal(err.message, message);
}

/* 10^38 - 1 spelled out. */
#define MAX38 "99999999999999999999999999999999999999"

static void test_parse_exact(void **state) {
  (void)state;
  check_parse("12.345", 10, 3, "12.345");
  check_parse("-0.5", 5, 1, "-0.5");
  check_parse("1e3", 10, 0, "1000");
  check_parse("1E3", 10, 2, "1000.00");
  check_parse("+1.5e-2", 10, 4, "0.0150");
  check_parse("  42  ", 5, 0, "42");
  check_parse(".5", 3, 2, "0.50");
  check_parse("7.", 3, 0, "7");
  check_parse("-0", 3, 1, "0.0");
  check_parse("000123.4500", 10, 4, "123.4500");
  check_parse(MAX38, 38, 0, MAX38);
  check_parse("-" MAX38, 38, 0, "-" MAX38);
  check_parse("0.00000000000000000000000000000000000001", 38, 38,
              "0.00000000000000000000000000000000000001");
}

static void test_parse_rounding(void **state) {
  (void)state;
  /* Half away from zero, on the exact text (no double rounding). */
  check_parse("12.345", 10, 2, "12.35");
  check_parse("-12.345", 10, 2, "-12.35");
  check_parse("12.3449999", 10, 2, "12.34");
  check_parse("0.5", 5, 0, "1");
  check_parse("-0.5", 5, 0, "-1");
  check_parse("0.4999", 5, 0, "0");
  check_parse("2.5", 5, 0, "3");
  check_parse("0.004", 5, 2, "0.00");
  check_parse("0.005", 5, 2, "0.01");
  check_parse("1e-10", 5, 2, "0.00");
  check_parse("99.95", 4, 1, "100.0");
}

static void test_parse_errors(void **state) {
  (void)state;
  check_parse_fails("abc", 10, 2, "type", "invalid DECIMAL \"abc\"");
  check_parse_fails("", 10, 2, "type", "invalid DECIMAL \"\"");
  check_parse_fails("1.2.3", 10, 2, "type", "invalid DECIMAL \"1.2.3\"");
  check_parse_fails("1e", 10, 2, "type", "invalid DECIMAL \"1e\"");
  check_parse_fails("--1", 10, 2, "type", "invalid DECIMAL \"--1\"");
  check_parse_fails("12 3", 10, 2, "type", "invalid DECIMAL \"12 3\"");
  check_parse_fails("123456", 5, 2, "overflow",
                    "\"123456\" out of range for DECIMAL(5,2)");
  check_parse_fails("999.995", 5, 2, "overflow",
                    "\"999.995\" out of range for DECIMAL(5,2)");
  check_parse_fails("1" MAX38, 38, 0, "overflow",
                    "\"1" MAX38 "\" out of range for DECIMAL(38,0)");
  check_parse_fails("1e38", 38, 0, "overflow",
                    "\"1e38\" out of range for DECIMAL(38,0)");
  check_parse_fails("1e999999999", 38, 0, "overflow",
                    "\"1e999999999\" out of range for DECIMAL(38,0)");
}

static void test_parse_natural(void **state) {
  (void)state;
  sl_int128 v;
  int s;
  sl_error err;
  char buf[SL_DECIMAL_TEXT_MAX];
  assert_int_equal(sl_decimal_parse_natural("1.50", 4, &v, &s, &err), 0);
  assert_int_equal(s, 2);
  assert_string_equal(text_of(v, s, buf), "1.50");
  assert_int_equal(sl_decimal_parse_natural("1e3", 3, &v, &s, &err), 0);
  assert_int_equal(s, 0);
  assert_string_equal(text_of(v, s, buf), "1000");
  assert_int_equal(sl_decimal_parse_natural("-1e-3", 5, &v, &s, &err), 0);
  assert_int_equal(s, 3);
  assert_string_equal(text_of(v, s, buf), "-0.001");

  /* Exact beyond scale 38 only when the extra digits are zeros. */
  const char *z = "0.100000000000000000000000000000000000000000";
  assert_int_equal(sl_decimal_parse_natural(z, strlen(z), &v, &s, &err), 0);
  assert_int_equal(s, 38);
  const char *nz = "0.100000000000000000000000000000000000000001";
  assert_int_equal(sl_decimal_parse_natural(nz, strlen(nz), &v, &s, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
}

static void test_to_text(void **state) {
  (void)state;
  char buf[SL_DECIMAL_TEXT_MAX];
  assert_string_equal(text_of(1230, 2, buf), "12.30");
  assert_string_equal(text_of(-5, 2, buf), "-0.05");
  assert_string_equal(text_of(0, 3, buf), "0.000");
  assert_string_equal(text_of(7, 0, buf), "7");
  assert_string_equal(text_of(-sl_decimal_pow10(38) + 1, 38, buf),
                      "-0." MAX38);
}

static void check_rescale(sl_int128 v, int from, int to, int p,
                          const char *want) {
  sl_int128 r;
  sl_error err;
  char buf[SL_DECIMAL_TEXT_MAX];
  if (sl_decimal_rescale(v, from, to, p, &r, &err) != SL_OK)
    fail_msg("rescale failed: %s", err.message);
  assert_string_equal(text_of(r, to, buf), want);
}

static void test_rescale(void **state) {
  (void)state;
  check_rescale(12345, 3, 2, 10, "12.35");
  check_rescale(-12345, 3, 2, 10, "-12.35");
  check_rescale(12344, 3, 2, 10, "12.34");
  check_rescale(15, 1, 0, 10, "2");
  check_rescale(-15, 1, 0, 10, "-2");
  check_rescale(25, 1, 0, 10, "3");
  check_rescale(5, 0, 3, 10, "5.000");
  check_rescale(149, 2, 0, 10, "1");
  check_rescale(1, 38, 0, 10, "0");

  sl_int128 r;
  sl_error err;
  assert_int_equal(sl_decimal_rescale(99999, 2, 3, 5, &r, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
  assert_string_equal(err.message,
                      "decimal result out of range for DECIMAL(5,3)");
  assert_int_equal(sl_decimal_rescale(9995, 1, 0, 3, &r, &err),
                   SL_ERR_RECORD);
  /* 10^37 at scale 0 cannot gain 2 digits of scale within 38. */
  assert_int_equal(sl_decimal_rescale(sl_decimal_pow10(37), 0, 2, 38, &r,
                                      &err),
                   SL_ERR_RECORD);
}

static void test_result_types(void **state) {
  (void)state;
  int p, s;
  sl_decimal_result_add(10, 2, 8, 4, &p, &s);
  assert_int_equal(p, 13);
  assert_int_equal(s, 4);
  sl_decimal_result_mul(10, 2, 8, 4, &p, &s);
  assert_int_equal(p, 19);
  assert_int_equal(s, 6);
  sl_decimal_result_div(10, 2, 8, 4, &p, &s);
  assert_int_equal(s, 11);
  assert_int_equal(p, 23);
  sl_decimal_result_mod(10, 2, 8, 4, &p, &s);
  assert_int_equal(p, 8);
  assert_int_equal(s, 4);

  /* Bounded at 38: keep integer digits, scale no lower than 6. */
  sl_decimal_result_mul(38, 10, 38, 10, &p, &s);
  assert_int_equal(p, 38);
  assert_int_equal(s, 6);
  sl_decimal_result_add(38, 2, 10, 0, &p, &s);
  assert_int_equal(p, 38);
  assert_int_equal(s, 2);
  sl_decimal_result_div(38, 0, 10, 0, &p, &s);
  assert_int_equal(p, 38);
  assert_int_equal(s, 6);
  sl_decimal_result_mul(20, 2, 10, 1, &p, &s);
  assert_int_equal(p, 31);
  assert_int_equal(s, 3);
  sl_decimal_result_mul(30, 2, 20, 1, &p, &s);
  assert_int_equal(p, 38);
  assert_int_equal(s, 3);
}

typedef sl_status (*decimal_op)(sl_int128, int, sl_int128, int, int, int,
                                sl_int128 *, sl_error *);

/* Parses a and b naturally, applies op at DECIMAL(p,s), compares text. */
static void check_op(decimal_op op, const char *a, const char *b, int p,
                     int s, const char *want) {
  sl_int128 x, y, r;
  int sx, sy;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_decimal_parse_natural(a, strlen(a), &x, &sx, &err), 0);
  assert_int_equal(sl_decimal_parse_natural(b, strlen(b), &y, &sy, &err), 0);
  if (op(x, sx, y, sy, p, s, &r, &err) != SL_OK)
    fail_msg("%s op %s at (%d,%d): %s", a, b, p, s, err.message);
  char buf[SL_DECIMAL_TEXT_MAX];
  if (strcmp(text_of(r, s, buf), want) != 0)
    fail_msg("%s op %s at (%d,%d) = %s, expected %s", a, b, p, s, buf, want);
}

static void check_op_fails(decimal_op op, const char *a, const char *b,
                           int p, int s, const char *reason) {
  sl_int128 x, y, r;
  int sx, sy;
  sl_error err;
  assert_int_equal(sl_decimal_parse_natural(a, strlen(a), &x, &sx, &err), 0);
  assert_int_equal(sl_decimal_parse_natural(b, strlen(b), &y, &sy, &err), 0);
  assert_int_equal(op(x, sx, y, sy, p, s, &r, &err), SL_ERR_RECORD);
  assert_string_equal(err.reason, reason);
}

static void test_add_sub(void **state) {
  (void)state;
  check_op(sl_decimal_add, "1.25", "2.5", 5, 2, "3.75");
  check_op(sl_decimal_add, "1.25", "-2.5", 5, 2, "-1.25");
  check_op(sl_decimal_sub, "1.25", "2.5", 5, 2, "-1.25");
  check_op(sl_decimal_sub, "-1.25", "-1.25", 5, 2, "0.00");
  check_op(sl_decimal_add, "0.005", "0.001", 5, 2, "0.01");
  check_op(sl_decimal_add, "-0.005", "-0.001", 5, 2, "-0.01");
  check_op(sl_decimal_add, "12", "0.3", 5, 2, "12.30");
  check_op(sl_decimal_add, MAX38, "-1", 38, 0,
           "99999999999999999999999999999999999998");
  /* Two operands of 38 digits at different scales. */
  check_op(sl_decimal_add, "9999999999999999999999999999.9999999999",
           "0.00000000000000000000000000000000000001", 38, 10,
           "9999999999999999999999999999.9999999999");
  check_op_fails(sl_decimal_add, MAX38, "1", 38, 0, "overflow");
  check_op_fails(sl_decimal_sub, "-" MAX38, "1", 38, 0, "overflow");
  check_op_fails(sl_decimal_add, "999.99", "0.01", 5, 2, "overflow");
}

static void test_mul(void **state) {
  (void)state;
  check_op(sl_decimal_mul, "1.5", "2.25", 6, 3, "3.375");
  check_op(sl_decimal_mul, "-1.5", "2.25", 6, 3, "-3.375");
  check_op(sl_decimal_mul, "-1.5", "-2.25", 6, 2, "3.38");
  check_op(sl_decimal_mul, "0.5", "0.1", 5, 1, "0.1");
  check_op(sl_decimal_mul, "-0.5", "0.1", 5, 1, "-0.1");
  check_op(sl_decimal_mul, "0", "-3.5", 5, 1, "0.0");
  /* A 256-bit intermediate product that rescales into 38 digits. */
  check_op(sl_decimal_mul, "1234567890123456789.0123456789",
           "1000000000.0000000001", 38, 6,
           "1234567890123456789135802467.912346");
  check_op(sl_decimal_mul, "0.00000000000000000001",
           "0.00000000000000000001", 38, 38,
           "0.00000000000000000000000000000000000000");
  check_op(sl_decimal_mul, "0.00000000000000000005",
           "0.0000000000000000001", 38, 38,
           "0.00000000000000000000000000000000000001");
  check_op_fails(sl_decimal_mul, "10000000000000000000",
                 "10000000000000000000", 38, 0, "overflow");
  check_op_fails(sl_decimal_mul, MAX38, MAX38, 38, 0, "overflow");
}

static void test_div(void **state) {
  (void)state;
  check_op(sl_decimal_div, "1", "3", 10, 6, "0.333333");
  check_op(sl_decimal_div, "2", "3", 10, 6, "0.666667");
  check_op(sl_decimal_div, "-2", "3", 10, 6, "-0.666667");
  check_op(sl_decimal_div, "10.00", "4", 10, 2, "2.50");
  check_op(sl_decimal_div, "1", "8", 10, 2, "0.13");
  check_op(sl_decimal_div, "-1", "8", 10, 2, "-0.13");
  check_op(sl_decimal_div, "7.5", "0.25", 10, 1, "30.0");
  check_op(sl_decimal_div, "0", "7", 10, 2, "0.00");
  /* Results that need the wide path. */
  check_op(sl_decimal_div, MAX38, "3", 38, 0,
           "33333333333333333333333333333333333333");
  check_op(sl_decimal_div, "1", "7", 38, 37,
           "0.1428571428571428571428571428571428571");
  check_op(sl_decimal_div, "0.0000000001", MAX38, 38, 6, "0.000000");
  check_op_fails(sl_decimal_div, "1", "0", 10, 2, "division_by_zero");
  check_op_fails(sl_decimal_div, MAX38, "0.1", 38, 0, "overflow");
  check_op_fails(sl_decimal_div, "1000", "0.001", 6, 0, "overflow");
}

static void test_mod(void **state) {
  (void)state;
  check_op(sl_decimal_mod, "7.5", "2", 5, 1, "1.5");
  check_op(sl_decimal_mod, "-7.5", "2", 5, 1, "-1.5");
  check_op(sl_decimal_mod, "7.5", "-2", 5, 1, "1.5");
  check_op(sl_decimal_mod, "10", "0.3", 5, 1, "0.1");
  check_op_fails(sl_decimal_mod, "1", "0", 5, 1, "division_by_zero");
}

static void test_compare(void **state) {
  (void)state;
  assert_int_equal(sl_decimal_cmp(150, 2, 15, 1), 0);
  assert_int_equal(sl_decimal_cmp(151, 2, 15, 1), 1);
  assert_int_equal(sl_decimal_cmp(-151, 2, -15, 1), -1);
  assert_int_equal(sl_decimal_cmp(-1, 38, 0, 0), -1);
  assert_int_equal(sl_decimal_cmp(sl_decimal_pow10(38) - 1, 0, 1, 38), 1);

  /* The double 0.1 is 0.1000000000000000055..., above DECIMAL 0.1. */
  assert_int_equal(sl_decimal_cmp_double(1, 1, 0.1), -1);
  assert_int_equal(sl_decimal_cmp_double(5, 1, 0.5), 0);
  assert_int_equal(sl_decimal_cmp_double(-5, 1, -0.5), 0);
  assert_int_equal(sl_decimal_cmp_double(3, 0, 3.0000000000000004), -1);
  assert_int_equal(sl_decimal_cmp_double(0, 0, -0.0), 0);
  assert_int_equal(sl_decimal_cmp_double(1, 0, 1e300), -1);
  assert_int_equal(sl_decimal_cmp_double(1, 38, 5e-324), 1);
  assert_int_equal(sl_decimal_cmp_double(9007199254740993, 0,
                                         9007199254740992.0),
                   1);
}

static void test_int64_double_conversions(void **state) {
  (void)state;
  sl_int128 v;
  int64_t i;
  sl_error err;
  char buf[SL_DECIMAL_TEXT_MAX];

  assert_int_equal(sl_decimal_from_int64(-42, 5, 2, &v, &err), 0);
  assert_string_equal(text_of(v, 2, buf), "-42.00");
  assert_int_equal(sl_decimal_from_int64(INT64_MAX, 38, 19, &v, &err), 0);
  assert_string_equal(text_of(v, 19, buf),
                      "9223372036854775807.0000000000000000000");
  assert_int_equal(sl_decimal_from_int64(1000, 5, 2, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
  assert_int_equal(sl_decimal_from_int64(INT64_MAX, 38, 20, &v, &err),
                   SL_ERR_RECORD);

  assert_int_equal(sl_decimal_to_int64(-25, 1, INT64_MIN, INT64_MAX, &i,
                                       &err),
                   0);
  assert_int_equal(i, -3);
  assert_int_equal(sl_decimal_to_int64(24, 1, INT64_MIN, INT64_MAX, &i,
                                       &err),
                   0);
  assert_int_equal(i, 2);
  assert_int_equal(sl_decimal_to_int64(3000000000, 0, INT32_MIN, INT32_MAX,
                                       &i, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");

  assert_true(sl_decimal_to_double(1, 1) == 0.1);
  assert_true(sl_decimal_to_double(-12345, 2) == -123.45);
  assert_true(sl_decimal_to_double(sl_decimal_pow10(38) - 1, 0) == 1e38);
  assert_true(sl_decimal_to_double(1, 38) == 1e-38);

  /* Doubles convert from their exact binary value. */
  assert_int_equal(sl_decimal_from_double(0.125, 10, 2, &v, &err), 0);
  assert_string_equal(text_of(v, 2, buf), "0.13");
  assert_int_equal(sl_decimal_from_double(-0.125, 10, 2, &v, &err), 0);
  assert_string_equal(text_of(v, 2, buf), "-0.13");
  assert_int_equal(sl_decimal_from_double(0.1, 38, 30, &v, &err), 0);
  assert_string_equal(text_of(v, 30, buf),
                      "0.100000000000000005551115123126");
  assert_int_equal(sl_decimal_from_double(2.675, 10, 2, &v, &err), 0);
  assert_string_equal(text_of(v, 2, buf), "2.67"); /* 2.67499999... */
  assert_int_equal(sl_decimal_from_double(1e20, 38, 0, &v, &err), 0);
  assert_string_equal(text_of(v, 0, buf), "100000000000000000000");
  assert_int_equal(sl_decimal_from_double(5e-324, 38, 38, &v, &err), 0);
  assert_string_equal(text_of(v, 38, buf),
                      "0.00000000000000000000000000000000000000");
  assert_int_equal(sl_decimal_from_double(1e38, 38, 0, &v, &err), 0);
  assert_string_equal(text_of(v, 0, buf),
                      "99999999999999997748809823456034029568");
  assert_int_equal(sl_decimal_from_double(1e39, 38, 0, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
  assert_int_equal(sl_decimal_from_double(INFINITY, 38, 0, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
  assert_int_equal(sl_decimal_from_double(NAN, 38, 0, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "type");
}

static void test_exact_double_and_normalize(void **state) {
  (void)state;
  sl_int128 v;
  int s;
  char buf[SL_DECIMAL_TEXT_MAX];
  assert_true(sl_decimal_exact_double(0.5, &v, &s));
  assert_string_equal(text_of(v, s, buf), "0.5");
  assert_true(sl_decimal_exact_double(-3.0, &v, &s));
  assert_string_equal(text_of(v, s, buf), "-3");
  assert_true(sl_decimal_exact_double(0.375, &v, &s));
  assert_string_equal(text_of(v, s, buf), "0.375");
  assert_false(sl_decimal_exact_double(0.1, &v, &s)); /* 55 digits */
  assert_false(sl_decimal_exact_double(1e300, &v, &s));

  v = 150000;
  s = 5;
  sl_decimal_normalize(&v, &s);
  assert_true(v == 15);
  assert_int_equal(s, 1);
  v = 150000;
  s = 4;
  sl_decimal_normalize(&v, &s);
  assert_true(v == 15);
  assert_int_equal(s, 0);
  v = 1000;
  s = 0;
  sl_decimal_normalize(&v, &s);
  assert_true(v == 1000);
  assert_int_equal(s, 0);
  assert_int_equal(sl_decimal_digits(0), 1);
  assert_int_equal(sl_decimal_digits(-999), 3);
  assert_int_equal(sl_decimal_digits(sl_decimal_pow10(38) - 1), 38);
  assert_true(sl_decimal_fits(99999, 5));
  assert_false(sl_decimal_fits(-100000, 5));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_exact),
      cmocka_unit_test(test_parse_rounding),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_parse_natural),
      cmocka_unit_test(test_to_text),
      cmocka_unit_test(test_rescale),
      cmocka_unit_test(test_result_types),
      cmocka_unit_test(test_add_sub),
      cmocka_unit_test(test_mul),
      cmocka_unit_test(test_div),
      cmocka_unit_test(test_mod),
      cmocka_unit_test(test_compare),
      cmocka_unit_test(test_int64_double_conversions),
      cmocka_unit_test(test_exact_double_and_normalize),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
