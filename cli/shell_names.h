/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_names.h - the names the shell completes and reports: objects and
 * their columns from the catalog, topics from the cluster, persistent
 * queries that are running.
 *
 * Names come from the session's catalog (which serializes its own use,
 * so persistent queries running meanwhile do no harm).  Topics are listed
 * from the cluster when one is configured; the topics that the catalog's
 * streams read (and their dead-letter topics) are always offered, which
 * is all there is with the embedded broker.
 */
#ifndef SLUICE_CLI_SHELL_NAMES_H
#define SLUICE_CLI_SHELL_NAMES_H

#include "catalog/catalog.h"
#include "cli/shell_complete.h"
#include "engine/common/error.h"
#include "engine/kafka/config.h"

typedef struct sl_shell_names sl_shell_names;

/* Names from catalog (borrowed: it must outlive the result) and, when
 * kafka is given (copied; NULL: no cluster to list topics from), the
 * cluster's topics.  On success *out is owned by the caller
 * (sl_shell_names_close). */
sl_status sl_shell_names_open(sl_catalog *catalog,
                              const sl_kafka_config *kafka,
                              sl_shell_names **out, sl_error *err);

/* Frees n and any Kafka client it made.  Accepts NULL. */
void sl_shell_names_close(sl_shell_names *n);

/* The completion source over n (valid while n is open). */
sl_shell_source sl_shell_names_source(sl_shell_names *n);

/* Appends to out the ids of the persistent queries the catalog records
 * as running, sorted. */
sl_status sl_shell_names_running_queries(sl_shell_names *n,
                                         sl_shell_words *out, sl_error *err);

#endif
