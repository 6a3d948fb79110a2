/* SPDX-License-Identifier: Apache-2.0 */
/*
 * data.c - the training data builder and the fitting of frozen
 * statistics (see data.h and transform.h).
 *
 * Rows are kept column by column: a double per numeric input (NaN when
 * missing), an int32 code per categorical one (-1 when missing) into a
 * per-input dictionary of every text seen.  Fitting looks at the
 * training rows only: numeric statistics by Welford's method, and for a
 * ONE_HOT input the categories that occur in those rows, sorted into
 * the vocabulary; a category that occurs only in the holdout rows is
 * unseen there, exactly as it would be in a stream.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/model/model_internal.h"

struct sl_model_data {
  sl_model_features defs; /* definitions, no statistics */
  bool classification;
  sl_type_kind label_type;
  size_t rows;
  size_t cap;
  size_t unlabelled;
  double **num;           /* per input: numeric column, or NULL */
  int32_t **cat;          /* per input: category codes, or NULL */
  sl_model_dict **dicts;  /* per ONE_HOT input */
  double *labels;
};

static bool is_categorical(const sl_model_feature *f) {
  return f->transform == SL_MODEL_TRANSFORM_ONE_HOT;
}

sl_status sl_model_data_new(const sl_model_input_def *defs, int ndefs,
                            sl_type_kind label_type, sl_model_data **out,
                            sl_error *err) {
  *out = NULL;
  bool classification;
  if (label_type == SL_TYPE_BOOLEAN)
    classification = true;
  else if (label_type == SL_TYPE_INT || label_type == SL_TYPE_BIGINT ||
           label_type == SL_TYPE_DOUBLE || label_type == SL_TYPE_DECIMAL)
    classification = false;
  else
    return sl_error_set(err, SL_ERR_SQL,
                        "LABEL is %s; expected BOOLEAN (a classifier) or a "
                        "numeric type (a regression)",
                        sl_type_kind_name(label_type));

  sl_model_data *d = calloc(1, sizeof(*d));
  if (!d)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for training data");
  sl_status rc = sl_model_features_from_defs(defs, ndefs, &d->defs, err);
  if (rc) {
    free(d);
    return rc;
  }
  d->classification = classification;
  d->label_type = label_type;

  size_t n = (size_t)ndefs;
  d->num = calloc(n, sizeof(*d->num));
  d->cat = calloc(n, sizeof(*d->cat));
  d->dicts = calloc(n, sizeof(*d->dicts));
  if (!d->num || !d->cat || !d->dicts)
    goto nomem;
  for (size_t j = 0; j < n; j++) {
    if (is_categorical(&d->defs.items[j])) {
      d->dicts[j] = sl_model_dict_new();
      if (!d->dicts[j])
        goto nomem;
    }
  }
  *out = d;
  return SL_OK;

nomem:
  sl_model_data_free(d);
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory for training data");
}

void sl_model_data_free(sl_model_data *d) {
  if (!d)
    return;
  for (int j = 0; j < d->defs.n; j++) {
    if (d->num)
      free(d->num[j]);
    if (d->cat)
      free(d->cat[j]);
    if (d->dicts)
      sl_model_dict_free(d->dicts[j]);
  }
  free(d->num);
  free(d->cat);
  free(d->dicts);
  free(d->labels);
  sl_model_features_free(&d->defs);
  free(d);
}

/* Doubles the row capacity of every column. */
static bool data_grow(sl_model_data *d) {
  size_t cap = d->cap ? d->cap * 2 : 1024;
  double *labels = realloc(d->labels, cap * sizeof(double));
  if (!labels)
    return false;
  d->labels = labels;
  for (int j = 0; j < d->defs.n; j++) {
    if (is_categorical(&d->defs.items[j])) {
      int32_t *c = realloc(d->cat[j], cap * sizeof(int32_t));
      if (!c)
        return false;
      d->cat[j] = c;
    } else {
      double *c = realloc(d->num[j], cap * sizeof(double));
      if (!c)
        return false;
      d->num[j] = c;
    }
  }
  d->cap = cap;
  return true;
}

sl_status sl_model_data_add_row(sl_model_data *d, const sl_value *features,
                                const sl_value *label, sl_error *err) {
  /* The label first: an unlabelled row is skipped before anything is
   * stored. */
  double y;
  if (sl_value_is_null(label)) {
    d->unlabelled++;
    return SL_OK;
  }
  if (d->classification) {
    if (label->kind != SL_TYPE_BOOLEAN)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "LABEL is BOOLEAN, but row %zu has a %s label",
                          d->rows + d->unlabelled + 1,
                          sl_type_kind_name((sl_type_kind)label->kind));
    y = label->u.b ? 1.0 : 0.0;
  } else {
    if (!sl_model_transform_number(d->label_type, label, &y))
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "LABEL is %s, but row %zu has a %s label",
                          sl_type_kind_name(d->label_type),
                          d->rows + d->unlabelled + 1,
                          sl_type_kind_name((sl_type_kind)label->kind));
    if (isnan(y)) {
      d->unlabelled++;
      return SL_OK;
    }
  }

  /* Check every value before storing any, so a bad row leaves no trace;
   * new categories added to a dictionary by a failing row stay there
   * but no stored row refers to them, and fitting only counts codes
   * that rows use. */
  for (int j = 0; j < d->defs.n; j++) {
    const sl_model_feature *f = &d->defs.items[j];
    char buf[24];
    const char *key;
    size_t len;
    double x;
    bool ok = is_categorical(f)
                  ? sl_model_transform_category(f->type, &features[j], buf,
                                                &key, &len)
                  : sl_model_transform_number(f->type, &features[j], &x);
    if (!ok)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "model input %s is %s, but row %zu has a %s value",
                          f->name, sl_type_kind_name(f->type),
                          d->rows + d->unlabelled + 1,
                          sl_type_kind_name((sl_type_kind)features[j].kind));
  }
  if (d->rows == d->cap && !data_grow(d))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for training data");

  size_t r = d->rows;
  for (int j = 0; j < d->defs.n; j++) {
    const sl_model_feature *f = &d->defs.items[j];
    if (is_categorical(f)) {
      char buf[24];
      const char *key;
      size_t len;
      sl_model_transform_category(f->type, &features[j], buf, &key, &len);
      int32_t code = -1;
      if (key) {
        code = sl_model_dict_add(d->dicts[j], key, len);
        if (code < 0)
          return sl_error_set(err, SL_ERR_NOMEM,
                              "out of memory for categories");
      }
      d->cat[j][r] = code;
    } else {
      sl_model_transform_number(f->type, &features[j], &d->num[j][r]);
    }
  }
  d->labels[r] = y;
  d->rows++;
  return SL_OK;
}

size_t sl_model_data_rows(const sl_model_data *d) { return d->rows; }

size_t sl_model_data_unlabelled(const sl_model_data *d) {
  return d->unlabelled;
}

bool sl_model_data_is_classification(const sl_model_data *d) {
  return d->classification;
}

const double *sl_model_data_labels(const sl_model_data *d) {
  return d->labels;
}

size_t sl_model_holdout_size(size_t n, double fraction) {
  if (!(fraction > 0) || fraction >= 1)
    return 0;
  /* The small epsilon keeps products such as 100 * 0.29 from rounding
   * down to 28. */
  double h = floor((double)n * fraction + 1e-9);
  return h >= (double)n ? n : (size_t)h;
}

sl_status sl_model_data_features(const sl_model_data *d,
                                 sl_model_features *fs, sl_error *err) {
  int n = d->defs.n;
  sl_model_input_def *defs = calloc((size_t)n, sizeof(*defs));
  if (!defs)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for model inputs");
  for (int j = 0; j < n; j++) {
    const sl_model_feature *f = &d->defs.items[j];
    defs[j].name = f->name;
    defs[j].type = f->type;
    defs[j].transform = f->transform;
    defs[j].edges = f->edges;
    defs[j].nedges = f->nedges;
  }
  sl_status rc = sl_model_features_from_defs(defs, n, fs, err);
  free(defs);
  return rc;
}

/* ---- Fitting ------------------------------------------------------------- */

/* Mean and population standard deviation of the non-missing values of
 * x[0..n), by Welford's method. */
static void fit_numeric(sl_model_feature *f, const double *x, size_t n) {
  double mean = 0, m2 = 0;
  int64_t count = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]))
      continue;
    count++;
    double delta = x[i] - mean;
    mean += delta / (double)count;
    m2 += delta * (x[i] - mean);
  }
  f->count = count;
  f->missing = (int64_t)n - count;
  f->mean = count ? mean : NAN;
  f->stddev = count ? sqrt(m2 / (double)count) : NAN;
}

/* A category during sorting: its text and, for integer inputs, value. */
typedef struct cat_entry {
  const char *key;
  size_t len;
  long long ival;
  int32_t code;
} cat_entry;

static int cmp_bytes(const void *pa, const void *pb) {
  const cat_entry *a = pa, *b = pb;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->key, b->key, n);
  if (c)
    return c;
  return (a->len > b->len) - (a->len < b->len);
}

static int cmp_ints(const void *pa, const void *pb) {
  const cat_entry *a = pa, *b = pb;
  return (a->ival > b->ival) - (a->ival < b->ival);
}

/* The vocabulary of a ONE_HOT input: the codes used by rows [0, n),
 * sorted, as a dictionary whose ids are columns. */
static sl_status fit_categories(sl_model_feature *f, const sl_model_dict *dict,
                                const int32_t *codes, size_t n,
                                sl_error *err) {
  sl_status rc = SL_OK;
  bool *used = calloc((size_t)dict->n + 1, sizeof(bool));
  cat_entry *entries = malloc(((size_t)dict->n + 1) * sizeof(cat_entry));
  if (!used || !entries) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for categories");
    goto done;
  }

  int64_t count = 0;
  for (size_t i = 0; i < n; i++) {
    if (codes[i] >= 0) {
      used[codes[i]] = true;
      count++;
    }
  }
  f->count = count;
  f->missing = (int64_t)n - count;

  int32_t ncat = 0;
  for (int32_t c = 0; c < dict->n; c++) {
    if (!used[c])
      continue;
    cat_entry *e = &entries[ncat++];
    e->key = sl_model_dict_key(dict, c, &e->len);
    e->code = c;
    e->ival = 0;
    if (f->type == SL_TYPE_INT || f->type == SL_TYPE_BIGINT) {
      char buf[24];
      size_t len = e->len < sizeof(buf) - 1 ? e->len : sizeof(buf) - 1;
      memcpy(buf, e->key, len);
      buf[len] = '\0';
      e->ival = strtoll(buf, NULL, 10);
    }
  }
  if (ncat > SL_MODEL_MAX_CATEGORIES) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "ONE_HOT(%s) has %d categories in the training rows; "
                      "at most %d are allowed",
                      f->name, ncat, SL_MODEL_MAX_CATEGORIES);
    goto done;
  }
  bool ints = f->type == SL_TYPE_INT || f->type == SL_TYPE_BIGINT;
  qsort(entries, (size_t)ncat, sizeof(cat_entry), ints ? cmp_ints : cmp_bytes);

  f->vocab = sl_model_dict_new();
  if (!f->vocab) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for categories");
    goto done;
  }
  for (int32_t i = 0; i < ncat; i++) {
    if (sl_model_dict_add(f->vocab, entries[i].key, entries[i].len) != i) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for categories");
      goto done;
    }
  }

done:
  free(used);
  free(entries);
  return rc;
}

sl_status sl_model_data_fit(const sl_model_data *d, size_t ntrain,
                            sl_model_features *fs, sl_error *err) {
  for (int j = 0; j < fs->n; j++) {
    sl_model_feature *f = &fs->items[j];
    if (is_categorical(f)) {
      sl_model_dict_free(f->vocab);
      f->vocab = NULL;
      sl_status rc = fit_categories(f, d->dicts[j], d->cat[j], ntrain, err);
      if (rc)
        return rc;
    } else {
      fit_numeric(f, d->num[j], ntrain);
    }
  }
  return sl_model_features_layout(fs, err);
}

sl_status sl_model_data_expand(const sl_model_data *d,
                               const sl_model_features *fs, size_t begin,
                               size_t end, sl_model_matrix *x,
                               sl_error *err) {
  size_t n = end - begin;
  size_t width = (size_t)fs->ncols;
  sl_status rc = sl_model_matrix_resize(x, n, width, err);
  if (rc)
    return rc;

  for (int j = 0; j < fs->n; j++) {
    const sl_model_feature *f = &fs->items[j];
    float *dst = x->data + f->first_col;
    if (!is_categorical(f)) {
      const double *src = d->num[j] + begin;
      for (size_t i = 0; i < n; i++, dst += width)
        sl_model_transform_apply_number(f, src[i], NULL, dst);
      continue;
    }

    /* Codes of the builder's dictionary become vocabulary columns
     * through one lookup per distinct text. */
    const sl_model_dict *dict = d->dicts[j];
    int32_t *remap = malloc(((size_t)dict->n + 1) * sizeof(int32_t));
    if (!remap)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory for categories");
    for (int32_t c = 0; c < dict->n; c++) {
      size_t len;
      const char *key = sl_model_dict_key(dict, c, &len);
      int32_t col = sl_model_transform_lookup(f, key, len);
      remap[c] = col >= 0 ? col : -2;
    }
    const int32_t *src = d->cat[j] + begin;
    for (size_t i = 0; i < n; i++, dst += width)
      sl_model_transform_apply_category(f, src[i] >= 0 ? remap[src[i]] : -1,
                                        NULL, dst);
    free(remap);
  }
  return SL_OK;
}
