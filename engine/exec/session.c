/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c - opening a session, the statement loop, and the resources
 * shared by the statement kinds.
 */
#include "engine/exec/session_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/common/log.h"
#include "engine/exec/metrics.h"
#include "engine/exec/predict.h"
#include "engine/exec/progress.h"
#include "engine/runtime/runtime.h"

static sl_status session_connect_kafka(sl_session *s, sl_error *err) {
  s->kafka = sl_kafka_config_new();
  if (!s->kafka)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");

  if (s->opts.kafka_config &&
      sl_kafka_config_load_file(s->kafka, s->opts.kafka_config, err))
    return err->code;
  if (sl_kafka_config_apply_brokers(s->kafka, s->opts.brokers, err))
    return err->code;
  if (sl_kafka_config_has_brokers(s->kafka))
    return SL_OK;

  if (sl_kafka_broker_start(1, &s->embedded, err))
    return sl_error_prefix(err, "cannot start the embedded broker");
  if (sl_kafka_broker_configure(s->embedded, s->kafka, err))
    return err->code;
  fprintf(s->notices, "%s\n", SL_KAFKA_EMBEDDED_NOTICE);
  fflush(s->notices);
  return SL_OK;
}

static sl_status session_join_deployment(sl_session *s, sl_error *err);
static sl_status session_observe_start(sl_session *s, sl_error *err);
static void session_observe_stop(sl_session *s);

/* C functions: the --udf-dir libraries, then every function the catalog
 * remembers, bound again to their libraries. */
static sl_status session_load_functions(sl_session *s, sl_error *err) {
  s->udfs = sl_udf_loader_new(s->functions);
  if (!s->udfs)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  int n = 0;
  if (s->opts.udf_dir && sl_udf_load_dir(s->udfs, s->opts.udf_dir, &n, err))
    return err->code;

  sl_catalog_function **fns = NULL;
  int nfns = 0;
  if (sl_catalog_function_list(s->catalog, &fns, &nfns, err))
    return err->code;
  sl_status rc = SL_OK;
  for (int i = 0; i < nfns && rc == SL_OK; i++)
    rc = sl_udf_bind(s->udfs, fns[i], err);
  sl_catalog_function_list_free(fns, nfns);
  return rc;
}

/* Tables that follow a topic resume following when a catalog reopens. */
static sl_status session_follow_all(sl_session *s, sl_error *err) {
  sl_catalog_object **tables = NULL;
  int n = 0;
  if (sl_catalog_list(s->catalog, SL_CATALOG_TABLE, &tables, &n, err))
    return err->code;
  sl_status rc = SL_OK;
  for (int i = 0; i < n && rc == SL_OK; i++)
    rc = session_follow(s, tables[i], err);
  sl_catalog_object_list_free(tables, n);
  return rc;
}

sl_status session_follow(sl_session *s, const sl_catalog_object *table,
                         sl_error *err) {
  if (!sl_catalog_object_option(table, "topic") ||
      session_follower(s, table->name))
    return SL_OK;
  if (s->nfollowers == SESSION_MAX_FOLLOWERS)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "too many tables follow topics (at most %d)",
                        SESSION_MAX_FOLLOWERS);
  sl_table_follower *f;
  if (sl_table_follower_start(s->kafka, s->catalog, table, &f, err))
    return err->code;
  s->followers[s->nfollowers++] = f;
  return SL_OK;
}

sl_table_follower *session_follower(sl_session *s, const char *table) {
  for (int i = 0; i < s->nfollowers; i++) {
    if (strcmp(sl_table_follower_table(s->followers[i]), table) == 0)
      return s->followers[i];
  }
  return NULL;
}

void session_unfollow(sl_session *s, const char *table) {
  for (int i = 0; i < s->nfollowers; i++) {
    if (strcmp(sl_table_follower_table(s->followers[i]), table) == 0) {
      sl_table_follower_stop(s->followers[i]);
      s->followers[i] = s->followers[--s->nfollowers];
      return;
    }
  }
}

sl_status session_sync_table(sl_session *s, const char *table,
                             sl_error *err) {
  sl_table_follower *f = session_follower(s, table);
  if (!f)
    return SL_OK;
  sl_kafka_admin *admin = NULL;
  if (session_admin(s, &admin, err))
    return err->code;
  return sl_table_follower_sync(f, admin, err);
}

sl_status sl_session_open(const sl_session_options *opts, sl_session **out,
                          sl_error *err) {
  *out = NULL;
  sl_session *s = calloc(1, sizeof(*s));
  if (!s)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  s->opts = *opts;
  pthread_mutex_init(&s->exec_lock, NULL);
  pthread_mutex_init(&s->observe_lock, NULL);
  snprintf(s->instance, sizeof(s->instance), "%ld-%lld", (long)getpid(),
           (long long)time(NULL));
  s->out = opts->out ? opts->out : stdout;
  s->notices = opts->notices ? opts->notices : stderr;
  s->service = strdup(opts->service ? opts->service : "sluice");
  s->output = sl_output_new(s->out, opts->output);
  if (!s->service || !s->output) {
    sl_session_close(s);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }

  if (session_connect_kafka(s, err)) {
    sl_session_close(s);
    return err->code;
  }

  /* With the embedded broker every run starts clean, so the catalog is
   * temporary too unless one is named. */
  const char *catalog = opts->catalog;
  if (!catalog)
    catalog = s->embedded ? "" : "sluice.db";
  if (sl_catalog_open(catalog, &s->catalog, err)) {
    sl_session_close(s);
    return err->code;
  }

  s->functions = sl_func_registry_new_builtin(err);
  if (!s->functions || session_load_functions(s, err) ||
      session_follow_all(s, err) || session_resume_queries(s, err) ||
      session_join_deployment(s, err) || session_observe_start(s, err)) {
    sl_session_close(s);
    return err->code;
  }
  SL_INFO("session", "service %s, catalog %s, %s", s->service,
          *catalog ? catalog : "(temporary)",
          s->embedded ? "embedded broker" : "external cluster");
  *out = s;
  return SL_OK;
}

void sl_session_close(sl_session *s) {
  if (!s)
    return;
  session_observe_stop(s);
  /* No more commands from other instances once stopping starts. */
  sl_command_log_close(s->commands);
  s->commands = NULL;
  session_stop_queries(s);
  sl_runtime_free(s->runtime);
  sl_predict_free(s->predict);
  if (s->producer) {
    sl_error err;
    if (sl_kafka_producer_flush(s->producer, 30000, &err)) {
      char buf[SL_ERROR_MSG_MAX + 64];
      SL_ERROR("session", "%s", sl_error_format(&err, buf, sizeof(buf)));
    }
    sl_kafka_producer_free(s->producer);
  }
  for (int i = 0; i < s->nfollowers; i++)
    sl_table_follower_stop(s->followers[i]);
  sl_kafka_admin_free(s->admin);
  sl_udf_loader_free(s->udfs);
  sl_func_registry_free(s->functions);
  sl_catalog_close(s->catalog);
  sl_kafka_config_free(s->kafka);
  sl_kafka_broker_stop(s->embedded);
  sl_output_free(s->output);
  for (int i = 0; i < s->nproperties; i++) {
    free(s->properties[i].name);
    free(s->properties[i].value);
  }
  free(s->service);
  pthread_mutex_destroy(&s->exec_lock);
  pthread_mutex_destroy(&s->observe_lock);
  free(s);
}

/* ---- Observability: status lines and metrics -------------------------- */

/* The operators of q's plan with their counters, into o. */
static void collect_operators(sl_query *q, sl_progress_sample *o) {
  const sl_plan *plan = sl_query_plan(q);
  for (int k = 0; k < plan->nnodes && o->nops < SL_PROGRESS_MAX_OPS; k++) {
    const sl_pnode *node = plan->nodes[k];
    sl_progress_op *op = &o->ops[o->nops];
    if (!sl_query_node_counters(q, node->id, &op->counters))
      continue;
    op->id = node->id;
    op->kind = node->kind == SL_PNODE_STATEFUL
                   ? sl_plan_stateful_name(node->u.stateful.kind)
                   : sl_pnode_kind_name(node->kind);
    o->nops++;
  }
}

/* PREDICT per query and model version, from the session's provider. */
static void collect_models(sl_session *s, sl_progress_predict *predict) {
  sl_predict_usage uses[SL_PROGRESS_MAX_MODELS];
  int n = s->predict ? sl_predict_usages(s->predict, NULL, uses,
                                         SL_PROGRESS_MAX_MODELS)
                     : 0;
  predict->nmodels = n < SL_PROGRESS_MAX_MODELS ? n : SL_PROGRESS_MAX_MODELS;
  for (int i = 0; i < predict->nmodels; i++) {
    sl_progress_model *m = &predict->models[i];
    snprintf(m->query, sizeof(m->query), "%s", uses[i].query);
    snprintf(m->model, sizeof(m->model), "%s", uses[i].model);
    m->version = uses[i].version;
    m->rows = uses[i].rows;
    m->calls = uses[i].calls;
    m->seconds = (double)uses[i].ns / 1e9;
    m->unseen = uses[i].unseen;
  }
}

/* The progress collect callback: a copy of every query of the runtime,
 * taken while no query can be freed. */
static int session_collect(void *ud, sl_progress_sample *out, int cap,
                           sl_progress_predict *predict) {
  sl_session *s = ud;
  sl_query *qs[256];
  int n = 0;
  pthread_mutex_lock(&s->observe_lock);
  sl_predict_stats ps;
  sl_predict_process_stats(&ps);
  predict->rows = ps.rows;
  predict->calls = ps.calls;
  predict->seconds = (double)ps.ns / 1e9;
  collect_models(s, predict);
  if (s->runtime) {
    n = sl_runtime_queries(s->runtime, qs, 256);
    n = n < 256 ? n : 256;
    n = n < cap ? n : cap;
  }
  for (int i = 0; i < n; i++) {
    sl_progress_sample *o = &out[i];
    const sl_plan *plan = sl_query_plan(qs[i]);
    memset(o, 0, sizeof(*o));
    snprintf(o->id, sizeof(o->id), "%s", sl_query_id(qs[i]));
    if (plan->persistent)
      sl_runtime_group(s->runtime, o->id, o->group, sizeof(o->group));
    o->status = sl_query_get_status(qs[i]);
    o->bounded = plan->bounded;
    sl_query_get_stats(qs[i], &o->stats);
    for (int k = 0; k < plan->nsources && o->ntopics < SL_PROGRESS_MAX_TOPICS;
         k++)
      snprintf(o->topics[o->ntopics++], sizeof(o->topics[0]), "%s",
               plan->sources[k]->u.source.topic);
    o->lag = -1;
    o->total = plan->bounded ? o->stats.bounded_total : -1;
    collect_operators(qs[i], o);
  }
  pthread_mutex_unlock(&s->observe_lock);
  return n;
}

/* Starts the status lines and the metrics server the options ask for. */
static sl_status session_observe_start(sl_session *s, sl_error *err) {
  if (!s->opts.progress && s->opts.metrics_port <= 0)
    return SL_OK;
  s->meter = sl_progress_meter_new(s->kafka);
  if (!s->meter)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (s->opts.progress) {
    sl_progress_options popts = {
        .out = s->notices,
        .collect = session_collect,
        .ud = s,
        .meter = s->meter,
    };
    if (sl_progress_start(&popts, &s->progress, err))
      return err->code;
  }
  if (s->opts.metrics_port > 0) {
    sl_metrics_options mopts = {
        .port = s->opts.metrics_port,
        .collect = session_collect,
        .ud = s,
        .meter = s->meter,
    };
    if (sl_metrics_start(&mopts, &s->metrics, err))
      return err->code;
  }
  return SL_OK;
}

static void session_observe_stop(sl_session *s) {
  sl_progress_stop(s->progress);
  s->progress = NULL;
  sl_metrics_stop(s->metrics);
  s->metrics = NULL;
  sl_progress_meter_free(s->meter);
  s->meter = NULL;
}

void session_free_query(sl_session *s, sl_query *q) {
  if (!q)
    return;
  /* Stopping can take a while (flush, commit); only the free itself
   * happens under the lock. */
  sl_query_stop(q);
  sl_query_wait(q, -1, NULL, NULL);
  pthread_mutex_lock(&s->observe_lock);
  sl_query_free(q);
  pthread_mutex_unlock(&s->observe_lock);
}

sl_status session_admin(sl_session *s, sl_kafka_admin **out, sl_error *err) {
  if (!s->admin && sl_kafka_admin_new(s->kafka, &s->admin, err))
    return err->code;
  *out = s->admin;
  return SL_OK;
}

sl_status session_producer(sl_session *s, sl_kafka_producer **out,
                           sl_error *err) {
  if (!s->producer &&
      sl_kafka_producer_new(s->kafka, NULL, &s->producer, err))
    return err->code;
  *out = s->producer;
  return SL_OK;
}

const char *session_property_get(const sl_session *s, const char *name) {
  for (int i = 0; i < s->nproperties; i++) {
    if (strcmp(s->properties[i].name, name) == 0)
      return s->properties[i].value;
  }
  return NULL;
}

sl_status exec_fail(const exec_stmt *st, sl_error *err, const char *fmt,
                    ...) {
  char msg[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return sl_error_set_sql(err, st->file, st->bound->pos.line,
                          st->bound->pos.column, "%s", msg);
}

sl_status exec_locate(const exec_stmt *st, sl_error *err) {
  if (err->loc != SL_LOC_NONE)
    return err->code;
  sl_status code = err->code;
  err->loc = SL_LOC_SQL;
  snprintf(err->file, sizeof(err->file), "%s", st->file);
  err->line = st->bound->pos.line;
  err->column = st->bound->pos.column;
  err->code = code;
  return code;
}

/* Runs one bound statement. */
static sl_status session_execute(sl_session *s, sl_bind_ctx *ctx,
                                 const exec_stmt *st, sl_error *err) {
  switch (st->bound->kind) {
  case SL_BSTMT_CREATE_STREAM:
  case SL_BSTMT_CREATE_TABLE:
  case SL_BSTMT_CREATE_TRAINING_SET:
  case SL_BSTMT_CREATE_MODEL:
  case SL_BSTMT_CREATE_FUNCTION:
    return exec_create(s, ctx, st, err);
  case SL_BSTMT_DROP:
    return exec_drop(s, ctx, st, err);
  case SL_BSTMT_SHOW:
    return exec_show(s, st, err);
  case SL_BSTMT_DESCRIBE:
    return exec_describe(s, st, err);
  case SL_BSTMT_SET:
  case SL_BSTMT_UNSET:
    return exec_set(s, st, err);
  case SL_BSTMT_INSERT_VALUES:
    return exec_insert_values(s, st, err);
  case SL_BSTMT_LOAD:
    return exec_load(s, st, err);
  case SL_BSTMT_PRINT:
    return exec_print(s, st, err);
  case SL_BSTMT_QUERY:
  case SL_BSTMT_INSERT_QUERY:
    return exec_query(s, st, err);
  case SL_BSTMT_EXPLAIN:
    return exec_explain(s, st, err);
  case SL_BSTMT_TERMINATE:
    return exec_terminate(s, st, err);
  case SL_BSTMT_COPY:
    return exec_copy(s, st, err);
  case SL_BSTMT_EVALUATE:
    return exec_evaluate(s, st, err);
  }
  return sl_error_set(err, SL_ERR_INTERNAL, "statement kind %d unknown",
                      (int)st->bound->kind);
}

/* What a statement changes in the deployment, as the key of its command:
 * the object it creates or drops, or the query it starts or stops; NULL
 * for statements the other instances need not know about. */
static const char *command_key(const sl_bound_stmt *b, char *buf,
                               size_t size) {
  switch (b->kind) {
  case SL_BSTMT_CREATE_STREAM:
  case SL_BSTMT_CREATE_TABLE:
  case SL_BSTMT_CREATE_TRAINING_SET:
  case SL_BSTMT_CREATE_MODEL:
    snprintf(buf, size, "object:%s", b->name);
    return buf;
  case SL_BSTMT_DROP:
    snprintf(buf, size, "%s:%s",
             b->object_kind == SL_CATALOG_FUNCTION ? "function" : "object",
             b->name);
    return buf;
  case SL_BSTMT_CREATE_FUNCTION:
    snprintf(buf, size, "function:%s", b->name);
    return buf;
  case SL_BSTMT_INSERT_QUERY:
    snprintf(buf, size, "insert:%s:%s", b->name, b->sql ? b->sql : "");
    return buf;
  case SL_BSTMT_TERMINATE:
    snprintf(buf, size, "terminate:%s", b->all ? "*" : b->name);
    return buf;
  default:
    return NULL;
  }
}

static sl_status session_apply_command(void *ud, const sl_command *cmd,
                                       sl_error *err);

/* The catalog setting that says how far this catalog has applied the
 * service's command topic (the offset after the last command in it). */
static void commands_setting(const sl_session *s, char *buf, size_t size) {
  snprintf(buf, size, "commands.applied.%s",
           sl_command_log_topic(s->commands));
}

/* Records that the commands before offset + 1 are in the catalog. */
static sl_status session_commands_applied(sl_session *s, int64_t offset,
                                          sl_error *err) {
  char name[300], value[32];
  commands_setting(s, name, sizeof(name));
  snprintf(value, sizeof(value), "%lld", (long long)offset + 1);
  return sl_catalog_setting_set(s->catalog, name, value, err);
}

sl_status session_record_command(sl_session *s, const exec_stmt *st,
                                 sl_error *err) {
  char key[1024];
  if (s->embedded || s->applying || !st->bound->sql ||
      !command_key(st->bound, key, sizeof(key)))
    return SL_OK;

  /* The first statement of a new service makes its command topic. */
  if (!s->commands) {
    sl_kafka_admin *admin = NULL;
    if (session_admin(s, &admin, err) ||
        sl_command_log_open(s->kafka, admin, s->service, s->instance, true,
                            &s->commands, err) ||
        sl_command_log_follow(s->commands, session_apply_command, s, err))
      return exec_locate(st, err);
  }
  sl_kafka_producer *producer = NULL;
  if (session_producer(s, &producer, err) ||
      sl_command_log_append(s->commands, producer, key, st->bound->sql,
                            err))
    return exec_locate(st, err);
  return SL_OK;
}

/* Runs a command of the deployment's command topic: the statements of
 * another instance (or of this one before a restart). */
static sl_status session_apply_command(void *ud, const sl_command *cmd,
                                       sl_error *err) {
  sl_session *s = ud;
  if (cmd->own) {
    pthread_mutex_lock(&s->exec_lock);
    sl_status rc = session_commands_applied(s, cmd->offset, err);
    pthread_mutex_unlock(&s->exec_lock);
    return rc;
  }
  char file[300];
  snprintf(file, sizeof(file), "command %s", cmd->key);
  sl_parse_options popts = {s->opts.vars, s->opts.nvars};
  sl_parse_result *parse = NULL;
  if (sl_parse_script(file, cmd->sql, &popts, &parse, err))
    return err->code;

  sl_bind_ctx ctx;
  sl_status rc = SL_OK;
  pthread_mutex_lock(&s->exec_lock);
  sl_bind_ctx_init(&ctx, s->catalog, s->functions, parse);
  s->applying = true;
  for (int i = 0; i < parse->nstmts && rc == SL_OK; i++) {
    sl_bound_stmt *bound = NULL;
    rc = sl_bind_stmt(&ctx, parse->stmts[i], &bound, err);
    /* An object this instance already has with another definition, or
     * one already dropped, is reported but does not stop the others; so
     * is a model whose versions the instance that trained it did not
     * publish (exec_model.c installs the published ones). */
    bool model = rc == SL_OK && bound->kind == SL_BSTMT_CREATE_MODEL;
    if (rc == SL_OK) {
      exec_stmt st = {bound, file};
      rc = session_execute(s, &ctx, &st, err);
    }
    if (rc == SL_ERR_SQL || (model && rc != SL_OK && rc != SL_ERR_NOMEM)) {
      char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
      SL_WARN("commands", "skipping %s: %s", cmd->key,
              sl_error_format(err, buf, sizeof(buf)));
      rc = SL_OK;
    }
    sl_bound_stmt_free(bound);
  }
  s->applying = false;
  if (rc == SL_OK)
    rc = session_commands_applied(s, cmd->offset, err);
  pthread_mutex_unlock(&s->exec_lock);
  sl_parse_result_free(parse);
  return rc;
}

/* With a real cluster: replay the deployment's commands, then follow
 * them.  The embedded broker is private to this process, so there is
 * nothing to share. */
static sl_status session_join_deployment(sl_session *s, sl_error *err) {
  if (s->embedded)
    return SL_OK;
  sl_kafka_admin *admin = NULL;
  if (session_admin(s, &admin, err))
    return err->code;

  /* One metadata round trip first, so that a cluster that cannot be
   * reached is named as such rather than as the first request to fail. */
  char **topics = NULL;
  size_t ntopics = 0;
  if (sl_kafka_admin_list_topics(admin, false, &topics, &ntopics, err))
    return sl_error_prefix(err, "cannot reach the Kafka cluster at %s",
                           sl_kafka_config_get(s->kafka,
                                               "bootstrap.servers"));
  sl_kafka_names_free(topics, ntopics);

  /* A service nobody has written to yet has no command topic. */
  if (sl_command_log_open(s->kafka, admin, s->service, s->instance, false,
                          &s->commands, err))
    return sl_error_prefix(err, "cannot join service %s", s->service);
  if (!s->commands)
    return SL_OK;
  char name[300];
  char *applied = NULL;
  commands_setting(s, name, sizeof(name));
  if (sl_catalog_setting_get(s->catalog, name, &applied, err))
    return sl_error_prefix(err, "cannot join service %s", s->service);
  int64_t from = applied ? strtoll(applied, NULL, 10) : 0;
  free(applied);
  if (sl_command_log_replay(s->commands, from, session_apply_command, s,
                            err) ||
      sl_command_log_follow(s->commands, session_apply_command, s, err))
    return sl_error_prefix(err, "cannot join service %s", s->service);
  return SL_OK;
}

sl_status sl_session_run_script(sl_session *s, const char *file,
                                const char *text, sl_error *err) {
  s->cancel_requested = 0;
  sl_parse_options popts = {s->opts.vars, s->opts.nvars};
  sl_parse_result *parse = NULL;
  if (sl_parse_script(file, text, &popts, &parse, err))
    return err->code;

  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, s->catalog, s->functions, parse);
  sl_status rc = SL_OK;
  for (int i = 0; i < parse->nstmts && rc == SL_OK; i++) {
    /* Stopped (SIGINT or SIGTERM): what follows does not start, for it
     * may need what the stopped queries did not finish. */
    if (s->stop_requested) {
      SL_WARN("session", "%s:%d: stopped; this statement and %d after it "
              "did not run", file ? file : "<inline>",
              parse->stmts[i]->pos.line, parse->nstmts - i - 1);
      break;
    }
    sl_bound_stmt *bound = NULL;
    rc = sl_bind_stmt(&ctx, parse->stmts[i], &bound, err);
    if (rc)
      break;
    exec_stmt st = {bound, file};
    pthread_mutex_lock(&s->exec_lock);
    sl_output_statement(s->output);
    rc = session_execute(s, &ctx, &st, err);
    if (rc == SL_OK)
      rc = session_record_command(s, &st, err);
    pthread_mutex_unlock(&s->exec_lock);
    sl_bound_stmt_free(bound);
  }
  sl_parse_result_free(parse);
  return rc;
}

void sl_session_request_stop(sl_session *s) { s->stop_requested = 1; }

sl_catalog *sl_session_catalog(sl_session *s) { return s->catalog; }

const sl_kafka_config *sl_session_kafka(const sl_session *s) {
  return s->kafka;
}

/* The three below take exec_lock: commands applied from the service's
 * command topic run statements (and start queries) on another thread. */
void sl_session_set_bounded(sl_session *s, bool bounded) {
  pthread_mutex_lock(&s->exec_lock);
  s->opts.bounded = bounded;
  pthread_mutex_unlock(&s->exec_lock);
}

bool sl_session_query_rows(sl_session *s, const char *id, int64_t *in,
                           int64_t *out) {
  sl_catalog_counters c;
  pthread_mutex_lock(&s->exec_lock);
  bool found = session_query_counters(s, id, &c);
  pthread_mutex_unlock(&s->exec_lock);
  if (!found)
    return false;
  *in = c.records_in;
  *out = c.records_out;
  return true;
}

void sl_session_stop_queries(sl_session *s) {
  pthread_mutex_lock(&s->exec_lock);
  session_stop_queries(s);
  pthread_mutex_unlock(&s->exec_lock);
}

void sl_session_cancel(sl_session *s) { s->cancel_requested = 1; }

sl_status sl_session_list_topics(sl_session *s, char ***names,
                                 size_t *count, sl_error *err) {
  sl_kafka_admin *admin = NULL;
  if (session_admin(s, &admin, err))
    return err->code;
  return sl_kafka_admin_list_topics(admin, false, names, count, err);
}

int sl_session_running_queries(sl_session *s, const char **ids, int max) {
  int n = 0;
  for (int i = 0; i < s->nqueries; i++) {
    if (sl_query_get_status(s->queries[i]) != SL_QUERY_STATUS_RUNNING)
      continue;
    if (n < max)
      ids[n] = sl_query_id(s->queries[i]);
    n++;
  }
  return n;
}

void sl_session_set_output(sl_session *s, FILE *out) {
  sl_output *o = sl_output_new(out, s->opts.output);
  if (!o)
    return;
  sl_output_set_timing(o, s->timing);
  sl_output_free(s->output);
  s->output = o;
  s->out = out;
}

void sl_session_set_timing(sl_session *s, bool on) {
  pthread_mutex_lock(&s->exec_lock);
  s->timing = on;
  sl_output_set_timing(s->output, on);
  pthread_mutex_unlock(&s->exec_lock);
}
