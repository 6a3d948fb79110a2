/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c - in-memory keyed state and its checkpoints in SQLite.
 *
 * Each table is a chained hash map (xxHash3 of the key bytes) whose
 * entries carry the key inline and the value in its own allocation
 * (reused while a new value fits), plus a list of the entries changed
 * since the last checkpoint.  A deleted key stays as a tombstone until
 * the checkpoint that writes its deletion; then it is freed.
 *
 * In SQLite (schema.c): sluice_state_entries holds the state of every
 * query as of its last checkpoint, sluice_state_offsets the positions
 * that state reflects, sluice_state_checkpoints one row per checkpoint
 * (the last few are kept).  A table is stored in one of two forms, both
 * under its (query, operator, partition):
 *
 *   rows  one row per key, the value as it is.  Small tables stay so:
 *         a checkpoint upserts or deletes each changed key.
 *   log   rows as above (a base, possibly empty) followed by chunks: a
 *         checkpoint that changed more than ROWS_MAX keys of the table
 *         appends all of its changes as one or a few chunk rows, under
 *         the operator name with the byte 0x1f appended (so that a
 *         partition's rows and chunks go together) and the key
 *         i64 checkpoint id | i32 chunk number, big-endian (so that
 *         they sort in the order they were written).  A chunk is
 *
 *           u8 version (1) | records
 *           record: 'P' | varint klen | key | varint vlen | value
 *                 | 'D' | varint klen | key
 *
 *         Restore loads the base, then replays the chunks in order.
 *         When the chunks outgrow the live state (COMPACT_RATIO times
 *         its encoded size, plus COMPACT_SLACK), the checkpoint writes
 *         the table afresh instead: its rows and chunks are deleted and
 *         the live entries written as chunks of that one checkpoint, or
 *         as rows when no more than ROWS_MAX remain.
 *
 * Because a checkpoint rewrites only what changed, all of it (entries,
 * offsets, the checkpoint row) changes together in one transaction, so
 * the file always holds exactly one complete checkpoint.
 *
 * A table that memory created while the file already held some of its
 * entries (a partition released and met again) is not known to hold all
 * of them: it writes on top of what is stored, as changes, and is never
 * compacted until a restore has loaded it whole.
 */
#include "catalog/state.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "catalog/catalog_internal.h"
#include "engine/types/strbuf.h"

/* Checkpoint rows kept per query, for inspection; entries and offsets
 * always reflect the newest. */
#define KEEP_CHECKPOINTS 10

/* A table's changes up to this many go to rows; more go to the log. */
#define ROWS_MAX 64

/* Chunks are cut at about this many bytes. */
#define CHUNK_BYTES (1u << 20)

/* The log is rewritten when its bytes would pass COMPACT_RATIO times the
 * encoded live entries plus COMPACT_SLACK. */
#define COMPACT_RATIO 2
#define COMPACT_SLACK (64 * 1024)

/* Appended to the operator name of a table's chunk rows. */
#define LOG_MARK '\x1f'

#define CHUNK_VERSION 1
#define REC_PUT 'P'
#define REC_DELETE 'D'

typedef struct sentry sentry;

struct sentry {
  sentry *next;
  uint64_t hash;
  void *value;       /* NULL when deleted */
  size_t vlen;
  size_t vcap;       /* bytes allocated at value */
  uint32_t klen;
  bool dirty;
  bool deleted;
  unsigned char key[];
};

/* What the file holds of a table: its form and the bytes of its log. */
typedef struct stored {
  bool logged;       /* chunks follow the rows */
  int64_t log_bytes; /* bytes of the chunks */
} stored;

struct sl_state_table {
  sl_state_table *next;
  char *op;
  char *log_op;      /* op followed by LOG_MARK: the chunks' operator */
  int32_t partition;
  sentry **buckets;
  size_t nbuckets;
  size_t live;       /* keys present */
  size_t total;      /* entries, tombstones included */
  int64_t live_bytes; /* key and value bytes of the keys present */
  sentry **dirty;
  size_t ndirty;
  size_t dirty_cap;
  bool known;        /* `file` says what the file holds */
  bool whole;        /* memory holds all that the file does (compactable) */
  stored file;       /* as of the last checkpoint */
  stored next_file;  /* as the checkpoint being written leaves it */
};

/* The statements a store keeps prepared, by use. */
enum {
  S_PUT,
  S_DELETE,
  S_DELETE_TABLE,
  S_PROBE,
  S_OFFSET,
  S_CHECKPOINT,
  S_PRUNE,
  S_KNOWN_QUERY,
  S_NEXT_ID,
  S_COUNT
};

struct sl_state {
  /* Guards the table list, the statements and the checkpoint ids, for
   * the tasks of one query that share the store (each writing only its
   * own partitions' tables).  Recursive: a checkpoint's changelog may
   * walk a partition while it holds the lock. */
  pthread_mutex_t mu;
  sl_catalog *cat;
  char *query;
  sl_state_table *tables;
  int64_t last_checkpoint;
  bool has_changelog;
  sl_state_changelog changelog;
  const sl_state_changelog *active; /* the running checkpoint's sink */
  sqlite3_stmt *stmts[S_COUNT];
  sl_strbuf chunk;   /* the chunk being encoded */
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
  free(t->log_op);
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

/* Adds an entry (a tombstone) for a key the table lacks. */
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

/* Unlinks e from its bucket and frees it. */
static void unlink_free(sl_state_table *t, sentry *e) {
  sentry **link = &t->buckets[e->hash & (t->nbuckets - 1)];
  while (*link != e)
    link = &(*link)->next;
  *link = e->next;
  if (!e->deleted) {
    t->live--;
    t->live_bytes -= (int64_t)(e->klen + e->vlen);
  }
  free(e->value);
  free(e);
  t->total--;
}

/* Gives entry e (present or a tombstone) a copy of value, in place when
 * it fits the allocation e has (value may point into it). */
static bool set_value(sl_state_table *t, sentry *e, const void *value,
                      size_t vlen) {
  size_t old = e->deleted ? 0 : e->klen + e->vlen;
  /* A value that shrank far gives its room back. */
  if (!e->value || vlen > e->vcap || (e->vcap > 256 && vlen < e->vcap / 4)) {
    size_t cap = vlen ? vlen : 1;
    void *copy = malloc(cap);
    if (!copy)
      return false;
    if (vlen)
      memcpy(copy, value, vlen);
    free(e->value);
    e->value = copy;
    e->vcap = cap;
  } else if (vlen) {
    memmove(e->value, value, vlen);
  }
  e->vlen = vlen;
  if (e->deleted)
    t->live++;
  e->deleted = false;
  t->live_bytes += (int64_t)(e->klen + vlen) - (int64_t)old;
  return true;
}

static sl_status table_get(sl_state *st, const char *op,
                           int32_t partition, sl_state_table **out,
                           sl_error *err) {
  for (sl_state_table *t = st->tables; t; t = t->next)
    if (t->partition == partition && strcmp(t->op, op) == 0) {
      *out = t;
      return SL_OK;
    }
  if (strchr(op, LOG_MARK))
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "state operator name \"%s\" holds the byte 0x1f "
                        "that the store reserves", op);
  sl_state_table *t = calloc(1, sizeof(*t));
  if (!t)
    return nomem(err);
  size_t oplen = strlen(op);
  t->op = strdup(op);
  t->log_op = malloc(oplen + 2);
  t->partition = partition;
  t->nbuckets = 64;
  t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
  if (!t->op || !t->log_op || !t->buckets) {
    free(t->op);
    free(t->log_op);
    free(t->buckets);
    free(t);
    return nomem(err);
  }
  memcpy(t->log_op, op, oplen);
  t->log_op[oplen] = LOG_MARK;
  t->log_op[oplen + 1] = '\0';
  t->next = st->tables;
  st->tables = t;
  *out = t;
  return SL_OK;
}

sl_status sl_state_table_get(sl_state *st, const char *op,
                             int32_t partition, sl_state_table **out,
                             sl_error *err) {
  pthread_mutex_lock(&st->mu);
  sl_status rc = table_get(st, op, partition, out, err);
  pthread_mutex_unlock(&st->mu);
  return rc;
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
  t->live--;
  t->live_bytes -= (int64_t)(e->klen + e->vlen);
  free(e->value);
  e->value = NULL;
  e->vlen = 0;
  e->vcap = 0;
  e->deleted = true;
  return true;
}

void sl_state_prefetch(const sl_state_table *t, const void *key,
                       size_t klen, bool deep) {
#if defined(__GNUC__)
  sentry *const *bucket =
      &t->buckets[XXH3_64bits(key, klen) & (t->nbuckets - 1)];
  if (!deep)
    __builtin_prefetch(bucket);
  else if (*bucket)
    __builtin_prefetch(*bucket);
#else
  (void)t;
  (void)key;
  (void)klen;
  (void)deep;
#endif
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
  sl_strbuf_init(&st->chunk);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&st->mu, &attr);
  pthread_mutexattr_destroy(&attr);
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
  for (int i = 0; i < S_COUNT; i++)
    sqlite3_finalize(st->stmts[i]);
  st->cat->nstates--;
  sl_catalog_unlock(st->cat);
  free_tables(st);
  sl_strbuf_free(&st->chunk);
  pthread_mutex_destroy(&st->mu);
  free(st->query);
  free(st);
}

void sl_state_set_changelog(sl_state *st, const sl_state_changelog *cl) {
  st->has_changelog = cl != NULL;
  if (cl)
    st->changelog = *cl;
}

static void release_partition(sl_state *st, int32_t partition);

void sl_state_release_partition(sl_state *st, int32_t partition) {
  pthread_mutex_lock(&st->mu);
  release_partition(st, partition);
  pthread_mutex_unlock(&st->mu);
}

int64_t sl_state_last_checkpoint(const sl_state *st) {
  return st->last_checkpoint;
}

/* Whether t is among the partitions of scope (NULL: all). */
static bool in_scope(const sl_state_scope *scope, const sl_state_table *t) {
  if (!scope || !scope->partitions)
    return true;
  for (int i = 0; i < scope->npartitions; i++)
    if (scope->partitions[i] == t->partition)
      return true;
  return false;
}

void sl_state_size(const sl_state *st, int64_t *entries, int64_t *bytes) {
  sl_state_size_of(st, NULL, entries, bytes);
}

void sl_state_size_of(const sl_state *st, const sl_state_scope *scope,
                      int64_t *entries, int64_t *bytes) {
  *entries = 0;
  *bytes = 0;
  pthread_mutex_lock((pthread_mutex_t *)&st->mu);
  for (const sl_state_table *t = st->tables; t; t = t->next) {
    if (!in_scope(scope, t))
      continue;
    *entries += (int64_t)t->live;
    *bytes += t->live_bytes;
  }
  pthread_mutex_unlock((pthread_mutex_t *)&st->mu);
}

size_t sl_state_dirty(const sl_state *st) {
  size_t n = 0;
  pthread_mutex_lock((pthread_mutex_t *)&st->mu);
  for (const sl_state_table *t = st->tables; t; t = t->next)
    n += t->ndirty;
  pthread_mutex_unlock((pthread_mutex_t *)&st->mu);
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

/* The store's prepared statement `which`, its first parameter bound to
 * the query id (they all start with it).  Reset after each use. */
static sl_status cached(sl_state *st, int which, sqlite3_stmt **out,
                        sl_error *err) {
  static const char *const sql[S_COUNT] = {
    [S_PUT] = "INSERT OR REPLACE INTO sluice_state_entries"
              " VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_DELETE] = "DELETE FROM sluice_state_entries WHERE query = ?1"
                 " AND operator = ?2 AND partition = ?3 AND key = ?4",
    [S_DELETE_TABLE] = "DELETE FROM sluice_state_entries WHERE query = ?1"
                       " AND operator = ?2 AND partition = ?3",
    [S_PROBE] = "SELECT count(*), coalesce(sum(length(value)), 0)"
                "  FROM sluice_state_entries WHERE query = ?1"
                "   AND operator = ?2 AND partition = ?3",
    [S_OFFSET] = "INSERT OR REPLACE INTO sluice_state_offsets"
                 " VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_CHECKPOINT] = "INSERT INTO sluice_state_checkpoints"
                     " VALUES (?1, ?2, ?3, ?4)",
    [S_PRUNE] = "DELETE FROM sluice_state_checkpoints"
                " WHERE query = ?1 AND id <= ?2",
    [S_KNOWN_QUERY] = "SELECT count(*) FROM sluice_queries WHERE id = ?1",
    [S_NEXT_ID] = "SELECT coalesce(max(id), 0)"
                  "  FROM sluice_state_checkpoints WHERE query = ?1",
  };
  if (!st->stmts[which]) {
    sl_status rc = prepare(st->cat, sql[which], &st->stmts[which], err);
    if (rc)
      return rc;
    sl_catalog_bind_text(st->stmts[which], 1, st->query);
  }
  *out = st->stmts[which];
  return SL_OK;
}

/* Binds a table's operator (its rows' or, with log, its chunks') and
 * partition to parameters 2 and 3. */
static void bind_table(sqlite3_stmt *s, const sl_state_table *t, bool log) {
  sqlite3_bind_text(s, 2, log ? t->log_op : t->op, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 3, t->partition);
}

/* Learns what the file holds of a table memory created (not restored):
 * when it holds nothing, memory is the whole table. */
static sl_status probe(sl_state *st, sl_state_table *t, sl_error *err) {
  sqlite3_stmt *s;
  sl_status rc = cached(st, S_PROBE, &s, err);
  int64_t counts[2] = {0, 0}, log_bytes = 0;
  for (int log = 0; !rc && log < 2; log++) {
    bind_table(s, t, log);
    if (sqlite3_step(s) == SQLITE_ROW) {
      counts[log] = sqlite3_column_int64(s, 0);
      if (log)
        log_bytes = sqlite3_column_int64(s, 1);
    } else {
      rc = sl_catalog_db_error(st->cat, err, "reading state");
    }
    sqlite3_reset(s);
  }
  if (rc)
    return rc;
  t->known = true;
  t->whole = counts[0] == 0 && counts[1] == 0;
  t->file.logged = counts[1] > 0;
  t->file.log_bytes = log_bytes;
  return SL_OK;
}

/* Hands changed entry e of t to the changelog, when there is one. */
static sl_status tell_changelog(sl_state *st, const sl_state_table *t,
                                int64_t id, const sentry *e,
                                sl_error *err) {
  const sl_state_changelog *cl = st->active;
  if (!cl || !cl->entry)
    return SL_OK;
  return cl->entry(cl->ud, id, t->op, t->partition, e->key, e->klen,
                   e->deleted ? NULL : e->value, e->vlen, err);
}

/* ---- Rows ---- */

/* Upserts or deletes each changed key of t, telling the changelog. */
static sl_status write_rows(sl_state *st, sl_state_table *t, int64_t id,
                            sl_error *err) {
  sqlite3_stmt *put, *del;
  sl_status rc = cached(st, S_PUT, &put, err);
  if (!rc)
    rc = cached(st, S_DELETE, &del, err);
  if (rc)
    return rc;
  bind_table(put, t, false);
  bind_table(del, t, false);
  for (size_t i = 0; !rc && i < t->ndirty; i++) {
    const sentry *e = t->dirty[i];
    sqlite3_stmt *s = e->deleted ? del : put;
    sqlite3_bind_blob(s, 4, e->key, (int)e->klen, SQLITE_STATIC);
    if (!e->deleted)
      sqlite3_bind_blob(s, 5, e->vlen ? e->value : "", (int)e->vlen,
                        SQLITE_STATIC);
    rc = step_reset(st->cat, s, "writing state", err);
    if (!rc)
      rc = tell_changelog(st, t, id, e, err);
  }
  return rc;
}

/* ---- Chunks ---- */

static void put_varint(sl_strbuf *b, uint64_t v) {
  unsigned char tmp[10];
  int n = 0;
  do {
    tmp[n] = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v)
      tmp[n] |= 0x80;
    n++;
  } while (v);
  sl_strbuf_append(b, tmp, (size_t)n);
}

/* Reads a varint at *p (before end); false when it runs past end. */
static bool get_varint(const unsigned char **p, const unsigned char *end,
                       uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    unsigned char c = *(*p)++;
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

/* Appends one record to the chunk buffer. */
static void put_record(sl_strbuf *b, const void *key, size_t klen,
                       const void *value, size_t vlen, bool deleted) {
  if (b->len == 0)
    sl_strbuf_appendc(b, CHUNK_VERSION);
  sl_strbuf_appendc(b, deleted ? REC_DELETE : REC_PUT);
  put_varint(b, klen);
  sl_strbuf_append(b, key, klen);
  if (!deleted) {
    put_varint(b, vlen);
    sl_strbuf_append(b, value, vlen);
  }
}

/* Writes the chunk buffer as chunk *n of checkpoint id of t, then
 * empties it. */
static sl_status flush_chunk(sl_state *st, sl_state_table *t, int64_t id,
                             int *n, sl_error *err) {
  sl_strbuf *b = &st->chunk;
  if (b->failed)
    return nomem(err);
  if (b->len == 0)
    return SL_OK;
  sqlite3_stmt *put;
  sl_status rc = cached(st, S_PUT, &put, err);
  if (rc)
    return rc;
  unsigned char key[12];
  uint64_t uid = (uint64_t)id;
  for (int i = 0; i < 8; i++)
    key[i] = (unsigned char)(uid >> (56 - 8 * i));
  for (int i = 0; i < 4; i++)
    key[8 + i] = (unsigned char)((uint32_t)*n >> (24 - 8 * i));
  bind_table(put, t, true);
  sqlite3_bind_blob(put, 4, key, (int)sizeof(key), SQLITE_STATIC);
  sqlite3_bind_blob(put, 5, b->data, (int)b->len, SQLITE_STATIC);
  rc = step_reset(st->cat, put, "writing state", err);
  if (!rc) {
    t->next_file.log_bytes += (int64_t)b->len;
    t->next_file.logged = true;
    (*n)++;
  }
  sl_strbuf_reset(b);
  return rc;
}

/* Hints to the processor that the dirty entry i + 8 of t, and the value
 * of entry i + 4, are read soon: the dirty list visits entries all over
 * memory, and a large table's walk would otherwise wait on each. */
static void hint_dirty(const sl_state_table *t, size_t i) {
#if defined(__GNUC__)
  if (i + 8 < t->ndirty)
    __builtin_prefetch(t->dirty[i + 8]);
  if (i + 4 < t->ndirty && t->dirty[i + 4]->value)
    __builtin_prefetch(t->dirty[i + 4]->value);
#else
  (void)t;
  (void)i;
#endif
}

/* Appends the changes of t as chunks of checkpoint id, telling the
 * changelog (in the same walk: a large table's entries are far apart in
 * memory, and a second walk would wait for each again). */
static sl_status write_changes(sl_state *st, sl_state_table *t, int64_t id,
                               sl_error *err) {
  sl_status rc = SL_OK;
  int n = 0;
  sl_strbuf_reset(&st->chunk);
  for (size_t i = 0; !rc && i < t->ndirty; i++) {
    hint_dirty(t, i);
    const sentry *e = t->dirty[i];
    put_record(&st->chunk, e->key, e->klen, e->value, e->vlen, e->deleted);
    rc = tell_changelog(st, t, id, e, err);
    if (!rc && st->chunk.len >= CHUNK_BYTES)
      rc = flush_chunk(st, t, id, &n, err);
  }
  if (!rc)
    rc = flush_chunk(st, t, id, &n, err);
  return rc;
}

/* Replaces what the file holds of t with its live entries: rows when
 * they are few, else chunks of checkpoint id.  The one walk over the
 * table also tells the changelog of the changed entries. */
static sl_status compact(sl_state *st, sl_state_table *t, int64_t id,
                         sl_error *err) {
  sqlite3_stmt *del, *put = NULL;
  sl_status rc = cached(st, S_DELETE_TABLE, &del, err);
  for (int log = 0; !rc && log < 2; log++) {
    bind_table(del, t, log);
    rc = step_reset(st->cat, del, "compacting state", err);
  }
  bool rows = t->live <= ROWS_MAX;
  if (!rc && rows && !(rc = cached(st, S_PUT, &put, err)))
    bind_table(put, t, false);
  if (rc)
    return rc;
  t->next_file.logged = false;
  t->next_file.log_bytes = 0;

  int n = 0;
  sl_strbuf_reset(&st->chunk);
  for (size_t b = 0; !rc && b < t->nbuckets; b++) {
#if defined(__GNUC__)
    if (b + 4 < t->nbuckets && t->buckets[b + 4])
      __builtin_prefetch(t->buckets[b + 4]);
#endif
    for (const sentry *e = t->buckets[b]; !rc && e; e = e->next) {
      if (e->dirty)
        rc = tell_changelog(st, t, id, e, err);
      if (rc || e->deleted)
        continue;
      if (rows) {
        sqlite3_bind_blob(put, 4, e->key, (int)e->klen, SQLITE_STATIC);
        sqlite3_bind_blob(put, 5, e->vlen ? e->value : "", (int)e->vlen,
                          SQLITE_STATIC);
        rc = step_reset(st->cat, put, "writing state", err);
        continue;
      }
      put_record(&st->chunk, e->key, e->klen, e->value, e->vlen, false);
      if (st->chunk.len >= CHUNK_BYTES)
        rc = flush_chunk(st, t, id, &n, err);
    }
  }
  if (!rc && !rows)
    rc = flush_chunk(st, t, id, &n, err);
  return rc;
}

/* The bytes of the changes of t as a chunk would hold them (an upper
 * bound: varints counted at their widest for the sizes here). */
static int64_t changes_bytes(const sl_state_table *t) {
  int64_t n = 1;
  for (size_t i = 0; i < t->ndirty; i++) {
    const sentry *e = t->dirty[i];
    n += 1 + 5 + (int64_t)e->klen + (e->deleted ? 0 : 5 + (int64_t)e->vlen);
  }
  return n;
}

/* Writes what changed in t in the form its size asks for (see the top
 * of the file), telling the changelog of each change. */
static sl_status write_table(sl_state *st, sl_state_table *t, int64_t id,
                             int64_t *written, sl_error *err) {
  t->next_file = t->file;
  if (t->ndirty == 0)
    return SL_OK;
  sl_status rc = SL_OK;
  if (!t->known) {
    if ((rc = probe(st, t, err)))
      return rc;
    t->next_file = t->file;
  }

  /* The live entries encoded: about their bytes plus a few per entry. */
  int64_t snapshot = t->live_bytes + 11 * (int64_t)t->live;
  if (!t->file.logged && t->ndirty <= ROWS_MAX) {
    rc = write_rows(st, t, id, err);
  } else if (t->whole && t->file.log_bytes + changes_bytes(t) >
                             COMPACT_RATIO * snapshot + COMPACT_SLACK) {
    rc = compact(st, t, id, err);
  } else {
    rc = write_changes(st, t, id, err);
  }
  *written += (int64_t)t->ndirty;
  return rc;
}

/* Writes every changed table of scope; *written counts the changed
 * entries. */
static sl_status write_entries(sl_state *st, const sl_state_scope *scope,
                               int64_t id, int64_t *written,
                               sl_error *err) {
  sl_status rc = SL_OK;
  for (sl_state_table *t = st->tables; !rc && t; t = t->next)
    if (in_scope(scope, t))
      rc = write_table(st, t, id, written, err);
  return rc;
}

static sl_status write_offsets(sl_state *st, int64_t id,
                               const sl_catalog_offset *offsets, int n,
                               sl_error *err) {
  sqlite3_stmt *s;
  sl_status rc = cached(st, S_OFFSET, &s, err);
  for (int i = 0; !rc && i < n; i++) {
    sqlite3_bind_text(s, 2, offsets[i].topic, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, offsets[i].partition);
    sqlite3_bind_int64(s, 4, offsets[i].offset);
    sqlite3_bind_int64(s, 5, id);
    rc = step_reset(st->cat, s, "writing checkpoint offsets", err);
  }
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
  sqlite3_stmt *s;
  sl_status rc = cached(st, S_CHECKPOINT, &s, err);
  if (rc)
    return rc;
  sqlite3_bind_int64(s, 2, id);
  sqlite3_bind_int64(s, 3, sl_catalog_now_ms());
  sqlite3_bind_int64(s, 4, written);
  rc = step_reset(cat, s, "writing a checkpoint", err);

  if (!rc && !(rc = cached(st, S_PRUNE, &s, err))) {
    sqlite3_bind_int64(s, 2, id - KEEP_CHECKPOINTS);
    rc = step_reset(cat, s, "pruning checkpoints", err);
  }

  if (!rc && !(rc = cached(st, S_KNOWN_QUERY, &s, err))) {
    bool known = sqlite3_step(s) == SQLITE_ROW &&
                 sqlite3_column_int(s, 0) > 0;
    sqlite3_reset(s);
    if (known)
      rc = sl_catalog_write_progress(cat, st->query, offsets, n, counters,
                                     err);
  }
  return rc;
}

/* The id the next checkpoint takes: one more than any recorded. */
static sl_status next_id(sl_state *st, int64_t *id, sl_error *err) {
  sqlite3_stmt *s;
  sl_status rc = cached(st, S_NEXT_ID, &s, err);
  if (rc)
    return rc;
  if (sqlite3_step(s) == SQLITE_ROW)
    *id = sqlite3_column_int64(s, 0) + 1;
  else
    rc = sl_catalog_db_error(st->cat, err, "reading checkpoints");
  sqlite3_reset(s);
  if (!rc && *id <= st->last_checkpoint)
    *id = st->last_checkpoint + 1;
  return rc;
}

/* After the commit: entries are clean, tombstones go, and each table's
 * record of the file is what the checkpoint left. */
static void settle(sl_state *st, const sl_state_scope *scope) {
  for (sl_state_table *t = st->tables; t; t = t->next) {
    if (!in_scope(scope, t))
      continue;
    if (t->known)
      t->file = t->next_file;
    for (size_t i = 0; i < t->ndirty; i++) {
#if defined(__GNUC__)
      /* Unlinking a tombstone reads its bucket: hint it ahead. */
      if (i + 8 < t->ndirty)
        __builtin_prefetch(t->dirty[i + 8]);
      if (i + 4 < t->ndirty && t->dirty[i + 4]->deleted)
        __builtin_prefetch(
            &t->buckets[t->dirty[i + 4]->hash & (t->nbuckets - 1)]);
#endif
      sentry *e = t->dirty[i];
      e->dirty = false;
      if (e->deleted)
        unlink_free(t, e);
    }
    t->ndirty = 0;
  }
}

sl_status sl_state_checkpoint(sl_state *st, const sl_catalog_offset *offsets,
                              int noffsets,
                              const sl_catalog_counters *counters,
                              int64_t *checkpoint_id, sl_error *err) {
  return sl_state_checkpoint_scope(st, NULL, offsets, noffsets, counters,
                                   checkpoint_id, err);
}

sl_status sl_state_checkpoint_scope(sl_state *st,
                                    const sl_state_scope *scope,
                                    const sl_catalog_offset *offsets,
                                    int noffsets,
                                    const sl_catalog_counters *counters,
                                    int64_t *checkpoint_id, sl_error *err) {
  sl_catalog *cat = st->cat;
  pthread_mutex_lock(&st->mu);
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc) {
    pthread_mutex_unlock(&st->mu);
    return rc;
  }
  st->active = scope ? scope->changelog
                     : st->has_changelog ? &st->changelog : NULL;

  int64_t id = 0, written = 0;
  rc = next_id(st, &id, err);
  if (!rc)
    rc = write_entries(st, scope, id, &written, err);
  if (!rc)
    rc = write_offsets(st, id, offsets, noffsets, err);
  if (!rc && st->active && st->active->boundary)
    rc = st->active->boundary(st->active->ud, id, offsets, noffsets, err);
  if (!rc)
    rc = write_checkpoint_row(st, id, written, offsets, noffsets, counters,
                              err);
  st->active = NULL;
  if (rc) {
    sl_catalog_rollback(cat);
    pthread_mutex_unlock(&st->mu);
    sl_error_prefix(err, "checkpoint %lld of query \"%s\"", (long long)id,
                    st->query);
    return rc;
  }
  rc = sl_catalog_commit(cat, err);
  if (rc) {
    pthread_mutex_unlock(&st->mu);
    sl_error_prefix(err, "checkpoint %lld of query \"%s\"", (long long)id,
                    st->query);
    return rc;
  }

  settle(st, scope);
  st->last_checkpoint = id;
  pthread_mutex_unlock(&st->mu);
  if (checkpoint_id)
    *checkpoint_id = id;
  return SL_OK;
}

/* ==== Restore ========================================================== */

/* Applies one chunk of t (see the top of the file). */
static sl_status replay_chunk(sl_state *st, sl_state_table *t,
                              const unsigned char *p, size_t n,
                              sl_error *err) {
  const unsigned char *end = p + n;
  if (n == 0 || *p++ != CHUNK_VERSION)
    goto corrupt;
  while (p < end) {
    unsigned char kind = *p++;
    uint64_t klen, vlen = 0;
    if ((kind != REC_PUT && kind != REC_DELETE) ||
        !get_varint(&p, end, &klen) || klen > (uint64_t)(end - p))
      goto corrupt;
    const unsigned char *key = p;
    p += klen;
    const unsigned char *value = NULL;
    if (kind == REC_PUT) {
      if (!get_varint(&p, end, &vlen) || vlen > (uint64_t)(end - p))
        goto corrupt;
      value = p;
      p += vlen;
    }
    uint64_t hash = XXH3_64bits(key, (size_t)klen);
    sentry *e = find(t, hash, key, (size_t)klen);
    if (kind == REC_DELETE) {
      if (e)
        unlink_free(t, e);
      continue;
    }
    if (!e && !(e = insert(t, hash, key, (size_t)klen)))
      return nomem(err);
    if (!set_value(t, e, value, (size_t)vlen))
      return nomem(err);
  }
  return SL_OK;

corrupt:
  return sl_error_set(err, SL_ERR_RUNTIME,
                      "state of query \"%s\" operator \"%s\" partition %d "
                      "is corrupt", st->query, t->op, (int)t->partition);
}

/* Loads every table of the query: rows, then chunks in order.  The
 * order by operator puts a table's rows ("op") before its chunks
 * ("op" 0x1f), since every operator name sorts before its marked one. */
static sl_status load_entries(sl_state *st, int32_t only, sl_error *err) {
  sqlite3_stmt *s;
  sl_status rc = prepare(st->cat,
                         "SELECT operator, partition, key, value"
                         "  FROM sluice_state_entries WHERE query = ?1"
                         "   AND (?2 < 0 OR partition = ?2)"
                         " ORDER BY operator, partition, key",
                         &s, err);
  if (rc)
    return rc;
  sl_catalog_bind_text(s, 1, st->query);
  sqlite3_bind_int(s, 2, only);
  sl_state_table *t = NULL;
  bool log = false;
  int step;
  char *name = NULL;
  while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
    const char *op = (const char *)sqlite3_column_text(s, 0);
    size_t oplen = (size_t)sqlite3_column_bytes(s, 0);
    int32_t partition = sqlite3_column_int(s, 1);
    bool is_log = oplen > 0 && op[oplen - 1] == LOG_MARK;
    size_t baselen = is_log ? oplen - 1 : oplen;
    if (!t || t->partition != partition || log != is_log ||
        strlen(t->op) != baselen || memcmp(t->op, op, baselen) != 0) {
      free(name);
      if (!(name = malloc(baselen + 1))) {
        rc = nomem(err);
        break;
      }
      memcpy(name, op ? op : "", baselen);
      name[baselen] = '\0';
      if ((rc = table_get(st, name, partition, &t, err)))
        break;
      t->known = true;
      t->whole = true;
      log = is_log;
    }
    const void *key = sqlite3_column_blob(s, 2);
    size_t klen = (size_t)sqlite3_column_bytes(s, 2);
    const void *value = sqlite3_column_blob(s, 3);
    size_t vlen = (size_t)sqlite3_column_bytes(s, 3);
    if (is_log) {
      t->file.logged = true;
      t->file.log_bytes += (int64_t)vlen;
      rc = replay_chunk(st, t, value, vlen, err);
      continue;
    }
    uint64_t hash = XXH3_64bits(key, klen);
    sentry *e = insert(t, hash, key ? key : "", klen);
    if (!e || !set_value(t, e, value, vlen))
      rc = nomem(err);
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(st->cat, err, "reading state");
  free(name);
  sqlite3_finalize(s);
  return rc;
}

static sl_status restore(sl_state *st, int64_t *checkpoint_id,
                         sl_error *err) {
  free_tables(st);
  st->last_checkpoint = 0;
  sl_status rc = sl_catalog_begin(st->cat, err);
  if (rc)
    return rc;
  int64_t id = 0;
  rc = next_id(st, &id, err);
  if (!rc)
    rc = load_entries(st, -1, err);
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

/* Frees the tables of one partition; the caller holds st->mu. */
static void release_partition(sl_state *st, int32_t partition) {
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

size_t sl_state_partition_dirty(sl_state *st, int32_t partition) {
  size_t n = 0;
  pthread_mutex_lock(&st->mu);
  for (const sl_state_table *t = st->tables; t; t = t->next)
    if (t->partition == partition)
      n += t->ndirty;
  pthread_mutex_unlock(&st->mu);
  return n;
}

sl_status sl_state_reload_partition(sl_state *st, int32_t partition,
                                    sl_error *err) {
  pthread_mutex_lock(&st->mu);
  release_partition(st, partition);
  sl_catalog_lock(st->cat);
  sl_status rc = load_entries(st, partition, err);
  sl_catalog_unlock(st->cat);
  if (rc)
    release_partition(st, partition);
  pthread_mutex_unlock(&st->mu);
  return rc ? sl_error_prefix(err, "reloading partition %d of query "
                              "\"%s\"", (int)partition, st->query)
            : SL_OK;
}

sl_status sl_state_restore(sl_state *st, int64_t *checkpoint_id,
                           sl_error *err) {
  pthread_mutex_lock(&st->mu);
  sl_status rc = restore(st, checkpoint_id, err);
  pthread_mutex_unlock(&st->mu);
  return rc;
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

/* ==== Partitions loaded from outside ==================================== */

sl_status sl_state_partition_checkpoint(sl_state *st, int32_t partition,
                                        int64_t *id, sl_error *err) {
  *id = 0;
  sl_catalog_lock(st->cat);
  sqlite3_stmt *stmt;
  sl_status rc = prepare(st->cat,
                         "SELECT coalesce(max(checkpoint), 0)"
                         "  FROM sluice_state_offsets WHERE query = ?1"
                         "   AND (?2 < 0 OR partition = ?2)",
                         &stmt, err);
  if (!rc) {
    sl_catalog_bind_text(stmt, 1, st->query);
    sqlite3_bind_int(stmt, 2, partition);
    if (sqlite3_step(stmt) == SQLITE_ROW)
      *id = sqlite3_column_int64(stmt, 0);
    else
      rc = sl_catalog_db_error(st->cat, err, "reading checkpoint offsets");
    sqlite3_finalize(stmt);
  }
  sl_catalog_unlock(st->cat);
  return rc;
}

sl_status sl_state_reset_partition(sl_state *st, int32_t partition,
                                   sl_error *err) {
  static const char *const sql[] = {
    "DELETE FROM sluice_state_entries WHERE query = ?1"
    " AND (?2 < 0 OR partition = ?2)",
    "DELETE FROM sluice_state_offsets WHERE query = ?1"
    " AND (?2 < 0 OR partition = ?2)",
  };
  sl_status rc = sl_catalog_begin(st->cat, err);
  if (rc)
    return rc;
  for (size_t i = 0; !rc && i < sizeof(sql) / sizeof(sql[0]); i++) {
    sqlite3_stmt *stmt;
    rc = prepare(st->cat, sql[i], &stmt, err);
    if (rc)
      break;
    sl_catalog_bind_text(stmt, 1, st->query);
    sqlite3_bind_int(stmt, 2, partition);
    rc = step_reset(st->cat, stmt, "forgetting a partition's state", err);
    sqlite3_finalize(stmt);
  }
  if (rc) {
    sl_catalog_rollback(st->cat);
    return rc;
  }
  rc = sl_catalog_commit(st->cat, err);
  if (rc)
    return rc;

  /* The catalog no longer has them: neither may memory. */
  pthread_mutex_lock(&st->mu);
  if (partition < 0)
    free_tables(st);
  else
    release_partition(st, partition);
  pthread_mutex_unlock(&st->mu);
  return SL_OK;
}

void sl_state_raise_checkpoint(sl_state *st, int64_t id) {
  pthread_mutex_lock(&st->mu);
  if (id > st->last_checkpoint)
    st->last_checkpoint = id;
  pthread_mutex_unlock(&st->mu);
}

sl_status sl_state_partition_each(sl_state *st, int32_t partition,
                                  sl_state_each_fn fn, void *ud,
                                  sl_error *err) {
  sl_status rc = SL_OK;
  pthread_mutex_lock(&st->mu);
  for (sl_state_table *t = st->tables; !rc && t; t = t->next) {
    if (t->partition != partition)
      continue;
    sl_state_iter it;
    const void *key, *value;
    size_t klen, vlen;
    sl_state_iter_init(&it, t);
    while (!rc && sl_state_iter_next(&it, &key, &klen, &value, &vlen))
      rc = fn(ud, t->op, key, klen, value, vlen, err);
  }
  pthread_mutex_unlock(&st->mu);
  return rc;
}
