/* SPDX-License-Identifier: Apache-2.0 */
/*
 * catalog.c - the catalog handle, object definitions and their lifecycle.
 *
 * Every definition is a few rows in the sluice_* tables (see schema.c):
 * the object row, its columns and options in order, and its dependencies.
 * Each public call takes the handle's recursive lock and does its work in
 * one transaction (a savepoint when the caller has one open), so a failed
 * statement leaves nothing half-written.  Reads rebuild a fresh object
 * from the rows; nothing is cached, so a definition handed out never
 * changes under its holder.
 *
 * Sections: the handle and its SQLite plumbing; building objects; SQL
 * normalization and equality; reading and writing object rows; create,
 * get, list and drop; functions; queries; model versions; prediction log
 * and settings.
 */
#include "catalog/catalog_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "engine/common/log.h"

#define PREDICTION_LOG "prediction_log"

/* ==== The handle and its SQLite plumbing =============================== */

void sl_catalog_lock(sl_catalog *cat) {
  pthread_mutex_lock(&cat->mu);
}

void sl_catalog_unlock(sl_catalog *cat) {
  pthread_mutex_unlock(&cat->mu);
}

static const char *cat_name(const sl_catalog *cat) {
  return cat->path[0] ? cat->path : "(temporary)";
}

sl_status sl_catalog_db_error(sl_catalog *cat, sl_error *err,
                              const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  return sl_error_set(err, SL_ERR_RUNTIME, "catalog %s: %s: %s",
                      cat_name(cat), what, sqlite3_errmsg(cat->db));
}

sl_status sl_catalog_exec(sl_catalog *cat, const char *sql, sl_error *err) {
  char *msg = NULL;
  if (sqlite3_exec(cat->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return SL_OK;
  sl_status rc = sl_error_set(err, SL_ERR_RUNTIME, "catalog %s: %s",
                              cat_name(cat), msg ? msg : "unknown error");
  sqlite3_free(msg);
  return rc;
}

sl_status sl_catalog_prepare(sl_catalog *cat, const char *sql,
                             sqlite3_stmt **stmt, sl_error *err) {
  if (sqlite3_prepare_v2(cat->db, sql, -1, stmt, NULL) == SQLITE_OK)
    return SL_OK;
  *stmt = NULL;
  return sl_catalog_db_error(cat, err, "preparing a statement");
}

int sl_catalog_bind_text(sqlite3_stmt *stmt, int idx, const char *s) {
  if (!s)
    return sqlite3_bind_null(stmt, idx);
  return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

char *sl_catalog_column_text(sqlite3_stmt *stmt, int col) {
  const unsigned char *s = sqlite3_column_text(stmt, col);
  return s ? strdup((const char *)s) : NULL;
}

int64_t sl_catalog_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Steps a statement that returns no rows, then finalizes it. */
static sl_status step_done(sl_catalog *cat, sqlite3_stmt *stmt,
                           const char *what, sl_error *err) {
  sl_status rc = SL_OK;
  if (sqlite3_step(stmt) != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "%s", what);
  sqlite3_finalize(stmt);
  return rc;
}

/* Runs a one-parameter statement that returns no rows. */
static sl_status exec_with_name(sl_catalog *cat, const char *sql,
                                const char *name, const char *what,
                                sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(cat, sql, &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, name);
  return step_done(cat, stmt, what, err);
}

/* Runs a one-parameter count query. */
static sl_status count_with_name(sl_catalog *cat, const char *sql,
                                 const char *name, int64_t *count,
                                 sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(cat, sql, &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, name);
  if (sqlite3_step(stmt) == SQLITE_ROW)
    *count = sqlite3_column_int64(stmt, 0);
  else
    rc = sl_catalog_db_error(cat, err, "counting rows");
  sqlite3_finalize(stmt);
  return rc;
}

/* Sets one pragma and checks that the connection accepted it. */
static sl_status set_pragma(sl_catalog *cat, const char *sql,
                            sl_error *err) {
  if (sqlite3_exec(cat->db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return SL_OK;
  return sl_error_set(err, SL_ERR_RUNTIME, "cannot open catalog %s: %s",
                      cat_name(cat), sqlite3_errmsg(cat->db));
}

sl_status sl_catalog_open(const char *path, sl_catalog **out,
                          sl_error *err) {
  *out = NULL;
  sl_catalog *cat = calloc(1, sizeof(*cat));
  if (!cat)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  cat->path = strdup(path ? path : "");
  if (!cat->path) {
    free(cat);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&cat->mu, &attr);
  pthread_mutexattr_destroy(&attr);

  /* The connection is serialized so that lookup handles may read from
   * several threads; writes also hold cat->mu. */
  int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(cat->path, &cat->db, flags, NULL) != SQLITE_OK) {
    sl_status rc = sl_error_set(err, SL_ERR_IO, "cannot open catalog %s: %s",
                                cat_name(cat),
                                cat->db ? sqlite3_errmsg(cat->db)
                                        : "out of memory");
    sl_catalog_close(cat);
    return rc;
  }
  sqlite3_extended_result_codes(cat->db, 1);
  sqlite3_busy_timeout(cat->db, 5000);

  /* journal_mode is the first statement that reads the file, so a file
   * that is no database fails here. */
  sl_status rc = set_pragma(cat, "PRAGMA journal_mode = WAL", err);
  if (!rc)
    rc = set_pragma(cat, "PRAGMA synchronous = NORMAL", err);
  if (!rc)
    rc = set_pragma(cat, "PRAGMA foreign_keys = ON", err);

  /* Point lookups on large tables are page reads: map the file and keep
   * a larger page cache (64 MiB) than SQLite's default 2 MiB. */
  if (!rc)
    rc = set_pragma(cat, "PRAGMA mmap_size = 1073741824", err);
  if (!rc)
    rc = set_pragma(cat, "PRAGMA cache_size = -65536", err);
  if (!rc)
    rc = sl_catalog_migrate(cat, err);
  if (rc) {
    sl_catalog_close(cat);
    return rc;
  }
  SL_DEBUG("catalog", "opened %s", cat_name(cat));
  *out = cat;
  return SL_OK;
}

void sl_catalog_close(sl_catalog *cat) {
  if (!cat)
    return;
  if (cat->lookups || cat->nstates)
    SL_ERROR("catalog", "closing %s with lookup handles or state stores "
             "still open", cat_name(cat));
  sqlite3_finalize(cat->log_stmt);
  if (cat->db)
    sqlite3_close_v2(cat->db);
  pthread_mutex_destroy(&cat->mu);
  free(cat->path);
  free(cat);
}

const char *sl_catalog_path(const sl_catalog *cat) {
  return cat->path;
}

int sl_catalog_schema_version(sl_catalog *cat) {
  int version = 0;
  sl_catalog_lock(cat);
  if (sl_catalog_read_version(cat, &version, NULL))
    version = -1;
  sl_catalog_unlock(cat);
  return version;
}

sqlite3 *sl_catalog_sqlite(sl_catalog *cat) {
  return cat->db;
}

sl_status sl_catalog_begin(sl_catalog *cat, sl_error *err) {
  sl_catalog_lock(cat);
  char sql[48];
  if (cat->tx_depth == 0)
    snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE");
  else
    snprintf(sql, sizeof(sql), "SAVEPOINT sl_%d", cat->tx_depth);
  sl_status rc = sl_catalog_exec(cat, sql, err);
  if (rc) {
    sl_catalog_unlock(cat);
    return rc;
  }
  cat->tx_depth++;
  return SL_OK;
}

sl_status sl_catalog_commit(sl_catalog *cat, sl_error *err) {
  char sql[48];
  cat->tx_depth--;
  if (cat->tx_depth == 0)
    snprintf(sql, sizeof(sql), "COMMIT");
  else
    snprintf(sql, sizeof(sql), "RELEASE sl_%d", cat->tx_depth);
  sl_status rc = sl_catalog_exec(cat, sql, err);
  if (rc) {
    /* A failed COMMIT leaves the transaction open; undo it so that the
     * connection is usable again. */
    cat->tx_depth++;
    sl_catalog_rollback(cat);
    return rc;
  }
  sl_catalog_unlock(cat);
  return SL_OK;
}

void sl_catalog_rollback(sl_catalog *cat) {
  char sql[64];
  cat->tx_depth--;
  if (cat->tx_depth == 0)
    snprintf(sql, sizeof(sql), "ROLLBACK");
  else
    snprintf(sql, sizeof(sql), "ROLLBACK TO sl_%d; RELEASE sl_%d",
             cat->tx_depth, cat->tx_depth);
  sqlite3_exec(cat->db, sql, NULL, NULL, NULL);

  /* A lookup made inside the transaction may have cached a row that is
   * now gone. */
  sl_lookup_invalidate_table(cat, NULL);
  sl_catalog_unlock(cat);
}

/* ==== Building objects ================================================= */

static const char *const kind_names[] = {
  "stream", "table", "training set", "model", "function", "query"
};

const char *sl_catalog_kind_name(sl_catalog_kind kind) {
  if ((unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]))
    return kind_names[kind];
  return "object";
}

static bool kind_from_name(const char *name, sl_catalog_kind *kind) {
  for (int k = SL_CATALOG_STREAM; k <= SL_CATALOG_MODEL; k++)
    if (name && strcmp(name, kind_names[k]) == 0) {
      *kind = (sl_catalog_kind)k;
      return true;
    }
  return false;
}

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

/* Copies a string that may be NULL; false only when out of memory. */
static bool copy_text(char **dst, const char *src) {
  *dst = dup_or_null(src);
  return !src || *dst;
}

static void names_free(char **names, int n) {
  for (int i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* Inserts name into a sorted list unless present. */
static sl_status names_add(char ***names, int *n, const char *name,
                           sl_error *err) {
  int at = 0;
  while (at < *n) {
    int c = strcmp((*names)[at], name);
    if (c == 0)
      return SL_OK;
    if (c > 0)
      break;
    at++;
  }
  char **grown = realloc(*names, (size_t)(*n + 1) * sizeof(*grown));
  if (!grown)
    return nomem(err);
  *names = grown;
  char *copy = strdup(name);
  if (!copy)
    return nomem(err);
  memmove(grown + at + 1, grown + at, (size_t)(*n - at) * sizeof(*grown));
  grown[at] = copy;
  (*n)++;
  return SL_OK;
}

static bool names_equal(char **a, int na, char **b, int nb) {
  if (na != nb)
    return false;
  for (int i = 0; i < na; i++)
    if (strcmp(a[i], b[i]) != 0)
      return false;
  return true;
}

static sl_status names_copy(char ***dst, int *ndst, char **src, int nsrc,
                            sl_error *err) {
  for (int i = 0; i < nsrc; i++) {
    sl_status rc = names_add(dst, ndst, src[i], err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_catalog_object *sl_catalog_object_new(sl_catalog_kind kind,
                                         const char *name, const char *sql) {
  sl_catalog_object *obj = calloc(1, sizeof(*obj));
  if (!obj)
    return NULL;
  obj->kind = kind;
  obj->key_column = -1;
  obj->timestamp_column = -1;
  obj->name = strdup(name ? name : "");
  if (!obj->name || !copy_text(&obj->sql, sql)) {
    sl_catalog_object_free(obj);
    return NULL;
  }
  return obj;
}

bool sl_catalog_name_plain(const char *name) {
  if (!*name || (*name >= '0' && *name <= '9'))
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
          *p == '_'))
      return false;
  return true;
}

sl_status sl_catalog_object_add_column(sl_catalog_object *obj,
                                       const char *name, sl_type *type,
                                       bool not_null, bool primary_key,
                                       sl_error *err) {
  if (sl_catalog_object_column(obj, name) >= 0) {
    sl_type_free(type);
    return sl_error_set(err, SL_ERR_SQL, "duplicate column \"%s\" in %s "
                        "\"%s\"", name, sl_catalog_kind_name(obj->kind),
                        obj->name);
  }
  sl_catalog_column *grown =
      realloc(obj->columns, (size_t)(obj->ncolumns + 1) * sizeof(*grown));
  if (!grown) {
    sl_type_free(type);
    return nomem(err);
  }
  obj->columns = grown;
  sl_catalog_column *col = &grown[obj->ncolumns];
  col->name = strdup(name);
  if (!col->name) {
    sl_type_free(type);
    return nomem(err);
  }
  col->type = type;
  col->not_null = not_null || primary_key;
  col->primary_key = primary_key;
  col->position = obj->ncolumns;
  col->quoted = !sl_catalog_name_plain(name);
  if (primary_key && obj->key_column < 0)
    obj->key_column = obj->ncolumns;
  obj->ncolumns++;
  return SL_OK;
}

sl_status sl_catalog_object_add_option(sl_catalog_object *obj,
                                       const char *name, const char *value,
                                       sl_error *err) {
  if (sl_catalog_object_option(obj, name))
    return sl_error_set(err, SL_ERR_SQL, "duplicate option \"%s\" for %s "
                        "\"%s\"", name, sl_catalog_kind_name(obj->kind),
                        obj->name);
  sl_catalog_option *grown =
      realloc(obj->options, (size_t)(obj->noptions + 1) * sizeof(*grown));
  if (!grown)
    return nomem(err);
  obj->options = grown;
  sl_catalog_option *opt = &grown[obj->noptions];
  opt->name = strdup(name);
  opt->value = strdup(value ? value : "");
  if (!opt->name || !opt->value) {
    free(opt->name);
    free(opt->value);
    return nomem(err);
  }
  obj->noptions++;
  return SL_OK;
}

sl_status sl_catalog_object_add_dep(sl_catalog_object *obj, const char *name,
                                    sl_error *err) {
  return names_add(&obj->deps, &obj->ndeps, name, err);
}

sl_status sl_catalog_object_add_function_dep(sl_catalog_object *obj,
                                             const char *name,
                                             sl_error *err) {
  return names_add(&obj->function_deps, &obj->nfunction_deps, name, err);
}

static sl_status find_column(const sl_catalog_object *obj,
                             const char *column, const char *role,
                             int *index, sl_error *err) {
  *index = sl_catalog_object_column(obj, column);
  if (*index < 0)
    return sl_error_set(err, SL_ERR_SQL, "unknown %s column \"%s\" in %s "
                        "\"%s\"", role, column,
                        sl_catalog_kind_name(obj->kind), obj->name);
  return SL_OK;
}

sl_status sl_catalog_object_set_key(sl_catalog_object *obj,
                                    const char *column, sl_error *err) {
  int index;
  sl_status rc = find_column(obj, column, "key", &index, err);
  if (!rc)
    obj->key_column = index;
  return rc;
}

sl_status sl_catalog_object_set_timestamp(sl_catalog_object *obj,
                                          const char *column,
                                          const char *format,
                                          sl_error *err) {
  int index;
  sl_status rc = find_column(obj, column, "timestamp", &index, err);
  if (rc)
    return rc;
  char *copy = NULL;
  if (!copy_text(&copy, format))
    return nomem(err);
  free(obj->timestamp_format);
  obj->timestamp_format = copy;
  obj->timestamp_column = index;
  return SL_OK;
}

sl_status sl_catalog_object_set_watermark(sl_catalog_object *obj,
                                          const char *expr, sl_error *err) {
  char *copy = NULL;
  if (!copy_text(&copy, expr))
    return nomem(err);
  free(obj->watermark);
  obj->watermark = copy;
  return SL_OK;
}

int sl_catalog_object_column(const sl_catalog_object *obj,
                             const char *name) {
  for (int i = 0; i < obj->ncolumns; i++)
    if (strcmp(obj->columns[i].name, name) == 0)
      return i;
  return -1;
}

const char *sl_catalog_object_topic(const sl_catalog_object *obj) {
  const char *topic = sl_catalog_object_option(obj, "topic");
  return topic ? topic : obj->name;
}

const char *sl_catalog_object_option(const sl_catalog_object *obj,
                                     const char *name) {
  for (int i = 0; i < obj->noptions; i++)
    if (strcmp(obj->options[i].name, name) == 0)
      return obj->options[i].value;
  return NULL;
}

/* Reads a boolean option: 1 true, 0 false or absent, -1 not a boolean. */
static int option_bool(const sl_catalog_object *obj, const char *name) {
  const char *v = sl_catalog_object_option(obj, name);
  if (!v || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
    return 0;
  if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
    return 1;
  return -1;
}

bool sl_catalog_object_option_true(const sl_catalog_object *obj,
                                   const char *name) {
  return option_bool(obj, name) == 1;
}

void sl_catalog_object_free(sl_catalog_object *obj) {
  if (!obj)
    return;
  for (int i = 0; i < obj->ncolumns; i++) {
    free(obj->columns[i].name);
    sl_type_free(obj->columns[i].type);
  }
  free(obj->columns);
  for (int i = 0; i < obj->noptions; i++) {
    free(obj->options[i].name);
    free(obj->options[i].value);
  }
  free(obj->options);
  names_free(obj->deps, obj->ndeps);
  names_free(obj->function_deps, obj->nfunction_deps);
  free(obj->name);
  free(obj->sql);
  free(obj->timestamp_format);
  free(obj->watermark);
  free(obj->storage);
  free(obj);
}

void sl_catalog_object_list_free(sl_catalog_object **objs, int n) {
  for (int i = 0; i < n; i++)
    sl_catalog_object_free(objs[i]);
  free(objs);
}

sl_catalog_object *sl_catalog_object_clone(const sl_catalog_object *obj) {
  sl_catalog_object *c = sl_catalog_object_new(obj->kind, obj->name,
                                               obj->sql);
  if (!c)
    return NULL;
  for (int i = 0; i < obj->ncolumns; i++) {
    const sl_catalog_column *col = &obj->columns[i];
    sl_type *type = sl_type_clone(col->type);
    if (!type || sl_catalog_object_add_column(c, col->name, type,
                                              col->not_null,
                                              col->primary_key, NULL))
      goto fail;
    c->columns[i].quoted = col->quoted;
  }
  for (int i = 0; i < obj->noptions; i++)
    if (sl_catalog_object_add_option(c, obj->options[i].name,
                                     obj->options[i].value, NULL))
      goto fail;
  if (names_copy(&c->deps, &c->ndeps, obj->deps, obj->ndeps, NULL) ||
      names_copy(&c->function_deps, &c->nfunction_deps, obj->function_deps,
                 obj->nfunction_deps, NULL))
    goto fail;
  if (!copy_text(&c->timestamp_format, obj->timestamp_format) ||
      !copy_text(&c->watermark, obj->watermark) ||
      !copy_text(&c->storage, obj->storage))
    goto fail;
  c->key_column = obj->key_column;
  c->timestamp_column = obj->timestamp_column;
  c->created_ms = obj->created_ms;
  c->builtin = obj->builtin;
  return c;

fail:
  sl_catalog_object_free(c);
  return NULL;
}

/* ==== SQL normalization and equality =================================== */

/* A copy of sql with comments and runs of white space outside quotes made
 * one space, trimmed, and a final ';' dropped.  NULL reads as "". */
static char *sql_normalize(const char *sql) {
  const char *s = sql ? sql : "";
  size_t n = strlen(s);
  char *out = malloc(n + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  bool space = false;
  size_t i = 0;
  while (i < n) {
    char c = s[i];
    if (c == '-' && s[i + 1] == '-') {
      while (i < n && s[i] != '\n')
        i++;
      space = true;
      continue;
    }
    if (c == '/' && s[i + 1] == '*') {
      i += 2;
      while (i < n && !(s[i] == '*' && s[i + 1] == '/'))
        i++;
      i = i < n ? i + 2 : n;
      space = true;
      continue;
    }
    if (isspace((unsigned char)c)) {
      space = true;
      i++;
      continue;
    }
    if (space && o > 0)
      out[o++] = ' ';
    space = false;
    out[o++] = s[i++];
    if (c == '\'' || c == '"') {
      /* Copy the quoted text verbatim; a doubled quote stays inside. */
      while (i < n) {
        char q = s[i];
        out[o++] = s[i++];
        if (q == c) {
          if (s[i] != c)
            break;
          out[o++] = s[i++];
        }
      }
    }
  }
  while (o > 0 && (out[o - 1] == ';' || out[o - 1] == ' '))
    o--;
  out[o] = '\0';
  return out;
}

/* Compares two statements as sql_normalize sees them. */
static bool sql_equal(const char *a, const char *b) {
  char *na = sql_normalize(a);
  char *nb = sql_normalize(b);
  bool equal = na && nb && strcmp(na, nb) == 0;
  free(na);
  free(nb);
  return equal;
}

static bool text_equal(const char *a, const char *b) {
  if (!a || !b)
    return a == b;
  return strcmp(a, b) == 0;
}

bool sl_catalog_object_same_definition(const sl_catalog_object *a,
                                       const sl_catalog_object *b) {
  if (a->kind != b->kind || strcmp(a->name, b->name) != 0 ||
      a->ncolumns != b->ncolumns || a->noptions != b->noptions ||
      a->key_column != b->key_column ||
      a->timestamp_column != b->timestamp_column ||
      !text_equal(a->timestamp_format, b->timestamp_format) ||
      !text_equal(a->watermark, b->watermark))
    return false;
  for (int i = 0; i < a->ncolumns; i++) {
    const sl_catalog_column *ca = &a->columns[i], *cb = &b->columns[i];
    if (strcmp(ca->name, cb->name) != 0 || ca->not_null != cb->not_null ||
        ca->primary_key != cb->primary_key ||
        !sl_type_equal(ca->type, cb->type))
      return false;
  }
  for (int i = 0; i < a->noptions; i++)
    if (strcmp(a->options[i].name, b->options[i].name) != 0 ||
        strcmp(a->options[i].value, b->options[i].value) != 0)
      return false;
  return names_equal(a->deps, a->ndeps, b->deps, b->ndeps) &&
         names_equal(a->function_deps, a->nfunction_deps, b->function_deps,
                     b->nfunction_deps) &&
         sql_equal(a->sql, b->sql);
}

/* ==== Reading and writing object rows ================================== */

/* The builtin table of served predictions. */
static sl_status builtin_prediction_log(sl_catalog_object **out,
                                        sl_error *err) {
  static const struct {
    const char *name;
    sl_type_kind kind;
  } cols[] = {
    {"query", SL_TYPE_VARCHAR},    {"model", SL_TYPE_VARCHAR},
    {"version", SL_TYPE_INT},      {"features", SL_TYPE_VARCHAR},
    {"score", SL_TYPE_DOUBLE},     {"event_time", SL_TYPE_TIMESTAMP},
    {"logged_at", SL_TYPE_TIMESTAMP},
  };
  sl_catalog_object *obj =
      sl_catalog_object_new(SL_CATALOG_TABLE, PREDICTION_LOG, NULL);
  if (!obj)
    return nomem(err);
  for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
    sl_status rc = sl_catalog_object_add_column(
        obj, cols[i].name, sl_type_of_kind(cols[i].kind),
        strcmp(cols[i].name, "model") == 0 ||
            strcmp(cols[i].name, "version") == 0 ||
            strcmp(cols[i].name, "logged_at") == 0,
        false, err);
    if (rc) {
      sl_catalog_object_free(obj);
      return rc;
    }
  }
  obj->storage = strdup(PREDICTION_LOG);
  if (!obj->storage) {
    sl_catalog_object_free(obj);
    return nomem(err);
  }
  obj->builtin = true;
  *out = obj;
  return SL_OK;
}

static sl_status load_columns(sl_catalog *cat, sl_catalog_object *obj,
                              sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT name, type, not_null, primary_key, quoted FROM sluice_columns"
      " WHERE object = ? ORDER BY position",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, obj->name);
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(stmt, 0);
    const char *text = (const char *)sqlite3_column_text(stmt, 1);
    sl_type *type = NULL;
    rc = sl_type_from_sql(text ? text : "", &type, err);
    if (rc) {
      sl_error_prefix(err, "catalog %s: column \"%s\" of %s \"%s\"",
                      cat_name(cat), name ? name : "",
                      sl_catalog_kind_name(obj->kind), obj->name);
      if (err)
        err->code = SL_ERR_RUNTIME;
      rc = SL_ERR_RUNTIME;
      break;
    }
    /* Keys stored from add_column already have not_null set. */
    int key_before = obj->key_column;
    rc = sl_catalog_object_add_column(obj, name ? name : "", type,
                                      sqlite3_column_int(stmt, 2) != 0,
                                      sqlite3_column_int(stmt, 3) != 0, err);
    obj->key_column = key_before;
    if (!rc)
      obj->columns[obj->ncolumns - 1].quoted =
          sqlite3_column_int(stmt, 4) != 0;
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "reading columns of \"%s\"",
                             obj->name);
  sqlite3_finalize(stmt);
  return rc;
}

static sl_status load_options(sl_catalog *cat, sl_catalog_object *obj,
                              sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT name, value FROM sluice_options WHERE object = ?"
      " ORDER BY position",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, obj->name);
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW)
    rc = sl_catalog_object_add_option(
        obj, (const char *)sqlite3_column_text(stmt, 0),
        (const char *)sqlite3_column_text(stmt, 1), err);
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "reading options of \"%s\"",
                             obj->name);
  sqlite3_finalize(stmt);
  return rc;
}

/* Reads dependency rows (kind, name) of owner from sql into two lists. */
static sl_status load_deps(sl_catalog *cat, const char *sql,
                           const char *owner, char ***deps, int *ndeps,
                           char ***fdeps, int *nfdeps, sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(cat, sql, &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, owner);
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char *kind = (const char *)sqlite3_column_text(stmt, 0);
    const char *name = (const char *)sqlite3_column_text(stmt, 1);
    if (kind && strcmp(kind, "function") == 0)
      rc = names_add(fdeps, nfdeps, name ? name : "", err);
    else
      rc = names_add(deps, ndeps, name ? name : "", err);
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "reading dependencies of \"%s\"",
                             owner);
  sqlite3_finalize(stmt);
  return rc;
}

/* Rebuilds the object called name from its rows; *out NULL if absent. */
static sl_status load_object(sl_catalog *cat, const char *name,
                             sl_catalog_object **out, sl_error *err) {
  *out = NULL;
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT kind, key_column, timestamp_column, timestamp_format,"
      "       watermark, sql, created_ms, storage"
      "  FROM sluice_objects WHERE name = ?",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, name);
  int step = sqlite3_step(stmt);
  if (step == SQLITE_DONE) {
    sqlite3_finalize(stmt);
    return SL_OK;
  }
  if (step != SQLITE_ROW) {
    rc = sl_catalog_db_error(cat, err, "reading \"%s\"", name);
    sqlite3_finalize(stmt);
    return rc;
  }

  sl_catalog_kind kind;
  const char *kind_text = (const char *)sqlite3_column_text(stmt, 0);
  if (!kind_from_name(kind_text, &kind)) {
    rc = sl_error_set(err, SL_ERR_RUNTIME, "catalog %s: \"%s\" has an "
                      "unknown kind \"%s\"", cat_name(cat), name,
                      kind_text ? kind_text : "");
    sqlite3_finalize(stmt);
    return rc;
  }
  sl_catalog_object *obj = sl_catalog_object_new(
      kind, name, (const char *)sqlite3_column_text(stmt, 5));
  char *key = NULL, *ts = NULL;
  if (!obj || !copy_text(&key, (const char *)sqlite3_column_text(stmt, 1)) ||
      !copy_text(&ts, (const char *)sqlite3_column_text(stmt, 2)) ||
      !copy_text(&obj->timestamp_format,
                 (const char *)sqlite3_column_text(stmt, 3)) ||
      !copy_text(&obj->watermark,
                 (const char *)sqlite3_column_text(stmt, 4)) ||
      !copy_text(&obj->storage,
                 (const char *)sqlite3_column_text(stmt, 7))) {
    rc = nomem(err);
    goto done;
  }
  obj->created_ms = sqlite3_column_int64(stmt, 6);

  rc = load_columns(cat, obj, err);
  if (!rc)
    rc = load_options(cat, obj, err);
  if (!rc)
    rc = load_deps(cat,
                   "SELECT kind, name FROM sluice_dependencies"
                   " WHERE object = ? ORDER BY name",
                   name, &obj->deps, &obj->ndeps, &obj->function_deps,
                   &obj->nfunction_deps, err);
  if (!rc) {
    obj->key_column = key ? sl_catalog_object_column(obj, key) : -1;
    obj->timestamp_column = ts ? sl_catalog_object_column(obj, ts) : -1;
  }

done:
  sqlite3_finalize(stmt);
  free(key);
  free(ts);
  if (rc) {
    sl_catalog_object_free(obj);
    return rc;
  }
  *out = obj;
  return SL_OK;
}

static sl_status insert_dep_rows(sl_catalog *cat, const char *sql,
                                 const char *owner, char **names, int n,
                                 const char *kind, sl_error *err) {
  for (int i = 0; i < n; i++) {
    sqlite3_stmt *stmt;
    sl_status rc = sl_catalog_prepare(cat, sql, &stmt, err);
    if (rc)
      return rc;
    sl_catalog_bind_text(stmt, 1, owner);
    sl_catalog_bind_text(stmt, 2, kind);
    sl_catalog_bind_text(stmt, 3, names[i]);
    rc = step_done(cat, stmt, "writing a dependency", err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Writes the rows below the object row: columns, options, dependencies. */
static sl_status insert_parts(sl_catalog *cat, const sl_catalog_object *obj,
                              sl_error *err) {
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < obj->ncolumns; i++) {
    const sl_catalog_column *col = &obj->columns[i];
    char type[SL_TYPE_SQL_MAX];
    sqlite3_stmt *stmt;
    rc = sl_catalog_prepare(cat,
                            "INSERT INTO sluice_columns (object,"
                            " position, name, type, not_null, primary_key,"
                            " quoted) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            &stmt, err);
    if (rc)
      break;
    sl_catalog_bind_text(stmt, 1, obj->name);
    sqlite3_bind_int(stmt, 2, i);
    sl_catalog_bind_text(stmt, 3, col->name);
    sl_catalog_bind_text(stmt, 4, sl_type_to_sql(col->type, type,
                                                 sizeof(type)));
    sqlite3_bind_int(stmt, 5, col->not_null);
    sqlite3_bind_int(stmt, 6, col->primary_key);
    sqlite3_bind_int(stmt, 7, col->quoted);
    rc = step_done(cat, stmt, "writing a column", err);
  }
  for (int i = 0; !rc && i < obj->noptions; i++) {
    sqlite3_stmt *stmt;
    rc = sl_catalog_prepare(cat,
                            "INSERT INTO sluice_options VALUES (?, ?, ?, ?)",
                            &stmt, err);
    if (rc)
      break;
    sl_catalog_bind_text(stmt, 1, obj->name);
    sqlite3_bind_int(stmt, 2, i);
    sl_catalog_bind_text(stmt, 3, obj->options[i].name);
    sl_catalog_bind_text(stmt, 4, obj->options[i].value);
    rc = step_done(cat, stmt, "writing an option", err);
  }
  static const char dep_sql[] =
      "INSERT INTO sluice_dependencies (object, kind, name) VALUES (?, ?, ?)";
  if (!rc)
    rc = insert_dep_rows(cat, dep_sql, obj->name, obj->deps, obj->ndeps,
                         "object", err);
  if (!rc)
    rc = insert_dep_rows(cat, dep_sql, obj->name, obj->function_deps,
                         obj->nfunction_deps, "function", err);
  return rc;
}

static const char *column_name_or_null(const sl_catalog_object *obj,
                                       int index) {
  return index >= 0 && index < obj->ncolumns ? obj->columns[index].name
                                             : NULL;
}

static sl_status insert_object(sl_catalog *cat, const sl_catalog_object *obj,
                               const char *storage, sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "INSERT INTO sluice_objects (name, kind, key_column, timestamp_column,"
      "  timestamp_format, watermark, sql, created_ms, storage)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, obj->name);
  sl_catalog_bind_text(stmt, 2, sl_catalog_kind_name(obj->kind));
  sl_catalog_bind_text(stmt, 3, column_name_or_null(obj, obj->key_column));
  sl_catalog_bind_text(stmt, 4,
                       column_name_or_null(obj, obj->timestamp_column));
  sl_catalog_bind_text(stmt, 5, obj->timestamp_format);
  sl_catalog_bind_text(stmt, 6, obj->watermark);
  sl_catalog_bind_text(stmt, 7, obj->sql ? obj->sql : "");
  sqlite3_bind_int64(stmt, 8, sl_catalog_now_ms());
  sl_catalog_bind_text(stmt, 9, storage);
  rc = step_done(cat, stmt, "writing an object", err);
  return rc ? rc : insert_parts(cat, obj, err);
}

/* Replaces an existing model's definition, keeping its versions. */
static sl_status replace_model(sl_catalog *cat, const sl_catalog_object *obj,
                               sl_error *err) {
  static const char *const clear[] = {
    "DELETE FROM sluice_columns WHERE object = ?",
    "DELETE FROM sluice_options WHERE object = ?",
    "DELETE FROM sluice_dependencies WHERE object = ?",
  };
  for (size_t i = 0; i < sizeof(clear) / sizeof(clear[0]); i++) {
    sl_status rc = exec_with_name(cat, clear[i], obj->name,
                                  "replacing a model", err);
    if (rc)
      return rc;
  }
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "UPDATE sluice_objects SET key_column = ?, timestamp_column = ?,"
      "  timestamp_format = ?, watermark = ?, sql = ? WHERE name = ?",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, column_name_or_null(obj, obj->key_column));
  sl_catalog_bind_text(stmt, 2,
                       column_name_or_null(obj, obj->timestamp_column));
  sl_catalog_bind_text(stmt, 3, obj->timestamp_format);
  sl_catalog_bind_text(stmt, 4, obj->watermark);
  sl_catalog_bind_text(stmt, 5, obj->sql ? obj->sql : "");
  sl_catalog_bind_text(stmt, 6, obj->name);
  rc = step_done(cat, stmt, "replacing a model", err);
  return rc ? rc : insert_parts(cat, obj, err);
}

/* ==== Create, get, list, drop ========================================== */

static bool is_composite(const sl_type *type) {
  return type->kind == SL_TYPE_ARRAY || type->kind == SL_TYPE_MAP ||
         type->kind == SL_TYPE_STRUCT || type->kind == SL_TYPE_NULL;
}

/* Checks what a definition must satisfy whatever the catalog holds. */
static sl_status validate_object(const sl_catalog_object *obj,
                                 sl_error *err) {
  const char *kind = sl_catalog_kind_name(obj->kind);
  if (obj->kind > SL_CATALOG_MODEL)
    return sl_error_set(err, SL_ERR_INTERNAL, "a %s is not created as an "
                        "object", kind);
  if (!obj->name || !obj->name[0])
    return sl_error_set(err, SL_ERR_SQL, "a %s needs a name", kind);
  if (strcmp(obj->name, PREDICTION_LOG) == 0)
    return sl_error_set(err, SL_ERR_SQL, "the name \"%s\" is reserved for "
                        "the builtin table of predictions", obj->name);
  for (int i = 0; i < obj->ncolumns; i++) {
    const sl_catalog_column *col = &obj->columns[i];
    if (!col->name[0] || !col->type)
      return sl_error_set(err, SL_ERR_SQL, "column %d of %s \"%s\" needs a "
                          "name and a type", i + 1, kind, obj->name);
    for (int j = 0; j < i; j++)
      if (strcmp(obj->columns[j].name, col->name) == 0)
        return sl_error_set(err, SL_ERR_SQL, "duplicate column \"%s\" in "
                            "%s \"%s\"", col->name, kind, obj->name);
  }
  if (obj->key_column >= obj->ncolumns ||
      obj->timestamp_column >= obj->ncolumns)
    return sl_error_set(err, SL_ERR_INTERNAL, "%s \"%s\": key or timestamp "
                        "column out of range", kind, obj->name);
  for (int i = 0; i < obj->noptions; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(obj->options[j].name, obj->options[i].name) == 0)
        return sl_error_set(err, SL_ERR_SQL, "duplicate option \"%s\" for "
                            "%s \"%s\"", obj->options[i].name, kind,
                            obj->name);
  for (int i = 0; i < obj->ndeps; i++)
    if (strcmp(obj->deps[i], obj->name) == 0)
      return sl_error_set(err, SL_ERR_SQL, "%s \"%s\" cannot read itself",
                          kind, obj->name);
  if (obj->kind != SL_CATALOG_TABLE)
    return SL_OK;

  /* A lookup table: a scalar PRIMARY KEY, and no clash with the columns
   * that versioning adds. */
  int keys = 0;
  for (int i = 0; i < obj->ncolumns; i++) {
    const sl_catalog_column *col = &obj->columns[i];
    if (!col->primary_key)
      continue;
    keys++;
    if (is_composite(col->type)) {
      char type[SL_TYPE_SQL_MAX];
      return sl_error_set(err, SL_ERR_SQL, "column \"%s\" of table \"%s\" "
                          "has type %s, which cannot be a PRIMARY KEY",
                          col->name, obj->name,
                          sl_type_to_sql(col->type, type, sizeof(type)));
    }
  }
  if (keys == 0)
    return sl_error_set(err, SL_ERR_SQL, "table \"%s\" needs a PRIMARY KEY",
                        obj->name);
  int versioned = option_bool(obj, "versioned");
  if (versioned < 0)
    return sl_error_set(err, SL_ERR_SQL, "option versioned of table \"%s\" "
                        "must be true or false, not \"%s\"", obj->name,
                        sl_catalog_object_option(obj, "versioned"));
  if (versioned &&
      (sl_catalog_object_column(obj, "sluice_valid_from") >= 0 ||
       sl_catalog_object_column(obj, "sluice_deleted") >= 0))
    return sl_error_set(err, SL_ERR_SQL, "versioned table \"%s\" cannot have "
                        "a column named sluice_valid_from or sluice_deleted",
                        obj->name);
  return SL_OK;
}

static sl_status object_exists(sl_catalog *cat, const char *name,
                               bool *exists, sl_error *err) {
  int64_t n = 0;
  sl_status rc = count_with_name(
      cat, "SELECT count(*) FROM sluice_objects WHERE name = ?", name, &n,
      err);
  *exists = n > 0 || strcmp(name, PREDICTION_LOG) == 0;
  return rc;
}

static sl_status function_exists(sl_catalog *cat, const char *name,
                                 bool *exists, sl_error *err) {
  int64_t n = 0;
  sl_status rc = count_with_name(
      cat, "SELECT count(*) FROM sluice_functions WHERE name = ?", name, &n,
      err);
  *exists = n > 0;
  return rc;
}

/* Checks that every dependency of a new object or query exists. */
static sl_status check_deps(sl_catalog *cat, const char *what,
                            char **deps, int ndeps, char **fdeps,
                            int nfdeps, sl_error *err) {
  for (int i = 0; i < ndeps; i++) {
    bool exists;
    sl_status rc = object_exists(cat, deps[i], &exists, err);
    if (rc)
      return rc;
    if (!exists)
      return sl_error_set(err, SL_ERR_SQL, "%s reads \"%s\", which does not "
                          "exist", what, deps[i]);
  }
  for (int i = 0; i < nfdeps; i++) {
    bool exists;
    sl_status rc = function_exists(cat, fdeps[i], &exists, err);
    if (rc)
      return rc;
    if (!exists)
      return sl_error_set(err, SL_ERR_SQL, "%s calls function \"%s\", which "
                          "does not exist", what, fdeps[i]);
  }
  return SL_OK;
}

static bool has_prefix_nocase(const char *s, const char *prefix) {
  return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Chooses the SQLite table name for a table or training set's rows: its
 * own name unless that is taken (SQLite names ignore ASCII case, Sluice
 * names do not) or looks like one of Sluice's or SQLite's own tables. */
static sl_status choose_storage(sl_catalog *cat, const char *name,
                                char **out, sl_error *err) {
  size_t len = strlen(name) + 32;
  char *base = malloc(len), *candidate = malloc(len);
  if (!base || !candidate) {
    free(base);
    free(candidate);
    return nomem(err);
  }
  bool reserved = has_prefix_nocase(name, "sluice_") ||
                  has_prefix_nocase(name, "sqlite_") ||
                  strcasecmp(name, PREDICTION_LOG) == 0;
  snprintf(base, len, "%s%s", reserved ? "user_" : "", name);
  snprintf(candidate, len, "%s", base);
  sl_status rc = SL_OK;
  for (int n = 2;; n++) {
    int64_t taken = 0;
    rc = count_with_name(cat,
                         "SELECT count(*) FROM sqlite_master"
                         " WHERE name = ? COLLATE NOCASE",
                         candidate, &taken, err);
    if (rc || !taken)
      break;
    snprintf(candidate, len, "%s_%d", base, n);
  }
  free(base);
  if (rc) {
    free(candidate);
    return rc;
  }
  *out = candidate;
  return SL_OK;
}

/* Stores obj's quoted flags where they differ from existing's, an equal
 * definition: a catalog migrated from schema version 2 guessed them from
 * the names, and the same SQL bound again knows them. */
static sl_status update_quoted(sl_catalog *cat,
                               const sl_catalog_object *existing,
                               const sl_catalog_object *obj, sl_error *err) {
  for (int i = 0; i < obj->ncolumns; i++) {
    if (existing->columns[i].quoted == obj->columns[i].quoted)
      continue;
    sqlite3_stmt *stmt;
    sl_status rc = sl_catalog_prepare(cat,
                                      "UPDATE sluice_columns SET quoted = ?"
                                      " WHERE object = ? AND position = ?",
                                      &stmt, err);
    if (rc)
      return rc;
    sqlite3_bind_int(stmt, 1, obj->columns[i].quoted);
    sl_catalog_bind_text(stmt, 2, obj->name);
    sqlite3_bind_int(stmt, 3, i);
    rc = step_done(cat, stmt, "writing a column", err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

static sl_status create_locked(sl_catalog *cat, const sl_catalog_object *obj,
                               bool if_not_exists,
                               sl_catalog_outcome *outcome, sl_error *err) {
  const char *kind = sl_catalog_kind_name(obj->kind);
  sl_catalog_object *existing = NULL;
  sl_status rc = load_object(cat, obj->name, &existing, err);
  if (rc)
    return rc;

  if (existing) {
    if (if_not_exists)
      *outcome = SL_CATALOG_SKIPPED;
    else if (existing->kind != obj->kind)
      rc = sl_error_set(err, SL_ERR_SQL, "cannot create %s \"%s\": a %s of "
                        "that name exists", kind, obj->name,
                        sl_catalog_kind_name(existing->kind));
    else if (obj->kind == SL_CATALOG_MODEL) {
      rc = check_deps(cat, "the model", obj->deps, obj->ndeps,
                      obj->function_deps, obj->nfunction_deps, err);
      if (!rc)
        rc = replace_model(cat, obj, err);
      *outcome = SL_CATALOG_UPDATED;
    } else if (sl_catalog_object_same_definition(existing, obj)) {
      rc = update_quoted(cat, existing, obj, err);
      *outcome = SL_CATALOG_UNCHANGED;
    } else
      rc = sl_error_set(err, SL_ERR_SQL, "%s \"%s\" already exists with a "
                        "different definition; DROP it first", kind,
                        obj->name);
    sl_catalog_object_free(existing);
    return rc;
  }

  char what[SL_ERROR_NAME_MAX + 32];
  snprintf(what, sizeof(what), "%s \"%s\"", kind, obj->name);
  rc = check_deps(cat, what, obj->deps, obj->ndeps, obj->function_deps,
                  obj->nfunction_deps, err);
  if (rc)
    return rc;

  char *storage = NULL;
  bool stored = obj->kind == SL_CATALOG_TABLE ||
                obj->kind == SL_CATALOG_TRAINING_SET;
  if (stored) {
    rc = choose_storage(cat, obj->name, &storage, err);
    if (rc)
      return rc;
  }
  rc = insert_object(cat, obj, storage, err);
  if (!rc && stored) {
    sl_catalog_object *created = NULL;
    rc = load_object(cat, obj->name, &created, err);
    if (!rc)
      rc = sl_lookup_create_storage(cat, created, err);
    sl_catalog_object_free(created);
  }
  free(storage);
  if (!rc)
    *outcome = SL_CATALOG_CREATED;
  return rc;
}

sl_status sl_catalog_create(sl_catalog *cat, const sl_catalog_object *obj,
                            bool if_not_exists, sl_catalog_outcome *outcome,
                            sl_error *err) {
  sl_catalog_outcome ignored;
  if (!outcome)
    outcome = &ignored;
  sl_status rc = validate_object(obj, err);
  if (rc)
    return rc;
  rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  rc = create_locked(cat, obj, if_not_exists, outcome, err);
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  rc = sl_catalog_commit(cat, err);
  if (!rc && *outcome == SL_CATALOG_CREATED)
    SL_DEBUG("catalog", "created %s \"%s\"", sl_catalog_kind_name(obj->kind),
             obj->name);
  return rc;
}

sl_status sl_catalog_get(sl_catalog *cat, const char *name,
                         sl_catalog_object **out, sl_error *err) {
  *out = NULL;
  sl_catalog_lock(cat);
  sl_status rc = load_object(cat, name, out, err);
  sl_catalog_unlock(cat);
  if (!rc && !*out && strcmp(name, PREDICTION_LOG) == 0)
    rc = builtin_prediction_log(out, err);
  return rc;
}

/* Reads the first column of every row of a one-parameter query. */
static sl_status select_names(sl_catalog *cat, const char *sql,
                              const char *param, char ***names, int *n,
                              sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(cat, sql, &stmt, err);
  if (rc)
    return rc;
  if (param)
    sl_catalog_bind_text(stmt, 1, param);
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
    /* Kept in the query's order, which may differ from names_add's. */
    char **grown = realloc(*names, (size_t)(*n + 1) * sizeof(*grown));
    if (!grown) {
      rc = nomem(err);
      break;
    }
    *names = grown;
    grown[*n] = sl_catalog_column_text(stmt, 0);
    if (!grown[*n]) {
      rc = nomem(err);
      break;
    }
    (*n)++;
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "listing");
  sqlite3_finalize(stmt);
  return rc;
}

sl_status sl_catalog_list(sl_catalog *cat, sl_catalog_kind kind,
                          sl_catalog_object ***out, int *n, sl_error *err) {
  *out = NULL;
  *n = 0;
  char **names = NULL;
  int nnames = 0;
  sl_catalog_lock(cat);
  sl_status rc = select_names(cat,
                              "SELECT name FROM sluice_objects"
                              " WHERE kind = ? ORDER BY name",
                              sl_catalog_kind_name(kind), &names, &nnames,
                              err);
  sl_catalog_object **objs = NULL;
  if (!rc && nnames > 0) {
    objs = calloc((size_t)nnames, sizeof(*objs));
    if (!objs)
      rc = nomem(err);
  }
  for (int i = 0; !rc && i < nnames; i++)
    rc = load_object(cat, names[i], &objs[i], err);
  sl_catalog_unlock(cat);
  if (rc) {
    sl_catalog_object_list_free(objs, nnames);
    names_free(names, nnames);
    return rc;
  }
  names_free(names, nnames);
  *out = objs;
  *n = nnames;
  return SL_OK;
}

/* Appends "kind "name"" items to a dependants message. */
static void append_item(char *buf, size_t size, int index, int total,
                        const char *kind, const char *name) {
  size_t len = strlen(buf);
  const char *sep = index == 0 ? "" : index == total - 1 ? " and " : ", ";
  snprintf(buf + len, size - len, "%s%s \"%s\"", sep, kind, name);
}

/* Fails naming every object and running query that holds name. */
static sl_status check_dependants(sl_catalog *cat, const char *kind,
                                  const char *name, bool function,
                                  sl_error *err) {
  char **objs = NULL, **queries = NULL;
  int nobjs = 0, nqueries = 0;
  sl_status rc = select_names(
      cat,
      function ? "SELECT object FROM sluice_dependencies"
                 " WHERE kind = 'function' AND name = ? ORDER BY object"
               : "SELECT object FROM sluice_dependencies"
                 " WHERE kind = 'object' AND name = ? ORDER BY object",
      name, &objs, &nobjs, err);
  if (!rc)
    rc = select_names(
        cat,
        function
            ? "SELECT id FROM sluice_queries WHERE state = 'running' AND id IN"
              " (SELECT query FROM sluice_query_dependencies"
              "   WHERE kind = 'function' AND name = ?1) ORDER BY id"
            : "SELECT id FROM sluice_queries WHERE state = 'running' AND"
              " (sink = ?1 OR id IN (SELECT query FROM"
              "   sluice_query_dependencies"
              "   WHERE kind = 'object' AND name = ?1)) ORDER BY id",
        name, &queries, &nqueries, err);
  int total = nobjs + nqueries;
  if (!rc && total > 0) {
    char list[SL_ERROR_MSG_MAX - 128] = "";
    for (int i = 0; i < nobjs; i++) {
      sl_catalog_object *dep = NULL;
      const char *dep_kind = "object";
      if (!load_object(cat, objs[i], &dep, NULL) && dep)
        dep_kind = sl_catalog_kind_name(dep->kind);
      append_item(list, sizeof(list), i, total, dep_kind, objs[i]);
      sl_catalog_object_free(dep);
    }
    for (int i = 0; i < nqueries; i++)
      append_item(list, sizeof(list), nobjs + i, total, "running query",
                  queries[i]);
    rc = sl_error_set(err, SL_ERR_SQL, "cannot drop %s \"%s\": %s %s on it",
                      kind, name, list, total == 1 ? "depends" : "depend");
  }
  names_free(objs, nobjs);
  names_free(queries, nqueries);
  return rc;
}

static sl_status drop_function_locked(sl_catalog *cat, const char *name,
                                      bool if_exists, bool *dropped,
                                      sl_error *err) {
  bool exists;
  sl_status rc = function_exists(cat, name, &exists, err);
  if (rc)
    return rc;
  if (!exists)
    return if_exists ? SL_OK
                     : sl_error_set(err, SL_ERR_SQL, "unknown function "
                                    "\"%s\"", name);
  rc = check_dependants(cat, "function", name, true, err);
  if (!rc)
    rc = exec_with_name(cat, "DELETE FROM sluice_functions WHERE name = ?",
                        name, "dropping a function", err);
  if (!rc)
    *dropped = true;
  return rc;
}

/* Deletes the queries that are not running and write name. */
static sl_status drop_sink_queries(sl_catalog *cat, const char *name,
                                   sl_error *err) {
  char **ids = NULL;
  int n = 0;
  sl_status rc = select_names(cat,
                              "SELECT id FROM sluice_queries"
                              " WHERE sink = ? AND state != 'running'",
                              name, &ids, &n, err);
  for (int i = 0; !rc && i < n; i++) {
    rc = sl_state_delete_query(cat, ids[i], err);
    if (!rc)
      rc = exec_with_name(cat, "DELETE FROM sluice_queries WHERE id = ?",
                          ids[i], "dropping a query", err);
  }
  names_free(ids, n);
  return rc;
}

static sl_status drop_locked(sl_catalog *cat, sl_catalog_kind kind,
                             const char *name, bool if_exists,
                             bool *dropped, sl_error *err) {
  const char *kind_name = sl_catalog_kind_name(kind);
  if (kind == SL_CATALOG_FUNCTION)
    return drop_function_locked(cat, name, if_exists, dropped, err);
  if (kind == SL_CATALOG_QUERY)
    return sl_error_set(err, SL_ERR_INTERNAL, "queries are removed with "
                        "sl_catalog_query_delete");
  if (strcmp(name, PREDICTION_LOG) == 0)
    return sl_error_set(err, SL_ERR_SQL, "cannot drop the builtin table "
                        "\"%s\"", name);

  sl_catalog_object *obj = NULL;
  sl_status rc = load_object(cat, name, &obj, err);
  if (rc)
    return rc;
  if (!obj)
    return if_exists ? SL_OK
                     : sl_error_set(err, SL_ERR_SQL, "unknown %s \"%s\"",
                                    kind_name, name);
  if (obj->kind != kind)
    rc = sl_error_set(err, SL_ERR_SQL, "\"%s\" is a %s, not a %s", name,
                      sl_catalog_kind_name(obj->kind), kind_name);
  if (!rc)
    rc = check_dependants(cat, kind_name, name, false, err);
  if (!rc && sl_lookup_in_use(cat, name))
    rc = sl_error_set(err, SL_ERR_RUNTIME, "cannot drop %s \"%s\" while it "
                      "is open for lookups", kind_name, name);
  if (!rc)
    rc = drop_sink_queries(cat, name, err);
  if (!rc)
    rc = exec_with_name(cat, "DELETE FROM sluice_objects WHERE name = ?",
                        name, "dropping an object", err);
  if (!rc && obj->storage)
    rc = sl_lookup_drop_storage(cat, obj, err);
  if (!rc)
    *dropped = true;
  sl_catalog_object_free(obj);
  return rc;
}

sl_status sl_catalog_drop(sl_catalog *cat, sl_catalog_kind kind,
                          const char *name, bool if_exists, bool *dropped,
                          sl_error *err) {
  bool ignored;
  if (!dropped)
    dropped = &ignored;
  *dropped = false;
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  rc = drop_locked(cat, kind, name, if_exists, dropped, err);
  if (rc) {
    *dropped = false;
    sl_catalog_rollback(cat);
    return rc;
  }
  rc = sl_catalog_commit(cat, err);
  if (rc)
    *dropped = false;
  return rc;
}

/* ==== Functions ======================================================== */

sl_catalog_function *sl_catalog_function_new(const char *name,
                                             sl_type *returns,
                                             bool aggregate,
                                             const char *library,
                                             const char *symbol,
                                             const char *sql) {
  sl_catalog_function *fn = calloc(1, sizeof(*fn));
  if (!fn) {
    sl_type_free(returns);
    return NULL;
  }
  fn->returns = returns;
  fn->aggregate = aggregate;
  fn->name = strdup(name ? name : "");
  fn->library = strdup(library ? library : "");
  fn->symbol = strdup(symbol ? symbol : fn->name ? fn->name : "");
  fn->sql = strdup(sql ? sql : "");
  if (!fn->name || !fn->library || !fn->symbol || !fn->sql) {
    sl_catalog_function_free(fn);
    return NULL;
  }
  return fn;
}

sl_status sl_catalog_function_add_arg(sl_catalog_function *fn,
                                      sl_type *type, sl_error *err) {
  sl_type **grown = realloc(fn->args, (size_t)(fn->nargs + 1) *
                                          sizeof(*grown));
  if (!grown) {
    sl_type_free(type);
    return nomem(err);
  }
  fn->args = grown;
  grown[fn->nargs++] = type;
  return SL_OK;
}

char *sl_catalog_function_signature(const sl_catalog_function *fn,
                                    char *buf, size_t size) {
  char type[SL_TYPE_SQL_MAX];
  size_t len = 0;
  buf[0] = '\0';
#define APPEND(...)                                                      \
  do {                                                                   \
    if (len < size)                                                      \
      len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__);       \
  } while (0)
  APPEND("%s%s(", fn->aggregate ? "AGGREGATE " : "", fn->name);
  for (int i = 0; i < fn->nargs; i++)
    APPEND("%s%s", i ? ", " : "", sl_type_to_sql(fn->args[i], type,
                                                 sizeof(type)));
  APPEND(") RETURNS %s", fn->returns ? sl_type_to_sql(fn->returns, type,
                                                      sizeof(type))
                                     : "NULL");
#undef APPEND
  return buf;
}

void sl_catalog_function_free(sl_catalog_function *fn) {
  if (!fn)
    return;
  for (int i = 0; i < fn->nargs; i++)
    sl_type_free(fn->args[i]);
  free(fn->args);
  sl_type_free(fn->returns);
  free(fn->name);
  free(fn->library);
  free(fn->symbol);
  free(fn->sql);
  free(fn);
}

void sl_catalog_function_list_free(sl_catalog_function **fns, int n) {
  for (int i = 0; i < n; i++)
    sl_catalog_function_free(fns[i]);
  free(fns);
}

/* Parses a stored type, naming where it came from on failure. */
static sl_status read_type(sl_catalog *cat, const char *text,
                           const char *owner, sl_type **out, sl_error *err) {
  sl_status rc = sl_type_from_sql(text ? text : "", out, err);
  if (rc) {
    sl_error_prefix(err, "catalog %s: a type of \"%s\"", cat_name(cat),
                    owner);
    if (err)
      err->code = SL_ERR_RUNTIME;
    return SL_ERR_RUNTIME;
  }
  return SL_OK;
}

static sl_status load_function(sl_catalog *cat, const char *name,
                               sl_catalog_function **out, sl_error *err) {
  *out = NULL;
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT returns, aggregate, library, symbol, sql, created_ms"
      "  FROM sluice_functions WHERE name = ?",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, name);
  int step = sqlite3_step(stmt);
  if (step != SQLITE_ROW) {
    if (step != SQLITE_DONE)
      rc = sl_catalog_db_error(cat, err, "reading function \"%s\"", name);
    sqlite3_finalize(stmt);
    return rc;
  }
  sl_type *returns = NULL;
  rc = read_type(cat, (const char *)sqlite3_column_text(stmt, 0), name,
                 &returns, err);
  sl_catalog_function *fn = NULL;
  if (!rc) {
    fn = sl_catalog_function_new(
        name, returns, sqlite3_column_int(stmt, 1) != 0,
        (const char *)sqlite3_column_text(stmt, 2),
        (const char *)sqlite3_column_text(stmt, 3),
        (const char *)sqlite3_column_text(stmt, 4));
    if (!fn)
      rc = nomem(err);
    else
      fn->created_ms = sqlite3_column_int64(stmt, 5);
  }
  sqlite3_finalize(stmt);
  if (rc)
    return rc;

  rc = sl_catalog_prepare(cat,
                          "SELECT type FROM sluice_function_args"
                          " WHERE function = ? ORDER BY position",
                          &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, name);
    while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
      sl_type *arg = NULL;
      rc = read_type(cat, (const char *)sqlite3_column_text(stmt, 0), name,
                     &arg, err);
      if (!rc)
        rc = sl_catalog_function_add_arg(fn, arg, err);
    }
    if (!rc && step != SQLITE_DONE)
      rc = sl_catalog_db_error(cat, err, "reading function \"%s\"", name);
    sqlite3_finalize(stmt);
  }
  if (rc) {
    sl_catalog_function_free(fn);
    return rc;
  }
  *out = fn;
  return SL_OK;
}

static bool same_function(const sl_catalog_function *a,
                          const sl_catalog_function *b) {
  if (a->nargs != b->nargs || a->aggregate != b->aggregate ||
      !sl_type_equal(a->returns, b->returns) ||
      strcmp(a->library, b->library) != 0 ||
      strcmp(a->symbol, b->symbol) != 0)
    return false;
  for (int i = 0; i < a->nargs; i++)
    if (!sl_type_equal(a->args[i], b->args[i]))
      return false;
  return true;
}

static sl_status insert_function(sl_catalog *cat,
                                 const sl_catalog_function *fn,
                                 sl_error *err) {
  char signature[2048], type[SL_TYPE_SQL_MAX];
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat, "INSERT INTO sluice_functions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, fn->name);
  sl_catalog_bind_text(stmt, 2, sl_catalog_function_signature(
                                    fn, signature, sizeof(signature)));
  sl_catalog_bind_text(stmt, 3, sl_type_to_sql(fn->returns, type,
                                               sizeof(type)));
  sqlite3_bind_int(stmt, 4, fn->aggregate);
  sl_catalog_bind_text(stmt, 5, fn->library);
  sl_catalog_bind_text(stmt, 6, fn->symbol);
  sl_catalog_bind_text(stmt, 7, fn->sql);
  sqlite3_bind_int64(stmt, 8, sl_catalog_now_ms());
  rc = step_done(cat, stmt, "writing a function", err);
  for (int i = 0; !rc && i < fn->nargs; i++) {
    rc = sl_catalog_prepare(cat,
                            "INSERT INTO sluice_function_args"
                            " VALUES (?, ?, ?)",
                            &stmt, err);
    if (rc)
      break;
    sl_catalog_bind_text(stmt, 1, fn->name);
    sqlite3_bind_int(stmt, 2, i);
    sl_catalog_bind_text(stmt, 3, sl_type_to_sql(fn->args[i], type,
                                                 sizeof(type)));
    rc = step_done(cat, stmt, "writing a function argument", err);
  }
  return rc;
}

sl_status sl_catalog_function_create(sl_catalog *cat,
                                     const sl_catalog_function *fn,
                                     bool if_not_exists,
                                     sl_catalog_outcome *outcome,
                                     sl_error *err) {
  sl_catalog_outcome ignored;
  if (!outcome)
    outcome = &ignored;
  if (!fn->name[0] || !fn->returns)
    return sl_error_set(err, SL_ERR_SQL, "a function needs a name and a "
                        "return type");
  for (int i = 0; i < fn->nargs; i++)
    if (!fn->args[i])
      return sl_error_set(err, SL_ERR_SQL, "argument %d of function \"%s\" "
                          "needs a type", i + 1, fn->name);

  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  sl_catalog_function *existing = NULL;
  rc = load_function(cat, fn->name, &existing, err);
  if (!rc && existing) {
    if (if_not_exists)
      *outcome = SL_CATALOG_SKIPPED;
    else if (same_function(existing, fn))
      *outcome = SL_CATALOG_UNCHANGED;
    else
      rc = sl_error_set(err, SL_ERR_SQL, "function \"%s\" already exists "
                        "with a different definition; DROP it first",
                        fn->name);
  } else if (!rc) {
    rc = insert_function(cat, fn, err);
    *outcome = SL_CATALOG_CREATED;
  }
  sl_catalog_function_free(existing);
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  return sl_catalog_commit(cat, err);
}

sl_status sl_catalog_function_get(sl_catalog *cat, const char *name,
                                  sl_catalog_function **out, sl_error *err) {
  sl_catalog_lock(cat);
  sl_status rc = load_function(cat, name, out, err);
  sl_catalog_unlock(cat);
  return rc;
}

sl_status sl_catalog_function_list(sl_catalog *cat,
                                   sl_catalog_function ***out, int *n,
                                   sl_error *err) {
  *out = NULL;
  *n = 0;
  char **names = NULL;
  int nnames = 0;
  sl_catalog_lock(cat);
  sl_status rc = select_names(cat,
                              "SELECT name FROM sluice_functions"
                              " ORDER BY name",
                              NULL, &names, &nnames, err);
  sl_catalog_function **fns = NULL;
  if (!rc && nnames > 0) {
    fns = calloc((size_t)nnames, sizeof(*fns));
    if (!fns)
      rc = nomem(err);
  }
  for (int i = 0; !rc && i < nnames; i++)
    rc = load_function(cat, names[i], &fns[i], err);
  sl_catalog_unlock(cat);
  names_free(names, nnames);
  if (rc) {
    sl_catalog_function_list_free(fns, nnames);
    return rc;
  }
  *out = fns;
  *n = nnames;
  return SL_OK;
}

/* ==== Persistent queries =============================================== */

static const char *const state_names[] = {"running", "terminated",
                                          "failed"};

const char *sl_catalog_query_state_name(sl_catalog_query_state state) {
  if ((unsigned)state < sizeof(state_names) / sizeof(state_names[0]))
    return state_names[state];
  return "unknown";
}

static sl_catalog_query_state state_from_name(const char *name) {
  for (int s = SL_QUERY_RUNNING; s <= SL_QUERY_FAILED; s++)
    if (name && strcmp(name, state_names[s]) == 0)
      return (sl_catalog_query_state)s;
  return SL_QUERY_FAILED;
}

sl_catalog_query *sl_catalog_query_new(const char *id, const char *sql,
                                       const char *sink) {
  sl_catalog_query *q = calloc(1, sizeof(*q));
  if (!q)
    return NULL;
  q->state = SL_QUERY_RUNNING;
  q->id = strdup(id ? id : "");
  q->sql = strdup(sql ? sql : "");
  if (!q->id || !q->sql || !copy_text(&q->sink, sink)) {
    sl_catalog_query_free(q);
    return NULL;
  }
  return q;
}

sl_status sl_catalog_query_add_dep(sl_catalog_query *q, const char *name,
                                   sl_error *err) {
  return names_add(&q->deps, &q->ndeps, name, err);
}

sl_status sl_catalog_query_add_function_dep(sl_catalog_query *q,
                                            const char *name,
                                            sl_error *err) {
  return names_add(&q->function_deps, &q->nfunction_deps, name, err);
}

void sl_catalog_query_free(sl_catalog_query *q) {
  if (!q)
    return;
  free(q->id);
  free(q->sql);
  free(q->sink);
  free(q->error);
  names_free(q->deps, q->ndeps);
  names_free(q->function_deps, q->nfunction_deps);
  for (int i = 0; i < q->noffsets; i++)
    free(q->offsets[i].topic);
  free(q->offsets);
  free(q);
}

void sl_catalog_query_list_free(sl_catalog_query **qs, int n) {
  for (int i = 0; i < n; i++)
    sl_catalog_query_free(qs[i]);
  free(qs);
}

static sl_status load_offsets(sl_catalog *cat, sl_catalog_query *q,
                              sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT topic, partition, position FROM sluice_query_offsets"
      " WHERE query = ? ORDER BY topic, partition",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, q->id);
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
    sl_catalog_offset *grown =
        realloc(q->offsets, (size_t)(q->noffsets + 1) * sizeof(*grown));
    if (!grown) {
      rc = nomem(err);
      break;
    }
    q->offsets = grown;
    sl_catalog_offset *o = &grown[q->noffsets];
    o->topic = sl_catalog_column_text(stmt, 0);
    if (!o->topic) {
      rc = nomem(err);
      break;
    }
    o->partition = sqlite3_column_int(stmt, 1);
    o->offset = sqlite3_column_int64(stmt, 2);
    q->noffsets++;
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "reading offsets of query \"%s\"",
                             q->id);
  sqlite3_finalize(stmt);
  return rc;
}

static sl_status load_query(sl_catalog *cat, const char *id,
                            sl_catalog_query **out, sl_error *err) {
  *out = NULL;
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT sql, sink, state, error, created_ms, updated_ms, records_in,"
      "       records_out, records_failed, records_late"
      "  FROM sluice_queries WHERE id = ?",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, id);
  int step = sqlite3_step(stmt);
  if (step != SQLITE_ROW) {
    if (step != SQLITE_DONE)
      rc = sl_catalog_db_error(cat, err, "reading query \"%s\"", id);
    sqlite3_finalize(stmt);
    return rc;
  }
  sl_catalog_query *q = sl_catalog_query_new(
      id, (const char *)sqlite3_column_text(stmt, 0),
      (const char *)sqlite3_column_text(stmt, 1));
  if (!q || !copy_text(&q->error, (const char *)sqlite3_column_text(stmt,
                                                                    3))) {
    sqlite3_finalize(stmt);
    sl_catalog_query_free(q);
    return nomem(err);
  }
  q->state = state_from_name((const char *)sqlite3_column_text(stmt, 2));
  q->created_ms = sqlite3_column_int64(stmt, 4);
  q->updated_ms = sqlite3_column_int64(stmt, 5);
  q->counters.records_in = sqlite3_column_int64(stmt, 6);
  q->counters.records_out = sqlite3_column_int64(stmt, 7);
  q->counters.records_failed = sqlite3_column_int64(stmt, 8);
  q->counters.records_late = sqlite3_column_int64(stmt, 9);
  sqlite3_finalize(stmt);

  rc = load_deps(cat,
                 "SELECT kind, name FROM sluice_query_dependencies"
                 " WHERE query = ? ORDER BY name",
                 id, &q->deps, &q->ndeps, &q->function_deps,
                 &q->nfunction_deps, err);
  if (!rc)
    rc = load_offsets(cat, q, err);
  if (rc) {
    sl_catalog_query_free(q);
    return rc;
  }
  *out = q;
  return SL_OK;
}

static sl_status insert_query(sl_catalog *cat, const sl_catalog_query *q,
                              sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "INSERT INTO sluice_queries (id, sql, sink, state, error, created_ms,"
      "  updated_ms, records_in, records_out, records_failed, records_late)"
      " VALUES (?, ?, ?, ?, ?, ?6, ?6, ?, ?, ?, ?)",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, q->id);
  sl_catalog_bind_text(stmt, 2, q->sql);
  sl_catalog_bind_text(stmt, 3, q->sink);
  sl_catalog_bind_text(stmt, 4, sl_catalog_query_state_name(q->state));
  sl_catalog_bind_text(stmt, 5,
                       q->state == SL_QUERY_FAILED ? q->error : NULL);
  sqlite3_bind_int64(stmt, 6, sl_catalog_now_ms());
  sqlite3_bind_int64(stmt, 7, q->counters.records_in);
  sqlite3_bind_int64(stmt, 8, q->counters.records_out);
  sqlite3_bind_int64(stmt, 9, q->counters.records_failed);
  sqlite3_bind_int64(stmt, 10, q->counters.records_late);
  rc = step_done(cat, stmt, "writing a query", err);

  static const char dep_sql[] =
      "INSERT INTO sluice_query_dependencies (query, kind, name)"
      " VALUES (?, ?, ?)";
  if (!rc)
    rc = insert_dep_rows(cat, dep_sql, q->id, q->deps, q->ndeps, "object",
                         err);
  if (!rc)
    rc = insert_dep_rows(cat, dep_sql, q->id, q->function_deps,
                         q->nfunction_deps, "function", err);
  if (!rc && q->noffsets > 0)
    rc = sl_catalog_write_progress(cat, q->id, q->offsets, q->noffsets,
                                   NULL, err);
  return rc;
}

static sl_status query_create_locked(sl_catalog *cat,
                                     const sl_catalog_query *q,
                                     sl_catalog_outcome *outcome,
                                     sl_error *err) {
  sl_catalog_query *existing = NULL;
  sl_status rc = load_query(cat, q->id, &existing, err);
  if (rc)
    return rc;
  if (existing) {
    bool same = sql_equal(existing->sql, q->sql) &&
                text_equal(existing->sink, q->sink) &&
                names_equal(existing->deps, existing->ndeps, q->deps,
                            q->ndeps) &&
                names_equal(existing->function_deps,
                            existing->nfunction_deps, q->function_deps,
                            q->nfunction_deps);
    sl_catalog_query_free(existing);
    if (!same)
      return sl_error_set(err, SL_ERR_SQL, "query \"%s\" already exists "
                          "with a different definition", q->id);
    *outcome = SL_CATALOG_UNCHANGED;
    return SL_OK;
  }

  char what[SL_ERROR_NAME_MAX + 16];
  snprintf(what, sizeof(what), "query \"%s\"", q->id);
  rc = check_deps(cat, what, q->deps, q->ndeps, q->function_deps,
                  q->nfunction_deps, err);
  if (!rc && q->sink) {
    bool exists;
    rc = object_exists(cat, q->sink, &exists, err);
    if (!rc && !exists)
      rc = sl_error_set(err, SL_ERR_SQL, "query \"%s\" writes \"%s\", which "
                        "does not exist", q->id, q->sink);
  }
  if (!rc)
    rc = insert_query(cat, q, err);
  if (!rc)
    *outcome = SL_CATALOG_CREATED;
  return rc;
}

sl_status sl_catalog_query_create(sl_catalog *cat, const sl_catalog_query *q,
                                  sl_catalog_outcome *outcome,
                                  sl_error *err) {
  sl_catalog_outcome ignored;
  if (!outcome)
    outcome = &ignored;
  if (!q->id[0])
    return sl_error_set(err, SL_ERR_SQL, "a persistent query needs an id");
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  rc = query_create_locked(cat, q, outcome, err);
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  return sl_catalog_commit(cat, err);
}

sl_status sl_catalog_query_get(sl_catalog *cat, const char *id,
                               sl_catalog_query **out, sl_error *err) {
  sl_catalog_lock(cat);
  sl_status rc = load_query(cat, id, out, err);
  sl_catalog_unlock(cat);
  return rc;
}

sl_status sl_catalog_query_list(sl_catalog *cat, sl_catalog_query ***out,
                                int *n, sl_error *err) {
  *out = NULL;
  *n = 0;
  char **ids = NULL;
  int nids = 0;
  sl_catalog_lock(cat);
  sl_status rc = select_names(cat, "SELECT id FROM sluice_queries"
                                   " ORDER BY id",
                              NULL, &ids, &nids, err);
  sl_catalog_query **qs = NULL;
  if (!rc && nids > 0) {
    qs = calloc((size_t)nids, sizeof(*qs));
    if (!qs)
      rc = nomem(err);
  }
  for (int i = 0; !rc && i < nids; i++)
    rc = load_query(cat, ids[i], &qs[i], err);
  sl_catalog_unlock(cat);
  names_free(ids, nids);
  if (rc) {
    sl_catalog_query_list_free(qs, nids);
    return rc;
  }
  *out = qs;
  *n = nids;
  return SL_OK;
}

/* Fails with "unknown query" unless the last statement changed a row. */
static sl_status require_change(sl_catalog *cat, const char *id,
                                sl_error *err) {
  if (sqlite3_changes(cat->db) == 0)
    return sl_error_set(err, SL_ERR_SQL, "unknown query \"%s\"", id);
  return SL_OK;
}

sl_status sl_catalog_query_set_state(sl_catalog *cat, const char *id,
                                     sl_catalog_query_state state,
                                     const char *error, sl_error *err) {
  sl_catalog_lock(cat);
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "UPDATE sluice_queries SET state = ?, error = ?, updated_ms = ?"
      " WHERE id = ?",
      &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, sl_catalog_query_state_name(state));
    sl_catalog_bind_text(stmt, 2, state == SL_QUERY_FAILED
                                      ? (error ? error : "failed")
                                      : NULL);
    sqlite3_bind_int64(stmt, 3, sl_catalog_now_ms());
    sl_catalog_bind_text(stmt, 4, id);
    rc = step_done(cat, stmt, "updating a query", err);
  }
  if (!rc)
    rc = require_change(cat, id, err);
  sl_catalog_unlock(cat);
  return rc;
}

sl_status sl_catalog_write_progress(sl_catalog *cat, const char *id,
                                    const sl_catalog_offset *offsets,
                                    int noffsets,
                                    const sl_catalog_counters *counters,
                                    sl_error *err) {
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < noffsets; i++) {
    sqlite3_stmt *stmt;
    rc = sl_catalog_prepare(cat,
                            "INSERT OR REPLACE INTO sluice_query_offsets"
                            " VALUES (?, ?, ?, ?)",
                            &stmt, err);
    if (rc)
      break;
    sl_catalog_bind_text(stmt, 1, id);
    sl_catalog_bind_text(stmt, 2, offsets[i].topic);
    sqlite3_bind_int(stmt, 3, offsets[i].partition);
    sqlite3_bind_int64(stmt, 4, offsets[i].offset);
    rc = step_done(cat, stmt, "writing query offsets", err);
  }
  if (rc)
    return rc;

  sqlite3_stmt *stmt;
  rc = sl_catalog_prepare(
      cat,
      counters ? "UPDATE sluice_queries SET updated_ms = ?2,"
                 " records_in = ?3, records_out = ?4, records_failed = ?5,"
                 " records_late = ?6 WHERE id = ?1"
               : "UPDATE sluice_queries SET updated_ms = ?2 WHERE id = ?1",
      &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, id);
  sqlite3_bind_int64(stmt, 2, sl_catalog_now_ms());
  if (counters) {
    sqlite3_bind_int64(stmt, 3, counters->records_in);
    sqlite3_bind_int64(stmt, 4, counters->records_out);
    sqlite3_bind_int64(stmt, 5, counters->records_failed);
    sqlite3_bind_int64(stmt, 6, counters->records_late);
  }
  return step_done(cat, stmt, "writing query counters", err);
}

sl_status sl_catalog_query_save_progress(sl_catalog *cat, const char *id,
                                         const sl_catalog_offset *offsets,
                                         int noffsets,
                                         const sl_catalog_counters *counters,
                                         sl_error *err) {
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  int64_t n = 0;
  rc = count_with_name(cat, "SELECT count(*) FROM sluice_queries"
                            " WHERE id = ?",
                       id, &n, err);
  if (!rc && n == 0)
    rc = sl_error_set(err, SL_ERR_SQL, "unknown query \"%s\"", id);
  if (!rc)
    rc = sl_catalog_write_progress(cat, id, offsets, noffsets, counters,
                                   err);
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  return sl_catalog_commit(cat, err);
}

sl_status sl_catalog_query_delete(sl_catalog *cat, const char *id,
                                  sl_error *err) {
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  sl_catalog_query *q = NULL;
  rc = load_query(cat, id, &q, err);
  if (!rc && !q)
    rc = sl_error_set(err, SL_ERR_SQL, "unknown query \"%s\"", id);
  if (!rc && q->state == SL_QUERY_RUNNING)
    rc = sl_error_set(err, SL_ERR_SQL, "query \"%s\" is running; "
                      "TERMINATE it first", id);
  if (!rc)
    rc = sl_state_delete_query(cat, id, err);
  if (!rc)
    rc = exec_with_name(cat, "DELETE FROM sluice_queries WHERE id = ?", id,
                        "deleting a query", err);
  sl_catalog_query_free(q);
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  return sl_catalog_commit(cat, err);
}

/* ==== Model versions =================================================== */

void sl_catalog_model_version_free(sl_catalog_model_version *v) {
  if (!v)
    return;
  free(v->model);
  free(v->training_set);
  free(v->params);
  free(v->metrics);
  free(v->sql);
  free(v->blob);
  free(v);
}

void sl_catalog_model_version_list_free(sl_catalog_model_version **vs,
                                        int n) {
  for (int i = 0; i < n; i++)
    sl_catalog_model_version_free(vs[i]);
  free(vs);
}

static sl_status add_version_locked(sl_catalog *cat,
                                    const sl_catalog_model_version *v,
                                    int *version, sl_error *err) {
  sl_catalog_object *model = NULL;
  sl_status rc = load_object(cat, v->model, &model, err);
  if (rc)
    return rc;
  bool is_model = model && model->kind == SL_CATALOG_MODEL;
  sl_catalog_object_free(model);
  if (!is_model)
    return sl_error_set(err, SL_ERR_SQL, "unknown model \"%s\"", v->model);

  int64_t newest = 0;
  rc = count_with_name(cat,
                       "SELECT coalesce(max(version), 0)"
                       "  FROM sluice_model_versions WHERE model = ?",
                       v->model, &newest, err);
  if (rc)
    return rc;
  sqlite3_stmt *stmt;
  rc = sl_catalog_prepare(cat,
                          "INSERT INTO sluice_model_versions VALUES"
                          " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, v->model);
  sqlite3_bind_int64(stmt, 2, newest + 1);
  sl_catalog_bind_text(stmt, 3, v->training_set);
  sqlite3_bind_int64(stmt, 4, v->rows);
  sl_catalog_bind_text(stmt, 5, v->params);
  sl_catalog_bind_text(stmt, 6, v->metrics);
  sl_catalog_bind_text(stmt, 7, v->sql);
  sqlite3_bind_int64(stmt, 8, v->trained_ms);
  sqlite3_bind_int64(stmt, 9, v->training_ms);
  if (v->blob)
    sqlite3_bind_blob64(stmt, 10, v->blob, v->blob_len, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(stmt, 10);
  rc = step_done(cat, stmt, "writing a model version", err);
  if (!rc)
    *version = (int)(newest + 1);
  return rc;
}

sl_status sl_catalog_model_add_version(sl_catalog *cat,
                                       const sl_catalog_model_version *v,
                                       int *version, sl_error *err) {
  int ignored;
  if (!version)
    version = &ignored;
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  rc = add_version_locked(cat, v, version, err);
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  return sl_catalog_commit(cat, err);
}

/* Builds a version from a row of model, version, training_set, rows,
 * params, metrics, sql, trained_ms, training_ms[, blob]. */
static sl_status version_from_row(sqlite3_stmt *stmt, bool with_blob,
                                  sl_catalog_model_version **out,
                                  sl_error *err) {
  sl_catalog_model_version *v = calloc(1, sizeof(*v));
  if (!v)
    return nomem(err);
  bool ok = copy_text(&v->model, (const char *)sqlite3_column_text(stmt, 0));
  v->version = sqlite3_column_int(stmt, 1);
  ok = ok && copy_text(&v->training_set,
                       (const char *)sqlite3_column_text(stmt, 2));
  v->rows = sqlite3_column_int64(stmt, 3);
  ok = ok &&
       copy_text(&v->params, (const char *)sqlite3_column_text(stmt, 4)) &&
       copy_text(&v->metrics, (const char *)sqlite3_column_text(stmt, 5)) &&
       copy_text(&v->sql, (const char *)sqlite3_column_text(stmt, 6));
  v->trained_ms = sqlite3_column_int64(stmt, 7);
  v->training_ms = sqlite3_column_int64(stmt, 8);
  if (ok && with_blob && sqlite3_column_type(stmt, 9) != SQLITE_NULL) {
    const void *blob = sqlite3_column_blob(stmt, 9);
    v->blob_len = (size_t)sqlite3_column_bytes(stmt, 9);
    v->blob = malloc(v->blob_len ? v->blob_len : 1);
    if (v->blob && v->blob_len)
      memcpy(v->blob, blob, v->blob_len);
    ok = v->blob != NULL;
  }
  if (!ok) {
    sl_catalog_model_version_free(v);
    return nomem(err);
  }
  *out = v;
  return SL_OK;
}

#define VERSION_COLUMNS                                                  \
  "model, version, training_set, rows, params, metrics, sql, trained_ms," \
  " training_ms"

sl_status sl_catalog_model_get_version(sl_catalog *cat, const char *model,
                                       int version,
                                       sl_catalog_model_version **out,
                                       sl_error *err) {
  *out = NULL;
  sl_catalog_lock(cat);
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat,
      "SELECT " VERSION_COLUMNS ", blob FROM sluice_model_versions"
      " WHERE model = ?1 AND (?2 = 0 OR version = ?2)"
      " ORDER BY version DESC LIMIT 1",
      &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, model);
    sqlite3_bind_int(stmt, 2, version);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
      rc = version_from_row(stmt, true, out, err);
    else if (step != SQLITE_DONE)
      rc = sl_catalog_db_error(cat, err, "reading model \"%s\"", model);
    sqlite3_finalize(stmt);
  }
  sl_catalog_unlock(cat);
  return rc;
}

sl_status sl_catalog_model_list_versions(sl_catalog *cat, const char *model,
                                         sl_catalog_model_version ***out,
                                         int *n, sl_error *err) {
  *out = NULL;
  *n = 0;
  sl_catalog_lock(cat);
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(cat,
                                    "SELECT " VERSION_COLUMNS
                                    " FROM sluice_model_versions"
                                    " WHERE model = ? ORDER BY version",
                                    &stmt, err);
  sl_catalog_model_version **vs = NULL;
  int count = 0;
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, model);
    int step;
    while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
      sl_catalog_model_version **grown =
          realloc(vs, (size_t)(count + 1) * sizeof(*grown));
      if (!grown) {
        rc = nomem(err);
        break;
      }
      vs = grown;
      rc = version_from_row(stmt, false, &vs[count], err);
      if (!rc)
        count++;
    }
    if (!rc && step != SQLITE_DONE)
      rc = sl_catalog_db_error(cat, err, "reading model \"%s\"", model);
    sqlite3_finalize(stmt);
  }
  sl_catalog_unlock(cat);
  if (rc) {
    sl_catalog_model_version_list_free(vs, count);
    return rc;
  }
  *out = vs;
  *n = count;
  return SL_OK;
}

/* ==== Prediction log and settings ====================================== */

sl_status sl_catalog_log_prediction(sl_catalog *cat, const char *query,
                                    const char *model, int version,
                                    const char *features, double score,
                                    int64_t event_ms, sl_error *err) {
  sl_catalog_lock(cat);
  sl_status rc = SL_OK;
  if (!cat->log_stmt &&
      sqlite3_prepare_v3(cat->db,
                         "INSERT INTO prediction_log VALUES"
                         " (?, ?, ?, ?, ?, ?, ?)",
                         -1, SQLITE_PREPARE_PERSISTENT, &cat->log_stmt,
                         NULL) != SQLITE_OK) {
    cat->log_stmt = NULL;
    rc = sl_catalog_db_error(cat, err, "preparing the prediction log");
  }
  if (!rc) {
    sqlite3_stmt *stmt = cat->log_stmt;
    sl_catalog_bind_text(stmt, 1, query);
    sl_catalog_bind_text(stmt, 2, model);
    sqlite3_bind_int(stmt, 3, version);
    sl_catalog_bind_text(stmt, 4, features);
    sqlite3_bind_double(stmt, 5, score);
    sqlite3_bind_int64(stmt, 6, event_ms);
    sqlite3_bind_int64(stmt, 7, sl_catalog_now_ms());
    if (sqlite3_step(stmt) != SQLITE_DONE)
      rc = sl_catalog_db_error(cat, err, "writing the prediction log");
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
  sl_catalog_unlock(cat);
  return rc;
}

sl_status sl_catalog_setting_get(sl_catalog *cat, const char *name,
                                 char **value, sl_error *err) {
  *value = NULL;
  sl_catalog_lock(cat);
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat, "SELECT value FROM sluice_settings WHERE name = ?", &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, name);
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
      *value = sl_catalog_column_text(stmt, 0);
      if (!*value)
        rc = nomem(err);
    } else if (step != SQLITE_DONE) {
      rc = sl_catalog_db_error(cat, err, "reading setting \"%s\"", name);
    }
    sqlite3_finalize(stmt);
  }
  sl_catalog_unlock(cat);
  return rc;
}

sl_status sl_catalog_setting_set(sl_catalog *cat, const char *name,
                                 const char *value, sl_error *err) {
  sl_catalog_lock(cat);
  sqlite3_stmt *stmt;
  sl_status rc = sl_catalog_prepare(
      cat, "INSERT OR REPLACE INTO sluice_settings VALUES (?, ?)", &stmt,
      err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, name);
    sl_catalog_bind_text(stmt, 2, value ? value : "");
    rc = step_done(cat, stmt, "writing a setting", err);
  }
  sl_catalog_unlock(cat);
  return rc;
}
