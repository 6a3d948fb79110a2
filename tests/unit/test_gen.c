/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the data generators of `sluice gen`: the PRNG
 * (cli/gen_rand.c), --schema parsing (cli/gen_schema.c) and the values
 * per type (cli/gen_values.c).
 */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gen_rand.h"
#include "cli/gen_schema.h"
#include "cli/gen_values.h"
#include "engine/format/json_encode.h"
#include "engine/types/time.h"

#define START_MS 1704067200000LL /* 2024-01-01T00:00:00Z */

/* ---- PRNG ---------------------------------------------------------------- */

static void test_splitmix64_reference(void **state) {
  (void)state;
  /* The published outputs of splitmix64 from seed 1234567. */
  static const uint64_t expected[] = {
      6457827717110365317u, 3203168211198807973u, 9817491932198370423u,
      4593380528125082431u, 16408922859458223821u};
  uint64_t s = 1234567;
  for (int i = 0; i < 5; i++)
    assert_true(sl_gen_splitmix64(&s) == expected[i]);
}

static void test_xoshiro_reference(void **state) {
  (void)state;
  /* xoshiro256** from the state {1, 2, 3, 4}. */
  sl_gen_rand r = {{1, 2, 3, 4}};
  assert_true(sl_gen_rand_next(&r) == 11520u);
  assert_true(sl_gen_rand_next(&r) == 0u);
  assert_true(sl_gen_rand_next(&r) == 1509978240u);
  assert_true(sl_gen_rand_next(&r) == 1215971899390074240u);

  /* Seeding goes through splitmix64: the first output for seed 42. */
  sl_gen_rand_seed(&r, 42);
  assert_true(sl_gen_rand_next(&r) == 1546998764402558742u);
}

static void test_rand_ranges(void **state) {
  (void)state;
  sl_gen_rand r;
  sl_gen_rand_seed(&r, 7);
  int seen[10] = {0};
  for (int i = 0; i < 10000; i++) {
    uint64_t v = sl_gen_rand_below(&r, 10);
    assert_true(v < 10);
    seen[v]++;
    double u = sl_gen_rand_unit(&r);
    assert_true(u >= 0.0 && u < 1.0);
  }
  /* 10000 draws over 10 values: each near 1000 (six sigma is 180). */
  for (int i = 0; i < 10; i++)
    assert_in_range(seen[i], 820, 1180);
  assert_int_equal(sl_gen_rand_below(&r, 0), 0);
  assert_int_equal(sl_gen_rand_below(&r, 1), 0);
}

/* ---- Schema -------------------------------------------------------------- */

static void test_schema_parse(void **state) {
  (void)state;
  sl_gen_schema s;
  sl_error err;
  const char *text = " id BIGINT, amount DECIMAL(10,2), Name VARCHAR not null,"
                     " tags ARRAY<VARCHAR>, m MAP<VARCHAR, INT>,"
                     " \"Mixed Case\" INT, s STRUCT<a INT, b DOUBLE> ";
  assert_int_equal(sl_gen_schema_parse(text, &s, &err), SL_OK);
  assert_int_equal(s.ncols, 7);
  static const char *const names[] = {"id", "amount", "name", "tags", "m",
                                      "Mixed Case", "s"};
  static const char *const types[] = {
      "BIGINT", "DECIMAL(10,2)", "VARCHAR", "ARRAY<VARCHAR>",
      "MAP<VARCHAR, INT>", "INT", "STRUCT<a INT, b DOUBLE>"};
  for (int i = 0; i < 7; i++) {
    char buf[SL_TYPE_SQL_MAX];
    assert_string_equal(s.cols[i].name, names[i]);
    assert_string_equal(sl_type_to_sql(s.cols[i].type, buf, sizeof(buf)),
                        types[i]);
    assert_int_equal(s.cols[i].not_null, i == 2);
  }
  assert_int_equal(sl_gen_schema_find(&s, "NAME"), 2);
  assert_int_equal(sl_gen_schema_find(&s, "mixed case"), 5);
  assert_int_equal(sl_gen_schema_find(&s, "nope"), -1);
  sl_gen_schema_free(&s);
}

static void check_schema_error(const char *text, const char *message) {
  sl_gen_schema s;
  sl_error err;
  assert_int_equal(sl_gen_schema_parse(text, &s, &err), SL_ERR_USAGE);
  if (!strstr(err.message, message))
    fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.message,
             message);
  assert_int_equal(s.ncols, 0);
  assert_null(s.cols);
}

static void test_schema_errors(void **state) {
  (void)state;
  check_schema_error("", "column 1 is empty");
  check_schema_error("id BIGINT,", "column 2 is empty");
  check_schema_error("id", "column \"id\" has no type");
  check_schema_error("id BIGNT", "--schema: column \"id\": ");
  check_schema_error("a INT, b INT, a DOUBLE", "column \"a\" is declared "
                     "twice");
  check_schema_error("1x INT", "column 1: expected a column name");
  check_schema_error("\"\" INT", "column 1: expected a column name");
}

/* ---- Rows ---------------------------------------------------------------- */

typedef struct gen_fixture {
  sl_gen_schema schema;
  sl_gen_rows *rows;
  sl_arena arena;
  sl_value row[16];
} gen_fixture;

static void fixture_open(gen_fixture *f, const char *schema,
                         const sl_gen_options *opts) {
  sl_error err;
  assert_int_equal(sl_gen_schema_parse(schema, &f->schema, &err), SL_OK);
  assert_true(f->schema.ncols <= 16);
  assert_int_equal(sl_gen_rows_new(&f->schema, opts, &f->rows, &err),
                   SL_OK);
  sl_arena_init(&f->arena, 0);
}

static void fixture_next(gen_fixture *f) {
  sl_error err;
  sl_arena_reset(&f->arena);
  assert_int_equal(sl_gen_rows_next(f->rows, &f->arena, f->row, &err),
                   SL_OK);
}

static void fixture_close(gen_fixture *f) {
  sl_gen_rows_free(f->rows);
  sl_gen_schema_free(&f->schema);
  sl_arena_destroy(&f->arena);
}

static sl_gen_options default_options(uint64_t seed) {
  sl_gen_options o = {seed, -1, 0, START_MS, 1000, 0.0};
  return o;
}

/* The JSON of n rows of schema for opts, one object a line (malloc'd). */
static char *rows_json(const char *schema, const sl_gen_options *opts,
                       int n) {
  gen_fixture f;
  fixture_open(&f, schema, opts);
  const char *names[16];
  const sl_type *types[16];
  for (int i = 0; i < f.schema.ncols; i++) {
    names[i] = f.schema.cols[i].name;
    types[i] = f.schema.cols[i].type;
  }
  sl_error err;
  sl_json_encoder *enc = sl_json_encoder_new(f.schema.ncols, names, types,
                                             &err);
  assert_non_null(enc);
  sl_strbuf out;
  sl_strbuf_init(&out);
  for (int i = 0; i < n; i++) {
    fixture_next(&f);
    assert_int_equal(sl_json_encode_row(enc, f.row, &out), SL_OK);
    sl_strbuf_appendc(&out, '\n');
  }
  sl_json_encoder_free(enc);
  fixture_close(&f);
  return sl_strbuf_detach(&out, NULL);
}

static void test_exact_values_for_a_seed(void **state) {
  (void)state;
  sl_gen_options o = default_options(42);
  char *json = rows_json("n INT, w VARCHAR", &o, 3);
  assert_string_equal(json, "{\"n\":742,\"w\":\"oscar\"}\n"
                            "{\"n\":9,\"w\":\"bravo\"}\n"
                            "{\"n\":476,\"w\":\"india\"}\n");
  free(json);
}

static void test_same_seed_same_rows(void **state) {
  (void)state;
  const char *schema = "id BIGINT, amount DOUBLE, name VARCHAR, "
                       "ts TIMESTAMP, d DATE, ok BOOLEAN, price "
                       "DECIMAL(8,3), raw BYTES, wait INTERVAL, "
                       "tags ARRAY<VARCHAR>, m MAP<VARCHAR, INT>, "
                       "s STRUCT<a INT, b VARCHAR>";
  sl_gen_options o = default_options(99);
  o.null_rate = 0.2;
  char *a = rows_json(schema, &o, 200);
  char *b = rows_json(schema, &o, 200);
  assert_string_equal(a, b);
  o.seed = 100;
  char *c = rows_json(schema, &o, 200);
  assert_string_not_equal(a, c);
  free(a);
  free(b);
  free(c);
}

static void test_keys_spread(void **state) {
  (void)state;
  sl_gen_options o = default_options(5);
  o.key_column = 1;
  o.keys = 5;
  gen_fixture f;
  fixture_open(&f, "id BIGINT, user_id BIGINT, name VARCHAR", &o);
  int seen[6] = {0};
  for (int i = 0; i < 100; i++) {
    fixture_next(&f);
    /* id counts; the key takes 1..5, the first five in order. */
    assert_int_equal(f.row[0].u.i64, i + 1);
    int64_t k = f.row[1].u.i64;
    assert_in_range(k, 1, 5);
    if (i < 5)
      assert_int_equal(k, i + 1);
    seen[k]++;
  }
  for (int k = 1; k <= 5; k++)
    assert_true(seen[k] > 5);
  assert_int_equal(sl_gen_rows_count(f.rows), 100);
  fixture_close(&f);

  /* String keys. */
  o.key_column = 0;
  o.keys = 3;
  fixture_open(&f, "user VARCHAR", &o);
  for (int i = 0; i < 3; i++) {
    char want[16];
    snprintf(want, sizeof(want), "key-%d", i + 1);
    fixture_next(&f);
    assert_int_equal(f.row[0].len, strlen(want));
    assert_memory_equal(f.row[0].u.str, want, strlen(want));
  }
  fixture_close(&f);
}

static void test_values_per_type(void **state) {
  (void)state;
  sl_gen_options o = default_options(11);
  o.step_ms = 60000;
  gen_fixture f;
  fixture_open(&f, "amount DOUBLE, ts TIMESTAMP, d DATE, n INT, "
                   "price DECIMAL(6,2), w INTERVAL, name VARCHAR, "
                   "tags ARRAY<BIGINT>, m MAP<VARCHAR, BOOLEAN>", &o);
  static const char *const vocabulary[] = {
      "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
      "hotel", "india", "juliet", "kilo", "lima", "mike", "november",
      "oscar", "papa"};
  int64_t last_ts = 0;
  for (int i = 0; i < 500; i++) {
    fixture_next(&f);
    double amount = f.row[0].u.f64;
    assert_true(amount >= 0 && amount < 1000);
    assert_double_near(amount * 100, round(amount * 100), 1e-6);

    /* Increasing, within [start + i*step, start + (i+1)*step). */
    int64_t ts = f.row[1].u.i64;
    int64_t base = START_MS + (int64_t)i * 60000;
    assert_in_range(ts, base, base + 59999);
    assert_true(ts > last_ts);
    last_ts = ts;
    assert_int_equal(f.row[2].u.i32, sl_time_day_of(base));

    assert_in_range(f.row[3].u.i32, 0, 999);
    assert_int_equal(f.row[4].kind, SL_TYPE_DECIMAL);
    assert_int_equal(f.row[4].scale, 2);
    sl_int128 unscaled = sl_value_decimal_get(&f.row[4]);
    assert_true(unscaled >= 0 && unscaled < 1000000);
    assert_int_equal(f.row[5].u.i64 % 1000, 0);
    assert_in_range(f.row[5].u.i64, 0, 3599000);

    bool known = false;
    for (size_t w = 0; w < 16; w++) {
      if (f.row[6].len == strlen(vocabulary[w]) &&
          memcmp(f.row[6].u.str, vocabulary[w], f.row[6].len) == 0)
        known = true;
    }
    assert_true(known);

    assert_int_equal(f.row[7].kind, SL_TYPE_ARRAY);
    assert_in_range(f.row[7].len, 0, 3);
    for (uint32_t k = 0; k < f.row[7].len; k++)
      assert_int_equal(f.row[7].u.items[k].kind, SL_TYPE_BIGINT);
    /* Map keys are distinct. */
    assert_in_range(f.row[8].len, 0, 3);
    for (uint32_t a = 0; a < f.row[8].len; a++) {
      for (uint32_t b = a + 1; b < f.row[8].len; b++) {
        const sl_value *ka = &f.row[8].u.items[2 * a];
        const sl_value *kb = &f.row[8].u.items[2 * b];
        assert_false(ka->len == kb->len &&
                     memcmp(ka->u.str, kb->u.str, ka->len) == 0);
      }
    }
  }
  fixture_close(&f);
}

static void test_null_rate(void **state) {
  (void)state;
  sl_gen_options o = default_options(3);
  o.null_rate = 1.0;
  o.key_column = 0;
  o.keys = 4;
  gen_fixture f;
  fixture_open(&f, "k INT, a DOUBLE, b VARCHAR NOT NULL, c TIMESTAMP", &o);
  for (int i = 0; i < 20; i++) {
    fixture_next(&f);
    assert_int_equal(f.row[0].kind, SL_TYPE_INT);
    assert_int_equal(f.row[1].kind, SL_TYPE_NULL);
    assert_int_equal(f.row[2].kind, SL_TYPE_VARCHAR);
    assert_int_equal(f.row[3].kind, SL_TYPE_NULL);
  }
  fixture_close(&f);

  /* About a third NULL at 1/3. */
  o.null_rate = 1.0 / 3;
  o.key_column = -1;
  o.keys = 0;
  fixture_open(&f, "a DOUBLE", &o);
  int nulls = 0;
  for (int i = 0; i < 3000; i++) {
    fixture_next(&f);
    nulls += f.row[0].kind == SL_TYPE_NULL;
  }
  assert_in_range(nulls, 850, 1150);
  fixture_close(&f);
}

static void check_key_error(const char *schema, int64_t keys,
                            const char *message) {
  sl_gen_schema s;
  sl_error err;
  assert_int_equal(sl_gen_schema_parse(schema, &s, &err), SL_OK);
  sl_gen_options o = default_options(1);
  o.key_column = 0;
  o.keys = keys;
  sl_gen_rows *rows = (sl_gen_rows *)&s; /* must be reset to NULL */
  assert_int_equal(sl_gen_rows_new(&s, &o, &rows, &err), SL_ERR_USAGE);
  assert_null(rows);
  if (!strstr(err.message, message))
    fail_msg("message \"%s\" lacks \"%s\"", err.message, message);
  sl_gen_schema_free(&s);
}

static void test_key_errors(void **state) {
  (void)state;
  check_key_error("k BOOLEAN", 3, "BOOLEAN column \"k\" has 2 values");
  check_key_error("k ARRAY<INT>", 2, "must have a scalar type");
  check_key_error("k DECIMAL(4,2)", 100, "does not fit the DECIMAL(4,2)");
  check_key_error("k INT", 3000000000LL, "does not fit the INT column");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_splitmix64_reference),
      cmocka_unit_test(test_xoshiro_reference),
      cmocka_unit_test(test_rand_ranges),
      cmocka_unit_test(test_schema_parse),
      cmocka_unit_test(test_schema_errors),
      cmocka_unit_test(test_exact_values_for_a_seed),
      cmocka_unit_test(test_same_seed_same_rows),
      cmocka_unit_test(test_keys_spread),
      cmocka_unit_test(test_values_per_type),
      cmocka_unit_test(test_null_rate),
      cmocka_unit_test(test_key_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
