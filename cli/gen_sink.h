/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_sink.h - where the data generators write: one Kafka topic, at an
 * optional rate, every record acknowledged before the generator exits.
 *
 * Every kind of `sluice gen` produces through a sink.  Generators write to
 * a real cluster only: an embedded broker would live no longer than the
 * generator itself, so opening a sink without brokers (--brokers,
 * SLUICE_BROKERS or bootstrap.servers in --kafka-config) is a usage error.
 */
#ifndef SLUICE_CLI_GEN_SINK_H
#define SLUICE_CLI_GEN_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"

typedef struct sl_gen_sink_options {
  const char *brokers;      /* NULL: SLUICE_BROKERS */
  const char *kafka_config; /* librdkafka properties file, or NULL */
  const char *topic;
  double rate;              /* records per second; 0: no limit */
} sl_gen_sink_options;

typedef struct sl_gen_sink sl_gen_sink;

typedef struct sl_gen_sink_stats {
  int64_t sent;       /* records queued */
  int64_t delivered;  /* acknowledged by the broker */
  int64_t failed;
  double seconds;     /* since the sink opened */
} sl_gen_sink_stats;

/* Connects a producer.  SL_ERR_USAGE when no broker is configured. */
sl_status sl_gen_sink_open(const sl_gen_sink_options *opts,
                           sl_gen_sink **out, sl_error *err);

/* Waits until the rate allows another record, then queues it (key may be
 * NULL; timestamp_ms 0 means the time of producing). */
sl_status sl_gen_sink_send(sl_gen_sink *s, const void *key, size_t key_len,
                           const void *value, size_t value_len,
                           int64_t timestamp_ms, sl_error *err);

/* Waits for the acknowledgement of every record sent; returns the first
 * delivery failure. */
sl_status sl_gen_sink_finish(sl_gen_sink *s, sl_error *err);

void sl_gen_sink_stats_get(sl_gen_sink *s, sl_gen_sink_stats *out);

/* Frees the sink (records not yet acknowledged are abandoned: finish
 * first).  Accepts NULL. */
void sl_gen_sink_free(sl_gen_sink *s);

/* Prints err for `sluice gen KIND` on standard error (a usage error as
 * its bare message, others with their place) and returns the exit code
 * it maps to. */
int sl_gen_report(const char *kind, const sl_error *err);

#endif
