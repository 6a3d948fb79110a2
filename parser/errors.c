/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.c - renders an sl_error with the source line and a caret.
 */
#include "parser/errors.h"

sl_status sl_parse_render_error(const sl_error *err, const char *text,
                                size_t len, sl_strbuf *out) {
  char head[SL_ERROR_MSG_MAX + 2 * SL_ERROR_NAME_MAX + 64];
  sl_strbuf_appends(out, sl_error_format(err, head, sizeof head));
  sl_strbuf_appendc(out, '\n');
  if (err->loc != SL_LOC_SQL || err->line < 1 || !text)
    return out->failed ? SL_ERR_NOMEM : SL_OK;

  /* Find the line. */
  size_t start = 0;
  int line = 1;
  while (line < err->line && start < len) {
    if (text[start++] == '\n')
      line++;
  }
  if (line < err->line)
    return out->failed ? SL_ERR_NOMEM : SL_OK;
  size_t end = start;
  while (end < len && text[end] != '\n')
    end++;
  size_t shown = end;
  if (shown > start && text[shown - 1] == '\r')
    shown--;
  sl_strbuf_append(out, text + start, shown - start);
  sl_strbuf_appendc(out, '\n');

  /* The caret: one blank per character before the column, a tab where
   * the source has one.  Columns past the end of the line (an error at
   * the end of input) pad with spaces. */
  int column = 1;
  for (size_t i = start; i < shown && column < err->column; i++) {
    unsigned char c = (unsigned char)text[i];
    if ((c & 0xC0) == 0x80)
      continue; /* a continuation byte of the character already counted */
    sl_strbuf_appendc(out, c == '\t' ? '\t' : ' ');
    column++;
  }
  for (; column < err->column; column++)
    sl_strbuf_appendc(out, ' ');
  sl_strbuf_appends(out, "^\n");
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
