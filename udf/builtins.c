/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins.c - the list of built-in tables and the helpers every built-in
 * shares: row errors named after the function, arena results, UTF-8.
 */
#include "udf/builtins.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Every table of built-ins, in registration order. */
const sl_func_builtin_table sl_func_builtin_tables[] = {
  {sl_func_builtins_math, &sl_func_builtins_math_count},
  {sl_func_builtins_string, &sl_func_builtins_string_count},
  {sl_func_builtins_regex, &sl_func_builtins_regex_count},
  {sl_func_builtins_time, &sl_func_builtins_time_count},
  {sl_func_builtins_misc, &sl_func_builtins_misc_count},
  {sl_func_builtins_json, &sl_func_builtins_json_count},
  {sl_func_builtins_agg, &sl_func_builtins_agg_count},
  {NULL, NULL},
};

static void lower_name(const sl_func_ctx *ctx, char *buf, size_t size) {
  const char *name = ctx->func ? ctx->func->name : "function";
  size_t n = 0;
  for (; *name && n + 1 < size; name++)
    buf[n++] = (char)(*name >= 'A' && *name <= 'Z' ? *name - 'A' + 'a'
                                                   : *name);
  buf[n] = '\0';
}

/* Fails a row with the function's name in front of the message. */
void sl_func_fail(sl_func_ctx *ctx, int row, sl_value *out,
                  const char *reason, const char *fmt, ...) {
  char name[64], msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  lower_name(ctx, name, sizeof(name));
  sl_func_row_fail(ctx, row, out, reason, "%s: %s", name, msg);
}

/* A prepare-time SQL error with the function's name in front. */
sl_status sl_func_prepare_fail(const sl_func_ctx *ctx, sl_error *err,
                               const char *fmt, ...) {
  char name[64], msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  lower_name(ctx, name, sizeof(name));
  return sl_error_set(err, SL_ERR_SQL, "%s: %s", name, msg);
}

/* The batch-level out-of-memory error. */
sl_status sl_func_nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* A VARCHAR copied into the batch arena. */
bool sl_func_set_varchar(sl_func_ctx *ctx, sl_value *out, const char *s,
                         size_t n) {
  char *copy = sl_arena_alloc(ctx->arena, n ? n : 1);
  if (!copy)
    return false;
  if (n)
    memcpy(copy, s, n);
  *out = sl_value_varchar(copy, n);
  return true;
}

/* A NUL-terminated copy of a VARCHAR in the arena. */
char *sl_func_cstr(sl_func_ctx *ctx, const sl_value *v) {
  return sl_arena_strndup(ctx->arena, v->u.str, v->len);
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */
/* ------------------------------------------------------------------ */

static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Characters of s[0..n): every byte that does not continue a sequence
 * starts a character. */
size_t sl_func_utf8_count(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    count += !is_cont((unsigned char)s[i]);
  return count;
}

/* The byte offset after nchars characters. */
size_t sl_func_utf8_skip(const char *s, size_t n, size_t nchars) {
  size_t i = 0;
  while (i < n && nchars > 0) {
    i++;
    while (i < n && is_cont((unsigned char)s[i]))
      i++;
    nchars--;
  }
  return i;
}

/* Decodes one character. */
uint32_t sl_func_utf8_next(const char *s, size_t n, size_t *pos) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = *pos;
  uint32_t c = u[i];
  int extra;
  if (c < 0x80) {
    *pos = i + 1;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    extra = 1;
    c &= 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    c &= 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    c &= 0x07;
  } else {
    *pos = i + 1;
    return SL_FUNC_UTF8_BAD;
  }
  if (i + (size_t)extra >= n) {
    *pos = i + 1;
    return SL_FUNC_UTF8_BAD;
  }
  for (int k = 1; k <= extra; k++) {
    if (!is_cont(u[i + (size_t)k])) {
      *pos = i + 1;
      return SL_FUNC_UTF8_BAD;
    }
    c = (c << 6) | (u[i + (size_t)k] & 0x3F);
  }
  *pos = i + 1 + (size_t)extra;
  return c;
}

/* Encodes one code point. */
size_t sl_func_utf8_put(uint32_t cp, char *buf) {
  unsigned char *b = (unsigned char *)buf;
  if (cp < 0x80) {
    b[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    b[0] = (unsigned char)(0xC0 | (cp >> 6));
    b[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    b[0] = (unsigned char)(0xE0 | (cp >> 12));
    b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  b[0] = (unsigned char)(0xF0 | (cp >> 18));
  b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  b[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}
