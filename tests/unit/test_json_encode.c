/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/format/json_encode.c: the exact text written for
 * every type, composites, escaped member names, rows read from a batch,
 * round trips through the decoder, and record keys.
 */
#include "test_util.h"

#include <math.h>
#include <string.h>

#include "engine/format/json_decode.h"
#include "engine/format/json_encode.h"
#include "engine/format/record.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/decimal.h"

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

static void test_every_type_exact_text(void **state) {
  (void)state;
  const char *names[] = {"b", "i", "g", "d", "m", "s", "y",
                         "dt", "ts", "iv", "n", "nan", "neg"};
  sl_type *dec = sl_type_new_decimal(10, 2);
  const sl_type *types[] = {sl_type_boolean(), sl_type_int(),
                            sl_type_bigint(), sl_type_double(), dec,
                            sl_type_varchar(), sl_type_bytes(),
                            sl_type_date(), sl_type_timestamp(),
                            sl_type_interval(), sl_type_varchar(),
                            sl_type_double(), sl_type_new_decimal(5, 3)};
  sl_error err;
  sl_json_encoder *enc = sl_json_encoder_new(13, names, types, &err);
  assert_non_null(enc);
  sl_type_free((sl_type *)types[12]);
  sl_type_free(dec); /* the encoder keeps copies */

  sl_value v[13] = {
      sl_value_bool(true),
      sl_value_int(-42),
      sl_value_bigint(INT64_C(9007199254740993)),
      sl_value_double(0.1),
      sl_value_decimal(12345, 2),
      sl_value_varchar("a\"b\\\n\x01\xc3\xa9", 8),
      sl_value_bytes("\x01\x02\x03", 3),
      sl_value_date(19844),
      sl_value_timestamp(INT64_C(1714557600123)),
      sl_value_interval(1500),
      sl_value_null(),
      sl_value_double(NAN),
      sl_value_decimal(-50, 3),
  };
  sl_strbuf out = SL_STRBUF_INIT;
  assert_int_equal(sl_json_encode_row(enc, v, &out), SL_OK);
  assert_string_equal(out.data,
                      "{\"b\":true,\"i\":-42,\"g\":9007199254740993,"
                      "\"d\":0.1,\"m\":123.45,"
                      "\"s\":\"a\\\"b\\\\\\n\\u0001\xc3\xa9\","
                      "\"y\":\"AQID\",\"dt\":\"2024-05-01\","
                      "\"ts\":\"2024-05-01T10:00:00.123Z\",\"iv\":1500,"
                      "\"n\":null,\"nan\":\"NaN\",\"neg\":-0.050}");

  /* Appends: a second row follows the first. */
  v[0] = sl_value_bool(false);
  v[1] = sl_value_int(INT32_MIN);
  v[2] = sl_value_bigint(INT64_MIN);
  v[3] = sl_value_double(1e300);
  out.len = 0;
  assert_int_equal(sl_json_encode_row(enc, v, &out), SL_OK);
  assert_true(strncmp(out.data,
                      "{\"b\":false,\"i\":-2147483648,"
                      "\"g\":-9223372036854775808,\"d\":1e+300,",
                      strlen("{\"b\":false,\"i\":-2147483648,"
                             "\"g\":-9223372036854775808,\"d\":1e+300,")) ==
              0);
  sl_strbuf_free(&out);
  sl_json_encoder_free(enc);
}

static void test_composites_and_names(void **state) {
  (void)state;
  const char *fnames[] = {"a", "b"};
  sl_type *ftypes[] = {sl_type_int(), sl_type_new_array(sl_type_varchar())};
  sl_type *st = struct_of(2, fnames, ftypes);
  sl_type *mt = sl_type_new_map(sl_type_double());
  const char *names[] = {"we\"ird\n", "p", "m", "e"};
  const sl_type *types[] = {sl_type_bigint(), st, mt, NULL};
  sl_error err;
  sl_json_encoder *enc = sl_json_encoder_new(4, names, types, &err);
  assert_non_null(enc);

  sl_value arr[2] = {sl_value_varchar("x", 1), sl_value_null()};
  sl_value fields[2] = {sl_value_int(7),
                        sl_value_composite(SL_TYPE_ARRAY, arr, 2)};
  sl_value entries[4] = {sl_value_varchar("k", 1), sl_value_double(1.5),
                         sl_value_varchar("z", 1), sl_value_null()};
  sl_value v[4] = {sl_value_bigint(1),
                   sl_value_composite(SL_TYPE_STRUCT, fields, 2),
                   sl_value_composite(SL_TYPE_MAP, entries, 2),
                   sl_value_composite(SL_TYPE_ARRAY, NULL, 0)};
  sl_strbuf out = SL_STRBUF_INIT;
  assert_int_equal(sl_json_encode_row(enc, v, &out), SL_OK);
  assert_string_equal(out.data, "{\"we\\\"ird\\n\":1,"
                                "\"p\":{\"a\":7,\"b\":[\"x\",null]},"
                                "\"m\":{\"k\":1.5,\"z\":null},\"e\":[]}");
  sl_strbuf_free(&out);
  sl_json_encoder_free(enc);
  sl_type_free(st);
  sl_type_free(mt);

  /* No columns at all. */
  enc = sl_json_encoder_new(0, NULL, NULL, &err);
  assert_non_null(enc);
  sl_strbuf empty = SL_STRBUF_INIT;
  assert_int_equal(sl_json_encode_row(enc, NULL, &empty), SL_OK);
  assert_string_equal(empty.data, "{}");
  sl_strbuf_free(&empty);
  sl_json_encoder_free(enc);
}

/* Decode, encode the batch row, and get the same text back. */
static void test_round_trip_through_batch(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  assert_true(sl_record_schema_add(s, "id", false, sl_type_bigint(), true,
                                   &err) == 0);
  sl_record_schema_add(s, "Amount", true, sl_type_new_decimal(12, 4), false,
                       &err);
  sl_record_schema_add(s, "d", false, sl_type_double(), false, &err);
  sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false, &err);
  sl_record_schema_add(s, "tags", false,
                       sl_type_new_array(sl_type_varchar()), false, &err);
  sl_record_schema_add(s, "raw", false, sl_type_bytes(), false, &err);
  sl_record_schema_add(s, "day", false, sl_type_date(), false, &err);
  sl_json_decoder *dec = sl_json_decoder_new(s, NULL, &err);
  sl_json_encoder *enc = sl_json_encoder_for_schema(s, &err);
  sl_batch *batch = sl_batch_create(s->ncols, 8);
  assert_non_null(dec);
  assert_non_null(enc);
  assert_non_null(batch);

  static const char *const records[] = {
      "{\"id\":9223372036854775807,\"Amount\":-12.3400,"
      "\"d\":0.30000000000000004,"
      "\"ts\":\"2024-05-01T10:00:00.123Z\",\"tags\":[\"a\\\"b\",\"\xc3\xa9\"],"
      "\"raw\":\"AP8QaGVsbG8=\",\"day\":\"1969-12-31\"}",
      "{\"id\":-1,\"Amount\":null,\"d\":1e-07,"
      "\"ts\":\"1969-12-31T23:59:59.999Z\","
      "\"tags\":[],\"raw\":\"\",\"day\":null}",
  };
  for (int k = 0; k < 2; k++) {
    sl_record_msg msg = {"t", 0, k, 0, NULL, 0, records[k],
                         strlen(records[k])};
    int row;
    assert_int_equal(sl_json_decode(dec, &msg, batch, &row, &err), SL_OK);
    sl_strbuf out = SL_STRBUF_INIT;
    assert_int_equal(sl_json_encode_batch_row(enc, batch, row, &out), SL_OK);
    assert_string_equal(out.data, records[k]);
    sl_strbuf_free(&out);
  }

  sl_batch_free(batch);
  sl_json_encoder_free(enc);
  sl_json_decoder_free(dec);
  sl_record_schema_free(s);
}

static void test_record_key_encoding(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  int id = sl_record_schema_add(s, "id", false, sl_type_bigint(), false,
                                &err);
  int name = sl_record_schema_add(s, "name", false, sl_type_varchar(), false,
                                  &err);
  sl_strbuf out = SL_STRBUF_INIT;
  bool has_key = true;

  /* No key column: no key. */
  sl_value v = sl_value_bigint(77);
  assert_int_equal(sl_record_encode_key(s, &v, &out, &has_key), SL_OK);
  assert_false(has_key);
  assert_int_equal(out.len, 0);

  sl_record_schema_set_key(s, id, SL_RECORD_KEY_STRING);
  assert_int_equal(sl_record_encode_key(s, &v, &out, &has_key), SL_OK);
  assert_true(has_key);
  assert_string_equal(out.data, "77");

  sl_record_schema_set_key(s, name, SL_RECORD_KEY_STRING);
  sl_value str = sl_value_varchar("a\"b", 3);
  out.len = 0;
  assert_int_equal(sl_record_encode_key(s, &str, &out, &has_key), SL_OK);
  assert_true(has_key);
  assert_int_equal(out.len, 3);
  assert_memory_equal(out.data, "a\"b", 3);

  sl_record_schema_set_key(s, name, SL_RECORD_KEY_JSON);
  out.len = 0;
  assert_int_equal(sl_record_encode_key(s, &str, &out, &has_key), SL_OK);
  assert_string_equal(out.data, "\"a\\\"b\"");

  sl_value null = sl_value_null();
  out.len = 0;
  assert_int_equal(sl_record_encode_key(s, &null, &out, &has_key), SL_OK);
  assert_false(has_key);
  assert_int_equal(out.len, 0);

  sl_strbuf_free(&out);
  sl_record_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_type_exact_text),
      cmocka_unit_test(test_composites_and_names),
      cmocka_unit_test(test_round_trip_through_batch),
      cmocka_unit_test(test_record_key_encoding),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
