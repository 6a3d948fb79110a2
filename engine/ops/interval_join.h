/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interval_join.h - stream-stream join: `a JOIN b WITHIN x` or
 * `WITHIN (before, after)`, INNER, LEFT, RIGHT or FULL, with a grace
 * period.
 *
 * Input port 0 is the left stream a, port 1 the right stream b; the
 * output row is a's columns followed by b's.  A pair matches when the
 * keys are equal (a NULL key matches nothing), the event times satisfy
 *
 *     a.ts - before <= b.ts <= a.ts + after      (both bounds inclusive)
 *
 * and the residual condition (the rest of ON), when there is one, is
 * TRUE.  A match is emitted as soon as the second row of the pair
 * arrives; its event time is the later of the two.
 *
 * Buffers and lateness.  Each side keeps its rows per key until no
 * on-time row of the other side can match them any more: a left row
 * until the watermark passes a.ts + after + grace, a right row until it
 * passes b.ts + before + grace (the watermark is the minimum over both
 * inputs).  A row is late when its event time is more than grace behind
 * the watermark its own input's earlier rows left (ts + grace <
 * watermark): rows of the other side it could match may already be
 * gone, so it is counted and dead-lettered with reason "late" instead of
 * joining partially.  Under these two rules every matching pair of
 * on-time rows is found exactly once, however the input is batched.
 *
 * Outer joins.  A left row (LEFT, FULL) or right row (RIGHT, FULL) that
 * leaves its buffer without ever having matched is emitted then, once,
 * with NULLs for the other side: never before its range has closed and
 * never in addition to a match.  Rows leave in order of the time their
 * range closes, then of arrival.  At the end of input every buffer
 * empties.  A residual condition that fails to evaluate on a pair (a
 * division by zero) counts the pair as failed and not matching.
 *
 * Buffers are per source partition: the planner partitions both inputs
 * by the join key (co-partitioned topics), so that partition p of one
 * side meets partition p of the other.
 *
 * State layout, one entry per buffered row in its partition's table:
 *   key    'L' or 'R' | varint sequence number
 *   value  i64 event time | u8 flags (1 matched, 2 NULL key) |
 *          blob: the join key (rowcodec) | the row's values (rowcodec)
 * New rows and rows that matched since the last checkpoint are written
 * at the next one; rows leave the table with their buffer.
 */
#ifndef SLUICE_OPS_INTERVAL_JOIN_H
#define SLUICE_OPS_INTERVAL_JOIN_H

#include <stdint.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_interval_join_spec {
  const char *state_name;       /* NULL: "interval_join.<node id>" */
  sl_join_kind kind;
  int nleft;                    /* columns of the left input */
  int nright;                   /* columns of the right input */
  int nkeys;
  sl_bexpr *const *left_keys;   /* over the left input */
  sl_bexpr *const *right_keys;  /* over the right input, same types */
  int64_t before_ms;
  int64_t after_ms;
  int64_t grace_ms;
  const sl_bexpr *residual;     /* over the output row, or NULL */
  int capacity;                 /* rows per result batch; 0: 1024 */
} sl_interval_join_spec;

/* Creates the join.  The expressions must outlive its open; opts (may be
 * NULL) is copied.  Negative bounds that leave an empty range (before +
 * after < 0) or a negative grace are SL_ERR_SQL. */
sl_status sl_interval_join_new(const sl_interval_join_spec *spec,
                               const sl_expr_options *opts, sl_op **out,
                               sl_error *err);

/* Rows buffered now on each side (for tests and EXPLAIN). */
void sl_interval_join_buffered(const sl_op *op, long *left, long *right);

#endif /* SLUICE_OPS_INTERVAL_JOIN_H */
