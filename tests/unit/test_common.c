/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/common: error formatting, arena, logger helpers.
 */
#include "test_util.h"

#include <string.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/common/log.h"

static void test_error_sql_format(void **state) {
  (void)state;
  sl_error err;
  sl_error_clear(&err);
  assert_int_equal(sl_error_set_sql(&err, "q.sql", 3, 14, "expected ')' "
                                    "near \"%s\"", "FROM"),
                   SL_ERR_SQL);
  char buf[256];
  assert_string_equal(sl_error_format(&err, buf, sizeof(buf)),
                      "q.sql:3:14: error: expected ')' near \"FROM\"");
  assert_int_equal(sl_error_exit_code(err.code), 1);
}

static void test_error_record_format(void **state) {
  (void)state;
  sl_error err;
  sl_error_set_record(&err, "payments", 2, 1234, "decode",
                      "not a JSON object");
  char buf[256];
  assert_string_equal(sl_error_format(&err, buf, sizeof(buf)),
                      "payments [2] @ 1234: not a JSON object");
  assert_string_equal(err.reason, "decode");
  assert_int_equal(sl_error_exit_code(err.code), 3);
}

static void test_error_prefix_keeps_location(void **state) {
  (void)state;
  sl_error err;
  sl_error_set_file(&err, SL_ERR_IO, "m.csv", 7, "bad number \"x\"");
  sl_error_prefix(&err, "column %s", "price");
  char buf[256];
  assert_string_equal(sl_error_format(&err, buf, sizeof(buf)),
                      "m.csv:7: error: column price: bad number \"x\"");
  assert_int_equal(sl_error_exit_code(SL_ERR_USAGE), 2);
  assert_int_equal(sl_error_exit_code(SL_OK), 0);
}

static void test_arena_alignment_and_reset(void **state) {
  (void)state;
  sl_arena arena;
  sl_arena_init(&arena, 1024);
  for (int i = 1; i < 200; i++) {
    void *p = sl_arena_alloc(&arena, (size_t)i);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    memset(p, 0xab, (size_t)i);
  }
  char *big = sl_arena_alloc(&arena, 100000);
  assert_non_null(big);
  memset(big, 1, 100000);
  char *s = sl_arena_strndup(&arena, "hello world", 5);
  assert_string_equal(s, "hello");
  sl_arena_reset(&arena);
  assert_int_equal(arena.total, 0);
  assert_non_null(sl_arena_calloc(&arena, 10, 10));
  sl_arena_destroy(&arena);
}

static void test_log_levels_and_secrets(void **state) {
  (void)state;
  sl_log_level lvl;
  assert_true(sl_log_parse_level("DEBUG", &lvl));
  assert_int_equal(lvl, SL_LOG_DEBUG);
  assert_true(sl_log_parse_level("warn", &lvl));
  assert_int_equal(lvl, SL_LOG_WARN);
  assert_false(sl_log_parse_level("verbose", &lvl));
  assert_true(sl_log_is_secret_key("sasl.password"));
  assert_true(sl_log_is_secret_key("ssl.key.location"));
  assert_false(sl_log_is_secret_key("bootstrap.servers"));
}

static void test_log_ratelimit_counts_suppressed(void **state) {
  (void)state;
  sl_log_limit limit = SL_LOG_LIMIT_INIT(2, 60000);
  sl_log_level old = sl_log_threshold;
  sl_log_set_level(SL_LOG_DEBUG);
  for (int i = 0; i < 5; i++)
    sl_log_ratelimited(&limit, SL_LOG_DEBUG, "test", "fault %d", i);
  assert_int_equal(limit.emitted, 2);
  assert_int_equal(limit.suppressed, 3);
  sl_log_set_level(old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_sql_format),
      cmocka_unit_test(test_error_record_format),
      cmocka_unit_test(test_error_prefix_keeps_location),
      cmocka_unit_test(test_arena_alignment_and_reset),
      cmocka_unit_test(test_log_levels_and_secrets),
      cmocka_unit_test(test_log_ratelimit_counts_suppressed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
