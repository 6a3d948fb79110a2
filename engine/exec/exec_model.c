/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_model.c - the model statements: CREATE MODEL trains (or imports)
 * a version, EVALUATE scores versions on a training set, DESCRIBE and
 * SHOW MODELS list them; and the PREDICT provider of pull queries.
 *
 * Training reads the training set's rows from SQLite through the same
 * compiled expressions that queries use: the WHERE clause filters each
 * batch, the FEATURES expressions and the LABEL are evaluated over it,
 * and the rows are handed to engine/model in event-time order (row order
 * when the training set has no event time), so that WITH (holdout=...)
 * holds out the latest rows.  The version stored in the catalog keeps
 * the model blob, the effective parameters, the metrics measured at
 * training, the row count, how long training took, and the statement
 * with its ${variables} expanded: PREDICT binds the features again from
 * that text (predict.h).  With a Kafka cluster the version is also
 * published for the other instances of the service, which install it
 * rather than train when they apply the statement (command_log.h).
 */
#include "engine/exec/exec_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/lookup.h"
#include "engine/common/log.h"
#include "engine/model/model.h"
#include "engine/types/batch.h"
#include "engine/types/strbuf.h"
#include "parser/vars.h"

#define MODEL_BATCH_ROWS 1024

static int64_t clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* A failure of the data rather than of the SQL (exit code 3), at the
 * statement's position. */
static sl_status data_fail(const exec_stmt *st, sl_error *err,
                           const char *fmt, ...) SL_PRINTF(3, 4);

static sl_status data_fail(const exec_stmt *st, sl_error *err,
                           const char *fmt, ...) {
  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  sl_error_set(err, SL_ERR_RUNTIME, "%s", msg);
  return exec_locate(st, err);
}

/* "table" or "training set", for messages. */
static const char *source_word(const sl_rel *scan) {
  return scan->u.scan.kind == SL_SCAN_TABLE ? "table" : "training set";
}

/* ---- Scanning a training set ------------------------------------------- */

/* Called with each batch of rows that passed the WHERE clause; rows that
 * did not are no longer selected. */
typedef sl_status (*scan_batch_fn)(void *ud, sl_batch *batch, sl_error *err);

typedef struct scan_state {
  const sl_rel *scan;
  sl_expr *where;
  sl_batch *batch;
  scan_batch_fn fn;
  void *ud;
  int64_t scanned;
  int64_t matched;
} scan_state;

static sl_status scan_flush(scan_state *sc, sl_error *err) {
  sl_batch *b = sc->batch;
  if (b->nrows == 0)
    return SL_OK;
  int dropped = 0;
  if (sc->where &&
      sl_expr_filter(sc->where, b, sl_batch_arena(b), &dropped, NULL, err))
    return err->code;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state == SL_BATCH_ROW_ERROR)
      return sl_error_set(err, SL_ERR_RUNTIME, "WHERE failed on row %lld "
                          "of %s: %s",
                          (long long)(sc->scanned - b->nrows + r + 1),
                          sc->scan->u.scan.name,
                          b->rows[r].error ? b->rows[r].error->message
                                           : "error");
  }
  sc->matched += sl_batch_selected_count(b);
  sl_status rc = sc->fn(sc->ud, b, err);
  sl_batch_reset(b);
  return rc;
}

static sl_status scan_row(void *ud, const sl_value *row, int ncolumns,
                          sl_error *err) {
  scan_state *sc = ud;
  sl_batch *b = sc->batch;
  int r = sl_batch_append_row(b);
  for (int c = 0; c < ncolumns && c < b->ncols; c++) {
    if (sl_value_copy(sl_batch_arena(b), &row[c], sl_batch_value(b, r, c),
                      err))
      return err->code;
  }
  sc->scanned++;
  if (sl_batch_full(b))
    return scan_flush(sc, err);
  return SL_OK;
}

/* Reads every row of query (a SCAN, or a FILTER over one) and hands the
 * rows that pass to fn, a batch at a time. */
static sl_status scan_rows(sl_session *s, const exec_stmt *st,
                           const sl_rel *query, scan_batch_fn fn, void *ud,
                           scan_state *sc, sl_error *err) {
  memset(sc, 0, sizeof(*sc));
  sc->fn = fn;
  sc->ud = ud;
  const sl_rel *scan = query;
  const sl_bexpr *where = NULL;
  if (scan && scan->kind == SL_REL_FILTER) {
    where = scan->u.filter.predicate;
    scan = scan->input;
  }
  if (!scan || scan->kind != SL_REL_SCAN)
    return sl_error_set(err, SL_ERR_INTERNAL, "model statement without a "
                        "training set scan");
  sc->scan = scan;

  sl_expr_options xo = {.file = st->file};
  sl_status rc = SL_OK;
  if (where)
    rc = sl_expr_compile(where, &xo, &sc->where, err);
  if (rc == SL_OK) {
    sc->batch = sl_batch_create(scan->ncolumns, MODEL_BATCH_ROWS);
    if (!sc->batch)
      rc = nomem(err);
  }
  if (rc == SL_OK)
    rc = session_sync_table(s, scan->u.scan.name, err);
  sl_lookup *lk = NULL;
  if (rc == SL_OK)
    rc = sl_lookup_open(s->catalog, scan->u.scan.name, 0, &lk, err);
  if (rc == SL_OK)
    rc = sl_lookup_scan(lk, scan_row, sc, err);
  if (rc == SL_OK)
    rc = scan_flush(sc, err);
  sl_lookup_close(lk);
  sl_expr_free(sc->where);
  sl_batch_free(sc->batch);
  sc->where = NULL;
  sc->batch = NULL;
  return rc;
}

/* ---- Training rows ----------------------------------------------------- */

/* One training row: its feature values, then its label, deep-copied. */
typedef struct train_row {
  int64_t time;   /* event time; INT64_MIN when it has none */
  size_t seq;     /* scan order, to keep the sort stable */
  sl_value *values;
} train_row;

typedef struct train_rows {
  int nfeat;
  sl_expr **features;
  sl_expr *label;
  const sl_value **res; /* nfeat + 1 result columns of a batch */
  int time_col;   /* the event-time column of the scan, or -1 */
  sl_arena arena;
  train_row *rows;
  size_t n;
  size_t cap;
} train_rows;

static sl_status train_batch(void *ud, sl_batch *b, sl_error *err) {
  train_rows *t = ud;
  const sl_value **res = t->res;
  int nexpr = t->nfeat + 1;
  for (int j = 0; j < nexpr; j++) {
    sl_expr *e = j < t->nfeat ? t->features[j] : t->label;
    if (sl_expr_run(e, b, sl_batch_arena(b), &res[j], NULL, err))
      return err->code;
  }

  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state == SL_BATCH_ROW_ERROR)
      return sl_error_set(err, SL_ERR_RUNTIME, "a feature or the label "
                          "failed on a training row: %s",
                          b->rows[r].error ? b->rows[r].error->message
                                           : "error");
    if (!sl_batch_row_selected(b, r))
      continue;
    if (t->n == t->cap) {
      size_t cap = t->cap ? t->cap * 2 : 1024;
      train_row *rows = realloc(t->rows, cap * sizeof(*rows));
      if (!rows)
        return nomem(err);
      t->rows = rows;
      t->cap = cap;
    }
    train_row *row = &t->rows[t->n];
    row->seq = t->n;
    row->time = INT64_MIN;
    if (t->time_col >= 0) {
      const sl_value *tv = sl_batch_value(b, r, t->time_col);
      if (tv->kind == SL_TYPE_TIMESTAMP || tv->kind == SL_TYPE_BIGINT)
        row->time = tv->u.i64;
      else if (tv->kind == SL_TYPE_INT || tv->kind == SL_TYPE_DATE)
        row->time = tv->u.i32;
    }
    row->values = sl_arena_alloc(&t->arena, (size_t)nexpr * sizeof(sl_value));
    if (!row->values)
      return nomem(err);
    for (int j = 0; j < nexpr; j++) {
      if (sl_value_copy(&t->arena, &res[j][r], &row->values[j], err))
        return err->code;
    }
    t->n++;
  }
  return SL_OK;
}

static int row_order(const void *a, const void *b) {
  const train_row *x = a, *y = b;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void train_rows_free(train_rows *t) {
  for (int j = 0; t->features && j < t->nfeat; j++)
    sl_expr_free(t->features[j]);
  free(t->features);
  free((void *)t->res);
  sl_expr_free(t->label);
  sl_arena_destroy(&t->arena);
  free(t->rows);
}

/* The model inputs the statement declares, checked as engine/model will
 * check them, so that an error points at the feature. */
static sl_status input_defs(const exec_stmt *st, sl_model_input_def *defs,
                            sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  for (int j = 0; j < b->nfeatures; j++) {
    const sl_bound_feature *f = &b->features[j];
    defs[j].name = f->name;
    defs[j].type = f->expr->type->kind;
    defs[j].transform = (sl_model_transform)f->transform;
    defs[j].edges = f->edges;
    defs[j].nedges = f->nedges;
    if (sl_model_transform_check(&defs[j], err))
      return sl_error_set_sql(err, st->file, f->pos.line, f->pos.column,
                              "%s", err->message);
  }
  return SL_OK;
}

/* ---- Parameters -------------------------------------------------------- */

/* The WITH options as the learners name them.  The linear learners solve
 * exactly (Newton's method, normal equations), so a seed changes nothing
 * and is accepted; a learning rate has no meaning for them. */
static sl_status model_params(const exec_stmt *st, sl_model_kind kind,
                              sl_model_params *p, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  for (int i = 0; i < b->noptions; i++) {
    const sl_bound_option *o = &b->options[i];
    const char *key = o->name;
    if (o->defaulted)
      continue;
    if (kind != SL_MODEL_XGBOOST) {
      if (strcmp(key, "seed") == 0)
        continue;
      if (strcmp(key, "lambda") == 0)
        key = "l2";
      else if (strcmp(key, "iterations") == 0 &&
               kind == SL_MODEL_LOGISTIC_REGRESSION)
        key = "max_iter";
      else if (strcmp(key, "learning_rate") == 0 ||
               strcmp(key, "iterations") == 0)
        return sl_error_set_sql(
            err, st->file, o->pos.line, o->pos.column,
            "%s does not apply to %s, which is solved %s", key,
            sl_model_kind_name(kind),
            kind == SL_MODEL_LOGISTIC_REGRESSION
                ? "by Newton's method (set iterations and lambda)"
                : "in closed form (set lambda)");
    }
    if (sl_model_params_set(p, key, o->text, err))
      return err->code;
  }
  return SL_OK;
}

/* ---- Progress ---------------------------------------------------------- */

typedef struct progress_state {
  sl_session *s;
  const char *model;
  FILE *tty;      /* standard error when it is a terminal, else NULL */
  bool shown;
} progress_state;

static bool show_progress(void *ctx, const sl_model_progress *p) {
  progress_state *ps = ctx;
  if (ps->tty) {
    fprintf(ps->tty, "\rtraining %s: round %d of %d, %s %.6g", ps->model,
            p->round, p->rounds, p->metric, p->train);
    if (!isnan(p->holdout))
      fprintf(ps->tty, " (holdout %.6g)", p->holdout);
    fputs("\033[K", ps->tty);
    fflush(ps->tty);
    ps->shown = true;
  }
  return !ps->s->stop_requested;
}

/* ---- CREATE MODEL ------------------------------------------------------ */

/* Trains a model on the statement's training rows. */
static sl_status train_model(sl_session *s, const exec_stmt *st,
                             sl_model **out, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  *out = NULL;
  sl_model_kind kind;
  if (!sl_model_kind_from_name(b->model_type, &kind))
    return exec_fail(st, err, "unknown model type \"%s\"", b->model_type);

  sl_model_input_def *defs = calloc((size_t)b->nfeatures + 1,
                                    sizeof(*defs));
  sl_model_params params = SL_MODEL_PARAMS_INIT;
  train_rows t;
  memset(&t, 0, sizeof(t));
  t.nfeat = b->nfeatures;
  t.time_col = -1;
  sl_arena_init(&t.arena, 0);
  t.features = calloc((size_t)b->nfeatures + 1, sizeof(*t.features));
  t.res = calloc((size_t)b->nfeatures + 1, sizeof(*t.res));
  sl_status rc = defs && t.features && t.res ? SL_OK : nomem(err);
  if (rc == SL_OK)
    rc = input_defs(st, defs, err);
  if (rc == SL_OK)
    rc = model_params(st, kind, &params, err);

  /* Compile the features and the label over the training set's rows. */
  sl_expr_options xo = {.file = st->file};
  for (int j = 0; rc == SL_OK && j < b->nfeatures; j++)
    rc = sl_expr_compile(b->features[j].expr, &xo, &t.features[j], err);
  if (rc == SL_OK)
    rc = sl_expr_compile(b->label, &xo, &t.label, err);

  const sl_rel *scan = b->query;
  while (scan && scan->kind != SL_REL_SCAN)
    scan = scan->input;
  if (rc == SL_OK && scan && scan->u.scan.object &&
      scan->u.scan.object->timestamp_column >= 0)
    t.time_col = scan->u.scan.object->timestamp_column;

  scan_state sc;
  memset(&sc, 0, sizeof(sc));
  if (rc == SL_OK)
    rc = scan_rows(s, st, b->query, train_batch, &t, &sc, err);
  if (rc == SL_OK && t.time_col >= 0 && t.n > 1)
    qsort(t.rows, t.n, sizeof(*t.rows), row_order);

  sl_model_data *data = NULL;
  if (rc == SL_OK)
    rc = sl_model_data_new(defs, b->nfeatures, b->label->type->kind, &data,
                           err);
  for (size_t i = 0; rc == SL_OK && i < t.n; i++)
    rc = sl_model_data_add_row(data, t.rows[i].values,
                               &t.rows[i].values[b->nfeatures], err);

  /* Say plainly why there is nothing to train on. */
  if (rc == SL_OK && sc.scanned == 0)
    rc = data_fail(st, err, "%s %s has no rows to train model %s on",
                   source_word(sc.scan), sc.scan->u.scan.name, b->name);
  else if (rc == SL_OK && sc.matched == 0)
    rc = data_fail(st, err, "none of the %lld rows of %s matches the WHERE "
                   "clause; model %s has nothing to train on",
                   (long long)sc.scanned, sc.scan->u.scan.name, b->name);
  else if (rc == SL_OK && sl_model_data_rows(data) == 0)
    rc = data_fail(st, err, "every one of the %lld rows of %s has a NULL "
                   "label; model %s has nothing to train on",
                   (long long)sc.matched, sc.scan->u.scan.name, b->name);
  if (rc == SL_OK && sl_model_data_unlabelled(data) > 0)
    SL_WARN("model", "%s: %zu rows of %s without a label skipped", b->name,
            sl_model_data_unlabelled(data), sc.scan->u.scan.name);

  progress_state ps = {s, b->name,
                       isatty(fileno(s->notices)) ? s->notices : NULL,
                       false};
  if (rc == SL_OK) {
    rc = sl_model_train(kind, data, &params, show_progress, &ps, out, err);
    if (ps.shown) {
      fputc('\n', ps.tty);
      fflush(ps.tty);
    }
    if (rc)
      sl_error_prefix(err, "cannot train model %s on %s", b->name,
                      sc.scan->u.scan.name);
  }

  sl_model_data_free(data);
  train_rows_free(&t);
  sl_model_params_free(&params);
  free(defs);
  return rc;
}

/* Imports an XGBoost model file with the listed columns as inputs. */
static sl_status import_model(const exec_stmt *st, sl_model **out,
                              sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  sl_model_input_def *defs = calloc((size_t)b->nfeatures + 1,
                                    sizeof(*defs));
  if (!defs)
    return nomem(err);
  for (int j = 0; j < b->nfeatures; j++) {
    defs[j].name = b->features[j].name;
    defs[j].type = b->features[j].expr->type->kind;
    defs[j].transform = SL_MODEL_TRANSFORM_NONE;
  }
  sl_status rc = sl_model_import_xgboost(b->model_file, defs, b->nfeatures,
                                         out, err);
  free(defs);
  if (rc)
    sl_error_prefix(err, "cannot import model %s", b->name);
  return rc;
}

/* The statement's text with its ${variables} expanded, so that it binds
 * again without them. */
static sl_status expanded_sql(sl_session *s, const exec_stmt *st,
                              char **out, sl_error *err) {
  const char *sql = st->bound->sql ? st->bound->sql : "";
  size_t len = 0;
  sl_vars_map map = {0};
  sl_status rc = sl_vars_expand(st->file, sql, strlen(sql), s->opts.vars,
                                s->opts.nvars, out, &len, &map, err);
  sl_vars_map_free(&map);
  return rc;
}

/* ---- Models across instances ------------------------------------------ */

/* Publishes version v on the service's models topic (command_log.h), for
 * the other instances of the service to install. */
static sl_status publish_version(sl_session *s,
                                 const sl_catalog_model_version *v,
                                 sl_error *err) {
  sl_kafka_admin *admin = NULL;
  sl_kafka_producer *producer = NULL;
  if (session_admin(s, &admin, err) || session_producer(s, &producer, err))
    return err->code;
  return sl_command_log_publish_model(admin, producer, s->service,
                                      s->instance, v, err);
}

/* A CREATE MODEL of another instance, applied from the command topic:
 * the versions that instance published are installed as they are (blob,
 * frozen transforms, metrics, times) rather than trained again on this
 * instance's own, possibly empty, copy of the training set, so that
 * every instance serves the same versions under the same numbers.  The
 * versions this catalog has already are kept; the next ones must follow
 * on from them. */
static sl_status install_published(sl_session *s, const exec_stmt *st,
                                   sl_error *err) {
  const char *name = st->bound->name;
  sl_kafka_admin *admin = NULL;
  if (session_admin(s, &admin, err))
    return err->code;
  sl_catalog_model_version **pub = NULL;
  int npub = 0;
  sl_status rc = sl_command_log_read_models(s->kafka, admin, s->service,
                                            name, &pub, &npub, err);
  char topic[512];
  sl_command_log_models_topic(s->service, topic, sizeof(topic));
  if (rc == SL_OK && npub == 0)
    rc = data_fail(st, err, "no version of model %s is published on %s",
                   name, topic);

  sl_catalog_model_version **have = NULL;
  int nhave = 0;
  if (rc == SL_OK)
    rc = sl_catalog_model_list_versions(s->catalog, name, &have, &nhave,
                                        err);
  int newest = nhave > 0 ? have[nhave - 1]->version : 0;
  sl_catalog_model_version_list_free(have, nhave);

  int installed = 0;
  for (int i = 0; rc == SL_OK && i < npub; i++) {
    const sl_catalog_model_version *v = pub[i];
    if (v->version <= newest)
      continue;
    if (v->version != newest + 1) {
      rc = data_fail(st, err, "model %s: version %d is published on %s "
                     "but this catalog's next version is %d", name,
                     v->version, topic, newest + 1);
      break;
    }

    /* The blob is checked (its checksum, its structure) before it is
     * stored, so that a damaged record is refused here, not at PREDICT. */
    sl_model *m = NULL;
    rc = sl_model_deserialize(v->blob, v->blob_len, &m, err);
    sl_model_free(m);
    if (rc) {
      sl_error_prefix(err, "version %d of model %s published on %s",
                      v->version, name, topic);
      break;
    }
    int given = 0;
    rc = sl_catalog_model_add_version(s->catalog, v, &given, err);
    if (rc == SL_OK && given != v->version)
      rc = sl_error_set(err, SL_ERR_INTERNAL, "model %s: installing "
                        "version %d gave version %d", name, v->version,
                        given);
    if (rc == SL_OK) {
      newest = given;
      installed++;
      SL_INFO("model", "%s version %d: installed as published on %s "
              "(trained on %lld rows)", name, given, topic,
              (long long)v->rows);
    }
  }
  if (rc == SL_OK && installed == 0)
    SL_INFO("model", "%s: the %d published versions are installed already",
            name, npub);
  sl_catalog_model_version_list_free(pub, npub);
  return rc;
}

/* Stores m as the model's next version. */
static sl_status store_version(sl_session *s, const exec_stmt *st,
                               const sl_model *m, int64_t training_ms,
                               int *version, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  void *blob = NULL;
  size_t blob_len = 0;
  char *sql = NULL;
  sl_strbuf params = SL_STRBUF_INIT, metrics = SL_STRBUF_INIT;
  sl_status rc = sl_model_serialize(m, &blob, &blob_len, err);
  if (rc == SL_OK)
    rc = sl_model_params_json_of(m, &params);
  if (rc == SL_OK)
    rc = sl_model_metrics_json_of(m, &metrics);
  if (rc == SL_OK && (params.failed || metrics.failed))
    rc = nomem(err);
  if (rc == SL_OK)
    rc = expanded_sql(s, st, &sql, err);
  if (rc == SL_OK) {
    sl_catalog_model_version v = {
        .model = (char *)b->name,
        .training_set = (char *)b->training_set,
        .rows = sl_model_training_rows(m),
        .params = params.data ? params.data : "{}",
        .metrics = metrics.data ? metrics.data : "{}",
        .sql = sql,
        .trained_ms = clock_ms(CLOCK_REALTIME),
        .training_ms = training_ms,
        .blob = blob,
        .blob_len = blob_len,
    };
    rc = sl_catalog_model_add_version(s->catalog, &v, version, err);
    v.version = *version;
    if (rc == SL_OK && !s->embedded)
      rc = publish_version(s, &v, err);
  }
  free(blob);
  free(sql);
  sl_strbuf_free(&params);
  sl_strbuf_free(&metrics);
  return rc;
}

/* Drops a model that a failed CREATE MODEL created. */
static void drop_untrained(sl_session *s, const char *name) {
  sl_error derr;
  sl_error_clear(&derr);
  if (sl_catalog_drop(s->catalog, SL_CATALOG_MODEL, name, true, NULL,
                      &derr))
    SL_WARN("model", "cannot drop untrained model %s: %s", name,
            derr.message);
}

sl_status exec_model_train(sl_session *s, const exec_stmt *st,
                           sl_catalog_outcome outcome, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  if (outcome == SL_CATALOG_SKIPPED)
    return SL_OK;

  /* Another instance of the service trained it: take its versions. */
  if (s->applying && !s->embedded) {
    sl_status rc = install_published(s, st, err);
    if (rc && outcome == SL_CATALOG_CREATED)
      drop_untrained(s, b->name);
    return rc ? exec_locate(st, err) : SL_OK;
  }

  /* A training set filled by a query of this run is read once the query
   * has finished (bounded runs), and a table that follows a topic once it
   * has caught up. */
  sl_status rc = SL_OK;
  if (b->ndeps > 0)
    rc = session_wait_writers(s, b->deps, b->ndeps, err);
  for (int i = 0; rc == SL_OK && i < b->ndeps; i++)
    rc = session_sync_table(s, b->deps[i], err);

  int64_t start = clock_ms(CLOCK_MONOTONIC);
  sl_model *m = NULL;
  if (rc == SL_OK)
    rc = b->model_file ? import_model(st, &m, err)
                       : train_model(s, st, &m, err);
  int64_t took = clock_ms(CLOCK_MONOTONIC) - start;
  int version = 0;
  if (rc == SL_OK)
    rc = store_version(s, st, m, took, &version, err);
  if (rc == SL_OK)
    SL_INFO("model", "%s version %d: %s %lld rows of %s in %lld ms",
            b->name, version, b->model_file ? "imported, trained on" :
            "trained on", (long long)sl_model_training_rows(m),
            b->model_file ? b->model_file : b->training_set,
            (long long)took);
  sl_model_free(m);
  if (rc == SL_OK)
    return SL_OK;

  /* A model this statement created and could not train goes again, so
   * that a failed CREATE MODEL leaves nothing behind. */
  if (outcome == SL_CATALOG_CREATED)
    drop_untrained(s, b->name);
  return exec_locate(st, err);
}

/* ---- EVALUATE ---------------------------------------------------------- */

/* Scores and labels of one version over the rows of a training set. */
typedef struct eval_state {
  const sl_predict_version *v;
  sl_expr **features;
  sl_expr *label;
  const sl_value **cols;
  sl_model_scratch scratch;
  double *batch_scores;
  double *scores;
  double *labels;
  size_t n;
  size_t cap;
} eval_state;

static sl_status eval_batch(void *ud, sl_batch *b, sl_error *err) {
  eval_state *e = ud;
  int nf = e->v->nfeatures;
  for (int j = 0; j < nf; j++) {
    if (sl_expr_run(e->features[j], b, sl_batch_arena(b), &e->cols[j], NULL,
                    err))
      return err->code;
  }
  const sl_value *label;
  if (sl_expr_run(e->label, b, sl_batch_arena(b), &label, NULL, err))
    return err->code;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state == SL_BATCH_ROW_ERROR)
      return sl_error_set(err, SL_ERR_RUNTIME, "a feature or the label of "
                          "model %s version %d failed on a row: %s",
                          e->v->model, e->v->version,
                          b->rows[r].error ? b->rows[r].error->message
                                           : "error");
  }

  /* Every row of the batch is scored at once; the ones not selected are
   * left out afterwards. */
  if (sl_model_predict_batch(e->v->m, &e->scratch, e->cols,
                             (size_t)b->nrows, e->batch_scores, err))
    return err->code;
  bool classification = sl_model_is_classification(e->v->m);
  for (int r = 0; r < b->nrows; r++) {
    double y;
    if (!sl_batch_row_selected(b, r) || label[r].kind == SL_TYPE_NULL)
      continue;
    if (!sl_model_transform_number(classification ? SL_TYPE_BOOLEAN
                                                  : SL_TYPE_DOUBLE,
                                   &label[r], &y) ||
        isnan(y))
      continue;
    if (e->n == e->cap) {
      size_t cap = e->cap ? e->cap * 2 : 4096;
      double *sc = realloc(e->scores, cap * sizeof(double));
      if (sc)
        e->scores = sc;
      double *lb = sc ? realloc(e->labels, cap * sizeof(double)) : NULL;
      if (!lb)
        return nomem(err);
      e->labels = lb;
      e->cap = cap;
    }
    e->scores[e->n] = e->batch_scores[r];
    e->labels[e->n] = y;
    e->n++;
  }
  return SL_OK;
}

static void eval_free(eval_state *e) {
  for (int j = 0; e->features && j < e->v->nfeatures; j++)
    sl_expr_free(e->features[j]);
  free(e->features);
  sl_expr_free(e->label);
  free((void *)e->cols);
  sl_model_scratch_free(&e->scratch);
  free(e->batch_scores);
  free(e->scores);
  free(e->labels);
}

/* One line of EVALUATE's result. */
typedef struct eval_result {
  const char *model;
  int version;
  sl_model_metrics m;
} eval_result;

/* Evaluates one version on the statement's rows. */
static sl_status evaluate_version(sl_session *s, const exec_stmt *st,
                                  const sl_catalog_object *ts,
                                  const char *model, int version,
                                  eval_result *res, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  int n = ts->ncolumns;
  const char **names = calloc((size_t)n + 1, sizeof(*names));
  const sl_type **types = calloc((size_t)n + 1, sizeof(*types));
  sl_status rc = names && types ? SL_OK : nomem(err);
  for (int i = 0; rc == SL_OK && i < n; i++) {
    names[i] = ts->columns[i].name;
    types[i] = ts->columns[i].type;
  }
  sl_predict_version *v = NULL;
  if (rc == SL_OK)
    rc = sl_predict_version_load(s->catalog, s->functions, model, version, n,
                                 names, types, true, &v, err);
  free(names);
  free(types);
  if (rc)
    return rc == SL_ERR_SQL ? exec_fail(st, err, "%s", err->message) : rc;
  if (!v->label) {
    sl_predict_version_free(v);
    return exec_fail(st, err, "model %s version %d was imported FROM FILE "
                     "and has no LABEL to evaluate against", model, version);
  }

  eval_state e;
  memset(&e, 0, sizeof(e));
  e.v = v;
  sl_model_scratch_init(&e.scratch);
  e.features = calloc((size_t)v->nfeatures + 1, sizeof(*e.features));
  e.cols = calloc((size_t)v->nfeatures + 1, sizeof(*e.cols));
  e.batch_scores = calloc(MODEL_BATCH_ROWS, sizeof(double));
  rc = e.features && e.cols && e.batch_scores ? SL_OK : nomem(err);
  char file[SL_ERROR_NAME_MAX];
  snprintf(file, sizeof(file), "model %s version %d", model, v->version);
  sl_expr_options xo = {.file = file};
  for (int j = 0; rc == SL_OK && j < v->nfeatures; j++)
    rc = sl_expr_compile(v->features[j], &xo, &e.features[j], err);
  if (rc == SL_OK)
    rc = sl_expr_compile(v->label, &xo, &e.label, err);
  scan_state sc;
  if (rc == SL_OK)
    rc = scan_rows(s, st, b->query, eval_batch, &e, &sc, err);

  res->model = model;
  res->version = v->version;
  if (rc == SL_OK)
    rc = sl_model_metrics_compute(sl_model_is_classification(v->m), e.scores,
                                  e.labels, e.n, &res->m, err);
  res->m.rows = (int64_t)e.n;
  eval_free(&e);
  sl_predict_version_free(v);
  return rc;
}

static sl_value metric_value(double x) {
  return isnan(x) ? sl_value_null() : sl_value_double(x);
}

sl_status exec_evaluate(sl_session *s, const exec_stmt *st, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  sl_status rc = SL_OK;
  if (b->ndeps > 0)
    rc = session_wait_writers(s, b->deps, b->ndeps, err);
  sl_catalog_object *ts = NULL;
  if (rc == SL_OK)
    rc = sl_catalog_get(s->catalog, b->training_set, &ts, err);
  if (rc == SL_OK && !ts)
    rc = exec_fail(st, err, "unknown training set \"%s\"", b->training_set);
  if (rc) {
    sl_catalog_object_free(ts);
    return exec_locate(st, err);
  }

  /* Every version asked for, in the order asked: a model without VERSION
   * stands for all of its versions, oldest first. */
  eval_result *results = NULL;
  int nresults = 0, cap = 0;
  for (int i = 0; rc == SL_OK && i < b->nmodels; i++) {
    sl_catalog_model_version **vs = NULL;
    int nv = 0;
    if (b->model_versions[i] == 0) {
      rc = sl_catalog_model_list_versions(s->catalog, b->models[i], &vs, &nv,
                                          err);
      if (rc == SL_OK && nv == 0)
        rc = exec_fail(st, err, "model %s has no trained version",
                       b->models[i]);
    } else {
      nv = 1;
    }
    for (int k = 0; rc == SL_OK && k < nv; k++) {
      if (nresults == cap) {
        cap = cap ? cap * 2 : 8;
        eval_result *r = realloc(results, (size_t)cap * sizeof(*r));
        if (!r) {
          rc = nomem(err);
          break;
        }
        results = r;
      }
      int version = vs ? vs[k]->version : b->model_versions[i];
      rc = evaluate_version(s, st, ts, b->models[i], version,
                            &results[nresults], err);
      if (rc == SL_OK)
        nresults++;
    }
    sl_catalog_model_version_list_free(vs, vs ? nv : 0);
  }

  static const char *const names[] = {"model", "version", "rows", "auc",
                                      "log_loss", "accuracy", "precision",
                                      "recall", "rmse", "mae"};
  const sl_type *types[] = {sl_type_varchar(), sl_type_int(),
                            sl_type_bigint(), sl_type_double(),
                            sl_type_double(), sl_type_double(),
                            sl_type_double(), sl_type_double(),
                            sl_type_double(), sl_type_double()};
  if (rc == SL_OK)
    rc = sl_output_begin(s->output, 10, names, types, err);
  for (int i = 0; rc == SL_OK && i < nresults; i++) {
    const eval_result *r = &results[i];
    sl_value row[10] = {
        sl_value_varchar(r->model, strlen(r->model)),
        sl_value_int(r->version),
        sl_value_bigint(r->m.rows),
        metric_value(r->m.auc),
        metric_value(r->m.log_loss),
        metric_value(r->m.accuracy),
        metric_value(r->m.precision),
        metric_value(r->m.recall),
        metric_value(r->m.rmse),
        metric_value(r->m.mae),
    };
    rc = sl_output_row(s->output, row, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  free(results);
  sl_catalog_object_free(ts);
  return rc ? exec_locate(st, err) : SL_OK;
}

/* ---- DESCRIBE and SHOW MODELS ------------------------------------------ */

static sl_value text_or_null(const char *text) {
  return text ? sl_value_varchar(text, strlen(text)) : sl_value_null();
}

static sl_status text_result(sl_session *s, int ncols,
                             const char *const *names, sl_error *err) {
  const sl_type *types[8];
  for (int i = 0; i < ncols; i++)
    types[i] = sl_type_varchar();
  return sl_output_begin(s->output, ncols, names, types, err);
}

static sl_status text_row(sl_session *s, int ncols, const char *const *cells,
                          sl_error *err) {
  sl_value row[8];
  for (int i = 0; i < ncols; i++)
    row[i] = text_or_null(cells[i]);
  return sl_output_row(s->output, row, err);
}

/* The model type of a version: the TYPE of the statement that made it
 * (into buf), or NULL when that does not parse. */
static const char *version_type(const sl_catalog_model_version *v,
                                char *buf, size_t size) {
  sl_parse_result *parse = NULL;
  sl_error perr;
  sl_error_clear(&perr);
  const char *type = NULL;
  if (v->sql && sl_parse_statement("version", v->sql, NULL, &parse,
                                   &perr) == SL_OK &&
      parse->stmts[0]->kind == SL_AST_CREATE_MODEL) {
    snprintf(buf, size, "%s", parse->stmts[0]->u.create_model.model_type.text);
    type = buf;
  }
  sl_parse_result_free(parse);
  return type;
}

#define VERSION_COLUMNS 8

/* version, type, training_set, rows, trained_at, training_ms, params,
 * metrics of one version; type is written into buf. */
static void version_cells(const sl_catalog_model_version *v, sl_value *row,
                          char *buf, size_t size) {
  row[0] = sl_value_int(v->version);
  row[1] = text_or_null(version_type(v, buf, size));
  row[2] = text_or_null(v->training_set);
  row[3] = sl_value_bigint(v->rows);
  row[4] = sl_value_timestamp(v->trained_ms);
  row[5] = sl_value_bigint(v->training_ms);
  row[6] = text_or_null(v->params);
  row[7] = text_or_null(v->metrics);
}

static void fill_version_types(const sl_type **types) {
  types[0] = sl_type_int();
  types[1] = sl_type_varchar();
  types[2] = sl_type_varchar();
  types[3] = sl_type_bigint();
  types[4] = sl_type_timestamp();
  types[5] = sl_type_bigint();
  types[6] = sl_type_varchar();
  types[7] = sl_type_varchar();
}

static const char *const version_names[VERSION_COLUMNS] = {
    "version", "type", "training_set", "rows", "trained_at", "training_ms",
    "params", "metrics"};

/* The end of the expression that starts at sql[from]: the comma or the
 * closing parenthesis at its own nesting depth, past quoted text. */
static size_t expr_end(const char *sql, size_t from) {
  int depth = 0;
  size_t i = from;
  while (sql[i]) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      for (i++; sql[i] && sql[i] != c; i++)
        ;
      if (sql[i])
        i++;
      continue;
    }
    if ((c == ',' || c == ')') && depth == 0)
      break;
    if (c == '(' || c == '[')
      depth++;
    else if (c == ')' || c == ']')
      depth--;
    i++;
  }
  while (i > from && (sql[i - 1] == ' ' || sql[i - 1] == '\t' ||
                      sql[i - 1] == '\n' || sql[i - 1] == '\r'))
    i--;
  return i;
}

/* Writes the definition of input j of m into out: the transform over the
 * expression it was given in the CREATE MODEL of the version (parse),
 * ONE_HOT(term), then the type and frozen statistics. */
static sl_status feature_definition(const sl_model *m, int j,
                                    const sl_parse_result *parse,
                                    const char *sql, sl_strbuf *out) {
  const sl_model_feature *f = sl_model_input(m, j);
  sl_strbuf line = SL_STRBUF_INIT;
  sl_status rc = sl_model_feature_describe(f, &line);
  if (rc)
    goto done;

  /* The model keeps only the feature's generated name, which the text
   * above puts inside the transform; what was written there comes from
   * the statement. */
  const sl_ast_features *fs =
      parse && parse->stmts[0]->kind == SL_AST_CREATE_MODEL
          ? &parse->stmts[0]->u.create_model.features
          : NULL;
  const sl_ast_expr *e = fs && fs->n == sl_model_input_count(m)
                             ? fs->items[j]->expr
                             : NULL;
  const char *tname = sl_model_transform_name(f->transform);
  size_t prefix = strlen(tname) + strlen(f->name) + 2;
  if (f->transform == SL_MODEL_TRANSFORM_NONE || !e ||
      e->kind != SL_AST_CALL || e->u.call.args.n < 1 ||
      line.len < prefix) {
    sl_strbuf_append(out, line.data, line.len);
    goto done;
  }
  size_t from = e->u.call.args.items[0]->pos.offset;
  size_t to = expr_end(sql, from);
  sl_strbuf_appendf(out, "%s(", tname);
  sl_strbuf_append(out, sql + from, to - from);
  sl_strbuf_appendc(out, ')');
  sl_strbuf_append(out, line.data + prefix, line.len - prefix);
done:
  if (rc == SL_OK && (line.failed || out->failed))
    rc = SL_ERR_NOMEM;
  sl_strbuf_free(&line);
  return rc;
}

/* The features of the newest version, with their frozen statistics. */
static sl_status describe_features(sl_session *s, const char *model,
                                   sl_error *err) {
  static const char *const names[] = {"feature", "definition"};
  sl_catalog_model_version *cv = NULL;
  if (sl_catalog_model_get_version(s->catalog, model, 0, &cv, err))
    return err->code;
  if (!cv)
    return SL_OK;
  sl_model *m = NULL;
  sl_status rc = sl_model_deserialize(cv->blob, cv->blob_len, &m, err);
  if (rc)
    sl_error_prefix(err, "model %s version %d", model, cv->version);
  if (rc == SL_OK)
    rc = text_result(s, 2, names, err);
  sl_parse_result *parse = NULL;
  sl_error perr;
  sl_error_clear(&perr);
  if (rc == SL_OK && cv->sql &&
      sl_parse_statement("version", cv->sql, NULL, &parse, &perr) != SL_OK) {
    sl_parse_result_free(parse);
    parse = NULL; /* the generated names then stand in for the text */
  }
  sl_strbuf line = SL_STRBUF_INIT;
  for (int j = 0; rc == SL_OK && j < sl_model_input_count(m); j++) {
    const sl_model_feature *f = sl_model_input(m, j);
    sl_strbuf_reset(&line);
    if (feature_definition(m, j, parse, cv->sql, &line))
      rc = nomem(err);
    const char *cells[] = {f->name, line.data};
    if (rc == SL_OK)
      rc = text_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  sl_strbuf_free(&line);
  sl_parse_result_free(parse);
  sl_model_free(m);
  sl_catalog_model_version_free(cv);
  return rc;
}

sl_status exec_describe_model(sl_session *s, const exec_stmt *st,
                              sl_error *err) {
  const char *name = st->bound->name;
  sl_catalog_object *obj = NULL;
  if (sl_catalog_get(s->catalog, name, &obj, err))
    return exec_locate(st, err);
  if (!obj || obj->kind != SL_CATALOG_MODEL) {
    sl_catalog_object_free(obj);
    return exec_fail(st, err, "unknown model \"%s\"", name);
  }

  /* The input columns: what PREDICT(m, v1, v2, ...) takes, in order. */
  static const char *const cnames[] = {"column", "type"};
  sl_status rc = text_result(s, 2, cnames, err);
  for (int i = 0; rc == SL_OK && i < obj->ncolumns; i++) {
    char type[SL_TYPE_SQL_MAX];
    sl_type_to_sql(obj->columns[i].type, type, sizeof(type));
    const char *cells[] = {obj->columns[i].name, type};
    rc = text_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);

  static const char *const pnames[] = {"property", "value"};
  if (rc == SL_OK)
    rc = text_result(s, 2, pnames, err);
  const char *kind[] = {"kind", "model"};
  if (rc == SL_OK)
    rc = text_row(s, 2, kind, err);
  for (int i = 0; rc == SL_OK && i < obj->noptions; i++) {
    const char *cells[] = {obj->options[i].name, obj->options[i].value};
    rc = text_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);

  sl_catalog_model_version **vs = NULL;
  int nv = 0;
  if (rc == SL_OK)
    rc = sl_catalog_model_list_versions(s->catalog, name, &vs, &nv, err);
  const sl_type *types[VERSION_COLUMNS];
  fill_version_types(types);
  if (rc == SL_OK)
    rc = sl_output_begin(s->output, VERSION_COLUMNS, version_names, types,
                         err);
  for (int i = 0; rc == SL_OK && i < nv; i++) {
    sl_value row[VERSION_COLUMNS];
    char type[64];
    version_cells(vs[i], row, type, sizeof(type));
    rc = sl_output_row(s->output, row, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  sl_catalog_model_version_list_free(vs, nv);

  if (rc == SL_OK)
    rc = describe_features(s, name, err);
  sl_catalog_object_free(obj);
  return rc ? exec_locate(st, err) : SL_OK;
}

sl_status exec_show_models(sl_session *s, const exec_stmt *st,
                           sl_error *err) {
  sl_catalog_object **objs = NULL;
  int n = 0;
  if (sl_catalog_list(s->catalog, SL_CATALOG_MODEL, &objs, &n, err))
    return exec_locate(st, err);

  const char *names[VERSION_COLUMNS + 1] = {"name"};
  const sl_type *types[VERSION_COLUMNS + 1] = {sl_type_varchar()};
  for (int c = 0; c < VERSION_COLUMNS; c++)
    names[c + 1] = version_names[c];
  fill_version_types(types + 1);
  sl_status rc = sl_output_begin(s->output, VERSION_COLUMNS + 1, names,
                                 types, err);
  for (int i = 0; rc == SL_OK && i < n; i++) {
    sl_catalog_model_version **vs = NULL;
    int nv = 0;
    rc = sl_catalog_model_list_versions(s->catalog, objs[i]->name, &vs, &nv,
                                        err);
    for (int k = 0; rc == SL_OK && k < (nv ? nv : 1); k++) {
      sl_value row[VERSION_COLUMNS + 1];
      char type[64];
      row[0] = text_or_null(objs[i]->name);
      if (nv) {
        version_cells(vs[k], row + 1, type, sizeof(type));
      } else {
        for (int c = 1; c <= VERSION_COLUMNS; c++)
          row[c] = sl_value_null();
        row[2] = text_or_null(sl_catalog_object_option(objs[i],
                                                       "model_type"));
      }
      rc = sl_output_row(s->output, row, err);
    }
    sl_catalog_model_version_list_free(vs, nv);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  sl_catalog_object_list_free(objs, n);
  return rc ? exec_locate(st, err) : SL_OK;
}

/* ---- PREDICT in pull queries ------------------------------------------- */

sl_status exec_predict_open(sl_session *s, sl_expr_options *opts,
                            sl_predict **out, sl_error *err) {
  const char *log = session_property_get(s, "prediction.log");
  sl_predict_options po = {
      .catalog = s->catalog,
      .functions = s->functions,
      .query_id = NULL,
      .pin_versions = true,
      .log = log && (strcmp(log, "on") == 0 || strcmp(log, "true") == 0),
  };
  if (sl_predict_new(&po, out, err))
    return err->code;
  opts->predict = sl_predict_bind;
  opts->predict_arg = *out;
  return SL_OK;
}
