/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.c - compiling bound expressions into kernel trees, folding
 * constants, and the evaluation entry points.
 *
 * Compilation is one recursive walk.  Each node's children are compiled
 * (and folded) first, then the node picks its kernel from its operand
 * types.  When every child of a deterministic node is constant, the node
 * is evaluated right away on a one-row batch and becomes a constant
 * itself; a constant whose evaluation fails (1 / 0) is left as it is, so
 * that it fails each row with the right reason at run time instead of
 * failing the query.
 *
 * Buffers: every node that computes owns an output column sized to the
 * largest batch seen so far; they grow on the first batch of a larger
 * capacity and are reused after that, so steady-state evaluation does not
 * allocate except for strings and composites, which come from the batch
 * arena.
 */
#include "engine/expr/expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Program bookkeeping                                                 */
/* ------------------------------------------------------------------ */

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory compiling an "
                                         "expression");
}

/* Keeps a clone of type for the program's lifetime. */
static const sl_type *keep_type(sl_expr *x, const sl_type *type,
                                sl_error *err) {
  if (type->is_static)
    return type;
  if (x->ntypes == x->types_cap) {
    int cap = x->types_cap ? x->types_cap * 2 : 8;
    sl_type **t = realloc(x->types, (size_t)cap * sizeof(*t));
    if (!t) {
      nomem(err);
      return NULL;
    }
    x->types = t;
    x->types_cap = cap;
  }
  sl_type *copy = sl_type_clone(type);
  if (!copy) {
    nomem(err);
    return NULL;
  }
  x->types[x->ntypes++] = copy;
  return copy;
}

/* Grows one node's buffers to cap rows, refilling a constant. */
static sl_status node_reserve(sl_xnode *n, int cap) {
  if (n->is_column || n->dead)
    return SL_OK;
  sl_value *own = realloc(n->own, (size_t)cap * sizeof(*own));
  if (!own)
    return SL_ERR_NOMEM;
  n->own = own;
  n->out = own;
  if (n->is_const) {
    for (int r = 0; r < cap; r++)
      own[r] = n->konst;
  } else {
    memset(own, 0, (size_t)cap * sizeof(*own));
  }
  if (n->needs_sel) {
    int *a = realloc(n->sel_a, (size_t)cap * sizeof(*a));
    if (!a)
      return SL_ERR_NOMEM;
    n->sel_a = a;
    int *b = realloc(n->sel_b, (size_t)cap * sizeof(*b));
    if (!b)
      return SL_ERR_NOMEM;
    n->sel_b = b;
  }
  if (n->gather) {
    for (int i = 0; i < n->nkids; i++) {
      sl_value *g = realloc(n->gather[i], (size_t)cap * sizeof(*g));
      if (!g)
        return SL_ERR_NOMEM;
      n->gather[i] = g;
    }
    sl_value *g = realloc(n->gather_out, (size_t)cap * sizeof(*g));
    if (!g)
      return SL_ERR_NOMEM;
    n->gather_out = g;
  }
  return SL_OK;
}

/* Grows every buffer of the program to cap rows. */
static sl_status reserve(sl_expr *x, int cap, sl_error *err) {
  if (cap <= x->cap)
    return SL_OK;
  for (int i = 0; i < x->nnodes; i++)
    if (node_reserve(x->nodes[i], cap))
      return sl_error_set(err, SL_ERR_NOMEM,
                          "out of memory sizing expression buffers");
  int *sel = realloc(x->sel, (size_t)cap * sizeof(*sel));
  if (!sel)
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory sizing expression buffers");
  x->sel = sel;
  x->cap = cap;
  return SL_OK;
}

/* A new node for e, registered with the program. */
static sl_xnode *new_node(sl_expr *x, const sl_bexpr *e, sl_error *err) {
  if (x->nnodes == x->nodes_cap) {
    int cap = x->nodes_cap ? x->nodes_cap * 2 : 16;
    sl_xnode **nodes = realloc(x->nodes, (size_t)cap * sizeof(*nodes));
    if (!nodes) {
      nomem(err);
      return NULL;
    }
    x->nodes = nodes;
    x->nodes_cap = cap;
  }
  sl_xnode *n = sl_arena_calloc(&x->arena, 1, sizeof(*n));
  if (!n) {
    nomem(err);
    return NULL;
  }
  x->nodes[x->nnodes++] = n;
  n->type = keep_type(x, e->type, err);
  if (!n->type)
    return NULL;
  n->pos = e->pos;
  n->op = e->op;
  n->negated = e->negated;
  return n;
}

/* Marks the subtree below n dead, releasing its buffers. */
static void kill_kids(sl_xnode *n) {
  for (int i = 0; i < n->nkids; i++) {
    sl_xnode *k = n->kids[i];
    if (k->dead)
      continue;
    kill_kids(k);
    k->dead = true;
    free(k->own);
    k->own = NULL;
    k->out = NULL;
  }
}

/* Points err at the node's position in the SQL text. */
static sl_status at_node(sl_error *err, const char *file, sl_srcpos pos) {
  if (!err)
    return SL_ERR_SQL;
  err->loc = SL_LOC_SQL;
  snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
  err->line = pos.line;
  err->column = pos.column;
  return err->code;
}

static sl_status unsupported(sl_error *err, const char *file,
                             const sl_bexpr *e, const char *what) {
  char t1[SL_TYPE_SQL_MAX] = "?", t2[SL_TYPE_SQL_MAX] = "";
  if (e->nargs > 0)
    sl_type_to_sql(e->args[0]->type, t1, sizeof(t1));
  if (e->nargs > 1) {
    t2[0] = ',';
    t2[1] = ' ';
    sl_type_to_sql(e->args[1]->type, t2 + 2, sizeof(t2) - 2);
  }
  sl_error_set_sql(err, file ? file : "", e->pos.line, e->pos.column,
                   "%s is not defined for (%s%s)", what, t1, t2);
  return SL_ERR_SQL;
}

/* ------------------------------------------------------------------ */
/* Evaluation helpers                                                  */
/* ------------------------------------------------------------------ */

/* Runs n's kernel unless it is a column or constant. */
sl_status sl_xnode_eval(sl_xnode *n, sl_xeval *ev, const int *sel,
                        int nsel) {
  if (n->is_column || n->is_const || nsel == 0)
    return SL_OK;
  return n->run(n, ev, sel, nsel);
}

/* Evaluates every child over the same selection. */
sl_status sl_xnode_eval_kids(sl_xnode *n, sl_xeval *ev, const int *sel,
                             int nsel) {
  for (int i = 0; i < n->nkids; i++) {
    sl_status rc = sl_xnode_eval(n->kids[i], ev, sel, nsel);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Marks a row failed; the first failure of a row is the one kept. */
sl_status sl_xrow_fail(sl_xeval *ev, sl_xnode *n, int row,
                       const char *reason, const char *fmt, ...) {
  n->out[row] = sl_value_null();
  sl_batch *b = ev->batch;
  if (b->rows[row].state != SL_BATCH_ROW_SELECTED)
    return SL_OK;

  sl_error e;
  sl_error_clear(&e);
  e.code = SL_ERR_RECORD;
  snprintf(e.reason, sizeof(e.reason), "%s", reason);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e.message, sizeof(e.message), fmt, ap);
  va_end(ap);
  ev->nfailed++;
  if (sl_batch_set_error(b, row, &e))
    return sl_xnomem(ev);
  return SL_OK;
}

sl_status sl_xnomem(sl_xeval *ev) {
  return sl_error_set(ev->err, SL_ERR_NOMEM,
                      "out of memory evaluating an expression");
}

/* ------------------------------------------------------------------ */
/* Folding                                                             */
/* ------------------------------------------------------------------ */

/* True when n may be evaluated once at compile time. */
static bool foldable(const sl_xnode *n, const sl_bexpr *e) {
  if (n->is_const || n->is_column || n->nkids == 0)
    return false;
  if (e->kind == SL_BEXPR_PREDICT)
    return false;
  if (e->kind == SL_BEXPR_FUNC && e->u.call.func &&
      (e->u.call.func->flags & SL_FUNC_NONDETERMINISTIC))
    return false;
  for (int i = 0; i < n->nkids; i++)
    if (!n->kids[i]->is_const)
      return false;
  return true;
}

/* Evaluates n on one row and, when that succeeds, makes it a constant. */
static sl_status fold(sl_expr *x, sl_xnode *n, sl_error *err) {
  sl_batch *b = sl_batch_create(0, 1);
  if (!b || sl_batch_append_row(b) < 0) {
    sl_batch_free(b);
    return nomem(err);
  }
  sl_xeval ev = {.batch = b, .arena = sl_batch_arena(b), .err = err};
  int sel = 0;
  sl_status rc = n->run(n, &ev, &sel, 1);
  if (rc == SL_OK && ev.nfailed == 0) {
    sl_value v;
    rc = sl_value_copy(&x->arena, &n->out[0], &v, err);
    if (rc == SL_OK) {
      n->konst = v;
      n->is_const = true;
      n->own[0] = v;
      kill_kids(n);
    }
  }
  sl_batch_free(b);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Compilation                                                         */
/* ------------------------------------------------------------------ */

typedef struct compiler {
  sl_expr *x;
  const sl_expr_options *opts;
  sl_error *err;
} compiler;

static sl_status compile_node(compiler *c, const sl_bexpr *e,
                              sl_xnode **out);

static const char *file_of(const compiler *c) {
  return c->opts ? c->opts->file : NULL;
}

/* A function called by one of the names handled natively. */
static sl_xspecial special_of(const sl_bexpr *e) {
  const char *name = e->u.call.func ? e->u.call.func->name : e->u.call.name;
  if (!name)
    return SL_XSPECIAL_NONE;
  if (!strcmp(name, "COALESCE") || !strcmp(name, "IFNULL") ||
      !strcmp(name, "coalesce") || !strcmp(name, "ifnull"))
    return SL_XSPECIAL_COALESCE;
  if (!strcmp(name, "NULLIF") || !strcmp(name, "nullif"))
    return SL_XSPECIAL_NULLIF;
  return SL_XSPECIAL_NONE;
}

/* Sets up the registry call site of a FUNC node. */
static sl_status compile_call(compiler *c, sl_xnode *n, const sl_bexpr *e) {
  sl_expr *x = c->x;
  const sl_func *f = e->u.call.func;
  const sl_func_sig *sig = e->u.call.sig;
  if (!f || !sig || !sig->scalar)
    return sl_error_set_sql(c->err, file_of(c) ? file_of(c) : "",
                            e->pos.line, e->pos.column,
                            "function %s cannot be evaluated here",
                            e->u.call.name ? e->u.call.name : "?");

  sl_type **arg_types =
      sl_arena_calloc(&x->arena, (size_t)n->nkids + 1, sizeof(*arg_types));
  n->call = sl_arena_calloc(&x->arena, 1, sizeof(*n->call));
  n->gather = sl_arena_calloc(&x->arena, (size_t)n->nkids + 1,
                              sizeof(*n->gather));
  const sl_value **consts =
      sl_arena_calloc(&x->arena, (size_t)n->nkids + 1, sizeof(*consts));
  if (!arg_types || !n->call || !n->gather || !consts)
    return nomem(c->err);
  bool any_const = false;
  for (int i = 0; i < n->nkids; i++) {
    /* Kid types are program clones or singletons. */
    arg_types[i] = (sl_type *)n->kids[i]->type;
    if (n->kids[i]->is_const) {
      consts[i] = &n->kids[i]->konst;
      any_const = true;
    }
  }
  sl_func_ctx_init(n->call, f, sig, n->nkids, arg_types, n->type);
  n->call_ready = true;
  if (c->opts && c->opts->clock) {
    n->call->clock = c->opts->clock;
    n->call->clock_arg = c->opts->clock_arg;
  }
  sl_status rc = sl_func_ctx_prepare(n->call, any_const ? consts : NULL,
                                     c->err);
  if (rc)
    return rc == SL_ERR_SQL ? at_node(c->err, file_of(c), e->pos) : rc;
  n->run = sl_xcall_kernel(n);
  return SL_OK;
}

/* Sets up a PREDICT node through the model hook. */
static sl_status compile_predict(compiler *c, sl_xnode *n,
                                 const sl_bexpr *e) {
  if (!c->opts || !c->opts->predict)
    return sl_error_set_sql(c->err, file_of(c) ? file_of(c) : "",
                            e->pos.line, e->pos.column,
                            "PREDICT(%s) needs a model runtime, which this "
                            "context does not provide",
                            e->u.predict.model ? e->u.predict.model : "?");
  sl_expr *x = c->x;
  n->call = sl_arena_calloc(&x->arena, 1, sizeof(*n->call));
  n->gather = sl_arena_calloc(&x->arena, (size_t)n->nkids + 1,
                              sizeof(*n->gather));
  if (!n->call || !n->gather)
    return nomem(c->err);
  sl_status rc = c->opts->predict(c->opts->predict_arg, e, n->call, c->err);
  if (rc)
    return rc == SL_ERR_SQL ? at_node(c->err, file_of(c), e->pos) : rc;
  n->call_ready = true;
  n->run = sl_xcall_kernel(n);
  return SL_OK;
}

/* True when e is NULL as soon as any operand is NULL. */
static bool strict_kind(const sl_bexpr *e) {
  switch (e->kind) {
  case SL_BEXPR_UNARY:
  case SL_BEXPR_LIKE:
  case SL_BEXPR_SUBSCRIPT:
  case SL_BEXPR_FIELD:
  case SL_BEXPR_EXTRACT:
    return true;
  case SL_BEXPR_BINARY:
    return e->op != SL_OP_AND && e->op != SL_OP_OR;
  default:
    return false;
  }
}

/* Picks the kernel of a node whose children are compiled. */
static sl_status choose_kernel(compiler *c, sl_xnode *n, const sl_bexpr *e) {
  sl_expr *x = c->x;
  const char *what = NULL;
  if (strict_kind(e)) {
    for (int i = 0; i < n->nkids; i++) {
      if (n->kids[i]->type->kind == SL_TYPE_NULL) {
        n->run = sl_xnull_kernel();
        return SL_OK;
      }
    }
  }
  switch (e->kind) {
  case SL_BEXPR_UNARY:
    n->run = sl_xunary_kernel(n, e);
    what = "unary operator";
    break;
  case SL_BEXPR_BINARY:
    switch (e->op) {
    case SL_OP_AND:
    case SL_OP_OR:
      n->run = sl_xlogic_kernel(n, e);
      what = "logical operator";
      break;
    case SL_OP_EQ:
    case SL_OP_NE:
    case SL_OP_LT:
    case SL_OP_LE:
    case SL_OP_GT:
    case SL_OP_GE:
      n->run = sl_xcmp_kernel(n, e);
      what = "comparison";
      break;
    case SL_OP_CONCAT:
      n->run = sl_xconcat_kernel(n, e);
      what = "operator ||";
      break;
    default:
      n->run = sl_xarith_kernel(n, e);
      what = "arithmetic";
      break;
    }
    break;
  case SL_BEXPR_IS_NULL:
    n->run = sl_xisnull_kernel(n, e);
    what = "IS NULL";
    break;
  case SL_BEXPR_IN:
    n->run = sl_xin_kernel(x, n, e, c->err);
    if (!n->run && c->err && c->err->code == SL_ERR_NOMEM)
      return SL_ERR_NOMEM;
    what = "IN";
    break;
  case SL_BEXPR_LIKE:
    n->run = sl_xlike_kernel(x, n, e, file_of(c), c->err);
    if (!n->run && c->err && c->err->code)
      return c->err->code;
    what = "LIKE";
    break;
  case SL_BEXPR_BETWEEN:
    n->run = sl_xbetween_kernel(n, e);
    what = "BETWEEN";
    break;
  case SL_BEXPR_CASE:
    n->run = sl_xcase_kernel(n, e);
    what = "CASE";
    break;
  case SL_BEXPR_CAST:
    n->run = sl_xcast_kernel(n, e);
    what = "CAST";
    break;
  case SL_BEXPR_FUNC:
    switch (special_of(e)) {
    case SL_XSPECIAL_COALESCE:
      n->run = sl_xcoalesce_kernel(n);
      what = "COALESCE";
      break;
    case SL_XSPECIAL_NULLIF:
      n->run = sl_xnullif_kernel(n);
      what = "NULLIF";
      break;
    default:
      return compile_call(c, n, e);
    }
    break;
  case SL_BEXPR_SUBSCRIPT:
    n->run = sl_xsubscript_kernel(n, e);
    what = "subscript";
    break;
  case SL_BEXPR_FIELD:
    n->run = sl_xfield_kernel(n, e);
    what = "field access";
    break;
  case SL_BEXPR_ARRAY:
    n->run = sl_xarray_kernel(n, e);
    what = "ARRAY";
    break;
  case SL_BEXPR_EXTRACT:
    n->run = sl_xextract_kernel(n, e);
    what = "EXTRACT";
    break;
  case SL_BEXPR_PREDICT:
    return compile_predict(c, n, e);
  default:
    return sl_error_set_sql(c->err, file_of(c) ? file_of(c) : "",
                            e->pos.line, e->pos.column,
                            "expression kind %d cannot be evaluated",
                            (int)e->kind);
  }
  if (!n->run)
    return unsupported(c->err, file_of(c), e, what);
  return SL_OK;
}

/* Compiles one bound node (and its subtree) into *out. */
static sl_status compile_node(compiler *c, const sl_bexpr *e,
                              sl_xnode **out) {
  sl_expr *x = c->x;
  sl_xnode *n = new_node(x, e, c->err);
  if (!n)
    return c->err ? c->err->code : SL_ERR_NOMEM;
  *out = n;

  if (e->kind == SL_BEXPR_COLUMN) {
    n->is_column = true;
    n->column = e->u.column;
    return SL_OK;
  }
  if (e->kind == SL_BEXPR_LITERAL) {
    sl_status rc = sl_value_copy(&x->arena, &e->u.literal, &n->konst, c->err);
    if (rc)
      return rc;
    n->is_const = true;
    return node_reserve(n, x->cap) ? nomem(c->err) : SL_OK;
  }

  if (e->nargs > 0) {
    n->kids = sl_arena_calloc(&x->arena, (size_t)e->nargs, sizeof(*n->kids));
    if (!n->kids)
      return nomem(c->err);
  }
  n->nkids = e->nargs;
  for (int i = 0; i < e->nargs; i++) {
    sl_status rc = compile_node(c, e->args[i], &n->kids[i]);
    if (rc)
      return rc;
  }

  sl_status rc = choose_kernel(c, n, e);
  if (rc)
    return rc;
  if (node_reserve(n, x->cap))
    return nomem(c->err);
  if (foldable(n, e))
    return fold(x, n, c->err);
  return SL_OK;
}

/* Compiles e (see expr.h). */
sl_status sl_expr_compile(const sl_bexpr *e, const sl_expr_options *opts,
                          sl_expr **out, sl_error *err) {
  *out = NULL;
  sl_expr *x = calloc(1, sizeof(*x));
  if (!x)
    return nomem(err);
  sl_arena_init(&x->arena, 0);
  x->cap = 1;
  x->sel = calloc(1, sizeof(*x->sel));
  if (!x->sel) {
    sl_expr_free(x);
    return nomem(err);
  }

  compiler c = {.x = x, .opts = opts, .err = err};
  sl_status rc = compile_node(&c, e, &x->root);
  if (rc) {
    sl_expr_free(x);
    return rc;
  }
  *out = x;
  return SL_OK;
}

/* Frees the program, its buffers and its call sites. */
void sl_expr_free(sl_expr *x) {
  if (!x)
    return;
  for (int i = 0; i < x->nnodes; i++) {
    sl_xnode *n = x->nodes[i];
    if (n->call_ready)
      sl_func_ctx_destroy(n->call);
    free(n->own);
    free(n->sel_a);
    free(n->sel_b);
    if (n->gather) {
      for (int k = 0; k < n->nkids; k++)
        free(n->gather[k]);
      free(n->gather_out);
    }
  }
  for (int i = 0; i < x->ntypes; i++)
    sl_type_free(x->types[i]);
  free(x->types);
  free(x->nodes);
  free(x->sel);
  sl_arena_destroy(&x->arena);
  free(x);
}

const sl_type *sl_expr_type(const sl_expr *x) {
  return x->root->type;
}

bool sl_expr_constant(const sl_expr *x, const sl_value **value) {
  if (!x->root->is_const)
    return false;
  if (value)
    *value = &x->root->konst;
  return true;
}

int sl_expr_column(const sl_expr *x) {
  return x->root->is_column ? x->root->column : -1;
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */
/* ------------------------------------------------------------------ */

/* Prepares buffers and column pointers for batch; returns the number of
 * selected rows written to x->sel. */
static sl_status bind_batch(sl_expr *x, sl_batch *batch, int *nsel,
                            sl_error *err) {
  sl_status rc = reserve(x, batch->capacity, err);
  if (rc)
    return rc;
  for (int i = 0; i < x->nnodes; i++) {
    sl_xnode *n = x->nodes[i];
    if (!n->is_column || n->dead)
      continue;
    if (n->column < 0 || n->column >= batch->ncols)
      return sl_error_set(err, SL_ERR_INTERNAL,
                          "expression reads column %d of a batch of %d",
                          n->column, batch->ncols);
    n->out = batch->cols[n->column];
  }
  int k = 0;
  for (int r = 0; r < batch->nrows; r++)
    if (batch->rows[r].state == SL_BATCH_ROW_SELECTED)
      x->sel[k++] = r;
  *nsel = k;
  return SL_OK;
}

/* Evaluates over the selected rows (see expr.h). */
sl_status sl_expr_run(sl_expr *x, sl_batch *batch, sl_arena *arena,
                      const sl_value **result, int *nfailed, sl_error *err) {
  int nsel = 0;
  if (nfailed)
    *nfailed = 0;
  sl_status rc = bind_batch(x, batch, &nsel, err);
  if (rc)
    return rc;

  sl_xeval ev = {.batch = batch, .arena = arena, .err = err};
  sl_xnode *root = x->root;
  rc = sl_xnode_eval(root, &ev, x->sel, nsel);
  if (rc)
    return rc;

  /* Rows outside the selection must not hold stale pointers from an
   * earlier batch. */
  if (!root->is_column && !root->is_const) {
    int k = 0;
    for (int r = 0; r < batch->nrows; r++) {
      if (k < nsel && x->sel[k] == r) {
        k++;
        continue;
      }
      root->out[r] = sl_value_null();
    }
  }
  *result = root->out;
  if (nfailed)
    *nfailed = ev.nfailed;
  return SL_OK;
}

/* Evaluates and copies the results (see expr.h). */
sl_status sl_expr_eval(sl_expr *x, sl_batch *batch, sl_arena *arena,
                       sl_value *out, int *nfailed, sl_error *err) {
  const sl_value *res;
  sl_status rc = sl_expr_run(x, batch, arena, &res, nfailed, err);
  if (rc)
    return rc;
  memcpy(out, res, (size_t)batch->nrows * sizeof(*out));
  return SL_OK;
}

/* Drops the rows whose predicate is not TRUE (see expr.h). */
sl_status sl_expr_filter(sl_expr *x, sl_batch *batch, sl_arena *arena,
                         int *ndropped, int *nfailed, sl_error *err) {
  const sl_value *res;
  sl_status rc = sl_expr_run(x, batch, arena, &res, nfailed, err);
  if (rc)
    return rc;
  int dropped = 0;
  for (int r = 0; r < batch->nrows; r++) {
    if (batch->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    if (res[r].kind != SL_TYPE_BOOLEAN || !res[r].u.b) {
      batch->rows[r].state = SL_BATCH_ROW_DROPPED;
      dropped++;
    }
  }
  if (ndropped)
    *ndropped = dropped;
  return SL_OK;
}

/* Evaluates a constant expression (see expr.h). */
sl_status sl_expr_eval_constant(const sl_bexpr *e, sl_arena *arena,
                                sl_value *out, sl_error *err) {
  sl_expr *x;
  sl_status rc = sl_expr_compile(e, NULL, &x, err);
  if (rc)
    return rc;
  const sl_value *k;
  if (sl_expr_constant(x, &k)) {
    rc = sl_value_copy(arena, k, out, err);
    sl_expr_free(x);
    return rc;
  }

  /* Not folded: a failing constant, or a nondeterministic call. */
  sl_batch *b = sl_batch_create(0, 1);
  if (!b || sl_batch_append_row(b) < 0) {
    sl_batch_free(b);
    sl_expr_free(x);
    return nomem(err);
  }
  const sl_value *res;
  rc = sl_expr_run(x, b, sl_batch_arena(b), &res, NULL, err);
  if (rc == SL_OK) {
    if (b->rows[0].state == SL_BATCH_ROW_ERROR && b->rows[0].error) {
      const sl_batch_error *be = b->rows[0].error;
      sl_error_set(err, SL_ERR_RECORD, "%s", be->message);
      if (err)
        snprintf(err->reason, sizeof(err->reason), "%s", be->reason);
      rc = SL_ERR_RECORD;
    } else {
      rc = sl_value_copy(arena, &res[0], out, err);
    }
  }
  sl_batch_free(b);
  sl_expr_free(x);
  return rc;
}
