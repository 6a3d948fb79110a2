/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_runtime_stats.c - what the runtime reports about its queries and
 * how it splits them, on the embedded broker: a stateful persistent
 * query's state size and checkpoints (checked against the rows its
 * store left in the catalog), a stateless one's zeros, the records a
 * bounded query reads in all (from the log start, then from its
 * group's committed offsets), and how many group members a persistent
 * query gets on the embedded broker.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "test_util.h"

#include "catalog/catalog.h"
#include "engine/common/log.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"
#include "engine/plan/plan.h"
#include "engine/runtime/runtime.h"
#include "parser/bind.h"
#include "parser/parser.h"
#include "udf/registry.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK) {                                                \
      char buf_[1400];                                                    \
      fail_msg("%s failed (%d): %s", #call, ok_rc_,                       \
               sl_error_format(&err, buf_, sizeof(buf_)));                \
    }                                                                     \
  } while (0)

static sl_kafka_broker *broker;
static sl_kafka_config *cfg;
static sl_catalog *catalog;
static sl_func_registry *reg;

/* Binds and applies the statements of sql; returns the last one. */
static sl_bound_stmt *bind(const char *sql) {
  sl_error err;
  sl_parse_result *r = NULL;
  OK(sl_parse_script("t.sql", sql, NULL, &r, &err));
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, catalog, reg, r);
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
  sl_log_set_level(SL_LOG_ERROR);
  if (sl_kafka_broker_start(1, &broker, &err))
    return -1;
  cfg = sl_kafka_config_new();
  if (!cfg || sl_kafka_broker_configure(broker, cfg, &err))
    return -1;
  if (sl_catalog_open(":memory:", &catalog, &err))
    return -1;
  reg = sl_func_registry_new(sl_func_registry_builtin());
  sl_bound_stmt_free(bind(
      "CREATE STREAM ev (k VARCHAR, v BIGINT) "
      "WITH (topic='stats_ev', partitions=4);"));
  return reg ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  sl_func_registry_free(reg);
  sl_catalog_close(catalog);
  sl_kafka_config_free(cfg);
  sl_kafka_broker_stop(broker);
  return 0;
}

/* Records first..last of key d, or of keys a (v 1..4), b (v 5..7) and c
 * (v 8..10), over the four partitions. */
static void produce_range(int first, int last) {
  sl_error err;
  sl_kafka_producer *p;
  OK(sl_kafka_producer_new(cfg, NULL, &p, &err));
  for (int v = first; v <= last; v++) {
    char value[64];
    const char *k = v <= 4 ? "a" : v <= 7 ? "b" : v <= 10 ? "c" : "d";
    snprintf(value, sizeof(value), "{\"k\":\"%s\",\"v\":%d}", k, v);
    sl_kafka_record rec = {.topic = "stats_ev",
                           .partition = v % 4,
                           .value = value,
                           .value_len = strlen(value)};
    OK(sl_kafka_produce(p, &rec, &err));
  }
  OK(sl_kafka_producer_flush(p, 30000, &err));
  sl_kafka_producer_free(p);
}

/* Ten records over four partitions: keys a, b and c. */
static void produce_events(void) {
  sl_error err;
  OK(sl_kafka_broker_create_topic(broker, "stats_ev", 4, 1, &err));
  produce_range(1, 10);
}

static sl_runtime *runtime(void) {
  sl_error err;
  sl_runtime_config rc = {.kafka = cfg,
                          .catalog = catalog,
                          .service = "stats",
                          .threads = 2,
                          .batch_size = 4,
                          .commit_interval_ms = 100};
  sl_runtime *rt;
  OK(sl_runtime_new(&rc, &rt, &err));
  return rt;
}

/* Binds sql (creating its sink object) and runs it as a bounded
 * persistent query called id to its end. */
static sl_query *run_bounded(sl_runtime *rt, const char *sql,
                             const char *sink, const char *id) {
  sl_error err;
  sl_bound_stmt *b = bind(sql);
  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(catalog, sink, &obj, &err));
  assert_non_null(obj);
  sl_plan_request req = {.query = b->query,
                         .query_id = id,
                         .persistent = true,
                         .bounded = true,
                         .file = "t.sql",
                         .catalog = catalog,
                         .limit = -1,
                         .sink = SL_PLAN_SINK_STREAM,
                         .stream = obj,
                         .partitions = -1,
                         .replicas = -1};
  sl_plan *plan;
  OK(sl_plan_build(&req, &plan, &err));
  sl_bound_stmt_free(b);
  sl_query *q;
  OK(sl_query_start(rt, plan, &q, &err));
  bool ended = false;
  OK(sl_query_wait(q, 60000, &ended, &err));
  assert_true(ended);
  assert_int_equal(sl_query_get_status(q), SL_QUERY_STATUS_FINISHED);
  sl_catalog_object_free(obj);
  return q;
}

/* Entries and key plus value bytes the store of query left in the
 * catalog, counted by SQLite. */
static void stored_state(const char *query, int64_t *entries,
                         int64_t *bytes) {
  sqlite3 *db = sl_catalog_sqlite(catalog);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(
                       db,
                       "SELECT count(*), coalesce(sum(length(key) + "
                       "length(value)), 0) FROM sluice_state_entries "
                       "WHERE query = ?",
                       -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  *entries = sqlite3_column_int64(st, 0);
  *bytes = sqlite3_column_int64(st, 1);
  sqlite3_finalize(st);
}

/* ---- Tests ------------------------------------------------------------ */

/* GROUP BY k over three keys of an unkeyed stream goes through the
 * repartition topic (four partitions, as the stream's), and the figures
 * are those of the final checkpoint, which is what the catalog holds:
 * the aggregation's three groups and a meta entry for each of the four
 * partitions, and the reader's last offset per upstream partition in
 * the two partitions that received rows (murmur2 puts b, from upstream
 * partitions 1 to 3, in partition 0, and a and c, from all four between
 * them, in partition 2): 3 + 4 + 3 + 4 = 14. */
static void test_stateful_stats(void **state) {
  (void)state;
  produce_events();
  sl_runtime *rt = runtime();
  sl_query *q = run_bounded(rt,
                            "CREATE TABLE totals AS SELECT k, COUNT(*) AS n, "
                            "SUM(v) AS s FROM ev GROUP BY k;",
                            "totals", "totals");
  sl_query_stats st;
  sl_query_get_stats(q, &st);
  assert_int_equal(st.records_in, 10);
  /* The repartition topic is the query's own traffic, not its input. */
  assert_int_equal(st.bounded_total, 10);
  assert_int_equal(sl_query_tasks(q), 1);

  int64_t entries, bytes;
  stored_state("totals", &entries, &bytes);
  assert_int_equal(entries, 14);
  assert_int_equal(st.state_entries, entries);
  assert_int_equal(st.state_bytes, bytes);
  assert_true(bytes > 4 * 2);
  assert_true(st.checkpoints >= 1);
  assert_true(st.checkpoints <= st.commits);
  assert_true(st.last_checkpoint_ms > 0.0);
  assert_true(st.last_checkpoint_ms < 60000.0);
  sl_runtime_free(rt);
}

/* A filter keeps no state and writes no checkpoint; on the embedded
 * broker it runs as one group member although two workers could take
 * the four partitions. */
static void test_stateless_stats_and_tasks(void **state) {
  (void)state;
  sl_runtime *rt = runtime();
  sl_query *q = run_bounded(rt,
                            "CREATE STREAM big AS SELECT k, v FROM ev "
                            "WHERE v > 3;",
                            "big", "big");
  sl_query_stats st;
  sl_query_get_stats(q, &st);
  assert_int_equal(sl_query_tasks(q), 1);
  assert_int_equal(st.records_in, 10);
  assert_int_equal(st.records_out, 7);
  assert_int_equal(st.bounded_total, 10);
  assert_int_equal(st.state_entries, 0);
  assert_int_equal(st.state_bytes, 0);
  assert_int_equal(st.checkpoints, 0);
  assert_true(st.last_checkpoint_ms == 0.0);
  sl_runtime_free(rt);
}

/* A bounded query that runs again under the same id starts from what
 * its group committed: its total is the three records written since,
 * all of which it reads. */
static void test_bounded_total_from_committed(void **state) {
  (void)state;
  produce_range(11, 13);
  sl_runtime *rt = runtime();
  sl_query *q = run_bounded(rt,
                            "CREATE STREAM big_again AS SELECT k, v FROM ev "
                            "WHERE v > 3;",
                            "big_again", "big");
  sl_query_stats st;
  sl_query_get_stats(q, &st);
  assert_int_equal(st.bounded_total, 3);
  assert_int_equal(st.records_in, 3);
  assert_int_equal(st.records_out, 3);
  sl_runtime_free(rt);
}

/* Several members per group only where the broker takes them. */
static void test_shares_groups(void **state) {
  (void)state;
  sl_error err;
  assert_false(sl_kafka_consumer_shares_groups(cfg));
  sl_kafka_config *real = sl_kafka_config_new();
  assert_non_null(real);
  OK(sl_kafka_config_set(real, "bootstrap.servers", "127.0.0.1:9", &err));
  assert_true(sl_kafka_consumer_shares_groups(real));
  sl_kafka_config_free(real);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shares_groups),
      cmocka_unit_test(test_stateful_stats),
      cmocka_unit_test(test_stateless_stats_and_tasks),
      cmocka_unit_test(test_bounded_total_from_committed),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
