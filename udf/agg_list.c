/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg_list.c - the aggregates whose result is an array: TOPK and
 * COLLECT_LIST.
 *
 * TOPK(x, k) keeps the k largest non-NULL values (duplicates count, as
 * rows would) in descending order, by sl_value_compare; equal values keep
 * their arrival order.  k is a constant from 1 to SL_AGG_TOPK_MAX,
 * checked when the call site opens.  A group with no non-NULL value
 * gives an empty array.
 *
 * COLLECT_LIST(x) keeps the non-NULL values in event-time order, ties in
 * arrival order, up to SL_AGG_COLLECT_MAX values per group.  A row past
 * the cap fails with reason "overflow" (it goes to the error policy
 * rather than being dropped silently) and is not collected; a merge that
 * would pass the cap fails the same way.  Neither aggregate retracts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "udf/agg_internal.h"
#include "udf/builtins.h"

#define FORMAT 1

/* An ARRAY of n values copied into arena. */
static sl_status array_result(sl_arena *arena, const sl_value *vals,
                              size_t stride, size_t n, sl_value *out,
                              sl_error *err) {
  sl_value *items = sl_arena_calloc(arena, n ? n : 1, sizeof(*items));
  if (!items)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const sl_value *v =
        (const sl_value *)(const void *)((const char *)vals + i * stride);
    sl_status rc = sl_value_copy(arena, v, &items[i], err);
    if (rc != SL_OK)
      return rc;
  }
  *out = sl_value_composite(SL_TYPE_ARRAY, items, (uint32_t)n);
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* TOPK                                                                */
/* ------------------------------------------------------------------ */

typedef struct topk_state {
  sl_value *items; /* owned, descending; room for k */
  int n;
} topk_state;

/* Checks k and keeps it in ctx->state. */
sl_status sl_agg_topk_prepare(sl_func_ctx *ctx,
                              const sl_value *const *consts,
                              sl_error *err) {
  const sl_value *k = ctx->nargs >= 2 ? consts[1] : NULL;
  if (!k)
    return sl_func_prepare_fail(ctx, err, "k must be a constant integer");
  if (k->kind == SL_TYPE_NULL)
    return sl_func_prepare_fail(ctx, err, "k must not be NULL");
  int64_t kv = k->kind == SL_TYPE_INT ? k->u.i32
               : k->kind == SL_TYPE_BIGINT ? k->u.i64
                                           : 0;
  if (kv < 1 || kv > SL_AGG_TOPK_MAX)
    return sl_func_prepare_fail(ctx, err,
                                "k must be between 1 and %d, got %lld",
                                SL_AGG_TOPK_MAX, (long long)kv);
  ctx->state = (void *)(intptr_t)kv;
  ctx->state_free = NULL;
  return SL_OK;
}

static int topk_k(const sl_func_ctx *ctx) {
  return (int)(intptr_t)ctx->state;
}

static size_t topk_size(const sl_func_ctx *ctx) { return sizeof(topk_state); }

static sl_status topk_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(topk_state));
  if (topk_k(ctx) < 1)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "topk: the call site was not prepared with k");
  return SL_OK;
}

static void topk_free(sl_func_ctx *ctx, void *state) {
  topk_state *st = state;
  for (int i = 0; i < st->n; i++)
    sl_agg_value_release(&st->items[i]);
  free(st->items);
  memset(st, 0, sizeof(*st));
}

/* Offers v to the top k: it goes after every value not below it. */
static sl_status topk_offer(const sl_func_ctx *ctx, topk_state *st,
                            const sl_value *v, sl_error *err) {
  int k = topk_k(ctx);
  if (st->n == k && sl_value_compare(v, &st->items[k - 1]) <= 0)
    return SL_OK;
  if (!st->items) {
    st->items = calloc((size_t)k, sizeof(*st->items));
    if (!st->items)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  sl_value copy;
  if (!sl_agg_value_own(v, &copy))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (st->n == k)
    sl_agg_value_release(&st->items[--st->n]);
  int lo = 0, hi = st->n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (sl_value_compare(&st->items[mid], v) >= 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  memmove(&st->items[lo + 1], &st->items[lo],
          (size_t)(st->n - lo) * sizeof(*st->items));
  st->items[lo] = copy;
  st->n++;
  return SL_OK;
}

static sl_status topk_add(sl_func_ctx *ctx, void *state,
                          const sl_agg_rows *rows, sl_error *err) {
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    sl_status rc = topk_offer(ctx, state, v, err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

static sl_status topk_merge(sl_func_ctx *ctx, void *into, const void *from,
                            sl_error *err) {
  const topk_state *b = from;
  for (int i = 0; i < b->n; i++) {
    sl_status rc = topk_offer(ctx, into, &b->items[i], err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

static sl_status topk_result(sl_func_ctx *ctx, const void *state,
                             sl_value *out, sl_error *err) {
  const topk_state *st = state;
  return array_result(ctx->arena, st->items, sizeof(sl_value),
                      (size_t)st->n, out, err);
}

static sl_status topk_serialize(sl_func_ctx *ctx, const void *state,
                                sl_strbuf *out, sl_error *err) {
  const topk_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_u32(out, (uint32_t)st->n);
  for (int i = 0; i < st->n; i++)
    sl_agg_put_value(out, &st->items[i], false);
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

static sl_status topk_deserialize(sl_func_ctx *ctx, void *state,
                                  const void *data, size_t len,
                                  sl_error *err) {
  topk_state *st = state;
  sl_status rc = topk_init(ctx, st, err);
  if (rc != SL_OK)
    return rc;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = sl_agg_get_u8(&rd) == FORMAT;
  uint32_t n = sl_agg_get_u32(&rd);
  ok = ok && n <= (uint32_t)topk_k(ctx);
  for (uint32_t i = 0; ok && i < n; i++) {
    sl_value v;
    bool nomem = false;
    if (!sl_agg_get_value(&rd, &v, &nomem)) {
      topk_free(ctx, st);
      if (nomem)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      return sl_agg_corrupt(ctx, err);
    }
    ok = v.kind != SL_TYPE_NULL;
    rc = ok ? topk_offer(ctx, st, &v, err) : SL_OK;
    sl_agg_value_release(&v);
    if (rc != SL_OK) {
      topk_free(ctx, st);
      return rc;
    }
  }
  if (!ok || !sl_agg_reader_done(&rd) || (uint32_t)st->n != n) {
    topk_free(ctx, st);
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_topk_impl = {
  topk_size, topk_init, topk_add, NULL, topk_merge, topk_result,
  topk_serialize, topk_deserialize, topk_free, NULL,
};

/* ------------------------------------------------------------------ */
/* COLLECT_LIST                                                        */
/* ------------------------------------------------------------------ */

typedef struct list_entry {
  sl_value v; /* first, so that an entry array can serve as values */
  int64_t ts;
} list_entry;

typedef struct list_state {
  list_entry *entries; /* by event time, then arrival */
  size_t n;
  size_t cap;
} list_state;

static size_t list_size(const sl_func_ctx *ctx) { return sizeof(list_state); }

static sl_status list_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(list_state));
  return SL_OK;
}

static void list_free(sl_func_ctx *ctx, void *state) {
  list_state *st = state;
  for (size_t i = 0; i < st->n; i++)
    sl_agg_value_release(&st->entries[i].v);
  free(st->entries);
  memset(st, 0, sizeof(*st));
}

static sl_status list_reserve(list_state *st, size_t n, sl_error *err) {
  if (n <= st->cap)
    return SL_OK;
  size_t ncap = st->cap ? st->cap : 8;
  while (ncap < n)
    ncap *= 2;
  list_entry *ne = realloc(st->entries, ncap * sizeof(*ne));
  if (!ne)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  st->entries = ne;
  st->cap = ncap;
  return SL_OK;
}

/* Inserts a copy of v after every entry not later than ts. */
static sl_status list_insert(list_state *st, const sl_value *v, int64_t ts,
                             sl_error *err) {
  sl_status rc = list_reserve(st, st->n + 1, err);
  if (rc != SL_OK)
    return rc;
  size_t lo = 0, hi = st->n;
  if (st->n > 0 && st->entries[st->n - 1].ts <= ts) {
    lo = st->n; /* in order: the common case */
  } else {
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (st->entries[mid].ts <= ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  }
  sl_value copy;
  if (!sl_agg_value_own(v, &copy))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  memmove(&st->entries[lo + 1], &st->entries[lo],
          (st->n - lo) * sizeof(*st->entries));
  st->entries[lo].v = copy;
  st->entries[lo].ts = ts;
  st->n++;
  return SL_OK;
}

static sl_status list_add(sl_func_ctx *ctx, void *state,
                          const sl_agg_rows *rows, sl_error *err) {
  list_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    if (st->n >= SL_AGG_COLLECT_MAX) {
      sl_value ignored;
      sl_func_fail(ctx, r, &ignored, "overflow",
                   "more than %d values in one group",
                   SL_AGG_COLLECT_MAX);
      continue;
    }
    sl_status rc = list_insert(st, v, sl_agg_row_time(rows, r), err);
    if (rc != SL_OK)
      return rc;
  }
  return SL_OK;
}

/* Merges by event time; on a tie into's entries come first. */
static sl_status list_merge(sl_func_ctx *ctx, void *into, const void *from,
                            sl_error *err) {
  list_state *a = into;
  const list_state *b = from;
  if (b->n == 0)
    return SL_OK;
  if (a->n + b->n > SL_AGG_COLLECT_MAX)
    return sl_agg_record_error(err, "overflow",
                               "collect_list: merging gives more than %d "
                               "values in one group", SL_AGG_COLLECT_MAX);
  list_entry *merged = malloc((a->n + b->n) * sizeof(*merged));
  if (!merged)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");

  /* Copy from's values first, so that a failure leaves into intact. */
  size_t nb = 0;
  list_entry *copies = malloc(b->n * sizeof(*copies));
  bool ok = copies != NULL;
  for (; ok && nb < b->n; nb++) {
    copies[nb].ts = b->entries[nb].ts;
    ok = sl_agg_value_own(&b->entries[nb].v, &copies[nb].v);
  }
  if (!ok) {
    for (size_t i = 0; copies && i + 1 < nb; i++)
      sl_agg_value_release(&copies[i].v);
    free(copies);
    free(merged);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }

  size_t i = 0, j = 0, k = 0;
  while (i < a->n || j < b->n) {
    if (j == b->n || (i < a->n && a->entries[i].ts <= copies[j].ts))
      merged[k++] = a->entries[i++];
    else
      merged[k++] = copies[j++];
  }
  free(copies);
  free(a->entries);
  a->entries = merged;
  a->n = k;
  a->cap = k;
  return SL_OK;
}

static sl_status list_result(sl_func_ctx *ctx, const void *state,
                             sl_value *out, sl_error *err) {
  const list_state *st = state;
  return array_result(ctx->arena, st->n ? &st->entries[0].v : NULL,
                      sizeof(list_entry), st->n, out, err);
}

static sl_status list_serialize(sl_func_ctx *ctx, const void *state,
                                sl_strbuf *out, sl_error *err) {
  const list_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_u32(out, (uint32_t)st->n);
  for (size_t i = 0; i < st->n; i++) {
    sl_agg_put_i64(out, st->entries[i].ts);
    sl_agg_put_value(out, &st->entries[i].v, false);
  }
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

static sl_status list_deserialize(sl_func_ctx *ctx, void *state,
                                  const void *data, size_t len,
                                  sl_error *err) {
  list_state *st = state;
  list_init(ctx, st, err);
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = sl_agg_get_u8(&rd) == FORMAT;
  uint32_t n = sl_agg_get_u32(&rd);
  ok = ok && n <= SL_AGG_COLLECT_MAX;
  sl_status rc = ok ? list_reserve(st, n, err) : SL_OK;
  if (rc != SL_OK)
    return rc;
  for (uint32_t i = 0; ok && i < n; i++) {
    int64_t ts = sl_agg_get_i64(&rd);
    bool nomem = false;
    list_entry *e = &st->entries[st->n];
    if (!sl_agg_get_value(&rd, &e->v, &nomem)) {
      list_free(ctx, st);
      if (nomem)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      return sl_agg_corrupt(ctx, err);
    }
    e->ts = ts;
    st->n++;
    ok = e->v.kind != SL_TYPE_NULL &&
         (st->n == 1 || st->entries[st->n - 2].ts <= ts);
  }
  if (!ok || !sl_agg_reader_done(&rd)) {
    list_free(ctx, st);
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_collect_impl = {
  list_size, list_init, list_add, NULL, list_merge, list_result,
  list_serialize, list_deserialize, list_free, NULL,
};
