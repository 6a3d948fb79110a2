/* SPDX-License-Identifier: Apache-2.0 */
/*
 * matrix.h - the dense feature matrix every model reads.
 *
 * Rows are examples, columns the expanded model inputs (a ONE_HOT input
 * takes one column per category).  Values are floats, row-major, because
 * that is what XGBoost's dense interfaces read; a missing value is NaN.
 * The matrix owns its memory and keeps it across resizes, so a caller that
 * predicts batch after batch allocates only when a batch is larger than
 * any before it.
 */
#ifndef SLUICE_MODEL_MATRIX_H
#define SLUICE_MODEL_MATRIX_H

#include <stddef.h>

#include "engine/common/error.h"

typedef struct sl_model_matrix {
  float *data;  /* rows * cols floats; NULL while empty */
  size_t rows;
  size_t cols;
  size_t cap;   /* floats allocated */
} sl_model_matrix;

#define SL_MODEL_MATRIX_INIT {NULL, 0, 0, 0}

/* An empty matrix that owns no memory yet. */
void sl_model_matrix_init(sl_model_matrix *m);

/* Makes the matrix rows x cols.  Memory is reused when it is big enough;
 * the contents are unspecified afterwards.  Returns SL_ERR_NOMEM (the
 * matrix unchanged) when the allocation fails or the size overflows. */
sl_status sl_model_matrix_resize(sl_model_matrix *m, size_t rows,
                                 size_t cols, sl_error *err);

/* The first value of row r. */
static inline float *sl_model_matrix_row(const sl_model_matrix *m,
                                         size_t r) {
  return m->data + r * m->cols;
}

/* Releases the memory; the matrix is empty and may be used again. */
void sl_model_matrix_free(sl_model_matrix *m);

#endif /* SLUICE_MODEL_MATRIX_H */
