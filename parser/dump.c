/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dump.c - a stable text form of syntax trees.
 *
 * One node per line, children indented by two spaces.  A line starts with
 * the node's kind in lower case and continues with its attributes; names
 * print as written (quoted ones in double quotes), strings in single quotes
 * with '' for a quote and C-style escapes for control characters.  With
 * SL_AST_DUMP_POSITIONS each node line ends in @line:column.  Golden tests
 * compare this text, so any change to it is a change of the format.
 */
#include <inttypes.h>
#include <stdio.h>

#include "parser/parser.h"

typedef struct dumper {
  sl_strbuf *out;
  unsigned flags;
} dumper;

static void indent(dumper *d, int depth) {
  for (int i = 0; i < depth; i++)
    sl_strbuf_append(d->out, "  ", 2);
}

/* Ends a node line, with its position when asked for. */
static void endline(dumper *d, const sl_ast_pos *pos) {
  if (pos && (d->flags & SL_AST_DUMP_POSITIONS))
    sl_strbuf_appendf(d->out, " @%d:%d", pos->line, pos->column);
  sl_strbuf_appendc(d->out, '\n');
}

/* A whole line: indentation, text, position. */
static void line(dumper *d, int depth, const sl_ast_pos *pos,
                 const char *text) {
  indent(d, depth);
  sl_strbuf_appends(d->out, text);
  endline(d, pos);
}

static void put_name(dumper *d, const sl_ast_name *n) {
  if (!n->text) {
    sl_strbuf_appends(d->out, "?");
    return;
  }
  if (!n->quoted) {
    sl_strbuf_appends(d->out, n->text);
    return;
  }
  sl_strbuf_appendc(d->out, '"');
  for (const char *p = n->text; *p; p++) {
    if (*p == '"')
      sl_strbuf_appendc(d->out, '"');
    sl_strbuf_appendc(d->out, *p);
  }
  sl_strbuf_appendc(d->out, '"');
}

/* A string literal, quoted and escaped so that the dump stays one line. */
static void put_string(dumper *d, const char *s) {
  sl_strbuf_appendc(d->out, '\'');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '\'': sl_strbuf_appends(d->out, "''"); break;
    case '\\': sl_strbuf_appends(d->out, "\\\\"); break;
    case '\n': sl_strbuf_appends(d->out, "\\n"); break;
    case '\r': sl_strbuf_appends(d->out, "\\r"); break;
    case '\t': sl_strbuf_appends(d->out, "\\t"); break;
    default:
      if (*p < 0x20 || *p == 0x7F)
        sl_strbuf_appendf(d->out, "\\x%02X", *p);
      else
        sl_strbuf_appendc(d->out, (char)*p);
    }
  }
  sl_strbuf_appendc(d->out, '\'');
}

/* An upper-case enum name in lower case: "TRAINING SET" as "training set". */
static void put_lower(dumper *d, const char *s) {
  for (; *s; s++)
    sl_strbuf_appendc(d->out, *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a')
                                                     : *s);
}

static void put_type(dumper *d, const sl_type *t) {
  char buf[SL_TYPE_SQL_MAX];
  sl_strbuf_appends(d->out, t ? sl_type_to_sql(t, buf, sizeof buf) : "?");
}

static void dump_expr(dumper *d, const sl_ast_expr *e, int depth);
static void dump_query(dumper *d, const sl_ast_query *q, int depth);

static void dump_exprs(dumper *d, const sl_ast_exprs *l, int depth) {
  for (int i = 0; i < l->n; i++)
    dump_expr(d, l->items[i], depth);
}

/* A labelled child: "label" on its own line, the expression below. */
static void dump_child(dumper *d, const char *label, const sl_ast_expr *e,
                       int depth) {
  if (!e)
    return;
  line(d, depth, NULL, label);
  dump_expr(d, e, depth + 1);
}

static void dump_window_spec(dumper *d, const sl_ast_window_spec *s,
                             int depth) {
  if (s->partition_by.n) {
    line(d, depth, NULL, "partition_by");
    dump_exprs(d, &s->partition_by, depth + 1);
  }
  if (s->order_by.n) {
    line(d, depth, NULL, "order_by");
    for (int i = 0; i < s->order_by.n; i++) {
      const sl_ast_order_item *o = s->order_by.items[i];
      line(d, depth + 1, &o->pos, o->desc ? "desc" : "asc");
      dump_expr(d, o->expr, depth + 2);
    }
  }
  if (s->range) {
    line(d, depth, &s->range_pos, "range_preceding");
    dump_expr(d, s->range, depth + 1);
  }
}

static void dump_literal(dumper *d, const sl_ast_literal *l) {
  sl_strbuf *o = d->out;
  switch (l->kind) {
  case SL_AST_LIT_NULL:
    sl_strbuf_appends(o, "null");
    break;
  case SL_AST_LIT_BOOLEAN:
    sl_strbuf_appends(o, l->boolean ? "boolean true" : "boolean false");
    break;
  case SL_AST_LIT_INTEGER:
    sl_strbuf_appendf(o, "integer %s", l->text);
    if (!l->fits_int64)
      sl_strbuf_appends(o, " (beyond BIGINT)");
    break;
  case SL_AST_LIT_DECIMAL:
    sl_strbuf_appendf(o, "decimal %s", l->text);
    break;
  case SL_AST_LIT_DOUBLE:
    sl_strbuf_appendf(o, "double %s", l->text);
    break;
  case SL_AST_LIT_STRING:
    sl_strbuf_appends(o, "string ");
    put_string(d, l->text);
    break;
  case SL_AST_LIT_TIMESTAMP:
    sl_strbuf_appends(o, "timestamp ");
    put_string(d, l->text);
    break;
  case SL_AST_LIT_DATE:
    sl_strbuf_appends(o, "date ");
    put_string(d, l->text);
    break;
  case SL_AST_LIT_INTERVAL:
    sl_strbuf_appendf(o, "interval %" PRId64 "ms (%s %s)", l->interval_ms,
                      l->text, sl_ast_interval_unit_name(l->unit));
    break;
  }
}

static void dump_expr(dumper *d, const sl_ast_expr *e, int depth) {
  sl_strbuf *o = d->out;
  indent(d, depth);
  switch (e->kind) {
  case SL_AST_LITERAL:
    dump_literal(d, &e->u.literal);
    endline(d, &e->pos);
    return;

  case SL_AST_COLUMN:
    sl_strbuf_appends(o, "column ");
    for (int i = 0; i < e->u.column.parts.n; i++) {
      if (i)
        sl_strbuf_appendc(o, '.');
      put_name(d, &e->u.column.parts.items[i]);
    }
    endline(d, &e->pos);
    return;

  case SL_AST_UNARY:
    sl_strbuf_appendf(o, "unary %s", sl_ast_unary_op_name(e->u.unary.op));
    endline(d, &e->pos);
    dump_expr(d, e->u.unary.operand, depth + 1);
    return;

  case SL_AST_BINARY:
    sl_strbuf_appendf(o, "binary %s",
                      sl_ast_binary_op_name(e->u.binary.op));
    endline(d, &e->pos);
    dump_expr(d, e->u.binary.left, depth + 1);
    dump_expr(d, e->u.binary.right, depth + 1);
    return;

  case SL_AST_IS_NULL:
    sl_strbuf_appends(o, e->u.is_null.negated ? "is not null" : "is null");
    endline(d, &e->pos);
    dump_expr(d, e->u.is_null.operand, depth + 1);
    return;

  case SL_AST_BETWEEN:
    sl_strbuf_appends(o, e->u.between.negated ? "not between" : "between");
    endline(d, &e->pos);
    dump_expr(d, e->u.between.operand, depth + 1);
    dump_expr(d, e->u.between.low, depth + 1);
    dump_expr(d, e->u.between.high, depth + 1);
    return;

  case SL_AST_IN:
    sl_strbuf_appends(o, e->u.in.negated ? "not in" : "in");
    endline(d, &e->pos);
    dump_expr(d, e->u.in.operand, depth + 1);
    line(d, depth + 1, NULL, "list");
    dump_exprs(d, &e->u.in.list, depth + 2);
    return;

  case SL_AST_LIKE:
    sl_strbuf_appends(o, e->u.like.negated ? "not like" : "like");
    endline(d, &e->pos);
    dump_expr(d, e->u.like.operand, depth + 1);
    dump_expr(d, e->u.like.pattern, depth + 1);
    return;

  case SL_AST_CASE:
    sl_strbuf_appends(o, "case");
    endline(d, &e->pos);
    dump_child(d, "operand", e->u.case_.operand, depth + 1);
    for (int i = 0; i < e->u.case_.whens.n; i++) {
      const sl_ast_when *w = e->u.case_.whens.items[i];
      line(d, depth + 1, &w->pos, "when");
      dump_expr(d, w->when, depth + 2);
      line(d, depth + 1, NULL, "then");
      dump_expr(d, w->then, depth + 2);
    }
    dump_child(d, "else", e->u.case_.else_expr, depth + 1);
    return;

  case SL_AST_CAST:
    sl_strbuf_appends(o, "cast ");
    put_type(d, e->u.cast.type);
    if (e->u.cast.colon_form)
      sl_strbuf_appends(o, " (::)");
    endline(d, &e->pos);
    dump_expr(d, e->u.cast.operand, depth + 1);
    return;

  case SL_AST_SUBSCRIPT:
    sl_strbuf_appends(o, "subscript");
    endline(d, &e->pos);
    dump_expr(d, e->u.subscript.base, depth + 1);
    dump_expr(d, e->u.subscript.index, depth + 1);
    return;

  case SL_AST_FIELD:
    sl_strbuf_appends(o, "field ");
    put_name(d, &e->u.field.name);
    endline(d, &e->pos);
    dump_expr(d, e->u.field.base, depth + 1);
    return;

  case SL_AST_ARRAY:
    sl_strbuf_appends(o, "array");
    endline(d, &e->pos);
    dump_exprs(d, &e->u.array.items, depth + 1);
    return;

  case SL_AST_EXTRACT:
    sl_strbuf_appends(o, "extract ");
    put_name(d, &e->u.extract.part);
    endline(d, &e->pos);
    dump_expr(d, e->u.extract.operand, depth + 1);
    return;

  case SL_AST_CALL:
    sl_strbuf_appends(o, "call ");
    put_name(d, &e->u.call.name);
    if (e->u.call.star)
      sl_strbuf_appends(o, "(*)");
    if (e->u.call.distinct)
      sl_strbuf_appends(o, " distinct");
    if (e->u.call.over_name.text) {
      sl_strbuf_appends(o, " over ");
      put_name(d, &e->u.call.over_name);
    }
    endline(d, &e->pos);
    dump_exprs(d, &e->u.call.args, depth + 1);
    if (e->u.call.over) {
      line(d, depth + 1, NULL, "over");
      dump_window_spec(d, e->u.call.over, depth + 2);
    }
    return;

  case SL_AST_PREDICT:
    sl_strbuf_appends(o, "predict ");
    put_name(d, &e->u.predict.model);
    if (e->u.predict.version)
      sl_strbuf_appendf(o, " version %" PRId64, e->u.predict.version);
    endline(d, &e->pos);
    dump_exprs(d, &e->u.predict.args, depth + 1);
    return;
  }
  sl_strbuf_appends(o, "?");
  endline(d, &e->pos);
}

static void dump_options(dumper *d, const sl_ast_options *l, int depth) {
  for (int i = 0; i < l->n; i++) {
    const sl_ast_option *opt = l->items[i];
    indent(d, depth);
    sl_strbuf_appends(d->out, "option ");
    put_name(d, &opt->name);
    endline(d, &opt->name.pos);
    dump_expr(d, opt->value, depth + 1);
  }
}

static void dump_from(dumper *d, const sl_ast_from *f, int depth) {
  static const char *const joins[] = {"?", "inner", "left", "right",
                                      "full"};
  indent(d, depth);
  switch (f->kind) {
  case SL_AST_FROM_SOURCE:
    sl_strbuf_appends(d->out, "source ");
    put_name(d, &f->u.source.name);
    break;
  case SL_AST_FROM_SUBQUERY:
    sl_strbuf_appends(d->out, "subquery");
    break;
  case SL_AST_FROM_JOIN:
    sl_strbuf_appendf(d->out, "join %s",
                      joins[f->u.join.kind <= SL_AST_JOIN_FULL
                                ? f->u.join.kind
                                : 0]);
    break;
  }
  if (f->alias.text) {
    sl_strbuf_appends(d->out, " alias ");
    put_name(d, &f->alias);
  }
  endline(d, f->kind == SL_AST_FROM_JOIN ? &f->u.join.join_pos : &f->pos);

  if (f->kind == SL_AST_FROM_SUBQUERY) {
    dump_query(d, f->u.subquery.query, depth + 1);
  } else if (f->kind == SL_AST_FROM_JOIN) {
    dump_from(d, f->u.join.left, depth + 1);
    dump_from(d, f->u.join.right, depth + 1);
    dump_child(d, "for_system_time_as_of", f->u.join.system_time,
               depth + 1);
    if (f->u.join.within == SL_AST_WITHIN_SYMMETRIC) {
      line(d, depth + 1, &f->u.join.within_pos, "within");
      dump_expr(d, f->u.join.before, depth + 2);
    } else if (f->u.join.within == SL_AST_WITHIN_ASYMMETRIC) {
      line(d, depth + 1, &f->u.join.within_pos, "within before after");
      dump_expr(d, f->u.join.before, depth + 2);
      dump_expr(d, f->u.join.after, depth + 2);
    }
    dump_child(d, "grace_period", f->u.join.grace, depth + 1);
    dump_child(d, "on", f->u.join.on, depth + 1);
  }
}

static void dump_select(dumper *d, const sl_ast_select *s, int depth) {
  static const char *const kinds[] = {"?", "tumbling", "hopping",
                                      "session"};
  line(d, depth, &s->pos, "select");
  for (int i = 0; i < s->items.n; i++) {
    const sl_ast_select_item *it = s->items.items[i];
    indent(d, depth + 1);
    switch (it->kind) {
    case SL_AST_ITEM_STAR:
      sl_strbuf_appends(d->out, "star");
      break;
    case SL_AST_ITEM_SOURCE_STAR:
      sl_strbuf_appends(d->out, "source_star ");
      put_name(d, &it->source);
      break;
    case SL_AST_ITEM_EXPR:
      sl_strbuf_appends(d->out, "item");
      if (it->alias.text) {
        sl_strbuf_appends(d->out, " alias ");
        put_name(d, &it->alias);
      }
      break;
    }
    endline(d, &it->pos);
    if (it->kind == SL_AST_ITEM_EXPR)
      dump_expr(d, it->expr, depth + 2);
  }
  if (s->from) {
    line(d, depth + 1, NULL, "from");
    dump_from(d, s->from, depth + 2);
  }
  dump_child(d, "where", s->where, depth + 1);
  if (s->window) {
    const sl_ast_window *w = s->window;
    indent(d, depth + 1);
    sl_strbuf_appendf(d->out, "window %s", kinds[w->kind & 3]);
    endline(d, &w->pos);
    dump_child(d, "size", w->size, depth + 2);
    dump_child(d, "advance_by", w->advance, depth + 2);
    dump_child(d, "gap", w->gap, depth + 2);
    dump_child(d, "grace_period", w->grace, depth + 2);
  }
  for (int i = 0; i < s->named_windows.n; i++) {
    const sl_ast_named_window *w = s->named_windows.items[i];
    indent(d, depth + 1);
    sl_strbuf_appends(d->out, "named_window ");
    put_name(d, &w->name);
    endline(d, &w->name.pos);
    dump_window_spec(d, w->spec, depth + 2);
  }
  if (s->group_by.n) {
    line(d, depth + 1, &s->group_by_pos, "group_by");
    dump_exprs(d, &s->group_by, depth + 2);
  }
  dump_child(d, "having", s->having, depth + 1);
}

static void dump_query(dumper *d, const sl_ast_query *q, int depth) {
  indent(d, depth);
  sl_strbuf_appends(d->out, "query");
  if (q->emit == SL_AST_EMIT_CHANGES)
    sl_strbuf_appends(d->out, " emit changes");
  else if (q->emit == SL_AST_EMIT_FINAL)
    sl_strbuf_appends(d->out, " emit final");
  if (q->has_limit)
    sl_strbuf_appendf(d->out, " limit %" PRId64, q->limit);
  endline(d, &q->pos);
  for (int i = 0; i < q->ctes.n; i++) {
    indent(d, depth + 1);
    sl_strbuf_appends(d->out, "with ");
    put_name(d, &q->ctes.items[i]->name);
    endline(d, &q->ctes.items[i]->name.pos);
    dump_query(d, q->ctes.items[i]->query, depth + 2);
  }
  for (int i = 0; i < q->selects.n; i++) {
    if (i)
      line(d, depth + 1, NULL, "union all");
    dump_select(d, q->selects.items[i], depth + 1);
  }
}

/* "create stream s if_not_exists" and the like. */
static void head(dumper *d, const sl_ast_stmt *s, const char *kind,
                 const sl_ast_name *name, bool flag, const char *flag_name) {
  sl_strbuf_appends(d->out, kind);
  if (name) {
    sl_strbuf_appendc(d->out, ' ');
    put_name(d, name);
  }
  if (flag) {
    sl_strbuf_appendc(d->out, ' ');
    sl_strbuf_appends(d->out, flag_name);
  }
  endline(d, &s->pos);
}

static void dump_stmt(dumper *d, const sl_ast_stmt *s, int depth) {
  sl_strbuf *o = d->out;
  indent(d, depth);
  switch (s->kind) {
  case SL_AST_CREATE_STREAM:
  case SL_AST_CREATE_TABLE: {
    const char *k = s->kind == SL_AST_CREATE_STREAM ? "create stream"
                                                    : "create table";
    head(d, s, k, &s->u.create_source.name,
         s->u.create_source.if_not_exists, "if_not_exists");
    const sl_ast_column_defs *cols = &s->u.create_source.columns;
    for (int i = 0; i < cols->n; i++) {
      const sl_ast_column_def *c = cols->items[i];
      indent(d, depth + 1);
      sl_strbuf_appends(o, "column ");
      put_name(d, &c->name);
      sl_strbuf_appendc(o, ' ');
      put_type(d, c->type);
      if (c->not_null)
        sl_strbuf_appends(o, " not_null");
      if (c->primary_key)
        sl_strbuf_appends(o, " primary_key");
      endline(d, &c->name.pos);
    }
    if (s->u.create_source.primary_key.n) {
      indent(d, depth + 1);
      sl_strbuf_appends(o, "primary_key");
      for (int i = 0; i < s->u.create_source.primary_key.n; i++) {
        sl_strbuf_appendc(o, ' ');
        put_name(d, &s->u.create_source.primary_key.items[i]);
      }
      endline(d, &s->u.create_source.primary_key_pos);
    }
    for (int i = 0; i < s->u.create_source.checks.n; i++) {
      const sl_ast_check *c = s->u.create_source.checks.items[i];
      line(d, depth + 1, &c->pos, "check");
      dump_expr(d, c->condition, depth + 2);
    }
    if (s->u.create_source.watermark) {
      const sl_ast_watermark *w = s->u.create_source.watermark;
      indent(d, depth + 1);
      sl_strbuf_appends(o, "watermark ");
      put_name(d, &w->column);
      endline(d, &w->pos);
      dump_expr(d, w->expr, depth + 2);
    }
    dump_options(d, &s->u.create_source.options, depth + 1);
    return;
  }

  case SL_AST_CREATE_STREAM_AS:
  case SL_AST_CREATE_TABLE_AS:
  case SL_AST_CREATE_TRAINING_SET: {
    const char *k = s->kind == SL_AST_CREATE_STREAM_AS ? "create stream as"
                    : s->kind == SL_AST_CREATE_TABLE_AS
                        ? "create table as"
                        : "create training set";
    head(d, s, k, &s->u.create_as.name, s->u.create_as.if_not_exists,
         "if_not_exists");
    dump_options(d, &s->u.create_as.options, depth + 1);
    dump_query(d, s->u.create_as.query, depth + 1);
    return;
  }

  case SL_AST_INSERT_QUERY:
    head(d, s, "insert into", &s->u.insert_query.target, false, NULL);
    dump_query(d, s->u.insert_query.query, depth + 1);
    return;

  case SL_AST_INSERT_VALUES:
    sl_strbuf_appends(o, "insert values into ");
    put_name(d, &s->u.insert_values.target);
    endline(d, &s->pos);
    if (s->u.insert_values.columns.n) {
      indent(d, depth + 1);
      sl_strbuf_appends(o, "columns");
      for (int i = 0; i < s->u.insert_values.columns.n; i++) {
        sl_strbuf_appendc(o, ' ');
        put_name(d, &s->u.insert_values.columns.items[i]);
      }
      endline(d, NULL);
    }
    for (int i = 0; i < s->u.insert_values.rows.n; i++) {
      line(d, depth + 1, NULL, "row");
      dump_exprs(d, s->u.insert_values.rows.items[i], depth + 2);
    }
    return;

  case SL_AST_LOAD:
    sl_strbuf_appends(o, "load ");
    put_string(d, s->u.load.path);
    sl_strbuf_appends(o, " into ");
    put_name(d, &s->u.load.target);
    endline(d, &s->pos);
    dump_options(d, &s->u.load.options, depth + 1);
    return;

  case SL_AST_COPY:
    sl_strbuf_appends(o, "copy ");
    put_name(d, &s->u.copy.source);
    sl_strbuf_appends(o, " to ");
    put_string(d, s->u.copy.path);
    endline(d, &s->pos);
    return;

  case SL_AST_CREATE_MODEL: {
    sl_strbuf_appends(o, "create model ");
    put_name(d, &s->u.create_model.name);
    sl_strbuf_appends(o, " type ");
    put_name(d, &s->u.create_model.model_type);
    if (s->u.create_model.if_not_exists)
      sl_strbuf_appends(o, " if_not_exists");
    endline(d, &s->pos);
    if (s->u.create_model.file) {
      indent(d, depth + 1);
      sl_strbuf_appends(o, "from_file ");
      put_string(d, s->u.create_model.file);
      endline(d, &s->u.create_model.file_pos);
    }
    for (int i = 0; i < s->u.create_model.features.n; i++) {
      const sl_ast_feature *f = s->u.create_model.features.items[i];
      indent(d, depth + 1);
      sl_strbuf_appends(o, "feature");
      if (f->alias.text) {
        sl_strbuf_appends(o, " alias ");
        put_name(d, &f->alias);
      }
      endline(d, &f->pos);
      dump_expr(d, f->expr, depth + 2);
    }
    dump_child(d, "label", s->u.create_model.label, depth + 1);
    if (s->u.create_model.source.text) {
      indent(d, depth + 1);
      sl_strbuf_appends(o, "from ");
      put_name(d, &s->u.create_model.source);
      endline(d, &s->u.create_model.source.pos);
    }
    dump_child(d, "where", s->u.create_model.where, depth + 1);
    dump_options(d, &s->u.create_model.options, depth + 1);
    return;
  }

  case SL_AST_EVALUATE_MODEL:
    sl_strbuf_appends(o, "evaluate on ");
    put_name(d, &s->u.evaluate.source);
    endline(d, &s->pos);
    for (int i = 0; i < s->u.evaluate.models.n; i++) {
      const sl_ast_model_ref *m = s->u.evaluate.models.items[i];
      indent(d, depth + 1);
      sl_strbuf_appends(o, "model ");
      put_name(d, &m->name);
      if (m->version)
        sl_strbuf_appendf(o, " version %" PRId64, m->version);
      endline(d, &m->name.pos);
    }
    dump_child(d, "where", s->u.evaluate.where, depth + 1);
    return;

  case SL_AST_CREATE_FUNCTION:
    sl_strbuf_appends(o, s->u.create_function.aggregate
                             ? "create aggregate function "
                             : "create function ");
    put_name(d, &s->u.create_function.name);
    sl_strbuf_appendc(o, '(');
    for (int i = 0; i < s->u.create_function.args.n; i++) {
      if (i)
        sl_strbuf_appends(o, ", ");
      put_type(d, s->u.create_function.args.items[i]);
    }
    sl_strbuf_appends(o, ") returns ");
    put_type(d, s->u.create_function.returns);
    sl_strbuf_appends(o, " language ");
    put_name(d, &s->u.create_function.language);
    sl_strbuf_appendc(o, ' ');
    put_string(d, s->u.create_function.library);
    if (s->u.create_function.symbol) {
      sl_strbuf_appends(o, " symbol ");
      put_string(d, s->u.create_function.symbol);
    }
    if (s->u.create_function.if_not_exists)
      sl_strbuf_appends(o, " if_not_exists");
    endline(d, &s->pos);
    return;

  case SL_AST_DROP:
    sl_strbuf_appends(o, "drop ");
    put_lower(d, sl_ast_object_kind_name(s->u.drop.object));
    sl_strbuf_appendc(o, ' ');
    put_name(d, &s->u.drop.name);
    if (s->u.drop.if_exists)
      sl_strbuf_appends(o, " if_exists");
    if (s->u.drop.delete_topic)
      sl_strbuf_appends(o, " delete_topic");
    endline(d, &s->pos);
    return;

  case SL_AST_SHOW:
    sl_strbuf_appends(o, "show ");
    put_lower(d, sl_ast_show_kind_name(s->u.show.what));
    endline(d, &s->pos);
    return;

  case SL_AST_DESCRIBE:
    sl_strbuf_appends(o, s->u.describe.function ? "describe function "
                                                : "describe ");
    put_name(d, &s->u.describe.name);
    endline(d, &s->pos);
    return;

  case SL_AST_EXPLAIN:
    if (s->u.explain.stmt) {
      sl_strbuf_appends(o, "explain");
      endline(d, &s->pos);
      dump_stmt(d, s->u.explain.stmt, depth + 1);
    } else {
      sl_strbuf_appends(o, "explain query ");
      put_name(d, &s->u.explain.query_id);
      endline(d, &s->pos);
    }
    return;

  case SL_AST_TERMINATE:
    if (s->u.terminate.all) {
      sl_strbuf_appends(o, "terminate all");
    } else {
      sl_strbuf_appends(o, "terminate ");
      put_name(d, &s->u.terminate.query_id);
    }
    endline(d, &s->pos);
    return;

  case SL_AST_SET:
  case SL_AST_UNSET:
    sl_strbuf_appends(o, s->kind == SL_AST_SET ? "set " : "unset ");
    put_string(d, s->u.set.property);
    if (s->u.set.value) {
      sl_strbuf_appends(o, " = ");
      put_string(d, s->u.set.value);
    }
    endline(d, &s->pos);
    return;

  case SL_AST_PRINT:
    sl_strbuf_appends(o, "print ");
    put_string(d, s->u.print.topic);
    if (s->u.print.from_beginning)
      sl_strbuf_appends(o, " from_beginning");
    if (s->u.print.has_limit)
      sl_strbuf_appendf(o, " limit %" PRId64, s->u.print.limit);
    endline(d, &s->pos);
    return;

  case SL_AST_QUERY:
    sl_strbuf_appends(o, "select statement");
    endline(d, &s->pos);
    dump_query(d, s->u.query.query, depth + 1);
    return;
  }
  sl_strbuf_appends(o, "?");
  endline(d, &s->pos);
}

sl_status sl_ast_dump(const sl_ast_stmt *stmt, unsigned flags,
                      sl_strbuf *out) {
  dumper d = {out, flags};
  dump_stmt(&d, stmt, 0);
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

sl_status sl_ast_dump_expr(const sl_ast_expr *expr, unsigned flags,
                           int depth, sl_strbuf *out) {
  dumper d = {out, flags};
  dump_expr(&d, expr, depth);
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
