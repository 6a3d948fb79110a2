/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.c - text, CSV and JSON renderings of values.
 *
 * Scalars are formatted into small stack buffers and appended in one
 * piece; strings are escaped in runs so that plain ASCII costs one copy.
 * Composite values recurse through the JSON writer, carrying the type
 * alongside for STRUCT field names.
 */
#include "engine/types/format.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/time.h"

/* ------------------------------------------------------------------ */
/* Scalars                                                             */
/* ------------------------------------------------------------------ */

/* Decimal digits of v into buf, without snprintf (on the output hot
 * path).  Returns the length. */
static size_t format_int64(int64_t v, char *buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + m % 10);
    m /= 10;
  } while (m);
  size_t o = 0;
  if (v < 0)
    buf[o++] = '-';
  while (n)
    buf[o++] = tmp[--n];
  buf[o] = '\0';
  return o;
}

/* ------------------------------------------------------------------ */
/* Doubles                                                             */
/* ------------------------------------------------------------------ */

/*
 * The text of a double is the first of %.15g, %.16g and %.17g that reads
 * back to it (see format.h).  Each of those is the double's exact value
 * rounded half to even at P significant digits, and it reads back when
 * that decimal lies inside the double's rounding interval.  Both are
 * decided here exactly with 128-bit integers: |d| = m * 2^e scaled by
 * 10^s is the fraction num / den, whose integer part has 17 digits; the
 * roundings to 15, 16 and 17 digits follow from its last digits and the
 * remainder, and the interval test compares each with num / den plus or
 * minus half a unit in the last place.  Values whose fraction
 * does not fit (below about 1e-5, above about 2e37, and subnormals) go
 * through printf and strtod, which give the same text at many times
 * the cost.
 */

__extension__ typedef unsigned __int128 dbl_u128;

/* Numerators, denominators and gaps stay below 2^DBL_FIT_BITS, so that
 * the comparisons can scale them by four without overflow. */
#define DBL_FIT_BITS 124

static const uint64_t pow10_u64[20] = {
    1u,
    10u,
    100u,
    1000u,
    10000u,
    100000u,
    1000000u,
    10000000u,
    100000000u,
    1000000000u,
    10000000000u,
    100000000000u,
    1000000000000u,
    10000000000000u,
    100000000000000u,
    1000000000000000u,
    10000000000000000u,
    100000000000000000u,
    1000000000000000000u,
    10000000000000000000u,
};

/* 10^k for 0 <= k <= 37. */
static dbl_u128 pow10_u128(int k) {
  if (k < 20)
    return pow10_u64[k];
  return (dbl_u128)pow10_u64[19] * pow10_u64[k - 19];
}

/* Bit length of 10^k: 1701 / 512 is just above log2(10), which makes
 * this exact for every k up to 38. */
static int pow10_bits(int k) {
  return k * 1701 / 512 + 1;
}

/* A positive normal double taken apart: |d| = m * 2^e with
 * 2^52 <= m < 2^53.  At a power of two the gap to the next double down
 * is half the gap up, so the interval is narrower below. */
typedef struct {
  uint64_t m;
  int e;
  bool narrow_below;
} dbl_parts;

/* |d| * 10^s as num / den, and ulp = 2^e * 10^s * den, the width of the
 * last place in the same units.  False when any of them would not fit
 * in DBL_FIT_BITS bits (the product of an a-bit and a b-bit number has
 * at most a + b bits). */
static bool dbl_scaled(const dbl_parts *p, int s, dbl_u128 *num,
                       dbl_u128 *den, dbl_u128 *ulp) {
  int up = p->e > 0 ? p->e : 0;
  int down = p->e < 0 ? -p->e : 0;
  int k = s < 0 ? -s : s;
  int num_bits = 53 + up + (s > 0 ? pow10_bits(k) : 0);
  int den_bits = 1 + down + (s < 0 ? pow10_bits(k) : 0);
  if (k > 37 || num_bits > DBL_FIT_BITS || den_bits > DBL_FIT_BITS)
    return false;

  dbl_u128 scale = pow10_u128(k);
  *num = (dbl_u128)p->m << up;
  *ulp = (dbl_u128)1 << up;
  *den = (dbl_u128)1 << down;
  if (s >= 0) {
    *num *= scale;
    *ulp *= scale;
  } else {
    *den *= scale;
  }
  return true;
}

/* True when q / 10^s, the decimal q at this scale, converts back to the
 * double |d| = num / den / 10^s: strtod rounds half to even, so a
 * decimal exactly on the interval's edge reads back only when m is
 * even. */
static bool dbl_reads_back(const dbl_parts *p, uint64_t q, dbl_u128 num,
                           dbl_u128 den, dbl_u128 ulp) {
  bool even = (p->m & 1) == 0;
  dbl_u128 x = (dbl_u128)q * den; /* at most num + den, so it fits */

  /* Half a gap up is ulp / 2; down it is ulp / 4 at a power of two. */
  dbl_u128 dist;
  if (x >= num)
    dist = (x - num) * 2;
  else
    dist = (num - x) * (p->narrow_below ? 4 : 2);
  return dist < ulp || (even && dist == ulp);
}

static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

/* The P digits of q (10^(P-1) <= q <= 10^P, the top meaning a carry
 * into a new leading digit) with decimal exponent x, laid out as %.Pg
 * does: fixed when -4 <= x < P, otherwise d.ddde+XX, trailing zeros
 * dropped either way.  Returns the length. */
static size_t dbl_emit(char *buf, bool neg, uint64_t q, int prec, int x) {
  if (q == pow10_u64[prec]) {
    q = pow10_u64[prec - 1];
    x++;
  }
  /* Two digits per division. */
  char dig[20];
  int left = prec;
  while (left >= 2) {
    left -= 2;
    memcpy(&dig[left], &digit_pairs[2 * (q % 100)], 2);
    q /= 100;
  }
  if (left == 1)
    dig[0] = (char)('0' + q);
  int k = prec;
  while (k > 1 && dig[k - 1] == '0')
    k--;

  size_t o = 0;
  if (neg)
    buf[o++] = '-';
  if (x >= -4 && x < prec) {
    if (x >= 0) {
      for (int i = 0; i <= x; i++)
        buf[o++] = i < k ? dig[i] : '0';
      if (k > x + 1) {
        buf[o++] = '.';
        for (int i = x + 1; i < k; i++)
          buf[o++] = dig[i];
      }
    } else {
      buf[o++] = '0';
      buf[o++] = '.';
      for (int i = 0; i < -x - 1; i++)
        buf[o++] = '0';
      for (int i = 0; i < k; i++)
        buf[o++] = dig[i];
    }
  } else {
    buf[o++] = dig[0];
    if (k > 1) {
      buf[o++] = '.';
      for (int i = 1; i < k; i++)
        buf[o++] = dig[i];
    }
    buf[o++] = 'e';
    buf[o++] = x < 0 ? '-' : '+';
    int ax = x < 0 ? -x : x;
    if (ax >= 100)
      buf[o++] = (char)('0' + ax / 100);
    buf[o++] = (char)('0' + ax / 10 % 10);
    buf[o++] = (char)('0' + ax % 10);
  }
  buf[o] = '\0';
  return o;
}

/* q (17 digits) rounded half to even to prec digits; sticky tells that
 * a nonzero remainder follows q, above and half whether that remainder
 * is above or exactly half a unit of q's last digit.  The divisions are
 * by constants, which compile to multiplications. */
static uint64_t dbl_round(uint64_t q, int prec, bool sticky, bool above,
                          bool half) {
  uint64_t head, tail, unit;
  switch (prec) {
  case 15:
    head = q / 100;
    tail = q % 100;
    unit = 100;
    break;
  case 16:
    head = q / 10;
    tail = q % 10;
    unit = 10;
    break;
  default:
    return q + (above || (half && (q & 1)));
  }
  if (tail != unit / 2)
    return head + (tail > unit / 2);
  return head + (sticky || (head & 1));
}

/* The exact path described above; false (buf untouched) when d is zero,
 * subnormal, not finite or outside the range the fractions cover. */
static bool dbl_format_exact(double d, char *buf, size_t *len) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof(bits));
  int biased = (int)(bits >> 52 & 0x7ff);
  uint64_t frac = bits & (((uint64_t)1 << 52) - 1);
  if (biased == 0 || biased == 0x7ff)
    return false;
  dbl_parts p = {frac | (uint64_t)1 << 52, biased - 1075,
                 frac == 0 && biased > 1};

  /* |d| lies in [2^(e+52), 2^(e+53)), so this is its decimal exponent
   * or one less; the first scaling tells which. */
  double lg = (p.e + 52) * 0.30102999566398120;
  int e10 = (int)lg;
  if (lg < e10)
    e10--; /* floor for negative exponents, without a libm call */
  dbl_u128 num, den, ulp, q, r;
  for (int tries = 0; tries < 2; tries++) {
    /* |d| * 10^(16 - e10) has 17 digits before the point. */
    int s = 16 - e10;
    if (!dbl_scaled(&p, s, &num, &den, &ulp))
      return false;
    if (s >= 0) {
      /* den is a power of two: divide by shifting. */
      int shift = p.e < 0 ? -p.e : 0;
      q = num >> shift;
      r = num & (den - 1);
    } else {
      q = num / den;
      r = num - q * den;
    }
    if (q < pow10_u64[17])
      break;
    e10++;
  }
  if (q >= pow10_u64[17])
    return false;

  /* Rounding to fewer digits needs only the dropped digits of q and
   * whether anything (r) follows them. */
  uint64_t q17 = (uint64_t)q;
  for (int prec = 15; prec <= 17; prec++) {
    uint64_t head = dbl_round(q17, prec, r != 0, r * 2 > den,
                              r * 2 == den);
    uint64_t unit = pow10_u64[17 - prec];
    if (dbl_reads_back(&p, head * unit, num, den, ulp)) {
      *len = dbl_emit(buf, d < 0, head, prec, e10);
      return true;
    }
  }
  return false;
}

/* The shortest of %.15g, %.16g and %.17g that reads back. */
size_t sl_format_double(double d, char *buf) {
  /* Integral values below 1e15 print as plain integers under %.15g too;
   * -0.0 keeps its sign. */
  if (fabs(d) < 1e15 && d == trunc(d) && !(d == 0 && signbit(d)))
    return format_int64((int64_t)d, buf);

  if (isnan(d))
    return (size_t)snprintf(buf, SL_FORMAT_DOUBLE_MAX, "NaN");
  if (isinf(d))
    return (size_t)snprintf(buf, SL_FORMAT_DOUBLE_MAX, "%sInfinity",
                            d < 0 ? "-" : "");

  size_t len;
  if (dbl_format_exact(d, buf, &len))
    return len;

  /* A normal double that reads back from k <= 15 digits also prints as
   * those digits at %.15g, since its rounding error is below half a unit
   * of the 15th digit; subnormals have fewer bits and need the full
   * search to find forms like 5e-324. */
  int first = (d != 0 && fabs(d) < DBL_MIN) ? 1 : 15;
  int n = 0;
  for (int prec = first; prec <= 17; prec++) {
    n = snprintf(buf, SL_FORMAT_DOUBLE_MAX, "%.*g", prec, d);
    if (strtod(buf, NULL) == d)
      break;
  }
  return (size_t)n;
}

static size_t format_year(int64_t year, char *buf) {
  if (year < 0)
    return (size_t)snprintf(buf, 24, "-%04lld", (long long)-year);
  return (size_t)snprintf(buf, 24, "%04lld", (long long)year);
}

/* Timestamp text in UTC. */
size_t sl_format_timestamp(int64_t ms, bool iso, char *buf) {
  sl_time_parts t;
  sl_time_split(ms, &t);
  size_t n = format_year(t.year, buf);
  n += (size_t)snprintf(buf + n, SL_FORMAT_TIME_MAX - n,
                        "-%02d-%02d%c%02d:%02d:%02d.%03d%s", t.month, t.day,
                        iso ? 'T' : ' ', t.hour, t.minute, t.second, t.ms,
                        iso ? "Z" : "");
  return n;
}

/* Date text. */
size_t sl_format_date(int64_t days, char *buf) {
  int64_t year;
  int month, day;
  sl_time_civil_from_days(days, &year, &month, &day);
  size_t n = format_year(year, buf);
  n += (size_t)snprintf(buf + n, SL_FORMAT_TIME_MAX - n, "-%02d-%02d",
                        month, day);
  return n;
}

/* Interval text with the sign on each part. */
size_t sl_format_interval(int64_t ms, char *buf) {
  bool neg = ms < 0;
  uint64_t mag = neg ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
  uint64_t days = mag / (uint64_t)SL_MS_PER_DAY;
  uint64_t rem = mag % (uint64_t)SL_MS_PER_DAY;
  size_t n = 0;
  if (days)
    n = (size_t)snprintf(buf, SL_FORMAT_TIME_MAX, "%s%llu days ",
                         neg ? "-" : "", (unsigned long long)days);
  bool time_neg = neg && (rem != 0 || days == 0);
  n += (size_t)snprintf(buf + n, SL_FORMAT_TIME_MAX - n,
                        "%s%02u:%02u:%02u.%03u", time_neg ? "-" : "",
                        (unsigned)(rem / 3600000),
                        (unsigned)(rem / 60000 % 60),
                        (unsigned)(rem / 1000 % 60), (unsigned)(rem % 1000));
  return n;
}

/* ------------------------------------------------------------------ */
/* Base64                                                              */
/* ------------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends RFC 4648 base64 with padding. */
sl_status sl_format_base64(sl_strbuf *out, const void *data, size_t len) {
  const unsigned char *p = data;
  if (sl_strbuf_reserve(out, (len + 2) / 3 * 4))
    return SL_ERR_NOMEM;
  char *o = out->data + out->len;
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    *o++ = b64_alphabet[v >> 18];
    *o++ = b64_alphabet[(v >> 12) & 63];
    *o++ = b64_alphabet[(v >> 6) & 63];
    *o++ = b64_alphabet[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)p[i + 1] << 8;
    *o++ = b64_alphabet[v >> 18];
    *o++ = b64_alphabet[(v >> 12) & 63];
    *o++ = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  out->len = (size_t)(o - out->data);
  out->data[out->len] = '\0';
  return SL_OK;
}

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Decodes base64 into dst. */
bool sl_format_base64_decode(const char *src, size_t len, void *dst,
                             size_t *dst_len) {
  unsigned char *o = dst;
  size_t pad = 0;
  while (len > 0 && src[len - 1] == '=' && pad < 2) {
    len--;
    pad++;
  }
  if (len % 4 == 1 || (pad && (len + pad) % 4 != 0))
    return false;

  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b64_value(src[i]);
    if (v < 0)
      return false;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      o[n++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  /* Leftover bits must be zero in canonical base64. */
  if (acc != 0)
    return false;
  *dst_len = n;
  return true;
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (0 when invalid). */
static size_t utf8_valid(const unsigned char *s, size_t left) {
  unsigned char c = s[0];
  if (c >= 0xc2 && c <= 0xdf)
    return left >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (left < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
      return 0;
    if (c == 0xe0 && s[1] < 0xa0)
      return 0; /* overlong */
    if (c == 0xed && s[1] >= 0xa0)
      return 0; /* surrogate */
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (left < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
        (s[3] & 0xc0) != 0x80)
      return 0;
    if (c == 0xf0 && s[1] < 0x90)
      return 0; /* overlong */
    if (c == 0xf4 && s[1] >= 0x90)
      return 0; /* above U+10FFFF */
    return 4;
  }
  return 0;
}

/* True when s is entirely valid UTF-8. */
bool sl_format_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    size_t n = utf8_valid(p + i, len - i);
    if (!n)
      return false;
    i += n;
  }
  return true;
}

/* Appends a JSON string literal. */
sl_status sl_format_json_string(sl_strbuf *out, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  if (sl_strbuf_reserve(out, len + 2))
    return SL_ERR_NOMEM;
  sl_strbuf_appendc(out, '"');

  size_t run = 0; /* start of the pending run of plain bytes */
  size_t i = 0;
  while (i < len) {
    unsigned char c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      i++;
      continue;
    }
    size_t seq = c >= 0x80 ? utf8_valid(p + i, len - i) : 0;
    if (seq) {
      i += seq;
      continue;
    }

    sl_strbuf_append(out, p + run, i - run);
    char esc[8];
    const char *e = esc;
    switch (c) {
    case '"': e = "\\\""; break;
    case '\\': e = "\\\\"; break;
    case '\b': e = "\\b"; break;
    case '\f': e = "\\f"; break;
    case '\n': e = "\\n"; break;
    case '\r': e = "\\r"; break;
    case '\t': e = "\\t"; break;
    default:
      if (c < 0x20)
        snprintf(esc, sizeof(esc), "\\u%04x", c);
      else
        e = "\\ufffd";
      break;
    }
    sl_strbuf_appends(out, e);
    i++;
    run = i;
  }
  sl_strbuf_append(out, p + run, len - run);
  return sl_strbuf_appendc(out, '"');
}

/* Appends a CSV field with RFC 4180 quoting. */
sl_status sl_format_csv_string(sl_strbuf *out, const char *s, size_t len,
                               char delim) {
  bool quote = len == 0;
  for (size_t i = 0; i < len && !quote; i++) {
    char c = s[i];
    quote = c == delim || c == '"' || c == '\r' || c == '\n';
  }
  if (!quote)
    return sl_strbuf_append(out, s, len);

  sl_strbuf_appendc(out, '"');
  size_t run = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '"') {
      /* Emit up to and including the quote, then double it. */
      sl_strbuf_append(out, s + run, i + 1 - run);
      sl_strbuf_appendc(out, '"');
      run = i + 1;
    }
  }
  sl_strbuf_append(out, s + run, len - run);
  return sl_strbuf_appendc(out, '"');
}

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

static const sl_type *elem_type(const sl_type *type, sl_type_kind kind) {
  return type && type->kind == kind ? type->elem : NULL;
}

static sl_status json_value(sl_strbuf *out, const sl_value *v,
                            const sl_type *type, int depth);

/* The text form of scalars shared by text and JSON; false for kinds it
 * does not handle. */
static bool scalar_text(const sl_value *v, char *buf, size_t *n) {
  switch (v->kind) {
  case SL_TYPE_BOOLEAN:
    *n = (size_t)snprintf(buf, 8, "%s", v->u.b ? "true" : "false");
    return true;
  case SL_TYPE_INT:
    *n = format_int64(v->u.i32, buf);
    return true;
  case SL_TYPE_BIGINT:
    *n = format_int64(v->u.i64, buf);
    return true;
  case SL_TYPE_DOUBLE:
    *n = sl_format_double(v->u.f64, buf);
    return true;
  case SL_TYPE_DECIMAL:
    *n = sl_decimal_to_text(sl_value_decimal_get(v), v->scale, buf);
    return true;
  default:
    return false;
  }
}

/* Appends the text form of v. */
sl_status sl_format_text(sl_strbuf *out, const sl_value *v,
                         const sl_type *type) {
  char buf[64];
  size_t n;
  if (scalar_text(v, buf, &n))
    return sl_strbuf_append(out, buf, n);

  switch (v->kind) {
  case SL_TYPE_NULL:
    return SL_OK;
  case SL_TYPE_VARCHAR:
    return sl_strbuf_append(out, v->u.str, v->len);
  case SL_TYPE_BYTES:
    return sl_format_base64(out, v->u.str, v->len);
  case SL_TYPE_DATE:
    return sl_strbuf_append(out, buf, sl_format_date(v->u.i32, buf));
  case SL_TYPE_TIMESTAMP:
    return sl_strbuf_append(out, buf,
                            sl_format_timestamp(v->u.i64, false, buf));
  case SL_TYPE_INTERVAL:
    return sl_strbuf_append(out, buf, sl_format_interval(v->u.i64, buf));
  default: {
    sl_status rc = json_value(out, v, type, 0);
    return out->failed ? SL_ERR_NOMEM : rc;
  }
  }
}

/* Appends v as a CSV field. */
sl_status sl_format_csv_field(sl_strbuf *out, const sl_value *v,
                              const sl_type *type, char delim) {
  char buf[64];
  size_t n;
  if (v->kind == SL_TYPE_NULL)
    return SL_OK;
  if (v->kind == SL_TYPE_VARCHAR)
    return sl_format_csv_string(out, v->u.str, v->len, delim);
  if (scalar_text(v, buf, &n))
    return sl_format_csv_string(out, buf, n, delim);

  /* Composites and the rest: render, then quote as one field. */
  sl_strbuf tmp = SL_STRBUF_INIT;
  sl_status rc = sl_format_text(&tmp, v, type);
  if (rc == SL_OK)
    rc = sl_format_csv_string(out, tmp.data ? tmp.data : "", tmp.len, delim);
  sl_strbuf_free(&tmp);
  return rc;
}

#define JSON_MAX_DEPTH 128

static sl_status json_value(sl_strbuf *out, const sl_value *v,
                            const sl_type *type, int depth) {
  char buf[64];
  size_t n;
  if (depth > JSON_MAX_DEPTH)
    return sl_strbuf_appends(out, "null");

  switch (v->kind) {
  case SL_TYPE_NULL:
    return sl_strbuf_appends(out, "null");
  case SL_TYPE_DOUBLE:
    n = sl_format_double(v->u.f64, buf);
    if (!isfinite(v->u.f64))
      return sl_format_json_string(out, buf, n);
    return sl_strbuf_append(out, buf, n);
  case SL_TYPE_VARCHAR:
    return sl_format_json_string(out, v->u.str, v->len);
  case SL_TYPE_BYTES:
    sl_strbuf_appendc(out, '"');
    sl_format_base64(out, v->u.str, v->len);
    return sl_strbuf_appendc(out, '"');
  case SL_TYPE_DATE:
    n = sl_format_date(v->u.i32, buf);
    return sl_format_json_string(out, buf, n);
  case SL_TYPE_TIMESTAMP:
    n = sl_format_timestamp(v->u.i64, true, buf);
    return sl_format_json_string(out, buf, n);
  case SL_TYPE_INTERVAL:
    return sl_strbuf_append(out, buf, format_int64(v->u.i64, buf));
  case SL_TYPE_ARRAY: {
    const sl_type *et = elem_type(type, SL_TYPE_ARRAY);
    sl_strbuf_appendc(out, '[');
    for (uint32_t i = 0; i < v->len; i++) {
      if (i)
        sl_strbuf_appendc(out, ',');
      json_value(out, &v->u.items[i], et, depth + 1);
    }
    return sl_strbuf_appendc(out, ']');
  }
  case SL_TYPE_MAP: {
    const sl_type *vt = elem_type(type, SL_TYPE_MAP);
    sl_strbuf_appendc(out, '{');
    for (uint32_t i = 0; i < v->len; i++) {
      const sl_value *key = &v->u.items[2 * i];
      if (i)
        sl_strbuf_appendc(out, ',');
      if (key->kind == SL_TYPE_VARCHAR) {
        sl_format_json_string(out, key->u.str, key->len);
      } else {
        sl_strbuf tmp = SL_STRBUF_INIT;
        sl_format_text(&tmp, key, NULL);
        sl_format_json_string(out, tmp.data ? tmp.data : "", tmp.len);
        sl_strbuf_free(&tmp);
      }
      sl_strbuf_appendc(out, ':');
      json_value(out, &v->u.items[2 * i + 1], vt, depth + 1);
    }
    return sl_strbuf_appendc(out, '}');
  }
  case SL_TYPE_STRUCT: {
    bool named = type && type->kind == SL_TYPE_STRUCT;
    sl_strbuf_appendc(out, '{');
    for (uint32_t i = 0; i < v->len; i++) {
      if (i)
        sl_strbuf_appendc(out, ',');
      const sl_type *ft = NULL;
      if (named && (int)i < type->nfields) {
        const sl_type_field *f = &type->fields[i];
        sl_format_json_string(out, f->name, strlen(f->name));
        ft = f->type;
      } else {
        sl_strbuf_appendf(out, "\"f%u\"", (unsigned)i + 1);
      }
      sl_strbuf_appendc(out, ':');
      json_value(out, &v->u.items[i], ft, depth + 1);
    }
    return sl_strbuf_appendc(out, '}');
  }
  default:
    if (scalar_text(v, buf, &n))
      return sl_strbuf_append(out, buf, n);
    return sl_strbuf_appends(out, "null");
  }
}

/* Appends v as one JSON value. */
sl_status sl_format_json(sl_strbuf *out, const sl_value *v,
                         const sl_type *type) {
  sl_status rc = json_value(out, v, type, 0);
  return out->failed ? SL_ERR_NOMEM : rc;
}
