/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_json.c - JSON_VALUE, JSON_ARRAY_LENGTH, TO_JSON.
 *
 * JSON text is read by a small scanner of our own, without building a
 * document: it validates the text (RFC 8259, nesting up to 512 levels)
 * and walks a path to the value it names.  Paths are SQL/JSON-style:
 * '$' followed by steps '.name', '."quoted name"', '["name"]', "['name']"
 * and '[n]' (0-based array index).
 *
 * JSON_VALUE returns a scalar as text: a string unescaped, a number as it
 * is written, true/false; JSON null, a missing member, an object or an
 * array give NULL, and so does text that is not JSON (the SQL standard's
 * NULL ON ERROR).  A malformed path is an error.  JSON_ARRAY_LENGTH
 * counts the elements of a top-level array (NULL for anything else).
 * TO_JSON renders any value as the JSON output format does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "udf/builtins.h"

#define JSON_MAX_DEPTH 512

/* ------------------------------------------------------------------ */
/* The scanner                                                         */
/* ------------------------------------------------------------------ */

typedef struct json_scan {
  const char *p;
  const char *end;
} json_scan;

static void skip_ws(json_scan *js) {
  while (js->p < js->end && (*js->p == ' ' || *js->p == '\t' ||
                             *js->p == '\n' || *js->p == '\r'))
    js->p++;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static bool read_hex4(const char *p, const char *end, uint32_t *out) {
  if (end - p < 4)
    return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hex_digit(p[i]);
    if (d < 0)
      return false;
    v = v << 4 | (uint32_t)d;
  }
  *out = v;
  return true;
}

/* Reads one character of a string body at js->p (after the opening
 * quote): the decoded code point, or false at the closing quote or on a
 * malformed escape (*bad set).  Raw bytes of multi-byte characters are
 * returned one at a time with *raw set. */
static bool string_char(json_scan *js, uint32_t *cp, bool *raw, bool *bad) {
  *bad = false;
  *raw = false;
  if (js->p >= js->end) {
    *bad = true;
    return false;
  }
  unsigned char c = (unsigned char)*js->p;
  if (c == '"')
    return false;
  if (c < 0x20) {
    *bad = true;
    return false;
  }
  if (c != '\\') {
    js->p++;
    *cp = c;
    *raw = c >= 0x80;
    return true;
  }
  if (js->end - js->p < 2) {
    *bad = true;
    return false;
  }
  char e = js->p[1];
  js->p += 2;
  switch (e) {
  case '"': *cp = '"'; return true;
  case '\\': *cp = '\\'; return true;
  case '/': *cp = '/'; return true;
  case 'b': *cp = '\b'; return true;
  case 'f': *cp = '\f'; return true;
  case 'n': *cp = '\n'; return true;
  case 'r': *cp = '\r'; return true;
  case 't': *cp = '\t'; return true;
  case 'u': {
    uint32_t u;
    if (!read_hex4(js->p, js->end, &u)) {
      *bad = true;
      return false;
    }
    js->p += 4;
    /* A high surrogate followed by an escaped low one is one character;
     * a lone surrogate becomes U+FFFD. */
    if (u >= 0xD800 && u <= 0xDBFF && js->end - js->p >= 6 &&
        js->p[0] == '\\' && js->p[1] == 'u') {
      uint32_t lo;
      if (read_hex4(js->p + 2, js->end, &lo) && lo >= 0xDC00 &&
          lo <= 0xDFFF) {
        js->p += 6;
        *cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        return true;
      }
    }
    *cp = (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : u;
    return true;
  }
  default:
    *bad = true;
    return false;
  }
}

/* Skips a string whose opening quote is at js->p. */
static bool skip_string(json_scan *js) {
  uint32_t cp;
  bool raw, bad;
  js->p++;
  while (string_char(js, &cp, &raw, &bad))
    ;
  if (bad)
    return false;
  js->p++;
  return true;
}

static bool skip_digits(json_scan *js) {
  const char *start = js->p;
  while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
    js->p++;
  return js->p > start;
}

static bool skip_number(json_scan *js) {
  if (js->p < js->end && *js->p == '-')
    js->p++;
  if (js->p < js->end && *js->p == '0')
    js->p++;
  else if (!skip_digits(js))
    return false;
  if (js->p < js->end && *js->p == '.') {
    js->p++;
    if (!skip_digits(js))
      return false;
  }
  if (js->p < js->end && (*js->p == 'e' || *js->p == 'E')) {
    js->p++;
    if (js->p < js->end && (*js->p == '+' || *js->p == '-'))
      js->p++;
    if (!skip_digits(js))
      return false;
  }
  return true;
}

static bool skip_word(json_scan *js, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n) != 0)
    return false;
  js->p += n;
  return true;
}

/* Skips one value (and nothing around it), checking its syntax. */
static bool skip_value(json_scan *js, int depth) {
  if (js->p >= js->end || depth > JSON_MAX_DEPTH)
    return false;
  switch (*js->p) {
  case '"':
    return skip_string(js);
  case '{':
  case '[': {
    char close = *js->p == '{' ? '}' : ']';
    bool object = close == '}';
    js->p++;
    skip_ws(js);
    if (js->p < js->end && *js->p == close) {
      js->p++;
      return true;
    }
    for (;;) {
      skip_ws(js);
      if (object) {
        if (js->p >= js->end || *js->p != '"' || !skip_string(js))
          return false;
        skip_ws(js);
        if (js->p >= js->end || *js->p != ':')
          return false;
        js->p++;
        skip_ws(js);
      }
      if (!skip_value(js, depth + 1))
        return false;
      skip_ws(js);
      if (js->p >= js->end)
        return false;
      if (*js->p == close) {
        js->p++;
        return true;
      }
      if (*js->p != ',')
        return false;
      js->p++;
    }
  }
  case 't':
    return skip_word(js, "true");
  case 'f':
    return skip_word(js, "false");
  case 'n':
    return skip_word(js, "null");
  default:
    return skip_number(js);
  }
}

/* True when s[0..n) is exactly one JSON value with optional blanks. */
static bool json_valid(const char *s, size_t n) {
  json_scan js = {s, s + n};
  skip_ws(&js);
  if (!skip_value(&js, 0))
    return false;
  skip_ws(&js);
  return js.p == js.end;
}

/* Reads the string at js->p and says whether it equals key (klen bytes,
 * already unescaped). */
static bool string_equals(json_scan *js, const char *key, size_t klen) {
  uint32_t cp;
  bool raw, bad, same = true;
  size_t at = 0;
  js->p++;
  while (string_char(js, &cp, &raw, &bad)) {
    char buf[4];
    size_t n = raw ? 1 : sl_func_utf8_put(cp, buf);
    if (raw)
      buf[0] = (char)cp;
    if (same && at + n <= klen && memcmp(key + at, buf, n) == 0)
      at += n;
    else
      same = false;
  }
  js->p++;
  return same && at == klen;
}

/* ------------------------------------------------------------------ */
/* Paths                                                               */
/* ------------------------------------------------------------------ */

typedef struct path_step {
  bool is_index;
  uint32_t index;
  char *key; /* unescaped */
  size_t key_len;
} path_step;

typedef struct json_path {
  int nsteps;
  path_step *steps;
  char *text; /* the path text, to reuse a parse across rows */
  size_t text_len;
} json_path;

static void path_clear(json_path *jp) {
  for (int i = 0; i < jp->nsteps; i++)
    free(jp->steps[i].key);
  free(jp->steps);
  free(jp->text);
  memset(jp, 0, sizeof(*jp));
}

static bool add_step(json_path *jp, int *cap, path_step step) {
  if (jp->nsteps == *cap) {
    int ncap = *cap ? *cap * 2 : 4;
    path_step *ns = realloc(jp->steps, sizeof(*ns) * (size_t)ncap);
    if (!ns)
      return false;
    jp->steps = ns;
    *cap = ncap;
  }
  jp->steps[jp->nsteps++] = step;
  return true;
}

/* A quoted key ('...' or "...") at s[*i]; \\ and the quote may be
 * escaped. */
static bool quoted_key(const char *s, size_t n, size_t *i, path_step *st) {
  char q = s[*i];
  size_t j = *i + 1;
  char *key = malloc(n + 1);
  size_t k = 0;
  if (!key)
    return false;
  while (j < n && s[j] != q) {
    if (s[j] == '\\' && j + 1 < n)
      j++;
    key[k++] = s[j++];
  }
  if (j >= n) {
    free(key);
    return false;
  }
  *i = j + 1;
  st->key = key;
  st->key_len = k;
  return true;
}

/* Parses path text into jp.  False with msg (or *nomem) on failure. */
static bool path_parse(const char *s, size_t n, json_path *jp, char *msg,
                       size_t msg_size, bool *nomem) {
  int cap = 0;
  size_t i = 0;
  *nomem = false;
  memset(jp, 0, sizeof(*jp));
  const char *why = NULL;

  while (i < n && s[i] == ' ')
    i++;
  if (i >= n || s[i] != '$') {
    why = "a path starts with '$'";
    goto fail;
  }
  i++;
  while (i < n) {
    path_step st = {false, 0, NULL, 0};
    if (s[i] == '.') {
      i++;
      if (i < n && (s[i] == '"' || s[i] == '\'')) {
        if (!quoted_key(s, n, &i, &st)) {
          why = "unterminated quoted name";
          goto fail;
        }
      } else {
        size_t b = i;
        while (i < n && s[i] != '.' && s[i] != '[' && s[i] != ' ')
          i++;
        if (i == b) {
          why = "expected a member name after '.'";
          goto fail;
        }
        st.key = malloc(i - b + 1);
        if (!st.key) {
          *nomem = true;
          goto fail;
        }
        memcpy(st.key, s + b, i - b);
        st.key_len = i - b;
      }
    } else if (s[i] == '[') {
      i++;
      if (i < n && (s[i] == '"' || s[i] == '\'')) {
        if (!quoted_key(s, n, &i, &st)) {
          why = "unterminated quoted name";
          goto fail;
        }
      } else {
        uint64_t v = 0;
        size_t b = i;
        while (i < n && s[i] >= '0' && s[i] <= '9' && v <= UINT32_MAX)
          v = v * 10 + (uint64_t)(s[i++] - '0');
        if (i == b || v > UINT32_MAX) {
          why = "expected an array index or a quoted name in []";
          goto fail;
        }
        st.is_index = true;
        st.index = (uint32_t)v;
      }
      if (i >= n || s[i] != ']') {
        free(st.key);
        why = "expected ']'";
        goto fail;
      }
      i++;
    } else if (s[i] == ' ') {
      while (i < n && s[i] == ' ')
        i++;
      if (i < n) {
        why = "unexpected text after the path";
        goto fail;
      }
      break;
    } else {
      why = "expected '.' or '['";
      goto fail;
    }
    if (!add_step(jp, &cap, st)) {
      free(st.key);
      *nomem = true;
      goto fail;
    }
  }
  jp->text = malloc(n ? n : 1);
  if (!jp->text) {
    *nomem = true;
    goto fail;
  }
  memcpy(jp->text, s, n);
  jp->text_len = n;
  return true;

fail:
  if (why)
    snprintf(msg, msg_size, "invalid JSON path \"%.*s\": %s at offset %zu",
             n > 200 ? 200 : (int)n, s, why, i);
  path_clear(jp);
  return false;
}

/* Walks jp from the value at js->p (a valid document).  On success js->p
 * is at the value the path names. */
static bool path_walk(json_scan *js, const json_path *jp) {
  for (int k = 0; k < jp->nsteps; k++) {
    const path_step *st = &jp->steps[k];
    skip_ws(js);
    char open = st->is_index ? '[' : '{';
    if (js->p >= js->end || *js->p != open)
      return false;
    js->p++;
    skip_ws(js);
    if (*js->p == (st->is_index ? ']' : '}'))
      return false;
    for (uint32_t n = 0;; n++) {
      skip_ws(js);
      bool hit;
      if (st->is_index) {
        hit = n == st->index;
      } else {
        hit = string_equals(js, st->key, st->key_len);
        skip_ws(js);
        js->p++; /* ':' */
        skip_ws(js);
      }
      if (hit)
        break;
      skip_value(js, 0);
      skip_ws(js);
      if (*js->p != ',')
        return false;
      js->p++;
    }
  }
  skip_ws(js);
  return true;
}

/* ------------------------------------------------------------------ */
/* JSON_VALUE                                                          */
/* ------------------------------------------------------------------ */

/* The path of a call site: parsed once when constant, else cached. */
typedef struct json_state {
  json_path path;
  bool constant;
} json_state;

static void json_state_free(void *p) {
  json_state *st = p;
  if (!st)
    return;
  path_clear(&st->path);
  free(st);
}

static sl_status json_value_prepare(sl_func_ctx *ctx,
                                    const sl_value *const *consts,
                                    sl_error *err) {
  json_state *st = calloc(1, sizeof(*st));
  if (!st)
    return sl_func_nomem(err);
  ctx->state = st;
  ctx->state_free = json_state_free;
  const sl_value *p = consts[1];
  if (!p || p->kind != SL_TYPE_VARCHAR)
    return SL_OK;
  char msg[512];
  bool nomem;
  if (!path_parse(p->u.str, p->len, &st->path, msg, sizeof(msg), &nomem))
    return nomem ? sl_func_nomem(err)
                 : sl_func_prepare_fail(ctx, err, "%s", msg);
  st->constant = true;
  return SL_OK;
}

/* Decodes the string at js->p into the arena as a VARCHAR. */
static bool decode_string(sl_func_ctx *ctx, json_scan *js, sl_value *out) {
  const char *start = js->p + 1;
  json_scan probe = *js;
  skip_string(&probe);
  size_t max = (size_t)(probe.p - start);
  char *buf = sl_arena_alloc(ctx->arena, max ? max : 1);
  if (!buf)
    return false;
  size_t n = 0;
  uint32_t cp;
  bool raw, bad;
  js->p++;
  while (string_char(js, &cp, &raw, &bad)) {
    if (raw)
      buf[n++] = (char)cp;
    else
      n += sl_func_utf8_put(cp, buf + n);
  }
  *out = sl_value_varchar(buf, n);
  return true;
}

static sl_status json_value_fn(sl_func_ctx *ctx, int nargs,
                               const sl_value *const *args, int nrows,
                               sl_value *out, sl_error *err) {
  if (!ctx->state) {
    sl_status rc = json_value_prepare(ctx, (const sl_value *[2]){NULL, NULL},
                                      err);
    if (rc != SL_OK)
      return rc;
  }
  json_state *st = ctx->state;
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *doc = &args[0][r], *p = &args[1][r];
    if (!st->constant &&
        !(st->path.text && st->path.text_len == p->len &&
          memcmp(st->path.text, p->u.str, p->len) == 0)) {
      char msg[512];
      bool nomem;
      path_clear(&st->path);
      if (!path_parse(p->u.str, p->len, &st->path, msg, sizeof(msg),
                      &nomem)) {
        if (nomem)
          return sl_func_nomem(err);
        sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID, "%s", msg);
        continue;
      }
    }

    out[r] = sl_value_null();
    if (!json_valid(doc->u.str, doc->len))
      continue;
    json_scan js = {doc->u.str, doc->u.str + doc->len};
    if (!path_walk(&js, &st->path))
      continue;
    const char *v = js.p;
    if (*v == '"') {
      if (!decode_string(ctx, &js, &out[r]))
        return sl_func_nomem(err);
    } else if (*v == 't' || *v == 'f' || *v == '-' ||
               (*v >= '0' && *v <= '9')) {
      json_scan end = js;
      skip_value(&end, 0);
      if (!sl_func_set_varchar(ctx, &out[r], v, (size_t)(end.p - v)))
        return sl_func_nomem(err);
    }
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* JSON_ARRAY_LENGTH and TO_JSON                                       */
/* ------------------------------------------------------------------ */

static sl_status json_array_length_fn(sl_func_ctx *ctx, int nargs,
                                      const sl_value *const *args,
                                      int nrows, sl_value *out,
                                      sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *doc = &args[0][r];
    out[r] = sl_value_null();
    if (doc->kind == SL_TYPE_NULL || !json_valid(doc->u.str, doc->len))
      continue;
    json_scan js = {doc->u.str, doc->u.str + doc->len};
    skip_ws(&js);
    if (*js.p != '[')
      continue;
    js.p++;
    skip_ws(&js);
    int32_t count = 0;
    if (*js.p != ']') {
      for (;;) {
        skip_ws(&js);
        skip_value(&js, 0);
        count++;
        skip_ws(&js);
        if (*js.p != ',')
          break;
        js.p++;
      }
    }
    out[r] = sl_value_int(count);
  }
  return SL_OK;
}

static sl_status to_json_fn(sl_func_ctx *ctx, int nargs,
                            const sl_value *const *args, int nrows,
                            sl_value *out, sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_status rc = SL_OK;
  for (int r = 0; r < nrows && rc == SL_OK; r++) {
    const sl_value *v = &args[0][r];
    if (v->kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    sl_strbuf_reset(&sb);
    sl_format_json(&sb, v, ctx->arg_types[0]);
    if (sb.failed || !sl_func_set_varchar(ctx, &out[r], sb.data, sb.len))
      rc = sl_func_nomem(err);
  }
  sl_strbuf_free(&sb);
  return rc;
}

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_json[] = {
  {.name = "JSON_VALUE",
   .doc = "The scalar at a path ($.a.b[0]) of a JSON text, as text; NULL "
          "when absent, not a scalar, or the text is not JSON.",
   .example = "JSON_VALUE('{\"a\": {\"b\": [7, 8]}}', '$.a.b[1]') = '8'",
   .sigs = {{.spec = "(VARCHAR, VARCHAR) -> VARCHAR",
             .scalar = json_value_fn,
             .prepare = json_value_prepare}}},
  {.name = "JSON_ARRAY_LENGTH",
   .doc = "The number of elements of a JSON array text (NULL for other "
          "JSON or text that is not JSON).",
   .example = "JSON_ARRAY_LENGTH('[1, [2, 3], {}]') = 3",
   .sigs = {{.spec = "(VARCHAR) -> INT", .scalar = json_array_length_fn}}},
  {.name = "TO_JSON",
   .doc = "The value as JSON text, as the JSON output format writes it.",
   .example = "TO_JSON(ARRAY[1, 2]) = '[1,2]'",
   .sigs = {{.spec = "(ANY) -> VARCHAR", .scalar = to_json_fn}}},
};

const int sl_func_builtins_json_count =
    (int)(sizeof(sl_func_builtins_json) / sizeof(sl_func_builtins_json[0]));
