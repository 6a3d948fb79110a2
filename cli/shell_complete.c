/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_complete.c - Tab completion of keywords, names, columns and
 * topics (see shell_complete.h).
 *
 * The text is tokenized with the shell's forgiving tokenizer; the token
 * before the word under the cursor picks what may go there, and the
 * candidates of that kind that start with the word (ignoring case) become
 * the matches.
 */
#include "cli/shell_complete.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli/shell_text.h"
#include "parser/parser.h"

/* ---- Word lists ---------------------------------------------------------- */

void sl_shell_words_add(sl_shell_words *w, const char *word, size_t len) {
  if (w->failed)
    return;
  if (w->count == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 16;
    char **items = realloc(w->items, cap * sizeof(*items));
    if (!items) {
      w->failed = true;
      return;
    }
    w->items = items;
    w->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) {
    w->failed = true;
    return;
  }
  memcpy(copy, word, len);
  copy[len] = '\0';
  w->items[w->count++] = copy;
}

void sl_shell_words_adds(sl_shell_words *w, const char *word) {
  sl_shell_words_add(w, word, strlen(word));
}

static int compare_words(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void sl_shell_words_sort_unique(sl_shell_words *w) {
  if (w->count < 2)
    return;
  qsort(w->items, w->count, sizeof(*w->items), compare_words);
  size_t kept = 1;
  for (size_t i = 1; i < w->count; i++) {
    if (strcmp(w->items[i], w->items[kept - 1]) == 0)
      free(w->items[i]);
    else
      w->items[kept++] = w->items[i];
  }
  w->count = kept;
}

void sl_shell_words_free(sl_shell_words *w) {
  for (size_t i = 0; i < w->count; i++)
    free(w->items[i]);
  free(w->items);
  memset(w, 0, sizeof(*w));
}

/* ---- Helpers ------------------------------------------------------------- */

static bool prefix_matches(const char *word, size_t len, const char *name) {
  for (size_t i = 0; i < len; i++) {
    if (name[i] == '\0' ||
        tolower((unsigned char)word[i]) != tolower((unsigned char)name[i]))
      return false;
  }
  return true;
}

/* True when name may be written without double quotes: a lower-case
 * identifier that is not a keyword. */
static bool plain_name(const char *name) {
  if (!*name || isdigit((unsigned char)*name))
    return false;
  for (const char *p = name; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (!(islower(c) || isdigit(c) || c == '_' || c >= 0x80))
      return false;
  }
  return !sl_parse_is_keyword(name, strlen(name));
}

/* Appends name to out as it must be written in SQL. */
static void add_name(sl_shell_words *out, const char *name) {
  if (plain_name(name)) {
    sl_shell_words_adds(out, name);
    return;
  }
  size_t n = strlen(name);
  char *q = malloc(2 * n + 3);
  if (!q) {
    out->failed = true;
    return;
  }
  size_t k = 0;
  q[k++] = '"';
  for (size_t i = 0; i < n; i++) {
    if (name[i] == '"')
      q[k++] = '"';
    q[k++] = name[i];
  }
  q[k++] = '"';
  sl_shell_words_add(out, q, k);
  free(q);
}

/* Adds the keywords that start with word, in the case of word. */
static void add_keywords(const char *word, size_t len, sl_shell_words *out) {
  bool lower = false;
  for (size_t i = 0; i < len; i++) {
    if (islower((unsigned char)word[i]))
      lower = true;
    else if (isupper((unsigned char)word[i])) {
      lower = false;
      break;
    }
  }
  const char *kw;
  for (size_t i = 0; (kw = sl_parse_keyword_at(i)) != NULL; i++) {
    if (!prefix_matches(word, len, kw))
      continue;
    size_t n = strlen(kw);
    char buf[64];
    if (n >= sizeof(buf))
      continue;
    for (size_t j = 0; j <= n; j++)
      buf[j] = lower ? kw[j] : (char)toupper((unsigned char)kw[j]);
    sl_shell_words_add(out, buf, n);
  }
}

/* Adds the names from a callback that start with word; with quote, the
 * names are written as SQL strings ('name'). */
static void add_names(const sl_shell_source *src,
                      void (*list)(void *, sl_shell_words *),
                      const char *word, size_t len, bool as_string,
                      sl_shell_words *out) {
  if (!list)
    return;
  sl_shell_words names = {0};
  list(src->ctx, &names);
  for (size_t i = 0; i < names.count; i++) {
    const char *name = names.items[i];
    if (!prefix_matches(word, len, name))
      continue;
    if (!as_string) {
      add_name(out, name);
      continue;
    }
    size_t n = strlen(name);
    char *q = malloc(n + 3);
    if (!q) {
      out->failed = true;
      break;
    }
    q[0] = '\'';
    memcpy(q + 1, name, n);
    q[n + 1] = '\'';
    sl_shell_words_add(out, q, n + 2);
    free(q);
  }
  if (names.failed)
    out->failed = true;
  sl_shell_words_free(&names);
}

/* The name a word or quoted identifier token stands for, as the catalog
 * stores it: unquoted words folded to lower case.  Returns a new string or
 * NULL. */
static char *tok_name(const char *text, const sl_shell_tok *t) {
  size_t n = t->end - t->start;
  char *name = malloc(n + 1);
  if (!name)
    return NULL;
  size_t k = 0;
  if (t->kind == SL_SHELL_TOK_QUOTED) {
    for (size_t i = t->start + 1; i + 1 < t->end; i++) {
      name[k++] = text[i];
      if (text[i] == '"')
        i++;
    }
  } else {
    for (size_t i = t->start; i < t->end; i++)
      name[k++] = (char)tolower((unsigned char)text[i]);
  }
  name[k] = '\0';
  return name;
}

static bool is_name_tok(const char *text, const sl_shell_tok *t) {
  if (t->kind == SL_SHELL_TOK_QUOTED)
    return true;
  return t->kind == SL_SHELL_TOK_WORD &&
         !sl_parse_is_keyword(text + t->start, t->end - t->start);
}

/* Looks through the FROM and JOIN clauses of toks for `name [AS] alias`
 * with alias equal to qualifier; returns a new copy of the object name,
 * or NULL when qualifier is no alias. */
static char *resolve_alias(const char *text, const sl_shell_toks *toks,
                           const char *qualifier) {
  for (size_t i = 0; i < toks->count; i++) {
    const sl_shell_tok *t = &toks->items[i];
    if (!sl_shell_tok_is(text, t, "FROM") && !sl_shell_tok_is(text, t, "JOIN"))
      continue;
    size_t j = i + 1;
    while (j < toks->count && is_name_tok(text, &toks->items[j])) {
      size_t name_at = j++;
      if (j < toks->count && sl_shell_tok_is(text, &toks->items[j], "AS"))
        j++;
      if (j < toks->count && is_name_tok(text, &toks->items[j])) {
        char *alias = tok_name(text, &toks->items[j]);
        bool hit = alias && strcmp(alias, qualifier) == 0;
        free(alias);
        if (hit)
          return tok_name(text, &toks->items[name_at]);
        j++;
      }
      /* FROM a x, b y: the list goes on after a comma. */
      if (j < toks->count && toks->items[j].kind == SL_SHELL_TOK_PUNCT &&
          text[toks->items[j].start] == ',')
        j++;
      else
        break;
    }
  }
  return NULL;
}

/* ---- Completion ---------------------------------------------------------- */

/* What the token before the word asks for. */
typedef enum want {
  WANT_STATEMENT,  /* keywords that start a statement */
  WANT_ANY,        /* keywords and object names */
  WANT_OBJECT,     /* object names */
  WANT_TOPIC       /* topic names as SQL strings */
} want;

static want what_follows(const char *text, const sl_shell_toks *toks,
                         size_t ntoks) {
  if (ntoks == 0)
    return WANT_STATEMENT;
  const sl_shell_tok *prev = &toks->items[ntoks - 1];
  if (prev->kind == SL_SHELL_TOK_PUNCT && text[prev->start] == ';')
    return WANT_STATEMENT;
  if (sl_shell_tok_is(text, prev, "PRINT"))
    return WANT_TOPIC;
  static const char *const object_words[] = {
      "FROM", "JOIN", "INTO", "DESCRIBE", "STREAM", "TABLE", "MODEL",
      "EXISTS", "EXTENDED", NULL};
  for (int i = 0; object_words[i]; i++) {
    if (sl_shell_tok_is(text, prev, object_words[i]))
      return WANT_OBJECT;
  }
  if (sl_shell_tok_is(text, prev, "SET") && ntoks >= 2 &&
      sl_shell_tok_is(text, &toks->items[ntoks - 2], "TRAINING"))
    return WANT_OBJECT;
  return WANT_ANY;
}

/* Completion inside the string that follows PRINT. */
static void complete_in_string(const char *text, const sl_shell_toks *toks,
                               size_t cursor, const sl_shell_source *src,
                               sl_shell_completion *out) {
  size_t ntoks = toks->count;
  if (ntoks == 0 || !sl_shell_tok_is(text, &toks->items[ntoks - 1], "PRINT"))
    return;
  out->start = toks->open_at + 1;
  out->suffix = "' ";
  /* Topics go inside the quote as they are, never double-quoted. */
  if (!src->topics)
    return;
  sl_shell_words names = {0};
  src->topics(src->ctx, &names);
  for (size_t i = 0; i < names.count; i++) {
    if (prefix_matches(text + out->start, cursor - out->start,
                       names.items[i]))
      sl_shell_words_adds(&out->matches, names.items[i]);
  }
  if (names.failed)
    out->matches.failed = true;
  sl_shell_words_free(&names);
}

/* Completion of "qualifier.word": the columns of the object. */
static void complete_column(const char *text, size_t len, size_t dot,
                            size_t cursor, const sl_shell_source *src,
                            sl_shell_completion *out) {
  if (!src->columns || dot == 0)
    return;

  /* The qualifier is the word or quoted identifier just before the dot. */
  sl_shell_toks before;
  sl_shell_lex(text, dot, &before);
  sl_shell_tok *q = before.count ? &before.items[before.count - 1] : NULL;
  char *qualifier = NULL;
  if (q && q->end == dot &&
      (q->kind == SL_SHELL_TOK_WORD || q->kind == SL_SHELL_TOK_QUOTED))
    qualifier = tok_name(text, q);
  sl_shell_toks_free(&before);
  if (!qualifier)
    return;

  sl_shell_toks all;
  sl_shell_lex(text, len, &all);
  char *object = resolve_alias(text, &all, qualifier);
  sl_shell_toks_free(&all);

  sl_shell_words columns = {0};
  src->columns(src->ctx, object ? object : qualifier, &columns);
  for (size_t i = 0; i < columns.count; i++) {
    if (prefix_matches(text + out->start, cursor - out->start,
                       columns.items[i]))
      add_name(&out->matches, columns.items[i]);
  }
  if (columns.failed)
    out->matches.failed = true;
  sl_shell_words_free(&columns);
  free(object);
  free(qualifier);
}

sl_status sl_shell_complete(const char *text, size_t len, size_t cursor,
                            const sl_shell_source *src,
                            sl_shell_completion *out) {
  memset(out, 0, sizeof(*out));
  out->start = cursor;
  out->suffix = " ";
  if (cursor > len)
    cursor = len;

  sl_shell_toks toks;
  sl_shell_lex(text, cursor, &toks);
  if (toks.end == SL_SHELL_END_STRING) {
    complete_in_string(text, &toks, cursor, src, out);
    goto done;
  }
  if (toks.end != SL_SHELL_END_CODE)
    goto done;

  /* The word under the cursor, and the tokens before it. */
  size_t start = cursor;
  while (start > 0 && sl_shell_is_word_byte((unsigned char)text[start - 1]))
    start--;
  out->start = start;
  if (start < cursor && isdigit((unsigned char)text[start]))
    goto done;
  size_t ntoks = toks.count;
  while (ntoks > 0 && toks.items[ntoks - 1].end > start)
    ntoks--;

  const char *word = text + start;
  size_t wlen = cursor - start;
  if (start > 0 && text[start - 1] == '.') {
    complete_column(text, len, start - 1, cursor, src, out);
    goto done;
  }
  switch (what_follows(text, &toks, ntoks)) {
  case WANT_STATEMENT:
    add_keywords(word, wlen, &out->matches);
    break;
  case WANT_ANY:
    add_keywords(word, wlen, &out->matches);
    add_names(src, src->objects, word, wlen, false, &out->matches);
    break;
  case WANT_OBJECT:
    add_names(src, src->objects, word, wlen, false, &out->matches);
    break;
  case WANT_TOPIC:
    add_names(src, src->topics, word, wlen, true, &out->matches);
    break;
  }

done:;
  bool failed = toks.failed || out->matches.failed;
  sl_shell_toks_free(&toks);
  sl_shell_words_sort_unique(&out->matches);
  if (failed) {
    sl_shell_completion_free(out);
    return SL_ERR_NOMEM;
  }
  return SL_OK;
}

size_t sl_shell_completion_common(const sl_shell_completion *c) {
  if (c->matches.count == 0)
    return 0;
  const char *first = c->matches.items[0];
  size_t n = strlen(first);
  for (size_t i = 1; i < c->matches.count; i++) {
    const char *other = c->matches.items[i];
    size_t k = 0;
    while (k < n && other[k] == first[k])
      k++;
    n = k;
  }
  return n;
}

void sl_shell_completion_free(sl_shell_completion *c) {
  sl_shell_words_free(&c->matches);
}
