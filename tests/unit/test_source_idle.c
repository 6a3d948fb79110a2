/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_source_idle.c - the source's watermark across partitions when one
 * of them goes quiet: it holds the watermark back until it has been
 * silent for the stream's idle_timeout (wall time), then stops holding
 * it; the watermark jumps to the busy partition's and never goes back,
 * not even when the quiet partition rejoins with an older record, whose
 * row then carries the higher watermark (so a window it falls in may
 * already be closed).  A partition at its bounded end never holds the
 * watermark back, idle timeout or not.
 *
 * Idle time is wall time, so the test sleeps while one partition is
 * quiet, and ticks at a time it computes from the clock read before the
 * other partition's record: only the quiet one can be idle then, however
 * slowly a loaded machine runs the test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_util.h"

#include "engine/format/schema.h"
#include "engine/ops/op.h"
#include "engine/ops/source.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, err.message);         \
  } while (0)

#define ASSERT_WM(src, want)                                              \
  do {                                                                    \
    int64_t got_wm_ = sl_source_watermark(src);                          \
    if (got_wm_ != (want))                                                \
      fail_msg("watermark %lld, expected %lld", (long long)got_wm_,       \
               (long long)(want));                                        \
  } while (0)

enum { IDLE_MS = 200, QUIET_MS = 300 };

/* The clock the source measures idle time with. */
static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* A sink that keeps the watermark each row arrived with. */
typedef struct rows_seen {
  int64_t id[16];
  int64_t wm[16];
  int n;
} rows_seen;

typedef struct seen_op {
  sl_op base;
  rows_seen *seen;
} seen_op;

static sl_status seen_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  (void)port;
  (void)err;
  rows_seen *s = ((seen_op *)op)->seen;
  for (int r = 0; r < in->batch->nrows && s->n < 16; r++) {
    if (in->batch->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    s->id[s->n] = in->batch->cols[0][r].u.i64;
    s->wm[s->n++] = in->row_watermark[r];
  }
  return SL_OK;
}

static void seen_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class seen_class = {
    .name = "seen", .process = seen_process, .destroy = seen_destroy};

/* id BIGINT, ts TIMESTAMP (the event time, epoch milliseconds). */
static sl_record_schema *events_schema(void) {
  sl_error err;
  sl_record_schema *s = sl_record_schema_new();
  if (sl_record_schema_add(s, "id", false, sl_type_bigint(), false, &err) <
          0 ||
      sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false,
                           &err) < 0)
    fail_msg("schema: %s", err.message);
  OK(sl_record_schema_set_event_time(s, 1, NULL, &err));
  return s;
}

static void push(sl_op *src, int32_t part, int64_t off, int64_t id,
                 int64_t ts) {
  sl_error err;
  char value[64];
  snprintf(value, sizeof(value), "{\"id\": %lld, \"ts\": %lld}",
           (long long)id, (long long)ts);
  sl_kafka_msg m = {.topic = "ev",
                    .partition = part,
                    .offset = off,
                    .timestamp_ms = ts,
                    .value = value,
                    .value_len = strlen(value)};
  OK(sl_source_push(src, &m, 1, &err));
}

typedef struct fixture {
  sl_record_schema *schema;
  sl_op *src;
  sl_op *sink;
  sl_op_ctx ctx; /* the operators keep a pointer to it */
  rows_seen seen;
} fixture;

/* A source over partitions 0 and 1 of "ev", out-of-orderness 0, feeding
 * a sink that records row watermarks; one_partition as the runtime sets
 * it for a plan whose state is not kept per partition. */
static void fixture_open_with(fixture *f, int64_t idle_ms,
                              bool one_partition) {
  sl_error err;
  memset(f, 0, sizeof(*f));
  f->ctx.one_partition = one_partition;
  f->schema = events_schema();
  int map[] = {0};
  sl_source_spec spec = {.topic = "ev",
                         .schema = f->schema,
                         .ncols = 1,
                         .col_map = map,
                         .idle_timeout_ms = idle_ms};
  OK(sl_source_new(&spec, NULL, &f->src, &err));
  seen_op *s = calloc(1, sizeof(*s));
  assert_non_null(s);
  s->seen = &f->seen;
  OK(sl_op_init(&s->base, &seen_class, 1, &err));
  f->sink = &s->base;
  sl_op_connect(f->src, f->sink, 0);
  OK(sl_op_open(f->src, &f->ctx, &err));
  OK(sl_op_open(f->sink, &f->ctx, &err));
  int32_t parts[] = {0, 1};
  OK(sl_source_assign(f->src, parts, 2, true, &err));
}

static void fixture_open(fixture *f, int64_t idle_ms) {
  fixture_open_with(f, idle_ms, false);
}

static void fixture_close(fixture *f) {
  sl_op_destroy(f->src);
  sl_op_destroy(f->sink);
  sl_record_schema_free(f->schema);
}

/* Partition 1 goes quiet: after idle_timeout the watermark follows
 * partition 0 alone; partition 1 rejoins with its next record. */
static void test_idle_partition_releases_watermark(void **state) {
  (void)state;
  sl_error err;
  fixture f;
  fixture_open(&f, IDLE_MS);

  push(f.src, 0, 0, 1, 1000);
  push(f.src, 1, 0, 2, 500);
  ASSERT_WM(f.src, 500);

  /* Partition 1 falls silent while partition 0 runs ahead. */
  sleep_ms(QUIET_MS);
  int64_t before = now_ms();
  push(f.src, 0, 1, 3, 5000);
  ASSERT_WM(f.src, 500);

  /* A tick 1 ms short of the timeout after partition 0's record (whose
   * wall time is at least `before`) and more than the timeout after
   * partition 1's marks only partition 1 idle: the watermark is partition
   * 0's. */
  OK(sl_source_tick(f.src, before + IDLE_MS - 1, &err));
  ASSERT_WM(f.src, 5000);
  push(f.src, 0, 2, 4, 6000);
  ASSERT_WM(f.src, 6000);

  /* Partition 1 rejoins with a record older than the watermark: the
   * watermark stays (it never goes back) and the row carries it. */
  push(f.src, 1, 1, 5, 2000);
  ASSERT_WM(f.src, 6000);

  /* Holding again, partition 1 keeps the watermark at 6000 while
   * partition 0 moves on, until it catches up. */
  push(f.src, 0, 3, 6, 9000);
  ASSERT_WM(f.src, 6000);
  push(f.src, 1, 2, 7, 8000);
  ASSERT_WM(f.src, 8000);

  int64_t want_id[] = {1, 2, 3, 4, 5, 6, 7};
  int64_t want_wm[] = {SL_WATERMARK_NONE, SL_WATERMARK_NONE, 500, 5000,
                       6000, 6000, 6000};
  assert_int_equal(f.seen.n, 7);
  for (int i = 0; i < 7; i++) {
    if (f.seen.id[i] != want_id[i] || f.seen.wm[i] != want_wm[i])
      fail_msg("row %d: id %lld watermark %lld, expected id %lld "
               "watermark %lld",
               i, (long long)f.seen.id[i], (long long)f.seen.wm[i],
               (long long)want_id[i], (long long)want_wm[i]);
  }
  fixture_close(&f);
}

/* With idle_timeout 0 (bounded runs) a quiet partition holds the
 * watermark back however long it is silent, until it is done. */
static void test_no_idle_timeout_holds(void **state) {
  (void)state;
  sl_error err;
  fixture f;
  fixture_open(&f, 0);

  push(f.src, 0, 0, 1, 1000);
  push(f.src, 1, 0, 2, 500);
  push(f.src, 0, 1, 3, 5000);
  OK(sl_source_tick(f.src, now_ms() + 3600 * 1000, &err));
  ASSERT_WM(f.src, 500);

  /* Its bounded end releases it; both ends are the end of time. */
  OK(sl_source_partition_done(f.src, 1, &err));
  ASSERT_WM(f.src, 5000);
  OK(sl_source_partition_done(f.src, 0, &err));
  ASSERT_WM(f.src, SL_WATERMARK_END);
  fixture_close(&f);
}

/* A partition that never had a record, once done, holds nothing back:
 * the watermark is the other partition's from its first record on. */
static void test_empty_partition_done(void **state) {
  (void)state;
  sl_error err;
  fixture f;
  fixture_open(&f, 0);

  push(f.src, 0, 0, 1, 1000);
  ASSERT_WM(f.src, SL_WATERMARK_NONE);
  OK(sl_source_partition_done(f.src, 1, &err));
  ASSERT_WM(f.src, 1000);
  push(f.src, 0, 1, 2, 3000);
  ASSERT_WM(f.src, 3000);
  fixture_close(&f);
}

/* Every partition idle: none holds the watermark back, so it reaches the
 * furthest partition's, whatever order the records happened to come in. */
static void test_all_idle_advances_watermark(void **state) {
  (void)state;
  sl_error err;
  fixture f;
  fixture_open(&f, IDLE_MS);

  push(f.src, 0, 0, 1, 1000);
  push(f.src, 1, 0, 2, 700);
  ASSERT_WM(f.src, 700);
  OK(sl_source_tick(f.src, now_ms() + 10 * IDLE_MS, &err));
  ASSERT_WM(f.src, 1000);

  /* The first record after that makes its partition the one in charge. */
  push(f.src, 1, 1, 3, 4000);
  ASSERT_WM(f.src, 4000);
  fixture_close(&f);
}

/* With state per partition, a partition that comes in mid-run (moved
 * from another task or instance) restarts the watermark from its own
 * progress: downstream lowers its port, rows are judged by the lower
 * watermark, and downstream's own watermark (what it closed) moves on
 * only once every partition passed it.  With one state for all
 * partitions the watermark never goes back. */
static void test_moved_partition_restarts_watermark(void **state) {
  (void)state;
  for (int keyed = 1; keyed >= 0; keyed--) {
    sl_error err;
    fixture f;
    fixture_open_with(&f, 0, !keyed);
    push(f.src, 0, 0, 1, 5000);
    push(f.src, 1, 0, 2, 6000);
    ASSERT_WM(f.src, 5000);
    assert_int_equal(f.sink->watermark, 5000);

    int32_t moved[] = {2};
    OK(sl_source_assign(f.src, moved, 1, true, &err));
    if (keyed) {
      ASSERT_WM(f.src, SL_WATERMARK_NONE);
      assert_true(f.sink->ports_wm[0] == SL_WATERMARK_NONE);
    } else {
      ASSERT_WM(f.src, 5000);
      assert_int_equal(f.sink->ports_wm[0], 5000);
    }
    assert_int_equal(f.sink->watermark, 5000);

    /* The newcomer catches up: below 5000 nothing advances. */
    push(f.src, 2, 0, 3, 3000);
    push(f.src, 2, 1, 4, 7000);
    ASSERT_WM(f.src, 5000);
    assert_int_equal(f.sink->watermark, 5000);
    push(f.src, 0, 1, 5, 8000);
    ASSERT_WM(f.src, 6000);
    assert_int_equal(f.sink->watermark, 6000);

    /* Partition 2's first row is judged by its own progress (none yet)
     * when the state is per partition. */
    int64_t want_wm = keyed ? (int64_t)SL_WATERMARK_NONE : 5000;
    assert_int_equal(f.seen.n, 5);
    if (f.seen.id[2] != 3 || f.seen.wm[2] != want_wm)
      fail_msg("keyed %d: row %lld watermark %lld, expected %lld", keyed,
               (long long)f.seen.id[2], (long long)f.seen.wm[2],
               (long long)want_wm);
    fixture_close(&f);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_idle_partition_releases_watermark),
      cmocka_unit_test(test_no_idle_timeout_holds),
      cmocka_unit_test(test_empty_partition_done),
      cmocka_unit_test(test_all_idle_advances_watermark),
      cmocka_unit_test(test_moved_partition_restarts_watermark),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
