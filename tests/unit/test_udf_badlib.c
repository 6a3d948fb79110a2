/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_udf_badlib.c - UDF libraries for the loader tests, built from
 * this one file in several variants (TEST_UDF_VARIANT):
 *
 *   1  built for the next ABI version (must be refused)
 *   2  exports no sluice_udf_register
 *   3  declares a function with a malformed return type
 *   4  a probe library: functions that exercise the host side (scratch
 *      memory, wrong result kinds, invalid UTF-8, silent failures, NULL
 *      arguments, DECIMAL rescaling, batch row errors, an aggregate that
 *      fails its add, merge and result)
 */
#include <string.h>

#include "sluice/udf.h"

#ifndef TEST_UDF_VARIANT
#error "TEST_UDF_VARIANT must be defined"
#endif

#if TEST_UDF_VARIANT == 4

/* ASCII upper case, into scratch memory. */
static int echo_upper(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                      sluice_udf_value *result) {
  size_t len;
  const char *s = sluice_udf_get_text(&args[0], &len);
  char *buf = sluice_udf_scratch(ctx, len);
  if (!buf)
    return SLUICE_UDF_NOMEM;
  for (size_t i = 0; i < len; i++)
    buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
  sluice_udf_set_varchar(result, buf, len);
  return SLUICE_UDF_OK;
}

/* Declared BOOLEAN, returns INT. */
static int bad_kind(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                    sluice_udf_value *result) {
  sluice_udf_set_int(result, sluice_udf_get_int(&args[0]));
  return SLUICE_UDF_OK;
}

/* Returns a byte that is not UTF-8. */
static int bad_utf8(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                    sluice_udf_value *result) {
  sluice_udf_set_varchar(result, "ok\xff", 3);
  return SLUICE_UDF_OK;
}

/* Fails odd values without saying why. */
static int silent_fail(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                       sluice_udf_value *result) {
  int32_t v = sluice_udf_get_int(&args[0]);
  if (v % 2)
    return SLUICE_UDF_ERROR;
  sluice_udf_set_int(result, v);
  return SLUICE_UDF_OK;
}

/* Called on NULLs too: counts them. */
static int null_count(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                      sluice_udf_value *result) {
  int n = 0;
  for (int i = 0; i < ctx->nargs; i++)
    n += sluice_udf_is_null(&args[i]);
  sluice_udf_set_int(result, n);
  return SLUICE_UDF_OK;
}

/* v / 100 at scale 2, declared DECIMAL(5,1): rounded to one place. */
static int rounding(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                    sluice_udf_value *result) {
  sluice_udf_set_decimal(result, sluice_udf_get_int(&args[0]), 2);
  return SLUICE_UDF_OK;
}

/* The row index, to see a zero-argument nondeterministic call. */
static int row_number(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                      sluice_udf_value *result) {
  sluice_udf_set_bigint(result, ctx->row);
  return SLUICE_UDF_OK;
}

/* Doubles its argument, per batch; negative values fail their row. */
static int batch_double(sluice_udf_ctx *ctx, int nrows,
                        const sluice_udf_value *const *args,
                        const bool *live, sluice_udf_value *results) {
  for (int r = 0; r < nrows; r++) {
    if (!live[r])
      continue;
    int32_t v = sluice_udf_get_int(&args[0][r]);
    if (v < 0)
      sluice_udf_row_error(ctx, r, "negative input");
    else
      sluice_udf_set_int(&results[r], v * 2);
  }
  return SLUICE_UDF_OK;
}

/* A sum that refuses negative rows, fails its result at 13 and its merge
 * past 100. */
typedef struct picky_state {
  int64_t sum;
  int64_t init_marker;
} picky_state;

static void picky_init(sluice_udf_ctx *ctx, void *state) {
  ((picky_state *)state)->init_marker = 7;
}

static int picky_add(sluice_udf_ctx *ctx, void *state,
                     const sluice_udf_value *args) {
  int32_t v = sluice_udf_get_int(&args[0]);
  if (v < 0) {
    sluice_udf_error(ctx, "negative rows are not allowed");
    return SLUICE_UDF_ERROR;
  }
  ((picky_state *)state)->sum += v + ctx->event_time;
  return SLUICE_UDF_OK;
}

static int picky_merge(sluice_udf_ctx *ctx, void *state, const void *other) {
  picky_state *a = state;
  const picky_state *b = other;
  if (a->sum + b->sum > 100) {
    sluice_udf_error(ctx, "merged sum past 100");
    return SLUICE_UDF_ERROR;
  }
  a->sum += b->sum;
  return SLUICE_UDF_OK;
}

static int picky_result(sluice_udf_ctx *ctx, const void *state,
                        sluice_udf_value *result) {
  const picky_state *st = state;
  if (st->sum == 13) {
    sluice_udf_error(ctx, "unlucky");
    return SLUICE_UDF_ERROR;
  }
  sluice_udf_set_bigint(result, st->sum * 10 + st->init_marker);
  return SLUICE_UDF_OK;
}

static const sluice_udf_aggregate picky = {
  .state_size = sizeof(picky_state),
  .init = picky_init,
  .add = picky_add,
  .merge = picky_merge,
  .result = picky_result,
};

#define SCALAR(n, args, ret, fn)                                         \
  {.name = n, .arg_types = args, .return_type = ret,                     \
   .kind = SLUICE_UDF_SCALAR, .flags = SLUICE_UDF_DETERMINISTIC,         \
   .scalar = fn}

static const sluice_udf_function functions[] = {
  SCALAR("echo_upper", "VARCHAR", "VARCHAR", echo_upper),
  SCALAR("bad_kind", "INT", "BOOLEAN", bad_kind),
  SCALAR("bad_utf8", "INT", "VARCHAR", bad_utf8),
  SCALAR("silent_fail", "INT", "INT", silent_fail),
  {.name = "null_count", .arg_types = "INT, VARCHAR", .return_type = "INT",
   .kind = SLUICE_UDF_SCALAR,
   .flags = SLUICE_UDF_DETERMINISTIC | SLUICE_UDF_CALLED_ON_NULL,
   .scalar = null_count},
  SCALAR("rounding", "INT", "DECIMAL(5,1)", rounding),
  {.name = "row_number_udf", .arg_types = "", .return_type = "BIGINT",
   .kind = SLUICE_UDF_SCALAR, .flags = SLUICE_UDF_NONDETERMINISTIC,
   .scalar = row_number},
  {.name = "batch_double", .arg_types = "INT", .return_type = "INT",
   .kind = SLUICE_UDF_SCALAR, .flags = SLUICE_UDF_DETERMINISTIC,
   .batch = batch_double},
  {.name = "picky_sum", .arg_types = "INT", .return_type = "BIGINT",
   .kind = SLUICE_UDF_AGGREGATE, .flags = SLUICE_UDF_DETERMINISTIC,
   .aggregate = &picky},
};

#else

static int identity(sluice_udf_ctx *ctx, const sluice_udf_value *args,
                    sluice_udf_value *result) {
  *result = args[0];
  return SLUICE_UDF_OK;
}

static const sluice_udf_function functions[] = {
  {.name = "broken",
   .arg_types = "INT",
#if TEST_UDF_VARIANT == 3
   .return_type = "NOT_A_TYPE",
#else
   .return_type = "INT",
#endif
   .kind = SLUICE_UDF_SCALAR,
   .flags = SLUICE_UDF_DETERMINISTIC,
   .scalar = identity},
};

#endif

static const sluice_udf_library library = {
#if TEST_UDF_VARIANT == 1
  .abi_version = SLUICE_UDF_ABI_VERSION + 1,
#else
  .abi_version = SLUICE_UDF_ABI_VERSION,
#endif
  .name = "test_udf_badlib",
  .nfunctions = (int)(sizeof(functions) / sizeof(functions[0])),
  .functions = functions,
};

#if TEST_UDF_VARIANT == 2
/* The entry point under a name Sluice does not look for. */
SLUICE_UDF_EXPORT const sluice_udf_library *
not_the_entry_point(uint32_t host_abi_version) {
  (void)host_abi_version;
  return &library;
}
#else
SLUICE_UDF_EXPORT const sluice_udf_library *
sluice_udf_register(uint32_t host_abi_version) {
  (void)host_abi_version;
  return &library;
}
#endif
