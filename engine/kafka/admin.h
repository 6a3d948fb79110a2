/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin.h - topics: create, describe, list, delete, and watermarks.
 *
 * On a real cluster these go through the Kafka Admin API; creation waits
 * until the new topic's partitions all have leaders, so it can be used at
 * once.  On the embedded broker (a config set up by
 * sl_kafka_broker_configure) topics are created through the mock cluster
 * instead, because it does not answer admin requests, and deletion is not
 * available.  A cluster whose metadata names no controller (the embedded
 * broker of another process, reached by address) is found out before the
 * first operation: lookups there never name a topic, since that would
 * create it, and topics are created through the requests topic of a
 * `sluice broker` (broker.h); without one, creation fails at once.
 * Consumer groups are never deleted by Sluice: doing that on the embedded
 * broker aborts the process inside librdkafka.
 */
#ifndef SLUICE_KAFKA_ADMIN_H
#define SLUICE_KAFKA_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"

typedef struct sl_kafka_admin sl_kafka_admin;

typedef struct sl_kafka_partition_info {
  int32_t id;
  int32_t leader;          /* broker id, -1 when leaderless */
  int replicas;
  int64_t low;             /* log start offset */
  int64_t high;            /* high watermark: the next offset written */
} sl_kafka_partition_info;

typedef struct sl_kafka_topic_info {
  char *name;
  int partition_count;
  int replication;         /* replicas of partition 0 */
  sl_kafka_partition_info *partitions; /* partition_count entries, by id */
} sl_kafka_topic_info;

/* Creates an admin client from cfg (copied; may be NULL).  Metadata
 * requests from it never create topics.  *out is owned by the caller. */
sl_status sl_kafka_admin_new(const sl_kafka_config *cfg,
                             sl_kafka_admin **out, sl_error *err);

void sl_kafka_admin_free(sl_kafka_admin *a);

/* Creates topic with partitions and replication (-1: the broker's
 * defaults), and topic-level properties from topic_config (may be NULL;
 * e.g. cleanup.policy=compact; ignored by the embedded broker).  An
 * existing topic is an error unless if_not_exists, in which case it is
 * left as it is. */
sl_status sl_kafka_admin_create_topic(sl_kafka_admin *a, const char *topic,
                                      int partitions, int replication,
                                      const sl_kafka_config *topic_config,
                                      bool if_not_exists, sl_error *err);

/* Deletes topic and waits until the cluster no longer lists it.  Not
 * available on the embedded broker. */
sl_status sl_kafka_admin_delete_topic(sl_kafka_admin *a, const char *topic,
                                      sl_error *err);

/* Partitions, leaders, replication and watermarks of topic.  Fails naming
 * the topic when it does not exist.  Free *out with
 * sl_kafka_topic_info_free. */
sl_status sl_kafka_admin_describe_topic(sl_kafka_admin *a, const char *topic,
                                        sl_kafka_topic_info **out,
                                        sl_error *err);

void sl_kafka_topic_info_free(sl_kafka_topic_info *info);

/* True when topic exists (a metadata request; never creates it). */
sl_status sl_kafka_admin_topic_exists(sl_kafka_admin *a, const char *topic,
                                      bool *exists, sl_error *err);

/* The names of all topics, sorted; internal ones (starting with "__") only
 * with include_internal.  Free with sl_kafka_names_free. */
sl_status sl_kafka_admin_list_topics(sl_kafka_admin *a, bool include_internal,
                                     char ***names, size_t *count,
                                     sl_error *err);

void sl_kafka_names_free(char **names, size_t count);

/* Log start offset and high watermark of one partition, from the broker. */
sl_status sl_kafka_admin_watermarks(sl_kafka_admin *a, const char *topic,
                                    int32_t partition, int64_t *low,
                                    int64_t *high, sl_error *err);

#endif /* SLUICE_KAFKA_ADMIN_H */
