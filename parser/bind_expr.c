/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind_expr.c - binding expressions: names, types, implicit casts, calls.
 *
 * An AST expression becomes a typed sl_bexpr over the columns of a scope.
 * Column references resolve against the scope's FROM items (qualified
 * "src.col" or not; further parts are STRUCT fields); literals get their
 * types (an integer that fits 32 bits is INT, 64 bits BIGINT, beyond that
 * DECIMAL; 1.5 is DECIMAL(2,1); 1.5e0 is DOUBLE); operators check their
 * operand types and cast them to a common type with the safe implicit
 * casts; calls resolve against the function registry.
 *
 * Aggregate and OVER calls are not evaluated here: where the context
 * allows them (a SELECT list, HAVING) they are collected into the
 * context's lists and stand in the tree as AGG_REF / OVER_REF nodes,
 * which bind_query.c replaces by columns of the AGGREGATE and OVER
 * relations it builds.  Elsewhere they are errors naming the clause.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/time.h"
#include "parser/bind_internal.h"

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

const char *bind_type_name(sl_binder *b, const sl_type *t) {
  char buf[SL_TYPE_SQL_MAX];
  if (!t)
    return "?";
  sl_type_to_sql(t, buf, sizeof(buf));
  const char *s = bind_strdup(b, buf);
  return s ? s : "?";
}

sl_type *bind_common_type(sl_binder *b, const sl_type *a, const sl_type *c) {
  sl_type *t = sl_type_common(a, c);
  if (!t)
    return NULL;
  return bind_keep_type(b, t);
}

static bool is_kind(const sl_type *t, sl_type_kind k) {
  return t && t->kind == k;
}

static bool is_null_type(const sl_type *t) {
  return is_kind(t, SL_TYPE_NULL);
}

static bool is_composite(const sl_type *t) {
  return t->kind == SL_TYPE_ARRAY || t->kind == SL_TYPE_MAP ||
         t->kind == SL_TYPE_STRUCT;
}

/* The casts sl_value_cast performs (value.c), checked before a query
 * runs. */
bool bind_can_cast(const sl_type *from, const sl_type *to) {
  if (from->kind == SL_TYPE_NULL || sl_type_equal(from, to) ||
      sl_type_implicit_cast(from, to))
    return true;

  sl_type_kind f = from->kind;
  switch (to->kind) {
  case SL_TYPE_NULL:
    return false;
  case SL_TYPE_BOOLEAN:
    return f == SL_TYPE_BOOLEAN || f == SL_TYPE_INT ||
           f == SL_TYPE_BIGINT || f == SL_TYPE_VARCHAR;
  case SL_TYPE_INT:
  case SL_TYPE_DOUBLE:
  case SL_TYPE_DECIMAL:
    return sl_type_is_numeric(from) || f == SL_TYPE_VARCHAR ||
           (to->kind == SL_TYPE_INT && f == SL_TYPE_BOOLEAN);
  case SL_TYPE_BIGINT:
    return sl_type_is_numeric(from) || f == SL_TYPE_VARCHAR ||
           f == SL_TYPE_BOOLEAN || f == SL_TYPE_TIMESTAMP ||
           f == SL_TYPE_INTERVAL;
  case SL_TYPE_VARCHAR:
    return true;
  case SL_TYPE_BYTES:
    return f == SL_TYPE_BYTES || f == SL_TYPE_VARCHAR;
  case SL_TYPE_DATE:
    return f == SL_TYPE_TIMESTAMP || f == SL_TYPE_VARCHAR;
  case SL_TYPE_TIMESTAMP:
    return f == SL_TYPE_DATE || f == SL_TYPE_INT || f == SL_TYPE_BIGINT ||
           f == SL_TYPE_VARCHAR;
  case SL_TYPE_INTERVAL:
    return f == SL_TYPE_INT || f == SL_TYPE_BIGINT || f == SL_TYPE_VARCHAR;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
    return f == to->kind && bind_can_cast(from->elem, to->elem);
  case SL_TYPE_STRUCT:
    if (f != SL_TYPE_STRUCT || from->nfields != to->nfields)
      return false;
    for (int i = 0; i < to->nfields; i++)
      if (!bind_can_cast(from->fields[i].type, to->fields[i].type))
        return false;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------------ */
/* Nodes                                                               */
/* ------------------------------------------------------------------ */

sl_bexpr *bexpr_new(sl_binder *b, sl_bexpr_kind kind, sl_type *type,
                    sl_ast_pos pos, int nargs) {
  sl_bexpr *e = bind_calloc(b, 1, sizeof(*e));
  if (!e)
    return NULL;
  e->kind = kind;
  e->type = type;
  e->pos = bind_srcpos(pos);
  e->nargs = nargs;
  if (nargs > 0) {
    e->args = bind_calloc(b, (size_t)nargs, sizeof(*e->args));
    if (!e->args)
      return NULL;
  }
  return e;
}

sl_bexpr *bind_cast(sl_binder *b, sl_bexpr *e, sl_type *type) {
  if (!e || sl_type_equal(e->type, type))
    return e;
  sl_ast_pos pos = {e->pos.line, e->pos.column, 0};
  sl_bexpr *c = bexpr_new(b, SL_BEXPR_CAST, type, pos, 1);
  if (!c)
    return NULL;
  c->implicit = true;
  c->args[0] = e;
  return c;
}

static sl_bexpr *literal_new(sl_binder *b, sl_type *type, sl_ast_pos pos,
                             sl_value v) {
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_LITERAL, type, pos, 0);
  if (e)
    e->u.literal = v;
  return e;
}

static bool literal_equal(const sl_value *a, const sl_value *c) {
  if (a->kind != c->kind)
    return false;
  switch (a->kind) {
  case SL_TYPE_NULL:
    return true;
  case SL_TYPE_BOOLEAN:
    return a->u.b == c->u.b;
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    return a->u.i32 == c->u.i32;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    return a->u.i64 == c->u.i64;
  case SL_TYPE_DOUBLE:
    return memcmp(&a->u.f64, &c->u.f64, sizeof(double)) == 0;
  case SL_TYPE_DECIMAL:
    return a->scale == c->scale && a->u.dec.lo == c->u.dec.lo &&
           a->u.dec.hi == c->u.dec.hi;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    return a->len == c->len && memcmp(a->u.str, c->u.str, a->len) == 0;
  default:
    return false;
  }
}

bool bexpr_equal(const sl_bexpr *a, const sl_bexpr *c) {
  if (a == c)
    return true;
  if (!a || !c || a->kind != c->kind || a->op != c->op ||
      a->negated != c->negated || a->nargs != c->nargs ||
      !sl_type_equal(a->type, c->type))
    return false;
  switch (a->kind) {
  case SL_BEXPR_LITERAL:
    if (!literal_equal(&a->u.literal, &c->u.literal))
      return false;
    break;
  case SL_BEXPR_COLUMN:
    if (a->u.column != c->u.column)
      return false;
    break;
  case SL_BEXPR_FIELD:
    if (a->u.field.index != c->u.field.index)
      return false;
    break;
  case SL_BEXPR_EXTRACT:
    if (a->u.part != c->u.part)
      return false;
    break;
  case SL_BEXPR_FUNC:
    if (a->u.call.func != c->u.call.func || a->u.call.sig != c->u.call.sig)
      return false;
    break;
  case SL_BEXPR_CASE:
    if (a->u.case_.has_operand != c->u.case_.has_operand ||
        a->u.case_.nwhen != c->u.case_.nwhen ||
        a->u.case_.has_else != c->u.case_.has_else)
      return false;
    break;
  case SL_BEXPR_PREDICT:
    if (strcmp(a->u.predict.model, c->u.predict.model) != 0 ||
        a->u.predict.version != c->u.predict.version)
      return false;
    break;
  case SL_BEXPR_AGG_REF:
  case SL_BEXPR_OVER_REF:
  case SL_BEXPR_WINDOW_REF:
    if (a->u.ref != c->u.ref)
      return false;
    break;
  default:
    break;
  }
  for (int i = 0; i < a->nargs; i++)
    if (!bexpr_equal(a->args[i], c->args[i]))
      return false;
  return true;
}

sl_bexpr *bexpr_shift(sl_binder *b, const sl_bexpr *e, int shift) {
  sl_bexpr *copy = bind_alloc(b, sizeof(*copy));
  if (!copy)
    return NULL;
  *copy = *e;
  if (e->kind == SL_BEXPR_COLUMN)
    copy->u.column = e->u.column - shift;
  if (e->nargs > 0) {
    copy->args = bind_calloc(b, (size_t)e->nargs, sizeof(*copy->args));
    if (!copy->args)
      return NULL;
    for (int i = 0; i < e->nargs; i++) {
      copy->args[i] = bexpr_shift(b, e->args[i], shift);
      if (!copy->args[i])
        return NULL;
    }
  }
  return copy;
}

void bexpr_columns(const sl_bexpr *e, void (*visit)(int column, void *arg),
                   void *arg) {
  if (!e)
    return;
  if (e->kind == SL_BEXPR_COLUMN)
    visit(e->u.column, arg);
  for (int i = 0; i < e->nargs; i++)
    bexpr_columns(e->args[i], visit, arg);
}

bool bexpr_is_constant(const sl_bexpr *e) {
  if (e->kind == SL_BEXPR_COLUMN || e->kind == SL_BEXPR_AGG_REF ||
      e->kind == SL_BEXPR_OVER_REF || e->kind == SL_BEXPR_WINDOW_REF ||
      e->kind == SL_BEXPR_PREDICT)
    return false;
  if (e->kind == SL_BEXPR_FUNC &&
      (e->u.call.func->flags & SL_FUNC_NONDETERMINISTIC))
    return false;
  for (int i = 0; i < e->nargs; i++)
    if (!bexpr_is_constant(e->args[i]))
      return false;
  return true;
}

const sl_bexpr *bexpr_first_column(const sl_bexpr *e) {
  if (!e)
    return NULL;
  if (e->kind == SL_BEXPR_COLUMN)
    return e;
  for (int i = 0; i < e->nargs; i++) {
    const sl_bexpr *c = bexpr_first_column(e->args[i]);
    if (c)
      return c;
  }
  return NULL;
}

const char *bind_expr_name(const sl_ast_expr *ast) {
  if (ast->kind == SL_AST_COLUMN)
    return ast->u.column.parts.items[ast->u.column.parts.n - 1].text;
  if (ast->kind == SL_AST_FIELD)
    return ast->u.field.name.text;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Literals                                                            */
/* ------------------------------------------------------------------ */

static sl_status bind_decimal_text(sl_binder *b, const char *text,
                                   bool negative, sl_ast_pos pos,
                                   sl_bexpr **out) {
  sl_int128 v;
  int scale;
  sl_error derr;
  if (sl_decimal_parse_natural(text, strlen(text), &v, &scale, &derr))
    return bind_fail(b, pos, "number %s%s has more than %d digits",
                     negative ? "-" : "", text, SL_DECIMAL_MAX_PRECISION);
  int digits = sl_decimal_digits(v);
  int precision = digits > scale ? digits : scale;
  if (precision < 1)
    precision = 1;
  sl_type *t = bind_keep_type(b, sl_type_new_decimal(precision, scale));
  if (!t)
    return b->err->code ? b->err->code : bind_nomem(b);
  *out = literal_new(b, t, pos, sl_value_decimal(negative ? -v : v, scale));
  return *out ? SL_OK : bind_nomem(b);
}

/* An INTEGER literal, negated when negative (so that INT64_MIN is
 * reachable). */
static sl_status bind_integer(sl_binder *b, const sl_ast_literal *lit,
                              bool negative, sl_ast_pos pos,
                              sl_bexpr **out) {
  int64_t v = lit->integer;
  if (!lit->fits_int64) {
    if (negative && strcmp(lit->text, "9223372036854775808") == 0) {
      *out = literal_new(b, sl_type_bigint(), pos,
                         sl_value_bigint(INT64_MIN));
      return *out ? SL_OK : bind_nomem(b);
    }
    return bind_decimal_text(b, lit->text, negative, pos, out);
  }
  if (negative)
    v = -v;
  if (v >= INT32_MIN && v <= INT32_MAX)
    *out = literal_new(b, sl_type_int(), pos, sl_value_int((int32_t)v));
  else
    *out = literal_new(b, sl_type_bigint(), pos, sl_value_bigint(v));
  return *out ? SL_OK : bind_nomem(b);
}

static sl_status bind_literal(sl_binder *b, const sl_ast_literal *lit,
                              bool negative, sl_ast_pos pos,
                              sl_bexpr **out) {
  int64_t ms;
  int32_t days;
  sl_error terr;
  const char *text = lit->text ? lit->text : "";

  switch (lit->kind) {
  case SL_AST_LIT_NULL:
    *out = literal_new(b, sl_type_null(), pos, sl_value_null());
    break;
  case SL_AST_LIT_BOOLEAN:
    *out = literal_new(b, sl_type_boolean(), pos, sl_value_bool(lit->boolean));
    break;
  case SL_AST_LIT_INTEGER:
    return bind_integer(b, lit, negative, pos, out);
  case SL_AST_LIT_DECIMAL:
    return bind_decimal_text(b, text, negative, pos, out);
  case SL_AST_LIT_DOUBLE:
    *out = literal_new(b, sl_type_double(), pos,
                       sl_value_double(negative ? -lit->dbl : lit->dbl));
    break;
  case SL_AST_LIT_STRING: {
    char *s = bind_strdup(b, text);
    if (!s)
      return bind_nomem(b);
    *out = literal_new(b, sl_type_varchar(), pos,
                       sl_value_varchar(s, strlen(s)));
    break;
  }
  case SL_AST_LIT_TIMESTAMP:
    if (sl_time_parse_iso8601(text, strlen(text), &ms, &terr))
      return bind_fail(b, pos,
                       "invalid TIMESTAMP '%s'; expected 'YYYY-MM-DD "
                       "HH:MM:SS[.mmm][Z|+hh:mm]'", text);
    *out = literal_new(b, sl_type_timestamp(), pos, sl_value_timestamp(ms));
    break;
  case SL_AST_LIT_DATE:
    if (sl_time_parse_date(text, strlen(text), &days, &terr))
      return bind_fail(b, pos, "invalid DATE '%s'; expected 'YYYY-MM-DD'",
                       text);
    *out = literal_new(b, sl_type_date(), pos, sl_value_date(days));
    break;
  case SL_AST_LIT_INTERVAL:
    *out = literal_new(b, sl_type_interval(), pos,
                       sl_value_interval(negative ? -lit->interval_ms
                                                  : lit->interval_ms));
    break;
  default:
    return bind_fail(b, pos, "unsupported literal");
  }
  return *out ? SL_OK : bind_nomem(b);
}

/* True for a literal that a leading '-' folds into. */
static bool negatable_literal(const sl_ast_expr *e) {
  if (e->kind != SL_AST_LITERAL)
    return false;
  switch (e->u.literal.kind) {
  case SL_AST_LIT_INTEGER:
  case SL_AST_LIT_DECIMAL:
  case SL_AST_LIT_DOUBLE:
  case SL_AST_LIT_INTERVAL:
    return true;
  default:
    return false;
  }
}

sl_status bind_interval_const(sl_binder *b, const sl_ast_expr *ast,
                              const char *what, bool allow_negative,
                              int64_t *ms) {
  bool negative = false;
  const sl_ast_expr *e = ast;
  if (e->kind == SL_AST_UNARY && e->u.unary.op == SL_AST_NEG) {
    negative = true;
    e = e->u.unary.operand;
  }
  if (e->kind != SL_AST_LITERAL || e->u.literal.kind != SL_AST_LIT_INTERVAL)
    return bind_fail(b, ast->pos,
                     "%s expects an interval such as INTERVAL '5' MINUTE "
                     "or 5 MINUTES", what);
  *ms = negative ? -e->u.literal.interval_ms : e->u.literal.interval_ms;
  if (*ms < 0 && !allow_negative)
    return bind_fail(b, ast->pos, "%s must not be negative", what);
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Column references                                                   */
/* ------------------------------------------------------------------ */

static const bind_source *find_source(const bind_scope *scope,
                                      const char *qualifier) {
  for (int i = 0; i < scope->nsources; i++) {
    const char *q = scope->sources[i].qualifier;
    if (q && strcmp(q, qualifier) == 0)
      return &scope->sources[i];
  }
  return NULL;
}

static int find_in_source(const bind_scope *scope, const bind_source *src,
                          const char *name) {
  for (int j = src->first; j < src->first + src->count; j++)
    if (strcmp(scope->rel->columns[j].name, name) == 0)
      return j;
  return -1;
}

/* "stream s", "table t or stream u", "a subquery" */
static const char *describe_sources(sl_binder *b, const bind_scope *scope,
                                    const bind_source *only) {
  sl_strbuf sb = SL_STRBUF_INIT;
  int n = only ? 1 : scope->nsources;
  for (int i = 0; i < n; i++) {
    const bind_source *s = only ? only : &scope->sources[i];
    if (i > 0)
      sl_strbuf_appends(&sb, i == n - 1 ? " or " : ", ");
    if (s->qualifier)
      sl_strbuf_appendf(&sb, "%s %s", s->kind_word, s->qualifier);
    else
      sl_strbuf_appends(&sb, "a subquery");
  }
  const char *r = bind_strdup(b, sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return r ? r : "";
}

static const char *column_suggestion(sl_binder *b, const bind_scope *scope,
                                     const bind_source *only,
                                     const char *name) {
  int n = only ? only->count : (scope->rel ? scope->rel->ncolumns : 0);
  if (n == 0)
    return "";
  const char **names = bind_calloc(b, (size_t)n, sizeof(*names));
  if (!names)
    return "";
  int first = only ? only->first : 0;
  for (int i = 0; i < n; i++)
    names[i] = scope->rel->columns[first + i].name;
  return bind_suggest(b, name, names, n);
}

static sl_status unknown_column(sl_binder *b, const bind_ectx *ectx,
                                const bind_source *only,
                                const sl_ast_name *name) {
  const bind_scope *scope = ectx->scope;
  if (!scope || scope->nsources == 0)
    return bind_fail(b, name->pos, "unknown column \"%s\"%s%s", name->text,
                     scope && scope->no_columns ? ": " : "",
                     scope && scope->no_columns ? scope->no_columns : "");

  bool window_word = strcmp(name->text, "window_start") == 0 ||
                     strcmp(name->text, "window_end") == 0;
  if (window_word && !only)
    return bind_fail(b, name->pos,
                     "unknown column \"%s\" in %s; WINDOW_START and "
                     "WINDOW_END are columns of a windowed aggregation "
                     "(in its SELECT list and HAVING)",
                     name->text, describe_sources(b, scope, NULL));
  return bind_fail(b, name->pos, "unknown column \"%s\" in %s%s",
                   name->text, describe_sources(b, scope, only),
                   column_suggestion(b, scope, only, name->text));
}

static sl_status ambiguous_column(sl_binder *b, const bind_scope *scope,
                                  const sl_ast_name *name) {
  sl_strbuf sb = SL_STRBUF_INIT;
  int found = 0, total = 0;
  for (int i = 0; i < scope->nsources; i++)
    if (find_in_source(scope, &scope->sources[i], name->text) >= 0)
      total++;
  for (int i = 0; i < scope->nsources; i++) {
    const bind_source *s = &scope->sources[i];
    if (find_in_source(scope, s, name->text) < 0)
      continue;
    if (found > 0)
      sl_strbuf_appends(&sb, found == total - 1 ? " or " : ", ");
    sl_strbuf_appendf(&sb, "%s.%s", s->qualifier ? s->qualifier : "?",
                      name->text);
    found++;
  }
  sl_status rc = bind_fail(b, name->pos, "column \"%s\" is ambiguous: %s",
                           name->text, sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return rc;
}

/* Applies STRUCT field access for parts[from..] to *e. */
static sl_status bind_fields(sl_binder *b, const sl_ast_names *parts,
                             int from, sl_bexpr **e) {
  for (int i = from; i < parts->n; i++) {
    const sl_ast_name *f = &parts->items[i];
    const sl_type *t = (*e)->type;
    if (t->kind != SL_TYPE_STRUCT)
      return bind_fail(b, f->pos,
                       "cannot take field \"%s\" of %s: only a STRUCT has "
                       "fields", f->text, bind_type_name(b, t));
    int idx = -1;
    for (int k = 0; k < t->nfields; k++)
      if (strcmp(t->fields[k].name, f->text) == 0)
        idx = k;
    if (idx < 0) {
      const char **names = bind_calloc(b, (size_t)t->nfields + 1,
                                       sizeof(*names));
      if (!names)
        return bind_nomem(b);
      for (int k = 0; k < t->nfields; k++)
        names[k] = t->fields[k].name;
      return bind_fail(b, f->pos, "%s has no field \"%s\"%s",
                       bind_type_name(b, t), f->text,
                       bind_suggest(b, f->text, names, t->nfields));
    }
    sl_bexpr *fe = bexpr_new(b, SL_BEXPR_FIELD, t->fields[idx].type, f->pos,
                             1);
    if (!fe)
      return bind_nomem(b);
    fe->args[0] = *e;
    fe->u.field.index = idx;
    fe->u.field.name = t->fields[idx].name;
    *e = fe;
  }
  return SL_OK;
}

static sl_status bind_column(sl_binder *b, const bind_ectx *ectx,
                             const sl_ast_expr *ast, sl_bexpr **out) {
  const sl_ast_names *parts = &ast->u.column.parts;
  const bind_scope *scope = ectx->scope;
  const sl_ast_name *first = &parts->items[0];
  int col = -1, next = 1;

  /* A qualifier first: src.col[.field...]. */
  if (scope && scope->rel && parts->n >= 2) {
    const bind_source *src = find_source(scope, first->text);
    if (src) {
      col = find_in_source(scope, src, parts->items[1].text);
      if (col < 0)
        return unknown_column(b, ectx, src, &parts->items[1]);
      next = 2;
    }
  }

  /* Then an unqualified column of any source. */
  if (col < 0) {
    int matches = 0;
    if (scope && scope->rel) {
      for (int i = 0; i < scope->nsources; i++) {
        int c = find_in_source(scope, &scope->sources[i], first->text);
        if (c >= 0) {
          col = c;
          matches++;
        }
      }
    }
    if (matches > 1)
      return ambiguous_column(b, scope, first);
    if (matches == 0) {
      bool ws = strcmp(first->text, "window_start") == 0;
      bool we = strcmp(first->text, "window_end") == 0;
      if (ectx->windowed && (ws || we) && parts->n == 1) {
        *out = bexpr_new(b, SL_BEXPR_WINDOW_REF, sl_type_timestamp(),
                         first->pos, 0);
        if (!*out)
          return bind_nomem(b);
        (*out)->u.ref = ws ? 0 : 1;
        return SL_OK;
      }
      if (parts->n >= 2 && scope && scope->nsources > 0) {
        const char **names = bind_calloc(b, (size_t)scope->nsources,
                                         sizeof(*names));
        if (!names)
          return bind_nomem(b);
        int nn = 0;
        for (int i = 0; i < scope->nsources; i++)
          if (scope->sources[i].qualifier)
            names[nn++] = scope->sources[i].qualifier;
        return bind_fail(b, first->pos,
                         "\"%s\" is neither a column nor a source in %s%s",
                         first->text, describe_sources(b, scope, NULL),
                         bind_suggest(b, first->text, names, nn));
      }
      return unknown_column(b, ectx, NULL, first);
    }
  }

  sl_bexpr *e = bexpr_new(b, SL_BEXPR_COLUMN, scope->rel->columns[col].type,
                          first->pos, 0);
  if (!e)
    return bind_nomem(b);
  e->u.column = col;
  sl_status rc = bind_fields(b, parts, next, &e);
  if (rc)
    return rc;
  *out = e;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Operators                                                           */
/* ------------------------------------------------------------------ */

static const char *binary_op_text(sl_ast_binary_op op) {
  return sl_ast_binary_op_name(op);
}

static sl_bexpr_op map_binary(sl_ast_binary_op op) {
  switch (op) {
  case SL_AST_OR: return SL_OP_OR;
  case SL_AST_AND: return SL_OP_AND;
  case SL_AST_EQ: return SL_OP_EQ;
  case SL_AST_NE: return SL_OP_NE;
  case SL_AST_LT: return SL_OP_LT;
  case SL_AST_LE: return SL_OP_LE;
  case SL_AST_GT: return SL_OP_GT;
  case SL_AST_GE: return SL_OP_GE;
  case SL_AST_ADD: return SL_OP_ADD;
  case SL_AST_SUB: return SL_OP_SUB;
  case SL_AST_MUL: return SL_OP_MUL;
  case SL_AST_DIV: return SL_OP_DIV;
  case SL_AST_MOD: return SL_OP_MOD;
  case SL_AST_CONCAT: return SL_OP_CONCAT;
  }
  return SL_OP_NONE;
}

static sl_status operator_mismatch(sl_binder *b, sl_ast_pos pos,
                                   const char *op, const sl_type *l,
                                   const sl_type *r) {
  return bind_fail(b, pos, "operator %s cannot take %s and %s", op,
                   bind_type_name(b, l), bind_type_name(b, r));
}

/* A type that can be ordered with < and >. */
static bool orderable(const sl_type *t) {
  return !is_composite(t);
}

/* Casts both operands to their common type; false when there is none. */
static bool unify2(sl_binder *b, sl_bexpr **l, sl_bexpr **r) {
  sl_type *t = bind_common_type(b, (*l)->type, (*r)->type);
  if (!t)
    return false;
  *l = bind_cast(b, *l, t);
  *r = bind_cast(b, *r, t);
  return *l && *r;
}

/* The DECIMAL an exact operand takes part in arithmetic as. */
static sl_type *as_decimal(sl_binder *b, const sl_type *t) {
  if (t->kind == SL_TYPE_DECIMAL)
    return (sl_type *)t;
  if (t->kind == SL_TYPE_BIGINT)
    return bind_keep_type(b, sl_type_new_decimal(19, 0));
  return bind_keep_type(b, sl_type_new_decimal(10, 0));
}

/* Numeric arithmetic: sets *type and casts the operands. */
static sl_status numeric_arith(sl_binder *b, sl_bexpr_op op, sl_bexpr **l,
                               sl_bexpr **r, sl_type **type) {
  const sl_type *lt = (*l)->type, *rt = (*r)->type;
  if (is_kind(lt, SL_TYPE_DOUBLE) || is_kind(rt, SL_TYPE_DOUBLE)) {
    *type = sl_type_double();
  } else if (is_kind(lt, SL_TYPE_DECIMAL) || is_kind(rt, SL_TYPE_DECIMAL)) {
    sl_type *ld = as_decimal(b, is_null_type(lt) ? rt : lt);
    sl_type *rd = as_decimal(b, is_null_type(rt) ? lt : rt);
    if (!ld || !rd)
      return bind_nomem(b);
    int p, s;
    switch (op) {
    case SL_OP_MUL:
      sl_decimal_result_mul(ld->precision, ld->scale, rd->precision,
                            rd->scale, &p, &s);
      break;
    case SL_OP_DIV:
      sl_decimal_result_div(ld->precision, ld->scale, rd->precision,
                            rd->scale, &p, &s);
      break;
    case SL_OP_MOD:
      sl_decimal_result_mod(ld->precision, ld->scale, rd->precision,
                            rd->scale, &p, &s);
      break;
    default:
      sl_decimal_result_add(ld->precision, ld->scale, rd->precision,
                            rd->scale, &p, &s);
      break;
    }
    *type = bind_keep_type(b, sl_type_new_decimal(p, s));
    if (!*type)
      return bind_nomem(b);
    *l = bind_cast(b, *l, ld);
    *r = bind_cast(b, *r, rd);
    return *l && *r ? SL_OK : bind_nomem(b);
  } else if (is_kind(lt, SL_TYPE_BIGINT) || is_kind(rt, SL_TYPE_BIGINT)) {
    *type = sl_type_bigint();
  } else {
    *type = sl_type_int();
  }
  *l = bind_cast(b, *l, *type);
  *r = bind_cast(b, *r, *type);
  return *l && *r ? SL_OK : bind_nomem(b);
}

static bool numeric_or_null(const sl_type *t) {
  return sl_type_is_numeric(t) || is_null_type(t);
}

/* The type a number multiplying or dividing an INTERVAL is read as: an
 * integer as BIGINT, anything else (DECIMAL 1.5 included) as DOUBLE, the
 * two forms the interval kernels take. */
static sl_type *interval_factor_type(const sl_type *t) {
  return sl_type_is_integer(t) ? sl_type_bigint() : sl_type_double();
}

/* TIMESTAMP, DATE and INTERVAL arithmetic.  Returns true (with *type set
 * and operands cast) when the operand types are such a case. */
static bool time_arith(sl_binder *b, sl_bexpr_op op, sl_bexpr **l,
                       sl_bexpr **r, sl_type **type) {
  sl_type_kind lk = (*l)->type->kind, rk = (*r)->type->kind;
  bool lt = lk == SL_TYPE_TIMESTAMP || lk == SL_TYPE_DATE;
  bool rt = rk == SL_TYPE_TIMESTAMP || rk == SL_TYPE_DATE;
  bool li = lk == SL_TYPE_INTERVAL, ri = rk == SL_TYPE_INTERVAL;

  /* DATE +- INT days, DATE - DATE days. */
  if (lk == SL_TYPE_DATE && rk == SL_TYPE_INT &&
      (op == SL_OP_ADD || op == SL_OP_SUB)) {
    *type = sl_type_date();
    return true;
  }
  if (lk == SL_TYPE_DATE && rk == SL_TYPE_DATE && op == SL_OP_SUB) {
    *type = sl_type_int();
    return true;
  }

  /* TIMESTAMP +- INTERVAL, INTERVAL + TIMESTAMP, TIMESTAMP - TIMESTAMP. */
  if ((lt && ri && (op == SL_OP_ADD || op == SL_OP_SUB)) ||
      (li && rt && op == SL_OP_ADD)) {
    *type = sl_type_timestamp();
    if (lt)
      *l = bind_cast(b, *l, sl_type_timestamp());
    else
      *r = bind_cast(b, *r, sl_type_timestamp());
    return true;
  }
  if (lt && rt && op == SL_OP_SUB) {
    *type = sl_type_interval();
    *l = bind_cast(b, *l, sl_type_timestamp());
    *r = bind_cast(b, *r, sl_type_timestamp());
    return true;
  }

  /* INTERVAL +- INTERVAL, INTERVAL * n, n * INTERVAL, INTERVAL / n. */
  if (li && ri && (op == SL_OP_ADD || op == SL_OP_SUB)) {
    *type = sl_type_interval();
    return true;
  }
  if (li && sl_type_is_numeric((*r)->type) &&
      (op == SL_OP_MUL || op == SL_OP_DIV)) {
    *type = sl_type_interval();
    *r = bind_cast(b, *r, interval_factor_type((*r)->type));
    return true;
  }
  if (ri && sl_type_is_numeric((*l)->type) && op == SL_OP_MUL) {
    *type = sl_type_interval();
    *l = bind_cast(b, *l, interval_factor_type((*l)->type));
    return true;
  }
  return false;
}

static sl_status bind_binary(sl_binder *b, const bind_ectx *ectx,
                             const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *l, *r;
  sl_status rc = bind_expr(b, ectx, ast->u.binary.left, &l);
  if (rc)
    return rc;
  rc = bind_expr(b, ectx, ast->u.binary.right, &r);
  if (rc)
    return rc;

  sl_ast_pos op_pos = bind_operator_pos(b, ast->u.binary.right->pos,
                                        ast->pos);
  const char *op_text = binary_op_text(ast->u.binary.op);
  sl_bexpr_op op = map_binary(ast->u.binary.op);
  const sl_type *lt = l->type, *rt = r->type;
  sl_type *type = NULL;

  switch (op) {
  case SL_OP_AND:
  case SL_OP_OR:
    if ((!is_kind(lt, SL_TYPE_BOOLEAN) && !is_null_type(lt)) ||
        (!is_kind(rt, SL_TYPE_BOOLEAN) && !is_null_type(rt)))
      return operator_mismatch(b, op_pos, op_text, lt, rt);
    type = sl_type_boolean();
    l = bind_cast(b, l, type);
    r = bind_cast(b, r, type);
    break;
  case SL_OP_EQ:
  case SL_OP_NE:
  case SL_OP_LT:
  case SL_OP_LE:
  case SL_OP_GT:
  case SL_OP_GE:
    if (!unify2(b, &l, &r)) {
      if (!l || !r)
        return bind_nomem(b);
      return operator_mismatch(b, op_pos, op_text, lt, rt);
    }
    if (op != SL_OP_EQ && op != SL_OP_NE && !orderable(l->type))
      return operator_mismatch(b, op_pos, op_text, lt, rt);
    type = sl_type_boolean();
    break;
  case SL_OP_CONCAT:
    if ((is_kind(lt, SL_TYPE_VARCHAR) || is_null_type(lt)) &&
        (is_kind(rt, SL_TYPE_VARCHAR) || is_null_type(rt)))
      type = sl_type_varchar();
    else if ((is_kind(lt, SL_TYPE_BYTES) || is_null_type(lt)) &&
             (is_kind(rt, SL_TYPE_BYTES) || is_null_type(rt)))
      type = sl_type_bytes();
    else
      return operator_mismatch(b, op_pos, op_text, lt, rt);
    l = bind_cast(b, l, type);
    r = bind_cast(b, r, type);
    break;
  default:
    if (time_arith(b, op, &l, &r, &type))
      break;
    if (numeric_or_null(lt) && numeric_or_null(rt) &&
        !(is_null_type(lt) && is_null_type(rt))) {
      rc = numeric_arith(b, op, &l, &r, &type);
      if (rc)
        return rc;
      break;
    }
    if (is_null_type(lt) && is_null_type(rt)) {
      type = sl_type_null();
      break;
    }
    return operator_mismatch(b, op_pos, op_text, lt, rt);
  }
  if (!l || !r)
    return bind_nomem(b);

  sl_bexpr *e = bexpr_new(b, SL_BEXPR_BINARY, type, op_pos, 2);
  if (!e)
    return bind_nomem(b);
  e->op = op;
  e->args[0] = l;
  e->args[1] = r;
  *out = e;
  return SL_OK;
}

static sl_status bind_unary(sl_binder *b, const bind_ectx *ectx,
                            const sl_ast_expr *ast, sl_bexpr **out) {
  const sl_ast_expr *operand = ast->u.unary.operand;
  if (ast->u.unary.op == SL_AST_NEG && negatable_literal(operand))
    return bind_literal(b, &operand->u.literal, true, ast->pos, out);

  sl_bexpr *a;
  sl_status rc = bind_expr(b, ectx, operand, &a);
  if (rc)
    return rc;
  sl_type *type = a->type;
  sl_bexpr_op op;
  if (ast->u.unary.op == SL_AST_NOT) {
    if (!is_kind(type, SL_TYPE_BOOLEAN) && !is_null_type(type))
      return bind_fail(b, ast->pos, "operator NOT cannot take %s",
                       bind_type_name(b, type));
    type = sl_type_boolean();
    a = bind_cast(b, a, type);
    op = SL_OP_NOT;
  } else {
    if (!sl_type_is_numeric(type) && !is_kind(type, SL_TYPE_INTERVAL) &&
        !is_null_type(type))
      return bind_fail(b, ast->pos, "operator %s cannot take %s",
                       sl_ast_unary_op_name(ast->u.unary.op),
                       bind_type_name(b, type));
    op = ast->u.unary.op == SL_AST_NEG ? SL_OP_NEG : SL_OP_PLUS;
  }
  if (!a)
    return bind_nomem(b);
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_UNARY, type, ast->pos, 1);
  if (!e)
    return bind_nomem(b);
  e->op = op;
  e->args[0] = a;
  *out = e;
  return SL_OK;
}

static sl_status bind_is_null(sl_binder *b, const bind_ectx *ectx,
                              const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *a;
  sl_status rc = bind_expr(b, ectx, ast->u.is_null.operand, &a);
  if (rc)
    return rc;
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_IS_NULL, sl_type_boolean(), ast->pos,
                          1);
  if (!e)
    return bind_nomem(b);
  e->negated = ast->u.is_null.negated;
  e->args[0] = a;
  *out = e;
  return SL_OK;
}

/* Binds n expressions that must meet at one orderable common type; what
 * names the construct in messages. */
static sl_status bind_unified(sl_binder *b, const bind_ectx *ectx, int n,
                              const sl_ast_expr *const *asts,
                              const char *what, bool need_order,
                              sl_bexpr **args) {
  sl_type *common = NULL;
  for (int i = 0; i < n; i++) {
    sl_status rc = bind_expr(b, ectx, asts[i], &args[i]);
    if (rc)
      return rc;
    if (i == 0) {
      common = args[0]->type;
      continue;
    }
    sl_type *t = bind_common_type(b, common, args[i]->type);
    if (!t || (need_order && !orderable(t)))
      return bind_fail(b, asts[i]->pos, "%s cannot compare %s with %s",
                       what, bind_type_name(b, common),
                       bind_type_name(b, args[i]->type));
    common = t;
  }
  for (int i = 0; i < n; i++) {
    args[i] = bind_cast(b, args[i], common);
    if (!args[i])
      return bind_nomem(b);
  }
  return SL_OK;
}

static sl_status bind_between(sl_binder *b, const bind_ectx *ectx,
                              const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_BETWEEN, sl_type_boolean(), ast->pos,
                          3);
  if (!e)
    return bind_nomem(b);
  const sl_ast_expr *asts[3] = {ast->u.between.operand, ast->u.between.low,
                                ast->u.between.high};
  sl_status rc = bind_unified(b, ectx, 3, asts, "BETWEEN", true, e->args);
  if (rc)
    return rc;
  e->negated = ast->u.between.negated;
  *out = e;
  return SL_OK;
}

static sl_status bind_in(sl_binder *b, const bind_ectx *ectx,
                         const sl_ast_expr *ast, sl_bexpr **out) {
  int n = ast->u.in.list.n + 1;
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_IN, sl_type_boolean(), ast->pos, n);
  const sl_ast_expr **asts = bind_calloc(b, (size_t)n, sizeof(*asts));
  if (!e || !asts)
    return bind_nomem(b);
  asts[0] = ast->u.in.operand;
  for (int i = 1; i < n; i++)
    asts[i] = ast->u.in.list.items[i - 1];
  sl_status rc = bind_unified(b, ectx, n, asts, "IN", false, e->args);
  if (rc)
    return rc;
  e->negated = ast->u.in.negated;
  *out = e;
  return SL_OK;
}

static sl_status bind_like(sl_binder *b, const bind_ectx *ectx,
                           const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_LIKE, sl_type_boolean(), ast->pos, 2);
  if (!e)
    return bind_nomem(b);
  const sl_ast_expr *asts[2] = {ast->u.like.operand, ast->u.like.pattern};
  for (int i = 0; i < 2; i++) {
    sl_status rc = bind_expr(b, ectx, asts[i], &e->args[i]);
    if (rc)
      return rc;
    const sl_type *t = e->args[i]->type;
    if (!is_kind(t, SL_TYPE_VARCHAR) && !is_null_type(t))
      return bind_fail(b, asts[i]->pos, "LIKE needs VARCHAR operands, got %s",
                       bind_type_name(b, t));
    e->args[i] = bind_cast(b, e->args[i], sl_type_varchar());
    if (!e->args[i])
      return bind_nomem(b);
  }
  e->negated = ast->u.like.negated;
  *out = e;
  return SL_OK;
}

static sl_status bind_case(sl_binder *b, const bind_ectx *ectx,
                           const sl_ast_expr *ast, sl_bexpr **out) {
  const sl_ast_whens *whens = &ast->u.case_.whens;
  bool has_operand = ast->u.case_.operand != NULL;
  bool has_else = ast->u.case_.else_expr != NULL;
  int n = (has_operand ? 1 : 0) + 2 * whens->n + (has_else ? 1 : 0);
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_CASE, NULL, ast->pos, n);
  if (!e)
    return bind_nomem(b);
  e->u.case_.has_operand = has_operand;
  e->u.case_.nwhen = whens->n;
  e->u.case_.has_else = has_else;
  int base = has_operand ? 1 : 0;
  sl_status rc;

  /* The conditions: BOOLEAN, or values meeting the operand's type. */
  if (has_operand) {
    const sl_ast_expr **asts = bind_calloc(b, (size_t)whens->n + 1,
                                           sizeof(*asts));
    sl_bexpr **vals = bind_calloc(b, (size_t)whens->n + 1, sizeof(*vals));
    if (!asts || !vals)
      return bind_nomem(b);
    asts[0] = ast->u.case_.operand;
    for (int i = 0; i < whens->n; i++)
      asts[i + 1] = whens->items[i]->when;
    rc = bind_unified(b, ectx, whens->n + 1, asts, "CASE", false, vals);
    if (rc)
      return rc;
    e->args[0] = vals[0];
    for (int i = 0; i < whens->n; i++)
      e->args[base + 2 * i] = vals[i + 1];
  } else {
    for (int i = 0; i < whens->n; i++) {
      rc = bind_condition(b, ectx, whens->items[i]->when, "WHEN",
                          &e->args[base + 2 * i]);
      if (rc)
        return rc;
    }
  }

  /* The results meet at one type. */
  sl_type *rt = NULL;
  for (int i = 0; i <= whens->n; i++) {
    const sl_ast_expr *r = i < whens->n ? whens->items[i]->then
                                        : ast->u.case_.else_expr;
    if (!r)
      break;
    int slot = i < whens->n ? base + 2 * i + 1 : n - 1;
    rc = bind_expr(b, ectx, r, &e->args[slot]);
    if (rc)
      return rc;
    if (!rt) {
      rt = e->args[slot]->type;
      continue;
    }
    sl_type *t = bind_common_type(b, rt, e->args[slot]->type);
    if (!t)
      return bind_fail(b, r->pos, "CASE results have no common type: %s "
                       "and %s", bind_type_name(b, rt),
                       bind_type_name(b, e->args[slot]->type));
    rt = t;
  }
  for (int i = 0; i <= whens->n; i++) {
    if (i == whens->n && !has_else)
      break;
    int slot = i < whens->n ? base + 2 * i + 1 : n - 1;
    e->args[slot] = bind_cast(b, e->args[slot], rt);
    if (!e->args[slot])
      return bind_nomem(b);
  }
  e->type = rt;
  *out = e;
  return SL_OK;
}

static sl_status bind_cast_expr(sl_binder *b, const bind_ectx *ectx,
                                const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *a;
  sl_status rc = bind_expr(b, ectx, ast->u.cast.operand, &a);
  if (rc)
    return rc;
  sl_type *to = bind_clone_type(b, ast->u.cast.type);
  if (!to)
    return bind_nomem(b);
  if (is_kind(a->type, SL_TYPE_INTERVAL) && sl_type_is_numeric(to) &&
      !bind_can_cast(a->type, to))
    return bind_fail(b, ast->u.cast.type_pos,
                     "cannot cast INTERVAL to %s; EXTRACT(EPOCH FROM x) "
                     "gives its seconds as a DOUBLE, CAST(x AS BIGINT) its "
                     "milliseconds", bind_type_name(b, to));
  if (!bind_can_cast(a->type, to))
    return bind_fail(b, ast->u.cast.type_pos, "cannot cast %s to %s",
                     bind_type_name(b, a->type), bind_type_name(b, to));
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_CAST, to, ast->pos, 1);
  if (!e)
    return bind_nomem(b);
  e->args[0] = a;
  *out = e;
  return SL_OK;
}

static sl_status bind_subscript(sl_binder *b, const bind_ectx *ectx,
                                const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *base, *index;
  sl_status rc = bind_expr(b, ectx, ast->u.subscript.base, &base);
  if (rc)
    return rc;
  rc = bind_expr(b, ectx, ast->u.subscript.index, &index);
  if (rc)
    return rc;
  const sl_type *bt = base->type, *it = index->type;
  sl_ast_pos ipos = ast->u.subscript.index->pos;

  /* s['field'] on a STRUCT is field access. */
  if (bt->kind == SL_TYPE_STRUCT && index->kind == SL_BEXPR_LITERAL &&
      it->kind == SL_TYPE_VARCHAR) {
    sl_ast_names parts;
    sl_ast_name name = {index->u.literal.u.str, true, ipos};
    parts.n = 1;
    parts.cap = 1;
    parts.items = &name;
    rc = bind_fields(b, &parts, 0, &base);
    if (rc)
      return rc;
    *out = base;
    return SL_OK;
  }

  sl_type *rt;
  if (bt->kind == SL_TYPE_ARRAY) {
    if (!sl_type_is_integer(it) && !is_null_type(it))
      return bind_fail(b, ipos, "an ARRAY index must be an integer, got %s",
                       bind_type_name(b, it));
    index = bind_cast(b, index, sl_type_bigint());
    rt = bt->elem;
  } else if (bt->kind == SL_TYPE_MAP) {
    if (!is_kind(it, SL_TYPE_VARCHAR) && !is_null_type(it))
      return bind_fail(b, ipos, "a MAP key must be VARCHAR, got %s",
                       bind_type_name(b, it));
    index = bind_cast(b, index, sl_type_varchar());
    rt = bt->elem;
  } else {
    return bind_fail(b, ast->pos,
                     "cannot subscript %s: [] takes an ARRAY, a MAP or a "
                     "STRUCT", bind_type_name(b, bt));
  }
  if (!index)
    return bind_nomem(b);
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_SUBSCRIPT, rt, ast->pos, 2);
  if (!e)
    return bind_nomem(b);
  e->args[0] = base;
  e->args[1] = index;
  *out = e;
  return SL_OK;
}

static sl_status bind_field(sl_binder *b, const bind_ectx *ectx,
                            const sl_ast_expr *ast, sl_bexpr **out) {
  sl_bexpr *base;
  sl_status rc = bind_expr(b, ectx, ast->u.field.base, &base);
  if (rc)
    return rc;
  sl_ast_names parts;
  sl_ast_name name = ast->u.field.name;
  parts.n = 1;
  parts.cap = 1;
  parts.items = &name;
  rc = bind_fields(b, &parts, 0, &base);
  if (rc)
    return rc;
  *out = base;
  return SL_OK;
}

static sl_status bind_array(sl_binder *b, const bind_ectx *ectx,
                            const sl_ast_expr *ast, sl_bexpr **out) {
  int n = ast->u.array.items.n;
  if (n == 0)
    return bind_fail(b, ast->pos,
                     "ARRAY[] needs at least one element to have a type; "
                     "write CAST(ARRAY[...] AS ARRAY<T>) with values");
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_ARRAY, NULL, ast->pos, n);
  if (!e)
    return bind_nomem(b);
  sl_type *common = NULL;
  for (int i = 0; i < n; i++) {
    const sl_ast_expr *item = ast->u.array.items.items[i];
    sl_status rc = bind_expr(b, ectx, item, &e->args[i]);
    if (rc)
      return rc;
    if (!common) {
      common = e->args[i]->type;
      continue;
    }
    sl_type *t = bind_common_type(b, common, e->args[i]->type);
    if (!t)
      return bind_fail(b, item->pos, "ARRAY elements have no common type: "
                       "%s and %s", bind_type_name(b, common),
                       bind_type_name(b, e->args[i]->type));
    common = t;
  }
  for (int i = 0; i < n; i++) {
    e->args[i] = bind_cast(b, e->args[i], common);
    if (!e->args[i])
      return bind_nomem(b);
  }
  sl_type *elem = sl_type_clone(common);
  e->type = elem ? bind_keep_type(b, sl_type_new_array(elem)) : NULL;
  if (!e->type)
    return bind_nomem(b);
  *out = e;
  return SL_OK;
}

static const struct {
  const char *name;
  sl_extract_part part;
} extract_parts[] = {
    {"year", SL_EXTRACT_YEAR},       {"quarter", SL_EXTRACT_QUARTER},
    {"month", SL_EXTRACT_MONTH},     {"week", SL_EXTRACT_WEEK},
    {"day", SL_EXTRACT_DAY},         {"dow", SL_EXTRACT_DOW},
    {"doy", SL_EXTRACT_DOY},         {"hour", SL_EXTRACT_HOUR},
    {"minute", SL_EXTRACT_MINUTE},   {"second", SL_EXTRACT_SECOND},
    {"millisecond", SL_EXTRACT_MILLISECOND},
    {"epoch", SL_EXTRACT_EPOCH},
};

#define NEXTRACT_PARTS (sizeof(extract_parts) / sizeof(extract_parts[0]))

/* The type of EXTRACT(p FROM interval), NULL for a calendar part: EPOCH
 * and SECOND keep the milliseconds as a fraction; DAY, which can pass
 * INT's range, is BIGINT. */
static sl_type *interval_part_type(sl_extract_part p) {
  switch (p) {
  case SL_EXTRACT_EPOCH:
  case SL_EXTRACT_SECOND:
    return sl_type_double();
  case SL_EXTRACT_DAY:
    return sl_type_bigint();
  case SL_EXTRACT_HOUR:
  case SL_EXTRACT_MINUTE:
  case SL_EXTRACT_MILLISECOND:
    return sl_type_int();
  default:
    return NULL;
  }
}

static sl_status bind_extract(sl_binder *b, const bind_ectx *ectx,
                              const sl_ast_expr *ast, sl_bexpr **out) {
  const sl_ast_name *part = &ast->u.extract.part;
  int found = -1;
  for (size_t i = 0; i < NEXTRACT_PARTS; i++)
    if (strcmp(part->text, extract_parts[i].name) == 0)
      found = (int)i;
  if (found < 0)
    return bind_fail(b, part->pos,
                     "unknown EXTRACT part \"%s\"; valid parts: year, "
                     "quarter, month, week, day, dow, doy, hour, minute, "
                     "second, millisecond, epoch", part->text);

  sl_bexpr *a;
  sl_status rc = bind_expr(b, ectx, ast->u.extract.operand, &a);
  if (rc)
    return rc;
  const sl_type *t = a->type;
  sl_extract_part p = extract_parts[found].part;
  sl_type *type;
  if (is_kind(t, SL_TYPE_INTERVAL)) {
    /* An INTERVAL is days and time (milliseconds), never months, so the
     * calendar parts have nothing to read. */
    type = interval_part_type(p);
    if (!type)
      return bind_fail(b, part->pos,
                       "EXTRACT cannot read %s from an INTERVAL, which "
                       "has days and time but no calendar fields; valid "
                       "parts for an INTERVAL: epoch, day, hour, minute, "
                       "second, millisecond", part->text);
  } else if (is_kind(t, SL_TYPE_TIMESTAMP) || is_kind(t, SL_TYPE_DATE) ||
             is_null_type(t)) {
    a = bind_cast(b, a, sl_type_timestamp());
    type = p == SL_EXTRACT_EPOCH ? sl_type_bigint() : sl_type_int();
  } else {
    return bind_fail(b, ast->u.extract.operand->pos,
                     "EXTRACT needs a TIMESTAMP, DATE or INTERVAL, got %s",
                     bind_type_name(b, t));
  }
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_EXTRACT, type, ast->pos, 1);
  if (!e || !a)
    return bind_nomem(b);
  e->u.part = p;
  e->args[0] = a;
  *out = e;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */
/* ------------------------------------------------------------------ */

/* Resolves a call of func over bound args, casting them to the chosen
 * signature's types; *ret is the return type (statement-owned). */
static sl_status resolve_call(sl_binder *b, const sl_ast_name *name,
                              int nargs, sl_bexpr **args,
                              const sl_func_sig **sig, sl_type **ret) {
  const sl_type **types = bind_calloc(b, (size_t)nargs + 1, sizeof(*types));
  const sl_value **consts = bind_calloc(b, (size_t)nargs + 1,
                                        sizeof(*consts));
  if (!types || !consts)
    return bind_nomem(b);
  for (int i = 0; i < nargs; i++) {
    types[i] = args[i]->type;
    if (args[i]->kind == SL_BEXPR_LITERAL)
      consts[i] = &args[i]->u.literal;
  }

  sl_func_resolved r;
  sl_error rerr;
  sl_error_clear(&rerr);
  sl_status rc = sl_func_resolve_consts(b->ctx->functions, name->text, nargs,
                                        types, consts, &r, &rerr);
  if (rc) {
    if (rc == SL_ERR_NOMEM)
      return bind_nomem(b);
    return bind_fail(b, name->pos, "%s", rerr.message);
  }

  *sig = r.sig;
  *ret = bind_clone_type(b, r.ret_type);
  for (int i = 0; i < nargs && *ret; i++) {
    sl_type *t = bind_clone_type(b, r.arg_types[i]);
    args[i] = t ? bind_cast(b, args[i], t) : NULL;
    if (!args[i])
      *ret = NULL;
  }
  sl_func_resolved_free(&r);
  return *ret ? SL_OK : bind_nomem(b);
}

/* Binds the arguments of a call in ectx. */
static sl_status bind_args(sl_binder *b, const bind_ectx *ectx,
                           const sl_ast_exprs *list, sl_bexpr ***out) {
  *out = NULL;
  if (list->n == 0)
    return SL_OK;
  sl_bexpr **args = bind_calloc(b, (size_t)list->n, sizeof(*args));
  if (!args)
    return bind_nomem(b);
  for (int i = 0; i < list->n; i++) {
    sl_status rc = bind_expr(b, ectx, list->items[i], &args[i]);
    if (rc)
      return rc;
  }
  *out = args;
  return SL_OK;
}

static sl_status note_user_function(sl_binder *b, const sl_func *f) {
  if (!(f->flags & SL_FUNC_USER))
    return SL_OK;
  char lower[SL_ERROR_NAME_MAX];
  size_t i = 0;
  for (; f->name[i] && i + 1 < sizeof(lower); i++)
    lower[i] = (char)(f->name[i] >= 'A' && f->name[i] <= 'Z'
                          ? f->name[i] - 'A' + 'a' : f->name[i]);
  lower[i] = '\0';
  return bind_add_function_dep(b, lower);
}

/* Binds an OVER (...) specification into call. */
static sl_status bind_over_spec(sl_binder *b, const bind_ectx *ectx,
                                const sl_ast_window_spec *spec,
                                sl_over_call *call) {
  sl_status rc;
  call->npartition = spec->partition_by.n;
  if (call->npartition > 0) {
    call->partition_by = bind_calloc(b, (size_t)call->npartition,
                                     sizeof(*call->partition_by));
    if (!call->partition_by)
      return bind_nomem(b);
  }
  for (int i = 0; i < call->npartition; i++) {
    rc = bind_expr(b, ectx, spec->partition_by.items[i],
                   &call->partition_by[i]);
    if (rc)
      return rc;
  }
  call->norder = spec->order_by.n;
  if (call->norder > 0) {
    call->order_by = bind_calloc(b, (size_t)call->norder,
                                 sizeof(*call->order_by));
    call->order_desc = bind_calloc(b, (size_t)call->norder,
                                   sizeof(*call->order_desc));
    if (!call->order_by || !call->order_desc)
      return bind_nomem(b);
  }
  for (int i = 0; i < call->norder; i++) {
    const sl_ast_order_item *item = spec->order_by.items[i];
    rc = bind_expr(b, ectx, item->expr, &call->order_by[i]);
    if (rc)
      return rc;
    call->order_desc[i] = item->desc;
  }
  if (spec->range) {
    call->has_range = true;
    rc = bind_interval_const(b, spec->range, "RANGE", false,
                             &call->range_ms);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Checks the OVER specification against the function it windows. */
static sl_status check_over(sl_binder *b, const sl_ast_window_spec *spec,
                            sl_over_call *call) {
  const char *fname = call->agg.func->name;
  bool needs_time = call->kind == SL_OVER_LAG ||
                    call->kind == SL_OVER_AGGREGATE;

  if (call->has_range && call->kind != SL_OVER_AGGREGATE)
    return bind_fail(b, spec->range_pos,
                     "%s takes no RANGE: it looks at rows, not a time range",
                     fname);
  if (call->kind == SL_OVER_AGGREGATE && !call->has_range)
    return bind_fail(b, spec->pos,
                     "%s OVER (...) needs RANGE BETWEEN INTERVAL ... "
                     "PRECEDING AND CURRENT ROW", fname);
  if (call->norder == 0)
    return bind_fail(b, spec->pos,
                     "%s OVER (...) needs ORDER BY%s", fname,
                     needs_time ? " the event-time column" : "");
  if (needs_time) {
    if (call->norder != 1 || call->order_desc[0] ||
        !is_kind(call->order_by[0]->type, SL_TYPE_TIMESTAMP))
      return bind_fail(b, spec->order_by.items[0]->pos,
                       "%s OVER (...) must be ORDER BY one TIMESTAMP "
                       "(the event time), ascending", fname);
  }
  return SL_OK;
}

static const sl_ast_window_spec *find_named_window(
    const bind_ectx *ectx, const sl_ast_name *name) {
  if (!ectx->windows)
    return NULL;
  for (int i = 0; i < ectx->windows->n; i++)
    if (strcmp(ectx->windows->items[i]->name.text, name->text) == 0)
      return ectx->windows->items[i]->spec;
  return NULL;
}

static sl_status bind_over_call(sl_binder *b, const bind_ectx *ectx,
                                const sl_ast_expr *ast, const sl_func *func,
                                sl_bexpr **out) {
  const sl_ast_name *name = &ast->u.call.name;
  if (func->kind == SL_FUNC_SCALAR || func->kind == SL_FUNC_FEATURE ||
      func->kind == SL_FUNC_MODEL)
    return bind_fail(b, name->pos,
                     "%s is not a window function: OVER takes LAG, "
                     "ROW_NUMBER, RANK or an aggregate", func->name);
  if (func->kind == SL_FUNC_AGGREGATE && !(func->flags & SL_FUNC_SLIDING))
    return bind_fail(b, name->pos, "%s cannot be computed OVER a window",
                     func->name);
  if (!ectx->overs)
    return bind_fail(b, name->pos, "window function %s is not allowed in %s",
                     func->name, ectx->clause);
  if (ectx->in_over)
    return bind_fail(b, name->pos,
                     "window function %s cannot be nested inside %s",
                     func->name, ectx->in_over);
  if (ectx->in_aggregate)
    return bind_fail(b, name->pos,
                     "window function %s cannot be nested inside %s",
                     func->name, ectx->in_aggregate);
  if (ast->u.call.distinct)
    return bind_fail(b, name->pos, "DISTINCT is not supported OVER a window");

  const sl_ast_window_spec *spec = ast->u.call.over;
  if (!spec) {
    spec = find_named_window(ectx, &ast->u.call.over_name);
    if (!spec)
      return bind_fail(b, ast->u.call.over_name.pos,
                       "unknown window \"%s\"; name it with WINDOW %s AS "
                       "(PARTITION BY ... ORDER BY ...)",
                       ast->u.call.over_name.text,
                       ast->u.call.over_name.text);
  }

  sl_over_call call;
  memset(&call, 0, sizeof(call));
  call.pos = bind_srcpos(ast->pos);
  call.lag_offset = 1;
  if (!ast->u.call.over)
    call.window_name = bind_name(b, ast->u.call.over_name.text);
  if (strcmp(func->name, "LAG") == 0)
    call.kind = SL_OVER_LAG;
  else if (strcmp(func->name, "ROW_NUMBER") == 0)
    call.kind = SL_OVER_ROW_NUMBER;
  else if (strcmp(func->name, "RANK") == 0)
    call.kind = SL_OVER_RANK;
  else
    call.kind = SL_OVER_AGGREGATE;

  bind_ectx inner = *ectx;
  inner.in_over = func->name;
  inner.overs = NULL;
  sl_status rc = bind_over_spec(b, &inner, spec, &call);
  if (rc)
    return rc;

  /* Arguments: the value of LAG and the aggregate's; LAG's offset and
   * default are constants. */
  sl_bexpr **args = NULL;
  rc = bind_args(b, &inner, &ast->u.call.args, &args);
  if (rc)
    return rc;
  int nargs = ast->u.call.args.n;
  if (call.kind == SL_OVER_LAG && nargs >= 2) {
    const sl_bexpr *n = args[1];
    if (n->kind != SL_BEXPR_LITERAL || !sl_type_is_integer(n->type))
      return bind_fail(b, ast->u.call.args.items[1]->pos,
                       "LAG's offset must be a constant integer");
    call.lag_offset = n->type->kind == SL_TYPE_INT ? n->u.literal.u.i32
                                                   : n->u.literal.u.i64;
    if (call.lag_offset < 1)
      return bind_fail(b, ast->u.call.args.items[1]->pos,
                       "LAG's offset must be at least 1: LAG never returns "
                       "the row itself");
  }
  if (ast->u.call.star && !(func->flags & SL_FUNC_STAR))
    return bind_fail(b, name->pos, "%s(*) is not valid; only COUNT(*)",
                     func->name);

  sl_type *ret;
  const sl_func_sig *sig;
  rc = resolve_call(b, name, nargs, args, &sig, &ret);
  if (rc)
    return rc;
  if (call.kind == SL_OVER_LAG && nargs >= 3) {
    call.lag_default = bind_cast(b, args[2], ret);
    if (!call.lag_default)
      return bind_nomem(b);
  }
  call.agg.func = func;
  call.agg.sig = sig;
  call.agg.name = bind_strdup(b, name->text);
  call.agg.nargs = call.kind == SL_OVER_LAG ? (nargs > 0 ? 1 : 0) : nargs;
  call.agg.args = args;
  call.agg.star = ast->u.call.star;
  call.agg.type = ret;
  call.agg.pos = bind_srcpos(name->pos);
  rc = check_over(b, spec, &call);
  if (rc)
    return rc;
  rc = note_user_function(b, func);
  if (rc)
    return rc;

  bind_overs *overs = ectx->overs;
  rc = bind_grow(b, (void **)&overs->items, &overs->cap, overs->n + 1,
                 sizeof(*overs->items));
  if (rc)
    return rc;
  overs->items[overs->n] = call;
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_OVER_REF, ret, ast->pos, 0);
  if (!e)
    return bind_nomem(b);
  e->u.ref = overs->n++;
  *out = e;
  return SL_OK;
}

static bool agg_call_equal(const sl_agg_call *a, const sl_agg_call *c) {
  if (a->func != c->func || a->sig != c->sig || a->nargs != c->nargs ||
      a->distinct != c->distinct || a->star != c->star)
    return false;
  for (int i = 0; i < a->nargs; i++)
    if (!bexpr_equal(a->args[i], c->args[i]))
      return false;
  return true;
}

static sl_status bind_aggregate_call(sl_binder *b, const bind_ectx *ectx,
                                     const sl_ast_expr *ast,
                                     const sl_func *func, sl_bexpr **out) {
  const sl_ast_name *name = &ast->u.call.name;
  if (ectx->in_aggregate)
    return bind_fail(b, name->pos,
                     "aggregate function %s cannot be nested inside %s",
                     func->name, ectx->in_aggregate);
  if (!ectx->aggs) {
    bool where = strcmp(ectx->clause, "WHERE") == 0;
    return bind_fail(b, name->pos, "aggregate function %s is not allowed in "
                     "%s%s", func->name, ectx->clause,
                     where ? "; filter groups with HAVING" : "");
  }
  if (ast->u.call.star && !(func->flags & SL_FUNC_STAR))
    return bind_fail(b, name->pos, "%s(*) is not valid; only COUNT(*)",
                     func->name);
  if (ast->u.call.distinct && !(func->flags & SL_FUNC_DISTINCT))
    return bind_fail(b, name->pos, "DISTINCT is not supported in %s",
                     func->name);

  bind_ectx inner = *ectx;
  inner.in_aggregate = func->name;
  sl_bexpr **args = NULL;
  sl_status rc = bind_args(b, &inner, &ast->u.call.args, &args);
  if (rc)
    return rc;

  sl_agg_call call;
  memset(&call, 0, sizeof(call));
  call.nargs = ast->u.call.args.n;
  rc = resolve_call(b, name, call.nargs, args, &call.sig, &call.type);
  if (rc)
    return rc;
  rc = note_user_function(b, func);
  if (rc)
    return rc;
  call.func = func;
  call.name = bind_strdup(b, name->text);
  call.args = args;
  call.distinct = ast->u.call.distinct;
  call.star = ast->u.call.star;
  call.pos = bind_srcpos(name->pos);

  /* The same call written twice is computed once. */
  bind_aggs *aggs = ectx->aggs;
  int idx = -1;
  for (int i = 0; i < aggs->n && idx < 0; i++)
    if (agg_call_equal(&aggs->items[i], &call))
      idx = i;
  if (idx < 0) {
    rc = bind_grow(b, (void **)&aggs->items, &aggs->cap, aggs->n + 1,
                   sizeof(*aggs->items));
    if (rc)
      return rc;
    aggs->items[aggs->n] = call;
    idx = aggs->n++;
  }
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_AGG_REF, aggs->items[idx].type,
                          ast->pos, 0);
  if (!e)
    return bind_nomem(b);
  e->u.ref = idx;
  *out = e;
  return SL_OK;
}

static sl_status bind_call(sl_binder *b, const bind_ectx *ectx,
                           const sl_ast_expr *ast, sl_bexpr **out) {
  const sl_ast_name *name = &ast->u.call.name;
  const sl_func *func = sl_func_lookup(b->ctx->functions, name->text);
  sl_status rc;

  /* Unknown and refused functions: the registry's message. */
  if (!func || func->refusal) {
    sl_func_resolved r;
    sl_error rerr;
    sl_error_clear(&rerr);
    rc = sl_func_resolve(b->ctx->functions, name->text, 0, NULL, &r, &rerr);
    if (rc == SL_OK) {
      sl_func_resolved_free(&r);
      return bind_fail(b, name->pos, "unknown function \"%s\"", name->text);
    }
    if (rc == SL_ERR_NOMEM)
      return bind_nomem(b);
    return bind_fail(b, name->pos, "%s", rerr.message);
  }

  bool over = ast->u.call.over || ast->u.call.over_name.text;
  if (over)
    return bind_over_call(b, ectx, ast, func, out);

  switch (func->kind) {
  case SL_FUNC_WINDOW:
    return bind_fail(b, name->pos,
                     "%s needs OVER (PARTITION BY ... ORDER BY ...)",
                     func->name);
  case SL_FUNC_AGGREGATE:
    return bind_aggregate_call(b, ectx, ast, func, out);
  case SL_FUNC_FEATURE:
    return bind_fail(b, name->pos,
                     "%s is a feature transform: use it as an item of "
                     "FEATURES (...) in CREATE MODEL", func->name);
  case SL_FUNC_MODEL:
    return bind_fail(b, name->pos, "PREDICT takes a model name first: "
                     "PREDICT(model [, values...])");
  case SL_FUNC_SCALAR:
    break;
  }

  if (ast->u.call.star)
    return bind_fail(b, name->pos, "%s(*) is not valid; only COUNT(*)",
                     func->name);
  if (ast->u.call.distinct)
    return bind_fail(b, name->pos,
                     "DISTINCT belongs in an aggregate call, not in %s",
                     func->name);
  sl_bexpr **args = NULL;
  rc = bind_args(b, ectx, &ast->u.call.args, &args);
  if (rc)
    return rc;
  int nargs = ast->u.call.args.n;
  const sl_func_sig *sig;
  sl_type *ret;
  rc = resolve_call(b, name, nargs, args, &sig, &ret);
  if (rc)
    return rc;
  rc = note_user_function(b, func);
  if (rc)
    return rc;
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_FUNC, ret, name->pos, 0);
  if (!e)
    return bind_nomem(b);
  e->nargs = nargs;
  e->args = args;
  e->u.call.func = func;
  e->u.call.sig = sig;
  e->u.call.name = bind_strdup(b, name->text);
  *out = e;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* PREDICT                                                             */
/* ------------------------------------------------------------------ */

sl_status bind_check_model_version(sl_binder *b, const char *model,
                                   int64_t version, sl_ast_pos pos) {
  sl_catalog_model_version **vs = NULL;
  int n = 0;
  sl_error cerr;
  sl_error_clear(&cerr);
  if (sl_catalog_model_list_versions(b->ctx->catalog, model, &vs, &n,
                                     &cerr)) {
    *b->err = cerr;
    return cerr.code;
  }
  bool found = n == 0;
  int newest = 0;
  for (int i = 0; i < n; i++) {
    if (vs[i]->version == version)
      found = true;
    if (vs[i]->version > newest)
      newest = vs[i]->version;
  }
  sl_catalog_model_version_list_free(vs, n);
  if (!found)
    return bind_fail(b, pos, "model %s has no version %lld (the newest is "
                     "%d)", model, (long long)version, newest);
  return SL_OK;
}

/* Looks up a model named by name; *out is statement-owned. */
static sl_status find_model(sl_binder *b, const sl_ast_name *name,
                            sl_catalog_object **out) {
  sl_status rc = bind_get_object(b, name->text, out);
  if (rc)
    return rc;
  if (*out && (*out)->kind != SL_CATALOG_MODEL)
    return bind_fail(b, name->pos, "%s is a %s, not a model", name->text,
                     bind_kind_word((*out)->kind));
  if (*out)
    return bind_add_dep(b, name->text);

  sl_catalog_object **models = NULL;
  int n = 0;
  sl_error cerr;
  sl_error_clear(&cerr);
  const char **names = NULL;
  if (sl_catalog_list(b->ctx->catalog, SL_CATALOG_MODEL, &models, &n,
                      &cerr) == SL_OK && n > 0) {
    names = bind_calloc(b, (size_t)n, sizeof(*names));
    for (int i = 0; names && i < n; i++)
      names[i] = bind_strdup(b, models[i]->name);
  }
  sl_catalog_object_list_free(models, n);
  return bind_fail(b, name->pos, "unknown model \"%s\"%s", name->text,
                   names ? bind_suggest(b, name->text, names, n) : "");
}

static sl_status bind_predict(sl_binder *b, const bind_ectx *ectx,
                              const sl_ast_expr *ast, sl_bexpr **out) {
  const sl_ast_name *mname = &ast->u.predict.model;
  sl_catalog_object *model;
  sl_status rc = find_model(b, mname, &model);
  if (rc)
    return rc;
  if (ast->u.predict.version < 0)
    return bind_fail(b, ast->u.predict.version_pos,
                     "a model version is a positive number");
  if (ast->u.predict.version > 0) {
    rc = bind_check_model_version(b, mname->text, ast->u.predict.version,
                                  ast->u.predict.version_pos);
    if (rc)
      return rc;
  }

  int n = model->ncolumns;
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_PREDICT, sl_type_double(), ast->pos,
                          n);
  if (!e)
    return bind_nomem(b);
  e->u.predict.model = model->name;
  e->u.predict.version = (int)ast->u.predict.version;

  const sl_ast_exprs *given = &ast->u.predict.args;
  if (given->n > 0 && given->n != n) {
    sl_strbuf sb = SL_STRBUF_INIT;
    for (int i = 0; i < n; i++)
      sl_strbuf_appendf(&sb, "%s%s", i ? ", " : "", model->columns[i].name);
    rc = bind_fail(b, ast->pos, "PREDICT(%s, ...) takes %d value%s (%s), "
                   "got %d", mname->text, n, n == 1 ? "" : "s",
                   sb.data ? sb.data : "", given->n);
    sl_strbuf_free(&sb);
    return rc;
  }

  for (int i = 0; i < n; i++) {
    const sl_catalog_column *mc = &model->columns[i];
    sl_bexpr *v;
    sl_ast_pos vpos = ast->pos;
    if (given->n > 0) {
      vpos = given->items[i]->pos;
      rc = bind_expr(b, ectx, given->items[i], &v);
      if (rc)
        return rc;
    } else {
      /* PREDICT(m): the model's inputs by name among the row's columns. */
      sl_ast_expr col;
      sl_ast_name part = {mc->name, true, ast->pos};
      memset(&col, 0, sizeof(col));
      col.kind = SL_AST_COLUMN;
      col.pos = ast->pos;
      col.u.column.parts.n = 1;
      col.u.column.parts.cap = 1;
      col.u.column.parts.items = &part;
      sl_error saved = *b->err;
      rc = bind_expr(b, ectx, &col, &v);
      if (rc == SL_ERR_SQL) {
        *b->err = saved;
        return bind_fail(b, ast->pos, "PREDICT(%s) needs column \"%s\" "
                         "(%s), which the query does not have; pass the "
                         "values with PREDICT(%s, ...)", mname->text,
                         mc->name, bind_type_name(b, mc->type), mname->text);
      }
      if (rc)
        return rc;
    }
    if (!sl_type_implicit_cast(v->type, mc->type) &&
        !sl_type_equal(v->type, mc->type))
      return bind_fail(b, vpos, "PREDICT(%s) takes %s as %s, got %s",
                       mname->text, mc->name, bind_type_name(b, mc->type),
                       bind_type_name(b, v->type));
    e->args[i] = bind_cast(b, v, mc->type);
    if (!e->args[i])
      return bind_nomem(b);
  }
  *out = e;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

static sl_status bind_expr_node(sl_binder *b, const bind_ectx *ectx,
                                const sl_ast_expr *ast, sl_bexpr **out) {
  bind_ectx inner = *ectx;
  inner.features = false;
  switch (ast->kind) {
  case SL_AST_LITERAL:
    return bind_literal(b, &ast->u.literal, false, ast->pos, out);
  case SL_AST_COLUMN:
    return bind_column(b, &inner, ast, out);
  case SL_AST_UNARY:
    return bind_unary(b, &inner, ast, out);
  case SL_AST_BINARY:
    return bind_binary(b, &inner, ast, out);
  case SL_AST_IS_NULL:
    return bind_is_null(b, &inner, ast, out);
  case SL_AST_BETWEEN:
    return bind_between(b, &inner, ast, out);
  case SL_AST_IN:
    return bind_in(b, &inner, ast, out);
  case SL_AST_LIKE:
    return bind_like(b, &inner, ast, out);
  case SL_AST_CASE:
    return bind_case(b, &inner, ast, out);
  case SL_AST_CAST:
    return bind_cast_expr(b, &inner, ast, out);
  case SL_AST_SUBSCRIPT:
    return bind_subscript(b, &inner, ast, out);
  case SL_AST_FIELD:
    return bind_field(b, &inner, ast, out);
  case SL_AST_ARRAY:
    return bind_array(b, &inner, ast, out);
  case SL_AST_EXTRACT:
    return bind_extract(b, &inner, ast, out);
  case SL_AST_CALL:
    return bind_call(b, &inner, ast, out);
  case SL_AST_PREDICT:
    return bind_predict(b, &inner, ast, out);
  }
  return bind_fail(b, ast->pos, "unsupported expression");
}

sl_status bind_expr(sl_binder *b, const bind_ectx *ectx,
                    const sl_ast_expr *ast, sl_bexpr **out) {
  *out = NULL;
  if (b->depth >= BIND_MAX_DEPTH)
    return bind_fail(b, ast->pos, "expression nested too deeply (more than "
                     "%d levels)", BIND_MAX_DEPTH);
  b->depth++;
  sl_status rc = bind_expr_node(b, ectx, ast, out);
  b->depth--;
  if (rc == SL_OK && !*out)
    return bind_nomem(b);
  return rc;
}

sl_status bind_condition(sl_binder *b, const bind_ectx *ectx,
                         const sl_ast_expr *ast, const char *what,
                         sl_bexpr **out) {
  sl_status rc = bind_expr(b, ectx, ast, out);
  if (rc)
    return rc;
  if (!is_kind((*out)->type, SL_TYPE_BOOLEAN) && !is_null_type((*out)->type))
    return bind_fail(b, ast->pos, "%s needs a BOOLEAN condition, got %s",
                     what, bind_type_name(b, (*out)->type));
  *out = bind_cast(b, *out, sl_type_boolean());
  return *out ? SL_OK : bind_nomem(b);
}
