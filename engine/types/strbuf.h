/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strbuf.h - a growable byte buffer for building output.
 *
 * Formatters and encoders append to an sl_strbuf.  The bytes are always
 * NUL-terminated once anything is appended (data may hold NULs too; len
 * counts the bytes).  Growth failures are sticky: after one, every later
 * append is refused and `failed` stays set, so a caller may append a
 * whole record and check once.  The buffer owns data; sl_strbuf_free
 * releases it, sl_strbuf_reset keeps it for reuse.
 */
#ifndef SLUICE_STRBUF_H
#define SLUICE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "engine/common/error.h"

typedef struct sl_strbuf {
  char *data;  /* NULL until the first growth */
  size_t len;  /* bytes used, not counting the terminating NUL */
  size_t cap;  /* bytes allocated */
  bool failed; /* an allocation failed; appends are refused */
} sl_strbuf;

#define SL_STRBUF_INIT {NULL, 0, 0, false}

void sl_strbuf_init(sl_strbuf *sb);

/* Makes room for extra more bytes (plus the NUL).  Returns SL_OK or
 * SL_ERR_NOMEM (and sets failed). */
sl_status sl_strbuf_reserve(sl_strbuf *sb, size_t extra);

/* Appends n bytes. */
static inline sl_status sl_strbuf_append(sl_strbuf *sb, const void *p,
                                         size_t n) {
  if (sb->cap - sb->len <= n || sb->failed) {
    if (sl_strbuf_reserve(sb, n))
      return SL_ERR_NOMEM;
  }
  if (n)
    memcpy(sb->data + sb->len, p, n);
  sb->len += n;
  sb->data[sb->len] = '\0';
  return SL_OK;
}

/* Appends a NUL-terminated string. */
static inline sl_status sl_strbuf_appends(sl_strbuf *sb, const char *s) {
  return sl_strbuf_append(sb, s, strlen(s));
}

/* Appends one byte. */
static inline sl_status sl_strbuf_appendc(sl_strbuf *sb, char c) {
  return sl_strbuf_append(sb, &c, 1);
}

/* Appends printf-formatted text. */
sl_status sl_strbuf_appendf(sl_strbuf *sb, const char *fmt, ...)
    SL_PRINTF(2, 3);

/* Empties the buffer, keeping its memory, and clears failed. */
void sl_strbuf_reset(sl_strbuf *sb);

/* Hands data over to the caller (free it with free()) and leaves the
 * buffer empty.  Returns an empty allocated string when nothing was
 * appended, NULL when out of memory or after a failure. */
char *sl_strbuf_detach(sl_strbuf *sb, size_t *len);

/* Releases the memory; the buffer may be used again after init. */
void sl_strbuf_free(sl_strbuf *sb);

#endif /* SLUICE_STRBUF_H */
