/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/format/json_decode.c: every type with exact
 * values, integers at the 64-bit edges and above 2^53, DOUBLE rounding,
 * DECIMAL scale and range, strings with escapes, surrogates and invalid
 * UTF-8, malformed JSON at many places (message text checked), missing
 * versus null versus NOT NULL, name matching, unknown and pruned fields,
 * nested composites, the record key, timestamps in each format, the
 * event time read alone, row metadata, and failed rows that leave their
 * neighbours alone.
 */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/format/json_decode.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/decimal.h"

/* ---- Fixture ------------------------------------------------------------ */

typedef struct fixture {
  sl_record_schema *schema;
  sl_json_decoder *dec;
  sl_batch *batch;
  sl_error err;
  int row;
} fixture;

static int add_col(sl_record_schema *s, const char *name, sl_type *t,
                   bool not_null) {
  sl_error err;
  int c = sl_record_schema_add(s, name, false, t, not_null, &err);
  assert_true(c >= 0);
  return c;
}

static void fx_open(fixture *f, sl_record_schema *s, bool borrow) {
  memset(f, 0, sizeof(*f));
  f->schema = s;
  sl_json_options opts = {borrow};
  f->dec = sl_json_decoder_new(s, &opts, &f->err);
  assert_non_null(f->dec);
  f->batch = sl_batch_create(sl_record_schema_width(s), 64);
  assert_non_null(f->batch);
}

static void fx_close(fixture *f) {
  sl_json_decoder_free(f->dec);
  sl_batch_free(f->batch);
  sl_record_schema_free(f->schema);
}

static sl_status fx_decode_msg(fixture *f, const char *key, const char *json,
                               size_t len) {
  if (sl_batch_full(f->batch))
    sl_batch_reset(f->batch);
  sl_record_msg msg = {"t", 1, 42, INT64_C(1714557600000), key,
                       key ? strlen(key) : 0, json, len};
  return sl_json_decode(f->dec, &msg, f->batch, &f->row, &f->err);
}

static sl_status fx_decode(fixture *f, const char *json) {
  return fx_decode_msg(f, NULL, json, strlen(json));
}

static const sl_value *cell(fixture *f, int col) {
  return &f->batch->cols[col][f->row];
}

static const char *fx_error(fixture *f) {
  static char buf[SL_ERROR_MSG_MAX + 600];
  return sl_error_format(&f->err, buf, sizeof(buf));
}

/* The record fails with reason and message (without the location). */
#define assert_fails(f, json, why, text)                                   \
  do {                                                                     \
    assert_int_equal(fx_decode((f), (json)), SL_ERR_RECORD);              \
    assert_string_equal((f)->err.reason, (why));                          \
    assert_string_equal((f)->err.message, (text));                        \
    assert_int_equal((f)->batch->rows[(f)->row].state,                    \
                     SL_BATCH_ROW_ERROR);                                 \
  } while (0)

#define assert_decodes(f, json)                                            \
  do {                                                                     \
    if (fx_decode((f), (json)) != SL_OK)                                   \
      fail_msg("%s: %s", (json), fx_error(f));                             \
  } while (0)

static void assert_str_value(const sl_value *v, const char *s, size_t len) {
  assert_int_equal(v->kind, SL_TYPE_VARCHAR);
  assert_int_equal(v->len, len);
  assert_memory_equal(v->u.str, s, len);
}

static sl_type *struct_of(int n, const char *const *names, sl_type **types) {
  sl_type_field fields[8];
  for (int i = 0; i < n; i++) {
    fields[i].name = strdup(names[i]);
    fields[i].type = types[i];
  }
  sl_type *t = sl_type_new_struct(n, fields);
  assert_non_null(t);
  return t;
}

/* ---- Scalars ------------------------------------------------------------ */

static void test_every_scalar_type(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "b", sl_type_boolean(), false);
  add_col(s, "i", sl_type_int(), false);
  add_col(s, "g", sl_type_bigint(), false);
  add_col(s, "d", sl_type_double(), false);
  add_col(s, "m", sl_type_new_decimal(10, 2), false);
  add_col(s, "s", sl_type_varchar(), false);
  add_col(s, "y", sl_type_bytes(), false);
  add_col(s, "dt", sl_type_date(), false);
  add_col(s, "ts", sl_type_timestamp(), false);
  add_col(s, "iv", sl_type_interval(), false);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, " {\"b\":true,\"i\":-42,\"g\":9007199254740993,"
                     "\"d\":0.1,\"m\":12.345,\"s\":\"h\\u00e9llo\","
                     "\"y\":\"AQID\",\"dt\":\"2024-05-01\","
                     "\"ts\":\"2024-05-01T12:00:00.123+02:00\","
                     "\"iv\":1500}\n");
  assert_int_equal(cell(&f, 0)->kind, SL_TYPE_BOOLEAN);
  assert_true(cell(&f, 0)->u.b);
  assert_int_equal(cell(&f, 1)->kind, SL_TYPE_INT);
  assert_int_equal(cell(&f, 1)->u.i32, -42);
  assert_int_equal(cell(&f, 2)->kind, SL_TYPE_BIGINT);
  assert_true(cell(&f, 2)->u.i64 == INT64_C(9007199254740993));
  assert_int_equal(cell(&f, 3)->kind, SL_TYPE_DOUBLE);
  assert_true(cell(&f, 3)->u.f64 == 0.1);
  assert_int_equal(cell(&f, 4)->kind, SL_TYPE_DECIMAL);
  assert_int_equal(cell(&f, 4)->scale, 2);
  assert_true(sl_value_decimal_get(cell(&f, 4)) == 1235); /* half away */
  assert_str_value(cell(&f, 5), "h\xc3\xa9llo", 6);
  assert_int_equal(cell(&f, 6)->kind, SL_TYPE_BYTES);
  assert_int_equal(cell(&f, 6)->len, 3);
  assert_memory_equal(cell(&f, 6)->u.str, "\x01\x02\x03", 3);
  assert_int_equal(cell(&f, 7)->kind, SL_TYPE_DATE);
  assert_int_equal(cell(&f, 7)->u.i32, 19844);
  assert_int_equal(cell(&f, 8)->kind, SL_TYPE_TIMESTAMP);
  assert_true(cell(&f, 8)->u.i64 == INT64_C(1714557600123));
  assert_int_equal(cell(&f, 9)->kind, SL_TYPE_INTERVAL);
  assert_true(cell(&f, 9)->u.i64 == 1500);

  /* false, and strings for non-string types by the text rules. */
  assert_decodes(&f, "{\"b\":false,\"i\":\"17\",\"d\":\"NaN\","
                     "\"m\":\"-0.5\",\"iv\":\"01:00:00\",\"y\":\"\"}");
  assert_false(cell(&f, 0)->u.b);
  assert_int_equal(cell(&f, 1)->u.i32, 17);
  assert_true(isnan(cell(&f, 3)->u.f64));
  assert_true(sl_value_decimal_get(cell(&f, 4)) == -50);
  assert_true(cell(&f, 9)->u.i64 == 3600000);
  assert_int_equal(cell(&f, 6)->kind, SL_TYPE_BYTES);
  assert_int_equal(cell(&f, 6)->len, 0);
  assert_true(sl_value_is_null(cell(&f, 2))); /* missing */

  assert_fails(&f, "{\"b\":1}", "type",
               "column b: cannot convert number 1 to BOOLEAN");
  assert_fails(&f, "{\"s\":12}", "type",
               "column s: cannot convert number 12 to VARCHAR");
  assert_fails(&f, "{\"s\":true}", "type",
               "column s: cannot convert true to VARCHAR");
  assert_fails(&f, "{\"i\":[1]}", "type",
               "column i: cannot convert an array to INT");
  assert_fails(&f, "{\"g\":{}}", "type",
               "column g: cannot convert an object to BIGINT");
  assert_fails(&f, "{\"y\":\"A\"}", "type",
               "column y: cannot convert string \"A\" to BYTES");
  assert_fails(&f, "{\"dt\":\"2024-13-01\"}", "type",
               "column dt: cannot convert string \"2024-13-01\" to DATE");
  assert_fails(&f, "{\"dt\":20240501}", "type",
               "column dt: cannot convert number 20240501 to DATE");
  assert_fails(&f, "{\"ts\":\"yesterday\"}", "type",
               "column ts: cannot convert string \"yesterday\" to "
               "TIMESTAMP");
  assert_fails(&f, "{\"iv\":1.5}", "type",
               "column iv: cannot convert number 1.5 to INTERVAL");
  fx_close(&f);
}

static void test_integers_exact(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "g", sl_type_bigint(), false);
  add_col(s, "i", sl_type_int(), false);
  fixture f;
  fx_open(&f, s, false);

  static const struct {
    const char *text;
    int64_t value;
  } ok[] = {{"9007199254740993", INT64_C(9007199254740993)},
            {"-9007199254740993", INT64_C(-9007199254740993)},
            {"9223372036854775807", INT64_MAX},
            {"-9223372036854775808", INT64_MIN},
            {"0", 0},
            {"-0", 0},
            {"1e3", 1000},
            {"2.000", 2},
            {"12.5e1", 125},
            {"\"9223372036854775807\"", INT64_MAX},
            {"\"-000042\"", -42}};
  for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
    char json[128];
    snprintf(json, sizeof(json), "{\"g\":%s}", ok[k].text);
    assert_decodes(&f, json);
    assert_int_equal(cell(&f, 0)->kind, SL_TYPE_BIGINT);
    if (cell(&f, 0)->u.i64 != ok[k].value)
      fail_msg("%s gave %lld", ok[k].text, (long long)cell(&f, 0)->u.i64);
  }

  assert_fails(&f, "{\"g\":9223372036854775808}", "type",
               "column g: number 9223372036854775808 is out of range for "
               "BIGINT");
  assert_fails(&f, "{\"g\":-9223372036854775809}", "type",
               "column g: number -9223372036854775809 is out of range for "
               "BIGINT");
  assert_fails(&f, "{\"g\":123456789012345678901234567890}", "type",
               "column g: number 123456789012345678901234567890 is out of "
               "range for BIGINT");
  assert_fails(&f, "{\"g\":1e19}", "type",
               "column g: number 1e19 is out of range for BIGINT");
  assert_fails(&f, "{\"g\":1.5}", "type",
               "column g: cannot convert number 1.5 to BIGINT");
  assert_fails(&f, "{\"g\":1e-2}", "type",
               "column g: cannot convert number 1e-2 to BIGINT");
  assert_fails(&f, "{\"g\":\"12x\"}", "type",
               "column g: cannot convert string \"12x\" to BIGINT");

  assert_decodes(&f, "{\"i\":2147483647}");
  assert_int_equal(cell(&f, 1)->u.i32, INT32_MAX);
  assert_decodes(&f, "{\"i\":-2147483648}");
  assert_int_equal(cell(&f, 1)->u.i32, INT32_MIN);
  assert_fails(&f, "{\"i\":2147483648}", "type",
               "column i: number 2147483648 is out of range for INT");
  assert_fails(&f, "{\"i\":-2147483649}", "type",
               "column i: number -2147483649 is out of range for INT");
  assert_fails(&f, "{\"i\":9007199254740993}", "type",
               "column i: number 9007199254740993 is out of range for INT");
  assert_fails(&f, "{\"i\":\"3000000000\"}", "type",
               "column i: string \"3000000000\" is out of range for INT");

  /* The located form used by the error policy. */
  assert_string_equal(fx_error(&f), "t [1] @ 42: column i: string "
                                    "\"3000000000\" is out of range for INT");
  fx_close(&f);
}

static void test_doubles_rounding(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "d", sl_type_double(), false);
  fixture f;
  fx_open(&f, s, false);

  static const struct {
    const char *text;
    double value;
  } ok[] = {{"0.1", 0.1},
            {"-2.5", -2.5},
            {"1e22", 1e22},
            {"1e23", 1e23},
            {"3.141592653589793", 3.141592653589793},
            {"123456789012345678901234567890", 1.2345678901234568e+29},
            {"1.7976931348623157e308", 1.7976931348623157e308},
            {"5e-324", 5e-324},
            {"2.2250738585072014e-308", 2.2250738585072014e-308},
            {"9007199254740993", 9007199254740992.0},
            {"0.30000000000000004", 0.30000000000000004},
            {"1E+2", 100.0},
            {"\"Infinity\"", INFINITY},
            {"\"-Infinity\"", -INFINITY},
            {"\"2.5\"", 2.5}};
  for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
    char json[128];
    snprintf(json, sizeof(json), "{\"d\":%s}", ok[k].text);
    assert_decodes(&f, json);
    assert_int_equal(cell(&f, 0)->kind, SL_TYPE_DOUBLE);
    if (cell(&f, 0)->u.f64 != ok[k].value)
      fail_msg("%s gave %.17g", ok[k].text, cell(&f, 0)->u.f64);
  }
  assert_decodes(&f, "{\"d\":-0.0}");
  assert_true(signbit(cell(&f, 0)->u.f64) && cell(&f, 0)->u.f64 == 0.0);

  assert_fails(&f, "{\"d\":1e400}", "type",
               "column d: number 1e400 is out of range for DOUBLE");
  assert_fails(&f, "{\"d\":\"1,5\"}", "type",
               "column d: cannot convert string \"1,5\" to DOUBLE");

  /* Not needed: still validated, out of range still fails. */
  sl_record_schema_need(s, 0, false);
  sl_json_decoder_free(f.dec);
  f.dec = sl_json_decoder_new(s, NULL, &f.err);
  assert_decodes(&f, "{\"d\":1e300}");
  assert_true(sl_value_is_null(cell(&f, 0)));
  assert_fails(&f, "{\"d\":-1e309}", "type",
               "column d: number -1e309 is out of range for DOUBLE");
  fx_close(&f);
}

static void test_decimal_scale_and_range(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "m", sl_type_new_decimal(5, 2), false);
  add_col(s, "w", sl_type_new_decimal(38, 10), false);
  add_col(s, "z", sl_type_new_decimal(38, 30), false);
  fixture f;
  fx_open(&f, s, false);

  static const struct {
    const char *text;
    int64_t unscaled;
  } ok[] = {{"123.45", 12345}, {"-123.45", -12345}, {"7", 700},
            {"0.005", 1},      {"-0.005", -1},      {"0.004", 0},
            {"1e2", 10000},    {"999.994", 99999},  {"\"99.999\"", 10000},
            {"1.5E-1", 15}};
  for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
    char json[128];
    snprintf(json, sizeof(json), "{\"m\":%s}", ok[k].text);
    assert_decodes(&f, json);
    assert_int_equal(cell(&f, 0)->kind, SL_TYPE_DECIMAL);
    assert_int_equal(cell(&f, 0)->scale, 2);
    if (sl_value_decimal_get(cell(&f, 0)) != ok[k].unscaled)
      fail_msg("%s gave %lld", ok[k].text,
               (long long)sl_value_decimal_get(cell(&f, 0)));
  }
  assert_fails(&f, "{\"m\":1234.5}", "type",
               "column m: number 1234.5 is out of range for DECIMAL(5,2)");
  assert_fails(&f, "{\"m\":999.995}", "type",
               "column m: number 999.995 is out of range for DECIMAL(5,2)");
  assert_fails(&f, "{\"m\":\"abc\"}", "type",
               "column m: cannot convert string \"abc\" to DECIMAL(5,2)");

  /* 28 integer digits and 10 of fraction, exactly. */
  char text[SL_DECIMAL_TEXT_MAX];
  assert_decodes(&f, "{\"w\":1234567890123456789,\"z\":12.5}");
  sl_decimal_to_text(sl_value_decimal_get(cell(&f, 1)), 10, text);
  assert_string_equal(text, "1234567890123456789.0000000000");
  sl_decimal_to_text(sl_value_decimal_get(cell(&f, 2)), 30, text);
  assert_string_equal(text, "12.500000000000000000000000000000");
  assert_fails(&f, "{\"z\":1234567890123456789}", "type",
               "column z: number 1234567890123456789 is out of range for "
               "DECIMAL(38,30)");
  assert_decodes(&f, "{\"w\":-1234567890123456789e9}");
  sl_decimal_to_text(sl_value_decimal_get(cell(&f, 1)), 10, text);
  assert_string_equal(text, "-1234567890123456789000000000.0000000000");
  assert_decodes(&f, "{\"w\":1234567890123456789012345678.0123456789}");
  sl_decimal_to_text(sl_value_decimal_get(cell(&f, 1)), 10, text);
  assert_string_equal(text, "1234567890123456789012345678.0123456789");
  fx_close(&f);
}

/* ---- Strings ------------------------------------------------------------ */

static void test_string_escapes_and_unicode(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "s", sl_type_varchar(), false);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}");
  assert_str_value(cell(&f, 0), "a\"b\\c/d\b\f\n\r\t", 12);
  assert_decodes(&f, "{\"s\":\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"}");
  assert_str_value(cell(&f, 0), "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
  assert_decodes(&f, "{\"s\":\"\\u0000x\"}");
  assert_str_value(cell(&f, 0), "\0x", 2);
  assert_decodes(&f, "{\"s\":\"\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\"}");
  assert_str_value(cell(&f, 0), "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
                   11);
  assert_decodes(&f, "{\"s\":\"\"}");
  assert_str_value(cell(&f, 0), "", 0);

  assert_fails(&f, "{\"s\":\"\\ud800\"}", "decode",
               "unpaired surrogate \\ud800 at byte 6");
  assert_fails(&f, "{\"s\":\"\\ud800\\u0041\"}", "decode",
               "unpaired surrogate \\ud800 at byte 6");
  assert_fails(&f, "{\"s\":\"x\\udc00\"}", "decode",
               "unpaired surrogate \\udc00 at byte 7");
  assert_fails(&f, "{\"s\":\"\\u12g4\"}", "decode",
               "invalid \\u escape at byte 6");
  assert_fails(&f, "{\"s\":\"\\q\"}", "decode",
               "invalid escape \"\\q\" at byte 6");
  assert_fails(&f, "{\"s\":\"ab\xff\"}", "decode",
               "invalid UTF-8 at byte 8");
  assert_fails(&f, "{\"s\":\"\xc0\x80\"}", "decode",
               "invalid UTF-8 at byte 6"); /* overlong NUL */
  assert_fails(&f, "{\"s\":\"\xed\xa0\x80\"}", "decode",
               "invalid UTF-8 at byte 6"); /* encoded surrogate */
  assert_fails(&f, "{\"s\":\"\xf4\x90\x80\x80\"}", "decode",
               "invalid UTF-8 at byte 6"); /* above U+10FFFF */
  assert_fails(&f, "{\"s\":\"a\nb\"}", "decode",
               "control character 0x0a in a string at byte 7");
  assert_fails(&f, "{\"s\":\"abc", "decode",
               "unterminated string starting at byte 5");
  assert_fails(&f, "{\"s\":\"abc\\", "decode",
               "unterminated string starting at byte 5");
  fx_close(&f);
}

/* Every special byte at every position of strings around the 8-byte
 * scanning step: the decoded text is exact. */
static void test_string_scan_positions(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "s", sl_type_varchar(), false);
  fixture f;
  fx_open(&f, s, false);

  static const struct {
    const char *json;
    const char *text;
    size_t len;
  } specials[] = {{"\\\"", "\"", 1},
                  {"\\\\", "\\", 1},
                  {"\\n", "\n", 1},
                  {"\xc3\xa9", "\xc3\xa9", 2},
                  {"\\u00e9", "\xc3\xa9", 2},
                  {"~", "~", 1}};
  for (size_t k = 0; k < sizeof(specials) / sizeof(specials[0]); k++) {
    for (int len = 0; len < 24; len++) {
      for (int at = 0; at <= len; at++) {
        char json[128], want[64];
        int n = snprintf(json, sizeof(json), "{\"s\":\"");
        size_t w = 0;
        for (int i = 0; i < len; i++) {
          if (i == at) {
            n += snprintf(json + n, sizeof(json) - (size_t)n, "%s",
                          specials[k].json);
            memcpy(want + w, specials[k].text, specials[k].len);
            w += specials[k].len;
          }
          json[n++] = (char)('a' + i % 26);
          want[w++] = (char)('a' + i % 26);
        }
        if (at == len) {
          n += snprintf(json + n, sizeof(json) - (size_t)n, "%s",
                        specials[k].json);
          memcpy(want + w, specials[k].text, specials[k].len);
          w += specials[k].len;
        }
        snprintf(json + n, sizeof(json) - (size_t)n, "\"}");
        assert_decodes(&f, json);
        assert_str_value(cell(&f, 0), want, w);
      }
    }
  }
  fx_close(&f);
}

/* ---- Malformed JSON ----------------------------------------------------- */

static void test_malformed_json_messages(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "a", sl_type_bigint(), false);
  add_col(s, "i", sl_type_int(), false);
  fixture f;
  fx_open(&f, s, false);

  static const struct {
    const char *json;
    const char *message;
  } cases[] = {
      {"", "expected a JSON object at byte 0, found end of record"},
      {"   ", "expected a JSON object at byte 3, found end of record"},
      {"[1]", "expected a JSON object at byte 0, found \"[\""},
      {"42", "expected a JSON object at byte 0, found \"4\""},
      {"\"x\"", "expected a JSON object at byte 0, found \"\\\"\""},
      {"{", "expected a field name at byte 1, found end of record"},
      {"{\"a\":1 \"i\":2}",
       "expected \",\" or \"}\" at byte 7, found \"\\\"\""},
      {"{\"a\":1,}", "expected a field name at byte 7, found \"}\""},
      {"{\"a\":}", "expected a value at byte 5, found \"}\""},
      {"{\"a\" 1}", "expected \":\" at byte 5, found \"1\""},
      {"{a:1}", "expected a field name at byte 1, found \"a\""},
      {"{\"a\":1}x", "unexpected \"x\" at byte 7 after the JSON object"},
      {"{\"a\":1}{}", "unexpected \"{\" at byte 7 after the JSON object"},
      {"{\"a\":tru}", "invalid literal at byte 5"},
      {"{\"a\":nul}", "invalid literal at byte 5"},
      {"{\"a\":01}", "invalid number (leading zero) at byte 5"},
      {"{\"a\":-}", "invalid number at byte 5"},
      {"{\"a\":1.}", "invalid number at byte 5"},
      {"{\"a\":1e}", "invalid number at byte 5"},
      {"{\"a\":.5}", "expected a value at byte 5, found \".\""},
      {"{\"a\":+1}", "expected a value at byte 5, found \"+\""},
      {"{\"a\":1", "expected \",\" or \"}\" at byte 6, found end of record"},
      {"{\"x\":[1,2}", "expected \",\" or \"]\" at byte 9, found \"}\""},
      {"{\"x\":[1,]}", "expected a value at byte 8, found \"]\""},
      {"{\"x\":{\"y\":}}", "expected a value at byte 10, found \"}\""},
      {"{\"x\":{1:2}}", "expected a field name at byte 6, found \"1\""},
      {"{\"x\":\"\x01\"}", "control character 0x01 in a string at byte 6"},
      {"{\"x\":'a'}", "expected a value at byte 5, found \"'\""},
      {"{\"a\":1,\"x\":\xff}", "expected a value at byte 11, found byte 0xff"},
      /* A syntax error beats an earlier type error. */
      {"{\"i\":\"x\",\"a\":}", "expected a value at byte 13, found \"}\""},
      {"{\"i\":99999999999,\"a\":1,", "expected a field name at byte 23, "
                                   "found end of record"},
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    assert_int_equal(fx_decode(&f, cases[k].json), SL_ERR_RECORD);
    assert_string_equal(f.err.reason, "decode");
    if (strcmp(f.err.message, cases[k].message) != 0)
      fail_msg("%s: got '%s', want '%s'", cases[k].json, f.err.message,
               cases[k].message);
    assert_string_equal(f.err.topic, "t");
    assert_int_equal(f.err.partition, 1);
    assert_int_equal(f.err.offset, 42);
  }

  /* A tombstone has no value at all. */
  assert_int_equal(fx_decode_msg(&f, NULL, NULL, 0), SL_ERR_RECORD);
  assert_string_equal(f.err.reason, "decode");
  assert_string_equal(f.err.message, "the record has no value (a tombstone)");

  /* Nesting beyond the limit, even in a skipped field. */
  char deep[256];
  int n = snprintf(deep, sizeof(deep), "{\"x\":");
  for (int i = 0; i < 70; i++)
    deep[n++] = '[';
  deep[n] = '\0';
  assert_fails(&f, deep, "decode", "nesting deeper than 64 levels at byte 68");

  /* 63 levels inside the object are fine. */
  n = snprintf(deep, sizeof(deep), "{\"x\":");
  for (int i = 0; i < 63; i++)
    deep[n++] = '[';
  for (int i = 0; i < 63; i++)
    deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = '\0';
  assert_decodes(&f, deep);
  fx_close(&f);
}

/* ---- Presence ----------------------------------------------------------- */

static void test_missing_null_not_null(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "id", sl_type_bigint(), true);
  add_col(s, "name", sl_type_varchar(), false);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, "{\"id\":1}");
  assert_true(sl_value_is_null(cell(&f, 1)));
  assert_decodes(&f, "{\"id\":2,\"name\":null}");
  assert_true(sl_value_is_null(cell(&f, 1)));
  assert_true(cell(&f, 0)->u.i64 == 2);

  assert_fails(&f, "{\"name\":\"x\"}", "not_null",
               "column id is NOT NULL but the field is missing");
  assert_fails(&f, "{\"id\":null,\"name\":\"x\"}", "not_null",
               "column id is NOT NULL but the value is null");
  assert_fails(&f, "{}", "not_null",
               "column id is NOT NULL but the field is missing");

  /* A type error beats a NOT NULL violation. */
  assert_fails(&f, "{\"name\":5}", "type",
               "column name: cannot convert number 5 to VARCHAR");

  /* The last of duplicate fields wins; both are checked. */
  assert_decodes(&f, "{\"id\":1,\"name\":\"a\",\"id\":3,\"name\":null}");
  assert_true(cell(&f, 0)->u.i64 == 3);
  assert_true(sl_value_is_null(cell(&f, 1)));
  assert_fails(&f, "{\"id\":1,\"id\":null}", "not_null",
               "column id is NOT NULL but the value is null");
  assert_fails(&f, "{\"id\":\"x\",\"id\":1}", "type",
               "column id: cannot convert string \"x\" to BIGINT");
  fx_close(&f);
}

static void test_name_matching(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  assert_int_equal(add_col(s, "id", sl_type_bigint(), false), 0);
  assert_int_equal(sl_record_schema_add(s, "ID", true, sl_type_bigint(),
                                        false, &err), 1);
  assert_int_equal(add_col(s, "amount", sl_type_double(), false), 2);
  assert_int_equal(sl_record_schema_add(s, "Name", true, sl_type_varchar(),
                                        false, &err), 3);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, "{\"AMOUNT\":1.5,\"name\":\"b\",\"Name\":\"a\","
                     "\"ID\":7,\"Id\":8}");
  assert_true(cell(&f, 2)->u.f64 == 1.5);
  assert_str_value(cell(&f, 3), "a", 1);
  assert_true(cell(&f, 1)->u.i64 == 7);
  assert_true(cell(&f, 0)->u.i64 == 8);

  /* "name" matches no column: the quoted one wants "Name" exactly. */
  assert_decodes(&f, "{\"name\":\"b\",\"AmOuNt\":2,\"iD\":9}");
  assert_true(sl_value_is_null(cell(&f, 3)));
  assert_true(cell(&f, 2)->u.f64 == 2.0);
  assert_true(cell(&f, 0)->u.i64 == 9);
  assert_true(sl_value_is_null(cell(&f, 1)));

  /* Escaped field names match by their decoded text. */
  assert_decodes(&f, "{\"\\u0061mount\":3,\"N\\u0061me\":\"c\"}");
  assert_true(cell(&f, 2)->u.f64 == 3.0);
  assert_str_value(cell(&f, 3), "c", 1);
  fx_close(&f);
}

static void test_unknown_fields_skipped_but_checked(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "id", sl_type_bigint(), false);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, "{\"x\":{\"deep\":[1,2.5e3,{\"y\":null}],\"t\":true},"
                     "\"id\":5,\"z\":\"\\u00e9\\ud83d\\ude00\",\"w\":[],"
                     "\"v\":{},\"u\":false,\"q\":-0.0}");
  assert_true(cell(&f, 0)->u.i64 == 5);
  assert_fails(&f, "{\"x\":[1,}", "decode",
               "expected a value at byte 8, found \"}\"");
  assert_fails(&f, "{\"x\":\"\\ud800\",\"id\":1}", "decode",
               "unpaired surrogate \\ud800 at byte 6");
  assert_fails(&f, "{\"x\":{\"a\" 1}}", "decode",
               "expected \":\" at byte 10, found \"1\"");
  fx_close(&f);
}

static void test_pruned_columns_still_validated(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "id", sl_type_bigint(), false);
  add_col(s, "qty", sl_type_int(), false);
  add_col(s, "name", sl_type_varchar(), true);
  const char *names[] = {"a"};
  sl_type *types[] = {sl_type_new_array(sl_type_int())};
  add_col(s, "p", struct_of(1, names, types), false);
  add_col(s, "ts", sl_type_timestamp(), false);
  sl_record_schema_need_all(s, false);
  sl_record_schema_need(s, 0, true);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, "{\"id\":1,\"qty\":5,\"name\":\"x\",\"p\":{\"a\":[1]},"
                     "\"ts\":\"2024-05-01T00:00:00Z\"}");
  assert_true(cell(&f, 0)->u.i64 == 1);
  for (int c = 1; c < 5; c++)
    assert_true(sl_value_is_null(cell(&f, c))); /* not materialized */

  assert_fails(&f, "{\"id\":1,\"qty\":\"abc\",\"name\":\"x\"}", "type",
               "column qty: cannot convert string \"abc\" to INT");
  assert_fails(&f, "{\"id\":1,\"qty\":4294967296,\"name\":\"x\"}", "type",
               "column qty: number 4294967296 is out of range for INT");
  assert_fails(&f, "{\"id\":1,\"name\":\"x\",\"p\":{\"a\":[1,\"z\"]}}",
               "type",
               "column p.a[2]: cannot convert string \"z\" to INT");
  assert_fails(&f, "{\"id\":1,\"name\":\"x\",\"ts\":\"soon\"}", "type",
               "column ts: cannot convert string \"soon\" to TIMESTAMP");
  assert_fails(&f, "{\"id\":1,\"name\":\"\\ud800\"}", "decode",
               "unpaired surrogate \\ud800 at byte 16");
  assert_fails(&f, "{\"id\":1}", "not_null",
               "column name is NOT NULL but the field is missing");
  assert_fails(&f, "{\"id\":1,\"name\":null}", "not_null",
               "column name is NOT NULL but the value is null");
  assert_int_equal(f.batch->rows[f.row].state, SL_BATCH_ROW_ERROR);
  fx_close(&f);
}

/* ---- Composites --------------------------------------------------------- */

static void test_nested_composites(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  const char *names[] = {"a", "b", "c", "Dd", "dD"};
  sl_type *types[] = {sl_type_int(), sl_type_new_array(sl_type_varchar()),
                      sl_type_new_map(sl_type_double()), sl_type_int(),
                      sl_type_int()};
  add_col(s, "p", struct_of(5, names, types), false);
  add_col(s, "grid",
          sl_type_new_array(sl_type_new_array(sl_type_bigint())), false);
  fixture f;
  fx_open(&f, s, false);

  assert_decodes(&f, "{\"p\":{\"B\":[\"x\",null,\"\\u00e9\"],\"zz\":[1],"
                     "\"c\":{\"k\":1.5,\"\":-2},\"A\":3,\"dD\":2,\"Dd\":1},"
                     "\"grid\":[[1,2],[],[9007199254740993]]}");
  const sl_value *p = cell(&f, 0);
  assert_int_equal(p->kind, SL_TYPE_STRUCT);
  assert_int_equal(p->len, 5);
  assert_int_equal(p->u.items[0].u.i32, 3);
  const sl_value *b = &p->u.items[1];
  assert_int_equal(b->kind, SL_TYPE_ARRAY);
  assert_int_equal(b->len, 3);
  assert_str_value(&b->u.items[0], "x", 1);
  assert_true(sl_value_is_null(&b->u.items[1]));
  assert_str_value(&b->u.items[2], "\xc3\xa9", 2);
  const sl_value *c = &p->u.items[2];
  assert_int_equal(c->kind, SL_TYPE_MAP);
  assert_int_equal(c->len, 2);
  assert_str_value(&c->u.items[0], "k", 1);
  assert_true(c->u.items[1].u.f64 == 1.5);
  assert_str_value(&c->u.items[2], "", 0);
  assert_true(c->u.items[3].u.f64 == -2.0);
  /* Fields differing only in case match exactly. */
  assert_int_equal(p->u.items[3].u.i32, 1);
  assert_int_equal(p->u.items[4].u.i32, 2);

  const sl_value *g = cell(&f, 1);
  assert_int_equal(g->kind, SL_TYPE_ARRAY);
  assert_int_equal(g->len, 3);
  assert_int_equal(g->u.items[0].len, 2);
  assert_true(g->u.items[0].u.items[1].u.i64 == 2);
  assert_int_equal(g->u.items[1].len, 0);
  assert_true(g->u.items[2].u.items[0].u.i64 == INT64_C(9007199254740993));

  /* Missing struct fields are NULL; an empty struct object is allowed. */
  assert_decodes(&f, "{\"p\":{},\"grid\":null}");
  assert_int_equal(cell(&f, 0)->len, 5);
  for (int i = 0; i < 5; i++)
    assert_true(sl_value_is_null(&cell(&f, 0)->u.items[i]));
  assert_true(sl_value_is_null(cell(&f, 1)));

  assert_fails(&f, "{\"p\":{\"b\":[\"x\",5]}}", "type",
               "column p.b[2]: cannot convert number 5 to VARCHAR");
  assert_fails(&f, "{\"p\":{\"c\":{\"k\":\"x\"}}}", "type",
               "column p.c['k']: cannot convert string \"x\" to DOUBLE");
  assert_fails(&f, "{\"grid\":[[1],[2,[3]]]}", "type",
               "column grid[2][2]: cannot convert an array to BIGINT");
  assert_fails(&f, "{\"p\":[1]}", "type",
               "column p: cannot convert an array to STRUCT<a INT, b "
               "ARRAY<VARCHAR>, c MAP<VARCHAR, DOUBLE>, Dd INT, dD INT>");
  assert_fails(&f, "{\"grid\":{\"a\":1}}", "type",
               "column grid: cannot convert an object to "
               "ARRAY<ARRAY<BIGINT>>");
  assert_fails(&f, "{\"grid\":[[1,2],[3}", "decode",
               "expected \",\" or \"]\" at byte 17, found \"}\"");

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value v;
  sl_error err;
  sl_type *at = sl_type_new_array(sl_type_int());
  assert_int_equal(sl_json_parse_value(at, " [1, null, -3] ", 15, &arena,
                                       &v, &err), SL_OK);
  assert_int_equal(v.len, 3);
  assert_int_equal(v.u.items[2].u.i32, -3);
  assert_true(sl_value_is_null(&v.u.items[1]));
  assert_int_equal(sl_json_parse_value(at, "[1] 2", 5, &arena, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.message, "value: unexpected \"2\" at byte 4 after "
                                   "the JSON value");
  assert_int_equal(sl_json_parse_value(at, "[true]", 6, &arena, &v, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "type");
  assert_string_equal(err.message,
                      "value[1]: cannot convert true to INT");
  sl_type_free(at);
  sl_arena_destroy(&arena);
  fx_close(&f);
}

/* ---- Keys, time and metadata -------------------------------------------- */

static void test_record_key(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  int id = add_col(s, "id", sl_type_bigint(), true);
  add_col(s, "name", sl_type_varchar(), false);
  sl_record_schema_set_key(s, id, SL_RECORD_KEY_STRING);
  fixture f;
  fx_open(&f, s, false);

  const char *v = "{\"name\":\"a\"}";
  assert_int_equal(fx_decode_msg(&f, "77", v, strlen(v)), SL_OK);
  assert_true(cell(&f, 0)->u.i64 == 77);
  assert_memory_equal(f.batch->rows[f.row].key, "77", 2);
  assert_int_equal(f.batch->rows[f.row].key_len, 2);

  /* The value's own field wins over the key. */
  v = "{\"name\":\"a\",\"id\":5}";
  assert_int_equal(fx_decode_msg(&f, "77", v, strlen(v)), SL_OK);
  assert_true(cell(&f, 0)->u.i64 == 5);

  v = "{\"name\":\"a\",\"id\":null}";
  assert_int_equal(fx_decode_msg(&f, "78", v, strlen(v)), SL_OK);
  assert_true(cell(&f, 0)->u.i64 == 78);

  v = "{\"name\":\"a\"}";
  assert_int_equal(fx_decode_msg(&f, "abc", v, strlen(v)), SL_ERR_RECORD);
  assert_string_equal(f.err.reason, "type");
  assert_string_equal(f.err.message,
                      "record key: cannot convert \"abc\" to BIGINT");
  assert_int_equal(fx_decode_msg(&f, NULL, v, strlen(v)), SL_ERR_RECORD);
  assert_string_equal(f.err.message,
                      "column id is NOT NULL but the field is missing");

  /* A tombstone: only the key is decoded. */
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value kv;
  sl_record_msg tomb = {"t", 0, 9, 0, "-12", 3, NULL, 0};
  assert_int_equal(sl_json_decode_key(f.dec, &tomb, &arena, &kv, &f.err),
                   SL_OK);
  assert_int_equal(kv.kind, SL_TYPE_BIGINT);
  assert_true(kv.u.i64 == -12);
  tomb.key = "x";
  tomb.key_len = 1;
  assert_int_equal(sl_json_decode_key(f.dec, &tomb, &arena, &kv, &f.err),
                   SL_ERR_RECORD);
  assert_string_equal(f.err.message,
                      "record key: cannot convert \"x\" to BIGINT");
  assert_true(sl_value_is_null(&kv));
  tomb.key = NULL;
  assert_int_equal(sl_json_decode_key(f.dec, &tomb, &arena, &kv, &f.err),
                   SL_OK);
  assert_true(sl_value_is_null(&kv));
  sl_arena_destroy(&arena);
  fx_close(&f);

  /* JSON keys. */
  s = sl_record_schema_new();
  int k = add_col(s, "k", sl_type_varchar(), false);
  const char *names[] = {"region", "n"};
  sl_type *types[] = {sl_type_varchar(), sl_type_int()};
  int sk = add_col(s, "sk", struct_of(2, names, types), false);
  sl_record_schema_set_key(s, k, SL_RECORD_KEY_JSON);
  fx_open(&f, s, false);
  assert_int_equal(fx_decode_msg(&f, "\"k\\u00e9\"", "{}", 2), SL_OK);
  assert_str_value(cell(&f, 0), "k\xc3\xa9", 3);
  assert_int_equal(fx_decode_msg(&f, "null", "{}", 2), SL_OK);
  assert_true(sl_value_is_null(cell(&f, 0)));
  assert_int_equal(fx_decode_msg(&f, "\"k", "{}", 2), SL_ERR_RECORD);
  assert_string_equal(f.err.reason, "decode");
  assert_string_equal(f.err.message, "record key: unterminated string "
                                     "starting at byte 0");
  assert_int_equal(fx_decode_msg(&f, "12", "{}", 2), SL_ERR_RECORD);
  assert_string_equal(f.err.reason, "type");
  assert_string_equal(f.err.message,
                      "record key: cannot convert number 12 to VARCHAR");
  fx_close(&f);

  /* A STRUCT key column reads its key as JSON even in string format. */
  s = sl_record_schema_new();
  add_col(s, "k", sl_type_varchar(), false);
  types[0] = sl_type_varchar();
  types[1] = sl_type_int();
  sk = add_col(s, "sk", struct_of(2, names, types), false);
  sl_record_schema_set_key(s, sk, SL_RECORD_KEY_STRING);
  fx_open(&f, s, false);
  const char *key = "{\"region\":\"eu\",\"n\":4}";
  assert_int_equal(fx_decode_msg(&f, key, "{\"k\":\"x\"}", 9), SL_OK);
  assert_int_equal(cell(&f, 1)->kind, SL_TYPE_STRUCT);
  assert_str_value(&cell(&f, 1)->u.items[0], "eu", 2);
  assert_int_equal(cell(&f, 1)->u.items[1].u.i32, 4);
  assert_int_equal(fx_decode_msg(&f, "{\"n\":\"x\"}", "{}", 2),
                   SL_ERR_RECORD);
  assert_string_equal(f.err.message,
                      "record key.n: cannot convert string \"x\" to INT");
  fx_close(&f);
}

static void test_timestamp_formats(void **state) {
  (void)state;
  static const struct {
    const char *format; /* NULL: the default */
    const char *value;
    int64_t ms;
  } cases[] = {
      {NULL, "\"2024-05-01T10:00:00.123Z\"", INT64_C(1714557600123)},
      {NULL, "\"2024-05-01 12:00:00+02:00\"", INT64_C(1714557600000)},
      {NULL, "1714557600123", INT64_C(1714557600123)},
      {"epoch_ms", "1714557600123", INT64_C(1714557600123)},
      {"epoch_ms", "\"1714557600123\"", INT64_C(1714557600123)},
      {"epoch_ms", "-1", -1},
      {"epoch_s", "1714557600", INT64_C(1714557600000)},
      {"epoch_s", "1714557600.5", INT64_C(1714557600500)},
      {"epoch_s", "1714557600.123456", INT64_C(1714557600123)},
      {"epoch_s", "\"1714557600\"", INT64_C(1714557600000)},
      {"%Y/%m/%d %H:%M", "\"2024/05/01 10:00\"", INT64_C(1714557600000)},
  };
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
    sl_record_schema *s = sl_record_schema_new();
    int ts = add_col(s, "ts", sl_type_timestamp(), false);
    sl_error err;
    assert_int_equal(sl_record_schema_set_event_time(s, ts, cases[k].format,
                                                     &err), SL_OK);
    fixture f;
    fx_open(&f, s, false);
    char json[128];
    snprintf(json, sizeof(json), "{\"ts\":%s}", cases[k].value);
    assert_decodes(&f, json);
    if (cell(&f, 0)->u.i64 != cases[k].ms)
      fail_msg("%s %s gave %lld", cases[k].format ? cases[k].format : "-",
               cases[k].value, (long long)cell(&f, 0)->u.i64);
    assert_true(f.batch->rows[f.row].event_time == cases[k].ms);
    fx_close(&f);
  }

  sl_record_schema *s = sl_record_schema_new();
  int ts = add_col(s, "ts", sl_type_timestamp(), false);
  sl_error err;
  assert_int_equal(sl_record_schema_set_event_time(s, ts, "epoch_s", &err),
                   SL_OK);
  fixture f;
  fx_open(&f, s, false);
  assert_fails(&f, "{\"ts\":\"noon\"}", "type",
               "column ts: cannot convert string \"noon\" to TIMESTAMP "
               "(timestamp_format 'epoch_s')");
  assert_fails(&f, "{\"ts\":1.7e9}", "type",
               "column ts: cannot convert number 1.7e9 to TIMESTAMP");
  assert_fails(&f, "{\"ts\":99999999999999999}", "type",
               "column ts: number 99999999999999999 is out of range for "
               "TIMESTAMP");
  /* The event-time column must have a value. */
  assert_fails(&f, "{}", "not_null",
               "column ts holds the event time but the field is missing");
  assert_fails(&f, "{\"ts\":null}", "not_null",
               "column ts holds the event time but the value is null");
  fx_close(&f);
}

/* The event time read alone is the one the decoder gives the row, and
 * nothing where the decoder would not take it from the value. */
static void test_event_time_alone(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "id", sl_type_bigint(), false);
  int ts = add_col(s, "ts", sl_type_timestamp(), false);
  add_col(s, "note", sl_type_varchar(), false);
  sl_error err;
  assert_int_equal(sl_record_schema_set_event_time(s, ts, NULL, &err), SL_OK);
  fixture f;
  fx_open(&f, s, true);
  sl_arena arena;
  sl_arena_init(&arena, 0);

  static const char *const same[] = {
      "{\"id\":1,\"ts\":\"2024-05-01T10:00:00.123Z\",\"note\":\"x\"}",
      /* Case-insensitive names; unknown nested fields skipped. */
      "{\"extra\":{\"ts\":5,\"a\":[1,{\"b\":null}]},\"TS\":1714557600123}",
      /* A later field wins. */
      "{\"ts\":1,\"id\":2,\"ts\":\"2024-05-01 12:00:00+02:00\"}",
      /* Escapes in the value and elsewhere. */
      "{\"note\":\"a\\\"b\",\"ts\":\"2024-05-01T10:00:00\\u005a\"}",
  };
  for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
    sl_record_msg msg = {"t", 0, 0, 7, NULL, 0, same[k], strlen(same[k])};
    int64_t alone = 0;
    if (!sl_json_event_time(f.dec, &msg, &arena, &alone))
      fail_msg("no event time read from %s", same[k]);
    assert_decodes(&f, same[k]);
    if (alone != f.batch->rows[f.row].event_time)
      fail_msg("%s: read %lld, decoded %lld", same[k], (long long)alone,
               (long long)f.batch->rows[f.row].event_time);
  }

  /* Where the decoder would fail the record or use its key. */
  static const char *const none[] = {
      "{\"id\":1}",                         /* missing */
      "{\"ts\":null}",                      /* null */
      "{\"ts\":\"noon\"}",                  /* not a timestamp */
      "{\"ts\":[1]}",                       /* wrong kind */
      "{\"ts\":1,\"id\":",                  /* malformed after it */
      "[1,2]",                              /* not an object */
      "{\"ts\":1,\"ts\":\"noon\"}",          /* the last one is bad */
  };
  for (size_t k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
    sl_record_msg msg = {"t", 0, 0, 7, NULL, 0, none[k], strlen(none[k])};
    int64_t alone = 0;
    if (sl_json_event_time(f.dec, &msg, &arena, &alone))
      fail_msg("%s gave event time %lld", none[k], (long long)alone);
  }
  sl_record_msg tomb = {"t", 0, 0, 7, NULL, 0, NULL, 0};
  int64_t alone = 0;
  assert_false(sl_json_event_time(f.dec, &tomb, &arena, &alone));
  sl_arena_destroy(&arena);
  fx_close(&f);

  /* Without an event-time column there is nothing to read. */
  s = sl_record_schema_new();
  add_col(s, "ts", sl_type_timestamp(), false);
  fx_open(&f, s, false);
  sl_arena_init(&arena, 0);
  sl_record_msg msg = {"t", 0, 0, 7, NULL, 0, "{\"ts\":1}", 8};
  assert_false(sl_json_event_time(f.dec, &msg, &arena, &alone));
  sl_arena_destroy(&arena);
  fx_close(&f);
}

static void test_metadata_and_isolated_failures(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "id", sl_type_bigint(), false);
  add_col(s, "name", sl_type_varchar(), false);
  fixture f;
  fx_open(&f, s, false);
  int w = sl_record_schema_width(s);
  assert_int_equal(w, 5);

  char good1[] = "{\"id\":1,\"name\":\"one\"}";
  char bad[] = "{\"id\":2,\"name\":\"two\",}";
  char good2[] = "{\"id\":3,\"name\":\"th\\u0072ee\"}";
  char key[] = "k2";
  sl_record_msg msgs[3] = {
      {"pay", 3, 100, 1000, NULL, 0, good1, strlen(good1)},
      {"pay", 3, 101, 2000, key, 2, bad, strlen(bad)},
      {"pay", 3, 102, 3000, NULL, 0, good2, strlen(good2)}};
  sl_status rc[3];
  for (int i = 0; i < 3; i++) {
    int row;
    rc[i] = sl_json_decode(f.dec, &msgs[i], f.batch, &row, &f.err);
    assert_int_equal(row, i);
    if (i == 1) {
      char buf[1400];
      assert_string_equal(sl_error_format(&f.err, buf, sizeof(buf)),
                          "pay [3] @ 101: expected a field name at byte 21, "
                          "found \"}\"");
    }
  }
  assert_int_equal(rc[0], SL_OK);
  assert_int_equal(rc[1], SL_ERR_RECORD);
  assert_int_equal(rc[2], SL_OK);

  /* The message buffers are gone: copies must survive. */
  memset(good1, 'x', sizeof(good1) - 1);
  memset(bad, 'y', sizeof(bad) - 1);
  memset(key, 'z', 2);
  memset(good2, 'w', sizeof(good2) - 1);

  sl_batch *b = f.batch;
  assert_int_equal(b->nrows, 3);
  assert_int_equal(b->nerrors, 1);
  assert_int_equal(b->rows[0].state, SL_BATCH_ROW_SELECTED);
  assert_int_equal(b->rows[1].state, SL_BATCH_ROW_ERROR);
  assert_int_equal(b->rows[2].state, SL_BATCH_ROW_SELECTED);
  assert_true(b->cols[0][0].u.i64 == 1);
  assert_str_value(&b->cols[1][0], "one", 3);
  assert_true(b->cols[0][2].u.i64 == 3);
  assert_str_value(&b->cols[1][2], "three", 5);
  for (int c = 0; c < w; c++)
    assert_true(sl_value_is_null(&b->cols[c][1]));
  assert_string_equal(b->rows[1].error->reason, "decode");
  assert_string_equal(b->rows[1].error->message,
                      "expected a field name at byte 21, found \"}\"");
  assert_int_equal(b->rows[1].value_len,
                   strlen("{\"id\":2,\"name\":\"two\",}"));
  assert_memory_equal(b->rows[1].value, "{\"id\":2,\"name\":\"two\",}",
                      b->rows[1].value_len);
  assert_memory_equal(b->rows[1].key, "k2", 2);

  /* Metadata and system columns. */
  for (int r = 0; r < 3; r++) {
    assert_int_equal(b->rows[r].partition, 3);
    assert_true(b->rows[r].offset == 100 + r);
    assert_true(b->rows[r].timestamp == 1000 * (r + 1));
  }
  assert_true(b->rows[2].event_time == 3000);
  assert_int_equal(b->cols[2][0].kind, SL_TYPE_TIMESTAMP);
  assert_true(b->cols[2][0].u.i64 == 1000);
  assert_int_equal(b->cols[3][2].kind, SL_TYPE_INT);
  assert_int_equal(b->cols[3][2].u.i32, 3);
  assert_int_equal(b->cols[4][2].kind, SL_TYPE_BIGINT);
  assert_true(b->cols[4][2].u.i64 == 102);
  fx_close(&f);
}

static void test_borrowed_strings(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  add_col(s, "a", sl_type_varchar(), false);
  add_col(s, "b", sl_type_varchar(), false);
  fixture f;
  fx_open(&f, s, true);
  const char *json = "{\"a\":\"plain\",\"b\":\"esc\\naped\"}";
  assert_decodes(&f, json);
  assert_ptr_equal(cell(&f, 0)->u.str, json + 6);
  assert_str_value(cell(&f, 1), "esc\naped", 8);
  assert_true(cell(&f, 1)->u.str < json ||
              cell(&f, 1)->u.str > json + strlen(json));
  fx_close(&f);

  /* Copied by default. */
  s = sl_record_schema_new();
  add_col(s, "a", sl_type_varchar(), false);
  fx_open(&f, s, false);
  assert_decodes(&f, json);
  assert_true(cell(&f, 0)->u.str != json + 6);
  assert_str_value(cell(&f, 0), "plain", 5);
  fx_close(&f);
}

/* Many columns: every name finds its own column through the table. */
static void test_many_columns(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  char name[16];
  for (int i = 0; i < 200; i++) {
    snprintf(name, sizeof(name), "%s%d", i % 2 ? "Col_" : "c", i);
    add_col(s, name, sl_type_int(), false);
  }
  fixture f;
  fx_open(&f, s, false);

  /* Reverse order, names in upper case, with unknown fields between. */
  static char json[16384];
  int n = snprintf(json, sizeof(json), "{");
  for (int i = 199; i >= 0; i--) {
    char up[16];
    snprintf(name, sizeof(name), "%s%d", i % 2 ? "Col_" : "c", i);
    for (size_t k = 0; k <= strlen(name); k++)
      up[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32
                                                       : name[k]);
    n += snprintf(json + n, sizeof(json) - (size_t)n,
                  "%s\"%s\":%d,\"x%d\":0", i == 199 ? "" : ",", up, i * 7,
                  i);
  }
  snprintf(json + n, sizeof(json) - (size_t)n, "}");
  assert_decodes(&f, json);
  for (int i = 0; i < 200; i++)
    assert_int_equal(cell(&f, i)->u.i32, i * 7);
  fx_close(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_scalar_type),
      cmocka_unit_test(test_integers_exact),
      cmocka_unit_test(test_doubles_rounding),
      cmocka_unit_test(test_decimal_scale_and_range),
      cmocka_unit_test(test_string_escapes_and_unicode),
      cmocka_unit_test(test_string_scan_positions),
      cmocka_unit_test(test_malformed_json_messages),
      cmocka_unit_test(test_missing_null_not_null),
      cmocka_unit_test(test_name_matching),
      cmocka_unit_test(test_unknown_fields_skipped_but_checked),
      cmocka_unit_test(test_pruned_columns_still_validated),
      cmocka_unit_test(test_nested_composites),
      cmocka_unit_test(test_record_key),
      cmocka_unit_test(test_timestamp_formats),
      cmocka_unit_test(test_event_time_alone),
      cmocka_unit_test(test_metadata_and_isolated_failures),
      cmocka_unit_test(test_borrowed_strings),
      cmocka_unit_test(test_many_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
