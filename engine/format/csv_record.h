/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv_record.h - CSV record values to and from batch rows.
 *
 * One Kafka record is one CSV line holding the declared columns in order,
 * separated by the stream's `delimiter` (',' by default) and quoted as in
 * RFC 4180: a field in double quotes may hold the delimiter, CR, LF and
 * doubled quotes; an unquoted field may hold none of them.  One trailing
 * LF or CRLF is ignored.  A wrong number of fields or broken quoting fails
 * with reason "decode".
 *
 * Values: an empty unquoted field is NULL; a quoted empty field ("") is
 * the empty string.  Other fields convert by the text rules (blanks around
 * non-string values ignored): integers exactly, DOUBLE, DECIMAL, BOOLEAN
 * true/false, DATE YYYY-MM-DD, TIMESTAMP per the column's timestamp_format
 * (ISO 8601 accepts the "YYYY-MM-DD HH:MM:SS.mmm" of CSV output), INTERVAL,
 * BYTES as base64, ARRAY/MAP/STRUCT as JSON text.  A field that does not
 * convert fails with reason "type"; NOT NULL, the record key and event
 * time behave as for JSON (see record.h; the key fills an empty key
 * column).
 *
 * The encoder writes the same form, so decoding what it wrote gives the
 * values back: NULL as an empty field, the text forms of format.h, fields
 * quoted when they hold the delimiter, a quote, CR or LF, or are empty
 * strings.  No line terminator is added.
 */
#ifndef SLUICE_FORMAT_CSV_RECORD_H
#define SLUICE_FORMAT_CSV_RECORD_H

#include <stdbool.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/format/record.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/strbuf.h"
#include "engine/types/value.h"

typedef struct sl_csvrec_decoder sl_csvrec_decoder;
typedef struct sl_csvrec_encoder sl_csvrec_encoder;

typedef struct sl_csvrec_options {
  char delimiter;      /* 0 for ',' */
  bool borrow_strings; /* as for sl_json_options */
} sl_csvrec_options;

/* Reads a `delimiter` option: one character other than '"', CR and LF,
 * or "\t" / "tab".  SL_ERR_SQL naming the value otherwise. */
sl_status sl_csvrec_delimiter_parse(const char *text, char *out, sl_error *err);

/* Compiles schema (which must outlive the decoder) for decoding; opts may
 * be NULL.  Returns NULL with err set on a bad delimiter or when out of
 * memory. */
sl_csvrec_decoder *sl_csvrec_decoder_new(const sl_record_schema *schema,
                                   const sl_csvrec_options *opts,
                                   sl_error *err);

void sl_csvrec_decoder_free(sl_csvrec_decoder *dec);

/* Decodes msg into a new row of batch; results as for sl_json_decode. */
sl_status sl_csvrec_decode(sl_csvrec_decoder *dec, const sl_record_msg *msg,
                        sl_batch *batch, int *row, sl_error *err);

/* Reads only the event time of msg (the schema's event_time_col) into
 * *out, converting that field as sl_csvrec_decode does and splitting
 * the line only up to it.  False when the schema has no event-time
 * column or the line holds no valid one there (empty, not a timestamp,
 * malformed before it), where sl_csvrec_decode would take the record key
 * or fail the record.  Scratch memory comes from arena.  Used between
 * decodes, by the decoder's thread. */
bool sl_csvrec_event_time(sl_csvrec_decoder *dec, const sl_record_msg *msg,
                          sl_arena *arena, int64_t *out);

/* Converts only the record key, as sl_json_decode_key does. */
sl_status sl_csvrec_decode_key(sl_csvrec_decoder *dec, const sl_record_msg *msg,
                            sl_arena *arena, sl_value *out, sl_error *err);

/* An encoder for ncols columns of the given types (copied; entries may be
 * NULL) with delimiter (0 for ','). */
sl_csvrec_encoder *sl_csvrec_encoder_new(int ncols, const sl_type *const *types,
                                   char delimiter, sl_error *err);

/* An encoder for the declared columns of schema. */
sl_csvrec_encoder *sl_csvrec_encoder_for_schema(const sl_record_schema *schema,
                                          char delimiter, sl_error *err);

void sl_csvrec_encoder_free(sl_csvrec_encoder *enc);

/* Appends the line for values[0..ncols) (without a line terminator).
 * Returns SL_OK or SL_ERR_NOMEM. */
sl_status sl_csvrec_encode_row(const sl_csvrec_encoder *enc,
                            const sl_value *values, sl_strbuf *out);

/* Appends the line for row of batch, whose first ncols columns are the
 * encoder's. */
sl_status sl_csvrec_encode_batch_row(const sl_csvrec_encoder *enc,
                                  const sl_batch *batch, int row,
                                  sl_strbuf *out);

#endif /* SLUICE_FORMAT_CSV_RECORD_H */
