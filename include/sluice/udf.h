/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sluice/udf.h - the C interface for Sluice user-defined functions.
 *
 * A UDF library is a shared object (`cc -shared -fPIC`) that includes
 * only this header and exports one function, sluice_udf_register, which
 * returns a static table describing the library's functions: their
 * names, argument and return types (as SQL type text), whether they are
 * deterministic, and whether each is a scalar function or an aggregate.
 * Sluice loads the library with dlopen when a statement such as
 *
 *   CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
 *     LANGUAGE C AS 'libsluice_examples.so';
 *
 * runs (or when --udf-dir preloads a folder), finds the function of that
 * name (or the one named by SYMBOL '...'), checks that the declared
 * signature equals the SQL one, and calls it from then on.  The library
 * never links against Sluice: everything it may call is reached through
 * the context it is handed (ctx->host), and the helpers below wrap that.
 *
 * Values.  A UDF sees sluice_udf_value: a kind tag and a payload.  NULL
 * is its own kind.  VARCHAR is UTF-8 and BYTES raw bytes, both `len`
 * bytes at `u.str`, not NUL-terminated.  DECIMAL is a 128-bit unscaled
 * integer (two halves) and a scale: the value is unscaled / 10^scale.
 * DATE counts days since 1970-01-01, TIMESTAMP milliseconds since the
 * epoch (UTC), INTERVAL milliseconds.  ARRAY, MAP and STRUCT are
 * readable: `len` items (a MAP has 2*len, key then value; keys are
 * VARCHAR) at `u.items`.  Argument memory belongs to Sluice and is valid
 * only during the call.
 *
 * Scalar functions are called once per row, or once per batch when the
 * declaration has a batch entry point.  Unless the function is declared
 * SLUICE_UDF_CALLED_ON_NULL, a row with a NULL argument gives NULL
 * without a call.
 *
 * Errors.  A function that cannot compute a row reports it with
 * sluice_udf_error (per-row calls, then return SLUICE_UDF_ERROR) or
 * sluice_udf_row_error (batch calls).  The row's result is NULL and the
 * row follows the stream's error policy with the dead-letter reason
 * "udf" and the message, prefixed with the function's SQL name.  Return
 * SLUICE_UDF_NOMEM when memory runs out: that fails the whole batch.
 *
 * Scratch memory.  sluice_udf_scratch returns memory that lives until
 * the batch is done; Sluice frees it.  Results may point into scratch,
 * static memory or the arguments: Sluice copies what a result points to
 * before the call's memory goes away.
 *
 * Aggregates keep a state of a fixed size that Sluice allocates, zeroes,
 * stores and checkpoints as plain bytes: a state must not hold pointers
 * (it is copied, written to disk and read back in another process), and
 * its bytes are read back by the same library on a machine of the same
 * byte order.  Sluice calls init (optional), add per row, merge to
 * combine two states (hopping and session windows, parallel partials),
 * result to read the value, and retract (optional) to remove a row from
 * a sliding window; an aggregate with retract may be used OVER (...
 * RANGE BETWEEN ... PRECEDING AND CURRENT ROW).
 *
 * Threads: Sluice may call one function from several threads at once,
 * each with its own context, arguments and states; a function must not
 * keep unsynchronized global mutable state.  The declaration table and
 * everything it points to must stay valid while the library is loaded.
 *
 * Compatibility: a library records the SLUICE_UDF_ABI_VERSION it was
 * built with; Sluice refuses a library built for another version, with
 * an error naming the library and both versions.
 */
#ifndef SLUICE_UDF_H
#define SLUICE_UDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface.  It changes whenever a structure or a
 * calling convention below changes. */
#define SLUICE_UDF_ABI_VERSION 1

/* The name of the entry point every library exports. */
#define SLUICE_UDF_ENTRY "sluice_udf_register"

/* Makes the entry point visible even under -fvisibility=hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define SLUICE_UDF_EXPORT __attribute__((visibility("default")))
#else
#define SLUICE_UDF_EXPORT
#endif

/* Largest aggregate state, in bytes. */
#define SLUICE_UDF_MAX_STATE 65536

/* ------------------------------------------------------------------ */
/* Values                                                              */
/* ------------------------------------------------------------------ */

/* The kinds of values. */
typedef enum sluice_udf_type {
  SLUICE_UDF_NULL = 0,
  SLUICE_UDF_BOOLEAN = 1,
  SLUICE_UDF_INT = 2,       /* 32-bit signed */
  SLUICE_UDF_BIGINT = 3,    /* 64-bit signed */
  SLUICE_UDF_DOUBLE = 4,
  SLUICE_UDF_DECIMAL = 5,   /* up to 38 digits */
  SLUICE_UDF_VARCHAR = 6,   /* UTF-8 */
  SLUICE_UDF_BYTES = 7,
  SLUICE_UDF_DATE = 8,      /* days since 1970-01-01 */
  SLUICE_UDF_TIMESTAMP = 9, /* ms since the epoch, UTC */
  SLUICE_UDF_INTERVAL = 10, /* ms */
  SLUICE_UDF_ARRAY = 11,    /* read-only */
  SLUICE_UDF_MAP = 12,      /* read-only; VARCHAR keys */
  SLUICE_UDF_STRUCT = 13    /* read-only; fields in declared order */
} sluice_udf_type;

typedef struct sluice_udf_value sluice_udf_value;

/* One value.  Read it with the sluice_udf_get_* helpers (or the fields,
 * as documented at the top of this file) and build results with the
 * sluice_udf_set_* helpers. */
struct sluice_udf_value {
  uint8_t kind;      /* sluice_udf_type */
  uint8_t scale;     /* DECIMAL: digits after the point */
  uint16_t reserved; /* zero */
  uint32_t len;      /* VARCHAR, BYTES: bytes; ARRAY, MAP, STRUCT: items */
  union {
    bool b;          /* BOOLEAN */
    int32_t i32;     /* INT, DATE */
    int64_t i64;     /* BIGINT, TIMESTAMP, INTERVAL */
    double f64;      /* DOUBLE */
    struct {
      uint64_t lo;   /* the unscaled value's two's complement, low half */
      int64_t hi;    /* ... and high half */
    } dec;           /* DECIMAL */
    const char *str; /* VARCHAR, BYTES */
    const sluice_udf_value *items; /* ARRAY, MAP, STRUCT */
  } u;
};

/* ------------------------------------------------------------------ */
/* The call context                                                    */
/* ------------------------------------------------------------------ */

typedef struct sluice_udf_ctx sluice_udf_ctx;

/* What Sluice offers a function; reach it through the helpers below. */
typedef struct sluice_udf_host {
  uint32_t abi_version; /* SLUICE_UDF_ABI_VERSION of the running Sluice */
  void *(*scratch)(sluice_udf_ctx *ctx, size_t size);
  void (*error)(sluice_udf_ctx *ctx, int row, const char *message);
} sluice_udf_host;

/* Handed to every call; owned by Sluice, valid during the call only. */
struct sluice_udf_ctx {
  const sluice_udf_host *host;
  void *user_data;    /* the declaration's user_data */
  int nargs;          /* arguments of the function */
  int row;            /* per-row calls: the row within the batch; -1 in
                         aggregate init, merge and result */
  int64_t event_time; /* aggregate add and retract: the row's event time
                         (ms); 0 elsewhere */
};

/* Return codes of the functions a library provides. */
enum {
  SLUICE_UDF_OK = 0,    /* done (a row error may have been reported) */
  SLUICE_UDF_ERROR = 1, /* this row failed (see sluice_udf_error) */
  SLUICE_UDF_NOMEM = 2  /* out of memory: the whole batch fails */
};

/* size bytes of scratch memory, aligned for any type, valid until the
 * batch is done (Sluice frees it).  NULL when out of memory: return
 * SLUICE_UDF_NOMEM then. */
static inline void *sluice_udf_scratch(sluice_udf_ctx *ctx, size_t size) {
  return ctx->host->scratch(ctx, size);
}

/* Reports that the current row (per-row scalar calls, aggregate add)
 * failed, with a message (copied; Sluice prefixes the function's name).
 * Return SLUICE_UDF_ERROR afterwards.  In aggregate merge and result it
 * fails the aggregate's output the same way. */
static inline void sluice_udf_error(sluice_udf_ctx *ctx,
                                    const char *message) {
  ctx->host->error(ctx, ctx->row, message);
}

/* Reports that row `row` of a batch call failed (message copied).  The
 * row's result is ignored. */
static inline void sluice_udf_row_error(sluice_udf_ctx *ctx, int row,
                                        const char *message) {
  ctx->host->error(ctx, row, message);
}

/* ------------------------------------------------------------------ */
/* Reading values                                                      */
/* ------------------------------------------------------------------ */

static inline bool sluice_udf_is_null(const sluice_udf_value *v) {
  return v->kind == SLUICE_UDF_NULL;
}

static inline bool sluice_udf_get_bool(const sluice_udf_value *v) {
  return v->u.b;
}

static inline int32_t sluice_udf_get_int(const sluice_udf_value *v) {
  return v->u.i32;
}

/* BIGINT, TIMESTAMP (ms) or INTERVAL (ms). */
static inline int64_t sluice_udf_get_bigint(const sluice_udf_value *v) {
  return v->u.i64;
}

static inline double sluice_udf_get_double(const sluice_udf_value *v) {
  return v->u.f64;
}

/* DATE: days since 1970-01-01. */
static inline int32_t sluice_udf_get_date(const sluice_udf_value *v) {
  return v->u.i32;
}

/* The bytes of a VARCHAR or BYTES value (not NUL-terminated); *len gets
 * their count. */
static inline const char *sluice_udf_get_text(const sluice_udf_value *v,
                                              size_t *len) {
  *len = v->len;
  return v->u.str;
}

/* A DECIMAL's unscaled value when it fits 64 bits (true), and its scale.
 * The value is *unscaled / 10^scale. */
static inline bool sluice_udf_get_decimal(const sluice_udf_value *v,
                                          int64_t *unscaled, int *scale) {
  *scale = v->scale;
  *unscaled = (int64_t)v->u.dec.lo;
  return (v->u.dec.hi == 0 && v->u.dec.lo <= (uint64_t)INT64_MAX) ||
         (v->u.dec.hi == -1 && v->u.dec.lo > (uint64_t)INT64_MAX);
}

/* A DECIMAL as the nearest double (approximately: within a few units in
 * the last place). */
static inline double sluice_udf_decimal_to_double(const sluice_udf_value *v) {
  uint64_t lo = v->u.dec.lo, hi = (uint64_t)v->u.dec.hi;
  bool negative = v->u.dec.hi < 0;
  if (negative) { /* the magnitude, by two's complement */
    lo = ~lo + 1;
    hi = ~hi + (lo == 0);
  }
  double x = (double)hi * 18446744073709551616.0 + (double)lo;
  for (int i = 0; i < v->scale; i++)
    x /= 10.0;
  return negative ? -x : x;
}

/* Items of an ARRAY or STRUCT, entries of a MAP. */
static inline uint32_t sluice_udf_length(const sluice_udf_value *v) {
  return v->len;
}

/* Item i (0-based, < length) of an ARRAY; field i of a STRUCT. */
static inline const sluice_udf_value *
sluice_udf_item(const sluice_udf_value *v, uint32_t i) {
  return &v->u.items[i];
}

/* Key and value of entry i of a MAP. */
static inline const sluice_udf_value *
sluice_udf_map_key(const sluice_udf_value *v, uint32_t i) {
  return &v->u.items[2 * (size_t)i];
}

static inline const sluice_udf_value *
sluice_udf_map_value(const sluice_udf_value *v, uint32_t i) {
  return &v->u.items[2 * (size_t)i + 1];
}

/* ------------------------------------------------------------------ */
/* Setting results                                                     */
/* ------------------------------------------------------------------ */

/* A result must have the declared return type's kind, or be NULL;
 * Sluice fails the row (reason "udf") otherwise.  ARRAY, MAP and STRUCT
 * cannot be returned in this version. */

static inline void sluice_udf_set_null(sluice_udf_value *out) {
  out->kind = SLUICE_UDF_NULL;
  out->scale = 0;
  out->reserved = 0;
  out->len = 0;
  out->u.i64 = 0;
}

static inline void sluice_udf_set_bool(sluice_udf_value *out, bool b) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_BOOLEAN;
  out->u.b = b;
}

static inline void sluice_udf_set_int(sluice_udf_value *out, int32_t v) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_INT;
  out->u.i32 = v;
}

static inline void sluice_udf_set_bigint(sluice_udf_value *out, int64_t v) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_BIGINT;
  out->u.i64 = v;
}

static inline void sluice_udf_set_double(sluice_udf_value *out, double v) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_DOUBLE;
  out->u.f64 = v;
}

static inline void sluice_udf_set_date(sluice_udf_value *out, int32_t days) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_DATE;
  out->u.i32 = days;
}

static inline void sluice_udf_set_timestamp(sluice_udf_value *out,
                                            int64_t ms) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_TIMESTAMP;
  out->u.i64 = ms;
}

static inline void sluice_udf_set_interval(sluice_udf_value *out,
                                           int64_t ms) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_INTERVAL;
  out->u.i64 = ms;
}

/* DECIMAL unscaled / 10^scale.  Sluice rounds it to the declared scale
 * (half away from zero) and fails the row when it does not fit the
 * declared precision. */
static inline void sluice_udf_set_decimal(sluice_udf_value *out,
                                          int64_t unscaled, int scale) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_DECIMAL;
  out->scale = (uint8_t)scale;
  out->u.dec.lo = (uint64_t)unscaled;
  out->u.dec.hi = unscaled < 0 ? -1 : 0;
}

/* DECIMAL from the two halves of a 128-bit unscaled value. */
static inline void sluice_udf_set_decimal128(sluice_udf_value *out,
                                             uint64_t lo, int64_t hi,
                                             int scale) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_DECIMAL;
  out->scale = (uint8_t)scale;
  out->u.dec.lo = lo;
  out->u.dec.hi = hi;
}

/* VARCHAR (must be UTF-8) or BYTES of len bytes at s.  The bytes are not
 * copied now: they must stay valid until the function returns (static
 * text, an argument's bytes, or scratch memory); Sluice copies them. */
static inline void sluice_udf_set_varchar(sluice_udf_value *out,
                                          const char *s, size_t len) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_VARCHAR;
  out->len = (uint32_t)len;
  out->u.str = s;
}

static inline void sluice_udf_set_bytes(sluice_udf_value *out,
                                        const void *p, size_t len) {
  sluice_udf_set_null(out);
  out->kind = SLUICE_UDF_BYTES;
  out->len = (uint32_t)len;
  out->u.str = (const char *)p;
}

/* ------------------------------------------------------------------ */
/* Functions a library provides                                        */
/* ------------------------------------------------------------------ */

/* A scalar function, per row: args holds ctx->nargs values (never NULL
 * ones unless declared SLUICE_UDF_CALLED_ON_NULL); set *result (it
 * starts as NULL) and return SLUICE_UDF_OK, or report an error and
 * return SLUICE_UDF_ERROR, or return SLUICE_UDF_NOMEM. */
typedef int (*sluice_udf_scalar_fn)(sluice_udf_ctx *ctx,
                                    const sluice_udf_value *args,
                                    sluice_udf_value *result);

/* A scalar function, per batch: args[i][row] is argument i of row row,
 * for nrows rows.  Compute results[row] (all start as NULL) for every
 * row whose live[row] is true; the other rows have a NULL argument (or
 * are not needed) and their results are ignored.  Report failing rows
 * with sluice_udf_row_error.  Return SLUICE_UDF_OK or SLUICE_UDF_NOMEM. */
typedef int (*sluice_udf_batch_fn)(sluice_udf_ctx *ctx, int nrows,
                                   const sluice_udf_value *const *args,
                                   const bool *live,
                                   sluice_udf_value *results);

/* An aggregate.  Every state is state_size bytes (at most
 * SLUICE_UDF_MAX_STATE), zeroed by Sluice before init, aligned for any
 * type. */
typedef struct sluice_udf_aggregate {
  size_t state_size;

  /* Optional: makes the empty state, when all zeros is not it. */
  void (*init)(sluice_udf_ctx *ctx, void *state);

  /* Adds one row (ctx->event_time is its event time).  On
   * SLUICE_UDF_ERROR (after sluice_udf_error) the row is not part of the
   * group, so leave the state unchanged. */
  int (*add)(sluice_udf_ctx *ctx, void *state,
             const sluice_udf_value *args);

  /* Optional: removes a row added before (sliding windows).  Only rows
   * whose add succeeded are retracted.  SLUICE_UDF_ERROR fails the
   * window's output. */
  int (*retract)(sluice_udf_ctx *ctx, void *state,
                 const sluice_udf_value *args);

  /* Folds other into state; other's rows count as having arrived after
   * state's.  SLUICE_UDF_ERROR fails the merged output. */
  int (*merge)(sluice_udf_ctx *ctx, void *state, const void *other);

  /* The state's value into *result (it starts as NULL: leave it so for
   * "no value").  May be called often (after every row with EMIT
   * CHANGES); must not change the state. */
  int (*result)(sluice_udf_ctx *ctx, const void *state,
                sluice_udf_value *result);
} sluice_udf_aggregate;

/* Function kinds. */
enum {
  SLUICE_UDF_SCALAR = 1,
  SLUICE_UDF_AGGREGATE = 2
};

/* Function flags: exactly one of the first two must be given. */
enum {
  SLUICE_UDF_DETERMINISTIC = 1u << 0,    /* same arguments, same result */
  SLUICE_UDF_NONDETERMINISTIC = 1u << 1, /* may differ (clock, random) */
  SLUICE_UDF_CALLED_ON_NULL = 1u << 2    /* also called with NULL
                                            arguments */
};

/* The declaration of one function. */
typedef struct sluice_udf_function {
  /* The name CREATE FUNCTION binds to (by default the SQL name; SYMBOL
   * '...' names another).  Letters, digits and '_'. */
  const char *name;
  /* The argument types as SQL text, comma-separated, e.g. "VARCHAR,
   * DECIMAL(12,2), ARRAY<DOUBLE>"; "" for none. */
  const char *arg_types;
  /* The return type as SQL text: BOOLEAN, INT, BIGINT, DOUBLE,
   * DECIMAL(p,s), VARCHAR, BYTES, DATE, TIMESTAMP or INTERVAL. */
  const char *return_type;
  int kind;       /* SLUICE_UDF_SCALAR or SLUICE_UDF_AGGREGATE */
  unsigned flags; /* SLUICE_UDF_DETERMINISTIC | ... */
  const char *doc; /* one line for DESCRIBE FUNCTION; may be NULL */

  /* Scalars: scalar (per row) and/or batch; batch is used when given. */
  sluice_udf_scalar_fn scalar;
  sluice_udf_batch_fn batch;

  /* Aggregates: add, merge and result are required. */
  const sluice_udf_aggregate *aggregate;

  void *user_data; /* handed to every call as ctx->user_data */
} sluice_udf_function;

/* What sluice_udf_register returns. */
typedef struct sluice_udf_library {
  uint32_t abi_version; /* SLUICE_UDF_ABI_VERSION; must come first */
  const char *name;     /* for messages; may be NULL */
  int nfunctions;
  const sluice_udf_function *functions;
} sluice_udf_library;

/* The entry point.  Sluice calls it once after loading the library,
 * passing its own SLUICE_UDF_ABI_VERSION; it returns the library's
 * declaration table (static: Sluice never frees it), or NULL to refuse
 * to load.  Define it with SLUICE_UDF_EXPORT in the library. */
typedef const sluice_udf_library *(*sluice_udf_register_fn)(
    uint32_t host_abi_version);

SLUICE_UDF_EXPORT const sluice_udf_library *
sluice_udf_register(uint32_t host_abi_version);

#ifdef __cplusplus
}
#endif

#endif /* SLUICE_UDF_H */
