/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_query.c - statements that run queries on the engine runtime:
 * transient SELECTs over streams, persistent queries (CREATE STREAM AS,
 * CREATE TABLE AS, CREATE TRAINING SET, INSERT INTO ... SELECT), EXPLAIN
 * and TERMINATE, and waiting for the queries of a session.
 *
 * A transient query's rows come back through a callback sink and are
 * printed by the session's output; the statement ends when the query
 * does (bounded, LIMIT reached, or stopped by the user).  A persistent
 * query is recorded in the catalog under its id and keeps running while
 * later statements execute; in a bounded run a statement that reads what
 * such a query writes first waits for it to finish.
 */
#include "engine/exec/session_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/exec/predict.h"
#include "engine/ops/sink_table.h"
#include "engine/plan/plan.h"
#include "engine/runtime/runtime.h"
#include "engine/types/strbuf.h"
#include "parser/bind.h"

/* How often a waiting statement looks for a stop request. */
#define QUERY_WAIT_SLICE_MS 200

/* A duration property (SET 'idle.timeout' = '30 s') in milliseconds; 0
 * when unset (the binder has checked the text). */
static int64_t session_duration_ms(const sl_session *s, const char *name) {
  const char *v = session_property_get(s, name);
  int64_t ms = 0;
  if (v && !sl_parse_duration_ms(v, &ms))
    ms = 0;
  return ms;
}

/* SET 'sluice.threads', or 0 for the cores.  Read when the runtime
 * starts, with the session's first query. */
static int session_threads(const sl_session *s) {
  const char *v = session_property_get(s, "sluice.threads");
  return v ? atoi(v) : 0;
}

sl_status session_runtime(sl_session *s, sl_runtime **out, sl_error *err) {
  if (!s->runtime) {
    /* One provider serves the session's streaming queries: a model
     * version is loaded once and shared by every query scoring with it. */
    const char *log = session_property_get(s, "prediction.log");
    sl_predict_options popts = {
        .catalog = s->catalog,
        .functions = s->functions,
        .log = log && (strcmp(log, "on") == 0 || strcmp(log, "true") == 0),
    };
    sl_predict *predict = s->predict;
    if (!predict && sl_predict_new(&popts, &predict, err))
      return err->code;
    pthread_mutex_lock(&s->observe_lock); /* the observers read both */
    s->predict = predict;
    pthread_mutex_unlock(&s->observe_lock);
    sl_runtime_config cfg = {
        .predict = sl_predict_bind,
        .predict_arg = s->predict,
        .kafka = s->kafka,
        .catalog = s->catalog,
        .service = s->service,
        .threads = session_threads(s),
        .commit_interval_ms = session_duration_ms(s, "checkpoint.interval"),
        .auto_offset_reset = session_property_get(s, "auto.offset.reset"),
    };
    sl_runtime *rt = NULL;
    if (sl_runtime_new(&cfg, &rt, err))
      return err->code;
    pthread_mutex_lock(&s->observe_lock);
    s->runtime = rt;
    pthread_mutex_unlock(&s->observe_lock);
  }
  *out = s->runtime;
  return SL_OK;
}

/* ---- transient queries --------------------------------------------------- */

typedef struct transient_rows {
  sl_session *session;
  pthread_mutex_t lock; /* tasks may deliver rows concurrently */
  sl_value *row;
  int ncols;            /* the query's columns */
  bool op;              /* a last column op: '-' on withdrawals, else '+' */
} transient_rows;

static sl_status transient_sink(void *ud, const sl_batch *batch, int ncols,
                                sl_error *err) {
  transient_rows *t = ud;
  sl_status rc = SL_OK;
  pthread_mutex_lock(&t->lock);
  for (int r = 0; r < batch->nrows && rc == SL_OK; r++) {
    if (batch->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    for (int c = 0; c < ncols && c < t->ncols; c++)
      t->row[c] = batch->cols[c][r];
    if (t->op)
      t->row[t->ncols] =
          sl_value_varchar(batch->rows[r].withdrawal ? "-" : "+", 1);
    rc = sl_output_row(t->session->output, t->row, err);
  }
  pthread_mutex_unlock(&t->lock);
  return rc;
}

/* Waits for q, stopping it when the session is asked to stop; rows, when
 * given, are a transient query's printer, ticked between waits. */
static sl_status query_wait(sl_session *s, sl_query *q,
                            transient_rows *rows, sl_error *err) {
  for (;;) {
    bool ended = false;
    if (sl_query_wait(q, QUERY_WAIT_SLICE_MS, &ended, err))
      return err->code;
    if (ended)
      return SL_OK;
    if (rows) {
      pthread_mutex_lock(&rows->lock);
      sl_output_tick(s->output);
      pthread_mutex_unlock(&rows->lock);
    }
    if (session_interrupted(s))
      sl_query_stop(q);
  }
}

static sl_status time_rel(sl_arena *arena, sl_rel *r, sl_error *err);
static void mark_rel(sl_rel *r, int log, const char *query, int *marked);

static sl_status run_transient(sl_session *s, const exec_stmt *st,
                               sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  const sl_rel *top = b->query;
  sl_runtime *rt;
  if (session_runtime(s, &rt, err))
    return exec_locate(st, err);

  transient_rows rows = {.session = s, .ncols = top->ncolumns};
  pthread_mutex_init(&rows.lock, NULL);
  /* One more: the op column of a query whose rows may withdraw. */
  rows.row = calloc((size_t)top->ncolumns + 2, sizeof(*rows.row));
  const char **names = calloc((size_t)top->ncolumns + 2, sizeof(*names));
  const sl_type **types = calloc((size_t)top->ncolumns + 2, sizeof(*types));
  sl_status rc = (rows.row && names && types)
                     ? SL_OK
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int c = 0; rc == SL_OK && c < top->ncolumns; c++) {
    names[c] = top->columns[c].name;
    types[c] = top->columns[c].type;
  }

  /* Should the session's provider log these predictions, they are
   * logged at the event time of the rows over a stream. */
  sl_arena arena;
  sl_arena_init(&arena, 0);
  if (rc == SL_OK)
    rc = time_rel(&arena, b->query, err);

  /* Its PREDICT calls are counted under its id (predict.h); the id is
   * kept only for a query that has some. */
  char id[64];
  sl_runtime_transient_id(rt, id, sizeof(id));
  int npredict = 0;
  if (rc == SL_OK)
    mark_rel(b->query, 0, NULL, &npredict);
  if (rc == SL_OK && npredict > 0) {
    const char *kept = sl_predict_keep(s->predict, id);
    if (!kept)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    else
      mark_rel(b->query, 0, kept, &npredict);
  }

  sl_plan *plan = NULL;
  sl_query *q = NULL;
  if (rc == SL_OK) {
    /* A SELECT without EMIT is a bounded scan of what the topic holds. */
    sl_plan_request req = {
        .query = top,
        .query_id = id,
        .persistent = false,
        .bounded = s->opts.bounded || b->emit == SL_EMIT_DEFAULT,
        .file = st->file,
        .catalog = s->catalog,
        .service = s->service,
        .idle_timeout_ms = session_duration_ms(s, "idle.timeout"),
        .max_task_idle_ms = session_duration_ms(s, "max.task.idle"),
        .limit = b->limit,
        .sink = SL_PLAN_SINK_CALLBACK,
        .fn = transient_sink,
        .ud = &rows,
    };
    rc = sl_plan_build(&req, &plan, err);
  }
  /* Rows that withdraw earlier ones (merged sessions) are told from the
   * rows added by a last column, op: '-' or '+'. */
  if (rc == SL_OK && plan->withdrawals) {
    names[top->ncolumns] = "op";
    types[top->ncolumns] = sl_type_varchar();
    rows.op = true;
  }
  if (rc == SL_OK)
    rc = sl_output_begin(s->output, top->ncolumns + rows.op, names, types,
                         err);
  if (rc == SL_OK && s->opts.live_status)
    sl_output_live(s->output, s->notices);
  if (rc == SL_OK) {
    rc = sl_query_start(rt, plan, &q, err);
    plan = NULL; /* the query took it over, also on failure */
  }
  if (rc == SL_OK)
    rc = query_wait(s, q, &rows, err);
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  if (rc)
    exec_locate(st, err);

  /* Rows that failed are not among those printed: say where they went. */
  if (q) {
    sl_query_stats stats;
    sl_query_get_stats(q, &stats);
    if (stats.dead_lettered > 0)
      SL_WARN("query", "%s:%d: %lld records failed and went to the "
              "dead-letter topic", st->file, b->pos.line,
              (long long)stats.dead_lettered);
    if (stats.skipped > 0)
      SL_WARN("query", "%s:%d: %lld records failed and were skipped",
              st->file, b->pos.line, (long long)stats.skipped);
  }
  session_free_query(s, q);
  sl_plan_free(plan);
  sl_arena_destroy(&arena);
  pthread_mutex_destroy(&rows.lock);
  free(rows.row);
  free(names);
  free(types);
  return rc;
}

/* ---- persistent queries -------------------------------------------------- */

/* The id of an INSERT INTO query: the same statement keeps its id across
 * runs; a new one takes the next number for its sink. */
static sl_status insert_query_id(sl_session *s, const sl_bound_stmt *b,
                                 char *id, size_t size, sl_error *err) {
  sl_catalog_query **qs = NULL;
  int n = 0;
  if (sl_catalog_query_list(s->catalog, &qs, &n, err))
    return err->code;
  char prefix[256];
  snprintf(prefix, sizeof(prefix), "%s_insert_", b->name);
  int highest = 0;
  id[0] = '\0';
  for (int i = 0; i < n; i++) {
    if (strncmp(qs[i]->id, prefix, strlen(prefix)) != 0)
      continue;
    int k = atoi(qs[i]->id + strlen(prefix));
    if (k > highest)
      highest = k;
    if (qs[i]->sql && b->sql && strcmp(qs[i]->sql, b->sql) == 0)
      snprintf(id, size, "%s", qs[i]->id);
  }
  sl_catalog_query_list_free(qs, n);
  if (!id[0])
    snprintf(id, size, "%s%d", prefix, highest + 1);
  return SL_OK;
}

static sl_status record_query(sl_session *s, const sl_bound_stmt *b,
                              const char *id, sl_error *err) {
  sl_catalog_query *cq = sl_catalog_query_new(id, b->sql, b->name);
  if (!cq)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = SL_OK;
  for (int i = 0; i < b->ndeps && rc == SL_OK; i++)
    rc = sl_catalog_query_add_dep(cq, b->deps[i], err);
  for (int i = 0; i < b->nfunction_deps && rc == SL_OK; i++)
    rc = sl_catalog_query_add_function_dep(cq, b->function_deps[i], err);
  sl_catalog_outcome outcome;
  if (rc == SL_OK)
    rc = sl_catalog_query_create(s->catalog, cq, &outcome, err);
  if (rc == SL_OK)
    rc = sl_catalog_query_set_state(s->catalog, id, SL_QUERY_RUNNING, NULL,
                                    err);
  sl_catalog_query_free(cq);
  return rc;
}

/* Keeps q among the session's queries with where its statement was
 * written ("FILE:LINE"), for the report of its failed records. */
static sl_status session_add_query(sl_session *s, sl_query *q,
                                   const char *file, int line,
                                   sl_error *err) {
  if (s->nqueries == SESSION_MAX_QUERIES)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "too many persistent queries in one process "
                        "(at most %d)", SESSION_MAX_QUERIES);
  char where[400];
  snprintf(where, sizeof(where), "%s:%d", file, line);
  char *kept = strdup(where);
  if (!kept)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  s->query_where[s->nqueries] = kept;
  s->queries[s->nqueries++] = q;
  return SL_OK;
}

static void query_finished(sl_session *s, int i);

/* Stops and frees the session's i-th query; the last one takes its
 * place. */
static void session_remove_query(sl_session *s, int i) {
  session_free_query(s, s->queries[i]);
  free(s->query_where[i]);
  s->nqueries--;
  s->queries[i] = s->queries[s->nqueries];
  s->query_where[i] = s->query_where[s->nqueries];
  s->queries[s->nqueries] = NULL;
  s->query_where[s->nqueries] = NULL;
}

/* The catalog setting that keeps a generated depersonalization key. */
#define SECRET_SETTING "depersonalize.secret"

/* Reads the key in path: the file's bytes without a final line end. */
static sl_status read_secret_file(const char *path, char **out, size_t *len,
                                  sl_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return sl_error_set(err, SL_ERR_IO, "cannot read the secret file %s: %s",
                        path, strerror(errno));
  sl_strbuf sb;
  sl_strbuf_init(&sb);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    sl_strbuf_append(&sb, buf, n);
  bool failed = ferror(f) != 0;
  fclose(f);
  size_t used = sb.data ? sb.len : 0;
  while (used > 0 && (sb.data[used - 1] == '\n' || sb.data[used - 1] == '\r'))
    used--;
  if (failed || used == 0) {
    sl_strbuf_free(&sb);
    return sl_error_set(err, SL_ERR_IO, "the secret file %s is %s", path,
                        failed ? "unreadable" : "empty");
  }
  char *key = malloc(used + 1);
  if (!key) {
    sl_strbuf_free(&sb);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  memcpy(key, sb.data, used);
  key[used] = '\0';
  sl_strbuf_free(&sb);
  *out = key;
  *len = used;
  return SL_OK;
}

/* The key of depersonalized columns: --secret-file, else SLUICE_SECRET,
 * else the one kept in the catalog, generated the first time.  *out is
 * malloc'd. */
static sl_status training_set_secret(sl_session *s, char **out, size_t *len,
                                     sl_error *err) {
  if (s->opts.secret_file)
    return read_secret_file(s->opts.secret_file, out, len, err);
  const char *env = getenv("SLUICE_SECRET");
  if (env && *env) {
    *out = strdup(env);
    *len = strlen(env);
    return *out ? SL_OK : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  char *kept = NULL;
  if (sl_catalog_setting_get(s->catalog, SECRET_SETTING, &kept, err))
    return err->code;
  if (!kept) {
    char hex[SL_SINK_TABLE_HASH_HEX + 1];
    if (sl_sink_table_new_secret(hex, err) ||
        sl_catalog_setting_set(s->catalog, SECRET_SETTING, hex, err))
      return err->code;
    SL_INFO("query", "generated the key for depersonalized columns (kept "
            "in the catalog; set SLUICE_SECRET or --secret-file to share "
            "one between catalogs)");
    kept = strdup(hex);
    if (!kept)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  *out = kept;
  *len = strlen(kept);
  return SL_OK;
}

/* ---- WITH (prediction_log) ---------------------------------------------- */

/* Writes a query's prediction_log choice and its id into the PREDICT
 * nodes of its expressions (see predict.h), counting them in *marked. */
static void mark_exprs(sl_bexpr **es, int n, int log, const char *query,
                       int *marked) {
  for (int i = 0; es && i < n; i++) {
    sl_bexpr *e = es[i];
    if (!e)
      continue;
    if (e->kind == SL_BEXPR_PREDICT) {
      e->u.predict.log = log;
      e->u.predict.query_id = query;
      (*marked)++;
    }
    mark_exprs(e->args, e->nargs, log, query, marked);
  }
}

static void mark_rel(sl_rel *r, int log, const char *query, int *marked) {
  if (!r)
    return;
  switch (r->kind) {
  case SL_REL_SCAN:
    mark_exprs(&r->u.scan.check, 1, log, query, marked);
    break;
  case SL_REL_VALUES:
    for (int i = 0; i < r->u.values.nrows; i++)
      mark_exprs(r->u.values.rows[i], r->ncolumns, log, query, marked);
    break;
  case SL_REL_FILTER:
    mark_exprs(&r->u.filter.predicate, 1, log, query, marked);
    break;
  case SL_REL_PROJECT:
    mark_exprs(r->u.project.exprs, r->u.project.nexprs, log, query, marked);
    break;
  case SL_REL_JOIN:
    mark_rel(r->u.join.left, log, query, marked);
    mark_rel(r->u.join.right, log, query, marked);
    mark_exprs(&r->u.join.condition, 1, log, query, marked);
    mark_exprs(r->u.join.left_keys, r->u.join.nkeys, log, query, marked);
    mark_exprs(r->u.join.right_keys, r->u.join.nkeys, log, query, marked);
    mark_exprs(&r->u.join.as_of, 1, log, query, marked);
    break;
  case SL_REL_AGGREGATE:
    mark_exprs(r->u.aggregate.group_by, r->u.aggregate.ngroup, log, query,
               marked);
    for (int i = 0; i < r->u.aggregate.naggs; i++)
      mark_exprs(r->u.aggregate.aggs[i].args, r->u.aggregate.aggs[i].nargs,
                 log, query, marked);
    break;
  case SL_REL_OVER:
    for (int i = 0; i < r->u.over.ncalls; i++) {
      sl_over_call *c = &r->u.over.calls[i];
      mark_exprs(c->agg.args, c->agg.nargs, log, query, marked);
      mark_exprs(&c->lag_default, 1, log, query, marked);
      mark_exprs(c->partition_by, c->npartition, log, query, marked);
      mark_exprs(c->order_by, c->norder, log, query, marked);
    }
    break;
  case SL_REL_UNION:
    for (int i = 0; i < r->u.union_.ninputs; i++)
      mark_rel(r->u.union_.inputs[i], log, query, marked);
    break;
  default:
    break;
  }
  mark_rel(r->input, log, query, marked);
}

/* Appends the row's event time (column `time` of the input, a
 * TIMESTAMP) as the trailing argument of each PREDICT node in es, so
 * that the prediction log records when the scored event happened rather
 * than when it was scored (see predict.h).  New nodes come from arena. */
static sl_status time_exprs(sl_arena *arena, sl_bexpr **es, int n,
                            int time, sl_type *type, sl_error *err) {
  for (int i = 0; es && i < n; i++) {
    sl_bexpr *e = es[i];
    if (!e)
      continue;
    if (time_exprs(arena, e->args, e->nargs, time, type, err))
      return err->code;
    if (e->kind != SL_BEXPR_PREDICT)
      continue;
    sl_bexpr **args = sl_arena_calloc(arena, (size_t)e->nargs + 1,
                                      sizeof(*args));
    sl_bexpr *col = sl_arena_calloc(arena, 1, sizeof(*col));
    if (!args || !col)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    col->kind = SL_BEXPR_COLUMN;
    col->type = type;
    col->pos = e->pos;
    col->u.column = time;
    for (int k = 0; k < e->nargs; k++)
      args[k] = e->args[k];
    args[e->nargs] = col;
    e->args = args;
    e->nargs++;
  }
  return SL_OK;
}

/* The event time for the PREDICT calls of a query over a stream: those
 * of its projections and filters, whose input rows carry it. */
static sl_status time_rel(sl_arena *arena, sl_rel *r, sl_error *err) {
  if (!r)
    return SL_OK;
  const sl_rel *in = r->input;
  bool timed = in && in->nature == SL_NATURE_STREAM &&
               in->event_time >= 0 && in->event_time < in->ncolumns &&
               in->columns[in->event_time].type->kind == SL_TYPE_TIMESTAMP;
  sl_type *type = timed ? in->columns[in->event_time].type : NULL;
  sl_status rc = SL_OK;
  if (timed && r->kind == SL_REL_PROJECT)
    rc = time_exprs(arena, r->u.project.exprs, r->u.project.nexprs,
                    in->event_time, type, err);
  else if (timed && r->kind == SL_REL_FILTER)
    rc = time_exprs(arena, &r->u.filter.predicate, 1, in->event_time, type,
                    err);
  else if (r->kind == SL_REL_JOIN) {
    rc = time_rel(arena, r->u.join.left, err);
    if (rc == SL_OK)
      rc = time_rel(arena, r->u.join.right, err);
  } else if (r->kind == SL_REL_UNION) {
    for (int i = 0; i < r->u.union_.ninputs && rc == SL_OK; i++)
      rc = time_rel(arena, r->u.union_.inputs[i], err);
  }
  if (rc)
    return rc;
  return time_rel(arena, r->input, err);
}

/* Gives a persistent query's PREDICT calls its logging choice, logged
 * under the query id: WITH (prediction_log=...) when written, else the
 * prediction.log property as it is when the query starts.  Logged calls
 * over a stream also get the row's event time, from nodes in arena. */
static sl_status apply_prediction_log(sl_session *s, const sl_bound_stmt *b,
                                      const char *id, sl_arena *arena,
                                      sl_error *err) {
  const sl_bound_option *o = sl_bound_option_get(b, "prediction_log");
  bool on;
  if (o && !o->defaulted) {
    on = o->number != 0;
  } else {
    const char *prop = session_property_get(s, "prediction.log");
    on = prop && (strcmp(prop, "on") == 0 || strcmp(prop, "true") == 0);
  }
  const char *kept = sl_predict_keep(s->predict, id);
  if (!kept)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  int marked = 0;
  mark_rel(b->query, on ? 1 : -1, kept, &marked);
  return on ? time_rel(arena, b->query, err) : SL_OK;
}

sl_status exec_persistent(sl_session *s, const exec_stmt *st,
                          sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  char id[300];
  if (b->kind == SL_BSTMT_INSERT_QUERY) {
    if (insert_query_id(s, b, id, sizeof(id), err))
      return exec_locate(st, err);
  } else {
    snprintf(id, sizeof(id), "%s", b->name);
  }

  /* Re-running a statement: a query of this id still running here is
   * the same query, so this is a no-op.  One that has ended (a bounded
   * run read to its end offsets) is released and starts again from the
   * offsets it committed: it reads only what arrived since. */
  for (int i = 0; i < s->nqueries; i++) {
    if (strcmp(sl_query_id(s->queries[i]), id) != 0)
      continue;
    if (sl_query_get_status(s->queries[i]) == SL_QUERY_STATUS_RUNNING)
      return SL_OK;
    query_finished(s, i);
    session_remove_query(s, i);
    break;
  }

  sl_catalog_object *sink = NULL;
  sl_runtime *rt;
  if (sl_catalog_get(s->catalog, b->name, &sink, err) ||
      session_runtime(s, &rt, err))
    return exec_locate(st, err);
  if (!sink)
    return exec_fail(st, err, "unknown stream \"%s\"", b->name);

  /* A training set's rows go to its SQLite table, depersonalized columns
   * hashed with the instance's key. */
  bool training = sink->kind == SL_CATALOG_TRAINING_SET;
  char *secret = NULL;
  size_t secret_len = 0;
  if (training && sl_catalog_object_option(sink, "depersonalize") &&
      training_set_secret(s, &secret, &secret_len, err)) {
    sl_catalog_object_free(sink);
    return exec_locate(st, err);
  }

  sl_plan *plan = NULL;
  sl_query *q = NULL;
  sl_plan_request req = {
      .query = b->query,
      .query_id = id,
      .persistent = true,
      .bounded = s->opts.bounded,
      .file = st->file,
      .catalog = s->catalog,
      .service = s->service,
      .idle_timeout_ms = session_duration_ms(s, "idle.timeout"),
      .max_task_idle_ms = session_duration_ms(s, "max.task.idle"),
      .limit = -1,
      .sink = training ? SL_PLAN_SINK_TABLE : SL_PLAN_SINK_STREAM,
      .stream = sink,
      .partitions = -1,
      .replicas = -1,
      .secret = secret,
      .secret_len = secret_len,
  };
  for (int i = 0; i < b->noptions; i++) {
    if (strcmp(b->options[i].name, "partitions") == 0)
      req.partitions = (int)b->options[i].number;
    if (strcmp(b->options[i].name, "replicas") == 0)
      req.replicas = (int)b->options[i].number;
  }

  /* The bound statement is this execution's own, so its PREDICT nodes
   * may take the query's logging choice.  The plan copies the nodes, so
   * those added here live only until it is built. */
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_status rc = apply_prediction_log(s, b, id, &arena, err);
  if (rc == SL_OK)
    rc = sl_plan_build(&req, &plan, err);
  if (rc == SL_OK)
    rc = record_query(s, b, id, err);
  if (rc == SL_OK) {
    rc = sl_query_start(rt, plan, &q, err);
    plan = NULL;
  }
  bool added = false;
  if (rc == SL_OK)
    added = (rc = session_add_query(s, q, st->file, b->pos.line, err)) ==
            SL_OK;
  /* A table's rows come from its changelog topic, which the query writes;
   * the table follows that topic so that pull queries and lookups see
   * them. */
  if (rc == SL_OK && sink->kind == SL_CATALOG_TABLE)
    rc = session_follow(s, sink, err);
  if (rc == SL_OK)
    SL_INFO("query", "query %s started", id);
  else {
    /* The session must not keep a query it is about to free. */
    if (added)
      session_remove_query(s, s->nqueries - 1);
    else
      session_free_query(s, q);
    exec_locate(st, err);
  }
  sl_plan_free(plan);
  sl_arena_destroy(&arena);
  sl_catalog_object_free(sink);
  if (secret)
    memset(secret, 0, secret_len);
  free(secret);
  return rc;
}

/* A query's counters as the catalog keeps them. */
static void query_counters(const sl_query *q, sl_catalog_counters *out) {
  sl_query_stats st;
  sl_query_get_stats(q, &st);
  out->records_in = st.records_in;
  out->records_out = st.records_out;
  out->records_failed = st.records_failed;
  out->records_late = st.records_late;
}

/* The live counters of a query running in this session, if it does. */
bool session_query_counters(sl_session *s, const char *id,
                            sl_catalog_counters *out) {
  for (int i = 0; i < s->nqueries; i++) {
    if (strcmp(sl_query_id(s->queries[i]), id) == 0) {
      query_counters(s->queries[i], out);
      return true;
    }
  }
  return false;
}

/* At the end of a bounded run, says once per query where the records
 * that failed went, as a transient query does for its own. */
static void report_failures(sl_session *s, int i) {
  if (!s->opts.bounded || !s->query_where[i])
    return;
  sl_query_stats stats;
  sl_query_get_stats(s->queries[i], &stats);
  if (stats.dead_lettered > 0)
    SL_WARN("query", "%s: %lld records failed and went to the dead-letter "
            "topic", s->query_where[i], (long long)stats.dead_lettered);
  if (stats.skipped > 0)
    SL_WARN("query", "%s: %lld records failed and were skipped",
            s->query_where[i], (long long)stats.skipped);
  free(s->query_where[i]);
  s->query_where[i] = NULL;
}

/* Records how the session's i-th query ended in the catalog. */
static void query_finished(sl_session *s, int i) {
  sl_query *q = s->queries[i];
  report_failures(s, i);
  sl_error qerr;
  sl_error_clear(&qerr);
  sl_catalog_counters counters;
  query_counters(q, &counters);
  sl_error perr;
  if (sl_catalog_query_save_progress(s->catalog, sl_query_id(q), NULL, 0,
                                     &counters, &perr))
    SL_WARN("query", "cannot record the counters of %s: %s",
            sl_query_id(q), perr.message);
  sl_query_status status = sl_query_get_status(q);
  const char *message = NULL;
  char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
  if (status == SL_QUERY_STATUS_FAILED &&
      sl_query_wait(q, 0, NULL, &qerr) != SL_OK)
    message = sl_error_format(&qerr, buf, sizeof(buf));
  sl_catalog_query_state state =
      status == SL_QUERY_STATUS_FAILED ? SL_QUERY_FAILED
      : status == SL_QUERY_STATUS_STOPPED && !s->opts.bounded
          ? SL_QUERY_RUNNING /* resumes when the catalog opens again */
          : SL_QUERY_TERMINATED;
  sl_error err;
  if (sl_catalog_query_set_state(s->catalog, sl_query_id(q), state, message,
                                 &err))
    SL_WARN("query", "cannot record the state of %s: %s", sl_query_id(q),
            err.message);
}

/* Waits until the queries writing any of names (or, with topic, the
 * topic; with neither, every query) have finished.  Returns the first
 * failure. */
static sl_status wait_writers(sl_session *s, const char *const *names,
                              int nnames, const char *topic,
                              sl_error *err) {
  sl_status rc = SL_OK;
  for (int i = 0; i < s->nqueries; i++) {
    sl_query *q = s->queries[i];
    const sl_plan *plan = sl_query_plan(q);
    const sl_pnode *root = plan ? plan->root : NULL;
    /* A training set's query never ends in an unbounded run: what reads
     * it there reads the rows committed so far. */
    const char *sink = !root ? NULL
                       : root->kind == SL_PNODE_SINK_KAFKA
                           ? root->u.sink.stream
                       : root->kind == SL_PNODE_SINK_TABLE &&
                               s->opts.bounded
                           ? root->u.table.name
                           : NULL;
    bool wanted = names == NULL && !topic;
    for (int k = 0; k < nnames && !wanted && sink; k++)
      wanted = strcmp(names[k], sink) == 0;
    if (topic && root && root->kind == SL_PNODE_SINK_KAFKA)
      wanted = strcmp(root->u.sink.topic, topic) == 0;
    if (!wanted)
      continue;
    sl_error qerr;
    sl_error_clear(&qerr);
    if (query_wait(s, q, NULL, &qerr) && rc == SL_OK) {
      *err = qerr;
      rc = qerr.code;
    }
    query_finished(s, i);
  }
  return rc;
}

sl_status session_wait_writers(sl_session *s, const char *const *names,
                               int nnames, sl_error *err) {
  return wait_writers(s, names, nnames, NULL, err);
}

sl_status session_wait_topic_writers(sl_session *s, const char *topic,
                                     sl_error *err) {
  return wait_writers(s, NULL, 0, topic, err);
}

/* ---- EXPLAIN and TERMINATE ----------------------------------------------- */

/* A plan reads as indented text; only JSON output wraps it in a row. */
static sl_status print_text(sl_session *s, const char *text, sl_error *err) {
  if (s->opts.output != SL_OUTPUT_JSON) {
    fputs(text, s->out);
    fflush(s->out);
    return SL_OK;
  }
  static const char *const names[] = {"plan"};
  const sl_type *types[] = {sl_type_varchar()};
  sl_value v = sl_value_varchar(text, strlen(text));
  if (sl_output_begin(s->output, 1, names, types, err) ||
      sl_output_row(s->output, &v, err))
    return err->code;
  return sl_output_end(s->output, err);
}

sl_status exec_explain(sl_session *s, const exec_stmt *st, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  sl_strbuf out;
  sl_strbuf_init(&out);
  sl_status rc = SL_OK;

  if (!b->explained) {
    sl_query *q = NULL;
    for (int i = 0; i < s->nqueries && !q; i++) {
      if (strcmp(sl_query_id(s->queries[i]), b->name) == 0)
        q = s->queries[i];
    }
    if (!q)
      return exec_fail(st, err, "no query \"%s\" runs in this process",
                       b->name);
    rc = sl_query_explain(q, &out);
  } else {
    const sl_bound_stmt *e = b->explained;
    if (!e->query) {
      sl_strbuf_free(&out);
      return exec_fail(st, err, "EXPLAIN shows the plan of a query; this "
                       "statement has none");
    }
    sl_catalog_object *sink = NULL;
    if (e->kind != SL_BSTMT_QUERY &&
        sl_catalog_get(s->catalog, e->name, &sink, err)) {
      sl_strbuf_free(&out);
      return exec_locate(st, err);
    }
    sl_plan_request req = {
        .query = e->query,
        .query_id = e->name ? e->name : "transient",
        .persistent = e->kind != SL_BSTMT_QUERY,
        .bounded = s->opts.bounded,
        .file = st->file,
        .catalog = s->catalog,
        .service = s->service,
        .idle_timeout_ms = session_duration_ms(s, "idle.timeout"),
        .limit = e->limit,
        .sink = sink ? SL_PLAN_SINK_STREAM : SL_PLAN_SINK_CALLBACK,
        .stream = sink,
        .partitions = -1,
        .replicas = -1,
        .fn = transient_sink,
    };
    sl_plan *plan = NULL;
    rc = sl_plan_build(&req, &plan, err);
    if (rc == SL_OK)
      rc = sl_plan_explain(plan, NULL, NULL, &out);
    sl_plan_free(plan);
    sl_catalog_object_free(sink);
  }
  if (rc == SL_OK)
    rc = print_text(s, out.data ? out.data : "", err);
  if (rc)
    exec_locate(st, err);
  sl_strbuf_free(&out);
  return rc;
}

sl_status exec_terminate(sl_session *s, const exec_stmt *st,
                         sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  bool found = false;
  for (int i = 0; i < s->nqueries; i++) {
    sl_query *q = s->queries[i];
    if (!b->all && strcmp(sl_query_id(q), b->name) != 0)
      continue;
    found = true;
    sl_query_stop(q);
    bool ended;
    sl_error qerr;
    sl_query_wait(q, -1, &ended, &qerr);
    if (sl_catalog_query_set_state(s->catalog, sl_query_id(q),
                                   SL_QUERY_TERMINATED, NULL, err))
      return exec_locate(st, err);
    SL_INFO("query", "query %s terminated", sl_query_id(q));
    session_remove_query(s, i--);
  }
  if (!found && !b->all) {
    /* A query recorded as running but not started here (another
     * instance, or a previous run) is marked terminated. */
    sl_catalog_query *cq = NULL;
    if (sl_catalog_query_get(s->catalog, b->name, &cq, err))
      return exec_locate(st, err);
    if (!cq)
      return exec_fail(st, err, "unknown query \"%s\"", b->name);
    sl_catalog_query_free(cq);
    if (sl_catalog_query_set_state(s->catalog, b->name, SL_QUERY_TERMINATED,
                                   NULL, err))
      return exec_locate(st, err);
  }
  return SL_OK;
}

/* ---- the session's end --------------------------------------------------- */

sl_status sl_session_wait(sl_session *s, sl_error *err) {
  sl_status rc = SL_OK;
  if (s->opts.bounded) {
    rc = session_wait_writers(s, NULL, 0, err);
  } else if (s->nqueries > 0) {
    SL_INFO("session", "%d persistent quer%s running; stop with SIGINT or "
            "SIGTERM", s->nqueries, s->nqueries == 1 ? "y" : "ies");
    while (!s->stop_requested) {
      bool any = false;
      for (int i = 0; i < s->nqueries; i++)
        any |= sl_query_get_status(s->queries[i]) ==
               SL_QUERY_STATUS_RUNNING;
      if (!any)
        break;
      struct timespec ts = {0, QUERY_WAIT_SLICE_MS * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  session_stop_queries(s);
  return rc;
}

void session_stop_queries(sl_session *s) {
  for (int i = 0; i < s->nqueries; i++)
    sl_query_stop(s->queries[i]);
  for (int i = 0; i < s->nqueries; i++) {
    bool ended;
    sl_error qerr;
    sl_query_wait(s->queries[i], -1, &ended, &qerr);
    query_finished(s, i);
  }
  while (s->nqueries > 0)
    session_remove_query(s, s->nqueries - 1);
}

sl_status exec_query(sl_session *s, const exec_stmt *st, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  /* Only a bounded run waits for the queries writing what this one reads:
   * unbounded, they never end, and this query reads their output live. */
  if (s->opts.bounded && b->ndeps > 0 &&
      session_wait_writers(s, b->deps, b->ndeps, err))
    return exec_locate(st, err);
  for (int i = 0; i < b->ndeps; i++) {
    if (session_sync_table(s, b->deps[i], err))
      return exec_locate(st, err);
  }
  if (b->kind == SL_BSTMT_QUERY)
    return exec_is_pull(b) ? exec_pull(s, st, err)
                           : run_transient(s, st, err);
  return exec_persistent(s, st, err);
}

/* ---- resuming after a restart -------------------------------------------- */

/* Starts one query recorded as running: its statement is bound again
 * against the catalog as it is now. */
static sl_status resume_query(sl_session *s, const sl_catalog_query *cq,
                              sl_error *err) {
  sl_parse_options popts = {s->opts.vars, s->opts.nvars};
  sl_parse_result *parse = NULL;
  char file[300];
  snprintf(file, sizeof(file), "query %s", cq->id);
  if (sl_parse_statement(file, cq->sql, &popts, &parse, err))
    return err->code;

  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, s->catalog, s->functions, parse);
  sl_bound_stmt *bound = NULL;
  sl_status rc = sl_bind_stmt(&ctx, parse->stmts[0], &bound, err);
  if (rc == SL_OK && bound->query) {
    exec_stmt st = {bound, file};
    rc = exec_persistent(s, &st, err);
  }
  sl_bound_stmt_free(bound);
  sl_parse_result_free(parse);
  return rc;
}

sl_status session_resume_queries(sl_session *s, sl_error *err) {
  sl_catalog_query **qs = NULL;
  int n = 0;
  if (sl_catalog_query_list(s->catalog, &qs, &n, err))
    return err->code;
  sl_status rc = SL_OK;
  for (int i = 0; i < n && rc == SL_OK; i++) {
    if (qs[i]->state != SL_QUERY_RUNNING || !qs[i]->sql)
      continue;
    SL_INFO("query", "resuming query %s", qs[i]->id);
    rc = resume_query(s, qs[i], err);
    if (rc)
      sl_error_prefix(err, "cannot resume query %s", qs[i]->id);
  }
  sl_catalog_query_list_free(qs, n);
  return rc;
}
