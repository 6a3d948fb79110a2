/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_table.h - the training set sink: rows appended to a training set's
 * SQLite table in the catalog as the stream flows.
 *
 * Each batch is one SQLite transaction: its live rows are appended
 * (sl_lookup_upsert on the training set) and committed before process()
 * returns, so the source offsets a task commits afterwards never run
 * ahead of the rows in SQLite (at-least-once: a crash between the two
 * replays rows, it never loses them).  A row that does not fit the
 * training set (a NULL in a NOT NULL column, a value out of range) is
 * marked failed with the catalog's record error and follows the query's
 * error policy; the other rows of its batch are kept.
 *
 * Depersonalized columns hold the lower-case hex HMAC-SHA256 of their
 * value keyed with the secret, so equal values still join and group
 * while the raw value is never stored; NULL stays NULL.
 */
#ifndef SLUICE_OPS_SINK_TABLE_H
#define SLUICE_OPS_SINK_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/ops/op.h"

/* Length of a hash as stored: 64 hex digits. */
#define SL_SINK_TABLE_HASH_HEX 64

typedef struct sl_sink_table_spec {
  const char *name;      /* the training set (copied) */
  int ncols;             /* its columns, in order */
  const int *cols;       /* per column: the input column (copied) */
  const bool *hashed;    /* per column: depersonalized; NULL: none */
  const char *secret;    /* the HMAC key (copied); required when a column
                            is hashed */
  size_t secret_len;
} sl_sink_table_spec;

/* Creates the sink.  The training set is opened at sl_op_open through the
 * context's catalog. */
sl_status sl_sink_table_new(const sl_sink_table_spec *spec, sl_op **out,
                            sl_error *err);

/* The hex HMAC-SHA256 of data under key into hex (SL_SINK_TABLE_HASH_HEX
 * digits and a NUL): the value a depersonalized column stores. */
sl_status sl_sink_table_hash(const char *key, size_t key_len,
                             const void *data, size_t len,
                             char hex[SL_SINK_TABLE_HASH_HEX + 1],
                             sl_error *err);

/* A new random key (32 bytes from the system's generator) as 64 hex
 * digits and a NUL, for an instance that has none configured. */
sl_status sl_sink_table_new_secret(char hex[SL_SINK_TABLE_HASH_HEX + 1],
                                   sl_error *err);

#endif /* SLUICE_OPS_SINK_TABLE_H */
