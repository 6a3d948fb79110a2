/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for sl_format_double against the definition it implements:
 * the first of %.15g, %.16g and %.17g whose text strtod reads back to
 * the same double (subnormals trying every precision from 1).  The
 * reference below is that definition written with snprintf and strtod;
 * the formatter must agree with it byte for byte on random doubles of
 * every exponent, on decimal-looking values such as prices, and on the
 * edges: powers of ten and of two with their neighbours, the switch
 * between fixed and exponent notation, 2^53, ties, subnormals and -0.
 */
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/format.h"

/* The printf definition of the text form of a finite double. */
static void reference(double d, char *buf) {
  int first = (d != 0 && fabs(d) < DBL_MIN) ? 1 : 15;
  for (int prec = first; prec <= 17; prec++) {
    snprintf(buf, SL_FORMAT_DOUBLE_MAX, "%.*g", prec, d);
    if (strtod(buf, NULL) == d)
      return;
  }
}

/* Counts of the values checked, for the failure messages. */
static long checked;

static void check_same(double d) {
  char want[SL_FORMAT_DOUBLE_MAX], got[SL_FORMAT_DOUBLE_MAX];
  if (!isfinite(d))
    return;
  reference(d, want);
  size_t n = sl_format_double(d, got);
  if (n != strlen(got) || strcmp(got, want) != 0) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof(bits));
    fail_msg("double 0x%016llx (%.17g) printed as \"%s\" (length %zu), "
             "printf gives \"%s\" (after %ld agreeing values)",
             (unsigned long long)bits, d, got, n, want, checked);
  }
  checked++;
}

static void check_bits(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof(d));
  check_same(d);
  check_same(-d);
}

/* A deterministic generator (splitmix64), so a failure repeats. */
static uint64_t rng_state = 0x5eed5eed5eed5eedu;

static uint64_t rng(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* A double and the three on either side of it. */
static void check_around(double d) {
  double lo = d, hi = d;
  check_same(d);
  for (int i = 0; i < 3; i++) {
    lo = nextafter(lo, -INFINITY);
    hi = nextafter(hi, INFINITY);
    check_same(lo);
    check_same(hi);
  }
}

static void test_fixed_values(void **state) {
  (void)state;
  static const struct {
    double d;
    const char *want;
  } cases[] = {
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1 / 3.0, "0.3333333333333333"},
      {-0.0, "-0"},
      {1e15, "1e+15"},
      {1.5e15, "1.5e+15"},
      {1e16, "1e+16"},
      {123456789012345.6, "123456789012345.6"},
      {1e-4, "0.0001"},
      {1.25e-4, "0.000125"},
      {1e-5, "1e-05"},
      {9007199254740993.0, "9007199254740992"},
      {9007199254740994.0, "9007199254740994"},
      {1125899906842624.25, "1125899906842624.2"},
      {1125899906842624.75, "1125899906842624.8"},
      {12.34 * 1.1, "13.574000000000002"},
      {1e21, "1e+21"},
      {1e22, "1e+22"},
      {1e23, "1e+23"},
      {5e-324, "5e-324"},
      {DBL_MAX, "1.7976931348623157e+308"},
      {DBL_MIN, "2.2250738585072014e-308"},
      {-2.5e-7, "-2.5e-07"},
      {4.35, "4.35"},
      {0.000999999999999999, "0.000999999999999999"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char got[SL_FORMAT_DOUBLE_MAX];
    sl_format_double(cases[i].d, got);
    if (strcmp(got, cases[i].want) != 0)
      fail_msg("%.17g printed as \"%s\", expected \"%s\"", cases[i].d, got,
               cases[i].want);
    check_same(cases[i].d);
  }
}

static void test_edges_match_printf(void **state) {
  (void)state;
  char text[32];

  /* Powers of ten as strtod reads them, and their neighbours. */
  for (int k = -40; k <= 40; k++) {
    snprintf(text, sizeof(text), "1e%d", k);
    check_around(strtod(text, NULL));
    snprintf(text, sizeof(text), "9.5e%d", k);
    check_around(strtod(text, NULL));
  }

  /* Powers of two (where the gap below is narrower) and neighbours. */
  for (int k = -1074; k <= 1023; k++)
    check_around(ldexp(1.0, k));

  /* Integers around 2^53 and 1e15..1e17, where steps reach 2 and 16. */
  check_around(9007199254740992.0);
  for (int i = 0; i < 20000; i++) {
    check_same((double)(rng() % 100000000000000000u));
    check_same(1e15 + (double)(rng() % 1000000u) + 0.25 * (double)(i % 4));
  }

  /* Subnormals, the smallest normals and the largest doubles. */
  check_around(DBL_MIN);
  check_around(DBL_MAX);
  check_around(5e-324);
  for (int i = 0; i < 20000; i++)
    check_bits(rng() & (((uint64_t)1 << 52) - 1));
}

static void test_random_doubles_match_printf(void **state) {
  (void)state;

  /* Every finite bit pattern, most far outside everyday magnitudes. */
  for (int i = 0; i < 300000; i++)
    check_bits(rng() & ~((uint64_t)1 << 63));

  /* Random mantissas at everyday exponents (about 1e-9 to 1e40). */
  for (int i = 0; i < 800000; i++) {
    uint64_t biased = 1023 - 30 + rng() % 165;
    check_bits(biased << 52 | (rng() & (((uint64_t)1 << 52) - 1)));
  }

  /* Decimal-looking values: cents, prices after arithmetic, ratios. */
  for (int i = 0; i < 200000; i++) {
    double cents = (double)(rng() % 10000000) / 100.0;
    check_same(cents);
    check_same(cents * 1.1);
    check_same((double)(rng() % 1000000) / pow(10, (double)(rng() % 20)));
    check_same((double)(rng() % 1000) / (double)(rng() % 999 + 1));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixed_values),
      cmocka_unit_test(test_edges_match_printf),
      cmocka_unit_test(test_random_doubles_match_printf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
