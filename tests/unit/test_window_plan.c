/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_window_plan.c - from SQL to running stateful operators: queries
 * are parsed and bound, plan_stateful chooses and describes each one's
 * operator (window and group aggregation with their EMIT modes, interval
 * join with a residual, temporal join, LAG, top-N under a subquery's
 * filter), the operator is made and fed, and its rows checked; and what
 * cannot run is refused with the right message.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/common/log.h"
#include "engine/plan/plan.h"
#include "engine/plan/plan_internal.h"
#include "engine/plan/plan_stateful.h"
#include "parser/bind.h"
#include "parser/parser.h"

typedef struct fixture {
  sl_catalog *cat;
  sl_func_registry *reg;
} fixture;

static fixture fx;

static const char *schema_sql =
    "CREATE STREAM s (k VARCHAR, v BIGINT, ts TIMESTAMP) "
    "WITH (timestamp='ts');"
    "CREATE STREAM b (k VARCHAR, v BIGINT, ts TIMESTAMP) "
    "WITH (timestamp='ts');"
    "CREATE TABLE m (id VARCHAR PRIMARY KEY, risk BIGINT) "
    "WITH (versioned=true);";

/* Binds and applies the statements of sql; returns the last one. */
static sl_bound_stmt *bind(const char *sql) {
  sl_error err;
  sl_parse_result *r = NULL;
  OK(sl_parse_script("t.sql", sql, NULL, &r, &err));
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, fx.cat, fx.reg, r);
  sl_bound_stmt *last = NULL;
  for (int i = 0; i < r->nstmts; i++) {
    sl_bound_stmt_free(last);
    last = NULL;
    OK(sl_bind_stmt(&ctx, r->stmts[i], &last, &err));
    OK(sl_bind_apply(&ctx, last, NULL, &err));
  }
  sl_parse_result_free(r);
  return last;
}

static int setup(void **state) {
  (void)state;
  sl_error err;
  tb_init();
  sl_log_set_level(SL_LOG_ERROR);
  OK(sl_catalog_open(":memory:", &fx.cat, &err));
  fx.reg = sl_func_registry_new(sl_func_registry_builtin());
  sl_bound_stmt_free(bind(schema_sql));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sl_func_registry_free(fx.reg);
  sl_catalog_close(fx.cat);
  tb_done();
  return 0;
}

/* The first relation of the tree, depth first, that the stateful
 * operators claim. */
static const sl_rel *claimed(const sl_rel *r) {
  if (!r)
    return NULL;
  if (sl_plan_stateful_claims(r))
    return r;
  if (r->kind == SL_REL_JOIN) {
    const sl_rel *x = claimed(r->u.join.left);
    return x ? x : claimed(r->u.join.right);
  }
  return claimed(r->input);
}

/* A planner with an empty plan of its own. */
typedef struct planning {
  sl_plan *plan;
  sl_plan_request req;
  sl_planner p;
  sl_error err;
} planning;

static void planning_init(planning *pl, bool bounded) {
  memset(pl, 0, sizeof(*pl));
  pl->plan = calloc(1, sizeof(*pl->plan));
  sl_arena_init(&pl->plan->arena, 0);
  pl->req.bounded = bounded;
  pl->req.file = "t.sql";
  pl->p.plan = pl->plan;
  pl->p.req = &pl->req;
  pl->p.err = &pl->err;
}

static void planning_done(planning *pl) {
  free(pl->p.tmap_from);
  free(pl->p.tmap_to);
  sl_plan_free(pl->plan);
}

/* Describes the claimed relation of the last statement of sql. */
static sl_bound_stmt *describe(const char *sql, planning *pl,
                               sl_plan_stateful *st) {
  sl_bound_stmt *b = bind(sql);
  const sl_rel *rel = claimed(b->query);
  assert_non_null(rel);
  sl_status rc = sl_plan_stateful_describe(&pl->p, rel, st);
  if (rc)
    fail_msg("describe failed: %s", pl->err.message);
  return b;
}

/* Rows of a stream scan: k, v, ts, ROWTIME, ROWPARTITION, ROWOFFSET. */
static void push_rows(sl_op *op, int port, const ts_ev *ev, int n,
                      int64_t *wm_state) {
  sl_error err;
  sl_batch *bt = sl_batch_create(6, n);
  int64_t *wm = calloc((size_t)n, sizeof(*wm));
  for (int i = 0; i < n; i++) {
    int r = sl_batch_append_row(bt);
    bt->rows[r].partition = 0;
    bt->rows[r].offset = i;
    bt->rows[r].event_time = ev[i].ts;
    bt->cols[0][r] = ev[i].k ? sl_value_varchar(ev[i].k, strlen(ev[i].k))
                             : sl_value_null();
    bt->cols[1][r] = ev[i].v == TS_NULL ? sl_value_null()
                                        : sl_value_bigint(ev[i].v);
    bt->cols[2][r] = sl_value_timestamp(ev[i].ts);
    bt->cols[3][r] = sl_value_timestamp(ev[i].ts);
    bt->cols[4][r] = sl_value_int(0);
    bt->cols[5][r] = sl_value_bigint(i);
    wm[r] = *wm_state;
    if (ev[i].ts > *wm_state)
      *wm_state = ev[i].ts;
  }
  sl_op_batch in = {.batch = bt, .row_watermark = wm,
                    .topic = port ? "right" : "in"};
  OK(sl_op_process(op, port, &in, &err));
  OK(sl_op_push_watermark(op, port, *wm_state, &err));
  sl_batch_free(bt);
  free(wm);
}

/* Makes the operator of st and opens it with a collecting sink. */
static void run_ops(const sl_plan_stateful *st, int ncols, ts_rig *g) {
  sl_error err;
  sl_op *op;
  OK(sl_plan_stateful_make(st, "n1", NULL, &op, &err));
  ts_rig_open(g, op, ncols, NULL);
}

static void test_window_final(void **state) {
  (void)state;
  planning pl;
  planning_init(&pl, false);
  sl_plan_stateful st;
  sl_bound_stmt *b = describe(
      "SELECT k, COUNT(*) AS n, SUM(v) FROM s WINDOW TUMBLING (SIZE 10 "
      "SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY k EMIT FINAL;",
      &pl, &st);
  assert_int_equal(st.kind, SL_STATEFUL_WINDOW_AGG);
  sl_error err;
  sl_strbuf sb = SL_STRBUF_INIT;
  OK(sl_plan_stateful_explain(&st, &sb));
  assert_non_null(strstr(sb.data, "WindowAgg tumbling size=10000ms "
                                  "grace=2000ms emit=final"));
  sl_strbuf_free(&sb);
  ts_rig g;
  run_ops(&st, 5, &g);
  int64_t wm = SL_WATERMARK_NONE;
  const ts_ev ev[] = {{1000, "a", 1}, {9999, "a", 2}, {10000, "a", 4},
                      {11999, "a", 8}, {9000, "a", 16}, {12000, "b", 1},
                      {9000, "a", 32}};
  push_rows(g.op, 0, ev, 7, &wm);
  ts_feed_end(g.op, 0);
  /* 9000 at watermark 11999 still counts (10000 + 2000 not reached); at
   * 12000 it is late. */
  TS_EXPECT(&g.got, "a|0|10000|3|19", "a|10000|20000|2|12",
            "b|10000|20000|1|1");
  assert_int_equal(ts_late(g.op), 1);
  ts_rig_free(&g);
  sl_bound_stmt_free(b);
  planning_done(&pl);
}

/* GROUP BY without a window and without EMIT: a bounded query gets the
 * final table, a running one its changes. */
static void test_group_modes(void **state) {
  (void)state;
  const char *sql = "SELECT k, COUNT(*) FROM s GROUP BY k;";
  for (int bounded = 0; bounded < 2; bounded++) {
    planning pl;
    planning_init(&pl, bounded);
    sl_plan_stateful st;
    sl_bound_stmt *b = describe(sql, &pl, &st);
    assert_int_equal(st.kind, SL_STATEFUL_GROUP_AGG);
    assert_int_equal(st.u.group_agg.emit,
                     bounded ? SL_EMIT_FINAL : SL_EMIT_CHANGES);
    ts_rig g;
    run_ops(&st, 2, &g);
    int64_t wm = SL_WATERMARK_NONE;
    const ts_ev ev[] = {{1, "a", 1}, {2, "a", 2}, {3, "b", 3}};
    push_rows(g.op, 0, ev, 3, &wm);
    ts_feed_end(g.op, 0);
    if (bounded)
      TS_EXPECT(&g.got, "a|2", "b|1");
    else
      TS_EXPECT(&g.got, "a|1", "a|2", "b|1");
    ts_rig_free(&g);
    sl_bound_stmt_free(b);
    planning_done(&pl);
  }
}

/* WITHIN 5 SECONDS with a residual condition beyond the key. */
static void test_interval_join(void **state) {
  (void)state;
  planning pl;
  planning_init(&pl, false);
  sl_plan_stateful st;
  sl_bound_stmt *b = describe(
      "SELECT s.k, s.v, b.v FROM s LEFT JOIN b WITHIN 5 SECONDS "
      "ON s.k = b.k AND s.v < b.v;",
      &pl, &st);
  assert_int_equal(st.kind, SL_STATEFUL_INTERVAL_JOIN);
  assert_int_equal(st.ninputs, 2);
  assert_int_equal(st.u.interval_join.nleft, 6);
  assert_non_null(st.u.interval_join.residual);
  sl_error err;
  sl_strbuf sb = SL_STRBUF_INIT;
  OK(sl_plan_stateful_explain(&st, &sb));
  assert_non_null(strstr(sb.data, "IntervalJoin left within=(5000ms, "
                                  "5000ms) grace=0ms with residual"));
  sl_strbuf_free(&sb);

  ts_rig g;
  run_ops(&st, 12, &g);
  int64_t wl = SL_WATERMARK_NONE, wr = SL_WATERMARK_NONE;
  const ts_ev left[] = {{10000, "a", 5}, {20000, "c", 1}};
  const ts_ev right[] = {{10000, "a", 1}, {15000, "a", 6}, {15001, "a", 7}};
  push_rows(g.op, 0, left, 2, &wl);
  push_rows(g.op, 1, right, 3, &wr);
  ts_feed_end(g.op, 0);
  ts_feed_end(g.op, 1);
  assert_int_equal(g.got.n, 2);
  assert_true(strncmp(g.got.lines[0], "a|5|10000|", 10) == 0);
  assert_true(strstr(g.got.lines[0], "|a|6|15000|") != NULL);
  assert_true(strncmp(g.got.lines[1], "c|1|20000|", 10) == 0);
  assert_true(strstr(g.got.lines[1], "|NULL|NULL|NULL|NULL|NULL|NULL") !=
              NULL);
  ts_rig_free(&g);
  sl_bound_stmt_free(b);
  planning_done(&pl);
}

static void test_temporal_join(void **state) {
  (void)state;
  sl_error err;
  sl_lookup *lk;
  OK(sl_lookup_open(fx.cat, "m", 0, &lk, &err));
  sl_value row[2] = {sl_value_varchar("a", 1), sl_value_bigint(10)};
  OK(sl_lookup_upsert(lk, row, 100, &err));
  row[1] = sl_value_bigint(20);
  OK(sl_lookup_upsert(lk, row, 200, &err));

  planning pl;
  planning_init(&pl, false);
  sl_plan_stateful st;
  sl_bound_stmt *b = describe(
      "SELECT s.v, m.risk FROM s JOIN m FOR SYSTEM_TIME AS OF s.ts "
      "ON m.id = s.k;",
      &pl, &st);
  assert_int_equal(st.kind, SL_STATEFUL_TEMPORAL_JOIN);
  sl_op *op;
  OK(sl_plan_stateful_make(&st, NULL, NULL, &op, &err));
  ts_rig g;
  memset(&g, 0, sizeof(g));
  g.op = op;
  g.ctx.query_id = "q";
  g.ctx.catalog = fx.cat;
  OK(sl_sink_callback_new(8, ts_collect, &g.got, &g.sink, &err));
  sl_op_connect(op, g.sink, 0);
  OK(sl_op_open(g.sink, &g.ctx, &err));
  OK(sl_op_open(op, &g.ctx, &err));
  int64_t wm = SL_WATERMARK_NONE;
  const ts_ev ev[] = {{99, "a", 1}, {100, "a", 2}, {250, "a", 3}};
  push_rows(g.op, 0, ev, 3, &wm);
  TS_EXPECT(&g.got, "a|2|100|100|0|1|a|10", "a|3|250|250|0|2|a|20");
  sl_op_destroy(g.op);
  sl_op_destroy(g.sink);
  ts_sink_clear(&g.got);
  sl_lookup_close(lk);
  sl_bound_stmt_free(b);
  planning_done(&pl);
}

static void test_lag(void **state) {
  (void)state;
  planning pl;
  planning_init(&pl, false);
  sl_plan_stateful st;
  sl_bound_stmt *b = describe(
      "SELECT k, LAG(v, 1, -1) OVER (PARTITION BY k ORDER BY ts) FROM s;",
      &pl, &st);
  assert_int_equal(st.kind, SL_STATEFUL_OVER);
  ts_rig g;
  run_ops(&st, 7, &g);
  int64_t wm = SL_WATERMARK_NONE;
  const ts_ev ev[] = {{1, "a", 5}, {2, "a", 6}, {3, "b", 7}};
  push_rows(g.op, 0, ev, 3, &wm);
  TS_EXPECT(&g.got, "a|5|1|1|0|0|-1", "a|6|2|2|0|1|5", "b|7|3|3|0|2|-1");
  ts_rig_free(&g);
  sl_bound_stmt_free(b);
  planning_done(&pl);
}

/* SELECT * FROM (... ROW_NUMBER() OVER (...) AS rn ...) WHERE rn <= 2:
 * a per-key top-N, with the subquery's projection above it. */
static void test_topn_subquery(void **state) {
  (void)state;
  planning pl;
  planning_init(&pl, false);
  sl_plan_stateful st;
  sl_bound_stmt *b = describe(
      "SELECT * FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER "
      "BY v DESC) AS rn FROM s) WHERE rn <= 2;",
      &pl, &st);
  assert_int_equal(st.kind, SL_STATEFUL_TOPN);
  assert_int_equal(st.u.topn.limit, 2);
  assert_int_equal(st.u.topn.window_end, -1);
  assert_non_null(st.above);
  assert_int_equal(st.above->kind, SL_REL_PROJECT);
  ts_rig g;
  run_ops(&st, 7, &g);
  int64_t wm = SL_WATERMARK_NONE;
  const ts_ev ev[] = {{1, "a", 5}, {2, "a", 9}};
  push_rows(g.op, 0, ev, 2, &wm);
  TS_EXPECT(&g.got, "a|5|1|1|0|0|1", "a|9|2|2|0|1|1", "a|5|1|1|0|0|2");
  ts_rig_free(&g);
  sl_bound_stmt_free(b);
  planning_done(&pl);
}

/* What the stateful operators cannot run, with the message users see. */
static void refused(const char *sql, const char *message) {
  planning pl;
  planning_init(&pl, false);
  sl_bound_stmt *b = bind(sql);
  const sl_rel *rel = claimed(b->query);
  assert_non_null(rel);
  sl_plan_stateful st;
  assert_int_equal(sl_plan_stateful_describe(&pl.p, rel, &st), SL_ERR_SQL);
  if (!strstr(pl.err.message, message))
    fail_msg("message \"%s\" lacks \"%s\"", pl.err.message, message);
  assert_string_equal(pl.err.file, "t.sql");
  sl_bound_stmt_free(b);
  planning_done(&pl);
}

static void test_refusals(void **state) {
  (void)state;
  refused("SELECT k, RANK() OVER (PARTITION BY k ORDER BY v) FROM s;",
          "RANK() on a stream needs a bound");
  refused("SELECT LAG(v) OVER (PARTITION BY k ORDER BY ts), "
          "LAG(v) OVER (PARTITION BY v ORDER BY ts) FROM s;",
          "must share their PARTITION BY");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_window_final),
      cmocka_unit_test(test_group_modes),
      cmocka_unit_test(test_interval_join),
      cmocka_unit_test(test_temporal_join),
      cmocka_unit_test(test_lag),
      cmocka_unit_test(test_topn_subquery),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
