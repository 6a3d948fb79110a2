/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query.c - starting, waiting for, stopping and reporting on queries.
 *
 * Outline of sl_query_start:
 *   1. describe every source topic (it must exist): partitions, log start
 *      and high watermark, which fix the bounded end offsets; a keyed
 *      plan whose joined topics differ in partition count falls back to
 *      one state for all partitions;
 *   2. create the sink stream's topic and the dead-letter topics that are
 *      missing;
 *   3. decide where partitions without committed offsets start;
 *   4. split the query into tasks (transient: one per worker; persistent:
 *      the configured group members; never more than source partitions,
 *      one in all for a LIMIT) and hand them to the pool.
 */
#include "engine/runtime/runtime_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/kafka/admin.h"

const char *sl_query_status_name(sl_query_status s) {
  switch (s) {
  case SL_QUERY_STATUS_RUNNING: return "running";
  case SL_QUERY_STATUS_FINISHED: return "finished";
  case SL_QUERY_STATUS_STOPPED: return "stopped";
  case SL_QUERY_STATUS_FAILED: return "failed";
  }
  return "?";
}

/* ------------------------------------------------------------------ */
/* Preparing topics                                                    */
/* ------------------------------------------------------------------ */

static sl_status add_parts(sl_query *q, const char *topic,
                           const sl_kafka_topic_info *info, bool internal,
                           sl_error *err) {
  sl_qpart *ps = realloc(q->parts, (size_t)(q->nparts + info->partition_count)
                                       * sizeof(*ps));
  if (!ps)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  q->parts = ps;
  for (int i = 0; i < info->partition_count; i++) {
    sl_qpart *p = &q->parts[q->nparts++];
    p->topic = topic;
    p->partition = info->partitions[i].id;
    p->low = info->partitions[i].low;
    p->end = info->partitions[i].high;
    /* A repartition topic is written while the query runs: its
     * partitions end when every writer says so (sl_source_complete). */
    if (internal)
      p->end = INT64_MAX;
    atomic_init(&p->done, q->bounded && p->end <= p->low);
    atomic_init(&p->claimed, false);
    atomic_init(&p->start, -1);
  }
  return SL_OK;
}

static bool seen_topic(const sl_query *q, const char *topic) {
  for (int i = 0; i < q->nparts; i++)
    if (!strcmp(q->parts[i].topic, topic))
      return true;
  return false;
}

/* The partitions of a source topic the query knows. */
static int topic_partitions(const sl_query *q, const char *topic) {
  int n = 0;
  for (int i = 0; i < q->nparts; i++)
    n += !strcmp(q->parts[i].topic, topic);
  return n;
}

/* A join's two repartition topics must have one partition count, or
 * equal keys would land on different partition numbers. */
static sl_status check_join_topics(const sl_query *q, sl_error *err) {
  const sl_plan *plan = q->plan;
  for (int s = 0; s < plan->nsources; s++) {
    const sl_pnode *src = plan->sources[s];
    if (!src->u.source.internal || !src->inputs[0]->u.repart.peer)
      continue;
    const sl_pnode *w = src->inputs[0];
    for (int t = 0; t < plan->nsources; t++) {
      const sl_pnode *o = plan->sources[t];
      if (!o->u.source.internal || o == src ||
          o->inputs[0]->u.repart.source != w->u.repart.peer)
        continue;
      int n = o->inputs[0]->u.repart.partitions;
      if (n != w->u.repart.partitions)
        return sl_error_set(err, SL_ERR_RUNTIME,
                            "repartition topics %s (%d partitions) and %s "
                            "(%d) of query %s differ; delete both to "
                            "let the query make them again",
                            src->u.source.topic, w->u.repart.partitions,
                            o->u.source.topic, n, q->id);
    }
  }
  return SL_OK;
}

/* Steps 1 and 2 of the outline. */
static sl_status prepare_topics(sl_query *q, sl_error *err) {
  sl_kafka_admin *admin;
  sl_status rc = sl_kafka_admin_new(q->rt->kafka, &admin, err);
  if (rc)
    return rc;
  int replication = 1;
  const sl_plan *plan = q->plan;
  /* Repartition topics last: their writers' sources say how many
   * partitions they get. */
  for (int k = 0; !rc && k < 2 * plan->nsources; k++) {
    int s = k % plan->nsources;
    const sl_pnode *src = plan->sources[s];
    const char *topic = src->u.source.topic;
    if (src->u.source.internal != (k >= plan->nsources) ||
        seen_topic(q, topic))
      continue;
    if (src->u.source.internal) {
      /* A join's two topics both get the larger count of its streams'
       * topics, so that partition p of both holds the same keys. */
      sl_pnode *w = src->inputs[0];
      int up = topic_partitions(q, w->u.repart.source->u.source.topic);
      int peer = w->u.repart.peer
                     ? topic_partitions(q, w->u.repart.peer->u.source.topic)
                     : 0;
      if (w->u.repart.partitions <= 0)
        w->u.repart.partitions = up > peer ? up : peer;
      w->u.repart.upstream = up;
      rc = sl_kafka_admin_create_topic(admin, topic, w->u.repart.partitions,
                                       replication, NULL, true, err);
    }
    bool exists = false;
    rc = sl_kafka_admin_topic_exists(admin, topic, &exists, err);
    if (!rc && !exists)
      rc = sl_error_set(err, SL_ERR_RUNTIME,
                        "topic %s of stream %s does not exist", topic,
                        src->u.source.stream);
    sl_kafka_topic_info *info = NULL;
    if (!rc)
      rc = sl_kafka_admin_describe_topic(admin, topic, &info, err);
    if (!rc) {
      if (s == 0) {
        q->source_partitions = info->partition_count;
        replication = info->replication > 0 ? info->replication : 1;
      }
      rc = add_parts(q, topic, info, src->u.source.internal, err);
    }
    /* A topic left by an earlier run keeps its count: the writer
     * hashes over the partitions the readers really have. */
    if (!rc && src->u.source.internal)
      src->inputs[0]->u.repart.partitions = info->partition_count;
    sl_kafka_topic_info_free(info);
  }
  if (!rc)
    rc = check_join_topics(q, err);

  /* Dead-letter topics: as many partitions as their stream's topic. */
  for (int s = 0; !rc && s < plan->nsources; s++) {
    const sl_pnode *src = plan->sources[s];
    if (src->u.source.policy != SL_POLICY_DLQ || !src->u.source.dlq_topic)
      continue;
    int n = 0;
    for (int i = 0; i < q->nparts; i++)
      n += !strcmp(q->parts[i].topic, src->u.source.topic);
    rc = sl_kafka_admin_create_topic(admin, src->u.source.dlq_topic, n,
                                     replication, NULL, true, err);
  }

  const sl_pnode *root = plan->root;
  if (!rc && root->kind == SL_PNODE_SINK_KAFKA) {
    int parts = root->u.sink.partitions > 0 ? root->u.sink.partitions
                                            : q->source_partitions;
    int reps = root->u.sink.replicas > 0 ? root->u.sink.replicas
                                         : replication;
    rc = sl_kafka_admin_create_topic(admin, root->u.sink.topic, parts, reps,
                                     NULL, true, err);
  }
  sl_kafka_admin_free(admin);
  return rc;
}

/* Names the plan's repartition topics with the runtime's service (the
 * planner may not have known it). */
static sl_status name_internal(sl_query *q, sl_error *err) {
  sl_plan *plan = q->plan;
  int n = 0;
  for (int i = 0; i < plan->nnodes; i++) {
    sl_pnode *w = plan->nodes[i];
    if (w->kind != SL_PNODE_SINK_REPARTITION)
      continue;
    char topic[SL_ERROR_NAME_MAX];
    snprintf(topic, sizeof(topic), "_sluice-%s-%s-repartition-%d",
             q->rt->service ? q->rt->service : "sluice", q->id, n++);
    char *name = sl_arena_strdup(&plan->arena, topic);
    if (!name)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    w->u.repart.topic = name;
    for (int k = 0; k < plan->nnodes; k++) {
      sl_pnode *r = plan->nodes[k];
      if (r->kind == SL_PNODE_SOURCE && r->u.source.internal &&
          r->inputs[0] == w)
        r->u.source.topic = name;
    }
  }

  /* The operators reading them say so in EXPLAIN. */
  for (int i = 0; i < plan->nnodes; i++) {
    sl_pnode *r = plan->nodes[i];
    if (r->kind == SL_PNODE_STATEFUL && r->keyed_by &&
        sl_plan_repart_text(plan, r))
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  return SL_OK;
}

/* A keyed plan's joins need both topics split alike (sl_plan.
 * copartitioned): partition p of each must hold the same keys.  When
 * the counts differ the plan keeps one state for all partitions, which
 * is exact wherever the keys land. */
static void check_copartitioned(sl_query *q) {
  sl_plan *plan = q->plan;
  for (int i = 0; plan->keyed_state && i < plan->ncopartitioned; i++) {
    const char *a = plan->copartitioned[i][0];
    const char *b = plan->copartitioned[i][1];
    int na = topic_partitions(q, a), nb = topic_partitions(q, b);
    if (na == nb)
      continue;
    SL_INFO("engine", "query %s: topics %s (%d partitions) and %s (%d) "
            "are not co-partitioned; its state is kept for all partitions "
            "at once", q->id, a, na, b, nb);
    plan->keyed_state = false;
  }
}

/* Step 3: "earliest" or "latest" for partitions without an offset. */
static const char *start_of(const sl_query *q) {
  const char *stream_start = NULL;
  for (int s = 0; s < q->plan->nsources && !stream_start; s++)
    stream_start = q->plan->sources[s]->u.source.start;
  if (q->plan->persistent)
    return stream_start ? stream_start : "earliest";
  if (q->bounded)
    return "earliest";
  if (stream_start)
    return stream_start;
  return q->rt->offset_reset ? q->rt->offset_reset : "latest";
}

static bool has_limit(const sl_plan *plan) {
  for (int i = 0; i < plan->nnodes; i++)
    if (plan->nodes[i]->kind == SL_PNODE_LIMIT)
      return true;
  return false;
}

/* The store of a stateful persistent query, restored from its last
 * checkpoint, whose offsets its partitions resume from. */
static sl_status open_state(sl_query *q, sl_error *err) {
  if (!q->rt->catalog)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "stateful query %s without a catalog", q->id);
  sl_status rc = sl_state_open(q->rt->catalog, q->id, &q->state, err);
  int64_t id = 0;
  if (!rc)
    rc = sl_state_restore(q->state, &id, err);
  if (!rc && id > 0)
    rc = sl_state_offsets(q->state, &q->restored, &q->nrestored, err);
  if (!rc && id > 0)
    SL_INFO("engine", "query %s restored checkpoint %lld", q->id,
            (long long)id);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Lifecycle                                                           */
/* ------------------------------------------------------------------ */

static void query_destroy(sl_query *q) {
  for (int i = 0; q->tasks && i < q->ntasks; i++)
    sl_task_free(q->tasks[i]);
  free(q->tasks);
  sl_state_offsets_free(q->restored, q->nrestored);
  sl_state_close(q->state);
  free(q->parts);
  sl_plan_free(q->plan);
  free(q->id);
  free(q->group);
  free(q->start);
  pthread_cond_destroy(&q->ended_cv);
  pthread_mutex_destroy(&q->cb_lock);
  pthread_mutex_destroy(&q->lock);
  free(q);
}

/* Starts a query (see runtime.h). */
sl_status sl_query_start(sl_runtime *rt, sl_plan *plan, sl_query **out,
                         sl_error *err) {
  *out = NULL;
  sl_query *q = calloc(1, sizeof(*q));
  if (!q) {
    sl_plan_free(plan);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  pthread_mutex_init(&q->lock, NULL);
  pthread_mutex_init(&q->cb_lock, NULL);
  pthread_cond_init(&q->ended_cv, NULL);
  atomic_init(&q->lost, 0);
  atomic_init(&q->stop, false);
  atomic_init(&q->finish, false);
  atomic_init(&q->commits, 0);
  atomic_init(&q->failed, false);
  atomic_init(&q->parked, 0);
  q->rt = rt;
  q->plan = plan;
  q->bounded = plan->bounded;
  q->id = strdup(plan->query_id);
  sl_status rc = q->id ? SL_OK : sl_error_set(err, SL_ERR_NOMEM, "out of "
                                                                 "memory");
  if (!rc && plan->persistent) {
    char group[SL_ERROR_NAME_MAX];
    sl_runtime_group(rt, q->id, group, sizeof(group));
    if (!(q->group = strdup(group)))
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  if (!rc)
    rc = name_internal(q, err);
  if (!rc)
    rc = prepare_topics(q, err);
  if (!rc)
    check_copartitioned(q);
  if (!rc && plan->stateful && plan->persistent)
    rc = open_state(q, err);
  if (!rc) {
    pthread_mutex_lock(&rt->lock);
    q->start = strdup(start_of(q));
    pthread_mutex_unlock(&rt->lock);
    if (!q->start)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }

  /* Step 4: the tasks. */
  if (!rc) {
    int most = q->source_partitions;
    for (int i = 0; i < q->nparts; i++)
      if (q->parts[i].partition + 1 > most)
        most = q->parts[i].partition + 1;
    /* A stateful query keeps its state per partition when every row of
     * a key is on one partition (sl_plan.keyed_state): its partitions
     * then spread over group members as a stateless query's do, each
     * task checkpointing its own partitions of the shared store.  With
     * one state for all partitions (rows of one key on any of them), or
     * a transient query (whose rows are printed in order), one task
     * reads every partition. */
    int cap = plan->persistent ? rt->group_tasks : rt->threads;
    if (plan->stateful && (!plan->persistent || !plan->keyed_state))
      cap = 1;
    q->ntasks = cap < most ? cap : most;
    if (q->ntasks < 1 || has_limit(plan))
      q->ntasks = 1;
    q->tasks = calloc((size_t)q->ntasks, sizeof(*q->tasks));
    if (!q->tasks)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; !rc && i < q->ntasks; i++)
    rc = sl_task_new(q, i, &q->tasks[i], err);
  if (!rc) {
    pthread_mutex_lock(&rt->lock);
    sl_query **qs = realloc(rt->queries, (size_t)(rt->nqueries + 1) *
                                             sizeof(*qs));
    if (qs) {
      rt->queries = qs;
      qs[rt->nqueries++] = q;
    }
    pthread_mutex_unlock(&rt->lock);
    if (!qs)
      rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  if (rc) {
    if (err)
      sl_error_prefix(err, "starting query %s", plan->query_id);
    query_destroy(q);
    return rc;
  }

  q->status = SL_QUERY_STATUS_RUNNING;
  q->tasks_running = q->ntasks;
  SL_INFO("engine", "query %s started: %d task%s, %s%s", q->id, q->ntasks,
          q->ntasks == 1 ? "" : "s", q->group ? "group " : "assigned",
          q->group ? q->group : "");
  for (int i = 0; i < q->ntasks; i++)
    sl_runtime_schedule(rt, q->tasks[i]);
  *out = q;
  return SL_OK;
}

void sl_query_fail(sl_query *q, const sl_error *err) {
  pthread_mutex_lock(&q->lock);
  if (!atomic_load(&q->failed)) {
    q->error = *err;
    atomic_store(&q->failed, true);
    char buf[SL_ERROR_MSG_MAX + 64];
    SL_ERROR("engine", "query %s failed: %s", q->id,
             sl_error_format(err, buf, sizeof(buf)));
  }
  pthread_mutex_unlock(&q->lock);
  atomic_store(&q->stop, true);
}

void sl_query_task_ended(sl_query *q) {
  pthread_mutex_lock(&q->lock);
  if (--q->tasks_running == 0) {
    q->status = atomic_load(&q->failed) ? SL_QUERY_STATUS_FAILED
                : atomic_load(&q->finish) ? SL_QUERY_STATUS_FINISHED
                                          : SL_QUERY_STATUS_STOPPED;
    SL_INFO("engine", "query %s %s", q->id, sl_query_status_name(q->status));
    pthread_cond_broadcast(&q->ended_cv);
  }
  pthread_mutex_unlock(&q->lock);
}

/* Waits for the end (see runtime.h). */
sl_status sl_query_wait(sl_query *q, int64_t timeout_ms, bool *ended,
                        sl_error *err) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  if (timeout_ms >= 0) {
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000;
    }
  }
  pthread_mutex_lock(&q->lock);
  while (q->tasks_running > 0) {
    if (timeout_ms < 0) {
      pthread_cond_wait(&q->ended_cv, &q->lock);
    } else if (pthread_cond_timedwait(&q->ended_cv, &q->lock, &deadline) ==
               ETIMEDOUT) {
      break;
    }
  }
  bool done = q->tasks_running == 0;
  sl_status rc = SL_OK;
  if (done && atomic_load(&q->failed)) {
    if (err)
      *err = q->error;
    rc = q->error.code ? q->error.code : SL_ERR_RUNTIME;
  }
  pthread_mutex_unlock(&q->lock);
  if (ended)
    *ended = done;
  return rc;
}

void sl_query_stop(sl_query *q) {
  atomic_store(&q->stop, true);
}

/* Stops, waits, frees (see runtime.h). */
void sl_query_free(sl_query *q) {
  if (!q)
    return;
  sl_query_stop(q);
  sl_query_wait(q, -1, NULL, NULL);
  sl_runtime *rt = q->rt;
  if (rt) {
    pthread_mutex_lock(&rt->lock);
    for (int i = 0; i < rt->nqueries; i++) {
      if (rt->queries[i] == q) {
        rt->queries[i] = rt->queries[--rt->nqueries];
        break;
      }
    }
    pthread_mutex_unlock(&rt->lock);
  }
  query_destroy(q);
}

sl_query_status sl_query_get_status(const sl_query *q) {
  sl_query *m = (sl_query *)q;
  pthread_mutex_lock(&m->lock);
  sl_query_status s = m->status;
  pthread_mutex_unlock(&m->lock);
  return s;
}

const char *sl_query_id(const sl_query *q) {
  return q->id;
}

const sl_plan *sl_query_plan(const sl_query *q) {
  return q->plan;
}

int sl_query_tasks(const sl_query *q) {
  return q->ntasks;
}

sl_qpart *sl_query_part(sl_query *q, const char *topic, int32_t partition) {
  for (int i = 0; i < q->nparts; i++)
    if (q->parts[i].partition == partition &&
        !strcmp(q->parts[i].topic, topic))
      return &q->parts[i];
  return NULL;
}

bool sl_query_all_done(sl_query *q) {
  for (int i = 0; i < q->nparts; i++)
    if (!atomic_load(&q->parts[i].done))
      return false;
  return true;
}

/* ------------------------------------------------------------------ */
/* Counters                                                            */
/* ------------------------------------------------------------------ */

bool sl_query_node_counters(void *query, int node, sl_plan_counters *out) {
  sl_query *q = query;
  memset(out, 0, sizeof(*out));
  bool any = false;
  for (int i = 0; i < q->ntasks; i++)
    any = sl_task_node_counters(q->tasks[i], node, out) || any;
  return any;
}

/* The records a bounded query reads in all: over the partitions of each
 * source that reads a topic (repartition topics are the query's own
 * traffic), the end fixed at start minus where reading began; -1 while
 * a partition has not started, and for an unbounded query. */
static int64_t bounded_total(const sl_query *q) {
  if (!q->bounded)
    return -1;
  int64_t total = 0;
  const sl_plan *plan = q->plan;
  for (int s = 0; s < plan->nsources; s++) {
    const sl_pnode *src = plan->sources[s];
    if (src->u.source.internal)
      continue;
    for (int i = 0; i < q->nparts; i++) {
      const sl_qpart *p = &q->parts[i];
      if (strcmp(p->topic, src->u.source.topic) != 0)
        continue;
      int64_t start = atomic_load(&((sl_qpart *)p)->start);
      if (start < 0)
        return -1;
      if (p->end > start)
        total += p->end - start;
    }
  }
  return total;
}

void sl_query_get_stats(const sl_query *q, sl_query_stats *out) {
  memset(out, 0, sizeof(*out));
  const sl_plan *plan = q->plan;
  for (int n = 0; n < plan->nnodes; n++) {
    sl_plan_counters c;
    if (!sl_query_node_counters((void *)q, n, &c))
      continue;
    const sl_pnode *node = plan->nodes[n];
    if (node->kind == SL_PNODE_SOURCE && !node->u.source.internal)
      out->records_in += c.records_in;
    if (node == plan->root)
      out->records_out += c.records_in;
    out->records_failed += c.records_failed;
    out->records_late += c.records_late;
  }
  out->bounded_total = bounded_total(q);
  for (int i = 0; i < q->ntasks; i++) {
    sl_op_errors_stats es;
    sl_task_error_stats(q->tasks[i], &es);
    out->dead_lettered += es.dead_lettered;
    out->skipped += es.skipped;
    sl_task_checkpoint_stats(q->tasks[i], out);
  }
  out->commits = atomic_load(&((sl_query *)q)->commits);
}

sl_status sl_query_explain(const sl_query *q, sl_strbuf *out) {
  return sl_plan_explain(q->plan, sl_query_node_counters, (void *)q, out);
}
