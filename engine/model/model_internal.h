/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model_internal.h - what the files of engine/model share and nothing
 * else sees: the category dictionary, the blob codec, the model object's
 * layout, and the two learners (XGBoost, linear) behind the model API.
 */
#ifndef SLUICE_MODEL_INTERNAL_H
#define SLUICE_MODEL_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/model/model.h"
#include "engine/model/trees.h"

#define SL_MODEL_LOG "model"

/* ---- Category dictionary (dict.c) ---------------------------------------- */

/* Byte strings mapped to dense ids 0, 1, ... in insertion order, by an
 * open-addressing hash table. */
struct sl_model_dict {
  char *bytes;      /* keys, concatenated */
  size_t nbytes;
  size_t cap_bytes;
  size_t *offsets;  /* per id */
  uint32_t *lens;   /* per id */
  uint64_t *hashes; /* per id, for rehashing */
  int32_t n;
  int32_t cap;
  int32_t *slots;   /* id per slot, -1 empty */
  size_t nslots;    /* power of two */
};

/* An empty dictionary (NULL when out of memory); free accepts NULL. */
sl_model_dict *sl_model_dict_new(void);
void sl_model_dict_free(sl_model_dict *d);

/* The id of key, adding it when new.  Returns -1 when out of memory. */
int32_t sl_model_dict_add(sl_model_dict *d, const char *key, size_t len);

/* The id of key, or -1. */
int32_t sl_model_dict_find(const sl_model_dict *d, const char *key,
                           size_t len);

/* The bytes of id (not NUL-terminated) and their length. */
static inline const char *sl_model_dict_key(const sl_model_dict *d,
                                            int32_t id, size_t *len) {
  *len = d->lens[id];
  return d->bytes + d->offsets[id];
}

/* ---- Blob codec (codec.c) ------------------------------------------------ */

/* Little-endian writers onto a strbuf (failures are sticky in it). */
void sl_model_put_u8(sl_strbuf *b, uint8_t v);
void sl_model_put_u32(sl_strbuf *b, uint32_t v);
void sl_model_put_u64(sl_strbuf *b, uint64_t v);
void sl_model_put_f64(sl_strbuf *b, double v);
void sl_model_put_bytes(sl_strbuf *b, const void *p, size_t n);
void sl_model_put_str(sl_strbuf *b, const char *s, size_t n); /* u32 len */

/* A bounds-checked reader; after any short read `bad` is set and every
 * later read returns zeros. */
typedef struct sl_model_reader {
  const uint8_t *p;
  const uint8_t *end;
  bool bad;
  const char *what; /* the first thing that could not be read */
} sl_model_reader;

/* Readers of the primitives above; what names the item for errors. */
uint8_t sl_model_get_u8(sl_model_reader *r, const char *what);
uint32_t sl_model_get_u32(sl_model_reader *r, const char *what);
uint64_t sl_model_get_u64(sl_model_reader *r, const char *what);
double sl_model_get_f64(sl_model_reader *r, const char *what);
/* n bytes in place (NULL when short). */
const void *sl_model_get_bytes(sl_model_reader *r, size_t n,
                               const char *what);
/* A length-prefixed string in place; NULL when short. */
const char *sl_model_get_str(sl_model_reader *r, size_t *len,
                             const char *what);
/* A count that cannot exceed the bytes left divided by min_item. */
uint32_t sl_model_get_count(sl_model_reader *r, size_t min_item,
                            const char *what);

/* ---- JSON documents (json.c) ------------------------------------------ */

typedef enum sl_model_json_type {
  SL_MODEL_JSON_NULL = 0,
  SL_MODEL_JSON_BOOL,
  SL_MODEL_JSON_NUMBER,
  SL_MODEL_JSON_STRING,
  SL_MODEL_JSON_ARRAY,
  SL_MODEL_JSON_OBJECT
} sl_model_json_type;

typedef struct sl_model_json sl_model_json;

/* One JSON value; every pointer is into the parse's arena. */
struct sl_model_json {
  uint32_t type;     /* sl_model_json_type */
  union {
    uint32_t n;      /* STRING bytes; ARRAY/OBJECT members */
    float f32;       /* NUMBER: its text read as a float directly, as
                      * XGBoost reads its model (a double rounded again to
                      * float can differ in the last bit) */
  };
  union {
    double num;            /* NUMBER; BOOL as 0 or 1 */
    const char *str;       /* STRING, NUL-terminated */
    sl_model_json *items;  /* ARRAY, OBJECT (each with its key) */
  } u;
  const char *key;   /* the member name inside an OBJECT */
};

/* Parses len bytes of JSON text (one value, blanks around allowed) into
 * *out, allocating from arena.  Returns SL_ERR_RUNTIME "bad JSON: ..."
 * naming the byte offset, or SL_ERR_NOMEM. */
sl_status sl_model_json_parse(const char *text, size_t len, sl_arena *arena,
                              sl_model_json *out, sl_error *err);

/* The member key of an object, or NULL (also when obj is not one). */
const sl_model_json *sl_model_json_get(const sl_model_json *obj,
                                       const char *key);

/* An integer in [lo, hi] that XGBoost writes as a string ("3") or a
 * number, into *out.  False when v is NULL, another type, not an
 * integer, or out of range. */
bool sl_model_json_int(const sl_model_json *v, long long lo, long long hi,
                       long long *out);

/* Checks the structure of an XGBoost JSON model before XGBoost loads it:
 * every tree's arrays have the node count's length, children are in
 * range and form a tree, split features exist, counts agree.  XGBoost
 * itself trusts these and would read out of bounds.  Returns
 * SL_ERR_RUNTIME saying what is wrong where (xgbcheck.c). */
sl_status sl_model_xgb_check(const char *text, size_t len, sl_error *err);

/* ---- The model object (model.c) ------------------------------------------ */

struct sl_model {
  sl_model_kind kind;
  bool classification;
  sl_model_features fs;
  sl_model_params params;
  sl_model_metrics metrics;
  bool metrics_on_holdout;
  int64_t train_rows;
  int64_t holdout_rows;
  void *booster;       /* XGBOOST */
  sl_trees *trees;     /* XGBOOST: its trees evaluated natively, or NULL
                        * when XGBoost scores them */
  int threads;         /* XGBOOST: prediction threads (1: native) */
  double *coef;        /* linear kinds: fs.ncols */
  double intercept;
  atomic_uint_fast64_t *unseen; /* per input */
};

/* A model with no inputs yet (NULL when out of memory). */
sl_model *sl_model_alloc(sl_model_kind kind, bool classification);

/* Allocates the per-input unseen counters once fs is filled. */
sl_status sl_model_alloc_counters(sl_model *m, sl_error *err);

/* Serialization of the inputs (serialize.c uses it; transform.c owns
 * the layout of a feature). */
void sl_model_features_write(const sl_model_features *fs, sl_strbuf *b);
sl_status sl_model_features_read(sl_model_reader *r, sl_model_features *fs,
                                 sl_error *err);

/* Assigns first_col/ncols from the transforms and vocabularies and sets
 * fs->ncols.  Returns SL_ERR_RUNTIME when the total overflows. */
sl_status sl_model_features_layout(sl_model_features *fs, sl_error *err);

/* Copies definitions into fs (names and edges duplicated; no statistics
 * yet).  Checks each definition and that names are unique. */
sl_status sl_model_features_from_defs(const sl_model_input_def *defs,
                                      int ndefs, sl_model_features *fs,
                                      sl_error *err);

/* ---- Training data (data.c) ---------------------------------------------- */

/* Computes the frozen statistics of every input of fs (which mirrors the
 * data's definitions) from rows [0, ntrain), then lays the columns out. */
sl_status sl_model_data_fit(const sl_model_data *d, size_t ntrain,
                            sl_model_features *fs, sl_error *err);

/* Expands rows [begin, end) into x (resized to end-begin rows) with the
 * frozen statistics of fs; missing values stay NaN. */
sl_status sl_model_data_expand(const sl_model_data *d,
                               const sl_model_features *fs, size_t begin,
                               size_t end, sl_model_matrix *x,
                               sl_error *err);

/* The labels (1/0 for a classifier). */
const double *sl_model_data_labels(const sl_model_data *d);

/* The definitions the builder was made with, as a feature set without
 * statistics (a fresh copy in fs). */
sl_status sl_model_data_features(const sl_model_data *d,
                                 sl_model_features *fs, sl_error *err);

/* ---- XGBoost (xgboost.c) ------------------------------------------------- */

/* Trains a booster on x/y (holdout hx/hy may have 0 rows).  params are
 * the user's; rounds is read here.  *booster is a BoosterHandle. */
sl_status sl_model_xgb_train(const sl_model_matrix *x, const double *y,
                             const sl_model_matrix *hx, const double *hy,
                             bool classification,
                             const sl_model_params *params,
                             sl_model_params *effective,
                             sl_model_progress_fn progress, void *ctx,
                             void **booster, sl_error *err);

/* The booster as XGBoost's JSON model, appended to b. */
sl_status sl_model_xgb_save(void *booster, sl_strbuf *b, sl_error *err);

/* A booster from XGBoost's JSON model text.  what names the source in
 * errors ("model blob", the file name). */
sl_status sl_model_xgb_load(const void *buf, size_t len, const char *what,
                            void **booster, sl_error *err);

/* Sets the booster's thread count (prediction and training). */
sl_status sl_model_xgb_set_threads(void *booster, int threads,
                                   sl_error *err);

/* n scores of the rows of x (n x cols floats) into out. */
sl_status sl_model_xgb_predict(void *booster, const float *x, size_t n,
                               size_t cols, double *out, sl_error *err);

/* The native evaluator of booster's trees (trees.h), read from its JSON
 * model, in *out; NULL when the model has a structure the evaluator does
 * not cover, when it does not read cols columns, or when the evaluator's
 * scores of probe rows differ from XGBoost's, or XGBoost cannot score
 * them (XGBoost then scores; the reason is logged).  Returns SL_ERR_NOMEM
 * only. */
sl_status sl_model_xgb_native(void *booster, size_t cols, sl_trees **out,
                              sl_error *err);

/* What a loaded booster says about itself. */
typedef struct sl_model_xgb_info {
  uint64_t nfeatures;
  int rounds;
  char objective[64];
  char **names;   /* nfeatures names or NULL; owned by the info */
  char **types;   /* nfeatures types or NULL */
} sl_model_xgb_info;

/* Fills info from a loaded booster (free it with
 * sl_model_xgb_info_free). */
sl_status sl_model_xgb_inspect(void *booster, sl_model_xgb_info *info,
                               sl_error *err);
void sl_model_xgb_info_free(sl_model_xgb_info *info);

/* Frees a booster.  Accepts NULL. */
void sl_model_xgb_free(void *booster);

/* ---- Linear models (linear.c) -------------------------------------------- */

typedef struct sl_model_linear_opts {
  bool logistic;
  double l2;
  int max_iter;
  double tol;
} sl_model_linear_opts;

/* Reads holdout-free linear options from params into opts (defaults for
 * the missing ones) and records them in effective.  Returns SL_ERR_SQL
 * for an unknown key or a bad value. */
sl_status sl_model_linear_params(const sl_model_params *params,
                                 bool logistic, sl_model_linear_opts *opts,
                                 sl_model_params *effective, sl_error *err);

/* Fits on x/y (no NaN in x; hx may have 0 rows) and writes x->cols
 * coefficients on the original columns and the intercept. */
sl_status sl_model_linear_fit(const sl_model_matrix *x, const double *y,
                              const sl_model_matrix *hx, const double *hy,
                              const sl_model_linear_opts *opts,
                              sl_model_progress_fn progress, void *ctx,
                              double *coef, double *intercept,
                              sl_error *err);

/* Scores n rows of x (cols floats each): the dot product plus intercept,
 * through the logistic function when logistic. */
void sl_model_linear_predict(const double *coef, double intercept,
                             size_t cols, bool logistic, const float *x,
                             size_t n, double *out);

/* True when every input of fs is numeric and expands to the one matrix
 * column of its own position, so that sl_model_linear_predict_values
 * applies. */
bool sl_model_linear_direct(const sl_model_features *fs);

/* Scores n rows given as input columns (cols[j][i], as in
 * sl_model_predict_batch) without building the matrix: block by block,
 * each input's values are transformed and added to the rows' sums in
 * one pass (sl_model_features_accumulate_fast, else
 * sl_model_features_accumulate; a row the fast loop left non-finite is
 * added up again value by value).  Each row adds the same terms in the
 * same order as sl_model_linear_predict over the expanded matrix, so the
 * scores are the same to the bit.  Requires sl_model_linear_direct(fs).
 * Errors as sl_model_features_expand. */
sl_status sl_model_linear_predict_values(const sl_model_features *fs,
                                         const double *coef,
                                         double intercept, bool logistic,
                                         const sl_value *const *cols,
                                         size_t n, double *out,
                                         sl_error *err);

/* ---- Shared parameter parsing (params.c) --------------------------------- */

/* The value of key as a number in [lo, hi] (def when absent).  Returns
 * SL_ERR_SQL naming the key for text that is not one, or out of range. */
sl_status sl_model_param_double(const sl_model_params *p, const char *key,
                                double def, double lo, double hi,
                                double *out, sl_error *err);
sl_status sl_model_param_int(const sl_model_params *p, const char *key,
                             long def, long lo, long hi, long *out,
                             sl_error *err);

/* The closest of n candidate names to name by edit distance (at most 2
 * edits), or NULL. */
const char *sl_model_closest_name(const char *name,
                                  const char *const *candidates, size_t n);

#endif /* SLUICE_MODEL_INTERNAL_H */
