/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/types/value.c: layout, comparison across kinds,
 * hashing of equal values, deep copies and casts with their errors.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/value.h"

static sl_type *parse(const char *text) {
  sl_type *t = NULL;
  sl_error err;
  if (sl_type_from_sql(text, &t, &err) != SL_OK)
    fail_msg("parsing \"%s\": %s", text, err.message);
  return t;
}

static sl_value str(const char *s) {
  return sl_value_varchar(s, strlen(s));
}

static void test_layout_and_constructors(void **state) {
  (void)state;
  assert_int_equal(sizeof(sl_value), 24);
  sl_value v = sl_value_decimal(-123456789012345678, 3);
  assert_int_equal(v.kind, SL_TYPE_DECIMAL);
  assert_int_equal(v.scale, 3);
  assert_true(sl_value_decimal_get(&v) == -123456789012345678);

  sl_int128 big = -(sl_decimal_pow10(38) - 1);
  v = sl_value_decimal(big, 0);
  assert_true(sl_value_decimal_get(&v) == big);

  assert_true(sl_value_is_null(&(sl_value){0}));
  v = sl_value_null();
  assert_true(sl_value_is_null(&v));
  v = str("héllo");
  assert_int_equal(v.len, 6);
  assert_int_equal(sl_value_int(-7).u.i32, -7);
  assert_int_equal(sl_value_timestamp(1714564800000).u.i64, 1714564800000);
  assert_int_equal(sl_value_date(-1).u.i32, -1);
  assert_int_equal(sl_value_interval(5).kind, SL_TYPE_INTERVAL);
}

static void test_compare_numbers_across_kinds(void **state) {
  (void)state;
  sl_value i3 = sl_value_int(3);
  sl_value b3 = sl_value_bigint(3);
  sl_value d3 = sl_value_decimal(300, 2);
  sl_value f3 = sl_value_double(3.0);
  assert_int_equal(sl_value_compare(&i3, &b3), 0);
  assert_int_equal(sl_value_compare(&b3, &d3), 0);
  assert_int_equal(sl_value_compare(&d3, &f3), 0);
  assert_int_equal(sl_value_compare(&f3, &i3), 0);

  sl_value big = sl_value_bigint(9007199254740993); /* 2^53 + 1 */
  sl_value fbig = sl_value_double(9007199254740992.0);
  assert_int_equal(sl_value_compare(&big, &fbig), 1);
  assert_int_equal(sl_value_compare(&fbig, &big), -1);

  sl_value dec01 = sl_value_decimal(1, 1);
  sl_value f01 = sl_value_double(0.1);
  assert_int_equal(sl_value_compare(&dec01, &f01), -1);
  sl_value half = sl_value_decimal(50, 2);
  sl_value fhalf = sl_value_double(0.5);
  assert_int_equal(sl_value_compare(&half, &fhalf), 0);

  sl_value nan = sl_value_double(NAN);
  sl_value inf = sl_value_double(INFINITY);
  sl_value ninf = sl_value_double(-INFINITY);
  assert_int_equal(sl_value_compare(&nan, &inf), 1);
  assert_int_equal(sl_value_compare(&nan, &nan), 0);
  assert_int_equal(sl_value_compare(&i3, &nan), -1);
  assert_int_equal(sl_value_compare(&i3, &inf), -1);
  assert_int_equal(sl_value_compare(&i3, &ninf), 1);
  sl_value neg = sl_value_int(-4);
  assert_int_equal(sl_value_compare(&neg, &d3), -1);
}

static void test_compare_other_kinds(void **state) {
  (void)state;
  sl_value a = str("abc");
  sl_value ab = str("ab");
  sl_value b = str("b");
  sl_value e = str("é"); /* U+00E9 sorts after ASCII */
  assert_int_equal(sl_value_compare(&ab, &a), -1);
  assert_int_equal(sl_value_compare(&a, &b), -1);
  assert_int_equal(sl_value_compare(&b, &e), -1);

  sl_value f = sl_value_bool(false), t = sl_value_bool(true);
  assert_int_equal(sl_value_compare(&f, &t), -1);

  sl_value day = sl_value_date(19844); /* 2024-05-01 */
  sl_value midnight = sl_value_timestamp(19844 * 86400000LL);
  sl_value noon = sl_value_timestamp(19844 * 86400000LL + 43200000);
  assert_int_equal(sl_value_compare(&day, &midnight), 0);
  assert_int_equal(sl_value_compare(&day, &noon), -1);
  assert_true(sl_value_equal(&day, &midnight));
  assert_int_equal(sl_value_hash(&day), sl_value_hash(&midnight));

  sl_value null = sl_value_null();
  assert_int_equal(sl_value_compare(&null, &a), -1);
  assert_int_equal(sl_value_compare(&a, &null), 1);
  assert_int_equal(sl_value_compare(&null, &null), 0);
  assert_false(sl_value_equal(&null, &null));
  assert_false(sl_value_equal(&null, &a));

  /* Unrelated kinds order by kind and are never equal. */
  sl_value one = sl_value_int(1);
  sl_value s1 = str("1");
  assert_int_equal(sl_value_compare(&one, &s1), -1);
  assert_false(sl_value_equal(&one, &s1));

  sl_value items1[] = {sl_value_int(1), sl_value_null()};
  sl_value items2[] = {sl_value_bigint(1), sl_value_null()};
  sl_value items3[] = {sl_value_int(1), sl_value_int(0)};
  sl_value arr1 = sl_value_composite(SL_TYPE_ARRAY, items1, 2);
  sl_value arr2 = sl_value_composite(SL_TYPE_ARRAY, items2, 2);
  sl_value arr3 = sl_value_composite(SL_TYPE_ARRAY, items3, 2);
  sl_value arr_short = sl_value_composite(SL_TYPE_ARRAY, items1, 1);
  assert_true(sl_value_equal(&arr1, &arr2));
  assert_int_equal(sl_value_hash(&arr1), sl_value_hash(&arr2));
  assert_int_equal(sl_value_compare(&arr1, &arr3), -1);
  assert_int_equal(sl_value_compare(&arr_short, &arr1), -1);
}

static void test_hash_equal_numbers(void **state) {
  (void)state;
  sl_value v[] = {
      sl_value_int(42),
      sl_value_bigint(42),
      sl_value_decimal(42, 0),
      sl_value_decimal(4200, 2),
      sl_value_decimal(42000000000000000, 15),
      sl_value_double(42.0),
  };
  uint64_t h = sl_value_hash(&v[0]);
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    assert_int_equal(sl_value_hash(&v[i]), h);
    assert_true(sl_value_equal(&v[0], &v[i]));
  }

  sl_value half_dec = sl_value_decimal(500, 3);
  sl_value half_dbl = sl_value_double(0.5);
  assert_int_equal(sl_value_hash(&half_dec), sl_value_hash(&half_dbl));
  sl_value zero = sl_value_int(0);
  sl_value nzero = sl_value_double(-0.0);
  sl_value dzero = sl_value_decimal(0, 5);
  assert_int_equal(sl_value_hash(&zero), sl_value_hash(&nzero));
  assert_int_equal(sl_value_hash(&zero), sl_value_hash(&dzero));
  sl_value neg = sl_value_bigint(-1);
  sl_value negd = sl_value_decimal(-10, 1);
  assert_int_equal(sl_value_hash(&neg), sl_value_hash(&negd));
  sl_value nan1 = sl_value_double(NAN);
  sl_value nan2 = sl_value_double(-NAN);
  assert_int_equal(sl_value_hash(&nan1), sl_value_hash(&nan2));

  /* Different values hash differently (these in particular). */
  sl_value i41 = sl_value_int(41);
  sl_value dec01 = sl_value_decimal(1, 1);
  sl_value dbl01 = sl_value_double(0.1);
  sl_value s42 = str("42");
  assert_int_not_equal(sl_value_hash(&i41), h);
  assert_int_not_equal(sl_value_hash(&dec01), sl_value_hash(&dbl01));
  assert_int_not_equal(sl_value_hash(&s42), h);
  sl_value bytes42 = sl_value_bytes("42", 2);
  assert_int_not_equal(sl_value_hash(&s42), sl_value_hash(&bytes42));
}

static void test_copy_is_deep(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  char text[] = "hello";
  char key[] = "k";
  sl_value inner[] = {str(text), sl_value_int(1)};
  sl_value map_items[] = {str(key), sl_value_composite(SL_TYPE_ARRAY,
                                                        inner, 2)};
  sl_value m = sl_value_composite(SL_TYPE_MAP, map_items, 1);

  sl_value c;
  sl_error err;
  assert_int_equal(sl_value_copy(&arena, &m, &c, &err), SL_OK);
  text[0] = 'J';
  key[0] = 'x';
  inner[1] = sl_value_int(99);
  assert_int_equal(c.kind, SL_TYPE_MAP);
  assert_int_equal(c.len, 1);
  assert_memory_equal(c.u.items[0].u.str, "k", 1);
  const sl_value *arr = &c.u.items[1];
  assert_int_equal(arr->len, 2);
  assert_memory_equal(arr->u.items[0].u.str, "hello", 5);
  assert_int_equal(arr->u.items[1].u.i32, 1);

  sl_value empty = sl_value_varchar(NULL, 0);
  assert_int_equal(sl_value_copy(&arena, &empty, &c, &err), SL_OK);
  assert_int_equal(c.len, 0);
  sl_arena_destroy(&arena);
}

/* Casts v to the type spelled to and expects success. */
static sl_value cast_ok(sl_arena *arena, sl_value v, const char *to) {
  sl_type *t = parse(to);
  sl_value out;
  sl_error err;
  sl_error_clear(&err);
  if (sl_value_cast(arena, &v, t, &out, &err) != SL_OK)
    fail_msg("cast to %s failed: %s", to, err.message);
  sl_type_free(t);
  return out;
}

/* Casts v to to and expects a record error with reason and message. */
static void cast_fails(sl_arena *arena, sl_value v, const char *to,
                       const char *reason, const char *message) {
  sl_type *t = parse(to);
  sl_value out;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_value_cast(arena, &v, t, &out, &err), SL_ERR_RECORD);
  assert_string_equal(err.reason, reason);
  assert_string_equal(err.message, message);
  sl_type_free(t);
}

/* The cast result as VARCHAR text, compared with want. */
static void cast_text(sl_arena *arena, sl_value v, const char *to,
                      const char *want) {
  sl_value r = cast_ok(arena, v, to);
  sl_type *t = parse(to);
  sl_value s;
  sl_error err;
  sl_status rc = sl_value_cast_from(arena, &r, t, sl_type_varchar(), &s,
                                    &err);
  sl_type_free(t);
  assert_int_equal(rc, SL_OK);
  assert_int_equal(s.kind, SL_TYPE_VARCHAR);
  if (s.len != strlen(want) || memcmp(s.u.str, want, s.len) != 0)
    fail_msg("cast to %s gave \"%.*s\", expected \"%s\"", to, (int)s.len,
             s.u.str, want);
}

static void test_cast_integers(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  cast_fails(&arena, sl_value_bigint(3000000000), "INT", "overflow",
             "cannot cast BIGINT 3000000000 to INT: out of range");
  cast_fails(&arena, sl_value_bigint(-2147483649), "INT", "overflow",
             "cannot cast BIGINT -2147483649 to INT: out of range");
  assert_int_equal(cast_ok(&arena, sl_value_bigint(-2147483648), "INT")
                       .u.i32,
                   INT32_MIN);
  assert_int_equal(cast_ok(&arena, str(" 42 "), "INT").u.i32, 42);
  assert_int_equal(cast_ok(&arena, str("-2147483648"), "INT").u.i32,
                   INT32_MIN);
  cast_fails(&arena, str("2147483648"), "INT", "overflow",
             "cannot cast VARCHAR \"2147483648\" to INT: out of range");
  cast_fails(&arena, str("abc"), "INT", "type",
             "cannot cast VARCHAR \"abc\" to INT: not an integer");
  cast_fails(&arena, str("12.5"), "BIGINT", "type",
             "cannot cast VARCHAR \"12.5\" to BIGINT: not an integer");
  cast_fails(&arena, str(""), "BIGINT", "type",
             "cannot cast VARCHAR \"\" to BIGINT: not an integer");
  assert_int_equal(cast_ok(&arena, str("-9223372036854775808"), "BIGINT")
                       .u.i64,
                   INT64_MIN);
  cast_fails(&arena, str("9223372036854775808"), "BIGINT", "overflow",
             "cannot cast VARCHAR \"9223372036854775808\" to BIGINT: out "
             "of range");

  /* Half away from zero from DOUBLE and DECIMAL. */
  assert_int_equal(cast_ok(&arena, sl_value_double(2.5), "INT").u.i32, 3);
  assert_int_equal(cast_ok(&arena, sl_value_double(-2.5), "INT").u.i32, -3);
  assert_int_equal(cast_ok(&arena, sl_value_double(2.4999), "INT").u.i32,
                   2);
  assert_int_equal(cast_ok(&arena, sl_value_decimal(-1250, 3), "BIGINT")
                       .u.i64,
                   -1);
  assert_int_equal(cast_ok(&arena, sl_value_decimal(1500, 3), "BIGINT")
                       .u.i64,
                   2);
  cast_fails(&arena, sl_value_double(1e20), "BIGINT", "overflow",
             "cannot cast DOUBLE 1e+20 to BIGINT: out of range");
  cast_fails(&arena, sl_value_double(NAN), "INT", "type",
             "cannot cast DOUBLE NaN to INT");
  cast_fails(&arena, sl_value_decimal(300000000000, 2), "INT", "overflow",
             "cannot cast DECIMAL 3000000000.00 to INT: out of range");
  assert_int_equal(cast_ok(&arena, sl_value_bool(true), "INT").u.i32, 1);
  assert_int_equal(cast_ok(&arena, sl_value_timestamp(1714564800000),
                           "BIGINT").u.i64,
                   1714564800000);
  cast_fails(&arena, sl_value_timestamp(0), "INT", "type",
             "cannot cast TIMESTAMP 1970-01-01 00:00:00.000 to INT");
  sl_arena_destroy(&arena);
}

static void test_cast_double_and_decimal(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value d = cast_ok(&arena, str("1e3"), "DOUBLE");
  assert_true(d.u.f64 == 1000.0);
  d = cast_ok(&arena, str(" -0.25 "), "DOUBLE");
  assert_true(d.u.f64 == -0.25);
  d = cast_ok(&arena, str("Infinity"), "DOUBLE");
  assert_true(isinf(d.u.f64) && d.u.f64 > 0);
  cast_fails(&arena, str("0x10"), "DOUBLE", "type",
             "cannot cast VARCHAR \"0x10\" to DOUBLE: not a number");
  cast_fails(&arena, str("1.5x"), "DOUBLE", "type",
             "cannot cast VARCHAR \"1.5x\" to DOUBLE: not a number");
  cast_fails(&arena, str("1e999"), "DOUBLE", "overflow",
             "cannot cast VARCHAR \"1e999\" to DOUBLE: out of range");
  d = cast_ok(&arena, sl_value_decimal(12345, 2), "DOUBLE");
  assert_true(d.u.f64 == 123.45);
  d = cast_ok(&arena, sl_value_bigint(INT64_MAX), "DOUBLE");
  assert_true(d.u.f64 == 9223372036854775808.0);

  cast_text(&arena, sl_value_decimal(12345, 3), "DECIMAL(5,2)", "12.35");
  cast_text(&arena, sl_value_int(7), "DECIMAL(5,2)", "7.00");
  cast_text(&arena, str("-0.005"), "DECIMAL(5,2)", "-0.01");
  cast_text(&arena, sl_value_double(0.125), "DECIMAL(5,2)", "0.13");
  cast_text(&arena, sl_value_double(0.1), "DECIMAL(20,18)",
            "0.100000000000000006");
  cast_fails(&arena, sl_value_decimal(12345, 1), "DECIMAL(5,2)", "overflow",
             "cannot cast DECIMAL 1234.5 to DECIMAL(5,2): out of range");
  cast_fails(&arena, sl_value_int(1000), "DECIMAL(5,2)", "overflow",
             "cannot cast INT 1000 to DECIMAL(5,2): out of range");
  cast_fails(&arena, str("12,5"), "DECIMAL(5,2)", "type",
             "cannot cast VARCHAR \"12,5\" to DECIMAL(5,2): not a number");
  cast_fails(&arena, sl_value_double(INFINITY), "DECIMAL(5,2)", "overflow",
             "cannot cast DOUBLE Infinity to DECIMAL(5,2): out of range");
  cast_fails(&arena, sl_value_bool(true), "DECIMAL(5,2)", "type",
             "cannot cast BOOLEAN true to DECIMAL(5,2)");
  sl_arena_destroy(&arena);
}

static void test_cast_text_forms(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  cast_text(&arena, sl_value_int(-42), "VARCHAR", "-42");
  cast_text(&arena, sl_value_double(0.1), "VARCHAR", "0.1");
  cast_text(&arena, sl_value_double(3.0), "VARCHAR", "3");
  cast_text(&arena, sl_value_bool(false), "VARCHAR", "false");
  cast_text(&arena, sl_value_decimal(-5, 2), "VARCHAR", "-0.05");
  cast_text(&arena, sl_value_timestamp(1714564800123), "VARCHAR",
            "2024-05-01 12:00:00.123");
  cast_text(&arena, sl_value_date(-1), "VARCHAR", "1969-12-31");
  cast_text(&arena, sl_value_interval(93784005), "VARCHAR",
            "1 days 02:03:04.005");

  /* VARCHAR and BYTES convert both ways through UTF-8 bytes. */
  sl_value b = cast_ok(&arena, str("hé"), "BYTES");
  assert_int_equal(b.kind, SL_TYPE_BYTES);
  assert_int_equal(b.len, 3);
  sl_value s = cast_ok(&arena, b, "VARCHAR");
  assert_int_equal(s.kind, SL_TYPE_VARCHAR);
  assert_memory_equal(s.u.str, "hé", 3);
  cast_fails(&arena, sl_value_bytes("\xff\xfe", 2), "VARCHAR", "type",
             "cannot cast BYTES of 2 bytes to VARCHAR: not valid UTF-8");

  assert_true(cast_ok(&arena, str(" TRUE "), "BOOLEAN").u.b);
  assert_false(cast_ok(&arena, str("off"), "BOOLEAN").u.b);
  assert_true(cast_ok(&arena, str("1"), "BOOLEAN").u.b);
  assert_true(cast_ok(&arena, sl_value_bigint(-3), "BOOLEAN").u.b);
  cast_fails(&arena, str("maybe"), "BOOLEAN", "type",
             "cannot cast VARCHAR \"maybe\" to BOOLEAN: expected true or "
             "false");

  /* NULL casts to NULL of any type. */
  sl_value n = cast_ok(&arena, sl_value_null(), "DECIMAL(5,2)");
  assert_true(sl_value_is_null(&n));
  sl_arena_destroy(&arena);
}

static void test_cast_time(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value t = cast_ok(&arena, str("2024-05-01T14:00:00+02:00"),
                       "TIMESTAMP");
  assert_int_equal(t.u.i64, 1714564800000);
  t = cast_ok(&arena, sl_value_date(19844), "TIMESTAMP");
  assert_int_equal(t.u.i64, 19844 * 86400000LL);
  t = cast_ok(&arena, sl_value_bigint(-1), "TIMESTAMP");
  assert_int_equal(t.u.i64, -1);
  sl_value d = cast_ok(&arena, sl_value_timestamp(-1), "DATE");
  assert_int_equal(d.u.i32, -1);
  d = cast_ok(&arena, str("2000-02-29"), "DATE");
  assert_int_equal(d.u.i32, 11016);
  d = cast_ok(&arena, str("2024-05-01 23:59:59"), "DATE");
  assert_int_equal(d.u.i32, 19844);
  cast_fails(&arena, str("1900-02-29"), "DATE", "type",
             "cannot cast VARCHAR \"1900-02-29\" to DATE: expected "
             "YYYY-MM-DD");
  cast_fails(&arena, str("yesterday"), "TIMESTAMP", "type",
             "cannot cast VARCHAR \"yesterday\" to TIMESTAMP: expected "
             "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm]");

  sl_value i = cast_ok(&arena, str("1 days 02:00:00.000"), "INTERVAL");
  assert_int_equal(i.u.i64, 93600000);
  i = cast_ok(&arena, str("-1 days -02:00:00.000"), "INTERVAL");
  assert_int_equal(i.u.i64, -93600000);
  i = cast_ok(&arena, str("-00:00:01.5"), "INTERVAL");
  assert_int_equal(i.u.i64, -1500);
  i = cast_ok(&arena, str("3 days"), "INTERVAL");
  assert_int_equal(i.u.i64, 3 * 86400000LL);
  i = cast_ok(&arena, str("1 day 00:00:01"), "INTERVAL");
  assert_int_equal(i.u.i64, 86401000);
  i = cast_ok(&arena, sl_value_int(250), "INTERVAL");
  assert_int_equal(i.u.i64, 250);
  cast_fails(&arena, str("soon"), "INTERVAL", "type",
             "cannot cast VARCHAR \"soon\" to INTERVAL: expected [N days "
             "]HH:MM:SS[.fff]");
  cast_fails(&arena, str("00:61:00"), "INTERVAL", "type",
             "cannot cast VARCHAR \"00:61:00\" to INTERVAL: expected [N "
             "days ]HH:MM:SS[.fff]");
  cast_fails(&arena, sl_value_double(1.0), "DATE", "type",
             "cannot cast DOUBLE 1 to DATE");
  sl_arena_destroy(&arena);
}

static void test_cast_composites(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value items[] = {sl_value_int(1), sl_value_null(), sl_value_int(3)};
  sl_value arr = sl_value_composite(SL_TYPE_ARRAY, items, 3);
  cast_text(&arena, arr, "ARRAY<VARCHAR>", "[\"1\",null,\"3\"]");
  cast_text(&arena, arr, "ARRAY<DECIMAL(3,1)>", "[1.0,null,3.0]");

  sl_value big[] = {sl_value_bigint(1), sl_value_bigint(3000000000)};
  sl_value barr = sl_value_composite(SL_TYPE_ARRAY, big, 2);
  cast_fails(&arena, barr, "ARRAY<INT>", "overflow",
             "cannot cast BIGINT 3000000000 to INT: out of range");

  sl_value kv[] = {str("a"), sl_value_double(1.5)};
  sl_value m = sl_value_composite(SL_TYPE_MAP, kv, 1);
  cast_text(&arena, m, "MAP<VARCHAR, DECIMAL(4,2)>", "{\"a\":1.50}");

  sl_value fields[] = {sl_value_int(7), str("x")};
  sl_value st = sl_value_composite(SL_TYPE_STRUCT, fields, 2);
  cast_text(&arena, st, "STRUCT<id BIGINT, name VARCHAR>",
            "{\"id\":7,\"name\":\"x\"}");
  cast_fails(&arena, st, "STRUCT<id BIGINT>", "type",
             "cannot cast STRUCT to STRUCT<id BIGINT>: different number of "
             "fields");
  cast_fails(&arena, arr, "MAP<VARCHAR, INT>", "type",
             "cannot cast ARRAY to MAP<VARCHAR, INT>");

  /* With the source type known, STRUCT text has its names. */
  sl_type *from = parse("STRUCT<k INT, v VARCHAR>");
  sl_value out;
  sl_error err;
  assert_int_equal(sl_value_cast_from(&arena, &st, from, sl_type_varchar(),
                                      &out, &err),
                   SL_OK);
  assert_int_equal(out.len, strlen("{\"k\":7,\"v\":\"x\"}"));
  assert_memory_equal(out.u.str, "{\"k\":7,\"v\":\"x\"}", out.len);
  assert_int_equal(sl_value_cast(&arena, &st, sl_type_varchar(), &out,
                                 &err),
                   SL_OK);
  assert_memory_equal(out.u.str, "{\"f1\":7,\"f2\":\"x\"}", out.len);
  sl_type_free(from);
  sl_arena_destroy(&arena);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_layout_and_constructors),
      cmocka_unit_test(test_compare_numbers_across_kinds),
      cmocka_unit_test(test_compare_other_kinds),
      cmocka_unit_test(test_hash_equal_numbers),
      cmocka_unit_test(test_copy_is_deep),
      cmocka_unit_test(test_cast_integers),
      cmocka_unit_test(test_cast_double_and_decimal),
      cmocka_unit_test(test_cast_text_forms),
      cmocka_unit_test(test_cast_time),
      cmocka_unit_test(test_cast_composites),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
