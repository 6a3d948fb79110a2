/* SPDX-License-Identifier: Apache-2.0 */
/*
 * format_internal.h - pieces shared by the files of engine/format only.
 *
 * Both codecs compile a schema into the same per-column plans (sl_jplan:
 * the type to produce, how to read timestamps, and for STRUCT a hashed
 * field-name table), share one scratch area (sl_jwork) for unescaped text
 * and for the items of arrays and maps being built, convert text to
 * scalars with the same rules (sl_fmt_text_value), and finish a row the
 * same way: key fill, NOT NULL checks, event time, or failure.
 */
#ifndef SLUICE_FORMAT_INTERNAL_H
#define SLUICE_FORMAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/format/record.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/time.h"
#include "engine/types/types.h"
#include "engine/types/value.h"

/* Deepest nesting of arrays and objects a record may have. */
#define SL_FMT_MAX_DEPTH 64

/* Longest piece of input quoted in an error message, and a buffer that
 * holds such a quote. */
#define SL_FMT_QUOTE_MAX 64
#define SL_FMT_QUOTE_BUF (SL_FMT_QUOTE_MAX * 4 + 16)

/* A buffer for a type's SQL spelling in a message. */
#define SL_FMT_TYPE_BUF 256

/* ASCII-only case folding: identifiers match ignoring ASCII case. */
static inline unsigned char sl_fmt_fold(unsigned char c) {
  return (unsigned char)(c + (((unsigned)c - 'A' < 26u) << 5));
}

/* The length of the UTF-8 sequence at p (1 to 4), or 0 when it is not
 * valid: no overlong forms, no surrogates, nothing above U+10FFFF. */
static inline int sl_fmt_utf8_len(const unsigned char *p,
                                  const unsigned char *end) {
  unsigned c = p[0];
  size_t avail = (size_t)(end - p);
  if (c < 0x80)
    return 1;
  if (c < 0xC2)
    return 0;
  if (c < 0xE0)
    return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c < 0xF0) {
    if (avail < 3 || (p[2] & 0xC0) != 0x80)
      return 0;
    unsigned c1 = p[1];
    if (c == 0xE0 ? (c1 < 0xA0 || c1 > 0xBF)
        : c == 0xED ? (c1 < 0x80 || c1 > 0x9F)
                    : (c1 & 0xC0) != 0x80)
      return 0;
    return 3;
  }
  if (c < 0xF5) {
    if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
      return 0;
    unsigned c1 = p[1];
    if (c == 0xF0 ? (c1 < 0x90 || c1 > 0xBF)
        : c == 0xF4 ? (c1 < 0x80 || c1 > 0x8F)
                    : (c1 & 0xC0) != 0x80)
      return 0;
    return 4;
  }
  return 0;
}

/* Zero when n bytes of a and b are equal ignoring ASCII case. */
int sl_fmt_ascii_casecmp(const char *a, const char *b, size_t n);

/* The hash of a field name, folded to lower case (FNV-1a). */
#define SL_FMT_HASH_INIT 2166136261u
static inline uint32_t sl_fmt_hash_step(uint32_t h, unsigned char c) {
  return (h ^ sl_fmt_fold(c)) * 16777619u;
}
uint32_t sl_fmt_hash(const char *s, size_t len);

/* Writes s double-quoted into buf (SL_FMT_QUOTE_BUF bytes) for a message:
 * cut after about SL_FMT_QUOTE_MAX bytes with "...", '"' and '\\'
 * escaped, control bytes and bytes that are not valid UTF-8 as \xNN, so
 * that the message itself is always valid UTF-8.  Returns buf. */
char *sl_fmt_quote(char *buf, const char *s, size_t len);

/* Sets err to a record error with reason and message, located at msg (or
 * without a location when msg is NULL).  Returns SL_ERR_RECORD. */
sl_status sl_fmt_fail(sl_error *err, const sl_record_msg *msg,
                      const char *reason, const char *fmt, ...)
    SL_PRINTF(4, 5);

/* ---- Values built in place ---------------------------------------------- */

/* The value constructors of value.h, inline: the decoders build one value
 * per field and cannot afford a call for each. */
static inline sl_value sl_fmt_value(sl_type_kind kind) {
  sl_value v;
  memset(&v, 0, sizeof(v));
  v.kind = (uint8_t)kind;
  return v;
}

static inline sl_value sl_fmt_i64(sl_type_kind kind, int64_t x) {
  sl_value v = sl_fmt_value(kind);
  v.u.i64 = x;
  return v;
}

static inline sl_value sl_fmt_i32(sl_type_kind kind, int32_t x) {
  sl_value v = sl_fmt_value(kind);
  v.u.i32 = x;
  return v;
}

static inline sl_value sl_fmt_bool(bool b) {
  sl_value v = sl_fmt_value(SL_TYPE_BOOLEAN);
  v.u.b = b;
  return v;
}

static inline sl_value sl_fmt_f64(double d) {
  sl_value v = sl_fmt_value(SL_TYPE_DOUBLE);
  v.u.f64 = d;
  return v;
}

static inline sl_value sl_fmt_str(sl_type_kind kind, const char *s,
                                  size_t len) {
  sl_value v = sl_fmt_value(kind);
  v.len = (uint32_t)len;
  v.u.str = s;
  return v;
}

/* ---- Scratch space ------------------------------------------------------ */

typedef struct sl_jwork {
  char *buf;        /* unescaped text of the current string */
  size_t len, cap;
  char *tmp;        /* conversions: strtod copies, decoded base64 */
  size_t tcap;
  sl_value *stack;  /* items of the arrays and maps being built */
  size_t top, scap;
} sl_jwork;

void sl_jwork_init(sl_jwork *w);
void sl_jwork_free(sl_jwork *w);

/* Makes room for extra more bytes in buf; false when out of memory. */
bool sl_jwork_reserve(sl_jwork *w, size_t extra);

/* A conversion buffer of at least size bytes (its contents are not
 * kept), or NULL when out of memory. */
char *sl_jwork_tmp(sl_jwork *w, size_t size);

/* Doubles the item stack; false when out of memory. */
bool sl_jwork_grow_stack(sl_jwork *w);

/* Pushes one item; false when out of memory. */
static inline bool sl_jwork_push(sl_jwork *w, const sl_value *v) {
  if (w->top == w->scap && !sl_jwork_grow_stack(w))
    return false;
  w->stack[w->top++] = *v;
  return true;
}

/* ---- Plans -------------------------------------------------------------- */

typedef struct sl_jname {
  const char *name;
  uint32_t len;
  uint32_t hash; /* sl_fmt_hash of name */
  bool exact;    /* compare bytes exactly rather than ignoring case */
  int index;
} sl_jname;

/* An open-addressing table from field names to indexes, built once. */
typedef struct sl_jtable {
  uint32_t mask;
  int32_t *slots; /* index into names; -1 when empty */
  int n;
  sl_jname *names;
} sl_jtable;

/* Builds a table over n names (borrowed: they must outlive the table);
 * exact[i] says whether name i is compared exactly.  Exact names are
 * probed before the others.  False when out of memory. */
bool sl_jtable_build(sl_jtable *t, int n, const char *const *names,
                     const bool *exact);
void sl_jtable_free(sl_jtable *t);

/* The index for a field name with hash h, or -1.  Most records spell
 * names as declared, so bytes are compared before case is folded. */
static inline int sl_jtable_find(const sl_jtable *t, const char *s,
                                 size_t len, uint32_t h) {
  uint32_t i = h & t->mask;
  for (;;) {
    int32_t k = t->slots[i];
    if (k < 0)
      return -1;
    const sl_jname *e = &t->names[k];
    if (e->hash == h && e->len == len) {
      /* Names are short: a plain loop beats a call to memcmp. */
      size_t j = 0;
      while (j < len && e->name[j] == s[j])
        j++;
      if (j == len ||
          (!e->exact && sl_fmt_ascii_casecmp(e->name + j, s + j,
                                             len - j) == 0))
        return e->index;
    }
    i = (i + 1) & t->mask;
  }
}

typedef struct sl_jplan sl_jplan;

/* How to produce one value of a type. */
struct sl_jplan {
  sl_type_kind kind;
  const sl_type *type; /* borrowed from the schema, for messages */
  sl_time_spec time;   /* TIMESTAMP: how text is read */
  sl_jplan *elem;      /* ARRAY element, MAP value */
  int nfields;         /* STRUCT */
  sl_jplan *fields;
  sl_jtable table;     /* STRUCT field names */
};

/* Builds the plan for type into plan (which the caller owns).  Struct
 * field names are matched ignoring case unless two of them differ only
 * in case.  False when out of memory (plan is left cleared). */
bool sl_jplan_init(sl_jplan *plan, const sl_type *type,
                   const sl_time_spec *time);
void sl_jplan_clear(sl_jplan *plan);

/* ---- Scalars from text -------------------------------------------------- */

typedef enum sl_fmt_conv {
  SL_FMT_CONV_OK = 0,
  SL_FMT_CONV_BAD,   /* not a value of the type */
  SL_FMT_CONV_RANGE, /* a value, but outside the type's range */
  SL_FMT_CONV_NOMEM
} sl_fmt_conv;

/* Converts text to a scalar of plan's kind (not VARCHAR or a composite):
 * integers exactly ([+-]digits, or a decimal form whose value is
 * integral), DOUBLE (decimal text, NaN, Infinity, -Infinity), DECIMAL
 * rounded half away from zero to its scale, BOOLEAN (true/false, any
 * case), DATE (YYYY-MM-DD), TIMESTAMP per plan->time, INTERVAL (integer
 * milliseconds or [N days ]HH:MM:SS[.fff]), BYTES (base64).  With store,
 * the result goes to *out (BYTES in arena); otherwise the text is only
 * checked. */
sl_fmt_conv sl_fmt_text_value(const sl_jplan *plan, const char *s,
                              size_t len, bool store, sl_arena *arena,
                              sl_jwork *work, sl_value *out);

/* The shape of decimal number text, [+-]int[.frac][e[+-]exp]: the first
 * 19 significant digits are gathered in mant, digits beyond that make it
 * `big`.  The JSON decoder fills it while scanning a number token. */
typedef struct sl_fmt_num {
  bool neg;
  bool big;
  bool has_point, has_exp;
  uint64_t mant;
  int ndig;    /* significant digits gathered in mant */
  int int_dig; /* significant digits before the point */
  int frac;    /* digits of mant after the point */
  int64_t exp; /* the explicit exponent, clamped to +-100000 */
} sl_fmt_num;

/* The double of n when the exact fast path applies (at most 2^53 and a
 * power of ten up to 22): true and *out.  False otherwise. */
bool sl_fmt_num_fast_double(const sl_fmt_num *n, double *out);

/* Exact integer text ([+-]digits, leading zeros allowed) into [min, max].
 * Decimal forms with a fraction or exponent are accepted when their value
 * is integral. */
sl_fmt_conv sl_fmt_parse_int(const char *s, size_t len, int64_t min,
                             int64_t max, int64_t *out);

/* Decimal number text into a double, correctly rounded.  Accepts
 * [+-]digits[.digits][e[+-]digits] (also ".5" and "5."), NaN, Infinity
 * and -Infinity.  work holds the NUL-terminated copy strtod needs. */
sl_fmt_conv sl_fmt_parse_double(const char *s, size_t len, sl_jwork *work,
                                double *out);

/* "INT", "DECIMAL(10,2)", ... for messages, into buf of SL_FMT_TYPE_BUF
 * bytes. */
const char *sl_fmt_type_name(const sl_type *type, char *buf);

/* A description of the timestamp format for messages: "" for iso8601,
 * else " (timestamp_format 'epoch_s')" into buf of 96 bytes. */
const char *sl_fmt_time_hint(const sl_time_spec *time, char *buf);

/* ---- JSON values (json_decode.c) ---------------------------------------- */

/* Parses text as exactly one JSON value (blanks around it allowed) of
 * plan's type.  what names the value in messages ("column tags", "record
 * key").  Errors are record errors at msg (reason decode or type).  With
 * store the value goes to *out, its memory in arena; *present is false
 * for a JSON null.  Returns SL_OK, SL_ERR_RECORD or SL_ERR_NOMEM. */
sl_status sl_fmt_json_value(const sl_jplan *plan, const char *text,
                            size_t len, bool store, sl_arena *arena,
                            sl_jwork *work, const sl_record_msg *msg,
                            const char *what, sl_value *out, bool *present,
                            sl_error *err);

/* ---- Rows shared by the decoders (record.c) ----------------------------- */

/* A schema compiled for decoding: a plan per column, which columns are
 * materialized, and per-record state. */
typedef struct sl_fmt_cols {
  const sl_record_schema *schema; /* borrowed */
  int ncols;
  sl_jplan *plans;
  bool *store;    /* materialize column c into the batch */
  uint8_t *seen;  /* per record: SL_FMT_ABSENT, _NULL or _VALUE */
  bool borrow;    /* strings may point into the message */
  sl_jwork work;
} sl_fmt_cols;

enum { SL_FMT_ABSENT = 0, SL_FMT_NULL = 1, SL_FMT_VALUE = 2 };

sl_status sl_fmt_cols_init(sl_fmt_cols *cols,
                           const sl_record_schema *schema, bool borrow,
                           sl_error *err);
void sl_fmt_cols_free(sl_fmt_cols *cols);

/* Appends a row for msg with its metadata and system columns and clears
 * the per-record state.  Returns the row or -1 when the batch is full. */
int sl_fmt_row_begin(sl_fmt_cols *cols, sl_batch *batch,
                     const sl_record_msg *msg);

/* Converts msg's key to the key column's type by the schema's key format
 * into *out (memory from arena).  *present is false, and *out NULL, when
 * the schema has no key column, the record no key, or the key is JSON
 * null.  Errors are record errors naming the record key. */
sl_status sl_fmt_key_value(sl_fmt_cols *cols, const sl_record_msg *msg,
                           sl_arena *arena, sl_value *out, bool *present,
                           sl_error *err);

/* After a successful parse: fills the key column from the record key when
 * the value did not provide it, checks NOT NULL, and sets the event time.
 * Returns SL_OK or an error in err (the caller then fails the row). */
sl_status sl_fmt_row_finish(sl_fmt_cols *cols, sl_batch *batch, int row,
                            const sl_record_msg *msg, sl_error *err);

/* Fails row with err: values NULL, raw bytes copied, error kept.
 * Returns err->code (SL_ERR_NOMEM if keeping the error failed). */
sl_status sl_fmt_row_fail(sl_batch *batch, int row, const sl_error *err);

#endif /* SLUICE_FORMAT_INTERNAL_H */
