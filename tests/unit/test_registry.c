/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for udf/registry: the built-in function records, the
 * signature language, resolution with implicit casts, the error messages
 * the binder shows, user registration and listing.
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

#include "engine/types/types.h"
#include "engine/types/value.h"
#include "udf/registry.h"

static const sl_func_registry *builtin(void) {
  const sl_func_registry *reg = sl_func_registry_builtin();
  assert_non_null(reg);
  return reg;
}

/* Resolves name(types...) and returns the return type's SQL spelling
 * (static buffer); targets (optional) receives the target types joined
 * by ", ". */
static const char *resolve_ok(const char *name, int nargs,
                              const sl_type *const *types, char *targets,
                              size_t size) {
  static char ret[SL_TYPE_SQL_MAX];
  sl_func_resolved r;
  sl_error err;
  sl_error_clear(&err);
  if (sl_func_resolve(builtin(), name, nargs, types, &r, &err) != SL_OK)
    fail_msg("%s does not resolve: %s", name, err.message);
  sl_type_to_sql(r.ret_type, ret, sizeof(ret));
  if (targets) {
    targets[0] = '\0';
    for (int i = 0; i < nargs; i++) {
      char t[SL_TYPE_SQL_MAX];
      strncat(targets, i ? ", " : "", size - strlen(targets) - 1);
      strncat(targets, sl_type_to_sql(r.arg_types[i], t, sizeof(t)),
              size - strlen(targets) - 1);
    }
  }
  sl_func_resolved_free(&r);
  return ret;
}

/* The error message of a call that must not resolve. */
static const char *resolve_error(const sl_func_registry *reg,
                                 const char *name, int nargs,
                                 const sl_type *const *types) {
  static sl_error err;
  sl_func_resolved r;
  sl_error_clear(&err);
  if (sl_func_resolve(reg, name, nargs, types, &r, &err) == SL_OK) {
    sl_func_resolved_free(&r);
    fail_msg("%s resolved but should not", name);
  }
  assert_int_equal(err.code, SL_ERR_SQL);
  assert_null(r.func);
  return err.message;
}

static void test_every_builtin_is_registered(void **state) {
  (void)state;
  static const char *const names[] = {
    "abs", "round", "floor", "ceil", "sqrt", "power", "exp", "ln", "log10",
    "sign", "greatest", "least", "length", "lower", "upper", "trim",
    "ltrim", "rtrim", "substring", "replace", "split", "concat",
    "regexp_like", "regexp_extract", "regexp_replace", "lpad", "rpad",
    "starts_with", "coalesce", "nullif", "ifnull", "now", "date_trunc",
    "format_timestamp", "parse_timestamp", "hour_of_day", "day_of_week",
    "geo_distance", "json_value", "json_array_length", "to_json", "hash",
    "sha256", "hmac_sha256", "mask", "array_length", "array_contains",
    "map_keys", "count", "sum", "avg", "min", "max", "stddev",
    "stddev_pop", "first", "last", "topk", "collect_list", "lag",
    "row_number", "rank", "lead", "predict", "standardize", "one_hot",
    "bucketize",
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (!sl_func_lookup(builtin(), names[i]))
      fail_msg("built-in %s is missing", names[i]);

  /* Lookup ignores case. */
  assert_ptr_equal(sl_func_lookup(builtin(), "Regexp_Like"),
                   sl_func_lookup(builtin(), "REGEXP_LIKE"));
  assert_null(sl_func_lookup(builtin(), "nope"));
  assert_ptr_equal(sl_func_registry_builtin(), builtin());
}

static void test_kinds_and_flags(void **state) {
  (void)state;
  const sl_func_registry *reg = builtin();
  assert_int_equal(sl_func_lookup(reg, "abs")->kind, SL_FUNC_SCALAR);
  assert_int_equal(sl_func_lookup(reg, "count")->kind, SL_FUNC_AGGREGATE);
  assert_int_equal(sl_func_lookup(reg, "collect_list")->kind,
                   SL_FUNC_AGGREGATE);
  assert_int_equal(sl_func_lookup(reg, "lag")->kind, SL_FUNC_WINDOW);
  assert_int_equal(sl_func_lookup(reg, "row_number")->kind, SL_FUNC_WINDOW);
  assert_int_equal(sl_func_lookup(reg, "lead")->kind, SL_FUNC_WINDOW);
  assert_int_equal(sl_func_lookup(reg, "standardize")->kind,
                   SL_FUNC_FEATURE);
  assert_int_equal(sl_func_lookup(reg, "one_hot")->kind, SL_FUNC_FEATURE);
  assert_int_equal(sl_func_lookup(reg, "bucketize")->kind, SL_FUNC_FEATURE);
  assert_int_equal(sl_func_lookup(reg, "predict")->kind, SL_FUNC_MODEL);
  assert_string_equal(sl_func_kind_name(SL_FUNC_FEATURE),
                      "feature transform");
  assert_string_equal(sl_func_kind_name(SL_FUNC_WINDOW), "window");

  assert_true(sl_func_lookup(reg, "now")->flags & SL_FUNC_NONDETERMINISTIC);
  assert_false(sl_func_lookup(reg, "abs")->flags &
               SL_FUNC_NONDETERMINISTIC);
  assert_true(sl_func_lookup(reg, "coalesce")->flags & SL_FUNC_NULL_CALL);
  assert_true(sl_func_lookup(reg, "concat")->flags & SL_FUNC_NULL_CALL);
  assert_false(sl_func_lookup(reg, "upper")->flags & SL_FUNC_NULL_CALL);
  assert_true(sl_func_lookup(reg, "count")->flags & SL_FUNC_STAR);
  assert_true(sl_func_lookup(reg, "count")->flags & SL_FUNC_DISTINCT);
  assert_true(sl_func_lookup(reg, "stddev")->flags & SL_FUNC_SLIDING);
  assert_false(sl_func_lookup(reg, "topk")->flags & SL_FUNC_SLIDING);

  /* TOPK's k and LAG's offset must be constants. */
  const sl_func *topk = sl_func_lookup(reg, "topk");
  assert_false(topk->sigs[0].params[0].constant);
  assert_true(topk->sigs[0].params[1].constant);
  assert_true(sl_func_lookup(reg, "lag")->sigs[0].params[1].constant);
}

/* Every function documents itself, and every scalar signature has an
 * implementation, while the others leave evaluation to their operators. */
static void test_listing_docs_and_implementations(void **state) {
  (void)state;
  const sl_func **all;
  int n;
  sl_error err;
  assert_int_equal(sl_func_registry_list(builtin(), &all, &n, &err), SL_OK);
  assert_true(n >= 67);
  for (int i = 0; i < n; i++) {
    const sl_func *f = all[i];
    if (i > 0 && strcmp(all[i - 1]->name, f->name) >= 0)
      fail_msg("listing not sorted at %s", f->name);
    if (!f->doc[0] || !f->example[0])
      fail_msg("%s lacks documentation or an example", f->name);
    for (int s = 0; s < f->nsigs; s++) {
      bool has = f->sigs[s].scalar != NULL;
      if (has != (f->kind == SL_FUNC_SCALAR))
        fail_msg("%s signature %d: scalar implementation %s", f->name, s,
                 has ? "on a non-scalar" : "missing");
    }
  }
  free(all);
}

static void test_signature_display(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int sig;
    const char *text;
  } cases[] = {
    {"round", 0, "ROUND(DOUBLE [, INT]) -> DOUBLE"},
    {"round", 1, "ROUND(DECIMAL [, INT]) -> DECIMAL"},
    {"abs", 2, "ABS(DECIMAL) -> DECIMAL"},
    {"lag", 0, "LAG(T [, INT [, T]]) -> T"},
    {"concat", 0, "CONCAT(ANY...) -> VARCHAR"},
    {"greatest", 0, "GREATEST(T...) -> T"},
    {"predict", 0, "PREDICT([ANY...]) -> DOUBLE"},
    {"count", 0, "COUNT(*) -> BIGINT"},
    {"count", 1, "COUNT(ANY) -> BIGINT"},
    {"map_keys", 0, "MAP_KEYS(MAP<VARCHAR, ANY>) -> ARRAY<VARCHAR>"},
    {"array_contains", 0, "ARRAY_CONTAINS(ARRAY<T>, T) -> BOOLEAN"},
    {"split", 0, "SPLIT(VARCHAR, VARCHAR) -> ARRAY<VARCHAR>"},
    {"bucketize", 0, "BUCKETIZE(NUMERIC, ARRAY<DOUBLE>) -> INT"},
    {"now", 0, "NOW() -> TIMESTAMP"},
    {"geo_distance", 0,
     "GEO_DISTANCE(DOUBLE, DOUBLE, DOUBLE, DOUBLE [, VARCHAR]) -> DOUBLE"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const sl_func *f = sl_func_lookup(builtin(), cases[i].name);
    char buf[256];
    assert_non_null(f);
    assert_true(cases[i].sig < f->nsigs);
    assert_string_equal(
        sl_func_sig_format(f, &f->sigs[cases[i].sig], true, buf,
                           sizeof(buf)),
        cases[i].text);
  }

  /* Truncation keeps the buffer terminated. */
  const sl_func *f = sl_func_lookup(builtin(), "round");
  char small[8];
  assert_string_equal(sl_func_sig_format(f, &f->sigs[0], true, small,
                                         sizeof(small)),
                      "ROUND(D");
}

static void test_resolve_numeric_ladder(void **state) {
  (void)state;
  char t[256];
  sl_type *dec62 = sl_type_new_decimal(6, 2);
  sl_type *dec102 = sl_type_new_decimal(10, 2);

  /* ROUND: DOUBLE stays DOUBLE, integers go the cheaper way to DECIMAL. */
  const sl_type *d1[] = {sl_type_double()};
  assert_string_equal(resolve_ok("round", 1, d1, t, sizeof(t)), "DOUBLE");
  assert_string_equal(t, "DOUBLE");
  const sl_type *i1[] = {sl_type_int()};
  assert_string_equal(resolve_ok("ROUND", 1, i1, t, sizeof(t)),
                      "DECIMAL(11,0)");
  assert_string_equal(t, "DECIMAL(10,0)");
  const sl_type *b1[] = {sl_type_bigint()};
  assert_string_equal(resolve_ok("round", 1, b1, t, sizeof(t)),
                      "DECIMAL(20,0)");
  assert_string_equal(t, "DECIMAL(19,0)");
  const sl_type *dec_i[] = {dec62, sl_type_int()};
  assert_string_equal(resolve_ok("round", 2, dec_i, t, sizeof(t)),
                      "DECIMAL(7,2)");
  assert_string_equal(t, "DECIMAL(6,2), INT");
  const sl_type *n1[] = {sl_type_null()};
  assert_string_equal(resolve_ok("round", 1, n1, t, sizeof(t)), "DOUBLE");

  /* ABS keeps each exact type. */
  assert_string_equal(resolve_ok("abs", 1, i1, NULL, 0), "INT");
  assert_string_equal(resolve_ok("abs", 1, b1, NULL, 0), "BIGINT");
  const sl_type *dec1[] = {dec62};
  assert_string_equal(resolve_ok("abs", 1, dec1, NULL, 0), "DECIMAL(6,2)");
  assert_string_equal(resolve_ok("floor", 1, dec1, NULL, 0),
                      "DECIMAL(5,0)");
  assert_string_equal(resolve_ok("sign", 1, b1, NULL, 0), "INT");

  /* SQRT of an INT casts it to DOUBLE. */
  assert_string_equal(resolve_ok("sqrt", 1, i1, t, sizeof(t)), "DOUBLE");
  assert_string_equal(t, "DOUBLE");

  /* Aggregates' return types. */
  assert_string_equal(resolve_ok("sum", 1, i1, t, sizeof(t)), "BIGINT");
  assert_string_equal(t, "INT");
  assert_string_equal(resolve_ok("avg", 1, i1, t, sizeof(t)), "DOUBLE");
  assert_string_equal(t, "BIGINT");
  const sl_type *dec10[] = {dec102};
  assert_string_equal(resolve_ok("sum", 1, dec10, NULL, 0),
                      "DECIMAL(38,2)");
  assert_string_equal(resolve_ok("avg", 1, dec10, NULL, 0),
                      "DECIMAL(38,6)");
  assert_string_equal(resolve_ok("stddev", 1, dec10, t, sizeof(t)),
                      "DOUBLE");
  assert_string_equal(t, "DOUBLE");
  assert_string_equal(resolve_ok("count", 0, NULL, NULL, 0), "BIGINT");
  const sl_type *v1[] = {sl_type_varchar()};
  assert_string_equal(resolve_ok("count", 1, v1, NULL, 0), "BIGINT");
  assert_string_equal(resolve_ok("max", 1, v1, NULL, 0), "VARCHAR");
  const sl_type *topk[] = {sl_type_varchar(), sl_type_int()};
  assert_string_equal(resolve_ok("topk", 2, topk, NULL, 0),
                      "ARRAY<VARCHAR>");
  assert_string_equal(resolve_ok("collect_list", 1, b1, NULL, 0),
                      "ARRAY<BIGINT>");
  assert_string_equal(resolve_ok("row_number", 0, NULL, NULL, 0), "BIGINT");
  const sl_type *lag[] = {sl_type_int(), sl_type_int(), sl_type_bigint()};
  assert_string_equal(resolve_ok("lag", 3, lag, t, sizeof(t)), "BIGINT");
  assert_string_equal(t, "BIGINT, INT, BIGINT");

  sl_type_free(dec62);
  sl_type_free(dec102);
}

/* The scale of ROUND(DECIMAL, d) follows a constant d. */
static void test_resolve_with_constants(void **state) {
  (void)state;
  sl_type *dec63 = sl_type_new_decimal(6, 3);
  const sl_type *types[] = {dec63, sl_type_int()};
  sl_value one = sl_value_int(1), five = sl_value_int(5);
  sl_value minus = sl_value_int(-2);
  static const struct {
    int which;
    const char *ret;
  } cases[] = {{0, "DECIMAL(5,1)"}, {1, "DECIMAL(9,5)"},
               {2, "DECIMAL(4,0)"}, {3, "DECIMAL(7,3)"}};
  const sl_value *d[] = {&one, &five, &minus, NULL};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const sl_value *consts[] = {NULL, d[cases[i].which]};
    sl_func_resolved r;
    sl_error err;
    char buf[64];
    assert_int_equal(sl_func_resolve_consts(builtin(), "round", 2, types,
                                            consts, &r, &err),
                     SL_OK);
    assert_string_equal(sl_type_to_sql(r.ret_type, buf, sizeof(buf)),
                        cases[i].ret);
    sl_func_resolved_free(&r);
  }
  sl_type_free(dec63);
}

static void test_resolve_type_variables(void **state) {
  (void)state;
  char t[256];
  const sl_type *mixed[] = {sl_type_int(), sl_type_bigint(),
                            sl_type_double()};
  assert_string_equal(resolve_ok("greatest", 3, mixed, t, sizeof(t)),
                      "DOUBLE");
  assert_string_equal(t, "DOUBLE, DOUBLE, DOUBLE");

  sl_type *dec = sl_type_new_decimal(5, 2);
  const sl_type *exact[] = {sl_type_int(), dec};
  assert_string_equal(resolve_ok("least", 2, exact, t, sizeof(t)),
                      "DECIMAL(12,2)");
  sl_type_free(dec);

  const sl_type *withnull[] = {sl_type_null(), sl_type_varchar()};
  assert_string_equal(resolve_ok("coalesce", 2, withnull, t, sizeof(t)),
                      "VARCHAR");
  assert_string_equal(t, "VARCHAR, VARCHAR");
  const sl_type *allnull[] = {sl_type_null(), sl_type_null()};
  assert_string_equal(resolve_ok("coalesce", 2, allnull, NULL, 0), "NULL");

  /* DATE meets TIMESTAMP. */
  const sl_type *times[] = {sl_type_date(), sl_type_timestamp()};
  assert_string_equal(resolve_ok("ifnull", 2, times, t, sizeof(t)),
                      "TIMESTAMP");

  /* ARRAY<T> unifies its element with T. */
  sl_type *arr_int = sl_type_new_array(sl_type_int());
  const sl_type *contains[] = {arr_int, sl_type_bigint()};
  assert_string_equal(resolve_ok("array_contains", 2, contains, t,
                                 sizeof(t)),
                      "BOOLEAN");
  assert_string_equal(t, "ARRAY<BIGINT>, BIGINT");
  const sl_type *arrlen[] = {arr_int};
  assert_string_equal(resolve_ok("array_length", 1, arrlen, t, sizeof(t)),
                      "INT");
  assert_string_equal(t, "ARRAY<INT>");
  sl_type_free(arr_int);

  sl_type *map = sl_type_new_map(sl_type_double());
  const sl_type *mk[] = {map};
  assert_string_equal(resolve_ok("map_keys", 1, mk, t, sizeof(t)),
                      "ARRAY<VARCHAR>");
  assert_string_equal(t, "MAP<VARCHAR, DOUBLE>");
  sl_type_free(map);

  /* CONCAT takes anything as it is. */
  const sl_type *cc[] = {sl_type_varchar(), sl_type_int(), sl_type_null()};
  assert_string_equal(resolve_ok("concat", 3, cc, t, sizeof(t)), "VARCHAR");
  assert_string_equal(t, "VARCHAR, INT, NULL");

  /* DATE_TRUNC of a DATE stays a DATE; a TIMESTAMP a TIMESTAMP. */
  const sl_type *dtd[] = {sl_type_varchar(), sl_type_date()};
  assert_string_equal(resolve_ok("date_trunc", 2, dtd, NULL, 0), "DATE");
  const sl_type *dtt[] = {sl_type_varchar(), sl_type_timestamp(),
                          sl_type_varchar()};
  assert_string_equal(resolve_ok("date_trunc", 3, dtt, NULL, 0),
                      "TIMESTAMP");

  /* PREDICT takes any number of values. */
  assert_string_equal(resolve_ok("predict", 0, NULL, NULL, 0), "DOUBLE");
  assert_string_equal(resolve_ok("predict", 3, cc, NULL, 0), "DOUBLE");
}

static void test_resolve_errors(void **state) {
  (void)state;
  const sl_func_registry *reg = builtin();
  const sl_type *v1[] = {sl_type_varchar()};
  assert_string_equal(resolve_error(reg, "round", 1, v1),
                      "function round(VARCHAR) does not exist; candidates: "
                      "ROUND(DOUBLE [, INT]), ROUND(DECIMAL [, INT])");

  const sl_type *dd[] = {sl_type_double(), sl_type_double()};
  assert_string_equal(resolve_error(reg, "SQRT", 2, dd),
                      "function sqrt(DOUBLE, DOUBLE) does not exist; "
                      "candidate: SQRT(DOUBLE)");

  /* BIGINT does not narrow to INT implicitly. */
  const sl_type *vb[] = {sl_type_varchar(), sl_type_bigint()};
  assert_string_equal(resolve_error(reg, "substring", 2, vb),
                      "function substring(VARCHAR, BIGINT) does not exist; "
                      "candidate: SUBSTRING(VARCHAR, INT [, INT])");

  /* T cannot be both a number and a string. */
  const sl_type *iv[] = {sl_type_int(), sl_type_varchar()};
  assert_string_equal(resolve_error(reg, "greatest", 2, iv),
                      "function greatest(INT, VARCHAR) does not exist; "
                      "candidate: GREATEST(T...)");
  assert_string_equal(resolve_error(reg, "now", 1, v1),
                      "function now(VARCHAR) does not exist; candidate: "
                      "NOW()");
  assert_string_equal(resolve_error(reg, "coalesce", 0, NULL),
                      "function coalesce() does not exist; candidate: "
                      "COALESCE(T...)");
  assert_string_equal(resolve_error(reg, "array_length", 1, v1),
                      "function array_length(VARCHAR) does not exist; "
                      "candidate: ARRAY_LENGTH(ARRAY<ANY>)");

  /* LEAD is known but refused with its reason. */
  const sl_type *i1[] = {sl_type_int()};
  assert_string_equal(resolve_error(reg, "lead", 1, i1),
                      "LEAD needs rows that have not arrived yet and cannot "
                      "be computed on a live stream");
}

static void test_unknown_function_suggestions(void **state) {
  (void)state;
  const sl_func_registry *reg = builtin();
  const sl_type *i1[] = {sl_type_int()};
  assert_string_equal(resolve_error(reg, "foo", 1, i1),
                      "unknown function \"foo\"; did you mean \"floor\"?");
  assert_string_equal(resolve_error(reg, "Regexp_Lik", 1, i1),
                      "unknown function \"regexp_lik\"; did you mean "
                      "\"regexp_like\"?");
  assert_string_equal(resolve_error(reg, "dayofweek", 1, i1),
                      "unknown function \"dayofweek\"; did you mean "
                      "\"day_of_week\"?");
  assert_string_equal(resolve_error(reg, "stdev", 1, i1),
                      "unknown function \"stdev\"; did you mean "
                      "\"stddev\"?");
  assert_string_equal(resolve_error(reg, "xyzzy", 1, i1),
                      "unknown function \"xyzzy\"");
  assert_string_equal(resolve_error(reg, "zz", 1, i1),
                      "unknown function \"zz\"");
}

static sl_status scalar_stub_free(sl_func_ctx *ctx, int nargs,
                                  const sl_value *const *args, int nrows,
                                  sl_value *out, sl_error *err) {
  for (int r = 0; r < nrows; r++)
    out[r] = sl_value_bool(args[0][r].len % 2 == 0);
  return SL_OK;
}

static void test_user_functions(void **state) {
  (void)state;
  sl_func_registry *reg = sl_func_registry_new(builtin());
  sl_error err;
  assert_non_null(reg);

  sl_func_def def = {
    .name = "even_length",
    .flags = SL_FUNC_USER,
    .doc = "True for strings of even byte length.",
    .example = "EVEN_LENGTH('ab') = true",
    .sigs = {{.spec = "(VARCHAR) -> BOOLEAN", .scalar = scalar_stub_free}},
  };
  const sl_func *f;
  assert_int_equal(sl_func_register(reg, &def, &f, &err), SL_OK);
  assert_string_equal(f->name, "EVEN_LENGTH");
  assert_ptr_equal(sl_func_lookup(reg, "Even_Length"), f);
  assert_null(sl_func_lookup(builtin(), "even_length"));
  assert_non_null(sl_func_lookup(reg, "abs"));

  /* It resolves and runs like a built-in. */
  const sl_type *v1[] = {sl_type_varchar()};
  sl_func_resolved r;
  assert_int_equal(sl_func_resolve(reg, "even_length", 1, v1, &r, &err),
                   SL_OK);
  sl_func_ctx ctx;
  sl_arena arena;
  sl_arena_init(&arena, 0);
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  sl_value in[2] = {sl_value_varchar("ab", 2), sl_value_varchar("abc", 3)};
  const sl_value *cols[] = {in};
  sl_value out[2];
  assert_int_equal(sl_func_eval(&ctx, cols, 2, out, &arena, &err), SL_OK);
  assert_true(out[0].u.b);
  assert_false(out[1].u.b);
  assert_int_equal(ctx.nerrors, 0);
  sl_func_ctx_destroy(&ctx);
  sl_func_resolved_free(&r);
  sl_arena_destroy(&arena);

  /* Its name is suggested too. */
  assert_string_equal(resolve_error(reg, "even_lenght", 1, v1),
                      "unknown function \"even_lenght\"; did you mean "
                      "\"even_length\"?");

  /* Names are unique across the layers. */
  sl_func_def dup = def;
  dup.name = "ABS";
  assert_int_equal(sl_func_register(reg, &dup, NULL, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "function \"abs\" already exists");
  assert_int_equal(sl_func_register(reg, &def, NULL, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "function \"even_length\" already exists");

  /* SHOW FUNCTIONS lists built-ins and user functions together. */
  const sl_func **all, **base;
  int n, nbase;
  assert_int_equal(sl_func_registry_list(reg, &all, &n, &err), SL_OK);
  assert_int_equal(sl_func_registry_list(builtin(), &base, &nbase, &err),
                   SL_OK);
  assert_int_equal(n, nbase + 1);
  bool seen = false;
  for (int i = 0; i < n; i++) {
    seen = seen || all[i] == f;
    if (i > 0)
      assert_true(strcmp(all[i - 1]->name, all[i]->name) < 0);
  }
  assert_true(seen);
  free(all);
  free(base);

  /* DROP FUNCTION. */
  assert_int_equal(sl_func_unregister(reg, "abs", &err), SL_ERR_SQL);
  assert_string_equal(err.message, "cannot drop built-in function \"abs\"");
  assert_int_equal(sl_func_unregister(reg, "nope", &err), SL_ERR_SQL);
  assert_string_equal(err.message, "unknown function \"nope\"");
  assert_int_equal(sl_func_unregister(reg, "EVEN_LENGTH", &err), SL_OK);
  assert_null(sl_func_lookup(reg, "even_length"));
  sl_func_registry_free(reg);

  /* A registry of its own holds built-ins and user functions side by
   * side; only the user's can be dropped. */
  sl_func_registry *own = sl_func_registry_new_builtin(&err);
  assert_non_null(own);
  assert_int_equal(sl_func_unregister(own, "ABS", &err), SL_ERR_SQL);
  assert_string_equal(err.message, "cannot drop built-in function \"abs\"");
  assert_int_equal(sl_func_register(own, &def, &f, &err), SL_OK);
  assert_ptr_equal(sl_func_lookup(own, "even_length"), f);
  assert_int_equal(sl_func_unregister(own, "even_length", &err), SL_OK);
  assert_null(sl_func_lookup(own, "even_length"));
  assert_non_null(sl_func_lookup(own, "abs"));
  sl_func_registry_free(own);
}

/* Malformed signature texts are rejected with what was wrong. */
static void test_signature_errors(void **state) {
  (void)state;
  static const struct {
    const char *spec;
    const char *message;
  } cases[] = {
    {"(INT", "bad signature \"(INT\" of function F at offset 4: "
             "expected ',' or ')'"},
    {"INT) -> INT", "bad signature \"INT) -> INT\" of function F at "
                    "offset 0: expected '('"},
    {"(INT [, INT], INT) -> INT",
     "bad signature \"(INT [, INT], INT) -> INT\" of function F at offset "
     "12: optional parameters must come last"},
    {"(INT) -> ANY", "bad signature \"(INT) -> ANY\" of function F at "
                     "offset 12: a return type must be concrete or built "
                     "from T"},
    {"(INT) -> T", "bad signature \"(INT) -> T\" of function F at offset "
                   "10: T in the return type but not in a parameter"},
    {"(INT) -> $2", "bad signature \"(INT) -> $2\" of function F at offset "
                    "10: expected an argument number"},
    {"(INT) -> @nope", "bad signature \"(INT) -> @nope\" of function F at "
                       "offset 14: unknown return rule"},
    {"(INT..., INT) -> INT", "bad signature \"(INT..., INT) -> INT\" of "
                             "function F at offset 9: a variadic "
                             "parameter must be the last"},
    {"(INT) INT", "bad signature \"(INT) INT\" of function F at offset 6: "
                  "expected '->'"},
    {"(INT) -> INT x", "bad signature \"(INT) -> INT x\" of function F at "
                       "offset 13: unexpected text after the return type"},
  };
  sl_func_registry *reg = sl_func_registry_new(NULL);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sl_func_def def = {.name = "f", .sigs = {{.spec = cases[i].spec}}};
    sl_error err;
    sl_error_clear(&err);
    assert_int_equal(sl_func_register(reg, &def, NULL, &err), SL_ERR_SQL);
    assert_string_equal(err.message, cases[i].message);
  }

  /* A type the type parser rejects names the text. */
  sl_func_def bad = {.name = "g", .sigs = {{.spec = "(DECIMAL(50,2)) -> INT"}}};
  sl_error err;
  assert_int_equal(sl_func_register(reg, &bad, NULL, &err), SL_ERR_SQL);
  assert_non_null(strstr(err.message, "bad signature \"(DECIMAL(50,2)) -> "
                                      "INT\" of function G at offset 1"));

  sl_func_def noname = {.name = "bad name", .sigs = {{.spec = "() -> INT"}}};
  assert_int_equal(sl_func_register(reg, &noname, NULL, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "bad function name \"bad name\"");
  sl_func_def nosig = {.name = "h"};
  assert_int_equal(sl_func_register(reg, &nosig, NULL, &err), SL_ERR_SQL);
  assert_string_equal(err.message, "function h has no signature");

  /* Concrete composite types parse in full. */
  sl_func_def ok = {.name = "k",
                    .sigs = {{.spec = "(STRUCT<a INT, b VARCHAR>, MAP<VARCHAR, "
                              "ARRAY<INT>>, CONST DECIMAL(10,2)) -> "
                              "ARRAY<DECIMAL(10,2)>"}}};
  const sl_func *k;
  assert_int_equal(sl_func_register(reg, &ok, &k, &err), SL_OK);
  char buf[256];
  assert_string_equal(sl_func_sig_format(k, &k->sigs[0], true, buf,
                                         sizeof(buf)),
                      "K(STRUCT<a INT, b VARCHAR>, MAP<VARCHAR, ARRAY<INT>>, "
                      "DECIMAL(10,2)) -> ARRAY<DECIMAL(10,2)>");
  assert_int_equal(k->sigs[0].params[0].kind, SL_PAT_TYPE);
  assert_true(k->sigs[0].params[2].constant);
  sl_func_registry_free(reg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_builtin_is_registered),
    cmocka_unit_test(test_kinds_and_flags),
    cmocka_unit_test(test_listing_docs_and_implementations),
    cmocka_unit_test(test_signature_display),
    cmocka_unit_test(test_resolve_numeric_ladder),
    cmocka_unit_test(test_resolve_with_constants),
    cmocka_unit_test(test_resolve_type_variables),
    cmocka_unit_test(test_resolve_errors),
    cmocka_unit_test(test_unknown_function_suggestions),
    cmocka_unit_test(test_user_functions),
    cmocka_unit_test(test_signature_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
