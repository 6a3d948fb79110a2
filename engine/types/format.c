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

/* The shortest of the tried precisions that reads back exactly. */
size_t sl_format_double(double d, char *buf) {
  /* Integral values below 1e15 print as plain integers under %.15g too;
   * skip the print-and-read-back loop for them.  -0.0 keeps its sign. */
  if (fabs(d) < 1e15 && d == trunc(d) && !(d == 0 && signbit(d)))
    return format_int64((int64_t)d, buf);

  if (isnan(d))
    return (size_t)snprintf(buf, SL_FORMAT_DOUBLE_MAX, "NaN");
  if (isinf(d))
    return (size_t)snprintf(buf, SL_FORMAT_DOUBLE_MAX, "%sInfinity",
                            d < 0 ? "-" : "");

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
