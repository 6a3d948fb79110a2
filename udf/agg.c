/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg.c - aggregate call sites: open one per aggregate call, then drive
 * its states through it.
 *
 * A call site picks the implementation (the signature's own, or its
 * sliding variant for OVER ... RANGE), runs the signature's prepare step
 * on the constant arguments, and wraps DISTINCT around any aggregate:
 * the state of AGG(DISTINCT x) is a counted set of x's canonical
 * encodings (counted so that sliding windows can retract), and its result
 * feeds the distinct values, in ascending order, to a fresh state of the
 * underlying aggregate.  COUNT(DISTINCT x) is the size of the set.
 */
#include "udf/agg.h"

#include <stdlib.h>
#include <string.h>

#include "udf/agg_internal.h"

#define DISTINCT_FORMAT 1

typedef struct distinct_state {
  sl_agg_set set;
} distinct_state;

/* ------------------------------------------------------------------ */
/* Opening and closing                                                 */
/* ------------------------------------------------------------------ */

/* Opens a call site (see agg.h). */
sl_status sl_agg_open(sl_agg *agg, const sl_func *func,
                      const sl_func_sig *sig, int nargs,
                      sl_type *const *arg_types, const sl_type *ret_type,
                      unsigned flags, const sl_value *const *consts,
                      sl_error *err) {
  memset(agg, 0, sizeof(*agg));
  sl_func_ctx_init(&agg->ctx, func, sig, nargs, arg_types, ret_type);
  agg->flags = flags;
  if (!sig || !sig->agg)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "function %s has no aggregate implementation",
                        func ? func->name : "?");

  const sl_func_agg_impl *impl = sig->agg;
  if ((flags & SL_AGG_SLIDING) && !impl->retract) {
    impl = impl->sliding;
    if (!impl || !impl->retract)
      return sl_error_set(err, SL_ERR_SQL,
                          "%s cannot be computed over a sliding window "
                          "(OVER ... RANGE)", func->name);
  }
  if (flags & SL_AGG_DISTINCT) {
    if (!(func->flags & SL_FUNC_DISTINCT) || nargs != 1)
      return sl_error_set(err, SL_ERR_SQL,
                          "DISTINCT is not supported in %s", func->name);
  }
  agg->impl = impl;

  sl_status rc = sl_func_ctx_prepare(&agg->ctx, consts, err);
  if (rc != SL_OK)
    return rc;
  agg->inner_size = impl->state_size(&agg->ctx);
  return SL_OK;
}

/* Opens a call site from a resolution. */
sl_status sl_agg_open_resolved(sl_agg *agg, const sl_func_resolved *res,
                               unsigned flags,
                               const sl_value *const *consts,
                               sl_error *err) {
  return sl_agg_open(agg, res->func, res->sig, res->nargs, res->arg_types,
                     res->ret_type, flags, consts, err);
}

/* Releases the call site. */
void sl_agg_close(sl_agg *agg) {
  sl_func_ctx_destroy(&agg->ctx);
  agg->impl = NULL;
}

/* Bytes of one state. */
size_t sl_agg_state_size(const sl_agg *agg) {
  return (agg->flags & SL_AGG_DISTINCT) ? sizeof(distinct_state)
                                        : agg->inner_size;
}

/* Whether states retract. */
bool sl_agg_can_retract(const sl_agg *agg) {
  return (agg->flags & SL_AGG_DISTINCT) || agg->impl->retract != NULL;
}

/* ------------------------------------------------------------------ */
/* States                                                              */
/* ------------------------------------------------------------------ */

/* Initializes an empty state. */
sl_status sl_agg_state_init(sl_agg *agg, void *state, sl_error *err) {
  if (agg->flags & SL_AGG_DISTINCT) {
    memset(state, 0, sizeof(distinct_state));
    return SL_OK;
  }
  return agg->impl->init(&agg->ctx, state, err);
}

/* Frees what a state holds. */
void sl_agg_state_free(sl_agg *agg, void *state) {
  if (agg->flags & SL_AGG_DISTINCT) {
    sl_agg_set_clear(&((distinct_state *)state)->set);
    return;
  }
  if (agg->impl->free)
    agg->impl->free(&agg->ctx, state);
}

/* Sets the call site up for one batch of row errors. */
static void begin_batch(sl_agg *agg, int nrows, sl_arena *arena) {
  agg->ctx.arena = arena;
  agg->ctx.nrows = nrows;
  agg->ctx.errors = NULL;
  agg->ctx.nerrors = 0;
  agg->ctx.out_of_memory = false;
}

static sl_status end_batch(sl_agg *agg, sl_status rc, sl_error *err) {
  if (rc == SL_OK && agg->ctx.out_of_memory)
    rc = sl_error_set(err, SL_ERR_NOMEM,
                      "out of memory recording a row error of %s",
                      agg->ctx.func->name);
  return rc;
}

/* Adds (delta 1) or retracts (delta -1) the distinct values of rows. */
static sl_status distinct_update(sl_agg *agg, distinct_state *st,
                                 const sl_agg_rows *rows, int delta,
                                 sl_error *err) {
  sl_strbuf key = SL_STRBUF_INIT;
  sl_status rc = SL_OK;
  for (int r = 0; r < rows->nrows && rc == SL_OK; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    sl_strbuf_reset(&key);
    sl_agg_put_value(&key, v, true);
    if (key.failed) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      break;
    }
    rc = sl_agg_set_add(&st->set, key.data, key.len, delta);
    if (rc == SL_ERR_NOMEM)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    else if (rc != SL_OK)
      rc = sl_agg_not_added(&agg->ctx, err);
  }
  sl_strbuf_free(&key);
  return rc;
}

/* Adds the active rows of a batch. */
sl_status sl_agg_add(sl_agg *agg, void *state, const sl_value *const *args,
                     int nrows, const bool *active,
                     const int64_t *event_times, sl_arena *arena,
                     sl_error *err) {
  sl_agg_rows rows = {nrows, args, active, event_times};
  begin_batch(agg, nrows, arena);
  sl_status rc;
  if (agg->flags & SL_AGG_DISTINCT)
    rc = distinct_update(agg, state, &rows, 1, err);
  else
    rc = agg->impl->add(&agg->ctx, state, &rows, err);
  return end_batch(agg, rc, err);
}

/* Retracts rows added before. */
sl_status sl_agg_retract(sl_agg *agg, void *state,
                         const sl_value *const *args, int nrows,
                         const bool *active, const int64_t *event_times,
                         sl_arena *arena, sl_error *err) {
  if (!sl_agg_can_retract(agg))
    return sl_error_set(err, SL_ERR_INTERNAL, "aggregate %s cannot retract",
                        agg->ctx.func->name);
  sl_agg_rows rows = {nrows, args, active, event_times};
  begin_batch(agg, nrows, arena);
  sl_status rc;
  if (agg->flags & SL_AGG_DISTINCT)
    rc = distinct_update(agg, state, &rows, -1, err);
  else
    rc = agg->impl->retract(&agg->ctx, state, &rows, err);
  return end_batch(agg, rc, err);
}

/* Folds from into into. */
sl_status sl_agg_merge(sl_agg *agg, void *into, const void *from,
                       sl_error *err) {
  if (!(agg->flags & SL_AGG_DISTINCT))
    return agg->impl->merge(&agg->ctx, into, from, err);
  distinct_state *dst = into;
  const distinct_state *src = from;
  for (size_t i = 0; i < src->set.cap; i++) {
    const sl_agg_set_entry *e = &src->set.slots[i];
    if (!e->key)
      continue;
    if (sl_agg_set_add(&dst->set, e->key, e->len, e->count) != SL_OK)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  return SL_OK;
}

static int value_cmp(const void *a, const void *b) {
  return sl_value_compare(a, b);
}

/* The result of AGG(DISTINCT x): the underlying aggregate over the
 * distinct values in ascending order. */
static sl_status distinct_result(sl_agg *agg, const distinct_state *st,
                                 sl_value *out, sl_error *err) {
  if (agg->impl == &sl_agg_count_impl) {
    *out = sl_value_bigint((int64_t)st->set.n);
    return SL_OK;
  }

  /* Decode the values and sort them, so that the result never depends
   * on the set's layout (a DOUBLE sum depends on the order of its
   * terms). */
  size_t n = st->set.n;
  sl_value *vals = sl_arena_calloc(agg->ctx.arena, n ? n : 1, sizeof(*vals));
  if (!vals)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  size_t k = 0;
  for (size_t i = 0; i < st->set.cap; i++) {
    const sl_agg_set_entry *e = &st->set.slots[i];
    if (!e->key)
      continue;
    sl_agg_reader rd = sl_agg_reader_make(e->key, e->len);
    bool nomem;
    if (!sl_agg_get_value_arena(&rd, agg->ctx.arena, &vals[k], &nomem))
      return nomem ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                   : sl_agg_corrupt(&agg->ctx, err);
    k++;
  }
  qsort(vals, k, sizeof(*vals), value_cmp);

  /* A fresh state of the underlying aggregate takes them as one batch.
   * A value it refuses (a SUM leaving BIGINT) makes the result fail. */
  void *inner = calloc(1, agg->inner_size ? agg->inner_size : 1);
  if (!inner)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_func_ctx saved = agg->ctx;
  const sl_value *cols[1] = {vals};
  sl_agg_rows rows = {(int)k, cols, NULL, NULL};
  sl_status rc = agg->impl->init(&agg->ctx, inner, err);
  if (rc == SL_OK) {
    agg->ctx.nrows = (int)k;
    agg->ctx.errors = NULL;
    agg->ctx.nerrors = 0;
    rc = agg->impl->add(&agg->ctx, inner, &rows, err);
    if (rc == SL_OK && agg->ctx.out_of_memory)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (rc == SL_OK && agg->ctx.nerrors > 0) {
      for (size_t r = 0; r < k; r++) {
        const sl_func_row_error *e = &agg->ctx.errors[r];
        if (e->reason) {
          rc = sl_agg_record_error(err, e->reason, "%s", e->message);
          break;
        }
      }
    }
    if (rc == SL_OK)
      rc = agg->impl->result(&agg->ctx, inner, out, err);
    if (agg->impl->free)
      agg->impl->free(&agg->ctx, inner);
  }
  free(inner);
  agg->ctx.nrows = saved.nrows;
  agg->ctx.errors = saved.errors;
  agg->ctx.nerrors = saved.nerrors;
  agg->ctx.out_of_memory = saved.out_of_memory;
  return rc;
}

/* The current value of a state. */
sl_status sl_agg_result(sl_agg *agg, const void *state, sl_arena *arena,
                        sl_value *out, sl_error *err) {
  *out = sl_value_null();
  agg->ctx.arena = arena;
  if (agg->flags & SL_AGG_DISTINCT)
    return distinct_result(agg, state, out, err);
  return agg->impl->result(&agg->ctx, state, out, err);
}

/* ------------------------------------------------------------------ */
/* Serialization                                                       */
/* ------------------------------------------------------------------ */

/* Appends a state's bytes. */
sl_status sl_agg_serialize(sl_agg *agg, const void *state, sl_strbuf *out,
                           sl_error *err) {
  if (!(agg->flags & SL_AGG_DISTINCT))
    return agg->impl->serialize(&agg->ctx, state, out, err);
  const distinct_state *st = state;
  sl_agg_put_u8(out, DISTINCT_FORMAT);
  sl_agg_put_u32(out, (uint32_t)st->set.n);
  for (size_t i = 0; i < st->set.cap; i++) {
    const sl_agg_set_entry *e = &st->set.slots[i];
    if (!e->key)
      continue;
    sl_agg_put_i64(out, e->count);
    sl_agg_put_u32(out, e->len);
    sl_strbuf_append(out, e->key, e->len);
  }
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

/* Rebuilds a state from its bytes. */
sl_status sl_agg_deserialize(sl_agg *agg, void *state, const void *data,
                             size_t len, sl_error *err) {
  if (!(agg->flags & SL_AGG_DISTINCT))
    return agg->impl->deserialize(&agg->ctx, state, data, len, err);
  distinct_state *st = state;
  memset(st, 0, sizeof(*st));
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  if (sl_agg_get_u8(&rd) != DISTINCT_FORMAT)
    return sl_agg_corrupt(&agg->ctx, err);
  uint32_t n = sl_agg_get_u32(&rd);
  for (uint32_t i = 0; i < n && !rd.bad; i++) {
    int64_t count = sl_agg_get_i64(&rd);
    uint32_t klen = sl_agg_get_u32(&rd);
    if (rd.bad || count <= 0 || klen > (size_t)(rd.end - rd.p)) {
      rd.bad = true;
      break;
    }
    sl_status rc = sl_agg_set_add(&st->set, rd.p, klen, count);
    if (rc != SL_OK) {
      sl_agg_set_clear(&st->set);
      return rc == SL_ERR_NOMEM
                 ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                 : sl_agg_corrupt(&agg->ctx, err);
    }
    rd.p += klen;
  }
  if (!sl_agg_reader_done(&rd) || st->set.n != n) {
    sl_agg_set_clear(&st->set);
    return sl_agg_corrupt(&agg->ctx, err);
  }
  return SL_OK;
}
