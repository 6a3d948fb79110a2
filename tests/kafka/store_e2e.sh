#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The store use case end to end on a real broker: `sluice gen store`
# writes a grocery chain's feeds with faults, queries/store.sql runs over
# them with --bounded, and an independent Python computation over the
# same input records checks what came out:
#   - the faults the Python reading of the input finds are exactly the
#     generator's ground truth;
#   - every malformed, constraint-violating or late record is in its
#     feed's dead-letter topic exactly once, with its reason and the
#     conventions' headers pointing back at the original record;
#   - every duplicate is dropped (in the duplicates topic, counted per
#     feed and store) and the daily sales count every good sale once;
#   - the demand model fits the history within 10% of the RMSE of the
#     best any function of (store, product, day of week) can do, the
#     per-group mean; every good stock count has an outlook with a
#     forecast near that mean, and the markdowns are exactly those the
#     documented rule gives;
#   - run again on the same catalog and service, the script trains one
#     new version on the same 17520 rows (the history is loaded once, by
#     queries/store_history.sql), a later run of other statements trains
#     none, and a fresh catalog joining the service installs the two
#     versions the first one published instead of training them.
#
#   store_e2e.sh SLUICE
set -euo pipefail
sluice=${1:?usage: store_e2e.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../../queries/store.sql
history=$here/../../queries/store_history.sql

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=$RANDOM$RANDOM
prefix=store_${run}_
started=$(date +%s)

"$sluice" gen store --brokers "$brokers" --prefix "$prefix" --out "$work" \
  --seed 7 2>"$work/gen.log" || { cat "$work/gen.log"; exit 1; }

# The script's own output, then the tables the checks read.
cat > "$work/checks.sql" <<'SQL'
SELECT * FROM duplicate_counts;
SELECT store, product, units, window_start FROM daily_sales;
SQL
common=(--bounded --brokers "$brokers" --service "store_$run"
        --catalog "$work/cat.db" --log-level warn --output csv
        -D prefix="$prefix" -D data="$work")
"$sluice" run "${common[@]}" "$history" >"$work/history.out" \
  2>"$work/history.log" ||
  { echo "loading the history failed:"; cat "$work/history.log"; exit 1; }
"$sluice" run "${common[@]}" "$script" "$work/checks.sql" \
  >"$work/run.out" 2>"$work/run.log" ||
  { echo "sluice run failed:"; cat "$work/run.log"; exit 1; }

# Every topic the checks read, one record a line:
# partition TAB offset TAB key TAB value TAB headers.
dump() {
  kcat -C -b "$brokers" -t "$prefix$1" -e -q \
    -f '%p\t%o\t%k\t%s\t%h\n' >"$work/$1.tsv" 2>/dev/null || true
}
for t in sales deliveries stock-counts sales.dlq deliveries.dlq \
         stock-counts.dlq duplicates stock-outlook markdowns; do
  dump "$t"
done

python3 - "$work" "$prefix" <<'PY'
import collections, csv, datetime, io, json, re, sys

work, prefix = sys.argv[1], sys.argv[2]
failures = []


def expect(ok, what):
    if not ok:
        failures.append(what)


def records(name):
    rows = []
    with open("%s/%s.tsv" % (work, name)) as f:
        for line in f:
            p, o, k, v, h = line.rstrip("\n").split("\t", 4)
            rows.append((int(p), int(o), k, v, h))
    return rows


def parse_ts(text):
    if not isinstance(text, str):
        raise ValueError(text)
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z", text)
    if not m:
        raise ValueError(text)
    return datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f")


def parse_int(text):
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(text)
    return int(text)


# ---- The input, read independently -----------------------------------------
# A record is decode (not a JSON object / not 6 or 7 well-quoted CSV
# fields), type (a value that does not convert), not_null (a field
# missing or empty), check (a negative quantity), late (more than 30
# minutes behind the latest good record before it in its partition),
# duplicate (an id seen before within a day) or good.

FEEDS = {
    "sales": ("json", ["sale_id", "store", "product", "qty", "ts"],
              ["qty"], "sales_checked"),
    "deliveries": ("csv", ["delivery_id", "store", "product", "qty",
                           "best_before", "ts"], ["qty"],
                   "deliveries_checked"),
    "stock-counts": ("csv", ["count_id", "store", "product", "on_hand",
                             "expiring", "best_before", "ts"],
                     ["on_hand", "expiring"], "counts_checked"),
}
INTS = {"qty", "on_hand", "expiring"}


def classify_value(feed, value):
    kind, cols, nonneg, _ = FEEDS[feed]
    if kind == "json":
        try:
            obj = json.loads(value)
        except ValueError:
            return "decode", None
        if not isinstance(obj, dict):
            return "decode", None
        fields = {c: obj.get(c) for c in cols}
    else:
        try:
            row = next(csv.reader(io.StringIO(value), strict=True))
        except (csv.Error, StopIteration):
            return "decode", None
        if value.count('"') % 2 or len(row) != len(cols):
            return "decode", None
        fields = {c: (x if x != "" else None) for c, x in zip(cols, row)}
    rec = {}
    for c in cols:
        x = fields[c]
        if x is None:
            continue
        try:
            if c in INTS:
                if kind == "json":
                    if isinstance(x, bool) or not isinstance(x, int):
                        raise ValueError(x)
                    rec[c] = x
                else:
                    rec[c] = parse_int(x)
            elif c == "ts":
                rec[c] = parse_ts(x)
            elif c == "best_before":
                rec[c] = datetime.date.fromisoformat(x)
            else:
                if not isinstance(x, str):
                    raise ValueError(x)
                rec[c] = x
        except ValueError:
            return "type", None
    if any(fields[c] is None for c in cols):
        return "not_null", None
    if any(rec[c] < 0 for c in nonneg):
        return "check", None
    return "good", rec


def record_id(value):
    m = re.match(r'\{"(?:sale|delivery|count)_id":"([A-Z]\d+)"', value)
    if m:
        return m.group(1)
    return value.lstrip('"').split(",")[0]


inputs = {}          # feed -> {(partition, offset): (key, value)}
found = set()        # (topic, id, fault, reason)
clean = {}           # feed -> [record]
for feed in FEEDS:
    rows = records(feed)
    inputs[feed] = {(p, o): (k, v) for p, o, k, v, _ in rows}
    by_part = collections.defaultdict(list)
    for p, o, k, v, _ in rows:
        by_part[p].append((o, v))
    clean[feed] = []
    for p, recs in by_part.items():
        recs.sort()
        latest = None
        seen = {}
        for o, v in recs:
            verdict, rec = classify_value(feed, v)
            rid = record_id(v)
            if verdict != "good":
                fault = {"decode": "malformed", "type": "wrong_type",
                         "not_null": "missing_field",
                         "check": "negative_quantity"}[verdict]
                found.add((prefix + feed, rid, fault, verdict))
                continue
            if latest and rec["ts"] < latest - datetime.timedelta(minutes=30):
                found.add((prefix + feed, rid, "clock_skew", "late"))
                continue
            latest = rec["ts"] if not latest else max(latest, rec["ts"])
            first = seen.get(rid)
            if first and rec["ts"] - first <= datetime.timedelta(days=1):
                found.add((prefix + feed, rid, "duplicate", ""))
                continue
            seen[rid] = rec["ts"]
            rec["id"] = rid
            clean[feed].append(rec)

truth = set()
with open(work + "/store-faults.csv") as f:
    for row in csv.DictReader(f):
        truth.add((row["topic"], row["record_id"], row["fault"],
                   row["reason"]))
expect(len(truth) > 50, "the generator injected %d faults" % len(truth))
for fault in ("malformed", "wrong_type", "missing_field",
              "negative_quantity", "duplicate", "clock_skew"):
    expect(any(t[2] == fault for t in truth), "no %s fault injected" % fault)
expect(found == truth, "faults read from the input differ from the ground "
       "truth: only read %s, only in truth %s"
       % (sorted(found - truth)[:5], sorted(truth - found)[:5]))

# ---- Dead-letter topics ----------------------------------------------------
HEADERS = ["sluice.error.reason", "sluice.error.message",
           "sluice.source.topic", "sluice.source.partition",
           "sluice.source.offset", "sluice.query.id"]
dead = collections.Counter()
for feed, (_, _, _, query) in FEEDS.items():
    for p, o, k, v, h in records(feed + ".dlq"):
        hdr = dict(x.split("=", 1) for x in re.split(r",(?=sluice\.)", h))
        expect(sorted(hdr) == sorted(HEADERS),
               "%s.dlq @ %d: headers %s" % (feed, o, sorted(hdr)))
        if sorted(hdr) != sorted(HEADERS):
            continue
        dead[(prefix + feed, record_id(v), hdr["sluice.error.reason"])] += 1
        src = (int(hdr["sluice.source.partition"]),
               int(hdr["sluice.source.offset"]))
        expect(hdr["sluice.source.topic"] == prefix + feed,
               "%s.dlq: source topic %s" % (feed, hdr["sluice.source.topic"]))
        expect(inputs[feed].get(src) == (k, v),
               "%s.dlq: %s is not the record at %s" % (feed, v, src))
        expect(hdr["sluice.query.id"] == query,
               "%s.dlq: query id %s" % (feed, hdr["sluice.query.id"]))
        expect(hdr["sluice.error.message"] != "",
               "%s.dlq: empty message" % feed)
want_dead = {(t, i, r) for t, i, _, r in truth if r}
expect(set(dead) == want_dead,
       "dead letters differ: extra %s, missing %s"
       % (sorted(set(dead) - want_dead)[:5], sorted(want_dead - set(dead))[:5]))
expect(all(n == 1 for n in dead.values()),
       "dead letters twice: %s" % [d for d, n in dead.items() if n > 1][:5])

# ---- The script's printed results ------------------------------------------
# Each SELECT prints a header row, then its rows; a later SELECT with the
# same header replaces the earlier one's rows.
HEADS = {"model,version,rows,auc,log_loss,accuracy,precision,recall,rmse,mae",
         "feed,store,dropped", "store,product,units,window_start",
         "store,product,best_before,expiring,expected_sales,discount_pct"}
sections = collections.defaultdict(list)
current = None
with open(work + "/run.out") as f:
    for row in csv.reader(f):
        if ",".join(row) in HEADS:
            current = ",".join(row)
            sections[current] = []
        sections[current].append(row)

evals = sections["model,version,rows,auc,log_loss,accuracy,precision,"
                 "recall,rmse,mae"]
expect(len(evals) == 2, "EVALUATE printed %d rows" % (len(evals) - 1))

# ---- Duplicates: dropped and counted ---------------------------------------
names = {prefix + f: f for f in FEEDS}
store_of = {}
for feed in FEEDS:
    for k, v in inputs[feed].values():
        store_of.setdefault((feed, record_id(v)), k)
dups = collections.Counter()
for p, o, k, v, h in records("duplicates"):
    r = json.loads(v)
    dups[(r["feed"], r["record_id"])] += 1
want_dups = {(names[t], i) for t, i, f, _ in truth if f == "duplicate"}
expect(set(dups) == want_dups and all(n == 1 for n in dups.values()),
       "duplicates topic: extra %s, missing %s"
       % (sorted(set(dups) - want_dups)[:5], sorted(want_dups - set(dups))[:5]))
counts = collections.Counter((f, store_of[(f, i)]) for f, i in want_dups)
printed = {(r[0], r[1]): int(r[2])
           for r in sections["feed,store,dropped"][1:]}
expect(printed == dict(counts),
       "duplicate_counts %s, expected %s" % (printed, dict(counts)))

# ---- Daily sales: every good sale once -------------------------------------
daily = collections.Counter()
for r in clean["sales"]:
    daily[(r["store"], r["product"], r["ts"].date().isoformat())] += r["qty"]
got_daily = {}
for r in sections["store,product,units,window_start"][1:]:
    got_daily[(r[0], r[1], r[3][:10])] = int(r[2])
expect(got_daily == dict(daily),
       "daily_sales: %d rows, expected %d; first differences %s"
       % (len(got_daily), len(daily),
          sorted(set(got_daily.items()) ^ set(daily.items()))[:4]))

# ---- The model against the history -----------------------------------------
hist = collections.defaultdict(list)
with open(work + "/store-history.csv") as f:
    for row in csv.DictReader(f):
        dow = datetime.date.fromisoformat(row["day"]).isoweekday()
        hist[(row["store"], row["product"], dow)].append(int(row["units"]))
mean = {g: sum(u) / len(u) for g, u in hist.items()}
sq = sum((x - mean[g]) ** 2 for g, u in hist.items() for x in u)
oracle_rmse = (sq / sum(len(u) for u in hist.values())) ** 0.5
rmse = float(evals[1][8]) if len(evals) == 2 else float("inf")
expect(rmse <= 1.1 * oracle_rmse,
       "model rmse %.3f, the per-group mean gets %.3f" % (rmse, oracle_rmse))

# ---- Outlook and markdowns -------------------------------------------------
outlook = {}
for p, o, k, v, h in records("stock-outlook"):
    r = json.loads(v)
    outlook[r["count_id"]] = r
counts_clean = {r["id"]: r for r in clean["stock-counts"]}
expect(set(outlook) == set(counts_clean),
       "stock_outlook has %d counts, expected %d"
       % (len(outlook), len(counts_clean)))
want_md = {}
for cid, c in counts_clean.items():
    o = outlook.get(cid)
    if not o:
        continue
    days_left = (c["best_before"] - c["ts"].date()).days
    expect(o["days_left"] == days_left and o["expiring"] == c["expiring"]
           and o["on_hand"] == c["on_hand"],
           "stock_outlook %s: %s" % (cid, o))
    f = []
    for k in (1, 2, 3):
        dow = (c["ts"] + datetime.timedelta(days=k)).isoweekday()
        m = mean[(c["store"], c["product"], dow)]
        f.append(o["forecast_%d" % k])
        expect(abs(f[-1] - m) <= 0.2 * m + 1.5,
               "forecast_%d %s for %s, the history's mean is %.2f"
               % (k, f[-1], cid, m))
    e = c["expiring"]
    # The same additions in the same order as the script's.
    sales = f[0] + (f[1] if days_left >= 2 else 0) + \
        (f[2] if days_left >= 3 else 0)
    unsold = e - sales
    if 1 <= days_left <= 3 and e > 0 and 5 * unsold >= e:
        pct = 50 if 10 * unsold >= 6 * e else 30 if 10 * unsold >= 4 * e \
            else 20
        want_md[cid] = (c["store"], c["product"], pct, unsold)
got_md = {}
for p, o, k, v, h in records("markdowns"):
    r = json.loads(v)
    expect(k == r["store"], "markdown %s keyed %s" % (r["count_id"], k))
    got_md[r["count_id"]] = (r["store"], r["product"], r["discount_pct"],
                             r["expected_unsold"])
expect(len(want_md) >= 10, "only %d markdowns expected" % len(want_md))
expect(set(got_md) == set(want_md),
       "markdowns: extra %s, missing %s"
       % (sorted(set(got_md) - set(want_md))[:5],
          sorted(set(want_md) - set(got_md))[:5]))
for cid in set(got_md) & set(want_md):
    g, w = got_md[cid], want_md[cid]
    expect(g[:3] == w[:3] and abs(g[3] - w[3]) <= 0.05 + 1e-9,
           "markdown %s: got %s, expected %s" % (cid, g, w))

if failures:
    print("\n".join(failures[:20]))
    sys.exit(1)
print("store: %d faults all accounted for (%d dead letters, %d duplicates "
      "dropped), %d daily sales rows, %d markdowns as the rule says, model "
      "rmse %.2f (per-group mean %.2f)"
      % (len(truth), sum(dead.values()), len(want_dups), len(daily),
         len(want_md), rmse, oracle_rmse))
PY
# ---- Running again -----------------------------------------------------------

fail() { echo "store_e2e: $*" >&2; exit 1; }
evaluations() { grep -c "^demand,[0-9]*,17520," "$1" || true; }

# The script again: one new version, on the history loaded once.
"$sluice" run "${common[@]}" "$script" >"$work/rerun.out" \
  2>"$work/rerun.log" ||
  { echo "the second run failed:"; cat "$work/rerun.log"; exit 1; }
[ "$(evaluations "$work/rerun.out")" -eq 2 ] ||
  fail "the second run did not evaluate versions 1 and 2 on 17520 rows:" \
       "$(grep '^demand,' "$work/rerun.out")"
grep -q '^demand,2,17520,' "$work/rerun.out" ||
  fail "the second run did not train version 2 on 17520 rows"

# Other statements on the same catalog and service train nothing.
"$sluice" run "${common[@]}" -e "EVALUATE MODEL demand ON demand_rows;" \
  >"$work/look.out" 2>"$work/look.log" ||
  { echo "a later run failed:"; cat "$work/look.log"; exit 1; }
[ "$(evaluations "$work/look.out")" -eq 2 ] ||
  fail "a later run changed the versions: $(grep '^demand,' "$work/look.out")"

# A fresh catalog on the same service replays the service's commands: its
# own training set is empty, so it installs the versions the first
# catalog published instead of training: both list the same ones, each
# trained on the 15768 rows left of 17520 by the 10% holdout.
"$sluice" run "${common[@]}" --catalog "$work/fresh.db" \
  -e "SHOW MODELS;" >"$work/fresh.out" 2>"$work/fresh.log" ||
  { echo "a fresh catalog could not join:"; cat "$work/fresh.log"; exit 1; }
"$sluice" run "${common[@]}" -e "SHOW MODELS;" >"$work/models.out" \
  2>"$work/models.log" ||
  { echo "SHOW MODELS failed:"; cat "$work/models.log"; exit 1; }
[ "$(grep -c '^demand,[0-9]*,xgboost,demand_rows,15768,' \
     "$work/fresh.out")" -eq 2 ] && cmp -s "$work/fresh.out" \
  "$work/models.out" ||
  fail "the fresh catalog did not install both versions of demand:
$(cat "$work/fresh.out" "$work/fresh.log")"
echo "store_e2e: re-runs: one new version each, on the same 17520 rows"
echo "store_e2e: $(( $(date +%s) - started )) s"
