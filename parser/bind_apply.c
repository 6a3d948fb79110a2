/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind_apply.c - what bound DDL statements record in the catalog.
 *
 * A bound CREATE becomes a catalog object (columns, key, event time,
 * watermark, options with their defaults, SQL text, dependencies); a
 * CREATE FUNCTION a catalog function.  sl_bind_apply creates or drops them
 * in the context's catalog, and keeps the function registry in step, so
 * that the statements after it bind against the catalog as the script
 * leaves it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/bind_internal.h"

/* The watermark text bind_query.c reads back: "col" or
 * "col - INTERVAL 'n' UNIT" with the largest unit that divides n. */
static char *watermark_text(const char *col, int64_t ms) {
  static const struct {
    const char *unit;
    int64_t ms;
  } units[] = {{"DAY", 86400000}, {"HOUR", 3600000}, {"MINUTE", 60000},
               {"SECOND", 1000},  {"MILLISECOND", 1}};
  size_t size = strlen(col) + 64;
  char *text = malloc(size);
  if (!text)
    return NULL;
  if (ms <= 0) {
    snprintf(text, size, "%s", col);
    return text;
  }
  for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (ms % units[i].ms == 0) {
      snprintf(text, size, "%s - INTERVAL '%lld' %s", col,
               (long long)(ms / units[i].ms), units[i].unit);
      break;
    }
  }
  return text;
}

static sl_catalog_kind object_kind_of(const sl_bound_stmt *stmt) {
  switch (stmt->kind) {
  case SL_BSTMT_CREATE_TABLE: return SL_CATALOG_TABLE;
  case SL_BSTMT_CREATE_TRAINING_SET: return SL_CATALOG_TRAINING_SET;
  case SL_BSTMT_CREATE_MODEL: return SL_CATALOG_MODEL;
  default: return SL_CATALOG_STREAM;
  }
}

static sl_status fill_object(const sl_bound_stmt *stmt,
                             sl_catalog_object *obj, sl_error *err) {
  sl_status rc = SL_OK;
  bool model = stmt->kind == SL_BSTMT_CREATE_MODEL;
  int ncols = model ? stmt->ninputs : stmt->ncolumns;
  const sl_bound_column *cols = model ? stmt->inputs : stmt->columns;

  for (int i = 0; !rc && i < ncols; i++) {
    sl_type *t = sl_type_clone(cols[i].type);
    if (!t)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    rc = sl_catalog_object_add_column(obj, cols[i].name, t, cols[i].not_null,
                                      cols[i].primary_key, err);
    /* add_column marks the names no unquoted identifier spells; the
     * binder knows the others that were quoted. */
    if (!rc && cols[i].quoted)
      obj->columns[i].quoted = true;
  }
  if (rc)
    return rc;

  if (stmt->kind == SL_BSTMT_CREATE_STREAM && stmt->key_column >= 0)
    rc = sl_catalog_object_set_key(obj, cols[stmt->key_column].name, err);
  if (!rc && !model && stmt->timestamp_column >= 0) {
    const sl_bound_option *f = sl_bound_option_get(stmt,
                                                   "timestamp_format");
    const char *format = f && strcmp(f->text, "iso8601") != 0 ? f->text
                                                              : NULL;
    rc = sl_catalog_object_set_timestamp(
        obj, cols[stmt->timestamp_column].name, format, err);
  }
  if (!rc && !model && stmt->watermark_column >= 0) {
    char *text = watermark_text(cols[stmt->watermark_column].name,
                                stmt->out_of_order_ms);
    if (!text)
      return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    rc = sl_catalog_object_set_watermark(obj, text, err);
    free(text);
  }

  /* A model's kind and source come first among its options. */
  if (!rc && model)
    rc = sl_catalog_object_add_option(obj, "model_type", stmt->model_type,
                                      err);
  if (!rc && model && stmt->model_file)
    rc = sl_catalog_object_add_option(obj, "file", stmt->model_file, err);
  if (!rc && model && stmt->training_set)
    rc = sl_catalog_object_add_option(obj, "training_set",
                                      stmt->training_set, err);
  for (int i = 0; !rc && i < stmt->noptions; i++)
    rc = sl_catalog_object_add_option(obj, stmt->options[i].name,
                                      stmt->options[i].text, err);
  for (int i = 0; !rc && i < stmt->ndeps; i++)
    rc = sl_catalog_object_add_dep(obj, stmt->deps[i], err);
  for (int i = 0; !rc && i < stmt->nfunction_deps; i++)
    rc = sl_catalog_object_add_function_dep(obj, stmt->function_deps[i],
                                            err);
  return rc;
}

sl_status sl_bound_catalog_object(const sl_bound_stmt *stmt,
                                  sl_catalog_object **out, sl_error *err) {
  *out = NULL;
  switch (stmt->kind) {
  case SL_BSTMT_CREATE_STREAM:
  case SL_BSTMT_CREATE_TABLE:
  case SL_BSTMT_CREATE_TRAINING_SET:
  case SL_BSTMT_CREATE_MODEL:
    break;
  default:
    return sl_error_set(err, SL_ERR_INTERNAL,
                        "%s defines no catalog object",
                        sl_bstmt_kind_name(stmt->kind));
  }
  sl_catalog_object *obj = sl_catalog_object_new(object_kind_of(stmt),
                                                 stmt->name, stmt->sql);
  if (!obj)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = fill_object(stmt, obj, err);
  if (rc) {
    sl_catalog_object_free(obj);
    return rc;
  }
  *out = obj;
  return SL_OK;
}

sl_status sl_bound_catalog_function(const sl_bound_stmt *stmt,
                                    sl_catalog_function **out,
                                    sl_error *err) {
  *out = NULL;
  if (stmt->kind != SL_BSTMT_CREATE_FUNCTION)
    return sl_error_set(err, SL_ERR_INTERNAL, "%s defines no function",
                        sl_bstmt_kind_name(stmt->kind));
  sl_type *ret = sl_type_clone(stmt->return_type);
  if (!ret)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_catalog_function *fn = sl_catalog_function_new(
      stmt->name, ret, stmt->aggregate_function, stmt->library, stmt->symbol,
      stmt->sql);
  if (!fn)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int i = 0; i < stmt->nparams; i++) {
    sl_type *t = sl_type_clone(stmt->param_types[i]);
    sl_status rc = t ? sl_catalog_function_add_arg(fn, t, err)
                     : sl_error_set(err, SL_ERR_NOMEM, "out of memory");
    if (rc) {
      sl_catalog_function_free(fn);
      return rc;
    }
  }
  *out = fn;
  return SL_OK;
}

/* A catalog refusal, reported at the statement. */
static sl_status at_statement(const sl_bind_ctx *ctx,
                              const sl_bound_stmt *stmt, sl_status rc,
                              sl_error *err) {
  if (rc == SL_ERR_SQL && err->loc == SL_LOC_NONE) {
    char msg[SL_ERROR_MSG_MAX];
    snprintf(msg, sizeof(msg), "%s", err->message);
    sl_error_set_sql(err, ctx->file, stmt->pos.line, stmt->pos.column, "%s",
                     msg);
  }
  return rc;
}

/* Registers a user function's signature in the registry (no
 * implementation: the runner loads the library). */
static sl_status register_function(sl_bind_ctx *ctx,
                                   const sl_bound_stmt *stmt,
                                   sl_error *err) {
  char spec[2048];
  size_t len = 0;
  char tbuf[SL_TYPE_SQL_MAX];
  len += (size_t)snprintf(spec + len, sizeof(spec) - len, "(");
  for (int i = 0; i < stmt->nparams && len < sizeof(spec); i++)
    len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%s%s",
                            i ? ", " : "",
                            sl_type_to_sql(stmt->param_types[i], tbuf,
                                           sizeof(tbuf)));
  if (len < sizeof(spec))
    snprintf(spec + len, sizeof(spec) - len, ") -> %s",
             sl_type_to_sql(stmt->return_type, tbuf, sizeof(tbuf)));

  char doc[512];
  snprintf(doc, sizeof(doc), "user function from %s", stmt->library);
  sl_func_def def;
  memset(&def, 0, sizeof(def));
  def.name = stmt->name;
  def.kind = stmt->aggregate_function ? SL_FUNC_AGGREGATE : SL_FUNC_SCALAR;
  def.flags = SL_FUNC_USER;
  def.doc = doc;
  def.sigs[0].spec = spec;
  return sl_func_register(ctx->functions, &def, NULL, err);
}

static sl_status apply_function(sl_bind_ctx *ctx, const sl_bound_stmt *stmt,
                                sl_catalog_outcome *outcome, sl_error *err) {
  sl_catalog_function *fn;
  sl_status rc = sl_bound_catalog_function(stmt, &fn, err);
  if (rc)
    return rc;
  sl_catalog_outcome oc = SL_CATALOG_CREATED;
  rc = sl_catalog_function_create(ctx->catalog, fn, stmt->if_not_exists, &oc,
                                  err);
  sl_catalog_function_free(fn);
  if (rc)
    return at_statement(ctx, stmt, rc, err);
  if (outcome)
    *outcome = oc;
  if (oc != SL_CATALOG_CREATED || sl_func_lookup(ctx->functions, stmt->name))
    return SL_OK;
  rc = register_function(ctx, stmt, err);
  if (rc) {
    sl_error ignored;
    sl_catalog_drop(ctx->catalog, SL_CATALOG_FUNCTION, stmt->name, true,
                    NULL, &ignored);
    return at_statement(ctx, stmt, rc, err);
  }
  return SL_OK;
}

static sl_status apply_drop(sl_bind_ctx *ctx, const sl_bound_stmt *stmt,
                            sl_error *err) {
  bool dropped = false;
  sl_status rc = sl_catalog_drop(ctx->catalog, stmt->object_kind, stmt->name,
                                 stmt->if_exists, &dropped, err);
  if (rc)
    return at_statement(ctx, stmt, rc, err);
  if (stmt->object_kind == SL_CATALOG_FUNCTION) {
    const sl_func *f = sl_func_lookup(ctx->functions, stmt->name);
    if (f && (f->flags & SL_FUNC_USER)) {
      rc = sl_func_unregister(ctx->functions, stmt->name, err);
      if (rc)
        return at_statement(ctx, stmt, rc, err);
    }
  }
  return SL_OK;
}

sl_status sl_bind_apply(sl_bind_ctx *ctx, const sl_bound_stmt *stmt,
                        sl_catalog_outcome *outcome, sl_error *err) {
  if (outcome)
    *outcome = SL_CATALOG_UNCHANGED;
  switch (stmt->kind) {
  case SL_BSTMT_CREATE_STREAM:
  case SL_BSTMT_CREATE_TABLE:
  case SL_BSTMT_CREATE_TRAINING_SET:
  case SL_BSTMT_CREATE_MODEL: {
    sl_catalog_object *obj;
    sl_status rc = sl_bound_catalog_object(stmt, &obj, err);
    if (rc)
      return rc;
    rc = sl_catalog_create(ctx->catalog, obj, stmt->if_not_exists, outcome,
                           err);
    sl_catalog_object_free(obj);
    return rc ? at_statement(ctx, stmt, rc, err) : SL_OK;
  }
  case SL_BSTMT_CREATE_FUNCTION:
    return apply_function(ctx, stmt, outcome, err);
  case SL_BSTMT_DROP:
    return apply_drop(ctx, stmt, err);
  default:
    return SL_OK;
  }
}
