/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg_internal.h - what the aggregate files share (internal to udf/).
 *
 * States that hold values of any type (MIN, MAX, FIRST, LAST, TOPK,
 * COLLECT_LIST, DISTINCT) keep their own copies: one malloc'd block per
 * value, so a state never points into a batch.  States are stored as
 * bytes in a little-endian encoding written and read by the helpers
 * below; values are encoded with their kind, so reading one needs no
 * type.  DISTINCT keys are the same encoding in canonical form (one bit
 * pattern for every NaN, +0 for -0), kept in a small hash set.
 */
#ifndef SLUICE_UDF_AGG_INTERNAL_H
#define SLUICE_UDF_AGG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/types/strbuf.h"
#include "engine/types/value.h"
#include "udf/agg.h"

/* The implementations, attached to the signatures in builtins_agg.c. */
extern const sl_func_agg_impl sl_agg_count_impl;
extern const sl_func_agg_impl sl_agg_sum_int_impl;
extern const sl_func_agg_impl sl_agg_sum_decimal_impl;
extern const sl_func_agg_impl sl_agg_sum_double_impl;
extern const sl_func_agg_impl sl_agg_avg_int_impl;
extern const sl_func_agg_impl sl_agg_avg_decimal_impl;
extern const sl_func_agg_impl sl_agg_avg_double_impl;
extern const sl_func_agg_impl sl_agg_sum_interval_impl;
extern const sl_func_agg_impl sl_agg_avg_interval_impl;
extern const sl_func_agg_impl sl_agg_stddev_impl;
extern const sl_func_agg_impl sl_agg_stddev_pop_impl;
extern const sl_func_agg_impl sl_agg_min_impl;
extern const sl_func_agg_impl sl_agg_max_impl;
extern const sl_func_agg_impl sl_agg_first_impl;
extern const sl_func_agg_impl sl_agg_last_impl;
extern const sl_func_agg_impl sl_agg_topk_impl;
extern const sl_func_agg_impl sl_agg_collect_impl;

/* TOPK's prepare step: checks k and keeps it in ctx->state. */
sl_status sl_agg_topk_prepare(sl_func_ctx *ctx,
                              const sl_value *const *consts,
                              sl_error *err);

/* True when row r of rows is to be taken. */
static inline bool sl_agg_row_on(const sl_agg_rows *rows, int r) {
  return !rows->active || rows->active[r];
}

/* The event time of row r (0 when the caller gave none). */
static inline int64_t sl_agg_row_time(const sl_agg_rows *rows, int r) {
  return rows->event_times ? rows->event_times[r] : 0;
}

/* Fails with SL_ERR_RECORD and a dead-letter reason (for result and
 * merge).  Returns SL_ERR_RECORD. */
sl_status sl_agg_record_error(sl_error *err, const char *reason,
                              const char *fmt, ...) SL_PRINTF(3, 4);

/* SL_ERR_RUNTIME for state bytes that do not read back, naming the
 * function of ctx. */
sl_status sl_agg_corrupt(const sl_func_ctx *ctx, sl_error *err);

/* SL_ERR_INTERNAL for retracting what was never added. */
sl_status sl_agg_not_added(const sl_func_ctx *ctx, sl_error *err);

/* ---- Owned values ----------------------------------------------------- */

/* Copies v into *out so that everything it points to lives in one
 * malloc'd block that *out owns.  False when out of memory (*out is then
 * NULL). */
bool sl_agg_value_own(const sl_value *v, sl_value *out);

/* Frees the block of a value made by sl_agg_value_own and sets it to
 * NULL. */
void sl_agg_value_release(sl_value *v);

/* ---- Encoding --------------------------------------------------------- */

void sl_agg_put_u8(sl_strbuf *sb, uint8_t v);
void sl_agg_put_u32(sl_strbuf *sb, uint32_t v);
void sl_agg_put_i64(sl_strbuf *sb, int64_t v);
void sl_agg_put_f64(sl_strbuf *sb, double v);
void sl_agg_put_i128(sl_strbuf *sb, sl_int128 v);

/* Appends v (kind first).  canonical folds every NaN into one and -0
 * into +0, for DISTINCT keys. */
void sl_agg_put_value(sl_strbuf *sb, const sl_value *v, bool canonical);

/* A bounds-checked reader; `bad` is sticky, and a read past the end or a
 * malformed value sets it and yields zeros. */
typedef struct sl_agg_reader {
  const uint8_t *p;
  const uint8_t *end;
  bool bad;
} sl_agg_reader;

static inline sl_agg_reader sl_agg_reader_make(const void *data,
                                               size_t len) {
  sl_agg_reader rd = {(const uint8_t *)data, (const uint8_t *)data + len,
                      data == NULL && len > 0};
  return rd;
}

/* True when the reader consumed everything without error. */
static inline bool sl_agg_reader_done(const sl_agg_reader *rd) {
  return !rd->bad && rd->p == rd->end;
}

uint8_t sl_agg_get_u8(sl_agg_reader *rd);
uint32_t sl_agg_get_u32(sl_agg_reader *rd);
int64_t sl_agg_get_i64(sl_agg_reader *rd);
double sl_agg_get_f64(sl_agg_reader *rd);
sl_int128 sl_agg_get_i128(sl_agg_reader *rd);

/* Reads a value written by sl_agg_put_value as an owned value
 * (sl_agg_value_own).  False when malformed (rd->bad) or out of memory
 * (*nomem); *out is NULL then. */
bool sl_agg_get_value(sl_agg_reader *rd, sl_value *out, bool *nomem);

/* Reads a value into arena memory.  Same failures. */
bool sl_agg_get_value_arena(sl_agg_reader *rd, sl_arena *arena,
                            sl_value *out, bool *nomem);

/* ---- A counted set of byte strings (DISTINCT) -------------------------- */

typedef struct sl_agg_set_entry {
  uint64_t hash;
  char *key;    /* malloc'd; NULL marks a free slot */
  uint32_t len;
  int64_t count;
} sl_agg_set_entry;

typedef struct sl_agg_set {
  sl_agg_set_entry *slots;
  size_t cap;   /* a power of two, or 0 */
  size_t n;     /* keys present */
} sl_agg_set;

/* Adds delta (positive or negative) to the count of key, inserting it
 * when new and removing it when the count reaches zero.  Returns SL_OK,
 * SL_ERR_NOMEM, or SL_ERR_INTERNAL when a negative delta meets a missing
 * key or drives a count below zero. */
sl_status sl_agg_set_add(sl_agg_set *set, const void *key, size_t len,
                         int64_t delta);

/* Frees every key and the slots; the set is empty afterwards. */
void sl_agg_set_clear(sl_agg_set *set);

#endif /* SLUICE_UDF_AGG_INTERNAL_H */
