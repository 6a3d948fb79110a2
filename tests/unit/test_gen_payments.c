/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gen_payments.c - the payment world of `sluice gen payments`: the
 * same options give the same bytes, the fraud budget splits exactly as
 * documented, records come in event-time order with ids in that order,
 * chargebacks follow their payments by the documented delays, and each
 * scenario has the shape it is described with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/gen_payments.h"
#include "engine/types/time.h"
#include "test_util.h"

#define START_MS INT64_C(1740787200000) /* 2025-03-01T00:00:00Z */
#define DAY_MS INT64_C(86400000)

static sl_gen_payments *build(uint64_t seed, int64_t count, int days) {
  sl_gen_payments_options o = {.seed = seed, .count = count,
                               .start_ms = START_MS, .days = days};
  sl_gen_payments *g = NULL;
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = sl_gen_payments_build(&o, &g, &err);
  if (rc != SL_OK)
    fail_msg("build: %s", err.message);
  return g;
}

/* The whole of a file, NUL-terminated; the caller frees it. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static char *payments_csv(sl_gen_payments *g, const char *path) {
  sl_error err;
  assert_int_equal(sl_gen_payments_write_csv(g, path, INT64_MIN, INT64_MAX,
                                             &err), SL_OK);
  return slurp(path);
}

static void test_same_seed_same_bytes(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char path[600];
  snprintf(path, sizeof(path), "%s/p.csv", dir);

  sl_gen_payments *a = build(5, 3000, 3), *b = build(5, 3000, 3);
  sl_gen_payments *c = build(6, 3000, 3);
  char *ta = payments_csv(a, path), *tb = payments_csv(b, path);
  char *tc = payments_csv(c, path);
  assert_string_equal(ta, tb);
  assert_true(strcmp(ta, tc) != 0);
  assert_true(strncmp(ta, "id,card,customer_id,merchant_id,amount,channel,"
                      "lat,lon,ts\n1,card-", 54) == 0);
  free(ta);
  free(tb);
  free(tc);
  sl_gen_payments_free(a);
  sl_gen_payments_free(b);
  sl_gen_payments_free(c);
  test_rmtree(dir);
  free(dir);
}

static void test_fraud_budget(void **state) {
  (void)state;
  sl_gen_payments *g = build(1, 20000, 7);
  sl_gen_payments_stats st;
  sl_gen_payments_stats_get(g, &st);
  assert_int_equal(st.payments, 20000);
  /* 3% fraud: 35% card testing, 25% compromised merchant, 20% account
   * takeover, the rest impossible travel. */
  assert_int_equal(st.by_scenario[SL_GEN_CARD_TESTING], 210);
  assert_int_equal(st.by_scenario[SL_GEN_COMPROMISED_MERCHANT], 150);
  assert_int_equal(st.by_scenario[SL_GEN_ACCOUNT_TAKEOVER], 120);
  assert_int_equal(st.by_scenario[SL_GEN_IMPOSSIBLE_TRAVEL], 120);
  assert_int_equal(st.by_scenario[SL_GEN_HONEST], 19400);
  assert_int_equal(st.customers, 20000 * 2 / 35);
  assert_int_equal(st.merchants, 133);
  sl_gen_payments_free(g);

  /* Below 100 payments there is no fraud at all. */
  g = build(1, 99, 1);
  sl_gen_payments_stats_get(g, &st);
  assert_int_equal(st.by_scenario[SL_GEN_HONEST], 99);
  assert_int_equal(st.customers, 50);
  sl_gen_payments_free(g);
}

/* What the walk saw. */
typedef struct walk {
  const sl_gen_payments *g;
  int64_t last_ts;
  int64_t next_id;
  int64_t chargebacks;
  int64_t disputes;
  int64_t by_scenario[SL_GEN_NSCENARIOS];
} walk;

static sl_status on_record(void *ud, sl_gen_record_kind kind,
                           const char *key, size_t key_len,
                           const char *value, size_t value_len,
                           int64_t ts_ms, sl_error *err) {
  walk *w = ud;
  (void)err;
  assert_true(ts_ms >= w->last_ts);
  w->last_ts = ts_ms;
  assert_int_equal(value[value_len], '\0');
  assert_int_equal(key_len, 11); /* card-NNNNNN */

  if (kind == SL_GEN_PAYMENT) {
    long long id;
    double amount, lat, lon;
    char channel[16];
    assert_int_equal(sscanf(value, "{\"id\":%lld,", &id), 1);
    assert_int_equal(id, w->next_id);
    w->next_id++;
    const char *a = strstr(value, "\"amount\":");
    assert_non_null(a);
    assert_int_equal(sscanf(a, "\"amount\":%lf,\"channel\":\"%15[a-z]\","
                            "\"lat\":%lf,\"lon\":%lf", &amount, channel,
                            &lat, &lon), 4);
    assert_true(strstr(value, key) != NULL);
    int64_t ts = 0;
    sl_gen_scenario sc = sl_gen_payments_scenario(w->g, id, &ts);
    assert_int_equal(ts, ts_ms);
    w->by_scenario[sc]++;
    sl_time_parts t;
    sl_time_split(ts, &t);
    switch (sc) {
    case SL_GEN_CARD_TESTING:
      assert_true(amount >= 0.5 && amount <= 2.99);
      assert_string_equal(channel, "online");
      break;
    case SL_GEN_COMPROMISED_MERCHANT:
      assert_true(amount >= 180 && amount <= 650);
      assert_string_equal(channel, "pos");
      assert_true(t.hour < 5);
      break;
    case SL_GEN_ACCOUNT_TAKEOVER:
      assert_string_equal(channel, "online");
      /* From another continent: south of 25 degrees north or west of
       * 20 degrees west, far from every home city. */
      assert_true(lat < 25 || lon < -20);
      break;
    case SL_GEN_IMPOSSIBLE_TRAVEL:
      assert_string_equal(channel, "pos");
      break;
    default:
      assert_true(amount >= 0.01);
      break;
    }
  } else {
    long long pid;
    char reason[16];
    assert_int_equal(sscanf(value, "{\"payment_id\":%lld,", &pid), 1);
    const char *r = strstr(value, "\"reason\":\"");
    assert_non_null(r);
    assert_int_equal(sscanf(r, "\"reason\":\"%15[a-z]\"", reason), 1);
    /* A chargeback comes after its payment, which the walk has seen. */
    assert_true(pid < w->next_id);
    int64_t pts = 0;
    sl_gen_scenario sc = sl_gen_payments_scenario(w->g, pid, &pts);
    int64_t delay = ts_ms - pts;
    if (sc == SL_GEN_HONEST) {
      assert_string_equal(reason, "dispute");
      assert_true(delay >= 3 * DAY_MS && delay < 20 * DAY_MS);
      w->disputes++;
    } else {
      assert_string_equal(reason, "fraud");
      assert_true(delay >= DAY_MS && delay < 7 * DAY_MS);
    }
    w->chargebacks++;
  }
  return SL_OK;
}

static void test_walk_in_event_time(void **state) {
  (void)state;
  sl_gen_payments *g = build(3, 12000, 5);
  walk w = {.g = g, .last_ts = INT64_MIN, .next_id = 1};
  sl_error err;
  assert_int_equal(sl_gen_payments_each(g, on_record, &w, NULL, &err),
                   SL_OK);
  sl_gen_payments_stats st;
  sl_gen_payments_stats_get(g, &st);
  assert_int_equal(w.next_id - 1, 12000);
  assert_int_equal(w.chargebacks, st.chargebacks);
  for (int i = 0; i < SL_GEN_NSCENARIOS; i++)
    assert_int_equal(w.by_scenario[i], st.by_scenario[i]);
  /* Most fraud is charged back (92%), few honest payments (0.2%). */
  int64_t fraud = 12000 - st.by_scenario[SL_GEN_HONEST];
  assert_true(w.chargebacks - w.disputes >= fraud * 85 / 100);
  assert_true(w.chargebacks - w.disputes <= fraud);
  assert_true(w.disputes <= st.by_scenario[SL_GEN_HONEST] / 100);
  sl_gen_payments_free(g);
}

/* The walk stops when asked to. */
static sl_status count_record(void *ud, sl_gen_record_kind kind,
                              const char *key, size_t key_len,
                              const char *value, size_t value_len,
                              int64_t ts_ms, sl_error *err) {
  (void)kind, (void)key, (void)key_len, (void)value, (void)value_len;
  (void)ts_ms, (void)err;
  int64_t *n = ud;
  ++*n;
  return SL_OK;
}

static void test_stop_and_errors(void **state) {
  (void)state;
  sl_gen_payments *g = build(1, 500, 2);
  volatile sig_atomic_t stop = 1;
  int64_t n = 0;
  sl_error err;
  assert_int_equal(sl_gen_payments_each(g, count_record, &n, &stop, &err),
                   SL_OK);
  assert_int_equal(n, 0);
  sl_gen_payments_free(g);

  sl_gen_payments_options o = {.seed = 1, .count = 0, .start_ms = START_MS,
                               .days = 7};
  sl_gen_payments *none = NULL;
  assert_int_equal(sl_gen_payments_build(&o, &none, &err), SL_ERR_USAGE);
  assert_null(none);
  assert_non_null(strstr(err.message, "got 0"));
  o.count = 10;
  o.days = 0;
  assert_int_equal(sl_gen_payments_build(&o, &none, &err), SL_ERR_USAGE);
  assert_null(none);

  /* A file that cannot be written names itself. */
  g = build(1, 200, 1);
  assert_int_equal(sl_gen_truth_write_csv(g, "/nonexistent-dir/t.csv",
                                          &err), SL_ERR_IO);
  assert_non_null(strstr(err.message, "/nonexistent-dir/t.csv"));
  sl_gen_payments_free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_seed_same_bytes),
      cmocka_unit_test(test_fraud_budget),
      cmocka_unit_test(test_walk_in_event_time),
      cmocka_unit_test(test_stop_and_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
