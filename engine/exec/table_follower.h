/* SPDX-License-Identifier: Apache-2.0 */
/*
 * table_follower.h - keeping a lookup table in step with its changelog
 * topic.
 *
 * A table declared WITH (topic=...) is the materialized state of that
 * topic: each record upserts the row of its key, a tombstone (a record
 * with a key and no value) deletes it.  The key of a table with several
 * key columns is the JSON object of them ({"k":"a","window_start":...},
 * as Sluice's sinks write it, sink_kafka.h).  Every instance reads the
 * whole topic (no consumer group), so every instance holds the whole
 * table.
 * The follower runs on a thread of its own for as long as the session
 * lives; sl_table_follower_sync lets a statement wait until the table
 * reflects everything the topic held when the statement started.
 */
#ifndef SLUICE_EXEC_TABLE_FOLLOWER_H
#define SLUICE_EXEC_TABLE_FOLLOWER_H

#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/config.h"

typedef struct sl_table_follower sl_table_follower;

typedef struct sl_table_follower_stats {
  int64_t upserts;
  int64_t deletes;
  int64_t failed;   /* records that could not be applied (logged) */
} sl_table_follower_stats;

/* Starts following the topic of table (copied) from its beginning, with
 * clients made from kafka, writing into cat.  *out is the follower. */
sl_status sl_table_follower_start(const sl_kafka_config *kafka,
                                  sl_catalog *cat,
                                  const sl_catalog_object *table,
                                  sl_table_follower **out, sl_error *err);

/* Waits until every record the topic holds now has been applied (or the
 * follower failed: its error is returned).  admin reads the end offsets. */
sl_status sl_table_follower_sync(sl_table_follower *f, sl_kafka_admin *admin,
                                 sl_error *err);

/* The table followed. */
const char *sl_table_follower_table(const sl_table_follower *f);

void sl_table_follower_stats_get(sl_table_follower *f,
                                 sl_table_follower_stats *out);

/* Stops the thread and frees the follower.  Accepts NULL. */
void sl_table_follower_stop(sl_table_follower *f);

#endif
