/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_check.c - `sluice check`: parse and bind scripts without running
 * anything.
 *
 * Each statement is parsed, bound against a temporary in-memory catalog,
 * and, when it is DDL, applied to that catalog (sl_bind_apply), so that
 * later statements see what earlier ones declared, exactly as `sluice run`
 * would bind them.  Nothing reaches a broker.  The first error stops the
 * check with the conventions' caret display on standard error and exit
 * code 1; `--dump` prints each bound statement (sl_bound_dump) to standard
 * output as it goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/script.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

static const char check_help[] =
    "Usage: sluice check [--dump] [-D NAME=VALUE]... FILE.sql... | -\n"
    "       sluice check [--dump] -e 'SQL'\n"
    "\n"
    "Parses and binds the scripts without running anything: every name,\n"
    "type, option and clause is checked as `sluice run` would check it,\n"
    "against a temporary catalog that the scripts' own CREATE and DROP\n"
    "statements fill.  \"-\" reads standard input.  Exits 0 when every\n"
    "statement is valid, 1 with the first error otherwise.\n"
    "\n"
    "  --dump   print each bound statement: its columns, types, options\n"
    "           with defaults, and the logical plan of its query\n"
    "\n";

typedef struct check_state {
  sl_catalog *catalog;
  sl_func_registry *functions;
  const sl_parse_var *vars;
  size_t nvars;
  bool dump;
} check_state;

/* Checks one script: 0, or the exit code of its first error (reported). */
static int check_text(check_state *cs, const char *name, const char *text,
                      size_t len) {
  sl_error err;
  sl_error_clear(&err);
  sl_parse_options popts = {cs->vars, cs->nvars};
  sl_parse_result *parsed = NULL;
  if (sl_parse_script_len(name, text, len, &popts, &parsed, &err)) {
    sl_cli_report(&err, text, len);
    return sl_error_exit_code(err.code);
  }

  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, cs->catalog, cs->functions, parsed);
  int code = 0;
  for (int i = 0; i < parsed->nstmts && code == 0; i++) {
    sl_bound_stmt *bound = NULL;
    sl_status rc = sl_bind_stmt(&ctx, parsed->stmts[i], &bound, &err);
    if (!rc && cs->dump) {
      rc = sl_bound_dump(bound, stdout, &err);
      fflush(stdout);
    }
    if (!rc)
      rc = sl_bind_apply(&ctx, bound, NULL, &err);
    if (rc) {
      sl_cli_report(&err, parsed->text, parsed->len);
      code = sl_error_exit_code(rc);
    }
    sl_bound_stmt_free(bound);
  }
  sl_parse_result_free(parsed);
  return code;
}

static int check_file(check_state *cs, const char *path) {
  char *text = NULL;
  size_t len = 0;
  const char *name = path;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_read_script(path, &text, &len, &name, &err)) {
    sl_cli_report(&err, NULL, 0);
    return sl_error_exit_code(err.code);
  }
  int code = check_text(cs, name, text, len);
  free(text);
  return code;
}

int sl_cmd_check(int argc, char **argv) {
  sl_cli_options opts;
  bool help;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_parse_options(argc, argv, &opts, &help, &err)) {
    fprintf(stderr, "sluice check: %s\n", err.message);
    return 2;
  }
  if (help) {
    fputs(check_help, stdout);
    fputs(sl_cli_common_help, stdout);
    return 0;
  }
  if (opts.nargs == 0 && opts.ninline == 0) {
    fprintf(stderr,
            "sluice check: no script given; see sluice check --help\n");
    return 2;
  }

  sl_parse_var vars[SL_CLI_MAX_VARS];
  check_state cs;
  memset(&cs, 0, sizeof(cs));
  sl_cli_vars(&opts, vars, &cs.nvars);
  cs.vars = vars;
  cs.dump = opts.dump;

  const sl_func_registry *builtins = sl_func_registry_builtin();
  if (!builtins) {
    fprintf(stderr, "sluice check: the function registry could not be "
                    "built\n");
    return 3;
  }
  cs.functions = sl_func_registry_new(builtins);
  if (!cs.functions) {
    fprintf(stderr, "sluice check: out of memory\n");
    return 3;
  }
  if (sl_catalog_open(":memory:", &cs.catalog, &err)) {
    sl_cli_report(&err, NULL, 0);
    sl_func_registry_free(cs.functions);
    return sl_error_exit_code(err.code);
  }

  int code = 0;
  for (int i = 0; i < opts.ninline && code == 0; i++)
    code = check_text(&cs, "<command line>", opts.inline_sql[i],
                      strlen(opts.inline_sql[i]));
  for (int i = 0; i < opts.nargs && code == 0; i++)
    code = check_file(&cs, opts.args[i]);

  sl_catalog_close(cs.catalog);
  sl_func_registry_free(cs.functions);
  return code;
}
