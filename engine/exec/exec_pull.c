/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_pull.c - pull queries: a SELECT over a lookup table or a training
 * set, answered at once from SQLite.
 *
 * The table's rows are scanned into record batches and pushed through the
 * same compiled expressions that streaming operators use, so a WHERE or a
 * projection means exactly the same over a table as over a stream.  A
 * pull query is a chain of FILTER, PROJECT and LIMIT over one SCAN.
 * COPY ... TO writes a table's rows to a CSV file the same way LOAD reads
 * them back.
 */
#include "engine/exec/session_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/lookup.h"
#include "engine/common/log.h"
#include "engine/exec/exec_model.h"
#include "engine/expr/expr.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"

#define PULL_BATCH_ROWS 1024
#define PULL_MAX_STAGES 64

typedef struct pull_stage {
  const sl_rel *rel;
  sl_expr *predicate;   /* FILTER */
  int nexprs;           /* PROJECT */
  sl_expr **exprs;
  sl_batch *out;        /* PROJECT: the projected rows */
} pull_stage;

typedef struct pull_query {
  sl_session *session;
  const exec_stmt *st;
  int nstages;
  pull_stage stages[PULL_MAX_STAGES]; /* from the scan upwards */
  const sl_rel *scan;
  sl_batch *batch;      /* scanned rows */
  sl_predict *predict;  /* PREDICT's models */
  int64_t limit;        /* -1: none */
  int64_t emitted;
  bool done;
} pull_query;

/* The stages between the scan and the top, bottom first. */
static sl_status pull_collect(pull_query *q, const sl_rel *rel,
                              sl_error *err) {
  const sl_rel *chain[PULL_MAX_STAGES];
  int n = 0;
  for (; rel && rel->kind != SL_REL_SCAN && rel->kind != SL_REL_VALUES;
       rel = rel->input) {
    if (rel->kind != SL_REL_FILTER && rel->kind != SL_REL_PROJECT &&
        rel->kind != SL_REL_LIMIT)
      return sl_error_set_sql(err, q->st->file, rel->pos.line,
                              rel->pos.column,
                              "a query on a table answers from its "
                              "current rows with WHERE, a select list and "
                              "LIMIT only; joins, aggregates and windows "
                              "need a stream");
    if (n == PULL_MAX_STAGES)
      return sl_error_set_sql(err, q->st->file, rel->pos.line,
                              rel->pos.column, "query nested too deeply");
    chain[n++] = rel;
  }
  q->scan = rel;
  for (int i = n - 1; i >= 0; i--)
    q->stages[q->nstages++].rel = chain[i];
  return SL_OK;
}

static sl_status pull_compile(pull_query *q, sl_error *err) {
  sl_expr_options eopts = {.file = q->st->file};
  if (exec_predict_open(q->session, &eopts, &q->predict, err))
    return err->code;
  for (int i = 0; i < q->nstages; i++) {
    pull_stage *sg = &q->stages[i];
    const sl_rel *rel = sg->rel;
    switch (rel->kind) {
    case SL_REL_FILTER:
      if (sl_expr_compile(rel->u.filter.predicate, &eopts, &sg->predicate,
                          err))
        return err->code;
      break;
    case SL_REL_PROJECT:
      sg->nexprs = rel->u.project.nexprs;
      sg->exprs = calloc((size_t)sg->nexprs + 1, sizeof(*sg->exprs));
      sg->out = sl_batch_create(rel->ncolumns, PULL_BATCH_ROWS);
      if (!sg->exprs || !sg->out)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      for (int k = 0; k < sg->nexprs; k++) {
        if (sl_expr_compile(rel->u.project.exprs[k], &eopts, &sg->exprs[k],
                            err))
          return err->code;
      }
      break;
    case SL_REL_LIMIT:
      if (q->limit < 0 || rel->u.limit.count < q->limit)
        q->limit = rel->u.limit.count;
      break;
    default:
      break;
    }
  }
  return SL_OK;
}

/* Runs one batch up the stages and prints what reaches the top. */
static sl_status pull_flush(pull_query *q, sl_error *err) {
  sl_batch *b = q->batch;
  for (int i = 0; i < q->nstages && !q->done; i++) {
    pull_stage *sg = &q->stages[i];
    if (sg->predicate) {
      if (sl_expr_filter(sg->predicate, b, sl_batch_arena(b), NULL, NULL,
                         err))
        return err->code;
    } else if (sg->exprs) {
      sl_batch_reset(sg->out);
      for (int r = 0; r < b->nrows; r++)
        sl_batch_append_row(sg->out);
      for (int k = 0; k < sg->nexprs; k++) {
        if (sl_expr_eval(sg->exprs[k], b, sl_batch_arena(sg->out),
                         sl_batch_column(sg->out, k), NULL, err))
          return err->code;
      }
      /* Row states after evaluation: a failed expression marks its row
       * in the batch it read. */
      for (int r = 0; r < b->nrows; r++)
        sg->out->rows[r] = b->rows[r];
      b = sg->out;
    }
  }

  /* A row that failed to evaluate stops the query: there is no
   * dead-letter topic for a table. */
  sl_value row[256];
  for (int r = 0; r < b->nrows && !q->done; r++) {
    if (b->rows[r].state == SL_BATCH_ROW_ERROR)
      return sl_error_set(err, SL_ERR_RUNTIME, "%s",
                          b->rows[r].error ? b->rows[r].error->message
                                           : "row failed");
    if (!sl_batch_row_selected(b, r))
      continue;
    for (int c = 0; c < b->ncols && c < 256; c++)
      row[c] = b->cols[c][r];
    if (sl_output_row(q->session->output, row, err))
      return err->code;
    if (q->limit >= 0 && ++q->emitted >= q->limit)
      q->done = true;
  }
  sl_batch_reset(q->batch);
  return SL_OK;
}

static sl_status pull_scan_row(void *ud, const sl_value *row, int ncolumns,
                               sl_error *err) {
  pull_query *q = ud;
  if (q->done)
    return SL_OK;
  int r = sl_batch_append_row(q->batch);
  for (int c = 0; c < ncolumns && c < q->batch->ncols; c++) {
    if (sl_value_copy(sl_batch_arena(q->batch), &row[c],
                      sl_batch_value(q->batch, r, c), err))
      return err->code;
  }
  if (sl_batch_full(q->batch))
    return pull_flush(q, err);
  return SL_OK;
}

static void pull_free(pull_query *q) {
  for (int i = 0; i < q->nstages; i++) {
    sl_expr_free(q->stages[i].predicate);
    for (int k = 0; k < q->stages[i].nexprs; k++)
      sl_expr_free(q->stages[i].exprs[k]);
    free(q->stages[i].exprs);
    sl_batch_free(q->stages[i].out);
  }
  sl_batch_free(q->batch);
  sl_predict_free(q->predict);
}

/* True when the query reads a table or training set: a pull query. */
bool exec_is_pull(const sl_bound_stmt *b) {
  const sl_rel *rel = b->query;
  while (rel && rel->kind != SL_REL_SCAN && rel->kind != SL_REL_VALUES &&
         rel->input)
    rel = rel->input;
  if (rel && rel->kind == SL_REL_VALUES)
    return true;
  return rel && rel->kind == SL_REL_SCAN &&
         rel->u.scan.kind != SL_SCAN_STREAM && b->emit == SL_EMIT_DEFAULT;
}

/* A SELECT without FROM: its constant rows go up the stages as one
 * batch. */
static sl_status pull_values(pull_query *q, sl_error *err) {
  const sl_rel *v = q->scan;
  for (int r = 0; r < v->u.values.nrows && !q->done; r++) {
    int row = sl_batch_append_row(q->batch);
    for (int c = 0; c < v->ncolumns; c++) {
      if (sl_expr_eval_constant(v->u.values.rows[r][c],
                                sl_batch_arena(q->batch),
                                sl_batch_value(q->batch, row, c), err))
        return err->code;
    }
    if (sl_batch_full(q->batch) && pull_flush(q, err))
      return err->code;
  }
  return SL_OK;
}

sl_status exec_pull(sl_session *s, const exec_stmt *st, sl_error *err) {
  pull_query q;
  memset(&q, 0, sizeof(q));
  q.session = s;
  q.st = st;
  q.limit = st->bound->limit;

  sl_lookup *lk = NULL;
  const sl_rel *top = st->bound->query;
  sl_status rc = pull_collect(&q, top, err);
  if (rc == SL_OK)
    rc = pull_compile(&q, err);
  bool values = rc == SL_OK && q.scan->kind == SL_REL_VALUES;
  if (rc == SL_OK) {
    int ncols = q.scan->ncolumns > 0 ? q.scan->ncolumns : 1;
    q.batch = sl_batch_create(ncols, PULL_BATCH_ROWS);
    if (!q.batch)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  if (rc == SL_OK && !values)
    rc = session_sync_table(s, q.scan->u.scan.name, err);
  if (rc == SL_OK && !values)
    rc = sl_lookup_open(s->catalog, q.scan->u.scan.name, 0, &lk, err);

  const char *names[256];
  const sl_type *types[256];
  for (int c = 0; rc == SL_OK && c < top->ncolumns && c < 256; c++) {
    names[c] = top->columns[c].name;
    types[c] = top->columns[c].type;
  }
  if (rc == SL_OK)
    rc = sl_output_begin(s->output, top->ncolumns, names, types, err);
  if (rc == SL_OK && q.limit != 0)
    rc = values ? pull_values(&q, err)
                : sl_lookup_scan(lk, pull_scan_row, &q, err);
  if (rc == SL_OK && q.batch->nrows > 0)
    rc = pull_flush(&q, err);
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  if (rc)
    exec_locate(st, err);

  sl_lookup_close(lk);
  pull_free(&q);
  return rc;
}

/* ---- COPY ... TO --------------------------------------------------------- */

typedef struct copy_state {
  FILE *f;
  const sl_catalog_object *obj;
  sl_strbuf line;
  int64_t rows;
} copy_state;

static sl_status copy_row(void *ud, const sl_value *row, int ncolumns,
                          sl_error *err) {
  copy_state *c = ud;
  sl_strbuf_reset(&c->line);
  for (int i = 0; i < ncolumns; i++) {
    if (i > 0)
      sl_strbuf_appendc(&c->line, ',');
    sl_format_csv_field(&c->line, &row[i], c->obj->columns[i].type, ',');
  }
  sl_strbuf_appendc(&c->line, '\n');
  if (c->line.failed)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (fwrite(c->line.data, 1, c->line.len, c->f) != c->line.len)
    return sl_error_set(err, SL_ERR_IO, "cannot write: %s",
                        strerror(errno));
  c->rows++;
  return SL_OK;
}

sl_status exec_copy(sl_session *s, const exec_stmt *st, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  /* In a bounded run, the rows a query of this run writes (a training
   * set's, a table's) are all there before the copy reads them; a table
   * that follows a topic first catches up with it. */
  const char *name = b->name;
  if ((s->opts.bounded && session_wait_writers(s, &name, 1, err)) ||
      session_sync_table(s, name, err))
    return exec_locate(st, err);

  sl_catalog_object *obj = NULL;
  if (sl_catalog_get(s->catalog, b->name, &obj, err))
    return exec_locate(st, err);
  if (!obj)
    return exec_fail(st, err, "unknown table or training set \"%s\"",
                     b->name);

  copy_state c = {.obj = obj};
  sl_strbuf_init(&c.line);
  sl_lookup *lk = NULL;
  sl_status rc = sl_lookup_open(s->catalog, obj->name, 0, &lk, err);
  if (rc == SL_OK) {
    c.f = fopen(b->path, "w");
    if (!c.f)
      rc = sl_error_set_file(err, SL_ERR_IO, b->path, 0,
                             "cannot create: %s", strerror(errno));
  }

  /* A header row, so that LOAD reads the file back by name. */
  for (int i = 0; rc == SL_OK && i < obj->ncolumns; i++) {
    if (i > 0)
      sl_strbuf_appendc(&c.line, ',');
    sl_format_csv_string(&c.line, obj->columns[i].name,
                         strlen(obj->columns[i].name), ',');
  }
  if (rc == SL_OK) {
    sl_strbuf_appendc(&c.line, '\n');
    fwrite(c.line.data, 1, c.line.len, c.f);
    rc = sl_lookup_scan(lk, copy_row, &c, err);
  }
  if (c.f && fclose(c.f) != 0 && rc == SL_OK)
    rc = sl_error_set_file(err, SL_ERR_IO, b->path, 0, "cannot write: %s",
                           strerror(errno));
  if (rc == SL_OK)
    SL_INFO("copy", "%lld rows of %s written to %s", (long long)c.rows,
            obj->name, b->path);
  else
    exec_locate(st, err);
  sl_lookup_close(lk);
  sl_strbuf_free(&c.line);
  sl_catalog_object_free(obj);
  return rc;
}
