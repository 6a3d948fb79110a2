/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h - the error object every Sluice module fills and returns upwards.
 *
 * Library code never prints or exits.  A function that can fail takes an
 * sl_error * as its last argument, fills it on failure and returns a status
 * code.  The error carries a category (which becomes the process exit code at
 * the command line), a formatted message and a location: a place in SQL text
 * (FILE:LINE:COLUMN), a place in a data file (FILE:LINE), or a Kafka record
 * (topic [partition] @ offset) together with the record error reason used in
 * dead-letter headers.
 */
#ifndef SLUICE_ERROR_H
#define SLUICE_ERROR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __GNUC__
#define SL_PRINTF(fmt_idx, arg_idx) \
  __attribute__((format(printf, fmt_idx, arg_idx)))
#else
#define SL_PRINTF(fmt_idx, arg_idx)
#endif

/* Status codes.  SL_OK is zero so that `if (rc)` means failure. */
typedef enum sl_status {
  SL_OK = 0,
  SL_ERR_SQL,      /* malformed or unbindable SQL: exit code 1 */
  SL_ERR_USAGE,    /* bad command-line use: exit code 2 */
  SL_ERR_RUNTIME,  /* failure while running: exit code 3 */
  SL_ERR_IO,       /* file missing or unreadable (runtime) */
  SL_ERR_KAFKA,    /* broker or client failure (runtime) */
  SL_ERR_RECORD,   /* one record failed; follows the error policy */
  SL_ERR_NOMEM,    /* allocation failed */
  SL_ERR_INTERNAL  /* broken invariant: a bug, not a user mistake */
} sl_status;

/* Where an error happened. */
typedef enum sl_error_loc {
  SL_LOC_NONE = 0,
  SL_LOC_SQL,    /* file, line, column in SQL source */
  SL_LOC_FILE,   /* file and line in a data file (CSV) */
  SL_LOC_RECORD  /* topic, partition, offset of a Kafka record */
} sl_error_loc;

#define SL_ERROR_MSG_MAX 1024
#define SL_ERROR_NAME_MAX 256

typedef struct sl_error {
  sl_status code;
  sl_error_loc loc;
  char message[SL_ERROR_MSG_MAX];
  char file[SL_ERROR_NAME_MAX];  /* SQL or data file name */
  int line;                      /* 1-based; 0 when unknown */
  int column;                    /* 1-based; 0 when unknown */
  char topic[SL_ERROR_NAME_MAX];
  int32_t partition;
  int64_t offset;
  char reason[24]; /* record error reason: decode, type, not_null, ... */
} sl_error;

/* Resets err to "no error".  Accepts NULL. */
void sl_error_clear(sl_error *err);

/* Sets code and message (printf-style) and clears the location.  Returns
 * code so that callers can write `return sl_error_set(err, ...)`.  err may
 * be NULL, in which case only the code is returned. */
sl_status sl_error_set(sl_error *err, sl_status code, const char *fmt, ...)
    SL_PRINTF(3, 4);

/* Like sl_error_set, with a location in SQL text. */
sl_status sl_error_set_sql(sl_error *err, const char *file, int line,
                           int column, const char *fmt, ...)
    SL_PRINTF(5, 6);

/* Like sl_error_set, with a line in a data file (column may be 0). */
sl_status sl_error_set_file(sl_error *err, sl_status code, const char *file,
                            int line, const char *fmt, ...) SL_PRINTF(5, 6);

/* A record error: reason is one of the dead-letter reasons of the
 * conventions (decode, type, not_null, check, overflow, division_by_zero,
 * udf, late).  Code is SL_ERR_RECORD. */
sl_status sl_error_set_record(sl_error *err, const char *topic,
                              int32_t partition, int64_t offset,
                              const char *reason, const char *fmt, ...)
    SL_PRINTF(6, 7);

/* Prepends context to the message: "context: old message".  Keeps the
 * code and location.  Returns the code. */
sl_status sl_error_prefix(sl_error *err, const char *fmt, ...)
    SL_PRINTF(2, 3);

/* Formats the error in the user-facing form of the conventions into buf:
 *   SQL:    "FILE:LINE:COLUMN: error: MESSAGE"
 *   file:   "FILE:LINE: error: MESSAGE"
 *   record: "topic [partition] @ offset: MESSAGE"
 *   none:   "error: MESSAGE"
 * Always NUL-terminates; returns buf. */
char *sl_error_format(const sl_error *err, char *buf, size_t size);

/* The process exit code for an error category: 0 ok, 1 SQL, 2 usage,
 * 3 runtime (everything else). */
int sl_error_exit_code(sl_status code);

/* A short name for a status ("sql", "usage", "runtime", ...). */
const char *sl_status_name(sl_status code);

#endif /* SLUICE_ERROR_H */
