/* SPDX-License-Identifier: Apache-2.0 */
/*
 * project.c - the projection operator (see project.h).
 */
#include "engine/ops/project.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct project_op {
  sl_op base;
  int nexprs;
  sl_bexpr *const *bexprs;
  sl_expr_options opts;
  sl_expr **exprs;
  sl_value **cols;   /* the view's column pointers */
  sl_batch view;     /* shares the input's rows */
  bool arena_ready;
} project_op;

static sl_status project_open(sl_op *op, const sl_op_ctx *ctx,
                              sl_error *err) {
  (void)ctx;
  project_op *p = (project_op *)op;
  p->exprs = calloc((size_t)p->nexprs + 1, sizeof(*p->exprs));
  p->cols = calloc((size_t)p->nexprs + 1, sizeof(*p->cols));
  if (!p->exprs || !p->cols)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory opening project");
  for (int i = 0; i < p->nexprs; i++) {
    sl_status rc = sl_expr_compile(p->bexprs[i], &p->opts, &p->exprs[i], err);
    if (rc)
      return rc;
  }
  sl_arena_init(&p->view.arena, 0);
  p->arena_ready = true;
  return SL_OK;
}

static sl_status project_process(sl_op *op, int port, const sl_op_batch *in,
                                 sl_error *err) {
  (void)port;
  project_op *p = (project_op *)op;
  sl_batch *b = in->batch;

  /* What downstream allocated in the previous view is no longer used. */
  sl_arena_reset(&p->view.arena);
  for (int i = 0; i < p->nexprs; i++) {
    const sl_value *res;
    int failed = 0;
    sl_status rc = sl_expr_run(p->exprs[i], b, sl_batch_arena(b), &res,
                               &failed, err);
    if (rc)
      return rc;
    atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                              memory_order_relaxed);
    p->cols[i] = (sl_value *)res;
  }

  p->view.ncols = p->nexprs;
  p->view.capacity = b->capacity;
  p->view.nrows = b->nrows;
  p->view.nerrors = b->nerrors;
  p->view.cols = p->cols;
  p->view.rows = b->rows;
  sl_op_batch out = *in;
  out.batch = &p->view;
  return sl_op_emit(op, &out, err);
}

static void project_close(sl_op *op) {
  project_op *p = (project_op *)op;
  for (int i = 0; p->exprs && i < p->nexprs; i++)
    sl_expr_free(p->exprs[i]);
  free(p->exprs);
  free(p->cols);
  p->exprs = NULL;
  p->cols = NULL;
  if (p->arena_ready)
    sl_arena_destroy(&p->view.arena);
  p->arena_ready = false;
}

static void project_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class project_class = {
    .name = "project",
    .open = project_open,
    .process = project_process,
    .close = project_close,
    .destroy = project_destroy,
};

/* Creates a projection (see project.h). */
sl_status sl_project_new(int nexprs, sl_bexpr *const *exprs,
                         const sl_expr_options *opts, sl_op **out,
                         sl_error *err) {
  project_op *p = calloc(1, sizeof(*p));
  if (!p)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating project");
  sl_op_init(&p->base, &project_class, 1, err);
  p->nexprs = nexprs;
  p->bexprs = exprs;
  if (opts)
    p->opts = *opts;
  *out = &p->base;
  return SL_OK;
}
