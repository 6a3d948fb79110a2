/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins.h - what the built-in function files share (internal to udf/).
 *
 * Each builtins_*.c file defines a table of sl_func_def records with the
 * implementations of its functions; the registry registers every table
 * listed in sl_func_builtin_tables.  The helpers below keep the batch
 * loops short: NULL checks, result memory from the batch arena, UTF-8
 * walking.
 */
#ifndef SLUICE_UDF_BUILTINS_H
#define SLUICE_UDF_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/types/value.h"
#include "udf/call.h"
#include "udf/registry.h"

typedef struct sl_func_builtin_table {
  const sl_func_def *defs; /* NULL ends the list of tables */
  const int *count;
} sl_func_builtin_table;

extern const sl_func_builtin_table sl_func_builtin_tables[];

extern const sl_func_def sl_func_builtins_math[];
extern const int sl_func_builtins_math_count;
extern const sl_func_def sl_func_builtins_string[];
extern const int sl_func_builtins_string_count;
extern const sl_func_def sl_func_builtins_regex[];
extern const int sl_func_builtins_regex_count;
extern const sl_func_def sl_func_builtins_time[];
extern const int sl_func_builtins_time_count;
extern const sl_func_def sl_func_builtins_misc[];
extern const int sl_func_builtins_misc_count;
extern const sl_func_def sl_func_builtins_json[];
extern const int sl_func_builtins_json_count;
extern const sl_func_def sl_func_builtins_agg[];
extern const int sl_func_builtins_agg_count;

/* The dead-letter reason of a row whose argument is a value the function
 * cannot take (a negative square root, a malformed format string, an
 * unknown time zone).  The conventions' reasons have no separate entry
 * for this; "type" is the one that says the value was not acceptable. */
#define SL_FUNC_INVALID "type"

/* True when any argument of row is NULL. */
static inline bool sl_func_any_null(int nargs, const sl_value *const *args,
                                    int row) {
  for (int i = 0; i < nargs; i++)
    if (args[i][row].kind == SL_TYPE_NULL)
      return true;
  return false;
}

/* Fails one row like sl_func_row_fail, prefixing the message with the
 * function's lower-case name ("ln: cannot take logarithm of zero"). */
void sl_func_fail(sl_func_ctx *ctx, int row, sl_value *out,
                  const char *reason, const char *fmt, ...) SL_PRINTF(5, 6);

/* A prepare-time error for a constant argument: SL_ERR_SQL with the same
 * prefix.  Returns SL_ERR_SQL. */
sl_status sl_func_prepare_fail(const sl_func_ctx *ctx, sl_error *err,
                               const char *fmt, ...) SL_PRINTF(3, 4);

/* The batch-level out-of-memory error. */
sl_status sl_func_nomem(sl_error *err);

/* A VARCHAR result of n bytes copied from s into the batch arena.  False
 * when out of memory. */
bool sl_func_set_varchar(sl_func_ctx *ctx, sl_value *out, const char *s,
                         size_t n);

/* Text of a VARCHAR value as a NUL-terminated copy in the arena (for C
 * interfaces that want one), or NULL when out of memory. */
char *sl_func_cstr(sl_func_ctx *ctx, const sl_value *v);

/* UTF-8.  Strings are assumed to be valid UTF-8 (the decoders check it);
 * the walkers never read past n bytes even when they are not. */

/* The number of characters (code points) of s[0..n). */
size_t sl_func_utf8_count(const char *s, size_t n);

/* The byte offset just after the first nchars characters of s[0..n) (n
 * when the string is shorter). */
size_t sl_func_utf8_skip(const char *s, size_t n, size_t nchars);

/* What sl_func_utf8_next returns for a byte that starts no valid
 * sequence. */
#define SL_FUNC_UTF8_BAD UINT32_C(0xFFFFFFFF)

/* Decodes the character at s[*pos] (n bytes in all) and advances *pos.
 * A malformed byte gives SL_FUNC_UTF8_BAD and advances by one, so that
 * callers can copy it through unchanged. */
uint32_t sl_func_utf8_next(const char *s, size_t n, size_t *pos);

/* Encodes cp into buf (at least 4 bytes); returns the byte count. */
size_t sl_func_utf8_put(uint32_t cp, char *buf);

#endif /* SLUICE_UDF_BUILTINS_H */
