/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.h - the function registry the binder consults.
 *
 * A function has a case-insensitive name, a kind (scalar, aggregate,
 * window-only, feature transform, model), flags (determinism, strictness,
 * what the binder may allow around it), a one-line documentation string
 * with an example, and one or more signatures.  A signature lists
 * parameter patterns and a return-type rule, and carries the
 * implementation (a batch scalar function for scalars).
 *
 * Signatures are written as text, the same text users see:
 *
 *   "(DOUBLE [, INT]) -> DOUBLE"        an optional trailing parameter
 *   "(T, T...) -> T"                    a type variable; a variadic tail
 *   "(ARRAY<T>, T) -> BOOLEAN"          element types unify with T
 *   "(DECIMAL) -> $1"                   any DECIMAL(p,s); same type as arg 1
 *   "(NUMERIC, CONST ARRAY<DOUBLE>) -> INT"  any numeric; a constant
 *   "(ANY...) -> VARCHAR"               anything, one or more
 *   "(DECIMAL) -> @decimal_sum"         a named return-type rule
 *
 * Concrete types are spelled as in SQL (INT, DECIMAL(10,2),
 * MAP<VARCHAR, INT>, STRUCT<a INT>).  All T of one signature meet at their
 * common type (sl_type_common).  "X..." means one or more X; params after
 * "[" are optional, each needing the ones before it.
 *
 * Resolution picks, among the signatures that accept the argument types
 * through implicit casts (INT -> BIGINT -> DECIMAL -> DOUBLE, DATE ->
 * TIMESTAMP; NULL fits anything), the one needing the cheapest casts
 * (earlier signatures win ties), and reports the target type of every
 * argument and the return type.
 *
 * The built-in registry is built once and shared read-only.  A catalog
 * layers user functions over it with sl_func_registry_new(parent).  A
 * registry is not locked: writers (CREATE/DROP FUNCTION) and readers must
 * not overlap.
 */
#ifndef SLUICE_UDF_REGISTRY_H
#define SLUICE_UDF_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/common/error.h"
#include "engine/types/types.h"
#include "engine/types/value.h"
#include "udf/call.h"

typedef enum sl_func_kind {
  SL_FUNC_SCALAR = 0,
  SL_FUNC_AGGREGATE, /* GROUP BY, windows, and OVER where flagged */
  SL_FUNC_WINDOW,    /* only with OVER: LAG, ROW_NUMBER, RANK */
  SL_FUNC_FEATURE,   /* only in CREATE MODEL ... FEATURES (...) */
  SL_FUNC_MODEL      /* PREDICT: its first argument names a model */
} sl_func_kind;

/* Function flags. */
enum {
  SL_FUNC_NONDETERMINISTIC = 1u << 0, /* NOW(): may differ per call */
  SL_FUNC_NULL_CALL = 1u << 1,  /* called on NULL arguments (COALESCE);
                                   otherwise NULL in gives NULL out */
  SL_FUNC_STAR = 1u << 2,       /* COUNT(*): resolved as a call without
                                   arguments, shown as COUNT(*) */
  SL_FUNC_DISTINCT = 1u << 3,   /* AGG(DISTINCT x) */
  SL_FUNC_SLIDING = 1u << 4,    /* aggregate allowed OVER (... RANGE ...) */
  SL_FUNC_USER = 1u << 5        /* registered by the user (CREATE FUNCTION) */
};

/* A parameter pattern. */
typedef enum sl_func_pattern_kind {
  SL_PAT_TYPE = 0, /* a concrete type */
  SL_PAT_ANY,      /* any type, passed unchanged */
  SL_PAT_VAR,      /* the signature's type variable T */
  SL_PAT_NUMERIC,  /* any numeric type, passed unchanged */
  SL_PAT_DECIMAL,  /* any DECIMAL(p,s); INT and BIGINT widen to one */
  SL_PAT_ARRAY,    /* ARRAY<elem> where elem is not concrete */
  SL_PAT_MAP       /* MAP<VARCHAR, elem> where elem is not concrete */
} sl_func_pattern_kind;

typedef struct sl_func_pattern sl_func_pattern;
struct sl_func_pattern {
  sl_func_pattern_kind kind;
  bool constant;         /* the argument must be a constant (CONST) */
  sl_type *type;         /* SL_PAT_TYPE */
  sl_func_pattern *elem; /* SL_PAT_ARRAY, SL_PAT_MAP */
};

/* Computes a return type from the target argument types and, where the
 * binder knows them, the constant arguments (consts is NULL, or consts[i]
 * is NULL for an argument that is not constant).  Returns a new type (or
 * a singleton), NULL when out of memory. */
typedef sl_type *(*sl_func_ret_rule_fn)(int nargs, sl_type *const *targets,
                                        const sl_value *const *consts);

typedef enum sl_func_ret_kind {
  SL_RET_PATTERN = 0, /* a concrete type or one built from T */
  SL_RET_ARG,         /* the target type of argument `arg` */
  SL_RET_RULE         /* computed by `rule` */
} sl_func_ret_kind;

typedef struct sl_func_ret {
  sl_func_ret_kind kind;
  sl_func_pattern *pattern; /* SL_RET_PATTERN */
  int arg;                  /* SL_RET_ARG: 0-based */
  sl_func_ret_rule_fn rule; /* SL_RET_RULE */
  const char *rule_name;    /* SL_RET_RULE: static, e.g. "decimal_sum" */
  const char *display;      /* SL_RET_RULE: shown type, e.g. "DECIMAL" */
} sl_func_ret;

/* Implementation hooks of an aggregate, defined by the aggregation code;
 * the registry only carries the pointer. */
typedef struct sl_func_agg_impl sl_func_agg_impl;

struct sl_func_sig {
  int nparams;
  sl_func_pattern *params; /* nparams patterns */
  int nrequired;           /* the first nrequired params are mandatory */
  bool variadic;           /* the last param repeats (one or more) */
  sl_func_ret ret;
  sl_func_scalar_fn scalar;   /* scalar implementation, or NULL */
  sl_func_prepare_fn prepare; /* optional */
  const sl_func_agg_impl *agg; /* aggregate implementation, or NULL */
  void *impl_data;            /* for the implementation (a UDF symbol) */
  char *spec;                 /* the normalized signature text */
};

struct sl_func {
  char *name;    /* upper case */
  sl_func_kind kind;
  unsigned flags;
  char *doc;     /* one line */
  char *example; /* one SQL expression or statement */
  char *refusal; /* non-NULL: the function exists but is refused, this
                    being the reason */
  int nsigs;
  sl_func_sig *sigs;
};

/* The description of a function to register. */
#define SL_FUNC_DEF_MAX_SIGS 8

typedef struct sl_func_def_sig {
  const char *spec; /* "(DOUBLE [, INT]) -> DOUBLE"; NULL ends the list */
  sl_func_scalar_fn scalar;
  sl_func_prepare_fn prepare;
  const sl_func_agg_impl *agg;
  void *impl_data;
} sl_func_def_sig;

typedef struct sl_func_def {
  const char *name;
  sl_func_kind kind;
  unsigned flags;
  const char *doc;
  const char *example;
  const char *refusal;
  sl_func_def_sig sigs[SL_FUNC_DEF_MAX_SIGS];
} sl_func_def;

typedef struct sl_func_registry sl_func_registry;

/* The outcome of resolving a call. */
typedef struct sl_func_resolved {
  const sl_func *func;
  const sl_func_sig *sig;
  int nargs;
  sl_type **arg_types; /* nargs target types: cast argument i to
                          arg_types[i] when its type differs */
  sl_type *ret_type;
} sl_func_resolved;

/* The shared registry of every built-in function, built on first use
 * (thread-safe) and never freed.  Returns NULL only when it could not be
 * built (out of memory; logged). */
const sl_func_registry *sl_func_registry_builtin(void);

/* A new registry holding every built-in function, owned by the caller
 * (sl_func_registry_free).  On failure returns NULL and fills err. */
sl_func_registry *sl_func_registry_new_builtin(sl_error *err);

/* A new, empty registry that falls back to parent (which may be NULL and
 * must outlive it) for names it does not hold.  NULL when out of
 * memory. */
sl_func_registry *sl_func_registry_new(const sl_func_registry *parent);

/* Frees a registry and the functions registered in it (not its parent's).
 * Accepts NULL. */
void sl_func_registry_free(sl_func_registry *reg);

/* Registers a function described by def.  Its signatures are parsed here;
 * a malformed one fails with SL_ERR_SQL naming the function and the text.
 * A name already known to the registry or its parents fails with
 * SL_ERR_SQL 'function "f" already exists'.  On success *out (if
 * non-NULL) points at the function, owned by the registry. */
sl_status sl_func_register(sl_func_registry *reg, const sl_func_def *def,
                           const sl_func **out, sl_error *err);

/* Removes a function registered in reg itself (not in a parent).  Fails
 * with SL_ERR_SQL for an unknown name or a built-in (a function of a
 * registry made by sl_func_registry_new_builtin that lacks SL_FUNC_USER).
 * Pointers to the function become invalid. */
sl_status sl_func_unregister(sl_func_registry *reg, const char *name,
                             sl_error *err);

/* The function called name (any case) in reg or its parents, or NULL. */
const sl_func *sl_func_lookup(const sl_func_registry *reg, const char *name);

/* Resolves a call of name with nargs arguments of the given types (a
 * NULL literal has type NULL).  On success fills *out (free it with
 * sl_func_resolved_free).  Errors are SL_ERR_SQL without a location (the
 * binder adds it):
 *   unknown function "foo"; did you mean "floor"?
 *   function round(VARCHAR) does not exist; candidates: ROUND(DOUBLE
 *     [, INT]), ROUND(DECIMAL [, INT])
 *   the function's refusal reason (LEAD). */
sl_status sl_func_resolve(const sl_func_registry *reg, const char *name,
                          int nargs, const sl_type *const *arg_types,
                          sl_func_resolved *out, sl_error *err);

/* Like sl_func_resolve, also passing the constant arguments the binder
 * knows (consts[i] NULL when argument i is not constant), which some
 * return types depend on: ROUND(DECIMAL(p,s), d) has scale d when d is a
 * constant, scale s otherwise. */
sl_status sl_func_resolve_consts(const sl_func_registry *reg,
                                 const char *name, int nargs,
                                 const sl_type *const *arg_types,
                                 const sl_value *const *consts,
                                 sl_func_resolved *out, sl_error *err);

/* Releases what a resolution holds and zeroes it.  Accepts a zeroed
 * one. */
void sl_func_resolved_free(sl_func_resolved *r);

/* Every function of reg and its parents, sorted by name, as a malloc'd
 * array of *count pointers (the caller frees the array, not the
 * functions).  For SHOW FUNCTIONS. */
sl_status sl_func_registry_list(const sl_func_registry *reg,
                                const sl_func ***out, int *count,
                                sl_error *err);

/* Writes "ROUND(DOUBLE [, INT])", followed by " -> DOUBLE" when
 * with_return, into buf (always NUL-terminated).  Returns buf. */
char *sl_func_sig_format(const sl_func *func, const sl_func_sig *sig,
                         bool with_return, char *buf, size_t size);

/* "scalar", "aggregate", "window", "feature transform", "model". */
const char *sl_func_kind_name(sl_func_kind kind);

#endif /* SLUICE_UDF_REGISTRY_H */
