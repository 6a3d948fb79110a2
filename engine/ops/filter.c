/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter.c - the filter operator (see filter.h).
 */
#include "engine/ops/filter.h"

#include <stdatomic.h>
#include <stdlib.h>

typedef struct filter_op {
  sl_op base;
  const sl_bexpr *predicate;
  sl_expr_options opts;
  sl_expr *expr;
} filter_op;

static sl_status filter_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  (void)ctx;
  filter_op *f = (filter_op *)op;
  return sl_expr_compile(f->predicate, &f->opts, &f->expr, err);
}

static sl_status filter_process(sl_op *op, int port, const sl_op_batch *in,
                                sl_error *err) {
  (void)port;
  filter_op *f = (filter_op *)op;
  int failed = 0;
  sl_status rc = sl_expr_filter(f->expr, in->batch, sl_batch_arena(in->batch),
                                NULL, &failed, err);
  if (rc)
    return rc;
  atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                            memory_order_relaxed);
  return sl_op_emit(op, in, err);
}

static void filter_close(sl_op *op) {
  filter_op *f = (filter_op *)op;
  sl_expr_free(f->expr);
  f->expr = NULL;
}

static void filter_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class filter_class = {
    .name = "filter",
    .open = filter_open,
    .process = filter_process,
    .close = filter_close,
    .destroy = filter_destroy,
};

/* Creates a filter (see filter.h). */
sl_status sl_filter_new(const sl_bexpr *predicate,
                        const sl_expr_options *opts, sl_op **out,
                        sl_error *err) {
  filter_op *f = calloc(1, sizeof(*f));
  if (!f)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating a filter");
  sl_op_init(&f->base, &filter_class, 1, err);
  f->predicate = predicate;
  if (opts)
    f->opts = *opts;
  *out = &f->base;
  return SL_OK;
}
