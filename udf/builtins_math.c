/* SPDX-License-Identifier: Apache-2.0 */
/*
 * builtins_math.c - ABS, ROUND, FLOOR, CEIL, SQRT, POWER, EXP, LN, LOG10,
 * SIGN, GREATEST, LEAST.
 *
 * Semantics follow PostgreSQL: integer and DECIMAL functions stay exact
 * and report overflow for the row; DOUBLE functions report arguments
 * outside their domain (square root of a negative number, logarithm of
 * zero) and results out of range, and pass NaN and infinities through.
 * ROUND rounds half away from zero for every type (ROUND(2.5) is 3,
 * ROUND(-2.5) is -3); for DOUBLE it works on the binary value, so
 * ROUND(1.005, 2) is 1.0 because 1.005 is stored as 1.00499999...
 */
#include <float.h>
#include <limits.h>
#include <math.h>

#include "engine/types/decimal.h"
#include "udf/builtins.h"

/* ------------------------------------------------------------------ */
/* ABS                                                                 */
/* ------------------------------------------------------------------ */

static sl_status abs_int(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err) {
  const sl_value *x = args[0];
  for (int r = 0; r < nrows; r++) {
    if (x[r].kind == SL_TYPE_NULL)
      out[r] = sl_value_null();
    else if (x[r].u.i32 == INT32_MIN)
      sl_func_fail(ctx, r, &out[r], "overflow", "integer out of range");
    else
      out[r] = sl_value_int(x[r].u.i32 < 0 ? -x[r].u.i32 : x[r].u.i32);
  }
  return SL_OK;
}

static sl_status abs_bigint(sl_func_ctx *ctx, int nargs,
                            const sl_value *const *args, int nrows,
                            sl_value *out, sl_error *err) {
  const sl_value *x = args[0];
  for (int r = 0; r < nrows; r++) {
    if (x[r].kind == SL_TYPE_NULL)
      out[r] = sl_value_null();
    else if (x[r].u.i64 == INT64_MIN)
      sl_func_fail(ctx, r, &out[r], "overflow", "bigint out of range");
    else
      out[r] = sl_value_bigint(x[r].u.i64 < 0 ? -x[r].u.i64 : x[r].u.i64);
  }
  return SL_OK;
}

/* |v| has as many digits as v, so the result always fits. */
static sl_status abs_decimal(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  const sl_value *x = args[0];
  for (int r = 0; r < nrows; r++) {
    if (x[r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    sl_int128 v = sl_value_decimal_get(&x[r]);
    out[r] = sl_value_decimal(v < 0 ? -v : v, x[r].scale);
  }
  return SL_OK;
}

static sl_status abs_double(sl_func_ctx *ctx, int nargs,
                            const sl_value *const *args, int nrows,
                            sl_value *out, sl_error *err) {
  const sl_value *x = args[0];
  for (int r = 0; r < nrows; r++)
    out[r] = x[r].kind == SL_TYPE_NULL ? sl_value_null()
                                       : sl_value_double(fabs(x[r].u.f64));
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* ROUND                                                               */
/* ------------------------------------------------------------------ */

/* The places argument of row r: 0 without one. */
static int places_of(int nargs, const sl_value *const *args, int r) {
  if (nargs < 2)
    return 0;
  int d = args[1][r].u.i32;
  /* Beyond +-400 places every double and decimal rounds the same. */
  if (d > 400)
    d = 400;
  if (d < -400)
    d = -400;
  return d;
}

static double round_places(double x, int d) {
  if (!isfinite(x))
    return x;
  if (d == 0)
    return round(x);
  if (d > 0) {
    /* Past DBL_DIG + 1 significant places (or when scaling overflows)
     * the value is already as precise as it can be. */
    if (d > 340)
      return x;
    double f = pow(10.0, d);
    double y = x * f;
    if (!isfinite(y))
      return x;
    return round(y) / f;
  }
  if (d < -340)
    return copysign(0.0, x);
  double f = pow(10.0, -d);
  return round(x / f) * f;
}

static sl_status round_double(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r))
      out[r] = sl_value_null();
    else
      out[r] =
          sl_value_double(round_places(args[0][r].u.f64,
                                       places_of(nargs, args, r)));
  }
  return SL_OK;
}

/* v / 10^k rounded half away from zero (k >= 0). */
static sl_int128 div_round(sl_int128 v, int k) {
  if (k == 0)
    return v;
  if (k > 38)
    return 0;
  sl_int128 p = sl_decimal_pow10(k);
  sl_int128 q = v / p, rem = v % p;
  if (rem < 0)
    rem = -rem;
  if (rem >= p - rem)
    q += v < 0 ? -1 : 1;
  return q;
}

/* Writes v at scale s to out at the return type's scale and precision,
 * failing the row with "overflow" when it does not fit. */
static void decimal_result(sl_func_ctx *ctx, int r, sl_int128 v, int s,
                           sl_value *out) {
  sl_int128 res;
  sl_error e;
  sl_error_clear(&e);
  if (sl_decimal_rescale(v, s, ctx->ret_type->scale,
                         ctx->ret_type->precision, &res, &e) != SL_OK) {
    char type[SL_TYPE_SQL_MAX];
    sl_func_fail(ctx, r, out, "overflow", "value out of range for %s",
                 sl_type_to_sql(ctx->ret_type, type, sizeof(type)));
    return;
  }
  *out = sl_value_decimal(res, ctx->ret_type->scale);
}

/* ROUND(DECIMAL(p,s) [, d]): rounds to d places, then states the value at
 * the scale of the return type (see the decimal_round rule). */
static sl_status round_decimal(sl_func_ctx *ctx, int nargs,
                               const sl_value *const *args, int nrows,
                               sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    sl_int128 v = sl_value_decimal_get(&args[0][r]);
    int s = args[0][r].scale;
    int d = places_of(nargs, args, r);
    if (d >= s) {
      decimal_result(ctx, r, v, s, &out[r]);
      continue;
    }
    sl_int128 q = div_round(v, s - d);
    if (d >= 0) {
      decimal_result(ctx, r, q, d, &out[r]);
      continue;
    }

    /* Negative places: q counts units of 10^-d. */
    if (q != 0 && (-d > 38 || !sl_decimal_fits(q, 38 + d))) {
      char type[SL_TYPE_SQL_MAX];
      sl_func_fail(ctx, r, &out[r], "overflow", "value out of range for %s",
                   sl_type_to_sql(ctx->ret_type, type, sizeof(type)));
      continue;
    }
    decimal_result(ctx, r, q == 0 ? 0 : q * sl_decimal_pow10(-d), 0,
                   &out[r]);
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* FLOOR and CEIL                                                      */
/* ------------------------------------------------------------------ */

/* FLOOR and CEIL of integers are the integers themselves. */
static sl_status floor_int(sl_func_ctx *ctx, int nargs,
                           const sl_value *const *args, int nrows,
                           sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++)
    out[r] = args[0][r];
  return SL_OK;
}

static sl_status floor_bigint(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  return floor_int(ctx, nargs, args, nrows, out, err);
}

static sl_status integral_decimal(sl_func_ctx *ctx,
                                  const sl_value *const *args, int nrows,
                                  sl_value *out, bool up) {
  for (int r = 0; r < nrows; r++) {
    if (args[0][r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    sl_int128 v = sl_value_decimal_get(&args[0][r]);
    int s = args[0][r].scale;
    sl_int128 p = sl_decimal_pow10(s);
    sl_int128 q = v / p, rem = v % p;
    if (up && rem > 0)
      q++;
    else if (!up && rem < 0)
      q--;
    decimal_result(ctx, r, q, 0, &out[r]);
  }
  return SL_OK;
}

static sl_status floor_decimal(sl_func_ctx *ctx, int nargs,
                               const sl_value *const *args, int nrows,
                               sl_value *out, sl_error *err) {
  return integral_decimal(ctx, args, nrows, out, false);
}

static sl_status ceil_decimal(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  return integral_decimal(ctx, args, nrows, out, true);
}

static sl_status floor_double(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++)
    out[r] = args[0][r].kind == SL_TYPE_NULL
                 ? sl_value_null()
                 : sl_value_double(floor(args[0][r].u.f64));
  return SL_OK;
}

static sl_status ceil_double(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++)
    out[r] = args[0][r].kind == SL_TYPE_NULL
                 ? sl_value_null()
                 : sl_value_double(ceil(args[0][r].u.f64));
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* SQRT, POWER, EXP, LN, LOG10                                         */
/* ------------------------------------------------------------------ */

/* Stores a DOUBLE result, failing the row when finite arguments gave an
 * infinite result (overflow) or a zero one from a nonzero exact result
 * (underflow), as PostgreSQL does. */
static void double_result(sl_func_ctx *ctx, int r, double y, bool finite_in,
                          bool may_underflow, sl_value *out) {
  if (finite_in && isinf(y))
    sl_func_fail(ctx, r, out, "overflow", "value out of range: overflow");
  else if (finite_in && may_underflow && y == 0.0)
    sl_func_fail(ctx, r, out, "overflow", "value out of range: underflow");
  else
    *out = sl_value_double(y);
}

static sl_status sqrt_double(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (args[0][r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    double x = args[0][r].u.f64;
    if (x < 0)
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "cannot take square root of a negative number");
    else
      out[r] = sl_value_double(sqrt(x));
  }
  return SL_OK;
}

static sl_status power_double(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    double x = args[0][r].u.f64, y = args[1][r].u.f64;
    if (x == 0.0 && y < 0) {
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "zero raised to a negative power is undefined");
      continue;
    }
    if (x < 0 && isfinite(y) && floor(y) != y) {
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "a negative number raised to a non-integer power "
                   "yields a complex result");
      continue;
    }
    double z = pow(x, y);
    double_result(ctx, r, z, isfinite(x) && isfinite(y), x != 0.0,
                  &out[r]);
  }
  return SL_OK;
}

static sl_status exp_double(sl_func_ctx *ctx, int nargs,
                            const sl_value *const *args, int nrows,
                            sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (args[0][r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    double x = args[0][r].u.f64;
    double_result(ctx, r, exp(x), isfinite(x), true, &out[r]);
  }
  return SL_OK;
}

static sl_status log_double(sl_func_ctx *ctx, const sl_value *const *args,
                            int nrows, sl_value *out, bool base10) {
  for (int r = 0; r < nrows; r++) {
    if (args[0][r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    double x = args[0][r].u.f64;
    if (x == 0.0)
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "cannot take logarithm of zero");
    else if (x < 0)
      sl_func_fail(ctx, r, &out[r], SL_FUNC_INVALID,
                   "cannot take logarithm of a negative number");
    else
      out[r] = sl_value_double(base10 ? log10(x) : log(x));
  }
  return SL_OK;
}

static sl_status ln_double(sl_func_ctx *ctx, int nargs,
                           const sl_value *const *args, int nrows,
                           sl_value *out, sl_error *err) {
  return log_double(ctx, args, nrows, out, false);
}

static sl_status log10_double(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  return log_double(ctx, args, nrows, out, true);
}

/* ------------------------------------------------------------------ */
/* SIGN                                                                */
/* ------------------------------------------------------------------ */

static sl_status sign_int(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    int32_t v = args[0][r].u.i32;
    out[r] = args[0][r].kind == SL_TYPE_NULL ? sl_value_null()
                                             : sl_value_int((v > 0) - (v < 0));
  }
  return SL_OK;
}

static sl_status sign_bigint(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    int64_t v = args[0][r].u.i64;
    out[r] = args[0][r].kind == SL_TYPE_NULL ? sl_value_null()
                                             : sl_value_int((v > 0) - (v < 0));
  }
  return SL_OK;
}

static sl_status sign_decimal(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (args[0][r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    sl_int128 v = sl_value_decimal_get(&args[0][r]);
    out[r] = sl_value_int((v > 0) - (v < 0));
  }
  return SL_OK;
}

static sl_status sign_double(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++) {
    if (args[0][r].kind == SL_TYPE_NULL) {
      out[r] = sl_value_null();
      continue;
    }
    double x = args[0][r].u.f64;
    out[r] = sl_value_double(isnan(x) ? x : (double)((x > 0) - (x < 0)));
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ */
/* GREATEST and LEAST                                                  */
/* ------------------------------------------------------------------ */

/* The largest (sign 1) or smallest (sign -1) non-NULL argument of each
 * row; NULL only when every argument is NULL, as in PostgreSQL.  The
 * arguments all have type T already. */
static sl_status extreme(sl_func_ctx *ctx, int nargs,
                         const sl_value *const *args, int nrows,
                         sl_value *out, sl_error *err, int sign) {
  for (int r = 0; r < nrows; r++) {
    const sl_value *best = NULL;
    for (int i = 0; i < nargs; i++) {
      const sl_value *v = &args[i][r];
      if (v->kind == SL_TYPE_NULL)
        continue;
      if (!best || sign * sl_value_compare(v, best) > 0)
        best = v;
    }
    if (!best)
      out[r] = sl_value_null();
    else {
      sl_status rc = sl_value_copy(ctx->arena, best, &out[r], err);
      if (rc != SL_OK)
        return rc;
    }
  }
  return SL_OK;
}

static sl_status greatest_fn(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  return extreme(ctx, nargs, args, nrows, out, err, 1);
}

static sl_status least_fn(sl_func_ctx *ctx, int nargs,
                          const sl_value *const *args, int nrows,
                          sl_value *out, sl_error *err) {
  return extreme(ctx, nargs, args, nrows, out, err, -1);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

/* The functions of this file, registered by the registry. */
const sl_func_def sl_func_builtins_math[] = {
  {.name = "ABS",
   .doc = "The absolute value of x; the most negative INT or BIGINT "
          "overflows.",
   .example = "ABS(-7.5) = 7.5",
   .sigs = {{.spec = "(INT) -> INT", .scalar = abs_int},
            {.spec = "(BIGINT) -> BIGINT", .scalar = abs_bigint},
            {.spec = "(DECIMAL) -> $1", .scalar = abs_decimal},
            {.spec = "(DOUBLE) -> DOUBLE", .scalar = abs_double}}},
  {.name = "ROUND",
   .doc = "x rounded half away from zero to d decimal places (default 0; "
          "negative d rounds to tens, hundreds, ...).",
   .example = "ROUND(2.567, 1) = 2.6",
   .sigs = {{.spec = "(DOUBLE [, INT]) -> DOUBLE", .scalar = round_double},
            {.spec = "(DECIMAL [, INT]) -> @decimal_round",
             .scalar = round_decimal}}},
  {.name = "FLOOR",
   .doc = "The largest integer not greater than x.",
   .example = "FLOOR(-2.5) = -3",
   .sigs = {{.spec = "(INT) -> INT", .scalar = floor_int},
            {.spec = "(BIGINT) -> BIGINT", .scalar = floor_bigint},
            {.spec = "(DECIMAL) -> @decimal_integral", .scalar = floor_decimal},
            {.spec = "(DOUBLE) -> DOUBLE", .scalar = floor_double}}},
  {.name = "CEIL",
   .doc = "The smallest integer not less than x.",
   .example = "CEIL(2.1) = 3",
   .sigs = {{.spec = "(INT) -> INT", .scalar = floor_int},
            {.spec = "(BIGINT) -> BIGINT", .scalar = floor_bigint},
            {.spec = "(DECIMAL) -> @decimal_integral", .scalar = ceil_decimal},
            {.spec = "(DOUBLE) -> DOUBLE", .scalar = ceil_double}}},
  {.name = "SQRT",
   .doc = "The square root of x; a negative x is an error for the row.",
   .example = "SQRT(2.25) = 1.5",
   .sigs = {{.spec = "(DOUBLE) -> DOUBLE", .scalar = sqrt_double}}},
  {.name = "POWER",
   .doc = "x raised to the power y.",
   .example = "POWER(2, 10) = 1024",
   .sigs = {{.spec = "(DOUBLE, DOUBLE) -> DOUBLE", .scalar = power_double}}},
  {.name = "EXP",
   .doc = "e raised to the power x.",
   .example = "EXP(1) = 2.718281828459045",
   .sigs = {{.spec = "(DOUBLE) -> DOUBLE", .scalar = exp_double}}},
  {.name = "LN",
   .doc = "The natural logarithm of x (x > 0).",
   .example = "LN(1) = 0",
   .sigs = {{.spec = "(DOUBLE) -> DOUBLE", .scalar = ln_double}}},
  {.name = "LOG10",
   .doc = "The base-10 logarithm of x (x > 0).",
   .example = "LOG10(1000) = 3",
   .sigs = {{.spec = "(DOUBLE) -> DOUBLE", .scalar = log10_double}}},
  {.name = "SIGN",
   .doc = "-1, 0 or 1 as x is negative, zero or positive.",
   .example = "SIGN(-3) = -1",
   .sigs = {{.spec = "(INT) -> INT", .scalar = sign_int},
            {.spec = "(BIGINT) -> INT", .scalar = sign_bigint},
            {.spec = "(DECIMAL) -> INT", .scalar = sign_decimal},
            {.spec = "(DOUBLE) -> DOUBLE", .scalar = sign_double}}},
  {.name = "GREATEST",
   .flags = SL_FUNC_NULL_CALL,
   .doc = "The largest argument, ignoring NULLs (NULL when all are).",
   .example = "GREATEST(3, 7.5, NULL) = 7.5",
   .sigs = {{.spec = "(T...) -> T", .scalar = greatest_fn}}},
  {.name = "LEAST",
   .flags = SL_FUNC_NULL_CALL,
   .doc = "The smallest argument, ignoring NULLs (NULL when all are).",
   .example = "LEAST(3, 7.5, NULL) = 3.0",
   .sigs = {{.spec = "(T...) -> T", .scalar = least_fn}}},
};

const int sl_func_builtins_math_count =
    (int)(sizeof(sl_func_builtins_math) / sizeof(sl_func_builtins_math[0]));
