/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_payments_cmd.c - `sluice gen payments`: the payment world of
 * gen_payments.h on two Kafka topics, or in CSV files for LOAD.
 *
 * With brokers the payments and chargebacks go, merged in event time, to
 * the topics PREFIXpayments and PREFIXchargebacks, keyed by card, each
 * record stamped with the time it was produced (the event time is the
 * `ts` field), at an optional rate.  With --csv DIR they go to
 * DIR/payments.csv and DIR/chargebacks.csv instead, and --split TIME puts
 * the payments from TIME on in DIR/live.csv.  The lookup tables
 * (merchants, customers) and the ground truth of the fraud are files in
 * either case.  A summary goes to standard error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gen.h"
#include "cli/gen_payments.h"
#include "cli/gen_sink.h"
#include "engine/common/log.h"
#include "engine/types/time.h"

#define DEFAULT_START "2025-03-01T00:00:00Z"
#define PATH_CAP 4096

static const char payments_help[] =
    "Usage: sluice gen payments [--brokers LIST | --csv DIR] [options]\n"
    "\n"
    "Generates card payments with labelled fraud: customers with a home\n"
    "and a spending habit, merchants with a category, a place and a risk\n"
    "score, a daily rhythm, and four fraud scenarios (card testing, a\n"
    "compromised merchant, account takeover, impossible travel).  Most\n"
    "fraud is charged back 1 to 7 days later in event time.  The same\n"
    "options give the same data.\n"
    "\n"
    "  --count N            payments, fraud included (default 20000)\n"
    "  --days D             days of payments (default 7)\n"
    "  --start TIME         event time of the first day, ISO 8601\n"
    "                       (default " DEFAULT_START ")\n"
    "  --seed S             seed of the generator (default 1)\n"
    "  --brokers LIST       write the topics PREFIXpayments and\n"
    "                       PREFIXchargebacks (or SLUICE_BROKERS)\n"
    "  --prefix P           topic name prefix (default none)\n"
    "  --rate R             at most R records per second (default: no\n"
    "                       limit)\n"
    "  --kafka-config F     librdkafka properties, one key=value a line\n"
    "  --csv DIR            write DIR/payments.csv and DIR/chargebacks.csv\n"
    "                       instead of topics\n"
    "  --split TIME         with --csv: payments from TIME on go to\n"
    "                       DIR/live.csv\n"
    "  --merchants-csv F    write the merchants table to F\n"
    "  --customers-csv F    write the customers table to F\n"
    "  --truth F            write the fraudulent payments and their\n"
    "                       scenario to F\n"
    "  --log-level LEVEL    error, warn (default), info or debug\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit codes: 0 everything written (and acknowledged), 2 usage error,\n"
    "3 broker or file failure.\n";

typedef struct payments_args {
  sl_gen_payments_options world;
  const char *brokers;
  const char *kafka_config;
  const char *prefix;
  double rate;
  const char *csv_dir;
  int64_t split_ms;
  bool split;
  const char *merchants_csv;
  const char *customers_csv;
  const char *truth;
} payments_args;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

/* ---- Options ------------------------------------------------------------- */

static int usage(const char *fmt, const char *arg) {
  fputs("sluice gen payments: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return 2;
}

static bool parse_int(const char *text, int64_t min, int64_t max,
                      int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

static bool parse_time(const char *text, int64_t *out) {
  sl_error err;
  return sl_time_parse_iso8601(text, strlen(text), out, &err) == SL_OK;
}

/* Parses argv into a; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, payments_args *a) {
  enum {
    OPT_COUNT = 256, OPT_DAYS, OPT_START, OPT_SEED, OPT_BROKERS, OPT_PREFIX,
    OPT_RATE, OPT_KAFKA_CONFIG, OPT_CSV, OPT_SPLIT, OPT_MERCHANTS,
    OPT_CUSTOMERS, OPT_TRUTH, OPT_LOG_LEVEL
  };
  static const struct option options[] = {
      {"count", required_argument, NULL, OPT_COUNT},
      {"days", required_argument, NULL, OPT_DAYS},
      {"start", required_argument, NULL, OPT_START},
      {"seed", required_argument, NULL, OPT_SEED},
      {"brokers", required_argument, NULL, OPT_BROKERS},
      {"prefix", required_argument, NULL, OPT_PREFIX},
      {"rate", required_argument, NULL, OPT_RATE},
      {"kafka-config", required_argument, NULL, OPT_KAFKA_CONFIG},
      {"csv", required_argument, NULL, OPT_CSV},
      {"split", required_argument, NULL, OPT_SPLIT},
      {"merchants-csv", required_argument, NULL, OPT_MERCHANTS},
      {"customers-csv", required_argument, NULL, OPT_CUSTOMERS},
      {"truth", required_argument, NULL, OPT_TRUTH},
      {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};

  memset(a, 0, sizeof(*a));
  a->world.seed = 1;
  a->world.count = 20000;
  a->world.days = 7;
  a->prefix = "";
  parse_time(DEFAULT_START, &a->world.start_ms);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    int64_t v;
    char *end;
    sl_log_level level;
    switch (c) {
    case 'h':
      fputs(payments_help, stdout);
      return 0;
    case OPT_COUNT:
      if (!parse_int(optarg, 1, SL_GEN_PAYMENTS_MAX, &a->world.count))
        return usage("--count expects a number of payments from 1 to "
                     "5000000, got \"%s\"", optarg);
      break;
    case OPT_DAYS:
      if (!parse_int(optarg, 1, 366, &v))
        return usage("--days expects 1 to 366, got \"%s\"", optarg);
      a->world.days = (int)v;
      break;
    case OPT_START:
      if (!parse_time(optarg, &a->world.start_ms))
        return usage("--start expects an ISO 8601 time, got \"%s\"",
                     optarg);
      break;
    case OPT_SEED:
      if (!parse_int(optarg, INT64_MIN, INT64_MAX, &v))
        return usage("--seed expects an integer, got \"%s\"", optarg);
      a->world.seed = (uint64_t)v;
      break;
    case OPT_RATE:
      errno = 0;
      a->rate = strtod(optarg, &end);
      if (errno || end == optarg || *end || !isfinite(a->rate) ||
          a->rate <= 0)
        return usage("--rate expects records per second above 0, got "
                     "\"%s\"", optarg);
      break;
    case OPT_SPLIT:
      if (!parse_time(optarg, &a->split_ms))
        return usage("--split expects an ISO 8601 time, got \"%s\"",
                     optarg);
      a->split = true;
      break;
    case OPT_BROKERS: a->brokers = optarg; break;
    case OPT_PREFIX: a->prefix = optarg; break;
    case OPT_KAFKA_CONFIG: a->kafka_config = optarg; break;
    case OPT_CSV: a->csv_dir = optarg; break;
    case OPT_MERCHANTS: a->merchants_csv = optarg; break;
    case OPT_CUSTOMERS: a->customers_csv = optarg; break;
    case OPT_TRUTH: a->truth = optarg; break;
    case OPT_LOG_LEVEL:
      if (!sl_log_parse_level(optarg, &level))
        return usage("unknown log level \"%s\"; expected error, warn, info "
                     "or debug", optarg);
      sl_log_set_level(level);
      break;
    case ':':
      return usage("option %s needs a value", argv[optind - 1]);
    default:
      return usage("unknown option \"%s\"; see sluice gen payments --help",
                   argv[optind - 1]);
    }
  }
  if (optind < argc)
    return usage("unexpected argument \"%s\"", argv[optind]);
  if (a->csv_dir && (a->brokers || a->rate > 0))
    return usage("%s", "--csv writes files: it takes neither --brokers "
                 "nor --rate");
  if (a->split && !a->csv_dir)
    return usage("%s", "--split needs --csv DIR");
  return -1;
}

/* ---- Topics -------------------------------------------------------------- */

typedef struct topic_sinks {
  sl_gen_sink *payments;
  sl_gen_sink *chargebacks;
} topic_sinks;

static sl_status send_record(void *ud, sl_gen_record_kind kind,
                             const char *key, size_t key_len,
                             const char *value, size_t value_len,
                             int64_t ts_ms, sl_error *err) {
  topic_sinks *t = ud;
  (void)ts_ms;
  /* The record's timestamp is when it was produced: the event time is
   * in the value, and a query sees the arrival as ROWTIME. */
  return sl_gen_sink_send(kind == SL_GEN_PAYMENT ? t->payments
                                                 : t->chargebacks,
                          key, key_len, value, value_len, 0, err);
}

/* Produces every record and waits for the acknowledgements. */
static sl_status write_topics(const payments_args *a,
                              const sl_gen_payments *g, double *secs,
                              sl_error *err) {
  char ptopic[512], ctopic[512];
  snprintf(ptopic, sizeof(ptopic), "%spayments", a->prefix);
  snprintf(ctopic, sizeof(ctopic), "%schargebacks", a->prefix);
  /* The rate is shared by both topics: the chargebacks' sink is never
   * paced on its own. */
  sl_gen_sink_options popts = {a->brokers, a->kafka_config, ptopic,
                               a->rate};
  sl_gen_sink_options copts = {a->brokers, a->kafka_config, ctopic, 0};
  topic_sinks t = {NULL, NULL};
  sl_status rc = sl_gen_sink_open(&popts, &t.payments, err);
  if (rc == SL_OK)
    rc = sl_gen_sink_open(&copts, &t.chargebacks, err);

  if (rc == SL_OK) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = sl_gen_payments_each(g, send_record, &t, &stop_requested, err);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);

    /* Whatever was queued is acknowledged (or reported) before exit. */
    sl_gen_sink *sinks[2] = {t.payments, t.chargebacks};
    for (int i = 0; i < 2; i++) {
      sl_error flush_err;
      sl_error_clear(&flush_err);
      if (sl_gen_sink_finish(sinks[i], &flush_err) && rc == SL_OK) {
        *err = flush_err;
        rc = err->code;
      }
    }
    sl_gen_sink_stats st;
    sl_gen_sink_stats_get(t.payments, &st);
    *secs = st.seconds;
  }
  sl_gen_sink_free(t.payments);
  sl_gen_sink_free(t.chargebacks);
  return rc;
}

/* ---- Files --------------------------------------------------------------- */

static sl_status write_csvs(const payments_args *a, const sl_gen_payments *g,
                            sl_error *err) {
  char path[PATH_CAP];
  int64_t until = a->split ? a->split_ms : INT64_MAX;
  snprintf(path, sizeof(path), "%s/payments.csv", a->csv_dir);
  sl_status rc = sl_gen_payments_write_csv(g, path, INT64_MIN, until, err);
  if (rc == SL_OK && a->split) {
    snprintf(path, sizeof(path), "%s/live.csv", a->csv_dir);
    rc = sl_gen_payments_write_csv(g, path, a->split_ms, INT64_MAX, err);
  }
  if (rc == SL_OK) {
    snprintf(path, sizeof(path), "%s/chargebacks.csv", a->csv_dir);
    rc = sl_gen_chargebacks_write_csv(g, path, err);
  }
  return rc;
}

static sl_status write_tables(const payments_args *a,
                              const sl_gen_payments *g, sl_error *err) {
  sl_status rc = SL_OK;
  if (a->merchants_csv)
    rc = sl_gen_merchants_write_csv(g, a->merchants_csv, err);
  if (rc == SL_OK && a->customers_csv)
    rc = sl_gen_customers_write_csv(g, a->customers_csv, err);
  if (rc == SL_OK && a->truth)
    rc = sl_gen_truth_write_csv(g, a->truth, err);
  return rc;
}

static void print_summary(const payments_args *a, const sl_gen_payments *g,
                          double secs) {
  sl_gen_payments_stats st;
  sl_gen_payments_stats_get(g, &st);
  int64_t fraud = st.payments - st.by_scenario[SL_GEN_HONEST];
  fprintf(stderr, "sluice gen payments: %" PRId64 " payments (%" PRId64
          " fraudulent: %" PRId64 " card testing, %" PRId64
          " compromised merchant, %" PRId64 " account takeover, %" PRId64
          " impossible travel), %" PRId64 " chargebacks, %" PRId64
          " customers, %" PRId64 " merchants, seed %" PRIu64 "\n",
          st.payments, fraud, st.by_scenario[SL_GEN_CARD_TESTING],
          st.by_scenario[SL_GEN_COMPROMISED_MERCHANT],
          st.by_scenario[SL_GEN_ACCOUNT_TAKEOVER],
          st.by_scenario[SL_GEN_IMPOSSIBLE_TRAVEL], st.chargebacks,
          st.customers, st.merchants, a->world.seed);
  if (a->csv_dir)
    fprintf(stderr, "sluice gen payments: wrote %s/payments.csv%s and "
            "%s/chargebacks.csv\n", a->csv_dir,
            a->split ? ", live.csv" : "", a->csv_dir);
  else
    fprintf(stderr, "sluice gen payments: topics %spayments and "
            "%schargebacks in %.2f s%s\n", a->prefix, a->prefix, secs,
            stop_requested ? " (stopped early)" : "");
}

int sl_gen_payments_cmd(int argc, char **argv) {
  sl_log_set_level(SL_LOG_WARN);
  payments_args a;
  int code = parse_args(argc, argv, &a);
  if (code >= 0)
    return code;

  sl_error err;
  sl_error_clear(&err);
  sl_gen_payments *g = NULL;
  double secs = 0;
  sl_status rc = sl_gen_payments_build(&a.world, &g, &err);
  /* The tables first: a script that loads them can start while the
   * records still flow. */
  if (rc == SL_OK)
    rc = write_tables(&a, g, &err);
  if (rc == SL_OK)
    rc = a.csv_dir ? write_csvs(&a, g, &err)
                   : write_topics(&a, g, &secs, &err);
  if (rc == SL_OK)
    print_summary(&a, g, secs);
  code = rc ? sl_gen_report("payments", &err) : 0;
  sl_gen_payments_free(g);
  return code;
}
