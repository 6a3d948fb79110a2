/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.h - what the queries of a session are doing, as numbers: the
 * status lines `sluice run` prints on a terminal, and the samples the
 * metrics endpoint (metrics.h) renders.
 *
 * A sample is a copy of one query's counters taken at one moment
 * (sl_progress_sample); the session hands out samples through a collect
 * callback, so that neither the reporter nor the metrics server ever
 * holds a query handle that the session might free.
 *
 * Lag comes from the broker (sl_progress_meter): the records between a
 * persistent query's committed offsets and the end of each source
 * partition (consumer lag, as Kafka tools report it: it trails by what
 * was read since the last commit); transient queries commit nothing, so
 * their lag is unknown.  The total of a bounded query comes from the
 * runtime (sl_query_stats.bounded_total): the end offsets it reads up to,
 * fixed when it starts, minus the offsets its partitions start from, so
 * it is exact and does not change while the query runs.
 *
 * The reporter (sl_progress) is a thread that prints one line per
 * running query every interval (see sl_progress_format for the format).
 */
#ifndef SLUICE_EXEC_PROGRESS_H
#define SLUICE_EXEC_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"
#include "engine/runtime/runtime.h"

#define SL_PROGRESS_ID_MAX 256
#define SL_PROGRESS_MAX_TOPICS 8

#define SL_PROGRESS_MAX_OPS 64
#define SL_PROGRESS_MAX_MODELS 64

/* One operator of a query's plan: its number in the plan (operators are
 * numbered inputs first, so the sources come first and the sink last;
 * the same statement numbers them the same way after a restart), its
 * kind as EXPLAIN names it ("Source", "Filter", "WindowAgg", ...; a
 * static string) and its counters summed over the query's tasks. */
typedef struct sl_progress_op {
  int id;
  const char *kind;
  sl_plan_counters counters;
} sl_progress_op;

/* One query at one moment. */
typedef struct sl_progress_sample {
  char id[SL_PROGRESS_ID_MAX];
  char group[SL_PROGRESS_ID_MAX + 64]; /* consumer group; "" transient */
  sl_query_status status;
  bool bounded;
  sl_query_stats stats;
  int ntopics;                          /* source topics (the first ones) */
  char topics[SL_PROGRESS_MAX_TOPICS][SL_PROGRESS_ID_MAX];
  int64_t lag;                          /* -1: unknown */
  int64_t total;                        /* bounded: records to read, from
                                           stats.bounded_total; -1 */
  int nops;                             /* operators (the first ones) */
  sl_progress_op ops[SL_PROGRESS_MAX_OPS];
} sl_progress_sample;

/* What the PREDICT calls of one query did with one model version: rows
 * scored, batches scored (one model call each), the seconds spent in
 * those calls, and the ONE_HOT values unseen in training (each scored as
 * all zeros). */
typedef struct sl_progress_model {
  char query[SL_PROGRESS_ID_MAX];
  char model[SL_PROGRESS_ID_MAX];
  int version;
  int64_t rows;
  int64_t calls;
  double seconds;
  int64_t unseen;
} sl_progress_model;

/* What PREDICT has done in the process: rows scored, batches scored (one
 * model call each) and the seconds spent in those calls (rows is -1
 * when nothing is known), then the same per query and model version for
 * the queries of the session (the first nmodels of them). */
typedef struct sl_progress_predict {
  int64_t rows;
  int64_t calls;
  double seconds;
  int nmodels;
  sl_progress_model models[SL_PROGRESS_MAX_MODELS];
} sl_progress_predict;

/* Fills up to cap samples (lag -1) and returns how many there are;
 * *predict gets the PREDICT counters. */
typedef int (*sl_progress_collect_fn)(void *ud, sl_progress_sample *out,
                                      int cap, sl_progress_predict *predict);

/* ---- Lag from the broker ---------------------------------------------- */

typedef struct sl_progress_meter sl_progress_meter;

/* A meter reading the cluster of kafka (borrowed: it must outlive the
 * meter).  Clients are made on first use.  NULL when out of memory;
 * free with sl_progress_meter_free. */
sl_progress_meter *sl_progress_meter_new(const sl_kafka_config *kafka);

/* Fills s->lag for a persistent query; it stays -1 when the broker does
 * not answer.  Safe to call from several threads. */
void sl_progress_meter_measure(sl_progress_meter *m, sl_progress_sample *s);

/* Frees the meter and its clients.  Accepts NULL. */
void sl_progress_meter_free(sl_progress_meter *m);

/* ---- Status lines ----------------------------------------------------- */

/* Writes the status line of s into buf (no newline), given the records
 * read per second since the last line.  Unbounded:
 *   QUERY: in N, out N, failed N, late N, lag N, R rec/s
 * (", lag N" only when known); bounded with a known total:
 *   QUERY: in N, out N, failed N, late N, P of T records (X%), R rec/s,
 *   ETA H:MM:SS
 * (the ETA "?" while the rate is 0).  Rates show one decimal.  Returns
 * buf. */
char *sl_progress_format(const sl_progress_sample *s, double rate,
                         char *buf, size_t size);

typedef struct sl_progress sl_progress;

typedef struct sl_progress_options {
  FILE *out;                     /* where lines go (a terminal) */
  int64_t interval_ms;           /* <= 0: 5000 */
  sl_progress_collect_fn collect;
  void *ud;
  sl_progress_meter *meter;      /* lag; may be NULL */
} sl_progress_options;

/* Starts the reporter thread.  *out is owned by the caller
 * (sl_progress_stop). */
sl_status sl_progress_start(const sl_progress_options *opts,
                            sl_progress **out, sl_error *err);

/* Stops the thread (at once, mid-interval) and frees the reporter.
 * Accepts NULL. */
void sl_progress_stop(sl_progress *p);

#endif /* SLUICE_EXEC_PROGRESS_H */
