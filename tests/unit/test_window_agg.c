/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_window_agg.c - windowed aggregation row by row: tumbling, hopping
 * and session windows at their boundaries (an event at the start, at the
 * end, at end + grace, late by 1 ms), windows before the epoch, session
 * merges and splits at exactly one gap with their replacements, EMIT
 * CHANGES against EMIT FINAL, NULL aggregates and NULL keys, DISTINCT,
 * FIRST/LAST out of order, results independent of batching, groups per
 * partition, and checkpoint then restore giving identical output.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/ops/window_agg.h"

static int setup(void **state) {
  (void)state;
  tb_init();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ts_res_free();
  tb_done();
  return 0;
}

typedef struct wcfg {
  sl_window_kind kind;
  int64_t size, advance, gap, grace;
  sl_emit_mode emit;
  bool withdraw;
  int naggs;
  sl_agg_call aggs[8];
} wcfg;

/* GROUP BY k with the configured window and calls. */
static sl_op *mk(const wcfg *c, const char *name) {
  sl_error err;
  sl_window_agg_spec spec = {0};
  spec.state_name = name;
  spec.window.kind = c->kind;
  spec.window.size_ms = c->size;
  spec.window.advance_ms = c->advance;
  spec.window.gap_ms = c->gap;
  spec.window.grace_ms = c->grace;
  spec.emit = c->emit;
  spec.withdrawals = c->withdraw;
  sl_bexpr **keys = sl_arena_calloc(&tb_arena, 1, sizeof(*keys));
  keys[0] = ts_k();
  spec.ngroup = 1;
  spec.group_by = keys;
  spec.naggs = c->naggs;
  spec.aggs = c->aggs;
  spec.capacity = 3; /* small, so that results span batches */
  sl_op *op = NULL;
  OK(sl_window_agg_new(&spec, NULL, &op, &err));
  return op;
}

static int ncols(const wcfg *c) {
  return 3 + c->naggs;
}

/* Runs the events through a new operator in batches of bsize. */
static void run(const wcfg *c, const ts_ev *ev, int n, int64_t delay,
                int bsize, ts_rig *g) {
  ts_rig_open(g, mk(c, NULL), ncols(c), NULL);
  ts_feed f;
  ts_feed_init(&f, delay);
  ts_feed_events(&f, g->op, 0, ev, n, bsize);
  ts_feed_end(g->op, 0);
}

static void count_sum(wcfg *c) {
  c->naggs = 2;
  c->aggs[0] = ts_agg("COUNT", NULL);
  c->aggs[1] = ts_agg("SUM", ts_v());
}

/* ---- Tumbling --------------------------------------------------------- */

/* Size 10, grace 0, EMIT FINAL: an event at exactly 10 opens [10, 20);
 * an event at 9 after the watermark reached 10 is late; before the
 * epoch, -1 lies in [-10, 0). */
static void test_tumbling_final_boundaries(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 10, .emit = SL_EMIT_FINAL};
  count_sum(&c);
  const ts_ev ev[] = {{-1, "c", 7}, {0, "a", 1},  {9, "a", 2}, {10, "a", 3},
                      {9, "a", 4},  {19, "b", 5}, {20, "a", 6}};
  for (int bsize = 1; bsize <= 7; bsize += 3) {
    ts_rig g;
    run(&c, ev, 7, 0, bsize, &g);
    TS_EXPECT(&g.got, "c|-10|0|1|7", "a|0|10|2|3", "a|10|20|1|3",
              "b|10|20|1|5", "a|20|30|1|6");
    assert_int_equal(ts_late(g.op), 1);
    sl_op_errors_stats est;
    sl_op_errors_stats_get(g.errors, &est);
    assert_int_equal(est.late, 1);
    ts_rig_free(&g);
  }
}

/* Grace 5, EMIT CHANGES: the window [0, 10) takes events until the
 * watermark reaches 15; at watermark 14 an event at 9 still counts, at
 * 15 it is late by exactly the grace.  COUNT(v) skips NULLs. */
static void test_tumbling_changes_grace(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 10, .grace = 5,
            .emit = SL_EMIT_CHANGES};
  count_sum(&c);
  c.aggs[2] = ts_agg("COUNT", ts_v());
  c.naggs = 3;
  const ts_ev ev[] = {{0, "a", 1},  {12, "a", 2},       {9, "a", 3},
                      {14, "a", 4}, {9, "a", 8},        {15, "a", 5},
                      {9, "a", 6},  {14, "a", TS_NULL}};
  ts_rig g;
  run(&c, ev, 8, 0, 2, &g);
  TS_EXPECT(&g.got, "a|0|10|1|1|1", "a|10|20|1|2|1", "a|0|10|2|4|2",
            "a|10|20|2|6|2", "a|0|10|3|12|3", "a|10|20|3|11|3",
            "a|10|20|4|11|3");
  assert_int_equal(ts_late(g.op), 1);
  assert_int_equal(sl_window_agg_open_windows(g.op), 0);
  ts_rig_free(&g);
}

/* EMIT FINAL at end + grace: the window closes when the watermark
 * reaches exactly 15, not at 14. */
static void test_tumbling_closes_at_end_plus_grace(void **state) {
  (void)state;
  sl_error err;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 10, .grace = 5,
            .emit = SL_EMIT_FINAL};
  count_sum(&c);
  ts_rig g;
  ts_rig_open(&g, mk(&c, NULL), ncols(&c), NULL);
  ts_feed f;
  ts_feed_init(&f, 0);
  const ts_ev ev[] = {{3, "a", 1}, {14, "b", 1}};
  ts_feed_events(&f, g.op, 0, ev, 2, 0);
  assert_int_equal(g.got.n, 0);
  OK(sl_op_push_watermark(g.op, 0, 15, &err));
  TS_EXPECT(&g.got, "a|0|10|1|1");
  assert_int_equal(sl_window_agg_open_windows(g.op), 1);
  ts_feed_end(g.op, 0);
  TS_EXPECT(&g.got, "a|0|10|1|1", "b|10|20|1|1");
  ts_rig_free(&g);
}

/* ---- Hopping ---------------------------------------------------------- */

/* Size 10, advance 5: 5 and 7 lie in [0, 10) and [5, 15), 10 in
 * [5, 15) and [10, 20).  At watermark 10, 4 is late (both its windows
 * closed) while 6 still joins [5, 15). */
static void test_hopping_final(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_HOPPING, .size = 10, .advance = 5,
            .emit = SL_EMIT_FINAL};
  count_sum(&c);
  const ts_ev ev[] = {{5, "a", 1}, {7, "a", 2}, {10, "a", 3}, {4, "a", 9},
                      {6, "a", 10}};
  for (int bsize = 1; bsize <= 5; bsize += 4) {
    ts_rig g;
    run(&c, ev, 5, 0, bsize, &g);
    TS_EXPECT(&g.got, "a|0|10|2|3", "a|5|15|4|16", "a|10|20|1|3");
    assert_int_equal(ts_late(g.op), 1);
    ts_rig_free(&g);
  }
}

/* EMIT CHANGES emits one row per window of the event, earliest first. */
static void test_hopping_changes(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_HOPPING, .size = 10, .advance = 5,
            .emit = SL_EMIT_CHANGES};
  count_sum(&c);
  const ts_ev ev[] = {{5, "a", 1}, {12, "a", 2}};
  ts_rig g;
  run(&c, ev, 2, 0, 0, &g);
  TS_EXPECT(&g.got, "a|0|10|1|1", "a|5|15|1|1", "a|5|15|2|3",
            "a|10|20|1|2");
  ts_rig_free(&g);
}

/* ---- Sessions --------------------------------------------------------- */

static const ts_ev session_events[] = {
    {0, "a", 1},  /* [0, 10) */
    {9, "a", 2},  /* extends to [0, 19) */
    {19, "a", 3}, /* exactly one gap after 9: a new session [19, 29) */
    {40, "a", 4}, /* [40, 50) */
    {30, "a", 5}, /* one gap from 40 and 11 from 19: [30, 40) */
    {35, "a", 6}, /* bridges [30, 40) and [40, 50) */
    {25, "a", 7}, /* bridges [19, 29) and [30, 50) */
    {60, "a", 8}, /* [60, 70); the watermark reaches 40 */
    {45, "b", 1},
    {8, "a", 9},  /* [0, 19) closed at watermark 40: late */
    {35, "a", 10} /* inside [19, 50): same bounds, no withdrawal */
};

/* Gap 10, out-of-orderness 20, EMIT CHANGES with withdrawals: every
 * merge withdraws the sessions it replaces. */
static void test_session_changes_merges(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_SESSION, .gap = 10, .emit = SL_EMIT_CHANGES,
            .withdraw = true};
  count_sum(&c);
  for (int bsize = 1; bsize <= 11; bsize += 5) {
    ts_rig g;
    run(&c, session_events, 11, 20, bsize, &g);
    TS_EXPECT(&g.got, "a|0|10|1|1", "-a|0|10|1|1", "a|0|19|2|3",
              "a|19|29|1|3", "a|40|50|1|4", "a|30|40|1|5",
              "-a|30|40|1|5", "-a|40|50|1|4", "a|30|50|3|15",
              "-a|19|29|1|3", "-a|30|50|3|15", "a|19|50|5|25",
              "a|60|70|1|8", "b|45|55|1|1", "a|19|50|6|35");
    assert_int_equal(ts_late(g.op), 1);
    ts_rig_free(&g);
  }
}

/* The same events with EMIT FINAL: one row per session when it closes,
 * by end. */
static void test_session_final(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_SESSION, .gap = 10, .emit = SL_EMIT_FINAL};
  count_sum(&c);
  for (int bsize = 1; bsize <= 11; bsize += 10) {
    ts_rig g;
    run(&c, session_events, 11, 20, bsize, &g);
    TS_EXPECT(&g.got, "a|0|19|2|3", "a|19|50|6|35", "b|45|55|1|1",
              "a|60|70|1|8");
    ts_rig_free(&g);
  }
}

/* Grace 5: at watermark 100 an event at 85 is late (85 + 10 + 5 = 100),
 * one at 86 is not and closes at 101. */
static void test_session_late_by_one(void **state) {
  (void)state;
  sl_error err;
  wcfg c = {.kind = SL_WINDOW_SESSION, .gap = 10, .grace = 5,
            .emit = SL_EMIT_FINAL};
  count_sum(&c);
  ts_rig g;
  ts_rig_open(&g, mk(&c, NULL), ncols(&c), NULL);
  ts_feed f;
  ts_feed_init(&f, 0);
  const ts_ev ev[] = {{100, "a", 1}, {85, "b", 1}, {86, "b", 2}};
  ts_feed_events(&f, g.op, 0, ev, 3, 1);
  assert_int_equal(ts_late(g.op), 1);
  assert_int_equal(g.got.n, 0);
  OK(sl_op_push_watermark(g.op, 0, 101, &err));
  TS_EXPECT(&g.got, "b|86|96|1|2");
  ts_feed_end(g.op, 0);
  TS_EXPECT(&g.got, "b|86|96|1|2", "a|100|110|1|1");
  ts_rig_free(&g);
}

/* An event before a session's first event within one gap extends it
 * backwards; exactly one gap before splits. */
static void test_session_backwards(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_SESSION, .gap = 10, .emit = SL_EMIT_CHANGES,
            .withdraw = true};
  count_sum(&c);
  const ts_ev ev[] = {{50, "a", 1}, {41, "a", 2}, {31, "a", 4}};
  ts_rig g;
  run(&c, ev, 3, 100, 1, &g);
  TS_EXPECT(&g.got, "a|50|60|1|1", "-a|50|60|1|1", "a|41|60|2|3",
            "a|31|41|1|4");
  ts_rig_free(&g);
}

/* A session absorbed by a merge leaves memory and the store at once:
 * [30, 40) and [41, 51) are both open (grace 10) when 35 bridges them
 * into [30, 51).  The next checkpoint holds one window fewer, a restore
 * of it finds only the merged session, and EMIT FINAL emits only that;
 * EMIT CHANGES withdraws both rows it replaces before the merged one. */
static void test_session_merge_evicts(void **state) {
  (void)state;
  sl_error err;
  const ts_ev ev[] = {{30, "a", 1}, {41, "a", 2}, {35, "a", 3}};
  for (int mode = 0; mode < 2; mode++) {
    char *dir = test_tmpdir();
    char path[1024];
    snprintf(path, sizeof(path), "%s/cat.db", dir);
    sl_catalog *cat;
    OK(sl_catalog_open(path, &cat, &err));
    sl_state *st;
    OK(sl_state_open(cat, "q", &st, &err));

    wcfg c = {.kind = SL_WINDOW_SESSION, .gap = 10, .grace = 10,
              .emit = mode ? SL_EMIT_FINAL : SL_EMIT_CHANGES,
              .withdraw = true};
    count_sum(&c);
    ts_rig g;
    ts_rig_open(&g, mk(&c, "w"), ncols(&c), st);
    ts_feed f;
    ts_feed_init(&f, 0);
    ts_feed_events(&f, g.op, 0, ev, 2, 1);
    assert_int_equal(sl_window_agg_open_windows(g.op), 2);
    sl_op_ckpt ck = {.id = 1, .state = st};
    OK(sl_op_checkpoint(g.op, &ck, &err));
    OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
    int64_t two, one, bytes;
    sl_state_size(st, &two, &bytes);

    ts_feed_events(&f, g.op, 0, ev + 2, 1, 1);
    assert_int_equal(sl_window_agg_open_windows(g.op), 1);
    ck.id = 2;
    OK(sl_op_checkpoint(g.op, &ck, &err));
    OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
    sl_state_size(st, &one, &bytes);
    assert_int_equal(one, two - 1);
    if (mode)
      assert_int_equal(g.got.n, 0);
    else
      TS_EXPECT(&g.got, "a|30|40|1|1", "a|41|51|1|2", "-a|30|40|1|1",
                "-a|41|51|1|2", "a|30|51|3|6");
    ts_rig_free(&g);
    sl_state_close(st);

    /* The checkpoint after the merge restores the merged session alone. */
    OK(sl_state_open(cat, "q", &st, &err));
    OK(sl_state_restore(st, NULL, &err));
    ts_rig_open(&g, mk(&c, "w"), ncols(&c), st);
    int32_t p0 = 0;
    OK(sl_op_partitions(g.op, &p0, 1, true, &err));
    assert_int_equal(sl_window_agg_open_windows(g.op), 1);
    ts_feed_end(g.op, 0);
    if (mode)
      TS_EXPECT(&g.got, "a|30|51|3|6");
    else
      assert_int_equal(g.got.n, 0);
    assert_int_equal(sl_window_agg_open_windows(g.op), 0);
    ts_rig_free(&g);
    sl_state_close(st);
    sl_catalog_close(cat);
    test_rmtree(dir);
    free(dir);
  }
}

/* An event an aggregate refuses still bridges what it touches: [0, 10)
 * and [15, 25) become [0, 25) without the event (SUM would overflow),
 * and the merged row follows the two withdrawals. */
static void test_session_refused_bridge(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_SESSION, .gap = 10, .emit = SL_EMIT_CHANGES,
            .withdraw = true};
  count_sum(&c);
  const ts_ev ev[] = {{0, "a", INT64_MAX - 1}, {15, "a", 1}, {9, "a", 5}};
  ts_rig g;
  run(&c, ev, 3, 100, 1, &g);
  char first[64], merged[64];
  snprintf(first, sizeof(first), "a|0|10|1|%lld", (long long)INT64_MAX - 1);
  char withdrawn[66];
  snprintf(withdrawn, sizeof(withdrawn), "-%s", first);
  snprintf(merged, sizeof(merged), "a|0|25|2|%lld", (long long)INT64_MAX);
  TS_EXPECT(&g.got, first, "a|15|25|1|1", withdrawn, "-a|15|25|1|1",
            merged);
  sl_op_stats st;
  sl_op_stats_get(g.op, &st);
  assert_int_equal(st.records_failed, 1);
  ts_rig_free(&g);
}

/* ---- Aggregates ------------------------------------------------------- */

/* Only NULL values: COUNT(*) counts rows, COUNT(v) is 0, SUM, MIN, MAX,
 * AVG are NULL; a NULL key is a group of its own. */
static void test_null_aggregates(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 10, .emit = SL_EMIT_FINAL};
  c.naggs = 6;
  c.aggs[0] = ts_agg("COUNT", NULL);
  c.aggs[1] = ts_agg("COUNT", ts_v());
  c.aggs[2] = ts_agg("SUM", ts_v());
  c.aggs[3] = ts_agg("MIN", ts_v());
  c.aggs[4] = ts_agg("MAX", ts_v());
  c.aggs[5] = ts_agg("AVG", ts_v());
  const ts_ev ev[] = {{1, "a", TS_NULL}, {2, "a", TS_NULL}, {3, NULL, 5},
                      {4, NULL, 6}};
  ts_rig g;
  run(&c, ev, 4, 0, 0, &g);
  TS_EXPECT(&g.got, "a|0|10|2|0|NULL|NULL|NULL|NULL",
            "NULL|0|10|2|2|11|5|6|5.5");
  ts_rig_free(&g);
}

/* COUNT(DISTINCT v) twice in one query, FIRST and LAST by event time
 * with events out of order (ties by arrival). */
static void test_distinct_first_last(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 100, .emit = SL_EMIT_FINAL};
  c.naggs = 5;
  c.aggs[0] = ts_agg2("COUNT", ts_v(), NULL, true);
  c.aggs[1] = ts_agg2("SUM", ts_v(), NULL, true);
  c.aggs[2] = ts_agg("SUM", ts_v());
  c.aggs[3] = ts_agg("FIRST", ts_v());
  c.aggs[4] = ts_agg("LAST", ts_v());
  const ts_ev ev[] = {{50, "a", 3}, {20, "a", 3}, {70, "a", 4},
                      {20, "a", 5}, {70, "a", 6}, {60, "a", 3}};
  ts_rig g;
  run(&c, ev, 6, 100, 2, &g);
  TS_EXPECT(&g.got, "a|0|100|4|18|24|3|6");
  ts_rig_free(&g);
}

/* An integer SUM that leaves BIGINT fails its row (the sum keeps its
 * value); the window's COUNT does not count it either. */
static void test_sum_overflow(void **state) {
  (void)state;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 10, .emit = SL_EMIT_FINAL};
  count_sum(&c);
  const ts_ev ev[] = {{1, "a", INT64_MAX}, {2, "a", 1}, {3, "a", -5}};
  ts_rig g;
  ts_rig_open(&g, mk(&c, NULL), ncols(&c), NULL);
  ts_feed f;
  ts_feed_init(&f, 0);
  int64_t wm[3];
  sl_batch *b = ts_batch(&f, ev, 3, wm);
  sl_op_batch in = {.batch = b, .row_watermark = wm, .topic = "in"};
  sl_error err;
  OK(sl_op_process(g.op, 0, &in, &err));
  assert_int_equal(b->rows[1].state, SL_BATCH_ROW_ERROR);
  assert_string_equal(b->rows[1].error->reason, "overflow");
  assert_int_equal(b->rows[0].state, SL_BATCH_ROW_SELECTED);
  ts_feed_end(g.op, 0);
  char want[64];
  snprintf(want, sizeof(want), "a|0|10|2|%lld", (long long)INT64_MAX - 5);
  TS_EXPECT(&g.got, want);
  sl_batch_free(b);
  ts_rig_free(&g);
}

/* ---- Properties ------------------------------------------------------- */

/* A small deterministic generator. */
static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static const char *const keys[] = {"a", "b", "c", "d", "e"};

static ts_ev *random_events(int n, int64_t disorder) {
  ts_ev *ev = calloc((size_t)n, sizeof(*ev));
  int64_t t = 1000;
  for (int i = 0; i < n; i++) {
    t += (int64_t)(rng() % 7);
    ev[i].ts = t - (int64_t)(rng() % (uint64_t)(disorder + 1));
    ev[i].k = keys[rng() % 5];
    ev[i].v = (rng() % 10 == 0) ? TS_NULL : (int64_t)(rng() % 100);
  }
  return ev;
}

/* For every window kind and mode, the rows do not depend on how the
 * input is batched. */
static void test_batching_independent(void **state) {
  (void)state;
  rng_state = 0x9e3779b97f4a7c15ull;
  int n = 600;
  ts_ev *ev = random_events(n, 40);
  wcfg cfgs[] = {
      {.kind = SL_WINDOW_TUMBLING, .size = 50, .grace = 10},
      {.kind = SL_WINDOW_HOPPING, .size = 60, .advance = 20, .grace = 5},
      {.kind = SL_WINDOW_SESSION, .gap = 8, .grace = 3, .withdraw = true},
  };
  for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
    for (int mode = 0; mode < 2; mode++) {
      wcfg c = cfgs[i];
      c.emit = mode ? SL_EMIT_FINAL : SL_EMIT_CHANGES;
      count_sum(&c);
      ts_rig one, many;
      run(&c, ev, n, 20, 1, &one);
      run(&c, ev, n, 20, 97, &many);
      assert_true(one.got.n > 0);
      ts_same(&many.got, &one.got);
      assert_int_equal(ts_late(one.op), ts_late(many.op));
      ts_rig_free(&one);
      ts_rig_free(&many);
    }
  }
  free(ev);
}

/* Equal keys from two partitions are two groups; a revoked partition's
 * windows leave memory. */
static void test_partitions(void **state) {
  (void)state;
  sl_error err;
  wcfg c = {.kind = SL_WINDOW_TUMBLING, .size = 10, .emit = SL_EMIT_FINAL};
  count_sum(&c);
  ts_rig g;
  ts_rig_open(&g, mk(&c, NULL), ncols(&c), NULL);
  ts_feed f0, f1;
  ts_feed_init(&f0, 0);
  ts_feed_init(&f1, 0);
  f1.partition = 1;
  const ts_ev ev[] = {{1, "a", 1}, {2, "a", 2}};
  ts_feed_events(&f0, g.op, 0, ev, 1, 0);
  ts_feed_events(&f1, g.op, 0, ev + 1, 1, 0);
  assert_int_equal(sl_window_agg_open_windows(g.op), 2);
  int32_t one = 1;
  OK(sl_op_partitions(g.op, &one, 1, false, &err));
  assert_int_equal(sl_window_agg_open_windows(g.op), 1);
  ts_feed_end(g.op, 0);
  TS_EXPECT(&g.got, "a|0|10|1|1");
  ts_rig_free(&g);
}

/* ---- Checkpoint and restore ------------------------------------------- */

/* Feeds the first part, checkpoints, feeds the rest; then restores the
 * checkpoint into a new operator, feeds the rest again with the same
 * watermarks, and expects the same rows after the checkpoint. */
static void checkpoint_restore(wcfg *c, const ts_ev *ev, int n, int cut,
                               int64_t delay) {
  sl_error err;
  char *dir = test_tmpdir();
  char path[1024];
  snprintf(path, sizeof(path), "%s/cat.db", dir);
  sl_catalog *cat;
  OK(sl_catalog_open(path, &cat, &err));

  sl_state *st;
  OK(sl_state_open(cat, "q", &st, &err));
  ts_rig g;
  ts_rig_open(&g, mk(c, "w"), ncols(c), st);
  ts_feed f;
  ts_feed_init(&f, delay);
  ts_feed_events(&f, g.op, 0, ev, cut, 3);
  sl_op_ckpt ck = {.id = 1, .state = st};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
  int before = g.got.n;
  ts_feed saved = f;
  ts_feed_events(&f, g.op, 0, ev + cut, n - cut, 4);
  ts_feed_end(g.op, 0);
  ts_sink after = {0};
  for (int i = before; i < g.got.n; i++)
    ts_sink_add(&after, g.got.lines[i]);
  ts_rig_free(&g);
  sl_state_close(st);

  OK(sl_state_open(cat, "q", &st, &err));
  int64_t id = 0;
  OK(sl_state_restore(st, &id, &err));
  assert_int_equal(id, 1);
  ts_rig_open(&g, mk(c, "w"), ncols(c), st);
  int32_t p0 = 0;
  OK(sl_op_partitions(g.op, &p0, 1, true, &err));
  f = saved;
  ts_feed_events(&f, g.op, 0, ev + cut, n - cut, 5);
  ts_feed_end(g.op, 0);
  ts_same(&g.got, &after);
  ts_rig_free(&g);
  sl_state_close(st);

  ts_sink_clear(&after);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
}

static void test_checkpoint_restore(void **state) {
  (void)state;
  rng_state = 12345;
  int n = 400;
  ts_ev *ev = random_events(n, 30);
  wcfg cfgs[] = {
      {.kind = SL_WINDOW_TUMBLING, .size = 40, .grace = 10,
       .emit = SL_EMIT_FINAL},
      {.kind = SL_WINDOW_HOPPING, .size = 40, .advance = 10,
       .emit = SL_EMIT_CHANGES},
      {.kind = SL_WINDOW_SESSION, .gap = 6, .grace = 2,
       .emit = SL_EMIT_CHANGES, .withdraw = true},
  };
  for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
    wcfg c = cfgs[i];
    c.naggs = 4;
    c.aggs[0] = ts_agg("COUNT", NULL);
    c.aggs[1] = ts_agg("SUM", ts_v());
    c.aggs[2] = ts_agg("MAX", ts_v());
    c.aggs[3] = ts_agg2("COUNT", ts_v(), NULL, true);
    checkpoint_restore(&c, ev, n, 217, 15);
  }
  free(ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tumbling_final_boundaries),
      cmocka_unit_test(test_tumbling_changes_grace),
      cmocka_unit_test(test_tumbling_closes_at_end_plus_grace),
      cmocka_unit_test(test_hopping_final),
      cmocka_unit_test(test_hopping_changes),
      cmocka_unit_test(test_session_changes_merges),
      cmocka_unit_test(test_session_final),
      cmocka_unit_test(test_session_late_by_one),
      cmocka_unit_test(test_session_backwards),
      cmocka_unit_test(test_session_merge_evicts),
      cmocka_unit_test(test_session_refused_bridge),
      cmocka_unit_test(test_null_aggregates),
      cmocka_unit_test(test_distinct_first_last),
      cmocka_unit_test(test_sum_overflow),
      cmocka_unit_test(test_batching_independent),
      cmocka_unit_test(test_partitions),
      cmocka_unit_test(test_checkpoint_restore),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
