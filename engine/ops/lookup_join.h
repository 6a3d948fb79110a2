/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lookup_join.h - stream x lookup table join: each stream row meets the
 * table's current row for its key.
 *
 * The key expressions are evaluated over the stream rows, in the order
 * of the table's key columns, and every key is looked up through the
 * catalog's cached point lookup (lookup.h), so a table updated while the
 * query runs is seen at once.  A NULL key never matches.  The matched
 * table row then passes the right side's own filter and projection (a
 * subquery over the table), and the output row is the stream row's
 * columns followed by the right side's.  Whatever the ON condition holds
 * beyond the key equalities (the residual) is evaluated over the output
 * row.  An INNER join drops rows without a match; a LEFT join keeps them
 * with NULL right columns.
 *
 * The output is a view sharing the stream batch's rows; the right
 * columns are the operator's own buffers.
 */
#ifndef SLUICE_OPS_LOOKUP_JOIN_H
#define SLUICE_OPS_LOOKUP_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_lookup_join_spec {
  const char *table;              /* the lookup table (copied) */
  bool left_outer;                /* LEFT JOIN; else INNER */
  int nleft;                      /* stream columns passed through */
  int nkeys;                      /* the table's key column count */
  sl_bexpr *const *left_keys;     /* over the stream's columns */
  const sl_bexpr *right_filter;   /* over the table's columns, or NULL */
  int nright;                     /* right output columns */
  sl_bexpr *const *right_exprs;   /* over the table's columns; NULL: the
                                     table's columns unchanged */
  const sl_bexpr *residual;       /* over the output row, or NULL */
  size_t cache_entries;           /* 0: SL_LOOKUP_CACHE_DEFAULT */
} sl_lookup_join_spec;

/* Creates a lookup join.  The expressions must outlive the operator's
 * open; opts (may be NULL) is copied. */
sl_status sl_lookup_join_new(const sl_lookup_join_spec *spec,
                             const sl_expr_options *opts, sl_op **out,
                             sl_error *err);

#endif /* SLUICE_OPS_LOOKUP_JOIN_H */
