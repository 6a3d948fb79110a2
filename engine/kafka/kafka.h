/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka.h - the small types every part of the Kafka layer shares.
 *
 * The Kafka layer (engine/kafka) wraps librdkafka for the rest of Sluice:
 * config.h holds client properties, producer.h writes records with checked
 * deliveries, consumer.h reads them in batches (group or assign()), admin.h
 * creates and describes topics, and broker.h runs the embedded in-memory
 * broker.  This header only defines what those share: positions in a
 * partition, record headers and the logical offsets.  None of these types
 * own memory; each function that takes or returns one says how long the
 * pointers inside stay valid.
 */
#ifndef SLUICE_KAFKA_H
#define SLUICE_KAFKA_H

#include <stddef.h>
#include <stdint.h>

/* Logical offsets, equal to librdkafka's. */
#define SL_KAFKA_OFFSET_BEGINNING (-2)  /* the oldest record kept */
#define SL_KAFKA_OFFSET_END (-1)        /* the next record produced */
#define SL_KAFKA_OFFSET_STORED (-1000)  /* the group's committed offset */
#define SL_KAFKA_OFFSET_INVALID (-1001) /* no offset known */

/* "Let the partitioner choose" for a produced record. */
#define SL_KAFKA_PARTITION_ANY (-1)

/* A position in one partition: the offset of the next record to read (as
 * committed to a group), or a logical offset.  topic is borrowed. */
typedef struct sl_kafka_position {
  const char *topic;
  int32_t partition;
  int64_t offset;
} sl_kafka_position;

/* One record header.  value NULL is a header with a null value (distinct
 * from an empty one); size is then 0.  All pointers are borrowed. */
typedef struct sl_kafka_header {
  const char *name;
  const void *value;
  size_t size;
} sl_kafka_header;

/* The librdkafka version string ("2.0.2"), for logs and --version. */
const char *sl_kafka_library_version(void);

#endif /* SLUICE_KAFKA_H */
