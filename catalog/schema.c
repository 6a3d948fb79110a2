/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.c - the catalog's tables and their migrations.
 *
 * The schema is an ordered list of migrations, each a list of SQL steps.
 * sluice_schema_version holds one row per migration applied; a database
 * at version N gets migrations N+1 .. SL_CATALOG_SCHEMA_VERSION, each in
 * its own transaction with its version row, so a crash leaves the
 * database at a whole version.  Migrations are never edited once
 * released: a change to the schema is a new migration at the end.
 *
 * Catalog tables are named sluice_*; user tables and training sets live
 * beside them under their own names (see lookup.c), and prediction_log is
 * the builtin table of served predictions.
 */
#include "catalog/catalog_internal.h"

#include <stdio.h>
#include <string.h>

#include "engine/common/log.h"

/* Version 1: the definitions of streams, tables, training sets, models,
 * functions and persistent queries. */
static const char *const migration_1[] = {
  "CREATE TABLE sluice_objects ("
  "  name TEXT PRIMARY KEY,"
  "  kind TEXT NOT NULL,"
  "  key_column TEXT,"
  "  timestamp_column TEXT,"
  "  timestamp_format TEXT,"
  "  watermark TEXT,"
  "  sql TEXT NOT NULL,"
  "  created_ms INTEGER NOT NULL)",
  "CREATE TABLE sluice_columns ("
  "  object TEXT NOT NULL"
  "    REFERENCES sluice_objects(name) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  type TEXT NOT NULL,"
  "  not_null INTEGER NOT NULL,"
  "  primary_key INTEGER NOT NULL,"
  "  PRIMARY KEY (object, position))",
  "CREATE TABLE sluice_options ("
  "  object TEXT NOT NULL"
  "    REFERENCES sluice_objects(name) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  name TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  PRIMARY KEY (object, position))",
  "CREATE TABLE sluice_dependencies ("
  "  object TEXT NOT NULL"
  "    REFERENCES sluice_objects(name) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  PRIMARY KEY (object, name))",
  "CREATE TABLE sluice_functions ("
  "  name TEXT PRIMARY KEY,"
  "  signature TEXT NOT NULL,"
  "  returns TEXT NOT NULL,"
  "  aggregate INTEGER NOT NULL,"
  "  library TEXT NOT NULL,"
  "  symbol TEXT NOT NULL,"
  "  sql TEXT NOT NULL,"
  "  created_ms INTEGER NOT NULL)",
  "CREATE TABLE sluice_function_args ("
  "  function TEXT NOT NULL"
  "    REFERENCES sluice_functions(name) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  type TEXT NOT NULL,"
  "  PRIMARY KEY (function, position))",
  "CREATE TABLE sluice_queries ("
  "  id TEXT PRIMARY KEY,"
  "  sql TEXT NOT NULL,"
  "  sink TEXT,"
  "  state TEXT NOT NULL,"
  "  error TEXT,"
  "  created_ms INTEGER NOT NULL)",
  "CREATE TABLE sluice_query_dependencies ("
  "  query TEXT NOT NULL"
  "    REFERENCES sluice_queries(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  PRIMARY KEY (query, name))",
  NULL
};

/* Version 2: storage names for tables, dependencies on functions, query
 * progress, model versions, the state store, settings and the
 * prediction log.  The dependency tables are rebuilt because their key
 * gains the kind of what is depended on. */
static const char *const migration_2[] = {
  "ALTER TABLE sluice_objects ADD COLUMN storage TEXT",
  "UPDATE sluice_objects SET storage = name"
  "  WHERE kind IN ('table', 'training set')",

  "CREATE TABLE sluice_dependencies_v2 ("
  "  object TEXT NOT NULL"
  "    REFERENCES sluice_objects(name) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  PRIMARY KEY (object, kind, name))",
  "INSERT INTO sluice_dependencies_v2 (object, kind, name)"
  "  SELECT object, 'object', name FROM sluice_dependencies",
  "DROP TABLE sluice_dependencies",
  "ALTER TABLE sluice_dependencies_v2 RENAME TO sluice_dependencies",

  "CREATE TABLE sluice_query_dependencies_v2 ("
  "  query TEXT NOT NULL"
  "    REFERENCES sluice_queries(id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  PRIMARY KEY (query, kind, name))",
  "INSERT INTO sluice_query_dependencies_v2 (query, kind, name)"
  "  SELECT query, 'object', name FROM sluice_query_dependencies",
  "DROP TABLE sluice_query_dependencies",
  "ALTER TABLE sluice_query_dependencies_v2"
  "  RENAME TO sluice_query_dependencies",

  "ALTER TABLE sluice_queries ADD COLUMN updated_ms INTEGER",
  "UPDATE sluice_queries SET updated_ms = created_ms",
  "ALTER TABLE sluice_queries"
  "  ADD COLUMN records_in INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sluice_queries"
  "  ADD COLUMN records_out INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sluice_queries"
  "  ADD COLUMN records_failed INTEGER NOT NULL DEFAULT 0",
  "ALTER TABLE sluice_queries"
  "  ADD COLUMN records_late INTEGER NOT NULL DEFAULT 0",
  "CREATE TABLE sluice_query_offsets ("
  "  query TEXT NOT NULL"
  "    REFERENCES sluice_queries(id) ON DELETE CASCADE,"
  "  topic TEXT NOT NULL,"
  "  partition INTEGER NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  PRIMARY KEY (query, topic, partition)) WITHOUT ROWID",

  "CREATE TABLE sluice_model_versions ("
  "  model TEXT NOT NULL"
  "    REFERENCES sluice_objects(name) ON DELETE CASCADE,"
  "  version INTEGER NOT NULL,"
  "  training_set TEXT,"
  "  rows INTEGER NOT NULL,"
  "  params TEXT,"
  "  metrics TEXT,"
  "  sql TEXT,"
  "  trained_ms INTEGER NOT NULL,"
  "  training_ms INTEGER NOT NULL,"
  "  blob BLOB,"
  "  PRIMARY KEY (model, version))",

  "CREATE TABLE sluice_state_checkpoints ("
  "  query TEXT NOT NULL,"
  "  id INTEGER NOT NULL,"
  "  created_ms INTEGER NOT NULL,"
  "  entries INTEGER NOT NULL,"
  "  PRIMARY KEY (query, id))",
  "CREATE TABLE sluice_state_entries ("
  "  query TEXT NOT NULL,"
  "  operator TEXT NOT NULL,"
  "  partition INTEGER NOT NULL,"
  "  key BLOB NOT NULL,"
  "  value BLOB NOT NULL,"
  "  PRIMARY KEY (query, operator, partition, key)) WITHOUT ROWID",
  "CREATE TABLE sluice_state_offsets ("
  "  query TEXT NOT NULL,"
  "  topic TEXT NOT NULL,"
  "  partition INTEGER NOT NULL,"
  "  position INTEGER NOT NULL,"
  "  checkpoint INTEGER NOT NULL,"
  "  PRIMARY KEY (query, topic, partition)) WITHOUT ROWID",

  "CREATE TABLE sluice_settings ("
  "  name TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL)",

  "CREATE TABLE prediction_log ("
  "  query TEXT,"
  "  model TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  features TEXT,"
  "  score REAL,"
  "  event_time INTEGER,"
  "  logged_at INTEGER NOT NULL)",
  NULL
};

/* Version 3: whether each column was declared as a quoted identifier
 * (record fields then match its name exactly).  Columns stored before
 * keep matching as they did: quoted unless the name is plain
 * (sl_catalog_name_plain). */
static const char *const migration_3[] = {
  "ALTER TABLE sluice_columns ADD COLUMN quoted INTEGER NOT NULL DEFAULT 0",
  "UPDATE sluice_columns SET quoted = 1"
  "  WHERE name = '' OR name GLOB '[0-9]*' OR name GLOB '*[^a-z0-9_]*'",
  NULL
};

static const char *const *const migrations[] = {
  migration_1,
  migration_2,
  migration_3,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
                   SL_CATALOG_SCHEMA_VERSION,
               "one migration per schema version");

static const char *path_name(const sl_catalog *cat) {
  return cat->path[0] ? cat->path : "(temporary)";
}

sl_status sl_catalog_read_version(sl_catalog *cat, int *version,
                                  sl_error *err) {
  sqlite3_stmt *stmt = NULL;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT (SELECT count(*) FROM sqlite_master"
      "         WHERE name = 'sluice_schema_version'),"
      "       (SELECT count(*) FROM sqlite_master WHERE type = 'table')",
      &stmt, err);
  if (rc)
    return rc;
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    rc = sl_catalog_db_error(cat, err, "reading the schema");
    sqlite3_finalize(stmt);
    return rc;
  }
  int has_version = sqlite3_column_int(stmt, 0);
  int tables = sqlite3_column_int(stmt, 1);
  sqlite3_finalize(stmt);

  /* Tables but no version table: some other program's database. */
  if (!has_version) {
    if (tables > 0)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "%s is not a Sluice catalog (it holds tables "
                          "but no sluice_schema_version)",
                          path_name(cat));
    *version = 0;
    return SL_OK;
  }

  rc = sl_catalog_prepare(
      cat, "SELECT coalesce(max(version), 0) FROM sluice_schema_version",
      &stmt, err);
  if (rc)
    return rc;
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    rc = sl_catalog_db_error(cat, err, "reading the schema version");
    sqlite3_finalize(stmt);
    return rc;
  }
  *version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return SL_OK;
}

/* Runs one migration and records it, all in one transaction. */
static sl_status apply_migration(sl_catalog *cat, int version,
                                 sl_error *err) {
  sl_status rc = sl_catalog_exec(cat, "BEGIN IMMEDIATE", err);
  if (rc)
    return rc;

  if (version == 1)
    rc = sl_catalog_exec(cat,
                         "CREATE TABLE IF NOT EXISTS sluice_schema_version ("
                         "  version INTEGER PRIMARY KEY,"
                         "  applied_ms INTEGER NOT NULL)",
                         err);
  for (const char *const *step = migrations[version - 1]; !rc && *step;
       step++)
    rc = sl_catalog_exec(cat, *step, err);

  if (!rc) {
    char sql[128];
    snprintf(sql, sizeof(sql),
             "INSERT INTO sluice_schema_version VALUES (%d, %lld)", version,
             (long long)sl_catalog_now_ms());
    rc = sl_catalog_exec(cat, sql, err);
  }
  if (!rc)
    rc = sl_catalog_exec(cat, "COMMIT", err);
  if (rc) {
    sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
    sl_error_prefix(err, "migrating %s to schema version %d",
                    path_name(cat), version);
  }
  return rc;
}

sl_status sl_catalog_migrate(sl_catalog *cat, sl_error *err) {
  int version = 0;
  sl_status rc = sl_catalog_read_version(cat, &version, err);
  if (rc)
    return rc;

  if (version > SL_CATALOG_SCHEMA_VERSION)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "catalog %s has schema version %d, newer than "
                        "version %d that this sluice understands; use a "
                        "newer sluice or another catalog",
                        path_name(cat), version, SL_CATALOG_SCHEMA_VERSION);

  int from = version;
  for (int v = version + 1; v <= SL_CATALOG_SCHEMA_VERSION; v++) {
    rc = apply_migration(cat, v, err);
    if (rc)
      return rc;
  }
  if (from > 0 && from < SL_CATALOG_SCHEMA_VERSION)
    SL_INFO("catalog", "migrated %s from schema version %d to %d",
            path_name(cat), from, SL_CATALOG_SCHEMA_VERSION);
  return SL_OK;
}
