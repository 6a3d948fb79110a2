/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_encode.h - rows to JSON record values.
 *
 * One row becomes one JSON object with a member per column, in column
 * order, written as the conventions say: TIMESTAMP as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", DATE as "YYYY-MM-DD", DECIMAL as a number
 * with its exact digits, DOUBLE in its shortest round-trip form, BYTES as
 * base64, ARRAY/MAP/STRUCT as JSON, NULL as null (see
 * engine/types/format.h).  The member names are escaped once, when the
 * encoder is built; encoding a row only appends.
 */
#ifndef SLUICE_FORMAT_JSON_ENCODE_H
#define SLUICE_FORMAT_JSON_ENCODE_H

#include "engine/common/error.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/strbuf.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

typedef struct sl_json_encoder sl_json_encoder;

/* An encoder for ncols columns with the given names and types (both
 * copied; a type may be NULL when values carry all that is needed, which
 * is everything except STRUCT field names).  Returns NULL with err set
 * when out of memory. */
sl_json_encoder *sl_json_encoder_new(int ncols, const char *const *names,
                                     const sl_type *const *types,
                                     sl_error *err);

/* An encoder for the declared columns of schema. */
sl_json_encoder *sl_json_encoder_for_schema(const sl_record_schema *schema,
                                            sl_error *err);

void sl_json_encoder_free(sl_json_encoder *enc);

/* Appends the object for values[0..ncols) to out.  Returns SL_OK or
 * SL_ERR_NOMEM. */
sl_status sl_json_encode_row(const sl_json_encoder *enc,
                             const sl_value *values, sl_strbuf *out);

/* Appends the object for row of batch, whose first ncols columns are the
 * encoder's. */
sl_status sl_json_encode_batch_row(const sl_json_encoder *enc,
                                   const sl_batch *batch, int row,
                                   sl_strbuf *out);

#endif /* SLUICE_FORMAT_JSON_ENCODE_H */
