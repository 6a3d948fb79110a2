/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the binder: literal types, implicit casts and operator
 * result types, scans and their pseudo-columns, the join strategies and
 * their keys, aggregation layout and window specs, OVER calls, option
 * defaults, the catalog objects bound DDL records, sl_bind_apply (later
 * statements see earlier ones; user functions register), error codes and
 * positions, and that bound statements outlive their parse.  The golden
 * files under tests/sql/bind and tests/sql/errors cover the dump and every
 * message; these tests check the structures the planner reads.  Every
 * error path runs under ASan/LSan.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

typedef struct fixture {
  sl_catalog *cat;
  sl_func_registry *reg;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  sl_error err;
  assert_non_null(f);
  assert_int_equal(sl_catalog_open(":memory:", &f->cat, &err), SL_OK);
  f->reg = sl_func_registry_new(sl_func_registry_builtin());
  assert_non_null(f->reg);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sl_catalog_close(f->cat);
  sl_func_registry_free(f->reg);
  free(f);
  return 0;
}

/* Binds and applies every statement of sql; returns the last bound
 * statement (the parse is freed first, so the statement must stand on
 * its own), or NULL with *err filled at the first failure. */
static sl_bound_stmt *run(fixture *f, const char *sql, sl_error *err) {
  sl_parse_result *r = NULL;
  sl_error_clear(err);
  if (sl_parse_script("t.sql", sql, NULL, &r, err))
    return NULL;
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, f->cat, f->reg, r);
  sl_bound_stmt *last = NULL;
  for (int i = 0; i < r->nstmts; i++) {
    sl_bound_stmt_free(last);
    last = NULL;
    sl_bound_stmt *b = NULL;
    if (sl_bind_stmt(&ctx, r->stmts[i], &b, err)) {
      assert_null(b);
      break;
    }
    if (sl_bind_apply(&ctx, b, NULL, err)) {
      sl_bound_stmt_free(b);
      break;
    }
    last = b;
  }
  sl_parse_result_free(r);
  if (err->code != SL_OK) {
    sl_bound_stmt_free(last);
    return NULL;
  }
  return last;
}

static sl_bound_stmt *ok(fixture *f, const char *sql) {
  sl_error err;
  sl_bound_stmt *b = run(f, sql, &err);
  if (!b)
    fail_msg("binding failed: %d:%d: %s", err.line, err.column,
             err.message);
  return b;
}

/* Expects the script to fail at line:column with message. */
static void fails(fixture *f, const char *sql, int line, int column,
                  const char *message) {
  sl_error err;
  sl_bound_stmt *b = run(f, sql, &err);
  if (b) {
    sl_bound_stmt_free(b);
    fail_msg("expected an error for: %s", sql);
  }
  assert_int_equal(err.code, SL_ERR_SQL);
  assert_int_equal(err.loc, SL_LOC_SQL);
  assert_string_equal(err.file, "t.sql");
  if (err.line != line || err.column != column)
    fail_msg("error at %d:%d, expected %d:%d: %s", err.line, err.column,
             line, column, err.message);
  assert_string_equal(err.message, message);
}

/* The PROJECT at the top of a query's plan. */
static const sl_rel *top_project(const sl_bound_stmt *b) {
  const sl_rel *r = b->query;
  while (r && r->kind != SL_REL_PROJECT)
    r = r->input;
  assert_non_null(r);
  return r;
}

static void assert_type(const sl_type *t, const char *sql) {
  char buf[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(t, buf, sizeof(buf)), sql);
}

static void assert_expr(const sl_bexpr *e, const sl_rel *rel,
                        const char *text) {
  char *s = sl_bexpr_to_string(e, rel);
  assert_non_null(s);
  assert_string_equal(s, text);
  free(s);
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */
/* ------------------------------------------------------------------ */

static void test_literal_types(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "SELECT 1, 3000000000, 1.50, 1e3, 'it''s', NULL, "
      "TIMESTAMP '2024-05-01 12:00:00.123Z', DATE '1970-01-02', "
      "INTERVAL '5' SECOND, 99999999999999999999, -2147483648, 10 MINUTES;");
  const sl_rel *p = top_project(b);
  static const char *const types[] = {
      "INT",          "BIGINT", "DECIMAL(3,2)", "DOUBLE",
      "VARCHAR",      "NULL",   "TIMESTAMP",    "DATE",
      "INTERVAL",     "DECIMAL(20,0)", "INT",   "INTERVAL"};
  assert_int_equal(p->ncolumns, 12);
  for (int i = 0; i < 12; i++)
    assert_type(p->columns[i].type, types[i]);
  sl_bexpr *const *e = p->u.project.exprs;
  assert_int_equal(e[0]->u.literal.u.i32, 1);
  assert_int_equal(e[1]->u.literal.u.i64, 3000000000LL);
  assert_int_equal(e[2]->u.literal.scale, 2);
  assert_int_equal((int64_t)sl_value_decimal_get(&e[2]->u.literal), 150);
  assert_double_near(e[3]->u.literal.u.f64, 1000.0, 0);
  assert_int_equal(e[4]->u.literal.len, 4);
  assert_memory_equal(e[4]->u.literal.u.str, "it's", 4);
  assert_int_equal(e[6]->u.literal.u.i64, 1714564800123LL);
  assert_int_equal(e[7]->u.literal.u.i32, 1);
  assert_int_equal(e[8]->u.literal.u.i64, 5000);
  assert_int_equal(e[10]->u.literal.u.i32, INT32_MIN);
  assert_int_equal(e[11]->u.literal.u.i64, 600000);
  assert_string_equal(p->columns[0].name, "expr_1");
  assert_true(p->columns[0].not_null);
  assert_false(p->columns[5].not_null);
  assert_int_equal(b->query->kind, SL_REL_PROJECT);
  assert_int_equal(p->input->kind, SL_REL_VALUES);
  assert_int_equal(p->nature, SL_NATURE_TABLE);
  sl_bound_stmt_free(b);
}

static void test_implicit_casts(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE STREAM s (i INT, l BIGINT, d DECIMAL(10,2), x DOUBLE, "
      "ts TIMESTAMP, dt DATE, v VARCHAR);"
      "SELECT i + l, d * i, d + x, i / i, ts - INTERVAL '1' HOUR, ts - ts, "
      "dt + 1, dt - dt, i = d, v || 'x', i > NULL FROM s;");
  const sl_rel *p = top_project(b);
  static const char *const types[] = {
      "BIGINT",   "DECIMAL(21,2)", "DOUBLE", "INT",     "TIMESTAMP",
      "INTERVAL", "DATE",          "INT",    "BOOLEAN", "VARCHAR",
      "BOOLEAN"};
  for (int i = 0; i < 11; i++)
    assert_type(p->columns[i].type, types[i]);
  sl_bexpr *const *e = p->u.project.exprs;
  assert_expr(e[0], p->input, "i#0::BIGINT + l#1");
  assert_expr(e[1], p->input, "d#2 * i#0::DECIMAL(10,0)");
  assert_expr(e[2], p->input, "d#2::DOUBLE + x#3");
  assert_expr(e[8], p->input, "i#0::DECIMAL(12,2) = d#2::DECIMAL(12,2)");
  assert_expr(e[10], p->input, "i#0 > NULL::INT");
  assert_true(e[0]->args[0]->implicit);
  assert_int_equal(e[0]->args[0]->kind, SL_BEXPR_CAST);
  sl_bound_stmt_free(b);
}

static void test_operator_errors(void **state) {
  fixture *f = *state;
  fails(f, "CREATE STREAM s (name VARCHAR, n INT);\n"
           "SELECT n, name + n FROM s;",
        2, 16, "operator + cannot take VARCHAR and INT");
  fails(f, "CREATE STREAM s2 (name VARCHAR, n INT);\n"
           "SELECT n FROM s2 WHERE n AND (name = 'x');",
        2, 26, "operator AND cannot take INT and BOOLEAN");
  fails(f, "CREATE STREAM s3 (flag BOOLEAN);\nSELECT -flag FROM s3;", 2, 8,
        "operator - cannot take BOOLEAN");
}

static void test_columns_and_fields(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE STREAM s (id BIGINT, loc STRUCT<lat DOUBLE, lon DOUBLE>, "
      "tags MAP<VARCHAR, INT>, xs ARRAY<BIGINT>);"
      "SELECT s.loc.lat, loc.lon AS lon2, tags['a'], xs[1], loc['lat'], "
      "rowtime, rowoffset FROM s;");
  const sl_rel *p = top_project(b);
  assert_string_equal(p->columns[0].name, "lat");
  assert_string_equal(p->columns[1].name, "lon2");
  assert_string_equal(p->columns[2].name, "expr_3");
  assert_type(p->columns[2].type, "INT");
  assert_type(p->columns[3].type, "BIGINT");
  assert_int_equal(p->u.project.exprs[0]->kind, SL_BEXPR_FIELD);
  assert_int_equal(p->u.project.exprs[0]->u.field.index, 0);
  assert_int_equal(p->u.project.exprs[4]->kind, SL_BEXPR_FIELD);
  assert_expr(p->u.project.exprs[3], p->input, "xs#3[1::BIGINT]");
  assert_type(p->columns[5].type, "TIMESTAMP");
  assert_int_equal(p->u.project.exprs[5]->u.column, 4);

  const sl_rel *scan = p->input;
  assert_int_equal(scan->kind, SL_REL_SCAN);
  assert_int_equal(scan->ncolumns, 7);
  assert_int_equal(scan->u.scan.ndeclared, 4);
  assert_int_equal(scan->u.scan.meta[4], SL_META_ROWTIME);
  assert_int_equal(scan->u.scan.meta[5], SL_META_ROWPARTITION);
  assert_int_equal(scan->u.scan.meta[6], SL_META_ROWOFFSET);
  assert_true(scan->columns[4].hidden);
  assert_int_equal(scan->event_time, 4);
  assert_int_equal(scan->u.scan.event_time_column, -1);
  sl_bound_stmt_free(b);

  /* SELECT * leaves the pseudo-columns out. */
  b = ok(f, "SELECT * FROM s;");
  assert_int_equal(top_project(b)->ncolumns, 4);
  sl_bound_stmt_free(b);
}

/* ------------------------------------------------------------------ */
/* Joins                                                               */
/* ------------------------------------------------------------------ */

static const char *setup_join_sql =
    "CREATE STREAM p (id BIGINT, merchant INT, ts TIMESTAMP) "
    "WITH (timestamp='ts');"
    "CREATE STREAM r (pid BIGINT, ts TIMESTAMP) WITH (timestamp='ts');"
    "CREATE TABLE m (id BIGINT PRIMARY KEY, name VARCHAR);"
    "CREATE TABLE v (id BIGINT PRIMARY KEY, risk DOUBLE) "
    "WITH (versioned=true);";

static const sl_rel *find_join(const sl_bound_stmt *b) {
  const sl_rel *r = b->query;
  while (r && r->kind != SL_REL_JOIN)
    r = r->input;
  assert_non_null(r);
  return r;
}

static void test_join_strategies(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f, setup_join_sql);
  sl_bound_stmt_free(b);

  b = ok(f, "SELECT p.id, m.name FROM p LEFT JOIN m ON p.merchant = m.id "
            "AND m.name <> 'x';");
  const sl_rel *j = find_join(b);
  assert_int_equal(j->u.join.strategy, SL_JOIN_LOOKUP);
  assert_int_equal(j->u.join.kind, SL_JOIN_LEFT);
  assert_int_equal(j->u.join.nkeys, 1);
  assert_expr(j->u.join.left_keys[0], j->u.join.left, "merchant#1::BIGINT");
  assert_expr(j->u.join.right_keys[0], j->u.join.right, "id#0");
  assert_int_equal(j->ncolumns, 6 + 2);
  assert_int_equal(j->event_time, 2);
  sl_bound_stmt_free(b);

  b = ok(f, "SELECT v.risk FROM p JOIN v FOR SYSTEM_TIME AS OF p.ts "
            "ON v.id = p.id;");
  j = find_join(b);
  assert_int_equal(j->u.join.strategy, SL_JOIN_TEMPORAL);
  assert_expr(j->u.join.as_of, j->u.join.left, "ts#2");
  assert_expr(j->u.join.left_keys[0], j->u.join.left, "id#0");
  assert_expr(j->u.join.right_keys[0], j->u.join.right, "id#0");
  sl_bound_stmt_free(b);

  b = ok(f, "SELECT p.id FROM p FULL JOIN r WITHIN (1 MINUTE, 2 HOURS) "
            "GRACE PERIOD 5 SECONDS ON p.id = r.pid;");
  j = find_join(b);
  assert_int_equal(j->u.join.strategy, SL_JOIN_INTERVAL);
  assert_int_equal(j->u.join.kind, SL_JOIN_FULL);
  assert_int_equal(j->u.join.within_before_ms, 60000);
  assert_int_equal(j->u.join.within_after_ms, 7200000);
  assert_int_equal(j->u.join.grace_ms, 5000);
  sl_bound_stmt_free(b);

  b = ok(f, "WITH a AS (SELECT id, COUNT(*) AS n, WINDOW_START, WINDOW_END "
            "FROM p WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY id), "
            "c AS (SELECT pid, COUNT(*) AS n, WINDOW_START, WINDOW_END "
            "FROM r WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY pid) "
            "SELECT a.id, a.n, c.n FROM a JOIN c ON a.id = c.pid "
            "AND a.window_end = c.window_end;");
  j = find_join(b);
  assert_int_equal(j->u.join.strategy, SL_JOIN_WINDOW);
  assert_int_equal(j->u.join.nkeys, 2);
  assert_true(j->windowed);
  assert_int_equal(j->window_start, 2);
  assert_int_equal(j->window_end, 3);
  assert_int_equal(b->ndeps, 2);
  assert_string_equal(b->deps[0], "p");
  assert_string_equal(b->deps[1], "r");
  sl_bound_stmt_free(b);

  fails(f, "SELECT p.id FROM p JOIN r ON p.id = r.pid;", 1, 25,
        "a join of two streams needs WITHIN: p and r are both streams "
        "(write ... JOIN r WITHIN 1 HOUR ON ...)");
  fails(f, "SELECT p.id FROM p JOIN m ON p.id > m.id;", 1, 30,
        "join condition needs an equality between an expression of p and "
        "one of m, such as a.id = b.id");
  fails(f, "SELECT p.id FROM p JOIN p ON p.id = p.id;", 1, 25,
        "source name \"p\" appears twice in FROM; give one an alias");
}

/* ------------------------------------------------------------------ */
/* Aggregation and OVER                                                */
/* ------------------------------------------------------------------ */

static void test_aggregate_layout(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE STREAM s (card VARCHAR, amount DOUBLE, ts TIMESTAMP, "
      "WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);"
      "SELECT card, COUNT(*) AS n, SUM(amount) + 1, COUNT(*) * 2, "
      "WINDOW_END FROM s "
      "WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 1 MINUTE, "
      "GRACE PERIOD 30 SECONDS) GROUP BY card HAVING SUM(amount) > 10 "
      "EMIT FINAL;");
  const sl_rel *p = top_project(b);
  const sl_rel *having = p->input;
  assert_int_equal(having->kind, SL_REL_FILTER);
  assert_true(having->u.filter.having);
  const sl_rel *agg = having->input;
  assert_int_equal(agg->kind, SL_REL_AGGREGATE);
  assert_int_equal(agg->u.aggregate.ngroup, 1);
  /* COUNT(*) twice is one call; SUM(amount) twice is one too. */
  assert_int_equal(agg->u.aggregate.naggs, 2);
  assert_int_equal(agg->ncolumns, 1 + 2 + 2);
  assert_string_equal(agg->columns[1].name, "window_start");
  assert_string_equal(agg->columns[2].name, "window_end");
  assert_int_equal(agg->u.aggregate.window.kind, SL_WINDOW_HOPPING);
  assert_int_equal(agg->u.aggregate.window.size_ms, 600000);
  assert_int_equal(agg->u.aggregate.window.advance_ms, 60000);
  assert_int_equal(agg->u.aggregate.window.grace_ms, 30000);
  assert_int_equal(agg->u.aggregate.emit, SL_EMIT_FINAL);
  assert_int_equal(b->emit, SL_EMIT_FINAL);
  assert_true(agg->u.aggregate.aggs[0].star);
  assert_expr(having->u.filter.predicate, agg, "agg_2#4 > 10::DOUBLE");
  assert_expr(p->u.project.exprs[2], having, "agg_2#4 + 1::DOUBLE");
  assert_expr(p->u.project.exprs[3], having, "agg_1#3 * 2::BIGINT");
  assert_expr(p->u.project.exprs[4], having, "window_end#2");
  assert_true(p->windowed);
  assert_int_equal(p->nature, SL_NATURE_STREAM);
  assert_int_equal(p->window_end, 4);
  assert_int_equal(p->window_start, -1);
  const sl_rel *scan = agg->input;
  assert_int_equal(scan->u.scan.out_of_order_ms, 2000);
  assert_int_equal(scan->u.scan.event_time_column, 2);
  sl_bound_stmt_free(b);

  /* GROUP BY without a window is a table; a grouped expression matches
   * its use in the SELECT list. */
  b = ok(f, "SELECT UPPER(card), COUNT(*) FROM s GROUP BY UPPER(card);");
  p = top_project(b);
  assert_int_equal(p->nature, SL_NATURE_TABLE);
  assert_expr(p->u.project.exprs[0], p->input, "group_1#0");
  sl_bound_stmt_free(b);

  fails(f, "SELECT card, amount FROM s GROUP BY card;", 1, 14,
        "column \"amount\" must appear in GROUP BY or be used in an "
        "aggregate function");
  fails(f, "SELECT card FROM s WHERE COUNT(*) > 1 GROUP BY card;", 1, 26,
        "aggregate function COUNT is not allowed in WHERE; filter groups "
        "with HAVING");
}

static void test_over_calls(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE STREAM s (card VARCHAR, amount INT, ts TIMESTAMP);"
      "SELECT LAG(amount, 2, 0) OVER (PARTITION BY card ORDER BY ts), "
      "AVG(amount) OVER (PARTITION BY card ORDER BY ts RANGE BETWEEN "
      "INTERVAL '1' HOUR PRECEDING AND CURRENT ROW), RANK() OVER w "
      "FROM s WINDOW w AS (PARTITION BY card ORDER BY amount DESC, ts);");
  const sl_rel *p = top_project(b);
  const sl_rel *over = p->input;
  assert_int_equal(over->kind, SL_REL_OVER);
  assert_int_equal(over->u.over.ncalls, 3);
  const sl_over_call *lag = &over->u.over.calls[0];
  assert_int_equal(lag->kind, SL_OVER_LAG);
  assert_int_equal(lag->lag_offset, 2);
  assert_non_null(lag->lag_default);
  assert_type(lag->agg.type, "INT");
  assert_int_equal(lag->agg.nargs, 1);
  const sl_over_call *avg = &over->u.over.calls[1];
  assert_int_equal(avg->kind, SL_OVER_AGGREGATE);
  assert_true(avg->has_range);
  assert_int_equal(avg->range_ms, 3600000);
  const sl_over_call *rank = &over->u.over.calls[2];
  assert_int_equal(rank->kind, SL_OVER_RANK);
  assert_string_equal(rank->window_name, "w");
  assert_int_equal(rank->norder, 2);
  assert_true(rank->order_desc[0]);
  assert_false(rank->order_desc[1]);
  assert_expr(p->u.project.exprs[2], over, "over_3#8");
  sl_bound_stmt_free(b);

  fails(f, "SELECT LAG(amount) OVER (PARTITION BY card ORDER BY amount) "
           "FROM s;", 1, 53,
        "LAG OVER (...) must be ORDER BY one TIMESTAMP (the event time), "
        "ascending");
  fails(f, "SELECT LAG(amount, 0) OVER (ORDER BY ts) FROM s;", 1, 20,
        "LAG's offset must be at least 1: LAG never returns the row itself");
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

static void test_stream_options_and_object(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE STREAM pay (id BIGINT NOT NULL, amount DOUBLE, ts TIMESTAMP, "
      "CHECK (amount >= 0), WATERMARK FOR ts AS ts - INTERVAL '90' SECOND) "
      "WITH (topic='payments', key='id', format='csv');");
  assert_int_equal(b->kind, SL_BSTMT_CREATE_STREAM);
  assert_string_equal(b->sql,
      "CREATE STREAM pay (id BIGINT NOT NULL, amount DOUBLE, ts TIMESTAMP, "
      "CHECK (amount >= 0), WATERMARK FOR ts AS ts - INTERVAL '90' SECOND) "
      "WITH (topic='payments', key='id', format='csv')");
  assert_int_equal(b->key_column, 0);
  assert_int_equal(b->timestamp_column, 2);
  assert_int_equal(b->watermark_column, 2);
  assert_int_equal(b->out_of_order_ms, 90000);
  assert_non_null(b->check);
  assert_string_equal(sl_bound_option_get(b, "dlq_topic")->text,
                      "payments.dlq");
  assert_true(sl_bound_option_get(b, "dlq_topic")->defaulted);
  assert_false(sl_bound_option_get(b, "topic")->defaulted);
  assert_string_equal(sl_bound_option_get(b, "delimiter")->text, ",");
  /* No idle_timeout default: the session's idle.timeout applies. */
  assert_null(sl_bound_option_get(b, "idle_timeout"));
  assert_int_equal(sl_bound_option_get(b, "partitions")->number, 1);

  sl_catalog_object *obj;
  sl_error err;
  assert_int_equal(sl_bound_catalog_object(b, &obj, &err), SL_OK);
  assert_int_equal(obj->kind, SL_CATALOG_STREAM);
  assert_int_equal(obj->ncolumns, 3);
  assert_true(obj->columns[0].not_null);
  assert_int_equal(obj->key_column, 0);
  assert_int_equal(obj->timestamp_column, 2);
  assert_string_equal(obj->watermark, "ts - INTERVAL '90' SECOND");
  assert_string_equal(sl_catalog_object_option(obj, "format"), "csv");
  assert_string_equal(sl_catalog_object_option(obj, "errors"), "dlq");
  sl_catalog_object_free(obj);
  sl_bound_stmt_free(b);

  /* The stream is in the catalog now: its scan carries the watermark. */
  b = ok(f, "SELECT id FROM pay;");
  const sl_rel *scan = top_project(b)->input;
  assert_int_equal(scan->u.scan.out_of_order_ms, 90000);
  assert_int_equal(scan->event_time, 2);
  sl_bound_stmt_free(b);

  /* The same definition again is a no-op; IF NOT EXISTS skips. */
  b = ok(f, "CREATE STREAM pay (id BIGINT NOT NULL, amount DOUBLE, "
            "ts TIMESTAMP, CHECK (amount >= 0), WATERMARK FOR ts AS ts - "
            "INTERVAL '90' SECOND) WITH (topic='payments', key='id', "
            "format='csv');");
  assert_true(b->exists);
  sl_bound_stmt_free(b);
  b = ok(f, "CREATE STREAM IF NOT EXISTS pay (x INT);");
  assert_true(b->exists);
  sl_bound_stmt_free(b);
  fails(f, "CREATE STREAM pay (x INT);", 1, 15,
        "stream pay already exists with a different definition; DROP "
        "STREAM pay first");
}

static void test_create_as_and_insert(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE STREAM s (card VARCHAR, amount INT, ts TIMESTAMP) "
      "WITH (timestamp='ts');"
      "CREATE TABLE totals AS SELECT card, SUM(amount) AS total FROM s "
      "GROUP BY card;");
  assert_int_equal(b->kind, SL_BSTMT_CREATE_TABLE);
  assert_int_equal(b->ncolumns, 2);
  assert_true(b->columns[0].primary_key);
  assert_false(b->columns[1].primary_key);
  assert_int_equal(b->key_column, 0);
  assert_string_equal(sl_bound_option_get(b, "topic")->text, "totals");
  assert_int_equal(b->ndeps, 1);
  assert_string_equal(b->deps[0], "s");
  sl_bound_stmt_free(b);

  b = ok(f, "CREATE STREAM big AS SELECT card, amount, ts FROM s "
            "WHERE amount > 100;");
  assert_int_equal(b->timestamp_column, 2);
  assert_string_equal(sl_bound_option_get(b, "topic")->text, "big");
  assert_null(sl_bound_option_get(b, "partitions"));
  sl_bound_stmt_free(b);

  /* INSERT casts the query's columns to the target's. */
  b = ok(f, "CREATE STREAM wide (card VARCHAR, amount DOUBLE, ts TIMESTAMP);"
            "INSERT INTO wide SELECT card, amount, ts FROM s;");
  assert_int_equal(b->kind, SL_BSTMT_INSERT_QUERY);
  const sl_rel *p = b->query;
  assert_int_equal(p->kind, SL_REL_PROJECT);
  assert_expr(p->u.project.exprs[1], p->input, "amount#1::DOUBLE");
  sl_bound_stmt_free(b);

  b = ok(f, "INSERT INTO wide (ts, card) VALUES "
            "('2024-05-01T00:00:00Z', 'a'), (NULL, 'b');");
  assert_int_equal(b->nrows, 2);
  assert_int_equal(b->nvalues, 2);
  assert_int_equal(b->target_columns[0], 2);
  assert_int_equal(b->target_columns[1], 0);
  assert_int_equal(b->rows[0][0]->kind, SL_BEXPR_LITERAL);
  assert_int_equal(b->rows[0][0]->u.literal.u.i64, 1714521600000LL);
  assert_type(b->rows[1][0]->type, "TIMESTAMP");
  sl_bound_stmt_free(b);
}

static void test_functions_and_models(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f,
      "CREATE FUNCTION luhn(VARCHAR) RETURNS BOOLEAN LANGUAGE C "
      "AS 'libcards.so' SYMBOL 'luhn_check';"
      "CREATE STREAM s (card VARCHAR, amount DOUBLE);"
      "SELECT card FROM s WHERE luhn(card);");
  assert_int_equal(b->nfunction_deps, 1);
  assert_string_equal(b->function_deps[0], "luhn");
  sl_bound_stmt_free(b);
  const sl_func *fn = sl_func_lookup(f->reg, "luhn");
  assert_non_null(fn);
  assert_true(fn->flags & SL_FUNC_USER);

  b = ok(f, "DROP FUNCTION luhn;");
  sl_bound_stmt_free(b);
  assert_null(sl_func_lookup(f->reg, "luhn"));
  fails(f, "SELECT card FROM s WHERE luhn(card);", 1, 26,
        "unknown function \"luhn\"; did you mean \"ln\"?");

  /* A model's inputs are the columns its features read. */
  b = ok(f, "CREATE TRAINING SET ts AS SELECT card, amount, amount > 100 "
            "AS big FROM s;"
            "CREATE MODEL m TYPE LOGISTIC_REGRESSION FEATURES "
            "(STANDARDIZE(amount), ONE_HOT(card) AS c, "
            "BUCKETIZE(amount, ARRAY[10, 100.5, 1000])) LABEL big FROM ts "
            "WITH (lambda=0.5, holdout=0.2);");
  assert_int_equal(b->nfeatures, 3);
  assert_int_equal(b->features[0].transform, SL_FEATURE_STANDARDIZE);
  assert_string_equal(b->features[0].name, "standardize_amount");
  assert_string_equal(b->features[2].name, "bucketize_amount");
  assert_string_equal(b->features[1].name, "c");
  assert_int_equal(b->features[2].nedges, 3);
  assert_double_near(b->features[2].edges[1], 100.5, 0);
  assert_int_equal(b->ninputs, 2);
  assert_string_equal(b->inputs[0].name, "amount");
  assert_string_equal(b->inputs[1].name, "card");
  assert_string_equal(b->training_set, "ts");
  sl_bound_stmt_free(b);

  b = ok(f, "SELECT PREDICT(m) AS score, PREDICT(m, 1, 'x') FROM s;");
  const sl_rel *p = top_project(b);
  const sl_bexpr *e = p->u.project.exprs[0];
  assert_int_equal(e->kind, SL_BEXPR_PREDICT);
  assert_string_equal(e->u.predict.model, "m");
  assert_int_equal(e->nargs, 2);
  assert_expr(e, p->input, "PREDICT(m, amount#1, card#0)");
  assert_expr(p->u.project.exprs[1], p->input,
              "PREDICT(m, 1::DOUBLE, 'x')");
  assert_int_equal(b->ndeps, 2);
  sl_bound_stmt_free(b);

  fails(f, "SELECT PREDICT(m, card) FROM s;", 1, 8,
        "PREDICT(m, ...) takes 2 values (amount, card), got 1");

  /* Once trained, versions are checked. */
  sl_catalog_model_version v;
  memset(&v, 0, sizeof(v));
  v.model = "m";
  v.training_set = "ts";
  v.params = "{}";
  v.metrics = "{}";
  v.sql = "CREATE MODEL m";
  int version = 0;
  sl_error err;
  assert_int_equal(sl_catalog_model_add_version(f->cat, &v, &version, &err),
                   SL_OK);
  assert_int_equal(version, 1);
  b = ok(f, "SELECT PREDICT(m VERSION 1) FROM s;");
  assert_int_equal(top_project(b)->u.project.exprs[0]->u.predict.version, 1);
  sl_bound_stmt_free(b);
  fails(f, "SELECT PREDICT(m VERSION 2) FROM s;", 1, 26,
        "model m has no version 2 (the newest is 1)");
  fails(f, "EVALUATE MODEL m VERSION 3 ON ts;", 1, 26,
        "model m has no version 3 (the newest is 1)");
}

static void test_function_objects(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f, "CREATE AGGREGATE FUNCTION geo(DOUBLE, INT) "
                           "RETURNS DECIMAL(10,2) LANGUAGE C AS 'libg.so';");
  sl_catalog_function *fn;
  sl_error err;
  assert_int_equal(sl_bound_catalog_function(b, &fn, &err), SL_OK);
  char sig[256];
  assert_string_equal(sl_catalog_function_signature(fn, sig, sizeof(sig)),
                      "AGGREGATE geo(DOUBLE, INT) RETURNS DECIMAL(10,2)");
  assert_string_equal(fn->library, "libg.so");
  assert_string_equal(fn->symbol, "geo");
  sl_catalog_function_free(fn);
  sl_bound_stmt_free(b);

  /* The same definition again changes nothing; another one is refused. */
  b = ok(f, "CREATE AGGREGATE FUNCTION geo(DOUBLE, INT) "
            "RETURNS DECIMAL(10,2) LANGUAGE C AS 'libg.so';");
  assert_true(b->exists);
  sl_bound_stmt_free(b);
  fails(f, "CREATE FUNCTION geo(DOUBLE) RETURNS DOUBLE LANGUAGE C "
           "AS 'libg.so';", 1, 17,
        "function geo already exists with a different definition; DROP "
        "FUNCTION geo first");
  b = ok(f, "CREATE STREAM s (x DOUBLE, n INT);"
            "SELECT geo(x, n) FROM s;");
  const sl_rel *agg = top_project(b)->input;
  assert_int_equal(agg->kind, SL_REL_AGGREGATE);
  assert_type(agg->u.aggregate.aggs[0].type, "DECIMAL(10,2)");
  sl_bound_stmt_free(b);
  fails(f, "DROP FUNCTION abs;", 1, 15,
        "ABS is a built-in function and cannot be dropped");
}

static void test_errors_leave_nothing(void **state) {
  fixture *f = *state;
  /* Each of these fails deep inside binding, after allocating. */
  fails(f, "CREATE STREAM e (a INT, b VARCHAR);\n"
           "WITH x AS (SELECT a FROM e), y AS (SELECT a, b FROM x)\n"
           "SELECT a FROM y;",
        2, 46, "unknown column \"b\" in query x; did you mean \"a\"?");
  fails(f, "SELECT a FROM (SELECT a FROM e UNION ALL SELECT b FROM e) q;",
        1, 42, "UNION ALL: column 1 (a) is INT in the first SELECT and "
               "VARCHAR in this one");
  fails(f, "CREATE STREAM bad WITH (partitions=0) AS SELECT a FROM e;", 1, 36,
        "option \"partitions\" expects a positive integer, got 0");
  fails(f, "EXPLAIN SELECT zz FROM e;", 1, 16,
        "unknown column \"zz\" in stream e");

  sl_bound_stmt *b = ok(f, "EXPLAIN SELECT a FROM e;");
  assert_int_equal(b->kind, SL_BSTMT_EXPLAIN);
  assert_non_null(b->explained);
  assert_int_equal(b->explained->kind, SL_BSTMT_QUERY);
  sl_bound_stmt_free(b);
}

static void test_dump_text(void **state) {
  fixture *f = *state;
  sl_bound_stmt *b = ok(f, "CREATE TABLE d (k VARCHAR PRIMARY KEY);"
                           "SET 'sluice.threads' = '4';");
  char *s = sl_bound_dump_string(b);
  assert_string_equal(s, "SET 'sluice.threads' = '4'\n");
  free(s);
  sl_bound_stmt_free(b);

  b = ok(f, "SELECT k FROM d WHERE k LIKE 'a%';");
  s = sl_bound_dump_string(b);
  assert_string_equal(s,
      "SELECT\n"
      "  mode: pull\n"
      "  reads: d\n"
      "  plan:\n"
      "    project [table]\n"
      "      #0 k VARCHAR NOT NULL := k#0\n"
      "      filter [table]\n"
      "        where: k#0 LIKE 'a%'\n"
      "        scan table d [table]\n"
      "          #0 k VARCHAR NOT NULL\n");
  free(s);
  sl_bound_stmt_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_literal_types, setup, teardown),
      cmocka_unit_test_setup_teardown(test_implicit_casts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_operator_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_columns_and_fields, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_join_strategies, setup, teardown),
      cmocka_unit_test_setup_teardown(test_aggregate_layout, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_over_calls, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stream_options_and_object, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_create_as_and_insert, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_functions_and_models, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_function_objects, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_errors_leave_nothing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_dump_text, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
