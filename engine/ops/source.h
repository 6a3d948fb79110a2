/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.h - the Kafka source: records of one stream's topic into batches,
 * with event time and watermarks tracked per partition.
 *
 * The task owns the consumer (one per task, possibly reading several
 * topics) and hands each source the records of its topic with
 * sl_source_push.  The source decodes them with the stream's format (JSON
 * or CSV, validating every declared column whether the query reads it or
 * not), applies the stream's CHECKs, and emits a batch whose columns are
 * the scan's output columns in order: declared columns and the
 * pseudo-columns ROWTIME, ROWPARTITION and ROWOFFSET, as the planner
 * mapped them.  After the emit returns it routes the batch's failed rows
 * to the error policy, then pushes the watermark if it advanced.
 *
 * Watermarks: each partition's watermark is its highest event time so
 * far minus the declared out-of-orderness, advanced record by record in
 * arrival order.  The source's watermark is the minimum over the
 * partitions assigned to it (or expected, sl_source_expect) that still
 * hold it back: a partition at its bounded end
 * (sl_source_partition_done) or idle for the stream's idle_timeout
 * (sl_source_tick) does not; an idle partition rejoins with its next
 * record.  When every assigned partition is done the watermark
 * is SL_WATERMARK_END.  Each emitted batch carries, per row, the
 * watermark before that row.  With state per partition downstream
 * (sl_op_ctx.one_partition false), partitions newly assigned restart the
 * watermark from the minimum over those read now (the newcomers' own
 * progress): it may go back, but is pushed again only past what was
 * pushed before, so a partition moved here mid-run is judged by its own
 * progress, not by that of partitions read here all along.
 *
 * SL_SOURCE_INTERNAL reads a repartition topic (repartition.h): each
 * record is a row in the binary form its writer made, or a watermark
 * mark.  A partition's watermark is then the minimum, over the upstream
 * partitions, of what the records read so far say about them (not its
 * rows' event times); a row keeps the watermark its writer judged it
 * against (raised to the source's), and a row whose upstream offset is
 * not above the last one applied is a duplicate and skipped.  The
 * schema gives the columns' types only.
 *
 * Offsets: sl_source_positions gives, for every partition seen, the next
 * offset after the last record fully processed (decoded, emitted, errors
 * routed): what may be committed once outputs are acknowledged.
 */
#ifndef SLUICE_OPS_SOURCE_H
#define SLUICE_OPS_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/expr/expr.h"
#include "engine/format/schema.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/kafka.h"
#include "engine/ops/op.h"
#include "parser/bound.h"

typedef enum sl_source_format {
  SL_SOURCE_JSON = 0,
  SL_SOURCE_CSV,
  SL_SOURCE_INTERNAL   /* a repartition topic's rows (repartition.h) */
} sl_source_format;

typedef struct sl_source_spec {
  const char *topic;               /* copied */
  const sl_record_schema *schema;  /* declared columns, needed flags, event
                                      time and key; outlives the source */
  sl_source_format format;
  char delimiter;                  /* CSV; 0 for ',' */
  int ncols;                       /* output columns */
  const int *col_map;              /* per output column: the decoded
                                      column (declared index, or
                                      schema->ncols + SL_RECORD_SYS_*);
                                      copied */
  int64_t out_of_order_ms;
  int64_t idle_timeout_ms;         /* 0: partitions never go idle */
  const sl_bcheck *check;          /* the stream's CHECKs over the
                                      declared columns, or NULL; outlive
                                      the source */
  int capacity;                    /* rows per batch (0: 1024) */
} sl_source_spec;

/* Creates a source.  opts (may be NULL) compiles the CHECKs.  A record
 * is rejected (reason check) by the first CHECK, in declaration order,
 * that is FALSE for it, named in the message ("CHECK (qty >= 0)
 * failed"); a CHECK that is NULL passes, as in SQL. */
sl_status sl_source_new(const sl_source_spec *spec,
                        const sl_expr_options *opts, sl_op **out,
                        sl_error *err);

/* The topic the source reads. */
const char *sl_source_topic(const sl_op *src);

/* Decodes and emits msgs (all of this source's topic), in batches of at
 * most the source's capacity.  An error stops the query: a record under
 * errors='fail' (SL_ERR_RECORD naming it), or a failure downstream. */
sl_status sl_source_push(sl_op *src, const sl_kafka_msg *msgs, size_t n,
                         sl_error *err);

/* The event time of a record of the source's topic, before it is
 * pushed: what the decoder will give its row (the event-time column,
 * else the record timestamp), read without decoding the other columns
 * when the format allows.  For a task that orders the records of its
 * partitions by event time.  False when the record has none (it fails
 * to decode) or the source is not open.  Uses the source's decoder:
 * called between pushes, on the task's thread. */
bool sl_source_event_time(sl_op *src, const sl_kafka_msg *m, int64_t *out);

/* True when the partition has had no record for the idle timeout (and
 * none since). */
bool sl_source_partition_idle(const sl_op *src, int32_t partition);

/* Partitions were assigned (they hold the watermark from now on) or
 * revoked (forgotten, with their positions). */
sl_status sl_source_assign(sl_op *src, const int32_t *parts, int n,
                           bool assigned, sl_error *err);

/* Partitions this source's downstream state already holds rows of but
 * that are not assigned yet (a restarted stateful query whose previous
 * member still owns them until its session expires): each holds the
 * watermark back as an assigned partition with nothing read would, so
 * that no window closes without its rows, until it is assigned or
 * hold_ms have passed (checked by sl_source_tick).  Partitions already
 * known are left as they are; expected ones have no position. */
sl_status sl_source_expect(sl_op *src, const int32_t *parts, int n,
                           int64_t hold_ms, sl_error *err);

/* True when every partition the source reads that has not ended is idle
 * (and there is one). */
bool sl_source_idle(const sl_op *src);

/* The partitions expected and not assigned yet, up to cap of them into
 * out (may be NULL); returns how many there are. */
int sl_source_expected(const sl_op *src, int32_t *out, int cap);

/* An expected partition went to another task of the query, whose state
 * it feeds: it stops holding this source's watermark back. */
sl_status sl_source_unexpect(sl_op *src, int32_t partition, sl_error *err);

/* A partition reached its bounded end: it no longer holds the watermark.
 * When it was the last one, SL_WATERMARK_END goes downstream. */
sl_status sl_source_partition_done(sl_op *src, int32_t partition,
                                   sl_error *err);

/* Wall-clock tick (ms): partitions without records for the idle timeout
 * stop holding the watermark back; pushes the watermark if it
 * advanced. */
sl_status sl_source_tick(sl_op *src, int64_t now_ms, sl_error *err);

/* Writes up to cap positions (topic borrowed from the source; offset the
 * next to process) of the partitions that processed records; returns
 * how many there are. */
int sl_source_positions(const sl_op *src, sl_kafka_position *out, int cap);

/* The next offset to process of one partition (as sl_source_positions
 * gives it), or -1 when it processed nothing. */
int64_t sl_source_position(const sl_op *src, int32_t partition);

/* Writes up to cap partitions assigned to the source into out (may be
 * NULL); returns how many there are. */
int sl_source_assigned(const sl_op *src, int32_t *out, int cap);

/* SL_SOURCE_INTERNAL: writes up to cap partitions whose every upstream
 * partition ended (bounded runs) into out; returns how many there
 * are. */
int sl_source_complete(const sl_op *src, int32_t *out, int cap);

/* The source's current watermark. */
int64_t sl_source_watermark(const sl_op *src);

#endif /* SLUICE_OPS_SOURCE_H */
