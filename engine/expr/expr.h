/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.h - compiled expressions: a bound expression turned, once per
 * query, into a tree of typed batch kernels.
 *
 * sl_expr_compile walks an sl_bexpr tree a single time.  Every node gets
 * the kernel for its exact operand types (BIGINT addition with overflow
 * checks, DOUBLE comparison, a LIKE matcher for its constant pattern,
 * ...), constants are folded, and each node owns an output column of
 * values.  Evaluating a batch then runs every kernel once over the rows
 * still selected in the batch, column by column: no type dispatch and no
 * name lookup happens per row.
 *
 * Semantics follow PostgreSQL: integer division truncates toward zero;
 * INT and BIGINT overflow and division (or modulo) by zero of any numeric
 * type fail the row with reason "overflow" or "division_by_zero"; DECIMAL
 * arithmetic is exact (decimal.h); DOUBLE follows IEEE otherwise (overflow
 * gives an infinity).  AND, OR and NOT are three-valued.  AND, OR, CASE,
 * COALESCE and IFNULL evaluate an operand only for the rows that still
 * need it, so `b <> 0 AND a / b > 1` never divides by zero and
 * COALESCE(x, 1 / y) divides only where x is NULL.
 *
 * Per-row failures never fail the batch: the row is marked
 * SL_BATCH_ROW_ERROR in the batch with its reason and message (the first
 * failure of a row wins) and its result is NULL; the operator that owns
 * the batch routes it to the stream's error policy.  A non-OK status from
 * an evaluation means the whole batch failed (out of memory, a broken
 * invariant).
 *
 * Threads: a compiled expression holds its scratch columns and the state
 * of its function call sites, so it is used by one thread at a time.  Each
 * operator instance compiles its own (compiling is cheap).
 */
#ifndef SLUICE_EXPR_H
#define SLUICE_EXPR_H

#include <stdbool.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/batch.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "parser/bound.h"
#include "udf/call.h"

typedef struct sl_expr sl_expr;

/* Binds a PREDICT node to its model: initializes ctx as a call site whose
 * arguments are the node's args (sl_func_ctx_init) and prepares it.  The
 * model runtime supplies it; the expression destroys ctx when freed. */
typedef sl_status (*sl_expr_predict_fn)(void *arg, const sl_bexpr *node,
                                        sl_func_ctx *ctx, sl_error *err);

typedef struct sl_expr_options {
  /* Where compile-time errors point (the script's name); may be NULL. */
  const char *file;
  /* The processing-time clock handed to every call site (NOW()); NULL for
   * the real-time clock. */
  sl_func_clock_fn clock;
  void *clock_arg;
  /* PREDICT support; without it a PREDICT node fails to compile. */
  sl_expr_predict_fn predict;
  void *predict_arg;
} sl_expr_options;

/* Compiles e.  opts may be NULL.  The compiled expression copies every
 * constant and type it needs, so the bound statement may be freed
 * afterwards; registry functions stay borrowed.  Errors found at compile
 * time (a constant LIKE pattern ending in the escape character, a
 * function constant its prepare step rejects) are SL_ERR_SQL at the
 * node's position.  On success *out is owned by the caller
 * (sl_expr_free). */
sl_status sl_expr_compile(const sl_bexpr *e, const sl_expr_options *opts,
                          sl_expr **out, sl_error *err);

/* Frees a compiled expression.  Accepts NULL. */
void sl_expr_free(sl_expr *e);

/* The result type (owned by the expression). */
const sl_type *sl_expr_type(const sl_expr *e);

/* When the expression folded to a constant, stores a pointer to it (owned
 * by the expression) in *value (may be NULL) and returns true. */
bool sl_expr_constant(const sl_expr *e, const sl_value **value);

/* When the expression is a plain column reference, returns its index,
 * else -1. */
int sl_expr_column(const sl_expr *e);

/* Evaluates e over the selected rows of batch.  *result points at
 * batch->capacity values (rows not selected hold NULL), owned by the
 * expression or the batch and valid until the next evaluation of e or
 * the batch's reset.  Strings and composites built by the kernels come
 * from arena (normally the batch's), so they live as long as it.
 * *nfailed (may be NULL) receives the number of rows this call marked
 * failed. */
sl_status sl_expr_run(sl_expr *e, sl_batch *batch, sl_arena *arena,
                      const sl_value **result, int *nfailed, sl_error *err);

/* Like sl_expr_run, copying the results into out (batch->capacity
 * values). */
sl_status sl_expr_eval(sl_expr *e, sl_batch *batch, sl_arena *arena,
                       sl_value *out, int *nfailed, sl_error *err);

/* Applies a BOOLEAN predicate: every selected row for which e is not TRUE
 * (FALSE or NULL) is marked dropped; rows that fail are marked failed.
 * *ndropped and *nfailed may be NULL. */
sl_status sl_expr_filter(sl_expr *e, sl_batch *batch, sl_arena *arena,
                         int *ndropped, int *nfailed, sl_error *err);

/* Evaluates an expression without column references (INSERT VALUES, a
 * constant option) into *out, whose payload comes from arena.  A row
 * failure becomes the returned SL_ERR_RECORD with err->reason set
 * ("overflow", "division_by_zero", "type", ...). */
sl_status sl_expr_eval_constant(const sl_bexpr *e, sl_arena *arena,
                                sl_value *out, sl_error *err);

#endif /* SLUICE_EXPR_H */
