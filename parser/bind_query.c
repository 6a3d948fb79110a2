/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind_query.c - binding queries into logical plans.
 *
 * A SELECT becomes, bottom up: the FROM relation (scans, inlined CTEs and
 * subqueries, joins with their strategy), a FILTER for WHERE, an
 * AGGREGATE (GROUP BY, the window of WINDOW TUMBLING/HOPPING/SESSION) and a
 * FILTER for HAVING, an OVER relation for LAG, ROW_NUMBER, RANK and
 * sliding aggregates, and the PROJECT of the SELECT list.  Several SELECTs
 * joined by UNION ALL meet in a UNION; LIMIT adds a LIMIT on top.
 *
 * The SELECT list and HAVING are bound once over the FROM columns with
 * aggregate and OVER calls collected aside (bind_expr.c); then they are
 * rewritten over the AGGREGATE's output: a subexpression equal to a
 * GROUP BY expression becomes that group column, an aggregate call its
 * result column, and any other column reference is the "must appear in
 * GROUP BY" error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/bind_internal.h"
#include "parser/parser.h"

/* ------------------------------------------------------------------ */
/* Relations and scopes                                                */
/* ------------------------------------------------------------------ */

const char *bind_kind_word(sl_catalog_kind kind) {
  return sl_catalog_kind_name(kind);
}

sl_rel *bind_rel_new(sl_binder *b, sl_rel_kind kind, sl_ast_pos pos,
                     int ncolumns) {
  sl_rel *rel = bind_calloc(b, 1, sizeof(*rel));
  if (!rel)
    return NULL;
  rel->kind = kind;
  rel->pos = bind_srcpos(pos);
  rel->ncolumns = ncolumns;
  rel->event_time = -1;
  rel->window_start = -1;
  rel->window_end = -1;
  if (ncolumns > 0) {
    rel->columns = bind_calloc(b, (size_t)ncolumns, sizeof(*rel->columns));
    if (!rel->columns)
      return NULL;
  }
  return rel;
}

/* A relation over input with input's columns and properties. */
static sl_rel *rel_over_input(sl_binder *b, sl_rel_kind kind,
                              sl_ast_pos pos, sl_rel *input) {
  sl_rel *rel = bind_rel_new(b, kind, pos, 0);
  if (!rel)
    return NULL;
  rel->input = input;
  rel->ncolumns = input->ncolumns;
  rel->columns = input->columns;
  rel->nature = input->nature;
  rel->windowed = input->windowed;
  rel->event_time = input->event_time;
  rel->window_start = input->window_start;
  rel->window_end = input->window_end;
  return rel;
}

sl_status bind_scope_single(sl_binder *b, const sl_rel *rel,
                            const char *qualifier, const char *kind_word,
                            sl_ast_pos pos, bind_scope *scope) {
  memset(scope, 0, sizeof(*scope));
  scope->rel = rel;
  scope->nsources = 1;
  scope->sources = bind_calloc(b, 1, sizeof(*scope->sources));
  if (!scope->sources)
    return bind_nomem(b);
  scope->sources[0].qualifier = qualifier;
  scope->sources[0].kind_word = kind_word;
  scope->sources[0].first = 0;
  scope->sources[0].count = rel->ncolumns;
  scope->sources[0].pos = pos;
  return SL_OK;
}

/* The out-of-order delay of a catalog watermark text, which bind.c writes
 * as "col" or "col - INTERVAL 'n' UNIT". */
static int64_t watermark_delay(const char *text) {
  static const struct {
    const char *unit;
    int64_t ms;
  } units[] = {{"MILLISECOND", 1},      {"SECOND", 1000},
               {"MINUTE", 60000},       {"HOUR", 3600000},
               {"DAY", 86400000}};
  if (!text)
    return 0;
  const char *p = strstr(text, " - INTERVAL '");
  if (!p)
    return 0;
  p += strlen(" - INTERVAL '");
  char *end;
  long long n = strtoll(p, &end, 10);
  if (end[0] != '\'' || end[1] != ' ')
    return 0;
  for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
    if (strcmp(end + 2, units[i].unit) == 0)
      return (int64_t)n * units[i].ms;
  return 0;
}

/* The text of the CHECK whose keyword is at offset `at` of sql: through
 * the parenthesis that closes its condition, each run of white space or
 * comment outside quotes written as one space (see sl_bcheck).  The
 * parser accepted the text, so its parentheses balance; an unbalanced
 * one ends at the end of sql.  NULL when out of memory. */
static const char *check_text(sl_binder *b, const char *sql, size_t at) {
  size_t n = strlen(sql);
  if (at > n)
    at = n;
  char *out = bind_alloc(b, n - at + 1);
  if (!out)
    return NULL;

  size_t len = 0;
  int depth = 0;
  char quote = 0;
  bool space = false;
  for (size_t i = at; i < n; i++) {
    char ch = sql[i];
    if (quote) {
      out[len++] = ch;
      if (ch == quote)
        quote = 0;
      continue;
    }

    /* White space and comments collapse into the space before what
     * follows them. */
    if (ch == '-' && sql[i + 1] == '-') {
      while (i + 1 < n && sql[i + 1] != '\n')
        i++;
      space = true;
      continue;
    }
    if (ch == '/' && sql[i + 1] == '*') {
      const char *close = strstr(sql + i + 2, "*/");
      i = close ? (size_t)(close - sql) + 1 : n;
      space = true;
      continue;
    }
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
        ch == '\f' || ch == '\v') {
      space = true;
      continue;
    }
    if (space && len > 0)
      out[len++] = ' ';
    space = false;

    out[len++] = ch;
    if (ch == '\'' || ch == '"')
      quote = ch;
    else if (ch == '(')
      depth++;
    else if (ch == ')' && --depth == 0)
      break;
  }
  out[len] = '\0';
  return out;
}

/* The CHECKs of a stream, bound over the scan's declared columns from the
 * stream's stored definition (the catalog keeps its text only), for the
 * source to reject records that fail them: rel->u.scan.checks one by one
 * with their text, rel->u.scan.check all of them ANDed.  No CHECK: both
 * stay NULL. */
static sl_status scan_checks(sl_binder *b, const sl_catalog_object *obj,
                             sl_rel *rel) {
  rel->u.scan.check = NULL;
  rel->u.scan.checks = NULL;
  if (!obj->sql)
    return SL_OK;
  sl_parse_result *pr;
  sl_error perr;
  if (sl_parse_statement(obj->name, obj->sql, NULL, &pr, &perr))
    return SL_OK; /* a definition the catalog accepted once */
  const sl_ast_stmt *st = pr->stmts[0];
  sl_status rc = SL_OK;
  if (st->kind == SL_AST_CREATE_STREAM) {
    bind_scope scope;
    rc = bind_scope_single(b, rel, obj->name, "stream", (sl_ast_pos){0},
                           &scope);
    if (!rc)
      scope.sources[0].count = obj->ncolumns;
    const sl_ast_checks *checks = &st->u.create_source.checks;
    bind_ectx ectx = {0};
    ectx.scope = &scope;
    ectx.clause = "CHECK";
    sl_bcheck **tail = &rel->u.scan.checks;
    for (int i = 0; !rc && i < checks->n; i++) {
      sl_bexpr *c;
      rc = bind_condition(b, &ectx, checks->items[i]->condition, "CHECK",
                          &c);
      if (rc)
        break;

      /* One by one, with the text a message names it by. */
      sl_bcheck *one = bind_calloc(b, 1, sizeof(*one));
      if (one)
        one->text = check_text(b, obj->sql, checks->items[i]->pos.offset);
      if (!one || !one->text) {
        rc = bind_nomem(b);
        break;
      }
      one->cond = c;
      *tail = one;
      tail = &one->next;

      /* And all of them as one condition. */
      if (!rel->u.scan.check) {
        rel->u.scan.check = c;
        continue;
      }
      sl_bexpr *and = bexpr_new(b, SL_BEXPR_BINARY, sl_type_boolean(),
                                checks->items[i]->pos, 2);
      if (!and) {
        rc = bind_nomem(b);
        break;
      }
      and->op = SL_OP_AND;
      and->args[0] = rel->u.scan.check;
      and->args[1] = c;
      rel->u.scan.check = and;
    }
  }
  sl_parse_result_free(pr);
  return rc;
}

sl_status bind_scan(sl_binder *b, const sl_catalog_object *obj,
                    const char *alias, sl_ast_pos pos, sl_rel **out,
                    bind_scope *scope) {
  bool stream = obj->kind == SL_CATALOG_STREAM;
  int nmeta = stream ? 3 : 0;
  sl_rel *rel = bind_rel_new(b, SL_REL_SCAN, pos, obj->ncolumns + nmeta);
  if (!rel)
    return bind_nomem(b);
  const char *qualifier = alias ? alias : obj->name;

  rel->u.scan.kind = stream ? SL_SCAN_STREAM
                     : obj->kind == SL_CATALOG_TABLE ? SL_SCAN_TABLE
                                                     : SL_SCAN_TRAINING_SET;
  rel->u.scan.object = obj;
  rel->u.scan.name = obj->name;
  rel->u.scan.alias = alias;
  rel->u.scan.ndeclared = obj->ncolumns;
  rel->u.scan.meta = bind_calloc(b, (size_t)rel->ncolumns + 1,
                                 sizeof(*rel->u.scan.meta));
  if (!rel->u.scan.meta)
    return bind_nomem(b);
  rel->u.scan.event_time_column = obj->timestamp_column;
  rel->u.scan.out_of_order_ms = watermark_delay(obj->watermark);
  const char *versioned = sl_catalog_object_option(obj, "versioned");
  rel->u.scan.versioned = versioned && strcmp(versioned, "true") == 0;
  rel->nature = stream ? SL_NATURE_STREAM : SL_NATURE_TABLE;

  for (int i = 0; i < obj->ncolumns; i++) {
    rel->columns[i].name = obj->columns[i].name;
    rel->columns[i].source = qualifier;
    rel->columns[i].type = obj->columns[i].type;
    rel->columns[i].quoted = obj->columns[i].quoted;
    rel->columns[i].not_null = obj->columns[i].not_null ||
                               obj->columns[i].primary_key;
  }
  if (stream) {
    static const char *const names[] = {"rowtime", "rowpartition",
                                        "rowoffset"};
    sl_type *types[] = {sl_type_timestamp(), sl_type_int(),
                        sl_type_bigint()};
    static const sl_meta_column metas[] = {
        SL_META_ROWTIME, SL_META_ROWPARTITION, SL_META_ROWOFFSET};
    for (int k = 0; k < 3; k++) {
      sl_rel_column *c = &rel->columns[obj->ncolumns + k];
      c->name = names[k];
      c->source = qualifier;
      c->type = types[k];
      c->not_null = true;
      c->hidden = true;
      rel->u.scan.meta[obj->ncolumns + k] = metas[k];
    }
    rel->event_time = obj->timestamp_column >= 0 ? obj->timestamp_column
                                                 : obj->ncolumns;
    sl_status rc = scan_checks(b, obj, rel);
    if (rc)
      return rc;
  }
  *out = rel;
  return bind_scope_single(b, rel, qualifier, bind_kind_word(obj->kind), pos,
                           scope);
}

/* ------------------------------------------------------------------ */
/* FROM                                                                */
/* ------------------------------------------------------------------ */

static sl_status bind_from(sl_binder *b, const sl_ast_from *from,
                           const bind_cte_env *env, sl_rel **out,
                           bind_scope *scope);

/* Finds the CTE called name among those visible from env. */
static const sl_ast_cte *find_cte(const bind_cte_env *env, const char *name,
                                  bind_cte_env *where) {
  for (const bind_cte_env *e = env; e; e = e->outer) {
    for (int i = e->visible - 1; i >= 0; i--) {
      const sl_ast_cte *cte = e->ctes->items[i];
      if (strcmp(cte->name.text, name) == 0) {
        where->ctes = e->ctes;
        where->visible = i;
        where->outer = e->outer;
        return cte;
      }
    }
  }
  return NULL;
}

static sl_status unknown_source(sl_binder *b, const sl_ast_name *name,
                                const bind_cte_env *env) {
  static const sl_catalog_kind kinds[] = {
      SL_CATALOG_STREAM, SL_CATALOG_TABLE, SL_CATALOG_TRAINING_SET};
  const char **names = NULL;
  int n = 0, cap = 0;
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    sl_catalog_object **objs = NULL;
    int nobjs = 0;
    sl_error cerr;
    sl_error_clear(&cerr);
    if (sl_catalog_list(b->ctx->catalog, kinds[k], &objs, &nobjs, &cerr))
      continue;
    for (int i = 0; i < nobjs; i++) {
      if (bind_grow(b, (void **)&names, &cap, n + 1, sizeof(*names)) ==
          SL_OK)
        names[n++] = bind_strdup(b, objs[i]->name);
    }
    sl_catalog_object_list_free(objs, nobjs);
  }
  for (const bind_cte_env *e = env; e; e = e->outer)
    for (int i = 0; i < e->visible; i++)
      if (bind_grow(b, (void **)&names, &cap, n + 1, sizeof(*names)) ==
          SL_OK)
        names[n++] = e->ctes->items[i]->name.text;
  return bind_fail(b, name->pos, "unknown source \"%s\"%s", name->text,
                   bind_suggest(b, name->text, names, n));
}

static sl_status bind_from_source(sl_binder *b, const sl_ast_from *from,
                                  const bind_cte_env *env, sl_rel **out,
                                  bind_scope *scope) {
  const sl_ast_name *name = &from->u.source.name;
  const char *alias = bind_name(b, from->alias.text);
  bind_cte_env where;
  const sl_ast_cte *cte = find_cte(env, name->text, &where);
  sl_status rc;

  /* A CTE is inlined: bound again where it is used. */
  if (cte) {
    rc = bind_query(b, cte->query, &where, false, out);
    if (rc)
      return rc;
    const char *qualifier = alias ? alias : bind_name(b, name->text);
    for (int i = 0; i < (*out)->ncolumns; i++)
      (*out)->columns[i].source = qualifier;
    return bind_scope_single(b, *out, qualifier, "query", from->pos, scope);
  }

  sl_catalog_object *obj;
  rc = bind_get_object(b, name->text, &obj);
  if (rc)
    return rc;
  if (!obj)
    return unknown_source(b, name, env);
  if (obj->kind == SL_CATALOG_MODEL)
    return bind_fail(b, name->pos, "%s is a model; FROM takes a stream, a "
                     "table or a training set (call a model with "
                     "PREDICT(%s))", name->text, name->text);
  rc = bind_add_dep(b, obj->name);
  if (rc)
    return rc;
  return bind_scan(b, obj, alias, from->pos, out, scope);
}

static sl_status bind_from_subquery(sl_binder *b, const sl_ast_from *from,
                                    const bind_cte_env *env, sl_rel **out,
                                    bind_scope *scope) {
  sl_status rc = bind_query(b, from->u.subquery.query, env, false, out);
  if (rc)
    return rc;
  const char *qualifier = bind_name(b, from->alias.text);
  for (int i = 0; i < (*out)->ncolumns; i++)
    (*out)->columns[i].source = qualifier;
  return bind_scope_single(b, *out, qualifier, "query", from->pos, scope);
}

/* ---- Joins ---------------------------------------------------------- */

static sl_join_kind map_join_kind(sl_ast_join_kind k) {
  switch (k) {
  case SL_AST_JOIN_LEFT: return SL_JOIN_LEFT;
  case SL_AST_JOIN_RIGHT: return SL_JOIN_RIGHT;
  case SL_AST_JOIN_FULL: return SL_JOIN_FULL;
  default: return SL_JOIN_INNER;
  }
}

static const char *join_kind_sql(sl_join_kind k) {
  switch (k) {
  case SL_JOIN_LEFT: return "LEFT JOIN";
  case SL_JOIN_RIGHT: return "RIGHT JOIN";
  case SL_JOIN_FULL: return "FULL JOIN";
  default: return "JOIN";
  }
}

/* "stream s" for the single source of a side, or "the query" / a list. */
static const char *side_name(sl_binder *b, const bind_scope *s) {
  if (s->nsources == 1 && s->sources[0].qualifier)
    return bind_printf(b, "%s %s", s->sources[0].kind_word,
                       s->sources[0].qualifier);
  if (s->nsources == 1)
    return "a subquery";
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int i = 0; i < s->nsources; i++)
    sl_strbuf_appendf(&sb, "%s%s", i ? (i == s->nsources - 1 ? " and " : ", ")
                                     : "",
                      s->sources[i].qualifier ? s->sources[i].qualifier
                                              : "a subquery");
  const char *r = bind_strdup(b, sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return r ? r : "";
}

static const char *side_names_short(sl_binder *b, const bind_scope *s) {
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int i = 0; i < s->nsources; i++)
    sl_strbuf_appendf(&sb, "%s%s", i ? (i == s->nsources - 1 ? " and " : ", ")
                                     : "",
                      s->sources[i].qualifier ? s->sources[i].qualifier
                                              : "a subquery");
  const char *r = bind_strdup(b, sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return r ? r : "";
}

typedef struct side_use {
  int split;  /* columns below split are the left side's */
  bool left;
  bool right;
} side_use;

static void note_side(int column, void *arg) {
  side_use *u = arg;
  if (column < u->split)
    u->left = true;
  else
    u->right = true;
}

/* Collects the equalities of conjuncts of cond that compare an expression
 * of the left side with one of the right. */
static sl_status collect_keys(sl_binder *b, const sl_bexpr *cond, int split,
                              sl_rel *join, int *lcap, int *rcap) {
  if (cond->kind == SL_BEXPR_BINARY && cond->op == SL_OP_AND) {
    sl_status rc = collect_keys(b, cond->args[0], split, join, lcap, rcap);
    return rc ? rc
              : collect_keys(b, cond->args[1], split, join, lcap, rcap);
  }
  if (cond->kind != SL_BEXPR_BINARY || cond->op != SL_OP_EQ)
    return SL_OK;

  side_use l = {split, false, false}, r = {split, false, false};
  bexpr_columns(cond->args[0], note_side, &l);
  bexpr_columns(cond->args[1], note_side, &r);
  const sl_bexpr *lk, *rk;
  if (l.left && !l.right && r.right && !r.left) {
    lk = cond->args[0];
    rk = cond->args[1];
  } else if (r.left && !r.right && l.right && !l.left) {
    lk = cond->args[1];
    rk = cond->args[0];
  } else {
    return SL_OK;
  }

  int n = join->u.join.nkeys;
  sl_status rc = bind_grow(b, (void **)&join->u.join.left_keys, lcap,
                           n + 1, sizeof(sl_bexpr *));
  if (rc)
    return rc;
  rc = bind_grow(b, (void **)&join->u.join.right_keys, rcap, n + 1,
                 sizeof(sl_bexpr *));
  if (rc)
    return rc;
  join->u.join.left_keys[n] = (sl_bexpr *)lk;
  join->u.join.right_keys[n] = bexpr_shift(b, rk, split);
  if (!join->u.join.right_keys[n])
    return bind_nomem(b);
  join->u.join.nkeys = n + 1;
  return SL_OK;
}

/* True when some key pair is a's column ca against b's column cb. */
static bool has_key_pair(const sl_rel *join, int ca, int cb) {
  if (ca < 0 || cb < 0)
    return false;
  for (int i = 0; i < join->u.join.nkeys; i++) {
    const sl_bexpr *l = join->u.join.left_keys[i];
    const sl_bexpr *r = join->u.join.right_keys[i];
    while (l->kind == SL_BEXPR_CAST)
      l = l->args[0];
    while (r->kind == SL_BEXPR_CAST)
      r = r->args[0];
    if (l->kind == SL_BEXPR_COLUMN && r->kind == SL_BEXPR_COLUMN &&
        l->u.column == ca && r->u.column == cb)
      return true;
  }
  return false;
}

/* Chooses the join strategy from the kinds of the two sides. */
static sl_status join_strategy(sl_binder *b, const sl_ast_from *from,
                               sl_rel *join, const bind_scope *ls,
                               const bind_scope *rs) {
  const sl_rel *l = join->u.join.left, *r = join->u.join.right;
  sl_join_kind kind = join->u.join.kind;
  bool lstream = l->nature == SL_NATURE_STREAM;
  bool rstream = r->nature == SL_NATURE_STREAM;
  bool within = from->u.join.within != SL_AST_WITHIN_NONE;
  const char *lname = side_name(b, ls), *rname = side_name(b, rs);

  if (from->u.join.system_time) {
    if (!lstream)
      return bind_fail(b, from->u.join.system_time->pos,
                       "FOR SYSTEM_TIME AS OF joins a stream with a "
                       "versioned table; %s is not a stream", lname);
    if (r->kind != SL_REL_SCAN || r->u.scan.kind != SL_SCAN_TABLE ||
        !r->u.scan.versioned)
      return bind_fail(b, from->u.join.right->pos,
                       "FOR SYSTEM_TIME AS OF needs a versioned table "
                       "(WITH (versioned=true)); %s is not versioned",
                       side_names_short(b, rs));
    join->u.join.strategy = SL_JOIN_TEMPORAL;
  } else if (lstream && rstream) {
    if (!within && l->windowed && r->windowed) {
      join->u.join.strategy = SL_JOIN_WINDOW;
    } else if (!within) {
      return bind_fail(b, from->u.join.right->pos,
                       "a join of two streams needs WITHIN: %s and %s are "
                       "both streams (write ... JOIN %s WITHIN 1 HOUR ON "
                       "...)", side_names_short(b, ls),
                       side_names_short(b, rs), side_names_short(b, rs));
    } else {
      join->u.join.strategy = SL_JOIN_INTERVAL;
    }
  } else if (lstream) {
    join->u.join.strategy = SL_JOIN_LOOKUP;
  } else if (rstream) {
    return bind_fail(b, from->u.join.right->pos,
                     "a stream joins a table from the left: write %s %s "
                     "%s, not the table first", side_names_short(b, rs),
                     kind == SL_JOIN_RIGHT ? "LEFT JOIN" : "JOIN",
                     side_names_short(b, ls));
  } else {
    return bind_fail(b, from->u.join.right->pos,
                     "a join of two tables is not supported: %s and %s are "
                     "tables; join a stream with a table",
                     side_names_short(b, ls), side_names_short(b, rs));
  }

  sl_join_strategy s = join->u.join.strategy;
  if (s == SL_JOIN_LOOKUP || s == SL_JOIN_TEMPORAL) {
    if (kind == SL_JOIN_RIGHT || kind == SL_JOIN_FULL)
      return bind_fail(b, from->u.join.right->pos,
                       "%s of %s with %s is not supported: a lookup join "
                       "keeps the stream's rows; use JOIN or LEFT JOIN",
                       join_kind_sql(kind), lname, rname);
    if (within)
      return bind_fail(b, from->u.join.within_pos,
                       "WITHIN applies to a join of two streams; %s is a "
                       "table", side_names_short(b, rs));
    if (from->u.join.grace)
      return bind_fail(b, from->u.join.grace->pos,
                       "GRACE PERIOD applies to a join of two streams; %s "
                       "is a table", side_names_short(b, rs));
    if (r->kind != SL_REL_SCAN)
      return bind_fail(b, from->u.join.right->pos,
                       "the table of a lookup join must be a table, not a "
                       "query over one");
    if (r->u.scan.kind == SL_SCAN_TRAINING_SET)
      return bind_fail(b, from->u.join.right->pos,
                       "a stream joins a lookup table; %s is a training "
                       "set", side_names_short(b, rs));
  }
  /* A lookup keeps the stream side's windowing. */
  if (s == SL_JOIN_LOOKUP || s == SL_JOIN_TEMPORAL) {
    join->windowed = l->windowed;
    join->window_start = l->window_start;
    join->window_end = l->window_end;
  }
  if (s == SL_JOIN_WINDOW && from->u.join.grace)
    return bind_fail(b, from->u.join.grace->pos,
                     "GRACE PERIOD of a window join is the windows' own");
  return SL_OK;
}

static sl_status bind_join(sl_binder *b, const sl_ast_from *from,
                           const bind_cte_env *env, sl_rel **out,
                           bind_scope *scope) {
  sl_rel *l, *r;
  bind_scope ls, rs;
  sl_status rc = bind_from(b, from->u.join.left, env, &l, &ls);
  if (rc)
    return rc;
  rc = bind_from(b, from->u.join.right, env, &r, &rs);
  if (rc)
    return rc;

  /* Qualifiers must tell the sides apart. */
  for (int i = 0; i < rs.nsources; i++) {
    const char *q = rs.sources[i].qualifier;
    for (int j = 0; q && j < ls.nsources; j++)
      if (ls.sources[j].qualifier && strcmp(ls.sources[j].qualifier, q) == 0)
        return bind_fail(b, rs.sources[i].pos,
                         "source name \"%s\" appears twice in FROM; give one "
                         "an alias", q);
  }

  int split = l->ncolumns;
  sl_rel *join = bind_rel_new(b, SL_REL_JOIN, from->pos,
                              l->ncolumns + r->ncolumns);
  if (!join)
    return bind_nomem(b);
  memcpy(join->columns, l->columns, sizeof(*l->columns) * (size_t)split);
  memcpy(join->columns + split, r->columns,
         sizeof(*r->columns) * (size_t)r->ncolumns);
  join->u.join.kind = map_join_kind(from->u.join.kind);
  join->u.join.left = l;
  join->u.join.right = r;
  join->nature = SL_NATURE_STREAM;
  join->event_time = l->event_time;

  /* The join's scope: the left's sources, then the right's. */
  memset(scope, 0, sizeof(*scope));
  scope->rel = join;
  scope->nsources = ls.nsources + rs.nsources;
  scope->sources = bind_calloc(b, (size_t)scope->nsources,
                               sizeof(*scope->sources));
  if (!scope->sources)
    return bind_nomem(b);
  memcpy(scope->sources, ls.sources, sizeof(*ls.sources) * (size_t)ls.nsources);
  for (int i = 0; i < rs.nsources; i++) {
    scope->sources[ls.nsources + i] = rs.sources[i];
    scope->sources[ls.nsources + i].first += split;
  }

  rc = join_strategy(b, from, join, &ls, &rs);
  if (rc)
    return rc;

  /* Time bounds. */
  if (join->u.join.strategy == SL_JOIN_INTERVAL) {
    rc = bind_interval_const(b, from->u.join.before, "WITHIN", false,
                             &join->u.join.within_before_ms);
    if (!rc)
      rc = bind_interval_const(b, from->u.join.after, "WITHIN", false,
                               &join->u.join.within_after_ms);
    if (!rc && from->u.join.grace)
      rc = bind_interval_const(b, from->u.join.grace, "GRACE PERIOD", false,
                               &join->u.join.grace_ms);
    if (rc)
      return rc;
  }
  if (join->u.join.strategy == SL_JOIN_TEMPORAL) {
    bind_ectx lctx = {0};
    lctx.scope = &ls;
    lctx.clause = "FOR SYSTEM_TIME AS OF";
    rc = bind_expr(b, &lctx, from->u.join.system_time, &join->u.join.as_of);
    if (rc)
      return rc;
    if (join->u.join.as_of->type->kind != SL_TYPE_TIMESTAMP)
      return bind_fail(b, from->u.join.system_time->pos,
                       "FOR SYSTEM_TIME AS OF needs a TIMESTAMP of %s, got "
                       "%s", side_name(b, &ls),
                       bind_type_name(b, join->u.join.as_of->type));
  }

  /* ON, and the key equalities it contains. */
  bind_ectx on = {0};
  on.scope = scope;
  on.clause = "ON";
  rc = bind_condition(b, &on, from->u.join.on, "ON", &join->u.join.condition);
  if (rc)
    return rc;
  int lcap = 0, rcap = 0;
  rc = collect_keys(b, join->u.join.condition, split, join, &lcap, &rcap);
  if (rc)
    return rc;
  if (join->u.join.nkeys == 0)
    return bind_fail(b, from->u.join.on->pos,
                     "join condition needs an equality between an "
                     "expression of %s and one of %s, such as a.id = b.id",
                     side_names_short(b, &ls), side_names_short(b, &rs));

  if (join->u.join.strategy == SL_JOIN_WINDOW) {
    if (!has_key_pair(join, l->window_start, r->window_start) &&
        !has_key_pair(join, l->window_end, r->window_end))
      return bind_fail(b, from->u.join.on->pos,
                       "a join of two windowed results needs WINDOW_START "
                       "(or WINDOW_END) of both sides in ON, such as "
                       "a.window_start = b.window_start");
    join->windowed = true;
    join->window_start = l->window_start;
    join->window_end = l->window_end;
  }
  *out = join;
  return SL_OK;
}

static sl_status bind_from(sl_binder *b, const sl_ast_from *from,
                           const bind_cte_env *env, sl_rel **out,
                           bind_scope *scope) {
  switch (from->kind) {
  case SL_AST_FROM_SOURCE:
    return bind_from_source(b, from, env, out, scope);
  case SL_AST_FROM_SUBQUERY:
    return bind_from_subquery(b, from, env, out, scope);
  case SL_AST_FROM_JOIN:
    return bind_join(b, from, env, out, scope);
  }
  return bind_fail(b, from->pos, "unsupported FROM item");
}

/* ------------------------------------------------------------------ */
/* WINDOW TUMBLING | HOPPING | SESSION                                 */
/* ------------------------------------------------------------------ */

static const char *window_kind_sql(sl_ast_window_kind k) {
  switch (k) {
  case SL_AST_WINDOW_HOPPING: return "HOPPING";
  case SL_AST_WINDOW_SESSION: return "SESSION";
  default: return "TUMBLING";
  }
}

static const char *window_takes(sl_ast_window_kind k) {
  switch (k) {
  case SL_AST_WINDOW_HOPPING: return "SIZE, ADVANCE BY and GRACE PERIOD";
  case SL_AST_WINDOW_SESSION: return "GAP and GRACE PERIOD";
  default: return "SIZE and GRACE PERIOD";
  }
}

/* Rejects an option the window kind does not take. */
static sl_status window_option(sl_binder *b, const sl_ast_window *w,
                               const sl_ast_expr *value, sl_ast_pos pos,
                               const char *option, bool fits) {
  if (!value || fits)
    return SL_OK;
  return bind_fail(b, pos, "%s does not fit a %s window; it takes %s",
                   option, window_kind_sql(w->kind), window_takes(w->kind));
}

static sl_status positive_interval(sl_binder *b, const sl_ast_expr *e,
                                   const char *what, int64_t *ms) {
  sl_status rc = bind_interval_const(b, e, what, false, ms);
  if (rc)
    return rc;
  if (*ms <= 0)
    return bind_fail(b, e->pos, "%s must be positive", what);
  return SL_OK;
}

static sl_status bind_window(sl_binder *b, const sl_ast_window *w,
                             const sl_rel *input, const bind_scope *scope,
                             sl_window_spec *spec) {
  memset(spec, 0, sizeof(*spec));
  spec->pos = bind_srcpos(w->pos);
  bool tumbling = w->kind == SL_AST_WINDOW_TUMBLING;
  bool hopping = w->kind == SL_AST_WINDOW_HOPPING;
  bool session = w->kind == SL_AST_WINDOW_SESSION;
  const char *kind = window_kind_sql(w->kind);

  if (input->nature != SL_NATURE_STREAM) {
    const char *what = scope->nsources == 1 && scope->sources[0].qualifier
                           ? bind_printf(b, "%s is a %s",
                                         scope->sources[0].qualifier,
                                         scope->sources[0].kind_word)
                           : "FROM reads a table";
    return bind_fail(b, w->pos, "WINDOW %s needs a stream; %s", kind, what);
  }

  sl_status rc = window_option(b, w, w->size, w->size_pos, "SIZE", !session);
  if (!rc)
    rc = window_option(b, w, w->advance, w->advance_pos, "ADVANCE BY",
                       hopping);
  if (!rc)
    rc = window_option(b, w, w->gap, w->gap_pos, "GAP", session);
  if (rc)
    return rc;

  if ((tumbling || hopping) && !w->size)
    return bind_fail(b, w->pos, "a %s window needs SIZE", kind);
  if (hopping && !w->advance)
    return bind_fail(b, w->pos, "a HOPPING window needs ADVANCE BY");
  if (session && !w->gap)
    return bind_fail(b, w->pos, "a SESSION window needs GAP");

  switch (w->kind) {
  case SL_AST_WINDOW_TUMBLING:
    spec->kind = SL_WINDOW_TUMBLING;
    rc = positive_interval(b, w->size, "SIZE", &spec->size_ms);
    spec->advance_ms = spec->size_ms;
    break;
  case SL_AST_WINDOW_HOPPING:
    spec->kind = SL_WINDOW_HOPPING;
    rc = positive_interval(b, w->size, "SIZE", &spec->size_ms);
    if (!rc)
      rc = positive_interval(b, w->advance, "ADVANCE BY", &spec->advance_ms);
    if (!rc && spec->advance_ms > spec->size_ms)
      return bind_fail(b, w->advance->pos,
                       "ADVANCE BY must not exceed SIZE: windows would "
                       "leave gaps");
    break;
  case SL_AST_WINDOW_SESSION:
    spec->kind = SL_WINDOW_SESSION;
    rc = positive_interval(b, w->gap, "GAP", &spec->gap_ms);
    break;
  }
  if (!rc && w->grace)
    rc = bind_interval_const(b, w->grace, "GRACE PERIOD", false,
                             &spec->grace_ms);
  return rc;
}

/* ------------------------------------------------------------------ */
/* SELECT                                                              */
/* ------------------------------------------------------------------ */

typedef struct select_item {
  sl_bexpr *expr;
  const char *name;
  bool quoted;         /* sl_rel_column.quoted of the output column */
  sl_ast_pos pos;
} select_item;

typedef struct select_items {
  int n;
  int cap;
  select_item *items;
} select_items;

static sl_status add_item(sl_binder *b, select_items *items, sl_bexpr *e,
                          const char *name, bool quoted, sl_ast_pos pos) {
  sl_status rc = bind_grow(b, (void **)&items->items, &items->cap,
                           items->n + 1, sizeof(*items->items));
  if (rc)
    return rc;
  items->items[items->n].expr = e;
  items->items[items->n].name = name;
  items->items[items->n].quoted = quoted;
  items->items[items->n].pos = pos;
  items->n++;
  return SL_OK;
}

static sl_bexpr *column_ref(sl_binder *b, int column, sl_type *type,
                            sl_srcpos pos) {
  sl_ast_pos p = {pos.line, pos.column, 0};
  sl_bexpr *e = bexpr_new(b, SL_BEXPR_COLUMN, type, p, 0);
  if (e)
    e->u.column = column;
  return e;
}

/* The visible columns of one source, as SELECT items. */
static sl_status expand_source(sl_binder *b, const bind_scope *scope,
                               const bind_source *src, sl_ast_pos pos,
                               select_items *items) {
  for (int j = src->first; j < src->first + src->count; j++) {
    const sl_rel_column *c = &scope->rel->columns[j];
    if (c->hidden)
      continue;
    sl_bexpr *e = column_ref(b, j, c->type, bind_srcpos(pos));
    if (!e)
      return bind_nomem(b);
    sl_status rc = add_item(b, items, e, c->name, c->quoted, pos);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Whether a SELECT item without an alias has a quoted name: a column
 * passed on under its own name stays as it was declared; a STRUCT field
 * is quoted when it was written so. */
static bool item_name_quoted(const bind_scope *scope, const sl_ast_expr *ast,
                             const sl_bexpr *e) {
  if (ast->kind == SL_AST_FIELD)
    return ast->u.field.name.quoted;
  if (ast->kind != SL_AST_COLUMN)
    return false;
  if (e->kind == SL_BEXPR_COLUMN)
    return scope->rel->columns[e->u.column].quoted;
  return ast->u.column.parts.items[ast->u.column.parts.n - 1].quoted;
}

static sl_status bind_select_items(sl_binder *b, const sl_ast_select *sel,
                                   const bind_ectx *ectx,
                                   select_items *items) {
  const bind_scope *scope = ectx->scope;
  for (int i = 0; i < sel->items.n; i++) {
    const sl_ast_select_item *item = sel->items.items[i];
    sl_status rc;
    if (item->kind == SL_AST_ITEM_STAR) {
      if (scope->nsources == 0)
        return bind_fail(b, item->pos, "SELECT * needs FROM");
      for (int s = 0; s < scope->nsources; s++) {
        rc = expand_source(b, scope, &scope->sources[s], item->pos, items);
        if (rc)
          return rc;
      }
      continue;
    }
    if (item->kind == SL_AST_ITEM_SOURCE_STAR) {
      const bind_source *src = NULL;
      for (int s = 0; s < scope->nsources && !src; s++)
        if (scope->sources[s].qualifier &&
            strcmp(scope->sources[s].qualifier, item->source.text) == 0)
          src = &scope->sources[s];
      if (!src) {
        const char **names = bind_calloc(b, (size_t)scope->nsources + 1,
                                         sizeof(*names));
        if (!names)
          return bind_nomem(b);
        int nn = 0;
        for (int s = 0; s < scope->nsources; s++)
          if (scope->sources[s].qualifier)
            names[nn++] = scope->sources[s].qualifier;
        return bind_fail(b, item->source.pos,
                         "unknown source \"%s\" in %s.*%s",
                         item->source.text, item->source.text,
                         bind_suggest(b, item->source.text, names, nn));
      }
      rc = expand_source(b, scope, src, item->pos, items);
      if (rc)
        return rc;
      continue;
    }

    sl_bexpr *e;
    rc = bind_expr(b, ectx, item->expr, &e);
    if (rc)
      return rc;
    const char *name = item->alias.text;
    bool quoted = item->alias.quoted;
    if (!name) {
      name = bind_expr_name(item->expr);
      quoted = item_name_quoted(scope, item->expr, e);
    }
    name = bind_name(b, name);
    if (!name)
      name = bind_printf(b, "expr_%d", items->n + 1);
    if (!name)
      return bind_nomem(b);
    rc = add_item(b, items, e, name, quoted, item->pos);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* ---- Aggregation ---------------------------------------------------- */

typedef struct agg_rewrite {
  const sl_rel *agg;
  const sl_rel *input;
  int nwin;
} agg_rewrite;

/* Rewrites *slot, bound over the aggregate's input, over its output. */
static sl_status rewrite_agg(sl_binder *b, const agg_rewrite *rw,
                             sl_bexpr **slot) {
  sl_bexpr *e = *slot;
  int ngroup = rw->agg->u.aggregate.ngroup;
  for (int i = 0; i < ngroup; i++) {
    if (bexpr_equal(e, rw->agg->u.aggregate.group_by[i])) {
      *slot = column_ref(b, i, e->type, e->pos);
      return *slot ? SL_OK : bind_nomem(b);
    }
  }
  switch (e->kind) {
  case SL_BEXPR_AGG_REF:
    *slot = column_ref(b, ngroup + rw->nwin + e->u.ref, e->type, e->pos);
    return *slot ? SL_OK : bind_nomem(b);
  case SL_BEXPR_WINDOW_REF:
    *slot = column_ref(b, ngroup + e->u.ref, e->type, e->pos);
    return *slot ? SL_OK : bind_nomem(b);
  case SL_BEXPR_COLUMN: {
    sl_ast_pos pos = {e->pos.line, e->pos.column, 0};
    return bind_fail(b, pos, "column \"%s\" must appear in GROUP BY or be "
                     "used in an aggregate function",
                     rw->input->columns[e->u.column].name);
  }
  case SL_BEXPR_OVER_REF:
    return SL_OK;
  default:
    break;
  }
  for (int i = 0; i < e->nargs; i++) {
    sl_status rc = rewrite_agg(b, rw, &e->args[i]);
    if (rc)
      return rc;
  }
  return SL_OK;
}

static sl_status rewrite_over_call(sl_binder *b, const agg_rewrite *rw,
                                   sl_over_call *call) {
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < call->agg.nargs; i++)
    rc = rewrite_agg(b, rw, &call->agg.args[i]);
  if (!rc && call->lag_default)
    rc = rewrite_agg(b, rw, &call->lag_default);
  for (int i = 0; !rc && i < call->npartition; i++)
    rc = rewrite_agg(b, rw, &call->partition_by[i]);
  for (int i = 0; !rc && i < call->norder; i++)
    rc = rewrite_agg(b, rw, &call->order_by[i]);
  return rc;
}

/* True for WINDOW_START or WINDOW_END written in GROUP BY of a windowed
 * query where no source has such a column: the window is a group of its
 * own already, so the item adds nothing. */
static bool implicit_window_group(const sl_ast_expr *g,
                                  const bind_scope *scope, bool windowed) {
  if (!windowed || g->kind != SL_AST_COLUMN || g->u.column.parts.n != 1)
    return false;
  const char *name = g->u.column.parts.items[0].text;
  if (strcmp(name, "window_start") != 0 && strcmp(name, "window_end") != 0)
    return false;
  for (int i = 0; scope->rel && i < scope->rel->ncolumns; i++)
    if (strcmp(scope->rel->columns[i].name, name) == 0)
      return false;
  return true;
}

/* Binds the GROUP BY expressions into a new array; *n counts them. */
static sl_status bind_group_by(sl_binder *b, const sl_ast_select *sel,
                               const bind_scope *scope, sl_bexpr ***out,
                               int *n) {
  *n = 0;
  *out = bind_calloc(b, (size_t)sel->group_by.n + 1, sizeof(sl_bexpr *));
  if (!*out)
    return bind_nomem(b);
  bind_ectx gctx = {0};
  gctx.scope = scope;
  gctx.clause = "GROUP BY";
  for (int i = 0; i < sel->group_by.n; i++) {
    const sl_ast_expr *g = sel->group_by.items[i];
    if (g->kind == SL_AST_LITERAL && g->u.literal.kind == SL_AST_LIT_INTEGER)
      return bind_fail(b, g->pos, "GROUP BY takes expressions, not SELECT "
                       "positions: write the expression itself");
    if (implicit_window_group(g, scope, sel->window != NULL))
      continue;
    sl_status rc = bind_expr(b, &gctx, g, &(*out)[*n]);
    if (rc)
      return rc;
    (*n)++;
  }
  return SL_OK;
}

/* Builds the AGGREGATE over input; its output columns are the groups,
 * the window bounds and the aggregate calls. */
static sl_status build_aggregate(sl_binder *b, const sl_ast_select *sel,
                                 sl_rel *input, const bind_scope *scope,
                                 bind_aggs *aggs, sl_rel **out) {
  sl_window_spec window;
  memset(&window, 0, sizeof(window));
  if (sel->window) {
    sl_status rc = bind_window(b, sel->window, input, scope, &window);
    if (rc)
      return rc;
  }
  sl_bexpr **groups;
  int ngroup;
  sl_status rc = bind_group_by(b, sel, scope, &groups, &ngroup);
  if (rc)
    return rc;
  int nwin = window.kind != SL_WINDOW_NONE ? 2 : 0;
  sl_rel *agg = bind_rel_new(b, SL_REL_AGGREGATE,
                             sel->group_by.n ? sel->group_by_pos : sel->pos,
                             ngroup + nwin + aggs->n);
  if (!agg)
    return bind_nomem(b);
  agg->input = input;
  agg->u.aggregate.window = window;
  agg->u.aggregate.ngroup = ngroup;
  agg->u.aggregate.group_by = groups;
  agg->u.aggregate.naggs = aggs->n;
  agg->u.aggregate.aggs = aggs->items;

  for (int i = 0; i < ngroup; i++) {
    const sl_bexpr *g = agg->u.aggregate.group_by[i];
    sl_rel_column *c = &agg->columns[i];
    c->type = g->type;
    if (g->kind == SL_BEXPR_COLUMN) {
      c->name = input->columns[g->u.column].name;
      c->source = input->columns[g->u.column].source;
      c->not_null = input->columns[g->u.column].not_null;
      c->quoted = input->columns[g->u.column].quoted;
    } else {
      c->name = bind_printf(b, "group_%d", i + 1);
    }
  }
  if (nwin) {
    agg->columns[ngroup].name = "window_start";
    agg->columns[ngroup].type = sl_type_timestamp();
    agg->columns[ngroup].not_null = true;
    agg->columns[ngroup + 1].name = "window_end";
    agg->columns[ngroup + 1].type = sl_type_timestamp();
    agg->columns[ngroup + 1].not_null = true;
    agg->window_start = ngroup;
    agg->window_end = ngroup + 1;
    agg->event_time = ngroup;
    agg->windowed = true;
    agg->nature = SL_NATURE_STREAM;
  } else {
    agg->nature = SL_NATURE_TABLE;
  }
  for (int i = 0; i < aggs->n; i++) {
    sl_rel_column *c = &agg->columns[ngroup + nwin + i];
    c->name = bind_printf(b, "agg_%d", i + 1);
    c->type = aggs->items[i].type;
  }
  *out = agg;
  return SL_OK;
}

/* ---- OVER ----------------------------------------------------------- */

static sl_status build_over(sl_binder *b, const sl_ast_select *sel,
                            sl_rel *input, bind_overs *overs,
                            sl_rel **out) {
  int nin = input->ncolumns;
  sl_rel *over = bind_rel_new(b, SL_REL_OVER, sel->pos, nin + overs->n);
  if (!over)
    return bind_nomem(b);
  over->input = input;
  memcpy(over->columns, input->columns, sizeof(*input->columns) * (size_t)nin);
  over->nature = input->nature;
  over->windowed = input->windowed;
  over->event_time = input->event_time;
  over->window_start = input->window_start;
  over->window_end = input->window_end;
  over->u.over.ncalls = overs->n;
  over->u.over.calls = overs->items;
  for (int i = 0; i < overs->n; i++) {
    over->columns[nin + i].name = bind_printf(b, "over_%d", i + 1);
    over->columns[nin + i].type = overs->items[i].agg.type;
    over->columns[nin + i].source = NULL;
  }
  *out = over;
  return SL_OK;
}

static sl_status rewrite_over_refs(sl_binder *b, int base, sl_bexpr **slot) {
  sl_bexpr *e = *slot;
  if (e->kind == SL_BEXPR_OVER_REF) {
    *slot = column_ref(b, base + e->u.ref, e->type, e->pos);
    return *slot ? SL_OK : bind_nomem(b);
  }
  for (int i = 0; i < e->nargs; i++) {
    sl_status rc = rewrite_over_refs(b, base, &e->args[i]);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* ---- Projection ----------------------------------------------------- */

static sl_status build_project(sl_binder *b, const sl_ast_select *sel,
                               sl_rel *input, const select_items *items,
                               sl_rel **out) {
  sl_rel *p = bind_rel_new(b, SL_REL_PROJECT, sel->pos, items->n);
  if (!p)
    return bind_nomem(b);
  p->input = input;
  p->nature = input->nature;
  p->windowed = input->windowed;
  p->u.project.nexprs = items->n;
  p->u.project.exprs = bind_calloc(b, (size_t)items->n + 1,
                                   sizeof(sl_bexpr *));
  if (!p->u.project.exprs)
    return bind_nomem(b);
  for (int i = 0; i < items->n; i++) {
    sl_bexpr *e = items->items[i].expr;
    p->u.project.exprs[i] = e;
    p->columns[i].name = items->items[i].name;
    p->columns[i].quoted = items->items[i].quoted;
    p->columns[i].type = e->type;
    if (e->kind == SL_BEXPR_COLUMN) {
      int c = e->u.column;
      p->columns[i].not_null = input->columns[c].not_null;
      if (c == input->event_time && p->event_time < 0)
        p->event_time = i;
      if (c == input->window_start && p->window_start < 0)
        p->window_start = i;
      if (c == input->window_end && p->window_end < 0)
        p->window_end = i;
    } else if (e->kind == SL_BEXPR_LITERAL) {
      p->columns[i].not_null = e->u.literal.kind != SL_TYPE_NULL;
    }
  }
  *out = p;
  return SL_OK;
}

static sl_status bind_select(sl_binder *b, const sl_ast_select *sel,
                             const bind_cte_env *env, sl_rel **out) {
  sl_rel *rel;
  bind_scope scope;
  sl_status rc;

  /* FROM; without it, one row of no columns. */
  if (sel->from) {
    rc = bind_from(b, sel->from, env, &rel, &scope);
    if (rc)
      return rc;
  } else {
    rel = bind_rel_new(b, SL_REL_VALUES, sel->pos, 0);
    if (!rel)
      return bind_nomem(b);
    rel->nature = SL_NATURE_TABLE;
    rel->u.values.nrows = 1;
    rel->u.values.rows = bind_calloc(b, 1, sizeof(sl_bexpr **));
    if (!rel->u.values.rows)
      return bind_nomem(b);
    memset(&scope, 0, sizeof(scope));
    scope.rel = rel;
    scope.no_columns = "a SELECT without FROM has no columns";
  }

  /* WHERE. */
  if (sel->where) {
    bind_ectx wctx = {0};
    wctx.scope = &scope;
    wctx.clause = "WHERE";
    sl_rel *f = rel_over_input(b, SL_REL_FILTER, sel->where->pos, rel);
    if (!f)
      return bind_nomem(b);
    rc = bind_condition(b, &wctx, sel->where, "WHERE",
                        &f->u.filter.predicate);
    if (rc)
      return rc;
    rel = f;
  }

  /* The SELECT list and HAVING, with aggregate and OVER calls aside. */
  bind_aggs aggs = {0};
  bind_overs overs = {0};
  bind_ectx sctx = {0};
  sctx.scope = &scope;
  sctx.clause = "SELECT";
  sctx.aggs = &aggs;
  sctx.overs = &overs;
  sctx.windows = &sel->named_windows;
  sctx.windowed = sel->window != NULL;
  select_items items = {0};
  rc = bind_select_items(b, sel, &sctx, &items);
  if (rc)
    return rc;
  sl_bexpr *having = NULL;
  if (sel->having) {
    bind_ectx hctx = sctx;
    hctx.clause = "HAVING";
    hctx.overs = NULL;
    rc = bind_condition(b, &hctx, sel->having, "HAVING", &having);
    if (rc)
      return rc;
  }

  bool aggregated = sel->group_by.n > 0 || aggs.n > 0 || sel->window ||
                    sel->having;
  if (aggregated) {
    sl_rel *agg = NULL;
    rc = build_aggregate(b, sel, rel, &scope, &aggs, &agg);
    if (rc)
      return rc;
    agg_rewrite rw = {agg, rel, agg->windowed ? 2 : 0};
    for (int i = 0; i < items.n; i++) {
      rc = rewrite_agg(b, &rw, &items.items[i].expr);
      if (rc)
        return rc;
    }
    for (int i = 0; i < overs.n; i++) {
      rc = rewrite_over_call(b, &rw, &overs.items[i]);
      if (rc)
        return rc;
    }
    rel = agg;
    if (having) {
      rc = rewrite_agg(b, &rw, &having);
      if (rc)
        return rc;
      sl_rel *f = rel_over_input(b, SL_REL_FILTER, sel->having->pos, rel);
      if (!f)
        return bind_nomem(b);
      f->u.filter.predicate = having;
      f->u.filter.having = true;
      rel = f;
    }
  }

  if (overs.n > 0) {
    int base = rel->ncolumns;
    rc = build_over(b, sel, rel, &overs, &rel);
    if (rc)
      return rc;
    for (int i = 0; i < items.n; i++) {
      rc = rewrite_over_refs(b, base, &items.items[i].expr);
      if (rc)
        return rc;
    }
  }
  return build_project(b, sel, rel, &items, out);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

static sl_status bind_union(sl_binder *b, const sl_ast_query *q,
                            sl_rel **inputs, int n, sl_rel **out) {
  sl_rel *first = inputs[0];
  int ncols = first->ncolumns;
  sl_type **types = bind_calloc(b, (size_t)ncols + 1, sizeof(*types));
  if (!types)
    return bind_nomem(b);
  for (int c = 0; c < ncols; c++)
    types[c] = first->columns[c].type;

  for (int i = 1; i < n; i++) {
    sl_ast_pos pos = q->selects.items[i]->pos;
    if (inputs[i]->ncolumns != ncols)
      return bind_fail(b, pos, "UNION ALL: the first SELECT has %d "
                       "column%s, this one has %d", ncols,
                       ncols == 1 ? "" : "s", inputs[i]->ncolumns);
    if (inputs[i]->nature != first->nature)
      return bind_fail(b, pos, "UNION ALL cannot mix a stream and a table");
    for (int c = 0; c < ncols; c++) {
      sl_type *t = bind_common_type(b, types[c], inputs[i]->columns[c].type);
      if (!t)
        return bind_fail(b, pos, "UNION ALL: column %d (%s) is %s in the "
                         "first SELECT and %s in this one", c + 1,
                         first->columns[c].name,
                         bind_type_name(b, types[c]),
                         bind_type_name(b, inputs[i]->columns[c].type));
      types[c] = t;
    }
  }

  /* Inputs whose types differ get a projection of casts. */
  for (int i = 0; i < n; i++) {
    bool same = true;
    for (int c = 0; c < ncols; c++)
      if (!sl_type_equal(inputs[i]->columns[c].type, types[c]))
        same = false;
    if (same)
      continue;
    sl_ast_pos pos = q->selects.items[i]->pos;
    sl_rel *p = bind_rel_new(b, SL_REL_PROJECT, pos, ncols);
    if (!p)
      return bind_nomem(b);
    p->input = inputs[i];
    p->nature = inputs[i]->nature;
    p->windowed = inputs[i]->windowed;
    p->event_time = inputs[i]->event_time;
    p->window_start = inputs[i]->window_start;
    p->window_end = inputs[i]->window_end;
    p->u.project.nexprs = ncols;
    p->u.project.exprs = bind_calloc(b, (size_t)ncols, sizeof(sl_bexpr *));
    if (!p->u.project.exprs)
      return bind_nomem(b);
    for (int c = 0; c < ncols; c++) {
      p->columns[c] = inputs[i]->columns[c];
      p->columns[c].type = types[c];
      sl_bexpr *col = column_ref(b, c, inputs[i]->columns[c].type, p->pos);
      p->u.project.exprs[c] = bind_cast(b, col, types[c]);
      if (!p->u.project.exprs[c])
        return bind_nomem(b);
    }
    inputs[i] = p;
  }

  sl_rel *u = bind_rel_new(b, SL_REL_UNION, q->selects.items[1]->pos, ncols);
  if (!u)
    return bind_nomem(b);
  for (int c = 0; c < ncols; c++) {
    u->columns[c] = first->columns[c];
    u->columns[c].type = types[c];
    u->columns[c].not_null = true;
    for (int i = 0; i < n; i++)
      if (!inputs[i]->columns[c].not_null)
        u->columns[c].not_null = false;
  }
  u->nature = first->nature;
  u->windowed = true;
  u->event_time = first->event_time;
  u->window_start = first->window_start;
  u->window_end = first->window_end;
  for (int i = 0; i < n; i++) {
    if (!inputs[i]->windowed)
      u->windowed = false;
    if (inputs[i]->event_time != u->event_time)
      u->event_time = -1;
    if (inputs[i]->window_start != u->window_start)
      u->window_start = -1;
    if (inputs[i]->window_end != u->window_end)
      u->window_end = -1;
  }
  u->u.union_.ninputs = n;
  u->u.union_.inputs = inputs;
  *out = u;
  return SL_OK;
}

/* Sets the emit mode of every aggregate under rel; counts the windowed
 * ones. */
static void set_emit(sl_rel *rel, sl_emit_mode mode, int *windowed) {
  if (!rel)
    return;
  switch (rel->kind) {
  case SL_REL_AGGREGATE:
    rel->u.aggregate.emit = mode;
    if (rel->u.aggregate.window.kind != SL_WINDOW_NONE)
      (*windowed)++;
    break;
  case SL_REL_JOIN:
    set_emit(rel->u.join.left, mode, windowed);
    set_emit(rel->u.join.right, mode, windowed);
    return;
  case SL_REL_UNION:
    for (int i = 0; i < rel->u.union_.ninputs; i++)
      set_emit(rel->u.union_.inputs[i], mode, windowed);
    return;
  default:
    break;
  }
  set_emit(rel->input, mode, windowed);
}

static sl_status check_ctes(sl_binder *b, const sl_ast_query *q,
                            const bind_cte_env *env) {
  for (int i = 0; i < q->ctes.n; i++) {
    const sl_ast_cte *cte = q->ctes.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(q->ctes.items[j]->name.text, cte->name.text) == 0)
        return bind_fail(b, cte->name.pos, "WITH name \"%s\" is defined "
                         "twice", cte->name.text);
    /* Bound once here so that an unused CTE's errors are reported too;
     * every use binds it again (CTEs are inlined). */
    bind_cte_env sub = {&q->ctes, i, env};
    sl_rel *ignored;
    sl_status rc = bind_query(b, cte->query, &sub, false, &ignored);
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status bind_query(sl_binder *b, const sl_ast_query *q,
                     const bind_cte_env *env, bool top, sl_rel **out) {
  if (b->depth >= BIND_MAX_DEPTH)
    return bind_fail(b, q->pos, "queries nested too deeply (more than %d "
                     "levels)", BIND_MAX_DEPTH);
  b->depth++;
  sl_status rc = check_ctes(b, q, env);
  bind_cte_env here = {&q->ctes, q->ctes.n, env};
  int n = q->selects.n;
  sl_rel **rels = rc ? NULL : bind_calloc(b, (size_t)n, sizeof(*rels));
  if (!rc && !rels)
    rc = bind_nomem(b);
  for (int i = 0; !rc && i < n; i++)
    rc = bind_select(b, q->selects.items[i], &here, &rels[i]);
  b->depth--;
  if (rc)
    return rc;

  sl_rel *rel = rels[0];
  if (n > 1) {
    rc = bind_union(b, q, rels, n, &rel);
    if (rc)
      return rc;
  }

  if (q->emit != SL_AST_EMIT_NONE && !top)
    return bind_fail(b, q->emit_pos, "EMIT belongs at the end of the "
                     "statement, not inside a subquery or WITH");
  if (q->has_limit) {
    if (q->limit <= 0)
      return bind_fail(b, q->limit_pos, "LIMIT must be positive, got %lld",
                       (long long)q->limit);
    sl_rel *lim = rel_over_input(b, SL_REL_LIMIT, q->limit_pos, rel);
    if (!lim)
      return bind_nomem(b);
    lim->u.limit.count = q->limit;
    rel = lim;
  }

  if (top) {
    sl_emit_mode mode = q->emit == SL_AST_EMIT_CHANGES ? SL_EMIT_CHANGES
                        : q->emit == SL_AST_EMIT_FINAL ? SL_EMIT_FINAL
                                                       : SL_EMIT_DEFAULT;
    int windowed = 0;
    set_emit(rel, mode, &windowed);
    if (mode == SL_EMIT_FINAL && windowed == 0)
      return bind_fail(b, q->emit_pos,
                       "EMIT FINAL needs a windowed aggregation: add WINDOW "
                       "TUMBLING, HOPPING or SESSION and GROUP BY");
    b->stmt->emit = mode;
    b->stmt->limit = q->has_limit ? q->limit : -1;
  }
  *out = rel;
  return SL_OK;
}

/* The first PROJECT under rel (through LIMIT and UNION), for positions. */
static const sl_rel *top_project(const sl_rel *rel) {
  while (rel && rel->kind != SL_REL_PROJECT) {
    if (rel->kind == SL_REL_UNION)
      rel = rel->u.union_.inputs[0];
    else
      rel = rel->input;
  }
  return rel;
}

sl_status bind_output_columns(sl_binder *b, const sl_rel *rel,
                              const char *what, sl_ast_pos pos) {
  sl_bound_stmt *st = b->stmt;
  st->columns = bind_calloc(b, (size_t)rel->ncolumns + 1,
                            sizeof(*st->columns));
  if (!st->columns)
    return bind_nomem(b);
  const sl_rel *p = top_project(rel);
  for (int i = 0; i < rel->ncolumns; i++) {
    const sl_rel_column *c = &rel->columns[i];
    sl_srcpos cpos = bind_srcpos(pos);
    if (p && i < p->u.project.nexprs)
      cpos = p->u.project.exprs[i]->pos;
    for (int j = 0; j < st->ncolumns; j++) {
      if (strcmp(st->columns[j].name, c->name) == 0) {
        sl_ast_pos apos = {cpos.line, cpos.column, 0};
        return bind_fail(b, apos, "column \"%s\" appears twice in the "
                         "output of %s; give one an alias", c->name, what);
      }
    }
    sl_bound_column *bc = &st->columns[st->ncolumns++];
    bc->name = c->name;
    bc->type = c->type;
    bc->not_null = c->not_null;
    bc->quoted = c->quoted;
    bc->pos = cpos;
  }
  return SL_OK;
}
