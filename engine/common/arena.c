/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c - block-chained bump allocator.
 */
#include "engine/common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sl_arena_block {
  sl_arena_block *next;
  size_t size; /* usable bytes in data */
  size_t used;
  alignas(max_align_t) unsigned char data[];
};

#define ARENA_DEFAULT_BLOCK (64 * 1024)
#define ARENA_ALIGN (alignof(max_align_t))

void sl_arena_init(sl_arena *arena, size_t block_size) {
  arena->head = NULL;
  arena->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
  arena->total = 0;
}

static sl_arena_block *arena_new_block(size_t size) {
  sl_arena_block *b = malloc(sizeof(*b) + size);
  if (!b)
    return NULL;
  b->next = NULL;
  b->size = size;
  b->used = 0;
  return b;
}

void *sl_arena_alloc(sl_arena *arena, size_t size) {
  size_t need = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
  if (need == 0)
    need = ARENA_ALIGN;

  sl_arena_block *b = arena->head;
  if (!b || b->size - b->used < need) {
    /* Oversized requests get a block of their own so that the regular
     * block size stays small. */
    size_t bsize = need > arena->block_size ? need : arena->block_size;
    sl_arena_block *nb = arena_new_block(bsize);
    if (!nb)
      return NULL;
    nb->next = arena->head;
    arena->head = nb;
    b = nb;
  }
  void *p = b->data + b->used;
  b->used += need;
  arena->total += need;
  return p;
}

void *sl_arena_calloc(sl_arena *arena, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *p = sl_arena_alloc(arena, count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

char *sl_arena_strndup(sl_arena *arena, const char *s, size_t len) {
  char *p = sl_arena_alloc(arena, len + 1);
  if (!p)
    return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

char *sl_arena_strdup(sl_arena *arena, const char *s) {
  return sl_arena_strndup(arena, s, strlen(s));
}

void sl_arena_reset(sl_arena *arena) {
  sl_arena_block *keep = NULL;
  sl_arena_block *b = arena->head;
  while (b) {
    sl_arena_block *next = b->next;
    /* Keep one regular-sized block; oversized ones go back to malloc. */
    if (!keep && b->size == arena->block_size) {
      keep = b;
      keep->used = 0;
      keep->next = NULL;
    } else {
      free(b);
    }
    b = next;
  }
  arena->head = keep;
  arena->total = 0;
}

void sl_arena_destroy(sl_arena *arena) {
  sl_arena_block *b = arena->head;
  while (b) {
    sl_arena_block *next = b->next;
    free(b);
    b = next;
  }
  arena->head = NULL;
  arena->total = 0;
}
