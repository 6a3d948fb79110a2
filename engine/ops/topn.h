/* SPDX-License-Identifier: Apache-2.0 */
/*
 * topn.h - top-N: ROW_NUMBER() or RANK() OVER (PARTITION BY p ORDER BY
 * o) kept to the rows numbered at most N (`WHERE rn <= N`), with state
 * bounded by N.
 *
 * Output columns: the input's, then the number (BIGINT).  ROW_NUMBER
 * numbers 1, 2, 3, ... with ties in the order by arrival; RANK gives
 * tied rows the same rank and skips after them (1, 1, 3), and keeps every
 * row whose rank is at most N (more than N rows when ties straddle N).
 * ORDER BY follows PostgreSQL: NULL sorts above every value (last when
 * ascending, first when descending).
 *
 * Two modes:
 *   per window  the input is a windowed result (EMIT FINAL: one row per
 *               upstream key and window) and PARTITION BY includes its
 *               window; each partition's rows are ranked when the window
 *               closes (watermark at window end + grace) and its top N
 *               emitted then, in order.  A row for a closed window is
 *               late.
 *   per key     the input is a stream; each partition keeps its top N
 *               of the rows seen so far, and every row that enters it
 *               emits the partition's new top N in order (a changelog of
 *               the ranking: a sink keyed by partition and number holds
 *               the current top N).  Rows that do not enter emit
 *               nothing.  Nothing closes.
 * Partitions are per source partition (see window_agg.h).
 *
 * State layout, one entry per partition of the ranking:
 *   key    'T' | partition values (rowcodec)
 *   value  i64 window end (per-window mode; else 0) | varint sequence |
 *          varint rows | per row: varint arrival, its values (the
 *          input's columns, then the ORDER BY values, rowcodec)
 */
#ifndef SLUICE_OPS_TOPN_H
#define SLUICE_OPS_TOPN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_topn_spec {
  const char *state_name;       /* NULL: "topn.<node id>" */
  sl_over_kind kind;            /* SL_OVER_ROW_NUMBER or SL_OVER_RANK */
  int ninput;
  int npartition;
  sl_bexpr *const *partition_by; /* over the input */
  int norder;
  sl_bexpr *const *order_by;    /* over the input */
  const bool *order_desc;       /* norder flags */
  int64_t limit;                /* N >= 1 */
  int window_end;               /* the input's WINDOW_END column for the
                                   per-window mode, or -1: per key */
  int64_t grace_ms;             /* per window: the window's grace */
  int capacity;                 /* rows per result batch; 0: 1024 */
} sl_topn_spec;

sl_status sl_topn_new(const sl_topn_spec *spec, const sl_expr_options *opts,
                      sl_op **out, sl_error *err);

/* Rows held now over all partitions (for tests and EXPLAIN). */
long sl_topn_rows(const sl_op *op);

#endif /* SLUICE_OPS_TOPN_H */
