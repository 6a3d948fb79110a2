/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session_internal.h - the session's state, shared by the files that
 * execute its statement kinds (exec_ddl.c, exec_data.c, exec_query.c).
 */
#ifndef SLUICE_EXEC_SESSION_INTERNAL_H
#define SLUICE_EXEC_SESSION_INTERNAL_H

#include <pthread.h>
#include <signal.h>

#include "catalog/catalog.h"
#include "engine/exec/output.h"
#include "engine/exec/command_log.h"
#include "engine/exec/session.h"
#include "engine/exec/table_follower.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/config.h"
#include "engine/kafka/producer.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "udf/loader.h"
#include "udf/registry.h"

#define SESSION_MAX_PROPERTIES 128
#define SESSION_MAX_FOLLOWERS 256
#define SESSION_MAX_QUERIES 1024

struct sl_runtime;
struct sl_query;

typedef struct session_property {
  char *name;
  char *value;
} session_property;

struct sl_session {
  sl_session_options opts;
  char *service;
  FILE *out;
  FILE *notices;

  sl_kafka_config *kafka;     /* every client is made from this */
  sl_kafka_broker *embedded;  /* NULL with a real cluster */
  sl_kafka_admin *admin;      /* made on first use */
  sl_kafka_producer *producer; /* made on first use */

  sl_catalog *catalog;
  sl_func_registry *functions;
  sl_udf_loader *udfs;        /* C functions bound into `functions` */
  sl_output *output;
  bool timing;                /* sl_session_set_timing */

  int nproperties;
  session_property properties[SESSION_MAX_PROPERTIES];

  int nfollowers;             /* tables that follow a topic */
  sl_table_follower *followers[SESSION_MAX_FOLLOWERS];

  struct sl_runtime *runtime; /* made on the first query */
  struct sl_predict *predict; /* PREDICT in streaming queries */
  int nqueries;               /* persistent queries started here */
  struct sl_query *queries[SESSION_MAX_QUERIES];
  char *query_where[SESSION_MAX_QUERIES]; /* "FILE:LINE" of each one's
                                             statement, until its failed
                                             records were reported */

  /* A real cluster: the command topic shared with the other instances of
   * the service, and the lock that keeps commands applied from it apart
   * from the statements of this session. */
  sl_command_log *commands;
  char instance[64];
  pthread_mutex_t exec_lock;
  bool applying;              /* executing a command from another
                                 instance: not written back */

  /* Observability: the status-line reporter and the metrics server
   * read the runtime's queries under observe_lock, which is also held
   * while the session sets the runtime or frees a query. */
  pthread_mutex_t observe_lock;
  struct sl_progress_meter *meter;
  struct sl_progress *progress;
  struct sl_metrics *metrics;

  int transient_queries;      /* numbering of transient_<n> */
  volatile sig_atomic_t stop_requested;   /* end the session's waits */
  volatile sig_atomic_t cancel_requested; /* end the running statement */
};

/* One statement in flight: the bound form and where it came from. */
typedef struct exec_stmt {
  const sl_bound_stmt *bound;
  const char *file;
} exec_stmt;

/* Statement kinds, by file. */
sl_status exec_create(sl_session *s, sl_bind_ctx *ctx, const exec_stmt *st,
                      sl_error *err);
sl_status exec_drop(sl_session *s, sl_bind_ctx *ctx, const exec_stmt *st,
                    sl_error *err);
sl_status exec_show(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_describe(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_set(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_insert_values(sl_session *s, const exec_stmt *st,
                             sl_error *err);
sl_status exec_load(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_print(sl_session *s, const exec_stmt *st, sl_error *err);
bool exec_is_pull(const sl_bound_stmt *b);
sl_status exec_pull(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_copy(sl_session *s, const exec_stmt *st, sl_error *err);

/* Queries (exec_query.c). */
sl_status exec_query(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_explain(sl_session *s, const exec_stmt *st, sl_error *err);
sl_status exec_terminate(sl_session *s, const exec_stmt *st,
                         sl_error *err);
sl_status session_runtime(sl_session *s, struct sl_runtime **out,
                          sl_error *err);
/* Waits until the persistent queries of this session writing any of the
 * objects names (every query when names is NULL), or writing topic,
 * have finished; returns the first failure among them. */
sl_status session_wait_writers(sl_session *s, const char *const *names,
                               int nnames, sl_error *err);
sl_status session_wait_topic_writers(sl_session *s, const char *topic,
                                     sl_error *err);
void session_stop_queries(sl_session *s);
sl_status exec_persistent(sl_session *s, const exec_stmt *st,
                          sl_error *err);
sl_status session_resume_queries(sl_session *s, sl_error *err);
bool session_query_counters(sl_session *s, const char *id,
                            sl_catalog_counters *out);

/* Models (exec_model.c): train a version after CREATE MODEL has been
 * recorded (outcome tells whether the statement created, updated or left
 * the model alone), and EVALUATE. */
sl_status exec_model_train(sl_session *s, const exec_stmt *st,
                           sl_catalog_outcome outcome, sl_error *err);
sl_status exec_evaluate(sl_session *s, const exec_stmt *st, sl_error *err);

/* Frees a query (stopping it and waiting for it first) so that the
 * observers never see it freed (session.c). */
void session_free_query(sl_session *s, struct sl_query *q);

/* Shared helpers (session.c). */
sl_status session_admin(sl_session *s, sl_kafka_admin **out, sl_error *err);
sl_status session_producer(sl_session *s, sl_kafka_producer **out,
                           sl_error *err);
const char *session_property_get(const sl_session *s, const char *name);

/* Tables WITH (topic=...): start following, find, stop, and wait until a
 * table reflects its topic (a no-op for a table without a topic). */
sl_status session_follow(sl_session *s, const sl_catalog_object *table,
                         sl_error *err);
sl_table_follower *session_follower(sl_session *s, const char *table);
void session_unfollow(sl_session *s, const char *table);
sl_status session_sync_table(sl_session *s, const char *table,
                             sl_error *err);

/* Writes a statement that changes the deployment to the command topic. */
sl_status session_record_command(sl_session *s, const exec_stmt *st,
                                 sl_error *err);

/* True when the running statement should end early. */
static inline bool session_interrupted(const sl_session *s) {
  return s->stop_requested || s->cancel_requested;
}

/* Fails at the statement's position with a formatted message. */
sl_status exec_fail(const exec_stmt *st, sl_error *err, const char *fmt, ...)
    SL_PRINTF(3, 4);

/* Gives a runtime error without a SQL location the statement's position,
 * so that the user sees which statement failed. */
sl_status exec_locate(const exec_stmt *st, sl_error *err);

#endif
