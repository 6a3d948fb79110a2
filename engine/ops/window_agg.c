/* SPDX-License-Identifier: Apache-2.0 */
/*
 * window_agg.c - windowed aggregation (see window_agg.h).
 *
 * In memory, groups live in a hash map keyed by partition and group
 * values; each group holds its open windows in a list sorted by start,
 * and every window sits in one heap ordered by the time it closes (end
 * + grace, then creation), which the watermark drains.  The windows
 * changed since the last checkpoint are on a list of their own, so that
 * a checkpoint visits them and no others.
 *
 * With many groups the map, the windows and the store's table are far
 * bigger than the processor's caches, and a lookup mostly waits for
 * memory.  So the walks over many of them (a batch's rows, the windows
 * a watermark closes, the windows a checkpoint writes) hint the
 * processor a few items ahead of the one at hand (sl_keymap_prefetch,
 * sl_state_prefetch), and the watermark takes every due window out of
 * the heap in one pass (sl_timeheap_pop_until).
 *
 * Outline of a batch:
 *   1. evaluate the group expressions and the aggregate arguments;
 *   2. a run of rows at a time: (a) per live row its partition (loading
 *      its state when new, which ends the run before that row) and its
 *      group key and hash, hinted to the map; (b) per row its watermark,
 *      then the fixed-window or the session step adds it to its windows,
 *      emitting changes as it goes;
 *   3. send the results.
 */
#include "engine/ops/window_agg.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/ops/aggset.h"
#include "engine/ops/keymap.h"
#include "engine/ops/rowcodec.h"
#include "engine/ops/stateful.h"

#define TAG_WINDOW 'W'

typedef struct wgroup wgroup;
typedef struct win win;

struct win {
  sl_timeheap_item close;  /* time: end + grace */
  wgroup *g;
  win *next;               /* the group's windows by start */
  int64_t start;
  int64_t end;
  int64_t stored_start;    /* the start of its key in the table */
  bool stored;             /* the table holds it */
  size_t dirty_at;         /* 1 + its place in the dirty list; 0: clean */
  max_align_t states[];    /* the aggregate states (aggset layout) */
};

struct wgroup {
  sl_keymap_node node;     /* key: i32 partition | group values */
  sl_stateful_part *part;
  win *windows;
  size_t klen;
  unsigned char key[];
};

/* A live row's group: its key bytes (in the batch's key buffer), their
 * hash, and its partition (NULL: the row is not live). */
typedef struct rowkey {
  size_t off;
  size_t len;
  uint64_t hash;
  sl_stateful_part *part;
} rowkey;

typedef struct wagg_op {
  sl_op base;
  char *state_name;
  sl_window_kind kind;
  int64_t size;
  int64_t advance;
  int64_t gap;
  int64_t grace;
  bool final;
  bool withdrawals;
  int ngroup;
  sl_bexpr *const *group_b;
  int naggs;
  const sl_agg_call *aggs_b;
  int capacity;
  sl_expr_options opts;

  bool ready;              /* open got as far as the containers */
  sl_expr **keys;
  const sl_value **keycols;
  sl_aggset aggs;
  sl_stateful st;
  sl_keymap groups;
  sl_timeheap closing;
  sl_outbuf out;
  sl_strbuf kb;            /* key scratch */
  sl_strbuf vb;            /* value scratch */
  sl_value *results;       /* naggs scratch */
  win **touch;             /* sessions touched by one event */
  int touch_cap;
  int64_t last_wm;         /* the watermark before the current one */
  long nwindows;
  win **dirty;             /* windows changed since the last checkpoint */
  size_t ndirty;
  size_t dirty_cap;
  sl_strbuf bk;            /* the group keys of a run of rows */
  sl_strbuf hb;            /* a table key being hinted */
  rowkey *rk;              /* per row of the batch */
  int rk_cap;
} wagg_op;

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory in window_agg");
}

static win *win_of(sl_timeheap_item *it) {
  return (win *)((char *)it - offsetof(win, close));
}

/* ==== Groups and windows =============================================== */

/* Appends the map key of row r's group to out: partition, then the
 * encoded values. */
static sl_status group_key(wagg_op *w, sl_strbuf *out, int32_t partition,
                           int r) {
  unsigned char p[4];
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)((uint32_t)partition >> (8 * i));
  sl_strbuf_append(out, p, 4);
  for (int k = 0; k < w->ngroup; k++)
    sl_rowcodec_put_value(out, &w->keycols[k][r]);
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

static wgroup *group_find(wagg_op *w, const void *key, size_t klen,
                          uint64_t hash) {
  sl_keymap_node *n = sl_keymap_find(&w->groups, key, klen, hash);
  return n ? (wgroup *)((char *)n - offsetof(wgroup, node)) : NULL;
}

static sl_status group_new(wagg_op *w, sl_stateful_part *part,
                           const void *key, size_t klen, uint64_t hash,
                           wgroup **out, sl_error *err) {
  wgroup *g = malloc(sizeof(*g) + klen);
  if (!g)
    return nomem(err);
  memcpy(g->key, key, klen);
  g->klen = klen;
  g->node.key = g->key;
  g->node.klen = klen;
  g->node.hash = hash;
  g->part = part;
  g->windows = NULL;
  sl_status rc = sl_keymap_insert(&w->groups, &g->node, err);
  if (rc) {
    free(g);
    return rc;
  }
  *out = g;
  return SL_OK;
}

/* The table key of a window: tag, group values, start. */
static sl_status window_key(wagg_op *w, const wgroup *g, int64_t start) {
  sl_strbuf_reset(&w->kb);
  sl_strbuf_appendc(&w->kb, TAG_WINDOW);
  sl_strbuf_append(&w->kb, g->key + 4, g->klen - 4);
  sl_rowcodec_put_i64(&w->kb, start);
  return w->kb.failed ? SL_ERR_NOMEM : SL_OK;
}

/* Forgets a window's table entry (its key is about to change or it
 * goes). */
static void window_unstore(wagg_op *w, win *x) {
  if (!x->stored)
    return;
  if (window_key(w, x->g, x->stored_start) == SL_OK)
    sl_stateful_delete(x->g->part, w->kb.data, w->kb.len);
  x->stored = false;
}

/* Walks over many windows (closing, checkpointing) hint each window a
 * few steps ahead of the one at hand, one dependent load at a time: the
 * window, its group, then its table key's bucket and entry (the key as
 * stored when closing, as it will be when checkpointing). */
enum { HINT_WINDOW, HINT_GROUP, HINT_BUCKET, HINT_ENTRY };
#define HINT_STEP 3

static void hint_window(wagg_op *w, win *x, int stage, bool closing) {
#if defined(__GNUC__)
  switch (stage) {
  case HINT_WINDOW:
    __builtin_prefetch(x);
    return;
  case HINT_GROUP:
    __builtin_prefetch(x->g);
    return;
  default:
    break;
  }
  sl_state_table *t = x->g->part->table;
  if (!t || (closing && !x->stored))
    return;
  sl_strbuf_reset(&w->hb);
  sl_strbuf_appendc(&w->hb, TAG_WINDOW);
  sl_strbuf_append(&w->hb, x->g->key + 4, x->g->klen - 4);
  sl_rowcodec_put_i64(&w->hb, closing ? x->stored_start : x->start);
  if (!w->hb.failed)
    sl_state_prefetch(t, w->hb.data, w->hb.len, stage == HINT_ENTRY);
#else
  (void)w;
  (void)x;
  (void)stage;
  (void)closing;
#endif
}

/* The stage of the window j steps ahead: HINT_STEP steps per stage,
 * the first stage farthest ahead; -1 when j is no stage's distance. */
static int hint_stage(size_t j) {
  if (j == 0 || j % HINT_STEP || j / HINT_STEP > HINT_ENTRY + 1)
    return -1;
  return HINT_ENTRY + 1 - (int)(j / HINT_STEP);
}

/* Links x into its group's list by start. */
static void window_link(win *x) {
  win **link = &x->g->windows;
  while (*link && (*link)->start < x->start)
    link = &(*link)->next;
  x->next = *link;
  *link = x;
}

static void window_unlink(win *x) {
  win **link = &x->g->windows;
  while (*link && *link != x)
    link = &(*link)->next;
  if (*link)
    *link = x->next;
}

/* Puts x on the list of windows the next checkpoint writes (when its
 * partition keeps state). */
static sl_status window_touch(wagg_op *w, win *x, sl_error *err) {
  if (x->dirty_at || !x->g->part->table)
    return SL_OK;
  if (w->ndirty == w->dirty_cap) {
    size_t cap = w->dirty_cap ? 2 * w->dirty_cap : 256;
    win **grown = realloc(w->dirty, cap * sizeof(*grown));
    if (!grown)
      return nomem(err);
    w->dirty = grown;
    w->dirty_cap = cap;
  }
  w->dirty[w->ndirty++] = x;
  x->dirty_at = w->ndirty;
  return SL_OK;
}

/* Takes x off the dirty list (it goes). */
static void window_untouch(wagg_op *w, win *x) {
  if (!x->dirty_at)
    return;
  win *last = w->dirty[--w->ndirty];
  w->dirty[x->dirty_at - 1] = last;
  last->dirty_at = x->dirty_at;
  x->dirty_at = 0;
}

/* A new, empty window of g (states initialized, in the heap and the
 * group's list). */
static sl_status window_new(wagg_op *w, wgroup *g, int64_t start,
                            int64_t end, uint64_t seq, win **out,
                            sl_error *err) {
  win *x = malloc(sizeof(*x) + w->aggs.size);
  if (!x)
    return nomem(err);
  memset(x, 0, sizeof(*x));
  x->g = g;
  x->start = start;
  x->end = end;
  x->close.time = sl_time_add(end, w->grace);
  x->close.seq = seq;
  x->close.index = SIZE_MAX;
  sl_status rc = sl_aggset_init(&w->aggs, x->states, err);
  if (rc) {
    free(x);
    return rc;
  }
  if ((rc = sl_timeheap_push(&w->closing, &x->close, err))) {
    sl_aggset_free(&w->aggs, x->states);
    free(x);
    return rc;
  }
  window_link(x);
  w->nwindows++;
  *out = x;
  return SL_OK;
}

/* Frees a window and, when it was its group's last, the group.  The
 * table entry is left to the caller (window_unstore). */
static void window_free(wagg_op *w, win *x) {
  wgroup *g = x->g;
  sl_timeheap_remove(&w->closing, &x->close);
  window_untouch(w, x);
  window_unlink(x);
  sl_aggset_free(&w->aggs, x->states);
  free(x);
  w->nwindows--;
  if (!g->windows) {
    sl_keymap_remove(&w->groups, &g->node);
    free(g);
  }
}

static bool window_closed(const wagg_op *w, const win *x, int64_t wm) {
  return wm >= sl_time_add(x->end, w->grace);
}

/* ==== Results ========================================================== */

/* Adds the result row of x, or with withdraw the row that withdraws x's
 * earlier result (its bounds and values as they were). */
static sl_status emit_window(wagg_op *w, win *x, int64_t wm, bool withdraw,
                             sl_error *err) {
  int row;
  sl_status rc = sl_outbuf_row(&w->out, &w->base, x->g->part->partition,
                               x->end - 1, wm, &row, err);
  if (rc)
    return rc;
  w->out.batch->rows[row].withdrawal = withdraw;
  sl_arena *arena = sl_outbuf_arena(&w->out);
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, x->g->key + 4, x->g->klen - 4);
  for (int k = 0; k < w->ngroup; k++)
    if (!sl_rowcodec_get_value(&rd, arena, sl_outbuf_value(&w->out, row, k)))
      return nomem(err);
  *sl_outbuf_value(&w->out, row, w->ngroup) = sl_value_timestamp(x->start);
  *sl_outbuf_value(&w->out, row, w->ngroup + 1) = sl_value_timestamp(x->end);

  int bad = 0;
  if ((rc = sl_aggset_results(&w->aggs, x->states, arena, w->results, &bad,
                              err)))
    return rc;
  if (bad)
    atomic_fetch_add_explicit(&w->base.counters.records_failed, bad,
                              memory_order_relaxed);
  for (int i = 0; i < w->naggs; i++)
    *sl_outbuf_value(&w->out, row, w->ngroup + 2 + i) = w->results[i];
  return SL_OK;
}

/* ==== Input ============================================================ */

/* Adds row r to x.  *refused tells that an aggregate refused it (the row
 * is then marked failed). */
static sl_status window_add(wagg_op *w, win *x, const sl_op_batch *in,
                            int r, bool *refused, sl_error *err) {
  sl_error rowerr;
  int64_t ts = in->batch->rows[r].event_time;
  sl_status rc = sl_aggset_add(&w->aggs, x->states, w->aggs.argp, ts,
                               refused, &rowerr, err);
  if (rc || (rc = window_touch(w, x, err)))
    return rc;
  if (*refused) {
    atomic_fetch_add_explicit(&w->base.counters.records_failed, 1,
                              memory_order_relaxed);
    if (sl_batch_set_error(in->batch, r, &rowerr))
      return nomem(err);
  }
  return SL_OK;
}

static sl_status late(wagg_op *w, const sl_op_batch *in, int r, int64_t ts,
                      int64_t wm, int64_t start, int64_t end,
                      sl_error *err) {
  char t[48], s[48], e[48], m[48], msg[256];
  snprintf(msg, sizeof(msg),
           "event time %s is too late: window [%s, %s) closed at watermark "
           "%s (grace %lld ms)",
           sl_stateful_time_text(ts, t), sl_stateful_time_text(start, s),
           sl_stateful_time_text(end, e), sl_stateful_time_text(wm, m),
           (long long)w->grace);
  return sl_stateful_late(&w->base, in, r, msg, err);
}

/* TUMBLING and HOPPING: the row joins each of its windows still open. */
static sl_status add_fixed(wagg_op *w, const sl_op_batch *in, int r,
                           const rowkey *k, int64_t ts, int64_t wm,
                           sl_error *err) {
  const void *key = w->bk.data + k->off;
  int64_t adv = w->advance;
  int64_t last = sl_time_floor_div(ts, adv) * adv;
  int64_t first = sl_time_floor_div(ts - w->size, adv) * adv + adv;
  wgroup *g = NULL;
  bool looked = false;
  int accepted = 0;
  sl_status rc;

  for (int64_t s = first; s <= last; s += adv) {
    int64_t end = s + w->size;
    if (wm >= sl_time_add(end, w->grace))
      continue;
    if (!looked) {
      g = group_find(w, key, k->len, k->hash);
      if (!g &&
          (rc = group_new(w, k->part, key, k->len, k->hash, &g, err)))
        return rc;
      looked = true;
    }
    win *x = g->windows;
    while (x && x->start < s)
      x = x->next;
    bool fresh = !x || x->start != s;
    if (fresh &&
        (rc = window_new(w, g, s, end, sl_stateful_seq(&w->st), &x, err)))
      return rc;
    bool refused;
    if ((rc = window_add(w, x, in, r, &refused, err)))
      return rc;
    if (refused) {
      /* A window the row alone would have opened does not exist. */
      if (fresh)
        window_free(w, x);
      return SL_OK;
    }
    accepted++;
    if (!w->final && (rc = emit_window(w, x, wm, false, err)))
      return rc;
  }
  if (accepted == 0)
    return late(w, in, r, ts, wm, last, last + w->size, err);
  return SL_OK;
}

/* SESSION: the row joins, extends or bridges the open sessions it
 * touches, or starts one. */
static sl_status add_session(wagg_op *w, const sl_op_batch *in, int r,
                             const rowkey *k, int64_t ts, int64_t wm,
                             sl_error *err) {
  const void *key = w->bk.data + k->off;
  wgroup *g = group_find(w, key, k->len, k->hash);
  int n = 0;
  int64_t lo = ts;
  int64_t hi = sl_time_add(ts, w->gap);
  sl_status rc;

  /* The open sessions within one gap of the event, earliest first. */
  for (win *x = g ? g->windows : NULL; x; x = x->next) {
    if (window_closed(w, x, wm) || !(ts > x->start - w->gap && ts < x->end))
      continue;
    if (n == w->touch_cap) {
      int cap = w->touch_cap ? 2 * w->touch_cap : 8;
      win **t = realloc(w->touch, (size_t)cap * sizeof(*t));
      if (!t)
        return nomem(err);
      w->touch = t;
      w->touch_cap = cap;
    }
    w->touch[n++] = x;
    if (x->start < lo)
      lo = x->start;
    if (x->end > hi)
      hi = x->end;
  }

  win *target;
  bool fresh = false;
  bool reshaped = false; /* sessions were bridged or stretched */
  if (n == 0) {
    if (wm >= sl_time_add(hi, w->grace))
      return late(w, in, r, ts, wm, ts, hi, err);
    if (!g &&
        (rc = group_new(w, k->part, key, k->len, k->hash, &g, err)))
      return rc;
    if ((rc = window_new(w, g, ts, hi, sl_stateful_seq(&w->st), &target,
                         err)))
      return rc;
    fresh = true;
  } else {
    /* Withdraw the rows whose bounds change (every session absorbed,
     * and the earliest unless the event falls inside it), then fold the
     * later sessions into the earliest. */
    target = w->touch[0];
    reshaped = n > 1 || target->start != lo || target->end != hi;
    for (int i = 0; w->withdrawals && !w->final && i < n; i++) {
      win *x = w->touch[i];
      if ((x->start != lo || x->end != hi) &&
          (rc = emit_window(w, x, wm, true, err)))
        return rc;
    }
    for (int i = 1; i < n; i++) {
      win *x = w->touch[i];
      if ((rc = sl_aggset_merge(&w->aggs, target->states, x->states, err)))
        return rc;
      window_unstore(w, x);
      window_free(w, x);
    }
    if (target->start != lo) {
      window_unstore(w, target);
      window_unlink(target);
      target->start = lo;
      window_link(target);
    }
    target->end = hi;
    target->close.time = sl_time_add(hi, w->grace);
    sl_timeheap_update(&w->closing, &target->close);
    if ((rc = window_touch(w, target, err)))
      return rc;
  }

  bool refused;
  if ((rc = window_add(w, target, in, r, &refused, err)))
    return rc;
  if (refused && fresh) {
    window_free(w, target);
    return SL_OK;
  }
  /* A refused row that bridged or stretched sessions leaves them so:
   * their rows were withdrawn, so the new one must follow. */
  if (refused && !reshaped)
    return SL_OK;
  if (!w->final)
    return emit_window(w, target, wm, false, err);
  return SL_OK;
}

/* How far ahead of the row at hand a run hints the map: the entries of
 * the row ENTRY_AHEAD on, the windows of the row WINDOWS_AHEAD on. */
#define ENTRY_AHEAD 6
#define WINDOWS_AHEAD 2

/* Step 2a: the group keys of the live rows from r on, into w->bk and
 * w->rk, each hinted to the map.  Stops before a row of a partition not
 * met yet (unless it is the first), so that its state loads only once
 * the rows before it are done; returns the end of the run. */
static int key_rows(wagg_op *w, const sl_batch *b, int r, sl_status *rc,
                    sl_error *err) {
  sl_strbuf_reset(&w->bk);
  int first = r;
  for (; r < b->nrows; r++) {
    rowkey *k = &w->rk[r];
    k->part = NULL;
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_stateful_part *part = sl_stateful_part_find(&w->st,
                                                   b->rows[r].partition);
    if (!part) {
      if (r > first)
        break;
      if ((*rc = sl_stateful_part_get(&w->st, b->rows[r].partition, &part,
                                      err)))
        return r;
    }
    k->off = w->bk.len;
    if (group_key(w, &w->bk, part->partition, r)) {
      *rc = nomem(err);
      return r;
    }
    k->len = w->bk.len - k->off;
    k->part = part;
    k->hash = sl_keymap_hash(w->bk.data + k->off, k->len);
    sl_keymap_prefetch(&w->groups, k->hash);
  }
  return r;
}

/* Hints the map entry of row r's group, or with windows (the entry at
 * hand by now) the group's first window. */
static void hint_row(wagg_op *w, int r, int end, bool windows) {
  if (r >= end || !w->rk[r].part)
    return;
  const rowkey *k = &w->rk[r];
  if (!windows) {
    sl_keymap_prefetch_entry(&w->groups, k->hash);
    return;
  }
#if defined(__GNUC__)
  wgroup *g = group_find(w, w->bk.data + k->off, k->len, k->hash);
  if (g && g->windows)
    __builtin_prefetch(g->windows);
#endif
}

static sl_status wagg_process(sl_op *op, int port, const sl_op_batch *in,
                              sl_error *err) {
  wagg_op *w = (wagg_op *)op;
  sl_batch *b = in->batch;
  sl_status rc;

  /* Step 1. */
  for (int k = 0; k < w->ngroup; k++) {
    int failed = 0;
    if ((rc = sl_expr_run(w->keys[k], b, sl_batch_arena(b), &w->keycols[k],
                          &failed, err)))
      return rc;
    atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                              memory_order_relaxed);
  }
  int failed = 0;
  if ((rc = sl_aggset_eval(&w->aggs, b, &failed, err)))
    return rc;
  atomic_fetch_add_explicit(&op->counters.records_failed, failed,
                            memory_order_relaxed);
  if (b->nrows > w->rk_cap) {
    rowkey *rk = realloc(w->rk, (size_t)b->nrows * sizeof(*rk));
    if (!rk)
      return nomem(err);
    w->rk = rk;
    w->rk_cap = b->nrows;
  }

  /* Step 2, a run of rows at a time. */
  for (int r = 0; r < b->nrows;) {
    rc = SL_OK;
    int end = key_rows(w, b, r, &rc, err);
    if (rc)
      return rc;
    for (; r < end; r++) {
      hint_row(w, r + ENTRY_AHEAD, end, false);
      hint_row(w, r + WINDOWS_AHEAD, end, true);
      const rowkey *k = &w->rk[r];
      if (!k->part)
        continue;
      int64_t wm = sl_stateful_row_watermark(op, port, in, r, k->part);
      int64_t ts = b->rows[r].event_time;
      sl_aggset_point_row(&w->aggs, r);
      rc = w->kind == SL_WINDOW_SESSION
               ? add_session(w, in, r, k, ts, wm, err)
               : add_fixed(w, in, r, k, ts, wm, err);
      if (rc)
        return rc;
    }
  }

  /* Step 3. */
  return sl_outbuf_flush(&w->out, op, err);
}

/* ==== Watermarks, partitions, checkpoints ============================== */

static sl_status wagg_watermark(sl_op *op, int64_t watermark, sl_error *err) {
  wagg_op *w = (wagg_op *)op;
  sl_timeheap_due *due;
  size_t ndue;
  sl_status rc = sl_timeheap_pop_until(&w->closing, watermark, &due, &ndue,
                                       err);
  if (rc)
    return rc;
  for (size_t i = 0; i < ndue; i++) {
    for (size_t j = i + HINT_STEP; j < ndue && hint_stage(j - i) >= 0;
         j += HINT_STEP)
      hint_window(w, win_of(due[j].item), hint_stage(j - i), true);
    win *x = win_of(due[i].item);
    if (w->final && (rc = emit_window(w, x, w->last_wm, false, err)))
      return rc;
    window_unstore(w, x);
    window_free(w, x);
  }
  w->last_wm = watermark;
  if ((rc = sl_outbuf_flush(&w->out, op, err)))
    return rc;
  return sl_op_emit_watermark(op, watermark, err);
}

/* Rebuilds one window from its table entry (see window_agg.h). */
static sl_status load_entry(void *ud, sl_stateful_part *part,
                            const void *key, size_t klen, const void *value,
                            size_t vlen, sl_error *err) {
  wagg_op *w = ud;
  const unsigned char *k = key;
  if (klen < 9 || k[0] != TAG_WINDOW)
    return sl_error_set(err, SL_ERR_RUNTIME, "unknown entry in the state");
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, k + klen - 8, 8);
  int64_t start = sl_rowcodec_get_i64(&rd);

  sl_strbuf_reset(&w->kb);
  unsigned char p[4];
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)((uint32_t)part->partition >> (8 * i));
  sl_strbuf_append(&w->kb, p, 4);
  sl_strbuf_append(&w->kb, k + 1, klen - 9);
  if (w->kb.failed)
    return nomem(err);
  uint64_t hash = sl_keymap_hash(w->kb.data, w->kb.len);
  wgroup *g = group_find(w, w->kb.data, w->kb.len, hash);
  sl_status rc;
  bool new_group = !g;
  if (!g && (rc = group_new(w, part, w->kb.data, w->kb.len, hash, &g, err)))
    return rc;

  sl_rowcodec_reader_init(&rd, value, vlen);
  int64_t end = sl_rowcodec_get_i64(&rd);
  uint64_t seq = sl_rowcodec_get_u64v(&rd);
  win *x = malloc(sizeof(*x) + w->aggs.size);
  if (!x)
    rc = nomem(err);
  else if (rd.bad)
    rc = sl_error_set(err, SL_ERR_RUNTIME, "window state is truncated");
  else
    rc = sl_aggset_deserialize(&w->aggs, x->states, &rd, err);
  if (!rc && !sl_rowcodec_done(&rd)) {
    sl_aggset_free(&w->aggs, x->states);
    rc = sl_error_set(err, SL_ERR_RUNTIME, "window state has extra bytes");
  }
  if (rc) {
    free(x);
    if (new_group) {
      sl_keymap_remove(&w->groups, &g->node);
      free(g);
    }
    return rc;
  }

  memset(x, 0, offsetof(win, states));
  x->g = g;
  x->start = start;
  x->end = end;
  x->stored = true;
  x->stored_start = start;
  x->close.time = sl_time_add(end, w->grace);
  x->close.seq = seq;
  x->close.index = SIZE_MAX;
  if (seq >= w->st.next_seq)
    w->st.next_seq = seq + 1;
  if ((rc = sl_timeheap_push(&w->closing, &x->close, err))) {
    sl_aggset_free(&w->aggs, x->states);
    free(x);
    return rc;
  }
  window_link(x);
  w->nwindows++;
  return SL_OK;
}

/* Drops every group of a partition from memory (its table stays). */
static void drop_partition(wagg_op *w, int32_t partition) {
  size_t bucket = 0;
  sl_keymap_node *n = sl_keymap_next(&w->groups, &bucket, NULL);
  while (n) {
    wgroup *g = (wgroup *)((char *)n - offsetof(wgroup, node));
    /* Find the successor before the group may go. */
    size_t nb = bucket;
    sl_keymap_node *next = sl_keymap_next(&w->groups, &nb, n);
    if (g->part->partition == partition) {
      while (g->windows) {
        win *x = g->windows;
        bool last = !x->next;
        window_free(w, x);
        if (last)
          break;
      }
    }
    bucket = nb;
    n = next;
  }
}

static sl_status wagg_partitions(sl_op *op, const int32_t *parts, int n,
                                 bool assigned, sl_error *err) {
  wagg_op *w = (wagg_op *)op;
  for (int i = 0; i < n; i++) {
    if (assigned) {
      sl_stateful_part *part;
      sl_status rc = sl_stateful_part_get(&w->st, parts[i], &part, err);
      if (rc)
        return rc;
    } else {
      drop_partition(w, parts[i]);
      sl_stateful_part_forget(&w->st, parts[i]);
    }
  }
  return SL_OK;
}

/* Writes one changed window into its partition's table. */
static sl_status store_window(wagg_op *w, win *x, sl_error *err) {
  wgroup *g = x->g;
  if (x->stored && x->stored_start != x->start)
    window_unstore(w, x);
  sl_strbuf_reset(&w->vb);
  sl_rowcodec_put_i64(&w->vb, x->end);
  sl_rowcodec_put_u64v(&w->vb, x->close.seq);
  sl_status rc = sl_aggset_serialize(&w->aggs, x->states, &w->vb, err);
  if (rc)
    return rc;
  if (w->vb.failed || window_key(w, g, x->start))
    return nomem(err);
  if ((rc = sl_state_put(g->part->table, w->kb.data, w->kb.len, w->vb.data,
                         w->vb.len, err)))
    return rc;
  x->stored = true;
  x->stored_start = x->start;
  return SL_OK;
}

/* Writes the windows changed since the last checkpoint (the dirty list
 * holds exactly them).  On failure the windows not yet written stay on
 * the list. */
static sl_status wagg_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                                 sl_error *err) {
  wagg_op *w = (wagg_op *)op;
  if (!ck->state)
    return SL_OK;
  sl_status rc = SL_OK;
  size_t done = 0;
  for (; done < w->ndirty; done++) {
    for (size_t j = done + HINT_STEP;
         j < w->ndirty && hint_stage(j - done) >= 0; j += HINT_STEP)
      hint_window(w, w->dirty[j], hint_stage(j - done), false);
    win *x = w->dirty[done];
    if ((rc = store_window(w, x, err)))
      break;
    x->dirty_at = 0;
  }
  if (rc) {
    size_t left = w->ndirty - done;
    memmove(w->dirty, w->dirty + done, left * sizeof(*w->dirty));
    w->ndirty = left;
    for (size_t i = 0; i < left; i++)
      w->dirty[i]->dirty_at = i + 1;
    return rc;
  }
  w->ndirty = 0;
  return sl_stateful_checkpoint_meta(&w->st, err);
}

/* ==== Lifecycle ======================================================== */

static sl_status wagg_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  wagg_op *w = (wagg_op *)op;
  sl_keymap_init(&w->groups);
  sl_timeheap_init(&w->closing);
  sl_strbuf_init(&w->kb);
  sl_strbuf_init(&w->vb);
  sl_strbuf_init(&w->bk);
  sl_strbuf_init(&w->hb);
  w->ready = true;
  w->last_wm = SL_WATERMARK_NONE;

  sl_status rc;
  if ((rc = sl_stateful_open(&w->st, op, w->state_name, ctx, load_entry, w,
                             err)))
    return rc;
  w->keys = calloc((size_t)w->ngroup + 1, sizeof(*w->keys));
  w->keycols = calloc((size_t)w->ngroup + 1, sizeof(*w->keycols));
  w->results = calloc((size_t)w->naggs + 1, sizeof(*w->results));
  if (!w->keys || !w->keycols || !w->results)
    return nomem(err);
  for (int k = 0; k < w->ngroup; k++)
    if ((rc = sl_expr_compile(w->group_b[k], &w->opts, &w->keys[k], err)))
      return rc;
  if ((rc = sl_aggset_open(&w->aggs, w->naggs, w->aggs_b, &w->opts, 0, err)))
    return rc;
  return sl_outbuf_init(&w->out, w->ngroup + 2 + w->naggs, w->capacity,
                        err);
}

static void wagg_close(sl_op *op) {
  wagg_op *w = (wagg_op *)op;
  if (!w->ready)
    return;
  sl_timeheap_destroy(&w->closing);
  size_t bucket = 0;
  sl_keymap_node *n = sl_keymap_next(&w->groups, &bucket, NULL);
  while (n) {
    wgroup *g = (wgroup *)((char *)n - offsetof(wgroup, node));
    size_t nb = bucket;
    sl_keymap_node *next = sl_keymap_next(&w->groups, &nb, n);
    for (win *x = g->windows; x;) {
      win *xn = x->next;
      sl_aggset_free(&w->aggs, x->states);
      free(x);
      x = xn;
    }
    free(g);
    bucket = nb;
    n = next;
  }
  sl_keymap_destroy(&w->groups);
  for (int k = 0; w->keys && k < w->ngroup; k++)
    sl_expr_free(w->keys[k]);
  free(w->keys);
  free(w->keycols);
  free(w->results);
  free(w->touch);
  free(w->dirty);
  w->dirty = NULL;
  w->ndirty = w->dirty_cap = 0;
  w->keys = NULL;
  w->keycols = NULL;
  w->results = NULL;
  w->touch = NULL;
  w->touch_cap = 0;
  sl_aggset_close(&w->aggs);
  sl_stateful_close(&w->st);
  sl_outbuf_free(&w->out);
  sl_strbuf_free(&w->kb);
  sl_strbuf_free(&w->vb);
  sl_strbuf_free(&w->bk);
  sl_strbuf_free(&w->hb);
  free(w->rk);
  w->rk = NULL;
  w->rk_cap = 0;
  w->nwindows = 0;
  w->ready = false;
}

static void wagg_destroy(sl_op *op) {
  wagg_op *w = (wagg_op *)op;
  /* An open that failed half-way left things to release. */
  wagg_close(op);
  free(w->state_name);
  free(w);
}

static const sl_op_class wagg_class = {
    .name = "window_agg",
    .open = wagg_open,
    .process = wagg_process,
    .watermark = wagg_watermark,
    .partitions = wagg_partitions,
    .checkpoint = wagg_checkpoint,
    .close = wagg_close,
    .destroy = wagg_destroy,
};

/* Creates the operator (see window_agg.h). */
sl_status sl_window_agg_new(const sl_window_agg_spec *spec,
                            const sl_expr_options *opts, sl_op **out,
                            sl_error *err) {
  const sl_window_spec *ws = &spec->window;
  int64_t size = ws->size_ms, adv = ws->advance_ms;
  switch (ws->kind) {
  case SL_WINDOW_TUMBLING:
    adv = size;
    /* fall through */
  case SL_WINDOW_HOPPING:
    if (size <= 0 || adv <= 0 || adv > size)
      return sl_error_set(err, SL_ERR_SQL,
                          "a %s window needs a positive size and an advance "
                          "no larger than it (size %lld ms, advance %lld ms)",
                          ws->kind == SL_WINDOW_TUMBLING ? "tumbling"
                                                         : "hopping",
                          (long long)size,
                          (long long)adv);
    break;
  case SL_WINDOW_SESSION:
    if (ws->gap_ms <= 0)
      return sl_error_set(err, SL_ERR_SQL,
                          "a session window needs a positive gap (%lld ms)",
                          (long long)ws->gap_ms);
    break;
  case SL_WINDOW_NONE:
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "window_agg without a window");
  }
  if (ws->grace_ms < 0)
    return sl_error_set(err, SL_ERR_SQL, "a grace period cannot be negative");

  wagg_op *w = calloc(1, sizeof(*w));
  if (!w)
    return nomem(err);
  if (spec->state_name && !(w->state_name = strdup(spec->state_name))) {
    free(w);
    return nomem(err);
  }
  sl_op_init(&w->base, &wagg_class, 1, err);
  w->kind = ws->kind;
  w->size = size;
  w->advance = adv;
  w->gap = ws->gap_ms;
  w->grace = ws->grace_ms;
  w->final = spec->emit == SL_EMIT_FINAL;
  w->withdrawals = spec->withdrawals;
  w->ngroup = spec->ngroup;
  w->group_b = spec->group_by;
  w->naggs = spec->naggs;
  w->aggs_b = spec->aggs;
  w->capacity = spec->capacity;
  if (opts)
    w->opts = *opts;
  *out = &w->base;
  return SL_OK;
}

long sl_window_agg_open_windows(const sl_op *op) {
  return ((const wagg_op *)op)->nwindows;
}
