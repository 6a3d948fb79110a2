/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shell_complete.h - what Tab completes at the shell prompt.
 *
 * Given the statement typed so far and the cursor position, the completer
 * finds the word under the cursor and what may replace it:
 *
 *   - at the start of a statement, keywords;
 *   - after FROM, JOIN, INTO, DESCRIBE, and the object kinds of CREATE and
 *     DROP (STREAM, TABLE, MODEL, SET), object names;
 *   - after "name." the columns of name, where name is an alias given in
 *     a FROM or JOIN clause of the statement (anywhere in it, so that
 *     `SELECT p.<Tab> ... FROM payments p` works) or an object's own name;
 *   - after PRINT, or inside the string that follows it, topic names;
 *   - elsewhere, keywords and object names.
 *
 * Keywords take the case of what was typed (lower case when the word so
 * far is lower case, else upper case).  Names come from a source of
 * callbacks, so that the completer knows nothing of catalogs or brokers
 * and tests can feed it fixed lists.
 */
#ifndef SLUICE_CLI_SHELL_COMPLETE_H
#define SLUICE_CLI_SHELL_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/error.h"

/* A growable list of owned strings. */
typedef struct sl_shell_words {
  char **items;
  size_t count;
  size_t cap;
  bool failed;  /* an allocation failed; later adds are ignored */
} sl_shell_words;

/* Appends a copy of len bytes of word. */
void sl_shell_words_add(sl_shell_words *w, const char *word, size_t len);

/* Appends a copy of the NUL-terminated word. */
void sl_shell_words_adds(sl_shell_words *w, const char *word);

/* Sorts the list bytewise and drops duplicates. */
void sl_shell_words_sort_unique(sl_shell_words *w);

/* Frees the strings and the list; leaves it empty and reusable. */
void sl_shell_words_free(sl_shell_words *w);

/* Where names come from.  Each callback appends to out; any may be NULL
 * (nothing of that kind).  A callback that cannot reach its source
 * appends nothing: completion never fails because a name is missing. */
typedef struct sl_shell_source {
  void *ctx;
  /* Streams, tables, training sets and models. */
  void (*objects)(void *ctx, sl_shell_words *out);
  /* The columns of one object (exact name), in declaration order. */
  void (*columns)(void *ctx, const char *object, sl_shell_words *out);
  /* Topic names. */
  void (*topics)(void *ctx, sl_shell_words *out);
} sl_shell_source;

/* The result of one completion request. */
typedef struct sl_shell_completion {
  size_t start;          /* the word replaced is text[start, cursor) */
  sl_shell_words matches; /* replacements, sorted, without duplicates */
  const char *suffix;    /* appended after a single match ("" or " " or
                            "' ") */
} sl_shell_completion;

/* Computes the completions at byte offset cursor of text (len bytes; the
 * text after the cursor is read only for aliases).  out is initialized
 * here and freed with sl_shell_completion_free.  Returns SL_ERR_NOMEM when
 * an allocation failed, else SL_OK (with no matches when nothing fits). */
sl_status sl_shell_complete(const char *text, size_t len, size_t cursor,
                            const sl_shell_source *src,
                            sl_shell_completion *out);

/* The length of the prefix every match shares (0 when there are none). */
size_t sl_shell_completion_common(const sl_shell_completion *c);

void sl_shell_completion_free(sl_shell_completion *c);

#endif
