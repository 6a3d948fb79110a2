/* SPDX-License-Identifier: Apache-2.0 */
/*
 * params.h - training parameters as the statement gives them.
 *
 * `CREATE MODEL ... WITH (max_depth=6, eta=0.1, rounds=200)` arrives as
 * an ordered list of key/value texts.  Keys are stored in lower case; a key
 * set twice keeps its last value in its first position.  The trainers
 * read and check the values they know (see model.h for the list per model
 * kind); XGBoost's own parameters are passed through to the library.
 */
#ifndef SLUICE_MODEL_PARAMS_H
#define SLUICE_MODEL_PARAMS_H

#include <stdbool.h>

#include "engine/common/error.h"
#include "engine/types/strbuf.h"

typedef struct sl_model_param {
  char *key;   /* lower case */
  char *value;
} sl_model_param;

typedef struct sl_model_params {
  int n;
  int cap;
  sl_model_param *items;
} sl_model_params;

#define SL_MODEL_PARAMS_INIT {0, 0, NULL}

/* An empty list that owns no memory yet. */
void sl_model_params_init(sl_model_params *p);

/* Sets key to a copy of value.  Returns SL_ERR_NOMEM on allocation
 * failure (p unchanged). */
sl_status sl_model_params_set(sl_model_params *p, const char *key,
                              const char *value, sl_error *err);

/* The value of key (compared case-insensitively), or NULL. */
const char *sl_model_params_get(const sl_model_params *p, const char *key);

/* Makes dst an independent copy of src (dst's old contents are freed). */
sl_status sl_model_params_copy(sl_model_params *dst,
                               const sl_model_params *src, sl_error *err);

/* Appends the parameters as one JSON object: a value that reads fully as
 * a finite number is written as a JSON number, anything else as a
 * string.  Returns SL_ERR_NOMEM when the buffer cannot grow. */
sl_status sl_model_params_json(const sl_model_params *p, sl_strbuf *out);

/* Frees every key and value; the list is empty afterwards. */
void sl_model_params_free(sl_model_params *p);

#endif /* SLUICE_MODEL_PARAMS_H */
