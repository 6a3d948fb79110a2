/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch.c - creation, reuse and per-row errors of record batches.
 *
 * The fixed part of a batch (the struct, column pointers, value arrays and
 * row metadata) is one malloc made at create time and kept across resets,
 * so the steady state of an operator allocates nothing but arena bumps.
 */
#include "engine/types/batch.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Arena blocks for row data: large enough that a typical batch of
 * strings fits in one or two blocks. */
#define BATCH_ARENA_BLOCK (256 * 1024)

static size_t align_up(size_t n, size_t a) {
  return (n + a - 1) / a * a;
}

/* Lays out struct, column pointers, rows and values in one block. */
sl_batch *sl_batch_create(int ncols, int capacity) {
  if (ncols < 0 || capacity < 1 || capacity > INT32_MAX / 2)
    return NULL;

  size_t ncol = (size_t)ncols, cap = (size_t)capacity;
  size_t off_cols = align_up(sizeof(sl_batch), alignof(max_align_t));
  size_t off_rows = align_up(off_cols + ncol * sizeof(sl_value *),
                             alignof(max_align_t));
  size_t off_vals = align_up(off_rows + cap * sizeof(sl_batch_row),
                             alignof(max_align_t));
  if (ncol && cap > (SIZE_MAX - off_vals) / sizeof(sl_value) / ncol)
    return NULL;
  size_t total = off_vals + ncol * cap * sizeof(sl_value);

  unsigned char *block = malloc(total);
  if (!block)
    return NULL;
  sl_batch *b = (sl_batch *)block;
  b->ncols = ncols;
  b->capacity = capacity;
  b->nrows = 0;
  b->nerrors = 0;
  b->cols = (sl_value **)(block + off_cols);
  b->rows = (sl_batch_row *)(block + off_rows);
  sl_value *vals = (sl_value *)(block + off_vals);
  for (size_t c = 0; c < ncol; c++)
    b->cols[c] = vals + c * cap;
  sl_arena_init(&b->arena, BATCH_ARENA_BLOCK);
  return b;
}

/* Frees the block and the arena. */
void sl_batch_free(sl_batch *batch) {
  if (!batch)
    return;
  sl_arena_destroy(&batch->arena);
  free(batch);
}

/* Forgets the rows and releases their arena data. */
void sl_batch_reset(sl_batch *batch) {
  batch->nrows = 0;
  batch->nerrors = 0;
  sl_arena_reset(&batch->arena);
}

/* Appends an empty row. */
int sl_batch_append_row(sl_batch *batch) {
  if (batch->nrows >= batch->capacity)
    return -1;
  int r = batch->nrows++;
  sl_batch_row *row = &batch->rows[r];
  memset(row, 0, sizeof(*row));
  row->offset = -1;
  row->partition = -1;
  row->state = SL_BATCH_ROW_SELECTED;
  for (int c = 0; c < batch->ncols; c++) {
    /* Only the kind matters for a NULL. */
    batch->cols[c][r].kind = SL_TYPE_NULL;
    batch->cols[c][r].len = 0;
  }
  return r;
}

/* Marks a row failed and keeps a copy of the error. */
sl_status sl_batch_set_error(sl_batch *batch, int row, const sl_error *err) {
  sl_batch_row *meta = &batch->rows[row];
  if (meta->state != SL_BATCH_ROW_ERROR)
    batch->nerrors++;
  meta->state = SL_BATCH_ROW_ERROR;

  sl_batch_error *e = sl_arena_alloc(&batch->arena, sizeof(*e));
  char *msg = e ? sl_arena_strdup(&batch->arena, err->message) : NULL;
  if (!msg) {
    meta->error = NULL;
    return SL_ERR_NOMEM;
  }
  e->code = err->code;
  memcpy(e->reason, err->reason, sizeof(e->reason));
  e->reason[sizeof(e->reason) - 1] = '\0';
  e->message = msg;
  meta->error = e;
  return SL_OK;
}

/* Counts live rows. */
int sl_batch_selected_count(const sl_batch *batch) {
  int n = 0;
  for (int r = 0; r < batch->nrows; r++)
    n += batch->rows[r].state == SL_BATCH_ROW_SELECTED;
  return n;
}
