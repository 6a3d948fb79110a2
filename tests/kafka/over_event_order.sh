#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A sliding count by merchant over a stream keyed by card, read from four
# partitions of a real broker, two queries deep as in queries/fraud.sql
# (a per-card LAG stream, then the per-merchant count over it): every
# row's count equals a Python oracle's over the generated payments, the
# rows of the merchant within the hour before it, itself included (rows
# at the same instant may come before or after it).  The task reads the
# four partitions in event-time order, however their chunks are fetched.
#
#   over_event_order.sh SLUICE
set -euo pipefail
sluice=${1:?usage: over_event_order.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=over_$$$(date +%s)_

"$sluice" gen payments --brokers "$brokers" --prefix "$run" --count 20000 \
  --seed 3 >"$work/gen.out" 2>&1 ||
  { echo "gen payments failed:"; cat "$work/gen.out"; exit 1; }

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM payments (id BIGINT NOT NULL, card VARCHAR NOT NULL,
  customer_id BIGINT, merchant_id BIGINT, amount DOUBLE, channel VARCHAR,
  lat DOUBLE, lon DOUBLE, ts TIMESTAMP)
  WITH (topic='${run}payments', key='card', partitions=4, timestamp='ts');
CREATE STREAM card_rows WITH (topic='${run}card_rows', key='card') AS
  SELECT p.id, p.card, p.merchant_id, p.ts,
         LAG(p.amount) OVER (PARTITION BY p.card ORDER BY p.ts) AS prev
  FROM payments p;
CREATE STREAM merchant_rows WITH (topic='${run}merchant_rows', key='card') AS
  SELECT f.id, f.card, f.merchant_id, f.ts,
         COUNT(*) OVER (PARTITION BY f.merchant_id ORDER BY f.ts
                        RANGE BETWEEN INTERVAL '1' HOUR PRECEDING
                        AND CURRENT ROW) AS merchant_last_hour
  FROM card_rows f;
SQL
"$sluice" run --bounded --brokers "$brokers" --service "$run" \
  --catalog "$work/c.db" --log-level warn "$work/pipeline.sql" \
  >"$work/run.out" 2>&1 || { echo "run failed:"; cat "$work/run.out"; exit 1; }

kcat -C -b "$brokers" -t "${run}payments" -e -q -f '%s\n' > "$work/payments"
kcat -C -b "$brokers" -t "${run}merchant_rows" -e -q -f '%s\n' > "$work/rows"

python3 - "$work/payments" "$work/rows" <<'PY'
import bisect, collections, datetime, json, sys

def secs(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()

payments = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
times = collections.defaultdict(list)
for p in payments:
    times[p["merchant_id"]].append(secs(p["ts"]))
for v in times.values():
    v.sort()
rows = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
wrong = []
for r in rows:
    v, ts = times[r["merchant_id"]], secs(r["ts"])
    first = bisect.bisect_left(v, ts - 3600)
    least = bisect.bisect_left(v, ts) - first + 1
    most = bisect.bisect_right(v, ts) - first
    if not least <= r["merchant_last_hour"] <= most:
        wrong.append((r["id"], r["merchant_last_hour"], least, most))
if len(rows) != len(payments):
    sys.exit("%d rows for %d payments" % (len(rows), len(payments)))
if wrong:
    for w in wrong[:5]:
        print("payment %s: merchant_last_hour %d, want %d..%d" % w)
    sys.exit("%d of %d rows wrong" % (len(wrong), len(rows)))
print("%d payments, merchant_last_hour exact" % len(rows))
PY
