/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.c - a task's producer with sequence-numbered deliveries.
 *
 * Delivery reports arrive out of order across partitions, so the output
 * keeps a ring of flags for the numbers above `low` (everything at or
 * below `low` is delivered).  A report sets its flag, then `low` advances
 * over the run of set flags.  The ring grows when more records are
 * outstanding than it holds, which it sizes for before producing, so a
 * report never needs memory.
 */
#include "engine/ops/output.h"

#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"

struct sl_op_output {
  sl_kafka_producer *producer;
  const atomic_bool *stop;
  uint64_t issued;   /* the last sequence number given out */
  uint64_t low;      /* every number <= low is delivered */
  uint8_t *ring;     /* flags of low+1 .. low+cap, indexed by n % cap */
  size_t cap;        /* a power of two */
  bool failed;
  sl_error failure;  /* the first delivery that failed for good */
  sl_log_limit retry_log;
};

#define RING_INITIAL 4096

/* The delivery callback: marks the record's number done. */
static void on_delivery(void *ctx, const sl_kafka_delivery *d) {
  sl_op_output *o = ctx;
  uint64_t seq = (uint64_t)(uintptr_t)d->opaque;
  if (d->status != SL_OK && !o->failed) {
    o->failed = true;
    sl_error_set(&o->failure, SL_ERR_KAFKA,
                 "%s [%d]: delivery failed: %s", d->topic ? d->topic : "?",
                 (int)d->partition, d->reason ? d->reason : "unknown");
  }
  if (seq <= o->low || seq > o->issued)
    return;
  o->ring[seq & (o->cap - 1)] = 1;
  while (o->low < o->issued && o->ring[(o->low + 1) & (o->cap - 1)]) {
    o->ring[(o->low + 1) & (o->cap - 1)] = 0;
    o->low++;
  }
}

/* Makes the ring hold one more outstanding number. */
static sl_status ring_reserve(sl_op_output *o, sl_error *err) {
  if (o->issued + 1 - o->low <= o->cap)
    return SL_OK;
  size_t cap = o->cap * 2;
  uint8_t *ring = calloc(cap, 1);
  if (!ring)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory tracking "
                                           "deliveries");
  for (uint64_t n = o->low + 1; n <= o->issued; n++)
    ring[n & (cap - 1)] = o->ring[n & (o->cap - 1)];
  free(o->ring);
  o->ring = ring;
  o->cap = cap;
  return SL_OK;
}

/* Creates an output (see output.h). */
sl_status sl_op_output_new(const sl_kafka_config *cfg, const atomic_bool *stop,
                           sl_op_output **out, sl_error *err) {
  *out = NULL;
  sl_op_output *o = calloc(1, sizeof(*o));
  sl_kafka_config *pc = cfg ? sl_kafka_config_copy(cfg) : sl_kafka_config_new();
  if (o)
    o->ring = calloc(RING_INITIAL, 1);
  if (!o || !pc || !o->ring) {
    sl_kafka_config_free(pc);
    if (o)
      free(o->ring);
    free(o);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating an "
                                           "output");
  }
  o->cap = RING_INITIAL;
  o->stop = stop;
  sl_log_limit lim = SL_LOG_LIMIT_INIT(1, 5000);
  o->retry_log = lim;

  /* Retry deliveries for as long as the broker is away, unless the user
   * chose otherwise. */
  sl_status rc = SL_OK;
  if (!sl_kafka_config_get(pc, "message.timeout.ms"))
    rc = sl_kafka_config_set(pc, "message.timeout.ms", "0", err);
  sl_kafka_producer_opts opts = {
      .on_delivery = on_delivery, .ctx = o, .queue_full_timeout_ms = 1000};
  if (rc == SL_OK)
    rc = sl_kafka_producer_new(pc, &opts, &o->producer, err);
  sl_kafka_config_free(pc);
  if (rc) {
    free(o->ring);
    free(o);
    return rc;
  }
  *out = o;
  return SL_OK;
}

void sl_op_output_free(sl_op_output *o) {
  if (!o)
    return;
  sl_kafka_producer_free(o->producer);
  free(o->ring);
  free(o);
}

/* Queues one record, waiting out a full queue (see output.h). */
sl_status sl_op_output_produce(sl_op_output *o, const sl_kafka_record *rec,
                               sl_error *err) {
  sl_status rc = ring_reserve(o, err);
  if (rc)
    return rc;
  sl_kafka_record r = *rec;
  r.opaque = (void *)(uintptr_t)(o->issued + 1);
  for (;;) {
    rc = sl_kafka_produce(o->producer, &r, err);
    if (rc == SL_OK) {
      o->issued++;
      return SL_OK;
    }
    /* With deliveries outstanding the failure is most likely a queue
     * that cannot drain while the broker is away: keep waiting.  With
     * nothing outstanding it is the record itself. */
    sl_kafka_producer_stats st;
    sl_kafka_producer_stats_get(o->producer, &st);
    if (st.outstanding == 0)
      return rc;
    if (o->stop && atomic_load(o->stop))
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "stopped while waiting to produce to %s",
                          rec->topic);
    sl_log_ratelimited(&o->retry_log, SL_LOG_WARN, "engine",
                       "waiting for the broker: %lld records outstanding",
                       (long long)st.outstanding);
    sl_kafka_producer_poll(o->producer, 100);
  }
}

uint64_t sl_op_output_mark(const sl_op_output *o) {
  return o->issued;
}

bool sl_op_output_delivered(const sl_op_output *o, uint64_t mark) {
  return !o->failed && o->low >= mark;
}

int sl_op_output_poll(sl_op_output *o, int timeout_ms) {
  return sl_kafka_producer_poll(o->producer, timeout_ms);
}

/* Waits for every delivery (see output.h). */
sl_status sl_op_output_flush(sl_op_output *o, int timeout_ms, sl_error *err) {
  sl_status rc = sl_kafka_producer_flush(o->producer, timeout_ms, err);
  if (rc)
    return rc;
  return sl_op_output_failure(o, err);
}

sl_status sl_op_output_failure(const sl_op_output *o, sl_error *err) {
  if (!o->failed)
    return SL_OK;
  if (err)
    *err = o->failure;
  return o->failure.code;
}

void sl_op_output_stats(const sl_op_output *o, int64_t *produced,
                        int64_t *delivered, int64_t *outstanding) {
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(o->producer, &st);
  if (produced)
    *produced = st.produced;
  if (delivered)
    *delivered = st.delivered;
  if (outstanding)
    *outstanding = st.outstanding;
}
