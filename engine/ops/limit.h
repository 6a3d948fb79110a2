/* SPDX-License-Identifier: Apache-2.0 */
/*
 * limit.h - LIMIT n of a transient push query: the first n live rows go
 * through, then the operator asks its task to finish.
 */
#ifndef SLUICE_OPS_LIMIT_H
#define SLUICE_OPS_LIMIT_H

#include <stdint.h>

#include "engine/ops/op.h"

/* A limit of count rows (count >= 0). */
sl_status sl_limit_new(int64_t count, sl_op **out, sl_error *err);

#endif /* SLUICE_OPS_LIMIT_H */
