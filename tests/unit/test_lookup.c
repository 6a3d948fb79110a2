/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_lookup.c - lookup tables in SQLite: upserts, deletes, every type
 * through storage and back, the cache and its invalidation, versioned
 * tables, scans, and training sets.
 */
#include "test_util.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "catalog/lookup.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, e.message);           \
  } while (0)

static sl_type *T(const char *sql) {
  sl_type *type = NULL;
  sl_error err;
  if (sl_type_from_sql(sql, &type, &err))
    fail_msg("bad type %s: %s", sql, err.message);
  return type;
}

static sl_value str(const char *s) {
  return sl_value_varchar(s, strlen(s));
}

typedef struct column_def {
  const char *name;
  const char *type;
  bool not_null;
  bool key;
} column_def;

static void create_table(sl_catalog *cat, sl_catalog_kind kind,
                         const char *name, const column_def *cols, int n,
                         const char *versioned) {
  sl_error e;
  sl_catalog_object *obj = sl_catalog_object_new(kind, name, "CREATE ...");
  for (int i = 0; i < n; i++)
    OK(sl_catalog_object_add_column(obj, cols[i].name, T(cols[i].type),
                                    cols[i].not_null, cols[i].key, &e));
  if (versioned)
    OK(sl_catalog_object_add_option(obj, "versioned", versioned, &e));
  OK(sl_catalog_create(cat, obj, false, NULL, &e));
  sl_catalog_object_free(obj);
}

static sl_catalog *open_memory(void) {
  sl_catalog *cat = NULL;
  sl_error e;
  OK(sl_catalog_open(":memory:", &cat, &e));
  return cat;
}

/* ---- every type through storage --------------------------------------- */

static const column_def merchant_cols[] = {
  {"id", "BIGINT", false, true},
  {"name", "VARCHAR", true, false},
  {"risk", "DOUBLE", false, false},
  {"credit", "DECIMAL(12,2)", false, false},
  {"since", "DATE", false, false},
  {"tags", "ARRAY<VARCHAR>", false, false},
  {"seen", "TIMESTAMP", false, false},
  {"logo", "BYTES", false, false},
  {"active", "BOOLEAN", false, false},
  {"info", "STRUCT<city VARCHAR, zip INT>", false, false},
  {"attrs", "MAP<VARCHAR, DOUBLE>", false, false},
  {"wait", "INTERVAL", false, false},
  {"n", "INT", false, false},
};
#define NMERCHANT ((int)(sizeof(merchant_cols) / sizeof(merchant_cols[0])))

/* Fills a merchant row; arrays are static so the row stays valid. */
static void merchant_row(sl_value *row, int64_t id, const char *name,
                         double risk) {
  static sl_value tags[2], info[2], attrs[4];
  tags[0] = str("grocery");
  tags[1] = str("24h \"open\"");
  info[0] = str("Zürich");
  info[1] = sl_value_int(8001);
  attrs[0] = str("score");
  attrs[1] = sl_value_double(0.75);
  attrs[2] = str("none");
  attrs[3] = sl_value_null();
  row[0] = sl_value_bigint(id);
  row[1] = str(name);
  row[2] = sl_value_double(risk);
  row[3] = sl_value_decimal(123450, 2);
  row[4] = sl_value_date(19844);
  row[5] = sl_value_composite(SL_TYPE_ARRAY, tags, 2);
  row[6] = sl_value_timestamp(1714564800123LL);
  row[7] = sl_value_bytes("\x00\xff\x10", 3);
  row[8] = sl_value_bool(true);
  row[9] = sl_value_composite(SL_TYPE_STRUCT, info, 2);
  row[10] = sl_value_composite(SL_TYPE_MAP, attrs, 2);
  row[11] = sl_value_interval(90061001);
  row[12] = sl_value_int(-7);
}

static void check_merchant(const sl_value *row, int64_t id,
                           const char *name, double risk) {
  assert_int_equal(row[0].kind, SL_TYPE_BIGINT);
  assert_int_equal(row[0].u.i64, id);
  assert_int_equal(row[1].kind, SL_TYPE_VARCHAR);
  assert_int_equal(row[1].len, strlen(name));
  assert_memory_equal(row[1].u.str, name, row[1].len);
  assert_int_equal(row[2].kind, SL_TYPE_DOUBLE);
  assert_double_near(row[2].u.f64, risk, 0);
  assert_int_equal(row[3].kind, SL_TYPE_DECIMAL);
  assert_int_equal(row[3].scale, 2);
  assert_true(sl_value_decimal_get(&row[3]) == 123450);
  assert_int_equal(row[4].kind, SL_TYPE_DATE);
  assert_int_equal(row[4].u.i32, 19844);
  assert_int_equal(row[5].kind, SL_TYPE_ARRAY);
  assert_int_equal(row[5].len, 2);
  assert_memory_equal(row[5].u.items[1].u.str, "24h \"open\"", 10);
  assert_int_equal(row[6].kind, SL_TYPE_TIMESTAMP);
  assert_int_equal(row[6].u.i64, 1714564800123LL);
  assert_int_equal(row[7].kind, SL_TYPE_BYTES);
  assert_int_equal(row[7].len, 3);
  assert_memory_equal(row[7].u.str, "\x00\xff\x10", 3);
  assert_int_equal(row[8].kind, SL_TYPE_BOOLEAN);
  assert_true(row[8].u.b);
  assert_int_equal(row[9].kind, SL_TYPE_STRUCT);
  assert_int_equal(row[9].len, 2);
  assert_int_equal(row[9].u.items[0].len, strlen("Zürich"));
  assert_memory_equal(row[9].u.items[0].u.str, "Zürich",
                      row[9].u.items[0].len);
  assert_int_equal(row[9].u.items[1].u.i32, 8001);
  assert_int_equal(row[10].kind, SL_TYPE_MAP);
  assert_int_equal(row[10].len, 2);
  assert_memory_equal(row[10].u.items[2].u.str, "none", 4);
  assert_double_near(row[10].u.items[1].u.f64, 0.75, 0);
  assert_int_equal(row[10].u.items[3].kind, SL_TYPE_NULL);
  assert_int_equal(row[11].kind, SL_TYPE_INTERVAL);
  assert_int_equal(row[11].u.i64, 90061001);
  assert_int_equal(row[12].kind, SL_TYPE_INT);
  assert_int_equal(row[12].u.i32, -7);
}

static void test_every_type_round_trips(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "merchants", merchant_cols, NMERCHANT,
               NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "merchants", 100, &lk, &e));
  assert_int_equal(sl_lookup_key_count(lk), 1);
  assert_int_equal(sl_lookup_key_columns(lk)[0], 0);
  assert_false(sl_lookup_versioned(lk));

  sl_value row[NMERCHANT];
  merchant_row(row, 42, "Corner Shop", 0.125);
  OK(sl_lookup_upsert(lk, row, 0, &e));

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = sl_value_bigint(42), got[NMERCHANT];
  bool found = false;
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_true(found);
  check_merchant(got, 42, "Corner Shop", 0.125);

  /* The same values again from the cache. */
  sl_arena_reset(&arena);
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_true(found);
  check_merchant(got, 42, "Corner Shop", 0.125);
  sl_lookup_stats stats;
  sl_lookup_get_stats(lk, &stats);
  assert_int_equal(stats.hits, 1);
  assert_int_equal(stats.misses, 1);

  /* How the values sit in SQLite. */
  sqlite3_stmt *stmt;
  assert_int_equal(
      sqlite3_prepare_v2(sl_catalog_sqlite(cat),
                         "SELECT credit, typeof(credit), tags, info, attrs,"
                         " typeof(seen), typeof(risk), logo"
                         " FROM merchants WHERE id = 42",
                         -1, &stmt, NULL),
      SQLITE_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "1234.50");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 1), "text");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 2),
                      "[\"grocery\",\"24h \\\"open\\\"\"]");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 3),
                      "{\"city\":\"Zürich\",\"zip\":8001}");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 4),
                      "{\"score\":0.75,\"none\":null}");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 5), "integer");
  assert_string_equal((const char *)sqlite3_column_text(stmt, 6), "real");
  assert_int_equal(sqlite3_column_bytes(stmt, 7), 3);
  sqlite3_finalize(stmt);

  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_upsert_replaces(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "merchants", merchant_cols, NMERCHANT,
               NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "merchants", 0, &lk, &e));
  sl_value row[NMERCHANT];
  merchant_row(row, 1, "first", 0.5);
  OK(sl_lookup_upsert(lk, row, 0, &e));
  merchant_row(row, 2, "second", 0.25);
  OK(sl_lookup_upsert(lk, row, 0, &e));
  merchant_row(row, 1, "first, renamed", 0.75);
  OK(sl_lookup_upsert(lk, row, 0, &e));

  int64_t rows = 0;
  OK(sl_lookup_count(lk, &rows, &e));
  assert_int_equal(rows, 2);
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = sl_value_bigint(1), got[NMERCHANT];
  bool found;
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_true(found);
  check_merchant(got, 1, "first, renamed", 0.75);
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static const column_def rate_cols[] = {
  {"ccy", "VARCHAR", false, true},
  {"rate", "DOUBLE", true, false},
  {"since", "TIMESTAMP", false, false},
};

static void upsert_rate(sl_lookup *lk, const char *ccy, double rate,
                        int64_t valid_from) {
  sl_error e;
  sl_value row[3] = {str(ccy), sl_value_double(rate),
                     sl_value_timestamp(valid_from)};
  OK(sl_lookup_upsert(lk, row, valid_from, &e));
}

/* Looks ccy up (as of ts, or current when ts is INT64_MIN); returns the
 * rate or -1 when absent. */
static double rate_of(sl_lookup *lk, const char *ccy, int64_t ts) {
  sl_error e;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = str(ccy), row[3];
  bool found = false;
  if (ts == INT64_MIN)
    OK(sl_lookup_get(lk, &key, &arena, row, &found, &e));
  else
    OK(sl_lookup_get_as_of(lk, &key, ts, &arena, row, &found, &e));
  double rate = found ? row[1].u.f64 : -1;
  sl_arena_destroy(&arena);
  return rate;
}

static void test_keys_casts_and_nulls(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "merchants", merchant_cols, NMERCHANT,
               NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "merchants", 10, &lk, &e));
  sl_value row[NMERCHANT];
  merchant_row(row, 7, "seven", 0.5);
  OK(sl_lookup_upsert(lk, row, 0, &e));

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value got[NMERCHANT];
  bool found;

  /* An INT key and a numeric string both find the BIGINT key 7. */
  sl_value key = sl_value_int(7);
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_true(found);
  key = str("7");
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_true(found);
  sl_lookup_stats stats;
  sl_lookup_get_stats(lk, &stats);
  assert_int_equal(stats.hits, 1);

  /* A NULL key never matches, and asks nobody. */
  key = sl_value_null();
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_false(found);
  sl_lookup_get_stats(lk, &stats);
  assert_int_equal(stats.misses, 1);
  assert_int_equal(stats.hits, 1);

  /* A key that cannot be a BIGINT is an error naming the column. */
  key = str("seven");
  sl_status rc = sl_lookup_get(lk, &key, &arena, got, &found, &e);
  assert_int_equal(rc, SL_ERR_RECORD);
  assert_string_equal(e.message, "table \"merchants\", column \"id\": cannot "
                                 "cast VARCHAR \"seven\" to BIGINT: not an "
                                 "integer");
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_write_errors(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "merchants", merchant_cols, NMERCHANT,
               NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "merchants", 10, &lk, &e));
  sl_value row[NMERCHANT];

  merchant_row(row, 1, "x", 0.5);
  row[1] = sl_value_null();
  assert_int_equal(sl_lookup_upsert(lk, row, 0, &e), SL_ERR_RECORD);
  assert_string_equal(e.message, "table \"merchants\": NULL in NOT NULL "
                                 "column \"name\"");
  assert_string_equal(e.reason, "not_null");

  merchant_row(row, 1, "x", 0.5);
  row[0] = sl_value_null();
  assert_int_equal(sl_lookup_upsert(lk, row, 0, &e), SL_ERR_RECORD);
  assert_string_equal(e.message, "table \"merchants\": NULL in NOT NULL "
                                 "column \"id\"");

  merchant_row(row, 1, "x", 0.5);
  row[2] = str("abc");
  assert_int_equal(sl_lookup_upsert(lk, row, 0, &e), SL_ERR_RECORD);
  assert_string_equal(e.message, "table \"merchants\", column \"risk\": "
                                 "cannot cast VARCHAR \"abc\" to DOUBLE: not "
                                 "a number");
  assert_string_equal(e.reason, "type");

  merchant_row(row, 1, "x", 0.5);
  row[12] = sl_value_bigint(3000000000LL);
  assert_int_equal(sl_lookup_upsert(lk, row, 0, &e), SL_ERR_RECORD);
  assert_string_equal(e.reason, "overflow");

  /* Nothing was written; a good row still is. */
  int64_t rows = -1;
  OK(sl_lookup_count(lk, &rows, &e));
  assert_int_equal(rows, 0);
  merchant_row(row, 1, "x", 0.5);
  row[3] = sl_value_int(12);
  OK(sl_lookup_upsert(lk, row, 0, &e));
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = sl_value_bigint(1), got[NMERCHANT];
  bool found;
  OK(sl_lookup_get(lk, &key, &arena, got, &found, &e));
  assert_true(sl_value_decimal_get(&got[3]) == 1200);
  assert_int_equal(got[3].scale, 2);
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_delete(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 10, &lk, &e));
  upsert_rate(lk, "EUR", 1.1, 0);
  upsert_rate(lk, "USD", 1.0, 0);
  assert_double_near(rate_of(lk, "EUR", INT64_MIN), 1.1, 0);

  sl_value key = str("EUR");
  bool removed = false;
  OK(sl_lookup_delete(lk, &key, 0, &removed, &e));
  assert_true(removed);
  assert_double_near(rate_of(lk, "EUR", INT64_MIN), -1, 0);
  OK(sl_lookup_delete(lk, &key, 0, &removed, &e));
  assert_false(removed);
  int64_t rows;
  OK(sl_lookup_count(lk, &rows, &e));
  assert_int_equal(rows, 1);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

/* ---- the cache -------------------------------------------------------- */

static void test_cache_invalidation(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  sl_lookup *reader = NULL, *writer = NULL;
  OK(sl_lookup_open(cat, "rates", 100, &reader, &e));
  OK(sl_lookup_open(cat, "rates", 0, &writer, &e));
  upsert_rate(writer, "EUR", 1.1, 0);

  assert_double_near(rate_of(reader, "EUR", INT64_MIN), 1.1, 0);
  assert_double_near(rate_of(reader, "EUR", INT64_MIN), 1.1, 0);
  sl_lookup_stats stats;
  sl_lookup_get_stats(reader, &stats);
  assert_int_equal(stats.misses, 1);
  assert_int_equal(stats.hits, 1);
  assert_int_equal(stats.entries, 1);

  /* An update through another handle reaches this one's cache. */
  upsert_rate(writer, "EUR", 1.2, 0);
  sl_lookup_get_stats(reader, &stats);
  assert_int_equal(stats.invalidations, 1);
  assert_int_equal(stats.entries, 0);
  assert_double_near(rate_of(reader, "EUR", INT64_MIN), 1.2, 0);

  /* So does a delete. */
  sl_value key = str("EUR");
  OK(sl_lookup_delete(writer, &key, 0, NULL, &e));
  assert_double_near(rate_of(reader, "EUR", INT64_MIN), -1, 0);

  /* Misses are cached too, and an insert removes them. */
  assert_double_near(rate_of(reader, "GBP", INT64_MIN), -1, 0);
  assert_double_near(rate_of(reader, "GBP", INT64_MIN), -1, 0);
  sl_lookup_get_stats(reader, &stats);
  assert_int_equal(stats.misses, 4);
  assert_int_equal(stats.hits, 2);
  upsert_rate(writer, "GBP", 0.86, 0);
  assert_double_near(rate_of(reader, "GBP", INT64_MIN), 0.86, 0);
  sl_lookup_get_stats(reader, &stats);
  assert_int_equal(stats.misses, 5);
  assert_int_equal(stats.invalidations, 3);

  /* A write to another key leaves the cached one alone. */
  upsert_rate(writer, "CHF", 0.95, 0);
  assert_double_near(rate_of(reader, "GBP", INT64_MIN), 0.86, 0);
  sl_lookup_get_stats(reader, &stats);
  assert_int_equal(stats.hits, 3);

  sl_lookup_invalidate(reader);
  sl_lookup_get_stats(reader, &stats);
  assert_int_equal(stats.entries, 0);
  sl_lookup_close(reader);
  sl_lookup_close(writer);
  sl_catalog_close(cat);
}

static void test_cache_lru_bound(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 2, &lk, &e));
  upsert_rate(lk, "A", 1, 0);
  upsert_rate(lk, "B", 2, 0);
  upsert_rate(lk, "C", 3, 0);

  rate_of(lk, "A", INT64_MIN);
  rate_of(lk, "B", INT64_MIN);
  rate_of(lk, "A", INT64_MIN); /* A is now the most recent */
  rate_of(lk, "C", INT64_MIN); /* evicts B */
  sl_lookup_stats stats;
  sl_lookup_get_stats(lk, &stats);
  assert_int_equal(stats.entries, 2);
  assert_int_equal(stats.capacity, 2);
  assert_int_equal(stats.evictions, 1);
  assert_int_equal(stats.hits, 1);
  assert_int_equal(stats.misses, 3);

  assert_double_near(rate_of(lk, "A", INT64_MIN), 1, 0);
  assert_double_near(rate_of(lk, "C", INT64_MIN), 3, 0);
  sl_lookup_get_stats(lk, &stats);
  assert_int_equal(stats.hits, 3);
  assert_double_near(rate_of(lk, "B", INT64_MIN), 2, 0);
  sl_lookup_get_stats(lk, &stats);
  assert_int_equal(stats.misses, 4);
  assert_int_equal(stats.evictions, 2);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_cache_after_rollback(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 10, &lk, &e));
  upsert_rate(lk, "EUR", 1.1, 0);

  OK(sl_catalog_begin(cat, &e));
  upsert_rate(lk, "EUR", 9.9, 0);
  assert_double_near(rate_of(lk, "EUR", INT64_MIN), 9.9, 0);
  sl_catalog_rollback(cat);
  assert_double_near(rate_of(lk, "EUR", INT64_MIN), 1.1, 0);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

/* ---- versioned tables ------------------------------------------------- */

static void test_versioned_lookups(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, "true");
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 10, &lk, &e));
  assert_true(sl_lookup_versioned(lk));

  upsert_rate(lk, "EUR", 1.1, 1000);
  upsert_rate(lk, "EUR", 1.2, 2000);
  sl_value key = str("EUR");
  bool removed = false;
  OK(sl_lookup_delete(lk, &key, 3000, &removed, &e));
  assert_true(removed);
  upsert_rate(lk, "EUR", 1.3, 4000);
  upsert_rate(lk, "USD", 1.0, 1500);

  assert_double_near(rate_of(lk, "EUR", 999), -1, 0);  /* before any */
  assert_double_near(rate_of(lk, "EUR", 1000), 1.1, 0); /* at valid_from */
  assert_double_near(rate_of(lk, "EUR", 1999), 1.1, 0);
  assert_double_near(rate_of(lk, "EUR", 2000), 1.2, 0);
  assert_double_near(rate_of(lk, "EUR", 2999), 1.2, 0);
  assert_double_near(rate_of(lk, "EUR", 3000), -1, 0);  /* deleted */
  assert_double_near(rate_of(lk, "EUR", 3999), -1, 0);
  assert_double_near(rate_of(lk, "EUR", 4000), 1.3, 0);
  assert_double_near(rate_of(lk, "EUR", INT64_MAX), 1.3, 0);
  assert_double_near(rate_of(lk, "USD", 1499), -1, 0);
  assert_double_near(rate_of(lk, "USD", 1500), 1.0, 0);
  assert_double_near(rate_of(lk, "CHF", 5000), -1, 0);

  /* Without a timestamp column a written row holds always. */
  sl_value probe[3] = {str("EUR"), sl_value_double(1), sl_value_null()};
  assert_true(sl_lookup_row_valid_from(lk, probe) == SL_LOOKUP_ALWAYS);

  /* The current row is the newest version. */
  assert_double_near(rate_of(lk, "EUR", INT64_MIN), 1.3, 0);

  /* A version at the same valid_from replaces that version. */
  upsert_rate(lk, "EUR", 1.25, 2000);
  assert_double_near(rate_of(lk, "EUR", 2500), 1.25, 0);
  assert_double_near(rate_of(lk, "EUR", 1500), 1.1, 0);

  /* A key deleted last is absent now, though its history remains. */
  upsert_rate(lk, "GBP", 0.8, 100);
  key = str("GBP");
  OK(sl_lookup_delete(lk, &key, 200, NULL, &e));
  assert_double_near(rate_of(lk, "GBP", INT64_MIN), -1, 0);
  assert_double_near(rate_of(lk, "GBP", 150), 0.8, 0);

  int64_t rows = 0;
  OK(sl_lookup_count(lk, &rows, &e));
  assert_int_equal(rows, 2);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

/* ---- scans ------------------------------------------------------------ */

typedef struct collected {
  char text[512];
  int rows;
} collected;

static sl_status collect(void *ud, const sl_value *row, int n,
                         sl_error *err) {
  (void)err;
  collected *c = ud;
  size_t len = strlen(c->text);
  snprintf(c->text + len, sizeof(c->text) - len, "%s%.*s=%g",
           c->rows ? " " : "", (int)row[0].len, row[0].u.str,
           n > 1 && row[1].kind == SL_TYPE_DOUBLE ? row[1].u.f64 : -1);
  c->rows++;
  return SL_OK;
}

static sl_status stop_after_one(void *ud, const sl_value *row, int n,
                                sl_error *err) {
  collect(ud, row, n, err);
  return sl_error_set(err, SL_ERR_RUNTIME, "enough");
}

static void test_scan_and_select(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  create_table(cat, SL_CATALOG_TABLE, "vrates", rate_cols, 3, "true");
  sl_lookup *lk = NULL, *vk = NULL;
  OK(sl_lookup_open(cat, "rates", 0, &lk, &e));
  OK(sl_lookup_open(cat, "vrates", 0, &vk, &e));
  const char *ccys[] = {"USD", "CHF", "EUR", "GBP"};
  const double rates[] = {1.0, 0.95, 1.1, 0.86};
  for (int i = 0; i < 4; i++) {
    upsert_rate(lk, ccys[i], rates[i], 0);
    upsert_rate(vk, ccys[i], rates[i], 10);
    upsert_rate(vk, ccys[i], rates[i] * 2, 20);
  }

  collected c = {"", 0};
  OK(sl_lookup_scan(lk, collect, &c, &e));
  assert_string_equal(c.text, "CHF=0.95 EUR=1.1 GBP=0.86 USD=1");

  memset(&c, 0, sizeof(c));
  sl_value min = sl_value_double(0.9);
  OK(sl_lookup_select(lk, "\"rate\" > ?1 AND \"ccy\" != ?2",
                      (sl_value[]){min, str("USD")}, 2, collect, &c, &e));
  assert_string_equal(c.text, "CHF=0.95 EUR=1.1");

  /* A versioned table scans its newest versions. */
  memset(&c, 0, sizeof(c));
  OK(sl_lookup_scan(vk, collect, &c, &e));
  assert_string_equal(c.text, "CHF=1.9 EUR=2.2 GBP=1.72 USD=2");
  memset(&c, 0, sizeof(c));
  min = sl_value_double(2.0);
  OK(sl_lookup_select(vk, "\"rate\" >= ?1", &min, 1, collect, &c, &e));
  assert_string_equal(c.text, "EUR=2.2 USD=2");

  /* A callback's failure stops the scan and comes back. */
  memset(&c, 0, sizeof(c));
  assert_int_equal(sl_lookup_scan(lk, stop_after_one, &c, &e),
                   SL_ERR_RUNTIME);
  assert_string_equal(e.message, "enough");
  assert_int_equal(c.rows, 1);

  assert_int_equal(sl_lookup_select(lk, "no_such_column = 1", NULL, 0,
                                    collect, &c, &e), SL_ERR_RUNTIME);
  assert_non_null(strstr(e.message, "no such column: no_such_column"));
  sl_lookup_close(lk);
  sl_lookup_close(vk);
  sl_catalog_close(cat);
}

static void test_composite_key(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  const column_def cols[] = {
    {"merchant", "VARCHAR", false, true},
    {"day", "DATE", false, true},
    {"total", "DECIMAL(10,2)", false, false},
  };
  create_table(cat, SL_CATALOG_TABLE, "daily", cols, 3, NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "daily", 10, &lk, &e));
  assert_int_equal(sl_lookup_key_count(lk), 2);
  sl_value row[3] = {str("m1"), sl_value_date(100),
                     sl_value_decimal(500, 2)};
  OK(sl_lookup_upsert(lk, row, 0, &e));
  row[1] = sl_value_date(101);
  row[2] = sl_value_decimal(7, 1);
  OK(sl_lookup_upsert(lk, row, 0, &e));

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key[2] = {str("m1"), sl_value_date(101)}, got[3];
  bool found;
  OK(sl_lookup_get(lk, key, &arena, got, &found, &e));
  assert_true(found);
  assert_true(sl_value_decimal_get(&got[2]) == 70);
  key[1] = sl_value_date(102);
  OK(sl_lookup_get(lk, key, &arena, got, &found, &e));
  assert_false(found);
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_training_set(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  const column_def cols[] = {
    {"ccy", "VARCHAR", false, false},
    {"rate", "DOUBLE", true, false},
  };
  create_table(cat, SL_CATALOG_TRAINING_SET, "samples", cols, 2, NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "samples", 100, &lk, &e));
  assert_int_equal(sl_lookup_key_count(lk), 0);
  const char *ccys[] = {"USD", "CHF", "USD"};
  for (int i = 0; i < 3; i++) {
    sl_value row[2] = {str(ccys[i]), sl_value_double(i)};
    OK(sl_lookup_upsert(lk, row, 0, &e));
  }
  collected c = {"", 0};
  OK(sl_lookup_scan(lk, collect, &c, &e));
  assert_string_equal(c.text, "USD=0 CHF=1 USD=2");

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = str("USD"), got[2];
  bool found;
  assert_int_equal(sl_lookup_get(lk, &key, &arena, got, &found, &e),
                   SL_ERR_SQL);
  assert_string_equal(e.message, "training set \"samples\" has no PRIMARY "
                                 "KEY to look up");
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_open_errors_and_drop(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  create_table(cat, SL_CATALOG_STREAM, "s", rate_cols + 1, 2, NULL);
  sl_lookup *lk = NULL;
  assert_int_equal(sl_lookup_open(cat, "nope", 0, &lk, &e), SL_ERR_SQL);
  assert_string_equal(e.message, "unknown table \"nope\"");
  assert_int_equal(sl_lookup_open(cat, "s", 0, &lk, &e), SL_ERR_SQL);
  assert_string_equal(e.message, "\"s\" is a stream, not a table or "
                                 "training set");
  assert_null(lk);

  OK(sl_lookup_open(cat, "rates", 0, &lk, &e));
  bool dropped;
  assert_int_equal(sl_catalog_drop(cat, SL_CATALOG_TABLE, "rates", false,
                                   &dropped, &e), SL_ERR_RUNTIME);
  assert_string_equal(e.message, "cannot drop table \"rates\" while it is "
                                 "open for lookups");
  sl_lookup_close(lk);
  OK(sl_catalog_drop(cat, SL_CATALOG_TABLE, "rates", false, &dropped, &e));
  assert_true(dropped);
  sl_catalog_close(cat);
}

static void test_non_finite_doubles(void **state) {
  (void)state;
  sl_catalog *cat = open_memory();
  sl_error e;
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 0, &lk, &e));
  upsert_rate(lk, "NAN", NAN, 0);
  upsert_rate(lk, "INF", -INFINITY, 0);
  assert_true(isnan(rate_of(lk, "NAN", INT64_MIN)));
  assert_true(isinf(rate_of(lk, "INF", INT64_MIN)));
  assert_true(rate_of(lk, "INF", INT64_MIN) < 0);
  char buf[64];
  assert_string_equal(sl_lookup_quote_ident("a\"b", buf, sizeof(buf)),
                      "\"a\"\"b\"");
  assert_null(sl_lookup_quote_ident("abc", buf, 4));
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

/* ---- threads ---------------------------------------------------------- */

typedef struct race {
  sl_catalog *cat;
  atomic_int done;
  atomic_llong lookups;
  bool failed;
} race;

/* The current EUR rate, -1 when absent, -2 on error; no cmocka calls,
 * which belong to the main thread. */
static double eur_rate(sl_lookup *lk) {
  sl_error e;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = str("EUR"), row[3];
  bool found = false;
  double rate = -2;
  if (!sl_lookup_get(lk, &key, &arena, row, &found, &e))
    rate = found ? row[1].u.f64 : -1;
  sl_arena_destroy(&arena);
  return rate;
}

static void *reader_thread(void *ud) {
  race *r = ud;
  sl_error e;
  sl_lookup *lk = NULL;
  if (sl_lookup_open(r->cat, "rates", 16, &lk, &e)) {
    r->failed = true;
    return NULL;
  }
  double last = 0;
  while (!atomic_load(&r->done)) {
    double rate = eur_rate(lk);
    /* The writer only raises the rate: a lookup never goes back. */
    if (rate < last)
      r->failed = true;
    last = rate;
    atomic_fetch_add(&r->lookups, 1);
  }
  /* After the last write, the cache must hold the last value. */
  if (eur_rate(lk) != 2000 || eur_rate(lk) != 2000)
    r->failed = true;
  sl_lookup_close(lk);
  return NULL;
}

static void test_concurrent_readers_see_writes(void **state) {
  (void)state;
  char *tmp = test_tmpdir();
  char file[1024];
  snprintf(file, sizeof(file), "%s/race.db", tmp);
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(file, &cat, &e));
  create_table(cat, SL_CATALOG_TABLE, "rates", rate_cols, 3, NULL);
  sl_lookup *writer = NULL;
  OK(sl_lookup_open(cat, "rates", 0, &writer, &e));
  upsert_rate(writer, "EUR", 1, 0);

  race r[2];
  for (int i = 0; i < 2; i++) {
    r[i].cat = cat;
    atomic_init(&r[i].done, 0);
    atomic_init(&r[i].lookups, 0);
    r[i].failed = false;
  }
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &r[i]), 0);

  /* On a loaded machine a reader may not be scheduled before the writes
   * end; the race is only tested once both read while the writer writes. */
  for (int spins = 0; spins < 10000; spins++) {
    if (atomic_load(&r[0].lookups) > 0 && atomic_load(&r[1].lookups) > 0)
      break;
    struct timespec nap = {0, 1000000};
    nanosleep(&nap, NULL);
  }
  for (int v = 2; v <= 2000; v++)
    upsert_rate(writer, "EUR", v, 0);
  for (int i = 0; i < 2; i++) {
    atomic_store(&r[i].done, 1);
    pthread_join(th[i], NULL);
    assert_false(r[i].failed);
    assert_true(atomic_load(&r[i].lookups) > 0);
  }
  sl_lookup_close(writer);
  sl_catalog_close(cat);
  test_rmtree(tmp);
  free(tmp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_type_round_trips),
    cmocka_unit_test(test_upsert_replaces),
    cmocka_unit_test(test_keys_casts_and_nulls),
    cmocka_unit_test(test_write_errors),
    cmocka_unit_test(test_delete),
    cmocka_unit_test(test_cache_invalidation),
    cmocka_unit_test(test_cache_lru_bound),
    cmocka_unit_test(test_cache_after_rollback),
    cmocka_unit_test(test_versioned_lookups),
    cmocka_unit_test(test_scan_and_select),
    cmocka_unit_test(test_composite_key),
    cmocka_unit_test(test_training_set),
    cmocka_unit_test(test_open_errors_and_drop),
    cmocka_unit_test(test_non_finite_doubles),
    cmocka_unit_test(test_concurrent_readers_see_writes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
