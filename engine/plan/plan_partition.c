/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan_partition.c - whether a plan's stateful operators may keep their
 * state per source partition (sl_plan.keyed_state).
 *
 * State split by source partition is exact only when every row of one
 * key arrives on one partition.  That holds when the operator's key
 * includes a column that is, unchanged, the declared record key
 * (`key='col'`) of the one stream its rows come from: Sluice's sinks
 * and the Kafka clients' default partitioner (murmur2 of the key bytes)
 * put records of one key on one partition.  Three further conditions:
 *   - the column is NOT NULL for grouping operators (aggregation, OVER,
 *     top-N): a record without a key goes to any partition, so the NULL
 *     group would be split; a join never matches a NULL key, so its
 *     keys may be nullable;
 *   - a join pairs the two sides' record-key columns (same type and
 *     key format, so equal values have equal key bytes: the key c1 is
 *     c1 as a string and "c1" as JSON), and the two topics have the
 *     same partition count (checked at query start, since the topics'
 *     counts are the broker's: sl_plan.copartitioned), so that partition
 *     p of both holds the same keys and the group's range assignor gives
 *     both to one member;
 *   - between the source and the operator lie only filters, limits,
 *     projections passing the column through as a bare reference,
 *     lookup and temporal joins (which keep their stream's rows and
 *     columns in front) and
 *     windowed or grouped aggregations that group by the column (their
 *     results come out on the partition of the state that made them, so
 *     a top-N or window join over them stays keyed): a union, a join's
 *     or OVER's results, or a computed key loses the guarantee.
 * A plan is keyed when it has stateful operators and every one of them
 * qualifies; otherwise every operator keeps one state for all
 * partitions (sl_op_ctx.one_partition).  A temporal join keeps no state
 * of its own in the store and is left out of the decision.
 *
 * Repartitioning: a persistent plan that is not keyed and whose only
 * stateful operator is a GROUP BY over one stream instead routes that
 * operator's input through a repartition topic keyed by its GROUP BY
 * key (engine/ops/repartition.h): a writer node consumes the input, a
 * source of the topic feeds the operator, and the plan is keyed by the
 * topic's partitions.  OVER and top-N are not repartitioned: they emit
 * at once from the history seen so far, and rows that came through a
 * topic from several writers would interleave in another order than
 * the stream's partitions do.  A stream join WITHIN whose sides each
 * come from one stream does the same for each side, keyed by that
 * side's half of the key equalities (each pair of one type, so equal
 * keys have equal bytes and land on equal partition numbers), both
 * topics with the larger of the two streams' partition counts:
 * partition p of both then holds the same keys.  Each side's reader
 * computes its own watermark from its writer's marks.  EXPLAIN of an
 * unkeyed operator says why it keeps one state.
 */
#include "engine/plan/plan_internal.h"

#include <stdio.h>
#include <string.h>

/* Where an output column of a node comes from, unchanged. */
typedef struct origin {
  const sl_pnode *source;  /* NULL: not a source column */
  int column;              /* the source's declared column */
} origin;

static origin trace(const sl_pnode *n, int col) {
  origin none = {NULL, -1};
  for (;;) {
    if (col < 0 || col >= n->ncols)
      return none;
    switch (n->kind) {
    case SL_PNODE_SOURCE: {
      int c = n->u.source.col_map[col];
      if (c >= n->u.source.schema->ncols)
        return none; /* ROWTIME & co. */
      origin o = {n, c};
      return o;
    }
    case SL_PNODE_FILTER:
    case SL_PNODE_LIMIT:
      n = n->inputs[0];
      break;
    case SL_PNODE_LOOKUP_JOIN:
      if (col >= n->inputs[0]->ncols)
        return none;
      n = n->inputs[0];
      break;
    case SL_PNODE_PROJECT: {
      const sl_bexpr *e = n->u.project.exprs[col];
      if (e->kind != SL_BEXPR_COLUMN)
        return none;
      col = e->u.column;
      n = n->inputs[0];
      break;
    }
    case SL_PNODE_STATEFUL: {
      /* An aggregation's results lead with its group values and come out
       * on the partition of the state that made them: a group value
       * that is a bare input column is still partitioned as that
       * column was (when the aggregation itself is keyed, which the
       * plan requires of every stateful operator). */
      const sl_plan_stateful *st = &n->u.stateful;
      if (st->kind == SL_STATEFUL_TEMPORAL_JOIN) {
        /* The stream's rows, unchanged, with the table's columns after
         * them. */
        if (col >= n->inputs[0]->ncols)
          return none;
        n = n->inputs[0];
        break;
      }
      int ngroup = 0;
      sl_bexpr *const *group = NULL;
      if (st->kind == SL_STATEFUL_WINDOW_AGG) {
        ngroup = st->u.window_agg.ngroup;
        group = st->u.window_agg.group_by;
      } else if (st->kind == SL_STATEFUL_GROUP_AGG) {
        ngroup = st->u.group_agg.ngroup;
        group = st->u.group_agg.group_by;
      }
      if (col >= ngroup || group[col]->kind != SL_BEXPR_COLUMN)
        return none;
      col = group[col]->u.column;
      n = n->inputs[0];
      break;
    }
    default:
      return none;
    }
  }
}

/* Why a key does not partition its operator's rows, for EXPLAIN. */
typedef enum why {
  WHY_NONE = 0,
  WHY_COMPUTED,   /* not a column of one stream, unchanged */
  WHY_NOT_KEY,    /* a column, but not its stream's record key */
  WHY_NULLABLE    /* the record key, but it may be NULL */
} why;

/* The source column behind key expression e over input n when it is
 * that source's record key; grouping says NULL must be impossible.
 * Otherwise *reason (raised, never lowered) and *at say why. */
static origin record_key(const sl_pnode *in, const sl_bexpr *e,
                         bool grouping, why *reason, origin *at) {
  origin none = {NULL, -1};
  origin o = e->kind == SL_BEXPR_COLUMN ? trace(in, e->u.column) : none;
  why w = WHY_NONE;
  const sl_record_schema *s = o.source ? o.source->u.source.schema : NULL;
  if (!s)
    w = WHY_COMPUTED;
  else if (s->key_col != o.column || s->key_format == SL_RECORD_KEY_NONE)
    w = WHY_NOT_KEY;
  else if (grouping && !s->cols[o.column].not_null)
    w = WHY_NULLABLE;
  if (w == WHY_NONE)
    return o;
  if (w > *reason) {
    *reason = w;
    *at = o;
  }
  return none;
}

/* EXPLAIN's partitioning of a grouping operator that keeps one state
 * for all partitions, saying why. */
static const char *single_text(sl_planner *p, why reason, origin at) {
  char buf[SL_ERROR_NAME_MAX * 4];
  const char *prefix = "single task, all partitions";
  const sl_record_schema *s = at.source ? at.source->u.source.schema : NULL;
  if (reason == WHY_NULLABLE)
    snprintf(buf, sizeof(buf), "%s (record key %s of topic %s is not NOT "
             "NULL)", prefix, s->cols[at.column].name,
             at.source->u.source.topic);
  else if (reason == WHY_NOT_KEY)
    snprintf(buf, sizeof(buf), "%s (%s is not the record key of topic %s)",
             prefix, s->cols[at.column].name, at.source->u.source.topic);
  else if (reason == WHY_COMPUTED)
    snprintf(buf, sizeof(buf), "%s (no key is a column of one stream "
             "passed on unchanged)", prefix);
  else
    snprintf(buf, sizeof(buf), "%s (no key)", prefix);
  return sl_planner_strdup(p, buf);
}

/* The EXPLAIN text of a keyed operator. */
static const char *keyed_text(sl_planner *p, origin a, const origin *b) {
  char buf[SL_ERROR_NAME_MAX * 4];
  const sl_record_schema *sa = a.source->u.source.schema;
  if (!b) {
    snprintf(buf, sizeof(buf), "by key %s of topic %s, state per "
             "partition", sa->cols[a.column].name, a.source->u.source.topic);
  } else {
    const sl_record_schema *sb = b->source->u.source.schema;
    snprintf(buf, sizeof(buf), "by key %s of topic %s and key %s of topic "
             "%s, state per partition (one state if their partition counts "
             "differ)",
             sa->cols[a.column].name, a.source->u.source.topic,
             sb->cols[b->column].name, b->source->u.source.topic);
  }
  return sl_planner_strdup(p, buf);
}

/* A grouping operator: one of its keys is a source's record key.
 * Returns 1 when keyed, 0 when not (n->single_why says why), -1 out of
 * memory. */
static int keyed_group(sl_planner *p, sl_pnode *n, sl_bexpr *const *keys,
                       int nkeys) {
  why reason = WHY_NONE;
  origin at = {NULL, -1};
  for (int i = 0; i < nkeys; i++) {
    origin o = record_key(n->inputs[0], keys[i], true, &reason, &at);
    if (o.source) {
      n->keyed_by = keyed_text(p, o, NULL);
      return n->keyed_by ? 1 : -1;
    }
  }
  n->single_why = single_text(p, reason, at);
  return n->single_why ? 0 : -1;
}

/* Remembers that two topics must have equal partition counts. */
static bool add_copartitioned(sl_planner *p, const char *a, const char *b) {
  sl_plan *plan = p->plan;
  if (!strcmp(a, b))
    return true;
  const char *(*grown)[2] = sl_planner_alloc(
      p, (size_t)(plan->ncopartitioned + 1) * sizeof(*grown));
  if (!grown)
    return false;
  if (plan->ncopartitioned)
    memcpy(grown, plan->copartitioned,
           (size_t)plan->ncopartitioned * sizeof(*grown));
  grown[plan->ncopartitioned][0] = a;
  grown[plan->ncopartitioned][1] = b;
  plan->copartitioned = grown;
  plan->ncopartitioned++;
  return true;
}

/* A join: some key pair is both sides' record keys, of one type.
 * Returns 1 when keyed, 0 when not (n->single_why says why), -1 out of
 * memory. */
static int keyed_join(sl_planner *p, sl_pnode *n, sl_bexpr *const *left,
                       sl_bexpr *const *right, int nkeys) {
  why reason = WHY_NONE;
  origin at = {NULL, -1};
  for (int i = 0; i < nkeys; i++) {
    origin a = record_key(n->inputs[0], left[i], false, &reason, &at);
    origin b = record_key(n->inputs[1], right[i], false, &reason, &at);
    if (!a.source || !b.source)
      continue;
    const sl_record_schema *sa = a.source->u.source.schema;
    const sl_record_schema *sb = b.source->u.source.schema;
    if (!sl_type_equal(sa->cols[a.column].type, sb->cols[b.column].type) ||
        sa->key_format != sb->key_format)
      continue;
    if (!add_copartitioned(p, a.source->u.source.topic,
                           b.source->u.source.topic))
      return -1;
    n->keyed_by = keyed_text(p, a, &b);
    return n->keyed_by ? 1 : -1;
  }
  n->single_why = "single task, all partitions (no join key pair is both "
                  "streams' record keys, of one type and key format)";
  return 0;
}

/* Returns 1 when n keeps its state per partition, 0 when not, -1 out of
 * memory. */
static int keyed_node(sl_planner *p, sl_pnode *n) {
  sl_plan_stateful *s = &n->u.stateful;
  switch (s->kind) {
  case SL_STATEFUL_WINDOW_AGG:
    return keyed_group(p, n, s->u.window_agg.group_by,
                       s->u.window_agg.ngroup);
  case SL_STATEFUL_GROUP_AGG:
    return keyed_group(p, n, s->u.group_agg.group_by,
                       s->u.group_agg.ngroup);
  case SL_STATEFUL_OVER:
    return keyed_group(p, n, s->u.over.partition_by, s->u.over.npartition);
  case SL_STATEFUL_TOPN:
    return keyed_group(p, n, s->u.topn.partition_by, s->u.topn.npartition);
  case SL_STATEFUL_INTERVAL_JOIN:
    return keyed_join(p, n, s->u.interval_join.left_keys,
                      s->u.interval_join.right_keys,
                      s->u.interval_join.nkeys);
  case SL_STATEFUL_WINDOW_JOIN:
    return keyed_join(p, n, s->u.window_join.left_keys,
                      s->u.window_join.right_keys, s->u.window_join.nkeys);
  case SL_STATEFUL_TEMPORAL_JOIN:
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Repartitioning                                                      */
/* ------------------------------------------------------------------ */

/* The one source under n when nothing but filters, projections, limits
 * and lookup joins lie between; else NULL. */
static sl_pnode *single_source(sl_pnode *n) {
  for (;;) {
    switch (n->kind) {
    case SL_PNODE_SOURCE:
      return n->u.source.internal ? NULL : n;
    case SL_PNODE_FILTER:
    case SL_PNODE_PROJECT:
    case SL_PNODE_LIMIT:
    case SL_PNODE_LOOKUP_JOIN:
      n = n->inputs[0];
      break;
    default:
      return NULL;
    }
  }
}

/* The key expressions of a stateful node's input port that a
 * repartition topic would be keyed by, in *keys / *nkeys: a grouping's
 * GROUP BY or a stream join's side of its key equalities. */
static void repart_keys(sl_pnode *n, int port, sl_bexpr *const **keys,
                        int *nkeys) {
  const sl_plan_stateful *st = &n->u.stateful;
  *keys = NULL;
  *nkeys = 0;
  if (st->kind == SL_STATEFUL_WINDOW_AGG) {
    *keys = st->u.window_agg.group_by;
    *nkeys = st->u.window_agg.ngroup;
  } else if (st->kind == SL_STATEFUL_GROUP_AGG) {
    *keys = st->u.group_agg.group_by;
    *nkeys = st->u.group_agg.ngroup;
  } else if (st->kind == SL_STATEFUL_INTERVAL_JOIN) {
    *keys = port ? st->u.interval_join.right_keys
                 : st->u.interval_join.left_keys;
    *nkeys = st->u.interval_join.nkeys;
  }
}

/* A stream join's key pairs hash alike on both sides only when each
 * pair has one type: equal values then have equal key bytes. */
static bool keys_alike(const sl_plan_stateful *st) {
  const sl_interval_join_spec *j = &st->u.interval_join;
  for (int i = 0; i < j->nkeys; i++)
    if (!sl_type_equal(j->left_keys[i]->type, j->right_keys[i]->type))
      return false;
  return true;
}

/* Whether the plan fills a training set: EXPLAIN plans one as a
 * stream sink, so the sink object's kind says it, not req->sink. */
static bool training_set_sink(const sl_plan_request *req) {
  return req->sink == SL_PLAN_SINK_TABLE ||
         (req->stream && req->stream->kind == SL_CATALOG_TRAINING_SET);
}

/* The operator a persistent plan can repartition: its only stateful
 * operator, a GROUP BY (with or without a window) with at least one
 * key over one stream, or a stream join WITHIN with at least one key
 * pair of one type whose two inputs each come from one stream.  A
 * training set's join is left alone: its rows go to the
 * instance's own catalog whichever instance joins them, and its late
 * labels keep their original records in the dead-letter topic.  NULL
 * when there is none. */
static sl_pnode *repartitionable(sl_planner *p) {
  const sl_plan *plan = p->plan;
  if (!p->req->persistent)
    return NULL;
  sl_pnode *op = NULL;
  for (int i = 0; i < plan->nnodes; i++) {
    sl_pnode *n = plan->nodes[i];
    if (n->kind != SL_PNODE_STATEFUL)
      continue;
    if (op)
      return NULL;
    op = n;
  }
  if (!op)
    return NULL;
  const sl_plan_stateful *st = &op->u.stateful;
  sl_bexpr *const *keys;
  int nkeys;
  repart_keys(op, 0, &keys, &nkeys);
  if (nkeys < 1)
    return NULL;
  for (int port = 0; port < op->ninputs; port++)
    if (!single_source(op->inputs[port]))
      return NULL;
  if (st->kind == SL_STATEFUL_INTERVAL_JOIN &&
      (!keys_alike(st) || training_set_sink(p->req)))
    return NULL;
  return op;
}

/* A record schema of the columns: what the repartition topic's reader
 * decodes. */
static sl_record_schema *internal_schema(sl_planner *p, const sl_pnode *in) {
  sl_record_schema *s = sl_record_schema_new();
  if (!s) {
    sl_planner_nomem(p);
    return NULL;
  }
  for (int i = 0; i < in->ncols; i++) {
    sl_type *t = sl_type_clone(in->cols[i].type);
    char name[32];
    /* Positional names: the columns of the stream below may repeat a
     * name (a join's two sides), the record schema may not. */
    snprintf(name, sizeof(name), "c%d", i);
    if (!t || sl_record_schema_add(s, name, true, t, false, p->err) < 0) {
      if (!t)
        sl_planner_nomem(p);
      sl_record_schema_free(s);
      return NULL;
    }
  }
  sl_record_schema_set_key(s, -1, SL_RECORD_KEY_NONE);
  return s;
}

/* Routes input port of op through a repartition topic keyed by the
 * port's keys: op then reads a source of that topic there, whose one
 * input (for numbering and EXPLAIN) is the writer, returned in *out.
 * Returns SL_OK or an error. */
static sl_status repartition(sl_planner *p, sl_pnode *op, int port,
                             sl_pnode **out) {
  sl_bexpr *const *keys;
  int nkeys;
  repart_keys(op, port, &keys, &nkeys);
  sl_pnode *in = op->inputs[port];
  const sl_pnode *up = single_source(in);
  char topic[SL_ERROR_NAME_MAX];
  snprintf(topic, sizeof(topic), "_sluice-%s-%s-repartition-%d",
           p->req->service ? p->req->service : "sluice",
           p->plan->query_id, p->plan->nrepartitions);

  sl_pnode *w = sl_planner_node(p, SL_PNODE_SINK_REPARTITION, 1, in->ncols);
  sl_pnode *r = sl_planner_node(p, SL_PNODE_SOURCE, 1, in->ncols);
  if (!w || !r)
    return SL_ERR_NOMEM;
  w->pos = r->pos = in->pos;
  memcpy(w->cols, in->cols, (size_t)in->ncols * sizeof(*w->cols));
  memcpy(r->cols, in->cols, (size_t)in->ncols * sizeof(*r->cols));
  w->inputs[0] = in;
  w->u.repart.topic = sl_planner_strdup(p, topic);
  w->u.repart.nkeys = nkeys;
  w->u.repart.keys = sl_planner_alloc(p, (size_t)(nkeys + 1) *
                                             sizeof(sl_bexpr *));
  if (!w->u.repart.topic || !w->u.repart.keys)
    return SL_ERR_NOMEM;
  sl_strbuf kt = SL_STRBUF_INIT;
  for (int i = 0; i < nkeys; i++) {
    if (!(w->u.repart.keys[i] = sl_planner_copy(p, keys[i]))) {
      sl_strbuf_free(&kt);
      return SL_ERR_NOMEM;
    }
    sl_strbuf_appends(&kt, i ? ", " : "");
    sl_plan_expr_text(keys[i], in->ncols, in->cols, &kt);
  }
  w->u.repart.key_text = sl_planner_strdup(p, kt.data ? kt.data : "");
  sl_strbuf_free(&kt);
  w->u.repart.partitions = p->req->partitions > 0 ? p->req->partitions : -1;
  w->u.repart.upstream = -1;
  w->u.repart.source = up;
  w->u.repart.peer = NULL;
  if (!w->u.repart.key_text)
    return SL_ERR_NOMEM;

  /* The reader: the writer's columns back, with the stream's error
   * policy for the rows that fail past it (late ones). */
  r->inputs[0] = w;
  r->u.source = up->u.source;
  r->u.source.internal = true;
  r->u.source.topic = w->u.repart.topic;
  r->u.source.format = SL_SOURCE_INTERNAL;
  r->u.source.out_of_order_ms = 0;
  r->u.source.idle_timeout_ms = 0;
  r->u.source.start = NULL;
  r->u.source.check = NULL;
  r->u.source.event_time = -1;
  sl_record_schema *s = internal_schema(p, in);
  if (!s || !sl_planner_own_schema(p, s))
    return p->err->code ? p->err->code : SL_ERR_NOMEM;
  r->u.source.schema = s;
  r->u.source.col_map = sl_planner_alloc(p, ((size_t)in->ncols + 1) *
                                                sizeof(int));
  if (!r->u.source.col_map)
    return SL_ERR_NOMEM;
  for (int i = 0; i < in->ncols; i++)
    r->u.source.col_map[i] = i;
  op->inputs[port] = r;
  p->plan->nrepartitions++;
  *out = w;
  return SL_OK;
}

/* Sets the partitioning text of a node reading repartition topics (see
 * plan.h). */
sl_status sl_plan_repart_text(sl_plan *plan, sl_pnode *n) {
  char buf[SL_ERROR_NAME_MAX * 8];
  size_t len = 0;
  int found = 0;
  buf[0] = '\0';
  for (int i = 0; i < n->ninputs; i++) {
    const sl_pnode *r = n->inputs[i];
    if (r->kind != SL_PNODE_SOURCE || !r->u.source.internal)
      continue;
    const sl_pnode *w = r->inputs[0];
    int k = snprintf(buf + len, sizeof(buf) - len, "%s key %s of topic %s",
                     found++ ? " and" : "by", w->u.repart.key_text,
                     w->u.repart.topic);
    if (k > 0)
      len += (size_t)k < sizeof(buf) - len ? (size_t)k
                                           : sizeof(buf) - len - 1;
  }
  if (!found)
    return SL_OK;
  snprintf(buf + len, sizeof(buf) - len, ", state per partition");
  char *text = sl_arena_strdup(&plan->arena, buf);
  if (!text)
    return SL_ERR_NOMEM;
  n->keyed_by = text;
  n->single_why = NULL;
  return SL_OK;
}

/* Repartitions every input of op (see the file comment); a join's two
 * writers know each other's source, so that both topics get the same
 * partition count.  Returns SL_OK or an error. */
static sl_status repartition_all(sl_planner *p, sl_pnode *op) {
  sl_pnode *w[2] = {NULL, NULL};
  for (int port = 0; port < op->ninputs && port < 2; port++) {
    sl_status rc = repartition(p, op, port, &w[port]);
    if (rc)
      return rc;
  }
  if (w[1]) {
    w[0]->u.repart.peer = w[1]->u.repart.source;
    w[1]->u.repart.peer = w[0]->u.repart.source;
  }
  return sl_plan_repart_text(p->plan, op);
}

/* Decides sl_plan.keyed_state (see the file comment). */
sl_status sl_planner_partitioning(sl_planner *p) {
  sl_plan *plan = p->plan;
  plan->keyed_state = false;
  if (!plan->stateful)
    return SL_OK;
  bool keyed = true;
  for (int i = 0; i < plan->nnodes; i++) {
    sl_pnode *n = plan->nodes[i];
    if (n->kind != SL_PNODE_STATEFUL)
      continue;
    int k = keyed_node(p, n);
    if (k < 0)
      return SL_ERR_NOMEM;
    keyed = keyed && k > 0;
  }

  /* Operators that qualify still keep one state when another does not:
   * the plan has one switch. */
  for (int i = 0; !keyed && i < plan->nnodes; i++) {
    sl_pnode *n = plan->nodes[i];
    if (n->keyed_by)
      n->single_why = "single task, all partitions (another operator of "
                      "the query is not partitioned by its key)";
    n->keyed_by = NULL;
  }
  if (!keyed) {
    plan->ncopartitioned = 0;
    plan->copartitioned = NULL;

    /* A persistent GROUP BY or stream join on other columns reads
     * repartition topics keyed by its keys. */
    sl_pnode *op = repartitionable(p);
    if (op) {
      sl_status rc = repartition_all(p, op);
      if (rc)
        return rc;
      keyed = true;
    }
  }
  plan->keyed_state = keyed;
  return SL_OK;
}
