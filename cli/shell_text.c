/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_text.c - the shell's forgiving tokenizer (see shell_text.h).
 */
#include "cli/shell_text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool sl_shell_is_word_byte(unsigned char c) {
  return isalnum(c) || c == '_' || c >= 0x80;
}

static void push(sl_shell_toks *toks, sl_shell_tok_kind kind, size_t start,
                 size_t end) {
  if (toks->failed)
    return;
  if (toks->count == toks->cap) {
    size_t cap = toks->cap ? toks->cap * 2 : 32;
    sl_shell_tok *items = realloc(toks->items, cap * sizeof(*items));
    if (!items) {
      toks->failed = true;
      return;
    }
    toks->items = items;
    toks->cap = cap;
  }
  toks->items[toks->count++] = (sl_shell_tok){kind, start, end};
}

/* Skips a quoted run starting at s[i] == quote, where a doubled quote
 * stands for itself.  Returns the offset after the closing quote, or len
 * when the quote is not closed. */
static size_t skip_quoted(const char *s, size_t len, size_t i, char quote,
                          bool *closed) {
  for (i++; i < len; i++) {
    if (s[i] != quote)
      continue;
    if (i + 1 < len && s[i + 1] == quote) {
      i++;
      continue;
    }
    *closed = true;
    return i + 1;
  }
  *closed = false;
  return len;
}

void sl_shell_lex(const char *text, size_t len, sl_shell_toks *toks) {
  memset(toks, 0, sizeof(*toks));
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    size_t start = i;
    bool closed;

    if (isspace(c)) {
      i++;
    } else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
      while (i < len && s[i] != '\n')
        i++;
      if (i == len) {
        toks->end = SL_SHELL_END_COMMENT;
        toks->open_at = start;
      }
    } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
      const char *close = NULL;
      for (size_t j = i + 2; j + 1 < len; j++) {
        if (s[j] == '*' && s[j + 1] == '/') {
          close = text + j;
          break;
        }
      }
      if (!close) {
        toks->end = SL_SHELL_END_COMMENT;
        toks->open_at = start;
        return;
      }
      i = (size_t)(close - text) + 2;
    } else if (c == '\'' || c == '"') {
      i = skip_quoted(text, len, i, (char)c, &closed);
      if (!closed) {
        toks->end = c == '\'' ? SL_SHELL_END_STRING : SL_SHELL_END_QUOTED;
        toks->open_at = start;
        return;
      }
      push(toks, c == '\'' ? SL_SHELL_TOK_STRING : SL_SHELL_TOK_QUOTED,
           start, i);
    } else if (isdigit(c)) {
      while (i < len && (sl_shell_is_word_byte(s[i]) || s[i] == '.'))
        i++;
      push(toks, SL_SHELL_TOK_NUMBER, start, i);
    } else if (sl_shell_is_word_byte(c)) {
      while (i < len && sl_shell_is_word_byte(s[i]))
        i++;
      push(toks, SL_SHELL_TOK_WORD, start, i);
    } else {
      i++;
      push(toks, SL_SHELL_TOK_PUNCT, start, i);
    }
  }
}

void sl_shell_toks_free(sl_shell_toks *toks) {
  free(toks->items);
  memset(toks, 0, sizeof(*toks));
}

bool sl_shell_tok_is(const char *text, const sl_shell_tok *tok,
                     const char *keyword) {
  size_t n = strlen(keyword);
  if (tok->kind != SL_SHELL_TOK_WORD || tok->end - tok->start != n)
    return false;
  for (size_t i = 0; i < n; i++) {
    if (toupper((unsigned char)text[tok->start + i]) != keyword[i])
      return false;
  }
  return true;
}

bool sl_shell_is_blank(const char *text, size_t len) {
  sl_shell_toks toks;
  sl_shell_lex(text, len, &toks);
  bool blank = toks.count == 0 && !toks.failed &&
               (toks.end == SL_SHELL_END_CODE ||
                toks.end == SL_SHELL_END_COMMENT);
  /* An open block comment still waits for its end: not blank. */
  if (toks.end == SL_SHELL_END_COMMENT && text[toks.open_at] == '/')
    blank = false;
  sl_shell_toks_free(&toks);
  return blank;
}
