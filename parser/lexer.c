/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lexer.c - tokens of the Sluice SQL dialect, with positions in the
 * original text.
 *
 * sl_lex_next skips blanks and comments, then looks at the first byte of
 * the token to pick a scanner: words, quoted identifiers, strings, numbers
 * or operators.  Token texts are copied (folded or decoded) into the arena
 * so that they stay valid while the parse result lives.
 */
#include "parser/lexer.h"

#include <stdio.h>
#include <string.h>

void sl_lex_init(sl_lexer *lx, const char *file, const char *input,
                 size_t input_len, const sl_vars_map *map, const char *orig,
                 size_t orig_len, sl_arena *arena) {
  lx->file = file;
  lx->input = input;
  lx->input_len = input_len;
  lx->at = 0;
  lx->map = map;
  lx->orig = orig ? orig : input;
  lx->orig_len = orig ? orig_len : input_len;
  lx->arena = arena;
  lx->cur_offset = 0;
  lx->cur_line = 1;
  lx->cur_column = 1;
}

sl_ast_pos sl_lex_position(sl_lexer *lx, size_t offset) {
  size_t target = lx->map ? sl_vars_map_offset(lx->map, offset) : offset;
  if (target > lx->orig_len)
    target = lx->orig_len;

  /* Positions are asked for in increasing order; a step back restarts. */
  if (target < lx->cur_offset) {
    lx->cur_offset = 0;
    lx->cur_line = 1;
    lx->cur_column = 1;
  }
  while (lx->cur_offset < target) {
    unsigned char ch = (unsigned char)lx->orig[lx->cur_offset++];
    if (ch == '\n') {
      lx->cur_line++;
      lx->cur_column = 1;
    } else if ((ch & 0xC0) != 0x80) {
      lx->cur_column++; /* UTF-8 continuation bytes are no new column */
    }
  }
  return (sl_ast_pos){lx->cur_line, lx->cur_column, target};
}

/* Reports a lexical error at input offset `at`. */
static sl_status lex_error(sl_lexer *lx, size_t at, const char *msg,
                           sl_error *err) {
  sl_ast_pos p = sl_lex_position(lx, at);
  return sl_error_set_sql(err, lx->file, p.line, p.column, "%s", msg);
}

static sl_status lex_nomem(sl_error *err) {
  return sl_error_set(err, SL_ERR_NOMEM, "out of memory while lexing");
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (unsigned char)c >= 0x80;
}

static bool is_word_char(char c) { return is_word_start(c) || is_digit(c); }

/* Skips blanks and comments.  An unterminated block comment is an error
 * at its opening. */
static sl_status skip_blanks(sl_lexer *lx, sl_error *err) {
  const char *s = lx->input;
  size_t n = lx->input_len;

  while (lx->at < n) {
    char c = s[lx->at];
    if (is_space(c)) {
      lx->at++;
    } else if (c == '-' && lx->at + 1 < n && s[lx->at + 1] == '-') {
      while (lx->at < n && s[lx->at] != '\n')
        lx->at++;
    } else if (c == '/' && lx->at + 1 < n && s[lx->at + 1] == '*') {
      size_t open = lx->at;
      lx->at += 2;
      for (;;) {
        if (lx->at + 1 >= n) {
          lx->at = n;
          return lex_error(lx, open, "unterminated comment: expected \"*/\"",
                           err);
        }
        if (s[lx->at] == '*' && s[lx->at + 1] == '/') {
          lx->at += 2;
          break;
        }
        lx->at++;
      }
    } else {
      break;
    }
  }
  return SL_OK;
}

/* A word: folded to lower case (ASCII only; other bytes kept). */
static sl_status scan_word(sl_lexer *lx, sl_lex_token *tok, sl_error *err) {
  size_t start = lx->at;
  while (lx->at < lx->input_len && is_word_char(lx->input[lx->at]))
    lx->at++;

  size_t len = lx->at - start;
  char *text = sl_arena_strndup(lx->arena, lx->input + start, len);
  if (!text)
    return lex_nomem(err);
  for (size_t i = 0; i < len; i++) {
    if (text[i] >= 'A' && text[i] <= 'Z')
      text[i] = (char)(text[i] - 'A' + 'a');
  }
  tok->kind = SL_LEX_WORD;
  tok->text = text;
  tok->len = len;
  return SL_OK;
}

/* A string or quoted identifier, delimited by q, where qq stands for one
 * q.  The decoded text has the doubled quotes undone. */
static sl_status scan_quoted(sl_lexer *lx, sl_lex_token *tok, char q,
                             sl_error *err) {
  const char *s = lx->input;
  size_t n = lx->input_len, open = lx->at;
  size_t i = open + 1, len = 0;

  /* First pass: find the end and the decoded length. */
  for (;;) {
    if (i >= n) {
      lx->at = n;
      return lex_error(lx, open,
                       q == '\'' ? "unterminated string: expected \"'\""
                                 : "unterminated quoted identifier: "
                                   "expected '\"'",
                       err);
    }
    if (s[i] == q) {
      if (i + 1 < n && s[i + 1] == q) {
        i += 2;
        len++;
        continue;
      }
      break;
    }
    i++;
    len++;
  }
  size_t close = i;
  if (q == '"' && len == 0) {
    lx->at = close + 1;
    return lex_error(lx, open, "zero-length quoted identifier", err);
  }

  /* Second pass: copy. */
  char *text = sl_arena_alloc(lx->arena, len + 1);
  if (!text)
    return lex_nomem(err);
  size_t o = 0;
  for (i = open + 1; i < close; i++) {
    text[o++] = s[i];
    if (s[i] == q)
      i++; /* skip the second of the pair */
  }
  text[o] = '\0';
  lx->at = close + 1;
  tok->kind = q == '\'' ? SL_LEX_STRING : SL_LEX_QUOTED;
  tok->text = text;
  tok->len = len;
  return SL_OK;
}

/* A number: digits [. digits] [e [+-] digits], or . digits ... */
static sl_status scan_number(sl_lexer *lx, sl_lex_token *tok,
                             sl_error *err) {
  const char *s = lx->input;
  size_t n = lx->input_len, start = lx->at, i = start;
  sl_lex_kind kind = SL_LEX_INTEGER;

  while (i < n && is_digit(s[i]))
    i++;
  if (i < n && s[i] == '.') {
    kind = SL_LEX_DECIMAL;
    i++;
    while (i < n && is_digit(s[i]))
      i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t e = i + 1;
    if (e < n && (s[e] == '+' || s[e] == '-'))
      e++;
    if (e >= n || !is_digit(s[e])) {
      lx->at = e;
      return lex_error(lx, start, "invalid number: exponent has no digits",
                       err);
    }
    while (e < n && is_digit(s[e]))
      e++;
    kind = SL_LEX_DOUBLE;
    i = e;
  }

  /* 12abc is neither a number nor a name: say so rather than splitting. */
  if (i < n && (is_word_char(s[i]) || s[i] == '.')) {
    lx->at = i;
    return lex_error(lx, start, "invalid number", err);
  }

  char *text = sl_arena_strndup(lx->arena, s + start, i - start);
  if (!text)
    return lex_nomem(err);
  lx->at = i;
  tok->kind = kind;
  tok->text = text;
  tok->len = i - start;
  return SL_OK;
}

/* Operators and punctuation. */
static sl_status scan_operator(sl_lexer *lx, sl_lex_token *tok,
                               sl_error *err) {
  const char *s = lx->input;
  size_t n = lx->input_len, at = lx->at;
  char c = s[at], d = at + 1 < n ? s[at + 1] : '\0';
  sl_lex_kind kind;
  size_t len = 1;

  switch (c) {
  case '(': kind = SL_LEX_LPAREN; break;
  case ')': kind = SL_LEX_RPAREN; break;
  case '[': kind = SL_LEX_LBRACKET; break;
  case ']': kind = SL_LEX_RBRACKET; break;
  case ',': kind = SL_LEX_COMMA; break;
  case ';': kind = SL_LEX_SEMI; break;
  case '.': kind = SL_LEX_DOT; break;
  case '*': kind = SL_LEX_STAR; break;
  case '+': kind = SL_LEX_PLUS; break;
  case '-': kind = SL_LEX_MINUS; break;
  case '/': kind = SL_LEX_SLASH; break;
  case '%': kind = SL_LEX_PERCENT; break;
  case '=':
    kind = SL_LEX_EQ;
    len = d == '=' ? 2 : 1;
    break;
  case '<':
    if (d == '=') {
      kind = SL_LEX_LE;
      len = 2;
    } else if (d == '>') {
      kind = SL_LEX_NE;
      len = 2;
    } else {
      kind = SL_LEX_LT;
    }
    break;
  case '>':
    kind = d == '=' ? SL_LEX_GE : SL_LEX_GT;
    len = d == '=' ? 2 : 1;
    break;
  case '!':
    if (d != '=')
      return lex_error(lx, at, "unexpected character \"!\"; did you mean "
                               "\"!=\" or NOT?", err);
    kind = SL_LEX_NE;
    len = 2;
    break;
  case '|':
    if (d != '|')
      return lex_error(lx, at, "unexpected character \"|\"; did you mean "
                               "\"||\"?", err);
    kind = SL_LEX_CONCAT;
    len = 2;
    break;
  case ':':
    if (d != ':')
      return lex_error(lx, at, "unexpected character \":\"; did you mean "
                               "\"::\"?", err);
    kind = SL_LEX_DCOLON;
    len = 2;
    break;
  default: {
    char msg[64];
    unsigned char uc = (unsigned char)c;
    if (uc >= 0x21 && uc < 0x7F)
      snprintf(msg, sizeof msg, "unexpected character \"%c\"", c);
    else
      snprintf(msg, sizeof msg, "unexpected character 0x%02X", uc);
    return lex_error(lx, at, msg, err);
  }
  }

  lx->at = at + len;
  tok->kind = kind;
  char *text = sl_arena_strndup(lx->arena, s + at, len);
  if (!text)
    return lex_nomem(err);
  tok->text = text;
  tok->len = len;
  return SL_OK;
}

sl_status sl_lex_next(sl_lexer *lx, sl_lex_token *tok, sl_error *err) {
  memset(tok, 0, sizeof *tok);

  sl_status rc = skip_blanks(lx, err);
  if (rc)
    return rc;

  size_t start = lx->at;
  tok->pos = sl_lex_position(lx, start);
  if (start >= lx->input_len) {
    tok->kind = SL_LEX_EOF;
    tok->text = "";
    tok->raw = lx->input + lx->input_len;
    tok->end = tok->pos;
    return SL_OK;
  }

  /* Pick the scanner by the first byte. */
  char c = lx->input[start];
  if (is_word_start(c))
    rc = scan_word(lx, tok, err);
  else if (c == '"')
    rc = scan_quoted(lx, tok, '"', err);
  else if (c == '\'')
    rc = scan_quoted(lx, tok, '\'', err);
  else if (is_digit(c) ||
           (c == '.' && start + 1 < lx->input_len &&
            is_digit(lx->input[start + 1])))
    rc = scan_number(lx, tok, err);
  else
    rc = scan_operator(lx, tok, err);
  if (rc)
    return rc;

  tok->raw = lx->input + start;
  tok->raw_len = lx->at - start;
  tok->end = sl_lex_position(lx, lx->at);
  return SL_OK;
}

const char *sl_lex_kind_name(sl_lex_kind kind) {
  switch (kind) {
  case SL_LEX_EOF: return "end of input";
  case SL_LEX_WORD: return "identifier";
  case SL_LEX_QUOTED: return "quoted identifier";
  case SL_LEX_STRING: return "string";
  case SL_LEX_INTEGER: return "integer";
  case SL_LEX_DECIMAL: return "decimal";
  case SL_LEX_DOUBLE: return "number";
  case SL_LEX_LPAREN: return "\"(\"";
  case SL_LEX_RPAREN: return "\")\"";
  case SL_LEX_LBRACKET: return "\"[\"";
  case SL_LEX_RBRACKET: return "\"]\"";
  case SL_LEX_COMMA: return "\",\"";
  case SL_LEX_SEMI: return "\";\"";
  case SL_LEX_DOT: return "\".\"";
  case SL_LEX_STAR: return "\"*\"";
  case SL_LEX_PLUS: return "\"+\"";
  case SL_LEX_MINUS: return "\"-\"";
  case SL_LEX_SLASH: return "\"/\"";
  case SL_LEX_PERCENT: return "\"%\"";
  case SL_LEX_EQ: return "\"=\"";
  case SL_LEX_NE: return "\"<>\"";
  case SL_LEX_LT: return "\"<\"";
  case SL_LEX_LE: return "\"<=\"";
  case SL_LEX_GT: return "\">\"";
  case SL_LEX_GE: return "\">=\"";
  case SL_LEX_CONCAT: return "\"||\"";
  case SL_LEX_DCOLON: return "\"::\"";
  }
  return "token";
}
