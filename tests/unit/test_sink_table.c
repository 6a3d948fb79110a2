/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sink_table.c - the training set sink on hand-built batches: rows
 * appended in order across batches, columns taken from their input
 * positions, depersonalized columns stored as HMAC-SHA256 hex (checked
 * against RFC 4231's test vector and libcrypto), NULLs kept, a row that
 * breaks NOT NULL marked failed while its batch's other rows are kept,
 * and a hashed column without a key refused at open.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "test_expr_build.h"

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/ops/op.h"
#include "engine/ops/sink_table.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, err.message);         \
  } while (0)

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

/* A training set rows (id BIGINT NOT NULL, card VARCHAR, amount DOUBLE)
 * in a fresh in-memory catalog. */
static sl_catalog *training_catalog(void) {
  sl_error err;
  sl_catalog *cat;
  OK(sl_catalog_open(":memory:", &cat, &err));
  sl_catalog_object *obj = sl_catalog_object_new(SL_CATALOG_TRAINING_SET,
                                                 "rows", "CREATE ...");
  OK(sl_catalog_object_add_column(obj, "id", sl_type_bigint(), true, false,
                                  &err));
  OK(sl_catalog_object_add_column(obj, "card", sl_type_varchar(), false,
                                  false, &err));
  OK(sl_catalog_object_add_column(obj, "amount", sl_type_double(), false,
                                  false, &err));
  OK(sl_catalog_create(cat, obj, false, NULL, &err));
  sl_catalog_object_free(obj);
  return cat;
}

/* The stored rows as "v1|v2|v3" lines. */
typedef struct stored {
  char lines[16][160];
  int n;
} stored;

static sl_status keep_row(void *ud, const sl_value *row, int ncolumns,
                          sl_error *err) {
  (void)err;
  stored *s = ud;
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int k = 0; k < ncolumns; k++) {
    if (k)
      sl_strbuf_appendc(&sb, '|');
    if (row[k].kind == SL_TYPE_NULL)
      sl_strbuf_appends(&sb, "NULL");
    else
      sl_format_text(&sb, &row[k], NULL);
  }
  if (s->n < 16)
    snprintf(s->lines[s->n++], 160, "%s", sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return SL_OK;
}

static void read_rows(sl_catalog *cat, stored *out) {
  sl_error err;
  sl_lookup *lk;
  memset(out, 0, sizeof(*out));
  OK(sl_lookup_open(cat, "rows", 0, &lk, &err));
  OK(sl_lookup_scan(lk, keep_row, out, &err));
  sl_lookup_close(lk);
}

static void hmac_hex(const char *key, const char *data, char *hex) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  assert_non_null(HMAC(EVP_sha256(), key, (int)strlen(key),
                       (const unsigned char *)data, strlen(data), md, &len));
  for (unsigned i = 0; i < len; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static void test_hash_vector(void **state) {
  (void)state;
  sl_error err;
  char hex[SL_SINK_TABLE_HASH_HEX + 1];
  /* RFC 4231, test case 2. */
  OK(sl_sink_table_hash("Jefe", 4, "what do ya want for nothing?", 28, hex,
                        &err));
  assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
                           "5a003f089d2739839dec58b964ec3843");

  char a[SL_SINK_TABLE_HASH_HEX + 1], b[SL_SINK_TABLE_HASH_HEX + 1];
  OK(sl_sink_table_new_secret(a, &err));
  OK(sl_sink_table_new_secret(b, &err));
  assert_int_equal(strlen(a), SL_SINK_TABLE_HASH_HEX);
  assert_int_equal(strspn(a, "0123456789abcdef"), SL_SINK_TABLE_HASH_HEX);
  assert_string_not_equal(a, b);
}

/* Input (amount, id, card): the sink takes id, card, amount by position
 * and hashes card. */
static void test_append_and_hash(void **state) {
  (void)state;
  sl_error err;
  sl_catalog *cat = training_catalog();
  static const int cols[] = {1, 2, 0};
  static const bool hashed[] = {false, true, false};
  sl_sink_table_spec spec = {.name = "rows", .ncols = 3, .cols = cols,
                             .hashed = hashed, .secret = "k3y",
                             .secret_len = 3};
  sl_op *sink;
  OK(sl_sink_table_new(&spec, &sink, &err));
  sl_op_ctx ctx = {.catalog = cat};
  OK(sl_op_open(sink, &ctx, &err));

  sl_value v1[] = {
      sl_value_double(1.5), sl_value_bigint(1), sl_value_varchar("4111", 4),
      sl_value_double(2.5), sl_value_bigint(2), sl_value_null(),
      sl_value_double(3.5), sl_value_null(), sl_value_varchar("x", 1),
      sl_value_double(4.5), sl_value_bigint(4), sl_value_varchar("4111", 4),
  };
  sl_batch *b1 = tb_batch(3, 4, v1);
  b1->rows[3].state = SL_BATCH_ROW_DROPPED; /* not live: not written */
  sl_op_batch in = {.batch = b1};
  OK(sl_op_process(sink, 0, &in, &err));
  /* Row 2 breaks NOT NULL: failed, the others kept. */
  assert_int_equal(b1->rows[2].state, SL_BATCH_ROW_ERROR);
  assert_int_equal(b1->rows[0].state, SL_BATCH_ROW_SELECTED);

  sl_value v2[] = {sl_value_double(5.5), sl_value_bigint(5),
                   sl_value_varchar("", 0)};
  sl_batch *b2 = tb_batch(3, 1, v2);
  in.batch = b2;
  OK(sl_op_process(sink, 0, &in, &err));

  sl_op_stats st;
  sl_op_stats_get(sink, &st);
  assert_int_equal(st.records_out, 3);
  assert_int_equal(st.records_failed, 1);

  stored got;
  read_rows(cat, &got);
  assert_int_equal(got.n, 3);
  char h[SL_SINK_TABLE_HASH_HEX + 1], want[256];
  hmac_hex("k3y", "4111", h);
  snprintf(want, sizeof(want), "1|%s|1.5", h);
  assert_string_equal(got.lines[0], want);
  assert_string_equal(got.lines[1], "2|NULL|2.5");
  hmac_hex("k3y", "", h);
  snprintf(want, sizeof(want), "5|%s|5.5", h);
  assert_string_equal(got.lines[2], want);

  sl_op_destroy(sink);
  sl_batch_free(b1);
  sl_batch_free(b2);
  sl_catalog_close(cat);
}

static void test_hashed_without_key(void **state) {
  (void)state;
  sl_error err;
  sl_catalog *cat = training_catalog();
  static const int cols[] = {0, 1, 2};
  static const bool hashed[] = {false, true, false};
  sl_sink_table_spec spec = {.name = "rows", .ncols = 3, .cols = cols,
                             .hashed = hashed};
  sl_op *sink;
  OK(sl_sink_table_new(&spec, &sink, &err));
  sl_op_ctx ctx = {.catalog = cat};
  assert_int_equal(sl_op_open(sink, &ctx, &err), SL_ERR_INTERNAL);
  assert_non_null(strstr(err.message, "no key"));
  sl_op_destroy(sink);
  sl_catalog_close(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hash_vector),
      cmocka_unit_test_setup_teardown(test_append_and_hash, setup, teardown),
      cmocka_unit_test(test_hashed_without_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
