/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ast_build.c - node builders for the grammar's actions.
 *
 * Each builder allocates one node (or appends to one list) in the parse
 * result's arena.  A NULL child means an earlier failure that is already
 * recorded in the context; builders then return NULL so that nothing is
 * dereferenced.  Errors that the grammar cannot express (an unknown type
 * name, an interval finer than a millisecond, a number out of range, an
 * option or window setting given twice) are reported here, at the
 * position of the token concerned.
 */
#include "parser/ast_build.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/grammar.h"
#include "parser/keywords.h"

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

void sl_build_error_at(sl_build *b, sl_ast_pos pos, const char *fmt, ...) {
  if (b->status)
    return;

  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  b->status = sl_error_set_sql(b->err, b->file, pos.line, pos.column, "%s",
                               msg);
}

void sl_build_nomem(sl_build *b) {
  if (b->status)
    return;
  b->status = sl_error_set(b->err, SL_ERR_NOMEM, "out of memory while "
                                                 "parsing");
}

void sl_build_nesting_error(sl_build *b) {
  sl_build_error_at(b, b->last.pos,
                    "statement nested too deeply near \"%.*s\"",
                    (int)(b->last.raw_len > 40 ? 40 : b->last.raw_len),
                    b->last.raw ? b->last.raw : "");
}

/* Tokens that continue an expression; they are left out of "expected"
 * lists when anything else would do, as they are rarely what is missing. */
static bool continues_expr(int code) {
  switch (code) {
  case SL_TK_OR: case SL_TK_AND: case SL_TK_NOT: case SL_TK_IS:
  case SL_TK_LIKE: case SL_TK_BETWEEN: case SL_TK_IN: case SL_TK_EQ:
  case SL_TK_NE: case SL_TK_LT: case SL_TK_LE: case SL_TK_GT: case SL_TK_GE:
  case SL_TK_CONCAT: case SL_TK_PLUS: case SL_TK_MINUS: case SL_TK_STAR:
  case SL_TK_SLASH: case SL_TK_PERCENT: case SL_TK_DCOLON:
  case SL_TK_LBRACKET: case SL_TK_DOT: case SL_TK_OVER:
  case SL_TK_MILLISECOND: case SL_TK_MILLISECONDS: case SL_TK_SECOND:
  case SL_TK_SECONDS: case SL_TK_MINUTE: case SL_TK_MINUTES:
  case SL_TK_HOUR: case SL_TK_HOURS: case SL_TK_DAY: case SL_TK_DAYS:
  case SL_TK_WEEK: case SL_TK_WEEKS:
    return true;
  default:
    return false;
  }
}

/* Tokens that can start an expression. */
static bool starts_expr(int code) {
  switch (code) {
  case SL_TK_ID: case SL_TK_STRING: case SL_TK_INTEGER: case SL_TK_DECIMAL:
  case SL_TK_FLOAT: case SL_TK_LP: case SL_TK_MINUS: case SL_TK_PLUS:
  case SL_TK_NOT: case SL_TK_NULL: case SL_TK_TRUE: case SL_TK_FALSE:
  case SL_TK_CASE: case SL_TK_CAST: case SL_TK_ARRAY: case SL_TK_EXTRACT:
  case SL_TK_PREDICT: case SL_TK_TIMESTAMP: case SL_TK_DATE:
  case SL_TK_INTERVAL:
    return true;
  default:
    return false;
  }
}

/* Builds "expected X, Y or Z" from what the parser would accept. */
static void describe_expected(const void *parser, char *out, size_t size) {
  int codes[200];
  int n = sl_grammar_expected(parser, codes, 200);
  bool any_other = false, expr = false, statement = false;
  out[0] = '\0';

  bool integer = false, ident = false, paren = false;
  for (int i = 0; i < n; i++) {
    if (!continues_expr(codes[i]) && !starts_expr(codes[i]))
      any_other = true;
    integer = integer || codes[i] == SL_TK_INTEGER;
    ident = ident || codes[i] == SL_TK_ID;
    paren = paren || codes[i] == SL_TK_LP;
    statement = statement || codes[i] == SL_TK_CREATE;
  }
  expr = integer && ident && paren; /* where any expression may start */
  if (statement) {
    snprintf(out, size, "a statement");
    return;
  }

  /* Collapse: expression starters into "an expression", continuations
   * away when something else is possible. */
  const char *names[9];
  int k = 0;
  bool said_expr = false;
  for (int i = 0; i < n; i++) {
    int c = codes[i];
    if (expr && starts_expr(c)) {
      if (!said_expr) {
        if (k == 9)
          return;
        names[k++] = "an expression";
        said_expr = true;
      }
      continue;
    }
    if (continues_expr(c) && (any_other || said_expr))
      continue;
    const char *name = sl_parse_token_name(c);
    if (!name)
      continue;
    bool dup = false;
    for (int j = 0; j < k; j++)
      dup = dup || strcmp(names[j], name) == 0;
    if (dup)
      continue;
    if (k == 9) {
      out[0] = '\0'; /* too many to be helpful */
      return;
    }
    names[k++] = name;
  }
  if (k > 8)
    return;

  size_t o = 0;
  for (int i = 0; i < k && o < size; i++) {
    const char *sep = i == 0 ? "" : i == k - 1 ? " or " : ", ";
    o += (size_t)snprintf(out + o, size - o, "%s%s", sep, names[i]);
  }
}

void sl_build_syntax_error(sl_build *b, const void *parser, int major,
                           const sl_ast_token *tok) {
  char expected[256];
  if (b->status)
    return;
  describe_expected(parser, expected, sizeof expected);

  if (major == 0) {
    /* At the end of input, point just past the last token. */
    if (expected[0])
      sl_build_error_at(b, tok->prev_end, "expected %s at end of input",
                        expected);
    else
      sl_build_error_at(b, tok->prev_end, "unexpected end of input");
    return;
  }
  int len = (int)(tok->raw_len > 40 ? 40 : tok->raw_len);
  if (expected[0])
    sl_build_error_at(b, tok->pos, "expected %s near \"%.*s\"", expected,
                      len, tok->raw);
  else
    sl_build_error_at(b, tok->pos, "syntax error near \"%.*s\"", len,
                      tok->raw);
}

/* ------------------------------------------------------------------ */
/* Allocation and lists                                                */
/* ------------------------------------------------------------------ */

static void *bnew(sl_build *b, size_t size) {
  void *p = sl_arena_calloc(b->arena, 1, size);
  if (!p)
    sl_build_nomem(b);
  return p;
}

/* Makes room for one more element in an arena array.  field points at the
 * list's items pointer (of any pointer type); it is read and written with
 * memcpy so that one helper serves every list type. */
static bool reserve(sl_build *b, void *field, int n, int *cap, size_t elem) {
  if (n < *cap)
    return true;
  if (*cap > INT_MAX / 2) {
    sl_build_nomem(b);
    return false;
  }
  int ncap = *cap ? *cap * 2 : 4;
  void *p = sl_arena_alloc(b->arena, (size_t)ncap * elem);
  if (!p) {
    sl_build_nomem(b);
    return false;
  }
  void *old;
  memcpy(&old, field, sizeof old);
  if (n)
    memcpy(p, old, (size_t)n * elem);
  memcpy(field, &p, sizeof p);
  *cap = ncap;
  return true;
}

#define PUSH(b, list, item)                                              \
  (reserve((b), &(list)->items, (list)->n, &(list)->cap,                 \
           sizeof(*(list)->items))                                       \
       ? ((list)->items[(list)->n++] = (item), true)                     \
       : false)

/* A new list when list is NULL; NULL when out of memory. */
#define LIST_OR_NEW(b, list) ((list) ? (list) : bnew((b), sizeof(*(list))))

/* Hands a type to the parse result.  Returns false (and frees type) when
 * out of memory. */
static bool own_type(sl_build *b, sl_type *type) {
  sl_parse_result *r = b->result;
  if (!type || type->is_static)
    return true;
  if (r->ntypes == r->cap_types) {
    size_t cap = r->cap_types ? r->cap_types * 2 : 16;
    sl_type **p = realloc(r->types, cap * sizeof(*p));
    if (!p) {
      sl_type_free(type);
      sl_build_nomem(b);
      return false;
    }
    r->types = p;
    r->cap_types = cap;
  }
  r->types[r->ntypes++] = type;
  return true;
}

static const char *token_string(sl_build *b, const sl_ast_token *t) {
  const char *s = sl_arena_strndup(b->arena, t->text, t->len);
  if (!s)
    sl_build_nomem(b);
  return s;
}

/* Parses the digits of an INTEGER token into *out.  False on overflow. */
static bool parse_int64(const char *digits, int64_t *out) {
  int64_t v = 0;
  for (const char *p = digits; *p; p++) {
    int d = *p - '0';
    if (d < 0 || d > 9)
      return false;
    if (v > (INT64_MAX - d) / 10)
      return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

/* ------------------------------------------------------------------ */
/* Script and statements                                               */
/* ------------------------------------------------------------------ */

static sl_ast_stmt *new_stmt(sl_build *b, sl_ast_stmt_kind kind,
                             sl_ast_pos pos) {
  sl_ast_stmt *s = bnew(b, sizeof *s);
  if (s) {
    s->kind = kind;
    s->pos = pos;
  }
  return s;
}

void sl_build_add_stmt(sl_build *b, sl_ast_stmt *stmt,
                       const sl_ast_token *semi) {
  sl_parse_result *r = b->result;
  int cap;
  if (!stmt)
    return;

  /* The statement ends where its last token ends, before any ';'. */
  stmt->span.start = stmt->pos;
  stmt->span.end = semi ? semi->prev_end : b->last.prev_end;
  if (stmt->kind == SL_AST_EXPLAIN && stmt->u.explain.stmt) {
    sl_ast_stmt *inner = stmt->u.explain.stmt;
    inner->span.start = inner->pos;
    inner->span.end = stmt->span.end;
  }

  cap = (int)r->cap_stmts;
  if (!reserve(b, &r->stmts, r->nstmts, &cap, sizeof(*r->stmts)))
    return;
  r->cap_stmts = (size_t)cap;
  r->stmts[r->nstmts++] = stmt;
}

sl_ast_stmt *sl_build_explain(sl_build *b, const sl_ast_token *t,
                              sl_ast_stmt *stmt) {
  if (!stmt)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_EXPLAIN, t->pos);
  if (s)
    s->u.explain.stmt = stmt;
  return s;
}

sl_ast_stmt *sl_build_explain_id(sl_build *b, const sl_ast_token *t,
                                 sl_ast_name id) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_EXPLAIN, t->pos);
  if (s)
    s->u.explain.query_id = id;
  return s;
}

static void copy_options(sl_ast_options *dst, const sl_ast_options *src) {
  if (src)
    *dst = *src;
}

sl_ast_stmt *sl_build_create_source(sl_build *b, const sl_ast_token *t,
                                    sl_ast_stmt_kind kind, int if_not_exists,
                                    sl_ast_name name, sl_build_elems *elems,
                                    sl_ast_options *options) {
  if (!elems)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, kind, t->pos);
  if (!s)
    return NULL;
  s->u.create_source.name = name;
  s->u.create_source.if_not_exists = if_not_exists != 0;
  s->u.create_source.columns = elems->columns;
  s->u.create_source.primary_key = elems->primary_key;
  s->u.create_source.primary_key_pos = elems->primary_key_pos;
  s->u.create_source.checks = elems->checks;
  s->u.create_source.watermark = elems->watermark;
  copy_options(&s->u.create_source.options, options);
  return s;
}

sl_ast_stmt *sl_build_create_as(sl_build *b, const sl_ast_token *t,
                                sl_ast_stmt_kind kind, int if_not_exists,
                                sl_ast_name name, sl_ast_options *options,
                                sl_ast_query *query) {
  if (!query)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, kind, t->pos);
  if (!s)
    return NULL;
  s->u.create_as.name = name;
  s->u.create_as.if_not_exists = if_not_exists != 0;
  copy_options(&s->u.create_as.options, options);
  s->u.create_as.query = query;
  return s;
}

sl_ast_stmt *sl_build_insert_query(sl_build *b, const sl_ast_token *t,
                                   sl_ast_name target, sl_ast_query *query) {
  if (!query)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_INSERT_QUERY, t->pos);
  if (s) {
    s->u.insert_query.target = target;
    s->u.insert_query.query = query;
  }
  return s;
}

sl_ast_stmt *sl_build_insert_values(sl_build *b, const sl_ast_token *t,
                                    sl_ast_name target,
                                    sl_ast_names *columns,
                                    sl_ast_rows *rows) {
  if (!rows)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_INSERT_VALUES, t->pos);
  if (!s)
    return NULL;
  s->u.insert_values.target = target;
  if (columns)
    s->u.insert_values.columns = *columns;
  s->u.insert_values.rows = *rows;
  return s;
}

sl_ast_stmt *sl_build_load(sl_build *b, const sl_ast_token *t,
                           const sl_ast_token *path, sl_ast_name target,
                           sl_ast_options *options) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_LOAD, t->pos);
  if (!s)
    return NULL;
  s->u.load.path = token_string(b, path);
  s->u.load.path_pos = path->pos;
  s->u.load.target = target;
  copy_options(&s->u.load.options, options);
  return s->u.load.path ? s : NULL;
}

sl_ast_stmt *sl_build_copy(sl_build *b, const sl_ast_token *t,
                           sl_ast_name source, const sl_ast_token *path) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_COPY, t->pos);
  if (!s)
    return NULL;
  s->u.copy.source = source;
  s->u.copy.path = token_string(b, path);
  s->u.copy.path_pos = path->pos;
  return s->u.copy.path ? s : NULL;
}

sl_ast_stmt *sl_build_create_model(sl_build *b, const sl_ast_token *t,
                                   int if_not_exists, sl_ast_name name,
                                   sl_ast_name model_type,
                                   sl_ast_features *features,
                                   sl_ast_expr *label, sl_ast_name source,
                                   sl_ast_expr *where,
                                   const sl_ast_token *file,
                                   sl_ast_options *options) {
  if (!features || (!file && !label))
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_CREATE_MODEL, t->pos);
  if (!s)
    return NULL;
  s->u.create_model.name = name;
  s->u.create_model.if_not_exists = if_not_exists != 0;
  s->u.create_model.model_type = model_type;
  s->u.create_model.features = *features;
  s->u.create_model.label = label;
  s->u.create_model.source = source;
  s->u.create_model.where = where;
  if (file) {
    s->u.create_model.file = token_string(b, file);
    s->u.create_model.file_pos = file->pos;
    if (!s->u.create_model.file)
      return NULL;
  }
  copy_options(&s->u.create_model.options, options);
  return s;
}

sl_ast_stmt *sl_build_evaluate(sl_build *b, const sl_ast_token *t,
                               sl_ast_model_refs *models, sl_ast_name source,
                               sl_ast_expr *where) {
  if (!models)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_EVALUATE_MODEL, t->pos);
  if (s) {
    s->u.evaluate.models = *models;
    s->u.evaluate.source = source;
    s->u.evaluate.where = where;
  }
  return s;
}

sl_ast_stmt *sl_build_create_function(sl_build *b, const sl_ast_token *t,
                                      int aggregate, int if_not_exists,
                                      sl_ast_name name, sl_ast_types *args,
                                      sl_build_type returns,
                                      sl_ast_name language,
                                      const sl_ast_token *library,
                                      const sl_ast_token *symbol) {
  if (!returns.type || !own_type(b, returns.type) || !args)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_CREATE_FUNCTION, t->pos);
  if (!s)
    return NULL;
  s->u.create_function.name = name;
  s->u.create_function.if_not_exists = if_not_exists != 0;
  s->u.create_function.aggregate = aggregate != 0;
  s->u.create_function.args = *args;
  s->u.create_function.returns = returns.type;
  s->u.create_function.returns_pos = returns.pos;
  s->u.create_function.language = language;
  s->u.create_function.library = token_string(b, library);
  s->u.create_function.library_pos = library->pos;
  if (symbol) {
    s->u.create_function.symbol = token_string(b, symbol);
    s->u.create_function.symbol_pos = symbol->pos;
  }
  return s;
}

sl_ast_stmt *sl_build_drop(sl_build *b, const sl_ast_token *t, int object,
                           int if_exists, sl_ast_name name,
                           int delete_topic) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_DROP, t->pos);
  if (s) {
    s->u.drop.object = (sl_ast_object_kind)object;
    s->u.drop.if_exists = if_exists != 0;
    s->u.drop.name = name;
    s->u.drop.delete_topic = delete_topic != 0;
  }
  return s;
}

sl_ast_stmt *sl_build_show(sl_build *b, const sl_ast_token *t, int what) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_SHOW, t->pos);
  if (s)
    s->u.show.what = (sl_ast_show_kind)what;
  return s;
}

sl_ast_stmt *sl_build_describe(sl_build *b, const sl_ast_token *t,
                               sl_ast_name name, int function) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_DESCRIBE, t->pos);
  if (s) {
    s->u.describe.name = name;
    s->u.describe.function = function != 0;
  }
  return s;
}

sl_ast_stmt *sl_build_terminate(sl_build *b, const sl_ast_token *t,
                                const sl_ast_name *id) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_TERMINATE, t->pos);
  if (!s)
    return NULL;
  if (id)
    s->u.terminate.query_id = *id;
  else
    s->u.terminate.all = true;
  return s;
}

sl_ast_stmt *sl_build_set(sl_build *b, const sl_ast_token *t,
                          const sl_ast_token *property,
                          const sl_ast_token *value) {
  sl_ast_stmt *s = new_stmt(b, value ? SL_AST_SET : SL_AST_UNSET, t->pos);
  if (!s)
    return NULL;
  s->u.set.property = token_string(b, property);
  s->u.set.property_pos = property->pos;
  if (value) {
    s->u.set.value = token_string(b, value);
    s->u.set.value_pos = value->pos;
  }
  if (property->len == 0)
    sl_build_error_at(b, property->pos, "empty property name in %s",
                      value ? "SET" : "UNSET");
  return s;
}

/* Reads a LIMIT count. */
static bool read_limit(sl_build *b, const sl_ast_token *t, int64_t *out) {
  if (!parse_int64(t->text, out)) {
    sl_build_error_at(b, t->pos, "LIMIT %s is too large", t->text);
    return false;
  }
  return true;
}

sl_ast_stmt *sl_build_print(sl_build *b, const sl_ast_token *t,
                            const sl_ast_token *topic, int from_beginning,
                            const sl_ast_token *limit) {
  sl_ast_stmt *s = new_stmt(b, SL_AST_PRINT, t->pos);
  if (!s)
    return NULL;
  s->u.print.topic = token_string(b, topic);
  s->u.print.topic_pos = topic->pos;
  s->u.print.from_beginning = from_beginning != 0;
  if (limit) {
    s->u.print.has_limit = true;
    read_limit(b, limit, &s->u.print.limit);
  }
  return s;
}

sl_ast_stmt *sl_build_query_stmt(sl_build *b, sl_ast_query *query) {
  if (!query)
    return NULL;
  sl_ast_stmt *s = new_stmt(b, SL_AST_QUERY, query->pos);
  if (s)
    s->u.query.query = query;
  return s;
}

/* ------------------------------------------------------------------ */
/* Statement parts                                                     */
/* ------------------------------------------------------------------ */

sl_ast_name sl_build_name(const sl_ast_token *t) {
  sl_ast_name n = {t->text, t->quoted, t->pos};
  return n;
}

sl_ast_name sl_build_no_name(void) {
  sl_ast_name n = {NULL, false, {0, 0, 0}};
  return n;
}

sl_ast_token *sl_build_token_copy(sl_build *b, const sl_ast_token *t) {
  sl_ast_token *c = bnew(b, sizeof *c);
  if (c)
    *c = *t;
  return c;
}

sl_ast_names *sl_build_names(sl_build *b, sl_ast_names *list,
                             sl_ast_name name) {
  list = LIST_OR_NEW(b, list);
  if (!list || !PUSH(b, list, name))
    return NULL;
  return list;
}

sl_ast_options *sl_build_option(sl_build *b, sl_ast_options *list,
                                sl_ast_name name, sl_ast_expr *value) {
  if (!value)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list)
    return NULL;

  /* Options are a set: a second mention is a mistake, not an override. */
  for (int i = 0; i < list->n; i++) {
    if (strcmp(list->items[i]->name.text, name.text) == 0) {
      sl_build_error_at(b, name.pos, "option \"%s\" given twice", name.text);
      return NULL;
    }
  }
  sl_ast_option *o = bnew(b, sizeof *o);
  if (!o)
    return NULL;
  o->name = name;
  o->value = value;
  return PUSH(b, list, o) ? list : NULL;
}

sl_build_elems *sl_build_elems_column(sl_build *b, sl_build_elems *elems,
                                      sl_ast_column_def *column) {
  if (!column)
    return NULL;
  elems = LIST_OR_NEW(b, elems);
  if (!elems)
    return NULL;
  for (int i = 0; i < elems->columns.n; i++) {
    const sl_ast_name *other = &elems->columns.items[i]->name;
    if (strcmp(other->text, column->name.text) == 0) {
      sl_build_error_at(b, column->name.pos, "column \"%s\" declared twice",
                        column->name.text);
      return NULL;
    }
  }
  return PUSH(b, &elems->columns, column) ? elems : NULL;
}

sl_build_elems *sl_build_elems_check(sl_build *b, sl_build_elems *elems,
                                     const sl_ast_token *t,
                                     sl_ast_expr *condition) {
  if (!elems || !condition)
    return NULL;
  sl_ast_check *c = bnew(b, sizeof *c);
  if (!c)
    return NULL;
  c->pos = t->pos;
  c->condition = condition;
  return PUSH(b, &elems->checks, c) ? elems : NULL;
}

sl_build_elems *sl_build_elems_watermark(sl_build *b, sl_build_elems *elems,
                                         const sl_ast_token *t,
                                         sl_ast_name column,
                                         sl_ast_expr *expr) {
  if (!elems || !expr)
    return NULL;
  if (elems->watermark) {
    sl_build_error_at(b, t->pos, "a stream has one WATERMARK; the first "
                                 "is at line %d",
                      elems->watermark->pos.line);
    return NULL;
  }
  sl_ast_watermark *w = bnew(b, sizeof *w);
  if (!w)
    return NULL;
  w->pos = t->pos;
  w->column = column;
  w->expr = expr;
  elems->watermark = w;
  return elems;
}

sl_build_elems *sl_build_elems_primary_key(sl_build *b,
                                           sl_build_elems *elems,
                                           const sl_ast_token *t,
                                           sl_ast_names *columns) {
  if (!elems || !columns)
    return NULL;
  if (elems->primary_key.n > 0) {
    sl_build_error_at(b, t->pos, "PRIMARY KEY given twice");
    return NULL;
  }
  elems->primary_key = *columns;
  elems->primary_key_pos = t->pos;
  return elems;
}

sl_ast_column_def *sl_build_column(sl_build *b, sl_ast_name name,
                                   sl_build_type type, int constraints) {
  if (!type.type || !own_type(b, type.type))
    return NULL;
  sl_ast_column_def *c = bnew(b, sizeof *c);
  if (!c)
    return NULL;
  c->name = name;
  c->type = type.type;
  c->type_pos = type.pos;
  c->not_null = (constraints & 1) != 0;
  c->primary_key = (constraints & 2) != 0;
  return c;
}

sl_ast_rows *sl_build_rows(sl_build *b, sl_ast_rows *list,
                           sl_ast_exprs *row) {
  if (!row)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list || !PUSH(b, list, row))
    return NULL;
  return list;
}

sl_ast_features *sl_build_feature(sl_build *b, sl_ast_features *list,
                                  sl_ast_expr *expr,
                                  const sl_ast_name *alias) {
  if (!expr)
    return NULL;
  list = LIST_OR_NEW(b, list);
  sl_ast_feature *f = list ? bnew(b, sizeof *f) : NULL;
  if (!f)
    return NULL;
  f->pos = expr->pos;
  f->expr = expr;
  f->alias = alias ? *alias : sl_build_no_name();
  return PUSH(b, list, f) ? list : NULL;
}

sl_ast_model_refs *sl_build_model_ref(sl_build *b, sl_ast_model_refs *list,
                                      sl_ast_name name,
                                      const sl_ast_token *version) {
  list = LIST_OR_NEW(b, list);
  sl_ast_model_ref *m = list ? bnew(b, sizeof *m) : NULL;
  if (!m)
    return NULL;
  m->name = name;
  if (version) {
    m->version_pos = version->pos;
    if (!parse_int64(version->text, &m->version) || m->version < 1) {
      sl_build_error_at(b, version->pos, "invalid model version %s; "
                                         "versions count from 1",
                        version->text);
      return NULL;
    }
  }
  return PUSH(b, list, m) ? list : NULL;
}

sl_ast_types *sl_build_types(sl_build *b, sl_ast_types *list,
                             const sl_build_type *type) {
  if (type && !type->type)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list) {
    if (type)
      sl_type_free(type->type);
    return NULL;
  }
  if (!type)
    return list; /* the empty list of f() */
  if (!own_type(b, type->type))
    return NULL;

  /* pos grows beside items; reserve both before pushing either. */
  int cap = list->cap, pcap = list->cap;
  if (!reserve(b, &list->items, list->n, &cap, sizeof(*list->items)) ||
      !reserve(b, &list->pos, list->n, &pcap, sizeof(*list->pos)))
    return NULL;
  list->cap = cap;
  list->pos[list->n] = type->pos;
  list->items[list->n++] = type->type;
  return list;
}

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

/* A finished type and its position, or {NULL, pos} after an error. */
static sl_build_type built(sl_type *type, sl_ast_pos pos) {
  sl_build_type t = {type, pos};
  return t;
}

sl_build_type sl_build_type_named(sl_build *b, sl_ast_name name,
                                  const sl_ast_token *precision,
                                  const sl_ast_token *scale) {
  static const struct {
    const char *name;
    sl_type_kind kind;
  } scalars[] = {
      {"boolean", SL_TYPE_BOOLEAN}, {"int", SL_TYPE_INT},
      {"integer", SL_TYPE_INT},     {"bigint", SL_TYPE_BIGINT},
      {"double", SL_TYPE_DOUBLE},   {"float", SL_TYPE_DOUBLE},
      {"varchar", SL_TYPE_VARCHAR}, {"string", SL_TYPE_VARCHAR},
      {"text", SL_TYPE_VARCHAR},    {"bytes", SL_TYPE_BYTES},
      {"date", SL_TYPE_DATE},       {"timestamp", SL_TYPE_TIMESTAMP},
      {"interval", SL_TYPE_INTERVAL},
  };
  const char *n = name.text;

  if (!name.quoted && (strcmp(n, "decimal") == 0 ||
                       strcmp(n, "numeric") == 0)) {
    int64_t p = 0, s = 0;
    if (!precision) {
      sl_build_error_at(b, name.pos, "DECIMAL needs a precision: "
                                     "DECIMAL(precision, scale)");
      return built(NULL, name.pos);
    }
    if (!parse_int64(precision->text, &p) || p < 1 ||
        p > SL_DECIMAL_MAX_PRECISION) {
      sl_build_error_at(b, precision->pos, "DECIMAL precision %s is out of "
                                           "range; expected 1 to %d",
                        precision->text, SL_DECIMAL_MAX_PRECISION);
      return built(NULL, name.pos);
    }
    if (scale && (!parse_int64(scale->text, &s) || s > p)) {
      sl_build_error_at(b, scale->pos, "DECIMAL scale %s is out of range; "
                                       "expected 0 to %d",
                        scale->text, (int)p);
      return built(NULL, name.pos);
    }
    sl_type *t = sl_type_new_decimal((int)p, (int)s);
    if (!t)
      sl_build_nomem(b);
    return built(t, name.pos);
  }

  for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
    if (name.quoted || strcmp(n, scalars[i].name) != 0)
      continue;
    if (precision) {
      sl_build_error_at(b, precision->pos, "type %s takes no parameters",
                        sl_type_kind_name(scalars[i].kind));
      return built(NULL, name.pos);
    }
    return built(sl_type_of_kind(scalars[i].kind), name.pos);
  }

  sl_build_error_at(b, name.pos,
                    "unknown type \"%s\"; expected BOOLEAN, INT, BIGINT, "
                    "DOUBLE, DECIMAL(p,s), VARCHAR, BYTES, DATE, TIMESTAMP, "
                    "INTERVAL, ARRAY<T>, MAP<VARCHAR,T> or STRUCT<...>",
                    n);
  return built(NULL, name.pos);
}

sl_build_type sl_build_type_array(sl_build *b, const sl_ast_token *t,
                                  sl_build_type elem) {
  if (!elem.type)
    return built(NULL, t->pos);
  sl_type *a = sl_type_new_array(elem.type);
  if (!a)
    sl_build_nomem(b);
  return built(a, t->pos);
}

sl_build_type sl_build_type_map(sl_build *b, const sl_ast_token *t,
                                sl_build_type key, sl_build_type value) {
  if (!key.type || !value.type) {
    sl_type_free(key.type);
    sl_type_free(value.type);
    return built(NULL, t->pos);
  }
  bool varchar = key.type->kind == SL_TYPE_VARCHAR;
  sl_type_free(key.type);
  if (!varchar) {
    sl_type_free(value.type);
    sl_build_error_at(b, key.pos, "MAP keys must be VARCHAR");
    return built(NULL, t->pos);
  }
  sl_type *m = sl_type_new_map(value.type);
  if (!m)
    sl_build_nomem(b);
  return built(m, t->pos);
}

void sl_build_fields_free(sl_build_fields *fields) {
  if (!fields)
    return;
  for (int i = 0; i < fields->n; i++) {
    free(fields->items[i].name);
    sl_type_free(fields->items[i].type);
  }
  free(fields->items);
  free(fields);
}

sl_build_fields *sl_build_struct_field(sl_build *b, sl_build_fields *list,
                                       sl_ast_name name, sl_build_type type) {
  if (!type.type) {
    sl_build_fields_free(list);
    return NULL;
  }
  if (!list && !(list = calloc(1, sizeof *list)))
    goto nomem;
  for (int i = 0; i < list->n; i++) {
    if (strcmp(list->items[i].name, name.text) == 0) {
      sl_build_error_at(b, name.pos, "field \"%s\" declared twice in "
                                     "STRUCT", name.text);
      sl_type_free(type.type);
      sl_build_fields_free(list);
      return NULL;
    }
  }
  if (list->n == list->cap) {
    int cap = list->cap ? list->cap * 2 : 4;
    sl_type_field *items =
        realloc(list->items, (size_t)cap * sizeof(*items));
    if (!items)
      goto nomem;
    list->items = items;
    list->cap = cap;
  }
  char *copy = strdup(name.text);
  if (!copy)
    goto nomem;
  list->items[list->n].name = copy;
  list->items[list->n].type = type.type;
  list->n++;
  return list;

nomem:
  sl_type_free(type.type);
  sl_build_fields_free(list);
  sl_build_nomem(b);
  return NULL;
}

sl_build_type sl_build_type_struct(sl_build *b, const sl_ast_token *t,
                                   sl_build_fields *fields) {
  if (!fields)
    return built(NULL, t->pos);

  /* sl_type_new_struct takes the names and types and copies the array. */
  sl_type *s = sl_type_new_struct(fields->n, fields->items);
  free(fields->items);
  free(fields);
  if (!s)
    sl_build_nomem(b);
  return built(s, t->pos);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

sl_build_with sl_build_with_none(void) {
  sl_build_with w = {NULL, {0, 0, 0}};
  return w;
}

sl_build_with sl_build_with_of(const sl_ast_token *t, sl_ast_ctes *ctes) {
  sl_build_with w = {ctes, t->pos};
  return w;
}

sl_ast_query *sl_build_query(sl_build *b, sl_build_with with,
                             sl_ast_selects *selects, sl_build_emit emit,
                             const sl_ast_token *limit) {
  if (!selects)
    return NULL;
  sl_ast_query *q = bnew(b, sizeof *q);
  if (!q)
    return NULL;
  q->pos = with.ctes ? with.pos : selects->items[0]->pos;
  if (with.ctes)
    q->ctes = *with.ctes;
  q->selects = *selects;
  q->emit = emit.kind;
  q->emit_pos = emit.pos;
  if (limit) {
    q->has_limit = true;
    q->limit_pos = limit->pos;
    if (!read_limit(b, limit, &q->limit))
      return NULL;
  }
  return q;
}

sl_ast_ctes *sl_build_cte(sl_build *b, sl_ast_ctes *list, sl_ast_name name,
                          sl_ast_query *query) {
  if (!query)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list)
    return NULL;
  for (int i = 0; i < list->n; i++) {
    if (strcmp(list->items[i]->name.text, name.text) == 0) {
      sl_build_error_at(b, name.pos, "WITH query \"%s\" defined twice",
                        name.text);
      return NULL;
    }
  }
  sl_ast_cte *c = bnew(b, sizeof *c);
  if (!c)
    return NULL;
  c->name = name;
  c->query = query;
  return PUSH(b, list, c) ? list : NULL;
}

sl_ast_selects *sl_build_selects(sl_build *b, sl_ast_selects *list,
                                 sl_ast_select *select) {
  if (!select)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list || !PUSH(b, list, select))
    return NULL;
  return list;
}

sl_build_emit sl_build_emit_none(void) {
  sl_build_emit e = {SL_AST_EMIT_NONE, {0, 0, 0}};
  return e;
}

sl_build_emit sl_build_emit_of(const sl_ast_token *t, sl_ast_emit kind) {
  sl_build_emit e = {kind, t->pos};
  return e;
}

sl_ast_select *sl_build_select(sl_build *b, const sl_ast_token *t,
                               sl_ast_select_items *items, sl_ast_from *from,
                               sl_ast_expr *where, sl_build_windows *windows,
                               sl_build_group group, sl_ast_expr *having) {
  if (!items)
    return NULL;
  sl_ast_select *s = bnew(b, sizeof *s);
  if (!s)
    return NULL;
  s->pos = t->pos;
  s->items = *items;
  s->from = from;
  s->where = where;
  if (windows) {
    s->window = windows->window;
    if (windows->named)
      s->named_windows = *windows->named;
  }
  if (group.exprs)
    s->group_by = *group.exprs;
  s->group_by_pos = group.pos;
  s->having = having;
  return s;
}

sl_ast_select_items *sl_build_selitems(sl_build *b,
                                       sl_ast_select_items *list,
                                       sl_ast_select_item *item) {
  if (!item)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list || !PUSH(b, list, item))
    return NULL;
  return list;
}

sl_ast_select_item *sl_build_selitem_expr(sl_build *b, sl_ast_expr *expr,
                                          const sl_ast_name *alias) {
  if (!expr)
    return NULL;
  sl_ast_select_item *i = bnew(b, sizeof *i);
  if (!i)
    return NULL;
  i->kind = SL_AST_ITEM_EXPR;
  i->pos = expr->pos;
  i->expr = expr;
  if (alias)
    i->alias = *alias;
  return i;
}

sl_ast_select_item *sl_build_selitem_star(sl_build *b, const sl_ast_token *t,
                                          sl_ast_expr *qualifier) {
  sl_ast_select_item *i = bnew(b, sizeof *i);
  if (!i)
    return NULL;
  if (!qualifier) {
    i->kind = SL_AST_ITEM_STAR;
    i->pos = t->pos;
    return i;
  }
  if (qualifier->kind != SL_AST_COLUMN ||
      qualifier->u.column.parts.n != 1) {
    sl_build_error_at(b, qualifier->pos, "expected a source name before "
                                         "\".*\"");
    return NULL;
  }
  i->kind = SL_AST_ITEM_SOURCE_STAR;
  i->pos = qualifier->pos;
  i->source = qualifier->u.column.parts.items[0];
  return i;
}

sl_ast_from *sl_build_join(sl_build *b, const sl_ast_token *t, int kind,
                           sl_ast_from *left, sl_ast_from *right,
                           sl_ast_expr *system_time,
                           const sl_build_within *within, sl_ast_expr *grace,
                           sl_ast_expr *on) {
  if (!left || !right || !on)
    return NULL;
  sl_ast_from *f = bnew(b, sizeof *f);
  if (!f)
    return NULL;
  f->kind = SL_AST_FROM_JOIN;
  f->pos = left->pos;
  f->height = left->height + 1;
  if (f->height > SL_AST_MAX_HEIGHT) {
    sl_build_error_at(b, t->pos, "too many joins (more than %d)",
                      SL_AST_MAX_HEIGHT - 1);
    return NULL;
  }
  f->u.join.kind = (sl_ast_join_kind)kind;
  f->u.join.join_pos = t->pos;
  f->u.join.left = left;
  f->u.join.right = right;
  f->u.join.system_time = system_time;
  f->u.join.within = within->kind;
  f->u.join.before = within->before;
  f->u.join.after = within->after;
  f->u.join.within_pos = within->pos;
  f->u.join.grace = grace;
  f->u.join.on = on;
  return f;
}

sl_ast_from *sl_build_source(sl_build *b, sl_ast_name name,
                             sl_ast_name alias) {
  sl_ast_from *f = bnew(b, sizeof *f);
  if (!f)
    return NULL;
  f->kind = SL_AST_FROM_SOURCE;
  f->pos = name.pos;
  f->height = 1;
  f->alias = alias;
  f->u.source.name = name;
  return f;
}

sl_ast_from *sl_build_subquery(sl_build *b, const sl_ast_token *t,
                               sl_ast_query *query, sl_ast_name alias) {
  if (!query)
    return NULL;
  sl_ast_from *f = bnew(b, sizeof *f);
  if (!f)
    return NULL;
  f->kind = SL_AST_FROM_SUBQUERY;
  f->pos = t->pos;
  f->height = 1;
  f->alias = alias;
  f->u.subquery.query = query;
  return f;
}

sl_build_within sl_build_within_none(void) {
  sl_build_within w = {SL_AST_WITHIN_NONE, {0, 0, 0}, NULL, NULL};
  return w;
}

sl_build_within sl_build_within_of(const sl_ast_token *t, sl_ast_expr *x,
                                   sl_ast_expr *y) {
  sl_build_within w;
  w.kind = y ? SL_AST_WITHIN_ASYMMETRIC : SL_AST_WITHIN_SYMMETRIC;
  w.pos = t->pos;
  w.before = x;
  w.after = y ? y : x;
  return w;
}

sl_build_windows *sl_build_windows_of(sl_build *b, sl_ast_window *window,
                                      sl_ast_named_windows *named) {
  sl_build_windows *w = bnew(b, sizeof *w);
  if (!w)
    return NULL;
  w->window = window;
  w->named = named;
  return w;
}

sl_ast_window *sl_build_window_kind(sl_build *b, const sl_ast_token *t,
                                    sl_ast_window_kind kind,
                                    sl_ast_window *window) {
  if (!window)
    return NULL;
  window->kind = kind;
  window->pos = t->pos;
  return window;
}

sl_ast_window *sl_build_window_opt(sl_build *b, sl_ast_window *window,
                                   sl_build_wopt opt) {
  static const char *const names[] = {"SIZE", "ADVANCE BY", "GAP",
                                      "GRACE PERIOD"};
  if (!opt.expr)
    return NULL;
  window = LIST_OR_NEW(b, window);
  if (!window)
    return NULL;

  sl_ast_expr **slot;
  sl_ast_pos *pos;
  switch (opt.which) {
  case 0: slot = &window->size; pos = &window->size_pos; break;
  case 1: slot = &window->advance; pos = &window->advance_pos; break;
  case 2: slot = &window->gap; pos = &window->gap_pos; break;
  default: slot = &window->grace; pos = &window->grace_pos; break;
  }
  if (*slot) {
    sl_build_error_at(b, opt.pos, "%s given twice in window",
                      names[opt.which & 3]);
    return NULL;
  }
  *slot = opt.expr;
  *pos = opt.pos;
  return window;
}

sl_build_wopt sl_build_wopt_of(const sl_ast_token *t, int which,
                               sl_ast_expr *expr) {
  sl_build_wopt o = {which, t->pos, expr};
  return o;
}

sl_ast_named_windows *sl_build_named_window(sl_build *b,
                                            sl_ast_named_windows *list,
                                            sl_ast_name name,
                                            sl_ast_window_spec *spec) {
  if (!spec)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list)
    return NULL;
  for (int i = 0; i < list->n; i++) {
    if (strcmp(list->items[i]->name.text, name.text) == 0) {
      sl_build_error_at(b, name.pos, "window \"%s\" defined twice",
                        name.text);
      return NULL;
    }
  }
  sl_ast_named_window *w = bnew(b, sizeof *w);
  if (!w)
    return NULL;
  w->name = name;
  w->spec = spec;
  return PUSH(b, list, w) ? list : NULL;
}

sl_ast_window_spec *sl_build_window_spec(sl_build *b,
                                         sl_ast_exprs *partition_by,
                                         sl_ast_order_items *order_by,
                                         sl_build_range range) {
  sl_ast_window_spec *s = bnew(b, sizeof *s);
  if (!s)
    return NULL;
  if (partition_by)
    s->partition_by = *partition_by;
  if (order_by)
    s->order_by = *order_by;
  s->range = range.expr;
  s->range_pos = range.pos;

  /* The spec starts at its first clause. */
  if (partition_by)
    s->pos = partition_by->items[0]->pos;
  else if (order_by)
    s->pos = order_by->items[0]->pos;
  else
    s->pos = range.pos;
  return s;
}

sl_ast_order_items *sl_build_order(sl_build *b, sl_ast_order_items *list,
                                   sl_ast_expr *expr, int desc) {
  if (!expr)
    return NULL;
  list = LIST_OR_NEW(b, list);
  sl_ast_order_item *o = list ? bnew(b, sizeof *o) : NULL;
  if (!o)
    return NULL;
  o->pos = expr->pos;
  o->expr = expr;
  o->desc = desc != 0;
  return PUSH(b, list, o) ? list : NULL;
}

sl_build_range sl_build_range_none(void) {
  sl_build_range r = {NULL, {0, 0, 0}};
  return r;
}

sl_build_range sl_build_range_of(const sl_ast_token *t, sl_ast_expr *expr) {
  sl_build_range r = {expr, t->pos};
  return r;
}

sl_build_group sl_build_group_none(void) {
  sl_build_group g = {NULL, {0, 0, 0}};
  return g;
}

sl_build_group sl_build_group_of(const sl_ast_token *t, sl_ast_exprs *exprs) {
  sl_build_group g = {exprs, t->pos};
  return g;
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

static sl_ast_expr *new_expr(sl_build *b, sl_ast_expr_kind kind,
                             sl_ast_pos pos) {
  sl_ast_expr *e = bnew(b, sizeof *e);
  if (e) {
    e->kind = kind;
    e->pos = pos;
    e->height = 1;
  }
  return e;
}

static int max_int(int a, int b) { return a > b ? a : b; }

static int height_of(const sl_ast_expr *e) { return e ? e->height : 0; }

static int exprs_height(const sl_ast_exprs *l) {
  int h = 0;
  for (int i = 0; l && i < l->n; i++)
    h = max_int(h, l->items[i]->height);
  return h;
}

/* Sets e's height from its tallest child; NULL with an error when the
 * tree would grow beyond SL_AST_MAX_HEIGHT (left-deep chains such as
 * a + a + ... never deepen the parser's stack, so the builder counts). */
static sl_ast_expr *finish(sl_build *b, sl_ast_expr *e, int child_height) {
  if (!e)
    return NULL;
  e->height = child_height + 1;
  if (e->height > SL_AST_MAX_HEIGHT) {
    sl_build_error_at(b, e->pos, "expression nested too deeply (more "
                                 "than %d levels)", SL_AST_MAX_HEIGHT);
    return NULL;
  }
  return e;
}

sl_ast_expr *sl_build_binary(sl_build *b, const sl_ast_token *t,
                             sl_ast_binary_op op, sl_ast_expr *left,
                             sl_ast_expr *right) {
  if (!left || !right)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_BINARY, left->pos);
  if (e) {
    e->u.binary.op = op;
    e->u.binary.left = left;
    e->u.binary.right = right;
    e->u.binary.op_pos = t->pos;
  }
  return finish(b, e, max_int(left->height, right->height));
}

sl_ast_expr *sl_build_unary(sl_build *b, const sl_ast_token *t,
                            sl_ast_unary_op op, sl_ast_expr *operand) {
  if (!operand)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_UNARY, t->pos);
  if (e) {
    e->u.unary.op = op;
    e->u.unary.operand = operand;
  }
  return finish(b, e, operand->height);
}

sl_ast_expr *sl_build_is_null(sl_build *b, const sl_ast_token *t,
                              sl_ast_expr *operand, int negated) {
  if (!operand)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_IS_NULL, operand->pos);
  if (e) {
    e->u.is_null.operand = operand;
    e->u.is_null.negated = negated != 0;
    e->u.is_null.op_pos = t->pos;
  }
  return finish(b, e, operand->height);
}

sl_ast_expr *sl_build_between(sl_build *b, const sl_ast_token *t,
                              sl_ast_expr *operand, sl_ast_expr *low,
                              sl_ast_expr *high, int negated) {
  if (!operand || !low || !high)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_BETWEEN, operand->pos);
  if (e) {
    e->u.between.operand = operand;
    e->u.between.low = low;
    e->u.between.high = high;
    e->u.between.negated = negated != 0;
    e->u.between.op_pos = t->pos;
  }
  return finish(b, e, max_int(operand->height,
                              max_int(low->height, high->height)));
}

sl_ast_expr *sl_build_in(sl_build *b, const sl_ast_token *t,
                         sl_ast_expr *operand, sl_ast_exprs *list,
                         int negated) {
  if (!operand || !list)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_IN, operand->pos);
  if (e) {
    e->u.in.operand = operand;
    e->u.in.list = *list;
    e->u.in.negated = negated != 0;
    e->u.in.op_pos = t->pos;
  }
  return finish(b, e, max_int(operand->height, exprs_height(list)));
}

sl_ast_expr *sl_build_like(sl_build *b, const sl_ast_token *t,
                           sl_ast_expr *operand, sl_ast_expr *pattern,
                           int negated) {
  if (!operand || !pattern)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_LIKE, operand->pos);
  if (e) {
    e->u.like.operand = operand;
    e->u.like.pattern = pattern;
    e->u.like.negated = negated != 0;
    e->u.like.op_pos = t->pos;
  }
  return finish(b, e, max_int(operand->height, pattern->height));
}

sl_ast_expr *sl_build_cast(sl_build *b, const sl_ast_token *t,
                           sl_ast_expr *operand, sl_build_type type,
                           int colon_form) {
  if (!operand || !type.type) {
    sl_type_free(type.type);
    return NULL;
  }
  if (!own_type(b, type.type))
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_CAST, colon_form ? operand->pos
                                                       : t->pos);
  if (e) {
    e->u.cast.operand = operand;
    e->u.cast.type = type.type;
    e->u.cast.type_pos = type.pos;
    e->u.cast.colon_form = colon_form != 0;
  }
  return finish(b, e, operand->height);
}

sl_ast_expr *sl_build_subscript(sl_build *b, const sl_ast_token *t,
                                sl_ast_expr *base, sl_ast_expr *index) {
  if (!base || !index)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_SUBSCRIPT, base->pos);
  if (e) {
    e->u.subscript.base = base;
    e->u.subscript.index = index;
    e->u.subscript.op_pos = t->pos;
  }
  return finish(b, e, max_int(base->height, index->height));
}

sl_ast_expr *sl_build_field_access(sl_build *b, sl_ast_expr *base,
                                   sl_ast_name name) {
  if (!base)
    return NULL;

  /* a.b.c stays one column reference with three parts: which part names
   * the source is the binder's decision. */
  if (base->kind == SL_AST_COLUMN)
    return PUSH(b, &base->u.column.parts, name) ? base : NULL;

  sl_ast_expr *e = new_expr(b, SL_AST_FIELD, base->pos);
  if (e) {
    e->u.field.base = base;
    e->u.field.name = name;
  }
  return finish(b, e, base->height);
}

sl_ast_expr *sl_build_number(sl_build *b, const sl_ast_token *t,
                             sl_ast_literal_kind kind) {
  sl_ast_expr *e = new_expr(b, SL_AST_LITERAL, t->pos);
  if (!e)
    return NULL;
  sl_ast_literal *l = &e->u.literal;
  l->kind = kind;
  l->text = t->text;
  errno = 0;
  l->dbl = strtod(t->text, NULL);
  if (kind == SL_AST_LIT_INTEGER) {
    l->fits_int64 = parse_int64(t->text, &l->integer);
  } else if (kind == SL_AST_LIT_DOUBLE && (errno == ERANGE &&
                                           isinf(l->dbl))) {
    sl_build_error_at(b, t->pos, "number %s is out of range for DOUBLE",
                      t->text);
    return NULL;
  }
  return e;
}

sl_ast_expr *sl_build_string(sl_build *b, const sl_ast_token *t,
                             sl_ast_literal_kind kind) {
  sl_ast_expr *e = new_expr(b, SL_AST_LITERAL, t->pos);
  if (e) {
    e->u.literal.kind = kind;
    e->u.literal.text = t->text;
  }
  return e;
}

sl_ast_expr *sl_build_boolean(sl_build *b, const sl_ast_token *t,
                              int value) {
  sl_ast_expr *e = new_expr(b, SL_AST_LITERAL, t->pos);
  if (e) {
    e->u.literal.kind = SL_AST_LIT_BOOLEAN;
    e->u.literal.boolean = value != 0;
  }
  return e;
}

sl_ast_expr *sl_build_null(sl_build *b, const sl_ast_token *t) {
  sl_ast_expr *e = new_expr(b, SL_AST_LITERAL, t->pos);
  if (e)
    e->u.literal.kind = SL_AST_LIT_NULL;
  return e;
}

sl_ast_expr *sl_build_typed_string(sl_build *b, const sl_ast_token *keyword,
                                   const sl_ast_token *t,
                                   sl_ast_literal_kind kind) {
  sl_ast_expr *e = new_expr(b, SL_AST_LITERAL, keyword->pos);
  if (e) {
    e->u.literal.kind = kind;
    e->u.literal.text = t->text;
  }
  return e;
}

/* Reads an interval count ("5", "1.5", "-2" in the quoted form) and
 * multiplies it by the unit exactly.  False with an error when the text
 * is not a number, the result is not a whole number of milliseconds, or
 * it does not fit in 64 bits. */
static bool interval_ms(sl_build *b, sl_ast_pos pos, const char *text,
                        bool quoted, sl_ast_interval_unit unit,
                        int64_t *out) {
  const char *p = text;
  int64_t unit_ms = sl_ast_interval_unit_ms(unit);
  bool neg = false;

  if (quoted) {
    while (*p == ' ')
      p++;
    if (*p == '-' || *p == '+')
      neg = *p++ == '-';
  }

  /* Whole part. */
  int64_t whole = 0;
  const char *digits = p;
  while (*p >= '0' && *p <= '9') {
    int d = *p++ - '0';
    if (whole > (INT64_MAX - d) / 10)
      goto too_large;
    whole = whole * 10 + d;
  }
  bool have_digits = p > digits;

  /* Fraction: trailing zeros do not count, nine digits are plenty for
   * the finest unit that is not already milliseconds. */
  int64_t frac = 0, scale = 1;
  if (*p == '.') {
    p++;
    const char *f = p;
    while (*p >= '0' && *p <= '9')
      p++;
    have_digits = have_digits || p > f;
    const char *last = p;
    while (last > f && last[-1] == '0')
      last--;
    if (last - f > 9)
      goto not_whole;
    for (const char *q = f; q < last; q++) {
      frac = frac * 10 + (*q - '0');
      scale *= 10;
    }
  }
  if (quoted)
    while (*p == ' ')
      p++;
  if (!have_digits || *p) {
    sl_build_error_at(b, pos, "invalid interval '%s': expected a number "
                              "such as '5' or '1.5'", text);
    return false;
  }

  if (whole > INT64_MAX / unit_ms)
    goto too_large;
  int64_t ms = whole * unit_ms;
  if ((frac * unit_ms) % scale != 0)
    goto not_whole;
  if (ms > INT64_MAX - frac * unit_ms / scale)
    goto too_large;
  ms += frac * unit_ms / scale;
  *out = neg ? -ms : ms;
  return true;

not_whole:
  sl_build_error_at(b, pos, "interval %s %s is not a whole number of "
                            "milliseconds", text,
                    sl_ast_interval_unit_name(unit));
  return false;
too_large:
  sl_build_error_at(b, pos, "interval %s %s is too large", text,
                    sl_ast_interval_unit_name(unit));
  return false;
}

sl_ast_expr *sl_build_interval(sl_build *b, const sl_ast_token *keyword,
                               const sl_ast_token *t, int unit) {
  sl_ast_pos pos = keyword ? keyword->pos : t->pos;
  sl_ast_expr *e = new_expr(b, SL_AST_LITERAL, pos);
  if (!e)
    return NULL;
  sl_ast_literal *l = &e->u.literal;
  l->kind = SL_AST_LIT_INTERVAL;
  l->text = t->text;
  l->unit = (sl_ast_interval_unit)unit;
  if (!interval_ms(b, t->pos, t->text, keyword != NULL, l->unit,
                   &l->interval_ms))
    return NULL;
  return e;
}

sl_ast_expr *sl_build_column_ref(sl_build *b, sl_ast_name name) {
  sl_ast_expr *e = new_expr(b, SL_AST_COLUMN, name.pos);
  if (!e || !PUSH(b, &e->u.column.parts, name))
    return NULL;
  return e;
}

sl_ast_expr *sl_build_case(sl_build *b, const sl_ast_token *t,
                           sl_ast_expr *operand, sl_ast_whens *whens,
                           sl_ast_expr *else_expr) {
  if (!whens)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_CASE, t->pos);
  if (e) {
    e->u.case_.operand = operand;
    e->u.case_.whens = *whens;
    e->u.case_.else_expr = else_expr;
  }
  int h = max_int(height_of(operand), height_of(else_expr));
  for (int i = 0; i < whens->n; i++)
    h = max_int(h, max_int(whens->items[i]->when->height,
                           whens->items[i]->then->height));
  return finish(b, e, h);
}

sl_ast_whens *sl_build_when(sl_build *b, sl_ast_whens *list,
                            const sl_ast_token *t, sl_ast_expr *when,
                            sl_ast_expr *then) {
  if (!when || !then)
    return NULL;
  list = LIST_OR_NEW(b, list);
  sl_ast_when *w = list ? bnew(b, sizeof *w) : NULL;
  if (!w)
    return NULL;
  w->pos = t->pos;
  w->when = when;
  w->then = then;
  return PUSH(b, list, w) ? list : NULL;
}

sl_ast_expr *sl_build_array(sl_build *b, const sl_ast_token *t,
                            sl_ast_exprs *items) {
  sl_ast_expr *e = new_expr(b, SL_AST_ARRAY, t->pos);
  if (e && items)
    e->u.array.items = *items;
  return finish(b, e, exprs_height(items));
}

sl_ast_expr *sl_build_extract(sl_build *b, const sl_ast_token *t,
                              sl_ast_name part, sl_ast_expr *operand) {
  if (!operand)
    return NULL;
  sl_ast_expr *e = new_expr(b, SL_AST_EXTRACT, t->pos);
  if (e) {
    e->u.extract.part = part;
    e->u.extract.operand = operand;
  }
  return finish(b, e, operand->height);
}

sl_ast_expr *sl_build_predict(sl_build *b, const sl_ast_token *t,
                              sl_ast_name model, const sl_ast_token *version,
                              sl_ast_exprs *args) {
  sl_ast_expr *e = new_expr(b, SL_AST_PREDICT, t->pos);
  if (!e)
    return NULL;
  e->u.predict.model = model;
  if (version) {
    e->u.predict.version_pos = version->pos;
    if (!parse_int64(version->text, &e->u.predict.version) ||
        e->u.predict.version < 1) {
      sl_build_error_at(b, version->pos, "invalid model version %s; "
                                         "versions count from 1",
                        version->text);
      return NULL;
    }
  }
  if (args)
    e->u.predict.args = *args;
  return finish(b, e, exprs_height(args));
}

sl_ast_expr *sl_build_call(sl_build *b, sl_ast_name name, sl_ast_exprs *args,
                           int distinct, int star, sl_build_over over) {
  sl_ast_expr *e = new_expr(b, SL_AST_CALL, name.pos);
  if (!e)
    return NULL;
  e->u.call.name = name;
  if (args)
    e->u.call.args = *args;
  e->u.call.distinct = distinct != 0;
  e->u.call.star = star != 0;
  e->u.call.over = over.spec;
  e->u.call.over_name = over.name;

  int h = exprs_height(args);
  if (over.spec) {
    h = max_int(h, exprs_height(&over.spec->partition_by));
    h = max_int(h, height_of(over.spec->range));
    for (int i = 0; i < over.spec->order_by.n; i++)
      h = max_int(h, over.spec->order_by.items[i]->expr->height);
  }
  return finish(b, e, h);
}

sl_build_over sl_build_over_none(void) {
  sl_build_over o = {NULL, {NULL, false, {0, 0, 0}}};
  return o;
}

sl_build_over sl_build_over_spec(sl_ast_window_spec *spec) {
  sl_build_over o = sl_build_over_none();
  o.spec = spec;
  return o;
}

sl_build_over sl_build_over_name(sl_ast_name name) {
  sl_build_over o = {NULL, name};
  return o;
}

sl_ast_exprs *sl_build_exprs(sl_build *b, sl_ast_exprs *list,
                             sl_ast_expr *expr) {
  if (!expr)
    return NULL;
  list = LIST_OR_NEW(b, list);
  if (!list || !PUSH(b, list, expr))
    return NULL;
  return list;
}
