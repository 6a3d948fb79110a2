/* SPDX-License-Identifier: Apache-2.0 */
/*
 * window_join.c - the join of two windowed results (see window_join.h).
 *
 * Entries (one per partition, key and window) sit in a hash map and in a
 * heap by closing time; each holds the encoded latest row of each side.
 */
#include "engine/ops/window_join.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"
#include "engine/ops/stateful.h"

#define TAG_ENTRY 'J'
#define FLAG_LEFT 1
#define FLAG_RIGHT 2
#define FLAG_MATCHED 4

typedef struct wjent {
  sl_keymap_node node;     /* key: i32 partition | join key | start | end */
  sl_timeheap_item close;  /* time: end + grace */
  sl_stateful_part *part;
  int64_t start, end;
  unsigned char *row[2];   /* encoded values, or NULL */
  size_t rlen[2];
  bool matched;
  bool dirty;
  bool stored;
  size_t klen;
  unsigned char key[];
} wjent;

typedef struct wjoin_op {
  sl_op base;
  char *state_name;
  int ncols[2];
  int nkeys;
  sl_bexpr *const *keys_b[2];
  int wcol[2][2];          /* [side][0 start, 1 end] */
  int64_t grace;
  int capacity;
  bool outer[2];
  sl_expr_options opts;

  bool ready;
  sl_expr **keys[2];
  const sl_value **keycols;
  sl_stateful st;
  sl_keymap entries;
  sl_timeheap closing;
  sl_outbuf out;
  sl_strbuf kb;
  sl_strbuf vb;
  int64_t last_wm;
} wjoin_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in window_join");
}

static wjent *ent_of_node(sl_keymap_node *n) {
  return (wjent *)((char *)n - offsetof(wjent, node));
}

static wjent *ent_of_item(sl_timeheap_item *it) {
  return (wjent *)((char *)it - offsetof(wjent, close));
}

/* The entry for the map key in j->kb, created when missing. */
static sl_status ent_get(wjoin_op *j, sl_stateful_part *part, int64_t start,
                         int64_t end, uint64_t seq, wjent **out,
                         sl_error *err) {
  uint64_t hash = sl_keymap_hash(j->kb.data, j->kb.len);
  sl_keymap_node *n = sl_keymap_find(&j->entries, j->kb.data, j->kb.len,
                                     hash);
  if (n) {
    *out = ent_of_node(n);
    return SL_OK;
  }
  wjent *e = calloc(1, sizeof(*e) + j->kb.len);
  if (!e)
    return nomem(err);
  memcpy(e->key, j->kb.data, j->kb.len);
  e->klen = j->kb.len;
  e->node.key = e->key;
  e->node.klen = e->klen;
  e->node.hash = hash;
  e->part = part;
  e->start = start;
  e->end = end;
  e->close.time = sl_time_add(end, j->grace);
  e->close.seq = seq;
  e->close.index = SIZE_MAX;
  sl_status rc = sl_keymap_insert(&j->entries, &e->node, err);
  if (!rc && (rc = sl_timeheap_push(&j->closing, &e->close, err)))
    sl_keymap_remove(&j->entries, &e->node);
  if (rc) {
    free(e);
    return rc;
  }
  *out = e;
  return SL_OK;
}

static void ent_free(wjoin_op *j, wjent *e) {
  sl_timeheap_remove(&j->closing, &e->close);
  sl_keymap_remove(&j->entries, &e->node);
  free(e->row[0]);
  free(e->row[1]);
  free(e);
}

/* The table key of e: tag, then the map key without the partition. */
static sl_status table_key(wjoin_op *j, const wjent *e) {
  sl_strbuf_reset(&j->kb);
  sl_strbuf_appendc(&j->kb, TAG_ENTRY);
  sl_strbuf_append(&j->kb, e->key + 4, e->klen - 4);
  return j->kb.failed ? SL_ERR_NOMEM : SL_OK;
}

/* Sets side's row of e to bytes (copied). */
static sl_status ent_set(wjent *e, int side, const void *bytes, size_t n,
                         sl_error *err) {
  unsigned char *copy = malloc(n ? n : 1);
  if (!copy)
    return nomem(err);
  memcpy(copy, bytes, n);
  free(e->row[side]);
  e->row[side] = copy;
  e->rlen[side] = n;
  return SL_OK;
}

/* A result row of e's rows (an absent side as NULLs). */
static sl_status emit_ent(wjoin_op *j, wjent *e, bool left, bool right,
                          int64_t wm, sl_error *err) {
  int row;
  sl_status rc = sl_outbuf_row(&j->out, &j->base, e->part->partition,
                               e->end - 1, wm, &row, err);
  if (rc)
    return rc;
  sl_arena *arena = sl_outbuf_arena(&j->out);
  bool take[2] = {left, right};
  int first = 0;
  for (int s = 0; s < 2; s++) {
    if (take[s] && e->row[s]) {
      sl_rowcodec_reader rd;
      sl_rowcodec_reader_init(&rd, e->row[s], e->rlen[s]);
      for (int c = 0; c < j->ncols[s]; c++)
        if (!sl_rowcodec_get_value(&rd, arena,
                                   sl_outbuf_value(&j->out, row, first + c)))
          return nomem(err);
    }
    first += j->ncols[s];
  }
  return SL_OK;
}

static sl_status wjoin_process(sl_op *op, int port, const sl_op_batch *in,
                               sl_error *err) {
  wjoin_op *j = (wjoin_op *)op;
  sl_batch *b = in->batch;
  int side = port, other = 1 - port;
  sl_status rc;

  for (int k = 0; k < j->nkeys; k++) {
    int failed = 0;
    if ((rc = sl_expr_run(j->keys[side][k], b, sl_batch_arena(b),
                          &j->keycols[k], &failed, err)))
      return rc;
    atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                              memory_order_relaxed);
  }

  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    const sl_value *sv = &b->cols[j->wcol[side][0]][r];
    const sl_value *ev = &b->cols[j->wcol[side][1]][r];
    bool null_key = false;
    for (int k = 0; k < j->nkeys; k++)
      null_key = null_key || j->keycols[k][r].kind == SL_TYPE_NULL;
    if (sv->kind == SL_TYPE_NULL || ev->kind == SL_TYPE_NULL) {
      sl_error e;
      sl_error_set(&e, SL_ERR_RECORD, "window join: a row without window "
                   "bounds");
      snprintf(e.reason, sizeof(e.reason), "type");
      atomic_fetch_add_explicit(&op->counters.records_failed, 1,
                                memory_order_relaxed);
      if (sl_batch_set_error(b, r, &e))
        return nomem(err);
      continue;
    }
    int64_t start = sv->u.i64, end = ev->u.i64;
    sl_stateful_part *part;
    if ((rc = sl_stateful_part_get(&j->st, b->rows[r].partition, &part, err)))
      return rc;
    int64_t wm = sl_stateful_row_watermark(op, port, in, r, part);
    if (wm >= sl_time_add(end, j->grace)) {
      char s[48], t[48], m[48], msg[256];
      snprintf(msg, sizeof(msg),
               "window [%s, %s) closed at watermark %s before this result "
               "arrived",
               sl_stateful_time_text(start, s), sl_stateful_time_text(end, t),
               sl_stateful_time_text(wm, m));
      if ((rc = sl_stateful_late(op, in, r, msg, err)))
        return rc;
      continue;
    }
    if (null_key && !j->outer[side])
      continue;

    /* The entry of the key and window; a NULL key meets nothing, so it
     * gets an entry of its own per row. */
    sl_strbuf_reset(&j->kb);
    unsigned char pp[4];
    for (int i = 0; i < 4; i++)
      pp[i] = (unsigned char)((uint32_t)part->partition >> (8 * i));
    sl_strbuf_append(&j->kb, pp, 4);
    for (int k = 0; k < j->nkeys; k++)
      sl_rowcodec_put_value(&j->kb, &j->keycols[k][r]);
    uint64_t seq = sl_stateful_seq(&j->st);
    if (null_key)
      sl_rowcodec_put_u64v(&j->kb, seq);
    sl_rowcodec_put_i64(&j->kb, start);
    sl_rowcodec_put_i64(&j->kb, end);
    sl_strbuf_reset(&j->vb);
    for (int c = 0; c < j->ncols[side]; c++)
      sl_rowcodec_put_value(&j->vb, &b->cols[c][r]);
    if (j->kb.failed || j->vb.failed)
      return nomem(err);
    wjent *e;
    if ((rc = ent_get(j, part, start, end, seq, &e, err)) ||
        (rc = ent_set(e, side, j->vb.data, j->vb.len, err)))
      return rc;
    e->dirty = true;
    if (e->row[other]) {
      e->matched = true;
      if ((rc = emit_ent(j, e, true, true, wm, err)))
        return rc;
    }
  }
  return sl_outbuf_flush(&j->out, op, err);
}

static sl_status wjoin_watermark(sl_op *op, int64_t watermark,
                                 sl_error *err) {
  wjoin_op *j = (wjoin_op *)op;
  sl_timeheap_item *top;
  sl_status rc;
  while ((top = sl_timeheap_peek(&j->closing)) && top->time <= watermark) {
    wjent *e = ent_of_item(top);
    if (!e->matched) {
      for (int s = 0; s < 2; s++)
        if (j->outer[s] && e->row[s] &&
            (rc = emit_ent(j, e, s == 0, s == 1, j->last_wm, err)))
          return rc;
    }
    if (e->stored && table_key(j, e) == SL_OK)
      sl_stateful_delete(e->part, j->kb.data, j->kb.len);
    ent_free(j, e);
  }
  j->last_wm = watermark;
  if ((rc = sl_outbuf_flush(&j->out, op, err)))
    return rc;
  return sl_op_emit_watermark(op, watermark, err);
}

/* Rebuilds an entry from the table (see window_join.h). */
static sl_status load_entry(void *ud, sl_stateful_part *part,
                            const void *key, size_t klen, const void *value,
                            size_t vlen, sl_error *err) {
  wjoin_op *j = ud;
  const unsigned char *k = key;
  if (klen < 17 || k[0] != TAG_ENTRY)
    return sl_error_set(err, SL_ERR_RUNTIME, "unknown entry in the state");
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, k + klen - 16, 16);
  int64_t start = sl_rowcodec_get_i64(&rd);
  int64_t end = sl_rowcodec_get_i64(&rd);

  sl_rowcodec_reader_init(&rd, value, vlen);
  const unsigned char *flags = rd.p < rd.end ? rd.p++ : NULL;
  uint64_t seq = sl_rowcodec_get_u64v(&rd);
  size_t n[2];
  const void *rows[2];
  rows[0] = sl_rowcodec_get_blob(&rd, &n[0]);
  rows[1] = sl_rowcodec_get_blob(&rd, &n[1]);
  if (!flags || !sl_rowcodec_done(&rd))
    return sl_error_set(err, SL_ERR_RUNTIME, "window join state is corrupt");

  sl_strbuf_reset(&j->kb);
  unsigned char pp[4];
  for (int i = 0; i < 4; i++)
    pp[i] = (unsigned char)((uint32_t)part->partition >> (8 * i));
  sl_strbuf_append(&j->kb, pp, 4);
  sl_strbuf_append(&j->kb, k + 1, klen - 1);
  if (j->kb.failed)
    return nomem(err);
  wjent *e;
  sl_status rc = ent_get(j, part, start, end, seq, &e, err);
  for (int s = 0; s < 2 && !rc; s++)
    if (*flags & (s == 0 ? FLAG_LEFT : FLAG_RIGHT))
      rc = ent_set(e, s, rows[s], n[s], err);
  if (rc)
    return rc;
  e->matched = *flags & FLAG_MATCHED;
  e->stored = true;
  if (seq >= j->st.next_seq)
    j->st.next_seq = seq + 1;
  return SL_OK;
}

/* The partition whose entries a revocation drops. */
typedef struct dropping {
  wjoin_op *j;
  int32_t partition;
} dropping;

static bool ent_in_partition(void *ud, sl_timeheap_item *it) {
  return ent_of_item(it)->part->partition == ((dropping *)ud)->partition;
}

static void drop_ent(void *ud, sl_timeheap_item *it) {
  ent_free(((dropping *)ud)->j, ent_of_item(it));
}

static sl_status wjoin_partitions(sl_op *op, const int32_t *parts, int n,
                                  bool assigned, sl_error *err) {
  wjoin_op *j = (wjoin_op *)op;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      sl_stateful_part *part;
      sl_status rc = sl_stateful_part_get(&j->st, parts[i], &part, err);
      if (rc)
        return rc;
      continue;
    }
    dropping d = {j, parts[i]};
    sl_timeheap_remove_if(&j->closing, ent_in_partition, drop_ent, &d);
    sl_stateful_part_forget(&j->st, parts[i]);
  }
  return SL_OK;
}

static sl_status wjoin_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                  sl_error *err) {
  wjoin_op *j = (wjoin_op *)op;
  if (!ck->state)
    return SL_OK;
  for (size_t k = 0; k < j->closing.n; k++) {
    wjent *e = ent_of_item(j->closing.items[k]);
    if (!e->dirty || !e->part->table)
      continue;
    sl_strbuf_reset(&j->vb);
    uint8_t flags = (e->row[0] ? FLAG_LEFT : 0) |
                    (e->row[1] ? FLAG_RIGHT : 0) |
                    (e->matched ? FLAG_MATCHED : 0);
    sl_strbuf_appendc(&j->vb, (char)flags);
    sl_rowcodec_put_u64v(&j->vb, e->close.seq);
    sl_rowcodec_put_blob(&j->vb, e->row[0], e->row[0] ? e->rlen[0] : 0);
    sl_rowcodec_put_blob(&j->vb, e->row[1], e->row[1] ? e->rlen[1] : 0);
    if (j->vb.failed || table_key(j, e))
      return nomem(err);
    sl_status rc = sl_state_put(e->part->table, j->kb.data, j->kb.len,
                                j->vb.data, j->vb.len, err);
    if (rc)
      return rc;
    e->stored = true;
    e->dirty = false;
  }
  return sl_stateful_checkpoint_meta(&j->st, err);
}

static sl_status wjoin_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  wjoin_op *j = (wjoin_op *)op;
  sl_keymap_init(&j->entries);
  sl_timeheap_init(&j->closing);
  sl_strbuf_init(&j->kb);
  sl_strbuf_init(&j->vb);
  j->ready = true;
  j->last_wm = SL_WATERMARK_NONE;
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
  return sl_outbuf_init(&j->out, j->ncols[0] + j->ncols[1], j->capacity,
                        err);
}

static void wjoin_close(sl_op *op) {
  wjoin_op *j = (wjoin_op *)op;
  if (!j->ready)
    return;
  while (j->closing.n)
    ent_free(j, ent_of_item(j->closing.items[j->closing.n - 1]));
  sl_timeheap_destroy(&j->closing);
  sl_keymap_destroy(&j->entries);
  for (int s = 0; s < 2; s++) {
    for (int k = 0; j->keys[s] && k < j->nkeys; k++)
      sl_expr_free(j->keys[s][k]);
    free(j->keys[s]);
    j->keys[s] = NULL;
  }
  free(j->keycols);
  j->keycols = NULL;
  sl_outbuf_free(&j->out);
  sl_stateful_close(&j->st);
  sl_strbuf_free(&j->kb);
  sl_strbuf_free(&j->vb);
  j->ready = false;
}

static void wjoin_destroy(sl_op *op) {
  wjoin_op *j = (wjoin_op *)op;
  /* An open that failed half-way left things to release. */
  wjoin_close(op);
  free(j->state_name);
  free(j);
}

static const sl_op_class wjoin_class = {
    .name = "window_join",
    .open = wjoin_open,
    .process = wjoin_process,
    .watermark = wjoin_watermark,
    .partitions = wjoin_partitions,
    .checkpoint = wjoin_checkpoint,
    .close = wjoin_close,
    .destroy = wjoin_destroy,
};

/* Creates the join (see window_join.h). */
sl_status sl_window_join_new(const sl_window_join_spec *spec,
                             const sl_expr_options *opts, sl_op **out,
                             sl_error *err) {
  if (spec->grace_ms < 0)
    return sl_error_set(err, SL_ERR_SQL, "a grace period cannot be negative");
  wjoin_op *j = calloc(1, sizeof(*j));
  if (!j)
    return nomem(err);
  if (spec->state_name && !(j->state_name = strdup(spec->state_name))) {
    free(j);
    return nomem(err);
  }
  sl_op_init(&j->base, &wjoin_class, 2, err);
  j->ncols[0] = spec->nleft;
  j->ncols[1] = spec->nright;
  j->nkeys = spec->nkeys;
  j->keys_b[0] = spec->left_keys;
  j->keys_b[1] = spec->right_keys;
  j->wcol[0][0] = spec->left_start;
  j->wcol[0][1] = spec->left_end;
  j->wcol[1][0] = spec->right_start;
  j->wcol[1][1] = spec->right_end;
  j->grace = spec->grace_ms;
  j->capacity = spec->capacity;
  j->outer[0] = spec->kind == SL_JOIN_LEFT || spec->kind == SL_JOIN_FULL;
  j->outer[1] = spec->kind == SL_JOIN_RIGHT || spec->kind == SL_JOIN_FULL;
  if (opts)
    j->opts = *opts;
  *out = &j->base;
  return SL_OK;
}

long sl_window_join_entries(const sl_op *op) {
  return (long)((const wjoin_op *)op)->entries.count;
}
