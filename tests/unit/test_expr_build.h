/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_expr_build.h - builders of bound expressions and batches for the
 * engine's unit tests (expressions, operators, planner).
 *
 * The builders allocate every node from one arena that the test owns, the
 * way the binder allocates from a statement's arena, so a test frees all
 * of it at once.  Batches are built from a column type list and rows of
 * values.
 */
#ifndef SLUICE_TEST_EXPR_BUILD_H
#define SLUICE_TEST_EXPR_BUILD_H

#include <stdarg.h>
#include <string.h>

#include "engine/common/arena.h"
#include "engine/types/batch.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "parser/bound.h"

static sl_arena tb_arena;
static sl_type *tb_types[256];
static int tb_ntypes;

static inline void tb_init(void) {
  sl_arena_init(&tb_arena, 0);
}

static inline void tb_done(void) {
  for (int i = 0; i < tb_ntypes; i++)
    sl_type_free(tb_types[i]);
  tb_ntypes = 0;
  sl_arena_destroy(&tb_arena);
}

/* Keeps a heap type until tb_done, the way a statement keeps its types. */
static inline sl_type *tb_keep(sl_type *t) {
  if (tb_ntypes < (int)(sizeof(tb_types) / sizeof(tb_types[0])))
    tb_types[tb_ntypes++] = t;
  return t;
}

static inline sl_type *tb_decimal(int p, int s) {
  return tb_keep(sl_type_new_decimal(p, s));
}

static inline sl_bexpr *tb_node(sl_bexpr_kind kind, sl_type *type,
                                int nargs) {
  sl_bexpr *e = sl_arena_calloc(&tb_arena, 1, sizeof(*e));
  e->kind = kind;
  e->type = type;
  e->pos.line = 1;
  e->pos.column = 1;
  e->nargs = nargs;
  if (nargs)
    e->args = sl_arena_calloc(&tb_arena, (size_t)nargs, sizeof(*e->args));
  return e;
}

static inline sl_bexpr *tb_lit(sl_type *type, sl_value v) {
  sl_bexpr *e = tb_node(SL_BEXPR_LITERAL, type, 0);
  e->u.literal = v;
  return e;
}

static inline sl_bexpr *tb_int(int32_t v) {
  return tb_lit(sl_type_int(), sl_value_int(v));
}

static inline sl_bexpr *tb_bigint(int64_t v) {
  return tb_lit(sl_type_bigint(), sl_value_bigint(v));
}

static inline sl_bexpr *tb_double(double v) {
  return tb_lit(sl_type_double(), sl_value_double(v));
}

static inline sl_bexpr *tb_bool(bool v) {
  return tb_lit(sl_type_boolean(), sl_value_bool(v));
}

static inline sl_bexpr *tb_str(const char *s) {
  return tb_lit(sl_type_varchar(), sl_value_varchar(s, strlen(s)));
}

/* A NULL literal of the given type. */
static inline sl_bexpr *tb_null(sl_type *type) {
  return tb_lit(type, sl_value_null());
}

static inline sl_bexpr *tb_col(int index, sl_type *type) {
  sl_bexpr *e = tb_node(SL_BEXPR_COLUMN, type, 0);
  e->u.column = index;
  return e;
}

static inline sl_bexpr *tb_bin(sl_bexpr_op op, sl_type *type, sl_bexpr *a,
                               sl_bexpr *b) {
  sl_bexpr *e = tb_node(SL_BEXPR_BINARY, type, 2);
  e->op = op;
  e->args[0] = a;
  e->args[1] = b;
  return e;
}

static inline sl_bexpr *tb_cmp(sl_bexpr_op op, sl_bexpr *a, sl_bexpr *b) {
  return tb_bin(op, sl_type_boolean(), a, b);
}

static inline sl_bexpr *tb_un(sl_bexpr_op op, sl_type *type, sl_bexpr *a) {
  sl_bexpr *e = tb_node(SL_BEXPR_UNARY, type, 1);
  e->op = op;
  e->args[0] = a;
  return e;
}

static inline sl_bexpr *tb_cast(sl_type *type, sl_bexpr *a) {
  sl_bexpr *e = tb_node(SL_BEXPR_CAST, type, 1);
  e->args[0] = a;
  return e;
}

/* A node of kind with n arguments given after n. */
static inline sl_bexpr *tb_nary(sl_bexpr_kind kind, sl_type *type,
                                bool negated, int n, ...) {
  sl_bexpr *e = tb_node(kind, type, n);
  e->negated = negated;
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    e->args[i] = va_arg(ap, sl_bexpr *);
  va_end(ap);
  return e;
}

/* A batch of ncols columns with nrows rows of values given row-major. */
static inline sl_batch *tb_batch(int ncols, int nrows, const sl_value *vals) {
  sl_batch *b = sl_batch_create(ncols, nrows > 0 ? nrows : 1);
  for (int r = 0; r < nrows; r++) {
    int row = sl_batch_append_row(b);
    b->rows[row].offset = r;
    b->rows[row].partition = 0;
    for (int c = 0; c < ncols; c++)
      b->cols[c][row] = vals[r * ncols + c];
  }
  return b;
}

#endif
