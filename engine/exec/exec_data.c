/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_data.c - statements that move data without a query: INSERT ...
 * VALUES, LOAD and PRINT.
 *
 * Into a stream, rows become records of its topic and the statement ends
 * only when the broker has acknowledged all of them; into a lookup table
 * they are upserts in SQLite.
 */
#include "engine/exec/session_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/csv.h"
#include "catalog/lookup.h"
#include "engine/common/log.h"
#include "engine/exec/stream_writer.h"
#include "engine/expr/expr.h"
#include "engine/kafka/consumer.h"
#include "engine/types/format.h"
#include "engine/types/strbuf.h"

/* Lookup handles opened for one statement need no cache. */
#define STATEMENT_LOOKUP_CACHE 0

/* Where rows of one statement go: a stream's topic or a table. */
typedef struct row_checks row_checks;

typedef struct row_target {
  sl_catalog_object *object;
  sl_stream_writer *writer; /* streams */
  sl_lookup *lookup;        /* tables */
  row_checks *checks;       /* LOAD into a stream: its CHECKs, or NULL */
} row_target;

static sl_status target_open(sl_session *s, const exec_stmt *st,
                             row_target *t, sl_error *err) {
  memset(t, 0, sizeof(*t));
  if (sl_catalog_get(s->catalog, st->bound->name, &t->object, err))
    return exec_locate(st, err);
  if (!t->object)
    return exec_fail(st, err, "unknown stream or table \"%s\"",
                     st->bound->name);

  /* A table that follows a topic is written through the topic. */
  if (t->object->kind == SL_CATALOG_STREAM ||
      session_follower(s, t->object->name)) {
    sl_kafka_producer *producer;
    if (session_producer(s, &producer, err) ||
        sl_stream_writer_new(t->object, producer, &t->writer, err))
      return exec_locate(st, err);
    return SL_OK;
  }
  if (sl_lookup_open(s->catalog, t->object->name, STATEMENT_LOOKUP_CACHE,
                     &t->lookup, err))
    return exec_locate(st, err);
  return SL_OK;
}

static sl_status target_write(row_target *t, const sl_value *row,
                              sl_error *err) {
  if (t->writer)
    return sl_stream_writer_write(t->writer, row, err);
  return sl_lookup_upsert(t->lookup, row,
                          sl_lookup_row_valid_from(t->lookup, row), err);
}

static sl_status target_finish(sl_session *s, row_target *t,
                               sl_error *err) {
  if (!t->writer)
    return SL_OK;
  if (sl_stream_writer_finish(t->writer, err))
    return err->code;
  return session_sync_table(s, t->object->name, err);
}

static void target_close(row_target *t) {
  sl_stream_writer_free(t->writer);
  sl_lookup_close(t->lookup);
  sl_catalog_object_free(t->object);
}

/* ---- INSERT ... VALUES --------------------------------------------------- */

/* A stream's CHECKs, compiled once per statement and tried on one row
 * at a time in a batch of one (the stream's declared columns, then its
 * ROWTIME, ROWPARTITION and ROWOFFSET, NULL here). */
struct row_checks {
  const sl_bcheck *defs;
  sl_expr **exprs;
  int n;
  int ncols;
  sl_batch *batch;
};

static void row_checks_close(row_checks *c) {
  for (int i = 0; i < c->n; i++)
    sl_expr_free(c->exprs[i]);
  free(c->exprs);
  sl_batch_free(c->batch);
}

static sl_status row_checks_open(const exec_stmt *st, int ncols,
                                 row_checks *c, sl_error *err) {
  memset(c, 0, sizeof(*c));
  c->defs = st->bound->checks;
  c->ncols = ncols;
  int n = 0;
  for (const sl_bcheck *d = c->defs; d; d = d->next)
    n++;
  if (n == 0)
    return SL_OK;
  c->exprs = calloc((size_t)n, sizeof(*c->exprs));
  c->batch = sl_batch_create(ncols + 3, 1);
  if (!c->exprs || !c->batch)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_expr_options opts = {.file = st->file};
  for (const sl_bcheck *d = c->defs; d; d = d->next) {
    if (sl_expr_compile(d->cond, &opts, &c->exprs[c->n], err))
      return err->code;
    c->n++;
  }
  return SL_OK;
}

/* Tries row (the stream's declared columns) on every CHECK: *broken
 * gets the first one it breaks, NULL when none.  A CHECK that fails to
 * evaluate on the row is SL_ERR_RECORD with the evaluation's message. */
static sl_status row_checks_find(row_checks *c, const sl_value *row,
                                 const sl_bcheck **broken, sl_error *err) {
  *broken = NULL;
  if (c->n == 0)
    return SL_OK;
  sl_batch_reset(c->batch);
  int k = sl_batch_append_row(c->batch);
  if (k < 0)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int col = 0; col < c->ncols + 3; col++)
    c->batch->cols[col][k] = col < c->ncols ? row[col] : sl_value_null();

  const sl_bcheck *d = c->defs;
  for (int i = 0; i < c->n; i++, d = d->next) {
    const sl_value *res;
    int failed = 0;
    if (sl_expr_run(c->exprs[i], c->batch, sl_batch_arena(c->batch), &res,
                    &failed, err))
      return err->code;
    const sl_batch_row *m = &c->batch->rows[k];
    if (failed)
      return sl_error_set(err, SL_ERR_RECORD, "%s: %s", d->text,
                          m->error ? m->error->message : "failed");
    if (res[k].kind == SL_TYPE_BOOLEAN && !res[k].u.b) {
      *broken = d;
      return SL_OK;
    }
  }
  return SL_OK;
}

/* Fails, at the row's first value, when row r breaks a CHECK or a CHECK
 * fails to evaluate on it. */
static sl_status row_checks_test(row_checks *c, const exec_stmt *st, int r,
                                 const sl_value *row, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  sl_srcpos pos = b->nvalues ? b->rows[r][0]->pos : b->pos;
  const sl_bcheck *broken;
  sl_status rc = row_checks_find(c, row, &broken, err);
  if (rc == SL_ERR_RECORD)
    return sl_error_set_sql(err, st->file, pos.line, pos.column,
                            "INSERT INTO %s: row %d: %s", b->name, r + 1,
                            err->message);
  if (rc)
    return rc;
  if (broken)
    return sl_error_set_sql(err, st->file, pos.line, pos.column,
                            "INSERT INTO %s: row %d: %s failed", b->name,
                            r + 1, broken->text);
  return SL_OK;
}

/* The values of row r of the statement into row (ncols values, those not
 * listed NULL), from arena. */
static sl_status insert_row(const exec_stmt *st, int r, int ncols,
                            sl_arena *arena, sl_value *row, sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  for (int c = 0; c < ncols; c++)
    row[c] = sl_value_null();
  for (int v = 0; v < b->nvalues; v++)
    if (sl_expr_eval_constant(b->rows[r][v], arena,
                              &row[b->target_columns[v]], err))
      return exec_locate(st, err);
  return SL_OK;
}

sl_status exec_insert_values(sl_session *s, const exec_stmt *st,
                             sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  row_target target;
  if (target_open(s, st, &target, err)) {
    target_close(&target);
    return err->code;
  }

  int ncols = target.object->ncolumns;
  sl_value *row = calloc((size_t)ncols + 1, sizeof(*row));
  sl_arena arena;
  sl_arena_init(&arena, 0);
  row_checks checks;
  sl_status rc = row ? SL_OK : sl_error_set(err, SL_ERR_NOMEM, "out of "
                                            "memory");
  if (rc == SL_OK && (rc = row_checks_open(st, ncols, &checks, err)))
    exec_locate(st, err);

  /* Every row passes the CHECKs before any is written: a statement that
   * fails writes nothing. */
  for (int r = 0; r < b->nrows && rc == SL_OK && checks.n; r++) {
    rc = insert_row(st, r, ncols, &arena, row, err);
    if (rc == SL_OK)
      rc = row_checks_test(&checks, st, r, row, err);
    sl_arena_reset(&arena);
  }

  for (int r = 0; r < b->nrows && rc == SL_OK; r++) {
    rc = insert_row(st, r, ncols, &arena, row, err);
    if (rc == SL_OK && (rc = target_write(&target, row, err)))
      exec_locate(st, err);
    sl_arena_reset(&arena);
  }
  if (rc == SL_OK && (rc = target_finish(s, &target, err)))
    exec_locate(st, err);

  if (row)
    row_checks_close(&checks);
  sl_arena_destroy(&arena);
  free(row);
  target_close(&target);
  return rc;
}

/* ---- LOAD ---------------------------------------------------------------- */

/* A record that breaks a CHECK of the stream it loads into follows the
 * LOAD's error policy, as a record the stream's queries read would. */
static sl_status load_row(void *ud, const sl_value *row, int ncolumns,
                          int64_t line, sl_error *err) {
  (void)ncolumns;
  (void)line;
  row_target *t = ud;
  if (t->checks) {
    const sl_bcheck *broken;
    sl_status rc = row_checks_find(t->checks, row, &broken, err);
    if (rc)
      return rc;
    if (broken)
      return sl_error_set(err, SL_ERR_RECORD, "%s failed", broken->text);
  }
  return target_write(t, row, err);
}

/* Progress of a LOAD on a terminal: rows and percent, redrawn in place at
 * most a few times a second. */
typedef struct load_progress {
  FILE *tty;
  const char *path;
  struct timespec last;
  bool shown;
} load_progress;

static void load_progress_show(void *ud, int64_t records, int64_t bytes,
                               int64_t total) {
  load_progress *p = ud;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long elapsed_ms = (now.tv_sec - p->last.tv_sec) * 1000 +
                    (now.tv_nsec - p->last.tv_nsec) / 1000000;
  bool done = total > 0 && bytes >= total;
  if (!done && p->shown && elapsed_ms < 200)
    return;
  p->last = now;
  p->shown = true;
  if (total > 0)
    fprintf(p->tty, "\rLOAD %s: %" PRId64 " rows, %d%%", p->path, records,
            (int)(bytes * 100 / total));
  else
    fprintf(p->tty, "\rLOAD %s: %" PRId64 " rows", p->path, records);
  fflush(p->tty);
}

static void load_progress_end(load_progress *p) {
  if (p->shown)
    fputc('\n', p->tty);
}

static sl_status load_options(const exec_stmt *st, sl_csv_options *opt,
                              sl_error *err) {
  sl_csv_options_init(opt);
  for (int i = 0; i < st->bound->noptions; i++) {
    const sl_bound_option *o = &st->bound->options[i];
    if (sl_csv_options_set(opt, o->name, o->text, err))
      return sl_error_set_sql(err, st->file, o->pos.line, o->pos.column,
                              "%s", err->message);
  }
  return SL_OK;
}

static void load_report(sl_session *s, const exec_stmt *st,
                        const sl_csv_result *res) {
  (void)s;
  if (res->nignored > 0)
    SL_INFO("load", "%s: %d column%s not in %s, not loaded: %s%s",
            st->bound->path, res->nignored, res->nignored == 1 ? "" : "s",
            st->bound->name, res->ignored ? res->ignored : "",
            res->nignored > SL_CSV_IGNORED_NAMES ? ", ..." : "");
  if (res->skipped == 0)
    return;
  SL_WARN("load", "%s: %" PRId64 " rows loaded into %s, %" PRId64
          " skipped", st->bound->path, res->rows, st->bound->name,
          res->skipped);
  for (int i = 0; i < res->nreasons; i++)
    SL_WARN("load", "skipped: %s", res->reasons[i]);
}

sl_status exec_load(sl_session *s, const exec_stmt *st, sl_error *err) {
  sl_csv_options opt;
  if (load_options(st, &opt, err))
    return err->code;
  load_progress progress = {.tty = s->notices, .path = st->bound->path};
  if (isatty(fileno(s->notices))) {
    clock_gettime(CLOCK_MONOTONIC, &progress.last);
    opt.progress = load_progress_show;
    opt.progress_ud = &progress;
  }

  sl_csv_result res;
  memset(&res, 0, sizeof(res));
  sl_catalog_object *obj = NULL;
  if (sl_catalog_get(s->catalog, st->bound->name, &obj, err))
    return exec_locate(st, err);
  if (!obj)
    return exec_fail(st, err, "unknown stream or table \"%s\"",
                     st->bound->name);

  sl_status rc;
  if (obj->kind != SL_CATALOG_STREAM && !session_follower(s, obj->name)) {
    /* Tables and training sets load in SQLite transactions of their own,
     * all or nothing with errors='fail'. */
    rc = sl_csv_load(s->catalog, obj->name, st->bound->path, &opt, &res,
                     err);
  } else {
    row_target target;
    row_checks checks;
    memset(&checks, 0, sizeof(checks));
    rc = target_open(s, st, &target, err);
    if (rc == SL_OK && obj->kind == SL_CATALOG_STREAM &&
        (rc = row_checks_open(st, obj->ncolumns, &checks, err)) == SL_OK &&
        checks.n)
      target.checks = &checks;
    sl_csv_column *cols = calloc((size_t)obj->ncolumns + 1, sizeof(*cols));
    if (rc == SL_OK && !cols)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == SL_OK && i < obj->ncolumns; i++) {
      cols[i].name = obj->columns[i].name;
      cols[i].type = obj->columns[i].type;
      cols[i].not_null = obj->columns[i].not_null;
      cols[i].quoted = obj->columns[i].quoted;
    }
    if (rc == SL_OK)
      rc = sl_csv_read(st->bound->path, cols, obj->ncolumns, &opt,
                       load_row, &target, &res, err);
    if (rc == SL_OK)
      rc = target_finish(s, &target, err);
    free(cols);
    row_checks_close(&checks);
    target_close(&target);
  }
  load_progress_end(&progress);
  if (rc == SL_OK)
    load_report(s, st, &res);
  else if (err->loc == SL_LOC_NONE)
    exec_locate(st, err);
  sl_csv_result_free(&res);
  sl_catalog_object_free(obj);
  return rc;
}

/* ---- PRINT --------------------------------------------------------------- */

/* PRINT shows raw records: what the broker holds, before any decoding. */
static sl_status print_record(sl_session *s, const sl_kafka_msg *m,
                              sl_strbuf *line, sl_error *err) {
  sl_value row[6];
  row[0] = sl_value_int(m->partition);
  row[1] = sl_value_bigint(m->offset);
  row[2] = m->timestamp_ms >= 0 ? sl_value_timestamp(m->timestamp_ms)
                                : sl_value_null();
  row[3] = m->key ? sl_value_varchar(m->key, m->key_len) : sl_value_null();
  row[4] = m->value ? sl_value_varchar(m->value, m->value_len)
                    : sl_value_null();

  sl_strbuf_reset(line);
  size_t nh = sl_kafka_msg_header_count(m);
  for (size_t i = 0; i < nh; i++) {
    sl_kafka_header h;
    if (!sl_kafka_msg_header_at(m, i, &h))
      continue;
    sl_strbuf_appends(line, i ? "," : "{");
    sl_format_json_string(line, h.name, strlen(h.name));
    sl_strbuf_appendc(line, ':');
    if (h.value)
      sl_format_json_string(line, h.value, h.size);
    else
      sl_strbuf_appends(line, "null");
  }
  if (nh)
    sl_strbuf_appendc(line, '}');
  row[5] = nh ? sl_value_varchar(line->data, line->len) : sl_value_null();
  return sl_output_row(s->output, row, err);
}

sl_status exec_print(sl_session *s, const exec_stmt *st, sl_error *err) {
  static const char *const names[] = {"partition", "offset", "timestamp",
                                      "key", "value", "headers"};
  const sl_type *types[] = {sl_type_int(), sl_type_bigint(),
                            sl_type_timestamp(), sl_type_varchar(),
                            sl_type_varchar(), sl_type_varchar()};
  const sl_bound_stmt *b = st->bound;
  bool from_beginning = b->from_beginning || s->opts.bounded;
  int64_t limit = b->limit;

  /* In a bounded run, what a persistent query of the run writes to the
   * topic is all there before PRINT reads it. */
  if (s->opts.bounded && session_wait_topic_writers(s, b->path, err))
    return exec_locate(st, err);

  sl_kafka_consumer_opts copts = {0};
  sl_kafka_consumer *c = NULL;
  sl_kafka_batch batch;
  sl_strbuf line;
  sl_strbuf_init(&line);
  if (sl_kafka_batch_init(&batch, 500, err))
    return err->code;
  sl_status rc = sl_kafka_consumer_new(s->kafka, &copts, &c, err);
  /* Without --bounded or LIMIT, PRINT follows the topic until stopped. */
  bool bounded = s->opts.bounded;
  if (rc == SL_OK)
    rc = sl_kafka_consumer_assign_topic(
        c, b->path,
        from_beginning ? SL_KAFKA_OFFSET_BEGINNING : SL_KAFKA_OFFSET_END,
        bounded, err);
  if (rc == SL_OK)
    rc = sl_output_begin(s->output, 6, names, types, err);

  int64_t printed = 0;
  while (rc == SL_OK && !session_interrupted(s)) {
    if (limit >= 0 && printed >= limit)
      break;
    if (bounded && sl_kafka_consumer_at_end(c))
      break;
    rc = sl_kafka_consumer_poll(c, &batch, 200, err);
    for (size_t i = 0; rc == SL_OK && i < batch.count; i++) {
      if (limit >= 0 && printed >= limit)
        break;
      rc = print_record(s, &batch.msgs[i], &line, err);
      printed++;
    }
    sl_kafka_batch_clear(&batch);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  else
    exec_locate(st, err);

  sl_kafka_batch_destroy(&batch);
  sl_kafka_consumer_free(c);
  sl_strbuf_free(&line);
  return rc;
}
