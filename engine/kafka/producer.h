/* SPDX-License-Identifier: Apache-2.0 */
/*
 * producer.h - writing records to Kafka with every delivery accounted for.
 *
 * The producer is idempotent by default (enable.idempotence=true, so acks
 * from all in-sync replicas and no duplicates from retries); any librdkafka
 * property in the config overrides the defaults.  sl_kafka_produce only
 * queues a record: the broker's answer arrives later as a delivery report,
 * which the producer counts (delivered, failed) and hands to an optional
 * callback with the record's opaque, so that a caller can, for example,
 * commit input offsets only once the outputs made from them are
 * acknowledged.  sl_kafka_producer_flush waits for every outstanding
 * delivery and returns the first failure with its topic [partition].
 * Delivery reports are served by sl_kafka_producer_poll, by flush, and
 * from time to time by produce itself.  The producer may be shared by
 * threads; delivery callbacks run on whichever thread polls.
 */
#ifndef SLUICE_KAFKA_PRODUCER_H
#define SLUICE_KAFKA_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"
#include "engine/kafka/kafka.h"

typedef struct sl_kafka_producer sl_kafka_producer;

/* One record to produce.  Everything is copied by sl_kafka_produce. */
typedef struct sl_kafka_record {
  const char *topic;
  int32_t partition;      /* SL_KAFKA_PARTITION_ANY: by key (murmur2,
                             as the Java client) or spread when no key */
  const void *key;        /* NULL: no key */
  size_t key_len;
  const void *value;      /* NULL: a tombstone (null value) */
  size_t value_len;
  int64_t timestamp_ms;   /* 0: the time of producing */
  const sl_kafka_header *headers;
  size_t header_count;
  void *opaque;           /* handed back in the delivery report */
} sl_kafka_record;

/* What the broker answered for one record.  topic is valid only during
 * the callback. */
typedef struct sl_kafka_delivery {
  const char *topic;
  int32_t partition;
  int64_t offset;         /* SL_KAFKA_OFFSET_INVALID when it failed */
  void *opaque;           /* the record's opaque */
  sl_status status;       /* SL_OK or SL_ERR_KAFKA */
  const char *reason;     /* librdkafka's error text, NULL when delivered */
} sl_kafka_delivery;

typedef void (*sl_kafka_delivery_fn)(void *ctx, const sl_kafka_delivery *d);

typedef struct sl_kafka_producer_opts {
  sl_kafka_delivery_fn on_delivery; /* may be NULL */
  void *ctx;
  /* How long produce waits for room when librdkafka's local queue is full
   * (queue.buffering.max.messages/kbytes) before failing; 0: 60 s. */
  int queue_full_timeout_ms;
} sl_kafka_producer_opts;

typedef struct sl_kafka_producer_stats {
  int64_t produced;       /* records accepted by sl_kafka_produce */
  int64_t delivered;      /* acknowledged by the broker */
  int64_t failed;         /* reported as failed */
  int64_t outstanding;    /* produced - delivered - failed */
} sl_kafka_producer_stats;

/* Creates a producer from cfg (copied; may be NULL for librdkafka's
 * defaults) and opts (may be NULL).  On the embedded broker, unkeyed
 * records are spread over partitions (sticky.partitioning.linger.ms=0).
 * Frees nothing of the caller's; *out is owned by the caller. */
sl_status sl_kafka_producer_new(const sl_kafka_config *cfg,
                                const sl_kafka_producer_opts *opts,
                                sl_kafka_producer **out, sl_error *err);

/* Queues one record.  When the local queue is full it serves delivery
 * reports and waits for room (up to queue_full_timeout_ms).  Fails with
 * "topic [partition]: produce: reason" for unknown partitions, records too
 * large, a full queue that does not drain, or a fatal producer error; a
 * record that fails here gets no delivery report. */
sl_status sl_kafka_produce(sl_kafka_producer *p, const sl_kafka_record *rec,
                           sl_error *err);

/* Serves delivery reports, waiting up to timeout_ms for the first one.
 * Returns the number served. */
int sl_kafka_producer_poll(sl_kafka_producer *p, int timeout_ms);

/* Waits until every record produced so far has a delivery report, up to
 * timeout_ms (-1: no limit).  Returns the first delivery failure since the
 * previous flush ("topic [partition]: delivery failed: reason"), a timeout
 * naming the number of records still outstanding, or SL_OK.  The failure
 * is reported once: the next flush reports only newer ones. */
sl_status sl_kafka_producer_flush(sl_kafka_producer *p, int timeout_ms,
                                  sl_error *err);

/* Current counters. */
void sl_kafka_producer_stats_get(sl_kafka_producer *p,
                                 sl_kafka_producer_stats *out);

/* Destroys the producer.  Records still outstanding are abandoned and
 * counted as failed (flush first to keep them).  Accepts NULL. */
void sl_kafka_producer_free(sl_kafka_producer *p);

#endif /* SLUICE_KAFKA_PRODUCER_H */
