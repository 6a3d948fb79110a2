/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rowcodec.c - the binary value form of the stateful operators (see
 * rowcodec.h).
 */
#include "engine/ops/rowcodec.h"

#include <math.h>
#include <stdalign.h>
#include <string.h>

/* Deeper composites than this are refused when reading: a guard against
 * corrupt state, far beyond any declared type. */
#define MAX_DEPTH 64

static void le64(unsigned char *b, uint64_t v) {
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t rd64(const unsigned char *b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v |= (uint64_t)b[i] << (8 * i);
  return v;
}

sl_status sl_rowcodec_put_i64(sl_strbuf *out, int64_t v) {
  unsigned char b[8];
  le64(b, (uint64_t)v);
  return sl_strbuf_append(out, b, 8);
}

sl_status sl_rowcodec_put_u64v(sl_strbuf *out, uint64_t v) {
  unsigned char b[10];
  int n = 0;
  do {
    unsigned char c = v & 0x7f;
    v >>= 7;
    b[n++] = (unsigned char)(c | (v ? 0x80 : 0));
  } while (v);
  return sl_strbuf_append(out, b, (size_t)n);
}

sl_status sl_rowcodec_put_i64v(sl_strbuf *out, int64_t v) {
  uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
  return sl_rowcodec_put_u64v(out, z);
}

sl_status sl_rowcodec_put_blob(sl_strbuf *out, const void *p, size_t n) {
  sl_rowcodec_put_u64v(out, n);
  return sl_strbuf_append(out, p, n);
}

/* Appends v (see rowcodec.h for the form). */
sl_status sl_rowcodec_put_value(sl_strbuf *out, const sl_value *v) {
  unsigned char b[18];
  b[0] = v->kind;
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_NULL:
    return sl_strbuf_append(out, b, 1);
  case SL_TYPE_BOOLEAN:
    b[1] = v->u.b ? 1 : 0;
    return sl_strbuf_append(out, b, 2);
  case SL_TYPE_INT:
  case SL_TYPE_DATE: {
    uint32_t u = (uint32_t)v->u.i32;
    for (int i = 0; i < 4; i++)
      b[1 + i] = (unsigned char)(u >> (8 * i));
    return sl_strbuf_append(out, b, 5);
  }
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    le64(b + 1, (uint64_t)v->u.i64);
    return sl_strbuf_append(out, b, 9);
  case SL_TYPE_DOUBLE: {
    double d = v->u.f64;
    if (d == 0)
      d = 0.0; /* -0.0 groups with 0.0 */
    else if (isnan(d))
      d = NAN;
    uint64_t u;
    memcpy(&u, &d, 8);
    le64(b + 1, u);
    return sl_strbuf_append(out, b, 9);
  }
  case SL_TYPE_DECIMAL:
    b[1] = v->scale;
    le64(b + 2, v->u.dec.lo);
    le64(b + 10, (uint64_t)v->u.dec.hi);
    return sl_strbuf_append(out, b, 18);
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    sl_strbuf_append(out, b, 1);
    return sl_rowcodec_put_blob(out, v->u.str, v->len);
  case SL_TYPE_ARRAY:
  case SL_TYPE_STRUCT:
  case SL_TYPE_MAP: {
    sl_strbuf_append(out, b, 1);
    sl_rowcodec_put_u64v(out, v->len);
    uint32_t n = v->kind == SL_TYPE_MAP ? 2 * v->len : v->len;
    for (uint32_t i = 0; i < n; i++)
      sl_rowcodec_put_value(out, &v->u.items[i]);
    return out->failed ? SL_ERR_NOMEM : SL_OK;
  }
  }
  return SL_ERR_INTERNAL;
}

sl_status sl_rowcodec_put_values(sl_strbuf *out, const sl_value *v, int n) {
  for (int i = 0; i < n; i++)
    sl_rowcodec_put_value(out, &v[i]);
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

void sl_rowcodec_reader_init(sl_rowcodec_reader *rd, const void *p,
                             size_t n) {
  rd->p = p;
  rd->end = rd->p + n;
  rd->bad = false;
}

/* Takes n bytes, or marks the reader bad. */
static const unsigned char *take(sl_rowcodec_reader *rd, size_t n) {
  if (rd->bad || (size_t)(rd->end - rd->p) < n) {
    rd->bad = true;
    return NULL;
  }
  const unsigned char *at = rd->p;
  rd->p += n;
  return at;
}

int64_t sl_rowcodec_get_i64(sl_rowcodec_reader *rd) {
  const unsigned char *b = take(rd, 8);
  return b ? (int64_t)rd64(b) : 0;
}

uint64_t sl_rowcodec_get_u64v(sl_rowcodec_reader *rd) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const unsigned char *b = take(rd, 1);
    if (!b)
      return 0;
    v |= (uint64_t)(*b & 0x7f) << shift;
    if (!(*b & 0x80))
      return v;
  }
  rd->bad = true;
  return 0;
}

int64_t sl_rowcodec_get_i64v(sl_rowcodec_reader *rd) {
  uint64_t z = sl_rowcodec_get_u64v(rd);
  return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

const void *sl_rowcodec_get_blob(sl_rowcodec_reader *rd, size_t *n) {
  uint64_t len = sl_rowcodec_get_u64v(rd);
  const unsigned char *b = take(rd, (size_t)len);
  *n = b ? (size_t)len : 0;
  return b;
}

static bool get_value(sl_rowcodec_reader *rd, sl_arena *arena, sl_value *out,
                      int depth);

/* Reads the items of a composite into arena memory. */
static bool get_items(sl_rowcodec_reader *rd, sl_arena *arena, uint8_t kind,
                      sl_value *out, int depth) {
  uint64_t len = sl_rowcodec_get_u64v(rd);
  uint64_t n = kind == SL_TYPE_MAP ? 2 * len : len;
  /* Every item takes at least one byte: a longer count is corrupt. */
  if (rd->bad || len > UINT32_MAX || n > (uint64_t)(rd->end - rd->p) ||
      depth >= MAX_DEPTH) {
    rd->bad = true;
    return false;
  }
  sl_value *items = NULL;
  if (n) {
    items = arena ? sl_arena_alloc(arena, (size_t)n * sizeof(*items)) : NULL;
    if (!items) {
      rd->bad = true;
      return false;
    }
  }
  for (uint64_t i = 0; i < n; i++)
    if (!get_value(rd, arena, &items[i], depth + 1))
      return false;
  *out = sl_value_composite((sl_type_kind)kind, items, (uint32_t)len);
  return true;
}

static bool get_value(sl_rowcodec_reader *rd, sl_arena *arena, sl_value *out,
                      int depth) {
  const unsigned char *k = take(rd, 1);
  if (!k)
    return false;
  const unsigned char *b;
  switch ((sl_type_kind)*k) {
  case SL_TYPE_NULL:
    *out = sl_value_null();
    return true;
  case SL_TYPE_BOOLEAN:
    if (!(b = take(rd, 1)))
      return false;
    *out = sl_value_bool(*b != 0);
    return true;
  case SL_TYPE_INT:
  case SL_TYPE_DATE: {
    if (!(b = take(rd, 4)))
      return false;
    uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                 (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    *out = *k == SL_TYPE_INT ? sl_value_int((int32_t)u)
                             : sl_value_date((int32_t)u);
    return true;
  }
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
  case SL_TYPE_DOUBLE:
    if (!(b = take(rd, 8)))
      return false;
    memset(out, 0, sizeof(*out));
    out->kind = *k;
    {
      uint64_t u = rd64(b);
      if (*k == SL_TYPE_DOUBLE)
        memcpy(&out->u.f64, &u, 8);
      else
        out->u.i64 = (int64_t)u;
    }
    return true;
  case SL_TYPE_DECIMAL:
    if (!(b = take(rd, 17)))
      return false;
    memset(out, 0, sizeof(*out));
    out->kind = SL_TYPE_DECIMAL;
    out->scale = b[0];
    out->u.dec.lo = rd64(b + 1);
    out->u.dec.hi = (int64_t)rd64(b + 9);
    return true;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES: {
    size_t n;
    const void *p = sl_rowcodec_get_blob(rd, &n);
    if (rd->bad)
      return false;
    const char *copy = "";
    if (n) {
      char *c = arena ? sl_arena_alloc(arena, n) : NULL;
      if (!c) {
        rd->bad = true;
        return false;
      }
      memcpy(c, p, n);
      copy = c;
    }
    *out = *k == SL_TYPE_VARCHAR ? sl_value_varchar(copy, n)
                                 : sl_value_bytes(copy, n);
    return true;
  }
  case SL_TYPE_ARRAY:
  case SL_TYPE_STRUCT:
  case SL_TYPE_MAP:
    return get_items(rd, arena, *k, out, depth);
  }
  rd->bad = true;
  return false;
}

/* Reads one value (see rowcodec.h). */
bool sl_rowcodec_get_value(sl_rowcodec_reader *rd, sl_arena *arena,
                           sl_value *out) {
  return get_value(rd, arena, out, 0);
}

bool sl_rowcodec_get_values(sl_rowcodec_reader *rd, sl_arena *arena,
                            sl_value *out, int n) {
  for (int i = 0; i < n; i++)
    if (!get_value(rd, arena, &out[i], 0))
      return false;
  return true;
}

static bool skip_value(sl_rowcodec_reader *rd, int depth) {
  const unsigned char *k = take(rd, 1);
  if (!k)
    return false;
  size_t n;
  switch ((sl_type_kind)*k) {
  case SL_TYPE_NULL:
    return true;
  case SL_TYPE_BOOLEAN:
    return take(rd, 1) != NULL;
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    return take(rd, 4) != NULL;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
  case SL_TYPE_DOUBLE:
    return take(rd, 8) != NULL;
  case SL_TYPE_DECIMAL:
    return take(rd, 17) != NULL;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    sl_rowcodec_get_blob(rd, &n);
    return !rd->bad;
  case SL_TYPE_ARRAY:
  case SL_TYPE_STRUCT:
  case SL_TYPE_MAP: {
    uint64_t len = sl_rowcodec_get_u64v(rd);
    uint64_t items = *k == SL_TYPE_MAP ? 2 * len : len;
    if (rd->bad || depth >= MAX_DEPTH ||
        items > (uint64_t)(rd->end - rd->p)) {
      rd->bad = true;
      return false;
    }
    for (uint64_t i = 0; i < items; i++)
      if (!skip_value(rd, depth + 1))
        return false;
    return true;
  }
  }
  rd->bad = true;
  return false;
}

bool sl_rowcodec_skip_value(sl_rowcodec_reader *rd) {
  return skip_value(rd, 0);
}

/* ---- Owned copies ------------------------------------------------------ */

static size_t round_up(size_t n) {
  return (n + alignof(sl_value) - 1) / alignof(sl_value) * alignof(sl_value);
}

static size_t payload_size(const sl_value *v) {
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    return round_up(v->len);
  case SL_TYPE_ARRAY:
  case SL_TYPE_STRUCT:
  case SL_TYPE_MAP: {
    uint32_t n = v->kind == SL_TYPE_MAP ? 2 * v->len : v->len;
    size_t size = (size_t)n * sizeof(sl_value);
    for (uint32_t i = 0; i < n; i++)
      size += payload_size(&v->u.items[i]);
    return size;
  }
  default:
    return 0;
  }
}

/* Copies v to *dst, its data at *cursor (advanced). */
static void copy_value(const sl_value *v, sl_value *dst, char **cursor) {
  *dst = *v;
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    if (v->len)
      memcpy(*cursor, v->u.str, v->len);
    dst->u.str = *cursor;
    *cursor += round_up(v->len);
    break;
  case SL_TYPE_ARRAY:
  case SL_TYPE_STRUCT:
  case SL_TYPE_MAP: {
    uint32_t n = v->kind == SL_TYPE_MAP ? 2 * v->len : v->len;
    sl_value *items = (sl_value *)(void *)*cursor;
    *cursor += (size_t)n * sizeof(sl_value);
    for (uint32_t i = 0; i < n; i++)
      copy_value(&v->u.items[i], &items[i], cursor);
    dst->u.items = items;
    break;
  }
  default:
    break;
  }
}

size_t sl_rowcodec_copy_size(const sl_value *const *vals, int n) {
  size_t size = 0;
  for (int i = 0; i < n; i++)
    size += payload_size(vals[i]);
  return size;
}

void sl_rowcodec_copy_values(const sl_value *const *vals, int n,
                             sl_value *dst, void *data) {
  char *cursor = data;
  for (int i = 0; i < n; i++)
    copy_value(vals[i], &dst[i], &cursor);
}
