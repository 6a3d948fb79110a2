/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codec.c - little-endian primitives of the model blob.
 *
 * Writers append to an sl_strbuf, whose allocation failures are sticky,
 * so a whole blob is written and checked once.  The reader never reads
 * past its end: a short read marks it bad, remembers what was being read,
 * and yields zeros from then on, so the decoder checks once per section.
 */
#include <string.h>

#include "engine/model/model_internal.h"

void sl_model_put_u8(sl_strbuf *b, uint8_t v) {
  sl_strbuf_append(b, &v, 1);
}

void sl_model_put_u32(sl_strbuf *b, uint32_t v) {
  uint8_t p[4];
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
  sl_strbuf_append(b, p, sizeof(p));
}

void sl_model_put_u64(sl_strbuf *b, uint64_t v) {
  uint8_t p[8];
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(v >> (8 * i));
  sl_strbuf_append(b, p, sizeof(p));
}

void sl_model_put_f64(sl_strbuf *b, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof(bits));
  sl_model_put_u64(b, bits);
}

void sl_model_put_bytes(sl_strbuf *b, const void *p, size_t n) {
  sl_strbuf_append(b, p, n);
}

void sl_model_put_str(sl_strbuf *b, const char *s, size_t n) {
  sl_model_put_u32(b, (uint32_t)n);
  sl_strbuf_append(b, s, n);
}

/* Takes n bytes, or marks the reader bad. */
static const uint8_t *take(sl_model_reader *r, size_t n, const char *what) {
  if (r->bad || (size_t)(r->end - r->p) < n) {
    if (!r->bad)
      r->what = what;
    r->bad = true;
    return NULL;
  }
  const uint8_t *p = r->p;
  r->p += n;
  return p;
}

uint8_t sl_model_get_u8(sl_model_reader *r, const char *what) {
  const uint8_t *p = take(r, 1, what);
  return p ? p[0] : 0;
}

uint32_t sl_model_get_u32(sl_model_reader *r, const char *what) {
  const uint8_t *p = take(r, 4, what);
  if (!p)
    return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    v |= (uint32_t)p[i] << (8 * i);
  return v;
}

uint64_t sl_model_get_u64(sl_model_reader *r, const char *what) {
  const uint8_t *p = take(r, 8, what);
  if (!p)
    return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}

double sl_model_get_f64(sl_model_reader *r, const char *what) {
  uint64_t bits = sl_model_get_u64(r, what);
  double v;
  memcpy(&v, &bits, sizeof(v));
  return v;
}

const void *sl_model_get_bytes(sl_model_reader *r, size_t n,
                               const char *what) {
  return take(r, n, what);
}

const char *sl_model_get_str(sl_model_reader *r, size_t *len,
                             const char *what) {
  uint32_t n = sl_model_get_u32(r, what);
  const uint8_t *p = take(r, n, what);
  *len = p ? n : 0;
  return (const char *)p;
}

uint32_t sl_model_get_count(sl_model_reader *r, size_t min_item,
                            const char *what) {
  uint32_t n = sl_model_get_u32(r, what);
  if (!r->bad && min_item && n > (size_t)(r->end - r->p) / min_item) {
    r->bad = true;
    r->what = what;
    return 0;
  }
  return r->bad ? 0 : n;
}
