/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_edit.c - libedit line editing, history and Tab completion for the
 * shell (see shell_edit.h).
 *
 * libedit is driven through its native interface (histedit.h).  Tab is
 * bound to a function of ours that asks the completer, replaces the word
 * under the cursor with the longest prefix the matches share, and lists
 * the matches when that prefix adds nothing.
 */
#include "cli/shell_edit.h"

#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "engine/types/strbuf.h"

#define HISTORY_SIZE 1000

struct sl_shell_edit {
  EditLine *el;
  History *hist;
  FILE *out;
  int in_fd;
  int wake_fd;             /* readable: end the read in progress */
  char *history_path;
  const sl_shell_source *src;
  const char *prompt;      /* the prompt of the read in progress */
  const char *pending;     /* earlier lines of the statement */
  size_t pending_len;
  char *line;              /* the last line read, without newline */
};

/* ---- History file -------------------------------------------------------- */

static sl_status make_dir(const char *path, mode_t mode, sl_error *err) {
  if (mkdir(path, mode) == 0 || errno == EEXIST)
    return SL_OK;
  return sl_error_set(err, SL_ERR_IO, "cannot create %s: %s", path,
                      strerror(errno));
}

sl_status sl_shell_history_path(char *buf, size_t size, sl_error *err) {
  const char *xdg = getenv("XDG_DATA_HOME");
  const char *home = getenv("HOME");
  char base[4096];
  if (xdg && xdg[0] == '/') {
    snprintf(base, sizeof(base), "%s", xdg);
    if (make_dir(base, 0755, err))
      return err->code;
  } else if (home && *home) {
    /* ~/.local/share, made step by step as mkdir -p would. */
    snprintf(base, sizeof(base), "%s/.local", home);
    if (make_dir(base, 0755, err))
      return err->code;
    snprintf(base, sizeof(base), "%s/.local/share", home);
    if (make_dir(base, 0755, err))
      return err->code;
  } else {
    return sl_error_set(err, SL_ERR_IO, "no history: HOME is not set");
  }

  /* The history may hold secrets typed in statements: keep it private. */
  char dir[4200];
  snprintf(dir, sizeof(dir), "%s/sluice", base);
  if (make_dir(dir, 0700, err))
    return err->code;
  if ((size_t)snprintf(buf, size, "%s/history", dir) >= size)
    return sl_error_set(err, SL_ERR_IO, "history path too long: %s",
                        dir);
  return SL_OK;
}

/* ---- Completion ---------------------------------------------------------- */

/* Counts the characters (not bytes) of n bytes of UTF-8. */
static int utf8_chars(const char *s, size_t n) {
  int count = 0;
  for (size_t i = 0; i < n; i++) {
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      count++;
  }
  return count;
}

/* Prints the matches in columns below the line being edited. */
static void list_matches(sl_shell_edit *e, const sl_shell_completion *c) {
  size_t width = 0;
  for (size_t i = 0; i < c->matches.count; i++) {
    size_t n = strlen(c->matches.items[i]);
    if (n > width)
      width = n;
  }
  width += 2;
  int cols = 0;
  el_get(e->el, EL_GETTC, "co", &cols);
  if (cols <= 0)
    cols = 80;
  size_t per_line = (size_t)cols / width;
  if (per_line == 0)
    per_line = 1;

  fputc('\n', e->out);
  for (size_t i = 0; i < c->matches.count; i++) {
    bool last = (i + 1) % per_line == 0 || i + 1 == c->matches.count;
    if (last)
      fprintf(e->out, "%s\n", c->matches.items[i]);
    else
      fprintf(e->out, "%-*s", (int)width, c->matches.items[i]);
  }
  fflush(e->out);
}

static unsigned char complete(EditLine *el, wint_t ch) {
  (void)ch;
  sl_shell_edit *e = NULL;
  el_get(el, EL_CLIENTDATA, &e);
  if (!e || !e->src)
    return CC_ERROR;

  /* The statement so far: earlier lines, then this one. */
  const LineInfo *li = el_line(el);
  size_t before = (size_t)(li->cursor - li->buffer);
  size_t linelen = (size_t)(li->lastchar - li->buffer);
  sl_strbuf text;
  sl_strbuf_init(&text);
  sl_strbuf_append(&text, e->pending, e->pending_len);
  sl_strbuf_append(&text, li->buffer, linelen);
  sl_strbuf_appends(&text, "");
  if (text.failed) {
    sl_strbuf_free(&text);
    return CC_ERROR;
  }

  size_t cursor = e->pending_len + before;
  sl_shell_completion c;
  if (sl_shell_complete(text.data, text.len, cursor, e->src, &c)) {
    sl_strbuf_free(&text);
    return CC_ERROR;
  }

  /* The word must be on this line to be replaced. */
  unsigned char rc = CC_REFRESH_BEEP;
  if (c.matches.count > 0 && c.start >= e->pending_len) {
    const char *word = text.data + c.start;
    size_t wlen = cursor - c.start;
    size_t common = sl_shell_completion_common(&c);
    bool extends = common > wlen || c.matches.count == 1 ||
                   strncmp(c.matches.items[0], word, wlen) != 0;
    if (extends) {
      char *insert = malloc(common + strlen(c.suffix) + 1);
      if (insert) {
        memcpy(insert, c.matches.items[0], common);
        insert[common] = '\0';
        if (c.matches.count == 1)
          strcat(insert, c.suffix);
        el_deletestr(el, utf8_chars(word, wlen));
        el_insertstr(el, insert);
        free(insert);
        rc = CC_REFRESH;
      }
    } else {
      list_matches(e, &c);
      rc = CC_REDISPLAY;
    }
  }
  sl_shell_completion_free(&c);
  sl_strbuf_free(&text);
  return rc;
}

/* ---- Input --------------------------------------------------------------- */

/* Empties the wake-up descriptor. */
static void drain(int fd) {
  char buf[64];
  while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0) {
  }
}

/* libedit's character source: one character from the terminal, or -1
 * with errno EINTR when the wake-up descriptor turns readable first.
 * Waiting on both in one poll closes the gap a signal could otherwise
 * fall into, whichever thread the signal is delivered to. */
static int read_char(EditLine *el, wchar_t *wc) {
  sl_shell_edit *e = NULL;
  el_get(el, EL_CLIENTDATA, &e);
  char bytes[MB_LEN_MAX];
  size_t n = 0;
  mbstate_t state;
  memset(&state, 0, sizeof(state));
  for (;;) {
    struct pollfd fds[2] = {{e->in_fd, POLLIN, 0}, {e->wake_fd, POLLIN, 0}};
    int ready = poll(fds, e->wake_fd >= 0 ? 2 : 1, -1);
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready < 0)
      return -1;
    if (e->wake_fd >= 0 && (fds[1].revents & POLLIN)) {
      drain(e->wake_fd);
      errno = EINTR;
      return -1;
    }
    ssize_t got = read(e->in_fd, bytes + n, 1);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return got == 0 ? 0 : -1;
    n++;
    memset(&state, 0, sizeof(state));
    size_t rc = mbrtowc(wc, bytes, n, &state);
    if (rc == (size_t)-2 && n < sizeof(bytes))
      continue;
    if (rc == (size_t)-1 || rc == (size_t)-2)
      *wc = (wchar_t)(unsigned char)bytes[0];
    return 1;
  }
}

/* ---- Editor -------------------------------------------------------------- */

static char *prompt_fn(EditLine *el) {
  sl_shell_edit *e = NULL;
  el_get(el, EL_CLIENTDATA, &e);
  return (char *)(e && e->prompt ? e->prompt : "");
}

sl_status sl_shell_edit_open(FILE *in, FILE *out, int wake_fd,
                             const char *history_path,
                             const sl_shell_source *src,
                             sl_shell_edit **edit, sl_error *err) {
  *edit = NULL;
  sl_shell_edit *e = calloc(1, sizeof(*e));
  if (!e)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  e->out = out;
  e->in_fd = fileno(in);
  e->wake_fd = wake_fd;
  e->src = src;
  if (history_path && !(e->history_path = strdup(history_path))) {
    free(e);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }

  e->el = el_init("sluice", in, out, stderr);
  e->hist = history_init();
  if (!e->el || !e->hist) {
    sl_shell_edit_close(e);
    return sl_error_set(err, SL_ERR_RUNTIME, "cannot start line editing");
  }
  HistEvent ev;
  history(e->hist, &ev, H_SETSIZE, HISTORY_SIZE);
  history(e->hist, &ev, H_SETUNIQUE, 1);
  /* A missing file is a first run, not an error. */
  if (e->history_path)
    history(e->hist, &ev, H_LOAD, e->history_path);

  el_set(e->el, EL_CLIENTDATA, e);
  el_set(e->el, EL_EDITOR, "emacs");
  el_set(e->el, EL_PROMPT, prompt_fn);
  el_set(e->el, EL_HIST, history, e->hist);
  el_set(e->el, EL_GETCFN, read_char);
  /* The wide form: the narrow one copies the strings and never frees
   * them. */
  el_wset(e->el, EL_ADDFN, L"sl-complete", L"complete the word", complete);
  el_set(e->el, EL_BIND, "^I", "sl-complete", NULL);
  /* ~/.editrc and friends, as every libedit program reads them. */
  el_source(e->el, NULL);
  *edit = e;
  return SL_OK;
}

void sl_shell_edit_close(sl_shell_edit *e) {
  if (!e)
    return;
  if (e->el)
    el_end(e->el);
  if (e->hist)
    history_end(e->hist);
  free(e->history_path);
  free(e->line);
  free(e);
}

sl_shell_read sl_shell_edit_read(sl_shell_edit *e, const char *prompt,
                                 const char *pending, size_t pending_len,
                                 const char **line) {
  e->prompt = prompt;
  e->pending = pending;
  e->pending_len = pending_len;
  *line = NULL;

  /* The window may have changed size since the last read; a wake-up
   * from before this read (Ctrl-C while a statement ran) is stale. */
  el_resize(e->el);
  drain(e->wake_fd);
  int count = 0;
  errno = 0;
  const char *got = el_gets(e->el, &count);
  e->pending = NULL;
  e->pending_len = 0;
  if (!got || count <= 0) {
    if (errno == EINTR)
      return SL_SHELL_READ_INTERRUPTED;
    return SL_SHELL_READ_EOF;
  }

  size_t n = (size_t)count;
  while (n > 0 && (got[n - 1] == '\n' || got[n - 1] == '\r'))
    n--;
  char *copy = malloc(n + 1);
  if (!copy)
    return SL_SHELL_READ_EOF;
  memcpy(copy, got, n);
  copy[n] = '\0';
  free(e->line);
  e->line = copy;
  *line = copy;
  return SL_SHELL_READ_LINE;
}

sl_status sl_shell_edit_remember(sl_shell_edit *e, const char *entry,
                                 sl_error *err) {
  HistEvent ev;
  if (history(e->hist, &ev, H_ENTER, entry) < 0)
    return sl_error_set(err, SL_ERR_NOMEM, "cannot add to the history");
  if (!e->history_path)
    return SL_OK;
  if (history(e->hist, &ev, H_SAVE, e->history_path) < 0)
    return sl_error_set(err, SL_ERR_IO, "cannot save the history to %s",
                        e->history_path);
  chmod(e->history_path, 0600);
  return SL_OK;
}
