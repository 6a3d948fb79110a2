/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_demo.c - `sluice demo`: payment fraud prevention end to end, after
 * a quick check of the Kafka layer.
 *
 * Part 1 produces N JSON records keyed by user over four partitions,
 * reads them back with a consumer group up to the end they had when it
 * started, and checks that every record came back (counts, an
 * order-independent checksum, no records lost).
 *
 * Part 2 is queries/fraud.sql, then queries/fraud_live.sql.  The payment
 * generator (gen_payments.h) writes the first six days of a week of
 * payments and every chargeback to CSV files in a temporary directory;
 * one session replays them into the topics through
 * queries/fraud_replay.sql, and fraud.sql, bounded, computes the
 * features, fills the training set from the chargebacks, trains both
 * models on the first five days and evaluates them on the sixth.  Then
 * the session runs fraud_live.sql without an end: once its feature
 * queries have caught up with the history, the demo's own producer sends
 * the seventh day, the live day, at DEMO_LIVE_RATE payments a second,
 * each stamped with the moment it is sent, and the queries stop when
 * every payment is decided.  The summary reads the live scoring stream
 * back: both models' AUC, the decisions, the scoring rate, PREDICT's own
 * time per batch, each payment's wait from its arrival to its decision,
 * a few blocked payments, and how many of each fraud scenario were
 * caught (against the generator's ground truth).
 *
 * Both parts run on the embedded in-memory broker unless --brokers (or
 * SLUICE_BROKERS) names a cluster.  Results go to standard output, the
 * notice about the embedded broker and logs to standard error.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/gen_payments.h"
#include "cli/script.h"
#include "engine/exec/predict.h"
#include "engine/exec/session.h"
#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"
#include "engine/types/time.h"

#define DEMO_PARTITIONS 4
#define DEMO_USERS 1000
#define DEMO_BASE_TS INT64_C(1735689600000) /* 2025-01-01T00:00:00Z */
#define CONSUME_TIMEOUT_MS 120000
#define FRAUD_START "2025-03-01T00:00:00Z"
#define FRAUD_DAYS 7
#define EMBEDDED_MAX_PAYMENTS 40000
#define DEMO_LIVE_RATE 1000 /* live payments a second */
#define LIVE_STALL_MS 15000

static const char demo_help[] =
    "Usage: sluice demo [--payments N] [--seed S] [--records N]\n"
    "                   [--brokers LIST] [--kafka-config FILE]\n"
    "                   [--log-level LEVEL]\n"
    "\n"
    "Payment fraud prevention end to end (queries/fraud.sql): generates a\n"
    "week of card payments with labelled fraud, trains an XGBoost and a\n"
    "logistic regression model on the first five days, evaluates both on\n"
    "the sixth, then sends the seventh as a live stream while the scoring\n"
    "queries run and prints both models' AUC, the decisions, each\n"
    "payment's wait for its decision, a few blocked payments and the\n"
    "fraud caught per scenario.\n"
    "First it checks the Kafka layer: N records produced and read back\n"
    "(count and checksum).  Without --brokers or SLUICE_BROKERS it runs on\n"
    "an embedded in-memory broker.\n"
    "\n"
    "  --payments N         payments to generate (default 20000, at most\n"
    "                       40000 on the embedded broker)\n"
    "  --seed S             seed of the payment generator (default 1)\n"
    "  --records N          records of the Kafka check (default 10000)\n"
    "  --brokers LIST       Kafka bootstrap servers\n"
    "  --kafka-config FILE  librdkafka properties, one key=value a line\n"
    "  --log-level LEVEL    error, warn, info (default) or debug\n"
    "  -h, --help           show this help\n";

typedef struct demo_args {
  long records;
  long payments;
  long seed;
  const char *brokers;
  const char *kafka_config;
} demo_args;

typedef struct demo_tally {
  int64_t count;
  uint64_t checksum;
  int64_t per_partition[DEMO_PARTITIONS];
} demo_tally;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* FNV-1a over key and value; records are summed, so the checksum does not
 * depend on the order they come back in. */
static uint64_t record_hash(const void *key, size_t key_len,
                            const void *value, size_t value_len) {
  uint64_t h = UINT64_C(14695981039346656037);
  const unsigned char *p = key;
  for (size_t i = 0; i < key_len; i++)
    h = (h ^ p[i]) * UINT64_C(1099511628211);
  h = (h ^ 0xff) * UINT64_C(1099511628211);
  p = value;
  for (size_t i = 0; i < value_len; i++)
    h = (h ^ p[i]) * UINT64_C(1099511628211);
  return h;
}

/* Parses the options; returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, demo_args *args) {
  static const struct option options[] = {
      {"records", required_argument, NULL, 'n'},
      {"payments", required_argument, NULL, 'p'},
      {"seed", required_argument, NULL, 's'},
      {"brokers", required_argument, NULL, 'b'},
      {"kafka-config", required_argument, NULL, 'k'},
      {"log-level", required_argument, NULL, 'l'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  args->records = 10000;
  args->payments = 20000;
  args->seed = 1;
  args->brokers = NULL;
  args->kafka_config = NULL;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    char *end;
    sl_log_level level;
    switch (c) {
    case 'h':
      fputs(demo_help, stdout);
      return 0;
    case 'n':
      args->records = strtol(optarg, &end, 10);
      if (*end || args->records < 1 || args->records > 100000000) {
        fprintf(stderr, "sluice demo: --records expects a number from 1 to "
                "100000000, got \"%s\"\n", optarg);
        return 2;
      }
      break;
    case 'p':
      errno = 0;
      args->payments = strtol(optarg, &end, 10);
      if (errno || *end || args->payments < 1000 ||
          args->payments > SL_GEN_PAYMENTS_MAX) {
        fprintf(stderr, "sluice demo: --payments expects a number from "
                "1000 to %" PRId64 ", got \"%s\"\n", SL_GEN_PAYMENTS_MAX,
                optarg);
        return 2;
      }
      break;
    case 's':
      errno = 0;
      args->seed = strtol(optarg, &end, 10);
      if (errno || *end || end == optarg) {
        fprintf(stderr, "sluice demo: --seed expects an integer, got "
                "\"%s\"\n", optarg);
        return 2;
      }
      break;
    case 'b':
      args->brokers = optarg;
      break;
    case 'k':
      args->kafka_config = optarg;
      break;
    case 'l':
      if (!sl_log_parse_level(optarg, &level)) {
        fprintf(stderr, "sluice demo: unknown log level \"%s\"; expected "
                "error, warn, info or debug\n", optarg);
        return 2;
      }
      sl_log_set_level(level);
      break;
    default:
      fprintf(stderr, "sluice demo: unknown option or missing value \"%s\"; "
              "see sluice demo --help\n", argv[optind - 1]);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "sluice demo: unexpected argument \"%s\"\n",
            argv[optind]);
    return 2;
  }
  return -1;
}

/* Checks what depends on where the demo runs; returns -1 to go on, or an
 * exit code. */
static int check_args(const demo_args *args, bool embedded) {
  /* More would not fit the embedded broker's partitions: the features
   * streams are the largest topics, some 400 bytes a payment. */
  if (embedded && args->payments > EMBEDDED_MAX_PAYMENTS) {
    fprintf(stderr, "sluice demo: --payments: at most %d on the embedded "
            "broker (name a cluster with --brokers for more)\n",
            EMBEDDED_MAX_PAYMENTS);
    return 2;
  }
  return -1;
}

/* Writes the records and waits until the broker acknowledged all. */
static sl_status produce_all(const sl_kafka_config *cfg, const char *topic,
                             long records, demo_tally *sent, double *secs,
                             sl_error *err) {
  sl_kafka_producer *p;
  sl_status rc = sl_kafka_producer_new(cfg, NULL, &p, err);
  if (rc)
    return rc;

  double t0 = now_s();
  for (long i = 0; i < records && rc == SL_OK; i++) {
    char key[16], value[160];
    int klen = snprintf(key, sizeof(key), "user-%04ld", i % DEMO_USERS);
    int64_t ts = DEMO_BASE_TS + i * 10;
    int vlen = snprintf(value, sizeof(value),
                        "{\"id\":%ld,\"user\":\"%s\",\"amount\":%ld.%02ld,"
                        "\"currency\":\"EUR\",\"ts\":%" PRId64 "}",
                        i, key, (i * 7919) % 100000, i % 100, ts);
    sl_kafka_record rec = {.topic = topic,
                           .partition = SL_KAFKA_PARTITION_ANY,
                           .key = key, .key_len = (size_t)klen,
                           .value = value, .value_len = (size_t)vlen,
                           .timestamp_ms = ts};
    rc = sl_kafka_produce(p, &rec, err);
    if (rc == SL_OK) {
      sent->count++;
      sent->checksum += record_hash(key, (size_t)klen, value, (size_t)vlen);
    }
  }
  if (rc == SL_OK)
    rc = sl_kafka_producer_flush(p, -1, err);
  *secs = now_s() - t0;
  sl_kafka_producer_free(p);
  return rc;
}

/* The demo made the topic, so every partition must be read from offset 0:
 * asking for it (instead of "earliest") lets the consumer report records
 * that were deleted before they were read. */
static void start_at_zero(void *ctx, sl_kafka_position *parts, size_t n) {
  (void)ctx;
  for (size_t i = 0; i < n; i++) {
    if (parts[i].offset < 0)
      parts[i].offset = 0;
  }
}

/* Reads the topic with a group up to the end it has now, and commits. */
static sl_status consume_all(const sl_kafka_config *cfg, const char *topic,
                             const char *group, demo_tally *got,
                             int64_t *lost, double *secs, sl_error *err) {
  sl_kafka_consumer_opts opts = {.group_id = group,
                                 .on_assign = start_at_zero};
  sl_kafka_consumer *c;
  sl_status rc = sl_kafka_consumer_new(cfg, &opts, &c, err);
  if (rc)
    return rc;
  sl_kafka_batch batch;
  rc = sl_kafka_batch_init(&batch, 2000, err);
  if (rc) {
    sl_kafka_consumer_free(c);
    return rc;
  }

  const char *topics[] = {topic};
  rc = sl_kafka_consumer_bound(c, topic, err);
  if (rc == SL_OK)
    rc = sl_kafka_consumer_subscribe(c, topics, 1, err);

  /* The clock starts with the first record: joining the group is not
   * reading. */
  double t0 = 0, started = now_s();
  while (rc == SL_OK && !sl_kafka_consumer_at_end(c)) {
    if ((now_s() - started) * 1000 > CONSUME_TIMEOUT_MS) {
      rc = sl_error_set(err, SL_ERR_KAFKA, "%s: consumed %" PRId64
                        " records, then nothing more for %d s", topic,
                        got->count, CONSUME_TIMEOUT_MS / 1000);
      break;
    }
    rc = sl_kafka_consumer_poll(c, &batch, 200, err);
    if (batch.count > 0 && t0 == 0)
      t0 = now_s();
    for (size_t i = 0; i < batch.count; i++) {
      const sl_kafka_msg *m = &batch.msgs[i];
      got->count++;
      got->checksum += record_hash(m->key, m->key_len, m->value,
                                   m->value_len);
      if (m->partition >= 0 && m->partition < DEMO_PARTITIONS)
        got->per_partition[m->partition]++;
    }
  }
  *secs = t0 > 0 ? now_s() - t0 : 0;

  if (rc == SL_OK) {
    sl_kafka_position pos[DEMO_PARTITIONS];
    size_t n = sl_kafka_consumer_positions(c, pos, DEMO_PARTITIONS);
    size_t keep = 0;
    for (size_t i = 0; i < n && i < DEMO_PARTITIONS; i++) {
      if (pos[i].offset >= 0)
        pos[keep++] = pos[i];
    }
    rc = sl_kafka_consumer_commit(c, pos, keep, err);
  }
  sl_kafka_consumer_stats st;
  sl_kafka_consumer_stats_get(c, &st);
  *lost = st.lost_records;
  sl_kafka_batch_destroy(&batch);
  sl_kafka_consumer_free(c);
  return rc;
}

static double rate(int64_t n, double secs) {
  return secs > 0 ? (double)n / secs : 0;
}

/* Part 1: sets up a broker, produces and consumes, prints the result. */
static int kafka_check(const demo_args *args) {
  sl_error err;
  sl_error_clear(&err);
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_kafka_broker *broker = NULL;
  sl_kafka_admin *admin = NULL;
  sl_status rc = cfg ? SL_OK : sl_error_set(&err, SL_ERR_NOMEM,
                                            "out of memory");
  if (rc == SL_OK && args->kafka_config)
    rc = sl_kafka_config_load_file(cfg, args->kafka_config, &err);
  if (rc == SL_OK)
    rc = sl_kafka_config_apply_brokers(cfg, args->brokers, &err);

  bool embedded = rc == SL_OK && !sl_kafka_config_has_brokers(cfg);
  if (embedded) {
    fprintf(stderr, "%s\n", SL_KAFKA_EMBEDDED_NOTICE);
    rc = sl_kafka_broker_start(1, &broker, &err);
    if (rc == SL_OK)
      rc = sl_kafka_broker_configure(broker, cfg, &err);
  }

  /* A fresh topic and group per run on a real cluster, so that earlier
   * runs never count. */
  char topic[64], group[96];
  snprintf(topic, sizeof(topic), "sluice-demo-%ld-%ld", (long)time(NULL),
           (long)getpid());
  snprintf(group, sizeof(group), "%s-group", topic);
  if (rc == SL_OK)
    rc = sl_kafka_admin_new(cfg, &admin, &err);
  if (rc == SL_OK)
    rc = sl_kafka_admin_create_topic(admin, topic, DEMO_PARTITIONS, -1,
                                     NULL, false, &err);
  bool created = rc == SL_OK;

  demo_tally sent = {0}, got = {0};
  double produce_secs = 0, consume_secs = 0;
  int64_t lost = 0;
  if (rc == SL_OK)
    rc = produce_all(cfg, topic, args->records, &sent, &produce_secs, &err);
  if (rc == SL_OK)
    rc = consume_all(cfg, topic, group, &got, &lost, &consume_secs, &err);

  if (rc == SL_OK) {
    printf("sluice demo, part 1: records through the Kafka layer\n");
    const char *where = embedded ? "embedded, in memory"
                                 : sl_kafka_config_get(cfg,
                                                       "bootstrap.servers");
    printf("broker:     %s\n", where);
    printf("topic:      %s (%d partitions)\n", topic, DEMO_PARTITIONS);
    printf("produced:   %" PRId64 " records in %.2f s (%.0f records/s), "
           "all acknowledged\n", sent.count, produce_secs,
           rate(sent.count, produce_secs));
    printf("consumed:   %" PRId64 " records in %.2f s (%.0f records/s), "
           "group %s\n", got.count, consume_secs,
           rate(got.count, consume_secs), group);
    printf("partitions:");
    for (int i = 0; i < DEMO_PARTITIONS; i++)
      printf(" [%d] %" PRId64, i, got.per_partition[i]);
    printf("\n");
    printf("checksum:   %016" PRIx64 " produced, %016" PRIx64
           " consumed\n", sent.checksum, got.checksum);
    if (lost > 0 && embedded)
      rc = sl_error_set(&err, SL_ERR_RUNTIME, "%s: %" PRId64 " of %" PRId64
                        " records were deleted before they were read: the "
                        "embedded broker keeps about 5 MB per partition "
                        "(use fewer --records or a real cluster)", topic,
                        lost, sent.count);
    else if (got.count != sent.count || got.checksum != sent.checksum ||
             lost > 0)
      rc = sl_error_set(&err, SL_ERR_RUNTIME, "%s: %" PRId64 " records "
                        "produced, %" PRId64 " consumed, %" PRId64 " lost, "
                        "checksums %s", topic, sent.count, got.count, lost,
                        got.checksum == sent.checksum ? "equal" : "differ");
    else
      printf("result:     every record came back\n");
  }
  /* The demo's topic on a real cluster is removed again. */
  if (created && !embedded) {
    sl_error derr;
    if (sl_kafka_admin_delete_topic(admin, topic, &derr))
      SL_WARN("demo", "%s", derr.message);
  }
  sl_kafka_admin_free(admin);
  sl_kafka_config_free(cfg);
  sl_kafka_broker_stop(broker);

  if (rc) {
    char buf[1200];
    fprintf(stderr, "sluice demo: %s\n", sl_error_format(&err, buf,
                                                         sizeof(buf)));
    return sl_error_exit_code(rc);
  }
  return 0;
}

/* ---- Part 2: payment fraud ---------------------------------------------- */

/* What the fraud part learns from the session's output. */
typedef struct fraud_summary {
  double auc_xgb, auc_lr;
  int64_t scored, blocked, reviewed, allowed;
  double *latency_ms;        /* one per scored payment */
  int64_t nlatency;
  double first_decision_ms, last_decision_ms;
  double produce_secs;       /* how long the live payments took to send */
  int64_t produced;          /* live payments sent */
  int64_t caught[SL_GEN_NSCENARIOS];
  int64_t live[SL_GEN_NSCENARIOS];
} fraud_summary;

/* The cells of one row of a table, as the table output prints it
 * ("| a | b |"): trimmed, in place; returns how many (at most max). */
static int table_cells(char *line, char **cells, int max) {
  if (line[0] != '|')
    return 0;
  int n = 0;
  char *p = line + 1;
  while (n < max) {
    char *bar = strchr(p, '|');
    if (!bar)
      break;
    *bar = '\0';
    while (*p == ' ')
      p++;
    char *end = bar;
    while (end > p && end[-1] == ' ')
      *--end = '\0';
    cells[n++] = p;
    p = bar + 1;
  }
  return n;
}

/* Copies what the session wrote to f since it was emptied to stdout,
 * taking the models' AUC from EVALUATE's rows on the way. */
static void echo_output(FILE *f, fraud_summary *sum) {
  char line[4096];
  fflush(f);
  rewind(f);
  while (fgets(line, sizeof(line), f)) {
    fputs(line, stdout);
    char *cells[10];
    if (table_cells(line, cells, 10) < 4)
      continue;
    if (strcmp(cells[0], "fraud_xgb") == 0)
      sum->auc_xgb = strtod(cells[3], NULL);
    else if (strcmp(cells[0], "fraud_lr") == 0)
      sum->auc_lr = strtod(cells[3], NULL);
  }
  fflush(stdout);
}

/* Reads the rows of the decisions query (id, decision, arrived_ms,
 * decided_ms) from f. */
static sl_status read_decisions(FILE *f, const sl_gen_payments *g,
                                fraud_summary *sum, sl_error *err) {
  char line[1024];
  fflush(f);
  rewind(f);
  while (fgets(line, sizeof(line), f)) {
    char *cells[4];
    if (table_cells(line, cells, 4) < 4 || !isdigit((unsigned char)
                                                     cells[0][0]))
      continue;
    int64_t id = strtoll(cells[0], NULL, 10);
    if (sum->nlatency % 1024 == 0) {
      double *grown = realloc(sum->latency_ms, (size_t)(sum->nlatency + 1024)
                                                   * sizeof(double));
      if (!grown)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      sum->latency_ms = grown;
    }
    double arrived = strtod(cells[2], NULL);
    double decided = strtod(cells[3], NULL);
    sum->latency_ms[sum->nlatency++] = decided - arrived;
    if (sum->scored == 0 || decided < sum->first_decision_ms)
      sum->first_decision_ms = decided;
    if (sum->scored == 0 || decided > sum->last_decision_ms)
      sum->last_decision_ms = decided;
    sum->scored++;
    if (strcmp(cells[1], "block") == 0) {
      sum->blocked++;
      sum->caught[sl_gen_payments_scenario(g, id, NULL)]++;
    } else if (strcmp(cells[1], "review") == 0) {
      sum->reviewed++;
    } else {
      sum->allowed++;
    }
  }
  return SL_OK;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, int64_t n, double q) {
  if (n == 0)
    return 0;
  int64_t i = (int64_t)ceil(q * (double)n) - 1;
  return sorted[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void print_summary(fraud_summary *sum, const char *prefix) {
  static const char *const labels[SL_GEN_NSCENARIOS] = {
      "", "card testing", "compromised merchant", "account takeover",
      "impossible travel"};
  if (sum->nlatency > 0)
    qsort(sum->latency_ms, (size_t)sum->nlatency, sizeof(double),
          by_value);
  /* The scoring query's own pace: from its first decision to its last
   * (a millisecond at least, the clock's resolution here). */
  double span_ms = sum->last_decision_ms - sum->first_decision_ms;
  if (span_ms < 1)
    span_ms = 1;
  printf("\nsluice demo: summary\n");
  printf("models:     AUC on the held-out day: fraud_xgb %.4f, "
         "fraud_lr %.4f\n", sum->auc_xgb, sum->auc_lr);
  printf("scored:     %" PRId64 " live payments, both models each, in "
         "%.2f s from the first decision to the last (%.0f payments/s)\n",
         sum->scored, span_ms / 1000, (double)sum->scored * 1000 / span_ms);
  /* PREDICT's own counters: every call site of the process, so both
   * models and each of their calls in the scoring query. */
  sl_predict_stats ps;
  sl_predict_process_stats(&ps);
  if (ps.calls > 0 && sum->scored > 0)
    printf("serving:    %.2f ms per batch in PREDICT on average (%lld "
           "batches), %.1f us per payment for both models\n",
           (double)ps.ns / 1e6 / (double)ps.calls, ps.calls,
           (double)ps.ns / 1e3 / (double)sum->scored);
  printf("live:       %" PRId64 " payments sent in %.2f s (%.0f "
         "payments/s) while the queries ran\n", sum->produced,
         sum->produce_secs, rate(sum->produced, sum->produce_secs));
  printf("latency:    arrival to decision p50 %.0f ms, p99 %.0f ms, "
         "max %.0f ms\n", percentile(sum->latency_ms, sum->nlatency, 0.5),
         percentile(sum->latency_ms, sum->nlatency, 0.99),
         percentile(sum->latency_ms, sum->nlatency, 1.0));
  printf("            (from a payment's arrival on the topic to its "
         "decision: the features,\n"
         "            both models and the rule, per payment)\n");
  printf("decisions:  %" PRId64 " allow, %" PRId64 " review, %" PRId64
         " block\n", sum->allowed, sum->reviewed, sum->blocked);
  printf("alerts:     %" PRId64 " blocked payments on topic "
         "%slive_alerts\n",
         sum->blocked, prefix);
  int64_t honest_blocked = sum->caught[SL_GEN_HONEST];
  for (int i = 1; i < SL_GEN_NSCENARIOS; i++)
    printf("caught:     %-21s %" PRId64 " of %" PRId64 " payments\n",
           labels[i], sum->caught[i], sum->live[i]);
  printf("false:      %" PRId64 " honest payments blocked\n",
         honest_blocked);
}

/* Runs one script file of the source tree's queries/ in s. */
static sl_status run_file(sl_session *s, const char *file, sl_error *err) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/queries/%s", SLUICE_SOURCE_DIR, file);
  char *text = NULL;
  size_t len = 0;
  const char *name = NULL;
  sl_status rc = sl_cli_read_script(path, &text, &len, &name, err);
  if (rc == SL_OK)
    rc = sl_session_run_script(s, name, text, err);
  if (rc == SL_ERR_SQL)
    sl_cli_report(err, text, len);
  free(text);
  return rc;
}

/* Empties f for the next statements' output. */
static sl_status reset_capture(FILE *f, sl_error *err) {
  rewind(f);
  if (ftruncate(fileno(f), 0) != 0)
    return sl_error_set(err, SL_ERR_IO, "demo output file: %s",
                        strerror(errno));
  return SL_OK;
}

/* The generated world in dir: the payments before live_from (the
 * history; the live ones arrive later, one by one), the chargebacks and
 * the two lookup tables. */
static sl_status write_world(const sl_gen_payments *g, const char *dir,
                             int64_t live_from, sl_error *err) {
  char path[1024];
  snprintf(path, sizeof(path), "%s/payments.csv", dir);
  sl_status rc = sl_gen_payments_write_csv(g, path, INT64_MIN, live_from,
                                           err);
  if (rc == SL_OK) {
    snprintf(path, sizeof(path), "%s/chargebacks.csv", dir);
    rc = sl_gen_chargebacks_write_csv(g, path, err);
  }
  if (rc == SL_OK) {
    snprintf(path, sizeof(path), "%s/merchants.csv", dir);
    rc = sl_gen_merchants_write_csv(g, path, err);
  }
  if (rc == SL_OK) {
    snprintf(path, sizeof(path), "%s/customers.csv", dir);
    rc = sl_gen_customers_write_csv(g, path, err);
  }
  return rc;
}

static void remove_world(const char *dir) {
  static const char *const files[] = {"payments.csv", "chargebacks.csv",
                                      "merchants.csv", "customers.csv",
                                      "catalog.db"};
  char path[1024];
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
    unlink(path);
  }
  rmdir(dir);
}

/* The statements of the summary: every decision with its latency, and
 * the first blocked payments with the features behind them. */
static const char decisions_sql[] =
    "SELECT id, decision,\n"
    "  EXTRACT(EPOCH FROM arrived_at) * 1000\n"
    "    + EXTRACT(MILLISECOND FROM arrived_at) AS arrived_ms,\n"
    "  EXTRACT(EPOCH FROM decided_at) * 1000\n"
    "    + EXTRACT(MILLISECOND FROM decided_at) AS decided_ms\n"
    "FROM live_scored;\n";

static const char alerts_sql[] =
    "SELECT id, card, amount, category, ROUND(km_from_home) AS km_home,\n"
    "  ROUND(km_since_prev) AS km_prev, secs_since_prev AS secs_prev,\n"
    "  n_last_hour AS n_hour, p_xgb, p_lr\n"
    "FROM live_alerts LIMIT 5;\n";

/* ---- The live phase ------------------------------------------------------ */

/* The live day's payments, in event-time order, as the generator writes
 * them to the payments topic. */
typedef struct live_feed {
  int64_t live_from;
  int64_t n, cap;
  char **keys, **values; /* NUL-terminated copies */
} live_feed;

static sl_status keep_live(void *ud, sl_gen_record_kind kind,
                           const char *key, size_t key_len,
                           const char *value, size_t value_len,
                           int64_t ts_ms, sl_error *err) {
  live_feed *f = ud;
  if (kind != SL_GEN_PAYMENT || ts_ms < f->live_from)
    return SL_OK;
  if (f->n == f->cap) {
    int64_t cap = f->cap ? f->cap * 2 : 1024;
    char **k = realloc(f->keys, (size_t)cap * sizeof(*k));
    if (k)
      f->keys = k;
    char **v = k ? realloc(f->values, (size_t)cap * sizeof(*v)) : NULL;
    if (v)
      f->values = v;
    if (!k || !v)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    f->cap = cap;
  }
  char *kc = strndup(key, key_len);
  char *vc = kc ? strndup(value, value_len) : NULL;
  if (!vc) {
    free(kc);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  f->keys[f->n] = kc;
  f->values[f->n++] = vc;
  return SL_OK;
}

static void live_feed_free(live_feed *f) {
  for (int64_t i = 0; i < f->n; i++) {
    free(f->keys[i]);
    free(f->values[i]);
  }
  free(f->keys);
  free(f->values);
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Writes the live payments to topic at DEMO_LIVE_RATE a second, each
 * stamped with the moment it is sent: its arrival, which the features
 * query reads as ROWTIME. */
static sl_status produce_live(const sl_kafka_config *cfg, const char *topic,
                              const live_feed *f, double *secs,
                              sl_error *err) {
  sl_kafka_producer *p;
  sl_status rc = sl_kafka_producer_new(cfg, NULL, &p, err);
  if (rc)
    return rc;
  double t0 = now_s();
  for (int64_t i = 0; i < f->n && rc == SL_OK; i++) {
    /* Ahead of the schedule: wait for the payment's moment. */
    double due = t0 + (double)i / DEMO_LIVE_RATE;
    double ahead = due - now_s();
    if (ahead > 0.001)
      sleep_ms((long)(ahead * 1000));
    sl_kafka_record rec = {.topic = topic,
                           .partition = SL_KAFKA_PARTITION_ANY,
                           .key = f->keys[i],
                           .key_len = strlen(f->keys[i]),
                           .value = f->values[i],
                           .value_len = strlen(f->values[i]),
                           .timestamp_ms = wall_ms()};
    rc = sl_kafka_produce(p, &rec, err);
    sl_kafka_producer_poll(p, 0);
  }
  if (rc == SL_OK)
    rc = sl_kafka_producer_flush(p, -1, err);
  *secs = now_s() - t0;
  sl_kafka_producer_free(p);
  return rc;
}

/* Waits until query `id` has written `want` rows and query `next` (when
 * not NULL) has read every one of them, or until neither moved for
 * LIVE_STALL_MS; says so then, and the summary shows what got through. */
static void wait_rows(sl_session *s, const char *id, int64_t want,
                      const char *next) {
  int64_t last = -1;
  double moved = now_s();
  for (;;) {
    int64_t in = 0, out = 0, next_in = 0, next_out = 0;
    sl_session_query_rows(s, id, &in, &out);
    if (next)
      sl_session_query_rows(s, next, &next_in, &next_out);
    if (out >= want && (!next || next_in >= out))
      return;
    if (out + next_in != last) {
      last = out + next_in;
      moved = now_s();
    } else if ((now_s() - moved) * 1000 > LIVE_STALL_MS) {
      SL_WARN("demo", "query %s: %" PRId64 " of %" PRId64 " rows, then "
              "nothing more for %d s", id, out, want, LIVE_STALL_MS / 1000);
      return;
    }
    sleep_ms(10);
  }
}

/* The rows query id wrote in its last run, as the catalog counted them. */
static int64_t rows_written(sl_session *s, const char *id) {
  sl_catalog_query *cq = NULL;
  sl_error err;
  int64_t n = 0;
  if (sl_catalog_query_get(sl_session_catalog(s), id, &cq, &err) == SL_OK &&
      cq)
    n = cq->counters.records_out;
  sl_catalog_query_free(cq);
  return n;
}

/* The queries of fraud_live.sql, from the payments to the alerts. */
static const char *const live_queries[] = {
    "live_card_features", "live_payment_features", "live_scored",
    "live_alerts"};
#define NLIVE_QUERIES 4

/* The first live query that is not running, or NULL. */
static const char *live_stopped(sl_session *s) {
  const char *running[64];
  int n = sl_session_running_queries(s, running, 64);
  for (int i = 0; i < NLIVE_QUERIES; i++) {
    bool found = false;
    for (int k = 0; k < n && k < 64 && !found; k++)
      found = strcmp(running[k], live_queries[i]) == 0;
    if (!found)
      return live_queries[i];
  }
  return NULL;
}

/* Why query id ended, as the catalog recorded it, into err. */
static sl_status live_failure(sl_session *s, const char *id, sl_error *err) {
  sl_catalog_query *cq = NULL;
  sl_error cerr;
  const char *why = "see the log";
  if (sl_catalog_query_get(sl_session_catalog(s), id, &cq, &cerr) == SL_OK &&
      cq && cq->error)
    why = cq->error;
  sl_status rc = sl_error_set(err, SL_ERR_RUNTIME, "query %s ended before "
                              "the live day was decided: %s", id, why);
  sl_catalog_query_free(cq);
  return rc;
}

/* The live day: fraud_live.sql's queries run without an end, first
 * through the history (the card and merchant histories the features
 * need), then the payments arrive one by one while they run; once every
 * one is decided the queries stop. */
static sl_status run_live(sl_session *s, const sl_gen_payments *g,
                          int64_t live_from, const char *prefix,
                          double *produce_secs, int64_t *nlive,
                          sl_error *err) {
  live_feed f = {.live_from = live_from};
  sl_status rc = sl_gen_payments_each(g, keep_live, &f, NULL, err);
  char topic[128];
  snprintf(topic, sizeof(topic), "%spayments", prefix);
  if (rc == SL_OK) {
    sl_session_set_bounded(s, false);
    rc = run_file(s, "fraud_live.sql", err);
  }

  /* Caught up with the history when the live features hold as many rows
   * as fraud.sql's did and the scoring query has read them all. */
  if (rc == SL_OK)
    wait_rows(s, "live_payment_features",
              rows_written(s, "payment_features"), "live_scored");
  if (rc == SL_OK)
    rc = produce_live(sl_session_kafka(s), topic, &f, produce_secs, err);
  if (rc == SL_OK)
    wait_rows(s, "live_scored", f.n, "live_alerts");

  /* A query that failed on the way ended early; say which and why. */
  const char *stopped = rc == SL_OK ? live_stopped(s) : NULL;
  sl_session_stop_queries(s);
  sl_session_set_bounded(s, true);
  if (stopped)
    rc = live_failure(s, stopped, err);
  *nlive = f.n;
  live_feed_free(&f);
  return rc;
}

/* Whether the demo runs on the embedded broker: no brokers in the
 * options, the environment or the --kafka-config file. */
static bool on_embedded(const demo_args *args) {
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  bool embedded = cfg != NULL;
  if (cfg && args->kafka_config &&
      sl_kafka_config_load_file(cfg, args->kafka_config, &err) == SL_OK)
    embedded = !sl_kafka_config_has_brokers(cfg);
  if (embedded && sl_kafka_config_apply_brokers(cfg, args->brokers, &err) ==
                      SL_OK)
    embedded = !sl_kafka_config_has_brokers(cfg);
  sl_kafka_config_free(cfg);
  return embedded;
}

/* The fraud part: generate, train on the history, score the live day. */
static int fraud_demo(const demo_args *args) {
  sl_error err;
  sl_error_clear(&err);
  fraud_summary sum;
  memset(&sum, 0, sizeof(sum));

  /* On the embedded broker the week is always the same one.  A real
   * cluster deletes records older than a topic's retention (7 days by
   * default) by their timestamp, which for the streams fraud.sql derives
   * is the event time: there the week ends yesterday. */
  bool embedded = on_embedded(args);
  int64_t start_ms = 0;
  if (embedded) {
    sl_time_parse_iso8601(FRAUD_START, strlen(FRAUD_START), &start_ms,
                          &err);
  } else {
    int64_t today = sl_time_day_of((int64_t)time(NULL) * 1000);
    start_ms = (today - FRAUD_DAYS) * SL_MS_PER_DAY;
  }
  int64_t live_from = start_ms + (FRAUD_DAYS - 1) * SL_MS_PER_DAY;
  sl_gen_payments_options wopts = {.seed = (uint64_t)args->seed,
                                   .count = args->payments,
                                   .start_ms = start_ms,
                                   .days = FRAUD_DAYS};
  sl_gen_payments *g = NULL;
  sl_status rc = sl_gen_payments_build(&wopts, &g, &err);

  const char *tmp = getenv("TMPDIR");
  /* mkdtemp's template: the name ends in six 'X's it replaces. */
  char dir[512];
  int base = snprintf(dir, sizeof(dir) - 8, "%s/sluice-demo-",
                      tmp && *tmp ? tmp : "/tmp");
  if (base < 0 || base > (int)sizeof(dir) - 8)
    base = 0;
  memset(dir + base, 'X', 6);
  dir[base + 6] = '\0';
  bool made_dir = false;
  if (rc == SL_OK) {
    made_dir = mkdtemp(dir) != NULL;
    if (!made_dir)
      rc = sl_error_set(&err, SL_ERR_IO, "%s: cannot create: %s", dir,
                        strerror(errno));
  }
  if (rc == SL_OK)
    rc = write_world(g, dir, live_from, &err);
  for (int64_t id = 1; g && id <= args->payments; id++) {
    int64_t ts = 0;
    sl_gen_scenario sc = sl_gen_payments_scenario(g, id, &ts);
    if (ts >= live_from)
      sum.live[sc]++;
  }

  /* A fresh prefix, service and catalog per run, so that a real cluster
   * keeps nothing of an earlier run in the way. */
  char prefix[64], service[64], catalog[600], when[32];
  if (embedded) {
    prefix[0] = '\0';
    snprintf(service, sizeof(service), "sluice");
  } else {
    snprintf(prefix, sizeof(prefix), "sluice-demo-%ld-%ld-",
             (long)time(NULL), (long)getpid());
    snprintf(service, sizeof(service), "sluice-demo-%ld", (long)getpid());
  }
  snprintf(catalog, sizeof(catalog), "%s/catalog.db", dir);
  sl_time_parts t;
  sl_time_split(live_from, &t);
  snprintf(when, sizeof(when), "%04" PRId64 "-%02d-%02dT00:00:00Z", t.year,
           t.month, t.day);
  sl_parse_var vars[] = {{"data", dir}, {"prefix", prefix},
                         {"live_from", when}};

  FILE *capture = tmpfile();
  if (rc == SL_OK && !capture)
    rc = sl_error_set(&err, SL_ERR_IO, "cannot open a temporary file: %s",
                      strerror(errno));
  sl_session_options sopts = {
      .brokers = args->brokers,
      .kafka_config = args->kafka_config,
      .catalog = embedded ? NULL : catalog,
      .service = service,
      .bounded = true,
      .output = SL_OUTPUT_TABLE,
      .out = capture,
      .vars = vars,
      .nvars = 3,
  };
  sl_session *s = NULL;
  if (rc == SL_OK) {
    printf("\nsluice demo, part 2: payment fraud (queries/fraud.sql)\n");
    printf("%ld payments over %d days, seed %ld: the models learn from "
           "the first %d days,\nare evaluated on the next, and the "
           "payments from %s on are scored live\n\n", args->payments,
           FRAUD_DAYS, args->seed, FRAUD_DAYS - 2, when);
    fflush(stdout);
    rc = sl_session_open(&sopts, &s, &err);
  }

  /* The history is replayed; fraud.sql computes its features, trains
   * and evaluates the models, and every query runs to the end of its
   * input.  Then the live day arrives while the queries run. */
  if (rc == SL_OK)
    rc = run_file(s, "fraud_replay.sql", &err);
  if (rc == SL_OK)
    rc = run_file(s, "fraud.sql", &err);
  if (rc == SL_OK)
    rc = sl_session_wait(s, &err);
  if (rc == SL_OK)
    echo_output(capture, &sum);
  if (rc == SL_OK) {
    printf("\nthe live day: %d payments a second while the queries run\n",
           DEMO_LIVE_RATE);
    fflush(stdout);
    rc = run_live(s, g, live_from, prefix, &sum.produce_secs, &sum.produced,
                  &err);
  }

  if (rc == SL_OK)
    rc = reset_capture(capture, &err);
  if (rc == SL_OK)
    rc = sl_session_run_script(s, "<demo>", decisions_sql, &err);
  if (rc == SL_OK)
    rc = read_decisions(capture, g, &sum, &err);
  if (rc == SL_OK) {
    printf("\nblocked payments and the features behind them:\n");
    fflush(stdout);
    sl_session_set_output(s, stdout);
    rc = sl_session_run_script(s, "<demo>", alerts_sql, &err);
  }
  sl_session_close(s);
  if (capture)
    fclose(capture);

  if (rc == SL_OK) {
    print_summary(&sum, prefix);
    printf("\nThe same on a real cluster: sluice demo --brokers HOST:PORT\n"
           "or step by step, as docs/fraud.md explains (the week ends "
           "yesterday there):\n"
           "  mkdir -p data\n"
           "  sluice gen payments --brokers HOST:PORT \\\n"
           "    --start $(date -u -d '7 days ago' +%%Y-%%m-%%dT00:00:00Z) "
           "\\\n"
           "    --merchants-csv data/merchants.csv "
           "--customers-csv data/customers.csv\n"
           "  sluice run --bounded --brokers HOST:PORT --catalog fraud.db "
           "\\\n"
           "    -D data=data -D prefix= \\\n"
           "    -D live_from=$(date -u -d '1 day ago' "
           "+%%Y-%%m-%%dT00:00:00Z) \\\n"
           "    queries/fraud.sql\n");
  } else if (rc != SL_ERR_SQL) {
    char buf[1200];
    fprintf(stderr, "sluice demo: %s\n",
            sl_error_format(&err, buf, sizeof(buf)));
  }
  if (made_dir)
    remove_world(dir);
  free(sum.latency_ms);
  sl_gen_payments_free(g);
  return rc ? sl_error_exit_code(rc) : 0;
}

int sl_cmd_demo(int argc, char **argv) {
  /* The demo shows results; lifecycle lines only when asked for. */
  sl_log_set_level(SL_LOG_WARN);
  demo_args args;
  int rc = parse_args(argc, argv, &args);
  if (rc < 0)
    rc = check_args(&args, on_embedded(&args));
  if (rc >= 0)
    return rc;
  rc = kafka_check(&args);
  if (rc == 0)
    rc = fraud_demo(&args);
  return rc;
}
