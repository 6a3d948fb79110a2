/* SPDX-License-Identifier: Apache-2.0 */
/*
 * types.h - SQL types of Sluice.
 *
 * A type is an immutable descriptor.  Scalar types are static singletons
 * (sl_type_int(), ...) that need no freeing; DECIMAL(p,s) and composite
 * types are built on the heap with sl_type_new_* and released with
 * sl_type_free, which ignores the singletons, so any type pointer may be
 * passed to it.  sl_type_clone makes an independent deep copy.
 */
#ifndef SLUICE_TYPES_H
#define SLUICE_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/error.h"

typedef enum sl_type_kind {
  SL_TYPE_NULL = 0, /* the type of the NULL literal only */
  SL_TYPE_BOOLEAN,
  SL_TYPE_INT,      /* 32-bit signed */
  SL_TYPE_BIGINT,   /* 64-bit signed */
  SL_TYPE_DOUBLE,
  SL_TYPE_DECIMAL,  /* precision <= 38, scaled 128-bit integer */
  SL_TYPE_VARCHAR,  /* UTF-8 */
  SL_TYPE_BYTES,
  SL_TYPE_DATE,      /* days since 1970-01-01 */
  SL_TYPE_TIMESTAMP, /* ms since the epoch, UTC */
  SL_TYPE_INTERVAL,  /* ms */
  SL_TYPE_ARRAY,
  SL_TYPE_MAP,       /* keys are VARCHAR */
  SL_TYPE_STRUCT
} sl_type_kind;

#define SL_DECIMAL_MAX_PRECISION 38

typedef struct sl_type sl_type;

typedef struct sl_type_field {
  char *name;
  sl_type *type;
} sl_type_field;

struct sl_type {
  sl_type_kind kind;
  bool is_static;     /* singletons are never freed */
  int precision;      /* DECIMAL */
  int scale;          /* DECIMAL */
  sl_type *elem;      /* ARRAY element, MAP value */
  int nfields;        /* STRUCT */
  sl_type_field *fields;
};

/* Singletons for the types without parameters. */
sl_type *sl_type_null(void);
sl_type *sl_type_boolean(void);
sl_type *sl_type_int(void);
sl_type *sl_type_bigint(void);
sl_type *sl_type_double(void);
sl_type *sl_type_varchar(void);
sl_type *sl_type_bytes(void);
sl_type *sl_type_date(void);
sl_type *sl_type_timestamp(void);
sl_type *sl_type_interval(void);

/* The singleton for kind; NULL for kinds with parameters. */
sl_type *sl_type_of_kind(sl_type_kind kind);

/* Heap types; return NULL when out of memory or, for DECIMAL, when the
 * precision or scale is out of range (1 <= precision <= 38,
 * 0 <= scale <= precision).  The new type takes ownership of elem and of
 * the field types and names passed in (names must come from malloc); on
 * failure those are freed, so the caller never frees them.  The fields
 * array itself is copied: the caller keeps it. */
sl_type *sl_type_new_decimal(int precision, int scale);
sl_type *sl_type_new_array(sl_type *elem);
sl_type *sl_type_new_map(sl_type *value);
sl_type *sl_type_new_struct(int nfields, sl_type_field *fields);

sl_type *sl_type_clone(const sl_type *type);
void sl_type_free(sl_type *type);

bool sl_type_equal(const sl_type *a, const sl_type *b);

/* Writes the SQL spelling ("DECIMAL(10,2)", "ARRAY<BIGINT>",
 * "MAP<VARCHAR, INT>", "STRUCT<a INT, b VARCHAR>") into buf; returns buf.
 * Field names that are not plain identifiers are double-quoted.  The text
 * is truncated (and always NUL-terminated) when buf is too small;
 * SL_TYPE_SQL_MAX is enough for any type of ordinary depth. */
#define SL_TYPE_SQL_MAX 1024
char *sl_type_to_sql(const sl_type *type, char *buf, size_t size);

/* Parses a type's SQL spelling, case-insensitively: BOOLEAN, INT|INTEGER,
 * BIGINT, DOUBLE|FLOAT, DECIMAL|NUMERIC(p[,s]), VARCHAR|STRING|TEXT, BYTES,
 * DATE, TIMESTAMP, INTERVAL, ARRAY<T>, MAP<VARCHAR, T>,
 * STRUCT<name T, ...> (names plain or double-quoted).  The reverse of
 * sl_type_to_sql.  On success *out is a new type (free it with
 * sl_type_free); on failure returns SL_ERR_SQL with a message naming the
 * text and what was expected, and *out is NULL. */
sl_status sl_type_from_sql(const char *text, sl_type **out, sl_error *err);

/* The upper-case name of a kind ("BIGINT"). */
const char *sl_type_kind_name(sl_type_kind kind);

bool sl_type_is_numeric(const sl_type *type);  /* INT..DECIMAL */
bool sl_type_is_integer(const sl_type *type);  /* INT, BIGINT */

/* True when a value of `from` converts to `to` without loss as an implicit
 * cast: INT -> BIGINT -> DECIMAL -> DOUBLE, NULL -> anything, DECIMAL of
 * smaller integer digits and scale to a wider one, DATE -> TIMESTAMP, and
 * ARRAY/MAP/STRUCT whose parts convert so (STRUCT fields by position, with
 * the same names).  INT goes to DECIMAL(p,s) only when p - s >= 10, BIGINT
 * when p - s >= 19. */
bool sl_type_implicit_cast(const sl_type *from, const sl_type *to);

/* The common type of two operands for arithmetic or comparison, or NULL
 * when they have none (or when out of memory).  Rules: NULL with T is T;
 * INT with BIGINT is BIGINT; DOUBLE with any numeric is DOUBLE; exact
 * numerics meet at the DECIMAL with the larger integer digits and the
 * larger scale (integers count as DECIMAL(10,0) and DECIMAL(19,0)),
 * bounded at precision 38 by giving up scale down to 6; DATE with
 * TIMESTAMP is TIMESTAMP; composites meet part by part.  VARCHAR meets
 * only VARCHAR.  The result is a fresh heap type or a singleton; free it
 * with sl_type_free. */
sl_type *sl_type_common(const sl_type *a, const sl_type *b);

#endif /* SLUICE_TYPES_H */
