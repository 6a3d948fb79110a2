/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_state_window.c - windowed aggregation over a real state store
 * with many groups: a checkpoint after every batch (so that the store
 * writes its large tables as chunks and compacts them) changes no
 * result, a checkpoint before any row is harmless, and a restore from
 * any of those checkpoints, after the changes that followed it were
 * lost, gives exactly the rows an uninterrupted run gives after it.
 */
#include "test_stateful.h"

#include <sqlite3.h>

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/ops/window_agg.h"

#define NGROUPS 200
#define NEVENTS 3000
#define BATCH 150

static char keys[NGROUPS][8];
static ts_ev events[NEVENTS];

static int setup(void **state) {
  (void)state;
  tb_init();
  for (int i = 0; i < NGROUPS; i++)
    snprintf(keys[i], sizeof(keys[i]), "c%03d", i);
  uint64_t x = 0x2545f4914f6cdd1dull;
  int64_t t = 10000;
  for (int i = 0; i < NEVENTS; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    t += (int64_t)(x % 3);
    events[i].ts = t - (int64_t)(x >> 8) % 6;
    events[i].k = keys[(x >> 16) % NGROUPS];
    events[i].v = (int64_t)((x >> 24) % 1000);
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ts_res_free();
  tb_done();
  return 0;
}

/* GROUP BY k, COUNT(*) and SUM(v), over the given window. */
static sl_op *mk(const sl_window_spec *w, sl_emit_mode emit) {
  sl_error err;
  sl_window_agg_spec spec = {0};
  spec.state_name = "w";
  spec.window = *w;
  spec.emit = emit;
  sl_bexpr **k = sl_arena_calloc(&tb_arena, 1, sizeof(*k));
  k[0] = ts_k();
  spec.ngroup = 1;
  spec.group_by = k;
  /* Resolved once: the helpers hold a bounded number of resolutions. */
  static sl_agg_call aggs[2];
  static bool resolved;
  if (!resolved) {
    aggs[0] = ts_agg("COUNT", NULL);
    aggs[1] = ts_agg("SUM", ts_v());
    resolved = true;
  }
  spec.naggs = 2;
  spec.aggs = aggs;
  sl_op *op = NULL;
  OK(sl_window_agg_new(&spec, NULL, &op, &err));
  return op;
}

#define NCOLS 5

/* Events [from, to) in batches, a checkpoint of op and st after each
 * when st is set. */
static void feed(ts_feed *f, sl_op *op, sl_state *st, int from, int to) {
  sl_error err;
  for (int at = from; at < to; at += BATCH) {
    int n = to - at < BATCH ? to - at : BATCH;
    ts_feed_events(f, op, 0, events + at, n, n);
    if (st) {
      sl_op_ckpt ck = {.id = 1, .state = st};
      OK(sl_op_checkpoint(op, &ck, &err));
      OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
    }
  }
}

/* The stored rows of the window's chunks: some, when the tables are
 * large enough to go to chunks. */
static int64_t chunk_rows(sl_catalog *cat) {
  sqlite3 *db = sl_catalog_sqlite(cat);
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT count(*) FROM "
                                      "sluice_state_entries WHERE "
                                      "operator = 'w' || char(31)",
                                      -1, &s, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}

/* Runs the events through a checkpointing operator up to cut (a
 * multiple of BATCH), goes on for two batches without checkpoints (their
 * changes are lost, as in a crash),
 * then restores into a new operator, feeds from cut, and compares the
 * rows after the cut with those of the uninterrupted run ref. */
static void restore_at(const sl_window_spec *w, sl_emit_mode emit, int cut,
                       const ts_sink *ref, const int *ref_at) {
  sl_error err;
  char *dir = test_tmpdir();
  char path[1024];
  snprintf(path, sizeof(path), "%s/cat.db", dir);
  sl_catalog *cat;
  OK(sl_catalog_open(path, &cat, &err));
  sl_state *st;
  OK(sl_state_open(cat, "q", &st, &err));
  ts_rig g;
  ts_rig_open(&g, mk(w, emit), NCOLS, st);
  ts_feed f;
  ts_feed_init(&f, 4);
  feed(&f, g.op, st, 0, cut);
  assert_true(chunk_rows(cat) > 0);
  ts_feed saved = f;
  feed(&f, g.op, NULL, cut, cut + 2 * BATCH);
  ts_rig_free(&g);
  sl_state_close(st);

  OK(sl_state_open(cat, "q", &st, &err));
  int64_t id = 0;
  OK(sl_state_restore(st, &id, &err));
  assert_int_equal(id, cut / BATCH);
  ts_rig_open(&g, mk(w, emit), NCOLS, st);
  int32_t p0 = 0;
  OK(sl_op_partitions(g.op, &p0, 1, true, &err));
  f = saved;
  feed(&f, g.op, st, cut, NEVENTS);
  ts_feed_end(g.op, 0);
  int from = ref_at[cut / BATCH];
  ts_expect(&g.got, ref->n - from, (const char *const *)ref->lines + from);
  ts_rig_free(&g);
  sl_state_close(st);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);
}

static void check_window(const sl_window_spec *w, sl_emit_mode emit) {
  sl_error err;

  /* The uninterrupted run, without a store; ref_at[b]: rows out after
   * b batches. */
  int ref_at[NEVENTS / BATCH + 1];
  ts_rig ref;
  ts_rig_open(&ref, mk(w, emit), NCOLS, NULL);
  ts_feed f;
  ts_feed_init(&f, 4);
  ref_at[0] = 0;
  for (int b = 0; b < NEVENTS / BATCH; b++) {
    feed(&f, ref.op, NULL, b * BATCH, (b + 1) * BATCH);
    ref_at[b + 1] = ref.got.n;
  }
  ts_feed_end(ref.op, 0);
  assert_true(ref.got.n > NGROUPS);

  /* A checkpoint before any row, then one after every batch: the same
   * rows. */
  char *dir = test_tmpdir();
  char path[1024];
  snprintf(path, sizeof(path), "%s/cat.db", dir);
  sl_catalog *cat;
  OK(sl_catalog_open(path, &cat, &err));
  sl_state *st;
  OK(sl_state_open(cat, "q", &st, &err));
  ts_rig g;
  ts_rig_open(&g, mk(w, emit), NCOLS, st);
  sl_op_ckpt ck = {.id = 1, .state = st};
  OK(sl_op_checkpoint(g.op, &ck, &err));
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &err));
  ts_feed_init(&f, 4);
  feed(&f, g.op, st, 0, NEVENTS);
  ts_feed_end(g.op, 0);
  ts_same(&g.got, &ref.got);
  ts_rig_free(&g);
  sl_state_close(st);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(dir);

  const int cuts[] = {BATCH, 5 * BATCH, 12 * BATCH, 17 * BATCH};
  for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
    restore_at(w, emit, cuts[i], &ref.got, ref_at);
  ts_rig_free(&ref);
}

static void test_tumbling(void **state) {
  (void)state;
  sl_window_spec w = {.kind = SL_WINDOW_TUMBLING, .size_ms = 400,
                      .grace_ms = 3};
  check_window(&w, SL_EMIT_FINAL);
  check_window(&w, SL_EMIT_CHANGES);
}

static void test_hopping(void **state) {
  (void)state;
  sl_window_spec w = {.kind = SL_WINDOW_HOPPING, .size_ms = 400,
                      .advance_ms = 100};
  check_window(&w, SL_EMIT_FINAL);
}

static void test_session(void **state) {
  (void)state;
  sl_window_spec w = {.kind = SL_WINDOW_SESSION, .gap_ms = 150,
                      .grace_ms = 2};
  check_window(&w, SL_EMIT_FINAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tumbling),
    cmocka_unit_test(test_hopping),
    cmocka_unit_test(test_session),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
