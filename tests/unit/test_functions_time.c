/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the time built-ins and the time zone reader: wall
 * clocks around DST changes (both hemispheres, a midnight change, a
 * 45-minute offset, times after the zone file's last transition that
 * come from its POSIX rule, local mean time before the first), ISO
 * weekdays, truncation, strftime formatting and parsing in a zone, and
 * errors for unknown zones, units and formats.  The expected instants
 * were computed independently (Python's zoneinfo on the same tz data).
 */
#include "test_functions.h"

#include <pthread.h>

#include "engine/types/time.h"
#include "udf/tz.h"

/* Milliseconds of a UTC civil time. */
static int64_t utc(int64_t y, int mo, int d, int h, int mi, int s, int ms) {
  return sl_time_days_from_civil(y, mo, d) * SL_MS_PER_DAY +
         ((int64_t)h * 3600 + mi * 60 + s) * 1000 + ms;
}

static fn_result hour_in(int64_t ms, const char *zone) {
  sl_value a[2] = {sl_value_timestamp(ms), vs(zone)};
  return fn_call("hour_of_day", 2, a);
}

static fn_result dow_in(int64_t ms, const char *zone) {
  sl_value a[2] = {sl_value_timestamp(ms), vs(zone)};
  return fn_call("day_of_week", 2, a);
}

static void test_hour_of_day_dst_berlin(void **state) {
  (void)state;
  const char *z = "Europe/Berlin";
  /* Spring forward: 02:00 CET becomes 03:00 CEST at 01:00Z. */
  assert_int_equal(utc(2024, 3, 31, 0, 59, 59, 999), 1711846799999);
  assert_int_result(hour_in(utc(2024, 3, 31, 0, 59, 59, 999), z), 1);
  assert_int_result(hour_in(utc(2024, 3, 31, 1, 0, 0, 0), z), 3);
  assert_int_result(hour_in(utc(2024, 3, 31, 1, 59, 59, 0), z), 3);
  assert_int_result(hour_in(utc(2024, 3, 31, 2, 0, 0, 0), z), 4);
  /* Fall back: 03:00 CEST becomes 02:00 CET at 01:00Z, so hour 2 lasts
   * two hours. */
  assert_int_result(hour_in(utc(2024, 10, 27, 0, 59, 59, 0), z), 2);
  assert_int_result(hour_in(utc(2024, 10, 27, 1, 0, 0, 0), z), 2);
  assert_int_result(hour_in(utc(2024, 10, 27, 1, 59, 59, 0), z), 2);
  assert_int_result(hour_in(utc(2024, 10, 27, 2, 0, 0, 0), z), 3);
  /* Beyond 2037 the file's POSIX rule decides. */
  assert_int_result(hour_in(utc(2100, 7, 1, 12, 0, 0, 0), z), 14);
  assert_int_result(hour_in(utc(2100, 1, 15, 12, 0, 0, 0), z), 13);
  assert_int_result(hour_in(utc(2100, 3, 28, 0, 59, 59, 0), z), 1);
  assert_int_result(hour_in(utc(2100, 3, 28, 1, 0, 0, 0), z), 3);
  /* Before 1893 Berlin kept local mean time, +00:53:28. */
  assert_int_result(hour_in(utc(1880, 1, 1, 12, 0, 0, 0), z), 12);
  assert_int_result(hour_in(utc(1880, 1, 1, 12, 6, 32, 0), z), 13);
  assert_int_result(hour_in(utc(1900, 1, 1, 12, 0, 0, 0), z), 13);

  /* Without a zone: UTC. */
  sl_value a[1] = {sl_value_timestamp(utc(2024, 3, 31, 1, 0, 0, 0))};
  assert_int_result(fn_call("hour_of_day", 1, a), 1);
  a[0] = sl_value_timestamp(utc(1969, 12, 31, 23, 59, 59, 999));
  assert_int_result(fn_call("hour_of_day", 1, a), 23);
  fn_reset();
}

static void test_hour_of_day_other_zones(void **state) {
  (void)state;
  const char *ny = "America/New_York";
  assert_int_result(hour_in(utc(2024, 3, 10, 6, 59, 59, 0), ny), 1);
  assert_int_result(hour_in(utc(2024, 3, 10, 7, 0, 0, 0), ny), 3);
  assert_int_result(hour_in(utc(1880, 1, 1, 12, 0, 0, 0), ny), 7);
  /* Southern hemisphere: DST ends in April, starts in October. */
  const char *syd = "Australia/Sydney";
  assert_int_result(hour_in(utc(2024, 4, 6, 15, 59, 59, 0), syd), 2);
  assert_int_result(hour_in(utc(2024, 4, 6, 16, 0, 0, 0), syd), 2);
  assert_int_result(hour_in(utc(2024, 10, 5, 15, 59, 59, 0), syd), 1);
  assert_int_result(hour_in(utc(2024, 10, 5, 16, 0, 0, 0), syd), 3);
  assert_int_result(hour_in(utc(2024, 1, 1, 0, 0, 0, 0), "Asia/Kolkata"),
                    5);
  assert_int_result(hour_in(utc(2050, 6, 1, 0, 0, 0, 0), "Pacific/Chatham"),
                    12);
  /* Clocks skip midnight in Santiago in September. */
  assert_int_result(
      hour_in(utc(2024, 9, 8, 3, 59, 59, 0), "America/Santiago"), 23);
  assert_int_result(hour_in(utc(2024, 9, 8, 4, 0, 0, 0), "America/Santiago"),
                    1);
  /* Fixed offsets and UTC need no file. */
  assert_int_result(hour_in(utc(2024, 1, 1, 20, 0, 0, 0), "+05:30"), 1);
  assert_int_result(hour_in(utc(2024, 1, 1, 3, 0, 0, 0), "-08:00"), 19);
  assert_int_result(hour_in(utc(2024, 1, 1, 3, 0, 0, 0), "+0100"), 4);
  assert_int_result(hour_in(utc(2024, 1, 1, 3, 0, 0, 0), "UTC"), 3);
  assert_int_result(hour_in(utc(2024, 1, 1, 3, 0, 0, 0), "Etc/GMT-3"), 6);
  fn_reset();
}

static void test_unknown_zones(void **state) {
  (void)state;
  sl_value a[2] = {sl_value_timestamp(0), vs("Mars/Olympus")};
  assert_string_equal(fn_prepare_error("hour_of_day", 2, a),
                      "hour_of_day: unknown time zone \"Mars/Olympus\"");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"Mars/Olympus\"");
  /* Asked again: from the cache of unknown names, same message. */
  assert_row_error(fn_call_varying("day_of_week", 2, a), "type",
                   "day_of_week: unknown time zone \"Mars/Olympus\"");
  a[1] = vs("../../etc/passwd");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"../../etc/passwd\"");
  a[1] = vs("/etc/localtime");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"/etc/localtime\"");
  a[1] = vs("");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"\"");
  a[1] = vs("Europe");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"Europe\": not a TZif "
                   "file");
  a[1] = vs("zone.tab");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"zone.tab\": not a TZif "
                   "file");
  a[1] = vs("right/UTC");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"right/UTC\": zones with "
                   "leap seconds are not supported");
  a[1] = vs("europe/berlin");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"europe/berlin\"");
  a[1] = vs("+25:00");
  assert_row_error(fn_call_varying("hour_of_day", 2, a), "type",
                   "hour_of_day: unknown time zone \"+25:00\"");
  a[1] = sl_value_null();
  assert_null_result(fn_call("hour_of_day", 2, a));
  fn_reset();
}

static void test_day_of_week(void **state) {
  (void)state;
  sl_value a[1] = {sl_value_timestamp(utc(2024, 5, 5, 12, 0, 0, 0))};
  assert_int_result(fn_call("day_of_week", 1, a), 7);
  a[0] = sl_value_timestamp(utc(2024, 5, 6, 0, 0, 0, 0));
  assert_int_result(fn_call("day_of_week", 1, a), 1);
  a[0] = sl_value_timestamp(utc(1969, 12, 31, 23, 0, 0, 0));
  assert_int_result(fn_call("day_of_week", 1, a), 3);
  a[0] = sl_value_timestamp(0);
  assert_int_result(fn_call("day_of_week", 1, a), 4);
  /* The same instant is Monday in Berlin and Sunday in New York. */
  int64_t t = utc(2024, 5, 5, 23, 30, 0, 0);
  assert_int_result(dow_in(t, "Europe/Berlin"), 1);
  assert_int_result(dow_in(t, "America/New_York"), 7);
  a[0] = sl_value_null();
  assert_null_result(fn_call("day_of_week", 1, a));
  fn_reset();
}

static fn_result trunc_ts(const char *unit, int64_t ms, const char *zone) {
  sl_value a[3] = {vs(unit), sl_value_timestamp(ms),
                   zone ? vs(zone) : sl_value_null()};
  return fn_call("date_trunc", zone ? 3 : 2, a);
}

static void test_date_trunc(void **state) {
  (void)state;
  int64_t t = utc(2024, 5, 17, 10, 37, 12, 345);
  assert_timestamp_result(trunc_ts("second", t, NULL),
                          utc(2024, 5, 17, 10, 37, 12, 0));
  assert_timestamp_result(trunc_ts("MINUTE", t, NULL),
                          utc(2024, 5, 17, 10, 37, 0, 0));
  assert_timestamp_result(trunc_ts("hour", t, NULL),
                          utc(2024, 5, 17, 10, 0, 0, 0));
  assert_timestamp_result(trunc_ts("day", t, NULL),
                          utc(2024, 5, 17, 0, 0, 0, 0));
  assert_timestamp_result(trunc_ts("week", t, NULL),
                          utc(2024, 5, 13, 0, 0, 0, 0));
  assert_timestamp_result(trunc_ts("week", utc(2024, 5, 5, 12, 0, 0, 0),
                                   NULL),
                          utc(2024, 4, 29, 0, 0, 0, 0));
  assert_timestamp_result(trunc_ts("month", t, NULL),
                          utc(2024, 5, 1, 0, 0, 0, 0));
  assert_timestamp_result(trunc_ts("quarter", t, NULL),
                          utc(2024, 4, 1, 0, 0, 0, 0));
  assert_timestamp_result(trunc_ts("year", t, NULL),
                          utc(2024, 1, 1, 0, 0, 0, 0));
  /* Before the epoch truncation still goes toward the past. */
  assert_timestamp_result(trunc_ts("day", utc(1969, 12, 31, 13, 0, 0, 0),
                                   NULL),
                          utc(1969, 12, 31, 0, 0, 0, 0));
  assert_timestamp_result(trunc_ts("second", -1, NULL), -1000);

  /* In a zone: the zone's midnight, DST or not. */
  const char *z = "Europe/Berlin";
  assert_timestamp_result(trunc_ts("day", utc(2024, 3, 31, 12, 0, 0, 0), z),
                          utc(2024, 3, 30, 23, 0, 0, 0));
  assert_timestamp_result(trunc_ts("day", utc(2024, 10, 27, 12, 0, 0, 0), z),
                          utc(2024, 10, 26, 22, 0, 0, 0));
  assert_timestamp_result(
      trunc_ts("month", utc(2024, 3, 31, 23, 30, 0, 0), z),
      utc(2024, 3, 31, 22, 0, 0, 0));
  /* The second 02:00 hour of the fall-back night keeps its own offset. */
  assert_timestamp_result(trunc_ts("hour", utc(2024, 10, 27, 1, 30, 0, 0), z),
                          utc(2024, 10, 27, 1, 0, 0, 0));
  assert_timestamp_result(trunc_ts("hour", utc(2024, 10, 27, 0, 30, 0, 0), z),
                          utc(2024, 10, 27, 0, 0, 0, 0));
  assert_timestamp_result(
      trunc_ts("hour", utc(2024, 1, 1, 0, 45, 0, 0), "Asia/Kolkata"),
      utc(2024, 1, 1, 0, 30, 0, 0));
  /* A local midnight that does not exist starts the day at 01:00. */
  assert_timestamp_result(
      trunc_ts("day", utc(2024, 9, 8, 12, 0, 0, 0), "America/Santiago"),
      utc(2024, 9, 8, 4, 0, 0, 0));

  /* DATE in, DATE out. */
  sl_value d[2] = {vs("month"),
                   sl_value_date((int32_t)sl_time_days_from_civil(2024, 5,
                                                                  17))};
  fn_result r = fn_call("date_trunc", 2, d);
  assert_string_equal(r.type, "DATE");
  assert_string_equal(fn_text(r, NULL), "2024-05-01");
  d[0] = vs("hour");
  assert_string_equal(fn_text(fn_call("date_trunc", 2, d), NULL),
                      "2024-05-17");
  d[0] = vs("week");
  assert_string_equal(fn_text(fn_call("date_trunc", 2, d), NULL),
                      "2024-05-13");

  /* Units are checked. */
  sl_value bad[2] = {vs("fortnight"), sl_value_timestamp(t)};
  assert_string_equal(fn_prepare_error("date_trunc", 2, bad),
                      "date_trunc: unknown unit \"fortnight\"; expected "
                      "second, minute, hour, day, week, month, quarter or "
                      "year");
  assert_row_error(fn_call_varying("date_trunc", 2, bad), "type",
                   "date_trunc: unknown unit \"fortnight\"; expected "
                   "second, minute, hour, day, week, month, quarter or "
                   "year");
  bad[0] = sl_value_null();
  assert_null_result(fn_call("date_trunc", 2, bad));
  fn_reset();
}

static fn_result format_in(int64_t ms, const char *fmt, const char *zone) {
  sl_value a[3] = {sl_value_timestamp(ms), vs(fmt),
                   zone ? vs(zone) : sl_value_null()};
  return fn_call("format_timestamp", zone ? 3 : 2, a);
}

static void test_format_timestamp(void **state) {
  (void)state;
  int64_t t = utc(2024, 7, 1, 10, 0, 0, 0);
  assert_varchar(format_in(t, "%H:%M %Z", "Europe/Berlin"), "12:00 CEST");
  assert_varchar(format_in(t, "%Y-%m-%dT%H:%M:%S.%f%z", "Europe/Berlin"),
                 "2024-07-01T12:00:00.000+0200");
  assert_varchar(format_in(t, "%Y-%m-%d %H:%M:%S %Z %z", NULL),
                 "2024-07-01 10:00:00 UTC +0000");
  assert_varchar(format_in(t, "%s", "Europe/Berlin"), "1719828000");
  assert_varchar(format_in(utc(2024, 1, 1, 0, 0, 0, 0), "%H:%M %z %Z",
                           "Asia/Kolkata"),
                 "05:30 +0530 IST");
  assert_varchar(format_in(utc(2024, 1, 15, 17, 5, 9, 7), "%a %d %b %I:%M "
                           "%p %Z %z",
                           "America/New_York"),
                 "Mon 15 Jan 12:05 PM EST -0500");
  /* Both 02:30s of the fall-back night, told apart by the zone. */
  assert_varchar(format_in(utc(2024, 10, 27, 0, 30, 0, 0), "%H:%M %Z",
                           "Europe/Berlin"),
                 "02:30 CEST");
  assert_varchar(format_in(utc(2024, 10, 27, 1, 30, 0, 0), "%H:%M %Z",
                           "Europe/Berlin"),
                 "02:30 CET");
  assert_varchar(format_in(t, "100%% at %F", "-03:00"),
                 "100% at 2024-07-01");
  assert_varchar(format_in(t, "%Z", "+05:30"), "+05:30");
  assert_varchar(format_in(t, "", NULL), "");

  sl_value bad[2] = {sl_value_timestamp(t), vs("%Y-%Q")};
  assert_string_equal(fn_prepare_error("format_timestamp", 2, bad),
                      "format_timestamp: unknown conversion \"%Q\" in "
                      "timestamp format \"%Y-%Q\"");
  assert_row_error(fn_call_varying("format_timestamp", 2, bad), "type",
                   "format_timestamp: unknown conversion \"%Q\" in "
                   "timestamp format \"%Y-%Q\"");
  bad[1] = vs("%");
  assert_row_error(fn_call_varying("format_timestamp", 2, bad), "type",
                   "format_timestamp: unknown conversion \"%\" in "
                   "timestamp format \"%\"");
  sl_value z[3] = {sl_value_timestamp(t), vs("%H"), vs("Nowhere/Land")};
  assert_string_equal(fn_prepare_error("format_timestamp", 3, z),
                      "format_timestamp: unknown time zone "
                      "\"Nowhere/Land\"");
  z[0] = sl_value_null();
  assert_null_result(fn_call_varying("format_timestamp", 3, z));
  fn_reset();
}

/* After 2037 the offsets come from the zone files' POSIX rules, in both
 * hemispheres and with changes at 24:00. */
static void test_future_rules(void **state) {
  (void)state;
  const char *f = "%Y-%m-%d %H:%M:%S%z";
  const char *cl = "America/Santiago", *au = "Australia/Sydney";
  assert_varchar(format_in(utc(2100, 4, 4, 2, 59, 59, 0), f, cl),
                 "2100-04-03 23:59:59-0300");
  assert_varchar(format_in(utc(2100, 4, 4, 3, 0, 0, 0), f, cl),
                 "2100-04-03 23:00:00-0400");
  assert_varchar(format_in(utc(2100, 9, 5, 3, 59, 59, 0), f, cl),
                 "2100-09-04 23:59:59-0400");
  assert_varchar(format_in(utc(2100, 9, 5, 4, 0, 0, 0), f, cl),
                 "2100-09-05 01:00:00-0300");
  assert_varchar(format_in(utc(2100, 4, 3, 15, 59, 59, 0), f, au),
                 "2100-04-04 02:59:59+1100");
  assert_varchar(format_in(utc(2100, 4, 3, 16, 0, 0, 0), f, au),
                 "2100-04-04 02:00:00+1000");
  assert_varchar(format_in(utc(2100, 10, 2, 15, 59, 59, 0), f, au),
                 "2100-10-03 01:59:59+1000");
  assert_varchar(format_in(utc(2100, 10, 2, 16, 0, 0, 0), f, au),
                 "2100-10-03 03:00:00+1100");
  fn_reset();
}

static fn_result parse_in(const char *text, const char *fmt,
                          const char *zone) {
  sl_value a[3] = {vs(text), vs(fmt), zone ? vs(zone) : sl_value_null()};
  return fn_call("parse_timestamp", zone ? 3 : 2, a);
}

static void test_parse_timestamp(void **state) {
  (void)state;
  const char *z = "Europe/Berlin";
  assert_timestamp_result(parse_in("01/07/2024 12:00", "%d/%m/%Y %H:%M", z),
                          utc(2024, 7, 1, 10, 0, 0, 0));
  assert_timestamp_result(parse_in("01/07/2024 12:00", "%d/%m/%Y %H:%M",
                                   NULL),
                          utc(2024, 7, 1, 12, 0, 0, 0));
  /* An offset in the text wins over the zone. */
  assert_timestamp_result(parse_in("2024-07-01 12:00 +0000",
                                   "%Y-%m-%d %H:%M %z", z),
                          utc(2024, 7, 1, 12, 0, 0, 0));
  assert_timestamp_result(parse_in("1719828000", "%s", z),
                          utc(2024, 7, 1, 10, 0, 0, 0));
  /* A skipped wall time reads with the offset before the change; a
   * repeated one is its first occurrence. */
  assert_timestamp_result(parse_in("2024-03-31 02:30", "%Y-%m-%d %H:%M", z),
                          utc(2024, 3, 31, 1, 30, 0, 0));
  assert_timestamp_result(parse_in("2024-10-27 02:30", "%Y-%m-%d %H:%M", z),
                          utc(2024, 10, 27, 0, 30, 0, 0));
  assert_timestamp_result(parse_in("2024-10-27 03:00", "%Y-%m-%d %H:%M", z),
                          utc(2024, 10, 27, 2, 0, 0, 0));
  /* Milliseconds survive the zone. */
  assert_timestamp_result(parse_in("2024-01-01 00:00:00.250",
                                   "%Y-%m-%d %H:%M:%S.%f", "Asia/Kolkata"),
                          utc(2023, 12, 31, 18, 30, 0, 250));
  assert_timestamp_result(parse_in("1960-06-01 08:00", "%Y-%m-%d %H:%M",
                                   "America/New_York"),
                          utc(1960, 6, 1, 12, 0, 0, 0));

  /* Bad text fails the row with the parser's message. */
  fn_result r = parse_in("not a date", "%Y-%m-%d", NULL);
  assert_non_null(r.reason);
  assert_string_equal(r.reason, "type");
  assert_true(strncmp(r.message, "parse_timestamp: ", 17) == 0);
  assert_non_null(strstr(r.message, "not a date"));
  sl_value bad[2] = {vs("2024"), vs("%Y %Q")};
  assert_string_equal(fn_prepare_error("parse_timestamp", 2, bad),
                      "parse_timestamp: unknown conversion \"%Q\" in "
                      "timestamp format \"%Y %Q\"");
  bad[0] = sl_value_null();
  assert_null_result(fn_call_varying("parse_timestamp", 2, bad));
  fn_reset();
}

/* FORMAT_TIMESTAMP and PARSE_TIMESTAMP undo each other in a zone, hour
 * by hour across a whole year with two changes. */
static void test_format_parse_round_trip(void **state) {
  (void)state;
  const sl_type *types[] = {sl_type_timestamp(), sl_type_varchar(),
                            sl_type_varchar()};
  const sl_type *ptypes[] = {sl_type_varchar(), sl_type_varchar(),
                             sl_type_varchar()};
  sl_func_resolved fr, pr;
  sl_error err;
  assert_int_equal(sl_func_resolve(fn_registry(), "format_timestamp", 3,
                                   types, &fr, &err),
                   SL_OK);
  assert_int_equal(sl_func_resolve(fn_registry(), "parse_timestamp", 3,
                                   ptypes, &pr, &err),
                   SL_OK);
  sl_value fmt = vs("%Y-%m-%d %H:%M:%S%z"), zone = vs("Europe/Berlin");
  const sl_value *consts[] = {NULL, &fmt, &zone};
  sl_func_ctx fc, pc;
  sl_func_ctx_init(&fc, fr.func, fr.sig, 3, fr.arg_types, fr.ret_type);
  sl_func_ctx_init(&pc, pr.func, pr.sig, 3, pr.arg_types, pr.ret_type);
  assert_int_equal(sl_func_ctx_prepare(&fc, consts, &err), SL_OK);
  assert_int_equal(sl_func_ctx_prepare(&pc, consts, &err), SL_OK);

  enum { N = 24 * 366 };
  static sl_value ts[N], fmts[N], zones[N], text[N], back[N];
  for (int i = 0; i < N; i++) {
    ts[i] = sl_value_timestamp(utc(2024, 1, 1, 0, 0, 0, 0) +
                               (int64_t)i * 3600000);
    fmts[i] = fmt;
    zones[i] = zone;
  }
  const sl_value *fcols[] = {ts, fmts, zones};
  assert_int_equal(sl_func_eval(&fc, fcols, N, text, fn_mem(), &err), SL_OK);
  assert_int_equal(fc.nerrors, 0);
  const sl_value *pcols[] = {text, fmts, zones};
  assert_int_equal(sl_func_eval(&pc, pcols, N, back, fn_mem(), &err), SL_OK);
  assert_int_equal(pc.nerrors, 0);
  for (int i = 0; i < N; i++)
    if (back[i].u.i64 != ts[i].u.i64)
      fail_msg("row %d: %.*s read back as %lld, not %lld", i,
               (int)text[i].len, text[i].u.str, (long long)back[i].u.i64,
               (long long)ts[i].u.i64);
  sl_func_ctx_destroy(&fc);
  sl_func_ctx_destroy(&pc);
  sl_func_resolved_free(&fr);
  sl_func_resolved_free(&pr);
  fn_reset();
}

static void test_now(void **state) {
  (void)state;
  fn_clock_now = 1714564800123;
  fn_result r = fn_call("now", 0, NULL);
  assert_timestamp_result(r, 1714564800123);
  fn_clock_now = 1714564801000;
  assert_timestamp_result(fn_call("now", 0, NULL), 1714564801000);

  /* The default clock is the real one. */
  sl_func_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  int64_t before = sl_func_clock_realtime(NULL);
  int64_t now = sl_func_now_ms(&ctx);
  assert_true(now >= before && now < before + 60000);
  assert_true(before > 1700000000000);
  fn_reset();
}

/* The zone reader on its own. */
static void test_tz_reader(void **state) {
  (void)state;
  const sl_func_tz *a, *b;
  sl_error err;
  assert_int_equal(sl_func_tz_get("Europe/Berlin", 13, &a, &err), SL_OK);
  assert_int_equal(sl_func_tz_get("Europe/Berlin", 13, &b, &err), SL_OK);
  assert_ptr_equal(a, b);
  assert_string_equal(sl_func_tz_name(a), "Europe/Berlin");

  sl_func_tz_info info;
  sl_func_tz_at(a, utc(2024, 7, 1, 0, 0, 0, 0) / 1000, &info);
  assert_int_equal(info.offset, 7200);
  assert_true(info.dst);
  assert_string_equal(info.abbrev, "CEST");
  sl_func_tz_at(a, utc(2024, 1, 1, 0, 0, 0, 0) / 1000, &info);
  assert_int_equal(info.offset, 3600);
  assert_false(info.dst);
  assert_string_equal(info.abbrev, "CET");
  sl_func_tz_at(a, utc(2200, 8, 1, 0, 0, 0, 0) / 1000, &info);
  assert_string_equal(info.abbrev, "CEST");
  sl_func_tz_at(a, utc(1880, 1, 1, 0, 0, 0, 0) / 1000, &info);
  assert_int_equal(info.offset, 3208);
  assert_string_equal(info.abbrev, "LMT");

  /* Wall clock to instant, around both changes of 2024. */
  int64_t l = (utc(2024, 3, 31, 2, 30, 0, 0)) / 1000;
  assert_true(sl_func_tz_to_utc(a, l) == utc(2024, 3, 31, 1, 30, 0, 0) / 1000);
  l = utc(2024, 3, 31, 3, 0, 0, 0) / 1000;
  assert_true(sl_func_tz_to_utc(a, l) == utc(2024, 3, 31, 1, 0, 0, 0) / 1000);
  l = utc(2024, 3, 31, 1, 59, 59, 0) / 1000;
  assert_true(sl_func_tz_to_utc(a, l) ==
              utc(2024, 3, 31, 0, 59, 59, 0) / 1000);
  l = utc(2024, 10, 27, 2, 0, 0, 0) / 1000;
  assert_true(sl_func_tz_to_utc(a, l) == utc(2024, 10, 27, 0, 0, 0, 0) / 1000);
  l = utc(2024, 10, 27, 3, 0, 0, 0) / 1000;
  assert_true(sl_func_tz_to_utc(a, l) == utc(2024, 10, 27, 2, 0, 0, 0) / 1000);

  const sl_func_tz *fixed;
  assert_int_equal(sl_func_tz_get("-09:30", 6, &fixed, &err), SL_OK);
  assert_int_equal(sl_func_tz_offset(fixed, 0), -34200);
  sl_func_tz_at(fixed, 0, &info);
  assert_string_equal(info.abbrev, "-09:30");

  assert_int_equal(sl_func_tz_get("Nope/Nope", 9, &fixed, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "unknown time zone \"Nope/Nope\"");
  assert_null(fixed);
  assert_int_equal(sl_func_tz_get("Europe/Berlin\0x", 15, &fixed, &err),
                   SL_ERR_SQL);
}

typedef struct lookup_job {
  const char *zone;
  int64_t at;
  int32_t offset;
} lookup_job;

static void *lookup_thread(void *p) {
  lookup_job *job = p;
  for (int i = 0; i < 200; i++) {
    const sl_func_tz *tz;
    sl_error err;
    if (sl_func_tz_get(job->zone, strlen(job->zone), &tz, &err) != SL_OK)
      return NULL;
    job->offset = sl_func_tz_offset(tz, job->at);
  }
  return job;
}

/* Many threads loading and reading zones at once agree with each
 * other (and ThreadSanitizer-clean by construction: one mutex). */
static void test_tz_threads(void **state) {
  (void)state;
  sl_func_tz_cache_clear();
  static const char *const zones[] = {"Asia/Tokyo", "America/Chicago",
                                      "Africa/Cairo", "Asia/Tokyo"};
  static const int32_t want[] = {32400, -18000, 10800, 32400};
  lookup_job jobs[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (lookup_job){zones[i], utc(2024, 7, 1, 0, 0, 0, 0) / 1000, 0};
    assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &jobs[i]),
                     0);
  }
  for (int i = 0; i < 4; i++) {
    void *res;
    pthread_join(th[i], &res);
    assert_non_null(res);
    assert_int_equal(jobs[i].offset, want[i]);
  }
}

static int teardown(void **state) {
  (void)state;
  sl_func_tz_cache_clear();
  fn_reset();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_hour_of_day_dst_berlin),
    cmocka_unit_test(test_hour_of_day_other_zones),
    cmocka_unit_test(test_unknown_zones),
    cmocka_unit_test(test_day_of_week),
    cmocka_unit_test(test_date_trunc),
    cmocka_unit_test(test_format_timestamp),
    cmocka_unit_test(test_future_rules),
    cmocka_unit_test(test_parse_timestamp),
    cmocka_unit_test(test_format_parse_round_trip),
    cmocka_unit_test(test_now),
    cmocka_unit_test(test_tz_reader),
    cmocka_unit_test(test_tz_threads),
  };
  return cmocka_run_group_tests(tests, NULL, teardown);
}
