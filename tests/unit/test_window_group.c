/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_window_group.c - GROUP BY without a window: the changelog of a
 * continuously updated table (one row per change, keyed by the group),
 * EMIT FINAL at the end of input, a global aggregate without GROUP BY,
 * NULLs, and checkpoint then restore.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/common/log.h"
#include "engine/ops/group_agg.h"

static int setup(void **state) {
  (void)state;
  tb_init();
  sl_log_set_level(SL_LOG_ERROR);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ts_res_free();
  tb_done();
  return 0;
}

static sl_agg_call calls[3];

/* GROUP BY k (ngroup 1) or nothing (0): COUNT(*), SUM(v), MAX(v). */
static sl_op *mk(int ngroup, sl_emit_mode emit, const char *name) {
  sl_error err;
  calls[0] = ts_agg("COUNT", NULL);
  calls[1] = ts_agg("SUM", ts_v());
  calls[2] = ts_agg("MAX", ts_v());
  sl_bexpr **keys = sl_arena_calloc(&tb_arena, 1, sizeof(*keys));
  keys[0] = ts_k();
  sl_group_agg_spec spec = {.state_name = name, .ngroup = ngroup,
                            .group_by = keys, .naggs = 3, .aggs = calls,
                            .emit = emit, .capacity = 2};
  sl_op *op;
  OK(sl_group_agg_new(&spec, NULL, &op, &err));
  return op;
}

static const ts_ev events[] = {{1, "a", 5}, {2, "b", 3}, {3, "a", TS_NULL},
                               {4, "a", 2}, {5, NULL, 1}, {2, "b", -4}};

static void test_changes(void **state) {
  (void)state;
  ts_rig g;
  ts_rig_open(&g, mk(1, SL_EMIT_CHANGES, NULL), 4, NULL);
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, events, 6, 4);
  ts_feed_end(g.op, 0);
  TS_EXPECT(&g.got, "a|1|5|5", "b|1|3|3", "a|2|5|5", "a|3|7|5",
            "NULL|1|1|1", "b|2|-1|3");
  /* Nothing is late without windows, even behind the watermark. */
  assert_int_equal(ts_late(g.op), 0);
  assert_int_equal(sl_group_agg_groups(g.op), 3);
  ts_rig_free(&g);
}

static void test_final(void **state) {
  (void)state;
  ts_rig g;
  ts_rig_open(&g, mk(1, SL_EMIT_FINAL, NULL), 4, NULL);
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, events, 6, 1);
  assert_int_equal(g.got.n, 0);
  ts_feed_end(g.op, 0);
  TS_EXPECT(&g.got, "a|3|7|5", "b|2|-1|3", "NULL|1|1|1");
  ts_rig_free(&g);
}

static void test_global(void **state) {
  (void)state;
  ts_rig g;
  ts_rig_open(&g, mk(0, SL_EMIT_DEFAULT, NULL), 3, NULL);
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, events, 3, 2);
  TS_EXPECT(&g.got, "1|5|5", "2|8|5", "3|8|5");
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
  ts_rig_open(&g, mk(1, SL_EMIT_CHANGES, "g"), 4, st);
  ts_feed f;
  ts_feed_init(&f, 0);
  ts_feed_events(&f, g.op, 0, events, 3, 0);
  sl_op_ckpt ck = {.id = 1, .state = st};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
  /* Changes after the checkpoint are lost with the process. */
  ts_feed_events(&f, g.op, 0, events + 3, 3, 0);
  ts_rig_free(&g);
  sl_state_close(st);

  OK(sl_state_open(cat, "q", &st, &err));
  OK(sl_state_restore(st, NULL, &err));
  ts_rig_open(&g, mk(1, SL_EMIT_CHANGES, "g"), 4, st);
  ts_feed_events(&f, g.op, 0, events + 3, 3, 0);
  TS_EXPECT(&g.got, "a|3|7|5", "NULL|1|1|1", "b|2|-1|3");
  ts_rig_free(&g);
  sl_state_close(st);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_changes),
      cmocka_unit_test(test_final),
      cmocka_unit_test(test_global),
      cmocka_unit_test(test_checkpoint_restore),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
