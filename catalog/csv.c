/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csv.c - the RFC 4180 reader and LOAD into tables.
 *
 * The reader pulls the file through a large buffer and splits it into
 * records, copying each record's field bytes (quotes removed) into one
 * growing array with an offset and length per field.  A record that
 * cannot be split (text after a closing quote) is a bad record like one
 * with a bad value: the reader skips to the end of its line and goes on.
 * A quote left open at the end of the file is the last bad record.
 *
 * Converting a record reuses one arena, reset per record, so reading a
 * million rows makes no allocation per field.  sl_csv_load feeds the rows
 * to a lookup handle's prepared upsert inside batched transactions.
 */
#include "catalog/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "catalog/catalog_internal.h"
#include "catalog/json_read.h"
#include "catalog/lookup.h"
#include "engine/common/arena.h"
#include "engine/types/format.h"
#include "engine/types/time.h"

#define BLOCK_SIZE (1 << 20)
#define VALUE_QUOTE_MAX 60

/* ==== Options ========================================================== */

void sl_csv_options_init(sl_csv_options *opt) {
  memset(opt, 0, sizeof(*opt));
  opt->delimiter = ',';
  opt->header = true;
  opt->null_marker = "";
  opt->errors = SL_CSV_FAIL;
  opt->max_reasons = 5;
  opt->batch_rows = 10000;
}

sl_status sl_csv_options_set(sl_csv_options *opt, const char *name,
                             const char *value, sl_error *err) {
  if (strcmp(name, "header") == 0) {
    if (strcasecmp(value, "true") == 0)
      opt->header = true;
    else if (strcasecmp(value, "false") == 0)
      opt->header = false;
    else
      return sl_error_set(err, SL_ERR_SQL, "option header must be true or "
                          "false, not \"%s\"", value);
  } else if (strcmp(name, "delimiter") == 0) {
    if (strcmp(value, "\\t") == 0)
      opt->delimiter = '\t';
    else if (strlen(value) == 1 && value[0] != '"' && value[0] != '\n' &&
             value[0] != '\r')
      opt->delimiter = value[0];
    else
      return sl_error_set(err, SL_ERR_SQL, "option delimiter must be one "
                          "character other than a quote or line break, not "
                          "\"%s\"", value);
  } else if (strcmp(name, "null") == 0) {
    opt->null_marker = value;
  } else if (strcmp(name, "errors") == 0) {
    if (strcasecmp(value, "fail") == 0)
      opt->errors = SL_CSV_FAIL;
    else if (strcasecmp(value, "skip") == 0)
      opt->errors = SL_CSV_SKIP;
    else
      return sl_error_set(err, SL_ERR_SQL, "option errors of LOAD must be "
                          "'fail' or 'skip', not '%s'", value);
  } else if (strcmp(name, "timestamp_format") == 0) {
    sl_time_spec spec;
    sl_status rc = sl_time_spec_parse(value, &spec, err);
    if (rc)
      return rc;
    opt->timestamp_format = value;
  } else {
    return sl_error_set(err, SL_ERR_SQL, "unknown LOAD option \"%s\"; "
                        "expected header, delimiter, null, errors or "
                        "timestamp_format", name);
  }
  return SL_OK;
}

void sl_csv_result_free(sl_csv_result *result) {
  if (!result)
    return;
  for (int i = 0; i < result->nreasons; i++)
    free(result->reasons[i]);
  free(result->reasons);
  result->reasons = NULL;
  result->nreasons = 0;
  free(result->ignored);
  result->ignored = NULL;
  result->nignored = 0;
}

/* Adds a header name that matches no declared column to the result's
 * list, which says what the file held that was not loaded. */
static sl_status note_ignored(sl_csv_result *res, const char *name,
                              size_t len, sl_error *err) {
  if (res->nignored++ >= SL_CSV_IGNORED_NAMES)
    return SL_OK;
  size_t old = res->ignored ? strlen(res->ignored) : 0;
  char *grown = realloc(res->ignored, old + len + 3);
  if (!grown)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (old) {
    memcpy(grown + old, ", ", 2);
    old += 2;
  }
  memcpy(grown + old, name, len);
  grown[old + len] = '\0';
  res->ignored = grown;
  return SL_OK;
}

/* ==== Splitting records ================================================ */

typedef struct reader {
  FILE *f;
  char *buf;
  size_t len;       /* bytes in buf */
  size_t pos;       /* next byte to read */
  bool eof;
  bool io_error;
  int64_t consumed; /* bytes before buf[0] */
  int64_t line;     /* line of the next byte, 1-based */
  char delim;

  char *data;       /* the current record's field bytes */
  size_t dlen, dcap;
  size_t *off;      /* per field: offset in data, length, quoted */
  size_t *flen;
  bool *quoted;
  int nfields, fcap;

  sl_csv_progress_fn progress;
  void *progress_ud;
  int64_t total;
  int64_t records;
} reader;

enum { END = -1 };

static bool refill(reader *r) {
  if (r->eof)
    return false;
  r->consumed += (int64_t)r->len;
  /* The block used up is reported with the records read from it, so
   * that the bytes never run ahead of the records. */
  if (r->progress && r->len > 0)
    r->progress(r->progress_ud, r->records, r->consumed, r->total);
  r->len = fread(r->buf, 1, BLOCK_SIZE, r->f);
  r->pos = 0;
  if (r->len == 0) {
    r->eof = true;
    r->io_error = ferror(r->f) != 0;
    return false;
  }
  return true;
}

static inline int next_char(reader *r) {
  if (r->pos < r->len || refill(r))
    return (unsigned char)r->buf[r->pos++];
  return END;
}

static inline int peek_char(reader *r) {
  if (r->pos < r->len || refill(r))
    return (unsigned char)r->buf[r->pos];
  return END;
}

static bool push_byte(reader *r, char c) {
  if (r->dlen == r->dcap) {
    size_t cap = r->dcap ? r->dcap * 2 : 4096;
    char *grown = realloc(r->data, cap);
    if (!grown)
      return false;
    r->data = grown;
    r->dcap = cap;
  }
  r->data[r->dlen++] = (char)c;
  return true;
}

static bool start_field(reader *r) {
  if (r->nfields == r->fcap) {
    int cap = r->fcap ? r->fcap * 2 : 64;
    size_t *off = realloc(r->off, (size_t)cap * sizeof(*off));
    if (off)
      r->off = off;
    size_t *flen = realloc(r->flen, (size_t)cap * sizeof(*flen));
    if (flen)
      r->flen = flen;
    bool *quoted = realloc(r->quoted, (size_t)cap * sizeof(*quoted));
    if (quoted)
      r->quoted = quoted;
    if (!off || !flen || !quoted)
      return false;
    r->fcap = cap;
  }
  r->off[r->nfields] = r->dlen;
  r->flen[r->nfields] = 0;
  r->quoted[r->nfields] = false;
  r->nfields++;
  return true;
}

/* Consumes a line break whose first byte c was read. */
static void end_line(reader *r, int c) {
  if (c == '\r' && peek_char(r) == '\n')
    next_char(r);
  if (c == '\r' || c == '\n')
    r->line++;
}

/* Skips the rest of the physical line after a malformed field. */
static void skip_line(reader *r) {
  int c;
  do
    c = next_char(r);
  while (c != END && c != '\n' && c != '\r');
  end_line(r, c);
}

typedef enum split_result {
  SPLIT_RECORD,   /* a record is ready */
  SPLIT_EOF,      /* no more records */
  SPLIT_BAD,      /* a malformed record was skipped; err says why */
  SPLIT_NOMEM
} split_result;

/* Splits the next record; *start is the line it starts on. */
static split_result split_record(reader *r, int64_t *start, sl_error *err,
                                 const char *path) {
  for (;;) {
    if (peek_char(r) == END)
      return SPLIT_EOF;
    *start = r->line;
    r->nfields = 0;
    r->dlen = 0;

    int c;
    for (;;) {
      if (!start_field(r))
        return SPLIT_NOMEM;
      int field = r->nfields - 1;
      c = next_char(r);
      if (c == '"') {
        r->quoted[field] = true;
        for (;;) {
          c = next_char(r);
          if (c == END) {
            sl_error_set_file(err, SL_ERR_RUNTIME, path, (int)*start,
                              "unterminated quoted field");
            snprintf(err->reason, sizeof(err->reason), "decode");
            return SPLIT_BAD;
          }
          if (c == '"') {
            if (peek_char(r) != '"')
              break;
            next_char(r);
          } else if (c == '\n' || (c == '\r' && peek_char(r) != '\n')) {
            r->line++;
          }
          if (!push_byte(r, (char)c))
            return SPLIT_NOMEM;
        }
        c = next_char(r);
        if (c != r->delim && c != '\n' && c != '\r' && c != END) {
          sl_error_set_file(err, SL_ERR_RUNTIME, path, (int)*start,
                            "field %d: text after the closing quote",
                            field + 1);
          snprintf(err->reason, sizeof(err->reason), "decode");
          skip_line(r);
          return SPLIT_BAD;
        }
      } else {
        while (c != r->delim && c != '\n' && c != '\r' && c != END) {
          if (!push_byte(r, (char)c))
            return SPLIT_NOMEM;
          c = next_char(r);
        }
      }
      r->flen[field] = r->dlen - r->off[field];
      if (c != r->delim)
        break;
    }
    end_line(r, c);

    /* An empty line is no record. */
    if (r->nfields == 1 && r->flen[0] == 0 && !r->quoted[0])
      continue;
    return SPLIT_RECORD;
  }
}

/* ==== Converting fields ================================================ */

typedef struct loader_ctx {
  const char *path;
  const sl_csv_column *columns;
  int ncolumns;
  const sl_csv_options *opt;
  sl_time_spec ts_spec;
  int *map;        /* per file field: declared column, or -1 */
  int nmap;
  sl_value *row;
  sl_arena arena;
} loader_ctx;

/* `"text"` cut to a readable length, control characters (an embedded
 * line break) shown as '?', for messages. */
static void quote_value(const char *s, size_t len, char *buf, size_t size) {
  size_t n = len > VALUE_QUOTE_MAX ? VALUE_QUOTE_MAX : len;
  size_t o = 0;
  if (size < n + 6)
    n = size > 6 ? size - 6 : 0;
  buf[o++] = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
  }
  if (n < len) {
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o++] = '"';
  buf[o] = '\0';
}

static sl_status bad_value(loader_ctx *ctx, int64_t line, int col,
                           const char *s, size_t len, const char *reason,
                           sl_error *err) {
  char q[VALUE_QUOTE_MAX + 8], type[SL_TYPE_SQL_MAX];
  quote_value(s, len, q, sizeof(q));
  sl_type_to_sql(ctx->columns[col].type, type, sizeof(type));
  if (strcmp(reason, "overflow") == 0)
    sl_error_set_file(err, SL_ERR_RUNTIME, ctx->path, (int)line,
                      "column \"%s\": %s is out of range for %s",
                      ctx->columns[col].name, q, type);
  else
    sl_error_set_file(err, SL_ERR_RUNTIME, ctx->path, (int)line,
                      "column \"%s\": cannot convert %s to %s",
                      ctx->columns[col].name, q, type);
  snprintf(err->reason, sizeof(err->reason), "%s", reason);
  return SL_ERR_RECORD;
}

static sl_status convert_field(loader_ctx *ctx, int64_t line, int col,
                               const char *s, size_t len, sl_value *out,
                               sl_error *err) {
  const sl_type *type = ctx->columns[col].type;
  sl_error cerr;
  sl_error_clear(&cerr);
  sl_status rc;
  switch (type->kind) {
  case SL_TYPE_VARCHAR:
    *out = sl_value_varchar(s, len);
    return SL_OK;
  case SL_TYPE_BYTES: {
    char *bytes = sl_arena_alloc(&ctx->arena, len * 3 / 4 + 3);
    size_t n;
    if (!bytes)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (!sl_format_base64_decode(s, len, bytes, &n))
      return bad_value(ctx, line, col, s, len, "type", err);
    *out = sl_value_bytes(bytes, n);
    return SL_OK;
  }
  case SL_TYPE_TIMESTAMP: {
    int64_t ms;
    rc = sl_time_parse(&ctx->ts_spec, s, len, &ms, &cerr);
    if (!rc)
      *out = sl_value_timestamp(ms);
    break;
  }
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT:
    rc = sl_catalog_json_read(s, len, type, &ctx->arena, out, &cerr);
    break;
  default: {
    sl_value text = sl_value_varchar(s, len);
    rc = sl_value_cast(&ctx->arena, &text, type, out, &cerr);
    break;
  }
  }
  if (rc == SL_ERR_NOMEM)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  if (rc)
    return bad_value(ctx, line, col, s, len,
                     strcmp(cerr.reason, "overflow") == 0 ? "overflow"
                                                          : "type",
                     err);
  return SL_OK;
}

/* Builds the row of the record just split. */
static sl_status convert_record(loader_ctx *ctx, reader *r, int64_t line,
                                sl_error *err) {
  if (r->nfields != ctx->nmap) {
    sl_error_set_file(err, SL_ERR_RUNTIME, ctx->path, (int)line,
                      "expected %d fields, found %d", ctx->nmap,
                      r->nfields);
    snprintf(err->reason, sizeof(err->reason), "decode");
    return SL_ERR_RECORD;
  }
  sl_arena_reset(&ctx->arena);
  for (int j = 0; j < ctx->ncolumns; j++)
    ctx->row[j] = sl_value_null();

  const char *marker = ctx->opt->null_marker ? ctx->opt->null_marker : "";
  size_t marker_len = strlen(marker);
  for (int i = 0; i < r->nfields; i++) {
    int col = ctx->map[i];
    if (col < 0)
      continue;
    const char *s = r->data + r->off[i];
    size_t len = r->flen[i];
    if (!r->quoted[i] && len == marker_len && memcmp(s, marker, len) == 0)
      continue;
    sl_status rc = convert_field(ctx, line, col, s, len, &ctx->row[col],
                                 err);
    if (rc)
      return rc;
  }
  for (int j = 0; j < ctx->ncolumns; j++)
    if (ctx->columns[j].not_null && sl_value_is_null(&ctx->row[j])) {
      sl_error_set_file(err, SL_ERR_RUNTIME, ctx->path, (int)line,
                        "column \"%s\": missing value for a NOT NULL "
                        "column", ctx->columns[j].name);
      snprintf(err->reason, sizeof(err->reason), "not_null");
      return SL_ERR_RECORD;
    }
  return SL_OK;
}

/* The declared column a header name maps to, or -1: the one spelled
 * exactly so, else an unquoted one equal ignoring case. */
static int match_column(const loader_ctx *ctx, const char *name,
                        size_t len) {
  for (int j = 0; j < ctx->ncolumns; j++)
    if (strlen(ctx->columns[j].name) == len &&
        memcmp(ctx->columns[j].name, name, len) == 0)
      return j;
  for (int j = 0; j < ctx->ncolumns; j++)
    if (!ctx->columns[j].quoted && strlen(ctx->columns[j].name) == len &&
        strncasecmp(ctx->columns[j].name, name, len) == 0)
      return j;
  return -1;
}

/* Maps file fields to declared columns from the header record. */
static sl_status map_header(loader_ctx *ctx, reader *r, int64_t line,
                            sl_csv_result *res, sl_error *err) {
  ctx->map = malloc((size_t)r->nfields * sizeof(*ctx->map));
  if (!ctx->map)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  ctx->nmap = r->nfields;
  for (int i = 0; i < r->nfields; i++) {
    int col = match_column(ctx, r->data + r->off[i], r->flen[i]);
    for (int k = 0; col >= 0 && k < i; k++)
      if (ctx->map[k] == col)
        return sl_error_set_file(err, SL_ERR_RUNTIME, ctx->path, (int)line,
                                 "column \"%s\" appears twice in the "
                                 "header", ctx->columns[col].name);
    ctx->map[i] = col;
    if (col < 0 && r->flen[i] > 0 &&
        note_ignored(res, r->data + r->off[i], r->flen[i], err))
      return err->code;
  }
  for (int j = 0; j < ctx->ncolumns; j++) {
    if (!ctx->columns[j].not_null)
      continue;
    bool present = false;
    for (int i = 0; i < ctx->nmap && !present; i++)
      present = ctx->map[i] == j;
    if (!present)
      return sl_error_set_file(err, SL_ERR_RUNTIME, ctx->path, (int)line,
                               "the header has no column \"%s\", which is "
                               "NOT NULL", ctx->columns[j].name);
  }
  return SL_OK;
}

static sl_status positional_map(loader_ctx *ctx, sl_error *err) {
  ctx->map = malloc((size_t)(ctx->ncolumns + 1) * sizeof(*ctx->map));
  if (!ctx->map)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  ctx->nmap = ctx->ncolumns;
  for (int j = 0; j < ctx->ncolumns; j++)
    ctx->map[j] = j;
  return SL_OK;
}

/* Keeps a skip reason while there is room for it. */
static sl_status keep_reason(sl_csv_result *result, int max,
                             const sl_error *reason, sl_error *err) {
  if (result->nreasons >= max)
    return SL_OK;
  char text[SL_ERROR_MSG_MAX + SL_ERROR_NAME_MAX + 32];
  sl_error_format(reason, text, sizeof(text));
  char **grown = realloc(result->reasons, (size_t)(result->nreasons + 1) *
                                              sizeof(*grown));
  if (!grown)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  result->reasons = grown;
  grown[result->nreasons] = strdup(text);
  if (!grown[result->nreasons])
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  result->nreasons++;
  return SL_OK;
}

/* A bad record: under fail it becomes the read's error (err already
 * holds it), under skip it is counted. */
static sl_status bad_record(const sl_csv_options *opt, sl_csv_result *res,
                            sl_error *err) {
  if (opt->errors == SL_CSV_FAIL) {
    err->code = SL_ERR_RUNTIME;
    return SL_ERR_RUNTIME;
  }
  res->skipped++;
  sl_error reason = *err;
  sl_error_clear(err);
  return keep_reason(res, opt->max_reasons, &reason, err);
}

/* ==== Reading a file =================================================== */

static sl_status read_records(loader_ctx *ctx, reader *r, sl_csv_row_fn fn,
                              void *ud, sl_csv_result *result,
                              sl_error *err) {
  const sl_csv_options *opt = ctx->opt;
  int64_t line;
  bool need_header = opt->header;
  if (!need_header) {
    sl_status rc = positional_map(ctx, err);
    if (rc)
      return rc;
  }

  for (;;) {
    split_result split = split_record(r, &line, err, ctx->path);
    if (split == SPLIT_EOF)
      break;
    if (split == SPLIT_NOMEM)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (need_header) {
      if (split == SPLIT_BAD)
        return err->code;
      sl_status rc = map_header(ctx, r, line, result, err);
      if (rc)
        return rc;
      need_header = false;
      continue;
    }

    sl_status rc = split == SPLIT_BAD ? SL_ERR_RECORD
                                      : convert_record(ctx, r, line, err);
    if (!rc) {
      rc = fn(ud, ctx->row, ctx->ncolumns, line, err);
      if (rc == SL_ERR_RECORD && err && err->loc == SL_LOC_NONE) {
        sl_error located;
        sl_error_set_file(&located, SL_ERR_RUNTIME, ctx->path, (int)line,
                          "%s", err->message);
        snprintf(located.reason, sizeof(located.reason), "%s", err->reason);
        *err = located;
      }
    }
    r->records++;
    if (rc == SL_ERR_RECORD)
      rc = bad_record(opt, result, err);
    else if (!rc)
      result->rows++;
    if (rc)
      return rc;
  }
  if (r->io_error)
    return sl_error_set(err, SL_ERR_IO, "reading %s: %s", ctx->path,
                        strerror(errno));
  return SL_OK;
}

sl_status sl_csv_read(const char *path, const sl_csv_column *columns,
                      int ncolumns, const sl_csv_options *options,
                      sl_csv_row_fn fn, void *ud, sl_csv_result *result,
                      sl_error *err) {
  sl_csv_options defaults;
  sl_csv_options_init(&defaults);
  const sl_csv_options *opt = options ? options : &defaults;
  memset(result, 0, sizeof(*result));
  sl_error local;
  if (!err)
    err = &local;

  loader_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.path = path;
  ctx.columns = columns;
  ctx.ncolumns = ncolumns;
  ctx.opt = opt;
  sl_status rc = sl_time_spec_parse(
      opt->timestamp_format ? opt->timestamp_format : "iso8601",
      &ctx.ts_spec, err);
  if (rc)
    return rc;

  reader r;
  memset(&r, 0, sizeof(r));
  r.line = 1;
  r.delim = opt->delimiter ? opt->delimiter : ',';
  r.progress = opt->progress;
  r.progress_ud = opt->progress_ud;
  r.f = fopen(path, "rb");
  if (!r.f)
    return sl_error_set(err, SL_ERR_IO, "cannot open %s: %s", path,
                        strerror(errno));
  struct stat st;
  if (fstat(fileno(r.f), &st) == 0 && S_ISREG(st.st_mode))
    r.total = (int64_t)st.st_size;
  r.buf = malloc(BLOCK_SIZE);
  ctx.row = malloc((size_t)(ncolumns + 1) * sizeof(*ctx.row));
  sl_arena_init(&ctx.arena, 0);
  if (!r.buf || !ctx.row) {
    rc = sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    goto done;
  }

  /* A UTF-8 byte order mark is no part of the first field. */
  if (refill(&r) && r.len >= 3 && memcmp(r.buf, "\xEF\xBB\xBF", 3) == 0)
    r.pos = 3;

  rc = read_records(&ctx, &r, fn, ud, result, err);
  result->bytes = r.consumed + (int64_t)r.pos;
  if (opt->progress)
    opt->progress(opt->progress_ud, r.records, result->bytes, r.total);

done:
  fclose(r.f);
  free(r.buf);
  free(r.data);
  free(r.off);
  free(r.flen);
  free(r.quoted);
  free(ctx.map);
  free(ctx.row);
  sl_arena_destroy(&ctx.arena);
  return rc;
}

/* ==== LOAD into a table ================================================ */

typedef struct load_ctx {
  sl_catalog *cat;
  sl_lookup *lk;
  const sl_csv_options *opt;
  int64_t in_batch;     /* rows written since the last commit */
  bool open;            /* a transaction is open */
} load_ctx;

static sl_status load_row(void *ud, const sl_value *row, int ncolumns,
                          int64_t line, sl_error *err) {
  load_ctx *ctx = ud;
  (void)ncolumns;
  (void)line;
  sl_status rc = sl_lookup_upsert(ctx->lk, row,
                                  sl_lookup_row_valid_from(ctx->lk, row),
                                  err);
  if (rc)
    return rc;
  ctx->in_batch++;

  /* With skip, commit every batch_rows so that a long load makes
   * progress that survives; with fail the whole load is one
   * transaction. */
  int64_t batch = ctx->opt->batch_rows > 0 ? ctx->opt->batch_rows : 10000;
  if (ctx->opt->errors != SL_CSV_SKIP || ctx->in_batch < batch)
    return SL_OK;
  ctx->open = false;
  rc = sl_catalog_commit(ctx->cat, err);
  if (rc)
    return rc == SL_ERR_RECORD ? SL_ERR_RUNTIME : rc;
  ctx->in_batch = 0;
  rc = sl_catalog_begin(ctx->cat, err);
  if (rc)
    return rc == SL_ERR_RECORD ? SL_ERR_RUNTIME : rc;
  ctx->open = true;
  return SL_OK;
}

sl_status sl_csv_load(sl_catalog *cat, const char *name, const char *path,
                      const sl_csv_options *options, sl_csv_result *result,
                      sl_error *err) {
  memset(result, 0, sizeof(*result));
  sl_csv_options defaults;
  sl_csv_options_init(&defaults);
  const sl_csv_options *opt = options ? options : &defaults;
  sl_error local;
  if (!err)
    err = &local;

  sl_lookup *lk = NULL;
  sl_status rc = sl_lookup_open(cat, name, 0, &lk, err);
  if (rc)
    return rc;
  const sl_catalog_object *obj = sl_lookup_object(lk);
  sl_csv_column *cols = calloc((size_t)obj->ncolumns + 1, sizeof(*cols));
  if (!cols) {
    sl_lookup_close(lk);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < obj->ncolumns; i++) {
    cols[i].name = obj->columns[i].name;
    cols[i].type = obj->columns[i].type;
    cols[i].not_null = obj->columns[i].not_null;
    cols[i].quoted = obj->columns[i].quoted;
  }

  load_ctx ctx = {cat, lk, opt, 0, false};

  rc = sl_catalog_begin(cat, err);
  if (!rc) {
    ctx.open = true;
    rc = sl_csv_read(path, cols, obj->ncolumns, opt, load_row, &ctx, result,
                     err);
    if (!rc)
      rc = sl_catalog_commit(cat, err);
    else if (ctx.open)
      sl_catalog_rollback(cat);

    /* What was not committed is not loaded. */
    if (rc && opt->errors == SL_CSV_SKIP)
      result->rows -= ctx.in_batch;
    else if (rc)
      result->rows = 0;
  }
  free(cols);
  sl_lookup_close(lk);
  return rc;
}
