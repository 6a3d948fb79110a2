/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix.c - the dense float matrix models read (see matrix.h).
 */
#include "engine/model/matrix.h"

#include <stdint.h>
#include <stdlib.h>

void sl_model_matrix_init(sl_model_matrix *m) {
  m->data = NULL;
  m->rows = 0;
  m->cols = 0;
  m->cap = 0;
}

/* Grows the allocation only when the new shape needs more floats, so a
 * caller that alternates between batch sizes settles on one block. */
sl_status sl_model_matrix_resize(sl_model_matrix *m, size_t rows,
                                 size_t cols, sl_error *err) {
  if (cols && rows > SIZE_MAX / sizeof(float) / cols)
    return sl_error_set(err, SL_ERR_NOMEM,
                        "feature matrix of %zu x %zu is too large", rows,
                        cols);
  size_t need = rows * cols;
  if (need > m->cap) {
    float *data = realloc(m->data, need * sizeof(float));
    if (!data)
      return sl_error_set(err, SL_ERR_NOMEM,
                          "out of memory for a feature matrix of %zu x %zu",
                          rows, cols);
    m->data = data;
    m->cap = need;
  }
  m->rows = rows;
  m->cols = cols;
  return SL_OK;
}

void sl_model_matrix_free(sl_model_matrix *m) {
  free(m->data);
  sl_model_matrix_init(m);
}
