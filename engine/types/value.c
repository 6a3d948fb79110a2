/* SPDX-License-Identifier: Apache-2.0 */
/*
 * value.c - constructors, copying, ordering, hashing and casts of values.
 *
 * Ordering and hashing treat all numeric kinds as one domain of exact
 * numbers: 3 (INT), 3 (BIGINT), 3.00 (DECIMAL) and 3.0 (DOUBLE) compare
 * equal and hash alike, so they group and join together.  Hashing brings
 * every number to one canonical form (the decimal with no trailing
 * fractional zeros; a double whose exact value has no such form hashes
 * its bits, since no exact number can equal it).  DATE and TIMESTAMP
 * share a domain too (a date is its midnight).  Values of unrelated kinds
 * order by kind, which keeps sorting total.
 *
 * Casts parse and narrow with checks: bad text fails with reason "type",
 * values that do not fit with reason "overflow", and the message names the
 * value and the target type.
 */
#include "engine/types/value.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/types/decimal.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "engine/types/time.h"
#include "engine/types/types_internal.h"

_Static_assert(sizeof(sl_value) == 24, "sl_value must stay 24 bytes");

/* ------------------------------------------------------------------ */
/* Constructors                                                        */
/* ------------------------------------------------------------------ */

static sl_value value_of_kind(sl_type_kind kind) {
  sl_value v;
  memset(&v, 0, sizeof(v));
  v.kind = (uint8_t)kind;
  return v;
}

sl_value sl_value_null(void) {
  return value_of_kind(SL_TYPE_NULL);
}

sl_value sl_value_bool(bool b) {
  sl_value v = value_of_kind(SL_TYPE_BOOLEAN);
  v.u.b = b;
  return v;
}

sl_value sl_value_int(int32_t i) {
  sl_value v = value_of_kind(SL_TYPE_INT);
  v.u.i32 = i;
  return v;
}

sl_value sl_value_bigint(int64_t i) {
  sl_value v = value_of_kind(SL_TYPE_BIGINT);
  v.u.i64 = i;
  return v;
}

sl_value sl_value_double(double d) {
  sl_value v = value_of_kind(SL_TYPE_DOUBLE);
  v.u.f64 = d;
  return v;
}

/* The unscaled integer goes in two halves so that the value needs only
 * 8-byte alignment. */
sl_value sl_value_decimal(sl_int128 unscaled, int scale) {
  sl_value v = value_of_kind(SL_TYPE_DECIMAL);
  v.scale = (uint8_t)scale;
  v.u.dec.lo = (uint64_t)unscaled;
  v.u.dec.hi = (int64_t)(unscaled >> 64);
  return v;
}

sl_value sl_value_varchar(const char *s, size_t len) {
  sl_value v = value_of_kind(SL_TYPE_VARCHAR);
  v.len = (uint32_t)len;
  v.u.str = s;
  return v;
}

sl_value sl_value_bytes(const void *p, size_t len) {
  sl_value v = value_of_kind(SL_TYPE_BYTES);
  v.len = (uint32_t)len;
  v.u.str = p;
  return v;
}

sl_value sl_value_date(int32_t days) {
  sl_value v = value_of_kind(SL_TYPE_DATE);
  v.u.i32 = days;
  return v;
}

sl_value sl_value_timestamp(int64_t ms) {
  sl_value v = value_of_kind(SL_TYPE_TIMESTAMP);
  v.u.i64 = ms;
  return v;
}

sl_value sl_value_interval(int64_t ms) {
  sl_value v = value_of_kind(SL_TYPE_INTERVAL);
  v.u.i64 = ms;
  return v;
}

sl_value sl_value_composite(sl_type_kind kind, sl_value *items,
                            uint32_t len) {
  sl_value v = value_of_kind(kind);
  v.len = len;
  v.u.items = items;
  return v;
}

/* Joins the two halves back into the unscaled integer. */
sl_int128 sl_value_decimal_get(const sl_value *v) {
  sl_uint128 u = ((sl_uint128)(uint64_t)v->u.dec.hi << 64) | v->u.dec.lo;
  return (sl_int128)u;
}

/* ------------------------------------------------------------------ */
/* Copy                                                                */
/* ------------------------------------------------------------------ */

static size_t item_count(const sl_value *v) {
  return v->kind == SL_TYPE_MAP ? 2 * (size_t)v->len : v->len;
}

/* Deep-copies v into arena. */
sl_status sl_value_copy(sl_arena *arena, const sl_value *v, sl_value *out,
                        sl_error *err) {
  sl_value r = *v;
  switch (v->kind) {
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    if (v->len) {
      char *p = sl_arena_alloc(arena, v->len);
      if (!p)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      memcpy(p, v->u.str, v->len);
      r.u.str = p;
    } else {
      r.u.str = "";
    }
    break;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT: {
    size_t n = item_count(v);
    if (n) {
      sl_value *items = sl_arena_alloc(arena, n * sizeof(*items));
      if (!items)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      for (size_t i = 0; i < n; i++) {
        if (sl_value_copy(arena, &v->u.items[i], &items[i], err))
          return err ? err->code : SL_ERR_NOMEM;
      }
      r.u.items = items;
    } else {
      r.u.items = NULL;
    }
    break;
  }
  default:
    break;
  }
  *out = r;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Ordering                                                            */
/* ------------------------------------------------------------------ */

static bool is_exact(uint8_t kind) {
  return kind == SL_TYPE_INT || kind == SL_TYPE_BIGINT ||
         kind == SL_TYPE_DECIMAL;
}

static bool is_number(uint8_t kind) {
  return is_exact(kind) || kind == SL_TYPE_DOUBLE;
}

static bool is_instant(uint8_t kind) {
  return kind == SL_TYPE_DATE || kind == SL_TYPE_TIMESTAMP;
}

/* An exact numeric as an unscaled integer and scale. */
static sl_int128 exact_of(const sl_value *v, int *scale) {
  switch (v->kind) {
  case SL_TYPE_INT:
    *scale = 0;
    return v->u.i32;
  case SL_TYPE_BIGINT:
    *scale = 0;
    return v->u.i64;
  default:
    *scale = v->scale;
    return sl_value_decimal_get(v);
  }
}

static int cmp_double(double a, double b) {
  /* NaN equals NaN and sorts above every number, as in PostgreSQL. */
  if (isnan(a) || isnan(b))
    return isnan(a) - isnan(b);
  return (a > b) - (a < b);
}

static int cmp_number(const sl_value *a, const sl_value *b) {
  if (a->kind == SL_TYPE_DOUBLE && b->kind == SL_TYPE_DOUBLE)
    return cmp_double(a->u.f64, b->u.f64);
  if (a->kind == SL_TYPE_DOUBLE)
    return -cmp_number(b, a);

  int sa;
  sl_int128 xa = exact_of(a, &sa);
  if (b->kind == SL_TYPE_DOUBLE) {
    double d = b->u.f64;
    if (isnan(d))
      return -1;
    if (isinf(d))
      return d > 0 ? -1 : 1;
    return sl_decimal_cmp_double(xa, sa, d);
  }
  int sb;
  sl_int128 xb = exact_of(b, &sb);
  return sl_decimal_cmp(xa, sa, xb, sb);
}

static int64_t instant_ms(const sl_value *v) {
  return v->kind == SL_TYPE_DATE ? (int64_t)v->u.i32 * SL_MS_PER_DAY
                                 : v->u.i64;
}

static int cmp_bytes(const sl_value *a, const sl_value *b) {
  uint32_t n = a->len < b->len ? a->len : b->len;
  int c = n ? memcmp(a->u.str, b->u.str, n) : 0;
  if (c)
    return c < 0 ? -1 : 1;
  return (a->len > b->len) - (a->len < b->len);
}

static int cmp_items(const sl_value *a, const sl_value *b) {
  size_t na = item_count(a), nb = item_count(b);
  size_t n = na < nb ? na : nb;
  for (size_t i = 0; i < n; i++) {
    int c = sl_value_compare(&a->u.items[i], &b->u.items[i]);
    if (c)
      return c;
  }
  return (na > nb) - (na < nb);
}

/* Three-way comparison (see value.h); NULL sorts first and equals NULL
 * here, so that composites holding NULLs still order totally. */
int sl_value_compare(const sl_value *a, const sl_value *b) {
  if (a->kind == SL_TYPE_NULL || b->kind == SL_TYPE_NULL)
    return (b->kind == SL_TYPE_NULL) - (a->kind == SL_TYPE_NULL);

  if (a->kind == b->kind) {
    switch (a->kind) {
    case SL_TYPE_BOOLEAN:
      return (a->u.b > b->u.b) - (a->u.b < b->u.b);
    case SL_TYPE_INT:
    case SL_TYPE_DATE:
      return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
    case SL_TYPE_BIGINT:
    case SL_TYPE_TIMESTAMP:
    case SL_TYPE_INTERVAL:
      return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    case SL_TYPE_DOUBLE:
      return cmp_double(a->u.f64, b->u.f64);
    case SL_TYPE_DECIMAL:
      return cmp_number(a, b);
    case SL_TYPE_VARCHAR:
    case SL_TYPE_BYTES:
      return cmp_bytes(a, b);
    default:
      return cmp_items(a, b);
    }
  }

  if (is_number(a->kind) && is_number(b->kind))
    return cmp_number(a, b);
  if (is_instant(a->kind) && is_instant(b->kind)) {
    int64_t x = instant_ms(a), y = instant_ms(b);
    return (x > y) - (x < y);
  }
  return a->kind < b->kind ? -1 : 1;
}

/* SQL equality: NULL equals nothing. */
bool sl_value_equal(const sl_value *a, const sl_value *b) {
  if (a->kind == SL_TYPE_NULL || b->kind == SL_TYPE_NULL)
    return false;
  return sl_value_compare(a, b) == 0;
}

/* ------------------------------------------------------------------ */
/* Hashing                                                             */
/* ------------------------------------------------------------------ */

/* Seeds keep unrelated domains apart. */
enum {
  SEED_NULL = 0x6e756c6c,
  SEED_BOOL = 0x626f6f6c,
  SEED_NUMBER = 0x6e756d62,
  SEED_DOUBLE = 0x64626c65,
  SEED_STRING = 0x73747269,
  SEED_BYTES = 0x62797465,
  SEED_INSTANT = 0x696e7374,
  SEED_INTERVAL = 0x696e7476,
  SEED_ITEMS = 0x6974656d
};

static uint64_t hash_i64(int64_t x, uint64_t seed) {
  return XXH3_64bits_withSeed(&x, sizeof(x), seed);
}

/* The canonical hash of the exact number v / 10^scale. */
static uint64_t hash_exact(sl_int128 v, int scale) {
  sl_decimal_normalize(&v, &scale);
  if (scale == 0 && v >= INT64_MIN && v <= INT64_MAX)
    return hash_i64((int64_t)v, SEED_NUMBER);
  unsigned char buf[17];
  uint64_t lo = (uint64_t)v;
  uint64_t hi = (uint64_t)((sl_uint128)v >> 64);
  memcpy(buf, &lo, 8);
  memcpy(buf + 8, &hi, 8);
  buf[16] = (unsigned char)scale;
  return XXH3_64bits_withSeed(buf, sizeof(buf), SEED_NUMBER);
}

/* A hash consistent with sl_value_equal. */
uint64_t sl_value_hash(const sl_value *v) {
  switch (v->kind) {
  case SL_TYPE_NULL:
    return hash_i64(0, SEED_NULL);
  case SL_TYPE_BOOLEAN:
    return hash_i64(v->u.b, SEED_BOOL);
  case SL_TYPE_INT:
    return hash_i64(v->u.i32, SEED_NUMBER);
  case SL_TYPE_BIGINT:
    return hash_i64(v->u.i64, SEED_NUMBER);
  case SL_TYPE_DECIMAL:
    return hash_exact(sl_value_decimal_get(v), v->scale);
  case SL_TYPE_DOUBLE: {
    double d = v->u.f64;
    sl_int128 x;
    int scale;
    if (isnan(d))
      return hash_i64(0, SEED_DOUBLE);
    if (!isinf(d) && sl_decimal_exact_double(d, &x, &scale))
      return hash_exact(x, scale);
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    return XXH3_64bits_withSeed(&bits, sizeof(bits), SEED_DOUBLE);
  }
  case SL_TYPE_VARCHAR:
    return XXH3_64bits_withSeed(v->u.str, v->len, SEED_STRING);
  case SL_TYPE_BYTES:
    return XXH3_64bits_withSeed(v->u.str, v->len, SEED_BYTES);
  case SL_TYPE_DATE:
  case SL_TYPE_TIMESTAMP:
    return hash_i64(instant_ms(v), SEED_INSTANT);
  case SL_TYPE_INTERVAL:
    return hash_i64(v->u.i64, SEED_INTERVAL);
  default: {
    uint64_t h = hash_i64((int64_t)v->kind << 32 | v->len, SEED_ITEMS);
    size_t n = item_count(v);
    for (size_t i = 0; i < n; i++) {
      uint64_t ih = sl_value_hash(&v->u.items[i]);
      h = XXH3_64bits_withSeed(&ih, sizeof(ih), h);
    }
    return h;
  }
  }
}

/* ------------------------------------------------------------------ */
/* Cast errors                                                         */
/* ------------------------------------------------------------------ */

/* "VARCHAR \"abc\"" or "BIGINT 3000000000": the value for a message. */
static const char *describe(const sl_value *v, char *buf, size_t size) {
  char q[SL_TYPES_QUOTE_MAX + 8];
  if (v->kind == SL_TYPE_VARCHAR) {
    snprintf(buf, size, "VARCHAR %s", sl_types_quote(q, v->u.str, v->len));
    return buf;
  }
  if (v->kind == SL_TYPE_BYTES) {
    snprintf(buf, size, "BYTES of %u bytes", (unsigned)v->len);
    return buf;
  }
  if (v->kind >= SL_TYPE_ARRAY) {
    snprintf(buf, size, "%s", sl_type_kind_name((sl_type_kind)v->kind));
    return buf;
  }
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_format_text(&sb, v, NULL);
  snprintf(buf, size, "%s %s", sl_type_kind_name((sl_type_kind)v->kind),
           sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return buf;
}

static sl_status cast_fail(sl_error *err, const char *reason,
                           const sl_value *v, const sl_type *to,
                           const char *why) {
  char what[160];
  char tname[SL_TYPE_SQL_MAX];
  describe(v, what, sizeof(what));
  sl_type_to_sql(to, tname, sizeof(tname));
  return sl_types_fail(err, reason, "cannot cast %s to %s%s%s", what, tname,
                       why ? ": " : "", why ? why : "");
}

static sl_status type_error(sl_error *err, const sl_value *v,
                            const sl_type *to, const char *why) {
  return cast_fail(err, "type", v, to, why);
}

static sl_status range_error(sl_error *err, const sl_value *v,
                             const sl_type *to) {
  return cast_fail(err, "overflow", v, to, "out of range");
}

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Text readers                                                        */
/* ------------------------------------------------------------------ */

static void trim(const char **s, size_t *len) {
  while (*len && isspace((unsigned char)**s)) {
    (*s)++;
    (*len)--;
  }
  while (*len && isspace((unsigned char)(*s)[*len - 1]))
    (*len)--;
}

/* Reads [+-]digits.  Returns 0 on success, 1 for bad text, 2 when the
 * number leaves the 64-bit range. */
static int read_int64(const char *s, size_t len, int64_t *out) {
  trim(&s, &len);
  size_t i = 0;
  bool neg = false;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    neg = s[i++] == '-';
  if (i == len)
    return 1;

  /* Accumulate the magnitude as unsigned so INT64_MIN fits. */
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  uint64_t m = 0;
  bool over = false;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 1;
    unsigned d = (unsigned)(s[i] - '0');
    if (m > (limit - d) / 10)
      over = true;
    else
      m = m * 10 + d;
  }
  if (over)
    return 2;
  *out = neg ? (int64_t)(0 - m) : (int64_t)m;
  return 0;
}

/* Reads a double with strtod, refusing hexadecimal forms.  Returns 0, 1
 * for bad text, 2 for a magnitude beyond DOUBLE. */
static int read_double(const char *s, size_t len, double *out) {
  char buf[512];
  trim(&s, &len);
  if (len == 0 || len >= sizeof(buf))
    return 1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  const char *digits = buf + (buf[0] == '+' || buf[0] == '-');
  if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
    return 1;

  char *end;
  errno = 0;
  double d = strtod(buf, &end);
  if (*end != '\0' || end == buf)
    return 1;
  if (errno == ERANGE && isinf(d))
    return 2;
  *out = d;
  return 0;
}

static bool text_is(const char *s, size_t len, const char *word) {
  size_t n = strlen(word);
  if (len != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (tolower((unsigned char)s[i]) != word[i])
      return false;
  }
  return true;
}

static int read_bool(const char *s, size_t len, bool *out) {
  static const char *const yes[] = {"true", "t", "yes", "y", "on", "1"};
  static const char *const no[] = {"false", "f", "no", "n", "off", "0"};
  trim(&s, &len);
  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
    if (text_is(s, len, yes[i])) {
      *out = true;
      return 0;
    }
    if (text_is(s, len, no[i])) {
      *out = false;
      return 0;
    }
  }
  return 1;
}

/* Reads [-]HH:MM:SS[.fff] into ms; false on bad text. */
static bool read_clock(const char *s, size_t len, int64_t *ms) {
  bool neg = len && s[0] == '-';
  if (neg || (len && s[0] == '+')) {
    s++;
    len--;
  }
  size_t i = 0;
  int64_t part[3] = {0, 0, 0};
  for (int k = 0; k < 3; k++) {
    if (k && (i >= len || s[i++] != ':'))
      return false;
    size_t start = i;
    while (i < len && isdigit((unsigned char)s[i]) && i - start < 12)
      part[k] = part[k] * 10 + (s[i++] - '0');
    if (i == start)
      return false;
  }
  int64_t frac = 0;
  if (i < len && s[i] == '.') {
    i++;
    int n = 0;
    while (i < len && isdigit((unsigned char)s[i])) {
      if (n < 3)
        frac = frac * 10 + (s[i] - '0');
      n++;
      i++;
    }
    if (n == 0)
      return false;
    for (; n < 3; n++)
      frac *= 10;
  }
  if (i != len || part[1] > 59 || part[2] > 59)
    return false;
  int64_t v = ((part[0] * 60 + part[1]) * 60 + part[2]) * 1000 + frac;
  *ms = neg ? -v : v;
  return true;
}

/* Reads the INTERVAL text form "[N days ]HH:MM:SS[.fff]" (each part with
 * its own sign) or "N days" into ms; false on bad text or overflow. */
static bool read_interval(const char *s, size_t len, int64_t *ms) {
  trim(&s, &len);
  int64_t days = 0;
  size_t i = 0;
  bool has_days = false;

  /* A day count is a number followed by blanks and "day" or "days". */
  size_t j = i + (i < len && (s[i] == '-' || s[i] == '+'));
  size_t k = j;
  while (k < len && isdigit((unsigned char)s[k]))
    k++;
  size_t w = k;
  while (w < len && s[w] == ' ')
    w++;
  if (k > j && w > k && w + 3 <= len && text_is(s + w, 3, "day")) {
    if (read_int64(s, k, &days) || days > 106751991167 ||
        days < -106751991167)
      return false;
    has_days = true;
    i = w + 3;
    if (i < len && (s[i] == 's' || s[i] == 'S'))
      i++;
    while (i < len && s[i] == ' ')
      i++;
  }

  int64_t clock = 0;
  if (i < len) {
    if (!read_clock(s + i, len - i, &clock))
      return false;
  } else if (!has_days) {
    return false;
  }
  *ms = days * SL_MS_PER_DAY + clock;
  return true;
}

/* ------------------------------------------------------------------ */
/* Casts                                                               */
/* ------------------------------------------------------------------ */

static sl_status cast_value(sl_arena *arena, const sl_value *v,
                            const sl_type *from, const sl_type *to,
                            sl_value *out, sl_error *err);

/* Integers of any source as an int64 within [lo, hi]. */
static sl_status to_integer(const sl_value *v, const sl_type *to,
                            int64_t lo, int64_t hi, int64_t *r,
                            sl_error *err) {
  int rc;
  switch (v->kind) {
  case SL_TYPE_BOOLEAN:
    *r = v->u.b;
    return SL_OK;
  case SL_TYPE_INT:
    *r = v->u.i32;
    break;
  case SL_TYPE_BIGINT:
    *r = v->u.i64;
    break;
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    if (to->kind != SL_TYPE_BIGINT)
      return type_error(err, v, to, NULL);
    *r = v->u.i64;
    break;
  case SL_TYPE_DECIMAL: {
    sl_error derr;
    if (sl_decimal_to_int64(sl_value_decimal_get(v), v->scale, lo, hi, r,
                            &derr))
      return range_error(err, v, to);
    return SL_OK;
  }
  case SL_TYPE_DOUBLE: {
    double d = v->u.f64;
    if (isnan(d))
      return type_error(err, v, to, NULL);
    /* Half away from zero, like DECIMAL. */
    d = round(d);
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
      return range_error(err, v, to);
    *r = (int64_t)d;
    break;
  }
  case SL_TYPE_VARCHAR:
    rc = read_int64(v->u.str, v->len, r);
    if (rc == 1)
      return type_error(err, v, to, "not an integer");
    if (rc == 2)
      return range_error(err, v, to);
    break;
  default:
    return type_error(err, v, to, NULL);
  }
  if (*r < lo || *r > hi)
    return range_error(err, v, to);
  return SL_OK;
}

static sl_status to_double(const sl_value *v, const sl_type *to,
                           double *r, sl_error *err) {
  switch (v->kind) {
  case SL_TYPE_INT:
    *r = v->u.i32;
    return SL_OK;
  case SL_TYPE_BIGINT:
    *r = (double)v->u.i64;
    return SL_OK;
  case SL_TYPE_DOUBLE:
    *r = v->u.f64;
    return SL_OK;
  case SL_TYPE_DECIMAL:
    *r = sl_decimal_to_double(sl_value_decimal_get(v), v->scale);
    return SL_OK;
  case SL_TYPE_VARCHAR:
    switch (read_double(v->u.str, v->len, r)) {
    case 0:
      return SL_OK;
    case 2:
      return range_error(err, v, to);
    default:
      return type_error(err, v, to, "not a number");
    }
  default:
    return type_error(err, v, to, NULL);
  }
}

static sl_status to_decimal(const sl_value *v, const sl_type *to,
                            sl_value *out, sl_error *err) {
  sl_int128 r;
  sl_error derr;
  sl_status rc;
  int p = to->precision, s = to->scale;
  switch (v->kind) {
  case SL_TYPE_INT:
  case SL_TYPE_BIGINT:
    rc = sl_decimal_from_int64(v->kind == SL_TYPE_INT ? v->u.i32 : v->u.i64,
                               p, s, &r, &derr);
    break;
  case SL_TYPE_DECIMAL:
    rc = sl_decimal_rescale(sl_value_decimal_get(v), v->scale, s, p, &r,
                            &derr);
    break;
  case SL_TYPE_DOUBLE:
    rc = sl_decimal_from_double(v->u.f64, p, s, &r, &derr);
    break;
  case SL_TYPE_VARCHAR:
    rc = sl_decimal_parse(v->u.str, v->len, p, s, &r, &derr);
    break;
  default:
    return type_error(err, v, to, NULL);
  }
  if (rc) {
    if (strcmp(derr.reason, "overflow") == 0)
      return range_error(err, v, to);
    return type_error(err, v, to, "not a number");
  }
  *out = sl_value_decimal(r, s);
  return SL_OK;
}

/* The text form of v, in arena. */
static sl_status to_varchar(sl_arena *arena, const sl_value *v,
                            const sl_type *from, const sl_type *to,
                            sl_value *out, sl_error *err) {
  if (v->kind == SL_TYPE_VARCHAR) {
    *out = *v;
    return SL_OK;
  }
  if (v->kind == SL_TYPE_BYTES) {
    /* BYTES become text when they are UTF-8: the inverse of VARCHAR to
     * BYTES. */
    if (!sl_format_utf8_valid(v->u.str, v->len))
      return type_error(err, v, to, "not valid UTF-8");
    *out = sl_value_varchar(v->u.str, v->len);
    return SL_OK;
  }

  sl_strbuf sb = SL_STRBUF_INIT;
  if (sl_format_text(&sb, v, from)) {
    sl_strbuf_free(&sb);
    return nomem(err);
  }
  char *p = sl_arena_strndup(arena, sb.data ? sb.data : "", sb.len);
  size_t n = sb.len;
  sl_strbuf_free(&sb);
  if (!p)
    return nomem(err);
  *out = sl_value_varchar(p, n);
  return SL_OK;
}

static sl_status to_time(const sl_value *v, const sl_type *to,
                         sl_value *out, sl_error *err) {
  int64_t ms;
  sl_error terr;
  switch (to->kind) {
  case SL_TYPE_DATE:
    if (v->kind == SL_TYPE_TIMESTAMP) {
      int64_t day = sl_time_day_of(v->u.i64);
      *out = sl_value_date((int32_t)day);
      return SL_OK;
    }
    if (v->kind == SL_TYPE_VARCHAR) {
      int32_t days;
      if (sl_time_parse_date(v->u.str, v->len, &days, &terr))
        return type_error(err, v, to, "expected YYYY-MM-DD");
      *out = sl_value_date(days);
      return SL_OK;
    }
    break;
  case SL_TYPE_TIMESTAMP:
    if (v->kind == SL_TYPE_DATE) {
      *out = sl_value_timestamp((int64_t)v->u.i32 * SL_MS_PER_DAY);
      return SL_OK;
    }
    if (v->kind == SL_TYPE_BIGINT || v->kind == SL_TYPE_INT) {
      *out = sl_value_timestamp(v->kind == SL_TYPE_INT ? v->u.i32
                                                       : v->u.i64);
      return SL_OK;
    }
    if (v->kind == SL_TYPE_VARCHAR) {
      if (sl_time_parse_iso8601(v->u.str, v->len, &ms, &terr))
        return type_error(err, v, to,
                          "expected YYYY-MM-DD[THH:MM[:SS[.fff]]]"
                          "[Z|+hh:mm]");
      *out = sl_value_timestamp(ms);
      return SL_OK;
    }
    break;
  case SL_TYPE_INTERVAL:
    if (v->kind == SL_TYPE_BIGINT || v->kind == SL_TYPE_INT) {
      *out = sl_value_interval(v->kind == SL_TYPE_INT ? v->u.i32
                                                      : v->u.i64);
      return SL_OK;
    }
    if (v->kind == SL_TYPE_VARCHAR) {
      if (!read_interval(v->u.str, v->len, &ms))
        return type_error(err, v, to, "expected [N days ]HH:MM:SS[.fff]");
      *out = sl_value_interval(ms);
      return SL_OK;
    }
    break;
  default:
    break;
  }
  return type_error(err, v, to, NULL);
}

/* Casts each item of a composite into a new arena array. */
static sl_status to_composite(sl_arena *arena, const sl_value *v,
                              const sl_type *from, const sl_type *to,
                              sl_value *out, sl_error *err) {
  if (v->kind != to->kind)
    return type_error(err, v, to, NULL);
  if (to->kind == SL_TYPE_STRUCT && (int)v->len != to->nfields)
    return type_error(err, v, to, "different number of fields");

  size_t n = item_count(v);
  sl_value *items = n ? sl_arena_alloc(arena, n * sizeof(*items)) : NULL;
  if (n && !items)
    return nomem(err);
  bool typed_from = from && from->kind == to->kind;
  for (size_t i = 0; i < n; i++) {
    const sl_type *ft = NULL, *tt;
    switch (to->kind) {
    case SL_TYPE_ARRAY:
      tt = to->elem;
      ft = typed_from ? from->elem : NULL;
      break;
    case SL_TYPE_MAP:
      tt = i % 2 == 0 ? sl_type_varchar() : to->elem;
      ft = typed_from && i % 2 ? from->elem : NULL;
      break;
    default:
      tt = to->fields[i].type;
      ft = typed_from && (int)i < from->nfields ? from->fields[i].type
                                                 : NULL;
      break;
    }
    if (cast_value(arena, &v->u.items[i], ft, tt, &items[i], err))
      return err ? err->code : SL_ERR_RECORD;
  }
  *out = sl_value_composite((sl_type_kind)to->kind, items, v->len);
  return SL_OK;
}

static sl_status cast_value(sl_arena *arena, const sl_value *v,
                            const sl_type *from, const sl_type *to,
                            sl_value *out, sl_error *err) {
  if (v->kind == SL_TYPE_NULL) {
    *out = *v;
    return SL_OK;
  }

  int64_t i;
  double d;
  bool b;
  switch (to->kind) {
  case SL_TYPE_NULL:
    return type_error(err, v, to, NULL);
  case SL_TYPE_BOOLEAN:
    if (v->kind == SL_TYPE_BOOLEAN) {
      *out = *v;
    } else if (v->kind == SL_TYPE_INT || v->kind == SL_TYPE_BIGINT) {
      *out = sl_value_bool(v->kind == SL_TYPE_INT ? v->u.i32 != 0
                                                  : v->u.i64 != 0);
    } else if (v->kind == SL_TYPE_VARCHAR) {
      if (read_bool(v->u.str, v->len, &b))
        return type_error(err, v, to, "expected true or false");
      *out = sl_value_bool(b);
    } else {
      return type_error(err, v, to, NULL);
    }
    return SL_OK;
  case SL_TYPE_INT:
    if (to_integer(v, to, INT32_MIN, INT32_MAX, &i, err))
      return SL_ERR_RECORD;
    *out = sl_value_int((int32_t)i);
    return SL_OK;
  case SL_TYPE_BIGINT:
    if (to_integer(v, to, INT64_MIN, INT64_MAX, &i, err))
      return SL_ERR_RECORD;
    *out = sl_value_bigint(i);
    return SL_OK;
  case SL_TYPE_DOUBLE:
    if (to_double(v, to, &d, err))
      return SL_ERR_RECORD;
    *out = sl_value_double(d);
    return SL_OK;
  case SL_TYPE_DECIMAL:
    return to_decimal(v, to, out, err);
  case SL_TYPE_VARCHAR:
    return to_varchar(arena, v, from, to, out, err);
  case SL_TYPE_BYTES:
    if (v->kind != SL_TYPE_BYTES && v->kind != SL_TYPE_VARCHAR)
      return type_error(err, v, to, NULL);
    *out = *v;
    out->kind = SL_TYPE_BYTES;
    return SL_OK;
  case SL_TYPE_DATE:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    if (v->kind == to->kind) {
      *out = *v;
      return SL_OK;
    }
    return to_time(v, to, out, err);
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT:
    return to_composite(arena, v, from, to, out, err);
  }
  return type_error(err, v, to, NULL);
}

/* Casts v to type (see value.h). */
sl_status sl_value_cast(sl_arena *arena, const sl_value *v,
                        const sl_type *type, sl_value *out, sl_error *err) {
  return cast_value(arena, v, NULL, type, out, err);
}

/* Casts v, whose declared type is from (may be NULL), to type to. */
sl_status sl_value_cast_from(sl_arena *arena, const sl_value *v,
                             const sl_type *from, const sl_type *to,
                             sl_value *out, sl_error *err) {
  return cast_value(arena, v, from, to, out, err);
}
