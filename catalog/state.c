/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c - in-memory keyed state and its checkpoints in SQLite.
 *
 * Each table is a chained hash map (xxHash3 of the key bytes) whose
 * entries carry the key inline and the value in its own allocation, plus
 * a list of the entries changed since the last checkpoint.  A deleted key
 * stays as a tombstone until the checkpoint that writes its deletion, so
 * that the checkpoint knows to remove it from SQLite; then it is freed.
 *
 * In SQLite (schema.c): sluice_state_entries holds the state of every
 * query as of its last checkpoint, sluice_state_offsets the positions
 * that state reflects, sluice_state_checkpoints one row per checkpoint
 * (the last few are kept).  Because a checkpoint rewrites only what
 * changed, all three change together in one transaction.
 */
#include "catalog/state.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "catalog/catalog_internal.h"

/* Checkpoint rows kept per query, for inspection; entries and offsets
 * always reflect the newest. */
#define KEEP_CHECKPOINTS 10

typedef struct sentry sentry;

struct sentry {
  sentry *next;
  uint64_t hash;
  void *value;       /* NULL when deleted */
  size_t vlen;
  uint32_t klen;
  bool dirty;
  bool deleted;
  unsigned char key[];
};

struct sl_state_table {
  sl_state_table *next;
  char *op;
  int32_t partition;
  sentry **buckets;
  size_t nbuckets;
  size_t live;       /* keys present */
  size_t total;      /* entries, tombstones included */
  sentry **dirty;
  size_t ndirty;
  size_t dirty_cap;
};

struct sl_state {
  sl_catalog *cat;
  char *query;
  sl_state_table *tables;
  int64_t last_checkpoint;
  bool has_changelog;
  sl_state_changelog changelog;
};

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* ==== Tables =========================================================== */

static void table_free(sl_state_table *t) {
  for (size_t b = 0; b < t->nbuckets; b++) {
    sentry *e = t->buckets[b];
    while (e) {
      sentry *next = e->next;
      free(e->value);
      free(e);
      e = next;
    }
  }
  free(t->buckets);
  free(t->dirty);
  free(t->op);
  free(t);
}

static void free_tables(sl_state *st) {
  sl_state_table *t = st->tables;
  while (t) {
    sl_state_table *next = t->next;
    table_free(t);
    t = next;
  }
  st->tables = NULL;
}

static sentry *find(const sl_state_table *t, uint64_t hash, const void *key,
                    size_t klen) {
  for (sentry *e = t->buckets[hash & (t->nbuckets - 1)]; e; e = e->next)
    if (e->hash == hash && e->klen == klen && memcmp(e->key, key, klen) == 0)
      return e;
  return NULL;
}

/* Doubles the buckets when entries outnumber them. */
static bool grow(sl_state_table *t) {
  if (t->total < t->nbuckets)
    return true;
  size_t nb = t->nbuckets * 2;
  sentry **buckets = calloc(nb, sizeof(*buckets));
  if (!buckets)
    return false;
  for (size_t b = 0; b < t->nbuckets; b++) {
    sentry *e = t->buckets[b];
    while (e) {
      sentry *next = e->next;
      e->next = buckets[e->hash & (nb - 1)];
      buckets[e->hash & (nb - 1)] = e;
      e = next;
    }
  }
  free(t->buckets);
  t->buckets = buckets;
  t->nbuckets = nb;
  return true;
}

static bool mark_dirty(sl_state_table *t, sentry *e) {
  if (e->dirty)
    return true;
  if (t->ndirty == t->dirty_cap) {
    size_t cap = t->dirty_cap ? t->dirty_cap * 2 : 64;
    sentry **grown = realloc(t->dirty, cap * sizeof(*grown));
    if (!grown)
      return false;
    t->dirty = grown;
    t->dirty_cap = cap;
  }
  t->dirty[t->ndirty++] = e;
  e->dirty = true;
  return true;
}

/* Adds an entry for a key the table lacks. */
static sentry *insert(sl_state_table *t, uint64_t hash, const void *key,
                      size_t klen) {
  if (!grow(t))
    return NULL;
  sentry *e = calloc(1, sizeof(*e) + klen);
  if (!e)
    return NULL;
  e->hash = hash;
  e->klen = (uint32_t)klen;
  e->deleted = true;
  memcpy(e->key, key, klen);
  sentry **bucket = &t->buckets[hash & (t->nbuckets - 1)];
  e->next = *bucket;
  *bucket = e;
  t->total++;
  return e;
}

/* Gives entry e (present or a tombstone) a copy of value. */
static bool set_value(sl_state_table *t, sentry *e, const void *value,
                      size_t vlen) {
  void *copy = malloc(vlen ? vlen : 1);
  if (!copy)
    return false;
  if (vlen)
    memcpy(copy, value, vlen);
  free(e->value);
  e->value = copy;
  e->vlen = vlen;
  if (e->deleted)
    t->live++;
  e->deleted = false;
  return true;
}

sl_status sl_state_table_get(sl_state *st, const char *op,
                             int32_t partition, sl_state_table **out,
                             sl_error *err) {
  for (sl_state_table *t = st->tables; t; t = t->next)
    if (t->partition == partition && strcmp(t->op, op) == 0) {
      *out = t;
      return SL_OK;
    }
  sl_state_table *t = calloc(1, sizeof(*t));
  if (!t)
    return nomem(err);
  t->op = strdup(op);
  t->partition = partition;
  t->nbuckets = 64;
  t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
  if (!t->op || !t->buckets) {
    free(t->op);
    free(t->buckets);
    free(t);
    return nomem(err);
  }
  t->next = st->tables;
  st->tables = t;
  *out = t;
  return SL_OK;
}

sl_status sl_state_put(sl_state_table *t, const void *key, size_t klen,
                       const void *value, size_t vlen, sl_error *err) {
  uint64_t hash = XXH3_64bits(key, klen);
  sentry *e = find(t, hash, key, klen);
  if (!e) {
    e = insert(t, hash, key, klen);
    if (!e)
      return nomem(err);
  }
  /* Mark first: a dirty list that cannot grow must not lose a change. */
  if (!mark_dirty(t, e) || !set_value(t, e, value, vlen))
    return nomem(err);
  return SL_OK;
}

const void *sl_state_get(const sl_state_table *t, const void *key,
                         size_t klen, size_t *vlen) {
  sentry *e = find(t, XXH3_64bits(key, klen), key, klen);
  if (!e || e->deleted)
    return NULL;
  if (vlen)
    *vlen = e->vlen;
  return e->value;
}

bool sl_state_delete(sl_state_table *t, const void *key, size_t klen) {
  sentry *e = find(t, XXH3_64bits(key, klen), key, klen);
  if (!e || e->deleted)
    return false;
  if (!mark_dirty(t, e)) {
    /* Without room to remember the deletion, keep the key: losing the
     * change would resurrect it after a restart. */
    return false;
  }
  free(e->value);
  e->value = NULL;
  e->vlen = 0;
  e->deleted = true;
  t->live--;
  return true;
}

size_t sl_state_count(const sl_state_table *t) {
  return t->live;
}

void sl_state_iter_init(sl_state_iter *it, const sl_state_table *t) {
  it->table = t;
  it->bucket = 0;
  it->entry = NULL;
}

bool sl_state_iter_next(sl_state_iter *it, const void **key, size_t *klen,
                        const void **value, size_t *vlen) {
  const sl_state_table *t = it->table;
  const sentry *e = it->entry;
  for (;;) {
    e = e ? e->next : NULL;
    while (!e && it->bucket < t->nbuckets)
      e = t->buckets[it->bucket++];
    if (!e) {
      it->entry = NULL;
      return false;
    }
    if (!e->deleted)
      break;
  }
  it->entry = e;
  *key = e->key;
  *klen = e->klen;
  *value = e->value;
  *vlen = e->vlen;
  return true;
}

/* ==== The store ======================================================== */

sl_status sl_state_open(sl_catalog *cat, const char *query_id,
                        sl_state **out, sl_error *err) {
  *out = NULL;
  sl_state *st = calloc(1, sizeof(*st));
  if (!st)
    return nomem(err);
  st->cat = cat;
  st->query = strdup(query_id);
  if (!st->query) {
    free(st);
    return nomem(err);
  }
  sl_catalog_lock(cat);
  cat->nstates++;
  sl_catalog_unlock(cat);
  *out = st;
  return SL_OK;
}

void sl_state_close(sl_state *st) {
  if (!st)
    return;
  sl_catalog_lock(st->cat);
  st->cat->nstates--;
  sl_catalog_unlock(st->cat);
  free_tables(st);
  free(st->query);
  free(st);
}

void sl_state_set_changelog(sl_state *st, const sl_state_changelog *cl) {
  st->has_changelog = cl != NULL;
  if (cl)
    st->changelog = *cl;
}

void sl_state_release_partition(sl_state *st, int32_t partition) {
  sl_state_table **link = &st->tables;
  while (*link) {
    sl_state_table *t = *link;
    if (t->partition == partition) {
      *link = t->next;
      table_free(t);
    } else {
      link = &t->next;
    }
  }
}

int64_t sl_state_last_checkpoint(const sl_state *st) {
  return st->last_checkpoint;
}

void sl_state_size(const sl_state *st, int64_t *entries, int64_t *bytes) {
  *entries = 0;
  *bytes = 0;
  for (const sl_state_table *t = st->tables; t; t = t->next) {
    sl_state_iter it;
    const void *key, *value;
    size_t klen, vlen;
    sl_state_iter_init(&it, t);
    while (sl_state_iter_next(&it, &key, &klen, &value, &vlen)) {
      ++*entries;
      *bytes += (int64_t)(klen + vlen);
    }
  }
}

size_t sl_state_dirty(const sl_state *st) {
  size_t n = 0;
  for (const sl_state_table *t = st->tables; t; t = t->next)
    n += t->ndirty;
  return n;
}

/* ==== Checkpoints ====================================================== */

static sl_status prepare(sl_catalog *cat, const char *sql,
                         sqlite3_stmt **stmt, sl_error *err) {
  return sl_catalog_prepare(cat, sql, stmt, err);
}

static sl_status step_reset(sl_catalog *cat, sqlite3_stmt *stmt,
                            const char *what, sl_error *err) {
  sl_status rc = SL_OK;
  if (sqlite3_step(stmt) != SQLITE_DONE)
    rc = sl_catalog_db_error(cat, err, "%s", what);
  sqlite3_reset(stmt);
  return rc;
}

/* Writes every dirty entry; *written counts them. */
static sl_status write_entries(sl_state *st, int64_t id, int64_t *written,
                               sl_error *err) {
  sl_catalog *cat = st->cat;
  sqlite3_stmt *put = NULL, *del = NULL;
  sl_status rc = prepare(cat,
                         "INSERT OR REPLACE INTO sluice_state_entries"
                         " VALUES (?1, ?2, ?3, ?4, ?5)",
                         &put, err);
  if (!rc)
    rc = prepare(cat,
                 "DELETE FROM sluice_state_entries WHERE query = ?1"
                 " AND operator = ?2 AND partition = ?3 AND key = ?4",
                 &del, err);
  for (sl_state_table *t = st->tables; !rc && t; t = t->next) {
    for (size_t i = 0; !rc && i < t->ndirty; i++) {
      const sentry *e = t->dirty[i];
      sqlite3_stmt *stmt = e->deleted ? del : put;
      sl_catalog_bind_text(stmt, 1, st->query);
      sl_catalog_bind_text(stmt, 2, t->op);
      sqlite3_bind_int(stmt, 3, t->partition);
      sqlite3_bind_blob(stmt, 4, e->key, (int)e->klen, SQLITE_STATIC);
      if (!e->deleted)
        sqlite3_bind_blob(stmt, 5, e->value, (int)e->vlen, SQLITE_STATIC);
      rc = step_reset(cat, stmt, "writing state", err);
      if (!rc && st->has_changelog && st->changelog.entry)
        rc = st->changelog.entry(st->changelog.ud, id, t->op, t->partition,
                                 e->key, e->klen,
                                 e->deleted ? NULL : e->value, e->vlen,
                                 err);
      (*written)++;
    }
  }
  sqlite3_finalize(put);
  sqlite3_finalize(del);
  return rc;
}

static sl_status write_offsets(sl_state *st, int64_t id,
                               const sl_catalog_offset *offsets, int n,
                               sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = prepare(st->cat,
                         "INSERT OR REPLACE INTO sluice_state_offsets"
                         " VALUES (?, ?, ?, ?, ?)",
                         &stmt, err);
  for (int i = 0; !rc && i < n; i++) {
    sl_catalog_bind_text(stmt, 1, st->query);
    sl_catalog_bind_text(stmt, 2, offsets[i].topic);
    sqlite3_bind_int(stmt, 3, offsets[i].partition);
    sqlite3_bind_int64(stmt, 4, offsets[i].offset);
    sqlite3_bind_int64(stmt, 5, id);
    rc = step_reset(st->cat, stmt, "writing checkpoint offsets", err);
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* Records the checkpoint row (dropping old ones) and, when the query is
 * in the catalog, its progress. */
static sl_status write_checkpoint_row(sl_state *st, int64_t id,
                                      int64_t written,
                                      const sl_catalog_offset *offsets,
                                      int n,
                                      const sl_catalog_counters *counters,
                                      sl_error *err) {
  sl_catalog *cat = st->cat;
  sqlite3_stmt *stmt;
  sl_status rc = prepare(cat,
                         "INSERT INTO sluice_state_checkpoints"
                         " VALUES (?, ?, ?, ?)",
                         &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, st->query);
  sqlite3_bind_int64(stmt, 2, id);
  sqlite3_bind_int64(stmt, 3, sl_catalog_now_ms());
  sqlite3_bind_int64(stmt, 4, written);
  rc = step_reset(cat, stmt, "writing a checkpoint", err);
  sqlite3_finalize(stmt);

  if (!rc)
    rc = prepare(cat,
                 "DELETE FROM sluice_state_checkpoints"
                 " WHERE query = ? AND id <= ?",
                 &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, st->query);
    sqlite3_bind_int64(stmt, 2, id - KEEP_CHECKPOINTS);
    rc = step_reset(cat, stmt, "pruning checkpoints", err);
    sqlite3_finalize(stmt);
  }

  if (!rc)
    rc = prepare(cat, "SELECT count(*) FROM sluice_queries WHERE id = ?",
                 &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, st->query);
    bool known = sqlite3_step(stmt) == SQLITE_ROW &&
                 sqlite3_column_int(stmt, 0) > 0;
    sqlite3_finalize(stmt);
    if (known)
      rc = sl_catalog_write_progress(cat, st->query, offsets, n, counters,
                                     err);
  }
  return rc;
}

/* The id the next checkpoint takes: one more than any recorded. */
static sl_status next_id(sl_state *st, int64_t *id, sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = prepare(st->cat,
                         "SELECT coalesce(max(id), 0)"
                         "  FROM sluice_state_checkpoints WHERE query = ?",
                         &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, st->query);
  if (sqlite3_step(stmt) == SQLITE_ROW)
    *id = sqlite3_column_int64(stmt, 0) + 1;
  else
    rc = sl_catalog_db_error(st->cat, err, "reading checkpoints");
  sqlite3_finalize(stmt);
  if (!rc && *id <= st->last_checkpoint)
    *id = st->last_checkpoint + 1;
  return rc;
}

/* After the commit: entries are clean, tombstones go. */
static void settle(sl_state *st) {
  for (sl_state_table *t = st->tables; t; t = t->next) {
    for (size_t i = 0; i < t->ndirty; i++)
      t->dirty[i]->dirty = false;
    t->ndirty = 0;
    for (size_t b = 0; b < t->nbuckets; b++) {
      sentry **link = &t->buckets[b];
      while (*link) {
        sentry *e = *link;
        if (e->deleted) {
          *link = e->next;
          free(e);
          t->total--;
        } else {
          link = &e->next;
        }
      }
    }
  }
}

sl_status sl_state_checkpoint(sl_state *st, const sl_catalog_offset *offsets,
                              int noffsets,
                              const sl_catalog_counters *counters,
                              int64_t *checkpoint_id, sl_error *err) {
  sl_catalog *cat = st->cat;
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;

  int64_t id = 0, written = 0;
  rc = next_id(st, &id, err);
  if (!rc)
    rc = write_entries(st, id, &written, err);
  if (!rc)
    rc = write_offsets(st, id, offsets, noffsets, err);
  if (!rc && st->has_changelog && st->changelog.boundary)
    rc = st->changelog.boundary(st->changelog.ud, id, offsets, noffsets,
                                err);
  if (!rc)
    rc = write_checkpoint_row(st, id, written, offsets, noffsets, counters,
                              err);
  if (rc) {
    sl_catalog_rollback(cat);
    sl_error_prefix(err, "checkpoint %lld of query \"%s\"", (long long)id,
                    st->query);
    return rc;
  }
  rc = sl_catalog_commit(cat, err);
  if (rc) {
    sl_error_prefix(err, "checkpoint %lld of query \"%s\"", (long long)id,
                    st->query);
    return rc;
  }

  settle(st);
  st->last_checkpoint = id;
  if (checkpoint_id)
    *checkpoint_id = id;
  return SL_OK;
}

/* ==== Restore ========================================================== */

static sl_status load_entries(sl_state *st, sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = prepare(st->cat,
                         "SELECT operator, partition, key, value"
                         "  FROM sluice_state_entries WHERE query = ?"
                         " ORDER BY operator, partition",
                         &stmt, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(stmt, 1, st->query);
  sl_state_table *t = NULL;
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
    const char *op = (const char *)sqlite3_column_text(stmt, 0);
    int32_t partition = sqlite3_column_int(stmt, 1);
    if (!t || t->partition != partition || strcmp(t->op, op ? op : ""))
      rc = sl_state_table_get(st, op ? op : "", partition, &t, err);
    if (rc)
      break;
    const void *key = sqlite3_column_blob(stmt, 2);
    size_t klen = (size_t)sqlite3_column_bytes(stmt, 2);
    const void *value = sqlite3_column_blob(stmt, 3);
    size_t vlen = (size_t)sqlite3_column_bytes(stmt, 3);
    uint64_t hash = XXH3_64bits(key, klen);
    sentry *e = insert(t, hash, key ? key : "", klen);
    if (!e || !set_value(t, e, value, vlen))
      rc = nomem(err);
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(st->cat, err, "reading state");
  sqlite3_finalize(stmt);
  return rc;
}

sl_status sl_state_restore(sl_state *st, int64_t *checkpoint_id,
                           sl_error *err) {
  free_tables(st);
  st->last_checkpoint = 0;
  sl_status rc = sl_catalog_begin(st->cat, err);
  if (rc)
    return rc;
  int64_t id = 0;
  rc = next_id(st, &id, err);
  if (!rc)
    rc = load_entries(st, err);
  if (rc) {
    sl_catalog_rollback(st->cat);
    free_tables(st);
    return rc;
  }
  rc = sl_catalog_commit(st->cat, err);
  if (rc) {
    free_tables(st);
    return rc;
  }
  st->last_checkpoint = id - 1;
  if (checkpoint_id)
    *checkpoint_id = id - 1;
  return SL_OK;
}

sl_status sl_state_offsets(sl_state *st, sl_catalog_offset **offsets,
                           int *noffsets, sl_error *err) {
  *offsets = NULL;
  *noffsets = 0;
  sl_catalog_lock(st->cat);
  sqlite3_stmt *stmt;
  sl_status rc = prepare(st->cat,
                         "SELECT topic, partition, position"
                         "  FROM sluice_state_offsets WHERE query = ?"
                         " ORDER BY topic, partition",
                         &stmt, err);
  sl_catalog_offset *out = NULL;
  int n = 0;
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, st->query);
    int step;
    while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
      sl_catalog_offset *grown = realloc(out, (size_t)(n + 1) *
                                                  sizeof(*grown));
      if (!grown) {
        rc = nomem(err);
        break;
      }
      out = grown;
      out[n].topic = sl_catalog_column_text(stmt, 0);
      if (!out[n].topic) {
        rc = nomem(err);
        break;
      }
      out[n].partition = sqlite3_column_int(stmt, 1);
      out[n].offset = sqlite3_column_int64(stmt, 2);
      n++;
    }
    if (!rc && step != SQLITE_DONE)
      rc = sl_catalog_db_error(st->cat, err, "reading checkpoint offsets");
    sqlite3_finalize(stmt);
  }
  sl_catalog_unlock(st->cat);
  if (rc) {
    sl_state_offsets_free(out, n);
    return rc;
  }
  *offsets = out;
  *noffsets = n;
  return SL_OK;
}

void sl_state_offsets_free(sl_catalog_offset *offsets, int noffsets) {
  for (int i = 0; i < noffsets; i++)
    free(offsets[i].topic);
  free(offsets);
}

sl_status sl_state_delete_query(sl_catalog *cat, const char *query_id,
                                sl_error *err) {
  static const char *const sql[] = {
    "DELETE FROM sluice_state_entries WHERE query = ?",
    "DELETE FROM sluice_state_offsets WHERE query = ?",
    "DELETE FROM sluice_state_checkpoints WHERE query = ?",
  };
  for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
    sqlite3_stmt *stmt;
    sl_status rc = sl_catalog_prepare(cat, sql[i], &stmt, err);
    if (rc)
      return rc;
    sl_catalog_bind_text(stmt, 1, query_id);
    rc = step_reset(cat, stmt, "deleting query state", err);
    sqlite3_finalize(stmt);
    if (rc)
      return rc;
  }
  return SL_OK;
}
