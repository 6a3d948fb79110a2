/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_shell.c - `sluice shell`: the interactive SQL shell.
 *
 * On a terminal the shell prompts, edits lines with libedit (history in
 * ~/.local/share/sluice/history, Tab completion), collects lines until
 * they hold complete statements (sl_parse_is_complete, so a ';' inside a
 * string or comment does not end one), runs them in one session and
 * reports errors with the caret display without ending.  Ctrl-C drops the
 * statement being typed, or asks the session to stop the one running;
 * Ctrl-D leaves.
 *
 * When standard input is not a terminal the same loop reads statements
 * from it with no prompts and ends at the first error with its exit code,
 * so `sluice shell < script.sql` behaves like a script run.  Errors then
 * point at lines of the whole input.
 *
 * On the way out the shell names the persistent queries still running,
 * stops them gracefully (they resume when the catalog is opened again) and
 * closes the session.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/script.h"
#include "cli/shell.h"
#include "cli/shell_text.h"
#include "engine/common/log.h"
#include "engine/kafka/config.h"
#include "engine/types/strbuf.h"
#include "parser/parser.h"

#define PROMPT "sluice> "
#define PROMPT_MORE "   ...> "
#define INPUT_NAME "<stdin>"

static const char shell_help[] =
    "Usage: sluice shell [options]\n"
    "       sluice shell [options] < script.sql\n"
    "\n"
    "The interactive SQL shell (also `sluice` with no arguments on a\n"
    "terminal).  Statements end with ';' and may span lines; results print\n"
    "as aligned tables on a terminal.  Line editing and history\n"
    "(~/.local/share/sluice/history), Tab completion of keywords, object\n"
    "names, columns after \"alias.\" and topics after PRINT.  Ctrl-C drops\n"
    "the statement being typed or stops the one running; Ctrl-D leaves.\n"
    "Type \\help at the prompt for the meta commands (\\i, \\o, \\timing,\n"
    "\\q).\n"
    "\n"
    "When standard input is not a terminal, statements are read from it\n"
    "without prompts and the first error ends the shell with its exit\n"
    "code.  -e statements run first.  On exit the persistent queries\n"
    "started in the shell are stopped gracefully; they resume when the\n"
    "catalog is opened again.  The shell logs warnings and errors only,\n"
    "unless --log-level says otherwise.\n"
    "\n";

/* ---- Signals ------------------------------------------------------------- */

static volatile sig_atomic_t got_interrupt;
static volatile sig_atomic_t got_terminate;
/* The session while a statement runs, so that Ctrl-C can stop it. */
static sl_session *volatile running_session;
/* Written by the handler, read by the line editor: wakes a read up. */
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig) {
  int saved = errno;
  if (sig == SIGTERM)
    got_terminate = 1;
  else
    got_interrupt = 1;
  /* Ctrl-C ends the statement running now; SIGTERM ends the session. */
  sl_session *s = running_session;
  if (s && sig == SIGTERM)
    sl_session_request_stop(s);
  else if (s)
    sl_session_cancel(s);
  if (wake_pipe[1] >= 0) {
    char c = 1;
    ssize_t n = write(wake_pipe[1], &c, 1);
    (void)n;
  }
  errno = saved;
}

static void open_wake_pipe(void) {
  if (pipe(wake_pipe) != 0) {
    wake_pipe[0] = wake_pipe[1] = -1;
    return;
  }
  for (int i = 0; i < 2; i++) {
    fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
    fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
  }
}

static void close_wake_pipe(void) {
  for (int i = 0; i < 2; i++) {
    if (wake_pipe[i] >= 0)
      close(wake_pipe[i]);
    wake_pipe[i] = -1;
  }
}

/* No SA_RESTART: a read of piped input returns EINTR on Ctrl-C. */
static void install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

static void restore_signals(void) {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}

/* ---- Running statements -------------------------------------------------- */

static double elapsed_ms(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
         (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* True when results go to a terminal as tables, whose footers then
 * carry the time (\o may have moved standard output to a file). */
static bool footers_timed(const sl_shell *sh) {
  return sh->tables && isatty(STDOUT_FILENO);
}

int sl_shell_execute(sl_shell *sh, const char *file, const char *text,
                     size_t len) {
  sl_error err;
  sl_error_clear(&err);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  bool in_footers = footers_timed(sh);
  sl_session_set_timing(sh->session, sh->timing && in_footers);

  got_interrupt = 0;
  running_session = sh->session;
  sl_status rc = sl_session_run_script(sh->session, file, text, &err);
  running_session = NULL;
  fflush(stdout);

  if (got_interrupt) {
    /* At a terminal Ctrl-C stops one statement; on piped input it ends
     * the shell. */
    got_interrupt = 0;
    fprintf(stderr, "cancelled\n");
    if (!sh->interactive)
      sh->quit = true;
  }
  /* Results that are not tables on the terminal (CSV, JSON, a pipe, a
   * file) keep their bytes: the time goes to standard error. */
  if (sh->timing && !in_footers)
    fprintf(stderr, "Time: %.3f ms\n", elapsed_ms(&t0));
  if (rc == SL_OK)
    return 0;
  sl_cli_report(&err, text, len);
  return sl_error_exit_code(rc);
}

/* ---- The statement loop -------------------------------------------------- */

/* What is being typed: the lines of a statement not yet complete. */
typedef struct pending {
  sl_strbuf text;
  int first_line;   /* input line number of its first line */
} pending;

/* Runs the complete statements in p.  Without a terminal, the text is
 * preceded by blank lines so that error positions count lines of the
 * whole input. */
static int run_pending(sl_shell *sh, pending *p) {
  sl_strbuf script;
  sl_strbuf_init(&script);
  if (!sh->interactive) {
    for (int i = 1; i < p->first_line; i++)
      sl_strbuf_appendc(&script, '\n');
  }
  sl_strbuf_append(&script, p->text.data, p->text.len);
  sl_strbuf_appends(&script, "");
  int code;
  if (script.failed) {
    fprintf(stderr, "sluice shell: out of memory\n");
    code = 3;
  } else {
    code = sl_shell_execute(sh, INPUT_NAME, script.data, script.len);
  }
  sl_strbuf_free(&script);
  return code;
}

static void remember(sl_shell *sh, const char *entry, size_t len) {
  if (!sh->edit)
    return;
  char *copy = strndup(entry, len);
  if (!copy)
    return;
  sl_error err;
  if (sl_shell_edit_remember(sh->edit, copy, &err))
    SL_WARN("shell", "%s", err.message);
  free(copy);
}

/* Takes one input line.  Returns 0 or the exit code of what it ran. */
static int take_line(sl_shell *sh, pending *p, const char *line,
                     int line_no) {
  if (p->text.len == 0) {
    const char *s = line;
    while (*s == ' ' || *s == '\t')
      s++;
    if (*s == '\\') {
      remember(sh, line, strlen(line));
      return sl_shell_meta(sh, s);
    }
    p->first_line = line_no;
  }

  sl_strbuf_appends(&p->text, line);
  sl_strbuf_appendc(&p->text, '\n');
  if (p->text.failed) {
    sl_strbuf_reset(&p->text);
    p->text.failed = false;
    fprintf(stderr, "sluice shell: out of memory\n");
    return 3;
  }
  if (sl_shell_is_blank(p->text.data, p->text.len)) {
    sl_strbuf_reset(&p->text);
    return 0;
  }
  if (!sl_parse_is_complete(p->text.data, p->text.len))
    return 0;

  remember(sh, p->text.data, p->text.len - 1);
  int code = run_pending(sh, p);
  sl_strbuf_reset(&p->text);
  return code;
}

/* The interactive loop: errors are reported and the shell goes on. */
static void loop_terminal(sl_shell *sh) {
  pending p = {SL_STRBUF_INIT, 1};
  int line_no = 0;
  fprintf(stderr, "sluice %s shell: end statements with ';', \\help for "
          "help, \\q or Ctrl-D to leave.\n", SLUICE_VERSION);
  while (!sh->quit && !got_terminate) {
    const char *line;
    sl_shell_read r = sl_shell_edit_read(
        sh->edit, p.text.len ? PROMPT_MORE : PROMPT,
        p.text.data ? p.text.data : "", p.text.len, &line);
    if (r == SL_SHELL_READ_INTERRUPTED) {
      if (got_terminate)
        break;
      /* Ctrl-C: the statement being typed is dropped. */
      got_interrupt = 0;
      sl_strbuf_reset(&p.text);
      fputs("^C\n", stderr);
      continue;
    }
    if (r == SL_SHELL_READ_EOF) {
      fputc('\n', stderr);
      break;
    }
    take_line(sh, &p, line, ++line_no);
  }
  sl_strbuf_free(&p.text);
}

/* Without a terminal: no prompts, the first error ends the shell. */
static int loop_input(sl_shell *sh) {
  pending p = {SL_STRBUF_INIT, 1};
  char *line = NULL;
  size_t cap = 0;
  int line_no = 0;
  int code = 0;
  while (code == 0 && !sh->quit && !got_terminate && !got_interrupt) {
    errno = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
      if (errno == EINTR)
        break;
      /* A last statement without ';' runs as a script's would. */
      if (p.text.len && !sl_shell_is_blank(p.text.data, p.text.len))
        code = run_pending(sh, &p);
      break;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    code = take_line(sh, &p, line, ++line_no);
  }
  free(line);
  sl_strbuf_free(&p.text);
  return code;
}

/* ---- Opening and closing ------------------------------------------------- */

/* The cluster the options name, for listing its topics in completion:
 * NULL with the embedded broker.  Errors are those the session reports
 * too, so they are only logged here. */
static sl_kafka_config *cluster_config(const sl_cli_options *opts) {
  sl_kafka_config *cfg = sl_kafka_config_new();
  sl_error err;
  if (cfg && ((opts->kafka_config &&
               sl_kafka_config_load_file(cfg, opts->kafka_config, &err)) ||
              sl_kafka_config_apply_brokers(cfg, opts->brokers, &err))) {
    SL_DEBUG("shell", "no topic completion: %s", err.message);
    sl_kafka_config_free(cfg);
    return NULL;
  }
  if (cfg && !sl_kafka_config_has_brokers(cfg)) {
    sl_kafka_config_free(cfg);
    return NULL;
  }
  return cfg;
}

/* Names the running persistent queries, stops them and waits.  Returns 0
 * or the exit code of a failure while stopping. */
static int stop_queries(sl_shell *sh, bool bounded) {
  sl_error err;
  sl_error_clear(&err);
  if (sh->names) {
    sl_shell_words ids = {0};
    if (sl_shell_names_running_queries(sh->names, &ids, &err) == SL_OK &&
        ids.count > 0) {
      fprintf(stderr, "stopping %zu running quer%s:", ids.count,
              ids.count == 1 ? "y" : "ies");
      for (size_t i = 0; i < ids.count; i++)
        fprintf(stderr, "%s %s", i ? "," : "", ids.items[i]);
      fputc('\n', stderr);
    }
    sl_shell_words_free(&ids);
  }

  /* In bounded mode the queries finish on their own; wait for them. */
  if (!bounded)
    sl_session_request_stop(sh->session);
  running_session = sh->session;
  sl_status rc = sl_session_wait(sh->session, &err);
  running_session = NULL;
  if (rc == SL_OK)
    return 0;
  sl_cli_report(&err, NULL, 0);
  return sl_error_exit_code(rc);
}

static int usage_error(const char *fmt, const char *arg) {
  fputs("sluice shell: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return 2;
}

int sl_cmd_shell(int argc, char **argv) {
  /* The shell is quiet by default: lifecycle logs only with
   * --log-level info. */
  sl_log_set_level(SL_LOG_WARN);
  sl_cli_options opts;
  bool help;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_parse_options(argc, argv, &opts, &help, &err))
    return usage_error("%s", err.message);
  if (help) {
    fputs(shell_help, stdout);
    fputs(sl_cli_common_help, stdout);
    return 0;
  }
  if (opts.nargs > 0)
    return usage_error("unexpected argument \"%s\"; scripts run with "
                       "\\i FILE, or sluice run", opts.args[0]);
  if (opts.log_file && sl_log_set_file(opts.log_file, &err))
    return usage_error("%s", err.message);

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
      .metrics_port = opts.metrics_port,
      .live_status = isatty(STDIN_FILENO) && isatty(STDERR_FILENO),
  };
  sl_shell sh = {0};
  sh.saved_stdout = -1;
  sh.interactive = isatty(STDIN_FILENO);
  sh.tables = sopts.output == SL_OUTPUT_TABLE;
  sh.timing = footers_timed(&sh);
  if (sl_session_open(&sopts, &sh.session, &err)) {
    sl_cli_report(&err, NULL, 0);
    return sl_error_exit_code(err.code);
  }
  sl_kafka_config *cluster = cluster_config(&opts);
  if (sl_shell_names_open(sl_session_catalog(sh.session), cluster,
                          &sh.names, &err)) {
    SL_WARN("shell", "no completion of names: %s", err.message);
    sh.names = NULL;
  }
  sl_kafka_config_free(cluster);
  sl_shell_source src = {0};
  if (sh.names)
    src = sl_shell_names_source(sh.names);
  install_signals();

  int code = 0;
  FILE *tty = NULL;
  for (int i = 0; i < opts.ninline && code == 0; i++)
    code = sl_shell_execute(&sh, "<command line>", opts.inline_sql[i],
                            strlen(opts.inline_sql[i]));
  if (sh.interactive) {
    code = 0;
    /* Characters as the terminal encodes them, for line editing. */
    setlocale(LC_CTYPE, "");
    open_wake_pipe();
    char history[4400];
    const char *hist_path = history;
    if (sl_shell_history_path(history, sizeof(history), &err)) {
      SL_WARN("shell", "%s", err.message);
      hist_path = NULL;
    }
    /* Prompts go to a descriptor of their own, so that \o moving
     * stdout leaves them on the terminal. */
    int tty_fd = dup(isatty(STDOUT_FILENO) ? STDOUT_FILENO : STDERR_FILENO);
    tty = tty_fd >= 0 ? fdopen(tty_fd, "w") : NULL;
    if (!tty) {
      if (tty_fd >= 0)
        close(tty_fd);
      fprintf(stderr, "sluice shell: cannot open the terminal: %s\n",
              strerror(errno));
      code = 3;
    } else if (sl_shell_edit_open(stdin, tty, wake_pipe[0], hist_path, &src,
                                  &sh.edit, &err)) {
      sl_cli_report(&err, NULL, 0);
      code = sl_error_exit_code(err.code);
    } else {
      loop_terminal(&sh);
    }
  } else if (code == 0) {
    code = loop_input(&sh);
  }

  sl_shell_spool_end(&sh);
  int stop_code = stop_queries(&sh, opts.bounded);
  if (code == 0)
    code = stop_code;
  restore_signals();
  sl_shell_edit_close(sh.edit);
  close_wake_pipe();
  if (tty)
    fclose(tty);
  sl_shell_names_close(sh.names);
  sl_session_close(sh.session);
  return code;
}
