/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/model/xgboost.c through the model API: training
 * with progress per round, parameters passed through and checked, blobs
 * that round-trip to identical predictions, batch prediction equal to
 * XGBoost's own, regression, and importing model files: good ones (with
 * and without feature names, pretty-printed) and corrupt ones, which must
 * give clear errors and never crash.
 */
#include "test_util.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "engine/model/model.h"

static uint64_t rng_state;

static double uniform(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static const sl_model_input_def inputs[] = {
    {"a", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
    {"b", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
    {"c", SL_TYPE_VARCHAR, SL_MODEL_TRANSFORM_ONE_HOT, NULL, 0}};

static const char *const colours[] = {"red", "green", "blue"};

/* The inputs of row i of the synthetic set: a uniform, b uniform with
 * every seventh value missing, c one of three colours. */
static void synthetic_row(sl_value *row, double *a, double *b, int *c) {
  *a = uniform() * 10;
  *b = uniform() * 4;
  *c = (int)(uniform() * 3);
  row[0] = sl_value_double(*a);
  row[1] = (rng_state >> 20) % 7 == 0 ? sl_value_null() : sl_value_double(*b);
  row[2] = sl_value_varchar(colours[*c], strlen(colours[*c]));
}

/* n rows; the label is a noisy function of a, b and c (classification)
 * or 2a - b + c (regression). */
static sl_model_data *synthetic(size_t n, bool classification) {
  sl_model_data *d = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_model_data_new(inputs, 3,
                                     classification ? SL_TYPE_BOOLEAN
                                                    : SL_TYPE_DOUBLE,
                                     &d, &err),
                   SL_OK);
  rng_state = 7;
  for (size_t i = 0; i < n; i++) {
    sl_value row[3];
    double a, b;
    int c;
    synthetic_row(row, &a, &b, &c);
    sl_value y;
    if (classification)
      y = sl_value_bool(a + (sl_value_is_null(&row[1]) ? 2 : b) +
                            (c == 1 ? 3 : 0) + uniform() * 4 >
                        9);
    else
      y = sl_value_double(2 * a - b + c);
    assert_int_equal(sl_model_data_add_row(d, row, &y, &err), SL_OK);
  }
  return d;
}

static sl_model_params params_of(const char *const *kv) {
  sl_model_params p = SL_MODEL_PARAMS_INIT;
  sl_error err;
  sl_error_clear(&err);
  for (int i = 0; kv && kv[i]; i += 2)
    assert_int_equal(sl_model_params_set(&p, kv[i], kv[i + 1], &err), SL_OK);
  return p;
}

typedef struct progress_log {
  int rounds;
  double first_train;
  double last_train;
  double last_holdout;
} progress_log;

static bool record_progress(void *ctx, const sl_model_progress *p) {
  progress_log *log = ctx;
  log->rounds++;
  assert_int_equal(p->round, log->rounds);
  assert_int_equal(p->rounds, 20);
  assert_string_equal(p->metric, "logloss");
  if (p->round == 1)
    log->first_train = p->train;
  log->last_train = p->train;
  log->last_holdout = p->holdout;
  return true;
}

static const char *const classifier_params[] = {
    "rounds", "20", "max_depth", "3", "eta", "0.3", "holdout", "0.25",
    "seed", "1", "nthread", "1", NULL};

static sl_model *train_classifier(sl_model_data **data, progress_log *log) {
  *data = synthetic(800, true);
  sl_model_params p = params_of(classifier_params);
  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  if (sl_model_train(SL_MODEL_XGBOOST, *data, &p,
                     log ? record_progress : NULL, log, &m, &err))
    fail_msg("train: %s", err.message);
  sl_model_params_free(&p);
  return m;
}

/* A scoring batch of n synthetic rows in columns. */
typedef struct batch {
  sl_value a[64], b[64], c[64];
  const sl_value *cols[3];
} batch;

static void make_batch(batch *bt, size_t n, uint64_t seed) {
  rng_state = seed;
  for (size_t i = 0; i < n; i++) {
    sl_value row[3];
    double a, b;
    int c;
    synthetic_row(row, &a, &b, &c);
    bt->a[i] = row[0];
    bt->b[i] = row[1];
    bt->c[i] = row[2];
  }
  bt->cols[0] = bt->a;
  bt->cols[1] = bt->b;
  bt->cols[2] = bt->c;
}

static void test_train_with_progress(void **state) {
  (void)state;
  progress_log log = {0};
  sl_model_data *d;
  sl_model *m = train_classifier(&d, &log);
  assert_int_equal(log.rounds, 20);
  assert_true(log.last_train < log.first_train);
  assert_true(log.last_holdout > 0 && log.last_holdout < 1);

  bool on_holdout;
  const sl_model_metrics *mt = sl_model_get_metrics(m, &on_holdout);
  assert_true(on_holdout);
  assert_int_equal(mt->rows, 200);
  assert_int_equal(sl_model_training_rows(m), 600);
  assert_true(mt->auc > 0.85);
  /* The holdout log loss of the model equals XGBoost's own last
   * evaluation (float scores, so to float precision). */
  assert_double_near(mt->log_loss, log.last_holdout, 1e-5);

  const sl_model_params *p = sl_model_get_params(m);
  assert_string_equal(sl_model_params_get(p, "rounds"), "20");
  assert_string_equal(sl_model_params_get(p, "objective"),
                      "binary:logistic");
  assert_string_equal(sl_model_params_get(p, "max_depth"), "3");
  assert_int_equal(sl_model_column_count(m), 5);
  sl_model_free(m);
  sl_model_data_free(d);
}

/* predict_batch equals XGBoost's own prediction on the same matrix, and
 * a deserialized copy predicts identically. */
static void test_blob_round_trip_and_batch(void **state) {
  (void)state;
  sl_model_data *d;
  sl_model *m = train_classifier(&d, NULL);
  batch bt;
  make_batch(&bt, 64, 99);

  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  double ours[64];
  assert_int_equal(sl_model_predict_batch(m, &s, bt.cols, 64, ours, &err),
                   SL_OK);

  /* XGBoost itself on the expanded matrix. */
  assert_int_equal(sl_model_expand_batch(m, &s, bt.cols, 64, &err), SL_OK);
  DMatrixHandle dm;
  assert_int_equal(XGDMatrixCreateFromMat(s.x.data, 64, s.x.cols, NAN, &dm),
                   0);
  bst_ulong len;
  const float *theirs;
  assert_int_equal(XGBoosterPredict(sl_model_xgboost_booster(m), dm, 0, 0, 0,
                                    &len, &theirs),
                   0);
  assert_int_equal(len, 64);
  for (int i = 0; i < 64; i++)
    assert_double_near(ours[i], theirs[i], 0);
  XGDMatrixFree(dm);

  void *blob;
  size_t blen;
  assert_int_equal(sl_model_serialize(m, &blob, &blen, &err), SL_OK);
  sl_model *back = NULL;
  assert_int_equal(sl_model_deserialize(blob, blen, &back, &err), SL_OK);
  double again[64];
  assert_int_equal(sl_model_set_threads(back, 2, &err), SL_OK);
  assert_int_equal(sl_model_predict_batch(back, &s, bt.cols, 64, again,
                                          &err),
                   SL_OK);
  assert_memory_equal(ours, again, sizeof(ours));
  assert_int_equal(sl_model_get_kind(back), SL_MODEL_XGBOOST);
  assert_true(sl_model_is_classification(back));
  assert_int_equal(sl_model_input_find(back, "C"), 2);

  /* A truncated XGBoost blob fails cleanly. */
  sl_model *none = NULL;
  assert_int_equal(sl_model_deserialize(blob, blen / 2, &none, &err),
                   SL_ERR_RUNTIME);
  assert_null(none);

  assert_int_equal(sl_model_set_threads(back, 0, &err), SL_ERR_USAGE);
  free(blob);
  sl_model_free(back);
  sl_model_scratch_free(&s);
  sl_model_free(m);
  sl_model_data_free(d);
}

static bool expect_auc(void *ctx, const sl_model_progress *p) {
  int *rounds = ctx;
  (*rounds)++;
  /* With several metrics the last one is reported, as XGBoost's early
   * stopping uses it. */
  assert_string_equal(p->metric, "auc");
  assert_true(p->train > 0.5 && p->train <= 1);
  assert_true(isnan(p->holdout));
  return true;
}

static void test_eval_metrics_and_describe(void **state) {
  (void)state;
  sl_model_data *d = synthetic(300, true);
  const char *kv[] = {"rounds", "3", "eval_metric", "error, auc", NULL};
  sl_model_params p = params_of(kv);
  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  int rounds = 0;
  assert_int_equal(sl_model_train(SL_MODEL_XGBOOST, d, &p, expect_auc,
                                  &rounds, &m, &err),
                   SL_OK);
  assert_int_equal(rounds, 3);

  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_model_describe_json(m, &sb), SL_OK);
  assert_non_null(strstr(sb.data,
                         "{\"kind\":\"XGBOOST\",\"task\":\"classification\","
                         "\"inputs\":[{\"name\":\"a\",\"type\":\"DOUBLE\","
                         "\"transform\":\"NONE\",\"columns\":1,"
                         "\"rows\":300,\"missing\":0,\"mean\":"));
  assert_non_null(strstr(sb.data, "{\"name\":\"c\",\"type\":\"VARCHAR\","
                                  "\"transform\":\"ONE_HOT\",\"columns\":3,"
                                  "\"rows\":300,\"missing\":0,"
                                  "\"categories\":[\"blue\",\"green\","
                                  "\"red\"]}"));
  assert_non_null(strstr(sb.data, "\"params\":{\"rounds\":3,"
                                  "\"eval_metric\":\"error, auc\","
                                  "\"holdout\":0,\"objective\":"
                                  "\"binary:logistic\",\"nthread\":1}"));
  assert_non_null(strstr(sb.data, "\"training_rows\":300,"
                                  "\"holdout_rows\":0,\"metrics\":{\"set\":"
                                  "\"training\",\"rows\":300,\"auc\":"));
  sl_strbuf_free(&sb);

  /* An empty batch is no work and no error. */
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  batch bt;
  make_batch(&bt, 1, 5);
  double out = -1;
  assert_int_equal(sl_model_predict_batch(m, &s, bt.cols, 0, &out, &err),
                   SL_OK);
  assert_double_near(out, -1, 0);
  sl_model_scratch_free(&s);
  sl_model_params_free(&p);
  sl_model_free(m);
  sl_model_data_free(d);
}

typedef struct shared_run {
  sl_model *m;
  const batch *bt;
  const double *expected;
  int mismatches;
} shared_run;

static void *predict_many(void *arg) {
  shared_run *run = arg;
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  double out[64];
  for (int k = 0; k < 50; k++) {
    if (sl_model_predict_batch(run->m, &s, run->bt->cols, 64, out, &err) ||
        memcmp(out, run->expected, sizeof(out)) != 0)
      run->mismatches++;
  }
  sl_model_scratch_free(&s);
  return NULL;
}

/* One model, four threads, each with its own scratch: the same scores
 * as alone, and the unseen counter adds up exactly. */
static void test_shared_between_threads(void **state) {
  (void)state;
  sl_model_data *d;
  sl_model *m = train_classifier(&d, NULL);
  batch bt;
  make_batch(&bt, 64, 123);
  bt.c[5] = sl_value_varchar("purple", 6);
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  sl_error err;
  sl_error_clear(&err);
  double expected[64];
  assert_int_equal(sl_model_predict_batch(m, &s, bt.cols, 64, expected,
                                          &err),
                   SL_OK);
  sl_model_scratch_free(&s);

  pthread_t threads[4];
  shared_run runs[4];
  for (int t = 0; t < 4; t++) {
    runs[t] = (shared_run){m, &bt, expected, 0};
    assert_int_equal(pthread_create(&threads[t], NULL, predict_many,
                                    &runs[t]),
                     0);
  }
  for (int t = 0; t < 4; t++) {
    pthread_join(threads[t], NULL);
    assert_int_equal(runs[t].mismatches, 0);
  }
  assert_int_equal(sl_model_unseen_count(m, 2), 1 + 4 * 50);
  sl_model_free(m);
  sl_model_data_free(d);
}

static void test_regression(void **state) {
  (void)state;
  sl_model_data *d = synthetic(600, false);
  const char *kv[] = {"rounds", "60", "max_depth", "4", "nthread", "1",
                      NULL};
  sl_model_params p = params_of(kv);
  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  assert_int_equal(sl_model_train(SL_MODEL_XGBOOST, d, &p, NULL, NULL, &m,
                                  &err),
                   SL_OK);
  assert_false(sl_model_is_classification(m));
  const sl_model_metrics *mt = sl_model_get_metrics(m, NULL);
  assert_true(isnan(mt->auc));
  assert_true(mt->rmse < 0.5);
  assert_string_equal(sl_model_params_get(sl_model_get_params(m),
                                          "objective"),
                      "reg:squarederror");

  /* A row with a = 5, b = 1, c = blue: 2*5 - 1 + 2 = 11. */
  sl_value row[3] = {sl_value_double(5), sl_value_double(1),
                     sl_value_varchar("blue", 4)};
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  double out;
  assert_int_equal(sl_model_predict_rows(m, &s, row, 1, &out, &err), SL_OK);
  assert_double_near(out, 11, 0.75);
  sl_model_scratch_free(&s);
  sl_model_params_free(&p);
  sl_model_free(m);
  sl_model_data_free(d);
}

static sl_status train_with(const char *const *kv, bool classification,
                            sl_error *err) {
  sl_model_data *d = synthetic(100, classification);
  sl_model_params p = params_of(kv);
  sl_model *m = NULL;
  sl_status rc = sl_model_train(SL_MODEL_XGBOOST, d, &p, NULL, NULL, &m, err);
  assert_null(m);
  sl_model_params_free(&p);
  sl_model_data_free(d);
  return rc;
}

static void test_parameter_errors(void **state) {
  (void)state;
  sl_error err;
  sl_error_clear(&err);
  const char *typo[] = {"max_dept", "3", NULL};
  assert_int_equal(train_with(typo, true, &err), SL_ERR_SQL);
  assert_string_equal(err.message,
                      "unknown XGBOOST parameter max_dept; did you mean "
                      "max_depth?");
  const char *round[] = {"round", "3", NULL};
  assert_int_equal(train_with(round, true, &err), SL_ERR_SQL);
  assert_string_equal(err.message,
                      "unknown XGBOOST parameter round; did you mean "
                      "rounds?");
  const char *obj[] = {"objective", "reg:squarederror", NULL};
  assert_int_equal(train_with(obj, true, &err), SL_ERR_SQL);
  assert_string_equal(err.message,
                      "objective reg:squarederror does not fit a BOOLEAN "
                      "label; expected binary:logistic or reg:logistic");
  const char *linear[] = {"booster", "gblinear", NULL};
  assert_int_equal(train_with(linear, true, &err), SL_ERR_SQL);
  assert_string_equal(err.message,
                      "booster gblinear is not served; expected gbtree or "
                      "dart (LOGISTIC_REGRESSION and LINEAR_REGRESSION are "
                      "the linear models)");
  const char *rounds[] = {"rounds", "0", NULL};
  assert_int_equal(train_with(rounds, false, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "parameter rounds must be between 1 and "
                                   "100000, got 0");

  /* A value XGBoost itself refuses: its message, cleaned of timestamp,
   * source location and stack trace. */
  const char *bad[] = {"max_depth", "deep", "rounds", "2", NULL};
  assert_int_not_equal(train_with(bad, true, &err), SL_OK);
  assert_non_null(strstr(err.message, "XGBoost training failed: "));
  assert_non_null(strstr(err.message, "max_depth"));
  assert_null(strchr(err.message, '['));
  assert_null(strstr(err.message, "Stack trace"));
  assert_null(strstr(err.message, ".cc:"));
}

/* Writes a booster trained here (optionally with feature names) to path
 * as XGBoost's JSON and returns its scores for the rows of x. */
static void write_model_file(const char *path, bool names, const char *obj,
                             const float *x, size_t n, size_t cols,
                             float *scores) {
  rng_state = 3;
  float *y = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++)
    y[i] = strcmp(obj, "multi:softprob") == 0
               ? (float)(i % 3)
               : (float)(x[i * cols] + x[i * cols + 1] > 1.0f);
  DMatrixHandle dm;
  assert_int_equal(XGDMatrixCreateFromMat(x, n, cols, NAN, &dm), 0);
  assert_int_equal(XGDMatrixSetFloatInfo(dm, "label", y, n), 0);
  BoosterHandle b;
  assert_int_equal(XGBoosterCreate(&dm, 1, &b), 0);
  assert_int_equal(XGBoosterSetParam(b, "objective", obj), 0);
  if (strcmp(obj, "multi:softprob") == 0)
    assert_int_equal(XGBoosterSetParam(b, "num_class", "3"), 0);
  assert_int_equal(XGBoosterSetParam(b, "max_depth", "3"), 0);
  assert_int_equal(XGBoosterSetParam(b, "nthread", "1"), 0);
  if (names) {
    const char *fn[] = {"amount", "score"};
    assert_int_equal(XGBoosterSetStrFeatureInfo(b, "feature_name", fn, 2),
                     0);
  }
  for (int i = 0; i < 5; i++)
    assert_int_equal(XGBoosterUpdateOneIter(b, i, dm), 0);
  assert_int_equal(XGBoosterSaveModel(b, path), 0);
  if (scores) {
    bst_ulong len;
    const float *out;
    assert_int_equal(XGBoosterPredict(b, dm, 0, 0, 0, &len, &out), 0);
    memcpy(scores, out, n * sizeof(float));
  }
  XGBoosterFree(b);
  XGDMatrixFree(dm);
  free(y);
}

static void write_text(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, len, f), len);
  fclose(f);
}

static char *read_text(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void test_import_model_file(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char path[600];
  snprintf(path, sizeof(path), "%s/model.json", dir);

  float x[40 * 2];
  rng_state = 11;
  for (int i = 0; i < 80; i++)
    x[i] = i % 9 == 4 ? NAN : (float)uniform();
  float expected[40];
  write_model_file(path, true, "binary:logistic", x, 40, 2, expected);

  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  assert_int_equal(sl_model_import_xgboost(path, NULL, 0, &m, &err), SL_OK);
  assert_int_equal(sl_model_input_count(m), 2);
  assert_string_equal(sl_model_input(m, 0)->name, "amount");
  assert_string_equal(sl_model_input(m, 1)->name, "score");
  assert_true(sl_model_is_classification(m));
  assert_string_equal(sl_model_params_get(sl_model_get_params(m), "rounds"),
                      "5");

  sl_value vals[80];
  for (int i = 0; i < 80; i++)
    vals[i] = isnan(x[i]) ? sl_value_null() : sl_value_double(x[i]);
  sl_model_scratch s;
  sl_model_scratch_init(&s);
  double out[40];
  assert_int_equal(sl_model_predict_rows(m, &s, vals, 40, out, &err), SL_OK);
  for (int i = 0; i < 40; i++)
    assert_double_near(out[i], expected[i], 0);

  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_model_metrics_json_of(m, &sb), SL_OK);
  assert_string_equal(sb.data, "{\"set\":\"none\",\"rows\":0}");
  sl_strbuf_free(&sb);
  sl_model_free(m);

  /* Declared inputs must match the file's names and count. */
  sl_model_input_def defs[2] = {
      {"amount", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0},
      {"rate", SL_TYPE_DOUBLE, SL_MODEL_TRANSFORM_NONE, NULL, 0}};
  assert_int_equal(sl_model_import_xgboost(path, defs, 2, &m, &err),
                   SL_ERR_RUNTIME);
  assert_null(m);
  char msg[1024];
  snprintf(msg, sizeof(msg),
           "input 2 is rate, but feature 2 of model file \"%s\" is score",
           path);
  assert_string_equal(err.message, msg);
  assert_int_equal(sl_model_import_xgboost(path, defs, 1, &m, &err),
                   SL_ERR_RUNTIME);
  defs[1].name = "score";
  defs[1].transform = SL_MODEL_TRANSFORM_STANDARDIZE;
  assert_int_equal(sl_model_import_xgboost(path, defs, 2, &m, &err),
                   SL_ERR_SQL);
  defs[1].transform = SL_MODEL_TRANSFORM_NONE;
  assert_int_equal(sl_model_import_xgboost(path, defs, 2, &m, &err), SL_OK);
  sl_model_free(m);

  /* Without feature names: f0, f1.  Pretty-printed JSON still loads. */
  write_model_file(path, false, "binary:logistic", x, 40, 2, NULL);
  size_t len;
  char *json = read_text(path, &len);
  sl_strbuf pretty = SL_STRBUF_INIT;
  sl_strbuf_appends(&pretty, "  \n{\n  ");
  sl_strbuf_append(&pretty, json + 1, len - 1);
  write_text(path, pretty.data, pretty.len);
  sl_strbuf_free(&pretty);
  free(json);
  assert_int_equal(sl_model_import_xgboost(path, NULL, 0, &m, &err), SL_OK);
  assert_string_equal(sl_model_input(m, 1)->name, "f1");
  assert_int_equal(sl_model_predict_rows(m, &s, vals, 40, out, &err), SL_OK);
  for (int i = 0; i < 40; i++)
    assert_double_near(out[i], expected[i], 0);
  sl_model_free(m);

  sl_model_scratch_free(&s);
  test_rmtree(dir);
  free(dir);
}

/* A copy of json with the token after the first `marker` (a number or
 * a string's contents) replaced by value. */
static char *replace_after(const char *json, const char *marker,
                           const char *value) {
  const char *at = strstr(json, marker);
  assert_non_null(at);
  at += strlen(marker);
  size_t tok = strcspn(at, ",]}\"");
  size_t head = (size_t)(at - json);
  char *out = malloc(strlen(json) + strlen(value) + 1);
  memcpy(out, json, head);
  strcpy(out + head, value);
  strcat(out, at + tok);
  return out;
}

/* Imports path, which must fail with SL_ERR_RUNTIME and a message that
 * contains `expect`. */
static void expect_import_error(const char *path, const char *expect) {
  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  assert_int_equal(sl_model_import_xgboost(path, NULL, 0, &m, &err),
                   SL_ERR_RUNTIME);
  assert_null(m);
  if (!strstr(err.message, expect) || !strstr(err.message, path))
    fail_msg("got \"%s\", expected \"%s\" and the path", err.message,
             expect);
}

/* Writes json with one token replaced and expects the import to fail. */
static void expect_damage(const char *path, const char *json,
                          const char *marker, const char *value,
                          const char *expect) {
  char *bad = replace_after(json, marker, value);
  write_text(path, bad, strlen(bad));
  free(bad);
  expect_import_error(path, expect);
}

/* Every damaged or unsuitable file is an error naming it, never a
 * crash. */
static void test_import_corrupt_files(void **state) {
  (void)state;
  char *dir = test_tmpdir();
  char path[600], good[600];
  snprintf(path, sizeof(path), "%s/bad.json", dir);
  snprintf(good, sizeof(good), "%s/good.json", dir);
  float x[30 * 2];
  for (int i = 0; i < 60; i++)
    x[i] = (float)((i * 37) % 11) / 11.0f;
  write_model_file(good, false, "binary:logistic", x, 30, 2, NULL);
  size_t len;
  char *json = read_text(good, &len);

  sl_error err;
  sl_error_clear(&err);
  sl_model *m = NULL;
  char missing[620];
  snprintf(missing, sizeof(missing), "%s/none.json", dir);
  assert_int_equal(sl_model_import_xgboost(missing, NULL, 0, &m, &err),
                   SL_ERR_IO);
  assert_non_null(strstr(err.message, "No such file or directory"));

  /* Empty, binary junk, JSON that is not a model. */
  write_text(path, "", 0);
  expect_import_error(path, "is not an XGBoost JSON model (it does not "
                            "start with an object)");
  write_text(path, "\x01\x02garbage\xff", 10);
  expect_import_error(path, "is not an XGBoost JSON model");
  write_text(path, "[1, 2, 3]", 9);
  expect_import_error(path, "is not an XGBoost JSON model");
  write_text(path, "{\"learner\": 17}", 15);
  expect_import_error(path, "is not a valid XGBoost model: not an XGBoost "
                            "model (no learner with learner_model_param "
                            "and gradient_booster)");

  /* Nesting deep enough to exhaust a recursive reader's stack. */
  sl_strbuf deep = SL_STRBUF_INIT;
  for (int i = 0; i < 100000; i++)
    sl_strbuf_appends(&deep, "{\"a\":");
  write_text(path, deep.data, deep.len);
  sl_strbuf_free(&deep);
  expect_import_error(path, "bad JSON: nesting too deep at byte 320");

  /* A real model cut at many places. */
  for (size_t cut = 2; cut < len; cut += len / 23 + 1) {
    write_text(path, json, cut);
    expect_import_error(path, "is not a valid XGBoost model: bad JSON: ");
  }
  expect_damage(path, json, "\"left_children\":[", "x",
                "bad JSON: expected a value at byte");

  /* Well-formed JSON whose numbers would send XGBoost out of bounds. */
  expect_damage(path, json, "\"left_children\":[", "99",
                "is not a valid XGBoost model: tree 0: node 0 has "
                "children 99 and ");
  expect_damage(path, json, "\"left_children\":[", "0",
                "tree 0: node 0 has children 0 and ");
  expect_damage(path, json, "\"split_indices\":[", "50",
                "tree 0: node 0 splits on feature 50 of 2");
  expect_damage(path, json, "\"num_nodes\":\"", "1000",
                "tree 0: left_children has ");
  expect_damage(path, json, "\"num_trees\":\"", "7",
                "the booster declares 7 trees, holds 5");
  expect_damage(path, json, "\"split_type\":[", "1",
                "tree 0: node 0 has a categorical split");

  expect_damage(path, json, "\"name\":\"", "gblinear",
                "the booster is gblinear; Sluice serves tree boosters");

  /* What only XGBoost checks comes back with XGBoost's own words. */
  char *bad = replace_after(json, "\"objective\":{\"name\":\"", "");
  char *name = strstr(bad, "\"objective\":{\"name\":\"\"");
  assert_non_null(name);
  memcpy(name + strlen("\"objective\":{\"name\":"), "7 ", 2);
  write_text(path, bad, strlen(bad));
  free(bad);
  expect_import_error(path, "XGBoost cannot load model file");
  free(json);

  /* A multi-class model is not something PREDICT can return. */
  write_model_file(path, false, "multi:softprob", x, 30, 2, NULL);
  assert_int_equal(sl_model_import_xgboost(path, NULL, 0, &m, &err),
                   SL_ERR_RUNTIME);
  char msg[1024];
  snprintf(msg, sizeof(msg),
           "model file \"%s\" has objective multi:softprob; Sluice serves "
           "binary:logistic and regression objectives",
           path);
  assert_string_equal(err.message, msg);

  test_rmtree(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_train_with_progress),
      cmocka_unit_test(test_blob_round_trip_and_batch),
      cmocka_unit_test(test_eval_metrics_and_describe),
      cmocka_unit_test(test_shared_between_threads),
      cmocka_unit_test(test_regression),
      cmocka_unit_test(test_parameter_errors),
      cmocka_unit_test(test_import_model_file),
      cmocka_unit_test(test_import_corrupt_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
