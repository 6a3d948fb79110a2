/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.c - result printers: aligned table, CSV and JSON lines.
 *
 * Cell text comes from engine/types/format.c, so every printer renders a
 * value the same way.  The table printer measures widths in characters
 * (UTF-8 code points), not bytes, so that names with accents line up.
 */
#include "engine/exec/output.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/types/format.h"
#include "engine/types/strbuf.h"

/* A table on a terminal is printed in chunks so that a push query shows
 * rows while they arrive; widths only grow between chunks. */
#define TABLE_CHUNK_ROWS 50

struct sl_output {
  FILE *out;
  sl_output_format format;
  int ncols;
  char **names;
  sl_type **types;
  long long rows;
  sl_strbuf line;

  /* table mode: buffered cell texts of the rows not yet printed */
  int *widths;
  char **cells;    /* nbuffered * ncols strings */
  int nbuffered;
  int cap;
  bool header_printed;

  /* footers with the time (sl_output_set_timing) */
  bool timing;
  int64_t statement_us;   /* when the statement began */

  /* live mode (sl_output_live) */
  FILE *status;           /* where the status line goes; NULL: off */
  int64_t live_start_ms;  /* when live mode began */
  int64_t oldest_ms;      /* arrival of the oldest buffered row */
  int status_width;       /* characters of the status line shown; 0: none */
};

/* The status line first shows after a second, so that a query that
 * answers at once prints none. */
#define LIVE_STATUS_FIRST_MS 1000

sl_output *sl_output_new(FILE *out, sl_output_format format) {
  sl_output *o = calloc(1, sizeof(*o));
  if (!o)
    return NULL;
  o->out = out;
  if (format == SL_OUTPUT_AUTO)
    format = isatty(fileno(out)) ? SL_OUTPUT_TABLE : SL_OUTPUT_CSV;
  o->format = format;
  sl_strbuf_init(&o->line);
  return o;
}

static void output_clear(sl_output *o) {
  for (int i = 0; i < o->nbuffered * o->ncols; i++)
    free(o->cells[i]);
  free(o->cells);
  o->cells = NULL;
  o->nbuffered = 0;
  o->cap = 0;
  for (int i = 0; i < o->ncols; i++) {
    free(o->names[i]);
    sl_type_free(o->types[i]);
  }
  free(o->names);
  free(o->types);
  free(o->widths);
  o->names = NULL;
  o->types = NULL;
  o->widths = NULL;
  o->ncols = 0;
}

void sl_output_free(sl_output *o) {
  if (!o)
    return;
  output_clear(o);
  sl_strbuf_free(&o->line);
  free(o);
}

long long sl_output_rows(const sl_output *o) { return o->rows; }

static int64_t monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t monotonic_ms(void) { return monotonic_us() / 1000; }

void sl_output_statement(sl_output *o) { o->statement_us = monotonic_us(); }

void sl_output_set_timing(sl_output *o, bool on) { o->timing = on; }

/* Erases the status line so that rows print where it was. */
static void live_erase(sl_output *o) {
  if (!o->status || o->status_width == 0)
    return;
  fprintf(o->status, "\r%*s\r", o->status_width, "");
  fflush(o->status);
  o->status_width = 0;
}

/* Display width of UTF-8 text: one column per code point. */
static int text_width(const char *s) {
  int w = 0;
  for (; *s; s++) {
    if (((unsigned char)*s & 0xC0) != 0x80)
      w++;
  }
  return w;
}

static sl_status nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory printing results");
}

sl_status sl_output_begin(sl_output *o, int ncols, const char *const *names,
                          const sl_type *const *types, sl_error *err) {
  live_erase(o);
  o->status = NULL;
  output_clear(o);
  o->rows = 0;
  o->header_printed = false;
  o->names = calloc((size_t)ncols + 1, sizeof(*o->names));
  o->types = calloc((size_t)ncols + 1, sizeof(*o->types));
  o->widths = calloc((size_t)ncols + 1, sizeof(*o->widths));
  if (!o->names || !o->types || !o->widths)
    return nomem(err);
  o->ncols = ncols;
  for (int i = 0; i < ncols; i++) {
    o->names[i] = strdup(names[i]);
    o->types[i] = sl_type_clone(types[i]);
    if (!o->names[i] || !o->types[i])
      return nomem(err);
    o->widths[i] = text_width(names[i]);
  }

  switch (o->format) {
  case SL_OUTPUT_CSV:
    sl_strbuf_reset(&o->line);
    for (int i = 0; i < ncols; i++) {
      if (i > 0)
        sl_strbuf_appendc(&o->line, ',');
      if (sl_format_csv_string(&o->line, names[i], strlen(names[i]), ','))
        return nomem(err);
    }
    sl_strbuf_appendc(&o->line, '\n');
    fwrite(o->line.data, 1, o->line.len, o->out);
    break;
  case SL_OUTPUT_JSON:
  case SL_OUTPUT_TABLE:
  case SL_OUTPUT_AUTO:
    break;
  }
  return SL_OK;
}

static sl_status row_csv(sl_output *o, const sl_value *values,
                         sl_error *err) {
  sl_strbuf_reset(&o->line);
  for (int i = 0; i < o->ncols; i++) {
    if (i > 0)
      sl_strbuf_appendc(&o->line, ',');
    if (sl_format_csv_field(&o->line, &values[i], o->types[i], ','))
      return nomem(err);
  }
  if (sl_strbuf_appendc(&o->line, '\n'))
    return nomem(err);
  fwrite(o->line.data, 1, o->line.len, o->out);
  return SL_OK;
}

static sl_status row_json(sl_output *o, const sl_value *values,
                          sl_error *err) {
  sl_strbuf_reset(&o->line);
  sl_strbuf_appendc(&o->line, '{');
  for (int i = 0; i < o->ncols; i++) {
    if (i > 0)
      sl_strbuf_appendc(&o->line, ',');
    if (sl_format_json_string(&o->line, o->names[i], strlen(o->names[i])) ||
        sl_strbuf_appendc(&o->line, ':') ||
        sl_format_json(&o->line, &values[i], o->types[i]))
      return nomem(err);
  }
  if (sl_strbuf_appends(&o->line, "}\n"))
    return nomem(err);
  fwrite(o->line.data, 1, o->line.len, o->out);
  return SL_OK;
}

static void table_rule(sl_output *o) {
  fputc('+', o->out);
  for (int i = 0; i < o->ncols; i++) {
    for (int k = 0; k < o->widths[i] + 2; k++)
      fputc('-', o->out);
    fputc('+', o->out);
  }
  fputc('\n', o->out);
}

static void table_cells(sl_output *o, char *const *cells) {
  fputc('|', o->out);
  for (int i = 0; i < o->ncols; i++) {
    bool numeric = sl_type_is_numeric(o->types[i]);
    int pad = o->widths[i] - text_width(cells[i]);
    fputc(' ', o->out);
    if (numeric)
      fprintf(o->out, "%*s", pad, "");
    fputs(cells[i], o->out);
    if (!numeric)
      fprintf(o->out, "%*s", pad, "");
    fputs(" |", o->out);
  }
  fputc('\n', o->out);
}

/* Prints the buffered rows (and the header before the first chunk). */
static void table_flush(sl_output *o) {
  if (o->nbuffered == 0 && o->header_printed)
    return;
  live_erase(o);
  if (!o->header_printed) {
    table_rule(o);
    table_cells(o, o->names);
    table_rule(o);
    o->header_printed = true;
  }
  for (int r = 0; r < o->nbuffered; r++) {
    table_cells(o, o->cells + (size_t)r * (size_t)o->ncols);
    for (int i = 0; i < o->ncols; i++)
      free(o->cells[(size_t)r * (size_t)o->ncols + (size_t)i]);
  }
  o->nbuffered = 0;
  fflush(o->out);
}

static sl_status row_table(sl_output *o, const sl_value *values,
                           sl_error *err) {
  if (o->nbuffered == o->cap) {
    int cap = o->cap ? o->cap * 2 : 64;
    char **cells = realloc(o->cells, (size_t)cap * (size_t)(o->ncols + 1) *
                                         sizeof(*cells));
    if (!cells)
      return nomem(err);
    o->cells = cells;
    o->cap = cap;
  }

  char **row = o->cells + (size_t)o->nbuffered * (size_t)o->ncols;
  for (int i = 0; i < o->ncols; i++) {
    sl_strbuf_reset(&o->line);
    if (sl_value_is_null(&values[i]))
      sl_strbuf_appends(&o->line, "NULL");
    else if (sl_format_text(&o->line, &values[i], o->types[i]))
      return nomem(err);
    row[i] = strndup(o->line.data ? o->line.data : "", o->line.len);
    if (!row[i]) {
      for (int k = 0; k < i; k++)
        free(row[k]);
      return nomem(err);
    }
    int w = text_width(row[i]);
    if (!o->header_printed && w > o->widths[i])
      o->widths[i] = w;
  }
  if (o->nbuffered == 0 && o->status)
    o->oldest_ms = monotonic_ms();
  o->nbuffered++;

  /* After the first chunk the header is fixed; longer cells widen only
   * their own line, which is the price of streaming. */
  if (isatty(fileno(o->out)) && o->nbuffered >= TABLE_CHUNK_ROWS)
    table_flush(o);
  return SL_OK;
}

sl_status sl_output_row(sl_output *o, const sl_value *values,
                        sl_error *err) {
  sl_status rc;
  if (o->format != SL_OUTPUT_TABLE)
    live_erase(o);
  switch (o->format) {
  case SL_OUTPUT_CSV:
    rc = row_csv(o, values, err);
    break;
  case SL_OUTPUT_JSON:
    rc = row_json(o, values, err);
    break;
  default:
    rc = row_table(o, values, err);
    break;
  }
  if (rc == SL_OK)
    o->rows++;
  return rc;
}

void sl_output_live(sl_output *o, FILE *status) {
  o->status = status;
  o->live_start_ms = monotonic_ms();
  o->oldest_ms = o->live_start_ms;
  o->status_width = 0;
}

void sl_output_tick(sl_output *o) {
  /* A push query may run for ever: the rows printed so far reach a pipe
   * or a file while it runs, not when it ends. */
  fflush(o->out);
  if (!o->status)
    return;
  int64_t now = monotonic_ms();
  if (o->format == SL_OUTPUT_TABLE && o->nbuffered > 0 &&
      now - o->oldest_ms >= SL_OUTPUT_LIVE_DELAY_MS)
    table_flush(o);
  fflush(o->out);

  int64_t elapsed = now - o->live_start_ms;
  if (elapsed < LIVE_STATUS_FIRST_MS)
    return;
  double rate = (double)o->rows * 1000.0 / (double)elapsed;
  char line[128];
  int n = snprintf(line, sizeof(line), "-- %lld row%s received, %.1f rows/s",
                   o->rows, o->rows == 1 ? "" : "s", rate);
  if (n < 0)
    return;
  fprintf(o->status, "\r%s", line);
  if (o->status_width > n)
    fprintf(o->status, "%*s", o->status_width - n, "");
  fflush(o->status);
  o->status_width = n > o->status_width ? n : o->status_width;
}

sl_status sl_output_end(sl_output *o, sl_error *err) {
  live_erase(o);
  o->status = NULL;
  if (o->format == SL_OUTPUT_TABLE) {
    table_flush(o);
    table_rule(o);
    fprintf(o->out, "(%lld row%s", o->rows, o->rows == 1 ? "" : "s");
    if (o->timing) {
      double ms = (double)(monotonic_us() - o->statement_us) / 1000.0;
      if (ms < 1000.0)
        fprintf(o->out, ", %.1f ms", ms);
      else
        fprintf(o->out, ", %.2f s", ms / 1000.0);
    }
    fputs(")\n", o->out);
  }
  fflush(o->out);
  return SL_OK;
}
