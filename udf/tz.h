/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tz.h - named time zones from the system tz database, without the C
 * library's TZ machinery.
 *
 * Zones are read from TZif files (RFC 8536, version 2 and later; version 1
 * files too) under $TZDIR or /usr/share/zoneinfo by a reader of our own,
 * including the POSIX TZ rule in the file's footer that covers times after
 * its last transition.  "UTC", "GMT", "Z" and fixed offsets "+hh:mm",
 * "-hh:mm", "+hhmm", "+hh" need no file.  Names are case-sensitive, as
 * the files are.
 *
 * A loaded zone is immutable and cached for the life of the process, so
 * lookups from any thread are safe and cost a mutex and a string compare
 * after the first; nothing here reads or sets the TZ environment variable
 * or calls localtime.
 */
#ifndef SLUICE_UDF_TZ_H
#define SLUICE_UDF_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"

typedef struct sl_func_tz sl_func_tz;

/* What a zone says about one instant. */
typedef struct sl_func_tz_info {
  int32_t offset;     /* seconds east of UTC */
  bool dst;
  const char *abbrev; /* "CEST"; lives as long as the zone */
} sl_func_tz_info;

/* The zone called name (len bytes).  On success *out lives until
 * sl_func_tz_cache_clear.  An unknown or unreadable zone fails with
 * SL_ERR_SQL: unknown time zone "Mars/Olympus". */
sl_status sl_func_tz_get(const char *name, size_t len,
                         const sl_func_tz **out, sl_error *err);

/* The zone's name as it was looked up. */
const char *sl_func_tz_name(const sl_func_tz *tz);

/* The offset, DST flag and abbreviation in force at utc_s (seconds since
 * the epoch). */
void sl_func_tz_at(const sl_func_tz *tz, int64_t utc_s,
                   sl_func_tz_info *info);

/* The offset in seconds east of UTC at utc_s. */
int32_t sl_func_tz_offset(const sl_func_tz *tz, int64_t utc_s);

/* The instant (seconds since the epoch) at which the zone's wall clock
 * reads local_s (seconds since 1970-01-01 00:00 of that wall clock).  A
 * wall time that happens twice (when clocks go back) is its first
 * occurrence; one that never happens (when clocks go forward) is read
 * with the offset in force before the change, so 02:30 on a night that
 * skips from 02:00 to 03:00 is 03:30. */
int64_t sl_func_tz_to_utc(const sl_func_tz *tz, int64_t local_s);

/* Frees every cached zone.  Only for the end of a program or a test:
 * no zone pointer may be in use. */
void sl_func_tz_cache_clear(void);

#endif /* SLUICE_UDF_TZ_H */
