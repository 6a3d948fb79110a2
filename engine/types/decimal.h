/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decimal.h - exact DECIMAL(p,s) arithmetic on scaled 128-bit integers.
 *
 * A decimal is an unscaled integer v and a scale s, meaning v / 10^s, with
 * |v| < 10^p for its precision p <= 38.  Every operation is exact or
 * rounds half away from zero, and every result is checked against its
 * precision: overflow is an error (reason "overflow"), never a wrapped
 * value.  Intermediate products and aligned operands are carried in 256
 * bits, so a result that fits is always found.
 *
 * Result types of arithmetic, decided once when an expression is compiled
 * (sl_decimal_result_*), follow SQL Server's rules:
 *   a + b, a - b: scale max(s1, s2),
 *                 precision max(p1 - s1, p2 - s2) + scale + 1
 *   a * b:        scale s1 + s2, precision p1 + p2 + 1
 *   a / b:        scale max(6, s1 + p2 + 1),
 *                 precision p1 - s1 + s2 + scale
 *   a % b:        scale max(s1, s2),
 *                 precision min(p1 - s1, p2 - s2) + scale
 * and when the precision exceeds 38 it becomes 38 and the scale shrinks to
 * keep the integer digits, but never below min(scale, 6).  The runtime
 * functions take the result precision and scale and round to that scale.
 *
 * Errors are SL_ERR_RECORD with reason "type" (text that is no number),
 * "overflow" (a value that does not fit) or "division_by_zero"; the
 * location is left for the caller to fill.
 */
#ifndef SLUICE_DECIMAL_H
#define SLUICE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/types/value.h"

__extension__ typedef unsigned __int128 sl_uint128;

/* Enough for any decimal's text: sign, 38 digits, "0." and NUL. */
#define SL_DECIMAL_TEXT_MAX 48

/* 10^n for 0 <= n <= 38. */
sl_int128 sl_decimal_pow10(int n);

/* The number of decimal digits of |v| (1 for zero). */
int sl_decimal_digits(sl_int128 v);

/* True when |v| < 10^precision. */
bool sl_decimal_fits(sl_int128 v, int precision);

/* Parses decimal text ("12.345", "-0.5", "+1e3", "1.5E-2"; surrounding
 * blanks allowed) into DECIMAL(precision, scale), rounding extra
 * fractional digits half away from zero.  Errors name the text. */
sl_status sl_decimal_parse(const char *text, size_t len, int precision,
                           int scale, sl_int128 *out, sl_error *err);

/* Parses decimal text keeping its own scale: "1.50" is 150 at scale 2,
 * "1e3" is 1000 at scale 0, "1e-3" is 1 at scale 3.  Fails when the value
 * needs more than 38 digits or a scale above 38. */
sl_status sl_decimal_parse_natural(const char *text, size_t len,
                                   sl_int128 *out, int *scale,
                                   sl_error *err);

/* Writes v at scale as text ("-12.30", "0.05", "7") into buf, which must
 * hold SL_DECIMAL_TEXT_MAX bytes.  Returns the length. */
size_t sl_decimal_to_text(sl_int128 v, int scale, char *buf);

/* Changes the scale of v from from_scale to to_scale, rounding half away
 * from zero when digits are dropped; fails with "overflow" when the result
 * does not fit precision. */
sl_status sl_decimal_rescale(sl_int128 v, int from_scale, int to_scale,
                             int precision, sl_int128 *out, sl_error *err);

/* Exact three-way comparison of a/10^sa and b/10^sb. */
int sl_decimal_cmp(sl_int128 a, int sa, sl_int128 b, int sb);

/* Exact three-way comparison of v/10^scale with a finite double. */
int sl_decimal_cmp_double(sl_int128 v, int scale, double d);

/* Result types of the arithmetic operators (see the rules above). */
void sl_decimal_result_add(int p1, int s1, int p2, int s2, int *p, int *s);
void sl_decimal_result_mul(int p1, int s1, int p2, int s2, int *p, int *s);
void sl_decimal_result_div(int p1, int s1, int p2, int s2, int *p, int *s);
void sl_decimal_result_mod(int p1, int s1, int p2, int s2, int *p, int *s);

/* Arithmetic: the exact result rounded half away from zero to scale s and
 * checked against precision p.  Division and modulo by zero fail with
 * "division_by_zero".  The modulo takes the sign of the dividend. */
sl_status sl_decimal_add(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err);
sl_status sl_decimal_sub(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err);
sl_status sl_decimal_mul(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err);
sl_status sl_decimal_div(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err);
sl_status sl_decimal_mod(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err);

/* v as DECIMAL(precision, scale); "overflow" when it does not fit. */
sl_status sl_decimal_from_int64(int64_t v, int precision, int scale,
                                sl_int128 *out, sl_error *err);

/* v/10^scale rounded half away from zero to an integer within
 * [min, max]; "overflow" outside. */
sl_status sl_decimal_to_int64(sl_int128 v, int scale, int64_t min,
                              int64_t max, int64_t *out, sl_error *err);

/* The double nearest to v/10^scale (correctly rounded). */
double sl_decimal_to_double(sl_int128 v, int scale);

/* The exact value of d rounded half away from zero to DECIMAL(precision,
 * scale); "overflow" when it does not fit or d is infinite, "type" for
 * NaN. */
sl_status sl_decimal_from_double(double d, int precision, int scale,
                                 sl_int128 *out, sl_error *err);

/* When finite d is exactly a decimal of at most 38 digits and scale 38,
 * stores it with the smallest scale and returns true. */
bool sl_decimal_exact_double(double d, sl_int128 *out, int *scale);

/* Removes trailing fractional zeros: (1500, 3) becomes (15, 1). */
void sl_decimal_normalize(sl_int128 *v, int *scale);

#endif /* SLUICE_DECIMAL_H */
