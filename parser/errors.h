/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.h - the caret display of SQL errors.
 *
 * A SQL error shows where it happened:
 *
 *   q.sql:3:14: error: expected ")" near "FROM"
 *   SELECT count(* FROM payments
 *                  ^
 *
 * The second line is the source line as written (tabs and all); the
 * third puts the caret under the column, reusing the line's tabs so that
 * it lines up whatever the terminal's tab width.
 */
#ifndef SLUICE_PARSER_ERRORS_H
#define SLUICE_PARSER_ERRORS_H

#include <stddef.h>

#include "engine/common/error.h"
#include "engine/types/strbuf.h"

/* Appends err in the conventions' form to out: the sl_error_format line,
 * and, for an error with a SQL location whose line exists in text (len
 * bytes, the original script), the source line and a caret line.  Every
 * line ends in a newline.  Returns SL_OK or SL_ERR_NOMEM. */
sl_status sl_parse_render_error(const sl_error *err, const char *text,
                                size_t len, sl_strbuf *out);

#endif /* SLUICE_PARSER_ERRORS_H */
