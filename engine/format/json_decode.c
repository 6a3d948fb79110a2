/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_decode.c - the schema-directed, single-pass JSON record decoder.
 *
 * A recursive descent over the bytes with no tree in between: parse_value
 * is told the plan (the type wanted) and whether to store the result, and
 * either converts the token it meets or, when the token is of the wrong
 * kind, records a type error and skips it.  Skipping still checks that
 * the JSON is well-formed, so a record with a type error and a syntax
 * error later on fails as "decode", whatever order they come in.
 *
 * Hot-path choices, each measured with bench/json_decode_bench.c:
 *   - field names are hashed (case-folded FNV-1a) while they are scanned
 *     and looked up in an open-addressing table, so an unknown or unused
 *     field costs one probe;
 *   - strings are scanned eight bytes at a time for the bytes that need
 *     attention (quote, backslash, control, non-ASCII);
 *   - numbers gather their first 19 digits while being scanned, so
 *     integers and short decimals never go through strtod;
 *   - arrays and maps are built on one scratch stack and copied to the
 *     arena once their size is known.
 */
#include "engine/format/json_decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/format/format_internal.h"
#include "engine/types/decimal.h"
#include "engine/types/format.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    defined(__GNUC__)
#define JSON_SWAR 1
#endif

struct sl_json_decoder {
  sl_fmt_cols cols;
  sl_jtable table; /* declared column names */
};

/* One step of the path to the value being parsed, for messages. */
typedef enum jpath_kind { JPATH_FIELD, JPATH_INDEX, JPATH_KEY } jpath_kind;

typedef struct jpath {
  jpath_kind kind;
  const char *name; /* field name, or the raw map key in the input */
  size_t len;
  int64_t index;    /* array index from 0 */
} jpath;

typedef struct jstate {
  const unsigned char *base, *p, *end;
  sl_jwork *work;
  sl_arena *arena;
  bool borrow;
  int depth;
  bool type_failed; /* err holds the first type error */
  sl_error *err;
  const sl_record_msg *msg;
  const char *dprefix;    /* before decode messages: "" or "record key: " */
  const char *label;      /* "column " or "record key" */
  const char *label_name; /* the column's name, or "" */
  int npath;
  jpath path[SL_FMT_MAX_DEPTH + 2];
} jstate;

/* ---- Errors ------------------------------------------------------------- */

static size_t pos(const jstate *st, const unsigned char *p) {
  return (size_t)(p - st->base);
}

/* What stands at p, for "found ..." (buf of 16 bytes). */
static const char *found_at(const jstate *st, const unsigned char *p,
                            char *buf) {
  if (p >= st->end)
    return "end of record";
  if (*p == '"' || *p == '\\')
    snprintf(buf, 16, "\"\\%c\"", *p);
  else if (*p > 0x20 && *p < 0x7f)
    snprintf(buf, 16, "\"%c\"", *p);
  else
    snprintf(buf, 16, "byte 0x%02x", *p);
  return buf;
}

/* A decode error; returns false so callers can `return fail_decode(..)`. */
static bool fail_decode(jstate *st, const char *fmt, ...) SL_PRINTF(2, 3);
static bool fail_decode(jstate *st, const char *fmt, ...) {
  char text[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  sl_fmt_fail(st->err, st->msg, "decode", "%s%s", st->dprefix, text);
  return false;
}

static bool fail_expected(jstate *st, const unsigned char *p,
                          const char *what) {
  char buf[16];
  return fail_decode(st, "expected %s at byte %zu, found %s", what,
                     pos(st, p), found_at(st, p, buf));
}

static bool fail_nomem(jstate *st) {
  sl_error_set(st->err, SL_ERR_NOMEM, "out of memory decoding a record");
  return false;
}

/* "column a.b[2]['k']" into buf. */
static void path_text(const jstate *st, char *buf, size_t size) {
  int n = snprintf(buf, size, "%s%s", st->label, st->label_name);
  for (int i = 0; i < st->npath && n >= 0 && (size_t)n < size; i++) {
    const jpath *e = &st->path[i];
    size_t room = size - (size_t)n;
    if (e->kind == JPATH_FIELD)
      n += snprintf(buf + n, room, ".%.*s", (int)e->len, e->name);
    else if (e->kind == JPATH_INDEX)
      n += snprintf(buf + n, room, "[%lld]", (long long)e->index + 1);
    else
      n += snprintf(buf + n, room, "['%.*s']", (int)e->len, e->name);
  }
}

/* Records the first type error of the record; parsing goes on. */
static void type_error(jstate *st, const char *fmt, ...) SL_PRINTF(2, 3);
static void type_error(jstate *st, const char *fmt, ...) {
  if (st->type_failed)
    return;
  st->type_failed = true;
  char path[320], text[SL_ERROR_MSG_MAX];
  path_text(st, path, sizeof(path));
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  sl_fmt_fail(st->err, st->msg, "type", "%s: %s", path, text);
}

static void cannot_convert(jstate *st, const sl_jplan *plan,
                           const char *found) {
  char tn[SL_FMT_TYPE_BUF];
  type_error(st, "cannot convert %s to %s", found,
             sl_fmt_type_name(plan->type, tn));
}

static void out_of_range(jstate *st, const sl_jplan *plan,
                         const char *found) {
  char tn[SL_FMT_TYPE_BUF];
  type_error(st, "%s is out of range for %s", found,
             sl_fmt_type_name(plan->type, tn));
}

/* "number 1.5" or "string \"x\"" for a token (buf SL_FMT_QUOTE_BUF + 8). */
static const char *describe_token(char *buf, const char *kind,
                                  const char *s, size_t len) {
  char q[SL_FMT_QUOTE_BUF];
  if (kind[0] == 'n') {
    /* Number tokens are plain ASCII; show them unquoted. */
    size_t n = len > SL_FMT_QUOTE_MAX ? SL_FMT_QUOTE_MAX : len;
    snprintf(buf, SL_FMT_QUOTE_BUF + 8, "number %.*s%s", (int)n, s,
             n < len ? "..." : "");
  } else {
    snprintf(buf, SL_FMT_QUOTE_BUF + 8, "string %s",
             sl_fmt_quote(q, s, len));
  }
  return buf;
}

/* ---- Lexing ------------------------------------------------------------- */

static inline void skip_ws(jstate *st) {
  const unsigned char *p = st->p, *end = st->end;
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  st->p = p;
}

static bool literal(jstate *st, const char *word, size_t n) {
  if ((size_t)(st->end - st->p) >= n && memcmp(st->p, word, n) == 0) {
    st->p += n;
    return true;
  }
  return fail_decode(st, "invalid literal at byte %zu", pos(st, st->p));
}

static inline bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

/* Scans a JSON number token at st->p into n (and its text); false with a
 * decode error when the token breaks the JSON number grammar. */
static bool scan_number(jstate *st, sl_fmt_num *n, const char **text,
                        size_t *len) {
  const unsigned char *s = st->p, *p = s, *end = st->end;
  memset(n, 0, sizeof(*n));
  if (*p == '-') {
    n->neg = true;
    p++;
  }
  if (p >= end || !is_digit(*p))
    return fail_decode(st, "invalid number at byte %zu", pos(st, s));
  if (*p == '0') {
    p++;
    if (p < end && is_digit(*p))
      return fail_decode(st, "invalid number (leading zero) at byte %zu",
                         pos(st, s));
  } else {
    for (; p < end && is_digit(*p); p++) {
      n->int_dig++;
      if (n->ndig < 19) {
        n->mant = n->mant * 10 + (uint64_t)(*p - '0');
        n->ndig++;
      } else {
        n->big = true;
      }
    }
  }
  if (p < end && *p == '.') {
    n->has_point = true;
    p++;
    if (p >= end || !is_digit(*p))
      return fail_decode(st, "invalid number at byte %zu", pos(st, s));
    for (; p < end && is_digit(*p); p++) {
      if (n->ndig < 19) {
        n->mant = n->mant * 10 + (uint64_t)(*p - '0');
        n->ndig += n->mant != 0;
        n->frac++;
      } else if (*p != '0') {
        n->big = true;
      }
    }
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    n->has_exp = true;
    p++;
    bool eneg = false;
    if (p < end && (*p == '+' || *p == '-'))
      eneg = *p++ == '-';
    if (p >= end || !is_digit(*p))
      return fail_decode(st, "invalid number at byte %zu", pos(st, s));
    for (; p < end && is_digit(*p); p++) {
      if (n->exp < 100000)
        n->exp = n->exp * 10 + (*p - '0');
    }
    if (eneg)
      n->exp = -n->exp;
  }
  st->p = p;
  *text = (const char *)s;
  *len = (size_t)(p - s);
  return true;
}

static int hex4(const unsigned char *p, const unsigned char *end) {
  if (end - p < 4)
    return -1;
  int v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = p[i];
    int d;
    if (c >= '0' && c <= '9')
      d = (int)c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = (int)(c | 0x20) - 'a' + 10;
    else
      return -1;
    v = v * 16 + d;
  }
  return v;
}

static char *put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) {
    *o++ = (char)cp;
  } else if (cp < 0x800) {
    *o++ = (char)(0xC0 | (cp >> 6));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *o++ = (char)(0xE0 | (cp >> 12));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *o++ = (char)(0xF0 | (cp >> 18));
    *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    *o++ = (char)(0x80 | (cp & 0x3F));
  }
  return o;
}

/* The rest of a string from its first backslash at p: unescaped into
 * work->buf when need, only checked otherwise. */
static bool scan_escaped(jstate *st, const unsigned char *start,
                         const unsigned char *p, bool need, const char **out,
                         size_t *olen) {
  const unsigned char *end = st->end;
  sl_jwork *w = st->work;
  char *o = NULL;

  /* Unescaped text is never longer than its escaped form, so room for
   * the rest of the record is room enough. */
  if (need) {
    w->len = 0;
    if (!sl_jwork_reserve(w, (size_t)(end - start) + 4))
      return fail_nomem(st);
    memcpy(w->buf, start, (size_t)(p - start));
    o = w->buf + (p - start);
  }

  for (;;) {
    if (p >= end)
      return fail_decode(st, "unterminated string starting at byte %zu",
                         pos(st, start - 1));
    unsigned c = *p;
    if (c == '"')
      break;
    if (c == '\\') {
      const unsigned char *esc = p;
      if (p + 1 >= end)
        return fail_decode(st, "unterminated string starting at byte %zu",
                           pos(st, start - 1));
      unsigned e = p[1];
      p += 2;
      char ch;
      switch (e) {
      case '"': ch = '"'; break;
      case '\\': ch = '\\'; break;
      case '/': ch = '/'; break;
      case 'b': ch = '\b'; break;
      case 'f': ch = '\f'; break;
      case 'n': ch = '\n'; break;
      case 'r': ch = '\r'; break;
      case 't': ch = '\t'; break;
      case 'u': {
        int cp = hex4(p, end);
        if (cp < 0)
          return fail_decode(st, "invalid \\u escape at byte %zu",
                             pos(st, esc));
        p += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          return fail_decode(st, "unpaired surrogate \\u%04x at byte %zu",
                             (unsigned)cp, pos(st, esc));
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          int lo = (end - p >= 6 && p[0] == '\\' && p[1] == 'u')
                       ? hex4(p + 2, end)
                       : -1;
          if (lo < 0xDC00 || lo > 0xDFFF)
            return fail_decode(st,
                               "unpaired surrogate \\u%04x at byte %zu",
                               (unsigned)cp, pos(st, esc));
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
        if (need)
          o = put_utf8(o, (uint32_t)cp);
        continue;
      }
      default:
        if (e > 0x20 && e < 0x7f)
          return fail_decode(st, "invalid escape \"\\%c\" at byte %zu",
                             (char)e, pos(st, esc));
        return fail_decode(st, "invalid escape at byte %zu", pos(st, esc));
      }
      if (need)
        *o++ = ch;
      continue;
    }
    if (c < 0x20)
      return fail_decode(st, "control character 0x%02x in a string at byte "
                         "%zu", c, pos(st, p));
    int n = sl_fmt_utf8_len(p, end);
    if (!n)
      return fail_decode(st, "invalid UTF-8 at byte %zu", pos(st, p));
    if (need) {
      memcpy(o, p, (size_t)n);
      o += n;
    }
    p += n;
  }

  st->p = p + 1;
  if (need) {
    w->len = (size_t)(o - w->buf);
    *out = w->buf;
    *olen = w->len;
  }
  return true;
}

#ifdef JSON_SWAR
/* A mask with the high bit set in each byte of w that is '"', '\\', a
 * control character or non-ASCII.  Borrows only run upwards from a byte
 * that is flagged anyway, so the lowest flag is always exact. */
static inline uint64_t special_bytes(uint64_t w) {
  const uint64_t ones = UINT64_C(0x0101010101010101);
  const uint64_t highs = UINT64_C(0x8080808080808080);
  uint64_t q = w ^ (ones * '"');
  uint64_t b = w ^ (ones * '\\');
  uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) |
               ((w - ones * 0x20) & ~w);
  return (t & highs) | (w & highs);
}
#endif

/* Scans the string whose opening quote is at st->p.  *raw tells whether
 * the text points into the input (no escapes) or into work->buf.  With
 * need false and escapes present, the text is only checked (*out unset). */
static bool scan_string(jstate *st, bool need, const char **out,
                        size_t *olen, bool *raw) {
  const unsigned char *start = st->p + 1, *p = start, *end = st->end;
  for (;;) {
#ifdef JSON_SWAR
    while (end - p >= 8) {
      uint64_t w;
      memcpy(&w, p, 8);
      uint64_t t = special_bytes(w);
      if (t) {
        p += __builtin_ctzll(t) >> 3;
        break;
      }
      p += 8;
    }
#endif
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
      p++;
    if (p >= end)
      return fail_decode(st, "unterminated string starting at byte %zu",
                         pos(st, start - 1));
    unsigned c = *p;
    if (c == '"') {
      *out = (const char *)start;
      *olen = (size_t)(p - start);
      *raw = true;
      st->p = p + 1;
      return true;
    }
    if (c == '\\') {
      *raw = false;
      return scan_escaped(st, start, p, need, out, olen);
    }
    if (c < 0x20)
      return fail_decode(st, "control character 0x%02x in a string at byte "
                         "%zu", c, pos(st, p));
    int n = sl_fmt_utf8_len(p, end);
    if (!n)
      return fail_decode(st, "invalid UTF-8 at byte %zu", pos(st, p));
    p += n;
  }
}

/* Scans a field name at st->p (a quote), hashing it on the way. */
static bool scan_key(jstate *st, const char **out, size_t *olen,
                     uint32_t *hash) {
  const unsigned char *start = st->p + 1, *p = start, *end = st->end;
  uint32_t h = SL_FMT_HASH_INIT;
  for (; p < end; p++) {
    unsigned c = *p;
    if (c == '"') {
      *out = (const char *)start;
      *olen = (size_t)(p - start);
      *hash = h;
      st->p = p + 1;
      return true;
    }
    if (c == '\\' || c < 0x20 || c >= 0x80)
      break;
    h = sl_fmt_hash_step(h, (unsigned char)c);
  }

  /* Escapes, non-ASCII or an error: the general scanner decides. */
  bool raw;
  if (!scan_string(st, true, out, olen, &raw))
    return false;
  *hash = sl_fmt_hash(*out, *olen);
  return true;
}

/* ---- Skipping ----------------------------------------------------------- */

static bool skip_value(jstate *st);

static bool enter(jstate *st) {
  if (++st->depth > SL_FMT_MAX_DEPTH)
    return fail_decode(st, "nesting deeper than %d levels at byte %zu",
                       SL_FMT_MAX_DEPTH, pos(st, st->p));
  st->p++;
  skip_ws(st);
  return true;
}

/* After an item: true and *more for ",", true and !*more for close. */
static bool next_item(jstate *st, char close, bool *more) {
  skip_ws(st);
  if (st->p < st->end && *st->p == ',') {
    st->p++;
    skip_ws(st);
    *more = true;
    return true;
  }
  if (st->p < st->end && *st->p == (unsigned char)close) {
    st->p++;
    st->depth--;
    *more = false;
    return true;
  }
  return fail_expected(st, st->p, close == '}' ? "\",\" or \"}\""
                                               : "\",\" or \"]\"");
}

/* Expects ':' after a field name and moves to the value. */
static bool colon(jstate *st) {
  skip_ws(st);
  if (st->p >= st->end || *st->p != ':')
    return fail_expected(st, st->p, "\":\"");
  st->p++;
  skip_ws(st);
  return true;
}

static bool skip_object(jstate *st) {
  if (!enter(st))
    return false;
  if (st->p < st->end && *st->p == '}') {
    st->p++;
    st->depth--;
    return true;
  }
  for (bool more = true; more;) {
    const char *s;
    size_t len;
    bool raw;
    if (st->p >= st->end || *st->p != '"')
      return fail_expected(st, st->p, "a field name");
    if (!scan_string(st, false, &s, &len, &raw) || !colon(st) ||
        !skip_value(st) || !next_item(st, '}', &more))
      return false;
  }
  return true;
}

static bool skip_array(jstate *st) {
  if (!enter(st))
    return false;
  if (st->p < st->end && *st->p == ']') {
    st->p++;
    st->depth--;
    return true;
  }
  for (bool more = true; more;) {
    if (!skip_value(st) || !next_item(st, ']', &more))
      return false;
  }
  return true;
}

/* Checks and passes over one value at st->p. */
static bool skip_value(jstate *st) {
  if (st->p >= st->end)
    return fail_expected(st, st->p, "a value");
  const char *s;
  size_t len;
  bool raw;
  sl_fmt_num n;
  switch (*st->p) {
  case '"':
    return scan_string(st, false, &s, &len, &raw);
  case '{':
    return skip_object(st);
  case '[':
    return skip_array(st);
  case 't':
    return literal(st, "true", 4);
  case 'f':
    return literal(st, "false", 5);
  case 'n':
    return literal(st, "null", 4);
  case '-': case '0': case '1': case '2': case '3': case '4': case '5':
  case '6': case '7': case '8': case '9':
    return scan_number(st, &n, &s, &len);
  default:
    return fail_expected(st, st->p, "a value");
  }
}

/* ---- Converting --------------------------------------------------------- */

/* Return values of parse_value: a decode error stops everything; a type
 * error is recorded in the state and counts as a value. */
enum { PV_ERROR = -1, PV_NULL = 0, PV_VALUE = 1 };

/* Reports an error through a bool-returning helper and yields PV_ERROR. */
#define PV_FAIL(call) ((void)(call), PV_ERROR)

static int parse_value(jstate *st, const sl_jplan *plan, bool store,
                       sl_value *out);

/* Copies a string into the arena unless it may be borrowed. */
static bool keep_string(jstate *st, const char *s, size_t len, bool raw,
                        const char **dst) {
  if (raw && st->borrow) {
    *dst = s;
    return true;
  }
  char *c = sl_arena_alloc(st->arena, len ? len : 1);
  if (!c)
    return false;
  memcpy(c, s, len);
  *dst = c;
  return true;
}

static int64_t int_min(sl_type_kind k) {
  return k == SL_TYPE_INT ? INT32_MIN : INT64_MIN;
}

static int64_t int_max(sl_type_kind k) {
  return k == SL_TYPE_INT ? INT32_MAX : INT64_MAX;
}

/* An integer from a number token. */
static void number_int(jstate *st, const sl_jplan *plan, const sl_fmt_num *n,
                       const char *s, size_t len, bool store, sl_value *out) {
  int64_t min = int_min(plan->kind), max = int_max(plan->kind), v = 0;
  sl_fmt_conv rc = SL_FMT_CONV_OK;
  if (!n->has_point && !n->has_exp && !n->big) {
    /* All digits are in mant: the common case needs no second look. */
    uint64_t limit = (uint64_t)INT64_MAX + (n->neg ? 1 : 0);
    if (n->mant > limit)
      rc = SL_FMT_CONV_RANGE;
    else if (n->neg && n->mant)
      v = -(int64_t)(n->mant - 1) - 1;
    else
      v = (int64_t)n->mant;
    if (rc == SL_FMT_CONV_OK && (v < min || v > max))
      rc = SL_FMT_CONV_RANGE;
  } else {
    rc = sl_fmt_parse_int(s, len, min, max, &v);
  }

  char d[SL_FMT_QUOTE_BUF + 8];
  if (rc == SL_FMT_CONV_OK) {
    if (store)
      *out = plan->kind == SL_TYPE_INT ? sl_fmt_i32(SL_TYPE_INT, (int32_t)v)
                                       : sl_fmt_i64(SL_TYPE_BIGINT, v);
  } else if (rc == SL_FMT_CONV_RANGE) {
    out_of_range(st, plan, describe_token(d, "number", s, len));
  } else {
    cannot_convert(st, plan, describe_token(d, "number", s, len));
  }
}

/* A DOUBLE from a number token. */
static bool number_double(jstate *st, const sl_jplan *plan,
                          const sl_fmt_num *n, const char *s, size_t len,
                          bool store, sl_value *out) {
  double d;
  if (sl_fmt_num_fast_double(n, &d)) {
    if (store)
      *out = sl_fmt_f64(d);
    return true;
  }

  /* Short tokens with a moderate exponent are certainly finite: without
   * store there is nothing more to check. */
  if (!store && !n->big && n->exp - n->frac > -300 &&
      n->exp - n->frac < 290)
    return true;

  sl_fmt_conv rc = sl_fmt_parse_double(s, len, st->work, &d);
  char b[SL_FMT_QUOTE_BUF + 8];
  if (rc == SL_FMT_CONV_NOMEM)
    return fail_nomem(st);
  if (rc == SL_FMT_CONV_RANGE)
    out_of_range(st, plan, describe_token(b, "number", s, len));
  else if (rc != SL_FMT_CONV_OK)
    cannot_convert(st, plan, describe_token(b, "number", s, len));
  else if (store)
    *out = sl_fmt_f64(d);
  return true;
}

/* A DECIMAL from a number token. */
static void number_decimal(jstate *st, const sl_jplan *plan,
                           const sl_fmt_num *n, const char *s, size_t len,
                           bool store, sl_value *out) {
  int p = plan->type->precision, scale = plan->type->scale;
  sl_int128 v;
  char b[SL_FMT_QUOTE_BUF + 8];

  if (!n->big && !n->has_exp && n->frac <= scale &&
      n->ndig + scale - n->frac <= SL_DECIMAL_MAX_PRECISION) {
    /* Exact without rounding, and within 38 digits: scale the digits
     * up. */
    v = (sl_int128)n->mant * sl_decimal_pow10(scale - n->frac);
    if (n->neg)
      v = -v;
    if (!sl_decimal_fits(v, p)) {
      out_of_range(st, plan, describe_token(b, "number", s, len));
      return;
    }
  } else {
    sl_error e;
    if (sl_decimal_parse(s, len, p, scale, &v, &e)) {
      if (strcmp(e.reason, "overflow") == 0)
        out_of_range(st, plan, describe_token(b, "number", s, len));
      else
        cannot_convert(st, plan, describe_token(b, "number", s, len));
      return;
    }
  }
  if (store)
    *out = sl_value_decimal(v, scale);
}

/* A TIMESTAMP from a number: epoch ms, or seconds with epoch_s. */
static void number_timestamp(jstate *st, const sl_jplan *plan,
                             const sl_fmt_num *n, const char *s, size_t len,
                             bool store, sl_value *out) {
  bool seconds = plan->time.kind == SL_TIME_EPOCH_S;
  int64_t ms = 0;
  char b[SL_FMT_QUOTE_BUF + 8];

  if (!n->has_point && !n->has_exp && !n->big) {
    uint64_t limit = seconds ? (uint64_t)(INT64_MAX / 1000) : INT64_MAX;
    if (n->mant > limit) {
      out_of_range(st, plan, describe_token(b, "number", s, len));
      return;
    }
    ms = (int64_t)n->mant * (seconds ? 1000 : 1);
    ms = n->neg ? -ms : ms;
  } else {
    /* A fraction is truncated toward the past; exponents are not epoch
     * times. */
    sl_error e;
    if (n->has_exp || sl_time_parse_epoch(s, len, seconds, &ms, &e)) {
      if (!n->has_exp && strcmp(e.reason, "overflow") == 0)
        out_of_range(st, plan, describe_token(b, "number", s, len));
      else
        cannot_convert(st, plan, describe_token(b, "number", s, len));
      return;
    }
  }
  if (store)
    *out = sl_fmt_i64(SL_TYPE_TIMESTAMP, ms);
}

static int parse_number(jstate *st, const sl_jplan *plan, bool store,
                        sl_value *out) {
  sl_fmt_num n;
  const char *s = NULL;
  size_t len = 0;
  if (!scan_number(st, &n, &s, &len))
    return PV_ERROR;

  char b[SL_FMT_QUOTE_BUF + 8];
  switch (plan->kind) {
  case SL_TYPE_INT:
  case SL_TYPE_BIGINT:
    number_int(st, plan, &n, s, len, store, out);
    break;
  case SL_TYPE_DOUBLE:
    if (!number_double(st, plan, &n, s, len, store, out))
      return PV_ERROR;
    break;
  case SL_TYPE_DECIMAL:
    number_decimal(st, plan, &n, s, len, store, out);
    break;
  case SL_TYPE_TIMESTAMP:
    number_timestamp(st, plan, &n, s, len, store, out);
    break;
  case SL_TYPE_INTERVAL: {
    int64_t ms;
    sl_fmt_conv rc = sl_fmt_parse_int(s, len, INT64_MIN, INT64_MAX, &ms);
    if (rc == SL_FMT_CONV_OK && store)
      *out = sl_fmt_i64(SL_TYPE_INTERVAL, ms);
    else if (rc == SL_FMT_CONV_RANGE)
      out_of_range(st, plan, describe_token(b, "number", s, len));
    else if (rc != SL_FMT_CONV_OK)
      cannot_convert(st, plan, describe_token(b, "number", s, len));
    break;
  }
  default:
    cannot_convert(st, plan, describe_token(b, "number", s, len));
    break;
  }
  return PV_VALUE;
}

static int parse_string(jstate *st, const sl_jplan *plan, bool store,
                        sl_value *out) {
  const char *s = NULL;
  size_t len = 0;
  bool raw;
  bool need = store || plan->kind != SL_TYPE_VARCHAR;
  if (!scan_string(st, need, &s, &len, &raw))
    return PV_ERROR;

  char b[SL_FMT_QUOTE_BUF + 8];
  switch (plan->kind) {
  case SL_TYPE_VARCHAR:
    if (store) {
      const char *kept;
      if (!keep_string(st, s, len, raw, &kept))
        return PV_FAIL(fail_nomem(st));
      *out = sl_fmt_str(SL_TYPE_VARCHAR, kept, len);
    }
    return PV_VALUE;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT:
    cannot_convert(st, plan, describe_token(b, "string", s, len));
    return PV_VALUE;
  default:
    break;
  }

  switch (sl_fmt_text_value(plan, s, len, store, st->arena, st->work, out)) {
  case SL_FMT_CONV_OK:
    break;
  case SL_FMT_CONV_NOMEM:
    return PV_FAIL(fail_nomem(st));
  case SL_FMT_CONV_RANGE:
    out_of_range(st, plan, describe_token(b, "string", s, len));
    break;
  default:
    if (plan->kind == SL_TYPE_TIMESTAMP) {
      char tn[SL_FMT_TYPE_BUF], hint[96];
      type_error(st, "cannot convert %s to %s%s",
                 describe_token(b, "string", s, len),
                 sl_fmt_type_name(plan->type, tn),
                 sl_fmt_time_hint(&plan->time, hint));
    } else {
      cannot_convert(st, plan, describe_token(b, "string", s, len));
    }
    break;
  }
  return PV_VALUE;
}

static int parse_array(jstate *st, const sl_jplan *plan, bool store,
                       sl_value *out) {
  if (!enter(st))
    return PV_ERROR;
  sl_jwork *w = st->work;
  size_t base = w->top;
  jpath *path = &st->path[st->npath++];
  path->kind = JPATH_INDEX;
  path->index = 0;

  bool more = !(st->p < st->end && *st->p == ']');
  if (!more) {
    st->p++;
    st->depth--;
  }
  while (more) {
    sl_value item = {0};
    if (parse_value(st, plan->elem, store, &item) == PV_ERROR)
      return PV_ERROR;
    if (store && !sl_jwork_push(w, &item))
      return PV_FAIL(fail_nomem(st));
    if (!next_item(st, ']', &more))
      return PV_ERROR;
    path->index++;
  }
  st->npath--;

  if (store) {
    size_t n = w->top - base;
    sl_value *items = NULL;
    if (n) {
      items = sl_arena_alloc(st->arena, n * sizeof(*items));
      if (!items)
        return PV_FAIL(fail_nomem(st));
      memcpy(items, w->stack + base, n * sizeof(*items));
    }
    w->top = base;
    *out = sl_value_composite(SL_TYPE_ARRAY, items, (uint32_t)n);
  }
  return PV_VALUE;
}

static int parse_map(jstate *st, const sl_jplan *plan, bool store,
                     sl_value *out) {
  if (!enter(st))
    return PV_ERROR;
  sl_jwork *w = st->work;
  size_t base = w->top;
  jpath *path = &st->path[st->npath++];
  path->kind = JPATH_KEY;

  bool more = !(st->p < st->end && *st->p == '}');
  if (!more) {
    st->p++;
    st->depth--;
  }
  while (more) {
    const char *s = NULL;
    size_t len = 0;
    bool raw;
    if (st->p >= st->end || *st->p != '"')
      return PV_FAIL(fail_expected(st, st->p, "a field name"));
    const unsigned char *kstart = st->p + 1;
    if (!scan_string(st, store, &s, &len, &raw))
      return PV_ERROR;
    path->name = (const char *)kstart;
    path->len = (size_t)(st->p - 1 - kstart);

    sl_value key = {0}, val = {0};
    if (store) {
      const char *kept;
      if (!keep_string(st, s, len, raw, &kept))
        return PV_FAIL(fail_nomem(st));
      key = sl_fmt_str(SL_TYPE_VARCHAR, kept, len);
    }
    if (!colon(st) || parse_value(st, plan->elem, store, &val) == PV_ERROR)
      return PV_ERROR;
    if (store && (!sl_jwork_push(w, &key) || !sl_jwork_push(w, &val)))
      return PV_FAIL(fail_nomem(st));
    if (!next_item(st, '}', &more))
      return PV_ERROR;
  }
  st->npath--;

  if (store) {
    size_t n = w->top - base;
    sl_value *items = NULL;
    if (n) {
      items = sl_arena_alloc(st->arena, n * sizeof(*items));
      if (!items)
        return PV_FAIL(fail_nomem(st));
      memcpy(items, w->stack + base, n * sizeof(*items));
    }
    w->top = base;
    *out = sl_value_composite(SL_TYPE_MAP, items, (uint32_t)(n / 2));
  }
  return PV_VALUE;
}

static int parse_struct(jstate *st, const sl_jplan *plan, bool store,
                        sl_value *out) {
  sl_value *items = NULL;
  if (store && plan->nfields) {
    /* Zeroed values are NULLs (SL_TYPE_NULL is 0): missing fields. */
    items = sl_arena_calloc(st->arena, (size_t)plan->nfields,
                            sizeof(*items));
    if (!items)
      return PV_FAIL(fail_nomem(st));
  }
  if (!enter(st))
    return PV_ERROR;
  jpath *path = &st->path[st->npath++];
  path->kind = JPATH_FIELD;

  bool more = !(st->p < st->end && *st->p == '}');
  if (!more) {
    st->p++;
    st->depth--;
  }
  while (more) {
    const char *s;
    size_t len;
    uint32_t h;
    if (st->p >= st->end || *st->p != '"')
      return PV_FAIL(fail_expected(st, st->p, "a field name"));
    if (!scan_key(st, &s, &len, &h) || !colon(st))
      return PV_ERROR;
    int f = sl_jtable_find(&plan->table, s, len, h);
    if (f >= 0) {
      path->name = plan->type->fields[f].name;
      path->len = strlen(path->name);
      if (parse_value(st, &plan->fields[f], store,
                      store ? &items[f] : NULL) == PV_ERROR)
        return PV_ERROR;
    } else if (!skip_value(st)) {
      return PV_ERROR;
    }
    if (!next_item(st, '}', &more))
      return PV_ERROR;
  }
  st->npath--;

  if (store)
    *out = sl_value_composite(SL_TYPE_STRUCT, items,
                              (uint32_t)plan->nfields);
  return PV_VALUE;
}

/* Parses the value at st->p as plan's type.  With store, *out is always
 * written (NULL for JSON null and after a type error). */
static int parse_value(jstate *st, const sl_jplan *plan, bool store,
                       sl_value *out) {
  const unsigned char *v0 = st->p;
  if (store)
    out->kind = SL_TYPE_NULL;
  if (v0 >= st->end)
    return PV_FAIL(fail_expected(st, v0, "a value"));

  const char *found = NULL;
  switch (*v0) {
  case '"':
    return parse_string(st, plan, store, out);
  case 'n':
    return literal(st, "null", 4) ? PV_NULL : PV_ERROR;
  case '-': case '0': case '1': case '2': case '3': case '4': case '5':
  case '6': case '7': case '8': case '9':
    return parse_number(st, plan, store, out);
  case 't':
  case 'f': {
    bool b = *v0 == 't';
    if (!(b ? literal(st, "true", 4) : literal(st, "false", 5)))
      return PV_ERROR;
    if (plan->kind == SL_TYPE_BOOLEAN) {
      if (store)
        *out = sl_fmt_bool(b);
    } else {
      cannot_convert(st, plan, b ? "true" : "false");
    }
    return PV_VALUE;
  }
  case '{':
    if (plan->kind == SL_TYPE_STRUCT)
      return parse_struct(st, plan, store, out);
    if (plan->kind == SL_TYPE_MAP)
      return parse_map(st, plan, store, out);
    found = "an object";
    break;
  case '[':
    if (plan->kind == SL_TYPE_ARRAY)
      return parse_array(st, plan, store, out);
    found = "an array";
    break;
  default:
    return PV_FAIL(fail_expected(st, v0, "a value"));
  }

  /* An object or array where the type wants something else. */
  cannot_convert(st, plan, found);
  if (store)
    out->kind = SL_TYPE_NULL;
  return skip_value(st) ? PV_VALUE : PV_ERROR;
}

/* ---- Records ------------------------------------------------------------ */

static void state_init(jstate *st, const void *data, size_t len,
                       sl_jwork *work, sl_arena *arena, bool borrow,
                       const sl_record_msg *msg, sl_error *err) {
  st->base = data ? data : (const unsigned char *)"";
  st->p = st->base;
  st->end = st->base + len;
  st->work = work;
  st->arena = arena;
  st->borrow = borrow;
  st->depth = 0;
  st->type_failed = false;
  st->err = err;
  st->msg = msg;
  st->dprefix = "";
  st->label = "column ";
  st->label_name = "";
  st->npath = 0;
  work->top = 0;
}

/* The top-level object: each declared field into its cell. */
static bool parse_record(jstate *st, sl_json_decoder *dec, sl_batch *batch,
                         int row) {
  sl_fmt_cols *cols = &dec->cols;
  skip_ws(st);
  if (st->p >= st->end || *st->p != '{')
    return fail_expected(st, st->p, "a JSON object");
  if (!enter(st))
    return false;

  bool more = !(st->p < st->end && *st->p == '}');
  if (!more) {
    st->p++;
    st->depth--;
  }
  while (more) {
    const char *s;
    size_t len;
    uint32_t h;
    if (st->p >= st->end || *st->p != '"')
      return fail_expected(st, st->p, "a field name");
    if (!scan_key(st, &s, &len, &h) || !colon(st))
      return false;

    int c = sl_jtable_find(&dec->table, s, len, h);
    if (c >= 0) {
      bool store = cols->store[c];
      st->label_name = cols->schema->cols[c].name;
      int r = parse_value(st, &cols->plans[c], store,
                          store ? &batch->cols[c][row] : NULL);
      if (r == PV_ERROR)
        return false;
      cols->seen[c] = r == PV_NULL ? SL_FMT_NULL : SL_FMT_VALUE;
    } else if (!skip_value(st)) {
      return false;
    }
    if (!next_item(st, '}', &more))
      return false;
  }

  skip_ws(st);
  if (st->p < st->end) {
    char buf[16];
    return fail_decode(st, "unexpected %s at byte %zu after the JSON object",
                       found_at(st, st->p, buf), pos(st, st->p));
  }
  return true;
}

/* The event-time column alone: each field of the top-level object is
 * matched as parse_record matches it, the event time's converted, the
 * others skipped.  False when it is not there as a value, or the record
 * is malformed. */
static bool scan_event_time(jstate *st, sl_json_decoder *dec, int e,
                            int64_t *out) {
  skip_ws(st);
  if (st->p >= st->end || *st->p != '{' || !enter(st))
    return false;
  bool found = false;
  bool more = !(st->p < st->end && *st->p == '}');
  if (!more) {
    st->p++;
    st->depth--;
  }
  while (more) {
    const char *s;
    size_t len;
    uint32_t h;
    if (st->p >= st->end || *st->p != '"' || !scan_key(st, &s, &len, &h) ||
        !colon(st))
      return false;
    if (sl_jtable_find(&dec->table, s, len, h) == e) {
      sl_value v;
      int r = parse_value(st, &dec->cols.plans[e], true, &v);
      if (r == PV_ERROR)
        return false;
      /* A later field of the name wins, as in the decoder. */
      found = r == PV_VALUE && v.kind == SL_TYPE_TIMESTAMP;
      if (found)
        *out = v.u.i64;
    } else if (!skip_value(st)) {
      return false;
    }
    if (!next_item(st, '}', &more))
      return false;
  }
  return found && !st->type_failed;
}

/* Reads the event time alone (see json_decode.h). */
bool sl_json_event_time(sl_json_decoder *dec, const sl_record_msg *msg,
                        sl_arena *arena, int64_t *out) {
  int e = dec->cols.schema->event_time_col;
  if (e < 0 || !msg->value)
    return false;
  sl_error ignored;
  jstate st;
  state_init(&st, msg->value, msg->value_len, &dec->cols.work, arena, false,
             msg, &ignored);
  return scan_event_time(&st, dec, e, out);
}

/* Compiles the schema and the table of column names. */
sl_json_decoder *sl_json_decoder_new(const sl_record_schema *schema,
                                     const sl_json_options *opts,
                                     sl_error *err) {
  sl_json_decoder *dec = calloc(1, sizeof(*dec));
  if (!dec) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory building a JSON decoder");
    return NULL;
  }
  bool borrow = opts && opts->borrow_strings;
  if (sl_fmt_cols_init(&dec->cols, schema, borrow, err)) {
    free(dec);
    return NULL;
  }

  int n = schema->ncols;
  const char **names = malloc((n ? (size_t)n : 1) * sizeof(*names));
  bool *exact = malloc((n ? (size_t)n : 1) * sizeof(*exact));
  bool ok = names && exact;
  for (int i = 0; ok && i < n; i++) {
    names[i] = schema->cols[i].name;
    exact[i] = schema->cols[i].quoted;
  }
  ok = ok && sl_jtable_build(&dec->table, n, names, exact);
  free(names);
  free(exact);
  if (!ok) {
    sl_json_decoder_free(dec);
    sl_error_set(err, SL_ERR_NOMEM, "out of memory building a JSON decoder");
    return NULL;
  }
  return dec;
}

/* Frees the decoder (not the schema). */
void sl_json_decoder_free(sl_json_decoder *dec) {
  if (!dec)
    return;
  sl_fmt_cols_free(&dec->cols);
  sl_jtable_free(&dec->table);
  free(dec);
}

/* Decodes one record into a new row. */
sl_status sl_json_decode(sl_json_decoder *dec, const sl_record_msg *msg,
                         sl_batch *batch, int *row_out, sl_error *err) {
  int row = sl_fmt_row_begin(&dec->cols, batch, msg);
  if (row_out)
    *row_out = row;
  if (row < 0)
    return sl_error_set(err, SL_ERR_INTERNAL, "record batch is full");

  /* The error goes to err, or to a local one when the caller passed
   * none: the batch keeps a copy either way. */
  sl_error local;
  sl_error *e = err ? err : &local;
  if (!msg->value) {
    sl_fmt_fail(e, msg, "decode", "the record has no value (a tombstone)");
    return sl_fmt_row_fail(batch, row, e);
  }

  jstate st;
  state_init(&st, msg->value, msg->value_len, &dec->cols.work,
             sl_batch_arena(batch), dec->cols.borrow, msg, e);
  if (!parse_record(&st, dec, batch, row) || st.type_failed ||
      sl_fmt_row_finish(&dec->cols, batch, row, msg, e))
    return sl_fmt_row_fail(batch, row, e);
  return SL_OK;
}

/* Converts the key alone. */
sl_status sl_json_decode_key(sl_json_decoder *dec, const sl_record_msg *msg,
                             sl_arena *arena, sl_value *out, sl_error *err) {
  bool present;
  return sl_fmt_key_value(&dec->cols, msg, arena, out, &present, err);
}

/* Parses one standalone JSON value. */
sl_status sl_fmt_json_value(const sl_jplan *plan, const char *text,
                            size_t len, bool store, sl_arena *arena,
                            sl_jwork *work, const sl_record_msg *msg,
                            const char *what, sl_value *out, bool *present,
                            sl_error *err) {
  jstate st;
  sl_value tmp;
  state_init(&st, text, len, work, arena, false, msg, err);
  char prefix[128];
  snprintf(prefix, sizeof(prefix), "%s: ", what);
  st.dprefix = prefix;
  st.label = what;
  skip_ws(&st);
  int r = parse_value(&st, plan, store, store ? out : &tmp);
  if (r == PV_ERROR)
    return err ? err->code : SL_ERR_RECORD;
  skip_ws(&st);
  if (st.p < st.end) {
    char buf[16];
    fail_decode(&st, "unexpected %s at byte %zu after the JSON value",
                found_at(&st, st.p, buf), pos(&st, st.p));
    return SL_ERR_RECORD;
  }
  if (st.type_failed)
    return SL_ERR_RECORD;
  *present = r == PV_VALUE;
  return SL_OK;
}

/* Parses one JSON value with a throwaway plan. */
sl_status sl_json_parse_value(const sl_type *type, const char *text,
                              size_t len, sl_arena *arena, sl_value *out,
                              sl_error *err) {
  sl_jplan plan;
  if (!sl_jplan_init(&plan, type, NULL))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_jwork work;
  sl_jwork_init(&work);
  bool present;
  sl_status rc = sl_fmt_json_value(&plan, text, len, true, arena, &work,
                                   NULL, "value", out, &present, err);
  sl_jwork_free(&work);
  sl_jplan_clear(&plan);
  return rc;
}
