/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the text a statement with ${name} references leaves in
 * the catalog: the substituted text, which parses again with no variables
 * defined, so that a stream's CHECK still rejects records in every query
 * bound later and another instance can replay the statement.  A
 * statement without references keeps its original text.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

static const sl_parse_var vars[] = {{"prefix", "shop-"}};
static const sl_parse_options opts = {vars, 1};

static const char script[] =
    "CREATE STREAM sales (qty INT NOT NULL, CHECK (qty >= 0))\n"
    "  WITH (topic='${prefix}sales');  -- a comment ${kept}\n"
    "SELECT qty FROM sales;\n";

static void test_expanded_text(void **state) {
  (void)state;
  sl_parse_result *r = NULL;
  sl_error err;
  assert_int_equal(sl_parse_script("t.sql", script, &opts, &r, &err), SL_OK);
  assert_int_equal(r->nstmts, 2);
  assert_non_null(r->stmts[0]->expanded_sql);
  assert_string_equal(r->stmts[0]->expanded_sql,
                      "CREATE STREAM sales (qty INT NOT NULL, CHECK "
                      "(qty >= 0))\n  WITH (topic='shop-sales')");
  assert_null(r->stmts[1]->expanded_sql);
  sl_parse_result_free(r);

  /* Without variables nothing is substituted, and nothing is kept. */
  assert_int_equal(sl_parse_script("t.sql", "SELECT 1;", NULL, &r, &err),
                   SL_OK);
  assert_null(r->stmts[0]->expanded_sql);
  sl_parse_result_free(r);
}

/* The scan under the plan of a transient SELECT. */
static const sl_rel *leaf(const sl_rel *rel) {
  while (rel->input)
    rel = rel->input;
  return rel;
}

static void test_check_survives(void **state) {
  (void)state;
  sl_catalog *cat;
  sl_error err;
  assert_int_equal(sl_catalog_open(":memory:", &cat, &err), SL_OK);
  sl_func_registry *reg = sl_func_registry_new(sl_func_registry_builtin());
  assert_non_null(reg);
  sl_parse_result *r = NULL;
  assert_int_equal(sl_parse_script("t.sql", script, &opts, &r, &err), SL_OK);
  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, cat, reg, r);

  sl_bound_stmt *create = NULL, *select = NULL;
  assert_int_equal(sl_bind_stmt(&ctx, r->stmts[0], &create, &err), SL_OK);
  assert_non_null(strstr(create->sql, "topic='shop-sales'"));
  assert_int_equal(sl_bind_apply(&ctx, create, NULL, &err), SL_OK);

  sl_catalog_object *obj = NULL;
  assert_int_equal(sl_catalog_get(cat, "sales", &obj, &err), SL_OK);
  assert_non_null(obj);
  assert_null(strstr(obj->sql, "${"));
  sl_parse_result *again = NULL;
  assert_int_equal(sl_parse_statement("sales", obj->sql, NULL, &again, &err),
                   SL_OK);
  sl_parse_result_free(again);
  sl_catalog_object_free(obj);

  /* The query reads the stream with its CHECK. */
  assert_int_equal(sl_bind_stmt(&ctx, r->stmts[1], &select, &err), SL_OK);
  const sl_rel *scan = leaf(select->query);
  assert_int_equal(scan->kind, SL_REL_SCAN);
  assert_non_null(scan->u.scan.check);

  sl_bound_stmt_free(select);
  sl_bound_stmt_free(create);
  sl_parse_result_free(r);
  sl_func_registry_free(reg);
  sl_catalog_close(cat);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_expanded_text),
      cmocka_unit_test(test_check_survives),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
