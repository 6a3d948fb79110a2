/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_rewrite.c - the planner's rewrites over the operator tree: filter
 * pushdown, projection merging and column pruning.
 *
 * Filters move down as far as they are still equivalent: through
 * projections (rewritten over the projection's input, when the columns
 * they read are deterministic), into every input of a UNION ALL, into the
 * stream side of a lookup join (conjuncts on the stream's columns) and,
 * for INNER joins, onto the looked-up table row (conjuncts on the table's
 * columns).  A filter never moves below a LIMIT, a source or a stateful
 * operator (a window, aggregation, stream join, OVER or top-N: what it
 * keeps and emits depends on every row it sees).
 *
 * Pruning walks down with the set of columns each operator must produce
 * and makes every operator produce exactly that, renumbering the column
 * references above it; at a source it shrinks the scan's columns and
 * tells the record schema which fields to materialize.
 */
#include "engine/plan/plan_internal.h"

#include <string.h>

/* A new node of kind (see plan_internal.h). */
sl_pnode *sl_planner_node(sl_planner *p, sl_pnode_kind kind, int ninputs,
                          int ncols) {
  sl_pnode *n = sl_planner_alloc(p, sizeof(*n));
  if (!n)
    return NULL;
  n->kind = kind;
  n->id = -1;
  n->ninputs = ninputs;
  n->ncols = ncols;
  n->inputs = sl_planner_alloc(p, (size_t)(ninputs + 1) * sizeof(*n->inputs));
  n->cols = sl_planner_alloc(p, (size_t)(ncols + 1) * sizeof(*n->cols));
  return n->inputs && n->cols ? n : NULL;
}

/* A filter with pred over `in`, whose columns it passes on. */
static sl_pnode *new_filter(sl_planner *p, sl_bexpr *pred, sl_pnode *in) {
  sl_pnode *f = sl_planner_node(p, SL_PNODE_FILTER, 1, in->ncols);
  if (!f)
    return NULL;
  f->pos = in->pos;
  f->inputs[0] = in;
  memcpy(f->cols, in->cols, (size_t)in->ncols * sizeof(*f->cols));
  f->u.filter.predicate = pred;
  return f;
}

/* ------------------------------------------------------------------ */
/* Filter pushdown                                                     */
/* ------------------------------------------------------------------ */

static sl_pnode *sink_filter(sl_planner *p, sl_pnode *f);

/* True when every projection expression pred reads is deterministic. */
static bool can_pass_project(const sl_bexpr *pred, const sl_pnode *proj) {
  for (int i = 0; i < proj->u.project.nexprs; i++)
    if (sl_plan_expr_uses(pred, i) &&
        !sl_plan_expr_deterministic(proj->u.project.exprs[i]))
      return false;
  return sl_plan_expr_deterministic(pred);
}

/* Splits a filter over a lookup join between the two sides. */
static sl_pnode *filter_join(sl_planner *p, sl_pnode *f, sl_pnode *j) {
  enum { MAXC = 64 };
  sl_bexpr *parts[MAXC], *left[MAXC], *right[MAXC], *rest[MAXC];
  int n = sl_plan_expr_conjuncts(f->u.filter.predicate, parts, MAXC);
  if (n < 0 || !sl_plan_expr_deterministic(f->u.filter.predicate))
    return f;
  int nl = 0, nr = 0, nrest = 0;
  int nleft = j->inputs[0]->ncols;
  for (int i = 0; i < n; i++) {
    int lo, hi;
    bool cols = sl_plan_expr_range(parts[i], &lo, &hi);
    if (cols && hi < nleft)
      left[nl++] = parts[i];
    else if (cols && lo >= nleft && !j->u.lookup.left_outer)
      right[nr++] = parts[i];
    else
      rest[nrest++] = parts[i];
  }

  if (nl) {
    sl_pnode *lf = new_filter(p, sl_planner_and(p, left, nl), j->inputs[0]);
    if (!lf || !(j->inputs[0] = sink_filter(p, lf)))
      return NULL;
  }
  if (nr) {
    /* Over the table's columns: through the right side's expressions. */
    sl_bexpr *conds[MAXC + 1];
    int k = 0;
    if (j->u.lookup.right_filter)
      conds[k++] = j->u.lookup.right_filter;
    for (int i = 0; i < nr; i++) {
      sl_plan_expr_shift(right[i], -nleft);
      sl_bexpr *c = j->u.lookup.right_exprs
                        ? sl_planner_subst(p, right[i], j->u.lookup.right_exprs)
                        : right[i];
      if (!c)
        return NULL;
      conds[k++] = c;
    }
    j->u.lookup.right_filter = sl_planner_and(p, conds, k);
    if (!j->u.lookup.right_filter)
      return NULL;
  }
  if (nrest == 0)
    return j;
  f->u.filter.predicate = sl_planner_and(p, rest, nrest);
  return f->u.filter.predicate ? f : NULL;
}

/* Moves filter f (over f->inputs[0]) as far down as it stays
 * equivalent; returns what replaces f in the tree. */
static sl_pnode *sink_filter(sl_planner *p, sl_pnode *f) {
  sl_pnode *c = f->inputs[0];
  sl_bexpr *pred = f->u.filter.predicate;
  if (sl_plan_expr_is_true(pred))
    return c;

  switch (c->kind) {
  case SL_PNODE_FILTER: {
    sl_bexpr *both[2] = {c->u.filter.predicate, pred};
    c->u.filter.predicate = sl_planner_and(p, both, 2);
    return c->u.filter.predicate ? sink_filter(p, c) : NULL;
  }
  case SL_PNODE_PROJECT: {
    if (!can_pass_project(pred, c))
      return f;
    sl_bexpr *below = sl_planner_subst(p, pred, c->u.project.exprs);
    if (!below)
      return NULL;
    sl_pnode *nf = new_filter(p, below, c->inputs[0]);
    if (!nf || !(c->inputs[0] = sink_filter(p, nf)))
      return NULL;
    return c;
  }
  case SL_PNODE_UNION:
    for (int i = 0; i < c->ninputs; i++) {
      sl_bexpr *copy = i == 0 ? pred : sl_planner_copy(p, pred);
      sl_pnode *nf = copy ? new_filter(p, copy, c->inputs[i]) : NULL;
      if (!nf || !(c->inputs[i] = sink_filter(p, nf)))
        return NULL;
    }
    return c;
  case SL_PNODE_LOOKUP_JOIN:
    return filter_join(p, f, c);
  default:
    return f;
  }
}

/* Pushes every filter of the subtree (see plan_internal.h). */
sl_pnode *sl_planner_push_filters(sl_planner *p, sl_pnode *n) {
  for (int i = 0; i < n->ninputs; i++) {
    n->inputs[i] = sl_planner_push_filters(p, n->inputs[i]);
    if (!n->inputs[i])
      return NULL;
  }
  return n->kind == SL_PNODE_FILTER ? sink_filter(p, n) : n;
}

/* ------------------------------------------------------------------ */
/* Projection merging                                                  */
/* ------------------------------------------------------------------ */

/* True when outer may absorb inner without computing anything twice. */
static bool can_merge(const sl_pnode *outer, const sl_pnode *inner) {
  for (int j = 0; j < inner->u.project.nexprs; j++) {
    const sl_bexpr *e = inner->u.project.exprs[j];
    int uses = 0;
    for (int i = 0; i < outer->u.project.nexprs; i++)
      uses += sl_plan_expr_uses(outer->u.project.exprs[i], j);
    if (uses > 1 && !sl_plan_expr_trivial(e))
      return false;
    if (uses > 0 && !sl_plan_expr_deterministic(e))
      return false;
  }
  return true;
}

/* True when a projection hands its input's columns on unchanged. */
static bool is_identity(const sl_pnode *proj) {
  const sl_pnode *in = proj->inputs[0];
  if (proj->ncols != in->ncols)
    return false;
  for (int i = 0; i < proj->ncols; i++) {
    const sl_bexpr *e = proj->u.project.exprs[i];
    if (e->kind != SL_BEXPR_COLUMN || e->u.column != i ||
        strcmp(proj->cols[i].name, in->cols[i].name) != 0 ||
        proj->cols[i].hidden != in->cols[i].hidden)
      return false;
  }
  return true;
}

sl_pnode *sl_planner_merge_projects(sl_planner *p, sl_pnode *n) {
  for (int i = 0; i < n->ninputs; i++) {
    n->inputs[i] = sl_planner_merge_projects(p, n->inputs[i]);
    if (!n->inputs[i])
      return NULL;
  }
  if (n->kind != SL_PNODE_PROJECT)
    return n;
  sl_pnode *in = n->inputs[0];
  if (in->kind == SL_PNODE_PROJECT && can_merge(n, in)) {
    for (int i = 0; i < n->u.project.nexprs; i++) {
      n->u.project.exprs[i] =
          sl_planner_subst(p, n->u.project.exprs[i], in->u.project.exprs);
      if (!n->u.project.exprs[i])
        return NULL;
    }
    n->inputs[0] = in->inputs[0];
  }
  return is_identity(n) ? n->inputs[0] : n;
}

/* ------------------------------------------------------------------ */
/* Column pruning                                                      */
/* ------------------------------------------------------------------ */

/* rank[i]: the position of column i among the marked ones, or -1. */
static int *ranks(sl_planner *p, const bool *mark, int n, int *count) {
  int *rank = sl_planner_alloc(p, (size_t)(n + 1) * sizeof(*rank));
  if (!rank)
    return NULL;
  int k = 0;
  for (int i = 0; i < n; i++)
    rank[i] = !mark || mark[i] ? k++ : -1;
  *count = k;
  return rank;
}

/* Keeps the marked columns of n's column list. */
static sl_status keep_cols(sl_planner *p, sl_pnode *n, const bool *mark) {
  if (!mark)
    return SL_OK;
  sl_pcolumn *cols = sl_planner_alloc(p, (size_t)(n->ncols + 1) *
                                             sizeof(*cols));
  if (!cols)
    return SL_ERR_NOMEM;
  int k = 0;
  for (int i = 0; i < n->ncols; i++)
    if (mark[i])
      cols[k++] = n->cols[i];
  n->cols = cols;
  n->ncols = k;
  return SL_OK;
}

/* The columns n must keep: the required ones, or all. */
static bool *need_of(sl_planner *p, const bool *req, int n) {
  bool *need = sl_planner_alloc(p, (size_t)n + 1);
  if (need)
    for (int i = 0; i < n; i++)
      need[i] = !req || req[i];
  return need;
}

static sl_pnode *prune_node(sl_planner *p, sl_pnode *n, const bool *req,
                            int **remap);

static sl_pnode *prune_source(sl_planner *p, sl_pnode *n, const bool *req,
                              int **remap) {
  int k;
  if (!(*remap = ranks(p, req, n->ncols, &k)))
    return NULL;
  if (req) {
    k = 0;
    for (int i = 0; i < n->ncols; i++)
      if (req[i])
        n->u.source.col_map[k++] = n->u.source.col_map[i];
    if (keep_cols(p, n, req))
      return NULL;
  }
  /* The decoders materialize only what some output column reads. */
  sl_record_schema *s = n->u.source.schema;
  sl_record_schema_need_all(s, false);
  for (int i = 0; i < n->ncols; i++)
    if (n->u.source.col_map[i] < s->ncols)
      sl_record_schema_need(s, n->u.source.col_map[i], true);
  if (n->u.source.check) {
    bool *used = sl_planner_alloc(p, (size_t)s->ncols + 1);
    if (!used)
      return NULL;
    for (const sl_bcheck *c = n->u.source.check; c; c = c->next)
      sl_plan_expr_columns(c->cond, used, s->ncols);
    for (int c = 0; c < s->ncols; c++)
      if (used[c])
        sl_record_schema_need(s, c, true);
  }
  return n;
}

static sl_pnode *prune_project(sl_planner *p, sl_pnode *n, const bool *req,
                               int **remap) {
  sl_pnode *in = n->inputs[0];
  int nout;
  if (!(*remap = ranks(p, req, n->ncols, &nout)))
    return NULL;
  bool *need = sl_planner_alloc(p, (size_t)in->ncols + 1);
  if (!need)
    return NULL;
  int k = 0;
  for (int i = 0; i < n->u.project.nexprs; i++) {
    if (req && !req[i])
      continue;
    sl_plan_expr_columns(n->u.project.exprs[i], need, in->ncols);
    n->u.project.exprs[k++] = n->u.project.exprs[i];
  }
  n->u.project.nexprs = k;
  if (keep_cols(p, n, req))
    return NULL;
  int *inmap;
  if (!(n->inputs[0] = prune_node(p, in, need, &inmap)))
    return NULL;
  for (int i = 0; i < k; i++)
    sl_plan_expr_remap(n->u.project.exprs[i], inmap);
  return n;
}

/* Filters and limits pass their input's columns on. */
static sl_pnode *prune_pass(sl_planner *p, sl_pnode *n, const bool *req,
                            int **remap) {
  bool *need = need_of(p, req, n->ncols);
  if (!need)
    return NULL;
  if (n->kind == SL_PNODE_FILTER)
    sl_plan_expr_columns(n->u.filter.predicate, need, n->ncols);
  if (!(n->inputs[0] = prune_node(p, n->inputs[0], need, remap)))
    return NULL;
  if (n->kind == SL_PNODE_FILTER)
    sl_plan_expr_remap(n->u.filter.predicate, *remap);
  n->cols = n->inputs[0]->cols;
  n->ncols = n->inputs[0]->ncols;
  return n;
}

static sl_pnode *prune_join(sl_planner *p, sl_pnode *n, const bool *req,
                            int **remap) {
  int w = n->ncols, nleft = n->inputs[0]->ncols;
  bool *need = need_of(p, req, w);
  if (!need)
    return NULL;
  for (int k = 0; k < n->u.lookup.nkeys; k++)
    sl_plan_expr_columns(n->u.lookup.left_keys[k], need, nleft);
  if (n->u.lookup.residual)
    sl_plan_expr_columns(n->u.lookup.residual, need, w);

  /* The stream side. */
  int *lmap;
  if (!(n->inputs[0] = prune_node(p, n->inputs[0], need, &lmap)))
    return NULL;
  for (int k = 0; k < n->u.lookup.nkeys; k++)
    sl_plan_expr_remap(n->u.lookup.left_keys[k], lmap);
  int nl = n->inputs[0]->ncols;

  /* The table side: materialize the identity, then keep what is read. */
  int nright = w - nleft;
  if (!n->u.lookup.right_exprs) {
    sl_bexpr **ex = sl_planner_alloc(p, (size_t)(nright + 1) * sizeof(*ex));
    if (!ex)
      return NULL;
    for (int j = 0; j < nright; j++)
      if (!(ex[j] = sl_planner_column(p, j, n->u.lookup.table_cols[j].type)))
        return NULL;
    n->u.lookup.right_exprs = ex;
  }
  int *map = sl_planner_alloc(p, (size_t)(w + 1) * sizeof(*map));
  sl_pcolumn *cols = sl_planner_alloc(p, (size_t)(w + 1) * sizeof(*cols));
  if (!map || !cols)
    return NULL;
  memcpy(cols, n->inputs[0]->cols, (size_t)nl * sizeof(*cols));
  for (int i = 0; i < nleft; i++)
    map[i] = lmap[i];
  int kr = 0;
  for (int j = 0; j < nright; j++) {
    map[nleft + j] = -1;
    if (!need[nleft + j])
      continue;
    n->u.lookup.right_exprs[kr] = n->u.lookup.right_exprs[j];
    cols[nl + kr] = n->cols[nleft + j];
    map[nleft + j] = nl + kr++;
  }
  n->u.lookup.nright = kr;
  if (n->u.lookup.residual)
    sl_plan_expr_remap(n->u.lookup.residual, map);
  n->cols = cols;
  n->ncols = nl + kr;
  *remap = map;
  return n;
}

/* A stateful operator produces all its columns (a projection above
 * selects the required ones); each input keeps what the operator reads
 * or passes on, its expressions renumbered when columns went. */
static sl_pnode *prune_stateful(sl_planner *p, sl_pnode *n, int **remap) {
  if (!(*remap = ranks(p, NULL, n->ncols, &(int){0})))
    return NULL;
  for (int i = 0; i < n->ninputs; i++) {
    sl_pnode *in = n->inputs[i];
    int w = in->ncols, k;
    bool *need = sl_planner_alloc(p, (size_t)w + 1);
    if (!need)
      return NULL;
    sl_plan_stateful_uses(&n->u.stateful, i, need, w);
    int *map = ranks(p, need, w, &k);
    if (!map || !(n->inputs[i] = sl_planner_prune(p, in, need)))
      return NULL;
    if (k != w)
      sl_plan_stateful_remap(&n->u.stateful, i, map);
  }
  return n;
}

/* Prunes n; *remap maps each required column of n's old output to its
 * index in the new one (n may keep more columns than required). */
static sl_pnode *prune_node(sl_planner *p, sl_pnode *n, const bool *req,
                            int **remap) {
  switch (n->kind) {
  case SL_PNODE_SOURCE:
    return prune_source(p, n, req, remap);
  case SL_PNODE_PROJECT:
    return prune_project(p, n, req, remap);
  case SL_PNODE_FILTER:
  case SL_PNODE_LIMIT:
    return prune_pass(p, n, req, remap);
  case SL_PNODE_LOOKUP_JOIN:
    return prune_join(p, n, req, remap);
  case SL_PNODE_STATEFUL:
    return prune_stateful(p, n, remap);
  case SL_PNODE_UNION:
    /* Every input must produce exactly the same columns. */
    for (int i = 0; i < n->ninputs; i++)
      if (!(n->inputs[i] = sl_planner_prune(p, n->inputs[i], req)))
        return NULL;
    if (!(*remap = ranks(p, req, n->ncols, &(int){0})) || keep_cols(p, n, req))
      return NULL;
    return n;
  default:
    sl_error_set(p->err, SL_ERR_INTERNAL, "cannot prune a %s",
                 sl_pnode_kind_name(n->kind));
    return NULL;
  }
}

/* Prunes n to exactly the required columns (see plan_internal.h): a
 * projection selects them when n keeps more. */
sl_pnode *sl_planner_prune(sl_planner *p, sl_pnode *n, const bool *req) {
  int width = n->ncols;
  sl_pcolumn *old = n->cols;
  int *remap;
  if (!(n = prune_node(p, n, req, &remap)))
    return NULL;
  int nreq = 0;
  bool exact = true;
  for (int i = 0; i < width; i++) {
    if (req && !req[i])
      continue;
    exact = exact && remap[i] == nreq;
    nreq++;
  }
  if (exact && nreq == n->ncols)
    return n;

  sl_pnode *proj = sl_planner_node(p, SL_PNODE_PROJECT, 1, nreq);
  sl_bexpr **exprs = sl_planner_alloc(p, (size_t)(nreq + 1) * sizeof(*exprs));
  if (!proj || !exprs)
    return NULL;
  proj->pos = n->pos;
  proj->inputs[0] = n;
  int k = 0;
  for (int i = 0; i < width; i++) {
    if (req && !req[i])
      continue;
    if (!(exprs[k] = sl_planner_column(p, remap[i], old[i].type)))
      return NULL;
    proj->cols[k++] = old[i];
  }
  proj->u.project.nexprs = nreq;
  proj->u.project.exprs = exprs;
  return proj;
}

/* Removes projections that only hand their input on (see
 * plan_internal.h). */
sl_pnode *sl_planner_drop_identity(sl_planner *p, sl_pnode *n) {
  for (int i = 0; i < n->ninputs; i++)
    n->inputs[i] = sl_planner_drop_identity(p, n->inputs[i]);
  if (n->kind == SL_PNODE_PROJECT && is_identity(n))
    return n->inputs[0];
  return n;
}
