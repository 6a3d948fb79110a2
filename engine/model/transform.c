/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transform.c - frozen feature transforms: checking declarations, turning
 * input values into matrix columns with the statistics frozen at
 * training, describing them, and storing them in the model blob.
 *
 * The hot path is sl_model_features_expand: it runs input by input over
 * a whole batch (so the dispatch on the transform happens once per input
 * and batch, not per value), writing each input's columns with a stride
 * of the row width.  It allocates nothing.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/model/model_internal.h"
#include "engine/types/decimal.h"
#include "engine/types/format.h"

static const char *const transform_names[] = {"NONE", "STANDARDIZE",
                                              "ONE_HOT", "BUCKETIZE"};

const char *sl_model_transform_name(sl_model_transform t) {
  if ((unsigned)t < sizeof(transform_names) / sizeof(transform_names[0]))
    return transform_names[t];
  return "?";
}

bool sl_model_transform_from_name(const char *name,
                                  sl_model_transform *out) {
  for (size_t i = 0;
       i < sizeof(transform_names) / sizeof(transform_names[0]); i++) {
    if (strcasecmp(name, transform_names[i]) == 0) {
      *out = (sl_model_transform)i;
      return true;
    }
  }
  return false;
}

static bool numeric_type(sl_type_kind t) {
  return t == SL_TYPE_INT || t == SL_TYPE_BIGINT || t == SL_TYPE_DOUBLE ||
         t == SL_TYPE_DECIMAL || t == SL_TYPE_BOOLEAN;
}

static bool categorical_type(sl_type_kind t) {
  return t == SL_TYPE_VARCHAR || t == SL_TYPE_INT || t == SL_TYPE_BIGINT ||
         t == SL_TYPE_BOOLEAN;
}

sl_status sl_model_transform_check(const sl_model_input_def *def,
                                   sl_error *err) {
  const char *name = def->name ? def->name : "";
  if (!*name)
    return sl_error_set(err, SL_ERR_SQL, "a model input needs a name");

  const char *type = sl_type_kind_name(def->type);
  switch (def->transform) {
  case SL_MODEL_TRANSFORM_ONE_HOT:
    if (!categorical_type(def->type))
      return sl_error_set(err, SL_ERR_SQL,
                          "ONE_HOT(%s): input is %s; expected VARCHAR, "
                          "INT, BIGINT or BOOLEAN",
                          name, type);
    break;
  case SL_MODEL_TRANSFORM_NONE:
    if (!numeric_type(def->type))
      return sl_error_set(err, SL_ERR_SQL,
                          "model input %s is %s; expected a numeric type "
                          "or BOOLEAN (use ONE_HOT(%s) for a category)",
                          name, type, name);
    break;
  case SL_MODEL_TRANSFORM_STANDARDIZE:
  case SL_MODEL_TRANSFORM_BUCKETIZE:
    if (!numeric_type(def->type))
      return sl_error_set(err, SL_ERR_SQL,
                          "%s(%s): input is %s; expected a numeric type "
                          "or BOOLEAN",
                          sl_model_transform_name(def->transform), name,
                          type);
    break;
  default:
    return sl_error_set(err, SL_ERR_SQL, "model input %s: unknown transform",
                        name);
  }

  if (def->transform != SL_MODEL_TRANSFORM_BUCKETIZE) {
    if (def->nedges)
      return sl_error_set(err, SL_ERR_SQL,
                          "model input %s: only BUCKETIZE takes edges",
                          name);
    return SL_OK;
  }
  if (def->nedges < 1 || def->nedges > SL_MODEL_MAX_EDGES || !def->edges)
    return sl_error_set(err, SL_ERR_SQL,
                        "BUCKETIZE(%s): expected 1 to %d edges, got %d",
                        name, SL_MODEL_MAX_EDGES, def->nedges);
  for (int i = 0; i < def->nedges; i++) {
    if (!isfinite(def->edges[i]))
      return sl_error_set(err, SL_ERR_SQL,
                          "BUCKETIZE(%s): edge %d is not a finite number",
                          name, i + 1);
    if (i && !(def->edges[i] > def->edges[i - 1]))
      return sl_error_set(err, SL_ERR_SQL,
                          "BUCKETIZE(%s): edges must be strictly "
                          "ascending; edge %d (%g) follows %g",
                          name, i + 1, def->edges[i], def->edges[i - 1]);
  }
  return SL_OK;
}

static inline bool value_number(sl_type_kind type, const sl_value *v,
                                double *out) {
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_NULL:
    *out = NAN;
    return true;
  case SL_TYPE_BOOLEAN:
    if (type != SL_TYPE_BOOLEAN)
      return false;
    *out = v->u.b ? 1.0 : 0.0;
    return true;
  case SL_TYPE_INT:
    *out = (double)v->u.i32;
    break;
  case SL_TYPE_BIGINT:
    *out = (double)v->u.i64;
    break;
  case SL_TYPE_DOUBLE:
    *out = isfinite(v->u.f64) ? v->u.f64 : NAN;
    break;
  case SL_TYPE_DECIMAL:
    *out = sl_decimal_to_double(sl_value_decimal_get(v), v->scale);
    break;
  default:
    return false;
  }
  return type != SL_TYPE_BOOLEAN && numeric_type(type);
}

bool sl_model_transform_number(sl_type_kind type, const sl_value *v,
                               double *out) {
  return value_number(type, v, out);
}

bool sl_model_transform_category(sl_type_kind type, const sl_value *v,
                                 char *buf, const char **key, size_t *len) {
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_NULL:
    *key = NULL;
    *len = 0;
    return true;
  case SL_TYPE_VARCHAR:
    if (type != SL_TYPE_VARCHAR)
      return false;
    *key = v->u.str;
    *len = v->len;
    return true;
  case SL_TYPE_BOOLEAN:
    if (type != SL_TYPE_BOOLEAN)
      return false;
    *key = v->u.b ? "true" : "false";
    *len = strlen(*key);
    return true;
  case SL_TYPE_INT:
  case SL_TYPE_BIGINT: {
    if (type != SL_TYPE_INT && type != SL_TYPE_BIGINT)
      return false;
    int64_t i = v->kind == SL_TYPE_INT ? v->u.i32 : v->u.i64;
    int n = snprintf(buf, 24, "%" PRId64, i);
    *key = buf;
    *len = (size_t)n;
    return true;
  }
  default:
    return false;
  }
}

int sl_model_transform_bucket(const sl_model_feature *f, double x) {
  /* The number of edges <= x, by binary search. */
  int lo = 0, hi = f->nedges;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (f->edges[mid] <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

void sl_model_transform_apply_number(const sl_model_feature *f, double x,
                                     const float *fill, float *out) {
  if (isnan(x)) {
    out[0] = fill ? fill[0] : NAN;
    return;
  }
  switch (f->transform) {
  case SL_MODEL_TRANSFORM_STANDARDIZE: {
    double scale = f->stddev > 0 ? f->stddev : 1.0;
    out[0] = (float)((x - f->mean) / scale);
    break;
  }
  case SL_MODEL_TRANSFORM_BUCKETIZE:
    out[0] = (float)sl_model_transform_bucket(f, x);
    break;
  default:
    out[0] = (float)x;
    break;
  }
}

void sl_model_transform_apply_category(const sl_model_feature *f,
                                       int32_t index, const float *fill,
                                       float *out) {
  if (index == -1) {
    for (int c = 0; c < f->ncols; c++)
      out[c] = fill ? fill[c] : NAN;
    return;
  }
  for (int c = 0; c < f->ncols; c++)
    out[c] = 0.0f;
  if (index >= 0)
    out[index] = 1.0f;
}

int32_t sl_model_transform_lookup(const sl_model_feature *f,
                                  const char *key, size_t len) {
  return f->vocab ? sl_model_dict_find(f->vocab, key, len) : -1;
}

/* The error for a value whose kind does not fit its input. */
static sl_status kind_error(const sl_model_feature *f, const sl_value *v,
                            size_t row, sl_error *err) {
  return sl_error_set(err, SL_ERR_RUNTIME,
                      "model input %s is %s, but row %zu has a %s value",
                      f->name, sl_type_kind_name(f->type), row + 1,
                      sl_type_kind_name((sl_type_kind)v->kind));
}

/* The column of a numeric input for n values, written to dst (every
 * width floats) or, when accumulate, added as w * value into acc[i]
 * (the linear models' direct path).  Called with a constant transform
 * and a constant accumulate, so that each case compiles to its own
 * loop; a DOUBLE value (the common case) takes the short path. */
static inline sl_status expand_numbers(const sl_model_feature *f,
                                       sl_model_transform transform,
                                       const sl_value *col, size_t stride,
                                       size_t n, const float *fill,
                                       float *dst, size_t width,
                                       size_t first_row, bool accumulate,
                                       double *acc, double w,
                                       sl_error *err) {
  float missing = fill ? fill[0] : NAN;
  double scale = f->stddev > 0 ? f->stddev : 1.0;
  bool is_bool = f->type == SL_TYPE_BOOLEAN;
  for (size_t i = 0; i < n; i++) {
    const sl_value *v = &col[i * stride];
    double x;
    float value;
    bool present;
    if (v->kind == SL_TYPE_DOUBLE && !is_bool) {
      x = v->u.f64;
      present = isfinite(x);
    } else {
      if (!value_number(f->type, v, &x))
        return kind_error(f, v, first_row + i, err);
      present = !isnan(x);
    }
    if (!present) {
      value = missing;
    } else {
      switch (transform) {
      case SL_MODEL_TRANSFORM_STANDARDIZE:
        value = (float)((x - f->mean) / scale);
        break;
      case SL_MODEL_TRANSFORM_BUCKETIZE:
        value = (float)sl_model_transform_bucket(f, x);
        break;
      default:
        value = (float)x;
        break;
      }
    }
    if (accumulate)
      acc[i] += w * (double)value;
    else
      dst[i * width] = value;
  }
  return SL_OK;
}

/* Expands rows [begin, begin + n) of every input. */
static sl_status expand_rows(const sl_model_features *fs,
                             const sl_value *const *cols, size_t stride,
                             size_t begin, size_t n, float *out,
                             uint64_t *unseen, sl_error *err) {
  size_t width = (size_t)fs->ncols;
  for (int j = 0; j < fs->n; j++) {
    const sl_model_feature *f = &fs->items[j];
    const sl_value *col = cols[j] + begin * stride;
    const float *fill = fs->fill ? fs->fill + f->first_col : NULL;
    float *dst = out + begin * width + f->first_col;
    sl_status rc;

    switch (f->transform) {
    case SL_MODEL_TRANSFORM_ONE_HOT: {
      uint64_t missed = 0;
      for (size_t i = 0; i < n; i++, dst += width) {
        const sl_value *v = &col[i * stride];
        char buf[24];
        const char *key;
        size_t len;
        if (!sl_model_transform_category(f->type, v, buf, &key, &len))
          return kind_error(f, v, begin + i, err);
        int32_t index = -1;
        if (key) {
          index = sl_model_transform_lookup(f, key, len);
          if (index < 0) {
            index = -2;
            missed++;
          }
        }
        sl_model_transform_apply_category(f, index, fill, dst);
      }
      if (unseen)
        unseen[j] += missed;
      rc = SL_OK;
      break;
    }
    case SL_MODEL_TRANSFORM_STANDARDIZE:
      rc = expand_numbers(f, SL_MODEL_TRANSFORM_STANDARDIZE, col, stride, n,
                          fill, dst, width, begin, false, NULL, 0, err);
      break;
    case SL_MODEL_TRANSFORM_BUCKETIZE:
      rc = expand_numbers(f, SL_MODEL_TRANSFORM_BUCKETIZE, col, stride, n,
                          fill, dst, width, begin, false, NULL, 0, err);
      break;
    default:
      rc = expand_numbers(f, SL_MODEL_TRANSFORM_NONE, col, stride, n, fill,
                          dst, width, begin, false, NULL, 0, err);
      break;
    }
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status sl_model_features_accumulate(const sl_model_features *fs, int j,
                                       const sl_value *col, size_t begin,
                                       size_t n, double w, double *acc,
                                       sl_error *err) {
  const sl_model_feature *f = &fs->items[j];
  const float *fill = fs->fill ? fs->fill + f->first_col : NULL;
  const sl_value *c = col + begin;
  switch (f->transform) {
  case SL_MODEL_TRANSFORM_STANDARDIZE:
    return expand_numbers(f, SL_MODEL_TRANSFORM_STANDARDIZE, c, 1, n, fill,
                          NULL, 0, begin, true, acc, w, err);
  case SL_MODEL_TRANSFORM_BUCKETIZE:
    return expand_numbers(f, SL_MODEL_TRANSFORM_BUCKETIZE, c, 1, n, fill,
                          NULL, 0, begin, true, acc, w, err);
  case SL_MODEL_TRANSFORM_ONE_HOT:
    return sl_error_set(err, SL_ERR_INTERNAL, "input %s is ONE_HOT, not a "
                        "single numeric column", f->name);
  default:
    return expand_numbers(f, SL_MODEL_TRANSFORM_NONE, c, 1, n, fill, NULL, 0,
                          begin, true, acc, w, err);
  }
}

/* The loop of sl_model_features_accumulate_fast for one transform.  The
 * kind of each value selects between its transform, the fill and NaN
 * without a branch: a branch on the missing values (1 in 20 or so, at
 * random) mispredicts often enough to cost more than the rest of the
 * loop.  A non-finite DOUBLE becomes a non-finite float by itself. */
static inline void accumulate_fast(const sl_model_feature *f,
                                   sl_model_transform transform,
                                   const sl_value *col, size_t n,
                                   float missing, double w, double *acc) {
  double mean = f->mean;
  double scale = f->stddev > 0 ? f->stddev : 1.0;

  /* The value by kind: NaN (another kind), the fill (NULL), the
   * transform (DOUBLE), picked by index rather than by a branch. */
  float pick[3] = {NAN, missing, 0};
  for (size_t i = 0; i < n; i++) {
    unsigned kind = col[i].kind;
    double x = col[i].u.f64;
    pick[2] = transform == SL_MODEL_TRANSFORM_STANDARDIZE
                  ? (float)((x - mean) / scale)
                  : (float)x;
    unsigned index = (unsigned)(kind == SL_TYPE_NULL) +
                     2u * (unsigned)(kind == SL_TYPE_DOUBLE);
    acc[i] += w * (double)pick[index];
  }
}

bool sl_model_features_accumulate_fast(const sl_model_features *fs, int j,
                                       const sl_value *col, size_t begin,
                                       size_t n, double w, double *acc) {
  /* An input declared DOUBLE gets DOUBLEs and NULLs (its expression's
   * type); the integer ones go value by value rather than each row
   * twice. */
  const sl_model_feature *f = &fs->items[j];
  if (f->type != SL_TYPE_DOUBLE)
    return false;
  float missing = fs->fill ? fs->fill[f->first_col] : NAN;
  switch (f->transform) {
  case SL_MODEL_TRANSFORM_NONE:
    accumulate_fast(f, SL_MODEL_TRANSFORM_NONE, col + begin, n, missing, w,
                    acc);
    return true;
  case SL_MODEL_TRANSFORM_STANDARDIZE:
    accumulate_fast(f, SL_MODEL_TRANSFORM_STANDARDIZE, col + begin, n,
                    missing, w, acc);
    return true;
  default:
    return false;
  }
}

/* Rows are expanded in chunks whose part of the matrix stays in the L1
 * cache while each input's column is written into it. */
#define EXPAND_CHUNK_BYTES 16384

sl_status sl_model_features_expand(const sl_model_features *fs,
                                   const sl_value *const *cols,
                                   size_t stride, size_t n, float *out,
                                   uint64_t *unseen, sl_error *err) {
  size_t row_bytes = (size_t)fs->ncols * sizeof(float);
  size_t chunk = row_bytes ? EXPAND_CHUNK_BYTES / row_bytes : n;
  if (chunk < 8)
    chunk = 8;
  for (size_t begin = 0; begin < n; begin += chunk) {
    size_t k = n - begin < chunk ? n - begin : chunk;
    sl_status rc =
        expand_rows(fs, cols, stride, begin, k, out, unseen, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status sl_model_feature_describe(const sl_model_feature *f,
                                    sl_strbuf *out) {
  char a[SL_FORMAT_DOUBLE_MAX], b[SL_FORMAT_DOUBLE_MAX];
  if (f->transform == SL_MODEL_TRANSFORM_NONE)
    sl_strbuf_appends(out, f->name);
  else
    sl_strbuf_appendf(out, "%s(%s)", sl_model_transform_name(f->transform),
                      f->name);
  sl_strbuf_appendf(out, " %s", sl_type_kind_name(f->type));

  switch (f->transform) {
  case SL_MODEL_TRANSFORM_STANDARDIZE:
    sl_format_double(f->mean, a);
    sl_format_double(f->stddev, b);
    sl_strbuf_appendf(out, " mean=%s stddev=%s", a, b);
    break;
  case SL_MODEL_TRANSFORM_BUCKETIZE:
    sl_strbuf_appends(out, " edges=[");
    for (int i = 0; i < f->nedges; i++) {
      sl_format_double(f->edges[i], a);
      sl_strbuf_appendf(out, "%s%s", i ? ", " : "", a);
    }
    sl_strbuf_appendc(out, ']');
    break;
  case SL_MODEL_TRANSFORM_ONE_HOT: {
    int n = f->vocab ? f->vocab->n : 0;
    sl_strbuf_appendf(out, " %d categor%s", n, n == 1 ? "y" : "ies");
    for (int i = 0; i < n && i < 10; i++) {
      size_t len;
      const char *key = sl_model_dict_key(f->vocab, i, &len);
      sl_strbuf_appends(out, i ? ", " : ": ");
      sl_format_json_string(out, key, len);
    }
    if (n > 10)
      sl_strbuf_appends(out, ", ...");
    break;
  }
  default:
    break;
  }
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

static void feature_free(sl_model_feature *f) {
  free(f->name);
  free(f->edges);
  sl_model_dict_free(f->vocab);
}

void sl_model_features_free(sl_model_features *fs) {
  for (int j = 0; j < fs->n; j++)
    feature_free(&fs->items[j]);
  free(fs->items);
  free(fs->fill);
  fs->n = 0;
  fs->items = NULL;
  fs->ncols = 0;
  fs->fill = NULL;
}

sl_status sl_model_features_layout(sl_model_features *fs, sl_error *err) {
  int64_t col = 0;
  for (int j = 0; j < fs->n; j++) {
    sl_model_feature *f = &fs->items[j];
    f->first_col = (int)col;
    f->ncols = f->transform == SL_MODEL_TRANSFORM_ONE_HOT
                   ? (f->vocab ? f->vocab->n : 0)
                   : 1;
    col += f->ncols;
    if (col > INT32_MAX / 2)
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "the model inputs expand to too many columns");
  }
  fs->ncols = (int)col;
  return SL_OK;
}

sl_status sl_model_features_from_defs(const sl_model_input_def *defs,
                                      int ndefs, sl_model_features *fs,
                                      sl_error *err) {
  memset(fs, 0, sizeof(*fs));
  if (ndefs < 1)
    return sl_error_set(err, SL_ERR_SQL, "a model needs at least one input");
  for (int j = 0; j < ndefs; j++) {
    sl_status rc = sl_model_transform_check(&defs[j], err);
    if (rc)
      return rc;
    for (int k = 0; k < j; k++)
      if (strcasecmp(defs[k].name, defs[j].name) == 0)
        return sl_error_set(err, SL_ERR_SQL,
                            "model input %s appears twice (inputs %d and "
                            "%d)",
                            defs[j].name, k + 1, j + 1);
  }

  fs->items = calloc((size_t)ndefs, sizeof(*fs->items));
  if (!fs->items)
    goto nomem;
  fs->n = ndefs;
  for (int j = 0; j < ndefs; j++) {
    sl_model_feature *f = &fs->items[j];
    f->name = strdup(defs[j].name);
    if (!f->name)
      goto nomem;
    f->type = defs[j].type;
    f->transform = defs[j].transform;
    f->mean = NAN;
    f->stddev = NAN;
    if (defs[j].nedges) {
      f->edges = malloc((size_t)defs[j].nedges * sizeof(double));
      if (!f->edges)
        goto nomem;
      memcpy(f->edges, defs[j].edges, (size_t)defs[j].nedges * sizeof(double));
      f->nedges = defs[j].nedges;
    }
  }
  return sl_model_features_layout(fs, err);

nomem:
  sl_model_features_free(fs);
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory for model inputs");
}

/* ---- Storage ------------------------------------------------------------- */

void sl_model_features_write(const sl_model_features *fs, sl_strbuf *b) {
  sl_model_put_u32(b, (uint32_t)fs->n);
  for (int j = 0; j < fs->n; j++) {
    const sl_model_feature *f = &fs->items[j];
    sl_model_put_str(b, f->name, strlen(f->name));
    sl_model_put_u8(b, (uint8_t)f->type);
    sl_model_put_u8(b, (uint8_t)f->transform);
    sl_model_put_u64(b, (uint64_t)f->count);
    sl_model_put_u64(b, (uint64_t)f->missing);
    sl_model_put_f64(b, f->mean);
    sl_model_put_f64(b, f->stddev);
    sl_model_put_u32(b, (uint32_t)f->nedges);
    for (int i = 0; i < f->nedges; i++)
      sl_model_put_f64(b, f->edges[i]);
    int32_t ncat = f->vocab ? f->vocab->n : 0;
    sl_model_put_u32(b, (uint32_t)ncat);
    for (int32_t i = 0; i < ncat; i++) {
      size_t len;
      const char *key = sl_model_dict_key(f->vocab, i, &len);
      sl_model_put_str(b, key, len);
    }
  }
  sl_model_put_u32(b, (uint32_t)fs->ncols);
  sl_model_put_u8(b, fs->fill ? 1 : 0);
  if (fs->fill)
    for (int c = 0; c < fs->ncols; c++)
      sl_model_put_f64(b, fs->fill[c]);
}

/* Reads one feature into f (zeroed by the caller). */
static sl_status feature_read(sl_model_reader *r, sl_model_feature *f,
                              sl_error *err) {
  size_t len;
  const char *name = sl_model_get_str(r, &len, "an input name");
  if (r->bad)
    return SL_ERR_RUNTIME;
  f->name = strndup(name, len);
  if (!f->name)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for model inputs");
  f->type = (sl_type_kind)sl_model_get_u8(r, "an input type");
  f->transform = (sl_model_transform)sl_model_get_u8(r, "a transform");
  f->count = (int64_t)sl_model_get_u64(r, "an input's row count");
  f->missing = (int64_t)sl_model_get_u64(r, "an input's missing count");
  f->mean = sl_model_get_f64(r, "an input's mean");
  f->stddev = sl_model_get_f64(r, "an input's stddev");
  uint32_t nedges = sl_model_get_count(r, 8, "bucket edges");
  if (r->bad)
    return SL_ERR_RUNTIME;

  sl_model_input_def def = {f->name, f->type, f->transform, NULL, 0};
  if (nedges) {
    f->edges = malloc(nedges * sizeof(double));
    if (!f->edges)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory for edges");
    for (uint32_t i = 0; i < nedges; i++)
      f->edges[i] = sl_model_get_f64(r, "a bucket edge");
    f->nedges = (int)nedges;
    def.edges = f->edges;
    def.nedges = f->nedges;
  }
  sl_error check;
  sl_error_clear(&check);
  if (r->bad || sl_model_transform_check(&def, &check))
    return sl_error_set(err, SL_ERR_RUNTIME, "bad input %s: %s", f->name,
                        r->bad ? "truncated" : check.message);

  uint32_t ncat = sl_model_get_count(r, 4, "categories");
  if (r->bad)
    return SL_ERR_RUNTIME;
  if (f->transform != SL_MODEL_TRANSFORM_ONE_HOT && ncat)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "input %s has categories but is not ONE_HOT",
                        f->name);
  if (f->transform == SL_MODEL_TRANSFORM_ONE_HOT) {
    f->vocab = sl_model_dict_new();
    if (!f->vocab)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory for categories");
    for (uint32_t i = 0; i < ncat; i++) {
      const char *key = sl_model_get_str(r, &len, "a category");
      if (r->bad)
        return SL_ERR_RUNTIME;
      int32_t id = sl_model_dict_add(f->vocab, key, len);
      if (id < 0)
        return sl_error_set(err, SL_ERR_NOMEM,
                            "out of memory for categories");
      if ((uint32_t)id != i)
        return sl_error_set(err, SL_ERR_RUNTIME,
                            "input %s lists a category twice", f->name);
    }
  }
  return SL_OK;
}

sl_status sl_model_features_read(sl_model_reader *r, sl_model_features *fs,
                                 sl_error *err) {
  memset(fs, 0, sizeof(*fs));
  uint32_t n = sl_model_get_count(r, 30, "the inputs");
  if (r->bad)
    return SL_ERR_RUNTIME;
  if (n == 0)
    return sl_error_set(err, SL_ERR_RUNTIME, "the model has no inputs");
  fs->items = calloc(n, sizeof(*fs->items));
  if (!fs->items)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for model inputs");
  fs->n = (int)n;

  sl_status rc = SL_OK;
  for (uint32_t j = 0; j < n && !rc; j++)
    rc = feature_read(r, &fs->items[j], err);
  if (!rc)
    rc = sl_model_features_layout(fs, err);
  if (rc)
    goto fail;

  uint32_t ncols = sl_model_get_u32(r, "the column count");
  uint8_t has_fill = sl_model_get_u8(r, "the fill flag");
  if (r->bad) {
    rc = SL_ERR_RUNTIME;
    goto fail;
  }
  if (ncols != (uint32_t)fs->ncols || has_fill > 1) {
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "the inputs expand to %d columns, the blob says %u",
                      fs->ncols, ncols);
    goto fail;
  }
  if (has_fill) {
    fs->fill = malloc(((size_t)ncols + 1) * sizeof(float));
    if (!fs->fill) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory for fill values");
      goto fail;
    }
    for (uint32_t c = 0; c < ncols; c++)
      fs->fill[c] = (float)sl_model_get_f64(r, "a fill value");
    if (r->bad) {
      rc = SL_ERR_RUNTIME;
      goto fail;
    }
  }
  return SL_OK;

fail:
  sl_model_features_free(fs);
  return rc;
}
