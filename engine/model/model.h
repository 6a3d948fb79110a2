/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model.h - trained models: training, storage, batch prediction and
 * description.
 *
 * A model is one trained version: its kind, its inputs with their frozen
 * transforms (transform.h), the effective training parameters, the
 * metrics measured on the holdout rows, and the learned part: an XGBoost
 * booster or a linear model's coefficients.  sl_model_serialize turns all
 * of it into one blob (the catalog keeps it with the version);
 * sl_model_deserialize brings it back, and both give the same
 * predictions.
 *
 * Kinds and their parameters (WITH options; anything else is an error
 * naming it):
 *   XGBOOST   gradient-boosted trees through libxgboost: binary:logistic
 *             for a BOOLEAN label, reg:squarederror for a numeric one.
 *             rounds (default 100) boosting rounds; holdout; and
 *             XGBoost's own parameters passed through as text: max_depth,
 *             eta, subsample, colsample_bytree, min_child_weight, lambda,
 *             alpha, gamma, scale_pos_weight, seed, nthread, tree_method,
 *             max_bin, eval_metric (a comma-separated list), objective
 *             (of the label's family), ... (see xgboost_params in
 *             xgboost.c).  nthread is the training thread count
 *             (default 1).  booster gbtree (default) or dart.
 *   LOGISTIC_REGRESSION (BOOLEAN label) and LINEAR_REGRESSION (numeric
 *             label): L2-regularised, fitted on internally standardized
 *             columns.  l2 (default 1.0) is the penalty on the
 *             standardized coefficients: logistic minimises the summed
 *             log loss + l2/2 * |b|^2 by Newton's method (max_iter,
 *             default 100; tol, default 1e-12, on the Newton decrement
 *             relative to the loss); linear minimises the summed squared
 *             error + l2 * |b|^2 by a Cholesky solve of the normal
 *             equations.  The intercept is not penalised; columns constant
 *             in training get coefficient 0.  Coefficients are stored on
 *             the original (transformed) columns, so prediction is one
 *             dot product per row.
 *   holdout   (all kinds, default 0) the fraction of rows, the last ones
 *             in the order given, kept out of training to measure the
 *             metrics; without it the metrics are those on the training
 *             rows.
 *
 * Prediction: the positive class's probability for a classifier, the
 * value for a regression.  sl_model_predict_batch expands one batch of
 * input values into one dense matrix (held by the caller's scratch, which
 * grows to the largest batch and is then reused) and makes one model
 * call: no allocation per row.  An XGBoost model's trees are scored by
 * Sluice's own evaluator (trees.h) when it covers the model, with
 * XGBoost's scores, and by XGBoost otherwise (engine/model/README.md).
 * A model is read-only while it predicts, so threads may share it, each
 * with its own scratch; the counters of unseen categories are atomic.
 * Call sl_model_set_threads before sharing.
 */
#ifndef SLUICE_MODEL_MODEL_H
#define SLUICE_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/model/data.h"
#include "engine/model/matrix.h"
#include "engine/model/metrics.h"
#include "engine/model/params.h"
#include "engine/model/transform.h"
#include "engine/types/strbuf.h"
#include "engine/types/value.h"

typedef enum sl_model_kind {
  SL_MODEL_XGBOOST = 1,
  SL_MODEL_LOGISTIC_REGRESSION,
  SL_MODEL_LINEAR_REGRESSION
} sl_model_kind;

typedef struct sl_model sl_model;

/* "XGBOOST", "LOGISTIC_REGRESSION", "LINEAR_REGRESSION". */
const char *sl_model_kind_name(sl_model_kind kind);

/* Looks a kind up by its SQL name (case-insensitive). */
bool sl_model_kind_from_name(const char *name, sl_model_kind *out);

/* ---- Training ------------------------------------------------------------ */

/* Progress of training, reported once per boosting round (XGBoost) or
 * solver iteration (linear models). */
typedef struct sl_model_progress {
  int round;          /* 1-based */
  int rounds;         /* the total, or the iteration limit */
  const char *metric; /* "logloss", "rmse", ... */
  double train;       /* the metric on the training rows */
  double holdout;     /* on the holdout rows; NaN without holdout */
} sl_model_progress;

/* Called after each round; returning false cancels training, which then
 * fails with SL_ERR_RUNTIME "training cancelled". */
typedef bool (*sl_model_progress_fn)(void *ctx, const sl_model_progress *p);

/* Trains a model of `kind` on data with params (may be NULL: defaults).
 * Statistics of the transforms are computed on the training rows (not
 * the holdout) and frozen into the model.  progress may be NULL.
 * On success *out is the new model (free it with sl_model_free).
 * Errors, with *out NULL: SL_ERR_RUNTIME when there are no rows (or none
 * left for training after the holdout), when a classifier's training
 * rows hold one class only, when the kind does not fit the label
 * (LOGISTIC_REGRESSION needs a BOOLEAN label, LINEAR_REGRESSION a numeric
 * one), or when XGBoost fails (its message is passed on); SL_ERR_SQL for
 * an unknown parameter or a bad parameter value. */
sl_status sl_model_train(sl_model_kind kind, const sl_model_data *data,
                         const sl_model_params *params,
                         sl_model_progress_fn progress, void *ctx,
                         sl_model **out, sl_error *err);

/* Imports an XGBoost model trained elsewhere from a JSON model file
 * (Booster.save_model("model.json")).  Its inputs are defs (plain or
 * BUCKETIZE only, since there are no training rows to compute other
 * statistics from; names must match the file's feature names when it has
 * them), or, with ndefs 0, the file's own feature names (f0, f1, ...
 * when it has none) as DOUBLE inputs (BOOLEAN for indicator features).
 * The objective must be binary:logistic or reg:logistic (a classifier)
 * or a regression objective.  Errors: SL_ERR_IO when the file cannot be
 * read; SL_ERR_RUNTIME naming the file when it is not a JSON model,
 * XGBoost rejects it (XGBoost's own message follows), or its objective,
 * feature count or feature names do not fit. */
sl_status sl_model_import_xgboost(const char *path,
                                  const sl_model_input_def *defs, int ndefs,
                                  sl_model **out, sl_error *err);

/* ---- Storage ------------------------------------------------------------- */

/* Serializes the whole model (kind, inputs with frozen statistics,
 * parameters, metrics, booster or coefficients) into a new blob in
 * *blob (free it with free()) of *len bytes.  The format is versioned
 * binary with a checksum, and XGBoost's part is its JSON model. */
sl_status sl_model_serialize(const sl_model *m, void **blob, size_t *len,
                             sl_error *err);

/* Reads a blob written by sl_model_serialize.  Returns SL_ERR_RUNTIME
 * "corrupt model blob: ..." for a truncated or damaged blob, or one
 * written by a newer format version; *out is NULL then. */
sl_status sl_model_deserialize(const void *blob, size_t len, sl_model **out,
                               sl_error *err);

/* Frees the model.  Accepts NULL. */
void sl_model_free(sl_model *m);

/* ---- Prediction ---------------------------------------------------------- */

/* Per-caller working memory for prediction.  Zero-initialize it (or use
 * sl_model_scratch_init); it may serve any model. */
typedef struct sl_model_scratch {
  sl_model_matrix x;
  const sl_value **cols; /* column pointers for row-major input */
  uint64_t *unseen;      /* per input */
  int cap_inputs;
} sl_model_scratch;

/* An empty scratch; it grows on first use. */
void sl_model_scratch_init(sl_model_scratch *s);

/* Frees what the scratch holds; it may be used again afterwards. */
void sl_model_scratch_free(sl_model_scratch *s);

/* The thread count XGBoost prediction uses (default 1; the engine runs
 * partitions in parallel itself).  The native tree evaluator scores a
 * batch on one thread, so more than one hands the model's scoring to
 * XGBoost.  Not thread-safe: call it before the model is shared.  Linear
 * models ignore it. */
sl_status sl_model_set_threads(sl_model *m, int threads, sl_error *err);

/* Scores n rows whose inputs come as columns: cols[j][i] is input j of
 * row i, in the order of sl_model_input.  out receives n scores.  Errors:
 * SL_ERR_RUNTIME when a value's kind does not fit its input (naming both)
 * or XGBoost fails; SL_ERR_NOMEM when the scratch cannot grow. */
sl_status sl_model_predict_batch(sl_model *m, sl_model_scratch *s,
                                 const sl_value *const *cols, size_t n,
                                 double *out, sl_error *err);

/* Like sl_model_predict_batch with row-major input: values[i * ninputs +
 * j] is input j of row i. */
sl_status sl_model_predict_rows(sl_model *m, sl_model_scratch *s,
                                const sl_value *values, size_t n,
                                double *out, sl_error *err);

/* Expands n rows of inputs (as in sl_model_predict_batch) into s->x with
 * the frozen transforms, without scoring them: the matrix the model
 * would read.  Counts unseen categories like prediction does. */
sl_status sl_model_expand_batch(sl_model *m, sl_model_scratch *s,
                                const sl_value *const *cols, size_t n,
                                sl_error *err);

/* Scores n rows of an already expanded matrix x (n rows of
 * sl_model_column_count floats, NaN = missing). */
sl_status sl_model_predict_matrix(const sl_model *m, const float *x,
                                  size_t n, double *out, sl_error *err);

/* True when sl_model_predict_batch expands a matrix for m (an XGBoost
 * model, or a linear one with a ONE_HOT input); false when it scores
 * the value columns directly. */
bool sl_model_scores_matrix(const sl_model *m);

/* True when a and b expand every batch into the same matrix: the same
 * input types, transforms, frozen statistics and fill values, and no
 * ONE_HOT input (whose unseen categories each model counts itself).
 * One expanded batch may then be scored by both with
 * sl_model_predict_matrix. */
bool sl_model_same_matrix(const sl_model *a, const sl_model *b);

/* ---- Description --------------------------------------------------------- */

/* The kind, and whether the model is a classifier (BOOLEAN label,
 * scores are probabilities) or a regression. */
sl_model_kind sl_model_get_kind(const sl_model *m);
bool sl_model_is_classification(const sl_model *m);

/* The inputs in order (what PREDICT(m, v1, v2, ...) takes). */
int sl_model_input_count(const sl_model *m);
const sl_model_feature *sl_model_input(const sl_model *m, int i);

/* Index of the input called name (case-insensitive), or -1. */
int sl_model_input_find(const sl_model *m, const char *name);

/* Matrix columns the inputs expand to. */
int sl_model_column_count(const sl_model *m);

/* The effective parameters (defaults filled in). */
const sl_model_params *sl_model_get_params(const sl_model *m);

/* Metrics measured at training: on the holdout rows when there were
 * some (*on_holdout true), else on the training rows.  An imported model
 * has none (rows 0). */
const sl_model_metrics *sl_model_get_metrics(const sl_model *m,
                                             bool *on_holdout);

/* Rows trained on, and rows held out. */
int64_t sl_model_training_rows(const sl_model *m);
int64_t sl_model_holdout_rows(const sl_model *m);

/* Values of ONE_HOT input i unseen in training, predicted since the model
 * was loaded; the total over all inputs with i = -1. */
uint64_t sl_model_unseen_count(const sl_model *m, int i);

/* Appends a JSON object describing the model for DESCRIBE: kind, task,
 * inputs in order (name, type, transform, frozen statistics), columns,
 * parameters, rows and metrics. */
sl_status sl_model_describe_json(const sl_model *m, sl_strbuf *out);

/* Appends the parameters as JSON (the catalog's params text). */
sl_status sl_model_params_json_of(const sl_model *m, sl_strbuf *out);

/* Appends the training metrics as JSON (the catalog's metrics text),
 * with "set":"holdout" or "set":"training" ("none" for an imported
 * model, which has no metrics). */
sl_status sl_model_metrics_json_of(const sl_model *m, sl_strbuf *out);

/* For benchmarks and tests: the XGBoost BoosterHandle (NULL for other
 * kinds), and a linear model's coefficients (one per column; NULL for
 * XGBoost) and intercept. */
void *sl_model_xgboost_booster(const sl_model *m);
/* True when an XGBoost model's trees are scored by Sluice's own
 * evaluator (engine/model/trees.h), false when XGBoost scores them (see
 * engine/model/README.md for when). */
bool sl_model_native_trees(const sl_model *m);
const double *sl_model_linear_coefficients(const sl_model *m,
                                           double *intercept);

#endif /* SLUICE_MODEL_MODEL_H */
