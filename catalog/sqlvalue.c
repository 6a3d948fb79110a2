/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sqlvalue.c - Sluice values in SQLite columns.
 *
 * Each Sluice type has one SQLite storage class (see
 * sl_catalog_storage_class): integers for everything that is a count of
 * something (days, milliseconds, booleans), REAL for DOUBLE, TEXT for
 * DECIMAL so that no digit is lost, VARCHAR as TEXT, BYTES as BLOB, and
 * the composites as the JSON that format.h writes.  SQLite's REAL cannot
 * hold a NaN (it binds as NULL), so non-finite doubles are stored as the
 * text format.h gives them and read back from it.
 */
#include "catalog/catalog_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/json_read.h"
#include "engine/types/decimal.h"
#include "engine/types/format.h"

const char *sl_catalog_storage_class(const sl_type *type) {
  switch (type->kind) {
  case SL_TYPE_BOOLEAN:
  case SL_TYPE_INT:
  case SL_TYPE_BIGINT:
  case SL_TYPE_DATE:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    return "INTEGER";
  case SL_TYPE_DOUBLE:
    return "REAL";
  case SL_TYPE_BYTES:
    return "BLOB";
  default:
    return "TEXT";
  }
}

/* True when v must go through a cast to be stored as type. */
static bool needs_cast(const sl_value *v, const sl_type *type) {
  if (v->kind != type->kind)
    return true;
  if (type->kind == SL_TYPE_DECIMAL)
    return v->scale != type->scale ||
           !sl_decimal_fits(sl_value_decimal_get(v), type->precision);
  return false;
}

static sl_status bind_failed(sqlite3_stmt *stmt, sl_error *err) {
  return sl_error_set(err, SL_ERR_RUNTIME, "binding a value: %s",
                      sqlite3_errmsg(sqlite3_db_handle(stmt)));
}

sl_status sl_catalog_bind_value(sqlite3_stmt *stmt, int idx,
                                const sl_value *v, const sl_type *type,
                                sl_arena *scratch, sl_error *err) {
  if (sl_value_is_null(v))
    return sqlite3_bind_null(stmt, idx) == SQLITE_OK
               ? SL_OK
               : bind_failed(stmt, err);

  /* Without a declared type (a query parameter) the value's own kind
   * decides; DECIMAL keeps its scale. */
  sl_value cast = *v;
  if (type && needs_cast(v, type)) {
    sl_status rc = sl_value_cast(scratch, v, type, &cast, err);
    if (rc)
      return rc;
  }
  sl_type_kind kind = type ? type->kind : (sl_type_kind)cast.kind;

  int rc;
  char text[SL_DECIMAL_TEXT_MAX];
  switch (kind) {
  case SL_TYPE_BOOLEAN:
    rc = sqlite3_bind_int(stmt, idx, cast.u.b ? 1 : 0);
    break;
  case SL_TYPE_INT:
  case SL_TYPE_DATE:
    rc = sqlite3_bind_int(stmt, idx, cast.u.i32);
    break;
  case SL_TYPE_BIGINT:
  case SL_TYPE_TIMESTAMP:
  case SL_TYPE_INTERVAL:
    rc = sqlite3_bind_int64(stmt, idx, cast.u.i64);
    break;
  case SL_TYPE_DOUBLE:
    if (isfinite(cast.u.f64)) {
      rc = sqlite3_bind_double(stmt, idx, cast.u.f64);
    } else {
      char d[SL_FORMAT_DOUBLE_MAX];
      size_t n = sl_format_double(cast.u.f64, d);
      rc = sqlite3_bind_text(stmt, idx, d, (int)n, SQLITE_TRANSIENT);
    }
    break;
  case SL_TYPE_DECIMAL: {
    size_t n = sl_decimal_to_text(sl_value_decimal_get(&cast), cast.scale,
                                  text);
    rc = sqlite3_bind_text(stmt, idx, text, (int)n, SQLITE_TRANSIENT);
    break;
  }
  case SL_TYPE_VARCHAR:
    rc = sqlite3_bind_text(stmt, idx, cast.len ? cast.u.str : "",
                           (int)cast.len, SQLITE_TRANSIENT);
    break;
  case SL_TYPE_BYTES:
    rc = sqlite3_bind_blob(stmt, idx, cast.len ? cast.u.str : "",
                           (int)cast.len, SQLITE_TRANSIENT);
    break;
  case SL_TYPE_ARRAY:
  case SL_TYPE_MAP:
  case SL_TYPE_STRUCT: {
    sl_strbuf sb = SL_STRBUF_INIT;
    if (sl_format_json(&sb, &cast, type)) {
      sl_strbuf_free(&sb);
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    }
    rc = sqlite3_bind_text(stmt, idx, sb.data ? sb.data : "",
                           (int)sb.len, SQLITE_TRANSIENT);
    sl_strbuf_free(&sb);
    break;
  }
  default:
    rc = sqlite3_bind_null(stmt, idx);
    break;
  }
  return rc == SQLITE_OK ? SL_OK : bind_failed(stmt, err);
}

/* The column's text copied into the arena. */
static const char *arena_text(sqlite3_stmt *stmt, int col, sl_arena *arena,
                              size_t *len) {
  const unsigned char *s = sqlite3_column_text(stmt, col);
  *len = (size_t)sqlite3_column_bytes(stmt, col);
  return sl_arena_strndup(arena, s ? (const char *)s : "", *len);
}

sl_status sl_catalog_read_value(sqlite3_stmt *stmt, int col,
                                const sl_type *type, sl_arena *arena,
                                sl_value *out, sl_error *err) {
  int ctype = sqlite3_column_type(stmt, col);
  if (ctype == SQLITE_NULL) {
    *out = sl_value_null();
    return SL_OK;
  }

  size_t len;
  const char *s;
  switch (type->kind) {
  case SL_TYPE_BOOLEAN:
    *out = sl_value_bool(sqlite3_column_int64(stmt, col) != 0);
    return SL_OK;
  case SL_TYPE_INT:
    *out = sl_value_int(sqlite3_column_int(stmt, col));
    return SL_OK;
  case SL_TYPE_DATE:
    *out = sl_value_date(sqlite3_column_int(stmt, col));
    return SL_OK;
  case SL_TYPE_BIGINT:
    *out = sl_value_bigint(sqlite3_column_int64(stmt, col));
    return SL_OK;
  case SL_TYPE_TIMESTAMP:
    *out = sl_value_timestamp(sqlite3_column_int64(stmt, col));
    return SL_OK;
  case SL_TYPE_INTERVAL:
    *out = sl_value_interval(sqlite3_column_int64(stmt, col));
    return SL_OK;
  case SL_TYPE_DOUBLE:
    if (ctype != SQLITE_TEXT) {
      *out = sl_value_double(sqlite3_column_double(stmt, col));
      return SL_OK;
    }
    break;
  case SL_TYPE_BYTES: {
    const void *blob = sqlite3_column_blob(stmt, col);
    len = (size_t)sqlite3_column_bytes(stmt, col);
    char *copy = sl_arena_alloc(arena, len ? len : 1);
    if (!copy)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (len)
      memcpy(copy, blob, len);
    *out = sl_value_bytes(copy, len);
    return SL_OK;
  }
  default:
    break;
  }

  /* Text forms: VARCHAR, DECIMAL, non-finite DOUBLE and the composites. */
  s = arena_text(stmt, col, arena, &len);
  if (!s)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  switch (type->kind) {
  case SL_TYPE_VARCHAR:
    *out = sl_value_varchar(s, len);
    return SL_OK;
  case SL_TYPE_DECIMAL:
  case SL_TYPE_DOUBLE: {
    sl_value text = sl_value_varchar(s, len);
    return sl_value_cast(arena, &text, type, out, err);
  }
  default:
    return sl_catalog_json_read(s, len, type, arena, out, err);
  }
}

bool sl_catalog_quote_ident(const char *name, char *buf, size_t size) {
  size_t o = 0;
  if (size < 3)
    return false;
  buf[o++] = '"';
  for (const char *p = name; *p; p++) {
    size_t need = *p == '"' ? 2 : 1;
    if (o + need + 2 > size)
      return false;
    buf[o++] = *p;
    if (*p == '"')
      buf[o++] = '"';
  }
  buf[o++] = '"';
  buf[o] = '\0';
  return true;
}
