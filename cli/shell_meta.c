/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_meta.c - the shell's backslash commands: \help, \i, \o, \timing
 * and \q.
 *
 * A meta command takes the whole line it starts and is recognized only at
 * the start of a statement.  Its argument is the rest of the line, blanks
 * trimmed, optionally in single or double quotes; a leading "~/" is the
 * home directory.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/script.h"
#include "cli/shell.h"

const char sl_shell_meta_help[] =
    "Statements end with ';' and may span lines; Ctrl-C drops the one\n"
    "being typed or stops the one running, Ctrl-D leaves.  Tab completes\n"
    "keywords, object names, columns after \"alias.\" and topics after\n"
    "PRINT.\n"
    "\n"
    "Meta commands (at the start of a statement):\n"
    "  \\help            this help (also \\h and \\?)\n"
    "  \\i FILE          run the SQL script FILE\n"
    "  \\o [FILE]        write results to FILE (truncated); alone, back to\n"
    "                   standard output\n"
    "  \\timing [on|off] show how long each statement takes: in the\n"
    "                   footer of result tables on a terminal (on by\n"
    "                   default there), else as \"Time: N ms\" (toggles\n"
    "                   without an argument)\n"
    "  \\q               stop the running queries and leave\n";

/* Copies the argument of a meta command into buf (unquoted, "~/"
 * expanded); returns false when it does not fit. */
static bool meta_argument(const char *arg, char *buf, size_t size) {
  while (isspace((unsigned char)*arg))
    arg++;
  size_t n = strlen(arg);
  while (n > 0 && isspace((unsigned char)arg[n - 1]))
    n--;
  if (n >= 2 && (arg[0] == '\'' || arg[0] == '"') && arg[n - 1] == arg[0]) {
    arg++;
    n -= 2;
  }

  const char *home = getenv("HOME");
  size_t used = 0;
  if (n >= 2 && arg[0] == '~' && arg[1] == '/' && home) {
    used = strlen(home);
    if (used >= size)
      return false;
    memcpy(buf, home, used);
    arg++;
    n--;
  }
  if (used + n >= size)
    return false;
  memcpy(buf + used, arg, n);
  buf[used + n] = '\0';
  return true;
}

static int meta_include(sl_shell *sh, const char *path) {
  if (!*path) {
    fprintf(stderr, "\\i needs a file name\n");
    return 2;
  }
  char *text = NULL;
  size_t len = 0;
  const char *name = NULL;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_read_script(path, &text, &len, &name, &err)) {
    sl_cli_report(&err, NULL, 0);
    return sl_error_exit_code(err.code);
  }
  int code = sl_shell_execute(sh, name, text, len);
  free(text);
  return code;
}

void sl_shell_spool_end(sl_shell *sh) {
  if (sh->saved_stdout < 0)
    return;
  fflush(stdout);
  dup2(sh->saved_stdout, STDOUT_FILENO);
  close(sh->saved_stdout);
  sh->saved_stdout = -1;
}

/* \o: results go to path, or back to the shell's standard output.  The
 * session writes to stdout, so the spool file takes stdout's descriptor;
 * prompts and line editing keep the terminal. */
static int meta_spool(sl_shell *sh, const char *path) {
  if (!*path) {
    sl_shell_spool_end(sh);
    return 0;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) {
    fprintf(stderr, "\\o: cannot open %s: %s\n", path, strerror(errno));
    return 3;
  }
  fflush(stdout);
  if (sh->saved_stdout < 0)
    sh->saved_stdout = dup(STDOUT_FILENO);
  dup2(fd, STDOUT_FILENO);
  close(fd);
  return 0;
}

static int meta_timing(sl_shell *sh, const char *arg) {
  if (!*arg)
    sh->timing = !sh->timing;
  else if (strcmp(arg, "on") == 0)
    sh->timing = true;
  else if (strcmp(arg, "off") == 0)
    sh->timing = false;
  else {
    fprintf(stderr, "\\timing expects on or off, got \"%s\"\n", arg);
    return 2;
  }
  fprintf(stderr, "Timing is %s.\n", sh->timing ? "on" : "off");
  return 0;
}

int sl_shell_meta(sl_shell *sh, const char *line) {
  while (isspace((unsigned char)*line))
    line++;
  const char *name = line + 1;
  size_t nlen = 0;
  while (name[nlen] && !isspace((unsigned char)name[nlen]))
    nlen++;
  char arg[4096];
  if (!meta_argument(name + nlen, arg, sizeof(arg))) {
    fprintf(stderr, "\\%.*s: argument too long\n", (int)nlen, name);
    return 2;
  }

#define IS(word) (nlen == strlen(word) && strncmp(name, word, nlen) == 0)
  if (IS("help") || IS("h") || IS("?")) {
    fputs(sl_shell_meta_help, stdout);
    fflush(stdout);
    return 0;
  }
  if (IS("q") || IS("quit")) {
    sh->quit = true;
    return 0;
  }
  if (IS("i") || IS("include"))
    return meta_include(sh, arg);
  if (IS("o") || IS("out"))
    return meta_spool(sh, arg);
  if (IS("timing"))
    return meta_timing(sh, arg);
#undef IS

  fprintf(stderr, "unknown command \\%.*s; \\help lists the commands\n",
          (int)nlen, name);
  return 2;
}
