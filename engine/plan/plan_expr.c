/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_expr.c - expression utilities of the planner: copying into the
 * plan, substitution through projections, renumbering columns, folding
 * constants, and the questions rewrites ask (which columns, is it
 * deterministic, are two expressions the same).
 */
#include "engine/plan/plan_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expr/expr.h"

/* ------------------------------------------------------------------ */
/* Planner basics                                                      */
/* ------------------------------------------------------------------ */

sl_status sl_planner_fail(sl_planner *p, sl_srcpos pos, const char *fmt,
                          ...) {
  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  const char *file = p->req->file ? p->req->file : "";
  return sl_error_set_sql(p->err, file, pos.line, pos.column, "%s", msg);
}

sl_status sl_planner_nomem(sl_planner *p) {
  return sl_error_set(p->err, SL_ERR_NOMEM, "out of memory planning a "
                                            "query");
}

void *sl_planner_alloc(sl_planner *p, size_t n) {
  void *m = sl_arena_calloc(&p->plan->arena, 1, n ? n : 1);
  if (!m)
    sl_planner_nomem(p);
  return m;
}

const char *sl_planner_strdup(sl_planner *p, const char *s) {
  if (!s)
    return NULL;
  char *d = sl_arena_strdup(&p->plan->arena, s);
  if (!d)
    sl_planner_nomem(p);
  return d;
}

/* Clones type once per plan. */
sl_type *sl_planner_type(sl_planner *p, const sl_type *type) {
  if (type->is_static)
    return (sl_type *)type;
  for (int i = 0; i < p->ntmap; i++)
    if (p->tmap_from[i] == type)
      return p->tmap_to[i];

  sl_plan *pl = p->plan;
  if (pl->ntypes == pl->types_cap) {
    int cap = pl->types_cap ? pl->types_cap * 2 : 16;
    sl_type **t = realloc(pl->types, (size_t)cap * sizeof(*t));
    if (!t)
      goto nomem;
    pl->types = t;
    pl->types_cap = cap;
  }
  if (p->ntmap == p->tmap_cap) {
    int cap = p->tmap_cap ? p->tmap_cap * 2 : 16;
    const sl_type **f = realloc(p->tmap_from, (size_t)cap * sizeof(*f));
    if (!f)
      goto nomem;
    p->tmap_from = f;
    sl_type **t = realloc(p->tmap_to, (size_t)cap * sizeof(*t));
    if (!t)
      goto nomem;
    p->tmap_to = t;
    p->tmap_cap = cap;
  }
  sl_type *copy = sl_type_clone(type);
  if (!copy)
    goto nomem;
  pl->types[pl->ntypes++] = copy;
  p->tmap_from[p->ntmap] = type;
  p->tmap_to[p->ntmap++] = copy;
  return copy;

nomem:
  sl_planner_nomem(p);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Copies and new nodes                                                */
/* ------------------------------------------------------------------ */

/* Copies e; COLUMN nodes become copies of repl[i] when repl is given. */
static sl_bexpr *copy_node(sl_planner *p, const sl_bexpr *e,
                           sl_bexpr *const *repl) {
  if (repl && e->kind == SL_BEXPR_COLUMN)
    return copy_node(p, repl[e->u.column], NULL);

  sl_bexpr *c = sl_planner_alloc(p, sizeof(*c));
  if (!c)
    return NULL;
  *c = *e;
  c->type = sl_planner_type(p, e->type);
  if (!c->type)
    return NULL;
  if (e->kind == SL_BEXPR_LITERAL &&
      sl_value_copy(&p->plan->arena, &e->u.literal, &c->u.literal, p->err))
    return NULL;
  if (e->kind == SL_BEXPR_FUNC)
    c->u.call.name = sl_planner_strdup(p, e->u.call.name);
  if (e->kind == SL_BEXPR_FIELD)
    c->u.field.name = sl_planner_strdup(p, e->u.field.name);
  if (e->kind == SL_BEXPR_PREDICT)
    c->u.predict.model = sl_planner_strdup(p, e->u.predict.model);
  if (e->nargs > 0) {
    c->args = sl_planner_alloc(p, (size_t)e->nargs * sizeof(*c->args));
    if (!c->args)
      return NULL;
    for (int i = 0; i < e->nargs; i++) {
      c->args[i] = copy_node(p, e->args[i], repl);
      if (!c->args[i])
        return NULL;
    }
  }
  return c;
}

sl_bexpr *sl_planner_copy(sl_planner *p, const sl_bexpr *e) {
  return e ? copy_node(p, e, NULL) : NULL;
}

sl_bexpr *sl_planner_subst(sl_planner *p, const sl_bexpr *e,
                           sl_bexpr *const *repl) {
  return e ? copy_node(p, e, repl) : NULL;
}

sl_bexpr *sl_planner_column(sl_planner *p, int index, sl_type *type) {
  sl_bexpr *c = sl_planner_alloc(p, sizeof(*c));
  if (!c)
    return NULL;
  c->kind = SL_BEXPR_COLUMN;
  c->type = sl_planner_type(p, type);
  c->u.column = index;
  return c->type ? c : NULL;
}

/* An implicit cast of e to type (e itself when the types are equal). */
sl_bexpr *sl_planner_cast(sl_planner *p, sl_bexpr *e, const sl_type *to) {
  if (sl_type_equal(e->type, to))
    return e;
  sl_bexpr *c = sl_planner_alloc(p, sizeof(*c));
  sl_bexpr **args = sl_planner_alloc(p, sizeof(*args));
  if (!c || !args)
    return NULL;
  c->kind = SL_BEXPR_CAST;
  c->type = sl_planner_type(p, to);
  c->pos = e->pos;
  c->implicit = true;
  c->nargs = 1;
  c->args = args;
  args[0] = e;
  return c->type ? c : NULL;
}

/* parts[0] AND parts[1] AND ...; NULL for n == 0. */
sl_bexpr *sl_planner_and(sl_planner *p, sl_bexpr *const *parts, int n) {
  if (n == 0)
    return NULL;
  sl_bexpr *acc = parts[0];
  for (int i = 1; i < n; i++) {
    sl_bexpr *a = sl_planner_alloc(p, sizeof(*a));
    sl_bexpr **args = sl_planner_alloc(p, 2 * sizeof(*args));
    if (!a || !args)
      return NULL;
    a->kind = SL_BEXPR_BINARY;
    a->op = SL_OP_AND;
    a->type = sl_type_boolean();
    a->pos = parts[i]->pos;
    a->nargs = 2;
    a->args = args;
    args[0] = acc;
    args[1] = parts[i];
    acc = a;
  }
  return acc;
}

/* ------------------------------------------------------------------ */
/* Questions about expressions                                         */
/* ------------------------------------------------------------------ */

void sl_plan_expr_remap(sl_bexpr *e, const int *map) {
  if (e->kind == SL_BEXPR_COLUMN) {
    e->u.column = map[e->u.column];
    return;
  }
  for (int i = 0; i < e->nargs; i++)
    sl_plan_expr_remap(e->args[i], map);
}

void sl_plan_expr_shift(sl_bexpr *e, int delta) {
  if (e->kind == SL_BEXPR_COLUMN) {
    e->u.column += delta;
    return;
  }
  for (int i = 0; i < e->nargs; i++)
    sl_plan_expr_shift(e->args[i], delta);
}

void sl_plan_expr_columns(const sl_bexpr *e, bool *used, int n) {
  if (e->kind == SL_BEXPR_COLUMN) {
    if (e->u.column >= 0 && e->u.column < n)
      used[e->u.column] = true;
    return;
  }
  for (int i = 0; i < e->nargs; i++)
    sl_plan_expr_columns(e->args[i], used, n);
}

static void range_of(const sl_bexpr *e, int *lo, int *hi, bool *any) {
  if (e->kind == SL_BEXPR_COLUMN) {
    int c = e->u.column;
    if (!*any || c < *lo)
      *lo = c;
    if (!*any || c > *hi)
      *hi = c;
    *any = true;
    return;
  }
  for (int i = 0; i < e->nargs; i++)
    range_of(e->args[i], lo, hi, any);
}

bool sl_plan_expr_range(const sl_bexpr *e, int *lo, int *hi) {
  bool any = false;
  range_of(e, lo, hi, &any);
  return any;
}

int sl_plan_expr_uses(const sl_bexpr *e, int column) {
  if (e->kind == SL_BEXPR_COLUMN)
    return e->u.column == column;
  int n = 0;
  for (int i = 0; i < e->nargs; i++)
    n += sl_plan_expr_uses(e->args[i], column);
  return n;
}

bool sl_plan_expr_deterministic(const sl_bexpr *e) {
  if (e->kind == SL_BEXPR_PREDICT)
    return false;
  if (e->kind == SL_BEXPR_FUNC && e->u.call.func &&
      (e->u.call.func->flags & SL_FUNC_NONDETERMINISTIC))
    return false;
  for (int i = 0; i < e->nargs; i++)
    if (!sl_plan_expr_deterministic(e->args[i]))
      return false;
  return true;
}

bool sl_plan_expr_trivial(const sl_bexpr *e) {
  e = sl_plan_expr_strip(e);
  return e->kind == SL_BEXPR_COLUMN || e->kind == SL_BEXPR_LITERAL;
}

const sl_bexpr *sl_plan_expr_strip(const sl_bexpr *e) {
  while (e->kind == SL_BEXPR_CAST && e->implicit)
    e = e->args[0];
  return e;
}

bool sl_plan_expr_is_true(const sl_bexpr *e) {
  return e->kind == SL_BEXPR_LITERAL &&
         e->u.literal.kind == SL_TYPE_BOOLEAN && e->u.literal.u.b;
}

bool sl_plan_expr_equal(const sl_bexpr *a, const sl_bexpr *b) {
  if (a->kind != b->kind || a->op != b->op || a->negated != b->negated ||
      a->nargs != b->nargs || !sl_type_equal(a->type, b->type))
    return false;
  switch (a->kind) {
  case SL_BEXPR_COLUMN:
    return a->u.column == b->u.column;
  case SL_BEXPR_LITERAL:
    if (a->u.literal.kind == SL_TYPE_NULL || b->u.literal.kind == SL_TYPE_NULL)
      return a->u.literal.kind == b->u.literal.kind;
    return sl_value_compare(&a->u.literal, &b->u.literal) == 0;
  case SL_BEXPR_FUNC:
    if (a->u.call.func != b->u.call.func)
      return false;
    break;
  case SL_BEXPR_FIELD:
    if (a->u.field.index != b->u.field.index)
      return false;
    break;
  case SL_BEXPR_EXTRACT:
    if (a->u.part != b->u.part)
      return false;
    break;
  case SL_BEXPR_CASE:
    if (a->u.case_.has_operand != b->u.case_.has_operand ||
        a->u.case_.nwhen != b->u.case_.nwhen ||
        a->u.case_.has_else != b->u.case_.has_else)
      return false;
    break;
  case SL_BEXPR_PREDICT:
    return false;
  default:
    break;
  }
  for (int i = 0; i < a->nargs; i++)
    if (!sl_plan_expr_equal(a->args[i], b->args[i]))
      return false;
  return true;
}

int sl_plan_expr_conjuncts(sl_bexpr *e, sl_bexpr **parts, int max) {
  if (e->kind == SL_BEXPR_BINARY && e->op == SL_OP_AND) {
    int a = sl_plan_expr_conjuncts(e->args[0], parts, max);
    if (a < 0)
      return -1;
    int b = sl_plan_expr_conjuncts(e->args[1], parts + a, max - a);
    return b < 0 ? -1 : a + b;
  }
  if (max < 1)
    return -1;
  parts[0] = e;
  return 1;
}

/* ------------------------------------------------------------------ */
/* Folding                                                             */
/* ------------------------------------------------------------------ */

/* Folds bottom-up: a node whose arguments are all literals (and that is
 * deterministic) is evaluated once; one that fails stays, to fail its
 * rows at run time with the right reason. */
sl_status sl_planner_fold(sl_planner *p, sl_bexpr *e) {
  if (e->kind == SL_BEXPR_LITERAL || e->kind == SL_BEXPR_COLUMN)
    return SL_OK;
  bool all_lit = true;
  for (int i = 0; i < e->nargs; i++) {
    sl_status rc = sl_planner_fold(p, e->args[i]);
    if (rc)
      return rc;
    all_lit = all_lit && e->args[i]->kind == SL_BEXPR_LITERAL;
  }
  if (!all_lit || e->kind == SL_BEXPR_PREDICT ||
      !sl_plan_expr_deterministic(e))
    return SL_OK;
  /* Aggregate-internal kinds never reach the planner, but be safe. */
  if (e->kind >= SL_BEXPR_AGG_REF)
    return SL_OK;

  sl_value v;
  sl_error ferr;
  sl_status rc = sl_expr_eval_constant(e, &p->plan->arena, &v, &ferr);
  if (rc == SL_ERR_NOMEM)
    return sl_planner_nomem(p);
  if (rc)
    return SL_OK;
  sl_bexpr folded = {.kind = SL_BEXPR_LITERAL, .type = e->type,
                     .pos = e->pos};
  folded.u.literal = v;
  *e = folded;
  return SL_OK;
}
