/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_over.c - LAG and sliding OVER aggregates: ties in event time by
 * arrival, defaults, rows out of order seeing the history as of their
 * own time, the RANGE boundary (ts >= current.ts - x included), NULL
 * values, late rows, history bounded by the range and the LAG offset,
 * results independent of batching, checkpoint then restore.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/common/log.h"
#include "engine/ops/over.h"

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

static sl_over_call lag(int64_t n, sl_bexpr *dflt) {
  sl_over_call c;
  memset(&c, 0, sizeof(c));
  c.kind = SL_OVER_LAG;
  c.agg.name = "LAG";
  c.agg.nargs = 1;
  c.agg.args = sl_arena_calloc(&tb_arena, 1, sizeof(*c.agg.args));
  c.agg.args[0] = ts_v();
  c.agg.type = sl_type_bigint();
  c.lag_offset = n;
  c.lag_default = dflt;
  return c;
}

static sl_over_call slide(const char *name, sl_bexpr *arg, int64_t range) {
  sl_over_call c;
  memset(&c, 0, sizeof(c));
  c.kind = SL_OVER_AGGREGATE;
  c.agg = ts_agg(name, arg);
  c.has_range = true;
  c.range_ms = range;
  return c;
}

/* PARTITION BY k with the given calls over (k, v). */
static sl_op *mk(int ncalls, const sl_over_call *calls, const char *name) {
  sl_error err;
  sl_bexpr **keys = sl_arena_calloc(&tb_arena, 1, sizeof(*keys));
  keys[0] = ts_k();
  sl_over_spec spec = {.state_name = name, .ninput = 2, .npartition = 1,
                       .partition_by = keys, .ncalls = ncalls,
                       .calls = calls};
  sl_op *op;
  OK(sl_over_new(&spec, NULL, &op, &err));
  return op;
}

static void run(ts_rig *g, int ncalls, const sl_over_call *calls,
                const ts_ev *ev, int n, int64_t delay, int bsize) {
  ts_rig_open(g, mk(ncalls, calls, NULL), 2 + ncalls, NULL);
  ts_feed f;
  ts_feed_init(&f, delay);
  ts_feed_events(&f, g->op, 0, ev, n, bsize);
  ts_feed_end(g->op, 0);
}

/* LAG(v) and LAG(v, 2, -1): a tie in event time goes by arrival; a row
 * out of order sees only the rows at or before its time. */
static void test_lag_ties_defaults(void **state) {
  (void)state;
  sl_over_call calls[] = {lag(1, NULL), lag(2, tb_bigint(-1))};
  const ts_ev ev[] = {{10, "a", 1}, {20, "a", 2}, {20, "a", 3},
                      {15, "a", 4}, {20, "a", 5}, {5, "b", 6}};
  for (int bsize = 1; bsize <= 6; bsize += 5) {
    ts_rig g;
    run(&g, 2, calls, ev, 6, 100, bsize);
    TS_EXPECT(&g.got, "a|1|NULL|-1", "a|2|1|-1", "a|3|2|1", "a|4|1|-1",
              "a|5|3|2", "b|6|NULL|-1");
    ts_rig_free(&g);
  }
}

/* RANGE 10: the row exactly 10 ms before is in, 11 ms before is out;
 * NULLs count for COUNT(*) only; rows out of order get their own range
 * and, when inside the running range, join it. */
static void test_sliding_boundary(void **state) {
  (void)state;
  sl_over_call calls[] = {slide("COUNT", NULL, 10), slide("SUM", ts_v(), 10),
                          slide("MIN", ts_v(), 10), slide("MAX", ts_v(), 10),
                          slide("AVG", ts_v(), 10)};
  const ts_ev ev[] = {{0, "a", 1},  {5, "a", 2},        {10, "a", 3},
                      {11, "a", 4}, {21, "a", 5},       {21, "a", TS_NULL},
                      {9, "a", 6},  {25, "a", 7},       {16, "a", 8},
                      {26, "a", 9}};
  ts_rig g;
  run(&g, 5, calls, ev, 10, 100, 3);
  TS_EXPECT(&g.got, "a|1|1|1|1|1|1", "a|2|2|3|1|2|1.5", "a|3|3|6|1|3|2",
            "a|4|3|9|2|4|3", "a|5|2|9|4|5|4.5", "a|NULL|3|9|4|5|4.5",
            "a|6|3|9|1|6|3", "a|7|3|12|5|7|6", "a|8|4|21|3|8|5.25",
            "a|9|5|29|5|9|7.25");
  ts_rig_free(&g);
}

/* STDDEV (sample) and STDDEV_POP over a sliding range. */
static void test_sliding_stddev(void **state) {
  (void)state;
  sl_over_call calls[] = {slide("STDDEV", tb_cast(sl_type_double(), ts_v()),
                                100),
                          slide("STDDEV_POP",
                                tb_cast(sl_type_double(), ts_v()), 100)};
  const ts_ev ev[] = {{0, "a", 2}, {1, "a", 4}, {2, "a", 4}, {3, "a", 4},
                      {4, "a", 5}, {5, "a", 5}, {6, "a", 7}, {7, "a", 9},
                      {200, "a", 1}};
  ts_rig g;
  run(&g, 2, calls, ev, 9, 0, 4);
  assert_int_equal(g.got.n, 9);
  /* One value: sample NULL, population 0.  All eight (mean 5, squared
   * deviations 32): sample sqrt(32 / 7), population 2.  Past the range:
   * one value again. */
  assert_string_equal(g.got.lines[0], "a|2|NULL|0");
  const char *l7 = g.got.lines[7];
  assert_true(strncmp(l7, "a|9|", 4) == 0);
  char *end;
  double sample = strtod(l7 + 4, &end);
  assert_double_near(sample, 2.1380899352993952, 1e-12);
  assert_string_equal(end, "|2");
  assert_string_equal(g.got.lines[8], "a|1|NULL|0");
  ts_rig_free(&g);
}

/* At watermark 10 a row at 5 is late and dropped; a tie at 10 is not. */
static void test_late(void **state) {
  (void)state;
  sl_over_call calls[] = {lag(1, NULL)};
  const ts_ev ev[] = {{10, "a", 1}, {5, "a", 2}, {10, "a", 3}};
  ts_rig g;
  run(&g, 1, calls, ev, 3, 0, 2);
  TS_EXPECT(&g.got, "a|1|NULL", "a|3|1");
  assert_int_equal(ts_late(g.op), 1);
  ts_rig_free(&g);
}

/* The history keeps what later rows can see: the range of the
 * watermark, the last n rows before it for LAG n. */
static void test_bounded_history(void **state) {
  (void)state;
  ts_ev ev[100];
  for (int i = 0; i < 100; i++)
    ev[i] = (ts_ev){i, "a", i};
  sl_over_call ranged[] = {slide("SUM", ts_v(), 10)};
  sl_over_call lagged[] = {lag(2, NULL)};
  sl_over_call both[] = {slide("SUM", ts_v(), 10), lag(2, NULL)};
  struct {
    sl_over_call *calls;
    int n;
    long rows;
  } cases[] = {{ranged, 1, 11}, {lagged, 1, 3}, {both, 2, 11}};
  for (int i = 0; i < 3; i++) {
    ts_rig g;
    ts_rig_open(&g, mk(cases[i].n, cases[i].calls, NULL), 2 + cases[i].n,
                NULL);
    ts_feed f;
    ts_feed_init(&f, 0);
    ts_feed_events(&f, g.op, 0, ev, 100, 7);
    assert_int_equal(sl_over_history_rows(g.op), cases[i].rows);
    ts_rig_free(&g);
  }
  /* The sums stay right while rows leave: 89 + ... + 99. */
  ts_rig g;
  run(&g, 1, ranged, ev, 100, 0, 7);
  assert_string_equal(g.got.lines[99], "a|99|1034");
  ts_rig_free(&g);
}

/* ---- Properties ------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static ts_ev *random_events(int n) {
  static const char *const keys[] = {"a", "b", "c"};
  ts_ev *ev = calloc((size_t)n, sizeof(*ev));
  int64_t t = 0;
  for (int i = 0; i < n; i++) {
    t += (int64_t)(rng() % 4);
    ev[i].ts = t - (int64_t)(rng() % 9);
    ev[i].k = keys[rng() % 3];
    ev[i].v = rng() % 8 == 0 ? TS_NULL : (int64_t)(rng() % 50);
  }
  return ev;
}

static sl_over_call mixed[4];

static void mixed_calls(void) {
  mixed[0] = lag(1, tb_bigint(0));
  mixed[1] = slide("SUM", ts_v(), 6);
  mixed[2] = slide("MAX", ts_v(), 9);
  mixed[3] = lag(3, NULL);
}

static void test_batching_independent(void **state) {
  (void)state;
  rng_state = 99;
  int n = 700;
  ts_ev *ev = random_events(n);
  mixed_calls();
  ts_rig a, b;
  run(&a, 4, mixed, ev, n, 5, 1);
  run(&b, 4, mixed, ev, n, 5, 64);
  assert_true(ts_late(a.op) > 0);
  assert_int_equal(ts_late(a.op), ts_late(b.op));
  ts_same(&b.got, &a.got);
  ts_rig_free(&a);
  ts_rig_free(&b);
  free(ev);
}

static void test_checkpoint_restore(void **state) {
  (void)state;
  sl_error err;
  rng_state = 5;
  int n = 500, cut = 251;
  ts_ev *ev = random_events(n);
  mixed_calls();
  char *dir = test_tmpdir();
  char path[1024];
  snprintf(path, sizeof(path), "%s/cat.db", dir);
  sl_catalog *cat;
  OK(sl_catalog_open(path, &cat, &err));
  sl_state *st;
  OK(sl_state_open(cat, "q", &st, &err));

  ts_rig g;
  ts_rig_open(&g, mk(4, mixed, "o"), 6, st);
  ts_feed f;
  ts_feed_init(&f, 5);
  ts_feed_events(&f, g.op, 0, ev, cut, 9);
  sl_op_ckpt ck = {.id = 1, .state = st};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
  int before = g.got.n;
  long rows = sl_over_history_rows(g.op);
  ts_feed saved = f;
  ts_feed_events(&f, g.op, 0, ev + cut, n - cut, 9);
  ts_sink after = {0};
  for (int i = before; i < g.got.n; i++)
    ts_sink_add(&after, g.got.lines[i]);
  ts_rig_free(&g);
  sl_state_close(st);

  OK(sl_state_open(cat, "q", &st, &err));
  OK(sl_state_restore(st, NULL, &err));
  ts_rig_open(&g, mk(4, mixed, "o"), 6, st);
  int32_t p0 = 0;
  OK(sl_op_partitions(g.op, &p0, 1, true, &err));
  assert_int_equal(sl_over_history_rows(g.op), rows);
  f = saved;
  ts_feed_events(&f, g.op, 0, ev + cut, n - cut, 4);
  ts_same(&g.got, &after);
  ts_rig_free(&g);
  sl_state_close(st);
  ts_sink_clear(&after);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
  free(ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lag_ties_defaults),
      cmocka_unit_test(test_sliding_boundary),
      cmocka_unit_test(test_sliding_stddev),
      cmocka_unit_test(test_late),
      cmocka_unit_test(test_bounded_history),
      cmocka_unit_test(test_batching_independent),
      cmocka_unit_test(test_checkpoint_restore),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
