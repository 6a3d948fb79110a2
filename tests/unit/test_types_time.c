/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/types/time.c: the civil calendar, iso8601 with
 * offsets and fractions, epoch numbers, strftime patterns both ways, and
 * the errors that name the text and the expected format.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/time.h"

static void test_civil_calendar(void **state) {
  (void)state;
  assert_int_equal(sl_time_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(sl_time_days_from_civil(1969, 12, 31), -1);
  assert_int_equal(sl_time_days_from_civil(2000, 2, 29), 11016);
  assert_int_equal(sl_time_days_from_civil(2000, 3, 1), 11017);
  assert_int_equal(sl_time_days_from_civil(1900, 3, 1), -25508);
  assert_int_equal(sl_time_days_from_civil(1900, 2, 28), -25509);
  assert_int_equal(sl_time_days_from_civil(2024, 5, 1), 19844);
  assert_int_equal(sl_time_days_from_civil(0, 1, 1), -719528);
  assert_int_equal(sl_time_days_from_civil(-1, 12, 31), -719529);

  assert_true(sl_time_is_leap_year(2000));
  assert_false(sl_time_is_leap_year(1900));
  assert_true(sl_time_is_leap_year(2024));
  assert_false(sl_time_is_leap_year(2023));
  assert_true(sl_time_is_leap_year(0));
  assert_int_equal(sl_time_days_in_month(1900, 2), 28);
  assert_int_equal(sl_time_days_in_month(2000, 2), 29);
  assert_int_equal(sl_time_days_in_month(2023, 4), 30);
  assert_int_equal(sl_time_days_in_month(2023, 13), 0);

  /* Every day of four centuries survives the round trip. */
  int64_t start = sl_time_days_from_civil(1800, 1, 1);
  int64_t y0 = 1800;
  int m0 = 1, d0 = 1;
  for (int64_t day = start; day < start + 146097; day++) {
    int64_t y;
    int m, d;
    sl_time_civil_from_days(day, &y, &m, &d);
    if (y != y0 || m != m0 || d != d0)
      fail_msg("day %lld is %lld-%d-%d, expected %lld-%d-%d",
               (long long)day, (long long)y, m, d, (long long)y0, m0, d0);
    assert_int_equal(sl_time_days_from_civil(y, m, d), day);
    if (++d0 > sl_time_days_in_month(y0, m0)) {
      d0 = 1;
      if (++m0 > 12) {
        m0 = 1;
        y0++;
      }
    }
  }

  sl_time_parts t;
  sl_time_split(-1, &t);
  assert_int_equal(t.year, 1969);
  assert_int_equal(t.month, 12);
  assert_int_equal(t.day, 31);
  assert_int_equal(t.hour, 23);
  assert_int_equal(t.minute, 59);
  assert_int_equal(t.second, 59);
  assert_int_equal(t.ms, 999);
  assert_int_equal(t.weekday, 3); /* Wednesday */
  assert_int_equal(t.yday, 365);
  sl_time_split(951782400000, &t); /* 2000-02-29 */
  assert_int_equal(t.weekday, 2);
  assert_int_equal(t.yday, 60);
  assert_int_equal(sl_time_day_of(-86400001), -2);
  assert_int_equal(sl_time_day_of(86399999), 0);
}

static int64_t iso(const char *text) {
  int64_t ms = 0;
  sl_error err;
  if (sl_time_parse_iso8601(text, strlen(text), &ms, &err) != SL_OK)
    fail_msg("iso8601 \"%s\": %s", text, err.message);
  return ms;
}

static void iso_fails(const char *text) {
  int64_t ms;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_time_parse_iso8601(text, strlen(text), &ms, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "type");
  char want[256];
  snprintf(want, sizeof(want),
           "invalid timestamp \"%s\": expected iso8601 "
           "(YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm])",
           text);
  assert_string_equal(err.message, want);
}

static void test_iso8601(void **state) {
  (void)state;
  assert_int_equal(iso("2024-05-01T12:00:00"), 1714564800000);
  assert_int_equal(iso("2024-05-01 12:00:00"), 1714564800000);
  assert_int_equal(iso("2024-05-01t12:00"), 1714564800000);
  assert_int_equal(iso("2024-05-01T12:00:00Z"), 1714564800000);
  assert_int_equal(iso("  2024-05-01T12:00:00z  "), 1714564800000);
  assert_int_equal(iso("2024-05-01T14:00:00+02:00"), 1714564800000);
  assert_int_equal(iso("2024-05-01T14:00:00+0200"), 1714564800000);
  assert_int_equal(iso("2024-05-01T14:00:00+02"), 1714564800000);
  assert_int_equal(iso("2024-05-01T06:30:00-05:30"), 1714564800000);
  assert_int_equal(iso("2024-05-01 12:00:00 UTC"), 1714564800000);
  assert_int_equal(iso("2024-05-01T12:00:00 +00:00"), 1714564800000);
  assert_int_equal(iso("2024-05-01"), 1714521600000);
  assert_int_equal(iso("2024-05-01 "), 1714521600000);

  /* Fractions of 1 to 9 digits, truncated to ms. */
  assert_int_equal(iso("2024-05-01T12:00:00.1"), 1714564800100);
  assert_int_equal(iso("2024-05-01T12:00:00.12"), 1714564800120);
  assert_int_equal(iso("2024-05-01T12:00:00.123"), 1714564800123);
  assert_int_equal(iso("2024-05-01T12:00:00.123999999"), 1714564800123);
  assert_int_equal(iso("2024-05-01T12:00:00,5Z"), 1714564800500);
  assert_int_equal(iso("2024-05-01T12:00:00.999+01:00"), 1714561200999);

  /* Before 1970, leap days, the offset crossing midnight. */
  assert_int_equal(iso("1969-12-31T23:59:59.999"), -1);
  assert_int_equal(iso("1900-01-01T00:00:00Z"), -2208988800000);
  assert_int_equal(iso("2000-02-29T00:00:00Z"), 951782400000);
  assert_int_equal(iso("1970-01-01T00:30:00+01:00"), -1800000);
  assert_int_equal(iso("0001-01-01"), -62135596800000);

  iso_fails("1900-02-29");
  iso_fails("2023-02-29T00:00:00");
  iso_fails("2024-13-01");
  iso_fails("2024-04-31");
  iso_fails("2024-05-01T24:00:00");
  iso_fails("2024-05-01T12:60:00");
  iso_fails("2024-05-01T12:00:61");
  iso_fails("2024-05-01T12");
  iso_fails("2024-05-01T12:00:00.");
  iso_fails("2024-05-01T12:00:00.1234567890");
  iso_fails("2024-05-01T12:00:00+25:00");
  iso_fails("2024-05-01T12:00:00+2");
  iso_fails("2024-5-1");
  iso_fails("24-05-01");
  iso_fails("2024-05-01X");
  iso_fails("2024-05-01T12:00:00 junk");
  iso_fails("");
  iso_fails("1714564800000");
}

static void test_epoch(void **state) {
  (void)state;
  int64_t ms;
  sl_error err;
  assert_int_equal(sl_time_parse_epoch("1714564800000", 13, false, &ms,
                                       &err),
                   SL_OK);
  assert_int_equal(ms, 1714564800000);
  assert_int_equal(sl_time_parse_epoch("-1", 2, false, &ms, &err), SL_OK);
  assert_int_equal(ms, -1);
  assert_int_equal(sl_time_parse_epoch("1714564800", 10, true, &ms, &err),
                   SL_OK);
  assert_int_equal(ms, 1714564800000);
  assert_int_equal(sl_time_parse_epoch("1714564800.25", 13, true, &ms, &err),
                   SL_OK);
  assert_int_equal(ms, 1714564800250);
  assert_int_equal(sl_time_parse_epoch("1.7145648e9", 11, true, &ms, &err),
                   SL_OK);
  assert_int_equal(ms, 1714564800000);
  /* Sub-millisecond parts go toward the past. */
  assert_int_equal(sl_time_parse_epoch("0.0019", 6, true, &ms, &err), SL_OK);
  assert_int_equal(ms, 1);
  assert_int_equal(sl_time_parse_epoch("-1.0005", 7, true, &ms, &err),
                   SL_OK);
  assert_int_equal(ms, -1001);
  assert_int_equal(sl_time_parse_epoch("12.7", 4, false, &ms, &err), SL_OK);
  assert_int_equal(ms, 12);

  sl_error_clear(&err);
  assert_int_equal(sl_time_parse_epoch("soon", 4, true, &ms, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "type");
  assert_string_equal(err.message, "invalid timestamp \"soon\": expected "
                                   "epoch_s (seconds since 1970-01-01)");
  assert_int_equal(sl_time_parse_epoch("2024-05-01", 10, false, &ms, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.message, "invalid timestamp \"2024-05-01\": "
                                   "expected epoch_ms (milliseconds since "
                                   "1970-01-01)");
  assert_int_equal(sl_time_parse_epoch("1e20", 4, true, &ms, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "overflow");
  assert_string_equal(err.message, "timestamp \"1e20\" out of range");
}

static int64_t pat(const char *pattern, const char *text) {
  int64_t ms = 0;
  sl_error err;
  if (sl_time_parse_pattern(pattern, text, strlen(text), &ms, &err))
    fail_msg("pattern \"%s\" on \"%s\": %s", pattern, text, err.message);
  return ms;
}

static void pat_fails(const char *pattern, const char *text) {
  int64_t ms;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_time_parse_pattern(pattern, text, strlen(text), &ms,
                                         &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "type");
  char want[256];
  snprintf(want, sizeof(want),
           "invalid timestamp \"%s\": expected format \"%s\"", text,
           pattern);
  assert_string_equal(err.message, want);
}

static void test_patterns(void **state) {
  (void)state;
  assert_int_equal(pat("%Y-%m-%d %H:%M:%S", "2024-05-01 12:00:00"),
                   1714564800000);
  assert_int_equal(pat("%d/%m/%Y %H:%M", "01/05/2024 12:00"),
                   1714564800000);
  assert_int_equal(pat("%Y%m%d%H%M%S", "20240501120000"), 1714564800000);
  assert_int_equal(pat("%Y-%m-%dT%H:%M:%S.%f%z",
                       "2024-05-01T14:00:00.250+02:00"),
                   1714564800250);
  assert_int_equal(pat("%Y-%m-%d %H:%M:%S %z", "2024-05-01 07:00:00 -0500"),
                   1714564800000);
  assert_int_equal(pat("%Y-%m-%d %H:%M:%S %Z", "2024-05-01 12:00:00 UTC"),
                   1714564800000);
  assert_int_equal(pat("%b %e %Y %I:%M %p", "May  1 2024 12:00 PM"),
                   1714564800000);
  assert_int_equal(pat("%B %d, %Y", "may 01, 2024"), 1714521600000);
  assert_int_equal(pat("%a, %d %b %Y %T GMT",
                       "Wed, 01 May 2024 12:00:00 GMT"),
                   1714564800000);
  assert_int_equal(pat("%I:%M %p", "12:30 AM"), 1800000);
  assert_int_equal(pat("%Y %j", "2024 122"), 1714521600000);
  assert_int_equal(pat("%Y %j", "2000 060"), 951782400000);
  assert_int_equal(pat("%y-%m-%d", "69-01-01"), -31536000000);
  assert_int_equal(pat("%y-%m-%d", "24-05-01"), 1714521600000);
  assert_int_equal(pat("%F %R", "2024-05-01 12:00"), 1714564800000);
  assert_int_equal(pat("%D", "05/01/24"), 1714521600000);
  assert_int_equal(pat("%s", "1714564800"), 1714564800000);
  assert_int_equal(pat("%s.%f", "1714564800.5"), 1714564800500);
  assert_int_equal(pat("100%% %H", "100% 01"), 3600000);
  assert_int_equal(pat("%H:%M:%S.%f", "00:00:01.123456789"), 1123);
  assert_int_equal(pat("%Y-%m-%d", "1900-02-28"), -2203977600000);
  assert_int_equal(pat("%Y-%m-%d", "  2024-05-01  "), 1714521600000);

  pat_fails("%Y-%m-%d", "1900-02-29");
  pat_fails("%Y-%m-%d", "2024-05-01 extra");
  pat_fails("%Y-%m-%d", "2024/05/01");
  pat_fails("%H:%M", "25:00");
  pat_fails("%Y %j", "2023 366");
  pat_fails("%b %d", "Foo 01");
  pat_fails("%Y-%m-%d %q", "2024-05-01 x");
}

static void test_specs_and_dispatch(void **state) {
  (void)state;
  sl_time_spec spec;
  sl_error err;
  int64_t ms;
  assert_int_equal(sl_time_spec_parse("ISO8601", &spec, &err), SL_OK);
  assert_int_equal(spec.kind, SL_TIME_ISO8601);
  assert_int_equal(sl_time_parse(&spec, "1970-01-01T00:00:01Z", 20, &ms,
                                 &err),
                   SL_OK);
  assert_int_equal(ms, 1000);
  assert_int_equal(sl_time_spec_parse("epoch_ms", &spec, &err), SL_OK);
  assert_int_equal(sl_time_parse(&spec, "42", 2, &ms, &err), SL_OK);
  assert_int_equal(ms, 42);
  assert_int_equal(sl_time_spec_parse("epoch_s", &spec, &err), SL_OK);
  assert_int_equal(sl_time_parse(&spec, "42", 2, &ms, &err), SL_OK);
  assert_int_equal(ms, 42000);
  assert_int_equal(sl_time_spec_parse("%d.%m.%Y", &spec, &err), SL_OK);
  assert_int_equal(spec.kind, SL_TIME_PATTERN);
  assert_int_equal(sl_time_parse(&spec, "02.01.1970", 10, &ms, &err),
                   SL_OK);
  assert_int_equal(ms, 86400000);

  assert_int_equal(sl_time_spec_parse("unix", &spec, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "invalid timestamp_format \"unix\": "
                                   "expected iso8601, epoch_ms, epoch_s or "
                                   "a strftime pattern");
  assert_int_equal(sl_time_spec_parse("%Y-%Q", &spec, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "unknown conversion \"%Q\" in timestamp "
                                   "format \"%Y-%Q\"");
  assert_int_equal(sl_time_pattern_check("%Y%", &err), SL_ERR_SQL);
  assert_int_equal(sl_time_pattern_check("%Y-%m-%d %H:%M:%S.%f %z", &err),
                   SL_OK);
}

static void test_parse_date(void **state) {
  (void)state;
  int32_t d;
  sl_error err;
  assert_int_equal(sl_time_parse_date("2000-02-29", 10, &d, &err), SL_OK);
  assert_int_equal(d, 11016);
  assert_int_equal(sl_time_parse_date(" 1969-12-31 ", 12, &d, &err), SL_OK);
  assert_int_equal(d, -1);
  assert_int_equal(sl_time_parse_date("2024-05-01T23:00:00-02:00", 25, &d,
                                      &err),
                   SL_OK);
  assert_int_equal(d, 19845);
  assert_int_equal(sl_time_parse_date("1900-02-29", 10, &d, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.message,
                      "invalid DATE \"1900-02-29\": expected YYYY-MM-DD");
}

/* Formats ms with pattern and compares. */
static void check_fmt(const char *pattern, int64_t ms, const char *want) {
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_time_format_pattern(&sb, pattern, ms), SL_OK);
  const char *got = sb.data ? sb.data : "";
  if (strcmp(got, want) != 0)
    fail_msg("format \"%s\" of %lld gave \"%s\", expected \"%s\"", pattern,
             (long long)ms, got, want);
  sl_strbuf_free(&sb);
}

static void test_format_patterns(void **state) {
  (void)state;
  int64_t t = 1714564800123; /* 2024-05-01 12:00:00.123, a Wednesday */
  check_fmt("%Y-%m-%d %H:%M:%S.%f", t, "2024-05-01 12:00:00.123");
  check_fmt("%FT%T%z", t, "2024-05-01T12:00:00+0000");
  check_fmt("%a %A %b %B %e %j", t, "Wed Wednesday May May  1 122");
  check_fmt("%I:%M %p %Z", t, "12:00 PM UTC");
  check_fmt("%I %p", 0, "12 AM");
  check_fmt("%D %R", t, "05/01/24 12:00");
  check_fmt("%s %u %w", t, "1714564800 3 3");
  check_fmt("%u", 1714262400000, "7"); /* a Sunday */
  check_fmt("100%% %y", -1, "100% 69");
  check_fmt("%Y-%m-%d %H:%M:%S.%f", -1, "1969-12-31 23:59:59.999");
  check_fmt("%s", -1, "-1");
  check_fmt("[%Q]", 0, "[%Q]");
  check_fmt("%", 0, "%");
  check_fmt("%Y", -62167219200001, "-0001");

  /* Formatting and parsing a pattern agree. */
  const char *p = "%d %b %Y %H:%M:%S.%f";
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_time_format_pattern(&sb, p, -2208988799999);
  assert_int_equal(pat(p, sb.data), -2208988799999);
  sl_strbuf_free(&sb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_civil_calendar),
      cmocka_unit_test(test_iso8601),
      cmocka_unit_test(test_epoch),
      cmocka_unit_test(test_patterns),
      cmocka_unit_test(test_specs_and_dispatch),
      cmocka_unit_test(test_parse_date),
      cmocka_unit_test(test_format_patterns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
