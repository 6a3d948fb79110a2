/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c - AUC, log loss, accuracy, precision, recall, RMSE and MAE
 * (see metrics.h for the exact definitions).
 *
 * AUC is computed from ranks: sort the scores, give each group of tied
 * scores the mean of the ranks it spans, and
 *   AUC = (sum of positive ranks - P (P + 1) / 2) / (P N).
 * The rank sums are multiples of one half far below 2^53, so they are
 * exact in doubles, and the result is the same number as the trapezoidal
 * area under scikit-learn's ROC curve (whose tied thresholds give the
 * diagonal segments that count a tie as one half).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "engine/model/metrics.h"
#include "engine/types/format.h"

void sl_model_metrics_clear(sl_model_metrics *m) {
  m->rows = 0;
  m->auc = NAN;
  m->log_loss = NAN;
  m->accuracy = NAN;
  m->precision = NAN;
  m->recall = NAN;
  m->rmse = NAN;
  m->mae = NAN;
}

typedef struct scored {
  double score;
  double label;
} scored;

static int cmp_scored(const void *pa, const void *pb) {
  const scored *a = pa, *b = pb;
  return (a->score > b->score) - (a->score < b->score);
}

sl_status sl_model_metrics_auc(const double *scores, const double *labels,
                               size_t n, double *out, sl_error *err) {
  *out = NAN;
  size_t npos = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(scores[i]))
      return SL_OK;
    npos += labels[i] > 0.5;
  }
  if (npos == 0 || npos == n)
    return SL_OK;

  scored *s = malloc(n * sizeof(*s));
  if (!s)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory computing AUC");
  for (size_t i = 0; i < n; i++) {
    s[i].score = scores[i];
    s[i].label = labels[i];
  }
  qsort(s, n, sizeof(*s), cmp_scored);

  /* Ranks are 1-based; a tie group [i, j) takes rank (i + 1 + j) / 2. */
  double rank_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && s[j].score == s[i].score)
      j++;
    double rank = ((double)(i + 1) + (double)j) / 2.0;
    for (size_t k = i; k < j; k++)
      if (s[k].label > 0.5)
        rank_sum += rank;
    i = j;
  }
  free(s);

  double p = (double)npos, q = (double)(n - npos);
  *out = (rank_sum - p * (p + 1) / 2) / (p * q);
  return SL_OK;
}

double sl_model_metrics_log_loss(const double *scores, const double *labels,
                                 size_t n) {
  if (n == 0)
    return NAN;
  const double eps = DBL_EPSILON;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    double p = scores[i];
    if (isnan(p))
      return NAN;
    p = p < eps ? eps : (p > 1 - eps ? 1 - eps : p);
    /* scikit-learn renormalises the pair (1 - p, p) to sum to one. */
    double q = 1 - p, total = p + q;
    p /= total;
    q /= total;
    sum += labels[i] > 0.5 ? -log(p) : -log(q);
  }
  return sum / (double)n;
}

void sl_model_metrics_confusion(const double *scores, const double *labels,
                                size_t n, double *accuracy,
                                double *precision, double *recall) {
  size_t tp = 0, fp = 0, tn = 0, fn = 0;
  for (size_t i = 0; i < n; i++) {
    bool predicted = scores[i] >= SL_MODEL_THRESHOLD;
    bool actual = labels[i] > 0.5;
    if (predicted)
      actual ? tp++ : fp++;
    else
      actual ? fn++ : tn++;
  }
  if (accuracy)
    *accuracy = n ? (double)(tp + tn) / (double)n : NAN;
  if (precision)
    *precision = n ? (tp + fp ? (double)tp / (double)(tp + fp) : 0.0) : NAN;
  if (recall)
    *recall = n ? (tp + fn ? (double)tp / (double)(tp + fn) : 0.0) : NAN;
}

double sl_model_metrics_rmse(const double *scores, const double *labels,
                             size_t n) {
  if (n == 0)
    return NAN;
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    double e = scores[i] - labels[i];
    sum += e * e;
  }
  return sqrt(sum / (double)n);
}

double sl_model_metrics_mae(const double *scores, const double *labels,
                            size_t n) {
  if (n == 0)
    return NAN;
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += fabs(scores[i] - labels[i]);
  return sum / (double)n;
}

sl_status sl_model_metrics_compute(bool classification,
                                   const double *scores,
                                   const double *labels, size_t n,
                                   sl_model_metrics *out, sl_error *err) {
  sl_model_metrics_clear(out);
  out->rows = (int64_t)n;
  if (n == 0)
    return SL_OK;
  if (!classification) {
    out->rmse = sl_model_metrics_rmse(scores, labels, n);
    out->mae = sl_model_metrics_mae(scores, labels, n);
    return SL_OK;
  }
  sl_status rc = sl_model_metrics_auc(scores, labels, n, &out->auc, err);
  if (rc)
    return rc;
  out->log_loss = sl_model_metrics_log_loss(scores, labels, n);
  sl_model_metrics_confusion(scores, labels, n, &out->accuracy,
                             &out->precision, &out->recall);
  return SL_OK;
}

static void json_metric(sl_strbuf *out, const char *name, double v) {
  if (!isfinite(v))
    return;
  char buf[SL_FORMAT_DOUBLE_MAX];
  sl_format_double(v, buf);
  sl_strbuf_appendf(out, ",\"%s\":%s", name, buf);
}

sl_status sl_model_metrics_json(const sl_model_metrics *m, sl_strbuf *out) {
  sl_strbuf_appendf(out, "{\"rows\":%lld", (long long)m->rows);
  json_metric(out, "auc", m->auc);
  json_metric(out, "log_loss", m->log_loss);
  json_metric(out, "accuracy", m->accuracy);
  json_metric(out, "precision", m->precision);
  json_metric(out, "recall", m->recall);
  json_metric(out, "rmse", m->rmse);
  json_metric(out, "mae", m->mae);
  sl_strbuf_appendc(out, '}');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
