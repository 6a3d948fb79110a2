/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the string and regular-expression built-ins: character
 * (not byte) semantics on UTF-8, PostgreSQL positions, case mapping,
 * padding, splitting, and PCRE2 patterns with their errors.
 */
#include "test_functions.h"

static void test_length(void **state) {
  (void)state;
  sl_value a[1] = {vs("héllo")};
  assert_int_result(fn_call("length", 1, a), 5);
  a[0] = vs("");
  assert_int_result(fn_call("length", 1, a), 0);
  a[0] = vs("日本語😀");
  assert_int_result(fn_call("length", 1, a), 4);
  a[0] = sl_value_bytes("h\xc3\xa9", 3);
  assert_int_result(fn_call("length", 1, a), 3);
  a[0] = sl_value_null();
  assert_null_result(fn_call("length", 1, a));
  fn_reset();
}

static void test_lower_upper(void **state) {
  (void)state;
  sl_value a[1] = {vs("Héllo WÖRLD")};
  assert_varchar(fn_call("lower", 1, a), "héllo wörld");
  assert_varchar(fn_call("upper", 1, a), "HÉLLO WÖRLD");
  /* Latin-1 edge cases: ß has no one-character upper case, ÿ's is
   * outside Latin-1, × and ÷ have no case. */
  a[0] = vs("straße ÿ × ÷ µ");
  assert_varchar(fn_call("upper", 1, a), "STRAßE Ÿ × ÷ Μ");
  a[0] = vs("ŸÀÞ");
  assert_varchar(fn_call("lower", 1, a), "ÿàþ");
  /* Latin Extended-A, Greek, Cyrillic. */
  a[0] = vs("Łódź ĳ İı ſ");
  assert_varchar(fn_call("upper", 1, a), "ŁÓDŹ Ĳ İI S");
  assert_varchar(fn_call("lower", 1, a), "łódź ĳ iı ſ");
  a[0] = vs("Σοφία ς");
  assert_varchar(fn_call("upper", 1, a), "ΣΟΦΊΑ Σ");
  a[0] = vs("ΆΈΏ");
  assert_varchar(fn_call("lower", 1, a), "άέώ");
  a[0] = vs("Привет Ёж");
  assert_varchar(fn_call("upper", 1, a), "ПРИВЕТ ЁЖ");
  assert_varchar(fn_call("lower", 1, a), "привет ёж");
  /* Characters outside the mapped blocks pass through. */
  a[0] = vs("日本 ǅ");
  assert_varchar(fn_call("upper", 1, a), "日本 ǅ");
  /* A malformed byte is copied, not mapped. */
  a[0] = sl_value_varchar("a\xc3z", 3);
  fn_result r = fn_call("upper", 1, a);
  assert_ok(r);
  assert_int_equal(r.value.len, 3);
  assert_memory_equal(r.value.u.str, "A\xc3Z", 3);
  a[0] = sl_value_null();
  assert_null_result(fn_call("lower", 1, a));
  fn_reset();
}

static void test_trim(void **state) {
  (void)state;
  sl_value a[2] = {vs("  a b  "), vs("")};
  assert_varchar(fn_call("trim", 1, a), "a b");
  assert_varchar(fn_call("ltrim", 1, a), "a b  ");
  assert_varchar(fn_call("rtrim", 1, a), "  a b");
  a[0] = vs("xyxhixy");
  a[1] = vs("xy");
  assert_varchar(fn_call("trim", 2, a), "hi");
  assert_varchar(fn_call("ltrim", 2, a), "hixy");
  a[0] = vs("ééaé");
  a[1] = vs("é");
  assert_varchar(fn_call("trim", 2, a), "a");
  assert_varchar(fn_call("rtrim", 2, a), "ééa");
  a[0] = vs("    ");
  assert_varchar(fn_call("trim", 1, a), "");
  a[0] = vs("abc");
  a[1] = vs("");
  assert_varchar(fn_call("trim", 2, a), "abc");
  a[1] = sl_value_null();
  assert_null_result(fn_call("trim", 2, a));
  fn_reset();
}

static void test_substring(void **state) {
  (void)state;
  sl_value a[3] = {vs("héllo"), sl_value_int(2), sl_value_int(3)};
  assert_varchar(fn_call("substring", 3, a), "éll");
  assert_varchar(fn_call("substring", 2, a), "éllo");
  a[1] = sl_value_int(0);
  a[2] = sl_value_int(2);
  assert_varchar(fn_call("substring", 3, a), "h");
  a[1] = sl_value_int(-5);
  a[2] = sl_value_int(3);
  assert_varchar(fn_call("substring", 3, a), "");
  a[1] = sl_value_int(4);
  a[2] = sl_value_int(100);
  assert_varchar(fn_call("substring", 3, a), "lo");
  a[1] = sl_value_int(9);
  assert_varchar(fn_call("substring", 3, a), "");
  a[0] = vs("日本語😀x");
  a[1] = sl_value_int(3);
  a[2] = sl_value_int(2);
  assert_varchar(fn_call("substring", 3, a), "語😀");
  a[1] = sl_value_int(1);
  a[2] = sl_value_int(-1);
  assert_row_error(fn_call("substring", 3, a), "type",
                   "substring: negative substring length not allowed");
  a[2] = sl_value_null();
  assert_null_result(fn_call("substring", 3, a));
  fn_reset();
}

static void test_replace_split_starts_with(void **state) {
  (void)state;
  sl_value a[3] = {vs("a-b--c"), vs("-"), vs("+")};
  assert_varchar(fn_call("replace", 3, a), "a+b++c");
  a[1] = vs("--");
  a[2] = vs("é");
  assert_varchar(fn_call("replace", 3, a), "a-béc");
  a[1] = vs("");
  assert_varchar(fn_call("replace", 3, a), "a-b--c");
  a[1] = vs("zz");
  assert_varchar(fn_call("replace", 3, a), "a-b--c");
  a[2] = sl_value_null();
  assert_null_result(fn_call("replace", 3, a));

  sl_value s[2] = {vs("a,b,,c"), vs(",")};
  sl_type *arr = sl_type_new_array(sl_type_varchar());
  fn_result r = fn_call("split", 2, s);
  assert_string_equal(r.type, "ARRAY<VARCHAR>");
  assert_string_equal(fn_text(r, arr), "[\"a\",\"b\",\"\",\"c\"]");
  s[0] = vs(",x,");
  assert_string_equal(fn_text(fn_call("split", 2, s), arr),
                      "[\"\",\"x\",\"\"]");
  s[0] = vs("");
  assert_string_equal(fn_text(fn_call("split", 2, s), arr), "[]");
  s[0] = vs("aé😀");
  s[1] = vs("");
  assert_string_equal(fn_text(fn_call("split", 2, s), arr),
                      "[\"a\",\"é\",\"😀\"]");
  s[0] = vs("a::b");
  s[1] = vs("::");
  assert_string_equal(fn_text(fn_call("split", 2, s), arr),
                      "[\"a\",\"b\"]");
  s[1] = sl_value_null();
  assert_null_result(fn_call("split", 2, s));
  sl_type_free(arr);

  sl_value p[2] = {vs("sluice"), vs("slu")};
  assert_bool_result(fn_call("starts_with", 2, p), true);
  p[1] = vs("luice");
  assert_bool_result(fn_call("starts_with", 2, p), false);
  p[1] = vs("");
  assert_bool_result(fn_call("starts_with", 2, p), true);
  p[1] = vs("sluices");
  assert_bool_result(fn_call("starts_with", 2, p), false);
  fn_reset();
}

static void test_concat(void **state) {
  (void)state;
  sl_value a[4] = {vs("id-"), sl_value_int(42), sl_value_null(),
                   sl_value_bool(true)};
  assert_varchar(fn_call("concat", 4, a), "id-42true");
  sl_value b[3] = {sl_value_double(0.1), sl_value_timestamp(1714564800123),
                   sl_value_decimal(1230, 2)};
  assert_varchar(fn_call("concat", 3, b),
                 "0.12024-05-01 12:00:00.12312.30");
  sl_value n[2] = {sl_value_null(), sl_value_null()};
  assert_varchar(fn_call("concat", 2, n), "");
  fn_reset();
}

static void test_pad(void **state) {
  (void)state;
  sl_value a[3] = {vs("7"), sl_value_int(3), vs("0")};
  assert_varchar(fn_call("lpad", 3, a), "007");
  assert_varchar(fn_call("rpad", 3, a), "700");
  assert_varchar(fn_call("lpad", 2, a), "  7");
  a[0] = vs("hi");
  a[1] = sl_value_int(7);
  a[2] = vs("éx");
  assert_varchar(fn_call("lpad", 3, a), "éxéxéhi");
  assert_varchar(fn_call("rpad", 3, a), "hiéxéxé");
  a[0] = vs("héllo");
  a[1] = sl_value_int(2);
  assert_varchar(fn_call("lpad", 3, a), "hé");
  assert_varchar(fn_call("rpad", 3, a), "hé");
  a[1] = sl_value_int(-1);
  assert_varchar(fn_call("lpad", 3, a), "");
  a[1] = sl_value_int(9);
  a[2] = vs("");
  assert_varchar(fn_call("lpad", 3, a), "héllo");
  a[0] = vs("x");
  a[1] = sl_value_int(INT32_MAX);
  a[2] = vs("ab");
  assert_row_error(fn_call("lpad", 3, a), "overflow",
                   "lpad: requested length too large");
  a[2] = sl_value_null();
  assert_null_result(fn_call("rpad", 3, a));
  fn_reset();
}

static void test_regexp_like(void **state) {
  (void)state;
  sl_value a[2] = {vs("card-4711"), vs("^card-[0-9]+$")};
  assert_bool_result(fn_call("regexp_like", 2, a), true);
  a[1] = vs("[0-9]{5}");
  assert_bool_result(fn_call("regexp_like", 2, a), false);
  a[1] = vs("47");
  assert_bool_result(fn_call("regexp_like", 2, a), true);
  /* UTF mode: '.' is one character. */
  a[0] = vs("é");
  a[1] = vs("^.$");
  assert_bool_result(fn_call("regexp_like", 2, a), true);
  a[0] = vs("Straße");
  a[1] = vs("(?i)STRASSE");
  assert_bool_result(fn_call("regexp_like", 2, a), false);
  a[1] = vs("(?i)STRAßE");
  assert_bool_result(fn_call("regexp_like", 2, a), true);
  /* Malformed UTF-8 in the subject does not match, and does not fail. */
  a[0] = sl_value_varchar("\xff", 1);
  a[1] = vs("^.$");
  assert_bool_result(fn_call("regexp_like", 2, a), false);
  a[1] = sl_value_null();
  assert_null_result(fn_call("regexp_like", 2, a));
  fn_reset();
}

static void test_regexp_extract_replace(void **state) {
  (void)state;
  sl_value a[3] = {vs("id=42; id=7"), vs("id=([0-9]+)"), sl_value_int(1)};
  assert_varchar(fn_call("regexp_extract", 3, a), "42");
  assert_varchar(fn_call("regexp_extract", 2, a), "id=42");
  a[2] = sl_value_int(0);
  assert_varchar(fn_call("regexp_extract", 3, a), "id=42");
  a[1] = vs("x=([0-9]+)");
  assert_null_result(fn_call("regexp_extract", 2, a));
  /* A group that took no part is NULL. */
  a[0] = vs("ab");
  a[1] = vs("a(x)?b");
  a[2] = sl_value_int(1);
  assert_null_result(fn_call("regexp_extract", 3, a));
  a[0] = vs("prix: 12€");
  a[1] = vs("([0-9]+)(.)");
  a[2] = sl_value_int(2);
  assert_varchar(fn_call("regexp_extract", 3, a), "€");

  sl_value r[3] = {vs("a1b22c"), vs("[0-9]+"), vs("#")};
  assert_varchar(fn_call("regexp_replace", 3, r), "a#b#c");
  r[1] = vs("([a-z])([0-9]+)");
  r[2] = vs("${2}$1");
  assert_varchar(fn_call("regexp_replace", 3, r), "1a22bc");
  r[1] = vs("z");
  assert_varchar(fn_call("regexp_replace", 3, r), "a1b22c");
  r[1] = vs("(x)?b");
  r[2] = vs("[$1]");
  assert_varchar(fn_call("regexp_replace", 3, r), "a1[]22c");
  /* Results longer than the first buffer. */
  r[0] = vs("aaaaaaaaaa");
  r[1] = vs("a");
  r[2] = vs("0123456789");
  fn_result big = fn_call("regexp_replace", 3, r);
  assert_ok(big);
  assert_int_equal(big.value.len, 100);
  r[0] = vs("abc");
  r[1] = vs("b");
  r[2] = vs("$9");
  assert_row_error(fn_call("regexp_replace", 3, r), "type",
                   "regexp_replace: bad replacement \"$9\": unknown "
                   "substring");
  fn_reset();
}

static void test_regexp_errors(void **state) {
  (void)state;
  /* A constant bad pattern fails the statement at prepare time... */
  sl_value a[3] = {vs("x"), vs("(ab"), sl_value_int(1)};
  assert_string_equal(fn_prepare_error("regexp_like", 2, a),
                      "regexp_like: invalid regular expression \"(ab\": "
                      "missing closing parenthesis at offset 3");
  a[1] = vs("(a)b");
  a[2] = sl_value_int(2);
  assert_string_equal(fn_prepare_error("regexp_extract", 3, a),
                      "regexp_extract: pattern has 1 groups, cannot "
                      "extract group 2");
  assert_string_equal(fn_prepare_error("regexp_like", 2, a), "");

  /* ... a varying one fails only its row. */
  a[1] = vs("a[");
  assert_row_error(fn_call_varying("regexp_like", 2, a), "type",
                   "regexp_like: invalid regular expression \"a[\": "
                   "missing terminating ] for character class at offset 2");
  a[1] = vs("(a)b");
  assert_row_error(fn_call_varying("regexp_extract", 3, a), "type",
                   "regexp_extract: pattern has 1 groups, cannot extract "
                   "group 2");
  a[2] = sl_value_int(-1);
  assert_row_error(fn_call_varying("regexp_extract", 3, a), "type",
                   "regexp_extract: pattern has 1 groups, cannot extract "
                   "group -1");
  fn_reset();
}

/* A pattern that varies by row is compiled per distinct pattern, and a
 * bad one fails only its own row of the batch. */
static void test_regexp_varying_patterns_in_a_batch(void **state) {
  (void)state;
  const sl_type *types[] = {sl_type_varchar(), sl_type_varchar()};
  sl_func_resolved r;
  sl_error err;
  assert_int_equal(sl_func_resolve(fn_registry(), "regexp_like", 2, types,
                                   &r, &err),
                   SL_OK);
  sl_func_ctx ctx;
  sl_func_ctx_init(&ctx, r.func, r.sig, r.nargs, r.arg_types, r.ret_type);
  assert_int_equal(sl_func_ctx_prepare(&ctx, NULL, &err), SL_OK);
  sl_value s[4] = {vs("abc"), vs("abc"), vs("abc"), vs("xyz")};
  sl_value p[4] = {vs("^a"), vs("^a"), vs("("), vs("^a")};
  const sl_value *cols[] = {s, p};
  sl_value out[4];
  assert_int_equal(sl_func_eval(&ctx, cols, 4, out, fn_mem(), &err), SL_OK);
  assert_int_equal(ctx.nerrors, 1);
  assert_true(out[0].u.b);
  assert_true(out[1].u.b);
  assert_int_equal(out[2].kind, SL_TYPE_NULL);
  assert_string_equal(ctx.errors[2].reason, "type");
  assert_int_equal(out[3].kind, SL_TYPE_BOOLEAN);
  assert_false(out[3].u.b);
  sl_func_ctx_destroy(&ctx);
  sl_func_resolved_free(&r);
  fn_reset();
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_length),
    cmocka_unit_test(test_lower_upper),
    cmocka_unit_test(test_trim),
    cmocka_unit_test(test_substring),
    cmocka_unit_test(test_replace_split_starts_with),
    cmocka_unit_test(test_concat),
    cmocka_unit_test(test_pad),
    cmocka_unit_test(test_regexp_like),
    cmocka_unit_test(test_regexp_extract_replace),
    cmocka_unit_test(test_regexp_errors),
    cmocka_unit_test(test_regexp_varying_patterns_in_a_batch),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
