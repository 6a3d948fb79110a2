/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/model/metrics.c and the holdout split: AUC on
 * hand-computed cases with ties, log loss with clipping (values from
 * scikit-learn 1.2), the confusion metrics at 0.5, RMSE, MAE and JSON.
 */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/data.h"
#include "engine/model/metrics.h"

static double auc_of(const double *s, const double *y, size_t n) {
  sl_error err;
  sl_error_clear(&err);
  double auc = -1;
  assert_int_equal(sl_model_metrics_auc(s, y, n, &auc, &err), SL_OK);
  return auc;
}

static void test_auc_hand_cases(void **state) {
  (void)state;
  /* scikit-learn's documented example. */
  double s1[] = {0.1, 0.4, 0.35, 0.8}, y1[] = {0, 0, 1, 1};
  assert_double_near(auc_of(s1, y1, 4), 0.75, 1e-15);

  /* Perfect and reversed orderings. */
  double s2[] = {0.1, 0.2, 0.3, 0.4}, y2[] = {0, 0, 1, 1};
  assert_double_near(auc_of(s2, y2, 4), 1.0, 1e-15);
  double y3[] = {1, 1, 0, 0};
  assert_double_near(auc_of(s2, y3, 4), 0.0, 1e-15);

  /* One tie between a positive and a negative counts one half:
   * pairs (0.5 > 0.2) 1, (0.5 = 0.5) 0.5, (0.9 > both) 2 -> 3.5 / 4. */
  double s4[] = {0.2, 0.5, 0.5, 0.9}, y4[] = {0, 0, 1, 1};
  assert_double_near(auc_of(s4, y4, 4), 0.875, 1e-15);

  /* Everything tied: exactly one half. */
  double s5[] = {0.5, 0.5, 0.5, 0.5}, y5[] = {0, 1, 0, 1};
  assert_double_near(auc_of(s5, y5, 4), 0.5, 1e-15);

  /* Two tie groups mixing classes: 4 of 6 pairs. */
  double s6[] = {1, 1, 2, 2, 3}, y6[] = {1, 0, 0, 1, 1};
  assert_double_near(auc_of(s6, y6, 5), 4.0 / 6.0, 1e-15);

  /* Order of the input does not matter. */
  double s7[] = {3, 2, 1, 2, 1}, y7[] = {1, 0, 0, 1, 1};
  assert_double_near(auc_of(s7, y7, 5), 4.0 / 6.0, 1e-15);
}

static void test_auc_one_class_is_nan(void **state) {
  (void)state;
  double s[] = {0.1, 0.9, 0.4}, ones[] = {1, 1, 1}, zeros[] = {0, 0, 0};
  assert_true(isnan(auc_of(s, ones, 3)));
  assert_true(isnan(auc_of(s, zeros, 3)));
  assert_true(isnan(auc_of(s, zeros, 0)));
  double bad[] = {0.1, NAN, 0.3}, y[] = {0, 1, 1};
  assert_true(isnan(auc_of(bad, y, 3)));
}

static void test_log_loss(void **state) {
  (void)state;
  double s1[] = {0.8, 0.3}, y1[] = {1, 0};
  assert_double_near(sl_model_metrics_log_loss(s1, y1, 2),
                     0.2899092476264711, 1e-15);

  /* Certain and wrong: clipped at the double epsilon, not infinite. */
  double s2[] = {1.0, 1.0, 0.0}, y2[] = {1, 0, 1};
  assert_double_near(sl_model_metrics_log_loss(s2, y2, 3),
                     24.029102259411435, 1e-12);

  double s3[] = {0.999999, 1e-20, 0.5, 0.25}, y3[] = {1, 0, 0, 1};
  assert_double_near(sl_model_metrics_log_loss(s3, y3, 4),
                     0.5198606354200841, 1e-15);
  assert_true(isnan(sl_model_metrics_log_loss(s3, y3, 0)));
}

static void test_confusion_at_half(void **state) {
  (void)state;
  /* 0.5 counts as positive: tp = 0.9, 0.7; fp = 0.5; fn = 0.49. */
  double s[] = {0.9, 0.5, 0.49, 0.1, 0.7}, y[] = {1, 0, 1, 0, 1};
  double acc, prec, rec;
  sl_model_metrics_confusion(s, y, 5, &acc, &prec, &rec);
  assert_double_near(acc, 0.6, 1e-15);
  assert_double_near(prec, 2.0 / 3.0, 1e-15);
  assert_double_near(rec, 2.0 / 3.0, 1e-15);

  /* Nothing predicted positive: precision 0 (scikit-learn's default). */
  double low[] = {0.1, 0.2}, y2[] = {1, 0};
  sl_model_metrics_confusion(low, y2, 2, &acc, &prec, &rec);
  assert_double_near(acc, 0.5, 1e-15);
  assert_double_near(prec, 0.0, 0);
  assert_double_near(rec, 0.0, 0);
}

static void test_regression_metrics(void **state) {
  (void)state;
  double s[] = {1, 2, 3}, y[] = {1, 1, 5};
  assert_double_near(sl_model_metrics_rmse(s, y, 3), sqrt(5.0 / 3.0), 1e-15);
  assert_double_near(sl_model_metrics_mae(s, y, 3), 1.0, 1e-15);

  sl_model_metrics m;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_metrics_compute(false, s, y, 3, &m, &err),
                   SL_OK);
  assert_int_equal(m.rows, 3);
  assert_true(isnan(m.auc));
  assert_true(isnan(m.log_loss));
  assert_double_near(m.mae, 1.0, 1e-15);
}

static void test_compute_and_json(void **state) {
  (void)state;
  double s[] = {0.2, 0.5, 0.5, 0.9}, y[] = {0, 0, 1, 1};
  sl_model_metrics m;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_metrics_compute(true, s, y, 4, &m, &err), SL_OK);
  assert_double_near(m.auc, 0.875, 1e-15);
  assert_double_near(m.accuracy, 0.75, 1e-15);
  assert_double_near(m.precision, 2.0 / 3.0, 1e-15);
  assert_double_near(m.recall, 1.0, 1e-15);
  assert_true(isnan(m.rmse));

  sl_strbuf sb = SL_STRBUF_INIT;
  m.log_loss = 0.25;
  assert_int_equal(sl_model_metrics_json(&m, &sb), SL_OK);
  assert_string_equal(sb.data,
                      "{\"rows\":4,\"auc\":0.875,\"log_loss\":0.25,"
                      "\"accuracy\":0.75,\"precision\":0.6666666666666666,"
                      "\"recall\":1}");
  sl_strbuf_free(&sb);
}

static void test_holdout_size(void **state) {
  (void)state;
  assert_int_equal(sl_model_holdout_size(10, 0.2), 2);
  assert_int_equal(sl_model_holdout_size(9857, 0.2), 1971);
  /* 100 * 0.29 is 28.999999999999996 in doubles. */
  assert_int_equal(sl_model_holdout_size(100, 0.29), 29);
  assert_int_equal(sl_model_holdout_size(100, 0), 0);
  assert_int_equal(sl_model_holdout_size(3, 0.2), 0);
  assert_int_equal(sl_model_holdout_size(0, 0.5), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_auc_hand_cases),
      cmocka_unit_test(test_auc_one_class_is_nan),
      cmocka_unit_test(test_log_loss),
      cmocka_unit_test(test_confusion_at_half),
      cmocka_unit_test(test_regression_metrics),
      cmocka_unit_test(test_compute_and_json),
      cmocka_unit_test(test_holdout_size),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
