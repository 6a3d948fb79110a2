/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_string.c - LIKE and the || operator.
 *
 * LIKE follows PostgreSQL: '%' matches any run of characters, '_' exactly
 * one character (a UTF-8 code point, not a byte), and the escape
 * character (backslash unless ESCAPE says otherwise; an empty ESCAPE
 * turns escaping off) makes the next character literal.  A pattern that
 * ends in the escape character is an error: at compile time for a
 * constant pattern, for the row (reason "type") otherwise.  A constant
 * pattern is compiled once; the common shapes (no wildcard, 'lit%',
 * '%lit', '%lit%') become a single memcmp or substring search, and the
 * rest runs a backtracking matcher that remembers only the last '%', which
 * is exact for patterns made of '%' and '_'.
 *
 * || concatenates VARCHAR, BYTES or ARRAY values; NULL on either side
 * gives NULL, as in standard SQL.
 */
#include <string.h>

#include "engine/expr/expr_internal.h"

/* Bytes in the UTF-8 sequence starting with byte c (1 for a stray
 * byte, so that matching always advances). */
static inline size_t utf8_len(unsigned char c) {
  if (c < 0x80)
    return 1;
  if ((c >> 5) == 0x6)
    return 2;
  if ((c >> 4) == 0xE)
    return 3;
  if ((c >> 3) == 0x1E)
    return 4;
  return 1;
}

static inline size_t next_char(const char *s, size_t len, size_t i) {
  size_t k = i + utf8_len((unsigned char)s[i]);
  return k > len ? len : k;
}

/* ---- Compiling a pattern ---------------------------------------------- */

/* Compiles a pattern (see expr_internal.h). */
bool sl_xlike_compile(sl_arena *arena, const char *p, size_t len, char esc,
                      sl_xlike *out) {
  memset(out, 0, sizeof(*out));
  char *pat = sl_arena_alloc(arena, len + 1);
  char *wild = sl_arena_alloc(arena, len + 1);
  if (!pat || !wild)
    return false;
  /* From here on a false return means a bad pattern, not memory. */
  out->pat = pat;
  out->wild = wild;

  size_t k = 0;
  int nunder = 0, npct = 0;
  for (size_t i = 0; i < len; i++) {
    char c = p[i];
    if (esc && c == esc) {
      if (i + 1 >= len)
        return false;
      pat[k] = p[++i];
      wild[k++] = 0;
      continue;
    }
    pat[k] = c;
    wild[k] = (c == '%' || c == '_') ? c : 0;
    nunder += c == '_';
    npct += c == '%';
    k++;
  }
  out->pat_len = k;
  out->kind = SL_XLIKE_GENERAL;
  if (nunder)
    return true;

  /* Without '_', look for the literal run between leading and trailing
   * '%'s; any '%' inside it keeps the general matcher. */
  size_t lo = 0, hi = k;
  while (lo < hi && wild[lo] == '%')
    lo++;
  while (hi > lo && wild[hi - 1] == '%')
    hi--;
  for (size_t i = lo; i < hi; i++)
    if (wild[i])
      return true;
  out->lit = pat + lo;
  out->lit_len = hi - lo;
  bool lead = lo > 0, trail = hi < k;
  if (lo == k)
    out->kind = npct ? SL_XLIKE_ANY : SL_XLIKE_EXACT;
  else if (lead && trail)
    out->kind = SL_XLIKE_CONTAINS;
  else if (lead)
    out->kind = SL_XLIKE_SUFFIX;
  else if (trail)
    out->kind = SL_XLIKE_PREFIX;
  else
    out->kind = SL_XLIKE_EXACT;
  return true;
}

/* ---- Matching --------------------------------------------------------- */

static bool match_general(const sl_xlike *lk, const char *s, size_t slen) {
  const char *pat = lk->pat, *wild = lk->wild;
  size_t plen = lk->pat_len;
  size_t si = 0, pi = 0, star_s = 0;
  size_t star_p = (size_t)-1;
  while (si < slen) {
    if (pi < plen && wild[pi] == '_') {
      si = next_char(s, slen, si);
      pi++;
    } else if (pi < plen && wild[pi] == 0 && pat[pi] == s[si]) {
      si++;
      pi++;
    } else if (pi < plen && wild[pi] == '%') {
      star_p = pi++;
      star_s = si;
    } else if (star_p != (size_t)-1) {
      pi = star_p + 1;
      star_s = next_char(s, slen, star_s);
      si = star_s;
    } else {
      return false;
    }
  }
  while (pi < plen && wild[pi] == '%')
    pi++;
  return pi == plen;
}

static bool contains(const char *s, size_t n, const char *lit, size_t m) {
  if (m == 0)
    return true;
  if (m > n)
    return false;
  const char *end = s + n - m;
  for (const char *p = s; p <= end; p++) {
    p = memchr(p, lit[0], (size_t)(end - p) + 1);
    if (!p)
      return false;
    if (memcmp(p, lit, m) == 0)
      return true;
  }
  return false;
}

/* Matches s against a compiled pattern (see expr_internal.h). */
bool sl_xlike_match(const sl_xlike *lk, const char *s, size_t len) {
  switch (lk->kind) {
  case SL_XLIKE_ANY:
    return true;
  case SL_XLIKE_EXACT:
    return len == lk->lit_len && memcmp(s, lk->lit, len) == 0;
  case SL_XLIKE_PREFIX:
    return len >= lk->lit_len && memcmp(s, lk->lit, lk->lit_len) == 0;
  case SL_XLIKE_SUFFIX:
    return len >= lk->lit_len &&
           memcmp(s + len - lk->lit_len, lk->lit, lk->lit_len) == 0;
  case SL_XLIKE_CONTAINS:
    return contains(s, len, lk->lit, lk->lit_len);
  default:
    return match_general(lk, s, len);
  }
}

/* ---- LIKE kernels ----------------------------------------------------- */

static inline sl_value mk_bool(bool b) {
  sl_value v = {.kind = SL_TYPE_BOOLEAN, .u = {.b = b}};
  return v;
}

/* A constant pattern: one match per row. */
static sl_status like_const_kernel(sl_xnode *n, sl_xeval *ev,
                                   const int *sel, int nsel) {
  sl_xnode *x = n->kids[0];
  sl_status rc = sl_xnode_eval(x, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_xlike *lk = n->like;
  bool neg = n->negated;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    const sl_value *v = &x->out[r];
    if (v->kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    n->out[r] = mk_bool(sl_xlike_match(lk, v->u.str, v->len) != neg);
  }
  return SL_OK;
}

/* A pattern that varies by row: compiled per row into the arena. */
static sl_status like_row_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                 int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *X = n->kids[0]->out, *P = n->kids[1]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (X[r].kind == SL_TYPE_NULL || P[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    sl_xlike lk;
    if (!sl_xlike_compile(ev->arena, P[r].u.str, P[r].len, n->escape,
                          &lk)) {
      if (!lk.pat)
        return sl_xnomem(ev);
      rc = sl_xrow_fail(ev, n, r, "type",
                        "LIKE pattern must not end with escape character");
      if (rc)
        return rc;
      continue;
    }
    n->out[r] = mk_bool(sl_xlike_match(&lk, X[r].u.str, X[r].len) !=
                        n->negated);
  }
  return SL_OK;
}

/* The kernel of LIKE (see expr_internal.h). */
sl_xkernel sl_xlike_kernel(sl_expr *x, sl_xnode *n, const sl_bexpr *e,
                           const char *file, sl_error *err) {
  if (n->nkids < 2 || n->nkids > 3)
    return NULL;
  for (int i = 0; i < n->nkids; i++)
    if (n->kids[i]->type->kind != SL_TYPE_VARCHAR)
      return NULL;

  n->escape = '\\';
  if (n->nkids == 3) {
    const sl_xnode *esc = n->kids[2];
    if (!esc->is_const || esc->konst.kind == SL_TYPE_NULL ||
        esc->konst.len > 1) {
      sl_error_set_sql(err, file ? file : "", e->pos.line, e->pos.column,
                       "the ESCAPE of LIKE must be a constant of one "
                       "character");
      return NULL;
    }
    n->escape = esc->konst.len ? esc->konst.u.str[0] : 0;
  }

  const sl_xnode *p = n->kids[1];
  if (!p->is_const)
    return like_row_kernel;
  if (p->konst.kind == SL_TYPE_NULL)
    return like_row_kernel; /* NULL for every row, folded later */

  n->like = sl_arena_alloc(&x->arena, sizeof(*n->like));
  if (!n->like) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory compiling LIKE");
    return NULL;
  }
  if (!sl_xlike_compile(&x->arena, p->konst.u.str, p->konst.len, n->escape,
                        n->like)) {
    if (!n->like->pat)
      sl_error_set(err, SL_ERR_NOMEM, "out of memory compiling LIKE");
    else
      sl_error_set_sql(err, file ? file : "", e->pos.line, e->pos.column,
                       "LIKE pattern must not end with escape character");
    return NULL;
  }
  return like_const_kernel;
}

/* ---- || --------------------------------------------------------------- */

static sl_status concat_str_kernel(sl_xnode *n, sl_xeval *ev,
                                   const int *sel, int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out, *B = n->kids[1]->out;
  uint8_t kind = (uint8_t)n->type->kind;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (A[r].kind == SL_TYPE_NULL || B[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    size_t la = A[r].len, lb = B[r].len;
    char *p = sl_arena_alloc(ev->arena, la + lb + 1);
    if (!p)
      return sl_xnomem(ev);
    if (la)
      memcpy(p, A[r].u.str, la);
    if (lb)
      memcpy(p + la, B[r].u.str, lb);
    p[la + lb] = '\0';
    sl_value v = {.kind = kind, .len = (uint32_t)(la + lb), .u = {.str = p}};
    n->out[r] = v;
  }
  return SL_OK;
}

static sl_status concat_array_kernel(sl_xnode *n, sl_xeval *ev,
                                     const int *sel, int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out, *B = n->kids[1]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (A[r].kind == SL_TYPE_NULL || B[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    size_t la = A[r].len, lb = B[r].len;
    sl_value *items = sl_arena_alloc(ev->arena, (la + lb + 1) *
                                                    sizeof(*items));
    if (!items)
      return sl_xnomem(ev);
    if (la)
      memcpy(items, A[r].u.items, la * sizeof(*items));
    if (lb)
      memcpy(items + la, B[r].u.items, lb * sizeof(*items));
    n->out[r] = sl_value_composite(SL_TYPE_ARRAY, items, (uint32_t)(la + lb));
  }
  return SL_OK;
}

/* The kernel of || (see expr_internal.h). */
sl_xkernel sl_xconcat_kernel(sl_xnode *n, const sl_bexpr *e) {
  (void)e;
  sl_type_kind a = n->kids[0]->type->kind, b = n->kids[1]->type->kind;
  sl_type_kind res = n->type->kind;
  if ((res == SL_TYPE_VARCHAR || res == SL_TYPE_BYTES) && a == res &&
      b == res)
    return concat_str_kernel;
  if (res == SL_TYPE_ARRAY && a == SL_TYPE_ARRAY && b == SL_TYPE_ARRAY)
    return concat_array_kernel;
  return NULL;
}
