/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.h - the error router: where failed records go.
 *
 * Every stream read by a query has an error policy (its `errors` option):
 *
 *   fail  the query stops; the error names the record as
 *         "topic [partition] @ offset: reason: message"
 *   skip  the record is counted and logged at a limited rate
 *   dlq   the record's ORIGINAL key and value bytes are produced to the
 *         stream's dead-letter topic with the headers
 *         sluice.error.reason, sluice.error.message, sluice.source.topic,
 *         sluice.source.partition, sluice.source.offset, sluice.query.id
 *
 * A row without a single source topic (a result of a window, join or
 * OVER that failed downstream: topic NULL) follows the policy and the
 * dead-letter topic of the query's first source stream; having no
 * original bytes, its dead letter carries the row's values as a JSON
 * array in column order, and the sluice.source.* headers name that
 * stream's topic with the row's partition and offset.
 *
 * A row read from a repartition topic (sl_op_errors_set_origin) is
 * reported at its stream's topic, partition and offset, which its
 * internal record names, and its dead letter carries the original key
 * and value read back from the stream (engine/kafka/fetch.h); only when
 * that record is gone do the row's values stand in, as above.
 *
 * Late records (reason "late") are counted always and never stop a query:
 * with dlq they are dead-lettered, with skip or fail only logged.  No
 * record disappears without being counted: the router's counters say
 * how many were skipped, dead-lettered, late, and by which reason.
 *
 * One router belongs to one task and is used from its thread; dead
 * letters go out through the task's output (output.h), so they count
 * towards the deliveries that must be confirmed before offsets are
 * committed.
 */
#ifndef SLUICE_OPS_ERRORS_H
#define SLUICE_OPS_ERRORS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/common/log.h"
#include "engine/kafka/config.h"
#include "engine/ops/op.h"
#include "engine/types/batch.h"

typedef enum sl_error_policy {
  SL_POLICY_DLQ = 0,
  SL_POLICY_SKIP,
  SL_POLICY_FAIL
} sl_error_policy;

/* Reads "fail", "skip", "dlq"; false for anything else. */
bool sl_error_policy_parse(const char *text, sl_error_policy *out);
const char *sl_error_policy_name(sl_error_policy p);

/* Counters of a router. */
typedef struct sl_op_errors_stats {
  int64_t failed;        /* records routed, late ones included */
  int64_t skipped;
  int64_t dead_lettered;
  int64_t late;
  int64_t stopped;       /* records that stopped the query (0 or 1) */
} sl_op_errors_stats;

/* A new router for query_id (copied) that produces dead letters through
 * output (may be NULL when no stream uses dlq).  NULL when out of
 * memory. */
sl_op_errors *sl_op_errors_new(const char *query_id, sl_op_output *output);

void sl_op_errors_free(sl_op_errors *er);

/* Declares the policy of a source topic (copied) and its dead-letter
 * topic (copied; needed for dlq). */
sl_status sl_op_errors_add_source(sl_op_errors *er, const char *topic,
                                  sl_error_policy policy,
                                  const char *dlq_topic, sl_error *err);

/* Declares topic (added before) a repartition topic whose rows come
 * from stream topic origin (copied), on the cluster of kafka (borrowed:
 * it must outlive the router), which dead letters read originals from. */
sl_status sl_op_errors_set_origin(sl_op_errors *er, const char *topic,
                                  const char *origin,
                                  const sl_kafka_config *kafka,
                                  sl_error *err);

/* The policy of topic's failed rows (fail for a topic never added). */
sl_error_policy sl_op_errors_policy(const sl_op_errors *er,
                                    const char *topic);

/* Routes one failed row of batch from topic (its error and raw bytes are
 * in the row's metadata).  Returns SL_OK when the row was skipped or
 * dead-lettered; SL_ERR_RECORD (err filled, located at the record) when
 * the policy is fail; other codes when a dead letter could not be
 * produced. */
sl_status sl_op_errors_route(sl_op_errors *er, const char *topic,
                             const sl_batch *batch, int row, sl_error *err);

/* Routes every row of batch in state SL_BATCH_ROW_ERROR, in row order;
 * stops at the first failure (a fail policy). */
sl_status sl_op_errors_route_batch(sl_op_errors *er, const char *topic,
                                   const sl_batch *batch, sl_error *err);

/* Routes a late row: counted, dead-lettered under dlq, logged
 * otherwise; never stops the query. */
sl_status sl_op_errors_late(sl_op_errors *er, const char *topic,
                            const sl_batch *batch, int row,
                            const char *message, sl_error *err);

void sl_op_errors_stats_get(const sl_op_errors *er,
                            sl_op_errors_stats *out);

/* The header names of dead letters. */
#define SL_DLQ_HEADER_REASON "sluice.error.reason"
#define SL_DLQ_HEADER_MESSAGE "sluice.error.message"
#define SL_DLQ_HEADER_TOPIC "sluice.source.topic"
#define SL_DLQ_HEADER_PARTITION "sluice.source.partition"
#define SL_DLQ_HEADER_OFFSET "sluice.source.offset"
#define SL_DLQ_HEADER_QUERY "sluice.query.id"

#endif /* SLUICE_OPS_ERRORS_H */
