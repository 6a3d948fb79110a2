/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec_ddl.c - CREATE, DROP, SHOW, DESCRIBE and SET.
 *
 * The catalog side of DDL is the binder's sl_bind_apply, so `sluice
 * check` and `sluice run` record objects identically; this file adds what
 * only a running instance does: topics for streams.
 */
#include "engine/exec/session_internal.h"

#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "engine/exec/predict.h"
#include "engine/kafka/consumer.h"
#include "engine/runtime/runtime.h"
#include "engine/exec/exec_model.h"

/* More partitions than this per topic is refused: the engine keeps state
 * and watermarks per partition. */
#define SL_MAX_PARTITIONS 1024

static const char *bound_option(const sl_bound_stmt *b, const char *name) {
  for (int i = 0; i < b->noptions; i++) {
    if (strcmp(b->options[i].name, name) == 0)
      return b->options[i].text;
  }
  return NULL;
}

static long bound_option_int(const sl_bound_stmt *b, const char *name,
                             long fallback) {
  for (int i = 0; i < b->noptions; i++) {
    if (strcmp(b->options[i].name, name) == 0)
      return (long)b->options[i].number;
  }
  return fallback;
}

/* A stream's topic exists after its CREATE: made with the declared
 * partitions (default 1, so that one producer's order is kept) when it is
 * missing, left as it is when it is there. */
static sl_status ensure_stream_topic(sl_session *s, const exec_stmt *st,
                                     sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  const char *topic = bound_option(b, "topic");
  if (!topic)
    topic = b->name;
  long partitions = bound_option_int(b, "partitions", 1);
  long replicas = bound_option_int(b, "replicas", 1);
  if (partitions < 1 || partitions > SL_MAX_PARTITIONS)
    return exec_fail(st, err, "partitions must be between 1 and %d, not %ld",
                     SL_MAX_PARTITIONS, partitions);
  if (replicas < 1 || replicas > 32)
    return exec_fail(st, err, "replicas must be between 1 and 32, not %ld",
                     replicas);

  sl_kafka_admin *admin;
  if (session_admin(s, &admin, err) ||
      sl_kafka_admin_create_topic(admin, topic, (int)partitions,
                                  (int)replicas, NULL, true, err))
    return exec_locate(st, err);
  return SL_OK;
}

/* CREATE FUNCTION ... LANGUAGE C: the library's function replaces the
 * signature the binder registered. */
static sl_status bind_function(sl_session *s, const exec_stmt *st,
                               sl_error *err) {
  sl_catalog_function *fn = NULL;
  if (sl_bound_catalog_function(st->bound, &fn, err))
    return exec_locate(st, err);
  sl_status rc = sl_udf_bind(s->udfs, fn, err);
  sl_catalog_function_free(fn);
  if (rc) {
    /* The catalog must not remember a function that cannot load. */
    sl_error drop_err;
    sl_catalog_drop(s->catalog, SL_CATALOG_FUNCTION, st->bound->name, true,
                    NULL, &drop_err);
    sl_udf_unbind(s->udfs, st->bound->name, &drop_err);
    return exec_locate(st, err);
  }
  return SL_OK;
}

/* A table WITH (topic=...) is its topic's materialized state. */
static sl_status follow_table(sl_session *s, const exec_stmt *st,
                              sl_error *err) {
  if (ensure_stream_topic(s, st, err))
    return err->code;
  sl_catalog_object *obj = NULL;
  if (sl_catalog_get(s->catalog, st->bound->name, &obj, err))
    return exec_locate(st, err);
  sl_status rc = obj ? session_follow(s, obj, err) : SL_OK;
  sl_catalog_object_free(obj);
  return rc ? exec_locate(st, err) : SL_OK;
}

sl_status exec_create(sl_session *s, sl_bind_ctx *ctx, const exec_stmt *st,
                      sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  sl_catalog_outcome outcome;
  if (sl_bind_apply(ctx, b, &outcome, err))
    return err->code;
  if (outcome == SL_CATALOG_SKIPPED)
    return SL_OK;

  if (b->kind == SL_BSTMT_CREATE_MODEL)
    return exec_model_train(s, st, outcome, err);
  if (b->kind == SL_BSTMT_CREATE_FUNCTION)
    return bind_function(s, st, err);

  sl_status rc = SL_OK;
  if (b->query)
    rc = exec_query(s, st, err);
  else if (b->kind == SL_BSTMT_CREATE_STREAM)
    rc = ensure_stream_topic(s, st, err);
  else if (b->kind == SL_BSTMT_CREATE_TABLE && bound_option(b, "topic"))
    rc = follow_table(s, st, err);

  /* A new object whose topic or query could not be made is not kept, so
   * that running the statement again tries again. */
  if (rc && outcome == SL_CATALOG_CREATED) {
    sl_error drop_err;
    session_unfollow(s, b->name);
    if (sl_catalog_drop(s->catalog, b->object_kind, b->name, true, NULL,
                        &drop_err))
      SL_WARN("session", "cannot forget %s after a failed CREATE: %s",
              b->name, drop_err.message);
  }
  return rc;
}

sl_status exec_drop(sl_session *s, sl_bind_ctx *ctx, const exec_stmt *st,
                    sl_error *err) {
  const sl_bound_stmt *b = st->bound;
  char *topic = NULL;

  /* The topic's name goes with the catalog entry, so read it first. */
  if (b->delete_topic) {
    sl_catalog_object *obj = NULL;
    if (sl_catalog_get(s->catalog, b->name, &obj, err))
      return exec_locate(st, err);
    if (obj) {
      topic = strdup(sl_catalog_object_topic(obj));
      sl_catalog_object_free(obj);
    }
  }

  sl_status rc = sl_bind_apply(ctx, b, NULL, err);
  if (rc == SL_OK)
    session_unfollow(s, b->name);
  if (rc == SL_OK && b->object_kind == SL_CATALOG_FUNCTION)
    rc = sl_udf_unbind(s->udfs, b->name, err);
  if (rc == SL_OK && topic) {
    sl_kafka_admin *admin;
    if (session_admin(s, &admin, err) ||
        sl_kafka_admin_delete_topic(admin, topic, err))
      rc = exec_locate(st, err);
  }
  free(topic);
  return rc;
}

/* ---- SHOW --------------------------------------------------------------- */

static sl_status result_begin(sl_session *s, int ncols,
                              const char *const *names, sl_error *err) {
  const sl_type *types[8];
  for (int i = 0; i < ncols; i++)
    types[i] = sl_type_varchar();
  return sl_output_begin(s->output, ncols, names, types, err);
}

static sl_value text_value(const char *text) {
  if (!text)
    return sl_value_null();
  return sl_value_varchar(text, strlen(text));
}

static sl_status result_row(sl_session *s, int ncols,
                            const char *const *cells, sl_error *err) {
  sl_value values[8];
  for (int i = 0; i < ncols; i++)
    values[i] = text_value(cells[i]);
  return sl_output_row(s->output, values, err);
}

static sl_status show_objects(sl_session *s, sl_catalog_kind kind,
                              sl_error *err) {
  static const char *const names[] = {"name", "topic", "format", "key",
                                      "timestamp"};
  sl_catalog_object **objs = NULL;
  int n = 0;
  if (sl_catalog_list(s->catalog, kind, &objs, &n, err))
    return err->code;

  sl_status rc = result_begin(s, 5, names, err);
  for (int i = 0; i < n && rc == SL_OK; i++) {
    const sl_catalog_object *o = objs[i];
    const char *key = o->key_column >= 0 ? o->columns[o->key_column].name
                                         : NULL;
    const char *ts = o->timestamp_column >= 0
                         ? o->columns[o->timestamp_column].name
                         : NULL;
    const char *cells[] = {o->name, sl_catalog_object_option(o, "topic"),
                           sl_catalog_object_option(o, "format"), key, ts};
    rc = result_row(s, 5, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  sl_catalog_object_list_free(objs, n);
  return rc;
}

static const char *query_state_name(sl_catalog_query_state state) {
  switch (state) {
  case SL_QUERY_RUNNING: return "running";
  case SL_QUERY_TERMINATED: return "terminated";
  case SL_QUERY_FAILED: return "failed";
  }
  return "unknown";
}

static sl_status show_queries(sl_session *s, sl_error *err) {
  static const char *const names[] = {"id", "state", "sink", "error",
                                      "sql"};
  sl_catalog_query **qs = NULL;
  int n = 0;
  if (sl_catalog_query_list(s->catalog, &qs, &n, err))
    return err->code;

  sl_status rc = result_begin(s, 5, names, err);
  for (int i = 0; i < n && rc == SL_OK; i++) {
    const char *cells[] = {qs[i]->id, query_state_name(qs[i]->state),
                           qs[i]->sink, qs[i]->error, qs[i]->sql};
    rc = result_row(s, 5, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  sl_catalog_query_list_free(qs, n);
  return rc;
}

static sl_status show_topics(sl_session *s, const exec_stmt *st,
                             sl_error *err) {
  static const char *const names[] = {"name", "partitions"};
  sl_kafka_admin *admin;
  char **topics = NULL;
  size_t n = 0;
  if (session_admin(s, &admin, err) ||
      sl_kafka_admin_list_topics(admin, false, &topics, &n, err))
    return exec_locate(st, err);

  sl_status rc = result_begin(s, 2, names, err);
  for (size_t i = 0; i < n && rc == SL_OK; i++) {
    sl_kafka_topic_info *info = NULL;
    char count[16] = "";
    if (sl_kafka_admin_describe_topic(admin, topics[i], &info, err) ==
        SL_OK) {
      snprintf(count, sizeof(count), "%d", info->partition_count);
      sl_kafka_topic_info_free(info);
    }
    const char *cells[] = {topics[i], count};
    rc = result_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  sl_kafka_names_free(topics, n);
  return rc;
}

static sl_status show_properties(sl_session *s, sl_error *err) {
  static const char *const names[] = {"property", "value"};
  sl_status rc = result_begin(s, 2, names, err);
  for (int i = 0; i < s->nproperties && rc == SL_OK; i++) {
    const char *cells[] = {s->properties[i].name, s->properties[i].value};
    rc = result_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  return rc;
}

/* One row per signature: SHOW FUNCTIONS lists built-ins and C functions,
 * DESCRIBE FUNCTION f the signatures of f with its documentation. */
static sl_status function_rows(sl_session *s, const sl_func *f,
                               sl_error *err) {
  sl_status rc = SL_OK;
  for (int k = 0; k < f->nsigs && rc == SL_OK; k++) {
    char sig[512];
    sl_func_sig_format(f, &f->sigs[k], true, sig, sizeof(sig));
    const char *cells[] = {f->name, sl_func_kind_name(f->kind), sig,
                           (f->flags & SL_FUNC_USER) ? "C" : "built-in",
                           f->refusal ? f->refusal : f->doc};
    rc = result_row(s, 5, cells, err);
  }
  return rc;
}

static const char *const function_columns[] = {"name", "kind", "signature",
                                                "source", "description"};

static sl_status show_functions(sl_session *s, sl_error *err) {
  const sl_func **all = NULL;
  int n = 0;
  if (sl_func_registry_list(s->functions, &all, &n, err))
    return err->code;
  sl_status rc = result_begin(s, 5, function_columns, err);
  for (int i = 0; i < n && rc == SL_OK; i++)
    rc = function_rows(s, all[i], err);
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  free(all);
  return rc;
}

static sl_status describe_function(sl_session *s, const exec_stmt *st,
                                   sl_error *err) {
  const sl_func *f = sl_func_lookup(s->functions, st->bound->name);
  if (!f)
    return exec_fail(st, err, "unknown function \"%s\"", st->bound->name);
  sl_status rc = result_begin(s, 5, function_columns, err);
  if (rc == SL_OK)
    rc = function_rows(s, f, err);
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  return rc;
}

sl_status exec_show(sl_session *s, const exec_stmt *st, sl_error *err) {
  const char *what = st->bound->what;
  if (strcmp(what, "streams") == 0)
    return show_objects(s, SL_CATALOG_STREAM, err);
  if (strcmp(what, "tables") == 0)
    return show_objects(s, SL_CATALOG_TABLE, err);
  if (strcmp(what, "training sets") == 0)
    return show_objects(s, SL_CATALOG_TRAINING_SET, err);
  if (strcmp(what, "models") == 0)
    return exec_show_models(s, st, err);
  if (strcmp(what, "queries") == 0)
    return show_queries(s, err);
  if (strcmp(what, "topics") == 0)
    return show_topics(s, st, err);
  if (strcmp(what, "properties") == 0)
    return show_properties(s, err);
  if (strcmp(what, "functions") == 0)
    return show_functions(s, err);
  return exec_fail(st, err, "SHOW %s is not known here", what);
}

/* ---- DESCRIBE ----------------------------------------------------------- */

/* The offsets a persistent query's consumer group has committed on each
 * partition of the streams it reads: where it resumes. */
static sl_status describe_query_offsets(sl_session *s,
                                        const sl_catalog_query *q,
                                        sl_error *err) {
  char group[600];
  snprintf(group, sizeof(group), "sluice-%s-%s", s->service, q->id);
  sl_kafka_consumer_opts copts = {.group_id = group};
  sl_kafka_consumer *c = NULL;
  sl_kafka_admin *admin;
  if (session_admin(s, &admin, err) ||
      sl_kafka_consumer_new(s->kafka, &copts, &c, err))
    return err->code;

  sl_status rc = SL_OK;
  for (int d = 0; d < q->ndeps && rc == SL_OK; d++) {
    sl_catalog_object *obj = NULL;
    if (sl_catalog_get(s->catalog, q->deps[d], &obj, err)) {
      rc = err->code;
      break;
    }
    if (!obj || obj->kind != SL_CATALOG_STREAM) {
      sl_catalog_object_free(obj);
      continue;
    }
    const char *topic = sl_catalog_object_topic(obj);
    sl_kafka_topic_info *info = NULL;
    rc = sl_kafka_admin_describe_topic(admin, topic, &info, err);
    int n = rc == SL_OK ? info->partition_count : 0;
    sl_kafka_position *parts = calloc((size_t)n + 1, sizeof(*parts));
    if (rc == SL_OK && !parts)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    for (int p = 0; rc == SL_OK && p < n; p++)
      parts[p] = (sl_kafka_position){topic, p, SL_KAFKA_OFFSET_INVALID};
    if (rc == SL_OK)
      rc = sl_kafka_consumer_committed(c, parts, (size_t)n, 10000, err);
    for (int p = 0; rc == SL_OK && p < n; p++) {
      char key[SL_ERROR_NAME_MAX + 32], value[32] = "none";
      snprintf(key, sizeof(key), "offset %s [%d]", topic, p);
      if (parts[p].offset >= 0)
        snprintf(value, sizeof(value), "%lld", (long long)parts[p].offset);
      const char *cells[] = {key, value};
      rc = result_row(s, 2, cells, err);
    }
    free(parts);
    sl_kafka_topic_info_free(info);
    sl_catalog_object_free(obj);
  }
  sl_kafka_consumer_free(c);
  return rc;
}

/* The PREDICT figures of query id in this process, one model version
 * after another: rows scored and ONE_HOT values unseen in training. */
static sl_status describe_predictions(sl_session *s, const char *id,
                                      sl_error *err) {
  if (!s->predict)
    return SL_OK;
  sl_predict_usage uses[32];
  int n = sl_predict_usages(s->predict, id, uses, 32);
  sl_status rc = SL_OK;
  for (int i = 0; i < n && i < 32 && rc == SL_OK; i++) {
    char key[SL_ERROR_NAME_MAX + 64], rows[32], unseen[32];
    snprintf(rows, sizeof(rows), "%lld", uses[i].rows);
    snprintf(unseen, sizeof(unseen), "%lld", uses[i].unseen);
    snprintf(key, sizeof(key), "predictions %s version %d", uses[i].model,
             uses[i].version);
    const char *scored[] = {key, rows};
    rc = result_row(s, 2, scored, err);
    snprintf(key, sizeof(key), "unseen categories %s version %d",
             uses[i].model, uses[i].version);
    const char *missed[] = {key, unseen};
    if (rc == SL_OK)
      rc = result_row(s, 2, missed, err);
  }
  return rc;
}

/* DESCRIBE of a persistent query: its state, what it reads and writes,
 * its counters (live when it runs here), what its PREDICT calls scored
 * in this process and the source offsets it has committed. */
static sl_status describe_query(sl_session *s, const sl_catalog_query *q,
                                sl_error *err) {
  static const char *const names[] = {"property", "value"};
  sl_catalog_counters c = q->counters;
  session_query_counters(s, q->id, &c);
  char in[32], out[32], failed[32], late[32];
  snprintf(in, sizeof(in), "%lld", (long long)c.records_in);
  snprintf(out, sizeof(out), "%lld", (long long)c.records_out);
  snprintf(failed, sizeof(failed), "%lld", (long long)c.records_failed);
  snprintf(late, sizeof(late), "%lld", (long long)c.records_late);
  const char *rows[][2] = {
      {"id", q->id},
      {"state", sl_catalog_query_state_name(q->state)},
      {"sink", q->sink},
      {"error", q->error},
      {"sql", q->sql},
      {"records in", in},
      {"records out", out},
      {"records failed", failed},
      {"records late", late},
  };
  sl_status rc = result_begin(s, 2, names, err);
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) && rc == SL_OK; i++)
    rc = result_row(s, 2, rows[i], err);
  if (rc == SL_OK)
    rc = describe_predictions(s, q->id, err);
  for (int i = 0; i < q->ndeps && rc == SL_OK; i++) {
    const char *cells[] = {"reads", q->deps[i]};
    rc = result_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = describe_query_offsets(s, q, err);
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);
  return rc;
}

sl_status exec_describe(sl_session *s, const exec_stmt *st, sl_error *err) {
  static const char *const names[] = {"column", "type", "nullable", "key"};
  if (st->bound->object_kind == SL_CATALOG_FUNCTION)
    return describe_function(s, st, err);
  if (st->bound->object_kind == SL_CATALOG_MODEL)
    return exec_describe_model(s, st, err);
  sl_catalog_object *obj = NULL;
  if (sl_catalog_get(s->catalog, st->bound->name, &obj, err))
    return exec_locate(st, err);
  if (!obj) {
    sl_catalog_query *q = NULL;
    if (sl_catalog_query_get(s->catalog, st->bound->name, &q, err))
      return exec_locate(st, err);
    if (!q)
      return exec_fail(st, err, "unknown object or query \"%s\"",
                       st->bound->name);
    sl_status rc = describe_query(s, q, err);
    sl_catalog_query_free(q);
    return rc;
  }

  sl_status rc = result_begin(s, 4, names, err);
  for (int i = 0; i < obj->ncolumns && rc == SL_OK; i++) {
    char type[SL_TYPE_SQL_MAX];
    sl_type_to_sql(obj->columns[i].type, type, sizeof(type));
    const char *key = obj->columns[i].primary_key || obj->key_column == i
                          ? "key"
                          : (obj->timestamp_column == i ? "event time"
                                                        : NULL);
    const char *cells[] = {obj->columns[i].name, type,
                           obj->columns[i].not_null ? "NO" : "YES", key};
    rc = result_row(s, 4, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);

  static const char *const pnames[] = {"property", "value"};
  if (rc == SL_OK)
    rc = result_begin(s, 2, pnames, err);
  const char *kind = sl_catalog_kind_name(obj->kind);
  const char *kcells[] = {"kind", kind};
  if (rc == SL_OK)
    rc = result_row(s, 2, kcells, err);
  if (rc == SL_OK && obj->watermark) {
    const char *cells[] = {"watermark", obj->watermark};
    rc = result_row(s, 2, cells, err);
  }
  for (int i = 0; i < obj->noptions && rc == SL_OK; i++) {
    const char *cells[] = {obj->options[i].name, obj->options[i].value};
    rc = result_row(s, 2, cells, err);
  }
  if (rc == SL_OK)
    rc = sl_output_end(s->output, err);

  /* An object written by a persistent query: the query too. */
  sl_catalog_query *q = NULL;
  if (rc == SL_OK && obj->kind != SL_CATALOG_MODEL &&
      sl_catalog_query_get(s->catalog, obj->name, &q, err) == SL_OK && q)
    rc = describe_query(s, q, err);
  sl_catalog_query_free(q);
  sl_catalog_object_free(obj);
  return rc;
}

/* ---- SET / UNSET -------------------------------------------------------- */

static sl_status set_property(sl_session *s, const exec_stmt *st,
                              sl_error *err);

sl_status exec_set(sl_session *s, const exec_stmt *st, sl_error *err) {
  sl_status rc = set_property(s, st, err);
  if (rc)
    return rc;

  /* A runtime already started reads the start position it was given:
   * tell it, so that the next transient query follows the SET. */
  if (s->runtime && strcmp(st->bound->what, "auto.offset.reset") == 0) {
    const char *v = st->bound->kind == SL_BSTMT_UNSET ? NULL
                                                       : st->bound->value;
    rc = sl_runtime_set_offset_reset(s->runtime, v, err);
    if (rc)
      return sl_error_prefix(err, "%s:%d", st->file, st->bound->pos.line);
  }
  return SL_OK;
}

/* Records a SET or UNSET among the session's properties. */
static sl_status set_property(sl_session *s, const exec_stmt *st,
                              sl_error *err) {
  const char *name = st->bound->what;

  /* The worker pool and its commit interval are fixed when the session's
   * first query starts them. */
  if (s->runtime && (strcmp(name, "sluice.threads") == 0 ||
                     strcmp(name, "checkpoint.interval") == 0))
    SL_WARN("session", "%s:%d: %s takes effect in the next session: this "
            "one's queries already run", st->file, st->bound->pos.line,
            name);

  int found = -1;
  for (int i = 0; i < s->nproperties; i++) {
    if (strcmp(s->properties[i].name, name) == 0)
      found = i;
  }

  if (st->bound->kind == SL_BSTMT_UNSET) {
    if (found < 0)
      return SL_OK;
    free(s->properties[found].name);
    free(s->properties[found].value);
    s->properties[found] = s->properties[--s->nproperties];
    return SL_OK;
  }

  char *value = strdup(st->bound->value ? st->bound->value : "");
  if (!value)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (found >= 0) {
    free(s->properties[found].value);
    s->properties[found].value = value;
    return SL_OK;
  }
  if (s->nproperties == SESSION_MAX_PROPERTIES) {
    free(value);
    return exec_fail(st, err, "too many properties set (at most %d)",
                     SESSION_MAX_PROPERTIES);
  }
  s->properties[s->nproperties].name = strdup(name);
  s->properties[s->nproperties].value = value;
  if (!s->properties[s->nproperties].name) {
    free(value);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  s->nproperties++;
  return SL_OK;
}
