/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agg_interval.c - SUM and AVG of INTERVAL, driven through the call
 * site the way the operators drive them.
 *
 * Exact sums with NULLs, a row that would leave the range failing alone,
 * AVG rounded half away from zero on both signs, retraction (sliding
 * windows), merging (hopping and session windows) and a checkpoint
 * round trip; results compare as their printed text.
 */
#include "test_agg_util.h"

#include <stdint.h>

static const sl_value NUL = {.kind = SL_TYPE_NULL};

static sl_value IV(int64_t ms) { return sl_value_interval(ms); }

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const sl_type *interval_arg[] = {NULL};

static void open_interval(tagg *t, const char *name) {
  interval_arg[0] = sl_type_interval();
  tagg_open(t, name, 1, interval_arg, 0, NULL);
  char type[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t->res.ret_type, type, sizeof(type)),
                      "INTERVAL");
}

/* ---- SUM -------------------------------------------------------------- */

static void test_sum_exact_and_null(void **state) {
  (void)state;
  tagg t;
  open_interval(&t, "sum");
  void *st = tagg_state(&t);
  sl_value nulls[] = {NUL, NUL};
  tagg_add(&t, st, nulls, N(nulls));
  assert_string_equal(tagg_text(&t, st), "NULL");

  /* 5.25 s + 1 day 00:00:00.750 + NULL + -1 ms = 1 day 00:00:05.999. */
  sl_value col[] = {IV(5250), IV(86400750), NUL, IV(-1)};
  tagg_add(&t, st, col, N(col));
  assert_int_equal(tagg_errors(&t, NULL, NULL), 0);
  assert_string_equal(tagg_text(&t, st), "1 days 00:00:05.999");

  /* Retracting the day leaves 5.249 s. */
  sl_value day[] = {IV(86400750)};
  tagg_retract(&t, st, day, N(day));
  assert_string_equal(tagg_text(&t, st), "00:00:05.249");

  void *copy = tagg_roundtrip(&t, st);
  assert_string_equal(tagg_text(&t, copy), "00:00:05.249");
  tagg_drop(&t, copy);
  tagg_drop(&t, st);
  tagg_close(&t);
}

static void test_sum_overflow_is_a_row_error(void **state) {
  (void)state;
  tagg t;
  open_interval(&t, "sum");
  void *st = tagg_state(&t);

  /* The second row would leave the range: it fails alone, and the sum
   * goes on from the rows that fit (INT64_MAX - 10 - 20 ms). */
  sl_value col[] = {IV(INT64_MAX - 10), IV(11), IV(-20)};
  tagg_add(&t, st, col, N(col));
  const char *reason, *message;
  assert_int_equal(tagg_errors(&t, &reason, &message), 1);
  assert_non_null(t.agg.ctx.errors[1].reason);
  assert_string_equal(reason, "overflow");
  assert_string_equal(message, "sum: result out of range for INTERVAL");

  /* Merged sums past the range fail the result instead. */
  void *other = tagg_state(&t);
  sl_value big[] = {IV(INT64_MAX)};
  tagg_add(&t, other, big, N(big));
  tagg_merge(&t, st, other);
  const sl_error *err = tagg_result_error(&t, st);
  assert_string_equal(err->reason, "overflow");
  assert_string_equal(err->message, "sum: result out of range for INTERVAL");
  tagg_drop(&t, other);
  tagg_drop(&t, st);
  tagg_close(&t);
}

/* ---- AVG -------------------------------------------------------------- */

/* AVG of the n intervals ms[] as text. */
static void assert_avg(const int64_t *ms, int n, const char *want) {
  tagg t;
  open_interval(&t, "avg");
  void *st = tagg_state(&t);
  sl_value col[8];
  assert_true(n <= N(col));
  for (int i = 0; i < n; i++)
    col[i] = IV(ms[i]);
  tagg_add(&t, st, col, n);
  const char *got = tagg_text(&t, st);
  if (strcmp(got, want) != 0)
    fail_msg("AVG of %d intervals from %lld ms: got %s, expected %s", n,
             (long long)ms[0], got, want);
  tagg_drop(&t, st);
  tagg_close(&t);
}

static void test_avg_rounds_half_away(void **state) {
  (void)state;
  /* (1 + 2) / 2 = 1.5 ms -> 2 ms; its negative -> -2 ms. */
  static const int64_t half[] = {1, 2}, neg_half[] = {-1, -2};
  assert_avg(half, 2, "00:00:00.002");
  assert_avg(neg_half, 2, "-00:00:00.002");
  /* (1 + 1 + 2) / 3 = 1.33 ms -> 1 ms; (1 + 2 + 2) / 3 = 1.67 -> 2 ms. */
  static const int64_t third[] = {1, 1, 2}, two_thirds[] = {1, 2, 2};
  assert_avg(third, 3, "00:00:00.001");
  assert_avg(two_thirds, 3, "00:00:00.002");
  /* 5.25 s and 1 day 00:00:00.750: 86406000 / 2 = 12:00:03. */
  static const int64_t gaps[] = {5250, 86400750};
  assert_avg(gaps, 2, "12:00:03.000");
  /* The mean of two extreme values, whose sum leaves 64 bits, is exact. */
  static const int64_t extreme[] = {INT64_MAX, INT64_MAX - 2};
  tagg t;
  open_interval(&t, "avg");
  void *st = tagg_state(&t);
  sl_value col[] = {IV(extreme[0]), IV(extreme[1])};
  tagg_add(&t, st, col, N(col));
  sl_value v;
  sl_error err;
  assert_int_equal(sl_agg_result(&t.agg, st, &t.arena, &v, &err), SL_OK);
  assert_int_equal(v.kind, SL_TYPE_INTERVAL);
  if (v.u.i64 != INT64_MAX - 1)
    fail_msg("AVG of the two largest intervals: got %lld", (long long)v.u.i64);
  tagg_drop(&t, st);
  tagg_close(&t);
}

static void test_avg_merge_retract_roundtrip(void **state) {
  (void)state;
  tagg t;
  open_interval(&t, "avg");
  void *a = tagg_state(&t), *b = tagg_state(&t);
  sl_value left[] = {IV(1000), NUL}, right[] = {IV(2000), IV(4000)};
  tagg_add(&t, a, left, N(left));
  tagg_add(&t, b, right, N(right));
  tagg_merge(&t, a, b);
  /* (1 + 2 + 4) / 3 s = 2.333 s. */
  assert_string_equal(tagg_text(&t, a), "00:00:02.333");
  sl_value gone[] = {IV(4000)};
  tagg_retract(&t, a, gone, N(gone));
  assert_string_equal(tagg_text(&t, a), "00:00:01.500");
  void *copy = tagg_roundtrip(&t, a);
  assert_string_equal(tagg_text(&t, copy), "00:00:01.500");
  tagg_drop(&t, copy);
  tagg_drop(&t, a);
  tagg_drop(&t, b);
  tagg_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sum_exact_and_null),
      cmocka_unit_test(test_sum_overflow_is_a_row_error),
      cmocka_unit_test(test_avg_rounds_half_away),
      cmocka_unit_test(test_avg_merge_retract_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
