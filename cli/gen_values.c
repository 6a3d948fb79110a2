/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_values.c - synthetic values per SQL type (see gen_values.h).
 *
 * The order in which values draw from the PRNG is part of the output:
 * changing it changes every generated data set, so draws happen in
 * column order, the NULL draw (when a NULL rate is set) before the value.
 */
#include "cli/gen_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/gen_rand.h"

#define MS_PER_DAY 86400000

static const char *const vocabulary[] = {
    "alpha", "bravo", "charlie", "delta", "echo",     "foxtrot",
    "golf",  "hotel", "india",   "juliet", "kilo",    "lima",
    "mike",  "november", "oscar", "papa"};
#define VOCABULARY_SIZE (sizeof(vocabulary) / sizeof(vocabulary[0]))

/* How a top-level column is filled. */
typedef enum column_role {
  ROLE_PLAIN = 0,
  ROLE_KEY,      /* --keys distinct values */
  ROLE_SEQUENCE  /* 1, 2, 3, ... */
} column_role;

struct sl_gen_rows {
  const sl_gen_schema *schema;
  sl_gen_options opts;
  sl_gen_rand rand;
  column_role *roles;
  int64_t index;         /* of the row being generated */
};

static int64_t ipow10(int n) {
  int64_t v = 1;
  while (n-- > 0)
    v *= 10;
  return v;
}

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Checks that the key column can take opts->keys distinct values. */
static sl_status check_key(const sl_gen_column *col, int64_t keys,
                           sl_error *err) {
  const sl_type *t = col->type;
  switch (t->kind) {
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT:
    return sl_error_set(err, SL_ERR_USAGE, "the key column \"%s\" must "
                        "have a scalar type", col->name);
  case SL_TYPE_INT:
    if (keys > INT32_MAX)
      return sl_error_set(err, SL_ERR_USAGE, "--keys %lld does not fit "
                          "the INT column \"%s\"", (long long)keys,
                          col->name);
    break;
  case SL_TYPE_BOOLEAN:
    if (keys > 2)
      return sl_error_set(err, SL_ERR_USAGE, "--keys %lld: the BOOLEAN "
                          "column \"%s\" has 2 values", (long long)keys,
                          col->name);
    break;
  case SL_TYPE_DECIMAL:
    if (t->precision - t->scale < 19 &&
        keys >= ipow10(t->precision - t->scale))
      return sl_error_set(err, SL_ERR_USAGE, "--keys %lld does not fit "
                          "the DECIMAL(%d,%d) column \"%s\"",
                          (long long)keys, t->precision, t->scale,
                          col->name);
    break;
  default:
    break;
  }
  return SL_OK;
}

sl_status sl_gen_rows_new(const sl_gen_schema *schema,
                          const sl_gen_options *opts, sl_gen_rows **out,
                          sl_error *err) {
  *out = NULL;
  if (opts->key_column >= schema->ncols)
    return sl_error_set(err, SL_ERR_INTERNAL, "key column out of range");
  if (opts->key_column >= 0 && opts->keys > 0 &&
      check_key(&schema->cols[opts->key_column], opts->keys, err))
    return err->code;

  sl_gen_rows *g = calloc(1, sizeof(*g));
  if (g)
    g->roles = calloc((size_t)schema->ncols + 1, sizeof(*g->roles));
  if (!g || !g->roles) {
    free(g);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  g->schema = schema;
  g->opts = *opts;
  sl_gen_rand_seed(&g->rand, opts->seed);
  for (int i = 0; i < schema->ncols; i++) {
    const sl_gen_column *col = &schema->cols[i];
    bool integer = col->type->kind == SL_TYPE_INT ||
                   col->type->kind == SL_TYPE_BIGINT;
    if (i == opts->key_column && opts->keys > 0)
      g->roles[i] = ROLE_KEY;
    else if (integer && strcasecmp(col->name, "id") == 0)
      g->roles[i] = ROLE_SEQUENCE;
  }
  *out = g;
  return SL_OK;
}

void sl_gen_rows_free(sl_gen_rows *g) {
  if (!g)
    return;
  free(g->roles);
  free(g);
}

int64_t sl_gen_rows_count(const sl_gen_rows *g) { return g->index; }

/* The event time record i is built around. */
static int64_t base_time(const sl_gen_rows *g) {
  return g->opts.start_ms + g->index * g->opts.step_ms;
}

/* The k-th of the key column's distinct values (k from 0). */
static sl_status key_value(sl_gen_rows *g, const sl_type *type, int64_t k,
                           sl_arena *arena, sl_value *out, sl_error *err) {
  char buf[32];
  int n;
  switch (type->kind) {
  case SL_TYPE_BOOLEAN: *out = sl_value_bool(k % 2 == 1); break;
  case SL_TYPE_INT: *out = sl_value_int((int32_t)(k + 1)); break;
  case SL_TYPE_BIGINT: *out = sl_value_bigint(k + 1); break;
  case SL_TYPE_DOUBLE: *out = sl_value_double((double)(k + 1)); break;
  case SL_TYPE_DECIMAL: {
    sl_int128 unscaled = (sl_int128)(k + 1);
    for (int i = 0; i < type->scale; i++)
      unscaled *= 10;
    *out = sl_value_decimal(unscaled, type->scale);
    break;
  }
  case SL_TYPE_DATE:
    *out = sl_value_date(
        (int32_t)(floor_div(g->opts.start_ms, MS_PER_DAY) + k));
    break;
  case SL_TYPE_TIMESTAMP:
    *out = sl_value_timestamp(g->opts.start_ms + k * 1000);
    break;
  case SL_TYPE_INTERVAL: *out = sl_value_interval((k + 1) * 1000); break;
  case SL_TYPE_VARCHAR:
  case SL_TYPE_BYTES: {
    n = snprintf(buf, sizeof(buf), "key-%lld", (long long)(k + 1));
    char *s = sl_arena_strndup(arena, buf, (size_t)n);
    if (!s)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    *out = type->kind == SL_TYPE_VARCHAR ? sl_value_varchar(s, (size_t)n)
                                         : sl_value_bytes(s, (size_t)n);
    break;
  }
  default:
    return sl_error_set(err, SL_ERR_INTERNAL, "no key of type %s",
                        sl_type_kind_name(type->kind));
  }
  return SL_OK;
}

/* A value of type drawn from the PRNG (columns without a role, elements
 * and fields). */
static sl_status plain_value(sl_gen_rows *g, const sl_type *type,
                             sl_arena *arena, sl_value *out, sl_error *err) {
  sl_gen_rand *r = &g->rand;
  switch (type->kind) {
  case SL_TYPE_NULL: *out = sl_value_null(); break;
  case SL_TYPE_BOOLEAN:
    *out = sl_value_bool((sl_gen_rand_next(r) >> 63) != 0);
    break;
  case SL_TYPE_INT:
    *out = sl_value_int((int32_t)sl_gen_rand_below(r, 1000));
    break;
  case SL_TYPE_BIGINT:
    *out = sl_value_bigint((int64_t)sl_gen_rand_below(r, 1000000));
    break;
  case SL_TYPE_DOUBLE:
    *out = sl_value_double((double)sl_gen_rand_below(r, 100000) / 100.0);
    break;
  case SL_TYPE_DECIMAL: {
    int digits = type->precision - type->scale;
    if (digits > 4)
      digits = 4;
    int64_t range = ipow10(digits + (type->scale < 14 ? type->scale : 14));
    sl_int128 unscaled = (sl_int128)sl_gen_rand_below(r, (uint64_t)range);
    /* Scales beyond 14 digits get zeros: the range stays within 64 bits. */
    for (int i = 14; i < type->scale; i++)
      unscaled *= 10;
    *out = sl_value_decimal(unscaled, type->scale);
    break;
  }
  case SL_TYPE_VARCHAR: {
    const char *w = vocabulary[sl_gen_rand_below(r, VOCABULARY_SIZE)];
    *out = sl_value_varchar(w, strlen(w));
    break;
  }
  case SL_TYPE_BYTES: {
    uint64_t bits = sl_gen_rand_next(r);
    unsigned char *b = sl_arena_alloc(arena, 8);
    if (!b)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < 8; i++)
      b[i] = (unsigned char)(bits >> (8 * i));
    *out = sl_value_bytes(b, 8);
    break;
  }
  case SL_TYPE_DATE:
    *out = sl_value_date((int32_t)floor_div(base_time(g), MS_PER_DAY));
    break;
  case SL_TYPE_TIMESTAMP: {
    uint64_t step = (uint64_t)g->opts.step_ms;
    *out = sl_value_timestamp(base_time(g) +
                              (int64_t)sl_gen_rand_below(r, step));
    break;
  }
  case SL_TYPE_INTERVAL:
    *out = sl_value_interval((int64_t)sl_gen_rand_below(r, 3600) * 1000);
    break;
  case SL_TYPE_ARRAY: {
    uint32_t n = (uint32_t)sl_gen_rand_below(r, 4);
    sl_value *items = sl_arena_calloc(arena, n ? n : 1, sizeof(*items));
    if (!items)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
      if (plain_value(g, type->elem, arena, &items[i], err))
        return err->code;
    }
    *out = sl_value_composite(SL_TYPE_ARRAY, items, n);
    break;
  }
  case SL_TYPE_MAP: {
    uint32_t n = (uint32_t)sl_gen_rand_below(r, 4);
    size_t first = (size_t)sl_gen_rand_below(r, VOCABULARY_SIZE);
    sl_value *items = sl_arena_calloc(arena, 2 * (n ? n : 1),
                                      sizeof(*items));
    if (!items)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
      const char *w = vocabulary[(first + i) % VOCABULARY_SIZE];
      items[2 * i] = sl_value_varchar(w, strlen(w));
      if (plain_value(g, type->elem, arena, &items[2 * i + 1], err))
        return err->code;
    }
    *out = sl_value_composite(SL_TYPE_MAP, items, n);
    break;
  }
  case SL_TYPE_STRUCT: {
    int n = type->nfields;
    sl_value *items = sl_arena_calloc(arena, (size_t)(n ? n : 1),
                                      sizeof(*items));
    if (!items)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
      if (plain_value(g, type->fields[i].type, arena, &items[i], err))
        return err->code;
    }
    *out = sl_value_composite(SL_TYPE_STRUCT, items, (uint32_t)n);
    break;
  }
  }
  return SL_OK;
}

sl_status sl_gen_rows_next(sl_gen_rows *g, sl_arena *arena, sl_value *row,
                           sl_error *err) {
  for (int c = 0; c < g->schema->ncols; c++) {
    const sl_gen_column *col = &g->schema->cols[c];
    column_role role = g->roles[c];

    if (g->opts.null_rate > 0 && role != ROLE_KEY &&
        c != g->opts.key_column && !col->not_null &&
        sl_gen_rand_unit(&g->rand) < g->opts.null_rate) {
      row[c] = sl_value_null();
      continue;
    }
    sl_status rc = SL_OK;
    switch (role) {
    case ROLE_KEY: {
      int64_t k = g->index < g->opts.keys
                      ? g->index
                      : (int64_t)sl_gen_rand_below(&g->rand,
                                                   (uint64_t)g->opts.keys);
      rc = key_value(g, col->type, k, arena, &row[c], err);
      break;
    }
    case ROLE_SEQUENCE:
      row[c] = col->type->kind == SL_TYPE_INT
                   ? sl_value_int((int32_t)(g->index + 1))
                   : sl_value_bigint(g->index + 1);
      break;
    case ROLE_PLAIN:
      rc = plain_value(g, col->type, arena, &row[c], err);
      break;
    }
    if (rc)
      return rc;
  }
  g->index++;
  return SL_OK;
}
