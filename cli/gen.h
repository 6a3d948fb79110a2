/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen.h - the kinds of `sluice gen`.
 *
 * `sluice gen KIND [options]` looks KIND up in the table of cmd_gen.c and
 * hands it its own argv (argv[0] is the kind's name).  A kind parses its
 * options, builds its rows, and produces them through a sink (gen_sink.h);
 * kinds share the PRNG (gen_rand.h) and the value generators
 * (gen_values.h).  A new kind is one function here and one table entry.
 */
#ifndef SLUICE_CLI_GEN_H
#define SLUICE_CLI_GEN_H

/* `sluice gen records`: records of a declared schema.  Returns the exit
 * code. */
int sl_gen_records(int argc, char **argv);

/* `sluice gen applications`: loan applications replayed from a CSV file
 * of past loans (gen_loans.c).  Returns the exit code. */
int sl_gen_applications(int argc, char **argv);

/* `sluice gen loans`: the side tables and transactions of the same
 * applicants (gen_loans.c).  Returns the exit code. */
int sl_gen_loans(int argc, char **argv);

/* `sluice gen store`: sales, deliveries and stock counts of a grocery
 * chain with faults mixed in (gen_store.c).  Returns the exit code. */
int sl_gen_store(int argc, char **argv);

/* `sluice gen payments`: card payments with labelled fraud
 * (gen_payments.h).  Returns the exit code. */
int sl_gen_payments_cmd(int argc, char **argv);

#endif
