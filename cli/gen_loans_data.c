/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_loans_data.c - reading the loans file, encoding applications, and
 * drawing each applicant's synthetic side data (gen_loans.h).
 *
 * Every draw for an applicant comes from a PRNG seeded by the run's seed
 * and the row alone, never from a stream shared across rows: replaying a
 * slice, or writing the side tables for the whole file, gives each
 * applicant the same values.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gen_loans.h"
#include "cli/gen_rand.h"
#include "engine/types/time.h"

#define DAY_MS INT64_C(86400000)
#define PI 3.14159265358979323846

/* ---- Reading the file ---------------------------------------------------- */

/* True when s is a number as JSON writes one:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, so that it can be
 * copied into a record as it is. */
static bool is_number(const char *s) {
  if (*s == '-')
    s++;
  if (*s == '0') {
    s++;
  } else if (isdigit((unsigned char)*s)) {
    while (isdigit((unsigned char)*s))
      s++;
  } else {
    return false;
  }
  if (*s == '.') {
    if (!isdigit((unsigned char)*++s))
      return false;
    while (isdigit((unsigned char)*s))
      s++;
  }
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!isdigit((unsigned char)*s))
      return false;
    while (isdigit((unsigned char)*s))
      s++;
  }
  return *s == '\0';
}

static sl_status read_all(const char *path, char **text, sl_error *err) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return sl_error_set(err, SL_ERR_IO, "cannot open \"%s\": %s", path,
                        strerror(errno));
  sl_strbuf sb;
  sl_strbuf_init(&sb);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
    sl_strbuf_append(&sb, buf, n);
  bool bad = ferror(fp) != 0;
  fclose(fp);
  if (bad || sb.failed) {
    sl_strbuf_free(&sb);
    return bad ? sl_error_set(err, SL_ERR_IO, "cannot read \"%s\"", path)
               : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  sl_strbuf_appendc(&sb, '\0');
  *text = sl_strbuf_detach(&sb, NULL);
  return *text ? SL_OK : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
}

/* Cuts line (NUL-terminated) at commas into cells[0..max); returns the
 * number of fields, or -1 for a quote, which this reader does not take. */
static int split_line(char *line, char **cells, int max) {
  int n = 0;
  char *p = line;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    if (strchr(p, '"'))
      return -1;
    if (n < max)
      cells[n] = p;
    n++;
    if (!comma)
      return n;
    p = comma + 1;
  }
}

/* The next line of *cursor, NUL-terminated, its '\r' dropped; NULL at
 * the end. */
static char *next_line(char **cursor) {
  char *line = *cursor;
  if (!*line)
    return NULL;
  char *nl = strchr(line, '\n');
  if (nl) {
    *nl = '\0';
    *cursor = nl + 1;
  } else {
    *cursor = line + strlen(line);
  }
  size_t len = strlen(line);
  if (len && line[len - 1] == '\r')
    line[len - 1] = '\0';
  return line;
}

static int count_lines(const char *text) {
  int n = 1;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

sl_status sl_gen_loan_file_read(const char *path, sl_gen_loan_file *out,
                                sl_error *err) {
  memset(out, 0, sizeof(*out));
  out->class_col = out->grade_col = -1;
  sl_status rc = read_all(path, &out->text, err);
  if (rc)
    return rc;

  /* The header names the columns. */
  char *cursor = out->text;
  char *header = next_line(&cursor);
  int ncols = header && *header ? split_line(header, NULL, 0) : 0;
  if (ncols <= 0) {
    rc = sl_error_set_file(err, SL_ERR_IO, path, 1, "expected a header row "
                           "of comma-separated names without quotes");
    goto fail;
  }
  out->ncols = ncols;
  out->names = calloc((size_t)ncols, sizeof(*out->names));
  out->numeric = calloc((size_t)ncols, sizeof(*out->numeric));
  int max_rows = count_lines(cursor);
  out->fields = calloc((size_t)max_rows * (size_t)ncols, sizeof(char *));
  if (!out->names || !out->numeric || !out->fields) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    goto fail;
  }
  /* split_line cut the header in place already; walk its pieces. */
  char *p = header;
  for (int c = 0; c < ncols; c++) {
    out->names[c] = p;
    for (char *q = p; *q; q++)
      *q = (char)tolower((unsigned char)*q);
    if (strcmp(p, "class") == 0)
      out->class_col = c;
    else if (strcmp(p, "sub_grade") == 0)
      out->grade_col = c;
    p += strlen(p) + 1;
  }

  /* Every data row has as many fields; blank lines are skipped. */
  for (int c = 0; c < ncols; c++)
    out->numeric[c] = true;
  int line_no = 1;
  char *line;
  while ((line = next_line(&cursor)) != NULL) {
    line_no++;
    if (!*line)
      continue;
    char **cells = out->fields + out->nrows * ncols;
    int n = split_line(line, cells, ncols);
    if (n != ncols) {
      rc = n < 0 ? sl_error_set_file(err, SL_ERR_IO, path, line_no,
                                     "quoted fields are not supported")
                 : sl_error_set_file(err, SL_ERR_IO, path, line_no,
                                     "expected %d fields, found %d", ncols,
                                     n);
      goto fail;
    }
    for (int c = 0; c < ncols; c++) {
      if (*cells[c] && !is_number(cells[c]))
        out->numeric[c] = false;
    }
    out->nrows++;
  }
  if (out->nrows == 0) {
    rc = sl_error_set_file(err, SL_ERR_IO, path, line_no,
                           "no data rows after the header");
    goto fail;
  }
  return SL_OK;

fail:
  sl_gen_loan_file_free(out);
  return rc;
}

void sl_gen_loan_file_free(sl_gen_loan_file *f) {
  free(f->text);
  free(f->names);
  free(f->numeric);
  free(f->fields);
  memset(f, 0, sizeof(*f));
  f->class_col = f->grade_col = -1;
}

const char *sl_gen_loan_field(const sl_gen_loan_file *f, int64_t row,
                              int col) {
  return f->fields[(row - 1) * f->ncols + col];
}

/* Parses "N" or "P%"; *percent says which. */
static bool parse_amount(const char *text, double *value, bool *percent) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || !isfinite(v) || v < 0)
    return false;
  *percent = *end == '%';
  if (*percent)
    end++;
  if (*end || (*percent && v > 100) || (!*percent && v != floor(v)))
    return false;
  *value = v;
  return true;
}

bool sl_gen_loan_parse_from(const sl_gen_loan_file *f, const char *text,
                            int64_t *row) {
  double v;
  bool percent;
  if (!parse_amount(text, &v, &percent))
    return false;
  int64_t r = percent ? (int64_t)floor((double)f->nrows * v / 100.0) + 1
                      : (int64_t)v;
  if (r < 1 || r > f->nrows)
    return false;
  *row = r;
  return true;
}

bool sl_gen_loan_parse_rows(const sl_gen_loan_file *f, const char *text,
                            int64_t *rows) {
  double v;
  bool percent;
  if (!parse_amount(text, &v, &percent))
    return false;
  *rows = percent ? (int64_t)floor((double)f->nrows * v / 100.0)
                  : (int64_t)v;
  return true;
}

/* ---- Applications -------------------------------------------------------- */

int64_t sl_gen_loan_applied_at(int64_t row, int64_t start_ms,
                               int64_t step_ms) {
  return start_ms + (row - 1) * step_ms;
}

sl_status sl_gen_loan_iso8601(sl_strbuf *out, int64_t ms) {
  sl_time_parts t;
  sl_time_split(ms, &t);
  return sl_strbuf_appendf(out, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d."
                           "%03dZ", t.year, t.month, t.day, t.hour,
                           t.minute, t.second, t.ms);
}

/* Appends s as a JSON string. */
static void append_json_string(sl_strbuf *out, const char *s) {
  sl_strbuf_appendc(out, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      sl_strbuf_appendc(out, '\\');
      sl_strbuf_appendc(out, (char)c);
    } else if (c < 0x20) {
      sl_strbuf_appendf(out, "\\u%04x", c);
    } else {
      sl_strbuf_appendc(out, (char)c);
    }
  }
  sl_strbuf_appendc(out, '"');
}

sl_status sl_gen_loan_application_json(const sl_gen_loan_file *f,
                                       int64_t row, int64_t start_ms,
                                       int64_t step_ms, bool with_outcome,
                                       sl_strbuf *out) {
  sl_strbuf_appendf(out, "{\"application_id\":%" PRId64 ",\"applicant_id\":"
                    "%" PRId64 ",\"applied_at\":\"", row,
                    SL_GEN_LOAN_APPLICANT_BASE + row);
  sl_gen_loan_iso8601(out, sl_gen_loan_applied_at(row, start_ms, step_ms));
  sl_strbuf_appendc(out, '"');
  for (int c = 0; c < f->ncols; c++) {
    if (c == f->class_col && !with_outcome)
      continue;
    const char *v = sl_gen_loan_field(f, row, c);
    sl_strbuf_appendc(out, ',');
    append_json_string(out, f->names[c]);
    sl_strbuf_appendc(out, ':');
    if (!*v)
      sl_strbuf_appends(out, "null");
    else if (f->numeric[c])
      sl_strbuf_appends(out, v);
    else
      append_json_string(out, v);
  }
  sl_strbuf_appendc(out, '}');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

/* ---- Side data ----------------------------------------------------------- */

/* The row's risk in [0, 1] from its sub-grade (A1 = 0 ... G5 = 1; 0.5
 * when the file has none), and whether the loan ended badly. */
static double row_risk(const sl_gen_loan_file *f, int64_t row, bool *bad) {
  *bad = f->class_col >= 0 &&
         strcmp(sl_gen_loan_field(f, row, f->class_col), "bad") == 0;
  if (f->grade_col < 0)
    return 0.5;
  const char *g = sl_gen_loan_field(f, row, f->grade_col);
  if (g[0] < 'A' || g[0] > 'G' || g[1] < '1' || g[1] > '5' || g[2])
    return 0.5;
  return ((g[0] - 'A') * 5 + (g[1] - '1')) / 34.0;
}

/* The PRNG of one applicant and one kind of draw. */
static void row_rand(sl_gen_rand *r, uint64_t seed, int64_t row,
                     uint64_t stream) {
  uint64_t s = seed ^ (stream * UINT64_C(0x9E3779B97F4A7C15));
  uint64_t mix = sl_gen_splitmix64(&s) ^ (uint64_t)row;
  sl_gen_rand_seed(r, sl_gen_splitmix64(&mix));
}

/* A standard normal variate (Box-Muller). */
static double normal(sl_gen_rand *r) {
  double u = 1.0 - sl_gen_rand_unit(r); /* (0, 1] */
  double v = sl_gen_rand_unit(r);
  return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

void sl_gen_loan_profile_of(const sl_gen_loan_file *f, int64_t row,
                            uint64_t seed, sl_gen_loan_profile *out) {
  bool bad;
  double risk = row_risk(f, row, &bad);
  sl_gen_rand r;
  row_rand(&r, seed, row, 1);

  /* Bureau score: 820 for the best grade, 220 lower for the worst, 40
   * lower again for a loan that went bad, noise of 35 points. */
  double score = 820.0 - 220.0 * risk - (bad ? 40.0 : 0.0) + 35.0 * normal(&r);
  score = score < 300 ? 300 : score > 850 ? 850 : score;
  out->credit_score = (int)lround(score);

  /* Previous loans with the lender, each defaulted with a probability
   * that grows with the risk. */
  out->previous_loans = (int)sl_gen_rand_below(&r, 5);
  double p_default = 0.04 + 0.12 * risk + (bad ? 0.20 : 0.0);
  out->previous_defaults = 0;
  for (int i = 0; i < out->previous_loans; i++)
    out->previous_defaults += sl_gen_rand_unit(&r) < p_default;
  out->customer_months =
      out->previous_loans ? 6 + (int)sl_gen_rand_below(&r, 115) : 0;
}

int sl_gen_loan_txn_compare(const void *a, const void *b) {
  const sl_gen_loan_txn *x = a, *y = b;
  if (x->at_ms != y->at_ms)
    return x->at_ms < y->at_ms ? -1 : 1;
  return x->txn_id < y->txn_id ? -1 : x->txn_id > y->txn_id;
}

int sl_gen_loan_txns_of(const sl_gen_loan_file *f, int64_t row,
                        uint64_t seed, int64_t start_ms, int64_t step_ms,
                        sl_gen_loan_txn *txns) {
  bool bad;
  double risk = row_risk(f, row, &bad);
  sl_gen_rand r;
  row_rand(&r, seed, row, 2);
  int64_t applied = sl_gen_loan_applied_at(row, start_ms, step_ms);
  int n = (int)sl_gen_rand_below(&r, SL_GEN_LOAN_MAX_TXNS + 1);

  /* Overdraft fees and cash advances are likelier for riskier
   * applicants; the rest are purchases of a log-normal amount. */
  double p_overdraft = 0.03 + 0.10 * risk + (bad ? 0.12 : 0.0);
  double p_cash = 0.05 + 0.05 * risk + (bad ? 0.05 : 0.0);
  for (int i = 0; i < n; i++) {
    sl_gen_loan_txn *t = &txns[i];
    t->txn_id = row * 100 + i;
    t->applicant_id = SL_GEN_LOAN_APPLICANT_BASE + row;
    double u = sl_gen_rand_unit(&r);
    double amount;
    if (u < p_overdraft) {
      t->kind = "overdraft_fee";
      amount = 35.0;
    } else if (u < p_overdraft + p_cash) {
      t->kind = "cash_advance";
      amount = 50.0 * (double)(1 + sl_gen_rand_below(&r, 10));
    } else {
      t->kind = "purchase";
      amount = exp(3.2 + normal(&r));
    }
    t->amount = round(amount * 100.0) / 100.0;
    /* At least a minute and at most the history before applying. */
    uint64_t span = (uint64_t)(SL_GEN_LOAN_HISTORY_DAYS * DAY_MS - 60000);
    t->at_ms = applied - 60000 - (int64_t)sl_gen_rand_below(&r, span);
  }
  qsort(txns, (size_t)n, sizeof(*txns), sl_gen_loan_txn_compare);
  return n;
}
