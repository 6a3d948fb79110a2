/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_sink.c - producing generated records at a rate (see gen_sink.h).
 *
 * The rate is kept against the clock of the whole run, not per record:
 * record n goes out no earlier than n / rate seconds after the start, so
 * a slow moment is caught up on afterwards.  While it waits the sink
 * serves delivery reports.
 */
#include "cli/gen_sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/kafka/config.h"
#include "engine/kafka/producer.h"

struct sl_gen_sink {
  sl_kafka_producer *producer;
  char *topic;
  double rate;
  struct timespec started;
  int64_t sent;
};

static double seconds_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t0->tv_sec) +
         (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

sl_status sl_gen_sink_open(const sl_gen_sink_options *opts,
                           sl_gen_sink **out, sl_error *err) {
  *out = NULL;
  sl_kafka_config *cfg = sl_kafka_config_new();
  if (!cfg)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = SL_OK;
  if (opts->kafka_config)
    rc = sl_kafka_config_load_file(cfg, opts->kafka_config, err);
  if (rc == SL_OK)
    rc = sl_kafka_config_apply_brokers(cfg, opts->brokers, err);
  if (rc == SL_OK && !sl_kafka_config_has_brokers(cfg))
    rc = sl_error_set(err, SL_ERR_USAGE,
                      "no broker given: generated records go to a Kafka "
                      "cluster named by --brokers HOST:PORT or "
                      "SLUICE_BROKERS (for a local one, start `sluice "
                      "broker` and use the address it prints)");

  sl_gen_sink *s = NULL;
  if (rc == SL_OK) {
    s = calloc(1, sizeof(*s));
    if (!s || !(s->topic = strdup(opts->topic))) {
      free(s);
      s = NULL;
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
  }
  if (rc == SL_OK)
    rc = sl_kafka_producer_new(cfg, NULL, &s->producer, err);
  sl_kafka_config_free(cfg);
  if (rc) {
    sl_gen_sink_free(s);
    return rc;
  }
  s->rate = opts->rate;
  clock_gettime(CLOCK_MONOTONIC, &s->started);
  *out = s;
  return SL_OK;
}

/* Waits until record number s->sent may go out. */
static void pace(sl_gen_sink *s) {
  if (s->rate <= 0)
    return;
  double due = (double)s->sent / s->rate;
  for (;;) {
    double wait = due - seconds_since(&s->started);
    if (wait <= 0)
      return;
    if (wait >= 0.001) {
      /* Serve delivery reports while waiting, a second at most at a
       * time. */
      sl_kafka_producer_poll(s->producer,
                             wait >= 1.0 ? 1000 : (int)(wait * 1000));
      continue;
    }
    struct timespec ts = {0, (long)(wait * 1e9)};
    nanosleep(&ts, NULL);
  }
}

sl_status sl_gen_sink_send(sl_gen_sink *s, const void *key, size_t key_len,
                           const void *value, size_t value_len,
                           int64_t timestamp_ms, sl_error *err) {
  pace(s);
  sl_kafka_record rec = {
      .topic = s->topic,
      .partition = SL_KAFKA_PARTITION_ANY,
      .key = key,
      .key_len = key_len,
      .value = value,
      .value_len = value_len,
      .timestamp_ms = timestamp_ms,
  };
  if (sl_kafka_produce(s->producer, &rec, err))
    return err->code;
  s->sent++;
  return SL_OK;
}

sl_status sl_gen_sink_finish(sl_gen_sink *s, sl_error *err) {
  return sl_kafka_producer_flush(s->producer, -1, err);
}

void sl_gen_sink_stats_get(sl_gen_sink *s, sl_gen_sink_stats *out) {
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(s->producer, &st);
  out->sent = s->sent;
  out->delivered = st.delivered;
  out->failed = st.failed;
  out->seconds = seconds_since(&s->started);
}

void sl_gen_sink_free(sl_gen_sink *s) {
  if (!s)
    return;
  sl_kafka_producer_free(s->producer);
  free(s->topic);
  free(s);
}

int sl_gen_report(const char *kind, const sl_error *err) {
  char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
  fprintf(stderr, "sluice gen %s: %s\n", kind,
          err->code == SL_ERR_USAGE ? err->message
                                    : sl_error_format(err, buf, sizeof(buf)));
  return sl_error_exit_code(err->code);
}
