/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_predict.c - the PREDICT provider (engine/exec/predict.h): versions
 * pinned per query, computed features and their row failures, the
 * prediction log with and without an event time.
 *
 * A session (with the embedded broker) trains the models; the tests then
 * bind queries against its catalog, compile their PREDICT calls with a
 * provider and score batches built here.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "catalog/catalog.h"
#include "engine/exec/predict.h"
#include "engine/exec/session.h"
#include "engine/expr/expr.h"
#include "engine/types/batch.h"
#include "parser/bind.h"
#include "parser/parser.h"
#include "test_util.h"
#include "udf/registry.h"

/* y is true exactly when a > 5; b only divides. */
static const char *const setup_sql =
    "CREATE TABLE t (id BIGINT PRIMARY KEY, a DOUBLE, b DOUBLE, y BOOLEAN);"
    "INSERT INTO t VALUES (1, 1, 1, false), (2, 2, 1, false), "
    "  (3, 3, 2, false), (4, 4, 2, false), (5, 5, 1, false), "
    "  (6, 6, 1, true), (7, 7, 2, true), (8, 8, 1, true), "
    "  (9, 9, 2, true), (10, 10, 1, true);"
    "CREATE MODEL m TYPE LOGISTIC_REGRESSION FEATURES (a, a / b AS ratio)"
    "  LABEL y FROM t WITH (lambda=1);";

/* A second version: a heavier penalty gives other scores. */
static const char *const retrain_sql =
    "CREATE MODEL m TYPE LOGISTIC_REGRESSION FEATURES (a, a / b AS ratio)"
    "  LABEL y FROM t WITH (lambda=50);";

typedef struct fixture {
  FILE *devnull;
  sl_session *session;
  sl_catalog *catalog;
  sl_func_registry *functions;
  sl_parse_result *parse;
  sl_bound_stmt *bound;
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
  assert_int_equal(sl_session_run_script(f->session, "setup.sql", setup_sql,
                                         &err),
                   SL_OK);
  f->catalog = sl_session_catalog(f->session);
  f->functions = sl_func_registry_new_builtin(&err);
  assert_non_null(f->functions);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sl_bound_stmt_free(f->bound);
  sl_parse_result_free(f->parse);
  sl_func_registry_free(f->functions);
  sl_session_close(f->session);
  fclose(f->devnull);
  free(f);
  return 0;
}

/* Binds a SELECT over t; returns its select-list expression k. */
static const sl_bexpr *select_expr(fixture *f, const char *sql, int k) {
  sl_error err;
  sl_error_clear(&err);
  sl_bound_stmt_free(f->bound);
  sl_parse_result_free(f->parse);
  f->bound = NULL;
  assert_int_equal(sl_parse_statement("q.sql", sql, NULL, &f->parse, &err),
                   SL_OK);
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, f->catalog, f->functions, f->parse);
  if (sl_bind_stmt(&ctx, f->parse->stmts[0], &f->bound, &err)) {
    char buf[2048];
    fail_msg("%s", sl_error_format(&err, buf, sizeof(buf)));
  }
  const sl_rel *rel = f->bound->query;
  while (rel->kind != SL_REL_PROJECT)
    rel = rel->input;
  return rel->u.project.exprs[k];
}

/* A batch of t's columns (id, a, b, y) with rows (a, b). */
static sl_batch *rows_batch(const double *a, const double *b, int n) {
  sl_batch *batch = sl_batch_create(4, 16);
  for (int r = 0; r < n; r++) {
    int i = sl_batch_append_row(batch);
    *sl_batch_value(batch, i, 0) = sl_value_bigint(r + 1);
    *sl_batch_value(batch, i, 1) = sl_value_double(a[r]);
    *sl_batch_value(batch, i, 2) = sl_value_double(b[r]);
  }
  return batch;
}

/* Scores the rows with a compiled expression into out. */
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

static sl_predict *provider(fixture *f, bool pin, bool log,
                            const char *query) {
  sl_predict_options o = {.catalog = f->catalog,
                          .functions = f->functions,
                          .query_id = query,
                          .pin_versions = pin,
                          .log = log};
  sl_predict *p = NULL;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_predict_new(&o, &p, &err), SL_OK);
  return p;
}

/* A query keeps the version it started with; another query started after
 * a retraining gets the new one; VERSION n is always n. */
static void test_versions_pinned(void **state) {
  fixture *f = *state;
  double a[] = {2, 5.5, 9}, b[] = {1, 1, 1};
  sl_batch *batch = rows_batch(a, b, 3);
  sl_value v1[16], pinned[16], fresh[16], named[16];

  sl_predict *q1 = provider(f, true, false, NULL);
  sl_expr *x1 = compile(select_expr(f, "SELECT PREDICT(m) FROM t", 0), q1);
  score(x1, batch, v1);
  for (int r = 0; r < 3; r++)
    assert_int_equal(v1[r].kind, SL_TYPE_DOUBLE);
  assert_true(v1[0].u.f64 < 0.5 && v1[2].u.f64 > 0.5);

  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_session_run_script(f->session, "retrain.sql",
                                         retrain_sql, &err),
                   SL_OK);

  /* The running query compiles another operator: still version 1. */
  sl_expr *x1b = compile(select_expr(f, "SELECT PREDICT(m) FROM t", 0), q1);
  score(x1b, batch, pinned);
  sl_predict *q2 = provider(f, true, false, NULL);
  sl_expr *x2 = compile(select_expr(f, "SELECT PREDICT(m) FROM t", 0), q2);
  score(x2, batch, fresh);
  sl_expr *xn = compile(select_expr(f, "SELECT PREDICT(m VERSION 1) FROM t",
                                    0),
                        q2);
  score(xn, batch, named);
  for (int r = 0; r < 3; r++) {
    assert_double_near(pinned[r].u.f64, v1[r].u.f64, 0);
    assert_double_near(named[r].u.f64, v1[r].u.f64, 0);
    assert_true(fresh[r].u.f64 != v1[r].u.f64);
  }
  /* lambda=50 pulls the scores towards one half. */
  assert_true(fresh[0].u.f64 > v1[0].u.f64);
  assert_true(fresh[2].u.f64 < v1[2].u.f64);
  assert_int_equal(sl_predict_rows(q1), 6);
  assert_int_equal(sl_predict_rows(q2), 6);

  sl_expr_free(x1);
  sl_expr_free(x1b);
  sl_expr_free(x2);
  sl_expr_free(xn);
  sl_predict_free(q1);
  sl_predict_free(q2);
  sl_batch_free(batch);
}

/* A computed feature that fails (a / 0) fails its row with the reason;
 * the other rows are scored. */
static void test_feature_failure(void **state) {
  fixture *f = *state;
  double a[] = {2, 4, 9}, b[] = {1, 0, 3};
  sl_batch *batch = rows_batch(a, b, 3);
  sl_value out[16];
  sl_predict *p = provider(f, true, false, NULL);
  sl_expr *x = compile(select_expr(f, "SELECT PREDICT(m VERSION 1) FROM t",
                                   0),
                       p);
  score(x, batch, out);
  assert_int_equal(out[0].kind, SL_TYPE_DOUBLE);
  assert_int_equal(out[1].kind, SL_TYPE_NULL);
  assert_int_equal(out[2].kind, SL_TYPE_DOUBLE);
  assert_int_equal(batch->rows[1].state, SL_BATCH_ROW_ERROR);
  assert_string_equal(batch->rows[1].error->reason, "division_by_zero");
  assert_non_null(strstr(batch->rows[1].error->message, "PREDICT(m)"));
  assert_int_equal(batch->rows[0].state, SL_BATCH_ROW_SELECTED);
  sl_expr_free(x);
  sl_predict_free(p);
  sl_batch_free(batch);
}

/* PREDICT(m, v1, v2): values by position; the same row scores the same as
 * PREDICT(m) on its columns. */
static void test_values_by_position(void **state) {
  fixture *f = *state;
  double a[] = {3, 7}, b[] = {2, 1};
  sl_batch *batch = rows_batch(a, b, 2);
  sl_value by_name[16], by_pos[16];
  sl_predict *p = provider(f, true, false, NULL);
  sl_expr *xn = compile(select_expr(f, "SELECT PREDICT(m VERSION 1) FROM t",
                                    0),
                        p);
  sl_expr *xp = compile(
      select_expr(f, "SELECT PREDICT(m VERSION 1, a, b) FROM t", 0), p);
  sl_expr *xc = compile(
      select_expr(f, "SELECT PREDICT(m VERSION 1, 7.0, 1.0) FROM t", 0), p);
  score(xn, batch, by_name);
  score(xp, batch, by_pos);
  for (int r = 0; r < 2; r++)
    assert_double_near(by_pos[r].u.f64, by_name[r].u.f64, 0);
  score(xc, batch, by_pos);
  assert_double_near(by_pos[0].u.f64, by_name[1].u.f64, 0);
  sl_expr_free(xn);
  sl_expr_free(xp);
  sl_expr_free(xc);
  sl_predict_free(p);
  sl_batch_free(batch);
}

/* The log holds one row per scored row: query, model, version, features,
 * score, and the event time when the node carries it as a trailing
 * TIMESTAMP argument. */
static void test_prediction_log(void **state) {
  fixture *f = *state;
  double a[] = {2, 9}, b[] = {1, 3};
  sl_batch *batch = rows_batch(a, b, 2);
  sl_value out[16];
  sl_predict *p = provider(f, true, true, "scoring_q");
  const sl_bexpr *e = select_expr(f, "SELECT PREDICT(m VERSION 1) FROM t", 0);

  /* The same node with the event time appended. */
  sl_bexpr node = *e;
  sl_bexpr *args[3] = {e->args[0], e->args[1], NULL};
  sl_bexpr ts;
  memset(&ts, 0, sizeof(ts));
  ts.kind = SL_BEXPR_LITERAL;
  ts.type = sl_type_timestamp();
  ts.u.literal = sl_value_timestamp(1700000000123);
  args[2] = &ts;
  node.nargs = 3;
  node.args = args;
  sl_expr *x = compile(&node, p);
  score(x, batch, out);
  assert_int_equal(sl_predict_logged(p), 2);

  sqlite3 *db = sl_catalog_sqlite(f->catalog);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT query, model, version, "
                                      "features, score, event_time FROM "
                                      "prediction_log WHERE query = "
                                      "'scoring_q' ORDER BY rowid",
                                      -1, &st, NULL),
                   SQLITE_OK);
  const char *features[] = {"{\"a\":2,\"ratio\":2}", "{\"a\":9,\"ratio\":3}"};
  for (int r = 0; r < 2; r++) {
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "m");
    assert_int_equal(sqlite3_column_int(st, 2), 1);
    assert_string_equal((const char *)sqlite3_column_text(st, 3),
                        features[r]);
    assert_double_near(sqlite3_column_double(st, 4), out[r].u.f64, 0);
    assert_int_equal(sqlite3_column_int64(st, 5), 1700000000123);
  }
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);

  /* Turned off, nothing more is logged. */
  sl_predict_set_log(p, false);
  score(x, batch, out);
  assert_int_equal(sl_predict_logged(p), 2);
  assert_int_equal(sl_predict_rows(p), 4);
  sl_expr_free(x);
  sl_predict_free(p);
  sl_batch_free(batch);
}

/* A version that does not exist, and one whose column is missing from the
 * caller's columns, are SQL errors naming them. */
static void test_load_errors(void **state) {
  fixture *f = *state;
  sl_error err;
  sl_error_clear(&err);
  sl_predict_version *v = NULL;
  const char *names[] = {"a"};
  const sl_type *types[] = {sl_type_double()};
  assert_int_equal(sl_predict_version_load(f->catalog, f->functions, "m", 9,
                                           1, names, types, false, &v,
                                           &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "model m has no version 9");
  assert_int_equal(sl_predict_version_load(f->catalog, f->functions, "m", 1,
                                           1, names, types, false, &v,
                                           &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "model m version 1 reads column \"b\" "
                      "(DOUBLE), which is not available here");
  const sl_type *ints[] = {sl_type_int()};
  const char *both[] = {"a", "b"};
  const sl_type *mixed[] = {sl_type_double(), ints[0]};
  assert_int_equal(sl_predict_version_load(f->catalog, f->functions, "m", 1,
                                           2, both, mixed, true, &v, &err),
                   SL_ERR_SQL);
  assert_string_equal(err.message, "model m version 1 reads column \"b\" as "
                      "DOUBLE, but it is INT here");
  assert_null(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_feature_failure),
      cmocka_unit_test(test_values_by_position),
      cmocka_unit_test(test_prediction_log),
      cmocka_unit_test(test_versions_pinned),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
