/* SPDX-License-Identifier: Apache-2.0 */
/*
 * options.c - parsing of the common command-line options.
 */
#include "cli/options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/common/log.h"

const char sl_cli_common_help[] =
    "Common options:\n"
    "  --brokers LIST        Kafka bootstrap servers (or SLUICE_BROKERS);\n"
    "                        without it an embedded in-memory broker runs\n"
    "  --kafka-config FILE   librdkafka properties, one key=value a line\n"
    "  --catalog PATH        catalog database (default ./sluice.db; a\n"
    "                        temporary one with the embedded broker)\n"
    "  --service NAME        deployment name (default sluice)\n"
    "  --output FORMAT       table, csv or json (default: table on a\n"
    "                        terminal, csv otherwise)\n"
    "  --bounded             read sources up to their current end, then "
    "finish\n"
    "  -e SQL                run the statements given inline\n"
    "  -D NAME=VALUE         define ${NAME} for the scripts\n"
    "  --log-level LEVEL     error, warn, info (default) or debug\n"
    "  --log-file FILE       write logs to FILE instead of standard error\n"
    "  --udf-dir DIR         load every UDF library in DIR\n"
    "  --secret-file FILE    key for depersonalized columns (or "
    "SLUICE_SECRET)\n"
    "  --metrics-port N      serve Prometheus metrics on 127.0.0.1:N\n"
    "  -h, --help            show help\n";

enum {
  OPT_BROKERS = 256,
  OPT_KAFKA_CONFIG,
  OPT_CATALOG,
  OPT_SERVICE,
  OPT_OUTPUT,
  OPT_BOUNDED,
  OPT_LOG_LEVEL,
  OPT_LOG_FILE,
  OPT_UDF_DIR,
  OPT_SECRET_FILE,
  OPT_METRICS_PORT,
  OPT_DUMP
};

static const struct option long_options[] = {
    {"brokers", required_argument, NULL, OPT_BROKERS},
    {"kafka-config", required_argument, NULL, OPT_KAFKA_CONFIG},
    {"catalog", required_argument, NULL, OPT_CATALOG},
    {"service", required_argument, NULL, OPT_SERVICE},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"bounded", no_argument, NULL, OPT_BOUNDED},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"udf-dir", required_argument, NULL, OPT_UDF_DIR},
    {"secret-file", required_argument, NULL, OPT_SECRET_FILE},
    {"metrics-port", required_argument, NULL, OPT_METRICS_PORT},
    {"dump", no_argument, NULL, OPT_DUMP},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static sl_status parse_var(const char *arg, sl_cli_options *opts,
                           sl_error *err) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg)
    return sl_error_set(err, SL_ERR_USAGE,
                        "-D expects NAME=VALUE, got \"%s\"", arg);
  if (opts->nvars >= SL_CLI_MAX_VARS)
    return sl_error_set(err, SL_ERR_USAGE, "too many -D definitions");
  size_t nlen = (size_t)(eq - arg);
  if (nlen >= sizeof(opts->var_storage[0]))
    return sl_error_set(err, SL_ERR_USAGE, "-D name too long: \"%s\"", arg);

  char *name = opts->var_storage[opts->nvars];
  memcpy(name, arg, nlen);
  name[nlen] = '\0';
  opts->var_names[opts->nvars] = name;
  opts->var_values[opts->nvars] = eq + 1;
  opts->nvars++;
  return SL_OK;
}

static sl_status parse_output(const char *arg, sl_cli_options *opts,
                              sl_error *err) {
  if (strcmp(arg, "table") == 0)
    opts->output = SL_OUTPUT_TABLE;
  else if (strcmp(arg, "csv") == 0)
    opts->output = SL_OUTPUT_CSV;
  else if (strcmp(arg, "json") == 0)
    opts->output = SL_OUTPUT_JSON;
  else
    return sl_error_set(err, SL_ERR_USAGE,
                        "unknown output format \"%s\"; expected table, csv "
                        "or json", arg);
  return SL_OK;
}

static sl_status parse_option(int c, const char *arg, sl_cli_options *opts,
                              bool *want_help, sl_error *err) {
  sl_log_level level;
  char *end;

  switch (c) {
  case OPT_BROKERS: opts->brokers = arg; break;
  case OPT_KAFKA_CONFIG: opts->kafka_config = arg; break;
  case OPT_CATALOG: opts->catalog = arg; break;
  case OPT_SERVICE: opts->service = arg; break;
  case OPT_OUTPUT: return parse_output(arg, opts, err);
  case OPT_BOUNDED: opts->bounded = true; break;
  case OPT_LOG_LEVEL:
    if (!sl_log_parse_level(arg, &level))
      return sl_error_set(err, SL_ERR_USAGE,
                          "unknown log level \"%s\"; expected error, warn, "
                          "info or debug", arg);
    sl_log_set_level(level);
    break;
  case OPT_LOG_FILE: opts->log_file = arg; break;
  case OPT_UDF_DIR: opts->udf_dir = arg; break;
  case OPT_SECRET_FILE: opts->secret_file = arg; break;
  case OPT_METRICS_PORT:
    opts->metrics_port = (int)strtol(arg, &end, 10);
    if (*end || opts->metrics_port <= 0 || opts->metrics_port > 65535)
      return sl_error_set(err, SL_ERR_USAGE,
                          "--metrics-port expects a port number, got \"%s\"",
                          arg);
    break;
  case OPT_DUMP: opts->dump = true; break;
  case 'D': return parse_var(arg, opts, err);
  case 'e':
    if (opts->ninline >= SL_CLI_MAX_ARGS)
      return sl_error_set(err, SL_ERR_USAGE, "too many -e statements");
    opts->inline_sql[opts->ninline++] = arg;
    break;
  case 'h': *want_help = true; break;
  default:
    return sl_error_set(err, SL_ERR_USAGE,
                        "unknown option; see --help");
  }
  return SL_OK;
}

sl_status sl_cli_parse_options(int argc, char **argv, sl_cli_options *opts,
                               bool *want_help, sl_error *err) {
  memset(opts, 0, sizeof(*opts));
  *want_help = false;
  opts->service = "sluice";
  const char *env = getenv("SLUICE_BROKERS");
  if (env && *env)
    opts->brokers = env;

  /* getopt keeps global state; a command may be parsed more than once in
   * a process (tests), so reset it. */
  optind = 1;
  opterr = 0;
  for (;;) {
    int idx = 0;
    int c = getopt_long(argc, argv, ":D:e:h", long_options, &idx);
    if (c == -1)
      break;
    if (c == '?' || c == ':') {
      const char *bad = argv[optind - 1];
      if (optopt && c == ':')
        return sl_error_set(err, SL_ERR_USAGE, "option %s needs a value",
                            bad);
      return sl_error_set(err, SL_ERR_USAGE, "unknown option \"%s\"; see "
                          "%s --help", bad, argv[0]);
    }
    sl_status rc = parse_option(c, optarg, opts, want_help, err);
    if (rc)
      return rc;
  }

  for (int i = optind; i < argc; i++) {
    if (opts->nargs >= SL_CLI_MAX_ARGS)
      return sl_error_set(err, SL_ERR_USAGE, "too many arguments");
    opts->args[opts->nargs++] = argv[i];
  }
  return SL_OK;
}

sl_output_format sl_cli_output_format(const sl_cli_options *opts) {
  if (opts->output != SL_OUTPUT_AUTO)
    return opts->output;
  return isatty(STDOUT_FILENO) ? SL_OUTPUT_TABLE : SL_OUTPUT_CSV;
}
