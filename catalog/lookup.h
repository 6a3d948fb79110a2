/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lookup.h - lookup tables and training sets: rows kept in SQLite.
 *
 * CREATE TABLE ... PRIMARY KEY makes a real SQLite table in the catalog
 * file (sl_catalog_create does it), and CREATE TRAINING SET an
 * append-only one.  A lookup handle reads and writes those rows:
 *
 *   - upsert: a row with an existing key replaces it; delete removes a
 *     key (a changelog tombstone).  Training sets append.
 *   - get: a point lookup by key through a prepared statement, behind a
 *     bounded LRU cache of rows (and of misses).  Every write through any
 *     handle of the table removes the key from the caches of all the
 *     table's handles in this process, so a lookup never sees a row older
 *     than the last write.
 *   - versioned tables (WITH (versioned=true)) keep every version of a
 *     key with the event time it holds from; get_as_of(key, ts) returns
 *     the version valid at ts (the newest with valid_from <= ts), which
 *     is what temporal joins read.  A delete is a version that says the
 *     key is absent from then on.
 *   - scan and select: pull queries over the current rows.
 *
 * Rows are arrays of the object's columns in declaration order.  Values
 * are cast to the declared column types on the way in; keys are the key
 * columns' values in key order.  A handle may be used from several
 * threads: lookups serialize on the handle, writes on the catalog.
 */
#ifndef SLUICE_LOOKUP_H
#define SLUICE_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/value.h"

typedef struct sl_lookup sl_lookup;

/* Entries the cache keeps when the caller does not say. */
#define SL_LOOKUP_CACHE_DEFAULT 10000

/* valid_from for rows that hold since the beginning of time. */
#define SL_LOOKUP_ALWAYS INT64_MIN

typedef struct sl_lookup_stats {
  int64_t hits;          /* lookups answered by the cache */
  int64_t misses;        /* lookups that went to SQLite */
  int64_t evictions;     /* entries pushed out by the size bound */
  int64_t invalidations; /* entries removed because their key changed */
  size_t entries;        /* entries cached now */
  size_t capacity;       /* the bound, in entries */
} sl_lookup_stats;

/* Called once per row of a scan, with the object's ncolumns values in
 * column order, valid only during the call.  Anything but SL_OK stops the
 * scan, which returns that status (fill err). */
typedef sl_status (*sl_lookup_row_fn)(void *ud, const sl_value *row,
                                      int ncolumns, sl_error *err);

/* Opens the table or training set called name.  cache_entries bounds the
 * cache (0 disables it).  The handle keeps its own copy of the
 * definition; close it before dropping the object or closing the
 * catalog. */
sl_status sl_lookup_open(sl_catalog *cat, const char *name,
                         size_t cache_entries, sl_lookup **out,
                         sl_error *err);

/* Accepts NULL. */
void sl_lookup_close(sl_lookup *lk);

/* The definition the handle was opened with (owned by the handle). */
const sl_catalog_object *sl_lookup_object(const sl_lookup *lk);

bool sl_lookup_versioned(const sl_lookup *lk);

/* The number of key columns (0 for a training set) and their column
 * indexes in key order. */
int sl_lookup_key_count(const sl_lookup *lk);
const int *sl_lookup_key_columns(const sl_lookup *lk);

/* Writes a row of ncolumns values.  A table replaces the row with the
 * same key (for a versioned table, the version of that key at
 * valid_from; other tables ignore valid_from); a training set appends.
 * A NULL in a NOT NULL or key column, or a value that does not convert to
 * its column's type, fails with SL_ERR_RECORD (reason "not_null" or
 * "type"/"overflow") naming the table and column. */
sl_status sl_lookup_upsert(sl_lookup *lk, const sl_value *row,
                           int64_t valid_from, sl_error *err);

/* The time a row of a versioned table holds from when the writer has no
 * event time of its own (INSERT ... VALUES, LOAD): the value of the
 * table's TIMESTAMP timestamp column when set, else SL_LOOKUP_ALWAYS. */
int64_t sl_lookup_row_valid_from(const sl_lookup *lk, const sl_value *row);

/* Removes key (the key columns' values); for a versioned table records
 * that the key is absent from valid_from on.  A missing key is no error;
 * *removed (may be NULL) tells whether a row went away (always true for
 * versioned tables, which record the absence). */
sl_status sl_lookup_delete(sl_lookup *lk, const sl_value *key,
                           int64_t valid_from, bool *removed,
                           sl_error *err);

/* The current row for key: *found and row (ncolumns values, variable
 * data in arena) when there is one.  A NULL in the key never matches. */
sl_status sl_lookup_get(sl_lookup *lk, const sl_value *key, sl_arena *arena,
                        sl_value *row, bool *found, sl_error *err);

/* The version of key valid at ts on a versioned table (on other tables,
 * the current row).  Not cached: temporal joins rarely repeat (key, ts). */
sl_status sl_lookup_get_as_of(sl_lookup *lk, const sl_value *key,
                              int64_t ts, sl_arena *arena, sl_value *row,
                              bool *found, sl_error *err);

/* Calls fn for every current row: keys in ascending order for tables,
 * insertion order for training sets. */
sl_status sl_lookup_scan(sl_lookup *lk, sl_lookup_row_fn fn, void *ud,
                         sl_error *err);

/* Like scan, restricted by an SQLite condition over the storage columns
 * (quote names with sl_lookup_quote_ident), with nparams values bound to
 * its ?1, ?2, ... parameters by their own kinds.  where NULL means all
 * rows.  For the engine's compiled WHERE clauses. */
sl_status sl_lookup_select(sl_lookup *lk, const char *where,
                           const sl_value *params, int nparams,
                           sl_lookup_row_fn fn, void *ud, sl_error *err);

/* The number of current rows. */
sl_status sl_lookup_count(sl_lookup *lk, int64_t *rows, sl_error *err);

/* Copies the cache counters. */
void sl_lookup_get_stats(sl_lookup *lk, sl_lookup_stats *out);

/* Empties the handle's cache. */
void sl_lookup_invalidate(sl_lookup *lk);

/* Writes name as a quoted SQL identifier ("a""b") into buf; returns buf,
 * or NULL when buf is too small. */
char *sl_lookup_quote_ident(const char *name, char *buf, size_t size);

#endif /* SLUICE_LOOKUP_H */
