/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind.c - the binder's entry point and its statements.
 *
 * sl_bind_stmt creates the bound statement and dispatches on the
 * statement kind.  Each statement binder checks what the statement names
 * against the catalog (the object created must be new or defined the same
 * way; the objects read, loaded, copied or dropped must exist and be of a
 * kind the statement takes), binds its expressions and query, validates
 * its options and adds the conventions' defaults.
 *
 * This file also holds the helpers every binder file uses: arena
 * allocation with SL_ERR_NOMEM on failure, errors at a source position,
 * ownership of heap types and catalog objects, dependencies, and the
 * "did you mean" suggestions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/bind_internal.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

sl_status bind_fail(sl_binder *b, sl_ast_pos pos, const char *fmt, ...) {
  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return sl_error_set_sql(b->err, b->ctx->file, pos.line, pos.column, "%s",
                          msg);
}

sl_status bind_nomem(sl_binder *b) {
  return sl_error_set(b->err, SL_ERR_NOMEM, "out of memory");
}

void *bind_alloc(sl_binder *b, size_t size) {
  void *p = sl_arena_alloc(b->arena, size ? size : 1);
  if (!p)
    bind_nomem(b);
  return p;
}

void *bind_calloc(sl_binder *b, size_t count, size_t size) {
  void *p = sl_arena_calloc(b->arena, count ? count : 1, size ? size : 1);
  if (!p)
    bind_nomem(b);
  return p;
}

char *bind_strdup(sl_binder *b, const char *s) {
  char *p = sl_arena_strdup(b->arena, s ? s : "");
  if (!p)
    bind_nomem(b);
  return p;
}

const char *bind_name(sl_binder *b, const char *s) {
  return s ? bind_strdup(b, s) : NULL;
}

char *bind_printf(sl_binder *b, const char *fmt, ...) {
  char buf[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return bind_strdup(b, buf);
}

sl_status bind_grow(sl_binder *b, void **items, int *cap, int need,
                    size_t elem) {
  if (need <= *cap)
    return SL_OK;
  int ncap = *cap ? *cap * 2 : 4;
  if (ncap < need)
    ncap = need;
  void *p = bind_calloc(b, (size_t)ncap, elem);
  if (!p)
    return SL_ERR_NOMEM;
  if (*items && *cap > 0)
    memcpy(p, *items, (size_t)*cap * elem);
  *items = p;
  *cap = ncap;
  return SL_OK;
}

sl_type *bind_keep_type(sl_binder *b, sl_type *t) {
  if (!t) {
    bind_nomem(b);
    return NULL;
  }
  if (t->is_static)
    return t;
  sl_bound_stmt *st = b->stmt;
  if (st->ntypes == st->types_cap) {
    int ncap = st->types_cap ? st->types_cap * 2 : 16;
    sl_type **p = realloc(st->types, (size_t)ncap * sizeof(*p));
    if (!p) {
      sl_type_free(t);
      bind_nomem(b);
      return NULL;
    }
    st->types = p;
    st->types_cap = ncap;
  }
  st->types[st->ntypes++] = t;
  return t;
}

sl_type *bind_clone_type(sl_binder *b, const sl_type *t) {
  if (t->is_static)
    return (sl_type *)t;
  return bind_keep_type(b, sl_type_clone(t));
}

sl_status bind_keep_object(sl_binder *b, sl_catalog_object *obj) {
  sl_bound_stmt *st = b->stmt;
  if (st->nobjects == st->objects_cap) {
    int ncap = st->objects_cap ? st->objects_cap * 2 : 8;
    sl_catalog_object **p = realloc(st->objects, (size_t)ncap * sizeof(*p));
    if (!p) {
      sl_catalog_object_free(obj);
      return bind_nomem(b);
    }
    st->objects = p;
    st->objects_cap = ncap;
  }
  st->objects[st->nobjects++] = obj;
  return SL_OK;
}

/* Inserts name into a sorted list without duplicates. */
static sl_status add_sorted(sl_binder *b, const char ***list, int *n,
                            const char *name) {
  int i = 0;
  while (i < *n && strcmp((*list)[i], name) < 0)
    i++;
  if (i < *n && strcmp((*list)[i], name) == 0)
    return SL_OK;
  const char **p = bind_calloc(b, (size_t)*n + 1, sizeof(*p));
  char *copy = bind_strdup(b, name);
  if (!p || !copy)
    return SL_ERR_NOMEM;
  if (*n)
    memcpy(p, *list, (size_t)*n * sizeof(*p));
  memmove(p + i + 1, p + i, (size_t)(*n - i) * sizeof(*p));
  p[i] = copy;
  *list = p;
  (*n)++;
  return SL_OK;
}

sl_status bind_add_dep(sl_binder *b, const char *name) {
  return add_sorted(b, &b->stmt->deps, &b->stmt->ndeps, name);
}

sl_status bind_add_function_dep(sl_binder *b, const char *name) {
  return add_sorted(b, &b->stmt->function_deps, &b->stmt->nfunction_deps,
                    name);
}

sl_status bind_get_object(sl_binder *b, const char *name,
                          sl_catalog_object **out) {
  *out = NULL;
  /* One statement sees one version of each object. */
  for (int i = 0; i < b->stmt->nobjects; i++) {
    if (strcmp(b->stmt->objects[i]->name, name) == 0) {
      *out = b->stmt->objects[i];
      return SL_OK;
    }
  }
  sl_catalog_object *obj = NULL;
  sl_error cerr;
  sl_error_clear(&cerr);
  if (sl_catalog_get(b->ctx->catalog, name, &obj, &cerr)) {
    *b->err = cerr;
    return cerr.code ? cerr.code : SL_ERR_INTERNAL;
  }
  if (!obj)
    return SL_OK;
  sl_status rc = bind_keep_object(b, obj);
  if (rc)
    return rc;
  *out = obj;
  return SL_OK;
}

sl_srcpos bind_srcpos(sl_ast_pos pos) {
  sl_srcpos p = {pos.line, pos.column};
  return p;
}

static bool is_op_char(char c) {
  return strchr("+-*/%|=<>!", c) != NULL && c != '\0';
}

static bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

sl_ast_pos bind_operator_pos(const sl_binder *b, sl_ast_pos right,
                             sl_ast_pos fallback) {
  const char *text = b->ctx->text;
  if (!text || right.offset == 0 || right.offset > b->ctx->text_len)
    return fallback;

  /* Back over blanks and opening parentheses to the operator's end. */
  size_t at = right.offset;
  int back_chars = 0;
  while (at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t' ||
                    text[at - 1] == '(')) {
    at--;
    back_chars++;
  }
  if (at == 0 || text[at - 1] == '\n' || text[at - 1] == '\r')
    return fallback;

  /* Then over the operator itself: symbols, or a keyword (AND, OR). */
  size_t end = at;
  if (is_op_char(text[at - 1])) {
    while (at > 0 && is_op_char(text[at - 1]) && end - at < 2)
      at--;
  } else if (is_word_char(text[at - 1])) {
    while (at > 0 && is_word_char(text[at - 1]))
      at--;
  } else {
    return fallback;
  }
  back_chars += (int)(end - at);
  if (back_chars >= right.column)
    return fallback;
  sl_ast_pos pos = {right.line, right.column - back_chars, at};
  return pos;
}

static char fold(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive edit distance of two short strings, counting an
 * exchange of two neighbouring letters as one edit ("nmae" is one edit
 * from "name"). */
static int edit_distance(const char *a, const char *c) {
  size_t la = strlen(a), lc = strlen(c);
  if (la > 64 || lc > 64)
    return 1 << 20;
  int d[65][65];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = (int)i;
  for (size_t j = 0; j <= lc; j++)
    d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lc; j++) {
      int cost = fold(a[i - 1]) == fold(c[j - 1]) ? 0 : 1;
      int best = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(c[j - 2]) &&
          fold(a[i - 2]) == fold(c[j - 1]) && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  }
  return d[la][lc];
}

const char *bind_closest(const char *name, const char *const *candidates,
                         int n) {
  int limit = (int)strlen(name) / 3;
  if (limit < 1)
    limit = 1;
  const char *best = NULL;
  int best_d = limit + 1;
  for (int i = 0; i < n; i++) {
    if (!candidates[i] || strcmp(candidates[i], name) == 0)
      continue;
    int d = edit_distance(name, candidates[i]);
    if (d < best_d) {
      best = candidates[i];
      best_d = d;
    }
  }
  return best;
}

const char *bind_suggest(sl_binder *b, const char *name,
                         const char *const *candidates, int n) {
  const char *c = bind_closest(name, candidates, n);
  if (!c)
    return "";
  const char *s = bind_printf(b, "; did you mean \"%s\"?", c);
  return s ? s : "";
}

void sl_bind_ctx_init(sl_bind_ctx *ctx, sl_catalog *catalog,
                      sl_func_registry *functions,
                      const sl_parse_result *parse) {
  memset(ctx, 0, sizeof(*ctx));
  ctx->catalog = catalog;
  ctx->functions = functions;
  ctx->file = parse && parse->file ? parse->file : "<sql>";
  if (parse) {
    ctx->text = parse->text;
    ctx->text_len = parse->len;
  }
}

/* ------------------------------------------------------------------ */
/* Shared statement parts                                              */
/* ------------------------------------------------------------------ */

static sl_catalog_kind map_object_kind(sl_ast_object_kind k) {
  switch (k) {
  case SL_AST_OBJ_TABLE: return SL_CATALOG_TABLE;
  case SL_AST_OBJ_MODEL: return SL_CATALOG_MODEL;
  case SL_AST_OBJ_FUNCTION: return SL_CATALOG_FUNCTION;
  case SL_AST_OBJ_TRAINING_SET: return SL_CATALOG_TRAINING_SET;
  default: return SL_CATALOG_STREAM;
  }
}

static const char *kind_sql(sl_catalog_kind k) {
  switch (k) {
  case SL_CATALOG_TABLE: return "TABLE";
  case SL_CATALOG_TRAINING_SET: return "TRAINING SET";
  case SL_CATALOG_MODEL: return "MODEL";
  case SL_CATALOG_FUNCTION: return "FUNCTION";
  default: return "STREAM";
  }
}

/* The names of the catalog objects of the given kinds (for
 * suggestions). */
static const char **object_names(sl_binder *b, const sl_catalog_kind *kinds,
                                 int nkinds, int *n) {
  const char **names = NULL;
  int cap = 0;
  *n = 0;
  for (int k = 0; k < nkinds; k++) {
    sl_catalog_object **objs = NULL;
    int nobjs = 0;
    sl_error cerr;
    sl_error_clear(&cerr);
    if (sl_catalog_list(b->ctx->catalog, kinds[k], &objs, &nobjs, &cerr))
      continue;
    for (int i = 0; i < nobjs; i++)
      if (bind_grow(b, (void **)&names, &cap, *n + 1, sizeof(*names)) ==
          SL_OK)
        names[(*n)++] = bind_strdup(b, objs[i]->name);
    sl_catalog_object_list_free(objs, nobjs);
  }
  return names;
}

/* Looks up an object the statement needs.  Missing: "unknown WHAT" with a
 * suggestion among the kinds listed; present with a kind outside the
 * list: "NAME is a KIND; STATEMENT takes ...". */
static sl_status need_object(sl_binder *b, const sl_ast_name *name,
                             const sl_catalog_kind *kinds, int nkinds,
                             const char *unknown_what, const char *takes,
                             sl_catalog_object **out) {
  sl_status rc = bind_get_object(b, name->text, out);
  if (rc)
    return rc;
  if (!*out) {
    int n;
    const char **names = object_names(b, kinds, nkinds, &n);
    return bind_fail(b, name->pos, "unknown %s \"%s\"%s", unknown_what,
                     name->text, bind_suggest(b, name->text, names, n));
  }
  for (int k = 0; k < nkinds; k++)
    if ((*out)->kind == kinds[k])
      return SL_OK;
  return bind_fail(b, name->pos, "%s is a %s; %s", name->text,
                   bind_kind_word((*out)->kind), takes);
}

/* A scan over declared columns, for binding CHECK and WATERMARK. */
static sl_status declared_scope(sl_binder *b, const char *name,
                                const char *kind_word, sl_ast_pos pos,
                                bind_scope *scope) {
  sl_bound_stmt *st = b->stmt;
  sl_rel *rel = bind_rel_new(b, SL_REL_SCAN, pos, st->ncolumns);
  if (!rel)
    return bind_nomem(b);
  for (int i = 0; i < st->ncolumns; i++) {
    rel->columns[i].name = st->columns[i].name;
    rel->columns[i].source = name;
    rel->columns[i].type = st->columns[i].type;
    rel->columns[i].not_null = st->columns[i].not_null;
    rel->columns[i].quoted = st->columns[i].quoted;
  }
  return bind_scope_single(b, rel, name, kind_word, pos, scope);
}

/* Resolves a column name written in a string or name position against
 * scope, with the unknown-column message of expressions. */
static sl_status named_column(sl_binder *b, const bind_scope *scope,
                              const char *name, sl_ast_pos pos, int *index) {
  sl_ast_expr col;
  sl_ast_name part = {name, true, pos};
  memset(&col, 0, sizeof(col));
  col.kind = SL_AST_COLUMN;
  col.pos = pos;
  col.u.column.parts.n = 1;
  col.u.column.parts.cap = 1;
  col.u.column.parts.items = &part;
  bind_ectx ectx = {0};
  ectx.scope = scope;
  ectx.clause = "WITH";
  sl_bexpr *e;
  sl_status rc = bind_expr(b, &ectx, &col, &e);
  if (rc)
    return rc;
  *index = e->u.column;
  return SL_OK;
}

static sl_ast_pos option_value_pos(const sl_ast_options *opts,
                                   const char *name, sl_ast_pos fallback) {
  const sl_ast_option *o = bind_find_ast_option(opts, name);
  return o ? o->value->pos : fallback;
}

/* key_format says how the key column's value is the record key, so a
 * stream without one has nothing for it to apply to. */
static sl_status check_key_format(sl_binder *b, const sl_ast_options *opts,
                                  sl_ast_pos stmt_pos) {
  const sl_bound_option *kf = sl_bound_option_get(b->stmt, "key_format");
  if (!kf || b->stmt->key_column >= 0)
    return SL_OK;
  return bind_fail(b, option_value_pos(opts, "key_format", stmt_pos),
                   "option \"key_format\" needs a key column; name it "
                   "with key='col'");
}

/* Whether the name is taken; sets stmt->exists for IF NOT EXISTS and for
 * an equal definition, fails for anything else.  Models take a new
 * version instead. */
static sl_status check_new_object(sl_binder *b, const sl_ast_name *name,
                                  sl_catalog_kind kind, bool if_not_exists) {
  sl_catalog_object *old = NULL;
  sl_error cerr;
  sl_error_clear(&cerr);
  if (sl_catalog_get(b->ctx->catalog, name->text, &old, &cerr)) {
    *b->err = cerr;
    return cerr.code;
  }
  if (!old)
    return SL_OK;
  sl_status rc = SL_OK;
  if (if_not_exists) {
    b->stmt->exists = true;
  } else if (old->kind != kind) {
    rc = bind_fail(b, name->pos, "%s already exists as a %s; streams, "
                   "tables, training sets and models share one namespace",
                   name->text, bind_kind_word(old->kind));
  } else if (kind != SL_CATALOG_MODEL) {
    sl_catalog_object *mine = NULL;
    rc = sl_bound_catalog_object(b->stmt, &mine, b->err);
    if (!rc && sl_catalog_object_same_definition(mine, old))
      b->stmt->exists = true;
    else if (!rc)
      rc = bind_fail(b, name->pos, "%s %s already exists with a different "
                     "definition; DROP %s %s first", bind_kind_word(kind),
                     name->text, kind_sql(kind), name->text);
    sl_catalog_object_free(mine);
  }
  sl_catalog_object_free(old);
  return rc;
}

static sl_status no_limit(sl_binder *b, const sl_ast_query *q,
                          const char *what) {
  if (q->has_limit)
    return bind_fail(b, q->limit_pos, "LIMIT applies to transient queries; "
                     "%s runs until it is terminated", what);
  return SL_OK;
}

/* Defaults of a stream's topic: name, format, policy, partitions. */
static sl_status stream_defaults(sl_binder *b, const char *name,
                                 bool partitions) {
  sl_status rc = bind_default_option(b, "topic", SL_OPTION_STRING, name, 0);
  const sl_bound_option *topic = sl_bound_option_get(b->stmt, "topic");
  if (!rc)
    rc = bind_default_option(b, "format", SL_OPTION_STRING, "json", 0);
  if (!rc && partitions)
    rc = bind_default_option(b, "partitions", SL_OPTION_INTEGER, "1", 1);
  if (!rc && partitions)
    rc = bind_default_option(b, "replicas", SL_OPTION_INTEGER, "1", 1);
  if (!rc)
    rc = bind_default_option(b, "errors", SL_OPTION_STRING, "dlq", 0);
  if (!rc) {
    const char *dlq = bind_printf(b, "%s.dlq", topic ? topic->text : name);
    rc = dlq ? bind_default_option(b, "dlq_topic", SL_OPTION_STRING, dlq, 0)
             : SL_ERR_NOMEM;
  }
  const sl_bound_option *format = sl_bound_option_get(b->stmt, "format");
  if (!rc && format && strcmp(format->text, "csv") == 0)
    rc = bind_default_option(b, "delimiter", SL_OPTION_STRING, ",", 0);
  return rc;
}

/* ------------------------------------------------------------------ */
/* CREATE STREAM / CREATE TABLE with columns                           */
/* ------------------------------------------------------------------ */

static sl_status bind_columns(sl_binder *b, const sl_ast_stmt *ast,
                              bool table) {
  const sl_ast_column_defs *defs = &ast->u.create_source.columns;
  sl_bound_stmt *st = b->stmt;
  st->columns = bind_calloc(b, (size_t)defs->n + 1, sizeof(*st->columns));
  if (!st->columns)
    return bind_nomem(b);
  for (int i = 0; i < defs->n; i++) {
    const sl_ast_column_def *d = defs->items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(st->columns[j].name, d->name.text) == 0)
        return bind_fail(b, d->name.pos, "column \"%s\" is declared twice",
                         d->name.text);
    if (d->primary_key && !table)
      return bind_fail(b, d->name.pos, "PRIMARY KEY applies to tables; a "
                       "stream's key is WITH (key='%s')", d->name.text);
    sl_bound_column *c = &st->columns[st->ncolumns++];
    c->name = bind_name(b, d->name.text);
    c->type = bind_clone_type(b, d->type);
    if (!c->type)
      return bind_nomem(b);
    c->not_null = d->not_null || d->primary_key;
    c->primary_key = d->primary_key;
    c->quoted = d->name.quoted;
    c->pos = bind_srcpos(d->name.pos);
  }
  return SL_OK;
}

static sl_status bind_checks(sl_binder *b, const sl_ast_checks *checks,
                             const bind_scope *scope) {
  bind_ectx ectx = {0};
  ectx.scope = scope;
  ectx.clause = "CHECK";
  for (int i = 0; i < checks->n; i++) {
    sl_bexpr *c;
    sl_status rc = bind_condition(b, &ectx, checks->items[i]->condition,
                                  "CHECK", &c);
    if (rc)
      return rc;
    if (!b->stmt->check) {
      b->stmt->check = c;
      continue;
    }
    sl_bexpr *and = bexpr_new(b, SL_BEXPR_BINARY, sl_type_boolean(),
                              checks->items[i]->pos, 2);
    if (!and)
      return bind_nomem(b);
    and->op = SL_OP_AND;
    and->args[0] = b->stmt->check;
    and->args[1] = c;
    b->stmt->check = and;
  }
  return SL_OK;
}

static sl_status bind_watermark(sl_binder *b, const sl_ast_watermark *wm,
                                const bind_scope *scope) {
  sl_bound_stmt *st = b->stmt;
  int col;
  sl_status rc = named_column(b, scope, wm->column.text, wm->column.pos,
                              &col);
  if (rc)
    return rc;
  if (st->columns[col].type->kind != SL_TYPE_TIMESTAMP)
    return bind_fail(b, wm->column.pos, "WATERMARK FOR needs a TIMESTAMP "
                     "column; %s is %s", wm->column.text,
                     bind_type_name(b, st->columns[col].type));

  bind_ectx ectx = {0};
  ectx.scope = scope;
  ectx.clause = "WATERMARK";
  sl_bexpr *e;
  rc = bind_expr(b, &ectx, wm->expr, &e);
  if (rc)
    return rc;
  int64_t delay = -1;
  if (e->kind == SL_BEXPR_COLUMN && e->u.column == col) {
    delay = 0;
  } else if (e->kind == SL_BEXPR_BINARY && e->op == SL_OP_SUB &&
             e->args[0]->kind == SL_BEXPR_COLUMN &&
             e->args[0]->u.column == col &&
             e->args[1]->kind == SL_BEXPR_LITERAL &&
             e->args[1]->type->kind == SL_TYPE_INTERVAL) {
    delay = e->args[1]->u.literal.u.i64;
  }
  if (delay < 0)
    return bind_fail(b, wm->expr->pos, "WATERMARK FOR %s expects AS %s or "
                     "AS %s - INTERVAL 'n' unit", wm->column.text,
                     wm->column.text, wm->column.text);
  st->watermark_column = col;
  st->timestamp_column = col;
  st->out_of_order_ms = delay;
  return SL_OK;
}

/* timestamp='col': a TIMESTAMP column, the same as WATERMARK FOR's. */
static sl_status bind_timestamp_option(sl_binder *b,
                                       const sl_ast_options *opts,
                                       const bind_scope *scope) {
  const sl_bound_option *ts = sl_bound_option_get(b->stmt, "timestamp");
  if (!ts)
    return SL_OK;
  sl_ast_pos stmt_pos = {b->stmt->pos.line, b->stmt->pos.column, 0};
  sl_ast_pos pos = option_value_pos(opts, "timestamp", stmt_pos);
  int col;
  sl_status rc = named_column(b, scope, ts->text, pos, &col);
  if (rc)
    return rc;
  sl_bound_stmt *st = b->stmt;
  if (st->watermark_column >= 0 && st->watermark_column != col)
    return bind_fail(b, pos, "event-time column named twice: WATERMARK FOR "
                     "%s and timestamp='%s'",
                     st->columns[st->watermark_column].name, ts->text);
  if (st->columns[col].type->kind != SL_TYPE_TIMESTAMP)
    return bind_fail(b, pos, "the timestamp column must be TIMESTAMP; %s is "
                     "%s (declare it TIMESTAMP and set timestamp_format "
                     "for epoch numbers)", ts->text,
                     bind_type_name(b, st->columns[col].type));
  st->timestamp_column = col;
  return SL_OK;
}

static sl_status bind_create_source(sl_binder *b, const sl_ast_stmt *ast,
                                    bool table) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *name = &ast->u.create_source.name;
  const char *what = table ? "CREATE TABLE" : "CREATE STREAM";
  st->kind = table ? SL_BSTMT_CREATE_TABLE : SL_BSTMT_CREATE_STREAM;
  st->object_kind = table ? SL_CATALOG_TABLE : SL_CATALOG_STREAM;
  st->name = bind_name(b, name->text);
  st->if_not_exists = ast->u.create_source.if_not_exists;

  sl_status rc = bind_columns(b, ast, table);
  if (rc)
    return rc;
  bind_scope scope;
  rc = declared_scope(b, name->text, table ? "table" : "stream", name->pos,
                      &scope);
  if (rc)
    return rc;

  /* PRIMARY KEY (a, b) after the columns. */
  const sl_ast_names *pk = &ast->u.create_source.primary_key;
  if (pk->n > 0 && !table)
    return bind_fail(b, ast->u.create_source.primary_key_pos,
                     "PRIMARY KEY applies to tables; a stream's key is "
                     "WITH (key='col')");
  for (int i = 0; i < pk->n; i++) {
    int col;
    rc = named_column(b, &scope, pk->items[i].text, pk->items[i].pos, &col);
    if (rc)
      return rc;
    st->columns[col].primary_key = true;
    st->columns[col].not_null = true;
  }
  for (int i = 0; i < st->ncolumns && st->key_column < 0; i++)
    if (st->columns[i].primary_key)
      st->key_column = i;
  if (table && st->key_column < 0)
    return bind_fail(b, name->pos, "table %s needs a PRIMARY KEY: a lookup "
                     "table is keyed (id BIGINT PRIMARY KEY)", name->text);

  rc = bind_checks(b, &ast->u.create_source.checks, &scope);
  if (rc)
    return rc;
  const sl_ast_watermark *wm = ast->u.create_source.watermark;
  if (wm && table)
    return bind_fail(b, wm->pos, "WATERMARK FOR applies to streams");
  if (wm) {
    rc = bind_watermark(b, wm, &scope);
    if (rc)
      return rc;
  }

  const sl_ast_options *opts = &ast->u.create_source.options;
  rc = bind_options(b, table ? BIND_OPTS_TABLE : BIND_OPTS_STREAM, opts,
                    what);
  if (!rc)
    rc = bind_timestamp_option(b, opts, &scope);
  if (rc)
    return rc;
  const sl_bound_option *key = sl_bound_option_get(st, "key");
  if (key) {
    int col;
    rc = named_column(b, &scope, key->text,
                      option_value_pos(opts, "key", name->pos), &col);
    if (rc)
      return rc;
    st->key_column = col;
  }
  if (!table) {
    rc = check_key_format(b, opts, name->pos);
    if (rc)
      return rc;
  }

  /* Defaults. */
  if (!table) {
    /* No idle_timeout default here: without the option, the session's
     * idle.timeout applies when a query starts (else 10 s). */
    rc = stream_defaults(b, name->text, true);
  } else {
    rc = bind_default_option(b, "versioned", SL_OPTION_BOOLEAN, "false", 0);
    if (!rc && sl_bound_option_get(st, "topic"))
      rc = stream_defaults(b, sl_bound_option_get(st, "topic")->text, true);
  }
  if (!rc && st->timestamp_column >= 0)
    rc = bind_default_option(b, "timestamp_format", SL_OPTION_STRING,
                             "iso8601", 0);
  if (rc)
    return rc;
  return check_new_object(b, name, st->object_kind, st->if_not_exists);
}

/* ------------------------------------------------------------------ */
/* CREATE STREAM | TABLE | TRAINING SET ... AS                         */
/* ------------------------------------------------------------------ */

/* For output column col of a CREATE TABLE ... AS query: its index among
 * the aggregate's group columns and window bounds, or -1.  *agg is the
 * aggregate under the projection, or NULL when there is none. */
static int group_key_of(const sl_rel *rel, int col, const sl_rel **agg) {
  *agg = NULL;
  if (rel->kind != SL_REL_PROJECT)
    return -1;
  const sl_rel *in = rel->input;
  while (in->kind == SL_REL_FILTER || in->kind == SL_REL_OVER)
    in = in->input;
  if (in->kind != SL_REL_AGGREGATE)
    return -1;
  *agg = in;
  const sl_bexpr *e = rel->u.project.exprs[col];
  if (e->kind != SL_BEXPR_COLUMN)
    return -1;
  int nwin = in->windowed ? 2 : 0;
  if (e->u.column < in->u.aggregate.ngroup + nwin)
    return e->u.column;
  return -1;
}

static sl_status table_as_keys(sl_binder *b, const sl_ast_query *q) {
  sl_bound_stmt *st = b->stmt;
  const sl_rel *agg = NULL;
  int ngroup = 0;
  bool *seen = NULL;
  for (int i = 0; i < st->ncolumns; i++) {
    const sl_rel *a;
    int k = group_key_of(st->query, i, &a);
    if (!a)
      break;
    if (!agg) {
      agg = a;
      ngroup = agg->u.aggregate.ngroup;
      seen = bind_calloc(b, (size_t)ngroup + 3, sizeof(*seen));
      if (!seen)
        return bind_nomem(b);
    }
    if (k >= 0) {
      st->columns[i].primary_key = true;
      st->columns[i].not_null = true;
      seen[k] = true;
      if (st->key_column < 0)
        st->key_column = i;
    }
  }
  if (!agg && st->ncolumns > 0)
    (void)group_key_of(st->query, 0, &agg);
  if (!agg)
    return bind_fail(b, q->pos, "CREATE TABLE ... AS needs a query with "
                     "GROUP BY (a materialized aggregate); a query of rows "
                     "goes in CREATE STREAM ... AS");
  for (int g = 0; g < ngroup; g++) {
    if (!seen[g]) {
      sl_srcpos p = agg->u.aggregate.group_by[g]->pos;
      sl_ast_pos pos = {p.line, p.column, 0};
      return bind_fail(b, pos, "GROUP BY expression %d must be in the "
                       "SELECT list of CREATE TABLE ... AS: it is the "
                       "table's key", g + 1);
    }
  }
  return SL_OK;
}

/* A stream whose rows may withdraw rows it wrote before (a SESSION
 * window with EMIT CHANGES, or without EMIT, since a running query emits
 * changes) gets a last column op VARCHAR: '+' on a row added, '-' on a
 * row withdrawn; its sink fills it (see sl_rel_withdraws). */
static sl_status stream_op_column(sl_binder *b, const sl_ast_query *q) {
  sl_bound_stmt *st = b->stmt;
  if (!sl_rel_withdraws(st->query, NULL, SL_EMIT_CHANGES))
    return SL_OK;
  for (int i = 0; i < st->ncolumns; i++) {
    if (strcmp(st->columns[i].name, "op") == 0) {
      sl_srcpos p = st->columns[i].pos;
      sl_ast_pos pos = {p.line, p.column, 0};
      return bind_fail(b, pos, "the rows of a SESSION window without EMIT "
                       "FINAL get a last column op ('+' for a row added, "
                       "'-' for one withdrawn when sessions merge); give "
                       "this column another name than op");
    }
  }
  sl_bound_column *cols = bind_calloc(b, (size_t)st->ncolumns + 2,
                                      sizeof(*cols));
  if (!cols)
    return bind_nomem(b);
  memcpy(cols, st->columns, (size_t)st->ncolumns * sizeof(*cols));
  sl_bound_column *op = &cols[st->ncolumns];
  op->name = "op";
  op->type = sl_type_varchar();
  op->not_null = true;
  op->pos = bind_srcpos(q->pos);
  st->columns = cols;
  st->ncolumns++;
  return SL_OK;
}

/* depersonalize='a,b': columns of the training set. */
static sl_status bind_depersonalize(sl_binder *b,
                                    const sl_ast_options *opts) {
  const sl_bound_option *dep = sl_bound_option_get(b->stmt, "depersonalize");
  if (!dep)
    return SL_OK;
  sl_ast_pos pos = option_value_pos(opts, "depersonalize",
                                    (sl_ast_pos){1, 1, 0});
  const char *p = dep->text;
  while (*p) {
    while (*p == ' ' || *p == ',')
      p++;
    const char *start = p;
    while (*p && *p != ',')
      p++;
    const char *end = p;
    while (end > start && end[-1] == ' ')
      end--;
    if (end == start)
      continue;
    char name[SL_ERROR_NAME_MAX];
    snprintf(name, sizeof(name), "%.*s", (int)(end - start), start);
    bool found = false;
    for (int i = 0; i < b->stmt->ncolumns && !found; i++)
      found = strcmp(b->stmt->columns[i].name, name) == 0;
    if (!found) {
      const char **names = bind_calloc(b, (size_t)b->stmt->ncolumns + 1,
                                       sizeof(*names));
      if (!names)
        return bind_nomem(b);
      for (int i = 0; i < b->stmt->ncolumns; i++)
        names[i] = b->stmt->columns[i].name;
      return bind_fail(b, pos, "depersonalize names column \"%s\", which "
                       "the query does not produce%s", name,
                       bind_suggest(b, name, names, b->stmt->ncolumns));
    }
  }
  return SL_OK;
}

/* The column called name among the statement's columns, or -1. */
static int stmt_column(const sl_bound_stmt *st, const char *name) {
  for (int i = 0; i < st->ncolumns; i++)
    if (strcmp(st->columns[i].name, name) == 0)
      return i;
  return -1;
}

static sl_status output_column_option(sl_binder *b,
                                      const sl_ast_options *opts,
                                      const char *option, int *index) {
  const sl_bound_option *o = sl_bound_option_get(b->stmt, option);
  *index = -1;
  if (!o)
    return SL_OK;
  *index = stmt_column(b->stmt, o->text);
  if (*index >= 0)
    return SL_OK;
  const char **names = bind_calloc(b, (size_t)b->stmt->ncolumns + 1,
                                   sizeof(*names));
  if (!names)
    return bind_nomem(b);
  for (int i = 0; i < b->stmt->ncolumns; i++)
    names[i] = b->stmt->columns[i].name;
  return bind_fail(b, option_value_pos(opts, option, (sl_ast_pos){1, 1, 0}),
                   "%s='%s' names no column of the query's output%s", option,
                   o->text, bind_suggest(b, o->text, names,
                                         b->stmt->ncolumns));
}

/* The event time of a training set's rows: the query's event-time
 * column, added as the last column when the query does not select it (a
 * stream's own event-time column, or rowtime), so that training and
 * holdout can take the rows in event-time order whatever order they
 * arrived in.  A name already taken by another output column leaves the
 * training set without an event time (rows then go in arrival order). */
static sl_status training_set_time(sl_binder *b, sl_rel *q) {
  if (q->event_time >= 0 || q->kind != SL_REL_PROJECT ||
      q->nature != SL_NATURE_STREAM || !q->input ||
      q->input->event_time < 0)
    return SL_OK;
  const sl_rel *in = q->input;
  const sl_rel_column *tc = &in->columns[in->event_time];
  if (tc->type->kind != SL_TYPE_TIMESTAMP)
    return SL_OK;
  for (int i = 0; i < q->ncolumns; i++)
    if (strcmp(q->columns[i].name, tc->name) == 0)
      return SL_OK;

  int n = q->ncolumns;
  sl_rel_column *cols = bind_calloc(b, (size_t)n + 2, sizeof(*cols));
  sl_bexpr **exprs = bind_calloc(b, (size_t)n + 2, sizeof(*exprs));
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_COLUMN, tc->type,
                          (sl_ast_pos){q->pos.line, q->pos.column, 0}, 0);
  if (!cols || !exprs || !e)
    return bind_nomem(b);
  memcpy(cols, q->columns, (size_t)n * sizeof(*cols));
  memcpy(exprs, q->u.project.exprs, (size_t)n * sizeof(*exprs));
  e->u.column = in->event_time;
  exprs[n] = e;
  cols[n].name = tc->name;
  cols[n].source = NULL;
  cols[n].type = tc->type;
  cols[n].not_null = false; /* rows LOADed in feature form may lack it */
  cols[n].hidden = false;
  cols[n].quoted = tc->quoted;
  q->columns = cols;
  q->u.project.exprs = exprs;
  q->u.project.nexprs = n + 1;
  q->ncolumns = n + 1;
  q->event_time = n;
  return SL_OK;
}

static sl_status bind_create_as(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *name = &ast->u.create_as.name;
  const sl_ast_query *q = ast->u.create_as.query;
  const sl_ast_options *opts = &ast->u.create_as.options;
  const char *what;
  bind_option_set set;
  switch (ast->kind) {
  case SL_AST_CREATE_TABLE_AS:
    st->kind = SL_BSTMT_CREATE_TABLE;
    st->object_kind = SL_CATALOG_TABLE;
    what = "CREATE TABLE ... AS";
    set = BIND_OPTS_TABLE_AS;
    break;
  case SL_AST_CREATE_TRAINING_SET:
    st->kind = SL_BSTMT_CREATE_TRAINING_SET;
    st->object_kind = SL_CATALOG_TRAINING_SET;
    what = "CREATE TRAINING SET";
    set = BIND_OPTS_TRAINING_SET;
    break;
  default:
    st->kind = SL_BSTMT_CREATE_STREAM;
    st->object_kind = SL_CATALOG_STREAM;
    what = "CREATE STREAM ... AS";
    set = BIND_OPTS_STREAM_AS;
    break;
  }
  st->name = bind_name(b, name->text);
  st->if_not_exists = ast->u.create_as.if_not_exists;

  sl_status rc = bind_query(b, q, NULL, true, &st->query);
  if (!rc)
    rc = no_limit(b, q, what);
  if (!rc && st->kind == SL_BSTMT_CREATE_TRAINING_SET)
    rc = training_set_time(b, st->query);
  if (!rc)
    rc = bind_output_columns(b, st->query, what, q->pos);
  if (rc)
    return rc;

  if (st->kind == SL_BSTMT_CREATE_STREAM &&
      st->query->nature != SL_NATURE_STREAM)
    return bind_fail(b, q->pos, "CREATE STREAM ... AS needs a query whose "
                     "result is a stream; an aggregate without a window is "
                     "a table (use CREATE TABLE ... AS)");
  if (st->kind == SL_BSTMT_CREATE_STREAM) {
    rc = stream_op_column(b, q);
    if (rc)
      return rc;
  }
  if (st->kind == SL_BSTMT_CREATE_TRAINING_SET &&
      sl_rel_withdraws(st->query, NULL, SL_EMIT_CHANGES))
    return bind_fail(b, q->pos, "a training set keeps every row it gets, "
                     "but a SESSION window without EMIT FINAL withdraws "
                     "rows it emitted when sessions merge; write EMIT FINAL");
  if (st->kind == SL_BSTMT_CREATE_TABLE) {
    rc = table_as_keys(b, q);
    if (rc)
      return rc;
  }

  rc = bind_options(b, set, opts, what);
  if (rc)
    return rc;
  if (st->kind == SL_BSTMT_CREATE_STREAM) {
    int col;
    rc = output_column_option(b, opts, "key", &col);
    if (!rc && col >= 0)
      st->key_column = col;
    if (!rc)
      rc = check_key_format(b, opts, name->pos);
    if (!rc)
      rc = output_column_option(b, opts, "timestamp", &col);
    if (rc)
      return rc;
    if (col >= 0 && st->columns[col].type->kind != SL_TYPE_TIMESTAMP)
      return bind_fail(b, option_value_pos(opts, "timestamp", name->pos),
                       "the timestamp column must be TIMESTAMP; %s is %s",
                       st->columns[col].name,
                       bind_type_name(b, st->columns[col].type));
    st->timestamp_column = col >= 0 ? col : st->query->event_time;
    rc = stream_defaults(b, name->text, false);
  } else if (st->kind == SL_BSTMT_CREATE_TABLE) {
    rc = bind_default_option(b, "topic", SL_OPTION_STRING, name->text, 0);
    if (!rc)
      rc = bind_default_option(b, "format", SL_OPTION_STRING, "json", 0);
  } else {
    if (st->query->event_time >= 0 &&
        st->columns[st->query->event_time].type->kind == SL_TYPE_TIMESTAMP)
      st->timestamp_column = st->query->event_time;
    rc = bind_depersonalize(b, opts);
  }
  if (rc)
    return rc;
  return check_new_object(b, name, st->object_kind, st->if_not_exists);
}

/* ------------------------------------------------------------------ */
/* INSERT                                                              */
/* ------------------------------------------------------------------ */

static const sl_catalog_kind k_stream[] = {SL_CATALOG_STREAM};
static const sl_catalog_kind k_stream_table[] = {SL_CATALOG_STREAM,
                                                 SL_CATALOG_TABLE};
static const sl_catalog_kind k_loadable[] = {
    SL_CATALOG_TABLE, SL_CATALOG_STREAM, SL_CATALOG_TRAINING_SET};
static const sl_catalog_kind k_rows[] = {SL_CATALOG_TABLE,
                                         SL_CATALOG_TRAINING_SET};

/* The target's columns as the statement's. */
static sl_status target_columns(sl_binder *b, const sl_catalog_object *obj) {
  sl_bound_stmt *st = b->stmt;
  st->columns = bind_calloc(b, (size_t)obj->ncolumns + 1,
                            sizeof(*st->columns));
  if (!st->columns)
    return bind_nomem(b);
  st->ncolumns = obj->ncolumns;
  for (int i = 0; i < obj->ncolumns; i++) {
    st->columns[i].name = obj->columns[i].name;
    st->columns[i].type = obj->columns[i].type;
    st->columns[i].not_null = obj->columns[i].not_null ||
                              obj->columns[i].primary_key;
    st->columns[i].primary_key = obj->columns[i].primary_key;
    st->columns[i].quoted = obj->columns[i].quoted;
  }
  st->key_column = obj->key_column;
  st->timestamp_column = obj->timestamp_column;
  return SL_OK;
}

static sl_status bind_insert_query(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *target = &ast->u.insert_query.target;
  const sl_ast_query *q = ast->u.insert_query.query;
  st->kind = SL_BSTMT_INSERT_QUERY;
  st->object_kind = SL_CATALOG_STREAM;
  st->name = bind_name(b, target->text);

  sl_catalog_object *obj;
  sl_status rc = need_object(b, target, k_stream, 1, "stream",
                             "INSERT INTO ... SELECT writes a stream",
                             &obj);
  if (!rc)
    rc = target_columns(b, obj);
  sl_rel *rel = NULL;
  if (!rc)
    rc = bind_query(b, q, NULL, true, &rel);
  if (!rc)
    rc = no_limit(b, q, "INSERT INTO ... SELECT");
  if (rc)
    return rc;
  if (rel->nature != SL_NATURE_STREAM)
    return bind_fail(b, q->pos, "INSERT INTO %s needs a query whose result "
                     "is a stream", target->text);

  int n = 0;
  for (int i = 0; i < rel->ncolumns; i++)
    if (!rel->columns[i].hidden)
      n++;
  /* Rows that may withdraw earlier ones say so in the target's last
   * column, op, which the sink fills (see stream_op_column). */
  bool op = sl_rel_withdraws(rel, NULL, SL_EMIT_CHANGES);
  if (op) {
    const sl_bound_column *last = st->ncolumns > 0
                                      ? &st->columns[st->ncolumns - 1]
                                      : NULL;
    if (!last || strcmp(last->name, "op") != 0 ||
        last->type->kind != SL_TYPE_VARCHAR)
      return bind_fail(b, q->pos, "INSERT INTO %s: a SESSION window "
                       "without EMIT FINAL withdraws rows it emitted when "
                       "sessions merge, so %s needs a last column op "
                       "VARCHAR to say which rows are withdrawn ('-') and "
                       "which are added ('+'); or write EMIT FINAL",
                       target->text, target->text);
  }
  if (n != st->ncolumns - op)
    return bind_fail(b, q->pos, "INSERT INTO %s: the query has %d column%s, "
                     "%s has %d%s", target->text, n, n == 1 ? "" : "s",
                     target->text, st->ncolumns - op,
                     op ? " besides op" : "");

  /* A projection of casts onto the target's types and names, unless the
   * query already produces them. */
  bool same = true;
  for (int i = 0; i < n && same; i++)
    same = sl_type_equal(rel->columns[i].type, st->columns[i].type) &&
           strcmp(rel->columns[i].name, st->columns[i].name) == 0;
  if (same) {
    st->query = rel;
    return SL_OK;
  }
  sl_rel *p = bind_rel_new(b, SL_REL_PROJECT, q->pos, n);
  if (!p)
    return bind_nomem(b);
  p->input = rel;
  p->nature = rel->nature;
  p->windowed = rel->windowed;
  p->event_time = rel->event_time;
  p->window_start = rel->window_start;
  p->window_end = rel->window_end;
  p->u.project.nexprs = n;
  p->u.project.exprs = bind_calloc(b, (size_t)n, sizeof(sl_bexpr *));
  if (!p->u.project.exprs)
    return bind_nomem(b);
  const sl_rel *top = rel->kind == SL_REL_PROJECT ? rel : NULL;
  for (int i = 0; i < n; i++) {
    const sl_type *from = rel->columns[i].type;
    sl_type *to = st->columns[i].type;
    if (!sl_type_equal(from, to) && !sl_type_implicit_cast(from, to)) {
      sl_srcpos cp = top ? top->u.project.exprs[i]->pos
                         : bind_srcpos(q->pos);
      sl_ast_pos pos = {cp.line, cp.column, 0};
      return bind_fail(b, pos, "INSERT INTO %s: column %d of the query "
                       "(%s) is %s, %s.%s is %s", target->text, i + 1,
                       rel->columns[i].name, bind_type_name(b, from),
                       target->text, st->columns[i].name,
                       bind_type_name(b, to));
    }
    sl_ast_pos cpos = {rel->pos.line, rel->pos.column, 0};
    sl_bexpr *col = bexpr_new(b, SL_BEXPR_COLUMN, (sl_type *)from, cpos, 0);
    if (!col)
      return bind_nomem(b);
    col->u.column = i;
    p->u.project.exprs[i] = bind_cast(b, col, to);
    if (!p->u.project.exprs[i])
      return bind_nomem(b);
    p->columns[i].name = st->columns[i].name;
    p->columns[i].type = to;
    p->columns[i].not_null = rel->columns[i].not_null;
    p->columns[i].quoted = st->columns[i].quoted;
  }
  st->query = p;
  return SL_OK;
}

/* A VALUES item for a column: a string literal given to a TIMESTAMP or
 * DATE column is read now, as in INSERT INTO s VALUES ('2024-05-01'). */
static sl_status bind_value(sl_binder *b, const sl_ast_expr *ast,
                            const sl_bound_column *col, sl_bexpr **out) {
  bind_scope none;
  memset(&none, 0, sizeof(none));
  none.no_columns = "VALUES take constants, not columns";
  bind_ectx ectx = {0};
  ectx.scope = &none;
  ectx.clause = "VALUES";

  sl_type_kind tk = col->type->kind;
  if (ast->kind == SL_AST_LITERAL && ast->u.literal.kind == SL_AST_LIT_STRING &&
      (tk == SL_TYPE_TIMESTAMP || tk == SL_TYPE_DATE)) {
    sl_ast_expr typed = *ast;
    typed.u.literal.kind = tk == SL_TYPE_TIMESTAMP ? SL_AST_LIT_TIMESTAMP
                                                   : SL_AST_LIT_DATE;
    return bind_expr(b, &ectx, &typed, out);
  }

  sl_status rc = bind_expr(b, &ectx, ast, out);
  if (rc)
    return rc;
  const sl_type *t = (*out)->type;
  if (t->kind == SL_TYPE_NULL && col->not_null)
    return bind_fail(b, ast->pos, "column \"%s\" is NOT NULL", col->name);

  /* A number literal fits a numeric column when its value converts
   * exactly: 99 goes into DECIMAL(10,2), 1.234 does not. */
  if ((*out)->kind == SL_BEXPR_LITERAL && sl_type_is_numeric(t) &&
      sl_type_is_numeric(col->type) && !sl_type_equal(t, col->type)) {
    sl_value v, back;
    sl_error cerr;
    sl_error_clear(&cerr);
    const sl_value *lit = &(*out)->u.literal;
    if (sl_value_cast(b->arena, lit, col->type, &v, &cerr) == SL_OK &&
        sl_value_cast(b->arena, &v, t, &back, &cerr) == SL_OK &&
        sl_value_compare(&back, lit) == 0) {
      (*out)->u.literal = v;
      (*out)->type = col->type;
      return SL_OK;
    }
  }
  if (!sl_type_equal(t, col->type) && !sl_type_implicit_cast(t, col->type))
    return bind_fail(b, ast->pos, "value for column \"%s\" must be %s, got "
                     "%s", col->name, bind_type_name(b, col->type),
                     bind_type_name(b, t));
  /* A literal is converted now, so that a row holds values of the
   * column's type. */
  if ((*out)->kind == SL_BEXPR_LITERAL && !sl_type_equal(t, col->type)) {
    sl_value v;
    sl_error cerr;
    sl_error_clear(&cerr);
    if (sl_value_cast(b->arena, &(*out)->u.literal, col->type, &v, &cerr) ==
        SL_OK) {
      (*out)->u.literal = v;
      (*out)->type = col->type;
      return SL_OK;
    }
  }
  *out = bind_cast(b, *out, col->type);
  return *out ? SL_OK : bind_nomem(b);
}

/* A stream's CHECKs hold for what INSERT and LOAD write into it as for
 * what its queries read: bound over its declared columns, as a scan of
 * it binds them. */
static sl_status bind_write_checks(sl_binder *b, const sl_catalog_object *obj,
                                   sl_ast_pos pos) {
  if (obj->kind != SL_CATALOG_STREAM)
    return SL_OK;
  sl_rel *scan;
  bind_scope scope;
  sl_status rc = bind_scan(b, obj, NULL, pos, &scan, &scope);
  if (!rc)
    b->stmt->checks = scan->u.scan.checks;
  return rc;
}

static sl_status bind_insert_values(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *target = &ast->u.insert_values.target;
  const sl_ast_names *cols = &ast->u.insert_values.columns;
  const sl_ast_rows *rows = &ast->u.insert_values.rows;
  st->kind = SL_BSTMT_INSERT_VALUES;
  st->name = bind_name(b, target->text);

  sl_catalog_object *obj;
  sl_status rc = need_object(b, target, k_stream_table, 2,
                             "stream or table",
                             "INSERT INTO ... VALUES writes a stream or a "
                             "table", &obj);
  if (!rc)
    rc = target_columns(b, obj);
  if (rc)
    return rc;
  st->object_kind = obj->kind;

  rc = bind_write_checks(b, obj, target->pos);
  if (rc)
    return rc;

  /* The columns given, as indexes of the target's. */
  int n = cols->n ? cols->n : st->ncolumns;
  st->nvalues = n;
  st->target_columns = bind_calloc(b, (size_t)n + 1, sizeof(int));
  if (!st->target_columns)
    return bind_nomem(b);
  if (cols->n) {
    bind_scope scope;
    rc = declared_scope(b, target->text, bind_kind_word(obj->kind),
                        target->pos, &scope);
    if (rc)
      return rc;
    for (int i = 0; i < n; i++) {
      rc = named_column(b, &scope, cols->items[i].text, cols->items[i].pos,
                        &st->target_columns[i]);
      if (rc)
        return rc;
      for (int j = 0; j < i; j++)
        if (st->target_columns[j] == st->target_columns[i])
          return bind_fail(b, cols->items[i].pos, "column \"%s\" is listed "
                           "twice", cols->items[i].text);
    }
    for (int c = 0; c < st->ncolumns; c++) {
      bool given = false;
      for (int i = 0; i < n; i++)
        given = given || st->target_columns[i] == c;
      if (!given && st->columns[c].not_null)
        return bind_fail(b, target->pos, "column \"%s\" is %s and needs a "
                         "value", st->columns[c].name,
                         st->columns[c].primary_key ? "the PRIMARY KEY"
                                                    : "NOT NULL");
    }
  } else {
    for (int i = 0; i < n; i++)
      st->target_columns[i] = i;
  }

  st->nrows = rows->n;
  st->rows = bind_calloc(b, (size_t)rows->n + 1, sizeof(*st->rows));
  if (!st->rows)
    return bind_nomem(b);
  for (int r = 0; r < rows->n; r++) {
    const sl_ast_exprs *row = rows->items[r];
    if (row->n != n) {
      sl_ast_pos pos = row->n ? row->items[0]->pos : target->pos;
      return bind_fail(b, pos, "INSERT INTO %s: row %d has %d value%s for "
                       "%d column%s", target->text, r + 1, row->n,
                       row->n == 1 ? "" : "s", n, n == 1 ? "" : "s");
    }
    st->rows[r] = bind_calloc(b, (size_t)n + 1, sizeof(sl_bexpr *));
    if (!st->rows[r])
      return bind_nomem(b);
    for (int i = 0; i < n; i++) {
      rc = bind_value(b, row->items[i], &st->columns[st->target_columns[i]],
                      &st->rows[r][i]);
      if (rc)
        return rc;
    }
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* LOAD, COPY                                                          */
/* ------------------------------------------------------------------ */

static sl_status bind_load(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *target = &ast->u.load.target;
  st->kind = SL_BSTMT_LOAD;
  st->name = bind_name(b, target->text);
  st->path = bind_strdup(b, ast->u.load.path);
  if (!st->path)
    return bind_nomem(b);
  sl_catalog_object *obj;
  sl_status rc = need_object(b, target, k_loadable, 3,
                             "table, stream or training set",
                             "LOAD INTO needs a table, a stream or a "
                             "training set", &obj);
  if (!rc)
    rc = target_columns(b, obj);
  if (!rc)
    rc = bind_options(b, BIND_OPTS_LOAD, &ast->u.load.options, "LOAD");
  if (rc)
    return rc;
  st->object_kind = obj->kind;
  rc = bind_write_checks(b, obj, target->pos);
  if (!rc)
    rc = bind_default_option(b, "header", SL_OPTION_BOOLEAN, "true", 1);
  if (!rc)
    rc = bind_default_option(b, "delimiter", SL_OPTION_STRING, ",", 0);
  if (!rc)
    rc = bind_default_option(b, "null", SL_OPTION_STRING, "", 0);
  if (!rc)
    rc = bind_default_option(b, "errors", SL_OPTION_STRING, "fail", 0);
  return rc;
}

static sl_status bind_copy(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *source = &ast->u.copy.source;
  st->kind = SL_BSTMT_COPY;
  st->name = bind_name(b, source->text);
  st->path = bind_strdup(b, ast->u.copy.path);
  if (!st->path)
    return bind_nomem(b);
  sl_catalog_object *obj;
  sl_status rc = need_object(b, source, k_rows, 2, "table or training set",
                             "COPY reads a table or a training set (keep a "
                             "stream's rows with CREATE TRAINING SET ... AS)",
                             &obj);
  if (!rc)
    rc = target_columns(b, obj);
  if (!rc)
    rc = bind_add_dep(b, obj->name);
  st->object_kind = obj ? obj->kind : SL_CATALOG_TABLE;
  return rc;
}

/* ------------------------------------------------------------------ */
/* CREATE MODEL, EVALUATE                                              */
/* ------------------------------------------------------------------ */

static const char *const transforms[] = {"standardize", "one_hot",
                                         "bucketize"};

/* The transform a FEATURES item calls, or PLAIN. */
static sl_feature_transform transform_of(const sl_ast_expr *e) {
  if (e->kind != SL_AST_CALL || e->u.call.over || e->u.call.over_name.text)
    return SL_FEATURE_PLAIN;
  const char *name = e->u.call.name.text;
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(transforms[i]);
    bool same = strlen(name) == n;
    for (size_t k = 0; same && k < n; k++) {
      char c = name[k];
      if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
      same = c == transforms[i][k];
    }
    if (same)
      return (sl_feature_transform)(i + 1);
  }
  return SL_FEATURE_PLAIN;
}

static sl_status bucket_edges(sl_binder *b, const sl_ast_expr *call,
                              const sl_bexpr *arr, sl_bound_feature *f) {
  sl_ast_pos pos = call->u.call.args.n > 1 ? call->u.call.args.items[1]->pos
                                           : call->pos;
  if (!arr || arr->kind != SL_BEXPR_ARRAY)
    return bind_fail(b, pos, "BUCKETIZE takes its bucket edges as "
                     "ARRAY[...] of numbers");
  f->nedges = arr->nargs;
  f->edges = bind_calloc(b, (size_t)arr->nargs + 1, sizeof(double));
  if (!f->edges)
    return bind_nomem(b);
  for (int i = 0; i < arr->nargs; i++) {
    const sl_bexpr *e = arr->args[i];
    while (e->kind == SL_BEXPR_CAST)
      e = e->args[0];
    if (e->kind != SL_BEXPR_LITERAL || !sl_type_is_numeric(e->type))
      return bind_fail(b, pos, "BUCKETIZE edges must be constant numbers");
    const sl_value *v = &e->u.literal;
    switch (v->kind) {
    case SL_TYPE_INT: f->edges[i] = v->u.i32; break;
    case SL_TYPE_BIGINT: f->edges[i] = (double)v->u.i64; break;
    case SL_TYPE_DOUBLE: f->edges[i] = v->u.f64; break;
    default: {
      char buf[64];
      sl_int128 d = sl_value_decimal_get(v);
      int s = v->scale;
      /* The nearest double of the exact decimal. */
      bool neg = d < 0;
      __extension__ unsigned __int128 m = neg ? -(unsigned __int128)d
                                              : (unsigned __int128)d;
      char digits[48];
      int nd = 0;
      do {
        digits[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
      } while (m);
      int at = 0;
      if (neg)
        buf[at++] = '-';
      for (int k = nd - 1; k >= 0; k--)
        buf[at++] = digits[k];
      snprintf(buf + at, sizeof(buf) - (size_t)at, "e-%d", s);
      f->edges[i] = strtod(buf, NULL);
      break;
    }
    }
    if (i > 0 && !(f->edges[i] > f->edges[i - 1]))
      return bind_fail(b, pos, "BUCKETIZE edges must be strictly "
                       "ascending");
  }
  return SL_OK;
}

static sl_status bind_feature(sl_binder *b, const sl_ast_feature *item,
                              const bind_scope *scope, int index,
                              sl_bound_feature *f) {
  bind_ectx ectx = {0};
  ectx.scope = scope;
  ectx.clause = "FEATURES";
  const sl_ast_expr *e = item->expr;
  f->transform = transform_of(e);
  f->pos = bind_srcpos(item->pos);
  sl_status rc;

  if (f->transform == SL_FEATURE_PLAIN) {
    rc = bind_expr(b, &ectx, e, &f->expr);
    if (rc)
      return rc;
    const sl_type *t = f->expr->type;
    if (t->kind == SL_TYPE_VARCHAR)
      return bind_fail(b, e->pos, "feature is VARCHAR; a category needs "
                       "ONE_HOT(...)");
    if (!sl_type_is_numeric(t) && t->kind != SL_TYPE_BOOLEAN)
      return bind_fail(b, e->pos, "a feature must be numeric or BOOLEAN, "
                       "got %s", bind_type_name(b, t));
    f->name = bind_name(b, item->alias.text ? item->alias.text
                                           : bind_expr_name(e));
  } else {
    const char *tname = transforms[f->transform - 1];
    const sl_ast_exprs *args = &e->u.call.args;
    int want = f->transform == SL_FEATURE_BUCKETIZE ? 2 : 1;
    if (args->n != want)
      return bind_fail(b, e->pos, "%s takes %d argument%s, got %d",
                       f->transform == SL_FEATURE_BUCKETIZE ? "BUCKETIZE"
                       : f->transform == SL_FEATURE_ONE_HOT ? "ONE_HOT"
                                                            : "STANDARDIZE",
                       want, want == 1 ? "" : "s", args->n);
    rc = bind_expr(b, &ectx, args->items[0], &f->expr);
    if (rc)
      return rc;
    const sl_type *t = f->expr->type;
    bool numeric = sl_type_is_numeric(t);
    if (f->transform == SL_FEATURE_ONE_HOT &&
        !(t->kind == SL_TYPE_VARCHAR || sl_type_is_integer(t) ||
          t->kind == SL_TYPE_BOOLEAN))
      return bind_fail(b, args->items[0]->pos, "ONE_HOT takes a VARCHAR, "
                       "integer or BOOLEAN category, got %s",
                       bind_type_name(b, t));
    if (f->transform != SL_FEATURE_ONE_HOT && !numeric)
      return bind_fail(b, args->items[0]->pos, "%s takes a number, got %s",
                       f->transform == SL_FEATURE_BUCKETIZE ? "BUCKETIZE"
                                                            : "STANDARDIZE",
                       bind_type_name(b, t));
    if (f->transform == SL_FEATURE_BUCKETIZE) {
      sl_bexpr *arr;
      rc = bind_expr(b, &ectx, args->items[1], &arr);
      if (!rc)
        rc = bucket_edges(b, e, arr, f);
      if (rc)
        return rc;
    }
    /* standardize_amount, one_hot_card: a transform's own name, so that
     * two transforms of one column differ. */
    const char *col = bind_expr_name(args->items[0]);
    if (item->alias.text)
      f->name = bind_name(b, item->alias.text);
    else if (col)
      f->name = bind_printf(b, "%s_%s", tname, col);
  }
  if (!f->name)
    f->name = bind_printf(b, "expr_%d", index + 1);
  return f->name ? SL_OK : bind_nomem(b);
}

typedef struct input_collect {
  sl_binder *b;
  const sl_rel *rel;
  int *seen;
  sl_status rc;
} input_collect;

static void note_input(int column, void *arg) {
  input_collect *ic = arg;
  sl_bound_stmt *st = ic->b->stmt;
  if (ic->seen[column])
    return;
  ic->seen[column] = 1;
  sl_bound_column *c = &st->inputs[st->ninputs++];
  c->name = ic->rel->columns[column].name;
  c->type = ic->rel->columns[column].type;
  c->not_null = ic->rel->columns[column].not_null;
}

static const struct {
  const char *name;
  bind_option_set options;
} model_types[] = {
    {"xgboost", BIND_OPTS_MODEL_XGBOOST},
    {"logistic_regression", BIND_OPTS_MODEL_LINEAR},
    {"linear_regression", BIND_OPTS_MODEL_LINEAR},
};

static sl_status bind_model_file(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_features *fs = &ast->u.create_model.features;
  if (strcmp(st->model_type, "xgboost") != 0)
    return bind_fail(b, ast->u.create_model.model_type.pos,
                     "FROM FILE imports XGBOOST models");
  st->model_file = bind_strdup(b, ast->u.create_model.file);
  st->features = bind_calloc(b, (size_t)fs->n + 1, sizeof(*st->features));
  st->inputs = bind_calloc(b, (size_t)fs->n + 1, sizeof(*st->inputs));
  if (!st->model_file || !st->features || !st->inputs)
    return bind_nomem(b);
  for (int i = 0; i < fs->n; i++) {
    const sl_ast_expr *e = fs->items[i]->expr;
    if (e->kind != SL_AST_COLUMN || e->u.column.parts.n != 1)
      return bind_fail(b, e->pos, "a model FROM FILE takes column names as "
                       "FEATURES, in the order it was trained with");
    const char *name = bind_name(b, e->u.column.parts.items[0].text);
    for (int j = 0; j < i; j++)
      if (strcmp(st->inputs[j].name, name) == 0)
        return bind_fail(b, e->pos, "feature \"%s\" is listed twice", name);
    sl_bound_column *c = &st->inputs[st->ninputs++];
    c->name = name;
    c->type = sl_type_double();
    c->pos = bind_srcpos(e->pos);
    sl_bound_feature *f = &st->features[st->nfeatures++];
    f->name = name;
    f->pos = c->pos;
    f->expr = bexpr_new(b, SL_BEXPR_COLUMN, sl_type_double(), e->pos, 0);
    if (!f->expr)
      return bind_nomem(b);
    f->expr->u.column = i;
  }
  return bind_options(b, BIND_OPTS_MODEL_FILE, &ast->u.create_model.options,
                      "CREATE MODEL ... FROM FILE");
}

static sl_status bind_create_model(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *name = &ast->u.create_model.name;
  const sl_ast_name *type = &ast->u.create_model.model_type;
  st->kind = SL_BSTMT_CREATE_MODEL;
  st->object_kind = SL_CATALOG_MODEL;
  st->name = bind_name(b, name->text);
  st->if_not_exists = ast->u.create_model.if_not_exists;

  int t = -1;
  for (size_t i = 0; i < sizeof(model_types) / sizeof(model_types[0]); i++)
    if (strcmp(type->text, model_types[i].name) == 0)
      t = (int)i;
  if (t < 0)
    return bind_fail(b, type->pos, "unknown model type \"%s\"; valid types: "
                     "XGBOOST, LOGISTIC_REGRESSION, LINEAR_REGRESSION",
                     type->text);
  st->model_type = model_types[t].name;

  sl_status rc;
  if (ast->u.create_model.file) {
    rc = bind_model_file(b, ast);
    if (rc)
      return rc;
    return check_new_object(b, name, SL_CATALOG_MODEL, st->if_not_exists);
  }

  /* The training rows: FROM ts [WHERE ...]. */
  static const sl_catalog_kind k_train[] = {SL_CATALOG_TRAINING_SET,
                                            SL_CATALOG_TABLE};
  sl_catalog_object *ts;
  rc = need_object(b, &ast->u.create_model.source, k_train, 2,
                   "training set", "CREATE MODEL trains on a training set",
                   &ts);
  if (!rc)
    rc = bind_add_dep(b, ts->name);
  if (rc)
    return rc;
  st->training_set = ts->name;
  sl_rel *scan;
  bind_scope scope;
  rc = bind_scan(b, ts, NULL, ast->u.create_model.source.pos, &scan, &scope);
  if (rc)
    return rc;
  st->query = scan;
  if (ast->u.create_model.where) {
    bind_ectx wctx = {0};
    wctx.scope = &scope;
    wctx.clause = "WHERE";
    sl_rel *f = bind_rel_new(b, SL_REL_FILTER, ast->u.create_model.where->pos,
                             0);
    if (!f)
      return bind_nomem(b);
    f->input = scan;
    f->ncolumns = scan->ncolumns;
    f->columns = scan->columns;
    f->nature = scan->nature;
    rc = bind_condition(b, &wctx, ast->u.create_model.where, "WHERE",
                        &f->u.filter.predicate);
    if (rc)
      return rc;
    st->query = f;
  }

  /* FEATURES and the input columns they read. */
  const sl_ast_features *fs = &ast->u.create_model.features;
  st->features = bind_calloc(b, (size_t)fs->n + 1, sizeof(*st->features));
  if (!st->features)
    return bind_nomem(b);
  for (int i = 0; i < fs->n; i++) {
    sl_bound_feature *f = &st->features[st->nfeatures];
    rc = bind_feature(b, fs->items[i], &scope, i, f);
    if (rc)
      return rc;
    for (int j = 0; j < st->nfeatures; j++)
      if (strcmp(st->features[j].name, f->name) == 0)
        return bind_fail(b, fs->items[i]->pos, "feature \"%s\" is listed "
                         "twice; name one with AS", f->name);
    st->nfeatures++;
  }
  st->inputs = bind_calloc(b, (size_t)scan->ncolumns + 1,
                           sizeof(*st->inputs));
  input_collect ic = {b, scan, bind_calloc(b, (size_t)scan->ncolumns + 1,
                                           sizeof(int)), SL_OK};
  if (!st->inputs || !ic.seen)
    return bind_nomem(b);
  for (int i = 0; i < st->nfeatures; i++)
    bexpr_columns(st->features[i].expr, note_input, &ic);

  /* LABEL: BOOLEAN for a classifier, numeric for a regression. */
  bind_ectx lctx = {0};
  lctx.scope = &scope;
  lctx.clause = "LABEL";
  rc = bind_expr(b, &lctx, ast->u.create_model.label, &st->label);
  if (rc)
    return rc;
  const sl_type *lt = st->label->type;
  sl_ast_pos lpos = ast->u.create_model.label->pos;
  if (lt->kind != SL_TYPE_BOOLEAN && !sl_type_is_numeric(lt))
    return bind_fail(b, lpos, "LABEL must be BOOLEAN (a classifier) or "
                     "numeric (a regression), got %s", bind_type_name(b, lt));
  if (strcmp(st->model_type, "logistic_regression") == 0 &&
      lt->kind != SL_TYPE_BOOLEAN)
    return bind_fail(b, lpos, "LOGISTIC_REGRESSION needs a BOOLEAN LABEL, "
                     "got %s", bind_type_name(b, lt));
  if (strcmp(st->model_type, "linear_regression") == 0 &&
      !sl_type_is_numeric(lt))
    return bind_fail(b, lpos, "LINEAR_REGRESSION needs a numeric LABEL, "
                     "got %s", bind_type_name(b, lt));

  rc = bind_options(b, model_types[t].options, &ast->u.create_model.options,
                    "CREATE MODEL");
  if (rc)
    return rc;
  return check_new_object(b, name, SL_CATALOG_MODEL, st->if_not_exists);
}

static sl_status bind_evaluate(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_model_refs *refs = &ast->u.evaluate.models;
  st->kind = SL_BSTMT_EVALUATE;
  st->nmodels = refs->n;
  st->models = bind_calloc(b, (size_t)refs->n + 1, sizeof(*st->models));
  st->model_versions = bind_calloc(b, (size_t)refs->n + 1, sizeof(int));
  if (!st->models || !st->model_versions)
    return bind_nomem(b);

  static const sl_catalog_kind k_model[] = {SL_CATALOG_MODEL};
  static const sl_catalog_kind k_train[] = {SL_CATALOG_TRAINING_SET,
                                            SL_CATALOG_TABLE};
  sl_catalog_object *ts;
  sl_status rc = need_object(b, &ast->u.evaluate.source, k_train, 2,
                             "training set",
                             "EVALUATE runs on a training set", &ts);
  if (rc)
    return rc;
  st->training_set = ts->name;

  for (int i = 0; i < refs->n; i++) {
    const sl_ast_model_ref *ref = refs->items[i];
    sl_catalog_object *m;
    rc = need_object(b, &ref->name, k_model, 1, "model",
                     "EVALUATE MODEL takes models", &m);
    if (!rc)
      rc = bind_add_dep(b, m->name);
    if (rc)
      return rc;
    st->models[i] = m->name;
    st->model_versions[i] = (int)ref->version;
    if (ref->version > 0) {
      rc = bind_check_model_version(b, m->name, ref->version,
                                    ref->version_pos);
      if (rc)
        return rc;
    }
    for (int c = 0; c < m->ncolumns; c++) {
      int tc = sl_catalog_object_column(ts, m->columns[c].name);
      if (tc < 0)
        return bind_fail(b, ast->u.evaluate.source.pos, "model %s needs "
                         "column \"%s\" (%s), which %s %s does not have",
                         m->name, m->columns[c].name,
                         bind_type_name(b, m->columns[c].type),
                         bind_kind_word(ts->kind), ts->name);
    }
  }
  rc = bind_add_dep(b, ts->name);
  if (rc)
    return rc;

  sl_rel *scan;
  bind_scope scope;
  rc = bind_scan(b, ts, NULL, ast->u.evaluate.source.pos, &scan, &scope);
  if (rc)
    return rc;
  st->query = scan;
  if (ast->u.evaluate.where) {
    bind_ectx wctx = {0};
    wctx.scope = &scope;
    wctx.clause = "WHERE";
    sl_rel *f = bind_rel_new(b, SL_REL_FILTER, ast->u.evaluate.where->pos, 0);
    if (!f)
      return bind_nomem(b);
    f->input = scan;
    f->ncolumns = scan->ncolumns;
    f->columns = scan->columns;
    f->nature = scan->nature;
    rc = bind_condition(b, &wctx, ast->u.evaluate.where, "WHERE",
                        &f->u.filter.predicate);
    if (rc)
      return rc;
    st->query = f;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* CREATE FUNCTION, DROP, SHOW, DESCRIBE, ...                          */
/* ------------------------------------------------------------------ */

static sl_status bind_create_function(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *name = &ast->u.create_function.name;
  const sl_ast_types *args = &ast->u.create_function.args;
  st->kind = SL_BSTMT_CREATE_FUNCTION;
  st->object_kind = SL_CATALOG_FUNCTION;
  st->name = bind_name(b, name->text);
  st->if_not_exists = ast->u.create_function.if_not_exists;
  st->aggregate_function = ast->u.create_function.aggregate;
  const char *lang = ast->u.create_function.language.text;
  if (!lang || strcmp(lang, "c") != 0)
    return bind_fail(b, ast->u.create_function.language.pos,
                     "unknown language \"%s\"; functions are written in C "
                     "(LANGUAGE C)", lang ? lang : "");
  st->language = "c";
  st->library = bind_strdup(b, ast->u.create_function.library);
  st->symbol = ast->u.create_function.symbol
                   ? bind_strdup(b, ast->u.create_function.symbol)
                   : NULL;
  st->nparams = args->n;
  st->param_types = bind_calloc(b, (size_t)args->n + 1, sizeof(sl_type *));
  if (!st->library || !st->param_types)
    return bind_nomem(b);
  if (!st->library[0])
    return bind_fail(b, ast->u.create_function.library_pos,
                     "CREATE FUNCTION needs the path of a shared library");
  for (int i = 0; i < args->n; i++) {
    st->param_types[i] = bind_clone_type(b, args->items[i]);
    if (!st->param_types[i])
      return bind_nomem(b);
  }
  st->return_type = bind_clone_type(b, ast->u.create_function.returns);
  if (!st->return_type)
    return bind_nomem(b);

  /* A name already taken: an equal user function is a no-op. */
  const sl_func *existing = sl_func_lookup(b->ctx->functions, name->text);
  if (!existing)
    return SL_OK;
  if (st->if_not_exists) {
    st->exists = true;
    return SL_OK;
  }
  if (existing->flags & SL_FUNC_USER) {
    sl_catalog_function *old = NULL, *mine = NULL;
    sl_error cerr;
    sl_error_clear(&cerr);
    sl_status rc = sl_catalog_function_get(b->ctx->catalog, name->text, &old,
                                           &cerr);
    if (!rc && old)
      rc = sl_bound_catalog_function(st, &mine, &cerr);
    bool same = false;
    if (!rc && old && mine) {
      char s1[512], s2[512];
      sl_catalog_function_signature(old, s1, sizeof(s1));
      sl_catalog_function_signature(mine, s2, sizeof(s2));
      same = strcmp(s1, s2) == 0 && strcmp(old->library, mine->library) == 0
             && strcmp(old->symbol, mine->symbol) == 0;
    }
    sl_catalog_function_free(old);
    sl_catalog_function_free(mine);
    if (rc) {
      *b->err = cerr;
      return rc;
    }
    if (same) {
      st->exists = true;
      return SL_OK;
    }
    return bind_fail(b, name->pos, "function %s already exists with a "
                     "different definition; DROP FUNCTION %s first",
                     name->text, name->text);
  }
  return bind_fail(b, name->pos, "function \"%s\" already exists: it is a "
                   "built-in function", name->text);
}

static sl_status bind_drop(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *name = &ast->u.drop.name;
  sl_catalog_kind kind = map_object_kind(ast->u.drop.object);
  st->kind = SL_BSTMT_DROP;
  st->object_kind = kind;
  st->name = bind_name(b, name->text);
  st->if_exists = ast->u.drop.if_exists;
  st->delete_topic = ast->u.drop.delete_topic;
  if (st->delete_topic && kind != SL_CATALOG_STREAM)
    return bind_fail(b, ast->pos, "DELETE TOPIC applies to DROP STREAM");

  if (kind == SL_CATALOG_FUNCTION) {
    const sl_func *f = sl_func_lookup(b->ctx->functions, name->text);
    if (f && !(f->flags & SL_FUNC_USER))
      return bind_fail(b, name->pos, "%s is a built-in function and cannot "
                       "be dropped", f->name);
    if (!f && !st->if_exists)
      return bind_fail(b, name->pos, "unknown function \"%s\"", name->text);
    return SL_OK;
  }

  sl_catalog_object *obj;
  sl_status rc = bind_get_object(b, name->text, &obj);
  if (rc)
    return rc;
  if (!obj) {
    if (st->if_exists)
      return SL_OK;
    int n;
    const char **names = object_names(b, &kind, 1, &n);
    return bind_fail(b, name->pos, "unknown %s \"%s\"%s",
                     bind_kind_word(kind), name->text,
                     bind_suggest(b, name->text, names, n));
  }
  if (obj->builtin)
    return bind_fail(b, name->pos, "%s is built in and cannot be dropped",
                     name->text);
  if (obj->kind != kind)
    return bind_fail(b, name->pos, "%s is a %s, not a %s; use DROP %s %s",
                     name->text, bind_kind_word(obj->kind),
                     bind_kind_word(kind), kind_sql(obj->kind), name->text);
  return SL_OK;
}

static sl_status bind_describe(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  const sl_ast_name *name = &ast->u.describe.name;
  st->kind = SL_BSTMT_DESCRIBE;
  st->name = bind_name(b, name->text);
  if (ast->u.describe.function) {
    st->object_kind = SL_CATALOG_FUNCTION;
    if (sl_func_lookup(b->ctx->functions, name->text))
      return SL_OK;
    const sl_func **all = NULL;
    int n = 0;
    sl_error cerr;
    const char *hint = "";
    if (sl_func_registry_list(b->ctx->functions, &all, &n, &cerr) == SL_OK) {
      const char **names = bind_calloc(b, (size_t)n + 1, sizeof(*names));
      for (int i = 0; names && i < n; i++) {
        char *lower = bind_strdup(b, all[i]->name);
        for (char *p = lower; p && *p; p++)
          if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        names[i] = lower;
      }
      if (names)
        hint = bind_suggest(b, name->text, names, n);
      free(all);
    }
    return bind_fail(b, name->pos, "unknown function \"%s\"%s", name->text,
                     hint);
  }
  static const sl_catalog_kind all_kinds[] = {
      SL_CATALOG_STREAM, SL_CATALOG_TABLE, SL_CATALOG_TRAINING_SET,
      SL_CATALOG_MODEL};
  sl_catalog_object *obj;
  sl_status rc = need_object(b, name, all_kinds, 4,
                             "stream, table, training set or model",
                             "DESCRIBE takes an object", &obj);
  if (rc)
    return rc;
  st->object_kind = obj->kind;
  return SL_OK;
}

static const char *show_what(sl_ast_show_kind k) {
  switch (k) {
  case SL_AST_SHOW_STREAMS: return "streams";
  case SL_AST_SHOW_TABLES: return "tables";
  case SL_AST_SHOW_MODELS: return "models";
  case SL_AST_SHOW_FUNCTIONS: return "functions";
  case SL_AST_SHOW_QUERIES: return "queries";
  case SL_AST_SHOW_TOPICS: return "topics";
  case SL_AST_SHOW_TRAINING_SETS: return "training sets";
  case SL_AST_SHOW_PROPERTIES: return "properties";
  }
  return "streams";
}

static sl_status bind_statement(sl_binder *b, const sl_ast_stmt *ast);

static sl_status bind_explain(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  st->kind = SL_BSTMT_EXPLAIN;
  if (!ast->u.explain.stmt) {
    st->name = bind_name(b, ast->u.explain.query_id.text);
    return SL_OK;
  }
  return sl_bind_stmt(b->ctx, ast->u.explain.stmt, &st->explained, b->err);
}

static sl_status bind_query_stmt(sl_binder *b, const sl_ast_stmt *ast) {
  b->stmt->kind = SL_BSTMT_QUERY;
  return bind_query(b, ast->u.query.query, NULL, true, &b->stmt->query);
}

static sl_status bind_statement(sl_binder *b, const sl_ast_stmt *ast) {
  sl_bound_stmt *st = b->stmt;
  switch (ast->kind) {
  case SL_AST_CREATE_STREAM:
    return bind_create_source(b, ast, false);
  case SL_AST_CREATE_TABLE:
    return bind_create_source(b, ast, true);
  case SL_AST_CREATE_STREAM_AS:
  case SL_AST_CREATE_TABLE_AS:
  case SL_AST_CREATE_TRAINING_SET:
    return bind_create_as(b, ast);
  case SL_AST_INSERT_QUERY:
    return bind_insert_query(b, ast);
  case SL_AST_INSERT_VALUES:
    return bind_insert_values(b, ast);
  case SL_AST_LOAD:
    return bind_load(b, ast);
  case SL_AST_COPY:
    return bind_copy(b, ast);
  case SL_AST_CREATE_MODEL:
    return bind_create_model(b, ast);
  case SL_AST_EVALUATE_MODEL:
    return bind_evaluate(b, ast);
  case SL_AST_CREATE_FUNCTION:
    return bind_create_function(b, ast);
  case SL_AST_DROP:
    return bind_drop(b, ast);
  case SL_AST_SHOW:
    st->kind = SL_BSTMT_SHOW;
    st->what = show_what(ast->u.show.what);
    return SL_OK;
  case SL_AST_DESCRIBE:
    return bind_describe(b, ast);
  case SL_AST_EXPLAIN:
    return bind_explain(b, ast);
  case SL_AST_TERMINATE:
    st->kind = SL_BSTMT_TERMINATE;
    st->all = ast->u.terminate.all;
    st->name = bind_name(b, ast->u.terminate.query_id.text);
    return SL_OK;
  case SL_AST_SET:
  case SL_AST_UNSET:
    st->kind = ast->kind == SL_AST_SET ? SL_BSTMT_SET : SL_BSTMT_UNSET;
    st->what = bind_strdup(b, ast->u.set.property);
    st->value = ast->u.set.value ? bind_strdup(b, ast->u.set.value) : NULL;
    if (!st->what || (ast->u.set.value && !st->value))
      return bind_nomem(b);
    return bind_property(b, st->what, ast->u.set.property_pos, st->value,
                         ast->u.set.value_pos);
  case SL_AST_PRINT:
    st->kind = SL_BSTMT_PRINT;
    st->path = bind_strdup(b, ast->u.print.topic);
    st->from_beginning = ast->u.print.from_beginning;
    st->limit = ast->u.print.has_limit ? ast->u.print.limit : -1;
    if (!st->path)
      return bind_nomem(b);
    if (ast->u.print.has_limit && ast->u.print.limit <= 0)
      return bind_fail(b, ast->pos, "LIMIT must be positive");
    return SL_OK;
  case SL_AST_QUERY:
    return bind_query_stmt(b, ast);
  }
  return bind_fail(b, ast->pos, "unsupported statement");
}

/* ------------------------------------------------------------------ */
/* Entry point                                                         */
/* ------------------------------------------------------------------ */

sl_status sl_bind_stmt(sl_bind_ctx *ctx, const sl_ast_stmt *stmt,
                       sl_bound_stmt **out, sl_error *err) {
  *out = NULL;
  sl_bound_stmt *st = calloc(1, sizeof(*st));
  if (!st)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_arena_init(&st->arena, 0);
  st->pos = bind_srcpos(stmt->pos);
  st->key_column = -1;
  st->timestamp_column = -1;
  st->watermark_column = -1;
  st->limit = -1;

  sl_binder b = {ctx, st, &st->arena, err, 0};
  sl_status rc = SL_OK;
  size_t start = stmt->span.start.offset, end = stmt->span.end.offset;
  if (stmt->expanded_sql) {
    /* The catalog and the command log parse this text again later, with
     * no variables defined. */
    st->sql = sl_arena_strdup(&st->arena, stmt->expanded_sql);
    if (!st->sql)
      rc = bind_nomem(&b);
  } else if (ctx->text && end >= start && end <= ctx->text_len) {
    st->sql = sl_arena_strndup(&st->arena, ctx->text + start, end - start);
    if (!st->sql)
      rc = bind_nomem(&b);
  } else {
    st->sql = "";
  }

  if (!rc)
    rc = bind_statement(&b, stmt);
  if (rc) {
    if (err && err->code == SL_OK)
      sl_error_set(err, rc, "binding failed");
    sl_bound_stmt_free(st);
    return rc;
  }
  *out = st;
  return SL_OK;
}
