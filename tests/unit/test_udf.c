/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for udf/loader: loading the example library from the build
 * tree, calling its scalar functions and its aggregate through the
 * registry, reference-counted unloading, --udf-dir preloading, and the
 * errors: a missing file, a library without the entry point, an ABI
 * mismatch, a malformed declaration, a missing function, a wrong
 * signature, and row errors reported by a UDF (reason "udf").
 *
 * The libraries' paths come from compile definitions set by CMake.
 */
/* RTLD_NOLOAD (is a library still mapped?) is a GNU extension. */
#define _GNU_SOURCE

#include "test_agg_util.h"

#include <dlfcn.h>
#include <stdint.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "sluice/udf.h"
#include "udf/loader.h"

#ifndef SLUICE_EXAMPLES_LIB
#error "SLUICE_EXAMPLES_LIB must name the example library"
#endif

static const sl_value NUL = {.kind = SL_TYPE_NULL};
static sl_value S(const char *s) { return sl_value_varchar(s, strlen(s)); }
static sl_value I(int32_t v) { return sl_value_int(v); }
static sl_value D(double v) { return sl_value_double(v); }

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- Fixtures ------------------------------------------------------------ */

typedef struct env {
  sl_func_registry *reg;
  sl_udf_loader *ld;
  sl_arena arena;
} env;

static void env_open(env *e) {
  e->reg = sl_func_registry_new(sl_func_registry_builtin());
  assert_non_null(e->reg);
  e->ld = sl_udf_loader_new(e->reg);
  assert_non_null(e->ld);
  sl_arena_init(&e->arena, 0);
}

static void env_close(env *e) {
  sl_udf_loader_free(e->ld);
  sl_func_registry_free(e->reg);
  sl_arena_destroy(&e->arena);
}

/* A catalog function record built on the stack: name(args) RETURNS ret
 * AS library [SYMBOL symbol].  Types are parsed from SQL text. */
typedef struct cfn {
  sl_catalog_function fn;
  sl_type *types[4];
} cfn;

static void cfn_make(cfn *c, bool aggregate, const char *name,
                     const char *args, const char *ret, const char *library,
                     const char *symbol) {
  memset(c, 0, sizeof(*c));
  sl_error err;
  char buf[256];
  snprintf(buf, sizeof(buf), "%s", args);
  for (char *tok = strtok(buf, ";"); tok; tok = strtok(NULL, ";")) {
    if (sl_type_from_sql(tok, &c->types[c->fn.nargs], &err) != SL_OK)
      fail_msg("bad type %s: %s", tok, err.message);
    c->fn.nargs++;
  }
  if (sl_type_from_sql(ret, &c->fn.returns, &err) != SL_OK)
    fail_msg("bad type %s: %s", ret, err.message);
  c->fn.name = (char *)name;
  c->fn.args = c->types;
  c->fn.aggregate = aggregate;
  c->fn.library = (char *)library;
  c->fn.symbol = (char *)symbol;
}

static void cfn_free(cfn *c) {
  for (int i = 0; i < c->fn.nargs; i++)
    sl_type_free(c->types[i]);
  sl_type_free(c->fn.returns);
}

/* Binds and fails the test on an error. */
static void bind_ok(env *e, bool aggregate, const char *name,
                    const char *args, const char *ret, const char *library,
                    const char *symbol) {
  cfn c;
  sl_error err;
  cfn_make(&c, aggregate, name, args, ret, library, symbol);
  if (sl_udf_bind(e->ld, &c.fn, &err) != SL_OK)
    fail_msg("binding %s failed: %s", name, err.message);
  cfn_free(&c);
}

/* Binds, expecting an error; returns it. */
static const sl_error *bind_fail(env *e, bool aggregate, const char *name,
                                 const char *args, const char *ret,
                                 const char *library, const char *symbol) {
  static sl_error err;
  cfn c;
  sl_error_clear(&err);
  cfn_make(&c, aggregate, name, args, ret, library, symbol);
  if (sl_udf_bind(e->ld, &c.fn, &err) == SL_OK)
    fail_msg("binding %s should fail", name);
  cfn_free(&c);
  return &err;
}

/* What one row of a scalar call gave. */
typedef struct row_out {
  char text[256];     /* the value's text, or "NULL" */
  const char *reason; /* NULL when the row succeeded */
  char message[256];
} row_out;

/* Calls name over nrows rows (columns cols) the way expressions do and
 * fills outs. */
static void call_rows(env *e, const char *name, int nargs,
                      const sl_type *const *types, const sl_value *const *cols,
                      int nrows, row_out *outs) {
  sl_func_resolved r;
  sl_error err;
  sl_error_clear(&err);
  if (sl_func_resolve(e->reg, name, nargs, types, &r, &err) != SL_OK)
    fail_msg("%s does not resolve: %s", name, err.message);
  sl_func_ctx ctx;
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  assert_int_equal(sl_func_ctx_prepare(&ctx, NULL, &err), SL_OK);
  sl_value *out = sl_arena_calloc(&e->arena, (size_t)nrows, sizeof(*out));
  assert_non_null(out);
  if (sl_func_eval(&ctx, cols, nrows, out, &e->arena, &err) != SL_OK)
    fail_msg("%s: batch failed: %s", name, err.message);
  for (int i = 0; i < nrows; i++) {
    row_out *o = &outs[i];
    memset(o, 0, sizeof(*o));
    if (ctx.errors && ctx.errors[i].reason) {
      o->reason = ctx.errors[i].reason;
      snprintf(o->message, sizeof(o->message), "%s", ctx.errors[i].message);
      if (out[i].kind != SL_TYPE_NULL)
        fail_msg("%s row %d failed but is not NULL", name, i);
    }
    if (out[i].kind == SL_TYPE_NULL) {
      snprintf(o->text, sizeof(o->text), "NULL");
    } else {
      sl_strbuf sb = SL_STRBUF_INIT;
      assert_int_equal(sl_format_text(&sb, &out[i], r.ret_type), SL_OK);
      snprintf(o->text, sizeof(o->text), "%s", sb.data);
      sl_strbuf_free(&sb);
    }
  }
  sl_func_ctx_destroy(&ctx);
  sl_func_resolved_free(&r);
}

/* One-argument calls over a column of values. */
static void call_col(env *e, const char *name, const sl_type *type,
                     const sl_value *col, int nrows, row_out *outs) {
  const sl_type *types[] = {type};
  const sl_value *cols[] = {col};
  call_rows(e, name, 1, types, cols, nrows, outs);
}

/* True when path is loaded in this process. */
static bool is_mapped(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
  if (!h)
    return false;
  dlclose(h);
  return true;
}

/* ---- The example library ------------------------------------------------- */

static void test_luhn_valid(void **state) {
  (void)state;
  env e;
  env_open(&e);
  bind_ok(&e, false, "luhn_valid", "VARCHAR", "BOOLEAN", SLUICE_EXAMPLES_LIB,
          NULL);
  sl_value col[] = {S("4111 1111 1111 1111"), S("4111111111111112"),
                    S("378282246310005"), S("6011-1111-1111-1117"),
                    S("79927398713"), S("4111x11111111111"), NUL, S("")};
  static const char *const want[] = {"true", "false", "true", "true",
                                     "false", "false", "NULL", "false"};
  row_out outs[N(col)];
  call_col(&e, "luhn_valid", sl_type_varchar(), col, N(col), outs);
  for (int i = 0; i < N(col); i++) {
    assert_null(outs[i].reason);
    if (strcmp(outs[i].text, want[i]) != 0)
      fail_msg("row %d: %s, want %s", i, outs[i].text, want[i]);
  }

  /* What SHOW FUNCTIONS and DESCRIBE FUNCTION see. */
  const sl_func *f = sl_func_lookup(e.reg, "LUHN_VALID");
  assert_non_null(f);
  assert_int_equal(f->kind, SL_FUNC_SCALAR);
  assert_int_equal(f->flags, SL_FUNC_USER);
  char doc[1024];
  snprintf(doc, sizeof(doc), "True when a 12 to 19 digit card number passes "
           "the Luhn check. (C function luhn_valid in %s)",
           SLUICE_EXAMPLES_LIB);
  assert_string_equal(f->doc, doc);
  char sig[256];
  assert_string_equal(sl_func_sig_format(f, &f->sigs[0], true, sig,
                                         sizeof(sig)),
                      "LUHN_VALID(VARCHAR) -> BOOLEAN");
  env_close(&e);
}

static void test_mcc_risk_batch(void **state) {
  (void)state;
  env e;
  env_open(&e);
  bind_ok(&e, false, "mcc_risk", "VARCHAR", "DOUBLE", SLUICE_EXAMPLES_LIB,
          NULL);
  sl_value col[] = {S("5411"), S("7995"), S("1234"), NUL, S("54a1"),
                    S("541"), S("4829")};
  static const char *const want[] = {"0.05", "0.95", "0.5", "NULL", "NULL",
                                     "NULL", "0.85"};
  row_out outs[N(col)];
  call_col(&e, "mcc_risk", sl_type_varchar(), col, N(col), outs);
  for (int i = 0; i < N(col); i++) {
    assert_null(outs[i].reason);
    if (strcmp(outs[i].text, want[i]) != 0)
      fail_msg("row %d: %s, want %s", i, outs[i].text, want[i]);
  }
  env_close(&e);
}

static void test_parse_amount_row_errors(void **state) {
  (void)state;
  env e;
  env_open(&e);
  bind_ok(&e, false, "parse_amount", "VARCHAR", "DECIMAL(12,2)",
          SLUICE_EXAMPLES_LIB, NULL);
  sl_value col[] = {S("12.34"), S(" -5 "), S("1000.5"), S("abc"),
                    S("1.234"), S("12345678901"), S("0."), NUL,
                    S("9999999999.99"), S("")};
  static const struct {
    const char *text;
    const char *message;
  } want[] = {
    {"12.34", NULL},
    {"-5.00", NULL},
    {"1000.50", NULL},
    {"NULL", "parse_amount: \"abc\" is not an amount"},
    {"NULL", "parse_amount: \"1.234\" has more than 2 decimal places"},
    {"NULL", "parse_amount: \"12345678901\" is too large for "
             "DECIMAL(12,2)"},
    {"0.00", NULL},
    {"NULL", NULL},
    {"9999999999.99", NULL},
    {"NULL", "parse_amount: \"\" is not an amount"},
  };
  row_out outs[N(col)];
  call_col(&e, "parse_amount", sl_type_varchar(), col, N(col), outs);
  for (int i = 0; i < N(col); i++) {
    if (strcmp(outs[i].text, want[i].text) != 0)
      fail_msg("row %d: %s, want %s", i, outs[i].text, want[i].text);
    if (!want[i].message) {
      if (outs[i].reason)
        fail_msg("row %d failed: %s", i, outs[i].message);
      continue;
    }
    if (!outs[i].reason)
      fail_msg("row %d should fail", i);
    assert_string_equal(outs[i].reason, "udf");
    assert_string_equal(outs[i].message, want[i].message);
  }
  env_close(&e);
}

static void test_weighted_avg_aggregate(void **state) {
  (void)state;
  env e;
  env_open(&e);
  bind_ok(&e, true, "weighted_avg", "DOUBLE;DOUBLE", "DOUBLE",
          SLUICE_EXAMPLES_LIB, NULL);
  const sl_func *f = sl_func_lookup(e.reg, "weighted_avg");
  assert_non_null(f);
  assert_int_equal(f->kind, SL_FUNC_AGGREGATE);
  assert_int_equal(f->flags, SL_FUNC_USER | SL_FUNC_SLIDING);

  const sl_type *types[] = {sl_type_double(), sl_type_double()};
  sl_func_resolved r;
  sl_error err;
  assert_int_equal(sl_func_resolve(e.reg, "weighted_avg", 2, types, &r,
                                   &err), SL_OK);
  sl_agg agg;
  assert_int_equal(sl_agg_open_resolved(&agg, &r, SL_AGG_SLIDING, NULL,
                                        &err), SL_OK);
  void *st = malloc(sl_agg_state_size(&agg));
  assert_non_null(st);
  assert_int_equal(sl_agg_state_init(&agg, st, &err), SL_OK);
  sl_value out;
  assert_int_equal(sl_agg_result(&agg, st, &e.arena, &out, &err), SL_OK);
  assert_int_equal(out.kind, SL_TYPE_NULL);

  /* (10, 1), (20, 3), a NULL value, a negative weight: the last fails
   * with reason "udf", the NULL row is skipped. */
  sl_value xs[] = {D(10), D(20), NUL, D(5)};
  sl_value ws[] = {D(1), D(3), D(5), D(-1)};
  const sl_value *cols[] = {xs, ws};
  assert_int_equal(sl_agg_add(&agg, st, cols, 4, NULL, NULL, &e.arena, &err),
                   SL_OK);
  assert_int_equal(agg.ctx.nerrors, 1);
  assert_string_equal(agg.ctx.errors[3].reason, "udf");
  assert_string_equal(agg.ctx.errors[3].message,
                      "weighted_avg: weight must be a non-negative number");
  assert_int_equal(sl_agg_result(&agg, st, &e.arena, &out, &err), SL_OK);
  assert_double_near(out.u.f64, 17.5, 0);

  /* Retract (10, 1): 60 / 3.  Merge (0, 4): 60 / 7. */
  assert_int_equal(sl_agg_retract(&agg, st, cols, 1, NULL, NULL, &e.arena,
                                  &err), SL_OK);
  assert_int_equal(sl_agg_result(&agg, st, &e.arena, &out, &err), SL_OK);
  assert_double_near(out.u.f64, 20, 0);
  void *other = malloc(sl_agg_state_size(&agg));
  assert_non_null(other);
  assert_int_equal(sl_agg_state_init(&agg, other, &err), SL_OK);
  sl_value x0[] = {D(0)}, w4[] = {D(4)};
  const sl_value *c2[] = {x0, w4};
  assert_int_equal(sl_agg_add(&agg, other, c2, 1, NULL, NULL, &e.arena,
                              &err), SL_OK);
  assert_int_equal(sl_agg_merge(&agg, st, other, &err), SL_OK);
  assert_int_equal(sl_agg_result(&agg, st, &e.arena, &out, &err), SL_OK);
  assert_double_near(out.u.f64, 60.0 / 7.0, 0);

  /* The state is its bytes: they read back, and a wrong size does not. */
  sl_strbuf sb = SL_STRBUF_INIT;
  assert_int_equal(sl_agg_serialize(&agg, st, &sb, &err), SL_OK);
  void *copy = malloc(sl_agg_state_size(&agg));
  assert_non_null(copy);
  assert_int_equal(sl_agg_deserialize(&agg, copy, sb.data, sb.len, &err),
                   SL_OK);
  assert_int_equal(sl_agg_result(&agg, copy, &e.arena, &out, &err), SL_OK);
  assert_double_near(out.u.f64, 60.0 / 7.0, 0);
  assert_int_equal(sl_agg_deserialize(&agg, copy, sb.data, sb.len - 1, &err),
                   SL_ERR_RUNTIME);
  assert_string_equal(err.message,
                      "the stored state of aggregate WEIGHTED_AVG is "
                      "corrupt");
  sl_strbuf_free(&sb);

  free(copy);
  free(other);
  free(st);
  sl_agg_close(&agg);
  sl_func_resolved_free(&r);
  env_close(&e);
}

/* ---- Binding ------------------------------------------------------------- */

static void test_symbol_and_refcount(void **state) {
  (void)state;
  env e;
  env_open(&e);
  assert_false(is_mapped(SLUICE_EXAMPLES_LIB));

  /* SYMBOL binds another SQL name; both functions share one library. */
  bind_ok(&e, false, "is_card", "VARCHAR", "BOOLEAN", SLUICE_EXAMPLES_LIB,
          "luhn_valid");
  bind_ok(&e, false, "mcc_risk", "VARCHAR", "DOUBLE", SLUICE_EXAMPLES_LIB,
          NULL);
  assert_int_equal(sl_udf_library_count(e.ld), 1);
  assert_true(is_mapped(SLUICE_EXAMPLES_LIB));
  sl_value col[] = {S("4111111111111111")};
  row_out out[1];
  call_col(&e, "is_card", sl_type_varchar(), col, 1, out);
  assert_string_equal(out[0].text, "true");

  /* The same binding again is a no-op; another one of that name is an
   * error. */
  bind_ok(&e, false, "is_card", "VARCHAR", "BOOLEAN", SLUICE_EXAMPLES_LIB,
          "luhn_valid");
  const sl_error *err = bind_fail(&e, false, "is_card", "VARCHAR", "DOUBLE",
                                  SLUICE_EXAMPLES_LIB, "mcc_risk");
  char want[1024];
  snprintf(want, sizeof(want), "function \"is_card\" is already bound to "
           "luhn_valid in UDF library \"%s\"", SLUICE_EXAMPLES_LIB);
  assert_string_equal(err->message, want);

  /* A built-in name cannot be taken. */
  err = bind_fail(&e, false, "abs", "VARCHAR", "BOOLEAN", SLUICE_EXAMPLES_LIB,
                  "luhn_valid");
  assert_string_equal(err->message, "function \"abs\" already exists");
  assert_int_equal(sl_udf_library_count(e.ld), 1);

  /* The library stays while one of its functions is registered. */
  sl_error uerr;
  assert_int_equal(sl_udf_unbind(e.ld, "IS_CARD", &uerr), SL_OK);
  assert_null(sl_func_lookup(e.reg, "is_card"));
  assert_int_equal(sl_udf_library_count(e.ld), 1);
  assert_true(is_mapped(SLUICE_EXAMPLES_LIB));
  assert_int_equal(sl_udf_unbind(e.ld, "mcc_risk", &uerr), SL_OK);
  assert_int_equal(sl_udf_library_count(e.ld), 0);
  assert_false(is_mapped(SLUICE_EXAMPLES_LIB));
  assert_int_equal(sl_udf_unbind(e.ld, "mcc_risk", &uerr), SL_ERR_SQL);
  assert_string_equal(uerr.message, "no C function \"mcc_risk\" is loaded");

  /* DROP FUNCTION may take the record out of the registry first; the
   * unbind then only releases the library. */
  bind_ok(&e, false, "mcc_risk", "VARCHAR", "DOUBLE", SLUICE_EXAMPLES_LIB,
          NULL);
  assert_int_equal(sl_func_unregister(e.reg, "mcc_risk", &uerr), SL_OK);
  assert_true(sl_udf_is_bound(e.ld, "mcc_risk"));
  assert_int_equal(sl_udf_unbind(e.ld, "mcc_risk", &uerr), SL_OK);
  assert_int_equal(sl_udf_library_count(e.ld), 0);
  assert_false(is_mapped(SLUICE_EXAMPLES_LIB));
  env_close(&e);
}

/* The binder registers CREATE FUNCTION's signature without an
 * implementation; binding replaces that record. */
static void test_replaces_signature_only_record(void **state) {
  (void)state;
  env e;
  env_open(&e);
  sl_func_def def;
  memset(&def, 0, sizeof(def));
  def.name = "luhn_valid";
  def.kind = SL_FUNC_SCALAR;
  def.flags = SL_FUNC_USER;
  def.doc = "user function";
  def.sigs[0].spec = "(VARCHAR) -> BOOLEAN";
  sl_error err;
  assert_int_equal(sl_func_register(e.reg, &def, NULL, &err), SL_OK);

  /* A failing bind leaves the record as it was. */
  bind_fail(&e, false, "luhn_valid", "VARCHAR", "BOOLEAN", "/nonexistent.so",
            NULL);
  const sl_func *f = sl_func_lookup(e.reg, "luhn_valid");
  assert_non_null(f);
  assert_null(f->sigs[0].scalar);

  bind_ok(&e, false, "luhn_valid", "VARCHAR", "BOOLEAN", SLUICE_EXAMPLES_LIB,
          NULL);
  f = sl_func_lookup(e.reg, "luhn_valid");
  assert_non_null(f->sigs[0].scalar);
  sl_value col[] = {S("4111111111111111")};
  row_out out[1];
  call_col(&e, "luhn_valid", sl_type_varchar(), col, 1, out);
  assert_string_equal(out[0].text, "true");

  /* Freeing the loader unregisters what it bound. */
  sl_udf_loader_free(e.ld);
  e.ld = sl_udf_loader_new(e.reg);
  assert_null(sl_func_lookup(e.reg, "luhn_valid"));
  env_close(&e);
}

/* ---- Errors -------------------------------------------------------------- */

static void test_load_errors(void **state) {
  (void)state;
  env e;
  env_open(&e);
  char want[2048];

  /* A missing file: dlerror's text. */
  const sl_error *err = bind_fail(&e, false, "f", "INT", "INT",
                                  "/nonexistent/libnope.so", NULL);
  assert_int_equal(err->code, SL_ERR_IO);
  const char *prefix =
      "cannot load UDF library \"/nonexistent/libnope.so\": ";
  assert_memory_equal(err->message, prefix, strlen(prefix));
  assert_non_null(strstr(err->message, "No such file or directory"));

  /* A shared object that is no UDF library. */
  err = bind_fail(&e, false, "broken", "INT", "INT", TEST_UDF_NOENTRY_LIB,
                  NULL);
  snprintf(want, sizeof(want), "\"%s\" is not a Sluice UDF library: it does "
           "not export sluice_udf_register", TEST_UDF_NOENTRY_LIB);
  assert_int_equal(err->code, SL_ERR_SQL);
  assert_string_equal(err->message, want);

  /* Built for another ABI version. */
  err = bind_fail(&e, false, "broken", "INT", "INT", TEST_UDF_BADABI_LIB,
                  NULL);
  snprintf(want, sizeof(want), "UDF library \"%s\" was built for UDF ABI "
           "version %d, but this Sluice implements version %d; rebuild it "
           "against sluice/udf.h", TEST_UDF_BADABI_LIB,
           SLUICE_UDF_ABI_VERSION + 1, SLUICE_UDF_ABI_VERSION);
  assert_string_equal(err->message, want);

  /* A declaration that does not parse. */
  err = bind_fail(&e, false, "broken", "INT", "INT", TEST_UDF_BADDECL_LIB,
                  NULL);
  snprintf(want, sizeof(want), "UDF library \"%s\", function \"broken\": bad "
           "return type \"NOT_A_TYPE\": ", TEST_UDF_BADDECL_LIB);
  assert_memory_equal(err->message, want, strlen(want));

  /* A function the library does not have. */
  err = bind_fail(&e, false, "nope", "INT", "INT", SLUICE_EXAMPLES_LIB, NULL);
  snprintf(want, sizeof(want), "UDF library \"%s\" has no function \"nope\" "
           "(it declares: luhn_valid, mcc_risk, parse_amount, weighted_avg)",
           SLUICE_EXAMPLES_LIB);
  assert_string_equal(err->message, want);

  /* Signatures that differ: a return type, an argument, the kind. */
  err = bind_fail(&e, false, "luhn_valid", "VARCHAR", "DOUBLE",
                  SLUICE_EXAMPLES_LIB, NULL);
  snprintf(want, sizeof(want), "function luhn_valid(VARCHAR) RETURNS DOUBLE "
           "does not match the signature luhn_valid(VARCHAR) RETURNS BOOLEAN "
           "declared by UDF library \"%s\"", SLUICE_EXAMPLES_LIB);
  assert_string_equal(err->message, want);
  err = bind_fail(&e, false, "pa", "VARCHAR", "DECIMAL(12,3)",
                  SLUICE_EXAMPLES_LIB, "parse_amount");
  snprintf(want, sizeof(want), "function pa(VARCHAR) RETURNS DECIMAL(12,3) "
           "does not match the signature parse_amount(VARCHAR) RETURNS "
           "DECIMAL(12,2) declared by UDF library \"%s\"",
           SLUICE_EXAMPLES_LIB);
  assert_string_equal(err->message, want);
  err = bind_fail(&e, false, "weighted_avg", "DOUBLE;DOUBLE", "DOUBLE",
                  SLUICE_EXAMPLES_LIB, NULL);
  snprintf(want, sizeof(want), "function weighted_avg(DOUBLE, DOUBLE) RETURNS "
           "DOUBLE does not match the signature AGGREGATE weighted_avg("
           "DOUBLE, DOUBLE) RETURNS DOUBLE declared by UDF library \"%s\"",
           SLUICE_EXAMPLES_LIB);
  assert_string_equal(err->message, want);

  /* Nothing stays loaded or registered after a failure. */
  assert_int_equal(sl_udf_library_count(e.ld), 0);
  assert_false(is_mapped(SLUICE_EXAMPLES_LIB));
  assert_null(sl_func_lookup(e.reg, "luhn_valid"));
  env_close(&e);
}

/* ---- The host side of calls ---------------------------------------------- */

static void test_probe_results_and_errors(void **state) {
  (void)state;
  env e;
  env_open(&e);
  int n;
  sl_error err;
  if (sl_udf_load_library(e.ld, TEST_UDF_PROBE_LIB, &n, &err) != SL_OK)
    fail_msg("probe library: %s", err.message);
  assert_int_equal(n, 9);

  /* Results in scratch memory are copied out. */
  sl_value words[] = {S("hello"), S(""), NUL};
  row_out o[3];
  call_col(&e, "echo_upper", sl_type_varchar(), words, 3, o);
  assert_string_equal(o[0].text, "HELLO");
  assert_string_equal(o[1].text, "");
  assert_string_equal(o[2].text, "NULL");

  /* Results the engine cannot take fail their row, reason "udf". */
  sl_value ints[] = {I(1), I(2), I(-4), NUL};
  row_out r[4];
  call_col(&e, "bad_kind", sl_type_int(), ints, 1, r);
  assert_string_equal(r[0].reason, "udf");
  assert_string_equal(r[0].message,
                      "bad_kind: returned INT, but is declared to return "
                      "BOOLEAN");
  call_col(&e, "bad_utf8", sl_type_int(), ints, 1, r);
  assert_string_equal(r[0].message,
                      "bad_utf8: returned a VARCHAR that is not valid UTF-8");
  call_col(&e, "silent_fail", sl_type_int(), ints, 2, r);
  assert_string_equal(r[0].message, "silent_fail: failed without a message");
  assert_null(r[1].reason);
  assert_string_equal(r[1].text, "2");

  /* DECIMAL results are rounded to the declared scale and checked. */
  sl_value cents[] = {I(125), I(-125), I(999999)};
  call_col(&e, "rounding", sl_type_int(), cents, 3, r);
  assert_string_equal(r[0].text, "1.3");
  assert_string_equal(r[1].text, "-1.3");
  assert_string_equal(r[2].message,
                      "rounding: returned a DECIMAL that does not fit "
                      "DECIMAL(5,1)");

  /* Batch entry points: row errors, NULLs not computed. */
  call_col(&e, "batch_double", sl_type_int(), ints, 4, r);
  assert_string_equal(r[0].text, "2");
  assert_string_equal(r[1].text, "4");
  assert_string_equal(r[2].reason, "udf");
  assert_string_equal(r[2].message, "batch_double: negative input");
  assert_string_equal(r[3].text, "NULL");
  assert_null(r[3].reason);

  /* CALLED_ON_NULL sees its NULL arguments. */
  sl_value a[] = {NUL, I(1), NUL}, b[] = {NUL, S("x"), S("y")};
  const sl_type *types[] = {sl_type_int(), sl_type_varchar()};
  const sl_value *cols[] = {a, b};
  call_rows(&e, "null_count", 2, types, cols, 3, r);
  assert_string_equal(r[0].text, "2");
  assert_string_equal(r[1].text, "0");
  assert_string_equal(r[2].text, "1");
  assert_int_equal(sl_func_lookup(e.reg, "null_count")->flags,
                   SL_FUNC_USER | SL_FUNC_NULL_CALL);

  /* Nondeterminism is declared; zero arguments work. */
  const sl_func *rn = sl_func_lookup(e.reg, "row_number_udf");
  assert_int_equal(rn->flags, SL_FUNC_USER | SL_FUNC_NONDETERMINISTIC);
  call_rows(&e, "row_number_udf", 0, NULL, NULL, 3, r);
  assert_string_equal(r[2].text, "2");
  env_close(&e);
}

static void test_probe_aggregate_errors(void **state) {
  (void)state;
  env e;
  env_open(&e);
  sl_error err;
  if (sl_udf_load_library(e.ld, TEST_UDF_PROBE_LIB, NULL, &err) != SL_OK)
    fail_msg("probe library: %s", err.message);
  const sl_type *types[] = {sl_type_int()};
  sl_func_resolved r;
  assert_int_equal(sl_func_resolve(e.reg, "picky_sum", 1, types, &r, &err),
                   SL_OK);
  sl_agg agg;
  assert_int_equal(sl_agg_open_resolved(&agg, &r, SL_AGG_SLIDING, NULL,
                                        &err), SL_ERR_SQL);
  assert_string_equal(err.message, "PICKY_SUM cannot be computed over a "
                      "sliding window (OVER ... RANGE)");
  sl_agg_close(&agg);
  assert_int_equal(sl_agg_open_resolved(&agg, &r, 0, NULL, &err), SL_OK);
  size_t size = sl_agg_state_size(&agg);
  void *a = malloc(size), *b = malloc(size);
  assert_non_null(a);
  assert_non_null(b);
  assert_int_equal(sl_agg_state_init(&agg, a, &err), SL_OK);
  assert_int_equal(sl_agg_state_init(&agg, b, &err), SL_OK);

  /* init ran (the marker 7); the event time reaches add; a negative row
   * fails alone. */
  sl_value col[] = {I(1), I(-1), I(2)};
  int64_t ts[] = {0, 0, 5};
  const sl_value *cols[] = {col};
  assert_int_equal(sl_agg_add(&agg, a, cols, 3, NULL, ts, &e.arena, &err),
                   SL_OK);
  assert_int_equal(agg.ctx.nerrors, 1);
  assert_string_equal(agg.ctx.errors[1].reason, "udf");
  assert_string_equal(agg.ctx.errors[1].message,
                      "picky_sum: negative rows are not allowed");
  sl_value out;
  assert_int_equal(sl_agg_result(&agg, a, &e.arena, &out, &err), SL_OK);
  assert_int_equal(out.u.i64, 87);

  /* A result at 13 fails with the library's message... */
  sl_value five[] = {I(5)};
  const sl_value *fc[] = {five};
  assert_int_equal(sl_agg_add(&agg, b, fc, 1, NULL, NULL, &e.arena, &err),
                   SL_OK);
  assert_int_equal(sl_agg_merge(&agg, b, a, &err), SL_OK);
  assert_int_equal(sl_agg_result(&agg, b, &e.arena, &out, &err),
                   SL_ERR_RECORD);
  assert_string_equal(err.reason, "udf");
  assert_string_equal(err.message, "picky_sum: unlucky");

  /* ... and so does a merge past 100. */
  sl_value big[] = {I(95)};
  const sl_value *bc[] = {big};
  assert_int_equal(sl_agg_add(&agg, a, bc, 1, NULL, NULL, &e.arena, &err),
                   SL_OK);
  assert_int_equal(sl_agg_merge(&agg, b, a, &err), SL_ERR_RECORD);
  assert_string_equal(err.reason, "udf");
  assert_string_equal(err.message, "picky_sum: merged sum past 100");

  free(a);
  free(b);
  sl_agg_close(&agg);
  sl_func_resolved_free(&r);
  env_close(&e);
}

/* ---- --udf-dir ----------------------------------------------------------- */

static void test_load_dir(void **state) {
  (void)state;
  env e;
  env_open(&e);
  char *dir = test_tmpdir();
  assert_non_null(dir);
  char path[1024];
  snprintf(path, sizeof(path), "%s/libsluice_examples.so", dir);
  assert_int_equal(symlink(SLUICE_EXAMPLES_LIB, path), 0);
  snprintf(path, sizeof(path), "%s/probe.so", dir);
  assert_int_equal(symlink(TEST_UDF_PROBE_LIB, path), 0);
  snprintf(path, sizeof(path), "%s/notes.txt", dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("not a library\n", fp);
  fclose(fp);

  int n;
  sl_error err;
  if (sl_udf_load_dir(e.ld, dir, &n, &err) != SL_OK)
    fail_msg("load_dir: %s", err.message);
  assert_int_equal(n, 4 + 9);
  assert_int_equal(sl_udf_library_count(e.ld), 2);
  assert_true(sl_udf_is_bound(e.ld, "weighted_avg"));
  assert_true(sl_udf_is_bound(e.ld, "picky_sum"));

  /* A bare library name is found in the folder; binding what is already
   * loaded under the same name is a no-op, also via the real path. */
  bind_ok(&e, false, "luhn_valid", "VARCHAR", "BOOLEAN",
          "libsluice_examples.so", NULL);
  bind_ok(&e, false, "luhn_valid", "VARCHAR", "BOOLEAN", SLUICE_EXAMPLES_LIB,
          NULL);
  assert_int_equal(sl_udf_library_count(e.ld), 2);
  sl_value col[] = {S("4111111111111111")};
  row_out out[1];
  call_col(&e, "luhn_valid", sl_type_varchar(), col, 1, out);
  assert_string_equal(out[0].text, "true");

  /* Loading the same folder again registers nothing new. */
  assert_int_equal(sl_udf_load_dir(e.ld, dir, &n, &err), SL_OK);
  assert_int_equal(n, 0);
  env_close(&e);

  /* A folder with a bad library: the error names it, nothing stays. */
  env_open(&e);
  snprintf(path, sizeof(path), "%s/zz_bad.so", dir);
  assert_int_equal(symlink(TEST_UDF_BADABI_LIB, path), 0);
  assert_int_equal(sl_udf_load_dir(e.ld, dir, &n, &err), SL_ERR_SQL);
  char want[2048];
  snprintf(want, sizeof(want), "UDF library \"%s\" was built for UDF ABI "
           "version", path);
  assert_memory_equal(err.message, want, strlen(want));
  assert_int_equal(sl_udf_library_count(e.ld), 0);
  assert_null(sl_func_lookup(e.reg, "luhn_valid"));

  /* A folder that is not there. */
  assert_int_equal(sl_udf_load_dir(e.ld, "/nonexistent/udfs", &n, &err),
                   SL_ERR_IO);
  assert_string_equal(err.message, "cannot read UDF folder "
                      "\"/nonexistent/udfs\": No such file or directory");
  env_close(&e);
  test_rmtree(dir);
  free(dir);
}

/* ---- The header's helpers ---------------------------------------------- */

static void test_header_helpers(void **state) {
  (void)state;
  sluice_udf_value v;
  int64_t unscaled;
  int scale;
  sluice_udf_set_decimal(&v, -125, 2);
  assert_true(sluice_udf_get_decimal(&v, &unscaled, &scale));
  assert_int_equal(unscaled, -125);
  assert_int_equal(scale, 2);
  assert_double_near(sluice_udf_decimal_to_double(&v), -1.25, 1e-15);
  sluice_udf_set_decimal(&v, -1, 0);
  assert_double_near(sluice_udf_decimal_to_double(&v), -1, 0);
  sluice_udf_set_decimal(&v, INT64_MIN, 0);
  assert_true(sluice_udf_get_decimal(&v, &unscaled, &scale));
  assert_true(unscaled == INT64_MIN);

  /* 2^64 + 5 and its negation need all 128 bits. */
  sluice_udf_set_decimal128(&v, 5, 1, 0);
  assert_false(sluice_udf_get_decimal(&v, &unscaled, &scale));
  assert_double_near(sluice_udf_decimal_to_double(&v),
                     18446744073709551621.0, 1e4);
  sluice_udf_set_decimal128(&v, UINT64_MAX - 4, -2, 1);
  assert_double_near(sluice_udf_decimal_to_double(&v),
                     -1844674407370955162.1, 1e3);

  /* Results start NULL; setters replace everything. */
  sluice_udf_set_varchar(&v, "abc", 3);
  assert_int_equal(v.kind, SLUICE_UDF_VARCHAR);
  size_t len;
  assert_memory_equal(sluice_udf_get_text(&v, &len), "abc", 3);
  assert_int_equal(len, 3);
  sluice_udf_set_null(&v);
  assert_true(sluice_udf_is_null(&v));
  assert_int_equal(v.len, 0);

  /* Composite access over the engine's own values. */
  sl_value items[] = {S("k1"), I(1), S("k2"), I(2)};
  sl_value map = sl_value_composite(SL_TYPE_MAP, items, 2);
  const sluice_udf_value *m = (const sluice_udf_value *)(const void *)&map;
  assert_int_equal(sluice_udf_length(m), 2);
  assert_int_equal(sluice_udf_get_int(sluice_udf_map_value(m, 1)), 2);
  assert_memory_equal(sluice_udf_get_text(sluice_udf_map_key(m, 1), &len),
                      "k2", 2);
  sl_value arr = sl_value_composite(SL_TYPE_ARRAY, items, 4);
  const sluice_udf_value *a = (const sluice_udf_value *)(const void *)&arr;
  assert_int_equal(sluice_udf_get_int(sluice_udf_item(a, 3)), 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_luhn_valid),
    cmocka_unit_test(test_mcc_risk_batch),
    cmocka_unit_test(test_parse_amount_row_errors),
    cmocka_unit_test(test_weighted_avg_aggregate),
    cmocka_unit_test(test_symbol_and_refcount),
    cmocka_unit_test(test_replaces_signature_only_record),
    cmocka_unit_test(test_load_errors),
    cmocka_unit_test(test_probe_results_and_errors),
    cmocka_unit_test(test_probe_aggregate_errors),
    cmocka_unit_test(test_load_dir),
    cmocka_unit_test(test_header_helpers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
