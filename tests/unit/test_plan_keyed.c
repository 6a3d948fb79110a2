/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the planner's choice of state per source partition
 * (sl_plan.keyed_state, engine/plan/plan_partition.c): queries are
 * parsed, bound and planned, and the flag, the pairs of topics a join
 * needs co-partitioned and EXPLAIN's partitioning and state lines are
 * checked.  Keyed: grouping by the NOT NULL record key (alone, with
 * other columns, renamed by a subquery), OVER and top-N partitioned by
 * it (a string or a JSON key), a join on both sides' record keys (of
 * one key format), top-N, windows and window
 * joins over keyed windows' results by their key, OVER after a temporal
 * join.  Not keyed: a
 * nullable key, a non-key column, a computed key, a union, a join on a
 * non-key column or on keys of different types or key formats, top-N
 * per window, a
 * window grouped by an aggregate's value or over OVER's results (a plan
 * where one operator of two is not keyed), a stateless plan.  A
 * persistent GROUP BY on another column is repartitioned through an
 * internal topic (EXPLAIN shows writer and reader), and so is each
 * side of a persistent stream join on other columns (both writers know
 * each other's stream, for the partition count), and OVER and top-N
 * by their PARTITION BY; a transient one, a union or two stateful
 * operators are not.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "engine/plan/plan.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

static const char schema_sql[] =
    "CREATE STREAM s (k VARCHAR NOT NULL, x VARCHAR, v BIGINT, "
    "ts TIMESTAMP) WITH (topic='s', timestamp='ts', key='k');\n"
    "CREATE STREAM b (k VARCHAR NOT NULL, w BIGINT, ts TIMESTAMP) "
    "WITH (topic='b', timestamp='ts', key='k');\n"
    "CREATE STREAM n (k VARCHAR, v BIGINT, ts TIMESTAMP) "
    "WITH (topic='n', timestamp='ts', key='k');\n"
    "CREATE STREAM i (k BIGINT NOT NULL, v BIGINT, ts TIMESTAMP) "
    "WITH (topic='i', timestamp='ts', key='k');\n"
    "CREATE STREAM u (k VARCHAR NOT NULL, x VARCHAR, v BIGINT, "
    "ts TIMESTAMP) WITH (topic='u', timestamp='ts', key='x');\n"
    "CREATE STREAM j (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP) "
    "WITH (topic='j', timestamp='ts', key='k', key_format='json');\n"
    "CREATE STREAM j2 (k VARCHAR NOT NULL, w BIGINT, ts TIMESTAMP) "
    "WITH (topic='j2', timestamp='ts', key='k', key_format='json');\n"
    "CREATE TABLE m (id VARCHAR PRIMARY KEY, risk BIGINT) "
    "WITH (versioned=true);\n";

typedef struct fixture {
  sl_catalog *cat;
  sl_func_registry *reg;
} fixture;

static fixture fx;

/* Binds and applies every statement of sql; returns the last one bound
 * (the caller frees it). */
static sl_bound_stmt *bind(const char *sql) {
  sl_error err;
  sl_parse_result *r = NULL;
  if (sl_parse_script("t.sql", sql, NULL, &r, &err))
    fail_msg("parsing failed: %s", err.message);
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, fx.cat, fx.reg, r);
  sl_bound_stmt *last = NULL;
  for (int k = 0; k < r->nstmts; k++) {
    sl_bound_stmt_free(last);
    last = NULL;
    if (sl_bind_stmt(&ctx, r->stmts[k], &last, &err) ||
        sl_bind_apply(&ctx, last, NULL, &err))
      fail_msg("binding failed: %s", err.message);
  }
  sl_parse_result_free(r);
  return last;
}

static int setup(void **state) {
  (void)state;
  sl_error err;
  assert_int_equal(sl_catalog_open(":memory:", &fx.cat, &err), SL_OK);
  fx.reg = sl_func_registry_new(sl_func_registry_builtin());
  assert_non_null(fx.reg);
  sl_bound_stmt_free(bind(schema_sql));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sl_func_registry_free(fx.reg);
  sl_catalog_close(fx.cat);
  return 0;
}

/* The plan of a bounded SELECT, persistent or transient. */
static sl_plan *plan_as(const char *select, bool persistent) {
  sl_bound_stmt *st = bind(select);
  sl_plan_request req = {.query = st->query,
                         .query_id = "q",
                         .persistent = persistent,
                         .service = "svc",
                         .bounded = true,
                         .file = "t.sql",
                         .catalog = fx.cat,
                         .limit = -1,
                         .sink = SL_PLAN_SINK_CALLBACK,
                         .partitions = -1,
                         .replicas = -1};
  sl_plan *plan = NULL;
  sl_error err;
  if (sl_plan_build(&req, &plan, &err))
    fail_msg("planning \"%s\" failed: %s", select, err.message);
  sl_bound_stmt_free(st);
  return plan;
}

static sl_plan *plan_of(const char *select) {
  return plan_as(select, false);
}

/* The partitioning line of the plan's first stateful operator. */
static char *stateful_partitioning(const sl_plan *plan) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  /* Sources print "the partitions of topic", sinks "merged to the
   * caller", projections "as its input": the stateful operators print
   * either "by key" or "single task". */
  char *by = strstr(sb.data, "partitioning: by key");
  char *single = strstr(sb.data, "partitioning: single task");
  char *at = by ? by : single;
  char *out = NULL;
  if (at) {
    at += strlen("partitioning: ");
    size_t len = strcspn(at, "\n");
    out = calloc(1, len + 1);
    memcpy(out, at, len);
  }
  sl_strbuf_free(&sb);
  return out;
}

static void expect(const char *select, bool keyed, const char *partitioning) {
  sl_plan *plan = plan_of(select);
  if (plan->keyed_state != keyed)
    fail_msg("\"%s\": keyed_state %d, wanted %d", select, plan->keyed_state,
             keyed);
  assert_true(plan->stateful);
  char *got = stateful_partitioning(plan);
  if (!got || strcmp(got, partitioning) != 0)
    fail_msg("\"%s\": partitioning \"%s\", wanted \"%s\"", select,
             got ? got : "(none)", partitioning);
  free(got);
  if (!keyed)
    assert_int_equal(plan->ncopartitioned, 0);
  sl_plan_free(plan);
}

/* EXPLAIN's partitioning of operators that keep one state, with why. */
#define SINGLE(why) "single task, all partitions (" why ")"
static const char NULLABLE_N[] = SINGLE("record key k of topic n is not "
                                        "NOT NULL");
static const char NOTKEY_X[] = SINGLE("x is not the record key of topic s");
static const char NOTKEY_U[] = SINGLE("k is not the record key of topic u");
static const char COMPUTED[] = SINGLE("no key is a column of one stream "
                                      "passed on unchanged");
static const char JOIN[] = SINGLE("no join key pair is both streams' "
                                  "record keys, of one type and key "
                                  "format");

static void test_group_by_key(void **state) {
  (void)state;
  const char *by_k = "by key k of topic s, state per partition";
  expect("SELECT k, COUNT(*) AS c FROM s WINDOW TUMBLING (SIZE 10 SECONDS) "
         "GROUP BY k;", true, by_k);
  /* A JSON record key partitions as well as a string one. */
  expect("SELECT k, COUNT(*) AS c FROM j WINDOW TUMBLING (SIZE 10 SECONDS) "
         "GROUP BY k;", true, "by key k of topic j, state per partition");
  /* More columns than the key: rows of one group still share k. */
  expect("SELECT k, x, SUM(v) AS t FROM s WINDOW HOPPING (SIZE 10 SECONDS, "
         "ADVANCE BY 5 SECONDS) GROUP BY x, k;", true, by_k);
  /* Without a window; after a filter; renamed by a subquery. */
  expect("SELECT k, COUNT(*) AS c FROM s WHERE v > 1 GROUP BY k;", true,
         by_k);
  expect("SELECT kk, COUNT(*) AS c FROM (SELECT k AS kk, v, ts FROM s) "
         "GROUP BY kk;", true, by_k);
  /* A BIGINT key. */
  expect("SELECT k, COUNT(*) AS c FROM i GROUP BY k;", true,
         "by key k of topic i, state per partition");

  /* The state line says the tables are per partition. */
  sl_plan *plan = plan_of("SELECT k, COUNT(*) AS c FROM s WINDOW TUMBLING "
                          "(SIZE 10 SECONDS) GROUP BY k;");
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  assert_non_null(strstr(sb.data, "state: open windows per key, evicted at "
                                  "end + grace (store tables n1, one per "
                                  "partition)\n"));
  sl_strbuf_free(&sb);
  sl_plan_free(plan);
}

static void test_group_by_other(void **state) {
  (void)state;
  /* A nullable key: keyless records land anywhere, NULL groups split. */
  expect("SELECT k, COUNT(*) AS c FROM n WINDOW TUMBLING (SIZE 10 SECONDS) "
         "GROUP BY k;", false, NULLABLE_N);
  /* Not the key column. */
  expect("SELECT x, COUNT(*) AS c FROM s GROUP BY x;", false, NOTKEY_X);
  /* A stream keyed by x, grouped by k (NOT NULL, but not its key). */
  expect("SELECT k, COUNT(*) AS c FROM u GROUP BY k;", false, NOTKEY_U);
  /* A key computed from the record key. */
  expect("SELECT kk, COUNT(*) AS c FROM (SELECT UPPER(k) AS kk, v, ts "
         "FROM s) GROUP BY kk;", false, COMPUTED);
  /* Rows of two streams. */
  expect("SELECT k, COUNT(*) AS c FROM (SELECT k, v, ts FROM s UNION ALL "
         "SELECT k, w, ts FROM b) GROUP BY k;", false, COMPUTED);
  /* No key at all. */
  expect("SELECT COUNT(*) AS c FROM s GROUP BY v > 0;", false, COMPUTED);

  /* The state line stays as it was. */
  sl_plan *plan = plan_of("SELECT x, COUNT(*) AS c FROM s GROUP BY x;");
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  assert_null(strstr(sb.data, "one per partition"));
  assert_non_null(strstr(sb.data, "(store tables n1)\n"));
  sl_strbuf_free(&sb);
  sl_plan_free(plan);
}

static void test_over_topn(void **state) {
  (void)state;
  expect("SELECT k, v, LAG(v) OVER (PARTITION BY k ORDER BY ts) AS p "
         "FROM s;", true, "by key k of topic s, state per partition");
  expect("SELECT k, v, LAG(v) OVER (PARTITION BY x ORDER BY ts) AS p "
         "FROM s;", false, NOTKEY_X);
  expect("SELECT k, v FROM (SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k "
         "ORDER BY v DESC) AS r FROM s) WHERE r <= 2;", true,
         "by key k of topic s, state per partition");
}

static void test_joins(void **state) {
  (void)state;
  const char *sb = "SELECT s.k, s.v, b.w FROM s JOIN b WITHIN 5 SECONDS "
                   "ON s.k = b.k;";
  expect(sb, true, "by key k of topic s and key k of topic b, state per "
         "partition (one state if their partition counts differ)");
  sl_plan *plan = plan_of(sb);
  assert_int_equal(plan->ncopartitioned, 1);
  assert_string_equal(plan->copartitioned[0][0], "s");
  assert_string_equal(plan->copartitioned[0][1], "b");
  sl_plan_free(plan);

  /* A self-join needs no pair. */
  plan = plan_of("SELECT l.k, l.v, r.v AS rv FROM s l JOIN s r WITHIN 1 "
                 "SECOND ON l.k = r.k;");
  assert_true(plan->keyed_state);
  assert_int_equal(plan->ncopartitioned, 0);
  sl_plan_free(plan);

  /* A nullable key joins keyed: NULL never matches. */
  expect("SELECT s.k, n.v FROM s JOIN n WITHIN 1 SECOND ON s.k = n.k;",
         true, "by key k of topic s and key k of topic n, state per "
         "partition (one state if their partition counts differ)");
  /* One side on a non-key column. */
  expect("SELECT s.k, u.v FROM s JOIN u WITHIN 1 SECOND ON s.k = u.k;",
         false, JOIN);
  /* Keys of different types (the VARCHAR one is cast). */
  expect("SELECT i.k, s.v FROM i JOIN s WITHIN 1 SECOND "
         "ON CAST(i.k AS VARCHAR) = s.k;", false, JOIN);
  /* JSON keys pair with JSON keys; the key c1 is "c1" in one topic and
   * c1 in the other, so a string key does not. */
  expect("SELECT j.k, j.v, j2.w FROM j JOIN j2 WITHIN 1 SECOND "
         "ON j.k = j2.k;", true, "by key k of topic j and key k of topic "
         "j2, state per partition (one state if their partition counts "
         "differ)");
  expect("SELECT s.k, j.v FROM s JOIN j WITHIN 1 SECOND ON s.k = j.k;",
         false, JOIN);
}

static void test_over_aggregates(void **state) {
  (void)state;
  /* Top-N per key over a keyed window: its rows come out on the
   * partition of their key's state. */
  expect("SELECT k, window_start, c FROM (SELECT k, window_start, "
         "window_end, c, ROW_NUMBER() OVER (PARTITION BY k ORDER BY c DESC) "
         "AS r FROM (SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS c FROM "
         "s WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k)) WHERE r <= 1;",
         true,
         "by key k of topic s, state per partition");
  /* Top-N per window mixes keys of every partition. */
  expect("SELECT k, window_start, c FROM (SELECT k, window_start, "
         "window_end, c, ROW_NUMBER() OVER (PARTITION BY window_start ORDER "
         "BY c DESC) AS r FROM (SELECT k, WINDOW_START, WINDOW_END, COUNT(*) "
         "AS c FROM s WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k)) "
         "WHERE r <= 1;", false,
         COMPUTED);
  /* A window over a keyed window's results, grouped by its key. */
  expect("SELECT k, COUNT(*) AS w FROM (SELECT k, WINDOW_START, COUNT(*) "
         "AS c, WINDOW_END FROM s WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY "
         "k) GROUP BY k;", true, "by key k of topic s, state per partition");
  /* Grouped by an aggregate's value: not a key. */
  expect("SELECT c, COUNT(*) AS w FROM (SELECT k, WINDOW_START, COUNT(*) "
         "AS c FROM s WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k) "
         "GROUP BY c;", false, COMPUTED);

  /* A window join of two keyed windows, on the key. */
  const char *wj =
      "WITH x AS (SELECT k, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM s "
      "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k), "
      "y AS (SELECT k, COUNT(*) AS n, WINDOW_START, WINDOW_END FROM b "
      "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k) "
      "SELECT x.k, x.window_start, x.n AS xn, y.n AS yn FROM x JOIN y "
      "ON x.k = y.k AND x.window_start = y.window_start;";
  /* The first partitioning line is the join's (the windows' follow). */
  expect(wj, true, "by key k of topic s and key k of topic b, state per "
         "partition (one state if their partition counts differ)");
  sl_plan *plan = plan_of(wj);
  assert_int_equal(plan->ncopartitioned, 1);
  assert_string_equal(plan->copartitioned[0][0], "s");
  assert_string_equal(plan->copartitioned[0][1], "b");
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  assert_non_null(strstr(sb.data, "partitioning: by key k of topic s, "
                                  "state per partition\n"));
  assert_non_null(strstr(sb.data, "partitioning: by key k of topic b, "
                                  "state per partition\n"));
  sl_strbuf_free(&sb);
  sl_plan_free(plan);
}

static void test_temporal(void **state) {
  (void)state;
  /* A temporal join keeps the stream's rows and columns in front. */
  expect("SELECT k, v, LAG(risk) OVER (PARTITION BY k ORDER BY ts) AS p "
         "FROM (SELECT s.k AS k, s.v AS v, s.ts AS ts, m.risk AS risk "
         "FROM s JOIN m FOR SYSTEM_TIME AS OF s.ts ON s.x = m.id);", true,
         "by key k of topic s, state per partition");
  /* Partitioned by a table column: not a key. */
  expect("SELECT k, v, LAG(v) OVER (PARTITION BY id ORDER BY ts) AS p "
         "FROM (SELECT s.k AS k, s.v AS v, s.ts AS ts, m.id AS id "
         "FROM s JOIN m FOR SYSTEM_TIME AS OF s.ts ON s.x = m.id);", false,
         COMPUTED);

  /* Alone, it keeps no state: the plan is not stateful. */
  sl_plan *plan = plan_of("SELECT s.k, m.risk FROM s JOIN m FOR "
                          "SYSTEM_TIME AS OF s.ts ON s.x = m.id;");
  assert_false(plan->stateful);
  assert_false(plan->keyed_state);
  sl_plan_free(plan);
}

/* A persistent GROUP BY on another column goes through a repartition
 * topic; other unkeyed plans keep one state. */
static void test_repartition(void **state) {
  (void)state;
  const char *q = "SELECT x, WINDOW_START, COUNT(*) AS c FROM s WHERE v > 0 "
                  "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY x;";
  sl_plan *plan = plan_as(q, true);
  assert_true(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 1);
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  static const char *const want[] = {
      "partitioning: by key x of topic _sluice-svc-q-repartition-0, state "
      "per partition\n",
      "state: open windows per key, evicted at end + grace (store tables n5, "
      "one per partition)\n",
      "Source topic=_sluice-svc-q-repartition-0 format=internal\n",
      "RepartitionSink topic=_sluice-svc-q-repartition-0 format=internal\n",
      "key: x\n",
      "topic partitions: as the source's\n",
      "partitioning: by key x into topic _sluice-svc-q-repartition-0 "
      "(murmur2 of the key)\n",
      "Filter\n",
      "Source stream=s topic=s format=json\n",
  };
  const char *at = sb.data;
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    const char *hit = strstr(at, want[i]);
    if (!hit)
      fail_msg("no \"%s\" (in order) in:\n%s", want[i], sb.data);
    at = hit;
  }
  sl_strbuf_free(&sb);

  /* The writer lists the stream's partitions; the reader reads it. */
  const sl_pnode *w = NULL, *r = NULL;
  for (int i = 0; i < plan->nnodes; i++) {
    const sl_pnode *n = plan->nodes[i];
    if (n->kind == SL_PNODE_SINK_REPARTITION)
      w = n;
    if (n->kind == SL_PNODE_SOURCE && n->u.source.internal)
      r = n;
  }
  assert_non_null(w);
  assert_non_null(r);
  assert_ptr_equal(r->inputs[0], w);
  assert_string_equal(w->u.repart.source->u.source.topic, "s");
  assert_int_equal(w->u.repart.nkeys, 1);
  assert_int_equal(r->u.source.format, SL_SOURCE_INTERNAL);
  assert_int_equal(plan->nsources, 2);
  sl_plan_free(plan);

  /* Transient: one state. */
  plan = plan_as(q, false);
  assert_false(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 0);
  sl_plan_free(plan);

  /* Keyed already: no topic. */
  plan = plan_as("SELECT k, COUNT(*) AS c FROM s GROUP BY k;", true);
  assert_true(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 0);
  sl_plan_free(plan);

  /* A UNION ALL (under a GROUP BY or a join's side), two stateful
   * operators: one state. */
  static const char *const kept[] = {
      "SELECT s.x, t.v FROM s JOIN (SELECT x, v, ts FROM u UNION ALL "
      "SELECT x, v, ts FROM s) AS t WITHIN 1 SECOND ON s.x = t.x;",
      "SELECT k, COUNT(*) AS c FROM (SELECT k, v, ts FROM s UNION ALL "
      "SELECT k, w, ts FROM b) GROUP BY k;",
      "SELECT c, COUNT(*) AS w FROM (SELECT x, WINDOW_START, COUNT(*) AS c "
      "FROM s WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY x) GROUP BY c;",
  };
  for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
    plan = plan_as(kept[i], true);
    if (plan->keyed_state || plan->nrepartitions)
      fail_msg("\"%s\": keyed %d, repartitions %d", kept[i],
               plan->keyed_state, plan->nrepartitions);
    sl_plan_free(plan);
  }
}

/* The writer feeding the internal source that is input port of n. */
static const sl_pnode *writer_of(const sl_pnode *n, int port) {
  const sl_pnode *r = n->inputs[port];
  assert_int_equal(r->kind, SL_PNODE_SOURCE);
  assert_true(r->u.source.internal);
  assert_int_equal(r->u.source.format, SL_SOURCE_INTERNAL);
  assert_int_equal(r->inputs[0]->kind, SL_PNODE_SINK_REPARTITION);
  return r->inputs[0];
}

/* A persistent stream join on other columns: each side goes through its
 * own repartition topic, keyed by its half of the key equalities, both
 * as many partitions as the larger of the two streams. */
static void test_repartition_join(void **state) {
  (void)state;
  const char *q = "SELECT s.x, u.v FROM s LEFT JOIN u WITHIN 1 SECOND "
                  "ON s.x = u.k;";
  sl_plan *plan = plan_as(q, true);
  assert_true(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 2);
  assert_int_equal(plan->ncopartitioned, 0);
  assert_int_equal(plan->nsources, 4);
  const sl_pnode *join = NULL;
  for (int i = 0; i < plan->nnodes; i++)
    if (plan->nodes[i]->kind == SL_PNODE_STATEFUL)
      join = plan->nodes[i];
  assert_non_null(join);
  const sl_pnode *w0 = writer_of(join, 0), *w1 = writer_of(join, 1);
  assert_string_equal(w0->u.repart.topic, "_sluice-svc-q-repartition-0");
  assert_string_equal(w1->u.repart.topic, "_sluice-svc-q-repartition-1");
  assert_string_equal(w0->u.repart.source->u.source.topic, "s");
  assert_string_equal(w1->u.repart.source->u.source.topic, "u");
  assert_ptr_equal(w0->u.repart.peer, w1->u.repart.source);
  assert_ptr_equal(w1->u.repart.peer, w0->u.repart.source);
  assert_int_equal(w0->u.repart.partitions, -1);
  assert_int_equal(w1->u.repart.partitions, -1);
  assert_string_equal(w0->u.repart.key_text, "x");
  assert_string_equal(w1->u.repart.key_text, "k");

  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  static const char *const want[] = {
      "IntervalJoin left within=(1000ms, 1000ms) grace=0ms\n",
      "partitioning: by key x of topic _sluice-svc-q-repartition-0 and key "
      "k of topic _sluice-svc-q-repartition-1, state per partition\n",
      "one per partition)\n",
      "Source topic=_sluice-svc-q-repartition-0 format=internal\n",
      "RepartitionSink topic=_sluice-svc-q-repartition-0 format=internal\n",
      "key: x\n",
      "topic partitions: the larger count of the two sources'\n",
      "Source stream=s topic=s format=json\n",
      "Source topic=_sluice-svc-q-repartition-1 format=internal\n",
      "RepartitionSink topic=_sluice-svc-q-repartition-1 format=internal\n",
      "key: k\n",
      "topic partitions: the larger count of the two sources'\n",
      "Source stream=u topic=u format=json\n",
  };
  const char *at = sb.data;
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    const char *hit = strstr(at, want[i]);
    if (!hit)
      fail_msg("no \"%s\" (in order) in:\n%s", want[i], sb.data);
    at = hit;
  }
  sl_strbuf_free(&sb);

  /* The runtime names the topics again with its service. */
  sl_pnode *w = (sl_pnode *)w0;
  w->u.repart.topic = "_sluice-other-q-repartition-0";
  assert_int_equal(sl_plan_repart_text(plan, (sl_pnode *)join), SL_OK);
  assert_string_equal(join->keyed_by,
                      "by key x of topic _sluice-other-q-repartition-0 and "
                      "key k of topic _sluice-svc-q-repartition-1, state "
                      "per partition");
  sl_plan_free(plan);

  /* Transient, or keyed already (both record keys): no topic. */
  plan = plan_as(q, false);
  assert_false(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 0);
  sl_plan_free(plan);
  plan = plan_as("SELECT s.k, b.w FROM s JOIN b WITHIN 1 SECOND "
                 "ON s.k = b.k;", true);
  assert_true(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 0);
  assert_int_equal(plan->ncopartitioned, 1);
  sl_plan_free(plan);

  /* One side keyed by the join key, the other not: both sides are
   * repartitioned, so that both hash the key alike. */
  plan = plan_as("SELECT s.k, u.v FROM s JOIN u WITHIN 1 SECOND "
                 "ON s.k = u.k;", true);
  assert_true(plan->keyed_state);
  assert_int_equal(plan->nrepartitions, 2);
  assert_int_equal(plan->ncopartitioned, 0);
  sl_plan_free(plan);
}

/* OVER and top-N per key on another column, persistent: one
 * repartition topic keyed by PARTITION BY; transient: one state. */
/* OVER and top-N emit at once from the history seen so far; they keep
 * one state rather than read rows that several writers interleaved. */
static void test_over_not_repartitioned(void **state) {
  (void)state;
  static const char *const qs[] = {
      "SELECT x, LAG(v) OVER (PARTITION BY x ORDER BY ts) AS p FROM s;",
      "SELECT * FROM (SELECT x, v, ROW_NUMBER() OVER (PARTITION BY x "
      "ORDER BY v DESC) AS rn FROM s) r WHERE rn <= 2;",
  };
  for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
    sl_plan *plan = plan_as(qs[i], true);
    if (plan->keyed_state || plan->nrepartitions != 0)
      fail_msg("\"%s\": keyed %d, repartitions %d", qs[i],
               plan->keyed_state, plan->nrepartitions);
    char *part = stateful_partitioning(plan);
    assert_non_null(part);
    if (strncmp(part, "single task", 11) != 0)
      fail_msg("\"%s\": partitioning \"%s\"", qs[i], part);
    free(part);
    sl_plan_free(plan);
  }
}

/* A training set's join stays whole, and EXPLAIN of it says so too:
 * EXPLAIN plans it with the training set as its sink object. */
static void test_training_set_join_whole(void **state) {
  (void)state;
  sl_bound_stmt *st = bind("SELECT s.x, u.v FROM s LEFT JOIN u WITHIN 1 "
                           "SECOND ON s.x = u.k;");
  sl_catalog_object ts = {.kind = SL_CATALOG_TRAINING_SET};
  sl_plan_request req = {.query = st->query,
                         .query_id = "q",
                         .persistent = true,
                         .service = "svc",
                         .bounded = true,
                         .file = "t.sql",
                         .catalog = fx.cat,
                         .limit = -1,
                         .sink = SL_PLAN_SINK_CALLBACK,
                         .stream = &ts,
                         .partitions = -1,
                         .replicas = -1};
  sl_plan *plan = NULL;
  sl_error err;
  if (sl_plan_build(&req, &plan, &err))
    fail_msg("planning failed: %s", err.message);
  assert_int_equal(plan->nrepartitions, 0);
  assert_false(plan->keyed_state);
  sl_plan_free(plan);
  sl_bound_stmt_free(st);
}

static void test_mixed(void **state) {
  (void)state;
  /* A window over OVER's results: the second operator's input is not a
   * source, so neither keeps per-partition state. */
  expect("SELECT k, COUNT(*) AS c FROM (SELECT k, ts, LAG(v) OVER "
         "(PARTITION BY k ORDER BY ts) AS p FROM s) WINDOW TUMBLING "
         "(SIZE 10 SECONDS) GROUP BY k;", false, COMPUTED);
  sl_plan *over = plan_of("SELECT k, COUNT(*) AS c FROM (SELECT k, ts, "
                          "LAG(v) OVER (PARTITION BY k ORDER BY ts) AS p "
                          "FROM s) WINDOW TUMBLING (SIZE 10 SECONDS) GROUP "
                          "BY k;");
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(over, NULL, NULL, &sb), SL_OK);
  assert_non_null(strstr(sb.data, "partitioning: single task, all "
                                  "partitions (another operator of the "
                                  "query is not partitioned by its key)\n"));
  sl_strbuf_free(&sb);
  sl_plan_free(over);

  /* A stateless plan is never keyed. */
  sl_plan *plan = plan_of("SELECT k, v FROM s WHERE v > 0;");
  assert_false(plan->stateful);
  assert_false(plan->keyed_state);
  sl_plan_free(plan);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_group_by_key),
      cmocka_unit_test(test_group_by_other),
      cmocka_unit_test(test_over_topn),
      cmocka_unit_test(test_joins),
      cmocka_unit_test(test_over_aggregates),
      cmocka_unit_test(test_temporal),
      cmocka_unit_test(test_repartition),
      cmocka_unit_test(test_repartition_join),
      cmocka_unit_test(test_over_not_repartitioned),
      cmocka_unit_test(test_training_set_join_whole),
      cmocka_unit_test(test_mixed),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
