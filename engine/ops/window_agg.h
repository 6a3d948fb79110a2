/* SPDX-License-Identifier: Apache-2.0 */
/*
 * window_agg.h - windowed aggregation: GROUP BY with a TUMBLING, HOPPING
 * or SESSION window, EMIT CHANGES or EMIT FINAL.
 *
 * Output columns: the group values, WINDOW_START and WINDOW_END
 * (TIMESTAMP) and one column per aggregate call.  A result row's event
 * time is WINDOW_END - 1, its partition the partition of its group; a
 * row withdrawing an earlier result (see sessions) has its metadata's
 * `withdrawal` set (batch.h).
 *
 * Windows (times in ms, UTC, aligned to the epoch):
 *   TUMBLING size       [k*size, (k+1)*size): an event at exactly the end
 *                       belongs to the next window
 *   HOPPING size, adv   every [k*adv, k*adv + size) holding the event
 *   SESSION gap         [first event, last event + gap): an event joins a
 *                       session when it is strictly less than one gap
 *                       from it (ts > first - gap and ts < last + gap);
 *                       events exactly one gap apart split.  An event
 *                       that touches several sessions merges them into
 *                       one (aggregate states merged, earliest first).
 *
 * Closing and lateness.  A window closes when the watermark reaches its
 * end + grace; then EMIT FINAL emits its row, and in both modes it is
 * evicted.  Each event is judged against the watermark the rows before
 * it left (so results never depend on batching): it joins every window
 * of its that is still open under that watermark, and is late when none
 * is (a hopping event counts in its open windows; a session event is
 * late when it touches no open session and its own [ts, ts + gap) would
 * already be closed).  Late events are counted and dead-lettered with
 * reason "late".  Sessions that closed are gone as far as later events
 * are concerned, even before the watermark call evicts them.
 *
 * EMIT CHANGES emits the window's new row after every event that changed
 * it (a hopping event: one row per window, earliest first).  A result
 * row stands for its group values and window bounds: a later row with
 * the same ones replaces it.  When a session event merges or extends
 * sessions, the row of the merged session replaces the rows of the
 * sessions it covers; with withdrawals on, each of those whose bounds
 * differ from the new ones (every session absorbed, and the earliest
 * unless the event fell inside it) is first withdrawn by a row with its
 * old bounds and values, then the merged row follows.  An event an
 * aggregate refuses (its row failed) that bridged or stretched sessions
 * leaves them merged, and their row is emitted all the same.  EMIT FINAL
 * emits once per window when it closes, in order of window end, then of
 * creation; a session absorbed by another is gone from memory, from the
 * closing heap and from the table at once, so it never comes out on its
 * own.  SL_EMIT_DEFAULT means CHANGES.
 *
 * Groups are per source partition (rows with equal group values from
 * two partitions are two groups): the planner partitions the input by
 * the group key.
 *
 * State layout, one entry per open window in the table of its partition
 * (besides the meta entry of stateful.h):
 *   key    'W' | group values (rowcodec) | i64 window start
 *   value  i64 window end | varint creation sequence |
 *          one blob per aggregate call (its serialized state)
 * Windows changed since the last checkpoint are written at the next
 * one; a closed, merged or moved window is deleted from the table when
 * it goes.
 */
#ifndef SLUICE_OPS_WINDOW_AGG_H
#define SLUICE_OPS_WINDOW_AGG_H

#include <stdbool.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_window_agg_spec {
  const char *state_name;     /* tables in the store (copied); NULL:
                                 "window_agg.<node id>" */
  sl_window_spec window;      /* TUMBLING, HOPPING or SESSION, grace */
  sl_emit_mode emit;
  int ngroup;
  sl_bexpr *const *group_by;  /* over the input */
  int naggs;
  const sl_agg_call *aggs;    /* over the input */
  bool withdrawals;           /* EMIT CHANGES sessions: withdraw the rows
                                 a merged or extended session replaces */
  int capacity;               /* rows per result batch; 0: 1024 */
} sl_window_agg_spec;

/* Creates the operator.  The expressions and calls must outlive its
 * open; opts (may be NULL) is copied.  Fails with SL_ERR_SQL for a window
 * it cannot run (a size, advance or gap that is not positive, an advance
 * larger than the size). */
sl_status sl_window_agg_new(const sl_window_agg_spec *spec,
                            const sl_expr_options *opts, sl_op **out,
                            sl_error *err);

/* Windows open now (for tests and EXPLAIN's state counters). */
long sl_window_agg_open_windows(const sl_op *op);

#endif /* SLUICE_OPS_WINDOW_AGG_H */
