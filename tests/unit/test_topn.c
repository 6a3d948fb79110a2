/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_topn.c - top-N with ROW_NUMBER and RANK: ties (arrival order for
 * ROW_NUMBER, shared ranks with gaps for RANK, more than N rows when
 * ties straddle N), NULL ordering, rows that do not enter, state bounded
 * by N, per-window ranking at window close with late rows, and
 * checkpoint then restore.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/common/log.h"
#include "engine/ops/topn.h"

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

static const bool desc1[] = {true};

/* Per key: PARTITION BY k ORDER BY v DESC, rows numbered <= limit. */
static sl_op *mk_key(sl_over_kind kind, int64_t limit, const char *name) {
  sl_error err;
  sl_bexpr **part = sl_arena_calloc(&tb_arena, 1, sizeof(*part));
  sl_bexpr **ord = sl_arena_calloc(&tb_arena, 1, sizeof(*ord));
  part[0] = ts_k();
  ord[0] = ts_v();
  sl_topn_spec spec = {.state_name = name, .kind = kind, .ninput = 2,
                       .npartition = 1, .partition_by = part, .norder = 1,
                       .order_by = ord, .order_desc = desc1, .limit = limit,
                       .window_end = -1, .capacity = 3};
  sl_op *op;
  OK(sl_topn_new(&spec, NULL, &op, &err));
  return op;
}

static void test_row_number(void **state) {
  (void)state;
  ts_rig g;
  ts_rig_open(&g, mk_key(SL_OVER_ROW_NUMBER, 2, NULL), 3, NULL);
  const ts_ev ev[] = {{1, "a", 5}, {2, "a", 3},       {3, "a", 1},
                      {4, "a", 5}, {5, "b", TS_NULL}, {6, "b", 7}};
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, ev, 6, 2);
  TS_EXPECT(&g.got, "a|5|1", "a|5|1", "a|3|2", "a|5|1", "a|5|2",
            "b|NULL|1", "b|NULL|1", "b|7|2");
  assert_int_equal(sl_topn_rows(g.op), 4);
  ts_rig_free(&g);
}

static void test_rank_ties(void **state) {
  (void)state;
  ts_rig g;
  ts_rig_open(&g, mk_key(SL_OVER_RANK, 2, NULL), 3, NULL);
  const ts_ev ev[] = {{1, "a", 5}, {2, "a", 5}, {3, "a", 4},
                      {4, "a", 6}, {5, "a", 5}, {6, "a", 7}};
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, ev, 6, 4);
  TS_EXPECT(&g.got, "a|5|1",                   /* 5 */
            "a|5|1", "a|5|1",                  /* 5 5: a tie at 1 */
            "a|6|1", "a|5|2", "a|5|2",         /* 4 stayed out; 6 5 5 */
            "a|6|1", "a|5|2", "a|5|2", "a|5|2", /* ties at 2: all kept */
            "a|7|1", "a|6|2");                 /* 5s now rank 3: gone */
  assert_int_equal(sl_topn_rows(g.op), 2);
  ts_rig_free(&g);
}

/* Per window: PARTITION BY WINDOW_START, WINDOW_END of rows (k, ws, we,
 * v), ranked when the window closes. */
static void push_windowed(sl_op *op, const char *k, int64_t ws, int64_t we,
                          int64_t v, int64_t wm) {
  sl_error err;
  sl_batch *b = sl_batch_create(4, 1);
  int r = sl_batch_append_row(b);
  b->rows[r].partition = 0;
  b->rows[r].event_time = we - 1;
  b->cols[0][r] = sl_value_varchar(k, strlen(k));
  b->cols[1][r] = sl_value_timestamp(ws);
  b->cols[2][r] = sl_value_timestamp(we);
  b->cols[3][r] = sl_value_bigint(v);
  sl_op_batch in = {.batch = b, .row_watermark = &wm, .topic = "in"};
  OK(sl_op_process(op, 0, &in, &err));
  sl_batch_free(b);
}

static sl_op *mk_window(const char *name) {
  sl_error err;
  sl_bexpr **part = sl_arena_calloc(&tb_arena, 2, sizeof(*part));
  sl_bexpr **ord = sl_arena_calloc(&tb_arena, 1, sizeof(*ord));
  part[0] = tb_col(1, sl_type_timestamp());
  part[1] = tb_col(2, sl_type_timestamp());
  ord[0] = tb_col(3, sl_type_bigint());
  sl_topn_spec spec = {.state_name = name, .kind = SL_OVER_ROW_NUMBER,
                       .ninput = 4, .npartition = 2, .partition_by = part,
                       .norder = 1, .order_by = ord, .order_desc = desc1,
                       .limit = 2, .window_end = 2, .grace_ms = 0};
  sl_op *op;
  OK(sl_topn_new(&spec, NULL, &op, &err));
  return op;
}

static void test_per_window(void **state) {
  (void)state;
  sl_error err;
  ts_rig g;
  ts_rig_open(&g, mk_window(NULL), 5, NULL);
  push_windowed(g.op, "a", 0, 10, 5, SL_WATERMARK_NONE);
  push_windowed(g.op, "b", 0, 10, 9, SL_WATERMARK_NONE);
  push_windowed(g.op, "c", 0, 10, 7, SL_WATERMARK_NONE);
  push_windowed(g.op, "a", 10, 20, 1, SL_WATERMARK_NONE);
  assert_int_equal(g.got.n, 0);
  OK(sl_op_push_watermark(g.op, 0, 9, &err));
  assert_int_equal(g.got.n, 0);
  OK(sl_op_push_watermark(g.op, 0, 10, &err));
  TS_EXPECT(&g.got, "b|0|10|9|1", "c|0|10|7|2");
  push_windowed(g.op, "d", 0, 10, 99, 10);
  assert_int_equal(ts_late(g.op), 1);
  ts_feed_end(g.op, 0);
  TS_EXPECT(&g.got, "b|0|10|9|1", "c|0|10|7|2", "a|10|20|1|1");
  assert_int_equal(sl_topn_rows(g.op), 0);
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
  ts_rig_open(&g, mk_key(SL_OVER_RANK, 2, "t"), 3, st);
  const ts_ev ev[] = {{1, "a", 5}, {2, "a", 5}, {3, "b", 1},
                      {4, "a", 6}, {5, "b", 2}};
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, ev, 3, 0);
  sl_op_ckpt ck = {.id = 1, .state = st};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
  ts_rig_free(&g);
  sl_state_close(st);

  OK(sl_state_open(cat, "q", &st, &err));
  OK(sl_state_restore(st, NULL, &err));
  ts_rig_open(&g, mk_key(SL_OVER_RANK, 2, "t"), 3, st);
  int32_t p0 = 0;
  OK(sl_op_partitions(g.op, &p0, 1, true, &err));
  assert_int_equal(sl_topn_rows(g.op), 3);
  ts_feed_events(&f, g.op, 0, ev + 3, 2, 0);
  TS_EXPECT(&g.got, "a|6|1", "a|5|2", "a|5|2", "b|2|1", "b|1|2");
  ts_rig_free(&g);
  sl_state_close(st);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_row_number),
      cmocka_unit_test(test_rank_ties),
      cmocka_unit_test(test_per_window),
      cmocka_unit_test(test_checkpoint_restore),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
