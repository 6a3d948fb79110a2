/* SPDX-License-Identifier: Apache-2.0 */
/*
 * predict.c - model versions bound for scoring, and the PREDICT call
 * sites of compiled expressions.
 *
 * A version's features are bound again from its CREATE MODEL text, then
 * their column references are re-pointed by name at the caller's columns.
 * The provider caches loaded versions; each call site owns what it
 * writes while scoring (its matrix, scores, the batch its computed
 * features read), so call sites on different threads share only
 * read-only models.
 */
#include "engine/exec/predict.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/expr/expr.h"
#include "engine/types/batch.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "parser/bind.h"

/* Rows a call site's own batch holds at first; it grows to the largest
 * batch it is given. */
#define SITE_BATCH_ROWS 1024

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* ---- Binding a version again ------------------------------------------- */

/* Re-points column references from the version's own columns (old) to the
 * caller's, by name.  A node reached twice (shared by two expressions) is
 * re-pointed once. */
typedef struct remap {
  const char *what;            /* "model m version n" */
  int nold;
  const char *const *old_names;
  int ncols;
  const char *const *names;
  const sl_type *const *types;
  sl_bexpr **done;
  int ndone;
  int cap;
  sl_error *err;
} remap;

static sl_status remap_expr(remap *r, sl_bexpr *e) {
  if (!e)
    return SL_OK;
  if (e->kind == SL_BEXPR_COLUMN) {
    for (int k = 0; k < r->ndone; k++) {
      if (r->done[k] == e)
        return SL_OK;
    }
    int old = e->u.column;
    if (old < 0 || old >= r->nold)
      return sl_error_set(r->err, SL_ERR_INTERNAL,
                          "%s reads column %d of %d", r->what, old, r->nold);
    const char *name = r->old_names[old];
    int at = -1;
    for (int j = 0; j < r->ncols && at < 0; j++) {
      if (strcmp(r->names[j], name) == 0)
        at = j;
    }
    char want[SL_TYPE_SQL_MAX], got[SL_TYPE_SQL_MAX];
    sl_type_to_sql(e->type, want, sizeof(want));
    if (at < 0)
      return sl_error_set(r->err, SL_ERR_SQL,
                          "%s reads column \"%s\" (%s), which is not "
                          "available here", r->what, name, want);
    if (!sl_type_equal(e->type, r->types[at])) {
      sl_type_to_sql(r->types[at], got, sizeof(got));
      return sl_error_set(r->err, SL_ERR_SQL,
                          "%s reads column \"%s\" as %s, but it is %s here",
                          r->what, name, want, got);
    }
    if (r->ndone == r->cap) {
      int cap = r->cap ? r->cap * 2 : 16;
      sl_bexpr **d = realloc(r->done, (size_t)cap * sizeof(*d));
      if (!d)
        return nomem(r->err);
      r->done = d;
      r->cap = cap;
    }
    r->done[r->ndone++] = e;
    e->u.column = at;
    return SL_OK;
  }
  for (int i = 0; i < e->nargs; i++) {
    sl_status rc = remap_expr(r, e->args[i]);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* The bound statement's own columns: the training set's for a trained
 * model, the listed inputs for one imported FROM FILE. */
static const char **own_columns(const sl_bound_stmt *b, int *n) {
  const sl_rel *scan = b->query;
  while (scan && scan->kind != SL_REL_SCAN)
    scan = scan->input;
  *n = scan ? scan->ncolumns : b->ninputs;
  const char **names = calloc((size_t)*n + 1, sizeof(*names));
  for (int i = 0; names && i < *n; i++)
    names[i] = scan ? scan->columns[i].name : b->inputs[i].name;
  return names;
}

/* Parses and binds the version's CREATE MODEL; errors become the
 * caller's, without the position in that text. */
static sl_status rebind(sl_predict_version *v, sl_catalog *catalog,
                        sl_func_registry *functions, const char *what,
                        sl_error *err) {
  sl_status rc = sl_parse_statement(what, v->sql, NULL, &v->parse, err);
  if (rc == SL_OK) {
    sl_bind_ctx ctx;
    sl_bind_ctx_init(&ctx, catalog, functions, v->parse);
    rc = sl_bind_stmt(&ctx, v->parse->stmts[0], &v->bound, err);
  }
  if (rc == SL_OK && v->bound->kind != SL_BSTMT_CREATE_MODEL)
    rc = sl_error_set(err, SL_ERR_RUNTIME, "%s was not made by CREATE "
                      "MODEL", what);
  if (rc == SL_ERR_SQL) {
    err->loc = SL_LOC_NONE;
    sl_error_prefix(err, "%s no longer binds", what);
  }
  return rc;
}

sl_status sl_predict_version_load(sl_catalog *catalog,
                                  sl_func_registry *functions,
                                  const char *model, int version, int ncols,
                                  const char *const *names,
                                  const sl_type *const *types,
                                  bool with_label, sl_predict_version **out,
                                  sl_error *err) {
  *out = NULL;
  sl_catalog_model_version *cv = NULL;
  sl_status rc = sl_catalog_model_get_version(catalog, model, version, &cv,
                                              err);
  if (rc)
    return rc;
  if (!cv) {
    if (version > 0)
      return sl_error_set(err, SL_ERR_SQL, "model %s has no version %d",
                          model, version);
    return sl_error_set(err, SL_ERR_SQL, "model %s has no trained version",
                        model);
  }

  sl_predict_version *v = calloc(1, sizeof(*v));
  if (!v) {
    sl_catalog_model_version_free(cv);
    return nomem(err);
  }
  v->version = cv->version;
  v->model = strdup(model);
  v->sql = strdup(cv->sql ? cv->sql : "");
  v->training_set = cv->training_set ? strdup(cv->training_set) : NULL;
  if (!v->model || !v->sql || (cv->training_set && !v->training_set))
    rc = nomem(err);
  char what[SL_ERROR_NAME_MAX];
  snprintf(what, sizeof(what), "model %s version %d", model, v->version);
  if (rc == SL_OK) {
    rc = sl_model_deserialize(cv->blob, cv->blob_len, &v->m, err);
    if (rc)
      sl_error_prefix(err, "%s", what);
  }
  sl_catalog_model_version_free(cv);
  if (rc == SL_OK)
    rc = rebind(v, catalog, functions, what, err);

  /* The statement's features are the model's inputs, in order. */
  const sl_bound_stmt *b = v->bound;
  if (rc == SL_OK && b->nfeatures != sl_model_input_count(v->m))
    rc = sl_error_set(err, SL_ERR_RUNTIME, "%s: its statement lists %d "
                      "features, its model %d", what, b->nfeatures,
                      sl_model_input_count(v->m));
  for (int j = 0; rc == SL_OK && j < b->nfeatures; j++) {
    const sl_model_feature *f = sl_model_input(v->m, j);
    if (f->type != b->features[j].expr->type->kind)
      rc = sl_error_set(err, SL_ERR_RUNTIME, "%s: feature %s is %s in its "
                        "statement, %s in its model", what, f->name,
                        sl_type_kind_name(b->features[j].expr->type->kind),
                        sl_type_kind_name(f->type));
  }

  /* Point the expressions at the caller's columns. */
  remap r = {.what = what, .ncols = ncols, .names = names, .types = types,
             .err = err};
  const char **old = NULL;
  if (rc == SL_OK) {
    old = own_columns(b, &r.nold);
    r.old_names = old;
    if (!old)
      rc = nomem(err);
  }
  if (rc == SL_OK) {
    v->nfeatures = b->nfeatures;
    v->features = calloc((size_t)b->nfeatures + 1, sizeof(*v->features));
    if (!v->features)
      rc = nomem(err);
  }
  for (int j = 0; rc == SL_OK && j < b->nfeatures; j++) {
    v->features[j] = b->features[j].expr;
    rc = remap_expr(&r, v->features[j]);
  }
  if (rc == SL_OK && with_label && b->label) {
    v->label = b->label;
    rc = remap_expr(&r, v->label);
  }
  free(r.done);
  free(old);
  if (rc) {
    sl_predict_version_free(v);
    return rc;
  }
  *out = v;
  return SL_OK;
}

void sl_predict_version_free(sl_predict_version *v) {
  if (!v)
    return;
  uint64_t unseen = v->m ? sl_model_unseen_count(v->m, -1) : 0;
  if (unseen > 0)
    SL_INFO("predict", "model %s version %d: %llu ONE_HOT value%s not seen "
            "in training (scored as all zeros)", v->model, v->version,
            (unsigned long long)unseen, unseen == 1 ? "" : "s");
  sl_model_free(v->m);
  sl_bound_stmt_free(v->bound);
  sl_parse_result_free(v->parse);
  free(v->features);
  free(v->model);
  free(v->training_set);
  free(v->sql);
  free(v);
}

/* ---- The provider ------------------------------------------------------ */

/* A loaded version and the input columns its features were pointed at. */
typedef struct cached_version {
  sl_predict_version *v;
  int ncols;
  char **names;
  sl_type **types;
} cached_version;

/* What the call sites of one query did with one model version (see
 * sl_predict_usages); counted under the provider's count_mu. */
typedef struct predict_use {
  const char *query;           /* kept by the provider */
  char *model;
  int version;
  long long calls;
  long long rows;
  long long ns;
  long long unseen;
} predict_use;

/* PREDICT(m) of a pinned provider: the version it resolved to. */
typedef struct pinned_model {
  char *model;
  int version;
} pinned_model;

struct sl_predict {
  sl_catalog *catalog;
  sl_func_registry *functions;
  char *query_id;
  bool pin;
  volatile int log;            /* read per batch, set from another thread */
  pthread_mutex_t mu;          /* compiling; the cache */
  int ncached;
  int cap_cached;
  cached_version *cached;
  int npinned;
  int cap_pinned;
  pinned_model *pinned;
  int nshares;
  int cap_shares;
  struct feature_share **shares;
  int nnames;                  /* strings kept for sl_predict_keep */
  int cap_names;
  char **names;
  pthread_mutex_t count_mu;    /* the counters below */
  sl_predict_stats stats;
  int nuses;
  int cap_uses;
  predict_use **uses;
};

static void share_free(struct feature_share *sh);

/* The same counters summed over every provider of the process. */
static _Atomic long long total_calls, total_rows, total_ns, total_logged,
    total_feature_batches, total_shared_batches, total_shared_matrices;

sl_status sl_predict_new(const sl_predict_options *opts, sl_predict **out,
                         sl_error *err) {
  *out = NULL;
  sl_predict *p = calloc(1, sizeof(*p));
  if (!p)
    return nomem(err);
  p->catalog = opts->catalog;
  p->functions = opts->functions;
  p->pin = opts->pin_versions;
  p->log = opts->log;
  if (opts->query_id && !(p->query_id = strdup(opts->query_id))) {
    free(p);
    return nomem(err);
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_mutex_init(&p->count_mu, NULL);
  *out = p;
  return SL_OK;
}

void sl_predict_set_log(sl_predict *p, bool on) { p->log = on; }

const char *sl_predict_keep(sl_predict *p, const char *text) {
  pthread_mutex_lock(&p->mu);
  const char *kept = NULL;
  for (int i = 0; i < p->nnames && !kept; i++) {
    if (strcmp(p->names[i], text) == 0)
      kept = p->names[i];
  }
  if (!kept && p->nnames == p->cap_names) {
    int cap = p->cap_names ? p->cap_names * 2 : 8;
    char **grown = realloc(p->names, (size_t)cap * sizeof(*grown));
    if (grown) {
      p->names = grown;
      p->cap_names = cap;
    }
  }
  if (!kept && p->nnames < p->cap_names) {
    char *copy = strdup(text);
    if (copy)
      kept = p->names[p->nnames++] = copy;
  }
  pthread_mutex_unlock(&p->mu);
  return kept;
}

void sl_predict_get_stats(const sl_predict *p, sl_predict_stats *out) {
  pthread_mutex_lock((pthread_mutex_t *)&p->count_mu);
  *out = p->stats;
  pthread_mutex_unlock((pthread_mutex_t *)&p->count_mu);
}

void sl_predict_process_stats(sl_predict_stats *out) {
  out->calls = atomic_load(&total_calls);
  out->rows = atomic_load(&total_rows);
  out->ns = atomic_load(&total_ns);
  out->logged = atomic_load(&total_logged);
  out->feature_batches = atomic_load(&total_feature_batches);
  out->shared_batches = atomic_load(&total_shared_batches);
  out->shared_matrices = atomic_load(&total_shared_matrices);
}

long long sl_predict_rows(const sl_predict *p) {
  sl_predict_stats st;
  sl_predict_get_stats(p, &st);
  return st.rows;
}

long long sl_predict_logged(const sl_predict *p) {
  sl_predict_stats st;
  sl_predict_get_stats(p, &st);
  return st.logged;
}

int sl_predict_usages(const sl_predict *p, const char *query,
                      sl_predict_usage *out, int cap) {
  pthread_mutex_lock((pthread_mutex_t *)&p->count_mu);
  int n = 0;
  for (int i = 0; i < p->nuses; i++) {
    const predict_use *u = p->uses[i];
    if (query && strcmp(u->query, query) != 0)
      continue;
    if (n < cap)
      out[n] = (sl_predict_usage){.query = u->query,
                                  .model = u->model,
                                  .version = u->version,
                                  .calls = u->calls,
                                  .rows = u->rows,
                                  .ns = u->ns,
                                  .unseen = u->unseen};
    n++;
  }
  pthread_mutex_unlock((pthread_mutex_t *)&p->count_mu);
  return n;
}

/* The entry of query (a kept string) and version v, made when missing. */
static sl_status use_of(sl_predict *p, const char *query,
                        const sl_predict_version *v, predict_use **out,
                        sl_error *err) {
  sl_status rc = SL_OK;
  predict_use *u = NULL;
  pthread_mutex_lock(&p->count_mu);
  for (int i = 0; i < p->nuses && !u; i++) {
    predict_use *c = p->uses[i];
    if (c->version == v->version && strcmp(c->query, query) == 0 &&
        strcmp(c->model, v->model) == 0)
      u = c;
  }
  if (!u && p->nuses == p->cap_uses) {
    int cap = p->cap_uses ? p->cap_uses * 2 : 4;
    predict_use **grown = realloc(p->uses, (size_t)cap * sizeof(*grown));
    if (grown) {
      p->uses = grown;
      p->cap_uses = cap;
    }
  }
  if (!u && p->nuses < p->cap_uses && (u = calloc(1, sizeof(*u)))) {
    u->query = query;
    u->version = v->version;
    u->model = strdup(v->model);
    if (u->model) {
      p->uses[p->nuses++] = u;
    } else {
      free(u);
      u = NULL;
    }
  }
  if (!u)
    rc = nomem(err);
  pthread_mutex_unlock(&p->count_mu);
  *out = u;
  return rc;
}

/* What one batch did, for the counters. */
typedef struct batch_work {
  int computed;      /* evaluated its computed features */
  int shared;        /* reused another call site's */
  int shared_matrix; /* scored another call site's matrix */
  long long unseen;  /* ONE_HOT values unseen in training */
} batch_work;

/* Adds one scored batch to the provider's and the process's counters,
 * and to its query's entry (use; may be NULL). */
static void count_batch(sl_predict *p, predict_use *use, long long rows,
                        long long ns, const batch_work *w) {
  pthread_mutex_lock(&p->count_mu);
  if (use) {
    use->calls++;
    use->rows += rows;
    use->ns += ns;
    use->unseen += w->unseen;
  }
  p->stats.calls++;
  p->stats.rows += rows;
  p->stats.ns += ns;
  p->stats.feature_batches += w->computed;
  p->stats.shared_batches += w->shared;
  p->stats.shared_matrices += w->shared_matrix;
  pthread_mutex_unlock(&p->count_mu);
  atomic_fetch_add(&total_calls, 1);
  atomic_fetch_add(&total_rows, rows);
  atomic_fetch_add(&total_ns, ns);
  atomic_fetch_add(&total_feature_batches, w->computed);
  atomic_fetch_add(&total_shared_batches, w->shared);
  atomic_fetch_add(&total_shared_matrices, w->shared_matrix);
}

static void cached_free(cached_version *c) {
  sl_predict_version_free(c->v);
  for (int i = 0; i < c->ncols; i++) {
    free(c->names[i]);
    sl_type_free(c->types[i]);
  }
  free(c->names);
  free(c->types);
}

void sl_predict_free(sl_predict *p) {
  if (!p)
    return;
  for (int i = 0; i < p->ncached; i++)
    cached_free(&p->cached[i]);
  free(p->cached);
  for (int i = 0; i < p->npinned; i++)
    free(p->pinned[i].model);
  free(p->pinned);
  for (int i = 0; i < p->nshares; i++)
    share_free(p->shares[i]);
  free(p->shares);
  for (int i = 0; i < p->nuses; i++) {
    free(p->uses[i]->model);
    free(p->uses[i]);
  }
  free(p->uses);
  for (int i = 0; i < p->nnames; i++)
    free(p->names[i]);
  free(p->names);
  pthread_mutex_destroy(&p->mu);
  pthread_mutex_destroy(&p->count_mu);
  free(p->query_id);
  free(p);
}

/* The newest version of model, 0 when it has none. */
static sl_status newest_version(sl_predict *p, const char *model, int *out,
                                sl_error *err) {
  sl_catalog_model_version **vs = NULL;
  int n = 0;
  *out = 0;
  if (sl_catalog_model_list_versions(p->catalog, model, &vs, &n, err))
    return err->code;
  for (int i = 0; i < n; i++) {
    if (vs[i]->version > *out)
      *out = vs[i]->version;
  }
  sl_catalog_model_version_list_free(vs, n);
  return SL_OK;
}

/* The version PREDICT(model [VERSION want]) scores with. */
static sl_status resolve_version(sl_predict *p, const char *model, int want,
                                 int *out, sl_error *err) {
  *out = want;
  if (want > 0)
    return SL_OK;
  for (int i = 0; p->pin && i < p->npinned; i++) {
    if (strcmp(p->pinned[i].model, model) == 0) {
      *out = p->pinned[i].version;
      return SL_OK;
    }
  }
  if (newest_version(p, model, out, err))
    return err->code;
  if (*out == 0)
    return sl_error_set(err, SL_ERR_SQL, "model %s has no trained version; "
                        "CREATE MODEL %s trains one", model, model);
  if (!p->pin)
    return SL_OK;
  if (p->npinned == p->cap_pinned) {
    int cap = p->cap_pinned ? p->cap_pinned * 2 : 4;
    pinned_model *pm = realloc(p->pinned, (size_t)cap * sizeof(*pm));
    if (!pm)
      return nomem(err);
    p->pinned = pm;
    p->cap_pinned = cap;
  }
  p->pinned[p->npinned].model = strdup(model);
  if (!p->pinned[p->npinned].model)
    return nomem(err);
  p->pinned[p->npinned++].version = *out;
  return SL_OK;
}

static bool same_columns(const cached_version *c,
                         const sl_catalog_object *obj) {
  if (c->ncols != obj->ncolumns)
    return false;
  for (int i = 0; i < c->ncols; i++) {
    if (strcmp(c->names[i], obj->columns[i].name) != 0 ||
        !sl_type_equal(c->types[i], obj->columns[i].type))
      return false;
  }
  return true;
}

/* The version loaded for obj's current input columns, loading it when the
 * cache does not hold it. */
static sl_status cached_get(sl_predict *p, const sl_catalog_object *obj,
                            int version, const sl_predict_version **out,
                            sl_error *err) {
  for (int i = 0; i < p->ncached; i++) {
    const cached_version *c = &p->cached[i];
    if (c->v->version == version && strcmp(c->v->model, obj->name) == 0 &&
        same_columns(c, obj)) {
      *out = c->v;
      return SL_OK;
    }
  }
  if (p->ncached == p->cap_cached) {
    int cap = p->cap_cached ? p->cap_cached * 2 : 4;
    cached_version *cv = realloc(p->cached, (size_t)cap * sizeof(*cv));
    if (!cv)
      return nomem(err);
    p->cached = cv;
    p->cap_cached = cap;
  }

  int n = obj->ncolumns;
  cached_version c = {NULL, n, calloc((size_t)n + 1, sizeof(char *)),
                      calloc((size_t)n + 1, sizeof(sl_type *))};
  sl_status rc = c.names && c.types ? SL_OK : nomem(err);
  for (int i = 0; rc == SL_OK && i < n; i++) {
    c.names[i] = strdup(obj->columns[i].name);
    c.types[i] = sl_type_clone(obj->columns[i].type);
    if (!c.names[i] || !c.types[i])
      rc = nomem(err);
  }
  if (rc == SL_OK)
    rc = sl_predict_version_load(p->catalog, p->functions, obj->name,
                                 version, n, (const char *const *)c.names,
                                 (const sl_type *const *)c.types, false,
                                 &c.v, err);

  /* An imported model's nthread is its prediction threads (a trained
   * model's is its training threads); set before the model is shared. */
  const char *threads = sl_catalog_object_option(obj, "nthread");
  if (rc == SL_OK && threads && !c.v->training_set)
    rc = sl_model_set_threads(c.v->m, atoi(threads), err);
  if (rc) {
    if (c.names && c.types)
      cached_free(&c);
    else {
      free(c.names);
      free(c.types);
    }
    return rc;
  }
  p->cached[p->ncached++] = c;
  *out = c.v;
  return SL_OK;
}

/* ---- Call sites -------------------------------------------------------- */

struct predict_site;

/* The computed features of the last batch one call site evaluated, kept
 * for the other call sites of the same thread whose feature lists are
 * the same (a champion and its challengers, two versions of one model):
 * they reuse them when their arguments hold the same values as those
 * the features were computed from.  The snapshot of those values, with
 * its strings copied, makes the check exact even when a batch's memory
 * is reused for the next one. */
typedef struct feature_share {
  char *signature;     /* argument types and feature expressions */
  pthread_t thread;    /* the thread that evaluates these call sites */
  pthread_mutex_t mu;  /* owner, against a call site freed elsewhere */
  struct predict_site *owner; /* whose features; NULL: none yet */
  int ninputs;
  int nrows;
  int cap;             /* rows the snapshot holds per column */
  sl_value *snap;      /* ninputs columns of cap values */
  sl_arena arena;      /* the snapshot's strings */
} feature_share;

typedef struct predict_site {
  sl_predict *p;
  const sl_predict_version *v;
  int nargs;
  int ninputs;              /* the model's input columns among the args */
  bool has_time;            /* a trailing TIMESTAMP argument: event time */
  sl_type **arg_types;      /* nargs, for the call site */
  int nfeat;
  int *direct;              /* per feature: the argument it is, or -1 */
  sl_expr **exprs;          /* per feature: compiled when computed */
  sl_batch *batch;          /* the arguments, for computed features */
  const sl_value **cols;    /* per feature: this batch's values */
  sl_model_scratch scratch;
  double *scores;
  int cap;
  sl_strbuf line;           /* a logged feature vector */
  int log;                  /* the node's WITH (prediction_log): 1, -1,
                               0 for the provider's setting */
  const char *log_query;    /* the query id logged; NULL: the provider's */
  predict_use *use;         /* its query's entry; NULL: no query named */
  char *signature;          /* features (and matrix) that may be shared */
  feature_share *share;     /* of the thread that last evaluated it */
  bool matrix;              /* the model scores an expanded matrix */
  int matrix_rows;          /* rows of this batch's matrix in scratch.x,
                               -1 when it holds none */
  const sl_model *peer;     /* the last owner's model compared, and */
  bool peer_same;           /* whether its matrix is this model's too */
} predict_site;

static void share_free(feature_share *sh) {
  pthread_mutex_destroy(&sh->mu);
  sl_arena_destroy(&sh->arena);
  free(sh->snap);
  free(sh->signature);
  free(sh);
}

/* True when a and b are the same scalar value (composites never are). */
static bool value_same(const sl_value *a, const sl_value *b) {
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case SL_TYPE_NULL:
    return true;
  case SL_TYPE_BOOLEAN:
    return a->u.b == b->u.b;
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    return a->u.i32 == b->u.i32;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    return a->u.i64 == b->u.i64;
  case SL_TYPE_DOUBLE:
    return memcmp(&a->u.f64, &b->u.f64, sizeof(double)) == 0;
  case SL_TYPE_DECIMAL:
    return a->scale == b->scale && a->u.dec.lo == b->u.dec.lo &&
           a->u.dec.hi == b->u.dec.hi;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES:
    return a->len == b->len &&
           (a->len == 0 || memcmp(a->u.str, b->u.str, a->len) == 0);
  default:
    return false;
  }
}

/* True when e calls no function whose result may differ per call. */
static bool deterministic(const sl_bexpr *e) {
  if (!e)
    return true;
  if (e->kind == SL_BEXPR_FUNC && e->u.call.func &&
      (e->u.call.func->flags & SL_FUNC_NONDETERMINISTIC))
    return false;
  for (int i = 0; i < e->nargs; i++) {
    if (!deterministic(e->args[i]))
      return false;
  }
  return true;
}

/* The text that equal feature lists share: the argument types, then
 * each feature expression over argument positions.  NULL when the
 * features may not be shared (composite arguments, NOW() and the like)
 * or memory ran out, which only turns sharing off. */
static char *site_signature(const predict_site *s) {
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int i = 0; i < s->ninputs; i++) {
    sl_type_kind k = s->arg_types[i]->kind;
    if (k == SL_TYPE_ARRAY || k == SL_TYPE_MAP || k == SL_TYPE_STRUCT) {
      sl_strbuf_free(&sb);
      return NULL;
    }
    char t[SL_TYPE_SQL_MAX];
    sl_type_to_sql(s->arg_types[i], t, sizeof(t));
    sl_strbuf_appendf(&sb, "%s,", t);
  }
  for (int j = 0; j < s->nfeat; j++) {
    const sl_bexpr *f = s->v->features[j];
    char *text = deterministic(f) ? sl_bexpr_to_string(f, NULL) : NULL;
    if (!text) {
      sl_strbuf_free(&sb);
      return NULL;
    }
    sl_strbuf_appendf(&sb, "|%s", text);
    free(text);
  }
  if (sb.failed) {
    sl_strbuf_free(&sb);
    return NULL;
  }
  return sl_strbuf_detach(&sb, NULL);
}

/* The share of the calling thread for the site's feature list, found or
 * made under the provider's lock; NULL when memory ran out. */
static feature_share *site_share(predict_site *s) {
  pthread_t self = pthread_self();
  if (s->share && pthread_equal(s->share->thread, self))
    return s->share;

  sl_predict *p = s->p;
  feature_share *sh = NULL;
  pthread_mutex_lock(&p->mu);
  for (int i = 0; i < p->nshares && !sh; i++) {
    if (pthread_equal(p->shares[i]->thread, self) &&
        strcmp(p->shares[i]->signature, s->signature) == 0)
      sh = p->shares[i];
  }
  if (!sh && p->nshares == p->cap_shares) {
    int cap = p->cap_shares ? p->cap_shares * 2 : 4;
    feature_share **grown = realloc(p->shares, (size_t)cap * sizeof(*grown));
    if (grown) {
      p->shares = grown;
      p->cap_shares = cap;
    }
  }
  if (!sh && p->nshares < p->cap_shares && (sh = calloc(1, sizeof(*sh)))) {
    sh->signature = strdup(s->signature);
    if (!sh->signature) {
      free(sh);
      sh = NULL;
    } else {
      sh->thread = self;
      sh->ninputs = s->ninputs;
      pthread_mutex_init(&sh->mu, NULL);
      sl_arena_init(&sh->arena, 0);
      p->shares[p->nshares++] = sh;
    }
  }
  pthread_mutex_unlock(&p->mu);

  /* Leaving another thread's share: it must not point at this site. */
  if (s->share && sh != s->share) {
    pthread_mutex_lock(&s->share->mu);
    if (s->share->owner == s)
      s->share->owner = NULL;
    pthread_mutex_unlock(&s->share->mu);
  }
  s->share = sh;
  return sh;
}

/* The site whose computed features this batch can reuse, or NULL. */
static const predict_site *share_match(const feature_share *sh,
                                       const predict_site *s,
                                       const sl_value *const *args,
                                       int nrows) {
  if (!sh->owner || sh->owner == s || sh->nrows != nrows)
    return NULL;
  for (int c = 0; c < sh->ninputs; c++) {
    const sl_value *snap = sh->snap + (size_t)c * (size_t)sh->cap;
    for (int r = 0; r < nrows; r++) {
      if (!value_same(&snap[r], &args[c][r]))
        return NULL;
    }
  }
  return sh->owner;
}

/* Makes s the share's owner for these arguments; when the snapshot
 * cannot be kept (no memory) the share is left without an owner. */
static void share_save(feature_share *sh, predict_site *s,
                       const sl_value *const *args, int nrows) {
  sh->owner = NULL;
  if (nrows > sh->cap) {
    size_t n = (size_t)sh->ninputs * (size_t)nrows;
    sl_value *snap = realloc(sh->snap, (n ? n : 1) * sizeof(*snap));
    if (!snap)
      return;
    sh->snap = snap;
    sh->cap = nrows;
  }
  sl_arena_reset(&sh->arena);
  for (int c = 0; c < sh->ninputs; c++) {
    sl_value *snap = sh->snap + (size_t)c * (size_t)sh->cap;
    for (int r = 0; r < nrows; r++) {
      snap[r] = args[c][r];
      bool bytes = snap[r].kind == SL_TYPE_VARCHAR ||
                   snap[r].kind == SL_TYPE_BYTES;
      if (bytes && snap[r].len > 0) {
        char *copy = sl_arena_alloc(&sh->arena, snap[r].len);
        if (!copy)
          return;
        memcpy(copy, snap[r].u.str, snap[r].len);
        snap[r].u.str = copy;
      }
    }
  }
  sh->nrows = nrows;
  sh->owner = s;
}

static void site_free(void *state) {
  predict_site *s = state;
  if (!s)
    return;
  if (s->share) {
    pthread_mutex_lock(&s->share->mu);
    if (s->share->owner == s)
      s->share->owner = NULL;
    pthread_mutex_unlock(&s->share->mu);
  }
  free(s->signature);
  for (int j = 0; s->exprs && j < s->nfeat; j++)
    sl_expr_free(s->exprs[j]);
  for (int i = 0; s->arg_types && i < s->nargs; i++)
    sl_type_free(s->arg_types[i]);
  free(s->arg_types);
  free(s->exprs);
  free(s->direct);
  free((void *)s->cols);
  sl_batch_free(s->batch);
  sl_model_scratch_free(&s->scratch);
  free(s->scores);
  sl_strbuf_free(&s->line);
  free(s);
}

/* Makes room for nrows rows. */
static sl_status site_reserve(predict_site *s, int nrows, sl_error *err) {
  if (nrows <= s->cap)
    return SL_OK;
  int cap = s->cap ? s->cap : SITE_BATCH_ROWS;
  while (cap < nrows)
    cap *= 2;
  double *scores = realloc(s->scores, (size_t)cap * sizeof(*scores));
  if (!scores)
    return nomem(err);
  s->scores = scores;
  if (s->batch) {
    sl_batch *b = sl_batch_create(s->ninputs, cap);
    if (!b)
      return nomem(err);
    sl_batch_free(s->batch);
    s->batch = b;
  }
  s->cap = cap;
  return SL_OK;
}

/* Evaluates the computed features over this batch's arguments. */
static sl_status site_compute(predict_site *s, const sl_value *const *args,
                              int nrows, sl_error *err) {
  sl_batch *b = s->batch;
  sl_batch_reset(b);
  for (int r = 0; r < nrows; r++)
    sl_batch_append_row(b);
  for (int c = 0; c < s->ninputs; c++)
    memcpy(b->cols[c], args[c], (size_t)nrows * sizeof(sl_value));
  for (int j = 0; j < s->nfeat; j++) {
    if (!s->exprs[j])
      continue;
    const sl_value *res;
    if (sl_expr_run(s->exprs[j], b, sl_batch_arena(b), &res, NULL, err))
      return err->code;
    s->cols[j] = res;
  }
  return SL_OK;
}

/* Appends the feature values of row r as a JSON object. */
static sl_status site_vector(predict_site *s, int r, sl_error *err) {
  sl_strbuf_reset(&s->line);
  sl_strbuf_appendc(&s->line, '{');
  for (int j = 0; j < s->nfeat; j++) {
    const sl_model_feature *f = sl_model_input(s->v->m, j);
    if (j > 0)
      sl_strbuf_appendc(&s->line, ',');
    sl_format_json_string(&s->line, f->name, strlen(f->name));
    sl_strbuf_appendc(&s->line, ':');
    sl_format_json(&s->line, &s->cols[j][r], s->v->features[j]->type);
  }
  sl_strbuf_appendc(&s->line, '}');
  return s->line.failed ? nomem(err) : SL_OK;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Records the batch's predictions in one transaction.  A row without an
 * event time (a table's row, which has none) is logged at the time it
 * was scored. */
static sl_status site_log(predict_site *s, const sl_value *const *args,
                          int nrows, const sl_value *out, sl_error *err) {
  sl_predict *p = s->p;
  int64_t now = now_ms();
  sl_status rc = sl_catalog_begin(p->catalog, err);
  if (rc)
    return rc;
  long long logged = 0;
  for (int r = 0; r < nrows && rc == SL_OK; r++) {
    if (out[r].kind != SL_TYPE_DOUBLE)
      continue;
    int64_t event = now;
    if (s->has_time && args[s->ninputs][r].kind == SL_TYPE_TIMESTAMP)
      event = args[s->ninputs][r].u.i64;
    rc = site_vector(s, r, err);
    if (rc == SL_OK)
      rc = sl_catalog_log_prediction(p->catalog,
                                     s->log_query ? s->log_query
                                                  : p->query_id,
                                     s->v->model,
                                     s->v->version, s->line.data,
                                     out[r].u.f64, event, err);
    logged++;
  }
  if (rc) {
    sl_catalog_rollback(p->catalog);
    return rc;
  }
  rc = sl_catalog_commit(p->catalog, err);
  if (rc == SL_OK) {
    pthread_mutex_lock(&p->count_mu);
    p->stats.logged += logged;
    pthread_mutex_unlock(&p->count_mu);
    atomic_fetch_add(&total_logged, logged);
  }
  return rc;
}

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Scores the batch, reusing the matrix of `from` (the call site whose
 * features these are) when its model expands them the same way. */
static sl_status site_score(predict_site *s, const predict_site *from,
                            int nrows, batch_work *w, sl_error *err) {
  sl_model *m = s->v->m;
  if (from && s->matrix && from->matrix_rows == nrows) {
    if (s->peer != from->v->m) {
      s->peer = from->v->m;
      s->peer_same = sl_model_same_matrix(m, from->v->m);
    }
    if (s->peer_same) {
      s->matrix_rows = -1;
      w->shared_matrix = 1;
      return sl_model_predict_matrix(m, from->scratch.x.data,
                                     (size_t)nrows, s->scores, err);
    }
  }
  if (!s->matrix) {
    s->matrix_rows = -1;
    return sl_model_predict_batch(m, &s->scratch, s->cols, (size_t)nrows,
                                  s->scores, err);
  }

  /* Expanded here and kept for the call sites that come next.  The
   * scratch then holds this batch's unseen ONE_HOT values per input (a
   * model scored without expanding, or on another one's matrix, has no
   * ONE_HOT input). */
  s->matrix_rows = -1;
  sl_status rc = sl_model_expand_batch(m, &s->scratch, s->cols,
                                       (size_t)nrows, err);
  for (int j = 0; rc == SL_OK && j < s->nfeat; j++)
    w->unseen += (long long)s->scratch.unseen[j];
  if (rc == SL_OK)
    rc = sl_model_predict_matrix(m, s->scratch.x.data, (size_t)nrows,
                                 s->scores, err);
  if (rc == SL_OK)
    s->matrix_rows = nrows;
  return rc;
}

/* Scores one batch with the computed features evaluated here or reused
 * from the share (held locked by the caller when there is one). */
static sl_status eval_batch(predict_site *s, feature_share *sh,
                            const sl_value *const *args, int nrows,
                            sl_func_ctx *ctx, sl_value *out, batch_work *w,
                            sl_error *err) {
  sl_status rc = site_reserve(s, nrows, err);
  if (rc)
    return rc;
  for (int j = 0; j < s->nfeat; j++) {
    if (s->direct[j] >= 0)
      s->cols[j] = args[s->direct[j]];
  }

  /* The batch whose computed features (and their row failures) are
   * used: another call site's when its arguments were these values. */
  const sl_batch *fb = s->batch;
  const predict_site *from = sh ? share_match(sh, s, args, nrows) : NULL;
  if (from) {
    for (int j = 0; j < s->nfeat; j++) {
      if (s->direct[j] < 0)
        s->cols[j] = from->cols[j];
    }
    fb = from->batch;
    w->shared = 1;
  } else {
    if (s->batch && (rc = site_compute(s, args, nrows, err)))
      return rc;
    if (sh)
      share_save(sh, s, args, nrows);
    w->computed = s->batch != NULL;
  }

  rc = site_score(s, from, nrows, w, err);
  if (rc)
    return sl_error_prefix(err, "PREDICT(%s VERSION %d)", s->v->model,
                           s->v->version);
  for (int r = 0; r < nrows; r++)
    out[r] = sl_value_double(s->scores[r]);

  /* A row whose computed feature failed fails with its reason. */
  if (fb && fb->nerrors > 0) {
    for (int r = 0; r < nrows; r++) {
      const sl_batch_row *br = &fb->rows[r];
      if (br->state != SL_BATCH_ROW_ERROR)
        continue;
      const sl_batch_error *be = br->error;
      sl_func_row_fail(ctx, r, &out[r],
                       be && be->reason[0] ? be->reason : "type",
                       "PREDICT(%s): %s", s->v->model,
                       be && be->message ? be->message : "feature failed");
    }
  }
  bool log = s->log > 0 || (s->log == 0 && s->p->log);
  if (log)
    return site_log(s, args, nrows, out, err);
  return SL_OK;
}

/* The call site's batch function: one matrix, one model call. */
static sl_status predict_eval(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  predict_site *s = ctx->state;
  (void)nargs;
  if (nrows <= 0)
    return SL_OK;
  int64_t start = mono_ns();
  feature_share *sh = s->signature ? site_share(s) : NULL;
  if (sh)
    pthread_mutex_lock(&sh->mu);
  batch_work w = {0, 0, 0, 0};
  sl_status rc = eval_batch(s, sh, args, nrows, ctx, out, &w, err);
  if (sh)
    pthread_mutex_unlock(&sh->mu);
  if (rc == SL_OK)
    count_batch(s->p, s->use, nrows, mono_ns() - start, &w);
  return rc;
}

/* The registry entry and signature every PREDICT call site points at: a
 * NULL argument is a missing value, so the function is called on it. */
static sl_func_sig predict_sig = {.scalar = predict_eval};
static sl_func predict_func = {.name = "PREDICT",
                               .kind = SL_FUNC_MODEL,
                               .flags = SL_FUNC_NULL_CALL,
                               .nsigs = 1,
                               .sigs = &predict_sig};

static sl_status site_new(sl_predict *p, const sl_predict_version *v,
                          const sl_bexpr *node, int ninputs, bool has_time,
                          predict_site **out, sl_error *err) {
  predict_site *s = calloc(1, sizeof(*s));
  if (!s)
    return nomem(err);
  s->p = p;
  s->v = v;
  s->nargs = node->nargs;
  s->ninputs = ninputs;
  s->has_time = has_time;
  s->log = node->u.predict.log;
  s->log_query = node->u.predict.log > 0 ? node->u.predict.query_id : NULL;
  s->nfeat = v->nfeatures;
  sl_model_scratch_init(&s->scratch);
  sl_strbuf_init(&s->line);
  s->arg_types = calloc((size_t)s->nargs + 1, sizeof(*s->arg_types));
  s->direct = calloc((size_t)s->nfeat + 1, sizeof(*s->direct));
  s->exprs = calloc((size_t)s->nfeat + 1, sizeof(*s->exprs));
  s->cols = calloc((size_t)s->nfeat + 1, sizeof(*s->cols));
  sl_status rc = s->arg_types && s->direct && s->exprs && s->cols
                     ? SL_OK
                     : nomem(err);
  for (int i = 0; rc == SL_OK && i < s->nargs; i++) {
    s->arg_types[i] = sl_type_clone(node->args[i]->type);
    if (!s->arg_types[i])
      rc = nomem(err);
  }

  /* Features that are input columns are read in place; the others are
   * compiled over the arguments. */
  char file[SL_ERROR_NAME_MAX];
  snprintf(file, sizeof(file), "model %s version %d", v->model, v->version);
  sl_expr_options xo = {.file = file};
  bool computed = false;
  for (int j = 0; rc == SL_OK && j < s->nfeat; j++) {
    const sl_bexpr *f = v->features[j];
    s->direct[j] = f->kind == SL_BEXPR_COLUMN ? f->u.column : -1;
    if (s->direct[j] >= 0)
      continue;
    computed = true;
    rc = sl_expr_compile(f, &xo, &s->exprs[j], err);
    if (rc == SL_ERR_SQL)
      err->loc = SL_LOC_NONE;
  }
  if (rc == SL_OK && computed) {
    s->batch = sl_batch_create(ninputs, SITE_BATCH_ROWS);
    if (!s->batch)
      rc = nomem(err);
  }

  /* Sharing pays when there are features to compute or a matrix that
   * other models may score too. */
  s->matrix = sl_model_scores_matrix(v->m);
  s->matrix_rows = -1;
  if (rc == SL_OK && (computed || (s->matrix &&
                                   sl_model_same_matrix(v->m, v->m))))
    s->signature = site_signature(s);
  if (rc == SL_OK)
    rc = site_reserve(s, SITE_BATCH_ROWS, err);
  if (rc == SL_OK && node->u.predict.query_id)
    rc = use_of(p, node->u.predict.query_id, v, &s->use, err);
  if (rc) {
    site_free(s);
    return rc;
  }
  *out = s;
  return SL_OK;
}

static sl_status bind_locked(sl_predict *p, const sl_bexpr *node,
                             sl_func_ctx *ctx, sl_error *err) {
  const char *model = node->u.predict.model;
  sl_catalog_object *obj = NULL;
  sl_status rc = sl_catalog_get(p->catalog, model, &obj, err);
  if (rc)
    return rc;
  if (!obj || obj->kind != SL_CATALOG_MODEL) {
    sl_catalog_object_free(obj);
    return sl_error_set(err, SL_ERR_SQL, "unknown model \"%s\"", model);
  }

  /* The node's arguments are the model's input columns (and perhaps the
   * event time): the binder made them from this definition. */
  int n = obj->ncolumns;
  bool has_time = node->nargs == n + 1 &&
                  node->args[n]->type->kind == SL_TYPE_TIMESTAMP;
  if (node->nargs != n && !has_time)
    rc = sl_error_set(err, SL_ERR_SQL, "PREDICT(%s) passes %d values; the "
                      "model now takes %d", model, node->nargs, n);
  for (int i = 0; rc == SL_OK && i < n; i++) {
    if (!sl_type_equal(node->args[i]->type, obj->columns[i].type))
      rc = sl_error_set(err, SL_ERR_SQL, "model %s changed since the query "
                        "was checked: input %s is of another type", model,
                        obj->columns[i].name);
  }

  int version = 0;
  const sl_predict_version *v = NULL;
  if (rc == SL_OK)
    rc = resolve_version(p, model, node->u.predict.version, &version, err);
  if (rc == SL_OK)
    rc = cached_get(p, obj, version, &v, err);
  sl_catalog_object_free(obj);

  predict_site *site = NULL;
  if (rc == SL_OK)
    rc = site_new(p, v, node, n, has_time, &site, err);
  if (rc)
    return rc;
  sl_func_ctx_init(ctx, &predict_func, &predict_sig, site->nargs,
                   site->arg_types, sl_type_double());
  ctx->state = site;
  ctx->state_free = site_free;
  return SL_OK;
}

sl_status sl_predict_bind(void *arg, const sl_bexpr *node, sl_func_ctx *ctx,
                          sl_error *err) {
  sl_predict *p = arg;
  pthread_mutex_lock(&p->mu);
  sl_status rc = bind_locked(p, node, ctx, err);
  pthread_mutex_unlock(&p->mu);
  return rc;
}
