/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fetch.h - reading one record back by its position.
 *
 * Some records must be found again after they were consumed: a row that
 * travelled through a repartition topic and then failed (late, or an
 * error in an aggregate's argument) is dead-lettered with the bytes it
 * had in its stream, and only its stream partition and offset came with
 * it.  A fetcher is a small consumer outside any group that assigns the
 * one partition at the offset asked for and returns that record.  It
 * prefetches little, since each read is one record somewhere else.
 *
 * Such reads are rare (they follow failures), so one blocking read per
 * record is acceptable.  A fetcher is used from one thread.
 */
#ifndef SLUICE_KAFKA_FETCH_H
#define SLUICE_KAFKA_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"

typedef struct sl_kafka_fetcher sl_kafka_fetcher;

/* A record read back.  The pointers stay valid until the next read or
 * until the fetcher is freed. */
typedef struct sl_kafka_fetched {
  const void *key;      /* NULL: no key */
  size_t key_len;
  const void *value;    /* NULL: a tombstone */
  size_t value_len;
  int64_t timestamp_ms; /* -1 when the record carries none */
} sl_kafka_fetched;

/* A fetcher for the cluster of cfg (copied as needed; may be NULL for
 * librdkafka's defaults).  On success *out is to be freed with
 * sl_kafka_fetcher_free. */
sl_status sl_kafka_fetcher_new(const sl_kafka_config *cfg,
                               sl_kafka_fetcher **out, sl_error *err);

/* Reads the record at topic [partition] @ offset into *out, waiting at
 * most timeout_ms.  Fails with SL_ERR_KAFKA naming the position when the
 * record is gone (retention or compaction removed it), lies beyond the
 * partition's end, or could not be read in time. */
sl_status sl_kafka_fetch(sl_kafka_fetcher *f, const char *topic,
                         int32_t partition, int64_t offset, int timeout_ms,
                         sl_kafka_fetched *out, sl_error *err);

/* Closes the fetcher.  Accepts NULL. */
void sl_kafka_fetcher_free(sl_kafka_fetcher *f);

#endif /* SLUICE_KAFKA_FETCH_H */
