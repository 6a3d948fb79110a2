/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader_call.c - calling C UDFs: the engine's batch contracts (call.h
 * for scalars, agg.h for aggregates) on one side, the public ABI of
 * sluice/udf.h on the other.
 *
 * sluice_udf_value has exactly the layout of sl_value (checked below at
 * compile time), so argument columns are handed to a library as they
 * are, without copying; results come back in sluice_udf_value memory of
 * the host and are checked (kind, DECIMAL precision, UTF-8) and copied
 * into the batch arena before they become sl_values.  The two types are
 * never accessed as each other within one translation unit: the library
 * sees only its own.
 *
 * Each call gets a udf_call whose first member is the public context,
 * so the host functions (scratch memory, error reports) find their way
 * back to the engine's call site.  Row errors get the reason "udf" and
 * the function's name in front of the library's message.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/format.h"
#include "udf/agg_internal.h"
#include "udf/builtins.h"
#include "udf/loader_internal.h"

/* The public value is the engine's value. */
_Static_assert(sizeof(sluice_udf_value) == sizeof(sl_value),
               "sluice_udf_value and sl_value differ in size");
_Static_assert(offsetof(sluice_udf_value, kind) == offsetof(sl_value, kind),
               "kind offset");
_Static_assert(offsetof(sluice_udf_value, scale) ==
                   offsetof(sl_value, scale), "scale offset");
_Static_assert(offsetof(sluice_udf_value, len) == offsetof(sl_value, len),
               "len offset");
_Static_assert(offsetof(sluice_udf_value, u) == offsetof(sl_value, u),
               "payload offset");
_Static_assert(offsetof(sluice_udf_value, u.dec.hi) ==
                   offsetof(sl_value, u.dec.hi), "decimal offset");
#define SAME_KIND(k) ((int)SLUICE_UDF_##k == (int)SL_TYPE_##k)
_Static_assert(SAME_KIND(NULL) && SAME_KIND(BOOLEAN) && SAME_KIND(INT) &&
               SAME_KIND(BIGINT) && SAME_KIND(DOUBLE) &&
               SAME_KIND(DECIMAL) && SAME_KIND(VARCHAR) &&
               SAME_KIND(BYTES) && SAME_KIND(DATE) &&
               SAME_KIND(TIMESTAMP) && SAME_KIND(INTERVAL) &&
               SAME_KIND(ARRAY) && SAME_KIND(MAP) && SAME_KIND(STRUCT),
               "value kinds");
#undef SAME_KIND

/* Where an error report goes. */
typedef enum call_mode {
  MODE_ROWS,  /* a row error of the batch (scalars, aggregate add) */
  MODE_OUTPUT /* the hook's output (aggregate retract, merge, result) */
} call_mode;

typedef struct udf_call {
  sluice_udf_ctx pub; /* first: the library holds a pointer to it */
  sl_func_ctx *fctx;
  sl_arena *arena;    /* scratch memory */
  call_mode mode;
  int nrows;
  sl_value *out;      /* scalar results, or NULL */
  bool row_failed;    /* the current row reported an error */
  bool has_message;   /* MODE_OUTPUT: an error was reported */
  char message[SL_ERROR_MSG_MAX];
} udf_call;

static void *host_scratch(sluice_udf_ctx *ctx, size_t size) {
  udf_call *call = (udf_call *)(void *)ctx;
  return call->arena ? sl_arena_alloc(call->arena, size ? size : 1) : NULL;
}

static void host_error(sluice_udf_ctx *ctx, int row, const char *message) {
  udf_call *call = (udf_call *)(void *)ctx;
  if (!message || !message[0])
    message = "failed";
  if (call->mode == MODE_ROWS && row >= 0 && row < call->nrows) {
    sl_value ignored;
    sl_func_fail(call->fctx, row, call->out ? &call->out[row] : &ignored,
                 "udf", "%s", message);
    if (row == call->pub.row)
      call->row_failed = true;
    return;
  }
  if (!call->has_message) {
    snprintf(call->message, sizeof(call->message), "%s", message);
    call->has_message = true;
  }
}

static const sluice_udf_host host_table = {
  SLUICE_UDF_ABI_VERSION, host_scratch, host_error,
};

static const sl_udf_binding *binding_of(const sl_func_ctx *ctx) {
  return ctx->sig->impl_data;
}

static void call_init(udf_call *call, sl_func_ctx *ctx, call_mode mode,
                      sl_arena *arena, int nrows, sl_value *out) {
  memset(call, 0, sizeof(*call));
  call->pub.host = &host_table;
  call->pub.user_data = binding_of(ctx)->decl->user_data;
  call->pub.nargs = ctx->nargs;
  call->pub.row = -1;
  call->fctx = ctx;
  call->arena = arena;
  call->mode = mode;
  call->nrows = nrows;
  call->out = out;
}

static sl_status call_nomem(const sl_func_ctx *ctx, sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "%s: out of memory",
                      binding_of(ctx)->lname);
}

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

enum { CONVERT_OK, CONVERT_BAD, CONVERT_NOMEM };

/* Turns a library's result into an engine value of type ret in arena;
 * CONVERT_BAD with the reason in why. */
static int convert_result(const sluice_udf_value *res, const sl_type *ret,
                          sl_arena *arena, sl_value *out, char *why,
                          size_t why_size) {
  *out = sl_value_null();
  if (res->kind == SLUICE_UDF_NULL)
    return CONVERT_OK;
  if (res->kind > SLUICE_UDF_STRUCT) {
    snprintf(why, why_size, "returned a value of unknown kind %u",
             (unsigned)res->kind);
    return CONVERT_BAD;
  }
  if (res->kind != ret->kind) {
    char t[SL_TYPE_SQL_MAX];
    snprintf(why, why_size, "returned %s, but is declared to return %s",
             sl_type_kind_name((sl_type_kind)res->kind),
             sl_type_to_sql(ret, t, sizeof(t)));
    return CONVERT_BAD;
  }
  switch ((sl_type_kind)res->kind) {
  case SL_TYPE_BOOLEAN:
    *out = sl_value_bool(res->u.b);
    return CONVERT_OK;
  case SL_TYPE_INT:
    *out = sl_value_int(res->u.i32);
    return CONVERT_OK;
  case SL_TYPE_DATE:
    *out = sl_value_date(res->u.i32);
    return CONVERT_OK;
  case SL_TYPE_BIGINT:
    *out = sl_value_bigint(res->u.i64);
    return CONVERT_OK;
  case SL_TYPE_TIMESTAMP:
    *out = sl_value_timestamp(res->u.i64);
    return CONVERT_OK;
  case SL_TYPE_INTERVAL:
    *out = sl_value_interval(res->u.i64);
    return CONVERT_OK;
  case SL_TYPE_DOUBLE:
    *out = sl_value_double(res->u.f64);
    return CONVERT_OK;
  case SL_TYPE_DECIMAL: {
    __extension__ typedef unsigned __int128 u128;
    sl_int128 v = (sl_int128)(((u128)(uint64_t)res->u.dec.hi << 64) |
                              res->u.dec.lo);
    sl_int128 scaled = v;
    sl_error derr;
    sl_error_clear(&derr);
    bool ok = res->scale <= SL_DECIMAL_MAX_PRECISION;
    if (ok && res->scale != ret->scale)
      ok = sl_decimal_rescale(v, res->scale, ret->scale, ret->precision,
                              &scaled, &derr) == SL_OK;
    else if (ok)
      ok = sl_decimal_fits(v, ret->precision);
    if (!ok) {
      snprintf(why, why_size, "returned a DECIMAL that does not fit "
               "DECIMAL(%d,%d)", ret->precision, ret->scale);
      return CONVERT_BAD;
    }
    *out = sl_value_decimal(scaled, ret->scale);
    return CONVERT_OK;
  }
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES: {
    if (res->len > 0 && !res->u.str) {
      snprintf(why, why_size, "returned %u bytes at a NULL pointer",
               (unsigned)res->len);
      return CONVERT_BAD;
    }
    if (res->kind == SL_TYPE_VARCHAR &&
        !sl_format_utf8_valid(res->u.str, res->len)) {
      snprintf(why, why_size, "returned a VARCHAR that is not valid "
               "UTF-8");
      return CONVERT_BAD;
    }
    char *copy = sl_arena_alloc(arena, res->len ? res->len : 1);
    if (!copy)
      return CONVERT_NOMEM;
    if (res->len)
      memcpy(copy, res->u.str, res->len);
    *out = res->kind == SL_TYPE_VARCHAR ? sl_value_varchar(copy, res->len)
                                        : sl_value_bytes(copy, res->len);
    return CONVERT_OK;
  }
  default:
    snprintf(why, why_size, "returned %s, which UDFs cannot return",
             sl_type_kind_name((sl_type_kind)res->kind));
    return CONVERT_BAD;
  }
}

/* ------------------------------------------------------------------ */
/* Scalars                                                             */
/* ------------------------------------------------------------------ */

/* Converts the result of row r, failing the row when it is unusable. */
static sl_status finish_row(sl_func_ctx *ctx, int r,
                            const sluice_udf_value *res, sl_value *out,
                            sl_error *err) {
  char why[256];
  int rc = convert_result(res, ctx->ret_type, ctx->arena, &out[r], why,
                          sizeof(why));
  if (rc == CONVERT_NOMEM)
    return call_nomem(ctx, err);
  if (rc == CONVERT_BAD)
    sl_func_fail(ctx, r, &out[r], "udf", "%s", why);
  return SL_OK;
}

static sl_status batch_call(sl_func_ctx *ctx, const sluice_udf_function *f,
                            const sl_value *const *args, int nrows,
                            sl_value *out, sl_error *err) {
  bool strict = !(f->flags & SLUICE_UDF_CALLED_ON_NULL);
  bool *live = sl_arena_alloc(ctx->arena, (size_t)(nrows ? nrows : 1));
  sluice_udf_value *results =
      sl_arena_alloc(ctx->arena, sizeof(*results) * (size_t)(nrows ? nrows
                                                                   : 1));
  if (!live || !results)
    return call_nomem(ctx, err);
  for (int r = 0; r < nrows; r++) {
    live[r] = !strict || !sl_func_any_null(ctx->nargs, args, r);
    sluice_udf_set_null(&results[r]);
    out[r] = sl_value_null();
  }

  udf_call call;
  call_init(&call, ctx, MODE_ROWS, ctx->arena, nrows, out);
  int rc = f->batch(&call.pub, nrows,
                    (const sluice_udf_value *const *)(const void *)args,
                    live, results);
  if (rc == SLUICE_UDF_NOMEM)
    return call_nomem(ctx, err);
  if (rc != SLUICE_UDF_OK)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "%s: the batch function of UDF library \"%s\" "
                        "returned %d", binding_of(ctx)->lname,
                        binding_of(ctx)->lib->display, rc);
  for (int r = 0; r < nrows; r++) {
    if (!live[r] || (ctx->errors && ctx->errors[r].reason)) {
      out[r] = sl_value_null();
      continue;
    }
    sl_status st = finish_row(ctx, r, &results[r], out, err);
    if (st != SL_OK)
      return st;
  }
  return SL_OK;
}

/* The scalar implementation of every UDF (see loader_internal.h). */
sl_status sl_udf_scalar_call(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  const sluice_udf_function *f = binding_of(ctx)->decl;
  if (f->batch)
    return batch_call(ctx, f, args, nrows, out, err);

  bool strict = !(f->flags & SLUICE_UDF_CALLED_ON_NULL);
  sluice_udf_value *argv =
      sl_arena_alloc(ctx->arena, sizeof(*argv) * (size_t)(nargs ? nargs : 1));
  if (!argv)
    return call_nomem(ctx, err);
  udf_call call;
  call_init(&call, ctx, MODE_ROWS, ctx->arena, nrows, out);
  for (int r = 0; r < nrows; r++) {
    out[r] = sl_value_null();
    if (strict && sl_func_any_null(nargs, args, r))
      continue;
    for (int i = 0; i < nargs; i++)
      memcpy(&argv[i], &args[i][r], sizeof(argv[i]));
    sluice_udf_value res;
    sluice_udf_set_null(&res);
    call.pub.row = r;
    call.row_failed = false;
    int rc = f->scalar(&call.pub, argv, &res);
    if (rc == SLUICE_UDF_NOMEM)
      return call_nomem(ctx, err);
    if (call.row_failed)
      continue;
    if (rc != SLUICE_UDF_OK) {
      sl_func_fail(ctx, r, &out[r], "udf", "failed without a message");
      continue;
    }
    sl_status st = finish_row(ctx, r, &res, out, err);
    if (st != SL_OK)
      return st;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Aggregates                                                          */
/* ------------------------------------------------------------------ */

#define STATE_FORMAT 1

static const sluice_udf_aggregate *agg_of(const sl_func_ctx *ctx) {
  return binding_of(ctx)->decl->aggregate;
}

/* The error of a hook's output: the library's message, or a generic
 * one. */
static sl_status output_error(const sl_func_ctx *ctx, const udf_call *call,
                              const char *hook, sl_error *err) {
  if (call->has_message)
    return sl_agg_record_error(err, "udf", "%s: %s", binding_of(ctx)->lname,
                               call->message);
  return sl_agg_record_error(err, "udf", "%s: %s failed without a message",
                             binding_of(ctx)->lname, hook);
}

static size_t udaf_size(const sl_func_ctx *ctx) {
  return agg_of(ctx)->state_size;
}

static sl_status udaf_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  const sluice_udf_aggregate *a = agg_of(ctx);
  memset(state, 0, a->state_size);
  if (!a->init)
    return SL_OK;
  sl_arena tmp;
  sl_arena_init(&tmp, 1024);
  udf_call call;
  call_init(&call, ctx, MODE_OUTPUT, &tmp, 0, NULL);
  a->init(&call.pub, state);
  sl_arena_destroy(&tmp);
  return SL_OK;
}

/* Add (retract false) or retract the active rows. */
static sl_status udaf_rows(sl_func_ctx *ctx, void *state,
                           const sl_agg_rows *rows, bool retract,
                           sl_error *err) {
  const sluice_udf_function *f = binding_of(ctx)->decl;
  const sluice_udf_aggregate *a = f->aggregate;
  int (*hook)(sluice_udf_ctx *, void *, const sluice_udf_value *) =
      retract ? a->retract : a->add;
  bool strict = !(f->flags & SLUICE_UDF_CALLED_ON_NULL);
  int nargs = ctx->nargs;
  sluice_udf_value *argv =
      sl_arena_alloc(ctx->arena, sizeof(*argv) * (size_t)(nargs ? nargs : 1));
  if (!argv)
    return call_nomem(ctx, err);

  udf_call call;
  call_init(&call, ctx, retract ? MODE_OUTPUT : MODE_ROWS, ctx->arena,
            rows->nrows, NULL);
  for (int r = 0; r < rows->nrows; r++) {
    if (!sl_agg_row_on(rows, r) ||
        (strict && sl_func_any_null(nargs, rows->args, r)))
      continue;
    for (int i = 0; i < nargs; i++)
      memcpy(&argv[i], &rows->args[i][r], sizeof(argv[i]));
    call.pub.row = r;
    call.pub.event_time = sl_agg_row_time(rows, r);
    call.row_failed = false;
    int rc = hook(&call.pub, state, argv);
    if (rc == SLUICE_UDF_NOMEM)
      return call_nomem(ctx, err);
    if (retract) {
      if (rc != SLUICE_UDF_OK || call.has_message)
        return output_error(ctx, &call, "retract", err);
      continue;
    }
    if (rc != SLUICE_UDF_OK && !call.row_failed) {
      sl_value ignored;
      sl_func_fail(ctx, r, &ignored, "udf", "failed without a message");
    }
  }
  return SL_OK;
}

static sl_status udaf_add(sl_func_ctx *ctx, void *state,
                          const sl_agg_rows *rows, sl_error *err) {
  return udaf_rows(ctx, state, rows, false, err);
}

static sl_status udaf_retract(sl_func_ctx *ctx, void *state,
                              const sl_agg_rows *rows, sl_error *err) {
  return udaf_rows(ctx, state, rows, true, err);
}

static sl_status udaf_merge(sl_func_ctx *ctx, void *into, const void *from,
                            sl_error *err) {
  const sluice_udf_aggregate *a = agg_of(ctx);
  sl_arena tmp;
  sl_arena_init(&tmp, 1024);
  udf_call call;
  call_init(&call, ctx, MODE_OUTPUT, &tmp, 0, NULL);
  int rc = a->merge(&call.pub, into, from);
  sl_status st = SL_OK;
  if (rc == SLUICE_UDF_NOMEM)
    st = call_nomem(ctx, err);
  else if (rc != SLUICE_UDF_OK || call.has_message)
    st = output_error(ctx, &call, "merge", err);
  sl_arena_destroy(&tmp);
  return st;
}

static sl_status udaf_result(sl_func_ctx *ctx, const void *state,
                             sl_value *out, sl_error *err) {
  const sluice_udf_aggregate *a = agg_of(ctx);
  udf_call call;
  call_init(&call, ctx, MODE_OUTPUT, ctx->arena, 0, NULL);
  sluice_udf_value res;
  sluice_udf_set_null(&res);
  int rc = a->result(&call.pub, state, &res);
  if (rc == SLUICE_UDF_NOMEM)
    return call_nomem(ctx, err);
  if (rc != SLUICE_UDF_OK || call.has_message)
    return output_error(ctx, &call, "result", err);
  char why[256];
  int cv = convert_result(&res, ctx->ret_type, ctx->arena, out, why,
                          sizeof(why));
  if (cv == CONVERT_NOMEM)
    return call_nomem(ctx, err);
  if (cv == CONVERT_BAD)
    return sl_agg_record_error(err, "udf", "%s: %s", binding_of(ctx)->lname,
                               why);
  return SL_OK;
}

/* The state's bytes as they are, after a format byte and the size. */
static sl_status udaf_serialize(sl_func_ctx *ctx, const void *state,
                                sl_strbuf *out, sl_error *err) {
  size_t size = agg_of(ctx)->state_size;
  sl_agg_put_u8(out, STATE_FORMAT);
  sl_agg_put_u32(out, (uint32_t)size);
  sl_strbuf_append(out, state, size);
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

static sl_status udaf_deserialize(sl_func_ctx *ctx, void *state,
                                  const void *data, size_t len,
                                  sl_error *err) {
  size_t size = agg_of(ctx)->state_size;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = sl_agg_get_u8(&rd) == STATE_FORMAT;
  ok = ok && sl_agg_get_u32(&rd) == size && !rd.bad &&
       (size_t)(rd.end - rd.p) == size;
  if (!ok) {
    udaf_init(ctx, state, err);
    return sl_agg_corrupt(ctx, err);
  }
  memcpy(state, rd.p, size);
  return SL_OK;
}

const sl_func_agg_impl sl_udf_agg_impl = {
  udaf_size, udaf_init, udaf_add, NULL, udaf_merge, udaf_result,
  udaf_serialize, udaf_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_udf_agg_retract_impl = {
  udaf_size, udaf_init, udaf_add, udaf_retract, udaf_merge, udaf_result,
  udaf_serialize, udaf_deserialize, NULL, NULL,
};
