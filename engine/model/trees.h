/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trees.h - the native evaluator of XGBoost tree ensembles.
 *
 * PREDICT scores an XGBoost model here instead of through XGBoost's
 * generic predictor when the model's structure allows it: a gbtree
 * booster with one output (binary:logistic, reg:logistic and the
 * regression objectives Sluice serves), numeric splits only.  The trees
 * are read once from the booster's JSON model and flattened into one
 * compact array of nodes; a batch is scored block by block (64 rows
 * through every tree in turn, so that a tree stays in the cache while it
 * scores the block), without allocating.
 *
 * The scores are XGBoost 1.7's own, to the bit where the C library's
 * expf and logf are the ones XGBoost calls: the same float arithmetic in
 * the same order (the base margin, then each tree's leaf added in float
 * in tree order, then the objective's transform), the split test
 * `x < split value` in float, and a missing value (NaN) taking the
 * node's default direction.
 */
#ifndef SLUICE_MODEL_TREES_H
#define SLUICE_MODEL_TREES_H

#include <stddef.h>

#include "engine/common/error.h"

typedef struct sl_trees sl_trees;

/* Reads the len bytes of an XGBoost 1.7 JSON model (as
 * XGBoosterSaveModelToBuffer writes it with format json) into a new
 * evaluator in *out (free it with sl_trees_free).  A model the evaluator
 * does not cover (another booster such as dart, several output groups,
 * categorical splits, an objective it does not know, a node whose right
 * child does not follow its left one, a split value that is not finite)
 * gives SL_OK with *out NULL and why (why_size bytes) saying what it has;
 * so does text that is not such a model.  Returns SL_ERR_NOMEM (with *out
 * NULL) only when memory runs out. */
sl_status sl_trees_from_json(const char *json, size_t len, sl_trees **out,
                             char *why, size_t why_size, sl_error *err);

/* The input columns the model reads (its num_feature), and its trees. */
size_t sl_trees_features(const sl_trees *t);
size_t sl_trees_count(const sl_trees *t);

/* Scores n rows of x (row-major, sl_trees_features floats each, NaN =
 * missing) into out, as XGBoost's prediction with the objective's
 * transform (a probability for binary:logistic).  Allocates nothing
 * unless the trees split on more than 512 features.  Returns SL_ERR_NOMEM
 * only then, when memory runs out. */
sl_status sl_trees_predict(const sl_trees *t, const float *x, size_t n,
                           double *out, sl_error *err);

/* Fills n rows of x (sl_trees_features floats each) with inputs that
 * test the trees: each value is a split value of its column, the float
 * just below or above one, or missing, picked by a fixed pseudo-random
 * sequence, so that rows take both branches and the default direction of
 * many nodes, and ties (a value equal to the split value goes right).
 * The same model gives the same rows.  Returns SL_ERR_NOMEM when memory
 * runs out. */
sl_status sl_trees_probe(const sl_trees *t, size_t n, float *x,
                         sl_error *err);

/* Frees the evaluator.  Accepts NULL. */
void sl_trees_free(sl_trees *t);

#endif /* SLUICE_MODEL_TREES_H */
