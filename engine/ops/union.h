/* SPDX-License-Identifier: Apache-2.0 */
/*
 * union.h - UNION ALL: the batches of every input, unchanged, in the
 * order they arrive.
 *
 * The inputs have the same column types (the binder checked), so batches
 * pass through without a copy.  The watermark is the minimum over the
 * inputs, which the contract's port bookkeeping computes.
 */
#ifndef SLUICE_OPS_UNION_H
#define SLUICE_OPS_UNION_H

#include "engine/ops/op.h"

/* A union of ninputs inputs (ports 0 .. ninputs-1). */
sl_status sl_union_new(int ninputs, sl_op **out, sl_error *err);

#endif /* SLUICE_OPS_UNION_H */
