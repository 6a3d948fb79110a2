/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rowcodec.h - a compact binary form of values and rows, for the keys and
 * the state of the stateful operators.
 *
 * Grouping keys, join keys and buffered rows are stored as bytes: in the
 * operators' hash maps (two keys are equal exactly when their bytes are)
 * and in the state store, which checkpoints those bytes to SQLite.  The
 * form is self-describing (each value starts with its kind), so a reader
 * needs no types:
 *
 *   NULL                  kind
 *   BOOLEAN               kind, 1 byte
 *   INT, DATE             kind, 4 bytes little-endian
 *   BIGINT, TIMESTAMP,    kind, 8 bytes little-endian
 *   INTERVAL, DOUBLE
 *   DECIMAL               kind, scale, 16 bytes (low half, high half)
 *   VARCHAR, BYTES        kind, length (varint), bytes
 *   ARRAY, STRUCT         kind, items (varint), each item
 *   MAP                   kind, entries (varint), key and value of each
 *
 * Keys are canonical: -0.0 is written as 0.0 and every NaN as one NaN,
 * so values SQL groups together encode alike.  The helpers for integers
 * (fixed-width and varint) are shared by the operators' state layouts.
 */
#ifndef SLUICE_OPS_ROWCODEC_H
#define SLUICE_OPS_ROWCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/arena.h"
#include "engine/common/error.h"
#include "engine/types/strbuf.h"
#include "engine/types/value.h"

/* Appends v.  Returns SL_OK or SL_ERR_NOMEM (the buffer's sticky
 * failure). */
sl_status sl_rowcodec_put_value(sl_strbuf *out, const sl_value *v);

/* Appends n values. */
sl_status sl_rowcodec_put_values(sl_strbuf *out, const sl_value *v, int n);

/* Integers: 8 bytes little-endian, or a varint (LEB128, zigzag for the
 * signed form). */
sl_status sl_rowcodec_put_i64(sl_strbuf *out, int64_t v);
sl_status sl_rowcodec_put_u64v(sl_strbuf *out, uint64_t v);
sl_status sl_rowcodec_put_i64v(sl_strbuf *out, int64_t v);
/* A length-prefixed byte string. */
sl_status sl_rowcodec_put_blob(sl_strbuf *out, const void *p, size_t n);

/* A reading position in encoded bytes.  A read past the end or of a
 * malformed value sets `bad` and yields zero/NULL from then on, so a
 * caller may read a whole record and check once. */
typedef struct sl_rowcodec_reader {
  const unsigned char *p;
  const unsigned char *end;
  bool bad;
} sl_rowcodec_reader;

void sl_rowcodec_reader_init(sl_rowcodec_reader *rd, const void *p,
                             size_t n);

/* Reads one value; strings and composite items are copied into arena.
 * Returns false when the input is malformed or arena is exhausted. */
bool sl_rowcodec_get_value(sl_rowcodec_reader *rd, sl_arena *arena,
                           sl_value *out);

/* Reads n values into out. */
bool sl_rowcodec_get_values(sl_rowcodec_reader *rd, sl_arena *arena,
                            sl_value *out, int n);

int64_t sl_rowcodec_get_i64(sl_rowcodec_reader *rd);
uint64_t sl_rowcodec_get_u64v(sl_rowcodec_reader *rd);
int64_t sl_rowcodec_get_i64v(sl_rowcodec_reader *rd);
/* A length-prefixed byte string, borrowed from the input; *n gets its
 * length. */
const void *sl_rowcodec_get_blob(sl_rowcodec_reader *rd, size_t *n);
/* Skips one value without decoding it. */
bool sl_rowcodec_skip_value(sl_rowcodec_reader *rd);

/* Owned copies of values, for state kept decoded: the bytes that n values
 * (vals[i] points at value i) need besides their n sl_value slots, and
 * the copy itself into dst (n slots) with the data at data (that many
 * bytes, aligned for sl_value).  Strings and composite items end up in
 * data; nothing points into the originals. */
size_t sl_rowcodec_copy_size(const sl_value *const *vals, int n);
void sl_rowcodec_copy_values(const sl_value *const *vals, int n,
                             sl_value *dst, void *data);

/* True when every byte was read and nothing was malformed. */
static inline bool sl_rowcodec_done(const sl_rowcodec_reader *rd) {
  return !rd->bad && rd->p == rd->end;
}

#endif /* SLUICE_OPS_ROWCODEC_H */
