/* SPDX-License-Identifier: Apache-2.0 */
/*
 * predict_bench.c - model serving speed on one core.
 *
 * Trains a 200-tree, depth-6 XGBoost classifier on 20 synthetic numeric
 * features (some values missing), then scores the same rows four ways,
 * all with one prediction thread:
 *   sluice batch        sl_model_predict_batch: input values (sl_value
 *                       columns, as a query evaluates them) expanded into
 *                       one dense matrix per batch, scored by Sluice's
 *                       own tree evaluator (engine/model/trees.h)
 *   xgboost batch       XGBoosterPredictFromDense on a prebuilt float
 *                       matrix, batch by batch (the library alone)
 *   xgboost one call    the same over the whole matrix at once
 *   xgboost DMatrix     XGBoosterPredict on a DMatrix of all rows
 *                       (DMatrix construction not timed)
 * and a LOGISTIC_REGRESSION on the same features through predict_batch
 * against a raw dot-product loop over the prebuilt (imputed) matrix.
 * Prints rows per second per core (process CPU time, best of the rounds)
 * and the ratios, after checking that every way gives the same scores.
 *
 *   bench_predict [--rows N] [--batch B] [--rounds R] [--quick]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xgboost/c_api.h>

#include "engine/model/model.h"

#define NFEAT 20

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static double uniform(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const sl_error *err) {
  fprintf(stderr, "bench_predict: %s: %s\n", what,
          err ? err->message : XGBGetLastError());
  exit(1);
}

/* One synthetic row: 20 uniforms, every 23rd value missing; the label is
 * a noisy nonlinear function of a few of them. */
static bool make_row(double *x) {
  for (int j = 0; j < NFEAT; j++)
    x[j] = (rng_state >> 7) % 23 == 0 ? NAN : uniform();
  double a = isnan(x[0]) ? 0.5 : x[0], b = isnan(x[1]) ? 0.5 : x[1];
  double c = isnan(x[2]) ? 0.5 : x[2], d = isnan(x[3]) ? 0.5 : x[3];
  double z = 3 * a * b - 2 * c + (d > 0.7 ? 1.5 : 0) + uniform() - 0.6;
  return z > 0;
}

static sl_model *train(sl_model_kind kind, const char *const *kv, int rows,
                       double *seconds) {
  sl_model_input_def defs[NFEAT];
  char names[NFEAT][8];
  for (int j = 0; j < NFEAT; j++) {
    snprintf(names[j], sizeof(names[j]), "x%d", j);
    defs[j] = (sl_model_input_def){names[j], SL_TYPE_DOUBLE,
                                   SL_MODEL_TRANSFORM_NONE, NULL, 0};
  }
  sl_error err;
  sl_error_clear(&err);
  sl_model_data *data = NULL;
  if (sl_model_data_new(defs, NFEAT, SL_TYPE_BOOLEAN, &data, &err))
    die("data", &err);
  rng_state = 0x2545f4914f6cdd1dULL;
  for (int i = 0; i < rows; i++) {
    double x[NFEAT];
    bool y = make_row(x);
    sl_value row[NFEAT];
    for (int j = 0; j < NFEAT; j++)
      row[j] = isnan(x[j]) ? sl_value_null() : sl_value_double(x[j]);
    sl_value label = sl_value_bool(y);
    if (sl_model_data_add_row(data, row, &label, &err))
      die("add row", &err);
  }
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  for (int i = 0; kv[i]; i += 2)
    if (sl_model_params_set(&p, kv[i], kv[i + 1], &err))
      die("params", &err);
  sl_model *m = NULL;
  double t0 = wall_seconds();
  if (sl_model_train(kind, data, &p, NULL, NULL, &m, &err))
    die("train", &err);
  *seconds = wall_seconds() - t0;
  if (sl_model_set_threads(m, 1, &err))
    die("threads", &err);
  sl_model_params_free(&p);
  sl_model_data_free(data);
  return m;
}

/* The scoring rows, as value columns and as a float matrix. */
typedef struct rows {
  size_t n;
  sl_value *vals; /* NFEAT columns of n values */
  const sl_value *cols[NFEAT];
  float *x;       /* n x NFEAT */
} rows;

static void make_rows(rows *r, size_t n) {
  r->n = n;
  r->vals = malloc(n * NFEAT * sizeof(sl_value));
  r->x = malloc(n * NFEAT * sizeof(float));
  rng_state = 0x9e3779b97f4a7c15ULL;
  for (size_t i = 0; i < n; i++) {
    double x[NFEAT];
    make_row(x);
    for (int j = 0; j < NFEAT; j++) {
      r->vals[j * n + i] =
          isnan(x[j]) ? sl_value_null() : sl_value_double(x[j]);
      r->x[i * NFEAT + j] = (float)x[j];
    }
  }
  for (int j = 0; j < NFEAT; j++)
    r->cols[j] = r->vals + (size_t)j * n;
}

static void sluice_batches(sl_model *m, sl_model_scratch *s, const rows *r,
                           size_t batch, double *out) {
  sl_error err;
  sl_error_clear(&err);
  const sl_value *cols[NFEAT];
  for (size_t start = 0; start < r->n; start += batch) {
    size_t n = r->n - start < batch ? r->n - start : batch;
    for (int j = 0; j < NFEAT; j++)
      cols[j] = r->cols[j] + start;
    if (sl_model_predict_batch(m, s, cols, n, out + start, &err))
      die("predict", &err);
  }
}

static const char dense_config[] =
    "{\"type\":0,\"training\":false,\"iteration_begin\":0,"
    "\"iteration_end\":0,\"strict_shape\":true,\"cache_id\":0,"
    "\"missing\":NaN}";

static void xgb_dense(BoosterHandle b, const float *x, size_t n,
                      size_t batch, double *out) {
  for (size_t start = 0; start < n; start += batch) {
    size_t k = n - start < batch ? n - start : batch;
    char values[160];
    snprintf(values, sizeof(values),
             "{\"data\":[%zu,true],\"shape\":[%zu,%d],\"typestr\":\"<f4\","
             "\"version\":3}",
             (size_t)(uintptr_t)(x + start * NFEAT), k, NFEAT);
    const bst_ulong *shape;
    bst_ulong dim;
    const float *res;
    if (XGBoosterPredictFromDense(b, values, dense_config, NULL, &shape,
                                  &dim, &res))
      die("xgboost dense", NULL);
    for (size_t i = 0; i < k; i++)
      out[start + i] = res[i];
  }
}

static void raw_linear(const double *w, double b, const float *x, size_t n,
                       double *out) {
  for (size_t i = 0; i < n; i++) {
    const float *row = x + i * NFEAT;
    double z = b;
    for (int j = 0; j < NFEAT; j++)
      z += w[j] * row[j];
    out[i] = 1 / (1 + exp(-z));
  }
}

/* The same model written by hand over the same value columns: the dot
 * product straight from the values, a missing one taking its fill. */
static void raw_linear_values(const double *w, double b, const float *fill,
                              const rows *r, size_t batch, double *out) {
  for (size_t start = 0; start < r->n; start += batch) {
    size_t n = r->n - start < batch ? r->n - start : batch;
    double *z = out + start;
    for (size_t i = 0; i < n; i++)
      z[i] = b;
    for (int j = 0; j < NFEAT; j++) {
      const sl_value *col = r->cols[j] + start;
      double wj = w[j], fj = fill[j];
      for (size_t i = 0; i < n; i++) {
        double x = col[i].kind == SL_TYPE_DOUBLE ? (float)col[i].u.f64 : fj;
        z[i] += wj * x;
      }
    }
    for (size_t i = 0; i < n; i++)
      z[i] = 1 / (1 + exp(-z[i]));
  }
}

static double max_diff(const double *a, const double *b, size_t n) {
  double d = 0;
  for (size_t i = 0; i < n; i++)
    d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

/* What the timed runs need. */
typedef struct bench {
  sl_model *model;
  sl_model_scratch *scratch;
  const rows *r;
  size_t batch;
  BoosterHandle booster;
  DMatrixHandle dm;
  const double *w;
  double b;
  const float *imputed;
  const float *fill;
  double *out;
} bench;

static void run_sluice(bench *c) {
  sluice_batches(c->model, c->scratch, c->r, c->batch, c->out);
}

static void run_xgb_batches(bench *c) {
  xgb_dense(c->booster, c->r->x, c->r->n, c->batch, c->out);
}

static void run_xgb_one_call(bench *c) {
  xgb_dense(c->booster, c->r->x, c->r->n, c->r->n, c->out);
}

/* A fresh DMatrix per run: XGBoost caches the predictions of a DMatrix
 * it has seen, which would time a copy. */
static void run_xgb_dmatrix(bench *c) {
  bst_ulong len;
  const float *res;
  if (XGBoosterPredict(c->booster, c->dm, 0, 0, 0, &len, &res))
    die("xgboost predict", NULL);
  for (bst_ulong i = 0; i < len; i++)
    c->out[i] = res[i];
}

static void run_raw_linear(bench *c) {
  raw_linear(c->w, c->b, c->imputed, c->r->n, c->out);
}

static void run_raw_linear_values(bench *c) {
  raw_linear_values(c->w, c->b, c->fill, c->r, c->batch, c->out);
}

/* The first batch only, scored again and again: values that a query
 * has just decoded are in the cache, as here. */
static double hot_rate(bench *c, void (*fn)(bench *)) {
  rows hot = *c->r;
  hot.n = c->batch < c->r->n ? c->batch : c->r->n;
  const rows *saved = c->r;
  c->r = &hot;
  size_t reps = 2000000 / hot.n + 1;
  double t0 = cpu_seconds();
  for (size_t i = 0; i < reps; i++)
    fn(c);
  double dt = cpu_seconds() - t0;
  c->r = saved;
  return dt > 0 ? (double)(reps * hot.n) / dt : 0;
}

/* Runs fn `rounds` times; the best rows per CPU second.  With fresh_dm,
 * each run gets a new DMatrix, made before the clock starts. */
static double best_rate(int rounds, bench *c, void (*fn)(bench *),
                        bool fresh_dm) {
  double best = 0;
  for (int i = 0; i < rounds; i++) {
    if (fresh_dm &&
        XGDMatrixCreateFromMat(c->r->x, c->r->n, NFEAT, NAN, &c->dm))
      die("dmatrix", NULL);
    double t0 = cpu_seconds();
    fn(c);
    double dt = cpu_seconds() - t0;
    if (fresh_dm)
      XGDMatrixFree(c->dm);
    if (dt > 0 && (double)c->r->n / dt > best)
      best = (double)c->r->n / dt;
  }
  return best;
}

int main(int argc, char **argv) {
  size_t nrows = 200000, batch = 1024;
  int rounds = 3, train_rows = 20000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
      nrows = (size_t)atol(argv[++i]);
    else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
      batch = (size_t)atol(argv[++i]);
    else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (strcmp(argv[i], "--quick") == 0) {
      nrows = 4096;
      rounds = 1;
      train_rows = 3000;
    } else {
      fprintf(stderr, "usage: bench_predict [--rows N] [--batch B] "
                      "[--rounds R] [--quick]\n");
      return 2;
    }
  }
  if (nrows == 0 || batch == 0 || rounds < 1)
    return 2;

  static const char *const xgb_params[] = {
      "rounds", "200", "max_depth", "6", "eta", "0.1", "tree_method", "hist",
      "seed", "1", NULL};
  static const char *const lr_params[] = {"l2", "1", NULL};
  double xgb_train_s, lr_train_s;
  sl_model *xgb = train(SL_MODEL_XGBOOST, xgb_params, train_rows,
                        &xgb_train_s);
  sl_model *lr = train(SL_MODEL_LOGISTIC_REGRESSION, lr_params, train_rows,
                       &lr_train_s);
  BoosterHandle booster = sl_model_xgboost_booster(xgb);
  int trees = 0;
  XGBoosterBoostedRounds(booster, &trees);

  rows r;
  make_rows(&r, nrows);
  double *ours = malloc(nrows * sizeof(double));
  double *theirs = malloc(nrows * sizeof(double));
  sl_model_scratch s;
  sl_model_scratch_init(&s);

  /* XGBoost: four ways, checked against each other first. */
  bench c = {xgb, &s, &r, batch, booster, NULL, NULL, 0, NULL, NULL, ours};
  if (XGDMatrixCreateFromMat(r.x, nrows, NFEAT, NAN, &c.dm))
    die("dmatrix", NULL);
  run_sluice(&c);
  c.out = theirs;
  double diff = 0;
  void (*const xgb_runs[])(bench *) = {run_xgb_batches, run_xgb_one_call,
                                       run_xgb_dmatrix};
  for (int k = 0; k < 3; k++) {
    xgb_runs[k](&c);
    diff = fmax(diff, max_diff(ours, theirs, nrows));
  }
  XGDMatrixFree(c.dm);
  double rate_ours = best_rate(rounds, &c, run_sluice, false);
  double rate_batch = best_rate(rounds, &c, run_xgb_batches, false);
  double rate_one = best_rate(rounds, &c, run_xgb_one_call, false);
  double rate_dm = best_rate(rounds, &c, run_xgb_dmatrix, true);

  /* Linear: predict_batch against the raw loop on the imputed matrix. */
  sl_error err;
  sl_error_clear(&err);
  if (sl_model_expand_batch(lr, &s, r.cols, nrows, &err))
    die("expand", &err);
  float *imputed = malloc(nrows * NFEAT * sizeof(float));
  memcpy(imputed, s.x.data, nrows * NFEAT * sizeof(float));
  c.model = lr;
  c.w = sl_model_linear_coefficients(lr, &c.b);
  c.imputed = imputed;
  c.out = ours;
  run_sluice(&c);
  c.out = theirs;
  run_raw_linear(&c);
  double lin_diff = max_diff(ours, theirs, nrows);
  /* The fill values are the model's means: a row of missing inputs. */
  float fill[NFEAT];
  sl_value nulls[NFEAT];
  const sl_value *null_cols[NFEAT];
  for (int j = 0; j < NFEAT; j++) {
    nulls[j] = sl_value_null();
    null_cols[j] = &nulls[j];
  }
  if (sl_model_expand_batch(lr, &s, null_cols, 1, &err))
    die("expand", &err);
  memcpy(fill, s.x.data, sizeof(fill));
  c.fill = fill;
  run_raw_linear_values(&c);
  lin_diff = fmax(lin_diff, max_diff(ours, theirs, nrows));
  double lin_ours = best_rate(rounds, &c, run_sluice, false);
  double lin_raw = best_rate(rounds, &c, run_raw_linear, false);
  double lin_raw_values = best_rate(rounds, &c, run_raw_linear_values, false);
  double hot_ours = hot_rate(&c, run_sluice);
  double hot_raw_values = hot_rate(&c, run_raw_linear_values);
  double hot_raw = hot_rate(&c, run_raw_linear);

  printf("XGBOOST: %d trees, max_depth 6, %d features, trained on %d rows "
         "in %.1f s; scored by %s\n",
         trees, NFEAT, train_rows, xgb_train_s,
         sl_model_native_trees(xgb) ? "Sluice's tree evaluator"
                                    : "XGBoost");
  printf("scoring %zu rows in batches of %zu, one thread, best of %d; "
         "rows per second per core\n",
         nrows, batch, rounds);
  printf("  %-34s %12.0f\n", "sluice predict_batch (values)", rate_ours);
  printf("  %-34s %12.0f\n", "xgboost dense, same batches", rate_batch);
  printf("  %-34s %12.0f\n", "xgboost dense, one call", rate_one);
  printf("  %-34s %12.0f\n", "xgboost DMatrix predict", rate_dm);
  printf("  %-34s %12.3f\n", "ratio sluice / xgboost batches",
         rate_ours / rate_batch);
  printf("  %-34s %12.3f\n", "ratio sluice / xgboost one call",
         rate_ours / rate_one);
  printf("  %-34s %12.3g\n", "max score difference", diff);
  printf("LOGISTIC_REGRESSION: %d features, trained in %.2f s\n", NFEAT,
         lr_train_s);
  printf("  %-34s %12.0f\n", "sluice predict_batch (values)", lin_ours);
  printf("  %-34s %12.0f\n", "raw loop on the same values", lin_raw_values);
  printf("  %-34s %12.0f\n", "raw loop on a float matrix", lin_raw);
  printf("  %-34s %12.3f\n", "ratio sluice / raw loop on values",
         lin_ours / lin_raw_values);
  printf("  %-34s %12.3f\n", "ratio sluice / raw loop on floats",
         lin_ours / lin_raw);
  printf("  one batch of %zu rows in the cache, scored repeatedly:\n",
         batch < nrows ? batch : nrows);
  printf("  %-34s %12.0f\n", "sluice predict_batch (values)", hot_ours);
  printf("  %-34s %12.0f\n", "raw loop on the same values",
         hot_raw_values);
  printf("  %-34s %12.0f\n", "raw loop on a float matrix", hot_raw);
  printf("  %-34s %12.3f\n", "ratio sluice / raw loop on values",
         hot_ours / hot_raw_values);
  printf("  %-34s %12.3f\n", "ratio sluice / raw loop on floats",
         hot_ours / hot_raw);
  printf("  %-34s %12.3g\n", "max score difference", lin_diff);

  int status = diff <= 1e-6 && lin_diff <= 1e-12 && trees == 200 ? 0 : 1;
  if (status)
    fprintf(stderr, "bench_predict: the scores disagree\n");
  free(imputed);
  free(ours);
  free(theirs);
  free(r.vals);
  free(r.x);
  sl_model_scratch_free(&s);
  sl_model_free(xgb);
  sl_model_free(lr);
  return status;
}
