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

/* ---- Trained models ---------------------------------------------------- */

/* The columns of a model record, in schema order. */
enum {
  MREC_ORIGIN,
  MREC_MODEL,
  MREC_VERSION,
  MREC_PART,
  MREC_PARTS,
  MREC_DIGEST,
  MREC_TRAINING_SET,
  MREC_ROWS,
  MREC_PARAMS,
  MREC_METRICS,
  MREC_SQL,
  MREC_TRAINED_MS,
  MREC_TRAINING_MS,
  MREC_BLOB,
  MREC_NCOLS
};

void sl_command_log_models_topic(const char *service, char *buf,
                                 size_t size) {
  snprintf(buf, size, "_sluice-%s-models", service);
}

static sl_record_schema *model_schema(sl_error *err) {
  static const char *const names[MREC_NCOLS] = {
      "origin", "model", "version", "part", "parts", "digest",
      "training_set", "rows", "params", "metrics", "sql", "trained_ms",
      "training_ms", "blob"};
  sl_record_schema *schema = sl_record_schema_new();
  if (!schema) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    return NULL;
  }
  for (int c = 0; c < MREC_NCOLS; c++) {
    sl_type *t;
    switch (c) {
    case MREC_VERSION:
    case MREC_PART:
    case MREC_PARTS:
      t = sl_type_int();
      break;
    case MREC_ROWS:
    case MREC_TRAINED_MS:
    case MREC_TRAINING_MS:
      t = sl_type_bigint();
      break;
    case MREC_BLOB:
      t = sl_type_bytes();
      break;
    default:
      t = sl_type_varchar();
      break;
    }
    bool required = c == MREC_MODEL || c == MREC_VERSION ||
                    c == MREC_PART || c == MREC_PARTS ||
                    c == MREC_DIGEST || c == MREC_BLOB;
    if (sl_record_schema_add(schema, names[c], false, t, required, err) <
        0) {
      if (!err->code)
        sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      sl_record_schema_free(schema);
      return NULL;
    }
  }
  return schema;
}

/* The blob's identity: its last 8 bytes, the XXH64 checksum that every
 * serialized model ends in, as hex. */
static void blob_digest(const void *blob, size_t len, char hex[17]) {
  static const char digits[] = "0123456789abcdef";
  const unsigned char *b = blob;
  size_t from = len > 8 ? len - 8 : 0;
  size_t k = 0;
  for (size_t i = from; i < len; i++) {
    hex[k++] = digits[b[i] >> 4];
    hex[k++] = digits[b[i] & 15];
  }
  hex[k] = '\0';
}

static sl_value text_value(const char *s) {
  return s ? sl_value_varchar(s, strlen(s)) : sl_value_null();
}

sl_status sl_command_log_publish_model(sl_kafka_admin *admin,
                                       sl_kafka_producer *producer,
                                       const char *service,
                                       const char *instance,
                                       const sl_catalog_model_version *v,
                                       sl_error *err) {
  char topic[512];
  sl_command_log_models_topic(service, topic, sizeof(topic));

  /* Compacted like the command topic: the newest record of each part of
   * each version is what stays. */
  sl_kafka_config *topic_cfg = sl_kafka_config_new();
  if (!topic_cfg)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = sl_kafka_config_set(topic_cfg, "cleanup.policy", "compact",
                                     err);
  if (rc == SL_OK)
    rc = sl_kafka_admin_create_topic(admin, topic, 1, -1, topic_cfg, true,
                                     err);
  sl_kafka_config_free(topic_cfg);
  if (rc)
    return sl_error_prefix(err, "cannot create the models topic %s", topic);

  sl_record_schema *schema = model_schema(err);
  sl_json_encoder *enc = schema ? sl_json_encoder_for_schema(schema, err)
                                : NULL;
  if (!enc) {
    sl_record_schema_free(schema);
    return err->code ? err->code : SL_ERR_NOMEM;
  }
  char digest[17];
  blob_digest(v->blob, v->blob_len, digest);
  size_t nparts = v->blob_len / SL_COMMAND_MODEL_PART + 1;
  sl_strbuf value = SL_STRBUF_INIT;
  for (size_t part = 0; rc == SL_OK && part < nparts; part++) {
    size_t from = part * SL_COMMAND_MODEL_PART;
    size_t len = v->blob_len - from < SL_COMMAND_MODEL_PART
                     ? v->blob_len - from
                     : SL_COMMAND_MODEL_PART;
    sl_value row[MREC_NCOLS] = {
        [MREC_ORIGIN] = text_value(instance),
        [MREC_MODEL] = text_value(v->model),
        [MREC_VERSION] = sl_value_int(v->version),
        [MREC_PART] = sl_value_int((int32_t)part),
        [MREC_PARTS] = sl_value_int((int32_t)nparts),
        [MREC_DIGEST] = text_value(digest),
        [MREC_TRAINING_SET] = text_value(v->training_set),
        [MREC_ROWS] = sl_value_bigint(v->rows),
        [MREC_PARAMS] = text_value(v->params),
        [MREC_METRICS] = text_value(v->metrics),
        [MREC_SQL] = text_value(v->sql),
        [MREC_TRAINED_MS] = sl_value_bigint(v->trained_ms),
        [MREC_TRAINING_MS] = sl_value_bigint(v->training_ms),
        [MREC_BLOB] = sl_value_bytes((const char *)v->blob + from, len),
    };
    char key[SL_ERROR_NAME_MAX + 32];
    snprintf(key, sizeof(key), "%s/%d/%zu", v->model, v->version, part);
    sl_strbuf_reset(&value);
    if (sl_json_encode_row(enc, row, &value) || value.failed) {
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      break;
    }
    sl_kafka_record rec = {
        .topic = topic,
        .partition = 0,
        .key = key,
        .key_len = strlen(key),
        .value = value.data,
        .value_len = value.len,
    };
    rc = sl_kafka_produce(producer, &rec, err);
  }
  if (rc == SL_OK)
    rc = sl_kafka_producer_flush(producer, 60000, err);
  if (rc)
    sl_error_prefix(err, "cannot publish version %d of model %s on %s",
                    v->version, v->model, topic);
  sl_strbuf_free(&value);
  sl_json_encoder_free(enc);
  sl_record_schema_free(schema);
  return rc;
}

/* The newest record of one part of one version. */
typedef struct model_part {
  int version;
  int part;
  int parts;
  char digest[17];
  int64_t offset;
  sl_catalog_model_version *meta; /* its fields; blob = the part */
} model_part;

typedef struct model_parts {
  model_part *items;
  int n;
  int cap;
  int last_version;      /* of the record written last */
  int64_t last_offset;
} model_parts;

static void model_parts_free(model_parts *mp) {
  for (int i = 0; i < mp->n; i++)
    sl_catalog_model_version_free(mp->items[i].meta);
  free(mp->items);
}

static bool dup_text(const sl_value *v, char **out) {
  *out = NULL;
  if (sl_value_is_null(v))
    return true;
  *out = malloc(v->len + 1);
  if (!*out)
    return false;
  memcpy(*out, v->u.str, v->len);
  (*out)[v->len] = '\0';
  return true;
}

static int64_t int_field(const sl_value *v) {
  if (sl_value_is_null(v))
    return 0;
  return v->kind == SL_TYPE_INT ? v->u.i32 : v->u.i64;
}

/* Keeps the decoded row of one record when it is about model. */
static sl_status keep_part(model_parts *mp, const char *model,
                           sl_batch *b, int r, int64_t offset,
                           sl_error *err) {
  const sl_value *name = sl_batch_value(b, r, MREC_MODEL);
  if (name->len != strlen(model) || memcmp(name->u.str, model, name->len))
    return SL_OK;
  int version = (int)int_field(sl_batch_value(b, r, MREC_VERSION));
  int part = (int)int_field(sl_batch_value(b, r, MREC_PART));
  int parts = (int)int_field(sl_batch_value(b, r, MREC_PARTS));
  const sl_value *digest = sl_batch_value(b, r, MREC_DIGEST);
  if (version < 1 || part < 0 || parts < 1 || part >= parts ||
      digest->len > 16)
    return SL_OK;
  if (offset >= mp->last_offset) {
    mp->last_offset = offset;
    mp->last_version = version;
  }

  int k = 0;
  while (k < mp->n &&
         (mp->items[k].version != version || mp->items[k].part != part))
    k++;
  if (k == mp->n) {
    if (mp->n == mp->cap) {
      int cap = mp->cap ? mp->cap * 2 : 16;
      model_part *items = realloc(mp->items, (size_t)cap * sizeof(*items));
      if (!items)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      mp->items = items;
      mp->cap = cap;
    }
    memset(&mp->items[mp->n++], 0, sizeof(model_part));
  }
  model_part *p = &mp->items[k];
  sl_catalog_model_version_free(p->meta);
  p->meta = calloc(1, sizeof(*p->meta));
  if (!p->meta)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  p->version = version;
  p->part = part;
  p->parts = parts;
  memcpy(p->digest, digest->u.str, digest->len);
  p->digest[digest->len] = '\0';
  p->offset = offset;

  sl_catalog_model_version *m = p->meta;
  const sl_value *blob = sl_batch_value(b, r, MREC_BLOB);
  m->version = version;
  m->rows = int_field(sl_batch_value(b, r, MREC_ROWS));
  m->trained_ms = int_field(sl_batch_value(b, r, MREC_TRAINED_MS));
  m->training_ms = int_field(sl_batch_value(b, r, MREC_TRAINING_MS));
  m->blob_len = blob->len;
  m->blob = malloc(blob->len ? blob->len : 1);
  bool ok = m->blob && dup_text(name, &m->model) &&
            dup_text(sl_batch_value(b, r, MREC_TRAINING_SET),
                     &m->training_set) &&
            dup_text(sl_batch_value(b, r, MREC_PARAMS), &m->params) &&
            dup_text(sl_batch_value(b, r, MREC_METRICS), &m->metrics) &&
            dup_text(sl_batch_value(b, r, MREC_SQL), &m->sql);
  if (!ok)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  memcpy(m->blob, blob->u.str, blob->len);
  return SL_OK;
}

/* Puts version v together from its parts into *out (NULL when no part of
 * v is there). */
static sl_status assemble(const model_parts *mp, int v, const char *topic,
                          sl_catalog_model_version **out, sl_error *err) {
  *out = NULL;
  const model_part *first = NULL;
  for (int i = 0; i < mp->n && !first; i++)
    if (mp->items[i].version == v && mp->items[i].part == 0)
      first = &mp->items[i];
  if (!first)
    return SL_OK;

  size_t total = 0;
  for (int part = 0; part < first->parts; part++) {
    const model_part *p = NULL;
    for (int i = 0; i < mp->n && !p; i++)
      if (mp->items[i].version == v && mp->items[i].part == part &&
          strcmp(mp->items[i].digest, first->digest) == 0)
        p = &mp->items[i];
    if (!p)
      return sl_error_set(err, SL_ERR_RUNTIME, "version %d of model %s in "
                          "%s lacks part %d of %d", v, first->meta->model,
                          topic, part + 1, first->parts);
    total += p->meta->blob_len;
  }

  const sl_catalog_model_version *m = first->meta;
  sl_catalog_model_version *c = calloc(1, sizeof(*c));
  if (!c)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  *c = *m;
  c->model = c->training_set = c->params = c->metrics = c->sql = NULL;
  c->blob = malloc(total ? total : 1);
  c->blob_len = total;
  bool ok = c->blob && (c->model = strdup(m->model)) &&
            (!m->training_set || (c->training_set = strdup(m->training_set))) &&
            (!m->params || (c->params = strdup(m->params))) &&
            (!m->metrics || (c->metrics = strdup(m->metrics))) &&
            (!m->sql || (c->sql = strdup(m->sql)));
  if (!ok) {
    sl_catalog_model_version_free(c);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  size_t at = 0;
  for (int part = 0; part < first->parts; part++) {
    for (int i = 0; i < mp->n; i++) {
      const model_part *p = &mp->items[i];
      if (p->version == v && p->part == part &&
          strcmp(p->digest, first->digest) == 0) {
        memcpy((char *)c->blob + at, p->meta->blob, p->meta->blob_len);
        at += p->meta->blob_len;
        break;
      }
    }
  }
  *out = c;
  return SL_OK;
}

sl_status sl_command_log_read_models(const sl_kafka_config *kafka,
                                     sl_kafka_admin *admin,
                                     const char *service, const char *model,
                                     sl_catalog_model_version ***out,
                                     int *n, sl_error *err) {
  *out = NULL;
  *n = 0;
  char topic[512];
  sl_command_log_models_topic(service, topic, sizeof(topic));
  bool exists = false;
  if (sl_kafka_admin_topic_exists(admin, topic, &exists, err))
    return err->code;
  if (!exists)
    return SL_OK;

  sl_record_schema *schema = model_schema(err);
  sl_json_decoder *dec = schema ? sl_json_decoder_new(schema, NULL, err)
                                : NULL;
  sl_batch *batch = sl_batch_create(MREC_NCOLS, 1);
  sl_kafka_batch msgs;
  bool have_msgs = false;
  sl_status rc = dec && batch ? SL_OK
                 : err->code  ? err->code
                              : sl_error_set(err, SL_ERR_NOMEM,
                                             "out of memory");
  if (rc == SL_OK) {
    rc = sl_kafka_batch_init(&msgs, COMMAND_BATCH, err);
    have_msgs = rc == SL_OK;
  }

  /* Every record of the topic up to its current end: the newest of each
   * key counts. */
  model_parts mp = {.last_offset = -1};
  sl_kafka_consumer_opts copts = {0};
  sl_kafka_consumer *c = NULL;
  if (rc == SL_OK)
    rc = sl_kafka_consumer_new(kafka, &copts, &c, err);
  if (rc == SL_OK)
    rc = sl_kafka_consumer_assign_topic(c, topic, SL_KAFKA_OFFSET_BEGINNING,
                                        true, err);
  while (rc == SL_OK && !sl_kafka_consumer_at_end(c)) {
    rc = sl_kafka_consumer_poll(c, &msgs, COMMAND_POLL_MS, err);
    for (size_t i = 0; rc == SL_OK && i < msgs.count; i++) {
      const sl_kafka_msg *m = &msgs.msgs[i];
      if (!m->value)
        continue;
      sl_record_msg msg = {m->topic, m->partition, m->offset,
                           m->timestamp_ms, m->key, m->key_len, m->value,
                           m->value_len};
      int row;
      sl_error derr;
      sl_error_clear(&derr);
      sl_batch_reset(batch);
      if (sl_json_decode(dec, &msg, batch, &row, &derr) ||
          batch->rows[row].state == SL_BATCH_ROW_ERROR) {
        SL_WARN("commands", "%s [0] @ %lld: skipping an unreadable model "
                "record", topic, (long long)m->offset);
        continue;
      }
      rc = keep_part(&mp, model, batch, row, m->offset, err);
    }
    sl_kafka_batch_clear(&msgs);
  }

  /* Versions 1 to the one written last, as they were last published. */
  sl_catalog_model_version **vs = NULL;
  int nv = 0;
  if (rc == SL_OK && mp.last_version > 0) {
    vs = calloc((size_t)mp.last_version, sizeof(*vs));
    if (!vs)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (int v = 1; rc == SL_OK && v <= mp.last_version; v++) {
    sl_catalog_model_version *one = NULL;
    rc = assemble(&mp, v, topic, &one, err);
    if (rc == SL_OK && one)
      vs[nv++] = one;
  }
  if (rc == SL_OK) {
    *out = vs;
    *n = nv;
  } else {
    sl_catalog_model_version_list_free(vs, nv);
  }

  model_parts_free(&mp);
  sl_kafka_consumer_free(c);
  if (have_msgs)
    sl_kafka_batch_destroy(&msgs);
  sl_batch_free(batch);
  sl_json_decoder_free(dec);
  sl_record_schema_free(schema);
  return rc;
}
