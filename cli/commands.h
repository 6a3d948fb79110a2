/* SPDX-License-Identifier: Apache-2.0 */
/*
 * commands.h - entry points of the sluice commands.  Each takes its own
 * argv (argv[0] is the command name) and returns the exit code.
 */
#ifndef SLUICE_CLI_COMMANDS_H
#define SLUICE_CLI_COMMANDS_H

int sl_cmd_run(int argc, char **argv);
int sl_cmd_check(int argc, char **argv);
int sl_cmd_broker(int argc, char **argv);
int sl_cmd_demo(int argc, char **argv);
int sl_cmd_shell(int argc, char **argv);
int sl_cmd_gen(int argc, char **argv);
int sl_cmd_explain(int argc, char **argv);

#endif
