/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the simulated grocery chain of `sluice gen store`
 * (cli/gen_store_world.c): the ISO day of the week, reproducible events
 * for one seed and different ones for another, every feed in arrival
 * order with ids that follow event time, the chain's routine (deliveries
 * at 06:00, sales while open, counts after closing), and stock that is
 * never negative nor sold beyond what was delivered.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "cli/gen_store_world.h"
#include "engine/types/time.h"

#define HOUR_MS (3600 * INT64_C(1000))

static sl_store_world_options options(uint64_t seed) {
  sl_store_world_options o = {
      .seed = seed,
      .stores = 3,
      .products = 6,
      .first_day = (int32_t)sl_time_days_from_civil(2024, 3, 4),
      .days = 4,
  };
  return o;
}

static void run(uint64_t seed, sl_store_events ev[SL_STORE_NFEEDS]) {
  sl_store_world w;
  sl_store_world_options o = options(seed);
  sl_store_world_init(&w, &o);
  memset(ev, 0, SL_STORE_NFEEDS * sizeof(*ev));
  sl_error err;
  assert_int_equal(sl_store_world_run(&w, ev, &err), SL_OK);
}

static void free_all(sl_store_events ev[SL_STORE_NFEEDS]) {
  for (int f = 0; f < SL_STORE_NFEEDS; f++)
    sl_store_events_free(&ev[f]);
}

static void test_iso_dow(void **state) {
  (void)state;
  /* 2024-03-04 was a Monday, 1970-01-01 a Thursday, 1969-12-28 a
   * Sunday. */
  assert_int_equal(
      sl_store_iso_dow((int32_t)sl_time_days_from_civil(2024, 3, 4)), 1);
  assert_int_equal(sl_store_iso_dow(0), 4);
  assert_int_equal(sl_store_iso_dow(-4), 7);
}

static void test_reproducible(void **state) {
  (void)state;
  sl_store_events a[SL_STORE_NFEEDS], b[SL_STORE_NFEEDS],
      c[SL_STORE_NFEEDS];
  run(5, a);
  run(5, b);
  run(6, c);
  for (int f = 0; f < SL_STORE_NFEEDS; f++) {
    assert_true(a[f].n > 0);
    assert_int_equal(a[f].n, b[f].n);
    assert_memory_equal(a[f].items, b[f].items,
                        (size_t)a[f].n * sizeof(sl_store_event));
  }
  /* Every store counts every product every day. */
  assert_int_equal(a[SL_STORE_COUNTS].n, 3 * 6 * 4);
  assert_int_equal(c[SL_STORE_COUNTS].n, 3 * 6 * 4);
  assert_true(a[SL_STORE_SALES].n != c[SL_STORE_SALES].n ||
              memcmp(a[SL_STORE_SALES].items, c[SL_STORE_SALES].items,
                     (size_t)a[SL_STORE_SALES].n *
                         sizeof(sl_store_event)) != 0);
  free_all(a);
  free_all(b);
  free_all(c);
}

static void test_routine_and_stock(void **state) {
  (void)state;
  sl_store_events ev[SL_STORE_NFEEDS];
  run(11, ev);
  int32_t first = options(11).first_day;

  for (int f = 0; f < SL_STORE_NFEEDS; f++) {
    bool *seen = calloc((size_t)ev[f].n + 1, sizeof(bool));
    assert_non_null(seen);
    for (int64_t i = 0; i < ev[f].n; i++) {
      const sl_store_event *e = &ev[f].items[i];
      if (i > 0)
        assert_true(ev[f].items[i - 1].arrival_ms <= e->arrival_ms);
      assert_true(e->arrival_ms >= e->ts_ms &&
                  e->arrival_ms <= e->ts_ms + 90000);
      assert_true(e->id >= 1 && e->id <= ev[f].n && !seen[e->id]);
      seen[e->id] = true;
      int64_t in_day = e->ts_ms % SL_MS_PER_DAY;
      int32_t day = (int32_t)(e->ts_ms / SL_MS_PER_DAY);
      assert_true(day >= first && day < first + 4);
      switch (f) {
      case SL_STORE_SALES:
        assert_true(in_day >= 8 * HOUR_MS && in_day < 20 * HOUR_MS);
        assert_true(e->qty >= 1 && e->qty <= 3);
        break;
      case SL_STORE_DELIVERIES:
        assert_true(in_day >= 6 * HOUR_MS && in_day < 7 * HOUR_MS);
        assert_true(e->qty > 0);
        assert_int_equal(e->best_before,
                         day + sl_store_shelf_days(e->product) - 1);
        break;
      default:
        assert_true(in_day >= 20 * HOUR_MS + HOUR_MS / 2);
        assert_true(e->expiring >= 0 && e->expiring <= e->qty);
        assert_true(e->best_before >= day);
        break;
      }
    }
    free(seen);
  }

  /* Ids follow event time within a feed. */
  for (int f = 0; f < SL_STORE_NFEEDS; f++) {
    int64_t *ts = calloc((size_t)ev[f].n + 1, sizeof(int64_t));
    assert_non_null(ts);
    for (int64_t i = 0; i < ev[f].n; i++)
      ts[ev[f].items[i].id] = ev[f].items[i].ts_ms;
    for (int64_t id = 2; id <= ev[f].n; id++)
      assert_true(ts[id - 1] <= ts[id]);
    free(ts);
  }

  /* No store sells more of a product than it received. */
  int64_t sold[3][6] = {{0}}, received[3][6] = {{0}};
  for (int64_t i = 0; i < ev[SL_STORE_SALES].n; i++) {
    const sl_store_event *e = &ev[SL_STORE_SALES].items[i];
    sold[e->store][e->product] += e->qty;
  }
  for (int64_t i = 0; i < ev[SL_STORE_DELIVERIES].n; i++) {
    const sl_store_event *e = &ev[SL_STORE_DELIVERIES].items[i];
    received[e->store][e->product] += e->qty;
  }
  for (int s = 0; s < 3; s++)
    for (int p = 0; p < 6; p++)
      assert_true(sold[s][p] <= received[s][p]);
  free_all(ev);
}

static void test_expected_units(void **state) {
  (void)state;
  sl_store_world w;
  sl_store_world_options o = options(3);
  sl_store_world_init(&w, &o);
  /* Saturday sells more than Sunday; milk (base 30) more than salmon
   * (base 6) in the same store. */
  assert_true(sl_store_expected_units(&w, 0, 0, 6) >
              sl_store_expected_units(&w, 0, 0, 7));
  assert_true(sl_store_expected_units(&w, 1, 0, 3) >
              sl_store_expected_units(&w, 1, 8, 3));
  assert_double_near(sl_store_expected_units(&w, 2, 0, 4) /
                         sl_store_expected_units(&w, 2, 3, 4),
                     30.0 / 18.0, 1e-12);
  assert_string_equal(sl_store_product_name(0), "milk");
  assert_string_equal(sl_store_name(0), "berlin");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_iso_dow),
      cmocka_unit_test(test_reproducible),
      cmocka_unit_test(test_routine_and_stock),
      cmocka_unit_test(test_expected_units),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
