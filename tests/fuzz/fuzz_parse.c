/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_parse.c - libFuzzer harness for the SQL front end.
 *
 * Each input is a script: it is checked for completeness, parsed with one
 * variable defined (so ${v} substitution runs too), every statement is
 * dumped with positions, and an error is rendered with its caret line.
 * Crashes, sanitizer reports and leaks are failures; parse errors are
 * not.  Seeds live in tests/fuzz/corpus/.
 */
#include <stddef.h>
#include <stdint.h>

#include "engine/types/strbuf.h"
#include "parser/errors.h"
#include "parser/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const sl_parse_var vars[] = {{"v", "payments"}, {"n", "1 + 2"}};
  const sl_parse_options opts = {vars, 2};
  const char *text = (const char *)data;
  sl_parse_result *result = NULL;
  sl_error err;
  sl_strbuf out = SL_STRBUF_INIT;

  sl_error_clear(&err);
  (void)sl_parse_is_complete(text, size);
  if (sl_parse_script_len("fuzz.sql", text, size, &opts, &result, &err)) {
    sl_parse_render_error(&err, text, size, &out);
  } else {
    for (int i = 0; i < result->nstmts; i++) {
      size_t len;
      (void)sl_parse_stmt_text(result, result->stmts[i], &len);
      sl_ast_dump(result->stmts[i], SL_AST_DUMP_POSITIONS, &out);
    }
    sl_parse_result_free(result);
  }
  sl_strbuf_free(&out);
  return 0;
}
