/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op.c - the common half of every operator: lifecycle state, wiring,
 * watermark combination over input ports, emitting and counters.
 *
 * The lifecycle is a small state machine (CREATED -> OPEN -> CLOSED)
 * checked here once, so that the operator files only implement their
 * steps.
 */
#include "engine/ops/op.h"

#include <stdlib.h>
#include <string.h>


/* Initializes the common part (see op.h). */
sl_status sl_op_init(sl_op *op, const sl_op_class *cls, int nports,
                     sl_error *err) {
  op->cls = cls;
  op->state = SL_OP_CREATED;
  op->id = -1;
  op->ctx = NULL;
  op->out = NULL;
  op->out_port = 0;
  op->stateful = NULL;
  op->nports = nports;
  op->ports_wm = op->inline_wm;
  if (nports > SL_OP_INLINE_PORTS) {
    op->ports_wm = malloc((size_t)nports * sizeof(*op->ports_wm));
    if (!op->ports_wm) {
      op->nports = 0;
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating %s",
                          cls->name);
    }
  }
  for (int i = 0; i < nports; i++)
    op->ports_wm[i] = SL_WATERMARK_NONE;
  op->watermark = SL_WATERMARK_NONE;
  atomic_init(&op->counters.records_in, 0);
  atomic_init(&op->counters.records_out, 0);
  atomic_init(&op->counters.records_failed, 0);
  atomic_init(&op->counters.records_late, 0);
  return SL_OK;
}

void sl_op_connect(sl_op *op, sl_op *to, int port) {
  op->out = to;
  op->out_port = port;
}

/* Opens op (see op.h). */
sl_status sl_op_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  switch (op->state) {
  case SL_OP_CREATED:
    break;
  case SL_OP_OPEN:
  case SL_OP_CLOSED:
    return sl_error_set(err, SL_ERR_INTERNAL, "%s opened twice",
                        op->cls->name);
  }
  op->ctx = ctx;
  sl_status rc = op->cls->open ? op->cls->open(op, ctx, err) : SL_OK;
  if (rc == SL_OK)
    op->state = SL_OP_OPEN;
  return rc;
}

static sl_status not_open(const sl_op *op, sl_error *err, const char *what) {
  return sl_error_set(err, SL_ERR_INTERNAL, "%s: %s while %s",
                      op->cls->name, what,
                      op->state == SL_OP_CREATED ? "not open" : "closed");
}

/* Delivers a batch to op (see op.h). */
sl_status sl_op_process(sl_op *op, int port, const sl_op_batch *in,
                        sl_error *err) {
  if (op->state != SL_OP_OPEN)
    return not_open(op, err, "batch");
  if (port < 0 || port >= op->nports)
    return sl_error_set(err, SL_ERR_INTERNAL, "%s has no input port %d",
                        op->cls->name, port);
  atomic_fetch_add_explicit(&op->counters.records_in,
                            sl_op_live_rows(in->batch),
                            memory_order_relaxed);
  return op->cls->process(op, port, in, err);
}

sl_status sl_op_partitions(sl_op *op, const int32_t *parts, int n,
                           bool assigned, sl_error *err) {
  if (op->state != SL_OP_OPEN)
    return not_open(op, err, "partition change");
  if (!op->cls->partitions)
    return SL_OK;
  return op->cls->partitions(op, parts, n, assigned, err);
}

sl_status sl_op_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                           sl_error *err) {
  if (op->state != SL_OP_OPEN)
    return not_open(op, err, "checkpoint");
  if (!op->cls->checkpoint)
    return SL_OK;
  return op->cls->checkpoint(op, ck, err);
}

void sl_op_close(sl_op *op) {
  switch (op->state) {
  case SL_OP_OPEN:
    if (op->cls->close)
      op->cls->close(op);
    break;
  case SL_OP_CREATED:
  case SL_OP_CLOSED:
    break;
  }
  op->state = SL_OP_CLOSED;
}

void sl_op_destroy(sl_op *op) {
  if (!op)
    return;
  sl_op_close(op);
  if (op->ports_wm != op->inline_wm)
    free(op->ports_wm);
  op->cls->destroy(op);
}

/* Combines the watermark of one port with the others' (see op.h). */
sl_status sl_op_push_watermark(sl_op *op, int port, int64_t watermark,
                               sl_error *err) {
  if (op->state != SL_OP_OPEN)
    return not_open(op, err, "watermark");
  if (port < 0 || port >= op->nports)
    return sl_error_set(err, SL_ERR_INTERNAL, "%s has no input port %d",
                        op->cls->name, port);
  if (watermark <= op->ports_wm[port])
    return SL_OK;
  op->ports_wm[port] = watermark;
  int64_t m = op->ports_wm[0];
  for (int i = 1; i < op->nports; i++)
    if (op->ports_wm[i] < m)
      m = op->ports_wm[i];
  if (m <= op->watermark)
    return SL_OK;
  op->watermark = m;
  if (op->cls->watermark)
    return op->cls->watermark(op, m, err);
  return sl_op_emit_watermark(op, m, err);
}

/* Sends a batch downstream (see op.h). */
sl_status sl_op_emit(sl_op *op, const sl_op_batch *b, sl_error *err) {
  int live = sl_op_live_rows(b->batch);
  atomic_fetch_add_explicit(&op->counters.records_out, live,
                            memory_order_relaxed);
  if (!op->out || live == 0)
    return SL_OK;
  return sl_op_process(op->out, op->out_port, b, err);
}

sl_status sl_op_emit_watermark(sl_op *op, int64_t watermark, sl_error *err) {
  if (!op->out)
    return SL_OK;
  return sl_op_push_watermark(op->out, op->out_port, watermark, err);
}

void sl_op_lower_watermark(sl_op *op, int port, int64_t watermark) {
  if (port < 0 || port >= op->nports || watermark >= op->ports_wm[port])
    return;
  op->ports_wm[port] = watermark;
  /* After the end of time everything is closed: what comes in now (a
   * partition given after a bounded input ended) must close again at
   * the next end. */
  if (op->watermark == SL_WATERMARK_END)
    op->watermark = watermark;
  if (!op->cls->watermark)
    sl_op_emit_lower_watermark(op, watermark);
}

void sl_op_emit_lower_watermark(sl_op *op, int64_t watermark) {
  if (op->out)
    sl_op_lower_watermark(op->out, op->out_port, watermark);
}

void sl_op_stats_get(const sl_op *op, sl_op_stats *out) {
  sl_op_counters *c = (sl_op_counters *)&op->counters;
  out->records_in = atomic_load_explicit(&c->records_in,
                                         memory_order_relaxed);
  out->records_out = atomic_load_explicit(&c->records_out,
                                          memory_order_relaxed);
  out->records_failed = atomic_load_explicit(&c->records_failed,
                                             memory_order_relaxed);
  out->records_late = atomic_load_explicit(&c->records_late,
                                           memory_order_relaxed);
}

int sl_op_live_rows(const sl_batch *b) {
  int n = 0;
  for (int r = 0; r < b->nrows; r++)
    n += b->rows[r].state == SL_BATCH_ROW_SELECTED;
  return n;
}
