/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - `sluice run`: run scripts, then wait for their queries.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/script.h"
#include "engine/common/log.h"
#include "engine/exec/session.h"

static const char run_help[] =
    "Usage: sluice run [options] FILE.sql...\n"
    "       sluice run [options] -e 'SQL'\n"
    "\n"
    "Runs the scripts in order, statement by statement.  DDL takes effect\n"
    "at once, INSERT and LOAD are acknowledged before the next statement,\n"
    "a SELECT prints its rows, persistent queries start and keep running.\n"
    "Without --bounded, sluice runs until SIGINT or SIGTERM and then stops\n"
    "its queries gracefully; with --bounded every source reads to the end\n"
    "offsets it found at start and the run exits when all have finished.\n"
    "\n";

static sl_session *running_session;

static void on_signal(int sig) {
  (void)sig;
  if (running_session)
    sl_session_request_stop(running_session);
}

static void install_signals(sl_session *s) {
  running_session = s;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

/* Runs one script; reports its error. */
static int run_one(sl_session *s, const char *path, const char *inline_sql) {
  char *text = NULL;
  size_t len = 0;
  const char *name = "<command line>";
  sl_error err;
  sl_error_clear(&err);

  if (inline_sql) {
    text = strdup(inline_sql);
    len = strlen(inline_sql);
    if (!text) {
      fprintf(stderr, "sluice: out of memory\n");
      return 3;
    }
  } else if (sl_cli_read_script(path, &text, &len, &name, &err)) {
    sl_cli_report(&err, NULL, 0);
    return sl_error_exit_code(err.code);
  }

  sl_status rc = sl_session_run_script(s, name, text, &err);
  if (rc)
    sl_cli_report(&err, text, len);
  free(text);
  return rc ? sl_error_exit_code(rc) : 0;
}

int sl_cmd_run(int argc, char **argv) {
  sl_cli_options opts;
  bool help;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_parse_options(argc, argv, &opts, &help, &err)) {
    fprintf(stderr, "sluice run: %s\n", err.message);
    return 2;
  }
  if (help) {
    fputs(run_help, stdout);
    fputs(sl_cli_common_help, stdout);
    return 0;
  }
  if (opts.nargs == 0 && opts.ninline == 0) {
    fprintf(stderr, "sluice run: no script given; see sluice run --help\n");
    return 2;
  }
  if (opts.log_file && sl_log_set_file(opts.log_file, &err)) {
    fprintf(stderr, "sluice run: %s\n", err.message);
    return 2;
  }

  sl_parse_var vars[SL_CLI_MAX_VARS];
  size_t nvars;
  sl_cli_vars(&opts, vars, &nvars);
  sl_session_options sopts = {
      .brokers = opts.brokers,
      .kafka_config = opts.kafka_config,
      .catalog = opts.catalog,
      .service = opts.service,
      .bounded = opts.bounded,
      .udf_dir = opts.udf_dir,
      .secret_file = opts.secret_file,
      .output = sl_cli_output_format(&opts),
      .vars = vars,
      .nvars = nvars,
      /* Status lines only for a person watching standard error. */
      .progress = isatty(STDERR_FILENO) == 1,
      .metrics_port = opts.metrics_port,
  };
  sl_session *s = NULL;
  if (sl_session_open(&sopts, &s, &err)) {
    sl_cli_report(&err, NULL, 0);
    return sl_error_exit_code(err.code);
  }
  install_signals(s);

  int code = 0;
  for (int i = 0; i < opts.ninline && code == 0; i++)
    code = run_one(s, NULL, opts.inline_sql[i]);
  for (int i = 0; i < opts.nargs && code == 0; i++)
    code = run_one(s, opts.args[i], NULL);

  /* Queries started before a failing statement still finish cleanly. */
  if (sl_session_wait(s, &err)) {
    sl_cli_report(&err, NULL, 0);
    if (code == 0)
      code = sl_error_exit_code(err.code);
  }
  running_session = NULL;
  sl_session_close(s);
  return code;
}
