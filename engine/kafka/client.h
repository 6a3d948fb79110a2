/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.h - what the parts of engine/kafka share internally (not for use
 * outside this folder).
 *
 * Every Sluice client (producer, consumer, admin) builds its librdkafka
 * configuration the same way: the part's own defaults first, then every
 * user property in order, so that users can override any default.  The
 * same code installs the log and error callbacks that route librdkafka's
 * messages into the Sluice logger at sensible levels (repeated faults rate
 * limited) and formats errors as "topic [partition]: what: librdkafka's
 * reason".  Each client struct begins with an sl_kafka_client, which is the
 * opaque librdkafka hands back to the callbacks.
 */
#ifndef SLUICE_KAFKA_CLIENT_H
#define SLUICE_KAFKA_CLIENT_H

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"

struct sl_kafka_broker;

/* The first member of every client struct. */
typedef struct sl_kafka_client {
  rd_kafka_t *rk;
  const char *role;        /* "producer", "consumer", "admin" */
  atomic_bool fatal;       /* librdkafka raised a fatal error */
  bool embedded;           /* connected to the embedded broker */
} sl_kafka_client;

/* The embedded broker a config was set up for (broker.h), or NULL. */
struct sl_kafka_broker *sl_kafka_config_embedded(const sl_kafka_config *cfg);
void sl_kafka_config_set_embedded(sl_kafka_config *cfg,
                                  struct sl_kafka_broker *broker);

/* Creates a librdkafka handle of the given type for client: builds its
 * configuration from defaults (a NULL-terminated list of key, value pairs;
 * may be NULL), then every property of cfg (may be NULL), then overrides
 * (like defaults: what the part cannot work without), installs the log
 * and error callbacks with client as the opaque, and stores the handle in
 * client->rk.  extra (may be NULL) is called on the configuration before
 * the handle is created, to install role-specific callbacks.  On failure
 * nothing is left allocated. */
sl_status sl_kafka_client_open(sl_kafka_client *client, rd_kafka_type_t type,
                               const char *role, const sl_kafka_config *cfg,
                               const char *const *defaults,
                               const char *const *overrides,
                               void (*extra)(rd_kafka_conf_t *conf),
                               sl_error *err);

/* Metadata of one topic, never creating it.  On success *md is to be freed
 * with rd_kafka_metadata_destroy and *topic points into it, or is NULL when
 * the topic does not exist.  The embedded broker creates any topic that a
 * metadata request names, so there the topic is looked up in a listing of
 * all topics instead.  Returns librdkafka's error for a failed request. */
rd_kafka_resp_err_t sl_kafka_topic_metadata(
    const sl_kafka_client *client, const char *topic, int timeout_ms,
    const struct rd_kafka_metadata **md,
    const struct rd_kafka_metadata_topic **topic_md);

/* The number of partitions of topic, from a metadata request (timeout_ms).
 * Fails naming the topic when it does not exist. */
sl_status sl_kafka_partition_count(const sl_kafka_client *client,
                                   const char *topic, int timeout_ms,
                                   int *count, sl_error *err);

/* Destroys client->rk (if any).  Accepts a client that was never opened. */
void sl_kafka_client_close(sl_kafka_client *client);

/* Fills err with an SL_ERR_KAFKA error "topic [partition]: what: reason"
 * (topic and partition left out when NULL / negative) and records topic and
 * partition in err's fields.  Returns SL_ERR_KAFKA. */
sl_status sl_kafka_fail(sl_error *err, const char *topic, int32_t partition,
                        const char *what, const char *reason);

/* Like sl_kafka_fail with librdkafka's text for code as the reason; for a
 * fatal error, the fatal error's own text from rk. */
sl_status sl_kafka_fail_code(sl_error *err, rd_kafka_t *rk,
                             const char *topic, int32_t partition,
                             const char *what, rd_kafka_resp_err_t code);

/* Log start offset and high watermark of one partition from its leader,
 * retrying for up to timeout_ms while the partition is not ready yet (a
 * topic just created, a leader moving). */
sl_status sl_kafka_watermarks(const sl_kafka_client *client,
                              const char *topic, int32_t partition,
                              int timeout_ms, int64_t *low, int64_t *high,
                              sl_error *err);

/* Milliseconds on a monotonic clock. */
int64_t sl_kafka_now_ms(void);

#endif /* SLUICE_KAFKA_CLIENT_H */
