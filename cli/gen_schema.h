/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_schema.h - the --schema of `sluice gen records`: column names and
 * SQL types, as in a CREATE STREAM column list.
 *
 *   id BIGINT, amount DECIMAL(10,2), name VARCHAR NOT NULL,
 *   tags ARRAY<VARCHAR>, "Mixed Case" INT
 *
 * Columns are separated by commas outside parentheses and angle brackets;
 * each is a name (folded to lower case unless double-quoted) followed by
 * a type that the type parser reads (sl_type_from_sql) and optionally NOT
 * NULL.
 */
#ifndef SLUICE_CLI_GEN_SCHEMA_H
#define SLUICE_CLI_GEN_SCHEMA_H

#include <stdbool.h>

#include "engine/common/error.h"
#include "engine/types/types.h"

typedef struct sl_gen_column {
  char *name;
  sl_type *type;   /* owned */
  bool not_null;
} sl_gen_column;

typedef struct sl_gen_schema {
  int ncols;
  sl_gen_column *cols;
} sl_gen_schema;

/* Parses text into out (which it initializes).  On failure returns
 * SL_ERR_USAGE with a message naming the column and the problem, and out
 * is left empty. */
sl_status sl_gen_schema_parse(const char *text, sl_gen_schema *out,
                              sl_error *err);

/* The index of the column called name (compared ignoring case), or -1. */
int sl_gen_schema_find(const sl_gen_schema *s, const char *name);

/* Frees the columns; leaves s empty.  Accepts an empty schema. */
void sl_gen_schema_free(sl_gen_schema *s);

#endif
