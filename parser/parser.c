/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parser.c - the driver: substitution, lexing and the lemon parser.
 *
 * sl_parse_script copies the text into the result, expands ${name}
 * references, then feeds the grammar one token at a time.  Words become
 * keywords or identifiers here (the lexer does not know the grammar).  The
 * grammar's actions build the trees through ast_build.c and report errors
 * on the shared sl_build context; the driver stops at the first one and
 * frees the lemon parser, whose destructors release any half-built type
 * still on its stack.
 */
#include "parser/parser.h"

#include <stdlib.h>
#include <string.h>

#include "parser/ast_build.h"
#include "parser/grammar.h"
#include "parser/keywords.h"
#include "parser/lexer.h"

/* The generated parser (grammar.c). */
void *sl_grammarAlloc(void *(*alloc)(size_t));
void sl_grammarFree(void *parser, void (*release)(void *));
void sl_grammar(void *parser, int major, sl_ast_token minor, sl_build *b);

/* The grammar token of a lexer token. */
static int token_code(const sl_lex_token *t) {
  switch (t->kind) {
  case SL_LEX_EOF: return 0;
  case SL_LEX_WORD: {
    int code = sl_parse_keyword_code(t->text, t->len);
    return code ? code : SL_TK_ID;
  }
  case SL_LEX_QUOTED: return SL_TK_ID;
  case SL_LEX_STRING: return SL_TK_STRING;
  case SL_LEX_INTEGER: return SL_TK_INTEGER;
  case SL_LEX_DECIMAL: return SL_TK_DECIMAL;
  case SL_LEX_DOUBLE: return SL_TK_FLOAT;
  case SL_LEX_LPAREN: return SL_TK_LP;
  case SL_LEX_RPAREN: return SL_TK_RP;
  case SL_LEX_LBRACKET: return SL_TK_LBRACKET;
  case SL_LEX_RBRACKET: return SL_TK_RBRACKET;
  case SL_LEX_COMMA: return SL_TK_COMMA;
  case SL_LEX_SEMI: return SL_TK_SEMI;
  case SL_LEX_DOT: return SL_TK_DOT;
  case SL_LEX_STAR: return SL_TK_STAR;
  case SL_LEX_PLUS: return SL_TK_PLUS;
  case SL_LEX_MINUS: return SL_TK_MINUS;
  case SL_LEX_SLASH: return SL_TK_SLASH;
  case SL_LEX_PERCENT: return SL_TK_PERCENT;
  case SL_LEX_EQ: return SL_TK_EQ;
  case SL_LEX_NE: return SL_TK_NE;
  case SL_LEX_LT: return SL_TK_LT;
  case SL_LEX_LE: return SL_TK_LE;
  case SL_LEX_GT: return SL_TK_GT;
  case SL_LEX_GE: return SL_TK_GE;
  case SL_LEX_CONCAT: return SL_TK_CONCAT;
  case SL_LEX_DCOLON: return SL_TK_DCOLON;
  }
  return SL_TK_ID;
}

void sl_parse_result_free(sl_parse_result *result) {
  if (!result)
    return;
  for (size_t i = 0; i < result->ntypes; i++)
    sl_type_free(result->types[i]);
  free(result->types);
  sl_arena_destroy(&result->arena);
  free(result);
}

/* Feeds every token of the expanded text to the grammar.  Returns the
 * first error's status. */
static sl_status run_grammar(sl_build *b, sl_lexer *lx) {
  void *parser = sl_grammarAlloc(malloc);
  if (!parser)
    return sl_error_set(b->err, SL_ERR_NOMEM, "out of memory while "
                                              "parsing");

  sl_ast_pos prev_end = sl_lex_position(lx, 0);
  for (;;) {
    sl_lex_token lt;
    sl_status rc = sl_lex_next(lx, &lt, b->err);
    if (rc) {
      b->status = rc;
      break;
    }

    sl_ast_token t;
    t.code = token_code(&lt);
    t.text = lt.text;
    t.len = lt.len;
    t.raw = lt.raw;
    t.raw_len = lt.raw_len;
    t.quoted = lt.kind == SL_LEX_QUOTED;
    t.pos = lt.pos;
    t.end = lt.end;
    t.prev_end = prev_end;
    prev_end = lt.end;
    b->last = t;

    sl_grammar(parser, t.code, t, b);
    if (b->status || t.code == 0)
      break;
  }

  sl_grammarFree(parser, free);
  return b->status;
}

/* Gives every statement that holds a ${name} reference its substituted
 * text.  A statement's span cannot cut a reference in two unless a value
 * supplied its first or last token; such a statement keeps its original
 * text, as it did before. */
static sl_status expand_statements(sl_parse_result *r,
                                   const sl_parse_options *opts,
                                   sl_error *err) {
  if (!opts || opts->nvars == 0)
    return SL_OK;
  for (int i = 0; i < r->nstmts; i++) {
    sl_ast_stmt *st = r->stmts[i];
    size_t len;
    const char *text = sl_parse_stmt_text(r, st, &len);
    char *copy = sl_arena_strndup(&r->arena, text, len);
    if (!copy)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory while parsing");
    if (!strstr(copy, "${"))
      continue;
    char *expanded = NULL;
    size_t expanded_len = 0;
    sl_vars_map map = {NULL, 0, 0};
    sl_error ignored;
    sl_status rc = sl_vars_expand(r->file, copy, len, opts->vars,
                                  opts->nvars, &expanded, &expanded_len,
                                  &map, &ignored);
    sl_vars_map_free(&map);
    if (rc == SL_ERR_NOMEM)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory while parsing");
    if (rc == SL_OK) {
      st->expanded_sql = sl_arena_strndup(&r->arena, expanded, expanded_len);
      free(expanded);
      if (!st->expanded_sql)
        return sl_error_set(err, SL_ERR_NOMEM,
                            "out of memory while parsing");
    }
  }
  return SL_OK;
}

sl_status sl_parse_script_len(const char *file, const char *text,
                              size_t len, const sl_parse_options *opts,
                              sl_parse_result **out, sl_error *err) {
  sl_parse_result *r = calloc(1, sizeof *r);
  char *expanded = NULL;
  size_t expanded_len = 0;
  sl_vars_map map = {NULL, 0, 0};
  sl_status rc;

  *out = NULL;
  if (!file)
    file = "<input>";
  if (!r)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory while parsing");
  sl_arena_init(&r->arena, 0);

  /* The result keeps its own copies of the name and the text. */
  char *file_copy = sl_arena_strdup(&r->arena, file);
  char *text_copy = sl_arena_strndup(&r->arena, text, len);
  if (!file_copy || !text_copy) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory while parsing");
    goto fail;
  }
  r->file = file_copy;
  r->text = text_copy;
  r->len = len;

  rc = sl_vars_expand(file, text_copy, len, opts ? opts->vars : NULL,
                      opts ? opts->nvars : 0, &expanded, &expanded_len,
                      &map, err);
  if (rc)
    goto fail;

  sl_lexer lx;
  sl_lex_init(&lx, r->file, expanded, expanded_len, &map, r->text, r->len,
              &r->arena);
  sl_build b;
  memset(&b, 0, sizeof b);
  b.result = r;
  b.arena = &r->arena;
  b.file = r->file;
  b.err = err;
  rc = run_grammar(&b, &lx);
  if (rc == SL_OK)
    rc = expand_statements(r, opts, err);
  if (rc)
    goto fail;

  free(expanded);
  sl_vars_map_free(&map);
  *out = r;
  return SL_OK;

fail:
  free(expanded);
  sl_vars_map_free(&map);
  sl_parse_result_free(r);
  return rc;
}

sl_status sl_parse_script(const char *file, const char *text,
                          const sl_parse_options *opts,
                          sl_parse_result **out, sl_error *err) {
  return sl_parse_script_len(file, text, strlen(text), opts, out, err);
}

sl_status sl_parse_statement(const char *file, const char *text,
                             const sl_parse_options *opts,
                             sl_parse_result **out, sl_error *err) {
  sl_parse_result *r = NULL;
  sl_status rc = sl_parse_script(file, text, opts, &r, err);
  *out = NULL;
  if (rc)
    return rc;

  if (r->nstmts == 0) {
    /* Point at the end of the text, where a statement should have been. */
    int line = 1, column = 1;
    for (size_t i = 0; i < r->len; i++) {
      unsigned char c = (unsigned char)r->text[i];
      if (c == '\n') {
        line++;
        column = 1;
      } else if ((c & 0xC0) != 0x80) {
        column++;
      }
    }
    rc = sl_error_set_sql(err, r->file, line, column,
                          "expected a statement at end of input");
    sl_parse_result_free(r);
    return rc;
  }
  if (r->nstmts > 1) {
    sl_ast_pos p = r->stmts[1]->pos;
    rc = sl_error_set_sql(err, r->file, p.line, p.column,
                          "expected one statement, found a second one "
                          "here");
    sl_parse_result_free(r);
    return rc;
  }
  *out = r;
  return SL_OK;
}

const char *sl_parse_stmt_text(const sl_parse_result *result,
                               const sl_ast_stmt *stmt, size_t *len) {
  size_t start = stmt->span.start.offset, end = stmt->span.end.offset;
  if (start > result->len)
    start = result->len;
  if (end < start)
    end = start;
  if (end > result->len)
    end = result->len;
  *len = end - start;
  return result->text + start;
}

bool sl_parse_is_complete(const char *text, size_t len) {
  sl_arena arena;
  sl_lexer lx;
  sl_lex_kind last = SL_LEX_EOF;
  bool complete;

  sl_arena_init(&arena, 4096);
  sl_lex_init(&lx, "", text, len, NULL, NULL, 0, &arena);
  for (;;) {
    sl_lex_token t;
    if (sl_lex_next(&lx, &t, NULL)) {
      /* Unterminated strings and comments run to the end of the input:
       * more lines may close them.  Other errors are the parser's to
       * report, so the text counts as complete. */
      complete = lx.at < len;
      break;
    }
    if (t.kind == SL_LEX_EOF) {
      complete = last == SL_LEX_SEMI;
      break;
    }
    last = t.kind;
  }
  sl_arena_destroy(&arena);
  return complete;
}
