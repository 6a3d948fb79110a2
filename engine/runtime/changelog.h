/* SPDX-License-Identifier: Apache-2.0 */
/*
 * changelog.h - a stateful query's changelog topic: its state store's
 * checkpoints written to Kafka, so that a partition moving to an
 * instance with another catalog file takes its state along.
 *
 * The topic is `_sluice-<service>-<query id>-changelog-0` (one topic
 * carries every operator of the query, hence always 0), compacted, with
 * one partition per source partition: changelog partition p carries the
 * store's tables of partition p (with one state for all partitions, the
 * tables of partition 0 and so partition 0 only).  Records, within a
 * partition:
 *
 *   entry     key 'E' | u16 length | operator name | state key
 *             value 'V' | state value, or null for a deleted key
 *   reset     key 'R', value 'R': the state so far is void; a full copy
 *             follows (written when an owner takes a partition over)
 *   boundary  key 'B', value 'B' | u8 version (1) | i64 checkpoint id |
 *             u64 definition | u32 count | count x (u16 length | topic |
 *             i32 partition | i64 offset): the partition's source
 *             offsets at that checkpoint (integers big-endian)
 *
 * The definition is a hash of the query's statement (0: unknown): a
 * query dropped and created again under the same id with another
 * statement must not restore the state of the old one.
 *
 * A checkpoint writes its changed entries to their partitions, then a
 * boundary to every partition it covers, and counts only once the broker
 * acknowledged all of them (the store's hook runs before its SQLite
 * commit, so a failure aborts the checkpoint).  A reader replays a
 * partition from its beginning: the state is what the records up to the
 * LAST boundary make of it; records after it belong to a checkpoint that
 * never completed and are discarded.  Because compaction keeps the last
 * record of each key, a later value of a key can hide an older one that
 * a discarded checkpoint overwrote; the topic therefore delays compaction
 * (min.compaction.lag.ms, an hour), and a new owner writes a reset and a
 * full copy at its first checkpoint, which makes older records moot.
 */
#ifndef SLUICE_RUNTIME_CHANGELOG_H
#define SLUICE_RUNTIME_CHANGELOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/state.h"
#include "engine/common/error.h"
#include "engine/kafka/config.h"
#include "engine/types/strbuf.h"

#define SL_CHANGELOG_VERSION 1

/* ---- Records ------------------------------------------------------------ */

/* Encodes an entry of operator op into key and value (both reset first).
 * value NULL (a deleted key) leaves *tombstone true: the record's value is
 * then null, not the empty bytes in value. */
sl_status sl_changelog_encode_entry(const char *op, const void *key,
                                    size_t klen, const void *value,
                                    size_t vlen, sl_strbuf *rkey,
                                    sl_strbuf *rvalue, bool *tombstone,
                                    sl_error *err);

/* Encodes a reset record. */
sl_status sl_changelog_encode_reset(sl_strbuf *rkey, sl_strbuf *rvalue,
                                    sl_error *err);

/* Encodes a boundary of checkpoint with n offsets. */
sl_status sl_changelog_encode_boundary(int64_t checkpoint,
                                       uint64_t definition,
                                       const sl_catalog_offset *offsets,
                                       int n, sl_strbuf *rkey,
                                       sl_strbuf *rvalue, sl_error *err);

/* ---- Replaying a partition ---------------------------------------------- */

typedef struct sl_changelog_replay sl_changelog_replay;

/* A replay with no records yet; free with sl_changelog_replay_free. */
sl_status sl_changelog_replay_new(sl_changelog_replay **out, sl_error *err);
void sl_changelog_replay_free(sl_changelog_replay *r);

/* Feeds the next record of the partition (value NULL: a tombstone).
 * Fails on a record that is not a changelog record; the replay is then
 * unchanged. */
sl_status sl_changelog_replay_add(sl_changelog_replay *r, const void *key,
                                  size_t klen, const void *value,
                                  size_t vlen, sl_error *err);

/* The id of the last complete checkpoint (0: no boundary yet), its
 * offsets (owned by r) and how many records came after it. */
int64_t sl_changelog_replay_checkpoint(const sl_changelog_replay *r);
const sl_catalog_offset *sl_changelog_replay_offsets(
    const sl_changelog_replay *r, int *n);
size_t sl_changelog_replay_trailing(const sl_changelog_replay *r);

/* The definition hash of the last complete checkpoint. */
uint64_t sl_changelog_replay_definition(const sl_changelog_replay *r);

/* Keys in the state as of the last complete checkpoint. */
size_t sl_changelog_replay_count(const sl_changelog_replay *r);

/* Calls fn with every key of that state (in no particular order). */
sl_status sl_changelog_replay_each(const sl_changelog_replay *r,
                                   sl_state_each_fn fn, void *ud,
                                   sl_error *err);

/* ---- The topic ---------------------------------------------------------- */

typedef struct sl_changelog sl_changelog;

typedef struct sl_changelog_spec {
  const sl_kafka_config *kafka;  /* copied */
  const char *service;
  const char *query_id;
  int partitions;                /* the sources' partitions */
  int replication;               /* -1: the broker's default */
  bool one_state;                /* one state for all partitions */
  uint64_t definition;           /* hash of the statement, 0: unknown */
} sl_changelog_spec;

/* The topic name of query_id in service into buf. */
void sl_changelog_topic_name(const char *service, const char *query_id,
                             char *buf, size_t size);

/* Creates the topic when missing (compacted; an existing one must have at
 * least spec->partitions partitions, or with one_state at least one) and
 * a producer for it.  *out is the caller's (sl_changelog_free). */
sl_status sl_changelog_open(const sl_changelog_spec *spec,
                            sl_changelog **out, sl_error *err);

/* Waits for what is outstanding (briefly) and frees.  Accepts NULL. */
void sl_changelog_free(sl_changelog *cl);

const char *sl_changelog_topic(const sl_changelog *cl);

/* True when r's checkpoint is of this query's definition (or either is
 * unknown); otherwise the changelog holds a former query's state. */
bool sl_changelog_matches(const sl_changelog *cl,
                          const sl_changelog_replay *r);

/* Makes st's checkpoints write to the changelog (st must outlive cl's
 * use of it, or be detached with sl_state_set_changelog(st, NULL)). */
void sl_changelog_attach(sl_changelog *cl, sl_state *st);

/* Binds cl to st without making it the store's sink, and fills *hook
 * with the sink to pass in the scope of each checkpoint that should
 * write to cl (sl_state_checkpoint_scope): what the tasks of a query
 * sharing one store do, each with a changelog of its own. */
void sl_changelog_bind(sl_changelog *cl, sl_state *st,
                       sl_state_changelog *hook);

/* With one state for all partitions, the changelog is written only while
 * the instance holds all of them (a part of the state is no checkpoint of
 * the whole); turning it back on after checkpoints went by without it
 * makes the next checkpoint a full copy.
 * Keyed state writes whatever partitions the instance holds. */
void sl_changelog_enable(sl_changelog *cl, bool on);
bool sl_changelog_enabled(const sl_changelog *cl);

/* Keyed state: whether the instance owns partition now.  Entries and
 * boundaries of partitions it does not own are not written (a table left
 * dirty by a partition revoked before its checkpoint went through must
 * not write over its new owner's records).  Partitions start not held. */
void sl_changelog_hold(sl_changelog *cl, int32_t partition, bool held);

/* The next checkpoint covering partition writes a reset and a full copy
 * of the partition's state before its boundary. */
void sl_changelog_snapshot(sl_changelog *cl, int32_t partition);

/* Reads changelog partitions parts[0..n) from their beginning to their
 * current end into replays[0..n) (new, the caller's; all NULL on
 * failure).  With have (may be NULL: the newest checkpoint the caller
 * holds of each partition), a partition whose last complete checkpoint,
 * found among its last records, is no newer than have[i] (or is a former
 * query's) is read from there only: its replay then has that
 * checkpoint's id, definition, offsets and the records after it, but
 * not the state.  Gives up after timeout_ms without records. */
sl_status sl_changelog_read(sl_changelog *cl, const int32_t *parts, int n,
                            const int64_t *have, int64_t timeout_ms,
                            sl_changelog_replay **replays, sl_error *err);

/* Replaces what st holds of partition (with one state: everything) by the
 * replay's state: the catalog's copy is forgotten, the entries put (so the
 * next checkpoint stores them), checkpoint ids raised past the replay's,
 * and the partition's next boundary carries the replay's offsets until
 * its sources read further; that checkpoint also writes a full copy. */
sl_status sl_changelog_load(sl_changelog *cl, sl_state *st,
                            int32_t partition,
                            const sl_changelog_replay *r, sl_error *err);

#endif /* SLUICE_RUNTIME_CHANGELOG_H */
