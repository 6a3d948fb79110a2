/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime.c - the environment and the worker pool.
 *
 * The pool is a fixed set of threads around one ring of runnable tasks.
 * A worker takes the task at the head, runs one slice of it and, unless
 * the task is finished, puts it back at the tail; a task is in the ring
 * at most once, so two workers never run the same task.  A slice waits
 * for records only when nothing else is runnable, or when the worker has
 * just gone around every runnable task without finding work: busy tasks
 * never wait for idle ones, and idle ones do not spin.
 */
#define _DEFAULT_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) is not POSIX */

#include "engine/runtime/runtime_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/common/log.h"

/* How long an idle slice waits for records. */
#define IDLE_WAIT_MS 20
#define ALONE_WAIT_MS 50

int64_t sl_runtime_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Pushes t at the tail of the ring (rt->lock held). */
static bool push_locked(sl_runtime *rt, sl_task *t) {
  if (rt->qcount == rt->qcap) {
    int cap = rt->qcap ? rt->qcap * 2 : 16;
    sl_task **q = malloc((size_t)cap * sizeof(*q));
    if (!q)
      return false;
    for (int i = 0; i < rt->qcount; i++)
      q[i] = rt->queue[(rt->qhead + i) % rt->qcap];
    free(rt->queue);
    rt->queue = q;
    rt->qhead = 0;
    rt->qcap = cap;
  }
  rt->queue[(rt->qhead + rt->qcount) % rt->qcap] = t;
  rt->qcount++;
  return true;
}

void sl_runtime_schedule(sl_runtime *rt, sl_task *t) {
  pthread_mutex_lock(&rt->lock);
  bool ok = push_locked(rt, t);
  pthread_cond_signal(&rt->work);
  pthread_mutex_unlock(&rt->lock);
  if (!ok)
    SL_ERROR("engine", "out of memory scheduling a task");
}

/* A worker: take, run a slice, put back. */
static void *worker_main(void *arg) {
  sl_runtime *rt = arg;
  int idle_streak = 0;
  pthread_mutex_lock(&rt->lock);
  for (;;) {
    while (!rt->shutdown && rt->qcount == 0)
      pthread_cond_wait(&rt->work, &rt->lock);
    if (rt->qcount == 0)
      break;
    sl_task *t = rt->queue[rt->qhead];
    rt->qhead = (rt->qhead + 1) % rt->qcap;
    rt->qcount--;
    int others = rt->qcount;
    pthread_mutex_unlock(&rt->lock);

    int wait = others == 0              ? ALONE_WAIT_MS
               : idle_streak > others   ? IDLE_WAIT_MS
                                        : 0;
    sl_task_result r = sl_task_step(t, wait);
    idle_streak = r == SL_TASK_IDLE ? idle_streak + 1 : 0;

    if (r == SL_TASK_DONE) {
      pthread_mutex_lock(&rt->lock);
      continue;
    }
    pthread_mutex_lock(&rt->lock);
    if (!push_locked(rt, t))
      SL_ERROR("engine", "out of memory rescheduling a task");
  }
  pthread_mutex_unlock(&rt->lock);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The environment                                                     */
/* ------------------------------------------------------------------ */

static bool valid_reset(const char *v) {
  return !v || !strcmp(v, "earliest") || !strcmp(v, "latest");
}

/* Creates a runtime (see runtime.h). */
sl_status sl_runtime_new(const sl_runtime_config *cfg, sl_runtime **out,
                         sl_error *err) {
  *out = NULL;
  if (!valid_reset(cfg->auto_offset_reset))
    return sl_error_set(err, SL_ERR_SQL, "auto.offset.reset is '%s'; "
                        "expected 'earliest' or 'latest'",
                        cfg->auto_offset_reset);
  sl_runtime *rt = calloc(1, sizeof(*rt));
  if (!rt)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  rt->kafka = cfg->kafka ? sl_kafka_config_copy(cfg->kafka)
                         : sl_kafka_config_new();
  rt->service = strdup(cfg->service ? cfg->service : "sluice");
  rt->offset_reset = cfg->auto_offset_reset ? strdup(cfg->auto_offset_reset)
                                            : NULL;
  if (!rt->kafka || !rt->service ||
      (cfg->auto_offset_reset && !rt->offset_reset)) {
    sl_kafka_config_free(rt->kafka);
    free(rt->service);
    free(rt->offset_reset);
    free(rt);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  rt->catalog = cfg->catalog;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  rt->threads = cfg->threads > 0 ? cfg->threads : cores > 0 ? (int)cores : 1;
  rt->batch_size = cfg->batch_size > 0 ? cfg->batch_size : 1024;
  rt->commit_interval_ms =
      cfg->commit_interval_ms > 0 ? cfg->commit_interval_ms : 1000;
  /* A persistent query's partitions in this process run on as many
   * group members as there are workers, except on the embedded broker,
   * which takes one member per group at a time. */
  if (cfg->group_tasks > 0)
    rt->group_tasks = cfg->group_tasks;
  else if (sl_kafka_consumer_shares_groups(rt->kafka))
    rt->group_tasks = rt->threads;
  else
    rt->group_tasks = 1;
  rt->predict = cfg->predict;
  rt->predict_arg = cfg->predict_arg;
  pthread_mutex_init(&rt->lock, NULL);
  pthread_cond_init(&rt->work, NULL);

  rt->workers = calloc((size_t)rt->threads, sizeof(*rt->workers));
  if (!rt->workers) {
    sl_runtime_free(rt);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < rt->threads; i++) {
    if (pthread_create(&rt->workers[i], NULL, worker_main, rt) != 0) {
      sl_runtime_free(rt);
      return sl_error_set(err, SL_ERR_RUNTIME,
                          "cannot start worker thread %d of %d", i + 1,
                          rt->threads);
    }
    rt->nworkers++;
  }
  SL_INFO("engine", "runtime started with %d worker threads", rt->threads);
  *out = rt;
  return SL_OK;
}

/* Stops and frees everything (see runtime.h). */
void sl_runtime_free(sl_runtime *rt) {
  if (!rt)
    return;
  pthread_mutex_lock(&rt->lock);
  int n = rt->nqueries;
  sl_query **qs = rt->queries;
  rt->queries = NULL;
  rt->nqueries = 0;
  pthread_mutex_unlock(&rt->lock);
  for (int i = 0; i < n; i++)
    sl_query_stop(qs[i]);
  for (int i = 0; i < n; i++) {
    /* Already out of the runtime's list: sl_query_free must not look. */
    qs[i]->rt = NULL;
    sl_query_free(qs[i]);
  }
  free(qs);

  pthread_mutex_lock(&rt->lock);
  rt->shutdown = true;
  pthread_cond_broadcast(&rt->work);
  pthread_mutex_unlock(&rt->lock);
  for (int i = 0; i < rt->nworkers; i++)
    pthread_join(rt->workers[i], NULL);
  free(rt->workers);
  free(rt->queue);
  pthread_cond_destroy(&rt->work);
  pthread_mutex_destroy(&rt->lock);
  sl_kafka_config_free(rt->kafka);
  free(rt->service);
  free(rt->offset_reset);
  free(rt);
}

sl_status sl_runtime_set_offset_reset(sl_runtime *rt, const char *value,
                                      sl_error *err) {
  if (!valid_reset(value))
    return sl_error_set(err, SL_ERR_SQL, "auto.offset.reset is '%s'; "
                        "expected 'earliest' or 'latest'", value);
  char *v = value ? strdup(value) : NULL;
  if (value && !v)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  pthread_mutex_lock(&rt->lock);
  free(rt->offset_reset);
  rt->offset_reset = v;
  pthread_mutex_unlock(&rt->lock);
  return SL_OK;
}

int sl_runtime_threads(const sl_runtime *rt) {
  return rt->threads;
}

char *sl_runtime_transient_id(sl_runtime *rt, char *buf, size_t size) {
  pthread_mutex_lock(&rt->lock);
  int n = ++rt->next_transient;
  pthread_mutex_unlock(&rt->lock);
  snprintf(buf, size, "transient_%d", n);
  return buf;
}

char *sl_runtime_group(const sl_runtime *rt, const char *query_id, char *buf,
                       size_t size) {
  snprintf(buf, size, "sluice-%s-%s", rt->service, query_id);
  return buf;
}

int sl_runtime_queries(sl_runtime *rt, sl_query **out, int cap) {
  pthread_mutex_lock(&rt->lock);
  int n = rt->nqueries;
  for (int i = 0; i < n && i < cap; i++)
    out[i] = rt->queries[i];
  pthread_mutex_unlock(&rt->lock);
  return n;
}

sl_query *sl_runtime_find(sl_runtime *rt, const char *id) {
  sl_query *found = NULL;
  pthread_mutex_lock(&rt->lock);
  for (int i = 0; i < rt->nqueries && !found; i++)
    if (!strcmp(rt->queries[i]->id, id))
      found = rt->queries[i];
  pthread_mutex_unlock(&rt->lock);
  return found;
}
