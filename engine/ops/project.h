/* SPDX-License-Identifier: Apache-2.0 */
/*
 * project.h - the SELECT list: one output column per expression.
 *
 * The output is a view of the input batch: it shares the input's row
 * metadata (so row states, errors and provenance flow through), its
 * columns are the expressions' result columns, and a column reference is
 * passed through without copying.  Strings and composites the
 * expressions build live in the input batch's arena.
 */
#ifndef SLUICE_OPS_PROJECT_H
#define SLUICE_OPS_PROJECT_H

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

/* A projection of nexprs expressions over the input's columns (the array
 * and the expressions must outlive the operator's open; opts may be NULL
 * and is copied). */
sl_status sl_project_new(int nexprs, sl_bexpr *const *exprs,
                         const sl_expr_options *opts, sl_op **out,
                         sl_error *err);

#endif /* SLUICE_OPS_PROJECT_H */
