/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the linear models' direct scoring path: a linear model
 * whose inputs are all numeric scores a batch of value columns without
 * building the feature matrix (sl_model_predict_batch), and must give
 * the very same doubles as expanding the matrix and scoring it
 * (sl_model_expand_batch, sl_model_predict_matrix), whatever the
 * transforms, missing values, infinities, input kinds and batch sizes;
 * a value of the wrong kind fails with the matrix path's message.
 */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model.h"

/* A deterministic generator (xorshift64), so a failure repeats. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static double uniform(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static const double score_edges[] = {0, 10, 50};

/* amount (plain), age (STANDARDIZE), score (BUCKETIZE), flag (BOOLEAN). */
static const sl_model_input_def defs[] = {
    {"amount", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
    {"age", SL_TYPE_INT, SL_MODEL_TRANSFORM_STANDARDIZE, NULL, 0},
    {"score", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_BUCKETIZE, score_edges, 3},
    {"flag", SL_TYPE_BOOLEAN, SL_MODEL_TRANSFORM_NONE, NULL, 0},
};
#define NINPUTS 4

/* One row's inputs; about one value in ten is NULL. */
static void random_row(sl_value *row) {
  row[0] = uniform() < 0.1 ? sl_value_null()
                           : sl_value_double(uniform() * 1000 - 100);
  row[1] = uniform() < 0.1 ? sl_value_null()
                           : sl_value_int((int32_t)(uniform() * 80) + 18);
  row[2] = uniform() < 0.1 ? sl_value_null()
                           : sl_value_double(uniform() * 80 - 10);
  row[3] = uniform() < 0.1 ? sl_value_null() : sl_value_bool(uniform() < 0.3);
}

static sl_model *train(sl_model_kind kind) {
  sl_error err;
  sl_error_clear(&err);
  bool classify = kind == SL_MODEL_LOGISTIC_REGRESSION;
  sl_model_data *d = NULL;
  if (sl_model_data_new(defs, NINPUTS,
                        classify ? SL_TYPE_BOOLEAN : SL_TYPE_DOUBLE, &d,
                        &err))
    fail_msg("data_new: %s", err.message);
  for (int i = 0; i < 400; i++) {
    sl_value row[NINPUTS];
    random_row(row);
    double a = row[0].kind == SL_TYPE_DOUBLE ? row[0].u.f64 : 300;
    double y = a / 100 + (uniform() - 0.5) * 4;
    sl_value label = classify ? sl_value_bool(y > 3) : sl_value_double(y);
    if (sl_model_data_add_row(d, row, &label, &err))
      fail_msg("add_row %d: %s", i, err.message);
  }
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  sl_model *m = NULL;
  if (sl_model_train(kind, d, &p, NULL, NULL, &m, &err))
    fail_msg("train: %s", err.message);
  sl_model_params_free(&p);
  sl_model_data_free(d);
  return m;
}

/* n serving rows as input columns, with the odd infinity and NaN among
 * the doubles and an INT among them (the direct path's fast loop leaves
 * those rows to be added up again value by value). */
static sl_value *serving_columns(size_t n, const sl_value **cols) {
  sl_value *vals = malloc(n * NINPUTS * sizeof(*vals));
  for (size_t i = 0; i < n; i++) {
    sl_value row[NINPUTS];
    random_row(row);
    if (i % 97 == 5)
      row[0] = sl_value_double(INFINITY);
    if (i % 89 == 7)
      row[2] = sl_value_double(-INFINITY);
    if (i % 83 == 3)
      row[0] = sl_value_double(NAN);
    if (i % 71 == 9)
      row[0] = sl_value_int(42);
    for (int j = 0; j < NINPUTS; j++)
      vals[(size_t)j * n + i] = row[j];
  }
  for (int j = 0; j < NINPUTS; j++)
    cols[j] = vals + (size_t)j * n;
  return vals;
}

/* The direct path against the matrix path, bit for bit. */
static void check_same(sl_model *m, size_t n) {
  const sl_value *cols[NINPUTS];
  sl_value *vals = serving_columns(n, cols);
  double *direct = malloc((n + 1) * sizeof(double));
  double *matrix = malloc((n + 1) * sizeof(double));
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_predict_batch(m, &s, cols, n, direct, &err),
                   SL_OK);
  assert_int_equal(sl_model_expand_batch(m, &s, cols, n, &err), SL_OK);
  assert_int_equal(sl_model_predict_matrix(m, s.x.data, n, matrix, &err),
                   SL_OK);
  for (size_t i = 0; i < n; i++) {
    if (memcmp(&direct[i], &matrix[i], sizeof(double)) != 0)
      fail_msg("%zu rows, row %zu: direct %.17g, matrix %.17g", n, i,
               direct[i], matrix[i]);
    if (!isfinite(direct[i]))
      fail_msg("row %zu scored %g", i, direct[i]);
  }
  sl_model_scratch_free(&s);
  free(direct);
  free(matrix);
  free(vals);
}

static void test_direct_equals_matrix(void **state) {
  (void)state;
  sl_model_kind kinds[] = {SL_MODEL_LOGISTIC_REGRESSION,
                           SL_MODEL_LINEAR_REGRESSION};
  for (int k = 0; k < 2; k++) {
    sl_model *m = train(kinds[k]);
    size_t sizes[] = {1, 7, 255, 256, 257, 1000, 1023, 1024, 1025, 2048,
                      3001};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
      check_same(m, sizes[i]);
    sl_model_free(m);
  }
}

/* A VARCHAR where amount is DOUBLE: the same error either way. */
static void test_wrong_kind_error(void **state) {
  (void)state;
  sl_model *m = train(SL_MODEL_LOGISTIC_REGRESSION);
  size_t n = 300;
  const sl_value *cols[NINPUTS];
  sl_value *vals = serving_columns(n, cols);
  vals[260] = sl_value_varchar("12", 2);
  double out[300];
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_predict_batch(m, &s, cols, n, out, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "model input amount is DOUBLE, but row "
                                   "261 has a VARCHAR value");
  sl_error_clear(&err);
  assert_int_equal(sl_model_expand_batch(m, &s, cols, n, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message, "model input amount is DOUBLE, but row "
                                   "261 has a VARCHAR value");
  sl_model_scratch_free(&s);
  free(vals);
  sl_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_direct_equals_matrix),
      cmocka_unit_test(test_wrong_kind_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
