/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_internal.h - what the files of engine/plan share: the planner's
 * working state and the expression utilities the rewrites use.
 *
 * Every expression in a plan is the plan's own copy (copied from the
 * bound statement, or built by a rewrite), so rewrites may change
 * expressions in place: no two operators share an expression node.
 */
#ifndef SLUICE_PLAN_INTERNAL_H
#define SLUICE_PLAN_INTERNAL_H

#include <stdbool.h>

#include "engine/plan/plan.h"

/* The planner's state for one build. */
typedef struct sl_planner {
  sl_plan *plan;
  const sl_plan_request *req;
  sl_error *err;
  /* Original type -> the plan's clone, so each is cloned once. */
  const sl_type **tmap_from;
  sl_type **tmap_to;
  int ntmap;
  int tmap_cap;
} sl_planner;

/* Sets err to an SQL error at pos in the request's file; returns
 * SL_ERR_SQL. */
sl_status sl_planner_fail(sl_planner *p, sl_srcpos pos, const char *fmt, ...)
    SL_PRINTF(3, 4);

/* Out of memory while planning. */
sl_status sl_planner_nomem(sl_planner *p);

/* Arena allocation (zeroed) and strings. */
void *sl_planner_alloc(sl_planner *p, size_t n);
const char *sl_planner_strdup(sl_planner *p, const char *s);

/* The plan's copy of type (singletons are shared). NULL when out of
 * memory. */
sl_type *sl_planner_type(sl_planner *p, const sl_type *type);

/* ---- Expressions (plan_expr.c) ---------------------------------------- */

/* A deep copy of e in the plan. NULL when out of memory. */
sl_bexpr *sl_planner_copy(sl_planner *p, const sl_bexpr *e);

/* A copy of e with every COLUMN i replaced by a copy of repl[i]. */
sl_bexpr *sl_planner_subst(sl_planner *p, const sl_bexpr *e,
                           sl_bexpr *const *repl);

/* New nodes. */
sl_bexpr *sl_planner_column(sl_planner *p, int index, sl_type *type);
sl_bexpr *sl_planner_cast(sl_planner *p, sl_bexpr *e, const sl_type *to);
sl_bexpr *sl_planner_and(sl_planner *p, sl_bexpr *const *parts, int n);

/* Folds constant subtrees of e in place (see plan.h).  Returns SL_OK or
 * SL_ERR_NOMEM. */
sl_status sl_planner_fold(sl_planner *p, sl_bexpr *e);

/* Renumbers COLUMN references in place: i becomes map[i]. */
void sl_plan_expr_remap(sl_bexpr *e, const int *map);

/* Shifts COLUMN references in place by delta. */
void sl_plan_expr_shift(sl_bexpr *e, int delta);

/* Marks used[i] for every column e reads (indexes below n). */
void sl_plan_expr_columns(const sl_bexpr *e, bool *used, int n);

/* The lowest and highest column e reads; false when it reads none. */
bool sl_plan_expr_range(const sl_bexpr *e, int *lo, int *hi);

/* Number of references to column i in e. */
int sl_plan_expr_uses(const sl_bexpr *e, int column);

bool sl_plan_expr_deterministic(const sl_bexpr *e);

/* True for a column reference or a literal: free to duplicate. */
bool sl_plan_expr_trivial(const sl_bexpr *e);

/* Structural equality (same kinds, operators, columns, literals). */
bool sl_plan_expr_equal(const sl_bexpr *a, const sl_bexpr *b);

/* e without implicit casts on top. */
const sl_bexpr *sl_plan_expr_strip(const sl_bexpr *e);

/* True when e is the constant TRUE. */
bool sl_plan_expr_is_true(const sl_bexpr *e);

/* Splits e at its top-level ANDs into parts (at most max); returns the
 * count, or -1 when there are more than max. */
int sl_plan_expr_conjuncts(sl_bexpr *e, sl_bexpr **parts, int max);

/* ---- Rewrites (plan_rewrite.c) ---------------------------------------- */

/* Pushes filters down and merges filters and projections; returns the
 * new root of the subtree (NULL with p->err set on failure). */
sl_pnode *sl_planner_push_filters(sl_planner *p, sl_pnode *n);
sl_pnode *sl_planner_merge_projects(sl_planner *p, sl_pnode *n);

/* Prunes n to exactly the required output columns (required has n's
 * ncols entries; NULL means all).  Operators below may keep more columns
 * than their parents need (a filter keeps what its predicate reads);
 * a projection selecting the required ones is added on top only when
 * the result would not be exact.  Returns n's new root, or NULL on
 * failure. */
sl_pnode *sl_planner_prune(sl_planner *p, sl_pnode *n, const bool *required);

/* Removes projections that hand their input's columns on unchanged
 * (same names).  Cannot fail. */
sl_pnode *sl_planner_drop_identity(sl_planner *p, sl_pnode *n);

/* A new node of kind with ninputs inputs and ncols columns. */
sl_pnode *sl_planner_node(sl_planner *p, sl_pnode_kind kind, int ninputs,
                          int ncols);

/* ---- Partitioning (plan_partition.c) --------------------------------- */

/* Sets the plan's keyed_state (and each stateful node's keyed_by and the
 * plan's copartitioned pairs) once the nodes are numbered: true when
 * every stateful operator reads rows partitioned by its key.  Returns
 * SL_OK or SL_ERR_NOMEM. */
sl_status sl_planner_partitioning(sl_planner *p);

/* Keeps a record schema with the plan (freed by sl_plan_free); false
 * (the schema freed, p->err set) when out of memory. */
bool sl_planner_own_schema(sl_planner *p, sl_record_schema *s);

#endif /* SLUICE_PLAN_INTERNAL_H */
