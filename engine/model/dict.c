/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dict.c - byte strings to dense ids, for ONE_HOT categories.
 *
 * Training keeps one dictionary per categorical input to turn each row's
 * text into a small code; a frozen vocabulary is a dictionary filled in
 * sorted order, so that a category's id is its column.  Keys live
 * concatenated in one buffer addressed by offset (the buffer moves when
 * it grows), and the table holds ids, rehashed from the stored hashes.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/model/model_internal.h"

sl_model_dict *sl_model_dict_new(void) {
  sl_model_dict *d = calloc(1, sizeof(*d));
  return d;
}

void sl_model_dict_free(sl_model_dict *d) {
  if (!d)
    return;
  free(d->bytes);
  free(d->offsets);
  free(d->lens);
  free(d->hashes);
  free(d->slots);
  free(d);
}

static uint64_t dict_hash(const char *key, size_t len) {
  return XXH3_64bits(key, len);
}

/* Places every id into a table of nslots slots (a power of two). */
static bool dict_rehash(sl_model_dict *d, size_t nslots) {
  int32_t *slots = malloc(nslots * sizeof(*slots));
  if (!slots)
    return false;
  for (size_t i = 0; i < nslots; i++)
    slots[i] = -1;
  for (int32_t id = 0; id < d->n; id++) {
    size_t s = (size_t)d->hashes[id] & (nslots - 1);
    while (slots[s] >= 0)
      s = (s + 1) & (nslots - 1);
    slots[s] = id;
  }
  free(d->slots);
  d->slots = slots;
  d->nslots = nslots;
  return true;
}

int32_t sl_model_dict_find(const sl_model_dict *d, const char *key,
                           size_t len) {
  if (!d->nslots)
    return -1;
  uint64_t h = dict_hash(key, len);
  size_t s = (size_t)h & (d->nslots - 1);
  for (;;) {
    int32_t id = d->slots[s];
    if (id < 0)
      return -1;
    if (d->hashes[id] == h && d->lens[id] == len &&
        memcmp(d->bytes + d->offsets[id], key, len) == 0)
      return id;
    s = (s + 1) & (d->nslots - 1);
  }
}

/* Makes room for one more id and len more key bytes. */
static bool dict_grow(sl_model_dict *d, size_t len) {
  if (d->n == d->cap) {
    if (d->cap >= INT32_MAX / 2)
      return false;
    int32_t cap = d->cap ? d->cap * 2 : 16;
    size_t *offsets = realloc(d->offsets, (size_t)cap * sizeof(*offsets));
    if (!offsets)
      return false;
    d->offsets = offsets;
    uint32_t *lens = realloc(d->lens, (size_t)cap * sizeof(*lens));
    if (!lens)
      return false;
    d->lens = lens;
    uint64_t *hashes = realloc(d->hashes, (size_t)cap * sizeof(*hashes));
    if (!hashes)
      return false;
    d->hashes = hashes;
    d->cap = cap;
  }
  if (d->cap_bytes - d->nbytes < len) {
    size_t cap = d->cap_bytes ? d->cap_bytes : 256;
    while (cap - d->nbytes < len)
      cap *= 2;
    char *bytes = realloc(d->bytes, cap);
    if (!bytes)
      return false;
    d->bytes = bytes;
    d->cap_bytes = cap;
  }
  /* Keep the table at most half full. */
  if ((size_t)(d->n + 1) * 2 > d->nslots)
    return dict_rehash(d, d->nslots ? d->nslots * 2 : 32);
  return true;
}

int32_t sl_model_dict_add(sl_model_dict *d, const char *key, size_t len) {
  int32_t id = sl_model_dict_find(d, key, len);
  if (id >= 0)
    return id;
  if (len > UINT32_MAX || !dict_grow(d, len))
    return -1;

  id = d->n++;
  d->offsets[id] = d->nbytes;
  d->lens[id] = (uint32_t)len;
  d->hashes[id] = dict_hash(key, len);
  if (len)
    memcpy(d->bytes + d->nbytes, key, len);
  d->nbytes += len;

  size_t s = (size_t)d->hashes[id] & (d->nslots - 1);
  while (d->slots[s] >= 0)
    s = (s + 1) & (d->nslots - 1);
  d->slots[s] = id;
  return id;
}
