/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.c - the Kafka source operator (see source.h).
 *
 * Outline of a push:
 *   1. decode up to `capacity` records into the source's batch, noting
 *      for each row the watermark before it and advancing its
 *      partition's event time and position;
 *   2. reject the rows that fail one of the stream's CHECKs, each by
 *      the first it fails;
 *   3. emit a view whose columns are the scan's output columns;
 *   4. route the failed rows (decode, type, check and whatever failed
 *      downstream in shared views) to the error policy;
 *   5. push the watermark when it advanced.
 */
#include "engine/ops/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/format/csv_record.h"
#include "engine/format/json_decode.h"
#include "engine/format/record.h"
#include "engine/ops/errors.h"
#include "engine/ops/repartition.h"

typedef struct part {
  int32_t id;
  int64_t max_et;      /* highest event time; SL_WATERMARK_NONE: none */
  int64_t next_offset; /* after the last record processed; -1: none */
  int64_t last_wall;   /* wall ms of the last record (idle detection) */
  bool assigned;
  bool done;           /* at its bounded end */
  bool idle;
  int64_t expect_until; /* not assigned yet but expected: holds the
                           watermark until this wall ms (0: not) */
  /* SL_SOURCE_INTERNAL: per upstream partition, the highest watermark
   * the records read say it reached, and the last offset applied. */
  int nup;
  int64_t *up_wm;
  int64_t *up_off;
  bool *up_idle;        /* its writer said it went quiet */
  bool complete;        /* every upstream partition ended */
  bool offsets_dirty;   /* up_off changed since the last checkpoint */
} part;

/* One CHECK of the stream: its definition (the spec's) and its
 * expression, compiled while the source is open. */
typedef struct check {
  const sl_bcheck *def;
  sl_expr *expr;
} check;

typedef struct source_op {
  sl_op base;
  char *topic;
  const sl_record_schema *schema;
  sl_source_format format;
  char delimiter;
  int ncols;
  int *col_map;
  int64_t ooo;
  int64_t idle_ms;
  sl_expr_options opts;
  check *checks;         /* in declaration order */
  int nchecks;
  int capacity;

  sl_repart_header head; /* SL_SOURCE_INTERNAL: the record's */
  char state_name[32];   /* SL_SOURCE_INTERNAL: its table in the store
                            (the last offsets applied), "" without one */
  sl_state *state;
  sl_json_decoder *json;
  sl_csvrec_decoder *csv;
  sl_batch *batch;       /* decoded rows */
  sl_batch *probe;       /* one row: a record decoded for its event time
                            alone (sl_source_event_time) */
  sl_arena probe_arena;  /* sl_source_event_time's scratch */
  sl_batch view;         /* the scan's columns over batch */
  sl_value **view_cols;
  bool view_ready;
  int64_t *row_wm;

  part *parts;
  int nparts;
  int parts_cap;
  int64_t wm;            /* current watermark */
  int64_t emitted_wm;    /* last pushed downstream */
  bool keyed;            /* state per partition downstream */
} source_op;

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Partitions and watermarks                                           */
/* ------------------------------------------------------------------ */

static part *find_part(source_op *s, int32_t id) {
  for (int i = 0; i < s->nparts; i++)
    if (s->parts[i].id == id)
      return &s->parts[i];
  return NULL;
}

/* SL_SOURCE_INTERNAL: room for n upstream partitions, new ones unknown
 * (watermark NONE, nothing applied). */
static sl_status grow_upstream(part *p, int n, sl_error *err) {
  if (p->nup >= n)
    return SL_OK;
  int64_t *w = realloc(p->up_wm, (size_t)n * sizeof(*w));
  if (w)
    p->up_wm = w;
  int64_t *o = w ? realloc(p->up_off, (size_t)n * sizeof(*o)) : NULL;
  if (!w || !o)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  p->up_off = o;
  bool *idle = realloc(p->up_idle, (size_t)n * sizeof(*idle));
  if (!idle)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  p->up_idle = idle;
  for (int i = p->nup; i < n; i++) {
    p->up_wm[i] = SL_WATERMARK_NONE;
    p->up_off[i] = -1;
    p->up_idle[i] = false;
  }
  p->nup = n;
  return SL_OK;
}

/* SL_SOURCE_INTERNAL: the last upstream offsets applied, as the store's
 * last checkpoint (or a changelog restore) holds them: entry key the
 * upstream partition (varint), value its offset (8 bytes). */
static sl_status load_offsets(source_op *s, part *p, sl_error *err) {
  if (!s->state || !s->state_name[0])
    return SL_OK;
  sl_state_table *t;
  sl_status rc = sl_state_table_get(s->state, s->state_name, p->id, &t, err);
  if (rc)
    return rc;
  sl_state_iter it;
  sl_state_iter_init(&it, t);
  const void *k, *v;
  size_t kl, vl;
  while (sl_state_iter_next(&it, &k, &kl, &v, &vl)) {
    sl_rowcodec_reader rd;
    sl_rowcodec_reader_init(&rd, k, kl);
    uint64_t q = sl_rowcodec_get_u64v(&rd);
    sl_rowcodec_reader vr;
    sl_rowcodec_reader_init(&vr, v, vl);
    int64_t off = sl_rowcodec_get_i64(&vr);
    if (!sl_rowcodec_done(&rd) || !sl_rowcodec_done(&vr) ||
        q >= SL_REPART_MAX_UPSTREAM)
      return sl_error_set(err, SL_ERR_INTERNAL, "state of %s partition %d "
                          "is corrupt", s->topic, (int)p->id);
    if ((rc = grow_upstream(p, (int)q + 1, err)))
      return rc;
    p->up_off[q] = off;
  }
  return SL_OK;
}

/* The partition id, added (assigned) when new. */
static part *get_part(source_op *s, int32_t id, sl_error *err) {
  part *p = find_part(s, id);
  if (p)
    return p;
  if (s->nparts == s->parts_cap) {
    int cap = s->parts_cap ? s->parts_cap * 2 : 8;
    part *ps = realloc(s->parts, (size_t)cap * sizeof(*ps));
    if (!ps) {
      sl_error_set(err, SL_ERR_NOMEM, "out of memory tracking partitions");
      return NULL;
    }
    s->parts = ps;
    s->parts_cap = cap;
  }
  p = &s->parts[s->nparts++];
  memset(p, 0, sizeof(*p));
  p->id = id;
  p->max_et = SL_WATERMARK_NONE;
  p->next_offset = -1;
  p->last_wall = wall_ms();
  p->assigned = true;
  if (s->format == SL_SOURCE_INTERNAL && load_offsets(s, p, err))
    return NULL;
  return p;
}

/* A partition's own watermark. */
static int64_t part_wm(const source_op *s, const part *p) {
  if (p->max_et == SL_WATERMARK_NONE)
    return SL_WATERMARK_NONE;
  if (p->max_et < SL_WATERMARK_NONE + s->ooo + 1)
    return SL_WATERMARK_NONE;
  return p->max_et - s->ooo;
}

/* Recomputes the source's watermark; it never goes back. */
static void recompute(source_op *s) {
  bool assigned = false, holding = false, all_done = true;
  int64_t m = SL_WATERMARK_END;
  int64_t idle_max = SL_WATERMARK_NONE;
  for (int i = 0; i < s->nparts; i++) {
    const part *p = &s->parts[i];
    if (!p->assigned && p->expect_until == 0)
      continue;
    assigned = true;
    if (!p->done)
      all_done = false;
    if (p->done)
      continue;
    int64_t w = part_wm(s, p);
    if (p->idle) {
      if (w > idle_max)
        idle_max = w;
      continue;
    }
    holding = true;
    if (w < m)
      m = w;
  }
  if (!assigned)
    return;

  /* When every partition left is idle, none holds the watermark back: it
   * reaches the furthest of theirs, so that the windows of a stream that
   * went quiet close. */
  if (!holding)
    m = all_done ? SL_WATERMARK_END : idle_max;
  if (m > s->wm)
    s->wm = m;
}

static sl_status push_watermark(source_op *s, sl_error *err) {
  if (s->wm <= s->emitted_wm)
    return SL_OK;
  s->emitted_wm = s->wm;
  return sl_op_emit_watermark(&s->base, s->wm, err);
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

static sl_status source_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  source_op *s = (source_op *)op;
  int width = sl_record_schema_width(s->schema);
  s->batch = sl_batch_create(width, s->capacity);
  s->row_wm = calloc((size_t)s->capacity, sizeof(*s->row_wm));
  s->view_cols = calloc((size_t)s->ncols + 1, sizeof(*s->view_cols));
  if (!s->batch || !s->row_wm || !s->view_cols)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory opening source");
  sl_arena_init(&s->view.arena, 0);
  sl_arena_init(&s->probe_arena, 4096);
  s->view_ready = true;
  s->keyed = ctx && !ctx->one_partition;

  if (s->format == SL_SOURCE_INTERNAL) {
    /* Rows come in the writer's binary form: no decoder.  The offsets
     * applied are kept with the query's state, named by the node. */
    s->state = ctx ? ctx->state : NULL;
    snprintf(s->state_name, sizeof(s->state_name), "n%d", op->id);
  } else if (s->format == SL_SOURCE_CSV) {
    sl_csvrec_options o = {.delimiter = s->delimiter, .borrow_strings = true};
    s->csv = sl_csvrec_decoder_new(s->schema, &o, err);
    if (!s->csv)
      return err ? err->code : SL_ERR_NOMEM;
  } else {
    sl_json_options o = {.borrow_strings = true};
    s->json = sl_json_decoder_new(s->schema, &o, err);
    if (!s->json)
      return err ? err->code : SL_ERR_NOMEM;
  }
  for (int i = 0; i < s->nchecks; i++) {
    sl_status rc = sl_expr_compile(s->checks[i].def->cond, &s->opts,
                                   &s->checks[i].expr, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

static sl_status source_process(sl_op *op, int port, const sl_op_batch *in,
                                sl_error *err) {
  (void)port;
  (void)in;
  return sl_error_set(err, SL_ERR_INTERNAL, "%s takes no input batches",
                      op->cls->name);
}

/* SL_SOURCE_INTERNAL: the last upstream offsets applied go into the
 * store with the state they are part of (see load_offsets). */
static sl_status source_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                   sl_error *err) {
  source_op *s = (source_op *)op;
  if (s->format != SL_SOURCE_INTERNAL || !ck->state || !s->state_name[0])
    return SL_OK;
  for (int i = 0; i < s->nparts; i++) {
    part *p = &s->parts[i];
    if (!p->offsets_dirty)
      continue;
    sl_state_table *t;
    sl_status rc = sl_state_table_get(ck->state, s->state_name, p->id, &t,
                                      err);
    for (int q = 0; !rc && q < p->nup; q++) {
      if (p->up_off[q] < 0)
        continue;
      sl_strbuf kb = SL_STRBUF_INIT;
      sl_rowcodec_put_u64v(&kb, (uint64_t)q);
      sl_strbuf vb = SL_STRBUF_INIT;
      sl_rowcodec_put_i64(&vb, p->up_off[q]);
      if (kb.failed || vb.failed)
        rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      else
        rc = sl_state_put(t, kb.data, kb.len, vb.data, vb.len, err);
      sl_strbuf_free(&kb);
      sl_strbuf_free(&vb);
    }
    if (rc)
      return rc;
    p->offsets_dirty = false;
  }
  return SL_OK;
}

static void source_close(sl_op *op) {
  source_op *s = (source_op *)op;
  sl_json_decoder_free(s->json);
  sl_csvrec_decoder_free(s->csv);
  s->json = NULL;
  s->csv = NULL;
  for (int i = 0; i < s->nchecks; i++) {
    sl_expr_free(s->checks[i].expr);
    s->checks[i].expr = NULL;
  }
  sl_batch_free(s->batch);
  s->batch = NULL;
  sl_batch_free(s->probe);
  s->probe = NULL;
  free(s->row_wm);
  s->row_wm = NULL;
  free(s->view_cols);
  s->view_cols = NULL;
  if (s->view_ready) {
    sl_arena_destroy(&s->view.arena);
    sl_arena_destroy(&s->probe_arena);
  }
  s->view_ready = false;
}

static void source_destroy(sl_op *op) {
  source_op *s = (source_op *)op;
  free(s->topic);
  free(s->col_map);
  free(s->checks);
  for (int i = 0; i < s->nparts; i++) {
    free(s->parts[i].up_wm);
    free(s->parts[i].up_off);
    free(s->parts[i].up_idle);
  }
  free(s->parts);
  free(s);
}

static const sl_op_class source_class = {
    .name = "source",
    .open = source_open,
    .process = source_process,
    .checkpoint = source_checkpoint,
    .close = source_close,
    .destroy = source_destroy,
};

/* Creates a source (see source.h). */
sl_status sl_source_new(const sl_source_spec *spec,
                        const sl_expr_options *opts, sl_op **out,
                        sl_error *err) {
  source_op *s = calloc(1, sizeof(*s));
  if (!s)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating source");
  sl_op_init(&s->base, &source_class, 0, err);
  for (const sl_bcheck *c = spec->check; c; c = c->next)
    s->nchecks++;
  s->topic = strdup(spec->topic);
  s->col_map = malloc(((size_t)spec->ncols + 1) * sizeof(*s->col_map));
  s->checks = calloc((size_t)s->nchecks + 1, sizeof(*s->checks));
  if (!s->topic || !s->col_map || !s->checks) {
    free(s->topic);
    free(s->col_map);
    free(s->checks);
    free(s);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating source");
  }
  if (spec->ncols)
    memcpy(s->col_map, spec->col_map, (size_t)spec->ncols * sizeof(int));
  s->schema = spec->schema;
  s->format = spec->format;
  s->delimiter = spec->delimiter;
  s->ncols = spec->ncols;
  s->ooo = spec->out_of_order_ms > 0 ? spec->out_of_order_ms : 0;
  s->idle_ms = spec->idle_timeout_ms;
  int k = 0;
  for (const sl_bcheck *c = spec->check; c; c = c->next)
    s->checks[k++].def = c;
  s->capacity = spec->capacity > 0 ? spec->capacity : 1024;
  if (opts)
    s->opts = *opts;
  s->wm = SL_WATERMARK_NONE;
  s->emitted_wm = SL_WATERMARK_NONE;
  *out = &s->base;
  return SL_OK;
}

const char *sl_source_topic(const sl_op *src) {
  return ((const source_op *)src)->topic;
}

int64_t sl_source_watermark(const sl_op *src) {
  return ((const source_op *)src)->wm;
}

/* ------------------------------------------------------------------ */
/* Pushing records                                                     */
/* ------------------------------------------------------------------ */

/* Rejects the live rows for which c is FALSE (NULL passes, as in SQL),
 * naming c.  Rows rejected already are not evaluated again, so that a
 * row is named by the first CHECK it fails. */
static sl_status apply_check(source_op *s, const check *c, sl_error *err) {
  const sl_value *res;
  int failed = 0;
  sl_status rc = sl_expr_run(c->expr, s->batch, sl_batch_arena(s->batch),
                             &res, &failed, err);
  if (rc)
    return rc;
  for (int r = 0; r < s->batch->nrows; r++) {
    if (s->batch->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    if (res[r].kind == SL_TYPE_BOOLEAN && !res[r].u.b) {
      rc = sl_record_reject(s->batch, r, s->topic, "check", NULL,
                            "%s failed", c->def->text);
      if (rc == SL_ERR_NOMEM)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
  }
  return SL_OK;
}

/* SL_SOURCE_INTERNAL: the partition's watermark from its upstream
 * partitions' (the minimum over those not idle; the furthest when all
 * are, as a source's own partitions), and whether every one ended. */
static void internal_wm(part *p) {
  int64_t m = SL_WATERMARK_END, idle_max = SL_WATERMARK_NONE;
  bool holding = false, ended = true;
  for (int i = 0; i < p->nup; i++) {
    ended = ended && p->up_wm[i] == SL_WATERMARK_END;
    if (p->up_idle[i]) {
      if (p->up_wm[i] > idle_max)
        idle_max = p->up_wm[i];
      continue;
    }
    holding = true;
    if (p->up_wm[i] < m)
      m = p->up_wm[i];
  }
  if (!holding)
    m = idle_max;
  if (p->nup == 0)
    m = SL_WATERMARK_NONE;
  p->max_et = m;
  p->complete = p->nup > 0 && ended;
}

/* SL_SOURCE_INTERNAL: one record of a repartition topic.  A mark or a
 * duplicate row adds no row (*row stays -1); *wm gets a row's
 * watermark.  A malformed record is an internal failure: only Sluice
 * writes the topic. */
static sl_status decode_internal(source_op *s, part *p,
                                 const sl_kafka_msg *m, int *row,
                                 int64_t *wm, sl_error *err) {
  sl_repart_header *h = &s->head;
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, m->value, m->value ? m->value_len : 0);
  *row = -1;
  if (!sl_repart_read_header(&rd, h))
    return sl_error_set(err, SL_ERR_INTERNAL, "%s [%d] @ %lld: not a "
                        "repartition record", s->topic, (int)m->partition,
                        (long long)m->offset);
  sl_status rc = grow_upstream(p, h->upstream, err);
  if (rc)
    return rc;

  /* What the writer knew before this record, for its partitions: an
   * idle mark says they went quiet, anything else that they speak. */
  for (int i = 0; i < h->nlist; i++) {
    if (h->watermark > p->up_wm[h->list[i]])
      p->up_wm[h->list[i]] = h->watermark;
    if (h->kind != SL_REPART_ROW)
      p->up_idle[h->list[i]] = h->kind == SL_REPART_IDLE;
  }
  if (h->kind == SL_REPART_ROW) {
    p->up_idle[h->partition] = false;
    if (h->watermark > p->up_wm[h->partition])
      p->up_wm[h->partition] = h->watermark;
  }
  internal_wm(p);
  if (h->kind != SL_REPART_ROW || h->offset <= p->up_off[h->partition])
    return SL_OK;
  p->up_off[h->partition] = h->offset;
  p->offsets_dirty = true;

  sl_batch *b = s->batch;
  int r = sl_batch_append_row(b);
  if (r < 0)
    return sl_error_set(err, SL_ERR_INTERNAL, "source batch full");
  for (int c = 0; c < s->schema->ncols; c++)
    if (!sl_rowcodec_get_value(&rd, sl_batch_arena(b), &b->cols[c][r]))
      return sl_error_set(err, SL_ERR_INTERNAL, "%s [%d] @ %lld: a "
                          "malformed repartition row", s->topic,
                          (int)m->partition, (long long)m->offset);
  sl_batch_row *meta = &b->rows[r];
  meta->partition = m->partition;
  meta->offset = m->offset;
  meta->timestamp = h->timestamp;
  meta->event_time = h->event_time;
  meta->key = m->key;
  meta->key_len = (uint32_t)m->key_len;
  meta->value = m->value;
  meta->value_len = (uint32_t)m->value_len;
  *row = r;
  *wm = h->watermark > s->wm ? h->watermark : s->wm;
  return SL_OK;
}

/* Decodes, emits and routes one chunk of at most capacity records. */
static sl_status push_chunk(source_op *s, const sl_kafka_msg *msgs, size_t n,
                            int64_t now, sl_error *err) {
  sl_batch *b = s->batch;
  sl_batch_reset(b);
  sl_arena_reset(&s->view.arena);

  for (size_t i = 0; i < n; i++) {
    const sl_kafka_msg *m = &msgs[i];
    part *p = get_part(s, m->partition, err);
    if (!p)
      return SL_ERR_NOMEM;
    sl_record_msg rm = {
        .topic = m->topic ? m->topic : s->topic,
        .partition = m->partition,
        .offset = m->offset,
        .timestamp = m->timestamp_ms >= 0 ? m->timestamp_ms : 0,
        .key = m->key,
        .key_len = m->key_len,
        .value = m->value,
        .value_len = m->value_len,
    };
    int row = -1;
    sl_error rerr;
    s->row_wm[b->nrows] = s->wm;
    if (s->format == SL_SOURCE_INTERNAL) {
      int64_t before = part_wm(s, p);
      int64_t wm = s->wm;
      sl_status rc = decode_internal(s, p, m, &row, &wm, err);
      if (rc)
        return rc;
      if (row >= 0)
        s->row_wm[row] = wm;
      p->next_offset = m->offset + 1;
      if (part_wm(s, p) != before && !p->done)
        recompute(s);
      continue;
    }
    sl_status rc = s->json ? sl_json_decode(s->json, &rm, b, &row, &rerr)
                           : sl_csvrec_decode(s->csv, &rm, b, &row, &rerr);
    if (rc && rc != SL_ERR_RECORD) {
      if (err)
        *err = rerr;
      return rc;
    }

    /* Event time moves the partition's watermark, record by record. */
    if (rc == SL_OK && row >= 0) {
      int64_t et = b->rows[row].event_time;
      if (et > p->max_et) {
        int64_t before = part_wm(s, p);
        p->max_et = et;
        if (!p->idle && !p->done && before <= s->wm)
          recompute(s);
      }
    }
    p->next_offset = m->offset + 1;
    p->last_wall = now;
    if (p->idle) {
      p->idle = false;
      recompute(s);
    }
  }

  for (int i = 0; i < s->nchecks; i++) {
    sl_status rc = apply_check(s, &s->checks[i], err);
    if (rc)
      return rc;
  }
  int failed = 0;
  for (int r = 0; r < b->nrows; r++)
    failed += b->rows[r].state == SL_BATCH_ROW_ERROR;
  atomic_fetch_add_explicit(&s->base.counters.records_in, b->nrows,
                            memory_order_relaxed);
  atomic_fetch_add_explicit(&s->base.counters.records_failed, failed,
                            memory_order_relaxed);

  /* The scan's columns, in its order. */
  for (int c = 0; c < s->ncols; c++)
    s->view_cols[c] = b->cols[s->col_map[c]];
  s->view.ncols = s->ncols;
  s->view.capacity = b->capacity;
  /* A stream whose failed records stop the query passes on nothing from
   * its first failed record on: what comes after it is read again once
   * the query is restarted. */
  int upto = b->nrows;
  if (failed && (!s->base.ctx || !s->base.ctx->errors ||
                 sl_op_errors_policy(s->base.ctx->errors, s->topic) ==
                     SL_POLICY_FAIL))
    for (int r = 0; r < upto; r++)
      if (b->rows[r].state == SL_BATCH_ROW_ERROR)
        upto = r;
  s->view.nrows = upto;
  s->view.nerrors = upto < b->nrows ? 0 : b->nerrors;
  s->view.cols = s->view_cols;
  s->view.rows = b->rows;
  sl_op_batch ob = {.batch = &s->view, .row_watermark = s->row_wm,
                    .topic = s->topic};
  sl_status rc = sl_op_emit(&s->base, &ob, err);
  if (rc)
    return rc;

  if (s->base.ctx && s->base.ctx->errors) {
    rc = sl_op_errors_route_batch(s->base.ctx->errors, s->topic, b, err);
    if (rc)
      return rc;
  } else {
    for (int r = 0; r < b->nrows; r++)
      if (b->rows[r].state == SL_BATCH_ROW_ERROR)
        return sl_error_set_record(
            err, s->topic, b->rows[r].partition, b->rows[r].offset,
            b->rows[r].error ? b->rows[r].error->reason : "decode", "%s",
            b->rows[r].error ? b->rows[r].error->message : "failed");
  }
  return push_watermark(s, err);
}

/* Pushes records (see source.h). */
sl_status sl_source_push(sl_op *src, const sl_kafka_msg *msgs, size_t n,
                         sl_error *err) {
  source_op *s = (source_op *)src;
  if (src->state != SL_OP_OPEN)
    return sl_error_set(err, SL_ERR_INTERNAL, "source pushed while not open");
  int64_t now = s->idle_ms > 0 ? wall_ms() : 0;
  for (size_t i = 0; i < n;) {
    size_t k = n - i < (size_t)s->capacity ? n - i : (size_t)s->capacity;
    sl_status rc = push_chunk(s, msgs + i, k, now, err);
    if (rc)
      return rc;
    i += k;
  }
  return SL_OK;
}

/* Reads a record's event time before it is pushed (see source.h). */
bool sl_source_event_time(sl_op *src, const sl_kafka_msg *m, int64_t *out) {
  source_op *s = (source_op *)src;
  int64_t ts = m->timestamp_ms >= 0 ? m->timestamp_ms : 0;
  if (s->format == SL_SOURCE_INTERNAL || s->schema->event_time_col < 0) {
    *out = ts;
    return true;
  }
  if (src->state != SL_OP_OPEN)
    return false;
  sl_record_msg rm = {
      .topic = m->topic ? m->topic : s->topic,
      .partition = m->partition,
      .offset = m->offset,
      .timestamp = ts,
      .key = m->key,
      .key_len = m->key_len,
      .value = m->value,
      .value_len = m->value_len,
  };
  sl_arena_reset(&s->probe_arena);
  if (s->json ? sl_json_event_time(s->json, &rm, &s->probe_arena, out)
              : sl_csvrec_event_time(s->csv, &rm, &s->probe_arena, out))
    return true;

  /* What the field alone does not tell (the record key standing in for
   * a missing event time, a record that fails) the whole decode does. */
  if (!s->probe) {
    s->probe = sl_batch_create(sl_record_schema_width(s->schema), 1);
    if (!s->probe)
      return false;
  }
  sl_batch_reset(s->probe);
  int row = -1;
  sl_error ignored;
  sl_status rc = s->json
                     ? sl_json_decode(s->json, &rm, s->probe, &row, &ignored)
                     : sl_csvrec_decode(s->csv, &rm, s->probe, &row,
                                        &ignored);
  bool ok = rc == SL_OK && row >= 0;
  if (ok)
    *out = s->probe->rows[row].event_time;
  sl_batch_reset(s->probe);
  return ok;
}

bool sl_source_partition_idle(const sl_op *src, int32_t partition) {
  const source_op *s = (const source_op *)src;
  for (int i = 0; i < s->nparts; i++)
    if (s->parts[i].id == partition)
      return s->parts[i].idle;
  return false;
}

/* Tracks assignment changes (see source.h). */
sl_status sl_source_assign(sl_op *src, const int32_t *parts, int n,
                           bool assigned, sl_error *err) {
  source_op *s = (source_op *)src;
  bool added = false;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      part *known = find_part(s, parts[i]);
      added = added || !known || !known->assigned;
      part *p = known ? known : get_part(s, parts[i], err);
      if (!p)
        return SL_ERR_NOMEM;
      p->assigned = true;
      p->expect_until = 0;
      p->last_wall = wall_ms();
      continue;
    }
    part *p = find_part(s, parts[i]);
    if (p) {
      free(p->up_wm);
      free(p->up_off);
      free(p->up_idle);
      *p = s->parts[s->nparts - 1];
      s->nparts--;
    }
  }
  /* With state per partition, a partition that comes in (its state
   * restored as its former owner checkpointed it) is judged by its own
   * progress: the watermark starts over from the minimum of the
   * partitions now read, and downstream lowers its input to it, so that
   * nothing closes until the newcomer caught up (on every input of a
   * join), while the partitions already here keep their lateness floors
   * (sl_stateful_raise_floors). */
  if (added && s->keyed && s->wm != SL_WATERMARK_NONE) {
    s->wm = SL_WATERMARK_NONE;
    recompute(s);
    s->emitted_wm = s->wm;
    sl_op_emit_lower_watermark(&s->base, s->wm);
    return SL_OK;
  }
  recompute(s);
  return push_watermark(s, err);
}

/* Partitions to wait for (see source.h). */
sl_status sl_source_expect(sl_op *src, const int32_t *parts, int n,
                           int64_t hold_ms, sl_error *err) {
  source_op *s = (source_op *)src;
  int64_t until = wall_ms() + (hold_ms > 0 ? hold_ms : 1);
  for (int i = 0; i < n; i++) {
    if (find_part(s, parts[i]))
      continue;
    part *p = get_part(s, parts[i], err);
    if (!p)
      return SL_ERR_NOMEM;
    p->assigned = false;
    p->expect_until = until;
  }
  recompute(s);
  return push_watermark(s, err);
}

bool sl_source_idle(const sl_op *src) {
  const source_op *s = (const source_op *)src;
  bool any = false;
  for (int i = 0; i < s->nparts; i++) {
    const part *p = &s->parts[i];
    if (!p->assigned || p->done)
      continue;
    if (!p->idle)
      return false;
    any = true;
  }
  return any;
}

int sl_source_expected(const sl_op *src, int32_t *out, int cap) {
  const source_op *s = (const source_op *)src;
  int n = 0;
  for (int i = 0; i < s->nparts; i++) {
    const part *p = &s->parts[i];
    if (p->assigned || p->expect_until == 0)
      continue;
    if (out && n < cap)
      out[n] = p->id;
    n++;
  }
  return n;
}

sl_status sl_source_unexpect(sl_op *src, int32_t partition, sl_error *err) {
  source_op *s = (source_op *)src;
  part *p = find_part(s, partition);
  if (!p || p->assigned || p->expect_until == 0)
    return SL_OK;
  p->expect_until = 0;
  recompute(s);
  return push_watermark(s, err);
}

sl_status sl_source_partition_done(sl_op *src, int32_t partition,
                                   sl_error *err) {
  source_op *s = (source_op *)src;
  part *p = get_part(s, partition, err);
  if (!p)
    return SL_ERR_NOMEM;
  if (p->done)
    return SL_OK;
  p->done = true;
  recompute(s);
  return push_watermark(s, err);
}

sl_status sl_source_tick(sl_op *src, int64_t now_ms, sl_error *err) {
  source_op *s = (source_op *)src;
  bool changed = false;
  for (int i = 0; i < s->nparts; i++) {
    part *p = &s->parts[i];
    if (!p->assigned && p->expect_until && now_ms >= p->expect_until) {
      p->expect_until = 0;
      changed = true;
    }
    if (s->idle_ms > 0 && p->assigned && !p->done && !p->idle &&
        now_ms - p->last_wall >= s->idle_ms) {
      p->idle = true;
      changed = true;
    }
  }
  if (!changed)
    return SL_OK;
  recompute(s);
  return push_watermark(s, err);
}

int sl_source_positions(const sl_op *src, sl_kafka_position *out, int cap) {
  const source_op *s = (const source_op *)src;
  int k = 0;
  for (int i = 0; i < s->nparts; i++) {
    if (s->parts[i].next_offset < 0)
      continue;
    if (k < cap) {
      out[k].topic = s->topic;
      out[k].partition = s->parts[i].id;
      out[k].offset = s->parts[i].next_offset;
    }
    k++;
  }
  return k;
}

int64_t sl_source_position(const sl_op *src, int32_t partition) {
  const source_op *s = (const source_op *)src;
  for (int i = 0; i < s->nparts; i++)
    if (s->parts[i].id == partition)
      return s->parts[i].next_offset;
  return -1;
}

int sl_source_assigned(const sl_op *src, int32_t *out, int cap) {
  const source_op *s = (const source_op *)src;
  int k = 0;
  for (int i = 0; i < s->nparts; i++) {
    if (!s->parts[i].assigned)
      continue;
    if (out && k < cap)
      out[k] = s->parts[i].id;
    k++;
  }
  return k;
}

int sl_source_complete(const sl_op *src, int32_t *out, int cap) {
  const source_op *s = (const source_op *)src;
  int k = 0;
  for (int i = 0; i < s->nparts; i++) {
    if (!s->parts[i].complete)
      continue;
    if (out && k < cap)
      out[k] = s->parts[i].id;
    k++;
  }
  return k;
}
