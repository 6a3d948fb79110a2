/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the NULL functions, GEO_DISTANCE, hashing and privacy
 * (HASH pinned to its documented encoding, SHA256, HMAC_SHA256, MASK),
 * collections and the JSON functions.
 *
 * The pinned HASH values were computed with xxHash's XXH64 (seed 0) over
 * byte strings written out by hand from the encoding that
 * builtins_misc.c documents; the digests and distances with Python's
 * hashlib, hmac and math.
 */
#include "test_functions.h"

#include <math.h>

static sl_value array_of(sl_value *items, uint32_t n) {
  sl_value v;
  memset(&v, 0, sizeof(v));
  v.kind = SL_TYPE_ARRAY;
  v.len = n;
  v.u.items = items;
  return v;
}

static void test_null_functions(void **state) {
  (void)state;
  sl_value a[3] = {sl_value_null(), vs("b"), vs("c")};
  assert_varchar(fn_call("coalesce", 3, a), "b");
  a[1] = sl_value_null();
  assert_varchar(fn_call("coalesce", 3, a), "c");
  assert_null_result(fn_call("coalesce", 2, a));
  sl_value mixed[2] = {sl_value_null(), sl_value_int(1)};
  assert_int_result(fn_call("coalesce", 2, mixed), 1);
  sl_value num[2] = {sl_value_int(2), sl_value_double(0.5)};
  fn_result r = fn_call("coalesce", 2, num);
  assert_string_equal(r.type, "DOUBLE");
  assert_double_result(r, 2.0, 0);

  sl_value i[2] = {sl_value_null(), sl_value_int(0)};
  assert_int_result(fn_call("ifnull", 2, i), 0);
  i[0] = sl_value_int(5);
  assert_int_result(fn_call("ifnull", 2, i), 5);

  sl_value n[2] = {sl_value_int(0), sl_value_int(0)};
  assert_null_result(fn_call("nullif", 2, n));
  n[0] = sl_value_int(1);
  assert_int_result(fn_call("nullif", 2, n), 1);
  n[1] = sl_value_null();
  assert_int_result(fn_call("nullif", 2, n), 1);
  n[0] = sl_value_null();
  n[1] = sl_value_int(1);
  assert_null_result(fn_call("nullif", 2, n));
  sl_value s[2] = {vs("x"), vs("x")};
  assert_null_result(fn_call("nullif", 2, s));
  fn_reset();
}

static void test_geo_distance(void **state) {
  (void)state;
  sl_value a[5] = {sl_value_double(52.52), sl_value_double(13.405),
                   sl_value_double(48.8566), sl_value_double(2.3522),
                   vs("mi")};
  assert_double_result(fn_call("geo_distance", 4, a), 877.4633259175431,
                       1e-9);
  assert_double_result(fn_call("geo_distance", 5, a), 545.2304329699201,
                       1e-9);
  a[4] = vs("KM");
  assert_double_result(fn_call("geo_distance", 5, a), 877.4633259175431,
                       1e-9);
  sl_value b[4] = {sl_value_int(0), sl_value_int(0), sl_value_int(0),
                   sl_value_int(180)};
  assert_double_result(fn_call("geo_distance", 4, b), 20015.086796020572,
                       1e-9);
  sl_value c[4] = {sl_value_double(40.7128), sl_value_double(-74.0060),
                   sl_value_double(-33.8688), sl_value_double(151.2093)};
  assert_double_result(fn_call("geo_distance", 4, c), 15988.755507039632,
                       1e-9);
  b[3] = sl_value_int(0);
  assert_double_result(fn_call("geo_distance", 4, b), 0.0, 0);

  b[2] = sl_value_int(91);
  assert_row_error(fn_call("geo_distance", 4, b), "type",
                   "geo_distance: latitude 91 is outside [-90, 90]");
  b[2] = sl_value_int(0);
  b[1] = sl_value_double(-180.5);
  assert_row_error(fn_call("geo_distance", 4, b), "type",
                   "geo_distance: longitude -180.5 is outside [-180, 180]");
  b[1] = sl_value_double(NAN);
  assert_row_error(fn_call("geo_distance", 4, b), "type",
                   "geo_distance: longitude nan is outside [-180, 180]");
  a[4] = vs("yd");
  assert_string_equal(fn_prepare_error("geo_distance", 5, a),
                      "geo_distance: unknown unit \"yd\"; expected 'km' or "
                      "'mi'");
  assert_row_error(fn_call_varying("geo_distance", 5, a), "type",
                   "geo_distance: unknown unit \"yd\"; expected 'km' or "
                   "'mi'");
  a[0] = sl_value_null();
  assert_null_result(fn_call("geo_distance", 4, a));
  fn_reset();
}

static void test_hash_is_pinned(void **state) {
  (void)state;
  sl_value a[1];
  a[0] = vs("abc");
  assert_bigint_result(fn_call("hash", 1, a), 4952883123889572249);
  a[0] = vs("");
  assert_bigint_result(fn_call("hash", 1, a), -1205034819632174695);
  a[0] = sl_value_bytes("abc", 3);
  assert_bigint_result(fn_call("hash", 1, a), 4952883123889572249);
  a[0] = sl_value_int(5);
  assert_bigint_result(fn_call("hash", 1, a), -8521361153450682051);
  a[0] = sl_value_bigint(5);
  assert_bigint_result(fn_call("hash", 1, a), -8521361153450682051);
  a[0] = sl_value_int(-1);
  assert_bigint_result(fn_call("hash", 1, a), -8804195676797548855);
  a[0] = sl_value_double(0.0);
  assert_bigint_result(fn_call("hash", 1, a), 3803688792395291579);
  a[0] = sl_value_double(-0.0);
  assert_bigint_result(fn_call("hash", 1, a), 3803688792395291579);
  a[0] = sl_value_double(1.5);
  assert_bigint_result(fn_call("hash", 1, a), 5329932555030153977);
  a[0] = sl_value_bool(true);
  assert_bigint_result(fn_call("hash", 1, a), -8484456787529832656);
  /* 1.5 and 1.50 are the same number. */
  a[0] = sl_value_decimal(15, 1);
  assert_bigint_result(fn_call("hash", 1, a), -5311821714918005874);
  a[0] = sl_value_decimal(1500, 3);
  assert_bigint_result(fn_call("hash", 1, a), -5311821714918005874);
  a[0] = sl_value_date(19844);
  assert_bigint_result(fn_call("hash", 1, a), -2157909227312541724);
  a[0] = sl_value_timestamp(5);
  assert_bigint_result(fn_call("hash", 1, a), -8521361153450682051);

  sl_value items[2] = {sl_value_int(1), sl_value_null()};
  sl_type *arr = sl_type_new_array(sl_type_int());
  sl_type *types[1] = {arr};
  a[0] = array_of(items, 2);
  assert_bigint_result(fn_call_typed("hash", 1, a, types),
                       -7993750938922765645);
  sl_type_free(arr);
  sl_value strs[1] = {vs("ab")};
  arr = sl_type_new_array(sl_type_varchar());
  types[0] = arr;
  a[0] = array_of(strs, 1);
  assert_bigint_result(fn_call_typed("hash", 1, a, types),
                       527400899856200360);
  sl_type_free(arr);

  a[0] = sl_value_null();
  assert_null_result(fn_call("hash", 1, a));
  fn_reset();
}

static void test_sha256_hmac(void **state) {
  (void)state;
  sl_value a[2] = {vs("abc"), vs("key")};
  assert_varchar(fn_call("sha256", 1, a),
                 "ba7816bf8f01cfea414140de5dae2223"
                 "b00361a396177a9cb410ff61f20015ad");
  a[0] = vs("");
  assert_varchar(fn_call("sha256", 1, a),
                 "e3b0c44298fc1c149afbf4c8996fb924"
                 "27ae41e4649b934ca495991b7852b855");
  a[0] = vs("héllo");
  assert_varchar(fn_call("sha256", 1, a),
                 "3c48591d8d098a4538f5e013dfcf406e"
                 "948eac4d3277b10bf614e295d6068179");
  a[0] = sl_value_bytes("\x00\xff", 2);
  assert_varchar(fn_call("sha256", 1, a),
                 "06eb7d6a69ee19e5fbdf749018d3d2ab"
                 "fa04bcbd1365db312eb86dc7169389b8");
  a[0] = sl_value_null();
  assert_null_result(fn_call("sha256", 1, a));

  a[0] = vs("data");
  assert_varchar(fn_call("hmac_sha256", 2, a),
                 "5031fe3d989c6d1537a013fa6e739da2"
                 "3463fdaec3b70137d828e36ace221bd0");
  a[0] = vs("");
  a[1] = vs("");
  assert_varchar(fn_call("hmac_sha256", 2, a),
                 "b613679a0814d9ec772f95d778c35fc5"
                 "ff1697c493715653c6c712144292c5ad");
  a[1] = sl_value_null();
  assert_null_result(fn_call("hmac_sha256", 2, a));
  fn_reset();
}

static void test_mask(void **state) {
  (void)state;
  sl_value a[2] = {vs("4111111111111111"), sl_value_int(2)};
  assert_varchar(fn_call("mask", 1, a), "XXXXXXXXXXXX1111");
  a[0] = vs("héllo");
  assert_varchar(fn_call("mask", 2, a), "XXXlo");
  a[0] = vs("søren");
  a[1] = sl_value_int(3);
  assert_varchar(fn_call("mask", 2, a), "XXren");
  a[1] = sl_value_int(1);
  assert_varchar(fn_call("mask", 2, a), "XXXXn");
  a[0] = vs("abc");
  a[1] = sl_value_int(10);
  assert_varchar(fn_call("mask", 2, a), "abc");
  a[1] = sl_value_int(0);
  assert_varchar(fn_call("mask", 2, a), "XXX");
  a[0] = vs("");
  assert_varchar(fn_call("mask", 1, a), "");
  a[0] = vs("abc");
  a[1] = sl_value_int(-1);
  assert_row_error(fn_call("mask", 2, a), "type",
                   "mask: keep_last must not be negative, got -1");
  a[1] = sl_value_null();
  assert_null_result(fn_call("mask", 2, a));
  fn_reset();
}

static void test_collections(void **state) {
  (void)state;
  sl_value items[3] = {sl_value_int(1), sl_value_int(2), sl_value_int(3)};
  sl_type *arr_int = sl_type_new_array(sl_type_int());
  sl_type *t1[1] = {arr_int};
  sl_value a[2] = {array_of(items, 3)};
  assert_int_result(fn_call_typed("array_length", 1, a, t1), 3);
  a[0] = array_of(items, 0);
  assert_int_result(fn_call_typed("array_length", 1, a, t1), 0);
  a[0] = sl_value_null();
  assert_null_result(fn_call_typed("array_length", 1, a, t1));

  sl_type *t2[2] = {arr_int, sl_type_int()};
  a[0] = array_of(items, 3);
  a[1] = sl_value_int(2);
  assert_bool_result(fn_call_typed("array_contains", 2, a, t2), true);
  a[1] = sl_value_int(5);
  assert_bool_result(fn_call_typed("array_contains", 2, a, t2), false);
  a[1] = sl_value_null();
  assert_null_result(fn_call_typed("array_contains", 2, a, t2));
  /* A NULL element might have been x. */
  sl_value with_null[2] = {sl_value_int(1), sl_value_null()};
  a[0] = array_of(with_null, 2);
  a[1] = sl_value_int(5);
  assert_null_result(fn_call_typed("array_contains", 2, a, t2));
  a[1] = sl_value_int(1);
  assert_bool_result(fn_call_typed("array_contains", 2, a, t2), true);
  /* The array widens to the element's common type with x. */
  sl_type *t3[2] = {arr_int, sl_type_double()};
  a[0] = array_of(items, 3);
  a[1] = sl_value_double(3.0);
  fn_result r = fn_call_typed("array_contains", 2, a, t3);
  assert_bool_result(r, true);
  sl_type_free(arr_int);

  sl_value kv[4] = {vs("a"), sl_value_int(1), vs("b"), sl_value_int(2)};
  sl_value m;
  memset(&m, 0, sizeof(m));
  m.kind = SL_TYPE_MAP;
  m.len = 2;
  m.u.items = kv;
  sl_type *map = sl_type_new_map(sl_type_int());
  sl_type *tm[1] = {map};
  sl_value ma[1] = {m};
  r = fn_call_typed("map_keys", 1, ma, tm);
  assert_string_equal(r.type, "ARRAY<VARCHAR>");
  sl_type *arr_v = sl_type_new_array(sl_type_varchar());
  assert_string_equal(fn_text(r, arr_v), "[\"a\",\"b\"]");
  ma[0].len = 0;
  assert_string_equal(fn_text(fn_call_typed("map_keys", 1, ma, tm), arr_v),
                      "[]");
  ma[0] = sl_value_null();
  assert_null_result(fn_call_typed("map_keys", 1, ma, tm));
  sl_type_free(arr_v);
  sl_type_free(map);
  fn_reset();
}

static fn_result jv(const char *doc, const char *path) {
  sl_value a[2] = {vs(doc), vs(path)};
  return fn_call("json_value", 2, a);
}

static void test_json_value(void **state) {
  (void)state;
  const char *doc = "{\"a\": {\"b\": [7, 8]}, \"s\": \"x\\\"y\\u00e9"
                    "\\ud83d\\ude00\", \"t\": true, \"n\": null, "
                    "\"f\": -1.5e3, \"a.b\": 1, \"e\": \"\"}";
  assert_varchar(jv(doc, "$.a.b[1]"), "8");
  assert_varchar(jv(doc, "$.a.b[0]"), "7");
  assert_varchar(jv(doc, "$.s"), "x\"yé😀");
  assert_varchar(jv(doc, "$.t"), "true");
  assert_varchar(jv(doc, "$.f"), "-1.5e3");
  assert_varchar(jv(doc, "$.\"a.b\""), "1");
  assert_varchar(jv(doc, "$['a.b']"), "1");
  assert_varchar(jv(doc, "$[\"a\"].b[1]"), "8");
  assert_varchar(jv(doc, "$.e"), "");
  assert_null_result(jv(doc, "$.n"));
  assert_null_result(jv(doc, "$.a"));
  assert_null_result(jv(doc, "$.a.b"));
  assert_null_result(jv(doc, "$.a.b[2]"));
  assert_null_result(jv(doc, "$.missing"));
  assert_null_result(jv(doc, "$.a.c"));
  assert_null_result(jv(doc, "$[0]"));
  assert_varchar(jv("42", "$"), "42");
  assert_varchar(jv(" [\"x\", {\"k\": false}] ", "$[1].k"), "false");
  /* Escaped member names match their meaning; the first duplicate wins. */
  assert_varchar(jv("{\"\\u0061\": 5}", "$.a"), "5");
  assert_varchar(jv("{\"k\": 1, \"k\": 2}", "$.k"), "1");
  assert_varchar(jv("{\"ключ\": \"значение\"}", "$.ключ"), "значение");

  /* Not JSON: NULL (NULL ON ERROR). */
  assert_null_result(jv("{\"a\": 1", "$.a"));
  assert_null_result(jv("{\"a\": 1} x", "$.a"));
  assert_null_result(jv("{'a': 1}", "$.a"));
  assert_null_result(jv("{\"a\": 01}", "$.a"));
  assert_null_result(jv("{\"a\": \"\\x\"}", "$.a"));
  assert_null_result(jv("", "$"));
  char deep[1300];
  memset(deep, '[', 600);
  memset(deep + 600, ']', 600);
  deep[1200] = '\0';
  assert_null_result(jv(deep, "$"));

  /* A malformed path is an error. */
  sl_value a[2] = {vs("{}"), vs("a.b")};
  assert_string_equal(fn_prepare_error("json_value", 2, a),
                      "json_value: invalid JSON path \"a.b\": a path starts "
                      "with '$' at offset 0");
  assert_row_error(fn_call_varying("json_value", 2, a), "type",
                   "json_value: invalid JSON path \"a.b\": a path starts "
                   "with '$' at offset 0");
  a[1] = vs("$.a[");
  assert_string_equal(fn_prepare_error("json_value", 2, a),
                      "json_value: invalid JSON path \"$.a[\": expected an "
                      "array index or a quoted name in [] at offset 4");
  a[1] = vs("$.a[1");
  assert_string_equal(fn_prepare_error("json_value", 2, a),
                      "json_value: invalid JSON path \"$.a[1\": expected ']' "
                      "at offset 5");
  a[1] = vs("$..a");
  assert_string_equal(fn_prepare_error("json_value", 2, a),
                      "json_value: invalid JSON path \"$..a\": expected a "
                      "member name after '.' at offset 2");
  a[1] = vs("$a");
  assert_string_equal(fn_prepare_error("json_value", 2, a),
                      "json_value: invalid JSON path \"$a\": expected '.' or "
                      "'[' at offset 1");
  a[1] = sl_value_null();
  assert_null_result(fn_call("json_value", 2, a));
  fn_reset();
}

static void test_json_array_length_and_to_json(void **state) {
  (void)state;
  sl_value a[1] = {vs("[1, [2, 3], {}]")};
  assert_int_result(fn_call("json_array_length", 1, a), 3);
  a[0] = vs(" [] ");
  assert_int_result(fn_call("json_array_length", 1, a), 0);
  a[0] = vs("[\"a,b\", \"]\"]");
  assert_int_result(fn_call("json_array_length", 1, a), 2);
  a[0] = vs("{}");
  assert_null_result(fn_call("json_array_length", 1, a));
  a[0] = vs("[1,");
  assert_null_result(fn_call("json_array_length", 1, a));
  a[0] = sl_value_null();
  assert_null_result(fn_call("json_array_length", 1, a));

  sl_value items[2] = {sl_value_int(1), sl_value_int(2)};
  sl_type *arr = sl_type_new_array(sl_type_int());
  sl_type *t[1] = {arr};
  a[0] = array_of(items, 2);
  assert_varchar(fn_call_typed("to_json", 1, a, t), "[1,2]");
  sl_type_free(arr);
  a[0] = sl_value_timestamp(1714564800123);
  assert_varchar(fn_call("to_json", 1, a), "\"2024-05-01T12:00:00.123Z\"");
  a[0] = vs("a\"b\n");
  assert_varchar(fn_call("to_json", 1, a), "\"a\\\"b\\n\"");
  a[0] = sl_value_decimal(1230, 2);
  assert_varchar(fn_call("to_json", 1, a), "12.30");
  a[0] = sl_value_bool(false);
  assert_varchar(fn_call("to_json", 1, a), "false");
  a[0] = sl_value_null();
  assert_null_result(fn_call("to_json", 1, a));
  fn_reset();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_null_functions),
    cmocka_unit_test(test_geo_distance),
    cmocka_unit_test(test_hash_is_pinned),
    cmocka_unit_test(test_sha256_hmac),
    cmocka_unit_test(test_mask),
    cmocka_unit_test(test_collections),
    cmocka_unit_test(test_json_value),
    cmocka_unit_test(test_json_array_length_and_to_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
