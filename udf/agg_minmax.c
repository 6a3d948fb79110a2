/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg_minmax.c - MIN, MAX, FIRST and LAST: aggregates that keep one
 * value of any type.
 *
 * MIN and MAX compare with sl_value_compare (numbers exactly, strings in
 * code point order, DATE and TIMESTAMP as instants, NaN above every
 * number, composites item by item).  Their states keep only the extreme
 * value, which cannot be retracted; their sliding variants, used OVER
 * (... RANGE ...), keep the window's values as a sorted multiset (each
 * distinct value once, with a count), so that a value leaving the window
 * is found by binary search and the extreme is the first or last entry.
 *
 * FIRST and LAST keep the non-NULL value with the earliest (latest)
 * event time; on equal times FIRST keeps the one that arrived first and
 * LAST the one that arrived last.  They do not retract.
 */
#include <stdlib.h>
#include <string.h>

#include "udf/agg_internal.h"

#define FORMAT 1

/* MIN/MAX's sign and FIRST/LAST's direction. */
enum { PICK_MIN, PICK_MAX, PICK_FIRST, PICK_LAST };

typedef struct one_state {
  bool has;
  int64_t ts;  /* FIRST, LAST: the value's event time */
  sl_value v;  /* owned (sl_agg_value_own) */
} one_state;

/* True when candidate (with time ct) should replace what st holds. */
static bool better(int pick, const one_state *st, const sl_value *cand,
                   int64_t ct) {
  if (!st->has)
    return true;
  switch (pick) {
  case PICK_MIN: return sl_value_compare(cand, &st->v) < 0;
  case PICK_MAX: return sl_value_compare(cand, &st->v) > 0;
  case PICK_FIRST: return ct < st->ts;
  default: return ct >= st->ts;
  }
}

static size_t one_size(const sl_func_ctx *ctx) { return sizeof(one_state); }

static sl_status one_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(one_state));
  ((one_state *)state)->v = sl_value_null();
  return SL_OK;
}

static void one_free(sl_func_ctx *ctx, void *state) {
  one_state *st = state;
  sl_agg_value_release(&st->v);
  st->has = false;
}

/* Makes st hold a copy of v (time ts). */
static sl_status one_take(one_state *st, const sl_value *v, int64_t ts,
                          sl_error *err) {
  sl_value copy;
  if (!sl_agg_value_own(v, &copy))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_agg_value_release(&st->v);
  st->v = copy;
  st->ts = ts;
  st->has = true;
  return SL_OK;
}

/* Finds the batch's best row first, so that only one copy is made. */
static sl_status one_add(int pick, void *state, const sl_agg_rows *rows,
                         sl_error *err) {
  one_state *st = state;
  one_state best = *st;
  int at = -1;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    int64_t t = sl_agg_row_time(rows, r);
    if (better(pick, &best, v, t)) {
      best.has = true;
      best.v = *v;
      best.ts = t;
      at = r;
    }
  }
  if (at < 0)
    return SL_OK;
  return one_take(st, &rows->args[0][at], best.ts, err);
}

static sl_status one_merge(int pick, void *into, const void *from,
                           sl_error *err) {
  const one_state *b = from;
  one_state *a = into;
  if (!b->has)
    return SL_OK;
  /* from's rows arrived after into's: FIRST keeps into's on a tie, LAST
   * takes from's. */
  if (!better(pick, a, &b->v, b->ts))
    return SL_OK;
  return one_take(a, &b->v, b->ts, err);
}

static sl_status one_result(sl_func_ctx *ctx, const void *state,
                            sl_value *out, sl_error *err) {
  const one_state *st = state;
  if (!st->has)
    return SL_OK;
  return sl_value_copy(ctx->arena, &st->v, out, err);
}

static sl_status one_serialize(sl_func_ctx *ctx, const void *state,
                               sl_strbuf *out, sl_error *err) {
  const one_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_u8(out, st->has ? 1 : 0);
  if (st->has) {
    sl_agg_put_i64(out, st->ts);
    sl_agg_put_value(out, &st->v, false);
  }
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

static sl_status one_deserialize(sl_func_ctx *ctx, void *state,
                                 const void *data, size_t len,
                                 sl_error *err) {
  one_state *st = state;
  one_init(ctx, st, err);
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = sl_agg_get_u8(&rd) == FORMAT;
  uint8_t has = sl_agg_get_u8(&rd);
  if (ok && has == 1) {
    bool nomem = false;
    st->ts = sl_agg_get_i64(&rd);
    if (!sl_agg_get_value(&rd, &st->v, &nomem)) {
      if (nomem)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      ok = false;
    }
    st->has = ok && st->v.kind != SL_TYPE_NULL;
    ok = ok && st->has;
  } else if (has != 0) {
    ok = false;
  }
  if (!ok || !sl_agg_reader_done(&rd)) {
    one_free(ctx, st);
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

#define ONE_IMPL(NAME, PICK, SLIDING)                                     \
  static sl_status NAME##_add(sl_func_ctx *ctx, void *state,              \
                              const sl_agg_rows *rows, sl_error *err) {   \
    return one_add(PICK, state, rows, err);                               \
  }                                                                       \
  static sl_status NAME##_merge(sl_func_ctx *ctx, void *into,             \
                                const void *from, sl_error *err) {        \
    return one_merge(PICK, into, from, err);                              \
  }                                                                       \
  const sl_func_agg_impl sl_agg_##NAME##_impl = {                         \
    one_size, one_init, NAME##_add, NULL, NAME##_merge, one_result,       \
    one_serialize, one_deserialize, one_free, SLIDING,                    \
  };

/* ------------------------------------------------------------------ */
/* The sliding multiset                                                */
/* ------------------------------------------------------------------ */

typedef struct ms_entry {
  sl_value v; /* owned */
  int64_t count;
} ms_entry;

typedef struct ms_state {
  ms_entry *entries; /* ascending */
  size_t n;
  size_t cap;
} ms_state;

static size_t ms_size(const sl_func_ctx *ctx) { return sizeof(ms_state); }

static sl_status ms_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(ms_state));
  return SL_OK;
}

static void ms_free(sl_func_ctx *ctx, void *state) {
  ms_state *st = state;
  for (size_t i = 0; i < st->n; i++)
    sl_agg_value_release(&st->entries[i].v);
  free(st->entries);
  memset(st, 0, sizeof(*st));
}

/* The index of the first entry not below v; *found when it equals v. */
static size_t ms_find(const ms_state *st, const sl_value *v, bool *found) {
  size_t lo = 0, hi = st->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (sl_value_compare(&st->entries[mid].v, v) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  *found = lo < st->n && sl_value_compare(&st->entries[lo].v, v) == 0;
  return lo;
}

/* Adds count copies of v. */
static sl_status ms_insert(ms_state *st, const sl_value *v, int64_t count,
                           sl_error *err) {
  bool found;
  size_t at = ms_find(st, v, &found);
  if (found) {
    st->entries[at].count += count;
    return SL_OK;
  }
  if (st->n == st->cap) {
    size_t ncap = st->cap ? st->cap * 2 : 8;
    ms_entry *ne = realloc(st->entries, ncap * sizeof(*ne));
    if (!ne)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    st->entries = ne;
    st->cap = ncap;
  }
  sl_value copy;
  if (!sl_agg_value_own(v, &copy))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  memmove(&st->entries[at + 1], &st->entries[at],
          (st->n - at) * sizeof(*st->entries));
  st->entries[at].v = copy;
  st->entries[at].count = count;
  st->n++;
  return SL_OK;
}

static sl_status ms_add(sl_func_ctx *ctx, void *state,
                        const sl_agg_rows *rows, sl_error *err) {
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    sl_status rc = ms_insert(state, v, 1, err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

static sl_status ms_retract(sl_func_ctx *ctx, void *state,
                            const sl_agg_rows *rows, sl_error *err) {
  ms_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    bool found;
    size_t at = ms_find(st, v, &found);
    if (!found)
      return sl_agg_not_added(ctx, err);
    if (--st->entries[at].count > 0)
      continue;
    sl_agg_value_release(&st->entries[at].v);
    memmove(&st->entries[at], &st->entries[at + 1],
            (st->n - at - 1) * sizeof(*st->entries));
    st->n--;
  }
  return SL_OK;
}

static sl_status ms_merge(sl_func_ctx *ctx, void *into, const void *from,
                          sl_error *err) {
  const ms_state *b = from;
  for (size_t i = 0; i < b->n; i++) {
    sl_status rc = ms_insert(into, &b->entries[i].v, b->entries[i].count,
                             err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

static sl_status ms_result(sl_func_ctx *ctx, const ms_state *st, bool max,
                           sl_value *out, sl_error *err) {
  if (st->n == 0)
    return SL_OK;
  return sl_value_copy(ctx->arena, &st->entries[max ? st->n - 1 : 0].v, out,
                       err);
}

static sl_status ms_min_result(sl_func_ctx *ctx, const void *state,
                               sl_value *out, sl_error *err) {
  return ms_result(ctx, state, false, out, err);
}

static sl_status ms_max_result(sl_func_ctx *ctx, const void *state,
                               sl_value *out, sl_error *err) {
  return ms_result(ctx, state, true, out, err);
}

static sl_status ms_serialize(sl_func_ctx *ctx, const void *state,
                              sl_strbuf *out, sl_error *err) {
  const ms_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_u32(out, (uint32_t)st->n);
  for (size_t i = 0; i < st->n; i++) {
    sl_agg_put_i64(out, st->entries[i].count);
    sl_agg_put_value(out, &st->entries[i].v, false);
  }
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

static sl_status ms_deserialize(sl_func_ctx *ctx, void *state,
                                const void *data, size_t len,
                                sl_error *err) {
  ms_state *st = state;
  ms_init(ctx, st, err);
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = sl_agg_get_u8(&rd) == FORMAT;
  uint32_t n = sl_agg_get_u32(&rd);
  for (uint32_t i = 0; ok && i < n; i++) {
    int64_t count = sl_agg_get_i64(&rd);
    sl_value v;
    bool nomem = false;
    if (!sl_agg_get_value(&rd, &v, &nomem)) {
      ms_free(ctx, st);
      if (nomem)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      return sl_agg_corrupt(ctx, err);
    }
    /* Entries come sorted and distinct; anything else is corrupt. */
    ok = count > 0 && v.kind != SL_TYPE_NULL &&
         (st->n == 0 ||
          sl_value_compare(&st->entries[st->n - 1].v, &v) < 0);
    sl_status rc = ok ? ms_insert(st, &v, count, err) : SL_OK;
    sl_agg_value_release(&v);
    if (rc != SL_OK) {
      ms_free(ctx, st);
      return rc;
    }
  }
  if (!ok || !sl_agg_reader_done(&rd)) {
    ms_free(ctx, st);
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

static const sl_func_agg_impl min_sliding_impl = {
  ms_size, ms_init, ms_add, ms_retract, ms_merge, ms_min_result,
  ms_serialize, ms_deserialize, ms_free, NULL,
};

static const sl_func_agg_impl max_sliding_impl = {
  ms_size, ms_init, ms_add, ms_retract, ms_merge, ms_max_result,
  ms_serialize, ms_deserialize, ms_free, NULL,
};

ONE_IMPL(min, PICK_MIN, &min_sliding_impl)
ONE_IMPL(max, PICK_MAX, &max_sliding_impl)
ONE_IMPL(first, PICK_FIRST, NULL)
ONE_IMPL(last, PICK_LAST, NULL)
