/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_store_world.c - the simulated grocery chain (see gen_store_world.h).
 *
 * Every draw comes from the world's own PRNG in a fixed order (day by
 * day, store by store, product by product), so the events do not depend
 * on anything but the options.  Times within a day are fixed by the
 * chain's routine: deliveries from 06:00, sales from 08:00 to 20:00,
 * stock counts from 20:30.  Each event reaches the broker up to 90
 * seconds after it happened, so every feed is slightly out of order in
 * event time, as real point-of-sale uploads are.
 */
#include "cli/gen_store_world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/types/time.h"

#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_HOUR (60 * MS_PER_MINUTE)
#define MAX_DELAY_MS 90000
#define OPEN_MS (8 * MS_PER_HOUR)
#define CLOSE_MS (20 * MS_PER_HOUR)
#define MAX_BATCHES 16
#define TWO_PI 6.283185307179586

typedef struct product_info {
  const char *name;
  int shelf_days;      /* selling days, the delivery day included */
  double base_units;   /* expected units a day in an average store */
} product_info;

static const product_info products[SL_STORE_MAX_PRODUCTS] = {
    {"milk", 5, 30},       {"bread", 2, 26},     {"bananas", 4, 22},
    {"yogurt", 7, 18},     {"salad", 3, 14},     {"strawberries", 3, 12},
    {"chicken", 4, 10},    {"tomatoes", 5, 16},  {"salmon", 3, 6},
    {"cream", 6, 8},       {"minced-beef", 2, 9}, {"croissants", 2, 20},
    {"berries", 3, 7},     {"mozzarella", 6, 11}, {"spinach", 3, 8},
    {"cottage-cheese", 7, 5},
};

static const char *const stores[SL_STORE_MAX_STORES] = {
    "berlin", "hamburg", "munich", "cologne",
    "leipzig", "dresden", "bremen", "hanover",
};

/* Monday first: busier towards the weekend, Sunday short hours. */
static const double dow_factor[8] = {0, 0.90, 0.85, 0.90, 1.00,
                                     1.20, 1.35, 0.60};

const char *sl_store_name(int store) { return stores[store]; }

const char *sl_store_product_name(int product) {
  return products[product].name;
}

int sl_store_shelf_days(int product) { return products[product].shelf_days; }

int sl_store_iso_dow(int32_t day) {
  /* 1970-01-01 was a Thursday (ISO 4). */
  int64_t d = ((int64_t)day + 3) % 7;
  if (d < 0)
    d += 7;
  return (int)d + 1;
}

void sl_store_world_init(sl_store_world *w,
                         const sl_store_world_options *opts) {
  memset(w, 0, sizeof(*w));
  w->opts = *opts;
  sl_gen_rand_seed(&w->rand, opts->seed);
  for (int s = 0; s < opts->stores; s++)
    w->store_factor[s] = 0.7 + 0.7 * sl_gen_rand_unit(&w->rand);
}

double sl_store_expected_units(const sl_store_world *w, int s, int p,
                               int iso_dow) {
  return products[p].base_units * w->store_factor[s] * dow_factor[iso_dow];
}

/* A Poisson draw: Knuth's product of uniforms for small means, a rounded
 * normal (Box-Muller) above, where the product would take many steps. */
static int poisson(sl_gen_rand *r, double mean) {
  if (mean <= 0)
    return 0;
  if (mean < 30) {
    double limit = exp(-mean), prod = sl_gen_rand_unit(r);
    int k = 0;
    while (prod > limit) {
      k++;
      prod *= sl_gen_rand_unit(r);
    }
    return k;
  }
  double u1 = sl_gen_rand_unit(r), u2 = sl_gen_rand_unit(r);
  double z = sqrt(-2.0 * log(1.0 - u1)) * cos(TWO_PI * u2);
  long v = lround(mean + sqrt(mean) * z);
  return v < 0 ? 0 : (int)v;
}

int sl_store_draw_units(sl_store_world *w, int s, int p, int32_t day) {
  double mean = sl_store_expected_units(w, s, p, sl_store_iso_dow(day));
  return poisson(&w->rand, mean);
}

bool sl_store_events_push(sl_store_events *ev, const sl_store_event *e) {
  if (ev->n == ev->cap) {
    int64_t cap = ev->cap ? 2 * ev->cap : 1024;
    sl_store_event *items = realloc(ev->items, (size_t)cap * sizeof(*items));
    if (!items)
      return false;
    ev->items = items;
    ev->cap = cap;
  }
  ev->items[ev->n++] = *e;
  return true;
}

void sl_store_events_free(sl_store_events *ev) {
  free(ev->items);
  memset(ev, 0, sizeof(*ev));
}

/* ---- The stock of one product in one store ------------------------------ */

typedef struct batch {
  int32_t best_before;
  int units;
} batch;

typedef struct shelf {
  batch b[MAX_BATCHES];  /* oldest first */
  int n;
} shelf;

static int shelf_units(const shelf *sh) {
  int total = 0;
  for (int i = 0; i < sh->n; i++)
    total += sh->b[i].units;
  return total;
}

/* Takes up to want units, oldest batch first; returns the units taken. */
static int shelf_take(shelf *sh, int want) {
  int taken = 0;
  while (want > 0 && sh->n > 0) {
    int t = sh->b[0].units < want ? sh->b[0].units : want;
    sh->b[0].units -= t;
    want -= t;
    taken += t;
    if (sh->b[0].units == 0) {
      memmove(sh->b, sh->b + 1, (size_t)(sh->n - 1) * sizeof(batch));
      sh->n--;
    }
  }
  return taken;
}

/* Throws away the batches whose last selling day is day or earlier. */
static void shelf_discard(shelf *sh, int32_t day) {
  int keep = 0;
  for (int i = 0; i < sh->n; i++) {
    if (sh->b[i].best_before > day)
      sh->b[keep++] = sh->b[i];
  }
  sh->n = keep;
}

/* ---- The live days ------------------------------------------------------- */

static int64_t delay(sl_gen_rand *r) {
  return (int64_t)sl_gen_rand_below(r, MAX_DELAY_MS + 1);
}

static int cmp_ts(const void *a, const void *b) {
  const sl_store_event *x = a, *y = b;
  if (x->ts_ms != y->ts_ms)
    return x->ts_ms < y->ts_ms ? -1 : 1;
  return 0;
}

static int cmp_arrival(const void *a, const void *b) {
  const sl_store_event *x = a, *y = b;
  if (x->arrival_ms != y->arrival_ms)
    return x->arrival_ms < y->arrival_ms ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* The morning delivery of product p: enough for about two days (or its
 * shelf life, when shorter) times an over-order between 0.8 and 1.8,
 * less what is still on the shelf; nothing when that is enough. */
static int order_units(sl_store_world *w, const shelf *sh, int s, int p,
                       int32_t day) {
  double mean = sl_store_expected_units(w, s, p, sl_store_iso_dow(day));
  double cover = products[p].shelf_days < 2 ? products[p].shelf_days : 2;
  double over = 0.8 + sl_gen_rand_unit(&w->rand);
  long want = lround(mean * cover * over) - shelf_units(sh);
  return want > 0 ? (int)want : 0;
}

/* The tickets of one product on one day: the day's units split into
 * purchases of 1 to 3 units at uniform times while the store is open,
 * sold in time order from the shelf (a purchase the shelf cannot serve
 * in full takes what is left, or is lost). */
static bool sell_day(sl_store_world *w, shelf *sh, int s, int p, int32_t day,
                     sl_store_events *day_sales) {
  int64_t day_ms = (int64_t)day * SL_MS_PER_DAY;
  int units = sl_store_draw_units(w, s, p, day);
  int64_t first = day_sales->n;
  while (units > 0) {
    uint64_t roll = sl_gen_rand_below(&w->rand, 10);
    int q = roll < 6 ? 1 : roll < 9 ? 2 : 3;
    if (q > units)
      q = units;
    units -= q;
    sl_store_event e = {
        .ts_ms = day_ms + OPEN_MS +
                 (int64_t)sl_gen_rand_below(&w->rand,
                                            (uint64_t)(CLOSE_MS - OPEN_MS)),
        .store = s,
        .product = p,
        .qty = q,
    };
    if (!sl_store_events_push(day_sales, &e))
      return false;
  }
  sl_store_event *mine = day_sales->items + first;
  int64_t n = day_sales->n - first;
  qsort(mine, (size_t)n, sizeof(*mine), cmp_ts);
  int64_t kept = 0;
  for (int64_t i = 0; i < n; i++) {
    mine[i].qty = shelf_take(sh, mine[i].qty);
    if (mine[i].qty > 0)
      mine[kept++] = mine[i];
  }
  day_sales->n = first + kept;
  return true;
}

/* Gives the events of one feed ids in event-time order, delays their
 * arrival and sorts them by it. */
static void finish_feed(sl_store_world *w, sl_store_events *ev,
                        int64_t from) {
  sl_store_event *e = ev->items + from;
  size_t n = (size_t)(ev->n - from);
  qsort(e, n, sizeof(*e), cmp_ts);
  for (size_t i = 0; i < n; i++) {
    e[i].id = from + (int64_t)i + 1;
    e[i].arrival_ms = e[i].ts_ms + delay(&w->rand);
  }
  qsort(e, n, sizeof(*e), cmp_arrival);
}

sl_status sl_store_world_run(sl_store_world *w,
                             sl_store_events out[SL_STORE_NFEEDS],
                             sl_error *err) {
  const sl_store_world_options *o = &w->opts;
  shelf *shelves = calloc((size_t)(o->stores * o->products), sizeof(shelf));
  if (!shelves)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  int64_t from[SL_STORE_NFEEDS];
  for (int f = 0; f < SL_STORE_NFEEDS; f++)
    from[f] = out[f].n;

  bool ok = true;
  for (int d = 0; d < o->days && ok; d++) {
    int32_t day = o->first_day + d;
    int64_t day_ms = (int64_t)day * SL_MS_PER_DAY;
    for (int s = 0; s < o->stores && ok; s++) {
      for (int p = 0; p < o->products && ok; p++) {
        shelf *sh = &shelves[s * o->products + p];

        /* Morning: the delivery, a new batch at the end of the shelf. */
        int qty = order_units(w, sh, s, p, day);
        if (qty > 0 && sh->n < MAX_BATCHES) {
          int32_t bb = day + products[p].shelf_days - 1;
          sh->b[sh->n++] = (batch){bb, qty};
          sl_store_event e = {
              .ts_ms = day_ms + 6 * MS_PER_HOUR +
                       (int64_t)(s * 8 + p) * MS_PER_MINUTE,
              .store = s, .product = p, .qty = qty, .best_before = bb};
          ok = sl_store_events_push(&out[SL_STORE_DELIVERIES], &e);
        }

        /* The day's sales. */
        if (ok)
          ok = sell_day(w, sh, s, p, day, &out[SL_STORE_SALES]);

        /* After closing: the count, then the waste goes. */
        if (ok) {
          sl_store_event e = {
              .ts_ms = day_ms + 20 * MS_PER_HOUR + 30 * MS_PER_MINUTE +
                       (int64_t)(s * 8 + p) * MS_PER_MINUTE / 2,
              .store = s, .product = p, .qty = shelf_units(sh),
              .expiring = sh->n ? sh->b[0].units : 0,
              .best_before = sh->n ? sh->b[0].best_before : day};
          ok = sl_store_events_push(&out[SL_STORE_COUNTS], &e);
          shelf_discard(sh, day);
        }
      }
    }
  }
  free(shelves);
  if (!ok)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  for (int f = 0; f < SL_STORE_NFEEDS; f++)
    finish_feed(w, &out[f], from[f]);
  return SL_OK;
}
