/* SPDX-License-Identifier: Apache-2.0 */
#define _XOPEN_SOURCE 700
#include "test_util.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void test_assert_double_near(double actual, double expected, double epsilon,
                             const char *expr, const char *file, int line) {
  if (isnan(expected) && isnan(actual))
    return;
  if (fabs(actual - expected) <= epsilon)
    return;
  print_error("%s = %.17g, expected %.17g (+/- %g)\n", expr, actual,
              expected, epsilon);
  _fail(file, line);
}

char *test_tmpdir(void) {
  const char *base = getenv("TMPDIR");
  char tmpl[512];
  snprintf(tmpl, sizeof(tmpl), "%s/sluice-test-XXXXXX", base ? base : "/tmp");
  char *dir = mkdtemp(tmpl);
  return dir ? strdup(dir) : NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void test_rmtree(const char *path) {
  if (path)
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_shared_data(const char *name) {
  const char *dir = getenv("SLUICE_SHARED_DATA");
  char buf[1024];
  snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "../shared/data", name);
  return strdup(buf);
}
