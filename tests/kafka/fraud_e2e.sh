#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The fraud use case end to end on a real broker: `sluice gen payments`
# writes a week of payments and chargebacks to the topics, queries/fraud.sql
# runs --bounded on them, and its outputs are checked against the
# generator's ground truth:
#   - both models are evaluated with an AUC above 0.85 on the held-out day;
#   - every live payment is scored once, and every scenario of fraud in the
#     live day is blocked for at least 70% of its payments (card testing,
#     account takeover and the compromised merchant at least 80%);
#   - at most one alert in ten is an honest payment;
#   - each record of the alerts topic is keyed by its card, names a live
#     payment, and the set of alerted ids equals the blocked decisions.
# The generator's CSV output is checked to be the same for the same seed.
set -euo pipefail
sluice=${1:?usage: fraud_e2e.sh SLUICE}
queries=$(cd "$(dirname "$0")/../../queries" && pwd)
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=$RANDOM$RANDOM
prefix=fraud${run}_
# The week ends yesterday: Kafka deletes records whose timestamp is older
# than the topic's retention (7 days by default), and the streams that
# fraud.sql derives carry the event time as their records' timestamp.
start_s=$(( $(date -u +%s) / 86400 * 86400 - 7 * 86400 ))
start=$(date -u -d "@$start_s" +%Y-%m-%dT%H:%M:%SZ)
live_from=$(date -u -d "@$(( start_s + 6 * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)
gen=(--count 15000 --days 7 --seed 7 --start "$start")

fail() {
  echo "fraud_e2e.sh: $*" >&2
  exit 1
}

# Same seed, same data.
"$sluice" gen payments "${gen[@]}" --csv "$work" --truth "$work/t1.csv" \
  2>/dev/null
mv "$work/payments.csv" "$work/p1.csv"
"$sluice" gen payments "${gen[@]}" --csv "$work" --truth "$work/t2.csv" \
  2>/dev/null
cmp -s "$work/p1.csv" "$work/payments.csv" ||
  fail "two runs with seed 7 wrote different payments"
cmp -s "$work/t1.csv" "$work/t2.csv" || fail "the ground truth differs"
rm -f "$work"/p1.csv "$work"/t2.csv "$work"/payments.csv \
  "$work"/chargebacks.csv

"$sluice" gen payments "${gen[@]}" --brokers "$brokers" --prefix "$prefix" \
  --merchants-csv "$work/merchants.csv" \
  --customers-csv "$work/customers.csv" --truth "$work/truth.csv" \
  2>"$work/gen.err" || { cat "$work/gen.err" >&2; fail "gen failed"; }

# SELECT waits for the query writing alerts to finish; PRINT then shows
# the topic's records with their keys.
cat >"$work/check.sql" <<SQL
SELECT id, decision FROM scored;
SELECT id AS alert_id FROM alerts;
PRINT '${prefix}alerts' FROM BEGINNING;
SQL
"$sluice" run --bounded --brokers "$brokers" --service "fraud_$run" \
  --catalog "$work/cat.db" --log-level warn --output csv \
  -D data="$work" -D prefix="$prefix" -D live_from="$live_from" \
  "$queries/fraud.sql" "$work/check.sql" >"$work/out.csv" \
  2>"$work/run.err" || { cat "$work/run.err" >&2; fail "run failed"; }

python3 - "$work" "$live_from" <<'PY'
import csv, io, json, sys

work, live_from = sys.argv[1], sys.argv[2].replace("T", " ").rstrip("Z")
text = open(work + "/out.csv").read()
# The output holds four CSV results one after the other: EVALUATE, the
# decisions, the alerts stream, the alerts topic; each starts with its
# header line.
blocks, cur = [], None
for line in text.splitlines():
    if line.startswith(("model,version,", "id,decision", "alert_id",
                        "partition,")):
        cur = [line]
        blocks.append(cur)
    elif cur is not None:
        cur.append(line)
def rows(i):
    return list(csv.DictReader(io.StringIO("\n".join(blocks[i]) + "\n")))
def fail(msg):
    sys.exit("fraud_e2e.sh: " + msg)
if len(blocks) != 4:
    fail("expected 4 results (evaluate, decisions, alerts, topic), got %d"
         % len(blocks))
evaluate, decisions, alert_rows, alerts = rows(0), rows(1), rows(2), rows(3)

auc = {r["model"]: float(r["auc"]) for r in evaluate}
for m in ("fraud_xgb", "fraud_lr"):
    if not 0.85 < auc.get(m, 0) <= 1:
        fail("AUC of %s: %s" % (m, auc.get(m)))

truth = {}
for r in csv.DictReader(open(work + "/truth.csv")):
    truth[int(r["payment_id"])] = (r["scenario"], r["ts"])
live_fraud = {}
for pid, (sc, ts) in truth.items():
    if ts.replace("T", " ").rstrip("Z") >= live_from:
        live_fraud.setdefault(sc, set()).add(pid)

ids = [int(r["id"]) for r in decisions]
if len(ids) != len(set(ids)):
    fail("a payment was scored twice")
blocked = {int(r["id"]) for r in decisions if r["decision"] == "block"}
bars = {"card_testing": 0.8, "account_takeover": 0.8,
        "compromised_merchant": 0.8, "impossible_travel": 0.7}
for sc, bar in bars.items():
    want = live_fraud.get(sc, set())
    if not want:
        fail("no %s in the live day" % sc)
    if not want <= set(ids):
        fail("%s: payments not scored" % sc)
    got = len(want & blocked)
    print("%-21s %3d of %3d blocked" % (sc, got, len(want)))
    if got < bar * len(want):
        fail("%s: %d of %d blocked, under %d%%"
             % (sc, got, len(want), bar * 100))
honest = blocked - set(truth)
if len(honest) * 10 > len(blocked):
    fail("%d of %d blocked payments are honest" % (len(honest), len(blocked)))

if sorted(int(r["alert_id"]) for r in alert_rows) != sorted(blocked):
    fail("alerts stream: %d rows, %d blocked decisions"
         % (len(alert_rows), len(blocked)))
seen = set()
for r in alerts:
    value = json.loads(r["value"])
    if r["key"] != value["card"]:
        fail("alert %s keyed %r, card %r" % (value["id"], r["key"],
                                              value["card"]))
    if value["ts"].replace("T", " ").rstrip("Z") < live_from:
        fail("alert for payment %s before the live day" % value["id"])
    seen.add(value["id"])
if seen != blocked or len(alerts) != len(blocked):
    fail("alerts topic: %d records for %d ids, %d blocked decisions"
         % (len(alerts), len(seen), len(blocked)))
print("%d live payments scored, %d blocked (%d honest); AUC xgb %.3f, "
      "lr %.3f" % (len(ids), len(blocked), len(honest), auc["fraud_xgb"],
                   auc["fraud_lr"]))
PY
