/* SPDX-License-Identifier: Apache-2.0 */
/*
 * table_follower.c - a thread that applies a changelog topic to a lookup
 * table.
 *
 * The thread owns the consumer and the decoders; the session thread only
 * asks for syncs.  Progress is the next offset of each partition, kept
 * under the follower's lock so that a sync can compare it with the end
 * offsets it read.
 */
#include "engine/exec/table_follower.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/lookup.h"
#include "engine/common/log.h"
#include "engine/exec/stream_writer.h"
#include "engine/format/csv_record.h"
#include "engine/format/json_decode.h"
#include "engine/kafka/consumer.h"
#include "engine/plan/plan.h"
#include "engine/types/batch.h"

#define FOLLOWER_POLL_MS 100
#define FOLLOWER_BATCH 500
#define FOLLOWER_MAX_PARTITIONS 1024

struct sl_table_follower {
  sl_catalog_object *table;
  const char *topic;
  sl_kafka_config *kafka;
  sl_catalog *catalog;
  sl_record_schema *schema;

  pthread_t thread;
  bool started;
  atomic_bool stop;

  pthread_mutex_t lock;
  pthread_cond_t progressed;
  int64_t next[FOLLOWER_MAX_PARTITIONS]; /* next offset per partition */
  bool failed;
  sl_error error;                        /* why the thread stopped */
  sl_table_follower_stats stats;
};

static sl_log_limit follower_log_limit = SL_LOG_LIMIT_INIT(5, 10000);

/* The table's value format (JSON or CSV) and, for a table with several
 * key columns, the reader of its record keys: JSON objects of them. */
typedef struct follower_decoder {
  sl_json_decoder *json;
  sl_csvrec_decoder *csv;
  sl_record_schema *key_schema; /* the key columns, in key order */
  sl_json_decoder *key_json;
  sl_batch *key_batch;
} follower_decoder;

/* Reads the key of a tombstone into key (the key columns' values in key
 * order, room for them all); *null when the record has none. */
static sl_status decode_key(follower_decoder *d, const sl_record_msg *msg,
                            sl_arena *arena, sl_value *key, bool *null,
                            sl_error *err) {
  *null = false;
  if (!d->key_json) {
    sl_status rc = d->json ? sl_json_decode_key(d->json, msg, arena, key,
                                                err)
                           : sl_csvrec_decode_key(d->csv, msg, arena, key,
                                                  err);
    *null = rc == SL_OK && sl_value_is_null(key);
    return rc;
  }
  if (!msg->key) {
    *null = true;
    return SL_OK;
  }
  sl_record_msg as_value = *msg;
  as_value.value = msg->key;
  as_value.value_len = msg->key_len;
  sl_batch_reset(d->key_batch);
  int row;
  sl_status rc = sl_json_decode(d->key_json, &as_value, d->key_batch, &row,
                                err);
  if (rc == SL_ERR_RECORD) {
    /* Say it was the key that did not read. */
    char msgtext[SL_ERROR_MSG_MAX];
    snprintf(msgtext, sizeof(msgtext), "%s", err->message);
    return sl_error_set_record(err, msg->topic, msg->partition, msg->offset,
                               "decode", "the key of a tombstone is not "
                               "the JSON object of the table's key columns: "
                               "%s", msgtext);
  }
  if (rc)
    return rc;
  for (int i = 0; i < d->key_schema->ncols; i++) {
    key[i] = *sl_batch_value(d->key_batch, row, i);
    if (sl_value_is_null(&key[i]))
      *null = true;
  }
  return SL_OK;
}

/* For a table of several key columns, the reader of its keys. */
static sl_status key_decoder_open(follower_decoder *d, sl_lookup *lk,
                                  const sl_record_schema *schema,
                                  sl_error *err) {
  int nkeys = sl_lookup_key_count(lk);
  const int *keys = sl_lookup_key_columns(lk);
  if (nkeys < 2)
    return SL_OK;
  if (!(d->key_schema = sl_record_schema_new()))
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int i = 0; i < nkeys; i++) {
    const sl_record_column *c = &schema->cols[keys[i]];
    sl_type *type = sl_type_clone(c->type);
    if (!type ||
        sl_record_schema_add(d->key_schema, c->name, c->quoted, type, true,
                             err) < 0)
      return err->code ? err->code
                       : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  d->key_json = sl_json_decoder_new(d->key_schema, NULL, err);
  d->key_batch = sl_batch_create(nkeys + SL_RECORD_SYS_COUNT, 1);
  if (!d->key_json || !d->key_batch)
    return err->code ? err->code
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  return SL_OK;
}

static sl_status decode_row(follower_decoder *d, const sl_record_msg *msg,
                            sl_batch *batch, int *row, sl_error *err) {
  return d->json ? sl_json_decode(d->json, msg, batch, row, err)
                 : sl_csvrec_decode(d->csv, msg, batch, row, err);
}

typedef enum applied_kind { APPLIED_UPSERT, APPLIED_DELETE } applied_kind;

static sl_status follower_apply(sl_table_follower *f, sl_lookup *lk,
                                follower_decoder *dec, sl_batch *batch,
                                const sl_kafka_msg *m, applied_kind *kind,
                                sl_error *err) {
  sl_record_msg msg = {m->topic, m->partition, m->offset, m->timestamp_ms,
                       m->key, m->key_len, m->value, m->value_len};
  sl_batch_reset(batch);

  if (!m->value) {
    sl_value *key = sl_arena_alloc(sl_batch_arena(batch),
                                   ((size_t)f->table->ncolumns + 1) *
                                       sizeof(*key));
    bool null;
    *kind = APPLIED_DELETE;
    if (!key)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (decode_key(dec, &msg, sl_batch_arena(batch), key, &null, err))
      return err->code;
    if (null)
      return sl_error_set_record(err, m->topic, m->partition, m->offset,
                                 "decode", "a tombstone without a key");
    bool removed = false;
    return sl_lookup_delete(lk, key, m->timestamp_ms, &removed, err);
  }

  int row;
  *kind = APPLIED_UPSERT;
  if (decode_row(dec, &msg, batch, &row, err))
    return err->code;
  sl_value *values = calloc((size_t)f->table->ncolumns, sizeof(*values));
  if (!values)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int c = 0; c < f->table->ncolumns; c++)
    values[c] = *sl_batch_value(batch, row, c);
  int64_t valid_from = sl_lookup_versioned(lk)
                           ? sl_batch_row_meta(batch, row)->event_time
                           : 0;
  sl_status rc = sl_lookup_upsert(lk, values, valid_from, err);
  free(values);
  return rc;
}

static void *follower_main(void *arg) {
  sl_table_follower *f = arg;
  sl_error err;
  sl_error_clear(&err);
  sl_kafka_consumer *consumer = NULL;
  follower_decoder dec = {0};
  sl_lookup *lk = NULL;
  sl_batch *batch = sl_batch_create(f->table->ncolumns + 8, 1);
  sl_kafka_batch msgs;
  sl_kafka_consumer_opts copts = {0};
  bool have_msgs = false;

  sl_status rc = batch ? SL_OK : sl_error_set(&err, SL_ERR_NOMEM, "out of "
                                              "memory");
  if (rc == SL_OK && (rc = sl_kafka_batch_init(&msgs, FOLLOWER_BATCH, &err))
      == SL_OK)
    have_msgs = true;
  if (rc == SL_OK)
    rc = sl_kafka_consumer_new(f->kafka, &copts, &consumer, &err);
  if (rc == SL_OK)
    rc = sl_kafka_consumer_assign_topic(consumer, f->topic,
                                        SL_KAFKA_OFFSET_BEGINNING, false,
                                        &err);
  if (rc == SL_OK) {
    const char *format = sl_catalog_object_option(f->table, "format");
    if (format && strcmp(format, "csv") == 0) {
      const char *delim = sl_catalog_object_option(f->table, "delimiter");
      sl_csvrec_options o = {.delimiter = delim ? delim[0] : ','};
      dec.csv = sl_csvrec_decoder_new(f->schema, &o, &err);
    } else {
      dec.json = sl_json_decoder_new(f->schema, NULL, &err);
    }
    if (!dec.json && !dec.csv)
      rc = err.code ? err.code : SL_ERR_NOMEM;
  }
  if (rc == SL_OK)
    rc = sl_lookup_open(f->catalog, f->table->name, 0, &lk, &err);
  if (rc == SL_OK)
    rc = key_decoder_open(&dec, lk, f->schema, &err);

  while (rc == SL_OK && !atomic_load(&f->stop)) {
    rc = sl_kafka_consumer_poll(consumer, &msgs, FOLLOWER_POLL_MS, &err);
    for (size_t i = 0; rc == SL_OK && i < msgs.count; i++) {
      const sl_kafka_msg *m = &msgs.msgs[i];
      sl_error rec_err;
      sl_error_clear(&rec_err);
      applied_kind kind = APPLIED_UPSERT;
      sl_status arc = follower_apply(f, lk, &dec, batch, m, &kind,
                                     &rec_err);
      if (arc == SL_ERR_RECORD) {
        /* A bad record cannot become a row; it is counted and named. */
        char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
        sl_log_ratelimited(&follower_log_limit, SL_LOG_WARN, "table",
                           "table %s skips a record: %s", f->table->name,
                           sl_error_format(&rec_err, buf, sizeof(buf)));
      } else if (arc) {
        err = rec_err;
        rc = arc;
      }
      pthread_mutex_lock(&f->lock);
      if (m->partition >= 0 && m->partition < FOLLOWER_MAX_PARTITIONS)
        f->next[m->partition] = m->offset + 1;
      if (arc == SL_ERR_RECORD)
        f->stats.failed++;
      else if (arc == SL_OK && kind == APPLIED_DELETE)
        f->stats.deletes++;
      else if (arc == SL_OK)
        f->stats.upserts++;
      pthread_mutex_unlock(&f->lock);
    }
    sl_kafka_batch_clear(&msgs);
    pthread_mutex_lock(&f->lock);
    pthread_cond_broadcast(&f->progressed);
    pthread_mutex_unlock(&f->lock);
  }

  if (rc) {
    char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
    SL_ERROR("table", "table %s stopped following %s: %s", f->table->name,
             f->topic, sl_error_format(&err, buf, sizeof(buf)));
  }
  pthread_mutex_lock(&f->lock);
  if (rc) {
    f->failed = true;
    f->error = err;
  }
  pthread_cond_broadcast(&f->progressed);
  pthread_mutex_unlock(&f->lock);

  sl_lookup_close(lk);
  sl_json_decoder_free(dec.json);
  sl_csvrec_decoder_free(dec.csv);
  sl_json_decoder_free(dec.key_json);
  sl_record_schema_free(dec.key_schema);
  sl_batch_free(dec.key_batch);
  sl_kafka_consumer_free(consumer);
  if (have_msgs)
    sl_kafka_batch_destroy(&msgs);
  sl_batch_free(batch);
  return NULL;
}

sl_status sl_table_follower_start(const sl_kafka_config *kafka,
                                  sl_catalog *cat,
                                  const sl_catalog_object *table,
                                  sl_table_follower **out, sl_error *err) {
  *out = NULL;
  sl_table_follower *f = calloc(1, sizeof(*f));
  if (!f)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  pthread_mutex_init(&f->lock, NULL);
  pthread_cond_init(&f->progressed, NULL);
  f->catalog = cat;
  f->table = sl_catalog_object_clone(table);
  f->kafka = sl_kafka_config_copy(kafka);
  if (!f->table || !f->kafka) {
    sl_table_follower_stop(f);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  f->topic = sl_catalog_object_option(f->table, "topic");
  if (!f->topic) {
    sl_table_follower_stop(f);
    return sl_error_set(err, SL_ERR_INTERNAL, "table %s has no topic",
                        table->name);
  }
  if (sl_plan_stream_schema(f->table, &f->schema, err)) {
    sl_table_follower_stop(f);
    return err->code;
  }

  if (pthread_create(&f->thread, NULL, follower_main, f) != 0) {
    sl_error_set(err, SL_ERR_RUNTIME, "cannot start a thread to follow %s",
                 f->topic);
    sl_table_follower_stop(f);
    return err->code;
  }
  f->started = true;
  SL_INFO("table", "table %s follows topic %s", table->name, f->topic);
  *out = f;
  return SL_OK;
}

sl_status sl_table_follower_sync(sl_table_follower *f, sl_kafka_admin *admin,
                                 sl_error *err) {
  sl_kafka_topic_info *info = NULL;
  if (sl_kafka_admin_describe_topic(admin, f->topic, &info, err))
    return err->code;

  int64_t target[FOLLOWER_MAX_PARTITIONS];
  int n = info->partition_count;
  if (n > FOLLOWER_MAX_PARTITIONS)
    n = FOLLOWER_MAX_PARTITIONS;
  sl_status rc = SL_OK;
  for (int p = 0; p < n && rc == SL_OK; p++) {
    int64_t low;
    rc = sl_kafka_admin_watermarks(admin, f->topic, p, &low, &target[p],
                                   err);
    /* Records deleted by retention will never arrive. */
    if (rc == SL_OK && target[p] == low)
      target[p] = 0;
  }
  sl_kafka_topic_info_free(info);
  if (rc)
    return rc;

  pthread_mutex_lock(&f->lock);
  for (;;) {
    if (f->failed) {
      *err = f->error;
      rc = err->code;
      break;
    }
    bool caught_up = true;
    for (int p = 0; p < n; p++)
      caught_up &= f->next[p] >= target[p];
    if (caught_up)
      break;
    pthread_cond_wait(&f->progressed, &f->lock);
  }
  pthread_mutex_unlock(&f->lock);
  return rc;
}

const char *sl_table_follower_table(const sl_table_follower *f) {
  return f->table->name;
}

void sl_table_follower_stats_get(sl_table_follower *f,
                                 sl_table_follower_stats *out) {
  pthread_mutex_lock(&f->lock);
  *out = f->stats;
  pthread_mutex_unlock(&f->lock);
}

void sl_table_follower_stop(sl_table_follower *f) {
  if (!f)
    return;
  if (f->started) {
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
  }
  sl_record_schema_free(f->schema);
  sl_kafka_config_free(f->kafka);
  sl_catalog_object_free(f->table);
  pthread_cond_destroy(&f->progressed);
  pthread_mutex_destroy(&f->lock);
  free(f);
}
