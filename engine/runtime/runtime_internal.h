/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime_internal.h - the runtime's structures, shared by its files:
 * runtime.c (environment and worker pool), query.c (starting, waiting,
 * stopping, counters) and task.c (one task's state machine).
 */
#ifndef SLUICE_RUNTIME_INTERNAL_H
#define SLUICE_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog/state.h"
#include "engine/kafka/consumer.h"
#include "engine/ops/errors.h"
#include "engine/ops/op.h"
#include "engine/ops/output.h"
#include "engine/runtime/runtime.h"

typedef struct sl_task sl_task;

/* One partition of a source topic, as the query knows it. */
typedef struct sl_qpart {
  const char *topic;   /* the plan's string */
  int32_t partition;
  int64_t low;         /* log start offset at query start */
  int64_t end;         /* bounded: high watermark at query start */
  atomic_bool done;    /* bounded: every record before end processed */
  atomic_bool claimed; /* a task of the query was given it */
  /* Bounded: the offset reading began at, fixed at the partition's
   * first assignment; -1 before it. */
  atomic_llong start;
} sl_qpart;

struct sl_runtime {
  sl_kafka_config *kafka;
  sl_catalog *catalog;
  char *service;
  int threads;
  int batch_size;
  int64_t commit_interval_ms;
  int group_tasks;
  char *offset_reset;
  sl_expr_predict_fn predict;
  void *predict_arg;

  pthread_mutex_t lock;     /* queries, run queue, counters */
  pthread_cond_t work;      /* a task became runnable, or shutdown */
  pthread_t *workers;
  int nworkers;
  bool shutdown;
  sl_task **queue;          /* runnable tasks, a ring */
  int qhead;
  int qcount;
  int qcap;
  sl_query **queries;
  int nqueries;
  int next_transient;
};

struct sl_query {
  sl_runtime *rt;
  sl_plan *plan;
  char *id;
  char *group;              /* NULL for transient queries */
  char *start;              /* where partitions without offsets begin */
  bool bounded;
  int ntasks;
  sl_task **tasks;
  int nparts;
  sl_qpart *parts;          /* every source partition */
  int source_partitions;    /* of the first source's topic */

  pthread_mutex_t lock;     /* status and error */
  pthread_mutex_t cb_lock;  /* one callback-sink call at a time */
  pthread_cond_t ended_cv;
  atomic_bool stop;         /* asked to stop (or failed: stop all) */
  atomic_bool finish;       /* bounded end or LIMIT: drain and end */
  int tasks_running;
  atomic_int parked;        /* tasks done committing, waiting to leave */
  sl_query_status status;
  atomic_bool failed;
  sl_error error;           /* the first failure (under lock) */
  atomic_llong commits;
  atomic_llong lost;        /* records deleted before they were read */

  /* A stateful persistent query: its store and the source offsets of
   * the checkpoint it restored (where its partitions resume). */
  sl_state *state;
  sl_catalog_offset *restored;
  int nrestored;
};

/* ---- Tasks (task.c) --------------------------------------------------- */

/* What a slice of work did. */
typedef enum sl_task_result {
  SL_TASK_BUSY = 0, /* did work; runnable again */
  SL_TASK_IDLE,     /* found nothing to do; runnable again */
  SL_TASK_DONE      /* finished: never run again */
} sl_task_result;

/* Creates task index of q (operators instantiated, not yet opened). */
sl_status sl_task_new(sl_query *q, int index, sl_task **out, sl_error *err);

/* Runs one slice: opens on the first call, then polls and processes one
 * batch (waiting up to wait_ms for records), commits when due, and
 * drains when the query stops or finishes.  Failures are recorded in the
 * query. */
sl_task_result sl_task_step(sl_task *t, int wait_ms);

void sl_task_free(sl_task *t);

/* Counters of node summed into out; false when the task has no operator
 * for it. */
bool sl_task_node_counters(const sl_task *t, int node,
                           sl_plan_counters *out);

/* The task's router counters. */
void sl_task_error_stats(const sl_task *t, sl_op_errors_stats *out);

/* Adds the task's state size and checkpoint count to out and raises
 * out->last_checkpoint_ms to its last checkpoint's duration. */
void sl_task_checkpoint_stats(const sl_task *t, sl_query_stats *out);

/* ---- Queries (query.c) ------------------------------------------------ */

/* Records the first failure and asks every task to stop. */
void sl_query_fail(sl_query *q, const sl_error *err);

/* Marks a task ended; the last one sets the final status. */
void sl_query_task_ended(sl_query *q);

/* The query's partition entry, or NULL. */
sl_qpart *sl_query_part(sl_query *q, const char *topic, int32_t partition);

/* True when every source partition is done (bounded). */
bool sl_query_all_done(sl_query *q);

/* ---- The pool (runtime.c) --------------------------------------------- */

/* Milliseconds on a monotonic clock. */
int64_t sl_runtime_now_ms(void);

/* Makes t runnable. */
void sl_runtime_schedule(sl_runtime *rt, sl_task *t);

#endif /* SLUICE_RUNTIME_INTERNAL_H */
