/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv_record.c - the CSV record codec.
 *
 * Decoding splits the line into fields in one pass (memchr finds the next
 * delimiter or quote) and converts each field as it is found, with the
 * same column plans and text rules as the JSON decoder.  As there, a
 * structural error anywhere in the line beats a type error, and the first
 * type error is the one reported.
 */
#include "engine/format/csv_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/format/format_internal.h"
#include "engine/types/format.h"

struct sl_csvrec_decoder {
  sl_fmt_cols cols;
  char delim;
  char *field;        /* unquoted text of a field with doubled quotes */
  size_t field_cap;
};

struct sl_csvrec_encoder {
  int ncols;
  char delim;
  sl_type **types;
};

/* Reads the delimiter option. */
sl_status sl_csvrec_delimiter_parse(const char *text, char *out,
                                 sl_error *err) {
  if (strcmp(text, "\\t") == 0 || strcmp(text, "tab") == 0 ||
      strcmp(text, "\t") == 0) {
    *out = '\t';
    return SL_OK;
  }
  if (strlen(text) != 1 || text[0] == '"' || text[0] == '\r' ||
      text[0] == '\n')
    return sl_error_set(err, SL_ERR_SQL,
                        "invalid delimiter '%s': expected one character "
                        "other than a quote or a line break",
                        text);
  *out = text[0];
  return SL_OK;
}

/* ---- Decoding ----------------------------------------------------------- */

/* Compiles the schema and checks the delimiter. */
sl_csvrec_decoder *sl_csvrec_decoder_new(const sl_record_schema *schema,
                                   const sl_csvrec_options *opts,
                                   sl_error *err) {
  char delim = opts && opts->delimiter ? opts->delimiter : ',';
  if (delim == '"' || delim == '\r' || delim == '\n') {
    sl_error_set(err, SL_ERR_SQL, "invalid CSV delimiter 0x%02x",
                 (unsigned char)delim);
    return NULL;
  }
  sl_csvrec_decoder *dec = calloc(1, sizeof(*dec));
  if (!dec) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory building a CSV decoder");
    return NULL;
  }
  dec->delim = delim;
  if (sl_fmt_cols_init(&dec->cols, schema, opts && opts->borrow_strings,
                       err)) {
    free(dec);
    return NULL;
  }
  return dec;
}

/* Frees the decoder (not the schema). */
void sl_csvrec_decoder_free(sl_csvrec_decoder *dec) {
  if (!dec)
    return;
  sl_fmt_cols_free(&dec->cols);
  free(dec->field);
  free(dec);
}

/* The state of one line. */
typedef struct cstate {
  sl_csvrec_decoder *dec;
  const sl_record_msg *msg;
  const char *base;
  sl_arena *arena;
  sl_batch *batch;
  int row;
  sl_error *err;
  bool type_failed;
  int only;        /* >= 0: convert this field alone, into probe, and stop
                      there (sl_csvrec_event_time) */
  sl_value *probe;
} cstate;

static bool csv_fail(cstate *st, const char *fmt, ...) SL_PRINTF(2, 3);
static bool csv_fail(cstate *st, const char *fmt, ...) {
  char text[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  sl_fmt_fail(st->err, st->msg, "decode", "%s", text);
  return false;
}

static void csv_type_error(cstate *st, const char *fmt, ...)
    SL_PRINTF(2, 3);
static void csv_type_error(cstate *st, const char *fmt, ...) {
  if (st->type_failed)
    return;
  st->type_failed = true;
  char text[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  sl_fmt_fail(st->err, st->msg, "type", "%s", text);
}

static bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

/* Converts the text of field c.  raw says whether text points into the
 * message (so that it may be borrowed).  False on out of memory only. */
static bool convert_field(cstate *st, int c, const char *text, size_t len,
                          bool quoted, bool raw) {
  sl_fmt_cols *cols = &st->dec->cols;
  const sl_record_column *col = &cols->schema->cols[c];
  const sl_jplan *plan = &cols->plans[c];
  bool store = cols->store[c] || st->probe;
  sl_value tmp;
  sl_value *cell = &tmp;
  if (st->probe)
    cell = st->probe;
  else if (cols->store[c])
    cell = &st->batch->cols[c][st->row];
  char q[SL_FMT_QUOTE_BUF], tn[SL_FMT_TYPE_BUF], hint[96];

  if (!quoted && len == 0) {
    cols->seen[c] = SL_FMT_NULL;
    return true;
  }
  cols->seen[c] = SL_FMT_VALUE;

  switch (plan->kind) {
  case SL_TYPE_VARCHAR:
    if (!sl_format_utf8_valid(text, len)) {
      csv_type_error(st, "column %s: invalid UTF-8 in %s", col->name,
                     sl_fmt_quote(q, text, len));
      return true;
    }
    if (store) {
      const char *kept = text;
      if (!(raw && cols->borrow)) {
        char *copy = sl_arena_alloc(st->arena, len ? len : 1);
        if (!copy)
          return false;
        memcpy(copy, text, len);
        kept = copy;
      }
      *cell = sl_value_varchar(kept, len);
    }
    break;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT: {
    /* JSON text inside a well-formed field: whatever is wrong with it is
     * a value that does not convert, hence "type". */
    char what[SL_ERROR_NAME_MAX + 8];
    snprintf(what, sizeof(what), "column %s", col->name);
    bool present;
    sl_error e;
    sl_status rc = sl_fmt_json_value(plan, text, len, store, st->arena,
                                     &cols->work, st->msg, what, cell,
                                     &present, &e);
    if (rc == SL_ERR_NOMEM) {
      *st->err = e;
      return false;
    }
    if (rc) {
      if (!st->type_failed) {
        st->type_failed = true;
        *st->err = e;
        snprintf(st->err->reason, sizeof(st->err->reason), "type");
      }
    } else if (!present) {
      cols->seen[c] = SL_FMT_NULL;
    }
    break;
  }
  default:
    while (len && is_blank(text[0])) {
      text++;
      len--;
    }
    while (len && is_blank(text[len - 1]))
      len--;
    switch (sl_fmt_text_value(plan, text, len, store, st->arena,
                              &cols->work, cell)) {
    case SL_FMT_CONV_OK:
      break;
    case SL_FMT_CONV_NOMEM:
      sl_error_set(st->err, SL_ERR_NOMEM, "out of memory decoding a record");
      return false;
    case SL_FMT_CONV_RANGE:
      csv_type_error(st, "column %s: %s is out of range for %s", col->name,
                     sl_fmt_quote(q, text, len),
                     sl_fmt_type_name(plan->type, tn));
      break;
    default:
      csv_type_error(st, "column %s: cannot convert %s to %s%s", col->name,
                     sl_fmt_quote(q, text, len),
                     sl_fmt_type_name(plan->type, tn),
                     plan->kind == SL_TYPE_TIMESTAMP
                         ? sl_fmt_time_hint(&plan->time, hint)
                         : "");
      break;
    }
    break;
  }
  return true;
}

/* Splits the line and converts its fields.  False on a decode error or
 * out of memory (err set). */
static bool parse_line(cstate *st, const char *p, const char *end) {
  sl_csvrec_decoder *dec = st->dec;
  int ncols = dec->cols.ncols;
  char delim = dec->delim;
  int f = 0;

  for (;;) {
    const char *text;
    size_t len;
    bool quoted = false, raw = true;

    if (p < end && *p == '"') {
      /* A quoted field: runs up to a quote that is not doubled. */
      const char *open = p++;
      size_t n = 0;
      for (;;) {
        const char *qq = p < end ? memchr(p, '"', (size_t)(end - p)) : NULL;
        if (!qq)
          return csv_fail(st, "unterminated quoted field starting at byte "
                          "%zu", (size_t)(open - st->base));
        bool doubled = qq + 1 < end && qq[1] == '"';
        if (doubled || !raw) {
          /* Doubled quotes: gather the unquoted text apart. */
          size_t piece = (size_t)(qq - p) + (doubled ? 1 : 0);
          if (raw) {
            raw = false;
            n = 0;
          }
          if (n + piece > dec->field_cap) {
            size_t cap = dec->field_cap ? dec->field_cap : 256;
            while (cap < n + piece)
              cap *= 2;
            char *buf = realloc(dec->field, cap);
            if (!buf) {
              sl_error_set(st->err, SL_ERR_NOMEM, "out of memory");
              return false;
            }
            dec->field = buf;
            dec->field_cap = cap;
          }
          memcpy(dec->field + n, p, piece);
          n += piece;
        }
        if (doubled) {
          p = qq + 2;
          continue;
        }
        text = raw ? open + 1 : dec->field;
        len = raw ? (size_t)(qq - open - 1) : n;
        p = qq + 1;
        break;
      }
      quoted = true;
      if (p < end && *p != delim)
        return csv_fail(st, "expected the delimiter or the end of the "
                        "record after a quoted field at byte %zu",
                        (size_t)(p - st->base));
    } else {
      const char *stop = p < end ? memchr(p, delim, (size_t)(end - p)) : NULL;
      if (!stop)
        stop = end;
      for (const char *s = p; s < stop; s++) {
        if (*s == '"')
          return csv_fail(st, "unexpected quote in an unquoted field at "
                          "byte %zu", (size_t)(s - st->base));
        if (*s == '\n' || *s == '\r')
          return csv_fail(st, "line break in an unquoted field at byte %zu",
                          (size_t)(s - st->base));
      }
      text = p;
      len = (size_t)(stop - p);
      p = stop;
    }

    if (f < ncols && (st->only < 0 || f == st->only)) {
      if (!convert_field(st, f, text, len, quoted, raw))
        return false;
      if (f == st->only)
        return true;
    }
    f++;
    if (p >= end)
      break;
    p++; /* the delimiter; a field follows, maybe empty */
  }

  if (f != ncols)
    return csv_fail(st, "expected %d field%s, found %d", ncols,
                    ncols == 1 ? "" : "s", f);
  return true;
}

/* Decodes one line into a new row. */
sl_status sl_csvrec_decode(sl_csvrec_decoder *dec, const sl_record_msg *msg,
                        sl_batch *batch, int *row_out, sl_error *err) {
  int row = sl_fmt_row_begin(&dec->cols, batch, msg);
  if (row_out)
    *row_out = row;
  if (row < 0)
    return sl_error_set(err, SL_ERR_INTERNAL, "record batch is full");

  sl_error local;
  sl_error *e = err ? err : &local;
  if (!msg->value) {
    sl_fmt_fail(e, msg, "decode", "the record has no value (a tombstone)");
    return sl_fmt_row_fail(batch, row, e);
  }

  const char *p = msg->value, *end = p + msg->value_len;
  if (end > p && end[-1] == '\n') {
    end--;
    if (end > p && end[-1] == '\r')
      end--;
  }
  cstate st = {dec, msg, p, sl_batch_arena(batch), batch, row, e, false,
                -1, NULL};
  if (!parse_line(&st, p, end) || st.type_failed ||
      sl_fmt_row_finish(&dec->cols, batch, row, msg, e))
    return sl_fmt_row_fail(batch, row, e);
  return SL_OK;
}

/* Reads the event time alone (see csv_record.h). */
bool sl_csvrec_event_time(sl_csvrec_decoder *dec, const sl_record_msg *msg,
                          sl_arena *arena, int64_t *out) {
  int e = dec->cols.schema->event_time_col;
  if (e < 0 || !msg->value)
    return false;
  const char *p = msg->value, *end = p + msg->value_len;
  if (end > p && end[-1] == '\n') {
    end--;
    if (end > p && end[-1] == '\r')
      end--;
  }
  sl_error ignored;
  sl_value v = {.kind = SL_TYPE_NULL};
  cstate st = {dec, msg, p, arena, NULL, -1, &ignored, false, e, &v};
  dec->cols.seen[e] = SL_FMT_ABSENT;
  if (!parse_line(&st, p, end) || st.type_failed ||
      dec->cols.seen[e] != SL_FMT_VALUE || v.kind != SL_TYPE_TIMESTAMP)
    return false;
  *out = v.u.i64;
  return true;
}

/* Converts the key alone. */
sl_status sl_csvrec_decode_key(sl_csvrec_decoder *dec, const sl_record_msg *msg,
                            sl_arena *arena, sl_value *out, sl_error *err) {
  bool present;
  return sl_fmt_key_value(&dec->cols, msg, arena, out, &present, err);
}

/* ---- Encoding ----------------------------------------------------------- */

/* Copies the types. */
sl_csvrec_encoder *sl_csvrec_encoder_new(int ncols, const sl_type *const *types,
                                   char delimiter, sl_error *err) {
  sl_csvrec_encoder *enc = calloc(1, sizeof(*enc));
  if (!enc)
    goto nomem;
  enc->types = calloc(ncols ? (size_t)ncols : 1, sizeof(*enc->types));
  if (!enc->types)
    goto nomem;
  enc->ncols = ncols;
  enc->delim = delimiter ? delimiter : ',';
  for (int c = 0; c < ncols; c++) {
    if (types && types[c] && !(enc->types[c] = sl_type_clone(types[c])))
      goto nomem;
  }
  return enc;

nomem:
  sl_csvrec_encoder_free(enc);
  sl_error_set(err, SL_ERR_NOMEM, "out of memory building a CSV encoder");
  return NULL;
}

/* An encoder over the declared columns. */
sl_csvrec_encoder *sl_csvrec_encoder_for_schema(const sl_record_schema *schema,
                                          char delimiter, sl_error *err) {
  int n = schema->ncols;
  const sl_type **types = malloc((n ? (size_t)n : 1) * sizeof(*types));
  if (!types) {
    sl_error_set(err, SL_ERR_NOMEM, "out of memory building a CSV encoder");
    return NULL;
  }
  for (int c = 0; c < n; c++)
    types[c] = schema->cols[c].type;
  sl_csvrec_encoder *enc = sl_csvrec_encoder_new(n, types, delimiter, err);
  free(types);
  return enc;
}

/* Frees the encoder and its type copies. */
void sl_csvrec_encoder_free(sl_csvrec_encoder *enc) {
  if (!enc)
    return;
  if (enc->types) {
    for (int c = 0; c < enc->ncols; c++)
      sl_type_free(enc->types[c]);
  }
  free(enc->types);
  free(enc);
}

/* Appends one line. */
sl_status sl_csvrec_encode_row(const sl_csvrec_encoder *enc,
                            const sl_value *values, sl_strbuf *out) {
  for (int c = 0; c < enc->ncols; c++) {
    if (c)
      sl_strbuf_appendc(out, enc->delim);
    sl_format_csv_field(out, &values[c], enc->types[c], enc->delim);
  }
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}

/* Appends one line from a batch row. */
sl_status sl_csvrec_encode_batch_row(const sl_csvrec_encoder *enc,
                                  const sl_batch *batch, int row,
                                  sl_strbuf *out) {
  for (int c = 0; c < enc->ncols; c++) {
    if (c)
      sl_strbuf_appendc(out, enc->delim);
    sl_format_csv_field(out, &batch->cols[c][row], enc->types[c],
                        enc->delim);
  }
  return out->failed ? SL_ERR_NOMEM : SL_OK;
}
