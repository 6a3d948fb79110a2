/* SPDX-License-Identifier: Apache-2.0 */
/*
 * group_agg.c - grouped aggregation without a window (see group_agg.h).
 *
 * Groups live in one hash map keyed by partition and group values, each
 * with its aggregate states in the same allocation.
 */
#include "engine/ops/group_agg.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/aggset.h"
#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"
#include "engine/ops/stateful.h"

#define TAG_GROUP 'G'

typedef struct ggroup {
  sl_keymap_node node;    /* key: i32 partition | group values */
  sl_stateful_part *part;
  uint64_t seq;
  int64_t last_ts;        /* latest event time of its rows */
  bool dirty;
  unsigned char *key;     /* klen bytes, after the states */
  size_t klen;
  max_align_t states[];
} ggroup;

typedef struct gagg_op {
  sl_op base;
  char *state_name;
  int ngroup;
  sl_bexpr *const *group_b;
  int naggs;
  const sl_agg_call *aggs_b;
  bool final;
  int capacity;
  sl_expr_options opts;

  bool ready;
  sl_expr **keys;
  const sl_value **keycols;
  sl_aggset aggs;
  sl_stateful st;
  sl_keymap groups;
  sl_outbuf out;
  sl_strbuf kb;
  sl_strbuf vb;
  sl_value *results;
  bool ended;
} gagg_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in group_agg");
}

static ggroup *group_of(sl_keymap_node *n) {
  return (ggroup *)((char *)n - offsetof(ggroup, node));
}

static void put_partition(sl_strbuf *sb, int32_t partition) {
  unsigned char p[4];
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)((uint32_t)partition >> (8 * i));
  sl_strbuf_append(sb, p, 4);
}

/* A group with uninitialized states for the key in g->kb. */
static sl_status group_alloc(gagg_op *g, sl_stateful_part *part,
                             uint64_t hash, ggroup **out, sl_error *err) {
  ggroup *x = malloc(sizeof(*x) + g->aggs.size + g->kb.len);
  if (!x)
    return nomem(err);
  memset(x, 0, sizeof(*x));
  x->key = (unsigned char *)x->states + g->aggs.size;
  memcpy(x->key, g->kb.data, g->kb.len);
  x->klen = g->kb.len;
  x->node.key = x->key;
  x->node.klen = x->klen;
  x->node.hash = hash;
  x->part = part;
  *out = x;
  return SL_OK;
}

/* Emits the row of x with the given event time and watermark. */
static sl_status emit_group(gagg_op *g, ggroup *x, int64_t ts, int64_t wm,
                            sl_error *err) {
  int row;
  sl_status rc = sl_outbuf_row(&g->out, &g->base, x->part->partition, ts, wm,
                               &row, err);
  if (rc)
    return rc;
  sl_arena *arena = sl_outbuf_arena(&g->out);
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, x->key + 4, x->klen - 4);
  for (int k = 0; k < g->ngroup; k++)
    if (!sl_rowcodec_get_value(&rd, arena, sl_outbuf_value(&g->out, row, k)))
      return sl_error_set(err, SL_ERR_INTERNAL,
                          "group_agg: unreadable group key");
  int bad = 0;
  if ((rc = sl_aggset_results(&g->aggs, x->states, arena, g->results, &bad,
                              err)))
    return rc;
  if (bad)
    atomic_fetch_add_explicit(&g->base.counters.records_failed, bad,
                              memory_order_relaxed);
  for (int i = 0; i < g->naggs; i++)
    *sl_outbuf_value(&g->out, row, g->ngroup + i) = g->results[i];
  return SL_OK;
}

static sl_status gagg_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  gagg_op *g = (gagg_op *)op;
  sl_batch *b = in->batch;
  sl_status rc;

  for (int k = 0; k < g->ngroup; k++) {
    int failed = 0;
    if ((rc = sl_expr_run(g->keys[k], b, sl_batch_arena(b), &g->keycols[k],
                          &failed, err)))
      return rc;
    atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                              memory_order_relaxed);
  }
  int failed = 0;
  if ((rc = sl_aggset_eval(&g->aggs, b, &failed, err)))
    return rc;
  atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                            memory_order_relaxed);

  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_stateful_part *part;
    if ((rc = sl_stateful_part_get(&g->st, b->rows[r].partition, &part, err)))
      return rc;
    int64_t wm = sl_stateful_row_watermark(op, port, in, r, part);
    int64_t ts = b->rows[r].event_time;

    sl_strbuf_reset(&g->kb);
    put_partition(&g->kb, part->partition);
    for (int k = 0; k < g->ngroup; k++)
      sl_rowcodec_put_value(&g->kb, &g->keycols[k][r]);
    if (g->kb.failed)
      return nomem(err);
    uint64_t hash = sl_keymap_hash(g->kb.data, g->kb.len);
    sl_keymap_node *n = sl_keymap_find(&g->groups, g->kb.data, g->kb.len,
                                       hash);
    ggroup *x = NULL;
    bool fresh = !n;
    if (n) {
      x = group_of(n);
    } else {
      if ((rc = group_alloc(g, part, hash, &x, err)))
        return rc;
      if ((rc = sl_aggset_init(&g->aggs, x->states, err))) {
        free(x);
        return rc;
      }
      x->seq = sl_stateful_seq(&g->st);
      x->last_ts = ts;
      if ((rc = sl_keymap_insert(&g->groups, &x->node, err))) {
        sl_aggset_free(&g->aggs, x->states);
        free(x);
        return rc;
      }
    }

    sl_aggset_point_row(&g->aggs, r);
    bool refused;
    sl_error rowerr;
    if ((rc = sl_aggset_add(&g->aggs, x->states, g->aggs.argp, ts, &refused,
                            &rowerr, err)))
      return rc;
    if (refused) {
      atomic_fetch_add_explicit(&op->counters.records_failed, 1,
                                memory_order_relaxed);
      if (sl_batch_set_error(b, r, &rowerr))
        return nomem(err);
      if (fresh) {
        sl_keymap_remove(&g->groups, &x->node);
        sl_aggset_free(&g->aggs, x->states);
        free(x);
      }
      continue;
    }
    x->dirty = true;
    if (ts > x->last_ts)
      x->last_ts = ts;
    if (!g->final && (rc = emit_group(g, x, ts, wm, err)))
      return rc;
  }
  return sl_outbuf_flush(&g->out, op, err);
}

static int by_seq(const void *a, const void *b) {
  const ggroup *x = *(ggroup *const *)a, *y = *(ggroup *const *)b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* EMIT FINAL: at the end of input, every group once. */
static sl_status emit_all(gagg_op *g, sl_error *err) {
  size_t n = g->groups.count, i = 0, bucket = 0;
  ggroup **all = malloc((n ? n : 1) * sizeof(*all));
  if (!all)
    return nomem(err);
  for (sl_keymap_node *k = sl_keymap_next(&g->groups, &bucket, NULL); k;
       k = sl_keymap_next(&g->groups, &bucket, k))
    all[i++] = group_of(k);
  qsort(all, n, sizeof(*all), by_seq);
  sl_status rc = SL_OK;
  for (i = 0; i < n && !rc; i++)
    rc = emit_group(g, all[i], all[i]->last_ts, g->base.watermark, err);
  free(all);
  return rc;
}

static sl_status gagg_watermark(sl_op *op, int64_t watermark, sl_error *err) {
  gagg_op *g = (gagg_op *)op;
  sl_status rc;
  if (watermark == SL_WATERMARK_END && g->final && !g->ended) {
    g->ended = true;
    if ((rc = emit_all(g, err)) || (rc = sl_outbuf_flush(&g->out, op, err)))
      return rc;
  }
  return sl_op_emit_watermark(op, watermark, err);
}

/* Rebuilds a group from its table entry (see group_agg.h). */
static sl_status load_entry(void *ud, sl_stateful_part *part,
                            const void *key, size_t klen, const void *value,
                            size_t vlen, sl_error *err) {
  gagg_op *g = ud;
  const unsigned char *k = key;
  if (klen < 1 || k[0] != TAG_GROUP)
    return sl_error_set(err, SL_ERR_RUNTIME, "unknown entry in the state");
  sl_strbuf_reset(&g->kb);
  put_partition(&g->kb, part->partition);
  sl_strbuf_append(&g->kb, k + 1, klen - 1);
  if (g->kb.failed)
    return nomem(err);
  uint64_t hash = sl_keymap_hash(g->kb.data, g->kb.len);
  ggroup *x = NULL;
  sl_status rc = group_alloc(g, part, hash, &x, err);
  if (rc)
    return rc;
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, value, vlen);
  x->seq = sl_rowcodec_get_u64v(&rd);
  x->last_ts = sl_rowcodec_get_i64(&rd);
  if (rd.bad)
    rc = sl_error_set(err, SL_ERR_RUNTIME, "group state is truncated");
  else
    rc = sl_aggset_deserialize(&g->aggs, x->states, &rd, err);
  if (!rc && !sl_rowcodec_done(&rd)) {
    sl_aggset_free(&g->aggs, x->states);
    rc = sl_error_set(err, SL_ERR_RUNTIME, "group state has extra bytes");
  }
  if (!rc && (rc = sl_keymap_insert(&g->groups, &x->node, err)))
    sl_aggset_free(&g->aggs, x->states);
  if (rc) {
    free(x);
    return rc;
  }
  if (x->seq >= g->st.next_seq)
    g->st.next_seq = x->seq + 1;
  return SL_OK;
}

static void free_group(gagg_op *g, ggroup *x) {
  sl_aggset_free(&g->aggs, x->states);
  free(x);
}

static sl_status gagg_partitions(sl_op *op, const int32_t *parts, int n,
                                 bool assigned, sl_error *err) {
  gagg_op *g = (gagg_op *)op;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      sl_stateful_part *part;
      sl_status rc = sl_stateful_part_get(&g->st, parts[i], &part, err);
      if (rc)
        return rc;
      continue;
    }
    size_t bucket = 0;
    sl_keymap_node *k = sl_keymap_next(&g->groups, &bucket, NULL);
    while (k) {
      size_t nb = bucket;
      sl_keymap_node *next = sl_keymap_next(&g->groups, &nb, k);
      ggroup *x = group_of(k);
      if (x->part->partition == parts[i]) {
        sl_keymap_remove(&g->groups, k);
        free_group(g, x);
      }
      bucket = nb;
      k = next;
    }
    sl_stateful_part_forget(&g->st, parts[i]);
  }
  return SL_OK;
}

static sl_status gagg_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                 sl_error *err) {
  gagg_op *g = (gagg_op *)op;
  if (!ck->state)
    return SL_OK;
  size_t bucket = 0;
  for (sl_keymap_node *k = sl_keymap_next(&g->groups, &bucket, NULL); k;
       k = sl_keymap_next(&g->groups, &bucket, k)) {
    ggroup *x = group_of(k);
    if (!x->dirty || !x->part->table)
      continue;
    sl_strbuf_reset(&g->vb);
    sl_rowcodec_put_u64v(&g->vb, x->seq);
    sl_rowcodec_put_i64(&g->vb, x->last_ts);
    sl_status rc = sl_aggset_serialize(&g->aggs, x->states, &g->vb, err);
    if (rc)
      return rc;
    sl_strbuf_reset(&g->kb);
    sl_strbuf_appendc(&g->kb, TAG_GROUP);
    sl_strbuf_append(&g->kb, x->key + 4, x->klen - 4);
    if (g->kb.failed || g->vb.failed)
      return nomem(err);
    if ((rc = sl_state_put(x->part->table, g->kb.data, g->kb.len, g->vb.data,
                           g->vb.len, err)))
      return rc;
    x->dirty = false;
  }
  return sl_stateful_checkpoint_meta(&g->st, err);
}

static sl_status gagg_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  gagg_op *g = (gagg_op *)op;
  sl_keymap_init(&g->groups);
  sl_strbuf_init(&g->kb);
  sl_strbuf_init(&g->vb);
  g->ready = true;
  sl_status rc;
  if ((rc = sl_stateful_open(&g->st, op, g->state_name, ctx, load_entry, g,
                             err)))
    return rc;
  g->keys = calloc((size_t)g->ngroup + 1, sizeof(*g->keys));
  g->keycols = calloc((size_t)g->ngroup + 1, sizeof(*g->keycols));
  g->results = calloc((size_t)g->naggs + 1, sizeof(*g->results));
  if (!g->keys || !g->keycols || !g->results)
    return nomem(err);
  for (int k = 0; k < g->ngroup; k++)
    if ((rc = sl_expr_compile(g->group_b[k], &g->opts, &g->keys[k], err)))
      return rc;
  if ((rc = sl_aggset_open(&g->aggs, g->naggs, g->aggs_b, &g->opts, 0, err)))
    return rc;
  return sl_outbuf_init(&g->out, g->ngroup + g->naggs, g->capacity, err);
}

static void gagg_close(sl_op *op) {
  gagg_op *g = (gagg_op *)op;
  if (!g->ready)
    return;
  size_t bucket = 0;
  sl_keymap_node *k = sl_keymap_next(&g->groups, &bucket, NULL);
  while (k) {
    size_t nb = bucket;
    sl_keymap_node *next = sl_keymap_next(&g->groups, &nb, k);
    free_group(g, group_of(k));
    bucket = nb;
    k = next;
  }
  sl_keymap_destroy(&g->groups);
  for (int i = 0; g->keys && i < g->ngroup; i++)
    sl_expr_free(g->keys[i]);
  free(g->keys);
  free(g->keycols);
  free(g->results);
  g->keys = NULL;
  g->keycols = NULL;
  g->results = NULL;
  sl_aggset_close(&g->aggs);
  sl_stateful_close(&g->st);
  sl_outbuf_free(&g->out);
  sl_strbuf_free(&g->kb);
  sl_strbuf_free(&g->vb);
  g->ready = false;
}

static void gagg_destroy(sl_op *op) {
  gagg_op *g = (gagg_op *)op;
  /* An open that failed half-way left things to release. */
  gagg_close(op);
  free(g->state_name);
  free(g);
}

static const sl_op_class gagg_class = {
    .name = "group_agg",
    .open = gagg_open,
    .process = gagg_process,
    .watermark = gagg_watermark,
    .partitions = gagg_partitions,
    .checkpoint = gagg_checkpoint,
    .close = gagg_close,
    .destroy = gagg_destroy,
};

/* Creates the operator (see group_agg.h). */
sl_status sl_group_agg_new(const sl_group_agg_spec *spec,
                           const sl_expr_options *opts, sl_op **out,
                           sl_error *err) {
  gagg_op *g = calloc(1, sizeof(*g));
  if (!g)
    return nomem(err);
  if (spec->state_name && !(g->state_name = strdup(spec->state_name))) {
    free(g);
    return nomem(err);
  }
  sl_op_init(&g->base, &gagg_class, 1, err);
  g->ngroup = spec->ngroup;
  g->group_b = spec->group_by;
  g->naggs = spec->naggs;
  g->aggs_b = spec->aggs;
  g->final = spec->emit == SL_EMIT_FINAL;
  g->capacity = spec->capacity;
  if (opts)
    g->opts = *opts;
  *out = &g->base;
  return SL_OK;
}

long sl_group_agg_groups(const sl_op *op) {
  return (long)((const gagg_op *)op)->groups.count;
}
