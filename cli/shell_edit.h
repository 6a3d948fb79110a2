/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_edit.h - line editing for the interactive shell, over libedit.
 *
 * One editor reads lines from the terminal with emacs key bindings, keeps
 * a history that persists in a file (each statement one entry, multi-line
 * ones included), and completes with Tab through a completion source
 * (shell_complete.h).  Completion sees the statement typed on earlier
 * lines too, which the caller passes with each read.
 *
 * Ctrl-C: the caller's SIGINT handler writes a byte to a pipe whose
 * read end it gave the editor (the self-pipe idiom, which works whichever
 * thread takes the signal); the read in progress then ends and
 * sl_shell_edit_read reports it, so that the caller can drop the
 * statement being typed.
 */
#ifndef SLUICE_CLI_SHELL_EDIT_H
#define SLUICE_CLI_SHELL_EDIT_H

#include <stddef.h>
#include <stdio.h>

#include "cli/shell_complete.h"
#include "engine/common/error.h"

typedef struct sl_shell_edit sl_shell_edit;

typedef enum sl_shell_read {
  SL_SHELL_READ_LINE = 0,    /* a line was read */
  SL_SHELL_READ_INTERRUPTED, /* Ctrl-C (a signal) interrupted the read */
  SL_SHELL_READ_EOF          /* Ctrl-D on an empty line, or end of input */
} sl_shell_read;

/* The history file: $XDG_DATA_HOME/sluice/history, else
 * $HOME/.local/share/sluice/history; creates the directories (the last
 * one private).  Writes the path into buf.  Fails when neither variable
 * is set or a directory cannot be made. */
sl_status sl_shell_history_path(char *buf, size_t size, sl_error *err);

/* Opens an editor on the terminal in/out (neither is closed by the
 * editor).  wake_fd (non-blocking; -1 for none) ends a read when it turns
 * readable; the editor empties it.  history_path (may be NULL: no
 * persistence) is loaded when it exists.  src (may be NULL) gives
 * completion names and must outlive the editor. */
sl_status sl_shell_edit_open(FILE *in, FILE *out, int wake_fd,
                             const char *history_path,
                             const sl_shell_source *src,
                             sl_shell_edit **edit, sl_error *err);

/* Restores the terminal and frees the editor.  Accepts NULL. */
void sl_shell_edit_close(sl_shell_edit *e);

/* Shows prompt and reads one line (without its newline) into *line,
 * which stays valid until the next read.  pending (len bytes, may be
 * empty) is the statement typed on earlier lines, for completion. */
sl_shell_read sl_shell_edit_read(sl_shell_edit *e, const char *prompt,
                                 const char *pending, size_t pending_len,
                                 const char **line);

/* Adds entry to the history and saves the history file.  Returns SL_OK
 * or an SL_ERR_IO naming the file. */
sl_status sl_shell_edit_remember(sl_shell_edit *e, const char *entry,
                                 sl_error *err);

#endif
