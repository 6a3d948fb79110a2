/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xgboost.c - gradient-boosted trees through libxgboost's C API.
 *
 * Training builds DMatrix objects from the dense float matrix (NaN is
 * XGBoost's missing value, so missing inputs stay missing), boosts one
 * round at a time so that progress (and cancellation) can be reported
 * after each, and keeps the booster.  Models are stored as XGBoost's JSON
 * model text.  Prediction is in-place on the caller's dense matrix
 * (XGBoosterPredictFromDense) with a fixed configuration: normal
 * prediction, all trees, strict shape, NaN missing, cache id 0 (the only
 * one this version accepts).  That prediction is the fallback: a model
 * whose trees Sluice's own evaluator covers (trees.c) is scored there,
 * set up by sl_model_xgb_native from the booster's JSON and checked
 * against XGBoost's prediction of probe rows before it is used.
 *
 * XGBoost reports failures by returning -1 and leaving a message in
 * XGBGetLastError (internally it throws C++ exceptions, which its C API
 * catches); that message is cleaned of its timestamp, source location and
 * stack trace and passed up.  XGBoost's own log lines are routed to the
 * Sluice logger.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "engine/common/log.h"
#include "engine/model/model_internal.h"

/* XGBoost's parameters that training passes through (learner, tree
 * booster, dart and objective parameters of 1.7), for
 * checking names before XGBoost silently ignores a misspelt one. */
static const char *const xgboost_params[] = {
    "alpha", "base_score", "booster", "colsample_bylevel",
    "colsample_bynode", "colsample_bytree", "disable_default_eval_metric",
    "eta", "eval_metric", "gamma", "grow_policy",
    "huber_slope", "interaction_constraints", "lambda", "learning_rate",
    "max_bin", "max_cat_threshold", "max_cat_to_onehot", "max_delta_step",
    "max_depth", "max_leaves", "min_child_weight", "min_split_loss",
    "monotone_constraints", "normalize_type", "nthread", "n_jobs",
    "num_parallel_tree", "objective", "one_drop", "predictor",
    "process_type", "random_state", "rate_drop", "refresh_leaf",
    "reg_alpha", "reg_lambda", "sample_type", "sampling_method",
    "scale_pos_weight", "seed", "seed_per_iteration", "sketch_eps",
    "skip_drop", "subsample", "tree_method",
    "tweedie_variance_power", "updater", "validate_parameters",
    "verbosity"};

/* Sluice's own training parameters (not passed to XGBoost). */
static const char *const sluice_params[] = {"rounds", "holdout"};

/* Objectives by the kind of model they make. */
static const char *const classifier_objectives[] = {"binary:logistic",
                                                    "reg:logistic"};
static const char *const regression_objectives[] = {
    "reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror",
    "reg:absoluteerror", "reg:gamma", "reg:tweedie", "count:poisson"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, list[i]) == 0)
      return true;
  return false;
}

/* ---- Errors and logging -------------------------------------------------- */

/* The first line of XGBoost's message, without "[hh:mm:ss] " and a
 * source location "path/file.cc:123: " in front, into buf.  Later lines
 * are the stack trace or a picture of where a parse failed. */
static void clean_message(const char *msg, char *buf, size_t size) {
  const char *p = msg ? msg : "unknown XGBoost error";
  if (*p == '[') {
    const char *close = strstr(p, "] ");
    if (close && close - p < 16)
      p = close + 2;
  }
  /* A location "file.cc:123:" in the first line (after a level such as
   * "WARNING: ") ends the prefix. */
  size_t line = strcspn(p, "\n");
  const char *const suffixes[] = {".cc:", ".h:", ".cpp:"};
  for (size_t k = 0; k < 3; k++) {
    const char *loc = strstr(p, suffixes[k]);
    if (!loc || loc >= p + line)
      continue;
    const char *q = loc + strlen(suffixes[k]);
    if (!isdigit((unsigned char)*q))
      continue;
    while (isdigit((unsigned char)*q))
      q++;
    if (*q == ':') {
      p = q + 1;
      break;
    }
  }
  /* "WARNING: file.cc:1: \nParameters: ..." starts on the next line. */
  while (isspace((unsigned char)*p))
    p++;
  size_t n = strcspn(p, "\n");
  while (n && isspace((unsigned char)p[n - 1]))
    n--;
  if (n >= size)
    n = size - 1;
  memcpy(buf, p, n);
  buf[n] = '\0';
}

/* Sets err to "what: <XGBoost's message>". */
static sl_status xgb_error(sl_error *err, sl_status code, const char *what) {
  char msg[SL_ERROR_MSG_MAX / 2];
  clean_message(XGBGetLastError(), msg, sizeof(msg));
  return sl_error_set(err, code, "%s: %s", what, msg);
}

static void xgb_log(const char *msg) {
  char buf[512];
  clean_message(msg, buf, sizeof(buf));
  SL_WARN(SL_MODEL_LOG, "xgboost: %s", buf);
}

static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void install_log(void) { XGBRegisterLogCallback(xgb_log); }

static void ensure_log(void) { pthread_once(&log_once, install_log); }

/* ---- Training ------------------------------------------------------------ */

/* A DMatrix of x with labels y. */
static sl_status make_dmatrix(const sl_model_matrix *x, const double *y,
                              DMatrixHandle *out, sl_error *err) {
  *out = NULL;
  float *labels = malloc((x->rows + 1) * sizeof(float));
  if (!labels)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for labels");
  for (size_t i = 0; i < x->rows; i++)
    labels[i] = (float)y[i];

  sl_status rc = SL_OK;
  if (XGDMatrixCreateFromMat(x->data, x->rows, x->cols, NAN, out) != 0) {
    rc = xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot take the matrix");
    *out = NULL;
  } else if (XGDMatrixSetFloatInfo(*out, "label", labels, x->rows) != 0) {
    rc = xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot take the labels");
    XGDMatrixFree(*out);
    *out = NULL;
  }
  free(labels);
  return rc;
}

/* Checks the parameter names and the objective, before any XGBoost
 * object exists. */
static sl_status check_params(const sl_model_params *params,
                              bool classification, const char **objective,
                              sl_error *err) {
  *objective = classification ? "binary:logistic" : "reg:squarederror";
  for (int i = 0; params && i < params->n; i++) {
    const char *key = params->items[i].key;
    if (in_list(key, sluice_params, COUNT(sluice_params)) ||
        in_list(key, xgboost_params, COUNT(xgboost_params)))
      continue;
    const char *near =
        sl_model_closest_name(key, xgboost_params, COUNT(xgboost_params));
    if (!near)
      near = sl_model_closest_name(key, sluice_params, COUNT(sluice_params));
    if (near)
      return sl_error_set(err, SL_ERR_SQL,
                          "unknown XGBOOST parameter %s; did you mean %s?",
                          key, near);
    return sl_error_set(err, SL_ERR_SQL,
                        "unknown XGBOOST parameter %s (expected rounds, "
                        "holdout or an XGBoost parameter such as max_depth)",
                        key);
  }

  const char *booster = sl_model_params_get(params, "booster");
  if (booster && strcmp(booster, "gbtree") != 0 &&
      strcmp(booster, "dart") != 0)
    return sl_error_set(err, SL_ERR_SQL,
                        "booster %s is not served; expected gbtree or dart "
                        "(LOGISTIC_REGRESSION and LINEAR_REGRESSION are the "
                        "linear models)",
                        booster);

  const char *obj = sl_model_params_get(params, "objective");
  if (obj) {
    bool ok = classification
                  ? in_list(obj, classifier_objectives,
                            COUNT(classifier_objectives))
                  : in_list(obj, regression_objectives,
                            COUNT(regression_objectives));
    if (!ok)
      return sl_error_set(err, SL_ERR_SQL,
                          "objective %s does not fit a %s label; expected "
                          "%s",
                          obj, classification ? "BOOLEAN" : "numeric",
                          classification
                              ? "binary:logistic or reg:logistic"
                              : "a regression objective such as "
                                "reg:squarederror");
    *objective = obj;
  }
  return SL_OK;
}

/* Sets the user's parameters on the booster; eval_metric may list
 * several metrics separated by commas. */
static sl_status set_params(BoosterHandle b, const sl_model_params *params,
                            const char *objective, sl_error *err) {
  if (XGBoosterSetParam(b, "objective", objective) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost rejects the objective");
  /* One training thread unless asked: OpenMP's default (every core, busy
   * waiting between regions) slows training down badly on a machine the
   * engine shares with its own threads. */
  if (!sl_model_params_get(params, "nthread") &&
      !sl_model_params_get(params, "n_jobs") &&
      XGBoosterSetParam(b, "nthread", "1") != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost rejects nthread");
  for (int i = 0; params && i < params->n; i++) {
    const char *key = params->items[i].key, *value = params->items[i].value;
    if (in_list(key, sluice_params, COUNT(sluice_params)) ||
        strcmp(key, "objective") == 0)
      continue;
    if (strcmp(key, "eval_metric") == 0) {
      const char *p = value;
      while (*p) {
        size_t n = strcspn(p, ",");
        char metric[64];
        while (n && isspace((unsigned char)*p))
          p++, n--;
        size_t m = n;
        while (m && isspace((unsigned char)p[m - 1]))
          m--;
        if (m == 0 || m >= sizeof(metric))
          return sl_error_set(err, SL_ERR_SQL, "bad eval_metric \"%s\"",
                              value);
        memcpy(metric, p, m);
        metric[m] = '\0';
        if (XGBoosterSetParam(b, "eval_metric", metric) != 0)
          return xgb_error(err, SL_ERR_SQL, "XGBoost rejects eval_metric");
        p += n;
        if (*p == ',')
          p++;
      }
      continue;
    }
    if (XGBoosterSetParam(b, key, value) != 0) {
      char what[128];
      snprintf(what, sizeof(what), "XGBoost rejects %s=%s", key, value);
      return xgb_error(err, SL_ERR_SQL, what);
    }
  }
  return SL_OK;
}

/* Reads the last metric of set `name` from an evaluation line such as
 * "[3]\ttrain-logloss:0.41\tholdout-logloss:0.45". */
static double eval_value(const char *line, const char *name, char *metric,
                         size_t size) {
  double value = NAN;
  size_t nlen = strlen(name);
  for (const char *p = strchr(line, '\t'); p; p = strchr(p, '\t')) {
    p++;
    if (strncmp(p, name, nlen) != 0 || p[nlen] != '-')
      continue;
    const char *start = p + nlen + 1;
    size_t tok = strcspn(start, "\t");
    const char *colon = NULL;
    for (size_t i = 0; i < tok; i++)
      if (start[i] == ':')
        colon = start + i;
    if (!colon)
      continue;
    size_t mlen = (size_t)(colon - start);
    if (metric && mlen < size) {
      memcpy(metric, start, mlen);
      metric[mlen] = '\0';
    }
    value = strtod(colon + 1, NULL);
  }
  return value;
}

sl_status sl_model_xgb_train(const sl_model_matrix *x, const double *y,
                             const sl_model_matrix *hx, const double *hy,
                             bool classification,
                             const sl_model_params *params,
                             sl_model_params *effective,
                             sl_model_progress_fn progress, void *ctx,
                             void **booster, sl_error *err) {
  *booster = NULL;
  ensure_log();

  long rounds;
  const char *objective;
  sl_status rc = check_params(params, classification, &objective, err);
  if (!rc)
    rc = sl_model_param_int(params, "rounds", 100, 1, 100000, &rounds, err);
  if (rc)
    return rc;

  DMatrixHandle dm[2] = {NULL, NULL};
  BoosterHandle b = NULL;
  bst_ulong nd = hx && hx->rows ? 2 : 1;
  rc = make_dmatrix(x, y, &dm[0], err);
  if (!rc && nd == 2)
    rc = make_dmatrix(hx, hy, &dm[1], err);
  if (rc)
    goto done;
  if (XGBoosterCreate(dm, nd, &b) != 0) {
    rc = xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot create a booster");
    b = NULL;
    goto done;
  }
  rc = set_params(b, params, objective, err);
  if (rc)
    goto done;

  const char *names[2] = {"train", "holdout"};
  for (int i = 0; i < (int)rounds; i++) {
    if (XGBoosterUpdateOneIter(b, i, dm[0]) != 0) {
      rc = xgb_error(err, SL_ERR_RUNTIME, "XGBoost training failed");
      goto done;
    }
    if (!progress)
      continue;
    const char *line;
    if (XGBoosterEvalOneIter(b, i, dm, names, nd, &line) != 0) {
      rc = xgb_error(err, SL_ERR_RUNTIME, "XGBoost evaluation failed");
      goto done;
    }
    char metric[64] = "";
    sl_model_progress pr = {i + 1, (int)rounds, metric,
                            eval_value(line, "train", metric,
                                       sizeof(metric)),
                            nd == 2 ? eval_value(line, "holdout", NULL, 0)
                                    : NAN};
    if (!progress(ctx, &pr)) {
      rc = sl_error_set(err, SL_ERR_RUNTIME, "training cancelled");
      goto done;
    }
  }

  char buf[32];
  snprintf(buf, sizeof(buf), "%ld", rounds);
  rc = sl_model_params_set(effective, "rounds", buf, err);
  if (!rc)
    rc = sl_model_params_set(effective, "objective", objective, err);
  if (!rc && !sl_model_params_get(params, "nthread") &&
      !sl_model_params_get(params, "n_jobs"))
    rc = sl_model_params_set(effective, "nthread", "1", err);
  if (!rc)
    rc = sl_model_xgb_set_threads(b, 1, err);

done:
  for (int i = 0; i < 2; i++)
    if (dm[i])
      XGDMatrixFree(dm[i]);
  if (rc) {
    if (b)
      XGBoosterFree(b);
    return rc;
  }
  *booster = b;
  return SL_OK;
}

/* ---- Storage ------------------------------------------------------------- */

sl_status sl_model_xgb_save(void *booster, sl_strbuf *b, sl_error *err) {
  bst_ulong len;
  const char *data;
  if (XGBoosterSaveModelToBuffer(booster, "{\"format\":\"json\"}", &len,
                                 &data) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot save the model");
  sl_model_put_u64(b, len);
  sl_model_put_bytes(b, data, len);
  return b->failed ? sl_error_set(err, SL_ERR_NOMEM,
                                  "out of memory serializing the model")
                   : SL_OK;
}

sl_status sl_model_xgb_load(const void *buf, size_t len, const char *what,
                            void **booster, sl_error *err) {
  ensure_log();
  *booster = NULL;
  BoosterHandle b;
  if (XGBoosterCreate(NULL, 0, &b) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot create a booster");
  if (XGBoosterLoadModelFromBuffer(b, buf, len) != 0) {
    char ctx[SL_ERROR_NAME_MAX + 32];
    snprintf(ctx, sizeof(ctx), "XGBoost cannot load %s", what);
    sl_status rc = xgb_error(err, SL_ERR_RUNTIME, ctx);
    XGBoosterFree(b);
    return rc;
  }
  sl_status rc = sl_model_xgb_set_threads(b, 1, err);
  if (rc) {
    XGBoosterFree(b);
    return rc;
  }
  *booster = b;
  return SL_OK;
}

sl_status sl_model_xgb_set_threads(void *booster, int threads,
                                   sl_error *err) {
  char buf[16];
  snprintf(buf, sizeof(buf), "%d", threads);
  if (XGBoosterSetParam(booster, "nthread", buf) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost rejects nthread");
  return SL_OK;
}

void sl_model_xgb_free(void *booster) {
  if (booster)
    XGBoosterFree(booster);
}

/* ---- Prediction ---------------------------------------------------------- */

static const char predict_config[] =
    "{\"type\":0,\"training\":false,\"iteration_begin\":0,"
    "\"iteration_end\":0,\"strict_shape\":true,\"cache_id\":0,"
    "\"missing\":NaN}";

sl_status sl_model_xgb_predict(void *booster, const float *x, size_t n,
                               size_t cols, double *out, sl_error *err) {
  if (n == 0)
    return SL_OK;

  /* The matrix in numpy's __array_interface__ form, read-only. */
  char values[160];
  snprintf(values, sizeof(values),
           "{\"data\":[%" PRIuPTR ",true],\"shape\":[%zu,%zu],"
           "\"typestr\":\"<f4\",\"version\":3}",
           (uintptr_t)x, n, cols);

  const bst_ulong *shape;
  bst_ulong dim;
  const float *result;
  if (XGBoosterPredictFromDense(booster, values, predict_config, NULL,
                                &shape, &dim, &result) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost prediction failed");
  if (dim != 2 || shape[0] != n || shape[1] != 1)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "XGBoost prediction returned %" PRIu64
                        " dimensions (%" PRIu64 " x %" PRIu64
                        "); expected %zu x 1",
                        (uint64_t)dim, (uint64_t)(dim ? shape[0] : 0),
                        (uint64_t)(dim > 1 ? shape[1] : 0), n);
  for (size_t i = 0; i < n; i++)
    out[i] = result[i];
  return SL_OK;
}

/* ---- The native evaluator ------------------------------------------------ */

/* Probe rows scored both ways before the native evaluator is trusted
 * (fewer for a model of very many columns, to bound their memory). */
#define PROBE_ROWS 256
#define PROBE_ROWS_WIDE 16
#define PROBE_WIDE_COLUMNS 4096

sl_status sl_model_xgb_native(void *booster, size_t cols, sl_trees **out,
                              sl_error *err) {
  *out = NULL;
  bst_ulong len;
  const char *json;
  if (XGBoosterSaveModelToBuffer(booster, "{\"format\":\"json\"}", &len,
                                 &json) != 0) {
    char msg[SL_ERROR_MSG_MAX / 2];
    clean_message(XGBGetLastError(), msg, sizeof(msg));
    SL_DEBUG(SL_MODEL_LOG,
             "trees scored by XGBoost: it cannot save the model: %s", msg);
    return SL_OK;
  }
  char why[256];
  sl_trees *t = NULL;
  sl_status rc = sl_trees_from_json(json, (size_t)len, &t, why, sizeof(why),
                                    err);
  if (rc)
    return rc;
  if (!t) {
    SL_DEBUG(SL_MODEL_LOG, "trees scored by XGBoost: the model has %s",
             why);
    return SL_OK;
  }
  if (sl_trees_features(t) != cols) {
    SL_DEBUG(SL_MODEL_LOG,
             "trees scored by XGBoost: the model reads %zu columns, the "
             "inputs expand to %zu",
             sl_trees_features(t), cols);
    sl_trees_free(t);
    return SL_OK;
  }

  /* The evaluator reproduces XGBoost 1.7's arithmetic; a library that
   * computes otherwise must not change the scores, so both score the
   * probe rows and must agree. */
  size_t n = cols <= PROBE_WIDE_COLUMNS ? PROBE_ROWS : PROBE_ROWS_WIDE;
  float *x = malloc(n * cols * sizeof(float));
  double *mine = malloc(2 * n * sizeof(double));
  if (!x || !mine) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory checking trees");
    goto done;
  }
  double *theirs = mine + n;
  rc = sl_trees_probe(t, n, x, err);
  if (!rc)
    rc = sl_trees_predict(t, x, n, mine, err);
  if (rc)
    goto done;
  /* When XGBoost cannot score, nothing is checked, and prediction
   * reports XGBoost's error as it would without the evaluator. */
  sl_error xerr;
  sl_error_clear(&xerr);
  if (sl_model_xgb_predict(booster, x, n, cols, theirs, &xerr)) {
    SL_DEBUG(SL_MODEL_LOG, "trees scored by XGBoost: %s", xerr.message);
    sl_trees_free(t);
    t = NULL;
  }
  for (size_t i = 0; t && i < n; i++) {
    if (fabs(mine[i] - theirs[i]) <= 1e-6 * fmax(1, fabs(theirs[i])) ||
        (isnan(mine[i]) && isnan(theirs[i])))
      continue;
    SL_WARN(SL_MODEL_LOG,
            "trees scored by XGBoost: the native evaluator gives %.9g "
            "where XGBoost gives %.9g (probe row %zu)",
            mine[i], theirs[i], i);
    sl_trees_free(t);
    t = NULL;
    break;
  }

done:
  free(x);
  free(mine);
  if (rc) {
    sl_trees_free(t);
    return rc;
  }
  *out = t;
  return SL_OK;
}

/* ---- Inspection ---------------------------------------------------------- */

/* Finds "key":"value" in JSON text and copies value (no escapes expected
 * in XGBoost's objective names). */
static bool json_string_field(const char *json, const char *key, char *buf,
                              size_t size) {
  char pattern[64];
  snprintf(pattern, sizeof(pattern), "\"%s\":\"", key);
  const char *p = strstr(json, pattern);
  if (!p)
    return false;
  p += strlen(pattern);
  size_t n = strcspn(p, "\"");
  if (n >= size)
    return false;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return true;
}

/* A copy of n strings. */
static char **copy_strings(const char **src, bst_ulong n) {
  char **dst = calloc(n + 1, sizeof(char *));
  if (!dst)
    return NULL;
  for (bst_ulong i = 0; i < n; i++) {
    dst[i] = strdup(src[i]);
    if (!dst[i]) {
      for (bst_ulong k = 0; k < i; k++)
        free(dst[k]);
      free(dst);
      return NULL;
    }
  }
  return dst;
}

static void free_strings(char **s, uint64_t n) {
  if (!s)
    return;
  for (uint64_t i = 0; i < n; i++)
    free(s[i]);
  free(s);
}

void sl_model_xgb_info_free(sl_model_xgb_info *info) {
  free_strings(info->names, info->nfeatures);
  free_strings(info->types, info->nfeatures);
  info->names = NULL;
  info->types = NULL;
}

sl_status sl_model_xgb_inspect(void *booster, sl_model_xgb_info *info,
                               sl_error *err) {
  memset(info, 0, sizeof(*info));
  bst_ulong nf;
  if (XGBoosterGetNumFeature(booster, &nf) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot count features");
  info->nfeatures = nf;
  int rounds = 0;
  if (XGBoosterBoostedRounds(booster, &rounds) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot count rounds");
  info->rounds = rounds;

  bst_ulong len;
  const char *config;
  if (XGBoosterSaveJsonConfig(booster, &len, &config) != 0)
    return xgb_error(err, SL_ERR_RUNTIME, "XGBoost cannot show its config");
  if (!json_string_field(config, "objective", info->objective,
                         sizeof(info->objective)))
    snprintf(info->objective, sizeof(info->objective), "unknown");

  const char **strs;
  bst_ulong n;
  if (XGBoosterGetStrFeatureInfo(booster, "feature_name", &n, &strs) != 0)
    return xgb_error(err, SL_ERR_RUNTIME,
                     "XGBoost cannot list feature names");
  if (n && n == nf) {
    info->names = copy_strings(strs, n);
    if (!info->names)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  if (XGBoosterGetStrFeatureInfo(booster, "feature_type", &n, &strs) != 0) {
    sl_model_xgb_info_free(info);
    return xgb_error(err, SL_ERR_RUNTIME,
                     "XGBoost cannot list feature types");
  }
  if (n && n == nf) {
    info->types = copy_strings(strs, n);
    if (!info->types) {
      sl_model_xgb_info_free(info);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
  }
  return SL_OK;
}
