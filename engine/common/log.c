/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - the logger: level filter, one lock around each line, optional
 * log file, and a rate limiter for repeated faults.
 */
#include "engine/common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

sl_log_level sl_log_threshold = SL_LOG_INFO;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL: stderr */

static const char *const level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_vwrite(sl_log_level level, const char *subsystem,
                       const char *fmt, va_list ap) {
  char line[4096];
  int n = snprintf(line, sizeof(line), "%s [%s] ", level_names[level],
                   subsystem ? subsystem : "sluice");
  if (n < 0)
    return;
  if ((size_t)n < sizeof(line))
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);

  pthread_mutex_lock(&log_lock);
  FILE *out = log_file ? log_file : stderr;
  if (log_file) {
    /* A file gets timestamps; a terminal reader does not need them. */
    int64_t ms = now_ms();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    fprintf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ ", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
            (int)(ms % 1000));
  }
  fputs(line, out);
  fputc('\n', out);
  fflush(out);
  pthread_mutex_unlock(&log_lock);
}

void sl_log_write(sl_log_level level, const char *subsystem, const char *fmt,
                  ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vwrite(level, subsystem, fmt, ap);
  va_end(ap);
}

bool sl_log_parse_level(const char *name, sl_log_level *out) {
  for (int i = 0; i <= SL_LOG_DEBUG; i++) {
    if (strcasecmp(name, level_names[i]) == 0) {
      *out = (sl_log_level)i;
      return true;
    }
  }
  if (strcasecmp(name, "warning") == 0) {
    *out = SL_LOG_WARN;
    return true;
  }
  return false;
}

void sl_log_set_level(sl_log_level level) { sl_log_threshold = level; }

sl_status sl_log_set_file(const char *path, sl_error *err) {
  FILE *f = NULL;
  if (path) {
    f = fopen(path, "a");
    if (!f)
      return sl_error_set(err, SL_ERR_IO, "cannot open log file %s: %s",
                          path, strerror(errno));
  }
  pthread_mutex_lock(&log_lock);
  if (log_file)
    fclose(log_file);
  log_file = f;
  pthread_mutex_unlock(&log_lock);
  return SL_OK;
}

void sl_log_ratelimited(sl_log_limit *limit, sl_log_level level,
                        const char *subsystem, const char *fmt, ...) {
  if (level > sl_log_threshold)
    return;

  int64_t now = now_ms();
  pthread_mutex_lock(&log_lock);
  if (now - limit->window_start_ms >= limit->interval_ms) {
    limit->window_start_ms = now;
    limit->emitted = 0;
  }
  bool pass = limit->emitted < limit->per_interval;
  int64_t suppressed = 0;
  if (pass) {
    limit->emitted++;
    suppressed = limit->suppressed;
    limit->suppressed = 0;
  } else {
    limit->suppressed++;
  }
  pthread_mutex_unlock(&log_lock);
  if (!pass)
    return;

  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (suppressed > 0)
    sl_log_write(level, subsystem, "%s (%lld similar messages suppressed)",
                 msg, (long long)suppressed);
  else
    sl_log_write(level, subsystem, "%s", msg);
}

static bool contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++) {
    if (strncasecmp(hay, needle, n) == 0)
      return true;
  }
  return false;
}

bool sl_log_is_secret_key(const char *key) {
  static const char *const words[] = {"password", "secret", "token",
                                      "key", "credential", "jaas"};
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    if (contains_ci(key, words[i]))
      return true;
  }
  return false;
}
