/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bound.c - freeing bound statements, and their text dump.
 *
 * The dump is what `sluice check --dump` prints and what the binder's
 * golden tests compare, so it is stable: one item per line, two spaces of
 * indentation per level, no addresses, nothing that depends on the
 * catalog's history.  A statement prints its kind and name, then its
 * parts (columns, key, event time, options with "(default)" on the ones
 * the binder filled in, dependencies) and the plan of its query: each
 * relation on a line with its properties in brackets, then its output
 * columns ("#index name TYPE := expression") and its inputs one level
 * deeper.  In expressions a column is "name#index" of the relation the
 * expression reads, a cast the binder inserted is "x::TYPE", and a
 * written cast is "CAST(x AS TYPE)".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "parser/bound.h"

void sl_bound_stmt_free(sl_bound_stmt *stmt) {
  if (!stmt)
    return;
  sl_bound_stmt_free(stmt->explained);
  for (int i = 0; i < stmt->ntypes; i++)
    sl_type_free(stmt->types[i]);
  free(stmt->types);
  for (int i = 0; i < stmt->nobjects; i++)
    sl_catalog_object_free(stmt->objects[i]);
  free(stmt->objects);
  sl_arena_destroy(&stmt->arena);
  free(stmt);
}

const sl_bound_option *sl_bound_option_get(const sl_bound_stmt *stmt,
                                           const char *name) {
  for (int i = 0; i < stmt->noptions; i++)
    if (strcmp(stmt->options[i].name, name) == 0)
      return &stmt->options[i];
  return NULL;
}

const char *sl_bstmt_kind_name(sl_bstmt_kind kind) {
  switch (kind) {
  case SL_BSTMT_CREATE_STREAM: return "CREATE STREAM";
  case SL_BSTMT_CREATE_TABLE: return "CREATE TABLE";
  case SL_BSTMT_CREATE_TRAINING_SET: return "CREATE TRAINING SET";
  case SL_BSTMT_CREATE_MODEL: return "CREATE MODEL";
  case SL_BSTMT_CREATE_FUNCTION: return "CREATE FUNCTION";
  case SL_BSTMT_INSERT_QUERY: return "INSERT";
  case SL_BSTMT_INSERT_VALUES: return "INSERT VALUES";
  case SL_BSTMT_LOAD: return "LOAD";
  case SL_BSTMT_COPY: return "COPY";
  case SL_BSTMT_EVALUATE: return "EVALUATE";
  case SL_BSTMT_DROP: return "DROP";
  case SL_BSTMT_SHOW: return "SHOW";
  case SL_BSTMT_DESCRIBE: return "DESCRIBE";
  case SL_BSTMT_EXPLAIN: return "EXPLAIN";
  case SL_BSTMT_TERMINATE: return "TERMINATE";
  case SL_BSTMT_SET: return "SET";
  case SL_BSTMT_UNSET: return "UNSET";
  case SL_BSTMT_PRINT: return "PRINT";
  case SL_BSTMT_QUERY: return "SELECT";
  }
  return "?";
}

const char *sl_join_strategy_name(sl_join_strategy s) {
  switch (s) {
  case SL_JOIN_LOOKUP: return "lookup";
  case SL_JOIN_TEMPORAL: return "temporal";
  case SL_JOIN_INTERVAL: return "interval";
  case SL_JOIN_WINDOW: return "window";
  }
  return "?";
}

const char *sl_window_kind_name(sl_window_kind kind) {
  switch (kind) {
  case SL_WINDOW_TUMBLING: return "tumbling";
  case SL_WINDOW_HOPPING: return "hopping";
  case SL_WINDOW_SESSION: return "session";
  case SL_WINDOW_NONE: break;
  }
  return "none";
}

/* Whether rel's result may withdraw rows (see bound.h). */
bool sl_rel_withdraws(const sl_rel *rel, const sl_rel *agg,
                      sl_emit_mode dflt) {
  for (; rel; rel = rel->input) {
    switch (rel->kind) {
    case SL_REL_FILTER:
    case SL_REL_PROJECT:
    case SL_REL_LIMIT:
      continue;
    case SL_REL_UNION:
      for (int i = 0; i < rel->u.union_.ninputs; i++)
        if (sl_rel_withdraws(rel->u.union_.inputs[i], agg, dflt))
          return true;
      return false;
    case SL_REL_AGGREGATE: {
      sl_emit_mode m = rel->u.aggregate.emit;
      if (m == SL_EMIT_DEFAULT)
        m = dflt;
      return rel->u.aggregate.window.kind == SL_WINDOW_SESSION &&
             m == SL_EMIT_CHANGES && (!agg || agg == rel);
    }
    default:
      return false;
    }
  }
  return false;
}

const char *sl_emit_mode_name(sl_emit_mode mode) {
  switch (mode) {
  case SL_EMIT_CHANGES: return "changes";
  case SL_EMIT_FINAL: return "final";
  case SL_EMIT_DEFAULT: break;
  }
  return "default";
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

typedef struct dumper {
  sl_strbuf out;
} dumper;

static void put(sl_strbuf *sb, const char *s) { sl_strbuf_appends(sb, s); }

static void put_type(sl_strbuf *sb, const sl_type *t) {
  char buf[SL_TYPE_SQL_MAX];
  put(sb, t ? sl_type_to_sql(t, buf, sizeof(buf)) : "?");
}

static void put_interval(sl_strbuf *sb, int64_t ms) {
  char buf[SL_FORMAT_TIME_MAX];
  sl_format_interval(ms, buf);
  put(sb, buf);
}

static void put_quoted(sl_strbuf *sb, const char *s, size_t len) {
  sl_strbuf_appendc(sb, '\'');
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\'')
      sl_strbuf_appendc(sb, '\'');
    sl_strbuf_appendc(sb, s[i]);
  }
  sl_strbuf_appendc(sb, '\'');
}

/* A name double-quoted when quoted, else as SQL would need it written:
 * double-quoted unless it is a plain lower-case identifier. */
static void put_name_as(sl_strbuf *sb, const char *name, bool quoted) {
  bool plain = !quoted && name[0] != '\0' &&
               !(name[0] >= '0' && name[0] <= '9');
  for (const char *p = name; *p && plain; p++)
    plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '_';
  if (plain) {
    put(sb, name);
    return;
  }
  sl_strbuf_appendc(sb, '"');
  for (const char *p = name; *p; p++) {
    if (*p == '"')
      sl_strbuf_appendc(sb, '"');
    sl_strbuf_appendc(sb, *p);
  }
  sl_strbuf_appendc(sb, '"');
}

static void put_name(sl_strbuf *sb, const char *name) {
  put_name_as(sb, name, false);
}

/* put_name into a buffer of SL_ERROR_NAME_MAX * 2 + 3 bytes. */
#define QNAME_MAX (SL_ERROR_NAME_MAX * 2 + 3)
static const char *qname(const char *name, char *buf) {
  sl_strbuf sb = SL_STRBUF_INIT;
  put_name(&sb, name ? name : "");
  snprintf(buf, QNAME_MAX, "%s", sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return buf;
}

static void put_literal(sl_strbuf *sb, const sl_value *v) {
  char buf[SL_FORMAT_TIME_MAX + SL_DECIMAL_TEXT_MAX];
  switch (v->kind) {
  case SL_TYPE_NULL:
    put(sb, "NULL");
    break;
  case SL_TYPE_BOOLEAN:
    put(sb, v->u.b ? "true" : "false");
    break;
  case SL_TYPE_INT:
    sl_strbuf_appendf(sb, "%d", (int)v->u.i32);
    break;
  case SL_TYPE_BIGINT:
    sl_strbuf_appendf(sb, "%lld", (long long)v->u.i64);
    break;
  case SL_TYPE_DOUBLE:
    sl_format_double(v->u.f64, buf);
    put(sb, buf);
    if (!strpbrk(buf, "eEnN"))
      put(sb, "e0");
    break;
  case SL_TYPE_DECIMAL:
    sl_decimal_to_text(sl_value_decimal_get(v), v->scale, buf);
    put(sb, buf);
    break;
  case SL_TYPE_VARCHAR:
    put_quoted(sb, v->u.str, v->len);
    break;
  case SL_TYPE_BYTES:
    put(sb, "BYTES '");
    sl_format_base64(sb, v->u.str, v->len);
    put(sb, "'");
    break;
  case SL_TYPE_DATE:
    sl_format_date(v->u.i32, buf);
    sl_strbuf_appendf(sb, "DATE '%s'", buf);
    break;
  case SL_TYPE_TIMESTAMP:
    sl_format_timestamp(v->u.i64, false, buf);
    sl_strbuf_appendf(sb, "TIMESTAMP '%s'", buf);
    break;
  case SL_TYPE_INTERVAL:
    sl_format_interval(v->u.i64, buf);
    sl_strbuf_appendf(sb, "INTERVAL '%s'", buf);
    break;
  default:
    put(sb, "?");
    break;
  }
}

static const char *op_text(sl_bexpr_op op) {
  switch (op) {
  case SL_OP_NEG: return "-";
  case SL_OP_PLUS: return "+";
  case SL_OP_NOT: return "NOT ";
  case SL_OP_ADD: return "+";
  case SL_OP_SUB: return "-";
  case SL_OP_MUL: return "*";
  case SL_OP_DIV: return "/";
  case SL_OP_MOD: return "%";
  case SL_OP_CONCAT: return "||";
  case SL_OP_EQ: return "=";
  case SL_OP_NE: return "<>";
  case SL_OP_LT: return "<";
  case SL_OP_LE: return "<=";
  case SL_OP_GT: return ">";
  case SL_OP_GE: return ">=";
  case SL_OP_AND: return "AND";
  case SL_OP_OR: return "OR";
  case SL_OP_NONE: break;
  }
  return "?";
}

static const char *part_name(sl_extract_part p) {
  static const char *const names[] = {
      "YEAR", "QUARTER", "MONTH",  "WEEK",   "DAY",         "DOW",
      "DOY",  "HOUR",    "MINUTE", "SECOND", "MILLISECOND", "EPOCH"};
  return (int)p >= 0 && (size_t)p < sizeof(names) / sizeof(names[0])
             ? names[p]
             : "?";
}

static void put_expr(sl_strbuf *sb, const sl_bexpr *e, const sl_rel *rel);

/* Operands that are not atoms get parentheses. */
static void put_operand(sl_strbuf *sb, const sl_bexpr *e, const sl_rel *rel) {
  bool paren = e->kind == SL_BEXPR_BINARY || e->kind == SL_BEXPR_BETWEEN ||
               e->kind == SL_BEXPR_IN || e->kind == SL_BEXPR_LIKE ||
               e->kind == SL_BEXPR_IS_NULL ||
               (e->kind == SL_BEXPR_UNARY && e->op == SL_OP_NOT);
  if (paren)
    put(sb, "(");
  put_expr(sb, e, rel);
  if (paren)
    put(sb, ")");
}

static void put_list(sl_strbuf *sb, sl_bexpr *const *args, int n,
                     const sl_rel *rel) {
  for (int i = 0; i < n; i++) {
    if (i)
      put(sb, ", ");
    put_expr(sb, args[i], rel);
  }
}

static void put_expr(sl_strbuf *sb, const sl_bexpr *e, const sl_rel *rel) {
  if (!e) {
    put(sb, "?");
    return;
  }
  switch (e->kind) {
  case SL_BEXPR_LITERAL:
    put_literal(sb, &e->u.literal);
    break;
  case SL_BEXPR_COLUMN:
    if (rel && e->u.column >= 0 && e->u.column < rel->ncolumns)
      put_name(sb, rel->columns[e->u.column].name);
    sl_strbuf_appendf(sb, "#%d", e->u.column);
    break;
  case SL_BEXPR_UNARY:
    put(sb, op_text(e->op));
    put_operand(sb, e->args[0], rel);
    break;
  case SL_BEXPR_BINARY:
    put_operand(sb, e->args[0], rel);
    sl_strbuf_appendf(sb, " %s ", op_text(e->op));
    put_operand(sb, e->args[1], rel);
    break;
  case SL_BEXPR_IS_NULL:
    put_operand(sb, e->args[0], rel);
    put(sb, e->negated ? " IS NOT NULL" : " IS NULL");
    break;
  case SL_BEXPR_IN:
    put_operand(sb, e->args[0], rel);
    put(sb, e->negated ? " NOT IN (" : " IN (");
    put_list(sb, e->args + 1, e->nargs - 1, rel);
    put(sb, ")");
    break;
  case SL_BEXPR_LIKE:
    put_operand(sb, e->args[0], rel);
    put(sb, e->negated ? " NOT LIKE " : " LIKE ");
    put_operand(sb, e->args[1], rel);
    break;
  case SL_BEXPR_BETWEEN:
    put_operand(sb, e->args[0], rel);
    put(sb, e->negated ? " NOT BETWEEN " : " BETWEEN ");
    put_operand(sb, e->args[1], rel);
    put(sb, " AND ");
    put_operand(sb, e->args[2], rel);
    break;
  case SL_BEXPR_CASE: {
    int at = 0;
    put(sb, "CASE");
    if (e->u.case_.has_operand) {
      put(sb, " ");
      put_expr(sb, e->args[at++], rel);
    }
    for (int i = 0; i < e->u.case_.nwhen; i++) {
      put(sb, " WHEN ");
      put_expr(sb, e->args[at++], rel);
      put(sb, " THEN ");
      put_expr(sb, e->args[at++], rel);
    }
    if (e->u.case_.has_else) {
      put(sb, " ELSE ");
      put_expr(sb, e->args[at], rel);
    }
    put(sb, " END");
    break;
  }
  case SL_BEXPR_CAST:
    if (e->implicit) {
      bool paren = e->args[0]->kind != SL_BEXPR_COLUMN &&
                   e->args[0]->kind != SL_BEXPR_LITERAL &&
                   e->args[0]->kind != SL_BEXPR_FUNC;
      if (paren)
        put(sb, "(");
      put_expr(sb, e->args[0], rel);
      put(sb, paren ? ")::" : "::");
      put_type(sb, e->type);
    } else {
      put(sb, "CAST(");
      put_expr(sb, e->args[0], rel);
      put(sb, " AS ");
      put_type(sb, e->type);
      put(sb, ")");
    }
    break;
  case SL_BEXPR_FUNC:
    sl_strbuf_appendf(sb, "%s(", e->u.call.func->name);
    put_list(sb, e->args, e->nargs, rel);
    put(sb, ")");
    break;
  case SL_BEXPR_SUBSCRIPT:
    put_operand(sb, e->args[0], rel);
    put(sb, "[");
    put_expr(sb, e->args[1], rel);
    put(sb, "]");
    break;
  case SL_BEXPR_FIELD:
    put_operand(sb, e->args[0], rel);
    sl_strbuf_appendf(sb, ".%s", e->u.field.name);
    break;
  case SL_BEXPR_ARRAY:
    put(sb, "ARRAY[");
    put_list(sb, e->args, e->nargs, rel);
    put(sb, "]");
    break;
  case SL_BEXPR_EXTRACT:
    sl_strbuf_appendf(sb, "EXTRACT(%s FROM ", part_name(e->u.part));
    put_expr(sb, e->args[0], rel);
    put(sb, ")");
    break;
  case SL_BEXPR_PREDICT:
    sl_strbuf_appendf(sb, "PREDICT(%s", e->u.predict.model);
    if (e->u.predict.version > 0)
      sl_strbuf_appendf(sb, " VERSION %d", e->u.predict.version);
    for (int i = 0; i < e->nargs; i++) {
      put(sb, ", ");
      put_expr(sb, e->args[i], rel);
    }
    put(sb, ")");
    break;
  case SL_BEXPR_AGG_REF:
    sl_strbuf_appendf(sb, "$agg%d", e->u.ref);
    break;
  case SL_BEXPR_OVER_REF:
    sl_strbuf_appendf(sb, "$over%d", e->u.ref);
    break;
  case SL_BEXPR_WINDOW_REF:
    put(sb, e->u.ref == 0 ? "$window_start" : "$window_end");
    break;
  }
}

char *sl_bexpr_to_string(const sl_bexpr *expr, const sl_rel *rel) {
  sl_strbuf sb = SL_STRBUF_INIT;
  put_expr(&sb, expr, rel);
  if (sb.failed) {
    sl_strbuf_free(&sb);
    return NULL;
  }
  if (!sb.data)
    return calloc(1, 1);
  return sl_strbuf_detach(&sb, NULL);
}

static void put_agg(sl_strbuf *sb, const sl_agg_call *a, const sl_rel *rel) {
  sl_strbuf_appendf(sb, "%s(", a->func->name);
  if (a->star)
    put(sb, "*");
  if (a->distinct)
    put(sb, "DISTINCT ");
  put_list(sb, a->args, a->nargs, rel);
  put(sb, ")");
}

static void put_over(sl_strbuf *sb, const sl_over_call *c,
                     const sl_rel *rel) {
  if (c->kind == SL_OVER_LAG) {
    sl_strbuf_appendf(sb, "%s(", c->agg.func->name);
    put_list(sb, c->agg.args, c->agg.nargs, rel);
    sl_strbuf_appendf(sb, ", %lld", (long long)c->lag_offset);
    if (c->lag_default) {
      put(sb, ", ");
      put_expr(sb, c->lag_default, rel);
    }
    put(sb, ")");
  } else {
    put_agg(sb, &c->agg, rel);
  }
  put(sb, " OVER ");
  if (c->window_name)
    sl_strbuf_appendf(sb, "%s ", c->window_name);
  put(sb, "(");
  const char *sep = "";
  if (c->npartition) {
    put(sb, "PARTITION BY ");
    put_list(sb, c->partition_by, c->npartition, rel);
    sep = " ";
  }
  if (c->norder) {
    sl_strbuf_appendf(sb, "%sORDER BY ", sep);
    for (int i = 0; i < c->norder; i++) {
      if (i)
        put(sb, ", ");
      put_expr(sb, c->order_by[i], rel);
      if (c->order_desc[i])
        put(sb, " DESC");
    }
    sep = " ";
  }
  if (c->has_range) {
    sl_strbuf_appendf(sb, "%sRANGE ", sep);
    put_interval(sb, c->range_ms);
    put(sb, " PRECEDING");
  }
  put(sb, ")");
}

/* ------------------------------------------------------------------ */
/* Relations                                                           */
/* ------------------------------------------------------------------ */

static void indent(sl_strbuf *sb, int depth) {
  for (int i = 0; i < depth; i++)
    put(sb, "  ");
}

static void put_props(sl_strbuf *sb, const sl_rel *rel) {
  put(sb, rel->nature == SL_NATURE_STREAM ? " [stream" : " [table");
  if (rel->windowed)
    put(sb, ", windowed");
  if (rel->event_time >= 0 && rel->event_time < rel->ncolumns) {
    put(sb, ", time ");
    put_name(sb, rel->columns[rel->event_time].name);
    sl_strbuf_appendf(sb, "#%d", rel->event_time);
  }
  if (rel->window_start >= 0 && rel->window_end >= 0)
    sl_strbuf_appendf(sb, ", window #%d #%d", rel->window_start,
                      rel->window_end);
  put(sb, "]\n");
}

static void put_column_line(sl_strbuf *sb, int depth, int i,
                            const sl_rel_column *c) {
  indent(sb, depth);
  sl_strbuf_appendf(sb, "#%d ", i);
  put_name(sb, c->name);
  put(sb, " ");
  put_type(sb, c->type);
  if (c->not_null)
    put(sb, " NOT NULL");
  if (c->hidden)
    put(sb, " hidden");
}

static void put_rel(sl_strbuf *sb, const sl_rel *rel, int depth);

static void put_scan(sl_strbuf *sb, const sl_rel *rel, int depth) {
  static const char *const kinds[] = {"stream", "table", "training set"};
  indent(sb, depth);
  sl_strbuf_appendf(sb, "scan %s ", kinds[rel->u.scan.kind]);
  put_name(sb, rel->u.scan.name);
  if (rel->u.scan.alias) {
    put(sb, " AS ");
    put_name(sb, rel->u.scan.alias);
  }
  if (rel->u.scan.versioned)
    put(sb, " versioned");
  if (rel->u.scan.out_of_order_ms > 0) {
    put(sb, " out of order ");
    put_interval(sb, rel->u.scan.out_of_order_ms);
  }
  put_props(sb, rel);
  for (int i = 0; i < rel->ncolumns; i++) {
    put_column_line(sb, depth + 1, i, &rel->columns[i]);
    put(sb, "\n");
  }
}

static void put_join(sl_strbuf *sb, const sl_rel *rel, int depth) {
  static const char *const kinds[] = {"inner", "left", "right", "full"};
  indent(sb, depth);
  sl_strbuf_appendf(sb, "join %s %s", kinds[rel->u.join.kind],
                    sl_join_strategy_name(rel->u.join.strategy));
  put_props(sb, rel);
  indent(sb, depth + 1);
  put(sb, "on: ");
  put_expr(sb, rel->u.join.condition, rel);
  put(sb, "\n");
  for (int i = 0; i < rel->u.join.nkeys; i++) {
    indent(sb, depth + 1);
    put(sb, "key: ");
    put_expr(sb, rel->u.join.left_keys[i], rel->u.join.left);
    put(sb, " = ");
    put_expr(sb, rel->u.join.right_keys[i], rel->u.join.right);
    put(sb, "\n");
  }
  if (rel->u.join.strategy == SL_JOIN_INTERVAL) {
    indent(sb, depth + 1);
    put(sb, "within: before ");
    put_interval(sb, rel->u.join.within_before_ms);
    put(sb, ", after ");
    put_interval(sb, rel->u.join.within_after_ms);
    put(sb, ", grace ");
    put_interval(sb, rel->u.join.grace_ms);
    put(sb, "\n");
  }
  if (rel->u.join.as_of) {
    indent(sb, depth + 1);
    put(sb, "as of: ");
    put_expr(sb, rel->u.join.as_of, rel->u.join.left);
    put(sb, "\n");
  }
  put_rel(sb, rel->u.join.left, depth + 1);
  put_rel(sb, rel->u.join.right, depth + 1);
}

static void put_aggregate(sl_strbuf *sb, const sl_rel *rel, int depth) {
  const sl_window_spec *w = &rel->u.aggregate.window;
  indent(sb, depth);
  put(sb, "aggregate");
  put_props(sb, rel);
  if (w->kind != SL_WINDOW_NONE) {
    indent(sb, depth + 1);
    sl_strbuf_appendf(sb, "window: %s", sl_window_kind_name(w->kind));
    if (w->kind == SL_WINDOW_SESSION) {
      put(sb, " gap ");
      put_interval(sb, w->gap_ms);
    } else {
      put(sb, " size ");
      put_interval(sb, w->size_ms);
    }
    if (w->kind == SL_WINDOW_HOPPING) {
      put(sb, " advance ");
      put_interval(sb, w->advance_ms);
    }
    put(sb, " grace ");
    put_interval(sb, w->grace_ms);
    put(sb, "\n");
  }
  if (rel->u.aggregate.emit != SL_EMIT_DEFAULT) {
    indent(sb, depth + 1);
    sl_strbuf_appendf(sb, "emit: %s\n",
                      sl_emit_mode_name(rel->u.aggregate.emit));
  }
  int ngroup = rel->u.aggregate.ngroup;
  int nwin = w->kind != SL_WINDOW_NONE ? 2 : 0;
  for (int i = 0; i < rel->ncolumns; i++) {
    put_column_line(sb, depth + 1, i, &rel->columns[i]);
    if (i < ngroup) {
      put(sb, " := ");
      put_expr(sb, rel->u.aggregate.group_by[i], rel->input);
    } else if (i >= ngroup + nwin) {
      put(sb, " := ");
      put_agg(sb, &rel->u.aggregate.aggs[i - ngroup - nwin], rel->input);
    }
    put(sb, "\n");
  }
  put_rel(sb, rel->input, depth + 1);
}

static void put_rel(sl_strbuf *sb, const sl_rel *rel, int depth) {
  switch (rel->kind) {
  case SL_REL_SCAN:
    put_scan(sb, rel, depth);
    return;
  case SL_REL_VALUES:
    indent(sb, depth);
    sl_strbuf_appendf(sb, "values %d row%s", rel->u.values.nrows,
                      rel->u.values.nrows == 1 ? "" : "s");
    put_props(sb, rel);
    return;
  case SL_REL_FILTER:
    indent(sb, depth);
    put(sb, "filter");
    put_props(sb, rel);
    indent(sb, depth + 1);
    put(sb, rel->u.filter.having ? "having: " : "where: ");
    put_expr(sb, rel->u.filter.predicate, rel->input);
    put(sb, "\n");
    put_rel(sb, rel->input, depth + 1);
    return;
  case SL_REL_PROJECT:
    indent(sb, depth);
    put(sb, "project");
    put_props(sb, rel);
    for (int i = 0; i < rel->ncolumns; i++) {
      put_column_line(sb, depth + 1, i, &rel->columns[i]);
      put(sb, " := ");
      put_expr(sb, rel->u.project.exprs[i], rel->input);
      put(sb, "\n");
    }
    put_rel(sb, rel->input, depth + 1);
    return;
  case SL_REL_JOIN:
    put_join(sb, rel, depth);
    return;
  case SL_REL_AGGREGATE:
    put_aggregate(sb, rel, depth);
    return;
  case SL_REL_OVER: {
    indent(sb, depth);
    put(sb, "over");
    put_props(sb, rel);
    int nin = rel->ncolumns - rel->u.over.ncalls;
    for (int i = 0; i < rel->u.over.ncalls; i++) {
      put_column_line(sb, depth + 1, nin + i, &rel->columns[nin + i]);
      put(sb, " := ");
      put_over(sb, &rel->u.over.calls[i], rel->input);
      put(sb, "\n");
    }
    put_rel(sb, rel->input, depth + 1);
    return;
  }
  case SL_REL_UNION:
    indent(sb, depth);
    put(sb, "union all");
    put_props(sb, rel);
    for (int i = 0; i < rel->ncolumns; i++) {
      put_column_line(sb, depth + 1, i, &rel->columns[i]);
      put(sb, "\n");
    }
    for (int i = 0; i < rel->u.union_.ninputs; i++)
      put_rel(sb, rel->u.union_.inputs[i], depth + 1);
    return;
  case SL_REL_LIMIT:
    indent(sb, depth);
    sl_strbuf_appendf(sb, "limit %lld", (long long)rel->u.limit.count);
    put_props(sb, rel);
    put_rel(sb, rel->input, depth + 1);
    return;
  }
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

static void line(sl_strbuf *sb, int depth, const char *fmt, ...)
    SL_PRINTF(3, 4);

static void line(sl_strbuf *sb, int depth, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  indent(sb, depth);
  put(sb, buf);
  put(sb, "\n");
}

static const char *object_word(sl_catalog_kind k) {
  return sl_catalog_kind_name(k);
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

static void put_columns(sl_strbuf *sb, const sl_bound_column *cols, int n,
                        const char *title, int depth) {
  if (n == 0)
    return;
  line(sb, depth, "%s:", title);
  for (int i = 0; i < n; i++) {
    indent(sb, depth + 1);
    put_name_as(sb, cols[i].name, cols[i].quoted);
    put(sb, " ");
    put_type(sb, cols[i].type);
    if (cols[i].primary_key)
      put(sb, " PRIMARY KEY");
    else if (cols[i].not_null)
      put(sb, " NOT NULL");
    put(sb, "\n");
  }
}

static void put_options(sl_strbuf *sb, const sl_bound_stmt *st, int depth) {
  if (st->noptions == 0)
    return;
  line(sb, depth, "options:");
  for (int i = 0; i < st->noptions; i++) {
    const sl_bound_option *o = &st->options[i];
    indent(sb, depth + 1);
    sl_strbuf_appendf(sb, "%s = ", o->name);
    switch (o->type) {
    case SL_OPTION_STRING:
      put_quoted(sb, o->text, strlen(o->text));
      break;
    case SL_OPTION_INTERVAL:
      put(sb, "INTERVAL '");
      put_interval(sb, o->number);
      put(sb, "'");
      break;
    default:
      put(sb, o->text);
      break;
    }
    if (o->defaulted)
      put(sb, " (default)");
    put(sb, "\n");
  }
}

static void put_names(sl_strbuf *sb, const char *title,
                      const char *const *names, int n, int depth) {
  if (n == 0)
    return;
  indent(sb, depth);
  sl_strbuf_appendf(sb, "%s: ", title);
  for (int i = 0; i < n; i++) {
    if (i)
      put(sb, ", ");
    put_name(sb, names[i]);
  }
  put(sb, "\n");
}

static void put_plan(sl_strbuf *sb, const sl_bound_stmt *st, int depth) {
  if (st->emit != SL_EMIT_DEFAULT)
    line(sb, depth, "emit: %s", sl_emit_mode_name(st->emit));
  if (st->limit >= 0 && st->kind == SL_BSTMT_QUERY)
    line(sb, depth, "limit: %lld", (long long)st->limit);
  if (!st->query)
    return;
  line(sb, depth, "plan:");
  put_rel(sb, st->query, depth + 1);
}

static void put_source_parts(sl_strbuf *sb, const sl_bound_stmt *st,
                             int depth) {
  put_columns(sb, st->columns, st->ncolumns, "columns", depth);
  if (st->key_column >= 0 && st->key_column < st->ncolumns)
    line(sb, depth, "key: %s", st->columns[st->key_column].name);
  if (st->timestamp_column >= 0 && st->timestamp_column < st->ncolumns) {
    indent(sb, depth);
    sl_strbuf_appendf(sb, "event time: %s",
                      st->columns[st->timestamp_column].name);
    if (st->watermark_column >= 0) {
      put(sb, ", out of order ");
      put_interval(sb, st->out_of_order_ms);
    }
    put(sb, "\n");
  } else if (st->kind == SL_BSTMT_CREATE_STREAM) {
    line(sb, depth, "event time: record timestamp");
  }
  if (st->check) {
    indent(sb, depth);
    put(sb, "check: ");
    /* CHECK reads the declared columns, named as the statement's. */
    sl_rel cols;
    memset(&cols, 0, sizeof(cols));
    sl_rel_column *rc = calloc((size_t)st->ncolumns + 1, sizeof(*rc));
    for (int i = 0; rc && i < st->ncolumns; i++) {
      rc[i].name = st->columns[i].name;
      rc[i].type = st->columns[i].type;
    }
    cols.ncolumns = rc ? st->ncolumns : 0;
    cols.columns = rc;
    put_expr(sb, st->check, &cols);
    put(sb, "\n");
    free(rc);
  }
}

/* True when rel reads a stream somewhere. */
static bool reads_stream(const sl_rel *rel) {
  if (!rel)
    return false;
  switch (rel->kind) {
  case SL_REL_SCAN:
    return rel->u.scan.kind == SL_SCAN_STREAM;
  case SL_REL_JOIN:
    return reads_stream(rel->u.join.left) || reads_stream(rel->u.join.right);
  case SL_REL_UNION:
    for (int i = 0; i < rel->u.union_.ninputs; i++)
      if (reads_stream(rel->u.union_.inputs[i]))
        return true;
    return false;
  default:
    return reads_stream(rel->input);
  }
}

/* How a transient query runs: a pull query answered from SQLite, a
 * bounded scan of the streams it reads (no EMIT), or a push query. */
static const char *query_mode(const sl_bound_stmt *st) {
  if (st->emit != SL_EMIT_DEFAULT)
    return "push";
  return reads_stream(st->query) ? "bounded scan" : "pull";
}

static void put_stmt(sl_strbuf *sb, const sl_bound_stmt *st, int depth);

static void put_model(sl_strbuf *sb, const sl_bound_stmt *st, int depth) {
  char nb[QNAME_MAX];
  line(sb, depth, "CREATE MODEL %s%s",
       st->if_not_exists ? "IF NOT EXISTS " : "", qname(st->name, nb));
  if (st->exists)
    line(sb, depth + 1, "exists: true");
  line(sb, depth + 1, "type: %s", st->model_type);
  if (st->model_file)
    line(sb, depth + 1, "file: '%s'", st->model_file);
  if (st->training_set)
    line(sb, depth + 1, "training set: %s", st->training_set);
  const sl_rel *rows = st->query;
  while (rows && rows->kind != SL_REL_SCAN)
    rows = rows->input;
  line(sb, depth + 1, "features:");
  static const char *const tnames[] = {NULL, "STANDARDIZE", "ONE_HOT",
                                       "BUCKETIZE"};
  for (int i = 0; i < st->nfeatures; i++) {
    const sl_bound_feature *f = &st->features[i];
    indent(sb, depth + 2);
    put_name(sb, f->name);
    put(sb, " := ");
    if (f->transform != SL_FEATURE_PLAIN)
      sl_strbuf_appendf(sb, "%s(", tnames[f->transform]);
    if (rows || !st->model_file)
      put_expr(sb, f->expr, rows);
    else
      put(sb, f->name);
    if (f->transform == SL_FEATURE_BUCKETIZE) {
      put(sb, ", [");
      for (int k = 0; k < f->nedges; k++) {
        char buf[SL_FORMAT_DOUBLE_MAX];
        sl_format_double(f->edges[k], buf);
        sl_strbuf_appendf(sb, "%s%s", k ? ", " : "", buf);
      }
      put(sb, "]");
    }
    if (f->transform != SL_FEATURE_PLAIN)
      put(sb, ")");
    put(sb, "\n");
  }
  put_columns(sb, st->inputs, st->ninputs, "inputs", depth + 1);
  if (st->label) {
    indent(sb, depth + 1);
    put(sb, "label: ");
    put_expr(sb, st->label, rows);
    put(sb, " ");
    put_type(sb, st->label->type);
    put(sb, "\n");
  }
  put_options(sb, st, depth + 1);
  put_names(sb, "reads", st->deps, st->ndeps, depth + 1);
  put_plan(sb, st, depth + 1);
}

static void put_stmt(sl_strbuf *sb, const sl_bound_stmt *st, int depth) {
  char tbuf[SL_TYPE_SQL_MAX];
  char nb[QNAME_MAX];
  switch (st->kind) {
  case SL_BSTMT_CREATE_STREAM:
  case SL_BSTMT_CREATE_TABLE:
  case SL_BSTMT_CREATE_TRAINING_SET:
    line(sb, depth, "%s %s%s%s", sl_bstmt_kind_name(st->kind),
         st->if_not_exists ? "IF NOT EXISTS " : "", qname(st->name, nb),
         st->query ? " AS" : "");
    if (st->exists)
      line(sb, depth + 1, "exists: true");
    put_source_parts(sb, st, depth + 1);
    put_options(sb, st, depth + 1);
    put_names(sb, "reads", st->deps, st->ndeps, depth + 1);
    put_names(sb, "functions", st->function_deps, st->nfunction_deps,
              depth + 1);
    put_plan(sb, st, depth + 1);
    return;
  case SL_BSTMT_CREATE_MODEL:
    put_model(sb, st, depth);
    return;
  case SL_BSTMT_CREATE_FUNCTION:
    indent(sb, depth);
    sl_strbuf_appendf(sb, "CREATE %sFUNCTION %s%s(",
                      st->aggregate_function ? "AGGREGATE " : "",
                      st->if_not_exists ? "IF NOT EXISTS " : "",
                      qname(st->name, nb));
    for (int i = 0; i < st->nparams; i++)
      sl_strbuf_appendf(sb, "%s%s", i ? ", " : "",
                        sl_type_to_sql(st->param_types[i], tbuf,
                                       sizeof(tbuf)));
    sl_strbuf_appendf(sb, ") RETURNS %s\n",
                      sl_type_to_sql(st->return_type, tbuf, sizeof(tbuf)));
    if (st->exists)
      line(sb, depth + 1, "exists: true");
    line(sb, depth + 1, "language: %s", st->language);
    line(sb, depth + 1, "library: '%s'", st->library);
    line(sb, depth + 1, "symbol: '%s'", st->symbol ? st->symbol : st->name);
    return;
  case SL_BSTMT_INSERT_QUERY:
    line(sb, depth, "INSERT INTO stream %s", qname(st->name, nb));
    put_columns(sb, st->columns, st->ncolumns, "columns", depth + 1);
    put_names(sb, "reads", st->deps, st->ndeps, depth + 1);
    put_names(sb, "functions", st->function_deps, st->nfunction_deps,
              depth + 1);
    put_plan(sb, st, depth + 1);
    return;
  case SL_BSTMT_INSERT_VALUES:
    line(sb, depth, "INSERT INTO %s %s VALUES", object_word(st->object_kind),
         qname(st->name, nb));
    indent(sb, depth + 1);
    put(sb, "columns: ");
    for (int i = 0; i < st->nvalues; i++) {
      const sl_bound_column *c = &st->columns[st->target_columns[i]];
      sl_strbuf_appendf(sb, "%s%s ", i ? ", " : "", c->name);
      put_type(sb, c->type);
    }
    put(sb, "\n");
    for (int r = 0; r < st->nrows; r++) {
      indent(sb, depth + 1);
      put(sb, "row: (");
      put_list(sb, st->rows[r], st->nvalues, NULL);
      put(sb, ")\n");
    }
    return;
  case SL_BSTMT_LOAD:
    indent(sb, depth);
    put(sb, "LOAD ");
    put_quoted(sb, st->path, strlen(st->path));
    sl_strbuf_appendf(sb, " INTO %s %s\n", object_word(st->object_kind),
                      qname(st->name, nb));
    put_options(sb, st, depth + 1);
    return;
  case SL_BSTMT_COPY:
    indent(sb, depth);
    sl_strbuf_appendf(sb, "COPY %s %s TO ", object_word(st->object_kind),
                      qname(st->name, nb));
    put_quoted(sb, st->path, strlen(st->path));
    put(sb, "\n");
    return;
  case SL_BSTMT_EVALUATE:
    line(sb, depth, "EVALUATE");
    for (int i = 0; i < st->nmodels; i++) {
      if (st->model_versions[i] > 0)
        line(sb, depth + 1, "model: %s VERSION %d", st->models[i],
             st->model_versions[i]);
      else
        line(sb, depth + 1, "model: %s (every version)", st->models[i]);
    }
    line(sb, depth + 1, "on: %s", st->training_set);
    put_plan(sb, st, depth + 1);
    return;
  case SL_BSTMT_DROP:
    line(sb, depth, "DROP %s %s%s%s", kind_sql(st->object_kind),
         st->if_exists ? "IF EXISTS " : "", qname(st->name, nb),
         st->delete_topic ? " DELETE TOPIC" : "");
    return;
  case SL_BSTMT_SHOW: {
    char what[64];
    size_t n = 0;
    for (; st->what[n] && n + 1 < sizeof(what); n++)
      what[n] = (char)(st->what[n] >= 'a' && st->what[n] <= 'z'
                           ? st->what[n] - 'a' + 'A'
                           : st->what[n]);
    what[n] = '\0';
    line(sb, depth, "SHOW %s", what);
    return;
  }
  case SL_BSTMT_DESCRIBE:
    line(sb, depth, "DESCRIBE %s %s", object_word(st->object_kind),
         qname(st->name, nb));
    return;
  case SL_BSTMT_EXPLAIN:
    if (st->explained) {
      line(sb, depth, "EXPLAIN");
      put_stmt(sb, st->explained, depth + 1);
    } else {
      line(sb, depth, "EXPLAIN query %s", qname(st->name, nb));
    }
    return;
  case SL_BSTMT_TERMINATE:
    if (st->all)
      line(sb, depth, "TERMINATE ALL");
    else
      line(sb, depth, "TERMINATE %s", qname(st->name, nb));
    return;
  case SL_BSTMT_SET:
    indent(sb, depth);
    put(sb, "SET ");
    put_quoted(sb, st->what, strlen(st->what));
    put(sb, " = ");
    put_quoted(sb, st->value, strlen(st->value));
    put(sb, "\n");
    return;
  case SL_BSTMT_UNSET:
    indent(sb, depth);
    put(sb, "UNSET ");
    put_quoted(sb, st->what, strlen(st->what));
    put(sb, "\n");
    return;
  case SL_BSTMT_PRINT:
    indent(sb, depth);
    put(sb, "PRINT ");
    put_quoted(sb, st->path, strlen(st->path));
    if (st->from_beginning)
      put(sb, " FROM BEGINNING");
    if (st->limit >= 0)
      sl_strbuf_appendf(sb, " LIMIT %lld", (long long)st->limit);
    put(sb, "\n");
    return;
  case SL_BSTMT_QUERY:
    line(sb, depth, "SELECT");
    line(sb, depth + 1, "mode: %s", query_mode(st));
    put_columns(sb, NULL, 0, "columns", depth + 1);
    put_names(sb, "reads", st->deps, st->ndeps, depth + 1);
    put_names(sb, "functions", st->function_deps, st->nfunction_deps,
              depth + 1);
    put_plan(sb, st, depth + 1);
    return;
  }
}

char *sl_bound_dump_string(const sl_bound_stmt *stmt) {
  sl_strbuf sb = SL_STRBUF_INIT;
  put_stmt(&sb, stmt, 0);
  if (sb.failed) {
    sl_strbuf_free(&sb);
    return NULL;
  }
  if (!sb.data)
    return calloc(1, 1);
  return sl_strbuf_detach(&sb, NULL);
}

sl_status sl_bound_dump(const sl_bound_stmt *stmt, FILE *f, sl_error *err) {
  char *text = sl_bound_dump_string(stmt);
  if (!text)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  size_t n = strlen(text);
  bool ok = fwrite(text, 1, n, f) == n;
  free(text);
  if (!ok)
    return sl_error_set(err, SL_ERR_IO, "cannot write the dump");
  return SL_OK;
}
