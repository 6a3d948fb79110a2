/* SPDX-License-Identifier: Apache-2.0 */
/*
 * union.c - the UNION ALL operator (see union.h).
 */
#include "engine/ops/union.h"

#include <stdlib.h>

static sl_status union_process(sl_op *op, int port, const sl_op_batch *in,
                               sl_error *err) {
  (void)port;
  return sl_op_emit(op, in, err);
}

static void union_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class union_class = {
    .name = "union",
    .process = union_process,
    .destroy = union_destroy,
};

/* Creates a union (see union.h). */
sl_status sl_union_new(int ninputs, sl_op **out, sl_error *err) {
  sl_op *op = calloc(1, sizeof(*op));
  if (!op)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating union");
  sl_status rc = sl_op_init(op, &union_class, ninputs, err);
  if (rc) {
    free(op);
    return rc;
  }
  *out = op;
  return SL_OK;
}
