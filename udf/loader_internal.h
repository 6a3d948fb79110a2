/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loader_internal.h - what loader.c (libraries and bindings) and
 * loader_call.c (calling into them) share.
 *
 * A binding is the implementation data (sig->impl_data) of a registered
 * UDF: the library function it calls and the types it was declared with.
 * It lives as long as the function is registered.
 */
#ifndef SLUICE_UDF_LOADER_INTERNAL_H
#define SLUICE_UDF_LOADER_INTERNAL_H

#include "engine/types/types.h"
#include "sluice/udf.h"
#include "udf/agg.h"
#include "udf/call.h"
#include "udf/loader.h"

/* The declared types of one library function, parsed once. */
typedef struct sl_udf_decl_types {
  int nargs;
  sl_type **args;
  sl_type *ret;
} sl_udf_decl_types;

/* One open library. */
typedef struct sl_udf_lib {
  char *key;     /* the resolved path (realpath), or the name dlopen
                    searched for */
  char *display; /* as the user wrote it, for messages */
  void *handle;
  const sluice_udf_library *decl;
  sl_udf_decl_types *types; /* decl->nfunctions entries */
  int refs;                 /* bindings using the library */
} sl_udf_lib;

/* One bound function. */
typedef struct sl_udf_binding {
  char *sql_name;   /* the registered name, as given */
  char *lname;      /* its lower-case form, for messages */
  sl_udf_lib *lib;
  const sluice_udf_function *decl;
  const sl_udf_decl_types *types;
} sl_udf_binding;

/* The batch implementation of every scalar UDF (sl_func_scalar_fn); the
 * binding is ctx->sig->impl_data. */
sl_status sl_udf_scalar_call(sl_func_ctx *ctx, int nargs,
                             const sl_value *const *args, int nrows,
                             sl_value *out, sl_error *err);

/* The aggregate hooks of UDAFs without and with retract. */
extern const sl_func_agg_impl sl_udf_agg_impl;
extern const sl_func_agg_impl sl_udf_agg_retract_impl;

#endif /* SLUICE_UDF_LOADER_INTERNAL_H */
