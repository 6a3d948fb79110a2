/* SPDX-License-Identifier: Apache-2.0 */
/*
 * time.c - UTC calendar arithmetic and the timestamp readers and writer.
 *
 * Dates convert to and from day counts with the era-based algorithm
 * (400-year eras of 146097 days), exact for any year in 64 bits and free
 * of timegm, TZ and locale.  The iso8601 reader is hand-written because
 * it is on the decoding hot path; the pattern reader and writer share one
 * table of conversions, and month and weekday names are English.
 */
#include "engine/types/time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/types_internal.h"

/* ------------------------------------------------------------------ */
/* Calendar                                                            */
/* ------------------------------------------------------------------ */

/* Floor division for a positive divisor. */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && (a < 0))
    q--;
  return q;
}

/* Days since 1970-01-01 of year-month-day. */
int64_t sl_time_days_from_civil(int64_t year, int month, int day) {
  /* Years start in March so that the leap day ends the year. */
  int64_t y = year - (month <= 2);
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t mp = month > 2 ? month - 3 : month + 9;
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* The civil date of a day count. */
void sl_time_civil_from_days(int64_t days, int64_t *year, int *month,
                             int *day) {
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *day = (int)(doy - (153 * mp + 2) / 5 + 1);
  *month = m;
  *year = yoe + era * 400 + (m <= 2);
}

/* Gregorian leap years: every fourth, but not centuries unless by 400. */
bool sl_time_is_leap_year(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days in a month of a year. */
int sl_time_days_in_month(int64_t year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30,
                             31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12)
    return 0;
  if (month == 2 && sl_time_is_leap_year(year))
    return 29;
  return days[month - 1];
}

/* The day holding instant ms. */
int64_t sl_time_day_of(int64_t ms) {
  return floor_div(ms, SL_MS_PER_DAY);
}

/* Breaks ms into UTC calendar and clock fields. */
void sl_time_split(int64_t ms, sl_time_parts *parts) {
  int64_t day = sl_time_day_of(ms);
  int64_t rem = ms - day * SL_MS_PER_DAY;
  sl_time_civil_from_days(day, &parts->year, &parts->month, &parts->day);
  parts->hour = (int)(rem / 3600000);
  parts->minute = (int)(rem / 60000 % 60);
  parts->second = (int)(rem / 1000 % 60);
  parts->ms = (int)(rem % 1000);
  /* 1970-01-01 was a Thursday. */
  parts->weekday = (int)((day % 7 + 11) % 7);
  parts->yday =
      (int)(day - sl_time_days_from_civil(parts->year, 1, 1)) + 1;
}

/* ------------------------------------------------------------------ */
/* Shared scanning helpers                                             */
/* ------------------------------------------------------------------ */

typedef struct scan {
  const char *p;
  const char *end;
} scan;

static bool at_end(const scan *sc) {
  return sc->p >= sc->end;
}

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

static void skip_blanks(scan *sc) {
  while (sc->p < sc->end && is_blank(*sc->p))
    sc->p++;
}

/* Reads between min and max digits into *out. */
static bool read_digits(scan *sc, int min, int max, int *out) {
  int n = 0;
  int v = 0;
  while (n < max && sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
    v = v * 10 + (*sc->p - '0');
    sc->p++;
    n++;
  }
  *out = v;
  return n >= min;
}

static bool accept_char(scan *sc, char c) {
  if (sc->p < sc->end && *sc->p == c) {
    sc->p++;
    return true;
  }
  return false;
}

/* Reads a fraction of 1 to 9 digits as milliseconds, truncated. */
static bool read_fraction_ms(scan *sc, int *ms) {
  int n = 0;
  int v = 0;
  while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
    if (n < 3)
      v = v * 10 + (*sc->p - '0');
    n++;
    sc->p++;
  }
  if (n < 1 || n > 9)
    return false;
  for (int i = n; i < 3; i++)
    v *= 10;
  *ms = v;
  return true;
}

static bool accept_word_ci(scan *sc, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(sc->end - sc->p) < n)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (tolower((unsigned char)sc->p[i]) != tolower((unsigned char)word[i]))
      return false;
  }
  sc->p += n;
  return true;
}

/* An offset: Z, UTC, +hh:mm, -hh:mm, +hhmm or +hh, in minutes east. */
static bool read_offset(scan *sc, int *minutes) {
  if (accept_char(sc, 'Z') || accept_char(sc, 'z') ||
      accept_word_ci(sc, "UTC")) {
    *minutes = 0;
    return true;
  }
  if (at_end(sc) || (*sc->p != '+' && *sc->p != '-'))
    return false;
  bool neg = *sc->p++ == '-';
  int hh, mm = 0;
  if (!read_digits(sc, 2, 2, &hh))
    return false;
  if (accept_char(sc, ':')) {
    if (!read_digits(sc, 2, 2, &mm))
      return false;
  } else if (sc->p < sc->end && isdigit((unsigned char)*sc->p)) {
    if (!read_digits(sc, 2, 2, &mm))
      return false;
  }
  if (hh > 18 || mm > 59)
    return false;
  *minutes = (neg ? -1 : 1) * (hh * 60 + mm);
  return true;
}

static sl_status time_error(sl_error *err, const char *text, size_t len,
                            const char *expected) {
  char q[SL_TYPES_QUOTE_MAX + 8];
  return sl_types_fail(err, "type", "invalid timestamp %s: expected %s",
                       sl_types_quote(q, text, len), expected);
}

/* ------------------------------------------------------------------ */
/* ISO 8601                                                            */
/* ------------------------------------------------------------------ */

#define ISO_EXPECTED \
  "iso8601 (YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm])"

/* Reads YYYY-MM-DD into a day count. */
static bool read_date(scan *sc, int64_t *days) {
  int y, m, d;
  if (!read_digits(sc, 4, 4, &y) || !accept_char(sc, '-') ||
      !read_digits(sc, 2, 2, &m) || !accept_char(sc, '-') ||
      !read_digits(sc, 2, 2, &d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > sl_time_days_in_month(y, m))
    return false;
  *days = sl_time_days_from_civil(y, m, d);
  return true;
}

static bool iso8601(scan *sc, int64_t *ms) {
  int64_t days;
  skip_blanks(sc);
  if (!read_date(sc, &days))
    return false;
  int64_t t = days * SL_MS_PER_DAY;

  const char *sep = sc->p;
  if (at_end(sc) || !(*sep == 'T' || *sep == 't' || *sep == ' ')) {
    skip_blanks(sc);
    *ms = t;
    return at_end(sc);
  }
  sc->p++;
  if (*sep == ' ') {
    /* A date followed by blanks only. */
    skip_blanks(sc);
    if (at_end(sc)) {
      *ms = t;
      return true;
    }
  }

  int hh, mi, ss = 0, frac = 0;
  if (!read_digits(sc, 2, 2, &hh) || !accept_char(sc, ':') ||
      !read_digits(sc, 2, 2, &mi))
    return false;
  if (accept_char(sc, ':')) {
    if (!read_digits(sc, 2, 2, &ss))
      return false;
    if ((accept_char(sc, '.') || accept_char(sc, ',')) &&
        !read_fraction_ms(sc, &frac))
      return false;
  }
  if (hh > 23 || mi > 59 || ss > 59)
    return false;
  t += ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac;

  skip_blanks(sc);
  if (!at_end(sc)) {
    int off;
    if (!read_offset(sc, &off))
      return false;
    t -= (int64_t)off * 60000;
    skip_blanks(sc);
  }
  *ms = t;
  return at_end(sc);
}

/* Parses an ISO 8601 timestamp. */
sl_status sl_time_parse_iso8601(const char *text, size_t len, int64_t *ms,
                                sl_error *err) {
  scan sc = {text, text + len};
  if (!iso8601(&sc, ms))
    return time_error(err, text, len, ISO_EXPECTED);
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Epoch numbers                                                       */
/* ------------------------------------------------------------------ */

/* Parses epoch seconds or milliseconds. */
sl_status sl_time_parse_epoch(const char *text, size_t len, bool seconds,
                              int64_t *ms, sl_error *err) {
  const char *expected = seconds ? "epoch_s (seconds since 1970-01-01)"
                                 : "epoch_ms (milliseconds since "
                                   "1970-01-01)";
  sl_int128 v;
  int scale;
  sl_error derr;
  if (sl_decimal_parse_natural(text, len, &v, &scale, &derr))
    return time_error(err, text, len, expected);

  /* ms = floor(v * unit / 10^scale) with unit 1000 for seconds. */
  int shift = (seconds ? 3 : 0) - scale;
  if (shift > 0) {
    if (sl_decimal_digits(v) + shift > 38)
      goto overflow;
    v *= sl_decimal_pow10(shift);
  } else if (shift < 0) {
    sl_int128 d = sl_decimal_pow10(-shift);
    sl_int128 q = v / d;
    if (v % d != 0 && v < 0)
      q--;
    v = q;
  }
  if (v < INT64_MIN || v > INT64_MAX)
    goto overflow;
  *ms = (int64_t)v;
  return SL_OK;

overflow:
  {
    char q[SL_TYPES_QUOTE_MAX + 8];
    return sl_types_fail(err, "overflow", "timestamp %s out of range",
                         sl_types_quote(q, text, len));
  }
}

/* ------------------------------------------------------------------ */
/* strftime patterns                                                   */
/* ------------------------------------------------------------------ */

static const char *const month_names[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday",
                                        "Wednesday", "Thursday", "Friday",
                                        "Saturday"};

/* The conversions both the reader and the writer know. */
static bool known_conversion(char c) {
  return c && strchr("YmdeHIMSfpzZjbhBaAyusTFDRwnt%", c) != NULL;
}

/* Checks a pattern for unknown conversions. */
sl_status sl_time_pattern_check(const char *pattern, sl_error *err) {
  for (const char *p = pattern; *p; p++) {
    if (*p != '%')
      continue;
    p++;
    if (!known_conversion(*p))
      return sl_error_set(err, SL_ERR_SQL,
                          "unknown conversion \"%%%.1s\" in timestamp format "
                          "\"%s\"", *p ? p : "", pattern);
  }
  return SL_OK;
}

/* Fields gathered while reading a pattern. */
typedef struct parsed {
  int64_t year;
  int month, day, hour, minute, second, ms;
  int yday;      /* 0: not given */
  int pm;        /* -1: no %p, 0 am, 1 pm */
  bool hour12;   /* %I given */
  bool has_md;   /* %m, %d, %b given */
  int offset;    /* minutes east of UTC */
  bool epoch;    /* %s given */
  int64_t epoch_s;
} parsed;

/* Matches a month or weekday name, full or its first three letters. */
static bool read_name(scan *sc, const char *const *names, int n, int *out) {
  for (int i = 0; i < n; i++) {
    if (accept_word_ci(sc, names[i])) {
      *out = i;
      return true;
    }
  }
  for (int i = 0; i < n; i++) {
    char abbr[4] = {names[i][0], names[i][1], names[i][2], '\0'};
    if (accept_word_ci(sc, abbr)) {
      *out = i;
      return true;
    }
  }
  return false;
}

static bool read_pattern(const char *pattern, scan *sc, parsed *ps,
                         int depth);

/* Reads one conversion c from the input. */
static bool read_conversion(char c, scan *sc, parsed *ps, int depth) {
  int v;
  switch (c) {
  case 'Y': {
    bool neg = accept_char(sc, '-');
    if (!read_digits(sc, 1, 4, &v))
      return false;
    ps->year = neg ? -v : v;
    return true;
  }
  case 'y':
    if (!read_digits(sc, 1, 2, &v))
      return false;
    ps->year = v < 69 ? 2000 + v : 1900 + v;
    return true;
  case 'm':
    ps->has_md = true;
    return read_digits(sc, 1, 2, &ps->month) && ps->month >= 1 &&
           ps->month <= 12;
  case 'e':
    skip_blanks(sc);
    /* fall through */
  case 'd':
    ps->has_md = true;
    return read_digits(sc, 1, 2, &ps->day) && ps->day >= 1 && ps->day <= 31;
  case 'H':
    return read_digits(sc, 1, 2, &ps->hour) && ps->hour <= 23;
  case 'I':
    ps->hour12 = true;
    return read_digits(sc, 1, 2, &ps->hour) && ps->hour >= 1 &&
           ps->hour <= 12;
  case 'M':
    return read_digits(sc, 1, 2, &ps->minute) && ps->minute <= 59;
  case 'S':
    return read_digits(sc, 1, 2, &ps->second) && ps->second <= 59;
  case 'f':
    return read_fraction_ms(sc, &ps->ms);
  case 'p':
    if (accept_word_ci(sc, "AM"))
      ps->pm = 0;
    else if (accept_word_ci(sc, "PM"))
      ps->pm = 1;
    else
      return false;
    return true;
  case 'z':
    return read_offset(sc, &ps->offset);
  case 'Z':
    ps->offset = 0;
    return accept_word_ci(sc, "UTC") || accept_word_ci(sc, "GMT") ||
           accept_char(sc, 'Z');
  case 'j':
    return read_digits(sc, 1, 3, &ps->yday) && ps->yday >= 1 &&
           ps->yday <= 366;
  case 'b':
  case 'h':
  case 'B':
    ps->has_md = true;
    if (!read_name(sc, month_names, 12, &v))
      return false;
    ps->month = v + 1;
    return true;
  case 'a':
  case 'A':
    return read_name(sc, day_names, 7, &v);
  case 'u':
  case 'w':
    return read_digits(sc, 1, 1, &v) && v <= 7;
  case 's': {
    bool neg = accept_char(sc, '-');
    int64_t s = 0;
    int n = 0;
    while (!at_end(sc) && isdigit((unsigned char)*sc->p) && n < 15) {
      s = s * 10 + (*sc->p++ - '0');
      n++;
    }
    if (n == 0)
      return false;
    ps->epoch = true;
    ps->epoch_s = neg ? -s : s;
    return true;
  }
  case 'T':
    return read_pattern("%H:%M:%S", sc, ps, depth + 1);
  case 'F':
    return read_pattern("%Y-%m-%d", sc, ps, depth + 1);
  case 'D':
    return read_pattern("%m/%d/%y", sc, ps, depth + 1);
  case 'R':
    return read_pattern("%H:%M", sc, ps, depth + 1);
  case 'n':
  case 't':
    skip_blanks(sc);
    return true;
  case '%':
    return accept_char(sc, '%');
  default:
    return false;
  }
}

static bool read_pattern(const char *pattern, scan *sc, parsed *ps,
                         int depth) {
  if (depth > 2)
    return false;
  for (const char *p = pattern; *p; p++) {
    if (*p == '%') {
      p++;
      if (!*p || !read_conversion(*p, sc, ps, depth))
        return false;
    } else if (is_blank(*p)) {
      skip_blanks(sc);
    } else if (!accept_char(sc, *p)) {
      return false;
    }
  }
  return true;
}

/* Parses text with a strftime pattern. */
sl_status sl_time_parse_pattern(const char *pattern, const char *text,
                                size_t len, int64_t *ms, sl_error *err) {
  parsed ps = {.year = 1970, .month = 1, .day = 1, .pm = -1};
  scan sc = {text, text + len};
  char expected[SL_TYPES_QUOTE_MAX + 32];
  char q[SL_TYPES_QUOTE_MAX + 8];
  snprintf(expected, sizeof(expected), "format %s",
           sl_types_quote(q, pattern, strlen(pattern)));

  skip_blanks(&sc);
  if (!read_pattern(pattern, &sc, &ps, 0))
    return time_error(err, text, len, expected);
  skip_blanks(&sc);
  if (!at_end(&sc))
    return time_error(err, text, len, expected);

  if (ps.epoch) {
    *ms = ps.epoch_s * 1000 + ps.ms;
    return SL_OK;
  }
  if (ps.hour12)
    ps.hour = ps.hour % 12 + (ps.pm == 1 ? 12 : 0);
  else if (ps.pm == 1 && ps.hour < 12)
    ps.hour += 12;

  int64_t days;
  if (ps.yday && !ps.has_md) {
    if (ps.yday > (sl_time_is_leap_year(ps.year) ? 366 : 365))
      return time_error(err, text, len, expected);
    days = sl_time_days_from_civil(ps.year, 1, 1) + ps.yday - 1;
  } else {
    if (ps.day > sl_time_days_in_month(ps.year, ps.month))
      return time_error(err, text, len, expected);
    days = sl_time_days_from_civil(ps.year, ps.month, ps.day);
  }
  *ms = days * SL_MS_PER_DAY +
        ((int64_t)ps.hour * 3600 + ps.minute * 60 + ps.second) * 1000 +
        ps.ms - (int64_t)ps.offset * 60000;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Dispatch and dates                                                  */
/* ------------------------------------------------------------------ */

static bool word_equal_ci(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return false;
  }
  return *a == *b;
}

/* Reads a timestamp_format option. */
sl_status sl_time_spec_parse(const char *text, sl_time_spec *spec,
                             sl_error *err) {
  spec->pattern = NULL;
  if (word_equal_ci(text, "iso8601")) {
    spec->kind = SL_TIME_ISO8601;
  } else if (word_equal_ci(text, "epoch_ms")) {
    spec->kind = SL_TIME_EPOCH_MS;
  } else if (word_equal_ci(text, "epoch_s")) {
    spec->kind = SL_TIME_EPOCH_S;
  } else if (strchr(text, '%')) {
    if (sl_time_pattern_check(text, err))
      return SL_ERR_SQL;
    spec->kind = SL_TIME_PATTERN;
    spec->pattern = text;
  } else {
    return sl_error_set(err, SL_ERR_SQL,
                        "invalid timestamp_format \"%s\": expected "
                        "iso8601, epoch_ms, epoch_s or a strftime pattern",
                        text);
  }
  return SL_OK;
}

/* Parses a timestamp as spec says. */
sl_status sl_time_parse(const sl_time_spec *spec, const char *text,
                        size_t len, int64_t *ms, sl_error *err) {
  switch (spec->kind) {
  case SL_TIME_ISO8601:
    return sl_time_parse_iso8601(text, len, ms, err);
  case SL_TIME_EPOCH_MS:
    return sl_time_parse_epoch(text, len, false, ms, err);
  case SL_TIME_EPOCH_S:
    return sl_time_parse_epoch(text, len, true, ms, err);
  case SL_TIME_PATTERN:
    return sl_time_parse_pattern(spec->pattern, text, len, ms, err);
  }
  return sl_error_set(err, SL_ERR_INTERNAL, "unknown timestamp format");
}

/* Parses a DATE. */
sl_status sl_time_parse_date(const char *text, size_t len, int32_t *days,
                             sl_error *err) {
  scan sc = {text, text + len};
  int64_t d;
  skip_blanks(&sc);
  if (read_date(&sc, &d)) {
    skip_blanks(&sc);
    if (at_end(&sc)) {
      *days = (int32_t)d;
      return SL_OK;
    }
  }

  int64_t ms;
  sc.p = text;
  if (iso8601(&sc, &ms)) {
    *days = (int32_t)sl_time_day_of(ms);
    return SL_OK;
  }
  char q[SL_TYPES_QUOTE_MAX + 8];
  return sl_types_fail(err, "type", "invalid DATE %s: expected YYYY-MM-DD",
                       sl_types_quote(q, text, len));
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

static sl_status format_parts(sl_strbuf *out, const char *pattern,
                              const sl_time_parts *t, int64_t ms,
                              int depth);

static sl_status format_year(sl_strbuf *out, int64_t year) {
  if (year < 0)
    return sl_strbuf_appendf(out, "-%04lld", (long long)-year);
  return sl_strbuf_appendf(out, "%04lld", (long long)year);
}

/* Appends one conversion c of time t. */
static sl_status format_conversion(sl_strbuf *out, char c,
                                   const sl_time_parts *t, int64_t ms,
                                   int depth) {
  int h12 = t->hour % 12 == 0 ? 12 : t->hour % 12;
  switch (c) {
  case 'Y': return format_year(out, t->year);
  case 'y':
    return sl_strbuf_appendf(out, "%02d", (int)((t->year % 100 + 100) % 100));
  case 'm': return sl_strbuf_appendf(out, "%02d", t->month);
  case 'd': return sl_strbuf_appendf(out, "%02d", t->day);
  case 'e': return sl_strbuf_appendf(out, "%2d", t->day);
  case 'H': return sl_strbuf_appendf(out, "%02d", t->hour);
  case 'I': return sl_strbuf_appendf(out, "%02d", h12);
  case 'M': return sl_strbuf_appendf(out, "%02d", t->minute);
  case 'S': return sl_strbuf_appendf(out, "%02d", t->second);
  case 'f': return sl_strbuf_appendf(out, "%03d", t->ms);
  case 'p': return sl_strbuf_appends(out, t->hour < 12 ? "AM" : "PM");
  case 'z': return sl_strbuf_appends(out, "+0000");
  case 'Z': return sl_strbuf_appends(out, "UTC");
  case 'j': return sl_strbuf_appendf(out, "%03d", t->yday);
  case 'b':
  case 'h': return sl_strbuf_append(out, month_names[t->month - 1], 3);
  case 'B': return sl_strbuf_appends(out, month_names[t->month - 1]);
  case 'a': return sl_strbuf_append(out, day_names[t->weekday], 3);
  case 'A': return sl_strbuf_appends(out, day_names[t->weekday]);
  case 'u':
    return sl_strbuf_appendf(out, "%d", t->weekday == 0 ? 7 : t->weekday);
  case 'w': return sl_strbuf_appendf(out, "%d", t->weekday);
  case 's':
    return sl_strbuf_appendf(out, "%lld", (long long)floor_div(ms, 1000));
  case 'T': return format_parts(out, "%H:%M:%S", t, ms, depth + 1);
  case 'F': return format_parts(out, "%Y-%m-%d", t, ms, depth + 1);
  case 'D': return format_parts(out, "%m/%d/%y", t, ms, depth + 1);
  case 'R': return format_parts(out, "%H:%M", t, ms, depth + 1);
  case 'n': return sl_strbuf_appendc(out, '\n');
  case 't': return sl_strbuf_appendc(out, '\t');
  case '%': return sl_strbuf_appendc(out, '%');
  default: {
    char raw[2] = {'%', c};
    return sl_strbuf_append(out, raw, c ? 2 : 1);
  }
  }
}

static sl_status format_parts(sl_strbuf *out, const char *pattern,
                              const sl_time_parts *t, int64_t ms,
                              int depth) {
  for (const char *p = pattern; *p; p++) {
    sl_status rc;
    if (*p == '%' && depth < 3) {
      p++;
      rc = format_conversion(out, *p, t, ms, depth);
      if (!*p)
        p--;
    } else {
      rc = sl_strbuf_appendc(out, *p);
    }
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Appends ms formatted with pattern in UTC. */
sl_status sl_time_format_pattern(sl_strbuf *out, const char *pattern,
                                 int64_t ms) {
  sl_time_parts t;
  sl_time_split(ms, &t);
  return format_parts(out, pattern, &t, ms, 0);
}
