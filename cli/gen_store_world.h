/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_store_world.h - the simulated grocery chain behind `sluice gen
 * store`: stores, perishable products, their demand and their stock.
 *
 * The world is pure and seeded: the same options give the same stores,
 * the same daily demand and the same events on every machine.  Expected
 * daily demand is base(product) * factor(store) * factor(day of week);
 * units sold on a day are a Poisson draw around it.  Each live day every
 * store receives a delivery per product in the morning (a batch with its
 * best-before date, ordered with a random over-order), sells through the
 * day (oldest batch first, never more than it has), counts its stock
 * after closing and then throws away what expires that day.
 *
 * The world produces clean events only; the faults of the generator are
 * laid over them by gen_store.c.
 */
#ifndef SLUICE_CLI_GEN_STORE_WORLD_H
#define SLUICE_CLI_GEN_STORE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/gen_rand.h"
#include "engine/common/error.h"

#define SL_STORE_MAX_STORES 8
#define SL_STORE_MAX_PRODUCTS 16

/* The three event topics of a store chain. */
typedef enum sl_store_feed {
  SL_STORE_SALES = 0,   /* point of sale, JSON */
  SL_STORE_DELIVERIES,  /* goods received, CSV */
  SL_STORE_COUNTS,      /* stock counts after closing, CSV */
  SL_STORE_NFEEDS
} sl_store_feed;

/* One clean event.  Which fields mean something depends on the feed. */
typedef struct sl_store_event {
  int64_t id;          /* per feed, counting from 1 */
  int64_t ts_ms;       /* event time */
  int64_t arrival_ms;  /* when it reaches the broker: the producing order */
  int store;
  int product;
  int qty;             /* sold, delivered, or on hand (counts) */
  int expiring;        /* counts: units of the earliest best-before date */
  int32_t best_before; /* deliveries, counts: days since 1970-01-01 */
} sl_store_event;

/* A growing array of events of one feed. */
typedef struct sl_store_events {
  sl_store_event *items;
  int64_t n;
  int64_t cap;
} sl_store_events;

typedef struct sl_store_world_options {
  uint64_t seed;
  int stores;          /* 1..SL_STORE_MAX_STORES */
  int products;        /* 1..SL_STORE_MAX_PRODUCTS */
  int32_t first_day;   /* first live day, days since 1970-01-01 */
  int days;            /* live days */
} sl_store_world_options;

typedef struct sl_store_world {
  sl_store_world_options opts;
  double store_factor[SL_STORE_MAX_STORES];
  sl_gen_rand rand;    /* the draws of history and live days */
} sl_store_world;

/* The name of store i or product i (static strings). */
const char *sl_store_name(int store);
const char *sl_store_product_name(int product);

/* Days product i stays sellable after its delivery day. */
int sl_store_shelf_days(int product);

/* Prepares a world: the store factors come from the seed. */
void sl_store_world_init(sl_store_world *w,
                         const sl_store_world_options *opts);

/* Expected units of product p sold by store s on a day of the ISO week
 * (1 = Monday .. 7 = Sunday). */
double sl_store_expected_units(const sl_store_world *w, int s, int p,
                               int iso_dow);

/* Units sold by store s of product p on day (days since the epoch): a
 * Poisson draw around the expected units, from the world's PRNG. */
int sl_store_draw_units(sl_store_world *w, int s, int p, int32_t day);

/* Runs the live days and appends their events to out[feed], each feed
 * sorted by arrival.  On failure (out of memory) the arrays keep what
 * they had; free them with sl_store_events_free either way. */
sl_status sl_store_world_run(sl_store_world *w,
                             sl_store_events out[SL_STORE_NFEEDS],
                             sl_error *err);

/* Appends e; false when out of memory. */
bool sl_store_events_push(sl_store_events *ev, const sl_store_event *e);

void sl_store_events_free(sl_store_events *ev);

/* The ISO day of the week (1 = Monday) of a day since the epoch. */
int sl_store_iso_dow(int32_t day);

#endif
