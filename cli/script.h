/* SPDX-License-Identifier: Apache-2.0 */
/*
 * script.h - reading scripts and reporting their errors, for the commands
 * that run SQL (run, check, shell).
 */
#ifndef SLUICE_CLI_SCRIPT_H
#define SLUICE_CLI_SCRIPT_H

#include <stddef.h>

#include "cli/options.h"
#include "engine/common/error.h"
#include "parser/parser.h"

/* Reads path ("-" for standard input) into a new NUL-terminated buffer.
 * *name is set to the name to show in messages ("<stdin>" for "-"). */
sl_status sl_cli_read_script(const char *path, char **text, size_t *len,
                             const char **name, sl_error *err);

/* Prints err to stderr in the conventions' form; a SQL error gets the
 * source line and a caret when text (the script it points into) is
 * given. */
void sl_cli_report(const sl_error *err, const char *text, size_t len);

/* The -D definitions of opts as parser variables (points into opts). */
void sl_cli_vars(const sl_cli_options *opts, sl_parse_var *vars,
                 size_t *nvars);

#endif
