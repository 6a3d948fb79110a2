/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c - a small JSON document reader, for checking XGBoost model
 * files before XGBoost sees them and for reading the trees of a model
 * into the native evaluator (trees.c).
 *
 * The whole text becomes a tree of 24-byte nodes in an arena.  Numbers
 * are doubles, and also floats read from the same text (XGBoost's model
 * values are floats); XGBoost's own NaN, Infinity and -Infinity are
 * accepted because its writer produces them.  Strings are unescaped
 * (\uXXXX to UTF-8, surrogate pairs joined).  Nesting is limited so that
 * hostile input cannot exhaust the stack, and every error names the byte
 * offset.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model_internal.h"

#define JSON_MAX_DEPTH 64

typedef struct parser {
  const char *p;
  const char *start;
  const char *end;
  sl_arena *arena;
  sl_error *err;
  int depth;
} parser;

static sl_status parse_value(parser *ps, sl_model_json *out);

static sl_status json_fail(parser *ps, const char *what) {
  size_t at = (size_t)(ps->p - ps->start);
  if (ps->p >= ps->end)
    return sl_error_set(ps->err, SL_ERR_RUNTIME,
                        "bad JSON: %s at byte %zu, found the end", what, at);
  unsigned char c = (unsigned char)*ps->p;
  if (isprint(c))
    return sl_error_set(ps->err, SL_ERR_RUNTIME,
                        "bad JSON: %s at byte %zu, found \"%c\"", what, at,
                        c);
  return sl_error_set(ps->err, SL_ERR_RUNTIME,
                      "bad JSON: %s at byte %zu, found byte 0x%02x", what,
                      at, c);
}

static sl_status json_nomem(parser *ps) {
  return sl_error_set(ps->err, SL_ERR_NOMEM,
                      "out of memory reading a JSON document");
}

static void skip_blanks(parser *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
          *ps->p == '\r'))
    ps->p++;
}

static bool literal(parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
    ps->p += n;
    return true;
  }
  return false;
}

static int hex4(const char *s) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    int c = (unsigned char)s[i], d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return -1;
    v = v * 16 + d;
  }
  return v;
}

static size_t put_utf8(char *dst, unsigned cp) {
  if (cp < 0x80) {
    dst[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    dst[0] = (char)(0xC0 | (cp >> 6));
    dst[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    dst[0] = (char)(0xE0 | (cp >> 12));
    dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  dst[0] = (char)(0xF0 | (cp >> 18));
  dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  dst[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A string at ps->p (the opening quote) into the arena, NUL-terminated;
 * *len gets its length.  Unescaped text is never longer than the
 * escaped text, so one allocation of the raw length suffices. */
static sl_status parse_string(parser *ps, const char **out, uint32_t *len) {
  ps->p++;
  const char *q = ps->p;
  while (q < ps->end && *q != '"') {
    if (*q == '\\' && q + 1 < ps->end)
      q++;
    q++;
  }
  if (q >= ps->end) {
    ps->p = ps->end;
    return json_fail(ps, "unterminated string");
  }
  size_t raw = (size_t)(q - ps->p);
  if (raw > UINT32_MAX)
    return json_fail(ps, "string too long");
  char *dst = sl_arena_alloc(ps->arena, raw + 1);
  if (!dst)
    return json_nomem(ps);

  size_t n = 0;
  while (ps->p < q) {
    unsigned char c = (unsigned char)*ps->p;
    if (c < 0x20)
      return json_fail(ps, "control character in string");
    if (c != '\\') {
      dst[n++] = (char)c;
      ps->p++;
      continue;
    }
    ps->p++;
    char e = *ps->p++;
    switch (e) {
    case '"': dst[n++] = '"'; break;
    case '\\': dst[n++] = '\\'; break;
    case '/': dst[n++] = '/'; break;
    case 'b': dst[n++] = '\b'; break;
    case 'f': dst[n++] = '\f'; break;
    case 'n': dst[n++] = '\n'; break;
    case 'r': dst[n++] = '\r'; break;
    case 't': dst[n++] = '\t'; break;
    case 'u': {
      int cp = q - ps->p >= 4 ? hex4(ps->p) : -1;
      if (cp < 0)
        return json_fail(ps, "bad \\u escape");
      ps->p += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF && q - ps->p >= 6 &&
          ps->p[0] == '\\' && ps->p[1] == 'u') {
        int lo = hex4(ps->p + 2);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          ps->p += 6;
        }
      }
      /* A \u escape is 6 bytes and its UTF-8 at most 4 (a joined pair
       * is 12 bytes for 4), so dst keeps up. */
      n += put_utf8(dst + n, (unsigned)cp);
      break;
    }
    default:
      ps->p--;
      return json_fail(ps, "bad escape");
    }
  }
  dst[n] = '\0';
  ps->p = q + 1;
  *out = dst;
  *len = (uint32_t)n;
  return SL_OK;
}

static sl_status parse_number(parser *ps, sl_model_json *out) {
  if (literal(ps, "NaN")) {
    out->u.num = NAN;
    out->f32 = NAN;
    return SL_OK;
  }
  if (literal(ps, "Infinity")) {
    out->u.num = INFINITY;
    out->f32 = INFINITY;
    return SL_OK;
  }
  if (literal(ps, "-Infinity")) {
    out->u.num = -INFINITY;
    out->f32 = -INFINITY;
    return SL_OK;
  }
  char buf[64];
  size_t n = 0;
  const char *q = ps->p;
  while (q < ps->end && (isdigit((unsigned char)*q) || *q == '-' ||
                         *q == '+' || *q == '.' || *q == 'e' || *q == 'E')) {
    if (n + 1 >= sizeof(buf))
      return json_fail(ps, "number too long");
    buf[n++] = *q++;
  }
  buf[n] = '\0';
  char *end;
  double d = n ? strtod(buf, &end) : 0;
  if (n == 0 || *end != '\0')
    return json_fail(ps, "expected a value");
  ps->p = q;
  out->u.num = d;
  out->f32 = strtof(buf, NULL);
  return SL_OK;
}

/* The members of an array or object, collected in a growing vector and
 * then copied into the arena. */
static sl_status parse_container(parser *ps, bool object,
                                 sl_model_json *out) {
  if (++ps->depth > JSON_MAX_DEPTH)
    return json_fail(ps, "nesting too deep");
  ps->p++;
  char close = object ? '}' : ']';
  sl_model_json *items = NULL;
  size_t n = 0, cap = 0;
  sl_status rc = SL_OK;

  skip_blanks(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    goto done;
  }
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      sl_model_json *grown = realloc(items, cap * sizeof(*items));
      if (!grown) {
        rc = json_nomem(ps);
        goto done;
      }
      items = grown;
    }
    sl_model_json *item = &items[n];
    item->key = NULL;
    skip_blanks(ps);
    if (object) {
      uint32_t klen;
      if (ps->p >= ps->end || *ps->p != '"') {
        rc = json_fail(ps, "expected a member name");
        goto done;
      }
      rc = parse_string(ps, &item->key, &klen);
      if (rc)
        goto done;
      skip_blanks(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        rc = json_fail(ps, "expected \":\"");
        goto done;
      }
      ps->p++;
    }
    const char *key = item->key;
    rc = parse_value(ps, item);
    if (rc)
      goto done;
    item->key = key;
    n++;
    skip_blanks(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      break;
    }
    rc = json_fail(ps, object ? "expected \",\" or \"}\""
                              : "expected \",\" or \"]\"");
    goto done;
  }

done:
  if (!rc) {
    if (n > UINT32_MAX) {
      rc = json_fail(ps, "too many members");
    } else {
      out->type = object ? SL_MODEL_JSON_OBJECT : SL_MODEL_JSON_ARRAY;
      out->n = (uint32_t)n;
      out->u.items = NULL;
      if (n) {
        out->u.items = sl_arena_alloc(ps->arena, n * sizeof(*items));
        if (!out->u.items)
          rc = json_nomem(ps);
        else
          memcpy(out->u.items, items, n * sizeof(*items));
      }
    }
  }
  free(items);
  ps->depth--;
  return rc;
}

static sl_status parse_value(parser *ps, sl_model_json *out) {
  skip_blanks(ps);
  out->n = 0;
  if (ps->p >= ps->end)
    return json_fail(ps, "expected a value");
  switch (*ps->p) {
  case '{':
    return parse_container(ps, true, out);
  case '[':
    return parse_container(ps, false, out);
  case '"':
    out->type = SL_MODEL_JSON_STRING;
    return parse_string(ps, &out->u.str, &out->n);
  case 't':
  case 'f':
  case 'n':
    out->type = SL_MODEL_JSON_BOOL;
    if (literal(ps, "true")) {
      out->u.num = 1;
      return SL_OK;
    }
    if (literal(ps, "false")) {
      out->u.num = 0;
      return SL_OK;
    }
    if (literal(ps, "null")) {
      out->type = SL_MODEL_JSON_NULL;
      return SL_OK;
    }
    return json_fail(ps, "expected a value");
  default:
    out->type = SL_MODEL_JSON_NUMBER;
    return parse_number(ps, out);
  }
}

sl_status sl_model_json_parse(const char *text, size_t len, sl_arena *arena,
                              sl_model_json *out, sl_error *err) {
  parser ps = {text, text, text + len, arena, err, 0};
  out->key = NULL;
  sl_status rc = parse_value(&ps, out);
  if (rc)
    return rc;
  skip_blanks(&ps);
  if (ps.p != ps.end)
    return json_fail(&ps, "expected the end of the document");
  return SL_OK;
}

const sl_model_json *sl_model_json_get(const sl_model_json *obj,
                                       const char *key) {
  if (!obj || obj->type != SL_MODEL_JSON_OBJECT)
    return NULL;
  for (uint32_t i = 0; i < obj->n; i++)
    if (strcmp(obj->u.items[i].key, key) == 0)
      return &obj->u.items[i];
  return NULL;
}

bool sl_model_json_int(const sl_model_json *v, long long lo, long long hi,
                       long long *out) {
  double d;
  if (!v)
    return false;
  if (v->type == SL_MODEL_JSON_NUMBER) {
    d = v->u.num;
  } else if (v->type == SL_MODEL_JSON_STRING) {
    char *end;
    d = strtod(v->u.str, &end);
    if (end == v->u.str || *end)
      return false;
  } else {
    return false;
  }
  if (!(d >= (double)lo && d <= (double)hi) || d != floor(d))
    return false;
  *out = (long long)d;
  return true;
}
