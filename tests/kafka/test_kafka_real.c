/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration tests of engine/kafka against a real Apache Kafka broker,
 * whose address comes from SLUICE_TEST_BROKERS (scripts/test.sh starts
 * one with scripts/kafka.sh).  Without it the program exits 77, which
 * CTest reports as skipped.
 *
 * Covered: topic administration through the Admin API; producing keyed
 * records with headers and timestamps; a consumer group that reads part,
 * commits and is replaced by a member that resumes exactly at the
 * commits; transient bounded reads; and loss detection when the log start
 * moves past a group's committed offset (DeleteRecords, as retention
 * would).  Topic names carry the process id and time, so runs never see
 * each other's data.
 */
#include "test_util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"

static const char *brokers;
static char run_id[64];
static sl_kafka_config *cfg;
static sl_kafka_admin *admin;

static void check_ok(sl_status rc, const sl_error *err, const char *what) {
  if (rc != SL_OK) {
    char buf[1200];
    print_error("%s failed: %s\n", what,
                sl_error_format(err, buf, sizeof(buf)));
    fail();
  }
}

static int setup(void **state) {
  (void)state;
  sl_error err;
  snprintf(run_id, sizeof(run_id), "%ld-%ld", (long)getpid(),
           (long)time(NULL));
  cfg = sl_kafka_config_new();
  if (!cfg || sl_kafka_config_set(cfg, "bootstrap.servers", brokers, &err))
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
  return 0;
}

static void topic_name(char *buf, size_t size, const char *what) {
  snprintf(buf, size, "sluice-test-%s-%s", what, run_id);
}

static void delete_topic(const char *topic) {
  sl_error err;
  check_ok(sl_kafka_admin_delete_topic(admin, topic, &err), &err,
           "delete topic");
  bool exists = true;
  check_ok(sl_kafka_admin_topic_exists(admin, topic, &exists, &err), &err,
           "exists");
  assert_false(exists);
}

/* ---- administration ------------------------------------------------- */

static void test_admin_topics(void **state) {
  (void)state;
  char topic[128], compacted[128], absent[128], msg[512];
  topic_name(topic, sizeof(topic), "admin");
  topic_name(compacted, sizeof(compacted), "compacted");
  topic_name(absent, sizeof(absent), "absent");
  sl_error err;

  check_ok(sl_kafka_admin_create_topic(admin, topic, 3, 1, NULL, false,
                                       &err),
           &err, "create");
  sl_kafka_topic_info *info;
  check_ok(sl_kafka_admin_describe_topic(admin, topic, &info, &err), &err,
           "describe");
  assert_string_equal(info->name, topic);
  assert_int_equal(info->partition_count, 3);
  assert_int_equal(info->replication, 1);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(info->partitions[i].id, i);
    assert_true(info->partitions[i].leader >= 0);
    assert_int_equal(info->partitions[i].replicas, 1);
    assert_int_equal(info->partitions[i].low, 0);
    assert_int_equal(info->partitions[i].high, 0);
  }
  sl_kafka_topic_info_free(info);

  assert_int_equal(sl_kafka_admin_create_topic(admin, topic, 3, 1, NULL,
                                               false, &err),
                   SL_ERR_KAFKA);
  snprintf(msg, sizeof(msg), "%s: create topic: Topic '%s' already exists.",
           topic, topic);
  assert_string_equal(err.message, msg);
  assert_string_equal(err.topic, topic);
  check_ok(sl_kafka_admin_create_topic(admin, topic, 3, 1, NULL, true, &err),
           &err, "create if not exists");

  /* Topic-level properties pass through; the broker checks them. */
  sl_kafka_config *tc = sl_kafka_config_new();
  check_ok(sl_kafka_config_set(tc, "cleanup.policy", "compact", &err), &err,
           "set");
  check_ok(sl_kafka_admin_create_topic(admin, compacted, 1, 1, tc, false,
                                       &err),
           &err, "create compacted");
  check_ok(sl_kafka_config_set(tc, "cleanup.policy", "sometimes", &err),
           &err, "set");
  assert_int_equal(sl_kafka_admin_create_topic(admin, absent, 1, 1, tc,
                                               false, &err),
                   SL_ERR_KAFKA);
  snprintf(msg, sizeof(msg), "%s: create topic: ", absent);
  assert_memory_equal(err.message, msg, strlen(msg));
  assert_non_null(strstr(err.message, "sometimes"));
  sl_kafka_config_free(tc);

  /* Asking about a topic never creates it, although the broker
   * auto-creates topics for producers. */
  bool exists = true;
  check_ok(sl_kafka_admin_topic_exists(admin, absent, &exists, &err), &err,
           "exists");
  assert_false(exists);
  assert_int_equal(sl_kafka_admin_describe_topic(admin, absent, &info, &err),
                   SL_ERR_KAFKA);
  snprintf(msg, sizeof(msg), "%s: describe: Broker: Unknown topic or "
           "partition", absent);
  assert_string_equal(err.message, msg);
  check_ok(sl_kafka_admin_topic_exists(admin, absent, &exists, &err), &err,
           "exists");
  assert_false(exists);

  char **names;
  size_t n;
  check_ok(sl_kafka_admin_list_topics(admin, true, &names, &n, &err), &err,
           "list");
  int found = 0;
  for (size_t i = 0; i < n; i++)
    found += strcmp(names[i], topic) == 0 || strcmp(names[i], compacted) == 0;
  assert_int_equal(found, 2);
  sl_kafka_names_free(names, n);

  delete_topic(topic);
  delete_topic(compacted);
}

/* ---- groups, commits, resuming -------------------------------------- */

#define RECORDS 3000
#define BASE_TS INT64_C(1720000000000)

typedef struct seen_log {
  const char *topic;
  int seen[RECORDS];
  int64_t assigned[3];
  int assigns;
} seen_log;

static void note_assign(void *ctx, sl_kafka_position *parts, size_t n) {
  seen_log *log = ctx;
  log->assigns++;
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(parts[i].topic, log->topic);
    assert_in_range(parts[i].partition, 0, 2);
    log->assigned[parts[i].partition] = parts[i].offset;
  }
}

/* Checks one record against what was produced and counts it. */
static void note_record(seen_log *log, const sl_kafka_msg *m) {
  char buf[64];
  assert_true(m->value_len < sizeof(buf));
  memcpy(buf, m->value, m->value_len);
  buf[m->value_len] = '\0';
  int i = atoi(buf);
  assert_in_range(i, 0, RECORDS - 1);
  log->seen[i]++;

  char key[16];
  snprintf(key, sizeof(key), "key-%d", i % 50);
  assert_int_equal(m->key_len, strlen(key));
  assert_memory_equal(m->key, key, m->key_len);
  assert_int_equal(m->timestamp_ms, BASE_TS + i);
  sl_kafka_header h;
  assert_true(sl_kafka_msg_header_find(m, "seq", &h));
  assert_int_equal(h.size, m->value_len);
  assert_memory_equal(h.value, m->value, h.size);
}

/* Polls until want records (want > 0) or the bounded end. */
static int64_t consume(sl_kafka_consumer *c, int64_t want, seen_log *log) {
  sl_kafka_batch b;
  sl_error err;
  check_ok(sl_kafka_batch_init(&b, 500, &err), &err, "batch");
  int64_t got = 0;
  time_t start = time(NULL);
  while (want > 0 ? got < want : !sl_kafka_consumer_at_end(c)) {
    check_ok(sl_kafka_consumer_poll(c, &b, 100, &err), &err, "poll");
    for (size_t i = 0; i < b.count && log; i++)
      note_record(log, &b.msgs[i]);
    got += (int64_t)b.count;
    if (time(NULL) - start > 60) {
      print_error("only %" PRId64 " records in 60 s\n", got);
      sl_kafka_batch_destroy(&b);
      fail();
    }
  }
  sl_kafka_batch_destroy(&b);
  return got;
}

static void test_group_commit_resume(void **state) {
  (void)state;
  char topic[128], group[160];
  topic_name(topic, sizeof(topic), "groups");
  snprintf(group, sizeof(group), "%s-group", topic);
  sl_error err;
  check_ok(sl_kafka_admin_create_topic(admin, topic, 3, 1, NULL, false,
                                       &err),
           &err, "create");

  sl_kafka_producer *p;
  check_ok(sl_kafka_producer_new(cfg, NULL, &p, &err), &err, "producer");
  for (int i = 0; i < RECORDS; i++) {
    char key[16], value[16];
    snprintf(key, sizeof(key), "key-%d", i % 50);
    int vlen = snprintf(value, sizeof(value), "%d", i);
    sl_kafka_header h = {"seq", value, (size_t)vlen};
    sl_kafka_record rec = {.topic = topic,
                           .partition = SL_KAFKA_PARTITION_ANY,
                           .key = key, .key_len = strlen(key),
                           .value = value, .value_len = (size_t)vlen,
                           .timestamp_ms = BASE_TS + i, .headers = &h,
                           .header_count = 1};
    check_ok(sl_kafka_produce(p, &rec, &err), &err, "produce");
  }
  check_ok(sl_kafka_producer_flush(p, 30000, &err), &err, "flush");
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(p, &st);
  assert_int_equal(st.delivered, RECORDS);
  assert_int_equal(st.failed, 0);
  sl_kafka_producer_free(p);

  sl_kafka_topic_info *info;
  check_ok(sl_kafka_admin_describe_topic(admin, topic, &info, &err), &err,
           "describe");
  int64_t total = 0;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(info->partitions[i].low, 0);
    assert_true(info->partitions[i].high > 0);
    total += info->partitions[i].high;
  }
  assert_int_equal(total, RECORDS);
  sl_kafka_topic_info_free(info);

  /* First member: reads at least a third and commits where it stands. */
  seen_log *first = calloc(1, sizeof(*first));
  first->topic = topic;
  sl_kafka_consumer_opts opts = {.group_id = group,
                                 .on_assign = note_assign, .ctx = first};
  sl_kafka_consumer *c;
  check_ok(sl_kafka_consumer_new(cfg, &opts, &c, &err), &err, "consumer");
  const char *topics[] = {topic};
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  int64_t got = consume(c, RECORDS / 3, first);
  assert_int_equal(first->assigns, 1);
  for (int i = 0; i < 3; i++)
    assert_int_equal(first->assigned[i], SL_KAFKA_OFFSET_INVALID);

  sl_kafka_position pos[3];
  assert_int_equal(sl_kafka_consumer_positions(c, pos, 3), 3);
  int64_t committed[3], committed_total = 0;
  for (int i = 0; i < 3; i++) {
    if (pos[i].offset < 0)
      pos[i].offset = 0;
    committed[pos[i].partition] = pos[i].offset;
    committed_total += pos[i].offset;
  }
  assert_int_equal(committed_total, got);
  check_ok(sl_kafka_consumer_commit(c, pos, 3, &err), &err, "commit");
  check_ok(sl_kafka_consumer_close(c, &err), &err, "close");
  sl_kafka_consumer_free(c);

  /* Second member: starts at the commits, reads the rest exactly once. */
  seen_log *second = calloc(1, sizeof(*second));
  second->topic = topic;
  opts.ctx = second;
  check_ok(sl_kafka_consumer_new(cfg, &opts, &c, &err), &err, "consumer");
  check_ok(sl_kafka_consumer_bound(c, topic, &err), &err, "bound");
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  assert_int_equal(consume(c, 0, second), RECORDS - committed_total);
  assert_int_equal(second->assigns, 1);
  for (int i = 0; i < 3; i++)
    assert_int_equal(second->assigned[i], committed[i]);
  for (int i = 0; i < RECORDS; i++)
    assert_int_equal(first->seen[i] + second->seen[i], 1);
  sl_kafka_consumer_stats cs;
  sl_kafka_consumer_stats_get(c, &cs);
  assert_int_equal(cs.lost_records, 0);
  sl_kafka_consumer_free(c);

  /* A transient read without a group sees all of it and ends. */
  seen_log *third = calloc(1, sizeof(*third));
  check_ok(sl_kafka_consumer_new(cfg, NULL, &c, &err), &err, "consumer");
  check_ok(sl_kafka_consumer_assign_topic(c, topic, SL_KAFKA_OFFSET_BEGINNING,
                                          true, &err),
           &err, "assign");
  assert_int_equal(consume(c, 0, third), RECORDS);
  for (int i = 0; i < RECORDS; i++)
    assert_int_equal(third->seen[i], 1);
  assert_true(sl_kafka_consumer_at_end(c));
  sl_kafka_consumer_free(c);

  free(first);
  free(second);
  free(third);
  delete_topic(topic);
}

/* ---- loss detection -------------------------------------------------- */

/* Deletes the records of topic [0] before offset, as retention would. */
static void delete_records(const char *topic, int64_t before) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", brokers,
                                     errstr, sizeof(errstr)),
                   RD_KAFKA_CONF_OK);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
                                sizeof(errstr));
  assert_non_null(rk);
  rd_kafka_topic_partition_list_t *list =
      rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic, 0)->offset = before;
  rd_kafka_DeleteRecords_t *dr = rd_kafka_DeleteRecords_new(list);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_DeleteRecords(rk, &dr, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
  assert_non_null(ev);
  assert_int_equal(rd_kafka_event_error(ev), 0);
  const rd_kafka_topic_partition_list_t *res =
      rd_kafka_DeleteRecords_result_offsets(
          rd_kafka_event_DeleteRecords_result(ev));
  assert_int_equal(res->cnt, 1);
  assert_int_equal(res->elems[0].err, 0);
  assert_int_equal(res->elems[0].offset, before);
  rd_kafka_event_destroy(ev);
  rd_kafka_DeleteRecords_destroy(dr);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
}

typedef struct loss_log {
  int calls;
  sl_kafka_loss last;
  int64_t first_offset;
} loss_log;

static void note_loss(void *ctx, const sl_kafka_loss *loss) {
  loss_log *log = ctx;
  log->calls++;
  log->last = *loss;
}

static void test_loss_when_log_start_passes_commit(void **state) {
  (void)state;
  char topic[128], group[160];
  topic_name(topic, sizeof(topic), "loss");
  snprintf(group, sizeof(group), "%s-group", topic);
  sl_error err;
  check_ok(sl_kafka_admin_create_topic(admin, topic, 1, 1, NULL, false,
                                       &err),
           &err, "create");
  sl_kafka_producer *p;
  check_ok(sl_kafka_producer_new(cfg, NULL, &p, &err), &err, "producer");
  for (int i = 0; i < 100; i++) {
    char value[16];
    int n = snprintf(value, sizeof(value), "%d", i);
    sl_kafka_record rec = {.topic = topic, .partition = 0, .value = value,
                           .value_len = (size_t)n};
    check_ok(sl_kafka_produce(p, &rec, &err), &err, "produce");
  }
  check_ok(sl_kafka_producer_flush(p, 30000, &err), &err, "flush");
  sl_kafka_producer_free(p);

  /* The group has read 10 records when it stops. */
  loss_log log = {.first_offset = -1};
  sl_kafka_consumer_opts opts = {.group_id = group, .on_loss = note_loss,
                                 .ctx = &log};
  sl_kafka_consumer *c;
  check_ok(sl_kafka_consumer_new(cfg, &opts, &c, &err), &err, "consumer");
  const char *topics[] = {topic};
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  consume(c, 10, NULL);
  sl_kafka_position at = {topic, 0, 10};
  check_ok(sl_kafka_consumer_commit(c, &at, 1, &err), &err, "commit");
  sl_kafka_consumer_free(c);

  /* Records 10 to 49 disappear before the group comes back. */
  delete_records(topic, 50);
  int64_t low, high;
  check_ok(sl_kafka_admin_watermarks(admin, topic, 0, &low, &high, &err),
           &err, "watermarks");
  assert_int_equal(low, 50);
  assert_int_equal(high, 100);

  check_ok(sl_kafka_consumer_new(cfg, &opts, &c, &err), &err, "consumer");
  check_ok(sl_kafka_consumer_bound(c, topic, &err), &err, "bound");
  check_ok(sl_kafka_consumer_subscribe(c, topics, 1, &err), &err,
           "subscribe");
  assert_int_equal(consume(c, 0, NULL), 50);
  assert_int_equal(log.calls, 1);
  assert_string_equal(log.last.topic, topic);
  assert_int_equal(log.last.partition, 0);
  assert_int_equal(log.last.expected, 10);
  assert_int_equal(log.last.resumed, 50);
  assert_int_equal(log.last.lost, 40);
  sl_kafka_consumer_stats cs;
  sl_kafka_consumer_stats_get(c, &cs);
  assert_int_equal(cs.lost_records, 40);
  assert_int_equal(cs.loss_events, 1);
  sl_kafka_consumer_free(c);
  delete_topic(topic);
}

int main(void) {
  brokers = getenv("SLUICE_TEST_BROKERS");
  if (!brokers || !*brokers) {
    printf("SLUICE_TEST_BROKERS is not set: no broker to test against "
           "(skipped)\n");
    return 77;
  }
  printf("broker %s, librdkafka %s\n", brokers, rd_kafka_version_str());
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_admin_topics),
      cmocka_unit_test(test_group_commit_resume),
      cmocka_unit_test(test_loss_when_log_start_passes_commit),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
