/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_read.h - reads JSON text back into a value of a declared type.
 *
 * Composite columns (ARRAY, MAP, STRUCT) of lookup tables and training
 * sets are stored as the JSON that engine/types/format.h writes, and CSV
 * files carry them as JSON fields; this reader is the way back.  It is
 * schema-directed: the type says what each JSON value must be, so
 * TIMESTAMP accepts the ISO string format.h writes (or epoch
 * milliseconds), DATE "YYYY-MM-DD", BYTES base64, DECIMAL a number with
 * its exact digits, DOUBLE also "NaN"/"Infinity"/"-Infinity".  STRUCT
 * fields are matched by name (exactly, else ignoring ASCII case); missing
 * fields are NULL and unknown ones are skipped.  Internal to the catalog.
 */
#ifndef SLUICE_CATALOG_JSON_READ_H
#define SLUICE_CATALOG_JSON_READ_H

#include <stddef.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

/* Parses len bytes of text as one JSON value of type (surrounding blanks
 * allowed) into *out; strings and item arrays live in arena.  Fails with
 * SL_ERR_RECORD, reason "type", naming what was expected and the byte
 * offset. */
sl_status sl_catalog_json_read(const char *text, size_t len,
                               const sl_type *type, sl_arena *arena,
                               sl_value *out, sl_error *err);

#endif /* SLUICE_CATALOG_JSON_READ_H */
