/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv.h - reading CSV files into typed rows, and LOAD into tables.
 *
 * One RFC 4180 reader serves every LOAD: into a lookup table or training
 * set (sl_csv_load, which writes the rows in SQLite), and into a stream
 * (the engine passes a row callback to sl_csv_read and produces records).
 *
 * The format: fields separated by a one-byte delimiter (',' by default);
 * a field in double quotes may hold the delimiter, line breaks and quotes
 * (doubled); records end with LF, CRLF or CR; a UTF-8 byte order mark is
 * skipped; empty lines are skipped.  An unquoted field equal to the null
 * marker (default: the empty field) is NULL; a quoted one never is, so
 * "" is the empty string.
 *
 * Columns: with a header (the default) the file's columns map to the
 * declared ones by name: exactly, or else ignoring ASCII case for a
 * column whose name was not quoted when it was declared.  File
 * columns that match nothing are not loaded, so a file may carry more
 * than a table keeps; the result names them (sl_csv_result.ignored) so
 * that the caller can say so.  A declared column the file lacks is NULL,
 * and an error when it is NOT NULL.  Without a header, fields map by position and
 * every record must have one field per declared column.
 *
 * Values convert to each column's type as CAST from text does (see
 * value.h), except: BYTES are base64, TIMESTAMP follows timestamp_format
 * (iso8601 by default), and ARRAY/MAP/STRUCT are JSON.  A bad record is
 * reported as "FILE:LINE: error: column "c": cannot convert "abc" to
 * DOUBLE", LINE being where the record starts.  With errors='fail' the
 * first bad record stops the read; with errors='skip' bad records are
 * counted and the first few reasons kept.
 */
#ifndef SLUICE_CSV_H
#define SLUICE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

typedef enum sl_csv_policy {
  SL_CSV_FAIL = 0,  /* stop at the first bad record */
  SL_CSV_SKIP       /* count bad records and go on */
} sl_csv_policy;

/* Progress: records read so far, the bytes they came from, and the
 * file's size (0 when unknown).  Called as each block of the file is used
 * up and once at the end. */
typedef void (*sl_csv_progress_fn)(void *ud, int64_t records,
                                   int64_t bytes, int64_t total);

typedef struct sl_csv_options {
  char delimiter;               /* ',' */
  bool header;                  /* true */
  const char *null_marker;      /* "": borrowed */
  sl_csv_policy errors;         /* SL_CSV_FAIL */
  const char *timestamp_format; /* NULL: iso8601; borrowed */
  int max_reasons;              /* skip reasons kept; 5 */
  int64_t batch_rows;           /* rows per transaction with skip; 10000 */
  sl_csv_progress_fn progress;  /* may be NULL */
  void *progress_ud;
} sl_csv_options;

/* A declared column the reader fills. */
typedef struct sl_csv_column {
  const char *name;
  const sl_type *type;
  bool not_null;
  bool quoted;       /* a header field must spell the name exactly */
} sl_csv_column;

/* Names of columns not loaded that a result keeps (a wide file may carry
 * hundreds). */
#define SL_CSV_IGNORED_NAMES 8

typedef struct sl_csv_result {
  int64_t rows;      /* records delivered and accepted */
  int64_t skipped;   /* bad records skipped */
  int64_t bytes;     /* bytes read */
  int nreasons;
  char **reasons;    /* the first skip reasons, "FILE:LINE: error: ..." */
  int nignored;      /* header columns matching no declared column */
  char *ignored;     /* the first few of them as "a, b" (NULL: none), so
                        that the caller can report them */
} sl_csv_result;

/* Receives each good record as ncolumns values in declared column order,
 * valid only during the call; line is where the record starts.
 * Returning SL_ERR_RECORD marks the record bad (it follows the error
 * policy, located at the record when err has no location); any other
 * failure stops the read and is returned. */
typedef sl_status (*sl_csv_row_fn)(void *ud, const sl_value *row,
                                   int ncolumns, int64_t line,
                                   sl_error *err);

/* The defaults above. */
void sl_csv_options_init(sl_csv_options *opt);

/* Applies one LOAD ... WITH option: header (true/false), delimiter (one
 * character, or \t), null, errors (fail/skip), timestamp_format.  value
 * is borrowed.  An unknown option or bad value fails with SL_ERR_SQL. */
sl_status sl_csv_options_set(sl_csv_options *opt, const char *name,
                             const char *value, sl_error *err);

/* Reads path, calling fn for every good record.  *result (zeroed first)
 * counts what happened; free it with sl_csv_result_free, also after a
 * failure.  A bad record under SL_CSV_FAIL and every header problem fail
 * with SL_ERR_RUNTIME located at FILE:LINE (err->reason names the kind:
 * "type", "overflow", "not_null", "decode"); a missing file fails with
 * SL_ERR_IO. */
sl_status sl_csv_read(const char *path, const sl_csv_column *columns,
                      int ncolumns, const sl_csv_options *opt,
                      sl_csv_row_fn fn, void *ud, sl_csv_result *result,
                      sl_error *err);

/* LOAD 'path' INTO the table or training set called name.  With
 * SL_CSV_FAIL the load is one transaction: on any failure nothing is
 * loaded.  With SL_CSV_SKIP rows are committed every batch_rows, so a
 * failure other than a bad record (an I/O error) keeps the batches
 * committed before it; result->rows tells how many.  A table takes each
 * row as an upsert; a versioned table's rows hold from the value of its
 * timestamp column, or always when it has none. */
sl_status sl_csv_load(sl_catalog *cat, const char *name, const char *path,
                      const sl_csv_options *opt, sl_csv_result *result,
                      sl_error *err);

void sl_csv_result_free(sl_csv_result *result);

#endif /* SLUICE_CSV_H */
