/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_join_interval.c - the stream-stream interval join: both bounds at
 * exactly -before and +after, each join kind with matches and non-
 * matches (unmatched rows only once their range closed, never after a
 * match), NULL keys, lateness at exactly the grace, a residual ON
 * condition, results independent of batching, a revoked partition's
 * rows leaving memory, and checkpoint then restore.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/common/log.h"
#include "engine/ops/interval_join.h"

static int setup(void **state) {
  (void)state;
  tb_init();
  sl_log_set_level(SL_LOG_ERROR);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tb_done();
  return 0;
}

/* l.k = r.k WITHIN (before, after) GRACE grace, residual optional. */
static sl_op *mk(sl_join_kind kind, int64_t before, int64_t after,
                 int64_t grace, const sl_bexpr *residual, const char *name) {
  sl_error err;
  sl_bexpr **lk = sl_arena_calloc(&tb_arena, 1, sizeof(*lk));
  sl_bexpr **rk = sl_arena_calloc(&tb_arena, 1, sizeof(*rk));
  lk[0] = ts_k();
  rk[0] = ts_k();
  sl_interval_join_spec spec = {
      .state_name = name, .kind = kind, .nleft = 2, .nright = 2,
      .nkeys = 1, .left_keys = lk, .right_keys = rk, .before_ms = before,
      .after_ms = after, .grace_ms = grace, .residual = residual,
      .capacity = 2};
  sl_op *op;
  OK(sl_interval_join_new(&spec, NULL, &op, &err));
  return op;
}

/* One step of a two-sided script: events for a port. */
typedef struct step {
  int port;
  ts_ev ev;
} step;

typedef struct sides {
  ts_feed f[2];
} sides;

static void sides_init(sides *s, int64_t delay) {
  ts_feed_init(&s->f[0], delay);
  ts_feed_init(&s->f[1], delay);
  s->f[1].topic = "right";
}

/* Feeds the steps in order, consecutive steps of one port batched up to
 * bsize rows. */
static void play(sides *s, sl_op *op, const step *st, int n, int bsize) {
  ts_ev buf[64];
  for (int i = 0; i < n;) {
    int port = st[i].port, m = 0;
    while (i < n && st[i].port == port && m < bsize && m < 64)
      buf[m++] = st[i++].ev;
    ts_feed_events(&s->f[port], op, port, buf, m, 0);
  }
}

static void end_both(sl_op *op) {
  ts_feed_end(op, 0);
  ts_feed_end(op, 1);
}

/* WITHIN (5, 10): a right row at exactly a.ts - 5 and a.ts + 10 matches,
 * one ms further does not. */
static void test_bounds_inclusive(void **state) {
  (void)state;
  const step st[] = {{0, {100, "a", 100}}, {1, {95, "a", 95}},
                     {1, {94, "a", 94}},   {1, {110, "a", 110}},
                     {1, {111, "a", 111}}, {1, {100, "b", 100}},
                     {0, {200, "b", 200}}, {1, {210, "b", 210}},
                     {1, {211, "b", 211}}, {1, {195, "b", 195}}};
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_INNER, 5, 10, 0, NULL, NULL), 4, NULL);
  sides s;
  sides_init(&s, 1000);
  play(&s, g.op, st, 10, 3);
  end_both(g.op);
  TS_EXPECT(&g.got, "a|100|a|95", "a|100|a|110", "b|200|b|210",
            "b|200|b|195");
  long l, r;
  sl_interval_join_buffered(g.op, &l, &r);
  assert_int_equal(l + r, 0);
  ts_rig_free(&g);
}

/* The script of the join kinds (see the comment of each step): a
 * matches, b's rows do not, c only on the right, a NULL key only on the
 * left. */
static const step kinds_script[] = {
    {0, {100, "a", 1}},   /* left a, range [95, 110] */
    {1, {104, "a", 104}}, /* matches a at once */
    {0, {200, "b", 2}},   /* range [195, 210] */
    {1, {215, "b", 215}}, /* too late for b@200; W = 200 */
    {0, {300, NULL, 3}},  /* W = 215: b@200 leaves, unmatched */
    {1, {500, "c", 500}}, /* W = 300: b@215 (range [205, 225]) leaves */
};

static void kinds_case(sl_join_kind kind, int n, const char *const *want) {
  ts_rig g;
  ts_rig_open(&g, mk(kind, 5, 10, 0, NULL, NULL), 4, NULL);
  sides s;
  sides_init(&s, 0);
  /* Unmatched rows appear exactly when their range has closed. */
  play(&s, g.op, kinds_script, 4, 1);
  assert_int_equal(g.got.n, 1);
  play(&s, g.op, kinds_script + 4, 1, 1);
  assert_int_equal(g.got.n, kind == SL_JOIN_LEFT || kind == SL_JOIN_FULL
                                ? 2 : 1);
  play(&s, g.op, kinds_script + 5, 1, 1);
  end_both(g.op);
  ts_expect(&g.got, n, want);
  assert_int_equal(ts_late(g.op), 0);
  ts_rig_free(&g);
}

static void test_kinds(void **state) {
  (void)state;
  const char *inner[] = {"a|1|a|104"};
  const char *left[] = {"a|1|a|104", "b|2|NULL|NULL", "NULL|3|NULL|NULL"};
  const char *right[] = {"a|1|a|104", "NULL|NULL|b|215",
                         "NULL|NULL|c|500"};
  const char *full[] = {"a|1|a|104", "b|2|NULL|NULL", "NULL|NULL|b|215",
                        "NULL|3|NULL|NULL", "NULL|NULL|c|500"};
  kinds_case(SL_JOIN_INNER, 1, inner);
  kinds_case(SL_JOIN_LEFT, 3, left);
  kinds_case(SL_JOIN_RIGHT, 3, right);
  kinds_case(SL_JOIN_FULL, 5, full);
}

/* WITHIN 10 GRACE 5: at watermark 100 a left row at 94 is late (more
 * than 5 behind), one at 95 is not; a right row at 90 matches both
 * on-time rows at its bounds. */
static void test_late_at_grace(void **state) {
  (void)state;
  const step st[] = {{0, {100, "a", 100}}, {0, {94, "a", 94}},
                     {0, {95, "a", 95}},   {1, {90, "a", 90}},
                     {1, {84, "a", 84}}};
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_FULL, 10, 10, 5, NULL, NULL), 4, NULL);
  sides s;
  sides_init(&s, 0);
  play(&s, g.op, st, 5, 1);
  end_both(g.op);
  TS_EXPECT(&g.got, "a|100|a|90", "a|95|a|90");
  assert_int_equal(ts_late(g.op), 2);
  ts_rig_free(&g);
}

/* ON l.k = r.k AND l.v < r.v: a pair the condition rejects is no match,
 * so the LEFT row still comes out unmatched. */
static void test_residual(void **state) {
  (void)state;
  sl_bexpr *cond = tb_cmp(SL_OP_LT, tb_col(1, sl_type_bigint()),
                          tb_col(3, sl_type_bigint()));
  const step st[] = {{0, {100, "a", 50}}, {1, {101, "a", 10}},
                     {1, {102, "a", 60}}, {0, {200, "b", 99}},
                     {1, {201, "b", 5}}};
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_LEFT, 10, 10, 0, cond, NULL), 4, NULL);
  sides s;
  sides_init(&s, 1000);
  play(&s, g.op, st, 5, 2);
  end_both(g.op);
  TS_EXPECT(&g.got, "a|50|a|60", "b|99|NULL|NULL");
  ts_rig_free(&g);
}

/* ---- Properties ------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static step *random_script(int n) {
  static const char *const keys[] = {"a", "b", "c", NULL};
  step *st = calloc((size_t)n, sizeof(*st));
  int64_t t[2] = {1000, 1000};
  for (int i = 0; i < n; i++) {
    int p = (int)(rng() % 2);
    t[p] += (int64_t)(rng() % 6);
    st[i].port = p;
    st[i].ev.ts = t[p] - (int64_t)(rng() % 12);
    st[i].ev.k = keys[rng() % 4];
    st[i].ev.v = i;
  }
  return st;
}

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sorted(ts_sink *s) {
  qsort(s->lines, (size_t)s->n, sizeof(*s->lines), cmp_lines);
}

/* Revoking partition 1 drops every row of it and keeps those of
 * partition 0, which still join; the runtime revokes partition p of both
 * topics of a join, so the same partition comes twice.  Rows expire in
 * another order than they arrived, as out-of-order input makes them. */
static void test_revoke_partition(void **state) {
  (void)state;
  sl_error err;
  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_INNER, 10, 10, 0, NULL, NULL), 4, NULL);
  sides s[2];
  for (int p = 0; p < 2; p++) {
    sides_init(&s[p], 1000);
    s[p].f[0].partition = s[p].f[1].partition = p;
  }
  rng_state = 99;
  int kept = 0;
  for (int i = 0; i < 300; i++) {
    int p = (int)(rng() % 2);
    step st = {0, {1000 + (int64_t)(rng() % 500), "a", i}};
    play(&s[p], g.op, &st, 1, 1);
    kept += p == 0;
  }
  int32_t revoked[] = {1, 1};
  OK(sl_op_partitions(g.op, revoked, 2, false, &err));
  long l, r;
  sl_interval_join_buffered(g.op, &l, &r);
  assert_int_equal(l, kept);
  assert_int_equal(r, 0);
  step probe = {1, {1250, "a", -1}};
  play(&s[0], g.op, &probe, 1, 1);
  end_both(g.op);
  int want = 0;
  rng_state = 99;
  for (int i = 0; i < 300; i++) {
    int p = (int)(rng() % 2);
    int64_t ts = 1000 + (int64_t)(rng() % 500);
    want += p == 0 && ts >= 1240 && ts <= 1260;
  }
  assert_true(want > 0);
  assert_int_equal(g.got.n, want);
  ts_rig_free(&g);
}

/* The same rows whatever the batch sizes (the interleaving of unmatched
 * rows with matches may differ: compared as sets). */
static void test_batching_independent(void **state) {
  (void)state;
  rng_state = 777;
  int n = 500;
  step *st = random_script(n);
  sl_join_kind kinds[] = {SL_JOIN_INNER, SL_JOIN_FULL};
  for (int i = 0; i < 2; i++) {
    ts_rig a, b;
    ts_rig_open(&a, mk(kinds[i], 7, 4, 2, NULL, NULL), 4, NULL);
    ts_rig_open(&b, mk(kinds[i], 7, 4, 2, NULL, NULL), 4, NULL);
    sides sa, sb;
    sides_init(&sa, 8);
    sides_init(&sb, 8);
    play(&sa, a.op, st, n, 1);
    play(&sb, b.op, st, n, 40);
    end_both(a.op);
    end_both(b.op);
    assert_true(a.got.n > 50);
    assert_int_equal(ts_late(a.op), ts_late(b.op));
    sorted(&a.got);
    sorted(&b.got);
    ts_same(&a.got, &b.got);
    ts_rig_free(&a);
    ts_rig_free(&b);
  }
  free(st);
}

static void test_checkpoint_restore(void **state) {
  (void)state;
  sl_error err;
  rng_state = 4242;
  int n = 400, cut = 183;
  step *st = random_script(n);
  char *dir = test_tmpdir();
  char path[1024];
  snprintf(path, sizeof(path), "%s/cat.db", dir);
  sl_catalog *cat;
  OK(sl_catalog_open(path, &cat, &err));
  sl_state *store;
  OK(sl_state_open(cat, "q", &store, &err));

  ts_rig g;
  ts_rig_open(&g, mk(SL_JOIN_FULL, 6, 3, 1, NULL, "j"), 4, store);
  sides s;
  sides_init(&s, 5);
  play(&s, g.op, st, cut, 3);
  sl_op_ckpt ck = {.id = 1, .state = store};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(store, NULL, 0, NULL, NULL, &err));
  int before = g.got.n;
  sides saved = s;
  play(&s, g.op, st + cut, n - cut, 3);
  end_both(g.op);
  ts_sink after = {0};
  for (int i = before; i < g.got.n; i++)
    ts_sink_add(&after, g.got.lines[i]);
  ts_rig_free(&g);
  sl_state_close(store);

  OK(sl_state_open(cat, "q", &store, &err));
  OK(sl_state_restore(store, NULL, &err));
  ts_rig_open(&g, mk(SL_JOIN_FULL, 6, 3, 1, NULL, "j"), 4, store);
  int32_t p0 = 0;
  OK(sl_op_partitions(g.op, &p0, 1, true, &err));
  long l, r;
  sl_interval_join_buffered(g.op, &l, &r);
  assert_true(l + r > 0);
  s = saved;
  play(&s, g.op, st + cut, n - cut, 3);
  end_both(g.op);
  ts_same(&g.got, &after);
  ts_rig_free(&g);
  sl_state_close(store);
  ts_sink_clear(&after);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
  free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bounds_inclusive),
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_late_at_grace),
      cmocka_unit_test(test_residual),
      cmocka_unit_test(test_revoke_partition),
      cmocka_unit_test(test_batching_independent),
      cmocka_unit_test(test_checkpoint_restore),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
