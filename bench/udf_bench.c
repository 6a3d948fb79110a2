/* SPDX-License-Identifier: Apache-2.0 */
/*
 * udf_bench.c - what calling a C UDF costs beside a built-in doing the
 * same work, on one core.
 *
 * The example library (udf/examples) is loaded with the UDF loader and
 * two of its functions are called through the function registry the way
 * a query's expressions call them: sl_func_eval over batches of 1024
 * rows.  Each is paired with a twin that runs the library's algorithm,
 * line for line, but is registered the way a built-in is: a batch
 * function over sl_value columns, with no library in between.  Same
 * inputs, same results (checked), same work, so the difference between
 * the two is what the UDF path adds:
 *   luhn_valid   the per-row entry point: one indirect call per row,
 *                and each result checked and copied by the host
 *   mcc_risk     the batch entry point: one call per batch, plus the
 *                host's live-row mask, result array and the same check
 * A real built-in over the same card numbers, LENGTH(VARCHAR), is shown
 * for scale.  Prints calls per second (every row is a call) and ns per
 * call for each, and for each pair the ratio and the ns a call costs
 * more; process CPU time, fastest of the rounds, the cases of a round
 * run one after the other in the same process.
 *
 *   bench_udf [--rows N] [--rounds R] [--library PATH] [--quick]
 *
 * Exits 1 when a UDF and its twin disagree on any row.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "engine/common/log.h"
#include "udf/builtins.h"
#include "udf/call.h"
#include "udf/loader.h"
#include "udf/registry.h"

#ifndef SLUICE_EXAMPLES_LIB
#error "SLUICE_EXAMPLES_LIB must name the example library"
#endif

#define BATCH_ROWS 1024

/* ------------------------------------------------------------------ */
/* Input                                                               */
/* ------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* The Luhn check digit that makes digits[0..n) followed by it valid. */
static int luhn_check_digit(const int *digits, int n) {
  int sum = 0;
  for (int i = n - 1, k = 1; i >= 0; i--, k++) {
    int d = digits[i];
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum += d;
  }
  return (10 - sum % 10) % 10;
}

/* Merchant category codes drawn for the input: most in the library's
 * table, some not (0.5), some not four digits (NULL). */
static const char *const mcc_codes[] = {
  "5411", "5812", "4111", "6011", "7995", "5999", "5732", "4829",
  "1234", "0000", "541",  "54a1", "7011", "5944", "5814", "4511"};

typedef struct input {
  int nrows;
  char *text;      /* the card numbers' bytes */
  sl_value *cards; /* VARCHAR: 16 digits, a quarter of them written in
                      groups of four; half pass the check; 1 in 64 NULL */
  sl_value *mccs;  /* VARCHAR codes; 1 in 64 NULL */
} input;

static void input_make(input *in, int nrows) {
  in->nrows = nrows;
  in->text = malloc((size_t)nrows * 20);
  in->cards = malloc(sizeof(sl_value) * (size_t)nrows);
  in->mccs = malloc(sizeof(sl_value) * (size_t)nrows);
  if (!in->text || !in->cards || !in->mccs) {
    fprintf(stderr, "bench_udf: out of memory\n");
    exit(1);
  }
  for (int r = 0; r < nrows; r++) {
    int digits[16];
    for (int i = 0; i < 15; i++)
      digits[i] = (int)(rng() % 10);
    digits[15] = luhn_check_digit(digits, 15);
    if (r % 2 == 1)
      digits[15] = (digits[15] + 1) % 10;
    char *s = in->text + (size_t)r * 20;
    size_t len = 0;
    for (int i = 0; i < 16; i++) {
      if (r % 4 == 0 && i > 0 && i % 4 == 0)
        s[len++] = ' ';
      s[len++] = (char)('0' + digits[i]);
    }
    in->cards[r] = r % 64 == 63 ? sl_value_null() : sl_value_varchar(s, len);
    const char *code = mcc_codes[rng() % 16];
    in->mccs[r] = r % 64 == 31 ? sl_value_null()
                               : sl_value_varchar(code, strlen(code));
  }
}

static void input_free(input *in) {
  free(in->text);
  free(in->cards);
  free(in->mccs);
}

/* ------------------------------------------------------------------ */
/* The built-in twins                                                  */
/* ------------------------------------------------------------------ */

/* luhn_valid of udf/examples/sluice_examples.c over one string. */
static bool luhn_one(const char *s, size_t len) {
  int digits[19];
  int n = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == ' ' || c == '-')
      continue;
    if (c < '0' || c > '9' || n == 19)
      return false;
    digits[n++] = c - '0';
  }
  if (n < 12)
    return false;
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
  return sum % 10 == 0;
}

static sl_status luhn_builtin(sl_func_ctx *ctx, int nargs,
                              const sl_value *const *args, int nrows,
                              sl_value *out, sl_error *err) {
  (void)ctx;
  (void)err;
  for (int r = 0; r < nrows; r++) {
    if (sl_func_any_null(nargs, args, r)) {
      out[r] = sl_value_null();
      continue;
    }
    out[r] = sl_value_bool(luhn_one(args[0][r].u.str, args[0][r].len));
  }
  return SL_OK;
}

/* The library's MCC table, with the same scores. */
static const struct {
  int code;
  double risk;
} mcc_table[] = {
  {4111, 0.10}, {4121, 0.20}, {4511, 0.35}, {4814, 0.30}, {4829, 0.85},
  {5311, 0.15}, {5411, 0.05}, {5541, 0.25}, {5732, 0.55}, {5812, 0.10},
  {5814, 0.08}, {5912, 0.12}, {5944, 0.60}, {5967, 0.80}, {5999, 0.40},
  {6011, 0.65}, {6051, 0.90}, {7011, 0.30}, {7995, 0.95},
};

/* mcc_risk of the library over one value: NULL unless four digits. */
static sl_value mcc_one(const sl_value *code) {
  const char *s = code->u.str;
  if (code->len != 4)
    return sl_value_null();
  int c = 0;
  for (int i = 0; i < 4; i++) {
    if (s[i] < '0' || s[i] > '9')
      return sl_value_null();
    c = c * 10 + (s[i] - '0');
  }
  int lo = 0, hi = (int)(sizeof(mcc_table) / sizeof(mcc_table[0])) - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (mcc_table[mid].code == c)
      return sl_value_double(mcc_table[mid].risk);
    if (mcc_table[mid].code < c)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return sl_value_double(0.5);
}

static sl_status mcc_builtin(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err) {
  (void)ctx;
  (void)err;
  for (int r = 0; r < nrows; r++)
    out[r] = sl_func_any_null(nargs, args, r) ? sl_value_null()
                                              : mcc_one(&args[0][r]);
  return SL_OK;
}

static const sl_func_def twins[] = {
  {.name = "LUHN_VALID_BUILTIN",
   .doc = "luhn_valid of the example library, as a built-in.",
   .example = "LUHN_VALID_BUILTIN('4111 1111 1111 1111') = TRUE",
   .sigs = {{.spec = "(VARCHAR) -> BOOLEAN", .scalar = luhn_builtin}}},
  {.name = "MCC_RISK_BUILTIN",
   .doc = "mcc_risk of the example library, as a built-in.",
   .example = "MCC_RISK_BUILTIN('5411') = 0.05",
   .sigs = {{.spec = "(VARCHAR) -> DOUBLE", .scalar = mcc_builtin}}},
};

/* ------------------------------------------------------------------ */
/* Calling                                                             */
/* ------------------------------------------------------------------ */

static void die(const char *what, const sl_error *err) {
  fprintf(stderr, "bench_udf: %s: %s\n", what, err->message);
  exit(1);
}

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One call site of a one-argument function over a column. */
typedef struct site {
  const char *label;
  const char *func;
  const sl_value *col;
  sl_func_resolved res;
  sl_func_ctx ctx;
  double best;   /* fastest round, CPU seconds */
  double digest; /* what the results add up to, per round */
} site;

static void site_open(site *s, const sl_func_registry *reg,
                      const char *label, const char *func,
                      const sl_value *col) {
  sl_error err;
  const sl_type *types[] = {sl_type_varchar()};
  memset(s, 0, sizeof(*s));
  s->label = label;
  s->func = func;
  s->col = col;
  s->best = -1;
  if (sl_func_resolve(reg, func, 1, types, &s->res, &err))
    die(func, &err);
  sl_func_ctx_init(&s->ctx, s->res.func, s->res.sig, s->res.nargs,
                   s->res.arg_types, s->res.ret_type);
  if (sl_func_ctx_prepare(&s->ctx, NULL, &err))
    die(func, &err);
}

static void site_close(site *s) {
  sl_func_ctx_destroy(&s->ctx);
  sl_func_resolved_free(&s->res);
}

/* The value of one result for the digest: a count of TRUE, a sum of
 * scores, a count of rows for LENGTH; NULL counts for nothing. */
static double result_weight(const sl_value *v) {
  switch (v->kind) {
  case SL_TYPE_BOOLEAN:
    return v->u.b ? 1 : 0;
  case SL_TYPE_DOUBLE:
    return v->u.f64;
  case SL_TYPE_INT:
    return v->u.i32;
  default:
    return 0;
  }
}

/* Evaluates the whole column in batches; keeps the time when it is the
 * fastest so far and the digest of the results.  With results non-NULL,
 * copies every row's result there (for the comparison of the pairs). */
static void site_run(site *s, int nrows, sl_arena *arena, sl_value *out,
                     sl_value *results) {
  sl_error err;
  double digest = 0;
  double t0 = cpu_seconds();
  for (int start = 0; start < nrows; start += BATCH_ROWS) {
    int n = nrows - start < BATCH_ROWS ? nrows - start : BATCH_ROWS;
    const sl_value *cols[] = {s->col + start};
    sl_arena_reset(arena);
    if (sl_func_eval(&s->ctx, cols, n, out, arena, &err))
      die(s->label, &err);
    if (s->ctx.nerrors) {
      fprintf(stderr, "bench_udf: %s: %d rows failed\n", s->label,
              s->ctx.nerrors);
      exit(1);
    }
    for (int r = 0; r < n; r++)
      digest += result_weight(&out[r]);
    if (results)
      memcpy(results + start, out, sizeof(*out) * (size_t)n);
  }
  double t = cpu_seconds() - t0;
  if (s->best < 0 || t < s->best)
    s->best = t;
  s->digest = digest;
}

/* Fails unless both result columns hold the same values row by row. */
static void check_same(const site *a, const site *b, const sl_value *ra,
                       const sl_value *rb, int nrows) {
  for (int r = 0; r < nrows; r++) {
    bool same = ra[r].kind == rb[r].kind &&
                (ra[r].kind == SL_TYPE_NULL ||
                 (ra[r].kind == SL_TYPE_BOOLEAN && ra[r].u.b == rb[r].u.b) ||
                 (ra[r].kind == SL_TYPE_DOUBLE &&
                  ra[r].u.f64 == rb[r].u.f64));
    if (!same) {
      fprintf(stderr, "bench_udf: %s and %s differ at row %d\n", a->label,
              b->label, r);
      exit(1);
    }
  }
}

static void print_site(const site *s, int nrows) {
  printf("%-34s %14.0f %9.2f\n", s->label, nrows / s->best,
         s->best * 1e9 / nrows);
}

static void print_ratio(const site *udf, const site *twin, int nrows) {
  printf("  ratio C UDF / built-in %.2f; the UDF path adds %.2f ns per "
         "call\n", udf->best / twin->best,
         (udf->best - twin->best) * 1e9 / nrows);
}

static int parse_count(const char *opt, const char *text) {
  char *end;
  long v = strtol(text, &end, 10);
  if (*end || v < 1 || v > 100000000) {
    fprintf(stderr, "bench_udf: %s must be a number from 1 to 100000000, "
            "not \"%s\"\n", opt, text);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char **argv) {
  int nrows = 1 << 20, rounds = 7;
  const char *library = SLUICE_EXAMPLES_LIB;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      nrows = 16 * BATCH_ROWS;
      rounds = 1;
    } else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
      nrows = parse_count("--rows", argv[++i]);
    } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = parse_count("--rounds", argv[++i]);
    } else if (strcmp(argv[i], "--library") == 0 && i + 1 < argc) {
      library = argv[++i];
    } else {
      fprintf(stderr, "usage: bench_udf [--rows N] [--rounds R] "
              "[--library PATH] [--quick]\n");
      return 2;
    }
  }

  /* The library's "loaded" line is not part of the report. */
  sl_log_set_level(SL_LOG_WARN);

  /* The session's layout: user functions over the built-ins. */
  sl_error err;
  sl_func_registry *reg = sl_func_registry_new(sl_func_registry_builtin());
  sl_udf_loader *ld = reg ? sl_udf_loader_new(reg) : NULL;
  if (!ld) {
    fprintf(stderr, "bench_udf: out of memory\n");
    return 1;
  }
  sl_type *varchar[] = {sl_type_varchar()};
  sl_catalog_function luhn_fn = {.name = "luhn_valid", .nargs = 1,
                                 .args = varchar,
                                 .returns = sl_type_boolean(),
                                 .library = (char *)library};
  sl_catalog_function mcc_fn = {.name = "mcc_risk", .nargs = 1,
                                .args = varchar,
                                .returns = sl_type_double(),
                                .library = (char *)library};
  if (sl_udf_bind(ld, &luhn_fn, &err))
    die("luhn_valid", &err);
  if (sl_udf_bind(ld, &mcc_fn, &err))
    die("mcc_risk", &err);
  for (size_t i = 0; i < sizeof(twins) / sizeof(twins[0]); i++)
    if (sl_func_register(reg, &twins[i], NULL, &err))
      die(twins[i].name, &err);

  input in;
  input_make(&in, nrows);
  enum { LUHN_UDF, LUHN_BUILTIN, MCC_UDF, MCC_BUILTIN, LENGTH, NSITES };
  site sites[NSITES];
  site_open(&sites[LUHN_UDF], reg, "luhn_valid C UDF (per row)",
            "luhn_valid", in.cards);
  site_open(&sites[LUHN_BUILTIN], reg, "luhn_valid as a built-in",
            "luhn_valid_builtin", in.cards);
  site_open(&sites[MCC_UDF], reg, "mcc_risk C UDF (batch entry)",
            "mcc_risk", in.mccs);
  site_open(&sites[MCC_BUILTIN], reg, "mcc_risk as a built-in",
            "mcc_risk_builtin", in.mccs);
  site_open(&sites[LENGTH], reg, "LENGTH built-in (for scale)", "length",
            in.cards);

  /* First the results, row by row: the pairs do the same work. */
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_value *out = malloc(sizeof(sl_value) * BATCH_ROWS);
  sl_value *ra = malloc(sizeof(sl_value) * (size_t)nrows);
  sl_value *rb = malloc(sizeof(sl_value) * (size_t)nrows);
  if (!out || !ra || !rb) {
    fprintf(stderr, "bench_udf: out of memory\n");
    return 1;
  }
  for (int p = LUHN_UDF; p <= MCC_UDF; p += 2) {
    site_run(&sites[p], nrows, &arena, out, ra);
    site_run(&sites[p + 1], nrows, &arena, out, rb);
    check_same(&sites[p], &sites[p + 1], ra, rb, nrows);
    sites[p].best = sites[p + 1].best = -1;
  }
  site_run(&sites[LENGTH], nrows, &arena, out, NULL);
  sites[LENGTH].best = -1;

  /* Then the rounds, every case in each round, the fastest kept. */
  for (int round = 0; round < rounds; round++)
    for (int i = 0; i < NSITES; i++) {
      site_run(&sites[i], nrows, &arena, out, NULL);
      if (i % 2 == 1 && sites[i].digest != sites[i - 1].digest) {
        fprintf(stderr, "bench_udf: %s and %s disagree\n",
                sites[i - 1].label, sites[i].label);
        return 1;
      }
    }

  printf("C UDF call overhead: %d rows in batches of %d, fastest of %d "
         "rounds (process CPU time, one thread)\n", nrows, BATCH_ROWS,
         rounds);
  printf("Each UDF of the example library is paired with a built-in twin "
         "running the\nsame code on the same rows; the difference is the "
         "cost of the UDF path.\n");
  printf("%-34s %14s %9s\n", "function", "calls/s", "ns/call");
  print_site(&sites[LUHN_UDF], nrows);
  print_site(&sites[LUHN_BUILTIN], nrows);
  print_ratio(&sites[LUHN_UDF], &sites[LUHN_BUILTIN], nrows);
  print_site(&sites[MCC_UDF], nrows);
  print_site(&sites[MCC_BUILTIN], nrows);
  print_ratio(&sites[MCC_UDF], &sites[MCC_BUILTIN], nrows);
  print_site(&sites[LENGTH], nrows);

  for (int i = 0; i < NSITES; i++)
    site_close(&sites[i]);
  free(out);
  free(ra);
  free(rb);
  sl_arena_destroy(&arena);
  input_free(&in);
  sl_udf_loader_free(ld);
  sl_func_registry_free(reg);
  return 0;
}
