/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vars.h - ${name} substitution in SQL text, before lexing.
 *
 * `sluice run -D env=prod` makes ${env} stand for "prod" anywhere in a
 * script: in names, in strings ('${env}_payments') and between tokens.
 * References inside comments are left alone, so that commenting out a line
 * never makes it fail.  A reference to a name that was not defined is an
 * error at the "$".  There is no escape and no recursion: a value is
 * inserted as it is, and a "$" not followed by "{" is an ordinary
 * character.  Names are letters, digits, '_', '.' and '-'.
 *
 * The substituted text differs in length from the original, so expansion
 * also builds a position map: an offset in the substituted text maps back
 * to the same character of the original where the text was copied, and to
 * the "$" of the reference where it came from a value.  The lexer reports
 * every position through this map, so error columns point into the text
 * the user wrote.
 */
#ifndef SLUICE_PARSER_VARS_H
#define SLUICE_PARSER_VARS_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/error.h"

/* One stretch of the substituted text: either copied from the original
 * (from_value false, same length) or the value of one reference. */
typedef struct sl_vars_segment {
  size_t out_start;   /* offset in the substituted text */
  size_t out_len;
  size_t orig_start;  /* offset in the original text */
  size_t orig_len;    /* bytes of original: the copy, or all of ${name} */
  bool from_value;
} sl_vars_segment;

typedef struct sl_vars_map {
  sl_vars_segment *segs;  /* in order; they tile both texts */
  size_t nsegs;
  size_t cap;
} sl_vars_map;

/* A name and its value, as given with -D. */
typedef struct sl_vars_def {
  const char *name;
  const char *value;
} sl_vars_def;

/* Expands every ${name} of text (len bytes) with the values in defs.  On
 * success *out is a malloc'd NUL-terminated copy (*out_len bytes) and map
 * describes it; the caller frees both (free, sl_vars_map_free).  When text
 * has no reference, *out is still a copy and the map has one segment.  On
 * failure (undefined name, a "${" never closed, a bad name) returns
 * SL_ERR_SQL with err at the "$" of the reference, *out NULL and the map
 * empty; SL_ERR_NOMEM when out of memory. */
sl_status sl_vars_expand(const char *file, const char *text, size_t len,
                         const sl_vars_def *defs, size_t ndefs, char **out,
                         size_t *out_len, sl_vars_map *map, sl_error *err);

/* The offset in the original text of offset `at` of the substituted one.
 * An offset at the very end maps to the end of the original. */
size_t sl_vars_map_offset(const sl_vars_map *map, size_t at);

/* Frees the map's storage and leaves it empty.  Accepts an empty map. */
void sl_vars_map_free(sl_vars_map *map);

#endif /* SLUICE_PARSER_VARS_H */
