/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.h - running physical plans over Kafka: the environment, the
 * worker pool, and queries.
 *
 * A runtime is the environment every query of a process shares: Kafka
 * client properties, the catalog, the service name, and a pool of worker
 * threads (`sluice.threads`, default the number of cores).  A query is
 * split into tasks, each owning a share of the query's source partitions
 * with its own consumer, operator instances, producer and error router,
 * so that tasks never share state; the pool runs every task of every
 * query, one worker at a time per task, a slice at a time.  A transient
 * query gets up to one task per worker (partitions split by number); a
 * persistent query gets `group_tasks` tasks, each a member of its
 * consumer group (default one per worker on a real broker, one on the
 * embedded broker), so that the partitions of a process run in parallel
 * and instances of a deployment share them through the same group.
 *
 * Sources and commits follow the conventions:
 *   - persistent queries read as consumer group sluice-<service>-<query
 *     id> (each task a member), starting at the committed offsets, else
 *     at the stream's `start`, else earliest; transient queries assign()
 *     partitions without a group, starting at the stream's `start`, else
 *     the session's auto.offset.reset, else latest (a bounded transient
 *     query, a SELECT without EMIT, reads from the beginning);
 *   - at-least-once: a task commits a partition's offset only once every
 *     record produced from the records before it (sink records and dead
 *     letters) is acknowledged by the broker;
 *   - bounded mode: each source partition ends at the high watermark it
 *     had when the query started; a partition at its end stops holding
 *     the watermark back; when every partition is done the watermark
 *     jumps to the end of time, outputs are flushed, offsets committed,
 *     and the query finishes;
 *   - broker outages are retried (consumer reconnects, producer retries
 *     without a deadline, failed commits are repeated), so a query keeps
 *     running and catches up when the broker returns;
 *   - stopping (sl_query_stop) stops consuming, flushes, commits and
 *     checkpoints before the tasks end.
 *
 * Before a query starts, the runtime checks that its source topics exist
 * and creates what it writes when missing: the sink stream's topic (with
 * the plan's partitions and replicas, or the first source's) and the
 * dead-letter topics of streams with errors='dlq'.
 *
 * Threads: every function may be called from any thread.  A query's
 * callback sink is called from worker threads, one call at a time.
 */
#ifndef SLUICE_RUNTIME_H
#define SLUICE_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "engine/expr/expr.h"
#include "engine/kafka/config.h"
#include "engine/plan/plan.h"
#include "engine/types/strbuf.h"

typedef struct sl_runtime sl_runtime;
typedef struct sl_query sl_query;

typedef struct sl_runtime_config {
  const sl_kafka_config *kafka; /* client properties (copied), including a
                                   link to the embedded broker */
  sl_catalog *catalog;          /* lookup tables; outlives the runtime */
  const char *service;          /* --service; NULL: "sluice" */
  int threads;                  /* sluice.threads; <= 0: the cores */
  int batch_size;               /* rows per batch; <= 0: 1024 */
  int64_t commit_interval_ms;   /* <= 0: 1000 */
  /* Group members (tasks) a stateless persistent query runs in this
   * process; <= 0: the worker count on a real broker, 1 on the embedded
   * one (librdkafka's mock cluster does not handle members joining at
   * once reliably).  Never more than the source partitions. */
  int group_tasks;
  /* The session's auto.offset.reset for transient queries: "earliest",
   * "latest", or NULL for the conventions' default. */
  const char *auto_offset_reset;
  /* PREDICT support for expressions (see expr.h); may be NULL. */
  sl_expr_predict_fn predict;
  void *predict_arg;
} sl_runtime_config;

/* Creates a runtime and starts its worker pool.  *out is owned by the
 * caller (sl_runtime_free). */
sl_status sl_runtime_new(const sl_runtime_config *cfg, sl_runtime **out,
                         sl_error *err);

/* Stops every query gracefully, waits for them, and frees everything,
 * the queries included.  Accepts NULL. */
void sl_runtime_free(sl_runtime *rt);

/* Changes the session's auto.offset.reset for queries started later
 * (NULL: the default).  Fails with SL_ERR_SQL for another value. */
sl_status sl_runtime_set_offset_reset(sl_runtime *rt, const char *value,
                                      sl_error *err);

/* The worker count. */
int sl_runtime_threads(const sl_runtime *rt);

/* The next transient query id of this process: "transient_<n>", written
 * into buf; returns buf. */
char *sl_runtime_transient_id(sl_runtime *rt, char *buf, size_t size);

/* The consumer group of a persistent query:
 * "sluice-<service>-<query id>" into buf; returns buf. */
char *sl_runtime_group(const sl_runtime *rt, const char *query_id, char *buf,
                       size_t size);

typedef enum sl_query_status {
  SL_QUERY_STATUS_RUNNING = 0,
  SL_QUERY_STATUS_FINISHED, /* bounded end, or LIMIT reached */
  SL_QUERY_STATUS_STOPPED,  /* sl_query_stop */
  SL_QUERY_STATUS_FAILED
} sl_query_status;

/* "running", "finished", "stopped", "failed". */
const char *sl_query_status_name(sl_query_status s);

/* Starts running plan, which the query takes over (also on failure).
 * Checks the source topics, creates missing sink and dead-letter topics,
 * fixes the bounded end offsets, and hands the tasks to the pool.  The
 * query is owned by the runtime; the handle stays valid until
 * sl_query_free or sl_runtime_free. */
sl_status sl_query_start(sl_runtime *rt, sl_plan *plan, sl_query **out,
                         sl_error *err);

/* Waits up to timeout_ms (-1: no limit) for the query to end.  *ended
 * (may be NULL) tells whether it did.  Returns SL_OK unless the query
 * failed, in which case its error is returned (e.g. a record under
 * errors='fail': "topic [partition] @ offset: reason: message"). */
sl_status sl_query_wait(sl_query *q, int64_t timeout_ms, bool *ended,
                        sl_error *err);

/* Asks the query to stop gracefully; returns at once (wait for it with
 * sl_query_wait). */
void sl_query_stop(sl_query *q);

/* Stops the query if it runs, waits for it, and frees it.  Accepts
 * NULL. */
void sl_query_free(sl_query *q);

sl_query_status sl_query_get_status(const sl_query *q);
const char *sl_query_id(const sl_query *q);
const sl_plan *sl_query_plan(const sl_query *q);
int sl_query_tasks(const sl_query *q);

/* Totals of a query. */
typedef struct sl_query_stats {
  int64_t records_in;       /* records read from the sources */
  int64_t records_out;      /* rows handed to the sink */
  int64_t records_failed;   /* records that failed (any reason) */
  int64_t records_late;
  int64_t dead_lettered;    /* failed records written to a DLQ */
  int64_t skipped;          /* failed records skipped */
  int64_t commits;          /* offset commits that succeeded */
  /* A stateful persistent query's store, as of its last checkpoint:
   * entries of its operators' tables and their key and value bytes
   * (0 for stateless and transient queries, which keep no store). */
  int64_t state_entries;
  int64_t state_bytes;
  int64_t checkpoints;      /* state checkpoints written */
  double last_checkpoint_ms; /* how long the last one took: the
                                operators' part and the store's
                                transaction (0 before the first) */
  /* A bounded query: the records its sources read in all, the end
   * offsets fixed at start minus the offsets each partition started
   * from (its committed or restored offset, else the log start), so
   * that records_in reaches it when the query has read everything; -1
   * until every source partition has been assigned, and for unbounded
   * queries. */
  int64_t bounded_total;
} sl_query_stats;

void sl_query_get_stats(const sl_query *q, sl_query_stats *out);

/* Counters of one plan node summed over the tasks (sl_plan_counters_fn:
 * pass the query as ud). */
bool sl_query_node_counters(void *query, int node, sl_plan_counters *out);

/* EXPLAIN of a running query: the plan with live counters. */
sl_status sl_query_explain(const sl_query *q, sl_strbuf *out);

/* The queries of the runtime (running or not, until freed), up to cap of
 * them into out; returns how many there are. */
int sl_runtime_queries(sl_runtime *rt, sl_query **out, int cap);

/* The query called id, or NULL. */
sl_query *sl_runtime_find(sl_runtime *rt, const char *id);

#endif /* SLUICE_RUNTIME_H */
