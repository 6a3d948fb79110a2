/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decimal.c - exact decimal arithmetic on scaled 128-bit integers.
 *
 * Each operation works on signs and magnitudes.  The common cases (equal
 * scales, products of small numbers) stay in native 128-bit arithmetic;
 * the rest goes through a small unsigned 256-bit integer, wide enough for
 * a product of two 38-digit numbers or an operand aligned by 38 digits,
 * and is then rounded half away from zero to the result scale and checked
 * against the result precision.
 */
#include "engine/types/decimal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/types_internal.h"

/* ------------------------------------------------------------------ */
/* Powers of ten and digit counts                                      */
/* ------------------------------------------------------------------ */

#define P19 ((sl_uint128)10000000000000000000ULL)

static const sl_uint128 pow10_table[39] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
    10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
    100000000000ULL, 1000000000000ULL, 10000000000000ULL,
    100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
    100000000000000000ULL, 1000000000000000000ULL, P19, P19 * 10,
    P19 * 100, P19 * 1000, P19 * 10000, P19 * 100000, P19 * 1000000,
    P19 * 10000000, P19 * 100000000, P19 * 1000000000,
    P19 * 10000000000ULL, P19 * 100000000000ULL, P19 * 1000000000000ULL,
    P19 * 10000000000000ULL, P19 * 100000000000000ULL,
    P19 * 1000000000000000ULL, P19 * 10000000000000000ULL,
    P19 * 100000000000000000ULL, P19 * 1000000000000000000ULL, P19 * P19};

static sl_uint128 pow10_u128(int n) {
  return pow10_table[n];
}

/* True when q needs more than precision digits (precision 39 and up
 * accept any 128-bit magnitude). */
static bool over_precision(sl_uint128 q, int precision) {
  return precision <= 38 && q >= pow10_table[precision];
}

/* 10^n for 0 <= n <= 38. */
sl_int128 sl_decimal_pow10(int n) {
  return (sl_int128)pow10_u128(n);
}

static sl_uint128 magnitude(sl_int128 v) {
  return v < 0 ? (sl_uint128)0 - (sl_uint128)v : (sl_uint128)v;
}

static int digits_u128(sl_uint128 m) {
  int n = 1;
  while (n < 39 && m >= pow10_u128(n))
    n++;
  return n;
}

/* Digits of |v|, 1 for zero. */
int sl_decimal_digits(sl_int128 v) {
  return digits_u128(magnitude(v));
}

/* True when |v| < 10^precision. */
bool sl_decimal_fits(sl_int128 v, int precision) {
  return !over_precision(magnitude(v), precision);
}

/* ------------------------------------------------------------------ */
/* 256-bit unsigned integers                                           */
/* ------------------------------------------------------------------ */

typedef struct u256 {
  uint64_t w[4]; /* least significant first */
} u256;

static u256 u256_from(sl_uint128 v) {
  u256 r = {{(uint64_t)v, (uint64_t)(v >> 64), 0, 0}};
  return r;
}

static bool u256_fits_u128(const u256 *a) {
  return a->w[2] == 0 && a->w[3] == 0;
}

static sl_uint128 u256_low(const u256 *a) {
  return ((sl_uint128)a->w[1] << 64) | a->w[0];
}

static int u256_cmp(const u256 *a, const u256 *b) {
  for (int i = 3; i >= 0; i--) {
    if (a->w[i] != b->w[i])
      return a->w[i] < b->w[i] ? -1 : 1;
  }
  return 0;
}

static bool u256_is_zero(const u256 *a) {
  return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

static int u256_bitlen(const u256 *a) {
  for (int i = 3; i >= 0; i--) {
    if (a->w[i]) {
      int n = 64;
      uint64_t x = a->w[i];
      while (!(x >> 63)) {
        x <<= 1;
        n--;
      }
      return i * 64 + n;
    }
  }
  return 0;
}

/* a + b; the carry out of 256 bits is returned. */
static bool u256_add(u256 *r, const u256 *a, const u256 *b) {
  uint64_t carry = 0;
  for (int i = 0; i < 4; i++) {
    sl_uint128 s = (sl_uint128)a->w[i] + b->w[i] + carry;
    r->w[i] = (uint64_t)s;
    carry = (uint64_t)(s >> 64);
  }
  return carry != 0;
}

/* a - b for a >= b. */
static void u256_sub(u256 *r, const u256 *a, const u256 *b) {
  uint64_t borrow = 0;
  for (int i = 0; i < 4; i++) {
    uint64_t x = a->w[i];
    uint64_t y = b->w[i];
    uint64_t d = x - y - borrow;
    borrow = (x < y || (x == y && borrow)) ? 1 : 0;
    r->w[i] = d;
  }
}

/* a * m; returns true on overflow past 256 bits. */
static bool u256_mul_u64(u256 *r, const u256 *a, uint64_t m) {
  uint64_t carry = 0;
  for (int i = 0; i < 4; i++) {
    sl_uint128 p = (sl_uint128)a->w[i] * m + carry;
    r->w[i] = (uint64_t)p;
    carry = (uint64_t)(p >> 64);
  }
  return carry != 0;
}

/* The full 256-bit product of two 128-bit numbers. */
static u256 u256_mul_u128(sl_uint128 a, sl_uint128 b) {
  uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64);
  uint64_t b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
  sl_uint128 p00 = (sl_uint128)a0 * b0;
  sl_uint128 p01 = (sl_uint128)a0 * b1;
  sl_uint128 p10 = (sl_uint128)a1 * b0;
  sl_uint128 p11 = (sl_uint128)a1 * b1;

  u256 r;
  r.w[0] = (uint64_t)p00;
  sl_uint128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
  r.w[1] = (uint64_t)mid;
  sl_uint128 high = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64_t)p11;
  r.w[2] = (uint64_t)high;
  r.w[3] = (uint64_t)((high >> 64) + (p11 >> 64));
  return r;
}

static u256 u256_shl(const u256 *a, int n) {
  u256 r = {{0, 0, 0, 0}};
  int words = n / 64;
  int bits = n % 64;
  for (int i = 3; i >= words; i--) {
    uint64_t v = a->w[i - words] << bits;
    if (bits && i - words - 1 >= 0)
      v |= a->w[i - words - 1] >> (64 - bits);
    r.w[i] = v;
  }
  return r;
}

static u256 u256_shr(const u256 *a, int n) {
  u256 r = {{0, 0, 0, 0}};
  int words = n / 64;
  int bits = n % 64;
  for (int i = 0; i + words < 4; i++) {
    uint64_t v = a->w[i + words] >> bits;
    if (bits && i + words + 1 < 4)
      v |= a->w[i + words + 1] << (64 - bits);
    r.w[i] = v;
  }
  return r;
}

static bool u256_bit(const u256 *a, int n) {
  return (a->w[n / 64] >> (n % 64)) & 1;
}

/* q = n / d, r = n % d for d != 0, by binary long division (the slow path
 * only: the common cases divide in 128 bits). */
static void u256_divmod(const u256 *n, const u256 *d, u256 *q, u256 *r) {
  u256 quot = {{0, 0, 0, 0}};
  u256 rem = {{0, 0, 0, 0}};
  for (int i = u256_bitlen(n) - 1; i >= 0; i--) {
    rem = u256_shl(&rem, 1);
    rem.w[0] |= (uint64_t)u256_bit(n, i);
    if (u256_cmp(&rem, d) >= 0) {
      u256_sub(&rem, &rem, d);
      quot.w[i / 64] |= (uint64_t)1 << (i % 64);
    }
  }
  *q = quot;
  *r = rem;
}

/* 10^n as u256 for 0 <= n <= 77; false beyond. */
static bool u256_pow10(int n, u256 *out) {
  if (n < 0 || n > 77)
    return false;
  if (n <= 38) {
    *out = u256_from(pow10_u128(n));
    return true;
  }
  *out = u256_mul_u128(pow10_u128(38), pow10_u128(n - 38));
  return true;
}

/* a * 10^n; false when the product leaves 256 bits. */
static bool u256_mul_pow10(u256 *a, int n) {
  while (n > 0) {
    int step = n > 19 ? 19 : n;
    if (u256_mul_u64(a, a, (uint64_t)pow10_u128(step)))
      return false;
    n -= step;
  }
  return true;
}

/* ------------------------------------------------------------------ */
/* Rounding and the final precision check                             */
/* ------------------------------------------------------------------ */

static sl_status overflow_error(sl_error *err, int precision, int scale) {
  return sl_types_fail(err, "overflow",
                       "decimal result out of range for DECIMAL(%d,%d)",
                       precision, scale);
}

/* Rounds mag / 10^drop half away from zero, checks it against precision
 * and applies the sign. */
static sl_status finish(bool neg, const u256 *mag, int drop, int precision,
                        int scale, sl_int128 *out, sl_error *err) {
  sl_uint128 q;
  if (drop == 0) {
    if (!u256_fits_u128(mag))
      return overflow_error(err, precision, scale);
    q = u256_low(mag);
  } else if (drop <= 38 && u256_fits_u128(mag)) {
    sl_uint128 d = pow10_u128(drop);
    sl_uint128 m = u256_low(mag);
    q = m / d;
    if (m % d >= d - m % d)
      q++;
  } else {
    u256 d;
    if (!u256_pow10(drop, &d)) {
      /* 10^78 exceeds any magnitude handled here twice over. */
      q = 0;
    } else {
      u256 uq, ur, twice;
      u256_divmod(mag, &d, &uq, &ur);
      bool carry = u256_add(&twice, &ur, &ur);
      if (carry || u256_cmp(&twice, &d) >= 0) {
        u256 one = u256_from(1);
        u256_add(&uq, &uq, &one);
      }
      if (!u256_fits_u128(&uq))
        return overflow_error(err, precision, scale);
      q = u256_low(&uq);
    }
  }

  if (over_precision(q, precision))
    return overflow_error(err, precision, scale);
  *out = neg ? -(sl_int128)q : (sl_int128)q;
  return SL_OK;
}

/* mag at scale from, brought to scale to and checked. */
static sl_status finish_at(bool neg, u256 mag, int from, int to,
                           int precision, sl_int128 *out, sl_error *err) {
  if (to >= from) {
    if (!u256_is_zero(&mag) &&
        (u256_bitlen(&mag) > 128 || !u256_mul_pow10(&mag, to - from)))
      return overflow_error(err, precision, to);
    return finish(neg, &mag, 0, precision, to, out, err);
  }
  return finish(neg, &mag, from - to, precision, to, out, err);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* The shape of a decimal literal found by scan_number. */
typedef struct num_text {
  bool neg;
  const char *digits; /* first significant digit */
  const char *end;    /* end of the mantissa */
  int64_t ndigits;    /* significant digits, the point not counted */
  int64_t exp10;      /* value = digits * 10^exp10 */
  bool zero;
} num_text;

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

/* Recognizes [blanks][+-]digits[.digits][(e|E)[+-]digits][blanks]. */
static bool scan_number(const char *s, size_t len, num_text *nt) {
  const char *p = s;
  const char *end = s + len;
  while (p < end && is_blank(*p))
    p++;
  while (end > p && is_blank(end[-1]))
    end--;

  nt->neg = false;
  if (p < end && (*p == '+' || *p == '-'))
    nt->neg = *p++ == '-';

  int64_t int_digits = 0, frac_digits = 0;
  const char *first = NULL;
  int64_t sig_before_point = 0;
  bool seen_point = false;
  int64_t frac_after_first = 0;
  for (; p < end; p++) {
    if (*p >= '0' && *p <= '9') {
      if (seen_point)
        frac_digits++;
      else
        int_digits++;
      if (!first && *p != '0')
        first = p;
      if (first) {
        if (seen_point)
          frac_after_first++;
        else
          sig_before_point++;
      }
    } else if (*p == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (int_digits + frac_digits == 0)
    return false;
  nt->end = p;

  int64_t exp = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    bool eneg = false;
    if (p < end && (*p == '+' || *p == '-'))
      eneg = *p++ == '-';
    if (p >= end || *p < '0' || *p > '9')
      return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
      if (exp < 1000000)
        exp = exp * 10 + (*p - '0');
    }
    if (eneg)
      exp = -exp;
  }
  if (p != end)
    return false;

  nt->zero = first == NULL;
  nt->digits = first;
  nt->ndigits = sig_before_point + frac_after_first;
  nt->exp10 = exp - frac_digits;
  return true;
}

/* Builds the integer of nt's digits times 10^shift (dropping digits when
 * shift < 0, rounding half away from zero).  *inexact tells whether a
 * non-zero digit was dropped. */
static sl_status digits_value(const num_text *nt, int64_t shift,
                              int precision, int scale, sl_int128 *out,
                              bool *inexact, sl_error *err) {
  *inexact = false;
  if (nt->zero) {
    *out = 0;
    return SL_OK;
  }
  int64_t keep = nt->ndigits + shift;
  if (keep > 38)
    return overflow_error(err, precision, scale);

  sl_uint128 m = 0;
  int64_t taken = 0;
  bool round_up = false;
  for (const char *p = nt->digits; p < nt->end; p++) {
    if (*p == '.')
      continue;
    int d = *p - '0';
    if (taken < keep) {
      m = m * 10 + (sl_uint128)d;
    } else {
      if (taken == keep)
        round_up = d >= 5;
      if (d)
        *inexact = true;
    }
    taken++;
  }
  if (round_up)
    m++;
  if (shift > 0)
    m *= pow10_u128((int)shift);
  if (over_precision(m, precision))
    return overflow_error(err, precision, scale);
  *out = nt->neg ? -(sl_int128)m : (sl_int128)m;
  return SL_OK;
}

/* Parses text into DECIMAL(precision, scale). */
sl_status sl_decimal_parse(const char *text, size_t len, int precision,
                           int scale, sl_int128 *out, sl_error *err) {
  num_text nt;
  char q[SL_TYPES_QUOTE_MAX + 8];
  if (!scan_number(text, len, &nt))
    return sl_types_fail(err, "type", "invalid DECIMAL %s",
                         sl_types_quote(q, text, len));

  bool inexact;
  if (digits_value(&nt, nt.exp10 + scale, precision, scale, out, &inexact,
                   err))
    return sl_types_fail(err, "overflow", "%s out of range for "
                         "DECIMAL(%d,%d)", sl_types_quote(q, text, len),
                         precision, scale);
  return SL_OK;
}

/* Parses text keeping its own scale. */
sl_status sl_decimal_parse_natural(const char *text, size_t len,
                                   sl_int128 *out, int *scale,
                                   sl_error *err) {
  num_text nt;
  char q[SL_TYPES_QUOTE_MAX + 8];
  if (!scan_number(text, len, &nt))
    return sl_types_fail(err, "type", "invalid DECIMAL %s",
                         sl_types_quote(q, text, len));

  int64_t s = nt.exp10 < 0 ? -nt.exp10 : 0;
  if (s > 38)
    s = 38;
  bool inexact;
  if (digits_value(&nt, nt.exp10 + s, 38, (int)s, out, &inexact, err) ||
      inexact)
    return sl_types_fail(err, "overflow", "%s does not fit a DECIMAL of "
                         "38 digits", sl_types_quote(q, text, len));
  *scale = (int)s;
  return SL_OK;
}

/* Writes v at scale as text. */
size_t sl_decimal_to_text(sl_int128 v, int scale, char *buf) {
  char digits[48];
  int n = 0;
  /* Valid scales are 0..38; clamping keeps a corrupt one in bounds. */
  if (scale < 0 || scale > SL_DECIMAL_MAX_PRECISION)
    scale = scale < 0 ? 0 : SL_DECIMAL_MAX_PRECISION;
  sl_uint128 m = magnitude(v);
  do {
    digits[n++] = (char)('0' + (int)(m % 10));
    m /= 10;
  } while (m);
  while (n <= scale)
    digits[n++] = '0';

  size_t o = 0;
  if (v < 0)
    buf[o++] = '-';
  for (int i = n - 1; i >= 0; i--) {
    buf[o++] = digits[i];
    if (i == scale && scale > 0)
      buf[o++] = '.';
  }
  buf[o] = '\0';
  return o;
}

/* ------------------------------------------------------------------ */
/* Rescale and compare                                                 */
/* ------------------------------------------------------------------ */

/* Changes the scale of v with rounding and a precision check. */
sl_status sl_decimal_rescale(sl_int128 v, int from_scale, int to_scale,
                             int precision, sl_int128 *out, sl_error *err) {
  if (from_scale == to_scale) {
    if (!sl_decimal_fits(v, precision))
      return overflow_error(err, precision, to_scale);
    *out = v;
    return SL_OK;
  }
  return finish_at(v < 0, u256_from(magnitude(v)), from_scale, to_scale,
                   precision, out, err);
}

/* |v| * 10^(to - from) for to >= from; at most 10^76. */
static u256 aligned(sl_int128 v, int from, int to) {
  u256 m = u256_from(magnitude(v));
  u256_mul_pow10(&m, to - from);
  return m;
}

static int sign_of(sl_int128 v) {
  return (v > 0) - (v < 0);
}

/* Exact comparison of two decimals of any scales. */
int sl_decimal_cmp(sl_int128 a, int sa, sl_int128 b, int sb) {
  if (sa == sb)
    return (a > b) - (a < b);
  int ga = sign_of(a), gb = sign_of(b);
  if (ga != gb)
    return ga < gb ? -1 : 1;
  if (ga == 0)
    return 0;

  int s = sa > sb ? sa : sb;
  u256 ma = aligned(a, sa, s);
  u256 mb = aligned(b, sb, s);
  int c = u256_cmp(&ma, &mb);
  return ga < 0 ? -c : c;
}

/* Splits finite non-zero |d| into m * 2^e with m < 2^53 an integer. */
static void split_double(double d, uint64_t *m, int *e) {
  int be;
  double f = frexp(fabs(d), &be);
  *m = (uint64_t)ldexp(f, 53);
  *e = be - 53;
}

/* Exact comparison of a decimal with a finite double. */
int sl_decimal_cmp_double(sl_int128 v, int scale, double d) {
  int gv = sign_of(v);
  int gd = (d > 0) - (d < 0);
  if (gv != gd)
    return gv < gd ? -1 : 1;
  if (gv == 0)
    return 0;

  /* Compare |v| with |d| * 10^scale = m * 10^scale * 2^e. */
  uint64_t m;
  int e;
  split_double(d, &m, &e);
  u256 lhs = u256_from(magnitude(v));
  u256 rhs = u256_mul_u128(m, pow10_u128(scale));
  int c;
  if (e >= 0 && u256_bitlen(&rhs) + e > 255) {
    c = -1;
  } else if (e >= 0) {
    rhs = u256_shl(&rhs, e);
    c = u256_cmp(&lhs, &rhs);
  } else if (u256_bitlen(&lhs) - e > 255) {
    c = 1;
  } else {
    lhs = u256_shl(&lhs, -e);
    c = u256_cmp(&lhs, &rhs);
  }
  return gv < 0 ? -c : c;
}

/* ------------------------------------------------------------------ */
/* Result types                                                        */
/* ------------------------------------------------------------------ */

static int imax(int a, int b) { return a > b ? a : b; }
static int imin(int a, int b) { return a < b ? a : b; }

/* Caps precision at 38, giving up scale (down to min(scale, 6)) to keep
 * the integer digits. */
static void bound(int p, int s, int *rp, int *rs) {
  if (p > SL_DECIMAL_MAX_PRECISION) {
    int digits = p - s;
    s = imin(s, imax(SL_DECIMAL_MAX_PRECISION - digits, imin(s, 6)));
    p = SL_DECIMAL_MAX_PRECISION;
  }
  if (p < 1)
    p = 1;
  *rp = p;
  *rs = s;
}

/* Result type of a + b and a - b. */
void sl_decimal_result_add(int p1, int s1, int p2, int s2, int *p, int *s) {
  int scale = imax(s1, s2);
  bound(imax(p1 - s1, p2 - s2) + scale + 1, scale, p, s);
}

/* Result type of a * b. */
void sl_decimal_result_mul(int p1, int s1, int p2, int s2, int *p, int *s) {
  bound(p1 + p2 + 1, s1 + s2, p, s);
}

/* Result type of a / b. */
void sl_decimal_result_div(int p1, int s1, int p2, int s2, int *p, int *s) {
  int scale = imax(6, s1 + p2 + 1);
  bound(p1 - s1 + s2 + scale, scale, p, s);
}

/* Result type of a % b. */
void sl_decimal_result_mod(int p1, int s1, int p2, int s2, int *p, int *s) {
  int scale = imax(s1, s2);
  bound(imin(p1 - s1, p2 - s2) + scale, scale, p, s);
}

/* ------------------------------------------------------------------ */
/* Arithmetic                                                          */
/* ------------------------------------------------------------------ */

static sl_status add_signed(sl_int128 a, int sa, sl_int128 b, int sb,
                            int p, int s, sl_int128 *out, sl_error *err) {
  /* Same scales: the sum of two 38-digit numbers fits 128 bits. */
  if (sa == sb && sa == s) {
    sl_int128 r = a + b;
    if (!sl_decimal_fits(r, p))
      return overflow_error(err, p, s);
    *out = r;
    return SL_OK;
  }

  int top = imax(sa, sb);
  u256 ma = aligned(a, sa, top);
  u256 mb = aligned(b, sb, top);
  u256 sum;
  bool neg;
  if ((a < 0) == (b < 0)) {
    u256_add(&sum, &ma, &mb);
    neg = a < 0;
  } else if (u256_cmp(&ma, &mb) >= 0) {
    u256_sub(&sum, &ma, &mb);
    neg = a < 0;
  } else {
    u256_sub(&sum, &mb, &ma);
    neg = b < 0;
  }
  return finish_at(neg, sum, top, s, p, out, err);
}

/* a + b at DECIMAL(p, s). */
sl_status sl_decimal_add(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err) {
  return add_signed(a, sa, b, sb, p, s, out, err);
}

/* a - b at DECIMAL(p, s). */
sl_status sl_decimal_sub(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err) {
  return add_signed(a, sa, -b, sb, p, s, out, err);
}

/* a * b at DECIMAL(p, s). */
sl_status sl_decimal_mul(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err) {
  bool neg = (a < 0) != (b < 0);
  sl_uint128 ma = magnitude(a), mb = magnitude(b);
  u256 prod;
  if (digits_u128(ma) + digits_u128(mb) <= 38)
    prod = u256_from(ma * mb);
  else
    prod = u256_mul_u128(ma, mb);
  return finish_at(neg && !u256_is_zero(&prod), prod, sa + sb, s, p, out,
                   err);
}

static sl_status div_zero(sl_error *err) {
  return sl_types_fail(err, "division_by_zero", "division by zero");
}

/* a / b at DECIMAL(p, s), rounded half away from zero. */
sl_status sl_decimal_div(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err) {
  if (b == 0)
    return div_zero(err);
  if (a == 0) {
    *out = 0;
    return SL_OK;
  }

  /* result = |a| * 10^(s - sa + sb) / |b| */
  bool neg = (a < 0) != (b < 0);
  sl_uint128 ma = magnitude(a), mb = magnitude(b);
  int e = s - sa + sb;
  u256 num = u256_from(ma);
  u256 den = u256_from(mb);
  if (e >= 0) {
    int da = digits_u128(ma), db = digits_u128(mb);
    if (da - 1 + e - db >= 38)
      return overflow_error(err, p, s);
    u256_mul_pow10(&num, e);
  } else {
    if (digits_u128(mb) - e > 77) {
      *out = 0;
      return SL_OK;
    }
    u256_mul_pow10(&den, -e);
  }

  u256 q, r;
  if (u256_fits_u128(&num) && u256_fits_u128(&den)) {
    sl_uint128 n = u256_low(&num), d = u256_low(&den);
    q = u256_from(n / d);
    r = u256_from(n % d);
  } else {
    u256_divmod(&num, &den, &q, &r);
  }
  u256 twice;
  if (u256_add(&twice, &r, &r) || u256_cmp(&twice, &den) >= 0) {
    u256 one = u256_from(1);
    u256_add(&q, &q, &one);
  }
  return finish(neg, &q, 0, p, s, out, err);
}

/* a % b at DECIMAL(p, s); the sign follows a. */
sl_status sl_decimal_mod(sl_int128 a, int sa, sl_int128 b, int sb, int p,
                         int s, sl_int128 *out, sl_error *err) {
  if (b == 0)
    return div_zero(err);
  int top = imax(sa, sb);
  u256 ma = aligned(a, sa, top);
  u256 mb = aligned(b, sb, top);
  u256 q, r;
  if (u256_fits_u128(&ma) && u256_fits_u128(&mb)) {
    r = u256_from(u256_low(&ma) % u256_low(&mb));
  } else {
    u256_divmod(&ma, &mb, &q, &r);
  }
  return finish_at(a < 0 && !u256_is_zero(&r), r, top, s, p, out, err);
}

/* ------------------------------------------------------------------ */
/* Conversions                                                         */
/* ------------------------------------------------------------------ */

/* v as DECIMAL(precision, scale). */
sl_status sl_decimal_from_int64(int64_t v, int precision, int scale,
                                sl_int128 *out, sl_error *err) {
  sl_int128 x = v;
  if (v != 0 && sl_decimal_digits(x) + scale > 38)
    return sl_types_fail(err, "overflow", "%lld out of range for "
                         "DECIMAL(%d,%d)", (long long)v, precision, scale);
  x *= sl_decimal_pow10(scale);
  if (!sl_decimal_fits(x, precision))
    return sl_types_fail(err, "overflow", "%lld out of range for "
                         "DECIMAL(%d,%d)", (long long)v, precision, scale);
  *out = x;
  return SL_OK;
}

/* v/10^scale rounded to an integer within [min, max]. */
sl_status sl_decimal_to_int64(sl_int128 v, int scale, int64_t min,
                              int64_t max, int64_t *out, sl_error *err) {
  sl_int128 r;
  sl_status rc = sl_decimal_rescale(v, scale, 0, 39, &r, err);
  if (rc == SL_OK && (r < min || r > max)) {
    char text[SL_DECIMAL_TEXT_MAX];
    sl_decimal_to_text(v, scale, text);
    return sl_types_fail(err, "overflow", "%s out of range [%lld, %lld]",
                         text, (long long)min, (long long)max);
  }
  if (rc == SL_OK)
    *out = (int64_t)r;
  return rc;
}

/* The double nearest to v/10^scale. */
double sl_decimal_to_double(sl_int128 v, int scale) {
  static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                               1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                               1e18, 1e19, 1e20, 1e21, 1e22};
  sl_uint128 m = magnitude(v);
  /* Both operands exact, so one correctly rounded division. */
  if (m <= ((sl_uint128)1 << 53) && scale <= 22) {
    double d = (double)m / p10[scale];
    return v < 0 ? -d : d;
  }
  char text[SL_DECIMAL_TEXT_MAX];
  sl_decimal_to_text(v, scale, text);
  return strtod(text, NULL);
}

/* The exact value of d rounded to DECIMAL(precision, scale). */
sl_status sl_decimal_from_double(double d, int precision, int scale,
                                 sl_int128 *out, sl_error *err) {
  if (isnan(d))
    return sl_types_fail(err, "type", "NaN cannot be a DECIMAL(%d,%d)",
                         precision, scale);
  if (isinf(d))
    return sl_types_fail(err, "overflow", "%sInfinity out of range for "
                         "DECIMAL(%d,%d)", d < 0 ? "-" : "", precision,
                         scale);
  if (d == 0) {
    *out = 0;
    return SL_OK;
  }

  uint64_t m;
  int e;
  split_double(d, &m, &e);
  u256 n = u256_mul_u128(m, pow10_u128(scale));
  sl_uint128 q = 0;
  bool fits = true;
  if (e >= 0) {
    if (u256_bitlen(&n) + e > 127) {
      fits = false;
    } else {
      u256 sh = u256_shl(&n, e);
      q = u256_low(&sh);
    }
  } else if (-e <= 200) {
    /* Shift right by -e, rounding up when the highest dropped bit (the
     * half) is set: that is half away from zero on the magnitude.  Below
     * 2^-200 the product (< 2^180) rounds to zero. */
    int k = -e;
    u256 sh = u256_shr(&n, k);
    if (!u256_fits_u128(&sh))
      fits = false;
    else
      q = u256_low(&sh) + (u256_bit(&n, k - 1) ? 1 : 0);
  }
  if (!fits || over_precision(q, precision))
    return sl_types_fail(err, "overflow", "%.17g out of range for "
                         "DECIMAL(%d,%d)", d, precision, scale);
  *out = d < 0 ? -(sl_int128)q : (sl_int128)q;
  return SL_OK;
}

/* Finds the exact decimal of a finite double, if it has at most 38
 * digits and a scale of at most 38. */
bool sl_decimal_exact_double(double d, sl_int128 *out, int *scale) {
  if (d == 0) {
    *out = 0;
    *scale = 0;
    return true;
  }
  uint64_t m;
  int e;
  split_double(d, &m, &e);
  while (!(m & 1)) {
    m >>= 1;
    e++;
  }

  sl_uint128 v;
  int s;
  if (e >= 0) {
    u256 um = u256_from(m);
    if (u256_bitlen(&um) + e > 127)
      return false;
    v = (sl_uint128)m << e;
    s = 0;
  } else {
    /* m / 2^k = m * 5^k / 10^k, and m * 5^k ends in no zero. */
    int k = -e;
    if (k > 38)
      return false;
    sl_uint128 five = 1;
    for (int i = 0; i < k; i++)
      five *= 5;
    u256 prod = u256_mul_u128(m, five);
    if (!u256_fits_u128(&prod))
      return false;
    v = u256_low(&prod);
    s = k;
  }
  if (v >= pow10_u128(38))
    return false;
  *out = d < 0 ? -(sl_int128)v : (sl_int128)v;
  *scale = s;
  return true;
}

/* Drops trailing fractional zeros. */
void sl_decimal_normalize(sl_int128 *v, int *scale) {
  if (*v == 0) {
    *scale = 0;
    return;
  }
  while (*scale > 0 && *v % 10 == 0) {
    *v /= 10;
    (*scale)--;
  }
}
