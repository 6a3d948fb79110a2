/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/exec/output: the table, CSV and JSON printers.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exec/output.h"

/* Prints two rows of (id BIGINT, name VARCHAR, ts TIMESTAMP, amount
 * DOUBLE) in `format` and returns what was written (malloc'd). */
static char *print_sample(sl_output_format format) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);

  sl_output *o = sl_output_new(f, format);
  const char *names[] = {"id", "name", "ts", "amount"};
  const sl_type *types[] = {sl_type_bigint(), sl_type_varchar(),
                            sl_type_timestamp(), sl_type_double()};
  sl_error err;
  assert_int_equal(sl_output_begin(o, 4, names, types, &err), SL_OK);

  sl_value row1[] = {sl_value_bigint(1), sl_value_varchar("a,b", 3),
                     sl_value_timestamp(1714564800123LL),
                     sl_value_double(0.1)};
  sl_value row2[] = {sl_value_bigint(22), sl_value_varchar("héllo", 6),
                     sl_value_null(), sl_value_null()};
  assert_int_equal(sl_output_row(o, row1, &err), SL_OK);
  assert_int_equal(sl_output_row(o, row2, &err), SL_OK);
  assert_int_equal(sl_output_end(o, &err), SL_OK);
  assert_int_equal(sl_output_rows(o), 2);
  sl_output_free(o);
  fclose(f);
  return text;
}

static void test_csv(void **state) {
  (void)state;
  char *text = print_sample(SL_OUTPUT_CSV);
  assert_string_equal(text, "id,name,ts,amount\n"
                            "1,\"a,b\",2024-05-01 12:00:00.123,0.1\n"
                            "22,héllo,,\n");
  free(text);
}

static void test_json(void **state) {
  (void)state;
  char *text = print_sample(SL_OUTPUT_JSON);
  assert_string_equal(text,
                      "{\"id\":1,\"name\":\"a,b\","
                      "\"ts\":\"2024-05-01T12:00:00.123Z\",\"amount\":0.1}\n"
                      "{\"id\":22,\"name\":\"héllo\",\"ts\":null,"
                      "\"amount\":null}\n");
  free(text);
}

static void test_table(void **state) {
  (void)state;
  char *text = print_sample(SL_OUTPUT_TABLE);
  assert_string_equal(text,
                      "+----+-------+-------------------------+--------+\n"
                      "| id | name  | ts                      | amount |\n"
                      "+----+-------+-------------------------+--------+\n"
                      "|  1 | a,b   | 2024-05-01 12:00:00.123 |    0.1 |\n"
                      "| 22 | héllo | NULL                    |   NULL |\n"
                      "+----+-------+-------------------------+--------+\n"
                      "(2 rows)\n");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
