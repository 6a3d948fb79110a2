/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op.h - the operator contract: the one shape every operator of a running
 * query has.
 *
 * An operator is pushed data: its upstream calls process() with a batch
 * on one of its input ports, and the operator pushes what it produces to
 * its single downstream with sl_op_emit before returning.  The lifecycle
 * is the same for all of them:
 *
 *   open        once, before the first batch: compile expressions, open
 *               lookup handles, restore state from the query's store
 *   process     a batch from input port i (rows in state SELECTED are
 *               live; DROPPED and ERROR rows are carried but skipped)
 *   watermark   the combined watermark of the inputs advanced: close what
 *               it closes (windows, join buffers), emit, then forward
 *   partitions  source partitions were assigned to or revoked from this
 *               task: load or release the state kept for them
 *   checkpoint  write what the operator keeps into the state store, at a
 *               batch boundary, with every operator of the task quiet
 *   close       release everything; no call follows but destroy
 *
 * Batches are borrowed: valid for the duration of process() only.  An
 * operator may drop rows, mark rows failed (sl_batch_set_error) and
 * allocate in the batch's arena, but never resets or frees a batch it
 * did not create.  An operator that emits a batch it built (a view over
 * its input with other columns, or a batch of its own) keeps that batch's
 * arena alive until its next process() call or close.  The operator that
 * creates a batch routes its failed rows to the error policy after the
 * emit returns (sl_op_errors_route_batch): downstream views share the
 * row metadata, so failures marked downstream are seen there too.
 *
 * Watermarks travel beside the batches: sl_op_batch carries, per row, the
 * watermark left by the rows before it (what lateness is judged against,
 * so results never depend on batching), and sl_op_push_watermark carries
 * the watermark reached after a batch.  SL_WATERMARK_END means every
 * input is finished: everything still open must close.
 *
 * Threads: the operators of one task run on one thread at a time and
 * share nothing with other tasks' operators; counters are atomic so that
 * another thread may read them while the query runs.
 */
#ifndef SLUICE_OPS_OP_H
#define SLUICE_OPS_OP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"
#include "catalog/state.h"
#include "engine/common/error.h"
#include "engine/types/batch.h"

#define SL_WATERMARK_NONE INT64_MIN /* nothing known yet */
#define SL_WATERMARK_END INT64_MAX  /* every input is finished */

typedef struct sl_op sl_op;
typedef struct sl_op_errors sl_op_errors;
typedef struct sl_op_output sl_op_output;
struct sl_stateful;

/* What travels on an edge. */
typedef struct sl_op_batch {
  sl_batch *batch;              /* borrowed for the call */
  const int64_t *row_watermark; /* per row: the watermark before it; NULL
                                   when the batch has none (use the last
                                   watermark pushed) */
  const char *topic;            /* source topic of the rows, for errors;
                                   NULL when rows have no single source */
} sl_op_batch;

/* Counters of one operator instance. */
typedef struct sl_op_counters {
  atomic_llong records_in;   /* live rows received */
  atomic_llong records_out;  /* live rows emitted */
  atomic_llong records_failed; /* rows this operator marked failed */
  atomic_llong records_late;   /* rows too late for their window */
} sl_op_counters;

/* A snapshot of counters, for reports. */
typedef struct sl_op_stats {
  int64_t records_in;
  int64_t records_out;
  int64_t records_failed;
  int64_t records_late;
} sl_op_stats;

/* What the runtime hands an operator at open. */
typedef struct sl_op_ctx {
  const char *query_id;
  sl_catalog *catalog;       /* lookup tables; may be NULL in tests */
  sl_state *state;           /* the query's store; NULL when stateless */
  bool one_partition;        /* the task reads every partition and the
                                stateful operators keep one state for
                                all of them (rows of a key may arrive on
                                any partition); see stateful.h */
  sl_op_errors *errors;      /* the task's error router */
  sl_op_output *output;      /* the task's producer; NULL without Kafka */
  int task;                  /* index of the task among the query's */
  /* Asks the task to finish (a LIMIT reached); may be NULL. */
  void (*finish)(void *ud);
  void *finish_ud;
} sl_op_ctx;

/* One checkpoint as an operator sees it. */
typedef struct sl_op_ckpt {
  int64_t id;        /* the checkpoint being written (1, 2, ...) */
  sl_state *state;   /* where state goes; NULL when stateless */
  bool final;        /* the query is stopping */
} sl_op_ckpt;

/* The class of an operator: its name and its lifecycle functions.  Any
 * function but process may be NULL: a NULL watermark forwards, NULL
 * partitions, checkpoint and close do nothing. */
typedef struct sl_op_class {
  const char *name;
  sl_status (*open)(sl_op *op, const sl_op_ctx *ctx, sl_error *err);
  sl_status (*process)(sl_op *op, int port, const sl_op_batch *in,
                       sl_error *err);
  sl_status (*watermark)(sl_op *op, int64_t watermark, sl_error *err);
  sl_status (*partitions)(sl_op *op, const int32_t *parts, int n,
                          bool assigned, sl_error *err);
  sl_status (*checkpoint)(sl_op *op, const sl_op_ckpt *ck,
                          sl_error *err);
  void (*close)(sl_op *op);
  void (*destroy)(sl_op *op); /* frees the operator's own struct */
} sl_op_class;

typedef enum sl_op_state {
  SL_OP_CREATED = 0,
  SL_OP_OPEN,
  SL_OP_CLOSED
} sl_op_state;

/* Input ports whose watermarks live inside sl_op; more are allocated. */
#define SL_OP_INLINE_PORTS 4

/* The part every operator struct starts with. */
struct sl_op {
  const sl_op_class *cls;
  sl_op_state state;
  int id;                   /* the physical plan node it runs */
  const sl_op_ctx *ctx;     /* set by sl_op_open */
  sl_op *out;               /* downstream, or NULL for a sink */
  int out_port;
  int nports;
  int64_t *ports_wm;        /* last watermark per input port */
  int64_t inline_wm[SL_OP_INLINE_PORTS];
  int64_t watermark;        /* min over the ports */
  sl_op_counters counters;
  struct sl_stateful *stateful; /* its partitioned state, set by
                                   sl_stateful_open; NULL otherwise */
};

/* Initializes the common part; called by each operator's constructor.
 * Fails only when out of memory (many ports). */
sl_status sl_op_init(sl_op *op, const sl_op_class *cls, int nports,
                     sl_error *err);

/* Connects op's output to port of to. */
void sl_op_connect(sl_op *op, sl_op *to, int port);

/* Lifecycle calls, in the contract's order.  open fails if the operator
 * was opened before; close is idempotent; destroy closes first and
 * accepts NULL. */
sl_status sl_op_open(sl_op *op, const sl_op_ctx *ctx, sl_error *err);
sl_status sl_op_process(sl_op *op, int port, const sl_op_batch *in,
                        sl_error *err);
sl_status sl_op_partitions(sl_op *op, const int32_t *parts, int n,
                           bool assigned, sl_error *err);
sl_status sl_op_checkpoint(sl_op *op, const sl_op_ckpt *ck,
                           sl_error *err);
void sl_op_close(sl_op *op);
void sl_op_destroy(sl_op *op);

/* Pushes the watermark of port into op: when the minimum over its ports
 * advances, the class's watermark function runs (or, without one, the
 * new minimum is forwarded downstream). */
sl_status sl_op_push_watermark(sl_op *op, int port, int64_t watermark,
                               sl_error *err);

/* For operators: sends a batch downstream (counting its live rows as
 * records out).  A sink (no downstream) only counts. */
sl_status sl_op_emit(sl_op *op, const sl_op_batch *b, sl_error *err);

/* For operators: forwards a watermark downstream. */
sl_status sl_op_emit_watermark(sl_op *op, int64_t watermark, sl_error *err);

/* Lowers the watermark of op's port to watermark (when below it).  What
 * op closed stays closed: its own watermark never goes back, and its
 * watermark function runs again only once the minimum over its ports
 * passes it.  An operator without a watermark function passes the
 * lowering downstream.  A source whose partitions changed lowers its
 * downstream so that an operator of several inputs (a join) waits for
 * every input to catch up before it closes anything more. */
void sl_op_lower_watermark(sl_op *op, int port, int64_t watermark);

/* For operators: lowers the watermark of op's downstream port. */
void sl_op_emit_lower_watermark(sl_op *op, int64_t watermark);

/* A snapshot of op's counters. */
void sl_op_stats_get(const sl_op *op, sl_op_stats *out);

/* Live rows of b (SL_BATCH_ROW_SELECTED among its nrows). */
int sl_op_live_rows(const sl_batch *b);

#endif /* SLUICE_OPS_OP_H */
