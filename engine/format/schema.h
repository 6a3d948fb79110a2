/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.h - what a stream's records look like, as the codecs see it.
 *
 * A record schema lists the declared columns of a stream in order (name,
 * type, NOT NULL, and whether the name was quoted in SQL), says which of
 * them the query needs, which column carries event time and how its text
 * is read (timestamp_format), and which column is the record key and how
 * the key bytes are encoded.  The JSON and CSV codecs compile a schema
 * once into their own lookup tables; the schema itself stays a plain
 * description that the planner fills from the catalog.
 *
 * Name matching: an unquoted column matches a JSON field whose name is
 * equal ignoring ASCII case; a quoted column matches only the exact name.
 * When a field name could match both a quoted and an unquoted column, the
 * quoted (exact) one wins.
 *
 * Projection: a column that is not needed is still converted and checked
 * (the schema is a contract), but its value is not materialized: decoders
 * leave it NULL in the batch and allocate nothing for it.
 *
 * Row layout: a decoded row has the declared columns first, in order,
 * followed by the three system columns ROWTIME (TIMESTAMP, the Kafka
 * record timestamp), ROWPARTITION (INT) and ROWOFFSET (BIGINT); see
 * sl_record_schema_width.
 */
#ifndef SLUICE_FORMAT_SCHEMA_H
#define SLUICE_FORMAT_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/time.h"
#include "engine/types/types.h"

/* The system columns that follow the declared ones in every row. */
enum {
  SL_RECORD_SYS_ROWTIME = 0,
  SL_RECORD_SYS_ROWPARTITION,
  SL_RECORD_SYS_ROWOFFSET,
  SL_RECORD_SYS_COUNT
};

/* How the bytes of a Kafka record key are read. */
typedef enum sl_record_key_format {
  SL_RECORD_KEY_NONE = 0, /* the key is ignored */
  SL_RECORD_KEY_STRING,   /* the key bytes are the text of the value */
  SL_RECORD_KEY_JSON      /* the key bytes are one JSON value */
} sl_record_key_format;

typedef struct sl_record_column {
  char *name;         /* owned; as stored by the catalog */
  sl_type *type;      /* owned */
  bool not_null;      /* NOT NULL: a missing field or null fails */
  bool quoted;        /* matched exactly instead of ignoring case */
  bool needed;        /* materialized by decoders (default true) */
  sl_time_spec time;  /* TIMESTAMP columns: how text is read */
} sl_record_column;

typedef struct sl_record_schema {
  int ncols;
  int cap;
  sl_record_column *cols;
  int event_time_col;  /* -1 when event time is the Kafka timestamp */
  int key_col;         /* -1 when no column is the key */
  sl_record_key_format key_format;
  char *time_pattern;  /* owned text behind a SL_TIME_PATTERN spec */
} sl_record_schema;

/* A new empty schema, or NULL when out of memory.  Free it with
 * sl_record_schema_free. */
sl_record_schema *sl_record_schema_new(void);

void sl_record_schema_free(sl_record_schema *schema);

/* Appends a column.  The name is copied; the schema takes ownership of
 * type (also on failure, when it is freed).  A name equal to an existing
 * column's (ignoring case when both are unquoted) is SL_ERR_SQL.  The new
 * column is needed and reads timestamps as ISO 8601.  Returns its index
 * or -1 on failure with err set. */
int sl_record_schema_add(sl_record_schema *schema, const char *name,
                         bool quoted, sl_type *type, bool not_null,
                         sl_error *err);

/* Marks every column as needed (true) or not needed (false). */
void sl_record_schema_need_all(sl_record_schema *schema, bool needed);

/* Marks column col as needed or not. */
void sl_record_schema_need(sl_record_schema *schema, int col, bool needed);

/* Makes col the event-time column, its text read with timestamp_format
 * (NULL for the default, iso8601; the text is copied).  The column must
 * be TIMESTAMP, or BIGINT holding epoch milliseconds (then only the
 * default or epoch_ms is allowed).  Any column that carried event time
 * before reads ISO 8601 again.  SL_ERR_SQL for a wrong column type or a
 * bad format. */
sl_status sl_record_schema_set_event_time(sl_record_schema *schema, int col,
                                          const char *timestamp_format,
                                          sl_error *err);

/* Makes col (or -1 for none) the key column, with the key bytes read as
 * format.  When a record has a key and its value lacks that field (or
 * holds null there), the key provides the column's value; on output, the
 * column's value becomes the record key. */
void sl_record_schema_set_key(sl_record_schema *schema, int col,
                              sl_record_key_format format);

/* The index of the column a field name selects (by the matching rules
 * above), or -1.  A linear scan, for planning; decoders use their own
 * hashed tables. */
int sl_record_schema_find(const sl_record_schema *schema, const char *name,
                          size_t len);

/* The number of values in a decoded row: the declared columns plus the
 * system columns.  The system column k is at ncols + k. */
static inline int sl_record_schema_width(const sl_record_schema *schema) {
  return schema->ncols + SL_RECORD_SYS_COUNT;
}

/* The name ("ROWTIME", ...) and type of system column k. */
const char *sl_record_sys_name(int k);
sl_type *sl_record_sys_type(int k);

/* Reads a key format option ("string"/"kafka", "json", "none"); false for
 * anything else. */
bool sl_record_key_format_parse(const char *text,
                                sl_record_key_format *out);

#endif /* SLUICE_FORMAT_SCHEMA_H */
