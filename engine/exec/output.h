/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output.h - printing result rows as a table, CSV or JSON lines.
 *
 * A transient query, a pull query, SHOW and DESCRIBE all hand their rows
 * to an sl_output: begin with the column names and types, then rows, then
 * end.  CSV and JSON rows are written as they come (a push query streams);
 * a table is aligned, so it is buffered until end, or printed in chunks
 * that grow the column widths as rows arrive (push queries on a terminal).
 * Formats follow the conventions: CSV with a header row, RFC 4180 quoting
 * and NULL as an empty field; JSON one object per row.
 */
#ifndef SLUICE_EXEC_OUTPUT_H
#define SLUICE_EXEC_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/common/error.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

typedef enum sl_output_format {
  SL_OUTPUT_AUTO = 0, /* table on a terminal, csv otherwise */
  SL_OUTPUT_TABLE,
  SL_OUTPUT_CSV,
  SL_OUTPUT_JSON
} sl_output_format;

typedef struct sl_output sl_output;

/* Creates a printer writing to out (not closed by the printer).  AUTO
 * resolves by whether out is a terminal. Returns NULL when out of memory. */
sl_output *sl_output_new(FILE *out, sl_output_format format);
void sl_output_free(sl_output *o);

/* Starts a result of ncols columns (names and types are copied). */
sl_status sl_output_begin(sl_output *o, int ncols, const char *const *names,
                          const sl_type *const *types, sl_error *err);

/* Prints one row of ncols values (not kept after the call). */
sl_status sl_output_row(sl_output *o, const sl_value *values, sl_error *err);

/* Ends the result: a table is flushed with its footer ("(N rows)", with
 * timing on "(N rows, T ms)"). */
sl_status sl_output_end(sl_output *o, sl_error *err);

/* A statement begins: the time in footers counts from now. */
void sl_output_statement(sl_output *o);

/* With timing on, a table's footer also gives the time since its
 * statement began (sl_output_statement): milliseconds with one decimal
 * below a second, else seconds with two ("(3 rows, 2.1 ms)", "(3 rows,
 * 12.50 s)").  Off when made. */
void sl_output_set_timing(sl_output *o, bool on);

/* Rows printed since begin. */
long long sl_output_rows(const sl_output *o);

/* Live mode, for a query whose rows arrive over time on a terminal: until
 * the next end, buffered table rows are printed at most
 * SL_OUTPUT_LIVE_DELAY_MS after they arrive, and a status line on status
 * (a terminal; NULL: none) says how many rows came and how fast.  The
 * status line is erased before rows are printed and at end. */
#define SL_OUTPUT_LIVE_DELAY_MS 200
void sl_output_live(sl_output *o, FILE *status);

/* Called periodically while a query runs (from the thread that waits
 * for it, under the same lock as sl_output_row): hands the CSV and JSON
 * rows printed so far to the output stream's file (a pipe or a file sees
 * them while the query runs); in live mode also prints the table rows
 * that have waited long enough and redraws the status line. */
void sl_output_tick(sl_output *o);

#endif
