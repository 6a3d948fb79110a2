/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.h - the planner: a bound query (sl_rel) becomes a physical plan, a
 * DAG of operators that the runtime instantiates once per task.
 *
 * sl_plan_build copies the logical plan into its own memory, rewrites it,
 * and chooses operators:
 *   - constants are folded (an expression without columns that can be
 *     evaluated is replaced by its value; a filter that is always TRUE
 *     disappears);
 *   - filters move below projections (the predicate rewritten over the
 *     projection's input), into every input of a UNION ALL, and into the
 *     side of a lookup join they reference (a predicate on the table's
 *     columns of an INNER join is checked on the looked-up row), and
 *     adjacent filters merge;
 *   - a projection over a projection merges when that duplicates no
 *     computation;
 *   - columns no operator reads are pruned, down to the decoders, which
 *     then materialize only the fields the query uses (every declared
 *     column is still validated: pruning skips work, never checks);
 *   - CTEs and subqueries arrive inlined from the binder;
 *   - windows, aggregation, stream and temporal joins, OVER and top-N
 *     become SL_PNODE_STATEFUL nodes (plan_stateful.h): filters stop at
 *     them and their inputs keep what they read.
 * The physical plan notes each operator's output columns and types, its
 * keys, its partitioning and the state it keeps; sl_plan_explain prints
 * it (with live counters for a running query).
 *
 * A plan owns everything it points to (expressions, types, record
 * schemas, names), so the bound statement may be freed once the plan is
 * built.  A plan is immutable after building and may be instantiated by
 * several tasks at once.
 */
#ifndef SLUICE_PLAN_H
#define SLUICE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/format/schema.h"
#include "engine/ops/errors.h"
#include "engine/ops/sink_callback.h"
#include "engine/ops/source.h"
#include "engine/plan/plan_stateful.h"
#include "engine/types/strbuf.h"
#include "parser/bound.h"
#include "udf/registry.h"

typedef enum sl_pnode_kind {
  SL_PNODE_SOURCE = 0,
  SL_PNODE_FILTER,
  SL_PNODE_PROJECT,
  SL_PNODE_UNION,
  SL_PNODE_LOOKUP_JOIN,
  SL_PNODE_LIMIT,
  SL_PNODE_SINK_KAFKA,
  SL_PNODE_SINK_CALLBACK,
  SL_PNODE_SINK_TABLE,   /* rows appended to a training set (SQLite) */
  SL_PNODE_STATEFUL,     /* windows, grouped aggregation, stream joins,
                            OVER, top-N (plan_stateful.h) */
  SL_PNODE_SINK_REPARTITION /* rows re-keyed into an internal topic
                               (engine/ops/repartition.h) */
} sl_pnode_kind;

/* An output column of a physical operator. */
typedef struct sl_pcolumn {
  const char *name;
  sl_type *type;       /* owned by the plan */
  bool hidden;         /* ROWTIME & co.: never written by sinks */
} sl_pcolumn;

typedef struct sl_pnode sl_pnode;

struct sl_pnode {
  sl_pnode_kind kind;
  int id;                /* index in the plan's nodes */
  sl_srcpos pos;         /* where the relation was written */
  int ninputs;
  sl_pnode **inputs;     /* port i is fed by inputs[i] */
  int ncols;
  sl_pcolumn *cols;
  /* A stateful node (plan_partition.c): how its rows are partitioned
   * as EXPLAIN says it, when the plan has keyed_state ("by key k of
   * topic t, state per partition"), else why it keeps one state
   * ("single task, all partitions (x is not the record key of topic
   * t)"); the other is NULL. */
  const char *keyed_by;
  const char *single_why;

  union {
    struct {
      const char *stream;        /* the stream's name */
      const char *topic;
      sl_source_format format;
      char delimiter;
      sl_record_schema *schema;  /* owned; needed flags set by pruning */
      int *col_map;              /* per output column: decoded column */
      int64_t out_of_order_ms;
      int64_t idle_timeout_ms;
      sl_error_policy policy;
      const char *dlq_topic;     /* or NULL */
      const char *start;         /* the stream's start option, or NULL */
      sl_bcheck *check;          /* the stream's CHECKs in declaration
                                    order, or NULL */
      int event_time;            /* declared column, or -1: ROWTIME */
      /* A repartition topic's reader (format SL_SOURCE_INTERNAL): its
       * one input is the writer, which it does not read from but
       * through Kafka; EXPLAIN shows the writer below it. */
      bool internal;
    } source;
    struct {
      sl_bexpr *predicate;
    } filter;
    struct {
      int nexprs;                /* == ncols */
      sl_bexpr **exprs;
    } project;
    struct {
      const char *table;
      bool left_outer;
      int nkeys;
      sl_bexpr **left_keys;      /* over the input, in key order */
      const char **key_names;    /* the table's key columns */
      int ntable;
      sl_pcolumn *table_cols;    /* the table's columns */
      sl_bexpr *right_filter;    /* over the table's columns, or NULL */
      int nright;
      sl_bexpr **right_exprs;    /* over the table's columns, or NULL */
      sl_bexpr *residual;        /* over the output, or NULL */
    } lookup;
    struct {
      int64_t count;
    } limit;
    struct {
      const char *stream;
      const char *topic;
      sl_source_format format;
      char delimiter;
      int ncols;                 /* columns written */
      int *cols;                 /* input column of each; -1 for op_col */
      int key_col;               /* among the written, or -1 */
      sl_record_key_format key_format;
      int nkeys;                 /* a table's key columns: with more than
                                    one, the record key is a JSON object
                                    of them (sink_kafka.h) */
      int *key_cols;             /* nkeys written columns, in order */
      int op_col;                /* written column saying '+' or '-' for
                                    a withdrawal (a stream), or -1 */
      bool tombstones;           /* a withdrawal is a tombstone (a table) */
      int partitions;            /* -1: as the first source's topic */
      int replicas;              /* -1: as the first source's topic */
    } sink;
    struct {
      sl_sink_rows_fn fn;
      void *ud;
    } callback;
    struct {
      const char *name;          /* the training set */
      int ncols;                 /* columns written (== node ncols) */
      int *cols;                 /* input column of each */
      bool *hashed;              /* per written column: depersonalized */
      const char *secret;        /* key of the hashes, or NULL */
      size_t secret_len;
    } table;
    /* Port i is fed by inputs[i]; the output columns are the
     * relation's (a top-N: the OVER's, a projection stacked above). */
    sl_plan_stateful stateful;
    struct {
      const char *topic;         /* _sluice-<service>-<query>-
                                    repartition-<n> */
      int nkeys;
      sl_bexpr **keys;           /* over the input: the key written */
      const char *key_text;      /* the keys as EXPLAIN shows them */
      int partitions;            /* of the topic; -1: as the source's
                                    (the runtime sets it at start) */
      int upstream;              /* partitions of the source's topic (set
                                    by the runtime at start) */
      const sl_pnode *source;    /* the source whose partitions the
                                    writer's records list */
      const sl_pnode *peer;      /* a join's other side's source: -1
                                    partitions then mean the larger of
                                    the two topics' counts; else NULL */
    } repart;
  } u;
};

typedef struct sl_plan sl_plan;

struct sl_plan {
  sl_arena arena;           /* nodes, expressions, names */
  char *query_id;
  bool persistent;
  bool bounded;             /* read to the end offsets at start */
  int64_t max_task_idle_ms; /* how long a task reading several partitions
                               waits for one with nothing buffered
                               before going on without it (unbounded
                               runs); <= 0: 500 ms */
  bool withdrawals;         /* rows reaching the sink may withdraw rows
                               sent before (sl_batch_row.withdrawal: a
                               SESSION window with EMIT CHANGES, see
                               sl_rel_withdraws); a transient query's
                               output then has a last column op */
  bool stateful;            /* some operator keeps state in the query's
                               store (the runtime then opens, restores
                               and checkpoints it) */
  bool keyed_state;         /* every stateful operator reads rows
                               partitioned by its key (a source keyed by
                               it, or a repartition topic): its state is
                               kept per source partition and moves with
                               it; otherwise one state holds them all;
                               see plan_partition.c) */
  /* With keyed_state: pairs of topics (a join's two sides) that must
   * have the same partition count, so that partition p of both holds
   * the same keys.  The runtime checks them at query start and, when
   * the counts differ, clears keyed_state before any task runs. */
  int ncopartitioned;
  const char *(*copartitioned)[2];
  /* Repartition topics the plan writes and reads (their writers are
   * SL_PNODE_SINK_REPARTITION nodes, their readers internal sources). */
  int nrepartitions;
  int nnodes;
  sl_pnode **nodes;         /* inputs before the nodes that read them */
  sl_pnode *root;           /* the sink */
  int nsources;
  sl_pnode **sources;
  /* Owned heap types and record schemas. */
  int ntypes;
  int types_cap;
  sl_type **types;
  struct sl_plan_schemas *schemas; /* private: sources' record schemas */
};

typedef enum sl_plan_sink_kind {
  SL_PLAN_SINK_STREAM = 0, /* records of a stream's topic */
  SL_PLAN_SINK_CALLBACK,   /* rows to a function (transient queries) */
  SL_PLAN_SINK_TABLE       /* rows appended to a training set's SQLite
                              table, in one transaction per batch */
} sl_plan_sink_kind;

typedef struct sl_plan_request {
  const sl_rel *query;      /* the bound query */
  const char *query_id;     /* copied */
  bool persistent;          /* a group consumer and commits */
  bool bounded;             /* --bounded, or a SELECT without EMIT */
  const char *file;         /* the script, for error positions */
  sl_catalog *catalog;      /* lookup tables' definitions */
  int64_t limit;            /* LIMIT n of a transient query, or -1 */

  sl_plan_sink_kind sink;
  /* SL_PLAN_SINK_STREAM: the stream written (CREATE STREAM AS: the new
   * object; INSERT INTO: the existing one).  Its columns take the
   * query's output columns by position (cast when the types differ). */
  const sl_catalog_object *stream;
  int64_t idle_timeout_ms;  /* SET 'idle.timeout' for sources whose stream
                               sets none; <= 0: 10 s */
  int64_t max_task_idle_ms; /* SET 'max.task.idle' (sl_plan's); <= 0: the
                               default */
  int partitions;           /* of a topic to create; -1: as the source */
  int replicas;             /* -1: as the source */
  /* SL_PLAN_SINK_TABLE: stream is the training set (a training set given
   * with SL_PLAN_SINK_STREAM gets this sink too).  Its columns take the
   * query's output columns by position, cast like a stream's; those its
   * depersonalize option names must be VARCHAR and are stored as the
   * lower-case hex HMAC-SHA256 of their value under secret (copied;
   * required when the option is set). */
  const char *secret;
  size_t secret_len;
  /* The service (--service) that names internal topics; NULL:
   * "sluice".  The runtime names them again with its own at start. */
  const char *service;
  /* SL_PLAN_SINK_CALLBACK */
  sl_sink_rows_fn fn;
  void *ud;
} sl_plan_request;

/* Sets n->keyed_by (EXPLAIN's partitioning) of a stateful node that
 * reads repartition topics from the keys and topics of their writers,
 * allocated in plan's arena: the runtime calls it after naming the
 * topics with its service.  Nodes with no internal input are left as
 * they are.  Returns SL_OK or SL_ERR_NOMEM. */
sl_status sl_plan_repart_text(sl_plan *plan, sl_pnode *n);

/* The key format of a stream's catalog entry: its key_format option
 * ('string' when absent), or SL_RECORD_KEY_NONE without a key column.
 * SL_ERR_SQL names the stream for a value other than 'string' or
 * 'json'. */
sl_status sl_plan_key_format(const sl_catalog_object *obj,
                             sl_record_key_format *out, sl_error *err);

/* The record schema of a stream's or table's catalog entry: the declared
 * columns (quoted ones matched exactly), the event-time column and its
 * timestamp_format, the key column and its key format.  On success *out
 * is new and the caller's (sl_record_schema_free); otherwise SL_ERR_SQL
 * for a declaration the codecs refuse or SL_ERR_NOMEM, with err set. */
sl_status sl_plan_stream_schema(const sl_catalog_object *obj,
                                sl_record_schema **out, sl_error *err);

/* Builds the physical plan of req->query.  What this engine cannot run
 * (a shape the stateful operators refuse, a query without FROM) fails
 * with SL_ERR_SQL at the relation's position.  On success *out is owned by
 * the caller (sl_plan_free). */
sl_status sl_plan_build(const sl_plan_request *req, sl_plan **out,
                        sl_error *err);

void sl_plan_free(sl_plan *plan);

/* Live counters of one node, for EXPLAIN of a running query. */
typedef struct sl_plan_counters {
  int64_t records_in;
  int64_t records_out;
  int64_t records_failed;
  int64_t records_late;
} sl_plan_counters;

/* Gives the counters of node id summed over a query's tasks; returns
 * false when there are none. */
typedef bool (*sl_plan_counters_fn)(void *ud, int node,
                                    sl_plan_counters *out);

/* Appends the indented tree of the plan to out: each operator with its
 * output columns and types, its keys, partitioning and state, and, when
 * counters is given, its live counters.  Returns SL_OK or
 * SL_ERR_NOMEM. */
sl_status sl_plan_explain(const sl_plan *plan, sl_plan_counters_fn counters,
                          void *ud, sl_strbuf *out);

/* The name of a node kind as EXPLAIN prints it ("Filter"). */
const char *sl_pnode_kind_name(sl_pnode_kind kind);

/* Writes an expression over the given columns in SQL form into out
 * (implicit casts omitted). */
sl_status sl_plan_expr_text(const sl_bexpr *e, int ncols,
                            const sl_pcolumn *cols, sl_strbuf *out);

#endif /* SLUICE_PLAN_H */
