/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c - building a physical plan from a bound query.
 *
 * Outline of sl_plan_build:
 *   1. translate the sl_rel tree into operator nodes (a stream scan
 *      becomes a source with its record schema, a lookup join analyses
 *      its table side), copying every expression into the plan;
 *   2. fold constants in every expression;
 *   3. push filters down;
 *   4. add LIMIT and the casts to the sink stream's column types, then
 *      merge projections (and fold what the casts made constant);
 *   5. prune columns from the top down to the decoders, add the sink (a
 *      stream's topic, the caller's function, or a training set's
 *      table);
 *   6. number the nodes, inputs first, and decide whether the stateful
 *      operators keep their state per source partition
 *      (plan_partition.c).
 */
#include "engine/plan/plan_internal.h"

#include <stdlib.h>
#include <string.h>

#include "engine/expr/expr.h"
#include "engine/format/csv_record.h"

/* ------------------------------------------------------------------ */
/* Catalog objects                                                     */
/* ------------------------------------------------------------------ */

static const char *option(const sl_catalog_object *obj, const char *name) {
  return obj ? sl_catalog_object_option(obj, name) : NULL;
}

static sl_status parse_format(sl_planner *p, const sl_catalog_object *obj,
                              sl_srcpos pos, sl_source_format *format,
                              char *delim) {
  const char *f = option(obj, "format");
  *delim = ',';
  if (!f || !strcmp(f, "json")) {
    *format = SL_SOURCE_JSON;
    return SL_OK;
  }
  if (strcmp(f, "csv") != 0)
    return sl_planner_fail(p, pos, "stream %s has format '%s'; expected "
                           "'json' or 'csv'", obj->name, f);
  *format = SL_SOURCE_CSV;
  const char *d = option(obj, "delimiter");
  if (d && sl_csvrec_delimiter_parse(d, delim, p->err))
    return SL_ERR_SQL;
  return SL_OK;
}

sl_status sl_plan_key_format(const sl_catalog_object *obj,
                             sl_record_key_format *out, sl_error *err) {
  *out = SL_RECORD_KEY_NONE;
  if (obj->key_column < 0)
    return SL_OK;
  const char *text = option(obj, "key_format");
  *out = SL_RECORD_KEY_STRING;
  if (!text || strcmp(text, "string") == 0)
    return SL_OK;
  if (strcmp(text, "json") == 0) {
    *out = SL_RECORD_KEY_JSON;
    return SL_OK;
  }
  return sl_error_set(err, SL_ERR_SQL, "stream %s has key_format '%s'; "
                      "expected 'string' or 'json'", obj->name, text);
}

sl_status sl_plan_stream_schema(const sl_catalog_object *obj,
                                sl_record_schema **out, sl_error *err) {
  *out = NULL;
  sl_record_key_format key_format;
  if (sl_plan_key_format(obj, &key_format, err))
    return SL_ERR_SQL;
  sl_record_schema *s = sl_record_schema_new();
  if (!s)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int i = 0; i < obj->ncolumns; i++) {
    const sl_catalog_column *c = &obj->columns[i];
    sl_type *t = sl_type_clone(c->type);
    if (!t) {
      sl_record_schema_free(s);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    if (sl_record_schema_add(s, c->name, c->quoted, t, c->not_null, err) <
        0) {
      sl_record_schema_free(s);
      return err->code;
    }
  }
  if (obj->timestamp_column >= 0 &&
      sl_record_schema_set_event_time(s, obj->timestamp_column,
                                      obj->timestamp_format, err)) {
    sl_record_schema_free(s);
    return err->code;
  }
  sl_record_schema_set_key(s, obj->key_column, key_format);
  *out = s;
  return SL_OK;
}

/* The record schema of a stream's declared columns, or NULL with the
 * planner's error set. */
static sl_record_schema *stream_schema(sl_planner *p,
                                       const sl_catalog_object *obj) {
  sl_record_schema *s = NULL;
  sl_status rc = sl_plan_stream_schema(obj, &s, p->err);
  if (rc == SL_ERR_NOMEM)
    sl_planner_nomem(p);
  return rc ? NULL : s;
}

/* Keeps a record schema with the plan (freed by sl_plan_free). */
static bool own_schema(sl_planner *p, sl_record_schema *s);

/* ------------------------------------------------------------------ */
/* Translation                                                         */
/* ------------------------------------------------------------------ */

static sl_pnode *translate(sl_planner *p, const sl_rel *rel);

static bool copy_columns(sl_planner *p, sl_pnode *n, const sl_rel *rel) {
  for (int i = 0; i < rel->ncolumns; i++) {
    n->cols[i].name = sl_planner_strdup(p, rel->columns[i].name);
    n->cols[i].type = sl_planner_type(p, rel->columns[i].type);
    n->cols[i].hidden = rel->columns[i].hidden;
    if (!n->cols[i].name || !n->cols[i].type)
      return false;
  }
  return true;
}

static sl_pnode *translate_scan(sl_planner *p, const sl_rel *rel) {
  const sl_catalog_object *obj = rel->u.scan.object;
  if (rel->u.scan.kind != SL_SCAN_STREAM || !obj) {
    sl_planner_fail(p, rel->pos, "%s is a table: it can be read in a join "
                    "(JOIN %s ON ...) but not streamed from",
                    rel->u.scan.name, rel->u.scan.name);
    return NULL;
  }
  sl_pnode *n = sl_planner_node(p, SL_PNODE_SOURCE, 0, rel->ncolumns);
  if (!n || !copy_columns(p, n, rel))
    return NULL;
  n->pos = rel->pos;
  n->u.source.stream = sl_planner_strdup(p, obj->name);
  n->u.source.topic = sl_planner_strdup(p, sl_catalog_object_topic(obj));
  if (parse_format(p, obj, rel->pos, &n->u.source.format,
                   &n->u.source.delimiter))
    return NULL;
  sl_record_schema *s = stream_schema(p, obj);
  if (!s || !own_schema(p, s))
    return NULL;
  n->u.source.schema = s;

  /* Scan columns: declared ones, then pseudo-columns. */
  n->u.source.col_map = sl_planner_alloc(p, ((size_t)rel->ncolumns + 1) *
                                                sizeof(int));
  if (!n->u.source.col_map)
    return NULL;
  for (int i = 0; i < rel->ncolumns; i++) {
    sl_meta_column m = rel->u.scan.meta ? rel->u.scan.meta[i] : SL_META_NONE;
    int c = i;
    switch (m) {
    case SL_META_ROWTIME: c = s->ncols + SL_RECORD_SYS_ROWTIME; break;
    case SL_META_ROWPARTITION: c = s->ncols + SL_RECORD_SYS_ROWPARTITION; break;
    case SL_META_ROWOFFSET: c = s->ncols + SL_RECORD_SYS_ROWOFFSET; break;
    case SL_META_NONE: break;
    }
    n->u.source.col_map[i] = c;
  }

  n->u.source.out_of_order_ms = rel->u.scan.out_of_order_ms;
  const char *idle = option(obj, "idle_timeout");
  n->u.source.idle_timeout_ms =
      idle                      ? strtoll(idle, NULL, 10)
      : p->req->idle_timeout_ms > 0 ? p->req->idle_timeout_ms
                                : 10000;
  const char *pol = option(obj, "errors");
  n->u.source.policy = SL_POLICY_DLQ;
  if (pol && !sl_error_policy_parse(pol, &n->u.source.policy)) {
    sl_planner_fail(p, rel->pos, "stream %s has errors='%s'; expected "
                    "'fail', 'skip' or 'dlq'", obj->name, pol);
    return NULL;
  }
  const char *dlq = option(obj, "dlq_topic");
  char fallback[SL_ERROR_NAME_MAX];
  if (!dlq) {
    snprintf(fallback, sizeof(fallback), "%s.dlq", n->u.source.topic);
    dlq = fallback;
  }
  n->u.source.dlq_topic = sl_planner_strdup(p, dlq);
  n->u.source.start = sl_planner_strdup(p, option(obj, "start"));
  n->u.source.event_time = obj->timestamp_column;

  /* Each CHECK apart, so that a rejected record names the one it failed. */
  sl_bcheck **tail = &n->u.source.check;
  for (const sl_bcheck *c = rel->u.scan.checks; c; c = c->next) {
    sl_bcheck *copy = sl_planner_alloc(p, sizeof(*copy));
    if (!copy || !(copy->cond = sl_planner_copy(p, c->cond)) ||
        !(copy->text = sl_planner_strdup(p, c->text)))
      return NULL;
    *tail = copy;
    tail = &copy->next;
  }
  return n;
}

/* The table side of a lookup join: the table's scan and the filter and
 * expressions (over the table's columns) of whatever lies above it. */
typedef struct table_side {
  const sl_rel *scan;
  sl_bexpr *filter;
  int nexprs;
  sl_bexpr **exprs;
} table_side;

static sl_status analyse_table(sl_planner *p, const sl_rel *rel,
                               table_side *ts) {
  switch (rel->kind) {
  case SL_REL_SCAN: {
    if (rel->u.scan.kind != SL_SCAN_TABLE || !rel->u.scan.object)
      return sl_planner_fail(p, rel->pos, "the right side of a lookup join "
                             "must be a lookup table; %s is not",
                             rel->u.scan.name);
    ts->scan = rel;
    ts->filter = NULL;
    ts->nexprs = rel->ncolumns;
    ts->exprs = sl_planner_alloc(p, ((size_t)rel->ncolumns + 1) *
                                        sizeof(*ts->exprs));
    if (!ts->exprs)
      return SL_ERR_NOMEM;
    for (int i = 0; i < rel->ncolumns; i++)
      if (!(ts->exprs[i] = sl_planner_column(p, i, rel->columns[i].type)))
        return SL_ERR_NOMEM;
    return SL_OK;
  }
  case SL_REL_FILTER: {
    sl_status rc = analyse_table(p, rel->input, ts);
    if (rc)
      return rc;
    sl_bexpr *f = sl_planner_subst(p, rel->u.filter.predicate, ts->exprs);
    if (!f)
      return SL_ERR_NOMEM;
    sl_bexpr *both[2] = {ts->filter, f};
    ts->filter = ts->filter ? sl_planner_and(p, both, 2) : f;
    return ts->filter ? SL_OK : SL_ERR_NOMEM;
  }
  case SL_REL_PROJECT: {
    sl_status rc = analyse_table(p, rel->input, ts);
    if (rc)
      return rc;
    sl_bexpr **ex = sl_planner_alloc(p, ((size_t)rel->u.project.nexprs + 1) *
                                            sizeof(*ex));
    if (!ex)
      return SL_ERR_NOMEM;
    for (int i = 0; i < rel->u.project.nexprs; i++)
      if (!(ex[i] = sl_planner_subst(p, rel->u.project.exprs[i], ts->exprs)))
        return SL_ERR_NOMEM;
    ts->exprs = ex;
    ts->nexprs = rel->u.project.nexprs;
    return SL_OK;
  }
  default:
    return sl_planner_fail(p, rel->pos, "the right side of a lookup join "
                           "must be a lookup table, optionally filtered or "
                           "projected");
  }
}

/* True when conjunct c of the ON condition is the equality of key pair k
 * (over the output row: right columns after nleft). */
static bool is_key_equality(sl_planner *p, const sl_bexpr *c,
                            const sl_rel *rel, int k, int nleft) {
  if (c->kind != SL_BEXPR_BINARY || c->op != SL_OP_EQ)
    return false;
  sl_bexpr *r = sl_planner_copy(p, rel->u.join.right_keys[k]);
  if (!r)
    return false;
  sl_plan_expr_shift(r, nleft);
  const sl_bexpr *l = rel->u.join.left_keys[k];
  return (sl_plan_expr_equal(c->args[0], l) &&
          sl_plan_expr_equal(c->args[1], r)) ||
         (sl_plan_expr_equal(c->args[1], l) &&
          sl_plan_expr_equal(c->args[0], r));
}

static sl_pnode *translate_lookup(sl_planner *p, const sl_rel *rel) {
  if (rel->u.join.kind != SL_JOIN_INNER && rel->u.join.kind != SL_JOIN_LEFT) {
    sl_planner_fail(p, rel->pos, "a lookup join is INNER or LEFT; RIGHT "
                    "and FULL need the table as a stream");
    return NULL;
  }
  table_side ts;
  if (analyse_table(p, rel->u.join.right, &ts))
    return NULL;
  const sl_catalog_object *tab = ts.scan->u.scan.object;

  /* Every key column of the table must be given by an equality. */
  int nkeys = 0;
  for (int c = 0; c < tab->ncolumns; c++)
    nkeys += tab->columns[c].primary_key;
  if (nkeys == 0) {
    sl_planner_fail(p, rel->pos, "table %s has no PRIMARY KEY to look rows "
                    "up by", tab->name);
    return NULL;
  }
  sl_pnode *left = translate(p, rel->u.join.left);
  if (!left)
    return NULL;
  sl_pnode *n = sl_planner_node(p, SL_PNODE_LOOKUP_JOIN, 1, rel->ncolumns);
  if (!n || !copy_columns(p, n, rel))
    return NULL;
  n->pos = rel->pos;
  n->inputs[0] = left;
  n->u.lookup.table = sl_planner_strdup(p, tab->name);
  n->u.lookup.left_outer = rel->u.join.kind == SL_JOIN_LEFT;
  n->u.lookup.nkeys = nkeys;
  n->u.lookup.left_keys = sl_planner_alloc(p, (size_t)(nkeys + 1) *
                                                 sizeof(sl_bexpr *));
  n->u.lookup.key_names = sl_planner_alloc(p, (size_t)(nkeys + 1) *
                                                 sizeof(char *));
  bool *used_pair = sl_planner_alloc(p, (size_t)rel->u.join.nkeys + 1);
  if (!n->u.lookup.left_keys || !n->u.lookup.key_names || !used_pair)
    return NULL;

  int k = 0;
  for (int c = 0; c < tab->ncolumns; c++) {
    if (!tab->columns[c].primary_key)
      continue;
    int pair = -1;
    for (int j = 0; j < rel->u.join.nkeys && pair < 0; j++) {
      sl_bexpr *r = sl_planner_subst(p, rel->u.join.right_keys[j], ts.exprs);
      if (!r)
        return NULL;
      const sl_bexpr *s = sl_plan_expr_strip(r);
      if (s->kind == SL_BEXPR_COLUMN && s->u.column == c)
        pair = j;
    }
    if (pair < 0) {
      sl_planner_fail(p, rel->pos, "a lookup join must give every key column "
                      "of %s; ON has no equality on %s", tab->name,
                      tab->columns[c].name);
      return NULL;
    }
    used_pair[pair] = true;
    sl_bexpr *lk = sl_planner_copy(p, rel->u.join.left_keys[pair]);
    lk = lk ? sl_planner_cast(p, lk, tab->columns[c].type) : NULL;
    if (!lk)
      return NULL;
    n->u.lookup.left_keys[k] = lk;
    n->u.lookup.key_names[k++] = sl_planner_strdup(p, tab->columns[c].name);
  }

  /* The table's own columns, for EXPLAIN and the right expressions. */
  n->u.lookup.ntable = tab->ncolumns;
  n->u.lookup.table_cols = sl_planner_alloc(p, ((size_t)tab->ncolumns + 1) *
                                                   sizeof(sl_pcolumn));
  if (!n->u.lookup.table_cols)
    return NULL;
  for (int c = 0; c < tab->ncolumns; c++) {
    n->u.lookup.table_cols[c].name = sl_planner_strdup(p, tab->columns[c].name);
    n->u.lookup.table_cols[c].type = sl_planner_type(p, tab->columns[c].type);
    if (!n->u.lookup.table_cols[c].type)
      return NULL;
  }
  n->u.lookup.right_filter = ts.filter;
  n->u.lookup.nright = ts.nexprs;
  n->u.lookup.right_exprs = ts.exprs;

  /* What ON holds beyond the key equalities used. */
  enum { MAXC = 64 };
  sl_bexpr *parts[MAXC], *rest[MAXC];
  int nleft = left->ncols, nrest = 0;
  sl_bexpr *cond = sl_planner_copy(p, rel->u.join.condition);
  int np = cond ? sl_plan_expr_conjuncts(cond, parts, MAXC) : 0;
  if (np < 0) {
    rest[nrest++] = cond;
    np = 0;
  }
  for (int i = 0; i < np; i++) {
    bool key = false;
    for (int j = 0; j < rel->u.join.nkeys && !key; j++)
      key = used_pair[j] && is_key_equality(p, parts[i], rel, j, nleft);
    if (!key)
      rest[nrest++] = parts[i];
  }
  n->u.lookup.residual = sl_planner_and(p, rest, nrest);
  return n;
}

/* A relation the stateful operators run: one node whose port i is fed
 * by the translation of input_rels[i].  A top-N's node has the OVER's
 * columns, and the projection between the OVER and its filter goes on
 * top. */
static sl_pnode *translate_stateful(sl_planner *p, const sl_rel *rel) {
  sl_plan_stateful st;
  if (sl_plan_stateful_describe(p, rel, &st))
    return NULL;
  const sl_rel *shape = rel;
  if (st.kind == SL_STATEFUL_TOPN)
    shape = st.above ? st.above->input : rel->input;
  sl_pnode *n = sl_planner_node(p, SL_PNODE_STATEFUL, st.ninputs,
                                shape->ncolumns);
  if (!n || !copy_columns(p, n, shape))
    return NULL;
  n->pos = rel->pos;
  for (int i = 0; i < st.ninputs; i++)
    if (!(n->inputs[i] = translate(p, st.input_rels[i])))
      return NULL;
  n->u.stateful = st;
  if (st.kind != SL_STATEFUL_TEMPORAL_JOIN)
    p->plan->stateful = true;
  if (!st.above)
    return n;

  const sl_rel *a = st.above;
  sl_pnode *proj = sl_planner_node(p, SL_PNODE_PROJECT, 1, a->ncolumns);
  if (!proj || !copy_columns(p, proj, a))
    return NULL;
  proj->pos = a->pos;
  proj->inputs[0] = n;
  proj->u.project.nexprs = a->u.project.nexprs;
  proj->u.project.exprs = sl_planner_alloc(p, ((size_t)a->ncolumns + 1) *
                                                  sizeof(sl_bexpr *));
  if (!proj->u.project.exprs)
    return NULL;
  for (int i = 0; i < a->u.project.nexprs; i++)
    if (!(proj->u.project.exprs[i] =
              sl_planner_copy(p, a->u.project.exprs[i])))
      return NULL;
  return proj;
}

static sl_pnode *translate(sl_planner *p, const sl_rel *rel) {
  sl_pnode *n, *in;
  if (sl_plan_stateful_claims(rel))
    return translate_stateful(p, rel);
  switch (rel->kind) {
  case SL_REL_SCAN:
    return translate_scan(p, rel);
  case SL_REL_FILTER:
    if (!(in = translate(p, rel->input)))
      return NULL;
    n = sl_planner_node(p, SL_PNODE_FILTER, 1, rel->ncolumns);
    if (!n || !copy_columns(p, n, rel))
      return NULL;
    n->inputs[0] = in;
    n->pos = rel->pos;
    n->u.filter.predicate = sl_planner_copy(p, rel->u.filter.predicate);
    return n->u.filter.predicate ? n : NULL;
  case SL_REL_PROJECT:
    if (!(in = translate(p, rel->input)))
      return NULL;
    n = sl_planner_node(p, SL_PNODE_PROJECT, 1, rel->ncolumns);
    if (!n || !copy_columns(p, n, rel))
      return NULL;
    n->inputs[0] = in;
    n->pos = rel->pos;
    n->u.project.nexprs = rel->u.project.nexprs;
    n->u.project.exprs = sl_planner_alloc(p, ((size_t)rel->ncolumns + 1) *
                                                 sizeof(sl_bexpr *));
    if (!n->u.project.exprs)
      return NULL;
    for (int i = 0; i < rel->u.project.nexprs; i++)
      if (!(n->u.project.exprs[i] =
                sl_planner_copy(p, rel->u.project.exprs[i])))
        return NULL;
    return n;
  case SL_REL_UNION:
    n = sl_planner_node(p, SL_PNODE_UNION, rel->u.union_.ninputs,
                        rel->ncolumns);
    if (!n || !copy_columns(p, n, rel))
      return NULL;
    n->pos = rel->pos;
    for (int i = 0; i < rel->u.union_.ninputs; i++)
      if (!(n->inputs[i] = translate(p, rel->u.union_.inputs[i])))
        return NULL;
    return n;
  case SL_REL_LIMIT:
    if (!(in = translate(p, rel->input)))
      return NULL;
    n = sl_planner_node(p, SL_PNODE_LIMIT, 1, rel->ncolumns);
    if (!n || !copy_columns(p, n, rel))
      return NULL;
    n->inputs[0] = in;
    n->pos = rel->pos;
    n->u.limit.count = rel->u.limit.count;
    return n;
  case SL_REL_JOIN:
    return translate_lookup(p, rel);
  case SL_REL_AGGREGATE:
  case SL_REL_OVER:
    /* Claimed by the stateful operators above. */
    break;
  case SL_REL_VALUES:
    sl_planner_fail(p, rel->pos, "a query without FROM has no stream to "
                    "run on");
    return NULL;
  }
  sl_planner_fail(p, rel->pos, "unknown relation kind %d", (int)rel->kind);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Folding every expression of the tree                                */
/* ------------------------------------------------------------------ */

static sl_status fold_tree(sl_planner *p, sl_pnode *n) {
  sl_status rc = SL_OK;
  switch (n->kind) {
  case SL_PNODE_FILTER:
    rc = sl_planner_fold(p, n->u.filter.predicate);
    break;
  case SL_PNODE_PROJECT:
    for (int i = 0; !rc && i < n->u.project.nexprs; i++)
      rc = sl_planner_fold(p, n->u.project.exprs[i]);
    break;
  case SL_PNODE_LOOKUP_JOIN:
    for (int i = 0; !rc && i < n->u.lookup.nkeys; i++)
      rc = sl_planner_fold(p, n->u.lookup.left_keys[i]);
    for (int i = 0; !rc && n->u.lookup.right_exprs && i < n->u.lookup.nright;
         i++)
      rc = sl_planner_fold(p, n->u.lookup.right_exprs[i]);
    if (!rc && n->u.lookup.right_filter)
      rc = sl_planner_fold(p, n->u.lookup.right_filter);
    if (!rc && n->u.lookup.residual)
      rc = sl_planner_fold(p, n->u.lookup.residual);
    break;
  case SL_PNODE_STATEFUL:
    rc = sl_plan_stateful_fold(p, &n->u.stateful);
    break;
  default:
    break;
  }
  for (int i = 0; !rc && i < n->ninputs; i++)
    rc = fold_tree(p, n->inputs[i]);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Sinks                                                               */
/* ------------------------------------------------------------------ */

/* The column of stream obj that says whether a row adds (+) or
 * withdraws (-) a result, when the query's rows may withdraw earlier
 * ones (a SESSION window with EMIT CHANGES, or no EMIT in a statement
 * that keeps running; see sl_rel_withdraws): its last column, which
 * must be op VARCHAR (the binder checks it first).  -1 when the query
 * withdraws nothing or obj is a table (whose topic gets tombstones
 * instead); -2 after failing. */
static int op_column(sl_planner *p, const sl_pnode *in,
                     const sl_catalog_object *obj) {
  if (obj->kind == SL_CATALOG_TABLE ||
      !sl_rel_withdraws(p->req->query, NULL, SL_EMIT_CHANGES))
    return -1;
  if (obj->kind == SL_CATALOG_TRAINING_SET) {
    sl_planner_fail(p, in->pos, "training set %s keeps every row it gets, "
                    "but a SESSION window without EMIT FINAL withdraws "
                    "rows it emitted when sessions merge; write EMIT FINAL",
                    obj->name);
    return -2;
  }
  int last = obj->ncolumns - 1;
  if (last < 0 || strcmp(obj->columns[last].name, "op") != 0 ||
      obj->columns[last].type->kind != SL_TYPE_VARCHAR) {
    sl_planner_fail(p, in->pos, "a SESSION window without EMIT FINAL "
                    "withdraws rows it emitted when sessions merge, so %s "
                    "%s needs a last column op VARCHAR to say which rows "
                    "are withdrawn ('-') and which are added ('+'); or "
                    "write EMIT FINAL", sl_catalog_kind_name(obj->kind),
                    obj->name);
    return -2;
  }
  return last;
}

/* A projection of in's visible columns cast to the stream's types. */
static sl_pnode *cast_to_stream(sl_planner *p, sl_pnode *in,
                                const sl_catalog_object *obj) {
  int nvis = 0;
  for (int i = 0; i < in->ncols; i++)
    nvis += !in->cols[i].hidden;
  /* The op column is the sink's to fill, not the query's. */
  int op = op_column(p, in, obj);
  if (op == -2)
    return NULL;
  if (nvis != obj->ncolumns - (op >= 0)) {
    sl_planner_fail(p, in->pos, "the query has %d columns but %s %s has "
                    "%d%s", nvis, sl_catalog_kind_name(obj->kind), obj->name,
                    obj->ncolumns, op >= 0 ? " (its last, op, is filled by "
                                             "the sink)" : "");
    return NULL;
  }
  bool same = nvis == in->ncols;
  for (int i = 0, k = 0; same && i < in->ncols; i++, k++)
    same = sl_type_equal(in->cols[i].type, obj->columns[k].type);
  if (same)
    return in;

  sl_pnode *proj = sl_planner_node(p, SL_PNODE_PROJECT, 1, nvis);
  sl_bexpr **ex = sl_planner_alloc(p, (size_t)(nvis + 1) * sizeof(*ex));
  if (!proj || !ex)
    return NULL;
  proj->pos = in->pos;
  proj->inputs[0] = in;
  int k = 0;
  for (int i = 0; i < in->ncols; i++) {
    if (in->cols[i].hidden)
      continue;
    const sl_catalog_column *sc = &obj->columns[k];
    sl_bexpr *c = sl_planner_column(p, i, in->cols[i].type);
    if (!c)
      return NULL;
    if (!sl_type_equal(c->type, sc->type) &&
        !sl_type_implicit_cast(c->type, sc->type)) {
      char t1[SL_TYPE_SQL_MAX], t2[SL_TYPE_SQL_MAX];
      sl_planner_fail(p, in->pos, "column %s of the query is %s; column %s "
                      "of %s %s is %s", in->cols[i].name,
                      sl_type_to_sql(c->type, t1, sizeof(t1)), sc->name,
                      sl_catalog_kind_name(obj->kind), obj->name,
                      sl_type_to_sql(sc->type, t2, sizeof(t2)));
      return NULL;
    }
    ex[k] = sl_planner_cast(p, c, sc->type);
    proj->cols[k].name = sl_planner_strdup(p, sc->name);
    proj->cols[k].type = sl_planner_type(p, sc->type);
    if (!ex[k] || !proj->cols[k].type)
      return NULL;
    k++;
  }
  proj->u.project.nexprs = nvis;
  proj->u.project.exprs = ex;
  return proj;
}

/* Marks the columns that obj's depersonalize='a,b' names in hashed (one
 * flag per column).  Each must be VARCHAR: its hex hash is stored in it. */
static bool depersonalized(sl_planner *p, const sl_catalog_object *obj,
                           sl_srcpos pos, bool *hashed, bool *any) {
  const char *list = option(obj, "depersonalize");
  *any = false;
  for (const char *c = list; c && *c;) {
    while (*c == ' ' || *c == ',')
      c++;
    const char *start = c;
    while (*c && *c != ',')
      c++;
    const char *end = c;
    while (end > start && end[-1] == ' ')
      end--;
    if (end == start)
      continue;
    int col = -1;
    for (int i = 0; i < obj->ncolumns && col < 0; i++)
      if (strlen(obj->columns[i].name) == (size_t)(end - start) &&
          strncmp(obj->columns[i].name, start, (size_t)(end - start)) == 0)
        col = i;
    if (col < 0) {
      sl_planner_fail(p, pos, "depersonalize names column \"%.*s\", which "
                      "training set %s does not have", (int)(end - start),
                      start, obj->name);
      return false;
    }
    if (obj->columns[col].type->kind != SL_TYPE_VARCHAR) {
      char t[SL_TYPE_SQL_MAX];
      sl_planner_fail(p, pos, "depersonalized column %s of training set %s "
                      "is %s; its hash is text, so it must be VARCHAR "
                      "(CAST(%s AS VARCHAR) in the query)",
                      obj->columns[col].name, obj->name,
                      sl_type_to_sql(obj->columns[col].type, t, sizeof(t)),
                      obj->columns[col].name);
      return false;
    }
    hashed[col] = true;
    *any = true;
  }
  return true;
}

/* The training set sink: in's visible columns (already cast to the
 * training set's types) appended to its SQLite table. */
static sl_pnode *add_table_sink(sl_planner *p, sl_pnode *in,
                                const sl_catalog_object *obj) {
  const sl_plan_request *req = p->req;
  sl_pnode *s = sl_planner_node(p, SL_PNODE_SINK_TABLE, 1, obj->ncolumns);
  if (!s)
    return NULL;
  s->pos = in->pos;
  s->inputs[0] = in;
  s->u.table.name = sl_planner_strdup(p, obj->name);
  s->u.table.ncols = obj->ncolumns;
  s->u.table.cols = sl_planner_alloc(p, ((size_t)obj->ncolumns + 1) *
                                           sizeof(int));
  s->u.table.hashed = sl_planner_alloc(p, (size_t)obj->ncolumns + 1);
  if (!s->u.table.name || !s->u.table.cols || !s->u.table.hashed)
    return NULL;
  memset(s->u.table.hashed, 0, (size_t)obj->ncolumns + 1);
  for (int i = 0, k = 0; i < in->ncols; i++) {
    if (in->cols[i].hidden)
      continue;
    s->u.table.cols[k] = i;
    s->cols[k].name = sl_planner_strdup(p, obj->columns[k].name);
    s->cols[k].type = sl_planner_type(p, obj->columns[k].type);
    if (!s->cols[k].type)
      return NULL;
    k++;
  }

  bool any;
  if (!depersonalized(p, obj, in->pos, s->u.table.hashed, &any))
    return NULL;
  if (any && req->secret) {
    char *key = sl_planner_alloc(p, req->secret_len + 1);
    if (!key)
      return NULL;
    memcpy(key, req->secret, req->secret_len);
    key[req->secret_len] = '\0';
    s->u.table.secret = key;
    s->u.table.secret_len = req->secret_len;
  }
  return s;
}

static sl_pnode *add_sink(sl_planner *p, sl_pnode *in) {
  const sl_plan_request *req = p->req;
  if (req->sink == SL_PLAN_SINK_CALLBACK) {
    sl_pnode *s = sl_planner_node(p, SL_PNODE_SINK_CALLBACK, 1, in->ncols);
    if (!s)
      return NULL;
    s->pos = in->pos;
    s->inputs[0] = in;
    memcpy(s->cols, in->cols, (size_t)in->ncols * sizeof(*s->cols));
    s->u.callback.fn = req->fn;
    s->u.callback.ud = req->ud;
    return s;
  }

  const sl_catalog_object *obj = req->stream;
  if (!obj) {
    sl_error_set(p->err, SL_ERR_INTERNAL, "a stream sink without a stream");
    return NULL;
  }
  in = cast_to_stream(p, in, obj);
  if (!in)
    return NULL;
  if (req->sink == SL_PLAN_SINK_TABLE ||
      obj->kind == SL_CATALOG_TRAINING_SET)
    return add_table_sink(p, in, obj);
  int op = op_column(p, in, obj);
  if (op == -2)
    return NULL;
  sl_pnode *s = sl_planner_node(p, SL_PNODE_SINK_KAFKA, 1, obj->ncolumns);
  if (!s)
    return NULL;
  s->pos = in->pos;
  s->inputs[0] = in;
  s->u.sink.stream = sl_planner_strdup(p, obj->name);
  s->u.sink.topic = sl_planner_strdup(p, sl_catalog_object_topic(obj));
  if (parse_format(p, obj, in->pos, &s->u.sink.format,
                   &s->u.sink.delimiter))
    return NULL;
  s->u.sink.ncols = obj->ncolumns;
  s->u.sink.cols = sl_planner_alloc(p, ((size_t)obj->ncolumns + 1) *
                                          sizeof(int));
  if (!s->u.sink.cols)
    return NULL;
  for (int i = 0, k = 0; i < in->ncols; i++) {
    if (in->cols[i].hidden)
      continue;
    s->u.sink.cols[k] = i;
    s->cols[k].name = sl_planner_strdup(p, obj->columns[k].name);
    s->cols[k].type = sl_planner_type(p, obj->columns[k].type);
    if (!s->cols[k].type)
      return NULL;
    k++;
  }
  s->u.sink.op_col = op;
  if (op >= 0) {
    s->u.sink.cols[op] = -1;
    s->cols[op].name = sl_planner_strdup(p, obj->columns[op].name);
    s->cols[op].type = sl_planner_type(p, obj->columns[op].type);
    if (!s->cols[op].type)
      return NULL;
  }
  s->u.sink.key_col = obj->key_column;
  if (sl_plan_key_format(obj, &s->u.sink.key_format, p->err))
    return NULL;
  /* A table's topic is its changelog: every key column is in the record
   * key, so that a tombstone removes exactly its row. */
  if (obj->kind == SL_CATALOG_TABLE) {
    s->u.sink.tombstones = true;
    s->u.sink.key_cols = sl_planner_alloc(p, ((size_t)obj->ncolumns + 1) *
                                                 sizeof(int));
    if (!s->u.sink.key_cols)
      return NULL;
    for (int c = 0; c < obj->ncolumns; c++)
      if (obj->columns[c].primary_key)
        s->u.sink.key_cols[s->u.sink.nkeys++] = c;
  }
  s->u.sink.partitions = req->partitions;
  s->u.sink.replicas = req->replicas;
  return s;
}

/* ------------------------------------------------------------------ */
/* Building                                                            */
/* ------------------------------------------------------------------ */

/* Record schemas live in a list hung off the plan's arena. */
struct sl_plan_schemas {
  sl_record_schema *schema;
  struct sl_plan_schemas *next;
};
typedef struct sl_plan_schemas schema_link;

static schema_link **schema_list(sl_plan *plan) {
  return &plan->schemas;
}

bool sl_planner_own_schema(sl_planner *p, sl_record_schema *s) {
  return own_schema(p, s);
}

static bool own_schema(sl_planner *p, sl_record_schema *s) {
  schema_link *l = sl_arena_alloc(&p->plan->arena, sizeof(*l));
  if (!l) {
    sl_record_schema_free(s);
    sl_planner_nomem(p);
    return false;
  }
  l->schema = s;
  l->next = *schema_list(p->plan);
  *schema_list(p->plan) = l;
  return true;
}

/* Numbers nodes inputs-first and collects the sources. */
static sl_status number(sl_planner *p, sl_pnode *n) {
  for (int i = 0; i < n->ninputs; i++) {
    sl_status rc = number(p, n->inputs[i]);
    if (rc)
      return rc;
  }
  sl_plan *pl = p->plan;
  sl_pnode **nodes = realloc(pl->nodes, (size_t)(pl->nnodes + 1) *
                                            sizeof(*nodes));
  if (!nodes)
    return sl_planner_nomem(p);
  pl->nodes = nodes;
  n->id = pl->nnodes;
  nodes[pl->nnodes++] = n;
  if (n->kind == SL_PNODE_SOURCE) {
    sl_pnode **src = realloc(pl->sources, (size_t)(pl->nsources + 1) *
                                              sizeof(*src));
    if (!src)
      return sl_planner_nomem(p);
    pl->sources = src;
    src[pl->nsources++] = n;
  }
  return SL_OK;
}

/* Compiles one expression and throws it away: what cannot compile (a
 * constant LIKE pattern ending in its escape, a function constant its
 * prepare step refuses) is an SQL error now rather than when the query
 * opens its operators. */
static bool has_predict(const sl_bexpr *e) {
  if (e->kind == SL_BEXPR_PREDICT)
    return true;
  for (int i = 0; i < e->nargs; i++)
    if (has_predict(e->args[i]))
      return true;
  return false;
}

static sl_status check_expr(sl_planner *p, const sl_bexpr *e) {
  /* PREDICT compiles only with the runtime's model hook. */
  if (!e || has_predict(e))
    return SL_OK;
  sl_expr_options opts = {.file = p->req->file};
  sl_expr *x;
  sl_status rc = sl_expr_compile(e, &opts, &x, p->err);
  if (rc)
    return rc;
  sl_expr_free(x);
  return SL_OK;
}

static sl_status check_exprs(sl_planner *p) {
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < p->plan->nnodes; i++) {
    const sl_pnode *n = p->plan->nodes[i];
    switch (n->kind) {
    case SL_PNODE_FILTER:
      rc = check_expr(p, n->u.filter.predicate);
      break;
    case SL_PNODE_PROJECT:
      for (int k = 0; !rc && k < n->u.project.nexprs; k++)
        rc = check_expr(p, n->u.project.exprs[k]);
      break;
    case SL_PNODE_LOOKUP_JOIN:
      for (int k = 0; !rc && k < n->u.lookup.nkeys; k++)
        rc = check_expr(p, n->u.lookup.left_keys[k]);
      for (int k = 0; !rc && n->u.lookup.right_exprs &&
                      k < n->u.lookup.nright;
           k++)
        rc = check_expr(p, n->u.lookup.right_exprs[k]);
      if (!rc)
        rc = check_expr(p, n->u.lookup.right_filter);
      if (!rc)
        rc = check_expr(p, n->u.lookup.residual);
      break;
    case SL_PNODE_SOURCE:
      for (const sl_bcheck *c = n->u.source.check; !rc && c; c = c->next)
        rc = check_expr(p, c->cond);
      break;
    default:
      break;
    }
  }
  return rc;
}

/* Builds the plan (see plan.h). */
sl_status sl_plan_build(const sl_plan_request *req, sl_plan **out,
                        sl_error *err) {
  *out = NULL;
  sl_plan *plan = calloc(1, sizeof(*plan));
  if (!plan)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory planning");
  sl_arena_init(&plan->arena, 0);
  sl_planner p = {.plan = plan, .req = req, .err = err};
  plan->persistent = req->persistent;
  plan->bounded = req->bounded;
  plan->max_task_idle_ms = req->max_task_idle_ms;
  plan->withdrawals = req->query &&
                      sl_rel_withdraws(req->query, NULL,
                                       req->bounded ? SL_EMIT_FINAL
                                                    : SL_EMIT_CHANGES);
  plan->query_id = strdup(req->query_id ? req->query_id : "");

  sl_status rc = SL_OK;
  sl_pnode *root = plan->query_id ? translate(&p, req->query) : NULL;
  if (!root)
    rc = err && err->code ? err->code : SL_ERR_NOMEM;
  if (!rc)
    rc = fold_tree(&p, root);
  if (!rc && !(root = sl_planner_push_filters(&p, root)))
    rc = err->code ? err->code : SL_ERR_NOMEM;
  if (!rc && req->limit >= 0) {
    sl_pnode *lim = sl_planner_node(&p, SL_PNODE_LIMIT, 1, root->ncols);
    if (!lim) {
      rc = SL_ERR_NOMEM;
    } else {
      lim->pos = root->pos;
      lim->inputs[0] = root;
      memcpy(lim->cols, root->cols, (size_t)root->ncols * sizeof(*lim->cols));
      lim->u.limit.count = req->limit;
      root = lim;
    }
  }
  if (!rc && req->sink != SL_PLAN_SINK_CALLBACK && req->stream &&
      !(root = cast_to_stream(&p, root, req->stream)))
    rc = err->code ? err->code : SL_ERR_NOMEM;
  if (!rc && !(root = sl_planner_merge_projects(&p, root)))
    rc = err->code ? err->code : SL_ERR_NOMEM;
  if (!rc)
    rc = fold_tree(&p, root);

  /* Prune to the visible columns, then put the sink on top. */
  if (!rc) {
    bool *need = sl_planner_alloc(&p, (size_t)root->ncols + 1);
    if (!need) {
      rc = SL_ERR_NOMEM;
    } else {
      for (int i = 0; i < root->ncols; i++)
        need[i] = !root->cols[i].hidden;
      if (!(root = sl_planner_prune(&p, root, need)))
        rc = err->code ? err->code : SL_ERR_NOMEM;
      else
        root = sl_planner_drop_identity(&p, root);
    }
  }
  if (!rc && !(root = add_sink(&p, root)))
    rc = err->code ? err->code : SL_ERR_NOMEM;
  if (!rc)
    rc = number(&p, root);
  if (!rc)
    rc = sl_planner_partitioning(&p);
  if (!rc && plan->nrepartitions > 0) {
    /* A repartition added nodes: number them all again. */
    plan->nnodes = 0;
    plan->nsources = 0;
    rc = number(&p, root);
  }
  if (!rc)
    rc = check_exprs(&p);
  free(p.tmap_from);
  free(p.tmap_to);
  if (rc) {
    sl_plan_free(plan);
    return rc;
  }
  plan->root = root;
  *out = plan;
  return SL_OK;
}

void sl_plan_free(sl_plan *plan) {
  if (!plan)
    return;
  for (schema_link *l = *schema_list(plan); l; l = l->next)
    sl_record_schema_free(l->schema);
  for (int i = 0; i < plan->ntypes; i++)
    sl_type_free(plan->types[i]);
  free(plan->types);
  free(plan->nodes);
  free(plan->sources);
  free(plan->query_id);
  sl_arena_destroy(&plan->arena);
  free(plan);
}

const char *sl_pnode_kind_name(sl_pnode_kind kind) {
  switch (kind) {
  case SL_PNODE_SOURCE: return "Source";
  case SL_PNODE_FILTER: return "Filter";
  case SL_PNODE_PROJECT: return "Project";
  case SL_PNODE_UNION: return "UnionAll";
  case SL_PNODE_LOOKUP_JOIN: return "LookupJoin";
  case SL_PNODE_LIMIT: return "Limit";
  case SL_PNODE_SINK_KAFKA: return "KafkaSink";
  case SL_PNODE_SINK_CALLBACK: return "ResultSink";
  case SL_PNODE_SINK_TABLE: return "TrainingSetSink";
  case SL_PNODE_STATEFUL: return "Stateful";
  case SL_PNODE_SINK_REPARTITION: return "RepartitionSink";
  }
  return "?";
}
