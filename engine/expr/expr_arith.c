/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_arith.c - arithmetic kernels: + - * / % and unary minus over INT,
 * BIGINT, DOUBLE, DECIMAL, and the TIMESTAMP / DATE / INTERVAL forms.
 *
 * PostgreSQL's rules: integer results out of range fail the row
 * ("integer out of range", reason overflow) rather than wrap; division
 * truncates toward zero and the remainder takes the dividend's sign;
 * division or modulo by zero fails the row (division_by_zero) for every
 * numeric type, DOUBLE included; INT_MIN / -1 overflows while
 * INT_MIN % -1 is 0.  DOUBLE otherwise follows IEEE: an overflow is an
 * infinity and NaN propagates.  DECIMAL arithmetic is exact and checked
 * against the result precision by decimal.h.  An INTERVAL times or
 * divided by a number is rounded half away from zero to the millisecond,
 * for an integer divisor as for a DOUBLE one, so that INTERVAL '5'
 * MILLISECOND / 2 and / 2.0 agree (3 ms).
 *
 * Every kernel is generated for one operator and one pair of operand
 * kinds; the NULL check is the only test every row pays.
 */
#include <math.h>
#include <stdint.h>

#include "engine/expr/expr_internal.h"
#include "engine/types/decimal.h"
#include "engine/types/time.h"

/* The loop shared by binary kernels: evaluate both children, give NULL
 * for a NULL operand, run BODY with A[r], B[r] otherwise.  BODY writes
 * O[r] or fails the row (FAIL) and continues. */
#define BINARY_KERNEL(name, ...)                                          \
  static sl_status name(sl_xnode *n, sl_xeval *ev, const int *sel,        \
                        int nsel) {                                        \
    sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);                   \
    if (rc)                                                                \
      return rc;                                                           \
    const sl_value *A = n->kids[0]->out, *B = n->kids[1]->out;             \
    sl_value *O = n->out;                                                  \
    for (int i = 0; i < nsel; i++) {                                       \
      int r = sel[i];                                                      \
      if (A[r].kind == SL_TYPE_NULL || B[r].kind == SL_TYPE_NULL) {        \
        O[r] = sl_value_null();                                            \
        continue;                                                          \
      }                                                                    \
      __VA_ARGS__                                                           \
    }                                                                      \
    return SL_OK;                                                          \
  }

#define FAIL(reason, ...)                                                  \
  do {                                                                     \
    rc = sl_xrow_fail(ev, n, r, reason, __VA_ARGS__);                      \
    if (rc)                                                                \
      return rc;                                                           \
  } while (0)

#define OVERFLOW(what) FAIL("overflow", "%s out of range", what)

/* The word PostgreSQL's messages use for a result kind. */
static const char *kind_word(sl_type_kind kind) {
  switch (kind) {
  case SL_TYPE_TIMESTAMP: return "timestamp";
  case SL_TYPE_INTERVAL: return "interval";
  default: return "bigint";
  }
}
#define DIV_ZERO() FAIL("division_by_zero", "division by zero")

static inline sl_value mk_int(int32_t v) {
  sl_value x = {.kind = SL_TYPE_INT, .u = {.i32 = v}};
  return x;
}

static inline sl_value mk_i64(uint8_t kind, int64_t v) {
  sl_value x = {.kind = kind, .u = {.i64 = v}};
  return x;
}

static inline sl_value mk_f64(double v) {
  sl_value x = {.kind = SL_TYPE_DOUBLE, .u = {.f64 = v}};
  return x;
}

static inline sl_value mk_date(int64_t v) {
  sl_value x = {.kind = SL_TYPE_DATE, .u = {.i32 = (int32_t)v}};
  return x;
}

/* An INT or BIGINT operand as int64. */
static inline int64_t int_of(const sl_value *v) {
  return v->kind == SL_TYPE_INT ? v->u.i32 : v->u.i64;
}

static inline bool add_ovf(int64_t a, int64_t b, int64_t *out) {
  if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
    return true;
  *out = a + b;
  return false;
}

static inline bool sub_ovf(int64_t a, int64_t b, int64_t *out) {
  if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
    return true;
  *out = a - b;
  return false;
}

static inline bool mul_ovf(int64_t a, int64_t b, int64_t *out) {
  sl_int128 p = (sl_int128)a * b;
  if (p > INT64_MAX || p < INT64_MIN)
    return true;
  *out = (int64_t)p;
  return false;
}

/* ---- INT ------------------------------------------------------------ */

#define INT_RESULT(expr)                                                   \
  int64_t v = (expr);                                                      \
  if (v > INT32_MAX || v < INT32_MIN) {                                    \
    OVERFLOW("integer");                                                   \
    continue;                                                              \
  }                                                                        \
  O[r] = mk_int((int32_t)v);

BINARY_KERNEL(int_add, INT_RESULT((int64_t)A[r].u.i32 + B[r].u.i32))
BINARY_KERNEL(int_sub, INT_RESULT((int64_t)A[r].u.i32 - B[r].u.i32))
BINARY_KERNEL(int_mul, INT_RESULT((int64_t)A[r].u.i32 * B[r].u.i32))
BINARY_KERNEL(int_div, {
  int32_t b = B[r].u.i32;
  if (b == 0) {
    DIV_ZERO();
    continue;
  }
  INT_RESULT((int64_t)A[r].u.i32 / b)
})
BINARY_KERNEL(int_mod, {
  int32_t b = B[r].u.i32;
  if (b == 0) {
    DIV_ZERO();
    continue;
  }
  /* INT_MIN % -1 is 0; computing it in C would trap. */
  O[r] = mk_int(b == -1 ? 0 : A[r].u.i32 % b);
})

/* ---- BIGINT and the 64-bit temporal kinds ----------------------------- */

/* The result kind is the node's: BIGINT, TIMESTAMP or INTERVAL. */
BINARY_KERNEL(i64_add, {
  int64_t v;
  if (add_ovf(A[r].u.i64, B[r].u.i64, &v)) {
    OVERFLOW(kind_word(n->type->kind));
    continue;
  }
  O[r] = mk_i64((uint8_t)n->type->kind, v);
})
BINARY_KERNEL(i64_sub, {
  int64_t v;
  if (sub_ovf(A[r].u.i64, B[r].u.i64, &v)) {
    OVERFLOW(kind_word(n->type->kind));
    continue;
  }
  O[r] = mk_i64((uint8_t)n->type->kind, v);
})
BINARY_KERNEL(bigint_mul, {
  int64_t v;
  if (mul_ovf(A[r].u.i64, B[r].u.i64, &v)) {
    OVERFLOW("bigint");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_BIGINT, v);
})
BINARY_KERNEL(bigint_div, {
  int64_t a = A[r].u.i64, b = B[r].u.i64;
  if (b == 0) {
    DIV_ZERO();
    continue;
  }
  if (b == -1 && a == INT64_MIN) {
    OVERFLOW("bigint");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_BIGINT, a / b);
})
BINARY_KERNEL(bigint_mod, {
  int64_t b = B[r].u.i64;
  if (b == 0) {
    DIV_ZERO();
    continue;
  }
  O[r] = mk_i64(SL_TYPE_BIGINT, b == -1 ? 0 : A[r].u.i64 % b);
})

/* ---- DOUBLE ----------------------------------------------------------- */

BINARY_KERNEL(dbl_add, O[r] = mk_f64(A[r].u.f64 + B[r].u.f64);)
BINARY_KERNEL(dbl_sub, O[r] = mk_f64(A[r].u.f64 - B[r].u.f64);)
BINARY_KERNEL(dbl_mul, O[r] = mk_f64(A[r].u.f64 * B[r].u.f64);)
BINARY_KERNEL(dbl_div, {
  double b = B[r].u.f64;
  if (b == 0.0) {
    DIV_ZERO();
    continue;
  }
  O[r] = mk_f64(A[r].u.f64 / b);
})
BINARY_KERNEL(dbl_mod, {
  double b = B[r].u.f64;
  if (b == 0.0) {
    DIV_ZERO();
    continue;
  }
  O[r] = mk_f64(fmod(A[r].u.f64, b));
})

/* ---- DECIMAL ---------------------------------------------------------- */

/* A DECIMAL operand (or an integer one) as unscaled value and scale. */
static inline sl_int128 dec_of(const sl_value *v, int *scale) {
  if (v->kind == SL_TYPE_DECIMAL) {
    *scale = v->scale;
    return sl_value_decimal_get(v);
  }
  *scale = 0;
  return int_of(v);
}

#define DECIMAL_KERNEL(name, fn)                                           \
  BINARY_KERNEL(name, {                                                    \
    int sa, sb;                                                            \
    sl_int128 a = dec_of(&A[r], &sa), b = dec_of(&B[r], &sb), v;           \
    sl_error e;                                                            \
    if (fn(a, sa, b, sb, n->dec_p, n->dec_s, &v, &e)) {                    \
      FAIL(e.reason[0] ? e.reason : "overflow", "%s", e.message);          \
      continue;                                                            \
    }                                                                      \
    O[r] = sl_value_decimal(v, n->dec_s);                                  \
  })

DECIMAL_KERNEL(dec_add, sl_decimal_add)
DECIMAL_KERNEL(dec_sub, sl_decimal_sub)
DECIMAL_KERNEL(dec_mul, sl_decimal_mul)
DECIMAL_KERNEL(dec_div, sl_decimal_div)
DECIMAL_KERNEL(dec_mod, sl_decimal_mod)

/* ---- Temporal forms --------------------------------------------------- */

/* INTERVAL * integer, integer * INTERVAL. */
BINARY_KERNEL(iv_mul_int, {
  int64_t v;
  if (mul_ovf(int_of(&A[r]), int_of(&B[r]), &v)) {
    OVERFLOW("interval");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_INTERVAL, v);
})

/* Rounds a double count of milliseconds into an INTERVAL. */
static inline bool ms_of_double(double d, int64_t *out) {
  double x = round(d);
  if (!(x >= -9.2233720368547758e18 && x < 9.2233720368547758e18))
    return false;
  *out = (int64_t)x;
  return true;
}

/* INTERVAL * DOUBLE, DOUBLE * INTERVAL: rounded to the millisecond. */
BINARY_KERNEL(iv_mul_dbl, {
  const sl_value *iv = A[r].kind == SL_TYPE_INTERVAL ? &A[r] : &B[r];
  const sl_value *d = A[r].kind == SL_TYPE_INTERVAL ? &B[r] : &A[r];
  int64_t v;
  if (!ms_of_double((double)iv->u.i64 * d->u.f64, &v)) {
    OVERFLOW("interval");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_INTERVAL, v);
})

/* a / b rounded half away from zero, as the DOUBLE forms round: the
 * remainder is compared with what is left of the divisor, unsigned, so
 * that no step can overflow (b is neither 0 nor -1 with INT64_MIN). */
static inline int64_t div_round(int64_t a, int64_t b) {
  int64_t q = a / b, rem = a % b;
  uint64_t ur = rem < 0 ? -(uint64_t)rem : (uint64_t)rem;
  uint64_t ub = b < 0 ? -(uint64_t)b : (uint64_t)b;
  if (ur != 0 && ur >= ub - ur)
    q += (a < 0) != (b < 0) ? -1 : 1;
  return q;
}

BINARY_KERNEL(iv_div_int, {
  int64_t b = int_of(&B[r]), a = A[r].u.i64;
  if (b == 0) {
    DIV_ZERO();
    continue;
  }
  if (b == -1 && a == INT64_MIN) {
    OVERFLOW("interval");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_INTERVAL, div_round(a, b));
})

BINARY_KERNEL(iv_div_dbl, {
  double b = B[r].u.f64;
  int64_t v;
  if (b == 0.0) {
    DIV_ZERO();
    continue;
  }
  if (!ms_of_double((double)A[r].u.i64 / b, &v)) {
    OVERFLOW("interval");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_INTERVAL, v);
})

/* An instant operand (DATE or TIMESTAMP) in ms. */
static inline int64_t instant_of(const sl_value *v) {
  return v->kind == SL_TYPE_DATE ? (int64_t)v->u.i32 * SL_MS_PER_DAY
                                 : v->u.i64;
}

/* DATE + INTERVAL, INTERVAL + DATE (TIMESTAMP results). */
BINARY_KERNEL(instant_add_iv, {
  const sl_value *t = A[r].kind == SL_TYPE_INTERVAL ? &B[r] : &A[r];
  const sl_value *iv = A[r].kind == SL_TYPE_INTERVAL ? &A[r] : &B[r];
  int64_t v;
  if (add_ovf(instant_of(t), iv->u.i64, &v)) {
    OVERFLOW("timestamp");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_TIMESTAMP, v);
})

BINARY_KERNEL(instant_sub_iv, {
  int64_t v;
  if (sub_ovf(instant_of(&A[r]), B[r].u.i64, &v)) {
    OVERFLOW("timestamp");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_TIMESTAMP, v);
})

/* Instant - instant as an INTERVAL. */
BINARY_KERNEL(instant_diff, {
  int64_t v;
  if (sub_ovf(instant_of(&A[r]), instant_of(&B[r]), &v)) {
    OVERFLOW("interval");
    continue;
  }
  O[r] = mk_i64(SL_TYPE_INTERVAL, v);
})

/* DATE - DATE as a number of days. */
BINARY_KERNEL(date_diff_days, {
  int64_t v = (int64_t)A[r].u.i32 - B[r].u.i32;
  O[r] = n->type->kind == SL_TYPE_INT ? mk_int((int32_t)v)
                                      : mk_i64(SL_TYPE_BIGINT, v);
})

#define DATE_MIN (-2147483647LL - 1)
#define DATE_MAX 2147483647LL

/* DATE + integer, integer + DATE, DATE - integer. */
BINARY_KERNEL(date_add_days, {
  int64_t d = A[r].kind == SL_TYPE_DATE ? A[r].u.i32 : B[r].u.i32;
  int64_t k = A[r].kind == SL_TYPE_DATE ? int_of(&B[r]) : int_of(&A[r]);
  int64_t v = d + k;
  if (k > INT32_MAX || k < INT32_MIN || v > DATE_MAX || v < DATE_MIN) {
    OVERFLOW("date");
    continue;
  }
  O[r] = mk_date(v);
})
BINARY_KERNEL(date_sub_days, {
  int64_t k = int_of(&B[r]);
  int64_t v = (int64_t)A[r].u.i32 - k;
  if (k > INT32_MAX || k < INT32_MIN || v > DATE_MAX || v < DATE_MIN) {
    OVERFLOW("date");
    continue;
  }
  O[r] = mk_date(v);
})

/* ---- Selection -------------------------------------------------------- */

static bool is_int_kind(sl_type_kind k) {
  return k == SL_TYPE_INT || k == SL_TYPE_BIGINT;
}

static bool is_instant_kind(sl_type_kind k) {
  return k == SL_TYPE_DATE || k == SL_TYPE_TIMESTAMP;
}

/* The temporal forms, by operand and result kinds. */
static sl_xkernel temporal_kernel(sl_bexpr_op op, sl_type_kind a,
                                  sl_type_kind b, sl_type_kind res) {
  switch (op) {
  case SL_OP_ADD:
    if (res == SL_TYPE_INTERVAL && a == SL_TYPE_INTERVAL &&
        b == SL_TYPE_INTERVAL)
      return i64_add;
    if (res == SL_TYPE_TIMESTAMP &&
        ((a == SL_TYPE_TIMESTAMP && b == SL_TYPE_INTERVAL) ||
         (a == SL_TYPE_INTERVAL && b == SL_TYPE_TIMESTAMP)))
      return i64_add;
    if (res == SL_TYPE_TIMESTAMP &&
        ((a == SL_TYPE_DATE && b == SL_TYPE_INTERVAL) ||
         (a == SL_TYPE_INTERVAL && b == SL_TYPE_DATE)))
      return instant_add_iv;
    if (res == SL_TYPE_DATE && ((a == SL_TYPE_DATE && is_int_kind(b)) ||
                                (is_int_kind(a) && b == SL_TYPE_DATE)))
      return date_add_days;
    return NULL;
  case SL_OP_SUB:
    if (res == SL_TYPE_INTERVAL && a == SL_TYPE_INTERVAL &&
        b == SL_TYPE_INTERVAL)
      return i64_sub;
    if (res == SL_TYPE_TIMESTAMP && a == SL_TYPE_TIMESTAMP &&
        b == SL_TYPE_INTERVAL)
      return i64_sub;
    if (res == SL_TYPE_TIMESTAMP && a == SL_TYPE_DATE &&
        b == SL_TYPE_INTERVAL)
      return instant_sub_iv;
    if (res == SL_TYPE_INTERVAL && is_instant_kind(a) &&
        is_instant_kind(b))
      return instant_diff;
    if (is_int_kind(res) && a == SL_TYPE_DATE && b == SL_TYPE_DATE)
      return date_diff_days;
    if (res == SL_TYPE_DATE && a == SL_TYPE_DATE && is_int_kind(b))
      return date_sub_days;
    return NULL;
  case SL_OP_MUL:
    if (res != SL_TYPE_INTERVAL)
      return NULL;
    if ((a == SL_TYPE_INTERVAL && is_int_kind(b)) ||
        (is_int_kind(a) && b == SL_TYPE_INTERVAL))
      return iv_mul_int;
    if ((a == SL_TYPE_INTERVAL && b == SL_TYPE_DOUBLE) ||
        (a == SL_TYPE_DOUBLE && b == SL_TYPE_INTERVAL))
      return iv_mul_dbl;
    return NULL;
  case SL_OP_DIV:
    if (res != SL_TYPE_INTERVAL || a != SL_TYPE_INTERVAL)
      return NULL;
    if (is_int_kind(b))
      return iv_div_int;
    if (b == SL_TYPE_DOUBLE)
      return iv_div_dbl;
    return NULL;
  default:
    return NULL;
  }
}

/* The kernel of a binary arithmetic node (see expr_internal.h). */
sl_xkernel sl_xarith_kernel(sl_xnode *n, const sl_bexpr *e) {
  sl_type_kind res = n->type->kind;
  sl_type_kind a = n->kids[0]->type->kind, b = n->kids[1]->type->kind;

  if (res == SL_TYPE_DECIMAL) {
    bool ok = (a == SL_TYPE_DECIMAL || is_int_kind(a)) &&
              (b == SL_TYPE_DECIMAL || is_int_kind(b));
    if (!ok)
      return NULL;
    n->dec_p = n->type->precision;
    n->dec_s = n->type->scale;
    switch (e->op) {
    case SL_OP_ADD: return dec_add;
    case SL_OP_SUB: return dec_sub;
    case SL_OP_MUL: return dec_mul;
    case SL_OP_DIV: return dec_div;
    case SL_OP_MOD: return dec_mod;
    default: return NULL;
    }
  }

  if (a == res && b == res) {
    switch (res) {
    case SL_TYPE_INT:
      switch (e->op) {
      case SL_OP_ADD: return int_add;
      case SL_OP_SUB: return int_sub;
      case SL_OP_MUL: return int_mul;
      case SL_OP_DIV: return int_div;
      case SL_OP_MOD: return int_mod;
      default: return NULL;
      }
    case SL_TYPE_BIGINT:
      switch (e->op) {
      case SL_OP_ADD: return i64_add;
      case SL_OP_SUB: return i64_sub;
      case SL_OP_MUL: return bigint_mul;
      case SL_OP_DIV: return bigint_div;
      case SL_OP_MOD: return bigint_mod;
      default: return NULL;
      }
    case SL_TYPE_DOUBLE:
      switch (e->op) {
      case SL_OP_ADD: return dbl_add;
      case SL_OP_SUB: return dbl_sub;
      case SL_OP_MUL: return dbl_mul;
      case SL_OP_DIV: return dbl_div;
      case SL_OP_MOD: return dbl_mod;
      default: return NULL;
      }
    default:
      break;
    }
  }
  return temporal_kernel(e->op, a, b, res);
}

/* ---- Unary ------------------------------------------------------------ */

#define UNARY_KERNEL(name, ...)                                           \
  static sl_status name(sl_xnode *n, sl_xeval *ev, const int *sel,        \
                        int nsel) {                                        \
    sl_status rc = sl_xnode_eval_kids(n, ev, sel, nsel);                   \
    if (rc)                                                                \
      return rc;                                                           \
    const sl_value *A = n->kids[0]->out;                                   \
    sl_value *O = n->out;                                                  \
    for (int i = 0; i < nsel; i++) {                                       \
      int r = sel[i];                                                      \
      if (A[r].kind == SL_TYPE_NULL) {                                     \
        O[r] = sl_value_null();                                            \
        continue;                                                          \
      }                                                                    \
      __VA_ARGS__                                                           \
    }                                                                      \
    return SL_OK;                                                          \
  }

UNARY_KERNEL(int_neg, {
  if (A[r].u.i32 == INT32_MIN) {
    OVERFLOW("integer");
    continue;
  }
  O[r] = mk_int(-A[r].u.i32);
})
UNARY_KERNEL(i64_neg, {
  if (A[r].u.i64 == INT64_MIN) {
    OVERFLOW(kind_word(n->type->kind));
    continue;
  }
  O[r] = mk_i64((uint8_t)n->type->kind, -A[r].u.i64);
})
UNARY_KERNEL(dbl_neg, O[r] = mk_f64(-A[r].u.f64);)
UNARY_KERNEL(dec_neg, {
  O[r] = sl_value_decimal(-sl_value_decimal_get(&A[r]), A[r].scale);
})
UNARY_KERNEL(plus, O[r] = A[r];)
UNARY_KERNEL(bool_not, {
  sl_value v = {.kind = SL_TYPE_BOOLEAN, .u = {.b = !A[r].u.b}};
  O[r] = v;
})

/* The kernel of a unary node (see expr_internal.h). */
sl_xkernel sl_xunary_kernel(sl_xnode *n, const sl_bexpr *e) {
  sl_type_kind k = n->kids[0]->type->kind;
  switch (e->op) {
  case SL_OP_NOT:
    return k == SL_TYPE_BOOLEAN || k == SL_TYPE_NULL ? bool_not : NULL;
  case SL_OP_PLUS:
    return sl_type_is_numeric(n->kids[0]->type) || k == SL_TYPE_INTERVAL
               ? plus
               : NULL;
  case SL_OP_NEG:
    switch (k) {
    case SL_TYPE_INT: return int_neg;
    case SL_TYPE_BIGINT:
    case SL_TYPE_INTERVAL: return i64_neg;
    case SL_TYPE_DOUBLE: return dbl_neg;
    case SL_TYPE_DECIMAL: return dec_neg;
    default: return NULL;
    }
  default:
    return NULL;
  }
}
