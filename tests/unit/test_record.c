/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/format/schema.c and record.c: building schemas
 * (duplicate names under both matching rules, projection flags, event
 * time and its format, key formats, system columns), name lookup, and the
 * CHECK hook that rejects a decoded row.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "engine/format/json_decode.h"
#include "engine/format/record.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"

static void test_schema_columns_and_duplicates(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  assert_non_null(s);
  sl_error err;
  assert_int_equal(sl_record_schema_add(s, "id", false, sl_type_bigint(),
                                        true, &err), 0);
  assert_int_equal(sl_record_schema_add(s, "Name", true, sl_type_varchar(),
                                        false, &err), 1);
  /* Unquoted names clash ignoring case, quoted ones only exactly. */
  assert_int_equal(sl_record_schema_add(s, "ID", false, sl_type_int(), false,
                                        &err), -1);
  assert_int_equal(err.code, SL_ERR_SQL);
  assert_string_equal(err.message, "duplicate column \"ID\"");
  assert_int_equal(sl_record_schema_add(s, "ID", true, sl_type_int(), false,
                                        &err), 2);
  assert_int_equal(sl_record_schema_add(s, "Name", false,
                                        sl_type_new_decimal(4, 1), false,
                                        &err), -1);
  assert_string_equal(err.message, "duplicate column \"Name\"");
  assert_int_equal(sl_record_schema_add(s, "name", false, sl_type_varchar(),
                                        false, &err), 3);
  assert_int_equal(s->ncols, 4);
  for (int i = 0; i < 9; i++) {
    char name[8];
    snprintf(name, sizeof(name), "c%d", i);
    assert_int_equal(sl_record_schema_add(s, name, false, sl_type_int(),
                                          false, &err), 4 + i);
  }
  assert_int_equal(s->ncols, 13);
  assert_true(s->cols[0].not_null);
  assert_true(s->cols[1].quoted);
  assert_true(s->cols[5].needed);
  assert_int_equal(s->event_time_col, -1);
  assert_int_equal(s->key_col, -1);

  /* Lookup: the quoted column wins an exact match. */
  assert_int_equal(sl_record_schema_find(s, "ID", 2), 2);
  assert_int_equal(sl_record_schema_find(s, "Id", 2), 0);
  assert_int_equal(sl_record_schema_find(s, "id", 2), 0);
  assert_int_equal(sl_record_schema_find(s, "Name", 4), 1);
  assert_int_equal(sl_record_schema_find(s, "NAME", 4), 3);
  assert_int_equal(sl_record_schema_find(s, "C8", 2), 12);
  assert_int_equal(sl_record_schema_find(s, "nope", 4), -1);

  sl_record_schema_need_all(s, false);
  sl_record_schema_need(s, 2, true);
  sl_record_schema_need(s, 99, true); /* ignored */
  for (int i = 0; i < s->ncols; i++)
    assert_int_equal(s->cols[i].needed, i == 2);

  assert_int_equal(sl_record_schema_width(s), 16);
  assert_string_equal(sl_record_sys_name(SL_RECORD_SYS_ROWTIME), "ROWTIME");
  assert_string_equal(sl_record_sys_name(SL_RECORD_SYS_ROWPARTITION),
                      "ROWPARTITION");
  assert_string_equal(sl_record_sys_name(SL_RECORD_SYS_ROWOFFSET),
                      "ROWOFFSET");
  assert_null(sl_record_sys_name(SL_RECORD_SYS_COUNT));
  assert_ptr_equal(sl_record_sys_type(SL_RECORD_SYS_ROWTIME),
                   sl_type_timestamp());
  assert_ptr_equal(sl_record_sys_type(SL_RECORD_SYS_ROWPARTITION),
                   sl_type_int());
  assert_ptr_equal(sl_record_sys_type(SL_RECORD_SYS_ROWOFFSET),
                   sl_type_bigint());
  sl_record_schema_free(s);
}

static void test_event_time_and_key(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  int ts = sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false,
                                &err);
  int ms = sl_record_schema_add(s, "ms", false, sl_type_bigint(), false,
                                &err);
  int name = sl_record_schema_add(s, "name", false, sl_type_varchar(), false,
                                  &err);

  assert_int_equal(sl_record_schema_set_event_time(s, name, NULL, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "event-time column \"name\" must be "
                                   "TIMESTAMP or BIGINT, not VARCHAR");
  assert_int_equal(sl_record_schema_set_event_time(s, ts, "weekly", &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message,
                      "invalid timestamp_format \"weekly\": expected "
                      "iso8601, epoch_ms, epoch_s or a strftime pattern");
  assert_int_equal(sl_record_schema_set_event_time(s, ms, "epoch_s", &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message,
                      "event-time column \"ms\" is BIGINT (epoch "
                      "milliseconds); timestamp_format 'epoch_s' needs a "
                      "TIMESTAMP column");
  assert_int_equal(s->event_time_col, -1);

  assert_int_equal(sl_record_schema_set_event_time(s, ts, "%d.%m.%Y", &err),
                   SL_OK);
  assert_int_equal(s->event_time_col, ts);
  assert_int_equal(s->cols[ts].time.kind, SL_TIME_PATTERN);
  assert_string_equal(s->cols[ts].time.pattern, "%d.%m.%Y");
  assert_int_equal(sl_record_schema_set_event_time(s, ms, "epoch_ms", &err),
                   SL_OK);
  assert_int_equal(s->event_time_col, ms);
  assert_int_equal(s->cols[ts].time.kind, SL_TIME_ISO8601);
  assert_int_equal(sl_record_schema_set_event_time(s, ts, "EPOCH_S", &err),
                   SL_OK);
  assert_int_equal(s->cols[ts].time.kind, SL_TIME_EPOCH_S);

  sl_record_key_format kf;
  assert_true(sl_record_key_format_parse("JSON", &kf));
  assert_int_equal(kf, SL_RECORD_KEY_JSON);
  assert_true(sl_record_key_format_parse("kafka", &kf));
  assert_int_equal(kf, SL_RECORD_KEY_STRING);
  assert_true(sl_record_key_format_parse("string", &kf));
  assert_int_equal(kf, SL_RECORD_KEY_STRING);
  assert_true(sl_record_key_format_parse("none", &kf));
  assert_int_equal(kf, SL_RECORD_KEY_NONE);
  assert_false(sl_record_key_format_parse("avro", &kf));

  sl_record_schema_set_key(s, name, SL_RECORD_KEY_JSON);
  assert_int_equal(s->key_col, name);
  assert_int_equal(s->key_format, SL_RECORD_KEY_JSON);
  sl_record_schema_set_key(s, 17, SL_RECORD_KEY_JSON);
  assert_int_equal(s->key_col, -1);
  assert_int_equal(s->key_format, SL_RECORD_KEY_NONE);

  /* A BIGINT event-time column feeds the row's event time. */
  assert_int_equal(sl_record_schema_set_event_time(s, ms, NULL, &err), SL_OK);
  sl_json_decoder *dec = sl_json_decoder_new(s, NULL, &err);
  sl_batch *b = sl_batch_create(s->ncols, 4);
  const char *v = "{\"ms\":1714557600123,\"ts\":5}";
  sl_record_msg msg = {"t", 0, 0, 99, NULL, 0, v, strlen(v)};
  int row;
  assert_int_equal(sl_json_decode(dec, &msg, b, &row, &err), SL_OK);
  assert_true(b->rows[row].event_time == INT64_C(1714557600123));
  assert_true(b->rows[row].timestamp == 99);
  /* ts is no longer the event time: numbers are epoch ms again. */
  assert_true(b->cols[ts][row].u.i64 == 5);
  sl_batch_free(b);
  sl_json_decoder_free(dec);
  sl_record_schema_free(s);
}

/* The CHECK hook: the engine rejects a decoded row after evaluating its
 * constraint. */
static void test_reject_hook(void **state) {
  (void)state;
  sl_record_schema *s = sl_record_schema_new();
  sl_error err;
  sl_record_schema_add(s, "amount", false, sl_type_bigint(), false, &err);
  sl_json_decoder *dec = sl_json_decoder_new(s, NULL, &err);
  sl_batch *b = sl_batch_create(sl_record_schema_width(s), 4);

  char v0[] = "{\"amount\":5}";
  char v1[] = "{\"amount\":-3}";
  char key[] = "k1";
  sl_record_msg m0 = {"pay", 2, 10, 1, NULL, 0, v0, strlen(v0)};
  sl_record_msg m1 = {"pay", 2, 11, 2, key, 2, v1, strlen(v1)};
  int r0, r1;
  assert_int_equal(sl_json_decode(dec, &m0, b, &r0, &err), SL_OK);
  assert_int_equal(sl_json_decode(dec, &m1, b, &r1, &err), SL_OK);

  /* CHECK (amount > 0) fails for the second row. */
  assert_int_equal(sl_record_reject(b, r1, "pay", "check", &err,
                                    "CHECK (amount > 0) failed"),
                   SL_ERR_RECORD);
  char buf[1400];
  assert_string_equal(sl_error_format(&err, buf, sizeof(buf)),
                      "pay [2] @ 11: CHECK (amount > 0) failed");
  assert_string_equal(err.reason, "check");
  memset(v1, 'x', strlen(v1));
  memset(key, 'y', 2);

  assert_int_equal(b->nerrors, 1);
  assert_int_equal(b->rows[r0].state, SL_BATCH_ROW_SELECTED);
  assert_true(b->cols[0][r0].u.i64 == 5);
  assert_int_equal(b->rows[r1].state, SL_BATCH_ROW_ERROR);
  for (int c = 0; c < b->ncols; c++)
    assert_true(sl_value_is_null(&b->cols[c][r1]));
  assert_string_equal(b->rows[r1].error->reason, "check");
  assert_string_equal(b->rows[r1].error->message, "CHECK (amount > 0) failed");
  assert_memory_equal(b->rows[r1].value, "{\"amount\":-3}", 13);
  assert_memory_equal(b->rows[r1].key, "k1", 2);

  /* Without an error object the batch still keeps the error. */
  assert_int_equal(sl_record_reject(b, r0, "pay", "check", NULL, "no %d", 1),
                   SL_ERR_RECORD);
  assert_string_equal(b->rows[r0].error->message, "no 1");
  assert_int_equal(b->nerrors, 2);

  sl_batch_free(b);
  sl_json_decoder_free(dec);
  sl_record_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema_columns_and_duplicates),
      cmocka_unit_test(test_event_time_and_key),
      cmocka_unit_test(test_reject_hook),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
