/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_catalog.c - the SQLite catalog: definitions, re-runs, dependants,
 * restarts, migrations, functions, queries and model versions.
 */
#include "test_util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/types/types.h"

/* ---- building blocks -------------------------------------------------- */

static sl_type *T(const char *sql) {
  sl_type *type = NULL;
  sl_error err;
  if (sl_type_from_sql(sql, &type, &err))
    fail_msg("bad type %s: %s", sql, err.message);
  return type;
}

/* Runs call, which fills the error named e, expecting success. */
#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, e.message);           \
  } while (0)

/* Runs call with a fresh error named e, expecting failure code. */
#define FAILS(code, call)                                                 \
  do {                                                                    \
    sl_status fails_rc_ = (call);                                         \
    if (fails_rc_ != (code))                                              \
      fail_msg("%s returned %d, expected %d (%s)", #call, fails_rc_,     \
               (code), e.message);                                        \
  } while (0)

static sl_catalog *open_memory(void) {
  sl_catalog *cat = NULL;
  sl_error err;
  if (sl_catalog_open(":memory:", &cat, &err))
    fail_msg("open: %s", err.message);
  return cat;
}

static char *path_in(const char *dir, const char *name) {
  char *p = malloc(strlen(dir) + strlen(name) + 2);
  sprintf(p, "%s/%s", dir, name);
  return p;
}

/* A stream with every kind of field filled. */
static sl_catalog_object *payments_stream(const char *sql) {
  sl_error err;
  sl_catalog_object *obj =
      sl_catalog_object_new(SL_CATALOG_STREAM, "payments", sql);
  assert_non_null(obj);
  assert_int_equal(sl_catalog_object_add_column(obj, "id", T("BIGINT"), true,
                                                false, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_column(obj, "amount",
                                                T("DECIMAL(10,2)"), false,
                                                false, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_column(obj, "ts", T("TIMESTAMP"),
                                                false, false, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_column(
                       obj, "Tags", T("ARRAY<VARCHAR>"), false, false, &err),
                   SL_OK);
  assert_int_equal(sl_catalog_object_set_key(obj, "id", &err), SL_OK);
  assert_int_equal(sl_catalog_object_set_timestamp(obj, "ts", "epoch_ms",
                                                   &err), SL_OK);
  assert_int_equal(sl_catalog_object_set_watermark(
                       obj, "ts - INTERVAL '5' SECOND", &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_option(obj, "topic", "payments",
                                                &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_option(obj, "format", "json", &err),
                   SL_OK);
  return obj;
}

static const char payments_sql[] =
    "CREATE STREAM payments (id BIGINT NOT NULL, amount DECIMAL(10,2),\n"
    "  ts TIMESTAMP, \"Tags\" ARRAY<VARCHAR>,\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)\n"
    "  WITH (topic='payments', format='json', key='id', timestamp='ts',\n"
    "        timestamp_format='epoch_ms');";

static sl_catalog_object *simple(sl_catalog_kind kind, const char *name,
                                 const char *dep) {
  sl_error err;
  char sql[256];
  snprintf(sql, sizeof(sql), "CREATE %s %s", sl_catalog_kind_name(kind),
           name);
  sl_catalog_object *obj = sl_catalog_object_new(kind, name, sql);
  assert_int_equal(sl_catalog_object_add_column(
                       obj, "k", T("VARCHAR"), false,
                       kind == SL_CATALOG_TABLE, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_column(obj, "v", T("DOUBLE"), false,
                                                false, &err), SL_OK);
  if (dep)
    assert_int_equal(sl_catalog_object_add_dep(obj, dep, &err), SL_OK);
  return obj;
}

static void create_ok(sl_catalog *cat, sl_catalog_object *obj) {
  sl_error err;
  sl_catalog_outcome outcome;
  if (sl_catalog_create(cat, obj, false, &outcome, &err))
    fail_msg("create %s: %s", obj->name, err.message);
  assert_int_equal(outcome, SL_CATALOG_CREATED);
  sl_catalog_object_free(obj);
}

static void check_payments(const sl_catalog_object *obj) {
  char type[SL_TYPE_SQL_MAX];
  assert_int_equal(obj->kind, SL_CATALOG_STREAM);
  assert_string_equal(obj->name, "payments");
  assert_int_equal(obj->ncolumns, 4);
  assert_string_equal(obj->columns[0].name, "id");
  assert_string_equal(sl_type_to_sql(obj->columns[0].type, type,
                                     sizeof(type)), "BIGINT");
  assert_true(obj->columns[0].not_null);
  assert_false(obj->columns[0].primary_key);
  assert_string_equal(obj->columns[1].name, "amount");
  assert_string_equal(sl_type_to_sql(obj->columns[1].type, type,
                                     sizeof(type)), "DECIMAL(10,2)");
  assert_false(obj->columns[1].not_null);
  assert_string_equal(obj->columns[3].name, "Tags");
  assert_string_equal(sl_type_to_sql(obj->columns[3].type, type,
                                     sizeof(type)), "ARRAY<VARCHAR>");
  for (int i = 0; i < 4; i++)
    assert_int_equal(obj->columns[i].position, i);
  assert_int_equal(obj->key_column, 0);
  assert_int_equal(obj->timestamp_column, 2);
  assert_string_equal(obj->timestamp_format, "epoch_ms");
  assert_string_equal(obj->watermark, "ts - INTERVAL '5' SECOND");
  assert_int_equal(obj->noptions, 2);
  assert_string_equal(obj->options[0].name, "topic");
  assert_string_equal(obj->options[0].value, "payments");
  assert_string_equal(obj->options[1].name, "format");
  assert_string_equal(sl_catalog_object_option(obj, "format"), "json");
  assert_null(sl_catalog_object_option(obj, "partitions"));
  assert_string_equal(obj->sql, payments_sql);
  assert_null(obj->storage);
  assert_false(obj->builtin);
  assert_true(obj->created_ms > 1700000000000LL);
}

/* ---- definitions ------------------------------------------------------ */

static void test_create_and_describe(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_ok(cat, payments_stream(payments_sql));

  sl_catalog_object *got = NULL;
  OK(sl_catalog_get(cat, "payments", &got, &e));
  assert_non_null(got);
  check_payments(got);
  sl_catalog_object_free(got);

  /* Names are exact: the parser has already folded unquoted ones. */
  OK(sl_catalog_get(cat, "Payments", &got, &e));
  assert_null(got);
  OK(sl_catalog_get(cat, "nothing", &got, &e));
  assert_null(got);
  sl_catalog_close(cat);
}

static void test_rerun_and_duplicates(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  sl_catalog_outcome outcome;
  create_ok(cat, payments_stream(payments_sql));

  /* The same statement again, laid out differently: a no-op. */
  sl_catalog_object *again = payments_stream(
      "-- the payments\nCREATE STREAM payments (id BIGINT NOT NULL, "
      "amount DECIMAL(10,2), ts TIMESTAMP, \"Tags\" ARRAY<VARCHAR>, "
      "/* event time */ WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) "
      "WITH (topic='payments', format='json', key='id', timestamp='ts', "
      "timestamp_format='epoch_ms')");
  OK(sl_catalog_create(cat, again, false, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_UNCHANGED);

  /* White space inside a string literal is part of the definition. */
  sl_catalog_object *text = payments_stream(
      "CREATE STREAM payments (id BIGINT NOT NULL, amount DECIMAL(10,2),"
      " ts TIMESTAMP, \"Tags\" ARRAY<VARCHAR>, WATERMARK FOR ts AS ts -"
      " INTERVAL '5' SECOND) WITH (topic='payments ', format='json',"
      " key='id', timestamp='ts', timestamp_format='epoch_ms')");
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, text, false, &outcome, &e));
  sl_catalog_object_free(text);

  /* A different column type: an error naming the object. */
  sl_type_free(again->columns[1].type);
  again->columns[1].type = T("DOUBLE");
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, again, false, &outcome, &e));
  assert_string_equal(e.message, "stream \"payments\" already exists with a "
                                 "different definition; DROP it first");

  /* IF NOT EXISTS skips silently, whatever the definition. */
  OK(sl_catalog_create(cat, again, true, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_SKIPPED);
  sl_catalog_object_free(again);

  /* One namespace for streams, tables, training sets and models. */
  sl_catalog_object *table = simple(SL_CATALOG_TABLE, "payments", NULL);
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, table, false, &outcome, &e));
  assert_string_equal(e.message, "cannot create table \"payments\": a "
                                 "stream of that name exists");
  sl_catalog_object_free(table);

  /* The definition in the catalog is the first one. */
  sl_catalog_object *got = NULL;
  OK(sl_catalog_get(cat, "payments", &got, &e));
  check_payments(got);
  sl_catalog_object_free(got);
  sl_catalog_close(cat);
}

static void test_same_definition(void **state) {
  (void)state;
  sl_catalog_object *a = payments_stream("SELECT 1 ;  ");
  sl_catalog_object *b = payments_stream("select 1");
  assert_false(sl_catalog_object_same_definition(a, b));
  free(b->sql);
  b->sql = strdup("SELECT  1 -- one\n");
  assert_true(sl_catalog_object_same_definition(a, b));
  b->created_ms = 42;
  assert_true(sl_catalog_object_same_definition(a, b));
  sl_error err;
  assert_int_equal(sl_catalog_object_add_option(b, "partitions", "6", &err),
                   SL_OK);
  assert_false(sl_catalog_object_same_definition(a, b));
  sl_catalog_object *c = sl_catalog_object_clone(b);
  assert_true(sl_catalog_object_same_definition(b, c));
  assert_string_equal(c->sql, "SELECT  1 -- one\n");

  /* A name only a quoted identifier spells starts quoted; the SQL text
   * says the rest, so the flag is copied but not compared. */
  assert_false(b->columns[1].quoted);
  assert_true(b->columns[3].quoted);
  b->columns[1].quoted = true;
  sl_catalog_object_free(c);
  c = sl_catalog_object_clone(b);
  assert_true(c->columns[1].quoted);
  c->columns[1].quoted = false;
  assert_true(sl_catalog_object_same_definition(b, c));
  assert_true(sl_catalog_name_plain("amount_2"));
  assert_false(sl_catalog_name_plain("Amount"));
  assert_false(sl_catalog_name_plain("2x"));
  assert_false(sl_catalog_name_plain("card number"));
  assert_false(sl_catalog_name_plain(""));
  sl_catalog_object_free(a);
  sl_catalog_object_free(b);
  sl_catalog_object_free(c);
}

static void test_builder_errors(void **state) {
  (void)state;
  sl_error e;
  sl_catalog_object *obj = simple(SL_CATALOG_STREAM, "s", NULL);
  FAILS(SL_ERR_SQL, sl_catalog_object_add_column(obj, "k", T("INT"), false,
                                                 false, &e));
  assert_string_equal(e.message, "duplicate column \"k\" in stream \"s\"");
  FAILS(SL_ERR_SQL, sl_catalog_object_set_key(obj, "id", &e));
  assert_string_equal(e.message, "unknown key column \"id\" in stream \"s\"");
  FAILS(SL_ERR_SQL, sl_catalog_object_set_timestamp(obj, "when", NULL, &e));
  assert_string_equal(e.message,
                      "unknown timestamp column \"when\" in stream \"s\"");
  assert_int_equal(sl_catalog_object_add_option(obj, "topic", "t", &e),
                   SL_OK);
  FAILS(SL_ERR_SQL, sl_catalog_object_add_option(obj, "topic", "u", &e));
  assert_string_equal(e.message, "duplicate option \"topic\" for stream "
                                 "\"s\"");
  assert_int_equal(sl_catalog_object_column(obj, "v"), 1);
  assert_int_equal(sl_catalog_object_column(obj, "V"), -1);
  sl_catalog_object_free(obj);
}

static void test_validation(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;

  sl_catalog_object *t = simple(SL_CATALOG_STREAM, "t", NULL);
  t->kind = SL_CATALOG_TABLE;
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, t, false, NULL, &e));
  assert_string_equal(e.message, "table \"t\" needs a PRIMARY KEY");
  sl_catalog_object_free(t);

  t = sl_catalog_object_new(SL_CATALOG_TABLE, "t", "CREATE TABLE t");
  assert_int_equal(sl_catalog_object_add_column(t, "tags",
                                                T("ARRAY<INT>"), false, true,
                                                &e), SL_OK);
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, t, false, NULL, &e));
  assert_string_equal(e.message, "column \"tags\" of table \"t\" has type "
                                 "ARRAY<INT>, which cannot be a PRIMARY KEY");
  sl_catalog_object_free(t);

  t = simple(SL_CATALOG_TABLE, "t", NULL);
  assert_int_equal(sl_catalog_object_add_option(t, "versioned", "maybe", &e),
                   SL_OK);
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, t, false, NULL, &e));
  assert_string_equal(e.message, "option versioned of table \"t\" must be "
                                 "true or false, not \"maybe\"");
  sl_catalog_object_free(t);

  sl_catalog_object *s = simple(SL_CATALOG_STREAM, "s2", "nope");
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, s, false, NULL, &e));
  assert_string_equal(e.message, "stream \"s2\" reads \"nope\", which does "
                                 "not exist");
  sl_catalog_object_free(s);

  s = simple(SL_CATALOG_STREAM, "s3", NULL);
  assert_int_equal(sl_catalog_object_add_function_dep(s, "luhn", &e), SL_OK);
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, s, false, NULL, &e));
  assert_string_equal(e.message, "stream \"s3\" calls function \"luhn\", "
                                 "which does not exist");
  sl_catalog_object_free(s);

  s = simple(SL_CATALOG_TABLE, "prediction_log", NULL);
  FAILS(SL_ERR_SQL, sl_catalog_create(cat, s, false, NULL, &e));
  assert_string_equal(e.message, "the name \"prediction_log\" is reserved "
                                 "for the builtin table of predictions");
  sl_catalog_object_free(s);

  /* Nothing of the failed creates was left behind. */
  sl_catalog_object **objs;
  int n;
  OK(sl_catalog_list(cat, SL_CATALOG_STREAM, &objs, &n, &e));
  assert_int_equal(n, 0);
  sl_catalog_object_list_free(objs, n);
  OK(sl_catalog_list(cat, SL_CATALOG_TABLE, &objs, &n, &e));
  assert_int_equal(n, 0);
  sl_catalog_object_list_free(objs, n);
  sl_catalog_close(cat);
}

static void test_list_by_kind(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_ok(cat, simple(SL_CATALOG_STREAM, "zeta", NULL));
  create_ok(cat, simple(SL_CATALOG_STREAM, "alpha", NULL));
  create_ok(cat, simple(SL_CATALOG_TABLE, "merchants", NULL));
  create_ok(cat, simple(SL_CATALOG_TRAINING_SET, "ts", "alpha"));

  sl_catalog_object **objs;
  int n;
  OK(sl_catalog_list(cat, SL_CATALOG_STREAM, &objs, &n, &e));
  assert_int_equal(n, 2);
  assert_string_equal(objs[0]->name, "alpha");
  assert_string_equal(objs[1]->name, "zeta");
  sl_catalog_object_list_free(objs, n);

  /* The builtin prediction_log is found by name but not listed. */
  OK(sl_catalog_list(cat, SL_CATALOG_TABLE, &objs, &n, &e));
  assert_int_equal(n, 1);
  assert_string_equal(objs[0]->name, "merchants");
  assert_string_equal(objs[0]->storage, "merchants");
  assert_int_equal(objs[0]->key_column, 0);
  assert_true(objs[0]->columns[0].primary_key);
  assert_true(objs[0]->columns[0].not_null);
  sl_catalog_object_list_free(objs, n);

  OK(sl_catalog_list(cat, SL_CATALOG_TRAINING_SET, &objs, &n, &e));
  assert_int_equal(n, 1);
  assert_int_equal(objs[0]->ndeps, 1);
  assert_string_equal(objs[0]->deps[0], "alpha");
  sl_catalog_object_list_free(objs, n);

  OK(sl_catalog_list(cat, SL_CATALOG_MODEL, &objs, &n, &e));
  assert_int_equal(n, 0);
  assert_null(objs);
  sl_catalog_close(cat);
}

static sl_catalog_query *query(const char *id, const char *sink,
                               const char *dep) {
  char sql[128];
  snprintf(sql, sizeof(sql), "INSERT INTO %s SELECT * FROM %s",
           sink ? sink : "x", dep ? dep : "x");
  sl_catalog_query *q = sl_catalog_query_new(id, sql, sink);
  sl_error err;
  if (dep)
    assert_int_equal(sl_catalog_query_add_dep(q, dep, &err), SL_OK);
  return q;
}

static void create_query(sl_catalog *cat, sl_catalog_query *q) {
  sl_error err;
  sl_catalog_outcome outcome;
  if (sl_catalog_query_create(cat, q, &outcome, &err))
    fail_msg("query %s: %s", q->id, err.message);
  assert_int_equal(outcome, SL_CATALOG_CREATED);
  sl_catalog_query_free(q);
}

static void test_drop_with_dependants(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  bool dropped;
  create_ok(cat, simple(SL_CATALOG_STREAM, "payments", NULL));
  create_ok(cat, simple(SL_CATALOG_TABLE, "merchants", NULL));
  create_ok(cat, simple(SL_CATALOG_STREAM, "enriched", "payments"));
  create_ok(cat, simple(SL_CATALOG_TRAINING_SET, "features", "payments"));
  create_query(cat, query("enriched", "enriched", "payments"));
  create_query(cat, query("features", "features", "payments"));

  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_STREAM, "payments",
                                    false, &dropped, &e));
  assert_string_equal(e.message,
                      "cannot drop stream \"payments\": stream \"enriched\", "
                      "training set \"features\", running query "
                      "\"enriched\" and running query \"features\" depend "
                      "on it");
  assert_false(dropped);

  /* A running query writing a stream holds it too. */
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_STREAM, "enriched",
                                    false, &dropped, &e));
  assert_string_equal(e.message, "cannot drop stream \"enriched\": running "
                                 "query \"enriched\" depends on it");

  /* Once terminated, the stream goes, and its query record with it. */
  OK(sl_catalog_query_set_state(cat, "enriched", SL_QUERY_TERMINATED, NULL,
                                &e));
  OK(sl_catalog_drop(cat, SL_CATALOG_STREAM, "enriched", false, &dropped,
                     &e));
  assert_true(dropped);
  sl_catalog_query *q = NULL;
  OK(sl_catalog_query_get(cat, "enriched", &q, &e));
  assert_null(q);

  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_STREAM, "payments",
                                    false, &dropped, &e));
  assert_string_equal(e.message,
                      "cannot drop stream \"payments\": training set "
                      "\"features\" and running query \"features\" depend "
                      "on it");

  /* Kinds must match; missing names fail unless IF EXISTS. */
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_STREAM, "merchants",
                                    false, &dropped, &e));
  assert_string_equal(e.message, "\"merchants\" is a table, not a stream");
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_TABLE, "nothing", false,
                                    &dropped, &e));
  assert_string_equal(e.message, "unknown table \"nothing\"");
  OK(sl_catalog_drop(cat, SL_CATALOG_TABLE, "nothing", true, &dropped, &e));
  assert_false(dropped);
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_TABLE, "prediction_log",
                                    false, &dropped, &e));
  assert_string_equal(e.message, "cannot drop the builtin table "
                                 "\"prediction_log\"");

  /* The table's storage goes with it. */
  OK(sl_catalog_drop(cat, SL_CATALOG_TABLE, "merchants", false, &dropped,
                     &e));
  assert_true(dropped);
  sqlite3_stmt *stmt;
  assert_int_equal(sqlite3_prepare_v2(sl_catalog_sqlite(cat),
                                      "SELECT count(*) FROM sqlite_master"
                                      " WHERE name = 'merchants'",
                                      -1, &stmt, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(stmt, 0), 0);
  sqlite3_finalize(stmt);
  sl_catalog_close(cat);
}

/* ---- functions -------------------------------------------------------- */

static sl_catalog_function *luhn(const char *library) {
  sl_catalog_function *fn = sl_catalog_function_new(
      "luhn", T("BOOLEAN"), false, library, NULL,
      "CREATE FUNCTION luhn(VARCHAR) RETURNS BOOLEAN LANGUAGE C AS "
      "'libcards.so'");
  sl_error err;
  assert_int_equal(sl_catalog_function_add_arg(fn, T("VARCHAR"), &err),
                   SL_OK);
  return fn;
}

static void test_functions(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  sl_catalog_outcome outcome;
  char sig[256];

  sl_catalog_function *fn = luhn("libcards.so");
  OK(sl_catalog_function_create(cat, fn, false, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_CREATED);
  OK(sl_catalog_function_create(cat, fn, false, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_UNCHANGED);
  sl_catalog_function_free(fn);

  fn = luhn("other.so");
  FAILS(SL_ERR_SQL, sl_catalog_function_create(cat, fn, false, &outcome,
                                               &e));
  assert_string_equal(e.message, "function \"luhn\" already exists with a "
                                 "different definition; DROP it first");
  OK(sl_catalog_function_create(cat, fn, true, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_SKIPPED);
  sl_catalog_function_free(fn);

  fn = sl_catalog_function_new("risk_avg", T("DOUBLE"), true, "librisk.so",
                               "risk_avg_v2", "CREATE AGGREGATE FUNCTION");
  assert_int_equal(sl_catalog_function_add_arg(fn, T("DOUBLE"), &e), SL_OK);
  assert_int_equal(sl_catalog_function_add_arg(fn, T("DECIMAL(8,3)"), &e),
                   SL_OK);
  OK(sl_catalog_function_create(cat, fn, false, &outcome, &e));
  sl_catalog_function_free(fn);

  sl_catalog_function *got = NULL;
  OK(sl_catalog_function_get(cat, "luhn", &got, &e));
  assert_non_null(got);
  assert_string_equal(sl_catalog_function_signature(got, sig, sizeof(sig)),
                      "luhn(VARCHAR) RETURNS BOOLEAN");
  assert_string_equal(got->library, "libcards.so");
  assert_string_equal(got->symbol, "luhn");
  assert_false(got->aggregate);
  sl_catalog_function_free(got);

  sl_catalog_function **fns;
  int n;
  OK(sl_catalog_function_list(cat, &fns, &n, &e));
  assert_int_equal(n, 2);
  assert_string_equal(fns[0]->name, "luhn");
  assert_string_equal(sl_catalog_function_signature(fns[1], sig,
                                                    sizeof(sig)),
                      "AGGREGATE risk_avg(DOUBLE, DECIMAL(8,3)) RETURNS "
                      "DOUBLE");
  assert_string_equal(fns[1]->symbol, "risk_avg_v2");
  assert_true(fns[1]->aggregate);
  sl_catalog_function_list_free(fns, n);

  /* Functions have their own namespace, and dependants hold them. */
  sl_catalog_object *s = simple(SL_CATALOG_STREAM, "luhn", NULL);
  assert_int_equal(sl_catalog_object_add_function_dep(s, "luhn", &e), SL_OK);
  create_ok(cat, s);
  bool dropped;
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_FUNCTION, "luhn", false,
                                    &dropped, &e));
  assert_string_equal(e.message, "cannot drop function \"luhn\": stream "
                                 "\"luhn\" depends on it");
  OK(sl_catalog_drop(cat, SL_CATALOG_STREAM, "luhn", false, &dropped, &e));
  OK(sl_catalog_drop(cat, SL_CATALOG_FUNCTION, "luhn", false, &dropped, &e));
  assert_true(dropped);
  OK(sl_catalog_function_get(cat, "luhn", &got, &e));
  assert_null(got);
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_FUNCTION, "luhn", false,
                                    &dropped, &e));
  assert_string_equal(e.message, "unknown function \"luhn\"");
  sl_catalog_close(cat);
}

/* ---- queries ---------------------------------------------------------- */

static void test_queries(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  sl_catalog_outcome outcome;
  create_ok(cat, simple(SL_CATALOG_STREAM, "payments", NULL));
  create_ok(cat, simple(SL_CATALOG_STREAM, "big", "payments"));

  sl_catalog_query *q = query("big", "big", "payments");
  OK(sl_catalog_query_create(cat, q, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_CREATED);

  sl_catalog_offset offsets[] = {{"payments", 1, 120}, {"payments", 0, 99}};
  sl_catalog_counters counters = {221, 40, 2, 1};
  OK(sl_catalog_query_save_progress(cat, "big", offsets, 2, &counters, &e));
  offsets[1].offset = 100;
  OK(sl_catalog_query_save_progress(cat, "big", &offsets[1], 1, NULL, &e));

  /* Re-running the statement resumes the query: its progress stays. */
  OK(sl_catalog_query_create(cat, q, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_UNCHANGED);
  free(q->sql);
  q->sql = strdup("INSERT INTO big SELECT * FROM payments WHERE v > 1");
  FAILS(SL_ERR_SQL, sl_catalog_query_create(cat, q, &outcome, &e));
  assert_string_equal(e.message, "query \"big\" already exists with a "
                                 "different definition");
  sl_catalog_query_free(q);

  sl_catalog_query *got = NULL;
  OK(sl_catalog_query_get(cat, "big", &got, &e));
  assert_non_null(got);
  assert_string_equal(got->sql, "INSERT INTO big SELECT * FROM payments");
  assert_string_equal(got->sink, "big");
  assert_int_equal(got->state, SL_QUERY_RUNNING);
  assert_null(got->error);
  assert_int_equal(got->ndeps, 1);
  assert_string_equal(got->deps[0], "payments");
  assert_int_equal(got->noffsets, 2);
  assert_string_equal(got->offsets[0].topic, "payments");
  assert_int_equal(got->offsets[0].partition, 0);
  assert_int_equal(got->offsets[0].offset, 100);
  assert_int_equal(got->offsets[1].partition, 1);
  assert_int_equal(got->offsets[1].offset, 120);
  assert_int_equal(got->counters.records_in, 221);
  assert_int_equal(got->counters.records_out, 40);
  assert_int_equal(got->counters.records_failed, 2);
  assert_int_equal(got->counters.records_late, 1);
  assert_true(got->updated_ms >= got->created_ms);
  sl_catalog_query_free(got);

  FAILS(SL_ERR_SQL, sl_catalog_query_delete(cat, "big", &e));
  assert_string_equal(e.message, "query \"big\" is running; TERMINATE it "
                                 "first");
  OK(sl_catalog_query_set_state(cat, "big", SL_QUERY_FAILED,
                                "payments [0] @ 7: division by zero", &e));
  OK(sl_catalog_query_get(cat, "big", &got, &e));
  assert_int_equal(got->state, SL_QUERY_FAILED);
  assert_string_equal(got->error, "payments [0] @ 7: division by zero");
  assert_string_equal(sl_catalog_query_state_name(got->state), "failed");
  sl_catalog_query_free(got);

  FAILS(SL_ERR_SQL, sl_catalog_query_set_state(cat, "nope",
                                               SL_QUERY_TERMINATED, NULL,
                                               &e));
  assert_string_equal(e.message, "unknown query \"nope\"");

  q = query("orphan", "nowhere", "payments");
  FAILS(SL_ERR_SQL, sl_catalog_query_create(cat, q, &outcome, &e));
  assert_string_equal(e.message, "query \"orphan\" writes \"nowhere\", "
                                 "which does not exist");
  sl_catalog_query_free(q);

  create_query(cat, query("big_insert_1", "big", "payments"));
  sl_catalog_query **qs;
  int n;
  OK(sl_catalog_query_list(cat, &qs, &n, &e));
  assert_int_equal(n, 2);
  assert_string_equal(qs[0]->id, "big");
  assert_string_equal(qs[1]->id, "big_insert_1");
  sl_catalog_query_list_free(qs, n);

  OK(sl_catalog_query_delete(cat, "big", &e));
  OK(sl_catalog_query_get(cat, "big", &got, &e));
  assert_null(got);
  sl_catalog_close(cat);
}

/* ---- models ----------------------------------------------------------- */

static sl_catalog_object *model(const char *sql) {
  sl_error err;
  sl_catalog_object *m = sl_catalog_object_new(SL_CATALOG_MODEL, "risk",
                                               sql);
  assert_int_equal(sl_catalog_object_add_column(m, "amount", T("DOUBLE"),
                                                false, false, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_option(m, "type", "xgboost", &err),
                   SL_OK);
  assert_int_equal(sl_catalog_object_add_dep(m, "history", &err), SL_OK);
  return m;
}

static void test_model_versions(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  sl_catalog_outcome outcome;
  create_ok(cat, simple(SL_CATALOG_TRAINING_SET, "history", NULL));
  create_ok(cat, model("CREATE MODEL risk TYPE XGBOOST ..."));

  sl_catalog_model_version v = {0};
  v.model = "risk";
  v.training_set = "history";
  v.rows = 9857;
  v.params = "{\"max_depth\":6}";
  v.metrics = "{\"auc\":0.71}";
  v.sql = "CREATE MODEL risk ...";
  v.trained_ms = 1714564800000LL;
  v.training_ms = 1250;
  v.blob = "\x01\x00\x02booster";
  v.blob_len = 10;
  int version = 0;
  OK(sl_catalog_model_add_version(cat, &v, &version, &e));
  assert_int_equal(version, 1);

  /* CREATE MODEL again takes the new definition and keeps the versions. */
  sl_catalog_object *m2 = model("CREATE MODEL risk TYPE XGBOOST v2");
  assert_int_equal(sl_catalog_object_add_column(m2, "age", T("INT"), false,
                                                false, &e), SL_OK);
  OK(sl_catalog_create(cat, m2, false, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_UPDATED);
  OK(sl_catalog_create(cat, m2, true, &outcome, &e));
  assert_int_equal(outcome, SL_CATALOG_SKIPPED);
  sl_catalog_object_free(m2);

  v.rows = 10000;
  v.metrics = NULL;
  v.blob = "v2";
  v.blob_len = 2;
  OK(sl_catalog_model_add_version(cat, &v, &version, &e));
  assert_int_equal(version, 2);

  sl_catalog_model_version *got = NULL;
  OK(sl_catalog_model_get_version(cat, "risk", 0, &got, &e));
  assert_non_null(got);
  assert_int_equal(got->version, 2);
  assert_int_equal(got->rows, 10000);
  assert_null(got->metrics);
  assert_int_equal(got->blob_len, 2);
  assert_memory_equal(got->blob, "v2", 2);
  sl_catalog_model_version_free(got);

  OK(sl_catalog_model_get_version(cat, "risk", 1, &got, &e));
  assert_int_equal(got->version, 1);
  assert_string_equal(got->model, "risk");
  assert_string_equal(got->training_set, "history");
  assert_string_equal(got->params, "{\"max_depth\":6}");
  assert_string_equal(got->metrics, "{\"auc\":0.71}");
  assert_string_equal(got->sql, "CREATE MODEL risk ...");
  assert_int_equal(got->trained_ms, 1714564800000LL);
  assert_int_equal(got->training_ms, 1250);
  assert_int_equal(got->blob_len, 10);
  assert_memory_equal(got->blob, "\x01\x00\x02booster", 10);
  sl_catalog_model_version_free(got);

  OK(sl_catalog_model_get_version(cat, "risk", 3, &got, &e));
  assert_null(got);

  sl_catalog_model_version **vs;
  int n;
  OK(sl_catalog_model_list_versions(cat, "risk", &vs, &n, &e));
  assert_int_equal(n, 2);
  assert_int_equal(vs[0]->version, 1);
  assert_int_equal(vs[1]->version, 2);
  assert_null(vs[0]->blob);
  sl_catalog_model_version_list_free(vs, n);

  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(cat, "risk", &obj, &e));
  assert_int_equal(obj->ncolumns, 2);
  assert_string_equal(obj->sql, "CREATE MODEL risk TYPE XGBOOST v2");
  sl_catalog_object_free(obj);

  v.model = "history";
  FAILS(SL_ERR_SQL, sl_catalog_model_add_version(cat, &v, &version, &e));
  assert_string_equal(e.message, "unknown model \"history\"");

  bool dropped;
  FAILS(SL_ERR_SQL, sl_catalog_drop(cat, SL_CATALOG_TRAINING_SET, "history",
                                    false, &dropped, &e));
  assert_string_equal(e.message, "cannot drop training set \"history\": "
                                 "model \"risk\" depends on it");
  OK(sl_catalog_drop(cat, SL_CATALOG_MODEL, "risk", false, &dropped, &e));
  OK(sl_catalog_model_list_versions(cat, "risk", &vs, &n, &e));
  assert_int_equal(n, 0);
  sl_catalog_model_version_list_free(vs, n);
  sl_catalog_close(cat);
}

/* ---- restart, migration, versions ------------------------------------- */

static void test_restart(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char *path = path_in(dir, "sluice.db");
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  assert_int_equal(sl_catalog_schema_version(cat), SL_CATALOG_SCHEMA_VERSION);
  create_ok(cat, payments_stream(payments_sql));
  create_ok(cat, simple(SL_CATALOG_TABLE, "merchants", NULL));
  create_ok(cat, simple(SL_CATALOG_STREAM, "big", "payments"));
  create_query(cat, query("big", "big", "payments"));
  sl_catalog_function *fn = luhn("libcards.so");
  OK(sl_catalog_function_create(cat, fn, false, NULL, &e));
  sl_catalog_function_free(fn);
  OK(sl_catalog_setting_set(cat, "secret", "k3y", &e));
  sl_catalog_close(cat);

  OK(sl_catalog_open(path, &cat, &e));
  sl_catalog_object *got = NULL;
  OK(sl_catalog_get(cat, "payments", &got, &e));
  assert_non_null(got);
  check_payments(got);
  sl_catalog_object_free(got);
  OK(sl_catalog_get(cat, "merchants", &got, &e));
  assert_int_equal(got->kind, SL_CATALOG_TABLE);
  assert_string_equal(got->storage, "merchants");
  sl_catalog_object_free(got);
  sl_catalog_query *q = NULL;
  OK(sl_catalog_query_get(cat, "big", &q, &e));
  assert_non_null(q);
  assert_int_equal(q->state, SL_QUERY_RUNNING);
  sl_catalog_query_free(q);
  OK(sl_catalog_function_get(cat, "luhn", &fn, &e));
  assert_non_null(fn);
  sl_catalog_function_free(fn);
  char *secret = NULL;
  OK(sl_catalog_setting_get(cat, "secret", &secret, &e));
  assert_string_equal(secret, "k3y");
  free(secret);
  OK(sl_catalog_setting_get(cat, "missing", &secret, &e));
  assert_null(secret);

  /* WAL mode on a file catalog. */
  sqlite3_stmt *stmt;
  sqlite3_prepare_v2(sl_catalog_sqlite(cat), "PRAGMA journal_mode", -1,
                     &stmt, NULL);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
  sqlite3_finalize(stmt);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(path);
  free(dir);
}

/* The schema of version 1, as a released sluice wrote it. */
static const char *const schema_v1[] = {
  "CREATE TABLE sluice_schema_version (version INTEGER PRIMARY KEY,"
  " applied_ms INTEGER NOT NULL)",
  "CREATE TABLE sluice_objects (name TEXT PRIMARY KEY, kind TEXT NOT NULL,"
  " key_column TEXT, timestamp_column TEXT, timestamp_format TEXT,"
  " watermark TEXT, sql TEXT NOT NULL, created_ms INTEGER NOT NULL)",
  "CREATE TABLE sluice_columns (object TEXT NOT NULL REFERENCES"
  " sluice_objects(name) ON DELETE CASCADE, position INTEGER NOT NULL,"
  " name TEXT NOT NULL, type TEXT NOT NULL, not_null INTEGER NOT NULL,"
  " primary_key INTEGER NOT NULL, PRIMARY KEY (object, position))",
  "CREATE TABLE sluice_options (object TEXT NOT NULL REFERENCES"
  " sluice_objects(name) ON DELETE CASCADE, position INTEGER NOT NULL,"
  " name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (object, position))",
  "CREATE TABLE sluice_dependencies (object TEXT NOT NULL REFERENCES"
  " sluice_objects(name) ON DELETE CASCADE, name TEXT NOT NULL,"
  " PRIMARY KEY (object, name))",
  "CREATE TABLE sluice_functions (name TEXT PRIMARY KEY, signature TEXT NOT"
  " NULL, returns TEXT NOT NULL, aggregate INTEGER NOT NULL, library TEXT"
  " NOT NULL, symbol TEXT NOT NULL, sql TEXT NOT NULL, created_ms INTEGER"
  " NOT NULL)",
  "CREATE TABLE sluice_function_args (function TEXT NOT NULL REFERENCES"
  " sluice_functions(name) ON DELETE CASCADE, position INTEGER NOT NULL,"
  " type TEXT NOT NULL, PRIMARY KEY (function, position))",
  "CREATE TABLE sluice_queries (id TEXT PRIMARY KEY, sql TEXT NOT NULL,"
  " sink TEXT, state TEXT NOT NULL, error TEXT, created_ms INTEGER NOT"
  " NULL)",
  "CREATE TABLE sluice_query_dependencies (query TEXT NOT NULL REFERENCES"
  " sluice_queries(id) ON DELETE CASCADE, name TEXT NOT NULL,"
  " PRIMARY KEY (query, name))",
  "INSERT INTO sluice_schema_version VALUES (1, 1700000000000)",
  "INSERT INTO sluice_objects VALUES ('payments', 'stream', 'id', NULL,"
  " NULL, NULL, 'CREATE STREAM payments (id BIGINT, amount DOUBLE)',"
  " 1700000000001)",
  "INSERT INTO sluice_columns VALUES ('payments', 0, 'id', 'BIGINT', 1, 0),"
  " ('payments', 1, 'amount', 'DOUBLE', 0, 0)",
  "INSERT INTO sluice_options VALUES ('payments', 0, 'topic', 'pay')",
  "INSERT INTO sluice_objects VALUES ('rates', 'table', 'ccy', NULL, NULL,"
  " NULL, 'CREATE TABLE rates (ccy VARCHAR PRIMARY KEY, rate DOUBLE)',"
  " 1700000000002)",
  "INSERT INTO sluice_columns VALUES ('rates', 0, 'ccy', 'VARCHAR', 1, 1),"
  " ('rates', 1, 'rate', 'DOUBLE', 0, 0)",
  "CREATE TABLE rates (ccy TEXT NOT NULL, rate REAL, PRIMARY KEY (ccy))"
  " WITHOUT ROWID",
  "INSERT INTO rates VALUES ('EUR', 1.25)",
  "INSERT INTO sluice_objects VALUES ('big', 'stream', NULL, NULL, NULL,"
  " NULL, 'CREATE STREAM big AS SELECT * FROM payments', 1700000000003)",
  "INSERT INTO sluice_columns VALUES ('big', 0, 'id', 'BIGINT', 0, 0)",
  "INSERT INTO sluice_dependencies VALUES ('big', 'payments')",
  "INSERT INTO sluice_queries VALUES ('big', 'CREATE STREAM big AS SELECT *"
  " FROM payments', 'big', 'running', NULL, 1700000000004)",
  "INSERT INTO sluice_query_dependencies VALUES ('big', 'payments')",
  NULL
};

static void exec_all(const char *path, const char *const *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  for (; *sql; sql++) {
    char *msg = NULL;
    if (sqlite3_exec(db, *sql, NULL, NULL, &msg) != SQLITE_OK)
      fail_msg("%s: %s", *sql, msg);
  }
  sqlite3_close(db);
}

static sl_status print_rate(void *ud, const sl_value *row, int n,
                            sl_error *err) {
  (void)err;
  assert_int_equal(n, 2);
  double *rate = ud;
  *rate = row[1].u.f64;
  return SL_OK;
}

static void test_migrate_from_v1(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char *path = path_in(dir, "old.db");
  exec_all(path, schema_v1);
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  assert_int_equal(sl_catalog_schema_version(cat), SL_CATALOG_SCHEMA_VERSION);

  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(cat, "payments", &obj, &e));
  assert_non_null(obj);
  assert_int_equal(obj->ncolumns, 2);
  assert_int_equal(obj->key_column, 0);
  assert_string_equal(sl_catalog_object_option(obj, "topic"), "pay");
  assert_int_equal(obj->created_ms, 1700000000001LL);
  sl_catalog_object_free(obj);

  /* The table's rows are found through its new storage name. */
  OK(sl_catalog_get(cat, "rates", &obj, &e));
  assert_string_equal(obj->storage, "rates");
  sl_catalog_object_free(obj);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 10, &lk, &e));
  double rate = 0;
  OK(sl_lookup_scan(lk, print_rate, &rate, &e));
  assert_double_near(rate, 1.25, 0);
  sl_lookup_close(lk);

  /* Dependencies moved into the rebuilt tables: the drop is refused. */
  bool dropped;
  sl_status rc = sl_catalog_drop(cat, SL_CATALOG_STREAM, "payments", false,
                                 &dropped, &e);
  assert_int_equal(rc, SL_ERR_SQL);
  assert_string_equal(e.message, "cannot drop stream \"payments\": stream "
                                 "\"big\" and running query \"big\" depend "
                                 "on it");
  sl_catalog_query *q = NULL;
  OK(sl_catalog_query_get(cat, "big", &q, &e));
  assert_int_equal(q->updated_ms, 1700000000004LL);
  assert_int_equal(q->counters.records_in, 0);
  assert_int_equal(q->noffsets, 0);
  sl_catalog_query_free(q);

  /* What version 2 added works on the migrated file. */
  create_ok(cat, simple(SL_CATALOG_TRAINING_SET, "history", "payments"));
  create_ok(cat, model("CREATE MODEL risk"));
  sl_catalog_close(cat);

  /* Reopening at the current version changes nothing. */
  OK(sl_catalog_open(path, &cat, &e));
  assert_int_equal(sl_catalog_schema_version(cat), SL_CATALOG_SCHEMA_VERSION);
  OK(sl_catalog_get(cat, "risk", &obj, &e));
  assert_non_null(obj);
  sl_catalog_object_free(obj);
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(path);
  free(dir);
}

/* What version 2 added to version 1, as a released sluice wrote it. */
static const char *const schema_v2[] = {
  "ALTER TABLE sluice_objects ADD COLUMN storage TEXT",
  "UPDATE sluice_objects SET storage = name WHERE kind IN ('table',"
  " 'training set')",
  "CREATE TABLE sluice_dependencies_v2 (object TEXT NOT NULL REFERENCES"
  " sluice_objects(name) ON DELETE CASCADE, kind TEXT NOT NULL, name TEXT"
  " NOT NULL, PRIMARY KEY (object, kind, name))",
  "INSERT INTO sluice_dependencies_v2 SELECT object, 'object', name"
  " FROM sluice_dependencies",
  "DROP TABLE sluice_dependencies",
  "ALTER TABLE sluice_dependencies_v2 RENAME TO sluice_dependencies",
  "CREATE TABLE sluice_query_dependencies_v2 (query TEXT NOT NULL"
  " REFERENCES sluice_queries(id) ON DELETE CASCADE, kind TEXT NOT NULL,"
  " name TEXT NOT NULL, PRIMARY KEY (query, kind, name))",
  "INSERT INTO sluice_query_dependencies_v2 SELECT query, 'object', name"
  " FROM sluice_query_dependencies",
  "DROP TABLE sluice_query_dependencies",
  "ALTER TABLE sluice_query_dependencies_v2"
  " RENAME TO sluice_query_dependencies",
  "ALTER TABLE sluice_queries ADD COLUMN updated_ms INTEGER",
  "UPDATE sluice_queries SET updated_ms = created_ms",
  "ALTER TABLE sluice_queries ADD COLUMN records_in INTEGER NOT NULL"
  " DEFAULT 0",
  "ALTER TABLE sluice_queries ADD COLUMN records_out INTEGER NOT NULL"
  " DEFAULT 0",
  "ALTER TABLE sluice_queries ADD COLUMN records_failed INTEGER NOT NULL"
  " DEFAULT 0",
  "ALTER TABLE sluice_queries ADD COLUMN records_late INTEGER NOT NULL"
  " DEFAULT 0",
  "CREATE TABLE sluice_query_offsets (query TEXT NOT NULL REFERENCES"
  " sluice_queries(id) ON DELETE CASCADE, topic TEXT NOT NULL, partition"
  " INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (query,"
  " topic, partition)) WITHOUT ROWID",
  "CREATE TABLE sluice_model_versions (model TEXT NOT NULL REFERENCES"
  " sluice_objects(name) ON DELETE CASCADE, version INTEGER NOT NULL,"
  " training_set TEXT, rows INTEGER NOT NULL, params TEXT, metrics TEXT,"
  " sql TEXT, trained_ms INTEGER NOT NULL, training_ms INTEGER NOT NULL,"
  " blob BLOB, PRIMARY KEY (model, version))",
  "CREATE TABLE sluice_state_checkpoints (query TEXT NOT NULL, id INTEGER"
  " NOT NULL, created_ms INTEGER NOT NULL, entries INTEGER NOT NULL,"
  " PRIMARY KEY (query, id))",
  "CREATE TABLE sluice_state_entries (query TEXT NOT NULL, operator TEXT"
  " NOT NULL, partition INTEGER NOT NULL, key BLOB NOT NULL, value BLOB"
  " NOT NULL, PRIMARY KEY (query, operator, partition, key)) WITHOUT"
  " ROWID",
  "CREATE TABLE sluice_state_offsets (query TEXT NOT NULL, topic TEXT NOT"
  " NULL, partition INTEGER NOT NULL, position INTEGER NOT NULL,"
  " checkpoint INTEGER NOT NULL, PRIMARY KEY (query, topic, partition))"
  " WITHOUT ROWID",
  "CREATE TABLE sluice_settings (name TEXT PRIMARY KEY, value TEXT NOT"
  " NULL)",
  "CREATE TABLE prediction_log (query TEXT, model TEXT NOT NULL, version"
  " INTEGER NOT NULL, features TEXT, score REAL, event_time INTEGER,"
  " logged_at INTEGER NOT NULL)",
  "INSERT INTO sluice_schema_version VALUES (2, 1700000000005)",
  /* Quoted "amount" and "Amount", unquoted id: version 2 kept only the
   * names. */
  "INSERT INTO sluice_objects VALUES ('sales', 'stream', 'id', NULL, NULL,"
  " NULL, 'CREATE STREAM sales (id BIGINT, \"amount\" DOUBLE, \"Amount\""
  " DOUBLE) WITH (key=''id'')', 1700000000006, NULL)",
  "INSERT INTO sluice_columns VALUES ('sales', 0, 'id', 'BIGINT', 0, 0),"
  " ('sales', 1, 'amount', 'DOUBLE', 0, 0),"
  " ('sales', 2, 'Amount', 'DOUBLE', 0, 0)",
  "INSERT INTO sluice_options VALUES ('sales', 0, 'key', 'id')",
  NULL
};

/* The sales stream as the binder makes it from its SQL. */
static sl_catalog_object *sales_stream(void) {
  sl_error err;
  sl_catalog_object *obj = sl_catalog_object_new(
      SL_CATALOG_STREAM, "sales",
      "CREATE STREAM sales (id BIGINT, \"amount\" DOUBLE, \"Amount\" DOUBLE)"
      " WITH (key='id')");
  assert_int_equal(sl_catalog_object_add_column(obj, "id", T("BIGINT"), false,
                                                false, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_column(obj, "amount", T("DOUBLE"),
                                                false, false, &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_column(obj, "Amount", T("DOUBLE"),
                                                false, false, &err), SL_OK);
  obj->columns[1].quoted = true;
  assert_int_equal(sl_catalog_object_set_key(obj, "id", &err), SL_OK);
  assert_int_equal(sl_catalog_object_add_option(obj, "key", "id", &err),
                   SL_OK);
  return obj;
}

/* Checks the quoted flags of name's columns: flags holds one '1' (quoted)
 * or '0' per column. */
static void check_quoted(sl_catalog *cat, const char *name,
                         const char *flags) {
  sl_error e;
  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(cat, name, &obj, &e));
  assert_non_null(obj);
  assert_int_equal(obj->ncolumns, (int)strlen(flags));
  for (int i = 0; i < obj->ncolumns; i++)
    if (obj->columns[i].quoted != (flags[i] == '1'))
      fail_msg("%s.%s: quoted is %d, expected %c", name,
               obj->columns[i].name, obj->columns[i].quoted, flags[i]);
  sl_catalog_object_free(obj);
}

static void test_migrate_from_v2(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char *path = path_in(dir, "v2.db");
  exec_all(path, schema_v1);
  exec_all(path, schema_v2);
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  assert_int_equal(sl_catalog_schema_version(cat), SL_CATALOG_SCHEMA_VERSION);

  /* The old objects read as before: a name only a quoted identifier can
   * spell is quoted, a lower-case one is taken as unquoted. */
  check_quoted(cat, "sales", "001");
  check_quoted(cat, "payments", "00");
  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(cat, "rates", &obj, &e));
  assert_string_equal(obj->storage, "rates");
  sl_catalog_object_free(obj);

  /* Running the same CREATE again is a no-op that stores what its SQL
   * says about quoting. */
  sl_catalog_outcome outcome;
  sl_catalog_object *again = sales_stream();
  OK(sl_catalog_create(cat, again, false, &outcome, &e));
  sl_catalog_object_free(again);
  assert_int_equal(outcome, SL_CATALOG_UNCHANGED);
  check_quoted(cat, "sales", "011");

  /* New objects keep their flags across a reopen. */
  sl_catalog_object *copy = sales_stream();
  free(copy->name);
  copy->name = strdup("sales_copy");
  create_ok(cat, copy);
  sl_catalog_close(cat);
  OK(sl_catalog_open(path, &cat, &e));
  check_quoted(cat, "sales_copy", "011");
  check_quoted(cat, "sales", "011");
  sl_catalog_close(cat);
  test_rmtree(dir);
  free(path);
  free(dir);
}

static void test_newer_catalog_refused(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char *path = path_in(dir, "new.db");
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_catalog_close(cat);
  const char *const bump[] = {
    "INSERT INTO sluice_schema_version VALUES (9, 0)", NULL};
  exec_all(path, bump);

  FAILS(SL_ERR_RUNTIME, sl_catalog_open(path, &cat, &e));
  assert_null(cat);
  char expected[1024];
  snprintf(expected, sizeof(expected),
           "catalog %s has schema version 9, newer than version %d that "
           "this sluice understands; use a newer sluice or another catalog",
           path, SL_CATALOG_SCHEMA_VERSION);
  assert_string_equal(e.message, expected);
  test_rmtree(dir);
  free(path);
  free(dir);
}

static void test_foreign_files_refused(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char *other = path_in(dir, "other.db");
  const char *const foreign[] = {"CREATE TABLE foo (x)", NULL};
  exec_all(other, foreign);
  sl_error e;
  sl_catalog *cat = NULL;
  FAILS(SL_ERR_RUNTIME, sl_catalog_open(other, &cat, &e));
  char expected[1024];
  snprintf(expected, sizeof(expected),
           "%s is not a Sluice catalog (it holds tables but no "
           "sluice_schema_version)", other);
  assert_string_equal(e.message, expected);

  char *junk = path_in(dir, "junk.db");
  FILE *f = fopen(junk, "w");
  fputs("this is not a database, just some text that is long enough to "
        "be read as a header by SQLite..............................\n",
        f);
  fclose(f);
  FAILS(SL_ERR_RUNTIME, sl_catalog_open(junk, &cat, &e));
  snprintf(expected, sizeof(expected),
           "cannot open catalog %s: file is not a database", junk);
  assert_string_equal(e.message, expected);
  test_rmtree(dir);
  free(other);
  free(junk);
  free(dir);
}

static void test_temporary_catalog(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(NULL, &cat, &e));
  assert_string_equal(sl_catalog_path(cat), "");
  create_ok(cat, simple(SL_CATALOG_STREAM, "s", NULL));
  sl_catalog_close(cat);
  OK(sl_catalog_open("", &cat, &e));
  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(cat, "s", &obj, &e));
  assert_null(obj);
  sl_catalog_close(cat);
}

static void test_storage_names(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_ok(cat, simple(SL_CATALOG_TABLE, "Rates", NULL));
  create_ok(cat, simple(SL_CATALOG_TABLE, "rates", NULL));
  create_ok(cat, simple(SL_CATALOG_TRAINING_SET, "sluice_objects", NULL));
  create_ok(cat, simple(SL_CATALOG_TABLE, "RATES_2", NULL));
  const char *names[][2] = {{"Rates", "Rates"},
                            {"rates", "rates_2"},
                            {"sluice_objects", "user_sluice_objects"},
                            {"RATES_2", "RATES_2_2"}};
  for (int i = 0; i < 4; i++) {
    sl_catalog_object *obj = NULL;
    OK(sl_catalog_get(cat, names[i][0], &obj, &e));
    assert_string_equal(obj->storage, names[i][1]);
    sl_catalog_object_free(obj);
  }
  sl_catalog_close(cat);
}

static void test_prediction_log(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  sl_catalog_object *obj = NULL;
  OK(sl_catalog_get(cat, "prediction_log", &obj, &e));
  assert_non_null(obj);
  assert_true(obj->builtin);
  assert_int_equal(obj->kind, SL_CATALOG_TABLE);
  assert_int_equal(obj->ncolumns, 7);
  assert_string_equal(obj->columns[5].name, "event_time");
  assert_int_equal(obj->columns[5].type->kind, SL_TYPE_TIMESTAMP);
  sl_catalog_object_free(obj);

  OK(sl_catalog_log_prediction(cat, "scored", "risk", 2, "[1.5,2]", 0.25,
                               1714564800123LL, &e));
  OK(sl_catalog_log_prediction(cat, "scored", "risk", 3, "[0]", 0.5,
                               1714564800124LL, &e));
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "prediction_log", 0, &lk, &e));
  int64_t rows = 0;
  OK(sl_lookup_count(lk, &rows, &e));
  assert_int_equal(rows, 2);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_create_and_describe),
    cmocka_unit_test(test_rerun_and_duplicates),
    cmocka_unit_test(test_same_definition),
    cmocka_unit_test(test_builder_errors),
    cmocka_unit_test(test_validation),
    cmocka_unit_test(test_list_by_kind),
    cmocka_unit_test(test_drop_with_dependants),
    cmocka_unit_test(test_functions),
    cmocka_unit_test(test_queries),
    cmocka_unit_test(test_model_versions),
    cmocka_unit_test(test_restart),
    cmocka_unit_test(test_migrate_from_v1),
    cmocka_unit_test(test_migrate_from_v2),
    cmocka_unit_test(test_newer_catalog_refused),
    cmocka_unit_test(test_foreign_files_refused),
    cmocka_unit_test(test_temporary_catalog),
    cmocka_unit_test(test_storage_names),
    cmocka_unit_test(test_prediction_log),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
