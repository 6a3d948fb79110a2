/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keywords.h - keyword lookup and token names, internal to the parser.
 */
#ifndef SLUICE_PARSER_KEYWORDS_H
#define SLUICE_PARSER_KEYWORDS_H

#include <stdbool.h>
#include <stddef.h>

/* The grammar's token code of a keyword (any case, len bytes), or 0 when
 * the word is not a keyword. */
int sl_parse_keyword_code(const char *word, size_t len);

/* How a syntax error names grammar token `code`: keywords upper case in
 * quotes ("\"FROM\""), punctuation in quotes, classes in words ("a name",
 * "a string").  NULL for an unknown code. */
const char *sl_parse_token_name(int code);

#endif /* SLUICE_PARSER_KEYWORDS_H */
