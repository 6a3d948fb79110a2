/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agg_basic.c - the numeric aggregates: COUNT, SUM, AVG, STDDEV and
 * STDDEV_POP.  All of them retract, so they serve sliding windows as
 * they are, and all merge exactly.
 *
 * SUM and AVG of INT and BIGINT add into a 128-bit integer.  A row whose
 * addition takes the running SUM outside BIGINT fails with reason
 * "overflow" and is not added (so the sum goes on from the rows that
 * fit); a merged or retracted sum outside BIGINT makes the result fail.
 * AVG of integers cannot overflow and is the DOUBLE nearest to the exact
 * quotient's double-rounded value (sum and count converted, then
 * divided).  INTERVALs (milliseconds) sum the same way, the bound being
 * INTERVAL's; their AVG is an INTERVAL, the exact quotient rounded half
 * away from zero to the millisecond.
 *
 * SUM and AVG of DECIMAL(p,s) add exactly at scale s into a wide
 * accumulator (hi * 10^37 + lo), so neither retraction nor merging can
 * overflow on the way; a row that takes the sum past 38 digits fails with
 * "overflow" as above.  SUM is DECIMAL(38,s); AVG is DECIMAL(38,
 * max(s,6)), the exact quotient rounded half away from zero.
 *
 * DOUBLE sums use Neumaier's compensated summation, which keeps a sum
 * exact through retraction as long as it is exact in two doubles
 * (1e20 + 1 - 1e20 is 1), and count infinities and NaNs apart so that
 * they retract too: any NaN, or both infinities, give NaN.
 *
 * STDDEV (sample, NULL below two values) and STDDEV_POP use Welford's
 * running mean and sum of squared deviations, merged with Chan's
 * formula and retracted by running Welford backwards.  A non-finite
 * value makes the result NaN for as long as it is in the group.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/types/decimal.h"
#include "udf/agg_internal.h"
#include "udf/builtins.h"

/* Every state here starts with this format byte when serialized. */
#define FORMAT 1

static sl_status nomem_if_failed(const sl_strbuf *out, sl_error *err) {
  return out->failed ? sl_error_set(err, SL_ERR_NOMEM, "out of memory")
                     : SL_OK;
}

/* Reads the format byte; false when it is not ours. */
static bool read_format(sl_agg_reader *rd) {
  return sl_agg_get_u8(rd) == FORMAT;
}

/* ------------------------------------------------------------------ */
/* COUNT(*) and COUNT(x)                                               */
/* ------------------------------------------------------------------ */

typedef struct count_state {
  int64_t n;
} count_state;

static size_t count_size(const sl_func_ctx *ctx) {
  return sizeof(count_state);
}

static sl_status count_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(count_state));
  return SL_OK;
}

/* The rows COUNT counts: all active rows for COUNT(*), the non-NULL ones
 * for COUNT(x). */
static int64_t count_rows(const sl_func_ctx *ctx, const sl_agg_rows *rows) {
  int64_t n = 0;
  for (int r = 0; r < rows->nrows; r++)
    if (sl_agg_row_on(rows, r) &&
        (ctx->nargs == 0 || rows->args[0][r].kind != SL_TYPE_NULL))
      n++;
  return n;
}

static sl_status count_add(sl_func_ctx *ctx, void *state,
                           const sl_agg_rows *rows, sl_error *err) {
  ((count_state *)state)->n += count_rows(ctx, rows);
  return SL_OK;
}

static sl_status count_retract(sl_func_ctx *ctx, void *state,
                               const sl_agg_rows *rows, sl_error *err) {
  count_state *st = state;
  int64_t n = count_rows(ctx, rows);
  if (n > st->n)
    return sl_agg_not_added(ctx, err);
  st->n -= n;
  return SL_OK;
}

static sl_status count_merge(sl_func_ctx *ctx, void *into, const void *from,
                             sl_error *err) {
  ((count_state *)into)->n += ((const count_state *)from)->n;
  return SL_OK;
}

static sl_status count_result(sl_func_ctx *ctx, const void *state,
                              sl_value *out, sl_error *err) {
  *out = sl_value_bigint(((const count_state *)state)->n);
  return SL_OK;
}

static sl_status count_serialize(sl_func_ctx *ctx, const void *state,
                                 sl_strbuf *out, sl_error *err) {
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_i64(out, ((const count_state *)state)->n);
  return nomem_if_failed(out, err);
}

static sl_status count_deserialize(sl_func_ctx *ctx, void *state,
                                   const void *data, size_t len,
                                   sl_error *err) {
  count_state *st = state;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = read_format(&rd);
  st->n = sl_agg_get_i64(&rd);
  if (!ok || !sl_agg_reader_done(&rd) || st->n < 0) {
    st->n = 0;
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_count_impl = {
  count_size, count_init, count_add, count_retract, count_merge,
  count_result, count_serialize, count_deserialize, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* SUM and AVG of integers                                             */
/* ------------------------------------------------------------------ */

typedef struct int_sum_state {
  sl_int128 sum;
  int64_t n; /* non-NULL values */
} int_sum_state;

static size_t int_sum_size(const sl_func_ctx *ctx) {
  return sizeof(int_sum_state);
}

static sl_status int_sum_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(int_sum_state));
  return SL_OK;
}

static bool fits_bigint(sl_int128 v) {
  return v >= INT64_MIN && v <= INT64_MAX;
}

/* The integer in v (INT or BIGINT). */
static int64_t int_of(const sl_value *v) {
  return v->kind == SL_TYPE_INT ? v->u.i32 : v->u.i64;
}

/* SUM: a row that takes the sum outside BIGINT fails, its message
 * naming the type (what); AVG (what NULL) takes every row. */
static sl_status int_add_rows(sl_func_ctx *ctx, int_sum_state *st,
                              const sl_agg_rows *rows, const char *what) {
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    sl_int128 next = st->sum + int_of(v);
    if (what && !fits_bigint(next)) {
      sl_value ignored;
      sl_func_fail(ctx, r, &ignored, "overflow",
                   "result out of range for %s", what);
      continue;
    }
    st->sum = next;
    st->n++;
  }
  return SL_OK;
}

static sl_status sum_int_add(sl_func_ctx *ctx, void *state,
                             const sl_agg_rows *rows, sl_error *err) {
  return int_add_rows(ctx, state, rows, "BIGINT");
}

static sl_status sum_interval_add(sl_func_ctx *ctx, void *state,
                                  const sl_agg_rows *rows, sl_error *err) {
  return int_add_rows(ctx, state, rows, "INTERVAL");
}

static sl_status avg_int_add(sl_func_ctx *ctx, void *state,
                             const sl_agg_rows *rows, sl_error *err) {
  return int_add_rows(ctx, state, rows, NULL);
}

static sl_status int_sum_retract(sl_func_ctx *ctx, void *state,
                                 const sl_agg_rows *rows, sl_error *err) {
  int_sum_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    if (st->n == 0)
      return sl_agg_not_added(ctx, err);
    st->sum -= int_of(v);
    st->n--;
  }
  return SL_OK;
}

static sl_status int_sum_merge(sl_func_ctx *ctx, void *into,
                               const void *from, sl_error *err) {
  int_sum_state *a = into;
  const int_sum_state *b = from;
  a->sum += b->sum;
  a->n += b->n;
  return SL_OK;
}

static sl_status sum_int_result(sl_func_ctx *ctx, const void *state,
                                sl_value *out, sl_error *err) {
  const int_sum_state *st = state;
  if (st->n == 0)
    return SL_OK;
  if (!fits_bigint(st->sum))
    return sl_agg_record_error(err, "overflow",
                               "sum: result out of range for BIGINT");
  *out = sl_value_bigint((int64_t)st->sum);
  return SL_OK;
}

static sl_status avg_int_result(sl_func_ctx *ctx, const void *state,
                                sl_value *out, sl_error *err) {
  const int_sum_state *st = state;
  if (st->n > 0)
    *out = sl_value_double((double)st->sum / (double)st->n);
  return SL_OK;
}

static sl_status sum_interval_result(sl_func_ctx *ctx, const void *state,
                                     sl_value *out, sl_error *err) {
  const int_sum_state *st = state;
  if (st->n == 0)
    return SL_OK;
  if (!fits_bigint(st->sum))
    return sl_agg_record_error(err, "overflow",
                               "sum: result out of range for INTERVAL");
  *out = sl_value_interval((int64_t)st->sum);
  return SL_OK;
}

/* The mean of INTERVALs: sum / n rounded half away from zero.  The mean
 * of int64 values is within int64, and so is the rounded one. */
static sl_status avg_interval_result(sl_func_ctx *ctx, const void *state,
                                     sl_value *out, sl_error *err) {
  const int_sum_state *st = state;
  if (st->n == 0)
    return SL_OK;
  sl_int128 q = st->sum / st->n, rem = st->sum % st->n;
  if (rem < 0)
    rem = -rem;
  if (rem != 0 && rem >= st->n - rem)
    q += st->sum < 0 ? -1 : 1;
  *out = sl_value_interval((int64_t)q);
  return SL_OK;
}

static sl_status int_sum_serialize(sl_func_ctx *ctx, const void *state,
                                   sl_strbuf *out, sl_error *err) {
  const int_sum_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_i128(out, st->sum);
  sl_agg_put_i64(out, st->n);
  return nomem_if_failed(out, err);
}

static sl_status int_sum_deserialize(sl_func_ctx *ctx, void *state,
                                     const void *data, size_t len,
                                     sl_error *err) {
  int_sum_state *st = state;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = read_format(&rd);
  st->sum = sl_agg_get_i128(&rd);
  st->n = sl_agg_get_i64(&rd);
  if (!ok || !sl_agg_reader_done(&rd) || st->n < 0) {
    memset(st, 0, sizeof(*st));
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_sum_int_impl = {
  int_sum_size, int_sum_init, sum_int_add, int_sum_retract, int_sum_merge,
  sum_int_result, int_sum_serialize, int_sum_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_agg_avg_int_impl = {
  int_sum_size, int_sum_init, avg_int_add, int_sum_retract, int_sum_merge,
  avg_int_result, int_sum_serialize, int_sum_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_agg_sum_interval_impl = {
  int_sum_size, int_sum_init, sum_interval_add, int_sum_retract,
  int_sum_merge, sum_interval_result, int_sum_serialize,
  int_sum_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_agg_avg_interval_impl = {
  int_sum_size, int_sum_init, avg_int_add, int_sum_retract, int_sum_merge,
  avg_interval_result, int_sum_serialize, int_sum_deserialize, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* SUM and AVG of DECIMAL                                              */
/* ------------------------------------------------------------------ */

/* The sum is hi * 10^37 + lo with |lo| < 10^37: adding a value below
 * 10^38 to lo stays far inside 128 bits, and hi absorbs the carry. */
typedef struct dec_sum_state {
  sl_int128 lo;
  int64_t hi;
  int64_t n;
} dec_sum_state;

static sl_int128 base37(void) { return sl_decimal_pow10(37); }

static size_t dec_sum_size(const sl_func_ctx *ctx) {
  return sizeof(dec_sum_state);
}

static sl_status dec_sum_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(dec_sum_state));
  return SL_OK;
}

/* Adds x (|x| < 10^38) to the accumulator (hi, lo); false when hi would
 * overflow, which takes some 10^56 additions. */
static bool wide_add(int64_t *hi, sl_int128 *lo, sl_int128 x) {
  sl_int128 b = base37();
  sl_int128 t = *lo + x;
  int64_t carry = (int64_t)(t / b);
  int64_t nhi;
  if (__builtin_add_overflow(*hi, carry, &nhi))
    return false;
  *hi = nhi;
  *lo = t % b;
  return true;
}

/* The accumulator as one value when it has at most 38 digits. */
static bool wide_value(int64_t hi, sl_int128 lo, sl_int128 *out) {
  if (hi > 10 || hi < -10)
    return false;
  sl_int128 v = (sl_int128)hi * base37() + lo;
  if (!sl_decimal_fits(v, SL_DECIMAL_MAX_PRECISION))
    return false;
  *out = v;
  return true;
}

/* The scale the sum is kept at: the argument's. */
static int arg_scale(const sl_func_ctx *ctx) {
  return ctx->nargs > 0 && ctx->arg_types[0]->kind == SL_TYPE_DECIMAL
             ? ctx->arg_types[0]->scale
             : 0;
}

/* The unscaled value of v at scale s; false when it does not fit. */
static bool decimal_at(const sl_value *v, int s, sl_int128 *out) {
  sl_int128 x;
  if (v->kind == SL_TYPE_DECIMAL) {
    x = sl_value_decimal_get(v);
    if (v->scale == s) {
      *out = x;
      return true;
    }
    sl_error ignored;
    return sl_decimal_rescale(x, v->scale, s, SL_DECIMAL_MAX_PRECISION, out,
                              &ignored) == SL_OK;
  }
  sl_error ignored;
  return sl_decimal_from_int64(int_of(v), SL_DECIMAL_MAX_PRECISION, s, out,
                               &ignored) == SL_OK;
}

static sl_status dec_sum_add(sl_func_ctx *ctx, void *state,
                             const sl_agg_rows *rows, sl_error *err) {
  dec_sum_state *st = state;
  int s = arg_scale(ctx);
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    sl_int128 x, total;
    int64_t hi = st->hi;
    sl_int128 lo = st->lo;
    if (!decimal_at(v, s, &x) || !wide_add(&hi, &lo, x) ||
        !wide_value(hi, lo, &total)) {
      sl_value ignored;
      sl_func_fail(ctx, r, &ignored, "overflow",
                   "result out of range for DECIMAL(38,%d)", s);
      continue;
    }
    st->hi = hi;
    st->lo = lo;
    st->n++;
  }
  return SL_OK;
}

static sl_status dec_sum_retract(sl_func_ctx *ctx, void *state,
                                 const sl_agg_rows *rows, sl_error *err) {
  dec_sum_state *st = state;
  int s = arg_scale(ctx);
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    sl_int128 x;
    if (st->n == 0 || !decimal_at(v, s, &x) || !wide_add(&st->hi, &st->lo,
                                                         -x))
      return sl_agg_not_added(ctx, err);
    st->n--;
  }
  return SL_OK;
}

static sl_status dec_sum_merge(sl_func_ctx *ctx, void *into,
                               const void *from, sl_error *err) {
  dec_sum_state *a = into;
  const dec_sum_state *b = from;
  int64_t hi;
  if (__builtin_add_overflow(a->hi, b->hi, &hi) ||
      !wide_add(&hi, &a->lo, b->lo))
    return sl_agg_record_error(err, "overflow",
                               "%s: merged sum out of range",
                               ctx->func->name);
  a->hi = hi;
  a->n += b->n;
  return SL_OK;
}

static sl_status sum_dec_result(sl_func_ctx *ctx, const void *state,
                                sl_value *out, sl_error *err) {
  const dec_sum_state *st = state;
  sl_int128 v;
  if (st->n == 0)
    return SL_OK;
  if (!wide_value(st->hi, st->lo, &v))
    return sl_agg_record_error(err, "overflow",
                               "sum: result out of range for "
                               "DECIMAL(38,%d)", arg_scale(ctx));
  *out = sl_value_decimal(v, arg_scale(ctx));
  return SL_OK;
}

static sl_status avg_dec_result(sl_func_ctx *ctx, const void *state,
                                sl_value *out, sl_error *err) {
  const dec_sum_state *st = state;
  int s = arg_scale(ctx);
  int rs = ctx->ret_type->kind == SL_TYPE_DECIMAL ? ctx->ret_type->scale
                                                   : (s > 6 ? s : 6);
  sl_int128 v, q;
  if (st->n == 0)
    return SL_OK;
  sl_error derr;
  sl_error_clear(&derr);
  if (!wide_value(st->hi, st->lo, &v) ||
      sl_decimal_div(v, s, st->n, 0, SL_DECIMAL_MAX_PRECISION, rs, &q,
                     &derr) != SL_OK)
    return sl_agg_record_error(err, "overflow",
                               "avg: result out of range for "
                               "DECIMAL(38,%d)", rs);
  *out = sl_value_decimal(q, rs);
  return SL_OK;
}

static sl_status dec_sum_serialize(sl_func_ctx *ctx, const void *state,
                                   sl_strbuf *out, sl_error *err) {
  const dec_sum_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_i64(out, st->hi);
  sl_agg_put_i128(out, st->lo);
  sl_agg_put_i64(out, st->n);
  return nomem_if_failed(out, err);
}

static sl_status dec_sum_deserialize(sl_func_ctx *ctx, void *state,
                                     const void *data, size_t len,
                                     sl_error *err) {
  dec_sum_state *st = state;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = read_format(&rd);
  st->hi = sl_agg_get_i64(&rd);
  st->lo = sl_agg_get_i128(&rd);
  st->n = sl_agg_get_i64(&rd);
  sl_int128 b = base37();
  if (!ok || !sl_agg_reader_done(&rd) || st->n < 0 || st->lo >= b ||
      st->lo <= -b) {
    memset(st, 0, sizeof(*st));
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_sum_decimal_impl = {
  dec_sum_size, dec_sum_init, dec_sum_add, dec_sum_retract, dec_sum_merge,
  sum_dec_result, dec_sum_serialize, dec_sum_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_agg_avg_decimal_impl = {
  dec_sum_size, dec_sum_init, dec_sum_add, dec_sum_retract, dec_sum_merge,
  avg_dec_result, dec_sum_serialize, dec_sum_deserialize, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* SUM and AVG of DOUBLE                                               */
/* ------------------------------------------------------------------ */

typedef struct dbl_sum_state {
  double sum;   /* of the finite values ... */
  double comp;  /* ... plus this compensation */
  int64_t n;    /* non-NULL values, finite or not */
  int64_t pinf; /* +Infinity values */
  int64_t ninf; /* -Infinity values */
  int64_t nan;  /* NaN values */
} dbl_sum_state;

static size_t dbl_sum_size(const sl_func_ctx *ctx) {
  return sizeof(dbl_sum_state);
}

static sl_status dbl_sum_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(dbl_sum_state));
  return SL_OK;
}

/* One step of Neumaier's summation. */
static void neumaier(dbl_sum_state *st, double x) {
  double t = st->sum + x;
  if (isfinite(t)) {
    if (fabs(st->sum) >= fabs(x))
      st->comp += (st->sum - t) + x;
    else
      st->comp += (x - t) + st->sum;
  }
  st->sum = t;
}

/* The counter a non-finite x goes to, or NULL for a finite one. */
static int64_t *nonfinite_counter(dbl_sum_state *st, double x) {
  if (isnan(x))
    return &st->nan;
  if (isinf(x))
    return x > 0 ? &st->pinf : &st->ninf;
  return NULL;
}

static sl_status dbl_sum_add(sl_func_ctx *ctx, void *state,
                             const sl_agg_rows *rows, sl_error *err) {
  dbl_sum_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    int64_t *c = nonfinite_counter(st, v->u.f64);
    if (c)
      (*c)++;
    else
      neumaier(st, v->u.f64);
    st->n++;
  }
  return SL_OK;
}

static sl_status dbl_sum_retract(sl_func_ctx *ctx, void *state,
                                 const sl_agg_rows *rows, sl_error *err) {
  dbl_sum_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    int64_t *c = nonfinite_counter(st, v->u.f64);
    if (st->n == 0 || (c && *c == 0))
      return sl_agg_not_added(ctx, err);
    if (c)
      (*c)--;
    else
      neumaier(st, -v->u.f64);
    st->n--;
  }
  if (st->n == 0) {
    /* Forget rounding residue: an emptied group starts afresh. */
    st->sum = 0;
    st->comp = 0;
  }
  return SL_OK;
}

static sl_status dbl_sum_merge(sl_func_ctx *ctx, void *into,
                               const void *from, sl_error *err) {
  dbl_sum_state *a = into;
  const dbl_sum_state *b = from;
  neumaier(a, b->sum);
  a->comp += b->comp;
  a->n += b->n;
  a->pinf += b->pinf;
  a->ninf += b->ninf;
  a->nan += b->nan;
  return SL_OK;
}

/* The sum of the state's values. */
static double dbl_total(const dbl_sum_state *st) {
  if (st->nan > 0 || (st->pinf > 0 && st->ninf > 0))
    return NAN;
  if (st->pinf > 0)
    return INFINITY;
  if (st->ninf > 0)
    return -INFINITY;
  return isfinite(st->sum) ? st->sum + st->comp : st->sum;
}

static sl_status sum_dbl_result(sl_func_ctx *ctx, const void *state,
                                sl_value *out, sl_error *err) {
  const dbl_sum_state *st = state;
  if (st->n > 0)
    *out = sl_value_double(dbl_total(st));
  return SL_OK;
}

static sl_status avg_dbl_result(sl_func_ctx *ctx, const void *state,
                                sl_value *out, sl_error *err) {
  const dbl_sum_state *st = state;
  if (st->n > 0)
    *out = sl_value_double(dbl_total(st) / (double)st->n);
  return SL_OK;
}

static sl_status dbl_sum_serialize(sl_func_ctx *ctx, const void *state,
                                   sl_strbuf *out, sl_error *err) {
  const dbl_sum_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_f64(out, st->sum);
  sl_agg_put_f64(out, st->comp);
  sl_agg_put_i64(out, st->n);
  sl_agg_put_i64(out, st->pinf);
  sl_agg_put_i64(out, st->ninf);
  sl_agg_put_i64(out, st->nan);
  return nomem_if_failed(out, err);
}

static sl_status dbl_sum_deserialize(sl_func_ctx *ctx, void *state,
                                     const void *data, size_t len,
                                     sl_error *err) {
  dbl_sum_state *st = state;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = read_format(&rd);
  st->sum = sl_agg_get_f64(&rd);
  st->comp = sl_agg_get_f64(&rd);
  st->n = sl_agg_get_i64(&rd);
  st->pinf = sl_agg_get_i64(&rd);
  st->ninf = sl_agg_get_i64(&rd);
  st->nan = sl_agg_get_i64(&rd);
  if (!ok || !sl_agg_reader_done(&rd) || st->n < 0 || st->pinf < 0 ||
      st->ninf < 0 || st->nan < 0) {
    memset(st, 0, sizeof(*st));
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_sum_double_impl = {
  dbl_sum_size, dbl_sum_init, dbl_sum_add, dbl_sum_retract, dbl_sum_merge,
  sum_dbl_result, dbl_sum_serialize, dbl_sum_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_agg_avg_double_impl = {
  dbl_sum_size, dbl_sum_init, dbl_sum_add, dbl_sum_retract, dbl_sum_merge,
  avg_dbl_result, dbl_sum_serialize, dbl_sum_deserialize, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* STDDEV and STDDEV_POP                                               */
/* ------------------------------------------------------------------ */

typedef struct var_state {
  int64_t n;         /* finite values */
  double mean;       /* their mean */
  double m2;         /* their sum of squared deviations from it */
  int64_t nonfinite; /* infinities and NaNs */
} var_state;

static size_t var_size(const sl_func_ctx *ctx) { return sizeof(var_state); }

static sl_status var_init(sl_func_ctx *ctx, void *state, sl_error *err) {
  memset(state, 0, sizeof(var_state));
  return SL_OK;
}

static sl_status var_add(sl_func_ctx *ctx, void *state,
                         const sl_agg_rows *rows, sl_error *err) {
  var_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    double x = v->u.f64;
    if (!isfinite(x)) {
      st->nonfinite++;
      continue;
    }
    st->n++;
    double d = x - st->mean;
    st->mean += d / (double)st->n;
    st->m2 += d * (x - st->mean);
  }
  return SL_OK;
}

static sl_status var_retract(sl_func_ctx *ctx, void *state,
                             const sl_agg_rows *rows, sl_error *err) {
  var_state *st = state;
  for (int r = 0; r < rows->nrows; r++) {
    const sl_value *v = &rows->args[0][r];
    if (!sl_agg_row_on(rows, r) || v->kind == SL_TYPE_NULL)
      continue;
    double x = v->u.f64;
    if (!isfinite(x)) {
      if (st->nonfinite == 0)
        return sl_agg_not_added(ctx, err);
      st->nonfinite--;
      continue;
    }
    if (st->n == 0)
      return sl_agg_not_added(ctx, err);
    if (st->n == 1) {
      st->n = 0;
      st->mean = 0;
      st->m2 = 0;
      continue;
    }
    /* Welford backwards: the mean before x joined, then its share of
     * the squared deviations. */
    double d = x - st->mean;
    st->n--;
    st->mean -= d / (double)st->n;
    st->m2 -= d * (x - st->mean);
    if (st->m2 < 0)
      st->m2 = 0;
  }
  return SL_OK;
}

static sl_status var_merge(sl_func_ctx *ctx, void *into, const void *from,
                           sl_error *err) {
  var_state *a = into;
  const var_state *b = from;
  a->nonfinite += b->nonfinite;
  if (b->n == 0)
    return SL_OK;
  if (a->n == 0) {
    a->n = b->n;
    a->mean = b->mean;
    a->m2 = b->m2;
    return SL_OK;
  }
  double na = (double)a->n, nb = (double)b->n, n = na + nb;
  double d = b->mean - a->mean;
  a->mean += d * nb / n;
  a->m2 += b->m2 + d * d * na * nb / n;
  a->n += b->n;
  return SL_OK;
}

/* The standard deviation with ddof 1 (sample) or 0 (population). */
static sl_status var_result(const var_state *st, int ddof, sl_value *out) {
  int64_t total = st->n + st->nonfinite;
  if (total <= ddof)
    return SL_OK;
  if (st->nonfinite > 0) {
    *out = sl_value_double(NAN);
    return SL_OK;
  }
  *out = sl_value_double(sqrt(st->m2 / (double)(st->n - ddof)));
  return SL_OK;
}

static sl_status stddev_result(sl_func_ctx *ctx, const void *state,
                               sl_value *out, sl_error *err) {
  return var_result(state, 1, out);
}

static sl_status stddev_pop_result(sl_func_ctx *ctx, const void *state,
                                   sl_value *out, sl_error *err) {
  return var_result(state, 0, out);
}

static sl_status var_serialize(sl_func_ctx *ctx, const void *state,
                               sl_strbuf *out, sl_error *err) {
  const var_state *st = state;
  sl_agg_put_u8(out, FORMAT);
  sl_agg_put_i64(out, st->n);
  sl_agg_put_f64(out, st->mean);
  sl_agg_put_f64(out, st->m2);
  sl_agg_put_i64(out, st->nonfinite);
  return nomem_if_failed(out, err);
}

static sl_status var_deserialize(sl_func_ctx *ctx, void *state,
                                 const void *data, size_t len,
                                 sl_error *err) {
  var_state *st = state;
  sl_agg_reader rd = sl_agg_reader_make(data, len);
  bool ok = read_format(&rd);
  st->n = sl_agg_get_i64(&rd);
  st->mean = sl_agg_get_f64(&rd);
  st->m2 = sl_agg_get_f64(&rd);
  st->nonfinite = sl_agg_get_i64(&rd);
  if (!ok || !sl_agg_reader_done(&rd) || st->n < 0 || st->nonfinite < 0) {
    memset(st, 0, sizeof(*st));
    return sl_agg_corrupt(ctx, err);
  }
  return SL_OK;
}

const sl_func_agg_impl sl_agg_stddev_impl = {
  var_size, var_init, var_add, var_retract, var_merge,
  stddev_result, var_serialize, var_deserialize, NULL, NULL,
};

const sl_func_agg_impl sl_agg_stddev_pop_impl = {
  var_size, var_init, var_add, var_retract, var_merge,
  stddev_pop_result, var_serialize, var_deserialize, NULL, NULL,
};
