/* SPDX-License-Identifier: Apache-2.0 */
/*
 * broker.c - the embedded broker on librdkafka's mock cluster.
 *
 * A mock cluster belongs to a librdkafka handle, which it uses for its
 * thread and its logs; the broker keeps a producer handle of its own for
 * that, never used to produce.
 *
 * The mock cluster serves no admin requests, so when the broker is asked
 * to serve other processes it reads creation requests from a topic of
 * its own: a consumer on partition 0 of SL_KAFKA_BROKER_REQUESTS_TOPIC,
 * polled by a thread of the broker, turns each request into a mock topic.
 * The channel is the broker itself, so no other port has to be opened or
 * advertised.
 */
#include "engine/kafka/broker.h"

#include <librdkafka/rdkafka.h>
/* rdkafka_mock.h needs rdkafka.h first. */
#include <librdkafka/rdkafka_mock.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/kafka/client.h"

struct sl_kafka_broker {
  sl_kafka_client client;
  rd_kafka_mock_cluster_t *mock;
  int broker_count;
  char *bootstrap;
  sl_kafka_client requests;   /* consumer of the requests topic */
  pthread_t server;           /* polls it, while serving */
  bool serving;
  atomic_bool stopping;
};

/* How long one poll of the requests topic waits, and how long the mock
 * cluster holds an empty fetch: the delay a creation request sees. */
#define REQUEST_POLL_MS 100
#define REQUEST_FETCH_WAIT "20"

sl_status sl_kafka_broker_start(int broker_count, sl_kafka_broker **out,
                                sl_error *err) {
  *out = NULL;
  if (broker_count < 1)
    broker_count = 1;
  sl_kafka_broker *b = calloc(1, sizeof(*b));
  if (!b)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  atomic_init(&b->stopping, false);
  static const char *const defaults[] = {"client.id", "sluice-broker", NULL};
  sl_status rc = sl_kafka_client_open(&b->client, RD_KAFKA_PRODUCER,
                                      "embedded broker", NULL, defaults,
                                      NULL, NULL, err);
  if (rc) {
    free(b);
    return rc;
  }

  b->mock = rd_kafka_mock_cluster_new(b->client.rk, broker_count);
  if (!b->mock) {
    sl_kafka_client_close(&b->client);
    free(b);
    return sl_error_set(err, SL_ERR_KAFKA, "cannot start the embedded "
                        "broker");
  }
  b->broker_count = broker_count;
  b->bootstrap = strdup(rd_kafka_mock_cluster_bootstraps(b->mock));
  if (!b->bootstrap) {
    sl_kafka_broker_stop(b);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  SL_INFO("kafka", "embedded broker listening on %s", b->bootstrap);
  *out = b;
  return SL_OK;
}

const char *sl_kafka_broker_bootstrap(const sl_kafka_broker *b) {
  return b->bootstrap;
}

sl_status sl_kafka_broker_configure(sl_kafka_broker *b, sl_kafka_config *cfg,
                                    sl_error *err) {
  sl_status rc = sl_kafka_config_set(cfg, "bootstrap.servers", b->bootstrap,
                                     err);
  if (rc)
    return rc;
  sl_kafka_config_set_embedded(cfg, b);
  return SL_OK;
}

static bool legal_name(const char *topic) {
  size_t n = strlen(topic);
  if (n == 0 || n > 249 || strcmp(topic, ".") == 0 ||
      strcmp(topic, "..") == 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = topic[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

sl_status sl_kafka_broker_check_topic(const char *topic, int partitions,
                                      int replication, int broker_count,
                                      sl_error *err) {
  char reason[128];
  if (!legal_name(topic))
    return sl_kafka_fail(err, topic, -1, "create topic",
                         "not a legal topic name (1 to 249 letters, digits, "
                         "'.', '_' or '-')");
  if (partitions < 1 || partitions > SL_KAFKA_BROKER_MAX_PARTITIONS) {
    snprintf(reason, sizeof(reason),
             "partitions must be between 1 and %d on the embedded broker, "
             "not %d", SL_KAFKA_BROKER_MAX_PARTITIONS, partitions);
    return sl_kafka_fail(err, topic, -1, "create topic", reason);
  }
  if (replication < 1 || replication > broker_count) {
    snprintf(reason, sizeof(reason),
             "replication factor %d is not between 1 and the number of "
             "embedded brokers (%d)", replication, broker_count);
    return sl_kafka_fail(err, topic, -1, "create topic", reason);
  }
  return SL_OK;
}

sl_status sl_kafka_broker_create_topic(sl_kafka_broker *b, const char *topic,
                                       int partitions, int replication,
                                       sl_error *err) {
  if (partitions < 1)
    partitions = 4;
  if (replication < 1)
    replication = 1;
  sl_status rc = sl_kafka_broker_check_topic(topic, partitions, replication,
                                             b->broker_count, err);
  if (rc)
    return rc;
  rd_kafka_resp_err_t code = rd_kafka_mock_topic_create(b->mock, topic,
                                                        partitions,
                                                        replication);
  if (code)
    return sl_kafka_fail_code(err, NULL, topic, -1, "create topic", code);
  return SL_OK;
}

/* Carries out one request record; a refused one is logged and dropped
 * (the client checked it, so refusals are races or foreign writers). */
static void handle_request(sl_kafka_broker *b, const rd_kafka_message_t *m) {
  char text[512];
  if (m->len >= sizeof(text)) {
    SL_WARN("kafka", "%s [0] @ %lld: request of %zu bytes ignored",
            SL_KAFKA_BROKER_REQUESTS_TOPIC, (long long)m->offset, m->len);
    return;
  }
  memcpy(text, m->payload, m->len);
  text[m->len] = '\0';

  char verb[32], topic[256];
  int partitions, replication, used = 0;
  if (sscanf(text, "%31s %255s %d %d %n", verb, topic, &partitions,
             &replication, &used) != 4 || text[used] != '\0' ||
      strcmp(verb, SL_KAFKA_BROKER_CREATE_VERB) != 0) {
    SL_WARN("kafka", "%s [0] @ %lld: request \"%s\" ignored: expected "
            "\"%s TOPIC PARTITIONS REPLICATION\"",
            SL_KAFKA_BROKER_REQUESTS_TOPIC, (long long)m->offset, text,
            SL_KAFKA_BROKER_CREATE_VERB);
    return;
  }
  /* Checked before creation, which would take 0 for the default. */
  sl_error err;
  if (sl_kafka_broker_check_topic(topic, partitions, replication,
                                  b->broker_count, &err) != SL_OK ||
      sl_kafka_broker_create_topic(b, topic, partitions, replication,
                                   &err) != SL_OK) {
    SL_WARN("kafka", "%s [0] @ %lld: %s", SL_KAFKA_BROKER_REQUESTS_TOPIC,
            (long long)m->offset, err.message);
    return;
  }
  SL_INFO("kafka", "created topic %s with %d partition%s for a client",
          topic, partitions, partitions == 1 ? "" : "s");
}

static void *serve(void *arg) {
  sl_kafka_broker *b = arg;
  while (!atomic_load(&b->stopping)) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(b->requests.rk,
                                                   REQUEST_POLL_MS);
    if (!m)
      continue;
    if (!m->err)
      handle_request(b, m);
    else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
      SL_WARN("kafka", "%s: %s", SL_KAFKA_BROKER_REQUESTS_TOPIC,
              rd_kafka_message_errstr(m));
    rd_kafka_message_destroy(m);
  }
  return NULL;
}

sl_status sl_kafka_broker_serve_requests(sl_kafka_broker *b, sl_error *err) {
  if (b->serving)
    return SL_OK;
  sl_status rc = sl_kafka_broker_create_topic(
      b, SL_KAFKA_BROKER_REQUESTS_TOPIC, 1, 1, err);
  if (rc)
    return rc;

  /* A group id is needed to poll, but the group is never joined: the one
   * partition is assigned from its beginning, so no request written
   * between the topic's creation and the assignment is missed. */
  static const char *const settings[] = {
      "client.id", "sluice-broker-requests",
      "group.id", "sluice-broker-requests",
      "enable.auto.commit", "false",
      "enable.partition.eof", "false",
      "fetch.wait.max.ms", REQUEST_FETCH_WAIT,
      NULL};
  sl_kafka_config *cfg = sl_kafka_config_new();
  if (!cfg)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  rc = sl_kafka_config_set(cfg, "bootstrap.servers", b->bootstrap, err);
  if (rc == SL_OK)
    rc = sl_kafka_client_open(&b->requests, RD_KAFKA_CONSUMER,
                              "broker requests", cfg, NULL, settings, NULL,
                              err);
  sl_kafka_config_free(cfg);
  if (rc)
    return rc;
  rd_kafka_poll_set_consumer(b->requests.rk);

  rd_kafka_topic_partition_list_t *parts =
      rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, SL_KAFKA_BROKER_REQUESTS_TOPIC, 0)
      ->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t code = rd_kafka_assign(b->requests.rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  if (code) {
    sl_kafka_client_close(&b->requests);
    return sl_kafka_fail_code(err, NULL, SL_KAFKA_BROKER_REQUESTS_TOPIC, 0,
                              "assign", code);
  }

  atomic_store(&b->stopping, false);
  if (pthread_create(&b->server, NULL, serve, b) != 0) {
    sl_kafka_client_close(&b->requests);
    return sl_error_set(err, SL_ERR_KAFKA, "cannot start the thread "
                        "serving %s", SL_KAFKA_BROKER_REQUESTS_TOPIC);
  }
  b->serving = true;
  return SL_OK;
}

struct rd_kafka_mock_cluster_s *sl_kafka_broker_mock(sl_kafka_broker *b) {
  return b->mock;
}

void sl_kafka_broker_stop(sl_kafka_broker *b) {
  if (!b)
    return;
  if (b->serving) {
    atomic_store(&b->stopping, true);
    pthread_join(b->server, NULL);
    sl_kafka_client_close(&b->requests);
  }
  if (b->mock)
    rd_kafka_mock_cluster_destroy(b->mock);
  sl_kafka_client_close(&b->client);
  free(b->bootstrap);
  free(b);
}
