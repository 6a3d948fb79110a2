/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/model/transform.c and data.c: declarations are
 * checked, statistics are computed on the training rows only and frozen
 * (drifted inputs are expanded with the training statistics), ONE_HOT
 * vocabularies are sorted and unseen categories counted, missing values
 * stay NaN for XGBoost and take the training mean for linear models,
 * and values of the wrong kind are refused with a clear message.
 */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model.h"

/* Rows of one or two inputs and a label, added to a new builder. */
static sl_model_data *make_data(const sl_model_input_def *defs, int ndefs,
                                sl_type_kind label_type,
                                const sl_value *inputs,
                                const sl_value *labels, size_t n) {
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  if (sl_model_data_new(defs, ndefs, label_type, &d, &err))
    fail_msg("data_new: %s", err.message);
  for (size_t i = 0; i < n; i++)
    if (sl_model_data_add_row(d, inputs + i * (size_t)ndefs, &labels[i],
                              &err))
      fail_msg("add_row %zu: %s", i, err.message);
  return d;
}

static sl_model *train(sl_model_kind kind, const sl_model_data *d,
                       const char *const *kv) {
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  sl_error err;
  sl_error_clear(&err);
  for (int i = 0; kv && kv[i]; i += 2)
    assert_int_equal(sl_model_params_set(&p, kv[i], kv[i + 1], &err), SL_OK);
  sl_model *m = NULL;
  if (sl_model_train(kind, d, &p, NULL, NULL, &m, &err))
    fail_msg("train: %s", err.message);
  sl_model_params_free(&p);
  return m;
}

/* Expands one column of n values of a one-input model into s->x. */
static const float *expand1(sl_model *m, sl_model_scratch *s,
                            const sl_value *col, size_t n) {
  sl_error err;
  sl_error_clear(&err);
  const sl_value *cols[1] = {col};
  if (sl_model_expand_batch(m, s, cols, n, &err))
    fail_msg("expand: %s", err.message);
  return s->x.data;
}

static void test_check_declarations(void **state) {
  (void)state;
  sl_error err;
  sl_error_clear(&err);
  sl_model_input_def d1 = {"amount", SL_TYPE_DOUBLE,
                           SL_MODEL_TRANSFORM_ONE_HOT, NULL, 0};
  assert_int_equal(sl_model_transform_check(&d1, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "ONE_HOT(amount): input is DOUBLE; "
                                   "expected VARCHAR, INT, BIGINT or "
                                   "BOOLEAN");

  sl_model_input_def d2 = {"country", SL_TYPE_VARCHAR,
                           SL_MODEL_TRANSFORM_NONE, NULL, 0};
  assert_int_equal(sl_model_transform_check(&d2, &err), SL_ERR_SQL);
  assert_string_equal(err.message,
                      "model input country is VARCHAR; expected a numeric "
                      "type or BOOLEAN (use ONE_HOT(country) for a "
                      "category)");

  sl_model_input_def d3 = {"ts", SL_TYPE_TIMESTAMP,
                           SL_MODEL_TRANSFORM_STANDARDIZE, NULL, 0};
  assert_int_equal(sl_model_transform_check(&d3, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "STANDARDIZE(ts): input is TIMESTAMP; "
                                   "expected a numeric type or BOOLEAN");

  double bad_edges[] = {1, 5, 5};
  sl_model_input_def d4 = {"score", SL_TYPE_INT,
                           SL_MODEL_TRANSFORM_BUCKETIZE, bad_edges, 3};
  assert_int_equal(sl_model_transform_check(&d4, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "BUCKETIZE(score): edges must be "
                                   "strictly ascending; edge 3 (5) follows "
                                   "5");
  double inf_edges[] = {1, INFINITY};
  d4.edges = inf_edges;
  d4.nedges = 2;
  assert_int_equal(sl_model_transform_check(&d4, &err), SL_ERR_SQL);
  assert_string_equal(err.message,
                      "BUCKETIZE(score): edge 2 is not a finite number");
  d4.nedges = 0;
  assert_int_equal(sl_model_transform_check(&d4, &err), SL_ERR_SQL);

  /* Duplicate names and a label of no usable type. */
  sl_model_input_def two[] = {
      {"a", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
      {"A", SL_TYPE_INT, SL_MODEL_TRANSFORM_NONE, NULL, 0}};
  sl_model_data *d = NULL;
  assert_int_equal(sl_model_data_new(two, 2, SL_TYPE_BOOLEAN, &d, &err),
                   SL_ERR_SQL);
  assert_null(d);
  assert_string_equal(err.message, "model input A appears twice (inputs 1 "
                                   "and 2)");
  assert_int_equal(sl_model_data_new(two, 1, SL_TYPE_VARCHAR, &d, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "LABEL is VARCHAR; expected BOOLEAN (a "
                                   "classifier) or a numeric type (a "
                                   "regression)");

  sl_model_transform t;
  assert_true(sl_model_transform_from_name("one_hot", &t));
  assert_int_equal(t, SL_MODEL_TRANSFORM_ONE_HOT);
  assert_false(sl_model_transform_from_name("LOG", &t));
}

static void test_bucketize_half_open(void **state) {
  (void)state;
  double edges[] = {0, 10, 20};
  sl_model_feature f = {0};
  f.name = "score";
  f.type = SL_TYPE_DOUBLE;
  f.transform = SL_MODEL_TRANSFORM_BUCKETIZE;
  f.edges = edges;
  f.nedges = 3;
  f.ncols = 1;
  assert_int_equal(sl_model_transform_bucket(&f, -0.5), 0);
  assert_int_equal(sl_model_transform_bucket(&f, 0), 1);
  assert_int_equal(sl_model_transform_bucket(&f, 9.999), 1);
  assert_int_equal(sl_model_transform_bucket(&f, 10), 2);
  assert_int_equal(sl_model_transform_bucket(&f, 19.5), 2);
  assert_int_equal(sl_model_transform_bucket(&f, 20), 3);
  assert_int_equal(sl_model_transform_bucket(&f, 1e9), 3);

  float out;
  sl_model_transform_apply_number(&f, 10, NULL, &out);
  assert_true(out == 2.0f);
  sl_model_transform_apply_number(&f, NAN, NULL, &out);
  assert_true(isnan(out));
  float fill = 1.5f;
  sl_model_transform_apply_number(&f, NAN, &fill, &out);
  assert_true(out == 1.5f);
}

/* STANDARDIZE(x) with y = 3x + 1: training rows x = 1..5, holdout rows
 * far away.  The statistics come from the five training rows only, and
 * a drifted batch is expanded and scored with them. */
static void test_standardize_frozen(void **state) {
  (void)state;
  sl_model_input_def def = {"x", SL_TYPE_DOUBLE,
                            SL_MODEL_TRANSFORM_STANDARDIZE, NULL, 0};
  sl_value in[7], y[7];
  double xs[7] = {1, 2, 3, 4, 5, 1000, 2000};
  for (int i = 0; i < 7; i++) {
    in[i] = sl_value_double(xs[i]);
    y[i] = sl_value_double(3 * xs[i] + 1);
  }
  sl_model_data *d = make_data(&def, 1, SL_TYPE_DOUBLE, in, y, 7);
  const char *kv[] = {"holdout", "0.3", "l2", "0", NULL};
  sl_model *m = train(SL_MODEL_LINEAR_REGRESSION, d, kv);
  assert_int_equal(sl_model_training_rows(m), 5);
  assert_int_equal(sl_model_holdout_rows(m), 2);

  const sl_model_feature *f = sl_model_input(m, 0);
  assert_double_near(f->mean, 3.0, 1e-15);
  assert_double_near(f->stddev, sqrt(2.0), 1e-15);
  assert_int_equal(f->count, 5);
  assert_int_equal(f->missing, 0);

  /* A batch from a drifted stream: the training mean and stddev apply,
   * not the batch's own (which would make these -1.22, 0, 1.22). */
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_value drift[4] = {sl_value_double(100), sl_value_double(101),
                       sl_value_double(102), sl_value_null()};
  const float *x = expand1(m, &s, drift, 4);
  assert_double_near(x[0], (100 - 3) / sqrt(2.0), 1e-5);
  assert_double_near(x[1], (101 - 3) / sqrt(2.0), 1e-5);
  assert_double_near(x[2], (102 - 3) / sqrt(2.0), 1e-5);
  /* Missing: the linear model's fill, the training mean of the
   * standardized column, which is 0. */
  assert_double_near(x[3], 0.0, 1e-6);

  double out[4];
  sl_error err;
  sl_error_clear(&err);
  const sl_value *cols[1] = {drift};
  assert_int_equal(sl_model_predict_batch(m, &s, cols, 4, out, &err), SL_OK);
  assert_double_near(out[0], 301, 1e-3);
  assert_double_near(out[1], 304, 1e-3);
  assert_double_near(out[2], 307, 1e-3);
  assert_double_near(out[3], 10, 1e-3); /* the mean input, 3 */

  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_model_feature_describe(f, &sb), SL_OK);
  assert_string_equal(sb.data,
                      "STANDARDIZE(x) DOUBLE mean=3 stddev=1.4142135623730951");
  sl_strbuf_free(&sb);

  sl_model_scratch_free(&s);
  sl_model_free(m);
  sl_model_data_free(d);
}

/* A constant training column has stddev 0: STANDARDIZE divides by 1. */
static void test_standardize_zero_stddev(void **state) {
  (void)state;
  sl_model_input_def defs[] = {
      {"c", SL_TYPE_INT, SL_MODEL_TRANSFORM_STANDARDIZE, NULL, 0},
      {"x", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0}};
  sl_value in[8], y[4];
  for (int i = 0; i < 4; i++) {
    in[2 * i] = sl_value_int(7);
    in[2 * i + 1] = sl_value_double(i);
    y[i] = sl_value_bool(i % 2 == 0);
  }
  sl_model_data *d = make_data(defs, 2, SL_TYPE_BOOLEAN, in, y, 4);
  const char *kv[] = {"rounds", "2", NULL};
  sl_model *m = train(SL_MODEL_XGBOOST, d, kv);
  assert_double_near(sl_model_input(m, 0)->stddev, 0.0, 0);

  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_value c[2] = {sl_value_int(9), sl_value_null()};
  sl_value xv[2] = {sl_value_double(1), sl_value_double(2)};
  const sl_value *cols[2] = {c, xv};
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_expand_batch(m, &s, cols, 2, &err), SL_OK);
  assert_true(s.x.data[0] == 2.0f);
  assert_true(isnan(s.x.data[2])); /* XGBoost: missing stays missing */
  assert_true(s.x.data[3] == 2.0f);
  sl_model_scratch_free(&s);
  sl_model_free(m);
  sl_model_data_free(d);
}

/* Training rows NL, DE, FR, DE; a holdout row BE.  The vocabulary is the
 * sorted training categories; BE and anything else new is all zeros and
 * counted. */
static void test_one_hot_vocabulary_and_unseen(void **state) {
  (void)state;
  sl_model_input_def def = {"country", SL_TYPE_VARCHAR,
                            SL_MODEL_TRANSFORM_ONE_HOT, NULL, 0};
  const char *names[] = {"NL", "DE", "FR", "DE", "BE"};
  sl_value in[5], y[5];
  for (int i = 0; i < 5; i++) {
    in[i] = sl_value_varchar(names[i], 2);
    y[i] = sl_value_bool(i % 2 == 0);
  }
  sl_model_data *d = make_data(&def, 1, SL_TYPE_BOOLEAN, in, y, 5);
  const char *kv[] = {"holdout", "0.2", "rounds", "2", NULL};
  sl_model *m = train(SL_MODEL_XGBOOST, d, kv);

  const sl_model_feature *f = sl_model_input(m, 0);
  assert_int_equal(f->ncols, 3);
  assert_int_equal(sl_model_column_count(m), 3);
  assert_int_equal(sl_model_transform_lookup(f, "DE", 2), 0);
  assert_int_equal(sl_model_transform_lookup(f, "FR", 2), 1);
  assert_int_equal(sl_model_transform_lookup(f, "NL", 2), 2);
  assert_int_equal(sl_model_transform_lookup(f, "BE", 2), -1);
  /* Training at holdout time does not count as serving. */
  assert_int_equal(sl_model_unseen_count(m, 0), 0);

  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_value batch[5] = {sl_value_varchar("FR", 2), sl_value_varchar("BE", 2),
                       sl_value_null(), sl_value_varchar("NL", 2),
                       sl_value_varchar("XX", 2)};
  const float *x = expand1(m, &s, batch, 5);
  const float expect[5][3] = {{0, 1, 0}, {0, 0, 0}, {NAN, NAN, NAN},
                              {0, 0, 1}, {0, 0, 0}};
  for (int i = 0; i < 5; i++)
    for (int c = 0; c < 3; c++) {
      if (isnan(expect[i][c]))
        assert_true(isnan(x[i * 3 + c]));
      else
        assert_true(x[i * 3 + c] == expect[i][c]);
    }
  assert_int_equal(sl_model_unseen_count(m, 0), 2);

  /* Counters add up over batches and over prediction. */
  double out[5];
  sl_error err;
  sl_error_clear(&err);
  const sl_value *cols[1] = {batch};
  assert_int_equal(sl_model_predict_batch(m, &s, cols, 5, out, &err), SL_OK);
  assert_int_equal(sl_model_unseen_count(m, 0), 4);
  assert_int_equal(sl_model_unseen_count(m, -1), 4);

  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_model_feature_describe(f, &sb), SL_OK);
  assert_string_equal(sb.data, "ONE_HOT(country) VARCHAR 3 categories: "
                               "\"DE\", \"FR\", \"NL\"");
  sl_strbuf_free(&sb);
  sl_model_scratch_free(&s);
  sl_model_free(m);
  sl_model_data_free(d);
}

/* Integer categories sort numerically (bytewise would put 100 before 9)
 * and booleans false before true; a linear model fills a missing
 * category with the training frequencies. */
static void test_one_hot_order_and_linear_fill(void **state) {
  (void)state;
  sl_model_input_def defs[] = {
      {"code", SL_TYPE_BIGINT, SL_MODEL_TRANSFORM_ONE_HOT, NULL, 0},
      {"flag", SL_TYPE_BOOLEAN, SL_MODEL_TRANSFORM_ONE_HOT, NULL, 0}};
  int64_t codes[] = {10, 9, 100, 10};
  sl_value in[8], y[4];
  for (int i = 0; i < 4; i++) {
    in[2 * i] = sl_value_bigint(codes[i]);
    in[2 * i + 1] = sl_value_bool(i == 1);
    y[i] = sl_value_bool(i < 2);
  }
  sl_model_data *d = make_data(defs, 2, SL_TYPE_BOOLEAN, in, y, 4);
  sl_model *m = train(SL_MODEL_LOGISTIC_REGRESSION, d, NULL);

  const sl_model_feature *code = sl_model_input(m, 0);
  const sl_model_feature *flag = sl_model_input(m, 1);
  assert_int_equal(code->ncols, 3);
  assert_int_equal(sl_model_transform_lookup(code, "9", 1), 0);
  assert_int_equal(sl_model_transform_lookup(code, "10", 2), 1);
  assert_int_equal(sl_model_transform_lookup(code, "100", 3), 2);
  assert_int_equal(flag->first_col, 3);
  assert_int_equal(sl_model_transform_lookup(flag, "false", 5), 0);
  assert_int_equal(sl_model_transform_lookup(flag, "true", 4), 1);

  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_value c[2] = {sl_value_null(), sl_value_int(100)};
  sl_value fl[2] = {sl_value_bool(true), sl_value_null()};
  const sl_value *cols[2] = {c, fl};
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_expand_batch(m, &s, cols, 2, &err), SL_OK);
  /* Row 1: code missing -> frequencies of 9, 10, 100 = .25, .5, .25. */
  const float row0[5] = {0.25f, 0.5f, 0.25f, 0, 1};
  const float row1[5] = {0, 0, 1, 0.75f, 0.25f};
  for (int k = 0; k < 5; k++) {
    assert_true(s.x.data[k] == row0[k]);
    assert_true(s.x.data[5 + k] == row1[k]);
  }
  sl_model_scratch_free(&s);
  sl_model_free(m);
  sl_model_data_free(d);
}

/* A plain input with a NULL in training: counted as missing; XGBoost
 * sees NaN, a linear model the training mean (1 + 3 + 5) / 3. */
static void test_missing_values(void **state) {
  (void)state;
  sl_model_input_def def = {"x", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE,
                            NULL, 0};
  sl_value in[4] = {sl_value_double(1), sl_value_null(),
                    sl_value_double(3), sl_value_double(5)};
  sl_value y[4] = {sl_value_bool(true), sl_value_bool(false),
                   sl_value_bool(true), sl_value_bool(false)};
  sl_model_data *d = make_data(&def, 1, SL_TYPE_BOOLEAN, in, y, 4);
  const char *kv[] = {"rounds", "2", NULL};
  sl_model *xgb = train(SL_MODEL_XGBOOST, d, kv);
  sl_model *lin = train(SL_MODEL_LOGISTIC_REGRESSION, d, NULL);
  assert_int_equal(sl_model_input(lin, 0)->missing, 1);
  assert_int_equal(sl_model_input(lin, 0)->count, 3);

  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_value batch[2] = {sl_value_null(), sl_value_double(NAN)};
  const float *x = expand1(xgb, &s, batch, 2);
  assert_true(isnan(x[0]));
  assert_true(isnan(x[1]));
  x = expand1(lin, &s, batch, 2);
  assert_true(x[0] == 3.0f);
  assert_true(x[1] == 3.0f);
  sl_model_scratch_free(&s);
  sl_model_free(xgb);
  sl_model_free(lin);
  sl_model_data_free(d);
}

static void test_wrong_kinds_and_labels(void **state) {
  (void)state;
  sl_model_input_def defs[] = {
      {"x", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
      {"c", SL_TYPE_VARCHAR, SL_MODEL_TRANSFORM_ONE_HOT, NULL, 0}};
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_data_new(defs, 2, SL_TYPE_BOOLEAN, &d, &err),
                   SL_OK);

  sl_value ok[2] = {sl_value_int(4), sl_value_varchar("a", 1)};
  sl_value bad[2] = {sl_value_varchar("4", 1), sl_value_varchar("a", 1)};
  sl_value bad2[2] = {sl_value_double(1), sl_value_double(2)};
  sl_value t = sl_value_bool(true), f = sl_value_bool(false);
  sl_value null = sl_value_null(), num = sl_value_double(1);

  assert_int_equal(sl_model_data_add_row(d, ok, &t, &err), SL_OK);
  assert_int_equal(sl_model_data_add_row(d, ok, &null, &err), SL_OK);
  assert_int_equal(sl_model_data_add_row(d, bad, &f, &err), SL_ERR_RUNTIME);
  assert_string_equal(err.message, "model input x is DOUBLE, but row 3 has "
                                   "a VARCHAR value");
  assert_int_equal(sl_model_data_add_row(d, bad2, &f, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "model input c is VARCHAR, but row 3 has "
                                   "a DOUBLE value");
  assert_int_equal(sl_model_data_add_row(d, ok, &num, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "LABEL is BOOLEAN, but row 3 has a "
                                   "DOUBLE label");
  assert_int_equal(sl_model_data_add_row(d, ok, &f, &err), SL_OK);
  assert_int_equal(sl_model_data_rows(d), 2);
  assert_int_equal(sl_model_data_unlabelled(d), 1);

  /* The same check at prediction, naming the row of the batch. */
  sl_model *m = train(SL_MODEL_LOGISTIC_REGRESSION, d, NULL);
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_value xs[2] = {sl_value_double(1), sl_value_bool(true)};
  sl_value cs[2] = {sl_value_varchar("a", 1), sl_value_varchar("b", 1)};
  const sl_value *cols[2] = {xs, cs};
  double out[2];
  assert_int_equal(sl_model_predict_batch(m, &s, cols, 2, out, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "model input x is DOUBLE, but row 2 has "
                                   "a BOOLEAN value");

  /* Row-major input gives the same scores as columns. */
  xs[1] = sl_value_double(-2);
  double by_cols[2], by_rows[2];
  assert_int_equal(sl_model_predict_batch(m, &s, cols, 2, by_cols, &err),
                   SL_OK);
  sl_value rows[4] = {xs[0], cs[0], xs[1], cs[1]};
  assert_int_equal(sl_model_predict_rows(m, &s, rows, 2, by_rows, &err),
                   SL_OK);
  assert_true(by_cols[0] == by_rows[0] && by_cols[1] == by_rows[1]);
  assert_int_equal(sl_model_unseen_count(m, 1), 2);

  sl_model_scratch_free(&s);
  sl_model_free(m);
  sl_model_data_free(d);
}

/* DECIMAL and BOOLEAN values feed numeric inputs. */
static void test_number_conversions(void **state) {
  (void)state;
  double x;
  sl_value dec = sl_value_decimal(12345, 2);
  assert_true(sl_model_transform_number(SL_TYPE_DECIMAL, &dec, &x));
  assert_double_near(x, 123.45, 1e-12);
  sl_value b = sl_value_bool(true);
  assert_true(sl_model_transform_number(SL_TYPE_BOOLEAN, &b, &x));
  assert_double_near(x, 1, 0);
  assert_false(sl_model_transform_number(SL_TYPE_DOUBLE, &b, &x));
  sl_value i = sl_value_int(3);
  assert_false(sl_model_transform_number(SL_TYPE_BOOLEAN, &i, &x));
  sl_value inf = sl_value_double(INFINITY);
  assert_true(sl_model_transform_number(SL_TYPE_DOUBLE, &inf, &x));
  assert_true(isnan(x));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_check_declarations),
      cmocka_unit_test(test_bucketize_half_open),
      cmocka_unit_test(test_standardize_frozen),
      cmocka_unit_test(test_standardize_zero_stddev),
      cmocka_unit_test(test_one_hot_vocabulary_and_unseen),
      cmocka_unit_test(test_one_hot_order_and_linear_fill),
      cmocka_unit_test(test_missing_values),
      cmocka_unit_test(test_wrong_kinds_and_labels),
      cmocka_unit_test(test_number_conversions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
