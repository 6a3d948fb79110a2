/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_functions.h - calling built-in functions the way the engine does,
 * for the udf/ unit tests.
 *
 * fn_call resolves a function against the built-in registry for the
 * argument types, casts the arguments to the resolved types as the
 * binder would, and evaluates one row twice: once with every argument a
 * constant known at prepare time and once with none, checking that both
 * agree (constant folding and per-row evaluation must never differ).
 * fn_call_varying only does the second.
 * Results live in the test's arena until fn_reset.
 */
#ifndef SLUICE_TEST_FUNCTIONS_H
#define SLUICE_TEST_FUNCTIONS_H

#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "udf/call.h"
#include "udf/registry.h"

#define FN_MAX_ARGS 8

/* What one call gave. */
typedef struct fn_result {
  sl_value value;
  const char *reason;  /* NULL when the row succeeded */
  const char *message; /* the row's error message */
  char type[SL_TYPE_SQL_MAX]; /* the resolved return type */
} fn_result;

static sl_arena fn_arena;
static bool fn_arena_ready;
static int64_t fn_clock_now = 1714564800123; /* 2024-05-01 12:00:00.123Z */

static inline int64_t fn_test_clock(void *arg) {
  (void)arg;
  return fn_clock_now;
}

static inline sl_arena *fn_mem(void) {
  if (!fn_arena_ready) {
    sl_arena_init(&fn_arena, 0);
    fn_arena_ready = true;
  }
  return &fn_arena;
}

static inline void fn_reset(void) {
  if (fn_arena_ready)
    sl_arena_destroy(&fn_arena);
  fn_arena_ready = false;
}

/* The type a test value stands for: its kind's singleton, DECIMAL(38,s)
 * for decimals.  Composite values need explicit types. */
static inline sl_type *fn_type_of(const sl_value *v) {
  if (v->kind == SL_TYPE_DECIMAL)
    return sl_type_new_decimal(38, v->scale);
  sl_type *t = sl_type_of_kind((sl_type_kind)v->kind);
  assert_non_null(t);
  return t;
}

static inline const sl_func_registry *fn_registry(void) {
  const sl_func_registry *reg = sl_func_registry_builtin();
  assert_non_null(reg);
  return reg;
}

/* Evaluates one row of prepared call site ctx on args. */
static inline void fn_eval_row(sl_func_ctx *ctx, int nargs,
                               sl_value *args, fn_result *res) {
  const sl_value *cols[FN_MAX_ARGS];
  for (int i = 0; i < nargs; i++)
    cols[i] = &args[i];
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = sl_func_eval(ctx, cols, 1, &res->value, fn_mem(), &err);
  if (rc != SL_OK)
    fail_msg("%s: batch failed: %s", ctx->func->name, err.message);
  res->reason = NULL;
  res->message = NULL;
  if (ctx->nerrors > 0) {
    res->reason = ctx->errors[0].reason;
    res->message = ctx->errors[0].message;
    if (res->value.kind != SL_TYPE_NULL)
      fail_msg("%s: a failed row must be NULL", ctx->func->name);
  }
}

/* Calls name on one row (types NULL: inferred from the values).  Fails
 * the test when the call does not resolve or prepare. */
static inline fn_result fn_call_mode(const char *name, int nargs,
                                     const sl_value *values,
                                     sl_type *const *types,
                                     bool with_consts) {
  fn_result res, res2;
  sl_type *own[FN_MAX_ARGS];
  const sl_type *argt[FN_MAX_ARGS];
  sl_value cast[FN_MAX_ARGS];
  const sl_value *consts[FN_MAX_ARGS];
  sl_func_resolved r;
  sl_error err;
  memset(&res, 0, sizeof(res));
  sl_error_clear(&err);
  assert_true(nargs <= FN_MAX_ARGS);

  for (int i = 0; i < nargs; i++) {
    own[i] = types ? NULL : fn_type_of(&values[i]);
    argt[i] = types ? types[i] : own[i];
  }
  for (int i = 0; i < nargs; i++)
    consts[i] = &values[i];
  if (sl_func_resolve_consts(fn_registry(), name, nargs, argt, consts, &r,
                             &err) != SL_OK)
    fail_msg("%s does not resolve: %s", name, err.message);
  sl_type_to_sql(r.ret_type, res.type, sizeof(res.type));

  /* The binder casts each argument to its target type. */
  for (int i = 0; i < nargs; i++) {
    if (sl_value_cast(fn_mem(), &values[i], r.arg_types[i], &cast[i],
                      &err) != SL_OK)
      fail_msg("%s: argument %d does not cast: %s", name, i + 1,
               err.message);
    consts[i] = &cast[i];
  }

  /* Once with constants... */
  sl_func_ctx ctx;
  if (with_consts) {
    sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
    ctx.clock = fn_test_clock;
    if (sl_func_ctx_prepare(&ctx, consts, &err) != SL_OK)
      fail_msg("%s: prepare failed: %s", name, err.message);
    fn_eval_row(&ctx, nargs, cast, &res);
    sl_func_ctx_destroy(&ctx);
  }

  /* ... and once without. */
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  ctx.clock = fn_test_clock;
  if (sl_func_ctx_prepare(&ctx, NULL, &err) != SL_OK)
    fail_msg("%s: prepare without constants failed: %s", name,
             err.message);
  fn_eval_row(&ctx, nargs, cast, &res2);
  sl_func_ctx_destroy(&ctx);
  if (!with_consts) {
    char type[SL_TYPE_SQL_MAX];
    memcpy(type, res.type, sizeof(type));
    res = res2;
    memcpy(res.type, type, sizeof(type));
  }

  if ((res.reason == NULL) != (res2.reason == NULL) ||
      (res.reason && strcmp(res.message, res2.message) != 0))
    fail_msg("%s: constant and per-row calls disagree on the error", name);
  if (!res.reason && (res.value.kind != res2.value.kind ||
                      (res.value.kind != SL_TYPE_NULL &&
                       sl_value_compare(&res.value, &res2.value) != 0)))
    fail_msg("%s: constant and per-row calls disagree on the value", name);

  sl_func_resolved_free(&r);
  for (int i = 0; i < nargs; i++)
    sl_type_free(own[i]);
  return res;
}

static inline fn_result fn_call_typed(const char *name, int nargs,
                                      const sl_value *values,
                                      sl_type *const *types) {
  return fn_call_mode(name, nargs, values, types, true);
}

static inline fn_result fn_call(const char *name, int nargs,
                                const sl_value *values) {
  return fn_call_mode(name, nargs, values, NULL, true);
}

/* Like fn_call, but only with arguments that vary per row (for values
 * that a constant would already reject at prepare time). */
static inline fn_result fn_call_varying(const char *name, int nargs,
                                        const sl_value *values) {
  return fn_call_mode(name, nargs, values, NULL, false);
}

/* The prepare-time error of name with constant arguments values, or ""
 * when there is none. */
static inline const char *fn_prepare_error(const char *name, int nargs,
                                           const sl_value *values) {
  static char msg[SL_ERROR_MSG_MAX];
  sl_type *own[FN_MAX_ARGS];
  const sl_value *consts[FN_MAX_ARGS];
  sl_func_resolved r;
  sl_error err;
  sl_error_clear(&err);
  for (int i = 0; i < nargs; i++) {
    own[i] = fn_type_of(&values[i]);
    consts[i] = &values[i];
  }
  if (sl_func_resolve(fn_registry(), name, nargs,
                      (const sl_type *const *)own, &r, &err) != SL_OK)
    fail_msg("%s does not resolve: %s", name, err.message);
  sl_func_ctx ctx;
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  msg[0] = '\0';
  if (sl_func_ctx_prepare(&ctx, consts, &err) != SL_OK) {
    assert_int_equal(err.code, SL_ERR_SQL);
    snprintf(msg, sizeof(msg), "%s", err.message);
  }
  sl_func_ctx_destroy(&ctx);
  sl_func_resolved_free(&r);
  for (int i = 0; i < nargs; i++)
    sl_type_free(own[i]);
  return msg;
}

/* A VARCHAR value of a C string (not copied). */
static inline sl_value vs(const char *s) {
  return sl_value_varchar(s, strlen(s));
}

/* Assertions on results, with the values in the failure message. */
#define assert_ok(res)                                                     \
  do {                                                                     \
    if ((res).reason)                                                      \
      fail_msg("unexpected row error (%s): %s", (res).reason,              \
               (res).message);                                             \
  } while (0)

#define assert_row_error(res, want_reason, want_message)                   \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    if (!r_.reason)                                                        \
      fail_msg("expected a row error \"%s\"", (want_message));             \
    assert_string_equal(r_.reason, (want_reason));                         \
    assert_string_equal(r_.message, (want_message));                       \
  } while (0)

#define assert_null_result(res)                                            \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    assert_ok(r_);                                                         \
    if (r_.value.kind != SL_TYPE_NULL)                                     \
      fail_msg("expected NULL, got kind %d", r_.value.kind);               \
  } while (0)

static inline void fn_check_varchar(fn_result res, const char *want,
                                    const char *file, int line) {
  if (res.reason)
    fail_msg("%s:%d: row error (%s): %s", file, line, res.reason,
             res.message);
  if (res.value.kind != SL_TYPE_VARCHAR)
    fail_msg("%s:%d: expected VARCHAR '%s', got kind %d", file, line, want,
             res.value.kind);
  if (res.value.len != strlen(want) ||
      memcmp(res.value.u.str, want, res.value.len) != 0)
    fail_msg("%s:%d: expected '%s', got '%.*s'", file, line, want,
             (int)res.value.len, res.value.u.str);
}
#define assert_varchar(res, want) \
  fn_check_varchar((res), (want), __FILE__, __LINE__)

static inline void fn_check_kind(fn_result res, sl_type_kind kind,
                                 const char *file, int line) {
  if (res.reason)
    fail_msg("%s:%d: row error (%s): %s", file, line, res.reason,
             res.message);
  if (res.value.kind != kind)
    fail_msg("%s:%d: expected %s, got kind %d", file, line,
             sl_type_kind_name(kind), res.value.kind);
}

#define assert_int_result(res, want)                                       \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    fn_check_kind(r_, SL_TYPE_INT, __FILE__, __LINE__);                    \
    assert_int_equal(r_.value.u.i32, (want));                              \
  } while (0)

#define assert_bigint_result(res, want)                                    \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    fn_check_kind(r_, SL_TYPE_BIGINT, __FILE__, __LINE__);                 \
    assert_true(r_.value.u.i64 == (int64_t)(want));                        \
  } while (0)

#define assert_double_result(res, want, eps)                               \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    fn_check_kind(r_, SL_TYPE_DOUBLE, __FILE__, __LINE__);                 \
    assert_double_near(r_.value.u.f64, (want), (eps));                     \
  } while (0)

#define assert_bool_result(res, want)                                      \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    fn_check_kind(r_, SL_TYPE_BOOLEAN, __FILE__, __LINE__);                \
    assert_int_equal(r_.value.u.b, (want));                                \
  } while (0)

#define assert_timestamp_result(res, want)                                 \
  do {                                                                     \
    fn_result r_ = (res);                                                  \
    fn_check_kind(r_, SL_TYPE_TIMESTAMP, __FILE__, __LINE__);              \
    if (r_.value.u.i64 != (int64_t)(want))                                 \
      fail_msg("expected timestamp %lld, got %lld", (long long)(want),     \
               (long long)r_.value.u.i64);                                 \
  } while (0)

/* The text form of a result (for DECIMAL and composites). */
static inline const char *fn_text(fn_result res, const sl_type *type) {
  static char buf[1024];
  sl_strbuf sb = SL_STRBUF_INIT;
  if (res.reason)
    fail_msg("row error (%s): %s", res.reason, res.message);
  sl_format_text(&sb, &res.value, type);
  snprintf(buf, sizeof(buf), "%s", sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return buf;
}

#endif /* SLUICE_TEST_FUNCTIONS_H */
