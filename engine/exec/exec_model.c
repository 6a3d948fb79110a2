/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_model.c - CREATE MODEL training and EVALUATE.
 */
#include "engine/exec/session_internal.h"

sl_status exec_model_train(sl_session *s, const exec_stmt *st,
                           sl_catalog_outcome outcome, sl_error *err) {
  (void)s;
  (void)outcome;
  return exec_fail(st, err, "model training is not wired yet");
}

sl_status exec_evaluate(sl_session *s, const exec_stmt *st, sl_error *err) {
  (void)s;
  return exec_fail(st, err, "EVALUATE is not wired yet");
}
