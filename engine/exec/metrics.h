/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h - Prometheus text metrics of a session's queries, served on
 * 127.0.0.1 (`--metrics-port N`).
 *
 * A tiny HTTP/1.0 server on its own thread: one connection at a time,
 * a request of at most SL_METRICS_REQUEST_MAX bytes read within a few
 * seconds, then the connection is closed.  GET /metrics answers the
 * text exposition format (text/plain; version=0.0.4); any other request
 * gets 404, one too large or malformed 400.  Each scrape collects fresh
 * samples through the session's collect callback (progress.h).
 *
 * The metrics, per query (label query="<id>"):
 *   sluice_query_records_in_total       records read from the sources
 *   sluice_query_records_out_total      rows handed to the sink
 *   sluice_query_records_failed_total   records that failed, any reason
 *   sluice_query_records_late_total     late records
 *   sluice_query_dead_lettered_total    failed records written to a DLQ
 *   sluice_query_skipped_total          failed records skipped
 *   sluice_query_commits_total          offset commits that succeeded
 *   sluice_query_running                1 while the query runs, else 0
 *   sluice_query_lag_records            consumer lag (persistent queries,
 *                                       when the broker answers)
 *   sluice_query_state_entries          state store entries and their
 *   sluice_query_state_bytes            bytes at the last checkpoint
 *   sluice_query_checkpoints_total      state checkpoints written
 *   sluice_query_last_checkpoint_seconds  how long the last one took
 * per operator of a query (labels query, operator="<number in the
 * plan>", kind="<Source, Filter, WindowAgg...>"):
 *   sluice_operator_records_in_total    rows received
 *   sluice_operator_records_out_total   rows passed on
 *   sluice_operator_records_failed_total rows that failed there
 *   sluice_operator_records_late_total  late rows counted there
 * for the process:
 *   sluice_predictions_total            rows scored by PREDICT
 *   sluice_predict_batch_seconds        summary: time per scored batch
 * and per query and model version (labels query, model, version):
 *   sluice_query_predictions_total      rows scored
 *   sluice_query_predict_batch_seconds  summary: time per scored batch
 *   sluice_query_predict_unseen_total   ONE_HOT values unseen in training
 */
#ifndef SLUICE_EXEC_METRICS_H
#define SLUICE_EXEC_METRICS_H

#include "engine/common/error.h"
#include "engine/exec/progress.h"
#include "engine/types/strbuf.h"

#define SL_METRICS_REQUEST_MAX 8192

/* Appends the exposition text of n samples (lag filled in where known)
 * and of the PREDICT counters (left out when predict->rows < 0) to
 * out. */
sl_status sl_metrics_render(const sl_progress_sample *samples, int n,
                            const sl_progress_predict *predict,
                            sl_strbuf *out, sl_error *err);

typedef struct sl_metrics sl_metrics;

typedef struct sl_metrics_options {
  int port;                      /* 0: any free port (sl_metrics_port) */
  sl_progress_collect_fn collect;
  void *ud;
  sl_progress_meter *meter;      /* lag; may be NULL */
} sl_metrics_options;

/* Listens on 127.0.0.1:port and starts serving.  Fails with
 * SL_ERR_RUNTIME naming the address when it cannot listen.  *out is
 * owned by the caller (sl_metrics_stop). */
sl_status sl_metrics_start(const sl_metrics_options *opts, sl_metrics **out,
                           sl_error *err);

/* The port listened on. */
int sl_metrics_port(const sl_metrics *m);

/* Stops serving, closes the socket and frees the server.  Accepts
 * NULL. */
void sl_metrics_stop(sl_metrics *m);

#endif /* SLUICE_EXEC_METRICS_H */
