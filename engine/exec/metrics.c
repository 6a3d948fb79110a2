/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c - the exposition text and the HTTP/1.0 server that serves
 * it.
 */
#include "engine/exec/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "engine/common/log.h"

/* Queries one scrape reports. */
#define METRICS_MAX_QUERIES 256
/* How often the server looks for a stop request while idle. */
#define METRICS_POLL_MS 200
/* How long a client may take to send its request. */
#define METRICS_READ_TIMEOUT_S 3

/* ---- The exposition text ---------------------------------------------- */

typedef enum metric_field {
  FIELD_IN,
  FIELD_OUT,
  FIELD_FAILED,
  FIELD_LATE,
  FIELD_DEAD_LETTERED,
  FIELD_SKIPPED,
  FIELD_COMMITS,
  FIELD_RUNNING,
  FIELD_LAG,
  FIELD_STATE_ENTRIES,
  FIELD_STATE_BYTES,
  FIELD_CHECKPOINTS,
  FIELD_CHECKPOINT_SECONDS
} metric_field;

typedef struct metric_def {
  const char *name;
  const char *type;
  const char *help;
  metric_field field;
} metric_def;

static const metric_def query_metrics[] = {
    {"sluice_query_records_in_total", "counter",
     "Records read from the query's sources.", FIELD_IN},
    {"sluice_query_records_out_total", "counter",
     "Rows the query handed to its sink.", FIELD_OUT},
    {"sluice_query_records_failed_total", "counter",
     "Records that failed, for any reason.", FIELD_FAILED},
    {"sluice_query_records_late_total", "counter",
     "Records that arrived after their window closed.", FIELD_LATE},
    {"sluice_query_dead_lettered_total", "counter",
     "Failed records written to a dead-letter topic.", FIELD_DEAD_LETTERED},
    {"sluice_query_skipped_total", "counter",
     "Failed records skipped.", FIELD_SKIPPED},
    {"sluice_query_commits_total", "counter",
     "Offset commits that succeeded.", FIELD_COMMITS},
    {"sluice_query_running", "gauge",
     "1 while the query runs, else 0.", FIELD_RUNNING},
    {"sluice_query_lag_records", "gauge",
     "Records between the committed offsets and the end of the sources.",
     FIELD_LAG},
    {"sluice_query_state_entries", "gauge",
     "Entries in the query's state store at its last checkpoint.",
     FIELD_STATE_ENTRIES},
    {"sluice_query_state_bytes", "gauge",
     "Key and value bytes in the query's state store at its last "
     "checkpoint.", FIELD_STATE_BYTES},
    {"sluice_query_checkpoints_total", "counter",
     "State checkpoints written.", FIELD_CHECKPOINTS},
    {"sluice_query_last_checkpoint_seconds", "gauge",
     "How long the query's last state checkpoint took.",
     FIELD_CHECKPOINT_SECONDS},
};

/* The value of field in s; false when it is not known. */
static bool metric_value(const sl_progress_sample *s, metric_field field,
                         double *out) {
  const sl_query_stats *st = &s->stats;
  switch (field) {
  case FIELD_IN: *out = (double)st->records_in; return true;
  case FIELD_OUT: *out = (double)st->records_out; return true;
  case FIELD_FAILED: *out = (double)st->records_failed; return true;
  case FIELD_LATE: *out = (double)st->records_late; return true;
  case FIELD_DEAD_LETTERED: *out = (double)st->dead_lettered; return true;
  case FIELD_SKIPPED: *out = (double)st->skipped; return true;
  case FIELD_COMMITS: *out = (double)st->commits; return true;
  case FIELD_RUNNING:
    *out = s->status == SL_QUERY_STATUS_RUNNING;
    return true;
  case FIELD_LAG:
    *out = (double)s->lag;
    return s->lag >= 0;
  case FIELD_STATE_ENTRIES: *out = (double)st->state_entries; return true;
  case FIELD_STATE_BYTES: *out = (double)st->state_bytes; return true;
  case FIELD_CHECKPOINTS: *out = (double)st->checkpoints; return true;
  case FIELD_CHECKPOINT_SECONDS:
    *out = st->last_checkpoint_ms / 1000.0;
    return true;
  }
  return false;
}

/* A label value with \, " and newlines escaped as the format asks. */
static void append_label(sl_strbuf *out, const char *v) {
  for (; *v; v++) {
    if (*v == '\\' || *v == '"')
      sl_strbuf_appendc(out, '\\');
    if (*v == '\n')
      sl_strbuf_appends(out, "\\n");
    else
      sl_strbuf_appendc(out, *v);
  }
}

/* A sample's value: counts as integers, seconds with microseconds. */
static void append_number(sl_strbuf *out, double v) {
  if (v == (double)(int64_t)v)
    sl_strbuf_appendf(out, "%" PRId64, (int64_t)v);
  else
    sl_strbuf_appendf(out, "%.6f", v);
}

typedef enum op_field { OP_IN, OP_OUT, OP_FAILED, OP_LATE } op_field;

static const struct {
  const char *name;
  const char *help;
  op_field field;
} op_metrics[] = {
    {"sluice_operator_records_in_total",
     "Rows an operator of a query received.", OP_IN},
    {"sluice_operator_records_out_total",
     "Rows an operator of a query passed on.", OP_OUT},
    {"sluice_operator_records_failed_total",
     "Rows that failed in an operator of a query.", OP_FAILED},
    {"sluice_operator_records_late_total",
     "Late rows an operator of a query counted.", OP_LATE},
};

static int64_t op_value(const sl_progress_op *op, op_field field) {
  switch (field) {
  case OP_IN: return op->counters.records_in;
  case OP_OUT: return op->counters.records_out;
  case OP_FAILED: return op->counters.records_failed;
  case OP_LATE: return op->counters.records_late;
  }
  return 0;
}

/* One series per operator of every query, labelled with the query, the
 * operator's number in the plan and its kind. */
static void render_operators(const sl_progress_sample *samples, int n,
                             sl_strbuf *out) {
  size_t nmetrics = sizeof(op_metrics) / sizeof(op_metrics[0]);
  for (size_t k = 0; k < nmetrics; k++) {
    const char *name = op_metrics[k].name;
    sl_strbuf_appendf(out, "# HELP %s %s\n# TYPE %s counter\n", name,
                      op_metrics[k].help, name);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < samples[i].nops; j++) {
        const sl_progress_op *op = &samples[i].ops[j];
        sl_strbuf_appendf(out, "%s{query=\"", name);
        append_label(out, samples[i].id);
        sl_strbuf_appendf(out, "\",operator=\"%d\",kind=\"", op->id);
        append_label(out, op->kind);
        sl_strbuf_appendf(out, "\"} %" PRId64 "\n",
                          op_value(op, op_metrics[k].field));
      }
    }
  }
}

/* The labels {query, model, version} of one entry, braces included. */
static void model_labels(sl_strbuf *out, const sl_progress_model *m) {
  sl_strbuf_appends(out, "{query=\"");
  append_label(out, m->query);
  sl_strbuf_appends(out, "\",model=\"");
  append_label(out, m->model);
  sl_strbuf_appendf(out, "\",version=\"%d\"}", m->version);
}

/* PREDICT per query and model version: rows, the latency summary and the
 * unseen ONE_HOT values. */
static void render_models(const sl_progress_predict *p, sl_strbuf *out) {
  sl_strbuf_appends(out,
                    "# HELP sluice_query_predictions_total Rows a query "
                    "scored with a model version.\n"
                    "# TYPE sluice_query_predictions_total counter\n");
  for (int i = 0; i < p->nmodels; i++) {
    sl_strbuf_appends(out, "sluice_query_predictions_total");
    model_labels(out, &p->models[i]);
    sl_strbuf_appendf(out, " %" PRId64 "\n", p->models[i].rows);
  }
  sl_strbuf_appends(out,
                    "# HELP sluice_query_predict_batch_seconds Time a query "
                    "spent scoring one batch with a model version.\n"
                    "# TYPE sluice_query_predict_batch_seconds summary\n");
  for (int i = 0; i < p->nmodels; i++) {
    sl_strbuf_appends(out, "sluice_query_predict_batch_seconds_sum");
    model_labels(out, &p->models[i]);
    sl_strbuf_appendc(out, ' ');
    append_number(out, p->models[i].seconds);
    sl_strbuf_appends(out, "\nsluice_query_predict_batch_seconds_count");
    model_labels(out, &p->models[i]);
    sl_strbuf_appendf(out, " %" PRId64 "\n", p->models[i].calls);
  }
  sl_strbuf_appends(out,
                    "# HELP sluice_query_predict_unseen_total ONE_HOT values "
                    "a query scored that the model version did not see in "
                    "training.\n"
                    "# TYPE sluice_query_predict_unseen_total counter\n");
  for (int i = 0; i < p->nmodels; i++) {
    sl_strbuf_appends(out, "sluice_query_predict_unseen_total");
    model_labels(out, &p->models[i]);
    sl_strbuf_appendf(out, " %" PRId64 "\n", p->models[i].unseen);
  }
}

sl_status sl_metrics_render(const sl_progress_sample *samples, int n,
                            const sl_progress_predict *predict,
                            sl_strbuf *out, sl_error *err) {
  size_t nmetrics = sizeof(query_metrics) / sizeof(query_metrics[0]);
  for (size_t k = 0; k < nmetrics; k++) {
    const metric_def *d = &query_metrics[k];
    sl_strbuf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n", d->name, d->help,
                      d->name, d->type);
    for (int i = 0; i < n; i++) {
      double v;
      if (!metric_value(&samples[i], d->field, &v))
        continue;
      sl_strbuf_appendf(out, "%s{query=\"", d->name);
      append_label(out, samples[i].id);
      sl_strbuf_appends(out, "\"} ");
      append_number(out, v);
      sl_strbuf_appendc(out, '\n');
    }
  }

  render_operators(samples, n, out);

  /* PREDICT's latency per batch as a summary: its sum and count give the
   * mean over any scrape interval. */
  if (predict && predict->rows >= 0)
    sl_strbuf_appendf(out,
                      "# HELP sluice_predictions_total Rows scored by "
                      "PREDICT.\n"
                      "# TYPE sluice_predictions_total counter\n"
                      "sluice_predictions_total %" PRId64 "\n"
                      "# HELP sluice_predict_batch_seconds Time spent "
                      "scoring one batch in one PREDICT call.\n"
                      "# TYPE sluice_predict_batch_seconds summary\n"
                      "sluice_predict_batch_seconds_sum %.6f\n"
                      "sluice_predict_batch_seconds_count %" PRId64 "\n",
                      predict->rows, predict->seconds, predict->calls);
  if (predict && predict->rows >= 0)
    render_models(predict, out);
  if (out->failed)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  return SL_OK;
}

/* ---- The server ------------------------------------------------------- */

struct sl_metrics {
  sl_metrics_options opts;
  int fd;                      /* listening socket */
  int port;
  pthread_t thread;
  atomic_bool stop;
  sl_progress_sample *samples; /* METRICS_MAX_QUERIES, for scrapes */
  sl_progress_predict *predict;
};

/* Sends all of data; false when the client went away. */
static bool send_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    len -= (size_t)n;
  }
  return true;
}

static void respond(int fd, const char *status, const char *type,
                    const char *body, size_t len) {
  char head[256];
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, type, len);
  if (send_all(fd, head, (size_t)n))
    send_all(fd, body, len);
}

/* Reads the request head (up to the blank line).  Returns its length,
 * 0 when the client sent nothing usable, -1 when it is too large. */
static ssize_t read_request(int fd, char *buf, size_t size) {
  size_t len = 0;
  while (len < size - 1) {
    ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t)n;
    buf[len] = '\0';
    if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
      return (ssize_t)len;
  }
  buf[len] = '\0';
  if (len == size - 1)
    return -1;
  /* A client that closed after its request line still gets an answer. */
  return strchr(buf, '\n') ? (ssize_t)len : 0;
}

/* Answers the scrape: samples collected now, lag measured. */
static void serve_metrics(sl_metrics *m, int fd) {
  memset(m->predict, 0, sizeof(*m->predict));
  m->predict->rows = -1;
  int n = m->opts.collect(m->opts.ud, m->samples, METRICS_MAX_QUERIES,
                          m->predict);
  n = n < METRICS_MAX_QUERIES ? n : METRICS_MAX_QUERIES;
  for (int i = 0; i < n && m->opts.meter; i++)
    sl_progress_meter_measure(m->opts.meter, &m->samples[i]);

  sl_strbuf body;
  sl_strbuf_init(&body);
  sl_error err;
  if (sl_metrics_render(m->samples, n, m->predict, &body, &err)) {
    static const char msg[] = "out of memory\n";
    respond(fd, "500 Internal Server Error", "text/plain", msg,
            sizeof(msg) - 1);
  } else {
    respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
            body.data ? body.data : "", body.len);
  }
  sl_strbuf_free(&body);
}

/* One connection: read the request, answer it, close. */
static void serve_client(sl_metrics *m, int fd) {
  struct timeval tv = {METRICS_READ_TIMEOUT_S, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  char *req = malloc(SL_METRICS_REQUEST_MAX + 1);
  if (!req)
    return;
  ssize_t len = read_request(fd, req, SL_METRICS_REQUEST_MAX + 1);
  static const char not_found[] = "not found\n";
  static const char bad[] = "bad request\n";
  if (len < 0) {
    respond(fd, "400 Bad Request", "text/plain", bad, sizeof(bad) - 1);
  } else if (len > 0) {
    /* The request line: METHOD SP TARGET SP VERSION. */
    char method[16] = "", target[256] = "";
    char *sp1 = strchr(req, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    char *eol = strpbrk(req, "\r\n");
    if (!sp1 || !sp2 || (eol && sp2 > eol) ||
        (size_t)(sp1 - req) >= sizeof(method) ||
        (size_t)(sp2 - sp1 - 1) >= sizeof(target)) {
      respond(fd, "400 Bad Request", "text/plain", bad, sizeof(bad) - 1);
    } else {
      memcpy(method, req, (size_t)(sp1 - req));
      memcpy(target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
      char *query = strchr(target, '?');
      if (query)
        *query = '\0';
      if (strcmp(method, "GET") == 0 && strcmp(target, "/metrics") == 0)
        serve_metrics(m, fd);
      else
        respond(fd, "404 Not Found", "text/plain", not_found,
                sizeof(not_found) - 1);
    }
  }
  free(req);
}

static void *metrics_main(void *arg) {
  sl_metrics *m = arg;
  while (!atomic_load(&m->stop)) {
    struct pollfd pfd = {m->fd, POLLIN, 0};
    int r = poll(&pfd, 1, METRICS_POLL_MS);
    if (r <= 0)
      continue;
    int client = accept(m->fd, NULL, NULL);
    if (client < 0)
      continue;
    serve_client(m, client);
    close(client);
  }
  return NULL;
}

sl_status sl_metrics_start(const sl_metrics_options *opts, sl_metrics **out,
                           sl_error *err) {
  *out = NULL;
  sl_metrics *m = calloc(1, sizeof(*m));
  if (!m)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  m->opts = *opts;
  m->samples = calloc(METRICS_MAX_QUERIES, sizeof(*m->samples));
  m->predict = calloc(1, sizeof(*m->predict));
  m->fd = socket(AF_INET, SOCK_STREAM, 0);
  if (!m->samples || !m->predict || m->fd < 0) {
    sl_status code = m->samples && m->predict ? SL_ERR_RUNTIME
                                              : SL_ERR_NOMEM;
    if (m->fd >= 0)
      close(m->fd);
    free(m->samples);
    free(m->predict);
    free(m);
    return sl_error_set(err, code, "cannot serve metrics: %s",
                        code == SL_ERR_NOMEM ? "out of memory"
                                             : strerror(errno));
  }

  /* Loopback only: the metrics are for a local scraper or agent. */
  int one = 1;
  setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)opts->port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof(addr);
  if (bind(m->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
      listen(m->fd, 16) != 0 ||
      getsockname(m->fd, (struct sockaddr *)&addr, &alen) != 0) {
    int e = errno;
    close(m->fd);
    free(m->samples);
    free(m->predict);
    free(m);
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "cannot serve metrics on 127.0.0.1:%d: %s",
                        opts->port, strerror(e));
  }
  m->port = ntohs(addr.sin_port);

  atomic_init(&m->stop, false);
  if (pthread_create(&m->thread, NULL, metrics_main, m) != 0) {
    close(m->fd);
    free(m->samples);
    free(m->predict);
    free(m);
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "cannot start the metrics thread");
  }
  SL_INFO("metrics", "serving metrics on http://127.0.0.1:%d/metrics",
          m->port);
  *out = m;
  return SL_OK;
}

int sl_metrics_port(const sl_metrics *m) { return m->port; }

void sl_metrics_stop(sl_metrics *m) {
  if (!m)
    return;
  atomic_store(&m->stop, true);
  pthread_join(m->thread, NULL);
  close(m->fd);
  free(m->samples);
  free(m->predict);
  free(m);
}
