/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.c - routing failed records to their stream's error policy.
 *
 * The router keeps one entry per source topic (few per query), looked up
 * by a linear scan: routing happens per failed record, never per good
 * one.  Log lines for skipped and late records go through one rate
 * limiter per router, so a stream full of bad records cannot flood the
 * log; the counters still see every record.
 *
 * Rows read from a repartition topic carry the internal record, not the
 * one their stream held.  Their dead letters read the original back by
 * the stream partition and offset the internal record names (a fetcher
 * made on first need), so that a dead letter is the same whether or not
 * the query repartitioned.  Should the original be gone, the row's
 * values stand in as for computed rows, and a warning says why.
 */
#include "engine/ops/errors.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/kafka/fetch.h"
#include "engine/kafka/producer.h"
#include "engine/ops/output.h"
#include "engine/ops/repartition.h"
#include "engine/types/format.h"

typedef struct route {
  char *topic;
  sl_error_policy policy;
  char *dlq_topic;
  char *origin;     /* a repartition topic's stream topic, else NULL */
} route;

/* Where a failed row came from in its stream. */
typedef struct position {
  const char *topic;
  int32_t partition;
  int64_t offset;
  bool repartitioned;   /* the row's bytes are an internal record */
} position;

/* Counters are atomic: a report may read them while the task runs. */
typedef struct counters {
  atomic_llong failed;
  atomic_llong skipped;
  atomic_llong dead_lettered;
  atomic_llong late;
  atomic_llong stopped;
} counters;

struct sl_op_errors {
  char *query_id;
  sl_op_output *output;
  route *routes;
  int nroutes;
  counters stats;
  sl_log_limit log_limit;
  const sl_kafka_config *kafka;   /* for reading originals back */
  sl_kafka_fetcher *fetcher;
  int64_t fetch_again_ms;         /* after a failed read: not before */
  sl_repart_header head;          /* scratch: a row's internal header */
};

/* How long a dead letter waits for its original record, and how long
 * after a failed read the next dead letters go without: a burst of them
 * must not stall the task into losing its partitions. */
#define FETCH_TIMEOUT_MS 5000
#define FETCH_PAUSE_MS 30000

static int64_t monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void bump(atomic_llong *c) {
  atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

bool sl_error_policy_parse(const char *text, sl_error_policy *out) {
  if (!text)
    return false;
  if (!strcmp(text, "dlq"))
    *out = SL_POLICY_DLQ;
  else if (!strcmp(text, "skip"))
    *out = SL_POLICY_SKIP;
  else if (!strcmp(text, "fail"))
    *out = SL_POLICY_FAIL;
  else
    return false;
  return true;
}

const char *sl_error_policy_name(sl_error_policy p) {
  switch (p) {
  case SL_POLICY_DLQ: return "dlq";
  case SL_POLICY_SKIP: return "skip";
  case SL_POLICY_FAIL: return "fail";
  }
  return "?";
}

/* Creates a router (see errors.h). */
sl_op_errors *sl_op_errors_new(const char *query_id, sl_op_output *output) {
  sl_op_errors *er = calloc(1, sizeof(*er));
  if (!er)
    return NULL;
  er->query_id = strdup(query_id ? query_id : "");
  if (!er->query_id) {
    free(er);
    return NULL;
  }
  er->output = output;
  sl_log_limit lim = SL_LOG_LIMIT_INIT(5, 10000);
  er->log_limit = lim;
  return er;
}

void sl_op_errors_free(sl_op_errors *er) {
  if (!er)
    return;
  for (int i = 0; i < er->nroutes; i++) {
    free(er->routes[i].topic);
    free(er->routes[i].dlq_topic);
    free(er->routes[i].origin);
  }
  free(er->routes);
  sl_kafka_fetcher_free(er->fetcher);
  free(er->query_id);
  free(er);
}

/* Declares a topic's policy (see errors.h). */
sl_status sl_op_errors_add_source(sl_op_errors *er, const char *topic,
                                  sl_error_policy policy,
                                  const char *dlq_topic, sl_error *err) {
  if (policy == SL_POLICY_DLQ && (!dlq_topic || !*dlq_topic))
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "stream topic %s has errors='dlq' but no dlq_topic",
                        topic);
  route *rs = realloc(er->routes, (size_t)(er->nroutes + 1) * sizeof(*rs));
  if (!rs)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  er->routes = rs;
  route *r = &rs[er->nroutes];
  r->topic = strdup(topic);
  r->dlq_topic = dlq_topic ? strdup(dlq_topic) : NULL;
  r->policy = policy;
  r->origin = NULL;
  if (!r->topic || (dlq_topic && !r->dlq_topic)) {
    free(r->topic);
    free(r->dlq_topic);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  er->nroutes++;
  return SL_OK;
}

/* Declares topic a repartition topic of stream topic origin (see
 * errors.h). */
sl_status sl_op_errors_set_origin(sl_op_errors *er, const char *topic,
                                  const char *origin,
                                  const sl_kafka_config *kafka,
                                  sl_error *err) {
  for (int i = 0; i < er->nroutes; i++) {
    route *r = &er->routes[i];
    if (strcmp(r->topic, topic) != 0)
      continue;
    free(r->origin);
    if (!(r->origin = strdup(origin)))
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    er->kafka = kafka;
    return SL_OK;
  }
  return sl_error_set(err, SL_ERR_INTERNAL, "no route for topic %s", topic);
}

/* The route of topic; rows without a single source topic (results of a
 * window, join or OVER) follow the query's first source stream. */
static const route *find_route(const sl_op_errors *er, const char *topic) {
  if (!topic)
    return er->nroutes ? &er->routes[0] : NULL;
  for (int i = 0; i < er->nroutes; i++)
    if (!strcmp(er->routes[i].topic, topic))
      return &er->routes[i];
  return NULL;
}

/* A computed row has no original bytes: its values as a JSON array, in
 * column order. */
static sl_status row_json(const sl_batch *b, int row, sl_strbuf *out) {
  sl_strbuf_appendc(out, '[');
  for (int c = 0; c < b->ncols; c++) {
    if (c)
      sl_strbuf_appendc(out, ',');
    sl_format_json(out, &b->cols[c][row], NULL);
  }
  sl_strbuf_appendc(out, ']');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

/* The stream position of row: for a row of a repartition topic, the
 * one its internal record names; else the row's own. */
static position position_of(sl_op_errors *er, const route *rt,
                            const char *topic, const sl_batch_row *m) {
  position pos = {topic ? topic : rt ? rt->topic : "?", m->partition,
                  m->offset, false};
  /* A computed row (no bytes) is reported at the stream's topic, as
   * without the repartition topic; an internal record at the position it
   * names. */
  if (rt && rt->origin && !m->value)
    pos.topic = rt->origin;
  if (!rt || !rt->origin || !m->value)
    return pos;
  sl_rowcodec_reader rd;
  sl_rowcodec_reader_init(&rd, m->value, m->value_len);
  if (sl_repart_read_header(&rd, &er->head) &&
      er->head.kind == SL_REPART_ROW) {
    pos.topic = rt->origin;
    pos.partition = er->head.partition;
    pos.offset = er->head.offset;
    pos.repartitioned = true;
  }
  return pos;
}

/* Reads the original of a repartitioned row into rec's key and value;
 * false (with a warning) when it cannot be read. */
static bool read_original(sl_op_errors *er, const position *pos,
                          sl_kafka_record *rec) {
  sl_error ferr;
  sl_kafka_fetched got;
  if (er->fetch_again_ms && monotonic_ms() < er->fetch_again_ms) {
    sl_log_ratelimited(&er->log_limit, SL_LOG_WARN, "engine",
                       "%s [%d] @ %lld: dead letter carries the row's "
                       "values: reading records back pauses after a "
                       "failed read", pos->topic, (int)pos->partition,
                       (long long)pos->offset);
    return false;
  }
  if ((!er->fetcher &&
       sl_kafka_fetcher_new(er->kafka, &er->fetcher, &ferr)) ||
      sl_kafka_fetch(er->fetcher, pos->topic, pos->partition, pos->offset,
                     FETCH_TIMEOUT_MS, &got, &ferr)) {
    er->fetch_again_ms = monotonic_ms() + FETCH_PAUSE_MS;
    sl_log_ratelimited(&er->log_limit, SL_LOG_WARN, "engine",
                       "%s [%d] @ %lld: dead letter carries the row's "
                       "values: %s", pos->topic, (int)pos->partition,
                       (long long)pos->offset, ferr.message);
    return false;
  }
  rec->key = got.key;
  rec->key_len = got.key_len;
  rec->value = got.value;
  rec->value_len = got.value_len;
  if (got.timestamp_ms >= 0)
    rec->timestamp_ms = got.timestamp_ms;
  return true;
}

/* Produces the dead letter of row: original bytes and the headers. */
static sl_status dead_letter(sl_op_errors *er, const route *rt,
                             const position *pos, const sl_batch *b,
                             int row, const char *reason,
                             const char *message, sl_error *err) {
  if (!er->output)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "dead letter for %s without a producer", rt->topic);
  const sl_batch_row *m = &b->rows[row];
  char part[16], off[24];
  snprintf(part, sizeof(part), "%" PRId32, pos->partition);
  snprintf(off, sizeof(off), "%" PRId64, pos->offset);
  sl_kafka_header hs[6] = {
      {SL_DLQ_HEADER_REASON, reason, strlen(reason)},
      {SL_DLQ_HEADER_MESSAGE, message, strlen(message)},
      {SL_DLQ_HEADER_TOPIC, pos->topic, strlen(pos->topic)},
      {SL_DLQ_HEADER_PARTITION, part, strlen(part)},
      {SL_DLQ_HEADER_OFFSET, off, strlen(off)},
      {SL_DLQ_HEADER_QUERY, er->query_id, strlen(er->query_id)},
  };
  sl_kafka_record rec = {
      .topic = rt->dlq_topic,
      .partition = SL_KAFKA_PARTITION_ANY,
      .key = m->key,
      .key_len = m->key ? m->key_len : 0,
      .value = m->value,
      .value_len = m->value ? m->value_len : 0,
      .timestamp_ms = m->timestamp > 0 ? m->timestamp : 0,
      .headers = hs,
      .header_count = 6,
  };
  bool computed_row = !m->value && !m->key;
  if (pos->repartitioned && !read_original(er, pos, &rec)) {
    rec.key = NULL;
    rec.key_len = 0;
    computed_row = true;
  }
  sl_strbuf computed = SL_STRBUF_INIT;
  if (computed_row && b->ncols > 0) {
    if (row_json(b, row, &computed)) {
      sl_strbuf_free(&computed);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    rec.value = computed.data;
    rec.value_len = computed.len;
  }
  sl_status rc = sl_op_output_produce(er->output, &rec, err);
  sl_strbuf_free(&computed);
  if (rc)
    return sl_error_prefix(err, "dead-lettering %s [%d] @ %lld", pos->topic,
                           (int)pos->partition, (long long)pos->offset);
  bump(&er->stats.dead_lettered);
  return SL_OK;
}

sl_error_policy sl_op_errors_policy(const sl_op_errors *er,
                                    const char *topic) {
  const route *rt = find_route(er, topic);
  return rt ? rt->policy : SL_POLICY_FAIL;
}

/* Routes one failed row (see errors.h). */
sl_status sl_op_errors_route(sl_op_errors *er, const char *topic,
                             const sl_batch *batch, int row, sl_error *err) {
  const sl_batch_row *m = &batch->rows[row];
  const char *reason = m->error ? m->error->reason : "decode";
  const char *message = m->error ? m->error->message : "record failed";
  if (!strcmp(reason, "late"))
    return sl_op_errors_late(er, topic, batch, row, message, err);

  const route *rt = find_route(er, topic);
  sl_error_policy policy = rt ? rt->policy : SL_POLICY_FAIL;
  position pos = position_of(er, rt, topic, m);
  bump(&er->stats.failed);
  switch (policy) {
  case SL_POLICY_FAIL:
    bump(&er->stats.stopped);
    return sl_error_set_record(err, pos.topic, pos.partition, pos.offset,
                               reason, "%s: %s", reason, message);
  case SL_POLICY_SKIP:
    bump(&er->stats.skipped);
    sl_log_ratelimited(&er->log_limit, SL_LOG_WARN, "engine",
                       "%s [%d] @ %lld: skipped (%s): %s", pos.topic,
                       (int)pos.partition, (long long)pos.offset, reason,
                       message);
    return SL_OK;
  case SL_POLICY_DLQ:
    return dead_letter(er, rt, &pos, batch, row, reason, message, err);
  }
  return SL_OK;
}

sl_status sl_op_errors_route_batch(sl_op_errors *er, const char *topic,
                                   const sl_batch *batch, sl_error *err) {
  for (int r = 0; r < batch->nrows; r++) {
    if (batch->rows[r].state != SL_BATCH_ROW_ERROR)
      continue;
    sl_status rc = sl_op_errors_route(er, topic, batch, r, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Routes a late row (see errors.h). */
sl_status sl_op_errors_late(sl_op_errors *er, const char *topic,
                            const sl_batch *batch, int row,
                            const char *message, sl_error *err) {
  const route *rt = find_route(er, topic);
  position pos = position_of(er, rt, topic, &batch->rows[row]);
  bump(&er->stats.late);
  bump(&er->stats.failed);
  if (rt && rt->policy == SL_POLICY_DLQ)
    return dead_letter(er, rt, &pos, batch, row, "late", message, err);
  sl_log_ratelimited(&er->log_limit, SL_LOG_WARN, "engine",
                     "%s [%d] @ %lld: late record: %s", pos.topic,
                     (int)pos.partition, (long long)pos.offset, message);
  return SL_OK;
}

void sl_op_errors_stats_get(const sl_op_errors *er, sl_op_errors_stats *out) {
  counters *c = (counters *)&er->stats;
  out->failed = atomic_load_explicit(&c->failed, memory_order_relaxed);
  out->skipped = atomic_load_explicit(&c->skipped, memory_order_relaxed);
  out->dead_lettered =
      atomic_load_explicit(&c->dead_lettered, memory_order_relaxed);
  out->late = atomic_load_explicit(&c->late, memory_order_relaxed);
  out->stopped = atomic_load_explicit(&c->stopped, memory_order_relaxed);
}
