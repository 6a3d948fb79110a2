/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the sluice program: dispatches to a command.
 *
 * Every command is a function taking its own argv (argv[0] is the command
 * name) and returning the process exit code of the conventions: 0 ok, 1 SQL
 * error, 2 usage error, 3 runtime failure.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *synopsis;
  const char *summary;
} command;

static const command commands[] = {
    {"run", sl_cmd_run, "sluice run [options] FILE.sql...",
     "run scripts"},
    {"shell", sl_cmd_shell, "sluice shell [options]",
     "the interactive shell"},
    {"check", sl_cmd_check, "sluice check [--dump] FILE.sql | -",
     "parse and bind only"},
    {"explain", sl_cmd_explain, "sluice explain FILE.sql | -",
     "print the plan of each query"},
    {"gen", sl_cmd_gen, "sluice gen KIND [options]",
     "data generators (sluice gen --help)"},
    {"broker", sl_cmd_broker, "sluice broker",
     "embedded in-memory broker for development"},
    {"demo", sl_cmd_demo, "sluice demo", "the end-to-end demo"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out) {
  fprintf(out, "Sluice %s: SQL stream processing with models, on Kafka.\n\n"
               "Usage:\n", SLUICE_VERSION);
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-40s %s\n", commands[i].synopsis, commands[i].summary);
  fprintf(out, "  %-40s %s\n", "sluice --version | --help | help COMMAND",
          "this help, or a command's");
  fprintf(out, "\nExit codes: 0 ok, 1 SQL error, 2 usage error, "
               "3 runtime failure.\n");
}

static const command *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++) {
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    if (isatty(STDIN_FILENO)) {
      char shell[] = "shell";
      char *shell_argv[] = {shell, NULL};
      return sl_cmd_shell(1, shell_argv);
    }
    print_usage(stderr);
    return 2;
  }

  const char *name = argv[1];
  if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
    printf("sluice %s\n", SLUICE_VERSION);
    return 0;
  }
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    print_usage(stdout);
    return 0;
  }
  if (strcmp(name, "help") == 0) {
    if (argc < 3) {
      print_usage(stdout);
      return 0;
    }
    const command *cmd = find_command(argv[2]);
    if (!cmd) {
      fprintf(stderr, "sluice: unknown command \"%s\"; see sluice --help\n",
              argv[2]);
      return 2;
    }
    char help[] = "--help";
    char *help_argv[] = {argv[2], help, NULL};
    return cmd->run(2, help_argv);
  }

  const command *cmd = find_command(name);
  if (!cmd) {
    fprintf(stderr, "sluice: unknown command \"%s\"; see sluice --help\n",
            name);
    return 2;
  }
  return cmd->run(argc - 1, argv + 1);
}
