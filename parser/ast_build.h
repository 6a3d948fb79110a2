/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ast_build.h - the node builders called by the grammar's actions.
 *
 * Internal to the parser.  Every builder allocates from the arena of the
 * parse result held by the sl_build context.  Builders tolerate NULL
 * children (the result of an earlier allocation failure) and then return
 * NULL themselves, so that an out-of-memory condition only marks the
 * context failed and never crashes the grammar; the driver checks
 * b->status after each token.  Errors found while building (an unknown
 * type, an interval that does not fit, a duplicate window option) are
 * reported the same way, at the position of the offending token; only the
 * first error is kept.
 *
 * Types: builders that take an sl_type * always consume it, whether they
 * succeed or not.  A type becomes the parse result's when it is attached
 * to a node (sl_build_column, sl_build_cast, sl_build_types, ...).
 */
#ifndef SLUICE_PARSER_AST_BUILD_H
#define SLUICE_PARSER_AST_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "parser/ast.h"
#include "parser/parser.h"

/* The value of every terminal given to the grammar. */
typedef struct sl_ast_token {
  int code;            /* the grammar's token code (SL_TK_...) */
  const char *text;    /* folded word, decoded string, digits, operator */
  size_t len;
  const char *raw;     /* as written in the substituted text */
  size_t raw_len;
  bool quoted;         /* a "quoted identifier" */
  sl_ast_pos pos;      /* first character */
  sl_ast_pos end;      /* just past the last character */
  sl_ast_pos prev_end; /* end of the token before this one */
} sl_ast_token;

typedef struct sl_build {
  sl_parse_result *result;
  sl_arena *arena;
  const char *file;
  sl_error *err;
  sl_status status;     /* SL_OK until the first error */
  sl_ast_token last;    /* the last token given to the grammar */
} sl_build;

/* A type under construction (heap) and where it was written. */
typedef struct sl_build_type {
  sl_type *type;
  sl_ast_pos pos;
} sl_build_type;

/* Struct fields under construction (heap: names and types are malloc'd). */
typedef struct sl_build_fields {
  int n;
  int cap;
  sl_type_field *items;
} sl_build_fields;

/* The parenthesized list of CREATE STREAM/TABLE. */
typedef struct sl_build_elems {
  sl_ast_column_defs columns;
  sl_ast_names primary_key;
  sl_ast_pos primary_key_pos;
  sl_ast_checks checks;
  sl_ast_watermark *watermark;
} sl_build_elems;

/* Small values passed by value between rules. */
typedef struct sl_build_emit {
  sl_ast_emit kind;
  sl_ast_pos pos;
} sl_build_emit;

typedef struct sl_build_with {
  sl_ast_ctes *ctes; /* NULL without WITH */
  sl_ast_pos pos;
} sl_build_with;

typedef struct sl_build_within {
  sl_ast_within_kind kind;
  sl_ast_pos pos;
  sl_ast_expr *before;
  sl_ast_expr *after;
} sl_build_within;

typedef struct sl_build_wopt {
  int which;           /* 0 SIZE, 1 ADVANCE BY, 2 GAP, 3 GRACE PERIOD */
  sl_ast_pos pos;
  sl_ast_expr *expr;
} sl_build_wopt;

typedef struct sl_build_windows {
  sl_ast_window *window;
  sl_ast_named_windows *named;
} sl_build_windows;

typedef struct sl_build_range {
  sl_ast_expr *expr;
  sl_ast_pos pos;
} sl_build_range;

typedef struct sl_build_group {
  sl_ast_exprs *exprs;
  sl_ast_pos pos;
} sl_build_group;

typedef struct sl_build_over {
  sl_ast_window_spec *spec;
  sl_ast_name name;
} sl_build_over;

/* Errors.  sl_build_error_at records the first error only (at pos, with
 * the file of the parse); later ones are dropped so that the message is
 * about the first problem.  The syntax error names the offending token
 * and what the grammar would have accepted there. */
void sl_build_error_at(sl_build *b, sl_ast_pos pos, const char *fmt, ...)
    SL_PRINTF(3, 4);
void sl_build_nomem(sl_build *b);
void sl_build_syntax_error(sl_build *b, const void *parser, int major,
                           const sl_ast_token *tok);
void sl_build_nesting_error(sl_build *b);

/* Defined in the generated grammar: the terminals the parser would accept
 * next, in token order, at most max of them.  Returns the count. */
int sl_grammar_expected(const void *parser, int *expected, int max);


/* Script and statements.  Each returns a new statement in the arena, or
 * NULL after an error (children that are NULL give NULL).
 * sl_build_add_stmt appends a finished statement to the result with its
 * span; semi is the ';' that ended it, NULL at the end of input. */
void sl_build_add_stmt(sl_build *b, sl_ast_stmt *stmt,
                       const sl_ast_token *semi);
sl_ast_stmt *sl_build_explain(sl_build *b, const sl_ast_token *t,
                              sl_ast_stmt *stmt);
sl_ast_stmt *sl_build_explain_id(sl_build *b, const sl_ast_token *t,
                                 sl_ast_name id);
sl_ast_stmt *sl_build_create_source(sl_build *b, const sl_ast_token *t,
                                    sl_ast_stmt_kind kind, int if_not_exists,
                                    sl_ast_name name, sl_build_elems *elems,
                                    sl_ast_options *options);
sl_ast_stmt *sl_build_create_as(sl_build *b, const sl_ast_token *t,
                                sl_ast_stmt_kind kind, int if_not_exists,
                                sl_ast_name name, sl_ast_options *options,
                                sl_ast_query *query);
sl_ast_stmt *sl_build_insert_query(sl_build *b, const sl_ast_token *t,
                                   sl_ast_name target, sl_ast_query *query);
sl_ast_stmt *sl_build_insert_values(sl_build *b, const sl_ast_token *t,
                                    sl_ast_name target,
                                    sl_ast_names *columns,
                                    sl_ast_rows *rows);
sl_ast_stmt *sl_build_load(sl_build *b, const sl_ast_token *t,
                           const sl_ast_token *path, sl_ast_name target,
                           sl_ast_options *options);
sl_ast_stmt *sl_build_copy(sl_build *b, const sl_ast_token *t,
                           sl_ast_name source, const sl_ast_token *path);
sl_ast_stmt *sl_build_create_model(sl_build *b, const sl_ast_token *t,
                                   int if_not_exists, sl_ast_name name,
                                   sl_ast_name model_type,
                                   sl_ast_features *features,
                                   sl_ast_expr *label, sl_ast_name source,
                                   sl_ast_expr *where,
                                   const sl_ast_token *file,
                                   sl_ast_options *options);
sl_ast_stmt *sl_build_evaluate(sl_build *b, const sl_ast_token *t,
                               sl_ast_model_refs *models, sl_ast_name source,
                               sl_ast_expr *where);
sl_ast_stmt *sl_build_create_function(sl_build *b, const sl_ast_token *t,
                                      int aggregate, int if_not_exists,
                                      sl_ast_name name, sl_ast_types *args,
                                      sl_build_type returns,
                                      sl_ast_name language,
                                      const sl_ast_token *library,
                                      const sl_ast_token *symbol);
sl_ast_stmt *sl_build_drop(sl_build *b, const sl_ast_token *t, int object,
                           int if_exists, sl_ast_name name,
                           int delete_topic);
sl_ast_stmt *sl_build_show(sl_build *b, const sl_ast_token *t, int what);
sl_ast_stmt *sl_build_describe(sl_build *b, const sl_ast_token *t,
                               sl_ast_name name, int function);
sl_ast_stmt *sl_build_terminate(sl_build *b, const sl_ast_token *t,
                                const sl_ast_name *id);
sl_ast_stmt *sl_build_set(sl_build *b, const sl_ast_token *t,
                          const sl_ast_token *property,
                          const sl_ast_token *value);
sl_ast_stmt *sl_build_print(sl_build *b, const sl_ast_token *t,
                            const sl_ast_token *topic, int from_beginning,
                            const sl_ast_token *limit);
sl_ast_stmt *sl_build_query_stmt(sl_build *b, sl_ast_query *query);

/* Statement parts.  The list builders append to list (a new one when it
 * is NULL) and return it, or NULL after an error. */
sl_ast_name sl_build_name(const sl_ast_token *t);
sl_ast_name sl_build_no_name(void);
sl_ast_token *sl_build_token_copy(sl_build *b, const sl_ast_token *t);
sl_ast_names *sl_build_names(sl_build *b, sl_ast_names *list,
                             sl_ast_name name);
sl_ast_options *sl_build_option(sl_build *b, sl_ast_options *list,
                                sl_ast_name name, sl_ast_expr *value);
sl_build_elems *sl_build_elems_column(sl_build *b, sl_build_elems *elems,
                                      sl_ast_column_def *column);
sl_build_elems *sl_build_elems_check(sl_build *b, sl_build_elems *elems,
                                     const sl_ast_token *t,
                                     sl_ast_expr *condition);
sl_build_elems *sl_build_elems_watermark(sl_build *b, sl_build_elems *elems,
                                         const sl_ast_token *t,
                                         sl_ast_name column,
                                         sl_ast_expr *expr);
sl_build_elems *sl_build_elems_primary_key(sl_build *b,
                                           sl_build_elems *elems,
                                           const sl_ast_token *t,
                                           sl_ast_names *columns);
sl_ast_column_def *sl_build_column(sl_build *b, sl_ast_name name,
                                   sl_build_type type, int constraints);
sl_ast_rows *sl_build_rows(sl_build *b, sl_ast_rows *list,
                           sl_ast_exprs *row);
sl_ast_features *sl_build_feature(sl_build *b, sl_ast_features *list,
                                  sl_ast_expr *expr,
                                  const sl_ast_name *alias);
sl_ast_model_refs *sl_build_model_ref(sl_build *b, sl_ast_model_refs *list,
                                      sl_ast_name name,
                                      const sl_ast_token *version);
sl_ast_types *sl_build_types(sl_build *b, sl_ast_types *list,
                             const sl_build_type *type);

/* Types.  Each consumes the types passed in (on failure too) and returns
 * a heap type with its position, or a NULL type after an error.  The
 * struct field list is heap memory until sl_build_type_struct takes it. */
sl_build_type sl_build_type_named(sl_build *b, sl_ast_name name,
                                  const sl_ast_token *precision,
                                  const sl_ast_token *scale);
sl_build_type sl_build_type_array(sl_build *b, const sl_ast_token *t,
                                  sl_build_type elem);
sl_build_type sl_build_type_map(sl_build *b, const sl_ast_token *t,
                                sl_build_type key, sl_build_type value);
sl_build_type sl_build_type_struct(sl_build *b, const sl_ast_token *t,
                                   sl_build_fields *fields);
sl_build_fields *sl_build_struct_field(sl_build *b, sl_build_fields *list,
                                       sl_ast_name name, sl_build_type type);
void sl_build_fields_free(sl_build_fields *fields);

/* Queries.  Nodes in the arena, NULL after an error; the small by-value
 * helpers (emit, with, within, window options, range, group) carry a
 * clause and its position from one rule to the next. */
sl_ast_query *sl_build_query(sl_build *b, sl_build_with with,
                             sl_ast_selects *selects, sl_build_emit emit,
                             const sl_ast_token *limit);
sl_build_with sl_build_with_none(void);
sl_build_with sl_build_with_of(const sl_ast_token *t, sl_ast_ctes *ctes);
sl_ast_ctes *sl_build_cte(sl_build *b, sl_ast_ctes *list, sl_ast_name name,
                          sl_ast_query *query);
sl_ast_selects *sl_build_selects(sl_build *b, sl_ast_selects *list,
                                 sl_ast_select *select);
sl_build_emit sl_build_emit_none(void);
sl_build_emit sl_build_emit_of(const sl_ast_token *t, sl_ast_emit kind);
sl_ast_select *sl_build_select(sl_build *b, const sl_ast_token *t,
                               sl_ast_select_items *items, sl_ast_from *from,
                               sl_ast_expr *where, sl_build_windows *windows,
                               sl_build_group group, sl_ast_expr *having);
sl_ast_select_items *sl_build_selitems(sl_build *b,
                                       sl_ast_select_items *list,
                                       sl_ast_select_item *item);
sl_ast_select_item *sl_build_selitem_expr(sl_build *b, sl_ast_expr *expr,
                                          const sl_ast_name *alias);
sl_ast_select_item *sl_build_selitem_star(sl_build *b, const sl_ast_token *t,
                                          sl_ast_expr *qualifier);
sl_ast_from *sl_build_join(sl_build *b, const sl_ast_token *t, int kind,
                           sl_ast_from *left, sl_ast_from *right,
                           sl_ast_expr *system_time,
                           const sl_build_within *within, sl_ast_expr *grace,
                           sl_ast_expr *on);
sl_ast_from *sl_build_source(sl_build *b, sl_ast_name name,
                             sl_ast_name alias);
sl_ast_from *sl_build_subquery(sl_build *b, const sl_ast_token *t,
                               sl_ast_query *query, sl_ast_name alias);
sl_build_within sl_build_within_none(void);
sl_build_within sl_build_within_of(const sl_ast_token *t, sl_ast_expr *x,
                                   sl_ast_expr *y);
sl_build_windows *sl_build_windows_of(sl_build *b, sl_ast_window *window,
                                      sl_ast_named_windows *named);
sl_ast_window *sl_build_window_kind(sl_build *b, const sl_ast_token *t,
                                    sl_ast_window_kind kind,
                                    sl_ast_window *window);
sl_ast_window *sl_build_window_opt(sl_build *b, sl_ast_window *window,
                                   sl_build_wopt opt);
sl_build_wopt sl_build_wopt_of(const sl_ast_token *t, int which,
                               sl_ast_expr *expr);
sl_ast_named_windows *sl_build_named_window(sl_build *b,
                                            sl_ast_named_windows *list,
                                            sl_ast_name name,
                                            sl_ast_window_spec *spec);
sl_ast_window_spec *sl_build_window_spec(sl_build *b,
                                         sl_ast_exprs *partition_by,
                                         sl_ast_order_items *order_by,
                                         sl_build_range range);
sl_ast_order_items *sl_build_order(sl_build *b, sl_ast_order_items *list,
                                   sl_ast_expr *expr, int desc);
sl_build_range sl_build_range_none(void);
sl_build_range sl_build_range_of(const sl_ast_token *t, sl_ast_expr *expr);
sl_build_group sl_build_group_none(void);
sl_build_group sl_build_group_of(const sl_ast_token *t, sl_ast_exprs *exprs);

/* Expressions.  Each returns a new node in the arena with its height set
 * (an error past SL_AST_MAX_HEIGHT), or NULL after an error. */
sl_ast_expr *sl_build_binary(sl_build *b, const sl_ast_token *t,
                             sl_ast_binary_op op, sl_ast_expr *left,
                             sl_ast_expr *right);
sl_ast_expr *sl_build_unary(sl_build *b, const sl_ast_token *t,
                            sl_ast_unary_op op, sl_ast_expr *operand);
sl_ast_expr *sl_build_is_null(sl_build *b, const sl_ast_token *t,
                              sl_ast_expr *operand, int negated);
sl_ast_expr *sl_build_between(sl_build *b, const sl_ast_token *t,
                              sl_ast_expr *operand, sl_ast_expr *low,
                              sl_ast_expr *high, int negated);
sl_ast_expr *sl_build_in(sl_build *b, const sl_ast_token *t,
                         sl_ast_expr *operand, sl_ast_exprs *list,
                         int negated);
sl_ast_expr *sl_build_like(sl_build *b, const sl_ast_token *t,
                           sl_ast_expr *operand, sl_ast_expr *pattern,
                           int negated);
sl_ast_expr *sl_build_cast(sl_build *b, const sl_ast_token *t,
                           sl_ast_expr *operand, sl_build_type type,
                           int colon_form);
sl_ast_expr *sl_build_subscript(sl_build *b, const sl_ast_token *t,
                                sl_ast_expr *base, sl_ast_expr *index);
sl_ast_expr *sl_build_field_access(sl_build *b, sl_ast_expr *base,
                                   sl_ast_name name);
sl_ast_expr *sl_build_number(sl_build *b, const sl_ast_token *t,
                             sl_ast_literal_kind kind);
sl_ast_expr *sl_build_string(sl_build *b, const sl_ast_token *t,
                             sl_ast_literal_kind kind);
sl_ast_expr *sl_build_boolean(sl_build *b, const sl_ast_token *t, int value);
sl_ast_expr *sl_build_null(sl_build *b, const sl_ast_token *t);
sl_ast_expr *sl_build_typed_string(sl_build *b, const sl_ast_token *keyword,
                                   const sl_ast_token *t,
                                   sl_ast_literal_kind kind);
sl_ast_expr *sl_build_interval(sl_build *b, const sl_ast_token *keyword,
                               const sl_ast_token *t, int unit);
sl_ast_expr *sl_build_column_ref(sl_build *b, sl_ast_name name);
sl_ast_expr *sl_build_case(sl_build *b, const sl_ast_token *t,
                           sl_ast_expr *operand, sl_ast_whens *whens,
                           sl_ast_expr *else_expr);
sl_ast_whens *sl_build_when(sl_build *b, sl_ast_whens *list,
                            const sl_ast_token *t, sl_ast_expr *when,
                            sl_ast_expr *then);
sl_ast_expr *sl_build_array(sl_build *b, const sl_ast_token *t,
                            sl_ast_exprs *items);
sl_ast_expr *sl_build_extract(sl_build *b, const sl_ast_token *t,
                              sl_ast_name part, sl_ast_expr *operand);
sl_ast_expr *sl_build_predict(sl_build *b, const sl_ast_token *t,
                              sl_ast_name model, const sl_ast_token *version,
                              sl_ast_exprs *args);
sl_ast_expr *sl_build_call(sl_build *b, sl_ast_name name, sl_ast_exprs *args,
                           int distinct, int star, sl_build_over over);
sl_build_over sl_build_over_none(void);
sl_build_over sl_build_over_spec(sl_ast_window_spec *spec);
sl_build_over sl_build_over_name(sl_ast_name name);
sl_ast_exprs *sl_build_exprs(sl_build *b, sl_ast_exprs *list,
                             sl_ast_expr *expr);

#endif /* SLUICE_PARSER_AST_BUILD_H */
