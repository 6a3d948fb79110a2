/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_explain.c - EXPLAIN: the physical plan as an indented tree, and
 * expressions in SQL form.
 *
 * Each operator prints a header line (its kind and what it works on),
 * then its properties two spaces deeper: output columns and types, the
 * kind-specific lines (predicate, expressions, keys, decoded fields),
 * partitioning, state and, for a running query, live counters.  Its
 * inputs follow, two spaces deeper again.  The text is stable: golden
 * tests compare it exactly.
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "engine/plan/plan_internal.h"
#include "engine/types/format.h"

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

static bool plain_ident(const char *s) {
  if (!*s || isdigit((unsigned char)*s))
    return false;
  for (; *s; s++)
    if (!(isalnum((unsigned char)*s) || *s == '_'))
      return false;
  return true;
}

static void put_name(sl_strbuf *out, const char *name) {
  if (plain_ident(name)) {
    sl_strbuf_appends(out, name);
    return;
  }
  sl_strbuf_appendc(out, '"');
  for (const char *s = name; *s; s++) {
    if (*s == '"')
      sl_strbuf_appendc(out, '"');
    sl_strbuf_appendc(out, *s);
  }
  sl_strbuf_appendc(out, '"');
}

static void put_quoted(sl_strbuf *out, const char *s, size_t len) {
  sl_strbuf_appendc(out, '\'');
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\'')
      sl_strbuf_appendc(out, '\'');
    sl_strbuf_appendc(out, s[i]);
  }
  sl_strbuf_appendc(out, '\'');
}

static void put_literal(sl_strbuf *out, const sl_value *v,
                        const sl_type *type) {
  char buf[SL_FORMAT_TIME_MAX + SL_FORMAT_DOUBLE_MAX];
  switch (v->kind) {
  case SL_TYPE_NULL:
    sl_strbuf_appends(out, "NULL");
    return;
  case SL_TYPE_BOOLEAN:
    sl_strbuf_appends(out, v->u.b ? "TRUE" : "FALSE");
    return;
  case SL_TYPE_VARCHAR:
    put_quoted(out, v->u.str, v->len);
    return;
  case SL_TYPE_TIMESTAMP:
    sl_format_timestamp(v->u.i64, false, buf);
    sl_strbuf_appends(out, "TIMESTAMP ");
    put_quoted(out, buf, strlen(buf));
    return;
  case SL_TYPE_DATE:
    sl_format_date(v->u.i32, buf);
    sl_strbuf_appends(out, "DATE ");
    put_quoted(out, buf, strlen(buf));
    return;
  case SL_TYPE_INTERVAL:
    sl_format_interval(v->u.i64, buf);
    sl_strbuf_appends(out, "INTERVAL ");
    put_quoted(out, buf, strlen(buf));
    return;
  default: {
    sl_strbuf t = SL_STRBUF_INIT;
    sl_format_text(&t, v, type);
    if (v->kind == SL_TYPE_ARRAY || v->kind == SL_TYPE_MAP ||
        v->kind == SL_TYPE_STRUCT || v->kind == SL_TYPE_BYTES)
      put_quoted(out, t.data ? t.data : "", t.len);
    else if (t.data)
      sl_strbuf_append(out, t.data, t.len);
    sl_strbuf_free(&t);
    return;
  }
  }
}

static const char *op_text(sl_bexpr_op op) {
  switch (op) {
  case SL_OP_NEG: return "-";
  case SL_OP_PLUS: return "+";
  case SL_OP_NOT: return "NOT ";
  case SL_OP_ADD: return " + ";
  case SL_OP_SUB: return " - ";
  case SL_OP_MUL: return " * ";
  case SL_OP_DIV: return " / ";
  case SL_OP_MOD: return " % ";
  case SL_OP_CONCAT: return " || ";
  case SL_OP_EQ: return " = ";
  case SL_OP_NE: return " <> ";
  case SL_OP_LT: return " < ";
  case SL_OP_LE: return " <= ";
  case SL_OP_GT: return " > ";
  case SL_OP_GE: return " >= ";
  case SL_OP_AND: return " AND ";
  case SL_OP_OR: return " OR ";
  default: return " ? ";
  }
}

static const char *part_text(sl_extract_part part) {
  static const char *const names[] = {
      "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DOW", "DOY", "HOUR",
      "MINUTE", "SECOND", "MILLISECOND", "EPOCH"};
  return (int)part >= 0 && part <= SL_EXTRACT_EPOCH ? names[part] : "?";
}

typedef struct printer {
  sl_strbuf *out;
  int ncols;
  const sl_pcolumn *cols;
} printer;

static void put_expr(printer *pr, const sl_bexpr *e);

/* Operands that are operators themselves get parentheses. */
static void put_operand(printer *pr, const sl_bexpr *e) {
  e = sl_plan_expr_strip(e);
  bool paren = e->kind == SL_BEXPR_BINARY || e->kind == SL_BEXPR_IS_NULL ||
               e->kind == SL_BEXPR_IN || e->kind == SL_BEXPR_LIKE ||
               e->kind == SL_BEXPR_BETWEEN ||
               (e->kind == SL_BEXPR_UNARY && e->op == SL_OP_NOT);
  if (paren)
    sl_strbuf_appendc(pr->out, '(');
  put_expr(pr, e);
  if (paren)
    sl_strbuf_appendc(pr->out, ')');
}

static void put_list(printer *pr, sl_bexpr *const *args, int from, int to) {
  for (int i = from; i < to; i++) {
    if (i > from)
      sl_strbuf_appends(pr->out, ", ");
    put_expr(pr, args[i]);
  }
}

static void put_expr(printer *pr, const sl_bexpr *e) {
  sl_strbuf *out = pr->out;
  char tbuf[SL_TYPE_SQL_MAX];
  e = sl_plan_expr_strip(e);
  switch (e->kind) {
  case SL_BEXPR_LITERAL:
    put_literal(out, &e->u.literal, e->type);
    return;
  case SL_BEXPR_COLUMN:
    if (e->u.column >= 0 && e->u.column < pr->ncols)
      put_name(out, pr->cols[e->u.column].name);
    else
      sl_strbuf_appendf(out, "$%d", e->u.column);
    return;
  case SL_BEXPR_UNARY:
    sl_strbuf_appends(out, op_text(e->op));
    put_operand(pr, e->args[0]);
    return;
  case SL_BEXPR_BINARY:
    put_operand(pr, e->args[0]);
    sl_strbuf_appends(out, op_text(e->op));
    put_operand(pr, e->args[1]);
    return;
  case SL_BEXPR_IS_NULL:
    put_operand(pr, e->args[0]);
    sl_strbuf_appends(out, e->negated ? " IS NOT NULL" : " IS NULL");
    return;
  case SL_BEXPR_IN:
    put_operand(pr, e->args[0]);
    sl_strbuf_appends(out, e->negated ? " NOT IN (" : " IN (");
    put_list(pr, e->args, 1, e->nargs);
    sl_strbuf_appendc(out, ')');
    return;
  case SL_BEXPR_LIKE:
    put_operand(pr, e->args[0]);
    sl_strbuf_appends(out, e->negated ? " NOT LIKE " : " LIKE ");
    put_operand(pr, e->args[1]);
    if (e->nargs > 2) {
      sl_strbuf_appends(out, " ESCAPE ");
      put_operand(pr, e->args[2]);
    }
    return;
  case SL_BEXPR_BETWEEN:
    put_operand(pr, e->args[0]);
    sl_strbuf_appends(out, e->negated ? " NOT BETWEEN " : " BETWEEN ");
    put_operand(pr, e->args[1]);
    sl_strbuf_appends(out, " AND ");
    put_operand(pr, e->args[2]);
    return;
  case SL_BEXPR_CASE: {
    int k = 0;
    sl_strbuf_appends(out, "CASE");
    if (e->u.case_.has_operand) {
      sl_strbuf_appendc(out, ' ');
      put_expr(pr, e->args[k++]);
    }
    for (int w = 0; w < e->u.case_.nwhen; w++) {
      sl_strbuf_appends(out, " WHEN ");
      put_expr(pr, e->args[k++]);
      sl_strbuf_appends(out, " THEN ");
      put_expr(pr, e->args[k++]);
    }
    if (e->u.case_.has_else) {
      sl_strbuf_appends(out, " ELSE ");
      put_expr(pr, e->args[k]);
    }
    sl_strbuf_appends(out, " END");
    return;
  }
  case SL_BEXPR_CAST:
    sl_strbuf_appends(out, "CAST(");
    put_expr(pr, e->args[0]);
    sl_strbuf_appendf(out, " AS %s)",
                      sl_type_to_sql(e->type, tbuf, sizeof(tbuf)));
    return;
  case SL_BEXPR_FUNC:
    sl_strbuf_appends(out, e->u.call.func ? e->u.call.func->name
                                          : e->u.call.name);
    sl_strbuf_appendc(out, '(');
    put_list(pr, e->args, 0, e->nargs);
    sl_strbuf_appendc(out, ')');
    return;
  case SL_BEXPR_SUBSCRIPT:
    put_operand(pr, e->args[0]);
    sl_strbuf_appendc(out, '[');
    put_expr(pr, e->args[1]);
    sl_strbuf_appendc(out, ']');
    return;
  case SL_BEXPR_FIELD:
    put_operand(pr, e->args[0]);
    sl_strbuf_appendc(out, '.');
    put_name(out, e->u.field.name ? e->u.field.name : "?");
    return;
  case SL_BEXPR_ARRAY:
    sl_strbuf_appends(out, "ARRAY[");
    put_list(pr, e->args, 0, e->nargs);
    sl_strbuf_appendc(out, ']');
    return;
  case SL_BEXPR_EXTRACT:
    sl_strbuf_appendf(out, "EXTRACT(%s FROM ", part_text(e->u.part));
    put_expr(pr, e->args[0]);
    sl_strbuf_appendc(out, ')');
    return;
  case SL_BEXPR_PREDICT:
    sl_strbuf_appends(out, "PREDICT(");
    put_name(out, e->u.predict.model ? e->u.predict.model : "?");
    if (e->u.predict.version > 0)
      sl_strbuf_appendf(out, " VERSION %d", e->u.predict.version);
    if (e->nargs) {
      sl_strbuf_appends(out, ", ");
      put_list(pr, e->args, 0, e->nargs);
    }
    sl_strbuf_appendc(out, ')');
    return;
  default:
    sl_strbuf_appends(out, "?");
    return;
  }
}

sl_status sl_plan_expr_text(const sl_bexpr *e, int ncols,
                            const sl_pcolumn *cols, sl_strbuf *out) {
  printer pr = {.out = out, .ncols = ncols, .cols = cols};
  put_expr(&pr, e);
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

/* ------------------------------------------------------------------ */
/* Operators                                                           */
/* ------------------------------------------------------------------ */

typedef struct explainer {
  const sl_plan *plan;
  sl_strbuf *out;
  sl_plan_counters_fn counters;
  void *ud;
} explainer;

static void indent(sl_strbuf *out, int depth) {
  for (int i = 0; i < depth; i++)
    sl_strbuf_appends(out, "  ");
}

/* Starts a property line at depth. */
static sl_strbuf *line(explainer *ex, int depth, const char *label) {
  indent(ex->out, depth);
  sl_strbuf_appends(ex->out, label);
  sl_strbuf_appends(ex->out, ": ");
  return ex->out;
}

static void end_line(explainer *ex) {
  sl_strbuf_appendc(ex->out, '\n');
}

static void put_columns(explainer *ex, int depth, int n,
                        const sl_pcolumn *cols) {
  char tbuf[SL_TYPE_SQL_MAX];
  sl_strbuf *out = line(ex, depth, "columns");
  for (int i = 0; i < n; i++) {
    if (i)
      sl_strbuf_appends(out, ", ");
    put_name(out, cols[i].name);
    sl_strbuf_appendf(out, " %s", sl_type_to_sql(cols[i].type, tbuf,
                                                 sizeof(tbuf)));
    if (cols[i].hidden)
      sl_strbuf_appends(out, " (hidden)");
  }
  end_line(ex);
}

static void put_exprs(explainer *ex, sl_bexpr *const *exprs, int n,
                      const sl_pcolumn *names, int nin,
                      const sl_pcolumn *in) {
  printer pr = {.out = ex->out, .ncols = nin, .cols = in};
  for (int i = 0; i < n; i++) {
    if (i)
      sl_strbuf_appends(ex->out, ", ");
    put_expr(&pr, exprs[i]);
    const sl_bexpr *s = sl_plan_expr_strip(exprs[i]);
    bool same = s->kind == SL_BEXPR_COLUMN && s->u.column < nin &&
                !strcmp(in[s->u.column].name, names[i].name);
    if (!same) {
      sl_strbuf_appends(ex->out, " AS ");
      put_name(ex->out, names[i].name);
    }
  }
}

static void put_keylist(explainer *ex, int d, const char *label,
                     sl_bexpr *const *es, int n, const sl_pnode *in) {
  if (n <= 0)
    return;
  printer pr = {.out = ex->out, .ncols = in->ncols, .cols = in->cols};
  line(ex, d, label);
  for (int i = 0; i < n; i++) {
    if (i)
      sl_strbuf_appends(ex->out, ", ");
    put_expr(&pr, es[i]);
  }
  end_line(ex);
}

static void put_calls(explainer *ex, int d, const sl_agg_call *calls, int n,
                      const sl_pnode *in) {
  if (n <= 0)
    return;
  printer pr = {.out = ex->out, .ncols = in->ncols, .cols = in->cols};
  line(ex, d, "aggregates");
  for (int i = 0; i < n; i++) {
    sl_strbuf_appends(ex->out, i ? ", " : "");
    sl_strbuf_appends(ex->out, calls[i].name ? calls[i].name : "?");
    sl_strbuf_appendc(ex->out, '(');
    if (calls[i].star)
      sl_strbuf_appendc(ex->out, '*');
    if (calls[i].distinct)
      sl_strbuf_appends(ex->out, "DISTINCT ");
    for (int a = 0; a < calls[i].nargs; a++) {
      sl_strbuf_appends(ex->out, a ? ", " : "");
      put_expr(&pr, calls[i].args[a]);
    }
    sl_strbuf_appendc(ex->out, ')');
  }
  end_line(ex);
}

/* The keys and expressions of a stateful operator. */
static void put_stateful_lines(explainer *ex, const sl_pnode *n, int d) {
  const sl_plan_stateful *s = &n->u.stateful;
  const sl_pnode *in = n->inputs[0];
  switch (s->kind) {
  case SL_STATEFUL_WINDOW_AGG:
    put_keylist(ex, d, "group by", s->u.window_agg.group_by,
             s->u.window_agg.ngroup, in);
    put_calls(ex, d, s->u.window_agg.aggs, s->u.window_agg.naggs, in);
    return;
  case SL_STATEFUL_GROUP_AGG:
    put_keylist(ex, d, "group by", s->u.group_agg.group_by,
             s->u.group_agg.ngroup, in);
    put_calls(ex, d, s->u.group_agg.aggs, s->u.group_agg.naggs, in);
    return;
  case SL_STATEFUL_INTERVAL_JOIN:
    put_keylist(ex, d, "left keys", s->u.interval_join.left_keys,
             s->u.interval_join.nkeys, in);
    put_keylist(ex, d, "right keys", s->u.interval_join.right_keys,
             s->u.interval_join.nkeys, n->inputs[1]);
    return;
  case SL_STATEFUL_WINDOW_JOIN:
    put_keylist(ex, d, "left keys", s->u.window_join.left_keys,
             s->u.window_join.nkeys, in);
    put_keylist(ex, d, "right keys", s->u.window_join.right_keys,
             s->u.window_join.nkeys, n->inputs[1]);
    return;
  case SL_STATEFUL_TEMPORAL_JOIN:
    put_keylist(ex, d, "keys", s->u.temporal_join.left_keys,
             s->u.temporal_join.nkeys, in);
    return;
  case SL_STATEFUL_OVER:
  case SL_STATEFUL_TOPN:
    put_keylist(ex, d, "partition by",
             s->kind == SL_STATEFUL_OVER ? s->u.over.partition_by
                                         : s->u.topn.partition_by,
             s->kind == SL_STATEFUL_OVER ? s->u.over.npartition
                                         : s->u.topn.npartition,
             in);
    if (s->kind == SL_STATEFUL_TOPN)
      put_keylist(ex, d, "order by", s->u.topn.order_by, s->u.topn.norder, in);
    return;
  }
}

static void put_kind_lines(explainer *ex, const sl_pnode *n, int d) {
  const sl_pnode *in = n->ninputs ? n->inputs[0] : NULL;
  printer pr = {.out = ex->out,
                .ncols = in ? in->ncols : 0,
                .cols = in ? in->cols : NULL};
  switch (n->kind) {
  case SL_PNODE_SOURCE: {
    const sl_record_schema *s = n->u.source.schema;
    if (n->u.source.internal) {
      sl_strbuf_appends(line(ex, d, "decoded"), "every column, as the "
                        "writer below wrote it");
      end_line(ex);
      sl_strbuf_appends(line(ex, d, "event time"), "the writer's; watermark "
                        "the least over every writer's marks");
      end_line(ex);
      sl_strbuf *out = line(ex, d, "errors");
      sl_strbuf_appends(out, sl_error_policy_name(n->u.source.policy));
      if (n->u.source.policy == SL_POLICY_DLQ && n->u.source.dlq_topic)
        sl_strbuf_appendf(out, " to %s", n->u.source.dlq_topic);
      end_line(ex);
      return;
    }
    sl_strbuf *out = line(ex, d, "decoded");
    int k = 0;
    for (int c = 0; c < s->ncols; c++)
      if (s->cols[c].needed) {
        sl_strbuf_appends(out, k++ ? ", " : "");
        put_name(out, s->cols[c].name);
      }
    if (k == 0)
      sl_strbuf_appends(out, "nothing");
    sl_strbuf_appendf(out, " (of %d declared; all validated)", s->ncols);
    end_line(ex);
    out = line(ex, d, "event time");
    if (n->u.source.event_time >= 0)
      put_name(out, s->cols[n->u.source.event_time].name);
    else
      sl_strbuf_appends(out, "ROWTIME");
    sl_strbuf_appendf(out, ", watermark delay %" PRId64 " ms",
                      n->u.source.out_of_order_ms);
    end_line(ex);
    out = line(ex, d, "errors");
    sl_strbuf_appends(out, sl_error_policy_name(n->u.source.policy));
    if (n->u.source.policy == SL_POLICY_DLQ && n->u.source.dlq_topic)
      sl_strbuf_appendf(out, " to %s", n->u.source.dlq_topic);
    end_line(ex);
    return;
  }
  case SL_PNODE_FILTER:
    line(ex, d, "predicate");
    put_expr(&pr, n->u.filter.predicate);
    end_line(ex);
    return;
  case SL_PNODE_PROJECT:
    line(ex, d, "exprs");
    put_exprs(ex, n->u.project.exprs, n->u.project.nexprs, n->cols,
              pr.ncols, pr.cols);
    end_line(ex);
    return;
  case SL_PNODE_LOOKUP_JOIN: {
    sl_strbuf *out = line(ex, d, "keys");
    for (int k = 0; k < n->u.lookup.nkeys; k++) {
      sl_strbuf_appends(out, k ? ", " : "");
      put_name(out, n->u.lookup.table);
      sl_strbuf_appendc(out, '.');
      put_name(out, n->u.lookup.key_names[k]);
      sl_strbuf_appends(out, " = ");
      put_expr(&pr, n->u.lookup.left_keys[k]);
    }
    end_line(ex);
    printer tp = {.out = ex->out,
                  .ncols = n->u.lookup.ntable,
                  .cols = n->u.lookup.table_cols};
    if (n->u.lookup.right_filter) {
      line(ex, d, "table filter");
      put_expr(&tp, n->u.lookup.right_filter);
      end_line(ex);
    }
    if (n->u.lookup.right_exprs) {
      line(ex, d, "table columns");
      put_exprs(ex, n->u.lookup.right_exprs, n->u.lookup.nright,
                n->cols + in->ncols, tp.ncols, tp.cols);
      end_line(ex);
    }
    if (n->u.lookup.residual) {
      printer op = {.out = ex->out, .ncols = n->ncols, .cols = n->cols};
      line(ex, d, "residual");
      put_expr(&op, n->u.lookup.residual);
      end_line(ex);
    }
    return;
  }
  case SL_PNODE_LIMIT:
    sl_strbuf_appendf(line(ex, d, "count"), "%" PRId64, n->u.limit.count);
    end_line(ex);
    return;
  case SL_PNODE_STATEFUL:
    put_stateful_lines(ex, n, d);
    return;
  case SL_PNODE_SINK_KAFKA: {
    sl_strbuf *out = line(ex, d, "key");
    if (n->u.sink.nkeys > 1) {
      for (int i = 0; i < n->u.sink.nkeys; i++) {
        if (i)
          sl_strbuf_appends(out, ", ");
        put_name(out, n->cols[n->u.sink.key_cols[i]].name);
      }
      sl_strbuf_appends(out, " (a JSON object)");
    } else if (n->u.sink.key_col >= 0) {
      put_name(out, n->cols[n->u.sink.key_col].name);
    } else {
      sl_strbuf_appends(out, "none");
    }
    end_line(ex);
    if (ex->plan->withdrawals || n->u.sink.op_col >= 0) {
      out = line(ex, d, "withdrawals");
      if (n->u.sink.op_col >= 0) {
        sl_strbuf_appends(out, "rows with ");
        put_name(out, n->cols[n->u.sink.op_col].name);
        sl_strbuf_appends(out, " '-' (added rows '+')");
      } else {
        sl_strbuf_appends(out, "tombstones of the rows' keys");
      }
      end_line(ex);
    }
    out = line(ex, d, "topic partitions");
    if (n->u.sink.partitions > 0)
      sl_strbuf_appendf(out, "%d", n->u.sink.partitions);
    else
      sl_strbuf_appends(out, "as the source's");
    if (n->u.sink.replicas > 0)
      sl_strbuf_appendf(out, ", replicas %d", n->u.sink.replicas);
    else
      sl_strbuf_appends(out, ", replicas as the source's");
    end_line(ex);
    return;
  }
  case SL_PNODE_SINK_REPARTITION: {
    sl_strbuf_appends(line(ex, d, "key"), n->u.repart.key_text);
    end_line(ex);
    sl_strbuf *out = line(ex, d, "topic partitions");
    if (n->u.repart.partitions > 0)
      sl_strbuf_appendf(out, "%d", n->u.repart.partitions);
    else if (n->u.repart.peer)
      sl_strbuf_appends(out, "the larger count of the two sources'");
    else
      sl_strbuf_appends(out, "as the source's");
    end_line(ex);
    return;
  }
  case SL_PNODE_SINK_TABLE: {
    sl_strbuf *out = line(ex, d, "depersonalized");
    int k = 0;
    for (int c = 0; c < n->u.table.ncols; c++)
      if (n->u.table.hashed[c]) {
        sl_strbuf_appends(out, k++ ? ", " : "");
        put_name(out, n->cols[c].name);
      }
    sl_strbuf_appends(out, k ? " (HMAC-SHA256, hex)" : "none");
    end_line(ex);
    return;
  }
  default:
    return;
  }
}

static const char *partitioning(const explainer *ex, const sl_pnode *n,
                                char *buf, size_t size) {
  switch (n->kind) {
  case SL_PNODE_SOURCE:
    snprintf(buf, size, "the partitions of topic %s", n->u.source.topic);
    return buf;
  case SL_PNODE_SINK_REPARTITION:
    snprintf(buf, size, "by key %s into topic %s (murmur2 of the key)",
             n->u.repart.key_text, n->u.repart.topic);
    return buf;
  case SL_PNODE_UNION:
    return "each input's";
  case SL_PNODE_SINK_KAFKA:
    if (n->u.sink.nkeys > 1)
      snprintf(buf, size, "by the key's JSON object into topic %s",
               n->u.sink.topic);
    else if (n->u.sink.key_col >= 0)
      snprintf(buf, size, "by key %s into topic %s",
               n->cols[n->u.sink.key_col].name, n->u.sink.topic);
    else
      snprintf(buf, size, "spread over the partitions of topic %s",
               n->u.sink.topic);
    return buf;
  case SL_PNODE_SINK_CALLBACK:
    return "merged to the caller";
  case SL_PNODE_STATEFUL:
    if (n->u.stateful.kind == SL_STATEFUL_TEMPORAL_JOIN)
      return "as its input";
    /* Rows partitioned by the operator's key keep state per partition
     * (plan_partition.c); otherwise rows of one key may come from any
     * partition, and one task reads them all into one state. */
    if (ex->plan->keyed_state && n->keyed_by)
      return n->keyed_by;
    if (n->keyed_by)
      return "single task, all partitions (the joined topics' partition "
             "counts differ)";
    return n->single_why ? n->single_why : "single task, all partitions";
  default:
    return "as its input";
  }
}

static const char *state_of(const explainer *ex, const sl_pnode *n,
                            char *buf, size_t size) {
  switch (n->kind) {
  case SL_PNODE_SOURCE:
    return n->u.source.internal ? "partition offsets, and per writer "
                                  "partition its watermark and last offset "
                                  "(duplicates dropped)"
                                : "partition offsets and watermarks";
  case SL_PNODE_SINK_REPARTITION:
    return "unacknowledged deliveries";
  case SL_PNODE_LOOKUP_JOIN:
    snprintf(buf, size, "cached rows of table %s", n->u.lookup.table);
    return buf;
  case SL_PNODE_LIMIT:
    return "rows passed";
  case SL_PNODE_SINK_KAFKA:
    return "unacknowledged deliveries";
  case SL_PNODE_SINK_TABLE:
    return "none (rows committed with each batch)";
  case SL_PNODE_STATEFUL: {
    sl_strbuf sb = SL_STRBUF_INIT;
    sl_plan_stateful_explain(&n->u.stateful, &sb);
    const char *st = sb.data ? strstr(sb.data, "; state: ") : NULL;
    if (n->u.stateful.kind == SL_STATEFUL_TEMPORAL_JOIN)
      snprintf(buf, size, "%s", st ? st + 9 : "none");
    else
      snprintf(buf, size, "%s (store tables n%d%s)", st ? st + 9 : "kept",
               n->id, ex->plan->keyed_state ? ", one per partition" : "");
    sl_strbuf_free(&sb);
    return buf;
  }
  default:
    return "none";
  }
}

static void put_header(explainer *ex, const sl_pnode *n, int depth) {
  sl_strbuf *out = ex->out;
  indent(out, depth);
  if (n->kind == SL_PNODE_STATEFUL) {
    /* "WindowAgg tumbling size=... emit=final", the state apart. */
    sl_strbuf sb = SL_STRBUF_INIT;
    sl_plan_stateful_explain(&n->u.stateful, &sb);
    const char *text = sb.data ? sb.data : "";
    const char *st = strstr(text, "; state: ");
    sl_strbuf_append(out, text, st ? (size_t)(st - text) : strlen(text));
    sl_strbuf_appendc(out, '\n');
    sl_strbuf_free(&sb);
    return;
  }
  sl_strbuf_appends(out, sl_pnode_kind_name(n->kind));
  switch (n->kind) {
  case SL_PNODE_SOURCE:
    if (n->u.source.internal) {
      sl_strbuf_appendf(out, " topic=%s format=internal",
                        n->u.source.topic);
      break;
    }
    sl_strbuf_appendf(out, " stream=%s topic=%s format=%s",
                      n->u.source.stream, n->u.source.topic,
                      n->u.source.format == SL_SOURCE_CSV ? "csv" : "json");
    break;
  case SL_PNODE_SINK_REPARTITION:
    sl_strbuf_appendf(out, " topic=%s format=internal", n->u.repart.topic);
    break;
  case SL_PNODE_LOOKUP_JOIN:
    sl_strbuf_appendf(out, " %s table=%s",
                      n->u.lookup.left_outer ? "LEFT" : "INNER",
                      n->u.lookup.table);
    break;
  case SL_PNODE_UNION:
    sl_strbuf_appendf(out, " inputs=%d", n->ninputs);
    break;
  case SL_PNODE_SINK_KAFKA:
    sl_strbuf_appendf(out, " stream=%s topic=%s format=%s",
                      n->u.sink.stream, n->u.sink.topic,
                      n->u.sink.format == SL_SOURCE_CSV ? "csv" : "json");
    break;
  case SL_PNODE_SINK_TABLE:
    sl_strbuf_appendf(out, " training_set=%s", n->u.table.name);
    break;
  default:
    break;
  }
  sl_strbuf_appendc(out, '\n');
}

static void explain_node(explainer *ex, const sl_pnode *n, int depth) {
  char buf[SL_ERROR_NAME_MAX * 2];
  put_header(ex, n, depth);
  put_columns(ex, depth + 1, n->ncols, n->cols);
  put_kind_lines(ex, n, depth + 1);
  sl_strbuf_appends(line(ex, depth + 1, "partitioning"),
                    partitioning(ex, n, buf, sizeof(buf)));
  end_line(ex);
  sl_strbuf_appends(line(ex, depth + 1, "state"),
                    state_of(ex, n, buf, sizeof(buf)));
  end_line(ex);
  sl_plan_counters c;
  if (ex->counters && ex->counters(ex->ud, n->id, &c)) {
    sl_strbuf_appendf(line(ex, depth + 1, "counters"),
                      "in=%" PRId64 " out=%" PRId64 " failed=%" PRId64
                      " late=%" PRId64,
                      c.records_in, c.records_out, c.records_failed,
                      c.records_late);
    end_line(ex);
  }
  for (int i = 0; i < n->ninputs; i++)
    explain_node(ex, n->inputs[i], depth + 1);
}

/* Appends the plan's tree (see plan.h). */
sl_status sl_plan_explain(const sl_plan *plan, sl_plan_counters_fn counters,
                          void *ud, sl_strbuf *out) {
  explainer ex = {.plan = plan, .out = out, .counters = counters,
                  .ud = ud};
  explain_node(&ex, plan->root, 0);
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
