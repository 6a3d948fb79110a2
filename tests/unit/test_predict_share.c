/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_predict_share.c - PREDICT call sites with the same feature list
 * evaluate their computed features once per batch, models that expand
 * them alike score one matrix (engine/exec/predict.h), and the serving
 * counters that show it.
 *
 * A session (embedded broker) trains two versions of a linear model
 * and two XGBoost models whose feature list computes a ratio, and a
 * model with another computed feature; the tests compile PREDICT calls
 * with one provider and score batches built here, comparing every score
 * with one computed by a call site that shares nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "engine/exec/predict.h"
#include "engine/exec/session.h"
#include "engine/expr/expr.h"
#include "engine/types/batch.h"
#include "parser/bind.h"
#include "parser/parser.h"
#include "test_util.h"
#include "udf/registry.h"

/* y is true exactly when a > 5; b only divides (or multiplies). */
static const char *const setup_sql =
    "CREATE TABLE t (id BIGINT PRIMARY KEY, a DOUBLE, b DOUBLE, y BOOLEAN);"
    "INSERT INTO t VALUES (1, 1, 1, false), (2, 2, 1, false), "
    "  (3, 3, 2, false), (4, 4, 2, false), (5, 5, 1, false), "
    "  (6, 6, 1, true), (7, 7, 2, true), (8, 8, 1, true), "
    "  (9, 9, 2, true), (10, 10, 1, true);"
    "CREATE MODEL m TYPE LOGISTIC_REGRESSION FEATURES (a, a / b AS ratio)"
    "  LABEL y FROM t WITH (lambda=1);"
    "CREATE MODEL m TYPE LOGISTIC_REGRESSION FEATURES (a, a / b AS ratio)"
    "  LABEL y FROM t WITH (lambda=50);"
    "CREATE MODEL other TYPE LOGISTIC_REGRESSION"
    "  FEATURES (a, a * b AS product) LABEL y FROM t WITH (lambda=1);"
    "CREATE MODEL champion TYPE XGBOOST FEATURES (a, a / b AS ratio)"
    "  LABEL y FROM t WITH (rounds=4, max_depth=2);"
    "CREATE MODEL challenger TYPE XGBOOST FEATURES (a, a / b AS ratio)"
    "  LABEL y FROM t WITH (rounds=9, max_depth=3, eta=0.5);";

typedef struct fixture {
  FILE *devnull;
  sl_session *session;
  sl_catalog *catalog;
  sl_func_registry *functions;
  sl_parse_result *parse[4];
  sl_bound_stmt *bound[4];
  int nparsed;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  sl_session_options opts = {.bounded = true, .output = SL_OUTPUT_CSV};
  f->devnull = fopen("/dev/null", "w");
  opts.out = f->devnull;
  opts.notices = f->devnull;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_session_open(&opts, &f->session, &err), SL_OK);
  if (sl_session_run_script(f->session, "setup.sql", setup_sql, &err)) {
    char buf[2048];
    fail_msg("setup: %s", sl_error_format(&err, buf, sizeof(buf)));
  }
  f->catalog = sl_session_catalog(f->session);
  f->functions = sl_func_registry_new_builtin(&err);
  assert_non_null(f->functions);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  for (int i = 0; i < f->nparsed; i++) {
    sl_bound_stmt_free(f->bound[i]);
    sl_parse_result_free(f->parse[i]);
  }
  sl_func_registry_free(f->functions);
  sl_session_close(f->session);
  fclose(f->devnull);
  free(f);
  return 0;
}

/* Select-list expression k of the statement bound last. */
static const sl_bexpr *last_expr(const fixture *f, int k) {
  const sl_rel *rel = f->bound[f->nparsed - 1]->query;
  while (rel->kind != SL_REL_PROJECT)
    rel = rel->input;
  return rel->u.project.exprs[k];
}

/* Binds a SELECT over t (kept until teardown); returns its select-list
 * expression k. */
static const sl_bexpr *select_expr(fixture *f, const char *sql, int k) {
  sl_error err;
  sl_error_clear(&err);
  assert_true(f->nparsed < 4);
  int i = f->nparsed++;
  assert_int_equal(sl_parse_statement("q.sql", sql, NULL, &f->parse[i],
                                      &err),
                   SL_OK);
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, f->catalog, f->functions, f->parse[i]);
  if (sl_bind_stmt(&ctx, f->parse[i]->stmts[0], &f->bound[i], &err)) {
    char buf[2048];
    fail_msg("%s", sl_error_format(&err, buf, sizeof(buf)));
  }
  return last_expr(f, k);
}

/* Empties batch and fills it with t's columns (id, a, b, y), rows (a, b):
 * the same column memory every time, as an operator reuses its batch. */
static void fill(sl_batch *batch, const double *a, const double *b, int n) {
  sl_batch_reset(batch);
  for (int r = 0; r < n; r++) {
    int i = sl_batch_append_row(batch);
    *sl_batch_value(batch, i, 0) = sl_value_bigint(r + 1);
    *sl_batch_value(batch, i, 1) = sl_value_double(a[r]);
    *sl_batch_value(batch, i, 2) = sl_value_double(b[r]);
  }
}

static void score(sl_expr *x, sl_batch *batch, sl_value *out) {
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_expr_eval(x, batch, sl_batch_arena(batch), out, NULL,
                                &err),
                   SL_OK);
}

static sl_expr *compile(const sl_bexpr *e, sl_predict *p) {
  sl_expr_options xo = {.file = "q.sql", .predict = sl_predict_bind,
                        .predict_arg = p};
  sl_expr *x = NULL;
  sl_error err;
  sl_error_clear(&err);
  if (sl_expr_compile(e, &xo, &x, &err)) {
    char buf[2048];
    fail_msg("%s", sl_error_format(&err, buf, sizeof(buf)));
  }
  return x;
}

static sl_predict *provider(fixture *f) {
  sl_predict_options o = {.catalog = f->catalog,
                          .functions = f->functions,
                          .pin_versions = true};
  sl_predict *p = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_predict_new(&o, &p, &err), SL_OK);
  return p;
}

/* Scores rows (a, b) with a fresh provider and call site that share
 * nothing: the reference for every shared score. */
static void alone(fixture *f, const sl_bexpr *e, const double *a,
                  const double *b, int n, sl_value *out) {
  sl_batch *batch = sl_batch_create(4, 16);
  fill(batch, a, b, n);
  sl_predict *p = provider(f);
  sl_expr *x = compile(e, p);
  score(x, batch, out);
  sl_predict_stats st;
  sl_predict_get_stats(p, &st);
  assert_int_equal(st.shared_batches, 0);
  sl_expr_free(x);
  sl_predict_free(p);
  sl_batch_free(batch);
}

static void check_same_scores(const sl_value *got, const sl_value *want,
                              int n) {
  for (int r = 0; r < n; r++) {
    if (got[r].kind != want[r].kind)
      fail_msg("row %d: kind %d, alone %d", r, got[r].kind, want[r].kind);
    if (got[r].kind == SL_TYPE_DOUBLE && got[r].u.f64 != want[r].u.f64)
      fail_msg("row %d: shared score %.17g, alone %.17g", r, got[r].u.f64,
               want[r].u.f64);
  }
}

static void check_stats(const sl_predict *p, long long calls, long long rows,
                        long long features, long long shared) {
  sl_predict_stats st;
  sl_predict_get_stats(p, &st);
  if (st.calls != calls || st.rows != rows || st.feature_batches != features ||
      st.shared_batches != shared)
    fail_msg("stats calls %lld rows %lld feature_batches %lld "
             "shared_batches %lld; expected %lld %lld %lld %lld",
             st.calls, st.rows, st.feature_batches, st.shared_batches, calls,
             rows, features, shared);
  assert_true(st.ns > 0);
}

/* Champion and challenger (two versions of m, one feature list): the
 * ratio is computed once per batch, both score it, and the scores are
 * what each gets alone.  A batch whose memory is reused for other
 * values, scored by the challenger first, is computed again, never
 * taken from the last one.  A row the champion fails (its ratio divides
 * by zero) leaves the challenger fewer rows, which it computes itself. */
static void test_versions_share_features(void **state) {
  fixture *f = *state;
  const sl_bexpr *champion = select_expr(
      f, "SELECT PREDICT(m VERSION 1), PREDICT(m VERSION 2) FROM t", 0);
  const sl_bexpr *challenger = last_expr(f, 1);
  sl_predict_stats before;
  sl_predict_process_stats(&before);

  sl_predict *p = provider(f);
  sl_expr *x1 = compile(champion, p);
  sl_expr *x2 = compile(challenger, p);
  sl_batch *batch = sl_batch_create(4, 16);
  sl_value s1[16], s2[16], w1[16], w2[16];

  double a[] = {2, 4, 9}, b[] = {1, 8, 3};
  fill(batch, a, b, 3);
  score(x1, batch, s1);
  score(x2, batch, s2);
  check_stats(p, 2, 6, 1, 1);
  alone(f, champion, a, b, 3, w1);
  alone(f, challenger, a, b, 3, w2);
  check_same_scores(s1, w1, 3);
  check_same_scores(s2, w2, 3);
  assert_true(s1[0].u.f64 != s2[0].u.f64);

  /* The next batch in the same memory, in the usual order. */
  double a2[] = {7, 1, 5, 6}, b2[] = {2, 2, 1, 4};
  fill(batch, a2, b2, 4);
  score(x1, batch, s1);
  score(x2, batch, s2);
  check_stats(p, 4, 14, 2, 2);
  alone(f, champion, a2, b2, 4, w1);
  alone(f, challenger, a2, b2, 4, w2);
  check_same_scores(s1, w1, 4);
  check_same_scores(s2, w2, 4);

  /* Only the challenger sees this one: same memory, other b values. */
  double b3[] = {1, 4, 5, 2};
  fill(batch, a2, b3, 4);
  score(x2, batch, s2);
  check_stats(p, 5, 18, 3, 2);
  alone(f, challenger, a2, b3, 4, w2);
  check_same_scores(s2, w2, 4);

  /* Row 1 divides by zero: the champion fails it, the challenger is
   * called on the three others and scores them as it would alone. */
  double b4[] = {1, 0, 3, 2};
  fill(batch, a2, b4, 4);
  score(x1, batch, s1);
  score(x2, batch, s2);
  check_stats(p, 7, 25, 5, 2);
  assert_int_equal(batch->rows[1].state, SL_BATCH_ROW_ERROR);
  assert_string_equal(batch->rows[1].error->reason, "division_by_zero");
  alone(f, challenger, a2, b4, 4, w2);
  assert_int_equal(s1[1].kind, SL_TYPE_NULL);
  check_same_scores(s2, w2, 1);
  check_same_scores(s2 + 2, w2 + 2, 2);

  /* The process totals grew by this provider's counts and those of the
   * six providers of alone(), one call and one feature batch each. */
  sl_predict_stats after;
  sl_predict_process_stats(&after);
  assert_int_equal(after.calls - before.calls, 7 + 6);
  assert_int_equal(after.rows - before.rows, 25 + 3 + 3 + 4 + 4 + 4 + 4);
  assert_int_equal(after.feature_batches - before.feature_batches, 5 + 6);
  assert_int_equal(after.shared_batches - before.shared_batches, 2);
  assert_true(after.ns - before.ns > 0);

  sl_expr_free(x1);
  sl_expr_free(x2);
  sl_predict_free(p);
  sl_batch_free(batch);
}

/* Two XGBoost models on the same features expand them into the same
 * matrix: the challenger scores the champion's matrix (and its ratio),
 * with the scores it gets alone.  A linear model on those features
 * shares the ratio but scores its inputs directly. */
static void test_models_share_matrix(void **state) {
  fixture *f = *state;
  const sl_bexpr *champion = select_expr(
      f, "SELECT PREDICT(champion), PREDICT(challenger), "
         "PREDICT(m VERSION 1) FROM t", 0);
  const sl_bexpr *challenger = last_expr(f, 1);
  const sl_bexpr *linear = last_expr(f, 2);
  sl_predict *p = provider(f);
  sl_expr *x1 = compile(champion, p);
  sl_expr *x2 = compile(challenger, p);
  sl_expr *x3 = compile(linear, p);
  sl_batch *batch = sl_batch_create(4, 16);
  sl_value s1[16], s2[16], s3[16], w1[16], w2[16], w3[16];

  double a[] = {1, 6, 9, 4, 7}, b[] = {1, 2, 1, 2, 1};
  fill(batch, a, b, 5);
  score(x1, batch, s1);
  score(x2, batch, s2);
  score(x3, batch, s3);
  sl_predict_stats st;
  sl_predict_get_stats(p, &st);
  assert_int_equal(st.calls, 3);
  assert_int_equal(st.feature_batches, 1);
  assert_int_equal(st.shared_batches, 2);
  assert_int_equal(st.shared_matrices, 1);
  alone(f, champion, a, b, 5, w1);
  alone(f, challenger, a, b, 5, w2);
  alone(f, linear, a, b, 5, w3);
  check_same_scores(s1, w1, 5);
  check_same_scores(s2, w2, 5);
  check_same_scores(s3, w3, 5);
  assert_true(s1[1].u.f64 != s2[1].u.f64);

  /* The challenger alone on new values expands its own matrix. */
  double b2[] = {2, 1, 2, 1, 2};
  fill(batch, a, b2, 5);
  score(x2, batch, s2);
  sl_predict_get_stats(p, &st);
  assert_int_equal(st.feature_batches, 2);
  assert_int_equal(st.shared_matrices, 1);
  alone(f, challenger, a, b2, 5, w2);
  check_same_scores(s2, w2, 5);

  sl_expr_free(x1);
  sl_expr_free(x2);
  sl_expr_free(x3);
  sl_predict_free(p);
  sl_batch_free(batch);
}

/* Another feature list (a * b instead of a / b) shares nothing, even on
 * the same rows. */
static void test_other_features_not_shared(void **state) {
  fixture *f = *state;
  const sl_bexpr *e1 = select_expr(
      f, "SELECT PREDICT(m VERSION 1), PREDICT(other) FROM t", 0);
  const sl_bexpr *other = last_expr(f, 1);

  sl_predict *p = provider(f);
  sl_expr *x1 = compile(e1, p);
  sl_expr *x2 = compile(other, p);
  sl_batch *batch = sl_batch_create(4, 16);
  double a[] = {3, 8}, b[] = {2, 1};
  sl_value s[16], w[16];
  fill(batch, a, b, 2);
  score(x1, batch, s);
  score(x2, batch, s);
  check_stats(p, 2, 4, 2, 0);
  alone(f, other, a, b, 2, w);
  check_same_scores(s, w, 2);
  sl_expr_free(x1);
  sl_expr_free(x2);
  sl_predict_free(p);
  sl_batch_free(batch);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_versions_share_features, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_other_features_not_shared, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_models_share_matrix, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
