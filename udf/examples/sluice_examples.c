/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sluice_examples.c - an example UDF library for Sluice's payment
 * scenarios, built only against sluice/udf.h.
 *
 *   luhn_valid(VARCHAR) -> BOOLEAN          does a card number pass the
 *                                           Luhn checksum?
 *   mcc_risk(VARCHAR) -> DOUBLE             a risk score for a merchant
 *                                           category code (batch entry)
 *   parse_amount(VARCHAR) -> DECIMAL(12,2)  text to money; a row error
 *                                           for text that is no amount
 *   weighted_avg(DOUBLE, DOUBLE) -> DOUBLE  an aggregate: sum(x*w)/sum(w),
 *                                           with merge and retract
 *
 * Build it on its own with
 *
 *   cc -std=c17 -O2 -shared -fPIC -I SLUICE/include \
 *      -o libsluice_examples.so sluice_examples.c
 *
 * and register it in SQL (see docs/udf.md):
 *
 *   CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
 *     LANGUAGE C AS 'libsluice_examples.so';
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sluice/udf.h"

/* ------------------------------------------------------------------ */
/* luhn_valid                                                          */
/* ------------------------------------------------------------------ */

/* Card numbers have 12 to 19 digits; spaces and dashes between them are
 * allowed ("4111 1111 1111 1111").  Anything else is not a card number,
 * so the answer is false rather than an error. */
static int luhn_valid(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                      sluice_udf_value *result) {
  (void)ctx;
  size_t len;
  const char *s = sluice_udf_get_text(&args[0], &len);
  int digits[19];
  int n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == ' ' || c == '-')
      continue;
    if (c < '0' || c > '9' || n == 19) {
      sluice_udf_set_bool(result, false);
      return SLUICE_UDF_OK;
    }
    digits[n++] = c - '0';
  }
  if (n < 12) {
    sluice_udf_set_bool(result, false);
    return SLUICE_UDF_OK;
  }

  /* From the right, every second digit is doubled (minus 9 above 9);
   * the total of all digits must end in 0. */
  int sum = 0;
  for (int i = n - 1, k = 0; i >= 0; i--, k++) {
    int d = digits[i];
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
  }
  sluice_udf_set_bool(result, sum % 10 == 0);
  return SLUICE_UDF_OK;
}

/* ------------------------------------------------------------------ */
/* mcc_risk                                                            */
/* ------------------------------------------------------------------ */

/* Merchant category codes (ISO 18245) with an illustrative risk score,
 * sorted by code. */
static const struct {
  int code;
  double risk;
} mcc_table[] = {
  {4111, 0.10}, /* commuter transport */
  {4121, 0.20}, /* taxis and limousines */
  {4511, 0.35}, /* airlines */
  {4814, 0.30}, /* telecommunication services */
  {4829, 0.85}, /* wire transfers and money orders */
  {5311, 0.15}, /* department stores */
  {5411, 0.05}, /* grocery stores and supermarkets */
  {5541, 0.25}, /* service stations */
  {5732, 0.55}, /* electronics stores */
  {5812, 0.10}, /* restaurants */
  {5814, 0.08}, /* fast food */
  {5912, 0.12}, /* drug stores and pharmacies */
  {5944, 0.60}, /* jewelry and watches */
  {5967, 0.80}, /* direct marketing, inbound telemarketing */
  {5999, 0.40}, /* miscellaneous retail */
  {6011, 0.65}, /* ATM cash withdrawals */
  {6051, 0.90}, /* quasi-cash: money orders, crypto, travellers cheques */
  {7011, 0.30}, /* hotels and resorts */
  {7995, 0.95}, /* betting and gambling */
};

/* The score of a code not in the table. */
#define MCC_UNKNOWN_RISK 0.5

/* The risk of one code: NULL unless the text is exactly four digits. */
static void mcc_one(const sluice_udf_value *code, sluice_udf_value *out) {
  size_t len;
  const char *s = sluice_udf_get_text(code, &len);
  if (len != 4)
    return;
  int c = 0;
  for (size_t i = 0; i < 4; i++) {
    if (s[i] < '0' || s[i] > '9')
      return;
    c = c * 10 + (s[i] - '0');
  }
  int lo = 0, hi = (int)(sizeof(mcc_table) / sizeof(mcc_table[0])) - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (mcc_table[mid].code == c) {
      sluice_udf_set_double(out, mcc_table[mid].risk);
      return;
    }
    if (mcc_table[mid].code < c)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  sluice_udf_set_double(out, MCC_UNKNOWN_RISK);
}

/* The batch entry point: one call for a whole batch of rows. */
static int mcc_risk_batch(sluice_udf_ctx *ctx, int nrows,
                          const sluice_udf_value *const *args,
                          const bool *live, sluice_udf_value *results) {
  (void)ctx;
  for (int r = 0; r < nrows; r++)
    if (live[r])
      mcc_one(&args[0][r], &results[r]);
  return SLUICE_UDF_OK;
}

/* ------------------------------------------------------------------ */
/* parse_amount                                                        */
/* ------------------------------------------------------------------ */

/* "12.34", "-5", " 1000.5 " as DECIMAL(12,2): at most 10 digits before
 * the point and 2 after it.  Anything else fails the row, which then
 * goes to the stream's error policy (the dead-letter topic by default)
 * with reason "udf". */
static int parse_amount(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                        sluice_udf_value *result) {
  size_t len;
  const char *s = sluice_udf_get_text(&args[0], &len);
  char msg[128];
  int shown = len > 40 ? 40 : (int)len;
  size_t i = 0, end = len;
  while (i < end && s[i] == ' ')
    i++;
  while (end > i && s[end - 1] == ' ')
    end--;

  bool negative = false;
  if (i < end && (s[i] == '-' || s[i] == '+'))
    negative = s[i++] == '-';
  int64_t units = 0;
  int int_digits = 0, frac_digits = 0;
  bool point = false, any_digit = false;
  for (; i < end; i++) {
    char c = s[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') {
      snprintf(msg, sizeof(msg), "\"%.*s\" is not an amount", shown, s);
      sluice_udf_error(ctx, msg);
      return SLUICE_UDF_ERROR;
    }
    if (point && ++frac_digits > 2) {
      snprintf(msg, sizeof(msg), "\"%.*s\" has more than 2 decimal places",
               shown, s);
      sluice_udf_error(ctx, msg);
      return SLUICE_UDF_ERROR;
    }
    if (!point && (int_digits > 0 || c != '0') && ++int_digits > 10) {
      snprintf(msg, sizeof(msg), "\"%.*s\" is too large for "
               "DECIMAL(12,2)", shown, s);
      sluice_udf_error(ctx, msg);
      return SLUICE_UDF_ERROR;
    }
    units = units * 10 + (c - '0');
    any_digit = true;
  }
  if (!any_digit) {
    snprintf(msg, sizeof(msg), "\"%.*s\" is not an amount", shown, s);
    sluice_udf_error(ctx, msg);
    return SLUICE_UDF_ERROR;
  }
  for (; frac_digits < 2; frac_digits++)
    units *= 10;
  sluice_udf_set_decimal(result, negative ? -units : units, 2);
  return SLUICE_UDF_OK;
}

/* ------------------------------------------------------------------ */
/* weighted_avg                                                        */
/* ------------------------------------------------------------------ */

/* The state is plain numbers: Sluice stores and checkpoints its bytes. */
typedef struct wavg_state {
  double sum_wx;
  double sum_w;
  int64_t n;
} wavg_state;

/* A weight must be a non-negative number; the row fails otherwise and
 * the state stays as it was. */
static int wavg_add(sluice_udf_ctx *ctx, void *state,
                    const sluice_udf_value *args) {
  wavg_state *st = state;
  double x = sluice_udf_get_double(&args[0]);
  double w = sluice_udf_get_double(&args[1]);
  if (!(w >= 0) || isinf(w)) {
    sluice_udf_error(ctx, "weight must be a non-negative number");
    return SLUICE_UDF_ERROR;
  }
  st->sum_wx += x * w;
  st->sum_w += w;
  st->n++;
  return SLUICE_UDF_OK;
}

/* Sliding windows: the reverse of add (only rows add accepted come
 * back). */
static int wavg_retract(sluice_udf_ctx *ctx, void *state,
                        const sluice_udf_value *args) {
  (void)ctx;
  wavg_state *st = state;
  double x = sluice_udf_get_double(&args[0]);
  double w = sluice_udf_get_double(&args[1]);
  st->sum_wx -= x * w;
  st->sum_w -= w;
  if (--st->n == 0) {
    st->sum_wx = 0; /* no rounding residue in an empty window */
    st->sum_w = 0;
  }
  return SLUICE_UDF_OK;
}

static int wavg_merge(sluice_udf_ctx *ctx, void *state, const void *other) {
  (void)ctx;
  wavg_state *a = state;
  const wavg_state *b = other;
  a->sum_wx += b->sum_wx;
  a->sum_w += b->sum_w;
  a->n += b->n;
  return SLUICE_UDF_OK;
}

/* NULL while the weights add up to nothing. */
static int wavg_result(sluice_udf_ctx *ctx, const void *state,
                       sluice_udf_value *result) {
  (void)ctx;
  const wavg_state *st = state;
  if (st->n > 0 && st->sum_w > 0)
    sluice_udf_set_double(result, st->sum_wx / st->sum_w);
  return SLUICE_UDF_OK;
}

static const sluice_udf_aggregate wavg = {
  .state_size = sizeof(wavg_state),
  .add = wavg_add,
  .retract = wavg_retract,
  .merge = wavg_merge,
  .result = wavg_result,
};

/* ------------------------------------------------------------------ */
/* The declaration table                                               */
/* ------------------------------------------------------------------ */

static const sluice_udf_function functions[] = {
  {.name = "luhn_valid",
   .arg_types = "VARCHAR",
   .return_type = "BOOLEAN",
   .kind = SLUICE_UDF_SCALAR,
   .flags = SLUICE_UDF_DETERMINISTIC,
   .doc = "True when a 12 to 19 digit card number passes the Luhn check.",
   .scalar = luhn_valid},
  {.name = "mcc_risk",
   .arg_types = "VARCHAR",
   .return_type = "DOUBLE",
   .kind = SLUICE_UDF_SCALAR,
   .flags = SLUICE_UDF_DETERMINISTIC,
   .doc = "A risk score in [0, 1] for a four-digit merchant category code "
          "(0.5 when unknown).",
   .batch = mcc_risk_batch},
  {.name = "parse_amount",
   .arg_types = "VARCHAR",
   .return_type = "DECIMAL(12,2)",
   .kind = SLUICE_UDF_SCALAR,
   .flags = SLUICE_UDF_DETERMINISTIC,
   .doc = "Text such as '12.34' as an amount; other text fails the row.",
   .scalar = parse_amount},
  {.name = "weighted_avg",
   .arg_types = "DOUBLE, DOUBLE",
   .return_type = "DOUBLE",
   .kind = SLUICE_UDF_AGGREGATE,
   .flags = SLUICE_UDF_DETERMINISTIC,
   .doc = "The average of x weighted by w: sum(x * w) / sum(w).",
   .aggregate = &wavg},
};

static const sluice_udf_library library = {
  .abi_version = SLUICE_UDF_ABI_VERSION,
  .name = "sluice_examples",
  .nfunctions = (int)(sizeof(functions) / sizeof(functions[0])),
  .functions = functions,
};

/* The one symbol Sluice looks for. */
SLUICE_UDF_EXPORT const sluice_udf_library *
sluice_udf_register(uint32_t host_abi_version) {
  (void)host_abi_version;
  return &library;
}
