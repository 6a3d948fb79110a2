/* SPDX-License-Identifier: Apache-2.0 */
/*
 * task.c - one task of a query: its consumer, operator instances,
 * producer and error router, driven a slice at a time by the pool.
 *
 * A task is a state machine:
 *   OPENING   open the operators, create the consumer and join the group
 *             (persistent) or assign this task's share of the partitions
 *             (transient);
 *   RUNNING   poll a batch, hand each source the records of its topic
 *             (a stateful plan's in event-time order across partitions,
 *             through the merge, merge.h), mark bounded partitions done,
 *             serve delivery reports, and commit when due;
 *   DRAINING  the query stops or finished: a bounded query's sources send
 *             the end of time;
 *   FLUSHING  wait (a slice at a time) until every output is
 *             acknowledged;
 *   COMMITTING checkpoint the operators and commit the final offsets,
 *             retrying while the group settles;
 *   PARKED    wait for the query's other tasks, then leave the group and
 *             close the operators (leaving early would force a rebalance
 *             that fails the others' final commits);
 *   DONE      nothing more; the operators stay for their counters.
 *
 * Commits (persistent queries): every commit interval the task takes the
 * positions its sources have processed (not what the merge holds
 * fetched) together with the producer's current mark; once every record
 * up to that mark is acknowledged, those positions are committed.  A
 * commit the broker refuses (it is away) is retried at the next slice;
 * nothing is committed after a failure.
 */
#include "engine/runtime/runtime_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "engine/common/log.h"
#include "engine/ops/filter.h"
#include "engine/ops/limit.h"
#include "engine/ops/repartition.h"
#include "engine/ops/lookup_join.h"
#include "engine/ops/project.h"
#include "engine/ops/sink_callback.h"
#include "engine/ops/sink_kafka.h"
#include "engine/ops/sink_table.h"
#include "engine/ops/source.h"
#include "engine/ops/stateful.h"
#include "engine/ops/union.h"
#include "engine/runtime/changelog.h"
#include "engine/runtime/merge.h"

typedef enum task_state {
  TASK_OPENING = 0,
  TASK_RUNNING,
  TASK_DRAINING,
  TASK_FLUSHING,
  TASK_COMMITTING,
  TASK_PARKED,
  TASK_DONE
} task_state;

/* How long draining waits for the producer before giving up on the
 * final commit (the records are then re-read after a restart). */
#define DRAIN_FLUSH_MS 30000
#define TICK_INTERVAL_MS 1000
/* How long a restarted stateful query waits for the partitions of its
 * checkpoint that the group has not given it yet: a killed predecessor
 * keeps them until its session expires (Kafka's default session timeout
 * is 45 s). */
#define EXPECT_HOLD_MS 60000
/* How long a stateful query stops reading while its outputs are
 * acknowledged before a checkpoint (settling). */
#define SETTLE_MS 1000
/* max.task.idle's default: how long a task merging partitions waits for
 * one with nothing buffered (unbounded runs). */
#define MAX_TASK_IDLE_MS 500
/* Batches a task merging partitions processes in one slice at most. */
#define MERGE_BATCHES 4

/* A source topic of the plan, as the merge numbers it. */
typedef struct task_topic {
  const char *name;          /* the plan's string */
  bool internal;             /* a repartition topic: not merged */
  sl_op *source;             /* the first source reading it */
} task_topic;

struct sl_task {
  sl_query *q;
  int index;
  task_state state;
  sl_op **ops;               /* by plan node id */
  int nsources;
  sl_op **sources;           /* in the plan's source order */
  sl_op_ctx ctx;
  sl_op_errors *errors;
  sl_op_output *output;
  sl_kafka_consumer *consumer;
  sl_kafka_batch kb;
  bool kb_ready;
  sl_kafka_msg *scratch;     /* bounded: records before their ends */

  /* A stateful plan processes the records of its partitions in event-time
   * order across them (merge.h): the merge, the plan's source topics it
   * numbers (by their index here), the records popped for one dispatch,
   * and what the last pop said (a full batch: more is ready; else how
   * long an empty partition may still hold the others back). */
  sl_merge *merge;
  task_topic *topics;
  int ntopics;
  sl_kafka_msg *merged;
  bool merge_more;
  int64_t merge_wait_ms;
  sl_log_limit pause_log;

  /* Commits. */
  bool pending;
  uint64_t pending_mark;
  sl_kafka_position *pos;    /* the pending positions */
  /* One state for all partitions: where revoked partitions stood, which
   * that state still reflects (topics are the sources' strings). */
  sl_kafka_position *kept;
  int nkept;
  int npos;
  int pos_cap;
  int64_t last_commit_ms;
  int64_t last_tick_ms;
  int64_t checkpoint_id;
  sl_log_limit commit_log;
  int64_t retry_at_ms;       /* a refused commit is retried then */
  int64_t deadline_ms;       /* FLUSHING, COMMITTING */
  bool parked;

  /* Checkpoints of a stateful persistent query, read by other threads
   * (sl_query_get_stats). */
  int64_t snapshot_us;       /* the operators' part of the pending one */
  atomic_llong checkpoints;  /* written to the store */
  atomic_llong checkpoint_us; /* how long the last one took */
  atomic_llong state_entries; /* the operators' state at the last one */
  atomic_llong state_bytes;

  /* The changelog topic of a stateful persistent query (changelog.h),
   * and the source partitions the group gave this task (topics are the
   * sources' strings).  changelog_newer: the changelog held a newer
   * checkpoint than the catalog when the task opened (with one state,
   * that one is restored when every partition comes). */
  sl_changelog *changelog;
  bool changelog_newer;
  sl_kafka_position *held;
  int nheld;

  /* What this task's checkpoints cover of the query's store, which its
   * sibling tasks share: its partitions' tables (all of them with one
   * state) and its own changelog. */
  sl_state_changelog changelog_hook;
  int32_t *scope_parts;
  sl_state_scope scope;
  /* Partitions of a restored checkpoint this task's sources wait for
   * until some task of the query is given them. */
  bool expecting;
};

/* ------------------------------------------------------------------ */
/* Building the operators                                              */
/* ------------------------------------------------------------------ */

/* The callback sink's function: the plan's, one call at a time. */
static sl_status task_rows(void *ud, const sl_batch *b, int ncols,
                           sl_error *err) {
  sl_task *t = ud;
  const sl_pnode *root = t->q->plan->root;
  pthread_mutex_lock(&t->q->cb_lock);
  sl_status rc = root->u.callback.fn(root->u.callback.ud, b, ncols, err);
  pthread_mutex_unlock(&t->q->cb_lock);
  return rc;
}

static void task_finish(void *ud) {
  sl_task *t = ud;
  atomic_store(&t->q->finish, true);
}

static sl_status make_op(sl_task *t, const sl_pnode *n,
                         const sl_expr_options *xo, sl_op **out,
                         sl_error *err) {
  sl_runtime *rt = t->q->rt;
  switch (n->kind) {
  case SL_PNODE_SOURCE: {
    sl_source_spec spec = {
        .topic = n->u.source.topic,
        .schema = n->u.source.schema,
        .format = n->u.source.format,
        .delimiter = n->u.source.delimiter,
        .ncols = n->ncols,
        .col_map = n->u.source.col_map,
        .out_of_order_ms = n->u.source.out_of_order_ms,
        .idle_timeout_ms = t->q->bounded ? 0 : n->u.source.idle_timeout_ms,
        .check = n->u.source.check,
        .capacity = rt->batch_size,
    };
    return sl_source_new(&spec, xo, out, err);
  }
  case SL_PNODE_FILTER:
    return sl_filter_new(n->u.filter.predicate, xo, out, err);
  case SL_PNODE_PROJECT:
    return sl_project_new(n->u.project.nexprs, n->u.project.exprs, xo, out,
                          err);
  case SL_PNODE_UNION:
    return sl_union_new(n->ninputs, out, err);
  case SL_PNODE_LIMIT:
    return sl_limit_new(n->u.limit.count, out, err);
  case SL_PNODE_LOOKUP_JOIN: {
    sl_lookup_join_spec spec = {
        .table = n->u.lookup.table,
        .left_outer = n->u.lookup.left_outer,
        .nleft = n->inputs[0]->ncols,
        .nkeys = n->u.lookup.nkeys,
        .left_keys = n->u.lookup.left_keys,
        .right_filter = n->u.lookup.right_filter,
        .nright = n->u.lookup.nright,
        .right_exprs = n->u.lookup.right_exprs,
        .residual = n->u.lookup.residual,
    };
    return sl_lookup_join_new(&spec, xo, out, err);
  }
  case SL_PNODE_SINK_KAFKA: {
    int k = n->u.sink.ncols;
    const char **names = calloc((size_t)k + 1, sizeof(*names));
    const sl_type **types = calloc((size_t)k + 1, sizeof(*types));
    sl_status rc = SL_ERR_NOMEM;
    if (names && types) {
      for (int i = 0; i < k; i++) {
        names[i] = n->cols[i].name;
        types[i] = n->cols[i].type;
      }
      sl_sink_kafka_spec spec = {
          .topic = n->u.sink.topic,
          .format = n->u.sink.format,
          .delimiter = n->u.sink.delimiter,
          .ncols = k,
          .cols = n->u.sink.cols,
          .names = names,
          .types = types,
          .key_col = n->u.sink.key_col,
          .key_format = n->u.sink.key_format,
          .nkeys = n->u.sink.nkeys,
          .key_cols = n->u.sink.key_cols,
          .op_col = n->u.sink.op_col,
          .tombstones = n->u.sink.tombstones,
      };
      rc = sl_sink_kafka_new(&spec, out, err);
    } else {
      sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    free(names);
    free(types);
    return rc;
  }
  case SL_PNODE_SINK_REPARTITION: {
    sl_repart_sink_spec spec = {
        .topic = n->u.repart.topic,
        .partitions = n->u.repart.partitions,
        .upstream = n->u.repart.upstream,
        .nkeys = n->u.repart.nkeys,
        .keys = n->u.repart.keys,
        .ncols = n->inputs[0]->ncols,
    };
    return sl_repart_sink_new(&spec, xo, out, err);
  }
  case SL_PNODE_SINK_CALLBACK:
    return sl_sink_callback_new(n->ncols, task_rows, t, out, err);
  case SL_PNODE_SINK_TABLE: {
    sl_sink_table_spec spec = {
        .name = n->u.table.name,
        .ncols = n->u.table.ncols,
        .cols = n->u.table.cols,
        .hashed = n->u.table.hashed,
        .secret = n->u.table.secret,
        .secret_len = n->u.table.secret_len,
    };
    return sl_sink_table_new(&spec, out, err);
  }
  case SL_PNODE_STATEFUL: {
    /* Named by node id: the same plan numbers its nodes the same way
     * after a restart, so the store's tables are found again. */
    char name[32];
    snprintf(name, sizeof(name), "n%d", n->id);
    return sl_plan_stateful_make(&n->u.stateful, name, xo, out, err);
  }
  }
  return sl_error_set(err, SL_ERR_INTERNAL, "unknown plan node kind %d",
                      (int)n->kind);
}

/* Numbers the plan's distinct source topics for the merge. */
static sl_status task_topics(sl_task *t, sl_error *err) {
  const sl_plan *plan = t->q->plan;
  t->topics = calloc((size_t)plan->nsources + 1, sizeof(*t->topics));
  if (!t->topics)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int s = 0; s < plan->nsources; s++) {
    const sl_pnode *src = plan->sources[s];
    bool seen = false;
    for (int i = 0; i < t->ntopics && !seen; i++)
      seen = !strcmp(t->topics[i].name, src->u.source.topic);
    if (!seen)
      t->topics[t->ntopics++] = (task_topic){src->u.source.topic,
                                             src->u.source.internal,
                                             t->sources[s]};
  }
  return SL_OK;
}

/* Creates a task (see runtime_internal.h). */
sl_status sl_task_new(sl_query *q, int index, sl_task **out, sl_error *err) {
  const sl_plan *plan = q->plan;
  sl_task *t = calloc(1, sizeof(*t));
  if (t) {
    t->ops = calloc((size_t)plan->nnodes + 1, sizeof(*t->ops));
    t->sources = calloc((size_t)plan->nsources + 1, sizeof(*t->sources));
  }
  if (!t || !t->ops || !t->sources) {
    if (t) {
      free(t->ops);
      free(t->sources);
    }
    free(t);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  t->q = q;
  t->index = index;
  t->state = TASK_OPENING;
  atomic_init(&t->checkpoints, 0);
  atomic_init(&t->checkpoint_us, 0);
  atomic_init(&t->state_entries, 0);
  atomic_init(&t->state_bytes, 0);
  sl_log_limit lim = SL_LOG_LIMIT_INIT(1, 10000);
  t->commit_log = lim;

  sl_expr_options xo = {.predict = q->rt->predict,
                        .predict_arg = q->rt->predict_arg};
  for (int i = 0; i < plan->nnodes; i++) {
    const sl_pnode *n = plan->nodes[i];
    sl_status rc = make_op(t, n, &xo, &t->ops[i], err);
    if (rc) {
      sl_task_free(t);
      return rc;
    }
    t->ops[i]->id = n->id;
    for (int k = 0; k < n->ninputs; k++)
      sl_op_connect(t->ops[n->inputs[k]->id], t->ops[i], k);
  }
  for (int s = 0; s < plan->nsources; s++)
    t->sources[t->nsources++] = t->ops[plan->sources[s]->id];
  sl_status rc = task_topics(t, err);
  if (rc) {
    sl_task_free(t);
    return rc;
  }
  /* A repartition writer lists the partitions its source reads. */
  for (int i = 0; i < plan->nnodes; i++)
    if (plan->nodes[i]->kind == SL_PNODE_SINK_REPARTITION)
      sl_repart_sink_set_source(t->ops[i],
                                t->ops[plan->nodes[i]->u.repart.source->id]);
  *out = t;
  return SL_OK;
}

void sl_task_free(sl_task *t) {
  if (!t)
    return;
  for (int i = 0; i < t->q->plan->nnodes; i++)
    sl_op_destroy(t->ops[i]);
  free(t->ops);
  free(t->sources);
  if (t->kb_ready)
    sl_kafka_batch_destroy(&t->kb);
  /* Held records go back before their consumer does. */
  sl_merge_free(t->merge);
  sl_kafka_consumer_free(t->consumer);
  free(t->topics);
  free(t->merged);
  sl_op_output_free(t->output);
  sl_op_errors_free(t->errors);
  free(t->scratch);
  free(t->pos);
  free(t->kept);
  sl_changelog_free(t->changelog);
  free(t->held);
  free(t->scope_parts);
  free(t);
}

/* ------------------------------------------------------------------ */
/* Partitions                                                          */
/* ------------------------------------------------------------------ */

/* The merge's number of a source topic, or -1. */
static int topic_index(const sl_task *t, const char *topic) {
  for (int i = 0; i < t->ntopics; i++)
    if (t->topics[i].name == topic || !strcmp(t->topics[i].name, topic))
      return i;
  return -1;
}

/* Records of a partition the task still holds unprocessed (merging). */
static size_t held_records(const sl_task *t, const char *topic,
                           int32_t partition) {
  int k = t->merge ? topic_index(t, topic) : -1;
  return k >= 0 ? sl_merge_held(t->merge, k, partition) : 0;
}

/* Adds assigned partitions to the merge, or drops revoked ones with the
 * records held of them (their next owner reads those again). */
static sl_status merge_partitions(sl_task *t, const sl_kafka_position *parts,
                                  size_t n, bool assigned, sl_error *err) {
  for (size_t i = 0; t->merge && i < n; i++) {
    int k = topic_index(t, parts[i].topic);
    if (k < 0 || t->topics[k].internal)
      continue;
    if (!assigned) {
      sl_merge_remove(t->merge, k, parts[i].partition);
      continue;
    }
    sl_status rc = sl_merge_add(t->merge, k, parts[i].partition, err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Marks a bounded partition done and tells the sources reading it. */
static sl_status part_done(sl_task *t, sl_qpart *qp, sl_error *err) {
  atomic_store(&qp->done, true);
  for (int s = 0; s < t->nsources; s++) {
    if (strcmp(sl_source_topic(t->sources[s]), qp->topic) != 0)
      continue;
    sl_status rc = sl_source_partition_done(t->sources[s], qp->partition,
                                            err);
    if (rc)
      return rc;
  }
  return SL_OK;
}

static bool state_topic(const sl_task *t, const char *topic);

/* The store partitions that parts bring (assigned) or take away (revoked)
 * into ids; returns their count.  With state per partition, only state
 * topics count: a sibling task may hold the store partition of the same
 * number that a repartition writer's topic brings here.  A store
 * partition goes only once no state topic of it is held. */
static int state_partitions(const sl_task *t, const sl_kafka_position *parts,
                            size_t n, bool assigned, int32_t *ids) {
  int k = 0;
  for (size_t i = 0; i < n; i++) {
    int32_t id = parts[i].partition;
    bool skip = false;
    if (!t->ctx.one_partition) {
      skip = !state_topic(t, parts[i].topic);
      for (int h = 0; h < t->nheld && !skip && !assigned; h++)
        skip = t->held[h].partition == id && state_topic(t, t->held[h].topic);
    }
    for (int j = 0; j < k && !skip; j++)
      skip = ids[j] == id;
    if (!skip)
      ids[k++] = id;
  }
  return k;
}

/* Tells the operators about partitions assigned or revoked. */
static sl_status tell_partitions(sl_task *t, const sl_kafka_position *parts,
                                 size_t n, bool assigned, sl_error *err) {
  int32_t *ids = calloc(n + 1, sizeof(*ids));
  if (!ids)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = merge_partitions(t, parts, n, assigned, err);

  /* Before the sources restart their watermark for newcomers (state per
   * partition), the partitions held all along keep the lateness their
   * operators reached. */
  for (int i = 0; assigned && !t->ctx.one_partition &&
                  i < t->q->plan->nnodes; i++)
    if (t->ops[i]->stateful)
      sl_stateful_raise_floors(t->ops[i]->stateful);

  for (int s = 0; !rc && s < t->nsources; s++) {
    int k = 0;
    for (size_t i = 0; i < n; i++)
      if (!strcmp(parts[i].topic, sl_source_topic(t->sources[s])))
        ids[k++] = parts[i].partition;
    if (k)
      rc = sl_source_assign(t->sources[s], ids, k, assigned, err);
  }
  int nids = state_partitions(t, parts, n, assigned, ids);

  /* With one state for every partition, a revoked partition's rows are
   * mixed into what the remaining (or returning) ones need: the state
   * stays, only the sources let the partition go. */
  bool keep = !assigned && t->ctx.one_partition;
  for (int i = 0; !rc && !keep && nids && i < t->q->plan->nnodes; i++)
    if (t->q->plan->nodes[i]->kind != SL_PNODE_SOURCE)
      rc = sl_op_partitions(t->ops[i], ids, nids, assigned, err);

  /* Bounded partitions with nothing to read are done at once. */
  for (size_t i = 0; !rc && assigned && t->q->bounded && i < n; i++) {
    sl_qpart *qp = sl_query_part(t->q, parts[i].topic, parts[i].partition);
    if (qp && atomic_load(&qp->done))
      rc = part_done(t, qp, err);
  }
  free(ids);
  return rc;
}

/* Bounded: where assigned partitions begin reading, for the query's
 * total.  A partition's first assignment fixes it: a logical offset is
 * resolved against the offsets fixed at query start (the log start, or
 * the end for "latest", which reads nothing before it). */
static void note_starts(sl_task *t, const sl_kafka_position *parts,
                        size_t n) {
  if (!t->q->bounded)
    return;
  for (size_t i = 0; i < n; i++) {
    sl_qpart *qp = sl_query_part(t->q, parts[i].topic, parts[i].partition);
    if (!qp || atomic_load(&qp->start) >= 0)
      continue;
    int64_t at = parts[i].offset;
    bool latest = at == SL_KAFKA_OFFSET_END ||
                  (at < 0 && at != SL_KAFKA_OFFSET_BEGINNING &&
                   strcmp(t->q->start, "latest") == 0);
    if (latest)
      at = qp->end;
    else if (at < qp->low)
      at = qp->low;
    atomic_store(&qp->start, at);
  }
}

/* The position kept for a revoked partition, or NULL. */
static sl_kafka_position *kept_of(sl_task *t, const char *topic,
                                  int32_t partition) {
  for (int k = 0; k < t->nkept; k++)
    if (t->kept[k].partition == partition &&
        !strcmp(t->kept[k].topic, topic))
      return &t->kept[k];
  return NULL;
}

/* One state for all partitions: the state keeps what revoked partitions
 * brought in, so when they come back they resume where they stood, not
 * at a committed offset that state may be past.  Partitions without an
 * offset to keep (nothing read) are left out. */
static sl_status keep_positions(sl_task *t, const sl_kafka_position *parts,
                                size_t n, sl_error *err) {
  for (size_t i = 0; i < n; i++) {
    const char *topic = NULL;
    for (int s = 0; s < t->nsources && !topic; s++)
      if (!strcmp(sl_source_topic(t->sources[s]), parts[i].topic))
        topic = sl_source_topic(t->sources[s]);
    if (!topic || parts[i].offset < 0)
      continue;
    sl_kafka_position *k = kept_of(t, topic, parts[i].partition);
    if (!k) {
      sl_kafka_position *grown =
          realloc(t->kept, (size_t)(t->nkept + 1) * sizeof(*grown));
      if (!grown)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      t->kept = grown;
      k = &t->kept[t->nkept++];
      k->topic = topic;
      k->partition = parts[i].partition;
    }
    k->offset = parts[i].offset;
  }
  return SL_OK;
}

/* The next offset the sources are to process of a partition (the
 * lowest among sources of its topic), or -1 when they processed none. */
static int64_t processed_at(const sl_task *t, const char *topic,
                            int32_t partition) {
  int64_t at = -1;
  for (int s = 0; s < t->nsources; s++) {
    if (strcmp(sl_source_topic(t->sources[s]), topic) != 0)
      continue;
    int64_t p = sl_source_position(t->sources[s], partition);
    if (p >= 0 && (at < 0 || p < at))
      at = p;
  }
  return at;
}

/* keep_positions with where the sources stood in revoked partitions:
 * what the state reflects, short of records fetched and still held. */
static sl_status keep_processed(sl_task *t, const sl_kafka_position *parts,
                                size_t n, sl_error *err) {
  sl_kafka_position *at = calloc(n + 1, sizeof(*at));
  if (!at)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    at[i] = parts[i];
    at[i].offset = processed_at(t, parts[i].topic, parts[i].partition);
  }
  sl_status rc = keep_positions(t, at, n, err);
  free(at);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Changelog                                                           */
/* ------------------------------------------------------------------ */

/* How long reading changelog partitions to their end may take. */
#define CHANGELOG_READ_MS 60000

/* The plan's string for a source topic, or NULL. */
static const char *source_topic(const sl_task *t, const char *topic) {
  for (int s = 0; s < t->nsources; s++)
    if (!strcmp(sl_source_topic(t->sources[s]), topic))
      return sl_source_topic(t->sources[s]);
  return NULL;
}

static int held_index(const sl_task *t, const char *topic,
                      int32_t partition) {
  for (int i = 0; i < t->nheld; i++)
    if (t->held[i].partition == partition && !strcmp(t->held[i].topic, topic))
      return i;
  return -1;
}

/* Adds assigned partitions to t->held, or removes revoked ones. */
static sl_status track_held(sl_task *t, const sl_kafka_position *parts,
                            size_t n, bool assigned, sl_error *err) {
  for (size_t i = 0; i < n; i++) {
    const char *topic = source_topic(t, parts[i].topic);
    if (!topic)
      continue;
    int at = held_index(t, topic, parts[i].partition);
    if (!assigned) {
      if (at >= 0)
        t->held[at] = t->held[--t->nheld];
      continue;
    }
    if (at >= 0)
      continue;
    sl_kafka_position *grown =
        realloc(t->held, (size_t)(t->nheld + 1) * sizeof(*grown));
    if (!grown)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    t->held = grown;
    t->held[t->nheld].topic = topic;
    t->held[t->nheld].partition = parts[i].partition;
    t->held[t->nheld++].offset = 0;
  }
  return SL_OK;
}

/* True when the task holds every source partition of the query. */
static bool holds_all(const sl_task *t) {
  for (int i = 0; i < t->q->nparts; i++)
    if (held_index(t, t->q->parts[i].topic, t->q->parts[i].partition) < 0)
      return false;
  return true;
}

/* The checkpoint a changelog partition offers this query: 0 when it has
 * none, or only one of a former query of the same id. */
static int64_t offered(const sl_task *t, const sl_changelog_replay *r) {
  return sl_changelog_matches(t->changelog, r)
             ? sl_changelog_replay_checkpoint(r)
             : 0;
}

/* True when a changelog partition holds records later readers must not
 * apply: an unfinished checkpoint's, or a former query's. */
static bool stale(const sl_task *t, const sl_changelog_replay *r) {
  return sl_changelog_replay_trailing(r) > 0 ||
         !sl_changelog_matches(t->changelog, r);
}

/* Points the assigned partitions at a checkpoint's offsets (those of
 * partition only, or all when partition < 0). */
static void seek_to(sl_kafka_position *parts, size_t n, int32_t partition,
                    const sl_catalog_offset *offs, int noffs) {
  for (size_t i = 0; i < n; i++) {
    if (partition >= 0 && parts[i].partition != partition)
      continue;
    for (int k = 0; k < noffs; k++)
      if (offs[k].partition == parts[i].partition &&
          !strcmp(offs[k].topic, parts[i].topic))
        parts[i].offset = offs[k].offset;
  }
}

/* Whether topic's partition numbers are those of the store's tables:
 * every source topic but those only repartition writers read (their
 * partitions feed a topic whose own partitions hold the state). */
static bool state_topic(const sl_task *t, const char *topic) {
  const sl_plan *plan = t->q->plan;
  for (int i = 0; i < plan->nnodes; i++) {
    const sl_pnode *w = plan->nodes[i];
    if (w->kind == SL_PNODE_SINK_REPARTITION &&
        !strcmp(w->u.repart.source->u.source.topic, topic))
      return false;
  }
  return true;
}

/* State per partition: each assigned partition whose changelog holds a
 * newer checkpoint than the catalog is restored from it and resumes at
 * its offsets; the others resume at the catalog's checkpoint of them
 * (a partition revoked and back has read past the one restored at
 * start).  A changelog that differs from the catalog gets a full copy
 * at the next checkpoint. */
static sl_status restore_keyed(sl_task *t, sl_kafka_position *parts,
                               size_t n, sl_error *err) {
  sl_state *st = t->q->state;
  int32_t *ids = calloc(n + 1, sizeof(*ids));
  int64_t *haves = calloc(n + 1, sizeof(*haves));
  sl_changelog_replay **replays = calloc(n + 1, sizeof(*replays));
  sl_catalog_offset *local = NULL;
  int nlocal = 0;
  sl_status rc = ids && haves && replays
                     ? SL_OK
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  int k = 0;
  for (size_t i = 0; !rc && i < n; i++) {
    bool seen = !state_topic(t, parts[i].topic);
    for (int j = 0; j < k && !seen; j++)
      seen = ids[j] == parts[i].partition;
    if (!seen)
      ids[k++] = parts[i].partition;
  }
  /* A partition whose tables are ahead of its last checkpoint (a
   * revoke that could not checkpoint) comes back as checkpointed, which
   * is where its sources resume. */
  for (int j = 0; !rc && j < k; j++)
    if (sl_state_partition_dirty(st, ids[j]))
      rc = sl_state_reload_partition(st, ids[j], err);
  for (int j = 0; !rc && j < k; j++)
    rc = sl_state_partition_checkpoint(st, ids[j], &haves[j], err);
  if (!rc)
    rc = sl_changelog_read(t->changelog, ids, k, haves, CHANGELOG_READ_MS,
                           replays, err);
  if (!rc)
    rc = sl_state_offsets(st, &local, &nlocal, err);

  for (int j = 0; !rc && j < k; j++) {
    int64_t have = haves[j];
    int64_t newest = offered(t, replays[j]);
    sl_changelog_hold(t->changelog, ids[j], true);
    if (newest > have) {
      rc = sl_changelog_load(t->changelog, st, ids[j], replays[j], err);
      int noffs;
      const sl_catalog_offset *offs =
          sl_changelog_replay_offsets(replays[j], &noffs);
      if (!rc)
        seek_to(parts, n, ids[j], offs, noffs);
      if (!rc)
        SL_INFO("engine", "query %s partition %d: restored checkpoint %lld "
                "from %s (%zu entries)", t->q->id, (int)ids[j],
                (long long)newest, sl_changelog_topic(t->changelog),
                sl_changelog_replay_count(replays[j]));
      continue;
    }
    if (have > 0)
      seek_to(parts, n, ids[j], local, nlocal);
    if (newest != have || stale(t, replays[j]))
      sl_changelog_snapshot(t->changelog, ids[j]);
  }
  for (int j = 0; replays && j < k; j++)
    sl_changelog_replay_free(replays[j]);
  sl_state_offsets_free(local, nlocal);
  free(haves);
  free(replays);
  free(ids);
  return rc;
}

/* One state for all partitions: the changelog is written while the task
 * holds every partition, and restored when the group gives them all at
 * once and the changelog's checkpoint is newer than the catalog's (the
 * whole query moved here). */
static sl_status restore_whole(sl_task *t, sl_kafka_position *parts,
                               size_t n, sl_error *err) {
  bool all = holds_all(t);
  sl_changelog_enable(t->changelog, all);
  if (!all)
    return SL_OK;
  int32_t zero = 0;
  sl_changelog_replay *r = NULL;
  int64_t have = 0;
  sl_status rc = sl_state_partition_checkpoint(t->q->state, -1, &have, err);
  if (!rc)
    rc = sl_changelog_read(t->changelog, &zero, 1,
                           t->changelog_newer ? NULL : &have,
                           CHANGELOG_READ_MS, &r, err);
  if (rc) {
    sl_changelog_replay_free(r);
    return rc;
  }

  int64_t newest = offered(t, r);
  int noffs;
  const sl_catalog_offset *offs = sl_changelog_replay_offsets(r, &noffs);
  bool given = true;
  for (int k = 0; k < noffs && given; k++) {
    given = false;
    for (size_t i = 0; i < n && !given; i++)
      given = parts[i].partition == offs[k].partition &&
              !strcmp(parts[i].topic, offs[k].topic);
  }
  if (newest > 0 && (newest > have || t->changelog_newer) && given) {
    /* The operators let go of the state they hold (all of it is
     * partition 0) before the store replaces it. */
    for (int i = 0; !rc && i < t->q->plan->nnodes; i++)
      if (t->q->plan->nodes[i]->kind != SL_PNODE_SOURCE)
        rc = sl_op_partitions(t->ops[i], &zero, 1, false, err);
    if (!rc)
      rc = sl_changelog_load(t->changelog, t->q->state, 0, r, err);
    if (!rc) {
      seek_to(parts, n, -1, offs, noffs);
      t->nkept = 0;
      t->changelog_newer = false;
      SL_INFO("engine", "query %s: restored checkpoint %lld from %s (%zu "
              "entries)", t->q->id, (long long)newest,
              sl_changelog_topic(t->changelog), sl_changelog_replay_count(r));
    }
  } else if (newest != have || stale(t, r)) {
    sl_changelog_snapshot(t->changelog, 0);
  }
  sl_changelog_replay_free(r);
  return rc;
}

/* Before assigned partitions start: what the changelog restores. */
static sl_status changelog_assign(sl_task *t, sl_kafka_position *parts,
                                  size_t n, sl_error *err) {
  sl_status rc = track_held(t, parts, n, true, err);
  if (rc || !t->changelog)
    return rc;
  return t->ctx.one_partition ? restore_whole(t, parts, n, err)
                              : restore_keyed(t, parts, n, err);
}

static void on_assign(void *ctx, sl_kafka_position *parts, size_t n) {
  sl_task *t = ctx;
  sl_error err;
  /* A restored checkpoint says where its state's records end, unless the
   * state has read further since (a partition revoked and back). */
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < t->q->nrestored; k++)
      if (t->q->restored[k].partition == parts[i].partition &&
          !strcmp(t->q->restored[k].topic, parts[i].topic))
        parts[i].offset = t->q->restored[k].offset;
    const sl_kafka_position *kept = kept_of(t, parts[i].topic,
                                            parts[i].partition);
    if (kept)
      parts[i].offset = kept->offset;
  }
  if (changelog_assign(t, parts, n, &err)) {
    sl_query_fail(t->q, &err);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    sl_qpart *qp = sl_query_part(t->q, parts[i].topic, parts[i].partition);
    if (qp)
      atomic_store(&qp->claimed, true);
  }
  note_starts(t, parts, n);
  SL_INFO("engine", "query %s task %d: %zu partition%s assigned", t->q->id,
          t->index, n, n == 1 ? "" : "s");
  if (tell_partitions(t, parts, n, true, &err))
    sl_query_fail(t->q, &err);
}

static sl_status commit_now(sl_task *t, sl_error *err);

/* Before partitions go away: commit what is safely delivered. */
static void on_revoke(void *ctx, const sl_kafka_position *parts, size_t n,
                      bool lost) {
  sl_task *t = ctx;
  sl_error err;
  if (!lost && !atomic_load(&t->q->failed)) {
    if (!t->output || sl_op_output_flush(t->output, 5000, &err) == SL_OK)
      commit_now(t, &err);
  }
  /* Positions taken before belong to the old assignment (and, when it
   * was lost, to another member's generation): retrying them would only
   * disturb the group while it settles. */
  t->pending = false;
  if (t->ctx.one_partition && keep_processed(t, parts, n, &err))
    sl_query_fail(t->q, &err);
  /* One state is checkpointed to the changelog only while it is whole. */
  if (track_held(t, parts, n, false, &err))
    sl_query_fail(t->q, &err);
  if (t->changelog && t->ctx.one_partition && !holds_all(t))
    sl_changelog_enable(t->changelog, false);
  for (size_t i = 0; t->changelog && !t->ctx.one_partition && i < n; i++) {
    if (!state_topic(t, parts[i].topic))
      continue;
    bool still = false;
    for (int h = 0; h < t->nheld && !still; h++)
      still = t->held[h].partition == parts[i].partition &&
              state_topic(t, t->held[h].topic);
    if (!still)
      sl_changelog_hold(t->changelog, parts[i].partition, false);
  }
  if (tell_partitions(t, parts, n, false, &err))
    sl_query_fail(t->q, &err);
}

static void on_loss(void *ctx, const sl_kafka_loss *loss) {
  sl_task *t = ctx;
  atomic_fetch_add(&t->q->lost, loss->lost);
}

/* ------------------------------------------------------------------ */
/* Commits                                                             */
/* ------------------------------------------------------------------ */

/* Microseconds on a monotonic clock, for checkpoint durations. */
static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sizes the stateful operators' state for the stats, at a batch
 * boundary (the walk needs the task quiet). */
static void measure_state(sl_task *t) {
  int64_t entries = 0, bytes = 0;
  sl_state_size_of(t->q->state, &t->scope, &entries, &bytes);
  atomic_store(&t->state_entries, entries);
  atomic_store(&t->state_bytes, bytes);
}

/* The partitions of the store this task's checkpoint covers: those it
 * holds (every one with one state), and its changelog's sink. */
static sl_status update_scope(sl_task *t, sl_error *err) {
  t->scope.changelog = t->changelog ? &t->changelog_hook : NULL;
  if (t->ctx.one_partition) {
    t->scope.partitions = NULL;
    t->scope.npartitions = 0;
    return SL_OK;
  }
  int32_t *ids = realloc(t->scope_parts,
                         (size_t)(t->nheld + 1) * sizeof(*ids));
  if (!ids)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  t->scope_parts = ids;
  int n = 0;
  for (int h = 0; h < t->nheld; h++) {
    bool seen = !state_topic(t, t->held[h].topic);
    for (int i = 0; i < n && !seen; i++)
      seen = ids[i] == t->held[h].partition;
    if (!seen)
      ids[n++] = t->held[h].partition;
  }
  t->scope.partitions = ids;
  t->scope.npartitions = n;
  return SL_OK;
}

/* Takes the positions the sources processed into t->pos. */
static sl_status snapshot(sl_task *t, sl_error *err) {
  t->npos = 0;
  for (int s = 0; s < t->nsources; s++) {
    int n = sl_source_positions(t->sources[s], NULL, 0);
    if (t->npos + n > t->pos_cap) {
      int cap = (t->npos + n) * 2 + 8;
      sl_kafka_position *p = realloc(t->pos, (size_t)cap * sizeof(*p));
      if (!p)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      t->pos = p;
      t->pos_cap = cap;
    }
    sl_kafka_position *mine = t->pos + t->npos;
    sl_source_positions(t->sources[s], mine, n);

    /* Two sources on one topic: keep the lower position. */
    for (int i = 0; i < n; i++) {
      bool dup = false;
      for (int j = 0; j < t->npos && !dup; j++) {
        if (t->pos[j].partition == mine[i].partition &&
            !strcmp(t->pos[j].topic, mine[i].topic)) {
          if (mine[i].offset < t->pos[j].offset)
            t->pos[j].offset = mine[i].offset;
          dup = true;
        }
      }
      if (!dup)
        t->pos[t->npos++] = mine[i];
    }
  }

  sl_status rc = t->q->state ? update_scope(t, err) : SL_OK;
  if (rc)
    return rc;
  int64_t began = now_us();
  sl_op_ckpt ck = {.id = ++t->checkpoint_id, .state = t->q->state,
                   .final = t->state >= TASK_DRAINING};
  for (int i = 0; i < t->q->plan->nnodes; i++) {
    rc = sl_op_checkpoint(t->ops[i], &ck, err);
    if (rc)
      return rc;
  }
  t->snapshot_us = now_us() - began;
  if (t->q->state)
    measure_state(t);
  return SL_OK;
}

/* The checkpoint (a stateful query's store with the offsets it
 * reflects, written before Kafka sees the offsets, so that the store is
 * never behind what is committed), then the Kafka commit and the
 * catalog's record of progress. */
static sl_status commit_positions(sl_task *t, sl_error *err) {
  if (t->npos == 0)
    return SL_OK;
  sl_catalog_offset *offs = calloc((size_t)t->npos, sizeof(*offs));
  if (!offs)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int i = 0; i < t->npos; i++) {
    offs[i].topic = (char *)t->pos[i].topic;
    offs[i].partition = t->pos[i].partition;
    offs[i].offset = t->pos[i].offset;
  }
  sl_status rc = SL_OK;
  if (t->q->state) {
    int64_t began = now_us();
    rc = sl_state_checkpoint_scope(t->q->state, &t->scope, offs, t->npos,
                                   NULL, NULL, err);
    if (!rc) {
      atomic_fetch_add(&t->checkpoints, 1);
      atomic_store(&t->checkpoint_us, t->snapshot_us + now_us() - began);
    }
  }
  if (!rc)
    rc = sl_kafka_consumer_commit(t->consumer, t->pos, (size_t)t->npos, err);
  if (!rc) {
    atomic_fetch_add(&t->q->commits, 1);
    sl_catalog *cat = t->q->rt->catalog;
    sl_error cerr;
    if (cat && !t->q->state &&
        sl_catalog_query_save_progress(cat, t->q->id, offs, t->npos, NULL,
                                       &cerr))
      SL_DEBUG("engine", "query %s: progress not recorded: %s", t->q->id,
               cerr.message);
  }
  free(offs);
  return rc;
}

/* Commits everything processed, assuming outputs are delivered. */
static sl_status commit_now(sl_task *t, sl_error *err) {
  if (!t->q->group || !t->consumer)
    return SL_OK;
  sl_status rc = snapshot(t, err);
  if (!rc)
    rc = commit_positions(t, err);
  if (!rc)
    t->pending = false;
  return rc;
}

/* Commits when due and safe (see the file comment). */
static sl_status maybe_commit(sl_task *t, int64_t now, sl_error *err) {
  if (!t->q->group)
    return SL_OK;
  /* A refused commit is retried once per interval, not every slice:
   * commits while the group rejoins only prolong the rejoin. */
  if (t->pending && now >= t->retry_at_ms &&
      (!t->output || sl_op_output_delivered(t->output, t->pending_mark))) {
    sl_error cerr;
    if (commit_positions(t, &cerr) == SL_OK) {
      t->pending = false;
      t->last_commit_ms = now;
    } else {
      t->retry_at_ms = now + t->q->rt->commit_interval_ms;
      sl_log_ratelimited(&t->commit_log, SL_LOG_WARN, "engine",
                         "query %s: commit failed, retrying: %s", t->q->id,
                         cerr.message);
    }
  }
  if (!t->pending && now - t->last_commit_ms >= t->q->rt->commit_interval_ms) {
    sl_status rc = snapshot(t, err);
    if (rc)
      return rc;
    t->pending = t->npos > 0;
    t->pending_mark = t->output ? sl_op_output_mark(t->output) : 0;
    t->last_commit_ms = now;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* States                                                              */
/* ------------------------------------------------------------------ */

static bool needs_output(const sl_plan *plan) {
  if (plan->root->kind == SL_PNODE_SINK_KAFKA || plan->nrepartitions > 0)
    return true;
  for (int s = 0; s < plan->nsources; s++)
    if (plan->sources[s]->u.source.policy == SL_POLICY_DLQ)
      return true;
  return false;
}

/* Distinct source topics of the plan, into topics (cap entries). */
static int plan_topics(const sl_plan *plan, const char **topics, int cap) {
  int n = 0;
  for (int s = 0; s < plan->nsources; s++) {
    const char *tp = plan->sources[s]->u.source.topic;
    bool seen = false;
    for (int i = 0; i < n && !seen; i++)
      seen = !strcmp(topics[i], tp);
    if (!seen && n < cap)
      topics[n++] = tp;
  }
  return n;
}

/* Whether the plan joins two topics partition by partition (streams
 * keyed by the join key, or a join's two repartition topics). */
static bool plan_joins_topics(const sl_plan *plan) {
  if (plan->ncopartitioned > 0)
    return true;
  for (int s = 0; s < plan->nsources; s++) {
    const sl_pnode *src = plan->sources[s];
    if (src->u.source.internal && src->inputs[0]->u.repart.peer)
      return true;
  }
  return false;
}

/* A restarted or moved stateful query: the partitions a restored
 * checkpoint (offs) has rows of hold the watermark back until the group
 * assigns them, so that no window closes without their rows (which
 * would then be late). */
static sl_status expect_restored(sl_task *t, const sl_catalog_offset *offs,
                                 int noffs, sl_error *err) {
  int32_t *ids = calloc((size_t)noffs + 1, sizeof(*ids));
  if (!ids)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = SL_OK;
  for (int s = 0; !rc && s < t->nsources; s++) {
    int k = 0;
    for (int i = 0; i < noffs; i++)
      if (!strcmp(offs[i].topic, sl_source_topic(t->sources[s])))
        ids[k++] = offs[i].partition;
    if (k)
      rc = sl_source_expect(t->sources[s], ids, k, EXPECT_HOLD_MS, err);
  }
  free(ids);
  /* Siblings share the partitions: what one of them is given no longer
   * holds the others back (their state has none of its keys). */
  if (t->q->ntasks > 1 && !t->ctx.one_partition)
    t->expecting = true;
  return rc;
}

/* Expected partitions another task of the query was given stop holding
 * this task's sources back; false once none is left waiting. */
static sl_status drop_claimed(sl_task *t, sl_error *err) {
  int32_t ids[64];
  bool left = false;
  for (int s = 0; s < t->nsources; s++) {
    const char *topic = sl_source_topic(t->sources[s]);
    int n = sl_source_expected(t->sources[s], ids, 64);
    left = left || n > 64;
    for (int i = 0; i < n && i < 64; i++) {
      sl_qpart *qp = sl_query_part(t->q, topic, ids[i]);
      if (!qp || !atomic_load(&qp->claimed)) {
        left = true;
        continue;
      }
      sl_status rc = sl_source_unexpect(t->sources[s], ids[i], err);
      if (rc)
        return rc;
    }
  }
  t->expecting = left;
  return SL_OK;
}

/* The hash of the query's statement as the catalog records it (0 when
 * it does not), which tells its changelog records from those of a
 * former query of the same id. */
static sl_status definition_of(const sl_query *q, uint64_t *out,
                               sl_error *err) {
  *out = 0;
  sl_catalog_query *cq = NULL;
  sl_status rc = sl_catalog_query_get(q->rt->catalog, q->id, &cq, err);
  if (!rc && cq && cq->sql)
    *out = XXH3_64bits(cq->sql, strlen(cq->sql));
  sl_catalog_query_free(cq);
  return rc;
}

/* The changelog topic of a stateful persistent query, created when
 * missing.  A partition whose changelog holds a newer checkpoint than the
 * catalog has moved here: it holds the watermark back until the group
 * gives it (and restore_keyed or restore_whole loads it), as the
 * partitions of a local checkpoint do, so that no window closes without
 * its rows. */
static sl_status open_changelog(sl_task *t, sl_error *err) {
  sl_query *q = t->q;
  int partitions = q->source_partitions;
  for (int i = 0; i < q->nparts; i++)
    if (q->parts[i].partition + 1 > partitions)
      partitions = q->parts[i].partition + 1;
  sl_changelog_spec spec = {.kafka = q->rt->kafka,
                            .service = q->rt->service,
                            .query_id = q->id,
                            .partitions = partitions,
                            .replication = -1,
                            .one_state = t->ctx.one_partition};
  sl_status rc = definition_of(q, &spec.definition, err);
  if (!rc)
    rc = sl_changelog_open(&spec, &t->changelog, err);
  if (rc)
    return rc;
  sl_changelog_bind(t->changelog, q->state, &t->changelog_hook);

  /* Only the last checkpoints are wanted: "have" one newer than any. */
  int n = t->ctx.one_partition ? 1 : partitions;
  int32_t *ids = calloc((size_t)n, sizeof(*ids));
  int64_t *any = calloc((size_t)n, sizeof(*any));
  sl_changelog_replay **r = calloc((size_t)n, sizeof(*r));
  if (!ids || !any || !r)
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int i = 0; !rc && i < n; i++) {
    ids[i] = i;
    any[i] = INT64_MAX;
  }
  if (!rc)
    rc = sl_changelog_read(t->changelog, ids, n, any, CHANGELOG_READ_MS, r,
                           err);
  for (int i = 0; !rc && i < n; i++) {
    int64_t have = 0;
    rc = sl_state_partition_checkpoint(q->state,
                                       t->ctx.one_partition ? -1 : i, &have,
                                       err);
    if (rc || offered(t, r[i]) <= have)
      continue;
    int noffs;
    const sl_catalog_offset *offs = sl_changelog_replay_offsets(r[i], &noffs);
    t->changelog_newer = true;
    rc = expect_restored(t, offs, noffs, err);
  }
  for (int i = 0; r && i < n; i++)
    sl_changelog_replay_free(r[i]);
  free(r);
  free(any);
  free(ids);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Merging partitions by event time                                    */
/* ------------------------------------------------------------------ */

static bool merge_event_time(void *ud, int topic, const sl_kafka_msg *m,
                             int64_t *out) {
  sl_task *t = ud;
  return sl_source_event_time(t->topics[topic].source, m, out);
}

/* An empty partition cannot bring an earlier record now when it is at
 * its end (bounded: fetched or processed up to it), the broker had
 * nothing more when last asked, or its source found it idle. */
static bool merge_passable(void *ud, int topic, int32_t partition) {
  sl_task *t = ud;
  const task_topic *tt = &t->topics[topic];
  if (sl_kafka_consumer_drained(t->consumer, tt->name, partition) ||
      sl_source_partition_idle(tt->source, partition))
    return true;
  const sl_qpart *qp =
      t->q->bounded ? sl_query_part(t->q, tt->name, partition) : NULL;
  return qp && atomic_load(&qp->done);
}

static void merge_pause(void *ud, int topic, int32_t partition,
                        bool pause) {
  sl_task *t = ud;
  sl_error err;
  if (sl_kafka_consumer_pause(t->consumer, t->topics[topic].name, partition,
                              pause, &err))
    sl_log_ratelimited(&t->pause_log, SL_LOG_WARN, "engine",
                       "query %s: %s", t->q->id, err.message);
}

static void merge_release(void *ud, sl_kafka_msg *m) {
  (void)ud;
  sl_kafka_msg_release(m);
}

/* A stateful plan's results depend on the order its rows come in: its
 * task orders the records of the partitions it reads by event time.  A
 * stateless one takes them as they come.  A bounded run waits for every
 * partition below its end, so that its results never depend on timing;
 * an unbounded one waits max.task.idle at most. */
static sl_status open_merge(sl_task *t, sl_error *err) {
  const sl_plan *plan = t->q->plan;
  if (!plan->stateful)
    return SL_OK;
  t->merged = calloc((size_t)t->q->rt->batch_size, sizeof(*t->merged));
  if (!t->merged)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_merge_config cfg = {
      .max_idle_ms = t->q->bounded ? -1
                     : plan->max_task_idle_ms > 0 ? plan->max_task_idle_ms
                                                  : MAX_TASK_IDLE_MS,
  };
  sl_merge_hooks hooks = {.ud = t,
                          .event_time = merge_event_time,
                          .passable = merge_passable,
                          .pause = merge_pause,
                          .release = merge_release};
  t->merge_wait_ms = -1;
  sl_log_limit lim = SL_LOG_LIMIT_INIT(1, 10000);
  t->pause_log = lim;
  return sl_merge_new(&cfg, &hooks, &t->merge, err);
}

/* OPENING: operators, producer, consumer. */
static sl_status task_open(sl_task *t, sl_error *err) {
  sl_query *q = t->q;
  sl_runtime *rt = q->rt;
  const sl_plan *plan = q->plan;
  sl_status rc;
  if (needs_output(plan) &&
      (rc = sl_op_output_new(rt->kafka, &q->stop, &t->output, err)))
    return rc;
  t->errors = sl_op_errors_new(q->id, t->output);
  if (!t->errors)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int s = 0; s < plan->nsources; s++) {
    const sl_pnode *src = plan->sources[s];
    rc = sl_op_errors_add_source(t->errors, src->u.source.topic,
                                 src->u.source.policy,
                                 src->u.source.dlq_topic, err);
    /* A repartition topic's failed rows are reported at their stream. */
    if (!rc && src->u.source.internal)
      rc = sl_op_errors_set_origin(
          t->errors, src->u.source.topic,
          src->inputs[0]->u.repart.source->u.source.topic, rt->kafka, err);
    if (rc)
      return rc;
  }
  t->ctx = (sl_op_ctx){.query_id = q->id,
                       .catalog = rt->catalog,
                       .state = q->state,
                       .one_partition = plan->stateful && !plan->keyed_state,
                       .errors = t->errors,
                       .output = t->output,
                       .task = t->index,
                       .finish = task_finish,
                       .finish_ud = t};
  for (int i = 0; i < plan->nnodes; i++)
    if ((rc = sl_op_open(t->ops[i], &t->ctx, err)))
      return rc;
  if (plan->stateful && q->group && q->nrestored > 0 &&
      (rc = expect_restored(t, q->restored, q->nrestored, err)))
    return rc;
  if (plan->stateful && q->group && q->state &&
      (rc = open_changelog(t, err)))
    return rc;

  if ((rc = sl_kafka_batch_init(&t->kb, (size_t)rt->batch_size, err)))
    return rc;
  t->kb_ready = true;
  if ((rc = open_merge(t, err)))
    return rc;
  if (q->bounded) {
    t->scratch = calloc((size_t)rt->batch_size, sizeof(*t->scratch));
    if (!t->scratch)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  sl_kafka_consumer_opts co = {.group_id = q->group,
                               .offset_reset = q->start,
                               .on_assign = on_assign,
                               .on_revoke = on_revoke,
                               .on_loss = on_loss,
                               .ctx = t,
                               .same_numbers = plan->keyed_state &&
                                               plan_joins_topics(plan)};
  if ((rc = sl_kafka_consumer_new(rt->kafka, &co, &t->consumer, err)))
    return rc;

  const char *topics[64];
  int ntopics = plan_topics(plan, topics, 64);
  if (q->group) {
    rc = sl_kafka_consumer_subscribe(t->consumer, topics, (size_t)ntopics,
                                     err);
  } else {
    /* This task's share: partitions numbered index modulo the tasks. */
    sl_kafka_position *parts = calloc((size_t)q->nparts + 1,
                                      sizeof(*parts));
    if (!parts)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    int64_t start = !strcmp(q->start, "latest") ? SL_KAFKA_OFFSET_END
                                                : SL_KAFKA_OFFSET_BEGINNING;
    size_t n = 0;
    for (int i = 0; i < q->nparts; i++) {
      if (q->parts[i].partition % q->ntasks != t->index)
        continue;
      parts[n].topic = q->parts[i].topic;
      parts[n].partition = q->parts[i].partition;
      parts[n++].offset = start;
    }
    rc = sl_kafka_consumer_assign(t->consumer, parts, n, err);
    if (!rc)
      note_starts(t, parts, n);
    if (!rc)
      rc = tell_partitions(t, parts, n, true, err);
    free(parts);
  }
  for (int i = 0; !rc && q->bounded && i < ntopics; i++) {
    /* A repartition topic ends when its writers say so, not at start. */
    sl_qpart *qp = NULL;
    for (int k = 0; k < q->nparts && !qp; k++)
      if (!strcmp(q->parts[k].topic, topics[i]))
        qp = &q->parts[k];
    if (qp && qp->end == INT64_MAX)
      continue;
    rc = sl_kafka_consumer_bound(t->consumer, topics[i], err);
  }
  t->last_commit_ms = sl_runtime_now_ms();
  t->last_tick_ms = t->last_commit_ms;
  return rc;
}

/* The end of the run of records of msgs[i]'s topic that starts at i. */
static size_t topic_run_end(const sl_kafka_msg *msgs, size_t i, size_t n) {
  size_t j = i + 1;
  /* Records of one topic share librdkafka's name string. */
  while (j < n && (msgs[j].topic == msgs[i].topic ||
                   !strcmp(msgs[j].topic, msgs[i].topic)))
    j++;
  return j;
}

/* Hands each source the records of its topic, in their order. */
static sl_status push_sources(sl_task *t, const sl_kafka_msg *msgs, size_t n,
                              sl_error *err) {
  size_t i = 0;
  while (i < n) {
    size_t j = topic_run_end(msgs, i, n);
    for (int s = 0; s < t->nsources; s++) {
      if (strcmp(sl_source_topic(t->sources[s]), msgs[i].topic) != 0)
        continue;
      sl_status rc = sl_source_push(t->sources[s], msgs + i, j - i, err);
      if (rc)
        return rc;
    }
    i = j;
  }
  return SL_OK;
}

/* Hands each source the records of its topic, those at or past their
 * bounded ends left out. */
static sl_status dispatch(sl_task *t, const sl_kafka_msg *msgs, size_t n,
                          sl_error *err) {
  if (!t->q->bounded)
    return push_sources(t, msgs, n, err);
  /* Records at or past the end fixed at start are not read.  A batch
   * holds runs of one partition, so the end is looked up once per run. */
  size_t k = 0;
  sl_qpart *qp = NULL;
  for (size_t m = 0; m < n; m++) {
    if (m == 0 || msgs[m].partition != msgs[m - 1].partition ||
        (msgs[m].topic != msgs[m - 1].topic &&
         strcmp(msgs[m].topic, msgs[m - 1].topic) != 0))
      qp = sl_query_part(t->q, msgs[m].topic, msgs[m].partition);
    if (!qp || msgs[m].offset < qp->end)
      t->scratch[k++] = msgs[m];
  }
  return push_sources(t, t->scratch, k, err);
}

/* Bounded: drops the records of a run of one topic at or past their
 * partitions' ends (releasing them), keeping the others in order;
 * returns how many are kept. */
static size_t cut_at_end(sl_task *t, sl_kafka_msg *msgs, size_t n) {
  size_t k = 0;
  sl_qpart *qp = NULL;
  for (size_t m = 0; m < n; m++) {
    if (m == 0 || msgs[m].partition != msgs[m - 1].partition)
      qp = sl_query_part(t->q, msgs[m].topic, msgs[m].partition);
    if (!qp || msgs[m].offset < qp->end)
      msgs[k++] = msgs[m];
    else
      sl_kafka_msg_release(&msgs[m]);
  }
  return k;
}

/* Merging: hands the polled records of the source topics to the merge
 * and dispatches those of repartition topics at once (their order
 * across partitions changes no result: every key's rows are on one
 * partition, whose watermark comes from its writers' marks).  The task
 * owns the batch's records from here on. */
static sl_status feed(sl_task *t, sl_error *err) {
  sl_kafka_msg *msgs = t->kb.msgs;
  size_t n = t->kb.count;
  sl_kafka_batch_detach(&t->kb);
  sl_status rc = SL_OK;
  size_t i = 0;
  while (i < n) {
    size_t j = topic_run_end(msgs, i, n);
    int k = topic_index(t, msgs[i].topic);
    if (rc == SL_OK && k >= 0 && !t->topics[k].internal) {
      size_t len = t->q->bounded ? cut_at_end(t, msgs + i, j - i) : j - i;
      rc = sl_merge_push(t->merge, k, msgs + i, len, err);
    } else {
      if (rc == SL_OK && k >= 0)
        rc = dispatch(t, msgs + i, j - i, err);
      for (size_t m = i; m < j; m++)
        sl_kafka_msg_release(&msgs[m]);
    }
    i = j;
  }
  return rc;
}

/* Merging: processes what the merge lets go, a batch at a time (a few
 * per slice, so that it drains faster than polls fill it); returns how
 * many records went. */
static size_t run_merged(sl_task *t, sl_status *rc, sl_error *err) {
  size_t cap = (size_t)t->q->rt->batch_size, total = 0;
  t->merge_more = false;
  for (int b = 0; b < MERGE_BATCHES && !*rc; b++) {
    size_t k = sl_merge_pop(t->merge, sl_runtime_now_ms(), t->merged, cap,
                            &t->merge_wait_ms);
    /* The merge took only records before their ends. */
    *rc = push_sources(t, t->merged, k, err);
    for (size_t m = 0; m < k; m++)
      sl_kafka_msg_release(&t->merged[m]);
    total += k;
    t->merge_more = k == cap;
    if (k < cap)
      break;
  }
  return total;
}

/* Bounded: partitions whose processed position reached their end. */
static sl_status check_ends(sl_task *t, sl_error *err) {
  sl_kafka_position pos[256];
  for (int s = 0; s < t->nsources; s++) {
    int n = sl_source_positions(t->sources[s], pos, 256);
    for (int i = 0; i < n && i < 256; i++) {
      sl_qpart *qp = sl_query_part(t->q, pos[i].topic, pos[i].partition);
      if (qp && !atomic_load(&qp->done) && pos[i].offset >= qp->end) {
        sl_status rc = part_done(t, qp, err);
        if (rc)
          return rc;
      }
    }
  }

  /* Repartition topics: partitions every writer ended.  Partitions of
   * the other topics whose consumer position is at their end are done
   * (those that delivered nothing). */
  int32_t ids[256];
  for (int s = 0; s < t->nsources; s++) {
    int n = sl_source_complete(t->sources[s], ids, 256);
    for (int i = 0; i < n && i < 256; i++) {
      sl_qpart *qp = sl_query_part(t->q, sl_source_topic(t->sources[s]),
                                   ids[i]);
      if (qp && !atomic_load(&qp->done)) {
        sl_status rc = part_done(t, qp, err);
        if (rc)
          return rc;
      }
    }
  }
  if (t->q->plan->nrepartitions > 0) {
    size_t n = sl_kafka_consumer_positions(t->consumer, pos, 256);
    for (size_t i = 0; i < n && i < 256; i++) {
      sl_qpart *qp = sl_query_part(t->q, pos[i].topic, pos[i].partition);
      if (qp && !atomic_load(&qp->done) && qp->end != INT64_MAX &&
          pos[i].offset >= qp->end &&
          held_records(t, pos[i].topic, pos[i].partition) == 0) {
        sl_status rc = part_done(t, qp, err);
        if (rc)
          return rc;
      }
    }
  }

  /* The consumer says every assigned partition is at its end, and none
   * of what it delivered waits in the merge: partitions it knows that
   * delivered nothing are done too. */
  if (sl_kafka_consumer_at_end(t->consumer) &&
      (!t->merge || sl_merge_held(t->merge, 0, -1) == 0)) {
    size_t n = sl_kafka_consumer_positions(t->consumer, pos, 256);
    for (size_t i = 0; i < n && i < 256; i++) {
      sl_qpart *qp = sl_query_part(t->q, pos[i].topic, pos[i].partition);
      if (qp && !atomic_load(&qp->done)) {
        sl_status rc = part_done(t, qp, err);
        if (rc)
          return rc;
      }
    }
  }
  if (sl_query_all_done(t->q))
    atomic_store(&t->q->finish, true);
  return SL_OK;
}

/* RUNNING: one batch. */
/* True while a stateful query's snapshot waits for its outputs before
 * the store checkpoint.  The operators wrote their state as of the
 * snapshot's positions; rows processed before the checkpoint would
 * change the store under it (a window that closes deletes its entry at
 * once), and the checkpoint would hold a state ahead of its offsets, so
 * that a restore counts those rows twice.  The wait is bounded (an
 * output that takes longer, a broker away, must not stall the consumer)
 * and ends at a refused commit (the group may be settling). */
static bool settling(const sl_task *t, int64_t now) {
  return t->q->state && t->pending && now >= t->retry_at_ms &&
         now - t->last_commit_ms < SETTLE_MS;
}

static sl_task_result task_run(sl_task *t, int wait_ms, sl_error *err,
                               sl_status *rc) {
  if (settling(t, sl_runtime_now_ms())) {
    if (t->output) {
      sl_op_output_poll(t->output, wait_ms < 10 ? wait_ms : 10);
      if ((*rc = sl_op_output_failure(t->output, err)))
        return SL_TASK_IDLE;
    }
    *rc = maybe_commit(t, sl_runtime_now_ms(), err);
    return SL_TASK_IDLE;
  }
  /* A merge with a batch ready takes what was fetched meanwhile without
   * waiting; one held back by an empty partition waits for it, at most
   * as long as the partition may hold the others back. */
  int timeout = wait_ms;
  if (t->merge && t->merge_more)
    timeout = 0;
  else if (t->merge && t->merge_wait_ms >= 0 && t->merge_wait_ms < timeout)
    timeout = (int)t->merge_wait_ms;
  *rc = sl_kafka_consumer_poll(t->consumer, &t->kb, timeout, err);
  if (*rc)
    return SL_TASK_IDLE;
  size_t got = t->kb.count;
  /* With nothing held and one partition to read, there is nothing to
   * order: records go as they come. */
  if (!t->merge || (sl_merge_held(t->merge, 0, -1) == 0 &&
                    sl_merge_inputs(t->merge) <= 1)) {
    *rc = dispatch(t, t->kb.msgs, got, err);
    sl_kafka_batch_clear(&t->kb);
  } else {
    *rc = feed(t, err);
    if (!*rc)
      got += run_merged(t, rc, err);
  }
  if (*rc)
    return SL_TASK_IDLE;
  if (t->q->bounded && (*rc = check_ends(t, err)))
    return SL_TASK_IDLE;

  if (t->output) {
    sl_op_output_poll(t->output, 0);
    if ((*rc = sl_op_output_failure(t->output, err)))
      return SL_TASK_IDLE;
  }
  int64_t now = sl_runtime_now_ms();
  if ((*rc = maybe_commit(t, now, err)))
    return SL_TASK_IDLE;
  if (t->expecting && (*rc = drop_claimed(t, err)))
    return SL_TASK_IDLE;
  if (!t->q->bounded && now - t->last_tick_ms >= TICK_INTERVAL_MS) {
    t->last_tick_ms = now;
    for (int s = 0; s < t->nsources && !*rc; s++)
      *rc = sl_source_tick(t->sources[s], now, err);
    /* Writers whose streams went quiet say so to their readers. */
    for (int i = 0; i < t->q->plan->nnodes && !*rc; i++)
      if (t->q->plan->nodes[i]->kind == SL_PNODE_SINK_REPARTITION)
        *rc = sl_repart_sink_tick(t->ops[i], err);
  }
  return got ? SL_TASK_BUSY : SL_TASK_IDLE;
}

/* DRAINING: the end of time for a finished bounded query, then on to
 * flushing (or straight to parking after a failure). */
static void task_drain(sl_task *t) {
  sl_query *q = t->q;
  sl_error err;
  bool finished = atomic_load(&q->finish) && !atomic_load(&q->failed);

  /* A finished bounded query closes every window: sources whose
   * partitions all went to other tasks still send the end of time. */
  if (finished && q->bounded) {
    for (int s = 0; s < t->nsources; s++) {
      if (sl_op_emit_watermark(t->sources[s], SL_WATERMARK_END, &err)) {
        sl_query_fail(q, &err);
        break;
      }
    }
  }
  t->deadline_ms = sl_runtime_now_ms() + DRAIN_FLUSH_MS;
  t->state = atomic_load(&q->failed) ? TASK_PARKED : TASK_FLUSHING;
}

/* FLUSHING: every output acknowledged, or give up at the deadline. */
static void task_flush(sl_task *t) {
  sl_query *q = t->q;
  sl_error err;
  if (atomic_load(&q->failed)) {
    t->state = TASK_PARKED;
    return;
  }
  if (t->output) {
    sl_status rc = sl_op_output_flush(t->output, 100, &err);
    if (rc && sl_op_output_failure(t->output, &err)) {
      sl_query_fail(q, &err);
      t->state = TASK_PARKED;
      return;
    }
    if (rc) {
      if (sl_runtime_now_ms() < t->deadline_ms)
        return;
      SL_WARN("engine", "query %s: outputs not confirmed in %d s; offsets "
              "left uncommitted", q->id, DRAIN_FLUSH_MS / 1000);
      t->state = TASK_PARKED;
      return;
    }
  }
  t->deadline_ms = sl_runtime_now_ms() + DRAIN_FLUSH_MS;
  t->state = TASK_COMMITTING;
}

/* COMMITTING: the final offsets; a group still settling is waited for,
 * serving the consumer so that it can rejoin. */
static void task_commit(sl_task *t) {
  sl_query *q = t->q;
  sl_error err;
  if (commit_now(t, &err) == SL_OK || atomic_load(&q->failed)) {
    t->state = TASK_PARKED;
    return;
  }
  if (sl_runtime_now_ms() >= t->deadline_ms) {
    SL_WARN("engine", "query %s: final commit failed: %s", q->id,
            err.message);
    t->state = TASK_PARKED;
    return;
  }
  /* Records that arrive now are not processed, so not committed; the
   * poll lets the consumer finish joining before the next attempt. */
  sl_error perr;
  int64_t until = sl_runtime_now_ms() + 500;
  while (sl_runtime_now_ms() < until) {
    sl_kafka_consumer_poll(t->consumer, &t->kb, 100, &perr);
    sl_kafka_batch_clear(&t->kb);
  }
}

/* PARKED: wait for the query's other tasks, so that nobody leaves the
 * group (forcing a rebalance) while another still commits; then leave
 * and close.  Returns true once closed. */
static bool task_park(sl_task *t) {
  sl_query *q = t->q;
  if (!t->parked) {
    t->parked = true;
    atomic_fetch_add(&q->parked, 1);
  }
  if (atomic_load(&q->parked) < q->ntasks)
    return false;
  sl_error err;
  /* Records held unprocessed are read again by the partitions' next
   * owner. */
  sl_merge_free(t->merge);
  t->merge = NULL;
  if (t->consumer && sl_kafka_consumer_close(t->consumer, &err))
    SL_DEBUG("engine", "query %s: leaving the group: %s", q->id, err.message);
  for (int i = 0; i < q->plan->nnodes; i++)
    sl_op_close(t->ops[i]);
  return true;
}

/* Runs one slice (see runtime_internal.h). */
sl_task_result sl_task_step(sl_task *t, int wait_ms) {
  /* Only the code is reset: a slice runs per batch, and whatever fails
   * fills the whole error through sl_error_set. */
  sl_error err;
  err.code = SL_OK;
  sl_status rc = SL_OK;
  sl_task_result res = SL_TASK_BUSY;

  switch (t->state) {
  case TASK_OPENING:
    rc = task_open(t, &err);
    t->state = TASK_RUNNING;
    break;
  case TASK_RUNNING:
    if (atomic_load(&t->q->stop) || atomic_load(&t->q->finish)) {
      t->state = TASK_DRAINING;
      break;
    }
    res = task_run(t, wait_ms, &err, &rc);
    break;
  case TASK_DRAINING:
    task_drain(t);
    break;
  case TASK_FLUSHING:
    task_flush(t);
    break;
  case TASK_COMMITTING:
    task_commit(t);
    break;
  case TASK_PARKED:
    if (!task_park(t))
      return SL_TASK_IDLE;
    t->state = TASK_DONE;
    sl_query_task_ended(t->q);
    return SL_TASK_DONE;
  case TASK_DONE:
    return SL_TASK_DONE;
  }
  if (rc) {
    if (!err.code)
      sl_error_set(&err, rc, "query %s failed", t->q->id);
    sl_query_fail(t->q, &err);
    t->state = TASK_DRAINING;
  }
  return res;
}

bool sl_task_node_counters(const sl_task *t, int node,
                           sl_plan_counters *out) {
  if (node < 0 || node >= t->q->plan->nnodes || !t->ops[node])
    return false;
  sl_op_stats st;
  sl_op_stats_get(t->ops[node], &st);
  out->records_in += st.records_in;
  out->records_out += st.records_out;
  out->records_failed += st.records_failed;
  out->records_late += st.records_late;
  return true;
}

void sl_task_checkpoint_stats(const sl_task *t, sl_query_stats *out) {
  sl_task *m = (sl_task *)t;
  out->state_entries += atomic_load(&m->state_entries);
  out->state_bytes += atomic_load(&m->state_bytes);
  out->checkpoints += atomic_load(&m->checkpoints);
  double ms = (double)atomic_load(&m->checkpoint_us) / 1000.0;
  if (ms > out->last_checkpoint_ms)
    out->last_checkpoint_ms = ms;
}

void sl_task_error_stats(const sl_task *t, sl_op_errors_stats *out) {
  if (t->errors)
    sl_op_errors_stats_get(t->errors, out);
  else
    memset(out, 0, sizeof(*out));
}
