/* SPDX-License-Identifier: Apache-2.0 */
/*
 * over.c - LAG and sliding OVER aggregates (see over.h).
 *
 * A key's history is an array of rows sorted by (event time, arrival),
 * each row one allocation holding the values the calls need later (its
 * own copies).  Each sliding call keeps a running state per key: the
 * aggregate over the history rows at or after its range start `lo`,
 * which follows the latest in-order event time.  Keys sit in a heap by
 * the time their oldest row may go, which the watermark drains.
 *
 * Outline of a batch:
 *   1. evaluate the partition keys, LAG values and defaults, and the
 *      sliding calls' arguments;
 *   2. per live row: lateness (late rows are routed and dropped), its
 *      key, its place in the history; LAG reads the rows before that
 *      place; sliding calls update their running state (in order) or
 *      aggregate the row's range afresh (out of order); then the row
 *      joins the history;
 *   3. emit the input rows with the call columns.
 */
#include "engine/ops/over.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/aggset.h"
#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"
#include "engine/ops/stateful.h"

#define TAG_KEY 'O'

typedef struct hrow {
  int64_t ts;
  uint64_t seq;
  sl_value vals[];   /* the stored values; their data follows */
} hrow;

typedef struct okey {
  sl_keymap_node node;     /* key: i32 partition | partition values */
  sl_timeheap_item evict;  /* time after which its oldest row may go */
  sl_stateful_part *part;
  hrow **rows;             /* rows[head .. head + n), sorted */
  size_t head, n, cap;
  int64_t max_ts;          /* latest event time in the history */
  void **running;          /* per sliding call: its state block */
  int64_t *lo;             /* per sliding call: its range start */
  bool dirty;
  size_t klen;
  unsigned char key[];
} okey;

typedef struct ocall {
  sl_over_kind kind;
  int64_t offset;          /* LAG n */
  sl_expr *value;          /* LAG x */
  sl_expr *dflt;           /* LAG default, or NULL */
  const sl_value *vcol;    /* this batch's x */
  const sl_value *dcol;    /* this batch's defaults */
  int store;               /* first stored value */
  int64_t range;           /* sliding */
  sl_aggset agg;           /* sliding: this call alone */
  bool agg_open;
  int slide;               /* index among the sliding calls */
} ocall;

typedef struct over_op {
  sl_op base;
  char *state_name;
  int ninput;
  int npart;
  sl_bexpr *const *part_b;
  int ncalls;
  const sl_over_call *calls_b;
  sl_expr_options opts;

  bool ready;
  sl_expr **pkeys;
  const sl_value **pcols;
  ocall *calls;
  int nslide;
  int nstored;
  int64_t maxrange;        /* widest range, or -1 without sliding calls */
  int64_t maxlag;          /* largest LAG offset, or 0 */
  sl_stateful st;
  sl_keymap keys;
  sl_timeheap evicting;
  sl_strbuf kb;
  sl_strbuf vb;
  sl_arena scratch;        /* decoding while restoring */
  const sl_value **argp;   /* a history row's values, for the aggregates */
  const sl_value **sv;     /* nstored: the values a new row stores */
  bool *added;             /* per sliding call: took the current row */
  sl_value **rcols;        /* ncalls result columns */
  int cap;
  sl_value **view_cols;
  sl_batch view;
  long nrows;
} over_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in over");
}

static okey *key_of_node(sl_keymap_node *n) {
  return (okey *)((char *)n - offsetof(okey, node));
}

static okey *key_of_item(sl_timeheap_item *it) {
  return (okey *)((char *)it - offsetof(okey, evict));
}

/* A history row holding copies of the n values vals points at. */
static hrow *hrow_new(int64_t ts, uint64_t seq, const sl_value *const *vals,
                      int n) {
  size_t payload = sl_rowcodec_copy_size(vals, n);
  hrow *h = malloc(sizeof(*h) + (size_t)n * sizeof(sl_value) + payload);
  if (!h)
    return NULL;
  h->ts = ts;
  h->seq = seq;
  sl_rowcodec_copy_values(vals, n, h->vals, &h->vals[n]);
  return h;
}

/* ==== Keys ============================================================= */

static void key_free(over_op *o, okey *k) {
  for (size_t i = 0; i < k->n; i++)
    free(k->rows[k->head + i]);
  o->nrows -= (long)k->n;
  for (int s = 0; k->running && s < o->ncalls; s++) {
    ocall *c = &o->calls[s];
    if (c->kind == SL_OVER_AGGREGATE && k->running[c->slide]) {
      sl_aggset_free(&c->agg, k->running[c->slide]);
      free(k->running[c->slide]);
    }
  }
  free(k->running);
  free(k->lo);
  free(k->rows);
  free(k);
}

/* A new key for the map key in o->kb, with empty running states. */
static sl_status key_new(over_op *o, sl_stateful_part *part, uint64_t hash,
                         okey **out, sl_error *err) {
  okey *k = calloc(1, sizeof(*k) + o->kb.len);
  if (!k)
    return nomem(err);
  memcpy(k->key, o->kb.data, o->kb.len);
  k->klen = o->kb.len;
  k->node.key = k->key;
  k->node.klen = k->klen;
  k->node.hash = hash;
  k->part = part;
  k->max_ts = INT64_MIN;
  k->evict.index = SIZE_MAX;
  k->running = calloc((size_t)o->nslide + 1, sizeof(*k->running));
  k->lo = calloc((size_t)o->nslide + 1, sizeof(*k->lo));
  if (!k->running || !k->lo) {
    key_free(o, k);
    return nomem(err);
  }
  for (int i = 0; i < o->ncalls; i++) {
    ocall *c = &o->calls[i];
    if (c->kind != SL_OVER_AGGREGATE)
      continue;
    k->lo[c->slide] = INT64_MIN;
    void *block = malloc(c->agg.size);
    sl_status rc = block ? sl_aggset_init(&c->agg, block, err) : nomem(err);
    if (rc) {
      free(block);
      key_free(o, k);
      return rc;
    }
    k->running[c->slide] = block;
  }
  sl_status rc = sl_keymap_insert(&o->keys, &k->node, err);
  if (rc) {
    key_free(o, k);
    return rc;
  }
  *out = k;
  return SL_OK;
}

/* The time after which k's oldest row may go (see over.h), or
 * INT64_MAX when it must stay whatever the watermark. */
static int64_t evict_time(const over_op *o, const okey *k) {
  if (k->n == 0)
    return INT64_MIN;
  int64_t t = INT64_MIN;
  if (o->maxrange >= 0)
    t = sl_time_add(k->rows[k->head]->ts, o->maxrange);
  if (o->maxlag > 0) {
    if (k->n <= (size_t)o->maxlag)
      return INT64_MAX;
    int64_t t2 = k->rows[k->head + (size_t)o->maxlag]->ts;
    if (t2 > t)
      t = t2;
  }
  return t;
}

/* Places k in the eviction heap at its current time. */
static sl_status key_schedule(over_op *o, okey *k, sl_error *err) {
  int64_t t = evict_time(o, k);
  if (t == INT64_MAX) {
    sl_timeheap_remove(&o->evicting, &k->evict);
    return SL_OK;
  }
  k->evict.time = t;
  k->evict.seq = k->node.hash;
  if (sl_timeheap_contains(&k->evict)) {
    sl_timeheap_update(&o->evicting, &k->evict);
    return SL_OK;
  }
  return sl_timeheap_push(&o->evicting, &k->evict, err);
}

/* Inserts h at position p of k's rows. */
static sl_status key_insert(over_op *o, okey *k, size_t p, hrow *h,
                            sl_error *err) {
  if (k->head + k->n == k->cap) {
    if (k->head > 0 && k->head >= k->n) {
      memmove(k->rows, k->rows + k->head, k->n * sizeof(*k->rows));
      k->head = 0;
    } else {
      size_t cap = k->cap ? 2 * k->cap : 4;
      hrow **rows = realloc(k->rows, cap * sizeof(*rows));
      if (!rows)
        return nomem(err);
      k->rows = rows;
      k->cap = cap;
    }
  }
  hrow **base = k->rows + k->head;
  memmove(base + p + 1, base + p, (k->n - p) * sizeof(*base));
  base[p] = h;
  k->n++;
  o->nrows++;
  return SL_OK;
}

/* The position after every row with event time <= ts. */
static size_t upper_bound(const okey *k, int64_t ts) {
  size_t lo = 0, hi = k->n;
  hrow *const *base = k->rows + k->head;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (base[mid]->ts <= ts)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The stored values of h that call c aggregates, into o->argp. */
static void point_stored(over_op *o, const ocall *c, const hrow *h) {
  for (int a = 0; a < c->agg.nargs; a++)
    o->argp[a] = &h->vals[c->store + a];
}

/* ==== Input ============================================================ */

static sl_status reserve(over_op *o, int cap, sl_error *err) {
  if (cap <= o->cap)
    return SL_OK;
  for (int i = 0; i < o->ncalls; i++) {
    sl_value *v = realloc(o->rcols[i], (size_t)cap * sizeof(*v));
    if (!v)
      return nomem(err);
    o->rcols[i] = v;
  }
  o->cap = cap;
  return SL_OK;
}

/* Step 2 for one sliding call and one row (its place p in k): the
 * row's result into *out.  *added tells whether the running state took
 * the row; *refused, that an aggregate refused it (*rowerr says why),
 * and then neither the result nor the running state has it. */
static sl_status slide_row(over_op *o, ocall *c, okey *k, size_t p,
                           int64_t ts, int r, sl_arena *arena,
                           sl_value *out, bool *added, bool *refused,
                           sl_error *rowerr, sl_error *err) {
  void *run = k->running[c->slide];
  hrow *const *base = k->rows + k->head;
  int64_t lo = sl_time_add(ts, -c->range);
  sl_status rc;
  bool no;
  *added = false;
  *refused = false;
  sl_aggset_point_row(&c->agg, r);

  if (p == k->n) {
    /* In order: retract what fell out of the range, add the row. */
    for (size_t i = 0; i < k->n && base[i]->ts < lo; i++) {
      if (base[i]->ts < k->lo[c->slide])
        continue;
      point_stored(o, c, base[i]);
      if ((rc = sl_aggset_retract(&c->agg, run, o->argp, base[i]->ts, err)))
        return rc;
    }
    if (lo > k->lo[c->slide])
      k->lo[c->slide] = lo;
    if ((rc = sl_aggset_add(&c->agg, run, c->agg.argp, ts, refused, rowerr,
                            err)) ||
        *refused)
      return rc;
    *added = true;
    return sl_aggset_results(&c->agg, run, arena, out, NULL, err);
  }

  /* Out of order: the row's own range afresh; the running state takes
   * the row when it lies in its range. */
  void *tmp = malloc(c->agg.size);
  if (!tmp)
    return nomem(err);
  if ((rc = sl_aggset_init(&c->agg, tmp, err))) {
    free(tmp);
    return rc;
  }
  size_t first = p;
  while (first > 0 && base[first - 1]->ts >= lo)
    first--;
  /* Rows of the history were taken once already: none is refused. */
  for (size_t i = first; i < p && !rc; i++) {
    point_stored(o, c, base[i]);
    rc = sl_aggset_add(&c->agg, tmp, o->argp, base[i]->ts, &no, rowerr,
                       err);
  }
  if (!rc)
    rc = sl_aggset_add(&c->agg, tmp, c->agg.argp, ts, refused, rowerr, err);
  if (!rc && !*refused)
    rc = sl_aggset_results(&c->agg, tmp, arena, out, NULL, err);
  sl_aggset_free(&c->agg, tmp);
  free(tmp);
  if (!rc && !*refused && ts >= k->lo[c->slide]) {
    rc = sl_aggset_add(&c->agg, run, c->agg.argp, ts, refused, rowerr, err);
    *added = !rc && !*refused;
  }
  return rc;
}

static sl_status over_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  over_op *o = (over_op *)op;
  sl_batch *b = in->batch;
  sl_arena *arena = sl_batch_arena(b);
  sl_status rc;
  if ((rc = reserve(o, b->capacity, err)))
    return rc;

  /* Step 1. */
  int failed = 0, total = 0;
  for (int k = 0; k < o->npart; k++) {
    if ((rc = sl_expr_run(o->pkeys[k], b, arena, &o->pcols[k], &failed,
                          err)))
      return rc;
    total += failed;
  }
  for (int i = 0; i < o->ncalls; i++) {
    ocall *c = &o->calls[i];
    if (c->kind == SL_OVER_LAG) {
      if ((rc = sl_expr_run(c->value, b, arena, &c->vcol, &failed, err)))
        return rc;
      total += failed;
      if (c->dflt) {
        if ((rc = sl_expr_run(c->dflt, b, arena, &c->dcol, &failed, err)))
          return rc;
        total += failed;
      }
    } else {
      if ((rc = sl_aggset_eval(&c->agg, b, &failed, err)))
        return rc;
      total += failed;
    }
  }
  atomic_fetch_add_explicit(&op->counters.records_failed, total,
                            memory_order_relaxed);

  /* Step 2. */
  const sl_value **sv = o->sv;
  for (int r = 0; r < b->nrows; r++) {
    for (int i = 0; i < o->ncalls; i++)
      o->rcols[i][r] = sl_value_null();
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_stateful_part *part;
    if ((rc = sl_stateful_part_get(&o->st, b->rows[r].partition, &part, err)))
      return rc;
    int64_t wm = sl_stateful_row_watermark(op, port, in, r, part);
    int64_t ts = b->rows[r].event_time;
    if (ts < wm) {
      char t[48], m[48], msg[200];
      snprintf(msg, sizeof(msg),
               "event time %s is behind watermark %s: the key's history "
               "before it is gone",
               sl_stateful_time_text(ts, t), sl_stateful_time_text(wm, m));
      if ((rc = sl_stateful_late(op, in, r, msg, err)))
        return rc;
      sl_batch_drop_row(b, r);
      continue;
    }

    sl_strbuf_reset(&o->kb);
    unsigned char pp[4];
    for (int i = 0; i < 4; i++)
      pp[i] = (unsigned char)((uint32_t)part->partition >> (8 * i));
    sl_strbuf_append(&o->kb, pp, 4);
    for (int k = 0; k < o->npart; k++)
      sl_rowcodec_put_value(&o->kb, &o->pcols[k][r]);
    if (o->kb.failed)
      return nomem(err);
    uint64_t hash = sl_keymap_hash(o->kb.data, o->kb.len);
    sl_keymap_node *n = sl_keymap_find(&o->keys, o->kb.data, o->kb.len, hash);
    okey *k;
    if (n)
      k = key_of_node(n);
    else if ((rc = key_new(o, part, hash, &k, err)))
      return rc;
    size_t p = upper_bound(k, ts);

    int refused_at = -1;
    sl_error rowerr;
    for (int i = 0; i < o->ncalls && refused_at < 0; i++) {
      ocall *c = &o->calls[i];
      if (c->kind == SL_OVER_LAG) {
        sl_value *out = &o->rcols[i][r];
        if ((int64_t)p >= c->offset)
          *out = k->rows[k->head + p - (size_t)c->offset]->vals[c->store];
        else if (c->dflt)
          *out = c->dcol[r];
        sv[c->store] = &c->vcol[r];
        continue;
      }
      bool added, refused;
      if ((rc = slide_row(o, c, k, p, ts, r, arena, &o->rcols[i][r], &added,
                          &refused, &rowerr, err)))
        return rc;
      o->added[c->slide] = added;
      if (refused)
        refused_at = i;
      for (int a = 0; a < c->agg.nargs; a++)
        sv[c->store + a] = c->agg.argp[a];
    }
    if (refused_at >= 0) {
      /* The row fails: it leaves the running states that took it and
       * stays out of the history. */
      for (int i = 0; i < refused_at; i++) {
        ocall *c = &o->calls[i];
        if (c->kind != SL_OVER_AGGREGATE || !o->added[c->slide])
          continue;
        if ((rc = sl_aggset_retract(&c->agg, k->running[c->slide],
                                    c->agg.argp, ts, err)))
          return rc;
      }
      atomic_fetch_add_explicit(&op->counters.records_failed, 1,
                                memory_order_relaxed);
      if (sl_batch_set_error(b, r, &rowerr))
        return nomem(err);
      if (k->n == 0) {
        sl_keymap_remove(&o->keys, &k->node);
        key_free(o, k);
      }
      continue;
    }

    hrow *h = hrow_new(ts, sl_stateful_seq(&o->st), sv, o->nstored);
    if (!h)
      return nomem(err);
    if ((rc = key_insert(o, k, p, h, err))) {
      free(h);
      return rc;
    }
    if (ts > k->max_ts)
      k->max_ts = ts;
    k->dirty = true;
    if ((rc = key_schedule(o, k, err)))
      return rc;
  }

  /* Step 3. */
  for (int c = 0; c < o->ninput; c++)
    o->view_cols[c] = b->cols[c];
  for (int i = 0; i < o->ncalls; i++)
    o->view_cols[o->ninput + i] = o->rcols[i];
  o->view.ncols = o->ninput + o->ncalls;
  o->view.capacity = b->capacity;
  o->view.nrows = b->nrows;
  o->view.nerrors = b->nerrors;
  o->view.cols = o->view_cols;
  o->view.rows = b->rows;
  sl_op_batch out = *in;
  out.batch = &o->view;
  return sl_op_emit(op, &out, err);
}

/* ==== Watermarks, partitions, checkpoints ============================== */

/* The table key of k. */
static sl_status table_key(over_op *o, const okey *k) {
  sl_strbuf_reset(&o->kb);
  sl_strbuf_appendc(&o->kb, TAG_KEY);
  sl_strbuf_append(&o->kb, k->key + 4, k->klen - 4);
  return o->kb.failed ? SL_ERR_NOMEM : SL_OK;
}

/* Drops the rows of k the watermark no longer needs. */
static sl_status evict_rows(over_op *o, okey *k, int64_t wm, sl_error *err) {
  while (k->n > 0) {
    hrow *h = k->rows[k->head];
    if (o->maxrange >= 0 && !(sl_time_add(h->ts, o->maxrange) < wm))
      break;
    if (o->maxlag > 0 && !(k->n > (size_t)o->maxlag &&
                           k->rows[k->head + (size_t)o->maxlag]->ts < wm))
      break;
    for (int i = 0; i < o->ncalls; i++) {
      ocall *c = &o->calls[i];
      if (c->kind != SL_OVER_AGGREGATE || h->ts < k->lo[c->slide])
        continue;
      point_stored(o, c, h);
      sl_status rc = sl_aggset_retract(&c->agg, k->running[c->slide],
                                       o->argp, h->ts, err);
      if (rc)
        return rc;
    }
    free(h);
    k->head++;
    k->n--;
    o->nrows--;
    k->dirty = true;
  }
  return SL_OK;
}

static sl_status over_watermark(sl_op *op, int64_t watermark, sl_error *err) {
  over_op *o = (over_op *)op;
  sl_timeheap_item *top;
  sl_status rc;
  while ((top = sl_timeheap_peek(&o->evicting)) && top->time < watermark) {
    okey *k = key_of_item(top);
    if ((rc = evict_rows(o, k, watermark, err)))
      return rc;
    if (k->n == 0) {
      if (table_key(o, k) == SL_OK)
        sl_stateful_delete(k->part, o->kb.data, o->kb.len);
      sl_timeheap_remove(&o->evicting, &k->evict);
      sl_keymap_remove(&o->keys, &k->node);
      key_free(o, k);
      continue;
    }
    if ((rc = key_schedule(o, k, err)))
      return rc;
    if (sl_timeheap_peek(&o->evicting) == top && top->time < watermark)
      return sl_error_set(err, SL_ERR_INTERNAL, "over: eviction stalled");
  }
  return sl_op_emit_watermark(op, watermark, err);
}

/* Rebuilds one key from its table entry (see over.h). */
static sl_status load_entry(void *ud, sl_stateful_part *part,
                            const void *key, size_t klen, const void *value,
                            size_t vlen, sl_error *err) {
  over_op *o = ud;
  const unsigned char *kk = key;
  if (klen < 1 || kk[0] != TAG_KEY)
    return sl_error_set(err, SL_ERR_RUNTIME, "unknown entry in the state");
  sl_strbuf_reset(&o->kb);
  unsigned char pp[4];
  for (int i = 0; i < 4; i++)
    pp[i] = (unsigned char)((uint32_t)part->partition >> (8 * i));
  sl_strbuf_append(&o->kb, pp, 4);
  sl_strbuf_append(&o->kb, kk + 1, klen - 1);
  if (o->kb.failed)
    return nomem(err);
  okey *k;
  sl_status rc = key_new(o, part, sl_keymap_hash(o->kb.data, o->kb.len), &k,
                         err);
  if (rc)
    return rc;

  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, value, vlen);
  k->max_ts = sl_rowcodec_get_i64(&rd);
  uint64_t nrows = sl_rowcodec_get_u64v(&rd);
  sl_value *vals = sl_arena_alloc(&o->scratch,
                                  ((size_t)o->nstored + 1) * sizeof(*vals));
  const sl_value **pv = o->sv;
  rc = vals ? SL_OK : nomem(err);
  for (uint64_t i = 0; i < nrows && !rc && !rd.bad; i++) {
    int64_t ts = sl_rowcodec_get_i64(&rd);
    uint64_t seq = sl_rowcodec_get_u64v(&rd);
    if (!sl_rowcodec_get_values(&rd, &o->scratch, vals, o->nstored))
      break;
    for (int v = 0; v < o->nstored; v++)
      pv[v] = &vals[v];
    hrow *h = hrow_new(ts, seq, pv, o->nstored);
    if (!h || (rc = key_insert(o, k, k->n, h, err))) {
      free(h);
      rc = rc ? rc : nomem(err);
    }
    if (seq >= o->st.next_seq)
      o->st.next_seq = seq + 1;
  }
  for (int i = 0; i < o->ncalls && !rc && !rd.bad; i++) {
    ocall *c = &o->calls[i];
    if (c->kind != SL_OVER_AGGREGATE)
      continue;
    k->lo[c->slide] = sl_rowcodec_get_i64(&rd);
    sl_aggset_free(&c->agg, k->running[c->slide]);
    if ((rc = sl_aggset_deserialize(&c->agg, k->running[c->slide], &rd,
                                    err))) {
      /* Leave an empty state so that the key frees cleanly. */
      sl_aggset_init(&c->agg, k->running[c->slide], err);
    }
  }
  sl_arena_reset(&o->scratch);
  if (!rc && !sl_rowcodec_done(&rd))
    rc = sl_error_set(err, SL_ERR_RUNTIME, "history state is corrupt");
  if (!rc)
    rc = key_schedule(o, k, err);
  if (rc) {
    sl_timeheap_remove(&o->evicting, &k->evict);
    sl_keymap_remove(&o->keys, &k->node);
    key_free(o, k);
  }
  return rc;
}

static sl_status over_partitions(sl_op *op, const int32_t *parts, int n,
                                 bool assigned, sl_error *err) {
  over_op *o = (over_op *)op;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      sl_stateful_part *part;
      sl_status rc = sl_stateful_part_get(&o->st, parts[i], &part, err);
      if (rc)
        return rc;
      continue;
    }
    size_t bucket = 0;
    sl_keymap_node *kn = sl_keymap_next(&o->keys, &bucket, NULL);
    while (kn) {
      size_t nb = bucket;
      sl_keymap_node *next = sl_keymap_next(&o->keys, &nb, kn);
      okey *k = key_of_node(kn);
      if (k->part->partition == parts[i]) {
        sl_timeheap_remove(&o->evicting, &k->evict);
        sl_keymap_remove(&o->keys, kn);
        key_free(o, k);
      }
      bucket = nb;
      kn = next;
    }
    sl_stateful_part_forget(&o->st, parts[i]);
  }
  return SL_OK;
}

static sl_status over_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                 sl_error *err) {
  over_op *o = (over_op *)op;
  if (!ck->state)
    return SL_OK;
  size_t bucket = 0;
  for (sl_keymap_node *kn = sl_keymap_next(&o->keys, &bucket, NULL); kn;
       kn = sl_keymap_next(&o->keys, &bucket, kn)) {
    okey *k = key_of_node(kn);
    if (!k->dirty || !k->part->table)
      continue;
    sl_strbuf_reset(&o->vb);
    sl_rowcodec_put_i64(&o->vb, k->max_ts);
    sl_rowcodec_put_u64v(&o->vb, k->n);
    for (size_t i = 0; i < k->n; i++) {
      hrow *h = k->rows[k->head + i];
      sl_rowcodec_put_i64(&o->vb, h->ts);
      sl_rowcodec_put_u64v(&o->vb, h->seq);
      sl_rowcodec_put_values(&o->vb, h->vals, o->nstored);
    }
    sl_status rc;
    for (int i = 0; i < o->ncalls; i++) {
      ocall *c = &o->calls[i];
      if (c->kind != SL_OVER_AGGREGATE)
        continue;
      sl_rowcodec_put_i64(&o->vb, k->lo[c->slide]);
      if ((rc = sl_aggset_serialize(&c->agg, k->running[c->slide], &o->vb,
                                    err)))
        return rc;
    }
    if (o->vb.failed || table_key(o, k))
      return nomem(err);
    if ((rc = sl_state_put(k->part->table, o->kb.data, o->kb.len, o->vb.data,
                           o->vb.len, err)))
      return rc;
    k->dirty = false;
  }
  return sl_stateful_checkpoint_meta(&o->st, err);
}

/* ==== Lifecycle ======================================================== */

static sl_status over_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  over_op *o = (over_op *)op;
  sl_keymap_init(&o->keys);
  sl_timeheap_init(&o->evicting);
  sl_strbuf_init(&o->kb);
  sl_strbuf_init(&o->vb);
  sl_arena_init(&o->scratch, 0);
  sl_arena_init(&o->view.arena, 0);
  o->ready = true;
  sl_status rc;
  if ((rc = sl_stateful_open(&o->st, op, o->state_name, ctx, load_entry, o,
                             err)))
    return rc;
  o->pkeys = calloc((size_t)o->npart + 1, sizeof(*o->pkeys));
  o->pcols = calloc((size_t)o->npart + 1, sizeof(*o->pcols));
  o->calls = calloc((size_t)o->ncalls + 1, sizeof(*o->calls));
  o->rcols = calloc((size_t)o->ncalls + 1, sizeof(*o->rcols));
  o->view_cols = calloc((size_t)(o->ninput + o->ncalls) + 1,
                        sizeof(*o->view_cols));
  if (!o->pkeys || !o->pcols || !o->calls || !o->rcols || !o->view_cols)
    return nomem(err);
  for (int k = 0; k < o->npart; k++)
    if ((rc = sl_expr_compile(o->part_b[k], &o->opts, &o->pkeys[k], err)))
      return rc;

  o->maxrange = -1;
  for (int i = 0; i < o->ncalls; i++) {
    const sl_over_call *b = &o->calls_b[i];
    ocall *c = &o->calls[i];
    c->kind = b->kind;
    c->store = o->nstored;
    if (b->kind == SL_OVER_LAG) {
      c->offset = b->lag_offset;
      if ((rc = sl_expr_compile(b->agg.args[0], &o->opts, &c->value, err)))
        return rc;
      if (b->lag_default &&
          (rc = sl_expr_compile(b->lag_default, &o->opts, &c->dflt, err)))
        return rc;
      o->nstored++;
      if (c->offset > o->maxlag)
        o->maxlag = c->offset;
      continue;
    }
    c->range = b->range_ms;
    c->slide = o->nslide++;
    if ((rc = sl_aggset_open(&c->agg, 1, &b->agg, &o->opts, SL_AGG_SLIDING,
                             err)))
      return rc;
    c->agg_open = true;
    o->nstored += c->agg.nargs;
    if (c->range > o->maxrange)
      o->maxrange = c->range;
  }
  o->argp = calloc((size_t)o->nstored + 1, sizeof(*o->argp));
  o->sv = calloc((size_t)o->nstored + 1, sizeof(*o->sv));
  o->added = calloc((size_t)o->nslide + 1, sizeof(*o->added));
  if (!o->argp || !o->sv || !o->added)
    return nomem(err);
  return reserve(o, 1024, err);
}

static void over_close(sl_op *op) {
  over_op *o = (over_op *)op;
  if (!o->ready)
    return;
  sl_timeheap_destroy(&o->evicting);
  size_t bucket = 0;
  sl_keymap_node *kn = sl_keymap_next(&o->keys, &bucket, NULL);
  while (kn) {
    size_t nb = bucket;
    sl_keymap_node *next = sl_keymap_next(&o->keys, &nb, kn);
    key_free(o, key_of_node(kn));
    bucket = nb;
    kn = next;
  }
  sl_keymap_destroy(&o->keys);
  for (int k = 0; o->pkeys && k < o->npart; k++)
    sl_expr_free(o->pkeys[k]);
  for (int i = 0; o->calls && i < o->ncalls; i++) {
    sl_expr_free(o->calls[i].value);
    sl_expr_free(o->calls[i].dflt);
    if (o->calls[i].agg_open)
      sl_aggset_close(&o->calls[i].agg);
  }
  for (int i = 0; o->rcols && i < o->ncalls; i++)
    free(o->rcols[i]);
  free(o->pkeys);
  free(o->pcols);
  free(o->calls);
  free(o->rcols);
  free(o->view_cols);
  free(o->argp);
  free(o->sv);
  free(o->added);
  o->sv = NULL;
  o->added = NULL;
  o->pkeys = NULL;
  o->pcols = NULL;
  o->calls = NULL;
  o->rcols = NULL;
  o->view_cols = NULL;
  o->argp = NULL;
  o->cap = 0;
  o->nrows = 0;
  sl_stateful_close(&o->st);
  sl_strbuf_free(&o->kb);
  sl_strbuf_free(&o->vb);
  sl_arena_destroy(&o->scratch);
  sl_arena_destroy(&o->view.arena);
  o->ready = false;
}

static void over_destroy(sl_op *op) {
  over_op *o = (over_op *)op;
  /* An open that failed half-way left things to release. */
  over_close(op);
  free(o->state_name);
  free(o);
}

static const sl_op_class over_class = {
    .name = "over",
    .open = over_open,
    .process = over_process,
    .watermark = over_watermark,
    .partitions = over_partitions,
    .checkpoint = over_checkpoint,
    .close = over_close,
    .destroy = over_destroy,
};

/* Creates the operator (see over.h). */
sl_status sl_over_new(const sl_over_spec *spec, const sl_expr_options *opts,
                      sl_op **out, sl_error *err) {
  for (int i = 0; i < spec->ncalls; i++) {
    const sl_over_call *c = &spec->calls[i];
    switch (c->kind) {
    case SL_OVER_LAG:
      if (c->agg.nargs < 1 || c->lag_offset < 1)
        return sl_error_set(err, SL_ERR_SQL,
                            "LAG needs a value and an offset of at least 1 "
                            "(got %lld)",
                            (long long)c->lag_offset);
      break;
    case SL_OVER_AGGREGATE:
      if (!c->has_range || c->range_ms < 0)
        return sl_error_set(err, SL_ERR_SQL,
                            "%s OVER needs RANGE BETWEEN INTERVAL x "
                            "PRECEDING AND CURRENT ROW: a history without "
                            "bound cannot be kept",
                            c->agg.name ? c->agg.name : "aggregate");
      break;
    case SL_OVER_ROW_NUMBER:
    case SL_OVER_RANK:
      return sl_error_set(err, SL_ERR_INTERNAL,
                          "ROW_NUMBER and RANK run in the top-N operator");
    }
  }
  over_op *o = calloc(1, sizeof(*o));
  if (!o)
    return nomem(err);
  if (spec->state_name && !(o->state_name = strdup(spec->state_name))) {
    free(o);
    return nomem(err);
  }
  sl_op_init(&o->base, &over_class, 1, err);
  o->ninput = spec->ninput;
  o->npart = spec->npartition;
  o->part_b = spec->partition_by;
  o->ncalls = spec->ncalls;
  o->calls_b = spec->calls;
  if (opts)
    o->opts = *opts;
  *out = &o->base;
  return SL_OK;
}

long sl_over_history_rows(const sl_op *op) {
  return ((const over_op *)op)->nrows;
}
