/* SPDX-License-Identifier: Apache-2.0 */
/*
 * repartition.c - the writer of a repartition topic and the record
 * layout its reader shares (see repartition.h).
 *
 * Outline of a batch: evaluate the key expressions over the batch; for
 * each live row encode the key and the row (header, upstream position,
 * times, every column) and produce it to the key's partition.  A
 * watermark that advanced sends a mark to every partition of the topic;
 * END is sent once.
 */
#include "engine/ops/repartition.h"

#include <stdlib.h>
#include <string.h>

#include "engine/ops/output.h"
#include "engine/ops/source.h"

/* ------------------------------------------------------------------ */
/* Layout                                                              */
/* ------------------------------------------------------------------ */

int32_t sl_repart_partition(const void *key, size_t len, int partitions) {
  const unsigned char *d = key;
  const uint32_t m = 0x5bd1e995;
  uint32_t h = 0x9747b28cu ^ (uint32_t)len;
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    uint32_t k = (uint32_t)d[i] | (uint32_t)d[i + 1] << 8 |
                 (uint32_t)d[i + 2] << 16 | (uint32_t)d[i + 3] << 24;
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  switch (len - i) {
  case 3:
    h ^= (uint32_t)d[i + 2] << 16;
    /* fall through */
  case 2:
    h ^= (uint32_t)d[i + 1] << 8;
    /* fall through */
  case 1:
    h ^= d[i];
    h *= m;
    break;
  default:
    break;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return partitions > 0 ? (int32_t)((h & 0x7fffffffu) % (uint32_t)partitions)
                        : 0;
}

bool sl_repart_read_header(sl_rowcodec_reader *rd, sl_repart_header *h) {
  if (rd->p >= rd->end)
    return false;
  h->kind = *rd->p++;
  h->upstream = (int)sl_rowcodec_get_u64v(rd);
  h->watermark = sl_rowcodec_get_i64(rd);
  uint64_t n = sl_rowcodec_get_u64v(rd);
  if (rd->bad || n > SL_REPART_MAX_UPSTREAM || h->upstream < 1 ||
      h->upstream > SL_REPART_MAX_UPSTREAM)
    return false;
  h->nlist = (int)n;
  for (int i = 0; i < h->nlist; i++) {
    uint64_t p = sl_rowcodec_get_u64v(rd);
    if (p >= (uint64_t)h->upstream)
      return false;
    h->list[i] = (int32_t)p;
  }
  if (h->kind == SL_REPART_ROW) {
    h->partition = (int32_t)sl_rowcodec_get_u64v(rd);
    h->offset = (int64_t)sl_rowcodec_get_u64v(rd);
    h->event_time = sl_rowcodec_get_i64(rd);
    h->timestamp = sl_rowcodec_get_i64(rd);
    if (h->partition < 0 || h->partition >= h->upstream)
      return false;
  } else if (h->kind != SL_REPART_MARK && h->kind != SL_REPART_IDLE) {
    return false;
  }
  return !rd->bad;
}

/* ------------------------------------------------------------------ */
/* The writer                                                          */
/* ------------------------------------------------------------------ */

typedef struct repart_op {
  sl_op base;
  char *topic;
  int partitions;
  int upstream;
  int nkeys;
  sl_bexpr *const *key_defs;
  sl_expr **keys;
  int ncols;
  sl_expr_options opts;
  sl_op *source;          /* whose partitions the records list */
  int32_t *list;          /* its assigned partitions */
  int nlist;
  sl_strbuf head;         /* the header shared by a batch's records */
  sl_strbuf key;
  sl_strbuf value;
  int64_t sent_wm;        /* last watermark marked */
  bool sent_idle;         /* the last mark said the source is idle */
} repart_op;

/* The writer's partitions, from its source, and the header prefix of
 * its records (kind byte excluded) for watermark wm. */
static sl_status put_prefix(repart_op *w, sl_strbuf *out, int kind,
                            int64_t wm, sl_error *err) {
  if (w->source) {
    int n = sl_source_assigned(w->source, NULL, 0);
    if (n > w->nlist) {
      int32_t *l = realloc(w->list, (size_t)n * sizeof(*l));
      if (!l)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      w->list = l;
    }
    w->nlist = sl_source_assigned(w->source, w->list, n);
  }
  sl_strbuf_reset(out);
  unsigned char k = (unsigned char)kind;
  sl_strbuf_append(out, (const char *)&k, 1);
  sl_rowcodec_put_u64v(out, (uint64_t)w->upstream);
  sl_rowcodec_put_i64(out, wm);
  sl_rowcodec_put_u64v(out, (uint64_t)w->nlist);
  for (int i = 0; i < w->nlist; i++)
    sl_rowcodec_put_u64v(out, (uint64_t)w->list[i]);
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

static sl_status produce(repart_op *w, int32_t partition, const void *key,
                         size_t klen, const sl_strbuf *value,
                         int64_t timestamp, sl_error *err) {
  if (!w->base.ctx || !w->base.ctx->output)
    return sl_error_set(err, SL_ERR_INTERNAL, "repartition %s without a "
                        "producer", w->topic);
  sl_kafka_record rec = {
      .topic = w->topic,
      .partition = partition,
      .key = key,
      .key_len = klen,
      .value = value->data,
      .value_len = value->len,
      .timestamp_ms = timestamp > 0 ? timestamp : 0,
  };
  return sl_op_output_produce(w->base.ctx->output, &rec, err);
}

static sl_status repart_open(sl_op *op, const sl_op_ctx *ctx,
                             sl_error *err) {
  (void)ctx;
  repart_op *w = (repart_op *)op;
  for (int i = 0; i < w->nkeys; i++) {
    sl_status rc = sl_expr_compile(w->key_defs[i], &w->opts, &w->keys[i],
                                   err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

static sl_status repart_process(sl_op *op, int port, const sl_op_batch *in,
                                sl_error *err) {
  (void)port;
  repart_op *w = (repart_op *)op;
  sl_batch *b = in->batch;
  const sl_value **kv = calloc((size_t)w->nkeys + 1, sizeof(*kv));
  if (!kv)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = SL_OK;
  for (int k = 0; !rc && k < w->nkeys; k++)
    rc = sl_expr_run(w->keys[k], b, sl_batch_arena(b), &kv[k], NULL, err);

  for (int r = 0; !rc && r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    const sl_batch_row *m = &b->rows[r];
    sl_strbuf_reset(&w->key);
    for (int k = 0; k < w->nkeys; k++)
      sl_rowcodec_put_value(&w->key, &kv[k][r]);
    int64_t wm = in->row_watermark ? in->row_watermark[r]
                                   : w->base.watermark;
    rc = put_prefix(w, &w->value, SL_REPART_ROW, wm, err);
    if (rc)
      break;
    sl_rowcodec_put_u64v(&w->value, (uint64_t)(m->partition > 0
                                                   ? m->partition : 0));
    sl_rowcodec_put_u64v(&w->value, (uint64_t)(m->offset > 0 ? m->offset
                                                             : 0));
    sl_rowcodec_put_i64(&w->value, m->event_time);
    sl_rowcodec_put_i64(&w->value, m->timestamp);
    for (int c = 0; c < w->ncols; c++)
      sl_rowcodec_put_value(&w->value, &b->cols[c][r]);
    if (w->key.failed || w->value.failed) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      break;
    }
    int32_t part = sl_repart_partition(w->key.data, w->key.len,
                                       w->partitions);
    rc = produce(w, part, w->key.data, w->key.len, &w->value,
                 m->event_time, err);
  }
  free(kv);
  return rc;
}

/* A watermark that advanced goes to every partition of the topic. */
static sl_status repart_watermark(sl_op *op, int64_t wm, sl_error *err) {
  repart_op *w = (repart_op *)op;
  if (wm <= w->sent_wm)
    return SL_OK;
  w->sent_wm = wm;
  w->sent_idle = false;
  sl_status rc = put_prefix(w, &w->value, SL_REPART_MARK, wm, err);
  for (int p = 0; !rc && p < w->partitions; p++)
    rc = produce(w, p, NULL, 0, &w->value, 0, err);
  return rc;
}

sl_status sl_repart_sink_tick(sl_op *sink, sl_error *err) {
  repart_op *w = (repart_op *)sink;
  bool idle = w->source && sl_source_idle(w->source);
  if (!idle) {
    w->sent_idle = false;
    return SL_OK;
  }
  if (w->sent_idle)
    return SL_OK;
  w->sent_idle = true;
  sl_status rc = put_prefix(w, &w->value, SL_REPART_IDLE, w->sent_wm, err);
  for (int p = 0; !rc && p < w->partitions; p++)
    rc = produce(w, p, NULL, 0, &w->value, 0, err);
  return rc;
}

static void repart_close(sl_op *op) {
  repart_op *w = (repart_op *)op;
  for (int i = 0; i < w->nkeys; i++) {
    sl_expr_free(w->keys[i]);
    w->keys[i] = NULL;
  }
}

static void repart_destroy(sl_op *op) {
  repart_op *w = (repart_op *)op;
  free(w->topic);
  free(w->keys);
  free(w->list);
  sl_strbuf_free(&w->head);
  sl_strbuf_free(&w->key);
  sl_strbuf_free(&w->value);
  free(w);
}

static const sl_op_class repart_class = {
    .name = "repartition",
    .open = repart_open,
    .process = repart_process,
    .watermark = repart_watermark,
    .close = repart_close,
    .destroy = repart_destroy,
};

/* Creates the writer (see repartition.h). */
sl_status sl_repart_sink_new(const sl_repart_sink_spec *spec,
                             const sl_expr_options *opts, sl_op **out,
                             sl_error *err) {
  repart_op *w = calloc(1, sizeof(*w));
  if (!w)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = sl_op_init(&w->base, &repart_class, 1, err);
  w->topic = strdup(spec->topic);
  w->keys = calloc((size_t)spec->nkeys + 1, sizeof(*w->keys));
  if (rc || !w->topic || !w->keys) {
    free(w->topic);
    free(w->keys);
    free(w);
    return rc ? rc : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  w->partitions = spec->partitions > 0 ? spec->partitions : 1;
  w->upstream = spec->upstream > 0 ? spec->upstream : 1;
  w->nkeys = spec->nkeys;
  w->key_defs = spec->keys;
  w->ncols = spec->ncols;
  if (opts)
    w->opts = *opts;
  sl_strbuf_init(&w->head);
  sl_strbuf_init(&w->key);
  sl_strbuf_init(&w->value);
  w->sent_wm = SL_WATERMARK_NONE;
  *out = &w->base;
  return SL_OK;
}

void sl_repart_sink_set_source(sl_op *sink, sl_op *source) {
  ((repart_op *)sink)->source = source;
}
