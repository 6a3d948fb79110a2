/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_payments.c - building the payment world of gen_payments.h and
 * writing it out as JSON records and CSV files.
 *
 * Honest payments come first: each picks a customer by activity, an hour
 * by the daily rhythm, a merchant (mostly in the home city, some online,
 * all of one day for a third of them, who travel) and an amount around
 * the customer's habit.
 * The fraud is then added on top, about 3% of the payments:
 *   - card testing: a stolen card tried with 6 to 12 tiny online payments
 *     a minute or so apart, from far away;
 *   - a compromised merchant: for a night or two a shop's terminal runs
 *     large night-time charges on cards from all over;
 *   - account takeover: 2 to 4 online payments of 8 to 25 times the
 *     customer's habit within two hours, from another continent;
 *   - impossible travel: a cloned card used in a shop of a city at least
 *     800 km away, 5 to 90 minutes after a genuine payment at home.
 * Everything is sorted by event time and numbered; then the chargebacks
 * are drawn.  Amounts are kept in cents, so CSV and JSON agree exactly.
 */
#include "cli/gen_payments.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gen_rand.h"
#include "engine/types/time.h"

#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)
#define FRAUD_SHARE 0.03

/* ---- The places ---------------------------------------------------------- */

typedef struct place {
  const char *name;
  double lat, lon;
  double weight; /* share of the customers living there; 0: fraud only */
} place;

static const place cities[] = {
    {"Berlin", 52.5200, 13.4050, 5},   {"Munich", 48.1351, 11.5820, 4},
    {"Hamburg", 53.5511, 9.9937, 3},   {"Paris", 48.8566, 2.3522, 5},
    {"Madrid", 40.4168, -3.7038, 4},   {"Rome", 41.9028, 12.4964, 3},
    {"Vienna", 48.2082, 16.3738, 2},   {"Warsaw", 52.2297, 21.0122, 3},
    {"Amsterdam", 52.3676, 4.9041, 2}, {"Lisbon", 38.7223, -9.1393, 2},
    {"Stockholm", 59.3293, 18.0686, 2}, {"Prague", 50.0755, 14.4378, 2},
    /* Where stolen cards are used from. */
    {"Lagos", 6.5244, 3.3792, 0},      {"Sao Paulo", -23.5505, -46.6333, 0},
    {"Jakarta", -6.2088, 106.8456, 0}, {"Manila", 14.5995, 120.9842, 0},
    {"Bogota", 4.7110, -74.0721, 0},   {"Hanoi", 21.0278, 105.8342, 0},
};

#define NCITIES (int)(sizeof(cities) / sizeof(cities[0]))
#define NHOME_CITIES 12

/* ---- The merchants ------------------------------------------------------- */

typedef struct category {
  const char *name;
  bool online;       /* card not present: the payment is where the card
                        holder's device is */
  double risk;       /* the acquirer's prior risk of the category */
  double amount;     /* typical amount relative to the customer's habit */
  double share;      /* of the honest payments */
} category;

static const category categories[] = {
    {"grocery", false, 0.05, 1.0, 30},   {"fuel", false, 0.10, 1.6, 12},
    {"restaurant", false, 0.08, 1.3, 16}, {"pharmacy", false, 0.05, 0.8, 6},
    {"fashion", false, 0.15, 2.2, 8},    {"electronics", false, 0.30, 4.0, 4},
    {"online_retail", true, 0.35, 1.8, 14},
    {"digital_goods", true, 0.50, 0.6, 6},
    {"travel", true, 0.30, 6.0, 4},
};

#define NCATEGORIES (int)(sizeof(categories) / sizeof(categories[0]))

/* Relative activity per hour of the day (UTC, close enough to the
 * customers' local time for Europe). */
static const double rhythm[24] = {0.6, 0.3, 0.2, 0.2, 0.3, 0.6, 1.5, 3.0,
                                  4.0, 4.5, 5.0, 5.5, 7.0, 6.5, 5.5, 5.5,
                                  6.0, 7.0, 7.5, 6.5, 5.0, 3.5, 2.0, 1.2};

typedef struct merchant {
  int cat;
  int city;
  double lat, lon;
  double risk;
} merchant;

typedef struct person {
  int city;
  double lat, lon;
  double habit;    /* typical amount in euros */
  double online;   /* share of online payments */
  int trip_day;    /* the day spent in trip_city; -1: no trip */
  int trip_city;
} person;

typedef struct payment {
  int64_t ts;
  int64_t amount_cents;
  int32_t customer;  /* index */
  int32_t merchant;  /* index */
  float lat, lon;
  uint8_t scenario;
  uint32_t order;    /* generation order: ties in ts keep it */
} payment;

typedef struct chargeback {
  int64_t ts;
  int64_t payment;   /* index into payments (id - 1) */
  bool dispute;      /* an honest payment disputed */
} chargeback;

struct sl_gen_payments {
  sl_gen_payments_options opts;
  merchant *merchants;
  int nmerchants;
  person *customers;
  int ncustomers;
  double *customer_cdf;
  payment *payments;
  int64_t npayments;
  chargeback *chargebacks;
  int64_t nchargebacks;
};

const char *sl_gen_scenario_name(sl_gen_scenario s) {
  switch (s) {
  case SL_GEN_CARD_TESTING: return "card_testing";
  case SL_GEN_COMPROMISED_MERCHANT: return "compromised_merchant";
  case SL_GEN_ACCOUNT_TAKEOVER: return "account_takeover";
  case SL_GEN_IMPOSSIBLE_TRAVEL: return "impossible_travel";
  default: return "honest";
  }
}

/* ---- Random helpers ------------------------------------------------------ */

static double uniform(sl_gen_rand *r, double lo, double hi) {
  return lo + (hi - lo) * sl_gen_rand_unit(r);
}

static int64_t below(sl_gen_rand *r, int64_t n) {
  return (int64_t)sl_gen_rand_below(r, (uint64_t)n);
}

/* A standard normal variate (Box-Muller; one of the pair is enough). */
static double normal(sl_gen_rand *r) {
  double u = 1.0 - sl_gen_rand_unit(r);
  double v = sl_gen_rand_unit(r);
  return sqrt(-2.0 * log(u)) * cos(2.0 * 3.14159265358979323846 * v);
}

/* An index drawn by the weights of a cumulative table of n entries. */
static int pick_cdf(sl_gen_rand *r, const double *cdf, int n) {
  double x = sl_gen_rand_unit(r) * cdf[n - 1];
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (cdf[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

static int pick_home_city(sl_gen_rand *r) {
  double cdf[NHOME_CITIES];
  double sum = 0;
  for (int i = 0; i < NHOME_CITIES; i++)
    cdf[i] = sum += cities[i].weight;
  return pick_cdf(r, cdf, NHOME_CITIES);
}

static int pick_hour(sl_gen_rand *r) {
  double cdf[24];
  double sum = 0;
  for (int i = 0; i < 24; i++)
    cdf[i] = sum += rhythm[i];
  return pick_cdf(r, cdf, 24);
}

static double km_between(double lat1, double lon1, double lat2,
                         double lon2) {
  const double rad = 3.14159265358979323846 / 180.0;
  double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  double a = sin(dlat / 2) * sin(dlat / 2) +
             cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) *
                 sin(dlon / 2);
  return 2 * 6371.0 * asin(sqrt(a));
}

/* ---- Building ------------------------------------------------------------ */

static void build_merchants(sl_gen_payments *g, sl_gen_rand *r) {
  double cdf[NCATEGORIES];
  double sum = 0;
  for (int i = 0; i < NCATEGORIES; i++)
    cdf[i] = sum += categories[i].share;

  /* Every category has a merchant in every home city before the rest
   * are drawn by share. */
  for (int i = 0; i < g->nmerchants; i++) {
    merchant *m = &g->merchants[i];
    m->cat = i < NCATEGORIES * NHOME_CITIES ? i % NCATEGORIES
                                            : pick_cdf(r, cdf, NCATEGORIES);
    m->city = i < NCATEGORIES * NHOME_CITIES ? (i / NCATEGORIES) %
                                                   NHOME_CITIES
                                             : pick_home_city(r);
    m->lat = cities[m->city].lat + 0.04 * normal(r);
    m->lon = cities[m->city].lon + 0.06 * normal(r);
    double risk = categories[m->cat].risk + uniform(r, -0.04, 0.04);
    m->risk = risk < 0.01 ? 0.01 : risk;
  }
}

static void build_customers(sl_gen_payments *g, sl_gen_rand *r) {
  double sum = 0;
  for (int i = 0; i < g->ncustomers; i++) {
    person *c = &g->customers[i];
    c->city = pick_home_city(r);
    c->lat = cities[c->city].lat + 0.05 * normal(r);
    c->lon = cities[c->city].lon + 0.07 * normal(r);
    c->habit = exp(3.2 + 0.45 * normal(r));
    c->online = uniform(r, 0.05, 0.40);
    /* A third of the customers spend one day in another city. */
    c->trip_day = sl_gen_rand_unit(r) < 0.33 ? (int)below(r, g->opts.days)
                                             : -1;
    c->trip_city = (int)below(r, NHOME_CITIES);
    g->customer_cdf[i] = sum += exp(0.6 * normal(r));
  }
}

/* A merchant of category cat in city (any city when city < 0). */
static int pick_merchant(const sl_gen_payments *g, sl_gen_rand *r, int cat,
                         int city) {
  /* Rejection sampling: categories and cities are dense enough that a
   * few tries find one; the first merchants cover every pair. */
  for (int tries = 0; tries < 64; tries++) {
    int i = (int)below(r, g->nmerchants);
    const merchant *m = &g->merchants[i];
    if (m->cat == cat && (city < 0 || m->city == city))
      return i;
  }
  int first = city < 0 ? 0 : city;
  return cat + NCATEGORIES * first;
}

static int pick_category(sl_gen_rand *r, bool online) {
  double cdf[NCATEGORIES];
  double sum = 0;
  for (int i = 0; i < NCATEGORIES; i++) {
    if (categories[i].online == online)
      sum += categories[i].share;
    cdf[i] = sum;
  }
  return pick_cdf(r, cdf, NCATEGORIES);
}

static int64_t cents(double euros) {
  int64_t c = (int64_t)llround(euros * 100.0);
  return c < 1 ? 1 : c;
}

/* Appends a payment; the caller checks the capacity. */
static payment *add(sl_gen_payments *g, int64_t ts, int cust, int merch,
                    double amount, double lat, double lon,
                    sl_gen_scenario scenario) {
  payment *p = &g->payments[g->npayments];
  p->ts = ts;
  p->customer = cust;
  p->merchant = merch;
  p->amount_cents = cents(amount);
  p->lat = (float)lat;
  p->lon = (float)lon;
  p->scenario = (uint8_t)scenario;
  p->order = (uint32_t)g->npayments;
  g->npayments++;
  return p;
}

/* A time of day by the rhythm, on the given day. */
static int64_t time_on(const sl_gen_payments *g, sl_gen_rand *r,
                       int64_t day) {
  return g->opts.start_ms + day * SL_MS_PER_DAY +
         pick_hour(r) * MS_PER_HOUR + below(r, MS_PER_HOUR);
}

static int64_t random_time(const sl_gen_payments *g, sl_gen_rand *r) {
  return time_on(g, r, below(r, g->opts.days));
}

static void honest_payment(sl_gen_payments *g, sl_gen_rand *r) {
  int ci = pick_cdf(r, g->customer_cdf, g->ncustomers);
  const person *c = &g->customers[ci];
  bool online = sl_gen_rand_unit(r) < c->online;
  int cat = pick_category(r, online);
  int64_t day = below(r, g->opts.days);
  int city = day == c->trip_day ? c->trip_city : c->city;
  int mi = pick_merchant(g, r, cat, online ? -1 : city);
  const merchant *m = &g->merchants[mi];
  double amount = c->habit * categories[cat].amount * exp(0.5 * normal(r));
  /* Online, the payment is where the customer's device is: at home, or
   * in the city of the trip. */
  double home_lat = city == c->city ? c->lat : cities[city].lat;
  double home_lon = city == c->city ? c->lon : cities[city].lon;
  double lat = online ? home_lat + 0.01 * normal(r) : m->lat;
  double lon = online ? home_lon + 0.01 * normal(r) : m->lon;
  add(g, time_on(g, r, day), ci, mi, amount, lat, lon, SL_GEN_HONEST);
}

static int far_city(sl_gen_rand *r) {
  return NHOME_CITIES + (int)below(r, NCITIES - NHOME_CITIES);
}

/* Card testing: tiny online payments in a burst; returns how many. */
static int64_t card_testing(sl_gen_payments *g, sl_gen_rand *r,
                            int64_t room) {
  int ci = pick_cdf(r, g->customer_cdf, g->ncustomers);
  int64_t n = 6 + below(r, 7);
  if (n > room)
    n = room;
  const place *from = &cities[far_city(r)];
  int mi = pick_merchant(g, r, 7 /* digital_goods */, -1);
  int64_t ts = random_time(g, r);
  for (int64_t i = 0; i < n; i++) {
    if (i > 0 && sl_gen_rand_unit(r) < 0.3)
      mi = pick_merchant(g, r, 6 /* online_retail */, -1);
    add(g, ts, ci, mi, uniform(r, 0.5, 2.99), from->lat, from->lon,
        SL_GEN_CARD_TESTING);
    ts += 15000 + below(r, 105000);
  }
  return n;
}

/* A compromised merchant: night-time charges on many cards. */
static int64_t compromised_merchant(sl_gen_payments *g, sl_gen_rand *r,
                                    int mi, int64_t from_ms, int nights,
                                    int64_t n) {
  const merchant *m = &g->merchants[mi];
  for (int64_t i = 0; i < n; i++) {
    int ci = (int)below(r, g->ncustomers);
    int64_t night = from_ms + below(r, nights) * SL_MS_PER_DAY +
                    below(r, 5) * MS_PER_HOUR + below(r, MS_PER_HOUR);
    add(g, night, ci, mi, uniform(r, 180, 650), m->lat, m->lon,
        SL_GEN_COMPROMISED_MERCHANT);
  }
  return n;
}

/* Account takeover: large online payments from far away. */
static int64_t account_takeover(sl_gen_payments *g, sl_gen_rand *r,
                                int64_t room) {
  int ci = pick_cdf(r, g->customer_cdf, g->ncustomers);
  const person *c = &g->customers[ci];
  int64_t n = 2 + below(r, 3);
  if (n > room)
    n = room;
  const place *from = &cities[far_city(r)];
  int64_t ts = random_time(g, r);
  for (int64_t i = 0; i < n; i++) {
    int cat = sl_gen_rand_unit(r) < 0.5 ? 6 /* online_retail */
                                        : 8 /* travel */;
    int mi = pick_merchant(g, r, cat, -1);
    double amount = c->habit * uniform(r, 8, 25);
    add(g, ts, ci, mi, amount, from->lat + 0.05 * normal(r),
        from->lon + 0.05 * normal(r), SL_GEN_ACCOUNT_TAKEOVER);
    ts += 5 * MS_PER_MINUTE + below(r, 40 * MS_PER_MINUTE);
  }
  return n;
}

/* Impossible travel: a card-present payment far from a genuine one made
 * shortly before.  genuine is an honest card-present payment. */
static void impossible_travel(sl_gen_payments *g, sl_gen_rand *r,
                              const payment *genuine) {
  const person *c = &g->customers[genuine->customer];
  int city = (int)below(r, NHOME_CITIES);
  for (int tries = 0; tries < 32; tries++) {
    if (km_between(cities[city].lat, cities[city].lon, genuine->lat,
                   genuine->lon) >= 800)
      break;
    city = (int)below(r, NHOME_CITIES);
  }
  int cat = pick_category(r, false);
  int mi = pick_merchant(g, r, cat, city);
  const merchant *m = &g->merchants[mi];
  int64_t ts = genuine->ts + 5 * MS_PER_MINUTE +
               below(r, 85 * MS_PER_MINUTE);
  add(g, ts, genuine->customer, mi,
      c->habit * categories[cat].amount * uniform(r, 1.5, 4), m->lat,
      m->lon, SL_GEN_IMPOSSIBLE_TRAVEL);
}

/* Orders payments by event time, then by generation order. */
static int by_time(const void *a, const void *b) {
  const payment *x = a, *y = b;
  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int chargeback_by_time(const void *a, const void *b) {
  const chargeback *x = a, *y = b;
  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return x->payment < y->payment ? -1 : x->payment > y->payment;
}

static void draw_chargebacks(sl_gen_payments *g, sl_gen_rand *r) {
  for (int64_t i = 0; i < g->npayments; i++) {
    const payment *p = &g->payments[i];
    bool fraud = p->scenario != SL_GEN_HONEST;
    double u = sl_gen_rand_unit(r);
    if (fraud ? u >= 0.92 : u >= 0.002)
      continue;
    chargeback *cb = &g->chargebacks[g->nchargebacks++];
    int64_t delay = fraud ? SL_MS_PER_DAY + below(r, 6 * SL_MS_PER_DAY)
                          : 3 * SL_MS_PER_DAY + below(r,
                                                      17 * SL_MS_PER_DAY);
    cb->ts = p->ts + delay;
    cb->payment = i;
    cb->dispute = !fraud;
  }
  qsort(g->chargebacks, (size_t)g->nchargebacks, sizeof(chargeback),
        chargeback_by_time);
}

/* Mixes the fraud in: the share of each scenario of FRAUD_SHARE. */
static void add_fraud(sl_gen_payments *g, sl_gen_rand *r, int64_t budget) {
  int64_t testing = budget * 35 / 100, merchant_share = budget * 25 / 100;
  int64_t takeover = budget * 20 / 100;
  int64_t travel = budget - testing - merchant_share - takeover;
  int64_t honest = g->npayments;

  while (testing > 0)
    testing -= card_testing(g, r, testing);

  /* Three compromised merchants and one more per 20,000 payments, each
   * an electronics or fashion shop, for two nights before the last two
   * days; the last one, at it on the last night only, gives the latest
   * day one too. */
  int64_t shops = 3 + g->opts.count / 20000;
  for (int64_t s = 0; s < shops && merchant_share > 0; s++) {
    int cat = sl_gen_rand_unit(r) < 0.5 ? 5 : 4;
    int mi = pick_merchant(g, r, cat, -1);
    int64_t n = s + 1 == shops ? merchant_share : merchant_share / shops;
    int64_t day = s + 1 == shops ? g->opts.days - 1
                                 : below(r, g->opts.days > 3
                                                ? g->opts.days - 3 : 1);
    int64_t from = g->opts.start_ms + day * SL_MS_PER_DAY;
    merchant_share -= compromised_merchant(g, r, mi, from,
                                           s + 1 == shops ? 1 : 2, n);
  }

  while (takeover > 0)
    takeover -= account_takeover(g, r, takeover);

  /* Clones follow genuine card-present payments. */
  for (int tries = 0; travel > 0 && tries < 1000000; tries++) {
    const payment *genuine = &g->payments[below(r, honest)];
    if (categories[g->merchants[genuine->merchant].cat].online)
      continue;
    impossible_travel(g, r, genuine);
    travel--;
  }
}

sl_status sl_gen_payments_build(const sl_gen_payments_options *opts,
                                sl_gen_payments **out, sl_error *err) {
  *out = NULL;
  if (opts->count < 1 || opts->count > SL_GEN_PAYMENTS_MAX)
    return sl_error_set(err, SL_ERR_USAGE, "the number of payments must "
                        "be from 1 to %" PRId64 ", got %" PRId64,
                        SL_GEN_PAYMENTS_MAX, opts->count);
  if (opts->days < 1 || opts->days > 366)
    return sl_error_set(err, SL_ERR_USAGE, "the number of days must be "
                        "from 1 to 366, got %d", opts->days);

  sl_gen_payments *g = calloc(1, sizeof(*g));
  if (!g)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  g->opts = *opts;

  /* About two and a half payments per customer and day; enough
   * merchants that each category has some in every city. */
  int64_t ncust = opts->count * 2 / (5 * (int64_t)opts->days);
  g->ncustomers = (int)(ncust < 50 ? 50 : ncust > 200000 ? 200000 : ncust);
  int64_t nmerch = opts->count / 150;
  int64_t least = NCATEGORIES * NHOME_CITIES;
  g->nmerchants = (int)(nmerch < least ? least : nmerch > 5000 ? 5000
                                                               : nmerch);
  g->merchants = calloc((size_t)g->nmerchants, sizeof(merchant));
  g->customers = calloc((size_t)g->ncustomers, sizeof(person));
  g->customer_cdf = calloc((size_t)g->ncustomers, sizeof(double));
  g->payments = calloc((size_t)opts->count, sizeof(payment));
  g->chargebacks = calloc((size_t)opts->count, sizeof(chargeback));
  if (!g->merchants || !g->customers || !g->customer_cdf || !g->payments ||
      !g->chargebacks) {
    sl_gen_payments_free(g);
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory for %" PRId64
                        " payments", opts->count);
  }

  sl_gen_rand r;
  sl_gen_rand_seed(&r, opts->seed);
  build_merchants(g, &r);
  build_customers(g, &r);
  int64_t fraud = (int64_t)((double)opts->count * FRAUD_SHARE);
  if (opts->count < 100)
    fraud = 0;
  while (g->npayments < opts->count - fraud)
    honest_payment(g, &r);
  add_fraud(g, &r, fraud);

  qsort(g->payments, (size_t)g->npayments, sizeof(payment), by_time);
  draw_chargebacks(g, &r);
  *out = g;
  return SL_OK;
}

void sl_gen_payments_stats_get(const sl_gen_payments *g,
                               sl_gen_payments_stats *out) {
  memset(out, 0, sizeof(*out));
  out->payments = g->npayments;
  out->chargebacks = g->nchargebacks;
  out->customers = g->ncustomers;
  out->merchants = g->nmerchants;
  for (int64_t i = 0; i < g->npayments; i++)
    out->by_scenario[g->payments[i].scenario]++;
}

sl_gen_scenario sl_gen_payments_scenario(const sl_gen_payments *g,
                                         int64_t id, int64_t *ts_ms) {
  if (id < 1 || id > g->npayments)
    return SL_GEN_HONEST;
  const payment *p = &g->payments[id - 1];
  if (ts_ms)
    *ts_ms = p->ts;
  return (sl_gen_scenario)p->scenario;
}

void sl_gen_payments_free(sl_gen_payments *g) {
  if (!g)
    return;
  free(g->merchants);
  free(g->customers);
  free(g->customer_cdf);
  free(g->payments);
  free(g->chargebacks);
  free(g);
}

/* ---- Writing ------------------------------------------------------------- */

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 32 bytes). */
static void iso_time(int64_t ms, char *buf, size_t size) {
  sl_time_parts t;
  sl_time_split(ms, &t);
  snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ",
           t.year, t.month, t.day, t.hour, t.minute, t.second, t.ms);
}

static void card_name(int customer, char *buf, size_t size) {
  snprintf(buf, size, "card-%06d", customer + 1);
}

static const char *channel_of(const sl_gen_payments *g, const payment *p) {
  return categories[g->merchants[p->merchant].cat].online ? "online"
                                                          : "pos";
}

static int payment_json(const sl_gen_payments *g, int64_t i, char *buf,
                        size_t size) {
  const payment *p = &g->payments[i];
  char card[24], ts[32];
  card_name(p->customer, card, sizeof(card));
  iso_time(p->ts, ts, sizeof(ts));
  return snprintf(buf, size,
                  "{\"id\":%" PRId64 ",\"card\":\"%s\",\"customer_id\":%d,"
                  "\"merchant_id\":%d,\"amount\":%" PRId64 ".%02d,"
                  "\"channel\":\"%s\",\"lat\":%.4f,\"lon\":%.4f,"
                  "\"ts\":\"%s\"}",
                  i + 1, card, p->customer + 1, p->merchant + 1,
                  p->amount_cents / 100, (int)(p->amount_cents % 100),
                  channel_of(g, p), (double)p->lat, (double)p->lon, ts);
}

static int chargeback_json(const sl_gen_payments *g, const chargeback *cb,
                           char *buf, size_t size) {
  char card[24], ts[32];
  card_name(g->payments[cb->payment].customer, card, sizeof(card));
  iso_time(cb->ts, ts, sizeof(ts));
  return snprintf(buf, size,
                  "{\"payment_id\":%" PRId64 ",\"card\":\"%s\","
                  "\"reason\":\"%s\",\"ts\":\"%s\"}",
                  cb->payment + 1, card, cb->dispute ? "dispute" : "fraud",
                  ts);
}

sl_status sl_gen_payments_each(const sl_gen_payments *g, sl_gen_emit_fn emit,
                               void *ud, const volatile sig_atomic_t *stop,
                               sl_error *err) {
  char value[512], card[24];
  int64_t pi = 0, ci = 0;
  while (pi < g->npayments || ci < g->nchargebacks) {
    if (stop && *stop)
      break;
    bool take_payment =
        ci >= g->nchargebacks ||
        (pi < g->npayments && g->payments[pi].ts <= g->chargebacks[ci].ts);
    sl_status rc;
    if (take_payment) {
      const payment *p = &g->payments[pi];
      int n = payment_json(g, pi, value, sizeof(value));
      card_name(p->customer, card, sizeof(card));
      rc = emit(ud, SL_GEN_PAYMENT, card, strlen(card), value, (size_t)n,
                p->ts, err);
      pi++;
    } else {
      const chargeback *cb = &g->chargebacks[ci];
      int n = chargeback_json(g, cb, value, sizeof(value));
      card_name(g->payments[cb->payment].customer, card, sizeof(card));
      rc = emit(ud, SL_GEN_CHARGEBACK, card, strlen(card), value, (size_t)n,
                cb->ts, err);
      ci++;
    }
    if (rc)
      return rc;
  }
  return SL_OK;
}

/* Opens path for writing; the error names it. */
static FILE *open_out(const char *path, sl_error *err) {
  FILE *f = fopen(path, "w");
  if (!f)
    sl_error_set(err, SL_ERR_IO, "%s: cannot write: %s", path,
                 strerror(errno));
  return f;
}

static sl_status close_out(FILE *f, const char *path, sl_error *err) {
  bool failed = ferror(f) != 0;
  if (fclose(f) != 0 || failed)
    return sl_error_set(err, SL_ERR_IO, "%s: write failed: %s", path,
                        strerror(errno));
  return SL_OK;
}

sl_status sl_gen_payments_write_csv(const sl_gen_payments *g,
                                    const char *path, int64_t from_ms,
                                    int64_t until_ms, sl_error *err) {
  FILE *f = open_out(path, err);
  if (!f)
    return err->code;
  fputs("id,card,customer_id,merchant_id,amount,channel,lat,lon,ts\n", f);
  for (int64_t i = 0; i < g->npayments; i++) {
    const payment *p = &g->payments[i];
    if (p->ts < from_ms || p->ts >= until_ms)
      continue;
    char card[24], ts[32];
    card_name(p->customer, card, sizeof(card));
    iso_time(p->ts, ts, sizeof(ts));
    fprintf(f, "%" PRId64 ",%s,%d,%d,%" PRId64 ".%02d,%s,%.4f,%.4f,%s\n",
            i + 1, card, p->customer + 1, p->merchant + 1,
            p->amount_cents / 100, (int)(p->amount_cents % 100),
            channel_of(g, p), (double)p->lat, (double)p->lon, ts);
  }
  return close_out(f, path, err);
}

sl_status sl_gen_chargebacks_write_csv(const sl_gen_payments *g,
                                       const char *path, sl_error *err) {
  FILE *f = open_out(path, err);
  if (!f)
    return err->code;
  fputs("payment_id,card,reason,ts\n", f);
  for (int64_t i = 0; i < g->nchargebacks; i++) {
    const chargeback *cb = &g->chargebacks[i];
    char card[24], ts[32];
    card_name(g->payments[cb->payment].customer, card, sizeof(card));
    iso_time(cb->ts, ts, sizeof(ts));
    fprintf(f, "%" PRId64 ",%s,%s,%s\n", cb->payment + 1, card,
            cb->dispute ? "dispute" : "fraud", ts);
  }
  return close_out(f, path, err);
}

sl_status sl_gen_merchants_write_csv(const sl_gen_payments *g,
                                     const char *path, sl_error *err) {
  FILE *f = open_out(path, err);
  if (!f)
    return err->code;
  fputs("id,name,category,city,lat,lon,risk\n", f);
  for (int i = 0; i < g->nmerchants; i++) {
    const merchant *m = &g->merchants[i];
    fprintf(f, "%d,%s %s %d,%s,%s,%.4f,%.4f,%.3f\n", i + 1,
            cities[m->city].name, categories[m->cat].name, i + 1,
            categories[m->cat].name, cities[m->city].name, m->lat, m->lon,
            m->risk);
  }
  return close_out(f, path, err);
}

sl_status sl_gen_customers_write_csv(const sl_gen_payments *g,
                                     const char *path, sl_error *err) {
  FILE *f = open_out(path, err);
  if (!f)
    return err->code;
  fputs("id,card,home_city,home_lat,home_lon\n", f);
  for (int i = 0; i < g->ncustomers; i++) {
    const person *c = &g->customers[i];
    char card[24];
    card_name(i, card, sizeof(card));
    fprintf(f, "%d,%s,%s,%.4f,%.4f\n", i + 1, card, cities[c->city].name,
            c->lat, c->lon);
  }
  return close_out(f, path, err);
}

sl_status sl_gen_truth_write_csv(const sl_gen_payments *g, const char *path,
                                 sl_error *err) {
  FILE *f = open_out(path, err);
  if (!f)
    return err->code;
  fputs("payment_id,card,scenario,ts\n", f);
  for (int64_t i = 0; i < g->npayments; i++) {
    const payment *p = &g->payments[i];
    if (p->scenario == SL_GEN_HONEST)
      continue;
    char card[24], ts[32];
    card_name(p->customer, card, sizeof(card));
    iso_time(p->ts, ts, sizeof(ts));
    fprintf(f, "%" PRId64 ",%s,%s,%s\n", i + 1, card,
            sl_gen_scenario_name((sl_gen_scenario)p->scenario), ts);
  }
  return close_out(f, path, err);
}
