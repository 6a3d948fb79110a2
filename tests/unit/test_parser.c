/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the parser: golden AST dumps of every statement kind
 * (tests/sql/parse/NAME.parse against NAME.ast, or NAME.err for error
 * cases), precedence, keywords used as names, syntax errors with their
 * exact message and position, ${name} substitution, statement spans,
 * the one-statement helper, completeness for the shell, and the caret
 * display.  Error cases run under ASan/LSan, so a leak on any error path
 * fails the test.
 *
 * Set SLUICE_UPDATE_GOLDEN=1 to rewrite the .ast and .err files from the
 * current output (then review the diff).
 */
#include "test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/strbuf.h"
#include "parser/errors.h"
#include "parser/parser.h"

/* Variables every test script may use. */
static const sl_parse_var test_vars[] = {
    {"env", "prod"}, {"topic", "payments"}, {"n", "1 + 2"}};
static const sl_parse_options test_opts = {test_vars, 3};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Parses text and returns the dump of every statement, each preceded by
 * a line with its span; or, on failure, the rendered error.  *ok says
 * which.  The caller frees the string. */
static char *run_script(const char *file, const char *text, unsigned flags,
                        bool *ok) {
  sl_parse_result *r = NULL;
  sl_error err;
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_error_clear(&err);

  if (sl_parse_script(file, text, &test_opts, &r, &err)) {
    assert_null(r);
    assert_int_equal(sl_parse_render_error(&err, text, strlen(text), &sb),
                     SL_OK);
    *ok = false;
  } else {
    for (int i = 0; i < r->nstmts; i++) {
      const sl_ast_span *sp = &r->stmts[i]->span;
      sl_strbuf_appendf(&sb, "-- %d:%d-%d:%d\n", sp->start.line,
                        sp->start.column, sp->end.line, sp->end.column);
      assert_int_equal(sl_ast_dump(r->stmts[i], flags, &sb), SL_OK);
    }
    sl_parse_result_free(r);
    *ok = true;
  }
  char *s = sl_strbuf_detach(&sb, NULL);
  assert_non_null(s);
  return s;
}

/* The dump of a script that must parse. */
static char *dump_ok(const char *text) {
  bool ok;
  char *s = run_script("t.sql", text, 0, &ok);
  if (!ok)
    fail_msg("parse of \"%s\" failed:\n%s", text, s);
  return s;
}

/* Asserts that text fails with exactly this error at line:column. */
static void expect_error(const char *text, const char *message, int line,
                         int column) {
  sl_parse_result *r = (sl_parse_result *)&r;
  sl_error err;
  sl_error_clear(&err);
  sl_status rc = sl_parse_script("t.sql", text, &test_opts, &r, &err);
  if (rc != SL_ERR_SQL)
    fail_msg("\"%s\": status %d, expected an SQL error \"%s\"", text, rc,
             message);
  assert_null(r);
  if (strcmp(err.message, message) != 0)
    fail_msg("\"%s\":\n  got      %s\n  expected %s", text, err.message,
             message);
  if (err.line != line || err.column != column)
    fail_msg("\"%s\": error at %d:%d, expected %d:%d", text, err.line,
             err.column, line, column);
  assert_string_equal(err.file, "t.sql");
}

static void expect_dump(const char *text, const char *want) {
  char *got = dump_ok(text);
  if (strcmp(got, want) != 0)
    fail_msg("dump of \"%s\":\n--- got\n%s--- expected\n%s", text, got,
             want);
  free(got);
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  sl_strbuf sb = SL_STRBUF_INIT;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    sl_strbuf_append(&sb, buf, n);
  fclose(f);
  return sl_strbuf_detach(&sb, NULL);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ------------------------------------------------------------------ */
/* Golden files                                                        */
/* ------------------------------------------------------------------ */

/* Runs one golden case: NAME.parse must produce NAME.ast, or NAME.err
 * when that file exists.  A first line "-- dump: positions" asks for
 * positions in the dump.  Returns false on a mismatch (printed). */
static bool run_golden(const char *dir, const char *name, bool update) {
  char path[1024], ast_path[1024], err_path[1024];
  snprintf(path, sizeof path, "%s/%s.parse", dir, name);
  snprintf(ast_path, sizeof ast_path, "%s/%s.ast", dir, name);
  snprintf(err_path, sizeof err_path, "%s/%s.err", dir, name);

  char *text = read_file(path);
  assert_non_null(text);
  unsigned flags = strncmp(text, "-- dump: positions", 18) == 0
                       ? SL_AST_DUMP_POSITIONS
                       : 0;
  char display[1100];
  snprintf(display, sizeof display, "%s.parse", name);
  bool ok;
  char *got = run_script(display, text, flags, &ok);

  char *want_err = read_file(err_path);
  const char *want_path = want_err ? err_path : ast_path;
  bool pass = true;
  if (update) {
    write_file(ok ? ast_path : err_path, got);
  } else {
    char *want = want_err ? want_err : read_file(ast_path);
    if (!want) {
      print_error("%s: neither %s.ast nor %s.err exists\n", name, name,
                  name);
      pass = false;
    } else if (ok == (want_err != NULL) || strcmp(got, want) != 0) {
      print_error("%s: output differs from %s\n--- got\n%s--- expected\n%s",
                  name, want_path, got, want);
      pass = false;
    }
    if (want != want_err)
      free(want);
  }
  free(want_err);
  free(got);
  free(text);
  return pass;
}

static void test_golden_files(void **state) {
  (void)state;
  const char *src = getenv("SLUICE_SOURCE_DIR");
  if (!src)
    fail_msg("SLUICE_SOURCE_DIR is not set");
  char dir[900];
  snprintf(dir, sizeof dir, "%s/tests/sql/parse", src);
  const char *upd = getenv("SLUICE_UPDATE_GOLDEN");
  bool update = upd && strcmp(upd, "1") == 0;

  DIR *d = opendir(dir);
  if (!d)
    fail_msg("cannot open %s", dir);
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len > 6 && strcmp(e->d_name + len - 6, ".parse") == 0) {
      assert_true(n < 256);
      names[n] = strndup(e->d_name, len - 6);
      assert_non_null(names[n]);
      n++;
    }
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], compare_names);

  /* Every statement kind has at least one case; a missing folder or an
   * empty one must not pass quietly. */
  assert_true(n >= 20);
  int failed = 0;
  for (int i = 0; i < n; i++) {
    if (!run_golden(dir, names[i], update))
      failed++;
    free(names[i]);
  }
  if (failed)
    fail_msg("%d of %d golden cases differ", failed, n);
}

/* ------------------------------------------------------------------ */
/* Precedence and associativity                                        */
/* ------------------------------------------------------------------ */

/* The dump of "SELECT expr" stripped to the expression's lines. */
static void expect_expr(const char *expr, const char *want) {
  char text[512];
  snprintf(text, sizeof text, "SELECT %s", expr);
  char *got = dump_ok(text);
  const char *head = "-- 1:1-1:";
  assert_memory_equal(got, head, strlen(head));
  /* Skip the span line and the four lines of statement, query, select
   * and item headers; what is left is indented by eight spaces. */
  const char *p = got;
  for (int i = 0; i < 5; i++) {
    p = strchr(p, '\n');
    assert_non_null(p);
    p++;
  }
  sl_strbuf sb = SL_STRBUF_INIT;
  while (*p) {
    const char *nl = strchr(p, '\n');
    assert_memory_equal(p, "        ", 8);
    sl_strbuf_append(&sb, p + 8, (size_t)(nl - p - 8 + 1));
    p = nl + 1;
  }
  char *expr_dump = sl_strbuf_detach(&sb, NULL);
  if (strcmp(expr_dump, want) != 0)
    fail_msg("\"%s\":\n--- got\n%s--- expected\n%s", expr, expr_dump, want);
  free(expr_dump);
  free(got);
}

static void test_precedence(void **state) {
  (void)state;
  expect_expr("a OR b AND c", "binary OR\n"
                              "  column a\n"
                              "  binary AND\n"
                              "    column b\n"
                              "    column c\n");
  expect_expr("NOT a = b", "unary NOT\n"
                           "  binary =\n"
                           "    column a\n"
                           "    column b\n");
  expect_expr("NOT a AND b", "binary AND\n"
                             "  unary NOT\n"
                             "    column a\n"
                             "  column b\n");
  expect_expr("a || b + c", "binary ||\n"
                            "  column a\n"
                            "  binary +\n"
                            "    column b\n"
                            "    column c\n");
  expect_expr("a = b || c", "binary =\n"
                            "  column a\n"
                            "  binary ||\n"
                            "    column b\n"
                            "    column c\n");
  expect_expr("a - b - c", "binary -\n"
                           "  binary -\n"
                           "    column a\n"
                           "    column b\n"
                           "  column c\n");
  expect_expr("a + b * c % d", "binary +\n"
                               "  column a\n"
                               "  binary %\n"
                               "    binary *\n"
                               "      column b\n"
                               "      column c\n"
                               "    column d\n");
  expect_expr("-a * b", "binary *\n"
                        "  unary -\n"
                        "    column a\n"
                        "  column b\n");
  expect_expr("-a::INT", "unary -\n"
                         "  cast INT (::)\n"
                         "    column a\n");
  expect_expr("a::INT[1]", "subscript\n"
                           "  cast INT (::)\n"
                           "    column a\n"
                           "  integer 1\n");
  expect_expr("a[1]::VARCHAR", "cast VARCHAR (::)\n"
                               "  subscript\n"
                               "    column a\n"
                               "    integer 1\n");
  expect_expr("a + b IS NULL", "is null\n"
                               "  binary +\n"
                               "    column a\n"
                               "    column b\n");
  expect_expr("a BETWEEN 1 AND 2 AND b", "binary AND\n"
                                         "  between\n"
                                         "    column a\n"
                                         "    integer 1\n"
                                         "    integer 2\n"
                                         "  column b\n");
  expect_expr("a BETWEEN b + 1 AND c * 2",
              "between\n"
              "  column a\n"
              "  binary +\n"
              "    column b\n"
              "    integer 1\n"
              "  binary *\n"
              "    column c\n"
              "    integer 2\n");
  expect_expr("a NOT IN (1, 2) OR a LIKE 'x' || '%'",
              "binary OR\n"
              "  not in\n"
              "    column a\n"
              "    list\n"
              "      integer 1\n"
              "      integer 2\n"
              "  like\n"
              "    column a\n"
              "    binary ||\n"
              "      string 'x'\n"
              "      string '%'\n");
  expect_expr("m['k'].f.g", "field g\n"
                            "  field f\n"
                            "    subscript\n"
                            "      column m\n"
                            "      string 'k'\n");
  expect_expr("(a + b) * c", "binary *\n"
                             "  binary +\n"
                             "    column a\n"
                             "    column b\n"
                             "  column c\n");
  expect_expr("a < b = c", "binary =\n"
                           "  binary <\n"
                           "    column a\n"
                           "    column b\n"
                           "  column c\n");
}

/* ------------------------------------------------------------------ */
/* Keywords as names                                                   */
/* ------------------------------------------------------------------ */

static void test_keywords_as_names(void **state) {
  (void)state;
  expect_dump("CREATE STREAM s (key VARCHAR, value INT, type VARCHAR, "
              "timestamp TIMESTAMP, topic VARCHAR, format VARCHAR, "
              "size INT, label BOOLEAN, date DATE, \"select\" INT) "
              "WITH (key='key', timestamp='timestamp', format='json', "
              "null='')",
              "-- 1:1-1:221\n"
              "create stream s\n"
              "  column key VARCHAR\n"
              "  column value INT\n"
              "  column type VARCHAR\n"
              "  column timestamp TIMESTAMP\n"
              "  column topic VARCHAR\n"
              "  column format VARCHAR\n"
              "  column size INT\n"
              "  column label BOOLEAN\n"
              "  column date DATE\n"
              "  column \"select\" INT\n"
              "  option key\n"
              "    string 'key'\n"
              "  option timestamp\n"
              "    string 'timestamp'\n"
              "  option format\n"
              "    string 'json'\n"
              "  option null\n"
              "    string ''\n");
  expect_expr("timestamp", "column timestamp\n");
  expect_expr("date + interval", "binary +\n"
                                 "  column date\n"
                                 "  column interval\n");
  expect_expr("s.key", "column s.key\n");
  expect_expr("window_start", "column window_start\n");
  expect_expr("hour(ts)", "call hour\n"
                          "  column ts\n");
  expect_expr("EXTRACT(DAY FROM ts)", "extract day\n"
                                      "  column ts\n");
  expect_dump("SELECT session.size FROM sessions session WHERE "
              "session.type = 'x' GROUP BY session.key",
              "-- 1:1-1:88\n"
              "select statement\n"
              "  query\n"
              "    select\n"
              "      item\n"
              "        column session.size\n"
              "      from\n"
              "        source sessions alias session\n"
              "      where\n"
              "        binary =\n"
              "          column session.type\n"
              "          string 'x'\n"
              "      group_by\n"
              "        column session.key\n");
  /* A keyword that is valid where it stands is the keyword: LEFT here
   * starts a join rather than naming the alias. */
  expect_dump("SELECT * FROM a LEFT JOIN b ON a.k = b.k",
              "-- 1:1-1:41\n"
              "select statement\n"
              "  query\n"
              "    select\n"
              "      star\n"
              "      from\n"
              "        join left\n"
              "          source a\n"
              "          source b\n"
              "          on\n"
              "            binary =\n"
              "              column a.k\n"
              "              column b.k\n");
}

/* ------------------------------------------------------------------ */
/* Syntax and building errors                                          */
/* ------------------------------------------------------------------ */

static void test_syntax_errors(void **state) {
  (void)state;
  expect_error("SELECT count(* FROM payments",
               "expected \")\" near \"FROM\"", 1, 16);
  expect_error("SELECT a\n  FROM", "expected \"(\" or a name at end of "
                                   "input", 2, 7);
  expect_error("SELECT a FROM s WHERE x = 1 GROUP key",
               "expected \"BY\" near \"key\"", 1, 35);
  expect_error("SELEC 1", "expected a statement near \"SELEC\"", 1, 1);
  expect_error("CREATE STREAM s (id BIGINT, ) WITH (topic='t')",
               "expected a name, \"PRIMARY\", \"CHECK\" or \"WATERMARK\" "
               "near \")\"",
               1, 29);
  expect_error("SELECT (a + b FROM s", "expected \")\" near \"FROM\"", 1,
               15);
  expect_error("CREATE MODEL m TYPE xgboost FEATURES (a) FROM ts",
               "expected \"LABEL\" near \"FROM\"", 1, 42);
  expect_error("DROP VIEW v", "expected \"STREAM\", \"TABLE\", \"MODEL\", "
                              "\"FUNCTION\" or \"TRAINING\" near \"VIEW\"",
               1, 6);
  expect_error("SHOW STREAM", "expected \"STREAMS\", \"TABLES\", "
                              "\"MODELS\", \"FUNCTIONS\", \"QUERIES\", "
                              "\"TOPICS\", \"PROPERTIES\" or \"TRAINING\" "
                              "near \"STREAM\"",
               1, 6);
  expect_error("SELECT 1;\nSELECT * FROM s WINDOW TUMBLING SIZE 1 HOUR",
               "expected \"(\" near \"SIZE\"", 2, 33);
  expect_error("SELECT x FROM s EMIT", "expected \"CHANGES\" or \"FINAL\" "
                                       "at end of input",
               1, 21);
  expect_error("INSERT INTO s VALUES 1, 2", "expected \"(\" near \"1\"", 1,
               22);
  expect_error("SELECT 'a' 'b'", "syntax error near \"'b'\"", 1, 12);
  expect_error("SET 'a' 'b'", "expected \"=\" near \"'b'\"", 1, 9);
  expect_error("PRINT 'p' LIMIT x", "expected an integer near \"x\"", 1,
               17);
  expect_error("CREATE STREAM s (a INT, b INT,)",
               "expected a name, \"PRIMARY\", \"CHECK\" or \"WATERMARK\" "
               "near \")\"",
               1, 31);
}

static void test_building_errors(void **state) {
  (void)state;
  expect_error("CREATE STREAM s (a INTEGR)",
               "unknown type \"integr\"; expected BOOLEAN, INT, BIGINT, "
               "DOUBLE, DECIMAL(p,s), VARCHAR, BYTES, DATE, TIMESTAMP, "
               "INTERVAL, ARRAY<T>, MAP<VARCHAR,T> or STRUCT<...>",
               1, 20);
  expect_error("CREATE STREAM s (a DECIMAL)",
               "DECIMAL needs a precision: DECIMAL(precision, scale)", 1,
               20);
  expect_error("CREATE STREAM s (a DECIMAL(39, 2))",
               "DECIMAL precision 39 is out of range; expected 1 to 38", 1,
               28);
  expect_error("CREATE STREAM s (a DECIMAL(5, 6))",
               "DECIMAL scale 6 is out of range; expected 0 to 5", 1, 31);
  expect_error("CREATE STREAM s (a VARCHAR(10))",
               "type VARCHAR takes no parameters", 1, 28);
  expect_error("CREATE STREAM s (m MAP<INT, INT>)",
               "MAP keys must be VARCHAR", 1, 24);
  expect_error("CREATE STREAM s (x STRUCT<a INT, a INT>)",
               "field \"a\" declared twice in STRUCT", 1, 34);
  expect_error("CREATE STREAM s (a INT, b INT, a INT)",
               "column \"a\" declared twice", 1, 32);
  expect_error("CREATE TABLE t (a INT) WITH (x=1, x=2)",
               "option \"x\" given twice", 1, 35);
  expect_error("CREATE STREAM s (t TIMESTAMP, WATERMARK FOR t AS t,\n"
               "  WATERMARK FOR t AS t)",
               "a stream has one WATERMARK; the first is at line 1", 2, 3);
  expect_error("SELECT x FROM s WINDOW TUMBLING (SIZE 1 HOUR, SIZE 2 HOURS)",
               "SIZE given twice in window", 1, 47);
  expect_error("SELECT x FROM s WINDOW w AS (), w AS ()",
               "window \"w\" defined twice", 1, 33);
  expect_error("WITH a AS (SELECT 1), a AS (SELECT 2) SELECT 3",
               "WITH query \"a\" defined twice", 1, 23);
  expect_error("SELECT INTERVAL 'five' SECOND",
               "invalid interval 'five': expected a number such as '5' or "
               "'1.5'",
               1, 17);
  expect_error("SELECT 1.0005 SECONDS",
               "interval 1.0005 SECOND is not a whole number of "
               "milliseconds",
               1, 8);
  expect_error("SELECT 99999999999999 WEEKS",
               "interval 99999999999999 WEEK is too large", 1, 8);
  expect_error("SELECT 1e999", "number 1e999 is out of range for DOUBLE",
               1, 8);
  expect_error("SELECT PREDICT(m VERSION 0)",
               "invalid model version 0; versions count from 1", 1, 26);
  expect_error("SELECT x FROM s LIMIT 99999999999999999999",
               "LIMIT 99999999999999999999 is too large", 1, 23);
  expect_error("SELECT (a + b).* FROM s",
               "expected a source name before \".*\"", 1, 9);
  expect_error("SELECT a.b.* FROM s", "expected a source name before "
                                      "\".*\"",
               1, 8);
  expect_error("SET '' = 'x'", "empty property name in SET", 1, 5);
}

/* Nesting limits: the parser's stack for parentheses and prefixes, the
 * tree height for left-deep chains, so that walks of the tree never
 * recurse without bound. */
static char *repeat(const char *head, const char *unit, int n,
                    const char *tail) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_strbuf_appends(&sb, head);
  for (int i = 0; i < n; i++)
    sl_strbuf_appends(&sb, unit);
  sl_strbuf_appends(&sb, tail);
  return sl_strbuf_detach(&sb, NULL);
}

static void expect_error_owned(char *text, const char *message, int line,
                               int column) {
  expect_error(text, message, line, column);
  free(text);
}

static void test_nesting_limits(void **state) {
  (void)state;
  expect_error_owned(repeat("SELECT a", "+a", 1000, ""),
                     "expression nested too deeply (more than 1000 "
                     "levels)",
                     1, 8);
  expect_error_owned(repeat("SELECT ", "(", 2000, "1"),
                     "statement nested too deeply near \"(\"", 1, 1004);
  expect_error_owned(repeat("SELECT ", "NOT ", 2000, "1"),
                     "statement nested too deeply near \"NOT\"", 1, 3992);
  expect_error_owned(repeat("SELECT * FROM a", " JOIN b ON x", 1000, ""),
                     "too many joins (more than 999)", 1, 12005);

  /* Just below the limits parses, and a long flat list is no nesting. */
  char *ok = repeat("SELECT a", "+a", 998, "");
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("t.sql", ok, NULL, &r, &err), SL_OK);
  const sl_ast_expr *e = r->stmts[0]->u.query.query->selects.items[0]
                             ->items.items[0]->expr;
  assert_int_equal(e->height, 999);
  sl_parse_result_free(r);
  free(ok);
  ok = repeat("SELECT a IN (1", ", 1", 20000, ")");
  assert_int_equal(sl_parse_script("t.sql", ok, NULL, &r, &err), SL_OK);
  e = r->stmts[0]->u.query.query->selects.items[0]->items.items[0]->expr;
  assert_int_equal(e->u.in.list.n, 20001);
  assert_int_equal(e->height, 2);
  sl_parse_result_free(r);
  free(ok);
}

/* Inputs that stop with half-built heap types on the parser's stack: the
 * destructors must free them (LSan checks at exit). */
static void test_no_leaks_on_error_paths(void **state) {
  (void)state;
  static const char *const inputs[] = {
      "CREATE STREAM s (a ARRAY<INT> FROM",
      "CREATE STREAM s (a MAP<VARCHAR, ARRAY<STRUCT<x INT>>> +",
      "CREATE STREAM s (a STRUCT<x INT, y ARRAY<DECIMAL(10,2)>",
      "CREATE STREAM s (a STRUCT<x INT, y",
      "CREATE STREAM s (a STRUCT<x MAP<VARCHAR, INT>, x INT>)",
      "CREATE STREAM s (a STRUCT<x INT, y BADTYPE>)",
      "SELECT CAST(x AS ARRAY<MAP<VARCHAR, INT>> FROM s",
      "SELECT x::STRUCT<a INT> FROM s WHERE (",
      ("CREATE FUNCTION f(ARRAY<INT>, MAP<VARCHAR, INT>) RETURNS "
       "ARRAY<DOUBLE> LANGUAGE"),
      "CREATE FUNCTION f(ARRAY<INT> RETURNS INT",
      "CREATE STREAM s (a ARRAY<INT>, b MAP<INT, INT>)",
      "CREATE STREAM s (a ARRAY<INT>, b INT); SELECT 'x",
      "SELECT a FROM s; CREATE STREAM t (m MAP<VARCHAR, INT>",
      "CREATE STREAM s (a DECIMAL(10, 2), b DECIMAL(50, 1))",
  };
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    sl_parse_result *r = NULL;
    sl_error err;
    sl_error_clear(&err);
    sl_status rc = sl_parse_script("t.sql", inputs[i], NULL, &r, &err);
    if (rc != SL_ERR_SQL)
      fail_msg("\"%s\" should fail, status %d", inputs[i], rc);
    assert_null(r);
  }

  /* And the same types on the success path are freed with the result. */
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("t.sql",
                                   "CREATE STREAM s (a ARRAY<MAP<VARCHAR, "
                                   "STRUCT<x INT, y DECIMAL(5,1)>>>); "
                                   "SELECT CAST(a AS ARRAY<INT>), "
                                   "a::MAP<VARCHAR, BIGINT> FROM s",
                                   NULL, &r, &err),
                   SL_OK);
  assert_int_equal(r->nstmts, 2);
  assert_int_equal(r->ntypes, 3);
  sl_parse_result_free(r);
}

/* ------------------------------------------------------------------ */
/* Variables, spans, helpers                                           */
/* ------------------------------------------------------------------ */

static void test_variables(void **state) {
  (void)state;
  expect_dump("CREATE STREAM ${env}_s WITH (topic='${env}.${topic}') AS "
              "SELECT ${n} AS x FROM ${topic}",
              "-- 1:1-1:88\n"
              "create stream as prod_s\n"
              "  option topic\n"
              "    string 'prod.payments'\n"
              "  query\n"
              "    select\n"
              "      item alias x\n"
              "        binary +\n"
              "          integer 1\n"
              "          integer 2\n"
              "      from\n"
              "        source payments\n");

  /* An error inside a value points at its "$"; one after it at the
   * original column. */
  expect_error("SELECT ${n} +", "expected an expression at end of input",
               1, 14);
  expect_error("SELECT ${topic} ${topic} FROM x",
               "syntax error near \"payments\"", 1, 17);
  expect_error("SELECT a FROM ${topic} WHERE )",
               "expected an expression near \")\"", 1, 30);
  expect_error("SELECT 1;\n-- ${fine}\nSELECT ${nope}",
               "undefined variable \"nope\"; define it with -D nope=VALUE",
               3, 8);

  /* No options at all: references are still errors. */
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("t.sql", "SELECT ${x}", NULL, &r, &err),
                   SL_ERR_SQL);
  assert_null(r);
  assert_string_equal(err.message, "undefined variable \"x\"; define it "
                                   "with -D x=VALUE");
}

static void test_statement_spans(void **state) {
  (void)state;
  const char *text = "  SHOW STREAMS ;;\n"
                     "-- comment\n"
                     "SELECT a,\n"
                     "       b FROM s  ;\n"
                     "DESCRIBE s  -- the last one has no ';'\n";
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("t.sql", text, NULL, &r, &err), SL_OK);
  assert_int_equal(r->nstmts, 3);
  assert_ptr_not_equal(r->text, text);
  assert_string_equal(r->text, text);
  assert_string_equal(r->file, "t.sql");

  static const char *const want[] = {"SHOW STREAMS",
                                     "SELECT a,\n       b FROM s",
                                     "DESCRIBE s"};
  for (int i = 0; i < 3; i++) {
    size_t len;
    const char *s = sl_parse_stmt_text(r, r->stmts[i], &len);
    if (len != strlen(want[i]) || memcmp(s, want[i], len) != 0)
      fail_msg("statement %d is \"%.*s\", expected \"%s\"", i, (int)len, s,
               want[i]);
  }
  assert_int_equal(r->stmts[0]->kind, SL_AST_SHOW);
  assert_int_equal(r->stmts[1]->kind, SL_AST_QUERY);
  assert_int_equal(r->stmts[1]->span.start.line, 3);
  assert_int_equal(r->stmts[1]->span.start.offset, 29);
  assert_int_equal(r->stmts[1]->span.end.line, 4);
  assert_int_equal(r->stmts[1]->span.end.column, 16);
  assert_int_equal(r->stmts[2]->span.start.line, 5);
  sl_parse_result_free(r);

  /* An empty script, or one of comments and ';', has no statement. */
  assert_int_equal(sl_parse_script("t.sql", " ; -- x\n;", NULL, &r, &err),
                   SL_OK);
  assert_int_equal(r->nstmts, 0);
  sl_parse_result_free(r);
}

static void test_explain_spans_and_nesting(void **state) {
  (void)state;
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("t.sql", "EXPLAIN CREATE STREAM o AS "
                                            "SELECT * FROM s;",
                                   NULL, &r, &err),
                   SL_OK);
  assert_int_equal(r->nstmts, 1);
  const sl_ast_stmt *s = r->stmts[0];
  assert_int_equal(s->kind, SL_AST_EXPLAIN);
  assert_non_null(s->u.explain.stmt);
  assert_int_equal(s->u.explain.stmt->kind, SL_AST_CREATE_STREAM_AS);
  size_t len;
  const char *t = sl_parse_stmt_text(r, s->u.explain.stmt, &len);
  assert_int_equal(len, strlen("CREATE STREAM o AS SELECT * FROM s"));
  assert_memory_equal(t, "CREATE STREAM o AS SELECT * FROM s", len);
  sl_parse_result_free(r);

  /* EXPLAIN is not a statement to explain, so the second one reads as
   * a query id, and the SELECT after it is out of place. */
  expect_error("EXPLAIN EXPLAIN SELECT 1",
               "expected \";\" near \"SELECT\"", 1, 17);
}

static void test_parse_statement(void **state) {
  (void)state;
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_statement("-", "SELECT 1;", NULL, &r, &err),
                   SL_OK);
  assert_int_equal(r->nstmts, 1);
  sl_parse_result_free(r);

  assert_int_equal(sl_parse_statement("-", "SELECT 1; SHOW TABLES", NULL,
                                      &r, &err),
                   SL_ERR_SQL);
  assert_null(r);
  assert_string_equal(err.message,
                      "expected one statement, found a second one here");
  assert_int_equal(err.column, 11);

  assert_int_equal(sl_parse_statement("-", "  -- nothing\n", NULL, &r,
                                      &err),
                   SL_ERR_SQL);
  assert_null(r);
  assert_string_equal(err.message, "expected a statement at end of input");
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 1);
}

static void test_is_complete(void **state) {
  (void)state;
  static const struct {
    const char *text;
    bool complete;
  } cases[] = {
      {"", false},
      {"SELECT 1", false},
      {"SELECT 1;", true},
      {"SELECT 1; -- done\n", true},
      {"SELECT 1; /* done */", true},
      {"SELECT ';", false},
      {"SELECT \"a;", false},
      {"SELECT 1 /* ; */", false},
      {"SELECT 1; SELECT", false},
      {"SELECT 1; /* still", false},
      {"SELECT # ;", true},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bool got = sl_parse_is_complete(cases[i].text, strlen(cases[i].text));
    if (got != cases[i].complete)
      fail_msg("\"%s\": complete %d, expected %d", cases[i].text, got,
               cases[i].complete);
  }
}

static void test_render_error(void **state) {
  (void)state;
  const char *text = "SELECT 1;\n\tSELECT\tcount(* FROM p\r\nSELECT 2";
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("q.sql", text, NULL, &r, &err),
                   SL_ERR_SQL);
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_parse_render_error(&err, text, strlen(text), &sb),
                   SL_OK);
  assert_string_equal(sb.data, "q.sql:2:17: error: expected \")\" near "
                               "\"FROM\"\n"
                               "\tSELECT\tcount(* FROM p\n"
                               "\t      \t        ^\n");
  sl_strbuf_free(&sb);

  /* Multi-byte characters take one column and one caret blank. */
  const char *utf = "SELECT '\xc3\xa9t\xc3\xa9' FROM";
  assert_int_equal(sl_parse_script("q.sql", utf, NULL, &r, &err),
                   SL_ERR_SQL);
  sl_strbuf_init(&sb);
  sl_parse_render_error(&err, utf, strlen(utf), &sb);
  assert_string_equal(sb.data, "q.sql:1:18: error: expected \"(\" or a "
                               "name at end of input\n"
                               "SELECT '\xc3\xa9t\xc3\xa9' FROM\n"
                               "                 ^\n");
  sl_strbuf_free(&sb);

  /* Errors without a SQL location render as their one line. */
  sl_error_set(&err, SL_ERR_IO, "cannot read %s", "x.sql");
  sl_strbuf_init(&sb);
  sl_parse_render_error(&err, text, strlen(text), &sb);
  assert_string_equal(sb.data, "error: cannot read x.sql\n");
  sl_strbuf_free(&sb);
}

static void test_keyword_table(void **state) {
  (void)state;
  size_t n = 0;
  const char *prev = "";
  for (const char *k; (k = sl_parse_keyword_at(n)) != NULL; n++) {
    if (strcmp(prev, k) >= 0)
      fail_msg("keywords out of order: \"%s\" before \"%s\"", prev, k);
    assert_true(sl_parse_is_keyword(k, strlen(k)));
    prev = k;
  }
  assert_int_equal(n, 127);
  assert_true(sl_parse_is_keyword("SeLeCt", 6));
  assert_true(sl_parse_is_keyword("system_time", 11));
  assert_false(sl_parse_is_keyword("count", 5));
  assert_false(sl_parse_is_keyword("selectx", 7));
  assert_false(sl_parse_is_keyword("", 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_golden_files),
      cmocka_unit_test(test_precedence),
      cmocka_unit_test(test_keywords_as_names),
      cmocka_unit_test(test_syntax_errors),
      cmocka_unit_test(test_building_errors),
      cmocka_unit_test(test_nesting_limits),
      cmocka_unit_test(test_no_leaks_on_error_paths),
      cmocka_unit_test(test_variables),
      cmocka_unit_test(test_statement_spans),
      cmocka_unit_test(test_explain_spans_and_nesting),
      cmocka_unit_test(test_parse_statement),
      cmocka_unit_test(test_is_complete),
      cmocka_unit_test(test_render_error),
      cmocka_unit_test(test_keyword_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
