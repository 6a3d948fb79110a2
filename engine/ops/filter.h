/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter.h - WHERE and HAVING: drops the rows whose predicate is not TRUE.
 *
 * The predicate is compiled once when the operator opens.  Filtering
 * happens in place: rows are marked dropped in the batch, which then goes
 * downstream as it is (no copy).  Rows whose predicate fails to evaluate
 * (a division by zero) are marked failed and counted here.
 */
#ifndef SLUICE_OPS_FILTER_H
#define SLUICE_OPS_FILTER_H

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

/* A filter on predicate (a BOOLEAN expression over the input's columns,
 * which must outlive the operator's open; compiled with opts, which may
 * be NULL and is copied). */
sl_status sl_filter_new(const sl_bexpr *predicate,
                        const sl_expr_options *opts, sl_op **out,
                        sl_error *err);

#endif /* SLUICE_OPS_FILTER_H */
