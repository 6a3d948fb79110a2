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
#include "engine/types/strbuf.h"

/* Flushing waits this long for acknowledgements before failing. */
#define WRITER_FLUSH_TIMEOUT_MS 60000

struct sl_stream_writer {
  const sl_catalog_object *stream;
  const char *topic;
  sl_kafka_producer *producer;
  sl_record_schema *schema;
  sl_json_encoder *json;   /* one of json and csv */
  sl_csvrec_encoder *csv;
  sl_strbuf key;
  sl_strbuf value;
  long long count;
};

sl_status sl_stream_schema(const sl_catalog_object *stream,
                           sl_record_schema **out, sl_error *err) {
  sl_record_schema *schema = sl_record_schema_new();
  if (!schema)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");

  for (int i = 0; i < stream->ncolumns; i++) {
    const sl_catalog_column *c = &stream->columns[i];
    sl_type *type = sl_type_clone(c->type);
    /* The catalog keeps names as written after folding, so a name with
     * upper-case letters must have been quoted. */
    bool quoted = false;
    for (const char *p = c->name; *p; p++)
      quoted |= (*p >= 'A' && *p <= 'Z');
    if (!type ||
        sl_record_schema_add(schema, c->name, quoted, type, c->not_null,
                             err) < 0) {
      sl_record_schema_free(schema);
      return err->code ? err->code
                       : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
  }

  if (stream->timestamp_column >= 0 &&
      sl_record_schema_set_event_time(schema, stream->timestamp_column,
                                      stream->timestamp_format, err)) {
    sl_record_schema_free(schema);
    return err->code;
  }
  if (stream->key_column >= 0)
    sl_record_schema_set_key(schema, stream->key_column,
                             SL_RECORD_KEY_STRING);
  *out = schema;
  return SL_OK;
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
  w->topic = sl_catalog_object_option(stream, "topic");
  if (!w->topic)
    w->topic = stream->name;
  sl_strbuf_init(&w->key);
  sl_strbuf_init(&w->value);

  if (sl_stream_schema(stream, &w->schema, err)) {
    sl_stream_writer_free(w);
    return err->code;
  }

  const char *format = sl_catalog_object_option(stream, "format");
  if (format && strcmp(format, "csv") == 0) {
    const char *delim = sl_catalog_object_option(stream, "delimiter");
    char d = ',';
    if (delim && sl_csvrec_delimiter_parse(delim, &d, err)) {
      sl_stream_writer_free(w);
      return err->code;
    }
    w->csv = sl_csvrec_encoder_for_schema(w->schema, d, err);
  } else {
    w->json = sl_json_encoder_for_schema(w->schema, err);
  }
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
  sl_status rc = w->json ? sl_json_encode_row(w->json, row, &w->value)
                         : sl_csvrec_encode_row(w->csv, row, &w->value);
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
  free(w);
}
