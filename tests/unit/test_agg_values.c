/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the aggregates that keep values (udf/agg_minmax.c,
 * udf/agg_list.c): MIN and MAX over any comparable type and their
 * sliding multiset, FIRST and LAST by event time with arrival-order ties,
 * TOPK and COLLECT_LIST with their bounds, merging and stored states.
 */
#include "test_agg_util.h"

#include <stdint.h>

static const sl_value NUL = {.kind = SL_TYPE_NULL};

static sl_value I(int32_t v) { return sl_value_int(v); }
static sl_value S(const char *s) { return sl_value_varchar(s, strlen(s)); }
static sl_value TS(int64_t ms) { return sl_value_timestamp(ms); }

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- MIN and MAX ------------------------------------------------------ */

static void test_min_max_types(void **state) {
  (void)state;
  const sl_type *vt[] = {sl_type_varchar()};
  tagg mn, mx;
  tagg_open(&mn, "min", 1, vt, 0, NULL);
  tagg_open(&mx, "max", 1, vt, 0, NULL);
  void *a = tagg_state(&mn), *b = tagg_state(&mx);

  sl_value nulls[] = {NUL, NUL};
  tagg_add(&mn, a, nulls, 2);
  tagg_add(&mx, b, nulls, 2);
  assert_string_equal(tagg_text(&mn, a), "NULL");
  assert_string_equal(tagg_text(&mx, b), "NULL");

  /* Code point order: "Zebra" < "apple" < "äpfel". */
  sl_value col[] = {S("apple"), NUL, S("\xc3\xa4pfel"), S("Zebra")};
  tagg_add(&mn, a, col, N(col));
  tagg_add(&mx, b, col, N(col));
  assert_string_equal(tagg_text(&mn, a), "Zebra");
  assert_string_equal(tagg_text(&mx, b), "\xc3\xa4pfel");

  /* The state keeps its own copy: the batch may go. */
  char buf[] = "Aardvark";
  sl_value tmp[] = {sl_value_varchar(buf, 8)};
  tagg_add(&mn, a, tmp, 1);
  memset(buf, 'x', 8);
  assert_string_equal(tagg_text(&mn, a), "Aardvark");

  void *other = tagg_state(&mx);
  sl_value z[] = {S("\xc3\xbc")};
  tagg_add(&mx, other, z, 1);
  tagg_merge(&mx, b, other);
  assert_string_equal(tagg_text(&mx, b), "\xc3\xbc");
  void *copy = tagg_roundtrip(&mx, b);
  tagg_drop(&mx, copy);
  copy = tagg_roundtrip(&mn, a);
  tagg_drop(&mn, copy);
  tagg_drop(&mx, other);
  tagg_drop(&mn, a);
  tagg_drop(&mx, b);
  tagg_close(&mn);
  tagg_close(&mx);

  /* TIMESTAMP keeps its type. */
  const sl_type *tt[] = {sl_type_timestamp()};
  tagg_open(&mx, "max", 1, tt, 0, NULL);
  b = tagg_state(&mx);
  sl_value times[] = {TS(1714564800000), TS(0), NUL, TS(1714564800123)};
  tagg_add(&mx, b, times, N(times));
  assert_string_equal(tagg_text(&mx, b), "2024-05-01 12:00:00.123");
  tagg_drop(&mx, b);
  tagg_close(&mx);

  /* Composites compare item by item. */
  sl_type *at = sl_type_new_array(sl_type_int());
  const sl_type *ats[] = {at};
  tagg_open(&mn, "min", 1, ats, 0, NULL);
  a = tagg_state(&mn);
  sl_value i1[] = {I(1), I(5)}, i2[] = {I(1), I(2), I(9)};
  sl_value arrs[] = {sl_value_composite(SL_TYPE_ARRAY, i1, 2),
                     sl_value_composite(SL_TYPE_ARRAY, i2, 3)};
  tagg_add(&mn, a, arrs, 2);
  assert_string_equal(tagg_text(&mn, a), "[1,2,9]");
  copy = tagg_roundtrip(&mn, a);
  tagg_drop(&mn, copy);
  tagg_drop(&mn, a);
  tagg_close(&mn);
  sl_type_free(at);
}

static void test_min_max_sliding(void **state) {
  (void)state;
  const sl_type *it[] = {sl_type_int()};
  tagg mn, mx;
  tagg_open(&mn, "min", 1, it, SL_AGG_SLIDING, NULL);
  tagg_open(&mx, "max", 1, it, SL_AGG_SLIDING, NULL);
  void *a = tagg_state(&mn), *b = tagg_state(&mx);
  sl_value col[] = {I(5), I(3), NUL, I(8), I(3)};
  tagg_add(&mn, a, col, N(col));
  tagg_add(&mx, b, col, N(col));
  assert_string_equal(tagg_text(&mn, a), "3");
  assert_string_equal(tagg_text(&mx, b), "8");

  /* One 3 leaves: the other keeps the minimum. */
  tagg_retract(&mn, a, &col[1], 1);
  assert_string_equal(tagg_text(&mn, a), "3");
  void *copy = tagg_roundtrip(&mn, a);
  tagg_retract(&mn, a, &col[4], 1);
  assert_string_equal(tagg_text(&mn, a), "5");
  tagg_retract(&mx, b, &col[3], 1);
  assert_string_equal(tagg_text(&mx, b), "5");
  tagg_retract(&mn, a, &col[3], 1);
  tagg_retract(&mn, a, col, 1);
  assert_string_equal(tagg_text(&mn, a), "NULL");

  /* A value that is not in the window. */
  sl_value never[] = {I(42)};
  const sl_value *cols[] = {never};
  sl_error err;
  assert_int_equal(sl_agg_retract(&mx.agg, b, cols, 1, NULL, NULL,
                                  &mx.arena, &err), SL_ERR_INTERNAL);

  /* Merging multisets adds the counts. */
  tagg_merge(&mn, a, copy);
  tagg_merge(&mn, a, copy);
  assert_string_equal(tagg_text(&mn, a), "3");
  sl_value three[] = {I(3), I(3)};
  tagg_retract(&mn, a, three, 2);
  assert_string_equal(tagg_text(&mn, a), "5");

  tagg_drop(&mn, copy);
  tagg_drop(&mn, a);
  tagg_drop(&mx, b);
  tagg_close(&mn);
  tagg_close(&mx);
}

/* ---- FIRST and LAST --------------------------------------------------- */

static void test_first_last_by_event_time(void **state) {
  (void)state;
  const sl_type *vt[] = {sl_type_varchar()};
  tagg f, l;
  tagg_open(&f, "first", 1, vt, 0, NULL);
  tagg_open(&l, "last", 1, vt, 0, NULL);
  void *a = tagg_state(&f), *b = tagg_state(&l);

  sl_value nulls[] = {NUL};
  int64_t t0[] = {1};
  tagg_update(&f, a, false, nulls, 1, NULL, t0);
  assert_string_equal(tagg_text(&f, a), "NULL");

  /* Out of order, with ties at 5 and 20, and a NULL at the earliest
   * time (NULLs are skipped). */
  sl_value col[] = {S("a"), S("b"), S("c"), S("d"), NUL, S("e")};
  int64_t ts[] = {10, 5, 5, 20, 1, 20};
  tagg_update(&f, a, false, col, N(col), NULL, ts);
  tagg_update(&l, b, false, col, N(col), NULL, ts);
  assert_string_equal(tagg_text(&f, a), "b");
  assert_string_equal(tagg_text(&l, b), "e");

  /* A later batch with equal times: FIRST keeps the earlier arrival,
   * LAST takes the later one. */
  sl_value more[] = {S("x"), S("y")};
  int64_t mts[] = {5, 20};
  tagg_update(&f, a, false, more, 2, NULL, mts);
  tagg_update(&l, b, false, more, 2, NULL, mts);
  assert_string_equal(tagg_text(&f, a), "b");
  assert_string_equal(tagg_text(&l, b), "y");

  /* Merge: from's rows count as later arrivals. */
  void *fa = tagg_state(&f), *la = tagg_state(&l);
  sl_value m[] = {S("m")};
  int64_t mt[] = {5};
  tagg_update(&f, fa, false, m, 1, NULL, mt);
  tagg_update(&l, la, false, m, 1, NULL, mt);
  void *fb = tagg_state(&f), *lb = tagg_state(&l);
  sl_value n[] = {S("n")};
  tagg_update(&f, fb, false, n, 1, NULL, mt);
  tagg_update(&l, lb, false, n, 1, NULL, mt);
  tagg_merge(&f, fa, fb);
  tagg_merge(&l, la, lb);
  assert_string_equal(tagg_text(&f, fa), "m");
  assert_string_equal(tagg_text(&l, la), "n");
  int64_t early[] = {4};
  tagg_update(&f, fb, false, n, 1, NULL, early);
  tagg_merge(&f, fa, fb);
  assert_string_equal(tagg_text(&f, fa), "n");

  void *copy = tagg_roundtrip(&l, b);
  tagg_drop(&l, copy);
  copy = tagg_roundtrip(&f, fa);
  tagg_drop(&f, copy);
  tagg_drop(&f, fa);
  tagg_drop(&f, fb);
  tagg_drop(&l, la);
  tagg_drop(&l, lb);
  tagg_drop(&f, a);
  tagg_drop(&l, b);
  tagg_close(&f);
  tagg_close(&l);
}

/* ---- TOPK ------------------------------------------------------------- */

static void test_topk(void **state) {
  (void)state;
  sl_value k3 = I(3);
  const sl_value *consts[] = {NULL, &k3};
  const sl_type *types[] = {sl_type_int(), sl_type_int()};
  tagg t;
  tagg_open(&t, "topk", 2, types, 0, consts);
  char type[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t.res.ret_type, type, sizeof(type)),
                      "ARRAY<INT>");
  void *st = tagg_state(&t);
  assert_string_equal(tagg_text(&t, st), "[]");

  sl_value col[] = {I(5), I(1), I(9), NUL, I(7), I(9), I(2)};
  tagg_add(&t, st, col, N(col));
  assert_string_equal(tagg_text(&t, st), "[9,9,7]");

  void *other = tagg_state(&t);
  sl_value more[] = {I(8), I(10), I(-1)};
  tagg_add(&t, other, more, 3);
  tagg_merge(&t, st, other);
  assert_string_equal(tagg_text(&t, st), "[10,9,9]");
  void *copy = tagg_roundtrip(&t, st);
  tagg_drop(&t, copy);
  tagg_drop(&t, other);
  tagg_drop(&t, st);
  tagg_close(&t);

  /* Strings, k = 2. */
  sl_value k2 = I(2);
  const sl_value *c2[] = {NULL, &k2};
  const sl_type *vt[] = {sl_type_varchar(), sl_type_int()};
  tagg_open(&t, "topk", 2, vt, 0, c2);
  st = tagg_state(&t);
  sl_value words[] = {S("pear"), S("apple"), S("zucchini"), S("fig")};
  tagg_add(&t, st, words, N(words));
  assert_string_equal(tagg_text(&t, st), "[\"zucchini\",\"pear\"]");
  tagg_drop(&t, st);
  tagg_close(&t);

  /* k is checked when the call site opens. */
  sl_value k0 = I(0), kbig = I(1001), knull = NUL;
  const sl_value *bad0[] = {NULL, &k0}, *bad1[] = {NULL, &kbig},
                 *badn[] = {NULL, &knull};
  assert_string_equal(tagg_open_error("topk", 2, types, 0, bad0),
                      "topk: k must be between 1 and 1000, got 0");
  assert_string_equal(tagg_open_error("topk", 2, types, 0, bad1),
                      "topk: k must be between 1 and 1000, got 1001");
  assert_string_equal(tagg_open_error("topk", 2, types, 0, badn),
                      "topk: k must not be NULL");
  assert_string_equal(tagg_open_error("topk", 2, types, 0, NULL),
                      "topk: k must be a constant integer");
}

/* ---- COLLECT_LIST ----------------------------------------------------- */

static void test_collect_list(void **state) {
  (void)state;
  const sl_type *vt[] = {sl_type_varchar()};
  tagg t;
  tagg_open(&t, "collect_list", 1, vt, 0, NULL);
  char type[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t.res.ret_type, type, sizeof(type)),
                      "ARRAY<VARCHAR>");
  void *st = tagg_state(&t);
  assert_string_equal(tagg_text(&t, st), "[]");

  /* Event-time order, arrival order on ties, NULLs skipped. */
  sl_value col[] = {S("c"), S("a"), NUL, S("b"), S("a2"), S("d")};
  int64_t ts[] = {30, 10, 5, 20, 10, 40};
  tagg_update(&t, st, false, col, N(col), NULL, ts);
  assert_string_equal(tagg_text(&t, st), "[\"a\",\"a2\",\"b\",\"c\",\"d\"]");

  /* Merge by event time, into's entries first on a tie. */
  void *other = tagg_state(&t);
  sl_value more[] = {S("z"), S("b2")};
  int64_t mts[] = {0, 20};
  tagg_update(&t, other, false, more, 2, NULL, mts);
  tagg_merge(&t, st, other);
  assert_string_equal(tagg_text(&t, st),
                      "[\"z\",\"a\",\"a2\",\"b\",\"b2\",\"c\",\"d\"]");
  void *copy = tagg_roundtrip(&t, st);
  tagg_drop(&t, copy);
  tagg_drop(&t, other);
  tagg_drop(&t, st);
  tagg_close(&t);

  /* DISTINCT lists each value once, in ascending order. */
  const sl_type *it[] = {sl_type_int()};
  tagg_open(&t, "collect_list", 1, it, SL_AGG_DISTINCT, NULL);
  st = tagg_state(&t);
  sl_value ints[] = {I(3), I(-1), I(3), I(2), NUL};
  tagg_add(&t, st, ints, N(ints));
  assert_string_equal(tagg_text(&t, st), "[-1,2,3]");
  tagg_drop(&t, st);
  tagg_close(&t);
}

static void test_collect_list_cap(void **state) {
  (void)state;
  const sl_type *it[] = {sl_type_int()};
  tagg t;
  tagg_open(&t, "collect_list", 1, it, 0, NULL);
  void *st = tagg_state(&t);
  int n = SL_AGG_COLLECT_MAX + 2;
  sl_value *col = calloc((size_t)n, sizeof(*col));
  assert_non_null(col);
  for (int i = 0; i < n; i++)
    col[i] = I(i);

  /* The two rows past the cap fail, with reason overflow. */
  tagg_add(&t, st, col, n);
  const char *reason, *message;
  assert_int_equal(tagg_errors(&t, &reason, &message), 2);
  assert_string_equal(reason, "overflow");
  assert_string_equal(message,
                      "collect_list: more than 10000 values in one group");
  assert_non_null(t.agg.ctx.errors[SL_AGG_COLLECT_MAX].reason);
  assert_non_null(t.agg.ctx.errors[SL_AGG_COLLECT_MAX + 1].reason);
  assert_null(t.agg.ctx.errors[SL_AGG_COLLECT_MAX - 1].reason);

  /* A merge past the cap fails the same way and leaves into as it
   * was. */
  void *other = tagg_state(&t);
  tagg_add(&t, other, col, 1);
  sl_error err;
  assert_int_equal(sl_agg_merge(&t.agg, st, other, &err), SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
  assert_string_equal(err.message, "collect_list: merging gives more than "
                      "10000 values in one group");
  sl_value v;
  assert_int_equal(sl_agg_result(&t.agg, st, &t.arena, &v, &err), SL_OK);
  assert_int_equal(v.len, SL_AGG_COLLECT_MAX);
  assert_int_equal(v.u.items[SL_AGG_COLLECT_MAX - 1].u.i32,
                   SL_AGG_COLLECT_MAX - 1);

  free(col);
  tagg_drop(&t, other);
  tagg_drop(&t, st);
  tagg_close(&t);
}

/* Merging two halves equals adding everything, for every value
 * aggregate and every split. */
static void test_merge_equals_sequential(void **state) {
  (void)state;
  static const char *const names[] = {"min", "max", "first", "last",
                                      "collect_list", "topk"};
  sl_value col[] = {S("m"), S("c"), NUL, S("x"), S("c"), S("a"), S("q")};
  int64_t ts[] = {7, 3, 1, 3, 9, 7, 2};
  sl_value k = I(3);
  for (int f = 0; f < N(names); f++) {
    bool topk = strcmp(names[f], "topk") == 0;
    const sl_type *types[] = {sl_type_varchar(), sl_type_int()};
    const sl_value *consts[] = {NULL, &k};
    for (int sliding = 0; sliding < 2; sliding++) {
      unsigned flags = 0;
      if (sliding) {
        if (strcmp(names[f], "min") != 0 && strcmp(names[f], "max") != 0)
          continue;
        flags = SL_AGG_SLIDING;
      }
      tagg t;
      tagg_open(&t, names[f], topk ? 2 : 1, types, flags,
                topk ? consts : NULL);
      for (int split = 0; split <= N(col); split++) {
        void *all = tagg_state(&t), *a = tagg_state(&t),
             *b = tagg_state(&t);
        tagg_update(&t, all, false, col, N(col), NULL, ts);
        tagg_update(&t, a, false, col, split, NULL, ts);
        tagg_update(&t, b, false, col + split, N(col) - split, NULL,
                    ts + split);
        tagg_merge(&t, a, b);
        char want[sizeof(t.text)];
        snprintf(want, sizeof(want), "%s", tagg_text(&t, all));
        if (strcmp(tagg_text(&t, a), want) != 0)
          fail_msg("%s split %d: merged %s, sequential %s", names[f],
                   split, tagg_text(&t, a), want);
        tagg_drop(&t, all);
        tagg_drop(&t, a);
        tagg_drop(&t, b);
      }
      tagg_close(&t);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_min_max_types),
    cmocka_unit_test(test_min_max_sliding),
    cmocka_unit_test(test_first_last_by_event_time),
    cmocka_unit_test(test_topk),
    cmocka_unit_test(test_collect_list),
    cmocka_unit_test(test_collect_list_cap),
    cmocka_unit_test(test_merge_equals_sequential),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
