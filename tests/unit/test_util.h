/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_util.h - helpers shared by the cmocka unit tests.
 *
 * cmocka 1.1.5 compares floating point at float precision only, so doubles
 * get their own assertion that prints both values.
 */
#ifndef SLUICE_TEST_UTIL_H
#define SLUICE_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

void test_assert_double_near(double actual, double expected, double epsilon,
                             const char *expr, const char *file, int line);

#define assert_double_near(actual, expected, epsilon)                       \
  test_assert_double_near((actual), (expected), (epsilon), #actual,         \
                          __FILE__, __LINE__)

/* A fresh temporary directory for one test (removed by the caller with
 * test_rmtree).  Returns a malloc'd path. */
char *test_tmpdir(void);
void test_rmtree(const char *path);

/* Path of ../shared/data/NAME (from SLUICE_SHARED_DATA); malloc'd. */
char *test_shared_data(const char *name);

#endif
