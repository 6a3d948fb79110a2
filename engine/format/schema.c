/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.c - building and querying record schemas.
 */
#include "engine/format/schema.h"

#include <stdlib.h>
#include <string.h>

#include "engine/format/format_internal.h"

/* An empty schema without event time or key. */
sl_record_schema *sl_record_schema_new(void) {
  sl_record_schema *schema = calloc(1, sizeof(*schema));
  if (!schema)
    return NULL;
  schema->event_time_col = -1;
  schema->key_col = -1;
  return schema;
}

/* Frees the columns, their types and the schema. */
void sl_record_schema_free(sl_record_schema *schema) {
  if (!schema)
    return;
  for (int i = 0; i < schema->ncols; i++) {
    free(schema->cols[i].name);
    sl_type_free(schema->cols[i].type);
  }
  free(schema->cols);
  free(schema->time_pattern);
  free(schema);
}

/* True when a field or column called a (quoted or not) and one called b
 * would select each other. */
static bool names_clash(const char *a, bool aq, const char *b, bool bq) {
  if (aq || bq)
    return strcmp(a, b) == 0;
  size_t la = strlen(a);
  return la == strlen(b) && sl_fmt_ascii_casecmp(a, b, la) == 0;
}

/* Appends a column after checking its name. */
int sl_record_schema_add(sl_record_schema *schema, const char *name,
                         bool quoted, sl_type *type, bool not_null,
                         sl_error *err) {
  for (int i = 0; i < schema->ncols; i++) {
    const sl_record_column *c = &schema->cols[i];
    if (names_clash(c->name, c->quoted, name, quoted)) {
      sl_type_free(type);
      sl_error_set(err, SL_ERR_SQL, "duplicate column \"%s\"", name);
      return -1;
    }
  }

  if (schema->ncols == schema->cap) {
    int cap = schema->cap ? schema->cap * 2 : 8;
    sl_record_column *cols = realloc(schema->cols, (size_t)cap *
                                                       sizeof(*cols));
    if (!cols)
      goto nomem;
    schema->cols = cols;
    schema->cap = cap;
  }

  char *copy = strdup(name);
  if (!copy)
    goto nomem;
  sl_record_column *c = &schema->cols[schema->ncols];
  memset(c, 0, sizeof(*c));
  c->name = copy;
  c->type = type;
  c->not_null = not_null;
  c->quoted = quoted;
  c->needed = true;
  c->time.kind = SL_TIME_ISO8601;
  return schema->ncols++;

nomem:
  sl_type_free(type);
  sl_error_set(err, SL_ERR_NOMEM, "out of memory adding column \"%s\"",
               name);
  return -1;
}

/* Sets every column's projection flag. */
void sl_record_schema_need_all(sl_record_schema *schema, bool needed) {
  for (int i = 0; i < schema->ncols; i++)
    schema->cols[i].needed = needed;
}

/* Sets one column's projection flag. */
void sl_record_schema_need(sl_record_schema *schema, int col, bool needed) {
  if (col >= 0 && col < schema->ncols)
    schema->cols[col].needed = needed;
}

/* Checks the column and its format. */
sl_status sl_record_schema_set_event_time(sl_record_schema *schema, int col,
                                          const char *timestamp_format,
                                          sl_error *err) {
  if (col < 0 || col >= schema->ncols)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "event-time column %d out of range", col);
  sl_record_column *c = &schema->cols[col];
  if (c->type->kind != SL_TYPE_TIMESTAMP && c->type->kind != SL_TYPE_BIGINT)
    return sl_error_set(err, SL_ERR_SQL,
                        "event-time column \"%s\" must be TIMESTAMP or "
                        "BIGINT, not %s",
                        c->name, sl_type_kind_name(c->type->kind));

  /* The spec borrows its pattern text, so the schema keeps a copy. */
  char *pattern = NULL;
  sl_time_spec spec = {SL_TIME_ISO8601, NULL};
  if (timestamp_format) {
    pattern = strdup(timestamp_format);
    if (!pattern)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (sl_time_spec_parse(pattern, &spec, err)) {
      free(pattern);
      return err ? err->code : SL_ERR_SQL;
    }
  }

  /* A BIGINT holds epoch milliseconds; other formats need a TIMESTAMP. */
  if (c->type->kind == SL_TYPE_BIGINT && timestamp_format &&
      spec.kind != SL_TIME_EPOCH_MS) {
    free(pattern);
    return sl_error_set(err, SL_ERR_SQL,
                        "event-time column \"%s\" is BIGINT (epoch "
                        "milliseconds); timestamp_format '%s' needs a "
                        "TIMESTAMP column",
                        c->name, timestamp_format);
  }

  /* One column carries event time: the previous one reads ISO 8601
   * again. */
  if (schema->event_time_col >= 0) {
    sl_time_spec iso = {SL_TIME_ISO8601, NULL};
    schema->cols[schema->event_time_col].time = iso;
  }
  free(schema->time_pattern);
  schema->time_pattern = pattern;
  if (spec.kind == SL_TIME_PATTERN)
    spec.pattern = pattern;
  c->time = spec;
  schema->event_time_col = col;
  return SL_OK;
}

/* Records the key column and format. */
void sl_record_schema_set_key(sl_record_schema *schema, int col,
                              sl_record_key_format format) {
  schema->key_col = (col >= 0 && col < schema->ncols) ? col : -1;
  schema->key_format = schema->key_col >= 0 ? format : SL_RECORD_KEY_NONE;
}

/* Finds a column by the matching rules. */
int sl_record_schema_find(const sl_record_schema *schema, const char *name,
                          size_t len) {
  /* Exact matches on quoted columns first, so that they win. */
  for (int i = 0; i < schema->ncols; i++) {
    const sl_record_column *c = &schema->cols[i];
    if (c->quoted && strlen(c->name) == len && memcmp(c->name, name, len) == 0)
      return i;
  }
  for (int i = 0; i < schema->ncols; i++) {
    const sl_record_column *c = &schema->cols[i];
    if (!c->quoted && strlen(c->name) == len &&
        sl_fmt_ascii_casecmp(c->name, name, len) == 0)
      return i;
  }
  return -1;
}

/* The names of the system columns. */
const char *sl_record_sys_name(int k) {
  switch (k) {
  case SL_RECORD_SYS_ROWTIME: return "ROWTIME";
  case SL_RECORD_SYS_ROWPARTITION: return "ROWPARTITION";
  case SL_RECORD_SYS_ROWOFFSET: return "ROWOFFSET";
  default: return NULL;
  }
}

/* The types of the system columns. */
sl_type *sl_record_sys_type(int k) {
  switch (k) {
  case SL_RECORD_SYS_ROWTIME: return sl_type_timestamp();
  case SL_RECORD_SYS_ROWPARTITION: return sl_type_int();
  case SL_RECORD_SYS_ROWOFFSET: return sl_type_bigint();
  default: return NULL;
  }
}

/* Reads a key format name. */
bool sl_record_key_format_parse(const char *text,
                                sl_record_key_format *out) {
  static const struct {
    const char *name;
    sl_record_key_format format;
  } names[] = {{"none", SL_RECORD_KEY_NONE},
               {"string", SL_RECORD_KEY_STRING},
               {"kafka", SL_RECORD_KEY_STRING},
               {"json", SL_RECORD_KEY_JSON}};
  size_t len = strlen(text);
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strlen(names[i].name) == len &&
        sl_fmt_ascii_casecmp(names[i].name, text, len) == 0) {
      *out = names[i].format;
      return true;
    }
  }
  return false;
}
