/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agg_util.h - driving aggregates the way the operators do, for the
 * aggregate unit tests.
 *
 * tagg_open resolves an aggregate against the built-in registry for the
 * given argument types and opens a call site; states come from malloc
 * (aligned as the engine's are); results are read back as their text
 * form ("NULL" for NULL) so that tests compare exact strings.
 */
#ifndef SLUICE_TEST_AGG_UTIL_H
#define SLUICE_TEST_AGG_UTIL_H

#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "udf/agg.h"
#include "udf/registry.h"

#define TAGG_MAX_ARGS 4

typedef struct tagg {
  sl_func_resolved res;
  sl_agg agg;
  sl_arena arena;
  char text[4096];
} tagg;

/* Opens name(types...) with flags; consts[i] are constant arguments
 * (NULL entries for columns), or consts is NULL. */
static inline void tagg_open(tagg *t, const char *name, int nargs,
                             const sl_type *const *types, unsigned flags,
                             const sl_value *const *consts) {
  sl_error err;
  sl_error_clear(&err);
  memset(t, 0, sizeof(*t));
  sl_arena_init(&t->arena, 0);
  const sl_func_registry *reg = sl_func_registry_builtin();
  assert_non_null(reg);
  if (sl_func_resolve_consts(reg, name, nargs, types, consts, &t->res,
                             &err) != SL_OK)
    fail_msg("%s does not resolve: %s", name, err.message);
  if (sl_agg_open_resolved(&t->agg, &t->res, flags, consts, &err) != SL_OK)
    fail_msg("%s does not open: %s", name, err.message);
}

/* The error of opening name(types...) with flags, which must fail. */
static inline const char *tagg_open_error(const char *name, int nargs,
                                          const sl_type *const *types,
                                          unsigned flags,
                                          const sl_value *const *consts) {
  static sl_error err;
  sl_func_resolved res;
  sl_agg agg;
  sl_error_clear(&err);
  if (sl_func_resolve_consts(sl_func_registry_builtin(), name, nargs, types,
                             consts, &res, &err) != SL_OK)
    fail_msg("%s does not resolve: %s", name, err.message);
  sl_status rc = sl_agg_open_resolved(&agg, &res, flags, consts, &err);
  sl_agg_close(&agg);
  sl_func_resolved_free(&res);
  if (rc == SL_OK)
    fail_msg("%s opened but should not", name);
  return err.message;
}

static inline void tagg_close(tagg *t) {
  sl_agg_close(&t->agg);
  sl_func_resolved_free(&t->res);
  sl_arena_destroy(&t->arena);
}

/* A new, initialized state. */
static inline void *tagg_state(tagg *t) {
  sl_error err;
  size_t size = sl_agg_state_size(&t->agg);
  void *st = malloc(size ? size : 1);
  assert_non_null(st);
  if (sl_agg_state_init(&t->agg, st, &err) != SL_OK)
    fail_msg("state init failed: %s", err.message);
  return st;
}

static inline void tagg_drop(tagg *t, void *st) {
  sl_agg_state_free(&t->agg, st);
  free(st);
}

/* Adds (or retracts) n rows of one argument column; extra arguments (TOPK's
 * k) are repeated from the call site's constants. */
static inline void tagg_update(tagg *t, void *st, bool retract,
                               const sl_value *col, int n,
                               const bool *active, const int64_t *times) {
  const sl_value *cols[TAGG_MAX_ARGS] = {col};
  sl_value *extra = NULL;
  if (t->res.nargs > 1) {
    assert_true(t->res.nargs == 2);
    extra = calloc((size_t)n + 1, sizeof(*extra));
    assert_non_null(extra);
    for (int i = 0; i < n; i++)
      extra[i] = sl_value_int((int)(intptr_t)t->agg.ctx.state);
    cols[1] = extra;
  }
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = retract
      ? sl_agg_retract(&t->agg, st, cols, n, active, times, &t->arena, &err)
      : sl_agg_add(&t->agg, st, cols, n, active, times, &t->arena, &err);
  free(extra);
  if (rc != SL_OK)
    fail_msg("%s %s failed: %s", t->res.func->name,
             retract ? "retract" : "add", err.message);
}

static inline void tagg_add(tagg *t, void *st, const sl_value *col, int n) {
  tagg_update(t, st, false, col, n, NULL, NULL);
}

static inline void tagg_retract(tagg *t, void *st, const sl_value *col,
                                int n) {
  tagg_update(t, st, true, col, n, NULL, NULL);
}

/* The number of rows of the last add that failed; the first's reason
 * and message go to *reason and *message when non-NULL. */
static inline int tagg_errors(const tagg *t, const char **reason,
                              const char **message) {
  const sl_func_ctx *c = &t->agg.ctx;
  if (reason)
    *reason = NULL;
  if (message)
    *message = NULL;
  for (int r = 0; c->errors && r < c->nrows; r++) {
    if (c->errors[r].reason) {
      if (reason)
        *reason = c->errors[r].reason;
      if (message)
        *message = c->errors[r].message;
      break;
    }
  }
  return c->nerrors;
}

/* The text form of the state's result ("NULL" for NULL). */
static inline const char *tagg_text(tagg *t, const void *st) {
  sl_value v;
  sl_error err;
  sl_error_clear(&err);
  if (sl_agg_result(&t->agg, st, &t->arena, &v, &err) != SL_OK)
    fail_msg("%s result failed: %s", t->res.func->name, err.message);
  if (v.kind == SL_TYPE_NULL)
    return "NULL";
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_format_text(&sb, &v, t->res.ret_type), SL_OK);
  snprintf(t->text, sizeof(t->text), "%s", sb.data);
  sl_strbuf_free(&sb);
  return t->text;
}

/* The result as a double (it must be a non-NULL DOUBLE). */
static inline double tagg_double(tagg *t, const void *st) {
  sl_value v;
  sl_error err;
  if (sl_agg_result(&t->agg, st, &t->arena, &v, &err) != SL_OK)
    fail_msg("%s result failed: %s", t->res.func->name, err.message);
  assert_int_equal(v.kind, SL_TYPE_DOUBLE);
  return v.u.f64;
}

/* The error of a result that must fail. */
static inline const sl_error *tagg_result_error(tagg *t, const void *st) {
  static sl_error err;
  sl_value v;
  sl_error_clear(&err);
  if (sl_agg_result(&t->agg, st, &t->arena, &v, &err) == SL_OK)
    fail_msg("%s result should fail", t->res.func->name);
  return &err;
}

static inline void tagg_merge(tagg *t, void *into, const void *from) {
  sl_error err;
  if (sl_agg_merge(&t->agg, into, from, &err) != SL_OK)
    fail_msg("%s merge failed: %s", t->res.func->name, err.message);
}

/* Serializes st, reads it back into a new state, checks that the copy
 * serializes to the same bytes and that every truncation of them is
 * refused (leaving a state that frees cleanly), and returns the copy. */
static inline void *tagg_roundtrip_unchecked(tagg *t, const void *st) {
  sl_strbuf a = SL_STRBUF_INIT, b = SL_STRBUF_INIT;
  sl_error err;
  if (sl_agg_serialize(&t->agg, st, &a, &err) != SL_OK)
    fail_msg("serialize failed: %s", err.message);
  void *copy = malloc(sl_agg_state_size(&t->agg));
  assert_non_null(copy);
  if (sl_agg_deserialize(&t->agg, copy, a.data, a.len, &err) != SL_OK)
    fail_msg("deserialize failed: %s", err.message);
  if (sl_agg_serialize(&t->agg, copy, &b, &err) != SL_OK)
    fail_msg("serialize of the copy failed: %s", err.message);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);

  for (size_t cut = 0; cut < a.len; cut++) {
    void *bad = malloc(sl_agg_state_size(&t->agg));
    assert_non_null(bad);
    sl_status rc = sl_agg_deserialize(&t->agg, bad, a.data, cut, &err);
    if (rc != SL_ERR_RUNTIME)
      fail_msg("%s: %zu of %zu bytes read back (status %d)",
               t->res.func->name, cut, a.len, rc);
    sl_agg_state_free(&t->agg, bad);
    free(bad);
  }
  sl_strbuf_free(&a);
  sl_strbuf_free(&b);
  return copy;
}

/* Like tagg_roundtrip_unchecked, also checking that the copy has the
 * same result. */
static inline void *tagg_roundtrip(tagg *t, const void *st) {
  char before[sizeof(t->text)];
  snprintf(before, sizeof(before), "%s", tagg_text(t, st));
  void *copy = tagg_roundtrip_unchecked(t, st);
  assert_string_equal(tagg_text(t, copy), before);
  return copy;
}

#endif /* SLUICE_TEST_AGG_UTIL_H */
