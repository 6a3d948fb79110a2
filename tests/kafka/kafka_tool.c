/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka_tool.c - a small command-line client built on engine/kafka, for
 * the interoperability test with kcat (kcat_interop.sh).
 *
 *   kafka_tool version
 *   kafka_tool create BROKERS TOPIC PARTITIONS
 *   kafka_tool delete BROKERS TOPIC
 *   kafka_tool produce BROKERS TOPIC [NAME=VALUE...]
 *   kafka_tool consume BROKERS TOPIC [GROUP]
 *
 * produce reads "key<TAB>value" lines from standard input, the way
 * `kcat -P -K '\t' -Z` does: a line without a tab has no key, an empty
 * value is a null value (tombstone); every record gets the headers given.
 * consume reads the topic up to the end it has when it starts (with
 * assign(), or as a member of GROUP, committing at the end) and prints
 * each record as `kcat -Z -f '%p\t%o\t%k\t%s\t%h\n'` would: NULL for a
 * missing key or value, headers as name=value joined by commas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kafka/admin.h"
#include "engine/kafka/consumer.h"
#include "engine/kafka/producer.h"

#define MAX_HEADERS 16

static int fail(const char *what, const sl_error *err) {
  char buf[1200];
  fprintf(stderr, "kafka_tool: %s: %s\n", what,
          sl_error_format(err, buf, sizeof(buf)));
  return sl_error_exit_code(err->code);
}

static sl_kafka_config *config_for(const char *brokers) {
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  if (!cfg || sl_kafka_config_set(cfg, "bootstrap.servers", brokers, &err)) {
    fprintf(stderr, "kafka_tool: cannot build the configuration\n");
    exit(3);
  }
  return cfg;
}

static int admin_command(const char *cmd, const char *brokers,
                         const char *topic, int partitions) {
  sl_kafka_config *cfg = config_for(brokers);
  sl_kafka_admin *admin;
  sl_error err;
  int rc = 0;
  if (sl_kafka_admin_new(cfg, &admin, &err)) {
    rc = fail("admin", &err);
  } else {
    sl_status st = strcmp(cmd, "create") == 0
                       ? sl_kafka_admin_create_topic(admin, topic,
                                                     partitions, -1, NULL,
                                                     false, &err)
                       : sl_kafka_admin_delete_topic(admin, topic, &err);
    if (st)
      rc = fail(cmd, &err);
    sl_kafka_admin_free(admin);
  }
  sl_kafka_config_free(cfg);
  return rc;
}

static int produce(const char *brokers, const char *topic, int nheaders,
                   char **header_args) {
  sl_kafka_header headers[MAX_HEADERS];
  if (nheaders > MAX_HEADERS) {
    fprintf(stderr, "kafka_tool: at most %d headers\n", MAX_HEADERS);
    return 2;
  }
  for (int i = 0; i < nheaders; i++) {
    char *eq = strchr(header_args[i], '=');
    if (!eq) {
      fprintf(stderr, "kafka_tool: header \"%s\" is not NAME=VALUE\n",
              header_args[i]);
      return 2;
    }
    *eq = '\0';
    headers[i] = (sl_kafka_header){header_args[i], eq + 1, strlen(eq + 1)};
  }

  sl_kafka_config *cfg = config_for(brokers);
  sl_kafka_producer *p;
  sl_error err;
  if (sl_kafka_producer_new(cfg, NULL, &p, &err)) {
    sl_kafka_config_free(cfg);
    return fail("producer", &err);
  }

  int rc = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long count = 0;
  while (rc == 0 && (len = getline(&line, &cap, stdin)) >= 0) {
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    char *tab = strchr(line, '\t');
    const char *key = NULL, *value = line;
    if (tab) {
      *tab = '\0';
      key = line;
      value = tab + 1;
    }
    sl_kafka_record rec = {.topic = topic,
                           .partition = SL_KAFKA_PARTITION_ANY,
                           .key = key, .key_len = key ? strlen(key) : 0,
                           .value = *value ? value : NULL,
                           .value_len = strlen(value),
                           .headers = headers,
                           .header_count = (size_t)nheaders};
    if (sl_kafka_produce(p, &rec, &err))
      rc = fail("produce", &err);
    else
      count++;
  }
  free(line);
  if (rc == 0 && sl_kafka_producer_flush(p, 60000, &err))
    rc = fail("flush", &err);
  if (rc == 0)
    fprintf(stderr, "kafka_tool: produced %ld records to %s\n", count,
            topic);
  sl_kafka_producer_free(p);
  sl_kafka_config_free(cfg);
  return rc;
}

static void print_bytes(const void *data, size_t len) {
  if (!data)
    fputs("NULL", stdout);
  else
    fwrite(data, 1, len, stdout);
}

static void print_record(const sl_kafka_msg *m) {
  printf("%d\t%lld\t", (int)m->partition, (long long)m->offset);
  print_bytes(m->key, m->key_len);
  putchar('\t');
  print_bytes(m->value, m->value_len);
  putchar('\t');
  size_t n = sl_kafka_msg_header_count(m);
  for (size_t i = 0; i < n; i++) {
    sl_kafka_header h;
    if (!sl_kafka_msg_header_at(m, i, &h))
      break;
    printf("%s%s=", i ? "," : "", h.name);
    if (h.value)
      fwrite(h.value, 1, h.size, stdout);
  }
  putchar('\n');
}

static int consume(const char *brokers, const char *topic,
                   const char *group) {
  sl_kafka_config *cfg = config_for(brokers);
  sl_kafka_consumer_opts opts = {.group_id = group};
  sl_kafka_consumer *c;
  sl_error err;
  if (sl_kafka_consumer_new(cfg, &opts, &c, &err)) {
    sl_kafka_config_free(cfg);
    return fail("consumer", &err);
  }

  sl_status st;
  if (group) {
    const char *topics[] = {topic};
    st = sl_kafka_consumer_bound(c, topic, &err);
    if (st == SL_OK)
      st = sl_kafka_consumer_subscribe(c, topics, 1, &err);
  } else {
    st = sl_kafka_consumer_assign_topic(c, topic, SL_KAFKA_OFFSET_BEGINNING,
                                        true, &err);
  }

  sl_kafka_batch b;
  if (st == SL_OK)
    st = sl_kafka_batch_init(&b, 1000, &err);
  else
    memset(&b, 0, sizeof(b));
  long count = 0;
  int idle_polls = 0;
  while (st == SL_OK && !sl_kafka_consumer_at_end(c)) {
    st = sl_kafka_consumer_poll(c, &b, 200, &err);
    for (size_t i = 0; i < b.count; i++)
      print_record(&b.msgs[i]);
    count += (long)b.count;
    idle_polls = b.count ? 0 : idle_polls + 1;
    if (idle_polls > 300) /* 60 s without a record */
      st = sl_error_set(&err, SL_ERR_KAFKA, "%s: no records for 60 s after "
                        "%ld", topic, count);
  }
  if (st == SL_OK && group) {
    sl_kafka_position pos[64];
    size_t n = sl_kafka_consumer_positions(c, pos, 64);
    size_t keep = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
      if (pos[i].offset >= 0)
        pos[keep++] = pos[i];
    }
    st = sl_kafka_consumer_commit(c, pos, keep, &err);
  }
  int rc = st ? fail("consume", &err) : 0;
  if (rc == 0)
    fprintf(stderr, "kafka_tool: consumed %ld records from %s\n", count,
            topic);
  sl_kafka_batch_destroy(&b);
  sl_kafka_consumer_free(c);
  sl_kafka_config_free(cfg);
  return rc;
}

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : "";
  if (strcmp(cmd, "version") == 0) {
    printf("librdkafka %s\n", sl_kafka_library_version());
    return 0;
  }
  if (strcmp(cmd, "create") == 0 && argc == 5)
    return admin_command(cmd, argv[2], argv[3], atoi(argv[4]));
  if (strcmp(cmd, "delete") == 0 && argc == 4)
    return admin_command(cmd, argv[2], argv[3], 0);
  if (strcmp(cmd, "produce") == 0 && argc >= 4)
    return produce(argv[2], argv[3], argc - 4, argv + 4);
  if (strcmp(cmd, "consume") == 0 && (argc == 4 || argc == 5))
    return consume(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
  fprintf(stderr,
          "usage: kafka_tool version\n"
          "       kafka_tool create BROKERS TOPIC PARTITIONS\n"
          "       kafka_tool delete BROKERS TOPIC\n"
          "       kafka_tool produce BROKERS TOPIC [NAME=VALUE...]\n"
          "       kafka_tool consume BROKERS TOPIC [GROUP]\n");
  return 2;
}
