/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_regex.c - REGEXP_LIKE, REGEXP_EXTRACT, REGEXP_REPLACE with
 * PCRE2.
 *
 * Patterns are Perl-compatible and compiled in UTF mode (a '.' matches a
 * character, not a byte; malformed UTF-8 in a subject simply does not
 * match rather than failing).  A constant pattern is compiled, and JIT
 * compiled, once per call site when the query starts, so an invalid one
 * is an error of the statement; a pattern that varies per row is compiled
 * when it changes and an invalid one fails only its row.
 *
 * REGEXP_LIKE matches anywhere in the string (anchor with ^...$ for a
 * whole match).  REGEXP_EXTRACT returns the first match, or its group
 * (0 is the whole match), or NULL when nothing matches or the group took
 * no part.  REGEXP_REPLACE replaces every match; the replacement may name
 * groups as $1 or ${1} ($$ is a dollar sign), and groups that took no
 * part insert nothing.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udf/builtins.h"

/* The compiled pattern of a call site. */
typedef struct regex_state {
  pcre2_code *code;
  pcre2_match_data *match;
  uint32_t groups;     /* capture groups of the pattern */
  bool constant;       /* compiled from a constant: never recompiled */
  char *text;          /* the pattern compiled, when not constant */
  size_t text_len;
  PCRE2_UCHAR *subst;  /* REGEXP_REPLACE output buffer */
  PCRE2_SIZE subst_cap;
} regex_state;

static void regex_clear(regex_state *st) {
  pcre2_match_data_free(st->match);
  pcre2_code_free(st->code);
  free(st->text);
  st->match = NULL;
  st->code = NULL;
  st->text = NULL;
  st->text_len = 0;
  st->groups = 0;
}

static void regex_state_free(void *p) {
  regex_state *st = p;
  if (!st)
    return;
  regex_clear(st);
  free(st->subst);
  free(st);
}

/* Compiles pattern into st.  On a bad pattern returns SL_ERR_SQL with
 * PCRE2's message in msg; SL_ERR_NOMEM when out of memory. */
static sl_status regex_compile(regex_state *st, const char *pattern,
                               size_t len, char *msg, size_t msg_size) {
  int code;
  PCRE2_SIZE offset;
  regex_clear(st);
  st->code = pcre2_compile((PCRE2_SPTR)pattern, len,
                           PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
                           &offset, NULL);
  if (!st->code) {
    PCRE2_UCHAR text[256];
    pcre2_get_error_message(code, text, sizeof(text));
    snprintf(msg, msg_size,
             "invalid regular expression \"%.*s\": %s at offset %zu",
             len > 200 ? 200 : (int)len, pattern, (const char *)text,
             (size_t)offset);
    return SL_ERR_SQL;
  }

  /* JIT is an optimization only: without it matching still works. */
  (void)pcre2_jit_compile(st->code, PCRE2_JIT_COMPLETE);
  pcre2_pattern_info(st->code, PCRE2_INFO_CAPTURECOUNT, &st->groups);
  st->match = pcre2_match_data_create_from_pattern(st->code, NULL);
  if (!st->match)
    return SL_ERR_NOMEM;
  return SL_OK;
}

/* Compiles a constant pattern once (see call.h). */
static sl_status regex_prepare(sl_func_ctx *ctx,
                               const sl_value *const *consts,
                               sl_error *err) {
  regex_state *st = calloc(1, sizeof(*st));
  if (!st)
    return sl_func_nomem(err);
  ctx->state = st;
  ctx->state_free = regex_state_free;

  const sl_value *pat = consts[1];
  if (!pat || pat->kind != SL_TYPE_VARCHAR)
    return SL_OK;
  char msg[512];
  sl_status rc = regex_compile(st, pat->u.str, pat->len, msg, sizeof(msg));
  if (rc == SL_ERR_NOMEM)
    return sl_func_nomem(err);
  if (rc != SL_OK)
    return sl_func_prepare_fail(ctx, err, "%s", msg);
  st->constant = true;

  /* A constant group must exist in a constant pattern. */
  if (ctx->nargs > 2 && consts[2] && consts[2]->kind == SL_TYPE_INT) {
    int32_t g = consts[2]->u.i32;
    if (g < 0 || (uint32_t)g > st->groups)
      return sl_func_prepare_fail(ctx, err,
                                  "pattern has %u groups, cannot extract "
                                  "group %d",
                                  (unsigned)st->groups, (int)g);
  }
  return SL_OK;
}

/* The compiled pattern for row r: the constant one, the one compiled for
 * the previous row when the text is the same, or a fresh one.  Returns
 * false when the row failed (bad pattern); *rc is set for a batch
 * failure. */
static bool regex_for_row(sl_func_ctx *ctx, const sl_value *pat, int r,
                          sl_value *out, sl_status *rc, sl_error *err) {
  regex_state *st = ctx->state;
  if (!st) {
    /* Called without prepare: make the state on first use. */
    st = calloc(1, sizeof(*st));
    if (!st) {
      *rc = sl_func_nomem(err);
      return false;
    }
    ctx->state = st;
    ctx->state_free = regex_state_free;
  }
  if (st->constant)
    return true;
  if (st->code && st->text_len == pat->len &&
      memcmp(st->text, pat->u.str, pat->len) == 0)
    return true;

  char msg[512];
  sl_status c = regex_compile(st, pat->u.str, pat->len, msg, sizeof(msg));
  if (c == SL_OK) {
    st->text = malloc(pat->len ? pat->len : 1);
    if (st->text) {
      memcpy(st->text, pat->u.str, pat->len);
      st->text_len = pat->len;
      return true;
    }
    c = SL_ERR_NOMEM;
  }
  if (c == SL_ERR_NOMEM) {
    regex_clear(st);
    *rc = sl_func_nomem(err);
    return false;
  }
  sl_func_fail(ctx, r, out, SL_FUNC_INVALID, "%s", msg);
  return false;
}

/* Matches s against the row's pattern: 1 matched, 0 not, -1 the row
 * failed (already recorded). */
static int regex_match(sl_func_ctx *ctx, const sl_value *s, int r,
                       sl_value *out) {
  regex_state *st = ctx->state;
  int m = pcre2_match(st->code, (PCRE2_SPTR)s->u.str, s->len, 0, 0,
                      st->match, NULL);
  if (m >= 0)
    return 1;
  if (m == PCRE2_ERROR_NOMATCH)
    return 0;
  PCRE2_UCHAR text[256];
  pcre2_get_error_message(m, text, sizeof(text));
  sl_func_fail(ctx, r, out, SL_FUNC_INVALID, "matching failed: %s",
               (const char *)text);
  return -1;
}

static sl_status regexp_like_fn(sl_func_ctx *ctx, int nargs,
                                const sl_value *const *args, int nrows,
                                sl_value *out, sl_error *err) {
  sl_status rc = SL_OK;
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    if (!regex_for_row(ctx, &args[1][r], r, &out[r], &rc, err)) {
      if (rc != SL_OK)
        return rc;
      continue;
    }
    int m = regex_match(ctx, &args[0][r], r, &out[r]);
    if (m >= 0)
      out[r] = sl_value_bool(m == 1);
  }
  return SL_OK;
}

static sl_status regexp_extract_fn(sl_func_ctx *ctx, int nargs,
                                   const sl_value *const *args, int nrows,
                                   sl_value *out, sl_error *err) {
  sl_status rc = SL_OK;
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    if (!regex_for_row(ctx, &args[1][r], r, &out[r], &rc, err)) {
      if (rc != SL_OK)
        return rc;
      continue;
    }
    regex_state *st = ctx->state;
    int32_t g = nargs > 2 ? args[2][r].u.i32 : 0;
    if (g < 0 || (uint32_t)g > st->groups) {
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "pattern has %u groups, cannot extract group %d",
                   (unsigned)st->groups, (int)g);
      continue;
    }
    const sl_value *s = &args[0][r];
    int m = regex_match(ctx, s, r, &out[r]);
    if (m < 0)
      continue;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->match);
    if (m == 0 || ov[2 * g] == PCRE2_UNSET) {
      out[r] = sl_value_null();
      continue;
    }
    if (!sl_func_set_varchar(ctx, &out[r], s->u.str + ov[2 * g],
                             ov[2 * g + 1] - ov[2 * g]))
      return sl_func_nomem(err);
  }
  return SL_OK;
}

static sl_status regexp_replace_fn(sl_func_ctx *ctx, int nargs,
                                   const sl_value *const *args, int nrows,
                                   sl_value *out, sl_error *err) {
  sl_status rc = SL_OK;
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    if (!regex_for_row(ctx, &args[1][r], r, &out[r], &rc, err)) {
      if (rc != SL_OK)
        return rc;
      continue;
    }
    regex_state *st = ctx->state;
    const sl_value *s = &args[0][r], *rep = &args[2][r];

    /* pcre2_substitute reports the length it needs when the buffer is
     * too small; grow once and retry. */
    for (int attempt = 0;; attempt++) {
      if (!st->subst) {
        PCRE2_SIZE cap = s->len * 2 + 64;
        st->subst = malloc(cap);
        if (!st->subst)
          return sl_func_nomem(err);
        st->subst_cap = cap;
      }
      PCRE2_SIZE outlen = st->subst_cap;
      int n = pcre2_substitute(
          st->code, (PCRE2_SPTR)s->u.str, s->len, 0,
          PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH |
              PCRE2_SUBSTITUTE_UNSET_EMPTY,
          st->match, NULL, (PCRE2_SPTR)rep->u.str, rep->len, st->subst,
          &outlen);
      if (n >= 0) {
        if (!sl_func_set_varchar(ctx, &out[r], (const char *)st->subst,
                                 outlen))
          return sl_func_nomem(err);
        break;
      }
      if (n == PCRE2_ERROR_NOMEMORY && attempt == 0) {
        free(st->subst);
        st->subst = malloc(outlen + 1);
        if (!st->subst)
          return sl_func_nomem(err);
        st->subst_cap = outlen + 1;
        continue;
      }
      PCRE2_UCHAR text[256];
      pcre2_get_error_message(n, text, sizeof(text));
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "bad replacement \"%.*s\": %s",
                   rep->len > 200 ? 200 : (int)rep->len, rep->u.str,
                   (const char *)text);
      break;
    }
  }
  return SL_OK;
}

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_regex[] = {
  {.name = "REGEXP_LIKE",
   .doc = "True when the PCRE pattern matches somewhere in s.",
   .example = "REGEXP_LIKE('card-4711', '^card-[0-9]+$') = true",
   .sigs = {{.spec = "(VARCHAR, VARCHAR) -> BOOLEAN",
             .scalar = regexp_like_fn,
             .prepare = regex_prepare}}},
  {.name = "REGEXP_EXTRACT",
   .doc = "The first match of the pattern in s, or its capture group "
          "(0: the whole match); NULL without a match.",
   .example = "REGEXP_EXTRACT('id=42;', 'id=([0-9]+)', 1) = '42'",
   .sigs = {{.spec = "(VARCHAR, VARCHAR [, INT]) -> VARCHAR",
             .scalar = regexp_extract_fn,
             .prepare = regex_prepare}}},
  {.name = "REGEXP_REPLACE",
   .doc = "s with every match of the pattern replaced ($1 or ${1} inserts "
          "a group).",
   .example = "REGEXP_REPLACE('a1b22', '[0-9]+', '#') = 'a#b#'",
   .sigs = {{.spec = "(VARCHAR, VARCHAR, VARCHAR) -> VARCHAR",
             .scalar = regexp_replace_fn,
             .prepare = regex_prepare}}},
};

const int sl_func_builtins_regex_count =
    (int)(sizeof(sl_func_builtins_regex) / sizeof(sl_func_builtins_regex[0]));
