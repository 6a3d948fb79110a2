/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linear.c - L2-regularised logistic and linear regression.
 *
 * Both fit on standardized columns z = (x - mean) / stddev (population
 * stddev over the training rows; constant columns are left out and get
 * coefficient 0), so that the penalty treats every column alike whatever
 * its unit, and then fold the standardization back into coefficients on
 * the original columns: w = beta / stddev, intercept = b - sum(beta *
 * mean / stddev).  Prediction is then one dot product per row.
 *
 *   logistic  minimise  sum_i [log(1 + e^eta_i) - y_i eta_i] + l2/2 |beta|^2
 *             by Newton's method: the gradient and Hessian over all rows,
 *             a Cholesky solve for the step, and a backtracking line
 *             search that guarantees descent.  It stops when half the
 *             Newton decrement (the predicted decrease) falls below tol
 *             times the loss, when no step decreases the loss any more,
 *             or after max_iter iterations.  Everything is sequential
 *             arithmetic in a fixed order, so results are reproducible.
 *   linear    minimise  sum_i (y_i - b - z_i.beta)^2 + l2 |beta|^2,
 *             which on centred columns is b = mean(y) and
 *             (Z'Z + l2 I) beta = Z'(y - mean(y)), one Cholesky solve.
 *
 * A singular system (collinear columns with l2 = 0) is retried with a
 * tiny diagonal jitter; if it stays singular the error says to set l2.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model_internal.h"
#include "engine/types/format.h"

static const char *const logistic_keys[] = {"holdout", "l2", "max_iter",
                                            "tol"};
static const char *const linear_keys[] = {"holdout", "l2"};

sl_status sl_model_linear_params(const sl_model_params *params,
                                 bool logistic, sl_model_linear_opts *opts,
                                 sl_model_params *effective, sl_error *err) {
  const char *const *keys = logistic ? logistic_keys : linear_keys;
  size_t nkeys = logistic ? 4 : 2;
  for (int i = 0; params && i < params->n; i++) {
    const char *key = params->items[i].key;
    bool known = false;
    for (size_t k = 0; k < nkeys; k++)
      known = known || strcmp(key, keys[k]) == 0;
    if (known)
      continue;
    const char *near = sl_model_closest_name(key, keys, nkeys);
    if (near)
      return sl_error_set(err, SL_ERR_SQL,
                          "unknown parameter %s for %s; did you mean %s?",
                          key,
                          logistic ? "LOGISTIC_REGRESSION"
                                   : "LINEAR_REGRESSION",
                          near);
    return sl_error_set(err, SL_ERR_SQL,
                        "unknown parameter %s for %s; expected %s", key,
                        logistic ? "LOGISTIC_REGRESSION"
                                 : "LINEAR_REGRESSION",
                        logistic ? "holdout, l2, max_iter or tol"
                                 : "holdout or l2");
  }

  opts->logistic = logistic;
  long max_iter = 1;
  opts->tol = 0;
  sl_status rc =
      sl_model_param_double(params, "l2", 1.0, 0, 1e12, &opts->l2, err);
  if (!rc && logistic)
    rc = sl_model_param_int(params, "max_iter", 100, 1, 10000, &max_iter,
                            err);
  if (!rc && logistic)
    rc = sl_model_param_double(params, "tol", 1e-12, 0, 1, &opts->tol, err);
  if (rc)
    return rc;
  opts->max_iter = (int)max_iter;

  char buf[SL_FORMAT_DOUBLE_MAX];
  sl_format_double(opts->l2, buf);
  rc = sl_model_params_set(effective, "l2", buf, err);
  if (!rc && logistic) {
    snprintf(buf, sizeof(buf), "%d", opts->max_iter);
    rc = sl_model_params_set(effective, "max_iter", buf, err);
  }
  if (!rc && logistic) {
    sl_format_double(opts->tol, buf);
    rc = sl_model_params_set(effective, "tol", buf, err);
  }
  return rc;
}

/* ---- Dense linear algebra ------------------------------------------------ */

/* Factors the symmetric positive definite k x k matrix a (row-major,
 * both triangles filled) into its lower Cholesky factor, in place.
 * Returns false when a pivot is not clearly positive. */
static bool cholesky(double *a, size_t k) {
  for (size_t j = 0; j < k; j++) {
    double diag = a[j * k + j];
    double s = diag;
    for (size_t m = 0; m < j; m++)
      s -= a[j * k + m] * a[j * k + m];
    if (!(s > 1e-13 * fabs(diag)) || !isfinite(s))
      return false;
    double l = sqrt(s);
    a[j * k + j] = l;
    for (size_t i = j + 1; i < k; i++) {
      double t = a[i * k + j];
      for (size_t m = 0; m < j; m++)
        t -= a[i * k + m] * a[j * k + m];
      a[i * k + j] = t / l;
    }
  }
  return true;
}

/* Solves L L' x = b with the factor from cholesky. */
static void cholesky_solve(const double *l, size_t k, const double *b,
                           double *x) {
  for (size_t i = 0; i < k; i++) {
    double t = b[i];
    for (size_t m = 0; m < i; m++)
      t -= l[i * k + m] * x[m];
    x[i] = t / l[i * k + i];
  }
  for (size_t i = k; i-- > 0;) {
    double t = x[i];
    for (size_t m = i + 1; m < k; m++)
      t -= l[m * k + i] * x[m];
    x[i] = t / l[i * k + i];
  }
}

/* Solves h x = g for the k x k symmetric matrix h whose upper triangle
 * is filled, using work (k * k).  Adds a growing diagonal jitter when h is
 * numerically singular.  Returns false when it stays singular. */
static bool solve_spd(const double *h, size_t k, const double *g,
                      double *work, double *x) {
  double maxdiag = 0;
  for (size_t i = 0; i < k; i++)
    maxdiag = fmax(maxdiag, fabs(h[i * k + i]));
  double jitter = 0;
  for (int attempt = 0; attempt < 8; attempt++) {
    for (size_t i = 0; i < k; i++) {
      for (size_t j = i; j < k; j++) {
        work[i * k + j] = h[i * k + j];
        work[j * k + i] = h[i * k + j];
      }
      work[i * k + i] += jitter;
    }
    if (cholesky(work, k)) {
      cholesky_solve(work, k, g, x);
      return true;
    }
    jitter = jitter ? jitter * 100 : 1e-12 * (1 + maxdiag);
  }
  return false;
}

/* ---- Standardization ----------------------------------------------------- */

typedef struct standardizer {
  size_t cols;     /* columns of x */
  size_t p;        /* active (non-constant) columns */
  size_t *active;  /* p column indices */
  double *mean;    /* p */
  double *inv_sd;  /* p */
} standardizer;

static void standardizer_free(standardizer *s) {
  free(s->active);
  free(s->mean);
  free(s->inv_sd);
}

static bool standardizer_fit(standardizer *s, const sl_model_matrix *x) {
  memset(s, 0, sizeof(*s));
  size_t cols = x->cols, n = x->rows;
  s->cols = cols;
  s->active = malloc((cols + 1) * sizeof(size_t));
  s->mean = malloc((cols + 1) * sizeof(double));
  s->inv_sd = malloc((cols + 1) * sizeof(double));
  double *m2 = calloc(cols + 1, sizeof(double));
  double *mean = calloc(cols + 1, sizeof(double));
  if (!s->active || !s->mean || !s->inv_sd || !m2 || !mean) {
    free(m2);
    free(mean);
    standardizer_free(s);
    return false;
  }
  /* Welford per column, row by row. */
  for (size_t i = 0; i < n; i++) {
    const float *row = sl_model_matrix_row(x, i);
    for (size_t j = 0; j < cols; j++) {
      double v = row[j];
      double delta = v - mean[j];
      mean[j] += delta / (double)(i + 1);
      m2[j] += delta * (v - mean[j]);
    }
  }
  for (size_t j = 0; j < cols; j++) {
    double sd = n ? sqrt(m2[j] / (double)n) : 0;
    if (sd > 0 && isfinite(sd)) {
      s->active[s->p] = j;
      s->mean[s->p] = mean[j];
      s->inv_sd[s->p] = 1 / sd;
      s->p++;
    }
  }
  free(m2);
  free(mean);
  return true;
}

/* The standardized active columns of row into z. */
static inline void standardize_row(const standardizer *s, const float *row,
                                   double *z) {
  for (size_t a = 0; a < s->p; a++)
    z[a] = ((double)row[s->active[a]] - s->mean[a]) * s->inv_sd[a];
}

/* Coefficients on the original columns from theta = (b, beta). */
static void fold(const standardizer *s, const double *theta, double *coef,
                 double *intercept) {
  double b = theta[0];
  for (size_t j = 0; j < s->cols; j++)
    coef[j] = 0;
  for (size_t a = 0; a < s->p; a++) {
    double w = theta[1 + a] * s->inv_sd[a];
    coef[s->active[a]] = w;
    b -= w * s->mean[a];
  }
  *intercept = b;
}

/* ---- Prediction ---------------------------------------------------------- */

static inline double sigmoid(double z) {
  if (z >= 0)
    return 1 / (1 + exp(-z));
  double e = exp(z);
  return e / (1 + e);
}

/* Rows go in blocks: one accumulator per row of the block, so that the
 * additions of different rows overlap instead of waiting on each other.
 * Each row still sums its columns in order, so the scores are the same
 * as a plain row-by-row loop. */
#define PREDICT_BLOCK 16

void sl_model_linear_predict(const double *coef, double intercept,
                             size_t cols, bool logistic, const float *x,
                             size_t n, double *out) {
  for (size_t start = 0; start < n; start += PREDICT_BLOCK) {
    size_t k = n - start < PREDICT_BLOCK ? n - start : PREDICT_BLOCK;
    const float *block = x + start * cols;
    double z[PREDICT_BLOCK];
    for (size_t i = 0; i < k; i++)
      z[i] = intercept;
    for (size_t j = 0; j < cols; j++) {
      double w = coef[j];
      for (size_t i = 0; i < k; i++)
        z[i] += w * (double)block[i * cols + j];
    }
    for (size_t i = 0; i < k; i++)
      out[start + i] = logistic ? sigmoid(z[i]) : z[i];
  }
}

bool sl_model_linear_direct(const sl_model_features *fs) {
  if (fs->ncols != fs->n)
    return false;
  for (int j = 0; j < fs->n; j++) {
    const sl_model_feature *f = &fs->items[j];
    if (f->transform == SL_MODEL_TRANSFORM_ONE_HOT || f->ncols != 1 ||
        f->first_col != j)
      return false;
  }
  return true;
}

/* Rows per block of the direct path: its sums (8 KiB) stay in the L1
 * cache while every input is added, and each input's values are read
 * in runs as long as a query's batch, which the hardware prefetches
 * better than shorter ones (256 rows scored a quarter slower on rows
 * not in the cache). */
#define DIRECT_BLOCK 1024

sl_status sl_model_linear_predict_values(const sl_model_features *fs,
                                         const double *coef,
                                         double intercept, bool logistic,
                                         const sl_value *const *cols,
                                         size_t n, double *out,
                                         sl_error *err) {
  double z[DIRECT_BLOCK];
  for (size_t start = 0; start < n; start += DIRECT_BLOCK) {
    size_t k = n - start < DIRECT_BLOCK ? n - start : DIRECT_BLOCK;
    for (size_t i = 0; i < k; i++)
      z[i] = intercept;
    for (int j = 0; j < fs->n; j++) {
      if (sl_model_features_accumulate_fast(fs, j, cols[j], start, k,
                                            coef[j], z))
        continue;
      sl_status rc = sl_model_features_accumulate(fs, j, cols[j], start, k,
                                                  coef[j], z, err);
      if (rc)
        return rc;
    }

    /* A row whose sum is not finite may hold a value the fast loop
     * cannot take (another kind, NaN, an infinity): it is added up again
     * value by value, which gives the same sum when the fast loop's was
     * right, an overflow included. */
    unsigned redo = 0;
    for (size_t i = 0; i < k; i++)
      redo |= (unsigned)!isfinite(z[i]);
    for (size_t i = 0; redo && i < k; i++) {
      if (isfinite(z[i]))
        continue;
      z[i] = intercept;
      for (int j = 0; j < fs->n; j++) {
        sl_status rc = sl_model_features_accumulate(fs, j, cols[j],
                                                    start + i, 1, coef[j],
                                                    &z[i], err);
        if (rc)
          return rc;
      }
    }
    for (size_t i = 0; i < k; i++)
      out[start + i] = logistic ? sigmoid(z[i]) : z[i];
  }
  return SL_OK;
}

/* ---- Logistic regression ------------------------------------------------- */

/* log(1 + e^eta) - y eta without overflow. */
static inline double logistic_loss(double eta, double y) {
  double softplus = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta));
  return softplus - y * eta;
}

/* The penalised loss of theta over all rows (data part in *data). */
static double logistic_objective(const standardizer *s,
                                 const sl_model_matrix *x, const double *y,
                                 const double *theta, double l2, double *z,
                                 double *data) {
  double sum = 0;
  for (size_t i = 0; i < x->rows; i++) {
    standardize_row(s, sl_model_matrix_row(x, i), z);
    double eta = theta[0];
    for (size_t a = 0; a < s->p; a++)
      eta += theta[1 + a] * z[a];
    sum += logistic_loss(eta, y[i]);
  }
  double pen = 0;
  for (size_t a = 0; a < s->p; a++)
    pen += theta[1 + a] * theta[1 + a];
  *data = sum;
  return sum + 0.5 * l2 * pen;
}

/* Gradient g and Hessian h (upper triangle) of the penalised loss. */
static void logistic_derivatives(const standardizer *s,
                                 const sl_model_matrix *x, const double *y,
                                 const double *theta, double l2, double *z,
                                 double *g, double *h) {
  size_t k = s->p + 1;
  memset(g, 0, k * sizeof(double));
  memset(h, 0, k * k * sizeof(double));
  for (size_t i = 0; i < x->rows; i++) {
    standardize_row(s, sl_model_matrix_row(x, i), z);
    double eta = theta[0];
    for (size_t a = 0; a < s->p; a++)
      eta += theta[1 + a] * z[a];
    double p = sigmoid(eta);
    double r = p - y[i], w = p * (1 - p);

    g[0] += r;
    h[0] += w;
    for (size_t a = 0; a < s->p; a++) {
      double wz = w * z[a];
      g[1 + a] += r * z[a];
      h[1 + a] += wz;
      double *hrow = h + (1 + a) * k;
      for (size_t c = a; c < s->p; c++)
        hrow[1 + c] += wz * z[c];
    }
  }
  for (size_t a = 0; a < s->p; a++) {
    g[1 + a] += l2 * theta[1 + a];
    h[(1 + a) * k + 1 + a] += l2;
  }
}

/* Holdout log loss of theta, for progress. */
static double holdout_logloss(const standardizer *s, const double *theta,
                              const sl_model_matrix *hx, const double *hy,
                              double *coef, double *scores) {
  if (!hx || hx->rows == 0)
    return NAN;
  double b;
  fold(s, theta, coef, &b);
  sl_model_linear_predict(coef, b, hx->cols, true, hx->data, hx->rows,
                          scores);
  return sl_model_metrics_log_loss(scores, hy, hx->rows);
}

static sl_status fit_logistic(const standardizer *s,
                              const sl_model_matrix *x, const double *y,
                              const sl_model_matrix *hx, const double *hy,
                              const sl_model_linear_opts *opts,
                              sl_model_progress_fn progress, void *ctx,
                              double *coef, double *intercept,
                              sl_error *err) {
  size_t n = x->rows, k = s->p + 1;
  size_t nh = hx ? hx->rows : 0;
  double *theta = calloc(k, sizeof(double));
  double *trial = calloc(k, sizeof(double));
  double *g = malloc(k * sizeof(double));
  double *step = malloc(k * sizeof(double));
  double *z = malloc(k * sizeof(double));
  double *h = malloc(k * k * sizeof(double));
  double *work = malloc(k * k * sizeof(double));
  double *scores = malloc((nh + 1) * sizeof(double));
  sl_status rc = SL_OK;
  if (!theta || !trial || !g || !step || !z || !h || !work || !scores) {
    rc = sl_error_set(err, SL_ERR_NOMEM,
                      "out of memory fitting a logistic regression");
    goto done;
  }

  /* Start from the intercept-only model: the log odds of the base rate. */
  double pos = 0;
  for (size_t i = 0; i < n; i++)
    pos += y[i];
  theta[0] = log(pos / ((double)n - pos));

  double data_loss;
  double loss =
      logistic_objective(s, x, y, theta, opts->l2, z, &data_loss);
  for (int it = 1; it <= opts->max_iter; it++) {
    logistic_derivatives(s, x, y, theta, opts->l2, z, g, h);
    if (!solve_spd(h, k, g, work, step)) {
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "logistic regression: the Hessian is singular "
                        "(collinear inputs?); set l2 above 0");
      goto done;
    }
    double decrement = 0;
    for (size_t a = 0; a < k; a++)
      decrement += g[a] * step[a];

    /* Backtracking (Armijo) line search along the Newton step. */
    bool moved = false;
    double t = 1, trial_loss = loss, trial_data = data_loss;
    for (int half = 0; half < 40; half++, t *= 0.5) {
      for (size_t a = 0; a < k; a++)
        trial[a] = theta[a] - t * step[a];
      trial_loss =
          logistic_objective(s, x, y, trial, opts->l2, z, &trial_data);
      if (trial_loss <= loss - 1e-4 * t * decrement) {
        moved = true;
        break;
      }
    }
    if (moved) {
      memcpy(theta, trial, k * sizeof(double));
      loss = trial_loss;
      data_loss = trial_data;
    }

    if (progress) {
      sl_model_progress pr = {it, opts->max_iter, "logloss",
                              data_loss / (double)n,
                              holdout_logloss(s, theta, hx, hy, coef,
                                              scores)};
      if (!progress(ctx, &pr)) {
        rc = sl_error_set(err, SL_ERR_RUNTIME, "training cancelled");
        goto done;
      }
    }
    if (!moved || 0.5 * decrement <= opts->tol * fmax(1.0, loss))
      break;
  }
  fold(s, theta, coef, intercept);

done:
  free(theta);
  free(trial);
  free(g);
  free(step);
  free(z);
  free(h);
  free(work);
  free(scores);
  return rc;
}

/* ---- Linear regression --------------------------------------------------- */

static sl_status fit_ridge(const standardizer *s, const sl_model_matrix *x,
                           const double *y, const sl_model_matrix *hx,
                           const double *hy,
                           const sl_model_linear_opts *opts,
                           sl_model_progress_fn progress, void *ctx,
                           double *coef, double *intercept, sl_error *err) {
  size_t n = x->rows, p = s->p;
  size_t nh = hx ? hx->rows : 0;
  double *a = calloc(p * p + 1, sizeof(double));
  double *work = malloc((p * p + 1) * sizeof(double));
  double *c = calloc(p + 1, sizeof(double));
  double *theta = calloc(p + 1, sizeof(double));
  double *z = malloc((p + 1) * sizeof(double));
  double *scores = malloc(((n > nh ? n : nh) + 1) * sizeof(double));
  sl_status rc = SL_OK;
  if (!a || !work || !c || !theta || !z || !scores) {
    rc = sl_error_set(err, SL_ERR_NOMEM,
                      "out of memory fitting a linear regression");
    goto done;
  }

  double ybar = 0;
  for (size_t i = 0; i < n; i++)
    ybar += (y[i] - ybar) / (double)(i + 1);

  for (size_t i = 0; i < n; i++) {
    standardize_row(s, sl_model_matrix_row(x, i), z);
    double r = y[i] - ybar;
    for (size_t j = 0; j < p; j++) {
      c[j] += z[j] * r;
      double *arow = a + j * p;
      for (size_t m = j; m < p; m++)
        arow[m] += z[j] * z[m];
    }
  }
  for (size_t j = 0; j < p; j++)
    a[j * p + j] += opts->l2;
  if (p && !solve_spd(a, p, c, work, theta + 1)) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "linear regression: the normal equations are "
                      "singular (collinear inputs?); set l2 above 0");
    goto done;
  }
  theta[0] = ybar;
  fold(s, theta, coef, intercept);

  if (progress) {
    sl_model_linear_predict(coef, *intercept, x->cols, false, x->data, n,
                            scores);
    sl_model_progress pr = {1, 1, "rmse",
                            sl_model_metrics_rmse(scores, y, n), NAN};
    if (nh) {
      sl_model_linear_predict(coef, *intercept, hx->cols, false, hx->data,
                              nh, scores);
      pr.holdout = sl_model_metrics_rmse(scores, hy, nh);
    }
    if (!progress(ctx, &pr))
      rc = sl_error_set(err, SL_ERR_RUNTIME, "training cancelled");
  }

done:
  free(a);
  free(work);
  free(c);
  free(theta);
  free(z);
  free(scores);
  return rc;
}

sl_status sl_model_linear_fit(const sl_model_matrix *x, const double *y,
                              const sl_model_matrix *hx, const double *hy,
                              const sl_model_linear_opts *opts,
                              sl_model_progress_fn progress, void *ctx,
                              double *coef, double *intercept,
                              sl_error *err) {
  standardizer s;
  if (!standardizer_fit(&s, x))
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory standardizing the training matrix");
  sl_status rc =
      opts->logistic
          ? fit_logistic(&s, x, y, hx, hy, opts, progress, ctx, coef,
                         intercept, err)
          : fit_ridge(&s, x, y, hx, hy, opts, progress, ctx, coef,
                      intercept, err);
  standardizer_free(&s);
  return rc;
}
