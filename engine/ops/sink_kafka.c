/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_kafka.c - the Kafka sink operator (see sink_kafka.h).
 *
 * The encoders and two reusable buffers are made once at open; a row is
 * then gathered into a value array, appended to the buffers and handed
 * to the producer, which copies it.
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
  sl_json_encoder *json;
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
  return SL_OK;
}

/* The record key of the gathered row into s->key; false when none. */
static sl_status encode_key(sink_op *s, bool *has_key) {
  *has_key = false;
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
    for (int c = 0; c < s->ncols; c++)
      s->row[c] = b->cols[s->cols[c]][r];
    sl_strbuf_reset(&s->value);
    sl_strbuf_reset(&s->key);
    bool has_key;
    sl_status rc = s->json ? sl_json_encode_row(s->json, s->row, &s->value)
                           : sl_csvrec_encode_row(s->csv, s->row, &s->value);
    if (rc == SL_OK)
      rc = encode_key(s, &has_key);
    if (rc)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory encoding a "
                                             "record for %s", s->topic);
    int64_t ts = b->rows[r].event_time;
    sl_kafka_record rec = {
        .topic = s->topic,
        .partition = SL_KAFKA_PARTITION_ANY,
        .key = has_key ? s->key.data : NULL,
        .key_len = has_key ? s->key.len : 0,
        .value = s->value.data ? s->value.data : "",
        .value_len = s->value.len,
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
  sl_csvrec_encoder_free(s->csv);
  s->json = NULL;
  s->csv = NULL;
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
  *out = &s->base;
  return SL_OK;
}
