/* SPDX-License-Identifier: Apache-2.0 */
/*
 * value.h - one SQL value, as operators and expressions pass it.
 *
 * A value is 24 bytes: a kind tag, and a payload.  Variable-length payloads
 * (VARCHAR, BYTES) and composite ones (ARRAY, MAP, STRUCT) point into memory
 * the value does not own: normally the arena of the batch it belongs to.
 * NULL is its own kind, whatever the column's declared type.
 *
 * DECIMAL holds the unscaled 128-bit integer split into two 64-bit halves
 * (so a value needs only 8-byte alignment) plus its scale; the column type
 * gives the precision.
 */
#ifndef SLUICE_VALUE_H
#define SLUICE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/types.h"

__extension__ typedef __int128 sl_int128;

typedef struct sl_value sl_value;

struct sl_value {
  uint8_t kind;   /* sl_type_kind; SL_TYPE_NULL means NULL */
  uint8_t scale;  /* DECIMAL scale */
  uint16_t pad;
  uint32_t len;   /* bytes of VARCHAR/BYTES; items of ARRAY/MAP/STRUCT */
  union {
    bool b;
    int32_t i32;     /* INT, DATE (days since epoch) */
    int64_t i64;     /* BIGINT, TIMESTAMP (ms), INTERVAL (ms) */
    double f64;
    struct {
      uint64_t lo;
      int64_t hi;
    } dec;             /* DECIMAL unscaled value */
    const char *str;   /* VARCHAR, BYTES: len bytes, not NUL-terminated */
    sl_value *items;   /* ARRAY: len items; STRUCT: len fields in order;
                          MAP: 2*len items, key then value */
  } u;
};

/* Constructors (no allocation except where an arena is passed). */
sl_value sl_value_null(void);
sl_value sl_value_bool(bool b);
sl_value sl_value_int(int32_t v);
sl_value sl_value_bigint(int64_t v);
sl_value sl_value_double(double v);
sl_value sl_value_decimal(sl_int128 unscaled, int scale);
sl_value sl_value_varchar(const char *s, size_t len); /* not copied */
sl_value sl_value_bytes(const void *p, size_t len);   /* not copied */
sl_value sl_value_date(int32_t days);
sl_value sl_value_timestamp(int64_t ms);
sl_value sl_value_interval(int64_t ms);

/* An ARRAY, MAP or STRUCT over items (not copied): ARRAY and STRUCT hold
 * len items, MAP 2*len (key, value, key, value, ...). */
sl_value sl_value_composite(sl_type_kind kind, sl_value *items,
                            uint32_t len);

static inline bool sl_value_is_null(const sl_value *v) {
  return v->kind == SL_TYPE_NULL;
}

sl_int128 sl_value_decimal_get(const sl_value *v);

/* Deep-copies v so that everything it points to lives in arena.  Returns
 * SL_ERR_NOMEM (out untouched) when the arena cannot grow. */
sl_status sl_value_copy(sl_arena *arena, const sl_value *v, sl_value *out,
                        sl_error *err);

/* Three-way comparison of two non-NULL values of comparable kinds (numeric
 * kinds compare across kinds exactly; strings bytewise, which is code point
 * order for UTF-8).  Returns <0, 0, >0.  DATE and TIMESTAMP compare as
 * instants; NaN equals NaN and sorts above every number.  For a total
 * order in sorting, NULL sorts before everything and equals NULL, and
 * values of unrelated kinds order by kind.  Composites compare item by
 * item (MAP entries in their stored order). */
int sl_value_compare(const sl_value *a, const sl_value *b);

/* SQL equality for grouping and join keys: NULL equals nothing. */
bool sl_value_equal(const sl_value *a, const sl_value *b);

/* A hash for grouping and partitioning; equal values hash alike, including
 * numerically equal values of different numeric kinds. */
uint64_t sl_value_hash(const sl_value *v);

/* Casts v to type.  Numeric narrowing, DECIMAL rescaling and string
 * parsing detect overflow and bad input: on failure returns SL_ERR_RECORD
 * with err->reason "type" (or "overflow") and a message naming the value
 * and the target type.  Results needing memory come from arena.
 *
 * The casts: numbers to any numeric kind (DOUBLE and DECIMAL to integers
 * round half away from zero; DECIMAL rounds likewise to its scale);
 * BOOLEAN to integers (0, 1) and INT/BIGINT to BOOLEAN (non-zero is
 * true); TIMESTAMP and INTERVAL to BIGINT (ms) and INT/BIGINT to them;
 * DATE to TIMESTAMP (midnight) and back (the UTC day); anything to
 * VARCHAR (its text form, see format.h, except BYTES, which must be
 * UTF-8 and become that text); VARCHAR to every scalar by parsing
 * (integers, numbers, DECIMAL text, true/false/t/f/yes/no/on/off/1/0,
 * YYYY-MM-DD, iso8601 timestamps, [N days ]HH:MM:SS[.fff]) and to BYTES
 * (its bytes); ARRAY/MAP/STRUCT to the same kind item by item.  NULL casts
 * to NULL.  The result may share memory with v (VARCHAR to VARCHAR or
 * BYTES). */
sl_status sl_value_cast(sl_arena *arena, const sl_value *v,
                        const sl_type *type, sl_value *out, sl_error *err);

/* Like sl_value_cast, knowing v's declared type (or NULL), which gives
 * STRUCT field names when a composite becomes text. */
sl_status sl_value_cast_from(sl_arena *arena, const sl_value *v,
                             const sl_type *from, const sl_type *to,
                             sl_value *out, sl_error *err);

#endif /* SLUICE_VALUE_H */
