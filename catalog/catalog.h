/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog.h - the catalog of everything a Sluice instance has declared.
 *
 * Streams, lookup tables, training sets, models (with their versions),
 * functions and persistent queries live in one SQLite database per engine
 * instance: a file (`--catalog PATH`), ":memory:", or a temporary file
 * (path NULL or "") for the embedded broker.  The binder resolves names
 * here, SHOW and DESCRIBE read from here, and a restart brings every
 * definition back from here.
 *
 * Names are case-sensitive and compared as stored: the parser folds
 * unquoted identifiers to lower case before they reach the catalog.
 * Streams, tables, training sets and models share one namespace; functions
 * and query ids have their own.
 *
 * Objects handed to the catalog are copied; objects handed back are fresh
 * heap copies that the caller frees with the matching *_free function, so
 * nothing returned is invalidated by a later DDL statement.  Every call
 * may be made from any thread: the handle serializes its own use of the
 * database connection.
 */
#ifndef SLUICE_CATALOG_H
#define SLUICE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/types.h"

typedef struct sl_catalog sl_catalog;
typedef struct sqlite3 sqlite3;

/* The schema version this program writes.  Older catalogs are migrated
 * forward on open; newer ones are refused. */
#define SL_CATALOG_SCHEMA_VERSION 3

typedef enum sl_catalog_kind {
  SL_CATALOG_STREAM = 0,
  SL_CATALOG_TABLE,
  SL_CATALOG_TRAINING_SET,
  SL_CATALOG_MODEL,
  SL_CATALOG_FUNCTION,
  SL_CATALOG_QUERY
} sl_catalog_kind;

/* How a create went, for statements that may meet an existing object. */
typedef enum sl_catalog_outcome {
  SL_CATALOG_CREATED = 0,  /* a new object */
  SL_CATALOG_UNCHANGED,    /* an equal definition existed: a no-op */
  SL_CATALOG_SKIPPED,      /* IF NOT EXISTS met an existing object */
  SL_CATALOG_UPDATED       /* an existing model took the new definition */
} sl_catalog_outcome;

typedef struct sl_catalog_column {
  char *name;
  sl_type *type;     /* owned */
  bool not_null;
  bool primary_key;
  int position;      /* 0-based, the index in the object's column array */
  bool quoted;       /* declared as a "quoted identifier": record fields
                        match its name exactly, not ignoring case */
} sl_catalog_column;

typedef struct sl_catalog_option {
  char *name;        /* snake_case, as written in WITH (...) */
  char *value;       /* the value's text, without SQL quotes */
} sl_catalog_option;

/* A stream, table, training set or model.  Every pointer is owned by the
 * object and freed by sl_catalog_object_free. */
typedef struct sl_catalog_object {
  sl_catalog_kind kind;
  char *name;
  int ncolumns;
  sl_catalog_column *columns;
  int key_column;          /* stream key or first PRIMARY KEY; -1 none */
  int timestamp_column;    /* event-time column; -1: the record time */
  char *timestamp_format;  /* NULL: iso8601 */
  char *watermark;         /* WATERMARK FOR expression text; NULL none */
  int noptions;
  sl_catalog_option *options; /* in the order written */
  char *sql;               /* the original statement text */
  int64_t created_ms;      /* set by the catalog on create */
  int ndeps;
  char **deps;             /* objects this one reads, sorted by name */
  int nfunction_deps;
  char **function_deps;    /* user functions it calls, sorted */
  char *storage;           /* SQLite table of a table or training set's
                              rows; chosen by the catalog on create */
  bool builtin;            /* provided by Sluice (prediction_log) */
} sl_catalog_object;

/* A user-defined C function (CREATE [AGGREGATE] FUNCTION). */
typedef struct sl_catalog_function {
  char *name;
  int nargs;
  sl_type **args;          /* owned */
  sl_type *returns;        /* owned */
  bool aggregate;
  char *library;           /* path of the shared library, as written */
  char *symbol;            /* the symbol bound; defaults to name */
  char *sql;
  int64_t created_ms;
} sl_catalog_function;

typedef enum sl_catalog_query_state {
  SL_QUERY_RUNNING = 0,
  SL_QUERY_TERMINATED,
  SL_QUERY_FAILED
} sl_catalog_query_state;

/* A source position: the next offset to read (Kafka commit semantics). */
typedef struct sl_catalog_offset {
  char *topic;
  int32_t partition;
  int64_t offset;
} sl_catalog_offset;

typedef struct sl_catalog_counters {
  int64_t records_in;
  int64_t records_out;
  int64_t records_failed;
  int64_t records_late;
} sl_catalog_counters;

/* A persistent query: CREATE ... AS SELECT, INSERT INTO ... SELECT or
 * CREATE TRAINING SET. */
typedef struct sl_catalog_query {
  char *id;
  char *sql;
  char *sink;              /* the object written; NULL for none */
  sl_catalog_query_state state;
  char *error;             /* why a failed query failed; else NULL */
  int64_t created_ms;
  int64_t updated_ms;      /* last state or progress change */
  int ndeps;
  char **deps;             /* objects read, sorted */
  int nfunction_deps;
  char **function_deps;
  int noffsets;
  sl_catalog_offset *offsets;  /* sorted by topic, partition */
  sl_catalog_counters counters;
} sl_catalog_query;

/* One trained version of a model. */
typedef struct sl_catalog_model_version {
  char *model;
  int version;             /* 1, 2, ...; assigned by add_version */
  char *training_set;
  int64_t rows;            /* training rows */
  char *params;            /* JSON text of the training parameters */
  char *metrics;           /* JSON text of the holdout metrics */
  char *sql;               /* the CREATE MODEL that trained it */
  int64_t trained_ms;      /* when training finished (ms since epoch) */
  int64_t training_ms;     /* how long training took */
  void *blob;              /* the serialized model; NULL when listed */
  size_t blob_len;
} sl_catalog_model_version;

/* ---- Opening ---------------------------------------------------------- */

/* Opens (creating when missing) the catalog at path: a file name,
 * ":memory:", or NULL/"" for a temporary file removed on close.  Sets WAL
 * mode, a 5 s busy timeout, foreign keys, synchronous=NORMAL,
 * memory-mapped reads and a 64 MiB page cache, and migrates an older
 * schema forward.  A catalog written by a newer program fails
 * with a message naming the file and both versions.  On success *out is
 * the new handle, closed with sl_catalog_close. */
sl_status sl_catalog_open(const char *path, sl_catalog **out, sl_error *err);

/* Closes the database.  Every lookup handle and state store opened on it
 * must be closed first.  Accepts NULL. */
void sl_catalog_close(sl_catalog *cat);

/* The path given to open ("" for a temporary catalog). */
const char *sl_catalog_path(const sl_catalog *cat);

/* The schema version of the open database (SL_CATALOG_SCHEMA_VERSION once
 * open has migrated it). */
int sl_catalog_schema_version(sl_catalog *cat);

/* The connection, for modules that keep their own tables in the catalog
 * file.  Use it between sl_catalog_begin and sl_catalog_commit (or
 * rollback) so that other threads' writes do not interleave. */
sqlite3 *sl_catalog_sqlite(sl_catalog *cat);

/* A transaction (or, nested, a savepoint).  begin takes the handle's
 * lock, which commit and rollback release: keep transactions short. */
sl_status sl_catalog_begin(sl_catalog *cat, sl_error *err);
sl_status sl_catalog_commit(sl_catalog *cat, sl_error *err);
void sl_catalog_rollback(sl_catalog *cat);

/* ---- Building objects ------------------------------------------------- */

/* "stream", "table", "training set", "model", "function", "query". */
const char *sl_catalog_kind_name(sl_catalog_kind kind);

/* A new empty object with copies of name and sql (sql may be NULL).
 * Returns NULL when out of memory.  key_column and timestamp_column start
 * at -1. */
sl_catalog_object *sl_catalog_object_new(sl_catalog_kind kind,
                                         const char *name, const char *sql);

/* Appends a column; the object takes ownership of type, also on failure.
 * PRIMARY KEY columns are NOT NULL, and the first of them becomes the
 * key_column.  The column starts quoted unless its name is plain
 * (sl_catalog_name_plain); a caller that knows a plain name was written
 * in double quotes sets quoted afterwards. */
sl_status sl_catalog_object_add_column(sl_catalog_object *obj,
                                       const char *name, sl_type *type,
                                       bool not_null, bool primary_key,
                                       sl_error *err);

/* Appends a WITH option (copied). */
sl_status sl_catalog_object_add_option(sl_catalog_object *obj,
                                       const char *name, const char *value,
                                       sl_error *err);

/* Records that obj reads the object name, or calls the user function
 * name.  Duplicates are ignored; the lists stay sorted. */
sl_status sl_catalog_object_add_dep(sl_catalog_object *obj, const char *name,
                                    sl_error *err);
sl_status sl_catalog_object_add_function_dep(sl_catalog_object *obj,
                                             const char *name,
                                             sl_error *err);

/* Makes column the stream's key (key='col'). */
sl_status sl_catalog_object_set_key(sl_catalog_object *obj,
                                    const char *column, sl_error *err);

/* Makes column the event-time column, read with format (NULL: iso8601;
 * else epoch_ms, epoch_s or a strftime pattern). */
sl_status sl_catalog_object_set_timestamp(sl_catalog_object *obj,
                                          const char *column,
                                          const char *format,
                                          sl_error *err);

/* Records the WATERMARK FOR expression text (copied; NULL clears). */
sl_status sl_catalog_object_set_watermark(sl_catalog_object *obj,
                                          const char *expr, sl_error *err);

/* True when name is a plain lower-case identifier: not empty, not
 * starting with a digit, only a-z, 0-9 and '_'.  Other names (upper
 * case, blanks, punctuation) were written quoted, except that bytes above
 * ASCII may appear in unquoted identifiers too. */
bool sl_catalog_name_plain(const char *name);

/* The index of the column called name (exact), or -1. */
int sl_catalog_object_column(const sl_catalog_object *obj, const char *name);

/* The Kafka topic of a stream or table: its `topic` option, else its
 * name.  Owned by obj. */
const char *sl_catalog_object_topic(const sl_catalog_object *obj);

/* The value of option name (exact), or NULL. */
const char *sl_catalog_object_option(const sl_catalog_object *obj,
                                     const char *name);

/* True when option name is "true" or "1" (any case). */
bool sl_catalog_object_option_true(const sl_catalog_object *obj,
                                   const char *name);

/* True when a and b define the same object: kind, name, columns (names,
 * types, NOT NULL, keys), key, timestamp column and format, watermark,
 * options in order, dependencies, and the SQL text compared with runs of
 * white space and comments outside quotes collapsed and a final ';'
 * dropped.  Creation time and storage are not compared, nor whether
 * columns are quoted: the SQL text says that. */
bool sl_catalog_object_same_definition(const sl_catalog_object *a,
                                       const sl_catalog_object *b);

/* A deep copy, or NULL when out of memory. */
sl_catalog_object *sl_catalog_object_clone(const sl_catalog_object *obj);

void sl_catalog_object_free(sl_catalog_object *obj);

/* Frees an array from a list call and its objects. */
void sl_catalog_object_list_free(sl_catalog_object **objs, int n);

/* ---- Objects ---------------------------------------------------------- */

/* Creates obj (copied).  When the name is taken: with if_not_exists the
 * outcome is SKIPPED; an equal definition of the same kind is UNCHANGED
 * (and takes obj's quoted flags, which a catalog migrated from before
 * they were stored may lack);
 * an existing model of a MODEL create takes the new definition (UPDATED,
 * its versions kept); anything else fails naming the object.  A table
 * gets its SQLite storage in the same transaction.  outcome may be NULL.
 * User errors (duplicate, reserved name, missing dependency, malformed
 * definition) are SL_ERR_SQL without a location. */
sl_status sl_catalog_create(sl_catalog *cat, const sl_catalog_object *obj,
                            bool if_not_exists, sl_catalog_outcome *outcome,
                            sl_error *err);

/* Looks name up in the object namespace.  *out is a new copy (free with
 * sl_catalog_object_free), or NULL when there is no such object (still
 * SL_OK). */
sl_status sl_catalog_get(sl_catalog *cat, const char *name,
                         sl_catalog_object **out, sl_error *err);

/* The objects of one kind, sorted by name, builtins excluded.  *out is a
 * new array of *n new objects (free with sl_catalog_object_list_free). */
sl_status sl_catalog_list(sl_catalog *cat, sl_catalog_kind kind,
                          sl_catalog_object ***out, int *n, sl_error *err);

/* Drops the object (or, with kind FUNCTION, the function) called name.
 * Refuses, naming every dependant, while another object or a running
 * query reads it or a running query writes it, and while a lookup handle
 * has it open; refuses a name of another kind; a missing name is an
 * error unless if_exists.  A table's storage,
 * a model's versions and the terminated queries writing the object go
 * with it.  *dropped (may be NULL) tells whether anything was dropped. */
sl_status sl_catalog_drop(sl_catalog *cat, sl_catalog_kind kind,
                          const char *name, bool if_exists, bool *dropped,
                          sl_error *err);

/* ---- Functions -------------------------------------------------------- */

/* A new function with copies of the strings; returns takes ownership of
 * returns (freed on failure too).  Arguments follow with add_arg.  symbol
 * NULL means name. */
sl_catalog_function *sl_catalog_function_new(const char *name,
                                             sl_type *returns,
                                             bool aggregate,
                                             const char *library,
                                             const char *symbol,
                                             const char *sql);

/* Appends an argument type; takes ownership of type, also on failure. */
sl_status sl_catalog_function_add_arg(sl_catalog_function *fn,
                                      sl_type *type, sl_error *err);

/* Writes "name(T1, T2) RETURNS T" (AGGREGATE first when it is one) into
 * buf; returns buf. */
char *sl_catalog_function_signature(const sl_catalog_function *fn,
                                    char *buf, size_t size);

void sl_catalog_function_free(sl_catalog_function *fn);
void sl_catalog_function_list_free(sl_catalog_function **fns, int n);

/* Registers fn (copied), with the same outcomes as sl_catalog_create:
 * an equal signature, library and symbol is UNCHANGED. */
sl_status sl_catalog_function_create(sl_catalog *cat,
                                     const sl_catalog_function *fn,
                                     bool if_not_exists,
                                     sl_catalog_outcome *outcome,
                                     sl_error *err);

/* *out is a new copy, or NULL when there is no such function. */
sl_status sl_catalog_function_get(sl_catalog *cat, const char *name,
                                  sl_catalog_function **out, sl_error *err);

/* Every function, sorted by name. */
sl_status sl_catalog_function_list(sl_catalog *cat,
                                   sl_catalog_function ***out, int *n,
                                   sl_error *err);

/* ---- Persistent queries ----------------------------------------------- */

/* A new RUNNING query with copies of id, sql and sink (may be NULL). */
sl_catalog_query *sl_catalog_query_new(const char *id, const char *sql,
                                       const char *sink);

/* Records a dependency of the query (duplicates ignored). */
sl_status sl_catalog_query_add_dep(sl_catalog_query *q, const char *name,
                                   sl_error *err);
sl_status sl_catalog_query_add_function_dep(sl_catalog_query *q,
                                            const char *name,
                                            sl_error *err);

void sl_catalog_query_free(sl_catalog_query *q);
void sl_catalog_query_list_free(sl_catalog_query **qs, int n);

/* Records a new persistent query in q's state.  An existing id with the
 * same SQL (normalized as for objects), sink and dependencies is
 * UNCHANGED, and its record (state, offsets, counters) is kept: the
 * caller resumes it.  A different one fails naming the query.  Every
 * dependency and the sink must exist. */
sl_status sl_catalog_query_create(sl_catalog *cat, const sl_catalog_query *q,
                                  sl_catalog_outcome *outcome,
                                  sl_error *err);

/* *out is a new copy, or NULL when there is no such query. */
sl_status sl_catalog_query_get(sl_catalog *cat, const char *id,
                               sl_catalog_query **out, sl_error *err);

/* Every query, sorted by id. */
sl_status sl_catalog_query_list(sl_catalog *cat, sl_catalog_query ***out,
                                int *n, sl_error *err);

/* Sets the state; error is the failure text for FAILED (else ignored). */
sl_status sl_catalog_query_set_state(sl_catalog *cat, const char *id,
                                     sl_catalog_query_state state,
                                     const char *error, sl_error *err);

/* Records the source positions and counters a query has reached: each
 * offset given replaces the one stored for its topic and partition;
 * counters (may be NULL) replace the stored ones. */
sl_status sl_catalog_query_save_progress(sl_catalog *cat, const char *id,
                                         const sl_catalog_offset *offsets,
                                         int noffsets,
                                         const sl_catalog_counters *counters,
                                         sl_error *err);

/* Removes a query that is not running, with its progress. */
sl_status sl_catalog_query_delete(sl_catalog *cat, const char *id,
                                  sl_error *err);

/* "running", "terminated", "failed". */
const char *sl_catalog_query_state_name(sl_catalog_query_state state);

/* ---- Model versions --------------------------------------------------- */

/* Stores a new version of model v->model (which must be a MODEL); the
 * version number is one more than the newest.  v's version field is
 * ignored; *version (may be NULL) receives the number given. */
sl_status sl_catalog_model_add_version(sl_catalog *cat,
                                       const sl_catalog_model_version *v,
                                       int *version, sl_error *err);

/* One version with its blob; version 0 means the newest.  *out is a new
 * copy, or NULL when the model has no such version. */
sl_status sl_catalog_model_get_version(sl_catalog *cat, const char *model,
                                       int version,
                                       sl_catalog_model_version **out,
                                       sl_error *err);

/* Every version of model, oldest first, without blobs. */
sl_status sl_catalog_model_list_versions(sl_catalog *cat, const char *model,
                                         sl_catalog_model_version ***out,
                                         int *n, sl_error *err);

void sl_catalog_model_version_free(sl_catalog_model_version *v);
void sl_catalog_model_version_list_free(sl_catalog_model_version **vs,
                                        int n);

/* ---- Prediction log and settings -------------------------------------- */

/* Appends one row to the prediction_log table: the query and model
 * version that scored, the feature vector as JSON text, the score and the
 * row's event time (ms).  The builtin table object "prediction_log"
 * (VARCHAR query, VARCHAR model, INT version, VARCHAR features, DOUBLE
 * score, TIMESTAMP event_time, TIMESTAMP logged_at) makes it queryable. */
sl_status sl_catalog_log_prediction(sl_catalog *cat, const char *query,
                                    const char *model, int version,
                                    const char *features, double score,
                                    int64_t event_ms, sl_error *err);

/* Instance settings kept in the catalog (a generated secret, say).
 * *value is a malloc'd copy, or NULL when unset. */
sl_status sl_catalog_setting_get(sl_catalog *cat, const char *name,
                                 char **value, sl_error *err);
sl_status sl_catalog_setting_set(sl_catalog *cat, const char *name,
                                 const char *value, sl_error *err);

#endif /* SLUICE_CATALOG_H */
