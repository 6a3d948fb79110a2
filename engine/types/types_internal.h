/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types_internal.h - helpers shared by the files of engine/types only.
 *
 * Value errors are record errors without a location: the operator that
 * evaluates a record knows its topic, partition and offset and adds them.
 */
#ifndef SLUICE_TYPES_INTERNAL_H
#define SLUICE_TYPES_INTERNAL_H

#include <stddef.h>

#include "engine/common/error.h"

/* Longest piece of input text quoted in an error message. */
#define SL_TYPES_QUOTE_MAX 64

/* Sets err to SL_ERR_RECORD with reason and a formatted message, leaving
 * the location empty.  Returns SL_ERR_RECORD. */
sl_status sl_types_fail(sl_error *err, const char *reason, const char *fmt,
                        ...) SL_PRINTF(3, 4);

/* Writes s (len bytes) double-quoted into buf for a message, cut after
 * SL_TYPES_QUOTE_MAX bytes with "..." and with control bytes shown as
 * '?'.  buf needs SL_TYPES_QUOTE_MAX + 8 bytes; returns buf. */
char *sl_types_quote(char *buf, const char *s, size_t len);

#endif /* SLUICE_TYPES_INTERNAL_H */
