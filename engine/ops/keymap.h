/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keymap.h - an intrusive hash map from byte keys to operator entries,
 * and an indexed heap of entries by time.
 *
 * The stateful operators keep their live state in memory, indexed two
 * ways: by key (a group, a join key's buffer, a partition key's history)
 * through sl_keymap, and by the time something must happen to it (a
 * window closes, a buffered row expires) through sl_timeheap.  Both are
 * intrusive: the operator's struct embeds the node, owns the key bytes
 * the node points to, and frees itself; the containers only link.
 *
 * Keys are the canonical bytes of rowcodec.h, hashed with XXH3.
 */
#ifndef SLUICE_OPS_KEYMAP_H
#define SLUICE_OPS_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"

typedef struct sl_keymap_node sl_keymap_node;

struct sl_keymap_node {
  sl_keymap_node *next;
  uint64_t hash;
  const void *key; /* owned by the entry */
  size_t klen;
};

typedef struct sl_keymap {
  sl_keymap_node **buckets;
  size_t nbuckets; /* a power of two, or 0 before the first insert */
  size_t count;
} sl_keymap;

/* The hash of key bytes. */
uint64_t sl_keymap_hash(const void *key, size_t klen);

void sl_keymap_init(sl_keymap *m);

/* Frees the bucket array (not the entries). */
void sl_keymap_destroy(sl_keymap *m);

/* The entry with these key bytes, or NULL. */
sl_keymap_node *sl_keymap_find(const sl_keymap *m, const void *key,
                               size_t klen, uint64_t hash);

/* Links node, whose key, klen and hash are set and which no entry of m
 * shares.  Fails only when out of memory (the map is unchanged). */
sl_status sl_keymap_insert(sl_keymap *m, sl_keymap_node *node,
                           sl_error *err);

/* Hints to the processor that the bucket of hash is read soon, and
 * with _entry (once the bucket is at hand) its first entry: a batch
 * hints its rows' keys ahead of looking them up, so that the lookups
 * of a large map do not each wait for memory. */
static inline void sl_keymap_prefetch(const sl_keymap *m, uint64_t hash) {
#if defined(__GNUC__)
  if (m->nbuckets)
    __builtin_prefetch(&m->buckets[hash & (m->nbuckets - 1)]);
#else
  (void)m;
  (void)hash;
#endif
}

static inline void sl_keymap_prefetch_entry(const sl_keymap *m,
                                            uint64_t hash) {
#if defined(__GNUC__)
  if (m->nbuckets) {
    const sl_keymap_node *n = m->buckets[hash & (m->nbuckets - 1)];
    if (n)
      __builtin_prefetch(n);
  }
#else
  (void)m;
  (void)hash;
#endif
}

/* Unlinks node, which must be in m. */
void sl_keymap_remove(sl_keymap *m, sl_keymap_node *node);

/* Iterates the entries: start with *bucket = 0 and node NULL; returns the
 * next entry or NULL at the end.  Removing the entry just returned is
 * allowed when the caller saved its successor first (next_of). */
sl_keymap_node *sl_keymap_next(const sl_keymap *m, size_t *bucket,
                               sl_keymap_node *node);

/* An entry ordered by (time, seq) in an sl_timeheap. */
typedef struct sl_timeheap_item {
  int64_t time;
  uint64_t seq;  /* tie-break: lower first */
  size_t index;  /* position in the heap; SIZE_MAX when not in one */
} sl_timeheap_item;

/* A due item and its order, for sl_timeheap_pop_until. */
typedef struct sl_timeheap_due {
  int64_t time;
  uint64_t seq;
  sl_timeheap_item *item;
} sl_timeheap_due;

typedef struct sl_timeheap {
  sl_timeheap_item **items;
  size_t n;
  size_t cap;
  sl_timeheap_due *due;   /* what pop_until returned last */
  size_t due_cap;
  size_t *stack;          /* its walk */
  size_t stack_cap;
} sl_timeheap;

void sl_timeheap_init(sl_timeheap *h);
void sl_timeheap_destroy(sl_timeheap *h);

/* Adds it (time and seq set).  Fails only when out of memory. */
sl_status sl_timeheap_push(sl_timeheap *h, sl_timeheap_item *it,
                           sl_error *err);

/* Restores the order after it->time or it->seq changed. */
void sl_timeheap_update(sl_timeheap *h, sl_timeheap_item *it);

/* Removes it when it is in the heap. */
void sl_timeheap_remove(sl_timeheap *h, sl_timeheap_item *it);

/* Removes every item for which match(ud, item) is true, in one pass
 * that keeps the others a heap, then hands each removed item (out of
 * the heap by then) to drop(ud, item), which may free it but must not
 * push to h.  Removing items one by one while walking h->items would
 * skip some: each removal moves another item to an earlier place. */
void sl_timeheap_remove_if(sl_timeheap *h,
                           bool (*match)(void *ud, sl_timeheap_item *it),
                           void (*drop)(void *ud, sl_timeheap_item *it),
                           void *ud);

/* Removes every item with time <= limit and points *due at them in
 * order (time, then seq): an array the heap owns, valid until its next
 * call; *n gets their count.  Many at once (a tumbling window's every
 * group) cost one pass over the heap instead of a sift each.  Fails
 * only when out of memory, removing nothing. */
sl_status sl_timeheap_pop_until(sl_timeheap *h, int64_t limit,
                                sl_timeheap_due **due, size_t *n,
                                sl_error *err);

/* The first item, or NULL when empty. */
static inline sl_timeheap_item *sl_timeheap_peek(const sl_timeheap *h) {
  return h->n ? h->items[0] : NULL;
}

static inline bool sl_timeheap_contains(const sl_timeheap_item *it) {
  return it->index != SIZE_MAX;
}

#endif /* SLUICE_OPS_KEYMAP_H */
