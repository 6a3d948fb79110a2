/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_stateful.h - how the planner chooses and builds the stateful
 * operators: windowed and grouped aggregation, stream-stream, window
 * and temporal joins, OVER, and top-N.
 *
 * The planner hands a bound relation over (SL_REL_AGGREGATE, SL_REL_OVER,
 * an SL_REL_JOIN whose strategy is INTERVAL, WINDOW or TEMPORAL, or an
 * SL_REL_FILTER keeping ROW_NUMBER()/RANK() <= N over an SL_REL_OVER,
 * directly or through the projection a subquery leaves);
 * sl_plan_stateful_describe checks that it can run and fills an
 * sl_plan_stateful: the operator chosen and its spec, every expression
 * copied into the plan.  The node's inputs are the relation's inputs as
 * the planner translated them, column for column (for the top-N filter:
 * the OVER's input), and its output columns are the relation's (for
 * the top-N filter: the OVER's, with `above` saying what projection to
 * stack on them).  The
 * runtime then makes the operator with sl_plan_stateful_make, giving it
 * the node's stable name in the query's state store.
 *
 * Choices:
 *   - GROUP BY with a window: window_agg; without: group_agg.  EMIT
 *     FINAL stays FINAL, EMIT CHANGES stays CHANGES; with no EMIT clause
 *     a bounded query (a SELECT without EMIT) emits final results, a
 *     running one changes.  A SESSION window emitting changes withdraws
 *     the rows its merged and extended sessions replace when its rows
 *     reach the sink through filters, projections, LIMIT and UNION ALL
 *     (sl_rel_withdraws); into another stateful operator, it does not.
 *   - A stream-stream join WITHIN: interval_join, the residual being
 *     what ON holds beyond the key equalities.
 *   - A join of two windowed results: window_join on the key
 *     equalities, the windows' bounds read from WINDOW_END (and
 *     WINDOW_START when present), closing with the windows' grace.
 *   - FOR SYSTEM_TIME AS OF: temporal_join against the table.
 *   - OVER: LAG and RANGE aggregates sharing one PARTITION BY; a single
 *     ROW_NUMBER() or RANK() under a filter `x <= N` (or `x < N`): topn,
 *     per window when its input is a windowed result, else per key.
 */
#ifndef SLUICE_PLAN_STATEFUL_H
#define SLUICE_PLAN_STATEFUL_H

#include <stdbool.h>

#include "engine/expr/expr.h"
#include "engine/ops/group_agg.h"
#include "engine/ops/interval_join.h"
#include "engine/ops/op.h"
#include "engine/ops/over.h"
#include "engine/ops/temporal_join.h"
#include "engine/ops/topn.h"
#include "engine/ops/window_agg.h"
#include "engine/ops/window_join.h"
#include "engine/types/strbuf.h"
#include "parser/bound.h"

/* The planner's working state (plan_internal.h); this header stands
 * alone so that plan.h can embed an sl_plan_stateful in its nodes. */
struct sl_planner;

typedef enum sl_plan_stateful_kind {
  SL_STATEFUL_WINDOW_AGG = 0,
  SL_STATEFUL_GROUP_AGG,
  SL_STATEFUL_INTERVAL_JOIN,
  SL_STATEFUL_WINDOW_JOIN,
  SL_STATEFUL_TEMPORAL_JOIN,
  SL_STATEFUL_OVER,
  SL_STATEFUL_TOPN
} sl_plan_stateful_kind;

/* A stateful operator as the plan keeps it; everything it points to is
 * the plan's. */
typedef struct sl_plan_stateful {
  sl_plan_stateful_kind kind;
  int ninputs;          /* 2 for interval and window joins, else 1 */
  const sl_rel *input_rels[2]; /* the bound inputs the caller translates */
  /* A top-N under its filter through a projection (FILTER(PROJECT(
   * OVER))): the projection, whose expressions read the node's output,
   * to put above the node; the node's output is then the OVER's columns.
   * NULL otherwise. */
  const sl_rel *above;
  union {
    sl_window_agg_spec window_agg;
    sl_group_agg_spec group_agg;
    sl_interval_join_spec interval_join;
    sl_window_join_spec window_join;
    sl_temporal_join_spec temporal_join;
    sl_over_spec over;
    sl_topn_spec topn;
  } u;
} sl_plan_stateful;

/* True when rel is one the stateful operators run (see above); the
 * planner calls sl_plan_stateful_describe for those. */
bool sl_plan_stateful_claims(const sl_rel *rel);

/* Describes the operator of rel into *out (see above).  What cannot run
 * fails with SL_ERR_SQL at the relation's position through p. */
sl_status sl_plan_stateful_describe(struct sl_planner *p,
                                    const sl_rel *rel,
                                    sl_plan_stateful *out);

/* Makes the operator of s; state_name (copied; NULL: the operator's
 * default) names its tables in the query's store and must be stable
 * across restarts, e.g. "n<node id>".  opts may be NULL. */
sl_status sl_plan_stateful_make(const sl_plan_stateful *s,
                                const char *state_name,
                                const sl_expr_options *opts, sl_op **out,
                                sl_error *err);

/* Marks used[c] (c < ncols) for every column of input port that the
 * operator reads or passes on, for column pruning. */
void sl_plan_stateful_uses(const sl_plan_stateful *s, int port, bool *used,
                           int ncols);

/* Folds the constant subtrees of every expression of s in place (see
 * plan.h).  Returns SL_OK or SL_ERR_NOMEM. */
sl_status sl_plan_stateful_fold(struct sl_planner *p, sl_plan_stateful *s);

/* Renumbers the columns of input port that s's expressions read after
 * that input was pruned: column i becomes map[i].  Only the operators
 * that read part of their input (the aggregations) have any such
 * columns; the others keep their inputs whole (see
 * sl_plan_stateful_uses). */
void sl_plan_stateful_remap(sl_plan_stateful *s, int port, const int *map);

/* Appends EXPLAIN's description of s: the operator, its parameters and
 * the state it keeps ("WindowAgg tumbling size=60000ms grace=0ms
 * emit=final; state: open windows per key"). */
sl_status sl_plan_stateful_explain(const sl_plan_stateful *s,
                                   sl_strbuf *out);

/* EXPLAIN's name of the operator kind ("WindowAgg"). */
const char *sl_plan_stateful_name(sl_plan_stateful_kind kind);

#endif /* SLUICE_PLAN_STATEFUL_H */
