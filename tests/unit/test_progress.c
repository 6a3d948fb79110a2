/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_progress.c - status lines (engine/exec/progress.h) and the
 * Prometheus endpoint (engine/exec/metrics.h): the exact line formats,
 * the exact exposition text, the reporter thread, and the HTTP server's
 * answers (200, 404, 400 for an oversized request) on a free loopback
 * port, fed by a collect callback made here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/exec/metrics.h"
#include "engine/exec/progress.h"
#include "test_util.h"

static sl_progress_sample make_sample(const char *id) {
  sl_progress_sample s;
  memset(&s, 0, sizeof(s));
  snprintf(s.id, sizeof(s.id), "%s", id);
  s.status = SL_QUERY_STATUS_RUNNING;
  s.stats.records_in = 1200;
  s.stats.records_out = 1100;
  s.stats.records_failed = 3;
  s.stats.records_late = 2;
  s.stats.dead_lettered = 1;
  s.stats.skipped = 2;
  s.stats.commits = 7;
  s.lag = -1;
  s.total = -1;
  return s;
}

/* ---- status lines ------------------------------------------------------ */

static void test_format_unbounded(void **state) {
  (void)state;
  char buf[512];
  sl_progress_sample s = make_sample("q1");
  assert_string_equal(sl_progress_format(&s, 240.0, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, "
                      "240.0 rec/s");
  s.lag = 30;
  assert_string_equal(sl_progress_format(&s, 12.25, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, lag 30, "
                      "12.2 rec/s");
}

static void test_format_bounded(void **state) {
  (void)state;
  char buf[512];
  sl_progress_sample s = make_sample("q1");
  s.bounded = true;
  s.total = 5000;
  /* 3800 left at 200 records a second: 19 seconds. */
  assert_string_equal(sl_progress_format(&s, 200.0, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, "
                      "1200 of 5000 records (24%), 200.0 rec/s, "
                      "ETA 0:00:19");
  assert_string_equal(sl_progress_format(&s, 0.0, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, "
                      "1200 of 5000 records (24%), 0.0 rec/s, ETA ?");
  /* 3800 left at 1 a second: over an hour. */
  assert_string_equal(sl_progress_format(&s, 1.0, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, "
                      "1200 of 5000 records (24%), 1.0 rec/s, "
                      "ETA 1:03:20");
  /* Never more than the total, whatever the counters say. */
  s.total = 1000;
  assert_string_equal(sl_progress_format(&s, 5.0, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, "
                      "1000 of 1000 records (100%), 5.0 rec/s, "
                      "ETA 0:00:00");
  /* A bounded query whose total is unknown reads like an unbounded one. */
  s.total = -1;
  assert_string_equal(sl_progress_format(&s, 5.0, buf, sizeof(buf)),
                      "q1: in 1200, out 1100, failed 3, late 2, "
                      "5.0 rec/s");
}

static void test_format_truncates(void **state) {
  (void)state;
  char buf[16];
  sl_progress_sample s = make_sample("a_long_query_name");
  assert_string_equal(sl_progress_format(&s, 1.0, buf, sizeof(buf)),
                      "a_long_query_na");
}

/* ---- a collect callback ------------------------------------------------ */

typedef struct fake_source {
  pthread_mutex_t lock;
  int n;
  sl_progress_sample samples[4];
  sl_progress_predict predict;
  int calls;
} fake_source;

static int fake_collect(void *ud, sl_progress_sample *out, int cap,
                        sl_progress_predict *predict) {
  fake_source *f = ud;
  pthread_mutex_lock(&f->lock);
  f->calls++;
  int n = f->n < cap ? f->n : cap;
  for (int i = 0; i < n; i++) {
    out[i] = f->samples[i];
    /* A running query reads ten records between two calls. */
    if (f->samples[i].status == SL_QUERY_STATUS_RUNNING)
      f->samples[i].stats.records_in += 10;
  }
  *predict = f->predict;
  pthread_mutex_unlock(&f->lock);
  return f->n;
}

static void fake_init(fake_source *f) {
  memset(f, 0, sizeof(*f));
  pthread_mutex_init(&f->lock, NULL);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- the reporter thread ----------------------------------------------- */

static void test_reporter_prints_running_only(void **state) {
  (void)state;
  fake_source f;
  fake_init(&f);
  f.n = 2;
  f.samples[0] = make_sample("runs");
  f.samples[0].stats.records_in = 0;
  f.samples[1] = make_sample("done");
  f.samples[1].status = SL_QUERY_STATUS_FINISHED;

  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  assert_non_null(out);
  sl_progress_options opts = {
      .out = out, .interval_ms = 300, .collect = fake_collect, .ud = &f};
  sl_progress *p = NULL;
  sl_error err;
  assert_int_equal(sl_progress_start(&opts, &p, &err), SL_OK);
  sleep_ms(1000);
  sl_progress_stop(p);
  fclose(out);

  /* Every line is the running query's, each with more records read. */
  int lines = 0;
  long long last = -1;
  for (char *line = text; line && *line;) {
    char *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    long long in = -1;
    if (sscanf(line, "runs: in %lld, out 1100, failed 3, late 2, ", &in) !=
        1)
      fail_msg("unexpected line \"%s\"", line);
    assert_true(in > last);
    assert_non_null(strstr(line, " rec/s"));
    last = in;
    lines++;
    line = nl + 1;
  }
  if (lines < 2 || lines > 4)
    fail_msg("%d lines in 1 s at one per 300 ms:\n%s", lines, text);
  free(text);
  pthread_mutex_destroy(&f.lock);
}

static void test_reporter_stops_at_once(void **state) {
  (void)state;
  fake_source f;
  fake_init(&f);
  sl_progress_options opts = {
      .out = stderr, .interval_ms = 60000, .collect = fake_collect, .ud = &f};
  sl_progress *p = NULL;
  sl_error err;
  assert_int_equal(sl_progress_start(&opts, &p, &err), SL_OK);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  sl_progress_stop(p);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (double)(b.tv_sec - a.tv_sec) +
                (double)(b.tv_nsec - a.tv_nsec) / 1e9;
  if (secs > 1.0)
    fail_msg("stopping took %.2f s", secs);
  pthread_mutex_destroy(&f.lock);
}

/* ---- the exposition text ----------------------------------------------- */

/* The exposition text of two_samples and predict_figures, in three parts
 * (a string literal has a bounded length): the queries, their operators,
 * and PREDICT. */
static const char expected_queries[] =
    "# HELP sluice_query_records_in_total Records read from the query's "
    "sources.\n"
    "# TYPE sluice_query_records_in_total counter\n"
    "sluice_query_records_in_total{query=\"q1\"} 1200\n"
    "sluice_query_records_in_total{query=\"a\\\"b\\\\c\\n\"} 1200\n"
    "# HELP sluice_query_records_out_total Rows the query handed to its "
    "sink.\n"
    "# TYPE sluice_query_records_out_total counter\n"
    "sluice_query_records_out_total{query=\"q1\"} 1100\n"
    "sluice_query_records_out_total{query=\"a\\\"b\\\\c\\n\"} 1100\n"
    "# HELP sluice_query_records_failed_total Records that failed, for any "
    "reason.\n"
    "# TYPE sluice_query_records_failed_total counter\n"
    "sluice_query_records_failed_total{query=\"q1\"} 3\n"
    "sluice_query_records_failed_total{query=\"a\\\"b\\\\c\\n\"} 3\n"
    "# HELP sluice_query_records_late_total Records that arrived after "
    "their window closed.\n"
    "# TYPE sluice_query_records_late_total counter\n"
    "sluice_query_records_late_total{query=\"q1\"} 2\n"
    "sluice_query_records_late_total{query=\"a\\\"b\\\\c\\n\"} 2\n"
    "# HELP sluice_query_dead_lettered_total Failed records written to a "
    "dead-letter topic.\n"
    "# TYPE sluice_query_dead_lettered_total counter\n"
    "sluice_query_dead_lettered_total{query=\"q1\"} 1\n"
    "sluice_query_dead_lettered_total{query=\"a\\\"b\\\\c\\n\"} 1\n"
    "# HELP sluice_query_skipped_total Failed records skipped.\n"
    "# TYPE sluice_query_skipped_total counter\n"
    "sluice_query_skipped_total{query=\"q1\"} 2\n"
    "sluice_query_skipped_total{query=\"a\\\"b\\\\c\\n\"} 2\n"
    "# HELP sluice_query_commits_total Offset commits that succeeded.\n"
    "# TYPE sluice_query_commits_total counter\n"
    "sluice_query_commits_total{query=\"q1\"} 7\n"
    "sluice_query_commits_total{query=\"a\\\"b\\\\c\\n\"} 7\n"
    "# HELP sluice_query_running 1 while the query runs, else 0.\n"
    "# TYPE sluice_query_running gauge\n"
    "sluice_query_running{query=\"q1\"} 1\n"
    "sluice_query_running{query=\"a\\\"b\\\\c\\n\"} 0\n"
    "# HELP sluice_query_lag_records Records between the committed offsets "
    "and the end of the sources.\n"
    "# TYPE sluice_query_lag_records gauge\n"
    "sluice_query_lag_records{query=\"q1\"} 42\n"
    "# HELP sluice_query_state_entries Entries in the query's state store "
    "at its last checkpoint.\n"
    "# TYPE sluice_query_state_entries gauge\n"
    "sluice_query_state_entries{query=\"q1\"} 300\n"
    "sluice_query_state_entries{query=\"a\\\"b\\\\c\\n\"} 0\n"
    "# HELP sluice_query_state_bytes Key and value bytes in the query's "
    "state store at its last checkpoint.\n"
    "# TYPE sluice_query_state_bytes gauge\n"
    "sluice_query_state_bytes{query=\"q1\"} 65536\n"
    "sluice_query_state_bytes{query=\"a\\\"b\\\\c\\n\"} 0\n"
    "# HELP sluice_query_checkpoints_total State checkpoints written.\n"
    "# TYPE sluice_query_checkpoints_total counter\n"
    "sluice_query_checkpoints_total{query=\"q1\"} 4\n"
    "sluice_query_checkpoints_total{query=\"a\\\"b\\\\c\\n\"} 0\n"
    "# HELP sluice_query_last_checkpoint_seconds How long the query's last "
    "state checkpoint took.\n"
    "# TYPE sluice_query_last_checkpoint_seconds gauge\n"
    "sluice_query_last_checkpoint_seconds{query=\"q1\"} 0.012500\n"
    "sluice_query_last_checkpoint_seconds{query=\"a\\\"b\\\\c\\n\"} 0\n";

static const char expected_operators[] =
    "# HELP sluice_operator_records_in_total Rows an operator of a query "
    "received.\n"
    "# TYPE sluice_operator_records_in_total counter\n"
    "sluice_operator_records_in_total{query=\"q1\",operator=\"0\","
    "kind=\"Source\"} 1200\n"
    "sluice_operator_records_in_total{query=\"q1\",operator=\"1\","
    "kind=\"WindowAgg\"} 1197\n"
    "# HELP sluice_operator_records_out_total Rows an operator of a query "
    "passed on.\n"
    "# TYPE sluice_operator_records_out_total counter\n"
    "sluice_operator_records_out_total{query=\"q1\",operator=\"0\","
    "kind=\"Source\"} 1197\n"
    "sluice_operator_records_out_total{query=\"q1\",operator=\"1\","
    "kind=\"WindowAgg\"} 40\n"
    "# HELP sluice_operator_records_failed_total Rows that failed in an "
    "operator of a query.\n"
    "# TYPE sluice_operator_records_failed_total counter\n"
    "sluice_operator_records_failed_total{query=\"q1\",operator=\"0\","
    "kind=\"Source\"} 3\n"
    "sluice_operator_records_failed_total{query=\"q1\",operator=\"1\","
    "kind=\"WindowAgg\"} 0\n"
    "# HELP sluice_operator_records_late_total Late rows an operator of a "
    "query counted.\n"
    "# TYPE sluice_operator_records_late_total counter\n"
    "sluice_operator_records_late_total{query=\"q1\",operator=\"0\","
    "kind=\"Source\"} 0\n"
    "sluice_operator_records_late_total{query=\"q1\",operator=\"1\","
    "kind=\"WindowAgg\"} 2\n";

static const char expected_predict[] =
    "# HELP sluice_predictions_total Rows scored by PREDICT.\n"
    "# TYPE sluice_predictions_total counter\n"
    "sluice_predictions_total 9\n"
    "# HELP sluice_predict_batch_seconds Time spent scoring one batch in "
    "one PREDICT call.\n"
    "# TYPE sluice_predict_batch_seconds summary\n"
    "sluice_predict_batch_seconds_sum 0.250000\n"
    "sluice_predict_batch_seconds_count 3\n"
    "# HELP sluice_query_predictions_total Rows a query scored with a model "
    "version.\n"
    "# TYPE sluice_query_predictions_total counter\n"
    "sluice_query_predictions_total{query=\"q1\",model=\"risk\","
    "version=\"2\"} 9\n"
    "# HELP sluice_query_predict_batch_seconds Time a query spent scoring "
    "one batch with a model version.\n"
    "# TYPE sluice_query_predict_batch_seconds summary\n"
    "sluice_query_predict_batch_seconds_sum{query=\"q1\",model=\"risk\","
    "version=\"2\"} 0.250000\n"
    "sluice_query_predict_batch_seconds_count{query=\"q1\",model=\"risk\","
    "version=\"2\"} 3\n"
    "# HELP sluice_query_predict_unseen_total ONE_HOT values a query scored "
    "that the model version did not see in training.\n"
    "# TYPE sluice_query_predict_unseen_total counter\n"
    "sluice_query_predict_unseen_total{query=\"q1\",model=\"risk\","
    "version=\"2\"} 4\n";

/* The three parts of the expected text as one (malloc'd). */
static char *expected_metrics(void) {
  size_t n = strlen(expected_queries) + strlen(expected_operators) +
             strlen(expected_predict);
  char *text = malloc(n + 1);
  assert_non_null(text);
  snprintf(text, n + 1, "%s%s%s", expected_queries, expected_operators,
           expected_predict);
  return text;
}

/* PREDICT in the process, and what query q1 scored with risk version 2
 * (all of it). */
static void predict_figures(sl_progress_predict *p) {
  memset(p, 0, sizeof(*p));
  p->rows = 9;
  p->calls = 3;
  p->seconds = 0.25;
  p->nmodels = 1;
  sl_progress_model *m = &p->models[0];
  snprintf(m->query, sizeof(m->query), "q1");
  snprintf(m->model, sizeof(m->model), "risk");
  m->version = 2;
  m->rows = 9;
  m->calls = 3;
  m->seconds = 0.25;
  m->unseen = 4;
}

static void two_samples(sl_progress_sample *s) {
  s[0] = make_sample("q1");
  s[0].lag = 42;
  s[0].stats.state_entries = 300;
  s[0].stats.state_bytes = 65536;
  s[0].stats.checkpoints = 4;
  s[0].stats.last_checkpoint_ms = 12.5;
  /* A source that failed three records and a window that counted two
   * late rows and emitted 40. */
  s[0].nops = 2;
  s[0].ops[0] = (sl_progress_op){
      .id = 0, .kind = "Source", .counters = {1200, 1197, 3, 0}};
  s[0].ops[1] = (sl_progress_op){
      .id = 1, .kind = "WindowAgg", .counters = {1197, 40, 0, 2}};
  s[1] = make_sample("a\"b\\c\n");
  s[1].status = SL_QUERY_STATUS_STOPPED;
}

static void test_render(void **state) {
  (void)state;
  sl_progress_sample s[2];
  two_samples(s);
  sl_strbuf out;
  sl_strbuf_init(&out);
  sl_error err;
  sl_progress_predict *predict = malloc(sizeof(*predict));
  assert_non_null(predict);
  predict_figures(predict);
  assert_int_equal(sl_metrics_render(s, 2, predict, &out, &err), SL_OK);
  char *expected = expected_metrics();
  assert_string_equal(out.data, expected);
  free(expected);

  /* No predictions known: the PREDICT metrics are left out. */
  sl_strbuf_reset(&out);
  predict->rows = -1;
  assert_int_equal(sl_metrics_render(s, 0, predict, &out, &err), SL_OK);
  assert_null(strstr(out.data, "sluice_predictions_total"));
  assert_null(strstr(out.data, "sluice_query_predictions_total"));
  assert_null(strstr(out.data, "{query="));
  free(predict);
  assert_non_null(strstr(out.data, "# TYPE sluice_query_running gauge\n"));
  sl_strbuf_free(&out);
}

/* ---- the HTTP server --------------------------------------------------- */

/* Sends request to 127.0.0.1:port and returns everything the server
 * answered (malloc'd). */
static char *http_exchange(int port, const char *request, size_t len) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
  size_t sent = 0;
  while (sent < len) {
    ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break; /* the server may answer and close before reading it all */
    sent += (size_t)n;
  }
  sl_strbuf got;
  sl_strbuf_init(&got);
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
    sl_strbuf_append(&got, buf, (size_t)n);
  close(fd);
  char *text = sl_strbuf_detach(&got, NULL);
  return text ? text : strdup("");
}

static void test_server(void **state) {
  (void)state;
  fake_source f;
  fake_init(&f);
  f.n = 2;
  two_samples(f.samples);
  predict_figures(&f.predict);

  sl_metrics_options opts = {.port = 0, .collect = fake_collect, .ud = &f};
  sl_metrics *m = NULL;
  sl_error err;
  assert_int_equal(sl_metrics_start(&opts, &m, &err), SL_OK);
  int port = sl_metrics_port(m);
  assert_true(port > 0);

  /* A scrape: the headers, then exactly the rendered text. */
  static const char get[] = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
  char *reply = http_exchange(port, get, strlen(get));
  char *expected = expected_metrics();
  char head[512];
  snprintf(head, sizeof(head),
           "HTTP/1.0 200 OK\r\n"
           "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
           strlen(expected));
  assert_int_equal(strncmp(reply, head, strlen(head)), 0);
  assert_string_equal(reply + strlen(head), expected);
  free(expected);
  free(reply);

  /* A query string is ignored; a bare LF request works too. */
  static const char get2[] = "GET /metrics?x=1 HTTP/1.1\n\n";
  reply = http_exchange(port, get2, strlen(get2));
  assert_int_equal(strncmp(reply, "HTTP/1.0 200 OK\r\n", 17), 0);
  free(reply);

  /* Anything else is not found. */
  static const char other[] = "GET / HTTP/1.0\r\n\r\n";
  reply = http_exchange(port, other, strlen(other));
  assert_string_equal(reply, "HTTP/1.0 404 Not Found\r\n"
                             "Content-Type: text/plain\r\n"
                             "Content-Length: 10\r\n"
                             "Connection: close\r\n\r\nnot found\n");
  free(reply);
  static const char post[] = "POST /metrics HTTP/1.0\r\n\r\n";
  reply = http_exchange(port, post, strlen(post));
  assert_int_equal(strncmp(reply, "HTTP/1.0 404 Not Found\r\n", 24), 0);
  free(reply);

  /* A request head larger than the bound is refused. */
  size_t big = SL_METRICS_REQUEST_MAX + 100;
  char *huge = malloc(big);
  assert_non_null(huge);
  memcpy(huge, "GET /metrics HTTP/1.0\r\nX: ", 26);
  memset(huge + 26, 'a', big - 26);
  reply = http_exchange(port, huge, big);
  assert_int_equal(strncmp(reply, "HTTP/1.0 400 Bad Request\r\n", 26), 0);
  free(reply);
  free(huge);

  /* A malformed request line. */
  static const char junk[] = "hello\r\n\r\n";
  reply = http_exchange(port, junk, strlen(junk));
  assert_int_equal(strncmp(reply, "HTTP/1.0 400 Bad Request\r\n", 26), 0);
  free(reply);

  sl_metrics_stop(m);
  pthread_mutex_destroy(&f.lock);
}

static void test_server_port_taken(void **state) {
  (void)state;
  fake_source f;
  fake_init(&f);
  sl_metrics_options opts = {.port = 0, .collect = fake_collect, .ud = &f};
  sl_metrics *m = NULL, *again = NULL;
  sl_error err;
  assert_int_equal(sl_metrics_start(&opts, &m, &err), SL_OK);
  opts.port = sl_metrics_port(m);
  assert_int_equal(sl_metrics_start(&opts, &again, &err), SL_ERR_RUNTIME);
  assert_null(again);
  char want[64];
  snprintf(want, sizeof(want), "cannot serve metrics on 127.0.0.1:%d: ",
           opts.port);
  assert_int_equal(strncmp(err.message, want, strlen(want)), 0);
  sl_metrics_stop(m);
  pthread_mutex_destroy(&f.lock);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_unbounded),
      cmocka_unit_test(test_format_bounded),
      cmocka_unit_test(test_format_truncates),
      cmocka_unit_test(test_reporter_prints_running_only),
      cmocka_unit_test(test_reporter_stops_at_once),
      cmocka_unit_test(test_render),
      cmocka_unit_test(test_server),
      cmocka_unit_test(test_server_port_taken),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
