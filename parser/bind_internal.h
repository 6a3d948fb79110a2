/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind_internal.h - what the binder's files share (internal to parser/).
 *
 * The binder is split by what it binds: bind.c the statements, bind_query.c
 * queries (FROM, joins, aggregation, OVER, UNION ALL), bind_expr.c
 * expressions and types, bind_options.c WITH options and SET properties,
 * bind_apply.c the catalog side.  They share one sl_binder per statement,
 * the scopes that name resolution walks, and small allocation helpers that
 * turn a failed allocation into an SL_ERR_NOMEM error.
 */
#ifndef SLUICE_PARSER_BIND_INTERNAL_H
#define SLUICE_PARSER_BIND_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "parser/ast.h"
#include "parser/bind.h"
#include "parser/bound.h"

/* Deepest nesting of queries and expressions the binder follows. */
#define BIND_MAX_DEPTH 2000

/* The WITH lists visible from a query: ctes[0..visible) of this level,
 * then the outer levels. */
typedef struct bind_cte_env bind_cte_env;
struct bind_cte_env {
  const sl_ast_ctes *ctes;
  int visible;
  const bind_cte_env *outer;
};

/* The binding of one statement. */
typedef struct sl_binder {
  sl_bind_ctx *ctx;
  sl_bound_stmt *stmt; /* being built; owns all memory */
  sl_arena *arena;     /* &stmt->arena */
  sl_error *err;
  int depth;           /* current nesting, checked against BIND_MAX_DEPTH */
} sl_binder;

/* One FROM item as name resolution sees it: a qualifier and a range of
 * the relation's columns. */
typedef struct bind_source {
  const char *qualifier; /* alias, else the object or CTE name; or NULL */
  const char *kind_word; /* "stream", "table", "training set", "query" */
  int first;             /* first column in the scope's relation */
  int count;
  sl_ast_pos pos;
} bind_source;

/* The names visible to an expression: the columns of rel, grouped by the
 * FROM items that brought them. */
typedef struct bind_scope {
  const sl_rel *rel;     /* NULL: no columns at all */
  int nsources;
  bind_source *sources;
  const char *no_columns; /* with no sources: why (for messages) */
} bind_scope;

/* Aggregate and OVER calls collected while a SELECT list is bound. */
typedef struct bind_aggs {
  int n;
  int cap;
  sl_agg_call *items;
} bind_aggs;

typedef struct bind_overs {
  int n;
  int cap;
  sl_over_call *items;
} bind_overs;

/* Where an expression is bound and what it may contain. */
typedef struct bind_ectx {
  const bind_scope *scope;
  const char *clause;      /* "WHERE", "ON", ... for "not allowed in" */
  bind_aggs *aggs;         /* non-NULL: aggregate calls are collected */
  bind_overs *overs;       /* non-NULL: OVER calls are collected */
  const sl_ast_named_windows *windows; /* WINDOW w AS (...) */
  bool windowed;           /* WINDOW_START and WINDOW_END resolve */
  bool features;           /* top of a FEATURES item: transforms allowed */
  const char *in_aggregate; /* inside this aggregate's arguments */
  const char *in_over;      /* inside this OVER call's arguments */
} bind_ectx;

/* ---- bind.c: memory, errors, dependencies ---------------------------- */

/* Fills the error at pos and returns SL_ERR_SQL. */
sl_status bind_fail(sl_binder *b, sl_ast_pos pos, const char *fmt, ...)
    SL_PRINTF(3, 4);

/* The SL_ERR_NOMEM error. */
sl_status bind_nomem(sl_binder *b);

/* Arena allocation; NULL (with the error set) when out of memory. */
void *bind_alloc(sl_binder *b, size_t size);
void *bind_calloc(sl_binder *b, size_t count, size_t size);
char *bind_strdup(sl_binder *b, const char *s);
char *bind_printf(sl_binder *b, const char *fmt, ...) SL_PRINTF(2, 3);

/* A statement-owned copy of a name from the syntax tree (which may be
 * freed before the statement); NULL stays NULL. */
const char *bind_name(sl_binder *b, const char *s);

/* Grows a statement-arena array of elements of size elem to hold at least
 * need; *items and *cap are updated.  SL_OK or SL_ERR_NOMEM. */
sl_status bind_grow(sl_binder *b, void **items, int *cap, int need,
                    size_t elem);

/* Makes the statement own heap type t (singletons pass through).  Returns
 * t, or NULL (t freed, error set) when out of memory. */
sl_type *bind_keep_type(sl_binder *b, sl_type *t);

/* A statement-owned deep copy of t. */
sl_type *bind_clone_type(sl_binder *b, const sl_type *t);

/* Makes the statement own obj.  On failure obj is freed. */
sl_status bind_keep_object(sl_binder *b, sl_catalog_object *obj);

/* Records that the statement reads object name / user function name. */
sl_status bind_add_dep(sl_binder *b, const char *name);
sl_status bind_add_function_dep(sl_binder *b, const char *name);

/* Looks an object up; *out (statement-owned) is NULL when missing. */
sl_status bind_get_object(sl_binder *b, const char *name,
                          sl_catalog_object **out);

/* The source position of an AST position. */
sl_srcpos bind_srcpos(sl_ast_pos pos);

/* The position of the operator token written just before `right` (the
 * right operand of a binary operator), found in the original text; the
 * fallback when the text is unknown. */
sl_ast_pos bind_operator_pos(const sl_binder *b, sl_ast_pos right,
                             sl_ast_pos fallback);

/* The candidate closest to name (case-insensitive edit distance within
 * a third of the name's length, at least 1), or NULL. */
const char *bind_closest(const char *name, const char *const *candidates,
                         int n);

/* "; did you mean \"x\"?" for the closest of candidates, or "". */
const char *bind_suggest(sl_binder *b, const char *name,
                         const char *const *candidates, int n);

/* ---- bind_expr.c: expressions and types ------------------------------ */

/* The SQL spelling of a type in the arena (for messages). */
const char *bind_type_name(sl_binder *b, const sl_type *t);

/* A new expression node with nargs (zeroed) argument slots. */
sl_bexpr *bexpr_new(sl_binder *b, sl_bexpr_kind kind, sl_type *type,
                    sl_ast_pos pos, int nargs);

/* e converted to type: e itself when the types are equal, else an
 * implicit CAST node.  NULL when out of memory. */
sl_bexpr *bind_cast(sl_binder *b, sl_bexpr *e, sl_type *type);

/* True when a value of type from may be cast explicitly to to. */
bool bind_can_cast(const sl_type *from, const sl_type *to);

/* The common type of a and b (statement-owned), or NULL when none. */
sl_type *bind_common_type(sl_binder *b, const sl_type *a, const sl_type *c);

/* Binds ast in ectx into *out. */
sl_status bind_expr(sl_binder *b, const bind_ectx *ectx,
                    const sl_ast_expr *ast, sl_bexpr **out);

/* Binds ast and requires a BOOLEAN (or NULL) result; what names the
 * clause in the message ("WHERE needs a BOOLEAN condition, got INT"). */
sl_status bind_condition(sl_binder *b, const bind_ectx *ectx,
                         const sl_ast_expr *ast, const char *what,
                         sl_bexpr **out);

/* Binds a constant interval (INTERVAL '5' SECOND, 5 SECONDS) into
 * milliseconds; what names it in messages ("SIZE").  Negative intervals
 * are refused unless allow_negative. */
sl_status bind_interval_const(sl_binder *b, const sl_ast_expr *ast,
                              const char *what, bool allow_negative,
                              int64_t *ms);

/* Checks that model has the version asked for, when it has any: a model
 * created but not yet trained (as in `sluice check`) has none to check
 * against. */
sl_status bind_check_model_version(sl_binder *b, const char *model,
                                   int64_t version, sl_ast_pos pos);

/* Structural equality of bound expressions. */
bool bexpr_equal(const sl_bexpr *a, const sl_bexpr *c);

/* A deep copy of e with every COLUMN index lowered by shift. */
sl_bexpr *bexpr_shift(sl_binder *b, const sl_bexpr *e, int shift);

/* Calls visit on every COLUMN index of e. */
void bexpr_columns(const sl_bexpr *e, void (*visit)(int column, void *arg),
                   void *arg);

/* True when e reads no column (a constant expression). */
bool bexpr_is_constant(const sl_bexpr *e);

/* The first COLUMN node of e (for positions), or NULL. */
const sl_bexpr *bexpr_first_column(const sl_bexpr *e);

/* The output name of a SELECT item without an alias: the column's or
 * field's name, or NULL (then expr_N). */
const char *bind_expr_name(const sl_ast_expr *ast);

/* ---- bind_query.c: queries ------------------------------------------- */

/* Binds a query.  top: the statement's own query, where EMIT and LIMIT
 * belong. */
sl_status bind_query(sl_binder *b, const sl_ast_query *q,
                     const bind_cte_env *env, bool top, sl_rel **out);

/* Builds a scan of a catalog object (stream, table, training set) under
 * qualifier alias (or NULL) and the scope that names its columns. */
sl_status bind_scan(sl_binder *b, const sl_catalog_object *obj,
                    const char *alias, sl_ast_pos pos, sl_rel **out,
                    bind_scope *scope);

/* A scope of one source over rel. */
sl_status bind_scope_single(sl_binder *b, const sl_rel *rel,
                            const char *qualifier, const char *kind_word,
                            sl_ast_pos pos, bind_scope *scope);

/* A relation of ncolumns columns with no input. */
sl_rel *bind_rel_new(sl_binder *b, sl_rel_kind kind, sl_ast_pos pos,
                     int ncolumns);

/* The word for a catalog kind in messages ("stream", "training set"). */
const char *bind_kind_word(sl_catalog_kind kind);

/* The output columns of a query as statement columns (for AS queries):
 * names must be unique (what names the statement in the message). */
sl_status bind_output_columns(sl_binder *b, const sl_rel *rel,
                              const char *what, sl_ast_pos pos);

/* ---- bind_options.c: WITH options and properties ---------------------- */

/* The option sets of the statements. */
typedef enum bind_option_set {
  BIND_OPTS_STREAM,        /* CREATE STREAM with columns */
  BIND_OPTS_STREAM_AS,     /* CREATE STREAM ... AS */
  BIND_OPTS_TABLE,         /* CREATE TABLE with columns */
  BIND_OPTS_TABLE_AS,      /* CREATE TABLE ... AS */
  BIND_OPTS_TRAINING_SET,
  BIND_OPTS_LOAD,
  BIND_OPTS_MODEL_XGBOOST,
  BIND_OPTS_MODEL_LINEAR,  /* LOGISTIC_REGRESSION, LINEAR_REGRESSION */
  BIND_OPTS_MODEL_FILE     /* CREATE MODEL ... FROM FILE */
} bind_option_set;

/* Validates opts against the set (names, value types, choices), fills
 * stmt->options with them followed by the defaults of the set, and checks
 * nothing else (column references are checked by the caller).  what names
 * the statement ("CREATE STREAM"). */
sl_status bind_options(sl_binder *b, bind_option_set set,
                       const sl_ast_options *opts, const char *what);

/* Finds the AST option called name, or NULL. */
const sl_ast_option *bind_find_ast_option(const sl_ast_options *opts,
                                          const char *name);

/* Appends a defaulted option (string, integer or boolean value). */
sl_status bind_default_option(sl_binder *b, const char *name,
                              sl_option_type type, const char *text,
                              int64_t number);

/* Validates a SET / UNSET property and, for SET, its value. */
sl_status bind_property(sl_binder *b, const char *property,
                        sl_ast_pos property_pos, const char *value,
                        sl_ast_pos value_pos);

#endif /* SLUICE_PARSER_BIND_INTERNAL_H */
