/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_text.h - a light tokenizer for what is typed at the shell prompt.
 *
 * The shell needs to look at half-typed statements: whether what was
 * typed so far is only blanks and comments, which word the cursor is in,
 * which words came before it, and whether the cursor sits inside a string.
 * The parser's lexer wants whole statements and reports errors; this one
 * never fails.  It splits text into words (identifiers and keywords),
 * quoted identifiers, strings, numbers and single punctuation bytes,
 * skipping blanks and comments, and tells in which state the text ends
 * (in code, or inside an unterminated string, quoted identifier or
 * comment).
 */
#ifndef SLUICE_CLI_SHELL_TEXT_H
#define SLUICE_CLI_SHELL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum sl_shell_tok_kind {
  SL_SHELL_TOK_WORD = 0, /* identifier or keyword */
  SL_SHELL_TOK_QUOTED,   /* "quoted identifier" */
  SL_SHELL_TOK_STRING,   /* 'string' */
  SL_SHELL_TOK_NUMBER,
  SL_SHELL_TOK_PUNCT     /* one byte: ; , . ( ) = ... */
} sl_shell_tok_kind;

typedef struct sl_shell_tok {
  sl_shell_tok_kind kind;
  size_t start; /* byte offsets into the text: [start, end) */
  size_t end;
} sl_shell_tok;

typedef enum sl_shell_lex_end {
  SL_SHELL_END_CODE = 0, /* the text ends outside any quote or comment */
  SL_SHELL_END_STRING,   /* inside a '...' string */
  SL_SHELL_END_QUOTED,   /* inside a "..." identifier */
  SL_SHELL_END_COMMENT   /* inside a -- or block comment */
} sl_shell_lex_end;

typedef struct sl_shell_toks {
  sl_shell_tok *items;
  size_t count;
  size_t cap;
  sl_shell_lex_end end;
  size_t open_at;  /* where the unterminated quote or comment starts */
  bool failed;     /* out of memory: the list is incomplete */
} sl_shell_toks;

/* Splits len bytes of text into toks (which it initializes; free with
 * sl_shell_toks_free).  An unterminated string, quoted identifier or
 * comment at the end gives no token; toks->end and toks->open_at say
 * where it began. */
void sl_shell_lex(const char *text, size_t len, sl_shell_toks *toks);

void sl_shell_toks_free(sl_shell_toks *toks);

/* True when tok is a word equal to keyword (upper case) in any case. */
bool sl_shell_tok_is(const char *text, const sl_shell_tok *tok,
                     const char *keyword);

/* True when len bytes of text hold nothing but blanks and complete
 * comments: nothing to run. */
bool sl_shell_is_blank(const char *text, size_t len);

/* True for the bytes an unquoted identifier continues with: letters,
 * digits, '_' and every byte of a multi-byte UTF-8 character. */
bool sl_shell_is_word_byte(unsigned char c);

#endif
