/* SPDX-License-Identifier: Apache-2.0 */
/*
 * producer.c - the idempotent producer: queuing records, counting delivery
 * reports and remembering the first failure for flush.
 */
#include "engine/kafka/producer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/kafka/client.h"

/* Delivery reports are served every this many produce calls, so that a
 * caller that only produces and flushes does not let them pile up. */
#define POLL_EVERY 1024

/* Topic handles kept per producer: naming a topic by string makes
 * librdkafka look it up under the client's lock on every record. */
#define TOPIC_CACHE 16

typedef struct cached_topic {
  char *name;
  rd_kafka_topic_t *rkt;
} cached_topic;

struct sl_kafka_producer {
  sl_kafka_client client; /* first: librdkafka's opaque */
  sl_kafka_producer_opts opts;
  atomic_llong produced;
  atomic_llong delivered;
  atomic_llong failed;
  atomic_uint since_poll;
  pthread_mutex_t lock;   /* guards the first failure */
  bool has_failure;
  sl_error failure;
  pthread_mutex_t topics_lock; /* guards the topic handles */
  cached_topic topics[TOPIC_CACHE];
  int ntopics;
};

/* The cached handle of topic, made on first use; NULL when the cache is
 * full or librdkafka refuses (the caller then names the topic). */
static rd_kafka_topic_t *topic_handle(sl_kafka_producer *p,
                                      const char *topic) {
  rd_kafka_topic_t *rkt = NULL;
  pthread_mutex_lock(&p->topics_lock);
  for (int i = 0; i < p->ntopics && !rkt; i++)
    if (!strcmp(p->topics[i].name, topic))
      rkt = p->topics[i].rkt;
  if (!rkt && p->ntopics < TOPIC_CACHE) {
    char *name = strdup(topic);
    rkt = name ? rd_kafka_topic_new(p->client.rk, topic, NULL) : NULL;
    if (rkt) {
      p->topics[p->ntopics].name = name;
      p->topics[p->ntopics++].rkt = rkt;
    } else {
      free(name);
    }
  }
  pthread_mutex_unlock(&p->topics_lock);
  return rkt;
}

/* Runs on the polling thread for every record the broker answered. */
static void delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
  sl_kafka_producer *p = opaque;
  const char *topic = rd_kafka_topic_name(m->rkt);
  sl_kafka_delivery d = {
      .topic = topic,
      .partition = m->partition,
      .offset = m->err ? SL_KAFKA_OFFSET_INVALID : m->offset,
      .opaque = m->_private,
      .status = m->err ? SL_ERR_KAFKA : SL_OK,
      .reason = m->err ? rd_kafka_err2str(m->err) : NULL,
  };

  if (m->err) {
    atomic_fetch_add(&p->failed, 1);
    pthread_mutex_lock(&p->lock);
    if (!p->has_failure) {
      p->has_failure = true;
      sl_kafka_fail_code(&p->failure, rk, topic, m->partition,
                         "delivery failed", m->err);
    }
    pthread_mutex_unlock(&p->lock);
  } else {
    atomic_fetch_add(&p->delivered, 1);
  }
  if (p->opts.on_delivery)
    p->opts.on_delivery(p->opts.ctx, &d);
}

static void producer_conf(rd_kafka_conf_t *conf) {
  rd_kafka_conf_set_dr_msg_cb(conf, delivery_cb);
}

sl_status sl_kafka_producer_new(const sl_kafka_config *cfg,
                                const sl_kafka_producer_opts *opts,
                                sl_kafka_producer **out, sl_error *err) {
  *out = NULL;
  sl_kafka_producer *p = calloc(1, sizeof(*p));
  if (!p)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (opts)
    p->opts = *opts;
  if (p->opts.queue_full_timeout_ms <= 0)
    p->opts.queue_full_timeout_ms = 60000;
  atomic_init(&p->produced, 0);
  atomic_init(&p->delivered, 0);
  atomic_init(&p->failed, 0);
  atomic_init(&p->since_poll, 0);
  pthread_mutex_init(&p->lock, NULL);
  pthread_mutex_init(&p->topics_lock, NULL);

  /* murmur2 places keys on the same partitions as the Java client does,
   * so Sluice and Java producers agree on where a key lives. */
  static const char *const defaults[] = {
      "client.id", "sluice",
      "log.connection.close", "false",
      "enable.idempotence", "true",
      "partitioner", "murmur2_random",
      "linger.ms", "5",
      NULL};
  /* The embedded broker keeps ~5 MB per partition; a burst of unkeyed
   * records on one sticky partition would overflow it. */
  static const char *const embedded_defaults[] = {
      "client.id", "sluice",
      "log.connection.close", "false",
      "enable.idempotence", "true",
      "partitioner", "murmur2_random",
      "linger.ms", "5",
      "sticky.partitioning.linger.ms", "0",
      NULL};
  bool embedded = cfg && sl_kafka_config_embedded(cfg) != NULL;
  sl_status rc = sl_kafka_client_open(
      &p->client, RD_KAFKA_PRODUCER, "producer", cfg,
      embedded ? embedded_defaults : defaults, NULL, producer_conf, err);
  if (rc) {
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->topics_lock);
    free(p);
    return rc;
  }
  *out = p;
  return SL_OK;
}

sl_status sl_kafka_produce(sl_kafka_producer *p, const sl_kafka_record *rec,
                           sl_error *err) {
  rd_kafka_t *rk = p->client.rk;
  rd_kafka_headers_t *hdrs = NULL;
  if (rec->header_count > 0) {
    hdrs = rd_kafka_headers_new(rec->header_count);
    for (size_t i = 0; i < rec->header_count; i++) {
      const sl_kafka_header *h = &rec->headers[i];
      rd_kafka_header_add(hdrs, h->name, -1, h->value,
                          h->value ? (ssize_t)h->size : 0);
    }
  }

  rd_kafka_vu_t vu[9];
  size_t n = 0;
  rd_kafka_topic_t *rkt = topic_handle(p, rec->topic);
  if (rkt) {
    vu[n].vtype = RD_KAFKA_VTYPE_RKT;
    vu[n++].u.rkt = rkt;
  } else {
    vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[n++].u.cstr = rec->topic;
  }
  vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
  vu[n++].u.i32 = rec->partition;
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_KEY;
  vu[n].u.mem.ptr = (void *)rec->key;
  vu[n++].u.mem.size = rec->key ? rec->key_len : 0;
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr = (void *)rec->value;
  vu[n++].u.mem.size = rec->value ? rec->value_len : 0;
  vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  vu[n++].u.i64 = rec->timestamp_ms;
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = rec->opaque;
  if (hdrs) {
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = hdrs;
  }

  int64_t deadline = 0;
  for (;;) {
    rd_kafka_error_t *error = rd_kafka_produceva(rk, vu, n);
    if (!error)
      break;
    rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      /* Make room by serving delivery reports, within the time limit. */
      int64_t now = sl_kafka_now_ms();
      if (!deadline)
        deadline = now + p->opts.queue_full_timeout_ms;
      if (now < deadline) {
        rd_kafka_poll(rk, 50);
        continue;
      }
    }
    /* On failure the headers are still ours. */
    if (hdrs)
      rd_kafka_headers_destroy(hdrs);
    return sl_kafka_fail_code(err, rk, rec->topic, rec->partition,
                              "produce", code);
  }

  atomic_fetch_add(&p->produced, 1);
  if (atomic_fetch_add(&p->since_poll, 1) % POLL_EVERY == POLL_EVERY - 1)
    rd_kafka_poll(rk, 0);
  return SL_OK;
}

int sl_kafka_producer_poll(sl_kafka_producer *p, int timeout_ms) {
  return rd_kafka_poll(p->client.rk, timeout_ms);
}

sl_status sl_kafka_producer_flush(sl_kafka_producer *p, int timeout_ms,
                                  sl_error *err) {
  rd_kafka_resp_err_t code = rd_kafka_flush(p->client.rk, timeout_ms);

  pthread_mutex_lock(&p->lock);
  bool failed = p->has_failure;
  if (failed) {
    if (err)
      *err = p->failure;
    p->has_failure = false;
  }
  pthread_mutex_unlock(&p->lock);
  if (failed)
    return SL_ERR_KAFKA;

  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    sl_kafka_producer_stats st;
    sl_kafka_producer_stats_get(p, &st);
    return sl_error_set(err, SL_ERR_KAFKA, "flush: %lld records still "
                        "outstanding after %d ms",
                        (long long)st.outstanding, timeout_ms);
  }
  if (code)
    return sl_kafka_fail_code(err, p->client.rk, NULL, -1, "flush", code);
  return SL_OK;
}

void sl_kafka_producer_stats_get(sl_kafka_producer *p,
                                 sl_kafka_producer_stats *out) {
  out->produced = atomic_load(&p->produced);
  out->delivered = atomic_load(&p->delivered);
  out->failed = atomic_load(&p->failed);
  out->outstanding = out->produced - out->delivered - out->failed;
}

void sl_kafka_producer_free(sl_kafka_producer *p) {
  if (!p)
    return;

  /* Purged records get failed delivery reports, so callers that track
   * them through on_delivery see every one of them resolved. */
  sl_kafka_producer_stats st;
  sl_kafka_producer_stats_get(p, &st);
  if (st.outstanding > 0) {
    SL_WARN("kafka", "producer closed with %lld records not yet delivered",
            (long long)st.outstanding);
    rd_kafka_purge(p->client.rk,
                   RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(p->client.rk, 1000);
  }
  for (int i = 0; i < p->ntopics; i++) {
    rd_kafka_topic_destroy(p->topics[i].rkt);
    free(p->topics[i].name);
  }
  sl_kafka_client_close(&p->client);
  pthread_mutex_destroy(&p->lock);
  pthread_mutex_destroy(&p->topics_lock);
  free(p);
}
