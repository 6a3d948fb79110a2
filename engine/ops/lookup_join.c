/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lookup_join.c - the lookup join operator (see lookup_join.h).
 *
 * Outline of a batch:
 *   1. evaluate the key expressions over the stream rows;
 *   2. look each live row's key up, filling row r of a batch of table
 *      rows (the "right batch"); rows without a match are dropped there;
 *   3. run the right side's filter and projection over the right batch
 *      (a failure there fails the stream row it belongs to);
 *   4. drop (INNER) or keep with NULLs (LEFT) the rows without a match;
 *   5. evaluate the residual condition over the joined view, then emit.
 */
#include "engine/ops/lookup_join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/lookup.h"

typedef struct join_op {
  sl_op base;
  char *table;
  bool left_outer;
  int nleft;
  int nkeys;
  sl_bexpr *const *left_keys_b;
  const sl_bexpr *right_filter_b;
  int nright;
  sl_bexpr *const *right_exprs_b;
  const sl_bexpr *residual_b;
  size_t cache_entries;
  sl_expr_options opts;

  sl_lookup *lk;
  int ntable;               /* the table's columns */
  sl_expr **keys;
  sl_expr *right_filter;
  sl_expr **right_exprs;
  sl_expr *residual;
  sl_batch *right;          /* table rows, row r for stream row r */
  sl_value *rowbuf;         /* one table row from the lookup */
  sl_value *keybuf;
  sl_value **rcols;         /* nright output buffers of cap values */
  int cap;
  sl_value **view_cols;
  sl_batch view;
  bool view_ready;
} join_op;

/* Sizes the right batch and output buffers for batches of cap rows. */
static sl_status reserve(join_op *j, int cap, sl_error *err) {
  if (cap <= j->cap)
    return SL_OK;
  sl_batch *rb = sl_batch_create(j->ntable, cap);
  if (!rb)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory in lookup join");
  sl_batch_free(j->right);
  j->right = rb;
  for (int k = 0; k < j->nright; k++) {
    sl_value *v = realloc(j->rcols[k], (size_t)cap * sizeof(*v));
    if (!v)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory in lookup join");
    j->rcols[k] = v;
  }
  j->cap = cap;
  return SL_OK;
}

static sl_status join_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  join_op *j = (join_op *)op;
  if (!ctx->catalog)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "lookup join on %s without a catalog", j->table);
  sl_status rc = sl_lookup_open(ctx->catalog, j->table,
                                j->cache_entries ? j->cache_entries
                                                 : SL_LOOKUP_CACHE_DEFAULT,
                                &j->lk, err);
  if (rc)
    return rc;
  j->ntable = sl_lookup_object(j->lk)->ncolumns;
  if (sl_lookup_key_count(j->lk) != j->nkeys)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "lookup join on %s with %d key values for %d key "
                        "columns",
                        j->table, j->nkeys, sl_lookup_key_count(j->lk));
  if (!j->right_exprs_b && j->nright != j->ntable)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "lookup join on %s expects %d columns, the table "
                        "has %d",
                        j->table, j->nright, j->ntable);

  j->keys = calloc((size_t)j->nkeys + 1, sizeof(*j->keys));
  j->right_exprs = calloc((size_t)j->nright + 1, sizeof(*j->right_exprs));
  j->rcols = calloc((size_t)j->nright + 1, sizeof(*j->rcols));
  j->rowbuf = calloc((size_t)j->ntable + 1, sizeof(*j->rowbuf));
  j->keybuf = calloc((size_t)j->nkeys + 1, sizeof(*j->keybuf));
  j->view_cols = calloc((size_t)(j->nleft + j->nright) + 1,
                        sizeof(*j->view_cols));
  if (!j->keys || !j->right_exprs || !j->rcols || !j->rowbuf ||
      !j->keybuf || !j->view_cols)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory opening a join");
  sl_arena_init(&j->view.arena, 0);
  j->view_ready = true;

  for (int k = 0; k < j->nkeys; k++)
    if ((rc = sl_expr_compile(j->left_keys_b[k], &j->opts, &j->keys[k], err)))
      return rc;
  if (j->right_filter_b &&
      (rc = sl_expr_compile(j->right_filter_b, &j->opts, &j->right_filter,
                            err)))
    return rc;
  for (int k = 0; j->right_exprs_b && k < j->nright; k++)
    if ((rc = sl_expr_compile(j->right_exprs_b[k], &j->opts,
                              &j->right_exprs[k], err)))
      return rc;
  if (j->residual_b &&
      (rc = sl_expr_compile(j->residual_b, &j->opts, &j->residual, err)))
    return rc;
  return reserve(j, 1024, err);
}

/* Copies the failure of right row r to stream row r. */
static sl_status fail_stream_row(join_op *j, sl_batch *b, int r,
                                 sl_error *err) {
  const sl_batch_error *re = j->right->rows[r].error;
  sl_error e;
  sl_error_clear(&e);
  e.code = SL_ERR_RECORD;
  snprintf(e.reason, sizeof(e.reason), "%s", re ? re->reason : "type");
  snprintf(e.message, sizeof(e.message), "%s",
           re ? re->message : "failed on the joined row");
  atomic_fetch_add_explicit(&j->base.counters.records_failed, 1,
                            memory_order_relaxed);
  if (sl_batch_set_error(b, r, &e))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  return SL_OK;
}

/* Steps 1 and 2: the table row of every live stream row. */
static sl_status look_up(join_op *j, sl_batch *b, sl_error *err) {
  sl_batch *rb = j->right;
  const sl_value *kres[16];
  const sl_value **kr = kres;
  if (j->nkeys > 16) {
    kr = sl_arena_alloc(sl_batch_arena(b), (size_t)j->nkeys * sizeof(*kr));
    if (!kr)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (int k = 0; k < j->nkeys; k++) {
    int failed = 0;
    sl_status rc = sl_expr_run(j->keys[k], b, sl_batch_arena(b), &kr[k],
                               &failed, err);
    if (rc)
      return rc;
    atomic_fetch_add_explicit(&j->base.counters.records_failed, failed,
                              memory_order_relaxed);
  }

  for (int r = 0; r < b->nrows; r++) {
    int row = sl_batch_append_row(rb);
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED) {
      rb->rows[row].state = SL_BATCH_ROW_DROPPED;
      continue;
    }
    bool null_key = false;
    for (int k = 0; k < j->nkeys; k++) {
      j->keybuf[k] = kr[k][r];
      null_key = null_key || kr[k][r].kind == SL_TYPE_NULL;
    }
    bool found = false;
    if (!null_key) {
      sl_status rc = sl_lookup_get(j->lk, j->keybuf, sl_batch_arena(rb),
                                   j->rowbuf, &found, err);
      if (rc)
        return rc;
    }
    if (!found) {
      rb->rows[row].state = SL_BATCH_ROW_DROPPED;
      continue;
    }
    for (int c = 0; c < j->ntable; c++)
      rb->cols[c][row] = j->rowbuf[c];
  }
  return SL_OK;
}

/* Step 3: the right side's filter and projection into rcols. */
static sl_status right_side(join_op *j, sl_batch *b, sl_error *err) {
  sl_batch *rb = j->right;
  if (j->right_filter) {
    sl_status rc = sl_expr_filter(j->right_filter, rb, sl_batch_arena(rb),
                                  NULL, NULL, err);
    if (rc)
      return rc;
  }
  for (int k = 0; k < j->nright; k++) {
    const sl_value *res;
    if (j->right_exprs[k]) {
      sl_status rc = sl_expr_run(j->right_exprs[k], rb, sl_batch_arena(rb),
                                 &res, NULL, err);
      if (rc)
        return rc;
    } else {
      res = rb->cols[k];
    }
    sl_value *dst = j->rcols[k];
    for (int r = 0; r < rb->nrows; r++)
      dst[r] = rb->rows[r].state == SL_BATCH_ROW_SELECTED ? res[r]
                                                          : sl_value_null();
  }

  /* A failure on the table row fails the stream row. */
  for (int r = 0; r < rb->nrows; r++) {
    if (rb->rows[r].state != SL_BATCH_ROW_ERROR ||
        b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_status rc = fail_stream_row(j, b, r, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

static void null_right(join_op *j, int r) {
  for (int k = 0; k < j->nright; k++)
    j->rcols[k][r] = sl_value_null();
}

static sl_status join_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  (void)port;
  join_op *j = (join_op *)op;
  sl_batch *b = in->batch;
  sl_status rc = reserve(j, b->capacity, err);
  if (rc)
    return rc;
  sl_batch_reset(j->right);
  sl_arena_reset(&j->view.arena);

  if ((rc = look_up(j, b, err)) || (rc = right_side(j, b, err)))
    return rc;

  /* Step 4: rows without a match. */
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED ||
        j->right->rows[r].state == SL_BATCH_ROW_SELECTED)
      continue;
    if (!j->left_outer)
      b->rows[r].state = SL_BATCH_ROW_DROPPED;
  }

  for (int c = 0; c < j->nleft; c++)
    j->view_cols[c] = b->cols[c];
  for (int k = 0; k < j->nright; k++)
    j->view_cols[j->nleft + k] = j->rcols[k];
  j->view.ncols = j->nleft + j->nright;
  j->view.capacity = b->capacity;
  j->view.nrows = b->nrows;
  j->view.nerrors = b->nerrors;
  j->view.cols = j->view_cols;
  j->view.rows = b->rows;

  /* Step 5: the rest of the ON condition. */
  if (j->residual) {
    const sl_value *res;
    int failed = 0;
    rc = sl_expr_run(j->residual, &j->view, sl_batch_arena(b), &res, &failed,
                     err);
    if (rc)
      return rc;
    atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                              memory_order_relaxed);
    for (int r = 0; r < b->nrows; r++) {
      if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
        continue;
      if (res[r].kind == SL_TYPE_BOOLEAN && res[r].u.b)
        continue;
      if (j->left_outer)
        null_right(j, r);
      else
        b->rows[r].state = SL_BATCH_ROW_DROPPED;
    }
  }

  sl_op_batch out = *in;
  out.batch = &j->view;
  return sl_op_emit(op, &out, err);
}

static void join_close(sl_op *op) {
  join_op *j = (join_op *)op;
  for (int k = 0; j->keys && k < j->nkeys; k++)
    sl_expr_free(j->keys[k]);
  for (int k = 0; j->right_exprs && k < j->nright; k++)
    sl_expr_free(j->right_exprs[k]);
  for (int k = 0; j->rcols && k < j->nright; k++)
    free(j->rcols[k]);
  free(j->keys);
  free(j->right_exprs);
  free(j->rcols);
  j->keys = NULL;
  j->right_exprs = NULL;
  j->rcols = NULL;
  sl_expr_free(j->right_filter);
  sl_expr_free(j->residual);
  j->right_filter = NULL;
  j->residual = NULL;
  sl_batch_free(j->right);
  j->right = NULL;
  free(j->rowbuf);
  free(j->keybuf);
  free(j->view_cols);
  j->rowbuf = NULL;
  j->keybuf = NULL;
  j->view_cols = NULL;
  if (j->view_ready)
    sl_arena_destroy(&j->view.arena);
  j->view_ready = false;
  sl_lookup_close(j->lk);
  j->lk = NULL;
  j->cap = 0;
}

static void join_destroy(sl_op *op) {
  join_op *j = (join_op *)op;
  free(j->table);
  free(j);
}

static const sl_op_class join_class = {
    .name = "lookup_join",
    .open = join_open,
    .process = join_process,
    .close = join_close,
    .destroy = join_destroy,
};

/* Creates a lookup join (see lookup_join.h). */
sl_status sl_lookup_join_new(const sl_lookup_join_spec *spec,
                             const sl_expr_options *opts, sl_op **out,
                             sl_error *err) {
  join_op *j = calloc(1, sizeof(*j));
  if (!j || !(j->table = strdup(spec->table))) {
    free(j);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating a join");
  }
  sl_op_init(&j->base, &join_class, 1, err);
  j->left_outer = spec->left_outer;
  j->nleft = spec->nleft;
  j->nkeys = spec->nkeys;
  j->left_keys_b = spec->left_keys;
  j->right_filter_b = spec->right_filter;
  j->nright = spec->nright;
  j->right_exprs_b = spec->right_exprs;
  j->residual_b = spec->residual;
  j->cache_entries = spec->cache_entries;
  if (opts)
    j->opts = *opts;
  *out = &j->base;
  return SL_OK;
}
