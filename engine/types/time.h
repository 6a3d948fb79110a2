/* SPDX-License-Identifier: Apache-2.0 */
/*
 * time.h - calendar arithmetic, timestamp parsing and formatting in UTC.
 *
 * Timestamps are milliseconds since 1970-01-01T00:00:00Z, dates are days
 * since 1970-01-01, on the proleptic Gregorian calendar.  Nothing here
 * reads the TZ environment, the locale or the C library's time zone
 * functions: conversions are plain integer arithmetic, so they are
 * thread-safe and give the same result on every machine.
 *
 * Parsing follows a stream's `timestamp_format`: iso8601 (the default),
 * epoch_ms, epoch_s, or a strftime pattern read by a small strptime of our
 * own.  Text without an offset is UTC.  Fractions finer than a
 * millisecond are truncated toward the past.  Errors are SL_ERR_RECORD
 * with reason "type" ("overflow" for a time outside the 64-bit range),
 * and the message names the text and the expected format.
 */
#ifndef SLUICE_TIME_H
#define SLUICE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/strbuf.h"

#define SL_MS_PER_SECOND INT64_C(1000)
#define SL_MS_PER_DAY INT64_C(86400000)

/* Days since 1970-01-01 of a civil date (month 1..12, day 1..31). */
int64_t sl_time_days_from_civil(int64_t year, int month, int day);

/* The civil date of a day count. */
void sl_time_civil_from_days(int64_t days, int64_t *year, int *month,
                             int *day);

bool sl_time_is_leap_year(int64_t year);

/* Days in month (1..12) of year. */
int sl_time_days_in_month(int64_t year, int month);

/* The day (days since the epoch) that holds the instant ms: ms divided
 * by a day's milliseconds, rounded toward the past. */
int64_t sl_time_day_of(int64_t ms);

/* A broken-down UTC time. */
typedef struct sl_time_parts {
  int64_t year;
  int month;   /* 1..12 */
  int day;     /* 1..31 */
  int hour;    /* 0..23 */
  int minute;  /* 0..59 */
  int second;  /* 0..59 */
  int ms;      /* 0..999 */
  int weekday; /* 0 = Sunday */
  int yday;    /* 1..366 */
} sl_time_parts;

void sl_time_split(int64_t ms, sl_time_parts *parts);

/* How a stream reads timestamps from text. */
typedef enum sl_time_format_kind {
  SL_TIME_ISO8601 = 0,
  SL_TIME_EPOCH_MS,
  SL_TIME_EPOCH_S,
  SL_TIME_PATTERN
} sl_time_format_kind;

typedef struct sl_time_spec {
  sl_time_format_kind kind;
  const char *pattern; /* SL_TIME_PATTERN: borrowed, outlives the spec */
} sl_time_spec;

/* Reads a `timestamp_format` option: "iso8601", "epoch_ms", "epoch_s"
 * (case-insensitive), or a strftime pattern (anything containing '%'),
 * which is checked for unknown conversions.  The spec borrows text.
 * Fails with SL_ERR_SQL naming the option value. */
sl_status sl_time_spec_parse(const char *text, sl_time_spec *spec,
                             sl_error *err);

/* Checks a strftime pattern: SL_ERR_SQL naming an unknown conversion. */
sl_status sl_time_pattern_check(const char *pattern, sl_error *err);

/* Parses a timestamp according to spec into *ms. */
sl_status sl_time_parse(const sl_time_spec *spec, const char *text,
                        size_t len, int64_t *ms, sl_error *err);

/* ISO 8601: YYYY-MM-DD, optionally followed by 'T', 't' or a space and
 * HH:MM[:SS[.fraction]] with 1 to 9 fractional digits, and an offset 'Z',
 * +hh:mm, -hh:mm, +hhmm or +hh.  Surrounding blanks are ignored. */
sl_status sl_time_parse_iso8601(const char *text, size_t len, int64_t *ms,
                                sl_error *err);

/* Seconds (epoch_s, fraction allowed, "1714564800.25") or milliseconds
 * (epoch_ms, integral; a fraction is truncated toward the past) since the
 * epoch, optionally signed. */
sl_status sl_time_parse_epoch(const char *text, size_t len, bool seconds,
                              int64_t *ms, sl_error *err);

/* strptime with a pattern of our own: %Y %m %d %e %H %I %M %S %f (1-9
 * digits of fraction) %p %z (Z, UTC, +hh:mm, +hhmm, +hh) %Z (UTC, GMT, Z)
 * %j %b %h %B %a %A %u %w (names and weekdays are read and ignored) %y
 * (69-99 is 19xx, 00-68 20xx) %s (epoch seconds) %T %F %D %R %n %t %%.
 * Numbers take up to their field width of digits (4 for %Y, 3 for %j, 2
 * otherwise).  A blank in the pattern matches any run of blanks, other
 * characters match themselves; blanks around the text are ignored.
 * Fields not given default to 1970-01-01 00:00:00 UTC. */
sl_status sl_time_parse_pattern(const char *pattern, const char *text,
                                size_t len, int64_t *ms, sl_error *err);

/* A DATE: YYYY-MM-DD, or a timestamp as for iso8601 whose day (UTC) is
 * taken. */
sl_status sl_time_parse_date(const char *text, size_t len, int32_t *days,
                             sl_error *err);

/* Appends ms formatted with a strftime pattern in UTC: the conversions
 * sl_time_parse_pattern reads, where %f is three digits of milliseconds,
 * %z is +0000 and %Z is UTC.  Unknown conversions are copied as they are
 * (sl_time_pattern_check rejects them up front).  Returns SL_ERR_NOMEM
 * when the buffer cannot grow. */
sl_status sl_time_format_pattern(sl_strbuf *out, const char *pattern,
                                 int64_t ms);

#endif /* SLUICE_TIME_H */
