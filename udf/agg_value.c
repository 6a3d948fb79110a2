/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg_value.c - the helpers aggregate states share: owned copies of
 * values, the little-endian state encoding, and the counted byte-string
 * set behind DISTINCT.
 */
#include "udf/agg_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* A record error with a dead-letter reason. */
sl_status sl_agg_record_error(sl_error *err, const char *reason,
                              const char *fmt, ...) {
  if (!err)
    return SL_ERR_RECORD;
  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  sl_error_set(err, SL_ERR_RECORD, "%s", msg);
  snprintf(err->reason, sizeof(err->reason), "%s", reason);
  return SL_ERR_RECORD;
}

static const char *func_name(const sl_func_ctx *ctx) {
  return ctx && ctx->func ? ctx->func->name : "aggregate";
}

/* State bytes that do not read back. */
sl_status sl_agg_corrupt(const sl_func_ctx *ctx, sl_error *err) {
  return sl_error_set(err, SL_ERR_RUNTIME,
                      "the stored state of aggregate %s is corrupt",
                      func_name(ctx));
}

/* A retraction of something never added. */
sl_status sl_agg_not_added(const sl_func_ctx *ctx, sl_error *err) {
  return sl_error_set(err, SL_ERR_INTERNAL,
                      "aggregate %s: retracting a row that was never added",
                      func_name(ctx));
}

/* ------------------------------------------------------------------ */
/* Owned values                                                        */
/* ------------------------------------------------------------------ */

static bool has_items(uint8_t kind) {
  return kind == SL_TYPE_ARRAY || kind == SL_TYPE_MAP ||
         kind == SL_TYPE_STRUCT;
}

static bool has_bytes(uint8_t kind) {
  return kind == SL_TYPE_VARCHAR || kind == SL_TYPE_BYTES;
}

static size_t item_count(const sl_value *v) {
  return v->kind == SL_TYPE_MAP ? 2 * (size_t)v->len : v->len;
}

/* Counts the nested values and string bytes v points to. */
static void measure(const sl_value *v, size_t *nvals, size_t *nbytes) {
  if (has_bytes(v->kind)) {
    *nbytes += v->len;
  } else if (has_items(v->kind)) {
    size_t n = item_count(v);
    *nvals += n;
    for (size_t i = 0; i < n; i++)
      measure(&v->u.items[i], nvals, nbytes);
  }
}

/* Copies what v points to into the two cursors of a block. */
static void copy_into(const sl_value *v, sl_value *out, sl_value **vals,
                      char **bytes) {
  *out = *v;
  if (has_bytes(v->kind)) {
    if (v->len)
      memcpy(*bytes, v->u.str, v->len);
    out->u.str = *bytes;
    *bytes += v->len;
  } else if (has_items(v->kind)) {
    size_t n = item_count(v);
    sl_value *items = *vals;
    *vals += n;
    out->u.items = items;
    for (size_t i = 0; i < n; i++)
      copy_into(&v->u.items[i], &items[i], vals, bytes);
  }
}

/* A deep copy of v in one malloc'd block. */
bool sl_agg_value_own(const sl_value *v, sl_value *out) {
  if (!has_bytes(v->kind) && !has_items(v->kind)) {
    *out = *v;
    return true;
  }
  size_t nvals = has_items(v->kind) ? item_count(v) : 0;
  size_t nbytes = 0;
  if (has_items(v->kind)) {
    for (size_t i = 0; i < nvals; i++)
      measure(&v->u.items[i], &nvals, &nbytes);
  } else {
    nbytes = v->len;
  }
  size_t size = nvals * sizeof(sl_value) + nbytes;
  char *block = malloc(size ? size : 1);
  if (!block) {
    *out = sl_value_null();
    return false;
  }
  sl_value *vals = (sl_value *)(void *)block;
  char *bytes = block + nvals * sizeof(sl_value);
  if (has_bytes(v->kind)) {
    copy_into(v, out, &vals, &bytes);
  } else {
    /* The top-level items open the block, so that u.items is the block
     * itself and sl_agg_value_release can free it. */
    size_t n = item_count(v);
    sl_value *items = vals;
    vals += n;
    *out = *v;
    out->u.items = items;
    for (size_t i = 0; i < n; i++)
      copy_into(&v->u.items[i], &items[i], &vals, &bytes);
  }
  return true;
}

/* Frees an owned value's block. */
void sl_agg_value_release(sl_value *v) {
  if (has_bytes(v->kind))
    free((void *)v->u.str);
  else if (has_items(v->kind))
    free(v->u.items);
  *v = sl_value_null();
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

/* Appends one byte (a failed growth stays in sb->failed). */
void sl_agg_put_u8(sl_strbuf *sb, uint8_t v) {
  sl_strbuf_append(sb, &v, 1);
}

/* Appends 4 bytes, little-endian. */
void sl_agg_put_u32(sl_strbuf *sb, uint32_t v) {
  uint8_t b[4];
  for (int i = 0; i < 4; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  sl_strbuf_append(sb, b, sizeof(b));
}

static void put_u64(sl_strbuf *sb, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  sl_strbuf_append(sb, b, sizeof(b));
}

/* Appends 8 bytes, little-endian two's complement. */
void sl_agg_put_i64(sl_strbuf *sb, int64_t v) { put_u64(sb, (uint64_t)v); }

/* Appends a double's IEEE 754 bits as 8 bytes, little-endian. */
void sl_agg_put_f64(sl_strbuf *sb, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof(bits));
  put_u64(sb, bits);
}

/* Appends 16 bytes: the low half, then the high half. */
void sl_agg_put_i128(sl_strbuf *sb, sl_int128 v) {
  __extension__ unsigned __int128 u = (unsigned __int128)v;
  put_u64(sb, (uint64_t)u);
  put_u64(sb, (uint64_t)(u >> 64));
}

/* Appends a value, kind first. */
void sl_agg_put_value(sl_strbuf *sb, const sl_value *v, bool canonical) {
  sl_agg_put_u8(sb, v->kind);
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_NULL:
    break;
  case SL_TYPE_BOOLEAN:
    sl_agg_put_u8(sb, v->u.b ? 1 : 0);
    break;
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    sl_agg_put_u32(sb, (uint32_t)v->u.i32);
    break;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    sl_agg_put_i64(sb, v->u.i64);
    break;
  case SL_TYPE_DOUBLE: {
    double d = v->u.f64;
    if (canonical && isnan(d))
      d = NAN;
    else if (canonical && d == 0.0)
      d = 0.0;
    sl_agg_put_f64(sb, d);
    break;
  }
  case SL_TYPE_DECIMAL:
    sl_agg_put_u8(sb, v->scale);
    sl_agg_put_i128(sb, sl_value_decimal_get(v));
    break;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    sl_agg_put_u32(sb, v->len);
    sl_strbuf_append(sb, v->u.str, v->len);
    break;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT: {
    sl_agg_put_u32(sb, v->len);
    size_t n = item_count(v);
    for (size_t i = 0; i < n; i++)
      sl_agg_put_value(sb, &v->u.items[i], canonical);
    break;
  }
  }
}

/* ---- Reading ---------------------------------------------------------- */

static const uint8_t *take(sl_agg_reader *rd, size_t n) {
  if (rd->bad || (size_t)(rd->end - rd->p) < n) {
    rd->bad = true;
    return NULL;
  }
  const uint8_t *at = rd->p;
  rd->p += n;
  return at;
}

/* Reads one byte (0 past the end, setting rd->bad). */
uint8_t sl_agg_get_u8(sl_agg_reader *rd) {
  const uint8_t *b = take(rd, 1);
  return b ? b[0] : 0;
}

/* Reads 4 bytes written by sl_agg_put_u32. */
uint32_t sl_agg_get_u32(sl_agg_reader *rd) {
  const uint8_t *b = take(rd, 4);
  uint32_t v = 0;
  for (int i = 0; b && i < 4; i++)
    v |= (uint32_t)b[i] << (8 * i);
  return v;
}

static uint64_t get_u64(sl_agg_reader *rd) {
  const uint8_t *b = take(rd, 8);
  uint64_t v = 0;
  for (int i = 0; b && i < 8; i++)
    v |= (uint64_t)b[i] << (8 * i);
  return v;
}

/* Reads 8 bytes written by sl_agg_put_i64. */
int64_t sl_agg_get_i64(sl_agg_reader *rd) { return (int64_t)get_u64(rd); }

/* Reads a double written by sl_agg_put_f64. */
double sl_agg_get_f64(sl_agg_reader *rd) {
  uint64_t bits = get_u64(rd);
  double d;
  memcpy(&d, &bits, sizeof(d));
  return d;
}

/* Reads 16 bytes written by sl_agg_put_i128. */
sl_int128 sl_agg_get_i128(sl_agg_reader *rd) {
  __extension__ typedef unsigned __int128 u128;
  uint64_t lo = get_u64(rd);
  uint64_t hi = get_u64(rd);
  return (sl_int128)(((u128)hi << 64) | lo);
}

/* Nesting deeper than this is refused as malformed (the engine's types
 * are never this deep), so that hostile bytes cannot exhaust the
 * stack. */
#define MAX_DEPTH 64

/* Reads one value into arena memory. */
static bool read_value(sl_agg_reader *rd, sl_arena *arena, sl_value *out,
                       bool *nomem, int depth) {
  *out = sl_value_null();
  uint8_t kind = sl_agg_get_u8(rd);
  switch ((sl_type_kind)kind) {
  case SL_TYPE_NULL:
    break;
  case SL_TYPE_BOOLEAN:
    *out = sl_value_bool(sl_agg_get_u8(rd) != 0);
    break;
  case SL_TYPE_INT:
    *out = sl_value_int((int32_t)sl_agg_get_u32(rd));
    break;
  case SL_TYPE_DATE:
    *out = sl_value_date((int32_t)sl_agg_get_u32(rd));
    break;
  case SL_TYPE_BIGINT:
    *out = sl_value_bigint(sl_agg_get_i64(rd));
    break;
  case SL_TYPE_TIMESTAMP:
    *out = sl_value_timestamp(sl_agg_get_i64(rd));
    break;
  case SL_TYPE_INTERVAL:
    *out = sl_value_interval(sl_agg_get_i64(rd));
    break;
  case SL_TYPE_DOUBLE:
    *out = sl_value_double(sl_agg_get_f64(rd));
    break;
  case SL_TYPE_DECIMAL: {
    int scale = sl_agg_get_u8(rd);
    sl_int128 v = sl_agg_get_i128(rd);
    if (scale > SL_DECIMAL_MAX_PRECISION)
      rd->bad = true;
    *out = sl_value_decimal(v, scale);
    break;
  }
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES: {
    uint32_t len = sl_agg_get_u32(rd);
    const uint8_t *b = take(rd, len);
    if (!b)
      break;
    char *copy = sl_arena_alloc(arena, len ? len : 1);
    if (!copy) {
      *nomem = true;
      return false;
    }
    memcpy(copy, b, len);
    *out = kind == SL_TYPE_VARCHAR ? sl_value_varchar(copy, len)
                                   : sl_value_bytes(copy, len);
    break;
  }
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT: {
    uint32_t len = sl_agg_get_u32(rd);
    size_t n = kind == SL_TYPE_MAP ? 2 * (size_t)len : len;
    /* Every item takes at least its kind byte. */
    if (depth >= MAX_DEPTH || rd->bad || n > (size_t)(rd->end - rd->p)) {
      rd->bad = true;
      break;
    }
    sl_value *items = sl_arena_calloc(arena, n ? n : 1, sizeof(*items));
    if (!items) {
      *nomem = true;
      return false;
    }
    for (size_t i = 0; i < n && !rd->bad; i++)
      if (!read_value(rd, arena, &items[i], nomem, depth + 1))
        return false;
    *out = sl_value_composite((sl_type_kind)kind, items, len);
    break;
  }
  default:
    rd->bad = true;
    break;
  }
  if (rd->bad) {
    *out = sl_value_null();
    return false;
  }
  return true;
}

/* Reads a value into arena memory. */
bool sl_agg_get_value_arena(sl_agg_reader *rd, sl_arena *arena,
                            sl_value *out, bool *nomem) {
  *nomem = false;
  return read_value(rd, arena, out, nomem, 0);
}

/* Reads a value as an owned copy. */
bool sl_agg_get_value(sl_agg_reader *rd, sl_value *out, bool *nomem) {
  sl_arena tmp;
  sl_value v;
  sl_arena_init(&tmp, 4096);
  *nomem = false;
  bool ok = read_value(rd, &tmp, &v, nomem, 0);
  if (ok && !sl_agg_value_own(&v, out)) {
    *nomem = true;
    ok = false;
  }
  if (!ok)
    *out = sl_value_null();
  sl_arena_destroy(&tmp);
  return ok;
}

/* ------------------------------------------------------------------ */
/* The counted set                                                     */
/* ------------------------------------------------------------------ */

/* The slot holding key, or the free slot where it would go. */
static size_t set_find(const sl_agg_set *set, uint64_t hash,
                       const void *key, size_t len) {
  size_t mask = set->cap - 1;
  size_t i = (size_t)hash & mask;
  for (;;) {
    const sl_agg_set_entry *e = &set->slots[i];
    if (!e->key || (e->hash == hash && e->len == len &&
                    memcmp(e->key, key, len) == 0))
      return i;
    i = (i + 1) & mask;
  }
}

/* Doubles the table (or makes its first one). */
static sl_status set_grow(sl_agg_set *set) {
  size_t ncap = set->cap ? set->cap * 2 : 16;
  sl_agg_set_entry *slots = calloc(ncap, sizeof(*slots));
  if (!slots)
    return SL_ERR_NOMEM;
  sl_agg_set old = *set;
  set->slots = slots;
  set->cap = ncap;
  for (size_t i = 0; i < old.cap; i++) {
    sl_agg_set_entry *e = &old.slots[i];
    if (!e->key)
      continue;
    size_t j = set_find(set, e->hash, e->key, e->len);
    set->slots[j] = *e;
  }
  free(old.slots);
  return SL_OK;
}

/* Removes the entry at slot i, moving later entries of its probe run
 * back so that lookups need no tombstones. */
static void set_remove_at(sl_agg_set *set, size_t i) {
  size_t mask = set->cap - 1;
  free(set->slots[i].key);
  memset(&set->slots[i], 0, sizeof(set->slots[i]));
  set->n--;
  size_t hole = i;
  for (size_t j = (i + 1) & mask; set->slots[j].key; j = (j + 1) & mask) {
    size_t home = (size_t)set->slots[j].hash & mask;
    /* The entry at j may fill the hole when its home is not within
     * (hole, j] on the circular table. */
    bool stays = hole < j ? (home > hole && home <= j)
                          : (home > hole || home <= j);
    if (stays)
      continue;
    set->slots[hole] = set->slots[j];
    memset(&set->slots[j], 0, sizeof(set->slots[j]));
    hole = j;
  }
}

/* Adjusts the count of key. */
sl_status sl_agg_set_add(sl_agg_set *set, const void *key, size_t len,
                         int64_t delta) {
  if (len > UINT32_MAX)
    return SL_ERR_INTERNAL;
  uint64_t hash = XXH3_64bits(key, len);
  if (set->cap == 0 || (set->n + 1) * 4 > set->cap * 3) {
    if (delta < 0 && set->cap == 0)
      return SL_ERR_INTERNAL;
    if (delta > 0 && set_grow(set) != SL_OK)
      return SL_ERR_NOMEM;
  }
  size_t i = set_find(set, hash, key, len);
  sl_agg_set_entry *e = &set->slots[i];
  if (!e->key) {
    if (delta <= 0)
      return delta == 0 ? SL_OK : SL_ERR_INTERNAL;
    e->key = malloc(len ? len : 1);
    if (!e->key)
      return SL_ERR_NOMEM;
    if (len)
      memcpy(e->key, key, len);
    e->hash = hash;
    e->len = (uint32_t)len;
    e->count = delta;
    set->n++;
    return SL_OK;
  }
  if (e->count + delta < 0)
    return SL_ERR_INTERNAL;
  e->count += delta;
  if (e->count == 0)
    set_remove_at(set, i);
  return SL_OK;
}

/* Empties the set. */
void sl_agg_set_clear(sl_agg_set *set) {
  for (size_t i = 0; i < set->cap; i++)
    free(set->slots[i].key);
  free(set->slots);
  memset(set, 0, sizeof(*set));
}
