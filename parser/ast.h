/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ast.h - the syntax tree of the Sluice SQL dialect.
 *
 * The parser turns a script into a list of statements (sl_ast_stmt); the
 * binder walks them.  The tree records what was written, not what it means:
 * names are not resolved (a column reference keeps its dotted parts, the
 * binder decides which part names a source), literals keep their text, and
 * options are kept in the order written with their positions.
 *
 * Memory: every node, list and string lives in the arena of the parse
 * result (parser.h) and is freed with it; the sl_type objects the tree
 * points at are owned by the parse result too.  Consumers never free
 * anything inside the tree.
 *
 * Shape: statements and expressions are tagged unions; switch on `kind` and
 * read the union member of the same name.  A list is an array of `n`
 * pointers (never NULL entries).  An optional child is a NULL pointer; an
 * optional name has text == NULL.  Every node carries the position of its
 * first token (line, column in characters, byte offset) in the original
 * text, before ${name} substitution.
 */
#ifndef SLUICE_PARSER_AST_H
#define SLUICE_PARSER_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/types/types.h"

/* ------------------------------------------------------------------ */
/* Positions and names                                                 */
/* ------------------------------------------------------------------ */

/* A place in the original SQL text.  line and column are 1-based (column
 * counts characters, a tab is one); offset is 0-based in bytes. */
typedef struct sl_ast_pos {
  int line;
  int column;
  size_t offset;
} sl_ast_pos;

/* An identifier.  Unquoted identifiers are folded to lower case; quoted
 * ones ("Name") keep their case and quoted is true.  An absent optional
 * name has text == NULL. */
typedef struct sl_ast_name {
  const char *text;
  bool quoted;
  sl_ast_pos pos;
} sl_ast_name;

/* A list of names (column lists, dotted parts). */
typedef struct sl_ast_names {
  int n;
  int cap;
  sl_ast_name *items;
} sl_ast_names;

typedef struct sl_ast_expr sl_ast_expr;
typedef struct sl_ast_query sl_ast_query;
typedef struct sl_ast_stmt sl_ast_stmt;
typedef struct sl_ast_window_spec sl_ast_window_spec;

typedef struct sl_ast_exprs {
  int n;
  int cap;
  sl_ast_expr **items;
} sl_ast_exprs;

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

typedef enum sl_ast_expr_kind {
  SL_AST_LITERAL = 1,
  SL_AST_COLUMN,    /* a, a.b, a.b.c: dotted parts, unresolved */
  SL_AST_UNARY,
  SL_AST_BINARY,
  SL_AST_IS_NULL,   /* x IS [NOT] NULL */
  SL_AST_BETWEEN,   /* x [NOT] BETWEEN lo AND hi */
  SL_AST_IN,        /* x [NOT] IN (list) */
  SL_AST_LIKE,      /* x [NOT] LIKE pattern */
  SL_AST_CASE,
  SL_AST_CAST,      /* CAST(x AS type) and x::type */
  SL_AST_SUBSCRIPT, /* a['key'], a[1] */
  SL_AST_FIELD,     /* expr.name where expr is not a plain column path */
  SL_AST_ARRAY,     /* ARRAY[a, b, ...] */
  SL_AST_EXTRACT,   /* EXTRACT(part FROM x) */
  SL_AST_CALL,      /* f(args), COUNT(*), COUNT(DISTINCT x), ... OVER */
  SL_AST_PREDICT    /* PREDICT(m [VERSION n] [, args]) */
} sl_ast_expr_kind;

typedef enum sl_ast_literal_kind {
  SL_AST_LIT_NULL = 1,
  SL_AST_LIT_BOOLEAN,
  SL_AST_LIT_INTEGER,   /* digits only */
  SL_AST_LIT_DECIMAL,   /* digits with a point, no exponent */
  SL_AST_LIT_DOUBLE,    /* with an exponent */
  SL_AST_LIT_STRING,
  SL_AST_LIT_TIMESTAMP, /* TIMESTAMP '...': text unparsed */
  SL_AST_LIT_DATE,      /* DATE '...': text unparsed */
  SL_AST_LIT_INTERVAL   /* INTERVAL '5' SECOND, 5 SECONDS */
} sl_ast_literal_kind;

/* The unit an interval was written in. */
typedef enum sl_ast_interval_unit {
  SL_AST_UNIT_MILLISECOND = 1,
  SL_AST_UNIT_SECOND,
  SL_AST_UNIT_MINUTE,
  SL_AST_UNIT_HOUR,
  SL_AST_UNIT_DAY,
  SL_AST_UNIT_WEEK
} sl_ast_interval_unit;

typedef struct sl_ast_literal {
  sl_ast_literal_kind kind;
  /* The literal as written: digits of a number (no sign), the decoded
   * contents of a string, TIMESTAMP or DATE literal, the count of an
   * interval ("5", "1.5").  NULL for NULL and booleans. */
  const char *text;
  bool boolean;         /* BOOLEAN */
  int64_t integer;      /* INTEGER, when fits_int64 */
  bool fits_int64;      /* INTEGER: false when the digits exceed INT64_MAX */
  double dbl;           /* DOUBLE (strtod of text); DECIMAL too, as a hint */
  int64_t interval_ms;  /* INTERVAL: the value in milliseconds */
  sl_ast_interval_unit unit; /* INTERVAL: unit as written */
} sl_ast_literal;

typedef enum sl_ast_unary_op {
  SL_AST_NOT = 1,
  SL_AST_NEG,   /* -x */
  SL_AST_PLUS   /* +x */
} sl_ast_unary_op;

typedef enum sl_ast_binary_op {
  SL_AST_OR = 1,
  SL_AST_AND,
  SL_AST_EQ,
  SL_AST_NE,    /* <> and != */
  SL_AST_LT,
  SL_AST_LE,
  SL_AST_GT,
  SL_AST_GE,
  SL_AST_ADD,
  SL_AST_SUB,
  SL_AST_MUL,
  SL_AST_DIV,
  SL_AST_MOD,
  SL_AST_CONCAT /* || */
} sl_ast_binary_op;

/* One WHEN ... THEN ... of a CASE. */
typedef struct sl_ast_when {
  sl_ast_pos pos;
  sl_ast_expr *when;
  sl_ast_expr *then;
} sl_ast_when;

typedef struct sl_ast_whens {
  int n;
  int cap;
  sl_ast_when **items;
} sl_ast_whens;

/* One item of ORDER BY. */
typedef struct sl_ast_order_item {
  sl_ast_pos pos;
  sl_ast_expr *expr;
  bool desc;
} sl_ast_order_item;

typedef struct sl_ast_order_items {
  int n;
  int cap;
  sl_ast_order_item **items;
} sl_ast_order_items;

/* A window specification, inline in OVER (...) or named in WINDOW w AS
 * (...): PARTITION BY, ORDER BY and an optional
 * RANGE BETWEEN <range> PRECEDING AND CURRENT ROW. */
struct sl_ast_window_spec {
  sl_ast_pos pos;
  sl_ast_exprs partition_by;
  sl_ast_order_items order_by;
  sl_ast_expr *range;   /* the PRECEDING amount, or NULL without RANGE */
  sl_ast_pos range_pos; /* of the RANGE keyword */
};

/* The deepest expression (and join) nesting the parser accepts, so that
 * every recursive walk of a tree has a known bound. */
#define SL_AST_MAX_HEIGHT 1000

struct sl_ast_expr {
  sl_ast_expr_kind kind;
  sl_ast_pos pos;
  int height; /* 1 for a leaf; 1 + the tallest child otherwise */
  union {
    sl_ast_literal literal;

    /* COLUMN: parts.n >= 1; a.b.c has three parts. */
    struct {
      sl_ast_names parts;
    } column;

    struct {
      sl_ast_unary_op op;
      sl_ast_expr *operand;
    } unary;

    /* pos is that of the left operand; op_pos that of the operator. */
    struct {
      sl_ast_binary_op op;
      sl_ast_expr *left;
      sl_ast_expr *right;
      sl_ast_pos op_pos;
    } binary;

    /* For the four below, op_pos is the position of IS, BETWEEN, IN or
     * LIKE (of NOT when negated). */
    struct {
      sl_ast_expr *operand;
      bool negated; /* IS NOT NULL */
      sl_ast_pos op_pos;
    } is_null;

    struct {
      sl_ast_expr *operand;
      sl_ast_expr *low;
      sl_ast_expr *high;
      bool negated;
      sl_ast_pos op_pos;
    } between;

    struct {
      sl_ast_expr *operand;
      sl_ast_exprs list;
      bool negated;
      sl_ast_pos op_pos;
    } in;

    struct {
      sl_ast_expr *operand;
      sl_ast_expr *pattern;
      bool negated;
      sl_ast_pos op_pos;
    } like;

    /* CASE [operand] WHEN ... THEN ... [ELSE ...] END; operand is NULL
     * for the searched form. */
    struct {
      sl_ast_expr *operand;
      sl_ast_whens whens;
      sl_ast_expr *else_expr;
    } case_;

    /* type is owned by the parse result.  colon_form: written x::type
     * (pos is then that of x). */
    struct {
      sl_ast_expr *operand;
      sl_type *type;
      sl_ast_pos type_pos;
      bool colon_form;
    } cast;

    /* pos is that of the base; op_pos that of "[". */
    struct {
      sl_ast_expr *base;
      sl_ast_expr *index;
      sl_ast_pos op_pos;
    } subscript;

    /* pos is that of the base; name.pos that of the field name. */
    struct {
      sl_ast_expr *base;
      sl_ast_name name;
    } field;

    struct {
      sl_ast_exprs items;
    } array;

    /* part is an identifier (year, month, day, hour, ...), lower case. */
    struct {
      sl_ast_name part;
      sl_ast_expr *operand;
    } extract;

    /* name(args) [OVER ...].  star: COUNT(*) (args empty).  Exactly one
     * of over and over_name is set for a windowed call. */
    struct {
      sl_ast_name name;
      sl_ast_exprs args;
      bool distinct;
      bool star;
      sl_ast_window_spec *over;
      sl_ast_name over_name;
    } call;

    /* PREDICT(model [VERSION n] [, args]); version 0 means the newest. */
    struct {
      sl_ast_name model;
      int64_t version;
      sl_ast_pos version_pos;
      sl_ast_exprs args;
    } predict;
  } u;
};

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

typedef enum sl_ast_select_item_kind {
  SL_AST_ITEM_EXPR = 1,
  SL_AST_ITEM_STAR,       /* * */
  SL_AST_ITEM_SOURCE_STAR /* src.* */
} sl_ast_select_item_kind;

typedef struct sl_ast_select_item {
  sl_ast_select_item_kind kind;
  sl_ast_pos pos;
  sl_ast_expr *expr;   /* ITEM_EXPR */
  sl_ast_name alias;   /* ITEM_EXPR: AS name, or text NULL */
  sl_ast_name source;  /* ITEM_SOURCE_STAR: the qualifier */
} sl_ast_select_item;

typedef struct sl_ast_select_items {
  int n;
  int cap;
  sl_ast_select_item **items;
} sl_ast_select_items;

typedef enum sl_ast_from_kind {
  SL_AST_FROM_SOURCE = 1, /* a named stream, table, training set or CTE */
  SL_AST_FROM_SUBQUERY,   /* (query) alias */
  SL_AST_FROM_JOIN
} sl_ast_from_kind;

typedef enum sl_ast_join_kind {
  SL_AST_JOIN_INNER = 1,
  SL_AST_JOIN_LEFT,
  SL_AST_JOIN_RIGHT,
  SL_AST_JOIN_FULL
} sl_ast_join_kind;

typedef enum sl_ast_within_kind {
  SL_AST_WITHIN_NONE = 0,
  SL_AST_WITHIN_SYMMETRIC,  /* WITHIN x: before = after = x */
  SL_AST_WITHIN_ASYMMETRIC  /* WITHIN (before, after) */
} sl_ast_within_kind;

typedef struct sl_ast_from sl_ast_from;

/* A FROM item.  Joins nest to the left: a JOIN b JOIN c is
 * JOIN(JOIN(a, b), c); the right side of a join is never a join.  A
 * join's pos is that of its left side. */
struct sl_ast_from {
  sl_ast_from_kind kind;
  sl_ast_pos pos;
  int height;        /* 1 for a source; 1 + the left side's for a join */
  sl_ast_name alias; /* SOURCE, SUBQUERY: [AS] alias, or text NULL */
  union {
    struct {
      sl_ast_name name;
    } source;

    struct {
      sl_ast_query *query;
    } subquery;

    struct {
      sl_ast_join_kind kind;
      sl_ast_pos join_pos;       /* of the JOIN keyword */
      sl_ast_from *left;
      sl_ast_from *right;
      sl_ast_expr *system_time;  /* FOR SYSTEM_TIME AS OF expr, or NULL */
      sl_ast_within_kind within;
      sl_ast_expr *before;       /* WITHIN: x or the first of (x, y) */
      sl_ast_expr *after;        /* WITHIN: x (same node) or y */
      sl_ast_pos within_pos;
      sl_ast_expr *grace;        /* GRACE PERIOD x, or NULL */
      sl_ast_expr *on;           /* ON condition (always present) */
    } join;
  } u;
};

typedef enum sl_ast_window_kind {
  SL_AST_WINDOW_TUMBLING = 1,
  SL_AST_WINDOW_HOPPING,
  SL_AST_WINDOW_SESSION
} sl_ast_window_kind;

/* WINDOW TUMBLING|HOPPING|SESSION (...).  The grammar accepts any of the
 * options in any window kind (each at most once); the binder checks that
 * they fit the kind.  An absent option is NULL. */
typedef struct sl_ast_window {
  sl_ast_window_kind kind;
  sl_ast_pos pos;
  sl_ast_expr *size;
  sl_ast_pos size_pos;
  sl_ast_expr *advance;  /* ADVANCE BY */
  sl_ast_pos advance_pos;
  sl_ast_expr *gap;
  sl_ast_pos gap_pos;
  sl_ast_expr *grace;    /* GRACE PERIOD */
  sl_ast_pos grace_pos;
} sl_ast_window;

/* WINDOW name AS (spec). */
typedef struct sl_ast_named_window {
  sl_ast_name name;
  sl_ast_window_spec *spec;
} sl_ast_named_window;

typedef struct sl_ast_named_windows {
  int n;
  int cap;
  sl_ast_named_window **items;
} sl_ast_named_windows;

/* One SELECT ... [FROM ...] [WHERE ...] [WINDOW ...] [GROUP BY ...]
 * [HAVING ...]. */
typedef struct sl_ast_select {
  sl_ast_pos pos;
  sl_ast_select_items items;
  sl_ast_from *from;              /* NULL without FROM */
  sl_ast_expr *where;
  sl_ast_window *window;          /* TUMBLING/HOPPING/SESSION, or NULL */
  sl_ast_named_windows named_windows;
  sl_ast_exprs group_by;
  sl_ast_pos group_by_pos;
  sl_ast_expr *having;
} sl_ast_select;

typedef struct sl_ast_selects {
  int n;
  int cap;
  sl_ast_select **items;
} sl_ast_selects;

/* WITH name AS (query). */
typedef struct sl_ast_cte {
  sl_ast_name name;
  sl_ast_query *query;
} sl_ast_cte;

typedef struct sl_ast_ctes {
  int n;
  int cap;
  sl_ast_cte **items;
} sl_ast_ctes;

typedef enum sl_ast_emit {
  SL_AST_EMIT_NONE = 0,
  SL_AST_EMIT_CHANGES,
  SL_AST_EMIT_FINAL
} sl_ast_emit;

/* [WITH ctes] select [UNION ALL select]... [EMIT ...] [LIMIT n].
 * selects.n >= 1; more than one means UNION ALL of them in order. */
struct sl_ast_query {
  sl_ast_pos pos;
  sl_ast_ctes ctes;
  sl_ast_selects selects;
  sl_ast_emit emit;
  sl_ast_pos emit_pos;
  bool has_limit;
  int64_t limit;
  sl_ast_pos limit_pos;
};

/* ------------------------------------------------------------------ */
/* Statement parts                                                     */
/* ------------------------------------------------------------------ */

/* One name = value of WITH (...).  value is a literal, an interval, or
 * (to let the binder complain with a position) any expression. */
typedef struct sl_ast_option {
  sl_ast_name name;
  sl_ast_expr *value;
} sl_ast_option;

typedef struct sl_ast_options {
  int n;
  int cap;
  sl_ast_option **items;
} sl_ast_options;

/* A column of CREATE STREAM / CREATE TABLE.  type is owned by the parse
 * result. */
typedef struct sl_ast_column_def {
  sl_ast_name name;
  sl_type *type;
  sl_ast_pos type_pos;
  bool not_null;
  bool primary_key;   /* column-level PRIMARY KEY */
} sl_ast_column_def;

typedef struct sl_ast_column_defs {
  int n;
  int cap;
  sl_ast_column_def **items;
} sl_ast_column_defs;

/* CHECK (condition). */
typedef struct sl_ast_check {
  sl_ast_pos pos;
  sl_ast_expr *condition;
} sl_ast_check;

typedef struct sl_ast_checks {
  int n;
  int cap;
  sl_ast_check **items;
} sl_ast_checks;

/* WATERMARK FOR column AS expr. */
typedef struct sl_ast_watermark {
  sl_ast_pos pos;
  sl_ast_name column;
  sl_ast_expr *expr;
} sl_ast_watermark;

/* One FEATURES item: expr [AS name].  STANDARDIZE(col), ONE_HOT(col),
 * BUCKETIZE(col, ARRAY[...]) are ordinary calls here. */
typedef struct sl_ast_feature {
  sl_ast_pos pos;
  sl_ast_expr *expr;
  sl_ast_name alias;
} sl_ast_feature;

typedef struct sl_ast_features {
  int n;
  int cap;
  sl_ast_feature **items;
} sl_ast_features;

/* A model and an optional version, as in EVALUATE MODEL m VERSION 2. */
typedef struct sl_ast_model_ref {
  sl_ast_name name;
  int64_t version;      /* 0: every version */
  sl_ast_pos version_pos;
} sl_ast_model_ref;

typedef struct sl_ast_model_refs {
  int n;
  int cap;
  sl_ast_model_ref **items;
} sl_ast_model_refs;

/* A list of types (function signatures); owned by the parse result. */
typedef struct sl_ast_types {
  int n;
  int cap;
  sl_type **items;
  sl_ast_pos *pos;   /* pos[i] is where items[i] was written */
} sl_ast_types;

/* A row of INSERT ... VALUES. */
typedef struct sl_ast_rows {
  int n;
  int cap;
  sl_ast_exprs **items;
} sl_ast_rows;

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

typedef enum sl_ast_stmt_kind {
  SL_AST_CREATE_STREAM = 1,   /* u.create_source: columns */
  SL_AST_CREATE_TABLE,        /* u.create_source: columns */
  SL_AST_CREATE_STREAM_AS,    /* u.create_as */
  SL_AST_CREATE_TABLE_AS,     /* u.create_as */
  SL_AST_CREATE_TRAINING_SET, /* u.create_as */
  SL_AST_INSERT_QUERY,        /* u.insert_query */
  SL_AST_INSERT_VALUES,       /* u.insert_values */
  SL_AST_LOAD,                /* u.load */
  SL_AST_COPY,                /* u.copy */
  SL_AST_CREATE_MODEL,        /* u.create_model */
  SL_AST_EVALUATE_MODEL,      /* u.evaluate */
  SL_AST_CREATE_FUNCTION,     /* u.create_function */
  SL_AST_DROP,                /* u.drop */
  SL_AST_SHOW,                /* u.show */
  SL_AST_DESCRIBE,            /* u.describe */
  SL_AST_EXPLAIN,             /* u.explain */
  SL_AST_TERMINATE,           /* u.terminate */
  SL_AST_SET,                 /* u.set */
  SL_AST_UNSET,               /* u.set (value NULL) */
  SL_AST_PRINT,               /* u.print */
  SL_AST_QUERY                /* u.query: a transient or pull query */
} sl_ast_stmt_kind;

typedef enum sl_ast_object_kind {
  SL_AST_OBJ_STREAM = 1,
  SL_AST_OBJ_TABLE,
  SL_AST_OBJ_MODEL,
  SL_AST_OBJ_FUNCTION,
  SL_AST_OBJ_TRAINING_SET
} sl_ast_object_kind;

typedef enum sl_ast_show_kind {
  SL_AST_SHOW_STREAMS = 1,
  SL_AST_SHOW_TABLES,
  SL_AST_SHOW_MODELS,
  SL_AST_SHOW_FUNCTIONS,
  SL_AST_SHOW_QUERIES,
  SL_AST_SHOW_TOPICS,
  SL_AST_SHOW_TRAINING_SETS,
  SL_AST_SHOW_PROPERTIES
} sl_ast_show_kind;

/* Where a statement lies in the original text: from its first token to
 * the end of its last token (the ';' excluded). */
typedef struct sl_ast_span {
  sl_ast_pos start;
  sl_ast_pos end; /* just past the last token */
} sl_ast_span;

struct sl_ast_stmt {
  sl_ast_stmt_kind kind;
  sl_ast_pos pos;    /* first token */
  sl_ast_span span;
  /* The statement's text with its ${name} references substituted, as it
   * ran (what the catalog must keep to parse it again); NULL when the
   * statement has no reference and its text is the original one. */
  const char *expanded_sql;
  union {
    /* CREATE STREAM / CREATE TABLE with a column list. */
    struct {
      sl_ast_name name;
      bool if_not_exists;
      sl_ast_column_defs columns;
      sl_ast_names primary_key;    /* table constraint PRIMARY KEY (...) */
      sl_ast_pos primary_key_pos;
      sl_ast_checks checks;
      sl_ast_watermark *watermark; /* NULL when absent */
      sl_ast_options options;
    } create_source;

    /* CREATE STREAM|TABLE|TRAINING SET name [WITH (...)] AS query. */
    struct {
      sl_ast_name name;
      bool if_not_exists;
      sl_ast_options options;
      sl_ast_query *query;
    } create_as;

    struct {
      sl_ast_name target;
      sl_ast_query *query;
    } insert_query;

    /* columns.n == 0 when no column list was given. */
    struct {
      sl_ast_name target;
      sl_ast_names columns;
      sl_ast_rows rows;
    } insert_values;

    struct {
      const char *path;
      sl_ast_pos path_pos;
      sl_ast_name target;
      sl_ast_options options;
    } load;

    struct {
      sl_ast_name source;
      const char *path;
      sl_ast_pos path_pos;
    } copy;

    /* CREATE MODEL.  With FROM FILE, file is set and label/source/where
     * are absent; otherwise file is NULL. */
    struct {
      sl_ast_name name;
      bool if_not_exists;
      sl_ast_name model_type;   /* xgboost, logistic_regression, ... */
      sl_ast_features features;
      sl_ast_expr *label;
      sl_ast_name source;       /* FROM training set */
      sl_ast_expr *where;
      const char *file;         /* FROM FILE 'path' */
      sl_ast_pos file_pos;
      sl_ast_options options;
    } create_model;

    struct {
      sl_ast_model_refs models;
      sl_ast_name source;       /* ON training set */
      sl_ast_expr *where;
    } evaluate;

    /* CREATE [AGGREGATE] FUNCTION f(types) RETURNS type LANGUAGE l AS
     * 'library' [SYMBOL 'symbol'].  Types are owned by the parse result. */
    struct {
      sl_ast_name name;
      bool if_not_exists;
      bool aggregate;
      sl_ast_types args;
      sl_type *returns;
      sl_ast_pos returns_pos;
      sl_ast_name language;     /* lower case: "c" */
      const char *library;
      sl_ast_pos library_pos;
      const char *symbol;       /* NULL: same as the function name */
      sl_ast_pos symbol_pos;
    } create_function;

    struct {
      sl_ast_object_kind object;
      bool if_exists;
      sl_ast_name name;
      bool delete_topic;
    } drop;

    struct {
      sl_ast_show_kind what;
    } show;

    /* DESCRIBE name, or DESCRIBE FUNCTION name. */
    struct {
      sl_ast_name name;
      bool function;
    } describe;

    /* EXPLAIN statement, or EXPLAIN query_id (stmt NULL). */
    struct {
      sl_ast_stmt *stmt;
      sl_ast_name query_id;
    } explain;

    /* TERMINATE query_id, or TERMINATE ALL (all true). */
    struct {
      sl_ast_name query_id;
      bool all;
    } terminate;

    /* SET 'property' = value, UNSET 'property' (value NULL).  The value
     * is the decoded string, or a number or true/false as written. */
    struct {
      const char *property;
      sl_ast_pos property_pos;
      const char *value;
      sl_ast_pos value_pos;
    } set;

    /* PRINT 'topic' [FROM BEGINNING] [LIMIT n]. */
    struct {
      const char *topic;
      sl_ast_pos topic_pos;
      bool from_beginning;
      bool has_limit;
      int64_t limit;
    } print;

    struct {
      sl_ast_query *query;
    } query;
  } u;
};

/* ------------------------------------------------------------------ */
/* Names of enum values, for dumps and messages                        */
/* ------------------------------------------------------------------ */

/* "CREATE STREAM", "INSERT", "SELECT", ...: the statement as a user would
 * name it. */
const char *sl_ast_stmt_kind_name(sl_ast_stmt_kind kind);

/* "=", "<>", "AND", "||", ... */
const char *sl_ast_binary_op_name(sl_ast_binary_op op);

/* "NOT", "-", "+" */
const char *sl_ast_unary_op_name(sl_ast_unary_op op);

/* "STREAM", "TABLE", "MODEL", "FUNCTION", "TRAINING SET" */
const char *sl_ast_object_kind_name(sl_ast_object_kind kind);

/* "STREAMS", "TABLES", ..., "TRAINING SETS", "PROPERTIES" */
const char *sl_ast_show_kind_name(sl_ast_show_kind kind);

/* "MILLISECOND", "SECOND", ... */
const char *sl_ast_interval_unit_name(sl_ast_interval_unit unit);

/* Milliseconds in one unit. */
int64_t sl_ast_interval_unit_ms(sl_ast_interval_unit unit);

#endif /* SLUICE_PARSER_AST_H */
