/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strbuf.c - growth and formatted appends for sl_strbuf.
 */
#include "engine/types/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Sets the buffer empty with no memory. */
void sl_strbuf_init(sl_strbuf *sb) {
  sb->data = NULL;
  sb->len = 0;
  sb->cap = 0;
  sb->failed = false;
}

/* Grows the allocation (doubling, at least 64 bytes) to hold extra more
 * bytes and a NUL. */
sl_status sl_strbuf_reserve(sl_strbuf *sb, size_t extra) {
  if (sb->failed)
    return SL_ERR_NOMEM;
  if (extra >= SIZE_MAX - sb->len - 1) {
    sb->failed = true;
    return SL_ERR_NOMEM;
  }
  size_t need = sb->len + extra + 1;
  if (need <= sb->cap)
    return SL_OK;

  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *p = realloc(sb->data, cap);
  if (!p) {
    sb->failed = true;
    return SL_ERR_NOMEM;
  }
  sb->data = p;
  sb->cap = cap;
  return SL_OK;
}

/* Formats into the spare room, growing once when it does not fit. */
sl_status sl_strbuf_appendf(sl_strbuf *sb, const char *fmt, ...) {
  if (sl_strbuf_reserve(sb, 32))
    return SL_ERR_NOMEM;

  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
  va_end(ap);
  if (n < 0) {
    sb->data[sb->len] = '\0';
    return SL_ERR_INTERNAL;
  }
  if ((size_t)n >= sb->cap - sb->len) {
    if (sl_strbuf_reserve(sb, (size_t)n)) {
      sb->data[sb->len] = '\0';
      return SL_ERR_NOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
  }
  sb->len += (size_t)n;
  return SL_OK;
}

/* Empties the buffer, keeping its memory. */
void sl_strbuf_reset(sl_strbuf *sb) {
  sb->len = 0;
  sb->failed = false;
  if (sb->data)
    sb->data[0] = '\0';
}

/* Gives data to the caller. */
char *sl_strbuf_detach(sl_strbuf *sb, size_t *len) {
  if (sb->failed || sl_strbuf_reserve(sb, 0)) {
    sl_strbuf_free(sb);
    return NULL;
  }
  char *p = sb->data;
  p[sb->len] = '\0';
  if (len)
    *len = sb->len;
  sl_strbuf_init(sb);
  return p;
}

/* Frees the memory. */
void sl_strbuf_free(sl_strbuf *sb) {
  free(sb->data);
  sl_strbuf_init(sb);
}
