/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ops.c - operators on hand-built batches: filter, project, union,
 * limit, lookup join (hit, miss, NULL key, LEFT, residual, table changed
 * between batches), the JSON source (pseudo-columns, failed records,
 * per-row watermarks, bounded end), the error router's skip and fail
 * policies, and the operator lifecycle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "test_expr_build.h"

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/format/schema.h"
#include "engine/ops/errors.h"
#include "engine/ops/filter.h"
#include "engine/ops/limit.h"
#include "engine/ops/lookup_join.h"
#include "engine/ops/op.h"
#include "engine/ops/project.h"
#include "engine/ops/sink_callback.h"
#include "engine/ops/source.h"
#include "engine/ops/union.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, err.message);         \
  } while (0)

/* ---- A collecting sink ------------------------------------------------ */

/* Rows as text "v1|v2|...", NULL as "NULL". */
typedef struct collected {
  char lines[64][128];
  int n;
  int batches;
} collected;

static sl_status collect(void *ud, const sl_batch *b, int ncols,
                         sl_error *err) {
  (void)err;
  collected *c = ud;
  c->batches++;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_strbuf sb = SL_STRBUF_INIT;
    for (int k = 0; k < ncols; k++) {
      if (k)
        sl_strbuf_appendc(&sb, '|');
      const sl_value *v = &b->cols[k][r];
      if (v->kind == SL_TYPE_NULL)
        sl_strbuf_appends(&sb, "NULL");
      else
        sl_format_text(&sb, v, NULL);
    }
    if (c->n < 64)
      snprintf(c->lines[c->n++], 128, "%s", sb.data ? sb.data : "");
    sl_strbuf_free(&sb);
  }
  return SL_OK;
}

static void assert_lines(const collected *c, int n, const char *const *want) {
  if (c->n != n) {
    for (int i = 0; i < c->n; i++)
      print_error("got: %s\n", c->lines[i]);
    fail_msg("expected %d rows, got %d", n, c->n);
  }
  for (int i = 0; i < n; i++)
    assert_string_equal(c->lines[i], want[i]);
}

static int setup(void **state) {
  (void)state;
  tb_init();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tb_done();
  return 0;
}

/* A chain of operators ending in a collecting sink, opened together. */
typedef struct chain {
  sl_op *ops[8];
  int n;
  sl_op_ctx ctx;
  collected got;
} chain;

/* Connects ops in order (each to port 0 of the next), adds the sink of
 * ncols columns and opens everything. */
static void chain_open(chain *c, int ncols) {
  sl_error err;
  sl_op *sink;
  OK(sl_sink_callback_new(ncols, collect, &c->got, &sink, &err));
  c->ops[c->n++] = sink;
  for (int i = 0; i + 1 < c->n; i++)
    sl_op_connect(c->ops[i], c->ops[i + 1], 0);
  for (int i = 0; i < c->n; i++)
    OK(sl_op_open(c->ops[i], &c->ctx, &err));
}

static void chain_free(chain *c) {
  for (int i = 0; i < c->n; i++)
    sl_op_destroy(c->ops[i]);
}

static void push(sl_op *op, sl_batch *b) {
  sl_error err;
  sl_op_batch in = {.batch = b};
  OK(sl_op_process(op, 0, &in, &err));
}

/* ---- Filter and project ----------------------------------------------- */

static void test_filter_project(void **state) {
  (void)state;
  sl_error err;
  sl_type *B = sl_type_bigint(), *D = sl_type_double();
  chain c = {0};
  /* WHERE amount > 10 ; SELECT id, amount * 2 */
  OK(sl_filter_new(tb_cmp(SL_OP_GT, tb_col(1, D), tb_double(10)), NULL,
                   &c.ops[0], &err));
  sl_bexpr **exprs = sl_arena_calloc(&tb_arena, 2, sizeof(*exprs));
  exprs[0] = tb_col(0, B);
  exprs[1] = tb_bin(SL_OP_MUL, D, tb_col(1, D), tb_double(2));
  OK(sl_project_new(2, exprs, NULL, &c.ops[1], &err));
  c.n = 2;
  chain_open(&c, 2);

  sl_value vals[] = {sl_value_bigint(1), sl_value_double(5),
                     sl_value_bigint(2), sl_value_double(12.5),
                     sl_value_bigint(3), sl_value_null(),
                     sl_value_bigint(4), sl_value_double(100)};
  sl_batch *b = tb_batch(2, 4, vals);
  push(c.ops[0], b);
  const char *want[] = {"2|25", "4|200"};
  assert_lines(&c.got, 2, want);

  sl_op_stats st;
  sl_op_stats_get(c.ops[0], &st);
  assert_int_equal(st.records_in, 4);
  assert_int_equal(st.records_out, 2);
  sl_op_stats_get(c.ops[1], &st);
  assert_int_equal(st.records_in, 2);
  assert_int_equal(st.records_out, 2);

  /* A batch where nothing passes never reaches the sink. */
  sl_value none[] = {sl_value_bigint(9), sl_value_double(1)};
  sl_batch *b2 = tb_batch(2, 1, none);
  push(c.ops[0], b2);
  assert_int_equal(c.got.batches, 1);
  sl_batch_free(b);
  sl_batch_free(b2);
  chain_free(&c);
}

/* A failing projection fails the row, counted at the projection. */
static void test_project_row_error(void **state) {
  (void)state;
  sl_error err;
  sl_type *I = sl_type_int();
  chain c = {0};
  sl_bexpr **exprs = sl_arena_calloc(&tb_arena, 1, sizeof(*exprs));
  exprs[0] = tb_bin(SL_OP_DIV, I, tb_int(10), tb_col(0, I));
  OK(sl_project_new(1, exprs, NULL, &c.ops[0], &err));
  c.n = 1;
  chain_open(&c, 1);
  sl_value vals[] = {sl_value_int(2), sl_value_int(0), sl_value_int(5)};
  sl_batch *b = tb_batch(1, 3, vals);
  push(c.ops[0], b);
  const char *want[] = {"5", "2"};
  assert_lines(&c.got, 2, want);
  assert_int_equal(b->rows[1].state, SL_BATCH_ROW_ERROR);
  assert_string_equal(b->rows[1].error->reason, "division_by_zero");
  sl_op_stats st;
  sl_op_stats_get(c.ops[0], &st);
  assert_int_equal(st.records_failed, 1);
  assert_int_equal(st.records_out, 2);
  sl_batch_free(b);
  chain_free(&c);
}

/* ---- Union and limit -------------------------------------------------- */

static void test_union_watermarks(void **state) {
  (void)state;
  sl_error err;
  chain c = {0};
  OK(sl_union_new(2, &c.ops[0], &err));
  c.n = 1;
  chain_open(&c, 1);
  sl_value a[] = {sl_value_int(1), sl_value_int(2)};
  sl_value b2[] = {sl_value_int(3)};
  sl_batch *ba = tb_batch(1, 2, a), *bb = tb_batch(1, 1, b2);
  sl_op_batch in = {.batch = ba};
  OK(sl_op_process(c.ops[0], 0, &in, &err));
  in.batch = bb;
  OK(sl_op_process(c.ops[0], 1, &in, &err));
  const char *want[] = {"1", "2", "3"};
  assert_lines(&c.got, 3, want);

  /* The watermark is the minimum over both inputs. */
  sl_op *u = c.ops[0], *sink = c.ops[1];
  OK(sl_op_push_watermark(u, 0, 100, &err));
  assert_true(sink->watermark == SL_WATERMARK_NONE);
  OK(sl_op_push_watermark(u, 1, 50, &err));
  assert_true(sink->watermark == 50);
  OK(sl_op_push_watermark(u, 1, 150, &err));
  assert_true(sink->watermark == 100);
  /* Watermarks never go back. */
  OK(sl_op_push_watermark(u, 0, 20, &err));
  assert_true(sink->watermark == 100);
  OK(sl_op_push_watermark(u, 0, SL_WATERMARK_END, &err));
  OK(sl_op_push_watermark(u, 1, SL_WATERMARK_END, &err));
  assert_true(sink->watermark == SL_WATERMARK_END);

  /* Wrong port. */
  assert_int_equal(sl_op_process(u, 2, &in, &err), SL_ERR_INTERNAL);
  sl_batch_free(ba);
  sl_batch_free(bb);
  chain_free(&c);
}

static void finish_cb(void *ud) {
  (*(int *)ud)++;
}

static void test_limit(void **state) {
  (void)state;
  sl_error err;
  chain c = {0};
  int finished = 0;
  c.ctx.finish = finish_cb;
  c.ctx.finish_ud = &finished;
  OK(sl_limit_new(3, &c.ops[0], &err));
  c.n = 1;
  chain_open(&c, 1);
  sl_value v[] = {sl_value_int(1), sl_value_int(2)};
  sl_batch *b1 = tb_batch(1, 2, v), *b2 = tb_batch(1, 2, v);
  b1->rows[0].state = SL_BATCH_ROW_DROPPED;
  push(c.ops[0], b1);
  assert_int_equal(finished, 0);
  push(c.ops[0], b2);
  assert_int_equal(finished, 1);
  const char *want[] = {"2", "1", "2"};
  assert_lines(&c.got, 3, want);
  sl_batch_free(b1);
  sl_batch_free(b2);
  chain_free(&c);
}

static void test_lifecycle(void **state) {
  (void)state;
  sl_error err;
  sl_op *f;
  OK(sl_filter_new(tb_bool(true), NULL, &f, &err));
  sl_value v[] = {sl_value_int(1)};
  sl_batch *b = tb_batch(1, 1, v);
  sl_op_batch in = {.batch = b};
  /* A batch before open is a broken invariant, not a crash. */
  assert_int_equal(sl_op_process(f, 0, &in, &err), SL_ERR_INTERNAL);
  sl_op_ctx ctx = {0};
  OK(sl_op_open(f, &ctx, &err));
  assert_int_equal(sl_op_open(f, &ctx, &err), SL_ERR_INTERNAL);
  sl_op_close(f);
  sl_op_close(f);
  assert_int_equal(sl_op_process(f, 0, &in, &err), SL_ERR_INTERNAL);
  sl_op_destroy(f);
  sl_batch_free(b);
}

/* ---- Lookup join ------------------------------------------------------ */

static sl_catalog *merchants(void) {
  sl_error err;
  sl_catalog *cat;
  OK(sl_catalog_open(":memory:", &cat, &err));
  sl_catalog_object *obj =
      sl_catalog_object_new(SL_CATALOG_TABLE, "merchants", "CREATE ...");
  OK(sl_catalog_object_add_column(obj, "id", sl_type_bigint(), false, true,
                                  &err));
  OK(sl_catalog_object_add_column(obj, "name", sl_type_varchar(), false,
                                  false, &err));
  OK(sl_catalog_object_add_column(obj, "risk", sl_type_double(), false,
                                  false, &err));
  OK(sl_catalog_create(cat, obj, false, NULL, &err));
  sl_catalog_object_free(obj);

  sl_lookup *lk;
  OK(sl_lookup_open(cat, "merchants", 0, &lk, &err));
  sl_value r1[] = {sl_value_bigint(1), sl_value_varchar("acme", 4),
                   sl_value_double(0.5)};
  sl_value r2[] = {sl_value_bigint(2), sl_value_varchar("bolt", 4),
                   sl_value_double(0.9)};
  OK(sl_lookup_upsert(lk, r1, SL_LOOKUP_ALWAYS, &err));
  OK(sl_lookup_upsert(lk, r2, SL_LOOKUP_ALWAYS, &err));
  sl_lookup_close(lk);
  return cat;
}

/* Payments (id, merchant) joined to merchants on merchant = id. */
static void run_join(sl_catalog *cat, bool left, const sl_bexpr *residual,
                     collected *out, sl_batch *b, bool update_between) {
  sl_error err;
  chain c = {0};
  c.ctx.catalog = cat;
  sl_bexpr **keys = sl_arena_calloc(&tb_arena, 1, sizeof(*keys));
  keys[0] = tb_col(1, sl_type_bigint());
  sl_lookup_join_spec spec = {
      .table = "merchants",
      .left_outer = left,
      .nleft = 2,
      .nkeys = 1,
      .left_keys = keys,
      .nright = 3,
      .residual = residual,
  };
  OK(sl_lookup_join_new(&spec, NULL, &c.ops[0], &err));
  c.n = 1;
  chain_open(&c, 5);
  push(c.ops[0], b);
  if (update_between) {
    /* The table changes while the query runs: the next batch sees it. */
    sl_lookup *lk;
    OK(sl_lookup_open(cat, "merchants", 0, &lk, &err));
    sl_value r1[] = {sl_value_bigint(1), sl_value_varchar("acme2", 5),
                     sl_value_double(0.1)};
    OK(sl_lookup_upsert(lk, r1, SL_LOOKUP_ALWAYS, &err));
    sl_lookup_close(lk);
    for (int r = 0; r < b->nrows; r++)
      b->rows[r].state = SL_BATCH_ROW_SELECTED;
    push(c.ops[0], b);
  }
  *out = c.got;
  chain_free(&c);
}

static sl_batch *payments(void) {
  sl_value vals[] = {
      sl_value_bigint(100), sl_value_bigint(1),  /* hit */
      sl_value_bigint(101), sl_value_bigint(7),  /* miss */
      sl_value_bigint(102), sl_value_null(),     /* NULL key */
      sl_value_bigint(103), sl_value_bigint(2),  /* hit */
  };
  return tb_batch(2, 4, vals);
}

static void test_lookup_join_inner(void **state) {
  (void)state;
  sl_catalog *cat = merchants();
  sl_batch *b = payments();
  collected got;
  run_join(cat, false, NULL, &got, b, false);
  const char *want[] = {"100|1|1|acme|0.5", "103|2|2|bolt|0.9"};
  assert_lines(&got, 2, want);
  sl_batch_free(b);
  sl_catalog_close(cat);
}

static void test_lookup_join_left(void **state) {
  (void)state;
  sl_catalog *cat = merchants();
  sl_batch *b = payments();
  collected got;
  run_join(cat, true, NULL, &got, b, false);
  const char *want[] = {"100|1|1|acme|0.5", "101|7|NULL|NULL|NULL",
                        "102|NULL|NULL|NULL|NULL", "103|2|2|bolt|0.9"};
  assert_lines(&got, 4, want);
  sl_batch_free(b);
  sl_catalog_close(cat);
}

static void test_lookup_join_residual(void **state) {
  (void)state;
  sl_catalog *cat = merchants();
  sl_batch *b = payments();
  /* ON p.merchant = m.id AND m.risk < 0.8, LEFT: bolt's row loses its
   * match. */
  sl_bexpr *res = tb_cmp(SL_OP_LT, tb_col(4, sl_type_double()),
                         tb_double(0.8));
  collected got;
  run_join(cat, true, res, &got, b, false);
  const char *want[] = {"100|1|1|acme|0.5", "101|7|NULL|NULL|NULL",
                        "102|NULL|NULL|NULL|NULL", "103|2|NULL|NULL|NULL"};
  assert_lines(&got, 4, want);
  sl_batch_free(b);
  sl_catalog_close(cat);
}

static void test_lookup_join_sees_updates(void **state) {
  (void)state;
  sl_catalog *cat = merchants();
  sl_batch *b = payments();
  collected got;
  run_join(cat, false, NULL, &got, b, true);
  const char *want[] = {"100|1|1|acme|0.5", "103|2|2|bolt|0.9",
                        "100|1|1|acme2|0.1", "103|2|2|bolt|0.9"};
  assert_lines(&got, 4, want);
  sl_batch_free(b);
  sl_catalog_close(cat);
}

/* ---- Source ----------------------------------------------------------- */

/* orders(id BIGINT, amount DOUBLE, ts TIMESTAMP) with event time ts. */
static sl_record_schema *orders_schema(void) {
  sl_error err;
  sl_record_schema *s = sl_record_schema_new();
  sl_record_schema_add(s, "id", false, sl_type_bigint(), true, &err);
  sl_record_schema_add(s, "amount", false, sl_type_double(), false, &err);
  sl_record_schema_add(s, "ts", false, sl_type_timestamp(), false, &err);
  OK(sl_record_schema_set_event_time(s, 2, NULL, &err));
  return s;
}

static sl_kafka_msg msg(int32_t part, int64_t off, const char *value) {
  sl_kafka_msg m = {.topic = "orders",
                    .partition = part,
                    .offset = off,
                    .timestamp_ms = 1000 + off,
                    .value = value,
                    .value_len = strlen(value)};
  return m;
}

/* A sink that keeps the row watermarks it saw. */
typedef struct wm_seen {
  int64_t wm[16];
  int n;
} wm_seen;

static sl_status wm_process(sl_op *op, int port, const sl_op_batch *in,
                            sl_error *err) {
  (void)port;
  (void)err;
  wm_seen *w = *(wm_seen **)(op + 1);
  for (int r = 0; r < in->batch->nrows && w->n < 16; r++)
    if (in->batch->rows[r].state == SL_BATCH_ROW_SELECTED)
      w->wm[w->n++] = in->row_watermark[r];
  return SL_OK;
}

static void wm_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class wm_class = {
    .name = "wm", .process = wm_process, .destroy = wm_destroy};

static void test_source_json(void **state) {
  (void)state;
  sl_error err;
  sl_record_schema *schema = orders_schema();
  /* Output: id, amount, ROWPARTITION, ROWOFFSET; ts is not needed but
   * still validated. */
  sl_record_schema_need(schema, 2, false);
  int map[] = {0, 1, 3 + SL_RECORD_SYS_ROWPARTITION,
               3 + SL_RECORD_SYS_ROWOFFSET};
  sl_source_spec spec = {.topic = "orders",
                         .schema = schema,
                         .ncols = 4,
                         .col_map = map,
                         .out_of_order_ms = 10,
                         .capacity = 3};
  sl_op *src;
  OK(sl_source_new(&spec, NULL, &src, &err));
  sl_op_errors *er = sl_op_errors_new("q1", NULL);
  OK(sl_op_errors_add_source(er, "orders", SL_POLICY_SKIP, NULL, &err));

  chain c = {0};
  c.ctx.errors = er;
  c.ops[c.n++] = src;
  chain_open(&c, 4);
  int32_t parts[] = {0, 1};
  OK(sl_source_assign(src, parts, 2, true, &err));

  sl_kafka_msg msgs[] = {
      msg(0, 5, "{\"id\": 1, \"amount\": 2.5, \"ts\": 1000}"),
      msg(1, 9, "{\"id\": 2, \"ts\": \"1970-01-01T00:00:02Z\"}"),
      msg(0, 6, "{\"id\": 3, \"amount\": \"x\", \"ts\": 3000}"),
      msg(0, 7, "{\"id\": 4, \"amount\": 1, \"ts\": 1500}"),
      msg(1, 10, "not json"),
  };
  OK(sl_source_push(src, msgs, 5, &err));
  const char *want[] = {"1|2.5|0|5", "2|NULL|1|9", "4|1|0|7"};
  assert_lines(&c.got, 3, want);
  /* Two chunks of at most three rows. */
  assert_int_equal(c.got.batches, 2);

  sl_op_stats st;
  sl_op_stats_get(src, &st);
  assert_int_equal(st.records_in, 5);
  assert_int_equal(st.records_failed, 2);
  sl_op_errors_stats es;
  sl_op_errors_stats_get(er, &es);
  assert_int_equal(es.skipped, 2);

  /* Watermark: min over partitions of max event time - 10 ms; failed
   * records do not count (partition 0: 1500, partition 1: 2000). */
  assert_true(sl_source_watermark(src) == 1490);
  sl_kafka_position pos[4];
  assert_int_equal(sl_source_positions(src, pos, 4), 2);
  assert_int_equal(pos[0].partition, 0);
  assert_true(pos[0].offset == 8);
  assert_true(pos[1].offset == 11);

  /* Bounded ends: partition 0 done leaves partition 1 in charge; both
   * done is the end of time. */
  OK(sl_source_partition_done(src, 0, &err));
  assert_true(sl_source_watermark(src) == 1990);
  OK(sl_source_partition_done(src, 1, &err));
  assert_true(sl_source_watermark(src) == SL_WATERMARK_END);
  assert_true(c.ops[1]->watermark == SL_WATERMARK_END);
  chain_free(&c);
  sl_op_errors_free(er);
  sl_record_schema_free(schema);
}

/* Each row carries the watermark left by the rows before it. */
static void test_source_row_watermarks(void **state) {
  (void)state;
  sl_error err;
  sl_record_schema *schema = orders_schema();
  int map[] = {0};
  sl_source_spec spec = {.topic = "orders", .schema = schema, .ncols = 1,
                         .col_map = map};
  sl_op *src;
  OK(sl_source_new(&spec, NULL, &src, &err));
  sl_op *w = calloc(1, sizeof(sl_op) + sizeof(wm_seen *));
  wm_seen seen = {0};
  *(wm_seen **)(w + 1) = &seen;
  OK(sl_op_init(w, &wm_class, 1, &err));
  sl_op_connect(src, w, 0);
  sl_op_ctx ctx = {0};
  OK(sl_op_open(src, &ctx, &err));
  OK(sl_op_open(w, &ctx, &err));
  int32_t p0 = 0;
  OK(sl_source_assign(src, &p0, 1, true, &err));
  sl_kafka_msg msgs[] = {
      msg(0, 0, "{\"id\": 1, \"ts\": 100}"),
      msg(0, 1, "{\"id\": 2, \"ts\": 300}"),
      msg(0, 2, "{\"id\": 3, \"ts\": 200}"),
      msg(0, 3, "{\"id\": 4, \"ts\": 400}"),
  };
  OK(sl_source_push(src, msgs, 4, &err));
  assert_int_equal(seen.n, 4);
  assert_true(seen.wm[0] == SL_WATERMARK_NONE);
  assert_true(seen.wm[1] == 100);
  assert_true(seen.wm[2] == 300);
  assert_true(seen.wm[3] == 300);
  assert_true(w->watermark == 400);
  sl_op_destroy(src);
  sl_op_destroy(w);
  sl_record_schema_free(schema);
}

/* errors='fail' stops at the first bad record, naming it. */
static void test_source_fail_policy(void **state) {
  (void)state;
  sl_error err;
  sl_record_schema *schema = orders_schema();
  int map[] = {0};
  sl_source_spec spec = {.topic = "orders", .schema = schema, .ncols = 1,
                         .col_map = map};
  sl_op *src;
  OK(sl_source_new(&spec, NULL, &src, &err));
  sl_op_errors *er = sl_op_errors_new("q1", NULL);
  OK(sl_op_errors_add_source(er, "orders", SL_POLICY_FAIL, NULL, &err));
  chain c = {0};
  c.ctx.errors = er;
  c.ops[c.n++] = src;
  chain_open(&c, 1);
  sl_kafka_msg msgs[] = {msg(3, 41, "{\"id\": 1, \"ts\": 5}"),
                         msg(3, 42, "{\"id\": null, \"ts\": 6}")};
  assert_int_equal(sl_source_push(src, msgs, 2, &err), SL_ERR_RECORD);
  char buf[512];
  sl_error_format(&err, buf, sizeof(buf));
  if (!strstr(buf, "orders [3] @ 42: not_null: "))
    fail_msg("unexpected error text: %s", buf);
  chain_free(&c);
  sl_op_errors_free(er);
  sl_record_schema_free(schema);
}

/* An operator that counts the watermarks that reach its function. */
typedef struct closer_op {
  sl_op base;
  int calls;
  int64_t last;
} closer_op;

static sl_status closer_process(sl_op *op, int port, const sl_op_batch *in,
                                sl_error *err) {
  (void)op;
  (void)port;
  (void)in;
  (void)err;
  return SL_OK;
}

static sl_status closer_watermark(sl_op *op, int64_t wm, sl_error *err) {
  (void)err;
  closer_op *c = (closer_op *)op;
  c->calls++;
  c->last = wm;
  return SL_OK;
}

static void closer_destroy(sl_op *op) {
  free(op);
}

static const sl_op_class closer_class = {.name = "closer",
                                         .process = closer_process,
                                         .watermark = closer_watermark,
                                         .destroy = closer_destroy};

/* Lowering a port: what the operator closed stays closed (its function
 * runs again only past its watermark), an operator without a watermark
 * function passes the lowering on, and after the end of time the next
 * end closes again. */
static void test_lower_watermark(void **state) {
  (void)state;
  sl_error err;
  sl_op_ctx ctx = {0};
  closer_op *c = calloc(1, sizeof(*c));
  assert_non_null(c);
  OK(sl_op_init(&c->base, &closer_class, 1, &err));
  sl_op *lim;
  OK(sl_limit_new(100, &lim, &err));
  sl_op_connect(lim, &c->base, 0);
  OK(sl_op_open(lim, &ctx, &err));
  OK(sl_op_open(&c->base, &ctx, &err));

  OK(sl_op_push_watermark(lim, 0, 5000, &err));
  assert_int_equal(c->calls, 1);
  sl_op_lower_watermark(lim, 0, 1000);
  assert_int_equal(lim->ports_wm[0], 1000);
  assert_int_equal(c->base.ports_wm[0], 1000);
  assert_int_equal(c->base.watermark, 5000);
  OK(sl_op_push_watermark(lim, 0, 4000, &err));
  assert_int_equal(c->calls, 1);
  OK(sl_op_push_watermark(lim, 0, 6000, &err));
  assert_int_equal(c->calls, 2);
  assert_int_equal(c->last, 6000);

  OK(sl_op_push_watermark(lim, 0, SL_WATERMARK_END, &err));
  assert_int_equal(c->calls, 3);
  sl_op_lower_watermark(lim, 0, 2000);
  assert_int_equal(c->base.watermark, 2000);
  OK(sl_op_push_watermark(lim, 0, SL_WATERMARK_END, &err));
  assert_int_equal(c->calls, 4);
  assert_true(c->last == SL_WATERMARK_END);
  sl_op_destroy(lim);
  sl_op_destroy(&c->base);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_filter_project),
      cmocka_unit_test(test_lower_watermark),
      cmocka_unit_test(test_project_row_error),
      cmocka_unit_test(test_union_watermarks),
      cmocka_unit_test(test_limit),
      cmocka_unit_test(test_lifecycle),
      cmocka_unit_test(test_lookup_join_inner),
      cmocka_unit_test(test_lookup_join_left),
      cmocka_unit_test(test_lookup_join_residual),
      cmocka_unit_test(test_lookup_join_sees_updates),
      cmocka_unit_test(test_source_json),
      cmocka_unit_test(test_source_row_watermarks),
      cmocka_unit_test(test_source_fail_policy),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
