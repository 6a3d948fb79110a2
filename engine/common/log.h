/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - the one logger of Sluice.
 *
 * Levels error < warn < info < debug; each message names a subsystem
 * ("kafka", "engine", "catalog", ...).  SL_LOG checks the level before any
 * argument is formatted, so a disabled debug line costs one comparison.
 * Output goes to standard error by default, or to a file.  The engine logs
 * lifecycle and faults; per-record messages are debug only, and repeated
 * faults go through sl_log_ratelimited.
 */
#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

typedef enum sl_log_level {
  SL_LOG_ERROR = 0,
  SL_LOG_WARN,
  SL_LOG_INFO,
  SL_LOG_DEBUG
} sl_log_level;

/* The current threshold; messages above it are skipped.  Read without a
 * lock on the hot path; set it before starting threads. */
extern sl_log_level sl_log_threshold;

#define SL_LOG(level, subsystem, ...)                      \
  do {                                                     \
    if ((level) <= sl_log_threshold)                       \
      sl_log_write((level), (subsystem), __VA_ARGS__);     \
  } while (0)

#define SL_ERROR(sub, ...) SL_LOG(SL_LOG_ERROR, sub, __VA_ARGS__)
#define SL_WARN(sub, ...) SL_LOG(SL_LOG_WARN, sub, __VA_ARGS__)
#define SL_INFO(sub, ...) SL_LOG(SL_LOG_INFO, sub, __VA_ARGS__)
#define SL_DEBUG(sub, ...) SL_LOG(SL_LOG_DEBUG, sub, __VA_ARGS__)

/* Writes one line "LEVEL [subsystem] message".  Thread-safe. */
void sl_log_write(sl_log_level level, const char *subsystem,
                  const char *fmt, ...) SL_PRINTF(3, 4);

/* Parses "error", "warn", "info", "debug" (case-insensitive).  Returns
 * false for anything else. */
bool sl_log_parse_level(const char *name, sl_log_level *out);

void sl_log_set_level(sl_log_level level);

/* Sends log lines to path (appending) instead of stderr.  NULL reverts to
 * stderr. */
sl_status sl_log_set_file(const char *path, sl_error *err);

/* A rate limiter for repeated faults: at most `per_interval` lines per
 * interval_ms; the lines dropped are counted and reported with the next
 * line that passes. */
typedef struct sl_log_limit {
  int64_t window_start_ms;
  int per_interval;
  int interval_ms;
  int emitted;
  int64_t suppressed;
} sl_log_limit;

#define SL_LOG_LIMIT_INIT(per, ms) {0, (per), (ms), 0, 0}

void sl_log_ratelimited(sl_log_limit *limit, sl_log_level level,
                        const char *subsystem, const char *fmt, ...)
    SL_PRINTF(4, 5);

/* Replaces secrets in a librdkafka-style "key=value" for logging: values of
 * keys containing "password", "secret", "token" or "key" (sasl, ssl) print
 * as "********".  Returns true if the key is sensitive. */
bool sl_log_is_secret_key(const char *key);

#endif /* SLUICE_LOG_H */
