/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog_internal.h - what the catalog's own files share and nobody else
 * sees: the handle's layout, its lock, SQLite plumbing, the schema
 * migrations, the hooks by which creating and dropping a table reach its
 * storage, and the conversion of values to and from SQLite columns.
 */
#ifndef SLUICE_CATALOG_INTERNAL_H
#define SLUICE_CATALOG_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "catalog/catalog.h"
#include "engine/common/arena.h"
#include "engine/types/value.h"

typedef struct sl_lookup sl_lookup;

struct sl_catalog {
  sqlite3 *db;
  char *path;               /* as given; "" for a temporary catalog */
  pthread_mutex_t mu;       /* recursive: public calls and transactions */
  int tx_depth;             /* open sl_catalog_begin levels */
  sl_lookup *lookups;       /* open lookup handles, for invalidation */
  int nstates;              /* open state stores */
  sqlite3_stmt *log_stmt;   /* prediction_log insert, prepared lazily */
};

void sl_catalog_lock(sl_catalog *cat);
void sl_catalog_unlock(sl_catalog *cat);

/* Fills err with SL_ERR_RUNTIME: "catalog PATH: WHAT: <sqlite message>". */
sl_status sl_catalog_db_error(sl_catalog *cat, sl_error *err,
                              const char *fmt, ...) SL_PRINTF(3, 4);

/* Runs SQL without results. */
sl_status sl_catalog_exec(sl_catalog *cat, const char *sql, sl_error *err);

/* Prepares one statement; on failure *stmt is NULL. */
sl_status sl_catalog_prepare(sl_catalog *cat, const char *sql,
                             sqlite3_stmt **stmt, sl_error *err);

/* Binds a possibly NULL C string as text. */
int sl_catalog_bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* A malloc'd copy of column col's text, or NULL for SQL NULL. */
char *sl_catalog_column_text(sqlite3_stmt *stmt, int col);

/* Milliseconds since the epoch, wall clock. */
int64_t sl_catalog_now_ms(void);

/* Applies every migration the database lacks (schema.c).  A database
 * newer than the program fails naming path and both versions. */
sl_status sl_catalog_migrate(sl_catalog *cat, sl_error *err);

/* The schema version the database holds; 0 for an empty database. */
sl_status sl_catalog_read_version(sl_catalog *cat, int *version,
                                  sl_error *err);

/* Storage hooks (lookup.c), called inside the catalog's transaction:
 * create the SQLite table of a new table or training set, drop it, and
 * tell whether a lookup handle has it open. */
sl_status sl_lookup_create_storage(sl_catalog *cat,
                                   const sl_catalog_object *obj,
                                   sl_error *err);
sl_status sl_lookup_drop_storage(sl_catalog *cat,
                                 const sl_catalog_object *obj,
                                 sl_error *err);
bool sl_lookup_in_use(sl_catalog *cat, const char *name);

/* Removes every cached row of the lookup handles open on table name, or
 * on every table when name is NULL (after a rolled-back transaction). */
void sl_lookup_invalidate_table(sl_catalog *cat, const char *name);

/* Removes a query's persisted state (state.c), inside a transaction. */
sl_status sl_state_delete_query(sl_catalog *cat, const char *query_id,
                                sl_error *err);

/* Writes a query's offsets and counters; shared by save_progress and the
 * state store's checkpoint.  Runs inside the caller's transaction. */
sl_status sl_catalog_write_progress(sl_catalog *cat, const char *id,
                                    const sl_catalog_offset *offsets,
                                    int noffsets,
                                    const sl_catalog_counters *counters,
                                    sl_error *err);

/* ---- Values in SQLite columns (sqlvalue.c) ---------------------------- */

/* The SQLite storage class a Sluice type is kept in: "INTEGER" for
 * BOOLEAN, INT, BIGINT, DATE, TIMESTAMP, INTERVAL; "REAL" for DOUBLE;
 * "TEXT" for DECIMAL (exact digits), VARCHAR and the composites (JSON);
 * "BLOB" for BYTES. */
const char *sl_catalog_storage_class(const sl_type *type);

/* Casts v to type when its kind (or DECIMAL scale) differs, then binds it
 * to parameter idx.  Memory for the cast comes from scratch; SQLite copies
 * what it binds.  A value that does not convert fails with SL_ERR_RECORD
 * (reason "type" or "overflow"). */
sl_status sl_catalog_bind_value(sqlite3_stmt *stmt, int idx,
                                const sl_value *v, const sl_type *type,
                                sl_arena *scratch, sl_error *err);

/* Reads column col of the current row as a value of type, copying
 * variable-length data into arena. */
sl_status sl_catalog_read_value(sqlite3_stmt *stmt, int col,
                                const sl_type *type, sl_arena *arena,
                                sl_value *out, sl_error *err);

/* Writes "name" with embedded quotes doubled into buf (SQL identifier
 * quoting); returns false when buf is too small. */
bool sl_catalog_quote_ident(const char *name, char *buf, size_t size);

#endif /* SLUICE_CATALOG_INTERNAL_H */
