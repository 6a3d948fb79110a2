/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_repartition.c - the repartition topic's record layout and its
 * reader (engine/ops/repartition.h, a source of format
 * SL_SOURCE_INTERNAL): the partitioner is Kafka's murmur2 (the Java
 * client's own test vectors); a reader partition's watermark is the
 * least over every upstream partition of what the records read say
 * about it, held back until every one is known; a row keeps the
 * watermark its writer judged it against, raised to the reader's; a
 * row whose upstream offset is not above the last one applied is
 * dropped as a duplicate; END marks from every upstream partition make
 * the partition complete and the watermark the end of time.
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "engine/format/schema.h"
#include "engine/ops/op.h"
#include "engine/ops/repartition.h"
#include "engine/ops/rowcodec.h"
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

/* Kafka's Utils.murmur2 test vectors, as signed 32-bit results. */
static void test_murmur2_vectors(void **state) {
  (void)state;
  static const struct {
    const char *key;
    int32_t hash;
  } cases[] = {
      {"21", -973932308},
      {"foobar", -790332482},
      {"a-little-bit-long-string", -985981536},
      {"a-little-bit-longer-string", -1486304829},
      {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
      {"abc", 479470107},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint32_t h = (uint32_t)cases[i].hash & 0x7fffffffu;
    /* A large prime keeps most bits of the hash in the check. */
    int32_t want = (int32_t)(h % 1000003u);
    int32_t got = sl_repart_partition(cases[i].key, strlen(cases[i].key),
                                      1000003);
    if (got != want)
      fail_msg("\"%s\": partition %d of 1000003, wanted %d", cases[i].key,
               got, want);
  }
  /* The partitions Sluice's producer puts the keys "a" and "d" on. */
  assert_int_equal(sl_repart_partition("a", 1, 2), 0);
  assert_int_equal(sl_repart_partition("d", 1, 2), 1);
}

/* A sink keeping each row's id and watermark, and the last watermark. */
typedef struct seen_op {
  sl_op base;
  int64_t id[16];
  int64_t event_time[16];
  int64_t wm[16];
  int n;
  int64_t last_wm;
} seen_op;

static sl_status seen_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  (void)port;
  (void)err;
  seen_op *s = (seen_op *)op;
  for (int r = 0; r < in->batch->nrows && s->n < 16; r++) {
    if (in->batch->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    s->id[s->n] = in->batch->cols[0][r].u.i64;
    s->event_time[s->n] = in->batch->rows[r].event_time;
    s->wm[s->n++] = in->row_watermark[r];
  }
  return SL_OK;
}

static sl_status seen_watermark(sl_op *op, int64_t wm, sl_error *err) {
  (void)err;
  ((seen_op *)op)->last_wm = wm;
  return SL_OK;
}

static void seen_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class seen_class = {.name = "seen",
                                       .process = seen_process,
                                       .watermark = seen_watermark,
                                       .destroy = seen_destroy};

typedef struct fixture {
  sl_record_schema *schema;
  sl_op *src;
  seen_op *seen;
  sl_op_ctx ctx;
  sl_strbuf rec;
} fixture;

static int setup(void **state) {
  sl_error err;
  fixture *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  f->schema = sl_record_schema_new();
  assert_non_null(f->schema);
  if (sl_record_schema_add(f->schema, "c0", true, sl_type_bigint(), false,
                           &err) < 0)
    fail_msg("schema: %s", err.message);
  int map[] = {0};
  sl_source_spec spec = {.topic = "_sluice-s-q-repartition-0",
                         .schema = f->schema,
                         .format = SL_SOURCE_INTERNAL,
                         .ncols = 1,
                         .col_map = map};
  OK(sl_source_new(&spec, NULL, &f->src, &err));
  f->seen = calloc(1, sizeof(*f->seen));
  assert_non_null(f->seen);
  OK(sl_op_init(&f->seen->base, &seen_class, 1, &err));
  f->seen->last_wm = SL_WATERMARK_NONE;
  sl_op_connect(f->src, &f->seen->base, 0);
  OK(sl_op_open(f->src, &f->ctx, &err));
  OK(sl_op_open(&f->seen->base, &f->ctx, &err));
  int32_t parts[] = {0};
  OK(sl_source_assign(f->src, parts, 1, true, &err));
  sl_strbuf_init(&f->rec);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sl_op_destroy(f->src);
  sl_op_destroy(&f->seen->base);
  sl_record_schema_free(f->schema);
  sl_strbuf_free(&f->rec);
  free(f);
  return 0;
}

/* Pushes one record at offset off of reader partition 0: a mark (id <
 * 0) or a row, from a writer listing the one upstream partition up of
 * two, with the writer's watermark wm. */
static void push(fixture *f, int64_t off, int32_t up, int64_t wm,
                 int64_t up_offset, int64_t id, int64_t ts) {
  sl_error err;
  sl_strbuf *b = &f->rec;
  sl_strbuf_reset(b);
  unsigned char kind = id < 0 ? SL_REPART_MARK : SL_REPART_ROW;
  sl_strbuf_append(b, (const char *)&kind, 1);
  sl_rowcodec_put_u64v(b, 2);
  sl_rowcodec_put_i64(b, wm);
  sl_rowcodec_put_u64v(b, 1);
  sl_rowcodec_put_u64v(b, (uint64_t)up);
  if (id >= 0) {
    sl_rowcodec_put_u64v(b, (uint64_t)up);
    sl_rowcodec_put_u64v(b, (uint64_t)up_offset);
    sl_rowcodec_put_i64(b, ts);
    sl_rowcodec_put_i64(b, ts);
    sl_value v = {.kind = SL_TYPE_BIGINT, .u.i64 = id};
    sl_rowcodec_put_value(b, &v);
  }
  assert_false(b->failed);
  sl_kafka_msg m = {.topic = "_sluice-s-q-repartition-0",
                    .partition = 0,
                    .offset = off,
                    .timestamp_ms = ts,
                    .value = b->data,
                    .value_len = b->len};
  OK(sl_source_push(f->src, &m, 1, &err));
}

/* Two writers, one per upstream partition: the watermark waits for both
 * and is the lesser; rows keep their writer's watermark. */
static void test_watermark_over_writers(void **state) {
  fixture *f = *state;
  push(f, 0, 0, 100, 0, -1, 0);
  ASSERT_WM(f->src, SL_WATERMARK_NONE); /* upstream 1 unknown */
  push(f, 1, 1, 50, 0, -1, 0);
  ASSERT_WM(f->src, 50);
  assert_int_equal(f->seen->last_wm, 50);

  /* A row of upstream 0 judged at 200 by its writer: the watermark
   * stays 50 (upstream 1), the row keeps 200. */
  push(f, 2, 0, 200, 7, 1, 190);
  ASSERT_WM(f->src, 50);
  assert_int_equal(f->seen->n, 1);
  assert_int_equal(f->seen->id[0], 1);
  assert_int_equal(f->seen->event_time[0], 190);
  assert_int_equal(f->seen->wm[0], 200);

  /* Upstream 1 moves to 300: the watermark is upstream 0's, 200. */
  push(f, 3, 1, 300, 0, -1, 0);
  ASSERT_WM(f->src, 200);

  /* A row whose writer knew less than the reader does gets the
   * reader's watermark. */
  push(f, 4, 1, 120, 3, 2, 150);
  assert_int_equal(f->seen->n, 2);
  assert_int_equal(f->seen->wm[1], 200);
  ASSERT_WM(f->src, 200); /* watermarks never go back */

  /* Positions count every record, marks too. */
  sl_kafka_position pos[2];
  assert_int_equal(sl_source_positions(f->src, pos, 2), 1);
  assert_int_equal(pos[0].offset, 5);
}

/* A row produced again after its writer restarted (offset not above
 * the last applied for its upstream partition) is dropped. */
static void test_duplicates_dropped(void **state) {
  fixture *f = *state;
  push(f, 0, 0, 10, 5, 1, 10);
  push(f, 1, 0, 10, 6, 2, 11);
  push(f, 2, 0, 10, 5, 1, 10); /* again */
  push(f, 3, 0, 10, 6, 2, 11); /* again */
  push(f, 4, 1, 10, 5, 3, 12); /* another upstream partition */
  push(f, 5, 0, 10, 7, 4, 13);
  assert_int_equal(f->seen->n, 4);
  int64_t want[] = {1, 2, 3, 4};
  for (int i = 0; i < 4; i++)
    if (f->seen->id[i] != want[i])
      fail_msg("row %d: id %lld, wanted %lld", i, (long long)f->seen->id[i],
               (long long)want[i]);
}

/* Bounded: END from every upstream partition completes the partition. */
static void test_end_marks(void **state) {
  fixture *f = *state;
  int32_t done[4];
  push(f, 0, 0, SL_WATERMARK_END, 0, -1, 0);
  assert_int_equal(sl_source_complete(f->src, done, 4), 0);
  ASSERT_WM(f->src, SL_WATERMARK_NONE);
  push(f, 1, 1, 40, 0, -1, 0);
  ASSERT_WM(f->src, 40);
  assert_int_equal(sl_source_complete(f->src, done, 4), 0);
  push(f, 2, 1, SL_WATERMARK_END, 0, -1, 0);
  assert_int_equal(sl_source_complete(f->src, done, 4), 1);
  assert_int_equal(done[0], 0);
  ASSERT_WM(f->src, SL_WATERMARK_END);
  assert_int_equal(f->seen->last_wm, SL_WATERMARK_END);
}

/* Not a repartition record: the query stops. */
static void test_malformed(void **state) {
  fixture *f = *state;
  sl_error err;
  const char junk[] = "{\"k\": 1}";
  sl_kafka_msg m = {.topic = "_sluice-s-q-repartition-0",
                    .partition = 0,
                    .offset = 0,
                    .value = junk,
                    .value_len = sizeof(junk) - 1};
  assert_int_equal(sl_source_push(f->src, &m, 1, &err), SL_ERR_INTERNAL);
  assert_non_null(strstr(err.message, "not a repartition record"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_murmur2_vectors),
      cmocka_unit_test_setup_teardown(test_watermark_over_writers, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_duplicates_dropped, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_end_marks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
