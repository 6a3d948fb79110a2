/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_stateful.c - choosing and building the stateful operators (see
 * plan_stateful.h).
 */
#include "engine/plan/plan_stateful.h"

#include "engine/plan/plan_internal.h"

#include <string.h>

/* ---- Copies into the plan ---------------------------------------------- */

static sl_bexpr **copy_exprs(sl_planner *p, sl_bexpr *const *src, int n) {
  sl_bexpr **dst = sl_planner_alloc(p, ((size_t)n + 1) * sizeof(*dst));
  for (int i = 0; dst && i < n; i++)
    if (!(dst[i] = sl_planner_copy(p, src[i])))
      return NULL;
  return dst;
}

static bool copy_call(sl_planner *p, const sl_agg_call *src,
                      sl_agg_call *dst) {
  *dst = *src;
  dst->name = src->name ? sl_planner_strdup(p, src->name) : NULL;
  dst->type = sl_planner_type(p, src->type);
  dst->args = copy_exprs(p, src->args, src->nargs);
  return dst->type && dst->args && (!src->name || dst->name);
}

static sl_agg_call *copy_calls(sl_planner *p, const sl_agg_call *src, int n) {
  sl_agg_call *dst = sl_planner_alloc(p, ((size_t)n + 1) * sizeof(*dst));
  for (int i = 0; dst && i < n; i++)
    if (!copy_call(p, &src[i], &dst[i]))
      return NULL;
  return dst;
}

static bool copy_over_call(sl_planner *p, const sl_over_call *src,
                           sl_over_call *dst) {
  *dst = *src;
  if (!copy_call(p, &src->agg, &dst->agg))
    return false;
  if (src->lag_default && !(dst->lag_default =
                                sl_planner_copy(p, src->lag_default)))
    return false;
  dst->partition_by = copy_exprs(p, src->partition_by, src->npartition);
  dst->order_by = copy_exprs(p, src->order_by, src->norder);
  dst->order_desc = sl_planner_alloc(p, (size_t)src->norder + 1);
  if (!dst->partition_by || !dst->order_by || !dst->order_desc)
    return false;
  memcpy(dst->order_desc, src->order_desc, (size_t)src->norder);
  dst->window_name = NULL;
  return true;
}

/* The window spec of the aggregation a windowed relation comes from. */
static const sl_window_spec *window_below(const sl_rel *rel) {
  for (const sl_rel *r = rel; r; r = r->input) {
    if (r->kind == SL_REL_AGGREGATE)
      return r->u.aggregate.window.kind != SL_WINDOW_NONE
                 ? &r->u.aggregate.window
                 : NULL;
    if (r->kind == SL_REL_JOIN)
      return window_below(r->u.join.left);
  }
  return NULL;
}

static bool bounded(const sl_planner *p) {
  return p->req && p->req->bounded;
}

/* ---- Aggregation -------------------------------------------------------- */

static sl_status describe_aggregate(sl_planner *p, const sl_rel *rel,
                                    sl_plan_stateful *out) {
  const sl_window_spec *w = &rel->u.aggregate.window;
  int ngroup = rel->u.aggregate.ngroup, naggs = rel->u.aggregate.naggs;
  sl_bexpr **keys = copy_exprs(p, rel->u.aggregate.group_by, ngroup);
  sl_agg_call *aggs = copy_calls(p, rel->u.aggregate.aggs, naggs);
  if (!keys || !aggs)
    return sl_planner_nomem(p);
  sl_emit_mode emit = rel->u.aggregate.emit;
  if (emit == SL_EMIT_DEFAULT)
    emit = bounded(p) ? SL_EMIT_FINAL : SL_EMIT_CHANGES;
  out->ninputs = 1;
  out->input_rels[0] = rel->input;

  if (w->kind == SL_WINDOW_NONE) {
    out->kind = SL_STATEFUL_GROUP_AGG;
    sl_group_agg_spec *g = &out->u.group_agg;
    g->ngroup = ngroup;
    g->group_by = keys;
    g->naggs = naggs;
    g->aggs = aggs;
    g->emit = emit;
    return SL_OK;
  }
  if (rel->input->event_time < 0 && rel->input->nature != SL_NATURE_STREAM)
    return sl_planner_fail(p, w->pos, "a windowed aggregation needs a "
                           "stream with an event time");
  out->kind = SL_STATEFUL_WINDOW_AGG;
  sl_window_agg_spec *s = &out->u.window_agg;
  s->window = *w;
  s->emit = emit;
  /* Merged sessions withdraw the rows they replace when those rows go
   * out as they are (not into another stateful operator). */
  s->withdrawals = p->req && p->req->query &&
                   sl_rel_withdraws(p->req->query, rel,
                                    bounded(p) ? SL_EMIT_FINAL
                                               : SL_EMIT_CHANGES);
  s->ngroup = ngroup;
  s->group_by = keys;
  s->naggs = naggs;
  s->aggs = aggs;
  return SL_OK;
}

/* ---- Joins -------------------------------------------------------------- */

/* True when c is the equality of key pair k (the right key shifted past
 * the left columns), either way round. */
static bool is_key_pair(sl_planner *p, const sl_bexpr *c, const sl_rel *rel,
                        int k, int nleft) {
  if (c->kind != SL_BEXPR_BINARY || c->op != SL_OP_EQ)
    return false;
  sl_bexpr *r = sl_planner_copy(p, rel->u.join.right_keys[k]);
  sl_bexpr *l = sl_planner_copy(p, rel->u.join.left_keys[k]);
  if (!r || !l)
    return false;
  sl_plan_expr_shift(r, nleft);
  const sl_bexpr *a = sl_plan_expr_strip(c->args[0]);
  const sl_bexpr *b = sl_plan_expr_strip(c->args[1]);
  const sl_bexpr *ls = sl_plan_expr_strip(l), *rs = sl_plan_expr_strip(r);
  return (sl_plan_expr_equal(a, ls) && sl_plan_expr_equal(b, rs)) ||
         (sl_plan_expr_equal(b, ls) && sl_plan_expr_equal(a, rs));
}

/* What ON holds beyond the key equalities, over the output; NULL when
 * nothing.  *ok is false when out of memory. */
static sl_bexpr *residual(sl_planner *p, const sl_rel *rel, bool *ok) {
  enum { MAXC = 64 };
  sl_bexpr *parts[MAXC], *rest[MAXC];
  int nleft = rel->u.join.left->ncolumns, nrest = 0;
  *ok = true;
  if (!rel->u.join.condition)
    return NULL;
  sl_bexpr *cond = sl_planner_copy(p, rel->u.join.condition);
  if (!cond) {
    *ok = false;
    return NULL;
  }
  int np = sl_plan_expr_conjuncts(cond, parts, MAXC);
  if (np < 0)
    return cond;
  for (int i = 0; i < np; i++) {
    bool key = false;
    for (int k = 0; k < rel->u.join.nkeys && !key; k++)
      key = is_key_pair(p, parts[i], rel, k, nleft);
    if (!key && !sl_plan_expr_is_true(parts[i]))
      rest[nrest++] = parts[i];
  }
  sl_bexpr *r = sl_planner_and(p, rest, nrest);
  *ok = nrest == 0 || r;
  return r;
}

static sl_status describe_interval(sl_planner *p, const sl_rel *rel,
                                   sl_plan_stateful *out) {
  int nkeys = rel->u.join.nkeys;
  sl_interval_join_spec *s = &out->u.interval_join;
  out->kind = SL_STATEFUL_INTERVAL_JOIN;
  out->ninputs = 2;
  out->input_rels[0] = rel->u.join.left;
  out->input_rels[1] = rel->u.join.right;
  s->kind = rel->u.join.kind;
  s->nleft = rel->u.join.left->ncolumns;
  s->nright = rel->u.join.right->ncolumns;
  s->nkeys = nkeys;
  s->left_keys = copy_exprs(p, rel->u.join.left_keys, nkeys);
  s->right_keys = copy_exprs(p, rel->u.join.right_keys, nkeys);
  s->before_ms = rel->u.join.within_before_ms;
  s->after_ms = rel->u.join.within_after_ms;
  s->grace_ms = rel->u.join.grace_ms;
  bool ok;
  s->residual = residual(p, rel, &ok);
  if (!s->left_keys || !s->right_keys || !ok)
    return sl_planner_nomem(p);
  if (s->before_ms + s->after_ms < 0)
    return sl_planner_fail(p, rel->pos, "WITHIN (%lld ms, %lld ms) is an "
                           "empty range", (long long)s->before_ms,
                           (long long)s->after_ms);
  return SL_OK;
}

static sl_status describe_window_join(sl_planner *p, const sl_rel *rel,
                                      sl_plan_stateful *out) {
  const sl_rel *l = rel->u.join.left, *r = rel->u.join.right;
  if (l->window_end < 0 || r->window_end < 0)
    return sl_planner_fail(p, rel->pos, "a join of two windowed results "
                           "needs WINDOW_END on both sides (select it in "
                           "each and compare them in ON)");
  if (rel->u.join.condition) {
    bool ok;
    if (residual(p, rel, &ok) || !ok)
      return ok ? sl_planner_fail(p, rel->pos, "a join of two windowed "
                                  "results takes key equalities only in "
                                  "ON; filter the rest with WHERE")
                : sl_planner_nomem(p);
  }
  const sl_window_spec *wl = window_below(l), *wr = window_below(r);
  sl_window_join_spec *s = &out->u.window_join;
  out->kind = SL_STATEFUL_WINDOW_JOIN;
  out->ninputs = 2;
  out->input_rels[0] = l;
  out->input_rels[1] = r;
  s->kind = rel->u.join.kind;
  s->nleft = l->ncolumns;
  s->nright = r->ncolumns;
  s->nkeys = rel->u.join.nkeys;
  s->left_keys = copy_exprs(p, rel->u.join.left_keys, s->nkeys);
  s->right_keys = copy_exprs(p, rel->u.join.right_keys, s->nkeys);
  s->left_start = l->window_start >= 0 ? l->window_start : l->window_end;
  s->left_end = l->window_end;
  s->right_start = r->window_start >= 0 ? r->window_start : r->window_end;
  s->right_end = r->window_end;
  int64_t gl = wl ? wl->grace_ms : 0, gr = wr ? wr->grace_ms : 0;
  s->grace_ms = gl > gr ? gl : gr;
  if (!s->left_keys || !s->right_keys)
    return sl_planner_nomem(p);
  return SL_OK;
}

static sl_status describe_temporal(sl_planner *p, const sl_rel *rel,
                                   sl_plan_stateful *out) {
  const sl_rel *t = rel->u.join.right;
  if (t->kind != SL_REL_SCAN || !t->u.scan.object || !t->u.scan.versioned)
    return sl_planner_fail(p, rel->pos, "FOR SYSTEM_TIME AS OF reads a "
                           "versioned table directly (WITH "
                           "(versioned=true))");
  if (rel->u.join.kind != SL_JOIN_INNER && rel->u.join.kind != SL_JOIN_LEFT)
    return sl_planner_fail(p, rel->pos, "a temporal join is INNER or LEFT");
  const sl_catalog_object *obj = t->u.scan.object;

  /* One key value per key column of the table, in its order. */
  int nkeys = 0;
  for (int c = 0; c < obj->ncolumns; c++)
    nkeys += obj->columns[c].primary_key;
  sl_bexpr **keys = sl_planner_alloc(p, ((size_t)nkeys + 1) * sizeof(*keys));
  if (!keys)
    return sl_planner_nomem(p);
  int k = 0;
  for (int c = 0; c < obj->ncolumns; c++) {
    if (!obj->columns[c].primary_key)
      continue;
    for (int j = 0; j < rel->u.join.nkeys && !keys[k]; j++) {
      const sl_bexpr *rk = sl_plan_expr_strip(rel->u.join.right_keys[j]);
      if (rk->kind == SL_BEXPR_COLUMN && rk->u.column == c) {
        keys[k] = sl_planner_copy(p, rel->u.join.left_keys[j]);
        if (keys[k] && !sl_type_equal(keys[k]->type, obj->columns[c].type))
          keys[k] = sl_planner_cast(p, keys[k], obj->columns[c].type);
        if (!keys[k])
          return sl_planner_nomem(p);
      }
    }
    if (!keys[k])
      return sl_planner_fail(p, rel->pos, "a temporal join on %s needs an "
                             "equality on its key column %s", obj->name,
                             obj->columns[c].name);
    k++;
  }
  bool ok;
  sl_temporal_join_spec *s = &out->u.temporal_join;
  out->kind = SL_STATEFUL_TEMPORAL_JOIN;
  out->ninputs = 1;
  out->input_rels[0] = rel->u.join.left;
  s->table = sl_planner_strdup(p, obj->name);
  s->left_outer = rel->u.join.kind == SL_JOIN_LEFT;
  s->nleft = rel->u.join.left->ncolumns;
  s->nkeys = nkeys;
  s->left_keys = keys;
  s->as_of = sl_planner_copy(p, rel->u.join.as_of);
  s->residual = residual(p, rel, &ok);
  if (!s->table || (rel->u.join.as_of && !s->as_of) || !ok)
    return sl_planner_nomem(p);
  return SL_OK;
}

/* ---- OVER and top-N ----------------------------------------------------- */

static bool same_partition(const sl_over_call *a, const sl_over_call *b) {
  if (a->npartition != b->npartition)
    return false;
  for (int i = 0; i < a->npartition; i++)
    if (!sl_plan_expr_equal(a->partition_by[i], b->partition_by[i]))
      return false;
  return true;
}

static sl_status describe_over(sl_planner *p, const sl_rel *rel,
                               sl_plan_stateful *out) {
  int n = rel->u.over.ncalls;
  const sl_over_call *calls = rel->u.over.calls;
  for (int i = 0; i < n; i++) {
    if (calls[i].kind == SL_OVER_ROW_NUMBER || calls[i].kind == SL_OVER_RANK)
      return sl_planner_fail(p, calls[i].pos,
                             "%s() on a stream needs a bound: keep its top "
                             "rows with WHERE %s <= N",
                             calls[i].kind == SL_OVER_RANK ? "RANK"
                                                           : "ROW_NUMBER",
                             calls[i].kind == SL_OVER_RANK ? "rank" : "rn");
    if (!same_partition(&calls[0], &calls[i]))
      return sl_planner_fail(p, calls[i].pos,
                             "the OVER calls of one query must share their "
                             "PARTITION BY");
    if (calls[i].kind == SL_OVER_AGGREGATE && !calls[i].has_range)
      return sl_planner_fail(p, calls[i].pos,
                             "%s OVER needs RANGE BETWEEN INTERVAL x "
                             "PRECEDING AND CURRENT ROW",
                             calls[i].agg.name);
    const sl_bexpr *o = calls[i].norder == 1
                            ? sl_plan_expr_strip(calls[i].order_by[0])
                            : NULL;
    if (!o || o->kind != SL_BEXPR_COLUMN ||
        o->u.column != rel->input->event_time)
      return sl_planner_fail(p, calls[i].pos,
                             "OVER (...) is computed in event time: ORDER BY "
                             "the stream's event-time column");
  }
  sl_over_call *copy = sl_planner_alloc(p, ((size_t)n + 1) * sizeof(*copy));
  if (!copy)
    return sl_planner_nomem(p);
  for (int i = 0; i < n; i++)
    if (!copy_over_call(p, &calls[i], &copy[i]))
      return sl_planner_nomem(p);
  out->kind = SL_STATEFUL_OVER;
  out->ninputs = 1;
  out->input_rels[0] = rel->input;
  sl_over_spec *s = &out->u.over;
  s->ninput = rel->input->ncolumns;
  s->npartition = copy[0].npartition;
  s->partition_by = copy[0].partition_by;
  s->ncalls = n;
  s->calls = copy;
  return SL_OK;
}

/* The OVER under a top-N filter: FILTER(OVER) or FILTER(PROJECT(OVER)),
 * the OVER's only call ROW_NUMBER or RANK; *project gets the projection
 * between them (or NULL).  NULL when rel is no such filter. */
static const sl_rel *topn_over(const sl_rel *rel, const sl_rel **project) {
  *project = NULL;
  if (rel->kind != SL_REL_FILTER || !rel->input)
    return NULL;
  const sl_rel *over = rel->input;
  if (over->kind == SL_REL_PROJECT && over->input) {
    *project = over;
    over = over->input;
  }
  if (over->kind != SL_REL_OVER || over->u.over.ncalls != 1)
    return NULL;
  sl_over_kind k = over->u.over.calls[0].kind;
  return k == SL_OVER_ROW_NUMBER || k == SL_OVER_RANK ? over : NULL;
}

/* The N of a top-N filter `number <= N` or `number < N` (see topn_over),
 * or -1 when rel is none. */
static int64_t topn_limit(const sl_rel *rel) {
  const sl_rel *project;
  const sl_rel *over = topn_over(rel, &project);
  if (!over)
    return -1;
  const sl_bexpr *e = rel->u.filter.predicate;
  if (e->kind != SL_BEXPR_BINARY || (e->op != SL_OP_LE && e->op != SL_OP_LT))
    return -1;
  const sl_bexpr *c = sl_plan_expr_strip(e->args[0]);
  const sl_bexpr *v = sl_plan_expr_strip(e->args[1]);
  if (c->kind != SL_BEXPR_COLUMN || v->kind != SL_BEXPR_LITERAL)
    return -1;
  if (project) {
    if (c->u.column >= project->u.project.nexprs)
      return -1;
    c = sl_plan_expr_strip(project->u.project.exprs[c->u.column]);
    if (c->kind != SL_BEXPR_COLUMN)
      return -1;
  }
  if (c->u.column != over->ncolumns - 1)
    return -1;
  int64_t n;
  switch ((sl_type_kind)v->u.literal.kind) {
  case SL_TYPE_INT:
    n = v->u.literal.u.i32;
    break;
  case SL_TYPE_BIGINT:
    n = v->u.literal.u.i64;
    break;
  default:
    return -1;
  }
  return e->op == SL_OP_LT ? n - 1 : n;
}

static sl_status describe_topn(sl_planner *p, const sl_rel *rel,
                               sl_plan_stateful *out) {
  const sl_rel *project;
  const sl_rel *over = topn_over(rel, &project);
  const sl_over_call *c = &over->u.over.calls[0];
  out->above = project;
  int64_t limit = topn_limit(rel);
  if (limit < 1)
    return sl_planner_fail(p, rel->pos, "a top-N keeps at least one row "
                           "(WHERE rn <= N with N >= 1)");
  sl_over_call copy;
  if (!copy_over_call(p, c, &copy))
    return sl_planner_nomem(p);
  const sl_rel *in = over->input;
  out->kind = SL_STATEFUL_TOPN;
  out->ninputs = 1;
  out->input_rels[0] = in;
  sl_topn_spec *s = &out->u.topn;
  s->kind = c->kind;
  s->ninput = in->ncolumns;
  s->npartition = copy.npartition;
  s->partition_by = copy.partition_by;
  s->norder = copy.norder;
  s->order_by = copy.order_by;
  s->order_desc = copy.order_desc;
  s->limit = limit;
  s->window_end = in->windowed ? in->window_end : -1;
  const sl_window_spec *w = in->windowed ? window_below(in) : NULL;
  s->grace_ms = w ? w->grace_ms : 0;
  if (in->windowed && in->window_end < 0)
    return sl_planner_fail(p, rel->pos, "a top-N over windowed results "
                           "needs their WINDOW_END column");
  return SL_OK;
}

/* ---- The interface ------------------------------------------------------ */

bool sl_plan_stateful_claims(const sl_rel *rel) {
  switch (rel->kind) {
  case SL_REL_AGGREGATE:
  case SL_REL_OVER:
    return true;
  case SL_REL_JOIN:
    return rel->u.join.strategy != SL_JOIN_LOOKUP;
  case SL_REL_FILTER:
    return topn_limit(rel) != -1;
  default:
    return false;
  }
}

/* Describes the operator of rel (see plan_stateful.h). */
sl_status sl_plan_stateful_describe(sl_planner *p, const sl_rel *rel,
                                    sl_plan_stateful *out) {
  memset(out, 0, sizeof(*out));
  switch (rel->kind) {
  case SL_REL_AGGREGATE:
    return describe_aggregate(p, rel, out);
  case SL_REL_OVER:
    return describe_over(p, rel, out);
  case SL_REL_FILTER:
    return describe_topn(p, rel, out);
  case SL_REL_JOIN:
    switch (rel->u.join.strategy) {
    case SL_JOIN_INTERVAL:
      return describe_interval(p, rel, out);
    case SL_JOIN_WINDOW:
      return describe_window_join(p, rel, out);
    case SL_JOIN_TEMPORAL:
      return describe_temporal(p, rel, out);
    case SL_JOIN_LOOKUP:
      break;
    }
    break;
  default:
    break;
  }
  return sl_planner_fail(p, rel->pos, "no stateful operator runs this "
                         "relation");
}

/* Makes the operator (see plan_stateful.h). */
sl_status sl_plan_stateful_make(const sl_plan_stateful *s,
                                const char *state_name,
                                const sl_expr_options *opts, sl_op **out,
                                sl_error *err) {
  switch (s->kind) {
  case SL_STATEFUL_WINDOW_AGG: {
    sl_window_agg_spec spec = s->u.window_agg;
    spec.state_name = state_name;
    return sl_window_agg_new(&spec, opts, out, err);
  }
  case SL_STATEFUL_GROUP_AGG: {
    sl_group_agg_spec spec = s->u.group_agg;
    spec.state_name = state_name;
    return sl_group_agg_new(&spec, opts, out, err);
  }
  case SL_STATEFUL_INTERVAL_JOIN: {
    sl_interval_join_spec spec = s->u.interval_join;
    spec.state_name = state_name;
    return sl_interval_join_new(&spec, opts, out, err);
  }
  case SL_STATEFUL_WINDOW_JOIN: {
    sl_window_join_spec spec = s->u.window_join;
    spec.state_name = state_name;
    return sl_window_join_new(&spec, opts, out, err);
  }
  case SL_STATEFUL_TEMPORAL_JOIN:
    return sl_temporal_join_new(&s->u.temporal_join, opts, out, err);
  case SL_STATEFUL_OVER: {
    sl_over_spec spec = s->u.over;
    spec.state_name = state_name;
    return sl_over_new(&spec, opts, out, err);
  }
  case SL_STATEFUL_TOPN: {
    sl_topn_spec spec = s->u.topn;
    spec.state_name = state_name;
    return sl_topn_new(&spec, opts, out, err);
  }
  }
  return sl_error_set(err, SL_ERR_INTERNAL, "unknown stateful operator %d",
                      (int)s->kind);
}

static void mark(const sl_bexpr *e, bool *used, int ncols) {
  if (e)
    sl_plan_expr_columns(e, used, ncols);
}

static void mark_all(bool *used, int n, int ncols) {
  for (int c = 0; c < n && c < ncols; c++)
    used[c] = true;
}

static void mark_calls(const sl_agg_call *calls, int n, bool *used,
                       int ncols) {
  for (int i = 0; i < n; i++)
    for (int a = 0; a < calls[i].nargs; a++)
      mark(calls[i].args[a], used, ncols);
}

/* Marks the columns an input feeds (see plan_stateful.h). */
void sl_plan_stateful_uses(const sl_plan_stateful *s, int port, bool *used,
                           int ncols) {
  switch (s->kind) {
  case SL_STATEFUL_WINDOW_AGG:
    for (int k = 0; k < s->u.window_agg.ngroup; k++)
      mark(s->u.window_agg.group_by[k], used, ncols);
    mark_calls(s->u.window_agg.aggs, s->u.window_agg.naggs, used, ncols);
    break;
  case SL_STATEFUL_GROUP_AGG:
    for (int k = 0; k < s->u.group_agg.ngroup; k++)
      mark(s->u.group_agg.group_by[k], used, ncols);
    mark_calls(s->u.group_agg.aggs, s->u.group_agg.naggs, used, ncols);
    break;
  case SL_STATEFUL_INTERVAL_JOIN:
    /* The rows are buffered whole and come out whole. */
    mark_all(used, port ? s->u.interval_join.nright
                        : s->u.interval_join.nleft, ncols);
    break;
  case SL_STATEFUL_WINDOW_JOIN:
    mark_all(used, port ? s->u.window_join.nright : s->u.window_join.nleft,
             ncols);
    break;
  case SL_STATEFUL_TEMPORAL_JOIN:
    mark_all(used, s->u.temporal_join.nleft, ncols);
    break;
  case SL_STATEFUL_OVER:
    mark_all(used, s->u.over.ninput, ncols);
    break;
  case SL_STATEFUL_TOPN:
    mark_all(used, s->u.topn.ninput, ncols);
    break;
  }
}

/* Calls fn on each expression of s that reads the input of port, or,
 * with port -1, on every expression s holds. */
typedef sl_status (*expr_fn)(void *ud, sl_bexpr *e);

static sl_status each_call(const sl_agg_call *calls, int n, expr_fn fn,
                           void *ud) {
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < n; i++)
    for (int a = 0; !rc && a < calls[i].nargs; a++)
      rc = fn(ud, calls[i].args[a]);
  return rc;
}

static sl_status each_list(sl_bexpr *const *es, int n, expr_fn fn,
                           void *ud) {
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < n; i++)
    if (es[i])
      rc = fn(ud, es[i]);
  return rc;
}

static sl_status each_expr(const sl_plan_stateful *s, int port, expr_fn fn,
                           void *ud) {
  sl_status rc = SL_OK;
  switch (s->kind) {
  case SL_STATEFUL_WINDOW_AGG:
    rc = each_list(s->u.window_agg.group_by, s->u.window_agg.ngroup, fn, ud);
    if (!rc)
      rc = each_call(s->u.window_agg.aggs, s->u.window_agg.naggs, fn, ud);
    break;
  case SL_STATEFUL_GROUP_AGG:
    rc = each_list(s->u.group_agg.group_by, s->u.group_agg.ngroup, fn, ud);
    if (!rc)
      rc = each_call(s->u.group_agg.aggs, s->u.group_agg.naggs, fn, ud);
    break;
  default:
    /* The rest keep their inputs whole: nothing to renumber. */
    if (port >= 0)
      break;
    switch (s->kind) {
    case SL_STATEFUL_INTERVAL_JOIN: {
      const sl_interval_join_spec *j = &s->u.interval_join;
      rc = each_list(j->left_keys, j->nkeys, fn, ud);
      if (!rc)
        rc = each_list(j->right_keys, j->nkeys, fn, ud);
      if (!rc && j->residual)
        rc = fn(ud, (sl_bexpr *)j->residual);
      break;
    }
    case SL_STATEFUL_WINDOW_JOIN:
      rc = each_list(s->u.window_join.left_keys, s->u.window_join.nkeys, fn,
                     ud);
      if (!rc)
        rc = each_list(s->u.window_join.right_keys, s->u.window_join.nkeys,
                       fn, ud);
      break;
    case SL_STATEFUL_TEMPORAL_JOIN: {
      const sl_temporal_join_spec *t = &s->u.temporal_join;
      rc = each_list(t->left_keys, t->nkeys, fn, ud);
      if (!rc && t->as_of)
        rc = fn(ud, (sl_bexpr *)t->as_of);
      if (!rc && t->residual)
        rc = fn(ud, (sl_bexpr *)t->residual);
      break;
    }
    case SL_STATEFUL_OVER:
      rc = each_list(s->u.over.partition_by, s->u.over.npartition, fn, ud);
      for (int i = 0; !rc && i < s->u.over.ncalls; i++) {
        const sl_over_call *c = &s->u.over.calls[i];
        rc = each_call(&c->agg, 1, fn, ud);
        if (!rc && c->lag_default)
          rc = fn(ud, c->lag_default);
      }
      break;
    case SL_STATEFUL_TOPN:
      rc = each_list(s->u.topn.partition_by, s->u.topn.npartition, fn, ud);
      if (!rc)
        rc = each_list(s->u.topn.order_by, s->u.topn.norder, fn, ud);
      break;
    default:
      break;
    }
  }
  return rc;
}

static sl_status fold_one(void *ud, sl_bexpr *e) {
  return sl_planner_fold(ud, e);
}

/* Folds every expression (see plan_stateful.h). */
sl_status sl_plan_stateful_fold(sl_planner *p, sl_plan_stateful *s) {
  return each_expr(s, -1, fold_one, p);
}

static sl_status remap_one(void *ud, sl_bexpr *e) {
  sl_plan_expr_remap(e, ud);
  return SL_OK;
}

/* Renumbers after pruning (see plan_stateful.h). */
void sl_plan_stateful_remap(sl_plan_stateful *s, int port, const int *map) {
  each_expr(s, port, remap_one, (void *)map);
}

const char *sl_plan_stateful_name(sl_plan_stateful_kind kind) {
  switch (kind) {
  case SL_STATEFUL_WINDOW_AGG: return "WindowAgg";
  case SL_STATEFUL_GROUP_AGG: return "GroupAgg";
  case SL_STATEFUL_INTERVAL_JOIN: return "IntervalJoin";
  case SL_STATEFUL_WINDOW_JOIN: return "WindowJoin";
  case SL_STATEFUL_TEMPORAL_JOIN: return "TemporalJoin";
  case SL_STATEFUL_OVER: return "Over";
  case SL_STATEFUL_TOPN: return "TopN";
  }
  return "?";
}

static const char *join_name(sl_join_kind k) {
  switch (k) {
  case SL_JOIN_INNER: return "inner";
  case SL_JOIN_LEFT: return "left";
  case SL_JOIN_RIGHT: return "right";
  case SL_JOIN_FULL: return "full";
  }
  return "?";
}

static const char *emit_name(sl_emit_mode m) {
  return m == SL_EMIT_FINAL ? "final" : "changes";
}

/* Appends EXPLAIN's line (see plan_stateful.h). */
sl_status sl_plan_stateful_explain(const sl_plan_stateful *s,
                                   sl_strbuf *out) {
  sl_strbuf_appends(out, sl_plan_stateful_name(s->kind));
  switch (s->kind) {
  case SL_STATEFUL_WINDOW_AGG: {
    const sl_window_spec *w = &s->u.window_agg.window;
    if (w->kind == SL_WINDOW_SESSION)
      sl_strbuf_appendf(out, " session gap=%lldms", (long long)w->gap_ms);
    else if (w->kind == SL_WINDOW_HOPPING)
      sl_strbuf_appendf(out, " hopping size=%lldms advance=%lldms",
                        (long long)w->size_ms, (long long)w->advance_ms);
    else
      sl_strbuf_appendf(out, " tumbling size=%lldms",
                        (long long)w->size_ms);
    sl_strbuf_appendf(out, " grace=%lldms emit=%s%s; state: open windows "
                      "per key, evicted at end + grace",
                      (long long)w->grace_ms,
                      emit_name(s->u.window_agg.emit),
                      s->u.window_agg.withdrawals ? " withdrawing replaced "
                                                    "sessions" : "");
    break;
  }
  case SL_STATEFUL_GROUP_AGG:
    sl_strbuf_appendf(out, " emit=%s; state: one row per group",
                      emit_name(s->u.group_agg.emit));
    break;
  case SL_STATEFUL_INTERVAL_JOIN:
    sl_strbuf_appendf(out, " %s within=(%lldms, %lldms) grace=%lldms%s; "
                      "state: rows per key on both sides until their "
                      "range closes",
                      join_name(s->u.interval_join.kind),
                      (long long)s->u.interval_join.before_ms,
                      (long long)s->u.interval_join.after_ms,
                      (long long)s->u.interval_join.grace_ms,
                      s->u.interval_join.residual ? " with residual" : "");
    break;
  case SL_STATEFUL_WINDOW_JOIN:
    sl_strbuf_appendf(out, " %s grace=%lldms; state: latest row per key "
                      "and window on each side until the window closes",
                      join_name(s->u.window_join.kind),
                      (long long)s->u.window_join.grace_ms);
    break;
  case SL_STATEFUL_TEMPORAL_JOIN:
    sl_strbuf_appendf(out, " %s table=%s as of %s; state: none (versions "
                      "in the catalog)",
                      s->u.temporal_join.left_outer ? "left" : "inner",
                      s->u.temporal_join.table,
                      s->u.temporal_join.as_of ? "expression" : "event time");
    break;
  case SL_STATEFUL_OVER:
    sl_strbuf_appendf(out, " calls=%d; state: history per key within the "
                      "widest range and the largest LAG offset",
                      s->u.over.ncalls);
    break;
  case SL_STATEFUL_TOPN:
    sl_strbuf_appendf(out, " %s <= %lld %s; state: top rows per %s",
                      s->u.topn.kind == SL_OVER_RANK ? "rank" : "row_number",
                      (long long)s->u.topn.limit,
                      s->u.topn.window_end >= 0 ? "per window" : "per key",
                      s->u.topn.window_end >= 0 ? "window" : "key");
    break;
  }
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
