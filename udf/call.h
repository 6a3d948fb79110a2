/* SPDX-License-Identifier: Apache-2.0 */
/*
 * call.h - how the engine calls a scalar function: one call per batch.
 *
 * Every place an expression calls a function (a call site) gets one
 * sl_func_ctx.  The planner initializes it from the binder's resolution,
 * then calls sl_func_ctx_prepare once with whichever arguments are
 * constants, so that an implementation can do its expensive work (compile
 * a regular expression, load a time zone, parse a JSON path) once and
 * report a bad constant before the query starts.  Each batch is then one
 * sl_func_eval: every argument is a column of nrows values, and the
 * function fills nrows results.
 *
 * Memory a result needs (strings, arrays) comes from the batch arena the
 * caller passes, so results live exactly as long as the batch.  Built-in
 * results never point into argument memory, so the argument columns may
 * be released before the results.
 *
 * One row's failure (overflow, division by zero, a malformed format) does
 * not fail the batch: the row's result becomes NULL and the row gets an
 * error with a dead-letter reason and a message; the engine then applies
 * the stream's error policy to that row.  A non-OK status from
 * sl_func_eval means the whole batch failed (out of memory, a broken
 * invariant).
 *
 * A context belongs to one operator instance and is used by one thread at
 * a time; implementations keep per-call-site caches in ctx->state without
 * locking.
 */
#ifndef SLUICE_UDF_CALL_H
#define SLUICE_UDF_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

typedef struct sl_func sl_func;
typedef struct sl_func_sig sl_func_sig;
typedef struct sl_func_ctx sl_func_ctx;

/* The error of one row.  reason is a static dead-letter reason ("overflow",
 * "division_by_zero", "type", "udf"); message lives in the batch arena and
 * names the function ("ln: cannot take logarithm of zero"). */
typedef struct sl_func_row_error {
  const char *reason; /* NULL: the row succeeded */
  const char *message;
} sl_func_row_error;

/* Evaluates a batch.  args[i] is the column of argument i (nrows values,
 * already cast to ctx->arg_types[i]); out receives nrows results.  Rows
 * that fail call sl_func_row_fail.  Returns SL_OK, or an error for the
 * whole batch (filled into err). */
typedef sl_status (*sl_func_scalar_fn)(sl_func_ctx *ctx, int nargs,
                                       const sl_value *const *args,
                                       int nrows, sl_value *out,
                                       sl_error *err);

/* Prepares a call site once.  consts[i] is the value of argument i when it
 * is a constant, NULL otherwise.  May set ctx->state (and
 * ctx->state_free).  A constant that can never work (an invalid regular
 * expression, an unknown time zone) fails with SL_ERR_SQL and a message
 * naming the function and the value. */
typedef sl_status (*sl_func_prepare_fn)(sl_func_ctx *ctx,
                                        const sl_value *const *consts,
                                        sl_error *err);

/* The clock NOW() reads: milliseconds since the epoch, UTC. */
typedef int64_t (*sl_func_clock_fn)(void *arg);

struct sl_func_ctx {
  /* The call site, fixed by sl_func_ctx_init. */
  const sl_func *func;
  const sl_func_sig *sig;
  int nargs;
  sl_type *const *arg_types; /* nargs types, borrowed from the resolution */
  const sl_type *ret_type;   /* borrowed from the resolution */

  /* Per-call-site cache of the implementation, freed with state_free. */
  void *state;
  void (*state_free)(void *state);

  /* The processing-time clock; the real-time clock unless replaced. */
  sl_func_clock_fn clock;
  void *clock_arg;

  /* The batch being evaluated, set by sl_func_eval. */
  sl_arena *arena;
  int nrows;
  sl_func_row_error *errors; /* nrows entries once a row failed, else NULL */
  int nerrors;
  bool out_of_memory; /* an error record could not be allocated */
};

/* Initializes a call site for signature sig of func with the target
 * argument types and the return type of the binder's resolution, which
 * must outlive the context.  Cannot fail. */
void sl_func_ctx_init(sl_func_ctx *ctx, const sl_func *func,
                      const sl_func_sig *sig, int nargs,
                      sl_type *const *arg_types, const sl_type *ret_type);

/* Runs the signature's prepare step, if any (see sl_func_prepare_fn).
 * consts may be NULL when no argument is constant. */
sl_status sl_func_ctx_prepare(sl_func_ctx *ctx,
                              const sl_value *const *consts,
                              sl_error *err);

/* Frees the implementation's per-call-site state.  The context may be
 * initialized again afterwards. */
void sl_func_ctx_destroy(sl_func_ctx *ctx);

/* Evaluates one batch: nrows rows, args[i] the column of argument i,
 * results into out (nrows values).  Result memory comes from arena.  After
 * the call ctx->nerrors counts the failed rows and, when it is non-zero,
 * ctx->errors[row] holds each row's error (in arena).  Returns SL_OK, or
 * an error for the whole batch (SL_ERR_NOMEM, SL_ERR_INTERNAL). */
sl_status sl_func_eval(sl_func_ctx *ctx, const sl_value *const *args,
                       int nrows, sl_value *out, sl_arena *arena,
                       sl_error *err);

/* Like sl_func_eval for a batch of which only some rows are live (others
 * filtered out or failed earlier): every row is evaluated, but a row whose
 * active[row] is false gets NULL and no error, so ctx->errors and
 * ctx->nerrors describe live rows only.  active may be NULL (all live). */
sl_status sl_func_eval_active(sl_func_ctx *ctx, const sl_value *const *args,
                              int nrows, const bool *active, sl_value *out,
                              sl_arena *arena, sl_error *err);

/* For implementations: marks row as failed with a dead-letter reason (a
 * static string) and a printf-style message, and sets *out_row to NULL.
 * When the arena cannot hold the error record, the batch fails with
 * SL_ERR_NOMEM once the implementation returns. */
void sl_func_row_fail(sl_func_ctx *ctx, int row, sl_value *out_row,
                      const char *reason, const char *fmt, ...)
    SL_PRINTF(5, 6);

/* For implementations: the current processing time in ms (NOW()). */
int64_t sl_func_now_ms(sl_func_ctx *ctx);

/* The real-time clock (CLOCK_REALTIME in ms); the default clock. */
int64_t sl_func_clock_realtime(void *arg);

#endif /* SLUICE_UDF_CALL_H */
