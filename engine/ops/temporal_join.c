/* SPDX-License-Identifier: Apache-2.0 */
/*
 * temporal_join.c - the temporal join (see temporal_join.h).
 *
 * Outline of a batch: evaluate the keys and the AS OF time; look each
 * live row's version up into the table columns; judge the residual on
 * the joined view; drop (INNER) or blank (LEFT) the rows without a
 * passing version; emit the view.
 */
#include "engine/ops/temporal_join.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/lookup.h"

typedef struct tjoin_op {
  sl_op base;
  char *table;
  bool left_outer;
  int nleft;
  int nkeys;
  sl_bexpr *const *keys_b;
  const sl_bexpr *as_of_b;
  const sl_bexpr *residual_b;
  sl_expr_options opts;

  bool ready;
  sl_lookup *lk;
  int ntable;
  sl_expr **keys;
  const sl_value **keycols;
  sl_expr *as_of;
  sl_expr *residual;
  sl_value *keybuf;
  sl_value *rowbuf;
  sl_value **tcols;         /* ntable columns of cap values */
  bool *found;
  int cap;
  sl_value **view_cols;
  sl_batch view;
} tjoin_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in temporal join");
}

static sl_status reserve(tjoin_op *t, int cap, sl_error *err) {
  if (cap <= t->cap)
    return SL_OK;
  for (int c = 0; c < t->ntable; c++) {
    sl_value *v = realloc(t->tcols[c], (size_t)cap * sizeof(*v));
    if (!v)
      return nomem(err);
    t->tcols[c] = v;
  }
  bool *f = realloc(t->found, (size_t)cap * sizeof(*f));
  if (!f)
    return nomem(err);
  t->found = f;
  t->cap = cap;
  return SL_OK;
}

static void blank(tjoin_op *t, int r) {
  for (int c = 0; c < t->ntable; c++)
    t->tcols[c][r] = sl_value_null();
  t->found[r] = false;
}

static sl_status tjoin_process(sl_op *op, int port, const sl_op_batch *in,
                               sl_error *err) {
  (void)port;
  tjoin_op *t = (tjoin_op *)op;
  sl_batch *b = in->batch;
  sl_arena *arena = sl_batch_arena(b);
  sl_status rc = reserve(t, b->capacity, err);
  if (rc)
    return rc;
  sl_arena_reset(&t->view.arena);

  int failed = 0, total = 0;
  for (int k = 0; k < t->nkeys; k++) {
    if ((rc = sl_expr_run(t->keys[k], b, arena, &t->keycols[k], &failed,
                          err)))
      return rc;
    total += failed;
  }
  const sl_value *times = NULL;
  if (t->as_of) {
    if ((rc = sl_expr_run(t->as_of, b, arena, &times, &failed, err)))
      return rc;
    total += failed;
  }

  /* The version of each live row. */
  for (int r = 0; r < b->nrows; r++) {
    blank(t, r);
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    bool null_key = false;
    for (int k = 0; k < t->nkeys; k++) {
      t->keybuf[k] = t->keycols[k][r];
      null_key = null_key || t->keybuf[k].kind == SL_TYPE_NULL;
    }
    int64_t ts = b->rows[r].event_time;
    if (times) {
      if (times[r].kind == SL_TYPE_NULL)
        null_key = true;
      else
        ts = times[r].u.i64;
    }
    bool found = false;
    if (!null_key &&
        (rc = sl_lookup_get_as_of(t->lk, t->keybuf, ts, arena, t->rowbuf,
                                  &found, err)))
      return rc;
    if (!found)
      continue;
    for (int c = 0; c < t->ntable; c++)
      t->tcols[c][r] = t->rowbuf[c];
    t->found[r] = true;
  }

  for (int c = 0; c < t->nleft; c++)
    t->view_cols[c] = b->cols[c];
  for (int c = 0; c < t->ntable; c++)
    t->view_cols[t->nleft + c] = t->tcols[c];
  t->view.ncols = t->nleft + t->ntable;
  t->view.capacity = b->capacity;
  t->view.nrows = b->nrows;
  t->view.nerrors = b->nerrors;
  t->view.cols = t->view_cols;
  t->view.rows = b->rows;

  if (t->residual) {
    const sl_value *res;
    if ((rc = sl_expr_run(t->residual, &t->view, arena, &res, &failed, err)))
      return rc;
    total += failed;
    for (int r = 0; r < b->nrows; r++)
      if (b->rows[r].state == SL_BATCH_ROW_SELECTED && t->found[r] &&
          !(res[r].kind == SL_TYPE_BOOLEAN && res[r].u.b))
        blank(t, r);
  }
  atomic_fetch_add_explicit(&op->counters.records_failed, total,
                            memory_order_relaxed);
  for (int r = 0; r < b->nrows; r++)
    if (!t->found[r] && !t->left_outer)
      sl_batch_drop_row(b, r);

  sl_op_batch out = *in;
  out.batch = &t->view;
  return sl_op_emit(op, &out, err);
}

static sl_status tjoin_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  tjoin_op *t = (tjoin_op *)op;
  sl_arena_init(&t->view.arena, 0);
  t->ready = true;
  if (!ctx->catalog)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "temporal join on %s without a catalog", t->table);
  sl_status rc = sl_lookup_open(ctx->catalog, t->table, 0, &t->lk, err);
  if (rc)
    return rc;
  if (!sl_lookup_versioned(t->lk))
    return sl_error_set(err, SL_ERR_SQL,
                        "FOR SYSTEM_TIME AS OF needs a versioned table; "
                        "%s is not (WITH (versioned=true))",
                        t->table);
  if (sl_lookup_key_count(t->lk) != t->nkeys)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "temporal join on %s with %d key values for %d key "
                        "columns",
                        t->table, t->nkeys, sl_lookup_key_count(t->lk));
  t->ntable = sl_lookup_object(t->lk)->ncolumns;
  t->keys = calloc((size_t)t->nkeys + 1, sizeof(*t->keys));
  t->keycols = calloc((size_t)t->nkeys + 1, sizeof(*t->keycols));
  t->keybuf = calloc((size_t)t->nkeys + 1, sizeof(*t->keybuf));
  t->rowbuf = calloc((size_t)t->ntable + 1, sizeof(*t->rowbuf));
  t->tcols = calloc((size_t)t->ntable + 1, sizeof(*t->tcols));
  t->view_cols = calloc((size_t)(t->nleft + t->ntable) + 1,
                        sizeof(*t->view_cols));
  if (!t->keys || !t->keycols || !t->keybuf || !t->rowbuf || !t->tcols ||
      !t->view_cols)
    return nomem(err);
  for (int k = 0; k < t->nkeys; k++)
    if ((rc = sl_expr_compile(t->keys_b[k], &t->opts, &t->keys[k], err)))
      return rc;
  if (t->as_of_b &&
      (rc = sl_expr_compile(t->as_of_b, &t->opts, &t->as_of, err)))
    return rc;
  if (t->residual_b &&
      (rc = sl_expr_compile(t->residual_b, &t->opts, &t->residual, err)))
    return rc;
  return reserve(t, 1024, err);
}

static void tjoin_close(sl_op *op) {
  tjoin_op *t = (tjoin_op *)op;
  if (!t->ready)
    return;
  for (int k = 0; t->keys && k < t->nkeys; k++)
    sl_expr_free(t->keys[k]);
  for (int c = 0; t->tcols && c < t->ntable; c++)
    free(t->tcols[c]);
  free(t->keys);
  free(t->keycols);
  free(t->keybuf);
  free(t->rowbuf);
  free(t->tcols);
  free(t->view_cols);
  free(t->found);
  t->keys = NULL;
  t->keycols = NULL;
  t->keybuf = NULL;
  t->rowbuf = NULL;
  t->tcols = NULL;
  t->view_cols = NULL;
  t->found = NULL;
  t->cap = 0;
  sl_expr_free(t->as_of);
  sl_expr_free(t->residual);
  t->as_of = NULL;
  t->residual = NULL;
  sl_lookup_close(t->lk);
  t->lk = NULL;
  sl_arena_destroy(&t->view.arena);
  t->ready = false;
}

static void tjoin_destroy(sl_op *op) {
  tjoin_op *t = (tjoin_op *)op;
  /* An open that failed half-way left things to release. */
  tjoin_close(op);
  free(t->table);
  free(t);
}

static const sl_op_class tjoin_class = {
    .name = "temporal_join",
    .open = tjoin_open,
    .process = tjoin_process,
    .close = tjoin_close,
    .destroy = tjoin_destroy,
};

/* Creates the join (see temporal_join.h). */
sl_status sl_temporal_join_new(const sl_temporal_join_spec *spec,
                               const sl_expr_options *opts, sl_op **out,
                               sl_error *err) {
  tjoin_op *t = calloc(1, sizeof(*t));
  if (!t || !(t->table = strdup(spec->table))) {
    free(t);
    return nomem(err);
  }
  sl_op_init(&t->base, &tjoin_class, 1, err);
  t->left_outer = spec->left_outer;
  t->nleft = spec->nleft;
  t->nkeys = spec->nkeys;
  t->keys_b = spec->left_keys;
  t->as_of_b = spec->as_of;
  t->residual_b = spec->residual;
  if (opts)
    t->opts = *opts;
  *out = &t->base;
  return SL_OK;
}
