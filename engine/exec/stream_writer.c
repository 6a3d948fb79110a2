/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream_writer.c - rows to records of a stream's topic.
 */
#include "engine/exec/stream_writer.h"

#include <stdlib.h>
#include <string.h>

#include "engine/format/csv_record.h"
#include "engine/format/json_encode.h"
#include "engine/format/record.h"
#include "engine/plan/plan.h"
#include "engine/types/strbuf.h"
#include "engine/types/time.h"

/* Flushing waits this long for acknowledgements before failing. */
#define WRITER_FLUSH_TIMEOUT_MS 60000

/* The event-time column is written the way the stream reads it: with
 * timestamp_format epoch_ms a number of milliseconds, epoch_s a number of
 * seconds, a pattern its text, iso8601 the conventions' form. */
typedef struct event_time_out {
  int column;          /* -1: written as any other column */
  sl_time_spec spec;
  sl_strbuf text;      /* pattern output */
} event_time_out;

struct sl_stream_writer {
  const sl_catalog_object *stream;
  const char *topic;
  sl_kafka_producer *producer;
  sl_record_schema *schema;
  sl_json_encoder *json;   /* one of json and csv */
  sl_csvrec_encoder *csv;
  sl_strbuf key;
  sl_strbuf value;
  event_time_out event_time;
  sl_value *scratch;   /* a row with the event time rewritten */
  long long count;
};

static const sl_type *event_time_type(const sl_time_spec *spec) {
  switch (spec->kind) {
  case SL_TIME_EPOCH_MS:
    return sl_type_bigint();
  case SL_TIME_EPOCH_S:
    return sl_type_double();
  case SL_TIME_PATTERN:
    return sl_type_varchar();
  case SL_TIME_ISO8601:
    break;
  }
  return sl_type_timestamp();
}

static sl_status writer_event_time(sl_stream_writer *w, sl_error *err) {
  w->event_time.column = -1;
  sl_strbuf_init(&w->event_time.text);
  const sl_catalog_object *st = w->stream;
  if (st->timestamp_column < 0 || !st->timestamp_format ||
      st->columns[st->timestamp_column].type->kind != SL_TYPE_TIMESTAMP)
    return SL_OK;
  if (sl_time_spec_parse(st->timestamp_format, &w->event_time.spec, err))
    return err->code;
  if (w->event_time.spec.kind == SL_TIME_ISO8601)
    return SL_OK;
  w->event_time.column = st->timestamp_column;
  w->scratch = calloc((size_t)st->ncolumns, sizeof(*w->scratch));
  if (!w->scratch)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  return SL_OK;
}

/* The row to encode: row itself, or a copy whose event time is in the
 * stream's timestamp_format. */
static const sl_value *writer_row(sl_stream_writer *w, const sl_value *row) {
  event_time_out *et = &w->event_time;
  if (et->column < 0 || sl_value_is_null(&row[et->column]))
    return row;
  memcpy(w->scratch, row, (size_t)w->stream->ncolumns * sizeof(*row));
  int64_t ms = row[et->column].u.i64;
  switch (et->spec.kind) {
  case SL_TIME_EPOCH_MS:
    w->scratch[et->column] = sl_value_bigint(ms);
    break;
  case SL_TIME_EPOCH_S:
    w->scratch[et->column] = sl_value_double((double)ms / 1000.0);
    break;
  case SL_TIME_PATTERN:
    sl_strbuf_reset(&et->text);
    sl_time_format_pattern(&et->text, et->spec.pattern, ms);
    w->scratch[et->column] =
        sl_value_varchar(et->text.data ? et->text.data : "", et->text.len);
    break;
  case SL_TIME_ISO8601:
    break;
  }
  return w->scratch;
}

sl_status sl_stream_writer_new(const sl_catalog_object *stream,
                               sl_kafka_producer *producer,
                               sl_stream_writer **out, sl_error *err) {
  *out = NULL;
  sl_stream_writer *w = calloc(1, sizeof(*w));
  if (!w)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  w->stream = stream;
  w->producer = producer;
  w->topic = sl_catalog_object_topic(stream);
  sl_strbuf_init(&w->key);
  sl_strbuf_init(&w->value);

  if (sl_plan_stream_schema(stream, &w->schema, err)) {
    sl_stream_writer_free(w);
    return err->code;
  }

  if (writer_event_time(w, err)) {
    sl_stream_writer_free(w);
    return err->code;
  }
  int ncols = w->schema->ncols;
  const char **names = calloc((size_t)ncols + 1, sizeof(*names));
  const sl_type **types = calloc((size_t)ncols + 1, sizeof(*types));
  if (!names || !types) {
    free(names);
    free(types);
    sl_stream_writer_free(w);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < ncols; i++) {
    names[i] = w->schema->cols[i].name;
    types[i] = w->schema->cols[i].type;
  }
  if (w->event_time.column >= 0)
    types[w->event_time.column] = event_time_type(&w->event_time.spec);

  const char *format = sl_catalog_object_option(stream, "format");
  if (format && strcmp(format, "csv") == 0) {
    const char *delim = sl_catalog_object_option(stream, "delimiter");
    char d = ',';
    if (!delim || sl_csvrec_delimiter_parse(delim, &d, err) == SL_OK)
      w->csv = sl_csvrec_encoder_new(ncols, types, d, err);
  } else {
    w->json = sl_json_encoder_new(ncols, names, types, err);
  }
  free(names);
  free(types);
  if (!w->csv && !w->json) {
    sl_stream_writer_free(w);
    return err->code ? err->code
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  *out = w;
  return SL_OK;
}

sl_status sl_stream_writer_write(sl_stream_writer *w, const sl_value *row,
                                 sl_error *err) {
  sl_strbuf_reset(&w->value);
  sl_strbuf_reset(&w->key);
  const sl_value *out = writer_row(w, row);
  sl_status rc = w->json ? sl_json_encode_row(w->json, out, &w->value)
                         : sl_csvrec_encode_row(w->csv, out, &w->value);
  bool has_key = false;
  if (rc == SL_OK && w->schema->key_col >= 0)
    rc = sl_record_encode_key(w->schema, &row[w->schema->key_col], &w->key,
                              &has_key);
  if (rc)
    return sl_error_set(err, rc, "cannot encode a record for stream %s",
                        w->stream->name);

  int64_t ts = 0;
  int tcol = w->schema->event_time_col;
  if (tcol >= 0 && !sl_value_is_null(&row[tcol]))
    ts = row[tcol].u.i64;

  sl_kafka_record rec = {
      .topic = w->topic,
      .partition = SL_KAFKA_PARTITION_ANY,
      .key = has_key ? w->key.data : NULL,
      .key_len = has_key ? w->key.len : 0,
      .value = w->value.data ? w->value.data : "",
      .value_len = w->value.len,
      .timestamp_ms = ts,
  };
  if (sl_kafka_produce(w->producer, &rec, err))
    return err->code;
  w->count++;
  return SL_OK;
}

sl_status sl_stream_writer_finish(sl_stream_writer *w, sl_error *err) {
  return sl_kafka_producer_flush(w->producer, WRITER_FLUSH_TIMEOUT_MS, err);
}

long long sl_stream_writer_count(const sl_stream_writer *w) {
  return w->count;
}

void sl_stream_writer_free(sl_stream_writer *w) {
  if (!w)
    return;
  sl_json_encoder_free(w->json);
  sl_csvrec_encoder_free(w->csv);
  sl_record_schema_free(w->schema);
  sl_strbuf_free(&w->key);
  sl_strbuf_free(&w->value);
  sl_strbuf_free(&w->event_time.text);
  free(w->scratch);
  free(w);
}
