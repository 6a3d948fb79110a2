/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_names.h - the names the shell completes and reports: objects and
 * their columns from the catalog, topics from the cluster, persistent
 * queries that are running.
 *
 * The session does not hand out its catalog, so the shell opens a handle
 * of its own on the same SQLite file (the catalog serializes writers and
 * every call sees what the session committed).  Topics are listed from the
 * cluster when one is configured; the topics that the catalog's streams
 * read (and their dead-letter topics) are always offered, which is all
 * there is with the embedded broker.
 */
#ifndef SLUICE_CLI_SHELL_NAMES_H
#define SLUICE_CLI_SHELL_NAMES_H

#include "cli/shell_complete.h"
#include "engine/common/error.h"
#include "engine/kafka/config.h"

typedef struct sl_shell_names sl_shell_names;

/* Opens the catalog at catalog_path (a file the session has opened) and
 * keeps a copy of kafka (may be NULL: no cluster to list topics from).
 * On success *out is owned by the caller (sl_shell_names_close). */
sl_status sl_shell_names_open(const char *catalog_path,
                              const sl_kafka_config *kafka,
                              sl_shell_names **out, sl_error *err);

/* Closes the catalog handle and any Kafka client.  Accepts NULL. */
void sl_shell_names_close(sl_shell_names *n);

/* The completion source over n (valid while n is open). */
sl_shell_source sl_shell_names_source(sl_shell_names *n);

/* Appends to out the ids of the persistent queries the catalog records
 * as running, sorted. */
sl_status sl_shell_names_running_queries(sl_shell_names *n,
                                         sl_shell_words *out, sl_error *err);

#endif
