/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell.h - the state of one `sluice shell`, shared by the statement loop
 * (cmd_shell.c) and the meta commands (shell_meta.c).
 */
#ifndef SLUICE_CLI_SHELL_H
#define SLUICE_CLI_SHELL_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/shell_edit.h"
#include "cli/shell_names.h"
#include "engine/exec/session.h"

typedef struct sl_shell {
  sl_session *session;
  sl_shell_names *names;   /* NULL: no catalog names to complete */
  sl_shell_edit *edit;     /* NULL when standard input is not a terminal */
  bool interactive;        /* prompts; errors do not end the shell */
  bool tables;             /* results print as tables (--output) */
  bool timing;             /* \timing: show how long each statement took:
                              in the footer of its tables on a terminal,
                              else on a line "Time: N ms"; on by default
                              when tables go to a terminal */
  bool quit;               /* \q, or SIGTERM */
  int saved_stdout;        /* \o: the descriptor stdout had; -1 if none */
} sl_shell;

/* Runs text (a script of one or more statements) in the session; file
 * names it in messages.  Errors are reported with the caret display
 * against text.  Returns 0 or the exit code of the conventions. */
int sl_shell_execute(sl_shell *sh, const char *file, const char *text,
                     size_t len);

/* Runs the meta command in line (which starts with a backslash).
 * Returns 0, 2 for a usage error (unknown command, missing argument) or
 * the exit code of a failing script run by \i; the error is reported. */
int sl_shell_meta(sl_shell *sh, const char *line);

/* Ends \o spooling: standard output is the shell's own again. */
void sl_shell_spool_end(sl_shell *sh);

/* The text of \help. */
extern const char sl_shell_meta_help[];

#endif
