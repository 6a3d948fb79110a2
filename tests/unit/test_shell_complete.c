/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for cli/shell_complete.c and cli/shell_text.c: what Tab
 * completes at the shell prompt, over a fixed source of names.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/shell_complete.h"
#include "cli/shell_text.h"

/* ---- A fixed catalog ----------------------------------------------------- */

static void objects(void *ctx, sl_shell_words *out) {
  (void)ctx;
  sl_shell_words_adds(out, "payments");
  sl_shell_words_adds(out, "merchants");
  sl_shell_words_adds(out, "Mixed");
}

static void columns(void *ctx, const char *object, sl_shell_words *out) {
  (void)ctx;
  if (strcmp(object, "payments") == 0) {
    sl_shell_words_adds(out, "id");
    sl_shell_words_adds(out, "amount");
    sl_shell_words_adds(out, "merchant_id");
  } else if (strcmp(object, "merchants") == 0) {
    sl_shell_words_adds(out, "id");
    sl_shell_words_adds(out, "name");
  }
}

static void topics(void *ctx, sl_shell_words *out) {
  (void)ctx;
  sl_shell_words_adds(out, "payments");
  sl_shell_words_adds(out, "payments.dlq");
  sl_shell_words_adds(out, "merchants");
}

static const sl_shell_source source = {NULL, objects, columns, topics};

/* Completes text with the cursor at the end (or at the first '|', which
 * is removed) and checks the start of the word, the matches (a
 * NULL-terminated list) and the suffix. */
static void check(const char *input, size_t start,
                  const char *const *expected, const char *suffix) {
  char text[256];
  const char *bar = strchr(input, '|');
  size_t cursor = bar ? (size_t)(bar - input) : strlen(input);
  snprintf(text, sizeof(text), "%.*s%s", (int)cursor, input,
           bar ? bar + 1 : "");

  sl_shell_completion c;
  assert_int_equal(sl_shell_complete(text, strlen(text), cursor, &source,
                                     &c), SL_OK);
  size_t n = 0;
  while (expected[n])
    n++;
  if (c.matches.count != n) {
    for (size_t i = 0; i < c.matches.count; i++)
      print_message("  got \"%s\"\n", c.matches.items[i]);
    fail_msg("\"%s\": %zu matches, expected %zu", input, c.matches.count,
             n);
  }
  for (size_t i = 0; i < n; i++)
    assert_string_equal(c.matches.items[i], expected[i]);
  assert_int_equal(c.start, start);
  if (suffix)
    assert_string_equal(c.suffix, suffix);
  sl_shell_completion_free(&c);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

/* ---- Keywords ------------------------------------------------------------ */

static void test_keyword_at_statement_start(void **state) {
  (void)state;
  check("SEL", 0, WORDS("SELECT"), " ");
  /* The case of what was typed. */
  check("sel", 0, WORDS("select"), " ");
  check("Sel", 0, WORDS("SELECT"), " ");
  /* After a ';' a new statement starts: keywords only, no names. */
  check("SHOW STREAMS; SH", 14, WORDS("SHOW"), " ");
  check("SHOW STREAMS; pay", 14, NONE, NULL);
}

static void test_keywords_and_names_elsewhere(void **state) {
  (void)state;
  check("SHOW STREA", 5, WORDS("STREAM", "STREAMS"), " ");
  /* Keywords and object names together. */
  check("SELECT * FROM payments WHERE pay", 29, WORDS("payments"), " ");
}

/* ---- Object names -------------------------------------------------------- */

static void test_objects_after_from_and_describe(void **state) {
  (void)state;
  check("DESCRIBE pa", 9, WORDS("payments"), " ");
  check("describe PA", 9, WORDS("payments"), " ");
  /* A name that needs quotes is offered quoted. */
  check("SELECT * FROM m", 14, WORDS("\"Mixed\"", "merchants"), " ");
  check("INSERT INTO me", 12, WORDS("merchants"), " ");
  check("DROP STREAM ", 12, WORDS("\"Mixed\"", "merchants", "payments"),
        " ");
  /* Earlier lines of the statement count. */
  check("SELECT *\nFROM pay", 14, WORDS("payments"), " ");
}

/* ---- Columns ------------------------------------------------------------- */

static void test_columns_after_alias(void **state) {
  (void)state;
  /* The alias may be declared after the cursor. */
  check("SELECT p.am| FROM payments p", 9, WORDS("amount"), " ");
  check("SELECT p.| FROM payments p", 9, WORDS("amount", "id", "merchant_id"),
        " ");
  check("SELECT x.i| FROM payments AS p JOIN merchants x ON p.id = x.id", 9,
        WORDS("id"), " ");
  /* FROM lists with commas. */
  check("SELECT 1 FROM payments p, merchants m WHERE m.n", 46,
        WORDS("name"), " ");
  /* An object's own name qualifies its columns. */
  check("SELECT payments.me", 16, WORDS("merchant_id"), " ");
  /* Unknown qualifiers have no columns. */
  check("SELECT q.id| FROM payments p", 9, NONE, NULL);
}

/* ---- Topics -------------------------------------------------------------- */

static void test_topics_after_print(void **state) {
  (void)state;
  /* Inside the string: names as they are, closed by the suffix. */
  check("PRINT 'pay", 7, WORDS("payments", "payments.dlq"), "' ");
  check("PRINT 'me", 7, WORDS("merchants"), "' ");
  /* Before the quote: the whole string is offered. */
  check("PRINT me", 6, WORDS("'merchants'"), " ");
  check("print ", 6, WORDS("'merchants'", "'payments'", "'payments.dlq'"),
        " ");
}

/* ---- No completion ------------------------------------------------------- */

static void test_nothing_in_strings_comments_numbers(void **state) {
  (void)state;
  check("SELECT 'SEL", 11, NONE, NULL);
  check("-- SEL", 6, NONE, NULL);
  check("/* SEL", 6, NONE, NULL);
  check("SELECT 12", 7, NONE, NULL);
  check("SELECT \"pay", 11, NONE, NULL);
}

static void test_source_without_callbacks(void **state) {
  (void)state;
  const sl_shell_source empty = {0};
  sl_shell_completion c;
  const char *text = "DESCRIBE pay";
  assert_int_equal(sl_shell_complete(text, strlen(text), strlen(text),
                                     &empty, &c), SL_OK);
  assert_int_equal(c.matches.count, 0);
  sl_shell_completion_free(&c);
}

static void test_common_prefix(void **state) {
  (void)state;
  sl_shell_completion c;
  const char *text = "PRINT 'pay";
  assert_int_equal(sl_shell_complete(text, strlen(text), strlen(text),
                                     &source, &c), SL_OK);
  assert_int_equal(sl_shell_completion_common(&c), strlen("payments"));
  sl_shell_completion_free(&c);

  sl_shell_completion none;
  assert_int_equal(sl_shell_complete("-- x", 4, 4, &source, &none), SL_OK);
  assert_int_equal(sl_shell_completion_common(&none), 0);
  sl_shell_completion_free(&none);
}

static void test_words_sort_unique(void **state) {
  (void)state;
  sl_shell_words w = {0};
  sl_shell_words_adds(&w, "b");
  sl_shell_words_adds(&w, "a");
  sl_shell_words_adds(&w, "b");
  sl_shell_words_add(&w, "cde", 1);
  sl_shell_words_sort_unique(&w);
  assert_int_equal(w.count, 3);
  assert_string_equal(w.items[0], "a");
  assert_string_equal(w.items[1], "b");
  assert_string_equal(w.items[2], "c");
  sl_shell_words_free(&w);
  assert_int_equal(w.count, 0);
}

/* ---- The tokenizer ------------------------------------------------------- */

static void test_blank(void **state) {
  (void)state;
  assert_true(sl_shell_is_blank("", 0));
  assert_true(sl_shell_is_blank("  \n\t", 4));
  assert_true(sl_shell_is_blank("-- only a comment\n", 18));
  assert_true(sl_shell_is_blank("/* c */ -- d", 12));
  assert_false(sl_shell_is_blank("/* open", 7));
  assert_false(sl_shell_is_blank("x", 1));
  assert_false(sl_shell_is_blank("'-- not a comment'", 18));
}

static void test_lex(void **state) {
  (void)state;
  const char *text = "SELECT \"A\"\"b\", 'it''s', 1.5 -- c\n;";
  sl_shell_toks toks;
  sl_shell_lex(text, strlen(text), &toks);
  assert_int_equal(toks.end, SL_SHELL_END_CODE);
  assert_int_equal(toks.count, 7);
  sl_shell_tok_kind kinds[] = {SL_SHELL_TOK_WORD,  SL_SHELL_TOK_QUOTED,
                               SL_SHELL_TOK_PUNCT, SL_SHELL_TOK_STRING,
                               SL_SHELL_TOK_PUNCT, SL_SHELL_TOK_NUMBER,
                               SL_SHELL_TOK_PUNCT};
  for (size_t i = 0; i < 7; i++)
    assert_int_equal(toks.items[i].kind, kinds[i]);
  assert_int_equal(toks.items[1].start, 7);
  assert_int_equal(toks.items[1].end, 13);
  assert_true(sl_shell_tok_is(text, &toks.items[0], "SELECT"));
  assert_false(sl_shell_tok_is(text, &toks.items[0], "SELECTS"));
  sl_shell_toks_free(&toks);

  sl_shell_lex("PRINT 'pay", 10, &toks);
  assert_int_equal(toks.end, SL_SHELL_END_STRING);
  assert_int_equal(toks.open_at, 6);
  assert_int_equal(toks.count, 1);
  sl_shell_toks_free(&toks);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_keyword_at_statement_start),
      cmocka_unit_test(test_keywords_and_names_elsewhere),
      cmocka_unit_test(test_objects_after_from_and_describe),
      cmocka_unit_test(test_columns_after_alias),
      cmocka_unit_test(test_topics_after_print),
      cmocka_unit_test(test_nothing_in_strings_comments_numbers),
      cmocka_unit_test(test_source_without_callbacks),
      cmocka_unit_test(test_common_prefix),
      cmocka_unit_test(test_words_sort_unique),
      cmocka_unit_test(test_blank),
      cmocka_unit_test(test_lex),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
