/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_kafka.h - the Kafka sink: rows encoded as records of a stream's
 * topic.
 *
 * Each live row becomes one record: its value the JSON object (or CSV
 * line) of the written columns, its key the key column's text (or JSON)
 * when the stream has key='col' (no key otherwise, or when the key is
 * NULL), its timestamp the row's event time, so that a stream built from
 * another keeps its records' times.  Records go out through the task's
 * output (output.h), whose tracked deliveries decide when source offsets
 * may be committed.  The topic itself is created before the query starts
 * (the runtime does that with the partitions and replicas the plan says).
 */
#ifndef SLUICE_OPS_SINK_KAFKA_H
#define SLUICE_OPS_SINK_KAFKA_H

#include "engine/format/schema.h"
#include "engine/ops/op.h"
#include "engine/ops/source.h"
#include "engine/types/types.h"

typedef struct sl_sink_kafka_spec {
  const char *topic;               /* copied */
  sl_source_format format;
  char delimiter;                  /* CSV; 0 for ',' */
  int ncols;                       /* columns written */
  const int *cols;                 /* per written column: the input column
                                      (copied) */
  const char *const *names;        /* per written column (copied) */
  const sl_type *const *types;     /* per written column (copied) */
  int key_col;                     /* index among the written columns of
                                      the key, or -1 */
  sl_record_key_format key_format; /* how the key is written */
} sl_sink_kafka_spec;

sl_status sl_sink_kafka_new(const sl_sink_kafka_spec *spec, sl_op **out,
                            sl_error *err);

#endif /* SLUICE_OPS_SINK_KAFKA_H */
