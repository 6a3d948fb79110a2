/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.c - lag from the broker, status lines, and the thread that
 * prints them.
 */
#include "engine/exec/progress.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/consumer.h"

/* Queries the meter remembers (their group clients). */
#define METER_MAX_QUERIES 256
/* How long a committed-offsets request may take. */
#define METER_COMMITTED_TIMEOUT_MS 2000
/* How often the reporter collects between lines, so that every query
 * that runs for a while has a rate from its first line on. */
#define PROGRESS_TICK_MS 250
#define PROGRESS_DEFAULT_INTERVAL_MS 5000
#define PROGRESS_MAX_QUERIES 128

/* ---- The meter -------------------------------------------------------- */

typedef struct meter_query {
  char id[SL_PROGRESS_ID_MAX];
  sl_kafka_consumer *group;  /* reads the committed offsets; NULL: none */
} meter_query;

struct sl_progress_meter {
  const sl_kafka_config *kafka;
  pthread_mutex_t lock;      /* everything below */
  sl_kafka_admin *admin;
  int nqueries;
  meter_query queries[METER_MAX_QUERIES];
};

sl_progress_meter *sl_progress_meter_new(const sl_kafka_config *kafka) {
  sl_progress_meter *m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  m->kafka = kafka;
  pthread_mutex_init(&m->lock, NULL);
  return m;
}

void sl_progress_meter_free(sl_progress_meter *m) {
  if (!m)
    return;
  for (int i = 0; i < m->nqueries; i++)
    sl_kafka_consumer_free(m->queries[i].group);
  sl_kafka_admin_free(m->admin);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

/* The entry of id, made when missing; NULL when the meter is full. */
static meter_query *meter_entry(sl_progress_meter *m, const char *id) {
  for (int i = 0; i < m->nqueries; i++) {
    if (strcmp(m->queries[i].id, id) == 0)
      return &m->queries[i];
  }
  if (m->nqueries == METER_MAX_QUERIES)
    return NULL;
  meter_query *e = &m->queries[m->nqueries++];
  memset(e, 0, sizeof(*e));
  snprintf(e->id, sizeof(e->id), "%s", id);
  return e;
}

/* Adds up, over the partitions of topic, the records between where the
 * query's group stands (its committed offsets, else the log start) and
 * the partition's end. */
static sl_status topic_remaining(sl_progress_meter *m, meter_query *e,
                                 const char *topic, int64_t *out,
                                 sl_error *err) {
  sl_kafka_topic_info *info = NULL;
  if (sl_kafka_admin_describe_topic(m->admin, topic, &info, err))
    return err->code;
  int n = info->partition_count;
  sl_kafka_position *pos = calloc((size_t)n + 1, sizeof(*pos));
  sl_status rc = pos ? SL_OK
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int p = 0; rc == SL_OK && p < n; p++)
    pos[p] = (sl_kafka_position){topic, p, SL_KAFKA_OFFSET_INVALID};
  if (rc == SL_OK && e->group)
    rc = sl_kafka_consumer_committed(e->group, pos, (size_t)n,
                                     METER_COMMITTED_TIMEOUT_MS, err);

  int64_t sum = 0;
  for (int p = 0; rc == SL_OK && p < n; p++) {
    const sl_kafka_partition_info *pi = &info->partitions[p];
    int64_t at = pos[p].offset >= pi->low ? pos[p].offset : pi->low;
    if (pi->high > at)
      sum += pi->high - at;
  }
  if (rc == SL_OK)
    *out = sum;
  free(pos);
  sl_kafka_topic_info_free(info);
  return rc;
}

void sl_progress_meter_measure(sl_progress_meter *m, sl_progress_sample *s) {
  s->lag = -1;
  if (s->group[0] == '\0')
    return;
  pthread_mutex_lock(&m->lock);
  meter_query *e = meter_entry(m, s->id);
  if (!e) {
    pthread_mutex_unlock(&m->lock);
    return;
  }

  /* Clients are made once; a failure is retried at the next call. */
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = SL_OK;
  if (!m->admin)
    rc = sl_kafka_admin_new(m->kafka, &m->admin, &err);
  if (rc == SL_OK && !e->group) {
    sl_kafka_consumer_opts copts = {.group_id = s->group};
    rc = sl_kafka_consumer_new(m->kafka, &copts, &e->group, &err);
  }

  int64_t remaining = 0;
  for (int t = 0; rc == SL_OK && t < s->ntopics; t++) {
    int64_t r = 0;
    rc = topic_remaining(m, e, s->topics[t], &r, &err);
    remaining += r;
  }
  if (rc == SL_OK)
    s->lag = remaining;
  else
    SL_DEBUG("progress", "query %s: offsets not measured: %s", s->id,
             err.message);
  pthread_mutex_unlock(&m->lock);
}

/* ---- Status lines ----------------------------------------------------- */

char *sl_progress_format(const sl_progress_sample *s, double rate,
                         char *buf, size_t size) {
  const sl_query_stats *st = &s->stats;
  int n = snprintf(buf, size,
                   "%s: in %" PRId64 ", out %" PRId64 ", failed %" PRId64
                   ", late %" PRId64,
                   s->id, st->records_in, st->records_out,
                   st->records_failed, st->records_late);
  size_t used = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;

  if (s->bounded && s->total >= 0) {
    int64_t done = st->records_in < s->total ? st->records_in : s->total;
    double pct = s->total > 0 ? 100.0 * (double)done / (double)s->total
                              : 100.0;
    char eta[32] = "?";
    if (rate > 0) {
      int64_t secs = (int64_t)((double)(s->total - done) / rate + 0.5);
      snprintf(eta, sizeof(eta), "%" PRId64 ":%02d:%02d", secs / 3600,
               (int)(secs / 60 % 60), (int)(secs % 60));
    }
    snprintf(buf + used, size - used,
             ", %" PRId64 " of %" PRId64 " records (%.0f%%), %.1f rec/s, "
             "ETA %s",
             done, s->total, pct, rate, eta);
  } else if (s->lag >= 0) {
    snprintf(buf + used, size - used, ", lag %" PRId64 ", %.1f rec/s",
             s->lag, rate);
  } else {
    snprintf(buf + used, size - used, ", %.1f rec/s", rate);
  }
  return buf;
}

/* ---- The reporter thread ---------------------------------------------- */

/* Records read by a query at the last line, for its rate. */
typedef struct seen_query {
  char id[SL_PROGRESS_ID_MAX];
  int64_t records_in;
  bool fresh;                   /* seen in the latest collect */
} seen_query;

struct sl_progress {
  sl_progress_options opts;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stop;                    /* under lock */
  sl_progress_sample *samples;  /* PROGRESS_MAX_QUERIES */
  sl_progress_predict *predict; /* filled by collect, not shown */
  seen_query *seen;             /* PROGRESS_MAX_QUERIES */
  int nseen;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static seen_query *seen_find(sl_progress *p, const char *id) {
  for (int i = 0; i < p->nseen; i++) {
    if (strcmp(p->seen[i].id, id) == 0)
      return &p->seen[i];
  }
  return NULL;
}

/* Remembers the queries of the latest collect, dropping the others. */
static void progress_note(sl_progress *p, int n) {
  for (int i = 0; i < p->nseen; i++)
    p->seen[i].fresh = false;
  for (int i = 0; i < n; i++) {
    sl_progress_sample *s = &p->samples[i];
    seen_query *q = seen_find(p, s->id);
    if (!q && p->nseen < PROGRESS_MAX_QUERIES) {
      q = &p->seen[p->nseen++];
      snprintf(q->id, sizeof(q->id), "%s", s->id);
      q->records_in = 0;
    }
    if (q)
      q->fresh = true;
  }
  for (int i = 0; i < p->nseen; i++) {
    if (!p->seen[i].fresh)
      p->seen[i--] = p->seen[--p->nseen];
  }
}

/* Prints one line per running query. */
static void progress_report(sl_progress *p, int n, double seconds) {
  char line[1024];
  for (int i = 0; i < n; i++) {
    sl_progress_sample *s = &p->samples[i];
    seen_query *q = seen_find(p, s->id);
    int64_t before = q ? q->records_in : 0;
    if (q)
      q->records_in = s->stats.records_in;
    if (s->status != SL_QUERY_STATUS_RUNNING)
      continue;
    if (p->opts.meter)
      sl_progress_meter_measure(p->opts.meter, s);
    double rate = seconds > 0
                      ? (double)(s->stats.records_in - before) / seconds
                      : 0.0;
    fprintf(p->opts.out, "%s\n", sl_progress_format(s, rate, line,
                                                     sizeof(line)));
  }
  fflush(p->opts.out);
}

static void *progress_main(void *arg) {
  sl_progress *p = arg;
  int64_t last = now_ms();
  pthread_mutex_lock(&p->lock);
  while (!p->stop) {
    /* Wake for the next line, or sooner to notice new queries. */
    int64_t wait = last + p->opts.interval_ms - now_ms();
    wait = wait < PROGRESS_TICK_MS ? (wait > 0 ? wait : 0) : PROGRESS_TICK_MS;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)wait * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&p->wake, &p->lock, &until);
    if (p->stop)
      break;
    pthread_mutex_unlock(&p->lock);

    int n = p->opts.collect(p->opts.ud, p->samples, PROGRESS_MAX_QUERIES,
                            p->predict);
    n = n < PROGRESS_MAX_QUERIES ? n : PROGRESS_MAX_QUERIES;
    progress_note(p, n);
    int64_t now = now_ms();
    if (now - last >= p->opts.interval_ms) {
      progress_report(p, n, (double)(now - last) / 1000.0);
      last = now;
    }
    pthread_mutex_lock(&p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

sl_status sl_progress_start(const sl_progress_options *opts,
                            sl_progress **out, sl_error *err) {
  *out = NULL;
  sl_progress *p = calloc(1, sizeof(*p));
  if (!p)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  p->opts = *opts;
  if (p->opts.interval_ms <= 0)
    p->opts.interval_ms = PROGRESS_DEFAULT_INTERVAL_MS;
  p->samples = calloc(PROGRESS_MAX_QUERIES, sizeof(*p->samples));
  p->predict = calloc(1, sizeof(*p->predict));
  p->seen = calloc(PROGRESS_MAX_QUERIES, sizeof(*p->seen));
  if (!p->samples || !p->predict || !p->seen) {
    free(p->samples);
    free(p->predict);
    free(p->seen);
    free(p);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->wake, NULL);
  if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->samples);
    free(p->predict);
    free(p->seen);
    free(p);
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "cannot start the progress thread");
  }
  *out = p;
  return SL_OK;
}

void sl_progress_stop(sl_progress *p) {
  if (!p)
    return;
  pthread_mutex_lock(&p->lock);
  p->stop = true;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->lock);
  free(p->samples);
  free(p->predict);
  free(p->seen);
  free(p);
}
