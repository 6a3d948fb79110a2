/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aggset.h - the aggregate calls of one operator, driven together.
 *
 * Windowed and grouped aggregation and the sliding OVER aggregates keep,
 * per group, one state per aggregate call.  An sl_aggset opens the call
 * sites (udf/agg.h) of the calls, compiles their argument expressions,
 * and lays the states of one group out in a single block of
 * sl_aggset.size bytes, so that a group entry is one allocation.
 *
 * Per batch the operator evaluates the arguments once (sl_aggset_eval);
 * per row it adds the row to the states of the row's group (or groups:
 * a hopping window's row joins several).  A row an aggregate refuses (an
 * integer SUM leaving BIGINT, a list past its cap) fails: the failure is
 * returned to the operator, which marks the input row failed so that
 * its creator routes it, and the row is taken back out of the states of
 * that group where the aggregates can retract, so that it counts in none
 * of them.
 *
 * Serialized states are the aggregates' own bytes, each as a
 * length-prefixed blob in call order (rowcodec.h).
 */
#ifndef SLUICE_OPS_AGGSET_H
#define SLUICE_OPS_AGGSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/expr/expr.h"
#include "engine/ops/rowcodec.h"
#include "engine/types/batch.h"
#include "parser/bound.h"
#include "udf/agg.h"

typedef struct sl_aggset {
  int naggs;
  sl_agg *aggs;
  bool *opened;
  size_t *offset;          /* of each state within a block */
  size_t size;             /* bytes of one block (all the states) */
  int *argoff;             /* naggs + 1: first argument of each call */
  int nargs;               /* arguments of all the calls */
  sl_expr **args;          /* nargs compiled argument expressions */
  const sl_value **cols;   /* nargs columns of the batch evaluated last */
  const sl_value **argp;   /* nargs pointers: one row's arguments */
  sl_type **types;         /* nargs argument types (the call sites keep
                              pointers to them) */
  sl_arena scratch;        /* row errors of the aggregates */
  bool scratch_ready;
} sl_aggset;

/* Opens the naggs calls (bound calls over the input, which must outlive
 * the set; opts may be NULL).  flags adds SL_AGG_SLIDING for OVER;
 * DISTINCT comes from each call.  On failure the set is closed. */
sl_status sl_aggset_open(sl_aggset *s, int naggs, const sl_agg_call *calls,
                         const sl_expr_options *opts, unsigned flags,
                         sl_error *err);

void sl_aggset_close(sl_aggset *s);

/* Evaluates every argument over the selected rows of batch (failures
 * mark rows failed, as expressions do). *nfailed (may be NULL) counts
 * them. */
sl_status sl_aggset_eval(sl_aggset *s, sl_batch *batch, int *nfailed,
                         sl_error *err);

/* Points s->argp at row r of the columns evaluated last. */
void sl_aggset_point_row(sl_aggset *s, int r);

/* Initializes an empty block of states.  On failure nothing needs
 * freeing. */
sl_status sl_aggset_init(sl_aggset *s, void *block, sl_error *err);

/* Frees what the states of block hold. */
void sl_aggset_free(sl_aggset *s, void *block);

/* Adds one row, whose arguments argp points at (nargs pointers to one
 * value each), with event time ts.  When an aggregate refuses the row,
 * *rowerr gets its reason and message (code SL_ERR_RECORD), *refused is
 * set and the row leaves the calls that took it where they can retract.
 * A non-OK status fails the batch. */
sl_status sl_aggset_add(sl_aggset *s, void *block,
                        const sl_value *const *argp, int64_t ts,
                        bool *refused, sl_error *rowerr, sl_error *err);

/* Takes a row added before back out (every call must retract). */
sl_status sl_aggset_retract(sl_aggset *s, void *block,
                            const sl_value *const *argp, int64_t ts,
                            sl_error *err);

/* True when every call can retract. */
bool sl_aggset_can_retract(const sl_aggset *s);

/* Folds the states of from into into. */
sl_status sl_aggset_merge(sl_aggset *s, void *into, const void *from,
                          sl_error *err);

/* The naggs results into out, memory from arena.  A result that cannot
 * be represented is NULL, and *unrepresentable (may be NULL) counts
 * it. */
sl_status sl_aggset_results(sl_aggset *s, const void *block, sl_arena *arena,
                            sl_value *out, int *unrepresentable,
                            sl_error *err);

/* Appends the states of block, one blob per call. */
sl_status sl_aggset_serialize(sl_aggset *s, const void *block,
                              sl_strbuf *out, sl_error *err);

/* Rebuilds a block from what serialize wrote, read from rd.  On failure
 * nothing needs freeing. */
sl_status sl_aggset_deserialize(sl_aggset *s, void *block,
                                sl_rowcodec_reader *rd, sl_error *err);

#endif /* SLUICE_OPS_AGGSET_H */
