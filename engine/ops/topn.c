/* SPDX-License-Identifier: Apache-2.0 */
/*
 * topn.c - top-N by ROW_NUMBER or RANK (see topn.h).
 *
 * Each partition of the ranking holds its kept rows best first in a
 * small sorted array; a row is one allocation with copies of the input's
 * columns and of its ORDER BY values.  Per-window partitions also sit in
 * a heap by closing time.
 */
#include "engine/ops/topn.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"
#include "engine/ops/stateful.h"

#define TAG_PART 'T'

typedef struct trow {
  uint64_t seq;
  sl_value vals[]; /* ninput input values, norder ORDER BY values; data */
} trow;

typedef struct tpart {
  sl_keymap_node node;     /* key: i32 partition | partition values */
  sl_timeheap_item close;  /* per window: window end + grace */
  sl_stateful_part *part;
  int64_t wend;
  trow **rows;             /* best first */
  int n, cap;
  bool dirty;
  size_t klen;
  unsigned char key[];
} tpart;

typedef struct topn_op {
  sl_op base;
  char *state_name;
  bool rank;
  int ninput;
  int npart;
  sl_bexpr *const *part_b;
  int norder;
  sl_bexpr *const *order_b;
  bool *desc;
  int64_t limit;
  int wend_col;
  int64_t grace;
  int capacity;
  sl_expr_options opts;

  bool ready;
  sl_expr **pkeys;
  const sl_value **pcols;
  sl_expr **orders;
  const sl_value **ocols;
  const sl_value **vp;     /* ninput + norder: one row's values */
  sl_stateful st;
  sl_keymap parts;
  sl_timeheap closing;
  sl_outbuf out;
  sl_strbuf kb;
  sl_strbuf vb;
  sl_arena scratch;
  long nrows;
  int64_t last_wm;
} topn_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in topn");
}

static tpart *part_of_node(sl_keymap_node *n) {
  return (tpart *)((char *)n - offsetof(tpart, node));
}

static tpart *part_of_item(sl_timeheap_item *it) {
  return (tpart *)((char *)it - offsetof(tpart, close));
}

static int nvals(const topn_op *t) {
  return t->ninput + t->norder;
}

static trow *row_new(topn_op *t, uint64_t seq) {
  int n = nvals(t);
  size_t payload = sl_rowcodec_copy_size(t->vp, n);
  trow *r = malloc(sizeof(*r) + (size_t)n * sizeof(sl_value) + payload);
  if (!r)
    return NULL;
  r->seq = seq;
  sl_rowcodec_copy_values(t->vp, n, r->vals, &r->vals[n]);
  return r;
}

/* ORDER BY comparison of a and b's order values (NULL above all). */
static int order_cmp(const topn_op *t, const trow *a, const trow *b) {
  for (int i = 0; i < t->norder; i++) {
    const sl_value *x = &a->vals[t->ninput + i];
    const sl_value *y = &b->vals[t->ninput + i];
    bool xn = x->kind == SL_TYPE_NULL, yn = y->kind == SL_TYPE_NULL;
    int c = xn || yn ? (xn && yn ? 0 : xn ? 1 : -1) : sl_value_compare(x, y);
    if (c)
      return t->desc[i] ? -c : c;
  }
  return 0;
}

/* The RANK of the row at position i (ROW_NUMBER: i + 1). */
static int64_t number_at(const topn_op *t, const tpart *p, int i) {
  if (!t->rank)
    return i + 1;
  int first = i;
  while (first > 0 && order_cmp(t, p->rows[first - 1], p->rows[i]) == 0)
    first--;
  return first + 1;
}

static void part_free(topn_op *t, tpart *p) {
  for (int i = 0; i < p->n; i++)
    free(p->rows[i]);
  t->nrows -= p->n;
  free(p->rows);
  free(p);
}

/* Places r (arrived last) in p when it ranks within the limit; *entered
 * tells whether it did.  Rows pushed past the limit leave. */
static sl_status part_offer(topn_op *t, tpart *p, trow *r, bool *entered,
                            sl_error *err) {
  int pos = p->n;
  while (pos > 0 && order_cmp(t, p->rows[pos - 1], r) > 0)
    pos--;
  int better = pos;
  while (t->rank && better > 0 && order_cmp(t, p->rows[better - 1], r) == 0)
    better--;
  *entered = (int64_t)better + 1 <= t->limit;
  if (!*entered)
    return SL_OK;

  if (p->n == p->cap) {
    int cap = p->cap ? 2 * p->cap : 4;
    trow **rows = realloc(p->rows, (size_t)cap * sizeof(*rows));
    if (!rows)
      return nomem(err);
    p->rows = rows;
    p->cap = cap;
  }
  memmove(p->rows + pos + 1, p->rows + pos,
          (size_t)(p->n - pos) * sizeof(*p->rows));
  p->rows[pos] = r;
  p->n++;
  t->nrows++;
  while (p->n > 0 && number_at(t, p, p->n - 1) > t->limit) {
    free(p->rows[--p->n]);
    t->nrows--;
  }
  p->dirty = true;
  return SL_OK;
}

/* Emits p's kept rows in order with their numbers. */
static sl_status emit_part(topn_op *t, tpart *p, int64_t ts, int64_t wm,
                           sl_error *err) {
  sl_arena *arena = sl_outbuf_arena(&t->out);
  for (int i = 0; i < p->n; i++) {
    int row;
    sl_status rc = sl_outbuf_row(&t->out, &t->base, p->part->partition, ts,
                                 wm, &row, err);
    if (rc)
      return rc;
    for (int c = 0; c < t->ninput; c++) {
      sl_value *dst = sl_outbuf_value(&t->out, row, c);
      /* The row may go before the batch does (a closed window). */
      if ((rc = sl_value_copy(arena, &p->rows[i]->vals[c], dst, err)))
        return rc;
    }
    *sl_outbuf_value(&t->out, row, t->ninput) =
        sl_value_bigint(number_at(t, p, i));
  }
  return SL_OK;
}

/* The map key of a partition of the ranking, in t->kb. */
static void put_partition(sl_strbuf *sb, int32_t partition) {
  unsigned char pp[4];
  for (int i = 0; i < 4; i++)
    pp[i] = (unsigned char)((uint32_t)partition >> (8 * i));
  sl_strbuf_append(sb, pp, 4);
}

static sl_status part_get(topn_op *t, sl_stateful_part *part, int64_t wend,
                          uint64_t seq, tpart **out, sl_error *err) {
  uint64_t hash = sl_keymap_hash(t->kb.data, t->kb.len);
  sl_keymap_node *n = sl_keymap_find(&t->parts, t->kb.data, t->kb.len, hash);
  if (n) {
    *out = part_of_node(n);
    return SL_OK;
  }
  tpart *p = calloc(1, sizeof(*p) + t->kb.len);
  if (!p)
    return nomem(err);
  memcpy(p->key, t->kb.data, t->kb.len);
  p->klen = t->kb.len;
  p->node.key = p->key;
  p->node.klen = p->klen;
  p->node.hash = hash;
  p->part = part;
  p->wend = wend;
  p->close.time = sl_time_add(wend, t->grace);
  p->close.seq = seq;
  p->close.index = SIZE_MAX;
  sl_status rc = sl_keymap_insert(&t->parts, &p->node, err);
  if (!rc && t->wend_col >= 0 &&
      (rc = sl_timeheap_push(&t->closing, &p->close, err)))
    sl_keymap_remove(&t->parts, &p->node);
  if (rc) {
    free(p);
    return rc;
  }
  *out = p;
  return SL_OK;
}

static sl_status topn_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  topn_op *t = (topn_op *)op;
  sl_batch *b = in->batch;
  sl_arena *arena = sl_batch_arena(b);
  sl_status rc;
  int failed = 0, total = 0;
  for (int k = 0; k < t->npart; k++) {
    if ((rc = sl_expr_run(t->pkeys[k], b, arena, &t->pcols[k], &failed,
                          err)))
      return rc;
    total += failed;
  }
  for (int k = 0; k < t->norder; k++) {
    if ((rc = sl_expr_run(t->orders[k], b, arena, &t->ocols[k], &failed,
                          err)))
      return rc;
    total += failed;
  }
  atomic_fetch_add_explicit(&op->counters.records_failed, total,
                            memory_order_relaxed);

  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_stateful_part *part;
    if ((rc = sl_stateful_part_get(&t->st, b->rows[r].partition, &part, err)))
      return rc;
    int64_t wm = sl_stateful_row_watermark(op, port, in, r, part);
    int64_t wend = 0;
    if (t->wend_col >= 0) {
      const sl_value *we = &b->cols[t->wend_col][r];
      wend = we->kind == SL_TYPE_NULL ? INT64_MAX : we->u.i64;
      if (wm >= sl_time_add(wend, t->grace)) {
        char e[48], m[48], msg[200];
        snprintf(msg, sizeof(msg),
                 "the window ending %s was ranked at watermark %s before "
                 "this row arrived",
                 sl_stateful_time_text(wend, e), sl_stateful_time_text(wm, m));
        if ((rc = sl_stateful_late(op, in, r, msg, err)))
          return rc;
        continue;
      }
    }

    sl_strbuf_reset(&t->kb);
    put_partition(&t->kb, part->partition);
    for (int k = 0; k < t->npart; k++)
      sl_rowcodec_put_value(&t->kb, &t->pcols[k][r]);
    if (t->kb.failed)
      return nomem(err);
    for (int c = 0; c < t->ninput; c++)
      t->vp[c] = &b->cols[c][r];
    for (int k = 0; k < t->norder; k++)
      t->vp[t->ninput + k] = &t->ocols[k][r];
    uint64_t seq = sl_stateful_seq(&t->st);
    tpart *p;
    if ((rc = part_get(t, part, wend, seq, &p, err)))
      return rc;
    trow *row = row_new(t, seq);
    if (!row)
      return nomem(err);
    bool entered;
    if ((rc = part_offer(t, p, row, &entered, err))) {
      free(row);
      return rc;
    }
    if (!entered) {
      free(row);
      if (p->n == 0) {
        sl_timeheap_remove(&t->closing, &p->close);
        sl_keymap_remove(&t->parts, &p->node);
        part_free(t, p);
      }
      continue;
    }
    if (t->wend_col < 0 &&
        (rc = emit_part(t, p, b->rows[r].event_time, wm, err)))
      return rc;
  }
  return sl_outbuf_flush(&t->out, op, err);
}

static sl_status table_key(topn_op *t, const tpart *p) {
  sl_strbuf_reset(&t->kb);
  sl_strbuf_appendc(&t->kb, TAG_PART);
  sl_strbuf_append(&t->kb, p->key + 4, p->klen - 4);
  return t->kb.failed ? SL_ERR_NOMEM : SL_OK;
}

static sl_status topn_watermark(sl_op *op, int64_t watermark, sl_error *err) {
  topn_op *t = (topn_op *)op;
  sl_timeheap_item *top;
  sl_status rc;
  while ((top = sl_timeheap_peek(&t->closing)) && top->time <= watermark) {
    tpart *p = part_of_item(top);
    if ((rc = emit_part(t, p, p->wend - 1, t->last_wm, err)))
      return rc;
    if (table_key(t, p) == SL_OK)
      sl_stateful_delete(p->part, t->kb.data, t->kb.len);
    sl_timeheap_remove(&t->closing, top);
    sl_keymap_remove(&t->parts, &p->node);
    part_free(t, p);
  }
  t->last_wm = watermark;
  if ((rc = sl_outbuf_flush(&t->out, op, err)))
    return rc;
  return sl_op_emit_watermark(op, watermark, err);
}

/* Rebuilds a partition of the ranking (see topn.h). */
static sl_status load_entry(void *ud, sl_stateful_part *part,
                            const void *key, size_t klen, const void *value,
                            size_t vlen, sl_error *err) {
  topn_op *t = ud;
  const unsigned char *k = key;
  if (klen < 1 || k[0] != TAG_PART)
    return sl_error_set(err, SL_ERR_RUNTIME, "unknown entry in the state");
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, value, vlen);
  int64_t wend = sl_rowcodec_get_i64(&rd);
  uint64_t seq = sl_rowcodec_get_u64v(&rd);
  uint64_t nrows = sl_rowcodec_get_u64v(&rd);
  if (rd.bad)
    return sl_error_set(err, SL_ERR_RUNTIME, "top-N state is truncated");
  sl_strbuf_reset(&t->kb);
  put_partition(&t->kb, part->partition);
  sl_strbuf_append(&t->kb, k + 1, klen - 1);
  if (t->kb.failed)
    return nomem(err);
  tpart *p;
  sl_status rc = part_get(t, part, wend, seq, &p, err);
  if (rc)
    return rc;
  int n = nvals(t);
  sl_value *vals = sl_arena_alloc(&t->scratch, (size_t)(n + 1) * sizeof(*vals));
  if (!vals)
    rc = nomem(err);
  for (uint64_t i = 0; i < nrows && !rc; i++) {
    uint64_t rseq = sl_rowcodec_get_u64v(&rd);
    if (!sl_rowcodec_get_values(&rd, &t->scratch, vals, n)) {
      rc = sl_error_set(err, SL_ERR_RUNTIME, "top-N state is corrupt");
      break;
    }
    for (int c = 0; c < n; c++)
      t->vp[c] = &vals[c];
    trow *row = row_new(t, rseq);
    if (!row) {
      rc = nomem(err);
      break;
    }
    if (p->n == p->cap) {
      int cap = p->cap ? 2 * p->cap : 4;
      trow **rows = realloc(p->rows, (size_t)cap * sizeof(*rows));
      if (!rows) {
        free(row);
        rc = nomem(err);
        break;
      }
      p->rows = rows;
      p->cap = cap;
    }
    p->rows[p->n++] = row;
    t->nrows++;
    if (rseq >= t->st.next_seq)
      t->st.next_seq = rseq + 1;
  }
  sl_arena_reset(&t->scratch);
  if (!rc && !sl_rowcodec_done(&rd))
    rc = sl_error_set(err, SL_ERR_RUNTIME, "top-N state has extra bytes");
  if (rc) {
    sl_timeheap_remove(&t->closing, &p->close);
    sl_keymap_remove(&t->parts, &p->node);
    part_free(t, p);
  }
  return rc;
}

static sl_status topn_partitions(sl_op *op, const int32_t *parts, int n,
                                 bool assigned, sl_error *err) {
  topn_op *t = (topn_op *)op;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      sl_stateful_part *part;
      sl_status rc = sl_stateful_part_get(&t->st, parts[i], &part, err);
      if (rc)
        return rc;
      continue;
    }
    size_t bucket = 0;
    sl_keymap_node *kn = sl_keymap_next(&t->parts, &bucket, NULL);
    while (kn) {
      size_t nb = bucket;
      sl_keymap_node *next = sl_keymap_next(&t->parts, &nb, kn);
      tpart *p = part_of_node(kn);
      if (p->part->partition == parts[i]) {
        sl_timeheap_remove(&t->closing, &p->close);
        sl_keymap_remove(&t->parts, kn);
        part_free(t, p);
      }
      bucket = nb;
      kn = next;
    }
    sl_stateful_part_forget(&t->st, parts[i]);
  }
  return SL_OK;
}

static sl_status topn_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                 sl_error *err) {
  topn_op *t = (topn_op *)op;
  if (!ck->state)
    return SL_OK;
  size_t bucket = 0;
  for (sl_keymap_node *kn = sl_keymap_next(&t->parts, &bucket, NULL); kn;
       kn = sl_keymap_next(&t->parts, &bucket, kn)) {
    tpart *p = part_of_node(kn);
    if (!p->dirty || !p->part->table)
      continue;
    sl_strbuf_reset(&t->vb);
    sl_rowcodec_put_i64(&t->vb, p->wend);
    sl_rowcodec_put_u64v(&t->vb, p->close.seq);
    sl_rowcodec_put_u64v(&t->vb, (uint64_t)p->n);
    for (int i = 0; i < p->n; i++) {
      sl_rowcodec_put_u64v(&t->vb, p->rows[i]->seq);
      sl_rowcodec_put_values(&t->vb, p->rows[i]->vals, nvals(t));
    }
    if (t->vb.failed || table_key(t, p))
      return nomem(err);
    sl_status rc = sl_state_put(p->part->table, t->kb.data, t->kb.len,
                                t->vb.data, t->vb.len, err);
    if (rc)
      return rc;
    p->dirty = false;
  }
  return sl_stateful_checkpoint_meta(&t->st, err);
}

static sl_status topn_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  topn_op *t = (topn_op *)op;
  sl_keymap_init(&t->parts);
  sl_timeheap_init(&t->closing);
  sl_strbuf_init(&t->kb);
  sl_strbuf_init(&t->vb);
  sl_arena_init(&t->scratch, 0);
  t->ready = true;
  t->last_wm = SL_WATERMARK_NONE;
  sl_status rc;
  if ((rc = sl_stateful_open(&t->st, op, t->state_name, ctx, load_entry, t,
                             err)))
    return rc;
  t->pkeys = calloc((size_t)t->npart + 1, sizeof(*t->pkeys));
  t->pcols = calloc((size_t)t->npart + 1, sizeof(*t->pcols));
  t->orders = calloc((size_t)t->norder + 1, sizeof(*t->orders));
  t->ocols = calloc((size_t)t->norder + 1, sizeof(*t->ocols));
  t->vp = calloc((size_t)nvals(t) + 1, sizeof(*t->vp));
  if (!t->pkeys || !t->pcols || !t->orders || !t->ocols || !t->vp)
    return nomem(err);
  for (int k = 0; k < t->npart; k++)
    if ((rc = sl_expr_compile(t->part_b[k], &t->opts, &t->pkeys[k], err)))
      return rc;
  for (int k = 0; k < t->norder; k++)
    if ((rc = sl_expr_compile(t->order_b[k], &t->opts, &t->orders[k], err)))
      return rc;
  return sl_outbuf_init(&t->out, t->ninput + 1, t->capacity, err);
}

static void topn_close(sl_op *op) {
  topn_op *t = (topn_op *)op;
  if (!t->ready)
    return;
  sl_timeheap_destroy(&t->closing);
  size_t bucket = 0;
  sl_keymap_node *kn = sl_keymap_next(&t->parts, &bucket, NULL);
  while (kn) {
    size_t nb = bucket;
    sl_keymap_node *next = sl_keymap_next(&t->parts, &nb, kn);
    part_free(t, part_of_node(kn));
    bucket = nb;
    kn = next;
  }
  sl_keymap_destroy(&t->parts);
  for (int k = 0; t->pkeys && k < t->npart; k++)
    sl_expr_free(t->pkeys[k]);
  for (int k = 0; t->orders && k < t->norder; k++)
    sl_expr_free(t->orders[k]);
  free(t->pkeys);
  free(t->pcols);
  free(t->orders);
  free(t->ocols);
  free(t->vp);
  t->pkeys = NULL;
  t->pcols = NULL;
  t->orders = NULL;
  t->ocols = NULL;
  t->vp = NULL;
  sl_outbuf_free(&t->out);
  sl_stateful_close(&t->st);
  sl_strbuf_free(&t->kb);
  sl_strbuf_free(&t->vb);
  sl_arena_destroy(&t->scratch);
  t->nrows = 0;
  t->ready = false;
}

static void topn_destroy(sl_op *op) {
  topn_op *t = (topn_op *)op;
  /* An open that failed half-way left things to release. */
  topn_close(op);
  free(t->state_name);
  free(t->desc);
  free(t);
}

static const sl_op_class topn_class = {
    .name = "topn",
    .open = topn_open,
    .process = topn_process,
    .watermark = topn_watermark,
    .partitions = topn_partitions,
    .checkpoint = topn_checkpoint,
    .close = topn_close,
    .destroy = topn_destroy,
};

/* Creates the operator (see topn.h). */
sl_status sl_topn_new(const sl_topn_spec *spec, const sl_expr_options *opts,
                      sl_op **out, sl_error *err) {
  if (spec->kind != SL_OVER_ROW_NUMBER && spec->kind != SL_OVER_RANK)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "topn runs ROW_NUMBER or RANK only");
  if (spec->limit < 1)
    return sl_error_set(err, SL_ERR_SQL,
                        "a top-N needs a limit of at least 1 (got %lld)",
                        (long long)spec->limit);
  if (spec->grace_ms < 0)
    return sl_error_set(err, SL_ERR_SQL, "a grace period cannot be negative");
  topn_op *t = calloc(1, sizeof(*t));
  if (!t)
    return nomem(err);
  t->desc = calloc((size_t)spec->norder + 1, sizeof(*t->desc));
  if (!t->desc ||
      (spec->state_name && !(t->state_name = strdup(spec->state_name)))) {
    free(t->desc);
    free(t);
    return nomem(err);
  }
  for (int i = 0; i < spec->norder; i++)
    t->desc[i] = spec->order_desc && spec->order_desc[i];
  sl_op_init(&t->base, &topn_class, 1, err);
  t->rank = spec->kind == SL_OVER_RANK;
  t->ninput = spec->ninput;
  t->npart = spec->npartition;
  t->part_b = spec->partition_by;
  t->norder = spec->norder;
  t->order_b = spec->order_by;
  t->limit = spec->limit;
  t->wend_col = spec->window_end;
  t->grace = spec->grace_ms;
  t->capacity = spec->capacity;
  if (opts)
    t->opts = *opts;
  *out = &t->base;
  return SL_OK;
}

long sl_topn_rows(const sl_op *op) {
  return ((const topn_op *)op)->nrows;
}
