/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_read.c - a schema-directed JSON reader for composite columns.
 *
 * A recursive descent over the text, led by the declared type: each JSON
 * value is read as the type expects, so nothing is built that the type
 * does not describe.  Scalars are handed to the types module's parsers
 * (sl_value_cast from the token's text, the decimal and time parsers), so
 * "12.50" means the same here as in a CAST.  Nesting is bounded so that
 * hostile input cannot exhaust the stack.
 */
#include "catalog/json_read.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/types/decimal.h"
#include "engine/types/format.h"
#include "engine/types/time.h"

#define MAX_DEPTH 64

typedef struct reader {
  const char *start;
  const char *p;
  const char *end;
  sl_arena *arena;
  sl_error *err;
} reader;

static sl_status fail(reader *r, const char *fmt, const char *what) {
  sl_status rc = sl_error_set(r->err, SL_ERR_RECORD, fmt, what,
                              (long)(r->p - r->start));
  if (r->err)
    snprintf(r->err->reason, sizeof(r->err->reason), "type");
  return rc;
}

static sl_status nomem(reader *r) {
  return sl_error_set(r->err, SL_ERR_NOMEM, "out of memory");
}

static void skip_blanks(reader *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
                           *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static bool take(reader *r, char c) {
  skip_blanks(r);
  if (r->p < r->end && *r->p == c) {
    r->p++;
    return true;
  }
  return false;
}

static bool take_word(reader *r, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(r->end - r->p) >= n && memcmp(r->p, word, n) == 0) {
    r->p += n;
    return true;
  }
  return false;
}

/* Appends code point cp as UTF-8. */
static size_t put_utf8(char *out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static bool read_hex4(reader *r, uint32_t *cp) {
  if (r->end - r->p < 4)
    return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = r->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (uint32_t)(c - 'A' + 10);
    else
      return false;
  }
  r->p += 4;
  *cp = v;
  return true;
}

/* Reads a JSON string (the opening quote next) into the arena.  Escapes
 * never make the text longer, so the copy needs at most the source's
 * length. */
static sl_status read_string(reader *r, const char **out, size_t *len) {
  skip_blanks(r);
  if (r->p >= r->end || *r->p != '"')
    return fail(r, "expected %s at offset %ld", "a string");
  r->p++;
  const char *q = r->p;
  while (q < r->end && *q != '"')
    q += *q == '\\' ? 2 : 1;
  if (q >= r->end)
    return fail(r, "unterminated %s at offset %ld", "string");
  char *buf = sl_arena_alloc(r->arena, (size_t)(q - r->p) + 1);
  if (!buf)
    return nomem(r);

  size_t n = 0;
  while (*r->p != '"') {
    char c = *r->p++;
    if ((unsigned char)c < 0x20)
      return fail(r, "control character in a %s at offset %ld", "string");
    if (c != '\\') {
      buf[n++] = c;
      continue;
    }
    c = *r->p++;
    switch (c) {
    case '"': buf[n++] = '"'; break;
    case '\\': buf[n++] = '\\'; break;
    case '/': buf[n++] = '/'; break;
    case 'b': buf[n++] = '\b'; break;
    case 'f': buf[n++] = '\f'; break;
    case 'n': buf[n++] = '\n'; break;
    case 'r': buf[n++] = '\r'; break;
    case 't': buf[n++] = '\t'; break;
    case 'u': {
      uint32_t cp, lo;
      if (!read_hex4(r, &cp))
        return fail(r, "bad %s escape at offset %ld", "\\u");
      if (cp >= 0xD800 && cp < 0xDC00) {
        /* A high surrogate needs its low half: 12 source bytes give at
         * most 4 of UTF-8. */
        if (!take_word(r, "\\u") || !read_hex4(r, &lo) || lo < 0xDC00 ||
            lo > 0xDFFF)
          return fail(r, "unpaired %s at offset %ld", "surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        return fail(r, "unpaired %s at offset %ld", "surrogate");
      }
      n += put_utf8(buf + n, cp);
      break;
    }
    default:
      return fail(r, "bad %s escape at offset %ld", "string");
    }
  }
  r->p++;
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return SL_OK;
}

/* The extent of a JSON number token. */
static bool number_token(reader *r, const char **tok, size_t *len) {
  skip_blanks(r);
  const char *s = r->p;
  const char *q = s;
  if (q < r->end && *q == '-')
    q++;
  const char *digits = q;
  while (q < r->end && isdigit((unsigned char)*q))
    q++;
  if (q == digits)
    return false;
  if (q < r->end && *q == '.') {
    q++;
    const char *frac = q;
    while (q < r->end && isdigit((unsigned char)*q))
      q++;
    if (q == frac)
      return false;
  }
  if (q < r->end && (*q == 'e' || *q == 'E')) {
    q++;
    if (q < r->end && (*q == '+' || *q == '-'))
      q++;
    const char *exp = q;
    while (q < r->end && isdigit((unsigned char)*q))
      q++;
    if (q == exp)
      return false;
  }
  *tok = s;
  *len = (size_t)(q - s);
  r->p = q;
  return true;
}

static sl_status read_value(reader *r, const sl_type *type, int depth,
                            sl_value *out);

/* Skips any JSON value (an unknown STRUCT field). */
static sl_status skip_value(reader *r, int depth) {
  if (depth > MAX_DEPTH)
    return fail(r, "%s nested too deeply at offset %ld", "JSON");
  skip_blanks(r);
  if (r->p >= r->end)
    return fail(r, "expected a %s at offset %ld", "value");
  const char *s;
  size_t n;
  char c = *r->p;
  if (c == '"')
    return read_string(r, &s, &n);
  if (c == '[' || c == '{') {
    char close = c == '[' ? ']' : '}';
    r->p++;
    if (take(r, close))
      return SL_OK;
    do {
      if (c == '{') {
        if (read_string(r, &s, &n))
          return SL_ERR_RECORD;
        if (!take(r, ':'))
          return fail(r, "expected %s at offset %ld", "':'");
      }
      if (skip_value(r, depth + 1))
        return SL_ERR_RECORD;
    } while (take(r, ','));
    if (!take(r, close))
      return fail(r, "expected %s at offset %ld",
                  close == ']' ? "',' or ']'" : "',' or '}'");
    return SL_OK;
  }
  if (take_word(r, "true") || take_word(r, "false") ||
      take_word(r, "null") || number_token(r, &s, &n))
    return SL_OK;
  return fail(r, "expected a %s at offset %ld", "value");
}

/* A scalar from its text, through the types module's cast. */
static sl_status cast_text(reader *r, const char *s, size_t len,
                           const sl_type *type, sl_value *out) {
  sl_value text = sl_value_varchar(s, len);
  return sl_value_cast(r->arena, &text, type, out, r->err);
}

/* Collects items into a growing heap array, then moves them to the
 * arena. */
typedef struct items {
  sl_value *v;
  size_t n, cap;
} items;

static bool items_push(items *it, sl_value v) {
  if (it->n == it->cap) {
    size_t cap = it->cap ? it->cap * 2 : 8;
    sl_value *grown = realloc(it->v, cap * sizeof(*grown));
    if (!grown)
      return false;
    it->v = grown;
    it->cap = cap;
  }
  it->v[it->n++] = v;
  return true;
}

static sl_status items_finish(reader *r, items *it, sl_type_kind kind,
                              uint32_t len, sl_value *out) {
  sl_value *copy = NULL;
  if (it->n) {
    copy = sl_arena_alloc(r->arena, it->n * sizeof(*copy));
    if (!copy) {
      free(it->v);
      return nomem(r);
    }
    memcpy(copy, it->v, it->n * sizeof(*copy));
  }
  free(it->v);
  *out = sl_value_composite(kind, copy, len);
  return SL_OK;
}

static sl_status read_array(reader *r, const sl_type *type, int depth,
                            sl_value *out) {
  if (!take(r, '['))
    return fail(r, "expected %s at offset %ld", "'['");
  items it = {NULL, 0, 0};
  if (!take(r, ']')) {
    do {
      sl_value v;
      if (read_value(r, type->elem, depth + 1, &v)) {
        free(it.v);
        return SL_ERR_RECORD;
      }
      if (!items_push(&it, v)) {
        free(it.v);
        return nomem(r);
      }
    } while (take(r, ','));
    if (!take(r, ']')) {
      free(it.v);
      return fail(r, "expected %s at offset %ld", "',' or ']'");
    }
  }
  return items_finish(r, &it, SL_TYPE_ARRAY, (uint32_t)it.n, out);
}

static sl_status read_map(reader *r, const sl_type *type, int depth,
                          sl_value *out) {
  if (!take(r, '{'))
    return fail(r, "expected %s at offset %ld", "'{'");
  items it = {NULL, 0, 0};
  if (!take(r, '}')) {
    do {
      const char *key;
      size_t klen;
      sl_value v;
      if (read_string(r, &key, &klen) ||
          (!take(r, ':') && fail(r, "expected %s at offset %ld", "':'")) ||
          read_value(r, type->elem, depth + 1, &v)) {
        free(it.v);
        return SL_ERR_RECORD;
      }
      if (!items_push(&it, sl_value_varchar(key, klen)) ||
          !items_push(&it, v)) {
        free(it.v);
        return nomem(r);
      }
    } while (take(r, ','));
    if (!take(r, '}')) {
      free(it.v);
      return fail(r, "expected %s at offset %ld", "',' or '}'");
    }
  }
  return items_finish(r, &it, SL_TYPE_MAP, (uint32_t)(it.n / 2), out);
}

/* The field of type called name: exact match first, then ASCII case. */
static int struct_field(const sl_type *type, const char *name, size_t len) {
  for (int i = 0; i < type->nfields; i++)
    if (strlen(type->fields[i].name) == len &&
        memcmp(type->fields[i].name, name, len) == 0)
      return i;
  for (int i = 0; i < type->nfields; i++)
    if (strlen(type->fields[i].name) == len &&
        strncasecmp(type->fields[i].name, name, len) == 0)
      return i;
  return -1;
}

static sl_status read_struct(reader *r, const sl_type *type, int depth,
                             sl_value *out) {
  if (!take(r, '{'))
    return fail(r, "expected %s at offset %ld", "'{'");
  size_t n = (size_t)type->nfields;
  sl_value *fields = n ? sl_arena_alloc(r->arena, n * sizeof(*fields))
                       : NULL;
  if (n && !fields)
    return nomem(r);
  for (size_t i = 0; i < n; i++)
    fields[i] = sl_value_null();
  if (!take(r, '}')) {
    do {
      const char *name;
      size_t len;
      if (read_string(r, &name, &len))
        return SL_ERR_RECORD;
      if (!take(r, ':'))
        return fail(r, "expected %s at offset %ld", "':'");
      int f = struct_field(type, name, len);
      sl_status rc = f < 0 ? skip_value(r, depth + 1)
                           : read_value(r, type->fields[f].type, depth + 1,
                                        &fields[f]);
      if (rc)
        return rc;
    } while (take(r, ','));
    if (!take(r, '}'))
      return fail(r, "expected %s at offset %ld", "',' or '}'");
  }
  *out = sl_value_composite(SL_TYPE_STRUCT, fields, (uint32_t)n);
  return SL_OK;
}

static sl_status read_value(reader *r, const sl_type *type, int depth,
                            sl_value *out) {
  if (depth > MAX_DEPTH)
    return fail(r, "%s nested too deeply at offset %ld", "JSON");
  skip_blanks(r);
  if (take_word(r, "null")) {
    *out = sl_value_null();
    return SL_OK;
  }

  const char *s;
  size_t len;
  switch (type->kind) {
  case SL_TYPE_ARRAY:
    return read_array(r, type, depth, out);
  case SL_TYPE_MAP:
    return read_map(r, type, depth, out);
  case SL_TYPE_STRUCT:
    return read_struct(r, type, depth, out);
  case SL_TYPE_BOOLEAN:
    if (take_word(r, "true")) {
      *out = sl_value_bool(true);
      return SL_OK;
    }
    if (take_word(r, "false")) {
      *out = sl_value_bool(false);
      return SL_OK;
    }
    return fail(r, "expected %s at offset %ld", "true or false");
  case SL_TYPE_INT:
  case SL_TYPE_BIGINT:
  case SL_TYPE_DECIMAL:
  case SL_TYPE_INTERVAL:
    if (!number_token(r, &s, &len))
      return fail(r, "expected %s at offset %ld", "a number");
    if (type->kind == SL_TYPE_INTERVAL) {
      sl_value ms;
      if (cast_text(r, s, len, sl_type_bigint(), &ms))
        return SL_ERR_RECORD;
      *out = sl_value_interval(ms.u.i64);
      return SL_OK;
    }
    return cast_text(r, s, len, type, out);
  case SL_TYPE_DOUBLE:
    if (r->p < r->end && *r->p == '"') {
      if (read_string(r, &s, &len))
        return SL_ERR_RECORD;
      if (strcmp(s, "NaN") && strcmp(s, "Infinity") &&
          strcmp(s, "-Infinity"))
        return fail(r, "expected %s at offset %ld", "a number");
      return cast_text(r, s, len, type, out);
    }
    if (!number_token(r, &s, &len))
      return fail(r, "expected %s at offset %ld", "a number");
    return cast_text(r, s, len, type, out);
  case SL_TYPE_TIMESTAMP:
    if (r->p < r->end && *r->p != '"') {
      sl_value ms;
      if (!number_token(r, &s, &len))
        return fail(r, "expected %s at offset %ld", "a timestamp");
      if (cast_text(r, s, len, sl_type_bigint(), &ms))
        return SL_ERR_RECORD;
      *out = sl_value_timestamp(ms.u.i64);
      return SL_OK;
    }
    if (read_string(r, &s, &len))
      return SL_ERR_RECORD;
    return cast_text(r, s, len, type, out);
  case SL_TYPE_VARCHAR:
  case SL_TYPE_DATE:
    if (read_string(r, &s, &len))
      return SL_ERR_RECORD;
    if (type->kind == SL_TYPE_VARCHAR) {
      *out = sl_value_varchar(s, len);
      return SL_OK;
    }
    return cast_text(r, s, len, type, out);
  case SL_TYPE_BYTES: {
    if (read_string(r, &s, &len))
      return SL_ERR_RECORD;
    char *bytes = sl_arena_alloc(r->arena, len * 3 / 4 + 3);
    size_t n;
    if (!bytes)
      return nomem(r);
    if (!sl_format_base64_decode(s, len, bytes, &n))
      return fail(r, "expected %s at offset %ld", "base64");
    *out = sl_value_bytes(bytes, n);
    return SL_OK;
  }
  case SL_TYPE_NULL:
    break;
  }
  return fail(r, "expected %s at offset %ld", "null");
}

sl_status sl_catalog_json_read(const char *text, size_t len,
                               const sl_type *type, sl_arena *arena,
                               sl_value *out, sl_error *err) {
  reader r = {text, text, text + len, arena, err};
  sl_status rc = read_value(&r, type, 0, out);
  if (rc)
    return rc;
  skip_blanks(&r);
  if (r.p != r.end)
    return fail(&r, "unexpected %s at offset %ld", "text after the value");
  return SL_OK;
}
