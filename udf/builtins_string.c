/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_string.c - LENGTH, LOWER, UPPER, TRIM, LTRIM, RTRIM, SUBSTRING,
 * REPLACE, SPLIT, CONCAT, LPAD, RPAD, STARTS_WITH.
 *
 * Strings are UTF-8 and every length and position counts characters
 * (code points), not bytes: LENGTH('héllo') is 5, SUBSTRING is 1-based in
 * characters, and LPAD pads to a number of characters.  Positions follow
 * PostgreSQL: SUBSTRING('hello', 0, 2) is 'h' (the characters from
 * position 0 up to, not including, position 2).
 *
 * LOWER and UPPER map ASCII, Latin-1 Supplement, Latin Extended-A, basic
 * Greek (with tonos) and basic Cyrillic by Unicode's simple one-to-one
 * case mappings; other characters are left as they are (no locale, no
 * special casing: 'ß' stays 'ß').  Mapped characters never grow in bytes.
 */
#include <string.h>

#include "engine/types/format.h"
#include "engine/types/strbuf.h"
#include "udf/builtins.h"

/* The longest string a padding function builds. */
#define MAX_RESULT_BYTES (64u << 20)

/* ------------------------------------------------------------------ */
/* LENGTH                                                              */
/* ------------------------------------------------------------------ */

static sl_status length_varchar(sl_func_ctx *ctx, int nargs,
                                const sl_value *const *args, int nrows,
                                sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *s = &args[0][r];
    out[r] = s->kind == SL_TYPE_NULL
                 ? sl_value_null()
                 : sl_value_int((int32_t)sl_func_utf8_count(s->u.str, s->len));
  }
  return SL_OK;
}

static sl_status length_bytes(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *s = &args[0][r];
    out[r] = s->kind == SL_TYPE_NULL ? sl_value_null()
                                     : sl_value_int((int32_t)s->len);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* LOWER and UPPER                                                     */
/* ------------------------------------------------------------------ */

static uint32_t lower_cp(uint32_t c) {
  if (c < 0x80)
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
    return c + 0x20;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130)
      return 'i';
    if (c == 0x178)
      return 0xFF;
    if ((c <= 0x12E || (c >= 0x132 && c <= 0x136) ||
         (c >= 0x14A && c <= 0x176)) && c % 2 == 0)
      return c + 1;
    if (((c >= 0x139 && c <= 0x147) || (c >= 0x179 && c <= 0x17D)) &&
        c % 2 == 1)
      return c + 1;
    return c;
  }
  if ((c >= 0x391 && c <= 0x3AB && c != 0x3A2) )
    return c + 0x20;
  if (c == 0x386)
    return 0x3AC;
  if (c >= 0x388 && c <= 0x38A)
    return c + 0x25;
  if (c == 0x38C)
    return 0x3CC;
  if (c == 0x38E || c == 0x38F)
    return c + 0x3F;
  if (c >= 0x410 && c <= 0x42F)
    return c + 0x20;
  if (c >= 0x400 && c <= 0x40F)
    return c + 0x50;
  return c;
}

static uint32_t upper_cp(uint32_t c) {
  if (c < 0x80)
    return c >= 'a' && c <= 'z' ? c - 32 : c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
    return c - 0x20;
  if (c == 0xFF)
    return 0x178;
  if (c == 0xB5)
    return 0x39C;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x131)
      return 'I';
    if (c == 0x17F)
      return 'S';
    if ((c <= 0x12F || (c >= 0x133 && c <= 0x137) ||
         (c >= 0x14B && c <= 0x177)) && c % 2 == 1)
      return c - 1;
    if (((c >= 0x13A && c <= 0x148) || (c >= 0x17A && c <= 0x17E)) &&
        c % 2 == 0)
      return c - 1;
    return c;
  }
  if (c == 0x3C2)
    return 0x3A3;
  if (c >= 0x3B1 && c <= 0x3CB)
    return c - 0x20;
  if (c == 0x3AC)
    return 0x386;
  if (c >= 0x3AD && c <= 0x3AF)
    return c - 0x25;
  if (c == 0x3CC)
    return 0x38C;
  if (c == 0x3CD || c == 0x3CE)
    return c - 0x3F;
  if (c >= 0x430 && c <= 0x44F)
    return c - 0x20;
  if (c >= 0x450 && c <= 0x45F)
    return c - 0x50;
  return c;
}

static sl_status map_case(sl_func_ctx *ctx, const sl_value *const *args,
                          int nrows, sl_value *out, sl_error *err,
                          uint32_t (*map)(uint32_t)) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *s = &args[0][r];
    if (s->kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }

    /* No mapping makes a character longer, so len bytes suffice. */
    char *buf = sl_arena_alloc(ctx->arena, s->len ? s->len : 1);
    if (!buf)
      return sl_func_nomem(err);
    size_t pos = 0, n = 0;
    while (pos < s->len) {
      size_t at = pos;
      uint32_t c = sl_func_utf8_next(s->u.str, s->len, &pos);
      if (c == SL_FUNC_UTF8_BAD)
        buf[n++] = s->u.str[at];
      else
        n += sl_func_utf8_put(map(c), buf + n);
    }
    out[r] = sl_value_varchar(buf, n);
  }
  return SL_OK;
}

static sl_status lower_fn(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  return map_case(ctx, args, nrows, out, err, lower_cp);
}

static sl_status upper_fn(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  return map_case(ctx, args, nrows, out, err, upper_cp);
}

/* ------------------------------------------------------------------ */
/* TRIM, LTRIM, RTRIM                                                  */
/* ------------------------------------------------------------------ */

/* True when character c (of chars, n bytes) is in the set. */
static bool in_set(const char *set, size_t n, const char *c, size_t clen) {
  size_t pos = 0;
  while (pos < n) {
    size_t at = pos;
    sl_func_utf8_next(set, n, &pos);
    if (pos - at == clen && memcmp(set + at, c, clen) == 0)
      return true;
  }
  return false;
}

/* Trims the characters of set (a space without one) from the left, the
 * right or both ends.  The result points into the argument, copied into
 * the arena. */
static sl_status trim_ends(sl_func_ctx *ctx, int nargs,
                           const sl_value *const *args, int nrows,
                           sl_value *out, sl_error *err, bool left,
                           bool right) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const char *s = args[0][r].u.str;
    size_t n = args[0][r].len;
    const char *set = nargs > 1 ? args[1][r].u.str : " ";
    size_t nset = nargs > 1 ? args[1][r].len : 1;
    size_t begin = 0, end = n;

    while (left && begin < end) {
      size_t pos = begin;
      sl_func_utf8_next(s, end, &pos);
      if (!in_set(set, nset, s + begin, pos - begin))
        break;
      begin = pos;
    }
    while (right && end > begin) {
      size_t start = end - 1;
      while (start > begin && ((unsigned char)s[start] & 0xC0) == 0x80)
        start--;
      if (!in_set(set, nset, s + start, end - start))
        break;
      end = start;
    }
    if (!sl_func_set_varchar(ctx, &out[r], s + begin, end - begin))
      return sl_func_nomem(err);
  }
  return SL_OK;
}

static sl_status trim_fn(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err) {
  return trim_ends(ctx, nargs, args, nrows, out, err, true, true);
}

static sl_status ltrim_fn(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  return trim_ends(ctx, nargs, args, nrows, out, err, true, false);
}

static sl_status rtrim_fn(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  return trim_ends(ctx, nargs, args, nrows, out, err, false, true);
}

/* ------------------------------------------------------------------ */
/* SUBSTRING                                                           */
/* ------------------------------------------------------------------ */

/* SUBSTRING(s, start [, len]): the characters at positions start ..
 * start + len - 1 that exist (positions below 1 count but hold
 * nothing). */
static sl_status substring_fn(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const char *s = args[0][r].u.str;
    size_t n = args[0][r].len;
    int64_t start = args[1][r].u.i32;
    int64_t stop = INT64_MAX; /* first position not taken */
    if (nargs > 2) {
      int64_t len = args[2][r].u.i32;
      if (len < 0) {
        sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                     "negative substring length not allowed");
        continue;
      }
      stop = start + len;
    }
    int64_t first = start < 1 ? 1 : start;
    if (stop <= first) {
      out[r] = sl_value_varchar("", 0);
      continue;
    }
    size_t b = sl_func_utf8_skip(s, n, (size_t)(first - 1));
    size_t e = stop == INT64_MAX
                   ? n
                   : b + sl_func_utf8_skip(s + b, n - b,
                                           (size_t)(stop - first));
    if (!sl_func_set_varchar(ctx, &out[r], s + b, e - b))
      return sl_func_nomem(err);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* REPLACE, SPLIT, STARTS_WITH                                         */
/* ------------------------------------------------------------------ */

/* The first occurrence of needle (m > 0 bytes) in hay[from..n), or n. */
static size_t find_bytes(const char *hay, size_t n, size_t from,
                         const char *needle, size_t m) {
  if (m > n)
    return n;
  for (size_t i = from; i + m <= n; i++)
    if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
      return i;
  return n;
}

static sl_status replace_fn(sl_func_ctx *ctx, int nargs,
                            const sl_value *const *args, int nrows,
                            sl_value *out, sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_status rc = SL_OK;
  for (int r = 0; r < nrows && rc == SL_OK; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *s = &args[0][r], *from = &args[1][r], *to = &args[2][r];
    if (from->len == 0) {
      if (!sl_func_set_varchar(ctx, &out[r], s->u.str, s->len))
        rc = sl_func_nomem(err);
      continue;
    }
    sl_strbuf_reset(&sb);
    size_t pos = 0;
    for (;;) {
      size_t hit = find_bytes(s->u.str, s->len, pos, from->u.str, from->len);
      sl_strbuf_append(&sb, s->u.str + pos, hit - pos);
      if (hit == s->len)
        break;
      sl_strbuf_append(&sb, to->u.str, to->len);
      pos = hit + from->len;
    }
    if (sb.failed || !sl_func_set_varchar(ctx, &out[r], sb.data, sb.len))
      rc = sl_func_nomem(err);
  }
  sl_strbuf_free(&sb);
  return rc;
}

/* SPLIT(s, sep): the pieces between separators, as an ARRAY<VARCHAR>; an
 * empty separator splits into characters; an empty string gives an empty
 * array.  The pieces point into one arena copy of s. */
static sl_status split_fn(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *s = &args[0][r], *sep = &args[1][r];
    sl_value arr;
    memset(&arr, 0, sizeof(arr));
    arr.kind = SL_TYPE_ARRAY;
    out[r] = arr;
    if (s->len == 0)
      continue;

    const char *copy = sl_arena_strndup(ctx->arena, s->u.str, s->len);
    if (!copy)
      return sl_func_nomem(err);
    size_t count = 1;
    if (sep->len == 0)
      count = sl_func_utf8_count(copy, s->len);
    else
      for (size_t p = find_bytes(copy, s->len, 0, sep->u.str, sep->len);
           p < s->len;
           p = find_bytes(copy, s->len, p + sep->len, sep->u.str, sep->len))
        count++;

    sl_value *items = sl_arena_alloc(ctx->arena, count * sizeof(*items));
    if (!items)
      return sl_func_nomem(err);
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
      size_t end;
      if (sep->len == 0) {
        end = pos;
        sl_func_utf8_next(copy, s->len, &end);
        items[i] = sl_value_varchar(copy + pos, end - pos);
        pos = end;
      } else {
        end = find_bytes(copy, s->len, pos, sep->u.str, sep->len);
        items[i] = sl_value_varchar(copy + pos, end - pos);
        pos = end + sep->len;
      }
    }
    out[r].len = (uint32_t)count;
    out[r].u.items = items;
  }
  return SL_OK;
}

static sl_status starts_with_fn(sl_func_ctx *ctx, int nargs,
                                const sl_value *const *args, int nrows,
                                sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const sl_value *s = &args[0][r], *p = &args[1][r];
    out[r] = sl_value_bool(p->len <= s->len &&
                           memcmp(s->u.str, p->u.str, p->len) == 0);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* CONCAT                                                              */
/* ------------------------------------------------------------------ */

/* CONCAT(a, b, ...): the text forms of the arguments one after another,
 * NULLs skipped (so the result is never NULL), as in PostgreSQL. */
static sl_status concat_fn(sl_func_ctx *ctx, int nargs,
                           const sl_value *const *args, int nrows,
                           sl_value *out, sl_error *err) {
  sl_strbuf sb = SL_STRBUF_INIT;
  sl_status rc = SL_OK;
  for (int r = 0; r < nrows && rc == SL_OK; r++) {
    sl_strbuf_reset(&sb);
    for (int i = 0; i < nargs; i++) {
      const sl_value *v = &args[i][r];
      if (v->kind == SL_TYPE_NULL)
        continue;
      if (v->kind == SL_TYPE_VARCHAR)
        sl_strbuf_append(&sb, v->u.str, v->len);
      else
        sl_format_text(&sb, v, ctx->arg_types[i]);
    }
    if (sb.failed || !sl_func_set_varchar(ctx, &out[r], sb.data, sb.len))
      rc = sl_func_nomem(err);
  }
  sl_strbuf_free(&sb);
  return rc;
}

/* ------------------------------------------------------------------ */
/* LPAD and RPAD                                                       */
/* ------------------------------------------------------------------ */

/* Pads s with fill (a space by default) to len characters on the left or
 * right; a longer s is cut to len characters, as in PostgreSQL. */
static sl_status pad(sl_func_ctx *ctx, int nargs, const sl_value *const *args,
                     int nrows, sl_value *out, sl_error *err, bool left) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    const char *s = args[0][r].u.str;
    size_t n = args[0][r].len;
    int64_t want = args[1][r].u.i32 < 0 ? 0 : args[1][r].u.i32;
    const char *fill = nargs > 2 ? args[2][r].u.str : " ";
    size_t nfill = nargs > 2 ? args[2][r].len : 1;
    size_t have = sl_func_utf8_count(s, n);

    if ((size_t)want <= have || nfill == 0) {
      size_t cut = sl_func_utf8_skip(s, n, (size_t)want);
      if (!sl_func_set_varchar(ctx, &out[r], s, cut))
        return sl_func_nomem(err);
      continue;
    }

    /* The padding: whole copies of fill, then part of one. */
    size_t missing = (size_t)want - have;
    size_t fill_chars = sl_func_utf8_count(fill, nfill);
    size_t whole = missing / fill_chars;
    size_t part = sl_func_utf8_skip(fill, nfill, missing % fill_chars);
    size_t pad_bytes = whole * nfill + part;
    if (n > MAX_RESULT_BYTES || pad_bytes > MAX_RESULT_BYTES - n) {
      sl_func_fail(ctx, r, &out[r], "overflow", "requested length too large");
      continue;
    }
    char *buf = sl_arena_alloc(ctx->arena, n + pad_bytes);
    if (!buf)
      return sl_func_nomem(err);
    char *p = buf + (left ? 0 : n);
    for (size_t i = 0; i < whole; i++, p += nfill)
      memcpy(p, fill, nfill);
    memcpy(p, fill, part);
    memcpy(left ? buf + pad_bytes : buf, s, n);
    out[r] = sl_value_varchar(buf, n + pad_bytes);
  }
  return SL_OK;
}

static sl_status lpad_fn(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err) {
  return pad(ctx, nargs, args, nrows, out, err, true);
}

static sl_status rpad_fn(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err) {
  return pad(ctx, nargs, args, nrows, out, err, false);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_string[] = {
  {.name = "LENGTH",
   .doc = "The number of characters of a string (bytes of BYTES).",
   .example = "LENGTH('héllo') = 5",
   .sigs = {{.spec = "(VARCHAR) -> INT", .scalar = length_varchar},
            {.spec = "(BYTES) -> INT", .scalar = length_bytes}}},
  {.name = "LOWER",
   .doc = "s in lower case (ASCII, Latin-1, Latin Extended-A, Greek, "
          "Cyrillic).",
   .example = "LOWER('ÀBC') = 'àbc'",
   .sigs = {{.spec = "(VARCHAR) -> VARCHAR", .scalar = lower_fn}}},
  {.name = "UPPER",
   .doc = "s in upper case (ASCII, Latin-1, Latin Extended-A, Greek, "
          "Cyrillic).",
   .example = "UPPER('àbc') = 'ÀBC'",
   .sigs = {{.spec = "(VARCHAR) -> VARCHAR", .scalar = upper_fn}}},
  {.name = "TRIM",
   .doc = "s without leading and trailing characters of chars "
          "(default a space).",
   .example = "TRIM('  a b  ') = 'a b'",
   .sigs = {{.spec = "(VARCHAR [, VARCHAR]) -> VARCHAR", .scalar = trim_fn}}},
  {.name = "LTRIM",
   .doc = "s without leading characters of chars (default a space).",
   .example = "LTRIM('xxabc', 'x') = 'abc'",
   .sigs = {{.spec = "(VARCHAR [, VARCHAR]) -> VARCHAR", .scalar = ltrim_fn}}},
  {.name = "RTRIM",
   .doc = "s without trailing characters of chars (default a space).",
   .example = "RTRIM('abc  ') = 'abc'",
   .sigs = {{.spec = "(VARCHAR [, VARCHAR]) -> VARCHAR", .scalar = rtrim_fn}}},
  {.name = "SUBSTRING",
   .doc = "len characters of s (default: all) from character start "
          "(1-based).",
   .example = "SUBSTRING('héllo', 2, 3) = 'éll'",
   .sigs = {{.spec = "(VARCHAR, INT [, INT]) -> VARCHAR",
             .scalar = substring_fn}}},
  {.name = "REPLACE",
   .doc = "s with every occurrence of from replaced by to.",
   .example = "REPLACE('a-b-c', '-', '+') = 'a+b+c'",
   .sigs = {{.spec = "(VARCHAR, VARCHAR, VARCHAR) -> VARCHAR",
             .scalar = replace_fn}}},
  {.name = "SPLIT",
   .doc = "The parts of s between occurrences of sep, as an array.",
   .example = "SPLIT('a,b,,c', ',') = ['a', 'b', '', 'c']",
   .sigs = {{.spec = "(VARCHAR, VARCHAR) -> ARRAY<VARCHAR>",
             .scalar = split_fn}}},
  {.name = "CONCAT",
   .flags = SL_FUNC_NULL_CALL,
   .doc = "The arguments' text joined, NULLs skipped.",
   .example = "CONCAT('id-', 42, NULL) = 'id-42'",
   .sigs = {{.spec = "(ANY...) -> VARCHAR", .scalar = concat_fn}}},
  {.name = "LPAD",
   .doc = "s padded on the left with fill (default a space) to len "
          "characters, or cut to len.",
   .example = "LPAD('7', 3, '0') = '007'",
   .sigs = {{.spec = "(VARCHAR, INT [, VARCHAR]) -> VARCHAR",
             .scalar = lpad_fn}}},
  {.name = "RPAD",
   .doc = "s padded on the right with fill (default a space) to len "
          "characters, or cut to len.",
   .example = "RPAD('ab', 4, '.') = 'ab..'",
   .sigs = {{.spec = "(VARCHAR, INT [, VARCHAR]) -> VARCHAR",
             .scalar = rpad_fn}}},
  {.name = "STARTS_WITH",
   .doc = "True when s begins with prefix.",
   .example = "STARTS_WITH('sluice', 'slu') = true",
   .sigs = {{.spec = "(VARCHAR, VARCHAR) -> BOOLEAN",
             .scalar = starts_with_fn}}},
};

const int sl_func_builtins_string_count =
    (int)(sizeof(sl_func_builtins_string) /
          sizeof(sl_func_builtins_string[0]));
