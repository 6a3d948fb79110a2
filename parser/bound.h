/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bound.h - what the binder hands the planner: typed expressions, the
 * logical plan of every query, and statements with every name resolved.
 *
 * The binder (bind.h) turns the parser's AST into these structures against
 * the catalog and the function registry.  Nothing here refers to a name
 * that still has to be looked up: columns are positions in the input
 * relation, functions are registry entries, sources are catalog objects.
 * Every node keeps the source position it came from, so that later stages
 * (planner, engine) can still report errors at the right place.
 *
 * Conventions of the whole tree:
 *   - every expression has a type; implicit casts are explicit CAST nodes
 *     (marked implicit), so an operator's operands always have the types
 *     the operator works on;
 *   - a COLUMN index counts in the columns of the relation the expression
 *     is evaluated over (stated at each field below);
 *   - an optional pointer is NULL when absent, an optional index is -1.
 *
 * Memory: a bound statement and everything it points to lives in the arena
 * of its sl_bound_stmt, or is registered with the statement (heap types,
 * catalog object copies) and freed by sl_bound_stmt_free.  Registry
 * functions (sl_func) are borrowed from the registry the statement was
 * bound against, which must outlive it.
 */
#ifndef SLUICE_BOUND_H
#define SLUICE_BOUND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "catalog/catalog.h"
#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "udf/registry.h"

typedef struct sl_bexpr sl_bexpr;
typedef struct sl_rel sl_rel;
typedef struct sl_bcheck sl_bcheck;

/* A position in the SQL text (1-based line and column in characters). */
typedef struct sl_srcpos {
  int line;
  int column;
} sl_srcpos;

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

typedef enum sl_bexpr_kind {
  SL_BEXPR_LITERAL,   /* a constant value */
  SL_BEXPR_COLUMN,    /* column `u.column` of the input relation */
  SL_BEXPR_UNARY,     /* op, args[0] */
  SL_BEXPR_BINARY,    /* op, args[0], args[1] */
  SL_BEXPR_IS_NULL,   /* args[0] IS [NOT] NULL */
  SL_BEXPR_IN,        /* args[0] [NOT] IN (args[1..nargs-1]) */
  SL_BEXPR_LIKE,      /* args[0] [NOT] LIKE args[1] (both VARCHAR) */
  SL_BEXPR_BETWEEN,   /* args[0] [NOT] BETWEEN args[1] AND args[2] */
  SL_BEXPR_CASE,      /* see u.case_ */
  SL_BEXPR_CAST,      /* args[0] to `type`; implicit casts too */
  SL_BEXPR_FUNC,      /* scalar function call: u.call, args */
  SL_BEXPR_SUBSCRIPT, /* args[0][args[1]]: ARRAY (1-based) or MAP key */
  SL_BEXPR_FIELD,     /* STRUCT field u.field of args[0] */
  SL_BEXPR_ARRAY,     /* ARRAY[args...] */
  SL_BEXPR_EXTRACT,   /* EXTRACT(u.part FROM args[0]) */
  SL_BEXPR_PREDICT,   /* PREDICT(u.predict.model ...): args are the
                         model's input columns in model order */

  /* Binder-internal kinds: they stand for aggregate calls, OVER calls and
   * window bounds while a SELECT is bound and are replaced by COLUMN
   * references to the AGGREGATE or OVER relation before the statement is
   * returned.  No bound statement contains them. */
  SL_BEXPR_AGG_REF,    /* u.ref: index in the aggregate's calls */
  SL_BEXPR_OVER_REF,   /* u.ref: index in the OVER relation's calls */
  SL_BEXPR_WINDOW_REF  /* u.ref: 0 WINDOW_START, 1 WINDOW_END */
} sl_bexpr_kind;

typedef enum sl_bexpr_op {
  SL_OP_NONE = 0,
  /* unary */
  SL_OP_NEG,
  SL_OP_PLUS,
  SL_OP_NOT,
  /* arithmetic: integer and DOUBLE operands have the result type; DECIMAL
   * operands are each a DECIMAL of their own precision and scale and the
   * result's follows decimal.h's rules; time arithmetic (TIMESTAMP +-
   * INTERVAL, TIMESTAMP - TIMESTAMP, INTERVAL * BIGINT, DATE +- INT, DATE
   * - DATE) keeps the operand types as the binder cast them */
  SL_OP_ADD,
  SL_OP_SUB,
  SL_OP_MUL,
  SL_OP_DIV,
  SL_OP_MOD,
  SL_OP_CONCAT, /* VARCHAR || VARCHAR, BYTES || BYTES */
  /* comparison: both operands have one common type; result BOOLEAN */
  SL_OP_EQ,
  SL_OP_NE,
  SL_OP_LT,
  SL_OP_LE,
  SL_OP_GT,
  SL_OP_GE,
  /* logic (three-valued), BOOLEAN operands */
  SL_OP_AND,
  SL_OP_OR
} sl_bexpr_op;

typedef enum sl_extract_part {
  SL_EXTRACT_YEAR,
  SL_EXTRACT_QUARTER,
  SL_EXTRACT_MONTH,
  SL_EXTRACT_WEEK,       /* ISO week number */
  SL_EXTRACT_DAY,
  SL_EXTRACT_DOW,        /* ISO: Monday = 1 .. Sunday = 7 */
  SL_EXTRACT_DOY,
  SL_EXTRACT_HOUR,
  SL_EXTRACT_MINUTE,
  SL_EXTRACT_SECOND,
  SL_EXTRACT_MILLISECOND, /* 0..999 within the second */
  SL_EXTRACT_EPOCH        /* seconds since the epoch (BIGINT) */
} sl_extract_part;

struct sl_bexpr {
  sl_bexpr_kind kind;
  sl_type *type;  /* result type; never NULL after binding */
  sl_srcpos pos;  /* where the expression (or its operator) was written */
  sl_bexpr_op op; /* UNARY, BINARY */
  bool negated;   /* IS NOT NULL, NOT IN, NOT LIKE, NOT BETWEEN */
  bool implicit;  /* CAST: inserted by the binder, not written */
  int nargs;
  sl_bexpr **args;
  union {
    sl_value literal;     /* LITERAL; payload in the statement arena */
    int column;           /* COLUMN: index in the input relation */
    struct {
      int index;          /* FIELD: position in the STRUCT type */
      const char *name;
    } field;
    sl_extract_part part; /* EXTRACT */
    struct {
      const sl_func *func;    /* FUNC: the registry entry */
      const sl_func_sig *sig; /* the signature chosen; args already have
                                 its target types */
      const char *name;       /* as written, for messages */
    } call;
    struct {
      bool has_operand;   /* CASE x WHEN ...: args[0] is x */
      int nwhen;          /* then pairs follow: when, then, ... */
      bool has_else;      /* the last arg is the ELSE result */
    } case_;
    struct {
      const char *model;
      int version;        /* 0: the newest at query start */
      int log;            /* set by the executor from the persistent
                             query's WITH (prediction_log=...): 1 log,
                             -1 do not, 0 as the PREDICT provider says */
      const char *query_id; /* set by the executor: the id of the query
                               the node runs in, which its predictions
                               are counted (and with log 1 logged) under;
                               outlives the query; may be NULL */
    } predict;
    int ref;              /* AGG_REF, OVER_REF, WINDOW_REF (internal) */
  } u;
};

/* One CHECK constraint of a stream, kept apart from the others so that a
 * record that fails it can be told which one.  text is the constraint as
 * written, from the keyword through its closing parenthesis, with each
 * run of white space or comment as one space ("CHECK (qty >= 0)").
 * next is the following CHECK in declaration order, or NULL. */
struct sl_bcheck {
  sl_bexpr *cond;       /* BOOLEAN, over the stream's declared columns */
  const char *text;
  sl_bcheck *next;
};

/* ------------------------------------------------------------------ */
/* Relations: the logical plan of a query                              */
/* ------------------------------------------------------------------ */

/* One output column of a relation. */
typedef struct sl_rel_column {
  const char *name;     /* output name: alias, column name or expr_N */
  const char *source;   /* qualifier that reaches it (alias or source
                           name), or NULL */
  sl_type *type;
  bool not_null;
  bool hidden;          /* a pseudo-column (ROWTIME, ...): not part of *
                           and not written by sinks */
  bool quoted;          /* named by a "quoted identifier": a quoted
                           declaration or alias, or a quoted column passed
                           on under its name */
} sl_rel_column;

typedef enum sl_rel_kind {
  SL_REL_SCAN,      /* a stream, table or training set */
  SL_REL_VALUES,    /* constant rows (SELECT without FROM: one empty row) */
  SL_REL_FILTER,    /* WHERE or HAVING */
  SL_REL_PROJECT,   /* SELECT list */
  SL_REL_JOIN,
  SL_REL_AGGREGATE, /* GROUP BY, with or without a window */
  SL_REL_OVER,      /* LAG, ROW_NUMBER, RANK, sliding aggregates */
  SL_REL_UNION,     /* UNION ALL */
  SL_REL_LIMIT
} sl_rel_kind;

/* What kind of data a relation is.  A stream is an unbounded sequence of
 * records in event time; a table is a set of rows keyed by their key (a
 * lookup table, a materialized aggregate, a training set, constant rows).
 * A windowed aggregate over a stream is a stream with `windowed` set. */
typedef enum sl_rel_nature {
  SL_NATURE_STREAM,
  SL_NATURE_TABLE
} sl_rel_nature;

typedef enum sl_scan_kind {
  SL_SCAN_STREAM,
  SL_SCAN_TABLE,        /* a lookup table or a materialized aggregate */
  SL_SCAN_TRAINING_SET
} sl_scan_kind;

/* Pseudo-columns every stream scan offers after its declared columns. */
typedef enum sl_meta_column {
  SL_META_NONE = 0,
  SL_META_ROWTIME,      /* TIMESTAMP: the Kafka record timestamp */
  SL_META_ROWPARTITION, /* INT */
  SL_META_ROWOFFSET     /* BIGINT */
} sl_meta_column;

typedef enum sl_join_kind {
  SL_JOIN_INNER,
  SL_JOIN_LEFT,
  SL_JOIN_RIGHT,
  SL_JOIN_FULL
} sl_join_kind;

typedef enum sl_join_strategy {
  SL_JOIN_LOOKUP,   /* stream x lookup table: current row for the key */
  SL_JOIN_TEMPORAL, /* stream x versioned table FOR SYSTEM_TIME AS OF */
  SL_JOIN_INTERVAL, /* stream x stream WITHIN */
  SL_JOIN_WINDOW    /* windowed x windowed on key and window bounds */
} sl_join_strategy;

typedef enum sl_window_kind {
  SL_WINDOW_NONE = 0,
  SL_WINDOW_TUMBLING,
  SL_WINDOW_HOPPING,
  SL_WINDOW_SESSION
} sl_window_kind;

typedef struct sl_window_spec {
  sl_window_kind kind;
  int64_t size_ms;     /* TUMBLING, HOPPING; else 0 */
  int64_t advance_ms;  /* HOPPING; TUMBLING: == size_ms; SESSION: 0 */
  int64_t gap_ms;      /* SESSION; else 0 */
  int64_t grace_ms;    /* GRACE PERIOD, default 0 */
  sl_srcpos pos;
} sl_window_spec;

typedef enum sl_emit_mode {
  SL_EMIT_DEFAULT = 0, /* none written: the planner's default */
  SL_EMIT_CHANGES,
  SL_EMIT_FINAL
} sl_emit_mode;

/* One aggregate call of an AGGREGATE, or the function of a sliding OVER
 * aggregate. */
typedef struct sl_agg_call {
  const sl_func *func;     /* registry entry (kind AGGREGATE or WINDOW) */
  const sl_func_sig *sig;  /* the signature chosen */
  const char *name;        /* as written */
  int nargs;
  sl_bexpr **args;         /* over the aggregate's (or OVER's) input,
                              already cast to the signature's types */
  bool distinct;           /* COUNT(DISTINCT x) */
  bool star;               /* COUNT(*): nargs 0 */
  sl_type *type;           /* result type */
  sl_srcpos pos;
} sl_agg_call;

typedef enum sl_over_kind {
  SL_OVER_LAG,
  SL_OVER_ROW_NUMBER,
  SL_OVER_RANK,
  SL_OVER_AGGREGATE        /* COUNT/SUM/AVG/MIN/MAX/STDDEV over a RANGE */
} sl_over_kind;

typedef struct sl_over_call {
  sl_over_kind kind;
  sl_agg_call agg;         /* the function and its arguments; LAG:
                              args[0] is the value */
  int64_t lag_offset;      /* LAG n (default 1) */
  sl_bexpr *lag_default;   /* LAG default, cast to the value's type; or
                              NULL (NULL) */
  bool has_range;
  int64_t range_ms;        /* RANGE BETWEEN INTERVAL x PRECEDING */
  int npartition;
  sl_bexpr **partition_by; /* over the OVER relation's input */
  int norder;
  sl_bexpr **order_by;     /* over the input; LAG and RANGE aggregates:
                              one TIMESTAMP (the event time) */
  bool *order_desc;        /* norder flags */
  const char *window_name; /* OVER w: the named window, else NULL */
  sl_srcpos pos;
} sl_over_call;

struct sl_rel {
  sl_rel_kind kind;
  sl_srcpos pos;
  int ncolumns;
  sl_rel_column *columns;  /* the relation's output schema */
  sl_rel *input;           /* FILTER, PROJECT, AGGREGATE, OVER, LIMIT */

  /* Properties the planner needs without walking the tree. */
  sl_rel_nature nature;
  bool windowed;           /* a windowed aggregate, or derived from one */
  int event_time;          /* column holding the event time, or -1 (a
                              stream's records still carry it; tables
                              have none) */
  int window_start;        /* WINDOW_START column of a windowed result,
                              or -1 (not windowed or projected away) */
  int window_end;          /* WINDOW_END column, or -1 */

  union {
    struct {
      sl_scan_kind kind;
      const sl_catalog_object *object; /* owned by the statement */
      const char *name;      /* object name */
      const char *alias;     /* or NULL */
      int ndeclared;         /* declared columns come first */
      sl_meta_column *meta;  /* ncolumns entries: SL_META_NONE if real */
      int event_time_column; /* declared column index, or -1: the Kafka
                                timestamp (ROWTIME) */
      int64_t out_of_order_ms; /* WATERMARK FOR delay */
      bool versioned;        /* a table with versioned=true */
      sl_bexpr *check;       /* a stream's CHECKs ANDed over its
                                declared columns, or NULL: the whole
                                constraint, sharing its nodes with
                                checks */
      sl_bcheck *checks;     /* the same CHECKs one by one, or NULL */
    } scan;
    struct {
      int nrows;
      sl_bexpr ***rows;      /* nrows rows of ncolumns constants */
    } values;
    struct {
      sl_bexpr *predicate;   /* BOOLEAN, over input's columns */
      bool having;
    } filter;
    struct {
      int nexprs;            /* == ncolumns */
      sl_bexpr **exprs;      /* over input's columns */
    } project;
    struct {
      sl_join_kind kind;
      sl_join_strategy strategy;
      sl_rel *left;
      sl_rel *right;         /* output: left columns then right columns */
      sl_bexpr *condition;   /* the full ON condition, over the output */
      int nkeys;             /* equality pairs taken from ON (>= 1) */
      sl_bexpr **left_keys;  /* over left's columns */
      sl_bexpr **right_keys; /* over right's columns, same types */
      int64_t within_before_ms; /* INTERVAL: a.ts - before <= b.ts */
      int64_t within_after_ms;  /*           b.ts <= a.ts + after */
      int64_t grace_ms;      /* GRACE PERIOD of the join, default 0 */
      sl_bexpr *as_of;       /* TEMPORAL: TIMESTAMP over left's columns */
    } join;
    struct {
      int ngroup;
      sl_bexpr **group_by;   /* over input's columns */
      int naggs;
      sl_agg_call *aggs;
      sl_window_spec window; /* kind NONE without a window */
      sl_emit_mode emit;
      /* output: ngroup group columns, then WINDOW_START, WINDOW_END
       * (TIMESTAMP) when windowed, then one column per aggregate call */
    } aggregate;
    struct {
      int ncalls;
      sl_over_call *calls;   /* output: input columns, then one a call */
    } over;
    struct {
      int ninputs;
      sl_rel **inputs;       /* same column types, in order; names are
                                the first input's */
    } union_;
    struct {
      int64_t count;
    } limit;
  } u;
};

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

typedef enum sl_bstmt_kind {
  SL_BSTMT_CREATE_STREAM,      /* declared columns, or AS query */
  SL_BSTMT_CREATE_TABLE,       /* lookup table, or AS aggregate query */
  SL_BSTMT_CREATE_TRAINING_SET,
  SL_BSTMT_CREATE_MODEL,
  SL_BSTMT_CREATE_FUNCTION,
  SL_BSTMT_INSERT_QUERY,       /* INSERT INTO s SELECT ... */
  SL_BSTMT_INSERT_VALUES,
  SL_BSTMT_LOAD,
  SL_BSTMT_COPY,
  SL_BSTMT_EVALUATE,
  SL_BSTMT_DROP,
  SL_BSTMT_SHOW,
  SL_BSTMT_DESCRIBE,
  SL_BSTMT_EXPLAIN,
  SL_BSTMT_TERMINATE,
  SL_BSTMT_SET,
  SL_BSTMT_UNSET,
  SL_BSTMT_PRINT,
  SL_BSTMT_QUERY               /* transient push or pull query */
} sl_bstmt_kind;

/* The type of an option's value. */
typedef enum sl_option_type {
  SL_OPTION_STRING,
  SL_OPTION_INTEGER,   /* number holds it */
  SL_OPTION_BOOLEAN,   /* number is 0 or 1 */
  SL_OPTION_NUMBER,    /* real holds it */
  SL_OPTION_INTERVAL   /* number holds milliseconds */
} sl_option_type;

/* A validated WITH option: the name is known for the statement kind and
 * the value has the option's type.  Options written come first in the
 * order written, then the defaults the conventions give (defaulted). */
typedef struct sl_bound_option {
  const char *name;
  sl_option_type type;
  const char *text;    /* the value as text: a string's contents, or the
                          number, boolean (true/false) or interval in ms */
  int64_t number;      /* INTEGER, BOOLEAN, INTERVAL */
  double real;         /* NUMBER (also set for INTEGER) */
  bool defaulted;      /* not written: a default (a session property may
                          override it where the conventions say so) */
  sl_srcpos pos;       /* of the option name; the statement when
                          defaulted */
} sl_bound_option;

/* A declared column of CREATE STREAM / CREATE TABLE, the columns a
 * persistent query writes, or a model's input columns. */
typedef struct sl_bound_column {
  const char *name;
  sl_type *type;
  bool not_null;
  bool primary_key;    /* table key (CREATE TABLE ... AS: a group key) */
  bool quoted;         /* named by a "quoted identifier" (sl_rel_column) */
  sl_srcpos pos;
} sl_bound_column;

typedef enum sl_feature_transform {
  SL_FEATURE_PLAIN = 0,  /* the expression's value */
  SL_FEATURE_STANDARDIZE,
  SL_FEATURE_ONE_HOT,
  SL_FEATURE_BUCKETIZE
} sl_feature_transform;

typedef struct sl_bound_feature {
  const char *name;        /* AS name, else the column's name, else
                              expr_N */
  sl_bexpr *expr;          /* over the training set's columns (the
                              transform's argument for transforms) */
  sl_feature_transform transform;
  int nedges;              /* BUCKETIZE: ascending bucket edges */
  double *edges;
  sl_srcpos pos;
} sl_bound_feature;

typedef struct sl_bound_stmt sl_bound_stmt;

struct sl_bound_stmt {
  sl_bstmt_kind kind;
  sl_srcpos pos;
  const char *sql;          /* the statement's text as written (no ';') */
  sl_arena arena;           /* owns everything below */
  bool if_not_exists;
  bool if_exists;
  bool exists;              /* CREATE: the object exists already with
                               this definition, or IF NOT EXISTS met it:
                               the statement creates nothing (a query of
                               an equal definition resumes) */

  sl_catalog_kind object_kind; /* CREATE, DROP, DESCRIBE, LOAD, COPY,
                                  INSERT: the kind of `name` */
  const char *name;         /* the object created, dropped, described,
                               loaded, copied, inserted into, ... */
  int ncolumns;
  sl_bound_column *columns; /* CREATE STREAM/TABLE: declared columns, or
                               the query's output columns for AS, CREATE
                               TRAINING SET; INSERT: the target's */
  sl_bexpr *check;          /* CHECK (condition) over the columns; several
                               CHECKs are ANDed */
  int key_column;           /* key='col' or PRIMARY KEY; -1 none */
  int timestamp_column;     /* event time: WATERMARK FOR or timestamp=;
                               -1: the Kafka record timestamp */
  int watermark_column;     /* WATERMARK FOR: index, or -1 */
  int64_t out_of_order_ms;  /* WATERMARK FOR col AS col - x */
  int noptions;
  sl_bound_option *options; /* WITH (...) and defaults */

  sl_rel *query;            /* AS query, INSERT query, transient query,
                               training set query, model source (FROM ts
                               [WHERE]), EVALUATE rows */
  sl_emit_mode emit;
  int64_t limit;            /* -1: none */

  /* INSERT VALUES: nrows rows of nvalues constant expressions, already
   * cast to the target columns; target_columns[i] is the index in the
   * target's columns of value i.  Columns not given are NULL. */
  int nrows;
  int nvalues;
  sl_bexpr ***rows;
  int *target_columns;
  /* INSERT VALUES and LOAD into a stream: its CHECKs over its declared
   * columns (column i of a condition is a row's value i).  INSERT's rows
   * must all pass them before any is written; a LOAD record that breaks
   * one follows the LOAD's error policy. */
  sl_bcheck *checks;

  /* CREATE MODEL */
  const char *model_type;   /* "xgboost", "logistic_regression",
                               "linear_regression" */
  int nfeatures;
  sl_bound_feature *features;
  sl_bexpr *label;          /* over the training set's columns */
  const char *model_file;   /* FROM FILE */
  const char *training_set; /* FROM ts; EVALUATE ON ts */
  int ninputs;
  sl_bound_column *inputs;  /* the columns the features read, in the
                               order of first use: what PREDICT(m) takes
                               by name and PREDICT(m, v...) by position */

  /* EVALUATE: models and versions (0: every version) */
  int nmodels;
  const char **models;
  int *model_versions;

  /* CREATE FUNCTION */
  bool aggregate_function;
  int nparams;
  sl_type **param_types;
  sl_type *return_type;
  const char *language;     /* "c" */
  const char *library;
  const char *symbol;       /* NULL: the function's name */

  /* LOAD, COPY (file path), PRINT (topic) */
  const char *path;
  bool from_beginning;

  /* SHOW: what is listed ("streams", "tables", "training sets", ...);
   * SET/UNSET: the property in `what`, its value in `value` */
  const char *what;
  const char *value;

  /* DROP ... DELETE TOPIC; TERMINATE ALL */
  bool delete_topic;
  bool all;

  /* EXPLAIN: the statement explained, or a query id in `name` */
  sl_bound_stmt *explained;

  /* What the statement reads: objects (streams, tables, training sets,
   * models) and user functions, sorted, without duplicates. */
  int ndeps;
  const char **deps;
  int nfunction_deps;
  const char **function_deps;

  /* Catalog objects the scans point at, and heap types, freed with the
   * statement. */
  int nobjects;
  int objects_cap;
  sl_catalog_object **objects;
  int ntypes;
  int types_cap;
  sl_type **types;
};

/* Frees a bound statement and everything it owns. Accepts NULL. */
void sl_bound_stmt_free(sl_bound_stmt *stmt);

/* Writes a stable, indented text form of stmt: the statement, its
 * columns, options with defaults, and every relation of its plan with
 * output columns, types and expressions, two spaces per level, ending in
 * a newline.  Returns a malloc'd string the caller frees, or NULL when
 * out of memory. */
char *sl_bound_dump_string(const sl_bound_stmt *stmt);

/* The same text written to f.  Returns SL_OK, SL_ERR_NOMEM or SL_ERR_IO
 * (err filled). */
sl_status sl_bound_dump(const sl_bound_stmt *stmt, FILE *f, sl_error *err);

/* Writes one expression in the dump's form ("amount#1 > 0") into a
 * malloc'd string, or NULL when out of memory.  rel (may be NULL) names
 * the columns the expression's COLUMN indexes refer to. */
char *sl_bexpr_to_string(const sl_bexpr *expr, const sl_rel *rel);

/* Names of enum values, as the dump prints them. */
const char *sl_bstmt_kind_name(sl_bstmt_kind kind); /* "CREATE STREAM" */
const char *sl_join_strategy_name(sl_join_strategy s); /* "lookup" */
const char *sl_window_kind_name(sl_window_kind kind);  /* "tumbling" */
const char *sl_emit_mode_name(sl_emit_mode mode);      /* "changes" */

/* True when rel's result may hold rows that withdraw rows it emitted
 * before: an aggregation with a SESSION window whose emit mode (dflt
 * where the statement wrote none) is CHANGES passes its rows to rel's
 * output through filters, projections, LIMIT and UNION ALL only.  A
 * merged or extended session replaces the rows of the sessions it
 * covers (engine/ops/window_agg.h).  Rows that go through another
 * stateful operator (a join, a further aggregation, OVER) withdraw
 * nothing: that operator sees the added rows only.  With agg not NULL,
 * true only when agg is such an aggregation. */
bool sl_rel_withdraws(const sl_rel *rel, const sl_rel *agg,
                      sl_emit_mode dflt);

/* The option called name (exact) of stmt, or NULL. */
const sl_bound_option *sl_bound_option_get(const sl_bound_stmt *stmt,
                                           const char *name);

#endif /* SLUICE_BOUND_H */
