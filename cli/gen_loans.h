/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_loans.h - the data of the loan pricing use case: loan applications
 * replayed from a CSV file of past loans, and the synthetic side data a
 * lender keeps about each applicant.
 *
 * The file (../shared/data/lending_club.csv or any file of its shape) is
 * read whole.  Data row N (counting from 1 after the header) becomes
 * application N of applicant 1000000 + N, applied at start + (N - 1) *
 * step: ids and times follow the file order, so a slice of the file
 * (--from-row, --rows) is the same applications whichever way it is cut.
 *
 * The side data of an applicant depends only on the seed and the row, so
 * it too is the same for any slice: a credit bureau score, the lender's
 * previous engagements with the applicant, and card transactions in the
 * 90 days before the application.  Each is drawn around the row's risk:
 * its sub-grade and its outcome (the Class column), the way a real
 * bureau score and a real account history carry information about how a
 * loan ends.  docs/loan.md gives the exact distributions.
 */
#ifndef SLUICE_CLI_GEN_LOANS_H
#define SLUICE_CLI_GEN_LOANS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/strbuf.h"

/* Applicant ids are this plus the application id. */
#define SL_GEN_LOAN_APPLICANT_BASE 1000000

/* The days of transaction history before each application. */
#define SL_GEN_LOAN_HISTORY_DAYS 90

/* At most this many transactions per applicant. */
#define SL_GEN_LOAN_MAX_TXNS 12

/* A CSV file of loans held in memory, its fields cut in place. */
typedef struct sl_gen_loan_file {
  char *text;         /* the file's bytes */
  int ncols;
  char **names;       /* header names, lower-cased, in text */
  bool *numeric;      /* every non-empty field of the column is a number */
  int64_t nrows;      /* data rows */
  char **fields;      /* nrows * ncols pointers into text */
  int class_col;      /* the "class" column, or -1 */
  int grade_col;      /* the "sub_grade" column, or -1 */
} sl_gen_loan_file;

/* Reads path: a header row, then rows of as many comma-separated fields
 * (no quoting; an empty field is missing).  On success the caller frees
 * *out with sl_gen_loan_file_free; on failure nothing is left to free and
 * err names the file and line. */
sl_status sl_gen_loan_file_read(const char *path, sl_gen_loan_file *out,
                                sl_error *err);

void sl_gen_loan_file_free(sl_gen_loan_file *f);

/* The field of data row `row` (1-based) and column col. */
const char *sl_gen_loan_field(const sl_gen_loan_file *f, int64_t row,
                              int col);

/* Resolves a row position: "N" is row N, "P%" the row after the first
 * floor(P% of the rows) (so "80%" starts the last 20%).  Returns false
 * when text is neither or points past the end. */
bool sl_gen_loan_parse_from(const sl_gen_loan_file *f, const char *text,
                            int64_t *row);

/* Resolves a row count: "N" rows, or "P%" = floor(P% of the rows). */
bool sl_gen_loan_parse_rows(const sl_gen_loan_file *f, const char *text,
                            int64_t *rows);

/* Appends application `row` to out as one JSON object: application_id,
 * applicant_id, applied_at (ISO 8601 UTC), then every column of the file
 * under its lower-cased name (numbers as JSON numbers, other text as
 * strings, empty fields as null), the class column left out when
 * with_outcome is false. */
sl_status sl_gen_loan_application_json(const sl_gen_loan_file *f,
                                       int64_t row, int64_t start_ms,
                                       int64_t step_ms, bool with_outcome,
                                       sl_strbuf *out);

/* The lender's side data about one applicant. */
typedef struct sl_gen_loan_profile {
  int credit_score;       /* 300..850 */
  int previous_loans;     /* 0..4; 0: no engagement row */
  int previous_defaults;  /* 0..previous_loans */
  int customer_months;    /* months since the first engagement */
} sl_gen_loan_profile;

/* One card transaction of an applicant. */
typedef struct sl_gen_loan_txn {
  int64_t txn_id;         /* row * 100 + n: unique, slice-independent */
  int64_t applicant_id;
  const char *kind;       /* purchase, cash_advance or overdraft_fee */
  double amount;          /* two decimals */
  int64_t at_ms;          /* before the application's time */
} sl_gen_loan_txn;

/* The profile of the applicant of data row `row`, drawn from seed. */
void sl_gen_loan_profile_of(const sl_gen_loan_file *f, int64_t row,
                            uint64_t seed, sl_gen_loan_profile *out);

/* Fills txns (room for SL_GEN_LOAN_MAX_TXNS) with the transactions of the
 * applicant of row `row` and returns how many (0 or more), in time
 * order. */
int sl_gen_loan_txns_of(const sl_gen_loan_file *f, int64_t row,
                        uint64_t seed, int64_t start_ms, int64_t step_ms,
                        sl_gen_loan_txn *txns);

/* Orders transactions by time, then id (a qsort comparator). */
int sl_gen_loan_txn_compare(const void *a, const void *b);

/* The event time of application `row`. */
int64_t sl_gen_loan_applied_at(int64_t row, int64_t start_ms,
                               int64_t step_ms);

/* Appends ms as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
sl_status sl_gen_loan_iso8601(sl_strbuf *out, int64_t ms);

#endif
