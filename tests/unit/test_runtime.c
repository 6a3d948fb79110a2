/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_runtime.c - queries running on the embedded mock broker: a
 * filter+projection bounded into an output topic (exact rows read back,
 * offsets committed), bad records dead-lettered with their original bytes
 * and the headers checked, errors='fail' stopping the query at the
 * record, a transient query streaming rows to a callback, a lookup join
 * end to end, and the broker going down mid-query with nothing lost.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "test_util.h"
#include "test_expr_build.h"
#include "test_plan_build.h"

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"
#include "engine/plan/plan.h"
#include "engine/runtime/runtime.h"
#include "engine/common/log.h"
#include "engine/types/format.h"

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

static int setup(void **state) {
  (void)state;
  sl_error err;
  tb_init();
  if (sl_kafka_broker_start(1, &broker, &err))
    return -1;
  cfg = sl_kafka_config_new();
  if (!cfg || sl_kafka_broker_configure(broker, cfg, &err))
    return -1;
  /* TEST_KAFKA_DEBUG=cgrp,... turns on librdkafka's debug logs. */
  const char *debug = getenv("TEST_KAFKA_DEBUG");
  if (debug && sl_kafka_config_set(cfg, "debug", debug, &err))
    return -1;
  if (debug)
    sl_log_set_level(SL_LOG_DEBUG);
  return sl_catalog_open(":memory:", &catalog, &err) ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  sl_catalog_close(catalog);
  sl_kafka_config_free(cfg);
  sl_kafka_broker_stop(broker);
  tb_done();
  return 0;
}

/* ---- Kafka helpers ---------------------------------------------------- */

static void create_topic(const char *topic, int partitions) {
  sl_error err;
  OK(sl_kafka_broker_create_topic(broker, topic, partitions, 1, &err));
}

static void produce(sl_kafka_producer *p, const char *topic, int32_t part,
                    const char *key, const char *value) {
  sl_error err;
  sl_kafka_record rec = {.topic = topic,
                         .partition = part,
                         .key = key,
                         .key_len = key ? strlen(key) : 0,
                         .value = value,
                         .value_len = strlen(value)};
  OK(sl_kafka_produce(p, &rec, &err));
}

static sl_kafka_producer *producer(void) {
  sl_error err;
  sl_kafka_producer *p;
  OK(sl_kafka_producer_new(cfg, NULL, &p, &err));
  return p;
}

static void flush(sl_kafka_producer *p) {
  sl_error err;
  OK(sl_kafka_producer_flush(p, 30000, &err));
}

/* One record read back, as text. */
typedef struct rec {
  char key[64];
  char value[256];
  int32_t partition;
  int64_t offset;
  char headers[6][2][128];
  int nheaders;
} rec;

typedef struct recs {
  rec r[512];
  int n;
} recs;

/* Reads topic from the beginning to its current end. */
static void read_topic(const char *topic, recs *out) {
  sl_error err;
  sl_kafka_consumer *c;
  OK(sl_kafka_consumer_new(cfg, NULL, &c, &err));
  OK(sl_kafka_consumer_assign_topic(c, topic, SL_KAFKA_OFFSET_BEGINNING, true,
                                    &err));
  sl_kafka_batch b;
  OK(sl_kafka_batch_init(&b, 256, &err));
  out->n = 0;
  for (int tries = 0; !sl_kafka_consumer_at_end(c) && tries < 300; tries++) {
    OK(sl_kafka_consumer_poll(c, &b, 100, &err));
    for (size_t i = 0; i < b.count && out->n < 512; i++) {
      const sl_kafka_msg *m = &b.msgs[i];
      rec *r = &out->r[out->n++];
      memset(r, 0, sizeof(*r));
      snprintf(r->key, sizeof(r->key), "%.*s", (int)m->key_len,
               m->key ? (const char *)m->key : "");
      snprintf(r->value, sizeof(r->value), "%.*s", (int)m->value_len,
               m->value ? (const char *)m->value : "");
      r->partition = m->partition;
      r->offset = m->offset;
      size_t nh = sl_kafka_msg_header_count(m);
      for (size_t h = 0; h < nh && h < 6; h++) {
        sl_kafka_header hd;
        if (!sl_kafka_msg_header_at(m, h, &hd))
          continue;
        snprintf(r->headers[h][0], 128, "%s", hd.name);
        snprintf(r->headers[h][1], 128, "%.*s", (int)hd.size,
                 hd.value ? (const char *)hd.value : "");
        r->nheaders++;
      }
    }
  }
  assert_true(sl_kafka_consumer_at_end(c));
  sl_kafka_batch_destroy(&b);
  sl_kafka_consumer_free(c);
}

static int cmp_value(const void *a, const void *b) {
  return strcmp(((const rec *)a)->value, ((const rec *)b)->value);
}

static const char *header(const rec *r, const char *name) {
  for (int h = 0; h < r->nheaders; h++)
    if (!strcmp(r->headers[h][0], name))
      return r->headers[h][1];
  return NULL;
}

/* The group's committed offset of topic [partition]. */
static int64_t committed(const char *group, const char *topic,
                         int32_t partition) {
  sl_error err;
  sl_kafka_consumer *c;
  sl_kafka_consumer_opts o = {.group_id = group};
  OK(sl_kafka_consumer_new(cfg, &o, &c, &err));
  sl_kafka_position pos = {.topic = topic, .partition = partition};
  OK(sl_kafka_consumer_committed(c, &pos, 1, 10000, &err));
  sl_kafka_consumer_free(c);
  return pos.offset;
}

/* ---- Query helpers ---------------------------------------------------- */

static sl_runtime *runtime(int threads) {
  sl_error err;
  sl_runtime_config rc = {.kafka = cfg,
                          .catalog = catalog,
                          .service = "test",
                          .threads = threads,
                          .batch_size = 64,
                          .commit_interval_ms = 100};
  sl_runtime *rt;
  OK(sl_runtime_new(&rc, &rt, &err));
  return rt;
}

static const char *const order_cols[] = {"id", "merchant", "amount", "note"};

static sl_catalog_object *orders_stream(const char *name, const char *topic,
                                        const char *errors) {
  sl_error err;
  sl_type *types[] = {sl_type_bigint(), sl_type_bigint(), sl_type_double(),
                      sl_type_varchar()};
  sl_catalog_object *o = tb_stream(name, topic, 4, order_cols, types, -1);
  if (errors)
    OK(sl_catalog_object_add_option(o, "errors", errors, &err));
  return o;
}

/* SELECT id, amount * 2 AS total FROM <src> WHERE amount > 10 */
static sl_rel *big_orders(const sl_catalog_object *src) {
  sl_type *B = sl_type_bigint(), *D = sl_type_double();
  sl_rel *s = scan(src, SL_SCAN_STREAM);
  sl_rel *f = filter(s, tb_cmp(SL_OP_GT, tb_col(2, D), tb_double(10)));
  const char *names[] = {"id", "total"};
  sl_bexpr *ex[] = {tb_col(0, B),
                    tb_bin(SL_OP_MUL, D, tb_col(2, D), tb_double(2))};
  return project(f, 2, names, ex);
}

static sl_query *start(sl_runtime *rt, sl_plan_request *req) {
  sl_error err;
  sl_plan *plan;
  req->file = "t.sql";
  req->partitions = req->partitions ? req->partitions : -1;
  req->replicas = -1;
  if (!req->limit)
    req->limit = -1;
  OK(sl_plan_build(req, &plan, &err));
  sl_query *q;
  OK(sl_query_start(rt, plan, &q, &err));
  return q;
}

/* ---- Tests ------------------------------------------------------------ */

/* A bounded persistent filter+projection: exact rows, DLQ, commits. */
static void test_bounded_filter_project(void **state) {
  (void)state;
  sl_error err;
  create_topic("orders", 2);
  sl_kafka_producer *p = producer();
  produce(p, "orders", 0, "k1", "{\"id\": 1, \"amount\": 5}");
  produce(p, "orders", 0, "k2", "{\"id\": 2, \"amount\": 20.5}");
  produce(p, "orders", 0, "bad", "garbage");
  produce(p, "orders", 0, NULL, "{\"id\": 3, \"amount\": \"x\"}");
  produce(p, "orders", 1, NULL, "{\"id\": 4, \"amount\": 100}");
  produce(p, "orders", 1, NULL,
          "{\"id\": 5, \"amount\": 11, \"note\": \"hi\"}");
  produce(p, "orders", 1, NULL, "{\"id\": 6}");
  flush(p);
  sl_kafka_producer_free(p);

  sl_catalog_object *src = orders_stream("orders", "orders", NULL);
  OK(sl_catalog_object_add_option(src, "dlq_topic", "orders.dlq", &err));
  const char *xn[] = {"id", "total"};
  sl_type *xt[] = {sl_type_bigint(), sl_type_double()};
  sl_catalog_object *dst = tb_stream("big", "big_orders", 2, xn, xt, 0);

  sl_runtime *rt = runtime(2);
  sl_plan_request req = {.query = big_orders(src),
                         .query_id = "big",
                         .persistent = true,
                         .bounded = true,
                         .sink = SL_PLAN_SINK_STREAM,
                         .stream = dst};
  sl_query *q = start(rt, &req);
  bool ended;
  OK(sl_query_wait(q, 30000, &ended, &err));
  assert_true(ended);
  assert_int_equal(sl_query_get_status(q), SL_QUERY_STATUS_FINISHED);

  sl_query_stats st;
  sl_query_get_stats(q, &st);
  assert_int_equal(st.records_in, 7);
  assert_int_equal(st.records_out, 3);
  assert_int_equal(st.records_failed, 2);
  assert_int_equal(st.dead_lettered, 2);
  assert_true(st.commits >= 1);

  /* The output, exactly. */
  recs *out = calloc(1, sizeof(*out));
  read_topic("big_orders", out);
  assert_int_equal(out->n, 3);
  qsort(out->r, (size_t)out->n, sizeof(rec), cmp_value);
  assert_string_equal(out->r[0].value, "{\"id\":2,\"total\":41}");
  assert_string_equal(out->r[0].key, "2");
  assert_string_equal(out->r[1].value, "{\"id\":4,\"total\":200}");
  assert_string_equal(out->r[1].key, "4");
  assert_string_equal(out->r[2].value, "{\"id\":5,\"total\":22}");

  /* Dead letters: original bytes and every header. */
  read_topic("orders.dlq", out);
  assert_int_equal(out->n, 2);
  qsort(out->r, (size_t)out->n, sizeof(rec), cmp_value);
  const rec *bad = &out->r[0], *typed = &out->r[1];
  assert_string_equal(bad->value, "garbage");
  assert_string_equal(bad->key, "bad");
  assert_string_equal(header(bad, "sluice.error.reason"), "decode");
  assert_non_null(header(bad, "sluice.error.message"));
  assert_string_equal(header(bad, "sluice.source.topic"), "orders");
  assert_string_equal(header(bad, "sluice.source.partition"), "0");
  assert_string_equal(header(bad, "sluice.source.offset"), "2");
  assert_string_equal(header(bad, "sluice.query.id"), "big");
  assert_string_equal(typed->value, "{\"id\": 3, \"amount\": \"x\"}");
  assert_string_equal(header(typed, "sluice.error.reason"), "type");
  assert_string_equal(header(typed, "sluice.source.offset"), "3");
  free(out);

  /* Offsets committed after everything was delivered. */
  char group[128];
  sl_runtime_group(rt, "big", group, sizeof(group));
  assert_string_equal(group, "sluice-test-big");
  assert_int_equal(committed(group, "orders", 0), 4);
  assert_int_equal(committed(group, "orders", 1), 3);

  /* EXPLAIN of the finished query shows the live counters. */
  sl_strbuf sb = SL_STRBUF_INIT;
  OK(sl_query_explain(q, &sb));
  assert_non_null(strstr(sb.data, "counters: in=7 out=5 failed=2 late=0"));
  assert_non_null(strstr(sb.data, "counters: in=3 out=3 failed=0 late=0"));
  sl_strbuf_free(&sb);

  sl_runtime_free(rt);
  sl_catalog_object_free(src);
  sl_catalog_object_free(dst);
}

/* errors='fail': the query stops naming the record. */
static void test_fail_policy(void **state) {
  (void)state;
  sl_error err;
  create_topic("strict", 1);
  sl_kafka_producer *p = producer();
  produce(p, "strict", 0, NULL, "{\"id\": 1, \"amount\": 50}");
  produce(p, "strict", 0, NULL, "{\"id\": 2, \"amount\": true}");
  produce(p, "strict", 0, NULL, "{\"id\": 3, \"amount\": 50}");
  flush(p);
  sl_kafka_producer_free(p);

  sl_catalog_object *src = orders_stream("strict", "strict", "fail");
  const char *xn[] = {"id", "total"};
  sl_type *xt[] = {sl_type_bigint(), sl_type_double()};
  sl_catalog_object *dst = tb_stream("strict_out", "strict_out", 2, xn, xt,
                                     -1);
  sl_runtime *rt = runtime(1);
  sl_plan_request req = {.query = big_orders(src),
                         .query_id = "strict_out",
                         .persistent = true,
                         .bounded = true,
                         .sink = SL_PLAN_SINK_STREAM,
                         .stream = dst};
  sl_query *q = start(rt, &req);
  bool ended;
  assert_int_equal(sl_query_wait(q, 30000, &ended, &err), SL_ERR_RECORD);
  assert_true(ended);
  assert_int_equal(sl_query_get_status(q), SL_QUERY_STATUS_FAILED);
  char buf[1400];
  sl_error_format(&err, buf, sizeof(buf));
  if (strncmp(buf, "strict [0] @ 1: type: ", 22) != 0)
    fail_msg("unexpected failure: %s", buf);
  /* Nothing past the failure was committed. */
  assert_true(committed("sluice-test-strict_out", "strict", 0) < 2);
  sl_runtime_free(rt);
  sl_catalog_object_free(src);
  sl_catalog_object_free(dst);
}

/* Rows of a transient query, to a callback. */
typedef struct rows {
  char lines[64][128];
  int n;
} rows;

static sl_status collect(void *ud, const sl_batch *b, int ncols,
                         sl_error *err) {
  (void)err;
  rows *out = ud;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED || out->n >= 64)
      continue;
    sl_strbuf sb = SL_STRBUF_INIT;
    for (int c = 0; c < ncols; c++) {
      if (c)
        sl_strbuf_appendc(&sb, '|');
      if (b->cols[c][r].kind == SL_TYPE_NULL)
        sl_strbuf_appends(&sb, "NULL");
      else
        sl_format_text(&sb, &b->cols[c][r], NULL);
    }
    snprintf(out->lines[out->n++], 128, "%s", sb.data);
    sl_strbuf_free(&sb);
  }
  return SL_OK;
}

static int cmp_line(const void *a, const void *b) {
  return strcmp(a, b);
}

/* A transient bounded query joined to a lookup table, into a callback. */
static void test_transient_lookup_join(void **state) {
  (void)state;
  sl_error err;
  create_topic("pay", 3);
  sl_kafka_producer *p = producer();
  produce(p, "pay", 0, NULL, "{\"id\": 1, \"merchant\": 10, \"amount\": 1}");
  produce(p, "pay", 1, NULL, "{\"id\": 2, \"merchant\": 20, \"amount\": 2}");
  produce(p, "pay", 2, NULL, "{\"id\": 3, \"merchant\": 99, \"amount\": 3}");
  produce(p, "pay", 2, NULL, "{\"id\": 4, \"amount\": 4}");
  flush(p);
  sl_kafka_producer_free(p);

  sl_catalog_object *tab =
      sl_catalog_object_new(SL_CATALOG_TABLE, "shops", "CREATE TABLE shops");
  OK(sl_catalog_object_add_column(tab, "id", sl_type_bigint(), false, true,
                                  &err));
  OK(sl_catalog_object_add_column(tab, "name", sl_type_varchar(), false,
                                  false, &err));
  OK(sl_catalog_create(catalog, tab, false, NULL, &err));
  sl_lookup *lk;
  OK(sl_lookup_open(catalog, "shops", 0, &lk, &err));
  sl_value r1[] = {sl_value_bigint(10), sl_value_varchar("ten", 3)};
  sl_value r2[] = {sl_value_bigint(20), sl_value_varchar("twenty", 6)};
  OK(sl_lookup_upsert(lk, r1, SL_LOOKUP_ALWAYS, &err));
  OK(sl_lookup_upsert(lk, r2, SL_LOOKUP_ALWAYS, &err));
  sl_lookup_close(lk);

  /* SELECT p.id, s.name FROM pay p LEFT JOIN shops s ON p.merchant =
   * s.id */
  sl_catalog_object *src = orders_stream("pay", "pay", "skip");
  sl_type *B = sl_type_bigint(), *V = sl_type_varchar();
  sl_rel *s = scan(src, SL_SCAN_STREAM);
  sl_rel *t = scan(tab, SL_SCAN_TABLE);
  sl_rel *j = rel_new(SL_REL_JOIN, s->ncolumns + t->ncolumns);
  memcpy(j->columns, s->columns, (size_t)s->ncolumns * sizeof(*j->columns));
  memcpy(j->columns + s->ncolumns, t->columns,
         (size_t)t->ncolumns * sizeof(*j->columns));
  j->u.join.kind = SL_JOIN_LEFT;
  j->u.join.strategy = SL_JOIN_LOOKUP;
  j->u.join.left = s;
  j->u.join.right = t;
  j->u.join.nkeys = 1;
  j->u.join.left_keys = sl_arena_calloc(&tb_arena, 1, sizeof(void *));
  j->u.join.right_keys = sl_arena_calloc(&tb_arena, 1, sizeof(void *));
  j->u.join.left_keys[0] = tb_col(1, B);
  j->u.join.right_keys[0] = tb_col(0, B);
  j->u.join.condition = tb_cmp(SL_OP_EQ, tb_col(1, B), tb_col(5, B));
  const char *names[] = {"id", "name"};
  sl_bexpr *ex[] = {tb_col(0, B), tb_col(6, V)};
  sl_rel *qrel = project(j, 2, names, ex);

  rows got = {0};
  sl_runtime *rt = runtime(2);
  char id[32];
  sl_runtime_transient_id(rt, id, sizeof(id));
  assert_string_equal(id, "transient_1");
  sl_plan_request req = {.query = qrel,
                         .query_id = id,
                         .bounded = true,
                         .sink = SL_PLAN_SINK_CALLBACK,
                         .fn = collect,
                         .ud = &got};
  sl_query *q = start(rt, &req);
  bool ended;
  OK(sl_query_wait(q, 30000, &ended, &err));
  assert_true(ended);
  assert_int_equal(sl_query_tasks(q), 2);
  qsort(got.lines, (size_t)got.n, sizeof(got.lines[0]), cmp_line);
  assert_int_equal(got.n, 4);
  assert_string_equal(got.lines[0], "1|ten");
  assert_string_equal(got.lines[1], "2|twenty");
  assert_string_equal(got.lines[2], "3|NULL");
  assert_string_equal(got.lines[3], "4|NULL");
  sl_runtime_free(rt);
  sl_catalog_object_free(src);
  sl_catalog_object_free(tab);
}

/* The ids seen in an output topic. */
static int count_ids(const char *topic, int *seen, int max) {
  recs *out = calloc(1, sizeof(*out));
  read_topic(topic, out);
  int n = out->n;
  for (int i = 0; i < out->n; i++) {
    int id = atoi(out->r[i].key);
    if (id >= 0 && id < max)
      seen[id]++;
  }
  free(out);
  return n;
}

static void wait_output(const char *topic, int want, int *seen, int max) {
  for (int tries = 0; tries < 200; tries++) {
    memset(seen, 0, (size_t)max * sizeof(*seen));
    count_ids(topic, seen, max);
    int distinct = 0;
    for (int i = 0; i < max; i++)
      distinct += seen[i] > 0;
    if (distinct >= want)
      return;
    struct timespec ts = {0, 100000000};
    nanosleep(&ts, NULL);
  }
  fail_msg("output %s never reached %d distinct records", topic, want);
}

/* The broker goes away mid-query and comes back: every record arrives. */
static void test_broker_down_mid_query(void **state) {
  (void)state;
  sl_error err;
  enum { N = 400 };
  create_topic("flaky", 2);
  sl_kafka_producer *p = producer();
  char v[96], k[16];
  for (int i = 0; i < N / 2; i++) {
    snprintf(k, sizeof(k), "%d", i);
    snprintf(v, sizeof(v), "{\"id\": %d, \"amount\": 50}", i);
    produce(p, "flaky", i % 2, k, v);
  }
  flush(p);

  sl_catalog_object *src = orders_stream("flaky", "flaky", NULL);
  const char *xn[] = {"id", "total"};
  sl_type *xt[] = {sl_type_bigint(), sl_type_double()};
  sl_catalog_object *dst = tb_stream("flaky_out", "flaky_out", 2, xn, xt, 0);
  sl_runtime *rt = runtime(2);
  sl_plan_request req = {.query = big_orders(src),
                         .query_id = "flaky_out",
                         .persistent = true,
                         .sink = SL_PLAN_SINK_STREAM,
                         .stream = dst};
  sl_query *q = start(rt, &req);
  int *seen = calloc(N, sizeof(*seen));
  wait_output("flaky_out", N / 2, seen, N);

  /* Down while more records are on their way, then back. */
  rd_kafka_mock_cluster_t *mock = sl_kafka_broker_mock(broker);
  assert_int_equal(rd_kafka_mock_broker_set_down(mock, 1), 0);
  for (int i = N / 2; i < N; i++) {
    snprintf(k, sizeof(k), "%d", i);
    snprintf(v, sizeof(v), "{\"id\": %d, \"amount\": 50}", i);
    produce(p, "flaky", i % 2, k, v);
  }
  struct timespec ts = {2, 0};
  nanosleep(&ts, NULL);
  assert_int_equal(sl_query_get_status(q), SL_QUERY_STATUS_RUNNING);
  assert_int_equal(rd_kafka_mock_broker_set_up(mock, 1), 0);
  flush(p);
  sl_kafka_producer_free(p);

  wait_output("flaky_out", N, seen, N);
  sl_query_stop(q);
  bool ended;
  OK(sl_query_wait(q, 30000, &ended, &err));
  assert_true(ended);
  assert_int_equal(sl_query_get_status(q), SL_QUERY_STATUS_STOPPED);
  for (int i = 0; i < N; i++)
    if (seen[i] < 1)
      fail_msg("record %d never reached the output", i);
  /* Every input offset is committed after the graceful stop. */
  int64_t c0 = committed("sluice-test-flaky_out", "flaky", 0);
  int64_t c1 = committed("sluice-test-flaky_out", "flaky", 1);
  assert_int_equal(c0 + c1, N);
  free(seen);
  sl_runtime_free(rt);
  sl_catalog_object_free(src);
  sl_catalog_object_free(dst);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bounded_filter_project),
      cmocka_unit_test(test_fail_policy),
      cmocka_unit_test(test_transient_lookup_join),
      cmocka_unit_test(test_broker_down_mid_query),
  };
  /* TEST_ONLY=name runs one test. */
  if (getenv("TEST_ONLY"))
    cmocka_set_test_filter(getenv("TEST_ONLY"));
  return cmocka_run_group_tests(tests, setup, teardown);
}
