/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lexer.h - the hand-written tokenizer of the Sluice SQL dialect.
 *
 * The lexer turns text (after ${name} substitution) into tokens one at a
 * time.  It knows nothing of the grammar: a bare word is SL_LEX_WORD with
 * its text folded to lower case, and the parser decides whether that word
 * is a keyword.  Quoted identifiers ("Name", "" for a quote) keep their
 * case; strings ('it''s') are decoded; numbers are classified as integer,
 * decimal or double (with an exponent) and keep their digits as written.
 * Whitespace and comments (-- to end of line, / * ... * /) are skipped.
 *
 * Positions are reported in the original text: when the text came out of
 * substitution, a position map (vars.h) translates offsets back, and line
 * and column are computed there (columns count characters, 1-based).
 * Errors (unterminated string, quoted identifier or comment, a bad number,
 * a stray character) are SL_ERR_SQL with that position.
 */
#ifndef SLUICE_PARSER_LEXER_H
#define SLUICE_PARSER_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "parser/ast.h"
#include "parser/vars.h"

typedef enum sl_lex_kind {
  SL_LEX_EOF = 0,
  SL_LEX_WORD,         /* unquoted identifier or keyword, lower case */
  SL_LEX_QUOTED,       /* "quoted identifier", case kept */
  SL_LEX_STRING,       /* 'string', decoded */
  SL_LEX_INTEGER,      /* 123 */
  SL_LEX_DECIMAL,      /* 1.5, .5, 1. */
  SL_LEX_DOUBLE,       /* 1e5, 1.5E-3 */
  SL_LEX_LPAREN,       /* ( */
  SL_LEX_RPAREN,       /* ) */
  SL_LEX_LBRACKET,     /* [ */
  SL_LEX_RBRACKET,     /* ] */
  SL_LEX_COMMA,        /* , */
  SL_LEX_SEMI,         /* ; */
  SL_LEX_DOT,          /* . */
  SL_LEX_STAR,         /* * */
  SL_LEX_PLUS,         /* + */
  SL_LEX_MINUS,        /* - */
  SL_LEX_SLASH,        /* / */
  SL_LEX_PERCENT,      /* % */
  SL_LEX_EQ,           /* = (also ==) */
  SL_LEX_NE,           /* <> or != */
  SL_LEX_LT,           /* < */
  SL_LEX_LE,           /* <= */
  SL_LEX_GT,           /* > */
  SL_LEX_GE,           /* >= */
  SL_LEX_CONCAT,       /* || */
  SL_LEX_DCOLON        /* :: */
} sl_lex_kind;

typedef struct sl_lex_token {
  sl_lex_kind kind;
  /* WORD: folded text; QUOTED, STRING: decoded contents; numbers: the
   * digits as written; operators: their spelling.  NUL-terminated, in the
   * lexer's arena. */
  const char *text;
  size_t len;          /* bytes of text */
  const char *raw;     /* the token in the substituted input */
  size_t raw_len;
  sl_ast_pos pos;      /* first character, in the original text */
  sl_ast_pos end;      /* just past the last character */
} sl_lex_token;

typedef struct sl_lexer {
  const char *file;
  const char *input;      /* text to scan (after substitution) */
  size_t input_len;
  size_t at;              /* next byte of input */
  const sl_vars_map *map; /* input offsets to original ones; NULL: same */
  const char *orig;       /* the original text, for lines and columns */
  size_t orig_len;
  sl_arena *arena;        /* token texts */

  /* A cursor in the original text that only moves forward, so that line
   * and column of each position cost the bytes since the previous one. */
  size_t cur_offset;
  int cur_line;
  int cur_column;
} sl_lexer;

/* Prepares lx to scan input (input_len bytes).  map and orig describe how
 * input came from the original text; with map NULL, orig may be NULL and
 * the input is the original.  Token texts go to arena, which must outlive
 * the tokens. */
void sl_lex_init(sl_lexer *lx, const char *file, const char *input,
                 size_t input_len, const sl_vars_map *map, const char *orig,
                 size_t orig_len, sl_arena *arena);

/* Scans the next token into *tok.  At the end of the input returns SL_OK
 * with kind SL_LEX_EOF (again on every later call).  On a lexical error
 * returns SL_ERR_SQL with err located at the offending character; out of
 * memory is SL_ERR_NOMEM. */
sl_status sl_lex_next(sl_lexer *lx, sl_lex_token *tok, sl_error *err);

/* The position in the original text of input offset `offset` (which must
 * not precede the last position asked for, or the scan restarts). */
sl_ast_pos sl_lex_position(sl_lexer *lx, size_t offset);

/* A short name of a token kind for messages ("identifier", "string",
 * "integer", "\")\"", ...). */
const char *sl_lex_kind_name(sl_lex_kind kind);

#endif /* SLUICE_PARSER_LEXER_H */
