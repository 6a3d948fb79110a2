/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_callback.c - the callback sink (see sink_callback.h).
 */
#include "engine/ops/sink_callback.h"

#include <stdlib.h>

typedef struct callback_op {
  sl_op base;
  int ncols;
  sl_sink_rows_fn fn;
  void *ud;
} callback_op;

static sl_status callback_process(sl_op *op, int port, const sl_op_batch *in,
                                  sl_error *err) {
  (void)port;
  callback_op *c = (callback_op *)op;
  sl_status rc = sl_op_emit(op, in, err);
  if (rc)
    return rc;
  return c->fn(c->ud, in->batch, c->ncols, err);
}

static void callback_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class callback_class = {
    .name = "sink_callback",
    .process = callback_process,
    .destroy = callback_destroy,
};

/* Creates a callback sink (see sink_callback.h). */
sl_status sl_sink_callback_new(int ncols, sl_sink_rows_fn fn, void *ud,
                               sl_op **out, sl_error *err) {
  callback_op *c = calloc(1, sizeof(*c));
  if (!c)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating a sink");
  sl_op_init(&c->base, &callback_class, 1, err);
  c->ncols = ncols;
  c->fn = fn;
  c->ud = ud;
  *out = &c->base;
  return SL_OK;
}
