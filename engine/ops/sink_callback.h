/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_callback.h - a sink that hands result rows to a function: how a
 * transient query's rows reach the caller that prints them.
 *
 * The function sees each batch once, synchronously; the live rows (state
 * SL_BATCH_ROW_SELECTED) are the results, their first ncols columns the
 * output columns in order.  Values are valid during the call only.  Rows
 * are delivered as soon as the function returns, so nothing is pending
 * for commits.
 */
#ifndef SLUICE_OPS_SINK_CALLBACK_H
#define SLUICE_OPS_SINK_CALLBACK_H

#include "engine/ops/op.h"
#include "engine/types/batch.h"

/* Receives result rows.  Anything but SL_OK stops the query with that
 * error. */
typedef sl_status (*sl_sink_rows_fn)(void *ud, const sl_batch *batch,
                                     int ncols, sl_error *err);

/* A callback sink of ncols columns.  fn is called from the task's thread
 * (several tasks may call it concurrently: the caller serializes). */
sl_status sl_sink_callback_new(int ncols, sl_sink_rows_fn fn, void *ud,
                               sl_op **out, sl_error *err);

#endif /* SLUICE_OPS_SINK_CALLBACK_H */
