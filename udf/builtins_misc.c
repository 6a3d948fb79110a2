/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_misc.c - NULL handling (COALESCE, NULLIF, IFNULL), GEO_DISTANCE,
 * hashing and privacy (HASH, SHA256, HMAC_SHA256, MASK) and collections
 * (ARRAY_LENGTH, ARRAY_CONTAINS, MAP_KEYS).
 *
 * HASH(x) is xxHash64 (XXH64, seed 0) of a canonical byte encoding of x,
 * fixed so that hashes stay the same across versions and machines:
 *   BOOLEAN          one byte, 0 or 1
 *   INT, BIGINT      the value as 8 bytes little-endian (so HASH(5) is the
 *                    same for both)
 *   DOUBLE           the IEEE-754 bits as 8 bytes little-endian, -0.0 as
 *                    0.0 and every NaN as 0x7FF8000000000000
 *   DECIMAL          trailing fractional zeros removed (1.50 as 1.5), then
 *                    the unscaled value as 16 bytes little-endian two's
 *                    complement followed by one byte of scale
 *   VARCHAR, BYTES   the bytes themselves (HASH('abc') is `xxhsum -H64` of
 *                    "abc")
 *   DATE             the day number as 4 bytes little-endian
 *   TIMESTAMP, INTERVAL  the milliseconds as 8 bytes little-endian
 *   ARRAY, MAP, STRUCT   a tag byte 'A', 'M' or 'S', the item count as 4
 *                    bytes little-endian, then every item (MAP: key, value,
 *                    key, value, ...) as its length in 4 bytes
 *                    little-endian and its encoding; a NULL item is the
 *                    length 0xFFFFFFFF alone
 * The 64-bit hash is returned as a signed BIGINT with the same bits.
 *
 * SHA256 and HMAC_SHA256 (OpenSSL's libcrypto) return lower-case hex.
 */
#include <math.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <xxhash.h>

#include "engine/types/decimal.h"
#include "engine/types/strbuf.h"
#include "udf/builtins.h"

/* ------------------------------------------------------------------ */
/* COALESCE, NULLIF, IFNULL                                            */
/* ------------------------------------------------------------------ */

/* A copy of v in the batch arena, so results never point into argument
 * memory. */
static sl_status copy_value(sl_func_ctx *ctx, const sl_value *v,
                            sl_value *out, sl_error *err) {
  if (v->kind == SL_TYPE_NULL) {
    *out = sl_value_null();
    return SL_OK;
  }
  return sl_value_copy(ctx->arena, v, out, err);
}

static sl_status coalesce_fn(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *pick = &args[nargs - 1][r];
    for (int i = 0; i < nargs; i++) {
      if (args[i][r].kind != SL_TYPE_NULL) {
        pick = &args[i][r];
        break;
      }
    }
    sl_status rc = copy_value(ctx, pick, &out[r], err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

/* NULLIF(a, b): NULL when a equals b, else a. */
static sl_status nullif_fn(sl_func_ctx *ctx, int nargs,
                           const sl_value *const *args, int nrows,
                           sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *a = &args[0][r], *b = &args[1][r];
    if (a->kind != SL_TYPE_NULL && b->kind != SL_TYPE_NULL &&
        sl_value_compare(a, b) == 0) {
      out[r] = sl_value_null();
      continue;
    }
    sl_status rc = copy_value(ctx, a, &out[r], err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* GEO_DISTANCE                                                        */
/* ------------------------------------------------------------------ */

#define EARTH_RADIUS_KM 6371.0
#define PI 3.14159265358979323846
#define KM_PER_MILE 1.609344

/* 1 for "km", KM_PER_MILE for "mi" (any case), 0 for anything else. */
static double unit_divisor(const sl_value *u) {
  if (u->len == 2) {
    char a = (char)(u->u.str[0] | 0x20), b = (char)(u->u.str[1] | 0x20);
    if (a == 'k' && b == 'm')
      return 1.0;
    if (a == 'm' && b == 'i')
      return KM_PER_MILE;
  }
  return 0.0;
}

static sl_status geo_prepare(sl_func_ctx *ctx, const sl_value *const *consts,
                             sl_error *err) {
  const sl_value *u = ctx->nargs > 4 ? consts[4] : NULL;
  if (u && u->kind == SL_TYPE_VARCHAR && unit_divisor(u) == 0.0)
    return sl_func_prepare_fail(ctx, err,
                                "unknown unit \"%.*s\"; expected 'km' or "
                                "'mi'",
                                u->len > 64 ? 64 : (int)u->len, u->u.str);
  return SL_OK;
}

/* Haversine distance on a sphere of radius 6371 km. */
static sl_status geo_distance_fn(sl_func_ctx *ctx, int nargs,
                                 const sl_value *const *args, int nrows,
                                 sl_value *out, sl_error *err) {
  const double rad = PI / 180.0;
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    double div = 1.0;
    if (nargs > 4 && (div = unit_divisor(&args[4][r])) == 0.0) {
      const sl_value *u = &args[4][r];
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "unknown unit \"%.*s\"; expected 'km' or 'mi'",
                   u->len > 64 ? 64 : (int)u->len, u->u.str);
      continue;
    }
    double lat1 = args[0][r].u.f64, lon1 = args[1][r].u.f64;
    double lat2 = args[2][r].u.f64, lon2 = args[3][r].u.f64;
    if (!(fabs(lat1) <= 90.0 && fabs(lat2) <= 90.0)) {
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "latitude %g is outside [-90, 90]",
                   fabs(lat1) <= 90.0 ? lat2 : lat1);
      continue;
    }
    if (!(fabs(lon1) <= 180.0 && fabs(lon2) <= 180.0)) {
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "longitude %g is outside [-180, 180]",
                   fabs(lon1) <= 180.0 ? lon2 : lon1);
      continue;
    }
    double p1 = lat1 * rad, p2 = lat2 * rad;
    double dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
    double a = sin(dp / 2) * sin(dp / 2) +
               cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    double c = 2 * asin(sqrt(a < 1.0 ? a : 1.0));
    out[r] = sl_value_double(EARTH_RADIUS_KM * c / div);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* HASH                                                                */
/* ------------------------------------------------------------------ */

static void put_le(sl_strbuf *sb, uint64_t v, int bytes) {
  unsigned char b[8];
  for (int i = 0; i < bytes; i++)
    b[i] = (unsigned char)(v >> (8 * i));
  sl_strbuf_append(sb, b, (size_t)bytes);
}

static void encode_value(sl_strbuf *sb, const sl_value *v);

/* An item inside a composite: its length, then its encoding. */
static void encode_item(sl_strbuf *sb, const sl_value *v) {
  if (v->kind == SL_TYPE_NULL) {
    put_le(sb, 0xFFFFFFFFu, 4);
    return;
  }
  size_t at = sb->len;
  put_le(sb, 0, 4);
  encode_value(sb, v);
  if (sb->failed)
    return;
  uint64_t len = sb->len - at - 4;
  for (int i = 0; i < 4; i++)
    sb->data[at + (size_t)i] = (char)(unsigned char)(len >> (8 * i));
}

/* The canonical encoding described at the top of the file. */
static void encode_value(sl_strbuf *sb, const sl_value *v) {
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_NULL:
    break;
  case SL_TYPE_BOOLEAN:
    put_le(sb, v->u.b ? 1 : 0, 1);
    break;
  case SL_TYPE_INT:
    put_le(sb, (uint64_t)(int64_t)v->u.i32, 8);
    break;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    put_le(sb, (uint64_t)v->u.i64, 8);
    break;
  case SL_TYPE_DOUBLE: {
    double d = v->u.f64;
    uint64_t bits;
    if (isnan(d))
      bits = UINT64_C(0x7FF8000000000000);
    else {
      if (d == 0.0)
        d = 0.0;
      memcpy(&bits, &d, sizeof(bits));
    }
    put_le(sb, bits, 8);
    break;
  }
  case SL_TYPE_DECIMAL: {
    sl_int128 u = sl_value_decimal_get(v);
    int scale = v->scale;
    sl_decimal_normalize(&u, &scale);
    if (u == 0)
      scale = 0;
    put_le(sb, (uint64_t)u, 8);
    put_le(sb, (uint64_t)(u >> 64), 8);
    put_le(sb, (uint64_t)scale, 1);
    break;
  }
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    sl_strbuf_append(sb, v->u.str, v->len);
    break;
  case SL_TYPE_DATE:
    put_le(sb, (uint64_t)(uint32_t)v->u.i32, 4);
    break;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT: {
    char tag = v->kind == SL_TYPE_ARRAY ? 'A'
               : v->kind == SL_TYPE_MAP ? 'M'
                                        : 'S';
    uint32_t n = v->kind == SL_TYPE_MAP ? 2 * v->len : v->len;
    sl_strbuf_appendc(sb, tag);
    put_le(sb, v->len, 4);
    for (uint32_t i = 0; i < n; i++)
      encode_item(sb, &v->u.items[i]);
    break;
  }
  }
}

static sl_status hash_fn(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int r = 0; r < nrows; r++) {
    const sl_value *v = &args[0][r];
    if (v->kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    XXH64_hash_t h;
    if (v->kind == SL_TYPE_VARCHAR || v->kind == SL_TYPE_BYTES) {
      h = XXH64(v->len ? v->u.str : "", v->len, 0);
    } else {
      sl_strbuf_reset(&sb);
      encode_value(&sb, v);
      if (sb.failed) {
        sl_strbuf_free(&sb);
        return sl_func_nomem(err);
      }
      h = XXH64(sb.data, sb.len, 0);
    }
    out[r] = sl_value_bigint((int64_t)h);
  }
  sl_strbuf_free(&sb);
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* SHA256 and HMAC_SHA256                                              */
/* ------------------------------------------------------------------ */

static bool set_hex(sl_func_ctx *ctx, sl_value *out, const unsigned char *md,
                    unsigned len) {
  static const char digits[] = "0123456789abcdef";
  char *hex = sl_arena_alloc(ctx->arena, 2 * (size_t)len);
  if (!hex)
    return false;
  for (unsigned i = 0; i < len; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  *out = sl_value_varchar(hex, 2 * (size_t)len);
  return true;
}

static sl_status sha256_fn(sl_func_ctx *ctx, int nargs,
                           const sl_value *const *args, int nrows,
                           sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *v = &args[0][r];
    if (v->kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(v->len ? v->u.str : "", v->len, md, &len, EVP_sha256(),
                    NULL))
      return sl_error_set(err, SL_ERR_INTERNAL, "sha256: libcrypto failed");
    if (!set_hex(ctx, &out[r], md, len))
      return sl_func_nomem(err);
  }
  return SL_OK;
}

static sl_status hmac_sha256_fn(sl_func_ctx *ctx, int nargs,
                                const sl_value *const *args, int nrows,
                                sl_value *out, sl_error *err) {
  static const unsigned char empty[1] = {0};
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *data = &args[0][r], *key = &args[1][r];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key->len ? (const void *)key->u.str : empty,
              (int)key->len,
              data->len ? (const unsigned char *)data->u.str : empty,
              data->len, md, &len))
      return sl_error_set(err, SL_ERR_INTERNAL,
                          "hmac_sha256: libcrypto failed");
    if (!set_hex(ctx, &out[r], md, len))
      return sl_func_nomem(err);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* MASK                                                                */
/* ------------------------------------------------------------------ */

/* MASK(s [, keep_last]): every character but the last keep_last (default
 * 4) becomes 'X'. */
static sl_status mask_fn(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *s = &args[0][r];
    int32_t keep = nargs > 1 ? args[1][r].u.i32 : 4;
    if (keep < 0) {
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "keep_last must not be negative, got %d", (int)keep);
      continue;
    }
    size_t chars = sl_func_utf8_count(s->u.str, s->len);
    size_t masked = chars > (size_t)keep ? chars - (size_t)keep : 0;
    size_t tail = sl_func_utf8_skip(s->u.str, s->len, masked);
    size_t n = masked + (s->len - tail);
    char *buf = sl_arena_alloc(ctx->arena, n ? n : 1);
    if (!buf)
      return sl_func_nomem(err);
    memset(buf, 'X', masked);
    memcpy(buf + masked, s->u.str + tail, s->len - tail);
    out[r] = sl_value_varchar(buf, n);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Collections                                                         */
/* ------------------------------------------------------------------ */

static sl_status array_length_fn(sl_func_ctx *ctx, int nargs,
                                 const sl_value *const *args, int nrows,
                                 sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++)
    out[r] = args[0][r].kind == SL_TYPE_NULL
                 ? sl_value_null()
                 : sl_value_int((int32_t)args[0][r].len);
  return SL_OK;
}

/* ARRAY_CONTAINS(a, x): true when an element equals x; otherwise NULL
 * when a holds a NULL (it might have been x), false when not, as SQL's
 * x IN (...) does. */
static sl_status array_contains_fn(sl_func_ctx *ctx, int nargs,
                                   const sl_value *const *args, int nrows,
                                   sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *a = &args[0][r], *x = &args[1][r];
    bool found = false, saw_null = false;
    for (uint32_t i = 0; i < a->len && !found; i++) {
      if (a->u.items[i].kind == SL_TYPE_NULL)
        saw_null = true;
      else
        found = sl_value_compare(&a->u.items[i], x) == 0;
    }
    out[r] = found ? sl_value_bool(true)
             : saw_null ? sl_value_null()
                        : sl_value_bool(false);
  }
  return SL_OK;
}

static sl_status map_keys_fn(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *m = &args[0][r];
    if (m->kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    sl_value *keys = sl_arena_alloc(ctx->arena,
                                    sizeof(*keys) * (m->len ? m->len : 1));
    if (!keys)
      return sl_func_nomem(err);
    for (uint32_t i = 0; i < m->len; i++) {
      sl_status rc = copy_value(ctx, &m->u.items[2 * i], &keys[i], err);
      if (rc != SL_OK)
        return rc;
    }
    memset(&out[r], 0, sizeof(out[r]));
    out[r].kind = SL_TYPE_ARRAY;
    out[r].len = m->len;
    out[r].u.items = keys;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_misc[] = {
  {.name = "COALESCE",
   .flags = SL_FUNC_NULL_CALL,
   .doc = "The first argument that is not NULL.",
   .example = "COALESCE(NULL, 'b', 'c') = 'b'",
   .sigs = {{.spec = "(T...) -> T", .scalar = coalesce_fn}}},
  {.name = "IFNULL",
   .flags = SL_FUNC_NULL_CALL,
   .doc = "x, or fallback when x is NULL.",
   .example = "IFNULL(NULL, 0) = 0",
   .sigs = {{.spec = "(T, T) -> T", .scalar = coalesce_fn}}},
  {.name = "NULLIF",
   .flags = SL_FUNC_NULL_CALL,
   .doc = "NULL when a equals b, else a.",
   .example = "NULLIF(0, 0) = NULL",
   .sigs = {{.spec = "(T, T) -> T", .scalar = nullif_fn}}},
  {.name = "GEO_DISTANCE",
   .doc = "The great-circle (haversine) distance between two points in km "
          "(default) or 'mi', on a sphere of radius 6371 km.",
   .example = "GEO_DISTANCE(52.52, 13.405, 48.8566, 2.3522) = "
              "877.4633259175431",
   .sigs = {{.spec = "(DOUBLE, DOUBLE, DOUBLE, DOUBLE [, VARCHAR]) -> DOUBLE",
             .scalar = geo_distance_fn,
             .prepare = geo_prepare}}},
  {.name = "HASH",
   .doc = "xxHash64 of the value's canonical encoding, stable across "
          "versions.",
   .example = "HASH('abc') = 4952883123889572249",
   .sigs = {{.spec = "(ANY) -> BIGINT", .scalar = hash_fn}}},
  {.name = "SHA256",
   .doc = "The SHA-256 digest of s as lower-case hex.",
   .example = "SHA256('abc') = "
              "'ba7816bf8f01cfea414140de5dae2223"
              "b00361a396177a9cb410ff61f20015ad'",
   .sigs = {{.spec = "(VARCHAR) -> VARCHAR", .scalar = sha256_fn},
            {.spec = "(BYTES) -> VARCHAR", .scalar = sha256_fn}}},
  {.name = "HMAC_SHA256",
   .doc = "The HMAC-SHA-256 of data under key as lower-case hex.",
   .example = "HMAC_SHA256('data', 'key') = "
              "'5031fe3d989c6d1537a013fa6e739da2"
              "3463fdaec3b70137d828e36ace221bd0'",
   .sigs = {{.spec = "(VARCHAR, VARCHAR) -> VARCHAR", .scalar = hmac_sha256_fn},
            {.spec = "(BYTES, BYTES) -> VARCHAR", .scalar = hmac_sha256_fn}}},
  {.name = "MASK",
   .doc = "s with every character but the last keep_last (default 4) "
          "replaced by 'X'.",
   .example = "MASK('4111111111111111') = 'XXXXXXXXXXXX1111'",
   .sigs = {{.spec = "(VARCHAR [, INT]) -> VARCHAR", .scalar = mask_fn}}},
  {.name = "ARRAY_LENGTH",
   .doc = "The number of elements of an array.",
   .example = "ARRAY_LENGTH(ARRAY[1, 2, 3]) = 3",
   .sigs = {{.spec = "(ARRAY<ANY>) -> INT", .scalar = array_length_fn}}},
  {.name = "ARRAY_CONTAINS",
   .doc = "True when an element of the array equals x.",
   .example = "ARRAY_CONTAINS(ARRAY['a', 'b'], 'b') = true",
   .sigs = {{.spec = "(ARRAY<T>, T) -> BOOLEAN", .scalar = array_contains_fn}}},
  {.name = "MAP_KEYS",
   .doc = "The keys of a map, in the map's order.",
   .example = "MAP_KEYS(m) = ['a', 'b']",
   .sigs = {{.spec = "(MAP<VARCHAR, ANY>) -> ARRAY<VARCHAR>",
             .scalar = map_keys_fn}}},
};

const int sl_func_builtins_misc_count =
    (int)(sizeof(sl_func_builtins_misc) / sizeof(sl_func_builtins_misc[0]));
