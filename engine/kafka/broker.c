/* SPDX-License-Identifier: Apache-2.0 */
/*
 * broker.c - the embedded broker on librdkafka's mock cluster.
 *
 * A mock cluster belongs to a librdkafka handle, which it uses for its
 * thread and its logs; the broker keeps a producer handle of its own for
 * that, never used to produce.
 */
#include "engine/kafka/broker.h"

#include <librdkafka/rdkafka.h>
/* rdkafka_mock.h needs rdkafka.h first. */
#include <librdkafka/rdkafka_mock.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/kafka/client.h"

struct sl_kafka_broker {
  sl_kafka_client client;
  rd_kafka_mock_cluster_t *mock;
  int broker_count;
  char *bootstrap;
};

sl_status sl_kafka_broker_start(int broker_count, sl_kafka_broker **out,
                                sl_error *err) {
  *out = NULL;
  if (broker_count < 1)
    broker_count = 1;
  sl_kafka_broker *b = calloc(1, sizeof(*b));
  if (!b)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
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

sl_status sl_kafka_broker_create_topic(sl_kafka_broker *b, const char *topic,
                                       int partitions, int replication,
                                       sl_error *err) {
  if (partitions < 1)
    partitions = 4;
  if (replication < 1)
    replication = 1;
  if (replication > b->broker_count)
    return sl_kafka_fail(err, topic, -1, "create topic",
                         "replication factor larger than the number of "
                         "embedded brokers");
  rd_kafka_resp_err_t code = rd_kafka_mock_topic_create(b->mock, topic,
                                                        partitions,
                                                        replication);
  if (code)
    return sl_kafka_fail_code(err, NULL, topic, -1, "create topic", code);
  return SL_OK;
}

struct rd_kafka_mock_cluster_s *sl_kafka_broker_mock(sl_kafka_broker *b) {
  return b->mock;
}

void sl_kafka_broker_stop(sl_kafka_broker *b) {
  if (!b)
    return;
  if (b->mock)
    rd_kafka_mock_cluster_destroy(b->mock);
  sl_kafka_client_close(&b->client);
  free(b->bootstrap);
  free(b);
}
