/* SPDX-License-Identifier: Apache-2.0 */
/*
 * driver.c - runs the stateful operators over events read from a file,
 * for the cross-check against an independent computation in SQLite
 * (oracle_stateful.py).
 *
 *   stateful_driver tumbling SIZE GRACE DELAY EVENTS
 *   stateful_driver hopping SIZE ADVANCE GRACE DELAY EVENTS
 *   stateful_driver session GAP GRACE DELAY EVENTS
 *   stateful_driver join KIND BEFORE AFTER GRACE DELAY EVENTS
 *   stateful_driver over RANGE DELAY EVENTS
 *
 * EVENTS is CSV without a header, one event per line in arrival order:
 * side (0 or 1; windows read side 0 only), key (empty: NULL), event time
 * in ms, value (empty: NULL).  Each side is a stream whose watermark is
 * its highest event time so far minus DELAY, given per row as the
 * sources do; batches have varying sizes so that batching is exercised.
 *
 * Windows run GROUP BY key with EMIT FINAL and print
 *   key,window_start,window_end,count,sum,min,max
 * joins (KIND inner, left, right, full) print
 *   lkey,lts,lvalue,rkey,rts,rvalue
 * and over (side 0, PARTITION BY key ORDER BY the event time) prints, per
 * row as it goes out,
 *   key,ts,value,LAG(value),LAG(value, 2),COUNT(*),SUM(value),MIN(value),
 *   MAX(value)
 * the aggregates over RANGE BETWEEN INTERVAL RANGE ms PRECEDING AND
 * CURRENT ROW;
 * with NULL as an empty field; the last line is "late,N".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/arena.h"
#include "engine/common/log.h"
#include "engine/ops/interval_join.h"
#include "engine/ops/op.h"
#include "engine/ops/over.h"
#include "engine/ops/sink_callback.h"
#include "engine/ops/window_agg.h"
#include "udf/registry.h"

typedef struct event {
  int side;
  char *key; /* NULL: a NULL key */
  int64_t ts;
  int64_t value;
  bool value_null;
} event;

typedef struct events {
  event *ev;
  size_t n, cap;
} events;

static void die(const char *what, const sl_error *err) {
  fprintf(stderr, "stateful_driver: %s: %s\n", what,
          err ? err->message : strerror(errno));
  exit(3);
}

static void read_events(const char *path, events *out) {
  FILE *f = fopen(path, "r");
  if (!f)
    die(path, NULL);
  char line[256];
  while (fgets(line, sizeof(line), f)) {
    char *fields[4];
    char *p = line;
    for (int i = 0; i < 4; i++) {
      fields[i] = p;
      p = strpbrk(p, ",\n");
      if (p)
        *p++ = '\0';
      else
        p = fields[i] + strlen(fields[i]);
    }
    if (out->n == out->cap) {
      out->cap = out->cap ? 2 * out->cap : 1024;
      out->ev = realloc(out->ev, out->cap * sizeof(*out->ev));
      if (!out->ev)
        die("reading events", NULL);
    }
    event *e = &out->ev[out->n++];
    e->side = atoi(fields[0]);
    e->key = *fields[1] ? strdup(fields[1]) : NULL;
    e->ts = strtoll(fields[2], NULL, 10);
    e->value_null = !*fields[3];
    e->value = e->value_null ? 0 : strtoll(fields[3], NULL, 10);
  }
  fclose(f);
}

/* Prints result rows as CSV. */
static sl_status print_rows(void *ud, const sl_batch *b, int ncols,
                            sl_error *err) {
  (void)ud;
  (void)err;
  for (int r = 0; r < b->nrows; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    for (int c = 0; c < ncols; c++) {
      const sl_value *v = &b->cols[c][r];
      if (c)
        putchar(',');
      switch ((sl_type_kind)v->kind) {
      case SL_TYPE_NULL:
        break;
      case SL_TYPE_VARCHAR:
        printf("%.*s", (int)v->len, v->u.str);
        break;
      case SL_TYPE_BIGINT:
      case SL_TYPE_TIMESTAMP:
        printf("%" PRId64, v->u.i64);
        break;
      default:
        printf("?");
      }
    }
    putchar('\n');
  }
  return SL_OK;
}

/* ---- Expressions and calls -------------------------------------------- */

static sl_arena arena;

static sl_bexpr *column(int index, sl_type *type) {
  sl_bexpr *e = sl_arena_calloc(&arena, 1, sizeof(*e));
  e->kind = SL_BEXPR_COLUMN;
  e->type = type;
  e->u.column = index;
  return e;
}

static sl_func_resolved resolved[8];
static int nresolved;

static sl_agg_call call(const char *name, sl_bexpr *arg) {
  sl_error err;
  sl_agg_call c;
  memset(&c, 0, sizeof(c));
  const sl_type *types[1] = {arg ? arg->type : NULL};
  sl_func_resolved *res = &resolved[nresolved++];
  if (sl_func_resolve(sl_func_registry_builtin(), name, arg ? 1 : 0, types,
                      res, &err))
    die(name, &err);
  c.func = res->func;
  c.sig = res->sig;
  c.name = name;
  c.nargs = arg ? 1 : 0;
  c.args = sl_arena_calloc(&arena, 1, sizeof(*c.args));
  c.args[0] = arg;
  c.star = !arg;
  c.type = res->ret_type;
  return c;
}

/* ---- Feeding ---------------------------------------------------------- */

typedef struct side {
  int64_t max_ts;
  int64_t wm;
  int64_t offset;
} side;

/* Pushes the events of one side into port, in batches of 1 to 61 rows
 * chosen by a fixed sequence. */
static void feed(sl_op *op, const events *all, int which, int port,
                 int64_t delay, side *s, size_t from, size_t to) {
  sl_error err;
  sl_batch *b = sl_batch_create(3, 64);
  int64_t wm[64];
  static unsigned step;
  size_t i = from;
  while (i < to) {
    sl_batch_reset(b);
    int want = 1 + (int)((step++ * 37u) % 61u);
    for (; i < to && b->nrows < want; i++) {
      const event *e = &all->ev[i];
      if (e->side != which)
        continue;
      int r = sl_batch_append_row(b);
      b->rows[r].partition = 0;
      b->rows[r].offset = s->offset++;
      b->rows[r].event_time = e->ts;
      b->cols[0][r] = e->key ? sl_value_varchar(e->key, strlen(e->key))
                             : sl_value_null();
      b->cols[1][r] = sl_value_bigint(e->ts);
      b->cols[2][r] = e->value_null ? sl_value_null()
                                    : sl_value_bigint(e->value);
      wm[r] = s->wm;
      if (e->ts > s->max_ts) {
        s->max_ts = e->ts;
        s->wm = e->ts - delay;
      }
    }
    if (b->nrows == 0)
      continue;
    sl_op_batch in = {.batch = b, .row_watermark = wm,
                      .topic = port ? "right" : "left"};
    if (sl_op_process(op, port, &in, &err))
      die("process", &err);
    if (sl_op_push_watermark(op, port, s->wm, &err))
      die("watermark", &err);
  }
  sl_batch_free(b);
}

/* Runs op (already connected to a printing sink and opened) over the
 * events: one side for windows, both interleaved in arrival order in
 * chunks for joins. */
static void run(sl_op *op, const events *all, int nsides, int64_t delay) {
  sl_error err;
  side sides[2] = {{INT64_MIN, SL_WATERMARK_NONE, 0},
                   {INT64_MIN, SL_WATERMARK_NONE, 0}};
  size_t chunk = nsides == 1 ? all->n : 50;
  for (size_t at = 0; at < all->n; at += chunk) {
    size_t to = at + chunk < all->n ? at + chunk : all->n;
    for (int s = 0; s < nsides; s++)
      feed(op, all, s, s, delay, &sides[s], at, to);
  }
  for (int s = 0; s < nsides; s++)
    if (sl_op_push_watermark(op, s, SL_WATERMARK_END, &err))
      die("end", &err);
}

static int64_t arg(const char *s) {
  return strtoll(s, NULL, 10);
}

int main(int argc, char **argv) {
  sl_error err;
  sl_log_set_level(SL_LOG_ERROR);
  sl_arena_init(&arena, 0);
  if (argc < 2) {
    fprintf(stderr, "usage: see the comment at the top of driver.c\n");
    return 2;
  }
  const char *mode = argv[1];
  sl_op *op = NULL;
  int ncols = 0, nsides = 1;
  int64_t delay = 0;
  const char *path = NULL;
  sl_type *V = sl_type_varchar(), *B = sl_type_bigint();

  sl_agg_call calls[4];
  sl_over_call over[6];
  sl_bexpr *keys[1] = {column(0, V)};
  if (!strcmp(mode, "tumbling") || !strcmp(mode, "hopping") ||
      !strcmp(mode, "session")) {
    sl_window_agg_spec spec = {0};
    int a = 2;
    if (!strcmp(mode, "session")) {
      if (argc != 6)
        return 2;
      spec.window.kind = SL_WINDOW_SESSION;
      spec.window.gap_ms = arg(argv[a++]);
    } else {
      bool hop = !strcmp(mode, "hopping");
      if (argc != (hop ? 7 : 6))
        return 2;
      spec.window.kind = hop ? SL_WINDOW_HOPPING : SL_WINDOW_TUMBLING;
      spec.window.size_ms = arg(argv[a++]);
      spec.window.advance_ms = hop ? arg(argv[a++]) : spec.window.size_ms;
    }
    spec.window.grace_ms = arg(argv[a++]);
    delay = arg(argv[a++]);
    path = argv[a];
    calls[0] = call("COUNT", NULL);
    calls[1] = call("SUM", column(2, B));
    calls[2] = call("MIN", column(2, B));
    calls[3] = call("MAX", column(2, B));
    spec.emit = SL_EMIT_FINAL;
    spec.ngroup = 1;
    spec.group_by = keys;
    spec.naggs = 4;
    spec.aggs = calls;
    if (sl_window_agg_new(&spec, NULL, &op, &err))
      die("window", &err);
    ncols = 7;
  } else if (!strcmp(mode, "join")) {
    if (argc != 8)
      return 2;
    sl_interval_join_spec spec = {0};
    const char *kind = argv[2];
    spec.kind = !strcmp(kind, "left")    ? SL_JOIN_LEFT
                : !strcmp(kind, "right") ? SL_JOIN_RIGHT
                : !strcmp(kind, "full")  ? SL_JOIN_FULL
                                         : SL_JOIN_INNER;
    spec.before_ms = arg(argv[3]);
    spec.after_ms = arg(argv[4]);
    spec.grace_ms = arg(argv[5]);
    delay = arg(argv[6]);
    path = argv[7];
    spec.nleft = spec.nright = 3;
    spec.nkeys = 1;
    spec.left_keys = keys;
    spec.right_keys = keys;
    if (sl_interval_join_new(&spec, NULL, &op, &err))
      die("join", &err);
    ncols = 6;
    nsides = 2;
  } else if (!strcmp(mode, "over")) {
    if (argc != 5)
      return 2;
    int64_t range = arg(argv[2]);
    delay = arg(argv[3]);
    path = argv[4];
    memset(over, 0, sizeof(over));
    const char *slide[] = {"COUNT", "SUM", "MIN", "MAX"};
    for (int i = 0; i < 6; i++) {
      if (i < 2) {
        /* LAG is no aggregate: only its argument and type matter. */
        over[i].kind = SL_OVER_LAG;
        over[i].agg.name = "LAG";
        over[i].agg.nargs = 1;
        over[i].agg.args = sl_arena_calloc(&arena, 1,
                                           sizeof(*over[i].agg.args));
        over[i].agg.args[0] = column(2, B);
        over[i].agg.type = B;
        over[i].lag_offset = i + 1;
        continue;
      }
      over[i].kind = SL_OVER_AGGREGATE;
      over[i].agg = call(slide[i - 2], i == 2 ? NULL : column(2, B));
      over[i].has_range = true;
      over[i].range_ms = range;
    }
    sl_over_spec spec = {.ninput = 3, .npartition = 1, .partition_by = keys,
                         .ncalls = 6, .calls = over};
    if (sl_over_new(&spec, NULL, &op, &err))
      die("over", &err);
    ncols = 9;
  } else {
    fprintf(stderr, "stateful_driver: unknown mode %s\n", mode);
    return 2;
  }

  events all = {0};
  read_events(path, &all);
  sl_op *sink;
  if (sl_sink_callback_new(ncols, print_rows, NULL, &sink, &err))
    die("sink", &err);
  sl_op_connect(op, sink, 0);
  sl_op_ctx ctx = {.query_id = "oracle"};
  if (sl_op_open(sink, &ctx, &err) || sl_op_open(op, &ctx, &err))
    die("open", &err);
  run(op, &all, nsides, delay);
  sl_op_stats st;
  sl_op_stats_get(op, &st);
  printf("late,%" PRId64 "\n", st.records_late);

  sl_op_destroy(op);
  sl_op_destroy(sink);
  for (size_t i = 0; i < all.n; i++)
    free(all.ev[i].key);
  free(all.ev);
  for (int i = 0; i < nresolved; i++)
    sl_func_resolved_free(&resolved[i]);
  sl_arena_destroy(&arena);
  return 0;
}
