/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_cmp.c - comparison, three-valued logic, IS NULL, IN and BETWEEN.
 *
 * The binder gives both sides of a comparison one common type, so the six
 * comparison operators get one kernel each per representation: 32-bit
 * integers (INT, DATE), 64-bit integers (BIGINT, TIMESTAMP, INTERVAL),
 * DOUBLE (NaN equal to NaN and above every number, as in PostgreSQL and
 * sl_value_compare), BOOLEAN, strings and bytes (bytewise, which is code
 * point order for UTF-8), DECIMAL (exact across scales), and a generic
 * one through sl_value_compare for composites and mixed kinds.
 *
 * AND evaluates its right operand only for rows where the left one is
 * not FALSE, OR only where it is not TRUE: the result is the same as the
 * three-valued truth table, and a right operand that would fail (a
 * division by zero guarded by the left) is never evaluated for the rows
 * the left decides.
 */
#include <math.h>
#include <string.h>

#include "engine/expr/expr_internal.h"
#include "engine/types/decimal.h"

static inline sl_value mk_bool(bool b) {
  sl_value v = {.kind = SL_TYPE_BOOLEAN, .u = {.b = b}};
  return v;
}

/* ---- Three-way comparisons -------------------------------------------- */

static int cmp_i32(const sl_value *a, const sl_value *b) {
  return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
}

static int cmp_i64(const sl_value *a, const sl_value *b) {
  return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
}

static int cmp_f64(const sl_value *a, const sl_value *b) {
  double x = a->u.f64, y = b->u.f64;
  if (isnan(x) || isnan(y))
    return isnan(x) - isnan(y);
  return (x > y) - (x < y);
}

static int cmp_bool(const sl_value *a, const sl_value *b) {
  return (a->u.b > b->u.b) - (a->u.b < b->u.b);
}

static int cmp_str(const sl_value *a, const sl_value *b) {
  uint32_t n = a->len < b->len ? a->len : b->len;
  int c = n ? memcmp(a->u.str, b->u.str, n) : 0;
  if (c)
    return c < 0 ? -1 : 1;
  return (a->len > b->len) - (a->len < b->len);
}

static int cmp_dec(const sl_value *a, const sl_value *b) {
  if (a->kind != SL_TYPE_DECIMAL || b->kind != SL_TYPE_DECIMAL)
    return sl_value_compare(a, b);
  return sl_decimal_cmp(sl_value_decimal_get(a), a->scale,
                        sl_value_decimal_get(b), b->scale);
}

static int cmp_any(const sl_value *a, const sl_value *b) {
  return sl_value_compare(a, b);
}

/* The comparison for values of type (see expr_internal.h). */
sl_xcmp sl_xcmp_for(const sl_type *type) {
  switch (type->kind) {
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    return cmp_i32;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    return cmp_i64;
  case SL_TYPE_DOUBLE:
    return cmp_f64;
  case SL_TYPE_BOOLEAN:
    return cmp_bool;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    return cmp_str;
  case SL_TYPE_DECIMAL:
    return cmp_dec;
  default:
    return cmp_any;
  }
}

/* ---- Comparison kernels ----------------------------------------------- */

/* One kernel per (representation, operator): CMP is an expression of
 * `a` and `b` (pointers to the operands) giving the three-way result,
 * inlined so the loop has no indirect call. */
#define CMP_KERNEL(name, CMP, REL)                                         \
  static sl_status name(sl_xnode *n, sl_xeval *ev, const int *sel,        \
                        int nsel) {                                        \
    sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);                   \
    if (rc)                                                                \
      return rc;                                                           \
    const sl_value *A = n->kids[0]->out, *B = n->kids[1]->out;             \
    sl_value *O = n->out;                                                  \
    for (int i = 0; i < nsel; i++) {                                       \
      int r = sel[i];                                                      \
      const sl_value *a = &A[r], *b = &B[r];                               \
      if (a->kind == SL_TYPE_NULL || b->kind == SL_TYPE_NULL) {            \
        O[r] = sl_value_null();                                            \
        continue;                                                          \
      }                                                                    \
      int c = (CMP);                                                       \
      O[r] = mk_bool(c REL 0);                                             \
    }                                                                      \
    return SL_OK;                                                          \
  }

#define CMP_FAMILY(rep, CMP)                                               \
  CMP_KERNEL(rep##_eq, CMP, ==)                                            \
  CMP_KERNEL(rep##_ne, CMP, !=)                                            \
  CMP_KERNEL(rep##_lt, CMP, <)                                             \
  CMP_KERNEL(rep##_le, CMP, <=)                                            \
  CMP_KERNEL(rep##_gt, CMP, >)                                             \
  CMP_KERNEL(rep##_ge, CMP, >=)                                            \
  static const sl_xkernel rep##_kernels[6] = {rep##_eq, rep##_ne,          \
                                              rep##_lt, rep##_le,          \
                                              rep##_gt, rep##_ge};

CMP_FAMILY(i32, (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32))
CMP_FAMILY(i64, (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64))
CMP_FAMILY(f64, cmp_f64(a, b))
CMP_FAMILY(bln, (a->u.b > b->u.b) - (a->u.b < b->u.b))
CMP_FAMILY(str, cmp_str(a, b))
CMP_FAMILY(dec, cmp_dec(a, b))
CMP_FAMILY(any, sl_value_compare(a, b))

/* The kernel of a comparison node (see expr_internal.h). */
sl_xkernel sl_xcmp_kernel(sl_xnode *n, const sl_bexpr *e) {
  int op;
  switch (e->op) {
  case SL_OP_EQ: op = 0; break;
  case SL_OP_NE: op = 1; break;
  case SL_OP_LT: op = 2; break;
  case SL_OP_LE: op = 3; break;
  case SL_OP_GT: op = 4; break;
  case SL_OP_GE: op = 5; break;
  default: return NULL;
  }
  const sl_type *ta = n->kids[0]->type, *tb = n->kids[1]->type;
  if (ta->kind != tb->kind)
    return any_kernels[op];
  switch (ta->kind) {
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    return i32_kernels[op];
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    return i64_kernels[op];
  case SL_TYPE_DOUBLE:
    return f64_kernels[op];
  case SL_TYPE_BOOLEAN:
    return bln_kernels[op];
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    return str_kernels[op];
  case SL_TYPE_DECIMAL:
    return dec_kernels[op];
  default:
    return any_kernels[op];
  }
}

/* ---- AND, OR ---------------------------------------------------------- */

/* Truth values of a BOOLEAN column entry: 0 FALSE, 1 TRUE, 2 NULL. */
static inline int truth(const sl_value *v) {
  return v->kind == SL_TYPE_NULL ? 2 : v->u.b ? 1 : 0;
}

/* AND: FALSE wins, then NULL. */
static sl_status and_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                            int nsel) {
  sl_xnode *l = n->kids[0], *rt = n->kids[1];
  sl_status rc = sl_xnode_eval(l, ev, sel, nsel);
  if (rc)
    return rc;

  int k = 0;
  for (int i = 0; i < nsel; i++)
    if (truth(&l->out[sel[i]]) != 0)
      n->sel_a[k++] = sel[i];
  rc = sl_xnode_eval(rt, ev, n->sel_a, k);
  if (rc)
    return rc;

  sl_value *O = n->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    int a = truth(&l->out[r]);
    if (a == 0) {
      O[r] = mk_bool(false);
      continue;
    }
    int b = truth(&rt->out[r]);
    if (b == 0)
      O[r] = mk_bool(false);
    else if (a == 1 && b == 1)
      O[r] = mk_bool(true);
    else
      O[r] = sl_value_null();
  }
  return SL_OK;
}

/* OR: TRUE wins, then NULL. */
static sl_status or_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                           int nsel) {
  sl_xnode *l = n->kids[0], *rt = n->kids[1];
  sl_status rc = sl_xnode_eval(l, ev, sel, nsel);
  if (rc)
    return rc;

  int k = 0;
  for (int i = 0; i < nsel; i++)
    if (truth(&l->out[sel[i]]) != 1)
      n->sel_a[k++] = sel[i];
  rc = sl_xnode_eval(rt, ev, n->sel_a, k);
  if (rc)
    return rc;

  sl_value *O = n->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    int a = truth(&l->out[r]);
    if (a == 1) {
      O[r] = mk_bool(true);
      continue;
    }
    int b = truth(&rt->out[r]);
    if (b == 1)
      O[r] = mk_bool(true);
    else if (a == 0 && b == 0)
      O[r] = mk_bool(false);
    else
      O[r] = sl_value_null();
  }
  return SL_OK;
}

/* The kernel of AND / OR (see expr_internal.h). */
sl_xkernel sl_xlogic_kernel(sl_xnode *n, const sl_bexpr *e) {
  for (int i = 0; i < 2; i++) {
    sl_type_kind k = n->kids[i]->type->kind;
    if (k != SL_TYPE_BOOLEAN && k != SL_TYPE_NULL)
      return NULL;
  }
  n->needs_sel = true;
  return e->op == SL_OP_AND ? and_kernel : or_kernel;
}

/* ---- IS NULL ---------------------------------------------------------- */

static sl_status isnull_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                               int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out;
  bool want = !n->negated;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    n->out[r] = mk_bool((A[r].kind == SL_TYPE_NULL) == want);
  }
  return SL_OK;
}

sl_xkernel sl_xisnull_kernel(sl_xnode *n, const sl_bexpr *e) {
  (void)n;
  (void)e;
  return isnull_kernel;
}

/* ---- IN --------------------------------------------------------------- */

/* Builds an open-addressing set of the non-NULL constants. */
sl_status sl_xset_build(sl_arena *arena, const sl_value *const *vals, int n,
                        sl_xset **out) {
  sl_xset *set = sl_arena_calloc(arena, 1, sizeof(*set));
  if (!set)
    return SL_ERR_NOMEM;
  uint32_t size = 8;
  while (size < (uint32_t)n * 2 + 2)
    size *= 2;
  set->slots = sl_arena_calloc(arena, size, sizeof(*set->slots));
  if (!set->slots)
    return SL_ERR_NOMEM;
  set->mask = size - 1;
  for (int i = 0; i < n; i++) {
    const sl_value *v = vals[i];
    if (v->kind == SL_TYPE_NULL) {
      set->has_null = true;
      continue;
    }
    if (sl_xset_contains(set, v))
      continue;
    uint32_t h = (uint32_t)sl_value_hash(v) & set->mask;
    while (set->slots[h].kind != SL_TYPE_NULL)
      h = (h + 1) & set->mask;
    set->slots[h] = *v;
    set->count++;
  }
  *out = set;
  return SL_OK;
}

/* Looks v up (numerically equal values hash and compare alike). */
bool sl_xset_contains(const sl_xset *set, const sl_value *v) {
  uint32_t h = (uint32_t)sl_value_hash(v) & set->mask;
  while (set->slots[h].kind != SL_TYPE_NULL) {
    if (sl_value_compare(&set->slots[h], v) == 0)
      return true;
    h = (h + 1) & set->mask;
  }
  return false;
}

/* x IN (constants): one hash probe per row. */
static sl_status in_set_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                               int nsel) {
  sl_xnode *x = n->kids[0];
  sl_status rc = sl_xnode_eval(x, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_xset *set = n->set;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    const sl_value *v = &x->out[r];
    if (v->kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    if (sl_xset_contains(set, v))
      n->out[r] = mk_bool(!n->negated);
    else if (set->has_null)
      n->out[r] = sl_value_null();
    else
      n->out[r] = mk_bool(n->negated);
  }
  return SL_OK;
}

/* x IN (expressions): TRUE if any item equals x, else NULL if x or any
 * item is NULL, else FALSE; NOT IN negates that. */
static sl_status in_list_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *X = n->kids[0]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (X[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    bool found = false, saw_null = false;
    for (int k = 1; k < n->nkids && !found; k++) {
      const sl_value *v = &n->kids[k]->out[r];
      if (v->kind == SL_TYPE_NULL)
        saw_null = true;
      else if (n->cmp(&X[r], v) == 0)
        found = true;
    }
    if (found)
      n->out[r] = mk_bool(!n->negated);
    else if (saw_null)
      n->out[r] = sl_value_null();
    else
      n->out[r] = mk_bool(n->negated);
  }
  return SL_OK;
}

/* The kernel of IN (see expr_internal.h). */
sl_xkernel sl_xin_kernel(sl_expr *x, sl_xnode *n, const sl_bexpr *e,
                         sl_error *err) {
  (void)e;
  if (n->nkids < 2)
    return NULL;
  bool all_const = true;
  for (int k = 1; k < n->nkids; k++)
    all_const = all_const && n->kids[k]->is_const;
  n->cmp = sl_xcmp_for(n->kids[0]->type);
  if (!all_const)
    return in_list_kernel;

  const sl_value **vals =
      sl_arena_alloc(&x->arena, (size_t)n->nkids * sizeof(*vals));
  if (!vals) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory compiling IN");
    return NULL;
  }
  for (int k = 1; k < n->nkids; k++)
    vals[k - 1] = &n->kids[k]->konst;
  if (sl_xset_build(&x->arena, vals, n->nkids - 1, &n->set)) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory compiling IN");
    return NULL;
  }
  return in_set_kernel;
}

/* ---- BETWEEN ---------------------------------------------------------- */

/* x BETWEEN lo AND hi is x >= lo AND x <= hi, three-valued. */
static sl_status between_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *X = n->kids[0]->out, *L = n->kids[1]->out,
                 *H = n->kids[2]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (X[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    int lo = L[r].kind == SL_TYPE_NULL ? 2 : n->cmp(&X[r], &L[r]) >= 0;
    int hi = H[r].kind == SL_TYPE_NULL ? 2 : n->cmp(&X[r], &H[r]) <= 0;
    sl_value v;
    if (lo == 0 || hi == 0)
      v = mk_bool(n->negated);
    else if (lo == 1 && hi == 1)
      v = mk_bool(!n->negated);
    else
      v = sl_value_null();
    n->out[r] = v;
  }
  return SL_OK;
}

sl_xkernel sl_xbetween_kernel(sl_xnode *n, const sl_bexpr *e) {
  (void)e;
  if (n->nkids != 3)
    return NULL;
  const sl_type *t = n->kids[0]->type;
  bool same = n->kids[1]->type->kind == t->kind &&
              n->kids[2]->type->kind == t->kind;
  n->cmp = same ? sl_xcmp_for(t) : cmp_any;
  return between_kernel;
}
