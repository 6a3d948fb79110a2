/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_state_log.c - the state store's on-disk forms: large tables
 * checkpointed as chunks of changes and replayed on restore, the
 * compaction that rewrites them, the switch back to rows when a table
 * shrinks, failing and killed commits, tables re-created over what is
 * stored, and corrupt chunks.  Every restore is compared with a model
 * kept beside the store.
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

#define NKEYS 1000

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

/* ---- the model -------------------------------------------------------- */

/* What a table should hold: value of key i, NULL when absent. */
typedef struct model {
  char *value[NKEYS];
} model;

static void model_free(model *m) {
  for (int i = 0; i < NKEYS; i++) {
    free(m->value[i]);
    m->value[i] = NULL;
  }
}

static void key_of(int i, char *buf, size_t size) {
  snprintf(buf, size, "k%04d", i);
}

/* A value of len bytes that names key i and a version. */
static char *value_of(int i, int version, size_t len) {
  char *v = malloc(len + 1);
  int n = snprintf(v, len + 1, "v%d.%d:", i, version);
  for (size_t j = (size_t)n; j < len; j++)
    v[j] = (char)('a' + (i + (int)j + version) % 26);
  v[len] = '\0';
  return v;
}

static void set(sl_state_table *t, model *m, int i, int version,
                size_t len) {
  sl_error e;
  char key[16];
  key_of(i, key, sizeof(key));
  char *v = value_of(i, version, len);
  OK(sl_state_put(t, key, strlen(key), v, strlen(v), &e));
  free(m->value[i]);
  m->value[i] = v;
}

static void unset(sl_state_table *t, model *m, int i) {
  char key[16];
  key_of(i, key, sizeof(key));
  bool present = m->value[i] != NULL;
  assert_int_equal(sl_state_delete(t, key, strlen(key)), present);
  free(m->value[i]);
  m->value[i] = NULL;
}

/* Fails unless t holds exactly what m says. */
static void assert_model(const sl_state_table *t, const model *m) {
  size_t expected = 0;
  for (int i = 0; i < NKEYS; i++) {
    char key[16];
    key_of(i, key, sizeof(key));
    size_t len = 0;
    const void *v = sl_state_get(t, key, strlen(key), &len);
    if (!m->value[i]) {
      if (v)
        fail_msg("key %s is present (%zu bytes), expected absent", key,
                 len);
      continue;
    }
    expected++;
    if (!v)
      fail_msg("key %s is absent, expected \"%.20s...\"", key, m->value[i]);
    if (len != strlen(m->value[i]) || memcmp(v, m->value[i], len) != 0)
      fail_msg("key %s holds \"%.*s\", expected \"%s\"", key, (int)len,
               (const char *)v, m->value[i]);
  }
  assert_int_equal(sl_state_count(t), expected);
}

/* Restores query's store from the file into a second store on cat and
 * compares table (op, partition) with m; *id gets the checkpoint. */
static void assert_restores(sl_catalog *cat, const char *query,
                            const char *op, int32_t partition,
                            const model *m, int64_t expected_id) {
  sl_error e;
  sl_state *st = NULL;
  OK(sl_state_open(cat, query, &st, &e));
  int64_t id = -1;
  OK(sl_state_restore(st, &id, &e));
  assert_int_equal(id, expected_id);
  sl_state_table *t;
  OK(sl_state_table_get(st, op, partition, &t, &e));
  assert_model(t, m);
  assert_int_equal(sl_state_dirty(st), 0);
  sl_state_close(st);
}

/* ---- the file --------------------------------------------------------- */

/* Rows of (query, operator, partition) in sluice_state_entries, and the
 * bytes of their values. */
static int64_t stored_rows(sl_catalog *cat, const char *query,
                           const char *op, int32_t partition,
                           int64_t *bytes) {
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(sl_catalog_sqlite(cat),
                                      "SELECT count(*), "
                                      "coalesce(sum(length(value)), 0)"
                                      "  FROM sluice_state_entries"
                                      " WHERE query = ? AND operator = ?"
                                      "   AND partition = ?",
                                      -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, op, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 3, partition);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(s, 0);
  if (bytes)
    *bytes = sqlite3_column_int64(s, 1);
  sqlite3_finalize(s);
  return n;
}

/* The checkpoint ids of the chunks of (query, op, partition), in order,
 * as "1,2" (each once). */
static void chunk_checkpoints(sl_catalog *cat, const char *query,
                              const char *op, int32_t partition, char *out,
                              size_t size) {
  char logop[64];
  snprintf(logop, sizeof(logop), "%s\x1f", op);
  sqlite3_stmt *s = NULL;
  assert_int_equal(sqlite3_prepare_v2(sl_catalog_sqlite(cat),
                                      "SELECT key FROM sluice_state_entries"
                                      " WHERE query = ? AND operator = ?"
                                      "   AND partition = ? ORDER BY key",
                                      -1, &s, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(s, 1, query, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, logop, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 3, partition);
  out[0] = '\0';
  long long last = -1;
  while (sqlite3_step(s) == SQLITE_ROW) {
    assert_int_equal(sqlite3_column_bytes(s, 0), 12);
    const unsigned char *k = sqlite3_column_blob(s, 0);
    long long id = 0;
    for (int i = 0; i < 8; i++)
      id = id << 8 | k[i];
    if (id == last)
      continue;
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%lld", len ? "," : "", id);
    last = id;
  }
  sqlite3_finalize(s);
}

static void assert_chunks(sl_catalog *cat, const char *query, const char *op,
                          int32_t partition, const char *expected) {
  char got[256];
  chunk_checkpoints(cat, query, op, partition, got, sizeof(got));
  if (strcmp(got, expected) != 0)
    fail_msg("chunks of checkpoints \"%s\", expected \"%s\"", got, expected);
}

/* ---- tests ------------------------------------------------------------ */

/* Many checkpoints of a large table, each changing, deleting and adding
 * keys: every one restores exactly, from chunks replayed over a base of
 * rows written while the table was small. */
static void test_restore_after_many_checkpoints(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "many", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "agg", 3, &t, &e));
  model m = {{0}};

  /* Small at first: rows. */
  for (int i = 0; i < 40; i++)
    set(t, &m, i, 0, 12);
  int64_t id;
  OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
  assert_int_equal(id, 1);
  assert_int_equal(stored_rows(cat, "many", "agg", 3, NULL), 40);
  assert_chunks(cat, "many", "agg", 3, "");
  assert_restores(cat, "many", "agg", 3, &m, 1);

  /* Then 30 rounds over a thousand keys. */
  unsigned seed = 7;
  for (int round = 1; round <= 30; round++) {
    for (int j = 0; j < 300; j++) {
      seed = seed * 1103515245u + 12345u;
      int i = (int)((seed >> 8) % NKEYS);
      if ((seed >> 4) % 5 == 0)
        unset(t, &m, i);
      else
        set(t, &m, i, round, 20 + (seed >> 12) % 60);
    }
    OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
    assert_int_equal(id, round + 1);
    assert_model(t, &m);
    assert_restores(cat, "many", "agg", 3, &m, round + 1);
  }

  /* The log stayed within its bound of the live state. */
  int64_t log_bytes = 0, live = 0;
  stored_rows(cat, "many", "agg\x1f", 3, &log_bytes);
  for (int i = 0; i < NKEYS; i++)
    if (m.value[i])
      live += 5 + (int64_t)strlen(m.value[i]);
  assert_true(log_bytes > 0);
  if (log_bytes > 2 * (live + 11 * NKEYS) + 64 * 1024 + 300 * 100)
    fail_msg("the log holds %lld bytes for %lld live", (long long)log_bytes,
             (long long)live);
  sl_state_close(st);
  model_free(&m);
  sl_catalog_close(cat);
}

/* Rewriting every key each time: compaction keeps exactly one or two
 * checkpoints' chunks, on the schedule its bound gives (200 keys of 5
 * bytes with values of 1,000: a chunk of 201,801 bytes, compacted when
 * a third would pass 471,936). */
static void test_compaction(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "compact", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "w", 0, &t, &e));
  model m = {{0}};
  const char *expected[] = {"", "1", "1,2", "3", "3,4", "5", "5,6", "7"};
  for (int round = 1; round <= 7; round++) {
    for (int i = 0; i < 200; i++)
      set(t, &m, i, round, 1000);
    int64_t id;
    OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
    assert_chunks(cat, "compact", "w", 0, expected[round]);
    int64_t bytes = 0;
    stored_rows(cat, "compact", "w\x1f", 0, &bytes);
    assert_int_equal(bytes, (round % 2 ? 1 : 2) * 201801);
    assert_int_equal(stored_rows(cat, "compact", "w", 0, NULL), 0);
    assert_restores(cat, "compact", "w", 0, &m, round);
  }
  sl_state_close(st);
  model_free(&m);
  sl_catalog_close(cat);
}

/* A large table that loses most of its keys goes back to rows: the
 * compaction that follows the deletions writes the ten left as rows and
 * no chunk. */
static void test_deletions_back_to_rows(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "shrink", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "join", 1, &t, &e));
  model m = {{0}};
  for (int i = 0; i < 500; i++)
    set(t, &m, i, 1, 300);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  assert_chunks(cat, "shrink", "join", 1, "1");
  assert_int_equal(stored_rows(cat, "shrink", "join", 1, NULL), 0);

  for (int i = 10; i < 500; i++)
    unset(t, &m, i);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  assert_chunks(cat, "shrink", "join", 1, "");
  assert_int_equal(stored_rows(cat, "shrink", "join", 1, NULL), 10);
  assert_restores(cat, "shrink", "join", 1, &m, 2);

  /* Small changes stay rows from then on. */
  set(t, &m, 3, 2, 40);
  unset(t, &m, 4);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  assert_chunks(cat, "shrink", "join", 1, "");
  assert_int_equal(stored_rows(cat, "shrink", "join", 1, NULL), 9);
  assert_restores(cat, "shrink", "join", 1, &m, 3);

  /* Everything gone: nothing stored. */
  for (int i = 0; i < 10; i++)
    unset(t, &m, i);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  assert_int_equal(stored_rows(cat, "shrink", "join", 1, NULL), 0);
  assert_int_equal(stored_rows(cat, "shrink", "join\x1f", 1, NULL), 0);
  assert_restores(cat, "shrink", "join", 1, &m, 4);
  sl_state_close(st);
  model_free(&m);
  sl_catalog_close(cat);
}

static int refuse_commit(void *ud) {
  (void)ud;
  return 1;
}

/* A commit that fails (SQLite rolls it back) leaves the file at the last
 * checkpoint and the changes dirty, in every form, compaction included;
 * the next checkpoint writes them. */
static void test_failing_commit(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "fails", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "w", 0, &t, &e));
  model m = {{0}}, saved = {{0}};
  for (int round = 1; round <= 2; round++) {
    for (int i = 0; i < 200; i++)
      set(t, &m, i, round, 1000);
    OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  }
  assert_chunks(cat, "fails", "w", 0, "1,2");
  for (int i = 0; i < NKEYS; i++)
    saved.value[i] = m.value[i] ? strdup(m.value[i]) : NULL;

  /* This one would compact; its commit fails. */
  for (int i = 0; i < 200; i += 2)
    unset(t, &m, i);
  for (int i = 1; i < 200; i += 2)
    set(t, &m, i, 3, 1000);
  sqlite3_commit_hook(sl_catalog_sqlite(cat), refuse_commit, NULL);
  assert_int_not_equal(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e),
                       SL_OK);
  sqlite3_commit_hook(sl_catalog_sqlite(cat), NULL, NULL);
  assert_int_equal(sl_state_dirty(st), 200);
  assert_int_equal(sl_state_last_checkpoint(st), 2);
  assert_chunks(cat, "fails", "w", 0, "1,2");
  assert_restores(cat, "fails", "w", 0, &saved, 2);

  /* The retry writes the same changes under the id the failure freed. */
  int64_t id;
  OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
  assert_int_equal(id, 3);
  assert_chunks(cat, "fails", "w", 0, "3");
  assert_restores(cat, "fails", "w", 0, &m, 3);

  /* And the log goes on from what was really written. */
  for (int i = 1; i < 200; i += 2)
    set(t, &m, i, 4, 1000);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, &id, &e));
  assert_chunks(cat, "fails", "w", 0, "3,4");
  assert_restores(cat, "fails", "w", 0, &m, 4);
  sl_state_close(st);
  model_free(&m);
  model_free(&saved);
  sl_catalog_close(cat);
}

static int kill_on_commit(void *ud) {
  (void)ud;
  raise(SIGKILL);
  return 0;
}

/* A process killed as the checkpoint that compacts commits: the file
 * keeps the chunks of the two checkpoints before. */
static void test_killed_while_compacting(void **state) {
  (void)state;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    sl_error e;
    sl_catalog *cat = NULL;
    sl_state *st = NULL;
    sl_state_table *t;
    if (sl_catalog_open(path, &cat, &e) ||
        sl_state_open(cat, "killed", &st, &e) ||
        sl_state_table_get(st, "w", 0, &t, &e))
      _exit(10);
    for (int round = 1; round <= 3; round++) {
      for (int i = 0; i < 200; i++) {
        char key[16];
        key_of(i, key, sizeof(key));
        char *v = value_of(i, round, 1000);
        sl_status rc = sl_state_put(t, key, strlen(key), v, strlen(v), &e);
        free(v);
        if (rc)
          _exit(11);
      }
      if (round == 3)
        sqlite3_commit_hook(sl_catalog_sqlite(cat), kill_on_commit, NULL);
      if (sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e))
        _exit(12);
    }
    _exit(13);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGKILL);

  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  assert_chunks(cat, "killed", "w", 0, "1,2");
  model m = {{0}};
  for (int i = 0; i < 200; i++)
    m.value[i] = value_of(i, 2, 1000);
  assert_restores(cat, "killed", "w", 0, &m, 2);
  model_free(&m);
  sl_catalog_close(cat);
}

/* A partition released and met again starts empty in memory while the
 * file keeps its chunks: what it writes lands on top of them (as rows
 * do), and it is not compacted away until a restore loads it whole. */
static void test_table_recreated_over_stored(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "again", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "w", 2, &t, &e));
  model m = {{0}};
  for (int i = 0; i < 200; i++)
    set(t, &m, i, 1, 1000);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  sl_state_release_partition(st, 2);

  OK(sl_state_table_get(st, "w", 2, &t, &e));
  assert_int_equal(sl_state_count(t), 0);
  model mine = {{0}};
  for (int round = 2; round <= 4; round++) {
    for (int i = 100; i < 300; i++) {
      set(t, &mine, i, round, 1000);
      free(m.value[i]);
      m.value[i] = strdup(mine.value[i]);
    }
    OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  }
  assert_chunks(cat, "again", "w", 2, "1,2,3,4");
  assert_model(t, &mine);
  assert_restores(cat, "again", "w", 2, &m, 4);

  /* Restored, the table is whole again and compacts. */
  OK(sl_state_restore(st, NULL, &e));
  OK(sl_state_table_get(st, "w", 2, &t, &e));
  assert_model(t, &m);
  for (int i = 0; i < 300; i++)
    set(t, &m, i, 5, 1000);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  assert_chunks(cat, "again", "w", 2, "5");
  assert_restores(cat, "again", "w", 2, &m, 5);
  sl_state_close(st);
  model_free(&m);
  model_free(&mine);
  sl_catalog_close(cat);
}

typedef struct counted {
  int entries;
  int gone;
  int boundaries;
} counted;

static sl_status count_entry(void *ud, int64_t checkpoint, const char *op,
                             int32_t partition, const void *key, size_t klen,
                             const void *value, size_t vlen, sl_error *err) {
  (void)checkpoint;
  (void)op;
  (void)partition;
  (void)key;
  (void)klen;
  (void)vlen;
  (void)err;
  counted *c = ud;
  c->entries++;
  c->gone += value == NULL;
  return SL_OK;
}

static sl_status count_boundary(void *ud, int64_t checkpoint,
                                const sl_catalog_offset *offsets, int n,
                                sl_error *err) {
  (void)checkpoint;
  (void)offsets;
  (void)n;
  (void)err;
  ((counted *)ud)->boundaries++;
  return SL_OK;
}

/* The changelog sees every changed key whatever the form, and only
 * them: compaction writes no changelog entries of its own. */
static void test_changelog_sees_changes(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "cl", &st, &e));
  counted c = {0, 0, 0};
  sl_state_changelog cl = {count_entry, count_boundary, &c};
  sl_state_set_changelog(st, &cl);
  sl_state_table *t;
  OK(sl_state_table_get(st, "w", 0, &t, &e));
  model m = {{0}};
  for (int round = 1; round <= 3; round++)
    for (int i = 0; i < 200; i++)
      set(t, &m, i, round, 1000);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  for (int i = 0; i < 150; i++)
    unset(t, &m, i);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  assert_int_equal(c.entries, 350);
  assert_int_equal(c.gone, 150);
  assert_int_equal(c.boundaries, 2);
  sl_state_set_changelog(st, NULL);
  sl_state_close(st);
  model_free(&m);
  sl_catalog_close(cat);
}

/* A chunk that does not parse fails the restore, naming the table. */
static void test_corrupt_chunk(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(path, &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "bad", &st, &e));
  sl_state_table *t;
  OK(sl_state_table_get(st, "w", 5, &t, &e));
  model m = {{0}};
  for (int i = 0; i < 100; i++)
    set(t, &m, i, 1, 30);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  sl_state_close(st);
  model_free(&m);

  /* Cut the chunk inside its last record. */
  assert_int_equal(sqlite3_exec(sl_catalog_sqlite(cat),
                                "UPDATE sluice_state_entries"
                                "   SET value = substr(value, 1,"
                                "                      length(value) - 3)"
                                " WHERE query = 'bad'",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  OK(sl_state_open(cat, "bad", &st, &e));
  assert_int_equal(sl_state_restore(st, NULL, &e), SL_ERR_RUNTIME);
  assert_string_equal(e.message, "state of query \"bad\" operator \"w\" "
                                 "partition 5 is corrupt");
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* Operator names may not hold the byte that marks chunks. */
static void test_reserved_name(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  sl_state_table *t = NULL;
  assert_int_equal(sl_state_table_get(st, "a\x1f", 0, &t, &e),
                   SL_ERR_INTERNAL);
  assert_null(t);
  sl_state_close(st);
  sl_catalog_close(cat);
}

/* sl_state_size follows puts, overwrites and deletions. */
static void test_size(void **state) {
  (void)state;
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_state *st = NULL;
  OK(sl_state_open(cat, "q", &st, &e));
  sl_state_table *a, *b;
  OK(sl_state_table_get(st, "a", 0, &a, &e));
  OK(sl_state_table_get(st, "b", 0, &b, &e));
  OK(sl_state_put(a, "k1", 2, "xyz", 3, &e));
  OK(sl_state_put(a, "k1", 2, "0123456789", 10, &e));
  OK(sl_state_put(a, "k2", 2, "", 0, &e));
  OK(sl_state_put(b, "key", 3, "v", 1, &e));
  int64_t entries, bytes;
  sl_state_size(st, &entries, &bytes);
  assert_int_equal(entries, 3);
  assert_int_equal(bytes, 12 + 2 + 4);
  assert_true(sl_state_delete(a, "k1", 2));
  sl_state_size(st, &entries, &bytes);
  assert_int_equal(entries, 2);
  assert_int_equal(bytes, 2 + 4);
  OK(sl_state_checkpoint(st, NULL, 0, NULL, NULL, &e));
  sl_state_size(st, &entries, &bytes);
  assert_int_equal(entries, 2);
  assert_int_equal(bytes, 2 + 4);
  sl_state_close(st);
  sl_catalog_close(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_restore_after_many_checkpoints, fresh),
    cmocka_unit_test_setup(test_compaction, fresh),
    cmocka_unit_test_setup(test_deletions_back_to_rows, fresh),
    cmocka_unit_test_setup(test_failing_commit, fresh),
    cmocka_unit_test_setup(test_killed_while_compacting, fresh),
    cmocka_unit_test_setup(test_table_recreated_over_stored, fresh),
    cmocka_unit_test_setup(test_changelog_sees_changes, fresh),
    cmocka_unit_test_setup(test_corrupt_chunk, fresh),
    cmocka_unit_test_setup(test_reserved_name, fresh),
    cmocka_unit_test_setup(test_size, fresh),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
