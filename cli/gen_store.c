/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_store.c - `sluice gen store`: the feeds of a grocery chain selling
 * perishable products, with the faults real feeds have.
 *
 * The clean events come from the simulated chain of gen_store_world.c.
 * This file lays faults over them, encodes them (sales as JSON objects,
 * deliveries and stock counts as CSV lines, all keyed by store), produces
 * each feed to its topic, and writes two files for LOAD and for tests:
 * the sales history (units per store, product and day before the live
 * days) and the ground truth of every injected fault.
 *
 * A fault replaces the record of an event (the sale happened, its record
 * is broken), except a duplicate, which re-sends the exact bytes of a
 * good record up to a minute after it.  Whether and how a record is
 * broken comes from a PRNG of its own, so the same seed gives the same
 * world whatever the fault rate.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/gen.h"
#include "cli/gen_rand.h"
#include "cli/gen_sink.h"
#include "cli/gen_store_world.h"
#include "engine/common/log.h"
#include "engine/kafka/admin.h"
#include "engine/kafka/config.h"
#include "engine/types/strbuf.h"
#include "engine/types/time.h"

#define SKEW_MS (2 * SL_MS_PER_DAY)
#define MAX_DUP_DELAY_MS 60000
#define HISTORY_FILE "store-history.csv"
#define FAULTS_FILE "store-faults.csv"

static const char store_help[] =
    "Usage: sluice gen store [options]\n"
    "\n"
    "Produces the feeds of a grocery chain selling perishable products:\n"
    "point-of-sale sales (JSON) to topic PREFIXsales, deliveries (CSV) to\n"
    "PREFIXdeliveries and stock counts after closing (CSV) to\n"
    "PREFIXstock-counts, all keyed by store, with faults mixed in:\n"
    "malformed records, wrong types, missing fields, negative quantities,\n"
    "duplicates and clocks two days behind.  Also writes, into DIR,\n"
    HISTORY_FILE " (units sold per store, product and day before the\n"
    "live days, for LOAD) and " FAULTS_FILE " (every injected fault:\n"
    "topic, record id, fault, the dead-letter reason it must get).  The\n"
    "same options, seed and first day give the same records and files.\n"
    "\n"
    "  --prefix P         topic name prefix (default \"store-\")\n"
    "  --out DIR          where the two files go, created when missing\n"
    "                     (default .)\n"
    "  --stores N         stores, 1 to 8 (default 4)\n"
    "  --products N       products, 1 to 16 (default 12)\n"
    "  --days N           live days (default 6)\n"
    "  --history-days N   days of history before them (default 365)\n"
    "  --start DATE       the first live day (default: --days days ago,\n"
    "                     so the last live day is yesterday; a broker\n"
    "                     deletes records older than its retention, and\n"
    "                     derived topics keep the event time)\n"
    "  --faults P         share of records with a fault, 0 to 0.5\n"
    "                     (default 0.03)\n"
    "  --partitions N     partitions of the three topics when they do\n"
    "                     not exist yet (default 1: a record's lateness\n"
    "                     then depends on its feed alone); 0 leaves\n"
    "                     creating them to the broker (`sluice broker`\n"
    "                     has no admin API)\n"
    "  --seed S           seed of the generator (default 1)\n"
    "  --brokers LIST     Kafka bootstrap servers (or SLUICE_BROKERS);\n"
    "                     required\n"
    "  --kafka-config F   librdkafka properties, one key=value a line\n"
    "  --log-level LEVEL  error, warn (default), info or debug\n"
    "  -h, --help         show this help\n"
    "\n"
    "See docs/store.md for the records and the faults.  Exit codes: 0 all\n"
    "records acknowledged, 2 usage error, 3 broker or file failure.\n";

typedef struct store_args {
  const char *prefix;
  const char *out_dir;
  const char *brokers;
  const char *kafka_config;
  sl_store_world_options world;
  int history_days;
  int partitions;
  double faults;
} store_args;

/* The faults, in the order of the ground truth's `fault` column. */
typedef enum fault_kind {
  FAULT_NONE = 0,
  FAULT_MALFORMED,
  FAULT_WRONG_TYPE,
  FAULT_MISSING_FIELD,
  FAULT_NEGATIVE,
  FAULT_DUPLICATE,
  FAULT_CLOCK_SKEW,
  NFAULTS
} fault_kind;

static const char *const fault_names[NFAULTS] = {
    "", "malformed", "wrong_type", "missing_field", "negative_quantity",
    "duplicate", "clock_skew"};

/* The dead-letter reason each fault must get; a duplicate gets none: it
 * is a good record, dropped and counted. */
static const char *const fault_reasons[NFAULTS] = {
    "", "decode", "type", "not_null", "check", "", "late"};

static const char *const feed_names[SL_STORE_NFEEDS] = {
    "sales", "deliveries", "stock-counts"};
static const char id_letters[SL_STORE_NFEEDS] = {'S', 'D', 'C'};

/* ---- Options ------------------------------------------------------------- */

static int usage(const char *fmt, const char *arg) {
  fputs("sluice gen store: ", stderr);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  return 2;
}

static bool parse_int(const char *text, int64_t min, int64_t max,
                      int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno || end == text || *end || v < min || v > max)
    return false;
  *out = v;
  return true;
}

/* Parses argv into a; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, store_args *a) {
  enum {
    OPT_PREFIX = 256, OPT_OUT, OPT_STORES, OPT_PRODUCTS, OPT_DAYS,
    OPT_HISTORY, OPT_START, OPT_FAULTS, OPT_PARTITIONS, OPT_SEED,
    OPT_BROKERS,
    OPT_KAFKA_CONFIG, OPT_LOG_LEVEL
  };
  static const struct option options[] = {
      {"prefix", required_argument, NULL, OPT_PREFIX},
      {"out", required_argument, NULL, OPT_OUT},
      {"stores", required_argument, NULL, OPT_STORES},
      {"products", required_argument, NULL, OPT_PRODUCTS},
      {"days", required_argument, NULL, OPT_DAYS},
      {"history-days", required_argument, NULL, OPT_HISTORY},
      {"start", required_argument, NULL, OPT_START},
      {"faults", required_argument, NULL, OPT_FAULTS},
      {"partitions", required_argument, NULL, OPT_PARTITIONS},
      {"seed", required_argument, NULL, OPT_SEED},
      {"brokers", required_argument, NULL, OPT_BROKERS},
      {"kafka-config", required_argument, NULL, OPT_KAFKA_CONFIG},
      {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};

  memset(a, 0, sizeof(*a));
  a->prefix = "store-";
  a->out_dir = ".";
  a->world.seed = 1;
  a->world.stores = 4;
  a->world.products = 12;
  a->world.days = 6;
  a->history_days = 365;
  a->faults = 0.03;
  a->partitions = 1;
  bool start_given = false;
  sl_error err;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    int64_t v;
    char *end;
    sl_log_level level;
    switch (c) {
    case 'h':
      fputs(store_help, stdout);
      return 0;
    case OPT_PREFIX: a->prefix = optarg; break;
    case OPT_OUT: a->out_dir = optarg; break;
    case OPT_BROKERS: a->brokers = optarg; break;
    case OPT_KAFKA_CONFIG: a->kafka_config = optarg; break;
    case OPT_STORES:
      if (!parse_int(optarg, 1, SL_STORE_MAX_STORES, &v))
        return usage("--stores expects 1 to 8 stores, got \"%s\"", optarg);
      a->world.stores = (int)v;
      break;
    case OPT_PRODUCTS:
      if (!parse_int(optarg, 1, SL_STORE_MAX_PRODUCTS, &v))
        return usage("--products expects 1 to 16 products, got \"%s\"",
                     optarg);
      a->world.products = (int)v;
      break;
    case OPT_DAYS:
      if (!parse_int(optarg, 1, 3660, &v))
        return usage("--days expects 1 to 3660 days, got \"%s\"", optarg);
      a->world.days = (int)v;
      break;
    case OPT_HISTORY:
      if (!parse_int(optarg, 0, 36600, &v))
        return usage("--history-days expects 0 to 36600 days, got \"%s\"",
                     optarg);
      a->history_days = (int)v;
      break;
    case OPT_START:
      if (sl_time_parse_date(optarg, strlen(optarg), &a->world.first_day,
                             &err))
        return usage("--start expects a date YYYY-MM-DD, got \"%s\"",
                     optarg);
      start_given = true;
      break;
    case OPT_FAULTS:
      errno = 0;
      a->faults = strtod(optarg, &end);
      if (errno || end == optarg || *end || !(a->faults >= 0) ||
          a->faults > 0.5)
        return usage("--faults expects a share from 0 to 0.5, got \"%s\"",
                     optarg);
      break;
    case OPT_PARTITIONS:
      if (!parse_int(optarg, 0, 1000, &v))
        return usage("--partitions expects 0 to 1000 partitions, got \"%s\"",
                     optarg);
      a->partitions = (int)v;
      break;
    case OPT_SEED:
      if (!parse_int(optarg, INT64_MIN, INT64_MAX, &v))
        return usage("--seed expects an integer, got \"%s\"", optarg);
      a->world.seed = (uint64_t)v;
      break;
    case OPT_LOG_LEVEL:
      if (!sl_log_parse_level(optarg, &level))
        return usage("unknown log level \"%s\"; expected error, warn, info "
                     "or debug", optarg);
      sl_log_set_level(level);
      break;
    case ':':
      return usage("option %s needs a value", argv[optind - 1]);
    default:
      return usage("unknown option \"%s\"; see sluice gen store --help",
                   argv[optind - 1]);
    }
  }
  if (optind < argc)
    return usage("unexpected argument \"%s\"", argv[optind]);
  if (!start_given) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t today = sl_time_day_of((int64_t)now.tv_sec * 1000);
    a->world.first_day = (int32_t)(today - a->world.days);
  }
  return -1;
}

/* ---- Records ------------------------------------------------------------- */

/* One record to produce: its arrival orders the feed. */
typedef struct record {
  int64_t arrival_ms;
  int64_t seq;         /* ties in arrival keep the order of making */
  int store;
  char *text;
} record;

typedef struct records {
  record *items;
  int64_t n;
  int64_t cap;
} records;

static bool records_push(records *rs, int64_t arrival_ms, int store,
                         const sl_strbuf *text) {
  if (rs->n == rs->cap) {
    int64_t cap = rs->cap ? 2 * rs->cap : 1024;
    record *items = realloc(rs->items, (size_t)cap * sizeof(*items));
    if (!items)
      return false;
    rs->items = items;
    rs->cap = cap;
  }
  char *copy = malloc(text->len + 1);
  if (!copy)
    return false;
  memcpy(copy, text->data, text->len);
  copy[text->len] = '\0';
  rs->items[rs->n] = (record){arrival_ms, rs->n, store, copy};
  rs->n++;
  return true;
}

static void records_free(records *rs) {
  for (int64_t i = 0; i < rs->n; i++)
    free(rs->items[i].text);
  free(rs->items);
  memset(rs, 0, sizeof(*rs));
}

static int cmp_record(const void *a, const void *b) {
  const record *x = a, *y = b;
  if (x->arrival_ms != y->arrival_ms)
    return x->arrival_ms < y->arrival_ms ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* "2024-03-04T08:12:33.123Z" into buf (at least 32 bytes). */
static void iso_time(int64_t ms, char *buf) {
  sl_time_parts t;
  sl_time_split(ms, &t);
  snprintf(buf, 32, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", t.year,
           t.month, t.day, t.hour, t.minute, t.second, t.ms);
}

static void iso_date(int32_t day, char *buf) {
  int64_t y;
  int m, d;
  sl_time_civil_from_days(day, &y, &m, &d);
  snprintf(buf, 16, "%04" PRId64 "-%02d-%02d", y, m, d);
}

/* A sale as a JSON object, broken as fault says. */
static void encode_sale(const sl_store_event *e, const char *id,
                        fault_kind fault, uint64_t variant,
                        sl_strbuf *out) {
  char ts[32];
  iso_time(fault == FAULT_CLOCK_SKEW ? e->ts_ms - SKEW_MS : e->ts_ms, ts);
  const char *store = sl_store_name(e->store);
  const char *product = sl_store_product_name(e->product);
  int qty = fault == FAULT_NEGATIVE ? -e->qty : e->qty;

  /* The store is also the record key, which fills a missing store
   * column: a missing field is the product. */
  sl_strbuf_appendf(out, "{\"sale_id\":\"%s\",\"store\":\"%s\"", id,
                    store);
  if (fault != FAULT_MISSING_FIELD)
    sl_strbuf_appendf(out, ",\"product\":\"%s\"", product);
  if (fault == FAULT_WRONG_TYPE)
    sl_strbuf_appendf(out, ",\"qty\":\"%d pcs\"", qty);
  else
    sl_strbuf_appendf(out, ",\"qty\":%d", qty);
  sl_strbuf_appendf(out, ",\"ts\":\"%s\"}", ts);

  /* A record cut short in transfer: in the middle of a string, or just
   * before its closing brace. */
  if (fault == FAULT_MALFORMED) {
    size_t id_end = strlen("{\"sale_id\":\"\"") + strlen(id);
    out->len = variant % 2 ? out->len - 1
                           : id_end + (out->len - id_end) / 2;
    out->data[out->len] = '\0';
  }
}

/* A delivery or a stock count as a CSV line, broken as fault says. */
static void encode_csv(sl_store_feed feed, const sl_store_event *e,
                       const char *id, fault_kind fault, uint64_t variant,
                       sl_strbuf *out) {
  char ts[32], bb[16];
  iso_time(fault == FAULT_CLOCK_SKEW ? e->ts_ms - SKEW_MS : e->ts_ms, ts);
  iso_date(e->best_before, bb);
  const char *product =
      fault == FAULT_MISSING_FIELD ? "" : sl_store_product_name(e->product);
  int qty = fault == FAULT_NEGATIVE ? -(e->qty > 0 ? e->qty : 1) : e->qty;

  /* A record cut short: too few fields, or an opening quote that never
   * closes. */
  if (fault == FAULT_MALFORMED && variant % 2 == 0) {
    sl_strbuf_appendf(out, "%s,%s,%s,%d", id, sl_store_name(e->store),
                      product, qty);
    return;
  }
  if (fault == FAULT_MALFORMED)
    sl_strbuf_append(out, "\"", 1);
  sl_strbuf_appendf(out, "%s,%s,%s,", id, sl_store_name(e->store), product);
  if (fault == FAULT_WRONG_TYPE)
    sl_strbuf_appendf(out, "%d units", qty);
  else
    sl_strbuf_appendf(out, "%d", qty);
  if (feed == SL_STORE_COUNTS)
    sl_strbuf_appendf(out, ",%d", e->expiring);
  sl_strbuf_appendf(out, ",%s,%s", bb, ts);
}

/* Picks the fault of one event: none, or one kind uniformly.  A clock
 * two days behind would date a record of the first two live days before
 * the feed began, so there it becomes a duplicate instead. */
static fault_kind pick_fault(sl_gen_rand *r, double rate,
                             const sl_store_event *e, int64_t first_ms,
                             uint64_t *variant) {
  double u = sl_gen_rand_unit(r);
  uint64_t k = sl_gen_rand_below(r, NFAULTS - 1);
  *variant = sl_gen_rand_next(r);
  if (u >= rate)
    return FAULT_NONE;
  fault_kind f = (fault_kind)(k + 1);
  if (f == FAULT_CLOCK_SKEW && e->ts_ms < first_ms + SKEW_MS)
    f = FAULT_DUPLICATE;
  return f;
}

/* Encodes one feed into rs and appends its faults to the ground truth. */
static sl_status build_feed(const store_args *a, sl_store_feed feed,
                            const sl_store_events *ev, sl_gen_rand *frand,
                            records *rs, FILE *truth, const char *topic,
                            int64_t *nfaults, sl_error *err) {
  int64_t first_ms = (int64_t)a->world.first_day * SL_MS_PER_DAY;
  sl_strbuf text;
  sl_strbuf_init(&text);
  bool ok = true;
  for (int64_t i = 0; i < ev->n && ok; i++) {
    const sl_store_event *e = &ev->items[i];
    char id[32];
    snprintf(id, sizeof(id), "%c%06" PRId64, id_letters[feed], e->id);
    uint64_t variant;
    fault_kind f = pick_fault(frand, a->faults, e, first_ms, &variant);
    fault_kind broken = f == FAULT_DUPLICATE ? FAULT_NONE : f;

    sl_strbuf_reset(&text);
    if (feed == SL_STORE_SALES)
      encode_sale(e, id, broken, variant, &text);
    else
      encode_csv(feed, e, id, broken, variant, &text);
    ok = !text.failed && records_push(rs, e->arrival_ms, e->store, &text);
    if (ok && f == FAULT_DUPLICATE) {
      int64_t later = 1000 + (int64_t)(variant % MAX_DUP_DELAY_MS);
      ok = records_push(rs, e->arrival_ms + later, e->store, &text);
    }
    if (ok && f != FAULT_NONE) {
      fprintf(truth, "%s,%s,%s,%s\n", topic, id, fault_names[f],
              fault_reasons[f]);
      (*nfaults)++;
    }
  }
  sl_strbuf_free(&text);
  if (!ok)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  qsort(rs->items, (size_t)rs->n, sizeof(record), cmp_record);
  return SL_OK;
}

/* ---- Files --------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *name, char *path,
                      size_t cap, sl_error *err) {
  snprintf(path, cap, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f)
    sl_error_set(err, SL_ERR_IO, "cannot write %s: %s", path,
                 strerror(errno));
  return f;
}

static sl_status close_out(FILE *f, const char *path, sl_status rc,
                           sl_error *err) {
  bool failed = ferror(f) != 0;
  if (fclose(f) != 0)
    failed = true;
  if (failed && rc == SL_OK)
    rc = sl_error_set(err, SL_ERR_IO, "cannot write %s", path);
  return rc;
}

/* The history: units sold per store, product and day, the days before
 * the first live day, ordered by day. */
static sl_status write_history(const store_args *a, sl_store_world *w,
                               const char *path, int64_t *rows,
                               sl_error *err) {
  FILE *f = fopen(path, "w");
  if (!f)
    return sl_error_set(err, SL_ERR_IO, "cannot write %s: %s", path,
                        strerror(errno));
  fputs("store,product,day,units\n", f);
  *rows = 0;
  for (int d = a->history_days; d >= 1; d--) {
    int32_t day = a->world.first_day - d;
    char date[16];
    iso_date(day, date);
    for (int s = 0; s < a->world.stores; s++) {
      for (int p = 0; p < a->world.products; p++) {
        fprintf(f, "%s,%s,%s,%d\n", sl_store_name(s),
                sl_store_product_name(p), date,
                sl_store_draw_units(w, s, p, day));
        (*rows)++;
      }
    }
  }
  return close_out(f, path, SL_OK, err);
}

/* ---- Producing ----------------------------------------------------------- */

/* Creates the feed topics that do not exist yet with a.partitions
 * partitions.  A watermark is the minimum over the partitions a task
 * reads, so with one partition a record is late or not whatever the
 * order in which partitions happen to be fetched. */
static sl_status create_topics(const store_args *a,
                               char topics[SL_STORE_NFEEDS][256],
                               sl_error *err) {
  sl_kafka_config *cfg = sl_kafka_config_new();
  if (!cfg)
    return sl_error_set(err, SL_ERR_NOMEM, "out of memory");
  sl_status rc = SL_OK;
  if (a->kafka_config)
    rc = sl_kafka_config_load_file(cfg, a->kafka_config, err);
  if (rc == SL_OK)
    rc = sl_kafka_config_apply_brokers(cfg, a->brokers, err);
  sl_kafka_admin *admin = NULL;
  if (rc == SL_OK)
    rc = sl_kafka_admin_new(cfg, &admin, err);
  for (int f = 0; f < SL_STORE_NFEEDS && rc == SL_OK; f++)
    rc = sl_kafka_admin_create_topic(admin, topics[f], a->partitions, -1,
                                     NULL, true, err);
  sl_kafka_admin_free(admin);
  sl_kafka_config_free(cfg);
  return rc;
}

static sl_status produce_feed(sl_gen_sink *sink, const records *rs,
                              sl_error *err) {
  for (int64_t i = 0; i < rs->n; i++) {
    const record *r = &rs->items[i];
    const char *key = sl_store_name(r->store);
    sl_status rc = sl_gen_sink_send(sink, key, strlen(key), r->text,
                                    strlen(r->text), 0, err);
    if (rc)
      return rc;
  }
  return sl_gen_sink_finish(sink, err);
}

/* `sluice gen store` (see gen.h): returns the exit code; everything it
 * allocates is freed before it returns. */
int sl_gen_store(int argc, char **argv) {
  sl_log_set_level(SL_LOG_WARN);
  store_args a;
  int code = parse_args(argc, argv, &a);
  if (code >= 0)
    return code;

  /* Outline: connect (a missing broker is a usage error before any
   * file is written), draw the history, run the live days, lay the
   * faults over them while encoding, then produce feed by feed. */
  sl_error err;
  sl_error_clear(&err);
  char topics[SL_STORE_NFEEDS][256];
  sl_gen_sink *sinks[SL_STORE_NFEEDS] = {0};
  sl_store_events events[SL_STORE_NFEEDS];
  records recs[SL_STORE_NFEEDS];
  memset(events, 0, sizeof(events));
  memset(recs, 0, sizeof(recs));
  sl_status rc = SL_OK;
  for (int f = 0; f < SL_STORE_NFEEDS && rc == SL_OK; f++) {
    snprintf(topics[f], sizeof(topics[f]), "%s%s", a.prefix, feed_names[f]);
    sl_gen_sink_options sopts = {a.brokers, a.kafka_config, topics[f], 0};
    rc = sl_gen_sink_open(&sopts, &sinks[f], &err);
  }

  sl_store_world world;
  sl_store_world_init(&world, &a.world);
  char history_path[4096], truth_path[4096];
  int64_t history_rows = 0, nfaults = 0;
  if (rc == SL_OK && mkdir(a.out_dir, 0777) != 0 && errno != EEXIST)
    rc = sl_error_set(&err, SL_ERR_IO, "cannot create %s: %s", a.out_dir,
                      strerror(errno));
  if (rc == SL_OK) {
    snprintf(history_path, sizeof(history_path), "%s/%s", a.out_dir,
             HISTORY_FILE);
    rc = write_history(&a, &world, history_path, &history_rows, &err);
  }
  if (rc == SL_OK)
    rc = sl_store_world_run(&world, events, &err);

  FILE *truth = NULL;
  if (rc == SL_OK) {
    truth = open_out(a.out_dir, FAULTS_FILE, truth_path, sizeof(truth_path),
                     &err);
    rc = truth ? SL_OK : err.code;
  }
  if (truth) {
    fputs("topic,record_id,fault,reason\n", truth);
    sl_gen_rand frand;
    sl_gen_rand_seed(&frand, a.world.seed ^ UINT64_C(0x5709e5f0a17ed5));
    for (int f = 0; f < SL_STORE_NFEEDS && rc == SL_OK; f++)
      rc = build_feed(&a, (sl_store_feed)f, &events[f], &frand, &recs[f],
                      truth, topics[f], &nfaults, &err);
    rc = close_out(truth, truth_path, rc, &err);
  }

  if (rc == SL_OK && a.partitions > 0)
    rc = create_topics(&a, topics, &err);
  for (int f = 0; f < SL_STORE_NFEEDS && rc == SL_OK; f++)
    rc = produce_feed(sinks[f], &recs[f], &err);

  if (rc == SL_OK) {
    char first[16];
    iso_date(a.world.first_day, first);
    fprintf(stderr, "sluice gen store: %d stores, %d products, %d days "
            "from %s: %" PRId64 " sales to \"%s\", %" PRId64
            " deliveries to \"%s\", %" PRId64 " stock counts to \"%s\" (%"
            PRId64 " faults, listed in %s); %" PRId64 " history rows in %s;"
            " seed %" PRIu64 "\n", a.world.stores, a.world.products,
            a.world.days, first,
            recs[0].n, topics[0], recs[1].n, topics[1], recs[2].n,
            topics[2], nfaults, truth_path, history_rows, history_path,
            a.world.seed);
  }
  code = rc ? sl_gen_report("store", &err) : 0;

  for (int f = 0; f < SL_STORE_NFEEDS; f++) {
    sl_gen_sink_free(sinks[f]);
    sl_store_events_free(&events[f]);
    records_free(&recs[f]);
  }
  return code;
}
