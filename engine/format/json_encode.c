/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_encode.c - the JSON record encoder.
 *
 * Each column's member prefix ('{' or ',', the escaped name and ':') is
 * built once; a row appends prefixes and values.  The common scalars are
 * written here directly; everything else goes through sl_format_json so
 * that the JSON of values is defined in one place.
 */
#include "engine/format/json_encode.h"

#include <stdlib.h>
#include <string.h>

#include "engine/types/format.h"

struct sl_json_encoder {
  int ncols;
  sl_strbuf prefixes; /* all member prefixes, one after the other */
  size_t *off;        /* ncols + 1 offsets into prefixes */
  sl_type **types;    /* copies; NULL entries allowed */
};

/* Escapes the member names once. */
sl_json_encoder *sl_json_encoder_new(int ncols, const char *const *names,
                                     const sl_type *const *types,
                                     sl_error *err) {
  sl_json_encoder *enc = calloc(1, sizeof(*enc));
  if (!enc)
    goto nomem;
  sl_strbuf_init(&enc->prefixes);
  enc->off = calloc((size_t)ncols + 1, sizeof(*enc->off));
  enc->types = calloc(ncols ? (size_t)ncols : 1, sizeof(*enc->types));
  if (!enc->off || !enc->types)
    goto nomem;
  enc->ncols = ncols;

  for (int c = 0; c < ncols; c++) {
    enc->off[c] = enc->prefixes.len;
    sl_strbuf_appendc(&enc->prefixes, c ? ',' : '{');
    sl_format_json_string(&enc->prefixes, names[c], strlen(names[c]));
    sl_strbuf_appendc(&enc->prefixes, ':');
    if (types && types[c]) {
      enc->types[c] = sl_type_clone(types[c]);
      if (!enc->types[c])
        goto nomem;
    }
  }
  enc->off[ncols] = enc->prefixes.len;
  if (enc->prefixes.failed)
    goto nomem;
  return enc;

nomem:
  sl_json_encoder_free(enc);
  sl_error_set(err, SL_ERR_NOMEM, "out of memory building a JSON encoder");
  return NULL;
}

/* An encoder over the declared columns. */
sl_json_encoder *sl_json_encoder_for_schema(const sl_record_schema *schema,
                                            sl_error *err) {
  int n = schema->ncols;
  const char **names = malloc((n ? (size_t)n : 1) * sizeof(*names));
  const sl_type **types = malloc((n ? (size_t)n : 1) * sizeof(*types));
  sl_json_encoder *enc = NULL;
  if (names && types) {
    for (int c = 0; c < n; c++) {
      names[c] = schema->cols[c].name;
      types[c] = schema->cols[c].type;
    }
    enc = sl_json_encoder_new(n, names, types, err);
  } else {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory building a JSON encoder");
  }
  free(names);
  free(types);
  return enc;
}

/* Frees the encoder and its type copies. */
void sl_json_encoder_free(sl_json_encoder *enc) {
  if (!enc)
    return;
  if (enc->types) {
    for (int c = 0; c < enc->ncols; c++)
      sl_type_free(enc->types[c]);
  }
  free(enc->types);
  free(enc->off);
  sl_strbuf_free(&enc->prefixes);
  free(enc);
}

/* Appends a signed integer in decimal. */
static void append_int(sl_strbuf *out, int64_t v) {
  char buf[24], *p = buf + sizeof(buf);
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    *--p = '-';
  sl_strbuf_append(out, p, (size_t)(buf + sizeof(buf) - p));
}

static void append_value(sl_strbuf *out, const sl_value *v,
                         const sl_type *type) {
  switch (v->kind) {
  case SL_TYPE_NULL:
    sl_strbuf_append(out, "null", 4);
    break;
  case SL_TYPE_BOOLEAN:
    if (v->u.b)
      sl_strbuf_append(out, "true", 4);
    else
      sl_strbuf_append(out, "false", 5);
    break;
  case SL_TYPE_INT:
    append_int(out, v->u.i32);
    break;
  case SL_TYPE_BIGINT:
    append_int(out, v->u.i64);
    break;
  case SL_TYPE_VARCHAR:
    sl_format_json_string(out, v->u.str, v->len);
    break;
  default:
    sl_format_json(out, v, type);
    break;
  }
}

/* The member prefix of column c. */
static void append_prefix(const sl_json_encoder *enc, int c,
                          sl_strbuf *out) {
  sl_strbuf_append(out, enc->prefixes.data + enc->off[c],
                   enc->off[c + 1] - enc->off[c]);
}

/* Appends one object. */
sl_status sl_json_encode_row(const sl_json_encoder *enc,
                             const sl_value *values, sl_strbuf *out) {
  if (enc->ncols == 0)
    sl_strbuf_appendc(out, '{');
  for (int c = 0; c < enc->ncols; c++) {
    append_prefix(enc, c, out);
    append_value(out, &values[c], enc->types[c]);
  }
  sl_strbuf_appendc(out, '}');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

/* Appends one object from a batch row. */
sl_status sl_json_encode_batch_row(const sl_json_encoder *enc,
                                   const sl_batch *batch, int row,
                                   sl_strbuf *out) {
  if (enc->ncols == 0)
    sl_strbuf_appendc(out, '{');
  for (int c = 0; c < enc->ncols; c++) {
    append_prefix(enc, c, out);
    append_value(out, &batch->cols[c][row], enc->types[c]);
  }
  sl_strbuf_appendc(out, '}');
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
