/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/exec/output: the table, CSV and JSON printers,
 * and rows reaching a pipe while a query runs.
 */
#include "test_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/exec/output.h"

/* Prints two rows of (id BIGINT, name VARCHAR, ts TIMESTAMP, amount
 * DOUBLE) in `format`, with timing as given, sleep_ms after the
 * statement began, and returns what was written (malloc'd). */
static char *print_timed(sl_output_format format, bool timing,
                         long sleep_ms) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);

  sl_output *o = sl_output_new(f, format);
  sl_output_set_timing(o, timing);
  sl_output_statement(o);
  struct timespec ts = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
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

static char *print_sample(sl_output_format format) {
  return print_timed(format, false, 0);
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

/* With timing, the footer gives the time since the statement began:
 * milliseconds below a second, seconds above. */
static void test_table_timing(void **state) {
  (void)state;
  char *text = print_timed(SL_OUTPUT_TABLE, true, 20);
  const char *footer = strstr(text, "(2 rows, ");
  assert_non_null(footer);
  double ms = 0;
  char unit[8] = "";
  if (sscanf(footer, "(2 rows, %lf %7[a-z])", &ms, unit) != 2)
    fail_msg("footer \"%s\"", footer);
  assert_string_equal(unit, "ms");
  if (ms < 20.0 || ms > 900.0)
    fail_msg("%.1f ms for a statement that slept 20 ms", ms);
  assert_non_null(strstr(footer, " ms)\n"));
  free(text);

  text = print_timed(SL_OUTPUT_TABLE, true, 1100);
  footer = strstr(text, "(2 rows, ");
  assert_non_null(footer);
  double s = 0;
  if (sscanf(footer, "(2 rows, %lf %7[a-z])", &s, unit) != 2)
    fail_msg("footer \"%s\"", footer);
  assert_string_equal(unit, "s");
  if (s < 1.1 || s > 10.0)
    fail_msg("%.2f s for a statement that slept 1.1 s", s);
  free(text);

  /* CSV has no footer to put it in. */
  text = print_timed(SL_OUTPUT_CSV, true, 0);
  assert_null(strstr(text, " ms"));
  free(text);
}

/* A push query's CSV rows go down a pipe (fully buffered, no terminal)
 * at each tick, before the query ends. */
static void test_tick_reaches_pipe(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
  FILE *f = fdopen(fds[1], "w");
  assert_non_null(f);
  sl_output *o = sl_output_new(f, SL_OUTPUT_CSV);
  const char *names[] = {"id"};
  const sl_type *types[] = {sl_type_bigint()};
  sl_error err;
  assert_int_equal(sl_output_begin(o, 1, names, types, &err), SL_OK);
  sl_value row[] = {sl_value_bigint(7)};
  assert_int_equal(sl_output_row(o, row, &err), SL_OK);
  sl_output_tick(o);
  char buf[64];
  ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
  if (n < 0)
    fail_msg("nothing reached the pipe after a tick");
  buf[n] = 0;
  assert_string_equal(buf, "id\n7\n");
  assert_int_equal(sl_output_end(o, &err), SL_OK);
  sl_output_free(o);
  fclose(f);
  close(fds[0]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_table_timing),
      cmocka_unit_test(test_tick_reaches_pipe),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
