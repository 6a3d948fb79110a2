/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/kafka on the embedded broker (librdkafka's mock
 * cluster): round trips with keys, headers and timestamps, batch
 * consumption, pausing and the end of a partition, group commits and
 * resuming, fault injection (request
 * errors, a broker down, slow responses), retention loss detection and the
 * admin calls the embedded broker supports.
 *
 * The mock cluster delays a group's first join by 3 s, so group tests are
 * kept few.
 */
#include "test_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/fetch.h"
#include "engine/kafka/producer.h"

/* Kafka protocol API keys used for fault injection. */
enum { API_PRODUCE = 0 };

static sl_kafka_broker *broker;
static sl_kafka_config *cfg;
static sl_kafka_admin *admin;

static int setup(void **state) {
  (void)state;
  sl_error err;
  if (sl_kafka_broker_start(1, &broker, &err))
    return -1;
  cfg = sl_kafka_config_new();
  if (!cfg || sl_kafka_broker_configure(broker, cfg, &err))
    return -1;
  /* TEST_KAFKA_DEBUG=cgrp,fetch,... turns on librdkafka's debug logs. */
  const char *debug = getenv("TEST_KAFKA_DEBUG");
  if (debug) {
    sl_log_set_level(SL_LOG_DEBUG);
    if (sl_kafka_config_set(cfg, "debug", debug, &err))
      return -1;
  }
  return sl_kafka_admin_new(cfg, &admin, &err) ? -1 : 0;
}

static int teardown(void **state) {
  (void)state;
  sl_kafka_admin_free(admin);
  sl_kafka_config_free(cfg);
  sl_kafka_broker_stop(broker);
  return 0;
}

static void check_ok(sl_status rc, const sl_error *err, const char *what) {
  if (rc != SL_OK) {
    char buf[1200];
    print_error("%s failed: %s\n", what,
                sl_error_format(err, buf, sizeof(buf)));
    fail();
  }
}

static void create_topic(const char *topic, int partitions) {
  sl_error err;
  check_ok(sl_kafka_admin_create_topic(admin, topic, partitions, 1, NULL,
                                       false, &err),
           &err, "create topic");
}

static sl_kafka_producer *new_producer(void) {
  sl_kafka_producer *p = NULL;
  sl_error err;
  check_ok(sl_kafka_producer_new(cfg, NULL, &p, &err), &err, "producer");
  return p;
}

static void produce_kv(sl_kafka_producer *p, const char *topic,
                       int32_t partition, const char *key,
                       const char *value) {
  sl_kafka_record rec = {.topic = topic, .partition = partition,
                         .key = key, .key_len = key ? strlen(key) : 0,
                         .value = value,
                         .value_len = value ? strlen(value) : 0};
  sl_error err;
  check_ok(sl_kafka_produce(p, &rec, &err), &err, "produce");
}

static void flush_ok(sl_kafka_producer *p) {
  sl_error err;
  check_ok(sl_kafka_producer_flush(p, 30000, &err), &err, "flush");
}

static sl_kafka_consumer *new_consumer(const sl_kafka_consumer_opts *opts) {
  sl_kafka_consumer *c = NULL;
  sl_error err;
  check_ok(sl_kafka_consumer_new(cfg, opts, &c, &err), &err, "consumer");
  return c;
}

/* Polls until the consumer reaches its bounded end (or want records, when
 * want > 0), calling fn on each record; fails after timeout_ms. */
static int64_t consume(sl_kafka_consumer *c, int64_t want, int timeout_ms,
                       void (*fn)(void *ctx, const sl_kafka_msg *m),
                       void *ctx) {
  sl_kafka_batch b;
  sl_error err;
  check_ok(sl_kafka_batch_init(&b, 500, &err), &err, "batch");
  int64_t got = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    if (want > 0 ? got >= want : sl_kafka_consumer_at_end(c))
      break;
    check_ok(sl_kafka_consumer_poll(c, &b, 100, &err), &err, "poll");
    for (size_t i = 0; i < b.count; i++)
      if (fn)
        fn(ctx, &b.msgs[i]);
    got += (int64_t)b.count;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if ((t1.tv_sec - t0.tv_sec) * 1000 > timeout_ms) {
      print_error("consumed %" PRId64 " records before timing out\n", got);
      fail();
    }
  }
  sl_kafka_batch_destroy(&b);
  return got;
}

/* The number in a record's value after prefix (values are not
 * NUL-terminated). */
static int value_number(const sl_kafka_msg *m, const char *prefix) {
  char buf[64];
  assert_true(m->value_len < sizeof(buf));
  memcpy(buf, m->value, m->value_len);
  buf[m->value_len] = '\0';
  size_t n = strlen(prefix);
  assert_memory_equal(buf, prefix, n);
  return atoi(buf + n);
}

/* ---- round trip ----------------------------------------------------- */

#define RT_COUNT 300
#define RT_BASE_TS INT64_C(1700000000000)

typedef struct rt_seen {
  int count[RT_COUNT];
  int32_t key_partition[10];
  int specials;
} rt_seen;

static void rt_check(void *ctx, const sl_kafka_msg *m) {
  rt_seen *seen = ctx;
  assert_string_equal(m->topic, "roundtrip");

  /* The three records of unusual shape (partition 2, offsets 0-2). */
  if (m->value_len == 0 || !m->key) {
    assert_int_equal(m->partition, 2);
    seen->specials++;
    if (!m->key) {
      assert_int_equal(m->key_len, 0);
      assert_memory_equal(m->value, "no key", 6);
    } else if (!m->value) {
      assert_memory_equal(m->key, "tomb", 4);
      assert_int_equal(m->value_len, 0);
    } else {
      assert_memory_equal(m->key, "empty", 5);
      assert_non_null(m->value);
    }
    assert_int_equal(sl_kafka_msg_header_count(m), 0);
    return;
  }

  int i = value_number(m, "value-");
  char key[16], value[32], hdr[32];
  assert_in_range(i, 0, RT_COUNT - 1);
  seen->count[i]++;
  snprintf(key, sizeof(key), "key-%d", i % 10);
  snprintf(value, sizeof(value), "value-%d", i);
  snprintf(hdr, sizeof(hdr), "trace-%d", i);
  assert_int_equal(m->key_len, strlen(key));
  assert_memory_equal(m->key, key, m->key_len);
  assert_int_equal(m->value_len, strlen(value));
  assert_memory_equal(m->value, value, m->value_len);
  assert_int_equal(m->timestamp_ms, RT_BASE_TS + i);

  /* The same key always lands on the same partition. */
  int32_t *kp = &seen->key_partition[i % 10];
  if (*kp < 0)
    *kp = m->partition;
  assert_int_equal(m->partition, *kp);

  assert_int_equal(sl_kafka_msg_header_count(m), 3);
  sl_kafka_header h;
  assert_true(sl_kafka_msg_header_at(m, 0, &h));
  assert_string_equal(h.name, "trace");
  assert_int_equal(h.size, strlen(hdr));
  assert_memory_equal(h.value, hdr, h.size);
  assert_true(sl_kafka_msg_header_at(m, 1, &h));
  assert_string_equal(h.name, "nothing");
  assert_null(h.value);
  assert_int_equal(h.size, 0);
  assert_true(sl_kafka_msg_header_find(m, "trace", &h));
  assert_memory_equal(h.value, "again", 5);
  assert_false(sl_kafka_msg_header_find(m, "absent", &h));
  assert_false(sl_kafka_msg_header_at(m, 3, &h));
}

static void test_round_trip(void **state) {
  (void)state;
  create_topic("roundtrip", 3);
  sl_kafka_producer *p = new_producer();
  sl_error err;

  produce_kv(p, "roundtrip", 2, NULL, "no key");
  produce_kv(p, "roundtrip", 2, "tomb", NULL);
  sl_kafka_record empty = {.topic = "roundtrip", .partition = 2,
                           .key = "empty", .key_len = 5, .value = "",
                           .value_len = 0};
  check_ok(sl_kafka_produce(p, &empty, &err), &err, "produce");
  flush_ok(p);

  for (int i = 0; i < RT_COUNT; i++) {
    char key[16], value[32], hdr[32];
    snprintf(key, sizeof(key), "key-%d", i % 10);
    snprintf(value, sizeof(value), "value-%d", i);
    snprintf(hdr, sizeof(hdr), "trace-%d", i);
    sl_kafka_header headers[] = {{"trace", hdr, strlen(hdr)},
                                 {"nothing", NULL, 0},
                                 {"trace", "again", 5}};
    sl_kafka_record rec = {.topic = "roundtrip",
                           .partition = SL_KAFKA_PARTITION_ANY,
                           .key = key, .key_len = strlen(key),
                           .value = value, .value_len = strlen(value),
                           .timestamp_ms = RT_BASE_TS + i,
                           .headers = headers, .header_count = 3};
    check_ok(sl_kafka_produce(p, &rec, &err), &err, "produce");
  }
  flush_ok(p);
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(p, &st);
  assert_int_equal(st.produced, RT_COUNT + 3);
  assert_int_equal(st.delivered, RT_COUNT + 3);
  assert_int_equal(st.failed, 0);
  assert_int_equal(st.outstanding, 0);
  sl_kafka_producer_free(p);

  /* Read everything back without a group, up to the current end. */
  sl_kafka_consumer *c = new_consumer(NULL);
  check_ok(sl_kafka_consumer_assign_topic(c, "roundtrip",
                                          SL_KAFKA_OFFSET_BEGINNING, true,
                                          &err),
           &err, "assign");
  rt_seen seen = {.specials = 0};
  for (int i = 0; i < 10; i++)
    seen.key_partition[i] = -1;
  assert_int_equal(consume(c, 0, 20000, rt_check, &seen), RT_COUNT + 3);
  for (int i = 0; i < RT_COUNT; i++)
    assert_int_equal(seen.count[i], 1);
  assert_int_equal(seen.specials, 3);

  /* Keys spread over more than one partition. */
  int spread = 0;
  for (int i = 1; i < 10; i++)
    spread |= seen.key_partition[i] != seen.key_partition[0];
  assert_true(spread);

  sl_kafka_position pos[4];
  assert_int_equal(sl_kafka_consumer_positions(c, pos, 4), 3);
  int64_t total = 0;
  for (int i = 0; i < 3; i++)
    total += pos[i].offset;
  assert_int_equal(total, RT_COUNT + 3);
  sl_kafka_consumer_stats cs;
  sl_kafka_consumer_stats_get(c, &cs);
  assert_int_equal(cs.records, RT_COUNT + 3);
  assert_int_equal(cs.lost_records, 0);
  sl_kafka_consumer_free(c);
}

/* ---- batches -------------------------------------------------------- */

static void test_batch_consume(void **state) {
  (void)state;
  create_topic("batches", 1);
  sl_kafka_producer *p = new_producer();
  char value[32];
  for (int i = 0; i < 5000; i++) {
    snprintf(value, sizeof(value), "%d", i);
    produce_kv(p, "batches", SL_KAFKA_PARTITION_ANY, NULL, value);
  }
  flush_ok(p);
  sl_kafka_producer_free(p);

  sl_kafka_consumer *c = new_consumer(NULL);
  sl_kafka_position start = {"batches", 0, 0};
  sl_error err;
  check_ok(sl_kafka_consumer_assign(c, &start, 1, &err), &err, "assign");
  sl_kafka_batch b;
  check_ok(sl_kafka_batch_init(&b, 1000, &err), &err, "batch");
  int64_t next = 0;
  size_t largest = 0;
  int polls = 0;
  while (next < 5000 && polls++ < 200) {
    check_ok(sl_kafka_consumer_poll(c, &b, 200, &err), &err, "poll");
    assert_true(b.count <= 1000);
    if (b.count > largest)
      largest = b.count;
    for (size_t i = 0; i < b.count; i++) {
      assert_int_equal(b.msgs[i].offset, next);
      snprintf(value, sizeof(value), "%" PRId64, next);
      assert_int_equal(b.msgs[i].value_len, strlen(value));
      assert_memory_equal(b.msgs[i].value, value, strlen(value));
      next++;
    }
  }
  assert_int_equal(next, 5000);
  /* Records come many to a batch, not one by one. */
  assert_true(largest >= 500);

  /* Unbounded: no end is ever reached. */
  assert_false(sl_kafka_consumer_at_end(c));
  sl_kafka_batch_destroy(&b);
  sl_kafka_consumer_free(c);

  /* A bounded read of an empty topic is over before it starts. */
  create_topic("empty", 2);
  c = new_consumer(NULL);
  check_ok(sl_kafka_consumer_assign_topic(c, "empty",
                                          SL_KAFKA_OFFSET_BEGINNING, true,
                                          &err),
           &err, "assign");
  assert_true(sl_kafka_consumer_at_end(c));
  sl_kafka_consumer_free(c);

  /* A missing topic is an error naming it, and reading does not create
   * it. */
  c = new_consumer(NULL);
  assert_int_equal(sl_kafka_consumer_assign_topic(c, "missing",
                                                  SL_KAFKA_OFFSET_BEGINNING,
                                                  true, &err),
                   SL_ERR_KAFKA);
  assert_string_equal(err.message, "missing: metadata: Broker: Unknown "
                      "topic or partition");
  sl_kafka_consumer_free(c);
  bool exists = true;
  check_ok(sl_kafka_admin_topic_exists(admin, "missing", &exists, &err),
           &err, "exists");
  assert_false(exists);
}

/* ---- pausing, the end of a partition, records kept across polls ----- */

#define PAUSE_RECORDS 3000

/* A paused partition delivers nothing until resumed, then carries on at
 * the next offset, none lost or twice; a partition is drained once the
 * end of it was reported after its last record; records detached from a
 * batch outlive the next polls until released. */
static void test_pause_and_drained(void **state) {
  (void)state;
  create_topic("paused", 2);
  sl_kafka_producer *p = new_producer();
  char value[32];
  for (int i = 0; i < PAUSE_RECORDS; i++) {
    snprintf(value, sizeof(value), "%d", i);
    produce_kv(p, "paused", 0, NULL, value);
  }
  for (int i = 0; i < 10; i++)
    produce_kv(p, "paused", 1, NULL, "one");
  flush_ok(p);
  sl_kafka_producer_free(p);

  sl_kafka_consumer *c = new_consumer(NULL);
  sl_kafka_position start[2] = {{"paused", 0, 0}, {"paused", 1, 0}};
  sl_error err;
  check_ok(sl_kafka_consumer_assign(c, start, 2, &err), &err, "assign");
  assert_false(sl_kafka_consumer_drained(c, "paused", 0));
  assert_false(sl_kafka_consumer_drained(c, "paused", 1));
  assert_false(sl_kafka_consumer_drained(c, "paused", 2));
  sl_kafka_batch b;
  check_ok(sl_kafka_batch_init(&b, 100, &err), &err, "batch");

  /* The first records of partition 0, kept past the polls below. */
  sl_kafka_msg kept = {0};
  int64_t next = 0;
  int polls = 0;
  while (next == 0 && polls++ < 100) {
    check_ok(sl_kafka_consumer_poll(c, &b, 100, &err), &err, "poll");
    for (size_t i = 0; i < b.count; i++) {
      if (b.msgs[i].partition != 0)
        continue;
      assert_int_equal(b.msgs[i].offset, next);
      if (next == 0)
        kept = b.msgs[i];
      next++;
    }
    if (next > 0) {
      /* Keep the first one; give the rest back. */
      for (size_t i = 0; i < b.count; i++)
        if (b.msgs[i].handle != kept.handle)
          sl_kafka_msg_release(&b.msgs[i]);
      sl_kafka_batch_detach(&b);
    }
  }
  assert_true(next > 0 && next < PAUSE_RECORDS);
  check_ok(sl_kafka_consumer_pause(c, "paused", 0, true, &err), &err,
           "pause");

  /* Paused: partition 1 goes on to its end, partition 0 stays put. */
  for (polls = 0; polls < 20; polls++) {
    check_ok(sl_kafka_consumer_poll(c, &b, 50, &err), &err, "poll");
    for (size_t i = 0; i < b.count; i++)
      if (b.msgs[i].partition == 0)
        fail_msg("offset %lld of a paused partition",
                 (long long)b.msgs[i].offset);
  }
  assert_true(sl_kafka_consumer_drained(c, "paused", 1));
  assert_false(sl_kafka_consumer_drained(c, "paused", 0));
  assert_memory_equal(kept.value, "0", 1);

  check_ok(sl_kafka_consumer_pause(c, "paused", 0, false, &err), &err,
           "resume");
  for (polls = 0; next < PAUSE_RECORDS && polls < 200; polls++) {
    check_ok(sl_kafka_consumer_poll(c, &b, 100, &err), &err, "poll");
    for (size_t i = 0; i < b.count; i++) {
      assert_int_equal(b.msgs[i].partition, 0);
      if (b.msgs[i].offset != next)
        fail_msg("offset %lld after a pause, expected %lld",
                 (long long)b.msgs[i].offset, (long long)next);
      snprintf(value, sizeof(value), "%lld", (long long)next);
      assert_int_equal(b.msgs[i].value_len, strlen(value));
      assert_memory_equal(b.msgs[i].value, value, strlen(value));
      next++;
    }
  }
  assert_int_equal(next, PAUSE_RECORDS);
  for (polls = 0; polls < 50 && !sl_kafka_consumer_drained(c, "paused", 0);
       polls++)
    check_ok(sl_kafka_consumer_poll(c, &b, 100, &err), &err, "poll");
  assert_true(sl_kafka_consumer_drained(c, "paused", 0));
  assert_int_equal(b.count, 0);

  /* A new record ends the partition's drained state until its end is
   * reported again. */
  p = new_producer();
  produce_kv(p, "paused", 0, NULL, "late");
  flush_ok(p);
  sl_kafka_producer_free(p);
  bool seen = false;
  for (polls = 0; polls < 100 && !seen; polls++) {
    check_ok(sl_kafka_consumer_poll(c, &b, 100, &err), &err, "poll");
    for (size_t i = 0; i < b.count; i++)
      seen = seen || b.msgs[i].offset == PAUSE_RECORDS;
    if (seen)
      assert_false(sl_kafka_consumer_drained(c, "paused", 0));
  }
  assert_true(seen);

  assert_memory_equal(kept.value, "0", 1);
  sl_kafka_msg_release(&kept);
  sl_kafka_batch_destroy(&b);
  sl_kafka_consumer_free(c);
}

/* ---- groups, commits, resuming -------------------------------------- */

#define GROUP_RECORDS 1000

typedef struct group_log {
  int seen[GROUP_RECORDS];
  int64_t assigned_offsets[4];
  int assigns;
  int revokes;
} group_log;

static void note_assign(void *ctx, sl_kafka_position *parts, size_t n) {
  group_log *log = ctx;
  log->assigns++;
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(parts[i].topic, "groups");
    assert_in_range(parts[i].partition, 0, 3);
    log->assigned_offsets[parts[i].partition] = parts[i].offset;
  }
}

static void note_revoke(void *ctx, const sl_kafka_position *parts, size_t n,
                        bool lost) {
  group_log *log = ctx;
  log->revokes++;
  assert_false(lost);
  assert_int_equal(n, 4);
}

static void note_record(void *ctx, const sl_kafka_msg *m) {
  group_log *log = ctx;
  int i = value_number(m, "");
  assert_in_range(i, 0, GROUP_RECORDS - 1);
  log->seen[i]++;
}

static void test_group_commit_and_resume(void **state) {
  (void)state;
  create_topic("groups", 4);
  sl_kafka_producer *p = new_producer();
  for (int i = 0; i < GROUP_RECORDS; i++) {
    char key[16], value[16];
    snprintf(key, sizeof(key), "k%d", i % 37);
    snprintf(value, sizeof(value), "%d", i);
    produce_kv(p, "groups", SL_KAFKA_PARTITION_ANY, key, value);
  }
  flush_ok(p);
  sl_kafka_producer_free(p);
  sl_error err;

  /* First member: reads part of the topic and commits where it stands. */
  group_log first = {.assigns = 0};
  sl_kafka_consumer_opts opts = {.group_id = "resume-group",
                                 .on_assign = note_assign,
                                 .on_revoke = note_revoke, .ctx = &first};
  sl_kafka_consumer *c = new_consumer(&opts);
  const char *topics[] = {"groups"};
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  int64_t got = consume(c, 400, 30000, note_record, &first);
  assert_true(got >= 400);
  assert_int_equal(first.assigns, 1);
  for (int i = 0; i < 4; i++)
    assert_int_equal(first.assigned_offsets[i], SL_KAFKA_OFFSET_INVALID);

  sl_kafka_position pos[4];
  assert_int_equal(sl_kafka_consumer_positions(c, pos, 4), 4);
  int64_t committed_total = 0;
  int64_t committed[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    if (pos[i].offset < 0)
      pos[i].offset = 0; /* nothing read there yet */
    committed[pos[i].partition] = pos[i].offset;
    committed_total += pos[i].offset;
  }
  assert_int_equal(committed_total, got);
  check_ok(sl_kafka_consumer_commit(c, pos, 4, &err), &err, "commit");

  sl_kafka_position check[4];
  for (int i = 0; i < 4; i++)
    check[i] = (sl_kafka_position){"groups", i, SL_KAFKA_OFFSET_INVALID};
  check_ok(sl_kafka_consumer_committed(c, check, 4, 10000, &err), &err,
           "committed");
  for (int i = 0; i < 4; i++)
    assert_int_equal(check[i].offset, committed[i]);
  check_ok(sl_kafka_consumer_close(c, &err), &err, "close");
  assert_int_equal(first.revokes, 1);
  sl_kafka_consumer_free(c);

  /* Second member: starts exactly at the committed offsets and reads the
   * rest of the topic as it stands now (bounded). */
  group_log second = {.assigns = 0};
  opts.ctx = &second;
  c = new_consumer(&opts);
  check_ok(sl_kafka_consumer_bound(c, "groups", &err), &err, "bound");
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  int64_t rest = consume(c, 0, 30000, note_record, &second);
  assert_int_equal(rest, GROUP_RECORDS - committed_total);
  assert_int_equal(second.assigns, 1);
  for (int i = 0; i < 4; i++)
    assert_int_equal(second.assigned_offsets[i], committed[i]);

  /* Between them the two members saw every record exactly once. */
  for (int i = 0; i < GROUP_RECORDS; i++)
    assert_int_equal(first.seen[i] + second.seen[i], 1);
  sl_kafka_consumer_free(c);
}

/* ---- fault injection ------------------------------------------------ */

static int64_t elapsed_ms(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000 +
         (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void produce_numbers(sl_kafka_producer *p, const char *topic,
                            int from, int to) {
  for (int i = from; i < to; i++) {
    char value[16];
    snprintf(value, sizeof(value), "%d", i);
    produce_kv(p, topic, SL_KAFKA_PARTITION_ANY, value, value);
  }
}

typedef struct count_log {
  int seen[1000];
} count_log;

static void count_record(void *ctx, const sl_kafka_msg *m) {
  count_log *log = ctx;
  int i = value_number(m, "");
  assert_in_range(i, 0, 999);
  log->seen[i]++;
}

static void test_faults_retried_until_delivered(void **state) {
  (void)state;
  rd_kafka_mock_cluster_t *mock = sl_kafka_broker_mock(broker);
  create_topic("faults", 2);
  sl_kafka_producer *p = new_producer();
  sl_error err;

  /* Retriable errors on produce requests: retried, nothing lost. */
  rd_kafka_mock_push_request_errors(
      mock, API_PRODUCE, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
      RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
      RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE);
  produce_numbers(p, "faults", 0, 200);
  flush_ok(p);

  /* The broker goes away: records wait, then go once it is back. */
  assert_int_equal(rd_kafka_mock_broker_set_down(mock, 1), 0);
  produce_numbers(p, "faults", 200, 400);
  sl_kafka_producer_poll(p, 1500);
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(p, &st);
  assert_int_equal(st.delivered, 200);
  assert_int_equal(st.outstanding, 200);
  assert_int_equal(rd_kafka_mock_broker_set_up(mock, 1), 0);
  flush_ok(p);

  /* Slow responses: slower, still complete. */
  assert_int_equal(rd_kafka_mock_broker_set_rtt(mock, 1, 400), 0);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  produce_numbers(p, "faults", 400, 500);
  flush_ok(p);
  assert_true(elapsed_ms(&t0) >= 400);
  assert_int_equal(rd_kafka_mock_broker_set_rtt(mock, 1, 0), 0);

  sl_kafka_producer_stats_get(p, &st);
  assert_int_equal(st.produced, 500);
  assert_int_equal(st.delivered, 500);
  assert_int_equal(st.failed, 0);
  sl_kafka_producer_free(p);

  /* Exactly once each: the idempotent producer wrote no duplicates. */
  sl_kafka_consumer *c = new_consumer(NULL);
  check_ok(sl_kafka_consumer_assign_topic(c, "faults",
                                          SL_KAFKA_OFFSET_BEGINNING, true,
                                          &err),
           &err, "assign");
  count_log log = {{0}};
  assert_int_equal(consume(c, 0, 20000, count_record, &log), 500);
  for (int i = 0; i < 500; i++)
    assert_int_equal(log.seen[i], 1);
  sl_kafka_consumer_free(c);
}

static void test_delivery_failure_reported(void **state) {
  (void)state;
  rd_kafka_mock_cluster_t *mock = sl_kafka_broker_mock(broker);
  create_topic("refused", 2);
  sl_kafka_producer *p = new_producer();
  sl_error err;

  rd_kafka_mock_push_request_errors(
      mock, API_PRODUCE, 1, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  produce_kv(p, "refused", 1, "k", "v");
  assert_int_equal(sl_kafka_producer_flush(p, 10000, &err), SL_ERR_KAFKA);
  assert_string_equal(err.message, "refused [1]: delivery failed: Broker: "
                      "Message size too large");
  assert_string_equal(err.topic, "refused");
  assert_int_equal(err.partition, 1);

  /* Reported once; later records are fine again. */
  produce_kv(p, "refused", 1, "k", "v");
  flush_ok(p);
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(p, &st);
  assert_int_equal(st.failed, 1);
  assert_int_equal(st.delivered, 1);

  /* A partition that does not exist fails at once. */
  sl_kafka_record rec = {.topic = "refused", .partition = 7, .value = "x",
                         .value_len = 1};
  assert_int_equal(sl_kafka_produce(p, &rec, &err), SL_ERR_KAFKA);
  assert_string_equal(err.message, "refused [7]: produce: Local: Unknown "
                      "partition");
  sl_kafka_producer_free(p);
}

/* ---- retention loss ------------------------------------------------- */

typedef struct loss_log {
  int64_t first_offset;
  int calls;
  sl_kafka_loss last;
} loss_log;

static void note_loss(void *ctx, const sl_kafka_loss *loss) {
  loss_log *log = ctx;
  log->calls++;
  log->last = *loss;
  assert_string_equal(loss->topic, "retention");
}

static void first_offset(void *ctx, const sl_kafka_msg *m) {
  loss_log *log = ctx;
  if (log->first_offset < 0)
    log->first_offset = m->offset;
}

static void produce_padded(sl_kafka_producer *p, int from, int to) {
  /* ~250-byte records, the size the embedded broker's limit is quoted
   * for. */
  char value[256];
  for (int i = from; i < to; i++) {
    int n = snprintf(value, sizeof(value), "{\"id\":%d,\"pad\":\"", i);
    memset(value + n, 'x', sizeof(value) - (size_t)n - 3);
    memcpy(value + sizeof(value) - 3, "\"}", 3);
    produce_kv(p, "retention", 0, NULL, value);
  }
}

static void test_retention_loss_detected(void **state) {
  (void)state;
  create_topic("retention", 1);
  sl_kafka_producer *p = new_producer();
  sl_error err;
  produce_padded(p, 0, 200);
  flush_ok(p);

  /* A member reads and commits 100 records, then goes away. */
  loss_log log = {.first_offset = -1};
  sl_kafka_consumer_opts opts = {.group_id = "slow-group",
                                 .on_loss = note_loss, .ctx = &log};
  sl_kafka_consumer *c = new_consumer(&opts);
  const char *topics[] = {"retention"};
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  consume(c, 100, 30000, NULL, NULL);
  sl_kafka_position at = {"retention", 0, 100};
  check_ok(sl_kafka_consumer_commit(c, &at, 1, &err), &err, "commit");
  sl_kafka_consumer_free(c);

  /* While it is away, 7.5 MB more arrive: the broker keeps ~5 MB. */
  produce_padded(p, 200, 30200);
  flush_ok(p);
  sl_kafka_producer_free(p);
  int64_t low, high;
  check_ok(sl_kafka_admin_watermarks(admin, "retention", 0, &low, &high,
                                     &err),
           &err, "watermarks");
  assert_int_equal(high, 30200);
  assert_true(low > 100);

  /* The group resumes at 100, which is gone: the loss is reported with
   * its exact size, and reading goes on from the log start. */
  c = new_consumer(&opts);
  check_ok(sl_kafka_consumer_bound(c, "retention", &err), &err, "bound");
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  int64_t got = consume(c, 0, 30000, first_offset, &log);
  assert_int_equal(got, high - low);
  assert_int_equal(log.first_offset, low);
  assert_int_equal(log.calls, 1);
  assert_int_equal(log.last.partition, 0);
  assert_int_equal(log.last.expected, 100);
  assert_int_equal(log.last.resumed, low);
  assert_int_equal(log.last.lost, low - 100);
  sl_kafka_consumer_stats cs;
  sl_kafka_consumer_stats_get(c, &cs);
  assert_int_equal(cs.lost_records, low - 100);
  assert_int_equal(cs.loss_events, 1);
  sl_kafka_consumer_free(c);

  /* The same without a group: asking for offset 0 loses low records. */
  loss_log log2 = {.first_offset = -1};
  sl_kafka_consumer_opts gl = {.on_loss = note_loss, .ctx = &log2};
  c = new_consumer(&gl);
  sl_kafka_position zero = {"retention", 0, 0};
  check_ok(sl_kafka_consumer_assign(c, &zero, 1, &err), &err, "assign");
  consume(c, 1, 20000, first_offset, &log2);
  assert_int_equal(log2.first_offset, low);
  assert_int_equal(log2.calls, 1);
  assert_int_equal(log2.last.expected, 0);
  assert_int_equal(log2.last.lost, low);
  sl_kafka_consumer_stats_get(c, &cs);
  assert_int_equal(cs.lost_records, low);
  sl_kafka_consumer_free(c);

  /* Starting at the beginning loses nothing: no position was promised. */
  c = new_consumer(NULL);
  check_ok(sl_kafka_consumer_assign_topic(c, "retention",
                                          SL_KAFKA_OFFSET_BEGINNING, true,
                                          &err),
           &err, "assign");
  assert_int_equal(consume(c, 0, 20000, NULL, NULL), high - low);
  sl_kafka_consumer_stats_get(c, &cs);
  assert_int_equal(cs.lost_records, 0);
  sl_kafka_consumer_free(c);
}

/* ---- admin on the embedded broker ----------------------------------- */

static void test_embedded_admin(void **state) {
  (void)state;
  sl_error err;
  create_topic("admin-made", 3);
  assert_int_equal(sl_kafka_admin_create_topic(admin, "admin-made", 3, 1,
                                               NULL, false, &err),
                   SL_ERR_KAFKA);
  assert_string_equal(err.message, "admin-made: create topic: Broker: "
                      "Topic already exists");
  check_ok(sl_kafka_admin_create_topic(admin, "admin-made", 3, 1, NULL, true,
                                       &err),
           &err, "create if not exists");
  assert_int_equal(sl_kafka_admin_create_topic(admin, "too-many", 1, 3, NULL,
                                               false, &err),
                   SL_ERR_KAFKA);

  /* A topic a producer writes to first gets 4 partitions. */
  sl_kafka_producer *p = new_producer();
  for (int i = 0; i < 40; i++)
    produce_kv(p, "auto-made", SL_KAFKA_PARTITION_ANY, NULL, "x");
  flush_ok(p);
  sl_kafka_producer_free(p);

  sl_kafka_topic_info *info;
  check_ok(sl_kafka_admin_describe_topic(admin, "auto-made", &info, &err),
           &err, "describe");
  assert_string_equal(info->name, "auto-made");
  assert_int_equal(info->partition_count, 4);
  assert_int_equal(info->replication, 1);
  int64_t total = 0;
  int used = 0;
  for (int i = 0; i < 4; i++) {
    assert_int_equal(info->partitions[i].id, i);
    assert_int_equal(info->partitions[i].leader, 1);
    assert_int_equal(info->partitions[i].low, 0);
    total += info->partitions[i].high;
    used += info->partitions[i].high > 0;
  }
  assert_int_equal(total, 40);
  /* Unkeyed records are spread, not sent to one sticky partition. */
  assert_true(used >= 2);
  sl_kafka_topic_info_free(info);

  bool exists = true;
  check_ok(sl_kafka_admin_topic_exists(admin, "never-made", &exists, &err),
           &err, "exists");
  assert_false(exists);
  assert_int_equal(sl_kafka_admin_describe_topic(admin, "never-made", &info,
                                                 &err),
                   SL_ERR_KAFKA);
  assert_null(info);
  assert_string_equal(err.message, "never-made: describe: Broker: Unknown "
                      "topic or partition");

  char **names;
  size_t n;
  check_ok(sl_kafka_admin_list_topics(admin, false, &names, &n, &err), &err,
           "list");
  bool found_admin = false, found_auto = false;
  for (size_t i = 0; i < n; i++) {
    found_admin |= strcmp(names[i], "admin-made") == 0;
    found_auto |= strcmp(names[i], "auto-made") == 0;
    if (i > 0)
      assert_true(strcmp(names[i - 1], names[i]) < 0);
  }
  assert_true(found_admin && found_auto);
  sl_kafka_names_free(names, n);

  assert_int_equal(sl_kafka_admin_delete_topic(admin, "admin-made", &err),
                   SL_ERR_KAFKA);
  assert_string_equal(err.message, "admin-made: delete topic: the embedded "
                      "broker cannot delete topics");
}

/* A record read back by its position: any offset, in any order, and a
 * clear error for one past the end. */
static void test_fetch_by_position(void **state) {
  (void)state;
  create_topic("fetched", 2);
  sl_kafka_producer *p = new_producer();
  char key[16], value[32];
  for (int i = 0; i < 5; i++) {
    snprintf(key, sizeof(key), "k%d", i);
    snprintf(value, sizeof(value), "{\"n\":%d}", i);
    produce_kv(p, "fetched", 1, key, value);
  }
  flush_ok(p);
  sl_kafka_producer_free(p);

  sl_kafka_fetcher *f = NULL;
  sl_error err;
  check_ok(sl_kafka_fetcher_new(cfg, &f, &err), &err, "fetcher");
  static const int64_t order[] = {3, 0, 4, 1, 1};
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
    sl_kafka_fetched got;
    check_ok(sl_kafka_fetch(f, "fetched", 1, order[i], 10000, &got, &err),
             &err, "fetch");
    snprintf(key, sizeof(key), "k%d", (int)order[i]);
    snprintf(value, sizeof(value), "{\"n\":%d}", (int)order[i]);
    if (got.key_len != strlen(key) || memcmp(got.key, key, got.key_len) ||
        got.value_len != strlen(value) ||
        memcmp(got.value, value, got.value_len))
      fail_msg("offset %d: got key \"%.*s\" value \"%.*s\"",
               (int)order[i], (int)got.key_len, (const char *)got.key,
               (int)got.value_len, (const char *)got.value);
  }

  sl_kafka_fetched got;
  assert_int_equal(sl_kafka_fetch(f, "fetched", 1, 9, 10000, &got, &err),
                   SL_ERR_KAFKA);
  if (!strstr(err.message, "fetched [1]") ||
      !strstr(err.message, "past the partition's end"))
    fail_msg("unexpected error: %s", err.message);
  sl_kafka_fetcher_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_batch_consume),
      cmocka_unit_test(test_pause_and_drained),
      cmocka_unit_test(test_group_commit_and_resume),
      cmocka_unit_test(test_faults_retried_until_delivered),
      cmocka_unit_test(test_delivery_failure_reported),
      cmocka_unit_test(test_retention_loss_detected),
      cmocka_unit_test(test_embedded_admin),
      cmocka_unit_test(test_fetch_by_position),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
