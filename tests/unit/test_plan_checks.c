/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for a stream's CHECK constraints on their way from the
 * catalog to the source: the binder keeps each CHECK of the stored
 * definition apart with its text as written (white space and comments
 * as one space, quotes kept), besides all of them ANDed over the same
 * nodes; the planner copies each into the source node, in declaration
 * order, and decodes the columns only a CHECK reads.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "engine/plan/plan.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

static const char script[] =
    "CREATE STREAM orders (id VARCHAR, qty INT, price DOUBLE, note VARCHAR,\n"
    "                      extra VARCHAR,\n"
    "  CHECK (qty >= 0),\n"
    "  check(price>0/* a price */AND\n"
    "        note <> 'it''s ) -- here'))\n"
    "  WITH (topic='orders');\n"
    "SELECT id FROM orders;\n";

static const char *const want_text[] = {
    "CHECK (qty >= 0)",
    "check(price>0 AND note <> 'it''s ) -- here')",
};

typedef struct fixture {
  sl_catalog *cat;
  sl_func_registry *reg;
  sl_parse_result *parsed;
  sl_bound_stmt *create;
  sl_bound_stmt *select;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  sl_error err;
  assert_int_equal(sl_catalog_open(":memory:", &f->cat, &err), SL_OK);
  f->reg = sl_func_registry_new(sl_func_registry_builtin());
  assert_non_null(f->reg);
  assert_int_equal(sl_parse_script("t.sql", script, NULL, &f->parsed, &err),
                   SL_OK);
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, f->cat, f->reg, f->parsed);
  if (sl_bind_stmt(&ctx, f->parsed->stmts[0], &f->create, &err) ||
      sl_bind_apply(&ctx, f->create, NULL, &err) ||
      sl_bind_stmt(&ctx, f->parsed->stmts[1], &f->select, &err))
    fail_msg("binding failed: %s", err.message);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sl_bound_stmt_free(f->select);
  sl_bound_stmt_free(f->create);
  sl_parse_result_free(f->parsed);
  sl_func_registry_free(f->reg);
  sl_catalog_close(f->cat);
  free(f);
  return 0;
}

/* The scan under the plan of a transient SELECT. */
static const sl_rel *leaf(const sl_rel *rel) {
  while (rel->input)
    rel = rel->input;
  return rel;
}

static void test_bound_checks(void **state) {
  fixture *f = *state;
  const sl_rel *scan = leaf(f->select->query);
  assert_int_equal(scan->kind, SL_REL_SCAN);

  /* One by one, in declaration order, with their text. */
  const sl_bcheck *c = scan->u.scan.checks;
  for (int i = 0; i < 2; i++) {
    assert_non_null(c);
    assert_non_null(c->cond);
    assert_int_equal(c->cond->type->kind, SL_TYPE_BOOLEAN);
    if (strcmp(c->text, want_text[i]) != 0)
      fail_msg("CHECK %d: text \"%s\", wanted \"%s\"", i, c->text,
               want_text[i]);
    c = c->next;
  }
  assert_null(c);

  /* The first is a comparison; the second keeps its own AND. */
  const sl_bcheck *first = scan->u.scan.checks, *second = first->next;
  assert_int_equal(first->cond->kind, SL_BEXPR_BINARY);
  assert_int_equal(first->cond->op, SL_OP_GE);
  assert_int_equal(second->cond->kind, SL_BEXPR_BINARY);
  assert_int_equal(second->cond->op, SL_OP_AND);

  /* All of them ANDed, over the very same nodes. */
  const sl_bexpr *all = scan->u.scan.check;
  assert_non_null(all);
  assert_int_equal(all->kind, SL_BEXPR_BINARY);
  assert_int_equal(all->op, SL_OP_AND);
  assert_int_equal(all->nargs, 2);
  assert_ptr_equal(all->args[0], first->cond);
  assert_ptr_equal(all->args[1], second->cond);
}

static void test_plan_checks(void **state) {
  fixture *f = *state;
  sl_plan_request req = {.query = f->select->query,
                         .query_id = "q",
                         .bounded = true,
                         .file = "t.sql",
                         .catalog = f->cat,
                         .limit = -1,
                         .sink = SL_PLAN_SINK_CALLBACK,
                         .partitions = -1,
                         .replicas = -1};
  sl_plan *plan = NULL;
  sl_error err;
  if (sl_plan_build(&req, &plan, &err))
    fail_msg("planning failed: %s", err.message);

  const sl_pnode *src = NULL;
  for (int i = 0; i < plan->nnodes; i++)
    if (plan->nodes[i]->kind == SL_PNODE_SOURCE)
      src = plan->nodes[i];
  assert_non_null(src);

  /* The plan's own copies, in the same order. */
  const sl_bcheck *bound = leaf(f->select->query)->u.scan.checks;
  const sl_bcheck *c = src->u.source.check;
  for (int i = 0; i < 2; i++) {
    assert_non_null(c);
    assert_non_null(bound);
    assert_string_equal(c->text, want_text[i]);
    assert_ptr_not_equal(c->text, bound->text);
    assert_ptr_not_equal(c->cond, bound->cond);
    assert_int_equal(c->cond->kind, bound->cond->kind);
    assert_int_equal(c->cond->op, bound->cond->op);
    c = c->next;
    bound = bound->next;
  }
  assert_null(c);

  /* The query reads id only; the CHECKs read qty, price and note, which
   * are decoded too; extra is read by nothing. */
  const sl_record_schema *s = src->u.source.schema;
  assert_int_equal(s->ncols, 5);
  static const bool want_needed[] = {true, true, true, true, false};
  for (int i = 0; i < 5; i++)
    if (s->cols[i].needed != want_needed[i])
      fail_msg("column %s: needed %d, wanted %d", s->cols[i].name,
               s->cols[i].needed, want_needed[i]);
  sl_plan_free(plan);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_bound_checks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_plan_checks, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
