/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_join_temporal.c - JOIN t FOR SYSTEM_TIME AS OF s.ts against a
 * versioned table: the version valid at the row's time (exactly at
 * valid_from, before any version, after a deletion), versions written
 * after a row was joined, NULL keys and times, unknown keys, LEFT and
 * INNER, and a residual condition.
 */
#include "test_stateful.h"

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/common/log.h"
#include "engine/ops/temporal_join.h"

static sl_catalog *cat;
static sl_lookup *lk;

static sl_value str(const char *s) {
  return sl_value_varchar(s, strlen(s));
}

static void version(const char *id, int64_t risk, int64_t valid_from) {
  sl_error err;
  sl_value row[2] = {str(id), sl_value_bigint(risk)};
  OK(sl_lookup_upsert(lk, row, valid_from, &err));
}

static int setup(void **state) {
  (void)state;
  sl_error err;
  tb_init();
  sl_log_set_level(SL_LOG_ERROR);
  OK(sl_catalog_open(":memory:", &cat, &err));
  sl_catalog_object *obj =
      sl_catalog_object_new(SL_CATALOG_TABLE, "merchants", "CREATE ...");
  OK(sl_catalog_object_add_column(obj, "id", sl_type_varchar(), false, true,
                                  &err));
  OK(sl_catalog_object_add_column(obj, "risk", sl_type_bigint(), false,
                                  false, &err));
  OK(sl_catalog_object_add_option(obj, "versioned", "true", &err));
  OK(sl_catalog_create(cat, obj, false, NULL, &err));
  sl_catalog_object_free(obj);
  sl_catalog_object *plain =
      sl_catalog_object_new(SL_CATALOG_TABLE, "plain", "CREATE ...");
  OK(sl_catalog_object_add_column(plain, "id", sl_type_varchar(), false,
                                  true, &err));
  OK(sl_catalog_create(cat, plain, false, NULL, &err));
  sl_catalog_object_free(plain);
  OK(sl_lookup_open(cat, "merchants", 0, &lk, &err));
  version("m1", 10, 100);
  version("m1", 20, 200);
  sl_value key = str("m1");
  OK(sl_lookup_delete(lk, &key, 300, NULL, &err));
  version("m1", 40, 400);
  version("m2", 7, SL_LOOKUP_ALWAYS);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sl_lookup_close(lk);
  sl_catalog_close(cat);
  tb_done();
  return 0;
}

static sl_op *mk(bool left, const sl_bexpr *residual, const char *table) {
  sl_error err;
  sl_bexpr **keys = sl_arena_calloc(&tb_arena, 1, sizeof(*keys));
  keys[0] = ts_k();
  sl_temporal_join_spec spec = {.table = table, .left_outer = left,
                                .nleft = 2, .nkeys = 1, .left_keys = keys,
                                .residual = residual};
  sl_op *op;
  OK(sl_temporal_join_new(&spec, NULL, &op, &err));
  return op;
}

static void open_rig(ts_rig *g, sl_op *op) {
  sl_error err;
  memset(g, 0, sizeof(*g));
  g->op = op;
  g->ctx.query_id = "q";
  g->ctx.catalog = cat;
  OK(sl_sink_callback_new(4, ts_collect, &g->got, &g->sink, &err));
  sl_op_connect(op, g->sink, 0);
  OK(sl_op_open(g->sink, &g->ctx, &err));
  OK(sl_op_open(op, &g->ctx, &err));
}

static const ts_ev events[] = {
    {99, "m1", 0},   /* before the first version */
    {100, "m1", 1},  /* exactly at valid_from */
    {199, "m1", 2},
    {200, "m1", 3},  /* the second version */
    {299, "m1", 4},
    {300, "m1", 5},  /* deleted from 300 on */
    {399, "m1", 6},
    {400, "m1", 7},  /* back */
    {50, "m2", 8},   /* valid always */
    {60, "m3", 9},   /* unknown */
    {70, NULL, 10},  /* NULL key */
};

static void test_left(void **state) {
  (void)state;
  ts_rig g;
  open_rig(&g, mk(true, NULL, "merchants"));
  ts_feed f;
  ts_feed_init(&f, 1000);
  ts_feed_events(&f, g.op, 0, events, 11, 4);
  TS_EXPECT(&g.got, "m1|0|NULL|NULL", "m1|1|m1|10", "m1|2|m1|10",
            "m1|3|m1|20", "m1|4|m1|20", "m1|5|NULL|NULL", "m1|6|NULL|NULL",
            "m1|7|m1|40", "m2|8|m2|7", "m3|9|NULL|NULL",
            "NULL|10|NULL|NULL");
  sl_op_destroy(g.op);
  sl_op_destroy(g.sink);
  ts_sink_clear(&g.got);
}

static void test_inner_and_later_versions(void **state) {
  (void)state;
  ts_rig g;
  open_rig(&g, mk(false, NULL, "merchants"));
  ts_feed f;
  ts_feed_init(&f, 1000);
  ts_feed_events(&f, g.op, 0, events, 11, 0);
  TS_EXPECT(&g.got, "m1|1|m1|10", "m1|2|m1|10", "m1|3|m1|20", "m1|4|m1|20",
            "m1|7|m1|40", "m2|8|m2|7");

  /* A version written later for a time before the event is seen by the
   * next row; one from after the event is not. */
  const ts_ev again[] = {{500, "m1", 11}};
  ts_feed_events(&f, g.op, 0, again, 1, 0);
  version("m1", 45, 450);
  version("m1", 60, 600);
  ts_feed_events(&f, g.op, 0, again, 1, 0);
  assert_int_equal(g.got.n, 8);
  assert_string_equal(g.got.lines[6], "m1|11|m1|40");
  assert_string_equal(g.got.lines[7], "m1|11|m1|45");
  sl_op_destroy(g.op);
  sl_op_destroy(g.sink);
  ts_sink_clear(&g.got);
}

/* ON s.k = t.id AND t.risk > s.v: a version the condition rejects is no
 * match. */
static void test_residual(void **state) {
  (void)state;
  sl_bexpr *cond = tb_cmp(SL_OP_GT, tb_col(3, sl_type_bigint()),
                          tb_col(1, sl_type_bigint()));
  ts_rig g;
  open_rig(&g, mk(true, cond, "merchants"));
  const ts_ev ev[] = {{150, "m1", 5}, {150, "m1", 15}};
  ts_feed f;
  ts_feed_init(&f, 1000);
  ts_feed_events(&f, g.op, 0, ev, 2, 0);
  TS_EXPECT(&g.got, "m1|5|m1|10", "m1|15|NULL|NULL");
  sl_op_destroy(g.op);
  sl_op_destroy(g.sink);
  ts_sink_clear(&g.got);
}

static void test_not_versioned(void **state) {
  (void)state;
  sl_error err;
  sl_op *op = mk(false, NULL, "plain");
  sl_op_ctx ctx = {.query_id = "q", .catalog = cat};
  assert_int_equal(sl_op_open(op, &ctx, &err), SL_ERR_SQL);
  assert_non_null(strstr(err.message, "versioned"));
  sl_op_destroy(op);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_left),
      cmocka_unit_test(test_inner_and_later_versions),
      cmocka_unit_test(test_residual),
      cmocka_unit_test(test_not_versioned),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
