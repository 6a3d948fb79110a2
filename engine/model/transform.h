/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transform.h - model inputs and their frozen transforms.
 *
 * `FEATURES (amount, STANDARDIZE(age), ONE_HOT(country),
 * BUCKETIZE(score, [300, 600, 750]))` declares the model's inputs in
 * order.  Each input is described by an sl_model_input_def; training
 * computes its statistics on the training rows and freezes them into an
 * sl_model_feature, which is stored with the model version.  Prediction
 * applies the frozen statistics, never running ones, so a stream whose
 * distribution drifts is scored exactly as the training rows were.
 *
 * What each transform writes into the matrix (missing = NULL or a
 * non-finite DOUBLE):
 *   plain        1 column: the number; BOOLEAN as 0 or 1.
 *   STANDARDIZE  1 column: (x - mean) / stddev with the training mean and
 *                population standard deviation (divisor n, as
 *                scikit-learn's StandardScaler); a zero stddev divides
 *                by 1 instead, so the column is x - mean.
 *   BUCKETIZE    1 column: the bucket index 0..nedges.  Buckets are
 *                half-open [edges[i-1], edges[i]): x < edges[0] is 0, x in
 *                [edges[i-1], edges[i]) is i, x >= edges[nedges-1] is
 *                nedges.  Edges are finite and strictly ascending.
 *   ONE_HOT      one column per category seen in the training rows, in a
 *                deterministic order (VARCHAR bytewise, which is code
 *                point order; integers numerically; false before true): 1
 *                in the category's column, 0 elsewhere.  A category not
 *                seen in training is all zeros and is counted.
 * A missing input is NaN in each of its columns for XGBoost, which learns
 * where missing values go; linear models replace it with the column's
 * training mean (the fill values, frozen with the model).
 *
 * Input types: plain, STANDARDIZE and BUCKETIZE take INT, BIGINT, DOUBLE,
 * DECIMAL or BOOLEAN; ONE_HOT takes VARCHAR, INT, BIGINT or BOOLEAN.
 */
#ifndef SLUICE_MODEL_TRANSFORM_H
#define SLUICE_MODEL_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/strbuf.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

typedef enum sl_model_transform {
  SL_MODEL_TRANSFORM_NONE = 0,
  SL_MODEL_TRANSFORM_STANDARDIZE,
  SL_MODEL_TRANSFORM_ONE_HOT,
  SL_MODEL_TRANSFORM_BUCKETIZE
} sl_model_transform;

/* At most this many ONE_HOT categories per input. */
#define SL_MODEL_MAX_CATEGORIES 4096
/* At most this many BUCKETIZE edges. */
#define SL_MODEL_MAX_EDGES 1024

/* One input as the statement declares it.  The pointers are borrowed. */
typedef struct sl_model_input_def {
  const char *name;
  sl_type_kind type;           /* the input expression's type */
  sl_model_transform transform;
  const double *edges;         /* BUCKETIZE only */
  int nedges;
} sl_model_input_def;

typedef struct sl_model_dict sl_model_dict;

/* One input with its frozen statistics.  Owned by its feature set. */
typedef struct sl_model_feature {
  char *name;
  sl_type_kind type;
  sl_model_transform transform;
  int first_col;        /* its first matrix column */
  int ncols;            /* how many columns it expands to */
  int64_t count;        /* training rows with a value */
  int64_t missing;      /* training rows without one */
  double mean;          /* numeric inputs: training mean */
  double stddev;        /* numeric inputs: population stddev */
  double *edges;        /* BUCKETIZE */
  int nedges;
  sl_model_dict *vocab; /* ONE_HOT: the categories, index = column */
} sl_model_feature;

/* The inputs of one model and the columns they expand to. */
typedef struct sl_model_features {
  int n;
  sl_model_feature *items;
  int ncols;
  float *fill; /* ncols values for missing inputs; NULL keeps NaN */
} sl_model_features;

/* "NONE", "STANDARDIZE", "ONE_HOT", "BUCKETIZE". */
const char *sl_model_transform_name(sl_model_transform t);

/* Looks a transform up by its SQL name (case-insensitive); false when
 * there is none of that name. */
bool sl_model_transform_from_name(const char *name, sl_model_transform *out);

/* Checks that def's type suits its transform and that BUCKETIZE edges
 * are finite and strictly ascending.  Returns SL_ERR_SQL with a message
 * naming the input, the type found and the types expected. */
sl_status sl_model_transform_check(const sl_model_input_def *def,
                                   sl_error *err);

/* Reads v as the number an input of type `type` feeds a plain,
 * STANDARDIZE or BUCKETIZE transform: NULL and non-finite doubles give
 * NaN.  Returns false when v's kind does not fit the type (numeric types
 * take any numeric kind, BOOLEAN only BOOLEAN). */
bool sl_model_transform_number(sl_type_kind type, const sl_value *v,
                               double *out);

/* The category text of v for a ONE_HOT input of type `type`: a
 * VARCHAR's bytes, "true"/"false", an integer's decimal digits.  buf
 * (at least 24 bytes) holds the digits and booleans.  *len is 0 and
 * *key NULL for NULL.  Returns false when v's kind does not fit. */
bool sl_model_transform_category(sl_type_kind type, const sl_value *v,
                                 char *buf, const char **key, size_t *len);

/* The bucket index of x (not NaN) among f's edges. */
int sl_model_transform_bucket(const sl_model_feature *f, double x);

/* Writes the columns of a numeric input (plain, STANDARDIZE, BUCKETIZE)
 * for the value x (NaN when missing) at out[0]; fill is NULL or f's fill
 * value. */
void sl_model_transform_apply_number(const sl_model_feature *f, double x,
                                     const float *fill, float *out);

/* Writes the ncols columns of a ONE_HOT input: index is the category's
 * column, -1 for a missing value (NaN or fill), -2 for a category unseen
 * in training (all zeros). */
void sl_model_transform_apply_category(const sl_model_feature *f,
                                       int32_t index, const float *fill,
                                       float *out);

/* The column of a category text, or -1 when training never saw it. */
int32_t sl_model_transform_lookup(const sl_model_feature *f,
                                  const char *key, size_t len);

/* Expands inputs into rows of the matrix `out` (n rows of fs->ncols).
 * Input j of row i is cols[j][i * stride].  unseen (fs->n counters, may
 * be NULL) is incremented per ONE_HOT value unseen in training.  Returns
 * SL_ERR_RUNTIME naming the input and row when a value's kind does not
 * fit its input. */
sl_status sl_model_features_expand(const sl_model_features *fs,
                                   const sl_value *const *cols,
                                   size_t stride, size_t n, float *out,
                                   uint64_t *unseen, sl_error *err);

/* For input j, which must be numeric with one matrix column (any
 * transform but ONE_HOT): adds w times the value sl_model_features_expand
 * would write into that column, as a double, to acc[i] for rows
 * [begin, begin + n) of col.  Errors as sl_model_features_expand. */
sl_status sl_model_features_accumulate(const sl_model_features *fs, int j,
                                       const sl_value *col, size_t begin,
                                       size_t n, double w, double *acc,
                                       sl_error *err);

/* The same for the common case, without a branch per value: when input
 * j is a plain or STANDARDIZE DOUBLE, adds w times the float of
 * each DOUBLE value (its transform) or NULL (the fill) to acc[i] and
 * returns true; a value of another kind, or one that is not finite,
 * makes its row's sum NaN or infinite instead, for the caller to redo
 * that row with sl_model_features_accumulate.  Returns false, adding
 * nothing, for the other inputs. */
bool sl_model_features_accumulate_fast(const sl_model_features *fs, int j,
                                       const sl_value *col, size_t begin,
                                       size_t n, double w, double *acc);

/* One line describing feature i for DESCRIBE, e.g.
 * `STANDARDIZE(age) DOUBLE mean=41.2 stddev=12.5` or
 * `ONE_HOT(country) VARCHAR 3 categories: "DE", "FR", "NL"` (at most 10
 * categories named). */
sl_status sl_model_feature_describe(const sl_model_feature *f,
                                    sl_strbuf *out);

/* Frees every feature and the fill values; fs is empty afterwards. */
void sl_model_features_free(sl_model_features *fs);

#endif /* SLUICE_MODEL_TRANSFORM_H */
