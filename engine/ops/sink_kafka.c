/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_kafka.c - the Kafka sink operator (see sink_kafka.h).
 *
 * The encoders (the value's, and a composite key's) and two reusable
 * buffers are made once at open; a row is then gathered into a value
 * array, appended to the buffers and handed to the producer, which
 * copies it.
 */
#include "engine/ops/sink_kafka.h"

#include <stdlib.h>
#include <string.h>

#include "engine/format/csv_record.h"
#include "engine/format/json_encode.h"
#include "engine/ops/output.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"

typedef struct sink_op {
  sl_op base;
  char *topic;
  sl_source_format format;
  char delimiter;
  int ncols;
  int *cols;
  char **names;
  sl_type **types;
  int key_col;
  sl_record_key_format key_format;
  int nkeys;
  int *key_cols;
  int op_col;
  bool tombstones;
  sl_json_encoder *json;
  sl_json_encoder *key_json; /* several key columns: their JSON object */
  sl_value *key_row;         /* nkeys values */
  sl_csvrec_encoder *csv;
  sl_value *row;
  sl_strbuf value;
  sl_strbuf key;
} sink_op;

static sl_status sink_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  sink_op *s = (sink_op *)op;
  if (!ctx->output)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "the sink of %s has no producer", s->topic);
  s->row = calloc((size_t)s->ncols + 1, sizeof(*s->row));
  if (!s->row)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory opening sink");
  if (s->format == SL_SOURCE_CSV)
    s->csv = sl_csvrec_encoder_new(s->ncols, (const sl_type *const *)s->types,
                                s->delimiter, err);
  else
    s->json = sl_json_encoder_new(s->ncols, (const char *const *)s->names,
                                  (const sl_type *const *)s->types, err);
  if (!s->csv && !s->json)
    return err ? err->code : SL_ERR_NOMEM;
  if (s->nkeys > 1) {
    const char **names = calloc((size_t)s->nkeys, sizeof(*names));
    const sl_type **types = calloc((size_t)s->nkeys, sizeof(*types));
    s->key_row = calloc((size_t)s->nkeys, sizeof(*s->key_row));
    if (names && types && s->key_row) {
      for (int i = 0; i < s->nkeys; i++) {
        names[i] = s->names[s->key_cols[i]];
        types[i] = s->types[s->key_cols[i]];
      }
      s->key_json = sl_json_encoder_new(s->nkeys, names, types, err);
    }
    free(names);
    free(types);
    if (!s->key_json)
      return err && err->code ? err->code
                              : sl_error_set(err, SL_ERR_NOMEM,
                                             "out of memory opening sink");
  }
  return SL_OK;
}

/* The record key of the gathered row into s->key; false when none. */
static sl_status encode_key(sink_op *s, bool *has_key) {
  *has_key = false;
  if (s->key_json) {
    for (int i = 0; i < s->nkeys; i++)
      s->key_row[i] = s->row[s->key_cols[i]];
    *has_key = true;
    return sl_json_encode_row(s->key_json, s->key_row, &s->key);
  }
  if (s->key_col < 0 || s->key_format == SL_RECORD_KEY_NONE)
    return SL_OK;
  const sl_value *v = &s->row[s->key_col];
  if (v->kind == SL_TYPE_NULL)
    return SL_OK;
  *has_key = true;
  const sl_type *t = s->types[s->key_col];
  if (s->key_format == SL_RECORD_KEY_JSON)
    return sl_format_json(&s->key, v, t);
  if (v->kind == SL_TYPE_VARCHAR)
    return sl_strbuf_append(&s->key, v->u.str, v->len);
  return sl_format_text(&s->key, v, t);
}

static sl_status sink_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  (void)port;
  sink_op *s = (sink_op *)op;
  const sl_batch *b = in->batch;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    bool withdrawal = b->rows[r].withdrawal;
    if (withdrawal && !s->tombstones && s->op_col < 0)
      return sl_error_set(err, SL_ERR_INTERNAL, "a row withdrawing an "
                          "earlier one reached topic %s, whose records "
                          "cannot say so", s->topic);
    for (int c = 0; c < s->ncols; c++)
      s->row[c] = c == s->op_col ? sl_value_varchar(withdrawal ? "-" : "+",
                                                    1)
                                 : b->cols[s->cols[c]][r];
    sl_strbuf_reset(&s->value);
    sl_strbuf_reset(&s->key);
    bool has_key;
    bool tombstone = withdrawal && s->tombstones;
    sl_status rc = SL_OK;
    if (!tombstone)
      rc = s->json ? sl_json_encode_row(s->json, s->row, &s->value)
                   : sl_csvrec_encode_row(s->csv, s->row, &s->value);
    if (rc == SL_OK)
      rc = encode_key(s, &has_key);
    if (rc)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory encoding a "
                                             "record for %s", s->topic);
    if (tombstone && !has_key)
      continue;
    int64_t ts = b->rows[r].event_time;
    sl_kafka_record rec = {
        .topic = s->topic,
        .partition = SL_KAFKA_PARTITION_ANY,
        .key = has_key ? s->key.data : NULL,
        .key_len = has_key ? s->key.len : 0,
        .value = tombstone ? NULL : s->value.data ? s->value.data : "",
        .value_len = tombstone ? 0 : s->value.len,
        .timestamp_ms = ts > 0 ? ts : 0,
    };
    rc = sl_op_output_produce(op->ctx->output, &rec, err);
    if (rc)
      return rc;
  }
  return sl_op_emit(op, in, err);
}

static void sink_close(sl_op *op) {
  sink_op *s = (sink_op *)op;
  sl_json_encoder_free(s->json);
  sl_json_encoder_free(s->key_json);
  sl_csvrec_encoder_free(s->csv);
  s->json = NULL;
  s->key_json = NULL;
  s->csv = NULL;
  free(s->key_row);
  s->key_row = NULL;
  free(s->row);
  s->row = NULL;
  sl_strbuf_free(&s->value);
  sl_strbuf_free(&s->key);
}

static void sink_destroy(sl_op *op) {
  sink_op *s = (sink_op *)op;
  for (int c = 0; c < s->ncols; c++) {
    if (s->names)
      free(s->names[c]);
    if (s->types)
      sl_type_free(s->types[c]);
  }
  free(s->names);
  free(s->types);
  free(s->cols);
  free(s->key_cols);
  free(s->topic);
  free(s);
}

static const sl_op_class sink_class = {
    .name = "sink_kafka",
    .open = sink_open,
    .process = sink_process,
    .close = sink_close,
    .destroy = sink_destroy,
};

/* Creates a Kafka sink (see sink_kafka.h). */
sl_status sl_sink_kafka_new(const sl_sink_kafka_spec *spec, sl_op **out,
                            sl_error *err) {
  sink_op *s = calloc(1, sizeof(*s));
  if (!s)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating sink");
  sl_op_init(&s->base, &sink_class, 1, err);
  sl_strbuf_init(&s->value);
  sl_strbuf_init(&s->key);
  size_t n = (size_t)spec->ncols + 1;
  s->topic = strdup(spec->topic);
  s->cols = calloc(n, sizeof(*s->cols));
  s->names = calloc(n, sizeof(*s->names));
  s->types = calloc(n, sizeof(*s->types));
  bool ok = s->topic && s->cols && s->names && s->types;
  s->ncols = ok ? spec->ncols : 0;
  for (int c = 0; ok && c < spec->ncols; c++) {
    s->cols[c] = spec->cols[c];
    s->names[c] = strdup(spec->names[c]);
    s->types[c] = sl_type_clone(spec->types[c]);
    ok = s->names[c] && s->types[c];
  }
  if (!ok) {
    sink_destroy(&s->base);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating sink");
  }
  s->format = spec->format;
  s->delimiter = spec->delimiter;
  s->key_col = spec->key_col;
  s->key_format = spec->key_format;
  s->op_col = spec->op_col;
  s->tombstones = spec->tombstones;
  if (spec->nkeys > 0) {
    s->key_cols = calloc((size_t)spec->nkeys, sizeof(*s->key_cols));
    if (!s->key_cols) {
      sink_destroy(&s->base);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating sink");
    }
    memcpy(s->key_cols, spec->key_cols,
           (size_t)spec->nkeys * sizeof(*s->key_cols));
    s->nkeys = spec->nkeys;
  }
  *out = &s->base;
  return SL_OK;
}
