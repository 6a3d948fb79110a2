/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_merge.c - the k-way merge of a task's partitions by event time
 * (engine/runtime/merge.h), on made-up records whose timestamp field
 * stands for their event time: merged order with ties by partition and
 * then topic, partitions keeping their own order, an empty partition
 * holding the others back for a bounded wait or until it is passable, a
 * done partition passing, records without a readable time, pausing and
 * resuming, and every record given back once.
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "engine/runtime/merge.h"

#define UNREADABLE (-7)

/* What the hooks saw. */
typedef struct rig {
  bool passable[2][4];     /* by topic and partition */
  int time_reads;
  int releases;
  int pauses[4];           /* pause calls per partition of topic 0 */
  int resumes[4];
  bool paused[4];
} rig;

static bool hook_time(void *ud, int topic, const sl_kafka_msg *m,
                      int64_t *out) {
  (void)topic;
  rig *r = ud;
  r->time_reads++;
  if (m->timestamp_ms == UNREADABLE)
    return false;
  *out = m->timestamp_ms;
  return true;
}

static bool hook_passable(void *ud, int topic, int32_t partition) {
  rig *r = ud;
  return r->passable[topic][partition];
}

static void hook_pause(void *ud, int topic, int32_t partition, bool pause) {
  rig *r = ud;
  assert_int_equal(topic, 0);
  if (pause)
    r->pauses[partition]++;
  else
    r->resumes[partition]++;
  r->paused[partition] = pause;
}

static void hook_release(void *ud, sl_kafka_msg *m) {
  (void)m;
  rig *r = ud;
  r->releases++;
}

static sl_merge *new_merge(rig *r, int64_t max_idle_ms, size_t pause_above) {
  memset(r, 0, sizeof(*r));
  sl_merge_config cfg = {.max_idle_ms = max_idle_ms,
                         .pause_above = pause_above};
  sl_merge_hooks hooks = {.ud = r,
                          .event_time = hook_time,
                          .passable = hook_passable,
                          .pause = hook_pause,
                          .release = hook_release};
  sl_merge *m = NULL;
  sl_error err;
  assert_int_equal(sl_merge_new(&cfg, &hooks, &m, &err), SL_OK);
  return m;
}

/* Pushes one record of (topic, partition) at event time t; its offset
 * is the next of the partition. */
static void push(sl_merge *m, int topic, int32_t partition, int64_t t) {
  static int64_t next[2][4];
  sl_kafka_msg msg = {.topic = topic ? "t1" : "t0",
                      .partition = partition,
                      .offset = next[topic][partition]++,
                      .timestamp_ms = t};
  sl_error err;
  assert_int_equal(sl_merge_push(m, topic, &msg, 1, &err), SL_OK);
}

/* Pops everything that may go at now into a text "p:t p:t ..."
 * (partition and event time; "xp:t" for topic 1). */
static const char *pop_all(sl_merge *m, int64_t now, int64_t *wait) {
  static char text[512];
  sl_kafka_msg out[64];
  size_t n = sl_merge_pop(m, now, out, 64, wait);
  text[0] = '\0';
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s%d:%lld",
                            i ? " " : "", out[i].topic[1] == '1' ? "x" : "",
                            (int)out[i].partition,
                            (long long)out[i].timestamp_ms);
  return text;
}

static void add3(sl_merge *m) {
  sl_error err;
  for (int32_t p = 0; p < 3; p++)
    assert_int_equal(sl_merge_add(m, 0, p, &err), SL_OK);
}

/* Heads go lowest event time first; ties by partition; a partition keeps
 * its own order even where it is out of order in time; the merge stops
 * where a partition runs dry and may not be passed. */
static void test_order_and_ties(void **state) {
  (void)state;
  rig r;
  sl_merge *m = new_merge(&r, -1, 0);
  add3(m);
  push(m, 0, 1, 20);
  push(m, 0, 1, 40);
  push(m, 0, 0, 10);
  push(m, 0, 0, 40);
  push(m, 0, 0, 5);   /* late within partition 0: stays behind 40 */
  push(m, 0, 2, 30);
  push(m, 0, 2, 40);
  push(m, 0, 2, 50);
  int64_t wait = 0;
  /* Partition 0 runs dry after its 5, and holds the rest back: its next
   * record may come before the others' 40. */
  assert_string_equal(pop_all(m, 0, &wait), "0:10 1:20 2:30 0:40 0:5");
  assert_int_equal(wait, -1);
  assert_int_equal(sl_merge_held(m, 0, 2), 2);
  assert_int_equal(sl_merge_held(m, 0, -1), 3);
  /* A partition at its end no longer does; partition 1 goes first on
   * the tie, then runs dry in turn. */
  r.passable[0][0] = true;
  assert_string_equal(pop_all(m, 0, &wait), "1:40");
  r.passable[0][1] = true;
  assert_string_equal(pop_all(m, 0, &wait), "2:40 2:50");
  assert_int_equal(sl_merge_held(m, 0, -1), 0);
  sl_merge_free(m);
  assert_int_equal(r.releases, 0);
}

/* A record whose time cannot be read goes as soon as it heads its
 * partition; topics tie-break after partitions. */
static void test_unreadable_and_topics(void **state) {
  (void)state;
  rig r;
  sl_merge *m = new_merge(&r, -1, 0);
  sl_error err;
  assert_int_equal(sl_merge_add(m, 0, 1, &err), SL_OK);
  assert_int_equal(sl_merge_add(m, 1, 0, &err), SL_OK);
  assert_int_equal(sl_merge_add(m, 1, 1, &err), SL_OK);
  push(m, 0, 1, 100);
  push(m, 0, 1, 200);
  push(m, 1, 0, 150);
  push(m, 1, 0, UNREADABLE);
  push(m, 1, 0, 200);
  push(m, 1, 1, 100);
  push(m, 1, 1, 200);
  r.passable[0][1] = r.passable[1][0] = r.passable[1][1] = true;
  int64_t wait;
  assert_string_equal(pop_all(m, 0, &wait),
                      "1:100 x1:100 x0:150 x0:-7 x0:200 1:200 x1:200");
  sl_merge_free(m);
}

/* An empty partition that may not be passed holds the others back for
 * max_idle_ms from when it first does, then lets them go until records
 * come to it, when the wait starts over. */
static void test_empty_partition_waits(void **state) {
  (void)state;
  rig r;
  sl_merge *m = new_merge(&r, 100, 0);
  add3(m);
  push(m, 0, 0, 10);
  push(m, 0, 2, 20);
  int64_t wait = 0;
  assert_string_equal(pop_all(m, 1000, &wait), "");
  assert_int_equal(wait, 100);
  assert_string_equal(pop_all(m, 1060, &wait), "");
  assert_int_equal(wait, 40);
  /* Partition 1 waited long enough; partition 0 runs dry and starts its
   * own wait, so partition 2's record waits for it. */
  assert_string_equal(pop_all(m, 1100, &wait), "0:10");
  assert_int_equal(wait, 100);
  /* Partition 2 runs dry in turn. */
  assert_string_equal(pop_all(m, 1200, &wait), "2:20");
  assert_int_equal(wait, 100);

  /* Records reset the waits: partition 1 holds the others back again
   * once its record has gone, then partition 0. */
  push(m, 0, 1, 30);
  push(m, 0, 0, 40);
  push(m, 0, 2, 50);
  assert_string_equal(pop_all(m, 1300, &wait), "1:30");
  assert_int_equal(wait, 100);
  assert_string_equal(pop_all(m, 1400, &wait), "0:40");
  assert_int_equal(wait, 100);
  /* A done partition never waits. */
  r.passable[0][0] = true;
  assert_string_equal(pop_all(m, 1401, &wait), "2:50");
  sl_merge_free(m);
}

/* Without a time limit (bounded runs), an empty partition holds the
 * others back until it is passable, however long that takes. */
static void test_no_time_limit(void **state) {
  (void)state;
  rig r;
  sl_merge *m = new_merge(&r, -1, 0);
  add3(m);
  push(m, 0, 0, 10);
  push(m, 0, 1, 20);
  int64_t wait = 0;
  assert_string_equal(pop_all(m, 0, &wait), "");
  assert_int_equal(wait, -1);
  assert_string_equal(pop_all(m, 1000000, &wait), "");
  r.passable[0][2] = true;
  assert_string_equal(pop_all(m, 1000001, &wait), "0:10");
  /* Partition 0 ran dry: partition 1 waits for it. */
  assert_string_equal(pop_all(m, 1000002, &wait), "");
  push(m, 0, 0, 15);
  assert_string_equal(pop_all(m, 1000003, &wait), "0:15");
  r.passable[0][0] = true;
  assert_string_equal(pop_all(m, 1000004, &wait), "1:20");
  sl_merge_free(m);
}

/* With one partition holding records and the others passable, records
 * go in arrival order without their times being read; merging reads each
 * record's time once. */
static void test_time_read_once(void **state) {
  (void)state;
  rig r;
  sl_merge *m = new_merge(&r, -1, 0);
  add3(m);
  r.passable[0][1] = r.passable[0][2] = true;
  for (int i = 0; i < 10; i++)
    push(m, 0, 0, 100 - i);
  int64_t wait;
  assert_string_equal(pop_all(m, 0, &wait),
                      "0:100 0:99 0:98 0:97 0:96 0:95 0:94 0:93 0:92 0:91");
  assert_int_equal(r.time_reads, 0);

  /* Two partitions in order, in long runs: the heads' times are read
   * once (0 and 10), then 1 to 4 as they come to the head; once
   * partition 0 is done, partition 2 drains without reads. */
  r.passable[0][0] = r.passable[0][1] = true;
  for (int i = 0; i < 5; i++)
    push(m, 0, 0, i);
  for (int i = 0; i < 5; i++)
    push(m, 0, 2, 10 + i);
  assert_string_equal(pop_all(m, 0, &wait),
                      "0:0 0:1 0:2 0:3 0:4 2:10 2:11 2:12 2:13 2:14");
  assert_int_equal(r.time_reads, 6);
  sl_merge_free(m);
}

/* A partition holding more than pause_above records is paused, and
 * resumed once down to half; removing a partition gives its records
 * back, as freeing the merge does. */
static void test_pause_resume_release(void **state) {
  (void)state;
  rig r;
  sl_merge *m = new_merge(&r, -1, 4);
  add3(m);
  for (int i = 0; i < 8; i++)
    push(m, 0, 0, i);
  assert_int_equal(r.pauses[0], 1);
  assert_true(r.paused[0]);
  push(m, 0, 1, 3);
  int64_t wait;
  assert_string_equal(pop_all(m, 0, &wait), "");
  /* Partition 1 runs dry at its 3 (after partition 0's, on the tie):
   * partition 0 still holds 4, more than half of 4. */
  r.passable[0][2] = true;
  assert_string_equal(pop_all(m, 0, &wait), "0:0 0:1 0:2 0:3 1:3");
  assert_int_equal(sl_merge_held(m, 0, 0), 4);
  assert_true(r.paused[0]);
  assert_int_equal(r.resumes[0], 0);
  r.passable[0][1] = true;
  sl_kafka_msg out[2];
  assert_int_equal(sl_merge_pop(m, 0, out, 2, &wait), 2);
  assert_int_equal(out[0].timestamp_ms, 4);
  assert_int_equal(out[1].timestamp_ms, 5);
  assert_int_equal(r.resumes[0], 1);
  assert_false(r.paused[0]);

  /* A revoked partition's records go back to the consumer; so do those
   * left when the merge goes. */
  push(m, 0, 1, 9);
  push(m, 0, 1, 10);
  sl_merge_remove(m, 0, 0);
  assert_int_equal(r.releases, 2);
  assert_int_equal(sl_merge_inputs(m), 2);
  assert_int_equal(sl_merge_held(m, 0, -1), 2);
  sl_merge_free(m);
  assert_int_equal(r.releases, 4);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order_and_ties),
      cmocka_unit_test(test_unreadable_and_topics),
      cmocka_unit_test(test_empty_partition_waits),
      cmocka_unit_test(test_no_time_limit),
      cmocka_unit_test(test_time_read_once),
      cmocka_unit_test(test_pause_resume_release),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
