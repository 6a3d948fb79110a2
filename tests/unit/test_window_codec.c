/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_window_codec.c - what the stateful operators keep their state
 * with: the binary value form (every kind, composites, canonical keys,
 * corrupt input), owned copies of values, the key map and the time
 * heap.
 */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"

static void test_round_trip(void **state) {
  (void)state;
  sl_value items[3] = {sl_value_int(7), sl_value_null(),
                       sl_value_varchar("x", 1)};
  sl_value map[4] = {sl_value_varchar("a", 1), sl_value_double(1.5),
                     sl_value_varchar("b", 1), sl_value_null()};
  sl_value vals[] = {
      sl_value_null(),
      sl_value_bool(true),
      sl_value_int(-5),
      sl_value_bigint(INT64_MIN),
      sl_value_double(-2.25),
      sl_value_decimal((sl_int128)-123456789 * 1000000000, 4),
      sl_value_varchar("héllo", 6),
      sl_value_bytes("\0\1\2", 3),
      sl_value_date(-3),
      sl_value_timestamp(1700000000123LL),
      sl_value_interval(-60000),
      sl_value_composite(SL_TYPE_ARRAY, items, 3),
      sl_value_composite(SL_TYPE_MAP, map, 2),
      sl_value_composite(SL_TYPE_STRUCT, items, 2),
  };
  int n = (int)(sizeof(vals) / sizeof(vals[0]));
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_rowcodec_put_values(&sb, vals, n), SL_OK);
  size_t values_len = sb.len;
  sl_rowcodec_put_i64v(&sb, -77);
  sl_rowcodec_put_u64v(&sb, UINT64_MAX);

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value back[16];
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, sb.data, sb.len);
  assert_true(sl_rowcodec_get_values(&rd, &arena, back, n));
  assert_int_equal(sl_rowcodec_get_i64v(&rd), -77);
  assert_true(sl_rowcodec_get_u64v(&rd) == UINT64_MAX);
  assert_true(sl_rowcodec_done(&rd));
  for (int i = 0; i < n; i++) {
    assert_int_equal(back[i].kind, vals[i].kind);
    if (vals[i].kind != SL_TYPE_NULL)
      assert_int_equal(sl_value_compare(&back[i], &vals[i]), 0);
  }
  assert_int_equal(back[5].scale, 4);

  /* Skipping reads the same bytes. */
  sl_rowcodec_reader_init(&rd, sb.data, sb.len);
  for (int i = 0; i < n; i++)
    assert_true(sl_rowcodec_skip_value(&rd));
  assert_int_equal(sl_rowcodec_get_i64v(&rd), -77);

  /* Every truncation of the values is caught. */
  for (size_t cut = 0; cut < values_len; cut++) {
    sl_rowcodec_reader_init(&rd, sb.data, cut);
    assert_false(sl_rowcodec_get_values(&rd, &arena, back, n));
    assert_true(rd.bad);
    assert_true(rd.p <= rd.end);
  }
  /* An unknown kind is corrupt. */
  unsigned char bad[2] = {200, 0};
  sl_rowcodec_reader_init(&rd, bad, 2);
  assert_false(sl_rowcodec_get_value(&rd, &arena, back));
  assert_true(rd.bad);
  sl_strbuf_free(&sb);
  sl_arena_destroy(&arena);
}

/* Values SQL groups together encode alike. */
static void test_canonical_keys(void **state) {
  (void)state;
  sl_strbuf a = SL_STRBUF_INIT, b = SL_STRBUF_INIT;
  sl_value z = sl_value_double(0.0), mz = sl_value_double(-0.0);
  sl_rowcodec_put_value(&a, &z);
  sl_rowcodec_put_value(&b, &mz);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  sl_strbuf_reset(&a);
  sl_strbuf_reset(&b);
  sl_value n1 = sl_value_double(NAN), n2 = sl_value_double(-NAN);
  sl_rowcodec_put_value(&a, &n1);
  sl_rowcodec_put_value(&b, &n2);
  assert_memory_equal(a.data, b.data, a.len);
  sl_strbuf_free(&a);
  sl_strbuf_free(&b);
}

static void test_owned_copies(void **state) {
  (void)state;
  char text[] = "mutable";
  sl_value items[2] = {sl_value_varchar(text, 7), sl_value_bigint(3)};
  sl_value arr = sl_value_composite(SL_TYPE_ARRAY, items, 2);
  sl_value s = sl_value_varchar(text, 3);
  const sl_value *src[2] = {&arr, &s};
  size_t size = sl_rowcodec_copy_size(src, 2);
  sl_value *dst = malloc(2 * sizeof(sl_value) + size);
  sl_rowcodec_copy_values(src, 2, dst, dst + 2);
  text[0] = 'X';
  assert_int_equal(dst[0].len, 2);
  assert_memory_equal(dst[0].u.items[0].u.str, "mutable", 7);
  assert_int_equal(dst[0].u.items[1].u.i64, 3);
  assert_memory_equal(dst[1].u.str, "mut", 3);
  free(dst);
}

typedef struct ent {
  sl_keymap_node node;
  sl_timeheap_item item;
  char key[16];
} ent;

static void test_keymap_and_heap(void **state) {
  (void)state;
  sl_error err;
  enum { N = 2000 };
  ent *e = calloc(N, sizeof(*e));
  sl_keymap m;
  sl_timeheap h;
  sl_keymap_init(&m);
  sl_timeheap_init(&h);
  for (int i = 0; i < N; i++) {
    snprintf(e[i].key, sizeof(e[i].key), "k%d", i);
    e[i].node.key = e[i].key;
    e[i].node.klen = strlen(e[i].key);
    e[i].node.hash = sl_keymap_hash(e[i].key, e[i].node.klen);
    assert_int_equal(sl_keymap_insert(&m, &e[i].node, &err), SL_OK);
    e[i].item.time = (i * 7919) % 1000;
    e[i].item.seq = (uint64_t)i;
    assert_int_equal(sl_timeheap_push(&h, &e[i].item, &err), SL_OK);
  }
  assert_int_equal(m.count, N);
  for (int i = 0; i < N; i += 2) {
    sl_keymap_remove(&m, &e[i].node);
    sl_timeheap_remove(&h, &e[i].item);
  }
  for (int i = 0; i < N; i++) {
    sl_keymap_node *f = sl_keymap_find(&m, e[i].key, strlen(e[i].key),
                                       e[i].node.hash);
    assert_true(i % 2 ? f == &e[i].node : f == NULL);
  }
  /* Raising an item's time moves it. */
  e[1].item.time = 5000;
  sl_timeheap_update(&h, &e[1].item);
  size_t bucket = 0, seen = 0;
  for (sl_keymap_node *n = sl_keymap_next(&m, &bucket, NULL); n;
       n = sl_keymap_next(&m, &bucket, n))
    seen++;
  assert_int_equal(seen, N / 2);
  int64_t last_t = INT64_MIN;
  uint64_t last_s = 0;
  size_t popped = 0;
  sl_timeheap_item *top;
  while ((top = sl_timeheap_peek(&h))) {
    assert_true(top->time > last_t ||
                (top->time == last_t && top->seq > last_s));
    last_t = top->time;
    last_s = top->seq;
    sl_timeheap_remove(&h, top);
    popped++;
  }
  assert_int_equal(popped, N / 2);
  assert_int_equal(last_t, 5000);
  sl_keymap_destroy(&m);
  sl_timeheap_destroy(&h);
  free(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_canonical_keys),
      cmocka_unit_test(test_owned_copies),
      cmocka_unit_test(test_keymap_and_heap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
