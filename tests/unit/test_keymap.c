/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_keymap.c - the stateful operators' hash map and time heap: the
 * bulk removal of due items (sl_timeheap_pop_until) in both of its ways
 * (a few items sifted out one by one, many taken in one rebuild), its
 * order, and the heap it leaves behind; the removal of every item of a
 * kind (sl_timeheap_remove_if).
 */
#include "test_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/keymap.h"

#define N 5000

static sl_timeheap_item items[N];

/* Fills the heap with N items: times from a generator, seq = index. */
static void fill(sl_timeheap *h, unsigned seed, int64_t span) {
  sl_error e;
  sl_timeheap_init(h);
  for (int i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    items[i].time = (int64_t)((seed >> 8) % (uint64_t)span);
    items[i].seq = (uint64_t)i;
    items[i].index = SIZE_MAX;
    assert_int_equal(sl_timeheap_push(h, &items[i], &e), SL_OK);
  }
}

static int by_time_seq(const void *pa, const void *pb) {
  const sl_timeheap_item *a = *(sl_timeheap_item *const *)pa;
  const sl_timeheap_item *b = *(sl_timeheap_item *const *)pb;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Every item in (time, seq) order, computed apart from the heap. */
static sl_timeheap_item **sorted_items(void) {
  sl_timeheap_item **all = malloc(N * sizeof(*all));
  for (int i = 0; i < N; i++)
    all[i] = &items[i];
  qsort(all, N, sizeof(*all), by_time_seq);
  return all;
}

/* Pops limit by limit and checks each step against the sorted list:
 * exactly the items up to the limit, in order, and none left in the
 * heap with a time at or below it. */
static void check_steps(sl_timeheap *h, const int64_t *limits, int nlimits,
                        sl_timeheap_item **want) {
  sl_error e;
  size_t at = 0;
  for (int l = 0; l < nlimits; l++) {
    sl_timeheap_due *due;
    size_t n;
    assert_int_equal(sl_timeheap_pop_until(h, limits[l], &due, &n, &e),
                     SL_OK);
    size_t expected = at;
    while (expected < N && want[expected]->time <= limits[l])
      expected++;
    if (n != expected - at)
      fail_msg("limit %lld: %zu due, expected %zu", (long long)limits[l], n,
               expected - at);
    for (size_t i = 0; i < n; i++) {
      if (due[i].item != want[at + i])
        fail_msg("limit %lld: due item %zu is seq %llu, expected %llu",
                 (long long)limits[l], i,
                 (unsigned long long)due[i].item->seq,
                 (unsigned long long)want[at + i]->seq);
      assert_int_equal(due[i].time, due[i].item->time);
      assert_false(sl_timeheap_contains(due[i].item));
    }
    at = expected;
    assert_int_equal(h->n, N - at);
    sl_timeheap_item *top = sl_timeheap_peek(h);
    if (top && top != want[at])
      fail_msg("limit %lld: top is seq %llu, expected %llu",
               (long long)limits[l], (unsigned long long)top->seq,
               (unsigned long long)want[at]->seq);
  }
}

/* Few due at a time (a span of a million, limits a few thousand
 * apart): each goes out by itself. */
static void test_pop_few(void **state) {
  (void)state;
  sl_timeheap h;
  fill(&h, 1, 1000000);
  sl_timeheap_item **want = sorted_items();
  int64_t limits[] = {-1, 0, 999, 1000, 5000, 5001, 20000};
  check_steps(&h, limits, 7, want);
  free(want);
  sl_timeheap_destroy(&h);
}

/* Many due at once (times in 0..9, so each limit takes a tenth of the
 * heap, ties broken by seq): the heap is rebuilt, and stays a heap for
 * pushes, removals and pops after. */
static void test_pop_many(void **state) {
  (void)state;
  sl_error e;
  sl_timeheap h;
  fill(&h, 2, 10);
  sl_timeheap_item **want = sorted_items();
  int64_t limits[] = {0, 3, 3, 4};
  check_steps(&h, limits, 4, want);

  /* The rest: remove one in the middle, push a pop ahead of all, and
   * drain in order. */
  size_t at = 0;
  while (at < N && want[at]->time <= 4)
    at++;
  sl_timeheap_item *middle = want[at + 100];
  sl_timeheap_remove(&h, middle);
  assert_false(sl_timeheap_contains(middle));
  middle->time = -5;
  assert_int_equal(sl_timeheap_push(&h, middle, &e), SL_OK);
  assert_ptr_equal(sl_timeheap_peek(&h), middle);
  sl_timeheap_remove(&h, middle);
  sl_timeheap_due *due;
  size_t n;
  assert_int_equal(sl_timeheap_pop_until(&h, INT64_MAX, &due, &n, &e),
                   SL_OK);
  assert_int_equal(n, N - at - 1);
  size_t k = 0;
  for (size_t i = at; i < N; i++) {
    if (want[i] == middle)
      continue;
    if (due[k].item != want[i])
      fail_msg("drain %zu: seq %llu, expected %llu", k,
               (unsigned long long)due[k].item->seq,
               (unsigned long long)want[i]->seq);
    k++;
  }
  assert_int_equal(h.n, 0);
  assert_null(sl_timeheap_peek(&h));
  assert_int_equal(sl_timeheap_pop_until(&h, INT64_MAX, &due, &n, &e),
                   SL_OK);
  assert_int_equal(n, 0);
  free(want);
  sl_timeheap_destroy(&h);
}

/* Odd seq: the items of a revoked partition, say. */
static bool odd_seq(void *ud, sl_timeheap_item *it) {
  (void)ud;
  return it->seq % 2 == 1;
}

static void count_dropped(void *ud, sl_timeheap_item *it) {
  assert_false(sl_timeheap_contains(it));
  assert_true(it->seq % 2 == 1);
  (*(int *)ud)++;
}

/* Every odd item goes, each handed over once, and the even ones remain a
 * heap that pops in order. */
static void test_remove_if(void **state) {
  (void)state;
  sl_error e;
  sl_timeheap h;
  fill(&h, 3, 1000);
  sl_timeheap_item **want = sorted_items();
  int dropped = 0;
  sl_timeheap_remove_if(&h, odd_seq, count_dropped, &dropped);
  assert_int_equal(dropped, N / 2);
  assert_int_equal(h.n, N - N / 2);
  for (int i = 0; i < N; i++)
    assert_int_equal(sl_timeheap_contains(&items[i]), i % 2 == 0);
  sl_timeheap_due *due;
  size_t n;
  assert_int_equal(sl_timeheap_pop_until(&h, INT64_MAX, &due, &n, &e),
                   SL_OK);
  assert_int_equal(n, N - N / 2);
  size_t k = 0;
  for (int i = 0; i < N; i++) {
    if (want[i]->seq % 2 == 1)
      continue;
    if (due[k].item != want[i])
      fail_msg("after removal, pop %zu: seq %llu, expected %llu", k,
               (unsigned long long)due[k].item->seq,
               (unsigned long long)want[i]->seq);
    k++;
  }
  free(want);
  sl_timeheap_destroy(&h);
}

/* The map's lookups find what was linked, and hints change nothing. */
static void test_map_with_hints(void **state) {
  (void)state;
  sl_error e;
  typedef struct entry {
    sl_keymap_node node;
    char key[16];
  } entry;
  entry *es = calloc(N, sizeof(*es));
  sl_keymap m;
  sl_keymap_init(&m);
  sl_keymap_prefetch(&m, 42);
  sl_keymap_prefetch_entry(&m, 42);
  for (int i = 0; i < N; i++) {
    snprintf(es[i].key, sizeof(es[i].key), "key%d", i);
    es[i].node.key = es[i].key;
    es[i].node.klen = strlen(es[i].key);
    es[i].node.hash = sl_keymap_hash(es[i].key, es[i].node.klen);
    sl_keymap_prefetch(&m, es[i].node.hash);
    sl_keymap_prefetch_entry(&m, es[i].node.hash);
    assert_int_equal(sl_keymap_insert(&m, &es[i].node, &e), SL_OK);
  }
  assert_int_equal(m.count, N);
  for (int i = 0; i < N; i += 7) {
    sl_keymap_prefetch(&m, es[i].node.hash);
    sl_keymap_prefetch_entry(&m, es[i].node.hash);
    assert_ptr_equal(sl_keymap_find(&m, es[i].key, es[i].node.klen,
                                    es[i].node.hash),
                     &es[i].node);
  }
  assert_null(sl_keymap_find(&m, "key", 3, sl_keymap_hash("key", 3)));
  sl_keymap_destroy(&m);
  free(es);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pop_few),
    cmocka_unit_test(test_pop_many),
    cmocka_unit_test(test_remove_if),
    cmocka_unit_test(test_map_with_hints),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
