/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_project_bench.c - the helper program of the filter+projection
 * benchmark (bench/run.sh): loads the input records, runs the raw
 * librdkafka consume-and-produce loop that is the ceiling, and measures
 * any command's wall time and whole-process CPU.
 *
 *   filter_project_bench load --brokers B --topic T --partitions P
 *                             --records N
 *       creates T and writes N JSON payment records to it, the same ones
 *       for the same N (before any timing starts);
 *   filter_project_bench raw --brokers B --in T --out U
 *       copies every record of T, as it was when the loop started, to U
 *       with plain librdkafka calls, then waits for every delivery;
 *   filter_project_bench measure --records N --label L -- CMD ARGS...
 *       runs CMD and prints one CSV line: label, records, wall seconds,
 *       CPU seconds of the whole child process (user + system, every
 *       thread: librdkafka's included), records/s, records/s per core.
 *
 * The raw loop is tuned like Sluice's own clients (batch consumption,
 * the same fetch settings, an idempotent producer) so that the ratio
 * compares the engine's work per record, not client settings.
 */
#define _DEFAULT_SOURCE /* wait4() for the child's resource usage */

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *arg(int argc, char **argv, const char *name,
                       const char *def) {
  for (int i = 0; i + 1 < argc; i++)
    if (!strcmp(argv[i], name))
      return argv[i + 1];
  return def;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const char *detail) {
  fprintf(stderr, "filter_project_bench: %s: %s\n", what,
          detail ? detail : "");
  return 3;
}

static rd_kafka_conf_t *base_conf(const char *brokers) {
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers, errstr,
                    sizeof(errstr));
  return conf;
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK)
    fprintf(stderr, "filter_project_bench: %s=%s: %s\n", k, v, errstr);
}

static rd_kafka_t *new_producer(const char *brokers) {
  char errstr[512];
  rd_kafka_conf_t *conf = base_conf(brokers);
  set(conf, "enable.idempotence", "true");
  set(conf, "queue.buffering.max.messages", "1000000");
  return rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
}

/* Produces with retries while the local queue is full.  The topic goes
 * by handle: naming it makes librdkafka look it up on every record, a
 * cost the ceiling must not carry (Sluice's producer keeps handles). */
static int produce(rd_kafka_t *p, rd_kafka_topic_t *rkt, int32_t part,
                   const void *key, size_t klen, const void *val,
                   size_t vlen) {
  for (;;) {
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY((void *)key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
        RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
      return 0;
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return die("produce", rd_kafka_err2str(e));
    rd_kafka_poll(p, 10);
  }
}

/* ------------------------------------------------------------------ */
/* load                                                                */
/* ------------------------------------------------------------------ */

static int cmd_load(int argc, char **argv) {
  const char *brokers = arg(argc, argv, "--brokers", NULL);
  const char *topic = arg(argc, argv, "--topic", "bench_in");
  int parts = atoi(arg(argc, argv, "--partitions", "4"));
  long n = atol(arg(argc, argv, "--records", "1000000"));
  if (!brokers)
    return die("load", "--brokers is required");
  rd_kafka_t *p = new_producer(brokers);
  if (!p)
    return die("load", "cannot create a producer");

  /* The topic, with its partitions. */
  char errstr[512];
  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, parts, 1, errstr,
                                                  sizeof(errstr));
  rd_kafka_queue_t *q = rd_kafka_queue_new(p);
  rd_kafka_CreateTopics(p, &nt, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
  if (ev) {
    const rd_kafka_CreateTopics_result_t *res =
        rd_kafka_event_CreateTopics_result(ev);
    size_t cnt;
    const rd_kafka_topic_result_t **tr =
        rd_kafka_CreateTopics_result_topics(res, &cnt);
    if (cnt && rd_kafka_topic_result_error(tr[0]) &&
        rd_kafka_topic_result_error(tr[0]) !=
            RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      return die("create topic", rd_kafka_topic_result_error_string(tr[0]));
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);

  /* Payments: amount uniform in [0, 100), so amount > 10 keeps 90%. */
  static const char *const notes[] = {"groceries", "fuel", "rent",
                                      "travel and hotel", "online order"};
  static const char *const cur[] = {"EUR", "USD", "GBP", "CHF"};
  rd_kafka_topic_t *out_rkt = rd_kafka_topic_new(p, topic, NULL);
  if (!out_rkt)
    return die("load", "cannot make a topic handle");
  uint64_t x = 88172645463325252ULL;
  char val[256], key[32];
  for (long i = 1; i <= n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int len = snprintf(val, sizeof(val),
                       "{\"id\":%ld,\"merchant\":%d,\"amount\":%d.%02d,"
                       "\"currency\":\"%s\",\"note\":\"%s\"}",
                       i, (int)(x % 5000), (int)((x >> 16) % 100),
                       (int)((x >> 32) % 100), cur[(x >> 40) % 4],
                       notes[(x >> 44) % 5]);
    int klen = snprintf(key, sizeof(key), "%ld", i);
    if (produce(p, out_rkt, RD_KAFKA_PARTITION_UA, key, (size_t)klen, val,
                (size_t)len))
      return 3;
    if ((i & 1023) == 0)
      rd_kafka_poll(p, 0);
  }
  rd_kafka_topic_destroy(out_rkt);
  if (rd_kafka_flush(p, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return die("load", "records not acknowledged in 120 s");
  rd_kafka_destroy(p);
  return 0;
}

/* ------------------------------------------------------------------ */
/* raw                                                                 */
/* ------------------------------------------------------------------ */

static int cmd_raw(int argc, char **argv) {
  const char *brokers = arg(argc, argv, "--brokers", NULL);
  const char *in = arg(argc, argv, "--in", "bench_in");
  const char *out = arg(argc, argv, "--out", "bench_raw_out");
  if (!brokers)
    return die("raw", "--brokers is required");
  char errstr[512];
  rd_kafka_conf_t *conf = base_conf(brokers);
  char group[64];
  snprintf(group, sizeof(group), "bench-raw-%d", (int)getpid());
  set(conf, "group.id", group);
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.auto.offset.store", "false");
  set(conf, "fetch.wait.max.ms", "100");
  set(conf, "queued.min.messages", "1000000");
  set(conf, "queued.max.messages.kbytes", "32768");
  rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr,
                               sizeof(errstr));
  rd_kafka_t *p = new_producer(brokers);
  if (!c || !p)
    return die("raw", "cannot create clients");

  /* Every partition from the beginning to its end now. */
  const rd_kafka_metadata_t *md;
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(c, in, NULL);
  if (rd_kafka_metadata(c, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topic_cnt < 1)
    return die("raw", "no metadata for the input topic");
  int np = md->topics[0].partition_cnt;
  int64_t *end = calloc((size_t)np, sizeof(*end));
  rd_kafka_topic_partition_list_t *list =
      rd_kafka_topic_partition_list_new(np);
  long total = 0;
  for (int i = 0; i < np; i++) {
    int64_t lo, hi;
    int32_t id = md->topics[0].partitions[i].id;
    rd_kafka_query_watermark_offsets(c, in, id, &lo, &hi, 10000);
    end[id] = hi;
    total += (long)(hi - lo);
    rd_kafka_topic_partition_list_add(list, in, id)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_assign(c, list);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(c);
  rd_kafka_topic_t *out_rkt = rd_kafka_topic_new(p, out, NULL);
  if (!out_rkt)
    return die("raw", "cannot make a topic handle");

  rd_kafka_message_t *msgs[1024];
  long copied = 0;
  while (copied < total) {
    ssize_t n = rd_kafka_consume_batch_queue(queue, 100, msgs, 1024);
    for (ssize_t i = 0; i < n; i++) {
      rd_kafka_message_t *m = msgs[i];
      if (!m->err && m->offset < end[m->partition]) {
        if (produce(p, out_rkt, RD_KAFKA_PARTITION_UA, m->key, m->key_len,
                    m->payload, m->len))
          return 3;
        copied++;
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_poll(p, 0);
  }
  rd_kafka_topic_destroy(out_rkt);
  if (rd_kafka_flush(p, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return die("raw", "records not acknowledged in 120 s");
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  rd_kafka_destroy(p);
  free(end);
  fprintf(stderr, "filter_project_bench: raw loop copied %ld records\n",
          copied);
  return 0;
}

/* ------------------------------------------------------------------ */
/* measure                                                             */
/* ------------------------------------------------------------------ */

static int cmd_measure(int argc, char **argv) {
  long n = atol(arg(argc, argv, "--records", "0"));
  const char *label = arg(argc, argv, "--label", "command");
  int cmd = 0;
  for (int i = 0; i < argc; i++)
    if (!strcmp(argv[i], "--")) {
      cmd = i + 1;
      break;
    }
  if (!cmd || cmd >= argc)
    return die("measure", "no command after --");

  double t0 = now_s();
  pid_t pid = fork();
  if (pid < 0)
    return die("measure", "fork failed");
  if (pid == 0) {
    execvp(argv[cmd], argv + cmd);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0)
    return die("measure", "wait failed");
  double wall = now_s() - t0;
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return die("measure", "the command failed");
  printf("%s,%ld,%.3f,%.3f,%.0f,%.0f,%ld\n", label, n, wall, cpu,
         n / wall, cpu > 0 ? n / cpu : 0.0, ru.ru_maxrss / 1024);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: filter_project_bench load|raw|measure ...\n");
    return 2;
  }
  if (!strcmp(argv[1], "load"))
    return cmd_load(argc - 1, argv + 1);
  if (!strcmp(argv[1], "raw"))
    return cmd_raw(argc - 1, argv + 1);
  if (!strcmp(argv[1], "measure"))
    return cmd_measure(argc - 1, argv + 1);
  fprintf(stderr, "filter_project_bench: unknown mode %s\n", argv[1]);
  return 2;
}
