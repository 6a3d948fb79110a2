/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serialize.c - one model version as one blob.
 *
 * Layout (little-endian; str = u32 length + bytes):
 *   "SLMODEL\0"            magic
 *   u32 format version     SL_MODEL_FORMAT_VERSION; newer ones are refused
 *   u8 kind, u8 classification
 *   u32 nparams, then (str key, str value) per parameter
 *   the inputs             see sl_model_features_write in transform.c
 *   u8 metrics on holdout, u64 rows, f64 auc, log_loss, accuracy,
 *      precision, recall, rmse, mae
 *   u64 training rows, u64 holdout rows
 *   XGBOOST: u64 length + XGBoost's JSON model
 *   linear:  f64 intercept, u32 ncoef (= columns), f64 per coefficient
 *   u64 XXH64 of every byte before it
 * The checksum catches damage before any part is trusted; the reader
 * also checks every length against what is left, so a damaged blob gives
 * an error, never a wild read.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "engine/model/model_internal.h"

#define SL_MODEL_FORMAT_VERSION 1
static const char magic[8] = {'S', 'L', 'M', 'O', 'D', 'E', 'L', '\0'};

sl_status sl_model_serialize(const sl_model *m, void **blob, size_t *len,
                             sl_error *err) {
  *blob = NULL;
  *len = 0;
  sl_strbuf b = SL_STRBUF_INIT;
  sl_model_put_bytes(&b, magic, sizeof(magic));
  sl_model_put_u32(&b, SL_MODEL_FORMAT_VERSION);
  sl_model_put_u8(&b, (uint8_t)m->kind);
  sl_model_put_u8(&b, m->classification ? 1 : 0);

  sl_model_put_u32(&b, (uint32_t)m->params.n);
  for (int i = 0; i < m->params.n; i++) {
    const sl_model_param *p = &m->params.items[i];
    sl_model_put_str(&b, p->key, strlen(p->key));
    sl_model_put_str(&b, p->value, strlen(p->value));
  }

  sl_model_features_write(&m->fs, &b);

  const sl_model_metrics *mt = &m->metrics;
  sl_model_put_u8(&b, m->metrics_on_holdout ? 1 : 0);
  sl_model_put_u64(&b, (uint64_t)mt->rows);
  sl_model_put_f64(&b, mt->auc);
  sl_model_put_f64(&b, mt->log_loss);
  sl_model_put_f64(&b, mt->accuracy);
  sl_model_put_f64(&b, mt->precision);
  sl_model_put_f64(&b, mt->recall);
  sl_model_put_f64(&b, mt->rmse);
  sl_model_put_f64(&b, mt->mae);
  sl_model_put_u64(&b, (uint64_t)m->train_rows);
  sl_model_put_u64(&b, (uint64_t)m->holdout_rows);

  sl_status rc = SL_OK;
  if (m->kind == SL_MODEL_XGBOOST) {
    rc = sl_model_xgb_save(m->booster, &b, err);
  } else {
    sl_model_put_f64(&b, m->intercept);
    sl_model_put_u32(&b, (uint32_t)m->fs.ncols);
    for (int c = 0; c < m->fs.ncols; c++)
      sl_model_put_f64(&b, m->coef[c]);
  }
  if (!rc && !b.failed)
    sl_model_put_u64(&b, XXH64(b.data, b.len, 0));
  if (!rc && b.failed)
    rc = sl_error_set(err, SL_ERR_NOMEM,
                      "out of memory serializing the model");
  if (rc) {
    sl_strbuf_free(&b);
    return rc;
  }
  *blob = sl_strbuf_detach(&b, len);
  if (!*blob)
    return sl_error_set(err, SL_ERR_NOMEM,
                        "out of memory serializing the model");
  return SL_OK;
}

/* "corrupt model blob: truncated while reading X". */
static sl_status truncated(const sl_model_reader *r, sl_error *err) {
  return sl_error_set(err, SL_ERR_RUNTIME,
                      "corrupt model blob: truncated while reading %s",
                      r->what ? r->what : "it");
}

/* Reads the parts after the header into m. */
static sl_status read_body(sl_model_reader *r, sl_model *m, sl_error *err) {
  uint32_t nparams = sl_model_get_count(r, 8, "the parameters");
  for (uint32_t i = 0; i < nparams && !r->bad; i++) {
    size_t klen, vlen;
    const char *k = sl_model_get_str(r, &klen, "a parameter name");
    const char *v = sl_model_get_str(r, &vlen, "a parameter value");
    if (r->bad)
      break;
    char *key = strndup(k, klen), *value = strndup(v, vlen);
    sl_status rc = key && value
                       ? sl_model_params_set(&m->params, key, value, err)
                       : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    free(key);
    free(value);
    if (rc)
      return rc;
  }
  if (r->bad)
    return truncated(r, err);

  sl_status rc = sl_model_features_read(r, &m->fs, err);
  if (rc)
    return r->bad ? truncated(r, err)
                  : sl_error_prefix(err, "corrupt model blob");
  rc = sl_model_alloc_counters(m, err);
  if (rc)
    return rc;

  m->metrics_on_holdout = sl_model_get_u8(r, "the metrics") != 0;
  m->metrics.rows = (int64_t)sl_model_get_u64(r, "the metrics");
  m->metrics.auc = sl_model_get_f64(r, "the metrics");
  m->metrics.log_loss = sl_model_get_f64(r, "the metrics");
  m->metrics.accuracy = sl_model_get_f64(r, "the metrics");
  m->metrics.precision = sl_model_get_f64(r, "the metrics");
  m->metrics.recall = sl_model_get_f64(r, "the metrics");
  m->metrics.rmse = sl_model_get_f64(r, "the metrics");
  m->metrics.mae = sl_model_get_f64(r, "the metrics");
  m->train_rows = (int64_t)sl_model_get_u64(r, "the row counts");
  m->holdout_rows = (int64_t)sl_model_get_u64(r, "the row counts");
  if (r->bad)
    return truncated(r, err);

  if (m->kind == SL_MODEL_XGBOOST) {
    uint64_t len = sl_model_get_u64(r, "the booster");
    const void *json = r->bad ? NULL
                              : sl_model_get_bytes(r, (size_t)len,
                                                   "the booster");
    if (r->bad || len > SIZE_MAX)
      return truncated(r, err);
    rc = sl_model_xgb_load(json, (size_t)len, "the model blob's booster",
                           &m->booster, err);
    if (!rc)
      rc = sl_model_xgb_native(m->booster, (size_t)m->fs.ncols, &m->trees,
                               err);
    return rc;
  }

  m->intercept = sl_model_get_f64(r, "the intercept");
  uint32_t ncoef = sl_model_get_count(r, 8, "the coefficients");
  if (r->bad)
    return truncated(r, err);
  if (ncoef != (uint32_t)m->fs.ncols)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "corrupt model blob: %u coefficients for %d "
                        "columns",
                        ncoef, m->fs.ncols);
  if (!m->fs.fill)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "corrupt model blob: a linear model without fill "
                        "values");
  m->coef = malloc(((size_t)ncoef + 1) * sizeof(double));
  if (!m->coef)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
  for (uint32_t c = 0; c < ncoef; c++)
    m->coef[c] = sl_model_get_f64(r, "the coefficients");
  if (r->bad)
    return truncated(r, err);
  return SL_OK;
}

sl_status sl_model_deserialize(const void *blob, size_t len, sl_model **out,
                               sl_error *err) {
  *out = NULL;
  const uint8_t *p = blob;
  if (!blob || len < sizeof(magic) + 4 + 8 ||
      memcmp(p, magic, sizeof(magic)) != 0)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "corrupt model blob: not a Sluice model (%zu "
                        "bytes, no header)",
                        len);

  sl_model_reader r = {p + sizeof(magic), p + len - 8, false, NULL};
  uint32_t version = sl_model_get_u32(&r, "the format version");
  if (version > SL_MODEL_FORMAT_VERSION || version == 0)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "corrupt model blob: format version %u; this "
                        "program reads version %d",
                        version, SL_MODEL_FORMAT_VERSION);

  /* The checksum, before anything else is believed. */
  uint64_t stored = 0;
  for (int i = 0; i < 8; i++)
    stored |= (uint64_t)p[len - 8 + i] << (8 * i);
  if (XXH64(p, len - 8, 0) != stored)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "corrupt model blob: checksum mismatch (%zu bytes)",
                        len);

  uint8_t kind = sl_model_get_u8(&r, "the kind");
  uint8_t classification = sl_model_get_u8(&r, "the task");
  if (r.bad)
    return truncated(&r, err);
  if (kind < SL_MODEL_XGBOOST || kind > SL_MODEL_LINEAR_REGRESSION ||
      classification > 1)
    return sl_error_set(err, SL_ERR_RUNTIME,
                        "corrupt model blob: unknown model kind %u", kind);
  sl_model *m = sl_model_alloc((sl_model_kind)kind, classification != 0);
  if (!m)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for a model");
  sl_status rc = read_body(&r, m, err);
  if (!rc && r.p != r.end)
    rc = sl_error_set(err, SL_ERR_RUNTIME,
                      "corrupt model blob: %zu unexpected trailing bytes",
                      (size_t)(r.end - r.p));
  if (rc) {
    sl_model_free(m);
    return rc;
  }
  *out = m;
  return SL_OK;
}
