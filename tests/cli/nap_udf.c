/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nap_udf.c - a UDF library for the tests of progress on a terminal:
 *
 *   nap(INT) -> INT   sleeps that many milliseconds, returns them
 *
 * so that a query over a few records runs long enough for its status
 * lines to show while it runs.
 */
#include <time.h>

#include "sluice/udf.h"

static int nap(sluice_udf_ctx *ctx, const sluice_udf_value *args,
               sluice_udf_value *result) {
  (void)ctx;
  int32_t ms = sluice_udf_get_int(&args[0]);
  if (ms > 0) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    /* A signal cuts the sleep short; the rest is slept. */
    while (nanosleep(&ts, &ts) != 0)
      ;
  }
  sluice_udf_set_int(result, ms);
  return SLUICE_UDF_OK;
}

static const sluice_udf_function functions[] = {
    {.name = "nap",
     .arg_types = "INT",
     .return_type = "INT",
     .kind = SLUICE_UDF_SCALAR,
     .flags = SLUICE_UDF_NONDETERMINISTIC,
     .doc = "Sleeps the given milliseconds and returns them.",
     .scalar = nap},
};

static const sluice_udf_library library = {
    .abi_version = SLUICE_UDF_ABI_VERSION,
    .name = "nap",
    .nfunctions = 1,
    .functions = functions,
};

/* The one symbol Sluice looks for. */
SLUICE_UDF_EXPORT const sluice_udf_library *
sluice_udf_register(uint32_t host_abi_version) {
  (void)host_abi_version;
  return &library;
}
