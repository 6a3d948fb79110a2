/* SPDX-License-Identifier: Apache-2.0 */
/*
 * call.c - call sites of scalar functions: prepare once, evaluate per
 * batch, record the errors of single rows.
 */
#include "udf/call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udf/registry.h"

/* Initializes a call site (see call.h). */
void sl_func_ctx_init(sl_func_ctx *ctx, const sl_func *func,
                      const sl_func_sig *sig, int nargs,
                      sl_type *const *arg_types, const sl_type *ret_type) {
  memset(ctx, 0, sizeof(*ctx));
  ctx->func = func;
  ctx->sig = sig;
  ctx->nargs = nargs;
  ctx->arg_types = arg_types;
  ctx->ret_type = ret_type;
  ctx->clock = sl_func_clock_realtime;
}

/* Runs the prepare step of the call site's signature. */
sl_status sl_func_ctx_prepare(sl_func_ctx *ctx,
                              const sl_value *const *consts,
                              sl_error *err) {
  if (!ctx->sig->prepare)
    return SL_OK;
  sl_func_ctx_destroy(ctx); /* a second prepare starts afresh */
  const sl_value *none[1] = {NULL};
  if (!consts && ctx->nargs > 0) {
    /* No constants: hand the implementation an all-NULL array. */
    const sl_value **empty =
        ctx->nargs <= 1 ? none : calloc((size_t)ctx->nargs, sizeof(*empty));
    if (!empty)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    sl_status rc = ctx->sig->prepare(ctx, empty, err);
    if (empty != none)
      free(empty);
    return rc;
  }
  return ctx->sig->prepare(ctx, consts ? consts : none, err);
}

/* Frees the call site's state. */
void sl_func_ctx_destroy(sl_func_ctx *ctx) {
  if (ctx->state && ctx->state_free)
    ctx->state_free(ctx->state);
  ctx->state = NULL;
  ctx->state_free = NULL;
}

/* Evaluates one batch (see call.h). */
sl_status sl_func_eval(sl_func_ctx *ctx, const sl_value *const *args,
                       int nrows, sl_value *out, sl_arena *arena,
                       sl_error *err) {
  if (!ctx->sig || !ctx->sig->scalar)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "function %s has no scalar implementation",
                        ctx->func ? ctx->func->name : "?");
  ctx->arena = arena;
  ctx->nrows = nrows;
  ctx->errors = NULL;
  ctx->nerrors = 0;
  ctx->out_of_memory = false;

  sl_status rc = ctx->sig->scalar(ctx, ctx->nargs, args, nrows, out, err);
  if (rc == SL_OK && ctx->out_of_memory)
    rc = sl_error_set(err, SL_ERR_NOMEM,
                      "out of memory recording a row error of %s",
                      ctx->func->name);
  return rc;
}

/* Evaluates a batch with some rows inactive (see call.h). */
sl_status sl_func_eval_active(sl_func_ctx *ctx, const sl_value *const *args,
                              int nrows, const bool *active, sl_value *out,
                              sl_arena *arena, sl_error *err) {
  sl_status rc = sl_func_eval(ctx, args, nrows, out, arena, err);
  if (rc != SL_OK || !active)
    return rc;
  for (int r = 0; r < nrows; r++) {
    if (active[r])
      continue;
    out[r] = sl_value_null();
    if (ctx->errors && ctx->errors[r].reason) {
      ctx->errors[r].reason = NULL;
      ctx->errors[r].message = NULL;
      ctx->nerrors--;
    }
  }
  return SL_OK;
}

/* Marks one row as failed (see call.h). */
void sl_func_row_fail(sl_func_ctx *ctx, int row, sl_value *out_row,
                      const char *reason, const char *fmt, ...) {
  *out_row = sl_value_null();
  if (!ctx->errors) {
    ctx->errors = sl_arena_calloc(ctx->arena, (size_t)ctx->nrows,
                                  sizeof(*ctx->errors));
    if (!ctx->errors) {
      ctx->out_of_memory = true;
      return;
    }
  }

  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);

  sl_func_row_error *e = &ctx->errors[row];
  if (!e->reason)
    ctx->nerrors++;
  e->reason = reason;
  e->message = sl_arena_strdup(ctx->arena, msg);
  if (!e->message)
    e->message = "out of memory formatting the error";
}

/* The processing time for NOW(). */
int64_t sl_func_now_ms(sl_func_ctx *ctx) {
  if (!ctx->clock)
    return sl_func_clock_realtime(NULL);
  return ctx->clock(ctx->clock_arg);
}

/* CLOCK_REALTIME in milliseconds. */
int64_t sl_func_clock_realtime(void *arg) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
