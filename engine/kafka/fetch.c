/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fetch.c - one record read back by its position (see fetch.h).
 *
 * Outline of a read: assign the partition at the offset (replacing the
 * previous read's assignment) unless the previous read was of the same
 * partition and before it (the usual order of failed rows: then the
 * consumer reads on), then poll until the record at that offset
 * arrives.  A record of another position is left over from an earlier
 * read and skipped; a later offset of the same partition means the one
 * asked for was removed; end of partition means it was never written.
 */
#include "engine/kafka/fetch.h"

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/kafka/client.h"

struct sl_kafka_fetcher {
  sl_kafka_client client;
  rd_kafka_message_t *held;   /* the last record returned */
  char topic[256];            /* what is assigned; "" for nothing */
  int32_t partition;
  int64_t next;               /* the offset the consumer reads next */
};

sl_status sl_kafka_fetcher_new(const sl_kafka_config *cfg,
                               sl_kafka_fetcher **out, sl_error *err) {
  *out = NULL;
  sl_kafka_fetcher *f = calloc(1, sizeof(*f));
  if (!f)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");

  /* assign() needs a group id, though this one is never joined. */
  static atomic_uint seq;
  char group[64];
  snprintf(group, sizeof(group), "sluice-fetch-%ld-%u", (long)getpid(),
           atomic_fetch_add(&seq, 1));
  const char *defaults[] = {"fetch.wait.max.ms", "10",
                            "queued.min.messages", "1",
                            "queued.max.messages.kbytes", "1024",
                            "log.connection.close", "false", NULL};
  const char *overrides[] = {"group.id", group,
                             "enable.auto.commit", "false",
                             "enable.auto.offset.store", "false",
                             "enable.partition.eof", "true",
                             "auto.offset.reset", "error", NULL};
  sl_status rc = sl_kafka_client_open(&f->client, RD_KAFKA_CONSUMER,
                                      "consumer", cfg, defaults, overrides,
                                      NULL, err);
  if (rc) {
    free(f);
    return rc;
  }
  rd_kafka_poll_set_consumer(f->client.rk);
  *out = f;
  return SL_OK;
}

/* A failed read leaves the consumer somewhere unknown: the next one
 * assigns afresh.  Returns rc. */
static sl_status forget(sl_kafka_fetcher *f, sl_status rc) {
  f->topic[0] = '\0';
  return rc;
}

static void release(sl_kafka_fetcher *f) {
  if (f->held)
    rd_kafka_message_destroy(f->held);
  f->held = NULL;
}

/* Whether m is about the partition being read. */
static bool is_ours(const rd_kafka_message_t *m, const char *topic,
                    int32_t partition) {
  return m->rkt && m->partition == partition &&
         !strcmp(rd_kafka_topic_name(m->rkt), topic);
}

/* An offset outside the partition's log: before its start (deleted by
 * retention) or at or past its end (never written). */
static sl_status out_of_range(sl_kafka_fetcher *f, const char *topic,
                              int32_t partition, int64_t offset,
                              const char *what, sl_error *err) {
  int64_t low = -1, high = -1;
  if (sl_kafka_watermarks(&f->client, topic, partition, 5000, &low, &high,
                          err))
    return err->code;
  return sl_kafka_fail(err, topic, partition, what,
                       offset < low
                           ? "the record was deleted (retention)"
                           : "no such record (past the partition's end)");
}

sl_status sl_kafka_fetch(sl_kafka_fetcher *f, const char *topic,
                         int32_t partition, int64_t offset, int timeout_ms,
                         sl_kafka_fetched *out, sl_error *err) {
  release(f);
  bool onward = f->partition == partition && offset >= f->next &&
                !strcmp(f->topic, topic);
  if (!onward) {
    rd_kafka_topic_partition_list_t *list =
        rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic, partition)->offset =
        offset;
    rd_kafka_resp_err_t code = rd_kafka_assign(f->client.rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    f->topic[0] = '\0';
    if (code)
      return sl_kafka_fail_code(err, f->client.rk, topic, partition,
                                "reading a record back", code);
    snprintf(f->topic, sizeof(f->topic), "%s", topic);
    f->partition = partition;
  }

  char what[64];
  snprintf(what, sizeof(what), "reading back offset %lld", (long long)offset);
  int64_t deadline = sl_kafka_now_ms() + timeout_ms;
  for (;;) {
    int64_t left = deadline - sl_kafka_now_ms();
    if (left <= 0)
      return forget(f, sl_kafka_fail(err, topic, partition, what,
                                     "timed out"));
    rd_kafka_message_t *m = rd_kafka_consumer_poll(f->client.rk, (int)left);
    if (!m)
      continue;
    if (!is_ours(m, topic, partition)) {
      rd_kafka_message_destroy(m);
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      rd_kafka_message_destroy(m);
      /* The end came first: past it when the log ends at or before the
       * offset (an end reported for an earlier read may pass by). */
      int64_t low = -1, high = -1;
      if (sl_kafka_watermarks(&f->client, topic, partition, 5000, &low,
                              &high, err))
        return forget(f, err->code);
      if (offset >= high)
        return forget(f, sl_kafka_fail(err, topic, partition, what,
                                       "no such record (past the "
                                       "partition's end)"));
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
        m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      rd_kafka_message_destroy(m);
      return forget(f, out_of_range(f, topic, partition, offset, what,
                                    err));
    }
    if (m->err) {
      sl_status rc = sl_kafka_fail_code(err, f->client.rk, topic, partition,
                                        what, m->err);
      rd_kafka_message_destroy(m);
      return forget(f, rc);
    }
    if (m->offset < offset) {
      rd_kafka_message_destroy(m);
      continue;
    }
    if (m->offset > offset) {
      rd_kafka_message_destroy(m);
      return forget(f, sl_kafka_fail(err, topic, partition, what,
                                     "the record was removed "
                                     "(compaction)"));
    }
    f->held = m;
    f->next = m->offset + 1;
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    *out = (sl_kafka_fetched){
        .key = m->key,
        .key_len = m->key ? m->key_len : 0,
        .value = m->payload,
        .value_len = m->payload ? m->len : 0,
        .timestamp_ms = tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts,
    };
    return SL_OK;
  }
}

void sl_kafka_fetcher_free(sl_kafka_fetcher *f) {
  if (!f)
    return;
  release(f);
  if (f->client.rk)
    rd_kafka_consumer_close(f->client.rk);
  sl_kafka_client_close(&f->client);
  free(f);
}
