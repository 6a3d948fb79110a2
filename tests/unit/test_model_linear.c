/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/model/linear.c and the model blob: linear
 * regression recovers known coefficients and the closed-form ridge
 * shrinkage, logistic regression fits a separable-ish synthetic set to
 * its optimality conditions, perfectly separable data still terminates,
 * progress and cancellation, parameter errors, training-set errors, and
 * blobs that round-trip exactly or fail cleanly when damaged.
 */
#include "test_util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/model/model.h"

/* A small deterministic generator (64-bit LCG), uniform in [0, 1). */
static uint64_t rng_state;

static double uniform(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double gaussian(void) {
  double u = uniform(), v = uniform();
  return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static sl_model_params params_of(const char *const *kv) {
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  sl_error err;
  sl_error_clear(&err);
  for (int i = 0; kv && kv[i]; i += 2)
    assert_int_equal(sl_model_params_set(&p, kv[i], kv[i + 1], &err), SL_OK);
  return p;
}

static sl_model *train_ok(sl_model_kind kind, const sl_model_data *d,
                          const char *const *kv) {
  sl_model_params p = params_of(kv);
  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  if (sl_model_train(kind, d, &p, NULL, NULL, &m, &err))
    fail_msg("train: %s", err.message);
  sl_model_params_free(&p);
  return m;
}

static sl_status train_err(sl_model_kind kind, const sl_model_data *d,
                           const char *const *kv, sl_error *err) {
  sl_model_params p = params_of(kv);
  sl_model *m = NULL;
  sl_status rc = sl_model_train(kind, d, &p, NULL, NULL, &m, err);
  assert_null(m);
  sl_model_params_free(&p);
  return rc;
}

static const sl_model_input_def three[] = {
    {"x1", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
    {"x2", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_STANDARDIZE, NULL, 0},
    {"x3", SL_TYPE_INT, SL_MODEL_TRANSFORM_NONE, NULL, 0}};

/* y = 1.5 + 2 x1 - 3 x2 + 0.5 x3 exactly, with inputs that floats hold
 * exactly: l2 = 0 recovers the coefficients. */
static void test_linear_recovers_coefficients(void **state) {
  (void)state;
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_data_new(three, 3, SL_TYPE_DOUBLE, &d, &err),
                   SL_OK);
  rng_state = 1;
  for (int i = 0; i < 200; i++) {
    double x1 = floor(uniform() * 64) / 8, x2 = floor(uniform() * 64) / 4;
    int x3 = (int)(uniform() * 20) - 10;
    sl_value row[3] = {sl_value_double(x1), sl_value_double(x2),
                       sl_value_int(x3)};
    sl_value y = sl_value_double(1.5 + 2 * x1 - 3 * x2 + 0.5 * x3);
    assert_int_equal(sl_model_data_add_row(d, row, &y, &err), SL_OK);
  }
  const char *kv[] = {"l2", "0", "holdout", "0.25", NULL};
  sl_model *m = train_ok(SL_MODEL_LINEAR_REGRESSION, d, kv);

  /* x2 is STANDARDIZE'd, so its coefficient is on (x2 - mean) / sd. */
  const sl_model_feature *f2 = sl_model_input(m, 1);
  double b;
  const double *w = sl_model_linear_coefficients(m, &b);
  /* The standardized x2 is rounded to float in the matrix, so the fit
   * is exact to float precision rather than double. */
  assert_double_near(w[0], 2.0, 1e-6);
  assert_double_near(w[1], -3.0 * f2->stddev, 1e-6);
  assert_double_near(w[2], 0.5, 1e-6);
  assert_double_near(b, 1.5 - 3.0 * f2->mean, 1e-6);

  bool on_holdout;
  const sl_model_metrics *mt = sl_model_get_metrics(m, &on_holdout);
  assert_true(on_holdout);
  assert_int_equal(mt->rows, 50);
  assert_double_near(mt->rmse, 0, 1e-5);
  assert_double_near(mt->mae, 0, 1e-5);
  assert_true(isnan(mt->auc));
  sl_model_free(m);
  sl_model_data_free(d);
}

/* y = x over x = 1..10 with l2 = 10 on one standardized column: the
 * standardized coefficient is n sd / (n + l2), so the raw one is
 * 10 / 20 = 0.5 and the intercept 5.5 - 0.5 * 5.5 = 2.75. */
static void test_ridge_shrinkage_closed_form(void **state) {
  (void)state;
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_data_new(three, 1, SL_TYPE_BIGINT, &d, &err),
                   SL_OK);
  for (int i = 1; i <= 10; i++) {
    sl_value x = sl_value_double(i), y = sl_value_bigint(i);
    assert_int_equal(sl_model_data_add_row(d, &x, &y, &err), SL_OK);
  }
  const char *kv[] = {"l2", "10", NULL};
  sl_model *m = train_ok(SL_MODEL_LINEAR_REGRESSION, d, kv);
  double b;
  const double *w = sl_model_linear_coefficients(m, &b);
  assert_double_near(w[0], 0.5, 1e-12);
  assert_double_near(b, 2.75, 1e-12);
  assert_string_equal(sl_model_params_get(sl_model_get_params(m), "l2"),
                      "10");
  sl_model_free(m);
  sl_model_data_free(d);
}

/* Two overlapping clouds, positives shifted by (+shift, -shift) in
 * (x1, x2);
 * x3 is noise.  Returns the builder. */
static sl_model_data *clouds(int n, double shift) {
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_data_new(three, 3, SL_TYPE_BOOLEAN, &d, &err),
                   SL_OK);
  rng_state = 42;
  for (int i = 0; i < n; i++) {
    bool pos = uniform() < 0.4;
    double x1 = gaussian() + (pos ? shift : 0);
    double x2 = 2 * gaussian() - (pos ? shift : 0);
    sl_value row[3] = {sl_value_double(x1), sl_value_double(x2),
                       sl_value_int((int)(uniform() * 5))};
    sl_value y = sl_value_bool(pos);
    assert_int_equal(sl_model_data_add_row(d, row, &y, &err), SL_OK);
  }
  return d;
}

static bool count_rounds(void *ctx, const sl_model_progress *p) {
  int *seen = ctx;
  assert_int_equal(p->round, *seen + 1);
  assert_string_equal(p->metric, "logloss");
  assert_true(p->train > 0 && p->train < 1);
  assert_true(isnan(p->holdout));
  (*seen)++;
  return true;
}

static bool cancel_at_two(void *ctx, const sl_model_progress *p) {
  (void)ctx;
  return p->round < 2;
}

static void test_logistic_optimality(void **state) {
  (void)state;
  const double shift = 2.5;
  sl_model_data *d = clouds(2000, shift);
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  sl_model *m = NULL;
  sl_error err;
  sl_error_clear(&err);
  int rounds = 0;
  assert_int_equal(sl_model_train(SL_MODEL_LOGISTIC_REGRESSION, d, &p,
                                  count_rounds, &rounds, &m, &err),
                   SL_OK);
  /* Newton converges in a handful of iterations. */
  assert_true(rounds >= 3 && rounds <= 15);

  bool on_holdout;
  const sl_model_metrics *mt = sl_model_get_metrics(m, &on_holdout);
  assert_false(on_holdout);
  assert_true(mt->auc > 0.95);
  assert_true(mt->accuracy > 0.9);

  /* The optimality conditions, recomputed from the scores: the
   * intercept is unpenalised, so the mean score equals the base rate;
   * for each column j, sum (p - y) z_j + l2 beta_j = 0 with z the
   * standardized column and beta_j = w_j sd_j. */
  double b;
  const double *w = sl_model_linear_coefficients(m, &b);
  const sl_model_feature *f2 = sl_model_input(m, 1);
  assert_true(w[0] > 0 && w[1] < 0);
  rng_state = 42;
  int n = 2000;
  double *x = malloc(3 * (size_t)n * sizeof(double));
  double *y = malloc((size_t)n * sizeof(double));
  for (int i = 0; i < n; i++) {
    bool pos = uniform() < 0.4;
    x[3 * i] = (float)(gaussian() + (pos ? shift : 0));
    /* x2 enters the matrix STANDARDIZE'd with the frozen statistics. */
    double x2 = 2 * gaussian() - (pos ? shift : 0);
    x[3 * i + 1] = (float)((x2 - f2->mean) / f2->stddev);
    x[3 * i + 2] = (int)(uniform() * 5);
    y[i] = pos;
  }
  double g[4] = {0}, mean[3] = {0}, sd[3] = {0};
  for (int j = 0; j < 3; j++) {
    for (int i = 0; i < n; i++)
      mean[j] += x[3 * i + j] / n;
    for (int i = 0; i < n; i++)
      sd[j] += (x[3 * i + j] - mean[j]) * (x[3 * i + j] - mean[j]) / n;
    sd[j] = sqrt(sd[j]);
  }
  for (int i = 0; i < n; i++) {
    double z = b;
    for (int j = 0; j < 3; j++)
      z += w[j] * x[3 * i + j];
    double r = 1 / (1 + exp(-z)) - y[i];
    g[0] += r;
    for (int j = 0; j < 3; j++)
      g[1 + j] += r * (x[3 * i + j] - mean[j]) / sd[j];
  }
  assert_double_near(g[0], 0, 1e-7);
  for (int j = 0; j < 3; j++)
    assert_double_near(g[1 + j] + 1.0 * w[j] * sd[j], 0, 1e-6);
  free(x);
  free(y);

  /* Cancelling from the progress callback stops training. */
  sl_model_free(m);
  m = NULL;
  assert_int_equal(sl_model_train(SL_MODEL_LOGISTIC_REGRESSION, d, &p,
                                  cancel_at_two, NULL, &m, &err),
                   SL_ERR_RUNTIME);
  assert_null(m);
  assert_string_equal(err.message, "training cancelled");
  sl_model_data_free(d);
}

/* Perfectly separable data without a penalty has no finite optimum;
 * the bounded solver still finishes and separates the classes. */
static void test_logistic_separable_terminates(void **state) {
  (void)state;
  sl_model_data *d = clouds(300, 12.0);
  const char *kv[] = {"l2", "0", "max_iter", "50", NULL};
  sl_model *m = train_ok(SL_MODEL_LOGISTIC_REGRESSION, d, kv);
  const sl_model_metrics *mt = sl_model_get_metrics(m, NULL);
  assert_double_near(mt->auc, 1.0, 0);
  assert_double_near(mt->accuracy, 1.0, 0);
  sl_model_free(m);
  sl_model_data_free(d);
}

static void test_blob_round_trip(void **state) {
  (void)state;
  sl_model_data *d = clouds(500, 1.0);
  const char *kv[] = {"holdout", "0.2", "l2", "0.5", NULL};
  sl_model *m = train_ok(SL_MODEL_LOGISTIC_REGRESSION, d, kv);

  void *blob;
  size_t len;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_serialize(m, &blob, &len, &err), SL_OK);
  sl_model *back = NULL;
  assert_int_equal(sl_model_deserialize(blob, len, &back, &err), SL_OK);

  /* Same predictions bit for bit, same description. */
  sl_value x1[3] = {sl_value_double(0.5), sl_value_null(),
                    sl_value_double(-3)};
  sl_value x2[3] = {sl_value_double(1), sl_value_double(2),
                    sl_value_null()};
  sl_value x3[3] = {sl_value_int(1), sl_value_int(4), sl_value_bigint(2)};
  const sl_value *cols[3] = {x1, x2, x3};
  double a[3], b[3];
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  assert_int_equal(sl_model_predict_batch(m, &s, cols, 3, a, &err), SL_OK);
  assert_int_equal(sl_model_predict_batch(back, &s, cols, 3, b, &err),
                   SL_OK);
  assert_memory_equal(a, b, sizeof(a));

  sl_strbuf da = SL_STRBUF_INIT, db = SL_STRBUF_INIT;
  assert_int_equal(sl_model_describe_json(m, &da), SL_OK);
  assert_int_equal(sl_model_describe_json(back, &db), SL_OK);
  assert_string_equal(da.data, db.data);
  assert_non_null(strstr(da.data, "\"kind\":\"LOGISTIC_REGRESSION\""));
  assert_non_null(strstr(da.data, "\"params\":{\"holdout\":0.2,\"l2\":0.5,"
                                  "\"max_iter\":100,\"tol\":1e-12}"));
  assert_non_null(strstr(da.data, "\"metrics\":{\"set\":\"holdout\","
                                  "\"rows\":100,\"auc\":"));
  sl_strbuf_free(&da);
  sl_strbuf_free(&db);

  /* Serializing the copy gives the same bytes. */
  void *blob2;
  size_t len2;
  assert_int_equal(sl_model_serialize(back, &blob2, &len2, &err), SL_OK);
  assert_int_equal(len, len2);
  assert_memory_equal(blob, blob2, len);
  free(blob2);

  sl_model_scratch_free(&s);
  sl_model_free(back);
  sl_model_free(m);
  free(blob);
  sl_model_data_free(d);
}

/* Damage of every kind is an error naming the blob, never a crash. */
static void test_corrupt_blobs(void **state) {
  (void)state;
  sl_model_data *d = clouds(100, 1.0);
  sl_model *m = train_ok(SL_MODEL_LOGISTIC_REGRESSION, d, NULL);
  void *blob;
  size_t len;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_serialize(m, &blob, &len, &err), SL_OK);
  unsigned char *copy = malloc(len);
  sl_model *back = NULL;

  /* Not a model at all. */
  assert_int_equal(sl_model_deserialize("hello", 5, &back, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "corrupt model blob: not a Sluice model "
                                   "(5 bytes, no header)");

  /* Every single flipped byte and every truncation is caught. */
  for (size_t i = 0; i < len; i++) {
    memcpy(copy, blob, len);
    copy[i] ^= 0x5a;
    assert_int_not_equal(sl_model_deserialize(copy, len, &back, &err),
                         SL_OK);
    assert_null(back);
    assert_non_null(strstr(err.message, "corrupt model blob: "));
  }
  for (size_t cut = 0; cut < len; cut += 7) {
    assert_int_not_equal(sl_model_deserialize(blob, cut, &back, &err),
                         SL_OK);
    assert_null(back);
  }

  /* A newer format version. */
  memcpy(copy, blob, len);
  copy[8] = 9;
  assert_int_equal(sl_model_deserialize(copy, len, &back, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "corrupt model blob: format version 9; "
                                   "this program reads version 1");

  /* A consistent checksum over a lying length: the reader still stops
   * at the end.  Offset 14 is the parameter count. */
  memcpy(copy, blob, len);
  copy[14] = 0xff;
  copy[15] = 0xff;
  uint64_t sum = XXH64(copy, len - 8, 0);
  for (int i = 0; i < 8; i++)
    copy[len - 8 + i] = (unsigned char)(sum >> (8 * i));
  assert_int_equal(sl_model_deserialize(copy, len, &back, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "corrupt model blob: truncated while "
                                   "reading the parameters");

  free(copy);
  free(blob);
  sl_model_free(m);
  sl_model_data_free(d);
}

static void test_parameter_errors(void **state) {
  (void)state;
  sl_model_data *d = clouds(50, 1.0);
  sl_error err;
  sl_error_clear(&err);
  const char *typo[] = {"max_iters", "5", NULL};
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, typo, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "unknown parameter max_iters for "
                                   "LOGISTIC_REGRESSION; did you mean "
                                   "max_iter?");
  const char *other[] = {"max_depth", "5", NULL};
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, other, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "unknown parameter max_depth for "
                                   "LOGISTIC_REGRESSION; expected holdout, "
                                   "l2, max_iter or tol");
  const char *neg[] = {"l2", "-1", NULL};
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, neg, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "parameter l2 must be between 0 and "
                                   "1e+12, got -1");
  const char *text[] = {"holdout", "a fifth", NULL};
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, text, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "parameter holdout must be a number, got "
                                   "\"a fifth\"");
  assert_int_equal(train_err(SL_MODEL_LINEAR_REGRESSION, d, NULL, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "LINEAR_REGRESSION needs a numeric "
                                   "label; use LOGISTIC_REGRESSION for a "
                                   "BOOLEAN one");
  sl_model_data_free(d);
}

static void test_training_set_errors(void **state) {
  (void)state;
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_data_new(three, 1, SL_TYPE_BOOLEAN, &d, &err),
                   SL_OK);
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, NULL, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "no training rows (none with a label)");

  /* Only unlabelled rows count as no rows too. */
  sl_value x = sl_value_double(1), null = sl_value_null();
  assert_int_equal(sl_model_data_add_row(d, &x, &null, &err), SL_OK);
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, NULL, &err),
                   SL_ERR_RUNTIME);

  sl_value t = sl_value_bool(true), f = sl_value_bool(false);
  for (int i = 0; i < 4; i++)
    assert_int_equal(sl_model_data_add_row(d, &x, &t, &err), SL_OK);
  assert_int_equal(train_err(SL_MODEL_LOGISTIC_REGRESSION, d, NULL, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "the label is true in all 4 training "
                                   "rows; a classifier needs both classes");

  /* The only negative sits in the holdout: one class in training. */
  assert_int_equal(sl_model_data_add_row(d, &x, &f, &err), SL_OK);
  const char *kv[] = {"holdout", "0.2", NULL};
  assert_int_equal(train_err(SL_MODEL_XGBOOST, d, kv, &err), SL_ERR_RUNTIME);
  assert_string_equal(err.message, "the label is true in all 4 training "
                                   "rows; a classifier needs both classes");
  sl_model_data_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_linear_recovers_coefficients),
      cmocka_unit_test(test_ridge_shrinkage_closed_form),
      cmocka_unit_test(test_logistic_optimality),
      cmocka_unit_test(test_logistic_separable_terminates),
      cmocka_unit_test(test_blob_round_trip),
      cmocka_unit_test(test_corrupt_blobs),
      cmocka_unit_test(test_parameter_errors),
      cmocka_unit_test(test_training_set_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
