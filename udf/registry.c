/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c - function records, the signature language, and resolution.
 *
 * A registry is a sorted array of functions plus an optional parent that
 * is searched after it.  Signature texts are parsed into parameter
 * patterns once, when a function is registered; resolving a call then
 * only walks those patterns against the argument types.
 */
#include "udf/registry.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/log.h"
#include "udf/builtins.h"

struct sl_func_registry {
  const sl_func_registry *parent;
  sl_func **funcs; /* sorted by name */
  int nfuncs;
  int cap;
  bool builtin; /* holds the built-ins, which cannot be dropped */
};

/* ------------------------------------------------------------------ */
/* Names and small text helpers                                        */
/* ------------------------------------------------------------------ */

static int ascii_upper(int c) {
  return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static int ascii_lower(int c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive comparison of ASCII names (locale-independent). */
static int name_cmp(const char *a, const char *b) {
  for (;; a++, b++) {
    int ca = ascii_upper((unsigned char)*a);
    int cb = ascii_upper((unsigned char)*b);
    if (ca != cb || ca == 0)
      return ca - cb;
  }
}

static void lower_copy(const char *s, char *out, size_t size) {
  size_t n = 0;
  for (; *s && n + 1 < size; s++)
    out[n++] = (char)ascii_lower((unsigned char)*s);
  out[n] = '\0';
}

static char *dup_text(const char *s) {
  if (!s)
    return NULL;
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (copy)
    memcpy(copy, s, n);
  return copy;
}

/* A bounded text appender over a caller's buffer; output is truncated,
 * never overrun. */
typedef struct text_buf {
  char *buf;
  size_t size;
  size_t len;
} text_buf;

static void tb_add(text_buf *tb, const char *fmt, ...) SL_PRINTF(2, 3);

static void tb_add(text_buf *tb, const char *fmt, ...) {
  if (tb->len + 1 >= tb->size)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tb->buf + tb->len, tb->size - tb->len, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  tb->len += (size_t)n;
  if (tb->len >= tb->size)
    tb->len = tb->size - 1;
}

/* ------------------------------------------------------------------ */
/* Patterns                                                            */
/* ------------------------------------------------------------------ */

static void pattern_free(sl_func_pattern *p) {
  if (!p)
    return;
  pattern_free(p->elem);
  sl_type_free(p->type);
  free(p);
}

/* Frees the parts of an embedded pattern (an element of params). */
static void pattern_clear(sl_func_pattern *p) {
  pattern_free(p->elem);
  sl_type_free(p->type);
  memset(p, 0, sizeof(*p));
}

static bool pattern_has(const sl_func_pattern *p, sl_func_pattern_kind k) {
  if (!p)
    return false;
  return p->kind == k || pattern_has(p->elem, k);
}

static void pattern_format(const sl_func_pattern *p, text_buf *tb) {
  char tmp[SL_TYPE_SQL_MAX];
  switch (p->kind) {
  case SL_PAT_TYPE:
    tb_add(tb, "%s", sl_type_to_sql(p->type, tmp, sizeof(tmp)));
    break;
  case SL_PAT_ANY:
    tb_add(tb, "ANY");
    break;
  case SL_PAT_VAR:
    tb_add(tb, "T");
    break;
  case SL_PAT_NUMERIC:
    tb_add(tb, "NUMERIC");
    break;
  case SL_PAT_DECIMAL:
    tb_add(tb, "DECIMAL");
    break;
  case SL_PAT_ARRAY:
    tb_add(tb, "ARRAY<");
    pattern_format(p->elem, tb);
    tb_add(tb, ">");
    break;
  case SL_PAT_MAP:
    tb_add(tb, "MAP<VARCHAR, ");
    pattern_format(p->elem, tb);
    tb_add(tb, ">");
    break;
  }
}

/* ------------------------------------------------------------------ */
/* Return-type rules                                                   */
/* ------------------------------------------------------------------ */

static int clamp_precision(int p) {
  if (p < 1)
    return 1;
  return p > SL_DECIMAL_MAX_PRECISION ? SL_DECIMAL_MAX_PRECISION : p;
}

/* SUM of DECIMAL(p,s): DECIMAL(38,s). */
static sl_type *rule_decimal_sum(int nargs, sl_type *const *t,
                                 const sl_value *const *consts) {
  return sl_type_new_decimal(SL_DECIMAL_MAX_PRECISION, t[0]->scale);
}

/* AVG of DECIMAL(p,s): DECIMAL(38, max(s,6)). */
static sl_type *rule_decimal_avg(int nargs, sl_type *const *t,
                                 const sl_value *const *consts) {
  int s = t[0]->scale > 6 ? t[0]->scale : 6;
  return sl_type_new_decimal(SL_DECIMAL_MAX_PRECISION, s);
}

/* ROUND(DECIMAL(p,s) [, d]).  The integer part may gain a digit from the
 * carry (9.99 -> 10.0), so it has p-s+1 digits.  The scale is 0 without
 * d, d for a constant d >= 0 (as in PostgreSQL, ROUND(2.5, 3) is 2.500),
 * 0 for a constant d < 0, and s when d is not a constant (the value is
 * still rounded to d places). */
static sl_type *rule_decimal_round(int nargs, sl_type *const *t,
                                   const sl_value *const *consts) {
  int p = t[0]->precision, s = t[0]->scale;
  int digits = p - s + 1;
  if (digits > SL_DECIMAL_MAX_PRECISION)
    digits = SL_DECIMAL_MAX_PRECISION;
  int scale = 0;
  if (nargs >= 2) {
    const sl_value *d = consts ? consts[1] : NULL;
    if (d && d->kind == SL_TYPE_INT)
      scale = d->u.i32 < 0 ? 0 : d->u.i32;
    else
      scale = s;
    if (digits + scale > SL_DECIMAL_MAX_PRECISION)
      scale = SL_DECIMAL_MAX_PRECISION - digits;
  }
  return sl_type_new_decimal(clamp_precision(digits + scale), scale);
}

/* FLOOR and CEIL of DECIMAL(p,s): DECIMAL(p-s+1, 0). */
static sl_type *rule_decimal_integral(int nargs, sl_type *const *t,
                                      const sl_value *const *consts) {
  return sl_type_new_decimal(
      clamp_precision(t[0]->precision - t[0]->scale + 1), 0);
}

static const struct {
  const char *name;
  const char *display;
  sl_func_ret_rule_fn fn;
} ret_rules[] = {
  {"decimal_sum", "DECIMAL", rule_decimal_sum},
  {"decimal_avg", "DECIMAL", rule_decimal_avg},
  {"decimal_round", "DECIMAL", rule_decimal_round},
  {"decimal_integral", "DECIMAL", rule_decimal_integral},
};

/* ------------------------------------------------------------------ */
/* The signature language                                              */
/* ------------------------------------------------------------------ */

typedef struct spec_parser {
  const char *fname; /* for messages */
  const char *text;
  const char *p;
  sl_error *err;
} spec_parser;

static void sp_skip(spec_parser *sp) {
  while (*sp->p == ' ' || *sp->p == '\t' || *sp->p == '\n')
    sp->p++;
}

static sl_status sp_fail(spec_parser *sp, const char *what) {
  return sl_error_set(sp->err, SL_ERR_SQL,
                      "bad signature \"%s\" of function %s at offset %d: %s",
                      sp->text, sp->fname, (int)(sp->p - sp->text), what);
}

static bool is_word_char(int c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_';
}

/* Reads an identifier into word (upper-cased); false when there is
 * none. */
static bool sp_word(spec_parser *sp, char *word, size_t size) {
  sp_skip(sp);
  size_t n = 0;
  while (is_word_char((unsigned char)*sp->p)) {
    if (n + 1 < size)
      word[n++] = (char)ascii_upper((unsigned char)*sp->p);
    sp->p++;
  }
  word[n] = '\0';
  return n > 0;
}

static bool sp_accept(spec_parser *sp, char c) {
  sp_skip(sp);
  if (*sp->p != c)
    return false;
  sp->p++;
  return true;
}

/* Skips a balanced (...) or <...> group starting at sp->p. */
static bool sp_skip_group(spec_parser *sp) {
  int depth = 0;
  do {
    char c = *sp->p;
    if (c == '\0')
      return false;
    if (c == '(' || c == '<')
      depth++;
    else if (c == ')' || c == '>')
      depth--;
    sp->p++;
  } while (depth > 0);
  return true;
}

static sl_status sp_pattern(spec_parser *sp, bool top, sl_func_pattern *out);

/* ARRAY<...> or MAP<VARCHAR, ...> after its keyword. */
static sl_status sp_composite(spec_parser *sp, bool is_map,
                              sl_func_pattern *out) {
  char word[32];
  if (!sp_accept(sp, '<'))
    return sp_fail(sp, "expected '<'");
  if (is_map) {
    if (!sp_word(sp, word, sizeof(word)) || strcmp(word, "VARCHAR") != 0)
      return sp_fail(sp, "MAP keys are VARCHAR");
    if (!sp_accept(sp, ','))
      return sp_fail(sp, "expected ','");
  }
  sl_func_pattern *elem = calloc(1, sizeof(*elem));
  if (!elem)
    return sl_error_set(sp->err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = sp_pattern(sp, false, elem);
  if (rc == SL_OK && !sp_accept(sp, '>'))
    rc = sp_fail(sp, "expected '>'");
  if (rc != SL_OK) {
    pattern_free(elem);
    return rc;
  }

  /* A composite of a concrete element is itself concrete. */
  if (elem->kind == SL_PAT_TYPE) {
    sl_type *t = is_map ? sl_type_new_map(elem->type)
                        : sl_type_new_array(elem->type);
    elem->type = NULL;
    pattern_free(elem);
    if (!t)
      return sl_error_set(sp->err, SL_ERR_NOMEM, "out of memory");
    out->kind = SL_PAT_TYPE;
    out->type = t;
    return SL_OK;
  }
  out->kind = is_map ? SL_PAT_MAP : SL_PAT_ARRAY;
  out->elem = elem;
  return SL_OK;
}

/* One parameter or return pattern.  CONST is accepted at the top level
 * only. */
static sl_status sp_pattern(spec_parser *sp, bool top, sl_func_pattern *out) {
  char word[32];
  memset(out, 0, sizeof(*out));
  sp_skip(sp);
  const char *start = sp->p;
  if (!sp_word(sp, word, sizeof(word)))
    return sp_fail(sp, "expected a type");
  if (strcmp(word, "CONST") == 0) {
    if (!top)
      return sp_fail(sp, "CONST applies to a whole parameter");
    out->constant = true;
    sp_skip(sp);
    start = sp->p;
    if (!sp_word(sp, word, sizeof(word)))
      return sp_fail(sp, "expected a type");
  }

  if (strcmp(word, "T") == 0) {
    out->kind = SL_PAT_VAR;
    return SL_OK;
  }
  if (strcmp(word, "ANY") == 0) {
    out->kind = SL_PAT_ANY;
    return SL_OK;
  }
  if (strcmp(word, "NUMERIC") == 0) {
    out->kind = SL_PAT_NUMERIC;
    return SL_OK;
  }
  if (strcmp(word, "ARRAY") == 0 || strcmp(word, "MAP") == 0)
    return sp_composite(sp, word[0] == 'M', out);
  const char *word_end = sp->p;
  sp_skip(sp);
  bool group = *sp->p == '(' || *sp->p == '<';
  if (!group)
    sp->p = word_end;
  if (strcmp(word, "DECIMAL") == 0 && *sp->p != '(') {
    out->kind = SL_PAT_DECIMAL;
    return SL_OK;
  }

  /* A concrete type: hand its whole spelling to the type parser. */
  if (group && !sp_skip_group(sp))
    return sp_fail(sp, "unbalanced brackets");
  size_t len = (size_t)(sp->p - start);
  char *text = malloc(len + 1);
  if (!text)
    return sl_error_set(sp->err, SL_ERR_NOMEM, "out of memory");
  memcpy(text, start, len);
  text[len] = '\0';
  sl_error terr;
  sl_error_clear(&terr);
  sl_status rc = sl_type_from_sql(text, &out->type, &terr);
  free(text);
  if (rc != SL_OK) {
    sp->p = start;
    return sp_fail(sp, terr.message);
  }
  out->kind = SL_PAT_TYPE;
  return SL_OK;
}

/* Parses "(params) -> ret" into sig (whose spec the caller sets). */
static sl_status sp_signature(spec_parser *sp, sl_func_sig *sig) {
  sl_status rc;
  int cap = 0;
  bool optional = false, closed = false, expect = true;
  int depth = 0;

  if (!sp_accept(sp, '('))
    return sp_fail(sp, "expected '('");

  /* Parameters: commas between them, '[' opening the optional tail. */
  for (;;) {
    sp_skip(sp);
    char c = *sp->p;
    if (c == ')') {
      if (expect && sig->nparams > 0)
        return sp_fail(sp, "expected a parameter");
      sp->p++;
      break;
    }
    if (c == '[') {
      if (closed)
        return sp_fail(sp, "optional parameters must come last");
      if (!optional) {
        optional = true;
        sig->nrequired = sig->nparams;
      }
      depth++;
      sp->p++;
      if (sp_accept(sp, ',')) {
        if (sig->nparams == 0)
          return sp_fail(sp, "unexpected ','");
      } else if (sig->nparams > 0 && !expect) {
        return sp_fail(sp, "expected ','");
      }
      expect = true;
      continue;
    }
    if (c == ']') {
      if (depth == 0 || expect)
        return sp_fail(sp, "unexpected ']'");
      depth--;
      closed = depth == 0;
      sp->p++;
      continue;
    }
    if (c == ',') {
      if (expect || closed)
        return sp_fail(sp, closed ? "optional parameters must come last"
                                  : "unexpected ','");
      sp->p++;
      expect = true;
      continue;
    }
    if (!expect)
      return sp_fail(sp, "expected ',' or ')'");
    if (sig->variadic)
      return sp_fail(sp, "a variadic parameter must be the last");
    if (sig->nparams == cap) {
      int ncap = cap ? cap * 2 : 4;
      sl_func_pattern *np = realloc(sig->params, sizeof(*np) * (size_t)ncap);
      if (!np)
        return sl_error_set(sp->err, SL_ERR_NOMEM, "out of memory");
      sig->params = np;
      cap = ncap;
    }
    rc = sp_pattern(sp, true, &sig->params[sig->nparams]);
    if (rc != SL_OK)
      return rc;
    sig->nparams++;
    if (strncmp(sp->p, "...", 3) == 0) {
      sp->p += 3;
      sig->variadic = true;
    }
    expect = false;
  }
  if (depth != 0)
    return sp_fail(sp, "missing ']'");
  if (!optional)
    sig->nrequired = sig->nparams;

  /* The return rule. */
  sp_skip(sp);
  if (strncmp(sp->p, "->", 2) != 0)
    return sp_fail(sp, "expected '->'");
  sp->p += 2;
  sp_skip(sp);
  if (*sp->p == '$') {
    sp->p++;
    char *end;
    long n = strtol(sp->p, &end, 10);
    if (end == sp->p || n < 1 || n > sig->nparams)
      return sp_fail(sp, "expected an argument number");
    sp->p = end;
    sig->ret.kind = SL_RET_ARG;
    sig->ret.arg = (int)n - 1;
  } else if (*sp->p == '@') {
    char word[32];
    sp->p++;
    if (!sp_word(sp, word, sizeof(word)))
      return sp_fail(sp, "expected a rule name");
    for (char *w = word; *w; w++)
      *w = (char)ascii_lower((unsigned char)*w);
    size_t i;
    for (i = 0; i < sizeof(ret_rules) / sizeof(ret_rules[0]); i++)
      if (strcmp(ret_rules[i].name, word) == 0)
        break;
    if (i == sizeof(ret_rules) / sizeof(ret_rules[0]))
      return sp_fail(sp, "unknown return rule");
    sig->ret.kind = SL_RET_RULE;
    sig->ret.rule = ret_rules[i].fn;
    sig->ret.rule_name = ret_rules[i].name;
    sig->ret.display = ret_rules[i].display;
  } else {
    sl_func_pattern *ret = calloc(1, sizeof(*ret));
    if (!ret)
      return sl_error_set(sp->err, SL_ERR_NOMEM, "out of memory");
    sig->ret.kind = SL_RET_PATTERN;
    sig->ret.pattern = ret;
    rc = sp_pattern(sp, false, ret);
    if (rc != SL_OK)
      return rc;
    if (pattern_has(ret, SL_PAT_ANY) || pattern_has(ret, SL_PAT_NUMERIC) ||
        pattern_has(ret, SL_PAT_DECIMAL))
      return sp_fail(sp, "a return type must be concrete or built from T");
    if (pattern_has(ret, SL_PAT_VAR)) {
      bool uses_var = false;
      for (int i = 0; i < sig->nparams; i++)
        uses_var = uses_var || pattern_has(&sig->params[i], SL_PAT_VAR);
      if (!uses_var)
        return sp_fail(sp, "T in the return type but not in a parameter");
    }
  }
  sp_skip(sp);
  if (*sp->p != '\0')
    return sp_fail(sp, "unexpected text after the return type");
  return SL_OK;
}

static void sig_clear(sl_func_sig *sig) {
  for (int i = 0; i < sig->nparams; i++)
    pattern_clear(&sig->params[i]);
  free(sig->params);
  pattern_free(sig->ret.pattern);
  free(sig->spec);
  memset(sig, 0, sizeof(*sig));
}

static void func_free(sl_func *f) {
  if (!f)
    return;
  for (int i = 0; i < f->nsigs; i++)
    sig_clear(&f->sigs[i]);
  free(f->sigs);
  free(f->name);
  free(f->doc);
  free(f->example);
  free(f->refusal);
  free(f);
}

/* Builds a function record from its description. */
static sl_status func_from_def(const sl_func_def *def, sl_func **out,
                               sl_error *err) {
  *out = NULL;
  if (!def->name || !def->name[0])
    return sl_error_set(err, SL_ERR_SQL, "a function needs a name");
  for (const char *c = def->name; *c; c++)
    if (!is_word_char((unsigned char)*c))
      return sl_error_set(err, SL_ERR_SQL, "bad function name \"%s\"",
                          def->name);

  int nsigs = 0;
  while (nsigs < SL_FUNC_DEF_MAX_SIGS && def->sigs[nsigs].spec)
    nsigs++;
  if (nsigs == 0)
    return sl_error_set(err, SL_ERR_SQL, "function %s has no signature",
                        def->name);

  sl_func *f = calloc(1, sizeof(*f));
  if (!f)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  f->kind = def->kind;
  f->flags = def->flags;
  f->name = dup_text(def->name);
  f->doc = dup_text(def->doc ? def->doc : "");
  f->example = dup_text(def->example ? def->example : "");
  f->refusal = dup_text(def->refusal);
  f->sigs = calloc((size_t)nsigs, sizeof(*f->sigs));
  if (!f->name || !f->doc || !f->example || !f->sigs ||
      (def->refusal && !f->refusal)) {
    func_free(f);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (char *c = f->name; *c; c++)
    *c = (char)ascii_upper((unsigned char)*c);

  for (int i = 0; i < nsigs; i++) {
    const sl_func_def_sig *ds = &def->sigs[i];
    sl_func_sig *sig = &f->sigs[i];
    f->nsigs = i + 1;
    sig->scalar = ds->scalar;
    sig->prepare = ds->prepare;
    sig->agg = ds->agg;
    sig->impl_data = ds->impl_data;
    sig->spec = dup_text(ds->spec);
    if (!sig->spec) {
      func_free(f);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    spec_parser sp = {f->name, ds->spec, ds->spec, err};
    sl_status rc = sp_signature(&sp, sig);
    if (rc != SL_OK) {
      func_free(f);
      return rc;
    }
  }
  *out = f;
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

/* Writes a signature as users see it (see registry.h). */
char *sl_func_sig_format(const sl_func *func, const sl_func_sig *sig,
                         bool with_return, char *buf, size_t size) {
  text_buf tb = {buf, size, 0};
  if (size == 0)
    return buf;
  buf[0] = '\0';
  tb_add(&tb, "%s(", func->name);
  if ((func->flags & SL_FUNC_STAR) && sig->nparams == 0)
    tb_add(&tb, "*");
  for (int i = 0; i < sig->nparams; i++) {
    if (i >= sig->nrequired)
      tb_add(&tb, i == 0 ? "[" : " [, ");
    else if (i > 0)
      tb_add(&tb, ", ");
    pattern_format(&sig->params[i], &tb);
    if (sig->variadic && i == sig->nparams - 1)
      tb_add(&tb, "...");
  }
  for (int i = sig->nrequired; i < sig->nparams; i++)
    tb_add(&tb, "]");
  tb_add(&tb, ")");
  if (with_return) {
    tb_add(&tb, " -> ");
    switch (sig->ret.kind) {
    case SL_RET_PATTERN:
      pattern_format(sig->ret.pattern, &tb);
      break;
    case SL_RET_ARG:
      pattern_format(&sig->params[sig->ret.arg], &tb);
      break;
    case SL_RET_RULE:
      tb_add(&tb, "%s", sig->ret.display);
      break;
    }
  }
  return buf;
}

/* The name of a function kind. */
const char *sl_func_kind_name(sl_func_kind kind) {
  switch (kind) {
  case SL_FUNC_SCALAR: return "scalar";
  case SL_FUNC_AGGREGATE: return "aggregate";
  case SL_FUNC_WINDOW: return "window";
  case SL_FUNC_FEATURE: return "feature transform";
  case SL_FUNC_MODEL: return "model";
  }
  return "unknown";
}

/* ------------------------------------------------------------------ */
/* Registries                                                          */
/* ------------------------------------------------------------------ */

/* A new empty registry over parent. */
sl_func_registry *sl_func_registry_new(const sl_func_registry *parent) {
  sl_func_registry *reg = calloc(1, sizeof(*reg));
  if (reg)
    reg->parent = parent;
  return reg;
}

/* Frees reg and its own functions. */
void sl_func_registry_free(sl_func_registry *reg) {
  if (!reg)
    return;
  for (int i = 0; i < reg->nfuncs; i++)
    func_free(reg->funcs[i]);
  free(reg->funcs);
  free(reg);
}

/* The index of name in reg's own array, or -(insertion point) - 1. */
static int find_local(const sl_func_registry *reg, const char *name) {
  int lo = 0, hi = reg->nfuncs - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    int c = name_cmp(reg->funcs[mid]->name, name);
    if (c == 0)
      return mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -lo - 1;
}

/* The function called name in reg or a parent. */
const sl_func *sl_func_lookup(const sl_func_registry *reg, const char *name) {
  for (; reg; reg = reg->parent) {
    int i = find_local(reg, name);
    if (i >= 0)
      return reg->funcs[i];
  }
  return NULL;
}

/* Registers def in reg (see registry.h). */
sl_status sl_func_register(sl_func_registry *reg, const sl_func_def *def,
                           const sl_func **out, sl_error *err) {
  if (out)
    *out = NULL;
  if (def->name && sl_func_lookup(reg, def->name)) {
    char lower[SL_ERROR_NAME_MAX];
    lower_copy(def->name, lower, sizeof(lower));
    return sl_error_set(err, SL_ERR_SQL, "function \"%s\" already exists",
                        lower);
  }

  sl_func *f;
  sl_status rc = func_from_def(def, &f, err);
  if (rc != SL_OK)
    return rc;
  if (reg->nfuncs == reg->cap) {
    int ncap = reg->cap ? reg->cap * 2 : 64;
    sl_func **nf = realloc(reg->funcs, sizeof(*nf) * (size_t)ncap);
    if (!nf) {
      func_free(f);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    reg->funcs = nf;
    reg->cap = ncap;
  }
  int at = -find_local(reg, f->name) - 1;
  memmove(&reg->funcs[at + 1], &reg->funcs[at],
          sizeof(*reg->funcs) * (size_t)(reg->nfuncs - at));
  reg->funcs[at] = f;
  reg->nfuncs++;
  if (out)
    *out = f;
  return SL_OK;
}

/* Removes a user function (see registry.h). */
sl_status sl_func_unregister(sl_func_registry *reg, const char *name,
                             sl_error *err) {
  char lname[SL_ERROR_NAME_MAX];
  lower_copy(name, lname, sizeof(lname));
  int i = find_local(reg, name);
  if (i < 0) {
    if (sl_func_lookup(reg, name))
      return sl_error_set(err, SL_ERR_SQL,
                          "cannot drop built-in function \"%s\"", lname);
    return sl_error_set(err, SL_ERR_SQL, "unknown function \"%s\"", lname);
  }
  if (reg->builtin && !(reg->funcs[i]->flags & SL_FUNC_USER))
    return sl_error_set(err, SL_ERR_SQL,
                        "cannot drop built-in function \"%s\"", lname);
  func_free(reg->funcs[i]);
  memmove(&reg->funcs[i], &reg->funcs[i + 1],
          sizeof(*reg->funcs) * (size_t)(reg->nfuncs - i - 1));
  reg->nfuncs--;
  return SL_OK;
}

static int func_ptr_cmp(const void *a, const void *b) {
  const sl_func *fa = *(const sl_func *const *)a;
  const sl_func *fb = *(const sl_func *const *)b;
  return strcmp(fa->name, fb->name);
}

/* Every function of reg and its parents, sorted (see registry.h). */
sl_status sl_func_registry_list(const sl_func_registry *reg,
                                const sl_func ***out, int *count,
                                sl_error *err) {
  int n = 0;
  for (const sl_func_registry *r = reg; r; r = r->parent)
    n += r->nfuncs;
  const sl_func **all = malloc(sizeof(*all) * (size_t)(n ? n : 1));
  if (!all)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  int k = 0;
  for (const sl_func_registry *r = reg; r; r = r->parent)
    for (int i = 0; i < r->nfuncs; i++)
      all[k++] = r->funcs[i];
  qsort(all, (size_t)n, sizeof(*all), func_ptr_cmp);
  *out = all;
  *count = n;
  return SL_OK;
}

/* Builds a registry of every built-in (see registry.h). */
sl_func_registry *sl_func_registry_new_builtin(sl_error *err) {
  sl_func_registry *reg = sl_func_registry_new(NULL);
  if (!reg) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    return NULL;
  }
  reg->builtin = true;
  for (const sl_func_builtin_table *t = sl_func_builtin_tables; t->defs;
       t++) {
    for (int i = 0; i < *t->count; i++) {
      if (sl_func_register(reg, &t->defs[i], NULL, err) != SL_OK) {
        sl_func_registry_free(reg);
        return NULL;
      }
    }
  }
  return reg;
}

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static sl_func_registry *builtin_registry;

static void builtin_init(void) {
  sl_error err;
  sl_error_clear(&err);
  builtin_registry = sl_func_registry_new_builtin(&err);
  if (!builtin_registry)
    SL_ERROR("udf", "cannot build the built-in function registry: %s",
             err.message);
}

/* The shared built-in registry (see registry.h). */
const sl_func_registry *sl_func_registry_builtin(void) {
  pthread_once(&builtin_once, builtin_init);
  return builtin_registry;
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */
/* ------------------------------------------------------------------ */

/* Where a numeric type stands on the implicit-cast ladder. */
static int numeric_rank(sl_type_kind k) {
  switch (k) {
  case SL_TYPE_INT: return 0;
  case SL_TYPE_BIGINT: return 1;
  case SL_TYPE_DECIMAL: return 2;
  case SL_TYPE_DOUBLE: return 3;
  default: return -1;
  }
}

/* The cost of an implicit cast from -> to: 0 when equal, -1 when not
 * allowed; otherwise the steps climbed on the numeric ladder, or 1. */
static int cast_cost(const sl_type *from, const sl_type *to) {
  if (sl_type_equal(from, to))
    return 0;
  if (from->kind == SL_TYPE_NULL)
    return 1;
  if (!sl_type_implicit_cast(from, to))
    return -1;
  int rf = numeric_rank(from->kind), rt = numeric_rank(to->kind);
  if (rf >= 0 && rt > rf)
    return rt - rf;
  return 1;
}

enum { MATCH_OK = 0, MATCH_NO = 1, MATCH_NOMEM = -1 };

/* Folds the types standing at T's places in arg into *tvar. */
static int collect_var(const sl_func_pattern *p, const sl_type *arg,
                       sl_type **tvar, bool *has_var) {
  switch (p->kind) {
  case SL_PAT_VAR:
    *has_var = true;
    if (arg->kind == SL_TYPE_NULL)
      return MATCH_OK;
    if (!*tvar) {
      *tvar = sl_type_clone(arg);
      return *tvar ? MATCH_OK : MATCH_NOMEM;
    } else {
      sl_type *c = sl_type_common(*tvar, arg);
      if (!c)
        return MATCH_NO;
      sl_type_free(*tvar);
      *tvar = c;
      return MATCH_OK;
    }
  case SL_PAT_ARRAY:
  case SL_PAT_MAP: {
    sl_type_kind want = p->kind == SL_PAT_ARRAY ? SL_TYPE_ARRAY : SL_TYPE_MAP;
    if (arg->kind == SL_TYPE_NULL) {
      *has_var = *has_var || pattern_has(p, SL_PAT_VAR);
      return MATCH_OK;
    }
    if (arg->kind != want)
      return MATCH_NO;
    return collect_var(p->elem, arg->elem, tvar, has_var);
  }
  default:
    return MATCH_OK;
  }
}

/* The type a pattern stands for once T is known (ANY and the other
 * open patterns become NULL: only used for NULL arguments). */
static sl_type *instantiate(const sl_func_pattern *p, const sl_type *tvar) {
  switch (p->kind) {
  case SL_PAT_TYPE:
    return sl_type_clone(p->type);
  case SL_PAT_VAR:
    return sl_type_clone(tvar);
  case SL_PAT_ARRAY:
  case SL_PAT_MAP: {
    sl_type *e = instantiate(p->elem, tvar);
    if (!e)
      return NULL;
    return p->kind == SL_PAT_ARRAY ? sl_type_new_array(e)
                                   : sl_type_new_map(e);
  }
  case SL_PAT_DECIMAL:
    return sl_type_new_decimal(SL_DECIMAL_MAX_PRECISION, 0);
  case SL_PAT_ANY:
  case SL_PAT_NUMERIC:
    return sl_type_null();
  }
  return NULL;
}

/* The target type of an argument of type arg for pattern p, adding the
 * cast cost to *cost. */
static int target_of(const sl_func_pattern *p, const sl_type *arg,
                     const sl_type *tvar, sl_type **out, int *cost) {
  int c;
  *out = NULL;
  switch (p->kind) {
  case SL_PAT_TYPE:
    if ((c = cast_cost(arg, p->type)) < 0)
      return MATCH_NO;
    *cost += c;
    *out = sl_type_clone(p->type);
    break;
  case SL_PAT_ANY:
    *out = sl_type_clone(arg);
    break;
  case SL_PAT_VAR:
    if ((c = cast_cost(arg, tvar)) < 0)
      return MATCH_NO;
    *cost += c;
    *out = sl_type_clone(tvar);
    break;
  case SL_PAT_NUMERIC:
    if (arg->kind != SL_TYPE_NULL && !sl_type_is_numeric(arg))
      return MATCH_NO;
    *out = sl_type_clone(arg);
    break;
  case SL_PAT_DECIMAL:
    switch (arg->kind) {
    case SL_TYPE_DECIMAL:
      *out = sl_type_clone(arg);
      break;
    case SL_TYPE_INT:
      *cost += 2;
      *out = sl_type_new_decimal(10, 0);
      break;
    case SL_TYPE_BIGINT:
      *cost += 1;
      *out = sl_type_new_decimal(19, 0);
      break;
    case SL_TYPE_NULL:
      *cost += 1;
      *out = instantiate(p, tvar);
      break;
    default:
      return MATCH_NO;
    }
    break;
  case SL_PAT_ARRAY:
  case SL_PAT_MAP: {
    if (arg->kind == SL_TYPE_NULL) {
      *cost += 1;
      *out = instantiate(p, tvar);
      break;
    }
    sl_type_kind want = p->kind == SL_PAT_ARRAY ? SL_TYPE_ARRAY : SL_TYPE_MAP;
    if (arg->kind != want)
      return MATCH_NO;
    sl_type *elem;
    int rc = target_of(p->elem, arg->elem, tvar, &elem, cost);
    if (rc != MATCH_OK)
      return rc;
    *out = want == SL_TYPE_ARRAY ? sl_type_new_array(elem)
                                 : sl_type_new_map(elem);
    break;
  }
  }
  return *out ? MATCH_OK : MATCH_NOMEM;
}

static void types_free(int n, sl_type **types) {
  if (!types)
    return;
  for (int i = 0; i < n; i++)
    sl_type_free(types[i]);
  free(types);
}

/* Tries one signature.  On MATCH_OK fills *out (owning its types) and
 * *cost. */
static int match_sig(const sl_func *func, const sl_func_sig *sig, int nargs,
                     const sl_type *const *args,
                     const sl_value *const *consts, sl_func_resolved *out,
                     int *cost) {
  if (nargs < sig->nrequired || (nargs > sig->nparams && !sig->variadic))
    return MATCH_NO;

  /* Bind T to the common type of everything standing at its places. */
  sl_type *tvar = NULL;
  bool has_var = false;
  int rc = MATCH_OK;
  for (int i = 0; i < nargs && rc == MATCH_OK; i++) {
    int pi = i < sig->nparams ? i : sig->nparams - 1;
    rc = collect_var(&sig->params[pi], args[i], &tvar, &has_var);
  }
  if (rc == MATCH_OK && has_var && !tvar)
    tvar = sl_type_null();
  if (rc != MATCH_OK) {
    sl_type_free(tvar);
    return rc;
  }

  /* Target types and their cost. */
  sl_type **targets = calloc(nargs > 0 ? (size_t)nargs : 1, sizeof(*targets));
  if (!targets) {
    sl_type_free(tvar);
    return MATCH_NOMEM;
  }
  *cost = 0;
  for (int i = 0; i < nargs && rc == MATCH_OK; i++) {
    int pi = i < sig->nparams ? i : sig->nparams - 1;
    rc = target_of(&sig->params[pi], args[i], tvar, &targets[i], cost);
  }

  /* The return type. */
  sl_type *ret = NULL;
  if (rc == MATCH_OK) {
    switch (sig->ret.kind) {
    case SL_RET_PATTERN:
      ret = instantiate(sig->ret.pattern, tvar);
      break;
    case SL_RET_ARG:
      ret = sig->ret.arg < nargs ? sl_type_clone(targets[sig->ret.arg])
                                 : NULL;
      break;
    case SL_RET_RULE:
      ret = sig->ret.rule(nargs, targets, consts);
      break;
    }
    if (!ret)
      rc = MATCH_NOMEM;
  }
  sl_type_free(tvar);
  if (rc != MATCH_OK) {
    types_free(nargs, targets);
    return rc;
  }
  out->func = func;
  out->sig = sig;
  out->nargs = nargs;
  out->arg_types = targets;
  out->ret_type = ret;
  return MATCH_OK;
}

/* Releases a resolution. */
void sl_func_resolved_free(sl_func_resolved *r) {
  if (!r)
    return;
  types_free(r->nargs, r->arg_types);
  sl_type_free(r->ret_type);
  memset(r, 0, sizeof(*r));
}

/* Levenshtein distance of two short lower-case names. */
static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64)
    return 1000;
  int row[65];
  for (size_t j = 0; j <= lb; j++)
    row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int up = row[j];
      int best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

static size_t common_prefix(const char *a, const char *b) {
  size_t n = 0;
  while (a[n] && a[n] == b[n])
    n++;
  return n;
}

/* The error for a name that is no function, with the closest name when
 * one is near enough: within two edits (or a third of the name), and
 * fewer edits than the name has characters. */
static sl_status unknown_function(const sl_func_registry *reg,
                                  const char *lname, sl_error *err) {
  char best[SL_ERROR_NAME_MAX] = "";
  int best_d = 0;
  size_t best_prefix = 0;
  int len = (int)strlen(lname);
  int limit = len / 3 > 2 ? len / 3 : 2;
  const sl_func **all;
  int n;

  if (sl_func_registry_list(reg, &all, &n, NULL) == SL_OK) {
    for (int i = 0; i < n; i++) {
      char cand[SL_ERROR_NAME_MAX];
      lower_copy(all[i]->name, cand, sizeof(cand));
      int d = edit_distance(lname, cand);
      if (d > limit || d >= len)
        continue;
      size_t pre = common_prefix(lname, cand);
      if (!best[0] || d < best_d || (d == best_d && pre > best_prefix)) {
        snprintf(best, sizeof(best), "%s", cand);
        best_d = d;
        best_prefix = pre;
      }
    }
    free(all);
  }
  if (best[0])
    return sl_error_set(err, SL_ERR_SQL,
                        "unknown function \"%s\"; did you mean \"%s\"?",
                        lname, best);
  return sl_error_set(err, SL_ERR_SQL, "unknown function \"%s\"", lname);
}

/* The error for arguments no signature accepts. */
static sl_status no_signature(const sl_func *func, const char *lname,
                              int nargs, const sl_type *const *args,
                              sl_error *err) {
  char msg[SL_ERROR_MSG_MAX];
  text_buf tb = {msg, sizeof(msg), 0};
  char tmp[SL_TYPE_SQL_MAX];
  msg[0] = '\0';
  tb_add(&tb, "function %s(", lname);
  for (int i = 0; i < nargs; i++)
    tb_add(&tb, "%s%s", i ? ", " : "",
           sl_type_to_sql(args[i], tmp, sizeof(tmp)));
  tb_add(&tb, ") does not exist; %s: ",
         func->nsigs > 1 ? "candidates" : "candidate");
  for (int i = 0; i < func->nsigs; i++) {
    char sig[512];
    sl_func_sig_format(func, &func->sigs[i], false, sig, sizeof(sig));
    tb_add(&tb, "%s%s", i ? ", " : "", sig);
  }
  return sl_error_set(err, SL_ERR_SQL, "%s", msg);
}

/* Resolves a call (see registry.h). */
sl_status sl_func_resolve(const sl_func_registry *reg, const char *name,
                          int nargs, const sl_type *const *arg_types,
                          sl_func_resolved *out, sl_error *err) {
  return sl_func_resolve_consts(reg, name, nargs, arg_types, NULL, out, err);
}

/* Resolves a call knowing its constant arguments (see registry.h). */
sl_status sl_func_resolve_consts(const sl_func_registry *reg,
                                 const char *name, int nargs,
                                 const sl_type *const *arg_types,
                                 const sl_value *const *consts,
                                 sl_func_resolved *out, sl_error *err) {
  char lname[SL_ERROR_NAME_MAX];
  memset(out, 0, sizeof(*out));
  lower_copy(name, lname, sizeof(lname));

  const sl_func *func = sl_func_lookup(reg, name);
  if (!func)
    return unknown_function(reg, lname, err);
  if (func->refusal)
    return sl_error_set(err, SL_ERR_SQL, "%s", func->refusal);

  /* The cheapest matching signature; the first one on ties. */
  int best_cost = 0;
  for (int i = 0; i < func->nsigs; i++) {
    sl_func_resolved cand;
    int cost;
    memset(&cand, 0, sizeof(cand));
    int rc = match_sig(func, &func->sigs[i], nargs, arg_types, consts,
                       &cand, &cost);
    if (rc == MATCH_NOMEM) {
      sl_func_resolved_free(out);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    if (rc != MATCH_OK)
      continue;
    if (!out->func || cost < best_cost) {
      sl_func_resolved_free(out);
      *out = cand;
      best_cost = cost;
    } else {
      sl_func_resolved_free(&cand);
    }
  }
  if (!out->func)
    return no_signature(func, lname, nargs, arg_types, err);
  return SL_OK;
}
