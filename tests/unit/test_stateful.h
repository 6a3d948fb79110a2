/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_stateful.h - helpers for the tests of the stateful operators.
 *
 * Events have one shape everywhere: a key (VARCHAR, may be NULL), a value
 * (BIGINT, TS_NULL for NULL) and an event time.  A feeder plays the part
 * of a source: it builds batches of a chosen size, gives each row the
 * watermark the rows before it left (highest event time minus the
 * out-of-orderness) and pushes the watermark after each batch.  A
 * collecting sink turns result rows into "v1|v2|..." lines, TIMESTAMP as
 * its milliseconds and NULL as NULL, a row that withdraws an earlier one
 * with a leading "-", so expectations read like the hand computations
 * they come from.
 */
#ifndef SLUICE_TEST_STATEFUL_H
#define SLUICE_TEST_STATEFUL_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "test_expr_build.h"

#include "engine/ops/errors.h"
#include "engine/ops/op.h"
#include "engine/ops/sink_callback.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "udf/agg.h"
#include "udf/registry.h"

/* Calls something that fills `err` (in scope) and fails the test with
 * its message when it does not succeed. */
#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, err.message);         \
  } while (0)

#define TS_NULL INT64_MIN

typedef struct ts_ev {
  int64_t ts;
  const char *k;  /* NULL: a NULL key */
  int64_t v;      /* TS_NULL: a NULL value */
} ts_ev;

/* ---- The collecting sink ---------------------------------------------- */

typedef struct ts_sink {
  char **lines;
  int n;
  int cap;
  int batches;
} ts_sink;

static inline void ts_fmt(sl_strbuf *sb, const sl_value *v) {
  switch ((sl_type_kind)v->kind) {
  case SL_TYPE_NULL:
    sl_strbuf_appends(sb, "NULL");
    break;
  case SL_TYPE_TIMESTAMP:
    sl_strbuf_appendf(sb, "%" PRId64, v->u.i64);
    break;
  case SL_TYPE_BOOLEAN:
    sl_strbuf_appends(sb, v->u.b ? "t" : "f");
    break;
  default:
    sl_format_text(sb, v, NULL);
  }
}

static inline void ts_sink_add(ts_sink *s, const char *line) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 64;
    s->lines = realloc(s->lines, (size_t)s->cap * sizeof(*s->lines));
  }
  s->lines[s->n++] = strdup(line);
}

static inline sl_status ts_collect(void *ud, const sl_batch *b,
                                   int ncols, sl_error *err) {
  (void)err;
  ts_sink *s = ud;
  s->batches++;
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    sl_strbuf_reset(&sb);
    if (b->rows[r].withdrawal)
      sl_strbuf_appendc(&sb, '-');
    for (int c = 0; c < ncols; c++) {
      if (c)
        sl_strbuf_appendc(&sb, '|');
      ts_fmt(&sb, &b->cols[c][r]);
    }
    ts_sink_add(s, sb.data ? sb.data : "");
  }
  sl_strbuf_free(&sb);
  return SL_OK;
}

static inline void ts_sink_clear(ts_sink *s) {
  for (int i = 0; i < s->n; i++)
    free(s->lines[i]);
  free(s->lines);
  memset(s, 0, sizeof(*s));
}

/* Fails listing both sides when the lines differ from want. */
static inline void ts_expect(const ts_sink *s, int n,
                             const char *const *want) {
  int same = s->n == n;
  for (int i = 0; same && i < n; i++)
    same = strcmp(s->lines[i], want[i]) == 0;
  if (same)
    return;
  for (int i = 0; i < s->n || i < n; i++)
    print_error("%3d  got %-32s want %s\n", i, i < s->n ? s->lines[i] : "-",
                i < n ? want[i] : "-");
  fail_msg("result rows differ (%d rows, %d expected)", s->n, n);
}

#define TS_EXPECT(sink, ...)                                              \
  do {                                                                    \
    const char *const want_[] = {__VA_ARGS__};                            \
    ts_expect((sink), (int)(sizeof(want_) / sizeof(want_[0])), want_);    \
  } while (0)

/* Two sinks hold the same lines. */
static inline void ts_same(const ts_sink *a, const ts_sink *b) {
  ts_expect(a, b->n, (const char *const *)b->lines);
}

/* ---- The feeder ------------------------------------------------------- */

typedef struct ts_feed {
  int64_t delay;     /* out-of-orderness */
  int64_t max_ts;
  int64_t wm;
  int32_t partition;
  int64_t offset;
  const char *topic;
} ts_feed;

static inline void ts_feed_init(ts_feed *f, int64_t delay) {
  memset(f, 0, sizeof(*f));
  f->delay = delay;
  f->max_ts = INT64_MIN;
  f->wm = SL_WATERMARK_NONE;
  f->topic = "in";
}

/* A batch of the events (columns k VARCHAR, v BIGINT) with their per-row
 * watermarks in wm. */
static inline sl_batch *ts_batch(ts_feed *f, const ts_ev *ev, int n,
                                 int64_t *wm) {
  sl_batch *b = sl_batch_create(2, n > 0 ? n : 1);
  for (int i = 0; i < n; i++) {
    int r = sl_batch_append_row(b);
    b->rows[r].partition = f->partition;
    b->rows[r].offset = f->offset++;
    b->rows[r].event_time = ev[i].ts;
    b->rows[r].timestamp = ev[i].ts;
    b->cols[0][r] = ev[i].k ? sl_value_varchar(ev[i].k, strlen(ev[i].k))
                            : sl_value_null();
    b->cols[1][r] = ev[i].v == TS_NULL ? sl_value_null()
                                       : sl_value_bigint(ev[i].v);
    wm[r] = f->wm;
    if (ev[i].ts > f->max_ts) {
      f->max_ts = ev[i].ts;
      f->wm = f->max_ts - f->delay;
    }
  }
  return b;
}

/* Pushes the events into port of op in batches of bsize rows, each
 * followed by the watermark. */
static inline void ts_feed_events(ts_feed *f, sl_op *op, int port,
                                  const ts_ev *ev, int n, int bsize) {
  sl_error err;
  sl_error_clear(&err);
  if (bsize <= 0)
    bsize = n;
  for (int at = 0; at < n; at += bsize) {
    int m = n - at < bsize ? n - at : bsize;
    int64_t *wm = calloc((size_t)m + 1, sizeof(*wm));
    sl_batch *b = ts_batch(f, ev + at, m, wm);
    sl_op_batch in = {.batch = b, .row_watermark = wm, .topic = f->topic};
    OK(sl_op_process(op, port, &in, &err));
    if (f->wm != SL_WATERMARK_NONE)
      OK(sl_op_push_watermark(op, port, f->wm, &err));
    sl_batch_free(b);
    free(wm);
  }
}

/* Pushes the end of input into port. */
static inline void ts_feed_end(sl_op *op, int port) {
  sl_error err;
  sl_error_clear(&err);
  OK(sl_op_push_watermark(op, port, SL_WATERMARK_END, &err));
}

/* ---- Operators under test --------------------------------------------- */

/* An operator connected to a collecting sink of ncols columns, both
 * opened with a context whose error router logs late rows. */
typedef struct ts_rig {
  sl_op *op;
  sl_op *sink;
  sl_op_ctx ctx;
  sl_op_errors *errors;
  ts_sink got;
} ts_rig;

static inline void ts_rig_open(ts_rig *g, sl_op *op, int ncols,
                               sl_state *state) {
  sl_error err;
  sl_error_clear(&err);
  memset(&g->got, 0, sizeof(g->got));
  g->op = op;
  g->errors = sl_op_errors_new("q", NULL);
  OK(sl_op_errors_add_source(g->errors, "in", SL_POLICY_SKIP, NULL, &err));
  OK(sl_op_errors_add_source(g->errors, "right", SL_POLICY_SKIP, NULL,
                             &err));
  memset(&g->ctx, 0, sizeof(g->ctx));
  g->ctx.query_id = "q";
  g->ctx.state = state;
  g->ctx.errors = g->errors;
  OK(sl_sink_callback_new(ncols, ts_collect, &g->got, &g->sink, &err));
  sl_op_connect(op, g->sink, 0);
  OK(sl_op_open(g->sink, &g->ctx, &err));
  OK(sl_op_open(op, &g->ctx, &err));
}

static inline void ts_rig_free(ts_rig *g) {
  sl_op_destroy(g->op);
  sl_op_destroy(g->sink);
  sl_op_errors_free(g->errors);
  ts_sink_clear(&g->got);
}

static inline int64_t ts_late(const sl_op *op) {
  sl_op_stats st;
  sl_op_stats_get(op, &st);
  return st.records_late;
}

/* ---- Aggregate calls -------------------------------------------------- */

static sl_func_resolved ts_res[64];
static int ts_nres;

static inline void ts_res_free(void) {
  for (int i = 0; i < ts_nres; i++)
    sl_func_resolved_free(&ts_res[i]);
  ts_nres = 0;
}

/* The call name(arg) (arg NULL: no argument, COUNT(*)), arguments cast
 * to the signature's types as the binder does. */
static inline sl_agg_call ts_agg2(const char *name, sl_bexpr *arg,
                                  sl_bexpr *arg2, bool distinct) {
  sl_error err;
  sl_error_clear(&err);
  sl_agg_call c;
  memset(&c, 0, sizeof(c));
  int nargs = arg ? (arg2 ? 2 : 1) : 0;
  const sl_type *types[2] = {arg ? arg->type : NULL,
                             arg2 ? arg2->type : NULL};
  sl_func_resolved *res = &ts_res[ts_nres++];
  OK(sl_func_resolve(sl_func_registry_builtin(), name, nargs, types, res,
                     &err));
  c.func = res->func;
  c.sig = res->sig;
  c.name = name;
  c.nargs = nargs;
  c.args = sl_arena_calloc(&tb_arena, 2, sizeof(*c.args));
  sl_bexpr *args[2] = {arg, arg2};
  for (int i = 0; i < nargs; i++)
    c.args[i] = sl_type_equal(args[i]->type, res->arg_types[i])
                    ? args[i]
                    : tb_cast(res->arg_types[i], args[i]);
  c.distinct = distinct;
  c.star = nargs == 0;
  c.type = res->ret_type;
  return c;
}

static inline sl_agg_call ts_agg(const char *name, sl_bexpr *arg) {
  return ts_agg2(name, arg, NULL, false);
}

/* The key and value columns of the event shape. */
static inline sl_bexpr *ts_k(void) {
  return tb_col(0, sl_type_varchar());
}

static inline sl_bexpr *ts_v(void) {
  return tb_col(1, sl_type_bigint());
}

#endif
