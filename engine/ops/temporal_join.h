/* SPDX-License-Identifier: Apache-2.0 */
/*
 * temporal_join.h - `s JOIN t FOR SYSTEM_TIME AS OF s.ts`: each stream
 * row meets the version of the versioned table t that was valid at the
 * row's time.
 *
 * The version valid at ts is the newest one with valid_from <= ts
 * (lookup.h, sl_lookup_get_as_of): a version written for exactly ts is
 * seen, one from a millisecond later is not, and a deletion at or before
 * ts means no row.  This is what keeps replays of history honest: a
 * stream replayed from last month meets last month's versions, not
 * today's.  The versions are those the table holds when the row is
 * processed; the table's writers (INSERT, LOAD, its topic) date each
 * version with its own event time.
 *
 * The AS OF time is an expression over the stream row (normally its
 * event-time column); a NULL time or a NULL key matches nothing.  The
 * output row is the stream row's columns followed by all of the table's
 * columns in declaration order; the residual condition (what ON holds
 * beyond the key equalities), when given, is judged on the output row.
 * INNER drops rows without a (passing) version; LEFT keeps them with
 * NULL table columns.
 *
 * Stateless: the versions live in the catalog.  The output is a view of
 * the input batch's rows with the table columns appended; looked-up
 * data lives in the input batch's arena.
 */
#ifndef SLUICE_OPS_TEMPORAL_JOIN_H
#define SLUICE_OPS_TEMPORAL_JOIN_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef struct sl_temporal_join_spec {
  const char *table;            /* the versioned table (copied) */
  bool left_outer;
  int nleft;                    /* stream columns passed through */
  int nkeys;                    /* the table's key column count */
  sl_bexpr *const *left_keys;   /* over the stream, in key order */
  const sl_bexpr *as_of;        /* TIMESTAMP over the stream; NULL: the
                                   row's event time */
  const sl_bexpr *residual;     /* over the output row, or NULL */
} sl_temporal_join_spec;

/* Creates the join.  Expressions must outlive its open; opts (may be
 * NULL) is copied.  Opening fails when the table is not versioned (a
 * lookup join serves plain tables) or has another number of keys. */
sl_status sl_temporal_join_new(const sl_temporal_join_spec *spec,
                               const sl_expr_options *opts, sl_op **out,
                               sl_error *err);

#endif /* SLUICE_OPS_TEMPORAL_JOIN_H */
