/* SPDX-License-Identifier: Apache-2.0 */
/*
 * params.c - the key/value parameter list of a training statement, and
 * the checked number readers the trainers share.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/model/model_internal.h"
#include "engine/types/format.h"

void sl_model_params_init(sl_model_params *p) {
  p->n = 0;
  p->cap = 0;
  p->items = NULL;
}

static char *dup_lower(const char *s) {
  size_t n = strlen(s);
  char *d = malloc(n + 1);
  if (!d)
    return NULL;
  for (size_t i = 0; i < n; i++)
    d[i] = (char)tolower((unsigned char)s[i]);
  d[n] = '\0';
  return d;
}

sl_status sl_model_params_set(sl_model_params *p, const char *key,
                              const char *value, sl_error *err) {
  char *v = strdup(value);
  if (!v)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for parameters");

  for (int i = 0; i < p->n; i++) {
    if (strcasecmp(p->items[i].key, key) == 0) {
      free(p->items[i].value);
      p->items[i].value = v;
      return SL_OK;
    }
  }

  if (p->n == p->cap) {
    int cap = p->cap ? p->cap * 2 : 8;
    sl_model_param *items = realloc(p->items, (size_t)cap * sizeof(*items));
    if (!items) {
      free(v);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory for parameters");
    }
    p->items = items;
    p->cap = cap;
  }
  char *k = dup_lower(key);
  if (!k) {
    free(v);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for parameters");
  }
  p->items[p->n].key = k;
  p->items[p->n].value = v;
  p->n++;
  return SL_OK;
}

const char *sl_model_params_get(const sl_model_params *p, const char *key) {
  if (!p)
    return NULL;
  for (int i = 0; i < p->n; i++)
    if (strcasecmp(p->items[i].key, key) == 0)
      return p->items[i].value;
  return NULL;
}

sl_status sl_model_params_copy(sl_model_params *dst,
                               const sl_model_params *src, sl_error *err) {
  sl_model_params tmp;
  sl_model_params_init(&tmp);
  for (int i = 0; src && i < src->n; i++) {
    sl_status rc = sl_model_params_set(&tmp, src->items[i].key,
                                       src->items[i].value, err);
    if (rc) {
      sl_model_params_free(&tmp);
      return rc;
    }
  }
  sl_model_params_free(dst);
  *dst = tmp;
  return SL_OK;
}

/* True when s reads completely as a finite number in JSON's syntax. */
static bool json_number_text(const char *s) {
  const char *p = s;
  if (*p == '-')
    p++;
  if (!isdigit((unsigned char)*p))
    return false;
  if (*p == '0' && isdigit((unsigned char)p[1]))
    return false;
  while (isdigit((unsigned char)*p))
    p++;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p))
      return false;
    while (isdigit((unsigned char)*p))
      p++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    if (!isdigit((unsigned char)*p))
      return false;
    while (isdigit((unsigned char)*p))
      p++;
  }
  return *p == '\0' && isfinite(strtod(s, NULL));
}

sl_status sl_model_params_json(const sl_model_params *p, sl_strbuf *out) {
  sl_strbuf_appendc(out, '{');
  for (int i = 0; p && i < p->n; i++) {
    if (i)
      sl_strbuf_appendc(out, ',');
    const char *k = p->items[i].key, *v = p->items[i].value;
    sl_format_json_string(out, k, strlen(k));
    sl_strbuf_appendc(out, ':');
    if (json_number_text(v))
      sl_strbuf_appends(out, v);
    else
      sl_format_json_string(out, v, strlen(v));
  }
  sl_strbuf_appendc(out, '}');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

void sl_model_params_free(sl_model_params *p) {
  for (int i = 0; i < p->n; i++) {
    free(p->items[i].key);
    free(p->items[i].value);
  }
  free(p->items);
  sl_model_params_init(p);
}

sl_status sl_model_param_double(const sl_model_params *p, const char *key,
                                double def, double lo, double hi,
                                double *out, sl_error *err) {
  const char *v = sl_model_params_get(p, key);
  if (!v) {
    *out = def;
    return SL_OK;
  }
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  while (end != v && isspace((unsigned char)*end))
    end++;
  if (end == v || *end || errno == ERANGE || !isfinite(d))
    return sl_error_set(err, SL_ERR_SQL,
                        "parameter %s must be a number, got \"%s\"", key, v);
  if (d < lo || d > hi)
    return sl_error_set(err, SL_ERR_SQL,
                        "parameter %s must be between %g and %g, got %s",
                        key, lo, hi, v);
  *out = d;
  return SL_OK;
}

sl_status sl_model_param_int(const sl_model_params *p, const char *key,
                             long def, long lo, long hi, long *out,
                             sl_error *err) {
  const char *v = sl_model_params_get(p, key);
  if (!v) {
    *out = def;
    return SL_OK;
  }
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  while (end != v && isspace((unsigned char)*end))
    end++;
  if (end == v || *end || errno == ERANGE)
    return sl_error_set(err, SL_ERR_SQL,
                        "parameter %s must be an integer, got \"%s\"", key,
                        v);
  if (n < lo || n > hi)
    return sl_error_set(err, SL_ERR_SQL,
                        "parameter %s must be between %ld and %ld, got %s",
                        key, lo, hi, v);
  *out = n;
  return SL_OK;
}

/* Levenshtein distance of two short names, capped at 3. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63)
    return 3;
  size_t row[64];
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) ==
                            tolower((unsigned char)b[j - 1])
                        ? 0
                        : 1;
      size_t best = diag + cost;
      if (row[j] + 1 < best)
        best = row[j] + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb] < 3 ? row[lb] : 3;
}

const char *sl_model_closest_name(const char *name,
                                  const char *const *candidates, size_t n) {
  const char *best = NULL;
  size_t best_d = 3;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(name, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  return best;
}
