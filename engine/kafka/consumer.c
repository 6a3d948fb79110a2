/* SPDX-License-Identifier: Apache-2.0 */
/*
 * consumer.c - batch consumption, rebalancing, manual commits and the
 * partition table behind bounded reads and loss detection.
 *
 * The partition table holds one entry per partition the consumer has
 * heard of: whether it is assigned, the offset it should deliver next and
 * its end for bounded reads.  Entries stay when partitions are revoked, so
 * that end offsets fixed at the start of a bounded read survive a
 * rebalance.  Consumers have tens of partitions at most, so lookups are
 * linear with a one-entry cache in front (records come in runs from one
 * partition).
 */
#include "engine/kafka/consumer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/common/log.h"
#include "engine/kafka/client.h"

#define METADATA_TIMEOUT_MS 10000
#define COMMIT_TIMEOUT_MS 10000

typedef struct part_state {
  char *topic;
  int32_t partition;
  const void *rkt;      /* librdkafka topic handle seen with records; reset
                           whenever the assignment changes */
  int64_t next;         /* offset expected next, or OFFSET_INVALID */
  int64_t end;          /* bounded end, or -1 */
  bool empty;           /* no records below end when it was fixed */
  bool assigned;
  bool done;            /* reached end */
  bool at_eof;          /* librdkafka reported the partition's end after
                           its last record: nothing more to fetch now */
  bool paused;          /* fetching stopped by sl_kafka_consumer_pause */
  bool resumed;         /* resumed, and no record at or past next since:
                           records before next were delivered already */
} part_state;

struct sl_kafka_consumer {
  sl_kafka_client client; /* first: librdkafka's opaque */
  sl_kafka_consumer_opts opts;
  bool has_group;
  bool closed;
  rd_kafka_queue_t *queue;
  part_state *parts;
  size_t nparts;
  size_t capparts;
  part_state *last;     /* lookup cache */
  sl_kafka_consumer_stats stats;
  bool has_pending;     /* an error to return from the next poll */
  sl_error pending;
  bool cooperative;     /* the group's rebalance protocol, last known */
};

/* ---- partition table ---------------------------------------------- */

static part_state *find_part(const sl_kafka_consumer *c, const char *topic,
                             int32_t partition) {
  for (size_t i = 0; i < c->nparts; i++) {
    part_state *ps = &c->parts[i];
    if (ps->partition == partition && strcmp(ps->topic, topic) == 0)
      return ps;
  }
  return NULL;
}

/* Finds or adds the entry; NULL when out of memory. */
static part_state *get_part(sl_kafka_consumer *c, const char *topic,
                            int32_t partition) {
  part_state *ps = find_part(c, topic, partition);
  if (ps)
    return ps;
  if (c->nparts == c->capparts) {
    size_t cap = c->capparts ? c->capparts * 2 : 16;
    part_state *grown = realloc(c->parts, cap * sizeof(*grown));
    if (!grown)
      return NULL;
    c->parts = grown;
    c->capparts = cap;
    c->last = NULL;
  }
  char *name = strdup(topic);
  if (!name)
    return NULL;
  ps = &c->parts[c->nparts++];
  *ps = (part_state){name,  partition, NULL,  SL_KAFKA_OFFSET_INVALID,
                     -1,    false,     false, false,
                     false, false,     false};
  return ps;
}

/* Forgets the topic handles cached with entries: they are only known to
 * be alive while the assignment they were seen under lasts. */
static void assignment_changed(sl_kafka_consumer *c) {
  for (size_t i = 0; i < c->nparts; i++)
    c->parts[i].rkt = NULL;
  c->last = NULL;
}

static void update_done(part_state *ps) {
  if (ps->end >= 0 && (ps->empty || (ps->next >= 0 && ps->next >= ps->end)))
    ps->done = true;
}

/* Records a partition as assigned from offset. */
static sl_status mark_assigned(sl_kafka_consumer *c, const char *topic,
                               int32_t partition, int64_t offset,
                               sl_error *err) {
  part_state *ps = get_part(c, topic, partition);
  if (!ps)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  ps->assigned = true;
  ps->next = offset >= 0 ? offset : SL_KAFKA_OFFSET_INVALID;
  ps->done = false;
  ps->at_eof = false;
  ps->paused = false;
  ps->resumed = false;
  update_done(ps);
  return SL_OK;
}

static void set_pending(sl_kafka_consumer *c, const sl_error *e) {
  if (c->has_pending)
    return;
  c->has_pending = true;
  c->pending = *e;
}

/* ---- rebalancing -------------------------------------------------- */

static sl_kafka_position *to_positions(
    const rd_kafka_topic_partition_list_t *list) {
  sl_kafka_position *pos = calloc((size_t)list->cnt + 1, sizeof(*pos));
  if (!pos)
    return NULL;
  for (int i = 0; i < list->cnt; i++)
    pos[i] = (sl_kafka_position){list->elems[i].topic,
                                 list->elems[i].partition,
                                 list->elems[i].offset};
  return pos;
}

/* The group gave us parts.  Fetch their committed offsets so that loss
 * detection knows where each must resume, let the caller adjust, then
 * start fetching. */
static void on_assign(sl_kafka_consumer *c, rd_kafka_t *rk,
                      rd_kafka_topic_partition_list_t *parts,
                      bool cooperative) {
  sl_error e;
  sl_error_clear(&e);
  c->stats.assignments++;
  assignment_changed(c);

  rd_kafka_resp_err_t code = rd_kafka_committed(rk, parts,
                                                COMMIT_TIMEOUT_MS);
  if (code) {
    SL_WARN("kafka", "consumer: cannot read committed offsets (%s); "
            "librdkafka will look them up", rd_kafka_err2str(code));
    for (int i = 0; i < parts->cnt; i++)
      parts->elems[i].offset = SL_KAFKA_OFFSET_STORED;
  }

  if (c->opts.on_assign) {
    sl_kafka_position *pos = to_positions(parts);
    if (pos) {
      c->opts.on_assign(c->opts.ctx, pos, (size_t)parts->cnt);
      for (int i = 0; i < parts->cnt; i++)
        parts->elems[i].offset = pos[i].offset;
      free(pos);
    } else {
      sl_error_set(&e, SL_ERR_NOMEM, "out of memory");
      set_pending(c, &e);
    }
  }

  for (int i = 0; i < parts->cnt; i++) {
    const rd_kafka_topic_partition_t *tp = &parts->elems[i];
    if (mark_assigned(c, tp->topic, tp->partition, tp->offset, &e))
      set_pending(c, &e);
    SL_DEBUG("kafka", "consumer: assigned %s [%d] at offset %" PRId64,
             tp->topic, (int)tp->partition, tp->offset);
  }

  if (cooperative) {
    rd_kafka_error_t *error = rd_kafka_incremental_assign(rk, parts);
    if (error) {
      sl_kafka_fail(&e, NULL, -1, "assign", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      set_pending(c, &e);
    }
  } else {
    code = rd_kafka_assign(rk, parts);
    if (code) {
      sl_kafka_fail_code(&e, rk, NULL, -1, "assign", code);
      set_pending(c, &e);
    }
  }
}

/* librdkafka keeps a partition paused by the application across
 * assignments: a partition is resumed as it goes, so that it starts
 * fetching when assigned again. */
static void unpause(sl_kafka_consumer *c, part_state *ps) {
  if (!ps || !ps->paused)
    return;
  ps->paused = false;
  rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(one, ps->topic, ps->partition);
  rd_kafka_resume_partitions(c->client.rk, one);
  rd_kafka_topic_partition_list_destroy(one);
}

/* parts go away: tell the caller with the offsets we would read next,
 * then stop fetching them. */
static void on_revoke(sl_kafka_consumer *c, rd_kafka_t *rk,
                      rd_kafka_topic_partition_list_t *parts,
                      bool cooperative) {
  sl_kafka_position *pos = to_positions(parts);
  for (int i = 0; i < parts->cnt; i++) {
    part_state *ps = find_part(c, parts->elems[i].topic,
                               parts->elems[i].partition);
    if (pos)
      pos[i].offset = ps ? ps->next : SL_KAFKA_OFFSET_INVALID;
  }
  if (c->opts.on_revoke && pos)
    c->opts.on_revoke(c->opts.ctx, pos, (size_t)parts->cnt,
                      rd_kafka_assignment_lost(rk) != 0);
  free(pos);

  for (int i = 0; i < parts->cnt; i++) {
    part_state *ps = find_part(c, parts->elems[i].topic,
                               parts->elems[i].partition);
    if (ps) {
      unpause(c, ps);
      ps->assigned = false;
      ps->at_eof = false;
    }
  }
  assignment_changed(c);

  if (cooperative) {
    rd_kafka_error_t *error = rd_kafka_incremental_unassign(rk, parts);
    if (error)
      rd_kafka_error_destroy(error);
  } else {
    rd_kafka_assign(rk, NULL);
  }
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t code,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
  sl_kafka_consumer *c = opaque;
  /* While the consumer closes, librdkafka may no longer name the
   * protocol; the group still uses the one it last did. */
  const char *protocol = rd_kafka_rebalance_protocol(rk);
  if (protocol)
    c->cooperative = strcmp(protocol, "COOPERATIVE") == 0;
  bool cooperative = c->cooperative;
  if (code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    on_assign(c, rk, parts, cooperative);
  } else if (code == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    on_revoke(c, rk, parts, cooperative);
  } else {
    SL_ERROR("kafka", "consumer: rebalance failed: %s",
             rd_kafka_err2str(code));
    for (size_t i = 0; i < c->nparts; i++) {
      unpause(c, &c->parts[i]);
      c->parts[i].assigned = false;
    }
    assignment_changed(c);
    rd_kafka_assign(rk, NULL);
  }
}

static void consumer_conf(rd_kafka_conf_t *conf) {
  rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
}

/* ---- creation ----------------------------------------------------- */

bool sl_kafka_consumer_shares_groups(const sl_kafka_config *cfg) {
  return !cfg || sl_kafka_config_embedded(cfg) == NULL;
}

sl_status sl_kafka_consumer_new(const sl_kafka_config *cfg,
                                const sl_kafka_consumer_opts *opts,
                                sl_kafka_consumer **out, sl_error *err) {
  *out = NULL;
  sl_kafka_consumer *c = calloc(1, sizeof(*c));
  if (!c)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (opts)
    c->opts = *opts;
  c->has_group = c->opts.group_id && *c->opts.group_id;
  const char *reset = c->opts.offset_reset ? c->opts.offset_reset
                                           : "earliest";
  if (strcmp(reset, "earliest") != 0 && strcmp(reset, "latest") != 0) {
    free(c);
    return sl_error_set(err, SL_ERR_USAGE, "auto.offset.reset must be "
                        "earliest or latest, not \"%s\"", reset);
  }

  /* librdkafka's assign() needs a group id even when no group is joined.
   * This one is never joined, committed to or created on the broker. */
  static atomic_uint transient_seq;
  char transient_group[64];
  snprintf(transient_group, sizeof(transient_group),
           "sluice-transient-%ld-%u", (long)getpid(),
           atomic_fetch_add(&transient_seq, 1));

  /* On the embedded broker a group that lost its last member waits one
   * session timeout (less a second) before a new member may join, so the
   * session timeout there is Kafka's minimum rather than 45 s. */
  bool embedded = sl_kafka_config_embedded(cfg) != NULL;
  const char *defaults[] = {
      "client.id", "sluice",
      "log.connection.close", "false",
      "fetch.wait.max.ms", "100",
      /* librdkafka stops prefetching a partition at either bound and then
       * backs off before fetching again, which left bounded runs idle
       * most of their time at 20000 records (19 s for 1.5 million records
       * that take 0.9 s of CPU); the byte bound keeps memory in check. */
      "queued.min.messages", "1000000",
      "queued.max.messages.kbytes", "32768",
      embedded ? "session.timeout.ms" : NULL, "6000",
      NULL};
  const char *overrides[] = {
      "group.id", c->has_group ? c->opts.group_id : transient_group,
      "auto.offset.reset", reset,
      "enable.auto.commit", "false",
      "enable.auto.offset.store", "false",
      "enable.partition.eof", "true",
      c->opts.same_numbers ? "partition.assignment.strategy" : NULL,
      "range",
      NULL};
  if (!c->opts.offset_reset) {
    /* No explicit choice: a user's auto.offset.reset stands. */
    const char *user = cfg ? sl_kafka_config_get(cfg, "auto.offset.reset")
                           : NULL;
    if (user)
      overrides[3] = user;
  }

  sl_status rc = sl_kafka_client_open(&c->client, RD_KAFKA_CONSUMER,
                                      "consumer", cfg, defaults, overrides,
                                      consumer_conf, err);
  if (rc) {
    free(c);
    return rc;
  }

  /* Route every event (rebalances, errors, logs) through the queue that
   * poll serves. */
  rd_kafka_poll_set_consumer(c->client.rk);
  c->queue = rd_kafka_queue_get_consumer(c->client.rk);
  *out = c;
  return SL_OK;
}

static rd_kafka_topic_partition_list_t *to_list(const sl_kafka_position *p,
                                                size_t n) {
  rd_kafka_topic_partition_list_t *list =
      rd_kafka_topic_partition_list_new((int)n);
  for (size_t i = 0; i < n; i++)
    rd_kafka_topic_partition_list_add(list, p[i].topic, p[i].partition)
        ->offset = p[i].offset;
  return list;
}

sl_status sl_kafka_consumer_subscribe(sl_kafka_consumer *c,
                                      const char *const *topics, size_t n,
                                      sl_error *err) {
  if (!c->has_group)
    return sl_error_set(err, SL_ERR_INTERNAL, "subscribe needs a consumer "
                        "group");
  rd_kafka_topic_partition_list_t *list =
      rd_kafka_topic_partition_list_new((int)n);
  for (size_t i = 0; i < n; i++)
    rd_kafka_topic_partition_list_add(list, topics[i],
                                      RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t code = rd_kafka_subscribe(c->client.rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (code)
    return sl_kafka_fail_code(err, c->client.rk, n == 1 ? topics[0] : NULL,
                              -1, "subscribe", code);
  return SL_OK;
}

sl_status sl_kafka_consumer_assign(sl_kafka_consumer *c,
                                   const sl_kafka_position *parts, size_t n,
                                   sl_error *err) {
  for (size_t i = 0; i < c->nparts; i++) {
    unpause(c, &c->parts[i]);
    c->parts[i].assigned = false;
  }
  assignment_changed(c);
  for (size_t i = 0; i < n; i++) {
    sl_status rc = mark_assigned(c, parts[i].topic, parts[i].partition,
                                 parts[i].offset, err);
    if (rc)
      return rc;
  }

  rd_kafka_topic_partition_list_t *list = to_list(parts, n);
  rd_kafka_resp_err_t code = rd_kafka_assign(c->client.rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (code)
    return sl_kafka_fail_code(err, c->client.rk, n ? parts[0].topic : NULL,
                              -1, "assign", code);
  c->stats.assignments++;
  return SL_OK;
}

/* Fixes the end of every partition of topic at its high watermark; sets
 * *count to the number of partitions. */
static sl_status bound_topic(sl_kafka_consumer *c, const char *topic,
                             int *count, sl_error *err) {
  sl_status rc = sl_kafka_partition_count(&c->client, topic,
                                          METADATA_TIMEOUT_MS, count, err);
  for (int32_t p = 0; rc == SL_OK && p < *count; p++) {
    int64_t lo, hi;
    rc = sl_kafka_watermarks(&c->client, topic, p, METADATA_TIMEOUT_MS, &lo,
                             &hi, err);
    if (rc)
      break;
    part_state *ps = get_part(c, topic, p);
    if (!ps)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    ps->end = hi;
    /* Nothing to wait for where no record lies below the end. */
    ps->empty = lo >= hi;
    update_done(ps);
  }
  return rc;
}

sl_status sl_kafka_consumer_bound(sl_kafka_consumer *c, const char *topic,
                                  sl_error *err) {
  int count;
  return bound_topic(c, topic, &count, err);
}

sl_status sl_kafka_consumer_assign_topic(sl_kafka_consumer *c,
                                         const char *topic, int64_t start,
                                         bool bounded, sl_error *err) {
  int count = 0;
  sl_status rc;
  if (bounded)
    rc = bound_topic(c, topic, &count, err);
  else
    rc = sl_kafka_partition_count(&c->client, topic, METADATA_TIMEOUT_MS,
                                  &count, err);
  if (rc)
    return rc;

  sl_kafka_position *parts = calloc((size_t)count + 1, sizeof(*parts));
  if (!parts)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int32_t p = 0; p < count; p++)
    parts[p] = (sl_kafka_position){topic, p, start};
  rc = sl_kafka_consumer_assign(c, parts, (size_t)count, err);
  free(parts);
  return rc;
}

/* ---- polling ------------------------------------------------------ */

static void report_loss(sl_kafka_consumer *c, part_state *ps, int64_t lost,
                        int64_t resumed, int64_t log_start) {
  SL_ERROR("kafka", "%s [%d]: %" PRId64 " records lost: offset %" PRId64
           " was deleted before it was read (the log now starts at %" PRId64
           "); reading resumes at %" PRId64,
           ps->topic, (int)ps->partition, lost, ps->next, log_start,
           resumed);
  c->stats.lost_records += lost;
  c->stats.loss_events++;
  if (c->opts.on_loss) {
    sl_kafka_loss loss = {ps->topic, ps->partition, ps->next, resumed, lost};
    c->opts.on_loss(c->opts.ctx, &loss);
  }
}

/* The partition continues at offset although ps->next was expected.  A
 * forward gap is a loss when the log start offset has moved past the
 * expected offset; otherwise the offsets were never records
 * (compaction, transaction markers). */
static void check_position(sl_kafka_consumer *c, part_state *ps,
                           int64_t offset) {
  static sl_log_limit back_limit = SL_LOG_LIMIT_INIT(3, 10000);
  if (ps->next < 0 || offset == ps->next)
    return;
  if (offset < ps->next) {
    sl_log_ratelimited(&back_limit, SL_LOG_WARN, "kafka",
                       "%s [%d]: offset went back from %" PRId64 " to %"
                       PRId64 " (log truncated or topic recreated?)",
                       ps->topic, (int)ps->partition, ps->next, offset);
    return;
  }

  /* The log start cached from the fetch that brought this offset is
   * recent enough; ask the broker only when there is none. */
  rd_kafka_t *rk = c->client.rk;
  int64_t lo = -1, hi = -1;
  if (rd_kafka_get_watermark_offsets(rk, ps->topic, ps->partition, &lo,
                                     &hi) ||
      lo < 0) {
    sl_error ignored;
    if (sl_kafka_watermarks(&c->client, ps->topic, ps->partition,
                            METADATA_TIMEOUT_MS, &lo, &hi, &ignored))
      lo = -1;
  }
  if (lo > ps->next) {
    report_loss(c, ps, offset - ps->next, offset, lo);
  } else if (lo < 0) {
    SL_WARN("kafka", "%s [%d]: offsets %" PRId64 " to %" PRId64 " were "
            "skipped and the log start offset is unknown: records may have "
            "been lost", ps->topic, (int)ps->partition, ps->next,
            offset - 1);
  }
}

/* Looks up the entry of a record, cached by topic handle. */
static part_state *part_of(sl_kafka_consumer *c, const rd_kafka_message_t *m) {
  part_state *last = c->last;
  if (last && last->rkt == m->rkt && last->partition == m->partition)
    return last;
  part_state *ps = find_part(c, rd_kafka_topic_name(m->rkt), m->partition);
  if (ps) {
    ps->rkt = m->rkt;
    c->last = ps;
  }
  return ps;
}

/* An error or event in the message stream. */
static void handle_event(sl_kafka_consumer *c, rd_kafka_message_t *m) {
  static sl_log_limit limit = SL_LOG_LIMIT_INIT(5, 10000);
  const char *topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL;

  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    part_state *ps = topic ? find_part(c, topic, m->partition) : NULL;
    if (!ps || !ps->assigned)
      return;
    check_position(c, ps, m->offset);
    if (ps->next < m->offset)
      ps->next = m->offset;
    /* An end reported before records still queued behind it is stale:
     * those records clear it again as they come. */
    ps->at_eof = m->offset >= ps->next;
    if (ps->end >= 0 && m->offset >= ps->end)
      ps->done = true;
    return;
  }

  sl_error e;
  switch (m->err) {
  case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
  case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
  case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
  case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
  case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
  case RD_KAFKA_RESP_ERR__FATAL:
    sl_kafka_fail(&e, topic, topic ? m->partition : -1, "consume",
                  rd_kafka_message_errstr(m));
    set_pending(c, &e);
    return;
  case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    /* A consumer without a group only looks its throwaway group up. */
    if (c->has_group) {
      sl_kafka_fail(&e, NULL, -1, "consume", rd_kafka_message_errstr(m));
      set_pending(c, &e);
      return;
    }
    break;
  default:
    break;
  }

  /* Anything else is transient: librdkafka retries on its own. */
  if (topic)
    sl_log_ratelimited(&limit, SL_LOG_WARN, "kafka", "%s [%d]: consume: %s",
                       topic, (int)m->partition, rd_kafka_message_errstr(m));
  else
    sl_log_ratelimited(&limit, SL_LOG_WARN, "kafka", "consume: %s",
                       rd_kafka_message_errstr(m));
}

static void fill_msg(sl_kafka_msg *out, rd_kafka_message_t *m) {
  rd_kafka_timestamp_type_t type;
  out->topic = rd_kafka_topic_name(m->rkt);
  out->partition = m->partition;
  out->offset = m->offset;
  out->timestamp_ms = rd_kafka_message_timestamp(m, &type);
  out->key = m->key;
  out->key_len = m->key ? m->key_len : 0;
  out->value = m->payload;
  out->value_len = m->payload ? m->len : 0;
  out->handle = m;
}

sl_status sl_kafka_consumer_poll(sl_kafka_consumer *c, sl_kafka_batch *b,
                                 int timeout_ms, sl_error *err) {
  sl_kafka_batch_clear(b);
  if (c->has_pending) {
    c->has_pending = false;
    if (err)
      *err = c->pending;
    return c->pending.code;
  }

  ssize_t n = rd_kafka_consume_batch_queue(
      c->queue, timeout_ms, (rd_kafka_message_t **)b->raw, b->cap);
  if (n < 0)
    return sl_kafka_fail_code(err, c->client.rk, NULL, -1, "consume",
                              rd_kafka_last_error());

  rd_kafka_message_t **raw = (rd_kafka_message_t **)b->raw;
  size_t kept = 0;
  for (ssize_t i = 0; i < n; i++) {
    rd_kafka_message_t *m = raw[i];
    if (m->err) {
      handle_event(c, m);
      rd_kafka_message_destroy(m);
      continue;
    }
    /* Records of partitions revoked meanwhile, or past a bounded end,
     * are dropped here. */
    part_state *ps = part_of(c, m);
    if (!ps || !ps->assigned || (ps->end >= 0 && m->offset >= ps->end)) {
      if (ps && ps->assigned)
        ps->done = true;
      rd_kafka_message_destroy(m);
      continue;
    }
    if (ps->resumed) {
      /* Fetched again after a pause: records before next were handed
       * out already. */
      if (m->offset < ps->next) {
        rd_kafka_message_destroy(m);
        continue;
      }
      ps->resumed = false;
    }
    check_position(c, ps, m->offset);
    ps->next = m->offset + 1;
    ps->at_eof = false;
    update_done(ps);
    raw[kept] = m;
    fill_msg(&b->msgs[kept], m);
    kept++;
  }
  b->count = kept;
  c->stats.records += (int64_t)kept;

  if (kept == 0 && c->has_pending) {
    c->has_pending = false;
    if (err)
      *err = c->pending;
    return c->pending.code;
  }
  return SL_OK;
}

bool sl_kafka_consumer_at_end(const sl_kafka_consumer *c) {
  size_t assigned = 0;
  for (size_t i = 0; i < c->nparts; i++) {
    const part_state *ps = &c->parts[i];
    if (!ps->assigned)
      continue;
    assigned++;
    if (ps->end < 0 || !ps->done)
      return false;
  }
  return assigned > 0;
}

size_t sl_kafka_consumer_positions(const sl_kafka_consumer *c,
                                   sl_kafka_position *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < c->nparts; i++) {
    const part_state *ps = &c->parts[i];
    if (!ps->assigned)
      continue;
    if (n < cap)
      out[n] = (sl_kafka_position){ps->topic, ps->partition, ps->next};
    n++;
  }
  return n;
}

/* ---- offsets ------------------------------------------------------ */

/* The first per-partition error of list, as an sl_error. */
static sl_status list_error(rd_kafka_t *rk,
                            const rd_kafka_topic_partition_list_t *list,
                            const char *what, sl_error *err) {
  for (int i = 0; i < list->cnt; i++) {
    const rd_kafka_topic_partition_t *tp = &list->elems[i];
    if (tp->err)
      return sl_kafka_fail_code(err, rk, tp->topic, tp->partition, what,
                                tp->err);
  }
  return SL_OK;
}

sl_status sl_kafka_consumer_commit(sl_kafka_consumer *c,
                                   const sl_kafka_position *offs, size_t n,
                                   sl_error *err) {
  if (!c->has_group)
    return sl_error_set(err, SL_ERR_INTERNAL, "commit needs a consumer "
                        "group");
  if (n == 0)
    return SL_OK;
  for (size_t i = 0; i < n; i++) {
    if (offs[i].offset < 0)
      return sl_error_set(err, SL_ERR_INTERNAL, "%s [%d]: commit: no "
                          "offset to commit", offs[i].topic,
                          (int)offs[i].partition);
  }
  rd_kafka_topic_partition_list_t *list = to_list(offs, n);
  rd_kafka_resp_err_t code = rd_kafka_commit(c->client.rk, list, 0);
  sl_status rc = SL_OK;
  if (code)
    rc = sl_kafka_fail_code(err, c->client.rk, n == 1 ? offs[0].topic : NULL,
                            n == 1 ? offs[0].partition : -1, "commit", code);
  else
    rc = list_error(c->client.rk, list, "commit", err);
  rd_kafka_topic_partition_list_destroy(list);
  return rc;
}

sl_status sl_kafka_consumer_committed(sl_kafka_consumer *c,
                                      sl_kafka_position *parts, size_t n,
                                      int timeout_ms, sl_error *err) {
  rd_kafka_topic_partition_list_t *list = to_list(parts, n);
  rd_kafka_resp_err_t code = rd_kafka_committed(c->client.rk, list,
                                                timeout_ms);
  sl_status rc = SL_OK;
  if (code)
    rc = sl_kafka_fail_code(err, c->client.rk, NULL, -1,
                            "read committed offsets", code);
  else
    rc = list_error(c->client.rk, list, "read committed offset", err);
  if (rc == SL_OK) {
    for (size_t i = 0; i < n; i++)
      parts[i].offset = list->elems[i].offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  return rc;
}

sl_status sl_kafka_consumer_seek(sl_kafka_consumer *c, const char *topic,
                                 int32_t partition, int64_t offset,
                                 sl_error *err) {
  part_state *ps = find_part(c, topic, partition);
  if (!ps || !ps->assigned)
    return sl_error_set(err, SL_ERR_INTERNAL, "%s [%d]: seek: partition "
                        "not assigned", topic, (int)partition);
  sl_kafka_position pos = {topic, partition, offset};
  rd_kafka_topic_partition_list_t *list = to_list(&pos, 1);
  rd_kafka_error_t *error = rd_kafka_seek_partitions(c->client.rk, list,
                                                     METADATA_TIMEOUT_MS);
  sl_status rc = SL_OK;
  if (error) {
    rc = sl_kafka_fail(err, topic, partition, "seek",
                       rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  } else {
    rc = list_error(c->client.rk, list, "seek", err);
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (rc == SL_OK) {
    ps->next = offset >= 0 ? offset : SL_KAFKA_OFFSET_INVALID;
    ps->done = false;
    ps->at_eof = false;
    ps->resumed = false;
    update_done(ps);
  }
  return rc;
}

sl_status sl_kafka_consumer_pause(sl_kafka_consumer *c, const char *topic,
                                  int32_t partition, bool pause,
                                  sl_error *err) {
  part_state *ps = find_part(c, topic, partition);
  if (!ps || !ps->assigned)
    return sl_error_set(err, SL_ERR_INTERNAL, "%s [%d]: %s: partition not "
                        "assigned", topic, (int)partition,
                        pause ? "pause" : "resume");
  if (ps->paused == pause)
    return SL_OK;
  sl_kafka_position pos = {topic, partition, 0};
  rd_kafka_topic_partition_list_t *list = to_list(&pos, 1);
  rd_kafka_resp_err_t code =
      pause ? rd_kafka_pause_partitions(c->client.rk, list)
            : rd_kafka_resume_partitions(c->client.rk, list);
  sl_status rc = SL_OK;
  if (code)
    rc = sl_kafka_fail_code(err, c->client.rk, topic, partition,
                            pause ? "pause" : "resume", code);
  else
    rc = list_error(c->client.rk, list, pause ? "pause" : "resume", err);
  rd_kafka_topic_partition_list_destroy(list);
  if (rc == SL_OK) {
    ps->paused = pause;
    if (!pause)
      ps->resumed = true;
  }
  return rc;
}

bool sl_kafka_consumer_drained(const sl_kafka_consumer *c, const char *topic,
                               int32_t partition) {
  const part_state *ps = find_part(c, topic, partition);
  return ps && ps->assigned && (ps->done || ps->at_eof);
}

void sl_kafka_consumer_stats_get(const sl_kafka_consumer *c,
                                 sl_kafka_consumer_stats *out) {
  *out = c->stats;
}

sl_status sl_kafka_consumer_close(sl_kafka_consumer *c, sl_error *err) {
  if (c->closed)
    return SL_OK;
  c->closed = true;
  rd_kafka_resp_err_t code = rd_kafka_consumer_close(c->client.rk);
  if (code)
    return sl_kafka_fail_code(err, c->client.rk, NULL, -1, "close", code);
  return SL_OK;
}

void sl_kafka_consumer_free(sl_kafka_consumer *c) {
  if (!c)
    return;
  sl_error err;
  if (sl_kafka_consumer_close(c, &err))
    SL_WARN("kafka", "%s", err.message);
  if (c->queue)
    rd_kafka_queue_destroy(c->queue);
  sl_kafka_client_close(&c->client);
  for (size_t i = 0; i < c->nparts; i++)
    free(c->parts[i].topic);
  free(c->parts);
  free(c);
}

/* ---- batches and headers ------------------------------------------ */

sl_status sl_kafka_batch_init(sl_kafka_batch *b, size_t cap, sl_error *err) {
  b->count = 0;
  b->cap = cap;
  b->msgs = calloc(cap ? cap : 1, sizeof(*b->msgs));
  b->raw = calloc(cap ? cap : 1, sizeof(*b->raw));
  if (!b->msgs || !b->raw) {
    free(b->msgs);
    free(b->raw);
    b->msgs = NULL;
    b->raw = NULL;
    b->cap = 0;
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  return SL_OK;
}

void sl_kafka_batch_clear(sl_kafka_batch *b) {
  for (size_t i = 0; i < b->count; i++)
    rd_kafka_message_destroy(b->msgs[i].handle);
  b->count = 0;
}

void sl_kafka_batch_detach(sl_kafka_batch *b) {
  b->count = 0;
}

void sl_kafka_msg_release(sl_kafka_msg *m) {
  if (m->handle)
    rd_kafka_message_destroy(m->handle);
  m->handle = NULL;
}

void sl_kafka_batch_destroy(sl_kafka_batch *b) {
  if (b->msgs)
    sl_kafka_batch_clear(b);
  free(b->msgs);
  free(b->raw);
  b->msgs = NULL;
  b->raw = NULL;
  b->cap = 0;
}

static rd_kafka_headers_t *headers_of(const sl_kafka_msg *m) {
  rd_kafka_headers_t *hdrs = NULL;
  if (rd_kafka_message_headers(m->handle, &hdrs))
    return NULL;
  return hdrs;
}

size_t sl_kafka_msg_header_count(const sl_kafka_msg *m) {
  rd_kafka_headers_t *hdrs = headers_of(m);
  return hdrs ? rd_kafka_header_cnt(hdrs) : 0;
}

bool sl_kafka_msg_header_at(const sl_kafka_msg *m, size_t i,
                            sl_kafka_header *out) {
  rd_kafka_headers_t *hdrs = headers_of(m);
  const void *value;
  size_t size;
  if (!hdrs || rd_kafka_header_get_all(hdrs, i, &out->name, &value, &size))
    return false;
  out->value = value;
  out->size = value ? size : 0;
  return true;
}

bool sl_kafka_msg_header_find(const sl_kafka_msg *m, const char *name,
                              sl_kafka_header *out) {
  rd_kafka_headers_t *hdrs = headers_of(m);
  const void *value;
  size_t size;
  if (!hdrs || rd_kafka_header_get_last(hdrs, name, &value, &size))
    return false;
  out->name = name;
  out->value = value;
  out->size = value ? size : 0;
  return true;
}
