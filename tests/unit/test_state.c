/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_state.c - the state store: keyed maps, checkpoints with their
 * offsets, restore, and processes killed between and during checkpoints.
 */
#include "test_util.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/state.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, e.message);           \
  } while (0)

static char *dir;
static char path[1100];

static int setup(void **state) {
  (void)state;
  dir = test_tmpdir();
  if (!dir)
    return -1;
  snprintf(path, sizeof(path), "%s/state.db", dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  test_rmtree(dir);
  free(dir);
  return 0;
}

/* Each test starts from a fresh file. */
static int fresh(void **state) {
  (void)state;
  char name[1200];
  const char *suffixes[] = {"", "-wal", "-shm"};
  for (int i = 0; i < 3; i++) {
    snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
    remove(name);
  }
  return 0;
}

static void put(sl_state_table *t, const char *key, const char *value) {
  sl_error e;
  OK(sl_state_put(t, key, strlen(key), value, strlen(value), &e));
}

static const char *get(sl_state_table *t, const char *key) {
  static char buf[256];
  size_t len = 0;
  const void *v = sl_state_get(t, key, strlen(key), &len);
  if (!v)
    return NULL;
  snprintf(buf, sizeof(buf), "%.*s", (int)len, (const char *)v);
  return buf;
}

/* All entries of a table as sorted "key=value" lines. */
static char *dump(const sl_state_table *t) {
  char *lines[4096];
  int n = 0;
  sl_state_iter it;
  sl_state_iter_init(&it, t);
  const void *k, *v;
  size_t kl, vl;
  while (sl_state_iter_next(&it, &k, &kl, &v, &vl) && n < 4096) {
    lines[n] = malloc(kl + vl + 2);
    sprintf(lines[n], "%.*s=%.*s", (int)kl, (const char *)k, (int)vl,
            (const char *)v);
    n++;
  }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
      char *tmp = lines[j];
      lines[j] = lines[j - 1];
      lines[j - 1] = tmp;
    }
  size_t size = 1;
  for (int i = 0; i < n; i++)
    size += strlen(lines[i]) + 1;
  char *out = calloc(1, size);
  for (int i = 0; i < n; i++) {
    strcat(out, lines[i]);
    if (i + 1 < n)
      strcat(out, " ");
    free(lines[i]);
  }
  return out;
}

static void assert_dump(const sl_state_table *t, const char *expected) {
  char *got = dump(t);
  if (strcmp(got, expected) != 0) {
    print_error("state is \"%s\", expected \"%s\"\n", got, expected);
    free(got);
    fail();
  }
  free(got);
}

/* ---- the maps --------------------------------------------------------- */

static void test_put_get_delete(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  sl_state_table *t = NULL, *other = NULL, *again = NULL;
  OK(sl_state_table_get(st, "agg", 0, &t, &e));
  OK(sl_state_table_get(st, "agg", 1, &other, &e));
  OK(sl_state_table_get(st, "agg", 0, &again, &e));
  assert_ptr_equal(t, again);
  assert_ptr_not_equal(t, other);

  put(t, "a", "1");
  put(t, "b", "2");
  put(t, "a", "one");
  assert_string_equal(get(t, "a"), "one");
  assert_string_equal(get(t, "b"), "2");
  assert_null(get(other, "a"));
  assert_int_equal(sl_state_count(t), 2);

  /* Empty values and binary keys are values like any other. */
  OK(sl_state_put(t, "\0k", 2, "", 0, &e));
  size_t len = 99;
  assert_non_null(sl_state_get(t, "\0k", 2, &len));
  assert_int_equal(len, 0);
  assert_null(sl_state_get(t, "\0j", 2, &len));

  assert_true(sl_state_delete(t, "b", 1));
  assert_false(sl_state_delete(t, "b", 1));
  assert_null(get(t, "b"));
  assert_int_equal(sl_state_count(t), 2);
  put(t, "b", "back");
  assert_string_equal(get(t, "b"), "back");
  assert_int_equal(sl_state_dirty(st), 3);

  /* Many keys: the table grows and keeps them all. */
  char key[32], value[32];
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof(key), "key%d", i);
    snprintf(value, sizeof(value), "%d", i * 7);
    put(other, key, value);
  }
  assert_int_equal(sl_state_count(other), 5000);
  assert_string_equal(get(other, "key4999"), "34993");
  assert_string_equal(get(other, "key0"), "0");
  size_t seen = 0;
  sl_state_iter it;
  sl_state_iter_init(&it, other);
  const void *k, *v;
  size_t kl, vl;
  while (sl_state_iter_next(&it, &k, &kl, &v, &vl))
    seen++;
  assert_int_equal(seen, 5000);
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* ---- checkpoints ------------------------------------------------------ */

static void test_checkpoint_and_restore(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "windows", &st, &e));
  sl_state_table *t0, *t1;
  OK(sl_state_table_get(st, "count", 0, &t0, &e));
  OK(sl_state_table_get(st, "count", 1, &t1, &e));
  put(t0, "alice", "3");
  put(t0, "bob", "1");
  put(t1, "carol", "9");
  sl_catalog_offset offsets[] = {{"payments", 0, 120}, {"payments", 1, 7}};
  int64_t id = 0;
  OK(sl_state_checkpoint(st, offsets, 2, NULL, &id, &e));
  assert_int_equal(id, 1);
  assert_int_equal(sl_state_dirty(st), 0);

  put(t0, "alice", "4");
  assert_true(sl_state_delete(t0, "bob", 3));
  put(t1, "dave", "2");
  offsets[0].offset = 130;
  OK(sl_state_checkpoint(st, offsets, 1, NULL, &id, &e));
  assert_int_equal(id, 2);
  assert_dump(t0, "alice=4");

  /* A checkpoint with nothing dirty still moves the offsets. */
  offsets[1].offset = 8;
  OK(sl_state_checkpoint(st, &offsets[1], 1, NULL, &id, &e));
  assert_int_equal(id, 3);
  sl_state_close(st);
  sl_catalog_close(cat);

  OK(sl_catalog_open(path, &cat, &e));
  OK(sl_state_open(cat, "windows", &st, &e));
  OK(sl_state_restore(st, &id, &e));
  assert_int_equal(id, 3);
  assert_int_equal(sl_state_last_checkpoint(st), 3);
  OK(sl_state_table_get(st, "count", 0, &t0, &e));
  OK(sl_state_table_get(st, "count", 1, &t1, &e));
  assert_dump(t0, "alice=4");
  assert_dump(t1, "carol=9 dave=2");
  assert_int_equal(sl_state_dirty(st), 0);
  sl_catalog_offset *got = NULL;
  int n = 0;
  OK(sl_state_offsets(st, &got, &n, &e));
  assert_int_equal(n, 2);
  assert_string_equal(got[0].topic, "payments");
  assert_int_equal(got[0].partition, 0);
  assert_int_equal(got[0].offset, 130);
  assert_int_equal(got[1].partition, 1);
  assert_int_equal(got[1].offset, 8);
  sl_state_offsets_free(got, n);

  /* Another query's store starts empty. */
  sl_state *other = NULL;
  OK(sl_state_open(cat, "other", &other, &e));
  OK(sl_state_restore(other, &id, &e));
  assert_int_equal(id, 0);
  OK(sl_state_offsets(other, &got, &n, &e));
  assert_int_equal(n, 0);
  sl_state_close(other);

  /* Checkpoints go on numbering after a restore. */
  put(t0, "erin", "5");
  OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
  assert_int_equal(id, 4);
  sl_state_close(st);
  sl_catalog_close(cat);
}

static void test_checkpoint_updates_query(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_catalog_object *s = sl_catalog_object_new(SL_CATALOG_STREAM, "s",
                                               "CREATE STREAM s");
  OK(sl_catalog_create(cat, s, false, NULL, &e));
  sl_catalog_object_free(s);
  sl_catalog_query *q = sl_catalog_query_new("counts", "SELECT ...", NULL);
  OK(sl_catalog_query_add_dep(q, "s", &e));
  OK(sl_catalog_query_create(cat, q, NULL, &e));
  sl_catalog_query_free(q);

  sl_state *st = NULL;
  OK(sl_state_open(cat, "counts", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "agg", 0, &t, &e));
  put(t, "k", "v");
  sl_catalog_offset off = {"s", 0, 55};
  sl_catalog_counters counters = {55, 3, 1, 2};
  OK(sl_state_checkpoint(st, &off, 1, &counters, NULL, &e));

  OK(sl_catalog_query_get(cat, "counts", &q, &e));
  assert_int_equal(q->noffsets, 1);
  assert_int_equal(q->offsets[0].offset, 55);
  assert_int_equal(q->counters.records_in, 55);
  assert_int_equal(q->counters.records_out, 3);
  assert_int_equal(q->counters.records_failed, 1);
  assert_int_equal(q->counters.records_late, 2);
  sl_catalog_query_free(q);
  sl_state_close(st);

  /* Deleting the terminated query removes its state. */
  OK(sl_catalog_query_set_state(cat, "counts", SL_QUERY_TERMINATED, NULL,
                                &e));
  OK(sl_catalog_query_delete(cat, "counts", &e));
  OK(sl_state_open(cat, "counts", &st, &e));
  int64_t id = -1;
  OK(sl_state_restore(st, &id, &e));
  assert_int_equal(id, 0);
  OK(sl_state_table_get(st, "agg", 0, &t, &e));
  assert_int_equal(sl_state_count(t), 0);
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* ---- changelog boundaries --------------------------------------------- */

typedef struct changelog {
  char log[1024];
  bool fail_boundary;
} changelog;

static sl_status on_entry(void *ud, int64_t checkpoint, const char *op,
                          int32_t partition, const void *key, size_t klen,
                          const void *value, size_t vlen, sl_error *err) {
  (void)err;
  changelog *c = ud;
  size_t len = strlen(c->log);
  snprintf(c->log + len, sizeof(c->log) - len, "%lld:%s/%d/%.*s=%.*s ",
           (long long)checkpoint, op, partition, (int)klen,
           (const char *)key, value ? (int)vlen : 6,
           value ? (const char *)value : "<gone>");
  return SL_OK;
}

static sl_status on_boundary(void *ud, int64_t checkpoint,
                             const sl_catalog_offset *offsets, int n,
                             sl_error *err) {
  changelog *c = ud;
  size_t len = strlen(c->log);
  snprintf(c->log + len, sizeof(c->log) - len, "|%lld@%lld",
           (long long)checkpoint, n ? (long long)offsets[0].offset : -1LL);
  if (c->fail_boundary)
    return sl_error_set(err, SL_ERR_KAFKA, "changelog topic unavailable");
  return SL_OK;
}

static void test_changelog_boundaries(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  changelog c = {"", false};
  sl_state_changelog cl = {on_entry, on_boundary, &c};
  sl_state_set_changelog(st, &cl);
  sl_state_table *t;
  OK(sl_state_table_get(st, "join", 2, &t, &e));
  put(t, "x", "1");
  sl_catalog_offset off = {"t", 2, 10};
  OK(sl_state_checkpoint(st, &off, 1, NULL, NULL, &e));
  assert_string_equal(c.log, "1:join/2/x=1 |1@10");

  /* A failing boundary aborts the checkpoint: nothing is written, the
   * change stays dirty, and the id is reused. */
  c.log[0] = '\0';
  c.fail_boundary = true;
  sl_state_delete(t, "x", 1);
  off.offset = 20;
  assert_int_equal(sl_state_checkpoint(st, &off, 1, NULL, NULL, &e),
                   SL_ERR_KAFKA);
  assert_string_equal(e.message, "checkpoint 2 of query \"q\": changelog "
                                 "topic unavailable");
  assert_int_equal(sl_state_dirty(st), 1);
  assert_int_equal(sl_state_last_checkpoint(st), 1);

  c.log[0] = '\0';
  c.fail_boundary = false;
  int64_t id;
  OK(sl_state_checkpoint(st, &off, 1, NULL, &id, &e));
  assert_int_equal(id, 2);
  assert_string_equal(c.log, "2:join/2/x=<gone> |2@20");
  sl_state_set_changelog(st, NULL);
  sl_state_close(st);
  sl_catalog_close(cat);
}

static void test_release_partition(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  sl_state_table *t0, *t1;
  OK(sl_state_table_get(st, "agg", 0, &t0, &e));
  OK(sl_state_table_get(st, "agg", 1, &t1, &e));
  put(t0, "a", "1");
  put(t1, "b", "2");
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  sl_state_release_partition(st, 1);
  OK(sl_state_table_get(st, "agg", 1, &t1, &e));
  assert_int_equal(sl_state_count(t1), 0);

  /* The released partition stays in the checkpoint for its next owner. */
  OK(sl_state_restore(st, NULL, &e));
  OK(sl_state_table_get(st, "agg", 1, &t1, &e));
  assert_string_equal(get(t1, "b"), "2");
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* Two tasks sharing a store: each checkpoint covers its own
 * partitions only, and a partition whose tables ran ahead of their
 * checkpoint comes back as checkpointed. */
static void test_scoped_checkpoint_and_reload(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  sl_state_table *t0, *t1;
  OK(sl_state_table_get(st, "agg", 0, &t0, &e));
  OK(sl_state_table_get(st, "agg", 1, &t1, &e));
  put(t0, "a", "1");
  put(t1, "b", "2");

  int32_t mine[] = {0};
  sl_state_scope scope = {.partitions = mine, .npartitions = 1};
  OK(sl_state_checkpoint_scope(st, &scope, NULL, 0, NULL, NULL, &e));
  assert_int_equal(sl_state_partition_dirty(st, 0), 0);
  assert_int_equal(sl_state_partition_dirty(st, 1), 1);
  int64_t entries = 0, bytes = 0;
  sl_state_size_of(st, &scope, &entries, &bytes);
  assert_int_equal(entries, 1);

  /* Partition 1 was never checkpointed: reloading empties it. */
  OK(sl_state_reload_partition(st, 1, &e));
  OK(sl_state_table_get(st, "agg", 1, &t1, &e));
  assert_int_equal(sl_state_count(t1), 0);

  /* Partition 0 ran ahead of its checkpoint: it comes back as it was. */
  put(t0, "a", "5");
  put(t0, "c", "3");
  assert_int_equal(sl_state_partition_dirty(st, 0), 2);
  OK(sl_state_reload_partition(st, 0, &e));
  OK(sl_state_table_get(st, "agg", 0, &t0, &e));
  assert_dump(t0, "a=1");
  assert_int_equal(sl_state_partition_dirty(st, 0), 0);
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* ---- crashes ---------------------------------------------------------- */

static int commits_before_kill;

/* Kills the process at the n-th commit, before it reaches the file. */
static int kill_on_commit(void *ud) {
  (void)ud;
  if (--commits_before_kill == 0)
    raise(SIGKILL);
  return 0;
}

/* Kills the process after a checkpoint has written everything but
 * before it commits. */
static sl_status kill_at_boundary(void *ud, int64_t checkpoint,
                                  const sl_catalog_offset *offsets, int n,
                                  sl_error *err) {
  (void)ud;
  (void)checkpoint;
  (void)offsets;
  (void)n;
  (void)err;
  raise(SIGKILL);
  return SL_OK;
}

typedef enum death {
  EXIT_UNSAVED,     /* exits with changes after checkpoint 1 unsaved */
  KILL_IN_WRITE,    /* killed inside checkpoint 2, all written */
  KILL_AT_COMMIT    /* killed as checkpoint 2 commits */
} death;

/* The child: checkpoint 1, more changes, then death as given. */
static void child(death how) {
  sl_error e;
  sl_catalog *cat = NULL;
  if (sl_catalog_open(path, &cat, &e))
    _exit(10);
  sl_state *st = NULL;
  sl_state_table *t0, *t1;
  if (sl_state_open(cat, "crash", &st, &e) ||
      sl_state_table_get(st, "agg", 0, &t0, &e) ||
      sl_state_table_get(st, "agg", 1, &t1, &e))
    _exit(11);
  char key[32], value[32];
  for (int i = 0; i < 200; i++) {
    snprintf(key, sizeof(key), "k%03d", i);
    snprintf(value, sizeof(value), "v%d", i);
    if (sl_state_put(i % 2 ? t1 : t0, key, strlen(key), value,
                     strlen(value), &e))
      _exit(12);
  }
  sl_catalog_offset off[] = {{"in", 0, 100}, {"in", 1, 100}};
  if (sl_state_checkpoint(st, off, 2, NULL, NULL, &e))
    _exit(13);

  /* Changes after checkpoint 1 that must not survive. */
  for (int i = 0; i < 200; i += 3) {
    snprintf(key, sizeof(key), "k%03d", i);
    if (i % 2)
      sl_state_delete(t1, key, strlen(key));
    else if (sl_state_put(t0, key, strlen(key), "changed", 7, &e))
      _exit(14);
  }
  if (sl_state_put(t0, "new", 3, "key", 3, &e))
    _exit(15);
  off[0].offset = 250;
  if (how == KILL_AT_COMMIT) {
    commits_before_kill = 1;
    sqlite3_commit_hook(sl_catalog_sqlite(cat), kill_on_commit, NULL);
  } else if (how == KILL_IN_WRITE) {
    sl_state_changelog cl = {NULL, kill_at_boundary, NULL};
    sl_state_set_changelog(st, &cl);
  }
  if (how != EXIT_UNSAVED) {
    sl_state_checkpoint(st, off, 2, NULL, NULL, &e);
    _exit(16);
  }
  _exit(0);
}

static void restored_equals_checkpoint_one(death how) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    child(how);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (how != EXIT_UNSAVED) {
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
  } else {
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }

  /* What checkpoint 1 held, computed independently. */
  char expected0[4096] = "", expected1[4096] = "";
  for (int i = 0; i < 200; i++) {
    char item[32];
    snprintf(item, sizeof(item), "%sk%03d=v%d", "", i, i);
    char *buf = i % 2 ? expected1 : expected0;
    if (buf[0])
      strcat(buf, " ");
    strcat(buf, item);
  }

  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "crash", &st, &e));
  int64_t id = 0;
  OK(sl_state_restore(st, &id, &e));
  assert_int_equal(id, 1);
  sl_state_table *t0, *t1;
  OK(sl_state_table_get(st, "agg", 0, &t0, &e));
  OK(sl_state_table_get(st, "agg", 1, &t1, &e));
  assert_int_equal(sl_state_count(t0), 100);
  assert_int_equal(sl_state_count(t1), 100);
  assert_dump(t0, expected0);
  assert_dump(t1, expected1);
  assert_null(get(t0, "new"));
  sl_catalog_offset *off = NULL;
  int n = 0;
  OK(sl_state_offsets(st, &off, &n, &e));
  assert_int_equal(n, 2);
  assert_int_equal(off[0].offset, 100);
  assert_int_equal(off[1].offset, 100);
  sl_state_offsets_free(off, n);

  /* The survivor checkpoints on from there. */
  put(t0, "after", "restart");
  OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
  assert_int_equal(id, 2);
  sl_state_close(st);
  sl_catalog_close(cat);
}

static void test_killed_between_checkpoints(void **state) {
  (void)state;
  restored_equals_checkpoint_one(EXIT_UNSAVED);
}

static void test_killed_during_checkpoint(void **state) {
  (void)state;
  restored_equals_checkpoint_one(KILL_IN_WRITE);
}

static void test_killed_at_checkpoint_commit(void **state) {
  (void)state;
  restored_equals_checkpoint_one(KILL_AT_COMMIT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_put_get_delete, fresh),
    cmocka_unit_test_setup(test_checkpoint_and_restore, fresh),
    cmocka_unit_test_setup(test_checkpoint_updates_query, fresh),
    cmocka_unit_test_setup(test_changelog_boundaries, fresh),
    cmocka_unit_test_setup(test_release_partition, fresh),
    cmocka_unit_test_setup(test_scoped_checkpoint_and_reload, fresh),
    cmocka_unit_test_setup(test_killed_between_checkpoints, fresh),
    cmocka_unit_test_setup(test_killed_during_checkpoint, fresh),
    cmocka_unit_test_setup(test_killed_at_checkpoint_commit, fresh),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
