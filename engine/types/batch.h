/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch.h - record batches: the unit of data that flows between
 * operators.
 *
 * A batch is columnar: ncols arrays of `capacity` values each, plus one
 * metadata entry per row (source partition and offset, the Kafka record
 * timestamp, the event time, the raw key and value for dead-lettering,
 * the row's state, and whether it withdraws an earlier result).  A row
 * that fails to decode or evaluate is marked SL_BATCH_ROW_ERROR with its
 * error kept beside it; the other rows go on, so one bad record never
 * costs its batch.  Filters mark rows SL_BATCH_ROW_DROPPED instead of
 * moving data.
 *
 * Ownership:
 *   - The batch owns its column arrays and metadata (one allocation made
 *     by sl_batch_create, reused across resets) and an arena for
 *     everything rows point to: strings, composite items, error messages.
 *     Put row data in sl_batch_arena(batch); it lives until the next
 *     sl_batch_reset or sl_batch_free, which release it all at once.
 *   - Raw key and value pointers in the metadata are borrowed: whoever
 *     fills them (the source) keeps that memory alive until the batch is
 *     reset, or copies it into the arena.
 *   - A value read from a batch is valid until the batch is reset; copy
 *     it (sl_value_copy) to keep it longer.
 *   - A batch is used by one thread at a time.
 */
#ifndef SLUICE_BATCH_H
#define SLUICE_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/value.h"

typedef enum sl_batch_row_state {
  SL_BATCH_ROW_SELECTED = 0, /* live: operators process it */
  SL_BATCH_ROW_DROPPED,      /* filtered out: skipped, not an error */
  SL_BATCH_ROW_ERROR         /* failed: its error follows the policy */
} sl_batch_row_state;

/* The error of a failed row, in the batch's arena. */
typedef struct sl_batch_error {
  sl_status code;
  char reason[24];     /* decode, type, overflow, ... */
  const char *message; /* NUL-terminated */
} sl_batch_error;

typedef struct sl_batch_row {
  int64_t offset;     /* source offset; -1 when none */
  int64_t timestamp;  /* source record timestamp, ms (ROWTIME) */
  int64_t event_time; /* event time, ms, for watermarks */
  int32_t partition;  /* source partition; -1 when none */
  uint16_t state;     /* sl_batch_row_state */
  uint16_t withdrawal; /* 1: the row withdraws the result row of its key
                          emitted before (a session that another replaced,
                          see window_agg.h); 0: an added or new row */
  const void *key;    /* raw record key, borrowed; may be NULL */
  const void *value;  /* raw record value, borrowed; may be NULL */
  uint32_t key_len;
  uint32_t value_len;
  sl_batch_error *error; /* set with state SL_BATCH_ROW_ERROR */
} sl_batch_row;

typedef struct sl_batch {
  int ncols;
  int capacity;
  int nrows;
  int nerrors;          /* rows in state SL_BATCH_ROW_ERROR */
  sl_value **cols;      /* cols[c][r] */
  sl_batch_row *rows;   /* capacity entries */
  sl_arena arena;       /* row data; reset with the batch */
} sl_batch;

/* A batch of ncols columns (0 is allowed) and room for capacity rows
 * (at least 1).  Returns NULL when out of memory or for bad sizes.  Free
 * it with sl_batch_free. */
sl_batch *sl_batch_create(int ncols, int capacity);

/* Frees the batch and everything in its arena.  Accepts NULL. */
void sl_batch_free(sl_batch *batch);

/* Empties the batch for reuse: no rows, arena released (its first block
 * kept).  Values and errors from before are invalid afterwards. */
void sl_batch_reset(sl_batch *batch);

/* Adds a row and returns its index, or -1 when the batch is full.  Its
 * values are NULL, its state SL_BATCH_ROW_SELECTED, its partition and
 * offset -1, the rest zero. */
int sl_batch_append_row(sl_batch *batch);

/* Marks row failed with a copy of err (message and reason) in the arena.
 * Returns SL_ERR_NOMEM when the copy fails (the row is still marked). */
sl_status sl_batch_set_error(sl_batch *batch, int row, const sl_error *err);

/* Rows that are still SL_BATCH_ROW_SELECTED. */
int sl_batch_selected_count(const sl_batch *batch);

static inline bool sl_batch_full(const sl_batch *batch) {
  return batch->nrows >= batch->capacity;
}

/* Column col: an array of nrows (valid) of capacity values. */
static inline sl_value *sl_batch_column(sl_batch *batch, int col) {
  return batch->cols[col];
}

static inline sl_value *sl_batch_value(sl_batch *batch, int row, int col) {
  return &batch->cols[col][row];
}

static inline sl_batch_row *sl_batch_row_meta(sl_batch *batch, int row) {
  return &batch->rows[row];
}

static inline bool sl_batch_row_selected(const sl_batch *batch, int row) {
  return batch->rows[row].state == SL_BATCH_ROW_SELECTED;
}

/* Marks a row dropped (filtered out). */
static inline void sl_batch_drop_row(sl_batch *batch, int row) {
  if (batch->rows[row].state == SL_BATCH_ROW_SELECTED)
    batch->rows[row].state = SL_BATCH_ROW_DROPPED;
}

/* The arena for data that rows of this batch point to. */
static inline sl_arena *sl_batch_arena(sl_batch *batch) {
  return &batch->arena;
}

#endif /* SLUICE_BATCH_H */
