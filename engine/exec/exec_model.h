/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_model.h - what the other statement files need from exec_model.c:
 * PREDICT for the session's pull queries, and DESCRIBE / SHOW of models.
 * (CREATE MODEL and EVALUATE are declared in session_internal.h.)
 */
#ifndef SLUICE_EXEC_EXEC_MODEL_H
#define SLUICE_EXEC_EXEC_MODEL_H

#include "engine/exec/predict.h"
#include "engine/exec/session_internal.h"
#include "engine/expr/expr.h"

/* Makes a PREDICT provider for one query of the session (versions pinned
 * at its first PREDICT, logging as SET 'prediction.log' says) and puts it
 * into opts.  *out is freed with sl_predict_free after every expression
 * compiled with opts. */
sl_status exec_predict_open(sl_session *s, sl_expr_options *opts,
                            sl_predict **out, sl_error *err);

/* DESCRIBE of a model: its input columns (what PREDICT takes, in order),
 * its properties, every version (training set, rows, when and how long
 * it trained, parameters, metrics) and the features of the newest
 * version with their frozen statistics. */
sl_status exec_describe_model(sl_session *s, const exec_stmt *st,
                              sl_error *err);

/* SHOW MODELS: one row per model version (a model without versions has
 * one row without them). */
sl_status exec_show_models(sl_session *s, const exec_stmt *st,
                           sl_error *err);

#endif
