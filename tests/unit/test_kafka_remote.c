/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the admin client on a mock cluster reached only through
 * its address, as another process reaches `sluice broker`: lookups never
 * create topics, creation goes through the broker's requests topic with
 * the partitions asked for, requests the broker would refuse fail before
 * they are sent, a broker that serves no requests makes creation fail at
 * once, and malformed request records are dropped without effect.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/producer.h"

static sl_kafka_broker *broker;
static sl_kafka_config *cfg;   /* bootstrap.servers only: not embedded */
static sl_kafka_admin *admin;

static int setup(void **state) {
  (void)state;
  sl_error err;
  /* The broker's warnings about the malformed requests are expected. */
  sl_log_set_level(SL_LOG_ERROR);
  if (sl_kafka_broker_start(1, &broker, &err))
    return -1;
  cfg = sl_kafka_config_new();
  if (!cfg || sl_kafka_config_set(cfg, "bootstrap.servers",
                                  sl_kafka_broker_bootstrap(broker), &err))
    return -1;
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

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) +
         (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static int partitions_of(const char *topic) {
  sl_kafka_topic_info *info = NULL;
  sl_error err;
  check_ok(sl_kafka_admin_describe_topic(admin, topic, &info, &err), &err,
           topic);
  int n = info->partition_count;
  sl_kafka_topic_info_free(info);
  return n;
}

static void expect_failure(sl_status rc, const sl_error *err,
                           const char *message) {
  if (rc == SL_OK || strcmp(err->message, message) != 0) {
    print_error("expected \"%s\", got status %d \"%s\"\n", message, rc,
                rc == SL_OK ? "" : err->message);
    fail();
  }
}

/* Before the broker serves requests, a cluster without a controller
 * cannot create topics: the failure comes at once, not after the Admin
 * API's 30 s.  The lookup on the way creates nothing either. */
static void test_refused_without_requests_topic(void **state) {
  (void)state;
  sl_error err;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  sl_status rc = sl_kafka_admin_create_topic(admin, "early", 3, 1, NULL,
                                             false, &err);
  expect_failure(rc, &err, "early: create topic: the cluster names no "
                           "controller and serves no topic creation "
                           "requests (a mock cluster other than `sluice "
                           "broker`?)");
  double took = seconds_since(&start);
  if (took > 5.0) {
    print_error("refusal took %.1f s\n", took);
    fail();
  }
  bool exists = true;
  check_ok(sl_kafka_admin_topic_exists(admin, "early", &exists, &err), &err,
           "exists");
  assert_false(exists);
  rc = sl_kafka_admin_delete_topic(admin, "early", &err);
  expect_failure(rc, &err, "early: delete topic: the cluster names no "
                           "controller to delete topics with");
}

static void test_create_through_requests(void **state) {
  (void)state;
  sl_error err;
  check_ok(sl_kafka_broker_serve_requests(broker, &err), &err, "serve");

  check_ok(sl_kafka_admin_create_topic(admin, "three", 3, -1, NULL, false,
                                       &err),
           &err, "create three");
  assert_int_equal(partitions_of("three"), 3);
  check_ok(sl_kafka_admin_create_topic(admin, "dflt", -1, -1, NULL, false,
                                       &err),
           &err, "create dflt");
  assert_int_equal(partitions_of("dflt"), 4);

  /* Existing topics: left alone with if_not_exists, refused without. */
  check_ok(sl_kafka_admin_create_topic(admin, "three", 5, -1, NULL, true,
                                       &err),
           &err, "create three again");
  assert_int_equal(partitions_of("three"), 3);
  sl_status rc = sl_kafka_admin_create_topic(admin, "three", 3, -1, NULL,
                                             false, &err);
  expect_failure(rc, &err, "three: create topic: Broker: Topic already "
                           "exists");

  /* A lookup of a missing topic does not create it. */
  bool exists = true;
  check_ok(sl_kafka_admin_topic_exists(admin, "absent", &exists, &err),
           &err, "exists");
  assert_false(exists);

  char **names = NULL;
  size_t n = 0;
  check_ok(sl_kafka_admin_list_topics(admin, false, &names, &n, &err), &err,
           "list");
  assert_int_equal(n, 2);
  assert_string_equal(names[0], "dflt");
  assert_string_equal(names[1], "three");
  sl_kafka_names_free(names, n);
}

/* What the broker would refuse is refused before it is sent. */
static void test_checked_before_sending(void **state) {
  (void)state;
  sl_error err;
  sl_status rc = sl_kafka_admin_create_topic(admin, "two", 2, 2, NULL,
                                             false, &err);
  expect_failure(rc, &err, "two: create topic: replication factor 2 is not "
                           "between 1 and the number of embedded brokers "
                           "(1)");
  rc = sl_kafka_admin_create_topic(admin, "many", 1025, 1, NULL, false,
                                   &err);
  expect_failure(rc, &err, "many: create topic: partitions must be between "
                           "1 and 1024 on the embedded broker, not 1025");
  rc = sl_kafka_admin_create_topic(admin, "bad name", 1, 1, NULL, false,
                                   &err);
  expect_failure(rc, &err, "bad name: create topic: not a legal topic name "
                           "(1 to 249 letters, digits, '.', '_' or '-')");
}

/* Records on the requests topic that are not well-formed requests are
 * dropped; the next good one still works. */
static void test_malformed_requests_dropped(void **state) {
  (void)state;
  sl_error err;
  sl_kafka_producer *p = NULL;
  check_ok(sl_kafka_producer_new(cfg, NULL, &p, &err), &err, "producer");
  static const char *const bad[] = {
      "create-topic", "create-topic junk", "create-topic junk 2",
      "create-topic junk 2 1 extra", "drop-topic three 1 1",
      "create-topic junk2 0 1", "create-topic junk3 2 7"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sl_kafka_record r = {.topic = SL_KAFKA_BROKER_REQUESTS_TOPIC,
                         .partition = 0,
                         .value = bad[i],
                         .value_len = strlen(bad[i])};
    check_ok(sl_kafka_produce(p, &r, &err), &err, "send");
  }
  check_ok(sl_kafka_producer_flush(p, 10000, &err), &err, "flush");
  sl_kafka_producer_free(p);

  check_ok(sl_kafka_admin_create_topic(admin, "after", 2, 1, NULL, false,
                                       &err),
           &err, "create after");
  assert_int_equal(partitions_of("after"), 2);
  static const char *const never[] = {"junk", "junk2", "junk3"};
  for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
    bool exists = true;
    check_ok(sl_kafka_admin_topic_exists(admin, never[i], &exists, &err),
             &err, "exists");
    if (exists) {
      print_error("a malformed request created %s\n", never[i]);
      fail();
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_refused_without_requests_topic),
      cmocka_unit_test(test_create_through_requests),
      cmocka_unit_test(test_checked_before_sending),
      cmocka_unit_test(test_malformed_requests_dropped),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
