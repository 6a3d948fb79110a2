/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_explain.c - `sluice explain`: the physical plan of every query in
 * scripts, without running anything.
 *
 * Like `sluice check`, each statement is parsed, bound against a
 * temporary in-memory catalog and, when it is DDL, applied to it, so that
 * later statements see what earlier ones declared.  Each statement with a
 * query of its own (a transient SELECT, INSERT INTO ... SELECT, CREATE
 * STREAM ... AS SELECT) is planned as `sluice run` would plan it and its
 * operator tree printed (engine/plan/plan.h), under a line naming the
 * statement's position and query id.  A pull query of a table has no
 * such plan; a line says so.  An EXPLAIN statement in the script
 * is explained as the statement it names.  Nothing reaches a broker; the
 * first error stops with the caret display and exit code 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/script.h"
#include "engine/plan/plan.h"
#include "engine/types/strbuf.h"
#include "parser/bind.h"
#include "parser/bound.h"
#include "parser/parser.h"
#include "udf/registry.h"

static const char explain_help[] =
    "Usage: sluice explain [-D NAME=VALUE]... [--bounded] FILE.sql... | -\n"
    "       sluice explain -e 'SQL'\n"
    "\n"
    "Prints the physical plan of each query in the scripts: every operator\n"
    "with its output columns and types, keys, partitioning and state, as\n"
    "EXPLAIN does.  Nothing runs: the statements bind against a temporary\n"
    "catalog that the scripts' own CREATE and DROP statements fill, as in\n"
    "sluice check.  \"-\" reads standard input.  Exits 0, or 1 with the\n"
    "first error.\n"
    "\n";

/* How many INSERT INTO each sink came so far: `sluice run` numbers their
 * queries <sink>_insert_<n>. */
typedef struct insert_count {
  struct insert_count *next;
  int count;
  char sink[];
} insert_count;

typedef struct explain_state {
  sl_catalog *catalog;
  sl_func_registry *functions;
  const sl_parse_var *vars;
  size_t nvars;
  bool bounded;
  int nplans;           /* printed so far, for the blank lines between */
  insert_count *inserts;
} explain_state;

/* The rows of a transient query go nowhere: its plan is never run. */
static sl_status no_rows(void *ud, const sl_batch *batch, int ncols,
                         sl_error *err) {
  (void)ud;
  (void)batch;
  (void)ncols;
  return sl_error_set(err, SL_ERR_INTERNAL, "an explained plan ran");
}

/* The next INSERT number of sink, or 0 when out of memory. */
static int next_insert(insert_count **list, const char *sink) {
  for (insert_count *c = *list; c; c = c->next) {
    if (strcmp(c->sink, sink) == 0)
      return ++c->count;
  }
  insert_count *c = malloc(sizeof(*c) + strlen(sink) + 1);
  if (!c)
    return 0;
  strcpy(c->sink, sink);
  c->count = 1;
  c->next = *list;
  *list = c;
  return 1;
}

static void free_counts(insert_count *c) {
  while (c) {
    insert_count *next = c->next;
    free(c);
    c = next;
  }
}

/* Plans the query of b (a statement of one of the three kinds with a
 * plan) and appends its tree to out; *id is its query id. */
static sl_status plan_stmt(explain_state *es, const char *file,
                           const sl_bound_stmt *b, char *id, size_t idsize,
                           sl_strbuf *out, sl_error *err) {
  sl_catalog_object *sink = NULL;
  sl_plan_request req = {
      .query = b->query,
      .file = file,
      .catalog = es->catalog,
      .limit = -1,
      .partitions = -1,
      .replicas = -1,
  };
  if (b->kind == SL_BSTMT_QUERY) {
    snprintf(id, idsize, "transient");
    req.bounded = es->bounded || b->emit == SL_EMIT_DEFAULT;
    req.limit = b->limit;
    req.sink = SL_PLAN_SINK_CALLBACK;
    req.fn = no_rows;
  } else {
    if (b->kind == SL_BSTMT_INSERT_QUERY) {
      int n = next_insert(&es->inserts, b->name);
      if (n == 0)
        return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
      snprintf(id, idsize, "%s_insert_%d", b->name, n);
    } else
      snprintf(id, idsize, "%s", b->name);
    if (sl_catalog_get(es->catalog, b->name, &sink, err))
      return err->code;
    if (!sink)
      return sl_error_set_sql(err, file, b->pos.line, b->pos.column,
                              "unknown stream \"%s\"", b->name);
    req.persistent = true;
    req.bounded = es->bounded;
    req.sink = SL_PLAN_SINK_STREAM;
    req.stream = sink;
    for (int i = 0; i < b->noptions; i++) {
      if (strcmp(b->options[i].name, "partitions") == 0)
        req.partitions = (int)b->options[i].number;
      if (strcmp(b->options[i].name, "replicas") == 0)
        req.replicas = (int)b->options[i].number;
    }
  }
  req.query_id = id;

  sl_plan *plan = NULL;
  sl_status rc = sl_plan_build(&req, &plan, err);
  if (rc == SL_OK)
    rc = sl_plan_explain(plan, NULL, NULL, out);
  sl_plan_free(plan);
  sl_catalog_object_free(sink);
  return rc;
}

/* The table a pull query reads (a query of a table or training set
 * without EMIT: it reads the rows stored now and has no streaming plan),
 * or NULL. */
static const char *pull_table(const sl_bound_stmt *b) {
  if (b->kind != SL_BSTMT_QUERY || b->emit != SL_EMIT_DEFAULT)
    return NULL;
  const sl_rel *rel = b->query;
  while (rel && rel->kind != SL_REL_SCAN && rel->input)
    rel = rel->input;
  if (!rel || rel->kind != SL_REL_SCAN ||
      rel->u.scan.kind == SL_SCAN_STREAM)
    return NULL;
  return rel->u.scan.name;
}

static bool has_plan(const sl_bound_stmt *b) {
  return b->query && (b->kind == SL_BSTMT_QUERY ||
                      b->kind == SL_BSTMT_INSERT_QUERY ||
                      b->kind == SL_BSTMT_CREATE_STREAM);
}

/* Explains one bound statement: applies DDL (before planning, so that a
 * CREATE STREAM ... AS plans into its new stream) and prints the plan. */
static sl_status explain_stmt(explain_state *es, sl_bind_ctx *ctx,
                              const char *file, const sl_bound_stmt *b,
                              sl_error *err) {
  if (b->kind == SL_BSTMT_EXPLAIN && b->explained)
    b = b->explained;
  if (sl_bind_apply(ctx, b, NULL, err))
    return err->code;
  if (!has_plan(b))
    return SL_OK;
  const char *table = pull_table(b);
  if (table) {
    printf("%s-- %s:%d: pull query of %s: reads the rows it holds now, "
           "no streaming plan\n", es->nplans++ ? "\n" : "", file,
           b->pos.line, table);
    fflush(stdout);
    return SL_OK;
  }

  char id[300];
  sl_strbuf out;
  sl_strbuf_init(&out);
  sl_status rc = plan_stmt(es, file, b, id, sizeof(id), &out, err);
  if (rc == SL_OK) {
    printf("%s-- %s:%d: query %s\n%s", es->nplans ? "\n" : "", file,
           b->pos.line, id, out.data ? out.data : "");
    fflush(stdout);
    es->nplans++;
  } else if (err->loc == SL_LOC_NONE) {
    /* A failure without a place is shown at the statement. */
    char msg[SL_ERROR_MSG_MAX];
    snprintf(msg, sizeof(msg), "%s", err->message);
    sl_status code = err->code;
    sl_error_set_sql(err, file, b->pos.line, b->pos.column, "%s", msg);
    err->code = code;
  }
  sl_strbuf_free(&out);
  return rc;
}

/* Explains one script: 0, or the exit code of its first error. */
static int explain_text(explain_state *es, const char *name,
                        const char *text, size_t len) {
  sl_error err;
  sl_error_clear(&err);
  sl_parse_options popts = {es->vars, es->nvars};
  sl_parse_result *parsed = NULL;
  if (sl_parse_script_len(name, text, len, &popts, &parsed, &err)) {
    sl_cli_report(&err, text, len);
    return sl_error_exit_code(err.code);
  }

  sl_bind_ctx ctx;
  sl_bind_ctx_init(&ctx, es->catalog, es->functions, parsed);
  int code = 0;
  for (int i = 0; i < parsed->nstmts && code == 0; i++) {
    sl_bound_stmt *bound = NULL;
    sl_status rc = sl_bind_stmt(&ctx, parsed->stmts[i], &bound, &err);
    if (rc == SL_OK)
      rc = explain_stmt(es, &ctx, name, bound, &err);
    if (rc) {
      sl_cli_report(&err, parsed->text, parsed->len);
      code = sl_error_exit_code(rc);
    }
    sl_bound_stmt_free(bound);
  }
  sl_parse_result_free(parsed);
  return code;
}

static int explain_file(explain_state *es, const char *path) {
  char *text = NULL;
  size_t len = 0;
  const char *name = path;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_read_script(path, &text, &len, &name, &err)) {
    sl_cli_report(&err, NULL, 0);
    return sl_error_exit_code(err.code);
  }
  int code = explain_text(es, name, text, len);
  free(text);
  return code;
}

int sl_cmd_explain(int argc, char **argv) {
  sl_cli_options opts;
  bool help;
  sl_error err;
  sl_error_clear(&err);
  if (sl_cli_parse_options(argc, argv, &opts, &help, &err)) {
    fprintf(stderr, "sluice explain: %s\n", err.message);
    return 2;
  }
  if (help) {
    fputs(explain_help, stdout);
    fputs(sl_cli_common_help, stdout);
    return 0;
  }
  if (opts.nargs == 0 && opts.ninline == 0) {
    fprintf(stderr,
            "sluice explain: no script given; see sluice explain --help\n");
    return 2;
  }

  sl_parse_var vars[SL_CLI_MAX_VARS];
  explain_state es;
  memset(&es, 0, sizeof(es));
  sl_cli_vars(&opts, vars, &es.nvars);
  es.vars = vars;
  es.bounded = opts.bounded;

  const sl_func_registry *builtins = sl_func_registry_builtin();
  es.functions = builtins ? sl_func_registry_new(builtins) : NULL;
  if (!es.functions) {
    fprintf(stderr, "sluice explain: the function registry could not be "
                    "built\n");
    return 3;
  }
  if (sl_catalog_open(":memory:", &es.catalog, &err)) {
    sl_cli_report(&err, NULL, 0);
    sl_func_registry_free(es.functions);
    return sl_error_exit_code(err.code);
  }

  int code = 0;
  for (int i = 0; i < opts.ninline && code == 0; i++)
    code = explain_text(&es, "<command line>", opts.inline_sql[i],
                        strlen(opts.inline_sql[i]));
  for (int i = 0; i < opts.nargs && code == 0; i++)
    code = explain_file(&es, opts.args[i]);

  sl_catalog_close(es.catalog);
  sl_func_registry_free(es.functions);
  free_counts(es.inserts);
  return code;
}
