/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/format/csv_record.c: field splitting and RFC 4180
 * quoting, NULL versus the empty string, conversions and their errors,
 * structural errors (message text checked), delimiters, NOT NULL and the
 * key, encode/decode round trips of awkward values, and the event time
 * read alone.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include "engine/format/csv_record.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"

typedef struct fixture {
  sl_record_schema *schema;
  sl_csvrec_decoder *dec;
  sl_batch *batch;
  sl_error err;
  int row;
} fixture;

static void fx_open(fixture *f, sl_record_schema *s, char delim) {
  memset(f, 0, sizeof(*f));
  f->schema = s;
  sl_csvrec_options opts = {delim, false};
  f->dec = sl_csvrec_decoder_new(s, &opts, &f->err);
  assert_non_null(f->dec);
  f->batch = sl_batch_create(s->ncols, 32);
  assert_non_null(f->batch);
}

static void fx_close(fixture *f) {
  sl_csvrec_decoder_free(f->dec);
  sl_batch_free(f->batch);
  sl_record_schema_free(f->schema);
}

static sl_status fx_decode_key(fixture *f, const char *key,
                               const char *line) {
  if (sl_batch_full(f->batch))
    sl_batch_reset(f->batch);
  sl_record_msg msg = {"c", 0, 7, 5, key, key ? strlen(key) : 0, line,
                       line ? strlen(line) : 0};
  return sl_csvrec_decode(f->dec, &msg, f->batch, &f->row, &f->err);
}

static sl_status fx_decode(fixture *f, const char *line) {
  return fx_decode_key(f, NULL, line);
}

static const sl_value *cell(fixture *f, int c) {
  return &f->batch->cols[c][f->row];
}

#define assert_decodes(f, line)                                            \
  do {                                                                     \
    if (fx_decode((f), (line)) != SL_OK)                                   \
      fail_msg("%s: %s", (line), (f)->err.message);                        \
  } while (0)

#define assert_fails(f, line, why, text)                                   \
  do {                                                                     \
    assert_int_equal(fx_decode((f), (line)), SL_ERR_RECORD);              \
    assert_string_equal((f)->err.reason, (why));                          \
    assert_string_equal((f)->err.message, (text));                        \
    assert_int_equal((f)->batch->rows[(f)->row].state,                    \
                     SL_BATCH_ROW_ERROR);                                 \
  } while (0)

static void assert_str_value(const sl_value *v, const char *s, size_t len) {
  assert_int_equal(v->kind, SL_TYPE_VARCHAR);
  assert_int_equal(v->len, len);
  assert_memory_equal(v->u.str, s, len);
}

static sl_record_schema *text_schema(int n) {
  static const char *const names[] = {"a", "b", "c", "d"};
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  for (int i = 0; i < n; i++)
    assert_int_equal(sl_record_schema_add(s, names[i], false,
                                          sl_type_varchar(), false, &err),
                     i);
  return s;
}

static void test_quoting_and_nulls(void **state) {
  (void)state;
  fixture f;
  fx_open(&f, text_schema(4), 0);

  assert_decodes(&f, "x,\"a,b\",\"say \"\"hi\"\"\",\"\"");
  assert_str_value(cell(&f, 0), "x", 1);
  assert_str_value(cell(&f, 1), "a,b", 3);
  assert_str_value(cell(&f, 2), "say \"hi\"", 8);
  assert_str_value(cell(&f, 3), "", 0);

  assert_decodes(&f, ",,,");
  for (int c = 0; c < 4; c++)
    assert_true(sl_value_is_null(cell(&f, c)));

  assert_decodes(&f, "\"line\r\nbreak\", spaced ,\"\"\"\",\xc3\xa9\r\n");
  assert_str_value(cell(&f, 0), "line\r\nbreak", 11);
  assert_str_value(cell(&f, 1), " spaced ", 8);
  assert_str_value(cell(&f, 2), "\"", 1);
  assert_str_value(cell(&f, 3), "\xc3\xa9", 2);

  /* Messages stay valid UTF-8 whatever the input holds. */
  assert_fails(&f, "a,\xc3\xa9\xff\x01x,b,c", "type",
               "column b: invalid UTF-8 in \"\xc3\xa9\\xff\\x01x\"");

  /* Only one trailing line break is dropped. */
  assert_decodes(&f, "a,b,c,\n");
  assert_true(sl_value_is_null(cell(&f, 3)));
  assert_fails(&f, "a,b,c,d\n\n", "decode",
               "line break in an unquoted field at byte 7");
  fx_close(&f);
}

static void test_structural_errors(void **state) {
  (void)state;
  fixture f;
  fx_open(&f, text_schema(3), 0);

  assert_fails(&f, "1,\"abc", "decode",
               "unterminated quoted field starting at byte 2");
  assert_fails(&f, "1,ab\"c,x", "decode",
               "unexpected quote in an unquoted field at byte 4");
  assert_fails(&f, "1,\"a\"b,x", "decode",
               "expected the delimiter or the end of the record after a "
               "quoted field at byte 5");
  assert_fails(&f, "1,2", "decode", "expected 3 fields, found 2");
  assert_fails(&f, "1,2,3,4", "decode", "expected 3 fields, found 4");
  assert_fails(&f, "", "decode", "expected 3 fields, found 1");
  assert_fails(&f, "a\nb,c,d", "decode",
               "line break in an unquoted field at byte 1");

  assert_int_equal(fx_decode_key(&f, NULL, NULL), SL_ERR_RECORD);
  assert_string_equal(f.err.message, "the record has no value (a tombstone)");
  fx_close(&f);

  /* One column: an empty record is one NULL field. */
  fx_open(&f, text_schema(1), 0);
  assert_decodes(&f, "");
  assert_true(sl_value_is_null(cell(&f, 0)));
  assert_decodes(&f, "\"\"");
  assert_str_value(cell(&f, 0), "", 0);
  fx_close(&f);
}

static void test_typed_fields(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  sl_record_schema_add(s, "id", false, sl_type_bigint(), true, &err);
  sl_record_schema_add(s, "n", false, sl_type_int(), false, &err);
  sl_record_schema_add(s, "d", false, sl_type_double(), false, &err);
  sl_record_schema_add(s, "m", false, sl_type_new_decimal(6, 2), false,
                       &err);
  sl_record_schema_add(s, "ok", false, sl_type_boolean(), false, &err);
  sl_record_schema_add(s, "day", false, sl_type_date(), false, &err);
  int ts = sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false,
                                &err);
  sl_record_schema_add(s, "raw", false, sl_type_bytes(), false, &err);
  sl_record_schema_add(s, "tags", false, sl_type_new_array(sl_type_int()),
                       false, &err);
  assert_int_equal(sl_record_schema_set_event_time(s, ts, "epoch_s", &err),
                   SL_OK);
  fixture f;
  fx_open(&f, s, ';');

  assert_decodes(&f, "9007199254740993; -7 ;2.5;1.005;TRUE;2024-05-01;"
                     "1714557600.25;AQID;\"[1, 2,null]\"");
  assert_true(cell(&f, 0)->u.i64 == INT64_C(9007199254740993));
  assert_int_equal(cell(&f, 1)->u.i32, -7);
  assert_true(cell(&f, 2)->u.f64 == 2.5);
  assert_true(sl_value_decimal_get(cell(&f, 3)) == 101);
  assert_true(cell(&f, 4)->u.b);
  assert_int_equal(cell(&f, 5)->u.i32, 19844);
  assert_true(cell(&f, 6)->u.i64 == INT64_C(1714557600250));
  assert_true(f.batch->rows[f.row].event_time == INT64_C(1714557600250));
  assert_memory_equal(cell(&f, 7)->u.str, "\x01\x02\x03", 3);
  assert_int_equal(cell(&f, 8)->len, 3);
  assert_int_equal(cell(&f, 8)->u.items[1].u.i32, 2);
  assert_true(sl_value_is_null(&cell(&f, 8)->u.items[2]));

  assert_fails(&f, "1;abc;;;;;1;;", "type",
               "column n: cannot convert \"abc\" to INT");
  assert_fails(&f, "1;2147483648;;;;;1;;", "type",
               "column n: \"2147483648\" is out of range for INT");
  assert_fails(&f, "1;;;10000;;;1;;", "type",
               "column m: \"10000\" is out of range for DECIMAL(6,2)");
  assert_fails(&f, "1;;;;yes;;1;;", "type",
               "column ok: cannot convert \"yes\" to BOOLEAN");
  assert_fails(&f, "1;;;;;;later;;", "type",
               "column ts: cannot convert \"later\" to TIMESTAMP "
               "(timestamp_format 'epoch_s')");
  assert_fails(&f, "1;\"\";;;;;1;;", "type",
               "column n: cannot convert \"\" to INT");
  assert_fails(&f, "1;;;;;;1;;[1,", "type",
               "column tags: expected a value at byte 3, found end of "
               "record");
  assert_fails(&f, "1;;;;;;1;;\"[1,\"\"x\"\"]\"", "type",
               "column tags[2]: cannot convert string \"x\" to INT");
  assert_fails(&f, ";;;;;;1;;", "not_null",
               "column id is NOT NULL but the value is null");
  assert_fails(&f, "1;;;;;;;;", "not_null",
               "column ts holds the event time but the value is null");
  /* Structure beats type. */
  assert_fails(&f, "1;abc;;;;;1;;;", "decode", "expected 9 fields, found 10");
  fx_close(&f);
}

static void test_delimiters_and_key(void **state) {
  (void)state;
  char d;
  sl_error err;
  assert_int_equal(sl_csvrec_delimiter_parse("|", &d, &err), SL_OK);
  assert_int_equal(d, '|');
  assert_int_equal(sl_csvrec_delimiter_parse("\\t", &d, &err), SL_OK);
  assert_int_equal(d, '\t');
  assert_int_equal(sl_csvrec_delimiter_parse("tab", &d, &err), SL_OK);
  assert_int_equal(d, '\t');
  assert_int_equal(sl_csvrec_delimiter_parse("\"", &d, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "invalid delimiter '\"': expected one "
                                   "character other than a quote or a line "
                                   "break");
  assert_int_equal(sl_csvrec_delimiter_parse(",,", &d, &err), SL_ERR_SQL);

  sl_record_schema *s = sl_record_schema_new();
  int id = sl_record_schema_add(s, "id", false, sl_type_bigint(), true,
                                &err);
  sl_record_schema_add(s, "v", false, sl_type_varchar(), false, &err);
  sl_record_schema_set_key(s, id, SL_RECORD_KEY_STRING);
  sl_csvrec_options bad = {'\n', false};
  assert_null(sl_csvrec_decoder_new(s, &bad, &err));
  fixture f;
  fx_open(&f, s, '\t');
  assert_int_equal(fx_decode_key(&f, "12", "\tx,y"), SL_OK);
  assert_true(cell(&f, 0)->u.i64 == 12);
  assert_str_value(cell(&f, 1), "x,y", 3);
  assert_int_equal(fx_decode_key(&f, "12", "5\tx"), SL_OK);
  assert_true(cell(&f, 0)->u.i64 == 5);

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value kv;
  sl_record_msg tomb = {"c", 0, 1, 0, "31", 2, NULL, 0};
  assert_int_equal(sl_csvrec_decode_key(f.dec, &tomb, &arena, &kv, &err), SL_OK);
  assert_true(kv.u.i64 == 31);
  sl_arena_destroy(&arena);
  fx_close(&f);
}

/* Values written by the encoder read back as the same values. */
static void test_round_trips(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  sl_record_schema_add(s, "s", false, sl_type_varchar(), false, &err);
  sl_record_schema_add(s, "d", false, sl_type_double(), false, &err);
  sl_record_schema_add(s, "m", false, sl_type_new_decimal(10, 3), false,
                       &err);
  sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false, &err);
  sl_record_schema_add(s, "iv", false, sl_type_interval(), false, &err);
  sl_record_schema_add(s, "y", false, sl_type_bytes(), false, &err);
  sl_record_schema_add(s, "a", false, sl_type_new_array(sl_type_varchar()),
                       false, &err);
  sl_record_schema_add(s, "b", false, sl_type_boolean(), false, &err);

  static const char *const strings[] = {
      "plain", "", "with,comma", "with \"quotes\"", "multi\nline\r\n",
      " blanks ", "\"", "\xe2\x82\xac uro"};
  static const double doubles[] = {0.1, -0.0, 1e300, 5e-324,
                                   0.30000000000000004, -2.5, INFINITY, 3};
  for (int delim = 0; delim < 2; delim++) {
    char dch = delim ? ';' : ',';
    fixture f;
    sl_record_schema *copy = s;
    fx_open(&f, copy, dch);
    sl_csvrec_encoder *enc = sl_csvrec_encoder_for_schema(s, dch, &err);
    assert_non_null(enc);

    for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++) {
      sl_value items[2] = {sl_value_varchar(strings[k], strlen(strings[k])),
                           sl_value_null()};
      sl_value row[8] = {
          sl_value_varchar(strings[k], strlen(strings[k])),
          sl_value_double(doubles[k]),
          sl_value_decimal(-1234567 + (int64_t)k, 3),
          sl_value_timestamp(INT64_C(1714557600123) - (int64_t)k * 86400123),
          sl_value_interval(-(int64_t)k * 90061001),
          sl_value_bytes(strings[k], strlen(strings[k])),
          sl_value_composite(SL_TYPE_ARRAY, items, 2),
          k % 3 == 2 ? sl_value_null() : sl_value_bool(k % 2)};
      sl_strbuf line = SL_STRBUF_INIT;
      assert_int_equal(sl_csvrec_encode_row(enc, row, &line), SL_OK);
      if (fx_decode(&f, line.data ? line.data : "") != SL_OK)
        fail_msg("%s: %s", line.data, f.err.message);
      for (int c = 0; c < 8; c++) {
        if (sl_value_is_null(&row[c])) {
          assert_true(sl_value_is_null(cell(&f, c)));
          continue;
        }
        if (sl_value_compare(&row[c], cell(&f, c)) != 0)
          fail_msg("column %d of %s did not round-trip", c, line.data);
      }
      assert_true(signbit(cell(&f, 1)->u.f64) == signbit(doubles[k]));
      sl_strbuf_free(&line);
    }
    sl_csvrec_encoder_free(enc);
    f.schema = NULL;
    fx_close(&f);
  }

  /* The exact text for one row. */
  sl_csvrec_encoder *enc = sl_csvrec_encoder_for_schema(s, 0, &err);
  sl_value items[1] = {sl_value_varchar("x", 1)};
  sl_value row[8] = {sl_value_varchar("a,\"b\"", 5),
                     sl_value_double(0.1),
                     sl_value_decimal(-50, 3),
                     sl_value_timestamp(INT64_C(1714557600123)),
                     sl_value_interval(90061001),
                     sl_value_bytes("\x01\x02\x03", 3),
                     sl_value_composite(SL_TYPE_ARRAY, items, 1),
                     sl_value_null()};
  sl_strbuf line = SL_STRBUF_INIT;
  assert_int_equal(sl_csvrec_encode_row(enc, row, &line), SL_OK);
  assert_string_equal(line.data, "\"a,\"\"b\"\"\",0.1,-0.050,"
                                 "2024-05-01 10:00:00.123,"
                                 "1 days 01:01:01.001,AQID,\"[\"\"x\"\"]\",");
  sl_strbuf_free(&line);
  sl_csvrec_encoder_free(enc);
  sl_record_schema_free(s);
}

/* The event time read alone is the one the decoder gives the row, read
 * only up to its field; nothing where the decoder would not take it
 * from the line. */
static void test_event_time_alone(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  sl_record_schema_add(s, "note", false, sl_type_varchar(), false, &err);
  int ts = sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false,
                                &err);
  sl_record_schema_add(s, "n", false, sl_type_int(), false, &err);
  assert_int_equal(sl_record_schema_set_event_time(s, ts, NULL, &err), SL_OK);
  fixture f;
  fx_open(&f, s, ',');
  sl_arena arena;
  sl_arena_init(&arena, 0);

  static const char *const same[] = {
      "x,2024-05-01T10:00:00.123Z,1",
      "\"a,\"\"b\"\"\", 2024-05-01 12:00:00+02:00 ,2\r\n",
      ",\"2024-05-01T10:00:00Z\",\n",
  };
  for (size_t k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
    sl_record_msg msg = {"c", 0, 7, 5, NULL, 0, same[k], strlen(same[k])};
    int64_t alone = 0;
    if (!sl_csvrec_event_time(f.dec, &msg, &arena, &alone))
      fail_msg("no event time read from %s", same[k]);
    assert_decodes(&f, same[k]);
    if (alone != f.batch->rows[f.row].event_time)
      fail_msg("%s: read %lld, decoded %lld", same[k], (long long)alone,
               (long long)f.batch->rows[f.row].event_time);
  }
  /* The fields after it are not read: the decoder fails this line, the
   * event time is there all the same. */
  sl_record_msg tail = {"c", 0, 7, 5, NULL, 0, "x,1970-01-01T00:00:01Z,abc",
                        26};
  int64_t alone = 0;
  assert_true(sl_csvrec_event_time(f.dec, &tail, &arena, &alone));
  assert_true(alone == 1000);

  static const char *const none[] = {
      "x,,1",          /* empty: NULL */
      "x,noon,1",      /* not a timestamp */
      "x",             /* too few fields */
      "\"x,2024-05-01T10:00:00Z,1", /* unterminated quote before it */
  };
  for (size_t k = 0; k < sizeof(none) / sizeof(none[0]); k++) {
    sl_record_msg msg = {"c", 0, 7, 5, NULL, 0, none[k], strlen(none[k])};
    if (sl_csvrec_event_time(f.dec, &msg, &arena, &alone))
      fail_msg("%s gave event time %lld", none[k], (long long)alone);
  }
  sl_arena_destroy(&arena);
  fx_close(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quoting_and_nulls),
      cmocka_unit_test(test_structural_errors),
      cmocka_unit_test(test_typed_fields),
      cmocka_unit_test(test_delimiters_and_key),
      cmocka_unit_test(test_round_trips),
      cmocka_unit_test(test_event_time_alone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
