/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.h - the records of a task's partitions, in event-time order across
 * partitions: a k-way merge of per-partition queues.
 *
 * A task that reads several partitions gets them from the consumer in
 * chunks of one partition at a time, each spanning whatever event time a
 * fetch happened to cover; processed in that order, a history feature
 * (LAG, an OVER aggregate) over rows of several partitions would depend
 * on how the chunks interleaved.  The merge holds the records of each
 * partition it is given (an input) in a queue, in arrival order, and
 * hands them out lowest event time first among the queues' heads, ties
 * by partition, then by the input's topic number.  Within a partition the
 * order never changes.
 *
 * An input with nothing queued holds every other back, since its next
 * record may be earlier, unless the owner says it may be passed
 * (passable: it is at its end, or caught up with its partition, or idle)
 * or it has been waiting for max_idle_ms (a negative max_idle_ms: no
 * limit).  The wait starts when the input first holds the others back
 * and ends when records come to it.
 *
 * Memory stays bounded: an input holding more than pause_above records
 * asks its owner to pause fetching it, and to resume once it is down to
 * half of that.  No allocation per record: each queue is a ring that
 * grows by doubling.
 *
 * Records are the consumer's (consumer.h): the merge owns those it holds
 * and gives them back through the release hook when an input goes or the
 * merge is freed; sl_merge_pop hands them on to the caller.  The hooks
 * run on the caller's thread, inside the merge's calls.
 */
#ifndef SLUICE_RUNTIME_MERGE_H
#define SLUICE_RUNTIME_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/kafka/consumer.h"

typedef struct sl_merge sl_merge;

typedef struct sl_merge_hooks {
  void *ud;
  /* The event time of m, a record of topic number topic; false when it
   * cannot be read (the record then goes as soon as it heads its
   * queue). */
  bool (*event_time)(void *ud, int topic, const sl_kafka_msg *m,
                     int64_t *out);
  /* True when the partition, with nothing queued, cannot hold an earlier
   * record now (its end reached, nothing more on the broker, idle). */
  bool (*passable)(void *ud, int topic, int32_t partition);
  /* Stops (pause) or restarts fetching the partition; may be NULL. */
  void (*pause)(void *ud, int topic, int32_t partition, bool pause);
  /* Gives a record back to the consumer. */
  void (*release)(void *ud, sl_kafka_msg *m);
} sl_merge_hooks;

typedef struct sl_merge_config {
  int64_t max_idle_ms;  /* how long an empty input holds the others back;
                           < 0: until records come or it is passable */
  size_t pause_above;   /* records one input holds before it is paused;
                           0: 65536 */
} sl_merge_config;

/* Creates a merge without inputs.  *out is owned by the caller
 * (sl_merge_free). */
sl_status sl_merge_new(const sl_merge_config *cfg,
                       const sl_merge_hooks *hooks, sl_merge **out,
                       sl_error *err);

/* Releases every record held and frees the merge.  Accepts NULL. */
void sl_merge_free(sl_merge *m);

/* Adds the input (topic number, partition), empty, from now on holding
 * the others back when it has nothing queued.  An input already there
 * is left as it is. */
sl_status sl_merge_add(sl_merge *m, int topic, int32_t partition,
                       sl_error *err);

/* Removes the input and releases the records it holds (a revoked
 * partition: its new owner reads them again).  No pause hook is called:
 * the consumer forgets a revoked partition's pause. */
void sl_merge_remove(sl_merge *m, int topic, int32_t partition);

/* Takes n records of topic number topic, in arrival order, any
 * partitions: the merge owns them from now on, also on failure (they are
 * released then).  A partition without an input gets one. */
sl_status sl_merge_push(sl_merge *m, int topic, const sl_kafka_msg *msgs,
                        size_t n, sl_error *err);

/* Moves up to cap records, in merged order, into out; the caller owns
 * them (and releases them once processed).  Stops early when an empty
 * input holds the others back: *wait_ms (may be NULL) then gets how
 * long until its wait runs out (-1: none, it waits for records), else
 * -1.  now_ms is the wall clock in milliseconds. */
size_t sl_merge_pop(sl_merge *m, int64_t now_ms, sl_kafka_msg *out,
                    size_t cap, int64_t *wait_ms);

/* Records held by the input, or by every input when partition < 0. */
size_t sl_merge_held(const sl_merge *m, int topic, int32_t partition);

/* The number of inputs. */
int sl_merge_inputs(const sl_merge *m);

#endif /* SLUICE_RUNTIME_MERGE_H */
