/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/types/format.c and strbuf.c: shortest doubles,
 * time texts, base64, CSV quoting, JSON escaping and value rendering.
 */
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/format.h"

static void check_double(double d, const char *want) {
  char buf[SL_FORMAT_DOUBLE_MAX];
  size_t n = sl_format_double(d, buf);
  assert_int_equal(n, strlen(buf));
  if (strcmp(buf, want) != 0)
    fail_msg("double %.17g printed as %s, expected %s", d, buf, want);
  if (isfinite(d))
    assert_true(strtod(buf, NULL) == d);
}

static void test_double_shortest(void **state) {
  (void)state;
  check_double(0.1, "0.1");
  check_double(1e300, "1e+300");
  check_double(1 / 3.0, "0.3333333333333333");
  check_double(2 / 3.0, "0.6666666666666666");
  check_double(-0.0, "-0");
  check_double(0.0, "0");
  check_double(5e-324, "5e-324");
  check_double(1.5e-323, "1.5e-323");
  check_double(3.0, "3");
  check_double(-42.5, "-42.5");
  check_double(0.1 + 0.2, "0.30000000000000004");
  check_double(1e15, "1e+15");
  check_double(123456789012345.0, "123456789012345");
  check_double(1e-5, "1e-05");
  check_double(DBL_MAX, "1.7976931348623157e+308");
  check_double(DBL_MIN, "2.2250738585072014e-308");
  check_double(9007199254740993.0, "9007199254740992");
  check_double(INFINITY, "Infinity");
  check_double(-INFINITY, "-Infinity");
  check_double(NAN, "NaN");
}

static void check_ts(int64_t ms, bool iso, const char *want) {
  char buf[SL_FORMAT_TIME_MAX];
  size_t n = sl_format_timestamp(ms, iso, buf);
  assert_int_equal(n, strlen(want));
  assert_string_equal(buf, want);
}

static void check_interval(int64_t ms, const char *want) {
  char buf[SL_FORMAT_TIME_MAX];
  size_t n = sl_format_interval(ms, buf);
  assert_int_equal(n, strlen(want));
  assert_string_equal(buf, want);
}

static void test_time_texts(void **state) {
  (void)state;
  check_ts(0, false, "1970-01-01 00:00:00.000");
  check_ts(-1, false, "1969-12-31 23:59:59.999");
  check_ts(1714564800123, false, "2024-05-01 12:00:00.123");
  check_ts(1714564800123, true, "2024-05-01T12:00:00.123Z");
  check_ts(951782400000, true, "2000-02-29T00:00:00.000Z");
  check_ts(-2208988800000, false, "1900-01-01 00:00:00.000");
  check_ts(253402300800000, false, "10000-01-01 00:00:00.000");
  check_ts(-62167219200000, false, "0000-01-01 00:00:00.000");
  check_ts(-62167219200001, false, "-0001-12-31 23:59:59.999");

  char buf[SL_FORMAT_TIME_MAX];
  assert_int_equal(sl_format_date(11016, buf), 10);
  assert_string_equal(buf, "2000-02-29");
  sl_format_date(-25567, buf);
  assert_string_equal(buf, "1900-01-01");
  sl_format_date(-1, buf);
  assert_string_equal(buf, "1969-12-31");

  check_interval(0, "00:00:00.000");
  check_interval(1500, "00:00:01.500");
  check_interval(93784005, "1 days 02:03:04.005");
  check_interval(2 * 86400000LL, "2 days 00:00:00.000");
  check_interval(-93600000, "-1 days -02:00:00.000");
  check_interval(-86400000, "-1 days 00:00:00.000");
  check_interval(-1500, "-00:00:01.500");
  check_interval(INT64_MIN, "-106751991167 days -07:12:55.808");
}

static void check_b64(const char *raw, size_t len, const char *want) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_format_base64(&sb, raw, len), SL_OK);
  assert_int_equal(sb.len, strlen(want));
  assert_memory_equal(sb.data, want, sb.len);

  unsigned char back[64];
  size_t n = 0;
  assert_true(sl_format_base64_decode(sb.data, sb.len, back, &n));
  assert_int_equal(n, len);
  if (len)
    assert_memory_equal(back, raw, len);
  sl_strbuf_free(&sb);
}

static void test_base64(void **state) {
  (void)state;
  check_b64("", 0, "");
  check_b64("f", 1, "Zg==");
  check_b64("fo", 2, "Zm8=");
  check_b64("foo", 3, "Zm9v");
  check_b64("foobar", 6, "Zm9vYmFy");
  check_b64("\x00\xff\xfe", 3, "AP/+");

  unsigned char out[16];
  size_t n;
  assert_true(sl_format_base64_decode("Zm8", 3, out, &n));
  assert_int_equal(n, 2);
  assert_memory_equal(out, "fo", 2);
  assert_false(sl_format_base64_decode("Z", 1, out, &n));
  assert_false(sl_format_base64_decode("Zh==", 4, out, &n));
  assert_false(sl_format_base64_decode("@@@@", 4, out, &n));
  assert_false(sl_format_base64_decode("Zm9v=", 5, out, &n));
}

/* Appends the CSV form of s and compares. */
static void check_csv(const char *s, char delim, const char *want) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_format_csv_string(&sb, s, strlen(s), delim), SL_OK);
  assert_string_equal(sb.data, want);
  sl_strbuf_free(&sb);
}

static void test_csv_quoting(void **state) {
  (void)state;
  check_csv("abc", ',', "abc");
  check_csv("a,b", ',', "\"a,b\"");
  check_csv("say \"hi\"", ',', "\"say \"\"hi\"\"\"");
  check_csv("\"", ',', "\"\"\"\"");
  check_csv("line\nbreak", ',', "\"line\nbreak\"");
  check_csv("cr\r", ',', "\"cr\r\"");
  check_csv("", ',', "\"\"");
  check_csv(" padded ", ',', " padded ");
  check_csv("a,b", ';', "a,b");
  check_csv("a;b", ';', "\"a;b\"");

  sl_strbuf sb = SL_STRBUF_INIT;
  sl_value null = sl_value_null();
  assert_int_equal(sl_format_csv_field(&sb, &null, NULL, ','), SL_OK);
  assert_int_equal(sb.len, 0);
  sl_value d = sl_value_double(0.1);
  sl_format_csv_field(&sb, &d, NULL, ',');
  sl_strbuf_appendc(&sb, ',');
  sl_value ts = sl_value_timestamp(0);
  sl_format_csv_field(&sb, &ts, NULL, ',');
  sl_strbuf_appendc(&sb, ',');
  sl_value items[] = {sl_value_int(1), sl_value_int(2)};
  sl_value arr = sl_value_composite(SL_TYPE_ARRAY, items, 2);
  sl_format_csv_field(&sb, &arr, NULL, ',');
  sl_strbuf_appendc(&sb, ',');
  sl_value s = sl_value_varchar("x\"y", 3);
  sl_format_csv_field(&sb, &s, NULL, ',');
  sl_strbuf_appendc(&sb, ',');
  sl_value dec = sl_value_decimal(-1000, 3);
  sl_format_csv_field(&sb, &dec, NULL, ',');
  assert_string_equal(sb.data, "0.1,1970-01-01 00:00:00.000,\"[1,2]\","
                               "\"x\"\"y\",-1.000");
  sl_strbuf_free(&sb);
}

static void check_json_string(const char *s, size_t len, const char *want) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_format_json_string(&sb, s, len), SL_OK);
  if (strcmp(sb.data, want) != 0)
    fail_msg("JSON string gave %s, expected %s", sb.data, want);
  sl_strbuf_free(&sb);
}

#define JSON_STR(lit, want) check_json_string(lit, sizeof(lit) - 1, want)

static void test_json_escaping(void **state) {
  (void)state;
  JSON_STR("plain", "\"plain\"");
  JSON_STR("", "\"\"");
  JSON_STR("a\"b\\c", "\"a\\\"b\\\\c\"");
  JSON_STR("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"");
  JSON_STR("\x01\x1f", "\"\\u0001\\u001f\"");
  JSON_STR("nul\0here", "\"nul\\u0000here\"");
  JSON_STR("\x7f", "\"\x7f\"");
  JSON_STR("/", "\"/\"");
  /* Valid UTF-8 passes through: é, €, U+1F600, U+10FFFF. */
  JSON_STR("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf",
           "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
  /* Invalid bytes become U+FFFD, one per byte. */
  JSON_STR("a\xff" "b", "\"a\\ufffdb\"");
  JSON_STR("\xc0\xaf", "\"\\ufffd\\ufffd\"");
  JSON_STR("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
  JSON_STR("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
  JSON_STR("end\xe2\x82", "\"end\\ufffd\\ufffd\"");
  JSON_STR("\x80", "\"\\ufffd\"");

  assert_true(sl_format_utf8_valid("\xc3\xa9", 2));
  assert_false(sl_format_utf8_valid("\xc3", 1));
  assert_false(sl_format_utf8_valid("\xe0\x80\x80", 3));
  assert_true(sl_format_utf8_valid("", 0));
}

/* Renders v as JSON (with type) and compares. */
static void check_json(const sl_value *v, const sl_type *t,
                       const char *want) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_format_json(&sb, v, t), SL_OK);
  if (strcmp(sb.data, want) != 0)
    fail_msg("JSON gave %s, expected %s", sb.data, want);
  sl_strbuf_free(&sb);
}

static void check_text(const sl_value *v, const sl_type *t,
                       const char *want) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_format_text(&sb, v, t), SL_OK);
  const char *got = sb.data ? sb.data : "";
  if (strcmp(got, want) != 0)
    fail_msg("text gave \"%s\", expected \"%s\"", got, want);
  sl_strbuf_free(&sb);
}

static void test_json_values(void **state) {
  (void)state;
  sl_value v = sl_value_timestamp(1714564800123);
  check_json(&v, NULL, "\"2024-05-01T12:00:00.123Z\"");
  v = sl_value_date(11016);
  check_json(&v, NULL, "\"2000-02-29\"");
  v = sl_value_decimal(-5, 2);
  check_json(&v, NULL, "-0.05");
  v = sl_value_decimal(sl_decimal_pow10(38) - 1, 10);
  check_json(&v, NULL, "9999999999999999999999999999.9999999999");
  v = sl_value_double(1e300);
  check_json(&v, NULL, "1e+300");
  v = sl_value_double(NAN);
  check_json(&v, NULL, "\"NaN\"");
  v = sl_value_double(-INFINITY);
  check_json(&v, NULL, "\"-Infinity\"");
  v = sl_value_bytes("foo", 3);
  check_json(&v, NULL, "\"Zm9v\"");
  v = sl_value_null();
  check_json(&v, NULL, "null");
  v = sl_value_interval(-1500);
  check_json(&v, NULL, "-1500");
  v = sl_value_bool(true);
  check_json(&v, NULL, "true");
  v = sl_value_bigint(INT64_MIN);
  check_json(&v, NULL, "-9223372036854775808");
  v = sl_value_varchar("tab\there", 8);
  check_json(&v, NULL, "\"tab\\there\"");

  sl_type *t = NULL;
  sl_error err;
  assert_int_equal(sl_type_from_sql("STRUCT<id BIGINT, \"the tags\" "
                                    "ARRAY<VARCHAR>, m MAP<VARCHAR, "
                                    "STRUCT<x DOUBLE>>>",
                                    &t, &err),
                   SL_OK);
  sl_value tags[] = {sl_value_varchar("a", 1), sl_value_null()};
  sl_value inner[] = {sl_value_double(0.5)};
  sl_value entries[] = {sl_value_varchar("k\"", 2),
                        sl_value_composite(SL_TYPE_STRUCT, inner, 1)};
  sl_value fields[] = {sl_value_bigint(7),
                       sl_value_composite(SL_TYPE_ARRAY, tags, 2),
                       sl_value_composite(SL_TYPE_MAP, entries, 1)};
  sl_value st = sl_value_composite(SL_TYPE_STRUCT, fields, 3);
  check_json(&st, t,
             "{\"id\":7,\"the tags\":[\"a\",null],"
             "\"m\":{\"k\\\"\":{\"x\":0.5}}}");
  check_text(&st, t,
             "{\"id\":7,\"the tags\":[\"a\",null],"
             "\"m\":{\"k\\\"\":{\"x\":0.5}}}");
  check_json(&st, NULL,
             "{\"f1\":7,\"f2\":[\"a\",null],\"f3\":{\"k\\\"\":{\"f1\":0.5}}}");
  sl_value empty = sl_value_composite(SL_TYPE_ARRAY, NULL, 0);
  check_json(&empty, NULL, "[]");
  sl_type_free(t);
}

static void test_text_values(void **state) {
  (void)state;
  sl_value v = sl_value_null();
  check_text(&v, NULL, "");
  v = sl_value_bool(false);
  check_text(&v, NULL, "false");
  v = sl_value_int(INT32_MIN);
  check_text(&v, NULL, "-2147483648");
  v = sl_value_decimal(1230, 2);
  check_text(&v, NULL, "12.30");
  v = sl_value_decimal(0, 3);
  check_text(&v, NULL, "0.000");
  v = sl_value_double(2.5);
  check_text(&v, NULL, "2.5");
  v = sl_value_varchar("raw \"text\"", 10);
  check_text(&v, NULL, "raw \"text\"");
  v = sl_value_bytes("\x01\x02\x03\x04", 4);
  check_text(&v, NULL, "AQIDBA==");
  v = sl_value_date(19844);
  check_text(&v, NULL, "2024-05-01");
  v = sl_value_timestamp(1714564800000);
  check_text(&v, NULL, "2024-05-01 12:00:00.000");
  v = sl_value_interval(-93600000);
  check_text(&v, NULL, "-1 days -02:00:00.000");
}

static void test_strbuf(void **state) {
  (void)state;
  sl_strbuf sb;
  sl_strbuf_init(&sb);
  assert_null(sb.data);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(sl_strbuf_appendf(&sb, "%d,", i), SL_OK);
  assert_int_equal(sb.len, 3890);
  assert_memory_equal(sb.data, "0,1,2,", 6);
  assert_memory_equal(sb.data + sb.len - 4, "999,", 4);
  assert_int_equal(sb.data[sb.len], '\0');

  /* One append far larger than the buffer. */
  char big[5000];
  memset(big, 'x', sizeof(big));
  assert_int_equal(sl_strbuf_append(&sb, big, sizeof(big)), SL_OK);
  assert_int_equal(sb.len, 8890);
  assert_int_equal(sl_strbuf_appendf(&sb, "%.*s", 3000, big), SL_OK);
  assert_int_equal(sb.len, 11890);

  sl_strbuf_reset(&sb);
  assert_int_equal(sb.len, 0);
  assert_string_equal(sb.data, "");
  sl_strbuf_appends(&sb, "keep");
  sl_strbuf_appendc(&sb, '!');
  size_t n;
  char *p = sl_strbuf_detach(&sb, &n);
  assert_int_equal(n, 5);
  assert_string_equal(p, "keep!");
  free(p);
  assert_null(sb.data);
  assert_int_equal(sb.len, 0);

  p = sl_strbuf_detach(&sb, &n);
  assert_string_equal(p, "");
  free(p);
  sl_strbuf_free(&sb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_double_shortest),
      cmocka_unit_test(test_time_texts),
      cmocka_unit_test(test_base64),
      cmocka_unit_test(test_csv_quoting),
      cmocka_unit_test(test_json_escaping),
      cmocka_unit_test(test_json_values),
      cmocka_unit_test(test_text_values),
      cmocka_unit_test(test_strbuf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
