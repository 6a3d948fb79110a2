/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_internal.h - the node tree of a compiled expression, shared by the
 * files of engine/expr only.
 *
 * A node is a kernel (a function chosen at compile time for the node's
 * operand types), its children, and an output column.  A kernel is called
 * with a selection: the rows it must compute, as ascending row indexes.
 * Most kernels first evaluate all children on the same selection
 * (sl_xnode_eval_kids) and then loop; the conditional ones (AND, OR,
 * CASE, COALESCE) narrow the selection before evaluating a child, which is
 * what gives them short-circuit semantics.  A COLUMN node has no kernel
 * work: its output column is the batch's column itself.
 *
 * Compile-time construction of every kind of node lives in expr.c; the
 * kernels live in expr_arith.c (arithmetic), expr_cmp.c (comparison,
 * logic, IN, BETWEEN), expr_string.c (LIKE, ||) and expr_misc.c (CASE,
 * CAST, COALESCE, NULLIF, subscripts, fields, arrays, EXTRACT, calls).
 */
#ifndef SLUICE_EXPR_INTERNAL_H
#define SLUICE_EXPR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/expr/expr.h"
#include "udf/call.h"
#include "udf/registry.h"

typedef struct sl_xnode sl_xnode;
typedef struct sl_xeval sl_xeval;

/* Computes node n for the rows in sel[0..nsel). */
typedef sl_status (*sl_xkernel)(sl_xnode *n, sl_xeval *ev, const int *sel,
                                int nsel);

/* Three-way comparison of two non-NULL values of the node's operand
 * type, chosen once per node. */
typedef int (*sl_xcmp)(const sl_value *a, const sl_value *b);

/* A compiled LIKE pattern. */
typedef enum sl_xlike_kind {
  SL_XLIKE_GENERAL = 0, /* tokens with % and _ */
  SL_XLIKE_EXACT,       /* no wildcard */
  SL_XLIKE_PREFIX,      /* lit% */
  SL_XLIKE_SUFFIX,      /* %lit */
  SL_XLIKE_CONTAINS,    /* %lit% */
  SL_XLIKE_ANY          /* % alone */
} sl_xlike_kind;

typedef struct sl_xlike {
  sl_xlike_kind kind;
  char *lit;     /* unescaped literal text: EXACT, PREFIX, SUFFIX, ... */
  size_t lit_len;
  /* GENERAL: the unescaped pattern as bytes, with wildcards marked in
   * `wild` ('%', '_', or 0 for a literal byte). */
  char *pat;
  char *wild;
  size_t pat_len;
} sl_xlike;

/* A set of constant values for IN. */
typedef struct sl_xset {
  sl_value *slots; /* open addressing; kind NULL marks an empty slot */
  uint32_t mask;
  int count;
  bool has_null;   /* the list holds a NULL: misses are NULL */
} sl_xset;

typedef enum sl_xspecial {
  SL_XSPECIAL_NONE = 0,
  SL_XSPECIAL_COALESCE,
  SL_XSPECIAL_NULLIF
} sl_xspecial;

struct sl_xnode {
  sl_xkernel run;
  const sl_type *type;   /* result type, owned by the program */
  sl_srcpos pos;
  int nkids;
  sl_xnode **kids;

  sl_value *out;         /* the result column */
  sl_value *own;         /* the node's own buffer (cap values) */
  bool is_column;        /* out is the batch column `column` */
  int column;
  bool is_const;         /* LITERAL or folded: out holds `konst` */
  sl_value konst;
  bool dead;             /* below a folded node: never evaluated */
  bool needs_sel;        /* allocates sel_a and sel_b */

  /* Per-kind data. */
  sl_bexpr_op op;
  bool negated;
  sl_xcmp cmp;
  int dec_p, dec_s;      /* DECIMAL result precision and scale */
  int index;             /* FIELD index */
  sl_extract_part part;  /* EXTRACT */
  bool has_operand;      /* CASE */
  int nwhen;
  bool has_else;
  sl_xlike *like;        /* LIKE with a constant pattern */
  char escape;
  sl_xset *set;          /* IN with a constant list */
  const sl_type *from;   /* CAST: the operand type */
  sl_func_ctx *call;     /* FUNC, PREDICT */
  bool call_ready;       /* call is initialized and must be destroyed */
  sl_value **gather;     /* FUNC: compacted argument columns */
  sl_value *gather_out;
  /* Selection scratch for the conditional kernels. */
  int *sel_a;
  int *sel_b;
};

/* The state of one evaluation. */
struct sl_xeval {
  sl_batch *batch;
  sl_arena *arena;  /* result memory */
  int nfailed;
  sl_error *err;    /* batch-level failure */
};

/* A compiled expression. */
struct sl_expr {
  sl_xnode *root;
  sl_arena arena;     /* nodes, constants, kernel data */
  int cap;            /* rows the buffers hold */
  int nnodes;
  sl_xnode **nodes;   /* every node, for buffer growth and cleanup */
  int nodes_cap;
  int ntypes;
  sl_type **types;    /* cloned types */
  int types_cap;
  int *sel;           /* the selection of the batch */
  const sl_value *const_out; /* folded root: its buffer */
};

/* ---- Helpers for kernels --------------------------------------------- */

/* Evaluates every child of n over sel. */
sl_status sl_xnode_eval_kids(sl_xnode *n, sl_xeval *ev, const int *sel,
                             int nsel);

/* Evaluates one node over sel (dispatching to its kernel; columns and
 * constants need no work). */
sl_status sl_xnode_eval(sl_xnode *n, sl_xeval *ev, const int *sel,
                        int nsel);

/* Fails row: the batch row is marked SL_BATCH_ROW_ERROR with reason and
 * the formatted message unless it already failed, and out[row] becomes
 * NULL.  Returns SL_OK, or SL_ERR_NOMEM (in ev->err) when the error could
 * not be kept. */
sl_status sl_xrow_fail(sl_xeval *ev, sl_xnode *n, int row,
                       const char *reason, const char *fmt, ...)
    SL_PRINTF(5, 6);

/* The out-of-memory batch failure. */
sl_status sl_xnomem(sl_xeval *ev);

/* ---- Kernel selection (one per file) ---------------------------------- */

/* Each returns the kernel for a node whose children are compiled, or NULL
 * when the operand types are not supported; may fill per-kind data. */
sl_xkernel sl_xarith_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xunary_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xcmp_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xcmp sl_xcmp_for(const sl_type *type);
sl_xkernel sl_xlogic_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xisnull_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xin_kernel(sl_expr *x, sl_xnode *n, const sl_bexpr *e,
                         sl_error *err);
sl_xkernel sl_xbetween_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xconcat_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xlike_kernel(sl_expr *x, sl_xnode *n, const sl_bexpr *e,
                           const char *file, sl_error *err);
sl_xkernel sl_xcase_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xcast_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xcoalesce_kernel(sl_xnode *n);
sl_xkernel sl_xnullif_kernel(sl_xnode *n);
sl_xkernel sl_xsubscript_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xfield_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xarray_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xextract_kernel(sl_xnode *n, const sl_bexpr *e);
sl_xkernel sl_xcall_kernel(sl_xnode *n);
/* NULL for every row: a strict operator with an operand typed NULL. */
sl_xkernel sl_xnull_kernel(void);

/* LIKE matching (expr_string.c): compiles pattern (len bytes) with
 * escape character esc (0: none) into *out in arena; false when the
 * pattern ends in the escape character. */
bool sl_xlike_compile(sl_arena *arena, const char *pattern, size_t len,
                      char esc, sl_xlike *out);
bool sl_xlike_match(const sl_xlike *like, const char *s, size_t len);

/* Builds the constant set of an IN list (expr_cmp.c). */
sl_status sl_xset_build(sl_arena *arena, const sl_value *const *vals,
                        int n, sl_xset **out);
/* Membership: 1 found, 0 not found.  v is not NULL. */
bool sl_xset_contains(const sl_xset *set, const sl_value *v);

#endif /* SLUICE_EXPR_INTERNAL_H */
