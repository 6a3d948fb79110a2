/* SPDX-License-Identifier: Apache-2.0 */
/*
 * data.h - the training data builder.
 *
 * Training reads a training set row by row (from SQLite, in event-time
 * order) and hands each row's input values and label to
 * sl_model_data_add_row.  The builder keeps them compactly: numeric
 * inputs as doubles (NaN = missing), categorical ones as small integer
 * codes into a dictionary of the texts seen, labels as doubles (1 and 0
 * for a BOOLEAN label).  Rows whose label is NULL (an unlabelled row
 * whose label never arrived) are skipped and counted.  Statistics are not
 * computed here: training fits them on the training part of the rows only,
 * after the holdout split.
 */
#ifndef SLUICE_MODEL_DATA_H
#define SLUICE_MODEL_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/error.h"
#include "engine/model/transform.h"
#include "engine/types/value.h"

typedef struct sl_model_data sl_model_data;

/* A builder for rows of ndefs inputs and a label of type label_type:
 * BOOLEAN makes a classifier's data (positive = true), a numeric type a
 * regression's.  The definitions are copied.  Returns SL_ERR_SQL when an
 * input does not suit its transform (sl_model_transform_check), two
 * inputs share a name, or the label type is neither; *out is then NULL. */
sl_status sl_model_data_new(const sl_model_input_def *defs, int ndefs,
                            sl_type_kind label_type, sl_model_data **out,
                            sl_error *err);

/* Adds one row: features holds one value per input, in order.  Strings
 * are copied.  A NULL label (or a NaN numeric one) skips the row.
 * Returns SL_ERR_RUNTIME naming the input (or the label) when a value's
 * kind does not fit, SL_ERR_NOMEM when memory runs out; the builder is
 * unchanged then. */
sl_status sl_model_data_add_row(sl_model_data *d, const sl_value *features,
                                const sl_value *label, sl_error *err);

/* Rows kept (labelled). */
size_t sl_model_data_rows(const sl_model_data *d);

/* Rows skipped because their label was NULL. */
size_t sl_model_data_unlabelled(const sl_model_data *d);

/* True for a classifier's data (BOOLEAN label). */
bool sl_model_data_is_classification(const sl_model_data *d);

/* The rows held out of training for a fraction f (0 <= f < 1) of n rows:
 * the last floor(n * f) rows in the order given. */
size_t sl_model_holdout_size(size_t n, double fraction);

/* Frees the builder and every row it holds.  Accepts NULL. */
void sl_model_data_free(sl_model_data *d);

#endif /* SLUICE_MODEL_DATA_H */
