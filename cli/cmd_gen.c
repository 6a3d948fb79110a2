/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_gen.c - `sluice gen KIND`: dispatch to the data generators.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/gen.h"

typedef struct gen_kind {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} gen_kind;

static const gen_kind kinds[] = {
    {"records", sl_gen_records,
     "records of a declared schema (--schema 'id BIGINT, ...')"},
    {"payments", sl_gen_payments_cmd,
     "card payments and chargebacks with labelled fraud"},
    {"applications", sl_gen_applications,
     "loan applications replayed from a loans file (--file F)"},
    {"loans", sl_gen_loans,
     "credit scores, engagements and transactions of the applicants"},
    {"store", sl_gen_store,
     "sales, deliveries and stock counts of stores, with faults"},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void print_usage(FILE *out) {
  fputs("Usage: sluice gen KIND [options]\n"
        "\n"
        "Writes synthetic records to a Kafka topic, the same records for\n"
        "the same seed.  Needs a broker: --brokers HOST:PORT or\n"
        "SLUICE_BROKERS (`sluice broker` runs a local one).\n"
        "\n"
        "Kinds:\n", out);
  for (size_t i = 0; i < NKINDS; i++)
    fprintf(out, "  %-13s %s\n", kinds[i].name, kinds[i].summary);
  fputs("\n`sluice gen KIND --help` describes the options of a kind.\n",
        out);
}

int sl_cmd_gen(int argc, char **argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    print_usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < NKINDS; i++) {
    if (strcmp(kinds[i].name, name) == 0)
      return kinds[i].run(argc - 1, argv + 1);
  }
  if (name[0] == '-')
    fprintf(stderr, "sluice gen: unknown option \"%s\"; name a kind first "
            "(see sluice gen --help)\n", name);
  else
    fprintf(stderr, "sluice gen: unknown kind \"%s\"; see sluice gen "
            "--help\n", name);
  return 2;
}
