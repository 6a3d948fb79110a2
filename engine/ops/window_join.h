/* SPDX-License-Identifier: Apache-2.0 */
/*
 * window_join.h - two windowed results joined on their key and their
 * window: ON l.k = r.k AND l.WINDOW_START = r.WINDOW_START AND
 * l.WINDOW_END = r.WINDOW_END, INNER, LEFT, RIGHT or FULL.
 *
 * Input port 0 is the left windowed result, port 1 the right; both come
 * from windowed aggregations with the same window.  The operator keeps,
 * per key and window, the latest row of each side.  A row arriving on
 * one side when the other side has a row for the same key and window
 * emits the pair at once (the left columns, then the right ones); with
 * EMIT CHANGES upstream, an update of either side emits the pair again
 * with the new row, as a changelog would.
 *
 * Closing.  A key's window closes when the watermark (the minimum over
 * both inputs) reaches window end + grace, the grace of the upstream
 * windows: by then both sides' final rows for it have arrived.  Then an
 * outer side's row that never met the other side is emitted once with
 * NULLs for the other side (never before, never after a match), and the
 * entry goes.  A row for a window already closed under its own input's
 * watermark is late: counted and dead-lettered with reason "late".  A
 * row whose window bounds are NULL is skipped as failed.
 *
 * Result rows have the event time WINDOW_END - 1.  Entries are per
 * source partition (both inputs partitioned by the key).
 *
 * State layout, one entry per open key and window:
 *   key    'J' | join key (rowcodec) | i64 start | i64 end
 *   value  u8 flags (1 left present, 2 right present, 4 matched) |
 *          varint sequence | blob left row | blob right row (rowcodec
 *          values; empty blobs for an absent side)
 */
#ifndef SLUICE_OPS_WINDOW_JOIN_H
#define SLUICE_OPS_WINDOW_JOIN_H

#include <stdint.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_window_join_spec {
  const char *state_name;       /* NULL: "window_join.<node id>" */
  sl_join_kind kind;
  int nleft;
  int nright;
  int nkeys;
  sl_bexpr *const *left_keys;   /* over the left input */
  sl_bexpr *const *right_keys;  /* over the right input */
  int left_start, left_end;     /* WINDOW_START, WINDOW_END columns */
  int right_start, right_end;
  int64_t grace_ms;             /* the windows' grace */
  int capacity;                 /* rows per result batch; 0: 1024 */
} sl_window_join_spec;

sl_status sl_window_join_new(const sl_window_join_spec *spec,
                             const sl_expr_options *opts, sl_op **out,
                             sl_error *err);

/* Open key-and-window entries (for tests and EXPLAIN). */
long sl_window_join_entries(const sl_op *op);

#endif /* SLUICE_OPS_WINDOW_JOIN_H */
