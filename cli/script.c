/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script.c - script input and error display for the SQL commands.
 */
#include "cli/script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/strbuf.h"
#include "parser/errors.h"

sl_status sl_cli_read_script(const char *path, char **text, size_t *len,
                             const char **name, sl_error *err) {
  bool is_stdin = strcmp(path, "-") == 0;
  *name = is_stdin ? "<stdin>" : path;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f)
    return sl_error_set_file(err, SL_ERR_IO, path, 0, "cannot open: %s",
                             strerror(errno));

  sl_strbuf buf;
  sl_strbuf_init(&buf);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    sl_strbuf_append(&buf, chunk, n);
  bool failed = ferror(f) != 0;
  int saved = errno;
  if (!is_stdin)
    fclose(f);
  if (failed || sl_strbuf_appends(&buf, "")) {
    sl_strbuf_free(&buf);
    return sl_error_set_file(err, SL_ERR_IO, *name, 0, "cannot read: %s",
                             failed ? strerror(saved) : "out of memory");
  }
  /* A NUL byte would end the script early without a word. */
  const char *nul = buf.len ? memchr(buf.data, '\0', buf.len) : NULL;
  if (nul) {
    int line = 1;
    for (const char *p = buf.data; p < nul; p++)
      line += *p == '\n';
    sl_strbuf_free(&buf);
    return sl_error_set_file(err, SL_ERR_SQL, *name, line,
                             "a NUL byte in the script; scripts are text");
  }
  *text = sl_strbuf_detach(&buf, len);
  if (!*text) {
    /* An empty file is an empty script. */
    *text = calloc(1, 1);
    *len = 0;
    if (!*text)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  return SL_OK;
}

void sl_cli_report(const sl_error *err, const char *text, size_t len) {
  if (err->loc == SL_LOC_SQL && text) {
    sl_strbuf out;
    sl_strbuf_init(&out);
    if (sl_parse_render_error(err, text, len, &out) == SL_OK && out.data) {
      fputs(out.data, stderr);
      if (out.len && out.data[out.len - 1] != '\n')
        fputc('\n', stderr);
      sl_strbuf_free(&out);
      return;
    }
    sl_strbuf_free(&out);
  }
  char buf[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX];
  fprintf(stderr, "%s\n", sl_error_format(err, buf, sizeof(buf)));
}

void sl_cli_vars(const sl_cli_options *opts, sl_parse_var *vars,
                 size_t *nvars) {
  for (int i = 0; i < opts->nvars; i++) {
    vars[i].name = opts->var_names[i];
    vars[i].value = opts->var_values[i];
  }
  *nvars = (size_t)opts->nvars;
}
