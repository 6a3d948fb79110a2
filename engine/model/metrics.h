/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h - evaluation metrics for model versions and EVALUATE.
 *
 * Scores are what a model predicts: the positive class's probability for
 * a classifier, the value for a regression.  Labels are 1 (positive) and
 * 0 for a classifier.  The definitions follow scikit-learn, which is the
 * oracle in the tests:
 *   auc        area under the ROC curve, exact: the Mann-Whitney
 *              statistic with tied scores counting one half, which is
 *              what roc_auc_score's trapezoids give; NaN with one class
 *              or a NaN score.
 *   log_loss   mean of -log(p) over positives and -log(1-p) over
 *              negatives, p clipped to [eps, 1-eps] with eps the double
 *              epsilon and renormalised, as log_loss does for float64.
 *   accuracy, precision, recall
 *              with a row predicted positive when its score is >= 0.5;
 *              precision (recall) is 0 when nothing is predicted (is)
 *              positive, as scikit-learn's zero_division default gives.
 *   rmse, mae  root mean squared and mean absolute error.
 * A metric that does not apply (AUC for a regression, RMSE for a
 * classifier) is NaN, which EVALUATE prints as an empty field.
 */
#ifndef SLUICE_MODEL_METRICS_H
#define SLUICE_MODEL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/strbuf.h"

typedef struct sl_model_metrics {
  int64_t rows;
  double auc;
  double log_loss;
  double accuracy;
  double precision;
  double recall;
  double rmse;
  double mae;
} sl_model_metrics;

/* The threshold at which a classifier's score counts as positive. */
#define SL_MODEL_THRESHOLD 0.5

/* All metrics NaN, rows 0. */
void sl_model_metrics_clear(sl_model_metrics *m);

/* AUC of n scores against 0/1 labels into *out (NaN when either class is
 * absent).  Returns SL_ERR_NOMEM when the sort buffer cannot be
 * allocated. */
sl_status sl_model_metrics_auc(const double *scores, const double *labels,
                               size_t n, double *out, sl_error *err);

/* Log loss (NaN for n == 0). */
double sl_model_metrics_log_loss(const double *scores, const double *labels,
                                 size_t n);

/* Accuracy, precision and recall at SL_MODEL_THRESHOLD (NaN for n == 0).
 * Any out pointer may be NULL. */
void sl_model_metrics_confusion(const double *scores, const double *labels,
                                size_t n, double *accuracy,
                                double *precision, double *recall);

/* Root mean squared error and mean absolute error of scores against
 * labels (NaN for n == 0). */
double sl_model_metrics_rmse(const double *scores, const double *labels,
                             size_t n);
double sl_model_metrics_mae(const double *scores, const double *labels,
                            size_t n);

/* Every metric that applies to a classifier (auc, log_loss, accuracy,
 * precision, recall) or a regression (rmse, mae); the others NaN. */
sl_status sl_model_metrics_compute(bool classification,
                                   const double *scores,
                                   const double *labels, size_t n,
                                   sl_model_metrics *out, sl_error *err);

/* Appends {"rows":N,"auc":...,...} with the metrics that are not NaN, in
 * the order of EVALUATE's columns, each double in its shortest form. */
sl_status sl_model_metrics_json(const sl_model_metrics *m, sl_strbuf *out);

#endif /* SLUICE_MODEL_METRICS_H */
