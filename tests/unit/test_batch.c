/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for engine/types/batch.c: appending rows up to capacity, row
 * metadata defaults, per-row errors, and reuse across resets (run under
 * ASan, so stale or leaked arena memory fails the test).
 */
#include "test_util.h"

#include <stdio.h>
#include <string.h>

#include "engine/types/batch.h"

static void test_create_and_append(void **state) {
  (void)state;
  sl_batch *b = sl_batch_create(3, 4);
  assert_non_null(b);
  assert_int_equal(b->ncols, 3);
  assert_int_equal(b->capacity, 4);
  assert_int_equal(b->nrows, 0);

  for (int i = 0; i < 4; i++) {
    assert_false(sl_batch_full(b));
    int r = sl_batch_append_row(b);
    assert_int_equal(r, i);
    for (int c = 0; c < 3; c++)
      assert_true(sl_value_is_null(sl_batch_value(b, r, c)));
    sl_batch_row *m = sl_batch_row_meta(b, r);
    assert_int_equal(m->partition, -1);
    assert_int_equal(m->offset, -1);
    assert_int_equal(m->state, SL_BATCH_ROW_SELECTED);
    assert_null(m->error);
    assert_null(m->key);

    *sl_batch_value(b, r, 0) = sl_value_bigint(100 + i);
    m->partition = 2;
    m->offset = 1000 + i;
    m->timestamp = 1714564800000 + i;
    m->event_time = 1714564800000 - i;
  }
  assert_true(sl_batch_full(b));
  assert_int_equal(sl_batch_append_row(b), -1);
  assert_int_equal(b->nrows, 4);

  /* Columns are contiguous arrays of values. */
  sl_value *col = sl_batch_column(b, 0);
  for (int i = 0; i < 4; i++)
    assert_int_equal(col[i].u.i64, 100 + i);
  assert_int_equal(sl_batch_row_meta(b, 3)->offset, 1003);
  assert_int_equal(sl_batch_row_meta(b, 3)->event_time, 1714564799997);
  sl_batch_free(b);
}

static void test_bad_sizes(void **state) {
  (void)state;
  assert_null(sl_batch_create(-1, 10));
  assert_null(sl_batch_create(2, 0));
  sl_batch *b = sl_batch_create(0, 2);
  assert_non_null(b);
  assert_int_equal(sl_batch_append_row(b), 0);
  sl_batch_free(b);
  sl_batch_free(NULL);
}

static void test_row_states_and_errors(void **state) {
  (void)state;
  sl_batch *b = sl_batch_create(1, 8);
  for (int i = 0; i < 5; i++)
    sl_batch_append_row(b);

  sl_batch_drop_row(b, 1);
  sl_error err;
  sl_error_set_record(&err, "payments", 0, 42, "type",
                      "cannot cast VARCHAR \"x\" to INT: not an integer");
  assert_int_equal(sl_batch_set_error(b, 3, &err), SL_OK);
  /* A dropped row stays dropped; an error wins over selection. */
  sl_batch_drop_row(b, 3);
  assert_int_equal(b->nerrors, 1);
  assert_int_equal(sl_batch_selected_count(b), 3);
  assert_false(sl_batch_row_selected(b, 1));
  assert_false(sl_batch_row_selected(b, 3));
  assert_true(sl_batch_row_selected(b, 4));

  const sl_batch_row *m = sl_batch_row_meta(b, 3);
  assert_int_equal(m->state, SL_BATCH_ROW_ERROR);
  assert_non_null(m->error);
  assert_string_equal(m->error->reason, "type");
  assert_int_equal(m->error->code, SL_ERR_RECORD);
  /* The message is a copy: the error object may be reused. */
  sl_error_set(&err, SL_ERR_RUNTIME, "something else");
  assert_string_equal(m->error->message,
                      "cannot cast VARCHAR \"x\" to INT: not an integer");

  /* Marking the same row again replaces its error, counted once. */
  sl_error_set_record(&err, NULL, -1, -1, "overflow", "too big");
  sl_batch_set_error(b, 3, &err);
  assert_int_equal(b->nerrors, 1);
  assert_string_equal(m->error->reason, "overflow");
  sl_batch_free(b);
}

static void test_reset_reuses_memory(void **state) {
  (void)state;
  sl_batch *b = sl_batch_create(2, 256);
  for (int round = 0; round < 20; round++) {
    sl_arena *arena = sl_batch_arena(b);
    while (!sl_batch_full(b)) {
      int r = sl_batch_append_row(b);
      char text[64];
      int n = snprintf(text, sizeof(text), "row %d of round %d", r, round);
      char *s = sl_arena_strndup(arena, text, (size_t)n);
      assert_non_null(s);
      *sl_batch_value(b, r, 0) = sl_value_varchar(s, (size_t)n);
      *sl_batch_value(b, r, 1) = sl_value_int(r * round);
      if (r % 50 == 7) {
        sl_error err;
        sl_error_set_record(&err, "t", 0, r, "decode", "bad row %d", r);
        sl_batch_set_error(b, r, &err);
      }
    }
    assert_int_equal(b->nrows, 256);
    assert_int_equal(b->nerrors, 5); /* rows 7, 57, 107, 157, 207 */
    const sl_value *v = sl_batch_value(b, 255, 0);
    char want[64];
    snprintf(want, sizeof(want), "row 255 of round %d", round);
    assert_int_equal(v->len, strlen(want));
    assert_memory_equal(v->u.str, want, v->len);
    assert_string_equal(sl_batch_row_meta(b, 57)->error->message,
                        "bad row 57");

    sl_batch_reset(b);
    assert_int_equal(b->nrows, 0);
    assert_int_equal(b->nerrors, 0);
    assert_int_equal(b->arena.total, 0);
  }
  sl_batch_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_create_and_append),
      cmocka_unit_test(test_bad_sizes),
      cmocka_unit_test(test_row_states_and_errors),
      cmocka_unit_test(test_reset_reuses_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
