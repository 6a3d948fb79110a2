/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind_options.c - WITH (...) options and SET properties.
 *
 * Each statement kind takes its own set of options, each with a value type
 * (string, integer, boolean, number, interval) and for some a fixed list
 * of choices.  An option outside the set, a value of the wrong type, a
 * choice not in the list, or an option given twice is an error at the
 * option that names what was expected.  The defaults of the conventions
 * (format json, errors dlq, dlq_topic <topic>.dlq, ...) are added by the
 * statement binders in bind.c, which know the names they derive from.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/time.h"
#include "parser/bind_internal.h"

enum {
  OPT_POSITIVE = 1u << 0,    /* integer or number > 0 */
  OPT_NONNEGATIVE = 1u << 1, /* >= 0 */
  OPT_CHAR = 1u << 2,        /* a string of exactly one character */
  OPT_FRACTION = 1u << 3,    /* a number in [0, 1) */
  OPT_UNIT = 1u << 4,        /* a number in (0, 1] */
  OPT_TIME_FORMAT = 1u << 5, /* iso8601, epoch_ms, epoch_s or strftime */
  OPT_FORMAT = 1u << 6       /* the choices are formats */
};

typedef struct option_def {
  const char *name;
  sl_option_type type;
  const char *const *choices; /* NULL-terminated, or NULL for any */
  unsigned flags;
} option_def;

static const char *const formats[] = {"json", "csv", NULL};
static const char *const policies[] = {"fail", "skip", "dlq", NULL};
static const char *const load_policies[] = {"fail", "skip", NULL};
static const char *const starts[] = {"earliest", "latest", NULL};
static const char *const key_formats[] = {"string", "json", NULL};
static const char *const tree_methods[] = {"auto", "exact", "approx", "hist",
                                           NULL};

#define OPT_END {NULL, SL_OPTION_STRING, NULL, 0}

static const option_def stream_options[] = {
    {"topic", SL_OPTION_STRING, NULL, 0},
    {"format", SL_OPTION_STRING, formats, OPT_FORMAT},
    {"key", SL_OPTION_STRING, NULL, 0},
    {"key_format", SL_OPTION_STRING, key_formats, 0},
    {"partitions", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"replicas", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"timestamp", SL_OPTION_STRING, NULL, 0},
    {"timestamp_format", SL_OPTION_STRING, NULL, OPT_TIME_FORMAT},
    {"errors", SL_OPTION_STRING, policies, 0},
    {"dlq_topic", SL_OPTION_STRING, NULL, 0},
    {"start", SL_OPTION_STRING, starts, 0},
    {"idle_timeout", SL_OPTION_INTERVAL, NULL, OPT_POSITIVE},
    {"delimiter", SL_OPTION_STRING, NULL, OPT_CHAR},
    OPT_END};

static const option_def stream_as_options[] = {
    {"topic", SL_OPTION_STRING, NULL, 0},
    {"format", SL_OPTION_STRING, formats, OPT_FORMAT},
    {"key", SL_OPTION_STRING, NULL, 0},
    {"key_format", SL_OPTION_STRING, key_formats, 0},
    {"partitions", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"replicas", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"timestamp", SL_OPTION_STRING, NULL, 0},
    {"errors", SL_OPTION_STRING, policies, 0},
    {"dlq_topic", SL_OPTION_STRING, NULL, 0},
    {"delimiter", SL_OPTION_STRING, NULL, OPT_CHAR},
    {"prediction_log", SL_OPTION_BOOLEAN, NULL, 0},
    OPT_END};

static const option_def table_options[] = {
    {"topic", SL_OPTION_STRING, NULL, 0},
    {"format", SL_OPTION_STRING, formats, OPT_FORMAT},
    {"versioned", SL_OPTION_BOOLEAN, NULL, 0},
    {"partitions", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"replicas", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"timestamp", SL_OPTION_STRING, NULL, 0},
    {"timestamp_format", SL_OPTION_STRING, NULL, OPT_TIME_FORMAT},
    {"errors", SL_OPTION_STRING, policies, 0},
    {"dlq_topic", SL_OPTION_STRING, NULL, 0},
    {"start", SL_OPTION_STRING, starts, 0},
    {"delimiter", SL_OPTION_STRING, NULL, OPT_CHAR},
    OPT_END};

static const option_def table_as_options[] = {
    {"topic", SL_OPTION_STRING, NULL, 0},
    {"format", SL_OPTION_STRING, formats, OPT_FORMAT},
    {"partitions", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"replicas", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"delimiter", SL_OPTION_STRING, NULL, OPT_CHAR},
    {"prediction_log", SL_OPTION_BOOLEAN, NULL, 0},
    OPT_END};

static const option_def training_set_options[] = {
    {"depersonalize", SL_OPTION_STRING, NULL, 0},
    {"prediction_log", SL_OPTION_BOOLEAN, NULL, 0},
    OPT_END};

static const option_def load_options[] = {
    {"header", SL_OPTION_BOOLEAN, NULL, 0},
    {"delimiter", SL_OPTION_STRING, NULL, OPT_CHAR},
    {"null", SL_OPTION_STRING, NULL, 0},
    {"errors", SL_OPTION_STRING, load_policies, 0},
    OPT_END};

static const option_def xgboost_options[] = {
    {"rounds", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"max_depth", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"eta", SL_OPTION_NUMBER, NULL, OPT_POSITIVE},
    {"subsample", SL_OPTION_NUMBER, NULL, OPT_UNIT},
    {"colsample_bytree", SL_OPTION_NUMBER, NULL, OPT_UNIT},
    {"min_child_weight", SL_OPTION_NUMBER, NULL, OPT_NONNEGATIVE},
    {"gamma", SL_OPTION_NUMBER, NULL, OPT_NONNEGATIVE},
    {"lambda", SL_OPTION_NUMBER, NULL, OPT_NONNEGATIVE},
    {"alpha", SL_OPTION_NUMBER, NULL, OPT_NONNEGATIVE},
    {"scale_pos_weight", SL_OPTION_NUMBER, NULL, OPT_POSITIVE},
    {"max_delta_step", SL_OPTION_NUMBER, NULL, OPT_NONNEGATIVE},
    {"seed", SL_OPTION_INTEGER, NULL, OPT_NONNEGATIVE},
    {"nthread", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"tree_method", SL_OPTION_STRING, tree_methods, 0},
    {"holdout", SL_OPTION_NUMBER, NULL, OPT_FRACTION},
    OPT_END};

static const option_def linear_options[] = {
    {"lambda", SL_OPTION_NUMBER, NULL, OPT_NONNEGATIVE},
    {"iterations", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    {"learning_rate", SL_OPTION_NUMBER, NULL, OPT_POSITIVE},
    {"seed", SL_OPTION_INTEGER, NULL, OPT_NONNEGATIVE},
    {"holdout", SL_OPTION_NUMBER, NULL, OPT_FRACTION},
    OPT_END};

static const option_def model_file_options[] = {
    {"nthread", SL_OPTION_INTEGER, NULL, OPT_POSITIVE},
    OPT_END};

static const option_def *option_set(bind_option_set set) {
  switch (set) {
  case BIND_OPTS_STREAM: return stream_options;
  case BIND_OPTS_STREAM_AS: return stream_as_options;
  case BIND_OPTS_TABLE: return table_options;
  case BIND_OPTS_TABLE_AS: return table_as_options;
  case BIND_OPTS_TRAINING_SET: return training_set_options;
  case BIND_OPTS_LOAD: return load_options;
  case BIND_OPTS_MODEL_XGBOOST: return xgboost_options;
  case BIND_OPTS_MODEL_LINEAR: return linear_options;
  case BIND_OPTS_MODEL_FILE: return model_file_options;
  }
  return stream_options;
}

static const char *type_expected(sl_option_type t) {
  switch (t) {
  case SL_OPTION_STRING: return "a string in single quotes";
  case SL_OPTION_INTEGER: return "an integer";
  case SL_OPTION_BOOLEAN: return "true or false";
  case SL_OPTION_NUMBER: return "a number";
  case SL_OPTION_INTERVAL:
    return "an interval such as INTERVAL '10' SECOND";
  }
  return "a value";
}

/* How a value was written, for messages. */
static const char *describe_value(sl_binder *b, const sl_ast_expr *v) {
  bool neg = false;
  if (v->kind == SL_AST_UNARY && v->u.unary.op == SL_AST_NEG) {
    neg = true;
    v = v->u.unary.operand;
  }
  if (v->kind == SL_AST_COLUMN)
    return bind_printf(b, "%s%s", neg ? "-" : "",
                       v->u.column.parts.items[0].text);
  if (v->kind != SL_AST_LITERAL)
    return "an expression";
  const sl_ast_literal *l = &v->u.literal;
  switch (l->kind) {
  case SL_AST_LIT_STRING:
    return bind_printf(b, "'%s'", l->text);
  case SL_AST_LIT_BOOLEAN:
    return l->boolean ? "true" : "false";
  case SL_AST_LIT_NULL:
    return "NULL";
  case SL_AST_LIT_INTERVAL:
    return "an interval";
  case SL_AST_LIT_TIMESTAMP:
    return bind_printf(b, "TIMESTAMP '%s'", l->text);
  case SL_AST_LIT_DATE:
    return bind_printf(b, "DATE '%s'", l->text);
  default:
    return bind_printf(b, "%s%s", neg ? "-" : "", l->text);
  }
}

static sl_status option_type_error(sl_binder *b, const sl_ast_option *o,
                                   const option_def *def, const char *what) {
  return bind_fail(b, o->value->pos, "option \"%s\" expects %s, got %s",
                   def->name, what ? what : type_expected(def->type),
                   describe_value(b, o->value));
}

static const char *choice_list(sl_binder *b, const char *const *choices,
                               bool quoted) {
  sl_strbuf sb = SL_STRBUF_INIT;
  for (int i = 0; choices[i]; i++)
    sl_strbuf_appendf(&sb, "%s%s%s%s", i ? ", " : "", quoted ? "'" : "",
                      choices[i], quoted ? "'" : "");
  const char *r = bind_strdup(b, sb.data ? sb.data : "");
  sl_strbuf_free(&sb);
  return r ? r : "";
}

/* Reads the value of o as def's type into *out. */
static sl_status option_value(sl_binder *b, const sl_ast_option *o,
                              const option_def *def, sl_bound_option *out) {
  const sl_ast_expr *v = o->value;
  bool neg = false;
  if (v->kind == SL_AST_UNARY && v->u.unary.op == SL_AST_NEG) {
    neg = true;
    v = v->u.unary.operand;
  }
  const sl_ast_literal *l = v->kind == SL_AST_LITERAL ? &v->u.literal : NULL;
  char buf[64];

  switch (def->type) {
  case SL_OPTION_STRING:
    if (!l || l->kind != SL_AST_LIT_STRING || neg)
      return option_type_error(b, o, def, NULL);
    out->text = bind_strdup(b, l->text);
    break;
  case SL_OPTION_INTEGER:
    if (!l || l->kind != SL_AST_LIT_INTEGER || !l->fits_int64)
      return option_type_error(b, o, def, NULL);
    out->number = neg ? -l->integer : l->integer;
    out->real = (double)out->number;
    snprintf(buf, sizeof(buf), "%lld", (long long)out->number);
    out->text = bind_strdup(b, buf);
    break;
  case SL_OPTION_BOOLEAN:
    if (l && l->kind == SL_AST_LIT_BOOLEAN && !neg) {
      out->number = l->boolean;
    } else if (l && l->kind == SL_AST_LIT_STRING && !neg &&
               (strcmp(l->text, "true") == 0 ||
                strcmp(l->text, "false") == 0)) {
      out->number = strcmp(l->text, "true") == 0;
    } else {
      return option_type_error(b, o, def, NULL);
    }
    out->text = out->number ? "true" : "false";
    break;
  case SL_OPTION_NUMBER:
    if (!l || (l->kind != SL_AST_LIT_INTEGER &&
               l->kind != SL_AST_LIT_DECIMAL &&
               l->kind != SL_AST_LIT_DOUBLE))
      return option_type_error(b, o, def, NULL);
    out->real = l->kind == SL_AST_LIT_INTEGER ? (double)l->integer : l->dbl;
    if (l->kind == SL_AST_LIT_DECIMAL || !l->fits_int64)
      out->real = strtod(l->text, NULL);
    if (neg)
      out->real = -out->real;
    out->text = bind_printf(b, "%s%s", neg ? "-" : "", l->text);
    break;
  case SL_OPTION_INTERVAL:
    if (!l || l->kind != SL_AST_LIT_INTERVAL)
      return option_type_error(b, o, def, NULL);
    out->number = neg ? -l->interval_ms : l->interval_ms;
    snprintf(buf, sizeof(buf), "%lld", (long long)out->number);
    out->text = bind_strdup(b, buf);
    break;
  }
  if (!out->text)
    return bind_nomem(b);

  /* Ranges and shapes. */
  bool numeric = def->type == SL_OPTION_INTEGER ||
                 def->type == SL_OPTION_NUMBER ||
                 def->type == SL_OPTION_INTERVAL;
  double x = def->type == SL_OPTION_NUMBER ? out->real : (double)out->number;
  if (numeric && (def->flags & OPT_POSITIVE) && !(x > 0))
    return option_type_error(b, o, def,
                             def->type == SL_OPTION_INTEGER
                                 ? "a positive integer"
                                 : def->type == SL_OPTION_INTERVAL
                                       ? "a positive interval"
                                       : "a positive number");
  if (numeric && (def->flags & OPT_NONNEGATIVE) && x < 0)
    return option_type_error(b, o, def, "a number of at least 0");
  if ((def->flags & OPT_FRACTION) && !(x >= 0 && x < 1))
    return option_type_error(b, o, def, "a fraction from 0 up to 1");
  if ((def->flags & OPT_UNIT) && !(x > 0 && x <= 1))
    return option_type_error(b, o, def, "a fraction above 0, at most 1");
  if ((def->flags & OPT_CHAR) && strlen(out->text) != 1)
    return option_type_error(b, o, def, "one character");
  if (def->flags & OPT_TIME_FORMAT) {
    sl_time_spec spec;
    sl_error terr;
    sl_error_clear(&terr);
    if (sl_time_spec_parse(out->text, &spec, &terr))
      return bind_fail(b, o->value->pos,
                       "option \"timestamp_format\" expects iso8601, "
                       "epoch_ms, epoch_s or a strftime pattern: %s",
                       terr.message);
  }
  if (def->choices) {
    bool ok = false;
    for (int i = 0; def->choices[i] && !ok; i++)
      ok = strcmp(def->choices[i], out->text) == 0;
    if (!ok && (def->flags & OPT_FORMAT))
      return bind_fail(b, o->value->pos, "unknown format \"%s\"; valid "
                       "formats: %s", out->text,
                       choice_list(b, def->choices, false));
    if (!ok)
      return bind_fail(b, o->value->pos,
                       "option \"%s\" expects one of %s, got '%s'",
                       def->name, choice_list(b, def->choices, true),
                       out->text);
  }
  return SL_OK;
}

const sl_ast_option *bind_find_ast_option(const sl_ast_options *opts,
                                          const char *name) {
  for (int i = 0; i < opts->n; i++)
    if (strcmp(opts->items[i]->name.text, name) == 0)
      return opts->items[i];
  return NULL;
}

static sl_status add_option(sl_binder *b, const sl_bound_option *opt) {
  sl_bound_stmt *st = b->stmt;
  int cap = st->noptions;
  sl_bound_option *items = st->options;
  /* The array is rebuilt on each append: options are few. */
  sl_status rc = bind_grow(b, (void **)&items, &cap, st->noptions + 1,
                           sizeof(*items));
  if (rc)
    return rc;
  items[st->noptions++] = *opt;
  st->options = items;
  return SL_OK;
}

sl_status bind_options(sl_binder *b, bind_option_set set,
                       const sl_ast_options *opts, const char *what) {
  const option_def *defs = option_set(set);
  for (int i = 0; i < opts->n; i++) {
    const sl_ast_option *o = opts->items[i];
    const option_def *def = NULL;
    for (int k = 0; defs[k].name && !def; k++)
      if (strcmp(defs[k].name, o->name.text) == 0)
        def = &defs[k];
    if (!def) {
      sl_strbuf sb = SL_STRBUF_INIT;
      for (int k = 0; defs[k].name; k++)
        sl_strbuf_appendf(&sb, "%s%s", k ? ", " : "", defs[k].name);
      sl_status rc = bind_fail(b, o->name.pos, "unknown option \"%s\" for "
                               "%s; valid options: %s", o->name.text, what,
                               sb.data ? sb.data : "");
      sl_strbuf_free(&sb);
      return rc;
    }
    for (int j = 0; j < i; j++)
      if (strcmp(opts->items[j]->name.text, o->name.text) == 0)
        return bind_fail(b, o->name.pos, "option \"%s\" is given twice",
                         o->name.text);

    sl_bound_option bo;
    memset(&bo, 0, sizeof(bo));
    bo.name = def->name;
    bo.type = def->type;
    bo.pos = bind_srcpos(o->name.pos);
    sl_status rc = option_value(b, o, def, &bo);
    if (rc)
      return rc;
    rc = add_option(b, &bo);
    if (rc)
      return rc;
  }
  return SL_OK;
}

sl_status bind_default_option(sl_binder *b, const char *name,
                              sl_option_type type, const char *text,
                              int64_t number) {
  if (sl_bound_option_get(b->stmt, name))
    return SL_OK;
  sl_bound_option bo;
  memset(&bo, 0, sizeof(bo));
  bo.name = name;
  bo.type = type;
  bo.text = bind_strdup(b, text);
  bo.number = number;
  bo.real = (double)number;
  bo.defaulted = true;
  bo.pos = b->stmt->pos;
  if (!bo.text)
    return bind_nomem(b);
  return add_option(b, &bo);
}

/* ------------------------------------------------------------------ */
/* SET properties                                                      */
/* ------------------------------------------------------------------ */

/* A duration: milliseconds, or a number and a unit (ms, s, m, h, d, or
 * the words, singular or plural), blanks allowed between. */
bool sl_parse_duration_ms(const char *s, int64_t *ms) {
  static const struct {
    const char *unit;
    int64_t ms;
  } units[] = {{"", 1},
               {"ms", 1},          {"millisecond", 1},   {"milliseconds", 1},
               {"s", 1000},        {"second", 1000},     {"seconds", 1000},
               {"m", 60000},       {"min", 60000},       {"minute", 60000},
               {"minutes", 60000}, {"h", 3600000},       {"hour", 3600000},
               {"hours", 3600000}, {"d", 86400000},      {"day", 86400000},
               {"days", 86400000}};
  char *end;
  while (isspace((unsigned char)*s))
    s++;
  if (!isdigit((unsigned char)*s))
    return false;
  long long n = strtoll(s, &end, 10);
  while (isspace((unsigned char)*end))
    end++;
  char unit[16];
  size_t len = 0;
  while (isalpha((unsigned char)end[len]) && len + 1 < sizeof(unit)) {
    unit[len] = (char)tolower((unsigned char)end[len]);
    len++;
  }
  unit[len] = '\0';
  const char *rest = end + len;
  while (isspace((unsigned char)*rest))
    rest++;
  if (*rest)
    return false;
  for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (strcmp(unit, units[i].unit) == 0) {
      *ms = (int64_t)n * units[i].ms;
      return true;
    }
  }
  return false;
}

static const char *const known_properties =
    "auto.offset.reset, checkpoint.interval, idle.timeout, max.task.idle, "
    "prediction.log, sluice.threads, kafka.*";

sl_status bind_property(sl_binder *b, const char *property,
                        sl_ast_pos property_pos, const char *value,
                        sl_ast_pos value_pos) {
  int64_t ms;
  if (strncmp(property, "kafka.", 6) == 0 && property[6])
    return SL_OK;

  if (strcmp(property, "auto.offset.reset") == 0) {
    if (value && strcmp(value, "earliest") != 0 &&
        strcmp(value, "latest") != 0)
      return bind_fail(b, value_pos, "property \"auto.offset.reset\" "
                       "expects 'earliest' or 'latest', got '%s'", value);
  } else if (strcmp(property, "checkpoint.interval") == 0 ||
             strcmp(property, "idle.timeout") == 0 ||
             strcmp(property, "max.task.idle") == 0) {
    if (value && (!sl_parse_duration_ms(value, &ms) || ms <= 0))
      return bind_fail(b, value_pos, "property \"%s\" expects a duration "
                       "such as '1 s' or '500 ms', got '%s'", property,
                       value);
  } else if (strcmp(property, "prediction.log") == 0) {
    if (value && strcmp(value, "on") != 0 && strcmp(value, "off") != 0 &&
        strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
      return bind_fail(b, value_pos, "property \"prediction.log\" expects "
                       "'on' or 'off', got '%s'", value);
  } else if (strcmp(property, "sluice.threads") == 0) {
    char *end;
    long long n = value ? strtoll(value, &end, 10) : 1;
    if (value && (*value == '\0' || *end || n <= 0 || n > 1024))
      return bind_fail(b, value_pos, "property \"sluice.threads\" expects "
                       "a positive integer, got '%s'", value);
  } else {
    return bind_fail(b, property_pos, "unknown property \"%s\"; valid "
                     "properties: %s", property, known_properties);
  }
  return SL_OK;
}
