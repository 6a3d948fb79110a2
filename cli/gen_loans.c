/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_loans.c - `sluice gen applications` and `sluice gen loans`: the
 * replayer and the side data of the loan pricing use case.
 *
 * `applications` produces rows of a loans file (gen_loans.h) to a topic
 * as JSON applications, keyed by application id, in file order, at an
 * optional rate; a slice of the file replays part of the history.
 * `loans` writes the side tables a lender would hold about the same
 * applicants (credit scores, previous engagements) as CSV files for LOAD,
 * and produces their card transactions to a topic.  Both print a summary
 * to standard error; SIGINT or SIGTERM stops early, after the records
 * already queued are acknowledged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/gen.h"
#include "cli/gen_loans.h"
#include "cli/gen_sink.h"
#include "engine/common/log.h"
#include "engine/types/time.h"

#define DEFAULT_STEP_MS 10000
#define HOUR_MS INT64_C(3600000)

static const char applications_help[] =
    "Usage: sluice gen applications --file F [options]\n"
    "\n"
    "Replays the loans of CSV file F (header row, comma-separated, no\n"
    "quoting; ../shared/data/lending_club.csv) as loan applications: data\n"
    "row N becomes application N of applicant 1000000 + N, applied at\n"
    "START + (N - 1) * STEP.  Each is one JSON object keyed by its\n"
    "application id: application_id, applicant_id, applied_at, then the\n"
    "file's columns under their lower-cased names.\n"
    "\n"
    "  --file F           the loans file (required)\n"
    "  --topic T          the topic to write (default applications)\n"
    "  --from-row N       first row to replay: a row number (from 1) or\n"
    "                     P% to start after the first P% of the rows\n"
    "                     (default 1)\n"
    "  --rows N           rows to replay: a number or P% of the file\n"
    "                     (default: to the end)\n"
    "  --no-outcome       leave the class column out, as a new application\n"
    "                     has no outcome yet\n"
    "  --rate R           at most R applications per second (default: no\n"
    "                     limit)\n"
    "  --start TIME       event time of row 1, ISO 8601 or \"now\"\n"
    "                     (default: the file's last row falls on the\n"
    "                     current hour)\n"
    "  --step MS          event time between rows (default 10000)\n"
    "  --brokers LIST     Kafka bootstrap servers (or SLUICE_BROKERS);\n"
    "                     required\n"
    "  --kafka-config F   librdkafka properties, one key=value a line\n"
    "  --log-level LEVEL  error, warn (default), info or debug\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit codes: 0 all records acknowledged, 2 usage error, 3 unreadable\n"
    "file or broker failure.  See docs/loan.md.\n";

static const char loans_help[] =
    "Usage: sluice gen loans --file F [options]\n"
    "\n"
    "Writes the side data of the applicants of `sluice gen applications`\n"
    "(same file, same ids): DIR/credit_scores.csv (applicant_id,\n"
    "credit_score), DIR/engagements.csv (applicant_id, previous_loans,\n"
    "previous_defaults, customer_months; only applicants with previous\n"
    "loans) and, with --topic, their card transactions in the 90 days\n"
    "before each application (JSON: txn_id, applicant_id, kind, amount,\n"
    "at), keyed by applicant id, in event-time order.  The same seed\n"
    "gives the same data; the values are drawn around each loan's\n"
    "sub-grade and outcome (docs/loan.md).\n"
    "\n"
    "  --file F           the loans file (required)\n"
    "  --dir D            where to write the CSV files, created when\n"
    "                     missing (default .)\n"
    "  --topic T          produce the transactions to topic T\n"
    "  --credit-file C    also copy the applications of a second\n"
    "                     population (../shared/data/credit_data.csv) to\n"
    "                     DIR/credit_applications.csv with an id column\n"
    "                     counting its rows from 1 and lower-cased names\n"
    "  --from-row N, --rows N\n"
    "                     the applicants to cover, as for applications\n"
    "                     (default: all)\n"
    "  --seed S           seed of the side data (default 1)\n"
    "  --rate R           at most R transactions per second\n"
    "  --start TIME, --step MS\n"
    "                     the application times, as for applications\n"
    "  --brokers LIST     Kafka bootstrap servers (or SLUICE_BROKERS);\n"
    "                     required with --topic\n"
    "  --kafka-config F   librdkafka properties, one key=value a line\n"
    "  --log-level LEVEL  error, warn (default), info or debug\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit codes: 0 done, 2 usage error, 3 unreadable file, unwritable\n"
    "directory or broker failure.\n";

typedef enum loan_kind { KIND_APPLICATIONS, KIND_LOANS } loan_kind;

typedef struct loan_args {
  loan_kind kind;
  const char *name;       /* the kind's name, for messages */
  const char *file;
  const char *credit_file;
  const char *topic;
  const char *dir;
  const char *from_text;
  const char *rows_text;
  const char *brokers;
  const char *kafka_config;
  bool with_outcome;
  double rate;
  uint64_t seed;
  int64_t start_ms;
  int64_t step_ms;
} loan_args;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

/* ---- Options ------------------------------------------------------------- */

static int usage(const loan_args *a, const char *fmt, const char *arg) {
  fprintf(stderr, "sluice gen %s: ", a->name);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return 2;
}

static bool parse_start(const char *text, int64_t *out) {
  if (strcmp(text, "now") == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *out = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return true;
  }
  sl_error err;
  return sl_time_parse_iso8601(text, strlen(text), out, &err) == SL_OK;
}

/* Parses argv into a (whose kind and name are set); returns -1 to go on,
 * else an exit code. */
static int parse_args(int argc, char **argv, loan_args *a) {
  enum {
    OPT_FILE = 256, OPT_TOPIC, OPT_DIR, OPT_FROM, OPT_ROWS, OPT_NO_OUTCOME,
    OPT_RATE, OPT_SEED, OPT_START, OPT_STEP, OPT_BROKERS, OPT_KAFKA_CONFIG,
    OPT_LOG_LEVEL, OPT_CREDIT_FILE
  };
  static const struct option options[] = {
      {"file", required_argument, NULL, OPT_FILE},
      {"topic", required_argument, NULL, OPT_TOPIC},
      {"dir", required_argument, NULL, OPT_DIR},
      {"credit-file", required_argument, NULL, OPT_CREDIT_FILE},
      {"from-row", required_argument, NULL, OPT_FROM},
      {"rows", required_argument, NULL, OPT_ROWS},
      {"no-outcome", no_argument, NULL, OPT_NO_OUTCOME},
      {"rate", required_argument, NULL, OPT_RATE},
      {"seed", required_argument, NULL, OPT_SEED},
      {"start", required_argument, NULL, OPT_START},
      {"step", required_argument, NULL, OPT_STEP},
      {"brokers", required_argument, NULL, OPT_BROKERS},
      {"kafka-config", required_argument, NULL, OPT_KAFKA_CONFIG},
      {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};

  bool apps = a->kind == KIND_APPLICATIONS;
  a->topic = apps ? "applications" : NULL;
  a->dir = ".";
  a->with_outcome = true;
  a->seed = 1;
  a->step_ms = DEFAULT_STEP_MS;
  a->start_ms = INT64_MIN;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    char *end;
    sl_log_level level;
    switch (c) {
    case 'h':
      fputs(apps ? applications_help : loans_help, stdout);
      return 0;
    case OPT_FILE: a->file = optarg; break;
    case OPT_TOPIC: a->topic = optarg; break;
    case OPT_FROM: a->from_text = optarg; break;
    case OPT_ROWS: a->rows_text = optarg; break;
    case OPT_BROKERS: a->brokers = optarg; break;
    case OPT_KAFKA_CONFIG: a->kafka_config = optarg; break;
    case OPT_DIR:
      if (apps)
        return usage(a, "%s", "--dir belongs to sluice gen loans");
      a->dir = optarg;
      break;
    case OPT_CREDIT_FILE:
      if (apps)
        return usage(a, "%s", "--credit-file belongs to sluice gen loans");
      a->credit_file = optarg;
      break;
    case OPT_SEED:
      if (apps)
        return usage(a, "%s", "--seed belongs to sluice gen loans: "
                     "applications are the file's rows");
      errno = 0;
      a->seed = (uint64_t)strtoll(optarg, &end, 10);
      if (errno || end == optarg || *end)
        return usage(a, "--seed expects an integer, got \"%s\"", optarg);
      break;
    case OPT_NO_OUTCOME:
      if (!apps)
        return usage(a, "%s", "--no-outcome belongs to sluice gen "
                     "applications");
      a->with_outcome = false;
      break;
    case OPT_RATE:
      errno = 0;
      a->rate = strtod(optarg, &end);
      if (errno || end == optarg || *end || !isfinite(a->rate) ||
          a->rate <= 0)
        return usage(a, "--rate expects records per second above 0, got "
                     "\"%s\"", optarg);
      break;
    case OPT_START:
      if (!parse_start(optarg, &a->start_ms))
        return usage(a, "--start expects an ISO 8601 time or \"now\", got "
                     "\"%s\"", optarg);
      break;
    case OPT_STEP:
      errno = 0;
      a->step_ms = strtoll(optarg, &end, 10);
      if (errno || end == optarg || *end || a->step_ms < 0)
        return usage(a, "--step expects milliseconds (0 or more), got "
                     "\"%s\"", optarg);
      break;
    case OPT_LOG_LEVEL:
      if (!sl_log_parse_level(optarg, &level))
        return usage(a, "unknown log level \"%s\"; expected error, warn, "
                     "info or debug", optarg);
      sl_log_set_level(level);
      break;
    case ':':
      return usage(a, "option %s needs a value", argv[optind - 1]);
    default:
      return usage(a, "unknown option \"%s\"; see --help",
                   argv[optind - 1]);
    }
  }
  if (optind < argc)
    return usage(a, "unexpected argument \"%s\"", argv[optind]);
  if (!a->file)
    return usage(a, "%s", "--file is required");
  if (a->topic && !*a->topic)
    return usage(a, "%s", "--topic must name a topic");
  return -1;
}

/* Resolves the slice of f; returns -1 to go on, else an exit code. */
static int resolve_slice(const loan_args *a, const sl_gen_loan_file *f,
                         int64_t *first, int64_t *last) {
  *first = 1;
  if (a->from_text && !sl_gen_loan_parse_from(f, a->from_text, first))
    return usage(a, "--from-row expects a row number within the file or "
                 "a percentage, got \"%s\"", a->from_text);
  int64_t rows = f->nrows - *first + 1;
  if (a->rows_text) {
    int64_t want;
    if (!sl_gen_loan_parse_rows(f, a->rows_text, &want))
      return usage(a, "--rows expects a number of rows or a percentage, "
                   "got \"%s\"", a->rows_text);
    rows = want < rows ? want : rows;
  }
  *last = *first + rows - 1;
  return -1;
}

/* ---- Producing ----------------------------------------------------------- */

/* What produce() sends: rows first .. first + count - 1 of the file as
 * applications, or, with txns, count transactions. */
typedef struct record_source {
  const loan_args *args;
  const sl_gen_loan_file *file;
  const sl_gen_loan_txn *txns;  /* transactions, or NULL for applications */
  int64_t first, count;
} record_source;

static sl_status encode_record(const record_source *src, int64_t i,
                               sl_strbuf *key, sl_strbuf *value) {
  const loan_args *a = src->args;
  if (!src->txns) {
    int64_t row = src->first + i;
    sl_strbuf_appendf(key, "%" PRId64, row);
    return sl_gen_loan_application_json(src->file, row, a->start_ms,
                                        a->step_ms, a->with_outcome, value);
  }
  const sl_gen_loan_txn *t = &src->txns[i];
  sl_strbuf_appendf(key, "%" PRId64, t->applicant_id);
  sl_strbuf_appendf(value, "{\"txn_id\":%" PRId64 ",\"applicant_id\":%"
                    PRId64 ",\"kind\":\"%s\",\"amount\":%.2f,\"at\":\"",
                    t->txn_id, t->applicant_id, t->kind, t->amount);
  sl_gen_loan_iso8601(value, t->at_ms);
  sl_strbuf_appends(value, "\"}");
  return value->failed || key->failed ? SL_ERR_NOMEM : SL_OK;
}

/* Opens the sink of a->topic.  It is opened before anything is written,
 * so that a missing broker is a usage error that leaves no files. */
static sl_status open_sink(const loan_args *a, sl_gen_sink **sink,
                           sl_error *err) {
  sl_gen_sink_options sopts = {a->brokers, a->kafka_config, a->topic,
                               a->rate};
  return sl_gen_sink_open(&sopts, sink, err);
}

/* Produces src's records through sink (to a->topic), waits for their
 * acknowledgement and prints a summary naming what.  The sink stays the
 * caller's. */
static sl_status produce(const record_source *src, const char *what,
                         sl_gen_sink *sink, sl_error *err) {
  const loan_args *a = src->args;
  sl_status rc = SL_OK;

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  sl_strbuf key, value;
  sl_strbuf_init(&key);
  sl_strbuf_init(&value);
  for (int64_t i = 0; i < src->count && rc == SL_OK && !stop_requested;
       i++) {
    sl_strbuf_reset(&key);
    sl_strbuf_reset(&value);
    if (encode_record(src, i, &key, &value)) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      break;
    }
    rc = sl_gen_sink_send(sink, key.data, key.len, value.data, value.len,
                          0, err);
  }
  sl_strbuf_free(&key);
  sl_strbuf_free(&value);

  /* Whatever was queued is acknowledged (or reported) before exit. */
  sl_error flush_err;
  sl_error_clear(&flush_err);
  if (sl_gen_sink_finish(sink, &flush_err) && rc == SL_OK) {
    *err = flush_err;
    rc = err->code;
  }
  sl_gen_sink_stats st;
  sl_gen_sink_stats_get(sink, &st);
  fprintf(stderr, "sluice gen %s: %" PRId64 " %s to topic \"%s\" in %.2f s "
          "(%.0f records/s)", a->name, st.delivered, what, a->topic,
          st.seconds, st.seconds > 0 ? (double)st.delivered / st.seconds
                                     : 0.0);
  if (stop_requested && st.sent < src->count)
    fprintf(stderr, "; stopped after %" PRId64 " of %" PRId64, st.sent,
            src->count);
  fputc('\n', stderr);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  return rc;
}

/* ---- Side tables --------------------------------------------------------- */

/* Writes DIR/credit_scores.csv and DIR/engagements.csv for rows
 * first..last. */
static sl_status write_tables(const loan_args *a, const sl_gen_loan_file *f,
                              int64_t first, int64_t last, sl_error *err) {
  size_t n = strlen(a->dir) + 32;
  char *scores_path = malloc(n), *engage_path = malloc(n);
  FILE *scores = NULL, *engage = NULL;
  sl_status rc = SL_OK;
  if (!scores_path || !engage_path) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    goto done;
  }
  if (mkdir(a->dir, 0777) != 0 && errno != EEXIST) {
    rc = sl_error_set(err, SL_ERR_IO, "cannot create \"%s\": %s", a->dir,
                      strerror(errno));
    goto done;
  }
  snprintf(scores_path, n, "%s/credit_scores.csv", a->dir);
  snprintf(engage_path, n, "%s/engagements.csv", a->dir);
  scores = fopen(scores_path, "w");
  engage = scores ? fopen(engage_path, "w") : NULL;
  if (!scores || !engage) {
    rc = sl_error_set(err, SL_ERR_IO, "cannot write \"%s\": %s",
                      scores ? engage_path : scores_path, strerror(errno));
    goto done;
  }

  fputs("applicant_id,credit_score\n", scores);
  fputs("applicant_id,previous_loans,previous_defaults,customer_months\n",
        engage);
  int64_t engaged = 0;
  for (int64_t row = first; row <= last; row++) {
    sl_gen_loan_profile p;
    sl_gen_loan_profile_of(f, row, a->seed, &p);
    int64_t id = SL_GEN_LOAN_APPLICANT_BASE + row;
    fprintf(scores, "%" PRId64 ",%d\n", id, p.credit_score);
    if (p.previous_loans > 0) {
      fprintf(engage, "%" PRId64 ",%d,%d,%d\n", id, p.previous_loans,
              p.previous_defaults, p.customer_months);
      engaged++;
    }
  }
  if (ferror(scores) || ferror(engage))
    rc = sl_error_set(err, SL_ERR_IO, "cannot write the tables in \"%s\"",
                      a->dir);
  else
    fprintf(stderr, "sluice gen loans: %" PRId64 " credit scores to %s, %"
            PRId64 " engagements to %s (seed %" PRIu64 ")\n",
            last - first + 1, scores_path, engaged, engage_path, a->seed);

done:
  if (scores && fclose(scores) && rc == SL_OK)
    rc = sl_error_set(err, SL_ERR_IO, "cannot write \"%s\"", scores_path);
  if (engage && fclose(engage) && rc == SL_OK)
    rc = sl_error_set(err, SL_ERR_IO, "cannot write \"%s\"", engage_path);
  free(scores_path);
  free(engage_path);
  return rc;
}

/* Copies the second population f (read from a->credit_file) to
 * DIR/credit_applications.csv with an id column in front. */
static sl_status write_credit(const loan_args *a, const sl_gen_loan_file *f,
                              sl_error *err) {
  sl_status rc = SL_OK;
  size_t n = strlen(a->dir) + 32;
  char *path = malloc(n);
  FILE *out = NULL;
  if (!path)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  snprintf(path, n, "%s/credit_applications.csv", a->dir);
  if (!(out = fopen(path, "w"))) {
    rc = sl_error_set(err, SL_ERR_IO, "cannot write \"%s\": %s", path,
                      strerror(errno));
    goto done;
  }

  fputs("id", out);
  for (int c = 0; c < f->ncols; c++)
    fprintf(out, ",%s", f->names[c]);
  fputc('\n', out);
  for (int64_t row = 1; row <= f->nrows; row++) {
    fprintf(out, "%" PRId64, row);
    for (int c = 0; c < f->ncols; c++)
      fprintf(out, ",%s", sl_gen_loan_field(f, row, c));
    fputc('\n', out);
  }
  if (fclose(out) != 0)
    rc = sl_error_set(err, SL_ERR_IO, "cannot write \"%s\"", path);
  else
    fprintf(stderr, "sluice gen loans: %" PRId64 " applications of %s to "
            "%s\n", f->nrows, a->credit_file, path);

done:
  free(path);
  return rc;
}

/* Produces the transactions of rows first..last in event-time order
 * through sink. */
static sl_status produce_txns(const loan_args *a, const sl_gen_loan_file *f,
                              int64_t first, int64_t last, sl_gen_sink *sink,
                              sl_error *err) {
  size_t room = (size_t)(last - first + 1) * SL_GEN_LOAN_MAX_TXNS;
  sl_gen_loan_txn *txns = malloc((room ? room : 1) * sizeof(*txns));
  if (!txns)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  int64_t n = 0;
  for (int64_t row = first; row <= last; row++)
    n += sl_gen_loan_txns_of(f, row, a->seed, a->start_ms, a->step_ms,
                             txns + n);
  qsort(txns, (size_t)n, sizeof(*txns), sl_gen_loan_txn_compare);

  record_source src = {a, f, txns, first, n};
  sl_status rc = produce(&src, "transactions", sink, err);
  free(txns);
  return rc;
}

/* ---- The kinds ----------------------------------------------------------- */

/* What a kind needs before it writes anything: the loans file, the
 * second population, the sink.  Every part is NULL or empty until set. */
typedef struct loan_inputs {
  sl_gen_loan_file loans;
  sl_gen_loan_file credit;
  bool have_loans, have_credit;
  sl_gen_sink *sink;
} loan_inputs;

static void inputs_free(loan_inputs *in) {
  if (in->have_loans)
    sl_gen_loan_file_free(&in->loans);
  if (in->have_credit)
    sl_gen_loan_file_free(&in->credit);
  sl_gen_sink_free(in->sink);
}

/* Reads the files, resolves the slice and opens the sink, in that order;
 * returns -1 to go on, else an exit code (the error reported). */
static int open_inputs(loan_args *a, loan_inputs *in, int64_t *first,
                       int64_t *last) {
  sl_error err;
  sl_error_clear(&err);
  if (sl_gen_loan_file_read(a->file, &in->loans, &err))
    return sl_gen_report(a->name, &err);
  in->have_loans = true;
  /* Recent event times by default: output records carry them, and a
   * broker's time-based retention deletes old ones. */
  if (a->start_ms == INT64_MIN) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t hour = (int64_t)now.tv_sec * 1000 / HOUR_MS * HOUR_MS;
    a->start_ms = hour - (in->loans.nrows - 1) * a->step_ms;
  }
  int code = resolve_slice(a, &in->loans, first, last);
  if (code >= 0)
    return code;
  if (a->credit_file) {
    if (sl_gen_loan_file_read(a->credit_file, &in->credit, &err))
      return sl_gen_report(a->name, &err);
    in->have_credit = true;
  }
  if (a->topic && open_sink(a, &in->sink, &err))
    return sl_gen_report(a->name, &err);
  return -1;
}

static int run_kind(loan_args *a, int argc, char **argv) {
  sl_log_set_level(SL_LOG_WARN);
  int code = parse_args(argc, argv, a);
  if (code >= 0)
    return code;

  /* Every input is checked before the first file or record is written:
   * a usage error or an unreadable file leaves nothing behind. */
  loan_inputs in = {.sink = NULL};
  int64_t first = 0, last = -1;
  code = open_inputs(a, &in, &first, &last);
  if (code >= 0) {
    inputs_free(&in);
    return code;
  }

  sl_error err;
  sl_error_clear(&err);
  sl_status rc = SL_OK;
  if (a->kind == KIND_APPLICATIONS) {
    record_source src = {a, &in.loans, NULL, first, last - first + 1};
    rc = produce(&src, "applications", in.sink, &err);
    if (rc == SL_OK)
      fprintf(stderr, "sluice gen applications: rows %" PRId64 "..%" PRId64
              " of %" PRId64 " from %s%s\n", first, last, in.loans.nrows,
              a->file, a->with_outcome ? "" : ", without outcome");
  } else {
    rc = write_tables(a, &in.loans, first, last, &err);
    if (rc == SL_OK && in.have_credit)
      rc = write_credit(a, &in.credit, &err);
    if (rc == SL_OK && in.sink)
      rc = produce_txns(a, &in.loans, first, last, in.sink, &err);
  }
  inputs_free(&in);
  return rc ? sl_gen_report(a->name, &err) : 0;
}

int sl_gen_applications(int argc, char **argv) {
  loan_args a = {.kind = KIND_APPLICATIONS, .name = "applications"};
  return run_kind(&a, argc, argv);
}

int sl_gen_loans(int argc, char **argv) {
  loan_args a = {.kind = KIND_LOANS, .name = "loans"};
  return run_kind(&a, argc, argv);
}
