/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_records.c - `sluice gen records`: synthetic records of a declared
 * schema, for tests and benchmarks.
 *
 * The rows come from gen_values.c, are encoded as JSON objects or CSV
 * lines by the same encoders the engine's sinks use (so a stream declared
 * with the same columns reads them back), keyed by the text of the key
 * column when there is one, and produced through a sink that keeps the
 * rate and waits for every acknowledgement.  A summary goes to standard
 * error.  SIGINT or SIGTERM stops early, after the records already queued
 * are acknowledged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/gen.h"
#include "cli/gen_schema.h"
#include "cli/gen_sink.h"
#include "cli/gen_values.h"
#include "engine/common/log.h"
#include "engine/format/csv_record.h"
#include "engine/format/json_encode.h"
#include "engine/types/format.h"
#include "engine/types/time.h"

#define DEFAULT_START "2024-01-01T00:00:00Z"

static const char records_help[] =
    "Usage: sluice gen records --schema 'COLUMNS' --count N --topic T\n"
    "                          [options]\n"
    "\n"
    "Produces N records with the columns of COLUMNS (as in CREATE STREAM:\n"
    "'id BIGINT, amount DECIMAL(10,2), name VARCHAR, ts TIMESTAMP') to\n"
    "topic T and waits until the broker has acknowledged them all.  The\n"
    "same schema, seed and options give the same records.\n"
    "\n"
    "  --schema COLUMNS   column names and SQL types (NOT NULL allowed)\n"
    "  --count N          number of records\n"
    "  --topic T          the topic to write (created by the broker when\n"
    "                     it creates topics on first use)\n"
    "  --key COL          key each record by the text of column COL\n"
    "  --keys K           COL takes K distinct values (without --key, the\n"
    "                     first column is the key)\n"
    "  --rate R           at most R records per second (default: no "
    "limit)\n"
    "  --seed S           seed of the generator (default 1)\n"
    "  --format F         json (default) or csv (columns in order)\n"
    "  --start TIME       event time of the first record, ISO 8601 or\n"
    "                     \"now\" (default " DEFAULT_START ")\n"
    "  --step MS          event time between records (default 1000)\n"
    "  --nulls P          each nullable non-key column is NULL with\n"
    "                     probability P (default 0)\n"
    "  --brokers LIST     Kafka bootstrap servers (or SLUICE_BROKERS);\n"
    "                     required\n"
    "  --kafka-config F   librdkafka properties, one key=value a line\n"
    "  --log-level LEVEL  error, warn (default), info or debug\n"
    "  -h, --help         show this help\n"
    "\n"
    "Values: a column called id counts 1, 2, 3...; key values are 1..K\n"
    "(\"key-1\".. for strings); TIMESTAMP columns increase by --step with\n"
    "a jitter below it; strings come from a 16-word vocabulary; see\n"
    "docs/cli.md for every type.  Exit codes: 0 all records acknowledged,\n"
    "2 usage error, 3 broker failure.\n";

typedef enum format_kind { FORMAT_JSON, FORMAT_CSV } format_kind;

typedef struct records_args {
  const char *schema;
  const char *topic;
  const char *key;
  const char *brokers;
  const char *kafka_config;
  int64_t count;
  int64_t keys;
  double rate;
  uint64_t seed;
  format_kind format;
  int64_t start_ms;
  int64_t step_ms;
  double nulls;
} records_args;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

/* ---- Options ------------------------------------------------------------- */

static int usage(const char *fmt, const char *arg) {
  fputs("sluice gen records: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return 2;
}

static bool parse_int(const char *text, int64_t min, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min)
    return false;
  *out = v;
  return true;
}

static bool parse_double(const char *text, double min, double max,
                         double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || !isfinite(v) || v < min || v > max)
    return false;
  *out = v;
  return true;
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

/* Parses argv into a; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, records_args *a) {
  enum {
    OPT_SCHEMA = 256, OPT_COUNT, OPT_TOPIC, OPT_KEY, OPT_KEYS, OPT_RATE,
    OPT_SEED, OPT_FORMAT, OPT_START, OPT_STEP, OPT_NULLS, OPT_BROKERS,
    OPT_KAFKA_CONFIG, OPT_LOG_LEVEL
  };
  static const struct option options[] = {
      {"schema", required_argument, NULL, OPT_SCHEMA},
      {"count", required_argument, NULL, OPT_COUNT},
      {"topic", required_argument, NULL, OPT_TOPIC},
      {"key", required_argument, NULL, OPT_KEY},
      {"keys", required_argument, NULL, OPT_KEYS},
      {"rate", required_argument, NULL, OPT_RATE},
      {"seed", required_argument, NULL, OPT_SEED},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"start", required_argument, NULL, OPT_START},
      {"step", required_argument, NULL, OPT_STEP},
      {"nulls", required_argument, NULL, OPT_NULLS},
      {"brokers", required_argument, NULL, OPT_BROKERS},
      {"kafka-config", required_argument, NULL, OPT_KAFKA_CONFIG},
      {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};

  memset(a, 0, sizeof(*a));
  a->count = -1;
  a->seed = 1;
  a->step_ms = 1000;
  parse_start(DEFAULT_START, &a->start_ms);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    int64_t v;
    sl_log_level level;
    switch (c) {
    case 'h':
      fputs(records_help, stdout);
      return 0;
    case OPT_SCHEMA: a->schema = optarg; break;
    case OPT_TOPIC: a->topic = optarg; break;
    case OPT_KEY: a->key = optarg; break;
    case OPT_BROKERS: a->brokers = optarg; break;
    case OPT_KAFKA_CONFIG: a->kafka_config = optarg; break;
    case OPT_COUNT:
      if (!parse_int(optarg, 0, &a->count))
        return usage("--count expects a number of records, got \"%s\"",
                     optarg);
      break;
    case OPT_KEYS:
      if (!parse_int(optarg, 1, &a->keys))
        return usage("--keys expects a positive number, got \"%s\"",
                     optarg);
      break;
    case OPT_RATE:
      if (!parse_double(optarg, 0, 1e12, &a->rate) || a->rate <= 0)
        return usage("--rate expects records per second above 0, got "
                     "\"%s\"", optarg);
      break;
    case OPT_SEED:
      if (!parse_int(optarg, INT64_MIN, &v))
        return usage("--seed expects an integer, got \"%s\"", optarg);
      a->seed = (uint64_t)v;
      break;
    case OPT_FORMAT:
      if (strcmp(optarg, "json") == 0)
        a->format = FORMAT_JSON;
      else if (strcmp(optarg, "csv") == 0)
        a->format = FORMAT_CSV;
      else
        return usage("unknown format \"%s\"; expected json or csv",
                     optarg);
      break;
    case OPT_START:
      if (!parse_start(optarg, &a->start_ms))
        return usage("--start expects an ISO 8601 time or \"now\", got "
                     "\"%s\"", optarg);
      break;
    case OPT_STEP:
      if (!parse_int(optarg, 0, &a->step_ms))
        return usage("--step expects milliseconds (0 or more), got \"%s\"",
                     optarg);
      break;
    case OPT_NULLS:
      if (!parse_double(optarg, 0, 1, &a->nulls))
        return usage("--nulls expects a probability in [0, 1], got \"%s\"",
                     optarg);
      break;
    case OPT_LOG_LEVEL:
      if (!sl_log_parse_level(optarg, &level))
        return usage("unknown log level \"%s\"; expected error, warn, info "
                     "or debug", optarg);
      sl_log_set_level(level);
      break;
    case ':':
      return usage("option %s needs a value", argv[optind - 1]);
    default:
      return usage("unknown option \"%s\"; see sluice gen records --help",
                   argv[optind - 1]);
    }
  }
  if (optind < argc)
    return usage("unexpected argument \"%s\"", argv[optind]);
  if (!a->schema)
    return usage("%s", "--schema is required");
  if (!a->topic || !*a->topic)
    return usage("%s", "--topic is required");
  if (a->count < 0)
    return usage("%s", "--count is required");
  return -1;
}

/* ---- Producing ----------------------------------------------------------- */

/* The encoders of one run: one of JSON or CSV. */
typedef struct encoders {
  sl_json_encoder *json;
  sl_csvrec_encoder *csv;
} encoders;

static sl_status encoders_open(const sl_gen_schema *schema, format_kind f,
                               encoders *enc, sl_error *err) {
  memset(enc, 0, sizeof(*enc));
  const char **names = calloc((size_t)schema->ncols, sizeof(*names));
  const sl_type **types = calloc((size_t)schema->ncols, sizeof(*types));
  sl_status rc = SL_OK;
  if (!names || !types) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  } else {
    for (int i = 0; i < schema->ncols; i++) {
      names[i] = schema->cols[i].name;
      types[i] = schema->cols[i].type;
    }
    if (f == FORMAT_JSON)
      enc->json = sl_json_encoder_new(schema->ncols, names, types, err);
    else
      enc->csv = sl_csvrec_encoder_new(schema->ncols, types, ',', err);
    if (!enc->json && !enc->csv)
      rc = err->code ? err->code : SL_ERR_NOMEM;
  }
  free(names);
  free(types);
  return rc;
}

static void encoders_close(encoders *enc) {
  sl_json_encoder_free(enc->json);
  sl_csvrec_encoder_free(enc->csv);
}

/* Generates and sends the records; returns the first failure. */
static sl_status produce_all(const records_args *a,
                             const sl_gen_schema *schema, int key_column,
                             sl_gen_rows *rows, const encoders *enc,
                             sl_gen_sink *sink, sl_error *err) {
  sl_value *row = calloc((size_t)schema->ncols, sizeof(*row));
  if (!row)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_strbuf value, key;
  sl_strbuf_init(&value);
  sl_strbuf_init(&key);

  sl_status rc = SL_OK;
  for (int64_t i = 0; i < a->count && rc == SL_OK && !stop_requested; i++) {
    sl_arena_reset(&arena);
    sl_strbuf_reset(&value);
    sl_strbuf_reset(&key);
    if ((rc = sl_gen_rows_next(rows, &arena, row, err)))
      break;
    rc = enc->json ? sl_json_encode_row(enc->json, row, &value)
                   : sl_csvrec_encode_row(enc->csv, row, &value);
    bool keyed = key_column >= 0 && !sl_value_is_null(&row[key_column]);
    if (rc == SL_OK && keyed)
      rc = sl_format_text(&key, &row[key_column],
                          schema->cols[key_column].type);
    if (rc || value.failed || key.failed) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      break;
    }
    rc = sl_gen_sink_send(sink, keyed ? key.data : NULL,
                          keyed ? key.len : 0, value.data, value.len, 0,
                          err);
  }

  sl_strbuf_free(&value);
  sl_strbuf_free(&key);
  sl_arena_destroy(&arena);
  free(row);
  return rc;
}

static void print_summary(const records_args *a, int key_column,
                          const sl_gen_schema *schema,
                          const sl_gen_sink_stats *st) {
  fprintf(stderr, "sluice gen records: %" PRId64 " records to topic \"%s\""
          " in %.2f s (%.0f records/s), seed %" PRIu64,
          st->delivered, a->topic, st->seconds,
          st->seconds > 0 ? (double)st->delivered / st->seconds : 0.0,
          a->seed);
  if (key_column >= 0 && a->keys > 0)
    fprintf(stderr, ", keyed by %s (%" PRId64 " values)",
            schema->cols[key_column].name, a->keys);
  else if (key_column >= 0)
    fprintf(stderr, ", keyed by %s", schema->cols[key_column].name);
  if (stop_requested && st->sent < a->count)
    fprintf(stderr, "; stopped after %" PRId64 " of %" PRId64, st->sent,
            a->count);
  fputc('\n', stderr);
}

int sl_gen_records(int argc, char **argv) {
  sl_log_set_level(SL_LOG_WARN);
  records_args a;
  int code = parse_args(argc, argv, &a);
  if (code >= 0)
    return code;

  sl_error err;
  sl_error_clear(&err);
  sl_gen_schema schema;
  if (sl_gen_schema_parse(a.schema, &schema, &err))
    return sl_gen_report("records", &err);

  /* The key column: --key, else the first column when --keys asks for
   * distinct keys. */
  int key_column = -1;
  if (a.key) {
    key_column = sl_gen_schema_find(&schema, a.key);
    if (key_column < 0) {
      sl_gen_schema_free(&schema);
      return usage("--key names no column of --schema: \"%s\"", a.key);
    }
  } else if (a.keys > 0) {
    key_column = 0;
  }

  sl_gen_options gopts = {
      .seed = a.seed,
      .key_column = key_column,
      .keys = a.keys,
      .start_ms = a.start_ms,
      .step_ms = a.step_ms,
      .null_rate = a.nulls,
  };
  sl_gen_rows *rows = NULL;
  encoders enc = {0};
  sl_gen_sink *sink = NULL;
  sl_gen_sink_options sopts = {a.brokers, a.kafka_config, a.topic, a.rate};
  sl_status rc = sl_gen_rows_new(&schema, &gopts, &rows, &err);
  if (rc == SL_OK)
    rc = encoders_open(&schema, a.format, &enc, &err);
  if (rc == SL_OK)
    rc = sl_gen_sink_open(&sopts, &sink, &err);

  if (rc == SL_OK) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    rc = produce_all(&a, &schema, key_column, rows, &enc, sink, &err);
    /* Whatever was queued is acknowledged (or reported) before exit. */
    sl_error flush_err;
    sl_error_clear(&flush_err);
    if (sl_gen_sink_finish(sink, &flush_err) && rc == SL_OK) {
      err = flush_err;
      rc = err.code;
    }
    sl_gen_sink_stats st;
    sl_gen_sink_stats_get(sink, &st);
    print_summary(&a, key_column, &schema, &st);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
  }
  code = rc ? sl_gen_report("records", &err) : 0;

  sl_gen_sink_free(sink);
  encoders_close(&enc);
  sl_gen_rows_free(rows);
  sl_gen_schema_free(&schema);
  return code;
}
