/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream_writer.h - producing rows into a stream's topic.
 *
 * INSERT ... VALUES and LOAD ... INTO a stream write rows that arrive in
 * the stream's declared column order.  The writer encodes them in the
 * stream's format (JSON or CSV), keys them by the stream's key column,
 * stamps them with the event-time column when the stream has one, and
 * produces them; sl_stream_writer_finish waits until the broker has
 * acknowledged every record.
 */
#ifndef SLUICE_EXEC_STREAM_WRITER_H
#define SLUICE_EXEC_STREAM_WRITER_H

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "engine/kafka/producer.h"
#include "engine/types/value.h"

typedef struct sl_stream_writer sl_stream_writer;

/* A writer for stream (which must outlive it) through producer. */
sl_status sl_stream_writer_new(const sl_catalog_object *stream,
                               sl_kafka_producer *producer,
                               sl_stream_writer **out, sl_error *err);

/* Encodes and produces one row of the stream's ncolumns values. */
sl_status sl_stream_writer_write(sl_stream_writer *w, const sl_value *row,
                                 sl_error *err);

/* Waits for every record written to be acknowledged. */
sl_status sl_stream_writer_finish(sl_stream_writer *w, sl_error *err);

/* Records written so far. */
long long sl_stream_writer_count(const sl_stream_writer *w);

void sl_stream_writer_free(sl_stream_writer *w);

#endif
