/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_plan.c - the planner: EXPLAIN text of a few plans compared
 * exactly, with constant folding, filter pushdown (through projections,
 * into both sides of a lookup join, into a UNION ALL) and column pruning
 * down to the decoders visible in it; the errors of what cannot be
 * planned; and a stream's record schema (quoted columns, key format).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "test_expr_build.h"
#include "test_plan_build.h"

#include "catalog/catalog.h"
#include "engine/plan/plan.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, err.message);         \
  } while (0)

static sl_catalog_object *orders_obj, *merchants_obj, *clicks_obj, *out_obj;

/* orders(id BIGINT, merchant BIGINT, amount DOUBLE, note VARCHAR) */
static sl_catalog_object *make_stream(const char *name, int n,
                                      const char *const *names,
                                      sl_type *const *types, int key) {
  sl_error err;
  sl_catalog_object *o = sl_catalog_object_new(SL_CATALOG_STREAM, name, NULL);
  for (int i = 0; i < n; i++)
    OK(sl_catalog_object_add_column(o, names[i], sl_type_clone(types[i]),
                                    false, false, &err));
  OK(sl_catalog_object_add_option(o, "topic", name, &err));
  OK(sl_catalog_object_add_option(o, "format", "json", &err));
  if (key >= 0)
    OK(sl_catalog_object_set_key(o, names[key], &err));
  return o;
}

static int setup(void **state) {
  (void)state;
  sl_error err;
  tb_init();
  const char *on[] = {"id", "merchant", "amount", "note"};
  sl_type *ot[] = {sl_type_bigint(), sl_type_bigint(), sl_type_double(),
                   sl_type_varchar()};
  orders_obj = make_stream("orders", 4, on, ot, -1);
  const char *cn[] = {"id", "merchant", "amount", "note"};
  clicks_obj = make_stream("clicks", 4, cn, ot, -1);
  const char *xn[] = {"id", "total"};
  sl_type *xt[] = {sl_type_bigint(), sl_type_double()};
  out_obj = make_stream("big", 2, xn, xt, 0);

  merchants_obj = sl_catalog_object_new(SL_CATALOG_TABLE, "merchants", NULL);
  OK(sl_catalog_object_add_column(merchants_obj, "id", sl_type_bigint(),
                                  false, true, &err));
  OK(sl_catalog_object_add_column(merchants_obj, "name", sl_type_varchar(),
                                  false, false, &err));
  OK(sl_catalog_object_add_column(merchants_obj, "risk", sl_type_double(),
                                  false, false, &err));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sl_catalog_object_free(orders_obj);
  sl_catalog_object_free(clicks_obj);
  sl_catalog_object_free(out_obj);
  sl_catalog_object_free(merchants_obj);
  tb_done();
  return 0;
}

static char *explain(sl_plan *plan) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_plan_explain(plan, NULL, NULL, &sb), SL_OK);
  return sb.data;
}

static void assert_explain(sl_plan *plan, const char *want) {
  char *got = explain(plan);
  if (strcmp(got, want) != 0) {
    print_error("EXPLAIN differs; got:\n%s\nwanted:\n%s\n", got, want);
    free(got);
    fail();
  }
  free(got);
}

static sl_status build(sl_rel *q, sl_plan_sink_kind sink, int64_t limit,
                       sl_plan **out, sl_error *err) {
  sl_plan_request req = {.query = q,
                         .query_id = "q",
                         .file = "t.sql",
                         .limit = limit,
                         .sink = sink,
                         .stream = out_obj,
                         .partitions = -1,
                         .replicas = -1};
  return sl_plan_build(&req, out, err);
}

/* ---- Plans ------------------------------------------------------------ */

/* SELECT id, amount * 2 AS doubled FROM orders WHERE amount > 90 + 10:
 * the constant folds; note and merchant are not decoded. */
static void test_explain_filter_project(void **state) {
  (void)state;
  sl_error err;
  sl_type *B = sl_type_bigint(), *D = sl_type_double();
  sl_rel *s = scan(orders_obj, SL_SCAN_STREAM);
  sl_rel *f = filter(s, tb_cmp(SL_OP_GT, tb_col(2, D),
                               tb_bin(SL_OP_ADD, D, tb_double(90),
                                      tb_double(10))));
  const char *names[] = {"id", "doubled"};
  sl_bexpr *ex[] = {tb_col(0, B),
                    tb_bin(SL_OP_MUL, D, tb_col(2, D), tb_double(2))};
  sl_rel *q = project(f, 2, names, ex);
  sl_plan *plan;
  OK(build(q, SL_PLAN_SINK_CALLBACK, -1, &plan, &err));
  assert_explain(plan,
                 "ResultSink\n"
                 "  columns: id BIGINT, doubled DOUBLE\n"
                 "  partitioning: merged to the caller\n"
                 "  state: none\n"
                 "  Project\n"
                 "    columns: id BIGINT, doubled DOUBLE\n"
                 "    exprs: id, amount * 2 AS doubled\n"
                 "    partitioning: as its input\n"
                 "    state: none\n"
                 "    Filter\n"
                 "      columns: id BIGINT, amount DOUBLE\n"
                 "      predicate: amount > 100\n"
                 "      partitioning: as its input\n"
                 "      state: none\n"
                 "      Source stream=orders topic=orders format=json\n"
                 "        columns: id BIGINT, amount DOUBLE\n"
                 "        decoded: id, amount (of 4 declared; all "
                 "validated)\n"
                 "        event time: ROWTIME, watermark delay 0 ms\n"
                 "        errors: dlq to orders.dlq\n"
                 "        partitioning: the partitions of topic orders\n"
                 "        state: partition offsets and watermarks\n");
  assert_int_equal(plan->nnodes, 4);
  assert_int_equal(plan->nsources, 1);
  assert_int_equal(plan->root->id, 3);
  sl_plan_free(plan);
}

/* SELECT * FROM (SELECT id, amount * 2 AS total FROM orders) WHERE
 * total > 10, into stream big keyed by id: the filter moves below the
 * projection, rewritten over amount. */
static void test_explain_pushdown_through_project(void **state) {
  (void)state;
  sl_error err;
  sl_type *B = sl_type_bigint(), *D = sl_type_double();
  sl_rel *s = scan(orders_obj, SL_SCAN_STREAM);
  const char *names[] = {"id", "total"};
  sl_bexpr *ex[] = {tb_col(0, B),
                    tb_bin(SL_OP_MUL, D, tb_col(2, D), tb_double(2))};
  sl_rel *p = project(s, 2, names, ex);
  sl_rel *q = filter(p, tb_cmp(SL_OP_GT, tb_col(1, D), tb_double(10)));
  sl_plan *plan;
  OK(build(q, SL_PLAN_SINK_STREAM, -1, &plan, &err));
  assert_explain(plan,
                 "KafkaSink stream=big topic=big format=json\n"
                 "  columns: id BIGINT, total DOUBLE\n"
                 "  key: id\n"
                 "  topic partitions: as the source's, replicas as the "
                 "source's\n"
                 "  partitioning: by key id into topic big\n"
                 "  state: unacknowledged deliveries\n"
                 "  Project\n"
                 "    columns: id BIGINT, total DOUBLE\n"
                 "    exprs: id, amount * 2 AS total\n"
                 "    partitioning: as its input\n"
                 "    state: none\n"
                 "    Filter\n"
                 "      columns: id BIGINT, amount DOUBLE\n"
                 "      predicate: (amount * 2) > 10\n"
                 "      partitioning: as its input\n"
                 "      state: none\n"
                 "      Source stream=orders topic=orders format=json\n"
                 "        columns: id BIGINT, amount DOUBLE\n"
                 "        decoded: id, amount (of 4 declared; all "
                 "validated)\n"
                 "        event time: ROWTIME, watermark delay 0 ms\n"
                 "        errors: dlq to orders.dlq\n"
                 "        partitioning: the partitions of topic orders\n"
                 "        state: partition offsets and watermarks\n");
  sl_plan_free(plan);
}

/* SELECT o.id, m.name FROM orders o JOIN merchants m ON o.merchant = m.id
 * WHERE o.amount > 5 AND m.risk < 0.5: each conjunct goes to its side. */
static void test_explain_lookup_join_pushdown(void **state) {
  (void)state;
  sl_error err;
  sl_type *B = sl_type_bigint(), *D = sl_type_double(),
          *V = sl_type_varchar();
  sl_rel *s = scan(orders_obj, SL_SCAN_STREAM); /* 5 columns */
  sl_rel *t = scan(merchants_obj, SL_SCAN_TABLE);
  sl_rel *j = rel_new(SL_REL_JOIN, s->ncolumns + t->ncolumns);
  memcpy(j->columns, s->columns, (size_t)s->ncolumns * sizeof(*j->columns));
  memcpy(j->columns + s->ncolumns, t->columns,
         (size_t)t->ncolumns * sizeof(*j->columns));
  j->columns[s->ncolumns].name = "id_1";
  j->u.join.kind = SL_JOIN_INNER;
  j->u.join.strategy = SL_JOIN_LOOKUP;
  j->u.join.left = s;
  j->u.join.right = t;
  j->u.join.nkeys = 1;
  j->u.join.left_keys = sl_arena_calloc(&tb_arena, 1, sizeof(void *));
  j->u.join.right_keys = sl_arena_calloc(&tb_arena, 1, sizeof(void *));
  j->u.join.left_keys[0] = tb_col(1, B);
  j->u.join.right_keys[0] = tb_col(0, B);
  j->u.join.condition = tb_cmp(SL_OP_EQ, tb_col(1, B), tb_col(5, B));
  sl_bexpr *where = tb_bin(SL_OP_AND, sl_type_boolean(),
                           tb_cmp(SL_OP_GT, tb_col(2, D), tb_double(5)),
                           tb_cmp(SL_OP_LT, tb_col(7, D), tb_double(0.5)));
  sl_rel *f = filter(j, where);
  const char *names[] = {"id", "name"};
  sl_bexpr *ex[] = {tb_col(0, B), tb_col(6, V)};
  sl_rel *q = project(f, 2, names, ex);
  sl_plan *plan;
  OK(build(q, SL_PLAN_SINK_CALLBACK, 10, &plan, &err));
  assert_explain(plan,
                 "ResultSink\n"
                 "  columns: id BIGINT, name VARCHAR\n"
                 "  partitioning: merged to the caller\n"
                 "  state: none\n"
                 "  Limit\n"
                 "    columns: id BIGINT, name VARCHAR\n"
                 "    count: 10\n"
                 "    partitioning: as its input\n"
                 "    state: rows passed\n"
                 "    Project\n"
                 "      columns: id BIGINT, name VARCHAR\n"
                 "      exprs: id, name\n"
                 "      partitioning: as its input\n"
                 "      state: none\n"
                 "      LookupJoin INNER table=merchants\n"
                 "        columns: id BIGINT, merchant BIGINT, amount "
                 "DOUBLE, name VARCHAR\n"
                 "        keys: merchants.id = merchant\n"
                 "        table filter: risk < 0.5\n"
                 "        table columns: name\n"
                 "        partitioning: as its input\n"
                 "        state: cached rows of table merchants\n"
                 "        Filter\n"
                 "          columns: id BIGINT, merchant BIGINT, amount "
                 "DOUBLE\n"
                 "          predicate: amount > 5\n"
                 "          partitioning: as its input\n"
                 "          state: none\n"
                 "          Source stream=orders topic=orders format=json\n"
                 "            columns: id BIGINT, merchant BIGINT, amount "
                 "DOUBLE\n"
                 "            decoded: id, merchant, amount (of 4 "
                 "declared; all validated)\n"
                 "            event time: ROWTIME, watermark delay 0 ms\n"
                 "            errors: dlq to orders.dlq\n"
                 "            partitioning: the partitions of topic "
                 "orders\n"
                 "            state: partition offsets and watermarks\n");

  /* The same query as a LEFT join keeps the table's conjunct above. */
  j->u.join.kind = SL_JOIN_LEFT;
  sl_plan *left;
  OK(build(q, SL_PLAN_SINK_CALLBACK, -1, &left, &err));
  char *text = explain(left);
  assert_non_null(strstr(text, "LookupJoin LEFT table=merchants\n"));
  assert_null(strstr(text, "table filter"));
  assert_non_null(strstr(text, "predicate: risk < 0.5\n"));
  assert_non_null(strstr(text, "predicate: amount > 5\n"));
  free(text);
  sl_plan_free(left);
  sl_plan_free(plan);
}

/* A filter over UNION ALL lands in both inputs; the projections that
 * only select id vanish once the sources are pruned to id. */
static void test_pushdown_into_union(void **state) {
  (void)state;
  sl_error err;
  sl_type *B = sl_type_bigint();
  sl_rel *a = scan(orders_obj, SL_SCAN_STREAM);
  sl_rel *b = scan(clicks_obj, SL_SCAN_STREAM);
  const char *names[] = {"id"};
  sl_bexpr *ea[] = {tb_col(0, B)};
  sl_bexpr *eb[] = {tb_col(0, B)};
  sl_rel *pa = project(a, 1, names, ea), *pb = project(b, 1, names, eb);
  sl_rel *u = rel_new(SL_REL_UNION, 1);
  u->columns[0] = pa->columns[0];
  u->u.union_.ninputs = 2;
  u->u.union_.inputs = sl_arena_calloc(&tb_arena, 2, sizeof(void *));
  u->u.union_.inputs[0] = pa;
  u->u.union_.inputs[1] = pb;
  sl_rel *q = filter(u, tb_cmp(SL_OP_NE, tb_col(0, B), tb_bigint(0)));
  sl_plan *plan;
  OK(build(q, SL_PLAN_SINK_CALLBACK, -1, &plan, &err));
  char *text = explain(plan);
  const char *want_head = "ResultSink\n"
                          "  columns: id BIGINT\n"
                          "  partitioning: merged to the caller\n"
                          "  state: none\n"
                          "  UnionAll inputs=2\n"
                          "    columns: id BIGINT\n"
                          "    partitioning: each input's\n"
                          "    state: none\n"
                          "    Filter\n"
                          "      columns: id BIGINT\n"
                          "      predicate: id <> 0\n"
                          "      partitioning: as its input\n"
                          "      state: none\n"
                          "      Source stream=orders topic=orders "
                          "format=json\n";
  if (strncmp(text, want_head, strlen(want_head)) != 0)
    fail_msg("EXPLAIN starts:\n%s", text);
  /* Both sources decode only id. */
  const char *d = strstr(text, "decoded: id (of 4");
  assert_non_null(d);
  assert_non_null(strstr(d + 1, "decoded: id (of 4"));
  assert_int_equal(plan->nsources, 2);
  free(text);
  sl_plan_free(plan);
}

/* An always-true filter disappears; an identity projection too. */
static void test_trivial_operators_vanish(void **state) {
  (void)state;
  sl_error err;
  sl_rel *s = scan(orders_obj, SL_SCAN_STREAM);
  sl_rel *f = filter(s, tb_cmp(SL_OP_EQ, tb_int(1), tb_int(1)));
  const char *names[] = {"id", "merchant", "amount", "note"};
  sl_bexpr *ex[] = {tb_col(0, sl_type_bigint()), tb_col(1, sl_type_bigint()),
                    tb_col(2, sl_type_double()), tb_col(3, sl_type_varchar())};
  sl_rel *q = project(f, 4, names, ex);
  sl_plan *plan;
  OK(build(q, SL_PLAN_SINK_CALLBACK, -1, &plan, &err));
  assert_int_equal(plan->nnodes, 2);
  assert_int_equal(plan->root->inputs[0]->kind, SL_PNODE_SOURCE);
  assert_int_equal(plan->root->inputs[0]->ncols, 4);
  sl_plan_free(plan);
}

/* What cannot be planned is an SQL error at the relation. */
static void test_unsupported(void **state) {
  (void)state;
  sl_error err;
  sl_rel *t = scan(merchants_obj, SL_SCAN_TABLE);
  sl_plan *plan;
  assert_int_equal(build(t, SL_PLAN_SINK_CALLBACK, -1, &plan, &err),
                   SL_ERR_SQL);
  char buf[512];
  sl_error_format(&err, buf, sizeof(buf));
  assert_string_equal(buf, "t.sql:2:3: error: merchants is a table: it can "
                           "be read in a join (JOIN merchants ON ...) but "
                           "not streamed from");

  /* Constant rows have no stream to run on. */
  sl_rel *vals = rel_new(SL_REL_VALUES, 0);
  assert_int_equal(build(vals, SL_PLAN_SINK_CALLBACK, -1, &plan, &err),
                   SL_ERR_SQL);
  sl_error_format(&err, buf, sizeof(buf));
  assert_string_equal(buf, "t.sql:2:3: error: a query without FROM has no "
                           "stream to run on");

  /* A stream sink with a different column count. */
  sl_rel *s = scan(orders_obj, SL_SCAN_STREAM);
  assert_int_equal(build(s, SL_PLAN_SINK_STREAM, -1, &plan, &err),
                   SL_ERR_SQL);
  sl_error_format(&err, buf, sizeof(buf));
  assert_string_equal(buf, "t.sql:2:3: error: the query has 4 columns but "
                           "stream big has 2");

  /* An expression that cannot compile fails the build, at its place. */
  sl_bexpr *like = tb_nary(SL_BEXPR_LIKE, sl_type_boolean(), false, 2,
                           tb_col(3, sl_type_varchar()), tb_str("x\\"));
  like->pos.line = 4;
  like->pos.column = 9;
  sl_rel *f = filter(scan(orders_obj, SL_SCAN_STREAM), like);
  assert_int_equal(build(f, SL_PLAN_SINK_CALLBACK, -1, &plan, &err),
                   SL_ERR_SQL);
  sl_error_format(&err, buf, sizeof(buf));
  assert_string_equal(buf, "t.sql:4:9: error: LIKE pattern must not end "
                           "with escape character");
}

/* Query columns of narrower types are cast to the stream's. */
static void test_sink_casts(void **state) {
  (void)state;
  sl_error err;
  sl_rel *s = scan(orders_obj, SL_SCAN_STREAM);
  const char *names[] = {"k", "v"};
  sl_bexpr *ex[] = {tb_int(7), tb_col(2, sl_type_double())};
  sl_rel *q = project(s, 2, names, ex);
  sl_plan *plan;
  OK(build(q, SL_PLAN_SINK_STREAM, -1, &plan, &err));
  char *text = explain(plan);
  if (!strstr(text, "    exprs: 7 AS id, amount AS total\n"))
    fail_msg("EXPLAIN:\n%s", text);
  free(text);
  sl_plan_free(plan);
}

/* A stream's record schema: columns quoted as declared, the key column
 * with its key_format. */
static void test_stream_schema(void **state) {
  (void)state;
  sl_error err;
  const char *names[] = {"id", "amount", "Total"};
  sl_type *types[] = {sl_type_bigint(), sl_type_double(), sl_type_double()};
  sl_catalog_object *o = tb_stream("sales", "sales", 3, names, types, 0);
  o->columns[1].quoted = true;
  OK(sl_catalog_object_add_option(o, "key_format", "json", &err));
  sl_record_schema *rs = NULL;
  OK(sl_plan_stream_schema(o, &rs, &err));
  assert_false(rs->cols[0].quoted);
  assert_true(rs->cols[1].quoted);
  assert_true(rs->cols[2].quoted);
  assert_int_equal(sl_record_schema_find(rs, "ID", 2), 0);
  assert_int_equal(sl_record_schema_find(rs, "amount", 6), 1);
  assert_int_equal(sl_record_schema_find(rs, "AMOUNT", 6), -1);
  assert_int_equal(sl_record_schema_find(rs, "total", 5), -1);
  assert_int_equal(rs->key_col, 0);
  assert_int_equal(rs->key_format, SL_RECORD_KEY_JSON);
  sl_record_schema_free(rs);

  /* Without the option the key is a string; without a key, none. */
  sl_catalog_object *plain = tb_stream("p", "p", 3, names, types, 0);
  sl_record_key_format kf;
  OK(sl_plan_key_format(plain, &kf, &err));
  assert_int_equal(kf, SL_RECORD_KEY_STRING);
  sl_catalog_object_free(plain);
  plain = tb_stream("p", "p", 3, names, types, -1);
  OK(sl_plan_key_format(plain, &kf, &err));
  assert_int_equal(kf, SL_RECORD_KEY_NONE);
  sl_catalog_object_free(plain);

  /* A stored value the binder would refuse names the stream. */
  free(o->options[o->noptions - 1].value);
  o->options[o->noptions - 1].value = strdup("avro");
  assert_int_equal(sl_plan_stream_schema(o, &rs, &err), SL_ERR_SQL);
  assert_null(rs);
  assert_string_equal(err.message, "stream sales has key_format 'avro'; "
                                   "expected 'string' or 'json'");
  sl_catalog_object_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_explain_filter_project),
      cmocka_unit_test(test_explain_pushdown_through_project),
      cmocka_unit_test(test_explain_lookup_join_pushdown),
      cmocka_unit_test(test_pushdown_into_union),
      cmocka_unit_test(test_trivial_operators_vanish),
      cmocka_unit_test(test_unsupported),
      cmocka_unit_test(test_sink_casts),
      cmocka_unit_test(test_stream_schema),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
