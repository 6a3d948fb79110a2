/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_gen_loans.c - the loan use case's data (cli/gen_loans_data.c):
 * reading the loans file, slices, the JSON of an application, and the
 * synthetic side data (reproducible per applicant, within its documented
 * ranges, informative about the outcome).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cli/gen_loans.h"

#define DAY_MS INT64_C(86400000)
#define START_MS INT64_C(1704067200000) /* 2024-01-01T00:00:00Z */

static char *write_file(const char *dir, const char *text) {
  size_t n = strlen(dir) + 16;
  char *path = malloc(n);
  assert_non_null(path);
  snprintf(path, n, "%s/loans.csv", dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  return path;
}

static const char small_csv[] =
    "funded_amnt,term,Sub_Grade,emp,Class\r\n"
    "16100,term_36,A1,emp_5,good\r\n"
    "\r\n"
    "32000,term_60,G5,,bad\r\n"
    "900.5,term_36,C3,x\"y,good\r\n";

/* Reads text as a loans file; fails the test on an error. */
static void read_text(const char *text, sl_gen_loan_file *f) {
  char *dir = test_tmpdir();
  char *path = write_file(dir, text);
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = sl_gen_loan_file_read(path, f, &err);
  if (rc)
    fail_msg("reading %s: %s", path, err.message);
  test_rmtree(dir);
  free(path);
  free(dir);
}

static void test_read_header_and_types(void **state) {
  (void)state;
  sl_gen_loan_file f;
  /* The quote is refused below; without it the file reads. */
  read_text("funded_amnt,term,Sub_Grade,emp,Class\r\n"
            "16100,term_36,A1,emp_5,good\r\n"
            "\r\n"
            "32000,term_60,G5,,bad\r\n"
            "900.5,term_36,C3,7,good\r\n", &f);
  assert_int_equal(f.ncols, 5);
  assert_int_equal(f.nrows, 3);
  assert_string_equal(f.names[2], "sub_grade");
  assert_string_equal(f.names[4], "class");
  assert_int_equal(f.class_col, 4);
  assert_int_equal(f.grade_col, 2);
  assert_true(f.numeric[0]);
  assert_false(f.numeric[1]);
  /* emp: "emp_5" is not a number, so the column is text. */
  assert_false(f.numeric[3]);
  assert_string_equal(sl_gen_loan_field(&f, 2, 0), "32000");
  assert_string_equal(sl_gen_loan_field(&f, 2, 3), "");
  assert_string_equal(sl_gen_loan_field(&f, 3, 4), "good");
  sl_gen_loan_file_free(&f);
}

/* Columns are numbers only when every field is a JSON number; anything
 * else (a sign, a hexadecimal or a bare point) makes the column text. */
static void test_numeric_columns(void **state) {
  (void)state;
  sl_gen_loan_file f;
  read_text("a,b,c,d,e,f,g,h\n"
            "-1.5e3,+5,0x1A,5.,.5,007,1E-2,0\n"
            "0.25,6,7,8,9,10,3e+4,\n", &f);
  bool want[] = {true, false, false, false, false, false, true, true};
  for (int c = 0; c < f.ncols; c++) {
    if (f.numeric[c] != want[c])
      fail_msg("column %s: numeric %d, expected %d", f.names[c],
               f.numeric[c], want[c]);
  }
  sl_strbuf sb;
  sl_strbuf_init(&sb);
  assert_int_equal(sl_gen_loan_application_json(&f, 1, START_MS, 0, true,
                                                &sb), SL_OK);
  assert_non_null(strstr(sb.data, "\"a\":-1.5e3,\"b\":\"+5\",\"c\":\"0x1A\","
                                  "\"d\":\"5.\",\"e\":\".5\",\"f\":\"007\","
                                  "\"g\":1E-2,\"h\":0}"));
  sl_strbuf_free(&sb);
  sl_gen_loan_file_free(&f);
}

static void expect_read_error(const char *text, const char *message) {
  char *dir = test_tmpdir();
  char *path = write_file(dir, text);
  sl_gen_loan_file f;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_gen_loan_file_read(path, &f, &err), SL_ERR_IO);
  if (!strstr(err.message, message))
    fail_msg("expected \"%s\" in \"%s\"", message, err.message);
  assert_null(f.text);
  test_rmtree(dir);
  free(path);
  free(dir);
}

static void test_read_errors(void **state) {
  (void)state;
  expect_read_error(small_csv, "quoted fields are not supported");
  expect_read_error("a,b,c\n1,2,3\n4,5\n", "expected 3 fields, found 2");
  expect_read_error("a,b\n", "no data rows after the header");
  expect_read_error("", "expected a header row");

  sl_gen_loan_file f;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_gen_loan_file_read("/nonexistent/loans.csv", &f,
                                         &err), SL_ERR_IO);
  assert_non_null(strstr(err.message, "/nonexistent/loans.csv"));
}

static void test_slices(void **state) {
  (void)state;
  sl_gen_loan_file f = {.nrows = 9857};
  int64_t v;
  assert_true(sl_gen_loan_parse_from(&f, "80%", &v));
  assert_int_equal(v, 7886);
  assert_true(sl_gen_loan_parse_rows(&f, "80%", &v));
  assert_int_equal(v, 7885);
  assert_true(sl_gen_loan_parse_from(&f, "0%", &v));
  assert_int_equal(v, 1);
  assert_true(sl_gen_loan_parse_from(&f, "9857", &v));
  assert_int_equal(v, 9857);
  assert_false(sl_gen_loan_parse_from(&f, "9858", &v));
  assert_false(sl_gen_loan_parse_from(&f, "0", &v));
  assert_false(sl_gen_loan_parse_from(&f, "100%", &v));
  assert_false(sl_gen_loan_parse_from(&f, "1.5", &v));
  assert_false(sl_gen_loan_parse_rows(&f, "101%", &v));
  assert_false(sl_gen_loan_parse_rows(&f, "-3", &v));
  assert_false(sl_gen_loan_parse_rows(&f, "5x", &v));
  assert_true(sl_gen_loan_parse_rows(&f, "0", &v));
  assert_int_equal(v, 0);
}

static void test_application_json(void **state) {
  (void)state;
  sl_gen_loan_file f;
  read_text("funded_amnt,term,Sub_Grade,emp,Class\n"
            "16100,term_36,A1,emp_5,good\n"
            "32000,term_60,G5,,bad\n", &f);
  sl_strbuf sb;
  sl_strbuf_init(&sb);
  assert_int_equal(sl_gen_loan_application_json(&f, 2, START_MS, 60000,
                                                true, &sb), SL_OK);
  assert_string_equal(sb.data,
                      "{\"application_id\":2,\"applicant_id\":1000002,"
                      "\"applied_at\":\"2024-01-01T00:01:00.000Z\","
                      "\"funded_amnt\":32000,\"term\":\"term_60\","
                      "\"sub_grade\":\"G5\",\"emp\":null,"
                      "\"class\":\"bad\"}");
  sl_strbuf_reset(&sb);
  assert_int_equal(sl_gen_loan_application_json(&f, 1, START_MS, 1000,
                                                false, &sb), SL_OK);
  assert_string_equal(sb.data,
                      "{\"application_id\":1,\"applicant_id\":1000001,"
                      "\"applied_at\":\"2024-01-01T00:00:00.000Z\","
                      "\"funded_amnt\":16100,\"term\":\"term_36\","
                      "\"sub_grade\":\"A1\",\"emp\":\"emp_5\"}");
  sl_strbuf_free(&sb);
  sl_gen_loan_file_free(&f);
}

static void test_side_data_ranges(void **state) {
  (void)state;
  char *path = test_shared_data("lending_club.csv");
  sl_gen_loan_file f;
  sl_error err;
  sl_error_clear(&err);
  if (sl_gen_loan_file_read(path, &f, &err))
    fail_msg("%s: %s", path, err.message);
  free(path);
  assert_int_equal(f.nrows, 9857);

  /* Scores, engagements and transactions stay within their documented
   * ranges, and the transactions of an applicant precede the
   * application, in time order. */
  double score_sum[2] = {0, 0}, overdrafts[2] = {0, 0};
  int64_t n[2] = {0, 0}, txns_total = 0;
  sl_gen_loan_txn txns[SL_GEN_LOAN_MAX_TXNS];
  for (int64_t row = 1; row <= f.nrows; row++) {
    sl_gen_loan_profile p;
    sl_gen_loan_profile_of(&f, row, 1, &p);
    assert_in_range(p.credit_score, 300, 850);
    assert_in_range(p.previous_loans, 0, 4);
    assert_in_range(p.previous_defaults, 0, p.previous_loans);
    if (p.previous_loans)
      assert_in_range(p.customer_months, 6, 120);
    else
      assert_int_equal(p.customer_months, 0);

    int bad = strcmp(sl_gen_loan_field(&f, row, f.class_col), "bad") == 0;
    score_sum[bad] += p.credit_score;
    n[bad]++;

    int64_t applied = sl_gen_loan_applied_at(row, START_MS, 60000);
    int k = sl_gen_loan_txns_of(&f, row, 1, START_MS, 60000, txns);
    assert_in_range(k, 0, SL_GEN_LOAN_MAX_TXNS);
    for (int i = 0; i < k; i++) {
      const sl_gen_loan_txn *t = &txns[i];
      assert_int_equal(t->applicant_id, SL_GEN_LOAN_APPLICANT_BASE + row);
      assert_in_range(t->txn_id, row * 100, row * 100 + k - 1);
      assert_true(t->at_ms <= applied - 60000);
      assert_true(t->at_ms > applied - SL_GEN_LOAN_HISTORY_DAYS * DAY_MS);
      if (i > 0)
        assert_true(txns[i - 1].at_ms <= t->at_ms);
      if (strcmp(t->kind, "overdraft_fee") == 0) {
        assert_double_near(t->amount, 35.0, 0);
        overdrafts[bad]++;
      } else if (strcmp(t->kind, "cash_advance") == 0) {
        assert_true(t->amount >= 50 && t->amount <= 500);
      } else {
        assert_string_equal(t->kind, "purchase");
        assert_true(t->amount >= 0);
      }
    }
    txns_total += k;
  }

  /* The side data carries the outcome the way a real history would:
   * bad loans' applicants score lower and pay more overdraft fees per
   * applicant.  The file has 9,340 good loans and 517 bad ones. */
  assert_int_equal(n[0], 9340);
  assert_int_equal(n[1], 517);
  double good_mean = score_sum[0] / (double)n[0];
  double bad_mean = score_sum[1] / (double)n[1];
  if (!(good_mean - bad_mean > 40 && good_mean - bad_mean < 100))
    fail_msg("mean scores: good %.1f, bad %.1f", good_mean, bad_mean);
  if (!(overdrafts[1] / (double)n[1] > 1.5 * overdrafts[0] / (double)n[0]))
    fail_msg("overdrafts per applicant: good %.3f, bad %.3f",
             overdrafts[0] / (double)n[0], overdrafts[1] / (double)n[1]);
  /* 0..12 transactions each: about 6 on average. */
  assert_in_range(txns_total, 5 * f.nrows, 7 * f.nrows);
  sl_gen_loan_file_free(&f);
}

static void test_side_data_reproducible(void **state) {
  (void)state;
  sl_gen_loan_file f;
  read_text("funded_amnt,sub_grade,class\n"
            "100,B2,good\n200,E4,bad\n300,A1,good\n", &f);

  /* The same seed and row give the same values, whatever else was
   * drawn before; another seed changes them. */
  sl_gen_loan_profile a, b, c;
  sl_gen_loan_profile_of(&f, 3, 42, &a);
  sl_gen_loan_profile_of(&f, 1, 42, &c);
  sl_gen_loan_profile_of(&f, 3, 42, &b);
  assert_memory_equal(&a, &b, sizeof(a));
  int differs = 0;
  for (uint64_t seed = 1; seed <= 5; seed++) {
    sl_gen_loan_profile_of(&f, 3, 42 + seed, &c);
    differs += c.credit_score != a.credit_score;
  }
  assert_true(differs >= 4);

  sl_gen_loan_txn t1[SL_GEN_LOAN_MAX_TXNS], t2[SL_GEN_LOAN_MAX_TXNS];
  int n1 = sl_gen_loan_txns_of(&f, 2, 42, START_MS, 60000, t1);
  int n2 = sl_gen_loan_txns_of(&f, 2, 42, START_MS, 60000, t2);
  assert_int_equal(n1, n2);
  for (int i = 0; i < n1; i++) {
    assert_int_equal(t1[i].txn_id, t2[i].txn_id);
    assert_int_equal(t1[i].at_ms, t2[i].at_ms);
    assert_double_near(t1[i].amount, t2[i].amount, 0);
    assert_string_equal(t1[i].kind, t2[i].kind);
  }
  sl_gen_loan_file_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_header_and_types),
      cmocka_unit_test(test_numeric_columns),
      cmocka_unit_test(test_read_errors),
      cmocka_unit_test(test_slices),
      cmocka_unit_test(test_application_json),
      cmocka_unit_test(test_side_data_ranges),
      cmocka_unit_test(test_side_data_reproducible),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
