/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_names.c - catalog and cluster names for the shell (see
 * shell_names.h).
 *
 * Completion runs on every Tab, so the topic list of the cluster is kept
 * for a few seconds rather than asked for each time; catalog lookups are
 * local SQLite reads and are always fresh.
 */
#include "cli/shell_names.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "engine/common/log.h"
#include "engine/kafka/admin.h"

/* How long a topic list from the cluster is reused. */
#define TOPICS_TTL_MS 3000

struct sl_shell_names {
  sl_catalog *catalog;      /* the session's */
  sl_kafka_config *kafka;   /* NULL: no cluster */
  sl_kafka_admin *admin;    /* made on the first topic listing */
  bool admin_failed;        /* do not retry a client that cannot start */
  sl_shell_words topics;    /* the cluster's topics, as last listed */
  int64_t topics_at_ms;     /* when; 0: never */
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

sl_status sl_shell_names_open(sl_catalog *catalog,
                              const sl_kafka_config *kafka,
                              sl_shell_names **out, sl_error *err) {
  *out = NULL;
  sl_shell_names *n = calloc(1, sizeof(*n));
  if (!n)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (kafka && !(n->kafka = sl_kafka_config_copy(kafka))) {
    free(n);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  n->catalog = catalog;
  *out = n;
  return SL_OK;
}

void sl_shell_names_close(sl_shell_names *n) {
  if (!n)
    return;
  sl_kafka_admin_free(n->admin);
  sl_kafka_config_free(n->kafka);
  sl_shell_words_free(&n->topics);
  free(n);
}

/* Logs a lookup that failed: completion goes on without those names. */
static void lookup_failed(const char *what, const sl_error *err) {
  char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
  SL_DEBUG("shell", "completion: cannot list %s: %s", what,
           sl_error_format(err, buf, sizeof(buf)));
}

static void list_objects(void *ctx, sl_shell_words *out) {
  sl_shell_names *n = ctx;
  static const sl_catalog_kind kinds[] = {
      SL_CATALOG_STREAM, SL_CATALOG_TABLE, SL_CATALOG_TRAINING_SET,
      SL_CATALOG_MODEL};
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    sl_catalog_object **objs = NULL;
    int count = 0;
    sl_error err;
    if (sl_catalog_list(n->catalog, kinds[k], &objs, &count, &err)) {
      lookup_failed("objects", &err);
      continue;
    }
    for (int i = 0; i < count; i++)
      sl_shell_words_adds(out, objs[i]->name);
    sl_catalog_object_list_free(objs, count);
  }
}

static void list_columns(void *ctx, const char *object, sl_shell_words *out) {
  sl_shell_names *n = ctx;
  sl_catalog_object *obj = NULL;
  sl_error err;
  if (sl_catalog_get(n->catalog, object, &obj, &err)) {
    lookup_failed("columns", &err);
    return;
  }
  if (!obj)
    return;
  for (int i = 0; i < obj->ncolumns; i++)
    sl_shell_words_adds(out, obj->columns[i].name);
  sl_catalog_object_free(obj);
}

/* Refreshes the cluster's topic list when it is older than the TTL. */
static void refresh_cluster_topics(sl_shell_names *n) {
  if (!n->kafka || n->admin_failed)
    return;
  int64_t now = now_ms();
  if (n->topics_at_ms && now - n->topics_at_ms < TOPICS_TTL_MS)
    return;

  sl_error err;
  if (!n->admin && sl_kafka_admin_new(n->kafka, &n->admin, &err)) {
    n->admin_failed = true;
    lookup_failed("topics", &err);
    return;
  }
  char **names = NULL;
  size_t count = 0;
  if (sl_kafka_admin_list_topics(n->admin, false, &names, &count, &err)) {
    lookup_failed("topics", &err);
    return;
  }
  sl_shell_words_free(&n->topics);
  for (size_t i = 0; i < count; i++)
    sl_shell_words_adds(&n->topics, names[i]);
  sl_kafka_names_free(names, count);
  n->topics_at_ms = now;
}

static void list_topics(void *ctx, sl_shell_words *out) {
  sl_shell_names *n = ctx;
  refresh_cluster_topics(n);
  for (size_t i = 0; i < n->topics.count; i++)
    sl_shell_words_adds(out, n->topics.items[i]);

  sl_catalog_object **objs = NULL;
  int count = 0;
  sl_error err;
  if (sl_catalog_list(n->catalog, SL_CATALOG_STREAM, &objs, &count, &err)) {
    lookup_failed("stream topics", &err);
    return;
  }
  for (int i = 0; i < count; i++) {
    const char *dlq = sl_catalog_object_option(objs[i], "dlq_topic");
    sl_shell_words_adds(out, sl_catalog_object_topic(objs[i]));
    if (dlq)
      sl_shell_words_adds(out, dlq);
  }
  sl_catalog_object_list_free(objs, count);
}

sl_shell_source sl_shell_names_source(sl_shell_names *n) {
  sl_shell_source src = {n, list_objects, list_columns, list_topics};
  return src;
}

sl_status sl_shell_names_running_queries(sl_shell_names *n,
                                         sl_shell_words *out, sl_error *err) {
  sl_catalog_query **qs = NULL;
  int count = 0;
  if (sl_catalog_query_list(n->catalog, &qs, &count, err))
    return err->code;
  for (int i = 0; i < count; i++) {
    if (qs[i]->state == SL_QUERY_RUNNING)
      sl_shell_words_adds(out, qs[i]->id);
  }
  sl_catalog_query_list_free(qs, count);
  if (out->failed)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  return SL_OK;
}
