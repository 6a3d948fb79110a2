/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.h - executing SQL statements against a Sluice instance.
 *
 * A session is what `sluice run` and `sluice shell` talk to.  It owns the
 * instance's resources: the Kafka configuration (or the embedded broker
 * when none is configured), the catalog, the function registry, a
 * producer for INSERT and LOAD, the session properties of SET, and the
 * persistent queries started from it.  Statements run in order: each is
 * bound against the catalog as the statements before it left it, then
 * executed; DDL takes effect at once; INSERT ... VALUES and LOAD into a
 * stream are acknowledged by the broker before the next statement starts;
 * a transient SELECT prints its rows to the session's output; persistent
 * queries start and keep running.
 *
 * Errors come back through sl_error with their location (SQL errors at
 * FILE:LINE:COLUMN); the session never prints errors itself.
 */
#ifndef SLUICE_EXEC_SESSION_H
#define SLUICE_EXEC_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/common/error.h"
#include "engine/exec/output.h"
#include "parser/parser.h"

typedef struct sl_session sl_session;

typedef struct sl_session_options {
  const char *brokers;      /* NULL: start the embedded in-memory broker */
  const char *kafka_config; /* file of librdkafka key=value lines, or NULL */
  const char *catalog;      /* NULL: ./sluice.db, or a temporary catalog
                               with the embedded broker */
  const char *service;      /* NULL: "sluice" */
  bool bounded;             /* sources read to their end offsets, then
                               every query finishes */
  sl_output_format output;
  FILE *out;                /* results; NULL: stdout */
  FILE *notices;            /* one-line notices ("using an embedded
                               broker"); NULL: stderr */
  const char *udf_dir;      /* --udf-dir: libraries loaded at open */
  const char *secret_file;  /* --secret-file: the key of depersonalized
                               training set columns; NULL: SLUICE_SECRET,
                               else a key kept in the catalog */
  const sl_parse_var *vars; /* ${name} definitions */
  size_t nvars;
  /* Observability (engine/exec/progress.h, metrics.h). */
  bool progress;            /* a status line per running query every
                               5 s on `notices` (a terminal) */
  int metrics_port;         /* > 0: Prometheus metrics on
                               127.0.0.1:metrics_port; 0: none */
  bool live_status;         /* a running transient query's rows received
                               and rate on `notices` (the shell on a
                               terminal) */
} sl_session_options;

/* Opens a session: connects the Kafka configuration (starting the
 * embedded broker when no brokers are given and printing one notice
 * saying so), opens the catalog and loads the function registry. On
 * success *out is the session, closed with sl_session_close. */
sl_status sl_session_open(const sl_session_options *opts, sl_session **out,
                          sl_error *err);

/* Parses and runs a script.  file names it in error messages.  Stops at
 * the first failing statement and returns its error; statements before it
 * keep their effects. */
sl_status sl_session_run_script(sl_session *s, const char *file,
                                const char *text, sl_error *err);

/* Waits for the persistent queries this session started: in bounded mode
 * until each has finished; otherwise until sl_session_request_stop (a
 * signal handler may call it) and then stops them gracefully. */
sl_status sl_session_wait(sl_session *s, sl_error *err);

/* Asks a waiting session to stop.  Async-signal-safe. */
void sl_session_request_stop(sl_session *s);

/* Stops the statement running now (a push query, PRINT) and nothing
 * else; the next statement runs normally.  Async-signal-safe. */
void sl_session_cancel(sl_session *s);

/* The topics of the session's cluster (internal ones left out), for
 * completion.  *names is a new array (sl_kafka_names_free). */
sl_status sl_session_list_topics(sl_session *s, char ***names,
                                 size_t *count, sl_error *err);

/* The ids of the persistent queries running in this session (at most
 * max, owned by the session); returns how many run. */
int sl_session_running_queries(sl_session *s, const char **ids, int max);

/* Sends results to out from now on (the shell's \o). */
void sl_session_set_output(sl_session *s, FILE *out);

/* Whether the footer of each result table printed from now on gives the
 * time its statement took ("(3 rows, 2.1 ms)"; see sl_output_set_timing):
 * the shell's \timing, for results shown on a terminal.  Off when the
 * session opens. */
void sl_session_set_timing(sl_session *s, bool on);

/* The session's catalog, for callers that list objects (the shell's
 * completion).  Owned by the session. */
struct sl_catalog *sl_session_catalog(sl_session *s);

/* The Kafka configuration the session's clients are made from: the
 * embedded broker's when no cluster was named.  Owned by the session;
 * clients made from it must be freed before sl_session_close. */
const struct sl_kafka_config *sl_session_kafka(const sl_session *s);

/* Whether the persistent queries started from now on read to the end
 * offsets their sources have when they start (bounded) or keep running
 * (the --bounded option of sl_session_options, changed for the rest of
 * the session). */
void sl_session_set_bounded(sl_session *s, bool bounded);

/* Rows read and written so far by the run of persistent query id that
 * this session started last; false when it started none of that id. */
bool sl_session_query_rows(sl_session *s, const char *id, int64_t *in,
                           int64_t *out);

/* Stops every persistent query of the session, each after committing
 * what it processed, and records how each ended. */
void sl_session_stop_queries(sl_session *s);

/* Stops every query, flushes, and frees everything.  Accepts NULL. */
void sl_session_close(sl_session *s);

#endif
