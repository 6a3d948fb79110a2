/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg.h - aggregates: the hooks an aggregate implements and the call
 * site the aggregation and window operators drive.
 *
 * An aggregate keeps a state per group (per window, per key).  The
 * registry's aggregate signatures carry an sl_func_agg_impl: the hooks
 * that size, initialize, update, combine, finish, store and free such a
 * state.  Operators do not call the hooks directly: they open one sl_agg
 * per aggregate call in the query (the call site) and go through it, so
 * that DISTINCT, the sliding variant and row errors work the same way
 * for every aggregate, built-in or C UDAF.
 *
 * The life of a state:
 *
 *   sl_agg_state_init    a new, empty group (state_size bytes the caller
 *                        owns: in a hash table entry, an arena, ...)
 *   sl_agg_add           one call per batch: the rows whose `active` flag
 *                        is set join the group
 *   sl_agg_retract       sliding windows: rows leave the group again
 *   sl_agg_merge         hopping/session window merges, parallel partials
 *   sl_agg_result        the current value (EMIT CHANGES may ask often)
 *   sl_agg_serialize     the state as bytes for the state store and the
 *   sl_agg_deserialize   changelog, and back (checkpoint, restore)
 *   sl_agg_state_free    the heap memory the state holds, if any
 *
 * Row errors.  A row that cannot join the group (an integer SUM that
 * leaves BIGINT, a list past its cap, a C UDAF refusing the row) is not
 * added; it gets an error in agg->ctx.errors[row] with a dead-letter
 * reason ("overflow", "udf") and a message naming the function, exactly
 * like a scalar call (call.h), and the operator routes that row per the
 * stream's error policy.  Only out-of-memory and broken invariants fail a
 * whole batch.  Do not retract a row whose add failed.
 *
 * Results that cannot be represented (a SUM over a merged or retracted
 * state that no longer fits BIGINT) make sl_agg_result fail with
 * SL_ERR_RECORD and err->reason "overflow": the operator treats that like
 * a row error of the row that asked for the result.  sl_agg_merge fails
 * the same way when the merged state would break a bound (a list past its
 * cap).
 *
 * NULLs follow SQL: rows whose argument is NULL are skipped by every
 * built-in aggregate but COUNT(*); SUM, AVG, MIN, MAX, STDDEV, FIRST and
 * LAST of no non-NULL value are NULL, COUNT is 0, TOPK and COLLECT_LIST
 * are an empty array.
 *
 * Event time.  FIRST, LAST and COLLECT_LIST order by the rows' event
 * times (event_times, one per row; NULL means "all equal"); ties go by
 * arrival order, which is row order within a batch, batch order across
 * calls, and in a merge the rows of `into` before those of `from`.
 *
 * Threads: a call site and its states are used by one thread at a time.
 */
#ifndef SLUICE_UDF_AGG_H
#define SLUICE_UDF_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/strbuf.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "udf/call.h"
#include "udf/registry.h"

/* COLLECT_LIST keeps at most this many values per group; a row past the
 * cap fails with reason "overflow" and is not collected. */
#define SL_AGG_COLLECT_MAX 10000

/* TOPK's k must lie in [1, SL_AGG_TOPK_MAX]. */
#define SL_AGG_TOPK_MAX 1000

/* The rows of one add or retract call. */
typedef struct sl_agg_rows {
  int nrows;
  const sl_value *const *args; /* nargs columns of nrows values, already
                                  cast to the signature's types */
  const bool *active;          /* rows to take; NULL: all of them */
  const int64_t *event_times;  /* per row, ms; NULL: all equal */
} sl_agg_rows;

/* The hooks of one aggregate signature.  ctx is the call site's function
 * context: func, sig, argument and return types, ctx->state (what the
 * signature's prepare step left there, e.g. TOPK's k, a UDAF's binding)
 * and, during add and retract, the batch's row errors (fail a row with
 * sl_func_row_fail or sl_func_fail; the arena is ctx->arena).  Every hook
 * returns SL_OK or fails the whole call with err filled. */
struct sl_func_agg_impl {
  /* Bytes of one state. */
  size_t (*state_size)(const sl_func_ctx *ctx);

  /* Initializes an empty state in state_size uninitialized bytes. */
  sl_status (*init)(sl_func_ctx *ctx, void *state, sl_error *err);

  /* Adds the active rows (row errors as described above). */
  sl_status (*add)(sl_func_ctx *ctx, void *state, const sl_agg_rows *rows,
                   sl_error *err);

  /* Removes active rows added before; NULL when the aggregate cannot
   * retract (see `sliding`).  Retracting a row never added is
   * SL_ERR_INTERNAL. */
  sl_status (*retract)(sl_func_ctx *ctx, void *state,
                       const sl_agg_rows *rows, sl_error *err);

  /* Folds from into into; from is unchanged.  SL_ERR_RECORD "overflow"
   * when the merged state breaks a bound. */
  sl_status (*merge)(sl_func_ctx *ctx, void *into, const void *from,
                     sl_error *err);

  /* The current value of the state into *out (memory from ctx->arena).
   * SL_ERR_RECORD "overflow" when it cannot be represented. */
  sl_status (*result)(sl_func_ctx *ctx, const void *state, sl_value *out,
                      sl_error *err);

  /* Appends the state's bytes to out. */
  sl_status (*serialize)(sl_func_ctx *ctx, const void *state,
                         sl_strbuf *out, sl_error *err);

  /* Rebuilds a state (in uninitialized bytes) from what serialize wrote.
   * Malformed bytes are SL_ERR_RUNTIME naming the function; the state is
   * then left empty (initialized) so it may be freed. */
  sl_status (*deserialize)(sl_func_ctx *ctx, void *state, const void *data,
                           size_t len, sl_error *err);

  /* Releases heap memory the state holds; NULL when it holds none. */
  void (*free)(sl_func_ctx *ctx, void *state);

  /* For OVER (... RANGE ...): a variant that retracts, when this one does
   * not (MIN and MAX keep a sorted multiset there instead of one value).
   * NULL when this implementation serves sliding windows itself. */
  const sl_func_agg_impl *sliding;
};

/* sl_agg_open flags. */
enum {
  SL_AGG_DISTINCT = 1u << 0, /* AGG(DISTINCT x) */
  SL_AGG_SLIDING = 1u << 1   /* OVER (... RANGE ...): needs retract */
};

/* One aggregate call site. */
typedef struct sl_agg {
  sl_func_ctx ctx;              /* func, sig, types, prepare state, and
                                   the row errors of the last add */
  const sl_func_agg_impl *impl; /* the implementation in use */
  unsigned flags;
  size_t inner_size;            /* the implementation's state size */
} sl_agg;

/* Opens a call site for signature sig of aggregate func, with the target
 * argument types and return type of the binder's resolution (which must
 * outlive the call site) and flags.  consts gives the constant arguments
 * (TOPK's k), consts[i] NULL for a column argument; consts may be NULL
 * when there are none.  Errors are SL_ERR_SQL for calls that can never
 * work (DISTINCT on an aggregate without it, a sliding window over one
 * that cannot retract, TOPK's k out of range) and SL_ERR_INTERNAL for a
 * signature without an implementation.  Close with sl_agg_close, also
 * after a failure. */
sl_status sl_agg_open(sl_agg *agg, const sl_func *func,
                      const sl_func_sig *sig, int nargs,
                      sl_type *const *arg_types, const sl_type *ret_type,
                      unsigned flags, const sl_value *const *consts,
                      sl_error *err);

/* Opens a call site from a resolution (see sl_agg_open). */
sl_status sl_agg_open_resolved(sl_agg *agg, const sl_func_resolved *res,
                               unsigned flags,
                               const sl_value *const *consts,
                               sl_error *err);

/* Releases the call site (not the states). */
void sl_agg_close(sl_agg *agg);

/* Bytes of one state of this call site. */
size_t sl_agg_state_size(const sl_agg *agg);

/* True when states of this call site support sl_agg_retract. */
bool sl_agg_can_retract(const sl_agg *agg);

/* Initializes an empty state in sl_agg_state_size bytes, which the
 * caller owns and must align for any type (as malloc and sl_arena_alloc
 * do: states hold 128-bit integers).  On failure the state needs no
 * freeing. */
sl_status sl_agg_state_init(sl_agg *agg, void *state, sl_error *err);

/* Frees what the state holds (not the state_size bytes themselves).  The
 * state must be initialized again before reuse. */
void sl_agg_state_free(sl_agg *agg, void *state);

/* Adds the active rows of a batch: nrows rows, args one column per
 * argument, active (NULL: all) and event_times (NULL: all equal) one
 * entry per row.  Row errors land in agg->ctx.errors (agg->ctx.nerrors
 * of them), allocated from arena, valid until the next add, retract or
 * reset of arena. */
sl_status sl_agg_add(sl_agg *agg, void *state, const sl_value *const *args,
                     int nrows, const bool *active,
                     const int64_t *event_times, sl_arena *arena,
                     sl_error *err);

/* Retracts rows added before (see sl_agg_add).  SL_ERR_INTERNAL when the
 * call site cannot retract. */
sl_status sl_agg_retract(sl_agg *agg, void *state,
                         const sl_value *const *args, int nrows,
                         const bool *active, const int64_t *event_times,
                         sl_arena *arena, sl_error *err);

/* Folds state from into state into (from unchanged). */
sl_status sl_agg_merge(sl_agg *agg, void *into, const void *from,
                       sl_error *err);

/* The aggregate's value for state, memory from arena. */
sl_status sl_agg_result(sl_agg *agg, const void *state, sl_arena *arena,
                        sl_value *out, sl_error *err);

/* Appends the state's bytes to out (a format private to the aggregate,
 * stable across runs and independent of the machine's byte order for the
 * built-ins). */
sl_status sl_agg_serialize(sl_agg *agg, const void *state, sl_strbuf *out,
                           sl_error *err);

/* Rebuilds a state in uninitialized state_size bytes from serialized
 * bytes.  On failure the state is empty but initialized: free it with
 * sl_agg_state_free. */
sl_status sl_agg_deserialize(sl_agg *agg, void *state, const void *data,
                             size_t len, sl_error *err);

#endif /* SLUICE_UDF_AGG_H */
