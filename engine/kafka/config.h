/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h - librdkafka client properties as Sluice carries them.
 *
 * A config is an ordered list of key=value properties that are passed
 * through to librdkafka unchanged (bootstrap.servers, security.protocol,
 * sasl.*, ssl.*, any tuning property).  It is filled from the command line
 * (--brokers, SLUICE_BROKERS), from `SET 'kafka.x' = ...` and from a
 * --kafka-config FILE of key=value lines; each property remembers the file
 * and line it came from, so that a value librdkafka rejects is reported as
 * FILE:LINE.  Properties whose names look secret (passwords, keys, tokens,
 * JAAS) are never written to logs or error messages: sl_kafka_config_describe
 * masks their values.  A config may also point at the embedded broker it
 * was configured for (broker.h), which tells the admin client to create
 * topics through the mock cluster.  A config is not thread-safe; clients
 * copy what they need when they are created.
 */
#ifndef SLUICE_KAFKA_CONFIG_H
#define SLUICE_KAFKA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/error.h"

typedef struct sl_kafka_config sl_kafka_config;

/* An empty config, or NULL when out of memory.  Free with
 * sl_kafka_config_free. */
sl_kafka_config *sl_kafka_config_new(void);

/* Frees cfg and every property.  Accepts NULL. */
void sl_kafka_config_free(sl_kafka_config *cfg);

/* A deep copy of cfg (properties, their origins and the embedded broker
 * link), or NULL when out of memory. */
sl_kafka_config *sl_kafka_config_copy(const sl_kafka_config *cfg);

/* Sets key to value, replacing an earlier value of the same key (the
 * property keeps its position).  Both strings are copied.  Fails with
 * SL_ERR_USAGE for an empty key or one containing blanks or '='. */
sl_status sl_kafka_config_set(sl_kafka_config *cfg, const char *key,
                              const char *value, sl_error *err);

/* The value of key, or NULL when unset.  Owned by cfg. */
const char *sl_kafka_config_get(const sl_kafka_config *cfg, const char *key);

/* Removes key if present. */
void sl_kafka_config_unset(sl_kafka_config *cfg, const char *key);

/* Reads a properties file: one key=value per line, blanks around key and
 * value trimmed, blank lines and lines starting with '#' ignored.  Each key
 * is checked against librdkafka (unknown properties and invalid values are
 * rejected) and may appear once per file.  Errors are FILE:LINE errors
 * (SL_ERR_USAGE; SL_ERR_IO when the file cannot be read) and never quote a
 * secret value.  On failure cfg keeps the properties of earlier lines. */
sl_status sl_kafka_config_load_file(sl_kafka_config *cfg, const char *path,
                                    sl_error *err);

/* Sets bootstrap.servers from brokers when it is non-NULL and non-empty,
 * else from the environment variable SLUICE_BROKERS when set and
 * non-empty; otherwise leaves cfg as it is (a bootstrap.servers from a
 * config file stays). */
sl_status sl_kafka_config_apply_brokers(sl_kafka_config *cfg,
                                        const char *brokers, sl_error *err);

/* True when bootstrap.servers is set, i.e. a real cluster is configured and
 * no embedded broker is needed. */
bool sl_kafka_config_has_brokers(const sl_kafka_config *cfg);

/* Number of properties, and the i-th key and value (0-based, in the order
 * they were first set).  The strings are owned by cfg. */
size_t sl_kafka_config_count(const sl_kafka_config *cfg);
const char *sl_kafka_config_key(const sl_kafka_config *cfg, size_t i);
const char *sl_kafka_config_value(const sl_kafka_config *cfg, size_t i);

/* Where the i-th property came from: its file and 1-based line, or NULL
 * and 0 when it was set by code. */
const char *sl_kafka_config_origin(const sl_kafka_config *cfg, size_t i,
                                   int *line);

/* Writes "k1=v1, k2=v2, ..." into buf with secret values shown as
 * "********", for logs.  Always NUL-terminates; returns buf. */
char *sl_kafka_config_describe(const sl_kafka_config *cfg, char *buf,
                               size_t size);

#endif /* SLUICE_KAFKA_CONFIG_H */
