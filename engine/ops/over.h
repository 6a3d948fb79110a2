/* SPDX-License-Identifier: Apache-2.0 */
/*
 * over.h - per-key history: LAG and sliding aggregates OVER (PARTITION BY
 * k ORDER BY ts [RANGE BETWEEN INTERVAL x PRECEDING AND CURRENT ROW]),
 * emitted at once.
 *
 * Every input row goes out immediately with its columns followed by one
 * column per call, computed from the key's history as of the row's own
 * event time among the rows seen so far (ties in event time by arrival):
 *
 *   LAG(x [, n [, d]])   x of the n-th row (default 1) before this one in
 *                        that order, or d (default NULL) when there is
 *                        none; never the row itself
 *   AGG(...) OVER (... RANGE BETWEEN INTERVAL x PRECEDING AND CURRENT ROW)
 *                        COUNT, SUM, AVG, MIN, MAX, STDDEV, STDDEV_POP
 *                        (and any aggregate that can retract) over the
 *                        rows with current.ts - x <= ts <= current.ts
 *                        seen so far, the row itself included
 *
 * The key's history is ordered by (event time, arrival).  A row in event
 * time order joins the end and its sliding aggregates update the key's
 * running states incrementally (add it, retract what fell out of the
 * range); a row that arrives out of order is inserted in place and its
 * aggregates are computed over its own range of the history.
 *
 * Lateness and bounded state.  A row is late when its event time is
 * behind the watermark the rows before it left: it is counted, routed
 * with reason "late" and dropped from the output.  Because every later
 * row is at or after the watermark, the history keeps only what such
 * rows can still see: the rows within the widest range of the watermark,
 * and the last n rows before it for LAG n.  A key whose history empties
 * is forgotten.
 *
 * Every call of one operator shares its PARTITION BY (the planner chains
 * one operator per distinct partitioning); the ORDER BY is the event
 * time.  Keys are per source partition (see window_agg.h).
 *
 * The output batch is a view of the input's rows (late rows dropped
 * there) with the call columns appended; results needing memory live in
 * the input batch's arena.
 *
 * State layout, one entry per key in its partition's table:
 *   key    'O' | partition values (rowcodec)
 *   value  i64 latest in-order event time | varint rows |
 *          per row: i64 event time, varint arrival, its stored values
 *          (the LAG values, then the aggregate arguments, rowcodec) |
 *          per sliding call: i64 range start, blob running state
 * Keys changed since the last checkpoint are rewritten at the next one.
 */
#ifndef SLUICE_OPS_OVER_H
#define SLUICE_OPS_OVER_H

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_over_spec {
  const char *state_name;       /* NULL: "over.<node id>" */
  int ninput;                   /* input columns, passed through */
  int npartition;
  sl_bexpr *const *partition_by; /* over the input */
  int ncalls;
  const sl_over_call *calls;    /* LAG or SL_OVER_AGGREGATE with a range */
} sl_over_spec;

/* Creates the operator.  ROW_NUMBER and RANK belong to topn.h, and an
 * aggregate without RANGE (unbounded history) is refused with
 * SL_ERR_SQL at the call.  Expressions must outlive the open; opts (may
 * be NULL) is copied. */
sl_status sl_over_new(const sl_over_spec *spec, const sl_expr_options *opts,
                      sl_op **out, sl_error *err);

/* History rows held now, over all keys (for tests and EXPLAIN). */
long sl_over_history_rows(const sl_op *op);

#endif /* SLUICE_OPS_OVER_H */
