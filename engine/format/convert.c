/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert.c - the helpers both codecs share: name hashing and lookup
 * tables, per-type plans, scratch space, error messages, and the
 * conversion of text to scalar values.
 *
 * Text conversion is strict and exact: integers are read digit by digit
 * (never through a double, so values above 2^53 stay exact), DECIMAL text
 * goes to the exact decimal parser, and a DOUBLE comes from strtod on a
 * NUL-terminated copy unless the fast exact path applies (at most 19
 * significant digits, a value below 2^53 and a power of ten up to 22,
 * where one multiplication or division of exact doubles is correctly
 * rounded).
 */
#include "engine/format/format_internal.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "engine/types/format.h"

/* ---- Names -------------------------------------------------------------- */

/* Compares ignoring ASCII case only. */
int sl_fmt_ascii_casecmp(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char x = sl_fmt_fold((unsigned char)a[i]);
    unsigned char y = sl_fmt_fold((unsigned char)b[i]);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return 0;
}

/* FNV-1a over the case-folded bytes. */
uint32_t sl_fmt_hash(const char *s, size_t len) {
  uint32_t h = SL_FMT_HASH_INIT;
  for (size_t i = 0; i < len; i++)
    h = sl_fmt_hash_step(h, (unsigned char)s[i]);
  return h;
}

static void table_insert(sl_jtable *t, int k) {
  uint32_t i = t->names[k].hash & t->mask;
  while (t->slots[i] >= 0)
    i = (i + 1) & t->mask;
  t->slots[i] = k;
}

/* Fills the table; names stay borrowed. */
bool sl_jtable_build(sl_jtable *t, int n, const char *const *names,
                     const bool *exact) {
  memset(t, 0, sizeof(*t));

  /* A quarter full at most, so that probes are short. */
  uint32_t size = 8;
  while (size < (uint32_t)n * 4)
    size *= 2;
  t->slots = malloc(size * sizeof(*t->slots));
  t->names = malloc((n ? (size_t)n : 1) * sizeof(*t->names));
  if (!t->slots || !t->names) {
    sl_jtable_free(t);
    return false;
  }
  t->mask = size - 1;
  t->n = n;
  for (uint32_t i = 0; i < size; i++)
    t->slots[i] = -1;
  for (int k = 0; k < n; k++) {
    sl_jname *e = &t->names[k];
    e->name = names[k];
    e->len = (uint32_t)strlen(names[k]);
    e->hash = sl_fmt_hash(names[k], e->len);
    e->exact = exact[k];
    e->index = k;
  }

  /* Exact names first: a probe meets them before a case-insensitive
   * name of the same hash. */
  for (int k = 0; k < n; k++)
    if (t->names[k].exact)
      table_insert(t, k);
  for (int k = 0; k < n; k++)
    if (!t->names[k].exact)
      table_insert(t, k);
  return true;
}

/* Releases the slots and entries. */
void sl_jtable_free(sl_jtable *t) {
  free(t->slots);
  free(t->names);
  memset(t, 0, sizeof(*t));
}

/* ---- Plans -------------------------------------------------------------- */

/* Builds a plan tree for type; the caller owns plan. */
bool sl_jplan_init(sl_jplan *plan, const sl_type *type,
                   const sl_time_spec *time) {
  memset(plan, 0, sizeof(*plan));
  plan->kind = type->kind;
  plan->type = type;
  if (time)
    plan->time = *time;
  else
    plan->time.kind = SL_TIME_ISO8601;

  switch (type->kind) {
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
    plan->elem = malloc(sizeof(*plan->elem));
    if (!plan->elem || !sl_jplan_init(plan->elem, type->elem, NULL))
      goto fail;
    return true;
  case SL_TYPE_STRUCT: {
    int n = type->nfields;
    plan->fields = calloc(n ? (size_t)n : 1, sizeof(*plan->fields));
    const char **names = malloc((n ? (size_t)n : 1) * sizeof(*names));
    bool *exact = calloc(n ? (size_t)n : 1, sizeof(*exact));
    bool ok = plan->fields && names && exact;
    for (int i = 0; ok && i < n; i++) {
      ok = sl_jplan_init(&plan->fields[i], type->fields[i].type, NULL);
      plan->nfields = ok ? i + 1 : i;
      names[i] = type->fields[i].name;
    }

    /* Field names differing only in case are matched exactly. */
    for (int i = 0; ok && i < n; i++) {
      size_t li = strlen(names[i]);
      for (int j = 0; j < n; j++) {
        if (j != i && strlen(names[j]) == li &&
            sl_fmt_ascii_casecmp(names[i], names[j], li) == 0)
          exact[i] = true;
      }
    }
    ok = ok && sl_jtable_build(&plan->table, n, names, exact);
    free(names);
    free(exact);
    if (!ok)
      goto fail;
    return true;
  }
  default:
    return true;
  }

fail:
  sl_jplan_clear(plan);
  return false;
}

/* Frees what sl_jplan_init allocated below plan. */
void sl_jplan_clear(sl_jplan *plan) {
  if (plan->elem) {
    sl_jplan_clear(plan->elem);
    free(plan->elem);
  }
  for (int i = 0; i < plan->nfields; i++)
    sl_jplan_clear(&plan->fields[i]);
  free(plan->fields);
  sl_jtable_free(&plan->table);
  memset(plan, 0, sizeof(*plan));
}

/* ---- Scratch ------------------------------------------------------------ */

/* Starts with no buffers; they grow on first use. */
void sl_jwork_init(sl_jwork *w) {
  memset(w, 0, sizeof(*w));
}

/* Releases the buffers. */
void sl_jwork_free(sl_jwork *w) {
  free(w->buf);
  free(w->tmp);
  free(w->stack);
  memset(w, 0, sizeof(*w));
}

/* Grows buf by doubling. */
bool sl_jwork_reserve(sl_jwork *w, size_t extra) {
  if (w->cap - w->len > extra)
    return true;
  size_t cap = w->cap ? w->cap : 256;
  while (cap - w->len <= extra) {
    if (cap > SIZE_MAX / 2)
      return false;
    cap *= 2;
  }
  char *buf = realloc(w->buf, cap);
  if (!buf)
    return false;
  w->buf = buf;
  w->cap = cap;
  return true;
}

/* Grows the conversion buffer by doubling. */
char *sl_jwork_tmp(sl_jwork *w, size_t size) {
  if (size <= w->tcap)
    return w->tmp;
  size_t cap = w->tcap ? w->tcap : 64;
  while (cap < size) {
    if (cap > SIZE_MAX / 2)
      return NULL;
    cap *= 2;
  }
  char *tmp = realloc(w->tmp, cap);
  if (!tmp)
    return NULL;
  w->tmp = tmp;
  w->tcap = cap;
  return tmp;
}

/* Doubles the item stack. */
bool sl_jwork_grow_stack(sl_jwork *w) {
  size_t cap = w->scap ? w->scap * 2 : 64;
  sl_value *stack = realloc(w->stack, cap * sizeof(*stack));
  if (!stack)
    return false;
  w->stack = stack;
  w->scap = cap;
  return true;
}

/* ---- Messages ----------------------------------------------------------- */

/* Quotes input text for a message. */
char *sl_fmt_quote(char *buf, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  char *o = buf;
  *o++ = '"';
  size_t shown = 0;
  while (p < end && shown < SL_FMT_QUOTE_MAX) {
    unsigned char c = *p;
    int n = c >= 0x80 ? sl_fmt_utf8_len(p, end) : 1;
    if (n > 1) {
      memcpy(o, p, (size_t)n);
      o += n;
      p += n;
      shown += (size_t)n;
      continue;
    }
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20 || c >= 0x7f) {
      *o++ = '\\';
      *o++ = 'x';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    } else {
      *o++ = (char)c;
    }
    p++;
    shown++;
  }
  *o++ = '"';
  if (p < end) {
    memcpy(o, "...", 3);
    o += 3;
  }
  *o = '\0';
  return buf;
}

/* Fills err with a record error. */
sl_status sl_fmt_fail(sl_error *err, const sl_record_msg *msg,
                      const char *reason, const char *fmt, ...) {
  if (!err)
    return SL_ERR_RECORD;
  char text[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (msg)
    return sl_error_set_record(err, msg->topic, msg->partition, msg->offset,
                               reason, "%s", text);
  sl_error_set(err, SL_ERR_RECORD, "%s", text);
  snprintf(err->reason, sizeof(err->reason), "%s", reason);
  return SL_ERR_RECORD;
}

/* The SQL spelling of a type. */
const char *sl_fmt_type_name(const sl_type *type, char *buf) {
  return sl_type_to_sql(type, buf, SL_FMT_TYPE_BUF);
}

/* Names a non-default timestamp_format. */
const char *sl_fmt_time_hint(const sl_time_spec *time, char *buf) {
  switch (time->kind) {
  case SL_TIME_EPOCH_MS:
    return " (timestamp_format 'epoch_ms')";
  case SL_TIME_EPOCH_S:
    return " (timestamp_format 'epoch_s')";
  case SL_TIME_PATTERN:
    snprintf(buf, 96, " (timestamp_format '%.60s')", time->pattern);
    return buf;
  default:
    return "";
  }
}

/* ---- Numbers ------------------------------------------------------------ */

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* Reads number text; false when it is not a decimal number. */
static bool read_number_text(const char *s, size_t len, sl_fmt_num *n) {
  memset(n, 0, sizeof(*n));
  size_t i = 0;
  if (i < len && (s[i] == '+' || s[i] == '-'))
    n->neg = s[i++] == '-';

  int digits = 0;
  for (; i < len && is_digit(s[i]); i++, digits++) {
    if (n->mant == 0 && s[i] == '0')
      continue; /* leading zeros carry nothing */
    n->int_dig++;
    if (n->ndig < 19) {
      n->mant = n->mant * 10 + (uint64_t)(s[i] - '0');
      n->ndig++;
    } else {
      n->big = true;
    }
  }
  if (i < len && s[i] == '.') {
    n->has_point = true;
    for (i++; i < len && is_digit(s[i]); i++, digits++) {
      if (n->ndig < 19) {
        n->mant = n->mant * 10 + (uint64_t)(s[i] - '0');
        if (n->mant)
          n->ndig++;
        n->frac++;
      } else if (s[i] != '0') {
        n->big = true;
      }
    }
  }
  if (digits == 0)
    return false;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    n->has_exp = true;
    bool eneg = false;
    i++;
    if (i < len && (s[i] == '+' || s[i] == '-'))
      eneg = s[i++] == '-';
    if (i >= len || !is_digit(s[i]))
      return false;
    for (; i < len && is_digit(s[i]); i++) {
      if (n->exp < 100000)
        n->exp = n->exp * 10 + (s[i] - '0');
    }
    if (eneg)
      n->exp = -n->exp;
  }
  return i == len;
}

/* Reads exact integer text. */
sl_fmt_conv sl_fmt_parse_int(const char *s, size_t len, int64_t min,
                             int64_t max, int64_t *out) {
  sl_fmt_num n;
  if (!read_number_text(s, len, &n))
    return SL_FMT_CONV_BAD;

  /* Plain integers: every digit is in mant unless there are too many. */
  if (!n.has_point && !n.has_exp) {
    uint64_t limit = (uint64_t)INT64_MAX + (n.neg ? 1 : 0);
    if (n.big || n.mant > limit)
      return SL_FMT_CONV_RANGE;
    int64_t v = n.neg && n.mant ? -(int64_t)(n.mant - 1) - 1
                                : (int64_t)n.mant;
    if (v < min || v > max)
      return SL_FMT_CONV_RANGE;
    *out = v;
    return SL_FMT_CONV_OK;
  }

  /* A fraction or exponent: exact through the decimal parser, and only
   * an integral value is an integer. */
  sl_int128 v;
  int scale;
  if (sl_decimal_parse_natural(s, len, &v, &scale, NULL)) {
    /* More than 38 digits: a value that large is out of range, a long
     * fraction is not an integer. */
    return n.int_dig + n.exp > 18 ? SL_FMT_CONV_RANGE : SL_FMT_CONV_BAD;
  }
  sl_decimal_normalize(&v, &scale);
  if (scale > 0)
    return SL_FMT_CONV_BAD;
  if (v < (sl_int128)min || v > (sl_int128)max)
    return SL_FMT_CONV_RANGE;
  *out = (int64_t)v;
  return SL_FMT_CONV_OK;
}

static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* One exact operation, when the digits allow it. */
bool sl_fmt_num_fast_double(const sl_fmt_num *n, double *out) {
  if (n->big || n->mant > (UINT64_C(1) << 53))
    return false;
  int64_t e = n->exp - n->frac;
  double d = (double)n->mant;
  if (n->mant == 0)
    d = 0.0;
  else if (e >= 0 && e <= 22)
    d *= pow10_exact[e];
  else if (e < 0 && e >= -22)
    d /= pow10_exact[-e];
  else
    return false;
  *out = n->neg ? -d : d;
  return true;
}

/* Reads number text as a correctly rounded double. */
sl_fmt_conv sl_fmt_parse_double(const char *s, size_t len, sl_jwork *work,
                                double *out) {
  static const struct {
    const char *text;
    double value;
  } words[] = {{"NaN", NAN}, {"Infinity", INFINITY},
               {"-Infinity", -INFINITY}, {"+Infinity", INFINITY}};
  for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    if (strlen(words[i].text) == len && memcmp(words[i].text, s, len) == 0) {
      *out = words[i].value;
      return SL_FMT_CONV_OK;
    }
  }

  sl_fmt_num n;
  if (!read_number_text(s, len, &n))
    return SL_FMT_CONV_BAD;
  if (sl_fmt_num_fast_double(&n, out))
    return SL_FMT_CONV_OK;

  /* strtod needs a NUL-terminated copy, and reads the locale's decimal
   * point, which a program may have changed with setlocale. */
  char *copy = sl_jwork_tmp(work, len + 1);
  if (!copy)
    return SL_FMT_CONV_NOMEM;
  memcpy(copy, s, len);
  copy[len] = '\0';
  const char *point = localeconv()->decimal_point;
  if (point && point[0] != '.' && point[0] && !point[1]) {
    char *dot = memchr(copy, '.', len);
    if (dot)
      *dot = point[0];
  }
  errno = 0;
  char *endp;
  double d = strtod(copy, &endp);
  if (endp != copy + len)
    return SL_FMT_CONV_BAD;
  if (isinf(d))
    return SL_FMT_CONV_RANGE;
  *out = d;
  return SL_FMT_CONV_OK;
}

/* ---- Scalars from text -------------------------------------------------- */

static void trim_blanks(const char **s, size_t *len) {
  while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
    (*s)++;
    (*len)--;
  }
  while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
    (*len)--;
}

static sl_fmt_conv text_decimal(const sl_jplan *plan, const char *s,
                                size_t len, sl_value *out) {
  sl_fmt_num n;
  if (!read_number_text(s, len, &n))
    return SL_FMT_CONV_BAD;
  sl_error e;
  sl_int128 v;
  if (sl_decimal_parse(s, len, plan->type->precision, plan->type->scale, &v,
                       &e))
    return strcmp(e.reason, "overflow") == 0 ? SL_FMT_CONV_RANGE
                                             : SL_FMT_CONV_BAD;
  *out = sl_value_decimal(v, plan->type->scale);
  return SL_FMT_CONV_OK;
}

static sl_fmt_conv text_bytes(const char *s, size_t len, bool store,
                              sl_arena *arena, sl_jwork *work,
                              sl_value *out) {
  size_t cap = len / 4 * 3 + 3;
  void *dst;
  if (store) {
    dst = sl_arena_alloc(arena, cap);
  } else {
    dst = sl_jwork_tmp(work, cap);
  }
  if (!dst)
    return SL_FMT_CONV_NOMEM;
  size_t n;
  if (!sl_format_base64_decode(s, len, dst, &n))
    return SL_FMT_CONV_BAD;
  *out = sl_value_bytes(dst, n);
  return SL_FMT_CONV_OK;
}

static sl_fmt_conv text_interval(const char *s, size_t len, sl_arena *arena,
                                 sl_value *out) {
  int64_t ms;
  sl_fmt_conv rc = sl_fmt_parse_int(s, len, INT64_MIN, INT64_MAX, &ms);
  if (rc == SL_FMT_CONV_OK) {
    *out = sl_value_interval(ms);
    return rc;
  }
  if (rc == SL_FMT_CONV_RANGE)
    return rc;
  sl_value text = sl_value_varchar(s, len);
  sl_error e;
  if (sl_value_cast(arena, &text, sl_type_interval(), out, &e))
    return e.code == SL_ERR_NOMEM ? SL_FMT_CONV_NOMEM : SL_FMT_CONV_BAD;
  return SL_FMT_CONV_OK;
}

/* Converts text to a scalar by the shared text rules. */
sl_fmt_conv sl_fmt_text_value(const sl_jplan *plan, const char *s,
                              size_t len, bool store, sl_arena *arena,
                              sl_jwork *work, sl_value *out) {
  sl_value tmp;
  sl_value *v = store ? out : &tmp;
  sl_fmt_conv rc = SL_FMT_CONV_OK;
  int64_t i64;
  int32_t days;

  switch (plan->kind) {
  case SL_TYPE_BOOLEAN:
    if (len == 4 && sl_fmt_ascii_casecmp(s, "true", 4) == 0)
      *v = sl_fmt_bool(true);
    else if (len == 5 && sl_fmt_ascii_casecmp(s, "false", 5) == 0)
      *v = sl_fmt_bool(false);
    else
      rc = SL_FMT_CONV_BAD;
    break;
  case SL_TYPE_INT:
    rc = sl_fmt_parse_int(s, len, INT32_MIN, INT32_MAX, &i64);
    if (rc == SL_FMT_CONV_OK)
      *v = sl_fmt_i32(SL_TYPE_INT, (int32_t)i64);
    break;
  case SL_TYPE_BIGINT:
    rc = sl_fmt_parse_int(s, len, INT64_MIN, INT64_MAX, &i64);
    if (rc == SL_FMT_CONV_OK)
      *v = sl_fmt_i64(SL_TYPE_BIGINT, i64);
    break;
  case SL_TYPE_DOUBLE: {
    double d;
    rc = sl_fmt_parse_double(s, len, work, &d);
    if (rc == SL_FMT_CONV_OK)
      *v = sl_fmt_f64(d);
    break;
  }
  case SL_TYPE_DECIMAL:
    rc = text_decimal(plan, s, len, v);
    break;
  case SL_TYPE_DATE:
    trim_blanks(&s, &len);
    if (sl_time_parse_date(s, len, &days, NULL))
      rc = SL_FMT_CONV_BAD;
    else
      *v = sl_fmt_i32(SL_TYPE_DATE, days);
    break;
  case SL_TYPE_TIMESTAMP: {
    sl_error e;
    if (sl_time_parse(&plan->time, s, len, &i64, &e))
      rc = strcmp(e.reason, "overflow") == 0 ? SL_FMT_CONV_RANGE
                                             : SL_FMT_CONV_BAD;
    else
      *v = sl_fmt_i64(SL_TYPE_TIMESTAMP, i64);
    break;
  }
  case SL_TYPE_INTERVAL:
    trim_blanks(&s, &len);
    rc = text_interval(s, len, arena, v);
    break;
  case SL_TYPE_BYTES:
    rc = text_bytes(s, len, store, arena, work, v);
    break;
  default:
    rc = SL_FMT_CONV_BAD;
    break;
  }
  return rc;
}
