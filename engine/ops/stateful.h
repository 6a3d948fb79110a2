/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stateful.h - what every stateful operator shares: its tables in the
 * state store per source partition, lateness against per-row watermarks,
 * and the batches it builds for its results.
 *
 * Partitions.  An operator's state is split by the source partition of
 * the rows it came from (the planner makes sure rows with equal keys
 * share a partition, repartitioning when needed), so that a partition
 * that moves to another instance takes exactly its state along.  The
 * store table of a partition is (state name, partition); its entries
 * are the operator's own (each operator documents its layout), plus one
 * meta entry this file writes under the one-byte key 0x00:
 *
 *   u8 version (1) | u8 ports | i64 watermark floor per input port |
 *   varint next sequence number
 *
 * Entry keys of the operators therefore start with a tag byte other than
 * 0x00.  A partition's table is loaded the first time the operator meets
 * the partition (assignment, or a row from it), so restore needs no
 * separate call; the operator receives every entry through its load
 * function.
 *
 * One partition.  When the task reads every partition of its sources
 * and rows of one key may arrive on any of them (ctx->one_partition:
 * the plan has no repartition topic), every partition maps to the
 * table of partition 0, so that a key's rows meet one state.  Such
 * operators are never told of revoked partitions (the runtime keeps
 * their state): forgetting one would free the state of all.
 *
 * Lateness.  A row is judged against the watermark the rows before it
 * left (sl_op_batch.row_watermark, else the port's last watermark),
 * raised to its input port's floor restored with the partition's
 * checkpoint (the highest watermark that port had shown): after a
 * restart the sources may know less than they did, but a row that was
 * late before the crash stays late.  Late rows are counted on the
 * operator and routed to the error policy with reason "late".
 *
 * Output.  Results go out in batches the operator owns (sl_outbuf): a
 * full batch is sent at once, the rest when the operator flushes at the
 * end of process() or watermark().  After each send the batch's failed
 * rows (failed downstream) are routed, as the operator contract asks of
 * a batch's creator; the batch is reset only when the next row is added.
 */
#ifndef SLUICE_OPS_STATEFUL_H
#define SLUICE_OPS_STATEFUL_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/state.h"
#include "engine/common/error.h"
#include "engine/ops/op.h"
#include "engine/types/batch.h"

/* The tag of the meta entry's key. */
#define SL_STATEFUL_META_TAG 0x00

/* Input ports whose lateness floors are kept (joins have two). */
#define SL_STATEFUL_PORTS 2

typedef struct sl_stateful_part {
  int32_t partition;
  sl_state_table *table; /* NULL when the query keeps no state */
  int64_t floor[SL_STATEFUL_PORTS]; /* lateness floors from the checkpoint */
  int64_t seen[SL_STATEFUL_PORTS];  /* highest row watermarks met since */
  int index;             /* position among the operator's partitions */
} sl_stateful_part;

/* Receives one entry of a partition's table while it loads (the meta
 * entry excepted).  Bytes are valid during the call only. */
typedef sl_status (*sl_stateful_load_fn)(void *ud, sl_stateful_part *part,
                                         const void *key, size_t klen,
                                         const void *value, size_t vlen,
                                         sl_error *err);

typedef struct sl_stateful {
  sl_op *op;
  char *name;              /* the tables' operator name in the store */
  sl_state *store;         /* NULL: state lives in memory only */
  sl_stateful_part **parts;
  int nparts;
  int cap;
  sl_stateful_part *last;  /* the partition met last (a cache) */
  uint64_t next_seq;       /* sequence numbers for the operator's use */
  sl_stateful_load_fn load;
  void *ud;
  bool one_partition;      /* every partition is partition 0 (above) */
} sl_stateful;

/* Prepares s for op at open: name (copied) is the operator's name in the
 * store, or NULL for "<class name>.<node id>".  Loads nothing yet. */
sl_status sl_stateful_open(sl_stateful *s, sl_op *op, const char *name,
                           const sl_op_ctx *ctx, sl_stateful_load_fn load,
                           void *ud, sl_error *err);

/* Frees what s holds (the store's tables stay). */
void sl_stateful_close(sl_stateful *s);

/* The partition's entry, created and loaded from the store when new. */
sl_status sl_stateful_part_get(sl_stateful *s, int32_t partition,
                               sl_stateful_part **out, sl_error *err);

/* The partition's entry when it is known, else NULL. */
sl_stateful_part *sl_stateful_part_find(const sl_stateful *s,
                                        int32_t partition);

/* Forgets a revoked partition (the caller drops its in-memory state
 * first).  A later row or assignment loads it again. */
void sl_stateful_part_forget(sl_stateful *s, int32_t partition);

/* A new sequence number (increasing over the operator's life, restored
 * with its state). */
static inline uint64_t sl_stateful_seq(sl_stateful *s) {
  return s->next_seq++;
}

/* Raises the lateness floors of the partitions held now to the
 * operator's watermark on each port.  With state per partition, a
 * partition that comes in (a rebalance) lowers its source's watermark
 * until it caught up (source.h); the partitions already here keep
 * judging lateness by what closed their windows.  Called before the
 * sources hear of the new partitions. */
void sl_stateful_raise_floors(sl_stateful *s);

/* Writes the meta entry of every partition with a table: the floors for
 * lateness (the highest watermark met on each port) and the sequence
 * counter. */
sl_status sl_stateful_checkpoint_meta(sl_stateful *s, sl_error *err);

/* The watermark row r of in (on port, below SL_STATEFUL_PORTS) is
 * judged against (see above), recorded as seen for part (may be
 * NULL). */
int64_t sl_stateful_row_watermark(const sl_op *op, int port,
                                  const sl_op_batch *in, int r,
                                  sl_stateful_part *part);

/* Counts row r of in as late and routes it with message to the error
 * policy of its topic (the router dead-letters it or logs it). */
sl_status sl_stateful_late(sl_op *op, const sl_op_batch *in, int r,
                           const char *message, sl_error *err);

/* The text of a time for messages ("2024-01-01 00:00:09.000", "none",
 * "end"); buf holds at least 40 bytes.  Returns buf. */
char *sl_stateful_time_text(int64_t ms, char *buf);

/* Deletes key from part's table when there is one. */
void sl_stateful_delete(sl_stateful_part *part, const void *key,
                        size_t klen);

/* ---- Result batches ---------------------------------------------------- */

typedef struct sl_outbuf sl_outbuf;

struct sl_outbuf {
  sl_batch *batch;
  int64_t *wm;      /* per row: the watermark before it */
  bool sent;        /* the batch went out; reset before the next row */
  /* Called on the rows just before they are sent, when set (a join's
   * residual condition drops rows there). */
  sl_status (*before_send)(void *ud, sl_outbuf *ob, sl_error *err);
  void *ud;
};

/* A result batch of ncols columns and room for capacity rows (0:
 * 1024). */
sl_status sl_outbuf_init(sl_outbuf *ob, int ncols, int capacity,
                         sl_error *err);

void sl_outbuf_free(sl_outbuf *ob);

/* Adds a row (sending the batch first when it is full) with NULL values,
 * the given partition, event time (also its timestamp) and watermark;
 * *row gets its index.  Copy variable data into sl_outbuf_arena. */
sl_status sl_outbuf_row(sl_outbuf *ob, sl_op *op, int32_t partition,
                        int64_t event_time, int64_t watermark, int *row,
                        sl_error *err);

/* Sends what the batch holds, then routes its failed rows. */
sl_status sl_outbuf_flush(sl_outbuf *ob, sl_op *op, sl_error *err);

static inline sl_arena *sl_outbuf_arena(sl_outbuf *ob) {
  return sl_batch_arena(ob->batch);
}

static inline sl_value *sl_outbuf_value(sl_outbuf *ob, int row, int col) {
  return &ob->batch->cols[col][row];
}

/* Adds a and b, saturating at the int64 range (window ends plus grace
 * near the end of time). */
static inline int64_t sl_time_add(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b)
    return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b)
    return INT64_MIN;
  return a + b;
}

/* floor(a / b) for b > 0, for window starts before the epoch. */
static inline int64_t sl_time_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

#endif /* SLUICE_OPS_STATEFUL_H */
