/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_bind.c - libFuzzer harness for the whole SQL front end: lexer,
 * parser and binder.
 *
 * Each input is a script.  It is parsed, and every statement is bound
 * against an in-memory catalog, dumped, and applied (CREATE and DROP change
 * the catalog and the function registry), as `sluice check --dump` does;
 * the first error is rendered with its caret line.  Crashes, sanitizer
 * reports and leaks are failures; SQL errors are not.  The catalog starts
 * empty for every input.  Seeds live in tests/fuzz/corpus/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "catalog/catalog.h"
#include "engine/types/strbuf.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/errors.h"
#include "parser/parser.h"
#include "udf/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const sl_parse_var vars[] = {{"v", "payments"}, {"n", "1 + 2"}};
  const sl_parse_options opts = {vars, 2};
  const char *text = (const char *)data;
  sl_parse_result *parsed = NULL;
  sl_catalog *cat = NULL;
  sl_func_registry *reg = NULL;
  sl_strbuf out = SL_STRBUF_INIT;
  sl_error err;
  sl_error_clear(&err);

  if (sl_parse_script_len("fuzz.sql", text, size, &opts, &parsed, &err))
    goto done;
  reg = sl_func_registry_new(sl_func_registry_builtin());
  if (!reg || sl_catalog_open(":memory:", &cat, &err))
    goto done;

  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, cat, reg, parsed);
  for (int i = 0; i < parsed->nstmts; i++) {
    sl_bound_stmt *bound = NULL;
    if (sl_bind_stmt(&ctx, parsed->stmts[i], &bound, &err))
      break;
    char *dump = sl_bound_dump_string(bound);
    free(dump);
    sl_status rc = sl_bind_apply(&ctx, bound, NULL, &err);
    sl_bound_stmt_free(bound);
    if (rc)
      break;
  }

done:
  if (err.code != SL_OK)
    sl_parse_render_error(&err, text, size, &out);
  sl_strbuf_free(&out);
  sl_catalog_close(cat);
  sl_func_registry_free(reg);
  sl_parse_result_free(parsed);
  return 0;
}
