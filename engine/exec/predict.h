/* SPDX-License-Identifier: Apache-2.0 */
/*
 * predict.h - PREDICT in queries: model versions from the catalog, scored
 * one batch at a time.
 *
 * A model version is stored as a blob (engine/model) together with the
 * CREATE MODEL statement that trained it.  To score rows, the statement
 * is bound again and its FEATURES expressions are re-pointed, by column
 * name, at the columns the caller has (sl_predict_version_load); the
 * model's frozen transforms then turn the feature values into one dense
 * matrix per batch and the model scores it in one call.
 *
 * The provider (sl_predict) is the expression compiler's PREDICT hook
 * (sl_expr_options.predict, expr.h).  The binder gives a PREDICT node one
 * argument per input column of the model's current definition, in the
 * order DESCRIBE lists them: the row's columns by name for PREDICT(m),
 * the values given for PREDICT(m, v1, ...).  At compile time the hook
 * loads the version (PREDICT(m) the newest, PREDICT(m VERSION n) the
 * one named), checks that the node's arguments are the columns that
 * version reads, and makes the node's call site score with it:
 *   - a feature that is one of the input columns (the usual case, with
 *     or without STANDARDIZE, ONE_HOT or BUCKETIZE) is read straight from
 *     the argument column; computed features (`amount / income AS
 *     ratio`) are compiled once per call site and evaluated over the
 *     batch's arguments;
 *   - a classifier returns the positive class's probability, a
 *     regression the predicted value, as DOUBLE;
 *   - a row whose computed feature fails (division by zero) fails with
 *     that reason; a missing input is a missing value for the model.
 * Loaded versions are cached by the provider and shared read-only by
 * every call site; each call site owns its scratch memory, so call sites
 * of different threads never share mutable state.
 *
 * Several PREDICT calls in one query (a champion and its challengers)
 * read the same argument columns of the same rows; calls of one version
 * share the loaded model.  Call sites whose feature lists are the same
 * (the same expressions over the same argument types: two versions of
 * one model, or two models trained on the same FEATURES) share their
 * computed features too: on each thread, the first call site to see a
 * batch evaluates them, and the next ones, finding their arguments hold
 * the same values, score the same feature columns without evaluating
 * them again (shared_batches in the statistics below counts those).
 * When their models also expand features into the same matrix (the
 * same transforms and frozen statistics, no ONE_HOT; see
 * sl_model_same_matrix), the later ones score the first one's matrix as
 * well (shared_matrices).  A feature list that calls a nondeterministic
 * function (NOW()) or reads a composite argument is never shared.
 *
 * Versions: a provider made for one query (pin_versions) resolves
 * PREDICT(m) to the newest version once, at the first call site it
 * compiles, and every later call site of that query gets the same
 * version: a running query keeps the version it started with.  A
 * provider shared by many queries (pin_versions false) resolves the
 * newest version at each compile, which is when an operator instance
 * starts.
 *
 * Prediction log: when logging is on, every scored row is appended to the
 * catalog's prediction_log table with the query id, model, version, the
 * feature values as a JSON object ({"amount":12.5,"country":"DE"}), the
 * score and the row's event time, one transaction per batch.  The event
 * time is known when the PREDICT node carries it: a caller (the engine's
 * planner) that wants it logged appends the row's event time as one
 * extra trailing TIMESTAMP argument to the node's arguments; without it
 * the event time is not known and is logged as such.
 *
 * A persistent query's own WITH (prediction_log=true|false) beats the
 * provider's setting for its PREDICT calls: the executor writes it into
 * each PREDICT node (u.predict.log, and u.predict.query_id, the query id
 * its rows are logged under, a string kept by sl_predict_keep so that it
 * outlives the plan's copies of the node) before planning.
 *
 * Usage per query: the call sites of nodes that name their query
 * (u.predict.query_id, which the executor sets for streaming queries
 * whether they log or not) add what they score to one entry per query
 * and model version of their provider: rows, batches, time, and the
 * ONE_HOT values unseen in training (sl_predict_usages).
 *
 * Using it from the engine runtime (streaming queries): make one
 * provider per query, with the query's id, pin_versions true and log set
 * from the query's WITH (prediction_log=true) or else the session's SET
 * 'prediction.log'; put sl_predict_bind and the provider into the
 * sl_expr_options with which every operator instance of the query
 * compiles its expressions (sl_runtime_config's predict/predict_arg for a
 * runtime-wide provider, which then cannot pin versions or name the
 * query); free the provider after the query's operators.  Compiling is
 * serialized inside the provider, so tasks may compile concurrently.
 */
#ifndef SLUICE_EXEC_PREDICT_H
#define SLUICE_EXEC_PREDICT_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "engine/model/model.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/call.h"
#include "udf/registry.h"

/* ---- Model versions ready to score ------------------------------------- */

/* One version of a model with its features over the caller's columns. */
typedef struct sl_predict_version {
  char *model;
  int version;
  char *training_set;  /* NULL for a model imported FROM FILE */
  char *sql;           /* the CREATE MODEL that made it */
  sl_model *m;         /* the trained model */
  int nfeatures;       /* == sl_model_input_count(m) */
  sl_bexpr **features; /* over the caller's columns, in model input order */
  sl_bexpr *label;     /* over the caller's columns; NULL for an imported
                          model or when not asked for */
  sl_parse_result *parse; /* own the expressions */
  sl_bound_stmt *bound;
} sl_predict_version;

/* Loads version `version` of model (0: the newest) from the catalog and
 * points its features (and, with with_label, its label) at the caller's
 * ncols columns, found by name (names[i], types[i]).  functions resolves
 * the functions the features call (read only).  Errors: SL_ERR_SQL when
 * the model or version does not exist, its statement no longer binds (the
 * training set it names was dropped), or a column it reads is missing or
 * of another type here; SL_ERR_RUNTIME for a damaged blob.  On success
 * *out is owned by the caller (sl_predict_version_free). */
sl_status sl_predict_version_load(sl_catalog *catalog,
                                  sl_func_registry *functions,
                                  const char *model, int version, int ncols,
                                  const char *const *names,
                                  const sl_type *const *types,
                                  bool with_label, sl_predict_version **out,
                                  sl_error *err);

/* Frees a version.  Accepts NULL. */
void sl_predict_version_free(sl_predict_version *v);

/* ---- The PREDICT provider ---------------------------------------------- */

typedef struct sl_predict sl_predict;

typedef struct sl_predict_options {
  sl_catalog *catalog;         /* models; the prediction log */
  sl_func_registry *functions; /* functions the features call (read) */
  const char *query_id;        /* for the log; NULL: none (copied) */
  bool pin_versions;           /* one query: the newest version is
                                  resolved once and kept */
  bool log;                    /* record every prediction */
} sl_predict_options;

/* A new provider.  The catalog and registry must outlive it.  *out is
 * owned by the caller (sl_predict_free). */
sl_status sl_predict_new(const sl_predict_options *opts, sl_predict **out,
                         sl_error *err);

/* Turns the prediction log on or off for batches scored from now on. */
void sl_predict_set_log(sl_predict *p, bool on);

/* A copy of text kept until the provider is freed (one per distinct
 * text), for PREDICT nodes' query_id; NULL when out of memory. */
const char *sl_predict_keep(sl_predict *p, const char *text);

/* Rows scored since the provider was made, and rows logged. */
long long sl_predict_rows(const sl_predict *p);
long long sl_predict_logged(const sl_predict *p);

/* Serving counters.  A call is one batch through one PREDICT call site
 * (one model call); ns is the wall time spent in those calls, feature
 * evaluation, scoring and logging included, so ns / calls is the mean
 * latency per batch and ns / rows the cost per prediction. */
typedef struct sl_predict_stats {
  long long calls;           /* batches scored */
  long long rows;            /* rows scored */
  long long ns;              /* nanoseconds inside PREDICT */
  long long logged;          /* rows written to prediction_log */
  long long feature_batches; /* batches whose computed features were
                                evaluated */
  long long shared_batches;  /* batches that reused another call site's
                                computed features */
  long long shared_matrices; /* batches scored on another call site's
                                expanded matrix */
} sl_predict_stats;

/* The counters of one provider (one query) since it was made. */
void sl_predict_get_stats(const sl_predict *p, sl_predict_stats *out);

/* The counters of every provider of the process since it started, freed
 * providers included (for process-wide metrics).  Thread-safe. */
void sl_predict_process_stats(sl_predict_stats *out);

/* What the PREDICT calls of one query did with one model version since
 * the provider was made (see "Usage per query" above).  The strings
 * belong to the provider and live as long as it does. */
typedef struct sl_predict_usage {
  const char *query;
  const char *model;
  int version;
  long long calls;  /* batches scored */
  long long rows;   /* rows scored */
  long long ns;     /* nanoseconds inside PREDICT */
  long long unseen; /* ONE_HOT values not seen in training, each scored
                       as all zeros */
} sl_predict_usage;

/* Copies up to cap entries into out, those of query only unless it is
 * NULL, in the order they were first used; returns how many there are.
 * Thread-safe. */
int sl_predict_usages(const sl_predict *p, const char *query,
                      sl_predict_usage *out, int cap);

/* The expression compiler's hook (sl_expr_predict_fn): arg is the
 * provider.  Initializes ctx as the node's call site (see above).
 * Errors are SL_ERR_SQL for what the user can fix (unknown version, a
 * column the version reads that the node does not pass), which the
 * compiler reports at the node; SL_ERR_RUNTIME for a damaged model. */
sl_status sl_predict_bind(void *arg, const sl_bexpr *node, sl_func_ctx *ctx,
                          sl_error *err);

/* Frees the provider and every version it loaded.  Every expression
 * compiled with it must be freed first.  Accepts NULL. */
void sl_predict_free(sl_predict *p);

#endif /* SLUICE_EXEC_PREDICT_H */
