/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h - bump allocation for memory with one lifetime.
 *
 * A record batch, a parse, or a bound statement allocates everything it
 * needs from one arena and frees it all at once.  Allocation is a pointer
 * bump inside large blocks, so the hot path does no malloc per field.
 * sl_arena_reset keeps the first block for reuse by the next batch.
 */
#ifndef SLUICE_ARENA_H
#define SLUICE_ARENA_H

#include <stddef.h>

typedef struct sl_arena_block sl_arena_block;

typedef struct sl_arena {
  sl_arena_block *head;  /* current block, newest first */
  size_t block_size;     /* size of ordinary blocks */
  size_t total;          /* bytes handed out since the last reset */
} sl_arena;

/* Initializes an arena whose blocks are block_size bytes (0: 64 KiB). */
void sl_arena_init(sl_arena *arena, size_t block_size);

/* Returns size bytes aligned for any type, or NULL when out of memory.
 * The memory lives until the next reset or destroy. */
void *sl_arena_alloc(sl_arena *arena, size_t size);

/* Like sl_arena_alloc but zero-filled. */
void *sl_arena_calloc(sl_arena *arena, size_t count, size_t size);

/* Copies len bytes of s into the arena and NUL-terminates the copy. */
char *sl_arena_strndup(sl_arena *arena, const char *s, size_t len);
char *sl_arena_strdup(sl_arena *arena, const char *s);

/* Frees every allocation but keeps one block for reuse. */
void sl_arena_reset(sl_arena *arena);

/* Frees everything. The arena may be initialized again afterwards. */
void sl_arena_destroy(sl_arena *arena);

#endif /* SLUICE_ARENA_H */
