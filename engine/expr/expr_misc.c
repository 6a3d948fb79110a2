/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_misc.c - CASE, CAST, COALESCE/IFNULL, NULLIF, subscripts, STRUCT
 * fields, ARRAY constructors, EXTRACT and calls into the function
 * registry.
 *
 * CASE and COALESCE narrow the selection as they go: a WHEN condition is
 * evaluated only for rows no earlier WHEN matched, a THEN only for the
 * rows it decides, and a COALESCE argument only for rows whose earlier
 * arguments were all NULL.  So an argument that would fail (a division
 * by zero, a failing cast) fails only the rows that really evaluate it.
 *
 * Registry calls hand the function dense argument columns: when the
 * selection has holes (filtered rows, rows whose strict function gets a
 * NULL argument), the arguments are gathered into compact scratch
 * columns first and the results scattered back.
 */
#include <string.h>

#include "engine/expr/expr_internal.h"
#include "engine/types/time.h"

/* The kernel of a node that is NULL whatever its input (an operand typed
 * NULL); folding turns it into a constant. */
static sl_status null_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                             int nsel) {
  (void)ev;
  for (int i = 0; i < nsel; i++)
    n->out[sel[i]] = sl_value_null();
  return SL_OK;
}

sl_xkernel sl_xnull_kernel(void) {
  return null_kernel;
}

/* ---- CASE ------------------------------------------------------------- */

static sl_status case_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                             int nsel) {
  int base = n->has_operand ? 1 : 0;
  sl_xnode *opnd = n->has_operand ? n->kids[0] : NULL;
  sl_status rc;
  if (opnd && (rc = sl_xnode_eval(opnd, ev, sel, nsel)))
    return rc;

  int *rem = n->sel_a, *hit = n->sel_b;
  int nrem = nsel;
  memcpy(rem, sel, (size_t)nsel * sizeof(*rem));
  for (int w = 0; w < n->nwhen && nrem > 0; w++) {
    sl_xnode *cond = n->kids[base + 2 * w], *then = n->kids[base + 2 * w + 1];
    if ((rc = sl_xnode_eval(cond, ev, rem, nrem)))
      return rc;

    /* Split the remaining rows into those this WHEN decides and the
     * rest, compacting the rest in place. */
    int nhit = 0, keep = 0;
    for (int i = 0; i < nrem; i++) {
      int r = rem[i];
      const sl_value *c = &cond->out[r];
      bool match;
      if (opnd)
        match = c->kind != SL_TYPE_NULL &&
                opnd->out[r].kind != SL_TYPE_NULL &&
                n->cmp(&opnd->out[r], c) == 0;
      else
        match = c->kind == SL_TYPE_BOOLEAN && c->u.b;
      if (match)
        hit[nhit++] = r;
      else
        rem[keep++] = r;
    }
    nrem = keep;
    if (nhit == 0)
      continue;
    if ((rc = sl_xnode_eval(then, ev, hit, nhit)))
      return rc;
    for (int i = 0; i < nhit; i++)
      n->out[hit[i]] = then->out[hit[i]];
  }

  if (n->has_else && nrem > 0) {
    sl_xnode *els = n->kids[n->nkids - 1];
    if ((rc = sl_xnode_eval(els, ev, rem, nrem)))
      return rc;
    for (int i = 0; i < nrem; i++)
      n->out[rem[i]] = els->out[rem[i]];
  } else {
    for (int i = 0; i < nrem; i++)
      n->out[rem[i]] = sl_value_null();
  }
  return SL_OK;
}

/* The kernel of CASE (see expr_internal.h). */
sl_xkernel sl_xcase_kernel(sl_xnode *n, const sl_bexpr *e) {
  n->has_operand = e->u.case_.has_operand;
  n->nwhen = e->u.case_.nwhen;
  n->has_else = e->u.case_.has_else;
  int expect = (n->has_operand ? 1 : 0) + 2 * n->nwhen + (n->has_else ? 1 : 0);
  if (expect != n->nkids || n->nwhen < 1)
    return NULL;
  if (n->has_operand) {
    const sl_type *t = n->kids[0]->type;
    bool same = true;
    for (int w = 0; w < n->nwhen; w++)
      same = same && n->kids[1 + 2 * w]->type->kind == t->kind;
    n->cmp = sl_xcmp_for(same ? t : sl_type_null());
  }
  n->needs_sel = true;
  return case_kernel;
}

/* ---- CAST ------------------------------------------------------------- */

static sl_status cast_copy_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                  int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out;
  for (int i = 0; i < nsel; i++)
    n->out[sel[i]] = A[sel[i]];
  return SL_OK;
}

#define CAST_KERNEL(name, ...)                                            \
  static sl_status name(sl_xnode *n, sl_xeval *ev, const int *sel,        \
                        int nsel) {                                        \
    sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);                   \
    if (rc)                                                                \
      return rc;                                                           \
    const sl_value *A = n->kids[0]->out;                                   \
    for (int i = 0; i < nsel; i++) {                                       \
      int r = sel[i];                                                      \
      if (A[r].kind == SL_TYPE_NULL) {                                     \
        n->out[r] = sl_value_null();                                       \
        continue;                                                          \
      }                                                                    \
      __VA_ARGS__                                                           \
    }                                                                      \
    return SL_OK;                                                          \
  }

CAST_KERNEL(cast_int_bigint, {
  sl_value v = {.kind = SL_TYPE_BIGINT, .u = {.i64 = A[r].u.i32}};
  n->out[r] = v;
})
CAST_KERNEL(cast_int_double, {
  sl_value v = {.kind = SL_TYPE_DOUBLE, .u = {.f64 = A[r].u.i32}};
  n->out[r] = v;
})
CAST_KERNEL(cast_bigint_double, {
  sl_value v = {.kind = SL_TYPE_DOUBLE, .u = {.f64 = (double)A[r].u.i64}};
  n->out[r] = v;
})
CAST_KERNEL(cast_date_timestamp, {
  sl_value v = {.kind = SL_TYPE_TIMESTAMP,
                .u = {.i64 = (int64_t)A[r].u.i32 * SL_MS_PER_DAY}};
  n->out[r] = v;
})

/* Everything else goes through sl_value_cast_from, row by row. */
CAST_KERNEL(cast_generic, {
  sl_error e;
  sl_status st = sl_value_cast_from(ev->arena, &A[r], n->from, n->type,
                                    &n->out[r], &e);
  if (st == SL_ERR_RECORD) {
    rc = sl_xrow_fail(ev, n, r, e.reason[0] ? e.reason : "type", "%s",
                      e.message);
    if (rc)
      return rc;
  } else if (st) {
    return sl_xnomem(ev);
  }
})

/* The kernel of CAST (see expr_internal.h). */
sl_xkernel sl_xcast_kernel(sl_xnode *n, const sl_bexpr *e) {
  (void)e;
  const sl_type *from = n->kids[0]->type, *to = n->type;
  n->from = from;
  if (from->kind == SL_TYPE_NULL)
    return null_kernel;
  if (sl_type_equal(from, to))
    return cast_copy_kernel;
  if (from->kind == SL_TYPE_INT && to->kind == SL_TYPE_BIGINT)
    return cast_int_bigint;
  if (from->kind == SL_TYPE_INT && to->kind == SL_TYPE_DOUBLE)
    return cast_int_double;
  if (from->kind == SL_TYPE_BIGINT && to->kind == SL_TYPE_DOUBLE)
    return cast_bigint_double;
  if (from->kind == SL_TYPE_DATE && to->kind == SL_TYPE_TIMESTAMP)
    return cast_date_timestamp;
  return cast_generic;
}

/* ---- COALESCE, IFNULL, NULLIF ----------------------------------------- */

static sl_status coalesce_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                 int nsel) {
  int *rem = n->sel_a;
  int nrem = nsel;
  memcpy(rem, sel, (size_t)nsel * sizeof(*rem));
  for (int k = 0; k < n->nkids && nrem > 0; k++) {
    sl_xnode *arg = n->kids[k];
    sl_status rc = sl_xnode_eval(arg, ev, rem, nrem);
    if (rc)
      return rc;
    int keep = 0;
    for (int i = 0; i < nrem; i++) {
      int r = rem[i];
      if (arg->out[r].kind != SL_TYPE_NULL)
        n->out[r] = arg->out[r];
      else
        rem[keep++] = r;
    }
    nrem = keep;
  }
  for (int i = 0; i < nrem; i++)
    n->out[rem[i]] = sl_value_null();
  return SL_OK;
}

sl_xkernel sl_xcoalesce_kernel(sl_xnode *n) {
  if (n->nkids < 1)
    return NULL;
  n->needs_sel = true;
  return coalesce_kernel;
}

static sl_status nullif_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                               int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out, *B = n->kids[1]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    bool equal = A[r].kind != SL_TYPE_NULL && B[r].kind != SL_TYPE_NULL &&
                 n->cmp(&A[r], &B[r]) == 0;
    n->out[r] = equal ? sl_value_null() : A[r];
  }
  return SL_OK;
}

sl_xkernel sl_xnullif_kernel(sl_xnode *n) {
  if (n->nkids != 2)
    return NULL;
  const sl_type *a = n->kids[0]->type, *b = n->kids[1]->type;
  n->cmp = sl_xcmp_for(a->kind == b->kind ? a : sl_type_null());
  return nullif_kernel;
}

/* ---- Subscripts, fields, ARRAY[...] ----------------------------------- */

/* array[i], 1-based; NULL outside the array. */
static sl_status array_index_kernel(sl_xnode *n, sl_xeval *ev,
                                    const int *sel, int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out, *I = n->kids[1]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (A[r].kind == SL_TYPE_NULL || I[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    int64_t k = I[r].kind == SL_TYPE_INT ? I[r].u.i32 : I[r].u.i64;
    n->out[r] = k >= 1 && k <= (int64_t)A[r].len ? A[r].u.items[k - 1]
                                                 : sl_value_null();
  }
  return SL_OK;
}

/* map[key]; NULL when the key is absent. */
static sl_status map_key_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *M = n->kids[0]->out, *K = n->kids[1]->out;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    n->out[r] = sl_value_null();
    if (M[r].kind == SL_TYPE_NULL || K[r].kind == SL_TYPE_NULL)
      continue;
    const sl_value *items = M[r].u.items;
    /* The last entry of a key wins, as for JSON objects. */
    for (uint32_t e = M[r].len; e-- > 0;) {
      const sl_value *key = &items[2 * e];
      if (key->kind != SL_TYPE_NULL && key->len == K[r].len &&
          memcmp(key->u.str, K[r].u.str, K[r].len) == 0) {
        n->out[r] = items[2 * e + 1];
        break;
      }
    }
  }
  return SL_OK;
}

sl_xkernel sl_xsubscript_kernel(sl_xnode *n, const sl_bexpr *e) {
  (void)e;
  sl_type_kind c = n->kids[0]->type->kind, k = n->kids[1]->type->kind;
  if (c == SL_TYPE_NULL || k == SL_TYPE_NULL)
    return null_kernel;
  if (c == SL_TYPE_ARRAY && (k == SL_TYPE_INT || k == SL_TYPE_BIGINT))
    return array_index_kernel;
  if (c == SL_TYPE_MAP && k == SL_TYPE_VARCHAR)
    return map_key_kernel;
  return NULL;
}

static sl_status field_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                              int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *S = n->kids[0]->out;
  int idx = n->index;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    n->out[r] = S[r].kind == SL_TYPE_NULL || (uint32_t)idx >= S[r].len
                    ? sl_value_null()
                    : S[r].u.items[idx];
  }
  return SL_OK;
}

sl_xkernel sl_xfield_kernel(sl_xnode *n, const sl_bexpr *e) {
  const sl_type *t = n->kids[0]->type;
  if (t->kind == SL_TYPE_NULL)
    return null_kernel;
  if (t->kind != SL_TYPE_STRUCT || e->u.field.index < 0 ||
      e->u.field.index >= t->nfields)
    return NULL;
  n->index = e->u.field.index;
  return field_kernel;
}

static sl_status array_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                              int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  int k = n->nkids;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    sl_value *items = sl_arena_alloc(ev->arena,
                                     (size_t)(k ? k : 1) * sizeof(*items));
    if (!items)
      return sl_xnomem(ev);
    for (int j = 0; j < k; j++)
      items[j] = n->kids[j]->out[r];
    n->out[r] = sl_value_composite(SL_TYPE_ARRAY, items, (uint32_t)k);
  }
  return SL_OK;
}

sl_xkernel sl_xarray_kernel(sl_xnode *n, const sl_bexpr *e) {
  (void)e;
  return n->type->kind == SL_TYPE_ARRAY ? array_kernel : NULL;
}

/* ---- EXTRACT ---------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b) {
  return a - floor_div(a, b) * b;
}

/* Weeks (52 or 53) of an ISO year. */
static int iso_weeks(int64_t y) {
  int64_t p = floor_mod(y + floor_div(y, 4) - floor_div(y, 100) +
                            floor_div(y, 400),
                        7);
  int64_t y1 = y - 1;
  int64_t q = floor_mod(y1 + floor_div(y1, 4) - floor_div(y1, 100) +
                            floor_div(y1, 400),
                        7);
  return 52 + (p == 4 || q == 3);
}

/* One field of an instant in ms. */
static int64_t instant_field(sl_extract_part part, int64_t ms) {
  sl_time_parts t;
  switch (part) {
  case SL_EXTRACT_EPOCH:
    return floor_div(ms, 1000);
  case SL_EXTRACT_MILLISECOND:
    return floor_mod(ms, 1000);
  case SL_EXTRACT_SECOND:
    return floor_mod(floor_div(ms, 1000), 60);
  case SL_EXTRACT_MINUTE:
    return floor_mod(floor_div(ms, 60000), 60);
  case SL_EXTRACT_HOUR:
    return floor_mod(floor_div(ms, 3600000), 24);
  default:
    break;
  }
  sl_time_split(ms, &t);
  switch (part) {
  case SL_EXTRACT_YEAR: return t.year;
  case SL_EXTRACT_QUARTER: return (t.month - 1) / 3 + 1;
  case SL_EXTRACT_MONTH: return t.month;
  case SL_EXTRACT_DAY: return t.day;
  case SL_EXTRACT_DOW: return t.weekday == 0 ? 7 : t.weekday;
  case SL_EXTRACT_DOY: return t.yday;
  case SL_EXTRACT_WEEK: {
    int wd = t.weekday == 0 ? 7 : t.weekday;
    int week = (t.yday - wd + 10) / 7;
    if (week < 1)
      return iso_weeks(t.year - 1);
    if (week > iso_weeks(t.year))
      return 1;
    return week;
  }
  default: return 0;
  }
}

/* One field of an INTERVAL, read from its [N days ]HH:MM:SS.mmm form as
 * PostgreSQL reads a day-time interval: a day is 24 hours, and every part
 * truncates toward zero, so each carries the interval's sign (-90 s is
 * -1 minute and -30 seconds).  EPOCH is the whole interval in seconds and
 * SECOND the seconds within the minute, both with the milliseconds as a
 * fraction; MILLISECOND is the milliseconds within the second, as for a
 * TIMESTAMP.  Each DOUBLE is one correctly rounded division of the exact
 * milliseconds (exact up to 2^53 ms, some 285,000 years). */
static sl_value interval_field(sl_extract_part part, int64_t ms) {
  switch (part) {
  case SL_EXTRACT_EPOCH:
    return sl_value_double((double)ms / 1000.0);
  case SL_EXTRACT_SECOND:
    return sl_value_double((double)(ms % 60000) / 1000.0);
  case SL_EXTRACT_MILLISECOND:
    return sl_value_int((int32_t)(ms % 1000));
  case SL_EXTRACT_MINUTE:
    return sl_value_int((int32_t)(ms / 60000 % 60));
  case SL_EXTRACT_HOUR:
    return sl_value_int((int32_t)(ms / 3600000 % 24));
  case SL_EXTRACT_DAY:
    return sl_value_bigint(ms / SL_MS_PER_DAY);
  default:
    return sl_value_null();
  }
}

static sl_status extract_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                                int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;
  const sl_value *A = n->kids[0]->out;
  sl_type_kind in = n->kids[0]->type->kind, res = n->type->kind;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    if (A[r].kind == SL_TYPE_NULL) {
      n->out[r] = sl_value_null();
      continue;
    }
    if (in == SL_TYPE_INTERVAL) {
      n->out[r] = interval_field(n->part, A[r].u.i64);
      continue;
    }
    int64_t ms = in == SL_TYPE_DATE ? (int64_t)A[r].u.i32 * SL_MS_PER_DAY
                                    : A[r].u.i64;
    int64_t v = instant_field(n->part, ms);
    n->out[r] = res == SL_TYPE_INT ? sl_value_int((int32_t)v)
                                   : sl_value_bigint(v);
  }
  return SL_OK;
}

/* The result type EXTRACT of an INTERVAL has for each part (the binder's
 * rule), SL_TYPE_NULL for the calendar parts an INTERVAL lacks. */
static sl_type_kind interval_part_kind(sl_extract_part part) {
  switch (part) {
  case SL_EXTRACT_EPOCH:
  case SL_EXTRACT_SECOND:
    return SL_TYPE_DOUBLE;
  case SL_EXTRACT_DAY:
    return SL_TYPE_BIGINT;
  case SL_EXTRACT_MILLISECOND:
  case SL_EXTRACT_MINUTE:
  case SL_EXTRACT_HOUR:
    return SL_TYPE_INT;
  default:
    return SL_TYPE_NULL;
  }
}

sl_xkernel sl_xextract_kernel(sl_xnode *n, const sl_bexpr *e) {
  sl_type_kind in = n->kids[0]->type->kind, res = n->type->kind;
  n->part = e->u.part;
  if (in == SL_TYPE_NULL)
    return null_kernel;
  if (in == SL_TYPE_TIMESTAMP || in == SL_TYPE_DATE)
    return res == SL_TYPE_BIGINT || res == SL_TYPE_INT ? extract_kernel
                                                       : NULL;
  if (in == SL_TYPE_INTERVAL && res == interval_part_kind(n->part))
    return extract_kernel;
  return NULL;
}

/* ---- Registry calls --------------------------------------------------- */

static sl_status call_kernel(sl_xnode *n, sl_xeval *ev, const int *sel,
                             int nsel) {
  sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);
  if (rc)
    return rc;

  /* The rows to call: a strict function gives NULL for a NULL argument
   * without being called. */
  sl_func_ctx *ctx = n->call;
  unsigned flags = ctx->func ? ctx->func->flags : SL_FUNC_NULL_CALL;
  bool strict = !(flags & SL_FUNC_NULL_CALL);
  int *rows = n->sel_a;
  int k = 0;
  for (int i = 0; i < nsel; i++) {
    int r = sel[i];
    bool null_arg = false;
    for (int a = 0; strict && a < n->nkids && !null_arg; a++)
      null_arg = n->kids[a]->out[r].kind == SL_TYPE_NULL;
    if (null_arg)
      n->out[r] = sl_value_null();
    else
      rows[k++] = r;
  }
  if (k == 0)
    return SL_OK;

  /* Dense rows 0..k-1 go straight through; otherwise gather. */
  bool dense = rows[k - 1] == k - 1;
  const sl_value *args_buf[16];
  const sl_value **args = args_buf;
  if (n->nkids > 16) {
    args = sl_arena_alloc(ev->arena, (size_t)n->nkids * sizeof(*args));
    if (!args)
      return sl_xnomem(ev);
  }
  for (int a = 0; a < n->nkids; a++) {
    if (dense) {
      args[a] = n->kids[a]->out;
      continue;
    }
    const sl_value *src = n->kids[a]->out;
    sl_value *dst = n->gather[a];
    for (int i = 0; i < k; i++)
      dst[i] = src[rows[i]];
    args[a] = dst;
  }
  sl_value *res = dense ? n->out : n->gather_out;
  rc = sl_func_eval(ctx, (const sl_value *const *)args, k, res, ev->arena,
                    ev->err);
  if (rc)
    return rc;
  if (!dense)
    for (int i = 0; i < k; i++)
      n->out[rows[i]] = res[i];

  if (ctx->nerrors > 0) {
    for (int i = 0; i < k; i++) {
      const sl_func_row_error *fe = &ctx->errors[i];
      if (!fe->reason)
        continue;
      rc = sl_xrow_fail(ev, n, rows[i], fe->reason, "%s",
                        fe->message ? fe->message : "function failed");
      if (rc)
        return rc;
    }
  }
  return SL_OK;
}

sl_xkernel sl_xcall_kernel(sl_xnode *n) {
  n->needs_sel = true;
  return call_kernel;
}
