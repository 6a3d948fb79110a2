/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interval_join.c - the stream-stream interval join (see
 * interval_join.h).
 *
 * Buffered rows keep their values encoded (rowcodec.h) in one block with
 * the row's header; matches decode them straight into the result batch.
 * A key's bucket holds both sides' rows in arrival order; every buffered
 * row also sits in one heap ordered by the time its range closes, which
 * the watermark drains.  Rows with a NULL key (kept only for outer sides)
 * have no bucket.
 *
 * Outline of a batch on one port:
 *   1. evaluate that side's key expressions;
 *   2. per live row: its partition, watermark and lateness; then each
 *      row of the other side in the key's bucket whose time lies in the
 *      bounds becomes a candidate result row; then the row joins its
 *      side of the bucket;
 *   3. send the results: the residual condition (if any) drops the
 *      candidates it rejects, and the survivors mark both rows matched.
 */
#include "engine/ops/interval_join.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"
#include "engine/ops/stateful.h"

#define FLAG_MATCHED 1
#define FLAG_NULL_KEY 2

typedef struct jbucket jbucket;
typedef struct jrow jrow;

struct jrow {
  sl_timeheap_item expire;  /* time: ts + (after | before) + grace */
  jbucket *bucket;          /* NULL for a NULL key */
  sl_stateful_part *part;
  jrow *prev, *next;        /* the bucket's rows of this side */
  uint64_t seq;             /* its key in the table */
  int64_t ts;
  int side;                 /* 0 left, 1 right */
  bool matched;
  bool stored;
  bool dirty;
  size_t klen;              /* join key bytes (without the partition) */
  size_t vlen;              /* encoded values */
  unsigned char data[];     /* key bytes, then values */
};

struct jbucket {
  sl_keymap_node node;      /* key: i32 partition | join key */
  jrow *head[2], *tail[2];
  size_t klen;
  unsigned char key[];
};

typedef struct pair {
  jrow *rows[2];
} pair;

typedef struct ijoin_op {
  sl_op base;
  char *state_name;
  sl_join_kind kind;
  int ncols[2];
  int nkeys;
  sl_bexpr *const *keys_b[2];
  int64_t before;
  int64_t after;
  int64_t grace;
  const sl_bexpr *residual_b;
  int capacity;
  sl_expr_options opts;

  bool ready;
  bool outer[2];            /* side keeps unmatched rows */
  sl_expr **keys[2];
  const sl_value **keycols;
  sl_expr *residual;
  sl_stateful st;
  sl_keymap buckets;
  sl_timeheap expiring;
  sl_outbuf out;
  pair *pairs;              /* per result row: the rows it joins */
  sl_strbuf kb;
  sl_strbuf vb;
  long nrows[2];
  int64_t last_wm;
  sl_log_limit log_limit;
} ijoin_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in interval_join");
}

static jrow *row_of(sl_timeheap_item *it) {
  return (jrow *)((char *)it - offsetof(jrow, expire));
}

static jbucket *bucket_of(sl_keymap_node *n) {
  return (jbucket *)((char *)n - offsetof(jbucket, node));
}

static void put_partition(sl_strbuf *sb, int32_t partition) {
  unsigned char p[4];
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)((uint32_t)partition >> (8 * i));
  sl_strbuf_append(sb, p, 4);
}

/* ==== Buffers ========================================================== */

/* The bucket for the map key in j->kb, created when missing. */
static sl_status bucket_get(ijoin_op *j, bool create, jbucket **out,
                            sl_error *err) {
  uint64_t hash = sl_keymap_hash(j->kb.data, j->kb.len);
  sl_keymap_node *n = sl_keymap_find(&j->buckets, j->kb.data, j->kb.len,
                                     hash);
  *out = n ? bucket_of(n) : NULL;
  if (n || !create)
    return SL_OK;
  jbucket *b = calloc(1, sizeof(*b) + j->kb.len);
  if (!b)
    return nomem(err);
  memcpy(b->key, j->kb.data, j->kb.len);
  b->klen = j->kb.len;
  b->node.key = b->key;
  b->node.klen = b->klen;
  b->node.hash = hash;
  sl_status rc = sl_keymap_insert(&j->buckets, &b->node, err);
  if (rc) {
    free(b);
    return rc;
  }
  *out = b;
  return SL_OK;
}

/* Links r into its side of b in arrival (sequence) order: at the tail,
 * except for rows restored in the store's order. */
static void bucket_link(jbucket *b, jrow *r) {
  r->bucket = b;
  jrow *after = b->tail[r->side];
  while (after && after->seq > r->seq)
    after = after->prev;
  r->prev = after;
  r->next = after ? after->next : b->head[r->side];
  if (r->next)
    r->next->prev = r;
  else
    b->tail[r->side] = r;
  if (after)
    after->next = r;
  else
    b->head[r->side] = r;
}

static int64_t expire_time(const ijoin_op *j, int side, int64_t ts) {
  return sl_time_add(sl_time_add(ts, side == 0 ? j->after : j->before),
                     j->grace);
}

/* A buffered row of side with event time ts, join key bytes key (may be
 * NULL: a NULL key) and the encoded values in j->vb.  Linked into the
 * heap and, with a key, its bucket. */
static sl_status row_new(ijoin_op *j, sl_stateful_part *part, int side,
                         int64_t ts, const void *key, size_t klen,
                         jbucket *b, uint64_t seq, jrow **out,
                         sl_error *err) {
  jrow *r = malloc(sizeof(*r) + klen + j->vb.len);
  if (!r)
    return nomem(err);
  memset(r, 0, sizeof(*r));
  r->part = part;
  r->side = side;
  r->ts = ts;
  r->seq = seq;
  r->klen = klen;
  r->vlen = j->vb.len;
  if (klen)
    memcpy(r->data, key, klen);
  memcpy(r->data + klen, j->vb.data, j->vb.len);
  r->expire.time = expire_time(j, side, ts);
  r->expire.seq = seq;
  r->expire.index = SIZE_MAX;
  sl_status rc = sl_timeheap_push(&j->expiring, &r->expire, err);
  if (rc) {
    free(r);
    return rc;
  }
  if (b)
    bucket_link(b, r);
  j->nrows[side]++;
  *out = r;
  return SL_OK;
}

/* Unlinks and frees r (its table entry is the caller's). */
static void row_free(ijoin_op *j, jrow *r) {
  sl_timeheap_remove(&j->expiring, &r->expire);
  jbucket *b = r->bucket;
  if (b) {
    if (r->prev)
      r->prev->next = r->next;
    else
      b->head[r->side] = r->next;
    if (r->next)
      r->next->prev = r->prev;
    else
      b->tail[r->side] = r->prev;
    if (!b->head[0] && !b->head[1]) {
      sl_keymap_remove(&j->buckets, &b->node);
      free(b);
    }
  }
  j->nrows[r->side]--;
  free(r);
}

/* The table key of r. */
static sl_status row_key(ijoin_op *j, const jrow *r) {
  sl_strbuf_reset(&j->kb);
  sl_strbuf_appendc(&j->kb, r->side == 0 ? 'L' : 'R');
  sl_rowcodec_put_u64v(&j->kb, r->seq);
  return j->kb.failed ? SL_ERR_NOMEM : SL_OK;
}

static void row_unstore(ijoin_op *j, jrow *r) {
  if (r->stored && row_key(j, r) == SL_OK)
    sl_stateful_delete(r->part, j->kb.data, j->kb.len);
  r->stored = false;
}

/* ==== Results ========================================================== */

/* Decodes r's values into columns [first, first + ncols) of row. */
static sl_status put_values(ijoin_op *j, const jrow *r, int row, int first,
                            sl_error *err) {
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, r->data + r->klen, r->vlen);
  sl_arena *arena = sl_outbuf_arena(&j->out);
  for (int c = 0; c < j->ncols[r->side]; c++)
    if (!sl_rowcodec_get_value(&rd, arena,
                               sl_outbuf_value(&j->out, row, first + c)))
      return nomem(err);
  return SL_OK;
}

/* A result row joining l and rr (either may be NULL: NULLs for it). */
static sl_status emit_pair(ijoin_op *j, jrow *l, jrow *rr, int64_t wm,
                           sl_error *err) {
  jrow *any = l ? l : rr;
  int64_t ts = any->ts;
  if (l && rr && rr->ts > ts)
    ts = rr->ts;
  int row;
  sl_status rc = sl_outbuf_row(&j->out, &j->base, any->part->partition, ts,
                               wm, &row, err);
  if (rc)
    return rc;
  j->pairs[row].rows[0] = l;
  j->pairs[row].rows[1] = rr;
  if (l && (rc = put_values(j, l, row, 0, err)))
    return rc;
  if (rr && (rc = put_values(j, rr, row, j->ncols[0], err)))
    return rc;
  return SL_OK;
}

static void mark_matched(jrow *r) {
  if (!r->matched) {
    r->matched = true;
    r->dirty = true;
  }
}

/* Step 3, before each batch of results goes out. */
static sl_status before_send(void *ud, sl_outbuf *ob, sl_error *err) {
  ijoin_op *j = ud;
  sl_batch *b = ob->batch;
  if (j->residual) {
    /* The condition judges pairs only: rows of an outer side without a
     * match sit it out. */
    for (int r = 0; r < b->nrows; r++)
      if (!j->pairs[r].rows[0] || !j->pairs[r].rows[1])
        b->rows[r].state = SL_BATCH_ROW_DROPPED;
    int failed = 0;
    sl_status rc = sl_expr_filter(j->residual, b, sl_batch_arena(b), NULL,
                                  &failed, err);
    for (int r = 0; r < b->nrows; r++)
      if (!j->pairs[r].rows[0] || !j->pairs[r].rows[1])
        b->rows[r].state = SL_BATCH_ROW_SELECTED;
    if (rc)
      return rc;
    if (failed) {
      /* The pair's rows are no longer in any batch a router could
       * dead-letter: count it, log it, and drop it as a non-match. */
      atomic_fetch_add_explicit(&j->base.counters.records_failed, failed,
                                memory_order_relaxed);
      for (int r = 0; r < b->nrows; r++) {
        if (b->rows[r].state != SL_BATCH_ROW_ERROR)
          continue;
        sl_log_ratelimited(&j->log_limit, SL_LOG_WARN, "engine",
                           "interval join: the ON condition failed on a "
                           "pair (%s): %s",
                           b->rows[r].error ? b->rows[r].error->reason : "?",
                           b->rows[r].error ? b->rows[r].error->message
                                            : "");
        b->rows[r].state = SL_BATCH_ROW_DROPPED;
      }
    }
  }
  for (int r = 0; r < b->nrows; r++) {
    pair *p = &j->pairs[r];
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED || !p->rows[0] ||
        !p->rows[1])
      continue;
    mark_matched(p->rows[0]);
    mark_matched(p->rows[1]);
  }
  return SL_OK;
}

/* ==== Input ============================================================ */

static sl_status late(ijoin_op *j, const sl_op_batch *in, int r, int64_t ts,
                      int64_t wm, sl_error *err) {
  char t[48], m[48], msg[256];
  snprintf(msg, sizeof(msg),
           "event time %s is too late for the join: more than the grace "
           "(%lld ms) behind watermark %s",
           sl_stateful_time_text(ts, t), (long long)j->grace,
           sl_stateful_time_text(wm, m));
  return sl_stateful_late(&j->base, in, r, msg, err);
}

static sl_status ijoin_process(sl_op *op, int port, const sl_op_batch *in,
                               sl_error *err) {
  ijoin_op *j = (ijoin_op *)op;
  sl_batch *b = in->batch;
  int side = port;
  int other = 1 - side;
  sl_status rc;

  /* Step 1. */
  for (int k = 0; k < j->nkeys; k++) {
    int failed = 0;
    if ((rc = sl_expr_run(j->keys[side][k], b, sl_batch_arena(b),
                          &j->keycols[k], &failed, err)))
      return rc;
    atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                              memory_order_relaxed);
  }

  /* Step 2. */
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_stateful_part *part;
    if ((rc = sl_stateful_part_get(&j->st, b->rows[r].partition, &part, err)))
      return rc;
    int64_t wm = sl_stateful_row_watermark(op, port, in, r, part);
    int64_t ts = b->rows[r].event_time;
    if (sl_time_add(ts, j->grace) < wm) {
      if ((rc = late(j, in, r, ts, wm, err)))
        return rc;
      continue;
    }

    bool null_key = false;
    sl_strbuf_reset(&j->kb);
    put_partition(&j->kb, part->partition);
    for (int k = 0; k < j->nkeys; k++) {
      null_key = null_key || j->keycols[k][r].kind == SL_TYPE_NULL;
      sl_rowcodec_put_value(&j->kb, &j->keycols[k][r]);
    }
    sl_strbuf_reset(&j->vb);
    for (int c = 0; c < j->ncols[side]; c++)
      sl_rowcodec_put_value(&j->vb, &b->cols[c][r]);
    if (j->kb.failed || j->vb.failed)
      return nomem(err);
    if (null_key && !j->outer[side])
      continue;

    jbucket *bk = NULL;
    if (!null_key && (rc = bucket_get(j, true, &bk, err)))
      return rc;
    jrow *row;
    const void *key = null_key ? NULL : j->kb.data + 4;
    size_t klen = null_key ? 0 : j->kb.len - 4;
    if ((rc = row_new(j, part, side, ts, key, klen, bk,
                      sl_stateful_seq(&j->st), &row, err)))
      return rc;
    row->dirty = true;
    if (null_key)
      continue;

    /* The other side's rows in the bounds, in arrival order. */
    int64_t lo = side == 0 ? ts - j->before : ts - j->after;
    int64_t hi = side == 0 ? ts + j->after : ts + j->before;
    for (jrow *o = bk->head[other]; o; o = o->next) {
      if (o->ts < lo || o->ts > hi)
        continue;
      if ((rc = side == 0 ? emit_pair(j, row, o, wm, err)
                          : emit_pair(j, o, row, wm, err)))
        return rc;
    }
  }

  /* Step 3. */
  return sl_outbuf_flush(&j->out, op, err);
}

/* ==== Watermarks, partitions, checkpoints ============================== */

static sl_status ijoin_watermark(sl_op *op, int64_t watermark,
                                 sl_error *err) {
  ijoin_op *j = (ijoin_op *)op;
  sl_timeheap_item *top;
  sl_status rc;
  while ((top = sl_timeheap_peek(&j->expiring)) &&
         (top->time < watermark || watermark == SL_WATERMARK_END)) {
    jrow *r = row_of(top);
    sl_timeheap_remove(&j->expiring, top);
    if (j->outer[r->side] && !r->matched &&
        (rc = r->side == 0 ? emit_pair(j, r, NULL, j->last_wm, err)
                           : emit_pair(j, NULL, r, j->last_wm, err)))
      return rc;
    /* The result row holds copies of r's values; r itself may go (its
     * pair entry, with one side NULL, is never followed). */
    row_unstore(j, r);
    row_free(j, r);
  }
  j->last_wm = watermark;
  if ((rc = sl_outbuf_flush(&j->out, op, err)))
    return rc;
  return sl_op_emit_watermark(op, watermark, err);
}

/* Rebuilds a buffered row from its table entry (see interval_join.h). */
static sl_status load_entry(void *ud, sl_stateful_part *part,
                            const void *key, size_t klen, const void *value,
                            size_t vlen, sl_error *err) {
  ijoin_op *j = ud;
  const unsigned char *k = key;
  if (klen < 2 || (k[0] != 'L' && k[0] != 'R'))
    return sl_error_set(err, SL_ERR_RUNTIME, "unknown entry in the state");
  int side = k[0] == 'L' ? 0 : 1;
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, k + 1, klen - 1);
  uint64_t seq = sl_rowcodec_get_u64v(&rd);
  if (!sl_rowcodec_done(&rd))
    return sl_error_set(err, SL_ERR_RUNTIME, "bad join state key");

  sl_rowcodec_reader_init(&rd, value, vlen);
  int64_t ts = sl_rowcodec_get_i64(&rd);
  const unsigned char *flags = rd.p < rd.end ? rd.p++ : NULL;
  size_t jklen;
  const void *jkey = sl_rowcodec_get_blob(&rd, &jklen);
  if (rd.bad || !flags)
    return sl_error_set(err, SL_ERR_RUNTIME, "join state is truncated");
  sl_strbuf_reset(&j->vb);
  sl_strbuf_append(&j->vb, rd.p, (size_t)(rd.end - rd.p));
  bool null_key = *flags & FLAG_NULL_KEY;

  jbucket *bk = NULL;
  sl_status rc;
  if (!null_key) {
    sl_strbuf_reset(&j->kb);
    put_partition(&j->kb, part->partition);
    sl_strbuf_append(&j->kb, jkey, jklen);
    if (j->kb.failed || j->vb.failed)
      return nomem(err);
    if ((rc = bucket_get(j, true, &bk, err)))
      return rc;
  }
  jrow *r;
  if ((rc = row_new(j, part, side, ts, null_key ? NULL : jkey,
                    null_key ? 0 : jklen, bk, seq, &r, err)))
    return rc;
  r->matched = *flags & FLAG_MATCHED;
  r->stored = true;
  if (seq >= j->st.next_seq)
    j->st.next_seq = seq + 1;
  return SL_OK;
}

/* The partition whose rows a revocation drops. */
typedef struct dropping {
  ijoin_op *j;
  int32_t partition;
} dropping;

static bool row_in_partition(void *ud, sl_timeheap_item *it) {
  return row_of(it)->part->partition == ((dropping *)ud)->partition;
}

static void drop_row(void *ud, sl_timeheap_item *it) {
  row_free(((dropping *)ud)->j, row_of(it));
}

static sl_status ijoin_partitions(sl_op *op, const int32_t *parts, int n,
                                  bool assigned, sl_error *err) {
  ijoin_op *j = (ijoin_op *)op;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      sl_stateful_part *part;
      sl_status rc = sl_stateful_part_get(&j->st, parts[i], &part, err);
      if (rc)
        return rc;
      continue;
    }
    /* Drop the partition's rows from memory; its table stays. */
    dropping d = {j, parts[i]};
    sl_timeheap_remove_if(&j->expiring, row_in_partition, drop_row, &d);
    sl_stateful_part_forget(&j->st, parts[i]);
  }
  return SL_OK;
}

static sl_status ijoin_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                  sl_error *err) {
  ijoin_op *j = (ijoin_op *)op;
  if (!ck->state)
    return SL_OK;
  for (size_t k = 0; k < j->expiring.n; k++) {
    jrow *r = row_of(j->expiring.items[k]);
    if (!r->dirty || !r->part->table)
      continue;
    sl_strbuf_reset(&j->vb);
    sl_rowcodec_put_i64(&j->vb, r->ts);
    uint8_t flags = (r->matched ? FLAG_MATCHED : 0) |
                    (r->bucket ? 0 : FLAG_NULL_KEY);
    sl_strbuf_appendc(&j->vb, (char)flags);
    sl_rowcodec_put_blob(&j->vb, r->data, r->klen);
    sl_strbuf_append(&j->vb, r->data + r->klen, r->vlen);
    if (j->vb.failed || row_key(j, r))
      return nomem(err);
    sl_status rc = sl_state_put(r->part->table, j->kb.data, j->kb.len,
                                j->vb.data, j->vb.len, err);
    if (rc)
      return rc;
    r->stored = true;
    r->dirty = false;
  }
  return sl_stateful_checkpoint_meta(&j->st, err);
}

/* ==== Lifecycle ======================================================== */

static sl_status ijoin_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  ijoin_op *j = (ijoin_op *)op;
  sl_keymap_init(&j->buckets);
  sl_timeheap_init(&j->expiring);
  sl_strbuf_init(&j->kb);
  sl_strbuf_init(&j->vb);
  j->ready = true;
  j->last_wm = SL_WATERMARK_NONE;
  sl_log_limit lim = SL_LOG_LIMIT_INIT(5, 10000);
  j->log_limit = lim;

  sl_status rc;
  if ((rc = sl_stateful_open(&j->st, op, j->state_name, ctx, load_entry, j,
                             err)))
    return rc;
  j->keycols = calloc((size_t)j->nkeys + 1, sizeof(*j->keycols));
  for (int s = 0; s < 2; s++)
    j->keys[s] = calloc((size_t)j->nkeys + 1, sizeof(*j->keys[s]));
  if (!j->keycols || !j->keys[0] || !j->keys[1])
    return nomem(err);
  for (int s = 0; s < 2; s++)
    for (int k = 0; k < j->nkeys; k++)
      if ((rc = sl_expr_compile(j->keys_b[s][k], &j->opts, &j->keys[s][k],
                                err)))
        return rc;
  if (j->residual_b &&
      (rc = sl_expr_compile(j->residual_b, &j->opts, &j->residual, err)))
    return rc;
  if ((rc = sl_outbuf_init(&j->out, j->ncols[0] + j->ncols[1], j->capacity,
                           err)))
    return rc;
  j->out.before_send = before_send;
  j->out.ud = j;
  j->pairs = calloc((size_t)j->out.batch->capacity, sizeof(*j->pairs));
  if (!j->pairs)
    return nomem(err);
  return SL_OK;
}

static void ijoin_close(sl_op *op) {
  ijoin_op *j = (ijoin_op *)op;
  if (!j->ready)
    return;
  for (size_t k = 0; k < j->expiring.n; k++)
    free(row_of(j->expiring.items[k]));
  j->expiring.n = 0;
  sl_timeheap_destroy(&j->expiring);
  size_t bucket = 0;
  sl_keymap_node *n = sl_keymap_next(&j->buckets, &bucket, NULL);
  while (n) {
    size_t nb = bucket;
    sl_keymap_node *next = sl_keymap_next(&j->buckets, &nb, n);
    free(bucket_of(n));
    bucket = nb;
    n = next;
  }
  sl_keymap_destroy(&j->buckets);
  for (int s = 0; s < 2; s++) {
    for (int k = 0; j->keys[s] && k < j->nkeys; k++)
      sl_expr_free(j->keys[s][k]);
    free(j->keys[s]);
    j->keys[s] = NULL;
  }
  free(j->keycols);
  j->keycols = NULL;
  sl_expr_free(j->residual);
  j->residual = NULL;
  free(j->pairs);
  j->pairs = NULL;
  sl_outbuf_free(&j->out);
  sl_stateful_close(&j->st);
  sl_strbuf_free(&j->kb);
  sl_strbuf_free(&j->vb);
  j->nrows[0] = j->nrows[1] = 0;
  j->ready = false;
}

static void ijoin_destroy(sl_op *op) {
  ijoin_op *j = (ijoin_op *)op;
  /* An open that failed half-way left things to release. */
  ijoin_close(op);
  free(j->state_name);
  free(j);
}

static const sl_op_class ijoin_class = {
    .name = "interval_join",
    .open = ijoin_open,
    .process = ijoin_process,
    .watermark = ijoin_watermark,
    .partitions = ijoin_partitions,
    .checkpoint = ijoin_checkpoint,
    .close = ijoin_close,
    .destroy = ijoin_destroy,
};

/* Creates the join (see interval_join.h). */
sl_status sl_interval_join_new(const sl_interval_join_spec *spec,
                               const sl_expr_options *opts, sl_op **out,
                               sl_error *err) {
  if (spec->before_ms + spec->after_ms < 0 || spec->grace_ms < 0)
    return sl_error_set(err, SL_ERR_SQL,
                        "WITHIN (%lld ms, %lld ms) GRACE %lld ms matches "
                        "nothing",
                        (long long)spec->before_ms, (long long)spec->after_ms,
                        (long long)spec->grace_ms);
  if (spec->nkeys < 1)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "interval join without key equalities");
  ijoin_op *j = calloc(1, sizeof(*j));
  if (!j)
    return nomem(err);
  if (spec->state_name && !(j->state_name = strdup(spec->state_name))) {
    free(j);
    return nomem(err);
  }
  sl_op_init(&j->base, &ijoin_class, 2, err);
  j->kind = spec->kind;
  j->ncols[0] = spec->nleft;
  j->ncols[1] = spec->nright;
  j->nkeys = spec->nkeys;
  j->keys_b[0] = spec->left_keys;
  j->keys_b[1] = spec->right_keys;
  j->before = spec->before_ms;
  j->after = spec->after_ms;
  j->grace = spec->grace_ms;
  j->residual_b = spec->residual;
  j->capacity = spec->capacity;
  j->outer[0] = spec->kind == SL_JOIN_LEFT || spec->kind == SL_JOIN_FULL;
  j->outer[1] = spec->kind == SL_JOIN_RIGHT || spec->kind == SL_JOIN_FULL;
  if (opts)
    j->opts = *opts;
  *out = &j->base;
  return SL_OK;
}

void sl_interval_join_buffered(const sl_op *op, long *left, long *right) {
  const ijoin_op *j = (const ijoin_op *)op;
  *left = j->nrows[0];
  *right = j->nrows[1];
}
