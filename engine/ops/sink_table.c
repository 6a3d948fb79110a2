/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sink_table.c - the training set sink (see sink_table.h).
 *
 * The sink holds one lookup handle on the training set, opened without a
 * cache (a training set is only appended to).  A batch's rows are written
 * between sl_catalog_begin and sl_catalog_commit, which hold the
 * catalog's lock: other queries' checkpoints and training set writers
 * wait for the batch rather than interleave with it.
 */
#include "engine/ops/sink_table.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/lookup.h"

typedef struct table_op {
  sl_op base;
  char *name;
  int ncols;
  int *cols;
  bool *hashed;
  char *secret;
  size_t secret_len;
  sl_lookup *lk;
  sl_value *row;       /* the row being written */
  char (*hex)[SL_SINK_TABLE_HASH_HEX + 1]; /* per column: its hash */
} table_op;

static void to_hex(const unsigned char *md, unsigned len, char *hex) {
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < len; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 15];
  }
  hex[2 * len] = '\0';
}

/* Hashes data under key (see sink_table.h). */
sl_status sl_sink_table_hash(const char *key, size_t key_len,
                             const void *data, size_t len,
                             char hex[SL_SINK_TABLE_HASH_HEX + 1],
                             sl_error *err) {
  static const unsigned char empty[1] = {0};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (!HMAC(EVP_sha256(), key_len ? (const void *)key : empty, (int)key_len,
            len ? (const unsigned char *)data : empty, len, md, &mdlen) ||
      mdlen * 2 != SL_SINK_TABLE_HASH_HEX)
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "depersonalizing a value: libcrypto's HMAC failed");
  to_hex(md, mdlen, hex);
  return SL_OK;
}

/* Makes a random key (see sink_table.h). */
sl_status sl_sink_table_new_secret(char hex[SL_SINK_TABLE_HASH_HEX + 1],
                                   sl_error *err) {
  unsigned char bytes[SL_SINK_TABLE_HASH_HEX / 2];
  if (RAND_bytes(bytes, (int)sizeof(bytes)) != 1)
    return sl_error_set(err, SL_ERR_RUNTIME, "cannot generate a key for "
                        "depersonalized columns: the random generator "
                        "failed");
  to_hex(bytes, (unsigned)sizeof(bytes), hex);
  return SL_OK;
}

static sl_status table_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err) {
  table_op *t = (table_op *)op;
  if (!ctx->catalog)
    return sl_error_set(err, SL_ERR_INTERNAL, "training set %s written "
                        "without a catalog", t->name);
  for (int c = 0; c < t->ncols; c++)
    if (t->hashed[c] && !t->secret)
      return sl_error_set(err, SL_ERR_INTERNAL, "training set %s has "
                          "depersonalized columns but no key", t->name);
  t->row = calloc((size_t)t->ncols + 1, sizeof(*t->row));
  t->hex = calloc((size_t)t->ncols + 1, sizeof(*t->hex));
  if (!t->row || !t->hex)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory opening training "
                        "set %s", t->name);
  return sl_lookup_open(ctx->catalog, t->name, 0, &t->lk, err);
}

/* Builds row r of b as the training set stores it. */
static sl_status make_row(table_op *t, const sl_batch *b, int r,
                          sl_error *err) {
  for (int c = 0; c < t->ncols; c++) {
    sl_value v = b->cols[t->cols[c]][r];
    if (t->hashed[c] && v.kind == SL_TYPE_VARCHAR) {
      sl_status rc = sl_sink_table_hash(t->secret, t->secret_len, v.u.str,
                                        v.len, t->hex[c], err);
      if (rc)
        return rc;
      v = sl_value_varchar(t->hex[c], SL_SINK_TABLE_HASH_HEX);
    }
    t->row[c] = v;
  }
  return SL_OK;
}

/* Appends the batch's live rows in one transaction. */
static sl_status write_batch(table_op *t, sl_batch *b, sl_error *err) {
  sl_catalog *cat = t->base.ctx->catalog;
  sl_status rc = sl_catalog_begin(cat, err);
  if (rc)
    return rc;
  for (int r = 0; r < b->nrows && rc == SL_OK; r++) {
    if (b->rows[r].state != SL_BATCH_ROW_SELECTED)
      continue;
    rc = make_row(t, b, r, err);
    if (rc)
      break;
    sl_error rerr;
    sl_error_clear(&rerr);
    rc = sl_lookup_upsert(t->lk, t->row, SL_LOOKUP_ALWAYS, &rerr);
    if (rc == SL_ERR_RECORD) {
      /* This row only: its batch's creator routes it to the policy. */
      atomic_fetch_add(&t->base.counters.records_failed, 1);
      rc = sl_batch_set_error(b, r, &rerr);
      if (rc)
        sl_error_set(err, rc, "out of memory marking a failed row");
    } else if (rc) {
      *err = rerr;
    }
  }
  if (rc) {
    sl_catalog_rollback(cat);
    return rc;
  }
  return sl_catalog_commit(cat, err);
}

static sl_status table_process(sl_op *op, int port, const sl_op_batch *in,
                               sl_error *err) {
  (void)port;
  table_op *t = (table_op *)op;
  if (sl_op_live_rows(in->batch) > 0) {
    sl_status rc = write_batch(t, in->batch, err);
    if (rc)
      return rc;
  }
  return sl_op_emit(op, in, err);
}

static void table_close(sl_op *op) {
  table_op *t = (table_op *)op;
  sl_lookup_close(t->lk);
  t->lk = NULL;
  free(t->row);
  t->row = NULL;
  free(t->hex);
  t->hex = NULL;
}

static void table_destroy(sl_op *op) {
  table_op *t = (table_op *)op;
  free(t->name);
  free(t->cols);
  free(t->hashed);
  if (t->secret)
    memset(t->secret, 0, t->secret_len);
  free(t->secret);
  free(t);
}

static const sl_op_class table_class = {
    .name = "sink_table",
    .open = table_open,
    .process = table_process,
    .close = table_close,
    .destroy = table_destroy,
};

/* Creates a training set sink (see sink_table.h). */
sl_status sl_sink_table_new(const sl_sink_table_spec *spec, sl_op **out,
                            sl_error *err) {
  *out = NULL;
  table_op *t = calloc(1, sizeof(*t));
  if (!t)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating a sink");
  sl_op_init(&t->base, &table_class, 1, err);
  t->ncols = spec->ncols;
  t->name = strdup(spec->name);
  t->cols = calloc((size_t)spec->ncols + 1, sizeof(*t->cols));
  t->hashed = calloc((size_t)spec->ncols + 1, sizeof(*t->hashed));
  if (spec->secret) {
    t->secret = malloc(spec->secret_len + 1);
    if (t->secret) {
      memcpy(t->secret, spec->secret, spec->secret_len);
      t->secret[spec->secret_len] = '\0';
      t->secret_len = spec->secret_len;
    }
  }
  if (!t->name || !t->cols || !t->hashed || (spec->secret && !t->secret)) {
    table_destroy(&t->base);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory creating a sink");
  }
  for (int c = 0; c < spec->ncols; c++) {
    t->cols[c] = spec->cols[c];
    t->hashed[c] = spec->hashed && spec->hashed[c];
  }
  *out = &t->base;
  return SL_OK;
}
