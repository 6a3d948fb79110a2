/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lookup.c - SQLite storage of tables and training sets, and the handles
 * that read and write it.
 *
 * Storage.  A table is a WITHOUT ROWID SQLite table keyed by its PRIMARY
 * KEY columns, so a point lookup is one B-tree descent.  A versioned
 * table adds sluice_valid_from to the key and a sluice_deleted flag: each
 * row is one version, and the version valid at ts is the one with the
 * greatest valid_from <= ts.  A training set is an ordinary rowid table,
 * appended to in order.  Columns are stored in the classes of
 * sqlvalue.c.
 *
 * Handles.  Each handle prepares its statements once.  Reads (get,
 * get_as_of) hold the handle's mutex, which also guards its cache; writes
 * hold the catalog's lock, so they never interleave with another
 * thread's transaction, and then take each handle's mutex in turn to drop
 * the written key from its cache (lock order: catalog, then handle).  A
 * reader that fetched a row before a write holds its handle's mutex until
 * the row is cached, so the writer's invalidation always comes after it
 * and no stale row survives a write.
 *
 * The cache maps the encoded key (kind tags and raw bytes of the key
 * values, cast to the key columns' types) to a copy of the row, or to
 * "no such key", in a chained hash table with an LRU list; the least
 * recently used entry goes when the bound is reached.
 */
#include "catalog/lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "catalog/catalog_internal.h"
#include "engine/types/decimal.h"
#include "engine/types/strbuf.h"

#define VALID_FROM "sluice_valid_from"
#define DELETED "sluice_deleted"

typedef struct entry entry;

struct entry {
  entry *chain;       /* next in the hash bucket */
  entry *newer;       /* LRU neighbours */
  entry *older;
  uint64_t hash;
  uint32_t klen;
  bool found;         /* false: the key is known to be absent */
  sl_value *row;      /* ncolumns values inside this allocation */
  unsigned char key[];
};

struct sl_lookup {
  sl_catalog *cat;
  sl_catalog_object *obj;
  sl_lookup *next;          /* in the catalog's list of open handles */
  bool keyed;               /* a table with a PRIMARY KEY */
  bool versioned;
  int nkeys;
  int *keys;                /* key column indexes, in key order */
  sqlite3_stmt *get_stmt;
  sqlite3_stmt *as_of_stmt;
  sqlite3_stmt *upsert_stmt;
  sqlite3_stmt *delete_stmt;

  pthread_mutex_t mu;       /* the cache and the read statements */
  sl_arena read_scratch;
  sl_strbuf read_key;
  sl_arena write_scratch;   /* used under the catalog's lock */
  sl_strbuf write_key;

  entry **buckets;
  size_t nbuckets;
  size_t count;
  size_t capacity;
  entry *newest;
  entry *oldest;
  sl_lookup_stats stats;
};

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* ==== SQL text ========================================================= */

static void append_ident(sl_strbuf *sb, const char *name) {
  sl_strbuf_appendc(sb, '"');
  for (const char *p = name; *p; p++) {
    sl_strbuf_appendc(sb, *p);
    if (*p == '"')
      sl_strbuf_appendc(sb, '"');
  }
  sl_strbuf_appendc(sb, '"');
}

char *sl_lookup_quote_ident(const char *name, char *buf, size_t size) {
  return sl_catalog_quote_ident(name, buf, size) ? buf : NULL;
}

static bool is_versioned(const sl_catalog_object *obj) {
  return obj->kind == SL_CATALOG_TABLE &&
         sl_catalog_object_option_true(obj, "versioned");
}

/* Appends "c1", "c2", ... (with a table alias when given). */
static void append_columns(sl_strbuf *sb, const sl_catalog_object *obj,
                           const char *alias) {
  for (int i = 0; i < obj->ncolumns; i++) {
    if (i)
      sl_strbuf_appends(sb, ", ");
    if (alias)
      sl_strbuf_appendf(sb, "%s.", alias);
    append_ident(sb, obj->columns[i].name);
  }
}

/* Appends "k1" = ?1 AND "k2" = ?2 ... */
static void append_key_match(sl_strbuf *sb, const sl_lookup *lk) {
  for (int i = 0; i < lk->nkeys; i++) {
    if (i)
      sl_strbuf_appends(sb, " AND ");
    append_ident(sb, lk->obj->columns[lk->keys[i]].name);
    sl_strbuf_appendf(sb, " = ?%d", i + 1);
  }
}

static void append_key_list(sl_strbuf *sb, const sl_lookup *lk) {
  for (int i = 0; i < lk->nkeys; i++) {
    if (i)
      sl_strbuf_appends(sb, ", ");
    append_ident(sb, lk->obj->columns[lk->keys[i]].name);
  }
}

sl_status sl_lookup_create_storage(sl_catalog *cat,
                                   const sl_catalog_object *obj,
                                   sl_error *err) {
  bool table = obj->kind == SL_CATALOG_TABLE;
  bool versioned = is_versioned(obj);
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_strbuf_appends(&sb, "CREATE TABLE ");
  append_ident(&sb, obj->storage);
  sl_strbuf_appends(&sb, " (");
  for (int i = 0; i < obj->ncolumns; i++) {
    const sl_catalog_column *col = &obj->columns[i];
    if (i)
      sl_strbuf_appends(&sb, ", ");
    append_ident(&sb, col->name);
    sl_strbuf_appendf(&sb, " %s", sl_catalog_storage_class(col->type));
    /* A tombstone version has NULL in every column but the key. */
    if (col->primary_key || (col->not_null && !versioned))
      sl_strbuf_appends(&sb, " NOT NULL");
  }
  if (versioned)
    sl_strbuf_appends(&sb, ", \"" VALID_FROM "\" INTEGER NOT NULL, \""
                           DELETED "\" INTEGER NOT NULL DEFAULT 0");
  if (table) {
    sl_strbuf_appends(&sb, ", PRIMARY KEY (");
    bool first = true;
    for (int i = 0; i < obj->ncolumns; i++) {
      if (!obj->columns[i].primary_key)
        continue;
      if (!first)
        sl_strbuf_appends(&sb, ", ");
      append_ident(&sb, obj->columns[i].name);
      first = false;
    }
    if (versioned)
      sl_strbuf_appends(&sb, ", \"" VALID_FROM "\"");
    sl_strbuf_appends(&sb, ")) WITHOUT ROWID");
  } else {
    sl_strbuf_appendc(&sb, ')');
  }
  if (sb.failed) {
    sl_strbuf_free(&sb);
    return nomem(err);
  }
  sl_status rc = sl_catalog_exec(cat, sb.data, err);
  if (rc)
    sl_error_prefix(err, "creating the storage of %s \"%s\"",
                    sl_catalog_kind_name(obj->kind), obj->name);
  sl_strbuf_free(&sb);
  return rc;
}

sl_status sl_lookup_drop_storage(sl_catalog *cat,
                                 const sl_catalog_object *obj,
                                 sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_strbuf_appends(&sb, "DROP TABLE IF EXISTS ");
  append_ident(&sb, obj->storage);
  if (sb.failed) {
    sl_strbuf_free(&sb);
    return nomem(err);
  }
  sl_status rc = sl_catalog_exec(cat, sb.data, err);
  sl_strbuf_free(&sb);
  return rc;
}

/* ==== The cache ======================================================== */

static size_t align8(size_t n) {
  return (n + 7) & ~(size_t)7;
}

static size_t item_count(const sl_value *v) {
  return v->kind == SL_TYPE_MAP ? 2 * (size_t)v->len : v->len;
}

static bool is_composite_kind(int kind) {
  return kind == SL_TYPE_ARRAY || kind == SL_TYPE_MAP ||
         kind == SL_TYPE_STRUCT;
}

/* Bytes a value needs outside its own slot. */
static size_t value_extra(const sl_value *v) {
  if (v->kind == SL_TYPE_VARCHAR || v->kind == SL_TYPE_BYTES)
    return align8(v->len);
  if (!is_composite_kind(v->kind))
    return 0;
  size_t n = item_count(v);
  size_t size = n * sizeof(sl_value);
  for (size_t i = 0; i < n; i++)
    size += value_extra(&v->u.items[i]);
  return size;
}

/* Copies src into dst, its variable parts at *cursor. */
static void value_flat(const sl_value *src, sl_value *dst, char **cursor) {
  *dst = *src;
  if (src->kind == SL_TYPE_VARCHAR || src->kind == SL_TYPE_BYTES) {
    if (src->len)
      memcpy(*cursor, src->u.str, src->len);
    dst->u.str = *cursor;
    *cursor += align8(src->len);
  } else if (is_composite_kind(src->kind)) {
    size_t n = item_count(src);
    sl_value *items = (sl_value *)(void *)*cursor;
    *cursor += n * sizeof(sl_value);
    for (size_t i = 0; i < n; i++)
      value_flat(&src->u.items[i], &items[i], cursor);
    dst->u.items = items;
  }
}

static void lru_unlink(sl_lookup *lk, entry *e) {
  if (e->newer)
    e->newer->older = e->older;
  else
    lk->newest = e->older;
  if (e->older)
    e->older->newer = e->newer;
  else
    lk->oldest = e->newer;
  e->newer = e->older = NULL;
}

static void lru_push(sl_lookup *lk, entry *e) {
  e->older = lk->newest;
  e->newer = NULL;
  if (lk->newest)
    lk->newest->newer = e;
  lk->newest = e;
  if (!lk->oldest)
    lk->oldest = e;
}

static entry *cache_find(sl_lookup *lk, uint64_t hash, const void *key,
                         size_t klen) {
  for (entry *e = lk->buckets[hash & (lk->nbuckets - 1)]; e; e = e->chain)
    if (e->hash == hash && e->klen == klen && memcmp(e->key, key, klen) == 0)
      return e;
  return NULL;
}

static void cache_remove(sl_lookup *lk, entry *e) {
  entry **link = &lk->buckets[e->hash & (lk->nbuckets - 1)];
  while (*link != e)
    link = &(*link)->chain;
  *link = e->chain;
  lru_unlink(lk, e);
  lk->count--;
  free(e);
}

static void cache_clear(sl_lookup *lk) {
  entry *e = lk->newest;
  while (e) {
    entry *older = e->older;
    free(e);
    e = older;
  }
  if (lk->buckets)
    memset(lk->buckets, 0, lk->nbuckets * sizeof(*lk->buckets));
  lk->newest = lk->oldest = NULL;
  lk->count = 0;
}

/* Caches row (or its absence) for key.  Out of memory just skips the
 * cache: it is an optimization, never the truth. */
static void cache_put(sl_lookup *lk, uint64_t hash, const void *key,
                      size_t klen, const sl_value *row, bool found) {
  if (lk->count >= lk->capacity) {
    cache_remove(lk, lk->oldest);
    lk->stats.evictions++;
  }
  int ncols = lk->obj->ncolumns;
  size_t row_at = align8(sizeof(entry) + klen);
  size_t size = row_at;
  if (found) {
    size += (size_t)ncols * sizeof(sl_value);
    for (int i = 0; i < ncols; i++)
      size += value_extra(&row[i]);
  }
  entry *e = malloc(size);
  if (!e)
    return;
  e->hash = hash;
  e->klen = (uint32_t)klen;
  e->found = found;
  memcpy(e->key, key, klen);
  e->row = NULL;
  if (found) {
    e->row = (sl_value *)(void *)((char *)e + row_at);
    char *cursor = (char *)(e->row + ncols);
    for (int i = 0; i < ncols; i++)
      value_flat(&row[i], &e->row[i], &cursor);
  }
  entry **bucket = &lk->buckets[hash & (lk->nbuckets - 1)];
  e->chain = *bucket;
  *bucket = e;
  lru_push(lk, e);
  lk->count++;
}

/* Appends the canonical bytes of key values already cast to the key
 * columns' types. */
static sl_status encode_key(sl_strbuf *sb, const sl_value *keys, int n,
                            sl_error *err) {
  sl_strbuf_reset(sb);
  for (int i = 0; i < n; i++) {
    const sl_value *v = &keys[i];
    sl_strbuf_appendc(sb, (char)v->kind);
    switch (v->kind) {
    case SL_TYPE_BOOLEAN:
      sl_strbuf_appendc(sb, v->u.b ? 1 : 0);
      break;
    case SL_TYPE_INT:
    case SL_TYPE_DATE:
      sl_strbuf_append(sb, &v->u.i32, sizeof(v->u.i32));
      break;
    case SL_TYPE_DOUBLE: {
      double d = v->u.f64 == 0 ? 0.0 : v->u.f64; /* -0 is 0 */
      sl_strbuf_append(sb, &d, sizeof(d));
      break;
    }
    case SL_TYPE_DECIMAL:
      sl_strbuf_append(sb, &v->u.dec, sizeof(v->u.dec));
      sl_strbuf_appendc(sb, (char)v->scale);
      break;
    case SL_TYPE_VARCHAR:
    case SL_TYPE_BYTES:
      sl_strbuf_append(sb, &v->len, sizeof(v->len));
      sl_strbuf_append(sb, v->u.str, v->len);
      break;
    default:
      sl_strbuf_append(sb, &v->u.i64, sizeof(v->u.i64));
      break;
    }
  }
  return sb->failed ? nomem(err) : SL_OK;
}

/* ==== Opening ========================================================== */

static sl_status prepare(sl_lookup *lk, sl_strbuf *sb, sqlite3_stmt **stmt,
                         sl_error *err) {
  if (sb->failed)
    return nomem(err);
  if (sqlite3_prepare_v3(lk->cat->db, sb->data, -1,
                         SQLITE_PREPARE_PERSISTENT, stmt,
                         NULL) != SQLITE_OK) {
    *stmt = NULL;
    return sl_catalog_db_error(lk->cat, err, "preparing lookups on \"%s\"",
                               lk->obj->name);
  }
  sl_strbuf_reset(sb);
  return SL_OK;
}

/* Prepares the get, get_as_of, upsert and delete statements. */
static sl_status prepare_statements(sl_lookup *lk, sl_error *err) {
  const sl_catalog_object *obj = lk->obj;
  int n = obj->ncolumns;
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_status rc = SL_OK;

  /* Writes. */
  sl_strbuf_appends(&sb, lk->keyed ? "INSERT OR REPLACE INTO "
                                   : "INSERT INTO ");
  append_ident(&sb, obj->storage);
  sl_strbuf_appends(&sb, " (");
  append_columns(&sb, obj, NULL);
  if (lk->versioned)
    sl_strbuf_appends(&sb, ", \"" VALID_FROM "\", \"" DELETED "\"");
  sl_strbuf_appends(&sb, ") VALUES (");
  for (int i = 0; i < n; i++)
    sl_strbuf_appendf(&sb, "%s?%d", i ? ", " : "", i + 1);
  if (lk->versioned)
    sl_strbuf_appendf(&sb, ", ?%d, 0", n + 1);
  sl_strbuf_appendc(&sb, ')');
  rc = prepare(lk, &sb, &lk->upsert_stmt, err);
  if (rc || !lk->keyed)
    goto done;

  if (lk->versioned) {
    sl_strbuf_appends(&sb, "INSERT OR REPLACE INTO ");
    append_ident(&sb, obj->storage);
    sl_strbuf_appends(&sb, " (");
    append_key_list(&sb, lk);
    sl_strbuf_appends(&sb, ", \"" VALID_FROM "\", \"" DELETED "\") VALUES (");
    for (int i = 0; i < lk->nkeys; i++)
      sl_strbuf_appendf(&sb, "?%d, ", i + 1);
    sl_strbuf_appendf(&sb, "?%d, 1)", lk->nkeys + 1);
  } else {
    sl_strbuf_appends(&sb, "DELETE FROM ");
    append_ident(&sb, obj->storage);
    sl_strbuf_appends(&sb, " WHERE ");
    append_key_match(&sb, lk);
  }
  rc = prepare(lk, &sb, &lk->delete_stmt, err);
  if (rc)
    goto done;

  /* Reads: the newest version first, with its deleted flag after the
   * columns. */
  for (int as_of = 0; as_of <= lk->versioned; as_of++) {
    sl_strbuf_appends(&sb, "SELECT ");
    append_columns(&sb, obj, NULL);
    if (lk->versioned)
      sl_strbuf_appends(&sb, ", \"" DELETED "\"");
    sl_strbuf_appends(&sb, " FROM ");
    append_ident(&sb, obj->storage);
    sl_strbuf_appends(&sb, " WHERE ");
    append_key_match(&sb, lk);
    if (as_of)
      sl_strbuf_appendf(&sb, " AND \"" VALID_FROM "\" <= ?%d",
                        lk->nkeys + 1);
    if (lk->versioned)
      sl_strbuf_appends(&sb, " ORDER BY \"" VALID_FROM "\" DESC LIMIT 1");
    rc = prepare(lk, &sb, as_of ? &lk->as_of_stmt : &lk->get_stmt, err);
    if (rc)
      goto done;
  }

done:
  sl_strbuf_free(&sb);
  return rc;
}

void sl_lookup_close(sl_lookup *lk) {
  if (!lk)
    return;
  sl_catalog *cat = lk->cat;
  sl_catalog_lock(cat);
  for (sl_lookup **link = &cat->lookups; *link; link = &(*link)->next)
    if (*link == lk) {
      *link = lk->next;
      break;
    }
  sl_catalog_unlock(cat);

  sqlite3_finalize(lk->get_stmt);
  sqlite3_finalize(lk->as_of_stmt);
  sqlite3_finalize(lk->upsert_stmt);
  sqlite3_finalize(lk->delete_stmt);
  cache_clear(lk);
  free(lk->buckets);
  sl_arena_destroy(&lk->read_scratch);
  sl_arena_destroy(&lk->write_scratch);
  sl_strbuf_free(&lk->read_key);
  sl_strbuf_free(&lk->write_key);
  pthread_mutex_destroy(&lk->mu);
  free(lk->keys);
  sl_catalog_object_free(lk->obj);
  free(lk);
}

sl_status sl_lookup_open(sl_catalog *cat, const char *name,
                         size_t cache_entries, sl_lookup **out,
                         sl_error *err) {
  *out = NULL;
  sl_catalog_object *obj = NULL;
  sl_status rc = sl_catalog_get(cat, name, &obj, err);
  if (rc)
    return rc;
  if (!obj)
    return sl_error_set(err, SL_ERR_SQL, "unknown table \"%s\"", name);
  if (!obj->storage) {
    rc = sl_error_set(err, SL_ERR_SQL, "\"%s\" is a %s, not a table or "
                      "training set", name, sl_catalog_kind_name(obj->kind));
    sl_catalog_object_free(obj);
    return rc;
  }

  sl_lookup *lk = calloc(1, sizeof(*lk));
  if (!lk) {
    sl_catalog_object_free(obj);
    return nomem(err);
  }
  lk->cat = cat;
  lk->obj = obj;
  pthread_mutex_init(&lk->mu, NULL);
  sl_arena_init(&lk->read_scratch, 4096);
  sl_arena_init(&lk->write_scratch, 4096);
  sl_strbuf_init(&lk->read_key);
  sl_strbuf_init(&lk->write_key);
  lk->versioned = is_versioned(obj);

  lk->keys = malloc((size_t)(obj->ncolumns + 1) * sizeof(*lk->keys));
  if (!lk->keys) {
    rc = nomem(err);
    goto fail;
  }
  for (int i = 0; i < obj->ncolumns; i++)
    if (obj->kind == SL_CATALOG_TABLE && obj->columns[i].primary_key)
      lk->keys[lk->nkeys++] = i;
  lk->keyed = lk->nkeys > 0;

  if (lk->keyed && cache_entries > 0) {
    size_t nb = 16;
    while (nb < cache_entries && nb < ((size_t)1 << 40))
      nb *= 2;
    lk->buckets = calloc(nb, sizeof(*lk->buckets));
    if (!lk->buckets) {
      rc = nomem(err);
      goto fail;
    }
    lk->nbuckets = nb;
    lk->capacity = cache_entries;
  }
  lk->stats.capacity = lk->capacity;

  rc = prepare_statements(lk, err);
  if (rc)
    goto fail;

  sl_catalog_lock(cat);
  lk->next = cat->lookups;
  cat->lookups = lk;
  sl_catalog_unlock(cat);
  *out = lk;
  return SL_OK;

fail:
  sl_lookup_close(lk);
  return rc;
}

const sl_catalog_object *sl_lookup_object(const sl_lookup *lk) {
  return lk->obj;
}

bool sl_lookup_versioned(const sl_lookup *lk) {
  return lk->versioned;
}

int sl_lookup_key_count(const sl_lookup *lk) {
  return lk->nkeys;
}

const int *sl_lookup_key_columns(const sl_lookup *lk) {
  return lk->keys;
}

/* ==== Catalog hooks ==================================================== */

bool sl_lookup_in_use(sl_catalog *cat, const char *name) {
  bool used = false;
  sl_catalog_lock(cat);
  for (sl_lookup *h = cat->lookups; h && !used; h = h->next)
    used = strcmp(h->obj->name, name) == 0;
  sl_catalog_unlock(cat);
  return used;
}

void sl_lookup_invalidate(sl_lookup *lk) {
  pthread_mutex_lock(&lk->mu);
  lk->stats.invalidations += (int64_t)lk->count;
  cache_clear(lk);
  pthread_mutex_unlock(&lk->mu);
}

void sl_lookup_invalidate_table(sl_catalog *cat, const char *name) {
  sl_catalog_lock(cat);
  for (sl_lookup *h = cat->lookups; h; h = h->next)
    if (!name || strcmp(h->obj->name, name) == 0)
      sl_lookup_invalidate(h);
  sl_catalog_unlock(cat);
}

/* Drops key from the cache of every handle open on lk's table.  Called
 * with the catalog's lock held. */
static void invalidate_key(sl_lookup *lk, const sl_strbuf *key) {
  uint64_t hash = XXH3_64bits(key->data, key->len);
  for (sl_lookup *h = lk->cat->lookups; h; h = h->next) {
    if (!h->capacity || strcmp(h->obj->name, lk->obj->name) != 0)
      continue;
    pthread_mutex_lock(&h->mu);
    entry *e = cache_find(h, hash, key->data, key->len);
    if (e) {
      cache_remove(h, e);
      h->stats.invalidations++;
    }
    pthread_mutex_unlock(&h->mu);
  }
}

/* ==== Reads ============================================================ */

/* Casts value to column col's type into scratch; the error names it. */
static sl_status cast_column(sl_lookup *lk, int col, const sl_value *v,
                             sl_arena *scratch, sl_value *out,
                             sl_error *err) {
  const sl_type *type = lk->obj->columns[col].type;
  bool same = v->kind == type->kind &&
              (type->kind != SL_TYPE_DECIMAL || v->scale == type->scale);
  if (sl_value_is_null(v) || same) {
    *out = *v;
    return SL_OK;
  }
  sl_status rc = sl_value_cast(scratch, v, type, out, err);
  if (rc)
    sl_error_prefix(err, "%s \"%s\", column \"%s\"",
                    sl_catalog_kind_name(lk->obj->kind), lk->obj->name,
                    lk->obj->columns[col].name);
  return rc;
}

/* Casts the key values; *null tells that one is NULL (no match). */
static sl_status cast_key(sl_lookup *lk, const sl_value *key,
                          sl_arena *scratch, sl_value **out, bool *null,
                          sl_error *err) {
  *null = false;
  sl_value *cast = sl_arena_alloc(scratch, (size_t)lk->nkeys *
                                               sizeof(*cast));
  if (!cast)
    return nomem(err);
  for (int i = 0; i < lk->nkeys; i++) {
    if (sl_value_is_null(&key[i])) {
      *null = true;
      return SL_OK;
    }
    sl_status rc = cast_column(lk, lk->keys[i], &key[i], scratch, &cast[i],
                               err);
    if (rc)
      return rc;
  }
  *out = cast;
  return SL_OK;
}

static sl_status bind_key(sl_lookup *lk, sqlite3_stmt *stmt,
                          const sl_value *key, sl_arena *scratch,
                          sl_error *err) {
  for (int i = 0; i < lk->nkeys; i++) {
    sl_status rc = sl_catalog_bind_value(
        stmt, i + 1, &key[i], lk->obj->columns[lk->keys[i]].type, scratch,
        err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Runs a get or get_as_of statement whose parameters are bound. */
static sl_status fetch_row(sl_lookup *lk, sqlite3_stmt *stmt,
                           sl_arena *arena, sl_value *row, bool *found,
                           sl_error *err) {
  const sl_catalog_object *obj = lk->obj;
  sl_status rc = SL_OK;
  *found = false;
  int step = sqlite3_step(stmt);
  if (step == SQLITE_ROW) {
    bool deleted = lk->versioned &&
                   sqlite3_column_int(stmt, obj->ncolumns) != 0;
    for (int i = 0; !rc && !deleted && i < obj->ncolumns; i++)
      rc = sl_catalog_read_value(stmt, i, obj->columns[i].type, arena,
                                 &row[i], err);
    *found = !rc && !deleted;
  } else if (step != SQLITE_DONE) {
    rc = sl_catalog_db_error(lk->cat, err, "looking up a key of \"%s\"",
                             obj->name);
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return rc;
}

static sl_status require_key(const sl_lookup *lk, sl_error *err) {
  if (lk->keyed)
    return SL_OK;
  return sl_error_set(err, SL_ERR_SQL, "%s \"%s\" has no PRIMARY KEY to "
                      "look up", sl_catalog_kind_name(lk->obj->kind),
                      lk->obj->name);
}

/* Copies a cached row into the caller's arena. */
static sl_status copy_row(const sl_lookup *lk, const entry *e,
                          sl_arena *arena, sl_value *row, sl_error *err) {
  for (int i = 0; i < lk->obj->ncolumns; i++) {
    sl_status rc = sl_value_copy(arena, &e->row[i], &row[i], err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status sl_lookup_get(sl_lookup *lk, const sl_value *key, sl_arena *arena,
                        sl_value *row, bool *found, sl_error *err) {
  *found = false;
  sl_status rc = require_key(lk, err);
  if (rc)
    return rc;

  pthread_mutex_lock(&lk->mu);
  sl_arena_reset(&lk->read_scratch);
  sl_value *cast = NULL;
  bool null;
  rc = cast_key(lk, key, &lk->read_scratch, &cast, &null, err);
  if (rc || null)
    goto done;

  uint64_t hash = 0;
  if (lk->capacity) {
    rc = encode_key(&lk->read_key, cast, lk->nkeys, err);
    if (rc)
      goto done;
    hash = XXH3_64bits(lk->read_key.data, lk->read_key.len);
    entry *e = cache_find(lk, hash, lk->read_key.data, lk->read_key.len);
    if (e) {
      lk->stats.hits++;
      lru_unlink(lk, e);
      lru_push(lk, e);
      if (e->found)
        rc = copy_row(lk, e, arena, row, err);
      *found = !rc && e->found;
      goto done;
    }
  }

  lk->stats.misses++;
  rc = bind_key(lk, lk->get_stmt, cast, &lk->read_scratch, err);
  if (!rc)
    rc = fetch_row(lk, lk->get_stmt, arena, row, found, err);
  else
    sqlite3_clear_bindings(lk->get_stmt);
  if (!rc && lk->capacity)
    cache_put(lk, hash, lk->read_key.data, lk->read_key.len, row, *found);

done:
  pthread_mutex_unlock(&lk->mu);
  return rc;
}

sl_status sl_lookup_get_as_of(sl_lookup *lk, const sl_value *key,
                              int64_t ts, sl_arena *arena, sl_value *row,
                              bool *found, sl_error *err) {
  if (!lk->versioned)
    return sl_lookup_get(lk, key, arena, row, found, err);
  *found = false;
  pthread_mutex_lock(&lk->mu);
  sl_arena_reset(&lk->read_scratch);
  sl_value *cast = NULL;
  bool null;
  sl_status rc = cast_key(lk, key, &lk->read_scratch, &cast, &null, err);
  if (!rc && !null) {
    rc = bind_key(lk, lk->as_of_stmt, cast, &lk->read_scratch, err);
    if (!rc && sqlite3_bind_int64(lk->as_of_stmt, lk->nkeys + 1, ts) !=
                   SQLITE_OK)
      rc = sl_catalog_db_error(lk->cat, err, "binding a time");
    if (!rc)
      rc = fetch_row(lk, lk->as_of_stmt, arena, row, found, err);
    else
      sqlite3_clear_bindings(lk->as_of_stmt);
  }
  pthread_mutex_unlock(&lk->mu);
  return rc;
}

/* ==== Writes =========================================================== */

/* Steps a bound write statement and resets it. */
static sl_status step_write(sl_lookup *lk, sqlite3_stmt *stmt,
                            const char *what, sl_error *err) {
  sl_status rc = SL_OK;
  if (sqlite3_step(stmt) != SQLITE_DONE)
    rc = sl_catalog_db_error(lk->cat, err, "%s \"%s\"", what,
                             lk->obj->name);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return rc;
}

static sl_status record_error(sl_error *err, const char *reason) {
  if (err)
    snprintf(err->reason, sizeof(err->reason), "%s", reason);
  return SL_ERR_RECORD;
}

static sl_status upsert_locked(sl_lookup *lk, const sl_value *row,
                               int64_t valid_from, sl_error *err) {
  const sl_catalog_object *obj = lk->obj;
  int n = obj->ncolumns;
  sl_arena_reset(&lk->write_scratch);
  sl_value *cast = sl_arena_alloc(&lk->write_scratch,
                                  (size_t)n * sizeof(*cast));
  if (!cast)
    return nomem(err);

  /* Check and convert everything before binding, so that a bad value
   * names its column. */
  for (int i = 0; i < n; i++) {
    const sl_catalog_column *col = &obj->columns[i];
    if (sl_value_is_null(&row[i]) && (col->not_null || col->primary_key)) {
      sl_error_set(err, SL_ERR_RECORD, "%s \"%s\": NULL in NOT NULL column "
                   "\"%s\"", sl_catalog_kind_name(obj->kind), obj->name,
                   col->name);
      return record_error(err, "not_null");
    }
    sl_status rc = cast_column(lk, i, &row[i], &lk->write_scratch, &cast[i],
                               err);
    if (rc)
      return rc;
  }

  sqlite3_stmt *stmt = lk->upsert_stmt;
  for (int i = 0; i < n; i++) {
    sl_status rc = sl_catalog_bind_value(stmt, i + 1, &cast[i],
                                         obj->columns[i].type,
                                         &lk->write_scratch, err);
    if (rc) {
      sqlite3_clear_bindings(stmt);
      return rc;
    }
  }
  if (lk->versioned)
    sqlite3_bind_int64(stmt, n + 1, valid_from);
  sl_status rc = step_write(lk, stmt, "writing a row of", err);
  if (rc || !lk->keyed)
    return rc;

  sl_value *key = sl_arena_alloc(&lk->write_scratch,
                                 (size_t)lk->nkeys * sizeof(*key));
  if (!key)
    return nomem(err);
  for (int i = 0; i < lk->nkeys; i++)
    key[i] = cast[lk->keys[i]];
  rc = encode_key(&lk->write_key, key, lk->nkeys, err);
  if (!rc)
    invalidate_key(lk, &lk->write_key);
  return rc;
}

sl_status sl_lookup_upsert(sl_lookup *lk, const sl_value *row,
                           int64_t valid_from, sl_error *err) {
  sl_catalog_lock(lk->cat);
  sl_status rc = upsert_locked(lk, row, valid_from, err);
  sl_catalog_unlock(lk->cat);
  return rc;
}

int64_t sl_lookup_row_valid_from(const sl_lookup *lk, const sl_value *row) {
  int ts = lk->obj->timestamp_column;
  if (ts >= 0 && row[ts].kind == SL_TYPE_TIMESTAMP &&
      lk->obj->columns[ts].type->kind == SL_TYPE_TIMESTAMP)
    return row[ts].u.i64;
  return SL_LOOKUP_ALWAYS;
}

static sl_status delete_locked(sl_lookup *lk, const sl_value *key,
                               int64_t valid_from, bool *removed,
                               sl_error *err) {
  sl_arena_reset(&lk->write_scratch);
  sl_value *cast = NULL;
  bool null;
  sl_status rc = cast_key(lk, key, &lk->write_scratch, &cast, &null, err);
  if (rc || null)
    return rc;
  sqlite3_stmt *stmt = lk->delete_stmt;
  rc = bind_key(lk, stmt, cast, &lk->write_scratch, err);
  if (rc) {
    sqlite3_clear_bindings(stmt);
    return rc;
  }
  if (lk->versioned)
    sqlite3_bind_int64(stmt, lk->nkeys + 1, valid_from);
  rc = step_write(lk, stmt, "deleting a row of", err);
  if (rc)
    return rc;
  *removed = sqlite3_changes(lk->cat->db) > 0;
  rc = encode_key(&lk->write_key, cast, lk->nkeys, err);
  if (!rc)
    invalidate_key(lk, &lk->write_key);
  return rc;
}

sl_status sl_lookup_delete(sl_lookup *lk, const sl_value *key,
                           int64_t valid_from, bool *removed,
                           sl_error *err) {
  bool ignored;
  if (!removed)
    removed = &ignored;
  *removed = false;
  sl_status rc = require_key(lk, err);
  if (rc)
    return rc;
  sl_catalog_lock(lk->cat);
  rc = delete_locked(lk, key, valid_from, removed, err);
  sl_catalog_unlock(lk->cat);
  return rc;
}

/* ==== Scans ============================================================ */

/* Builds the SELECT of the current rows, optionally restricted. */
static void build_select(const sl_lookup *lk, const char *where,
                         sl_strbuf *sb) {
  const sl_catalog_object *obj = lk->obj;
  sl_strbuf_appends(sb, "SELECT ");
  append_columns(sb, obj, lk->versioned ? "a" : NULL);
  sl_strbuf_appends(sb, " FROM ");
  append_ident(sb, obj->storage);
  if (lk->versioned) {
    /* The newest version of each key, unless it is a deletion. */
    sl_strbuf_appends(sb, " AS a WHERE NOT a.\"" DELETED "\" AND a.\""
                          VALID_FROM "\" = (SELECT max(b.\"" VALID_FROM
                          "\") FROM ");
    append_ident(sb, obj->storage);
    sl_strbuf_appends(sb, " AS b WHERE ");
    for (int i = 0; i < lk->nkeys; i++) {
      const char *name = obj->columns[lk->keys[i]].name;
      if (i)
        sl_strbuf_appends(sb, " AND ");
      sl_strbuf_appends(sb, "b.");
      append_ident(sb, name);
      sl_strbuf_appends(sb, " = a.");
      append_ident(sb, name);
    }
    sl_strbuf_appendc(sb, ')');
    if (where)
      sl_strbuf_appendf(sb, " AND (%s)", where);
  } else if (where) {
    sl_strbuf_appendf(sb, " WHERE (%s)", where);
  }
  if (lk->keyed) {
    sl_strbuf_appends(sb, " ORDER BY ");
    append_key_list(sb, lk);
  } else {
    sl_strbuf_appends(sb, " ORDER BY rowid");
  }
}

static sl_status prepare_select(sl_lookup *lk, const char *prefix,
                                const char *where, const char *suffix,
                                const sl_value *params, int nparams,
                                sqlite3_stmt **stmt, sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_strbuf_appends(&sb, prefix);
  build_select(lk, where, &sb);
  sl_strbuf_appends(&sb, suffix);
  if (sb.failed) {
    sl_strbuf_free(&sb);
    return nomem(err);
  }
  int prc = sqlite3_prepare_v2(lk->cat->db, sb.data, -1, stmt, NULL);
  sl_strbuf_free(&sb);
  if (prc != SQLITE_OK) {
    *stmt = NULL;
    return sl_catalog_db_error(lk->cat, err, "selecting from \"%s\"",
                               lk->obj->name);
  }
  sl_arena scratch;
  sl_arena_init(&scratch, 1024);
  sl_status rc = SL_OK;
  for (int i = 0; !rc && i < nparams; i++)
    rc = sl_catalog_bind_value(*stmt, i + 1, &params[i], NULL, &scratch,
                               err);
  sl_arena_destroy(&scratch);
  if (rc) {
    sqlite3_finalize(*stmt);
    *stmt = NULL;
  }
  return rc;
}

sl_status sl_lookup_select(sl_lookup *lk, const char *where,
                           const sl_value *params, int nparams,
                           sl_lookup_row_fn fn, void *ud, sl_error *err) {
  sqlite3_stmt *stmt;
  sl_status rc = prepare_select(lk, "", where, "", params, nparams, &stmt,
                                err);
  if (rc)
    return rc;
  const sl_catalog_object *obj = lk->obj;
  sl_value *row = malloc((size_t)(obj->ncolumns + 1) * sizeof(*row));
  if (!row) {
    sqlite3_finalize(stmt);
    return nomem(err);
  }
  sl_arena arena;
  sl_arena_init(&arena, 0);
  int step;
  while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
    sl_arena_reset(&arena);
    for (int i = 0; !rc && i < obj->ncolumns; i++)
      rc = sl_catalog_read_value(stmt, i, obj->columns[i].type, &arena,
                                 &row[i], err);
    if (!rc)
      rc = fn(ud, row, obj->ncolumns, err);
  }
  if (!rc && step != SQLITE_DONE)
    rc = sl_catalog_db_error(lk->cat, err, "reading \"%s\"", obj->name);
  sl_arena_destroy(&arena);
  free(row);
  sqlite3_finalize(stmt);
  return rc;
}

sl_status sl_lookup_scan(sl_lookup *lk, sl_lookup_row_fn fn, void *ud,
                         sl_error *err) {
  return sl_lookup_select(lk, NULL, NULL, 0, fn, ud, err);
}

sl_status sl_lookup_count(sl_lookup *lk, int64_t *rows, sl_error *err) {
  *rows = 0;
  sqlite3_stmt *stmt;
  sl_status rc = prepare_select(lk, "SELECT count(*) FROM (", NULL, ")",
                                NULL, 0, &stmt, err);
  if (rc)
    return rc;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    *rows = sqlite3_column_int64(stmt, 0);
  else
    rc = sl_catalog_db_error(lk->cat, err, "counting \"%s\"", lk->obj->name);
  sqlite3_finalize(stmt);
  return rc;
}

void sl_lookup_get_stats(sl_lookup *lk, sl_lookup_stats *out) {
  pthread_mutex_lock(&lk->mu);
  *out = lk->stats;
  out->entries = lk->count;
  out->capacity = lk->capacity;
  pthread_mutex_unlock(&lk->mu);
}
