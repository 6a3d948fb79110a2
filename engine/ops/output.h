/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.h - a task's producer, with every delivery tracked for
 * at-least-once commits.
 *
 * Everything a task writes to Kafka (sink records, dead letters) goes
 * through one output.  Each record gets a sequence number; delivery
 * reports, which may arrive in any order, mark numbers done, and the
 * output keeps the highest number below which everything is delivered.
 * A task takes a mark (sl_op_output_mark) together with the source
 * offsets it has processed; once sl_op_output_delivered says everything
 * up to that mark is acknowledged, the offsets may be committed, because
 * every output produced from those records is safely in Kafka.
 *
 * Broker outages: the producer retries forever (message.timeout.ms=0),
 * and sl_op_output_produce waits while the local queue is full, serving
 * delivery reports, until room frees up or the task asks to stop; so an
 * outage slows a query down and never loses or duplicates a record
 * silently.  A delivery that fails for good (a record too large, a topic
 * that cannot be written) makes sl_op_output_failure report it: the
 * query must then stop without committing.
 *
 * An output is used from one thread (its task's); delivery callbacks run
 * inside sl_op_output_poll / _produce on that thread.
 */
#ifndef SLUICE_OPS_OUTPUT_H
#define SLUICE_OPS_OUTPUT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"
#include "engine/kafka/producer.h"
#include "engine/ops/op.h"

/* Creates an output with its own idempotent producer from cfg (copied).
 * stop (may be NULL) is polled while waiting for queue room: when it
 * becomes true, produce gives up with SL_ERR_RUNTIME. */
sl_status sl_op_output_new(const sl_kafka_config *cfg, const atomic_bool *stop,
                           sl_op_output **out, sl_error *err);

/* Flushes nothing: frees the producer (outstanding records abandoned).
 * Accepts NULL. */
void sl_op_output_free(sl_op_output *o);

/* Queues one record (copied).  Fails on a record librdkafka refuses for
 * good, or when asked to stop while the queue stays full. */
sl_status sl_op_output_produce(sl_op_output *o, const sl_kafka_record *rec,
                               sl_error *err);

/* The sequence number of the last record produced (0 before any). */
uint64_t sl_op_output_mark(const sl_op_output *o);

/* True when every record up to mark is acknowledged. */
bool sl_op_output_delivered(const sl_op_output *o, uint64_t mark);

/* Serves delivery reports, waiting up to timeout_ms for the first. */
int sl_op_output_poll(sl_op_output *o, int timeout_ms);

/* Waits up to timeout_ms (-1: no limit) until every record is
 * acknowledged.  SL_OK when all are; SL_ERR_KAFKA naming the first
 * failure or the records still outstanding otherwise. */
sl_status sl_op_output_flush(sl_op_output *o, int timeout_ms, sl_error *err);

/* SL_OK, or the first delivery that failed for good (err filled). */
sl_status sl_op_output_failure(const sl_op_output *o, sl_error *err);

/* Records produced, delivered and outstanding. */
void sl_op_output_stats(const sl_op_output *o, int64_t *produced,
                        int64_t *delivered, int64_t *outstanding);

#endif /* SLUICE_OPS_OUTPUT_H */
