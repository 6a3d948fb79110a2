/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.c - what the decoders share around a row: the compiled columns,
 * row metadata, the record key, NOT NULL, event time, and failed rows.
 */
#include "engine/format/record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/format/format_internal.h"
#include "engine/types/format.h"

/* Builds the per-column plans and flags. */
sl_status sl_fmt_cols_init(sl_fmt_cols *cols,
                           const sl_record_schema *schema, bool borrow,
                           sl_error *err) {
  memset(cols, 0, sizeof(*cols));
  cols->schema = schema;
  cols->borrow = borrow;
  sl_jwork_init(&cols->work);
  size_t n = schema->ncols ? (size_t)schema->ncols : 1;
  cols->plans = calloc(n, sizeof(*cols->plans));
  cols->store = calloc(n, sizeof(*cols->store));
  cols->seen = calloc(n, sizeof(*cols->seen));
  if (!cols->plans || !cols->store || !cols->seen)
    goto nomem;

  for (int c = 0; c < schema->ncols; c++) {
    const sl_record_column *col = &schema->cols[c];
    if (!sl_jplan_init(&cols->plans[c], col->type, &col->time))
      goto nomem;
    cols->ncols = c + 1;

    /* The event time goes to the row metadata, so its column is always
     * materialized. */
    cols->store[c] = col->needed || c == schema->event_time_col;
  }
  return SL_OK;

nomem:
  sl_fmt_cols_free(cols);
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory compiling a schema");
}

/* Frees the plans and per-record state. */
void sl_fmt_cols_free(sl_fmt_cols *cols) {
  for (int c = 0; c < cols->ncols; c++)
    sl_jplan_clear(&cols->plans[c]);
  free(cols->plans);
  free(cols->store);
  free(cols->seen);
  sl_jwork_free(&cols->work);
  memset(cols, 0, sizeof(*cols));
}

/* Appends the row and fills its metadata. */
int sl_fmt_row_begin(sl_fmt_cols *cols, sl_batch *batch,
                     const sl_record_msg *msg) {
  int row = sl_batch_append_row(batch);
  if (row < 0)
    return -1;

  sl_batch_row *meta = &batch->rows[row];
  meta->partition = msg->partition;
  meta->offset = msg->offset;
  meta->timestamp = msg->timestamp;
  meta->event_time = msg->timestamp;
  meta->key = msg->key;
  meta->key_len = (uint32_t)msg->key_len;
  meta->value = msg->value;
  meta->value_len = (uint32_t)msg->value_len;

  int n = cols->schema->ncols;
  if (batch->ncols >= n + SL_RECORD_SYS_COUNT) {
    batch->cols[n + SL_RECORD_SYS_ROWTIME][row] =
        sl_value_timestamp(msg->timestamp);
    batch->cols[n + SL_RECORD_SYS_ROWPARTITION][row] =
        sl_value_int(msg->partition);
    batch->cols[n + SL_RECORD_SYS_ROWOFFSET][row] =
        sl_value_bigint(msg->offset);
  }
  if (n)
    memset(cols->seen, SL_FMT_ABSENT, (size_t)n);
  return row;
}

/* Converts the key by the schema's key format. */
sl_status sl_fmt_key_value(sl_fmt_cols *cols, const sl_record_msg *msg,
                           sl_arena *arena, sl_value *out, bool *present,
                           sl_error *err) {
  const sl_record_schema *schema = cols->schema;
  int k = schema->key_col;
  *out = sl_fmt_value(SL_TYPE_NULL);
  *present = false;
  if (k < 0 || schema->key_format == SL_RECORD_KEY_NONE || !msg->key)
    return SL_OK;

  const sl_jplan *plan = &cols->plans[k];
  const char *key = msg->key;
  size_t len = msg->key_len;
  bool composite = plan->kind == SL_TYPE_ARRAY ||
                   plan->kind == SL_TYPE_MAP || plan->kind == SL_TYPE_STRUCT;
  if (schema->key_format == SL_RECORD_KEY_JSON || composite)
    return sl_fmt_json_value(plan, key, len, true, arena, &cols->work, msg,
                             "record key", out, present, err);

  char q[SL_FMT_QUOTE_BUF], tn[SL_FMT_TYPE_BUF];
  if (plan->kind == SL_TYPE_VARCHAR) {
    if (!sl_format_utf8_valid(key, len))
      return sl_fmt_fail(err, msg, "decode",
                         "record key: invalid UTF-8 in a string key");
    const char *text = key;
    if (!cols->borrow) {
      char *copy = sl_arena_alloc(arena, len ? len : 1);
      if (!copy)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      memcpy(copy, key, len);
      text = copy;
    }
    *out = sl_fmt_str(SL_TYPE_VARCHAR, text, len);
    *present = true;
    return SL_OK;
  }

  switch (sl_fmt_text_value(plan, key, len, true, arena, &cols->work, out)) {
  case SL_FMT_CONV_OK:
    *present = true;
    return SL_OK;
  case SL_FMT_CONV_NOMEM:
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  case SL_FMT_CONV_RANGE:
    *out = sl_fmt_value(SL_TYPE_NULL);
    return sl_fmt_fail(err, msg, "type",
                       "record key: %s is out of range for %s",
                       sl_fmt_quote(q, key, len),
                       sl_fmt_type_name(plan->type, tn));
  default:
    *out = sl_fmt_value(SL_TYPE_NULL);
    return sl_fmt_fail(err, msg, "type", "record key: cannot convert %s to %s",
                       sl_fmt_quote(q, key, len),
                       sl_fmt_type_name(plan->type, tn));
  }
}

/* Converts the record key into the key column's cell. */
static sl_status fill_from_key(sl_fmt_cols *cols, sl_batch *batch, int row,
                               const sl_record_msg *msg, sl_error *err) {
  int k = cols->schema->key_col;
  sl_value tmp;
  sl_value *cell = cols->store[k] ? &batch->cols[k][row] : &tmp;
  bool present;
  sl_status rc = sl_fmt_key_value(cols, msg, sl_batch_arena(batch), cell,
                                  &present, err);
  if (rc == SL_OK)
    cols->seen[k] = present ? SL_FMT_VALUE : SL_FMT_NULL;
  return rc;
}

/* Key fill, NOT NULL and event time, in that order. */
sl_status sl_fmt_row_finish(sl_fmt_cols *cols, sl_batch *batch, int row,
                            const sl_record_msg *msg, sl_error *err) {
  const sl_record_schema *schema = cols->schema;
  int k = schema->key_col;
  if (k >= 0 && schema->key_format != SL_RECORD_KEY_NONE && msg->key &&
      cols->seen[k] != SL_FMT_VALUE) {
    sl_status rc = fill_from_key(cols, batch, row, msg, err);
    if (rc)
      return rc;
  }

  for (int c = 0; c < schema->ncols; c++) {
    if (schema->cols[c].not_null && cols->seen[c] != SL_FMT_VALUE)
      return sl_fmt_fail(err, msg, "not_null",
                         "column %s is NOT NULL but %s",
                         schema->cols[c].name,
                         cols->seen[c] == SL_FMT_ABSENT
                             ? "the field is missing"
                             : "the value is null");
  }

  int e = schema->event_time_col;
  if (e >= 0) {
    if (cols->seen[e] != SL_FMT_VALUE)
      return sl_fmt_fail(err, msg, "not_null",
                         "column %s holds the event time but %s",
                         schema->cols[e].name,
                         cols->seen[e] == SL_FMT_ABSENT
                             ? "the field is missing"
                             : "the value is null");
    batch->rows[row].event_time = batch->cols[e][row].u.i64;
  }
  return SL_OK;
}

/* Copies a borrowed raw buffer into the arena; false when out of memory
 * (the pointer is then cleared). */
static bool keep_raw(sl_batch *batch, const void **p, uint32_t *len) {
  if (!*p)
    return true;
  void *copy = sl_arena_alloc(&batch->arena, *len ? *len : 1);
  if (!copy) {
    *p = NULL;
    *len = 0;
    return false;
  }
  memcpy(copy, *p, *len);
  *p = copy;
  return true;
}

/* Marks the row failed and keeps what the DLQ needs. */
sl_status sl_fmt_row_fail(sl_batch *batch, int row, const sl_error *err) {
  for (int c = 0; c < batch->ncols; c++)
    batch->cols[c][row].kind = SL_TYPE_NULL;

  /* The dead-letter record needs the raw bytes after the message is
   * gone. */
  sl_batch_row *meta = &batch->rows[row];
  bool kept = keep_raw(batch, &meta->key, &meta->key_len);
  kept = keep_raw(batch, &meta->value, &meta->value_len) && kept;
  if (sl_batch_set_error(batch, row, err) || !kept)
    return SL_ERR_NOMEM;
  return err->code;
}

/* The CHECK hook: fails a decoded row. */
sl_status sl_record_reject(sl_batch *batch, int row, const char *topic,
                           const char *reason, sl_error *err,
                           const char *fmt, ...) {
  sl_error local;
  sl_error *e = err ? err : &local;
  char text[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);

  const sl_batch_row *meta = &batch->rows[row];
  sl_error_set_record(e, topic, meta->partition, meta->offset, reason, "%s",
                      text);
  sl_status rc = sl_fmt_row_fail(batch, row, e);
  return rc == SL_ERR_NOMEM ? SL_ERR_NOMEM : SL_ERR_RECORD;
}

/* Writes the key of an output row. */
sl_status sl_record_encode_key(const sl_record_schema *schema,
                               const sl_value *v, sl_strbuf *out,
                               bool *has_key) {
  *has_key = false;
  int k = schema->key_col;
  if (k < 0 || schema->key_format == SL_RECORD_KEY_NONE || !v ||
      sl_value_is_null(v))
    return SL_OK;

  *has_key = true;
  const sl_type *type = schema->cols[k].type;
  if (schema->key_format == SL_RECORD_KEY_JSON)
    return sl_format_json(out, v, type);
  if (v->kind == SL_TYPE_VARCHAR)
    return sl_strbuf_append(out, v->u.str, v->len);
  return sl_format_text(out, v, type);
}
