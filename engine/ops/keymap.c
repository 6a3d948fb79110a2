/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keymap.c - the intrusive hash map and time heap of the stateful
 * operators (see keymap.h).
 */
#include "engine/ops/keymap.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

uint64_t sl_keymap_hash(const void *key, size_t klen) {
  return XXH3_64bits(key, klen);
}

void sl_keymap_init(sl_keymap *m) {
  m->buckets = NULL;
  m->nbuckets = 0;
  m->count = 0;
}

void sl_keymap_destroy(sl_keymap *m) {
  free(m->buckets);
  sl_keymap_init(m);
}

sl_keymap_node *sl_keymap_find(const sl_keymap *m, const void *key,
                               size_t klen, uint64_t hash) {
  if (!m->nbuckets)
    return NULL;
  for (sl_keymap_node *n = m->buckets[hash & (m->nbuckets - 1)]; n;
       n = n->next)
    if (n->hash == hash && n->klen == klen &&
        (klen == 0 || memcmp(n->key, key, klen) == 0))
      return n;
  return NULL;
}

/* Doubles the buckets once entries outnumber them. */
static bool grow(sl_keymap *m) {
  if (m->count < m->nbuckets)
    return true;
  size_t nb = m->nbuckets ? m->nbuckets * 2 : 64;
  sl_keymap_node **b = calloc(nb, sizeof(*b));
  if (!b)
    return false;
  for (size_t i = 0; i < m->nbuckets; i++) {
    sl_keymap_node *n = m->buckets[i];
    while (n) {
      sl_keymap_node *next = n->next;
      n->next = b[n->hash & (nb - 1)];
      b[n->hash & (nb - 1)] = n;
      n = next;
    }
  }
  free(m->buckets);
  m->buckets = b;
  m->nbuckets = nb;
  return true;
}

sl_status sl_keymap_insert(sl_keymap *m, sl_keymap_node *node,
                           sl_error *err) {
  if (!grow(m))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory growing state");
  sl_keymap_node **b = &m->buckets[node->hash & (m->nbuckets - 1)];
  node->next = *b;
  *b = node;
  m->count++;
  return SL_OK;
}

void sl_keymap_remove(sl_keymap *m, sl_keymap_node *node) {
  sl_keymap_node **link = &m->buckets[node->hash & (m->nbuckets - 1)];
  while (*link && *link != node)
    link = &(*link)->next;
  if (*link) {
    *link = node->next;
    node->next = NULL;
    m->count--;
  }
}

sl_keymap_node *sl_keymap_next(const sl_keymap *m, size_t *bucket,
                               sl_keymap_node *node) {
  if (node && node->next)
    return node->next;
  if (node)
    (*bucket)++;
  while (*bucket < m->nbuckets) {
    if (m->buckets[*bucket])
      return m->buckets[*bucket];
    (*bucket)++;
  }
  return NULL;
}

/* ---- The time heap ---------------------------------------------------- */

static bool before(const sl_timeheap_item *a, const sl_timeheap_item *b) {
  return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void place(sl_timeheap *h, size_t i, sl_timeheap_item *it) {
  h->items[i] = it;
  it->index = i;
}

static void sift_up(sl_timeheap *h, size_t i) {
  sl_timeheap_item *it = h->items[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!before(it, h->items[parent]))
      break;
    place(h, i, h->items[parent]);
    i = parent;
  }
  place(h, i, it);
}

static void sift_down(sl_timeheap *h, size_t i) {
  sl_timeheap_item *it = h->items[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n)
      break;
    if (c + 1 < h->n && before(h->items[c + 1], h->items[c]))
      c++;
    if (!before(h->items[c], it))
      break;
    place(h, i, h->items[c]);
    i = c;
  }
  place(h, i, it);
}

void sl_timeheap_init(sl_timeheap *h) {
  memset(h, 0, sizeof(*h));
}

void sl_timeheap_destroy(sl_timeheap *h) {
  for (size_t i = 0; i < h->n; i++)
    h->items[i]->index = SIZE_MAX;
  free(h->items);
  free(h->due);
  free(h->stack);
  sl_timeheap_init(h);
}

sl_status sl_timeheap_push(sl_timeheap *h, sl_timeheap_item *it,
                           sl_error *err) {
  if (h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 64;
    sl_timeheap_item **items = realloc(h->items, cap * sizeof(*items));
    if (!items)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory growing state");
    h->items = items;
    h->cap = cap;
  }
  h->items[h->n] = it;
  it->index = h->n++;
  sift_up(h, it->index);
  return SL_OK;
}

void sl_timeheap_update(sl_timeheap *h, sl_timeheap_item *it) {
  sift_up(h, it->index);
  sift_down(h, it->index);
}

void sl_timeheap_remove(sl_timeheap *h, sl_timeheap_item *it) {
  if (it->index == SIZE_MAX)
    return;
  size_t i = it->index;
  it->index = SIZE_MAX;
  h->n--;
  if (i == h->n)
    return;
  place(h, i, h->items[h->n]);
  sl_timeheap_update(h, h->items[i]);
}

void sl_timeheap_remove_if(sl_timeheap *h,
                           bool (*match)(void *ud, sl_timeheap_item *it),
                           void (*drop)(void *ud, sl_timeheap_item *it),
                           void *ud) {
  /* The kept items move to the front, the removed ones to the slots
   * after them, where they wait for drop once the heap is whole again. */
  size_t kept = 0, n = h->n;
  for (size_t i = 0; i < n; i++) {
    sl_timeheap_item *it = h->items[i];
    if (match(ud, it)) {
      it->index = SIZE_MAX;
      continue;
    }
    h->items[i] = h->items[kept];
    place(h, kept++, it);
  }
  h->n = kept;
  for (size_t i = kept / 2; i-- > 0;)
    sift_down(h, i);
  for (size_t i = kept; i < n; i++)
    drop(ud, h->items[i]);
}

static int due_cmp(const void *pa, const void *pb) {
  const sl_timeheap_due *a = pa, *b = pb;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  if (a->seq != b->seq)
    return a->seq < b->seq ? -1 : 1;
  return 0;
}

/* Makes room for n more elements of size sz in *arr (capacity *cap). */
static bool reserve(void **arr, size_t *cap, size_t n, size_t sz) {
  if (n <= *cap)
    return true;
  size_t c = *cap ? *cap : 64;
  while (c < n)
    c *= 2;
  void *grown = realloc(*arr, c * sz);
  if (!grown)
    return false;
  *arr = grown;
  *cap = c;
  return true;
}

/* Outline: walk down from the root collecting the due items (a due
 * item's parent is due too, so the walk stops at the first item that is
 * not), sort them, then take them out: one by one when they are few,
 * else by keeping the rest and rebuilding the heap from it in one
 * pass. */
sl_status sl_timeheap_pop_until(sl_timeheap *h, int64_t limit,
                                sl_timeheap_due **due, size_t *n,
                                sl_error *err) {
  *due = h->due;
  *n = 0;
  if (h->n == 0 || h->items[0]->time > limit)
    return SL_OK;

  size_t ndue = 0, top = 0;
  if (!reserve((void **)&h->stack, &h->stack_cap, 1, sizeof(*h->stack)))
    goto oom;
  h->stack[top++] = 0;
  while (top > 0) {
    size_t i = h->stack[--top];
    sl_timeheap_item *it = h->items[i];
    if (it->time > limit)
      continue;
    if (!reserve((void **)&h->due, &h->due_cap, ndue + 1, sizeof(*h->due)) ||
        !reserve((void **)&h->stack, &h->stack_cap, top + 2,
                 sizeof(*h->stack)))
      goto oom;
    h->due[ndue++] = (sl_timeheap_due){it->time, it->seq, it};
    for (size_t c = 2 * i + 1; c <= 2 * i + 2 && c < h->n; c++)
      h->stack[top++] = c;
  }
  qsort(h->due, ndue, sizeof(*h->due), due_cmp);

  /* A sift costs about log2(n) moves; a rebuild touches every item. */
  size_t depth = 1;
  for (size_t m = h->n; m > 1; m /= 2)
    depth++;
  if (ndue * depth < h->n) {
    for (size_t i = 0; i < ndue; i++)
      sl_timeheap_remove(h, h->due[i].item);
  } else {
    for (size_t i = 0; i < ndue; i++)
      h->due[i].item->index = SIZE_MAX;
    size_t kept = 0;
    for (size_t i = 0; i < h->n; i++) {
      sl_timeheap_item *it = h->items[i];
      if (it->index != SIZE_MAX)
        place(h, kept++, it);
    }
    h->n = kept;
    for (size_t i = kept / 2; i-- > 0;)
      sift_down(h, i);
  }
  *due = h->due;
  *n = ndue;
  return SL_OK;

oom:
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory closing state");
}
