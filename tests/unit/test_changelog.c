/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_changelog.c - changelog topics of stateful queries: the records,
 * replaying a partition up to its last complete checkpoint (entries after
 * it discarded, resets, tombstones, corrupt records), the state store's
 * partition functions, and the writer and reader on the embedded broker
 * (a checkpoint written, read back and loaded into another catalog).
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/kafka/broker.h"
#include "engine/kafka/producer.h"
#include "engine/runtime/changelog.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, e.message);           \
  } while (0)

/* ---- building records and reading state --------------------------------- */

typedef struct lines {
  char *v[256];
  int n;
} lines;

static sl_status collect(void *ud, const char *op, const void *key,
                         size_t klen, const void *value, size_t vlen,
                         sl_error *err) {
  (void)err;
  lines *l = ud;
  char *s = malloc(strlen(op) + klen + vlen + 3);
  sprintf(s, "%s/%.*s=%.*s", op, (int)klen, (const char *)key, (int)vlen,
          (const char *)value);
  l->v[l->n++] = s;
  return SL_OK;
}

/* The lines sorted and joined by spaces; frees them. */
static char *join(lines *l) {
  for (int i = 1; i < l->n; i++)
    for (int j = i; j > 0 && strcmp(l->v[j - 1], l->v[j]) > 0; j--) {
      char *tmp = l->v[j];
      l->v[j] = l->v[j - 1];
      l->v[j - 1] = tmp;
    }
  size_t size = 1;
  for (int i = 0; i < l->n; i++)
    size += strlen(l->v[i]) + 1;
  char *out = calloc(1, size);
  for (int i = 0; i < l->n; i++) {
    strcat(out, l->v[i]);
    if (i + 1 < l->n)
      strcat(out, " ");
    free(l->v[i]);
  }
  l->n = 0;
  return out;
}

static void assert_text(char *got, const char *want) {
  if (strcmp(got, want) != 0) {
    print_error("got \"%s\", expected \"%s\"\n", got, want);
    free(got);
    fail();
  }
  free(got);
}

static void assert_replay(const sl_changelog_replay *r, const char *want) {
  sl_error e;
  lines l = {.n = 0};
  OK(sl_changelog_replay_each(r, collect, &l, &e));
  assert_text(join(&l), want);
}

static void assert_store(sl_state *st, int32_t partition, const char *want) {
  sl_error e;
  lines l = {.n = 0};
  OK(sl_state_partition_each(st, partition, collect, &l, &e));
  assert_text(join(&l), want);
}

/* Feeds an entry (value NULL: deleted) to r. */
static void feed_entry(sl_changelog_replay *r, const char *op,
                       const char *key, const char *value) {
  sl_error e;
  sl_strbuf k = SL_STRBUF_INIT, v = SL_STRBUF_INIT;
  bool tomb;
  OK(sl_changelog_encode_entry(op, key, strlen(key), value,
                               value ? strlen(value) : 0, &k, &v, &tomb,
                               &e));
  assert_int_equal(tomb, value == NULL);
  OK(sl_changelog_replay_add(r, k.data, k.len, tomb ? NULL : v.data,
                             tomb ? 0 : v.len, &e));
  sl_strbuf_free(&k);
  sl_strbuf_free(&v);
}

static void feed_boundary(sl_changelog_replay *r, int64_t id,
                          const sl_catalog_offset *offs, int n) {
  sl_error e;
  sl_strbuf k = SL_STRBUF_INIT, v = SL_STRBUF_INIT;
  OK(sl_changelog_encode_boundary(id, 0, offs, n, &k, &v, &e));
  OK(sl_changelog_replay_add(r, k.data, k.len, v.data, v.len, &e));
  sl_strbuf_free(&k);
  sl_strbuf_free(&v);
}

static void feed_reset(sl_changelog_replay *r) {
  sl_error e;
  sl_strbuf k = SL_STRBUF_INIT, v = SL_STRBUF_INIT;
  OK(sl_changelog_encode_reset(&k, &v, &e));
  OK(sl_changelog_replay_add(r, k.data, k.len, v.data, v.len, &e));
  sl_strbuf_free(&k);
  sl_strbuf_free(&v);
}

/* ---- records and replay ------------------------------------------------- */

static void test_record_layout(void **state) {
  (void)state;
  sl_error e;
  sl_strbuf k = SL_STRBUF_INIT, v = SL_STRBUF_INIT;
  bool tomb;
  OK(sl_changelog_encode_entry("n3", "ab", 2, "xyz", 3, &k, &v, &tomb, &e));
  assert_false(tomb);
  assert_int_equal(k.len, 7);
  assert_memory_equal(k.data, "E\0\2n3ab", 7);
  assert_int_equal(v.len, 4);
  assert_memory_equal(v.data, "Vxyz", 4);

  OK(sl_changelog_encode_entry("n3", "ab", 2, NULL, 0, &k, &v, &tomb, &e));
  assert_true(tomb);
  assert_int_equal(v.len, 0);

  sl_catalog_offset off = {.topic = "t", .partition = 2, .offset = 258};
  OK(sl_changelog_encode_boundary(7, 0x0102, &off, 1, &k, &v, &e));
  assert_int_equal(k.len, 1);
  assert_int_equal(k.data[0], 'B');
  static const unsigned char want[] = {
      'B', 1, 0, 0, 0, 0, 0, 0, 0, 7,           /* tag, version, id */
      0, 0, 0, 0, 0, 0, 1, 2,                   /* definition */
      0, 0, 0, 1,                               /* one offset */
      0, 1, 't', 0, 0, 0, 2,                    /* topic, partition */
      0, 0, 0, 0, 0, 0, 1, 2};                  /* offset 258 */
  assert_int_equal(v.len, sizeof(want));
  assert_memory_equal(v.data, want, sizeof(want));
  sl_strbuf_free(&k);
  sl_strbuf_free(&v);
}

static void test_replay_to_boundary(void **state) {
  (void)state;
  sl_error e;
  sl_changelog_replay *r;
  OK(sl_changelog_replay_new(&r, &e));
  assert_int_equal(sl_changelog_replay_checkpoint(r), 0);

  feed_entry(r, "n1", "a", "1");
  feed_entry(r, "n1", "b", "2");
  feed_entry(r, "n2", "a", "x");
  /* No boundary yet: nothing counts. */
  assert_int_equal(sl_changelog_replay_count(r), 0);
  assert_int_equal(sl_changelog_replay_trailing(r), 3);

  sl_catalog_offset offs[2] = {{.topic = "src", .partition = 0, .offset = 10},
                               {.topic = "dim", .partition = 0, .offset = 4}};
  feed_boundary(r, 5, offs, 2);
  assert_int_equal(sl_changelog_replay_checkpoint(r), 5);
  assert_int_equal(sl_changelog_replay_trailing(r), 0);
  assert_replay(r, "n1/a=1 n1/b=2 n2/a=x");
  int n;
  const sl_catalog_offset *got = sl_changelog_replay_offsets(r, &n);
  assert_int_equal(n, 2);
  assert_string_equal(got[0].topic, "src");
  assert_int_equal(got[0].offset, 10);
  assert_string_equal(got[1].topic, "dim");
  assert_int_equal(got[1].offset, 4);

  /* Checkpoint 6 never completes: its change, deletion and new key are
   * discarded, and checkpoint 5's offsets stand. */
  feed_entry(r, "n1", "a", "100");
  feed_entry(r, "n1", "b", NULL);
  feed_entry(r, "n1", "c", "3");
  assert_int_equal(sl_changelog_replay_checkpoint(r), 5);
  assert_int_equal(sl_changelog_replay_trailing(r), 3);
  assert_replay(r, "n1/a=1 n1/b=2 n2/a=x");
  got = sl_changelog_replay_offsets(r, &n);
  assert_int_equal(got[0].offset, 10);

  /* When it completes, they apply in order. */
  offs[0].offset = 20;
  feed_boundary(r, 6, offs, 1);
  assert_int_equal(sl_changelog_replay_checkpoint(r), 6);
  assert_replay(r, "n1/a=100 n1/c=3 n2/a=x");
  got = sl_changelog_replay_offsets(r, &n);
  assert_int_equal(n, 1);
  assert_int_equal(got[0].offset, 20);
  sl_changelog_replay_free(r);
}

static void test_replay_reset(void **state) {
  (void)state;
  sl_error e;
  sl_changelog_replay *r;
  OK(sl_changelog_replay_new(&r, &e));
  sl_catalog_offset off = {.topic = "src", .partition = 1, .offset = 7};
  feed_entry(r, "n1", "a", "1");
  feed_entry(r, "n1", "b", "2");
  feed_boundary(r, 3, &off, 1);

  /* A crashed owner's unfinished checkpoint, then the next owner's reset
   * and full copy: the unfinished write of "b" and "z" is void. */
  feed_entry(r, "n1", "b", "999");
  feed_entry(r, "n1", "z", "9");
  feed_reset(r);
  /* The new owner's copy is unfinished too: checkpoint 3 stands. */
  feed_entry(r, "n1", "a", "1");
  assert_replay(r, "n1/a=1 n1/b=2");
  assert_int_equal(sl_changelog_replay_trailing(r), 4);

  feed_entry(r, "n1", "b", "2");
  off.offset = 9;
  feed_boundary(r, 4, &off, 1);
  assert_replay(r, "n1/a=1 n1/b=2");
  assert_int_equal(sl_changelog_replay_count(r), 2);
  assert_int_equal(sl_changelog_replay_checkpoint(r), 4);

  /* A reset followed by a smaller copy forgets what the copy lacks. */
  feed_reset(r);
  feed_entry(r, "n1", "b", "3");
  feed_boundary(r, 5, &off, 1);
  assert_replay(r, "n1/b=3");
  sl_changelog_replay_free(r);
}

static void test_replay_empty_values(void **state) {
  (void)state;
  sl_error e;
  sl_changelog_replay *r;
  OK(sl_changelog_replay_new(&r, &e));
  /* An empty value is a value, a tombstone of a missing key is nothing. */
  feed_entry(r, "n1", "empty", "");
  feed_entry(r, "n1", "never", NULL);
  feed_boundary(r, 1, NULL, 0);
  assert_int_equal(sl_changelog_replay_count(r), 1);
  assert_replay(r, "n1/empty=");
  int n = -1;
  sl_changelog_replay_offsets(r, &n);
  assert_int_equal(n, 0);
  sl_changelog_replay_free(r);
}

static void test_replay_many_keys(void **state) {
  (void)state;
  sl_error e;
  sl_changelog_replay *r;
  OK(sl_changelog_replay_new(&r, &e));
  char key[16], value[16];
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof(key), "k%d", i);
    snprintf(value, sizeof(value), "%d", i * 2);
    feed_entry(r, "n1", key, value);
  }
  for (int i = 0; i < 5000; i += 2) {
    snprintf(key, sizeof(key), "k%d", i);
    feed_entry(r, "n1", key, NULL);
  }
  feed_boundary(r, 1, NULL, 0);
  assert_int_equal(sl_changelog_replay_count(r), 2500);
  sl_changelog_replay_free(r);
}

static void test_replay_corrupt(void **state) {
  (void)state;
  sl_error e;
  sl_changelog_replay *r;
  OK(sl_changelog_replay_new(&r, &e));
  feed_entry(r, "n1", "a", "1");

  /* Unknown kind, an entry key shorter than its operator name, a value
   * without its tag, a truncated boundary, a boundary of version 2. */
  assert_int_equal(sl_changelog_replay_add(r, "X", 1, "v", 1, &e),
                   SL_ERR_RUNTIME);
  assert_non_null(strstr(e.message, "not a changelog record"));
  assert_int_equal(sl_changelog_replay_add(r, "E\0\5n1", 5, "Vv", 2, &e),
                   SL_ERR_RUNTIME);
  assert_int_equal(sl_changelog_replay_add(r, "E\0\2n1a", 6, "v", 1, &e),
                   SL_ERR_RUNTIME);
  assert_int_equal(sl_changelog_replay_add(r, "B", 1, "B\1\0\0", 4, &e),
                   SL_ERR_RUNTIME);
  assert_non_null(strstr(e.message, "corrupt"));
  static const char v2[] = "B\2\0\0\0\0\0\0\0\1"
                           "\0\0\0\0\0\0\0\0\0\0\0\0";
  assert_int_equal(sl_changelog_replay_add(r, "B", 1, v2, 22, &e),
                   SL_ERR_RUNTIME);
  assert_non_null(strstr(e.message, "version 2"));
  /* A boundary claiming one offset but carrying none. */
  static const char short1[] = "B\1\0\0\0\0\0\0\0\1"
                               "\0\0\0\0\0\0\0\0\0\0\0\1";
  assert_int_equal(sl_changelog_replay_add(r, "B", 1, short1, 22, &e),
                   SL_ERR_RUNTIME);

  /* None of them changed the replay. */
  assert_int_equal(sl_changelog_replay_trailing(r), 1);
  assert_int_equal(sl_changelog_replay_checkpoint(r), 0);
  feed_boundary(r, 2, NULL, 0);
  assert_replay(r, "n1/a=1");
  sl_changelog_replay_free(r);
}

/* ---- the store's partition functions ------------------------------------ */

static void put(sl_state *st, const char *op, int32_t p, const char *key,
                const char *value) {
  sl_error e;
  sl_state_table *t;
  OK(sl_state_table_get(st, op, p, &t, &e));
  OK(sl_state_put(t, key, strlen(key), value, strlen(value), &e));
}

static void test_state_partitions(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  int64_t id = -1;
  OK(sl_state_partition_checkpoint(st, -1, &id, &e));
  assert_int_equal(id, 0);

  put(st, "n1", 0, "a", "1");
  put(st, "n1", 1, "b", "2");
  put(st, "n2", 1, "c", "3");
  sl_catalog_offset both[2] = {{.topic = "s", .partition = 0, .offset = 5},
                               {.topic = "s", .partition = 1, .offset = 6}};
  OK(sl_state_checkpoint(st, both, 2, NULL, &id, &e));
  assert_int_equal(id, 1);
  both[1].offset = 9;
  OK(sl_state_checkpoint(st, &both[1], 1, NULL, &id, &e));
  assert_int_equal(id, 2);

  OK(sl_state_partition_checkpoint(st, 0, &id, &e));
  assert_int_equal(id, 1);
  OK(sl_state_partition_checkpoint(st, 1, &id, &e));
  assert_int_equal(id, 2);
  OK(sl_state_partition_checkpoint(st, -1, &id, &e));
  assert_int_equal(id, 2);
  OK(sl_state_partition_checkpoint(st, 7, &id, &e));
  assert_int_equal(id, 0);
  assert_store(st, 1, "n1/b=2 n2/c=3");
  assert_store(st, 0, "n1/a=1");

  /* Forgetting partition 1 clears memory and catalog alike. */
  OK(sl_state_reset_partition(st, 1, &e));
  assert_store(st, 1, "");
  OK(sl_state_partition_checkpoint(st, 1, &id, &e));
  assert_int_equal(id, 0);
  OK(sl_state_restore(st, &id, &e));
  assert_int_equal(id, 2);
  assert_store(st, 1, "");
  assert_store(st, 0, "n1/a=1");
  sl_catalog_offset *offs;
  int n;
  OK(sl_state_offsets(st, &offs, &n, &e));
  assert_int_equal(n, 1);
  assert_int_equal(offs[0].partition, 0);
  sl_state_offsets_free(offs, n);

  /* Ids continue past a checkpoint loaded from elsewhere. */
  sl_state_raise_checkpoint(st, 40);
  assert_int_equal(sl_state_last_checkpoint(st), 40);
  sl_state_raise_checkpoint(st, 30);
  assert_int_equal(sl_state_last_checkpoint(st), 40);
  put(st, "n1", 0, "a", "7");
  OK(sl_state_checkpoint(st, both, 1, NULL, &id, &e));
  assert_int_equal(id, 41);

  /* Everything at once. */
  OK(sl_state_reset_partition(st, -1, &e));
  assert_store(st, 0, "");
  OK(sl_state_restore(st, &id, &e));
  assert_store(st, 0, "");
  OK(sl_state_partition_checkpoint(st, -1, &id, &e));
  assert_int_equal(id, 0);
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* ---- the topic on the embedded broker ----------------------------------- */

static sl_kafka_broker *broker;
static sl_kafka_config *kcfg;

static int broker_setup(void **state) {
  (void)state;
  sl_error e;
  if (sl_kafka_broker_start(1, &broker, &e))
    return -1;
  kcfg = sl_kafka_config_new();
  return !kcfg || sl_kafka_broker_configure(broker, kcfg, &e) ? -1 : 0;
}

static int broker_teardown(void **state) {
  (void)state;
  sl_kafka_config_free(kcfg);
  sl_kafka_broker_stop(broker);
  return 0;
}

/* Reads changelog partitions 0..n-1 into r. */
static void read_all(sl_changelog *cl, int n, sl_changelog_replay **r) {
  sl_error e;
  int32_t parts[4] = {0, 1, 2, 3};
  OK(sl_changelog_read(cl, parts, n, NULL, 20000, r, &e));
}

static void test_topic_checkpoints(void **state) {
  (void)state;
  sl_error e;
  char name[256];
  sl_changelog_topic_name("svc", "win", name, sizeof(name));
  assert_string_equal(name, "_sluice-svc-win-changelog-0");

  sl_catalog *cat = NULL, *other = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  OK(sl_catalog_open(":memory:", &other, &e));
  sl_state *st = NULL, *moved = NULL;
  OK(sl_state_open(cat, "win", &st, &e));
  OK(sl_state_open(other, "win", &moved, &e));

  sl_changelog_spec spec = {.kafka = kcfg, .service = "svc",
                            .query_id = "win", .partitions = 2,
                            .replication = -1};
  sl_changelog *cl = NULL;
  OK(sl_changelog_open(&spec, &cl, &e));
  assert_string_equal(sl_changelog_topic(cl), "_sluice-svc-win-changelog-0");
  assert_true(sl_changelog_enabled(cl));
  sl_changelog_attach(cl, st);
  sl_changelog_hold(cl, 0, true);
  sl_changelog_hold(cl, 1, true);

  /* Checkpoint 1: entries on both partitions. */
  put(st, "n1", 0, "a", "1");
  put(st, "n1", 1, "b", "2");
  put(st, "n1", 1, "c", "3");
  sl_catalog_offset offs[2] = {{.topic = "src", .partition = 0, .offset = 3},
                               {.topic = "src", .partition = 1, .offset = 4}};
  int64_t id;
  OK(sl_state_checkpoint(st, offs, 2, NULL, &id, &e));
  assert_int_equal(id, 1);

  /* Checkpoint 2 deletes "b" and covers partition 1 only. */
  sl_state_table *t;
  OK(sl_state_table_get(st, "n1", 1, &t, &e));
  assert_true(sl_state_delete(t, "b", 1));
  offs[1].offset = 8;
  OK(sl_state_checkpoint(st, &offs[1], 1, NULL, &id, &e));
  assert_int_equal(id, 2);

  sl_changelog_replay *r[2];
  read_all(cl, 2, r);
  assert_int_equal(sl_changelog_replay_checkpoint(r[0]), 1);
  assert_replay(r[0], "n1/a=1");
  assert_int_equal(sl_changelog_replay_checkpoint(r[1]), 2);
  assert_int_equal(sl_changelog_replay_trailing(r[1]), 0);
  assert_replay(r[1], "n1/c=3");
  int n;
  const sl_catalog_offset *got = sl_changelog_replay_offsets(r[1], &n);
  assert_int_equal(n, 1);
  assert_string_equal(got[0].topic, "src");
  assert_int_equal(got[0].partition, 1);
  assert_int_equal(got[0].offset, 8);

  /* Partition 1 moves to an instance with another catalog, which has a
   * stale copy of it ("old") that must go. */
  put(moved, "n1", 1, "old", "x");
  sl_catalog_offset stale = {.topic = "src", .partition = 1, .offset = 1};
  OK(sl_state_checkpoint(moved, &stale, 1, NULL, &id, &e));
  sl_changelog *cl2 = NULL;
  OK(sl_changelog_open(&spec, &cl2, &e));
  sl_changelog_attach(cl2, moved);
  sl_changelog_hold(cl2, 1, true);
  OK(sl_changelog_load(cl2, moved, 1, r[1], &e));
  assert_store(moved, 1, "n1/c=3");
  assert_int_equal(sl_state_dirty(moved), 1);
  assert_int_equal(sl_state_last_checkpoint(moved), 2);
  sl_changelog_replay_free(r[0]);
  sl_changelog_replay_free(r[1]);

  /* Its first checkpoint (no new offsets: the loaded ones stand) writes
   * a full copy under id 3, and the catalog holds the loaded state. */
  put(moved, "n1", 1, "d", "4");
  OK(sl_state_checkpoint(moved, NULL, 0, NULL, &id, &e));
  assert_int_equal(id, 3);
  OK(sl_state_restore(moved, &id, &e));
  assert_store(moved, 1, "n1/c=3 n1/d=4");
  read_all(cl2, 2, r);
  assert_int_equal(sl_changelog_replay_checkpoint(r[1]), 3);
  assert_replay(r[1], "n1/c=3 n1/d=4");
  got = sl_changelog_replay_offsets(r[1], &n);
  assert_int_equal(n, 1);
  assert_int_equal(got[0].offset, 8);
  assert_int_equal(sl_changelog_replay_checkpoint(r[0]), 1);
  sl_changelog_replay_free(r[0]);
  sl_changelog_replay_free(r[1]);

  /* The first instance, which gave partition 1 away, still has a change
   * of it: that must not reach the changelog, nor a boundary of it. */
  sl_changelog_hold(cl, 1, false);
  put(st, "n1", 1, "c", "stale");
  put(st, "n1", 0, "a", "5");
  offs[0].offset = 9;
  OK(sl_state_checkpoint(st, offs, 2, NULL, &id, &e));
  read_all(cl, 2, r);
  assert_int_equal(sl_changelog_replay_checkpoint(r[0]), 3);
  assert_replay(r[0], "n1/a=5");
  assert_int_equal(sl_changelog_replay_checkpoint(r[1]), 3);
  assert_int_equal(sl_changelog_replay_trailing(r[1]), 0);
  assert_replay(r[1], "n1/c=3 n1/d=4");
  sl_changelog_replay_free(r[0]);
  sl_changelog_replay_free(r[1]);

  sl_changelog_free(cl);
  sl_changelog_free(cl2);
  sl_state_close(st);
  sl_state_close(moved);
  sl_catalog_close(cat);
  sl_catalog_close(other);
}

static void test_topic_one_state(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "agg", &st, &e));
  sl_changelog_spec spec = {.kafka = kcfg, .service = "svc",
                            .query_id = "agg", .partitions = 2,
                            .replication = -1, .one_state = true};
  sl_changelog *cl = NULL;
  OK(sl_changelog_open(&spec, &cl, &e));
  sl_changelog_attach(cl, st);
  /* Off until the instance holds every partition. */
  assert_false(sl_changelog_enabled(cl));

  put(st, "n1", 0, "a", "1");
  sl_catalog_offset offs[2] = {{.topic = "src", .partition = 0, .offset = 3},
                               {.topic = "src", .partition = 1, .offset = 4}};
  int64_t id;
  OK(sl_state_checkpoint(st, offs, 2, NULL, &id, &e));
  sl_changelog_replay *r[2];
  read_all(cl, 1, r);
  assert_int_equal(sl_changelog_replay_checkpoint(r[0]), 0);
  assert_int_equal(sl_changelog_replay_trailing(r[0]), 0);
  sl_changelog_replay_free(r[0]);

  /* Turned on: the next checkpoint is a full copy with every offset on
   * partition 0, although "a" did not change. */
  sl_changelog_enable(cl, true);
  put(st, "n1", 0, "b", "2");
  OK(sl_state_checkpoint(st, offs, 2, NULL, &id, &e));
  read_all(cl, 2, r);
  assert_int_equal(sl_changelog_replay_checkpoint(r[0]), 2);
  assert_replay(r[0], "n1/a=1 n1/b=2");
  int n;
  sl_changelog_replay_offsets(r[0], &n);
  assert_int_equal(n, 2);
  assert_int_equal(sl_changelog_replay_checkpoint(r[1]), 0);
  sl_changelog_replay_free(r[0]);
  sl_changelog_replay_free(r[1]);

  sl_changelog_free(cl);
  sl_state_close(st);
  sl_catalog_close(cat);
}

static void test_topic_definition(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "redo", &st, &e));
  sl_changelog_spec spec = {.kafka = kcfg, .service = "svc",
                            .query_id = "redo", .partitions = 1,
                            .replication = -1, .definition = 11};
  sl_changelog *old = NULL, *same = NULL, *other = NULL, *unknown = NULL;
  OK(sl_changelog_open(&spec, &old, &e));
  OK(sl_changelog_open(&spec, &same, &e));
  spec.definition = 12;
  OK(sl_changelog_open(&spec, &other, &e));
  spec.definition = 0;
  OK(sl_changelog_open(&spec, &unknown, &e));
  sl_changelog_attach(old, st);
  sl_changelog_hold(old, 0, true);
  put(st, "n1", 0, "a", "1");
  sl_catalog_offset off = {.topic = "src", .partition = 0, .offset = 2};
  int64_t id;
  OK(sl_state_checkpoint(st, &off, 1, NULL, &id, &e));

  /* The boundary carries the definition; only another one differs. */
  sl_changelog_replay *r;
  read_all(old, 1, &r);
  assert_int_equal(sl_changelog_replay_definition(r), 11);
  assert_true(sl_changelog_matches(same, r));
  assert_false(sl_changelog_matches(other, r));
  assert_true(sl_changelog_matches(unknown, r));
  sl_changelog_replay_free(r);

  sl_changelog_free(old);
  sl_changelog_free(same);
  sl_changelog_free(other);
  sl_changelog_free(unknown);
  sl_state_close(st);
  sl_catalog_close(cat);
}

static void test_topic_tail_probe(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "big", &st, &e));
  sl_changelog_spec spec = {.kafka = kcfg, .service = "svc",
                            .query_id = "big", .partitions = 1,
                            .replication = -1};
  sl_changelog *cl = NULL;
  OK(sl_changelog_open(&spec, &cl, &e));
  sl_changelog_attach(cl, st);
  sl_changelog_hold(cl, 0, true);

  /* Offsets 0..4999: checkpoint 1's entries, 5000 its boundary; 5001 and
   * 5002 checkpoint 2. */
  char key[16];
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof(key), "k%04d", i);
    put(st, "n1", 0, key, "v");
  }
  sl_catalog_offset off = {.topic = "src", .partition = 0, .offset = 1};
  int64_t id;
  OK(sl_state_checkpoint(st, &off, 1, NULL, &id, &e));
  put(st, "n1", 0, "extra", "v");
  off.offset = 2;
  OK(sl_state_checkpoint(st, &off, 1, NULL, &id, &e));
  assert_int_equal(id, 2);

  /* A caller at checkpoint 2 gets the last 4096 records only (offsets
   * 907 on: 4093 entries of checkpoint 1 and "extra"), with the right
   * checkpoint and offsets. */
  int32_t zero = 0;
  int64_t have = 2;
  sl_changelog_replay *r;
  OK(sl_changelog_read(cl, &zero, 1, &have, 20000, &r, &e));
  assert_int_equal(sl_changelog_replay_checkpoint(r), 2);
  assert_int_equal(sl_changelog_replay_count(r), 4094);
  int n;
  const sl_catalog_offset *got = sl_changelog_replay_offsets(r, &n);
  assert_int_equal(n, 1);
  assert_int_equal(got[0].offset, 2);
  sl_changelog_replay_free(r);

  /* One at checkpoint 1 needs the state: all of it is read. */
  have = 1;
  OK(sl_changelog_read(cl, &zero, 1, &have, 20000, &r, &e));
  assert_int_equal(sl_changelog_replay_checkpoint(r), 2);
  assert_int_equal(sl_changelog_replay_count(r), 5001);
  sl_changelog_replay_free(r);

  /* A checkpoint that never completed, longer than the probe: its
   * boundary is not among the last records, so all is read again. */
  sl_kafka_producer *p = NULL;
  OK(sl_kafka_producer_new(kcfg, NULL, &p, &e));
  sl_strbuf k = SL_STRBUF_INIT, v = SL_STRBUF_INIT;
  for (int i = 0; i < 5000; i++) {
    bool tomb;
    snprintf(key, sizeof(key), "k%04d", i);
    OK(sl_changelog_encode_entry("n1", key, strlen(key), "w", 1, &k, &v,
                                 &tomb, &e));
    sl_kafka_record rec = {.topic = sl_changelog_topic(cl), .partition = 0,
                           .key = k.data, .key_len = k.len,
                           .value = v.data, .value_len = v.len};
    OK(sl_kafka_produce(p, &rec, &e));
  }
  OK(sl_kafka_producer_flush(p, 20000, &e));
  sl_kafka_producer_free(p);
  sl_strbuf_free(&k);
  sl_strbuf_free(&v);
  have = 2;
  OK(sl_changelog_read(cl, &zero, 1, &have, 20000, &r, &e));
  assert_int_equal(sl_changelog_replay_checkpoint(r), 2);
  assert_int_equal(sl_changelog_replay_count(r), 5001);
  assert_int_equal(sl_changelog_replay_trailing(r), 5000);
  sl_changelog_replay_free(r);

  sl_changelog_free(cl);
  sl_state_close(st);
  sl_catalog_close(cat);
}

int main(void) {
  const struct CMUnitTest records[] = {
    cmocka_unit_test(test_record_layout),
    cmocka_unit_test(test_replay_to_boundary),
    cmocka_unit_test(test_replay_reset),
    cmocka_unit_test(test_replay_empty_values),
    cmocka_unit_test(test_replay_many_keys),
    cmocka_unit_test(test_replay_corrupt),
    cmocka_unit_test(test_state_partitions),
  };
  const struct CMUnitTest topic[] = {
    cmocka_unit_test(test_topic_checkpoints),
    cmocka_unit_test(test_topic_one_state),
    cmocka_unit_test(test_topic_definition),
    cmocka_unit_test(test_topic_tail_probe),
  };
  int failed = cmocka_run_group_tests_name("changelog records", records,
                                           NULL, NULL);
  failed += cmocka_run_group_tests_name("changelog topic", topic,
                                        broker_setup, broker_teardown);
  return failed;
}
