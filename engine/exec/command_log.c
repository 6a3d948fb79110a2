/* SPDX-License-Identifier: Apache-2.0 */
/*
 * command_log.c - writing, replaying and following the command topic.
 *
 * A record's key is what the command is about; its value is a JSON object
 * {"origin": instance, "sql": statement}, read back with the same
 * schema-directed decoder streams use.
 */
#include "engine/exec/command_log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/format/json_decode.h"
#include "engine/format/json_encode.h"
#include "engine/kafka/consumer.h"
#include "engine/types/batch.h"
#include "engine/types/strbuf.h"

#define COMMAND_POLL_MS 200
#define COMMAND_BATCH 256

struct sl_command_log {
  char topic[512];
  char *instance;
  sl_kafka_config *kafka;
  sl_record_schema *schema;     /* origin VARCHAR, sql VARCHAR */
  sl_json_encoder *encoder;
  sl_json_decoder *decoder;
  int64_t next_offset;          /* after the replay */

  pthread_t thread;
  bool following;
  atomic_bool stop;
  sl_command_fn fn;
  void *ud;
};

sl_status sl_command_log_open(const sl_kafka_config *kafka,
                              sl_kafka_admin *admin, const char *service,
                              const char *instance, bool create,
                              sl_command_log **out, sl_error *err) {
  *out = NULL;
  char topic[512];
  snprintf(topic, sizeof(topic), "_sluice-%s-commands", service);
  bool exists = false;
  if (sl_kafka_admin_topic_exists(admin, topic, &exists, err))
    return err->code;
  if (!exists && !create)
    return SL_OK;

  sl_command_log *log = calloc(1, sizeof(*log));
  if (!log)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  snprintf(log->topic, sizeof(log->topic), "%s", topic);
  log->instance = strdup(instance);
  log->kafka = sl_kafka_config_copy(kafka);
  log->schema = sl_record_schema_new();
  sl_status rc = (log->instance && log->kafka && log->schema)
                     ? SL_OK
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (rc == SL_OK &&
      (sl_record_schema_add(log->schema, "origin", false,
                            sl_type_varchar(), false, err) < 0 ||
       sl_record_schema_add(log->schema, "sql", false, sl_type_varchar(),
                            true, err) < 0))
    rc = err->code ? err->code : SL_ERR_NOMEM;
  if (rc == SL_OK) {
    log->encoder = sl_json_encoder_for_schema(log->schema, err);
    log->decoder = sl_json_decoder_new(log->schema, NULL, err);
    if (!log->encoder || !log->decoder)
      rc = err->code ? err->code : SL_ERR_NOMEM;
  }

  /* Compaction keeps the newest command per key, so the topic stays as
   * small as the set of things that exist. */
  sl_kafka_config *topic_cfg = sl_kafka_config_new();
  if (rc == SL_OK && !topic_cfg)
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (rc == SL_OK)
    rc = sl_kafka_config_set(topic_cfg, "cleanup.policy", "compact", err);
  if (rc == SL_OK && !exists)
    rc = sl_kafka_admin_create_topic(admin, log->topic, 1, -1, topic_cfg,
                                     true, err);
  sl_kafka_config_free(topic_cfg);
  if (rc) {
    sl_command_log_close(log);
    return rc;
  }
  *out = log;
  return SL_OK;
}

const char *sl_command_log_topic(const sl_command_log *log) {
  return log->topic;
}

sl_status sl_command_log_append(sl_command_log *log,
                                sl_kafka_producer *producer,
                                const char *key, const char *sql,
                                sl_error *err) {
  sl_value row[2] = {sl_value_varchar(log->instance, strlen(log->instance)),
                     sl_value_varchar(sql, strlen(sql))};
  sl_strbuf value;
  sl_strbuf_init(&value);
  if (sl_json_encode_row(log->encoder, row, &value)) {
    sl_strbuf_free(&value);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  sl_kafka_record rec = {
      .topic = log->topic,
      .partition = 0,
      .key = key,
      .key_len = strlen(key),
      .value = value.data,
      .value_len = value.len,
  };
  sl_status rc = sl_kafka_produce(producer, &rec, err);
  if (rc == SL_OK)
    rc = sl_kafka_producer_flush(producer, 60000, err);
  sl_strbuf_free(&value);
  return rc;
}

/* Decodes one record into cmd (strings in batch's arena). */
static sl_status command_decode(sl_command_log *log, const sl_kafka_msg *m,
                                sl_batch *batch, char **key,
                                sl_command *cmd, sl_error *err) {
  sl_record_msg msg = {m->topic, m->partition, m->offset, m->timestamp_ms,
                       m->key, m->key_len, m->value, m->value_len};
  int row;
  sl_batch_reset(batch);
  if (sl_json_decode(log->decoder, &msg, batch, &row, err))
    return err->code;
  const sl_value *origin = sl_batch_value(batch, row, 0);
  const sl_value *sql = sl_batch_value(batch, row, 1);
  *key = sl_arena_strndup(sl_batch_arena(batch), m->key ? m->key : "",
                          m->key ? m->key_len : 0);
  cmd->key = *key;
  cmd->origin = sl_value_is_null(origin)
                    ? ""
                    : sl_arena_strndup(sl_batch_arena(batch), origin->u.str,
                                       origin->len);
  cmd->sql = sl_arena_strndup(sl_batch_arena(batch), sql->u.str, sql->len);
  cmd->offset = m->offset;
  cmd->own = false;
  if (!cmd->key || !cmd->origin || !cmd->sql)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  return SL_OK;
}

/* The newest command of each key, kept in write order. */
typedef struct replay_entry {
  char *key;
  char *sql;
  char *origin;
  int64_t offset;
} replay_entry;

static int entry_by_offset(const void *a, const void *b) {
  const replay_entry *x = a, *y = b;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

static void entries_free(replay_entry *e, int n) {
  for (int i = 0; i < n; i++) {
    free(e[i].key);
    free(e[i].sql);
    free(e[i].origin);
  }
  free(e);
}

sl_status sl_command_log_replay(sl_command_log *log, int64_t applied,
                                sl_command_fn fn, void *ud, sl_error *err) {
  sl_kafka_consumer_opts copts = {0};
  sl_kafka_consumer *c = NULL;
  sl_kafka_batch msgs;
  sl_batch *batch = sl_batch_create(2, 1);
  replay_entry *entries = NULL;
  int n = 0, cap = 0;
  if (!batch)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (sl_kafka_batch_init(&msgs, COMMAND_BATCH, err)) {
    sl_batch_free(batch);
    return err->code;
  }

  sl_status rc = sl_kafka_consumer_new(log->kafka, &copts, &c, err);
  if (rc == SL_OK)
    rc = sl_kafka_consumer_assign_topic(c, log->topic,
                                        SL_KAFKA_OFFSET_BEGINNING, true,
                                        err);
  while (rc == SL_OK && !sl_kafka_consumer_at_end(c)) {
    rc = sl_kafka_consumer_poll(c, &msgs, COMMAND_POLL_MS, err);
    for (size_t i = 0; rc == SL_OK && i < msgs.count; i++) {
      const sl_kafka_msg *m = &msgs.msgs[i];
      log->next_offset = m->offset + 1;
      char *key = NULL;
      sl_command cmd = {0};
      if (!m->value)
        continue;
      sl_error derr;
      if (command_decode(log, m, batch, &key, &cmd, &derr)) {
        char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
        SL_WARN("commands", "skipping an unreadable command: %s",
                sl_error_format(&derr, buf, sizeof(buf)));
        continue;
      }
      int k = 0;
      while (k < n && strcmp(entries[k].key, cmd.key) != 0)
        k++;
      if (k == n) {
        if (n == cap) {
          cap = cap ? cap * 2 : 64;
          replay_entry *ne = realloc(entries, (size_t)cap * sizeof(*ne));
          if (!ne) {
            rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
            break;
          }
          entries = ne;
        }
        memset(&entries[n++], 0, sizeof(*entries));
        entries[k].key = strdup(cmd.key);
      }
      free(entries[k].sql);
      free(entries[k].origin);
      entries[k].sql = strdup(cmd.sql);
      entries[k].origin = strdup(cmd.origin);
      entries[k].offset = m->offset;
    }
    sl_kafka_batch_clear(&msgs);
  }

  if (rc == SL_OK && n > 0)
    qsort(entries, (size_t)n, sizeof(*entries), entry_by_offset);
  int replayed = 0;
  for (int i = 0; i < n && rc == SL_OK; i++) {
    if (entries[i].offset < applied)
      continue;
    sl_command cmd = {entries[i].key, entries[i].sql, entries[i].origin,
                      entries[i].offset, false};
    rc = fn(ud, &cmd, err);
    replayed++;
  }
  if (rc == SL_OK)
    SL_INFO("commands", "replayed %d commands from %s (%d applied before)",
            replayed, log->topic, n - replayed);

  entries_free(entries, n);
  sl_kafka_consumer_free(c);
  sl_kafka_batch_destroy(&msgs);
  sl_batch_free(batch);
  return rc;
}

static void *follow_main(void *arg) {
  sl_command_log *log = arg;
  sl_error err;
  sl_kafka_consumer_opts copts = {0};
  sl_kafka_consumer *c = NULL;
  sl_kafka_batch msgs;
  sl_batch *batch = sl_batch_create(2, 1);
  bool have_msgs = sl_kafka_batch_init(&msgs, COMMAND_BATCH, &err) == SL_OK;
  sl_kafka_position start = {log->topic, 0, log->next_offset};

  sl_status rc = batch && have_msgs ? SL_OK : SL_ERR_NOMEM;
  if (rc == SL_OK)
    rc = sl_kafka_consumer_new(log->kafka, &copts, &c, &err);
  if (rc == SL_OK)
    rc = sl_kafka_consumer_assign(c, &start, 1, &err);
  while (rc == SL_OK && !atomic_load(&log->stop)) {
    rc = sl_kafka_consumer_poll(c, &msgs, COMMAND_POLL_MS, &err);
    for (size_t i = 0; rc == SL_OK && i < msgs.count; i++) {
      const sl_kafka_msg *m = &msgs.msgs[i];
      char *key;
      sl_command cmd;
      if (!m->value || command_decode(log, m, batch, &key, &cmd, &err))
        continue;
      cmd.own = strcmp(cmd.origin, log->instance) == 0;
      sl_error ferr;
      sl_error_clear(&ferr);
      if (log->fn(log->ud, &cmd, &ferr)) {
        char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
        SL_ERROR("commands", "cannot apply %s from instance %s: %s",
                 cmd.key, cmd.origin,
                 sl_error_format(&ferr, buf, sizeof(buf)));
      }
    }
    if (have_msgs)
      sl_kafka_batch_clear(&msgs);
  }
  if (rc) {
    char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
    SL_ERROR("commands", "stopped following %s: %s", log->topic,
             sl_error_format(&err, buf, sizeof(buf)));
  }
  sl_kafka_consumer_free(c);
  if (have_msgs)
    sl_kafka_batch_destroy(&msgs);
  sl_batch_free(batch);
  return NULL;
}

sl_status sl_command_log_follow(sl_command_log *log, sl_command_fn fn,
                                void *ud, sl_error *err) {
  log->fn = fn;
  log->ud = ud;
  if (pthread_create(&log->thread, NULL, follow_main, log) != 0)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "cannot start a thread to follow %s", log->topic);
  log->following = true;
  return SL_OK;
}

void sl_command_log_close(sl_command_log *log) {
  if (!log)
    return;
  if (log->following) {
    atomic_store(&log->stop, true);
    pthread_join(log->thread, NULL);
  }
  sl_json_encoder_free(log->encoder);
  sl_json_decoder_free(log->decoder);
  sl_record_schema_free(log->schema);
  sl_kafka_config_free(log->kafka);
  free(log->instance);
  free(log);
}
