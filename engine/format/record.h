/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.h - one Kafka record as the codecs receive it, and the pieces of
 * record handling that every format shares.
 *
 * A decoder turns one sl_record_msg into one row of a record batch (see
 * engine/types/batch.h).  Whatever happens, the row is appended: a record
 * that fails to decode becomes a row in state SL_BATCH_ROW_ERROR whose
 * values are all NULL, whose error (reason and message) is kept in the
 * batch, and whose raw key and value bytes are copied into the batch
 * arena, so that the error policy can dead-letter it after the message
 * itself is gone.  On success the row's raw key and value pointers are
 * the message's own (borrowed): valid only while the source keeps the
 * message.
 *
 * Every decoder fills the row metadata: partition, offset, the Kafka
 * timestamp (ROWTIME) and the event time, which is the event-time
 * column's value when the schema names one (that column must then be
 * non-NULL: a NULL fails the record with reason "not_null") and the Kafka
 * timestamp otherwise.  A batch with sl_record_schema_width(schema)
 * columns also gets ROWTIME, ROWPARTITION and ROWOFFSET as values after
 * the declared columns.
 *
 * CHECK constraints are expressions that the engine evaluates on decoded
 * batches; a row that fails one is rejected with sl_record_reject(...,
 * "check", ...), which marks it failed in the same way a decoder does.
 */
#ifndef SLUICE_FORMAT_RECORD_H
#define SLUICE_FORMAT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"
#include "engine/format/schema.h"
#include "engine/types/batch.h"
#include "engine/types/strbuf.h"
#include "engine/types/value.h"

/* One Kafka record, borrowed from the consumer for the duration of a
 * decode call. */
typedef struct sl_record_msg {
  const char *topic;
  int32_t partition;
  int64_t offset;
  int64_t timestamp;  /* ms since the epoch */
  const void *key;    /* NULL when the record has no key */
  size_t key_len;
  const void *value;  /* NULL for a tombstone */
  size_t value_len;
} sl_record_msg;

/* Marks row of batch failed with reason (one of the dead-letter reasons)
 * and a printf-style message.  The error is located by topic and the
 * row's partition and offset; it is kept in the batch and, when err is
 * not NULL, also stored in err.  The row's values become NULL and its raw
 * key and value are copied into the batch arena if they are not there
 * yet.  This is how CHECK constraints reject records.  Returns
 * SL_ERR_RECORD, or SL_ERR_NOMEM when the batch could not keep the
 * error (the row is still marked failed). */
sl_status sl_record_reject(sl_batch *batch, int row, const char *topic,
                           const char *reason, sl_error *err,
                           const char *fmt, ...) SL_PRINTF(6, 7);

/* Appends the record key for an output row whose key column holds v:
 * with SL_RECORD_KEY_STRING the value's text form (format.h), with
 * SL_RECORD_KEY_JSON its JSON.  A NULL value (or a schema without a key
 * column) writes nothing and sets *has_key false.  Returns SL_OK or
 * SL_ERR_NOMEM. */
sl_status sl_record_encode_key(const sl_record_schema *schema,
                               const sl_value *v, sl_strbuf *out,
                               bool *has_key);

#endif /* SLUICE_FORMAT_RECORD_H */
