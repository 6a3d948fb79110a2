/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader.h - C UDF libraries: loading, binding SQL functions to them,
 * and unloading.
 *
 * A loader serves one function registry (the session's, layered over the
 * built-ins).  It opens libraries written against include/sluice/udf.h
 * with dlopen (RTLD_NOW | RTLD_LOCAL), checks the ABI version they were
 * built for, calls their entry point once, and keeps each open while any
 * of its functions is registered: every bound function holds a reference
 * on its library, and the library is dlclose'd when the last one is
 * unbound.  The same file reached under two spellings is one library.
 *
 * The session's use:
 *
 *   CREATE [AGGREGATE] FUNCTION f(...) RETURNS T LANGUAGE C AS 'lib.so'
 *   [SYMBOL 'name']      -> sl_udf_bind(loader, &catalog_function, &err)
 *                           (before sl_bind_apply, or after it: the
 *                           signature-only record the binder registers is
 *                           replaced)
 *   DROP FUNCTION f      -> sl_udf_unbind(loader, "f", &err)
 *   restart              -> sl_udf_bind for every catalog function
 *   --udf-dir DIR        -> sl_udf_load_dir(loader, DIR, &n, &err)
 *
 * Library paths: a path with a '/' is used as written (relative to the
 * working directory); a bare file name is looked up in the folders given
 * to sl_udf_load_dir, then in the working directory, and otherwise left
 * to dlopen's own search (LD_LIBRARY_PATH, the system folders).
 *
 * Bound functions are registered with SL_FUNC_USER, their declared
 * determinism (SL_FUNC_NONDETERMINISTIC) and NULL handling
 * (SL_FUNC_NULL_CALL), and SL_FUNC_SLIDING for aggregates that retract.
 * A scalar's signature carries a batch implementation that calls the
 * library per row or per batch; an aggregate's carries an
 * sl_func_agg_impl over the library's fixed-size state, serialized as
 * its raw bytes.  Row errors reported by the library have the reason
 * "udf" and the message "f: <the library's message>".
 *
 * Errors name the library (as written) and the function:
 *   cannot load UDF library "x.so": <dlerror text>             SL_ERR_IO
 *   "x.so" is not a Sluice UDF library: it does not export
 *     sluice_udf_register                                       SL_ERR_SQL
 *   UDF library "x.so" was built for UDF ABI version 2, but this Sluice
 *     implements version 1; rebuild it against sluice/udf.h     SL_ERR_SQL
 *   UDF library "x.so" has no function "f" (it declares: a, b)  SL_ERR_SQL
 *   function f(VARCHAR) RETURNS DOUBLE does not match the signature
 *     luhn_valid(VARCHAR) RETURNS BOOLEAN declared by UDF library
 *     "x.so"                                                    SL_ERR_SQL
 *   a malformed declaration (a bad type, a missing hook)        SL_ERR_SQL
 *
 * Threads: like the registry, a loader is not locked; CREATE and DROP run
 * while no query evaluates the functions concerned (DROP FUNCTION is
 * refused while a query uses the function).  Calls into bound functions
 * may come from any number of threads.
 */
#ifndef SLUICE_UDF_LOADER_H
#define SLUICE_UDF_LOADER_H

#include <stdbool.h>

#include "catalog/catalog.h"
#include "engine/common/error.h"
#include "udf/registry.h"

typedef struct sl_udf_loader sl_udf_loader;

/* A loader registering into reg, which must outlive it.  NULL when out
 * of memory. */
sl_udf_loader *sl_udf_loader_new(sl_func_registry *reg);

/* Unregisters every function the loader bound that is still in its
 * registry, closes every library and frees the loader.  Call it before
 * freeing the registry.  Accepts NULL. */
void sl_udf_loader_free(sl_udf_loader *ld);

/* Binds the catalog function fn (CREATE FUNCTION or a restart) to its
 * library's function (fn->symbol, else fn->name) and registers it under
 * fn->name.  Loads the library when it is not open yet.  A registry entry
 * of the same name that is a user function without an implementation is
 * replaced; one already bound by this loader to the same library, symbol
 * and signature makes the call a no-op; anything else of that name is an
 * error.  On failure nothing is registered and a library opened for the
 * call is closed again. */
sl_status sl_udf_bind(sl_udf_loader *ld, const sl_catalog_function *fn,
                      sl_error *err);

/* Unregisters the function called name (if the registry still holds the
 * one the loader bound) and drops its reference on its library, which is
 * closed when no other function uses it.  SL_ERR_SQL 'no C function "f"
 * is loaded' when the loader bound nothing of that name. */
sl_status sl_udf_unbind(sl_udf_loader *ld, const char *name,
                        sl_error *err);

/* Loads the library at path and registers every function it declares
 * under its declared name.  *nfuncs (may be NULL) gets their count.  On
 * failure nothing of the library stays registered. */
sl_status sl_udf_load_library(sl_udf_loader *ld, const char *path,
                              int *nfuncs, sl_error *err);

/* --udf-dir: remembers dir for bare library names and loads every
 * regular file ending in ".so" in it, in name order, as
 * sl_udf_load_library does.  *nfuncs (may be NULL) gets the number of
 * functions registered.  On failure (an unreadable folder, a library
 * that does not load) the functions this call registered are unbound
 * again and the error names the file. */
sl_status sl_udf_load_dir(sl_udf_loader *ld, const char *dir, int *nfuncs,
                          sl_error *err);

/* True when the loader has a function called name bound. */
bool sl_udf_is_bound(const sl_udf_loader *ld, const char *name);

/* The number of libraries the loader holds open. */
int sl_udf_library_count(const sl_udf_loader *ld);

#endif /* SLUICE_UDF_LOADER_H */
