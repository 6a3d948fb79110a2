/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_join_window.c - two windowed results joined on key, WINDOW_START
 * and WINDOW_END: matches, updates from EMIT CHANGES upstream, unmatched
 * rows of each outer kind exactly when the window closes, late results,
 * a revoked partition's entries leaving memory, and checkpoint then
 * restore.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/common/log.h"
#include "engine/ops/window_join.h"

static int setup(void **state) {
  (void)state;
  tb_init();
  sl_log_set_level(SL_LOG_ERROR);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tb_done();
  return 0;
}

/* Windowed rows: k VARCHAR, WINDOW_START, WINDOW_END, x BIGINT. */
typedef struct wrow {
  int port;
  const char *k;
  int64_t start, end, x;
  int64_t wm; /* the row's watermark */
} wrow;

/* Pushes w as a row of the source partition. */
static void push_from(sl_op *op, const wrow *w, int32_t partition) {
  sl_error err;
  sl_batch *b = sl_batch_create(4, 1);
  int r = sl_batch_append_row(b);
  b->rows[r].partition = partition;
  b->rows[r].event_time = w->end - 1;
  b->cols[0][r] = sl_value_varchar(w->k, strlen(w->k));
  b->cols[1][r] = sl_value_timestamp(w->start);
  b->cols[2][r] = sl_value_timestamp(w->end);
  b->cols[3][r] = sl_value_bigint(w->x);
  int64_t wm = w->wm;
  sl_op_batch in = {.batch = b, .row_watermark = &wm,
                    .topic = w->port ? "right" : "in"};
  OK(sl_op_process(op, w->port, &in, &err));
  sl_batch_free(b);
}

static void push(sl_op *op, const wrow *w) {
  push_from(op, w, 0);
}

static sl_op *mk(sl_join_kind kind, const char *name) {
  sl_error err;
  sl_bexpr **lk = sl_arena_calloc(&tb_arena, 1, sizeof(*lk));
  lk[0] = ts_k();
  sl_window_join_spec spec = {
      .state_name = name, .kind = kind, .nleft = 4, .nright = 4,
      .nkeys = 1, .left_keys = lk, .right_keys = lk, .left_start = 1,
      .left_end = 2, .right_start = 1, .right_end = 2, .capacity = 2};
  sl_op *op;
  OK(sl_window_join_new(&spec, NULL, &op, &err));
  return op;
}

static const wrow script1[] = {
    {0, "a", 0, 10, 5, SL_WATERMARK_NONE},
    {1, "a", 0, 10, 7, SL_WATERMARK_NONE}, /* matches */
    {0, "b", 0, 10, 1, SL_WATERMARK_NONE}, /* never matched */
    {0, "a", 0, 10, 6, SL_WATERMARK_NONE}, /* an update: the pair again */
    {1, "c", 10, 20, 3, SL_WATERMARK_NONE},
};

static void run_kind(sl_join_kind kind, int n, const char *const *want) {
  sl_error err;
  ts_rig g;
  ts_rig_open(&g, mk(kind, NULL), 8, NULL);
  for (int i = 0; i < 5; i++)
    push(g.op, &script1[i]);
  assert_int_equal(g.got.n, 2);
  /* [0, 10) closes only when both inputs passed 10. */
  OK(sl_op_push_watermark(g.op, 0, 10, &err));
  assert_int_equal(g.got.n, 2);
  OK(sl_op_push_watermark(g.op, 1, 10, &err));
  assert_int_equal(sl_window_join_entries(g.op), 1);
  wrow lateone = {1, "a", 0, 10, 8, 10};
  push(g.op, &lateone);
  assert_int_equal(ts_late(g.op), 1);
  ts_feed_end(g.op, 0);
  ts_feed_end(g.op, 1);
  ts_expect(&g.got, n, want);
  assert_int_equal(sl_window_join_entries(g.op), 0);
  ts_rig_free(&g);
}

static void test_kinds(void **state) {
  (void)state;
  const char *inner[] = {"a|0|10|5|a|0|10|7", "a|0|10|6|a|0|10|7"};
  const char *left[] = {"a|0|10|5|a|0|10|7", "a|0|10|6|a|0|10|7",
                        "b|0|10|1|NULL|NULL|NULL|NULL"};
  const char *right[] = {"a|0|10|5|a|0|10|7", "a|0|10|6|a|0|10|7",
                         "NULL|NULL|NULL|NULL|c|10|20|3"};
  const char *full[] = {"a|0|10|5|a|0|10|7", "a|0|10|6|a|0|10|7",
                        "b|0|10|1|NULL|NULL|NULL|NULL",
                        "NULL|NULL|NULL|NULL|c|10|20|3"};
  run_kind(SL_JOIN_INNER, 2, inner);
  run_kind(SL_JOIN_LEFT, 3, left);
  run_kind(SL_JOIN_RIGHT, 3, right);
  run_kind(SL_JOIN_FULL, 4, full);
}

/* Different windows of one key do not meet. */
static void test_window_must_match(void **state) {
  (void)state;
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_INNER, NULL), 8, NULL);
  const wrow rows[] = {{0, "a", 0, 10, 1, SL_WATERMARK_NONE},
                       {1, "a", 10, 20, 2, SL_WATERMARK_NONE},
                       {1, "a", 0, 20, 3, SL_WATERMARK_NONE}};
  for (int i = 0; i < 3; i++)
    push(g.op, &rows[i]);
  ts_feed_end(g.op, 0);
  ts_feed_end(g.op, 1);
  assert_int_equal(g.got.n, 0);
  ts_rig_free(&g);
}

/* Revoking partition 1 drops every entry of it and keeps those of
 * partition 0 (whose windows still close and come out); the runtime
 * revokes partition p of both topics of a join, so the same partition
 * comes twice.  The windows close in another order than they came. */
static void test_revoke_partition(void **state) {
  (void)state;
  sl_error err;
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_LEFT, NULL), 8, NULL);
  uint64_t seed = 5;
  int kept = 0;
  for (int i = 0; i < 200; i++) {
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    int64_t start = (int64_t)(seed >> 33) % 100 * 10;
    char key[8];
    snprintf(key, sizeof(key), "k%d", i);
    wrow w = {0, key, start, start + 10, i, SL_WATERMARK_NONE};
    int32_t partition = (int32_t)((seed >> 20) % 2);
    push_from(g.op, &w, partition);
    kept += partition == 0;
  }
  int32_t revoked[] = {1, 1};
  OK(sl_op_partitions(g.op, revoked, 2, false, &err));
  assert_int_equal(sl_window_join_entries(g.op), kept);
  ts_feed_end(g.op, 0);
  ts_feed_end(g.op, 1);
  assert_int_equal(g.got.n, kept);
  assert_int_equal(sl_window_join_entries(g.op), 0);
  ts_rig_free(&g);
}

static void test_checkpoint_restore(void **state) {
  (void)state;
  sl_error err;
  char *dir = test_tmpdir();
  char path[1024];
  snprintf(path, sizeof(path), "%s/cat.db", dir);
  sl_catalog *cat;
  OK(sl_catalog_open(path, &cat, &err));
  sl_state *st;
  OK(sl_state_open(cat, "q", &st, &err));
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_FULL, "wj"), 8, st);
  for (int i = 0; i < 3; i++)
    push(g.op, &script1[i]);
  sl_op_ckpt ck = {.id = 1, .state = st};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
  ts_rig_free(&g);
  sl_state_close(st);

  OK(sl_state_open(cat, "q", &st, &err));
  OK(sl_state_restore(st, NULL, &err));
  ts_rig_open(&g, mk(SL_JOIN_FULL, "wj"), 8, st);
  int32_t p0 = 0;
  OK(sl_op_partitions(g.op, &p0, 1, true, &err));
  assert_int_equal(sl_window_join_entries(g.op), 2);
  for (int i = 3; i < 5; i++)
    push(g.op, &script1[i]);
  ts_feed_end(g.op, 0);
  ts_feed_end(g.op, 1);
  /* a matched before the checkpoint: no unmatched row for it. */
  TS_EXPECT(&g.got, "a|0|10|6|a|0|10|7", "b|0|10|1|NULL|NULL|NULL|NULL",
            "NULL|NULL|NULL|NULL|c|10|20|3");
  ts_rig_free(&g);
  sl_state_close(st);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_window_must_match),
      cmocka_unit_test(test_revoke_partition),
      cmocka_unit_test(test_checkpoint_restore),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
