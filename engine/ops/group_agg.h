/* SPDX-License-Identifier: Apache-2.0 */
/*
 * group_agg.h - GROUP BY without a window: a continuously updated table.
 *
 * Every input row updates its group's aggregates, and the operator emits
 * the group's new row at once: its output is the table's changelog,
 * keyed by the group values (the sink keys its records by them, and a
 * table sink upserts them, so the last row per key is the table).
 * Output columns: the group values, then one column per aggregate call;
 * a row's event time is that of the input row that changed it.
 *
 * With EMIT FINAL the operator emits nothing while input flows and, when
 * every input is finished (SL_WATERMARK_END), emits each group's final
 * row once, in order of the groups' first appearance: what a bounded
 * SELECT ... GROUP BY over a stream prints.  SL_EMIT_DEFAULT means
 * CHANGES.
 *
 * Rows carry no lateness here (nothing closes); groups live as long as
 * the query.  Groups are per source partition, as in window_agg.h.
 *
 * State layout, one entry per group in the table of its partition:
 *   key    'G' | group values (rowcodec)
 *   value  varint creation sequence | i64 latest event time |
 *          one blob per aggregate call
 * Groups changed since the last checkpoint are written at the next one.
 */
#ifndef SLUICE_OPS_GROUP_AGG_H
#define SLUICE_OPS_GROUP_AGG_H

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_group_agg_spec {
  const char *state_name;     /* NULL: "group_agg.<node id>" */
  int ngroup;
  sl_bexpr *const *group_by;  /* over the input */
  int naggs;
  const sl_agg_call *aggs;    /* over the input */
  sl_emit_mode emit;
  int capacity;               /* rows per result batch; 0: 1024 */
} sl_group_agg_spec;

/* Creates the operator.  Expressions and calls must outlive its open;
 * opts (may be NULL) is copied. */
sl_status sl_group_agg_new(const sl_group_agg_spec *spec,
                           const sl_expr_options *opts, sl_op **out,
                           sl_error *err);

/* Groups held now. */
long sl_group_agg_groups(const sl_op *op);

#endif /* SLUICE_OPS_GROUP_AGG_H */
