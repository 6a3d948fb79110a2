/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.c - SQL type descriptors: singletons, heap types, equality, the
 * SQL spelling in both directions, implicit casts and common types.
 *
 * Types are small trees.  Scalars without parameters are static
 * singletons; everything else is malloc'd and owned by whoever holds the
 * pointer.  Parsing reads the spelling the catalog stores, so it accepts
 * exactly what sl_type_to_sql writes plus the usual aliases.
 */
#include "engine/types/types.h"

#include "engine/types/types_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Singletons                                                          */
/* ------------------------------------------------------------------ */

#define TYPE_SINGLETON(name, k) \
  static sl_type name = {.kind = (k), .is_static = true}

TYPE_SINGLETON(type_null, SL_TYPE_NULL);
TYPE_SINGLETON(type_boolean, SL_TYPE_BOOLEAN);
TYPE_SINGLETON(type_int, SL_TYPE_INT);
TYPE_SINGLETON(type_bigint, SL_TYPE_BIGINT);
TYPE_SINGLETON(type_double, SL_TYPE_DOUBLE);
TYPE_SINGLETON(type_varchar, SL_TYPE_VARCHAR);
TYPE_SINGLETON(type_bytes, SL_TYPE_BYTES);
TYPE_SINGLETON(type_date, SL_TYPE_DATE);
TYPE_SINGLETON(type_timestamp, SL_TYPE_TIMESTAMP);
TYPE_SINGLETON(type_interval, SL_TYPE_INTERVAL);

sl_type *sl_type_null(void) { return &type_null; }
sl_type *sl_type_boolean(void) { return &type_boolean; }
sl_type *sl_type_int(void) { return &type_int; }
sl_type *sl_type_bigint(void) { return &type_bigint; }
sl_type *sl_type_double(void) { return &type_double; }
sl_type *sl_type_varchar(void) { return &type_varchar; }
sl_type *sl_type_bytes(void) { return &type_bytes; }
sl_type *sl_type_date(void) { return &type_date; }
sl_type *sl_type_timestamp(void) { return &type_timestamp; }
sl_type *sl_type_interval(void) { return &type_interval; }

/* Returns the singleton for kind, or NULL for DECIMAL and composites. */
sl_type *sl_type_of_kind(sl_type_kind kind) {
  switch (kind) {
  case SL_TYPE_NULL: return &type_null;
  case SL_TYPE_BOOLEAN: return &type_boolean;
  case SL_TYPE_INT: return &type_int;
  case SL_TYPE_BIGINT: return &type_bigint;
  case SL_TYPE_DOUBLE: return &type_double;
  case SL_TYPE_VARCHAR: return &type_varchar;
  case SL_TYPE_BYTES: return &type_bytes;
  case SL_TYPE_DATE: return &type_date;
  case SL_TYPE_TIMESTAMP: return &type_timestamp;
  case SL_TYPE_INTERVAL: return &type_interval;
  case SL_TYPE_DECIMAL:
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT:
    break;
  }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Heap types                                                          */
/* ------------------------------------------------------------------ */

static sl_type *type_alloc(sl_type_kind kind) {
  sl_type *t = calloc(1, sizeof(*t));
  if (t)
    t->kind = kind;
  return t;
}

/* A DECIMAL(precision, scale); NULL when out of range or memory. */
sl_type *sl_type_new_decimal(int precision, int scale) {
  if (precision < 1 || precision > SL_DECIMAL_MAX_PRECISION || scale < 0 ||
      scale > precision)
    return NULL;
  sl_type *t = type_alloc(SL_TYPE_DECIMAL);
  if (!t)
    return NULL;
  t->precision = precision;
  t->scale = scale;
  return t;
}

/* ARRAY<elem>; takes elem, freeing it on failure. */
sl_type *sl_type_new_array(sl_type *elem) {
  if (!elem)
    return NULL;
  sl_type *t = type_alloc(SL_TYPE_ARRAY);
  if (!t) {
    sl_type_free(elem);
    return NULL;
  }
  t->elem = elem;
  return t;
}

/* MAP<VARCHAR, value>; takes value, freeing it on failure. */
sl_type *sl_type_new_map(sl_type *value) {
  if (!value)
    return NULL;
  sl_type *t = type_alloc(SL_TYPE_MAP);
  if (!t) {
    sl_type_free(value);
    return NULL;
  }
  t->elem = value;
  return t;
}

static void fields_free(int nfields, sl_type_field *fields) {
  for (int i = 0; i < nfields; i++) {
    free(fields[i].name);
    sl_type_free(fields[i].type);
  }
}

/* STRUCT<fields...>; takes the names and types, copies the array. */
sl_type *sl_type_new_struct(int nfields, sl_type_field *fields) {
  bool ok = nfields > 0 && fields;
  for (int i = 0; ok && i < nfields; i++)
    ok = fields[i].name && fields[i].type;

  sl_type *t = ok ? type_alloc(SL_TYPE_STRUCT) : NULL;
  sl_type_field *copy =
      t ? malloc((size_t)nfields * sizeof(*copy)) : NULL;
  if (!copy) {
    free(t);
    if (fields && nfields > 0)
      fields_free(nfields, fields);
    return NULL;
  }
  memcpy(copy, fields, (size_t)nfields * sizeof(*copy));
  t->nfields = nfields;
  t->fields = copy;
  return t;
}

/* A deep copy of type (singletons are returned as they are); NULL when
 * out of memory. */
sl_type *sl_type_clone(const sl_type *type) {
  if (!type)
    return NULL;
  if (type->is_static)
    return (sl_type *)type;

  switch (type->kind) {
  case SL_TYPE_DECIMAL:
    return sl_type_new_decimal(type->precision, type->scale);
  case SL_TYPE_ARRAY:
    return sl_type_new_array(sl_type_clone(type->elem));
  case SL_TYPE_MAP:
    return sl_type_new_map(sl_type_clone(type->elem));
  case SL_TYPE_STRUCT: {
    sl_type_field *f = calloc((size_t)type->nfields, sizeof(*f));
    if (!f)
      return NULL;
    for (int i = 0; i < type->nfields; i++) {
      f[i].name = malloc(strlen(type->fields[i].name) + 1);
      f[i].type = sl_type_clone(type->fields[i].type);
      if (!f[i].name || !f[i].type) {
        fields_free(i + 1, f);
        free(f);
        return NULL;
      }
      strcpy(f[i].name, type->fields[i].name);
    }
    sl_type *t = sl_type_new_struct(type->nfields, f);
    free(f);
    return t;
  }
  default:
    /* A heap copy of a parameterless kind stays a heap copy. */
    return type_alloc(type->kind);
  }
}

/* Frees a heap type and everything it owns; ignores singletons and NULL. */
void sl_type_free(sl_type *type) {
  if (!type || type->is_static)
    return;
  sl_type_free(type->elem);
  if (type->fields) {
    fields_free(type->nfields, type->fields);
    free(type->fields);
  }
  free(type);
}

/* Structural equality; struct field names compare exactly. */
bool sl_type_equal(const sl_type *a, const sl_type *b) {
  if (a == b)
    return true;
  if (!a || !b || a->kind != b->kind)
    return false;

  switch (a->kind) {
  case SL_TYPE_DECIMAL:
    return a->precision == b->precision && a->scale == b->scale;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
    return sl_type_equal(a->elem, b->elem);
  case SL_TYPE_STRUCT:
    if (a->nfields != b->nfields)
      return false;
    for (int i = 0; i < a->nfields; i++) {
      if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
          !sl_type_equal(a->fields[i].type, b->fields[i].type))
        return false;
    }
    return true;
  default:
    return true;
  }
}

/* ------------------------------------------------------------------ */
/* SQL spelling                                                        */
/* ------------------------------------------------------------------ */

/* The upper-case name of a kind. */
const char *sl_type_kind_name(sl_type_kind kind) {
  switch (kind) {
  case SL_TYPE_NULL: return "NULL";
  case SL_TYPE_BOOLEAN: return "BOOLEAN";
  case SL_TYPE_INT: return "INT";
  case SL_TYPE_BIGINT: return "BIGINT";
  case SL_TYPE_DOUBLE: return "DOUBLE";
  case SL_TYPE_DECIMAL: return "DECIMAL";
  case SL_TYPE_VARCHAR: return "VARCHAR";
  case SL_TYPE_BYTES: return "BYTES";
  case SL_TYPE_DATE: return "DATE";
  case SL_TYPE_TIMESTAMP: return "TIMESTAMP";
  case SL_TYPE_INTERVAL: return "INTERVAL";
  case SL_TYPE_ARRAY: return "ARRAY";
  case SL_TYPE_MAP: return "MAP";
  case SL_TYPE_STRUCT: return "STRUCT";
  }
  return "UNKNOWN";
}

/* A bounded writer: keeps going after the buffer fills so the caller
 * gets a truncated but terminated string. */
typedef struct sql_out {
  char *buf;
  size_t size;
  size_t len;
} sql_out;

static void out_str(sql_out *o, const char *s) {
  for (; *s; s++) {
    if (o->len + 1 < o->size)
      o->buf[o->len] = *s;
    o->len++;
  }
  if (o->size)
    o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

static bool plain_identifier(const char *s) {
  if (!(isalpha((unsigned char)*s) || *s == '_'))
    return false;
  for (; *s; s++) {
    if (!(isalnum((unsigned char)*s) || *s == '_'))
      return false;
  }
  return true;
}

static void out_name(sql_out *o, const char *name) {
  if (plain_identifier(name)) {
    out_str(o, name);
    return;
  }
  out_str(o, "\"");
  for (const char *p = name; *p; p++) {
    char c[2] = {*p, '\0'};
    out_str(o, *p == '"' ? "\"\"" : c);
  }
  out_str(o, "\"");
}

static void out_type(sql_out *o, const sl_type *t) {
  char num[32];
  switch (t->kind) {
  case SL_TYPE_DECIMAL:
    snprintf(num, sizeof(num), "DECIMAL(%d,%d)", t->precision, t->scale);
    out_str(o, num);
    break;
  case SL_TYPE_ARRAY:
    out_str(o, "ARRAY<");
    out_type(o, t->elem);
    out_str(o, ">");
    break;
  case SL_TYPE_MAP:
    out_str(o, "MAP<VARCHAR, ");
    out_type(o, t->elem);
    out_str(o, ">");
    break;
  case SL_TYPE_STRUCT:
    out_str(o, "STRUCT<");
    for (int i = 0; i < t->nfields; i++) {
      if (i)
        out_str(o, ", ");
      out_name(o, t->fields[i].name);
      out_str(o, " ");
      out_type(o, t->fields[i].type);
    }
    out_str(o, ">");
    break;
  default:
    out_str(o, sl_type_kind_name(t->kind));
    break;
  }
}

/* Writes the SQL spelling of type into buf (truncated to size). */
char *sl_type_to_sql(const sl_type *type, char *buf, size_t size) {
  sql_out o = {buf, size, 0};
  if (size)
    buf[0] = '\0';
  if (type)
    out_type(&o, type);
  return buf;
}

/* The parser for type spellings: a cursor over the text and the text
 * itself for error messages. */
typedef struct type_parser {
  const char *text;
  const char *p;
  sl_error *err;
  int depth;
} type_parser;

#define TYPE_MAX_DEPTH 64

static void skip_space(type_parser *tp) {
  while (isspace((unsigned char)*tp->p))
    tp->p++;
}

static sl_status parse_fail(type_parser *tp, const char *expected) {
  const char *at = tp->p;
  if (*at)
    return sl_error_set(tp->err, SL_ERR_SQL,
                        "invalid type \"%s\": expected %s at \"%.32s\"",
                        tp->text, expected, at);
  return sl_error_set(tp->err, SL_ERR_SQL,
                      "invalid type \"%s\": expected %s at end of text",
                      tp->text, expected);
}

static bool accept(type_parser *tp, char c) {
  skip_space(tp);
  if (*tp->p != c)
    return false;
  tp->p++;
  return true;
}

/* Reads a word of letters, digits and underscores into word. */
static size_t read_word(type_parser *tp, char *word, size_t size) {
  skip_space(tp);
  size_t n = 0;
  while (isalnum((unsigned char)tp->p[n]) || tp->p[n] == '_')
    n++;
  if (n == 0 || n >= size)
    return 0;
  memcpy(word, tp->p, n);
  word[n] = '\0';
  tp->p += n;
  return n;
}

static bool word_is(const char *word, const char *name) {
  for (; *word && *name; word++, name++) {
    if (toupper((unsigned char)*word) != *name)
      return false;
  }
  return *word == '\0' && *name == '\0';
}

static sl_status read_int(type_parser *tp, int *out) {
  skip_space(tp);
  if (!isdigit((unsigned char)*tp->p))
    return parse_fail(tp, "a number");
  long v = 0;
  while (isdigit((unsigned char)*tp->p)) {
    if (v < 1000)
      v = v * 10 + (*tp->p - '0');
    tp->p++;
  }
  *out = (int)v;
  return SL_OK;
}

static sl_status parse_type(type_parser *tp, sl_type **out);

static sl_status parse_decimal(type_parser *tp, sl_type **out) {
  int precision = 0;
  int scale = 0;
  if (!accept(tp, '('))
    return sl_error_set(tp->err, SL_ERR_SQL,
                        "invalid type \"%s\": DECIMAL needs a precision, "
                        "as in DECIMAL(p,s)", tp->text);
  if (read_int(tp, &precision))
    return SL_ERR_SQL;
  if (accept(tp, ',') && read_int(tp, &scale))
    return SL_ERR_SQL;
  if (!accept(tp, ')'))
    return parse_fail(tp, "')'");
  if (precision < 1 || precision > SL_DECIMAL_MAX_PRECISION)
    return sl_error_set(tp->err, SL_ERR_SQL,
                        "invalid type \"%s\": DECIMAL precision %d is out "
                        "of range 1..%d", tp->text, precision,
                        SL_DECIMAL_MAX_PRECISION);
  if (scale > precision)
    return sl_error_set(tp->err, SL_ERR_SQL,
                        "invalid type \"%s\": DECIMAL scale %d is larger "
                        "than its precision %d", tp->text, scale,
                        precision);
  *out = sl_type_new_decimal(precision, scale);
  return *out ? SL_OK : sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");
}

/* Parses "<T>" after ARRAY or MAP's "<VARCHAR," into an element type. */
static sl_status parse_elem(type_parser *tp, sl_type **elem) {
  if (parse_type(tp, elem))
    return SL_ERR_SQL;
  if (!accept(tp, '>')) {
    sl_type_free(*elem);
    *elem = NULL;
    return parse_fail(tp, "'>'");
  }
  return SL_OK;
}

/* A field name: a plain word or a double-quoted name with "" escapes.
 * Returns a malloc'd name or NULL after setting the error. */
static char *parse_field_name(type_parser *tp) {
  skip_space(tp);
  if (*tp->p != '"') {
    char word[256];
    size_t n = read_word(tp, word, sizeof(word));
    if (n == 0) {
      parse_fail(tp, "a field name");
      return NULL;
    }
    char *name = malloc(n + 1);
    if (!name)
      sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");
    else
      memcpy(name, word, n + 1);
    return name;
  }

  const char *start = ++tp->p;
  size_t n = 0;
  for (const char *q = start;; q++) {
    if (*q == '\0') {
      tp->p = q;
      parse_fail(tp, "a closing '\"'");
      return NULL;
    }
    if (*q == '"') {
      if (q[1] != '"')
        break;
      q++;
    }
    n++;
  }
  char *name = malloc(n + 1);
  if (!name) {
    sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");
    return NULL;
  }
  size_t i = 0;
  const char *q = start;
  while (i < n) {
    if (*q == '"')
      q++;
    name[i++] = *q++;
  }
  name[n] = '\0';
  tp->p = q + 1;
  if (n == 0) {
    free(name);
    tp->p = start - 1;
    parse_fail(tp, "a non-empty field name");
    return NULL;
  }
  return name;
}

static sl_status parse_struct(type_parser *tp, sl_type **out) {
  if (!accept(tp, '<'))
    return parse_fail(tp, "'<' after STRUCT");

  int n = 0;
  int cap = 0;
  sl_type_field *fields = NULL;
  sl_status rc = SL_OK;
  do {
    if (n == cap) {
      int ncap = cap ? cap * 2 : 4;
      sl_type_field *nf = realloc(fields, (size_t)ncap * sizeof(*nf));
      if (!nf) {
        rc = sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");
        goto fail;
      }
      fields = nf;
      cap = ncap;
    }
    char *name = parse_field_name(tp);
    if (!name) {
      rc = SL_ERR_SQL;
      goto fail;
    }
    for (int i = 0; i < n; i++) {
      if (strcmp(fields[i].name, name) == 0) {
        rc = sl_error_set(tp->err, SL_ERR_SQL,
                          "invalid type \"%s\": duplicate field \"%s\"",
                          tp->text, name);
        free(name);
        goto fail;
      }
    }
    sl_type *ft = NULL;
    if (parse_type(tp, &ft)) {
      free(name);
      rc = SL_ERR_SQL;
      goto fail;
    }
    fields[n].name = name;
    fields[n].type = ft;
    n++;
  } while (accept(tp, ','));

  if (!accept(tp, '>')) {
    rc = parse_fail(tp, "',' or '>'");
    goto fail;
  }
  *out = sl_type_new_struct(n, fields);
  free(fields);
  return *out ? SL_OK : sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");

fail:
  fields_free(n, fields);
  free(fields);
  return rc;
}

static sl_status parse_type(type_parser *tp, sl_type **out) {
  char word[32];
  *out = NULL;
  const char *start = (skip_space(tp), tp->p);
  if (read_word(tp, word, sizeof(word)) == 0)
    return parse_fail(tp, "a type name");
  if (++tp->depth > TYPE_MAX_DEPTH)
    return sl_error_set(tp->err, SL_ERR_SQL,
                        "invalid type \"%s\": nested too deeply", tp->text);

  sl_status rc = SL_OK;
  static const struct {
    const char *name;
    sl_type_kind kind;
  } scalars[] = {
      {"BOOLEAN", SL_TYPE_BOOLEAN},   {"INT", SL_TYPE_INT},
      {"INTEGER", SL_TYPE_INT},       {"BIGINT", SL_TYPE_BIGINT},
      {"DOUBLE", SL_TYPE_DOUBLE},     {"FLOAT", SL_TYPE_DOUBLE},
      {"VARCHAR", SL_TYPE_VARCHAR},   {"STRING", SL_TYPE_VARCHAR},
      {"TEXT", SL_TYPE_VARCHAR},      {"BYTES", SL_TYPE_BYTES},
      {"DATE", SL_TYPE_DATE},         {"TIMESTAMP", SL_TYPE_TIMESTAMP},
      {"INTERVAL", SL_TYPE_INTERVAL}, {"NULL", SL_TYPE_NULL},
  };
  for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
    if (word_is(word, scalars[i].name)) {
      *out = sl_type_of_kind(scalars[i].kind);
      goto done;
    }
  }

  if (word_is(word, "DECIMAL") || word_is(word, "NUMERIC")) {
    rc = parse_decimal(tp, out);
  } else if (word_is(word, "ARRAY")) {
    sl_type *elem = NULL;
    if (!accept(tp, '<'))
      rc = parse_fail(tp, "'<' after ARRAY");
    else if (!(rc = parse_elem(tp, &elem)) && !(*out = sl_type_new_array(elem)))
      rc = sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");
  } else if (word_is(word, "MAP")) {
    sl_type *key = NULL;
    sl_type *value = NULL;
    if (!accept(tp, '<')) {
      rc = parse_fail(tp, "'<' after MAP");
    } else if (!(rc = parse_type(tp, &key))) {
      bool is_varchar = key->kind == SL_TYPE_VARCHAR;
      sl_type_free(key);
      if (!is_varchar)
        rc = sl_error_set(tp->err, SL_ERR_SQL,
                          "invalid type \"%s\": MAP keys must be VARCHAR",
                          tp->text);
      else if (!accept(tp, ','))
        rc = parse_fail(tp, "','");
      else if (!(rc = parse_elem(tp, &value)) &&
               !(*out = sl_type_new_map(value)))
        rc = sl_error_set(tp->err, SL_ERR_NOMEM, "out of memory");
    }
  } else if (word_is(word, "STRUCT")) {
    rc = parse_struct(tp, out);
  } else {
    rc = sl_error_set(tp->err, SL_ERR_SQL,
                      "unknown type \"%s\" in \"%s\"; expected BOOLEAN, "
                      "INT, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR, BYTES, "
                      "DATE, TIMESTAMP, INTERVAL, ARRAY<T>, MAP<VARCHAR,T> "
                      "or STRUCT<...>", word, tp->text);
    tp->p = start;
  }

done:
  tp->depth--;
  return rc;
}

/* Parses a type spelling into a new type. */
sl_status sl_type_from_sql(const char *text, sl_type **out, sl_error *err) {
  type_parser tp = {text, text, err, 0};
  *out = NULL;

  sl_type *t = NULL;
  if (parse_type(&tp, &t))
    return err ? err->code : SL_ERR_SQL;
  skip_space(&tp);
  if (*tp.p) {
    sl_type_free(t);
    return parse_fail(&tp, "end of type");
  }
  *out = t;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Classification, implicit casts, common types                       */
/* ------------------------------------------------------------------ */

/* True for INT, BIGINT, DOUBLE and DECIMAL. */
bool sl_type_is_numeric(const sl_type *type) {
  switch (type->kind) {
  case SL_TYPE_INT:
  case SL_TYPE_BIGINT:
  case SL_TYPE_DOUBLE:
  case SL_TYPE_DECIMAL:
    return true;
  default:
    return false;
  }
}

/* True for INT and BIGINT. */
bool sl_type_is_integer(const sl_type *type) {
  return type->kind == SL_TYPE_INT || type->kind == SL_TYPE_BIGINT;
}

/* Precision and scale of an exact numeric seen as a DECIMAL. */
static bool exact_digits(const sl_type *t, int *precision, int *scale) {
  switch (t->kind) {
  case SL_TYPE_INT:
    *precision = 10;
    *scale = 0;
    return true;
  case SL_TYPE_BIGINT:
    *precision = 19;
    *scale = 0;
    return true;
  case SL_TYPE_DECIMAL:
    *precision = t->precision;
    *scale = t->scale;
    return true;
  default:
    return false;
  }
}

/* True when from converts to to without loss. */
bool sl_type_implicit_cast(const sl_type *from, const sl_type *to) {
  if (sl_type_equal(from, to) || from->kind == SL_TYPE_NULL)
    return true;

  int fp, fs;
  switch (to->kind) {
  case SL_TYPE_BIGINT:
    return from->kind == SL_TYPE_INT;
  case SL_TYPE_DECIMAL:
    if (!exact_digits(from, &fp, &fs))
      return false;
    return to->scale >= fs && to->precision - to->scale >= fp - fs;
  case SL_TYPE_DOUBLE:
    return sl_type_is_numeric(from);
  case SL_TYPE_TIMESTAMP:
    return from->kind == SL_TYPE_DATE;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
    return from->kind == to->kind &&
           sl_type_implicit_cast(from->elem, to->elem);
  case SL_TYPE_STRUCT:
    if (from->kind != SL_TYPE_STRUCT || from->nfields != to->nfields)
      return false;
    for (int i = 0; i < to->nfields; i++) {
      if (strcmp(from->fields[i].name, to->fields[i].name) != 0 ||
          !sl_type_implicit_cast(from->fields[i].type, to->fields[i].type))
        return false;
    }
    return true;
  default:
    return false;
  }
}

/* The DECIMAL holding both exact numerics, bounded at precision 38. */
static sl_type *common_decimal(const sl_type *a, const sl_type *b) {
  int ap, as, bp, bs;
  exact_digits(a, &ap, &as);
  exact_digits(b, &bp, &bs);
  int scale = as > bs ? as : bs;
  int digits = ap - as > bp - bs ? ap - as : bp - bs;
  if (digits + scale > SL_DECIMAL_MAX_PRECISION) {
    /* Integer digits win over scale, but keep at least 6 fractional
     * digits (or all of them when there are fewer). */
    int keep = SL_DECIMAL_MAX_PRECISION - digits;
    int floor_scale = scale < 6 ? scale : 6;
    scale = keep > floor_scale ? keep : floor_scale;
    digits = SL_DECIMAL_MAX_PRECISION - scale;
  }
  return sl_type_new_decimal(digits + scale, scale);
}

/* The common type of a and b (see types.h). */
sl_type *sl_type_common(const sl_type *a, const sl_type *b) {
  if (a->kind == SL_TYPE_NULL)
    return sl_type_clone(b);
  if (b->kind == SL_TYPE_NULL || sl_type_equal(a, b))
    return sl_type_clone(a);

  if (sl_type_is_numeric(a) && sl_type_is_numeric(b)) {
    if (a->kind == SL_TYPE_DOUBLE || b->kind == SL_TYPE_DOUBLE)
      return sl_type_double();
    if (sl_type_is_integer(a) && sl_type_is_integer(b))
      return sl_type_bigint();
    return common_decimal(a, b);
  }

  if ((a->kind == SL_TYPE_DATE && b->kind == SL_TYPE_TIMESTAMP) ||
      (a->kind == SL_TYPE_TIMESTAMP && b->kind == SL_TYPE_DATE))
    return sl_type_timestamp();

  if (a->kind != b->kind)
    return NULL;
  switch (a->kind) {
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP: {
    sl_type *elem = sl_type_common(a->elem, b->elem);
    if (!elem)
      return NULL;
    return a->kind == SL_TYPE_ARRAY ? sl_type_new_array(elem)
                                    : sl_type_new_map(elem);
  }
  case SL_TYPE_STRUCT: {
    if (a->nfields != b->nfields)
      return NULL;
    sl_type_field *f = calloc((size_t)a->nfields, sizeof(*f));
    if (!f)
      return NULL;
    for (int i = 0; i < a->nfields; i++) {
      if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
          !(f[i].type = sl_type_common(a->fields[i].type,
                                       b->fields[i].type)) ||
          !(f[i].name = malloc(strlen(a->fields[i].name) + 1))) {
        fields_free(i + 1, f);
        free(f);
        return NULL;
      }
      strcpy(f[i].name, a->fields[i].name);
    }
    sl_type *t = sl_type_new_struct(a->nfields, f);
    free(f);
    return t;
  }
  default:
    return NULL;
  }
}

/* ------------------------------------------------------------------ */
/* Error helpers shared by the module (types_internal.h)              */
/* ------------------------------------------------------------------ */

/* Sets a record error with reason and no location. */
sl_status sl_types_fail(sl_error *err, const char *reason, const char *fmt,
                        ...) {
  if (!err)
    return SL_ERR_RECORD;
  sl_error_clear(err);
  err->code = SL_ERR_RECORD;
  snprintf(err->reason, sizeof(err->reason), "%s", reason);

  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  va_end(ap);
  return SL_ERR_RECORD;
}

/* Quotes input text for an error message, cut to a readable length. */
char *sl_types_quote(char *buf, const char *s, size_t len) {
  size_t n = len > SL_TYPES_QUOTE_MAX ? SL_TYPES_QUOTE_MAX : len;
  size_t o = 0;
  buf[o++] = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
  }
  if (n < len) {
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o++] = '"';
  buf[o] = '\0';
  return buf;
}
