/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/types/types.c: the SQL spelling in both
 * directions, equality, cloning, implicit casts and common types.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "engine/types/types.h"

/* Parses text, prints it back and compares with expected. */
static void check_round_trip(const char *text, const char *expected) {
  sl_type *t = NULL;
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = sl_type_from_sql(text, &t, &err);
  if (rc != SL_OK)
    fail_msg("parsing \"%s\" failed: %s", text, err.message);
  char buf[SL_TYPE_SQL_MAX];
  sl_type_to_sql(t, buf, sizeof(buf));
  assert_string_equal(buf, expected);

  /* The printed form parses to an equal type. */
  sl_type *again = NULL;
  assert_int_equal(sl_type_from_sql(buf, &again, &err), SL_OK);
  assert_true(sl_type_equal(t, again));
  sl_type_free(again);
  sl_type_free(t);
}

static void test_scalar_spellings(void **state) {
  (void)state;
  check_round_trip("boolean", "BOOLEAN");
  check_round_trip("Int", "INT");
  check_round_trip("INTEGER", "INT");
  check_round_trip("bigint", "BIGINT");
  check_round_trip("FLOAT", "DOUBLE");
  check_round_trip("double", "DOUBLE");
  check_round_trip("string", "VARCHAR");
  check_round_trip("TEXT", "VARCHAR");
  check_round_trip("bytes", "BYTES");
  check_round_trip("date", "DATE");
  check_round_trip(" timestamp ", "TIMESTAMP");
  check_round_trip("interval", "INTERVAL");
  check_round_trip("decimal(10, 2)", "DECIMAL(10,2)");
  check_round_trip("NUMERIC(5)", "DECIMAL(5,0)");
  check_round_trip("DECIMAL(38,38)", "DECIMAL(38,38)");
}

static void test_composite_spellings(void **state) {
  (void)state;
  check_round_trip("array<int>", "ARRAY<INT>");
  check_round_trip("ARRAY<ARRAY<BIGINT>>", "ARRAY<ARRAY<BIGINT>>");
  check_round_trip("map<string,double>", "MAP<VARCHAR, DOUBLE>");
  check_round_trip("MAP<VARCHAR, ARRAY<DECIMAL(4,1)>>",
                   "MAP<VARCHAR, ARRAY<DECIMAL(4,1)>>");
  check_round_trip("struct<a int, B varchar>", "STRUCT<a INT, B VARCHAR>");
  check_round_trip("STRUCT<\"first name\" VARCHAR, \"say \"\"hi\"\"\" INT>",
                   "STRUCT<\"first name\" VARCHAR, \"say \"\"hi\"\"\" INT>");
  check_round_trip("STRUCT<p STRUCT<x DOUBLE, y DOUBLE>, tags ARRAY<TEXT>>",
                   "STRUCT<p STRUCT<x DOUBLE, y DOUBLE>, tags "
                   "ARRAY<VARCHAR>>");
}

/* Parsing fails with SL_ERR_SQL and a message containing needle. */
static void check_parse_error(const char *text, const char *needle) {
  sl_type *t = (sl_type *)1;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_type_from_sql(text, &t, &err), SL_ERR_SQL);
  assert_null(t);
  if (!strstr(err.message, needle))
    fail_msg("error for \"%s\" was \"%s\", expected it to contain \"%s\"",
             text, err.message, needle);
}

static void test_parse_errors(void **state) {
  (void)state;
  check_parse_error("BIGNUM", "unknown type \"BIGNUM\"");
  check_parse_error("DECIMAL", "DECIMAL needs a precision");
  check_parse_error("DECIMAL(39,2)", "precision 39 is out of range");
  check_parse_error("DECIMAL(5,6)", "scale 6 is larger than its precision");
  check_parse_error("DECIMAL(0)", "precision 0 is out of range");
  check_parse_error("MAP<INT, INT>", "MAP keys must be VARCHAR");
  check_parse_error("ARRAY<INT", "expected '>'");
  check_parse_error("ARRAY INT", "expected '<' after ARRAY");
  check_parse_error("INT INT", "expected end of type");
  check_parse_error("STRUCT<a INT, a BIGINT>", "duplicate field \"a\"");
  check_parse_error("STRUCT<>", "expected a field name");
  check_parse_error("STRUCT<\"a INT>", "closing '\"'");
  check_parse_error("", "expected a type name");
  check_parse_error("ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<ARRAY<"
                    "INT",
                    "nested too deeply");
}

static sl_type *parse(const char *text) {
  sl_type *t = NULL;
  sl_error err;
  if (sl_type_from_sql(text, &t, &err) != SL_OK)
    fail_msg("parsing \"%s\": %s", text, err.message);
  return t;
}

static void test_clone_equal_free(void **state) {
  (void)state;
  sl_type *t = parse("STRUCT<a ARRAY<DECIMAL(12,3)>, m MAP<VARCHAR, DATE>>");
  sl_type *c = sl_type_clone(t);
  assert_ptr_not_equal(c, t);
  assert_true(sl_type_equal(t, c));
  assert_ptr_not_equal(c->fields[0].name, t->fields[0].name);

  sl_type *other = parse("STRUCT<a ARRAY<DECIMAL(12,2)>, m MAP<VARCHAR, "
                         "DATE>>");
  assert_false(sl_type_equal(t, other));
  sl_type_free(other);
  sl_type_free(c);
  sl_type_free(t);

  /* Singletons clone to themselves and survive free. */
  assert_ptr_equal(sl_type_clone(sl_type_int()), sl_type_int());
  sl_type_free(sl_type_int());
  assert_int_equal(sl_type_int()->kind, SL_TYPE_INT);
  assert_ptr_equal(sl_type_of_kind(SL_TYPE_DATE), sl_type_date());
  assert_null(sl_type_of_kind(SL_TYPE_DECIMAL));
}

static void test_constructors(void **state) {
  (void)state;
  assert_null(sl_type_new_decimal(39, 0));
  assert_null(sl_type_new_decimal(5, 6));
  assert_null(sl_type_new_decimal(0, 0));

  /* The fields array is copied; names and types are taken. */
  sl_type_field fields[2];
  fields[0].name = strdup("id");
  fields[0].type = sl_type_bigint();
  fields[1].name = strdup("tags");
  fields[1].type = sl_type_new_array(sl_type_varchar());
  sl_type *s = sl_type_new_struct(2, fields);
  assert_non_null(s);
  memset(fields, 0, sizeof(fields));
  char buf[SL_TYPE_SQL_MAX];
  assert_string_equal(sl_type_to_sql(s, buf, sizeof(buf)),
                      "STRUCT<id BIGINT, tags ARRAY<VARCHAR>>");
  sl_type_free(s);

  /* Truncation keeps the buffer terminated. */
  sl_type *d = sl_type_new_decimal(10, 2);
  char small[8];
  assert_string_equal(sl_type_to_sql(d, small, sizeof(small)), "DECIMAL");
  sl_type_free(d);
}

static void test_kind_names(void **state) {
  (void)state;
  assert_string_equal(sl_type_kind_name(SL_TYPE_BIGINT), "BIGINT");
  assert_string_equal(sl_type_kind_name(SL_TYPE_NULL), "NULL");
  assert_true(sl_type_is_numeric(sl_type_double()));
  assert_false(sl_type_is_numeric(sl_type_varchar()));
  assert_true(sl_type_is_integer(sl_type_int()));
  assert_false(sl_type_is_integer(sl_type_double()));
}

static void test_implicit_casts(void **state) {
  (void)state;
  sl_type *d10_2 = parse("DECIMAL(10,2)");
  sl_type *d12_2 = parse("DECIMAL(12,2)");
  sl_type *d12_3 = parse("DECIMAL(12,3)");
  sl_type *d21_2 = parse("DECIMAL(21,2)");
  sl_type *d12_0 = parse("DECIMAL(12,0)");

  assert_true(sl_type_implicit_cast(sl_type_int(), sl_type_bigint()));
  assert_false(sl_type_implicit_cast(sl_type_bigint(), sl_type_int()));
  assert_true(sl_type_implicit_cast(sl_type_int(), d12_2));
  assert_false(sl_type_implicit_cast(sl_type_int(), d10_2));
  assert_false(sl_type_implicit_cast(sl_type_bigint(), d12_0));
  assert_true(sl_type_implicit_cast(sl_type_bigint(), d21_2));
  assert_true(sl_type_implicit_cast(d10_2, d12_3));
  assert_false(sl_type_implicit_cast(d12_3, d12_2));
  assert_false(sl_type_implicit_cast(d12_2, d12_3));
  assert_true(sl_type_implicit_cast(d10_2, sl_type_double()));
  assert_true(sl_type_implicit_cast(sl_type_bigint(), sl_type_double()));
  assert_false(sl_type_implicit_cast(sl_type_double(), d21_2));
  assert_true(sl_type_implicit_cast(sl_type_null(), d10_2));
  assert_true(sl_type_implicit_cast(sl_type_date(), sl_type_timestamp()));
  assert_false(sl_type_implicit_cast(sl_type_timestamp(), sl_type_date()));
  assert_false(sl_type_implicit_cast(sl_type_varchar(), sl_type_int()));

  sl_type *ai = parse("ARRAY<INT>");
  sl_type *ab = parse("ARRAY<BIGINT>");
  assert_true(sl_type_implicit_cast(ai, ab));
  assert_false(sl_type_implicit_cast(ab, ai));
  sl_type *s1 = parse("STRUCT<a INT, b DATE>");
  sl_type *s2 = parse("STRUCT<a BIGINT, b TIMESTAMP>");
  sl_type *s3 = parse("STRUCT<x BIGINT, b TIMESTAMP>");
  assert_true(sl_type_implicit_cast(s1, s2));
  assert_false(sl_type_implicit_cast(s1, s3));

  sl_type *all[] = {d10_2, d12_2, d12_3, d21_2, d12_0, ai, ab, s1, s2, s3};
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
    sl_type_free(all[i]);
}

/* The common type of a and b, spelled, or "none". */
static void check_common(const char *a, const char *b, const char *expect) {
  sl_type *ta = parse(a);
  sl_type *tb = parse(b);
  sl_type *c = sl_type_common(ta, tb);
  char buf[SL_TYPE_SQL_MAX] = "none";
  if (c)
    sl_type_to_sql(c, buf, sizeof(buf));
  if (strcmp(buf, expect) != 0)
    fail_msg("common(%s, %s) = %s, expected %s", a, b, buf, expect);
  sl_type_free(c);
  sl_type_free(ta);
  sl_type_free(tb);
}

static void test_common_types(void **state) {
  (void)state;
  check_common("INT", "BIGINT", "BIGINT");
  check_common("INT", "INT", "INT");
  check_common("BIGINT", "DOUBLE", "DOUBLE");
  check_common("DECIMAL(10,2)", "DOUBLE", "DOUBLE");
  check_common("INT", "DECIMAL(5,2)", "DECIMAL(12,2)");
  check_common("BIGINT", "DECIMAL(5,2)", "DECIMAL(21,2)");
  check_common("DECIMAL(10,2)", "DECIMAL(8,4)", "DECIMAL(12,4)");
  check_common("DECIMAL(38,0)", "DECIMAL(38,10)", "DECIMAL(38,6)");
  check_common("DECIMAL(38,0)", "DECIMAL(10,2)", "DECIMAL(38,2)");
  check_common("NULL", "VARCHAR", "VARCHAR");
  check_common("DATE", "TIMESTAMP", "TIMESTAMP");
  check_common("VARCHAR", "INT", "none");
  check_common("BOOLEAN", "INT", "none");
  check_common("ARRAY<INT>", "ARRAY<DOUBLE>", "ARRAY<DOUBLE>");
  check_common("MAP<VARCHAR, INT>", "MAP<VARCHAR, BIGINT>",
               "MAP<VARCHAR, BIGINT>");
  check_common("STRUCT<a INT>", "STRUCT<a DECIMAL(4,1)>",
               "STRUCT<a DECIMAL(11,1)>");
  check_common("STRUCT<a INT>", "STRUCT<b INT>", "none");
  check_common("ARRAY<INT>", "ARRAY<VARCHAR>", "none");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scalar_spellings),
      cmocka_unit_test(test_composite_spellings),
      cmocka_unit_test(test_parse_errors),
      cmocka_unit_test(test_clone_equal_free),
      cmocka_unit_test(test_constructors),
      cmocka_unit_test(test_kind_names),
      cmocka_unit_test(test_implicit_casts),
      cmocka_unit_test(test_common_types),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
