/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model.c - the model object: training from a data builder, importing
 * an XGBoost model file, batch prediction and description.
 *
 * Training, in order:
 *   1. split: the last `holdout` fraction of the rows is held out;
 *   2. check: rows left to train on, both classes for a classifier;
 *   3. fit: the inputs' statistics on the training rows, frozen;
 *   4. expand: training and holdout rows into dense matrices;
 *   5. impute (linear kinds): missing cells take the training column
 *      means, which are frozen too as the fill values;
 *   6. learn: XGBoost or the linear solver;
 *   7. measure: metrics on the holdout rows (else the training rows).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/model/model_internal.h"
#include "engine/types/format.h"

static const char *const kind_names[] = {NULL, "XGBOOST",
                                         "LOGISTIC_REGRESSION",
                                         "LINEAR_REGRESSION"};

const char *sl_model_kind_name(sl_model_kind kind) {
  if (kind >= SL_MODEL_XGBOOST && kind <= SL_MODEL_LINEAR_REGRESSION)
    return kind_names[kind];
  return "?";
}

bool sl_model_kind_from_name(const char *name, sl_model_kind *out) {
  for (int k = SL_MODEL_XGBOOST; k <= SL_MODEL_LINEAR_REGRESSION; k++) {
    if (strcasecmp(name, kind_names[k]) == 0) {
      *out = (sl_model_kind)k;
      return true;
    }
  }
  return false;
}

sl_model *sl_model_alloc(sl_model_kind kind, bool classification) {
  sl_model *m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  m->kind = kind;
  m->classification = classification;
  m->threads = 1;
  sl_model_params_init(&m->params);
  sl_model_metrics_clear(&m->metrics);
  return m;
}

sl_status sl_model_alloc_counters(sl_model *m, sl_error *err) {
  m->unseen = calloc((size_t)m->fs.n + 1, sizeof(*m->unseen));
  if (!m->unseen)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
  for (int j = 0; j < m->fs.n; j++)
    atomic_init(&m->unseen[j], 0);
  return SL_OK;
}

void sl_model_free(sl_model *m) {
  if (!m)
    return;
  sl_model_features_free(&m->fs);
  sl_model_params_free(&m->params);
  sl_model_xgb_free(m->booster);
  sl_trees_free(m->trees);
  free(m->coef);
  free(m->unseen);
  free(m);
}

/* ---- Training ------------------------------------------------------------ */

/* Column means of the non-missing cells of x, as fill values (0 for a
 * column that is always missing). */
static float *column_means(const sl_model_matrix *x) {
  size_t cols = x->cols;
  float *fill = malloc((cols + 1) * sizeof(float));
  double *sum = calloc(cols + 1, sizeof(double));
  size_t *count = calloc(cols + 1, sizeof(size_t));
  if (!fill || !sum || !count) {
    free(fill);
    fill = NULL;
    goto done;
  }
  for (size_t i = 0; i < x->rows; i++) {
    const float *row = sl_model_matrix_row(x, i);
    for (size_t j = 0; j < cols; j++) {
      if (!isnan(row[j])) {
        sum[j] += row[j];
        count[j]++;
      }
    }
  }
  for (size_t j = 0; j < cols; j++)
    fill[j] = count[j] ? (float)(sum[j] / (double)count[j]) : 0.0f;

done:
  free(sum);
  free(count);
  return fill;
}

static void impute(sl_model_matrix *x, const float *fill) {
  for (size_t i = 0; i < x->rows; i++) {
    float *row = sl_model_matrix_row(x, i);
    for (size_t j = 0; j < x->cols; j++)
      if (isnan(row[j]))
        row[j] = fill[j];
  }
}

/* Checks that the kind fits the label and that the training rows are
 * usable. */
static sl_status check_training(sl_model_kind kind, bool classification,
                                const double *y, size_t nrows,
                                size_t ntrain, sl_error *err) {
  if (kind == SL_MODEL_LOGISTIC_REGRESSION && !classification)
    return sl_error_set(err, SL_ERR_SQL,
                        "LOGISTIC_REGRESSION needs a BOOLEAN label; use "
                        "LINEAR_REGRESSION for a numeric one");
  if (kind == SL_MODEL_LINEAR_REGRESSION && classification)
    return sl_error_set(err, SL_ERR_SQL,
                        "LINEAR_REGRESSION needs a numeric label; use "
                        "LOGISTIC_REGRESSION for a BOOLEAN one");
  if (nrows == 0)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "no training rows (none with a label)");
  if (ntrain == 0)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "no training rows left after holding out %zu of "
                        "%zu",
                        nrows - ntrain, nrows);
  if (classification) {
    size_t pos = 0;
    for (size_t i = 0; i < ntrain; i++)
      pos += y[i] > 0.5;
    if (pos == 0 || pos == ntrain)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "the label is %s in all %zu training rows; a "
                          "classifier needs both classes",
                          pos ? "true" : "false", ntrain);
  }
  return SL_OK;
}

sl_status sl_model_train(sl_model_kind kind, const sl_model_data *data,
                         const sl_model_params *params,
                         sl_model_progress_fn progress, void *ctx,
                         sl_model **out, sl_error *err) {
  *out = NULL;
  if (kind < SL_MODEL_XGBOOST || kind > SL_MODEL_LINEAR_REGRESSION)
    return sl_error_set(err, SL_ERR_SQL, "unknown model kind %d", (int)kind);
  bool classification = sl_model_data_is_classification(data);
  size_t nrows = sl_model_data_rows(data);
  const double *y = sl_model_data_labels(data);

  /* 1-2: the split and its checks. */
  double holdout;
  sl_status rc = sl_model_param_double(params, "holdout", 0, 0, 0.99,
                                       &holdout, err);
  if (rc)
    return rc;
  size_t nhold = sl_model_holdout_size(nrows, holdout);
  size_t ntrain = nrows - nhold;
  rc = check_training(kind, classification, y, nrows, ntrain, err);
  if (rc)
    return rc;

  sl_model *m = sl_model_alloc(kind, classification);
  sl_model_matrix x = SL_MODEL_MATRIX_INIT, hx = SL_MODEL_MATRIX_INIT;
  double *scores = NULL;
  if (!m)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
  rc = sl_model_params_copy(&m->params, params, err);
  if (!rc) {
    char buf[SL_FORMAT_DOUBLE_MAX];
    sl_format_double(holdout, buf);
    rc = sl_model_params_set(&m->params, "holdout", buf, err);
  }

  /* 3-5: frozen statistics, matrices, imputation. */
  if (!rc)
    rc = sl_model_data_features(data, &m->fs, err);
  if (!rc)
    rc = sl_model_data_fit(data, ntrain, &m->fs, err);
  if (!rc)
    rc = sl_model_data_expand(data, &m->fs, 0, ntrain, &x, err);
  if (!rc)
    rc = sl_model_data_expand(data, &m->fs, ntrain, nrows, &hx, err);
  if (!rc)
    rc = sl_model_alloc_counters(m, err);
  if (rc)
    goto fail;
  if (m->fs.ncols == 0) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "the inputs expand to no columns (every ONE_HOT "
                      "input is NULL in all training rows)");
    goto fail;
  }

  /* 6: learn. */
  if (kind == SL_MODEL_XGBOOST) {
    rc = sl_model_xgb_train(&x, y, &hx, y + ntrain, classification, params,
                            &m->params, progress, ctx, &m->booster, err);
    if (!rc)
      rc = sl_model_xgb_native(m->booster, (size_t)m->fs.ncols, &m->trees,
                               err);
  } else {
    sl_model_linear_opts opts;
    rc = sl_model_linear_params(params, classification, &opts, &m->params,
                                err);
    if (!rc) {
      m->fs.fill = column_means(&x);
      m->coef = malloc(((size_t)m->fs.ncols + 1) * sizeof(double));
      if (!m->fs.fill || !m->coef)
        rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
    }
    if (!rc) {
      impute(&x, m->fs.fill);
      impute(&hx, m->fs.fill);
      rc = sl_model_linear_fit(&x, y, &hx, y + ntrain, &opts, progress, ctx,
                               m->coef, &m->intercept, err);
    }
  }
  if (rc)
    goto fail;

  /* 7: measure. */
  const sl_model_matrix *eval = nhold ? &hx : &x;
  const double *ey = nhold ? y + ntrain : y;
  scores = malloc((eval->rows + 1) * sizeof(double));
  if (!scores) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for metrics");
    goto fail;
  }
  rc = sl_model_predict_matrix(m, eval->data, eval->rows, scores, err);
  if (!rc)
    rc = sl_model_metrics_compute(classification, scores, ey, eval->rows,
                                  &m->metrics, err);
  if (rc)
    goto fail;
  m->metrics_on_holdout = nhold > 0;
  m->train_rows = (int64_t)ntrain;
  m->holdout_rows = (int64_t)nhold;

  free(scores);
  sl_model_matrix_free(&x);
  sl_model_matrix_free(&hx);
  *out = m;
  return SL_OK;

fail:
  free(scores);
  sl_model_matrix_free(&x);
  sl_model_matrix_free(&hx);
  sl_model_free(m);
  return rc;
}

/* ---- Import -------------------------------------------------------------- */

/* Reads a whole file into a malloc'd buffer. */
static sl_status read_file(const char *path, char **data, size_t *len,
                           sl_error *err) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return sl_error_set(err, SL_ERR_IO, "cannot open model file \"%s\": %s",
                        path, strerror(errno));
  sl_strbuf sb = SL_STRBUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    sl_strbuf_append(&sb, chunk, n);
  bool failed = ferror(f) != 0;
  fclose(f);
  if (failed || sb.failed) {
    sl_strbuf_free(&sb);
    return sl_error_set(err, failed ? SL_ERR_IO : SL_ERR_NOMEM,
                        "cannot read model file \"%s\"", path);
  }
  *data = sl_strbuf_detach(&sb, len);
  if (!*data)
    return sl_error_set(err, SL_ERR_NOMEM, "cannot read model file \"%s\"",
                        path);
  return SL_OK;
}

/* XGBoost tells JSON from its binary formats by the first two bytes ('{'
 * then '"'), so pretty-printed JSON is compacted at its start: leading
 * white space and the white space after the first brace go. */
static const char *json_start(char *data, size_t len, size_t *outlen) {
  size_t i = 0;
  while (i < len && strchr(" \t\r\n", data[i]))
    i++;
  if (len - i >= 3 && memcmp(data + i, "\xEF\xBB\xBF", 3) == 0)
    i += 3;
  if (i >= len || data[i] != '{')
    return NULL;
  size_t j = i + 1;
  while (j < len && strchr(" \t\r\n", data[j]))
    j++;
  if (j >= len || data[j] != '"')
    return NULL;
  data[j - 1] = '{';
  *outlen = len - (j - 1);
  return data + j - 1;
}

static bool objective_is(const char *obj, const char *const *list,
                         size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(obj, list[i]) == 0)
      return true;
  return false;
}

/* The inputs of an imported model: defs, checked against the file, or
 * the file's feature names. */
static sl_status import_inputs(const char *path,
                               const sl_model_xgb_info *info,
                               const sl_model_input_def *defs, int ndefs,
                               sl_model_features *fs, sl_error *err) {
  if (ndefs) {
    if ((uint64_t)ndefs != info->nfeatures)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "model file \"%s\" has %llu features, but %d "
                          "inputs are listed",
                          path, (unsigned long long)info->nfeatures, ndefs);
    for (int j = 0; j < ndefs; j++) {
      if (defs[j].transform != SL_MODEL_TRANSFORM_NONE &&
          defs[j].transform != SL_MODEL_TRANSFORM_BUCKETIZE)
        return sl_error_set(err, SL_ERR_SQL,
                            "%s(%s): a model FROM FILE has no training rows "
                            "to compute statistics from; use plain or "
                            "BUCKETIZE inputs",
                            sl_model_transform_name(defs[j].transform),
                            defs[j].name);
      if (info->names && strcasecmp(info->names[j], defs[j].name) != 0)
        return sl_error_set(err, SL_ERR_RUNTIME,
                            "input %d is %s, but feature %d of model file "
                            "\"%s\" is %s",
                            j + 1, defs[j].name, j + 1, path,
                            info->names[j]);
    }
    return sl_model_features_from_defs(defs, ndefs, fs, err);
  }

  size_t n = (size_t)info->nfeatures;
  sl_model_input_def *own = calloc(n, sizeof(*own));
  char (*names)[24] = calloc(n, sizeof(*names));
  sl_status rc = SL_OK;
  if (!own || !names) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for model inputs");
    goto done;
  }
  for (size_t j = 0; j < n; j++) {
    const char *type = info->types ? info->types[j] : "float";
    if (strcmp(type, "c") == 0) {
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "feature %zu of model file \"%s\" is categorical; "
                        "Sluice serves numeric features (use ONE_HOT "
                        "columns)",
                        j + 1, path);
      goto done;
    }
    snprintf(names[j], sizeof(names[j]), "f%zu", j);
    own[j].name = info->names ? info->names[j] : names[j];
    own[j].type = strcmp(type, "i") == 0 ? SL_TYPE_BOOLEAN : SL_TYPE_DOUBLE;
    own[j].transform = SL_MODEL_TRANSFORM_NONE;
  }
  rc = sl_model_features_from_defs(own, (int)n, fs, err);

done:
  free(own);
  free(names);
  return rc;
}

sl_status sl_model_import_xgboost(const char *path,
                                  const sl_model_input_def *defs, int ndefs,
                                  sl_model **out, sl_error *err) {
  static const char *const classifiers[] = {"binary:logistic",
                                            "reg:logistic"};
  static const char *const regressions[] = {
      "reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror",
      "reg:absoluteerror", "reg:gamma", "reg:tweedie", "count:poisson"};
  *out = NULL;

  char *data;
  size_t len;
  sl_status rc = read_file(path, &data, &len, err);
  if (rc)
    return rc;
  size_t jlen = 0;
  const char *json = json_start(data, len, &jlen);
  if (!json) {
    free(data);
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "model file \"%s\" is not an XGBoost JSON model (it "
                        "does not start with an object)",
                        path);
  }

  /* XGBoost trusts the indices in a model; check them first. */
  rc = sl_model_xgb_check(json, jlen, err);
  if (rc) {
    free(data);
    return sl_error_prefix(err,
                           "model file \"%s\" is not a valid XGBoost model",
                           path);
  }

  char what[SL_ERROR_NAME_MAX + 16];
  snprintf(what, sizeof(what), "model file \"%s\"", path);
  void *booster = NULL;
  rc = sl_model_xgb_load(json, jlen, what, &booster, err);
  free(data);
  if (rc)
    return rc;

  sl_model_xgb_info info;
  rc = sl_model_xgb_inspect(booster, &info, err);
  if (rc) {
    sl_model_xgb_free(booster);
    return rc;
  }

  bool classification = objective_is(info.objective, classifiers, 2);
  sl_model *m = NULL;
  if (!classification && !objective_is(info.objective, regressions, 7)) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "model file \"%s\" has objective %s; Sluice serves "
                      "binary:logistic and regression objectives",
                      path, info.objective);
    goto fail;
  }
  if (info.nfeatures == 0 || info.nfeatures > INT32_MAX / 4) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "model file \"%s\" declares %llu features", path,
                      (unsigned long long)info.nfeatures);
    goto fail;
  }
  m = sl_model_alloc(SL_MODEL_XGBOOST, classification);
  if (!m) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
    goto fail;
  }
  m->booster = booster;
  booster = NULL;
  rc = import_inputs(path, &info, defs, ndefs, &m->fs, err);
  if (!rc)
    rc = sl_model_alloc_counters(m, err);
  if (rc)
    goto fail;

  /* A trial prediction on one all-missing row proves the model can
   * serve: one output per row, and a finite one. */
  size_t cols = (size_t)m->fs.ncols;
  float *row = malloc(cols * sizeof(float));
  double score = NAN;
  if (!row) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
    goto fail;
  }
  for (size_t c = 0; c < cols; c++)
    row[c] = NAN;
  rc = sl_model_xgb_predict(m->booster, row, 1, cols, &score, err);
  free(row);
  if (!rc && !isfinite(score))
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "model file \"%s\" predicts a non-finite value", path);
  if (!rc)
    rc = sl_model_xgb_native(m->booster, cols, &m->trees, err);
  if (rc) {
    sl_error_prefix(err, "model file \"%s\"", path);
    goto fail;
  }

  char buf[32];
  snprintf(buf, sizeof(buf), "%d", info.rounds);
  rc = sl_model_params_set(&m->params, "source", path, err);
  if (!rc)
    rc = sl_model_params_set(&m->params, "objective", info.objective, err);
  if (!rc)
    rc = sl_model_params_set(&m->params, "rounds", buf, err);
  if (rc)
    goto fail;
  sl_model_xgb_info_free(&info);
  *out = m;
  return SL_OK;

fail:
  sl_model_xgb_info_free(&info);
  sl_model_xgb_free(booster);
  sl_model_free(m);
  return rc;
}

/* ---- Prediction ---------------------------------------------------------- */

void sl_model_scratch_init(sl_model_scratch *s) {
  memset(s, 0, sizeof(*s));
  sl_model_matrix_init(&s->x);
}

void sl_model_scratch_free(sl_model_scratch *s) {
  sl_model_matrix_free(&s->x);
  free(s->cols);
  free(s->unseen);
  s->cols = NULL;
  s->unseen = NULL;
  s->cap_inputs = 0;
}

sl_status sl_model_set_threads(sl_model *m, int threads, sl_error *err) {
  if (threads < 1)
    return sl_error_set(err, SL_ERR_USAGE,
                        "prediction threads must be at least 1, got %d",
                        threads);
  if (!m->booster)
    return SL_OK;
  sl_status rc = sl_model_xgb_set_threads(m->booster, threads, err);
  if (!rc)
    m->threads = threads;
  return rc;
}

/* Room in s for the inputs of m. */
static sl_status scratch_inputs(sl_model_scratch *s, int n, sl_error *err) {
  if (n <= s->cap_inputs)
    return SL_OK;
  const sl_value **cols = realloc(s->cols, (size_t)n * sizeof(*cols));
  if (!cols)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for prediction");
  s->cols = cols;
  uint64_t *unseen = realloc(s->unseen, (size_t)n * sizeof(*unseen));
  if (!unseen)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for prediction");
  s->unseen = unseen;
  s->cap_inputs = n;
  return SL_OK;
}

sl_status sl_model_predict_matrix(const sl_model *m, const float *x,
                                  size_t n, double *out, sl_error *err) {
  size_t cols = (size_t)m->fs.ncols;
  /* Several threads are asked of XGBoost itself: the native evaluator
   * scores a batch on one. */
  if (m->kind == SL_MODEL_XGBOOST && m->trees && m->threads == 1)
    return sl_trees_predict(m->trees, x, n, out, err);
  if (m->kind == SL_MODEL_XGBOOST)
    return sl_model_xgb_predict(m->booster, x, n, cols, out, err);
  sl_model_linear_predict(m->coef, m->intercept, cols,
                          m->kind == SL_MODEL_LOGISTIC_REGRESSION, x, n, out);
  return SL_OK;
}

/* Expands rows into s->x and adds the unseen categories to the model's
 * counters. */
static sl_status expand_cols(sl_model *m, sl_model_scratch *s,
                             const sl_value *const *cols, size_t stride,
                             size_t n, sl_error *err) {
  sl_status rc = sl_model_matrix_resize(&s->x, n, (size_t)m->fs.ncols, err);
  if (rc)
    return rc;
  memset(s->unseen, 0, (size_t)m->fs.n * sizeof(uint64_t));
  rc = sl_model_features_expand(&m->fs, cols, stride, n, s->x.data,
                                s->unseen, err);
  if (rc)
    return rc;
  for (int j = 0; j < m->fs.n; j++)
    if (s->unseen[j])
      atomic_fetch_add_explicit(&m->unseen[j], s->unseen[j],
                                memory_order_relaxed);
  return SL_OK;
}

sl_status sl_model_expand_batch(sl_model *m, sl_model_scratch *s,
                                const sl_value *const *cols, size_t n,
                                sl_error *err) {
  sl_status rc = scratch_inputs(s, m->fs.n, err);
  if (rc)
    return rc;
  return expand_cols(m, s, cols, 1, n, err);
}

sl_status sl_model_predict_batch(sl_model *m, sl_model_scratch *s,
                                 const sl_value *const *cols, size_t n,
                                 double *out, sl_error *err) {
  /* A linear model over numeric inputs needs no matrix: it adds each
   * input's column into the scores directly (no ONE_HOT, so no unseen
   * categories to count). */
  if (m->kind != SL_MODEL_XGBOOST && sl_model_linear_direct(&m->fs))
    return sl_model_linear_predict_values(
        &m->fs, m->coef, m->intercept,
        m->kind == SL_MODEL_LOGISTIC_REGRESSION, cols, n, out, err);

  sl_status rc = scratch_inputs(s, m->fs.n, err);
  if (!rc)
    rc = expand_cols(m, s, cols, 1, n, err);
  if (!rc)
    rc = sl_model_predict_matrix(m, s->x.data, n, out, err);
  return rc;
}

sl_status sl_model_predict_rows(sl_model *m, sl_model_scratch *s,
                                const sl_value *values, size_t n,
                                double *out, sl_error *err) {
  sl_status rc = scratch_inputs(s, m->fs.n, err);
  if (rc)
    return rc;
  for (int j = 0; j < m->fs.n; j++)
    s->cols[j] = values + j;
  rc = expand_cols(m, s, s->cols, (size_t)m->fs.n, n, err);
  if (!rc)
    rc = sl_model_predict_matrix(m, s->x.data, n, out, err);
  return rc;
}

bool sl_model_scores_matrix(const sl_model *m) {
  return m->kind == SL_MODEL_XGBOOST || !sl_model_linear_direct(&m->fs);
}

/* True when two inputs expand a value into the same columns. */
static bool same_expansion(const sl_model_feature *a,
                           const sl_model_feature *b) {
  if (a->type != b->type || a->transform != b->transform ||
      a->first_col != b->first_col || a->ncols != b->ncols)
    return false;
  switch (a->transform) {
  case SL_MODEL_TRANSFORM_ONE_HOT:
    return false;
  case SL_MODEL_TRANSFORM_STANDARDIZE:
    return memcmp(&a->mean, &b->mean, sizeof(double)) == 0 &&
           memcmp(&a->stddev, &b->stddev, sizeof(double)) == 0;
  case SL_MODEL_TRANSFORM_BUCKETIZE:
    return a->nedges == b->nedges &&
           (a->nedges == 0 ||
            memcmp(a->edges, b->edges,
                   (size_t)a->nedges * sizeof(double)) == 0);
  default:
    return true;
  }
}

bool sl_model_same_matrix(const sl_model *a, const sl_model *b) {
  const sl_model_features *fa = &a->fs, *fb = &b->fs;
  if (fa->n != fb->n || fa->ncols != fb->ncols)
    return false;
  for (int j = 0; j < fa->n; j++) {
    if (!same_expansion(&fa->items[j], &fb->items[j]))
      return false;
  }
  if (!fa->fill || !fb->fill)
    return !fa->fill && !fb->fill;
  return memcmp(fa->fill, fb->fill, (size_t)fa->ncols * sizeof(float)) == 0;
}

/* ---- Description --------------------------------------------------------- */

sl_model_kind sl_model_get_kind(const sl_model *m) { return m->kind; }

bool sl_model_is_classification(const sl_model *m) {
  return m->classification;
}

int sl_model_input_count(const sl_model *m) { return m->fs.n; }

const sl_model_feature *sl_model_input(const sl_model *m, int i) {
  return i >= 0 && i < m->fs.n ? &m->fs.items[i] : NULL;
}

int sl_model_input_find(const sl_model *m, const char *name) {
  for (int j = 0; j < m->fs.n; j++)
    if (strcasecmp(m->fs.items[j].name, name) == 0)
      return j;
  return -1;
}

int sl_model_column_count(const sl_model *m) { return m->fs.ncols; }

const sl_model_params *sl_model_get_params(const sl_model *m) {
  return &m->params;
}

const sl_model_metrics *sl_model_get_metrics(const sl_model *m,
                                             bool *on_holdout) {
  if (on_holdout)
    *on_holdout = m->metrics_on_holdout;
  return &m->metrics;
}

int64_t sl_model_training_rows(const sl_model *m) { return m->train_rows; }

int64_t sl_model_holdout_rows(const sl_model *m) { return m->holdout_rows; }

uint64_t sl_model_unseen_count(const sl_model *m, int i) {
  if (i >= 0)
    return i < m->fs.n ? atomic_load_explicit(&m->unseen[i],
                                              memory_order_relaxed)
                       : 0;
  uint64_t total = 0;
  for (int j = 0; j < m->fs.n; j++)
    total += atomic_load_explicit(&m->unseen[j], memory_order_relaxed);
  return total;
}

sl_status sl_model_params_json_of(const sl_model *m, sl_strbuf *out) {
  return sl_model_params_json(&m->params, out);
}

sl_status sl_model_metrics_json_of(const sl_model *m, sl_strbuf *out) {
  /* {"set":"holdout","rows":...}: the metrics object with the set in
   * front of its first field. */
  sl_strbuf tmp = SL_STRBUF_INIT;
  sl_status rc = sl_model_metrics_json(&m->metrics, &tmp);
  if (!rc) {
    const char *set = m->metrics.rows == 0 ? "none"
                      : m->metrics_on_holdout ? "holdout"
                                              : "training";
    sl_strbuf_appendf(out, "{\"set\":\"%s\",", set);
    sl_strbuf_append(out, tmp.data + 1, tmp.len - 1);
    rc = out->failed ? SL_ERR_NOMEM : SL_OK;
  }
  sl_strbuf_free(&tmp);
  return rc;
}

static void json_double(sl_strbuf *out, double v) {
  char buf[SL_FORMAT_DOUBLE_MAX];
  if (!isfinite(v)) {
    sl_strbuf_appends(out, "null");
    return;
  }
  sl_format_double(v, buf);
  sl_strbuf_appends(out, buf);
}

/* One input as a JSON object. */
static void describe_input(const sl_model_feature *f, sl_strbuf *out) {
  sl_strbuf_appends(out, "{\"name\":");
  sl_format_json_string(out, f->name, strlen(f->name));
  sl_strbuf_appendf(out, ",\"type\":\"%s\",\"transform\":\"%s\"",
                    sl_type_kind_name(f->type),
                    sl_model_transform_name(f->transform));
  sl_strbuf_appendf(out, ",\"columns\":%d,\"rows\":%lld,\"missing\":%lld",
                    f->ncols, (long long)f->count, (long long)f->missing);
  if (f->transform != SL_MODEL_TRANSFORM_ONE_HOT) {
    sl_strbuf_appends(out, ",\"mean\":");
    json_double(out, f->mean);
    sl_strbuf_appends(out, ",\"stddev\":");
    json_double(out, f->stddev);
  }
  if (f->transform == SL_MODEL_TRANSFORM_BUCKETIZE) {
    sl_strbuf_appends(out, ",\"edges\":[");
    for (int i = 0; i < f->nedges; i++) {
      if (i)
        sl_strbuf_appendc(out, ',');
      json_double(out, f->edges[i]);
    }
    sl_strbuf_appendc(out, ']');
  }
  if (f->transform == SL_MODEL_TRANSFORM_ONE_HOT && f->vocab) {
    sl_strbuf_appends(out, ",\"categories\":[");
    for (int32_t i = 0; i < f->vocab->n; i++) {
      size_t len;
      const char *key = sl_model_dict_key(f->vocab, i, &len);
      if (i)
        sl_strbuf_appendc(out, ',');
      sl_format_json_string(out, key, len);
    }
    sl_strbuf_appendc(out, ']');
  }
  sl_strbuf_appendc(out, '}');
}

sl_status sl_model_describe_json(const sl_model *m, sl_strbuf *out) {
  sl_strbuf_appendf(out, "{\"kind\":\"%s\",\"task\":\"%s\",\"inputs\":[",
                    sl_model_kind_name(m->kind),
                    m->classification ? "classification" : "regression");
  for (int j = 0; j < m->fs.n; j++) {
    if (j)
      sl_strbuf_appendc(out, ',');
    describe_input(&m->fs.items[j], out);
  }
  sl_strbuf_appendf(out, "],\"columns\":%d,\"params\":", m->fs.ncols);
  sl_model_params_json(&m->params, out);
  sl_strbuf_appendf(out, ",\"training_rows\":%lld,\"holdout_rows\":%lld",
                    (long long)m->train_rows, (long long)m->holdout_rows);
  sl_strbuf_appends(out, ",\"metrics\":");
  sl_model_metrics_json_of(m, out);
  sl_strbuf_appendc(out, '}');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

void *sl_model_xgboost_booster(const sl_model *m) { return m->booster; }

bool sl_model_native_trees(const sl_model *m) {
  return m->trees && m->threads == 1;
}

const double *sl_model_linear_coefficients(const sl_model *m,
                                           double *intercept) {
  if (intercept)
    *intercept = m->intercept;
  return m->coef;
}
