/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.c - filling and formatting sl_error.
 */
#include "engine/common/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sl_error_clear(sl_error *err) {
  if (!err)
    return;
  memset(err, 0, sizeof(*err));
  err->partition = -1;
  err->offset = -1;
}

static void error_vformat(sl_error *err, const char *fmt, va_list ap) {
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

static void copy_name(char *dst, const char *src) {
  snprintf(dst, SL_ERROR_NAME_MAX, "%s", src ? src : "");
}

sl_status sl_error_set(sl_error *err, sl_status code, const char *fmt, ...) {
  if (!err)
    return code;
  sl_error_clear(err);
  err->code = code;

  va_list ap;
  va_start(ap, fmt);
  error_vformat(err, fmt, ap);
  va_end(ap);
  return code;
}

sl_status sl_error_set_sql(sl_error *err, const char *file, int line,
                           int column, const char *fmt, ...) {
  if (!err)
    return SL_ERR_SQL;
  sl_error_clear(err);
  err->code = SL_ERR_SQL;
  err->loc = SL_LOC_SQL;
  copy_name(err->file, file);
  err->line = line;
  err->column = column;

  va_list ap;
  va_start(ap, fmt);
  error_vformat(err, fmt, ap);
  va_end(ap);
  return SL_ERR_SQL;
}

sl_status sl_error_set_file(sl_error *err, sl_status code, const char *file,
                            int line, const char *fmt, ...) {
  if (!err)
    return code;
  sl_error_clear(err);
  err->code = code;
  err->loc = SL_LOC_FILE;
  copy_name(err->file, file);
  err->line = line;

  va_list ap;
  va_start(ap, fmt);
  error_vformat(err, fmt, ap);
  va_end(ap);
  return code;
}

sl_status sl_error_set_record(sl_error *err, const char *topic,
                              int32_t partition, int64_t offset,
                              const char *reason, const char *fmt, ...) {
  if (!err)
    return SL_ERR_RECORD;
  sl_error_clear(err);
  err->code = SL_ERR_RECORD;
  err->loc = SL_LOC_RECORD;
  copy_name(err->topic, topic);
  err->partition = partition;
  err->offset = offset;
  snprintf(err->reason, sizeof(err->reason), "%s", reason ? reason : "");

  va_list ap;
  va_start(ap, fmt);
  error_vformat(err, fmt, ap);
  va_end(ap);
  return SL_ERR_RECORD;
}

sl_status sl_error_prefix(sl_error *err, const char *fmt, ...) {
  if (!err)
    return SL_ERR_INTERNAL;

  char context[SL_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(context, sizeof(context), fmt, ap);
  va_end(ap);

  /* Shift the old message right to make room for "context: ". */
  size_t clen = strlen(context);
  size_t mlen = strlen(err->message);
  size_t cap = sizeof(err->message) - 1;
  if (clen + 2 > cap)
    clen = cap - 2;
  size_t keep = mlen;
  if (clen + 2 + keep > cap)
    keep = cap - clen - 2;
  memmove(err->message + clen + 2, err->message, keep);
  memcpy(err->message, context, clen);
  err->message[clen] = ':';
  err->message[clen + 1] = ' ';
  err->message[clen + 2 + keep] = '\0';
  return err->code;
}

char *sl_error_format(const sl_error *err, char *buf, size_t size) {
  if (size == 0)
    return buf;
  switch (err->loc) {
  case SL_LOC_SQL:
    snprintf(buf, size, "%s:%d:%d: error: %s", err->file, err->line,
             err->column, err->message);
    break;
  case SL_LOC_FILE:
    if (err->line > 0)
      snprintf(buf, size, "%s:%d: error: %s", err->file, err->line,
               err->message);
    else
      snprintf(buf, size, "%s: error: %s", err->file, err->message);
    break;
  case SL_LOC_RECORD:
    snprintf(buf, size, "%s [%" PRId32 "] @ %" PRId64 ": %s", err->topic,
             err->partition, err->offset, err->message);
    break;
  case SL_LOC_NONE:
  default:
    snprintf(buf, size, "error: %s", err->message);
    break;
  }
  return buf;
}

int sl_error_exit_code(sl_status code) {
  switch (code) {
  case SL_OK:
    return 0;
  case SL_ERR_SQL:
    return 1;
  case SL_ERR_USAGE:
    return 2;
  default:
    return 3;
  }
}

const char *sl_status_name(sl_status code) {
  switch (code) {
  case SL_OK: return "ok";
  case SL_ERR_SQL: return "sql";
  case SL_ERR_USAGE: return "usage";
  case SL_ERR_RUNTIME: return "runtime";
  case SL_ERR_IO: return "io";
  case SL_ERR_KAFKA: return "kafka";
  case SL_ERR_RECORD: return "record";
  case SL_ERR_NOMEM: return "out of memory";
  case SL_ERR_INTERNAL: return "internal";
  }
  return "unknown";
}
