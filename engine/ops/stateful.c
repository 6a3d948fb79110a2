/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stateful.c - partitions, lateness and result batches of the stateful
 * operators (see stateful.h).
 */
#include "engine/ops/stateful.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ops/errors.h"
#include "engine/ops/rowcodec.h"
#include "engine/types/format.h"

#define META_VERSION 1

sl_status sl_stateful_open(sl_stateful *s, sl_op *op, const char *name,
                           const sl_op_ctx *ctx, sl_stateful_load_fn load,
                           void *ud, sl_error *err) {
  memset(s, 0, sizeof(*s));
  s->op = op;
  op->stateful = s;
  s->store = ctx ? ctx->state : NULL;
  s->load = load;
  s->ud = ud;
  s->one_partition = ctx && ctx->one_partition;
  char buf[96];
  if (!name) {
    snprintf(buf, sizeof(buf), "%s.%d", op->cls->name, op->id);
    name = buf;
  }
  s->name = strdup(name);
  if (!s->name)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory opening %s",
                        op->cls->name);
  return SL_OK;
}

void sl_stateful_close(sl_stateful *s) {
  if (s->op && s->op->stateful == s)
    s->op->stateful = NULL;
  for (int i = 0; i < s->nparts; i++)
    free(s->parts[i]);
  free(s->parts);
  free(s->name);
  s->parts = NULL;
  s->nparts = s->cap = 0;
  s->name = NULL;
  s->last = NULL;
}

sl_stateful_part *sl_stateful_part_find(const sl_stateful *s,
                                        int32_t partition) {
  if (s->one_partition)
    partition = 0;
  if (s->last && s->last->partition == partition)
    return s->last;
  for (int i = 0; i < s->nparts; i++)
    if (s->parts[i]->partition == partition)
      return s->parts[i];
  return NULL;
}

/* Reads the meta entry into part. */
static sl_status read_meta(sl_stateful *s, sl_stateful_part *part,
                           const void *value, size_t vlen, sl_error *err) {
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, value, vlen);
  const unsigned char *v = value;
  if (vlen < 1 || v[0] != META_VERSION)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "state of %s partition %d: unknown layout", s->name,
                        (int)part->partition);
  rd.p++;
  int nports = rd.p < rd.end ? *rd.p++ : 0;
  int64_t floor[SL_STATEFUL_PORTS];
  for (int i = 0; i < nports; i++) {
    int64_t f = sl_rowcodec_get_i64(&rd);
    if (i < SL_STATEFUL_PORTS)
      floor[i] = f;
  }
  uint64_t seq = sl_rowcodec_get_u64v(&rd);
  if (!sl_rowcodec_done(&rd) || nports > SL_STATEFUL_PORTS)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "state of %s partition %d is corrupt", s->name,
                        (int)part->partition);
  for (int i = 0; i < nports; i++)
    part->floor[i] = floor[i];
  if (seq > s->next_seq)
    s->next_seq = seq;
  return SL_OK;
}

/* Hands every entry of part's table to the operator. */
static sl_status load_part(sl_stateful *s, sl_stateful_part *part,
                           sl_error *err) {
  sl_state_iter it;
  sl_state_iter_init(&it, part->table);
  const void *key, *value;
  size_t klen, vlen;
  while (sl_state_iter_next(&it, &key, &klen, &value, &vlen)) {
    sl_status rc;
    if (klen == 1 && *(const unsigned char *)key == SL_STATEFUL_META_TAG)
      rc = read_meta(s, part, value, vlen, err);
    else
      rc = s->load(s->ud, part, key, klen, value, vlen, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Finds or loads a partition (see stateful.h). */
sl_status sl_stateful_part_get(sl_stateful *s, int32_t partition,
                               sl_stateful_part **out, sl_error *err) {
  if (s->one_partition)
    partition = 0;
  sl_stateful_part *part = sl_stateful_part_find(s, partition);
  if (part) {
    s->last = part;
    *out = part;
    return SL_OK;
  }

  if (s->nparts == s->cap) {
    int cap = s->cap ? s->cap * 2 : 8;
    sl_stateful_part **parts = realloc(s->parts, (size_t)cap * sizeof(*parts));
    if (!parts)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory in %s", s->name);
    s->parts = parts;
    s->cap = cap;
  }
  part = calloc(1, sizeof(*part));
  if (!part)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory in %s", s->name);
  part->partition = partition;
  for (int i = 0; i < SL_STATEFUL_PORTS; i++)
    part->floor[i] = part->seen[i] = SL_WATERMARK_NONE;
  part->index = s->nparts;
  s->parts[s->nparts++] = part;
  s->last = part;

  if (s->store) {
    sl_status rc = sl_state_table_get(s->store, s->name, partition,
                                      &part->table, err);
    if (!rc && s->load)
      rc = load_part(s, part, err);
    if (rc)
      return sl_error_prefix(err, "restoring %s partition %d", s->name,
                             (int)partition);
  }
  *out = part;
  return SL_OK;
}

void sl_stateful_part_forget(sl_stateful *s, int32_t partition) {
  if (s->one_partition)
    partition = 0;
  for (int i = 0; i < s->nparts; i++) {
    if (s->parts[i]->partition != partition)
      continue;
    if (s->last == s->parts[i])
      s->last = NULL;
    free(s->parts[i]);
    s->parts[i] = s->parts[--s->nparts];
    if (i < s->nparts)
      s->parts[i]->index = i;
    return;
  }
}

void sl_stateful_raise_floors(sl_stateful *s) {
  int nports = s->op->nports < SL_STATEFUL_PORTS ? s->op->nports
                                                 : SL_STATEFUL_PORTS;
  for (int i = 0; i < s->nparts; i++)
    for (int p = 0; p < nports; p++) {
      int64_t wm = s->op->ports_wm[p];
      if (wm != SL_WATERMARK_END && wm > s->parts[i]->floor[p])
        s->parts[i]->floor[p] = wm;
    }
}

sl_status sl_stateful_checkpoint_meta(sl_stateful *s, sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_status rc = SL_OK;
  for (int i = 0; i < s->nparts && !rc; i++) {
    sl_stateful_part *part = s->parts[i];
    if (!part->table)
      continue;
    int nports = s->op->nports < SL_STATEFUL_PORTS ? s->op->nports
                                                   : SL_STATEFUL_PORTS;
    sl_strbuf_reset(&sb);
    sl_strbuf_appendc(&sb, META_VERSION);
    sl_strbuf_appendc(&sb, (char)nports);
    for (int p = 0; p < nports; p++) {
      int64_t floor = part->floor[p];
      if (part->seen[p] > floor)
        floor = part->seen[p];
      /* The end of a bounded run is no floor: a run that resumes this
       * checkpoint reads records that came after it. */
      if (s->op->ports_wm[p] > floor && s->op->ports_wm[p] != SL_WATERMARK_END)
        floor = s->op->ports_wm[p];
      sl_rowcodec_put_i64(&sb, floor);
    }
    sl_rowcodec_put_u64v(&sb, s->next_seq);
    if (sb.failed) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory in %s", s->name);
      break;
    }
    unsigned char key = SL_STATEFUL_META_TAG;
    rc = sl_state_put(part->table, &key, 1, sb.data, sb.len, err);
  }
  sl_strbuf_free(&sb);
  return rc;
}

int64_t sl_stateful_row_watermark(const sl_op *op, int port,
                                  const sl_op_batch *in, int r,
                                  sl_stateful_part *part) {
  int64_t wm = in->row_watermark ? in->row_watermark[r] : op->ports_wm[port];
  if (part && port >= 0 && port < SL_STATEFUL_PORTS) {
    if (part->floor[port] > wm)
      wm = part->floor[port];
    if (wm > part->seen[port])
      part->seen[port] = wm;
  }
  return wm;
}

sl_status sl_stateful_late(sl_op *op, const sl_op_batch *in, int r,
                           const char *message, sl_error *err) {
  atomic_fetch_add_explicit(&op->counters.records_late, 1,
                            memory_order_relaxed);
  if (!op->ctx || !op->ctx->errors)
    return SL_OK;
  return sl_op_errors_late(op->ctx->errors, in->topic, in->batch, r, message,
                           err);
}

char *sl_stateful_time_text(int64_t ms, char *buf) {
  if (ms == SL_WATERMARK_NONE)
    strcpy(buf, "none");
  else if (ms == SL_WATERMARK_END)
    strcpy(buf, "end");
  else
    sl_format_timestamp(ms, false, buf);
  return buf;
}

void sl_stateful_delete(sl_stateful_part *part, const void *key,
                        size_t klen) {
  if (part->table)
    sl_state_delete(part->table, key, klen);
}

/* ---- Result batches ---------------------------------------------------- */

sl_status sl_outbuf_init(sl_outbuf *ob, int ncols, int capacity,
                         sl_error *err) {
  if (capacity <= 0)
    capacity = 1024;
  ob->batch = sl_batch_create(ncols, capacity);
  ob->wm = malloc((size_t)capacity * sizeof(*ob->wm));
  ob->sent = false;
  ob->before_send = NULL;
  ob->ud = NULL;
  if (!ob->batch || !ob->wm) {
    sl_outbuf_free(ob);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for results");
  }
  return SL_OK;
}

void sl_outbuf_free(sl_outbuf *ob) {
  sl_batch_free(ob->batch);
  free(ob->wm);
  ob->batch = NULL;
  ob->wm = NULL;
}

sl_status sl_outbuf_row(sl_outbuf *ob, sl_op *op, int32_t partition,
                        int64_t event_time, int64_t watermark, int *row,
                        sl_error *err) {
  if (ob->sent) {
    sl_batch_reset(ob->batch);
    ob->sent = false;
  }
  if (sl_batch_full(ob->batch)) {
    sl_status rc = sl_outbuf_flush(ob, op, err);
    if (rc)
      return rc;
    sl_batch_reset(ob->batch);
    ob->sent = false;
  }
  int r = sl_batch_append_row(ob->batch);
  sl_batch_row *m = &ob->batch->rows[r];
  m->partition = partition;
  m->event_time = event_time;
  m->timestamp = event_time;
  ob->wm[r] = watermark;
  *row = r;
  return SL_OK;
}

sl_status sl_outbuf_flush(sl_outbuf *ob, sl_op *op, sl_error *err) {
  if (ob->sent || ob->batch->nrows == 0)
    return SL_OK;
  if (ob->before_send) {
    sl_status rc = ob->before_send(ob->ud, ob, err);
    if (rc)
      return rc;
  }
  sl_op_batch out = {.batch = ob->batch, .row_watermark = ob->wm,
                     .topic = NULL};
  ob->sent = true;
  sl_status rc = sl_op_emit(op, &out, err);
  if (rc)
    return rc;
  /* Views downstream share the rows but count their own failures, so
   * every row is looked at. */
  if (op->ctx && op->ctx->errors)
    return sl_op_errors_route_batch(op->ctx->errors, NULL, ob->batch, err);
  return SL_OK;
}
