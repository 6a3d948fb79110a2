/* SPDX-License-Identifier: Apache-2.0 */
/*
 * consumer.h - reading records from Kafka in batches, as a group member or
 * from partitions assigned by hand, without ever losing one quietly.
 *
 * A group consumer (opts.group_id set) subscribes to topics; the group
 * hands it partitions, and the assignment callback may choose where each
 * starts (the committed offset is filled in beforehand, so restoring a
 * checkpoint is a matter of overwriting it).  The revocation callback runs
 * before partitions go away, so the caller can commit.  Offsets are never
 * committed automatically: sl_kafka_consumer_commit commits exactly the
 * offsets given.  A consumer without a group reads partitions given to
 * sl_kafka_consumer_assign (transient queries); it never joins or creates
 * a group on the broker and cannot commit.
 *
 * Records arrive in batches (sl_kafka_consumer_poll), whose memory belongs
 * to librdkafka until the batch is cleared, or, for records the caller
 * keeps across polls (sl_kafka_batch_detach), until each is released.  A
 * caller holding many records of a partition may pause fetching it.  A
 * bounded read (the --bounded mode) fixes each partition's end at the
 * high watermark when the read starts; records past it are not returned,
 * and sl_kafka_consumer_at_end says when every assigned partition got
 * there.
 *
 * Loss detection: the consumer knows which offset each partition should
 * deliver next (the committed or requested start, then the last record
 * plus one).  When the next record or end-of-partition lies beyond it and
 * the partition's log start offset has passed it, records were deleted
 * (retention, or the embedded broker's 5 MB per partition) before they
 * were read; librdkafka then resets the position and would carry on
 * silently.  The consumer logs an error with the number of records lost,
 * counts them in its stats and calls opts.on_loss.  Gaps the log start
 * does not explain (compaction, transaction markers) are not losses.
 *
 * A consumer is used from one thread; its callbacks run on that thread,
 * inside sl_kafka_consumer_poll or sl_kafka_consumer_close.
 */
#ifndef SLUICE_KAFKA_CONSUMER_H
#define SLUICE_KAFKA_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/kafka/config.h"
#include "engine/kafka/kafka.h"

typedef struct sl_kafka_consumer sl_kafka_consumer;

/* One consumed record.  Every pointer stays valid until the batch holding
 * it is cleared. */
typedef struct sl_kafka_msg {
  const char *topic;
  int32_t partition;
  int64_t offset;
  int64_t timestamp_ms;   /* -1 when the record carries none */
  const void *key;        /* NULL: no key */
  size_t key_len;
  const void *value;      /* NULL: a tombstone */
  size_t value_len;
  void *handle;           /* librdkafka's message; for this module only */
} sl_kafka_msg;

/* Record headers, in the order they were written. */
size_t sl_kafka_msg_header_count(const sl_kafka_msg *m);
bool sl_kafka_msg_header_at(const sl_kafka_msg *m, size_t i,
                            sl_kafka_header *out);
/* The last header called name (later headers win, as in Kafka). */
bool sl_kafka_msg_header_find(const sl_kafka_msg *m, const char *name,
                              sl_kafka_header *out);

/* A batch of consumed records, reused from poll to poll. */
typedef struct sl_kafka_batch {
  sl_kafka_msg *msgs;
  size_t count;
  size_t cap;
  void **raw;             /* librdkafka's messages, for this module only */
} sl_kafka_batch;

/* Prepares a batch for up to cap records. */
sl_status sl_kafka_batch_init(sl_kafka_batch *b, size_t cap, sl_error *err);
/* Returns the records to librdkafka; count becomes 0. */
void sl_kafka_batch_clear(sl_kafka_batch *b);
/* Hands the batch's records to the caller: count becomes 0 and each
 * record stays valid until the caller gives it back with
 * sl_kafka_msg_release (records kept across polls). */
void sl_kafka_batch_detach(sl_kafka_batch *b);
/* Gives one record taken with sl_kafka_batch_detach back to librdkafka;
 * its pointers are invalid afterwards.  Accepts a record without a
 * handle (one made up by a test) and does nothing then. */
void sl_kafka_msg_release(sl_kafka_msg *m);
/* Clears and frees the batch's arrays.  Accepts a zeroed batch. */
void sl_kafka_batch_destroy(sl_kafka_batch *b);

/* Records deleted before they were read, reported once per gap. */
typedef struct sl_kafka_loss {
  const char *topic;
  int32_t partition;
  int64_t expected;       /* the offset that should have come next */
  int64_t resumed;        /* the offset reading resumed at */
  int64_t lost;           /* resumed - expected */
} sl_kafka_loss;

/* parts lists the partitions being assigned, each with its committed
 * offset (or SL_KAFKA_OFFSET_INVALID when the group has none, in which
 * case auto.offset.reset applies); the callback may change any offset,
 * also to SL_KAFKA_OFFSET_BEGINNING or _END.  topic pointers are valid
 * during the call only. */
typedef void (*sl_kafka_assign_fn)(void *ctx, sl_kafka_position *parts,
                                   size_t n);
/* parts are about to be taken away, with the offsets this consumer would
 * read next.  lost is true when the group already gave them to another
 * member (commits would fail). */
typedef void (*sl_kafka_revoke_fn)(void *ctx, const sl_kafka_position *parts,
                                   size_t n, bool lost);
typedef void (*sl_kafka_loss_fn)(void *ctx, const sl_kafka_loss *loss);

typedef struct sl_kafka_consumer_opts {
  const char *group_id;      /* NULL: no group, assign() only */
  const char *offset_reset;  /* where partitions without a committed
                                offset start: "earliest" (default) or
                                "latest" */
  sl_kafka_assign_fn on_assign; /* each may be NULL */
  sl_kafka_revoke_fn on_revoke;
  sl_kafka_loss_fn on_loss;
  void *ctx;
  /* Every member must hold the same partition numbers of each topic
   * (joins whose partition p of both topics holds the same keys): the
   * group then uses the range assignor, whatever cfg says, since the
   * others may split two topics differently. */
  bool same_numbers;
} sl_kafka_consumer_opts;

typedef struct sl_kafka_consumer_stats {
  int64_t records;        /* returned by poll */
  int64_t lost_records;   /* deleted before they were read */
  int64_t loss_events;    /* gaps reported */
  int64_t assignments;    /* assignment callbacks served */
} sl_kafka_consumer_stats;

/* True when a process may run several members of one group at once with
 * cfg: on a real broker.  The embedded broker (librdkafka's mock
 * cluster) mishandles members that join at the same moment, so callers
 * keep one member per group there. */
bool sl_kafka_consumer_shares_groups(const sl_kafka_config *cfg);

/* Creates a consumer from cfg (copied; may be NULL) and opts (may be NULL:
 * no group, earliest).  Commits are manual whatever cfg says
 * (enable.auto.commit and enable.auto.offset.store are forced off).
 * Fetching is tuned for batches (fetch.wait.max.ms=100,
 * queued.min.messages=20000, queued.max.messages.kbytes=32768); cfg may
 * change that.  *out is owned by the caller. */
sl_status sl_kafka_consumer_new(const sl_kafka_config *cfg,
                                const sl_kafka_consumer_opts *opts,
                                sl_kafka_consumer **out, sl_error *err);

/* Joins the group for topics (a group consumer only). */
sl_status sl_kafka_consumer_subscribe(sl_kafka_consumer *c,
                                      const char *const *topics, size_t n,
                                      sl_error *err);

/* Reads exactly parts from their offsets (explicit or logical), replacing
 * any earlier assignment.  Meant for consumers without a group. */
sl_status sl_kafka_consumer_assign(sl_kafka_consumer *c,
                                   const sl_kafka_position *parts, size_t n,
                                   sl_error *err);

/* Assigns every partition of topic from start (SL_KAFKA_OFFSET_BEGINNING
 * or _END).  With bounded, each partition ends at its current high
 * watermark (see sl_kafka_consumer_bound). */
sl_status sl_kafka_consumer_assign_topic(sl_kafka_consumer *c,
                                         const char *topic, int64_t start,
                                         bool bounded, sl_error *err);

/* Fixes the end of every partition of topic at its high watermark now,
 * for partitions assigned now or later: records at or past it are not
 * returned. */
sl_status sl_kafka_consumer_bound(sl_kafka_consumer *c, const char *topic,
                                  sl_error *err);

/* Waits up to timeout_ms to fill b with up to b->cap records (clearing
 * what b held).  Returns SL_OK with b->count possibly 0, or an error for a
 * missing or forbidden topic, a failed assignment or a fatal consumer
 * error (records already received are returned first; the error comes
 * with the next poll).  Transient faults (broker down, retries) are logged
 * and do not fail the poll. */
sl_status sl_kafka_consumer_poll(sl_kafka_consumer *c, sl_kafka_batch *b,
                                 int timeout_ms, sl_error *err);

/* True when partitions are assigned and every one of them has an end
 * (bounded) that it has reached. */
bool sl_kafka_consumer_at_end(const sl_kafka_consumer *c);

/* True when an assigned partition has nothing to deliver now: it reached
 * its bounded end, or librdkafka reported the end of the partition after
 * the last record poll returned (the broker had nothing more when last
 * asked; a record produced since may come with a later poll). */
bool sl_kafka_consumer_drained(const sl_kafka_consumer *c, const char *topic,
                               int32_t partition);

/* Stops (pause) or restarts fetching an assigned partition, for a caller
 * holding many of its records unprocessed.  Records already returned
 * stay valid; reading restarts after the last record poll returned, so
 * none is lost or returned twice.  A partition revoked or assigned again
 * is no longer paused. */
sl_status sl_kafka_consumer_pause(sl_kafka_consumer *c, const char *topic,
                                  int32_t partition, bool pause,
                                  sl_error *err);

/* The partitions assigned now with the offset each would read next
 * (SL_KAFKA_OFFSET_INVALID before its first record when its start was
 * logical).  Writes up to cap entries and returns how many there are;
 * topic pointers are valid until the next poll, assign or close. */
size_t sl_kafka_consumer_positions(const sl_kafka_consumer *c,
                                   sl_kafka_position *out, size_t cap);

/* Commits exactly these offsets (the next offset to read of each
 * partition) and waits for the broker's answer.  Fails naming the first
 * partition the broker refused. */
sl_status sl_kafka_consumer_commit(sl_kafka_consumer *c,
                                   const sl_kafka_position *offs, size_t n,
                                   sl_error *err);

/* Fills in the group's committed offset of each of parts
 * (SL_KAFKA_OFFSET_INVALID where there is none). */
sl_status sl_kafka_consumer_committed(sl_kafka_consumer *c,
                                      sl_kafka_position *parts, size_t n,
                                      int timeout_ms, sl_error *err);

/* Moves an assigned partition to offset (explicit or logical). */
sl_status sl_kafka_consumer_seek(sl_kafka_consumer *c, const char *topic,
                                 int32_t partition, int64_t offset,
                                 sl_error *err);

void sl_kafka_consumer_stats_get(const sl_kafka_consumer *c,
                                 sl_kafka_consumer_stats *out);

/* Leaves the group (running the revocation callback) and stops fetching.
 * Commits nothing.  The consumer must be freed afterwards. */
sl_status sl_kafka_consumer_close(sl_kafka_consumer *c, sl_error *err);

/* Closes (if needed) and frees.  Accepts NULL. */
void sl_kafka_consumer_free(sl_kafka_consumer *c);

#endif /* SLUICE_KAFKA_CONSUMER_H */
