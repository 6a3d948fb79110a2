/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_source_expect.c - partitions a source expects but does not own
 * yet (a restarted stateful query whose checkpoint has rows of them):
 * they hold the watermark back, so no window closes without their rows,
 * until they are assigned or the hold runs out; they never appear among
 * the positions to commit; partitions already known are not touched.
 *
 * The hold is wall time: the short one is 100 ms and the test waits
 * 400 ms past it, wide margins on a loaded machine.
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
    int64_t wm_ = sl_source_watermark(src);                              \
    if (wm_ != (int64_t)(want))                                           \
      fail_msg("watermark %lld, expected %lld", (long long)wm_,           \
               (long long)(want));                                        \
  } while (0)

/* The monotonic clock the runtime ticks sources with. */
static int64_t clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

typedef struct src_fixture {
  sl_record_schema *schema;
  sl_op *src;
  sl_op_ctx ctx;
} src_fixture;

/* A source of "ev" (id BIGINT, ts TIMESTAMP in epoch ms as its event
 * time, no out-of-orderness, no idle timeout) with nothing downstream. */
static void open_source(src_fixture *f) {
  sl_error err;
  memset(f, 0, sizeof(*f));
  f->schema = sl_record_schema_new();
  assert_non_null(f->schema);
  assert_true(sl_record_schema_add(f->schema, "id", false, sl_type_bigint(),
                                   false, &err) >= 0);
  assert_true(sl_record_schema_add(f->schema, "ts", false,
                                   sl_type_timestamp(), false, &err) >= 0);
  OK(sl_record_schema_set_event_time(f->schema, 1, NULL, &err));
  int map[] = {0};
  sl_source_spec spec = {.topic = "ev", .schema = f->schema, .ncols = 1,
                         .col_map = map};
  OK(sl_source_new(&spec, NULL, &f->src, &err));
  OK(sl_op_open(f->src, &f->ctx, &err));
}

static void close_source(src_fixture *f) {
  sl_op_destroy(f->src);
  sl_record_schema_free(f->schema);
}

static void push(sl_op *src, int32_t part, int64_t off, int64_t ts) {
  sl_error err;
  char value[64];
  snprintf(value, sizeof(value), "{\"id\": %lld, \"ts\": %lld}",
           (long long)off, (long long)ts);
  sl_kafka_msg m = {.topic = "ev", .partition = part, .offset = off,
                    .timestamp_ms = ts, .value = value,
                    .value_len = strlen(value)};
  OK(sl_source_push(src, &m, 1, &err));
}

static void assign(sl_op *src, int32_t part) {
  sl_error err;
  OK(sl_source_assign(src, &part, 1, true, &err));
}

/* Partition 1 is expected while only partition 0 is assigned: the
 * watermark waits for it, and once it is assigned and delivers, the
 * watermark is the minimum of both. */
static void test_expected_partition_holds_until_assigned(void **state) {
  (void)state;
  sl_error err;
  src_fixture f;
  open_source(&f);
  assign(f.src, 0);
  int32_t one = 1;
  OK(sl_source_expect(f.src, &one, 1, 60000, &err));

  push(f.src, 0, 0, 1000);
  push(f.src, 0, 1, 2000);
  ASSERT_WM(f.src, SL_WATERMARK_NONE);
  OK(sl_source_tick(f.src, clock_ms(), &err));
  ASSERT_WM(f.src, SL_WATERMARK_NONE);

  /* Only partition 0 has a position to commit. */
  sl_kafka_position pos[4];
  assert_int_equal(sl_source_positions(f.src, pos, 4), 1);
  assert_int_equal(pos[0].partition, 0);
  assert_int_equal(pos[0].offset, 2);

  /* Assigned, it holds as any partition with nothing read yet. */
  assign(f.src, 1);
  ASSERT_WM(f.src, SL_WATERMARK_NONE);
  push(f.src, 1, 7, 1500);
  ASSERT_WM(f.src, 1500);
  push(f.src, 1, 8, 2500);
  ASSERT_WM(f.src, 2000);
  assert_int_equal(sl_source_positions(f.src, pos, 4), 2);
  close_source(&f);
}

/* A partition that never comes stops holding when the hold runs out. */
static void test_expectation_runs_out(void **state) {
  (void)state;
  sl_error err;
  src_fixture f;
  open_source(&f);
  assign(f.src, 0);
  int32_t one = 1;
  OK(sl_source_expect(f.src, &one, 1, 100, &err));
  push(f.src, 0, 0, 1000);
  ASSERT_WM(f.src, SL_WATERMARK_NONE);

  pause_ms(500);
  OK(sl_source_tick(f.src, clock_ms(), &err));
  ASSERT_WM(f.src, 1000);
  push(f.src, 0, 1, 3000);
  ASSERT_WM(f.src, 3000);
  close_source(&f);
}

/* Expecting a partition already assigned changes nothing. */
static void test_expect_known_partition(void **state) {
  (void)state;
  sl_error err;
  src_fixture f;
  open_source(&f);
  assign(f.src, 0);
  assign(f.src, 1);
  push(f.src, 0, 0, 1000);
  push(f.src, 1, 0, 4000);
  ASSERT_WM(f.src, 1000);
  int32_t both[] = {0, 1};
  OK(sl_source_expect(f.src, both, 2, 60000, &err));
  ASSERT_WM(f.src, 1000);
  push(f.src, 0, 1, 5000);
  ASSERT_WM(f.src, 4000);
  close_source(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_expected_partition_holds_until_assigned),
      cmocka_unit_test(test_expectation_runs_out),
      cmocka_unit_test(test_expect_known_partition),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
