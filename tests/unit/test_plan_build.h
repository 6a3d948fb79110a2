/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_plan_build.h - builders of bound relations (the binder's logical
 * plans) and catalog objects for the planner and runtime tests.  Nodes
 * come from the arena of test_expr_build.h.
 */
#ifndef SLUICE_TEST_PLAN_BUILD_H
#define SLUICE_TEST_PLAN_BUILD_H

#include <string.h>

#include "catalog/catalog.h"
#include "parser/bound.h"
#include "test_expr_build.h"

/* ---- Relation builders ------------------------------------------------ */

static inline sl_rel *rel_new(sl_rel_kind kind, int ncols) {
  sl_rel *r = sl_arena_calloc(&tb_arena, 1, sizeof(*r));
  r->kind = kind;
  r->pos.line = 2;
  r->pos.column = 3;
  r->ncolumns = ncols;
  r->columns = sl_arena_calloc(&tb_arena, (size_t)ncols + 1,
                               sizeof(*r->columns));
  r->event_time = -1;
  r->window_start = r->window_end = -1;
  return r;
}

/* A scan of obj: its declared columns then a hidden ROWTIME. */
static inline sl_rel *scan(const sl_catalog_object *obj, sl_scan_kind kind) {
  int nd = obj->ncolumns;
  int n = kind == SL_SCAN_STREAM ? nd + 1 : nd;
  sl_rel *r = rel_new(SL_REL_SCAN, n);
  r->u.scan.kind = kind;
  r->u.scan.object = obj;
  r->u.scan.name = obj->name;
  r->u.scan.ndeclared = nd;
  r->u.scan.event_time_column = -1;
  r->u.scan.meta = sl_arena_calloc(&tb_arena, (size_t)n, sizeof(int));
  for (int i = 0; i < nd; i++) {
    r->columns[i].name = obj->columns[i].name;
    r->columns[i].type = obj->columns[i].type;
  }
  if (kind == SL_SCAN_STREAM) {
    r->columns[nd].name = "ROWTIME";
    r->columns[nd].type = sl_type_timestamp();
    r->columns[nd].hidden = true;
    r->u.scan.meta[nd] = SL_META_ROWTIME;
  }
  return r;
}

static inline sl_rel *filter(sl_rel *in, sl_bexpr *pred) {
  sl_rel *r = rel_new(SL_REL_FILTER, in->ncolumns);
  memcpy(r->columns, in->columns, (size_t)in->ncolumns * sizeof(*r->columns));
  r->input = in;
  r->u.filter.predicate = pred;
  return r;
}

/* A projection; names[i] names exprs[i]. */
static inline sl_rel *project(sl_rel *in, int n, const char *const *names,
                       sl_bexpr *const *exprs) {
  sl_rel *r = rel_new(SL_REL_PROJECT, n);
  r->input = in;
  r->u.project.nexprs = n;
  r->u.project.exprs = sl_arena_calloc(&tb_arena, (size_t)n, sizeof(void *));
  for (int i = 0; i < n; i++) {
    r->columns[i].name = names[i];
    r->columns[i].type = exprs[i]->type;
    r->u.project.exprs[i] = exprs[i];
  }
  return r;
}

/* A stream object with topic and format options, and key column key
 * (or -1). */
static inline sl_catalog_object *tb_stream(const char *name,
                                           const char *topic, int n,
                                           const char *const *names,
                                           sl_type *const *types, int key) {
  sl_error err;
  sl_catalog_object *o = sl_catalog_object_new(SL_CATALOG_STREAM, name, NULL);
  for (int i = 0; i < n; i++)
    sl_catalog_object_add_column(o, names[i], sl_type_clone(types[i]), false,
                                 false, &err);
  sl_catalog_object_add_option(o, "topic", topic, &err);
  sl_catalog_object_add_option(o, "format", "json", &err);
  if (key >= 0)
    sl_catalog_object_set_key(o, names[key], &err);
  return o;
}

#endif
