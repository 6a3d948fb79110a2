/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.h - keyed state of stateful operators, checkpointed to SQLite.
 *
 * A state store belongs to one persistent query.  It holds one table per
 * (operator, partition): a hash map from key bytes to value bytes, which
 * the operator serializes as it likes (a window's aggregate, a join
 * buffer, a key's history).  Tables live in memory; every change marks
 * its entry dirty.
 *
 * A checkpoint writes every dirty entry of the query (deleted keys as
 * deletions), the source offsets that state reflects, and the query's
 * counters, in ONE SQLite transaction with a new checkpoint id.  What the
 * catalog file holds is therefore always exactly one complete checkpoint:
 * a process killed before or during a checkpoint restarts from the
 * previous one, with the offsets to seek its sources to.  Restore loads
 * that checkpoint back into memory.  In the file (sluice_state_entries)
 * a small table is one row per key; a large one is its changes, appended
 * as a few chunk rows per checkpoint and rewritten whole once they
 * outgrow the live entries (state.c), so that a checkpoint costs about
 * the bytes that changed, not a row each.  Operator names may not hold
 * the byte 0x1f, which marks chunk rows.
 *
 * Changelog topics (for partitions that move to another instance) build
 * on the same boundaries: a changelog sink set with sl_state_set_changelog
 * sees each dirty entry and then a boundary carrying the checkpoint id and
 * offsets, all before the SQLite commit; a failure there aborts the
 * checkpoint, so the topic never runs ahead of the last checkpoint it
 * marks and a new owner replays it up to the last complete boundary.
 *
 * Threads: a table is used by the one worker that owns its partition.
 * The tasks of one query may share its store, each checkpointing only
 * the tables of its own partitions (sl_state_checkpoint_scope): the
 * store serializes what they share (the table list, the checkpoint ids,
 * the SQLite statements) with a lock of its own.  The whole restore
 * runs before any task does; a partition's reload or reset runs on the
 * task that is given it, while the others keep to their own tables.
 * One store per query at a time.
 */
#ifndef SLUICE_STATE_H
#define SLUICE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"

typedef struct sl_state sl_state;
typedef struct sl_state_table sl_state_table;

/* Receives a checkpoint's changes before it commits.  entry gets each
 * dirty key with its value, or value NULL for a deleted key; boundary
 * follows once with the offsets.  Either failing aborts the checkpoint. */
typedef struct sl_state_changelog {
  sl_status (*entry)(void *ud, int64_t checkpoint, const char *op,
                     int32_t partition, const void *key, size_t klen,
                     const void *value, size_t vlen, sl_error *err);
  sl_status (*boundary)(void *ud, int64_t checkpoint,
                        const sl_catalog_offset *offsets, int noffsets,
                        sl_error *err);
  void *ud;
} sl_state_changelog;

/* Opens the (empty) state store of query_id; call sl_state_restore to
 * load its last checkpoint.  Close it before closing the catalog. */
sl_status sl_state_open(sl_catalog *cat, const char *query_id,
                        sl_state **out, sl_error *err);

/* Frees the store and its tables; unsaved changes are lost, as in a
 * crash.  Accepts NULL. */
void sl_state_close(sl_state *st);

/* Sets (copied) or, with NULL, removes the changelog sink. */
void sl_state_set_changelog(sl_state *st, const sl_state_changelog *cl);

/* The table of operator op and partition, created empty when new.  The
 * pointer stays valid until restore, release_partition or close. */
sl_status sl_state_table_get(sl_state *st, const char *op,
                             int32_t partition, sl_state_table **out,
                             sl_error *err);

/* Sets key to a copy of value (vlen may be 0). */
sl_status sl_state_put(sl_state_table *t, const void *key, size_t klen,
                       const void *value, size_t vlen, sl_error *err);

/* The value of key, or NULL when absent; *vlen (may be NULL) gets its
 * length.  Valid until key is next put or deleted, or the table goes. */
const void *sl_state_get(const sl_state_table *t, const void *key,
                         size_t klen, size_t *vlen);

/* Deletes key; returns whether it was present. */
bool sl_state_delete(sl_state_table *t, const void *key, size_t klen);

/* Keys present in the table. */
size_t sl_state_count(const sl_state_table *t);

/* Iterates the keys present, in no particular order.  Putting a key the
 * table lacks invalidates the iterator; changing or deleting the current
 * key does not. */
typedef struct sl_state_iter {
  const sl_state_table *table;
  size_t bucket;
  const void *entry;
} sl_state_iter;

void sl_state_iter_init(sl_state_iter *it, const sl_state_table *t);
bool sl_state_iter_next(sl_state_iter *it, const void **key, size_t *klen,
                        const void **value, size_t *vlen);

/* Writes a checkpoint: every dirty entry, the offsets (each replaces the
 * stored one for its topic and partition) and, when the query is in the
 * catalog, its progress and counters (may be NULL), in one transaction.
 * *checkpoint_id (may be NULL) receives the new id (1, 2, ...).  On
 * failure nothing is written and the entries stay dirty. */
sl_status sl_state_checkpoint(sl_state *st, const sl_catalog_offset *offsets,
                              int noffsets,
                              const sl_catalog_counters *counters,
                              int64_t *checkpoint_id, sl_error *err);

/* What one task's checkpoint covers: the tables of its partitions
 * (partitions NULL: every table) and the changelog sink their changes
 * go to (NULL: none), instead of the store's own. */
typedef struct sl_state_scope {
  const int32_t *partitions;
  int npartitions;
  const sl_state_changelog *changelog;
} sl_state_scope;

/* Like sl_state_checkpoint, for the tables of scope only (NULL: like
 * sl_state_checkpoint).  Other tables, which other tasks may be
 * changing meanwhile, are not looked at; their dirty entries wait for
 * their own task's checkpoint.  The offsets are those of scope's
 * partitions. */
sl_status sl_state_checkpoint_scope(sl_state *st,
                                    const sl_state_scope *scope,
                                    const sl_catalog_offset *offsets,
                                    int noffsets,
                                    const sl_catalog_counters *counters,
                                    int64_t *checkpoint_id, sl_error *err);

/* Replaces the tables in memory with the last complete checkpoint;
 * *checkpoint_id (may be NULL) gets its id, 0 when there is none. */
sl_status sl_state_restore(sl_state *st, int64_t *checkpoint_id,
                           sl_error *err);

/* The offsets of the last complete checkpoint, sorted by topic and
 * partition: a new array (free with sl_state_offsets_free). */
sl_status sl_state_offsets(sl_state *st, sl_catalog_offset **offsets,
                           int *noffsets, sl_error *err);
void sl_state_offsets_free(sl_catalog_offset *offsets, int noffsets);

/* Forgets the in-memory tables of a partition this instance no longer
 * owns; what is checkpointed stays for its new owner. */
void sl_state_release_partition(sl_state *st, int32_t partition);

/* The id of the last checkpoint written or restored (0: none). */
int64_t sl_state_last_checkpoint(const sl_state *st);

/* Entries changed since the last checkpoint, over all tables. */
size_t sl_state_dirty(const sl_state *st);

/* The keys held in memory over every table of st (tombstones not
 * counted) and their key and value bytes. */
void sl_state_size(const sl_state *st, int64_t *entries, int64_t *bytes);

/* The entries of partition's tables changed since the last checkpoint
 * that covered them. */
size_t sl_state_partition_dirty(sl_state *st, int32_t partition);

/* Replaces what memory holds of partition with its last checkpoint in
 * the catalog: for a partition whose tables ran ahead of it (a revoke
 * that could not checkpoint), before it is read again from the
 * checkpoint's offsets.  Table pointers of the partition become
 * invalid. */
sl_status sl_state_reload_partition(sl_state *st, int32_t partition,
                                    sl_error *err);

/* Like sl_state_size, for the tables of scope's partitions (NULL: all). */
void sl_state_size_of(const sl_state *st, const sl_state_scope *scope,
                      int64_t *entries, int64_t *bytes);

/* Hints to the processor that key is looked up in t soon (a put, get or
 * delete): without deep it fetches the key's bucket, with deep (the
 * bucket fetched by then) the bucket's first entry.  An operator walking
 * many keys hints a few ahead of the one at hand.  Changes nothing. */
void sl_state_prefetch(const sl_state_table *t, const void *key,
                       size_t klen, bool deep);

/* ==== Partitions loaded from outside ====================================
 * A partition that moves between instances with their own catalogs comes
 * back from its changelog topic (engine/runtime/changelog.h): the
 * runtime forgets what this store holds of it, loads the topic's entries
 * with sl_state_table_get and sl_state_put (they are dirty, so the next
 * checkpoint writes them) and raises the checkpoint ids past the one it
 * loaded, so that ids keep growing from owner to owner. */

/* The id of the newest checkpoint that recorded source offsets of
 * partition (any topic; partition < 0: of any partition) into *id, 0
 * when none did. */
sl_status sl_state_partition_checkpoint(sl_state *st, int32_t partition,
                                        int64_t *id, sl_error *err);

/* Forgets partition (partition < 0: every partition): its tables in
 * memory, and its entries and source offsets in the catalog, deleted at
 * once in one transaction.  Table pointers of the partition become
 * invalid. */
sl_status sl_state_reset_partition(sl_state *st, int32_t partition,
                                   sl_error *err);

/* Makes the ids of later checkpoints greater than id. */
void sl_state_raise_checkpoint(sl_state *st, int64_t id);

/* Calls fn with every key present in the tables of partition, with its
 * operator's name; stops at and returns the first failure. */
typedef sl_status (*sl_state_each_fn)(void *ud, const char *op,
                                      const void *key, size_t klen,
                                      const void *value, size_t vlen,
                                      sl_error *err);
sl_status sl_state_partition_each(sl_state *st, int32_t partition,
                                  sl_state_each_fn fn, void *ud,
                                  sl_error *err);

#endif /* SLUICE_STATE_H */
