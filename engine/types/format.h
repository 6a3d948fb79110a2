/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format.h - values rendered for output: the table/CSV text forms, CSV
 * fields and JSON.
 *
 * The text form (tables, CSV, casts to VARCHAR):
 *   BOOLEAN   true / false
 *   DOUBLE    the shortest of %.15g, %.16g, %.17g that reads back to the
 *             same double (subnormals try every precision from 1), so 0.1
 *             is "0.1", 3.0 is "3" and 1e300 is "1e+300", as PostgreSQL
 *             prints them; -0.0 is "-0"; Infinity, -Infinity, NaN
 *   DECIMAL   its digits with exactly its scale ("12.30")
 *   DATE      YYYY-MM-DD
 *   TIMESTAMP YYYY-MM-DD HH:MM:SS.mmm in UTC
 *   INTERVAL  [N days ]HH:MM:SS.mmm; a negative interval puts the sign on
 *             each part, as PostgreSQL does: -1 days -02:00:00.000 is
 *             minus 26 hours, -00:00:01.500 minus 1.5 s.  Days appear only
 *             when there is at least one; hours stay below 24.
 *   BYTES     base64 (RFC 4648, padded)
 *   VARCHAR   the string itself
 *   ARRAY, MAP, STRUCT  their JSON
 *   NULL      nothing (the caller chooses what a NULL looks like)
 *
 * JSON: TIMESTAMP "YYYY-MM-DDTHH:MM:SS.mmmZ", DATE "YYYY-MM-DD", DECIMAL
 * a number with its exact digits, DOUBLE its shortest number (non-finite
 * doubles, which JSON lacks, as the strings "NaN", "Infinity",
 * "-Infinity"), INTERVAL a number of milliseconds, BYTES a base64 string,
 * ARRAY an array, MAP and STRUCT objects (STRUCT keys are the field names
 * of the type; "f1", "f2", ... when no type is given), NULL null.
 * Strings escape '"', '\\' and control characters; valid UTF-8 passes
 * through and each invalid byte becomes U+FFFD.
 *
 * Every function appends to out and returns SL_OK or SL_ERR_NOMEM.  The
 * type argument may be NULL wherever the value's own kind suffices (it
 * is needed only for STRUCT field names).
 */
#ifndef SLUICE_FORMAT_H
#define SLUICE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/types/strbuf.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

/* Buffer sizes that hold any formatted scalar with its NUL. */
#define SL_FORMAT_DOUBLE_MAX 32
#define SL_FORMAT_TIME_MAX 40

/* Shortest round-trip form of d into buf; returns the length. */
size_t sl_format_double(double d, char *buf);

/* "YYYY-MM-DD HH:MM:SS.mmm" (iso = false) or "YYYY-MM-DDTHH:MM:SS.mmmZ"
 * (iso = true); returns the length.  Years beyond 9999 get more digits,
 * years before 0 a '-'. */
size_t sl_format_timestamp(int64_t ms, bool iso, char *buf);

/* "YYYY-MM-DD"; returns the length. */
size_t sl_format_date(int64_t days, char *buf);

/* "[N days ]HH:MM:SS.mmm" as described above; returns the length. */
size_t sl_format_interval(int64_t ms, char *buf);

/* Appends the base64 encoding of len bytes. */
sl_status sl_format_base64(sl_strbuf *out, const void *data, size_t len);

/* Decodes base64 (padded or not, no blanks) into dst, which must hold
 * len * 3 / 4 + 3 bytes.  Returns false on a malformed input. */
bool sl_format_base64_decode(const char *src, size_t len, void *dst,
                             size_t *dst_len);

/* Appends the text form of v. */
sl_status sl_format_text(sl_strbuf *out, const sl_value *v,
                         const sl_type *type);

/* Appends s as a CSV field: quoted (with '"' doubled) when it contains
 * the delimiter, '"', CR or LF, or when it is empty (so that an empty
 * string differs from NULL). */
sl_status sl_format_csv_string(sl_strbuf *out, const char *s, size_t len,
                               char delim);

/* Appends v as a CSV field: NULL is an empty field, anything else its
 * text form quoted as sl_format_csv_string does. */
sl_status sl_format_csv_field(sl_strbuf *out, const sl_value *v,
                              const sl_type *type, char delim);

/* True when len bytes of s are valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
bool sl_format_utf8_valid(const char *s, size_t len);

/* Appends s as a JSON string with its quotes. */
sl_status sl_format_json_string(sl_strbuf *out, const char *s, size_t len);

/* Appends v as one JSON value. */
sl_status sl_format_json(sl_strbuf *out, const sl_value *v,
                         const sl_type *type);

#endif /* SLUICE_FORMAT_H */
