/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xgbcheck.c - structural checks of an XGBoost JSON model file.
 *
 * XGBoost's loader checks the JSON syntax and the types of the fields,
 * but trusts the numbers: a child index past the end of a tree, or a
 * split on a feature the model does not have, is followed blindly at
 * prediction time and crashes the process (or reads stray memory).  A
 * model imported FROM FILE comes from outside, so before XGBoost sees it
 * this checks what prediction relies on (XGBoost 1.x JSON schema):
 *
 *   learner.learner_model_param   num_feature, num_class
 *   learner.gradient_booster      gbtree or dart (gbtree + weight_drop
 *                                 with one weight per tree); gblinear is
 *                                 refused (XGBoost cannot predict with
 *                                 it in place)
 *   model.trees / tree_info       as many as gbtree_model_param.num_trees;
 *                                 each tree_info a group below the number
 *                                 of output groups
 *   each tree                     the per-node arrays are num_nodes long;
 *                                 from the root every node is a leaf (both
 *                                 children -1) or splits on a feature
 *                                 below num_feature into two children
 *                                 in range, each reached once (a tree,
 *                                 no cycles); splits are numerical.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model_internal.h"

static const sl_model_json *array_field(const sl_model_json *obj,
                                        const char *key) {
  const sl_model_json *v = sl_model_json_get(obj, key);
  return v && v->type == SL_MODEL_JSON_ARRAY ? v : NULL;
}

/* The integer at index i of a numeric array, or a value outside every
 * valid range when it is not an integer. */
static long long item_int(const sl_model_json *arr, uint32_t i) {
  const sl_model_json *v = &arr->u.items[i];
  if (v->type != SL_MODEL_JSON_NUMBER || v->u.num != floor(v->u.num) ||
      fabs(v->u.num) > 4e18)
    return -(1LL << 62);
  return (long long)v->u.num;
}

static sl_status check_tree(const sl_model_json *tree, uint32_t t,
                            long long num_feature, sl_error *err) {
  static const char *const per_node[] = {
      "left_children", "right_children", "parents", "split_indices",
      "split_conditions", "default_left", "base_weights", "loss_changes",
      "sum_hessian"};
  long long n;
  const sl_model_json *param = sl_model_json_get(tree, "tree_param");
  if (!sl_model_json_int(sl_model_json_get(param, "num_nodes"), 1, 1LL << 30,
                         &n))
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "tree %u has no valid tree_param.num_nodes", t);

  for (size_t k = 0; k < sizeof(per_node) / sizeof(per_node[0]); k++) {
    const sl_model_json *a = array_field(tree, per_node[k]);
    if (!a || a->n != (uint64_t)n)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "tree %u: %s has %lld entries for %lld nodes", t,
                          per_node[k], a ? (long long)a->n : -1LL, n);
    for (uint32_t i = 0; i < a->n; i++)
      if (a->u.items[i].type != SL_MODEL_JSON_NUMBER)
        return sl_error_set(err, SL_ERR_RUNTIME,
                            "tree %u: %s[%u] is not a number", t,
                            per_node[k], i);
  }
  const sl_model_json *types = array_field(tree, "split_type");
  if (types) {
    if (types->n != (uint64_t)n)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "tree %u: split_type has %u entries for %lld "
                          "nodes",
                          t, types->n, n);
    for (uint32_t i = 0; i < types->n; i++)
      if (item_int(types, i) != 0)
        return sl_error_set(err, SL_ERR_RUNTIME,
                            "tree %u: node %u has a categorical split, "
                            "which Sluice does not serve",
                            t, i);
  }

  const sl_model_json *left = array_field(tree, "left_children");
  const sl_model_json *right = array_field(tree, "right_children");
  const sl_model_json *feat = array_field(tree, "split_indices");
  unsigned char *seen = calloc((size_t)n, 1);
  uint32_t *stack = malloc((size_t)n * sizeof(uint32_t));
  sl_status rc = SL_OK;
  if (!seen || !stack) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory checking a tree");
    goto done;
  }

  /* Depth-first from the root; every node is pushed at most once. */
  size_t top = 0;
  stack[top++] = 0;
  seen[0] = 1;
  while (top) {
    uint32_t i = stack[--top];
    long long l = item_int(left, i), r = item_int(right, i);
    if (l == -1 && r == -1)
      continue;
    if (l < 1 || l >= n || r < 1 || r >= n || l == r) {
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "tree %u: node %u has children %lld and %lld; "
                        "expected -1 and -1 or two nodes in 1..%lld",
                        t, i, l, r, n - 1);
      goto done;
    }
    if (seen[l] || seen[r]) {
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "tree %u: node %lld is reached twice", t,
                        seen[l] ? l : r);
      goto done;
    }
    long long f = item_int(feat, i);
    if (f < 0 || f >= num_feature) {
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "tree %u: node %u splits on feature %lld of %lld",
                        t, i, f, num_feature);
      goto done;
    }
    seen[l] = seen[r] = 1;
    stack[top++] = (uint32_t)l;
    stack[top++] = (uint32_t)r;
  }

done:
  free(seen);
  free(stack);
  return rc;
}

static sl_status check_gbtree(const sl_model_json *model,
                              long long num_feature, long long groups,
                              uint32_t *ntrees, sl_error *err) {
  const sl_model_json *trees = array_field(model, "trees");
  const sl_model_json *info = array_field(model, "tree_info");
  long long declared = -1;
  if (!trees || !info)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "the booster has no trees or tree_info");
  const sl_model_json *param =
      sl_model_json_get(model, "gbtree_model_param");
  if (!sl_model_json_int(sl_model_json_get(param, "num_trees"), 0,
                         1LL << 31, &declared) ||
      declared != trees->n || info->n != trees->n)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "the booster declares %lld trees, holds %u, with "
                        "%u tree_info entries",
                        declared, trees->n, info->n);
  for (uint32_t t = 0; t < trees->n; t++) {
    long long g = item_int(info, t);
    if (g < 0 || g >= groups)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "tree %u belongs to output group %lld of %lld", t,
                          g, groups);
    if (trees->u.items[t].type != SL_MODEL_JSON_OBJECT)
      return sl_error_set(err, SL_ERR_RUNTIME, "tree %u is not an object",
                          t);
    sl_status rc = check_tree(&trees->u.items[t], t, num_feature, err);
    if (rc)
      return rc;
  }
  *ntrees = trees->n;
  return SL_OK;
}

sl_status sl_model_xgb_check(const char *text, size_t len, sl_error *err) {
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_model_json root;
  sl_status rc = sl_model_json_parse(text, len, &arena, &root, err);
  if (rc)
    goto done;

  const sl_model_json *learner = sl_model_json_get(&root, "learner");
  const sl_model_json *lmp = sl_model_json_get(learner, "learner_model_param");
  const sl_model_json *gb = sl_model_json_get(learner, "gradient_booster");
  const sl_model_json *name = sl_model_json_get(gb, "name");
  long long num_feature, num_class = 0;
  if (!learner || !lmp || !gb || !name || name->type != SL_MODEL_JSON_STRING) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "not an XGBoost model (no learner with "
                      "learner_model_param and gradient_booster)");
    goto done;
  }
  if (!sl_model_json_int(sl_model_json_get(lmp, "num_feature"), 0,
                         1LL << 31, &num_feature) ||
      (sl_model_json_get(lmp, "num_class") &&
       !sl_model_json_int(sl_model_json_get(lmp, "num_class"), 0, 1LL << 20,
                          &num_class))) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "learner_model_param has no valid num_feature or "
                      "num_class");
    goto done;
  }
  long long groups = num_class > 1 ? num_class : 1;

  uint32_t ntrees = 0;
  if (strcmp(name->u.str, "gbtree") == 0) {
    rc = check_gbtree(sl_model_json_get(gb, "model"), num_feature, groups,
                      &ntrees, err);
  } else if (strcmp(name->u.str, "dart") == 0) {
    rc = check_gbtree(
        sl_model_json_get(sl_model_json_get(gb, "gbtree"), "model"),
        num_feature, groups, &ntrees, err);
    const sl_model_json *drop = array_field(gb, "weight_drop");
    if (!rc && (!drop || drop->n != ntrees))
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "the dart booster has %lld tree weights for %u "
                        "trees",
                        drop ? (long long)drop->n : -1LL, ntrees);
  } else if (strcmp(name->u.str, "gblinear") == 0) {
    /* XGBoost cannot predict in place with a linear booster. */
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "the booster is gblinear; Sluice serves tree "
                      "boosters (gbtree, dart) and has LOGISTIC_REGRESSION "
                      "and LINEAR_REGRESSION for linear models");
  } else {
    rc = sl_error_set(err, SL_ERR_RUNTIME, "unknown booster %s",
                      name->u.str);
  }

done:
  sl_arena_destroy(&arena);
  return rc;
}
