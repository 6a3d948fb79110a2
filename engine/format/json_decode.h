/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_decode.h - JSON record values into rows of a record batch.
 *
 * The decoder is schema-directed and reads each record in one pass, with
 * no document tree: every field name is hashed as it is scanned and looked
 * up in a table built once per schema, a declared field is converted
 * straight into its batch cell, and anything else is skipped (but still
 * checked to be well-formed JSON).  Rules, as in the conventions:
 *
 *   - The value must be one well-formed JSON object, optionally surrounded
 *     by blanks.  Anything else fails with reason "decode" and a message
 *     saying what was found where: `expected "," or "}" at byte 17, found
 *     "x"` (byte offsets count from 0).
 *   - A missing field or JSON null is NULL, unless the column is NOT NULL
 *     (reason "not_null").
 *   - Every declared field that is present converts to its type, needed by
 *     the query or not (reason "type", the message naming the column, the
 *     value and the type).  When a record is both malformed and mistyped,
 *     "decode" wins; of several type errors, the first in the text wins.
 *   - Conversions: integers are exact to 64 bits (INT out of its 32-bit
 *     range fails); a number with a fraction or exponent converts to an
 *     integer only when its value is integral (2.0, 1e3).  DOUBLE is
 *     correctly rounded, DECIMAL exact, rounded half away from zero to its
 *     scale.  TIMESTAMP from a string per the column's timestamp_format,
 *     or from a number of epoch milliseconds (seconds for epoch_s).  DATE
 *     from "YYYY-MM-DD", BYTES from base64, INTERVAL from a number of
 *     milliseconds.  A JSON string converts to any scalar type by the
 *     text rules of the CSV codec ("42" is a valid INT, "NaN" a DOUBLE,
 *     "true" a BOOLEAN).  VARCHAR takes only JSON strings.  STRUCT from an
 *     object (fields by name, ignoring case unless two fields differ only
 *     in case; missing ones NULL), MAP from an object, ARRAY from an array,
 *     recursively.
 *   - Strings: every escape, \uXXXX with surrogate pairs to UTF-8; lone
 *     surrogates, unescaped control characters and invalid UTF-8 fail with
 *     "decode".
 *   - A field that appears twice takes its last value; both are checked.
 *   - The record key fills the key column when the value lacks that field
 *     or holds null there (see schema.h); see record.h for the row
 *     metadata and for failed rows.
 *
 * Strings are copied into the batch arena by default.  With borrow_strings,
 * a string without escapes points into the record value instead, which
 * saves the copy but requires the caller to keep every message of the
 * batch alive until the batch is reset.
 */
#ifndef SLUICE_FORMAT_JSON_DECODE_H
#define SLUICE_FORMAT_JSON_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/format/record.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/value.h"

typedef struct sl_json_decoder sl_json_decoder;

typedef struct sl_json_options {
  bool borrow_strings; /* point unescaped strings into the message */
} sl_json_options;

/* Compiles schema (which must outlive the decoder, unchanged) for
 * decoding; opts may be NULL for the defaults.  Returns NULL with err set
 * when out of memory. */
sl_json_decoder *sl_json_decoder_new(const sl_record_schema *schema,
                                     const sl_json_options *opts,
                                     sl_error *err);

void sl_json_decoder_free(sl_json_decoder *dec);

/* Decodes msg into a new row of batch, whose first columns are the
 * schema's (batch->ncols >= schema->ncols).  *row (if not NULL) gets the
 * row index.  Returns SL_OK; SL_ERR_RECORD when the record failed (the
 * row is appended in the error state and err holds the record error);
 * SL_ERR_NOMEM; or SL_ERR_INTERNAL when the batch is full.  A decoder is
 * used by one thread at a time. */
sl_status sl_json_decode(sl_json_decoder *dec, const sl_record_msg *msg,
                         sl_batch *batch, int *row, sl_error *err);

/* Reads only the event time of msg (the schema's event_time_col) into
 * *out, converting that field as sl_json_decode does and skipping the
 * others: what ordering records by event time needs before decoding
 * them.  Returns false when the schema has no event-time column, or the
 * value holds no valid one (the field missing, null or of the wrong
 * type, the JSON malformed), where sl_json_decode would take the record
 * key or fail the record.  Scratch memory comes from arena.  Used
 * between decodes, by the decoder's thread. */
bool sl_json_event_time(sl_json_decoder *dec, const sl_record_msg *msg,
                        sl_arena *arena, int64_t *out);

/* Converts only the record key of msg to the key column's type, by the
 * schema's key format, into *out (memory from arena): what a table needs
 * for a tombstone, which has a key and no value.  *out is NULL when the
 * schema has no key column or the record no key.  Returns SL_OK,
 * SL_ERR_RECORD (err names the record key) or SL_ERR_NOMEM. */
sl_status sl_json_decode_key(sl_json_decoder *dec, const sl_record_msg *msg,
                             sl_arena *arena, sl_value *out, sl_error *err);

/* Parses text as one JSON value of type, for values outside records
 * (INSERT ... VALUES, tests).  The result lives in arena; JSON null gives
 * a NULL value.  Errors are record errors without a location (reason
 * decode or type).  Builds a plan on each call: not for hot paths. */
sl_status sl_json_parse_value(const sl_type *type, const char *text,
                              size_t len, sl_arena *arena, sl_value *out,
                              sl_error *err);

#endif /* SLUICE_FORMAT_JSON_DECODE_H */
