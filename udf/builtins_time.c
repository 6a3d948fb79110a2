/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_time.c - NOW, DATE_TRUNC, FORMAT_TIMESTAMP, PARSE_TIMESTAMP,
 * HOUR_OF_DAY, DAY_OF_WEEK.
 *
 * Timestamps are UTC milliseconds.  A time zone argument names a zone of
 * the tz database ("Europe/Berlin") or a fixed offset ("+05:30"); the
 * wall clock of that zone at the instant is what the function reads
 * (HOUR_OF_DAY, DAY_OF_WEEK with ISO numbering, Monday = 1) or writes
 * (FORMAT_TIMESTAMP, where %z and %Z print the zone's offset and
 * abbreviation).  PARSE_TIMESTAMP reads a wall-clock time of the zone
 * unless the text carries its own offset (%z, %Z or %s in the pattern);
 * wall times that happen twice are their first occurrence, times skipped
 * by a change are read with the offset before it (see tz.h).  Without a
 * zone everything is UTC.
 *
 * DATE_TRUNC(unit, ts [, tz]) truncates to second, minute, hour, day,
 * week (ISO: Monday), month, quarter or year.  Up to hours it keeps the
 * instant's own offset, so that an hour after clocks go back stays
 * itself; from days on it is the start of the zone's local day, week, ...
 *
 * Patterns are strftime-like (engine/types/time.h lists the
 * conversions); a constant pattern, unit or zone is checked once when the
 * query starts, a varying one per row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/strbuf.h"
#include "engine/types/time.h"
#include "udf/builtins.h"
#include "udf/tz.h"

typedef enum trunc_unit {
  UNIT_SECOND = 0,
  UNIT_MINUTE,
  UNIT_HOUR,
  UNIT_DAY,
  UNIT_WEEK,
  UNIT_MONTH,
  UNIT_QUARTER,
  UNIT_YEAR,
  UNIT_NONE
} trunc_unit;

static const char *const unit_names[] = {
  "second", "minute", "hour", "day", "week", "month", "quarter", "year",
};

/* What a call site keeps between rows and batches. */
typedef struct time_state {
  const sl_func_tz *tz; /* the constant zone, or the last one used */
  bool tz_constant;
  char *fmt;            /* the checked pattern, NUL-terminated */
  size_t fmt_len;
  bool fmt_constant;
  bool fmt_absolute;    /* the pattern reads an offset or epoch seconds */
  trunc_unit unit;
  bool unit_constant;
  sl_strbuf text;       /* formatting scratch */
  sl_strbuf pattern;    /* a pattern rewritten for a zone */
} time_state;

static void time_state_free(void *p) {
  time_state *st = p;
  if (!st)
    return;
  free(st->fmt);
  sl_strbuf_free(&st->text);
  sl_strbuf_free(&st->pattern);
  free(st);
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b) {
  return a - floor_div(a, b) * b;
}

/* The state of a call site, made on first use when prepare did not run. */
static time_state *state_of(sl_func_ctx *ctx) {
  if (!ctx->state) {
    time_state *st = calloc(1, sizeof(*st));
    if (!st)
      return NULL;
    st->unit = UNIT_NONE;
    ctx->state = st;
    ctx->state_free = time_state_free;
  }
  return ctx->state;
}

static trunc_unit parse_unit(const char *s, size_t n) {
  for (int u = 0; u < UNIT_NONE; u++) {
    const char *name = unit_names[u];
    if (strlen(name) != n)
      continue;
    size_t i = 0;
    while (i < n && (s[i] | 0x20) == name[i])
      i++;
    if (i == n)
      return (trunc_unit)u;
  }
  return UNIT_NONE;
}

#define UNIT_EXPECTED \
  "expected second, minute, hour, day, week, month, quarter or year"

/* Checks pattern v and keeps it as st->fmt.  Returns false with msg
 * filled when it is not a valid pattern; *nomem on allocation failure. */
static bool set_pattern(time_state *st, const sl_value *v, bool parse,
                        char *msg, size_t msg_size, bool *nomem) {
  *nomem = false;
  if (memchr(v->u.str, '\0', v->len)) {
    snprintf(msg, msg_size, "timestamp format contains a NUL byte");
    return false;
  }
  char *copy = malloc(v->len + 1);
  if (!copy) {
    *nomem = true;
    return false;
  }
  memcpy(copy, v->u.str, v->len);
  copy[v->len] = '\0';
  sl_error e;
  sl_error_clear(&e);
  if (sl_time_pattern_check(copy, &e) != SL_OK) {
    snprintf(msg, msg_size, "%s", e.message);
    free(copy);
    return false;
  }
  free(st->fmt);
  st->fmt = copy;
  st->fmt_len = v->len;

  /* Parsed text that names its own offset is not read in the zone. */
  st->fmt_absolute = false;
  for (const char *p = copy; parse && *p; p++) {
    if (*p != '%')
      continue;
    p++;
    if (*p == 'z' || *p == 'Z' || *p == 's')
      st->fmt_absolute = true;
  }
  return true;
}

/* Checks the constant unit, pattern and zone of a call site; idx < 0
 * when the function has no such argument. */
static sl_status time_prepare(sl_func_ctx *ctx, const sl_value *const *consts,
                              sl_error *err, int unit_idx, int fmt_idx,
                              int tz_idx, bool parse) {
  time_state *st = state_of(ctx);
  if (!st)
    return sl_func_nomem(err);

  const sl_value *v;
  if (unit_idx >= 0 && (v = consts[unit_idx]) && v->kind == SL_TYPE_VARCHAR) {
    st->unit = parse_unit(v->u.str, v->len);
    if (st->unit == UNIT_NONE)
      return sl_func_prepare_fail(ctx, err, "unknown unit \"%.*s\"; %s",
                                  v->len > 64 ? 64 : (int)v->len, v->u.str,
                                  UNIT_EXPECTED);
    st->unit_constant = true;
  }
  if (fmt_idx >= 0 && (v = consts[fmt_idx]) && v->kind == SL_TYPE_VARCHAR) {
    char msg[SL_ERROR_MSG_MAX];
    bool nomem;
    if (!set_pattern(st, v, parse, msg, sizeof(msg), &nomem))
      return nomem ? sl_func_nomem(err)
                   : sl_func_prepare_fail(ctx, err, "%s", msg);
    st->fmt_constant = true;
  }
  if (tz_idx >= 0 && tz_idx < ctx->nargs && (v = consts[tz_idx]) &&
      v->kind == SL_TYPE_VARCHAR) {
    sl_error e;
    sl_error_clear(&e);
    if (sl_func_tz_get(v->u.str, v->len, &st->tz, &e) != SL_OK)
      return e.code == SL_ERR_NOMEM
                 ? sl_func_nomem(err)
                 : sl_func_prepare_fail(ctx, err, "%s", e.message);
    st->tz_constant = true;
  }
  return SL_OK;
}

/* The zone of row r (argument column zones), or NULL for UTC when the
 * call has no zone argument.  False when the row failed. */
static bool zone_for_row(sl_func_ctx *ctx, time_state *st,
                         const sl_value *const *args, int tz_idx, int r,
                         sl_value *out, const sl_func_tz **tz) {
  *tz = NULL;
  if (tz_idx >= ctx->nargs)
    return true;
  if (st->tz_constant) {
    *tz = st->tz;
    return true;
  }
  const sl_value *z = &args[tz_idx][r];
  if (st->tz) {
    const char *name = sl_func_tz_name(st->tz);
    if (strlen(name) == z->len && memcmp(name, z->u.str, z->len) == 0) {
      *tz = st->tz;
      return true;
    }
  }
  sl_error e;
  sl_error_clear(&e);
  if (sl_func_tz_get(z->u.str, z->len, &st->tz, &e) != SL_OK) {
    sl_func_fail(ctx, r, out, SL_FUNC_INVALID, "%s", e.message);
    return false;
  }
  *tz = st->tz;
  return true;
}

/* The checked pattern of row r, or NULL when the row failed (*nomem for
 * a batch failure). */
static const char *pattern_for_row(sl_func_ctx *ctx, time_state *st,
                                   const sl_value *v, bool parse, int r,
                                   sl_value *out, bool *nomem) {
  *nomem = false;
  if (st->fmt_constant ||
      (st->fmt && st->fmt_len == v->len &&
       memcmp(st->fmt, v->u.str, v->len) == 0))
    return st->fmt;
  char msg[SL_ERROR_MSG_MAX];
  if (!set_pattern(st, v, parse, msg, sizeof(msg), nomem)) {
    if (!*nomem)
      sl_func_fail(ctx, r, out, SL_FUNC_INVALID, "%s", msg);
    return NULL;
  }
  return st->fmt;
}

/* The wall-clock milliseconds of instant ms in tz (UTC without one). */
static int64_t local_ms(const sl_func_tz *tz, int64_t ms) {
  if (!tz)
    return ms;
  return ms + (int64_t)sl_func_tz_offset(tz, floor_div(ms, 1000)) * 1000;
}

/* ------------------------------------------------------------------ */
/* NOW, HOUR_OF_DAY, DAY_OF_WEEK                                       */
/* ------------------------------------------------------------------ */

static sl_status now_fn(sl_func_ctx *ctx, int nargs,
                        const sl_value *const *args, int nrows,
                        sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++)
    out[r] = sl_value_timestamp(sl_func_now_ms(ctx));
  return SL_OK;
}

static sl_status tz_only_prepare(sl_func_ctx *ctx,
                                 const sl_value *const *consts,
                                 sl_error *err) {
  return time_prepare(ctx, consts, err, -1, -1, 1, false);
}

/* HOUR_OF_DAY (what = 0) or DAY_OF_WEEK (what = 1) of each row. */
static sl_status clock_field(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err, int what) {
  time_state *st = state_of(ctx);
  if (!st)
    return sl_func_nomem(err);
  for (int r = 0; r < nrows; r++) {
    const sl_func_tz *tz;
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    if (!zone_for_row(ctx, st, args, 1, r, &out[r], &tz))
      continue;
    int64_t local = local_ms(tz, args[0][r].u.i64);
    if (what == 0) {
      out[r] = sl_value_int(
          (int32_t)(floor_mod(local, SL_MS_PER_DAY) / 3600000));
    } else {
      /* 1970-01-01 was a Thursday, ISO day 4. */
      int64_t days = floor_div(local, SL_MS_PER_DAY);
      out[r] = sl_value_int((int32_t)(floor_mod(days + 3, 7) + 1));
    }
  }
  return SL_OK;
}

static sl_status hour_of_day_fn(sl_func_ctx *ctx, int nargs,
                                const sl_value *const *args, int nrows,
                                sl_value *out, sl_error *err) {
  return clock_field(ctx, nargs, args, nrows, out, err, 0);
}

static sl_status day_of_week_fn(sl_func_ctx *ctx, int nargs,
                                const sl_value *const *args, int nrows,
                                sl_value *out, sl_error *err) {
  return clock_field(ctx, nargs, args, nrows, out, err, 1);
}

/* ------------------------------------------------------------------ */
/* DATE_TRUNC                                                          */
/* ------------------------------------------------------------------ */

/* The first day (days since the epoch) of the unit holding day. */
static int64_t trunc_days(int64_t day, trunc_unit unit) {
  int64_t year;
  int month, mday;
  switch (unit) {
  case UNIT_WEEK:
    return day - floor_mod(day + 3, 7);
  case UNIT_MONTH:
  case UNIT_QUARTER:
  case UNIT_YEAR:
    sl_time_civil_from_days(day, &year, &month, &mday);
    if (unit == UNIT_QUARTER)
      month = (month - 1) / 3 * 3 + 1;
    else if (unit == UNIT_YEAR)
      month = 1;
    return sl_time_days_from_civil(year, month, 1);
  default:
    return day;
  }
}

static const int64_t unit_ms[] = {1000, 60000, 3600000};

/* The unit of row r, or UNIT_NONE when the row failed. */
static trunc_unit unit_for_row(sl_func_ctx *ctx, time_state *st,
                               const sl_value *u, int r, sl_value *out) {
  if (st->unit_constant)
    return st->unit;
  trunc_unit unit = parse_unit(u->u.str, u->len);
  if (unit == UNIT_NONE)
    sl_func_fail(ctx, r, out, SL_FUNC_INVALID, "unknown unit \"%.*s\"; %s",
                 u->len > 64 ? 64 : (int)u->len, u->u.str, UNIT_EXPECTED);
  return unit;
}

static sl_status date_trunc_prepare(sl_func_ctx *ctx,
                                    const sl_value *const *consts,
                                    sl_error *err) {
  return time_prepare(ctx, consts, err, 0, -1, 2, false);
}

static sl_status date_trunc_ts(sl_func_ctx *ctx, int nargs,
                               const sl_value *const *args, int nrows,
                               sl_value *out, sl_error *err) {
  time_state *st = state_of(ctx);
  if (!st)
    return sl_func_nomem(err);
  for (int r = 0; r < nrows; r++) {
    const sl_func_tz *tz;
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    trunc_unit unit = unit_for_row(ctx, st, &args[0][r], r, &out[r]);
    if (unit == UNIT_NONE ||
        !zone_for_row(ctx, st, args, 2, r, &out[r], &tz))
      continue;
    int64_t ms = args[1][r].u.i64;
    int64_t local = local_ms(tz, ms);
    if (unit <= UNIT_HOUR) {
      /* Keep the instant's offset: only the clock's digits drop. */
      out[r] = sl_value_timestamp(ms - floor_mod(local, unit_ms[unit]));
      continue;
    }
    int64_t day = trunc_days(floor_div(local, SL_MS_PER_DAY), unit);
    int64_t start = day * SL_MS_PER_DAY;
    if (tz)
      start = sl_func_tz_to_utc(tz, day * 86400) * 1000;
    out[r] = sl_value_timestamp(start);
  }
  return SL_OK;
}

/* DATE_TRUNC of a DATE: units below a day leave it as it is. */
static sl_status date_trunc_date(sl_func_ctx *ctx, int nargs,
                                 const sl_value *const *args, int nrows,
                                 sl_value *out, sl_error *err) {
  time_state *st = state_of(ctx);
  if (!st)
    return sl_func_nomem(err);
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    trunc_unit unit = unit_for_row(ctx, st, &args[0][r], r, &out[r]);
    if (unit == UNIT_NONE)
      continue;
    out[r] = sl_value_date((int32_t)trunc_days(args[1][r].u.i32, unit));
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* FORMAT_TIMESTAMP and PARSE_TIMESTAMP                                */
/* ------------------------------------------------------------------ */

/* Rewrites pattern for a zone: %z becomes the offset (+hhmm), %Z the
 * abbreviation and %s the epoch seconds of the instant itself, so that
 * the UTC formatter can print the shifted wall clock. */
static void zone_pattern(sl_strbuf *out, const char *pattern,
                         const sl_func_tz_info *info, int64_t ms) {
  int32_t a = info->offset < 0 ? -info->offset : info->offset;
  sl_strbuf_reset(out);
  for (const char *p = pattern; *p; p++) {
    if (*p != '%' || !p[1]) {
      sl_strbuf_appendc(out, *p);
      continue;
    }
    p++;
    switch (*p) {
    case 'z':
      sl_strbuf_appendf(out, "%c%02d%02d", info->offset < 0 ? '-' : '+',
                        (int)(a / 3600), (int)(a / 60 % 60));
      break;
    case 'Z':
      for (const char *c = info->abbrev; *c; c++) {
        if (*c == '%')
          sl_strbuf_appendc(out, '%');
        sl_strbuf_appendc(out, *c);
      }
      break;
    case 's':
      sl_strbuf_appendf(out, "%lld", (long long)floor_div(ms, 1000));
      break;
    default:
      sl_strbuf_appendc(out, '%');
      sl_strbuf_appendc(out, *p);
      break;
    }
  }
}

static sl_status format_prepare(sl_func_ctx *ctx,
                                const sl_value *const *consts,
                                sl_error *err) {
  return time_prepare(ctx, consts, err, -1, 1, 2, false);
}

static sl_status format_timestamp_fn(sl_func_ctx *ctx, int nargs,
                                     const sl_value *const *args, int nrows,
                                     sl_value *out, sl_error *err) {
  time_state *st = state_of(ctx);
  if (!st)
    return sl_func_nomem(err);
  for (int r = 0; r < nrows; r++) {
    const sl_func_tz *tz;
    bool nomem;
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const char *pattern =
        pattern_for_row(ctx, st, &args[1][r], false, r, &out[r], &nomem);
    if (nomem)
      return sl_func_nomem(err);
    if (!pattern || !zone_for_row(ctx, st, args, 2, r, &out[r], &tz))
      continue;

    int64_t ms = args[0][r].u.i64;
    sl_strbuf_reset(&st->text);
    if (tz) {
      sl_func_tz_info info;
      sl_func_tz_at(tz, floor_div(ms, 1000), &info);
      zone_pattern(&st->pattern, pattern, &info, ms);
      if (st->pattern.failed)
        return sl_func_nomem(err);
      sl_time_format_pattern(&st->text, st->pattern.data ? st->pattern.data
                                                         : "",
                             ms + (int64_t)info.offset * 1000);
    } else {
      sl_time_format_pattern(&st->text, pattern, ms);
    }
    if (st->text.failed ||
        !sl_func_set_varchar(ctx, &out[r], st->text.data ? st->text.data : "",
                             st->text.len))
      return sl_func_nomem(err);
  }
  return SL_OK;
}

static sl_status parse_prepare(sl_func_ctx *ctx,
                               const sl_value *const *consts,
                               sl_error *err) {
  return time_prepare(ctx, consts, err, -1, 1, 2, true);
}

static sl_status parse_timestamp_fn(sl_func_ctx *ctx, int nargs,
                                    const sl_value *const *args, int nrows,
                                    sl_value *out, sl_error *err) {
  time_state *st = state_of(ctx);
  if (!st)
    return sl_func_nomem(err);
  for (int r = 0; r < nrows; r++) {
    const sl_func_tz *tz;
    bool nomem;
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const char *pattern =
        pattern_for_row(ctx, st, &args[1][r], true, r, &out[r], &nomem);
    if (nomem)
      return sl_func_nomem(err);
    if (!pattern || !zone_for_row(ctx, st, args, 2, r, &out[r], &tz))
      continue;

    const sl_value *s = &args[0][r];
    int64_t ms;
    sl_error e;
    sl_error_clear(&e);
    if (sl_time_parse_pattern(pattern, s->u.str, s->len, &ms, &e) !=
        SL_OK) {
      if (e.code == SL_ERR_NOMEM)
        return sl_func_nomem(err);
      sl_func_fail(ctx, r, &out[r],
                   strcmp(e.reason, "overflow") == 0 ? "overflow"
                                                     : SL_FUNC_INVALID,
                   "%s", e.message);
      continue;
    }

    /* Without an offset in the text, the fields are the zone's wall
     * clock. */
    if (tz && !st->fmt_absolute) {
      int64_t sec = floor_div(ms, 1000);
      ms = sl_func_tz_to_utc(tz, sec) * 1000 + floor_mod(ms, 1000);
    }
    out[r] = sl_value_timestamp(ms);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_time[] = {
  {.name = "NOW",
   .flags = SL_FUNC_NONDETERMINISTIC,
   .doc = "The processing time at which the row is evaluated.",
   .example = "NOW() = TIMESTAMP '2024-05-01 12:00:00.123'",
   .sigs = {{.spec = "() -> TIMESTAMP", .scalar = now_fn}}},
  {.name = "DATE_TRUNC",
   .doc = "ts truncated to the start of its second, minute, hour, day, "
          "week (Monday), month, quarter or year, in tz (default UTC).",
   .example = "DATE_TRUNC('month', TIMESTAMP '2024-05-17 10:00:00') = "
              "TIMESTAMP '2024-05-01 00:00:00'",
   .sigs = {{.spec = "(VARCHAR, TIMESTAMP [, VARCHAR]) -> TIMESTAMP",
             .scalar = date_trunc_ts,
             .prepare = date_trunc_prepare},
            {.spec = "(VARCHAR, DATE) -> DATE",
             .scalar = date_trunc_date,
             .prepare = date_trunc_prepare}}},
  {.name = "FORMAT_TIMESTAMP",
   .doc = "ts as text by a strftime pattern, on the wall clock of tz "
          "(default UTC).",
   .example = "FORMAT_TIMESTAMP(TIMESTAMP '2024-07-01 10:00:00', "
              "'%H:%M %Z', 'Europe/Berlin') = '12:00 CEST'",
   .sigs = {{.spec = "(TIMESTAMP, VARCHAR [, VARCHAR]) -> VARCHAR",
             .scalar = format_timestamp_fn,
             .prepare = format_prepare}}},
  {.name = "PARSE_TIMESTAMP",
   .doc = "Text read by a strftime pattern as a wall-clock time of tz "
          "(default UTC) unless it has an offset.",
   .example = "PARSE_TIMESTAMP('01/07/2024 12:00', '%d/%m/%Y %H:%M', "
              "'Europe/Berlin') = TIMESTAMP '2024-07-01 10:00:00'",
   .sigs = {{.spec = "(VARCHAR, VARCHAR [, VARCHAR]) -> TIMESTAMP",
             .scalar = parse_timestamp_fn,
             .prepare = parse_prepare}}},
  {.name = "HOUR_OF_DAY",
   .doc = "The hour (0-23) of ts on the wall clock of tz (default UTC).",
   .example = "HOUR_OF_DAY(TIMESTAMP '2024-07-01 22:30:00', "
              "'Europe/Berlin') = 0",
   .sigs = {{.spec = "(TIMESTAMP [, VARCHAR]) -> INT",
             .scalar = hour_of_day_fn,
             .prepare = tz_only_prepare}}},
  {.name = "DAY_OF_WEEK",
   .doc = "The ISO day of the week (Monday = 1 ... Sunday = 7) of ts in tz "
          "(default UTC).",
   .example = "DAY_OF_WEEK(TIMESTAMP '2024-05-05 12:00:00') = 7",
   .sigs = {{.spec = "(TIMESTAMP [, VARCHAR]) -> INT",
             .scalar = day_of_week_fn,
             .prepare = tz_only_prepare}}},
};

const int sl_func_builtins_time_count =
    (int)(sizeof(sl_func_builtins_time) / sizeof(sl_func_builtins_time[0]));
