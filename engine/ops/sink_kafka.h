/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_kafka.h - the Kafka sink: rows encoded as records of a stream's
 * topic.
 *
 * Each live row becomes one record: its value the JSON object (or CSV
 * line) of the written columns, its key the key column's text (or JSON)
 * when the stream has key='col' (no key otherwise, or when the key is
 * NULL), its timestamp the row's event time, so that a stream built from
 * another keeps its records' times.  A table with several key columns
 * (a GROUP BY of several expressions, or a windowed aggregation's group
 * and window bounds) is keyed by the JSON object of them, in the
 * table's column order, whatever the value's format:
 * {"k":"a","window_start":"2024-01-01T00:00:30.000Z"}.
 *
 * A row that withdraws an earlier one (sl_batch_row.withdrawal, from a
 * SESSION window with EMIT CHANGES) becomes, for a table, a tombstone:
 * the row's key and no value, which removes exactly that row from the
 * table's changelog (and from its SQLite rows, table_follower.c); a
 * withdrawal without a key has nothing to remove and writes nothing.
 * For a stream, it is a record like any other whose op column is '-'
 * where an added row's is '+'.  Records go out through the task's
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
  int nkeys;                       /* with more than one: the key is the
                                      JSON object of these (key_col and
                                      key_format unused) */
  const int *key_cols;             /* nkeys written columns (copied) */
  int op_col;                      /* written column filled with '+' or
                                      '-' (cols[op_col] unused), or -1 */
  bool tombstones;                 /* withdrawals become tombstones */
} sl_sink_kafka_spec;

sl_status sl_sink_kafka_new(const sl_sink_kafka_spec *spec, sl_op **out,
                            sl_error *err);

#endif /* SLUICE_OPS_SINK_KAFKA_H */
