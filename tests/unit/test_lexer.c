/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for parser/lexer and parser/vars: every token kind, texts,
 * positions (lines, character columns, byte offsets), case folding, quoted
 * identifiers, strings, numbers, comments, lexical errors with their
 * positions, and positions mapped back through ${name} substitution.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "parser/lexer.h"
#include "parser/vars.h"

#define MAX_TOKENS 64

typedef struct lexed {
  sl_arena arena;
  sl_lex_token toks[MAX_TOKENS];
  int n;              /* tokens before EOF */
  sl_status rc;       /* SL_OK, or the error that stopped lexing */
  sl_error err;
} lexed;

/* Lexes all of text (len bytes) into lx; stops at EOF or the first error. */
static void lex_n(lexed *lx, const char *text, size_t len) {
  sl_lexer lexer;
  sl_arena_init(&lx->arena, 0);
  sl_error_clear(&lx->err);
  lx->n = 0;
  lx->rc = SL_OK;
  sl_lex_init(&lexer, "t.sql", text, len, NULL, NULL, 0, &lx->arena);
  for (;;) {
    sl_lex_token t;
    lx->rc = sl_lex_next(&lexer, &t, &lx->err);
    if (lx->rc || t.kind == SL_LEX_EOF)
      break;
    assert_true(lx->n < MAX_TOKENS);
    lx->toks[lx->n++] = t;
  }
}

static void lex(lexed *lx, const char *text) { lex_n(lx, text, strlen(text)); }

static void lexed_free(lexed *lx) { sl_arena_destroy(&lx->arena); }

/* Asserts token i: kind, text, line and column. */
static void check_tok(const lexed *lx, int i, sl_lex_kind kind,
                      const char *text, int line, int column) {
  if (i >= lx->n)
    fail_msg("token %d missing: only %d tokens", i, lx->n);
  const sl_lex_token *t = &lx->toks[i];
  if (t->kind != kind)
    fail_msg("token %d \"%s\": kind %s, expected %s", i, t->text,
             sl_lex_kind_name(t->kind), sl_lex_kind_name(kind));
  assert_string_equal(t->text, text);
  if (t->pos.line != line || t->pos.column != column)
    fail_msg("token %d \"%s\" at %d:%d, expected %d:%d", i, t->text,
             t->pos.line, t->pos.column, line, column);
}

/* Asserts that lexing stopped with a SQL error at line:column. */
static void check_error(const lexed *lx, const char *message, int line,
                        int column) {
  if (lx->rc != SL_ERR_SQL)
    fail_msg("expected an error \"%s\", got status %d", message, lx->rc);
  assert_string_equal(lx->err.message, message);
  assert_string_equal(lx->err.file, "t.sql");
  if (lx->err.line != line || lx->err.column != column)
    fail_msg("error \"%s\" at %d:%d, expected %d:%d", message, lx->err.line,
             lx->err.column, line, column);
}

static void test_words_fold_to_lower_case(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "SeLeCt Foo_Bar2 _x éTÉ");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 4);
  check_tok(&lx, 0, SL_LEX_WORD, "select", 1, 1);
  check_tok(&lx, 1, SL_LEX_WORD, "foo_bar2", 1, 8);
  check_tok(&lx, 2, SL_LEX_WORD, "_x", 1, 17);
  /* Only ASCII folds; other bytes are kept as written. */
  check_tok(&lx, 3, SL_LEX_WORD, "ét\xc3\x89", 1, 20);
  assert_int_equal(lx.toks[3].len, 5);
  lexed_free(&lx);
}

static void test_quoted_identifiers_keep_case(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "\"MyCol\" \"a b.c-d;\" \"say \"\"hi\"\"\"");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 3);
  check_tok(&lx, 0, SL_LEX_QUOTED, "MyCol", 1, 1);
  check_tok(&lx, 1, SL_LEX_QUOTED, "a b.c-d;", 1, 9);
  check_tok(&lx, 2, SL_LEX_QUOTED, "say \"hi\"", 1, 20);
  assert_int_equal(lx.toks[2].raw_len, 12);
  lexed_free(&lx);
}

static void test_strings_decode_doubled_quotes(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "'it''s' '' 'two\nlines' x");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 4);
  check_tok(&lx, 0, SL_LEX_STRING, "it's", 1, 1);
  check_tok(&lx, 1, SL_LEX_STRING, "", 1, 9);
  check_tok(&lx, 2, SL_LEX_STRING, "two\nlines", 1, 12);
  check_tok(&lx, 3, SL_LEX_WORD, "x", 2, 8);
  assert_int_equal(lx.toks[2].end.line, 2);
  assert_int_equal(lx.toks[2].end.column, 7);
  lexed_free(&lx);
}

static void test_numbers(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "0 123 1.5 .5 7. 1e5 1.5E-3 2e+10 99999999999999999999");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 9);
  check_tok(&lx, 0, SL_LEX_INTEGER, "0", 1, 1);
  check_tok(&lx, 1, SL_LEX_INTEGER, "123", 1, 3);
  check_tok(&lx, 2, SL_LEX_DECIMAL, "1.5", 1, 7);
  check_tok(&lx, 3, SL_LEX_DECIMAL, ".5", 1, 11);
  check_tok(&lx, 4, SL_LEX_DECIMAL, "7.", 1, 14);
  check_tok(&lx, 5, SL_LEX_DOUBLE, "1e5", 1, 17);
  check_tok(&lx, 6, SL_LEX_DOUBLE, "1.5E-3", 1, 21);
  check_tok(&lx, 7, SL_LEX_DOUBLE, "2e+10", 1, 28);
  check_tok(&lx, 8, SL_LEX_INTEGER, "99999999999999999999", 1, 34);
  lexed_free(&lx);
}

static void test_number_followed_by_name_is_an_error(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "SELECT 12abc");
  check_error(&lx, "invalid number", 1, 8);
  lexed_free(&lx);

  lex(&lx, "x\n  1e+");
  check_error(&lx, "invalid number: exponent has no digits", 2, 3);
  lexed_free(&lx);

  lex(&lx, "1.2.3");
  check_error(&lx, "invalid number", 1, 1);
  lexed_free(&lx);
}

static void test_every_operator(void **state) {
  (void)state;
  static const struct {
    sl_lex_kind kind;
    const char *text;
  } want[] = {
      {SL_LEX_LPAREN, "("},  {SL_LEX_RPAREN, ")"},  {SL_LEX_LBRACKET, "["},
      {SL_LEX_RBRACKET, "]"}, {SL_LEX_COMMA, ","},  {SL_LEX_SEMI, ";"},
      {SL_LEX_DOT, "."},     {SL_LEX_STAR, "*"},    {SL_LEX_PLUS, "+"},
      {SL_LEX_MINUS, "-"},   {SL_LEX_SLASH, "/"},   {SL_LEX_PERCENT, "%"},
      {SL_LEX_EQ, "="},      {SL_LEX_EQ, "=="},     {SL_LEX_NE, "<>"},
      {SL_LEX_NE, "!="},     {SL_LEX_LT, "<"},      {SL_LEX_LE, "<="},
      {SL_LEX_GT, ">"},      {SL_LEX_GE, ">="},     {SL_LEX_CONCAT, "||"},
      {SL_LEX_DCOLON, "::"},
  };
  lexed lx;
  lex(&lx, "( ) [ ] , ; . * + - / % = == <> != < <= > >= || ::");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, (int)(sizeof want / sizeof want[0]));
  int column = 1;
  for (int i = 0; i < lx.n; i++) {
    check_tok(&lx, i, want[i].kind, want[i].text, 1, column);
    column += (int)strlen(want[i].text) + 1;
  }
  lexed_free(&lx);
}

static void test_adjacent_operators_split(void **state) {
  (void)state;
  lexed lx;
  /* ARRAY<ARRAY<INT>> must give two '>' tokens; a::b and a||b need no
   * blanks; a-1 is three tokens. */
  lex(&lx, "ARRAY<INT>>a::b||c-1");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 12);
  check_tok(&lx, 3, SL_LEX_GT, ">", 1, 10);
  check_tok(&lx, 4, SL_LEX_GT, ">", 1, 11);
  check_tok(&lx, 6, SL_LEX_DCOLON, "::", 1, 13);
  check_tok(&lx, 8, SL_LEX_CONCAT, "||", 1, 16);
  check_tok(&lx, 10, SL_LEX_MINUS, "-", 1, 19);
  check_tok(&lx, 11, SL_LEX_INTEGER, "1", 1, 20);
  lexed_free(&lx);
}

static void test_comments_are_skipped(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "a -- to the end ;\n/* block\n * ; */ b/**/c--\n-d");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 5);
  check_tok(&lx, 0, SL_LEX_WORD, "a", 1, 1);
  check_tok(&lx, 1, SL_LEX_WORD, "b", 3, 9);
  check_tok(&lx, 2, SL_LEX_WORD, "c", 3, 14);
  check_tok(&lx, 3, SL_LEX_MINUS, "-", 4, 1);
  check_tok(&lx, 4, SL_LEX_WORD, "d", 4, 2);
  lexed_free(&lx);
}

static void test_unterminated_string_and_comment(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "SELECT 1;\nSELECT 'abc,\n  def");
  check_error(&lx, "unterminated string: expected \"'\"", 2, 8);
  lexed_free(&lx);

  lex(&lx, "a /* never\nclosed *");
  check_error(&lx, "unterminated comment: expected \"*/\"", 1, 3);
  lexed_free(&lx);

  lex(&lx, "x \"Col");
  check_error(&lx, "unterminated quoted identifier: expected '\"'", 1, 3);
  lexed_free(&lx);

  lex(&lx, "x \"\" y");
  check_error(&lx, "zero-length quoted identifier", 1, 3);
  lexed_free(&lx);
}

static void test_stray_characters(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "a | b");
  check_error(&lx, "unexpected character \"|\"; did you mean \"||\"?", 1,
              3);
  lexed_free(&lx);

  lex(&lx, "a ! b");
  check_error(&lx, "unexpected character \"!\"; did you mean \"!=\" or "
                   "NOT?", 1, 3);
  lexed_free(&lx);

  lex(&lx, "a : b");
  check_error(&lx, "unexpected character \":\"; did you mean \"::\"?", 1,
              3);
  lexed_free(&lx);

  lex(&lx, "ok\n\t#");
  check_error(&lx, "unexpected character \"#\"", 2, 2);
  lexed_free(&lx);

  lex_n(&lx, "a\0b", 3);
  check_error(&lx, "unexpected character 0x00", 1, 2);
  lexed_free(&lx);
}

static void test_columns_count_characters(void **state) {
  (void)state;
  lexed lx;
  /* 'héllo' is 7 characters in 8 bytes: x is at column 9, byte 9. */
  lex(&lx, "'h\xc3\xa9llo' x\n\tyy");
  assert_int_equal(lx.rc, SL_OK);
  check_tok(&lx, 0, SL_LEX_STRING, "h\xc3\xa9llo", 1, 1);
  check_tok(&lx, 1, SL_LEX_WORD, "x", 1, 9);
  assert_int_equal(lx.toks[1].pos.offset, 9);
  check_tok(&lx, 2, SL_LEX_WORD, "yy", 2, 2);
  assert_int_equal(lx.toks[2].pos.offset, 12);
  assert_int_equal(lx.toks[2].end.column, 4);
  assert_int_equal(lx.toks[2].end.offset, 14);
  lexed_free(&lx);
}

static void test_empty_and_blank_input(void **state) {
  (void)state;
  lexed lx;
  lex(&lx, "");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 0);
  lexed_free(&lx);

  lex(&lx, "  -- only a comment\n /* and this */ ");
  assert_int_equal(lx.rc, SL_OK);
  assert_int_equal(lx.n, 0);
  lexed_free(&lx);
}

/* ------------------------------------------------------------------ */
/* Substitution and the position map                                   */
/* ------------------------------------------------------------------ */

static const sl_vars_def defs[] = {
    {"env", "prod"}, {"long.name-1", "a much longer value"}, {"e", ""}};

static void test_vars_expand_everywhere_but_comments(void **state) {
  (void)state;
  const char *text = "SELECT ${env}_x FROM '${env}' -- ${nope}\n"
                     "/* ${nope} */ \"${long.name-1}\"${e};";
  char *out = NULL;
  size_t out_len = 0;
  sl_vars_map map;
  sl_error err;
  sl_error_clear(&err);

  assert_int_equal(sl_vars_expand("v.sql", text, strlen(text), defs, 3,
                                  &out, &out_len, &map, &err),
                   SL_OK);
  assert_string_equal(out, "SELECT prod_x FROM 'prod' -- ${nope}\n"
                           "/* ${nope} */ \"a much longer value\";");
  assert_int_equal(out_len, strlen(out));

  /* Copied text maps one to one; the inside of a value maps to its "$";
   * the end of a value maps past its "}". */
  assert_int_equal(sl_vars_map_offset(&map, 0), 0);   /* S */
  assert_int_equal(sl_vars_map_offset(&map, 7), 7);   /* p of prod */
  assert_int_equal(sl_vars_map_offset(&map, 9), 7);   /* o of prod */
  assert_int_equal(sl_vars_map_offset(&map, 11), 13); /* _ after ${env} */
  assert_int_equal(sl_vars_map_offset(&map, out_len), strlen(text));
  size_t semi = out_len - 1;
  assert_int_equal(sl_vars_map_offset(&map, semi), strlen(text) - 1);
  free(out);
  sl_vars_map_free(&map);
}

static void test_vars_errors(void **state) {
  (void)state;
  static const struct {
    const char *text;
    const char *message;
    int line, column;
  } cases[] = {
      {"SELECT 1;\n  SELECT ${missing}",
       "undefined variable \"missing\"; define it with -D missing=VALUE", 2,
       10},
      {"x ${env", "unterminated variable reference: expected \"}\"", 1, 3},
      {"x ${}", "empty variable name in \"${}\"", 1, 3},
      {"x ${a b}", "invalid character \" \" in variable name", 1, 3},
      {"'\xc3\xa9' ${x}", "undefined variable \"x\"; define it with -D "
                          "x=VALUE", 1, 5},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dummy[] = "untouched";
    char *out = dummy;
    size_t out_len = 7;
    sl_vars_map map;
    sl_error err;
    sl_error_clear(&err);
    sl_status rc = sl_vars_expand("v.sql", cases[i].text,
                                  strlen(cases[i].text), defs, 3, &out,
                                  &out_len, &map, &err);
    assert_int_equal(rc, SL_ERR_SQL);
    assert_null(out);
    assert_int_equal(map.nsegs, 0);
    assert_string_equal(err.message, cases[i].message);
    if (err.line != cases[i].line || err.column != cases[i].column)
      fail_msg("\"%s\": error at %d:%d, expected %d:%d", cases[i].text,
               err.line, err.column, cases[i].line, cases[i].column);
  }
}

static void test_lexer_positions_through_the_map(void **state) {
  (void)state;
  const char *text = "SELECT ${env}, x\n  FROM ${long.name-1} 'q'";
  char *out = NULL;
  size_t out_len = 0;
  sl_vars_map map;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_vars_expand("v.sql", text, strlen(text), defs, 3,
                                  &out, &out_len, &map, &err),
                   SL_OK);

  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_lexer lexer;
  sl_lex_init(&lexer, "v.sql", out, out_len, &map, text, strlen(text),
              &arena);
  static const struct {
    const char *text;
    int line, column;
  } want[] = {
      {"select", 1, 1}, {"prod", 1, 8},  {",", 1, 14}, {"x", 1, 16},
      {"from", 2, 3},   {"a", 2, 8},     {"much", 2, 8}, {"longer", 2, 8},
      {"value", 2, 8},  {"q", 2, 23},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    sl_lex_token t;
    assert_int_equal(sl_lex_next(&lexer, &t, &err), SL_OK);
    assert_string_equal(t.text, want[i].text);
    if (t.pos.line != want[i].line || t.pos.column != want[i].column)
      fail_msg("\"%s\" at %d:%d, expected %d:%d", t.text, t.pos.line,
               t.pos.column, want[i].line, want[i].column);
  }
  sl_lex_token t;
  assert_int_equal(sl_lex_next(&lexer, &t, &err), SL_OK);
  assert_int_equal(t.kind, SL_LEX_EOF);
  assert_int_equal(sl_lex_next(&lexer, &t, &err), SL_OK);
  assert_int_equal(t.kind, SL_LEX_EOF);
  sl_arena_destroy(&arena);
  free(out);
  sl_vars_map_free(&map);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_words_fold_to_lower_case),
      cmocka_unit_test(test_quoted_identifiers_keep_case),
      cmocka_unit_test(test_strings_decode_doubled_quotes),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_number_followed_by_name_is_an_error),
      cmocka_unit_test(test_every_operator),
      cmocka_unit_test(test_adjacent_operators_split),
      cmocka_unit_test(test_comments_are_skipped),
      cmocka_unit_test(test_unterminated_string_and_comment),
      cmocka_unit_test(test_stray_characters),
      cmocka_unit_test(test_columns_count_characters),
      cmocka_unit_test(test_empty_and_blank_input),
      cmocka_unit_test(test_vars_expand_everywhere_but_comments),
      cmocka_unit_test(test_vars_errors),
      cmocka_unit_test(test_lexer_positions_through_the_map),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
