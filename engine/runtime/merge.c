/* SPDX-License-Identifier: Apache-2.0 */
/*
 * merge.c - the k-way merge of a task's partitions by event time (see
 * merge.h).
 *
 * Each input is a ring of records with its head's event time cached (the
 * hook may decode the record, so each record's time is read once, when
 * it comes to the head).  A pop first decides, once, which empty inputs
 * may be passed; then it repeatedly takes the input whose head comes
 * first and drains it while its head stays before the runner-up's, so
 * that records already in order cost one comparison each.  With one
 * input holding records and the others passable, records go in arrival
 * order without their times being read at all.  Tasks read tens of
 * partitions at most, so inputs are found and compared by linear scans.
 */
#include "engine/runtime/merge.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAUSE_ABOVE 65536
#define FIRST_RING 64

typedef struct input {
  int topic;
  int32_t partition;
  sl_kafka_msg *ring;
  size_t cap;
  size_t head;
  size_t count;
  int64_t key;          /* the head's event time, when key_known */
  bool key_known;
  bool paused;
  int64_t wait_from;    /* wall ms it began holding the others back; -1:
                           it does not */
} input;

struct sl_merge {
  sl_merge_config cfg;
  sl_merge_hooks hooks;
  input **inputs;
  int ninputs;
  int cap;
  size_t held;
};

/* ------------------------------------------------------------------ */
/* Inputs                                                              */
/* ------------------------------------------------------------------ */

static input *find_input(const sl_merge *m, int topic, int32_t partition) {
  for (int i = 0; i < m->ninputs; i++)
    if (m->inputs[i]->partition == partition && m->inputs[i]->topic == topic)
      return m->inputs[i];
  return NULL;
}

static input *get_input(sl_merge *m, int topic, int32_t partition,
                        sl_error *err) {
  input *in = find_input(m, topic, partition);
  if (in)
    return in;
  if (m->ninputs == m->cap) {
    int cap = m->cap ? m->cap * 2 : 8;
    input **grown = realloc(m->inputs, (size_t)cap * sizeof(*grown));
    if (!grown) {
      sl_error_set(err, SL_ERR_NOMEM, "out of memory merging partitions");
      return NULL;
    }
    m->inputs = grown;
    m->cap = cap;
  }
  in = calloc(1, sizeof(*in));
  if (!in) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory merging partitions");
    return NULL;
  }
  in->topic = topic;
  in->partition = partition;
  in->wait_from = -1;
  m->inputs[m->ninputs++] = in;
  return in;
}

/* Room for one more record in the ring, which keeps its order. */
static bool ring_reserve(input *in) {
  if (in->count < in->cap)
    return true;
  size_t cap = in->cap ? in->cap * 2 : FIRST_RING;
  sl_kafka_msg *ring = malloc(cap * sizeof(*ring));
  if (!ring)
    return false;
  for (size_t i = 0; i < in->count; i++)
    ring[i] = in->ring[(in->head + i) % in->cap];
  free(in->ring);
  in->ring = ring;
  in->cap = cap;
  in->head = 0;
  return true;
}

static sl_kafka_msg *head_of(input *in) {
  return &in->ring[in->head];
}

static sl_kafka_msg take_head(sl_merge *m, input *in) {
  sl_kafka_msg msg = in->ring[in->head];
  in->head = (in->head + 1) % in->cap;
  in->count--;
  in->key_known = false;
  m->held--;
  return msg;
}

static void release_all(sl_merge *m, input *in) {
  while (in->count > 0) {
    sl_kafka_msg msg = take_head(m, in);
    m->hooks.release(m->hooks.ud, &msg);
  }
}

/* Asks the owner to pause a full input, or to resume one that drained to
 * half its limit. */
static void regulate(sl_merge *m, input *in) {
  if (!m->hooks.pause)
    return;
  if (!in->paused && in->count > m->cfg.pause_above) {
    in->paused = true;
    m->hooks.pause(m->hooks.ud, in->topic, in->partition, true);
  } else if (in->paused && in->count <= m->cfg.pause_above / 2) {
    in->paused = false;
    m->hooks.pause(m->hooks.ud, in->topic, in->partition, false);
  }
}

/* ------------------------------------------------------------------ */
/* Ordering                                                            */
/* ------------------------------------------------------------------ */

/* The head's event time; an unreadable one sorts first, so the record
 * goes as soon as it heads its partition. */
static int64_t head_key(sl_merge *m, input *in) {
  if (!in->key_known) {
    int64_t t;
    in->key = m->hooks.event_time(m->hooks.ud, in->topic, head_of(in), &t)
                  ? t
                  : INT64_MIN;
    in->key_known = true;
  }
  return in->key;
}

/* True when a's head goes before b's: lower event time, then lower
 * partition, then lower topic number. */
static bool before(sl_merge *m, input *a, input *b) {
  int64_t ka = head_key(m, a), kb = head_key(m, b);
  if (ka != kb)
    return ka < kb;
  if (a->partition != b->partition)
    return a->partition < b->partition;
  return a->topic < b->topic;
}

/* Whether an empty input may be passed now; when it holds the others
 * back with a time limit, *wait is lowered to what is left of it. */
static bool may_pass(sl_merge *m, input *in, int64_t now, int64_t *wait) {
  if (m->hooks.passable(m->hooks.ud, in->topic, in->partition)) {
    in->wait_from = -1;
    return true;
  }
  if (m->cfg.max_idle_ms < 0)
    return false;
  if (in->wait_from < 0)
    in->wait_from = now;
  int64_t left = in->wait_from + m->cfg.max_idle_ms - now;
  if (left <= 0)
    return true;
  if (*wait < 0 || left < *wait)
    *wait = left;
  return false;
}

/* ------------------------------------------------------------------ */
/* The interface                                                       */
/* ------------------------------------------------------------------ */

/* Creates a merge (see merge.h). */
sl_status sl_merge_new(const sl_merge_config *cfg,
                       const sl_merge_hooks *hooks, sl_merge **out,
                       sl_error *err) {
  *out = NULL;
  sl_merge *m = calloc(1, sizeof(*m));
  if (!m)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory merging "
                        "partitions");
  m->cfg = *cfg;
  if (m->cfg.pause_above == 0)
    m->cfg.pause_above = DEFAULT_PAUSE_ABOVE;
  m->hooks = *hooks;
  *out = m;
  return SL_OK;
}

void sl_merge_free(sl_merge *m) {
  if (!m)
    return;
  for (int i = 0; i < m->ninputs; i++) {
    release_all(m, m->inputs[i]);
    free(m->inputs[i]->ring);
    free(m->inputs[i]);
  }
  free(m->inputs);
  free(m);
}

sl_status sl_merge_add(sl_merge *m, int topic, int32_t partition,
                       sl_error *err) {
  return get_input(m, topic, partition, err) ? SL_OK : SL_ERR_NOMEM;
}

void sl_merge_remove(sl_merge *m, int topic, int32_t partition) {
  for (int i = 0; i < m->ninputs; i++) {
    input *in = m->inputs[i];
    if (in->partition != partition || in->topic != topic)
      continue;
    release_all(m, in);
    free(in->ring);
    free(in);
    m->inputs[i] = m->inputs[--m->ninputs];
    return;
  }
}

sl_status sl_merge_push(sl_merge *m, int topic, const sl_kafka_msg *msgs,
                        size_t n, sl_error *err) {
  input *in = NULL;
  size_t i = 0;
  for (; i < n; i++) {
    /* Polled records come in runs of one partition. */
    if (!in || in->partition != msgs[i].partition) {
      if (in)
        regulate(m, in);
      in = get_input(m, topic, msgs[i].partition, err);
      if (!in)
        break;
    }
    if (!ring_reserve(in)) {
      sl_error_set(err, SL_ERR_NOMEM, "out of memory merging partitions");
      break;
    }
    in->ring[(in->head + in->count) % in->cap] = msgs[i];
    in->count++;
    in->wait_from = -1;
    m->held++;
  }
  if (in)
    regulate(m, in);
  if (i == n)
    return SL_OK;
  for (; i < n; i++) {
    sl_kafka_msg msg = msgs[i];
    m->hooks.release(m->hooks.ud, &msg);
  }
  return err->code;
}

/* Pops in merged order (see merge.h).  Outline: settle which empty
 * inputs may be passed (all of them, or nothing moves); then take the
 * input whose head comes first, and drain it while it stays ahead of the
 * runner-up; an input that runs dry must be passable for the others to
 * go on. */
size_t sl_merge_pop(sl_merge *m, int64_t now_ms, sl_kafka_msg *out,
                    size_t cap, int64_t *wait_ms) {
  int64_t wait = -1;
  bool held_back = false;
  size_t n = 0;
  for (int i = 0; i < m->ninputs; i++)
    if (m->inputs[i]->count == 0 &&
        !may_pass(m, m->inputs[i], now_ms, &wait))
      held_back = true;

  while (!held_back && n < cap) {
    input *best = NULL, *second = NULL;
    for (int i = 0; i < m->ninputs; i++) {
      input *in = m->inputs[i];
      if (in->count == 0)
        continue;
      if (!best) {
        best = in;
      } else if (!second) {
        if (before(m, in, best)) {
          second = best;
          best = in;
        } else {
          second = in;
        }
      } else if (before(m, in, second)) {
        if (before(m, in, best)) {
          second = best;
          best = in;
        } else {
          second = in;
        }
      }
    }
    if (!best)
      break;
    do
      out[n++] = take_head(m, best);
    while (best->count > 0 && n < cap && (!second || before(m, best, second)));
    if (best->count == 0 && !may_pass(m, best, now_ms, &wait))
      held_back = true;
  }

  for (int i = 0; i < m->ninputs; i++)
    regulate(m, m->inputs[i]);
  if (wait_ms)
    *wait_ms = held_back ? wait : -1;
  return n;
}

size_t sl_merge_held(const sl_merge *m, int topic, int32_t partition) {
  if (partition < 0)
    return m->held;
  const input *in = find_input(m, topic, partition);
  return in ? in->count : 0;
}

int sl_merge_inputs(const sl_merge *m) {
  return m->ninputs;
}
