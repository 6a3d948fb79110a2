/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.c - creating librdkafka handles the Sluice way: defaults, user
 * properties, log and error callbacks, and error formatting.
 */
#include "engine/kafka/client.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/kafka/kafka.h"

const char *sl_kafka_library_version(void) {
  return rd_kafka_version_str();
}

int64_t sl_kafka_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

sl_status sl_kafka_fail(sl_error *err, const char *topic, int32_t partition,
                        const char *what, const char *reason) {
  if (!err)
    return SL_ERR_KAFKA;
  if (topic && partition >= 0)
    sl_error_set(err, SL_ERR_KAFKA, "%s [%d]: %s: %s", topic, (int)partition,
                 what, reason);
  else if (topic)
    sl_error_set(err, SL_ERR_KAFKA, "%s: %s: %s", topic, what, reason);
  else
    sl_error_set(err, SL_ERR_KAFKA, "%s: %s", what, reason);
  snprintf(err->topic, sizeof(err->topic), "%s", topic ? topic : "");
  err->partition = topic ? partition : -1;
  return SL_ERR_KAFKA;
}

sl_status sl_kafka_fail_code(sl_error *err, rd_kafka_t *rk,
                             const char *topic, int32_t partition,
                             const char *what, rd_kafka_resp_err_t code) {
  if (code == RD_KAFKA_RESP_ERR__FATAL && rk) {
    char reason[512];
    rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, reason,
                                                    sizeof(reason));
    if (orig)
      return sl_kafka_fail(err, topic, partition, what, reason);
  }
  return sl_kafka_fail(err, topic, partition, what, rd_kafka_err2str(code));
}

/* librdkafka's own log lines.  Syslog levels 0-4 are faults a user should
 * see, except connection failures, which the error callback already
 * reports, role mismatches of shared config files (a consumer property
 * given to a producer), which are expected, and the embedded broker's
 * lack of support for allow.auto.create.topics. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
  static sl_log_limit limit = SL_LOG_LIMIT_INIT(5, 10000);
  const sl_kafka_client *client = rd_kafka_opaque(rk);
  bool quiet = strcmp(fac, "FAIL") == 0 || strcmp(fac, "CONFWARN") == 0 ||
               (client && client->embedded && strcmp(fac, "AUTOCREATE") == 0);
  if (level <= 4 && !quiet)
    sl_log_ratelimited(&limit, SL_LOG_WARN, "kafka", "%s: %s: %s",
                       rd_kafka_name(rk), fac, buf);
  else
    SL_DEBUG("kafka", "%s: %s: %s", rd_kafka_name(rk), fac, buf);
}

/* Errors raised outside any call (connection loss, all brokers down,
 * fatal idempotence errors).  Retriable ones are warnings: the client
 * keeps trying. */
static void error_cb(rd_kafka_t *rk, int code, const char *reason,
                     void *opaque) {
  static sl_log_limit limit = SL_LOG_LIMIT_INIT(3, 10000);
  sl_kafka_client *client = opaque;
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
    atomic_store(&client->fatal, true);
    SL_ERROR("kafka", "%s: fatal error: %s", client->role, fatal);
    return;
  }
  sl_log_ratelimited(&limit, SL_LOG_WARN, "kafka", "%s: %s", client->role,
                     reason);
}

static sl_status conf_put(rd_kafka_conf_t *conf, const char *key,
                          const char *value, const char *file, int line,
                          sl_error *err) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) ==
      RD_KAFKA_CONF_OK)
    return SL_OK;
  /* librdkafka's message may quote the value. */
  if (sl_log_is_secret_key(key))
    snprintf(errstr, sizeof(errstr), "invalid value for Kafka property "
             "\"%s\"", key);
  if (file)
    return sl_error_set_file(err, SL_ERR_USAGE, file, line, "%s", errstr);
  return sl_error_set(err, SL_ERR_USAGE, "%s", errstr);
}

sl_status sl_kafka_client_open(sl_kafka_client *client, rd_kafka_type_t type,
                               const char *role, const sl_kafka_config *cfg,
                               const char *const *defaults,
                               const char *const *overrides,
                               void (*extra)(rd_kafka_conf_t *conf),
                               sl_error *err) {
  client->rk = NULL;
  client->role = role;
  atomic_init(&client->fatal, false);
  client->embedded = sl_kafka_config_embedded(cfg) != NULL;

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  sl_status rc = SL_OK;
  for (size_t i = 0; defaults && defaults[i]; i += 2) {
    rc = conf_put(conf, defaults[i], defaults[i + 1], NULL, 0, err);
    if (rc)
      goto fail;
  }
  size_t n = cfg ? sl_kafka_config_count(cfg) : 0;
  for (size_t i = 0; i < n; i++) {
    int line;
    const char *file = sl_kafka_config_origin(cfg, i, &line);
    rc = conf_put(conf, sl_kafka_config_key(cfg, i),
                  sl_kafka_config_value(cfg, i), file, line, err);
    if (rc)
      goto fail;
  }
  for (size_t i = 0; overrides && overrides[i]; i += 2) {
    rc = conf_put(conf, overrides[i], overrides[i + 1], NULL, 0, err);
    if (rc)
      goto fail;
  }
  rd_kafka_conf_set_log_cb(conf, log_cb);
  rd_kafka_conf_set_error_cb(conf, error_cb);
  rd_kafka_conf_set_opaque(conf, client);
  if (extra)
    extra(conf);

  if (cfg && sl_log_threshold >= SL_LOG_DEBUG) {
    char desc[2048];
    SL_DEBUG("kafka", "%s properties: %s", role,
             sl_kafka_config_describe(cfg, desc, sizeof(desc)));
  }

  /* On success rd_kafka_new owns conf; on failure it is still ours. */
  char errstr[512];
  client->rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (!client->rk) {
    rc = sl_kafka_fail(err, NULL, -1, role, errstr);
    goto fail;
  }
  return SL_OK;

fail:
  rd_kafka_conf_destroy(conf);
  return rc;
}

void sl_kafka_client_close(sl_kafka_client *client) {
  if (client->rk)
    rd_kafka_destroy(client->rk);
  client->rk = NULL;
}

rd_kafka_resp_err_t sl_kafka_topic_metadata(
    const sl_kafka_client *client, const char *topic, int timeout_ms,
    const struct rd_kafka_metadata **md,
    const struct rd_kafka_metadata_topic **topic_md) {
  *md = NULL;
  *topic_md = NULL;
  rd_kafka_t *rk = client->rk;
  rd_kafka_resp_err_t code;
  if (client->embedded) {
    code = rd_kafka_metadata(rk, 1, NULL, md, timeout_ms);
  } else {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt)
      return rd_kafka_last_error();
    code = rd_kafka_metadata(rk, 0, rkt, md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
  }
  if (code)
    return code;

  for (int i = 0; i < (*md)->topic_cnt; i++) {
    const struct rd_kafka_metadata_topic *t = &(*md)->topics[i];
    if (strcmp(t->topic, topic) == 0) {
      if (t->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        *topic_md = t;
      break;
    }
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

sl_status sl_kafka_partition_count(const sl_kafka_client *client,
                                   const char *topic, int timeout_ms,
                                   int *count, sl_error *err) {
  const struct rd_kafka_metadata *md;
  const struct rd_kafka_metadata_topic *t;
  rd_kafka_resp_err_t code = sl_kafka_topic_metadata(client, topic,
                                                     timeout_ms, &md, &t);
  if (code)
    return sl_kafka_fail_code(err, client->rk, topic, -1, "metadata", code);

  sl_status rc = SL_OK;
  if (!t)
    rc = sl_kafka_fail_code(err, client->rk, topic, -1, "metadata",
                            RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  else if (t->err)
    rc = sl_kafka_fail_code(err, client->rk, topic, -1, "metadata", t->err);
  else
    *count = t->partition_cnt;
  rd_kafka_metadata_destroy(md);
  return rc;
}

/* Errors that say a partition is not ready yet rather than wrong. */
static bool not_ready(rd_kafka_resp_err_t code) {
  switch (code) {
  case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
  case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
  case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
  case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
  case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
  case RD_KAFKA_RESP_ERR__TRANSPORT:
  case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
  case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
  case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    return true;
  default:
    return false;
  }
}

sl_status sl_kafka_watermarks(const sl_kafka_client *client,
                              const char *topic, int32_t partition,
                              int timeout_ms, int64_t *low, int64_t *high,
                              sl_error *err) {
  int64_t deadline = sl_kafka_now_ms() + timeout_ms;
  for (;;) {
    int64_t left = deadline - sl_kafka_now_ms();
    rd_kafka_resp_err_t code = rd_kafka_query_watermark_offsets(
        client->rk, topic, partition, low, high,
        left > 100 ? (int)left : 100);
    if (!code)
      return SL_OK;
    if (!not_ready(code) || sl_kafka_now_ms() + 100 >= deadline)
      return sl_kafka_fail_code(err, client->rk, topic, partition,
                                "read watermarks", code);
    struct timespec pause = {0, 100 * 1000000L};
    nanosleep(&pause, NULL);
  }
}
