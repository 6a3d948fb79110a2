/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_payments.h - a synthetic world of card payments with labelled
 * fraud, for `sluice gen payments` and `sluice demo`.
 *
 * The world is built whole in memory from a seed: customers with a home
 * and a spending habit, merchants with a category, a place and a risk
 * score, the payments of a number of days following a daily rhythm, and
 * four kinds of fraud mixed in (card testing, a compromised merchant,
 * account takeover, impossible travel).  Most fraudulent payments, and a
 * few honest ones, are disputed later: their chargebacks come one to
 * seven days (disputes up to twenty) after the payment in event time.
 * The same options give the same world on every machine.
 *
 * Payments are numbered 1, 2, 3... in event-time order.  Records (one
 * JSON object per payment or chargeback) come out merged in event-time
 * order, so a live feed sees each chargeback after its payment.
 */
#ifndef SLUICE_CLI_GEN_PAYMENTS_H
#define SLUICE_CLI_GEN_PAYMENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/common/error.h"

#define SL_GEN_PAYMENTS_MAX (INT64_C(5000000))

typedef struct sl_gen_payments_options {
  uint64_t seed;
  int64_t count;    /* payments, fraud included (1..SL_GEN_PAYMENTS_MAX) */
  int64_t start_ms; /* event time of the first day's midnight */
  int days;         /* days of payments (1..366) */
} sl_gen_payments_options;

/* The fraud scenarios; SL_GEN_HONEST for the rest. */
typedef enum sl_gen_scenario {
  SL_GEN_HONEST = 0,
  SL_GEN_CARD_TESTING,
  SL_GEN_COMPROMISED_MERCHANT,
  SL_GEN_ACCOUNT_TAKEOVER,
  SL_GEN_IMPOSSIBLE_TRAVEL,
  SL_GEN_NSCENARIOS
} sl_gen_scenario;

/* The name of a scenario ("card_testing", ...; "honest"). */
const char *sl_gen_scenario_name(sl_gen_scenario s);

typedef struct sl_gen_payments sl_gen_payments;

/* Totals of a world. */
typedef struct sl_gen_payments_stats {
  int64_t payments;
  int64_t chargebacks;
  int64_t customers;
  int64_t merchants;
  int64_t by_scenario[SL_GEN_NSCENARIOS]; /* payments of each */
} sl_gen_payments_stats;

/* Builds the world of opts.  On success *out is owned by the caller
 * (sl_gen_payments_free); on failure nothing is allocated. */
sl_status sl_gen_payments_build(const sl_gen_payments_options *opts,
                                sl_gen_payments **out, sl_error *err);

void sl_gen_payments_stats_get(const sl_gen_payments *g,
                               sl_gen_payments_stats *out);

/* The scenario of payment id (SL_GEN_HONEST for an id out of range)
 * and, when ts_ms is not NULL, its event time. */
sl_gen_scenario sl_gen_payments_scenario(const sl_gen_payments *g,
                                         int64_t id, int64_t *ts_ms);

/* Kinds of record handed to an emit callback. */
typedef enum sl_gen_record_kind {
  SL_GEN_PAYMENT,
  SL_GEN_CHARGEBACK
} sl_gen_record_kind;

/* Receives one record: the key (the card), the JSON value and the event
 * time.  The buffers are valid during the call only.  A failure stops
 * the walk and is returned by it. */
typedef sl_status (*sl_gen_emit_fn)(void *ud, sl_gen_record_kind kind,
                                    const char *key, size_t key_len,
                                    const char *value, size_t value_len,
                                    int64_t ts_ms, sl_error *err);

/* Calls emit for every payment and chargeback in event-time order (a
 * chargeback after a payment of the same instant).  *stop, when not NULL,
 * is read before each record and ends the walk early when set. */
sl_status sl_gen_payments_each(const sl_gen_payments *g, sl_gen_emit_fn emit,
                               void *ud, const volatile sig_atomic_t *stop,
                               sl_error *err);

/* Writes the payments with from_ms <= ts < until_ms as CSV with a header
 * (id,card,customer_id,merchant_id,amount,channel,lat,lon,ts), ready for
 * LOAD into a stream of the same columns.  Errors name the file. */
sl_status sl_gen_payments_write_csv(const sl_gen_payments *g,
                                    const char *path, int64_t from_ms,
                                    int64_t until_ms, sl_error *err);

/* Writes every chargeback as CSV (payment_id,card,reason,ts). */
sl_status sl_gen_chargebacks_write_csv(const sl_gen_payments *g,
                                       const char *path, sl_error *err);

/* Writes the merchants (id,name,category,city,lat,lon,risk). */
sl_status sl_gen_merchants_write_csv(const sl_gen_payments *g,
                                     const char *path, sl_error *err);

/* Writes the customers (id,card,home_city,home_lat,home_lon). */
sl_status sl_gen_customers_write_csv(const sl_gen_payments *g,
                                     const char *path, sl_error *err);

/* Writes the ground truth: one line per fraudulent payment
 * (payment_id,card,scenario,ts). */
sl_status sl_gen_truth_write_csv(const sl_gen_payments *g, const char *path,
                                 sl_error *err);

/* Frees the world.  Accepts NULL. */
void sl_gen_payments_free(sl_gen_payments *g);

#endif
