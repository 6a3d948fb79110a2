/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tz.c - a TZif reader, POSIX TZ rules, and the zone cache.
 *
 * A zone is a sorted list of transitions (UTC seconds, each naming a
 * local time type: offset, DST flag, abbreviation) and, from version 2
 * files on, a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") that gives
 * the rule after the last transition.  Finding the offset of an instant
 * is a binary search, or the rule's two transitions of that year.
 */
#include "udf/tz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/time.h"

#define TZ_ABBR_MAX 16
#define TZ_FILE_MAX (1u << 20)
#define TZ_NAME_MAX 128
/* Unknown names remembered so that a bad zone column does not read the
 * disk for every row, up to this many. */
#define TZ_NEGATIVE_MAX 256

/* One date of a POSIX rule. */
typedef struct rule_date {
  char kind;    /* 'J': Jn (1..365, no Feb 29); 'D': n (0..365); 'M' */
  int n;        /* J and D */
  int month;    /* M: 1..12 */
  int week;     /* M: 1..5, 5 = the last */
  int weekday;  /* M: 0 = Sunday */
  int32_t time; /* seconds after local midnight; may be negative or > 24h */
} rule_date;

typedef struct posix_rule {
  char std_abbr[TZ_ABBR_MAX];
  char dst_abbr[TZ_ABBR_MAX];
  int32_t std_off; /* seconds east */
  int32_t dst_off;
  bool has_dst;
  rule_date start, end;
} posix_rule;

typedef struct tz_type {
  int32_t offset;
  bool dst;
  const char *abbrev;
} tz_type;

struct sl_func_tz {
  char *name;
  int ntrans;
  int64_t *trans;     /* UTC seconds, ascending */
  uint8_t *trans_idx; /* type of each transition */
  int ntypes;
  tz_type *types;
  char *abbrs;        /* the abbreviations the types point into */
  bool has_rule;
  posix_rule rule;
  sl_func_tz *next;   /* the cache list */
};

/* A name that is not a zone. */
typedef struct tz_missing {
  char *name;
  char message[TZ_NAME_MAX + 160];
  struct tz_missing *next;
} tz_missing;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static sl_func_tz *cache;
static tz_missing *missing;
static int nmissing;

static void tz_free(sl_func_tz *tz) {
  if (!tz)
    return;
  free(tz->name);
  free(tz->trans);
  free(tz->trans_idx);
  free(tz->types);
  free(tz->abbrs);
  free(tz);
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ------------------------------------------------------------------ */
/* POSIX TZ strings                                                    */
/* ------------------------------------------------------------------ */

/* An abbreviation: letters, or <...> holding letters, digits, + and -. */
static bool parse_abbr(const char **p, char *out) {
  const char *s = *p;
  size_t n = 0;
  if (*s == '<') {
    s++;
    while (*s && *s != '>') {
      if (n + 1 >= TZ_ABBR_MAX)
        return false;
      out[n++] = *s++;
    }
    if (*s != '>')
      return false;
    s++;
  } else {
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
      if (n + 1 >= TZ_ABBR_MAX)
        return false;
      out[n++] = *s++;
    }
  }
  out[n] = '\0';
  *p = s;
  return n >= 1;
}

/* [+-]hh[:mm[:ss]] as seconds (hours up to 167, as RFC 8536 allows). */
static bool parse_hms(const char **p, int32_t *out) {
  const char *s = *p;
  int sign = 1;
  if (*s == '+' || *s == '-')
    sign = *s++ == '-' ? -1 : 1;
  if (*s < '0' || *s > '9')
    return false;
  int32_t h = 0, m = 0, sec = 0;
  while (*s >= '0' && *s <= '9' && h <= 167)
    h = h * 10 + (*s++ - '0');
  if (h > 167)
    return false;
  if (*s == ':') {
    s++;
    if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
      return false;
    m = (s[0] - '0') * 10 + (s[1] - '0');
    s += 2;
    if (*s == ':') {
      s++;
      if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
        return false;
      sec = (s[0] - '0') * 10 + (s[1] - '0');
      s += 2;
    }
  }
  *out = sign * (h * 3600 + m * 60 + sec);
  *p = s;
  return true;
}

static bool parse_int(const char **p, int lo, int hi, int *out) {
  const char *s = *p;
  int v = 0;
  if (*s < '0' || *s > '9')
    return false;
  while (*s >= '0' && *s <= '9' && v <= hi)
    v = v * 10 + (*s++ - '0');
  if (v < lo || v > hi)
    return false;
  *out = v;
  *p = s;
  return true;
}

/* ",date[/time]" */
static bool parse_rule_date(const char **p, rule_date *d) {
  const char *s = *p;
  if (*s != ',')
    return false;
  s++;
  memset(d, 0, sizeof(*d));
  if (*s == 'J') {
    s++;
    d->kind = 'J';
    if (!parse_int(&s, 1, 365, &d->n))
      return false;
  } else if (*s == 'M') {
    s++;
    d->kind = 'M';
    if (!parse_int(&s, 1, 12, &d->month) || *s++ != '.' ||
        !parse_int(&s, 1, 5, &d->week) || *s++ != '.' ||
        !parse_int(&s, 0, 6, &d->weekday))
      return false;
  } else {
    d->kind = 'D';
    if (!parse_int(&s, 0, 365, &d->n))
      return false;
  }
  d->time = 2 * 3600;
  if (*s == '/') {
    s++;
    if (!parse_hms(&s, &d->time))
      return false;
  }
  *p = s;
  return true;
}

/* Parses a POSIX TZ string; false when it is malformed. */
static bool parse_posix(const char *s, posix_rule *r) {
  int32_t off;
  memset(r, 0, sizeof(*r));
  if (!parse_abbr(&s, r->std_abbr) || !parse_hms(&s, &off))
    return false;
  /* POSIX offsets count hours west of Greenwich. */
  r->std_off = -off;
  if (*s == '\0')
    return true;

  if (!parse_abbr(&s, r->dst_abbr))
    return false;
  r->has_dst = true;
  r->dst_off = r->std_off + 3600;
  if (*s && *s != ',') {
    if (!parse_hms(&s, &off))
      return false;
    r->dst_off = -off;
  }
  if (*s == '\0') {
    /* No rule given: POSIX's default, the US rules since 2007. */
    r->start = (rule_date){'M', 0, 3, 2, 0, 7200};
    r->end = (rule_date){'M', 0, 11, 1, 0, 7200};
    return true;
  }
  return parse_rule_date(&s, &r->start) && parse_rule_date(&s, &r->end) &&
         *s == '\0';
}

/* The local seconds (wall clock of the offset in force before the
 * change) at which date d happens in year. */
static int64_t rule_local(const rule_date *d, int64_t year) {
  int64_t jan1 = sl_time_days_from_civil(year, 1, 1);
  int64_t day;
  switch (d->kind) {
  case 'J':
    day = jan1 + d->n - 1 +
          (sl_time_is_leap_year(year) && d->n >= 60 ? 1 : 0);
    break;
  case 'D':
    day = jan1 + d->n;
    break;
  default: {
    int64_t first = sl_time_days_from_civil(year, d->month, 1);
    /* 1970-01-01 was a Thursday (weekday 4). */
    int dow = (int)(((first + 4) % 7 + 7) % 7);
    int mday = 1 + (d->weekday - dow + 7) % 7 + (d->week - 1) * 7;
    int dim = sl_time_days_in_month(year, d->month);
    while (mday > dim)
      mday -= 7;
    day = first + mday - 1;
    break;
  }
  }
  return day * 86400 + d->time;
}

static void rule_at(const posix_rule *r, int64_t utc_s, tz_type *out) {
  out->offset = r->std_off;
  out->dst = false;
  out->abbrev = r->std_abbr;
  if (!r->has_dst)
    return;

  int64_t year;
  int month, day;
  sl_time_civil_from_days(floor_div(utc_s + r->std_off, 86400), &year,
                          &month, &day);
  /* DST starts at a standard-time wall clock and ends at a DST one. */
  int64_t start = rule_local(&r->start, year) - r->std_off;
  int64_t end = rule_local(&r->end, year) - r->dst_off;
  bool in_dst = start < end ? (utc_s >= start && utc_s < end)
                            : (utc_s < end || utc_s >= start);
  if (in_dst) {
    out->offset = r->dst_off;
    out->dst = true;
    out->abbrev = r->dst_abbr;
  }
}

/* ------------------------------------------------------------------ */
/* TZif files                                                          */
/* ------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static int64_t be64(const unsigned char *p) {
  return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_counts {
  uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static bool read_counts(const unsigned char *p, size_t n, tzif_counts *c) {
  if (n < 44 || memcmp(p, "TZif", 4) != 0)
    return false;
  c->isut = be32(p + 20);
  c->isstd = be32(p + 24);
  c->leap = be32(p + 28);
  c->time = be32(p + 32);
  c->type = be32(p + 36);
  c->chars = be32(p + 40);
  return c->type >= 1 && c->type <= 256 && c->chars >= 1 &&
         c->time <= 100000 && c->chars <= 65536 && c->leap <= 10000 &&
         c->isut <= c->type && c->isstd <= c->type;
}

static size_t block_size(const tzif_counts *c, size_t tsize) {
  return c->time * tsize + c->time + c->type * 6 + c->chars +
         c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* Builds a zone from the bytes of a TZif file.  Returns NULL with why
 * in msg when they are not one. */
static sl_func_tz *parse_tzif(const unsigned char *p, size_t n, char *msg,
                              size_t msg_size) {
  tzif_counts c;
  if (!read_counts(p, n, &c)) {
    snprintf(msg, msg_size, "not a TZif file");
    return NULL;
  }
  size_t tsize = 4;
  const unsigned char *data = p + 44;
  size_t v1 = block_size(&c, 4);
  if (44 + v1 > n) {
    snprintf(msg, msg_size, "truncated TZif file");
    return NULL;
  }

  /* Version 2 and later repeat everything with 64-bit times. */
  const unsigned char *footer = NULL, *end = p + n;
  if (p[4] >= '2') {
    const unsigned char *h2 = data + v1;
    if (!read_counts(h2, (size_t)(end - h2), &c) ||
        (size_t)(end - h2) < 44 + block_size(&c, 8)) {
      snprintf(msg, msg_size, "truncated TZif file");
      return NULL;
    }
    tsize = 8;
    data = h2 + 44;
    footer = data + block_size(&c, 8);
  }
  if (c.leap > 0) {
    snprintf(msg, msg_size, "zones with leap seconds are not supported");
    return NULL;
  }

  sl_func_tz *tz = calloc(1, sizeof(*tz));
  if (!tz) {
    snprintf(msg, msg_size, "out of memory");
    return NULL;
  }
  tz->ntrans = (int)c.time;
  tz->ntypes = (int)c.type;
  tz->trans = malloc(sizeof(*tz->trans) * (c.time ? c.time : 1));
  tz->trans_idx = malloc(c.time ? c.time : 1);
  tz->types = calloc(c.type, sizeof(*tz->types));
  tz->abbrs = malloc(c.chars + 1);
  if (!tz->trans || !tz->trans_idx || !tz->types || !tz->abbrs) {
    tz_free(tz);
    snprintf(msg, msg_size, "out of memory");
    return NULL;
  }

  const unsigned char *q = data;
  for (uint32_t i = 0; i < c.time; i++, q += tsize)
    tz->trans[i] = tsize == 8 ? be64(q) : (int32_t)be32(q);
  for (uint32_t i = 0; i < c.time; i++)
    tz->trans_idx[i] = *q++;
  const unsigned char *types = q;
  q += c.type * 6;
  memcpy(tz->abbrs, q, c.chars);
  tz->abbrs[c.chars] = '\0';
  for (uint32_t i = 0; i < c.type; i++) {
    const unsigned char *t = types + i * 6;
    tz->types[i].offset = (int32_t)be32(t);
    tz->types[i].dst = t[4] != 0;
    tz->types[i].abbrev = tz->abbrs + (t[5] < c.chars ? t[5] : c.chars);
  }
  bool ok = true;
  for (uint32_t i = 0; i < c.time; i++)
    ok = ok && tz->trans_idx[i] < c.type &&
         (i == 0 || tz->trans[i] > tz->trans[i - 1]);
  if (!ok) {
    tz_free(tz);
    snprintf(msg, msg_size, "malformed TZif file");
    return NULL;
  }

  /* The footer: "\n" TZ string "\n". */
  if (footer && footer < end && *footer == '\n') {
    const unsigned char *nl = memchr(footer + 1, '\n',
                                     (size_t)(end - footer - 1));
    size_t len = nl ? (size_t)(nl - footer - 1) : 0;
    if (len > 0 && len < 128) {
      char text[128];
      memcpy(text, footer + 1, len);
      text[len] = '\0';
      tz->has_rule = parse_posix(text, &tz->rule);
    }
  }
  return tz;
}

/* A zone with one fixed offset and no file. */
static sl_func_tz *fixed_zone(int32_t offset, const char *abbrev) {
  sl_func_tz *tz = calloc(1, sizeof(*tz));
  if (!tz)
    return NULL;
  tz->ntypes = 1;
  tz->types = calloc(1, sizeof(*tz->types));
  tz->abbrs = malloc(strlen(abbrev) + 1);
  if (!tz->types || !tz->abbrs) {
    tz_free(tz);
    return NULL;
  }
  strcpy(tz->abbrs, abbrev);
  tz->types[0].offset = offset;
  tz->types[0].abbrev = tz->abbrs;
  return tz;
}

/* "+hh:mm", "-hh:mm", "+hhmm", "+hh" as seconds east; false otherwise. */
static bool parse_fixed(const char *s, int32_t *out) {
  if (*s != '+' && *s != '-')
    return false;
  int sign = *s == '-' ? -1 : 1;
  s++;
  int h, m = 0;
  if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
    return false;
  h = (s[0] - '0') * 10 + (s[1] - '0');
  s += 2;
  if (*s == ':')
    s++;
  if (*s) {
    if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2])
      return false;
    m = (s[0] - '0') * 10 + (s[1] - '0');
  }
  if (h > 18)
    return false;
  *out = sign * (h * 3600 + m * 60);
  return true;
}

/* A zone name may only name a file below the zone directory. */
static bool name_is_safe(const char *name) {
  if (!name[0] || name[0] == '/')
    return false;
  for (const char *c = name; *c; c++) {
    bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
              (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
              *c == '+' || *c == '/' || *c == '.';
    if (!ok)
      return false;
  }
  /* No "." or ".." component. */
  for (const char *c = name; *c;) {
    const char *slash = strchr(c, '/');
    size_t len = slash ? (size_t)(slash - c) : strlen(c);
    if (len == 0 || (c[0] == '.' && (len == 1 || (len == 2 && c[1] == '.'))))
      return false;
    c += len + (slash ? 1 : 0);
    if (slash && !*c)
      return false;
  }
  return true;
}

/* Loads the zone called name, or returns NULL with why in msg. */
static sl_func_tz *load_zone(const char *name, char *msg, size_t msg_size) {
  int32_t fixed;
  sl_func_tz *tz = NULL;
  if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0 ||
      strcmp(name, "GMT") == 0 || strcmp(name, "Etc/UTC") == 0) {
    if (!(tz = fixed_zone(0, strcmp(name, "GMT") == 0 ? "GMT" : "UTC")))
      snprintf(msg, msg_size, "out of memory");
    return tz;
  }
  if (parse_fixed(name, &fixed)) {
    char abbr[16];
    int32_t a = fixed < 0 ? -fixed : fixed;
    snprintf(abbr, sizeof(abbr), "%c%02d:%02d", fixed < 0 ? '-' : '+',
             (int)(a / 3600), (int)(a / 60 % 60));
    if (!(tz = fixed_zone(fixed, abbr)))
      snprintf(msg, msg_size, "out of memory");
    return tz;
  }
  if (!name_is_safe(name)) {
    msg[0] = '\0';
    return NULL;
  }

  const char *dir = getenv("TZDIR");
  if (!dir || !dir[0])
    dir = "/usr/share/zoneinfo";
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    msg[0] = '\0';
    return NULL;
  }
  unsigned char *buf = malloc(TZ_FILE_MAX);
  if (!buf) {
    fclose(f);
    snprintf(msg, msg_size, "out of memory");
    return NULL;
  }
  size_t n = fread(buf, 1, TZ_FILE_MAX, f);
  fclose(f);
  tz = parse_tzif(buf, n, msg, msg_size);
  free(buf);
  return tz;
}

/* ------------------------------------------------------------------ */
/* The cache and lookups                                               */
/* ------------------------------------------------------------------ */

/* Looks a zone up by name (see tz.h). */
sl_status sl_func_tz_get(const char *name, size_t len,
                         const sl_func_tz **out, sl_error *err) {
  char key[TZ_NAME_MAX];
  *out = NULL;
  if (len == 0 || len >= sizeof(key) || memchr(name, '\0', len))
    return sl_error_set(err, SL_ERR_SQL, "unknown time zone \"%.*s\"",
                        len > 64 ? 64 : (int)len, name);
  memcpy(key, name, len);
  key[len] = '\0';

  pthread_mutex_lock(&cache_lock);
  for (sl_func_tz *tz = cache; tz; tz = tz->next) {
    if (strcmp(tz->name, key) == 0) {
      pthread_mutex_unlock(&cache_lock);
      *out = tz;
      return SL_OK;
    }
  }
  for (tz_missing *m = missing; m; m = m->next) {
    if (strcmp(m->name, key) == 0) {
      pthread_mutex_unlock(&cache_lock);
      return sl_error_set(err, SL_ERR_SQL, "%s", m->message);
    }
  }

  char why[128] = "";
  sl_func_tz *tz = load_zone(key, why, sizeof(why));
  if (tz) {
    tz->name = malloc(len + 1);
    if (!tz->name) {
      tz_free(tz);
      pthread_mutex_unlock(&cache_lock);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    memcpy(tz->name, key, len + 1);
    tz->next = cache;
    cache = tz;
    pthread_mutex_unlock(&cache_lock);
    *out = tz;
    return SL_OK;
  }

  if (strcmp(why, "out of memory") == 0) {
    pthread_mutex_unlock(&cache_lock);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory loading time "
                        "zone \"%s\"", key);
  }
  char message[TZ_NAME_MAX + 160];
  if (why[0])
    snprintf(message, sizeof(message), "unknown time zone \"%s\": %s", key,
             why);
  else
    snprintf(message, sizeof(message), "unknown time zone \"%s\"", key);
  if (nmissing < TZ_NEGATIVE_MAX) {
    tz_missing *m = calloc(1, sizeof(*m));
    if (m && (m->name = malloc(len + 1))) {
      memcpy(m->name, key, len + 1);
      snprintf(m->message, sizeof(m->message), "%s", message);
      m->next = missing;
      missing = m;
      nmissing++;
    } else {
      free(m);
    }
  }
  pthread_mutex_unlock(&cache_lock);
  return sl_error_set(err, SL_ERR_SQL, "%s", message);
}

/* The name the zone was looked up by. */
const char *sl_func_tz_name(const sl_func_tz *tz) { return tz->name; }

/* The local time type in force at utc_s. */
void sl_func_tz_at(const sl_func_tz *tz, int64_t utc_s,
                   sl_func_tz_info *info) {
  tz_type t;
  if (tz->ntrans == 0 || utc_s < tz->trans[0]) {
    /* Before the first transition: type 0 (RFC 8536), or the rule when
     * the file has no transitions at all. */
    if (tz->ntrans == 0 && tz->has_rule)
      rule_at(&tz->rule, utc_s, &t);
    else
      t = tz->types[0];
  } else if (utc_s >= tz->trans[tz->ntrans - 1] && tz->has_rule) {
    rule_at(&tz->rule, utc_s, &t);
  } else {
    int lo = 0, hi = tz->ntrans - 1;
    while (lo < hi) {
      int mid = lo + (hi - lo + 1) / 2;
      if (tz->trans[mid] <= utc_s)
        lo = mid;
      else
        hi = mid - 1;
    }
    t = tz->types[tz->trans_idx[lo]];
  }
  info->offset = t.offset;
  info->dst = t.dst;
  info->abbrev = t.abbrev;
}

/* The offset in force at utc_s. */
int32_t sl_func_tz_offset(const sl_func_tz *tz, int64_t utc_s) {
  sl_func_tz_info info;
  sl_func_tz_at(tz, utc_s, &info);
  return info.offset;
}

/* Wall clock to instant (see tz.h).  The offsets a day before and a day
 * after are those on either side of any change near local_s (changes are
 * months apart); each is right when it maps back to itself. */
int64_t sl_func_tz_to_utc(const sl_func_tz *tz, int64_t local_s) {
  int32_t before = sl_func_tz_offset(tz, local_s - 86400);
  int32_t after = sl_func_tz_offset(tz, local_s + 86400);
  int64_t u1 = local_s - before, u2 = local_s - after;
  if (before == after)
    return u1;
  bool ok1 = sl_func_tz_offset(tz, u1) == before;
  bool ok2 = sl_func_tz_offset(tz, u2) == after;
  if (ok1 && ok2)
    return u1 < u2 ? u1 : u2;
  if (ok2)
    return u2;
  return u1;
}

/* Frees the cache (see tz.h). */
void sl_func_tz_cache_clear(void) {
  pthread_mutex_lock(&cache_lock);
  while (cache) {
    sl_func_tz *next = cache->next;
    tz_free(cache);
    cache = next;
  }
  while (missing) {
    tz_missing *next = missing->next;
    free(missing->name);
    free(missing);
    missing = next;
  }
  nmissing = 0;
  pthread_mutex_unlock(&cache_lock);
}
