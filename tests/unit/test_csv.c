/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_csv.c - the CSV reader and LOAD into tables: RFC 4180 quoting,
 * header mapping, conversions, bad files with their exact messages, the
 * fail and skip policies, and the shared data sets.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "catalog/csv.h"
#include "catalog/lookup.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

#define OK(call)                                                          \
  do {                                                                    \
    sl_status ok_rc_ = (call);                                            \
    if (ok_rc_ != SL_OK)                                                  \
      fail_msg("%s failed (%d): %s", #call, ok_rc_, e.message);           \
  } while (0)

static sl_type *T(const char *sql) {
  sl_type *type = NULL;
  sl_error err;
  if (sl_type_from_sql(sql, &type, &err))
    fail_msg("bad type %s: %s", sql, err.message);
  return type;
}

/* ---- fixtures ---------------------------------------------------------- */

static char *dir;

static int setup(void **state) {
  (void)state;
  dir = test_tmpdir();
  return dir ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  test_rmtree(dir);
  free(dir);
  return 0;
}

/* Writes text to a file named name in the test directory; returns its
 * path (static storage, one at a time). */
static const char *write_file(const char *name, const char *text) {
  static char path[1024];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fwrite(text, 1, strlen(text), f);
  fclose(f);
  return path;
}

/* Formats an error as the terminal shows it, without the directory. */
static const char *shown(const sl_error *err) {
  static char buf[2048];
  char full[2048];
  sl_error_format(err, full, sizeof(full));
  size_t n = strlen(dir);
  if (strncmp(full, dir, n) == 0 && full[n] == '/')
    snprintf(buf, sizeof(buf), "%s", full + n + 1);
  else
    snprintf(buf, sizeof(buf), "%s", full);
  return buf;
}

static const char *reason_shown(const char *reason) {
  static char buf[2048];
  size_t n = strlen(dir);
  snprintf(buf, sizeof(buf), "%s",
           strncmp(reason, dir, n) == 0 ? reason + n + 1 : reason);
  return buf;
}

/* Columns built from "name TYPE [!]" specs ('!' = NOT NULL). */
typedef struct columns {
  sl_csv_column cols[16];
  sl_type *types[16];
  int n;
} columns;

static void columns_add(columns *c, const char *name, const char *type,
                        bool not_null) {
  c->types[c->n] = T(type);
  c->cols[c->n].name = name;
  c->cols[c->n].type = c->types[c->n];
  c->cols[c->n].not_null = not_null;
  c->n++;
}

static void columns_free(columns *c) {
  for (int i = 0; i < c->n; i++)
    sl_type_free(c->types[i]);
}

/* Renders rows as text: "line:v1|v2|..." with NULL as \N. */
typedef struct sink {
  char text[8192];
  int rows;
  int fail_at; /* record line that the callback rejects, or 0 */
} sink;

static void render(char *buf, size_t size, const sl_value *v) {
  switch (v->kind) {
  case SL_TYPE_NULL:
    snprintf(buf, size, "\\N");
    break;
  case SL_TYPE_BOOLEAN:
    snprintf(buf, size, "%s", v->u.b ? "true" : "false");
    break;
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    snprintf(buf, size, "%d", v->u.i32);
    break;
  case SL_TYPE_DOUBLE:
    snprintf(buf, size, "%g", v->u.f64);
    break;
  case SL_TYPE_DECIMAL:
    snprintf(buf, size, "%lld/%d", (long long)sl_value_decimal_get(v),
             v->scale);
    break;
  case SL_TYPE_VARCHAR:
    snprintf(buf, size, "[%.*s]", (int)v->len, v->u.str);
    break;
  case SL_TYPE_BYTES:
    snprintf(buf, size, "<%u bytes>", v->len);
    break;
  case SL_TYPE_ARRAY:
    snprintf(buf, size, "array of %u", v->len);
    break;
  default:
    snprintf(buf, size, "%lld", (long long)v->u.i64);
    break;
  }
}

static sl_status to_text(void *ud, const sl_value *row, int n, int64_t line,
                         sl_error *err) {
  sink *s = ud;
  if (s->fail_at == line)
    return sl_error_set(err, SL_ERR_RECORD, "rejected by the callback");
  size_t len = strlen(s->text);
  len += (size_t)snprintf(s->text + len, sizeof(s->text) - len, "%s%lld:",
                          s->rows ? "\n" : "", (long long)line);
  for (int i = 0; i < n; i++) {
    char v[256];
    render(v, sizeof(v), &row[i]);
    len += (size_t)snprintf(s->text + len, sizeof(s->text) - len, "%s%s",
                            i ? "|" : "", v);
  }
  s->rows++;
  return SL_OK;
}

/* ---- the format ------------------------------------------------------- */

static void test_quoting_and_lines(void **state) {
  (void)state;
  const char *path = write_file(
      "m.csv",
      "\xEF\xBB\xBFid,Name,price,note,ignored\r\n"
      "1,Widget,2.50,plain,x\r\n"
      "2,\"Gadget, large\",10,\"said \"\"hi\"\"\",x\r\n"
      "3,\"Multi\nline\r\ntext\",0.5,,x\r\n"
      "\r\n"
      "4,Empty,1e2,\"\",x\r\n"
      "5,Last,3,x,x");
  columns c = {0};
  columns_add(&c, "id", "BIGINT", true);
  columns_add(&c, "name", "VARCHAR", false);
  columns_add(&c, "price", "DOUBLE", false);
  columns_add(&c, "note", "VARCHAR", false);
  columns_add(&c, "absent", "INT", false);
  sink s = {0};
  sl_csv_result res;
  sl_error e;
  OK(sl_csv_read(path, c.cols, c.n, NULL, to_text, &s, &res, &e));
  assert_string_equal(s.text,
                      "2:1|[Widget]|2.5|[plain]|\\N\n"
                      "3:2|[Gadget, large]|10|[said \"hi\"]|\\N\n"
                      "4:3|[Multi\nline\r\ntext]|0.5|\\N|\\N\n"
                      "8:4|[Empty]|100|[]|\\N\n"
                      "9:5|[Last]|3|[x]|\\N");
  assert_int_equal(res.rows, 5);
  assert_int_equal(res.skipped, 0);
  assert_int_equal(res.nignored, 1);
  assert_string_equal(res.ignored, "ignored");
  struct stat st;
  stat(path, &st);
  assert_int_equal(res.bytes, st.st_size);
  sl_csv_result_free(&res);
  columns_free(&c);
}

/* A wide file: every column the declaration lacks is counted, the first
 * few are named. */
static void test_columns_not_loaded(void **state) {
  (void)state;
  const char *path = write_file("w.csv",
                                "c1,id,c2,c3,c4,c5,c6,c7,c8,c9,c10\n"
                                "a,7,b,c,d,e,f,g,h,i,j\n");
  columns c = {0};
  columns_add(&c, "id", "INT", false);
  sink s = {0};
  sl_csv_result res;
  sl_error e;
  OK(sl_csv_read(path, c.cols, c.n, NULL, to_text, &s, &res, &e));
  assert_string_equal(s.text, "2:7");
  assert_int_equal(res.nignored, 10);
  assert_string_equal(res.ignored, "c1, c2, c3, c4, c5, c6, c7, c8");
  sl_csv_result_free(&res);
  assert_null(res.ignored);
  assert_int_equal(res.nignored, 0);
  columns_free(&c);
}

/* Header names: exact first; ignoring case only for a column that was
 * not declared quoted. */
static void test_header_names(void **state) {
  (void)state;
  const char *path = write_file("h.csv",
                                "ID,AMOUNT,total,Qty,Total\n"
                                "1,2.5,3.5,4,5.5\n");
  columns c = {0};
  columns_add(&c, "id", "BIGINT", false);
  columns_add(&c, "amount", "DOUBLE", false);
  c.cols[c.n - 1].quoted = true;
  columns_add(&c, "Total", "DOUBLE", false);
  c.cols[c.n - 1].quoted = true;
  columns_add(&c, "qty", "INT", false);
  sink s = {0};
  sl_csv_result res;
  sl_error e;
  OK(sl_csv_read(path, c.cols, c.n, NULL, to_text, &s, &res, &e));
  assert_string_equal(s.text, "2:1|\\N|5.5|4");
  assert_int_equal(res.nignored, 2);
  assert_string_equal(res.ignored, "AMOUNT, total");
  sl_csv_result_free(&res);
  columns_free(&c);
}

static void test_options_and_positions(void **state) {
  (void)state;
  sl_csv_options opt;
  sl_csv_options_init(&opt);
  sl_error e;
  OK(sl_csv_options_set(&opt, "header", "false", &e));
  OK(sl_csv_options_set(&opt, "delimiter", ";", &e));
  OK(sl_csv_options_set(&opt, "null", "NA", &e));
  const char *path = write_file("p.csv",
                                "1;NA;;\"NA\"\n"
                                "2;x;y;z\n");
  columns c = {0};
  columns_add(&c, "id", "INT", false);
  columns_add(&c, "a", "VARCHAR", false);
  columns_add(&c, "b", "VARCHAR", false);
  columns_add(&c, "d", "VARCHAR", false);
  sink s = {0};
  sl_csv_result res;
  OK(sl_csv_read(path, c.cols, c.n, &opt, to_text, &s, &res, &e));
  assert_string_equal(s.text, "1:1|\\N|[]|[NA]\n2:2|[x]|[y]|[z]");
  sl_csv_result_free(&res);

  /* Without a header every record has one field per column. */
  path = write_file("short.csv", "1;a;b;c\n2;a;b\n");
  memset(&s, 0, sizeof(s));
  assert_int_equal(sl_csv_read(path, c.cols, c.n, &opt, to_text, &s, &res,
                               &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "short.csv:2: error: expected 4 fields, "
                                 "found 3");
  assert_int_equal(res.rows, 1);
  sl_csv_result_free(&res);

  OK(sl_csv_options_set(&opt, "delimiter", "\\t", &e));
  assert_int_equal(opt.delimiter, '\t');
  OK(sl_csv_options_set(&opt, "errors", "skip", &e));
  assert_int_equal(opt.errors, SL_CSV_SKIP);
  OK(sl_csv_options_set(&opt, "timestamp_format", "epoch_s", &e));
  assert_int_equal(sl_csv_options_set(&opt, "errors", "dlq", &e),
                   SL_ERR_SQL);
  assert_string_equal(e.message, "option errors of LOAD must be 'fail' or "
                                 "'skip', not 'dlq'");
  assert_int_equal(sl_csv_options_set(&opt, "delimiter", ",,", &e),
                   SL_ERR_SQL);
  assert_string_equal(e.message, "option delimiter must be one character "
                                 "other than a quote or line break, not "
                                 "\",,\"");
  assert_int_equal(sl_csv_options_set(&opt, "header", "yes", &e),
                   SL_ERR_SQL);
  assert_int_equal(sl_csv_options_set(&opt, "quote", "'", &e), SL_ERR_SQL);
  assert_string_equal(e.message, "unknown LOAD option \"quote\"; expected "
                                 "header, delimiter, null, errors or "
                                 "timestamp_format");
  assert_int_equal(sl_csv_options_set(&opt, "timestamp_format", "%Q", &e),
                   SL_ERR_SQL);
  columns_free(&c);
}

static void test_conversions(void **state) {
  (void)state;
  const char *path = write_file(
      "types.csv",
      "flag,amount,day,at,at2,blob,tags,wait\n"
      "yes,12.345,2024-05-01,1714564800123,2024-05-01T12:00:00Z,AP8Q,"
      "\"[1, 2, null]\",01:00:00.5\n");
  columns c = {0};
  columns_add(&c, "flag", "BOOLEAN", false);
  columns_add(&c, "amount", "DECIMAL(10,2)", false);
  columns_add(&c, "day", "DATE", false);
  columns_add(&c, "at", "TIMESTAMP", false);
  columns_add(&c, "blob", "BYTES", false);
  columns_add(&c, "tags", "ARRAY<INT>", false);
  columns_add(&c, "wait", "INTERVAL", false);
  sl_csv_options opt;
  sl_csv_options_init(&opt);
  opt.timestamp_format = "epoch_ms";
  sink s = {0};
  sl_csv_result res;
  sl_error e;
  OK(sl_csv_read(path, c.cols, c.n, &opt, to_text, &s, &res, &e));
  assert_string_equal(s.text, "2:true|1235/2|19844|1714564800123|"
                              "<3 bytes>|array of 3|3600500");
  sl_csv_result_free(&res);
  columns_free(&c);
}

static void test_edge_files(void **state) {
  (void)state;
  columns c = {0};
  columns_add(&c, "id", "INT", true);
  columns_add(&c, "name", "VARCHAR", false);
  sink s = {0};
  sl_csv_result res;
  sl_error e;

  const char *path = write_file("empty.csv", "");
  OK(sl_csv_read(path, c.cols, c.n, NULL, to_text, &s, &res, &e));
  assert_int_equal(res.rows, 0);
  sl_csv_result_free(&res);

  path = write_file("header.csv", "id,name\r\n");
  OK(sl_csv_read(path, c.cols, c.n, NULL, to_text, &s, &res, &e));
  assert_int_equal(res.rows, 0);
  assert_int_equal(s.rows, 0);
  sl_csv_result_free(&res);

  /* Old Mac line ends, and a tab delimiter. */
  sl_csv_options opt;
  sl_csv_options_init(&opt);
  opt.delimiter = '\t';
  path = write_file("cr.csv", "name\tid\r1st\t1\r\r\"tab\there\"\t2\r");
  OK(sl_csv_read(path, c.cols, c.n, &opt, to_text, &s, &res, &e));
  assert_string_equal(s.text, "2:1|[1st]\n4:2|[tab\there]");
  sl_csv_result_free(&res);
  columns_free(&c);
}

/* ---- bad files -------------------------------------------------------- */

static sl_status read_fail(const char *path, columns *c,
                           const sl_csv_options *opt, sink *s,
                           sl_error *e) {
  sl_csv_result res;
  sl_status rc = sl_csv_read(path, c->cols, c->n, opt, to_text, s, &res, e);
  sl_csv_result_free(&res);
  return rc;
}

static void test_bad_files(void **state) {
  (void)state;
  columns c = {0};
  columns_add(&c, "id", "BIGINT", true);
  columns_add(&c, "name", "VARCHAR", false);
  columns_add(&c, "price", "DOUBLE", false);
  sink s = {0};
  sl_error e;

  const char *path = write_file("m.csv",
                                "id,name,price\n"
                                "1,\"two\nlines\",2.5\n"
                                "2,ok,abc\n"
                                "3,never,1\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "m.csv:4: error: column \"price\": cannot "
                                 "convert \"abc\" to DOUBLE");
  assert_string_equal(e.reason, "type");
  assert_int_equal(s.rows, 1);

  path = write_file("nn.csv", "id,name\n1,a\n,b\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "nn.csv:3: error: column \"id\": missing "
                                 "value for a NOT NULL column");
  assert_string_equal(e.reason, "not_null");

  path = write_file("hdr.csv", "name,price\na,1\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "hdr.csv:1: error: the header has no "
                                 "column \"id\", which is NOT NULL");

  path = write_file("dup.csv", "id,ID\n1,2\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "dup.csv:1: error: column \"id\" appears "
                                 "twice in the header");

  path = write_file("big.csv", "id,price\n99999999999999999999,1\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "big.csv:2: error: column \"id\": "
                                 "\"99999999999999999999\" is out of range "
                                 "for BIGINT");
  assert_string_equal(e.reason, "overflow");

  path = write_file("count.csv", "id,name\n1,a\n2,b,c\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "count.csv:3: error: expected 2 fields, "
                                 "found 3");

  path = write_file("open.csv", "id,name\n1,a\n2,\"never closed\n3,c\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "open.csv:3: error: unterminated quoted "
                                 "field");

  path = write_file("after.csv", "id,name\n1,\"a\"b\n2,c\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "after.csv:2: error: field 2: text after "
                                 "the closing quote");

  path = write_file("nl.csv", "id,name,price\n1,x,\"1\n2\"\n");
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "nl.csv:2: error: column \"price\": cannot "
                                 "convert \"1?2\" to DOUBLE");

  /* A record the callback rejects follows the policy too. */
  path = write_file("cb.csv", "id\n1\n2\n");
  memset(&s, 0, sizeof(s));
  s.fail_at = 3;
  assert_int_equal(read_fail(path, &c, NULL, &s, &e), SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "cb.csv:3: error: rejected by the "
                                 "callback");

  char missing[1100];
  snprintf(missing, sizeof(missing), "%s/none.csv", dir);
  assert_int_equal(read_fail(missing, &c, NULL, &s, &e), SL_ERR_IO);
  char expected[1200];
  snprintf(expected, sizeof(expected),
           "cannot open %s: No such file or directory", missing);
  assert_string_equal(e.message, expected);
  columns_free(&c);
}

static void test_skip_mode(void **state) {
  (void)state;
  const char *path = write_file("skip.csv",
                                "id,price\n"
                                "1,1.5\n"
                                "x,2\n"
                                "3,\n"
                                ",4\n"
                                "5,\"6\"z\n"
                                "7,8,9\n"
                                "10,bad\n"
                                "11,11\n");
  columns c = {0};
  columns_add(&c, "id", "INT", true);
  columns_add(&c, "price", "DOUBLE", false);
  sl_csv_options opt;
  sl_csv_options_init(&opt);
  opt.errors = SL_CSV_SKIP;
  opt.max_reasons = 4;
  sink s = {0};
  sl_csv_result res;
  sl_error e;
  OK(sl_csv_read(path, c.cols, c.n, &opt, to_text, &s, &res, &e));
  assert_string_equal(s.text, "2:1|1.5\n4:3|\\N\n9:11|11");
  assert_int_equal(res.rows, 3);
  assert_int_equal(res.skipped, 5);
  assert_int_equal(res.nreasons, 4);
  assert_string_equal(reason_shown(res.reasons[0]),
                      "skip.csv:3: error: column \"id\": cannot convert "
                      "\"x\" to INT");
  assert_string_equal(reason_shown(res.reasons[1]),
                      "skip.csv:5: error: column \"id\": missing value for "
                      "a NOT NULL column");
  assert_string_equal(reason_shown(res.reasons[2]),
                      "skip.csv:6: error: field 2: text after the closing "
                      "quote");
  assert_string_equal(reason_shown(res.reasons[3]),
                      "skip.csv:7: error: expected 2 fields, found 3");
  sl_csv_result_free(&res);
  columns_free(&c);
}

/* ---- LOAD into tables -------------------------------------------------- */

static sl_catalog *catalog_with_table(const char *name, bool versioned) {
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_catalog_object *obj = sl_catalog_object_new(SL_CATALOG_TABLE, name,
                                                 "CREATE TABLE ...");
  OK(sl_catalog_object_add_column(obj, "id", T("INT"), false, true, &e));
  OK(sl_catalog_object_add_column(obj, "price", T("DOUBLE"), false, false,
                                  &e));
  OK(sl_catalog_object_add_column(obj, "since", T("TIMESTAMP"), false,
                                  false, &e));
  if (versioned) {
    OK(sl_catalog_object_add_option(obj, "versioned", "true", &e));
    OK(sl_catalog_object_set_timestamp(obj, "since", NULL, &e));
  }
  OK(sl_catalog_create(cat, obj, false, NULL, &e));
  sl_catalog_object_free(obj);
  return cat;
}

static int64_t table_rows(sl_catalog *cat, const char *name) {
  sl_error e;
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, name, 0, &lk, &e));
  int64_t rows = -1;
  OK(sl_lookup_count(lk, &rows, &e));
  sl_lookup_close(lk);
  return rows;
}

/* A file of n rows "i,i.5,", with bad prices at the given lines. */
static const char *numbers_file(const char *name, int n, const int *bad,
                                int nbad) {
  size_t cap = (size_t)n * 32 + 64;
  char *text = malloc(cap);
  size_t len = (size_t)snprintf(text, cap, "id,price\n");
  for (int i = 1; i <= n; i++) {
    bool is_bad = false;
    for (int k = 0; k < nbad; k++)
      is_bad = is_bad || bad[k] == i + 1;
    len += (size_t)snprintf(text + len, cap - len, is_bad ? "%d,oops\n"
                                                          : "%d,%d.5\n",
                            i, i);
  }
  const char *path = write_file(name, text);
  free(text);
  return path;
}

static void test_load_fail_is_atomic(void **state) {
  (void)state;
  sl_catalog *cat = catalog_with_table("prices", false);
  sl_error e;
  int bad = 25002;
  const char *path = numbers_file("atomic.csv", 30000, &bad, 1);
  sl_csv_result res;
  assert_int_equal(sl_csv_load(cat, "prices", path, NULL, &res, &e),
                   SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "atomic.csv:25002: error: column "
                                 "\"price\": cannot convert \"oops\" to "
                                 "DOUBLE");
  assert_int_equal(res.rows, 0);
  sl_csv_result_free(&res);
  assert_int_equal(table_rows(cat, "prices"), 0);

  /* The same file without the bad row loads whole. */
  path = numbers_file("good.csv", 30000, NULL, 0);
  OK(sl_csv_load(cat, "prices", path, NULL, &res, &e));
  assert_int_equal(res.rows, 30000);
  sl_csv_result_free(&res);
  assert_int_equal(table_rows(cat, "prices"), 30000);
  sl_catalog_close(cat);
}

typedef struct progress {
  int calls;
  int64_t last_bytes;
  int64_t total;
  int64_t records;
  int64_t all_records; /* in the file */
} progress;

/* Bytes only grow, and the whole file is reported only with all its
 * records read. */
static void on_progress(void *ud, int64_t records, int64_t bytes,
                        int64_t total) {
  progress *p = ud;
  assert_true(bytes >= p->last_bytes);
  if (bytes >= total && records != p->all_records)
    fail_msg("all %lld bytes reported with %lld of %lld records read",
             (long long)bytes, (long long)records,
             (long long)p->all_records);
  p->calls++;
  p->last_bytes = bytes;
  p->total = total;
  p->records = records;
}

static void test_load_skip_in_batches(void **state) {
  (void)state;
  sl_catalog *cat = catalog_with_table("prices", false);
  sl_error e;
  int bad[] = {3, 12000, 25001};
  const char *path = numbers_file("skip.csv", 25000, bad, 3);
  sl_csv_options opt;
  sl_csv_options_init(&opt);
  opt.errors = SL_CSV_SKIP;
  opt.batch_rows = 1000;
  progress p = {.all_records = 25000};
  opt.progress = on_progress;
  opt.progress_ud = &p;
  sl_csv_result res;
  OK(sl_csv_load(cat, "prices", path, &opt, &res, &e));
  assert_int_equal(res.rows, 24997);
  assert_int_equal(res.skipped, 3);
  assert_int_equal(res.nreasons, 3);
  assert_string_equal(reason_shown(res.reasons[2]),
                      "skip.csv:25001: error: column \"price\": cannot "
                      "convert \"oops\" to DOUBLE");
  struct stat st;
  stat(path, &st);
  assert_int_equal(p.total, st.st_size);
  assert_int_equal(p.last_bytes, st.st_size);
  assert_int_equal(p.records, 25000);
  assert_true(p.calls >= 2);
  sl_csv_result_free(&res);
  assert_int_equal(table_rows(cat, "prices"), 24997);

  /* Loading again upserts: the same keys, new values. */
  path = write_file("again.csv", "id,price\n1,-1\n1,-2\n30000,0\n");
  OK(sl_csv_load(cat, "prices", path, NULL, &res, &e));
  sl_csv_result_free(&res);
  assert_int_equal(table_rows(cat, "prices"), 24998);
  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "prices", 10, &lk, &e));
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = sl_value_int(1), row[3];
  bool found;
  OK(sl_lookup_get(lk, &key, &arena, row, &found, &e));
  assert_true(found);
  assert_double_near(row[1].u.f64, -2, 0);
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

static void test_load_versioned(void **state) {
  (void)state;
  sl_catalog *cat = catalog_with_table("rates", true);
  sl_error e;
  const char *path = write_file("rates.csv",
                                "id,price,since\n"
                                "1,1.1,2024-05-01T00:00:00Z\n"
                                "1,1.2,2024-05-02T00:00:00Z\n"
                                "2,7,\n");
  sl_csv_result res;
  OK(sl_csv_load(cat, "rates", path, NULL, &res, &e));
  assert_int_equal(res.rows, 3);
  sl_csv_result_free(&res);

  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "rates", 0, &lk, &e));
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value key = sl_value_int(1), row[3];
  bool found;
  int64_t may1 = 1714521600000LL, may2 = may1 + 86400000LL;
  OK(sl_lookup_get_as_of(lk, &key, may1 - 1, &arena, row, &found, &e));
  assert_false(found);
  OK(sl_lookup_get_as_of(lk, &key, may2 - 1, &arena, row, &found, &e));
  assert_true(found);
  assert_double_near(row[1].u.f64, 1.1, 0);
  OK(sl_lookup_get_as_of(lk, &key, may2, &arena, row, &found, &e));
  assert_double_near(row[1].u.f64, 1.2, 0);
  /* Without a time the row holds always. */
  key = sl_value_int(2);
  OK(sl_lookup_get_as_of(lk, &key, INT64_MIN + 1, &arena, row, &found, &e));
  assert_true(found);
  sl_arena_destroy(&arena);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
}

/* ---- the shared data sets --------------------------------------------- */

typedef struct sums {
  __extension__ __int128 rate_hundredths;
  int64_t funded;
  int64_t bad;
  int64_t income;
  int64_t income_missing;
  int64_t absent_nulls;
} sums;

static sl_status add_lending(void *ud, const sl_value *row, int n,
                             sl_error *err) {
  (void)err;
  (void)n;
  sums *s = ud;
  s->funded += row[0].u.i64;
  assert_int_equal(row[1].scale, 2);
  s->rate_hundredths += sl_value_decimal_get(&row[1]);
  if (row[3].len == 3 && memcmp(row[3].u.str, "bad", 3) == 0)
    s->bad++;
  return SL_OK;
}

static sl_catalog *training_set(const char *name, const char *const *cols,
                                int n) {
  sl_error e;
  sl_catalog *cat = NULL;
  OK(sl_catalog_open(":memory:", &cat, &e));
  sl_catalog_object *obj = sl_catalog_object_new(SL_CATALOG_TRAINING_SET,
                                                 name, "CREATE TRAINING SET");
  for (int i = 0; i < n; i++)
    OK(sl_catalog_object_add_column(obj, cols[2 * i], T(cols[2 * i + 1]),
                                    false, false, &e));
  OK(sl_catalog_create(cat, obj, false, NULL, &e));
  sl_catalog_object_free(obj);
  return cat;
}

static void test_lending_club(void **state) {
  (void)state;
  const char *const cols[] = {"funded_amnt", "BIGINT", "int_rate",
                              "DECIMAL(5,2)", "addr_state", "VARCHAR",
                              "class", "VARCHAR"};
  sl_catalog *cat = training_set("loans", cols, 4);
  char *path = test_shared_data("lending_club.csv");
  sl_error e;
  sl_csv_result res;
  OK(sl_csv_load(cat, "loans", path, NULL, &res, &e));
  assert_int_equal(res.rows, 9857);
  assert_int_equal(res.skipped, 0);
  sl_csv_result_free(&res);

  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "loans", 0, &lk, &e));
  sums s = {0};
  OK(sl_lookup_scan(lk, add_lending, &s, &e));
  assert_int_equal(s.funded, 154592825);
  assert_true(s.rate_hundredths == 12347407);
  assert_int_equal(s.bad, 517);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
  free(path);
}

static sl_status add_credit(void *ud, const sl_value *row, int n,
                            sl_error *err) {
  (void)err;
  (void)n;
  sums *s = ud;
  if (sl_value_is_null(&row[1]))
    s->income_missing++;
  else
    s->income += row[1].u.i32;
  if (row[0].len == 3 && memcmp(row[0].u.str, "bad", 3) == 0)
    s->bad++;
  if (sl_value_is_null(&row[2]))
    s->absent_nulls++;
  return SL_OK;
}

static void test_credit_data(void **state) {
  (void)state;
  const char *const cols[] = {"status", "VARCHAR", "income", "INT",
                              "not_in_file", "DOUBLE"};
  sl_catalog *cat = training_set("credit", cols, 3);
  char *path = test_shared_data("credit_data.csv");
  sl_error e;
  sl_csv_result res;
  OK(sl_csv_load(cat, "credit", path, NULL, &res, &e));
  assert_int_equal(res.rows, 4454);
  sl_csv_result_free(&res);

  sl_lookup *lk = NULL;
  OK(sl_lookup_open(cat, "credit", 0, &lk, &e));
  sums s = {0};
  OK(sl_lookup_scan(lk, add_credit, &s, &e));
  assert_int_equal(s.income_missing, 381);
  assert_int_equal(s.income, 577094);
  assert_int_equal(s.bad, 1254);
  assert_int_equal(s.absent_nulls, 4454);
  sl_lookup_close(lk);
  sl_catalog_close(cat);
  free(path);
}

/* A part of lending_club.csv with a damaged row, as a user might have. */
static void test_damaged_copy(void **state) {
  (void)state;
  char *src = test_shared_data("lending_club.csv");
  FILE *in = fopen(src, "rb");
  assert_non_null(in);
  char out_path[1100];
  snprintf(out_path, sizeof(out_path), "%s/lending_part.csv", dir);
  FILE *out = fopen(out_path, "wb");
  char line[4096];
  for (int n = 1; n <= 101 && fgets(line, sizeof(line), in); n++) {
    if (n == 50) {
      /* funded_amnt becomes text. */
      char *comma = strchr(line, ',');
      fprintf(out, "twelve%s", comma);
    } else {
      fputs(line, out);
    }
  }
  fclose(in);
  fclose(out);

  const char *const cols[] = {"funded_amnt", "BIGINT", "class", "VARCHAR"};
  sl_catalog *cat = training_set("loans", cols, 2);
  sl_error e;
  sl_csv_result res;
  assert_int_equal(sl_csv_load(cat, "loans", out_path, NULL, &res, &e),
                   SL_ERR_RUNTIME);
  assert_string_equal(shown(&e), "lending_part.csv:50: error: column "
                                 "\"funded_amnt\": cannot convert "
                                 "\"twelve\" to BIGINT");
  sl_csv_result_free(&res);
  assert_int_equal(table_rows(cat, "loans"), 0);

  sl_csv_options opt;
  sl_csv_options_init(&opt);
  opt.errors = SL_CSV_SKIP;
  OK(sl_csv_load(cat, "loans", out_path, &opt, &res, &e));
  assert_int_equal(res.rows, 99);
  assert_int_equal(res.skipped, 1);
  sl_csv_result_free(&res);
  assert_int_equal(table_rows(cat, "loans"), 99);
  sl_catalog_close(cat);
  free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_quoting_and_lines),
    cmocka_unit_test(test_columns_not_loaded),
    cmocka_unit_test(test_header_names),
    cmocka_unit_test(test_options_and_positions),
    cmocka_unit_test(test_conversions),
    cmocka_unit_test(test_edge_files),
    cmocka_unit_test(test_bad_files),
    cmocka_unit_test(test_skip_mode),
    cmocka_unit_test(test_load_fail_is_atomic),
    cmocka_unit_test(test_load_skip_in_batches),
    cmocka_unit_test(test_load_versioned),
    cmocka_unit_test(test_lending_club),
    cmocka_unit_test(test_credit_data),
    cmocka_unit_test(test_damaged_copy),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
