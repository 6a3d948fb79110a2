/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_demo.c - `sluice demo`: a smoke pipeline through the Kafka layer.
 *
 * Produces N JSON records keyed by user over four partitions, reads them
 * back with a consumer group up to the end they had when it started, and
 * checks that every record came back: the counts, an order-independent
 * checksum of keys and values, and no records lost.  It runs on the
 * embedded in-memory broker unless --brokers (or SLUICE_BROKERS) names a
 * cluster.  Results go to standard output, the notice about the embedded
 * broker and logs to standard error.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/script.h"
#include "engine/exec/session.h"
#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"

#define DEMO_PARTITIONS 4
#define DEMO_USERS 1000
#define DEMO_BASE_TS INT64_C(1735689600000) /* 2025-01-01T00:00:00Z */
#define CONSUME_TIMEOUT_MS 120000

static const char demo_help[] =
    "Usage: sluice demo [--records N] [--brokers LIST] [--kafka-config FILE]\n"
    "                   [--log-level LEVEL]\n"
    "\n"
    "Produces N JSON records (default 100000) keyed over 4 partitions,\n"
    "reads them back with a consumer group and checks that every one came\n"
    "back (count and checksum).  Without --brokers or SLUICE_BROKERS it runs\n"
    "on an embedded in-memory broker.\n"
    "\n"
    "  --records N          how many records (default 100000)\n"
    "  --brokers LIST       Kafka bootstrap servers\n"
    "  --kafka-config FILE  librdkafka properties, one key=value a line\n"
    "  --log-level LEVEL    error, warn, info (default) or debug\n"
    "  -h, --help           show this help\n";

typedef struct demo_args {
  long records;
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
      {"brokers", required_argument, NULL, 'b'},
      {"kafka-config", required_argument, NULL, 'k'},
      {"log-level", required_argument, NULL, 'l'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  args->records = 100000;
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

/* Sets up the broker, runs both halves and prints the result. */
static int run_demo(const demo_args *args) {
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
  if (embedded)
    printf("\nOn a real cluster: sluice demo --brokers HOST:PORT (or "
           "SLUICE_BROKERS=HOST:PORT sluice demo)\n");

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

/* Part 2: the loan demo script, trained and served in SQL on the same
 * kind of broker. */
static int run_sql_demo(const demo_args *args) {
  const char *script = SLUICE_SOURCE_DIR "/queries/loan_demo.sql";
  if (access(script, R_OK) != 0) {
    printf("\n(the SQL part of the demo reads %s, which is not here)\n",
           script);
    return 0;
  }
  printf("\nsluice demo, part 2: %s\n", script);
  printf("loans scored by two models trained in the same SQL\n\n");
  fflush(stdout);

  char *text = NULL;
  size_t len = 0;
  const char *name = NULL;
  sl_error err;
  sl_error_clear(&err);
  sl_parse_var vars[] = {{"dir", SLUICE_SOURCE_DIR "/queries"}};
  sl_session_options sopts = {
      .brokers = args->brokers,
      .kafka_config = args->kafka_config,
      .bounded = true,
      .output = SL_OUTPUT_TABLE,
      .vars = vars,
      .nvars = 1,
  };
  sl_session *s = NULL;
  sl_status rc = sl_cli_read_script(script, &text, &len, &name, &err);
  if (rc == SL_OK)
    rc = sl_session_open(&sopts, &s, &err);
  if (rc == SL_OK)
    rc = sl_session_run_script(s, name, text, &err);
  if (rc == SL_OK)
    rc = sl_session_wait(s, &err);
  if (rc)
    sl_cli_report(&err, text, len);
  sl_session_close(s);
  free(text);
  if (rc == SL_OK)
    printf("\nThe same script on a real cluster: sluice run --bounded "
           "--brokers HOST:PORT -D dir=queries queries/loan_demo.sql\n");
  return rc ? sl_error_exit_code(rc) : 0;
}

int sl_cmd_demo(int argc, char **argv) {
  /* The demo shows results; lifecycle lines only when asked for. */
  sl_log_set_level(SL_LOG_WARN);
  demo_args args;
  int rc = parse_args(argc, argv, &args);
  if (rc >= 0)
    return rc;
  rc = run_demo(&args);
  if (rc == 0)
    rc = run_sql_demo(&args);
  return rc;
}
