/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.h - the command-line options every sluice command shares.
 *
 * Each command parses its arguments with sl_cli_parse_options, which knows
 * the common options of the conventions (--brokers, --catalog, --output,
 * --bounded, ...) and collects the remaining arguments (script files) in
 * order.  Environment defaults (SLUICE_BROKERS) are applied here too.
 */
#ifndef SLUICE_CLI_OPTIONS_H
#define SLUICE_CLI_OPTIONS_H

#include <stdbool.h>

#include "engine/common/error.h"
#include "engine/exec/output.h"


#define SL_CLI_MAX_VARS 64
#define SL_CLI_MAX_ARGS 64

typedef struct sl_cli_options {
  const char *brokers;      /* NULL: the embedded in-memory broker */
  const char *kafka_config; /* file of librdkafka key=value lines */
  const char *catalog;      /* NULL: ./sluice.db, or temporary when embedded */
  const char *service;      /* deployment name, default "sluice" */
  const char *log_file;
  const char *udf_dir;
  const char *secret_file;
  sl_output_format output;
  bool bounded;
  bool dump;                /* check --dump */
  int metrics_port;         /* 0: off */
  int nvars;
  const char *var_names[SL_CLI_MAX_VARS]; /* -D name=value */
  const char *var_values[SL_CLI_MAX_VARS];
  int ninline;
  const char *inline_sql[SL_CLI_MAX_ARGS]; /* -e 'SQL' */
  int nargs;
  const char *args[SL_CLI_MAX_ARGS];       /* positional arguments */
  char var_storage[SL_CLI_MAX_VARS][256];
} sl_cli_options;

/* Parses argv (argv[0] is the command name).  On a usage error returns
 * SL_ERR_USAGE with the message in err.  `want_help` is set when --help was
 * given. */
sl_status sl_cli_parse_options(int argc, char **argv, sl_cli_options *opts,
                               bool *want_help, sl_error *err);

/* The concrete output format: AUTO resolves by whether stdout is a
 * terminal. */
sl_output_format sl_cli_output_format(const sl_cli_options *opts);

/* The text of the common options for --help. */
extern const char sl_cli_common_help[];

#endif
