/* SPDX-License-Identifier: Apache-2.0 */
/*
 * repartition.h - rows re-keyed through an internal topic, so that a
 * stateful operator whose key is not its stream's record key still reads
 * every row of one key from one partition.
 *
 * The writer (this file's operator, a sink) takes the rows of a query's
 * stateless part, computes the operator's key from each, and produces
 * the row to partition murmur2(key bytes) % partitions of the topic
 * `_sluice-<service>-<query id>-repartition-<n>`, with the row's event
 * time as the record timestamp.  The reader is a source of format
 * SL_SOURCE_INTERNAL (source.h) that decodes the rows back.
 *
 * Watermarks travel in band.  Every record says which upstream
 * partitions its writer reads and the watermark the writer had before
 * it (over those partitions); whenever the writer's watermark advances
 * it sends a mark with the same two things to every partition of the
 * topic.  A reader partition therefore knows, per upstream partition,
 * how far the rows it has read are complete, and its watermark is the
 * minimum over all upstream partitions: no window closes before every
 * writer is past it.  A row keeps the watermark its writer judged it
 * against, so lateness is the same as without the topic.  In bounded
 * runs a writer whose partitions all ended sends END marks; a reader
 * partition is complete when every upstream partition ended.  When
 * every partition a writer reads went idle (the stream's idle_timeout),
 * it sends an IDLE mark listing them: a reader then leaves them out of
 * its minimum, as a source leaves out its own idle partitions, until a
 * row or mark of theirs arrives.  So a writer elsewhere whose stream
 * went quiet holds no window back, as one writer reading every
 * partition would not.
 *
 * Duplicates: the records carry their upstream partition and offset.
 * After a restart a writer produces again what followed its last
 * checkpoint; the reader drops a row whose offset is not above the last
 * one it applied for that upstream partition.
 *
 * Record layout (values as in rowcodec.h):
 *
 *   u8 kind (1 row, 2 mark, 3 idle mark) | varint upstream partition count |
 *   i64 watermark | varint n | varint upstream partition x n |
 *   row only: varint upstream partition | varint upstream offset |
 *             i64 event time | i64 record timestamp | column values
 *
 * The key is the rowcodec form of the key values.
 */
#ifndef SLUICE_OPS_REPARTITION_H
#define SLUICE_OPS_REPARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/expr/expr.h"
#include "engine/ops/op.h"
#include "engine/ops/rowcodec.h"
#include "parser/bound.h"

#define SL_REPART_ROW 1
#define SL_REPART_MARK 2
#define SL_REPART_IDLE 3

/* Upstream partitions a record may list (the writer's share). */
#define SL_REPART_MAX_UPSTREAM 4096

/* A decoded record header. */
typedef struct sl_repart_header {
  int kind;                /* SL_REPART_ROW or SL_REPART_MARK */
  int upstream;            /* upstream partition count */
  int64_t watermark;       /* the writer's, before the row */
  int nlist;
  int32_t list[SL_REPART_MAX_UPSTREAM]; /* the writer's partitions */
  /* Rows only. */
  int32_t partition;       /* upstream partition of the row */
  int64_t offset;          /* its offset there */
  int64_t event_time;
  int64_t timestamp;
} sl_repart_header;

/* Reads the header of a record into h; rd is then at the row's values.
 * Returns false for a malformed record. */
bool sl_repart_read_header(sl_rowcodec_reader *rd, sl_repart_header *h);

/* Kafka's default partitioner: murmur2 of the key bytes, sign bit
 * cleared, modulo partitions. */
int32_t sl_repart_partition(const void *key, size_t len, int partitions);

typedef struct sl_repart_sink_spec {
  const char *topic;          /* the internal topic (copied) */
  int partitions;             /* its partition count */
  int upstream;               /* partitions of the upstream topic */
  int nkeys;
  sl_bexpr *const *keys;      /* over the input; outlive the sink */
  int ncols;                  /* input columns, all written */
} sl_repart_sink_spec;

/* Creates the writer.  It produces through the task's output (ctx) and
 * lists the partitions of upstream (set with sl_repart_sink_set_source
 * before the task opens). */
sl_status sl_repart_sink_new(const sl_repart_sink_spec *spec,
                             const sl_expr_options *opts, sl_op **out,
                             sl_error *err);

/* The source whose assigned partitions the writer's records list. */
void sl_repart_sink_set_source(sl_op *sink, sl_op *source);

/* Sends an IDLE mark to every partition of the topic when the writer's
 * source went idle since the last call (unbounded runs call it at their
 * ticks, after the sources'). */
sl_status sl_repart_sink_tick(sl_op *sink, sl_error *err);

#endif /* SLUICE_OPS_REPARTITION_H */
