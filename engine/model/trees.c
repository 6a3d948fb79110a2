/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trees.c - XGBoost tree ensembles evaluated natively (see trees.h).
 *
 * Layout.  Every tree is first renumbered breadth-first from its root,
 * so that the two children of a node sit side by side (right = left + 1)
 * and the upper levels, which every row visits, share cache lines.  In
 * this linked form a node is 16 bytes: the split value, where its left
 * child is, which value of the row it reads, and the leaf value; the
 * positions are byte offsets, so that a step costs no index arithmetic.
 * A leaf is a node whose split value is NaN and whose "left child" is
 * the node just before it: `x < NaN` is false for every x, so a step
 * from a leaf goes to left + 1, the leaf itself.  A row can therefore
 * take exactly as many steps as the tree is deep, wherever its leaf is,
 * with no test for leaves: the loop over the levels has a fixed count
 * and no branch that depends on the data.
 *
 * A tree at most 8 levels deep (XGBoost's default depth is 6) is also
 * laid out complete, as a heap: node i has its children at 2i + 1 and
 * 2i + 2, a node is 8 bytes (which value it reads, the split value), and
 * the 2^depth leaf values follow in their own array.  A leaf above the
 * bottom level stands for all the leaves below it, which take its value,
 * under nodes whose split does not matter.  A step is then a load, a
 * comparison and 2i + 1 + (went right), with no child index to load.
 * Deeper trees keep the linked form, whose size follows the real nodes;
 * beyond 32 levels (a long, thin tree) each row walks until it stands on
 * its leaf, so that it does not pay the tree's full depth.
 *
 * Missing values.  XGBoost sends a missing value (NaN) to the node's
 * default child, and any other value to the left when `x < split value`.
 * The block holds each row twice: once with NaN read as -infinity (every
 * finite split value then sends it left) and once as +infinity (sent
 * right).  A node that sends missing values left reads its feature from
 * the first copy, one that sends them right from the second, so the
 * split test is one comparison for present and missing values alike.
 * This is exact only for finite split values, which is why a model with
 * another one is left to XGBoost.  Infinite inputs are not missing for
 * XGBoost and are compared as they are here too.
 *
 * Order of work.  Rows are scored in blocks of up to 64, in groups of
 * eight.  The block is first copied into the doubled layout, interleaved
 * by group (the eight rows' values of one feature side by side), so that
 * a node's one offset finds the value of any row of the group; only the
 * features the trees split on are copied.  Then
 * each tree in turn takes every group of the block to its leaves, the
 * eight rows of a group one level at a time, so that eight independent
 * chains of loads overlap.  Each row's sum starts at the base margin and
 * adds the trees' leaves in tree order, in float, as XGBoost's CPU
 * predictor does; the objective's transform follows, as XGBoost 1.7
 * writes it.
 */
#include "engine/model/trees.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/model_internal.h"

/* Rows per block, rows per group (walked down a tree together), and the
 * floats of the block kept on the stack (two copies of each row). */
#define BLOCK_ROWS 64
#define LANES 8
#define STACK_FLOATS 8192
/* Trees at most this deep are also laid out complete; trees deeper
 * than LINKED_DEPTH_MAX are walked row by row to the leaf. */
#define COMPLETE_DEPTH_MAX 8
#define LINKED_DEPTH_MAX 32
/* So that the byte offsets of nodes and slots fit in 32 bits. */
#define MAX_FEATURES (1LL << 24)
#define MAX_TREE_NODES (1LL << 26)

/* A node of the linked form.  Its offsets are in bytes, so that a step
 * needs no index arithmetic: left from the tree's first node, slot from
 * the start of a group of rows in the block (slot s at s * 8 floats);
 * until place_columns, slot holds the feature and the default direction
 * (f * 2 + default_left). */
typedef struct tree_node {
  float split;   /* left when x < split; NaN in a leaf */
  uint32_t left; /* the left child (the right one follows); a leaf: the
                  * node before it (a root leaf takes no step) */
  uint32_t slot; /* the value read: column c (of the features the trees
                  * use) in the copy of the row whose missing values go
                  * left (c) or right (nused + c) */
  float leaf;    /* a leaf's value */
} tree_node;

#define NODE_BYTES ((uint32_t)sizeof(tree_node))

/* A split of the complete form; slot as in tree_node. */
typedef struct heap_node {
  uint32_t slot;
  float split;
} heap_node;

/* No complete form (heap_start). */
#define NO_HEAP SIZE_MAX

typedef enum link_kind { LINK_IDENTITY, LINK_LOGISTIC, LINK_EXP } link_kind;

struct sl_trees {
  size_t nfeat;     /* the model's input columns */
  uint32_t *used;   /* the features the trees split on, ascending */
  size_t nused;
  size_t width;     /* columns of a row in the block: nused, at least 1 */
  size_t ntrees;
  size_t nnodes;
  tree_node *nodes; /* every tree's nodes, breadth-first, tree after tree */
  uint32_t *start;  /* per tree: the index of its root in nodes */
  uint32_t *depth;  /* per tree: the levels from its root to its deepest
                     * leaf */
  /* The complete form of the trees at most COMPLETE_DEPTH_MAX deep. */
  heap_node *heap;
  float *heap_leaves;
  size_t *heap_start; /* per tree: its root in heap, or NO_HEAP */
  size_t *leaf_start; /* per tree: its first leaf in heap_leaves */
  float base_margin;
  link_kind link;
};

/* ---- Reading the JSON model ---------------------------------------------- */

/* Objectives by their transform of the margin. */
static const char *const logistic_objectives[] = {"binary:logistic",
                                                  "reg:logistic"};
static const char *const identity_objectives[] = {
    "reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror",
    "reg:absoluteerror", "reg:linear"};
static const char *const exp_objectives[] = {"reg:gamma", "reg:tweedie",
                                             "count:poisson"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, list[i]) == 0)
      return true;
  return false;
}

/* What reading a model found: done (an evaluator), or why not. */
typedef struct reader {
  char *why;
  size_t why_size;
  bool refused;
} reader;

static SL_PRINTF(2, 3) void refuse(reader *rd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(rd->why, rd->why_size, fmt, ap);
  va_end(ap);
  rd->refused = true;
}

static const sl_model_json *array_of(const sl_model_json *obj,
                                     const char *key, uint32_t n) {
  const sl_model_json *v = sl_model_json_get(obj, key);
  if (!v || v->type != SL_MODEL_JSON_ARRAY || v->n != n)
    return NULL;
  for (uint32_t i = 0; i < n; i++)
    if (v->u.items[i].type != SL_MODEL_JSON_NUMBER)
      return NULL;
  return v;
}

/* The integer at index i of a numeric array, or -2 when it is not one. */
static long long item_int(const sl_model_json *arr, uint32_t i) {
  double d = arr->u.items[i].u.num;
  if (!(d >= -1 && d <= 2147483647.0) || d != floor(d))
    return -2;
  return (long long)d;
}

/* The margin XGBoost starts every row from: base_score, a probability for
 * the logistic objectives and a mean for the exponential ones, taken
 * through the objective's ProbToMargin as XGBoost 1.7 computes it. */
static float base_margin(link_kind link, float base_score) {
  switch (link) {
  case LINK_LOGISTIC:
    return -logf(1.0f / base_score - 1.0f);
  case LINK_EXP:
    return logf(base_score);
  default:
    return base_score;
  }
}

/* The learner's parameters: features, outputs, objective, base score. */
static void read_learner(reader *rd, const sl_model_json *learner,
                         sl_trees *t) {
  const sl_model_json *lmp = sl_model_json_get(learner, "learner_model_param");
  const sl_model_json *obj =
      sl_model_json_get(sl_model_json_get(learner, "objective"), "name");
  long long nfeat, nclass = 0, ntarget = 1;
  if (!sl_model_json_int(sl_model_json_get(lmp, "num_feature"), 1,
                         MAX_FEATURES, &nfeat)) {
    refuse(rd, "no num_feature between 1 and %lld", MAX_FEATURES);
    return;
  }
  const sl_model_json *v = sl_model_json_get(lmp, "num_class");
  if (v && !sl_model_json_int(v, 0, 1LL << 20, &nclass)) {
    refuse(rd, "no valid num_class");
    return;
  }
  v = sl_model_json_get(lmp, "num_target");
  if (v && !sl_model_json_int(v, 0, 1LL << 20, &ntarget)) {
    refuse(rd, "no valid num_target");
    return;
  }
  if (nclass > 1 || ntarget > 1) {
    refuse(rd, "%lld classes and %lld targets; one output is evaluated "
               "natively",
           nclass, ntarget);
    return;
  }
  t->nfeat = (size_t)nfeat;

  if (!obj || obj->type != SL_MODEL_JSON_STRING) {
    refuse(rd, "no objective");
    return;
  }
  if (in_list(obj->u.str, logistic_objectives, COUNT(logistic_objectives)))
    t->link = LINK_LOGISTIC;
  else if (in_list(obj->u.str, identity_objectives,
                   COUNT(identity_objectives)))
    t->link = LINK_IDENTITY;
  else if (in_list(obj->u.str, exp_objectives, COUNT(exp_objectives)))
    t->link = LINK_EXP;
  else {
    refuse(rd, "objective %s", obj->u.str);
    return;
  }

  /* XGBoost writes base_score as text and reads it back as a float. */
  v = sl_model_json_get(lmp, "base_score");
  char *end = NULL;
  float score = v && v->type == SL_MODEL_JSON_STRING
                    ? strtof(v->u.str, &end)
                    : NAN;
  if (!end || end == v->u.str || *end || !isfinite(score)) {
    refuse(rd, "no valid base_score");
    return;
  }
  t->base_margin = base_margin(t->link, score);
}

/* Flattens tree k (JSON object tree) into t->nodes from t->nnodes on:
 * breadth-first from the root, children side by side.  queue and depth
 * hold num_nodes entries; seen num_nodes zeroed bytes. */
static void read_tree(reader *rd, const sl_model_json *tree, size_t k,
                      uint32_t n, sl_trees *t, uint32_t *queue,
                      uint32_t *depth, unsigned char *seen) {
  const sl_model_json *left = array_of(tree, "left_children", n);
  const sl_model_json *right = array_of(tree, "right_children", n);
  const sl_model_json *feat = array_of(tree, "split_indices", n);
  const sl_model_json *cond = array_of(tree, "split_conditions", n);
  const sl_model_json *dleft = array_of(tree, "default_left", n);
  if (!left || !right || !feat || !cond || !dleft) {
    refuse(rd, "tree %zu lacks a node array of %u entries", k, n);
    return;
  }
  const sl_model_json *types = sl_model_json_get(tree, "split_type");
  if (types && !array_of(tree, "split_type", n)) {
    refuse(rd, "tree %zu has a bad split_type", k);
    return;
  }
  for (uint32_t i = 0; types && i < n; i++) {
    if (types->u.items[i].u.num != 0) {
      refuse(rd, "tree %zu has a categorical split", k);
      return;
    }
  }
  const sl_model_json *cats = sl_model_json_get(tree, "categories");
  if (cats && (cats->type != SL_MODEL_JSON_ARRAY || cats->n != 0)) {
    refuse(rd, "tree %zu has categories", k);
    return;
  }

  tree_node *out = t->nodes + t->nnodes;
  uint32_t nq = 1, maxdepth = 0;
  queue[0] = 0;
  depth[0] = 0;
  seen[0] = 1;
  for (uint32_t p = 0; p < nq; p++) {
    uint32_t o = queue[p];
    long long l = item_int(left, o);
    if (l == -1) {
      out[p] = (tree_node){NAN, p ? (p - 1) * NODE_BYTES : 0, 0,
                           cond->u.items[o].f32};
      if (depth[p] > maxdepth)
        maxdepth = depth[p];
      continue;
    }
    /* XGBoost's predictor goes to left + 1 for "right", whatever
     * right_children says; a tree where that differs is left to it. */
    long long r = item_int(right, o), f = item_int(feat, o);
    float split = cond->u.items[o].f32;
    double dl = dleft->u.items[o].u.num;
    if (l < 1 || l + 1 >= (long long)n || r != l + 1) {
      refuse(rd, "tree %zu: node %u has children %lld and %lld", k, o, l,
             r);
      return;
    }
    if (seen[l] || seen[r]) {
      refuse(rd, "tree %zu: node %lld is reached twice", k,
             seen[l] ? l : r);
      return;
    }
    if (f < 0 || f >= (long long)t->nfeat) {
      refuse(rd, "tree %zu: node %u splits on feature %lld of %zu", k, o, f,
             t->nfeat);
      return;
    }
    if (!isfinite(split)) {
      refuse(rd, "tree %zu: node %u has split value %g", k, o,
             (double)split);
      return;
    }
    if (dl != 0 && dl != 1) {
      refuse(rd, "tree %zu: node %u has default_left %g", k, o, dl);
      return;
    }
    seen[l] = seen[r] = 1;
    /* The feature and its default direction, until place_columns. */
    out[p] = (tree_node){split, nq * NODE_BYTES,
                         (uint32_t)f * 2 + (dl != 0), 0};
    queue[nq] = (uint32_t)l;
    queue[nq + 1] = (uint32_t)r;
    depth[nq] = depth[nq + 1] = depth[p] + 1;
    nq += 2;
  }
  t->start[k] = (uint32_t)t->nnodes;
  t->depth[k] = maxdepth;
  t->nnodes += nq;
}

/* The trees of a gbtree model object into t. */
static sl_status read_trees(reader *rd, const sl_model_json *model,
                            sl_trees *t, sl_error *err) {
  const sl_model_json *trees = sl_model_json_get(model, "trees");
  const sl_model_json *info = sl_model_json_get(model, "tree_info");
  long long leaf_vector = 0;
  const sl_model_json *v = sl_model_json_get(
      sl_model_json_get(model, "gbtree_model_param"), "size_leaf_vector");
  if (v && (!sl_model_json_int(v, 0, 1LL << 30, &leaf_vector) ||
            leaf_vector != 0)) {
    refuse(rd, "leaf vectors");
    return SL_OK;
  }
  if (!trees || trees->type != SL_MODEL_JSON_ARRAY || !info ||
      !array_of(model, "tree_info", trees->n)) {
    refuse(rd, "no trees with tree_info");
    return SL_OK;
  }

  /* Sizes first: every node array is num_nodes long. */
  size_t total = 0, widest = 1;
  for (uint32_t k = 0; k < trees->n; k++) {
    const sl_model_json *tree = &trees->u.items[k];
    long long n;
    if (item_int(info, k) != 0) {
      refuse(rd, "tree %u is for output group %lld", k, item_int(info, k));
      return SL_OK;
    }
    if (!sl_model_json_int(
            sl_model_json_get(sl_model_json_get(tree, "tree_param"),
                              "num_nodes"),
            1, MAX_TREE_NODES, &n)) {
      refuse(rd, "tree %u has no valid num_nodes", k);
      return SL_OK;
    }
    v = sl_model_json_get(sl_model_json_get(tree, "tree_param"),
                          "size_leaf_vector");
    if (v && (!sl_model_json_int(v, 0, 1LL << 30, &leaf_vector) ||
              leaf_vector != 0)) {
      refuse(rd, "tree %u has leaf vectors", k);
      return SL_OK;
    }
    total += (size_t)n;
    if ((size_t)n > widest)
      widest = (size_t)n;
  }
  if (total > INT32_MAX) {
    refuse(rd, "%zu nodes in all, more than 2^31", total);
    return SL_OK;
  }

  t->ntrees = trees->n;
  t->nodes = malloc((total + 1) * sizeof(*t->nodes));
  t->start = malloc(((size_t)trees->n + 1) * sizeof(*t->start));
  t->depth = malloc(((size_t)trees->n + 1) * sizeof(*t->depth));
  uint32_t *queue = malloc(widest * sizeof(*queue));
  uint32_t *depth = malloc(widest * sizeof(*depth));
  unsigned char *seen = malloc(widest);
  sl_status rc = SL_OK;
  if (!t->nodes || !t->start || !t->depth || !queue || !depth || !seen) {
    rc = sl_error_set(err, SL_ERR_NOMEM,
                      "out of memory reading %u trees of %zu nodes",
                      trees->n, total);
    goto done;
  }
  for (uint32_t k = 0; k < trees->n && !rd->refused; k++) {
    const sl_model_json *tree = &trees->u.items[k];
    long long n = 0;
    sl_model_json_int(sl_model_json_get(sl_model_json_get(tree, "tree_param"),
                                        "num_nodes"),
                      1, MAX_TREE_NODES, &n);
    memset(seen, 0, (size_t)n);
    read_tree(rd, tree, k, (uint32_t)n, t, queue, depth, seen);
  }

done:
  free(queue);
  free(depth);
  free(seen);
  return rc;
}

/* Gives the features the trees split on their columns in the block, and
 * every split node its slot there.  Only those features are copied into
 * the block, so that a wide model (many ONE_HOT columns, say) whose
 * trees read few of them copies few. */
static sl_status place_columns(sl_trees *t, sl_error *err) {
  uint32_t *column = malloc((t->nfeat + 1) * sizeof(*column));
  t->used = malloc((t->nfeat + 1) * sizeof(*t->used));
  if (!column || !t->used) {
    free(column);
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory for %zu features", t->nfeat);
  }
  for (size_t f = 0; f < t->nfeat; f++)
    column[f] = UINT32_MAX;
  for (size_t i = 0; i < t->nnodes; i++)
    if (!isnan(t->nodes[i].split))
      column[t->nodes[i].slot / 2] = 0;
  for (size_t f = 0; f < t->nfeat; f++) {
    if (column[f] == UINT32_MAX)
      continue;
    column[f] = (uint32_t)t->nused;
    t->used[t->nused++] = (uint32_t)f;
  }
  t->width = t->nused ? t->nused : 1;
  for (size_t i = 0; i < t->nnodes; i++) {
    tree_node *nd = &t->nodes[i];
    if (isnan(nd->split))
      continue;
    size_t c = column[nd->slot / 2] + (nd->slot % 2 ? 0 : t->nused);
    nd->slot = (uint32_t)(c * LANES * sizeof(float));
  }
  free(column);
  return SL_OK;
}

/* Fills position c (at level d) of a complete tree `depth` deep from
 * linked node e of tn: a leaf above the bottom level fills the whole
 * subtree under c with its value. */
static void fill_heap(const tree_node *tn, uint32_t e, size_t c, uint32_t d,
                      uint32_t depth, heap_node *heap, float *leaves) {
  const tree_node *nd = &tn[e];
  if (d == depth) {
    leaves[c - (((size_t)1 << depth) - 1)] = nd->leaf;
    return;
  }
  uint32_t left = e, right = e;
  if (isnan(nd->split)) {
    heap[c] = (heap_node){0, 0};
  } else {
    heap[c] = (heap_node){nd->slot, nd->split};
    left = nd->left / NODE_BYTES;
    right = left + 1;
  }
  fill_heap(tn, left, 2 * c + 1, d + 1, depth, heap, leaves);
  fill_heap(tn, right, 2 * c + 2, d + 1, depth, heap, leaves);
}

/* The complete form of t's shallow trees. */
static sl_status build_heaps(sl_trees *t, sl_error *err) {
  size_t nsplits = 0, nleaves = 0;
  t->heap_start = malloc((t->ntrees + 1) * sizeof(*t->heap_start));
  t->leaf_start = malloc((t->ntrees + 1) * sizeof(*t->leaf_start));
  if (!t->heap_start || !t->leaf_start)
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory laying out %zu trees", t->ntrees);
  for (size_t k = 0; k < t->ntrees; k++) {
    t->heap_start[k] = NO_HEAP;
    if (t->depth[k] > COMPLETE_DEPTH_MAX)
      continue;
    t->heap_start[k] = nsplits;
    t->leaf_start[k] = nleaves;
    nsplits += ((size_t)1 << t->depth[k]) - 1;
    nleaves += (size_t)1 << t->depth[k];
  }
  t->heap = malloc((nsplits + 1) * sizeof(*t->heap));
  t->heap_leaves = malloc((nleaves + 1) * sizeof(*t->heap_leaves));
  if (!t->heap || !t->heap_leaves)
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory laying out %zu trees", t->ntrees);
  for (size_t k = 0; k < t->ntrees; k++)
    if (t->heap_start[k] != NO_HEAP)
      fill_heap(t->nodes + t->start[k], 0, 0, 0, t->depth[k],
                t->heap + t->heap_start[k],
                t->heap_leaves + t->leaf_start[k]);
  return SL_OK;
}

sl_status sl_trees_from_json(const char *json, size_t len, sl_trees **out,
                             char *why, size_t why_size, sl_error *err) {
  *out = NULL;
  reader rd = {why, why_size, false};
  sl_trees *t = calloc(1, sizeof(*t));
  if (!t)
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory for a tree evaluator");
  sl_arena arena;
  sl_arena_init(&arena, 0);

  sl_model_json root;
  sl_error perr;
  sl_error_clear(&perr);
  sl_status rc = sl_model_json_parse(json, len, &arena, &root, &perr);
  if (rc == SL_ERR_NOMEM) {
    *err = perr;
    goto done;
  }
  rc = SL_OK;
  if (perr.code) {
    refuse(&rd, "%s", perr.message);
    goto done;
  }

  const sl_model_json *learner = sl_model_json_get(&root, "learner");
  const sl_model_json *gb = sl_model_json_get(learner, "gradient_booster");
  const sl_model_json *name = sl_model_json_get(gb, "name");
  if (!name || name->type != SL_MODEL_JSON_STRING) {
    refuse(&rd, "not an XGBoost JSON model");
    goto done;
  }
  if (strcmp(name->u.str, "gbtree") != 0) {
    refuse(&rd, "booster %s", name->u.str);
    goto done;
  }
  read_learner(&rd, learner, t);
  if (!rd.refused)
    rc = read_trees(&rd, sl_model_json_get(gb, "model"), t, err);
  if (!rc && !rd.refused)
    rc = place_columns(t, err);
  if (!rc && !rd.refused)
    rc = build_heaps(t, err);

done:
  sl_arena_destroy(&arena);
  if (rc || rd.refused) {
    sl_trees_free(t);
    return rc;
  }
  *out = t;
  return SL_OK;
}

void sl_trees_free(sl_trees *t) {
  if (!t)
    return;
  free(t->used);
  free(t->heap);
  free(t->heap_leaves);
  free(t->heap_start);
  free(t->leaf_start);
  free(t->nodes);
  free(t->start);
  free(t->depth);
  free(t);
}

size_t sl_trees_features(const sl_trees *t) { return t->nfeat; }

size_t sl_trees_count(const sl_trees *t) { return t->ntrees; }

/* ---- Scoring ------------------------------------------------------------- */

/* XGBoost 1.7's common::Sigmoid, operation for operation: the clamp is
 * std::min(-x, 88.7f) and the small constant is a float. */
static float sigmoid(float x) {
  float nx = -x;
  float e = 88.7f < nx ? 88.7f : nx;
  float denom = expf(e) + 1.0f + 1e-16f;
  return 1.0f / denom;
}

static float transform(link_kind link, float margin) {
  switch (link) {
  case LINK_LOGISTIC:
    return sigmoid(margin);
  case LINK_EXP:
    return expf(margin);
  default:
    return margin;
  }
}

/* One level down a complete tree for lane `lane` of a group: i is the
 * position in the heap, slot a byte offset into the group. */
#define HEAP_STEP(i, lane)                                                 \
  do {                                                                     \
    const heap_node *nd_ = &heap[i];                                       \
    float x_ = *(const float *)(gb + nd_->slot + 4 * (lane));              \
    (i) = 2 * (i) + 1 + (size_t)!(x_ < nd_->split);                        \
  } while (0)

/* Adds the complete tree heap (depth levels, its leaves in leaves) to
 * the sums of the groups of the block (group_bytes apart): the eight
 * rows of a group walk down together. */
static void tree_heap(const heap_node *heap, const float *leaves,
                      uint32_t depth, const char *block, size_t groups,
                      size_t group_bytes, float *sum) {
  /* The bottom level starts at position 2^depth - 1. */
  size_t first = ((size_t)1 << depth) - 1;
  for (size_t g = 0; g < groups; g++, sum += LANES) {
    const char *gb = block + g * group_bytes;
    size_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;
    for (uint32_t d = 0; d < depth; d++) {
      HEAP_STEP(i0, 0);
      HEAP_STEP(i1, 1);
      HEAP_STEP(i2, 2);
      HEAP_STEP(i3, 3);
      HEAP_STEP(i4, 4);
      HEAP_STEP(i5, 5);
      HEAP_STEP(i6, 6);
      HEAP_STEP(i7, 7);
    }
    sum[0] += leaves[i0 - first];
    sum[1] += leaves[i1 - first];
    sum[2] += leaves[i2 - first];
    sum[3] += leaves[i3 - first];
    sum[4] += leaves[i4 - first];
    sum[5] += leaves[i5 - first];
    sum[6] += leaves[i6 - first];
    sum[7] += leaves[i7 - first];
  }
}

/* One level down a linked tree for lane `lane` of a group: i and the
 * node's left child are byte offsets into the tree. */
#define LINK_STEP(i, lane)                                                 \
  do {                                                                     \
    const tree_node *nd_ = (const tree_node *)(tb + (i));                  \
    float x_ = *(const float *)(gb + nd_->slot + 4 * (lane));              \
    (i) = nd_->left + (uint32_t)!(x_ < nd_->split) * NODE_BYTES;           \
  } while (0)

/* The same for the linked tree at tb: each row takes the tree's full
 * depth (a leaf steps onto itself). */
static void tree_linked(const char *tb, uint32_t depth, const char *block,
                        size_t groups, size_t group_bytes, float *sum) {
  for (size_t g = 0; g < groups; g++, sum += LANES) {
    const char *gb = block + g * group_bytes;
    uint32_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;
    for (uint32_t d = 0; d < depth; d++) {
      LINK_STEP(i0, 0);
      LINK_STEP(i1, 1);
      LINK_STEP(i2, 2);
      LINK_STEP(i3, 3);
      LINK_STEP(i4, 4);
      LINK_STEP(i5, 5);
      LINK_STEP(i6, 6);
      LINK_STEP(i7, 7);
    }
    sum[0] += ((const tree_node *)(tb + i0))->leaf;
    sum[1] += ((const tree_node *)(tb + i1))->leaf;
    sum[2] += ((const tree_node *)(tb + i2))->leaf;
    sum[3] += ((const tree_node *)(tb + i3))->leaf;
    sum[4] += ((const tree_node *)(tb + i4))->leaf;
    sum[5] += ((const tree_node *)(tb + i5))->leaf;
    sum[6] += ((const tree_node *)(tb + i6))->leaf;
    sum[7] += ((const tree_node *)(tb + i7))->leaf;
  }
}

/* The same for a deep linked tree: each row walks until it stands on a
 * leaf. */
static void tree_to_leaf(const char *tb, const char *block, size_t groups,
                         size_t group_bytes, float *sum) {
  for (size_t g = 0; g < groups; g++) {
    const char *gb = block + g * group_bytes;
    for (size_t lane = 0; lane < LANES; lane++) {
      uint32_t i = 0, prev;
      do {
        prev = i;
        LINK_STEP(i, lane);
      } while (i != prev);
      sum[g * LANES + lane] += ((const tree_node *)(tb + i))->leaf;
    }
  }
}

/* Scores nb rows of x (nfeat floats each) into out, with block as the
 * doubled, interleaved copy of the used features: in group g, lane r
 * (row g * 8 + r), slot s (column s % width, its missing value as -inf
 * below width, as +inf from width on) is the float at
 * g * 16 * width + s * 8 + r.  The lanes past nb are filled too (as
 * missing rows) and their sums dropped. */
static void score_block(const sl_trees *t, const float *x, size_t nb,
                        float *block, double *out) {
  size_t w = t->width, per_group = 2 * w * LANES;
  size_t groups = (nb + LANES - 1) / LANES;
  for (size_t r = 0; r < groups * LANES; r++) {
    float *lo = block + (r / LANES) * per_group + r % LANES;
    float *hi = lo + w * LANES;
    const float *src = r < nb ? x + r * t->nfeat : NULL;
    for (size_t c = 0; c < w; c++) {
      float v = src && c < t->nused ? src[t->used[c]] : NAN;
      bool missing = isnan(v);
      lo[c * LANES] = missing ? -INFINITY : v;
      hi[c * LANES] = missing ? INFINITY : v;
    }
  }

  float sum[BLOCK_ROWS];
  for (size_t r = 0; r < groups * LANES; r++)
    sum[r] = t->base_margin;
  const char *bytes = (const char *)block;
  size_t group_bytes = per_group * sizeof(float);
  for (size_t k = 0; k < t->ntrees; k++) {
    const char *tb = (const char *)(t->nodes + t->start[k]);
    if (t->heap_start[k] != NO_HEAP)
      tree_heap(t->heap + t->heap_start[k],
                t->heap_leaves + t->leaf_start[k], t->depth[k], bytes,
                groups, group_bytes, sum);
    else if (t->depth[k] <= LINKED_DEPTH_MAX)
      tree_linked(tb, t->depth[k], bytes, groups, group_bytes, sum);
    else
      tree_to_leaf(tb, bytes, groups, group_bytes, sum);
  }
  for (size_t r = 0; r < nb; r++)
    out[r] = transform(t->link, sum[r]);
}

sl_status sl_trees_predict(const sl_trees *t, const float *x, size_t n,
                           double *out, sl_error *err) {
  float stack[STACK_FLOATS];
  float *block = stack, *owned = NULL;
  size_t per_group = 2 * t->width * LANES;
  size_t groups = STACK_FLOATS / per_group;
  if (groups == 0) {
    groups = 1;
    owned = malloc(per_group * sizeof(float));
    if (!owned)
      return sl_error_set(err, SL_ERR_NOMEM,
                          "out of memory scoring rows on %zu features",
                          t->nused);
    block = owned;
  }
  if (groups > BLOCK_ROWS / LANES)
    groups = BLOCK_ROWS / LANES;
  size_t per = groups * LANES;
  for (size_t start = 0; start < n; start += per) {
    size_t nb = n - start < per ? n - start : per;
    score_block(t, x + start * t->nfeat, nb, block, out + start);
  }
  free(owned);
  return SL_OK;
}

/* ---- Probe rows ---------------------------------------------------------- */

/* The feature a split node reads. */
static size_t feature_of(const sl_trees *t, const tree_node *nd) {
  return t->used[nd->slot / (LANES * sizeof(float)) % t->width];
}

sl_status sl_trees_probe(const sl_trees *t, size_t n, float *x,
                         sl_error *err) {
  /* The split values of each feature, gathered by feature. */
  size_t nf = t->nfeat;
  size_t *first = calloc(nf + 1, sizeof(*first));
  size_t nsplits = 0;
  for (size_t i = 0; i < t->nnodes; i++)
    nsplits += !isnan(t->nodes[i].split);
  float *splits = malloc((nsplits + 1) * sizeof(*splits));
  size_t *fill = calloc(nf + 1, sizeof(*fill));
  if (!first || !splits || !fill) {
    free(first);
    free(splits);
    free(fill);
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory making probe rows");
  }
  for (size_t i = 0; i < t->nnodes; i++)
    if (!isnan(t->nodes[i].split))
      first[feature_of(t, &t->nodes[i]) + 1]++;
  for (size_t f = 0; f < nf; f++)
    first[f + 1] += first[f];
  for (size_t i = 0; i < t->nnodes; i++) {
    if (isnan(t->nodes[i].split))
      continue;
    size_t f = feature_of(t, &t->nodes[i]);
    splits[first[f] + fill[f]++] = t->nodes[i].split;
  }

  uint64_t state = 0x853c49e6748fea9bULL;
  for (size_t r = 0; r < n; r++) {
    for (size_t f = 0; f < nf; f++) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      uint64_t u = state >> 33;
      size_t count = first[f + 1] - first[f];
      float v = NAN;
      if (u % 8 != 0 && count) {
        float s = splits[first[f] + (u >> 3) % count];
        switch (u % 8) {
        case 1:
        case 2:
        case 3:
          v = s;
          break;
        case 4:
        case 5:
          v = nextafterf(s, -INFINITY);
          break;
        default:
          v = nextafterf(s, INFINITY);
          break;
        }
      }
      x[r * nf + f] = v;
    }
  }
  free(first);
  free(splits);
  free(fill);
  return SL_OK;
}
