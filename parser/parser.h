/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parser.h - turn Sluice SQL text into syntax trees.
 *
 * sl_parse_script reads a whole script: it substitutes ${name} variables,
 * lexes, and parses every statement, stopping at the first error.  The
 * result holds the statements in order, each with its span in the original
 * text, so that a caller can run them one by one and show what it runs.
 * The trees are described in ast.h; sl_ast_dump prints one in a stable
 * indented form for golden tests and `sluice check --dump`.
 *
 * Errors are SL_ERR_SQL with a location (FILE:LINE:COLUMN) in the original
 * text, before substitution: a token that came out of ${name} is reported
 * at the "$" of the reference.  errors.h renders the caret display.
 */
#ifndef SLUICE_PARSER_PARSER_H
#define SLUICE_PARSER_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/strbuf.h"
#include "parser/ast.h"
#include "parser/vars.h"

/* One -D name=value. */
typedef sl_vars_def sl_parse_var;

typedef struct sl_parse_options {
  const sl_parse_var *vars; /* ${name} values; may be NULL when nvars 0 */
  size_t nvars;
} sl_parse_options;

/* A parsed script.  Everything it points at is owned by it. */
typedef struct sl_parse_result {
  sl_arena arena;       /* every node, list and string of the trees */
  const char *file;     /* the file name given (a copy) */
  const char *text;     /* the original text (a NUL-terminated copy) */
  size_t len;           /* bytes of text */
  int nstmts;
  sl_ast_stmt **stmts;  /* in script order; empty statements skipped */
  size_t cap_stmts;

  /* Heap types referenced by the trees, freed with the result. */
  sl_type **types;
  size_t ntypes;
  size_t cap_types;
} sl_parse_result;

/* Parses the NUL-terminated script text.  file names it in messages ("-"
 * or "<stdin>" are fine).  opts may be NULL (no variables).  On success
 * *out is a new result the caller frees with sl_parse_result_free; a
 * script with no statements gives a result with nstmts 0.  On failure
 * returns SL_ERR_SQL (or SL_ERR_NOMEM), fills err, and sets *out to NULL;
 * nothing is left allocated. */
sl_status sl_parse_script(const char *file, const char *text,
                          const sl_parse_options *opts,
                          sl_parse_result **out, sl_error *err);

/* Like sl_parse_script for len bytes of text that need not end in NUL
 * (an embedded NUL byte is a lexical error). */
sl_status sl_parse_script_len(const char *file, const char *text,
                              size_t len, const sl_parse_options *opts,
                              sl_parse_result **out, sl_error *err);

/* Parses text that must hold exactly one statement (a trailing ';' is
 * optional).  On success (*out)->nstmts is 1.  No statement, or more than
 * one, is an SL_ERR_SQL error at the offending place. */
sl_status sl_parse_statement(const char *file, const char *text,
                             const sl_parse_options *opts,
                             sl_parse_result **out, sl_error *err);

/* Frees a result and everything in it.  Accepts NULL. */
void sl_parse_result_free(sl_parse_result *result);

/* The original text of a statement of result (no trailing ';'): returns a
 * pointer into result->text and sets *len. */
const char *sl_parse_stmt_text(const sl_parse_result *result,
                               const sl_ast_stmt *stmt, size_t *len);

/* True when text holds at least one complete statement and ends after a
 * ';' outside any string, quoted identifier or comment (only blanks and
 * comments after it): what an interactive shell asks before it runs what
 * was typed.  Lexical errors other than unterminated strings, identifiers
 * or comments count as complete, so that the parser reports them. */
bool sl_parse_is_complete(const char *text, size_t len);

/* ------------------------------------------------------------------ */
/* Dumps                                                               */
/* ------------------------------------------------------------------ */

/* Include positions (@line:column) on every node. */
#define SL_AST_DUMP_POSITIONS 1u

/* Appends a stable, indented text form of stmt to out: one node per line,
 * two spaces of indentation per level, each line ending in a newline.
 * Returns SL_OK or SL_ERR_NOMEM (out->failed is then set). */
sl_status sl_ast_dump(const sl_ast_stmt *stmt, unsigned flags,
                      sl_strbuf *out);

/* The same for one expression, starting at indentation level `depth`. */
sl_status sl_ast_dump_expr(const sl_ast_expr *expr, unsigned flags,
                           int depth, sl_strbuf *out);

/* ------------------------------------------------------------------ */
/* Keywords                                                            */
/* ------------------------------------------------------------------ */

/* The i-th keyword of the dialect in lower case, in alphabetical order,
 * or NULL when i is past the last (for completion in the shell). */
const char *sl_parse_keyword_at(size_t i);

/* True when word (any case, len bytes) is a keyword of the dialect. */
bool sl_parse_is_keyword(const char *word, size_t len);

#endif /* SLUICE_PARSER_PARSER_H */
