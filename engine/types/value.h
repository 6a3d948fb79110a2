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

static inline bool sl_value_is_null(const sl_value *v) {
  return v->kind == SL_TYPE_NULL;
}

sl_int128 sl_value_decimal_get(const sl_value *v);

/* Deep-copies v so that everything it points to lives in arena. */
sl_status sl_value_copy(sl_arena *arena, const sl_value *v, sl_value *out,
                        sl_error *err);

/* Three-way comparison of two non-NULL values of comparable kinds (numeric
 * kinds compare across kinds exactly; strings bytewise, which is code point
 * order for UTF-8).  Returns <0, 0, >0. */
int sl_value_compare(const sl_value *a, const sl_value *b);

/* SQL equality for grouping and join keys: NULL equals nothing. */
bool sl_value_equal(const sl_value *a, const sl_value *b);

/* A hash for grouping and partitioning; equal values hash alike, including
 * numerically equal values of different numeric kinds. */
uint64_t sl_value_hash(const sl_value *v);

/* Casts v to type.  Numeric narrowing, DECIMAL rescaling and string
 * parsing detect overflow and bad input: on failure returns SL_ERR_RECORD
 * with err->reason "type" (or "overflow") and a message naming the value
 * and the target type.  Results needing memory come from arena. */
sl_status sl_value_cast(sl_arena *arena, const sl_value *v,
                        const sl_type *type, sl_value *out, sl_error *err);

#endif /* SLUICE_VALUE_H */
