/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/model/trees.c, the native evaluator of XGBoost
 * tree ensembles.  Models trained here through XGBoost's C API (binary
 * and regression objectives, missing values in training and scoring,
 * depths up to 12, 50 trees and more, hist and exact split finding) and
 * models written by hand (trees 20 and 40 levels deep, a single leaf)
 * are scored by the evaluator and by XGBoosterPredictFromDense on the
 * same random rows, many of them exactly on a split value or one float
 * away from it, and must agree to 1e-6 (they agree to the bit).  Models
 * the evaluator does not cover (dart, several classes, categorical
 * splits, children out of order, an infinite split value) are refused
 * with a reason, and the model API then scores through XGBoost.
 */
#include "test_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "engine/model/model.h"
#include "engine/model/trees.h"
#include "engine/types/strbuf.h"

/* A deterministic generator, so that a failure repeats. */
static uint64_t rng_state;

static double uniform(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* ---- Data and models ----------------------------------------------------- */

/* n rows of nf features: even features continuous in [-50, 50), odd
 * ones small integers (many ties), about one value in eight missing. */
static float *random_x(size_t n, size_t nf) {
  float *x = malloc(n * nf * sizeof(float));
  assert_non_null(x);
  for (size_t i = 0; i < n * nf; i++) {
    size_t f = i % nf;
    double u = uniform();
    if (u < 0.125)
      x[i] = NAN;
    else if (f % 2 == 0)
      x[i] = (float)(uniform() * 100 - 50);
    else
      x[i] = (float)(int)(uniform() * 10);
  }
  return x;
}

/* A value of feature f of row x, with a missing one counting as v. */
static double value_or(const float *row, size_t f, double v) {
  return isnan(row[f]) ? v : row[f];
}

typedef enum label_kind {
  LABEL_BINARY,   /* 0/1 from a nonlinear rule, missing values matter */
  LABEL_REAL,     /* a real value around 200 */
  LABEL_POSITIVE, /* a positive count-like value */
  LABEL_UNIT      /* a value in [0, 1] */
} label_kind;

static float *labels(const float *x, size_t n, size_t nf, label_kind kind) {
  float *y = malloc(n * sizeof(float));
  assert_non_null(y);
  for (size_t i = 0; i < n; i++) {
    const float *r = x + i * nf;
    double z = value_or(r, 0, 10) / 25 + value_or(r, 1, 8) / 3 -
               (value_or(r, 2, -40) > 10 ? 1.5 : 0) +
               value_or(r, 3, 0) * value_or(r, 4, 5) / 40 +
               (uniform() - 0.5);
    switch (kind) {
    case LABEL_BINARY:
      y[i] = z > 1.2 ? 1.0f : 0.0f;
      break;
    case LABEL_REAL:
      y[i] = (float)(200 + 30 * z);
      break;
    case LABEL_POSITIVE:
      y[i] = (float)floor(exp(z / 2) + uniform());
      if (y[i] <= 0)
        y[i] = 0.5f;
      break;
    case LABEL_UNIT:
      y[i] = (float)(1 / (1 + exp(-(z - 1.2))));
      break;
    }
  }
  return y;
}

/* A booster trained on x/y with kv (name, value, ..., NULL) for rounds
 * rounds, on one thread. */
static BoosterHandle train_booster(const float *x, const float *y, size_t n,
                                   size_t nf, const char *const *kv,
                                   int rounds) {
  DMatrixHandle dm;
  assert_int_equal(XGDMatrixCreateFromMat(x, n, nf, NAN, &dm), 0);
  assert_int_equal(XGDMatrixSetFloatInfo(dm, "label", y, n), 0);
  BoosterHandle b;
  assert_int_equal(XGBoosterCreate(&dm, 1, &b), 0);
  assert_int_equal(XGBoosterSetParam(b, "nthread", "1"), 0);
  for (int i = 0; kv[i]; i += 2)
    if (XGBoosterSetParam(b, kv[i], kv[i + 1]) != 0)
      fail_msg("%s=%s: %s", kv[i], kv[i + 1], XGBGetLastError());
  for (int i = 0; i < rounds; i++)
    if (XGBoosterUpdateOneIter(b, i, dm) != 0)
      fail_msg("round %d: %s", i, XGBGetLastError());
  XGDMatrixFree(dm);
  return b;
}

/* The booster's JSON model; valid until the booster's next call. */
static const char *booster_json(BoosterHandle b, size_t *len) {
  bst_ulong n;
  const char *json;
  assert_int_equal(
      XGBoosterSaveModelToBuffer(b, "{\"format\":\"json\"}", &n, &json), 0);
  *len = (size_t)n;
  return json;
}

/* The evaluator of b's trees, which must cover it. */
static sl_trees *evaluator_of(BoosterHandle b) {
  size_t len;
  const char *json = booster_json(b, &len);
  char why[256] = "";
  sl_error err;
  sl_error_clear(&err);
  sl_trees *t = NULL;
  assert_int_equal(sl_trees_from_json(json, len, &t, why, sizeof(why), &err),
                   SL_OK);
  if (!t)
    fail_msg("the evaluator refuses the model: %s", why);
  return t;
}

/* XGBoost's own scores of n rows of x, as PREDICT asked for them before
 * the evaluator existed. */
static void xgboost_scores(BoosterHandle b, const float *x, size_t n,
                           size_t nf, double *out) {
  static const char config[] =
      "{\"type\":0,\"training\":false,\"iteration_begin\":0,"
      "\"iteration_end\":0,\"strict_shape\":true,\"cache_id\":0,"
      "\"missing\":NaN}";
  char values[160];
  snprintf(values, sizeof(values),
           "{\"data\":[%zu,true],\"shape\":[%zu,%zu],\"typestr\":\"<f4\","
           "\"version\":3}",
           (size_t)(uintptr_t)x, n, nf);
  const bst_ulong *shape;
  bst_ulong dim;
  const float *res;
  if (XGBoosterPredictFromDense(b, values, config, NULL, &shape, &dim,
                                &res) != 0)
    fail_msg("XGBoost prediction: %s", XGBGetLastError());
  assert_int_equal(dim, 2);
  assert_int_equal(shape[0], n);
  for (size_t i = 0; i < n; i++)
    out[i] = res[i];
}

/* ---- Rows on the split values -------------------------------------------- */

/* The split values of each feature, read from the JSON text with a plain
 * scan of each tree's left_children, split_conditions and split_indices
 * (which XGBoost writes in that order), independently of the evaluator's
 * reader. */
typedef struct splits {
  size_t nf;
  float **values; /* per feature */
  size_t *count;
} splits;

static size_t scan_numbers(const char *p, double *out, size_t max) {
  size_t n = 0;
  p = strchr(p, '[') + 1;
  while (*p != ']') {
    char *end;
    double v = strtod(p, &end);
    assert_true(end != p);
    if (n < max)
      out[n] = v;
    n++;
    p = end;
    if (*p == ',')
      p++;
  }
  return n;
}

static splits find_splits(BoosterHandle b, size_t nf) {
  size_t len;
  const char *json = booster_json(b, &len);
  splits s = {nf, calloc(nf, sizeof(float *)), calloc(nf, sizeof(size_t))};
  assert_non_null(s.values);
  assert_non_null(s.count);
  size_t cap = 1 << 16;
  double *left = malloc(cap * sizeof(double));
  double *feat = malloc(cap * sizeof(double));
  assert_true(left && feat);
  const char *p = json;
  while ((p = strstr(p, "\"left_children\":[")) != NULL) {
    size_t n = scan_numbers(p, left, cap);
    const char *c = strstr(p, "\"split_conditions\":[");
    const char *f = strstr(p, "\"split_indices\":[");
    assert_true(n <= cap && c && f);
    assert_int_equal(scan_numbers(f, feat, cap), n);
    /* The split values are read as floats, as XGBoost reads them. */
    const char *q = strchr(c, '[') + 1;
    for (size_t i = 0; i < n; i++) {
      char *end;
      float v = strtof(q, &end);
      q = end + 1;
      if (left[i] == -1)
        continue;
      size_t k = (size_t)feat[i];
      assert_true(k < nf);
      s.values[k] = realloc(s.values[k], (s.count[k] + 1) * sizeof(float));
      assert_non_null(s.values[k]);
      s.values[k][s.count[k]++] = v;
    }
    p = f;
  }
  free(left);
  free(feat);
  return s;
}

static void free_splits(splits *s) {
  for (size_t f = 0; f < s->nf; f++)
    free(s->values[f]);
  free(s->values);
  free(s->count);
}

/* n rows of nf features for scoring: per value, a split value of its
 * feature (30%), the float just below one (15%) or just above (15%), a
 * value like the training data's (28%), or missing (12%). */
static float *rows_on_splits(const splits *s, size_t n) {
  size_t nf = s->nf;
  float *x = random_x(n, nf);
  for (size_t i = 0; i < n * nf; i++) {
    size_t f = i % nf;
    double u = uniform();
    if (u < 0.12) {
      x[i] = NAN;
    } else if (u < 0.72 && s->count[f]) {
      float v = s->values[f][(size_t)(uniform() * (double)s->count[f])];
      x[i] = u < 0.42   ? v
             : u < 0.57 ? nextafterf(v, -INFINITY)
                        : nextafterf(v, INFINITY);
    }
  }
  return x;
}

/* ---- Comparing ----------------------------------------------------------- */

/* Scores n rows of x with t and with b: every score must agree to 1e-6
 * (relative beyond 1).  Also scores the rows in pieces of several sizes
 * (partial groups and blocks), which must give the same scores.  Returns
 * the rows whose scores are equal to the bit. */
static size_t expect_same(BoosterHandle b, const sl_trees *t, const float *x,
                          size_t n, size_t nf) {
  double *ours = malloc(n * sizeof(double));
  double *theirs = malloc(n * sizeof(double));
  double *pieces = malloc(n * sizeof(double));
  assert_true(ours && theirs && pieces);
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_trees_predict(t, x, n, ours, &err), SL_OK);
  xgboost_scores(b, x, n, nf, theirs);

  size_t exact = 0;
  for (size_t i = 0; i < n; i++) {
    double tol = 1e-6 * fmax(1, fabs(theirs[i]));
    if (!(fabs(ours[i] - theirs[i]) <= tol))
      fail_msg("row %zu: the evaluator gives %.9g, XGBoost %.9g", i, ours[i],
               theirs[i]);
    exact += ours[i] == theirs[i];
  }

  static const size_t sizes[] = {1, 7, 8, 9, 63, 64, 65, 130};
  size_t done = 0;
  for (size_t k = 0; done < n; k++) {
    size_t m = sizes[k % 8];
    if (m > n - done)
      m = n - done;
    assert_int_equal(
        sl_trees_predict(t, x + done * nf, m, pieces + done, &err), SL_OK);
    done += m;
  }
  assert_memory_equal(ours, pieces, n * sizeof(double));
  free(ours);
  free(theirs);
  free(pieces);
  return exact;
}

/* Trains a model with kv on random data with labels of `kind`, checks
 * the evaluator covers it, and compares both on 3,000 rows on its
 * split values.  Returns the rows scored to the bit. */
static size_t check_trained(label_kind kind, const char *const *kv,
                            int rounds, size_t nf, uint64_t seed) {
  rng_state = seed;
  size_t n = 3000;
  float *x = random_x(n, nf);
  float *y = labels(x, n, nf, kind);
  BoosterHandle b = train_booster(x, y, n, nf, kv, rounds);
  sl_trees *t = evaluator_of(b);
  assert_int_equal(sl_trees_count(t), (size_t)rounds);
  assert_int_equal(sl_trees_features(t), nf);

  splits s = find_splits(b, nf);
  float *rows = rows_on_splits(&s, 3000);
  size_t exact = expect_same(b, t, rows, 3000, nf);
  /* The training rows too. */
  expect_same(b, t, x, n, nf);

  free_splits(&s);
  free(rows);
  sl_trees_free(t);
  XGBoosterFree(b);
  free(x);
  free(y);
  return exact;
}

/* ---- Trained models ------------------------------------------------------ */

static void test_binary_logistic(void **state) {
  (void)state;
  static const char *const hist[] = {
      "objective", "binary:logistic", "max_depth", "8", "eta", "0.3",
      "tree_method", "hist", "seed", "3", NULL};
  static const char *const exact[] = {
      "objective", "binary:logistic", "max_depth", "6", "eta", "0.2",
      "tree_method", "exact", "base_score", "0.3", "subsample", "0.8",
      "seed", "5", NULL};
  /* The same float arithmetic in the same order: equal to the bit. */
  assert_int_equal(check_trained(LABEL_BINARY, hist, 60, 12, 11), 3000);
  assert_int_equal(check_trained(LABEL_BINARY, exact, 50, 9, 12), 3000);
}

static void test_logistic_regression_objective(void **state) {
  (void)state;
  static const char *const kv[] = {"objective", "reg:logistic",
                                   "max_depth", "5", "tree_method", "hist",
                                   NULL};
  assert_int_equal(check_trained(LABEL_UNIT, kv, 50, 8, 13), 3000);
}

static void test_regression(void **state) {
  (void)state;
  static const char *const squared[] = {
      "objective", "reg:squarederror", "max_depth", "8", "eta", "0.1",
      "tree_method", "hist", "base_score", "180", NULL};
  /* Trees deeper than 8 levels are walked in their linked form. */
  static const char *const deep[] = {"objective", "reg:squarederror",
                                     "max_depth", "12", "tree_method",
                                     "hist", NULL};
  /* XGBoost 1.7 estimates base_score for the absolute error (the
   * median), which the model then carries. */
  static const char *const absolute[] = {
      "objective", "reg:absoluteerror", "max_depth", "6",
      "tree_method", "hist", NULL};
  static const char *const huber[] = {
      "objective", "reg:pseudohubererror", "max_depth", "4",
      "tree_method", "exact", "base_score", "200", NULL};
  assert_int_equal(check_trained(LABEL_REAL, squared, 70, 10, 21), 3000);
  assert_int_equal(check_trained(LABEL_REAL, deep, 50, 10, 24), 3000);
  assert_int_equal(check_trained(LABEL_REAL, absolute, 50, 10, 22), 3000);
  assert_int_equal(check_trained(LABEL_REAL, huber, 50, 6, 23), 3000);
}

static void test_exponential_objectives(void **state) {
  (void)state;
  static const char *const poisson[] = {"objective", "count:poisson",
                                        "max_depth", "6", "tree_method",
                                        "hist", NULL};
  static const char *const gamma[] = {"objective", "reg:gamma", "max_depth",
                                      "5", "base_score", "2", NULL};
  static const char *const tweedie[] = {"objective", "reg:tweedie",
                                        "max_depth", "4", NULL};
  assert_int_equal(check_trained(LABEL_POSITIVE, poisson, 60, 8, 31), 3000);
  assert_int_equal(check_trained(LABEL_POSITIVE, gamma, 50, 8, 32), 3000);
  assert_int_equal(check_trained(LABEL_POSITIVE, tweedie, 50, 8, 33), 3000);
}

/* ---- Models written by hand ---------------------------------------------- */

typedef struct hand_node {
  int left, right, feature;
  float cond; /* the split value, or the leaf's value */
  int default_left;
} hand_node;

/* Appends an XGBoost 1.7 JSON tree of n nodes; XGBoost reads its float
 * arrays only from numbers written with a fraction or an exponent.  With
 * cond_text, that is the first node's split value as written. */
static void put_tree(sl_strbuf *b, int id, const hand_node *nd, int n,
                     int nf, const char *cond_text) {
  int *parent = malloc((size_t)n * sizeof(int));
  assert_non_null(parent);
  parent[0] = 2147483647;
  for (int i = 0; i < n; i++) {
    if (nd[i].left >= 0) {
      parent[nd[i].left] = i;
      parent[nd[i].right] = i;
    }
  }
#define ARRAY(name, fmt, expr)                                             \
  do {                                                                     \
    sl_strbuf_appendf(b, "\"%s\":[", name);                                \
    for (int i = 0; i < n; i++)                                            \
      sl_strbuf_appendf(b, i ? "," fmt : fmt, expr);                       \
    sl_strbuf_appends(b, "],");                                            \
  } while (0)
  sl_strbuf_appendc(b, '{');
  ARRAY("base_weights", "%s", "0.0");
  sl_strbuf_appends(b, "\"categories\":[],\"categories_nodes\":[],"
                       "\"categories_segments\":[],"
                       "\"categories_sizes\":[],");
  ARRAY("default_left", "%d", nd[i].default_left);
  sl_strbuf_appendf(b, "\"id\":%d,", id);
  ARRAY("left_children", "%d", nd[i].left);
  ARRAY("loss_changes", "%s", "0.0");
  ARRAY("parents", "%d", parent[i]);
  ARRAY("right_children", "%d", nd[i].right);
  if (cond_text) {
    sl_strbuf_appendf(b, "\"split_conditions\":[%s", cond_text);
    for (int i = 1; i < n; i++)
      sl_strbuf_appendf(b, ",%.9e", (double)nd[i].cond);
    sl_strbuf_appends(b, "],");
  } else {
    ARRAY("split_conditions", "%.9e", (double)nd[i].cond);
  }
  ARRAY("split_indices", "%d", nd[i].feature);
  ARRAY("split_type", "%d", 0);
  ARRAY("sum_hessian", "%s", "1.0");
#undef ARRAY
  sl_strbuf_appendf(b,
                    "\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":"
                    "\"%d\",\"num_nodes\":\"%d\",\"size_leaf_vector\":\"0\"}}",
                    nf, n);
  free(parent);
}

/* A regression model of the given trees, as XGBoost 1.7 writes one. */
static char *hand_model(const hand_node *const *trees, const int *sizes,
                        int ntrees, int nf, const char *first_cond,
                        size_t *len) {
  sl_strbuf b = SL_STRBUF_INIT;
  sl_strbuf_appendf(&b,
                    "{\"learner\":{\"attributes\":{},\"feature_names\":[],"
                    "\"feature_types\":[],\"gradient_booster\":{\"model\":{"
                    "\"gbtree_model_param\":{\"num_parallel_tree\":\"1\","
                    "\"num_trees\":\"%d\",\"size_leaf_vector\":\"0\"},"
                    "\"tree_info\":[",
                    ntrees);
  for (int k = 0; k < ntrees; k++)
    sl_strbuf_appends(&b, k ? ",0" : "0");
  sl_strbuf_appends(&b, "],\"trees\":[");
  for (int k = 0; k < ntrees; k++) {
    if (k)
      sl_strbuf_appendc(&b, ',');
    put_tree(&b, k, trees[k], sizes[k], nf, k == 0 ? first_cond : NULL);
  }
  sl_strbuf_appendf(&b,
                    "]},\"name\":\"gbtree\"},\"learner_model_param\":{"
                    "\"base_score\":\"5E-1\",\"boost_from_average\":\"1\","
                    "\"num_class\":\"0\",\"num_feature\":\"%d\","
                    "\"num_target\":\"1\"},\"objective\":{\"name\":"
                    "\"reg:squarederror\",\"reg_loss_param\":{"
                    "\"scale_pos_weight\":\"1\"}}},\"version\":[1,7,4]}",
                    nf);
  assert_false(b.failed);
  return sl_strbuf_detach(&b, len);
}

/* A tree `levels` levels deep: node 2i splits on feature i % 3 with its
 * left child a leaf; the right child goes on. */
static void chain_tree(hand_node *nd, int levels) {
  for (int i = 0; i < levels; i++) {
    nd[2 * i] = (hand_node){2 * i + 1, 2 * i + 2, i % 3,
                            (float)(i % 7) + 0.5f, i % 2};
    nd[2 * i + 1] = (hand_node){-1, -1, 0, 0.01f * (float)i + 0.1f, 0};
  }
  nd[2 * levels] = (hand_node){-1, -1, 0, -1.0f - (float)levels, 0};
}

static void test_hand_written_models(void **state) {
  (void)state;
  /* Each way of walking a tree: 40 levels (row by row to the leaf), 20
   * (linked nodes), a single leaf and a stump (complete trees). */
  hand_node deep[2 * 40 + 1], chain[2 * 20 + 1];
  chain_tree(deep, 40);
  chain_tree(chain, 20);
  const hand_node leaf[] = {{-1, -1, 0, 0.25f, 0}};
  const hand_node stump[] = {
      {1, 2, 1, 2.5f, 1}, {-1, -1, 0, -0.5f, 0}, {-1, -1, 0, 0.5f, 0}};
  const hand_node *trees[] = {deep, leaf, chain, stump};
  const int sizes[] = {2 * 40 + 1, 1, 2 * 20 + 1, 3};
  size_t len;
  char *json = hand_model(trees, sizes, 4, 3, NULL, &len);

  BoosterHandle b;
  assert_int_equal(XGBoosterCreate(NULL, 0, &b), 0);
  if (XGBoosterLoadModelFromBuffer(b, json, len) != 0)
    fail_msg("XGBoost cannot load the model: %s", XGBGetLastError());
  sl_error err;
  sl_error_clear(&err);
  char why[256];
  sl_trees *t = NULL;
  assert_int_equal(sl_trees_from_json(json, len, &t, why, sizeof(why), &err),
                   SL_OK);
  assert_non_null(t);
  assert_int_equal(sl_trees_count(t), 4);

  /* Rows that stop at every level of the chain: values around each
   * split value, and missing ones. */
  rng_state = 51;
  size_t n = 2000;
  float *x = malloc(n * 3 * sizeof(float));
  assert_non_null(x);
  for (size_t i = 0; i < n * 3; i++) {
    double u = uniform();
    float v = (float)(int)(uniform() * 8) + 0.5f;
    x[i] = u < 0.15   ? NAN
           : u < 0.5  ? v
           : u < 0.75 ? nextafterf(v, INFINITY)
                      : v + 0.25f;
  }
  assert_int_equal(expect_same(b, t, x, n, 3), n);
  sl_trees_free(t);
  XGBoosterFree(b);
  free(json);

  /* A split value written with more digits than a float has, just above
   * the midpoint between 1 and the next float: read as a float it is
   * that next float, as XGBoost reads it; read as a double and rounded
   * again it would be 1.  The evaluator reads this text itself (not
   * XGBoost's copy), and a row at 1 tells the two apart. */
  const hand_node *one[] = {stump};
  json = hand_model(one, sizes + 3, 1, 3,
                    "1.000000059604644775390625000000001", &len);
  assert_int_equal(XGBoosterCreate(NULL, 0, &b), 0);
  assert_int_equal(XGBoosterLoadModelFromBuffer(b, json, len), 0);
  assert_int_equal(sl_trees_from_json(json, len, &t, why, sizeof(why), &err),
                   SL_OK);
  assert_non_null(t);
  const float near_one[] = {0, 1.0f, 0, 0, nextafterf(1.0f, 2), 0,
                            0, 0.5f, 0, 0, NAN, 0};
  assert_int_equal(expect_same(b, t, near_one, 4, 3), 4);
  double scores[4];
  assert_int_equal(sl_trees_predict(t, near_one, 4, scores, &err), SL_OK);
  assert_double_near(scores[0], 0.5 - 0.5, 0);
  assert_double_near(scores[1], 0.5 + 0.5, 0);
  sl_trees_free(t);
  XGBoosterFree(b);
  free(json);

  /* A model of one leaf splits on nothing. */
  const hand_node *only[] = {leaf};
  json = hand_model(only, sizes + 1, 1, 3, NULL, &len);
  assert_int_equal(XGBoosterCreate(NULL, 0, &b), 0);
  assert_int_equal(XGBoosterLoadModelFromBuffer(b, json, len), 0);
  t = evaluator_of(b);
  assert_int_equal(expect_same(b, t, x, 100, 3), 100);
  sl_trees_free(t);
  XGBoosterFree(b);
  free(json);
  free(x);
}

/* A wide model: 700 columns.  Trained, its trees read a few of them,
 * which alone are copied; written by hand, 600 stumps on 600 columns,
 * more than the evaluator's block on the stack holds. */
static void test_wide_rows(void **state) {
  (void)state;
  static const char *const kv[] = {"objective", "binary:logistic",
                                   "max_depth", "4", "colsample_bytree",
                                   "0.5", NULL};
  rng_state = 41;
  size_t n = 400, nf = 700;
  float *x = random_x(n, nf);
  float *y = labels(x, n, nf, LABEL_BINARY);
  BoosterHandle b = train_booster(x, y, n, nf, kv, 10);
  sl_trees *t = evaluator_of(b);
  assert_int_equal(expect_same(b, t, x, n, nf), n);
  sl_trees_free(t);
  XGBoosterFree(b);

  enum { STUMPS = 600 };
  hand_node(*stumps)[3] = malloc(STUMPS * sizeof(*stumps));
  const hand_node **trees = malloc(STUMPS * sizeof(*trees));
  int *sizes = malloc(STUMPS * sizeof(*sizes));
  assert_true(stumps && trees && sizes);
  for (int k = 0; k < STUMPS; k++) {
    stumps[k][0] = (hand_node){1, 2, k + 50, (float)(k % 40) - 20, k % 2};
    stumps[k][1] = (hand_node){-1, -1, 0, 0.001f * (float)k, 0};
    stumps[k][2] = (hand_node){-1, -1, 0, -0.002f * (float)k, 0};
    trees[k] = stumps[k];
    sizes[k] = 3;
  }
  size_t len;
  char *json = hand_model(trees, sizes, STUMPS, (int)nf, NULL, &len);
  assert_int_equal(XGBoosterCreate(NULL, 0, &b), 0);
  if (XGBoosterLoadModelFromBuffer(b, json, len) != 0)
    fail_msg("XGBoost cannot load the model: %s", XGBGetLastError());
  t = evaluator_of(b);
  assert_int_equal(expect_same(b, t, x, n, nf), n);
  sl_trees_free(t);
  XGBoosterFree(b);
  free(json);
  free(stumps);
  free(trees);
  free(sizes);
  free(x);
  free(y);
}

/* The evaluator's verdict on text: refused, with why containing want. */
static void expect_refused(const char *json, size_t len, const char *want) {
  sl_error err;
  sl_error_clear(&err);
  char why[256] = "";
  sl_trees *t = (sl_trees *)1;
  assert_int_equal(sl_trees_from_json(json, len, &t, why, sizeof(why), &err),
                   SL_OK);
  assert_null(t);
  if (!strstr(why, want))
    fail_msg("refused because \"%s\"; expected \"%s\"", why, want);
}

static void test_refused_models(void **state) {
  (void)state;
  /* Written by hand: categorical splits, children apart, a split value
   * that is not finite. */
  const hand_node stump[] = {
      {1, 2, 1, 2.5f, 1}, {-1, -1, 0, -0.5f, 0}, {-1, -1, 0, 0.5f, 0}};
  const hand_node apart[] = {{1, 3, 0, 1.5f, 0},
                             {-1, -1, 0, 0.5f, 0},
                             {-1, -1, 0, 0.7f, 0},
                             {-1, -1, 0, 0.9f, 0}};
  const hand_node *one[] = {stump};
  const int three[] = {3};
  size_t len;
  char *json = hand_model(one, three, 1, 2, NULL, &len);
  char *cat = strstr(json, "\"split_type\":[0");
  assert_non_null(cat);
  cat[strlen("\"split_type\":[")] = '1';
  expect_refused(json, len, "categorical split");
  free(json);

  json = hand_model(one, three, 1, 2, "Infinity", &len);
  expect_refused(json, len, "split value inf");
  free(json);

  const hand_node *four[] = {apart};
  const int nodes4[] = {4};
  json = hand_model(four, nodes4, 1, 2, NULL, &len);
  expect_refused(json, len, "node 0 has children 1 and 3");
  free(json);

  /* Not a model at all. */
  expect_refused("{\"learner\":", 11, "bad JSON");
  expect_refused("[1,2]", 5, "not an XGBoost JSON model");

  /* Trained: dart, and three classes. */
  rng_state = 61;
  size_t n = 600, nf = 5;
  float *x = random_x(n, nf);
  float *y = labels(x, n, nf, LABEL_BINARY);
  static const char *const dart[] = {"booster", "dart", "objective",
                                     "binary:logistic", "rate_drop", "0.1",
                                     NULL};
  BoosterHandle b = train_booster(x, y, n, nf, dart, 5);
  const char *text = booster_json(b, &len);
  expect_refused(text, len, "booster dart");
  XGBoosterFree(b);

  for (size_t i = 0; i < n; i++)
    y[i] = (float)(i % 3);
  static const char *const multi[] = {"objective", "multi:softprob",
                                      "num_class", "3", NULL};
  b = train_booster(x, y, n, nf, multi, 3);
  text = booster_json(b, &len);
  expect_refused(text, len, "3 classes");
  XGBoosterFree(b);
  free(x);
  free(y);
}

/* Probe rows are the same for the same model, and hold missing values
 * and split values. */
static void test_probe_rows(void **state) {
  (void)state;
  const hand_node stump[] = {
      {1, 2, 1, 2.5f, 1}, {-1, -1, 0, -0.5f, 0}, {-1, -1, 0, 0.5f, 0}};
  const hand_node *one[] = {stump};
  const int three[] = {3};
  size_t len;
  char *json = hand_model(one, three, 1, 2, NULL, &len);
  sl_error err;
  sl_error_clear(&err);
  char why[256];
  sl_trees *t = NULL;
  assert_int_equal(sl_trees_from_json(json, len, &t, why, sizeof(why), &err),
                   SL_OK);
  assert_non_null(t);
  float a[2 * 64], b[2 * 64];
  assert_int_equal(sl_trees_probe(t, 64, a, &err), SL_OK);
  assert_int_equal(sl_trees_probe(t, 64, b, &err), SL_OK);
  assert_memory_equal(a, b, sizeof(a));
  int missing = 0, on_split = 0, near_split = 0;
  for (int i = 0; i < 64; i++) {
    /* Feature 0 has no split: always missing. */
    assert_true(isnan(a[2 * i]));
    float v = a[2 * i + 1];
    missing += isnan(v);
    on_split += v == 2.5f;
    near_split += v == nextafterf(2.5f, 0) || v == nextafterf(2.5f, 3);
  }
  assert_true(missing > 0 && on_split > 0 && near_split > 0);
  assert_int_equal(missing + on_split + near_split, 64);
  sl_trees_free(t);
  free(json);
}

/* ---- Through the model API ----------------------------------------------- */

static const sl_model_input_def api_inputs[] = {
    {"a", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
    {"b", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
    {"c", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0}};

static sl_model *api_train(sl_model_data *d, const char *booster) {
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  sl_error err;
  sl_error_clear(&err);
  const char *kv[] = {"rounds", "30", "max_depth", "5", "booster", booster,
                      NULL};
  for (int i = 0; kv[i]; i += 2)
    assert_int_equal(sl_model_params_set(&p, kv[i], kv[i + 1], &err), SL_OK);
  sl_model *m = NULL;
  if (sl_model_train(SL_MODEL_XGBOOST, d, &p, NULL, NULL, &m, &err))
    fail_msg("train: %s", err.message);
  sl_model_params_free(&p);
  return m;
}

/* predict_batch of m on the columns equals XGBoost's own scores of the
 * expanded matrix to 1e-6. */
static void expect_model_scores(sl_model *m, const sl_value *const *cols,
                                size_t n) {
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  double *ours = malloc(n * sizeof(double));
  double *theirs = malloc(n * sizeof(double));
  assert_true(ours && theirs);
  assert_int_equal(sl_model_predict_batch(m, &s, cols, n, ours, &err), SL_OK);
  assert_int_equal(sl_model_expand_batch(m, &s, cols, n, &err), SL_OK);
  xgboost_scores(sl_model_xgboost_booster(m), s.x.data, n, 3, theirs);
  for (size_t i = 0; i < n; i++)
    assert_double_near(ours[i], theirs[i], 1e-6);
  free(ours);
  free(theirs);
  sl_model_scratch_free(&s);
}

static void test_model_api(void **state) {
  (void)state;
  sl_error err;
  sl_error_clear(&err);
  sl_model_data *d = NULL;
  assert_int_equal(
      sl_model_data_new(api_inputs, 3, SL_TYPE_BOOLEAN, &d, &err), SL_OK);
  rng_state = 71;
  size_t n = 500;
  sl_value *vals = malloc(3 * n * sizeof(sl_value));
  assert_non_null(vals);
  const sl_value *cols[3] = {vals, vals + n, vals + 2 * n};
  for (size_t i = 0; i < n; i++) {
    sl_value row[3];
    double v[3];
    for (int j = 0; j < 3; j++) {
      v[j] = uniform() * 10;
      row[j] = uniform() < 0.1 ? sl_value_null() : sl_value_double(v[j]);
      vals[(size_t)j * n + i] = row[j];
    }
    sl_value y = sl_value_bool(v[0] + (sl_value_is_null(&row[1]) ? 4 : v[1]) -
                                   v[2] + uniform() * 3 >
                               6);
    assert_int_equal(sl_model_data_add_row(d, row, &y, &err), SL_OK);
  }

  /* gbtree: native, and so is its copy read back from the blob. */
  sl_model *m = api_train(d, "gbtree");
  assert_true(sl_model_native_trees(m));
  expect_model_scores(m, cols, n);
  void *blob;
  size_t blen;
  assert_int_equal(sl_model_serialize(m, &blob, &blen, &err), SL_OK);
  sl_model *back = NULL;
  assert_int_equal(sl_model_deserialize(blob, blen, &back, &err), SL_OK);
  free(blob);
  assert_true(sl_model_native_trees(back));
  expect_model_scores(back, cols, n);
  /* Several prediction threads are XGBoost's. */
  assert_int_equal(sl_model_set_threads(back, 2, &err), SL_OK);
  assert_false(sl_model_native_trees(back));
  expect_model_scores(back, cols, n);
  assert_int_equal(sl_model_set_threads(back, 1, &err), SL_OK);
  assert_true(sl_model_native_trees(back));
  sl_model_free(back);
  sl_model_free(m);

  /* dart: XGBoost scores. */
  m = api_train(d, "dart");
  assert_false(sl_model_native_trees(m));
  expect_model_scores(m, cols, n);
  sl_model_free(m);

  sl_model_data_free(d);
  free(vals);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_binary_logistic),
      cmocka_unit_test(test_logistic_regression_objective),
      cmocka_unit_test(test_regression),
      cmocka_unit_test(test_exponential_objectives),
      cmocka_unit_test(test_wide_rows),
      cmocka_unit_test(test_hand_written_models),
      cmocka_unit_test(test_refused_models),
      cmocka_unit_test(test_probe_rows),
      cmocka_unit_test(test_model_api),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
