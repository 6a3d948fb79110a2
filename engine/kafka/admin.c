/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin.c - topic administration over the Admin API, or the mock cluster
 * on the embedded broker.
 *
 * The admin client is a librdkafka consumer handle without a group: admin
 * requests work from any handle type, and a consumer's metadata requests
 * do not auto-create the topics they ask about.
 *
 * Before its first operation the client asks the cluster for its brokers
 * and its controller.  A cluster that names no controller among its
 * brokers cannot serve CreateTopics (the request would wait for one until
 * it times out): it is librdkafka's mock cluster, which also creates any
 * topic a metadata request names.  Lookups there list all topics, and
 * topics are created through the requests topic of a `sluice broker`
 * (broker.h), or creation fails at once when there is none.
 */
#include "engine/kafka/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/client.h"

#define ADMIN_TIMEOUT_MS 30000
#define METADATA_TIMEOUT_MS 10000
/* How long a `sluice broker` may take to carry out a creation request. */
#define REQUEST_TIMEOUT_MS 10000

struct sl_kafka_admin {
  sl_kafka_client client;
  sl_kafka_broker *embedded;  /* the embedded broker of this process */
  sl_kafka_config *cfg;       /* a copy, for the requests producer */
  bool probed;                /* the controller has been looked for */
  bool no_controller;         /* a mock cluster in another process */
};

sl_status sl_kafka_admin_new(const sl_kafka_config *cfg,
                             sl_kafka_admin **out, sl_error *err) {
  *out = NULL;
  sl_kafka_admin *a = calloc(1, sizeof(*a));
  if (!a)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  static const char *const defaults[] = {
      "client.id", "sluice-admin",
      "log.connection.close", "false",
      NULL};
  /* false is a consumer's default; setting it when the user did not
   * would only make librdkafka warn, on every handle, that a broker
   * without Metadata v4 (the embedded one) cannot obey it. */
  static const char *const overrides[] = {
      "allow.auto.create.topics", "false",
      NULL};
  bool forced =
      cfg && sl_kafka_config_get(cfg, "allow.auto.create.topics") != NULL;
  sl_status rc = sl_kafka_client_open(&a->client, RD_KAFKA_CONSUMER, "admin",
                                      cfg, defaults,
                                      forced ? overrides : NULL, NULL, err);
  if (rc) {
    free(a);
    return rc;
  }
  a->embedded = sl_kafka_config_embedded(cfg);
  a->probed = a->embedded != NULL;
  if (cfg) {
    a->cfg = sl_kafka_config_copy(cfg);
    if (!a->cfg) {
      sl_kafka_admin_free(a);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
  }
  *out = a;
  return SL_OK;
}

void sl_kafka_admin_free(sl_kafka_admin *a) {
  if (!a)
    return;
  sl_kafka_client_close(&a->client);
  sl_kafka_config_free(a->cfg);
  free(a);
}

/* Looks for the cluster's controller once, with a metadata request that
 * names no topic (so that it creates none).  Without one the client
 * treats the cluster as the embedded broker for lookups.  topic (may be
 * NULL) is the one the caller is about to work on, named in errors. */
static sl_status probe(sl_kafka_admin *a, const char *topic,
                       sl_error *err) {
  if (a->probed)
    return SL_OK;
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t code = rd_kafka_metadata(a->client.rk, 0, NULL, &md,
                                               METADATA_TIMEOUT_MS);
  if (code)
    return sl_kafka_fail_code(err, a->client.rk, topic, -1, "metadata",
                              code);
  int32_t controller = rd_kafka_controllerid(a->client.rk, 0);
  bool found = false;
  for (int i = 0; i < md->broker_cnt && !found; i++)
    found = controller >= 0 && md->brokers[i].id == controller;
  rd_kafka_metadata_destroy(md);

  a->probed = true;
  a->no_controller = !found;
  if (a->no_controller) {
    SL_DEBUG("kafka", "the cluster names no controller (%d): a mock "
             "cluster; listing topics instead of naming them",
             (int)controller);
    a->client.embedded = true;
  }
  return SL_OK;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits until the leader of every partition answers for it: metadata can
 * name a leader a moment before the leader serves the partition. */
static sl_status wait_leaders_answer(sl_kafka_admin *a, const char *topic,
                                     int partitions, sl_error *err) {
  for (int32_t p = 0; p < partitions; p++) {
    int64_t low, high;
    sl_status rc = sl_kafka_watermarks(&a->client, topic, p, ADMIN_TIMEOUT_MS,
                                       &low, &high, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Waits up to timeout_ms until the cluster lists topic with want
 * partitions (any number when want < 1), each with a leader, and sets
 * *listed (may be NULL) to their number; or, with gone, until it is no
 * longer listed. */
static sl_status wait_topic(sl_kafka_admin *a, const char *topic, int want,
                            bool gone, int timeout_ms, int *listed,
                            sl_error *err) {
  int64_t deadline = sl_kafka_now_ms() + timeout_ms;
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR__TIMED_OUT;
  for (;;) {
    const struct rd_kafka_metadata *md;
    const struct rd_kafka_metadata_topic *t;
    rd_kafka_resp_err_t code = sl_kafka_topic_metadata(
        &a->client, topic, METADATA_TIMEOUT_MS, &md, &t);
    if (!code) {
      bool ready;
      if (gone) {
        ready = !t;
      } else {
        ready = t && !t->err && t->partition_cnt > 0 &&
                (want < 1 || t->partition_cnt == want);
        for (int i = 0; ready && i < t->partition_cnt; i++)
          ready = t->partitions[i].leader >= 0 && !t->partitions[i].err;
      }
      last = t ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
      int partitions = ready && !gone ? t->partition_cnt : 0;
      rd_kafka_metadata_destroy(md);
      if (ready && listed)
        *listed = partitions;
      if (ready)
        return partitions ? wait_leaders_answer(a, topic, partitions, err)
                          : SL_OK;
    } else {
      last = code;
    }
    if (sl_kafka_now_ms() >= deadline)
      return sl_kafka_fail(err, topic, -1,
                           gone ? "waiting for deletion"
                                : "waiting for partition leaders",
                           rd_kafka_err2str(last));
    sleep_ms(100);
  }
}

/* Runs one admin request already issued onto q and returns its result
 * event, or NULL with err filled. */
static rd_kafka_event_t *await_result(rd_kafka_queue_t *q, const char *topic,
                                      const char *what, sl_error *err) {
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);
  if (!ev) {
    sl_kafka_fail(err, topic, -1, what, "no answer from the cluster");
    return NULL;
  }
  if (rd_kafka_event_error(ev)) {
    sl_kafka_fail(err, topic, -1, what, rd_kafka_event_error_string(ev));
    rd_kafka_event_destroy(ev);
    return NULL;
  }
  return ev;
}

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk,
                                              rd_kafka_admin_op_t op) {
  char errstr[256];
  rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
  rd_kafka_AdminOptions_set_request_timeout(o, ADMIN_TIMEOUT_MS, errstr,
                                            sizeof(errstr));
  rd_kafka_AdminOptions_set_operation_timeout(o, ADMIN_TIMEOUT_MS, errstr,
                                              sizeof(errstr));
  return o;
}

static sl_status create_on_cluster(sl_kafka_admin *a, const char *topic,
                                   int partitions, int replication,
                                   const sl_kafka_config *topic_config,
                                   bool if_not_exists, bool *created,
                                   sl_error *err) {
  rd_kafka_t *rk = a->client.rk;
  char errstr[512];
  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(
      topic, partitions, replication, errstr, sizeof(errstr));
  if (!nt)
    return sl_kafka_fail(err, topic, -1, "create topic", errstr);
  size_t n = topic_config ? sl_kafka_config_count(topic_config) : 0;
  for (size_t i = 0; i < n; i++) {
    rd_kafka_resp_err_t code = rd_kafka_NewTopic_set_config(
        nt, sl_kafka_config_key(topic_config, i),
        sl_kafka_config_value(topic_config, i));
    if (code) {
      rd_kafka_NewTopic_destroy(nt);
      return sl_kafka_fail_code(err, rk, topic, -1, "create topic", code);
    }
  }

  rd_kafka_AdminOptions_t *o = admin_options(rk,
                                             RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, o, q);
  rd_kafka_event_t *ev = await_result(q, topic, "create topic", err);
  sl_status rc = ev ? SL_OK : SL_ERR_KAFKA;
  if (ev) {
    size_t cnt = 0;
    const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(
        rd_kafka_event_CreateTopics_result(ev), &cnt);
    rd_kafka_resp_err_t code =
        cnt == 1 ? rd_kafka_topic_result_error(res[0])
                 : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && if_not_exists) {
      *created = false;
    } else if (code) {
      const char *msg = cnt == 1 ? rd_kafka_topic_result_error_string(res[0])
                                 : NULL;
      rc = sl_kafka_fail(err, topic, -1, "create topic",
                         msg && *msg ? msg : rd_kafka_err2str(code));
    } else {
      *created = true;
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_NewTopic_destroy(nt);
  return rc;
}

static void on_request_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m,
                                 void *opaque) {
  (void)rk;
  (void)opaque;
  *(rd_kafka_resp_err_t *)m->_private = m->err;
}

static void request_conf(rd_kafka_conf_t *conf) {
  rd_kafka_conf_set_dr_msg_cb(conf, on_request_delivered);
}

/* Writes one creation request to the requests topic and waits for the
 * broker to acknowledge it. */
static sl_status send_request(sl_kafka_admin *a, const char *topic,
                              const char *text, sl_error *err) {
  static const char *const defaults[] = {"client.id", "sluice-admin", NULL};
  sl_kafka_client producer;
  sl_status rc = sl_kafka_client_open(&producer, RD_KAFKA_PRODUCER,
                                      "admin requests", a->cfg, defaults,
                                      NULL, request_conf, err);
  if (rc)
    return rc;

  rd_kafka_resp_err_t delivery = RD_KAFKA_RESP_ERR__IN_PROGRESS;
  rd_kafka_resp_err_t code = rd_kafka_producev(
      producer.rk, RD_KAFKA_V_TOPIC(SL_KAFKA_BROKER_REQUESTS_TOPIC),
      RD_KAFKA_V_PARTITION(0),
      RD_KAFKA_V_VALUE((void *)text, strlen(text)),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_OPAQUE(&delivery), RD_KAFKA_V_END);
  if (!code) {
    rd_kafka_flush(producer.rk, REQUEST_TIMEOUT_MS);
    code = delivery == RD_KAFKA_RESP_ERR__IN_PROGRESS
               ? RD_KAFKA_RESP_ERR__TIMED_OUT
               : delivery;
  }
  if (code)
    rc = sl_kafka_fail_code(err, producer.rk, topic, -1,
                            "create topic: sending the request to "
                            SL_KAFKA_BROKER_REQUESTS_TOPIC, code);
  sl_kafka_client_close(&producer);
  return rc;
}

/* Creation on a cluster without a controller: through the requests topic
 * of a `sluice broker`, which is the only way there.  Everything the
 * broker would refuse is checked here first, since it cannot answer. */
static sl_status create_through_broker(sl_kafka_admin *a, const char *topic,
                                       int partitions, int replication,
                                       const sl_kafka_config *topic_config,
                                       bool if_not_exists, sl_error *err) {
  if (partitions < 1)
    partitions = 4;
  if (replication < 1)
    replication = 1;
  if (topic_config && sl_kafka_config_count(topic_config) > 0)
    SL_DEBUG("kafka", "%s: the embedded broker ignores topic properties",
             topic);

  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t code = rd_kafka_metadata(a->client.rk, 1, NULL, &md,
                                               METADATA_TIMEOUT_MS);
  if (code)
    return sl_kafka_fail_code(err, a->client.rk, topic, -1, "create topic",
                              code);
  bool exists = false, serves = false;
  for (int i = 0; i < md->topic_cnt; i++) {
    exists = exists || strcmp(md->topics[i].topic, topic) == 0;
    serves = serves || strcmp(md->topics[i].topic,
                              SL_KAFKA_BROKER_REQUESTS_TOPIC) == 0;
  }
  int brokers = md->broker_cnt;
  rd_kafka_metadata_destroy(md);
  if (exists)
    return if_not_exists
               ? SL_OK
               : sl_kafka_fail_code(err, NULL, topic, -1, "create topic",
                                    RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  if (!serves)
    return sl_kafka_fail(err, topic, -1, "create topic",
                         "the cluster names no controller and serves no "
                         "topic creation requests (a mock cluster other "
                         "than `sluice broker`?)");
  sl_status rc = sl_kafka_broker_check_topic(topic, partitions, replication,
                                             brokers, err);
  if (rc)
    return rc;

  char text[512];
  snprintf(text, sizeof(text), "%s %s %d %d", SL_KAFKA_BROKER_CREATE_VERB,
           topic, partitions, replication);
  rc = send_request(a, topic, text, err);
  if (rc)
    return rc;

  /* Another client may have created the topic meanwhile: with other
   * partitions it was not this request's doing. */
  int listed = 0;
  if (wait_topic(a, topic, -1, false, REQUEST_TIMEOUT_MS, &listed, err))
    return sl_kafka_fail(err, topic, -1, "create topic",
                         "the broker did not create the topic within 10 s "
                         "(its log says why)");
  if (listed != partitions && !if_not_exists)
    return sl_kafka_fail_code(err, NULL, topic, -1, "create topic",
                              RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  return SL_OK;
}

sl_status sl_kafka_admin_create_topic(sl_kafka_admin *a, const char *topic,
                                      int partitions, int replication,
                                      const sl_kafka_config *topic_config,
                                      bool if_not_exists, sl_error *err) {
  if (a->embedded) {
    if (topic_config && sl_kafka_config_count(topic_config) > 0)
      SL_DEBUG("kafka", "%s: the embedded broker ignores topic properties",
               topic);
    sl_status rc = sl_kafka_broker_create_topic(a->embedded, topic,
                                                partitions, replication,
                                                err);
    if (rc == SL_OK || !if_not_exists)
      return rc;
    bool exists = false;
    sl_error probe;
    if (sl_kafka_admin_topic_exists(a, topic, &exists, &probe) == SL_OK &&
        exists)
      return SL_OK;
    return rc;
  }

  sl_status rc = probe(a, topic, err);
  if (rc)
    return rc;
  if (a->no_controller)
    return create_through_broker(a, topic, partitions, replication,
                                 topic_config, if_not_exists, err);

  bool created = false;
  rc = create_on_cluster(a, topic, partitions, replication, topic_config,
                         if_not_exists, &created, err);
  if (rc)
    return rc;
  return wait_topic(a, topic, created ? partitions : -1, false,
                    ADMIN_TIMEOUT_MS, NULL, err);
}

sl_status sl_kafka_admin_delete_topic(sl_kafka_admin *a, const char *topic,
                                      sl_error *err) {
  if (probe(a, topic, err))
    return err->code;
  if (a->embedded || a->no_controller)
    return sl_kafka_fail(err, topic, -1, "delete topic",
                         a->embedded ? "the embedded broker cannot delete "
                                       "topics"
                                     : "the cluster names no controller to "
                                       "delete topics with");

  rd_kafka_t *rk = a->client.rk;
  rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
  rd_kafka_AdminOptions_t *o = admin_options(rk,
                                             RD_KAFKA_ADMIN_OP_DELETETOPICS);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_DeleteTopics(rk, &dt, 1, o, q);
  rd_kafka_event_t *ev = await_result(q, topic, "delete topic", err);
  sl_status rc = ev ? SL_OK : SL_ERR_KAFKA;
  if (ev) {
    size_t cnt = 0;
    const rd_kafka_topic_result_t **res = rd_kafka_DeleteTopics_result_topics(
        rd_kafka_event_DeleteTopics_result(ev), &cnt);
    rd_kafka_resp_err_t code =
        cnt == 1 ? rd_kafka_topic_result_error(res[0])
                 : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    if (code)
      rc = sl_kafka_fail_code(err, rk, topic, -1, "delete topic", code);
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_DeleteTopic_destroy(dt);
  if (rc)
    return rc;
  return wait_topic(a, topic, -1, true, ADMIN_TIMEOUT_MS, NULL, err);
}

sl_status sl_kafka_admin_topic_exists(sl_kafka_admin *a, const char *topic,
                                      bool *exists, sl_error *err) {
  if (probe(a, topic, err))
    return err->code;
  const struct rd_kafka_metadata *md;
  const struct rd_kafka_metadata_topic *t;
  rd_kafka_resp_err_t code = sl_kafka_topic_metadata(
      &a->client, topic, METADATA_TIMEOUT_MS, &md, &t);
  if (code)
    return sl_kafka_fail_code(err, a->client.rk, topic, -1, "metadata",
                              code);
  rd_kafka_resp_err_t terr = t ? t->err : RD_KAFKA_RESP_ERR_NO_ERROR;
  bool found = t != NULL;
  rd_kafka_metadata_destroy(md);
  if (!found) {
    *exists = false;
    return SL_OK;
  }
  if (terr && terr != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
    return sl_kafka_fail_code(err, a->client.rk, topic, -1, "metadata",
                              terr);
  *exists = true;
  return SL_OK;
}

void sl_kafka_topic_info_free(sl_kafka_topic_info *info) {
  if (!info)
    return;
  free(info->name);
  free(info->partitions);
  free(info);
}

sl_status sl_kafka_admin_describe_topic(sl_kafka_admin *a, const char *topic,
                                        sl_kafka_topic_info **out,
                                        sl_error *err) {
  *out = NULL;
  if (probe(a, topic, err))
    return err->code;
  rd_kafka_t *rk = a->client.rk;
  const struct rd_kafka_metadata *md;
  const struct rd_kafka_metadata_topic *t;
  rd_kafka_resp_err_t code = sl_kafka_topic_metadata(
      &a->client, topic, METADATA_TIMEOUT_MS, &md, &t);
  if (code)
    return sl_kafka_fail_code(err, rk, topic, -1, "describe", code);
  if (!t || t->err) {
    code = t ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    rd_kafka_metadata_destroy(md);
    return sl_kafka_fail_code(err, rk, topic, -1, "describe", code);
  }

  sl_status rc = SL_OK;
  sl_kafka_topic_info *info = calloc(1, sizeof(*info));
  if (info) {
    info->name = strdup(topic);
    info->partitions = calloc((size_t)t->partition_cnt + 1,
                              sizeof(*info->partitions));
  }
  if (!info || !info->name || !info->partitions) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    goto done;
  }
  info->partition_count = t->partition_cnt;
  for (int i = 0; i < t->partition_cnt; i++) {
    const struct rd_kafka_metadata_partition *mp = &t->partitions[i];
    if (mp->id < 0 || mp->id >= t->partition_cnt) {
      rc = sl_kafka_fail(err, topic, mp->id, "describe",
                         "partition id out of range in metadata");
      goto done;
    }
    sl_kafka_partition_info *pi = &info->partitions[mp->id];
    pi->id = mp->id;
    pi->leader = mp->leader;
    pi->replicas = mp->replica_cnt;
    if (mp->id == 0)
      info->replication = mp->replica_cnt;
  }
  for (int32_t p = 0; p < info->partition_count; p++) {
    sl_kafka_partition_info *pi = &info->partitions[p];
    rc = sl_kafka_watermarks(&a->client, topic, p, METADATA_TIMEOUT_MS,
                             &pi->low, &pi->high, err);
    if (rc)
      goto done;
  }

done:
  rd_kafka_metadata_destroy(md);
  if (rc)
    sl_kafka_topic_info_free(info);
  else
    *out = info;
  return rc;
}

static int compare_names(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

void sl_kafka_names_free(char **names, size_t count) {
  if (!names)
    return;
  for (size_t i = 0; i < count; i++)
    free(names[i]);
  free(names);
}

sl_status sl_kafka_admin_list_topics(sl_kafka_admin *a, bool include_internal,
                                     char ***names, size_t *count,
                                     sl_error *err) {
  *names = NULL;
  *count = 0;
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t code = rd_kafka_metadata(a->client.rk, 1, NULL, &md,
                                               METADATA_TIMEOUT_MS);
  if (code)
    return sl_kafka_fail_code(err, a->client.rk, NULL, -1, "list topics",
                              code);

  char **list = calloc((size_t)md->topic_cnt + 1, sizeof(*list));
  size_t n = 0;
  sl_status rc = list ? SL_OK
                      : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int i = 0; rc == SL_OK && i < md->topic_cnt; i++) {
    const char *name = md->topics[i].topic;
    if (!include_internal && strncmp(name, "__", 2) == 0)
      continue;
    list[n] = strdup(name);
    if (!list[n])
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    else
      n++;
  }
  rd_kafka_metadata_destroy(md);
  if (rc) {
    sl_kafka_names_free(list, n);
    return rc;
  }
  qsort(list, n, sizeof(*list), compare_names);
  *names = list;
  *count = n;
  return SL_OK;
}

sl_status sl_kafka_admin_watermarks(sl_kafka_admin *a, const char *topic,
                                    int32_t partition, int64_t *low,
                                    int64_t *high, sl_error *err) {
  if (probe(a, topic, err))
    return err->code;
  return sl_kafka_watermarks(&a->client, topic, partition,
                             METADATA_TIMEOUT_MS, low, high, err);
}
