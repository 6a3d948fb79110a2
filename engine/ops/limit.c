/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limit.c - the LIMIT operator (see limit.h).
 *
 * Rows past the limit are marked dropped in the batch before it goes on,
 * so a batch that crosses the limit is cut exactly at row n.
 */
#include "engine/ops/limit.h"

#include <stdlib.h>

typedef struct limit_op {
  sl_op base;
  int64_t count;
  int64_t seen;
  bool finished;
} limit_op;

static sl_status limit_process(sl_op *op, int port, const sl_op_batch *in,
                               sl_error *err) {
  (void)port;
  limit_op *l = (limit_op *)op;
  sl_batch *b = in->batch;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    if (l->seen < l->count)
      l->seen++;
    else
      b->rows[r].state = SL_BATCH_ROW_DROPPED;
  }
  sl_status rc = sl_op_emit(op, in, err);
  if (rc == SL_OK && l->seen >= l->count && !l->finished) {
    l->finished = true;
    if (op->ctx && op->ctx->finish)
      op->ctx->finish(op->ctx->finish_ud);
  }
  return rc;
}

static sl_status limit_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  (void)err;
  limit_op *l = (limit_op *)op;
  /* LIMIT 0 is done before it starts. */
  if (l->count == 0 && ctx->finish) {
    l->finished = true;
    ctx->finish(ctx->finish_ud);
  }
  return SL_OK;
}

static void limit_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class limit_class = {
    .name = "limit",
    .open = limit_open,
    .process = limit_process,
    .destroy = limit_destroy,
};

/* Creates a limit (see limit.h). */
sl_status sl_limit_new(int64_t count, sl_op **out, sl_error *err) {
  limit_op *l = calloc(1, sizeof(*l));
  if (!l)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating limit");
  sl_op_init(&l->base, &limit_class, 1, err);
  l->count = count < 0 ? 0 : count;
  *out = &l->base;
  return SL_OK;
}
