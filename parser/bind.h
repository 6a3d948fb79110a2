/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bind.h - the binder: from syntax trees to bound statements.
 *
 * sl_bind_stmt resolves every name of one statement against the catalog,
 * the WITH list of its query and its FROM list; infers and checks types,
 * inserting the safe implicit casts (INT -> BIGINT -> DECIMAL -> DOUBLE,
 * DATE -> TIMESTAMP, NULL -> anything); validates WITH options and fills
 * in the conventions' defaults; and builds the logical plan of its query
 * (bound.h).  What cannot be run is rejected with an SL_ERR_SQL error at
 * the offending token, in the FILE:LINE:COLUMN form of the conventions.
 *
 * The binder only reads the catalog and the function registry.  A script
 * binds statement by statement against the catalog as the earlier
 * statements leave it, so the caller applies each bound DDL statement
 * before binding the next: sl_bind_apply does that for the catalog and
 * registry alone (what `sluice check` needs); `sluice run` does more (it
 * creates topics and starts queries) but records objects the same way,
 * through sl_bound_catalog_object.
 */
#ifndef SLUICE_PARSER_BIND_H
#define SLUICE_PARSER_BIND_H

#include <stddef.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "parser/ast.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

/* What a statement binds against.  Fill it with sl_bind_ctx_init; the
 * catalog, registry and parse result must outlive the bound statements. */
typedef struct sl_bind_ctx {
  sl_catalog *catalog;           /* objects and user functions */
  sl_func_registry *functions;   /* built-ins and user functions; written
                                    only by sl_bind_apply */
  const char *file;              /* the script's name, for messages */
  const char *text;              /* the script's original text, or NULL */
  size_t text_len;
} sl_bind_ctx;

/* Prepares ctx.  parse (may be NULL) gives the file name and the original
 * text, from which statement texts and operator positions are taken. */
void sl_bind_ctx_init(sl_bind_ctx *ctx, sl_catalog *catalog,
                      sl_func_registry *functions,
                      const sl_parse_result *parse);

/* Binds one statement.  On success *out is a new bound statement the
 * caller frees with sl_bound_stmt_free.  On failure returns SL_ERR_SQL
 * (SL_ERR_NOMEM when out of memory, or a catalog error), fills err with
 * the location of the offending token, sets *out to NULL and leaves
 * nothing allocated. */
sl_status sl_bind_stmt(sl_bind_ctx *ctx, const sl_ast_stmt *stmt,
                       sl_bound_stmt **out, sl_error *err);

/* The catalog object a bound CREATE STREAM, CREATE TABLE, CREATE TRAINING
 * SET or CREATE MODEL defines: columns, key, event time, watermark, every
 * option (defaults included), SQL text and dependencies.  A model's
 * columns are its input columns, and its options carry model_type (and
 * file for FROM FILE) before the WITH options.  *out is new (free with
 * sl_catalog_object_free).  Other statements fail with SL_ERR_INTERNAL. */
sl_status sl_bound_catalog_object(const sl_bound_stmt *stmt,
                                  sl_catalog_object **out, sl_error *err);

/* The catalog function a bound CREATE FUNCTION defines.  *out is new
 * (free with sl_catalog_function_free). */
sl_status sl_bound_catalog_function(const sl_bound_stmt *stmt,
                                    sl_catalog_function **out,
                                    sl_error *err);

/* Applies a bound DDL statement to ctx's catalog and registry: CREATE
 * STREAM / TABLE / TRAINING SET / MODEL create the object, CREATE
 * FUNCTION records the function and registers its signature (without an
 * implementation: enough to bind calls), DROP removes the object or
 * function.  Other statements change nothing.  outcome (may be NULL)
 * tells what a create did.  A catalog refusal (a DROP with dependants, a
 * reserved name) is returned as SL_ERR_SQL at the statement's position. */
sl_status sl_bind_apply(sl_bind_ctx *ctx, const sl_bound_stmt *stmt,
                        sl_catalog_outcome *outcome, sl_error *err);

/* Reads a duration as SET and WITH take it: milliseconds, or a number
 * and a unit (ms, s, m, h, d, or the words), blanks allowed between.
 * Returns false when s is not one. */
bool sl_parse_duration_ms(const char *s, int64_t *ms);

#endif /* SLUICE_PARSER_BIND_H */
