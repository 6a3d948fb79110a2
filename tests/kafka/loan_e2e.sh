#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The loan pricing use case end to end on a real broker, as docs/loan.md
# runs it: side data and the first 80% of the Lending Club loans replayed,
# queries/loan.sql trained with --bounded (every history row in the
# training set, metrics of both populations checked), then
# queries/loan_serve.sql left running on the same service and catalog
# while the last 20% arrive as new applications: loan_check.py checks an
# offer for each one and reports the answer latency; the serving queries
# resumed where training left them (the features topic holds each
# application once); the prediction log holds the probability behind
# every offer.  Every run is one service, as a user runs it.
#
#   loan_e2e.sh SLUICE SOURCE_DIR
set -euo pipefail
sluice=${1:?usage: loan_e2e.sh SLUICE SOURCE_DIR}
src=${2:?usage: loan_e2e.sh SLUICE SOURCE_DIR}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77
loans=$src/../shared/data/lending_club.csv
credit=$src/../shared/data/credit_data.csv
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
run=$RANDOM$RANDOM
apps=loan_applications_$run
txns=loan_transactions_$run
offers=loan_offers_$run

say() { echo "loan_e2e: $*"; }
die() { echo "loan_e2e: $*" >&2; exit 1; }

# The scripts on topics of this run only.
for f in loan.sql loan_serve.sql; do
  sed -e "s/topic='applications'/topic='$apps'/" \
      -e "s/topic='transactions'/topic='$txns'/" \
      -e "s/topic='offers'/topic='$offers'/" \
      -e "s/topic='application-features'/topic='loan_features_$run'/" \
      -e "s/topic='txn-history'/topic='loan_history_$run'/" \
      "$src/queries/$f" > "$work/$f"
done
common=(--brokers "$brokers" --catalog "$work/loan.db" --log-level warn
        --service "loan_$run")

# ---- History and training -------------------------------------------------

"$sluice" gen loans --brokers "$brokers" --file "$loans" --dir "$work" \
  --credit-file "$credit" --topic "$txns"
"$sluice" gen applications --brokers "$brokers" --file "$loans" \
  --topic "$apps" --rows 80%

"$sluice" run --bounded "${common[@]}" -D data="$work" "$work/loan.sql" \
  > "$work/train.out" 2> "$work/train.log" ||
  { cat "$work/train.log"; die "training run failed"; }

# Every history row reached the training set: ids 1..7885 once each.
"$sluice" run "${common[@]}" --output csv \
  -e "SELECT application_id FROM loan_rows;" > "$work/rows.csv"
tail -n +2 "$work/rows.csv" | sort -n > "$work/ids"
seq 1 7885 | cmp -s - "$work/ids" ||
  die "loan_rows does not hold applications 1..7885 once each" \
      "($(wc -l < "$work/ids") rows)"

# The loan models: 6,308 rows trained, the last 1,577 held out.  The
# second population: both models evaluated on its last 891 rows.
holdout='""set"":""holdout"",""rows"":1577,""auc"":\([0-9.]*\)'
for m in loan_risk loan_risk_base; do
  auc=$(sed -n "s/^$m,1,xgboost,loan_rows,6308,.*$holdout.*/\1/p" \
    "$work/train.out")
  [ -n "$auc" ] || die "$m: no version of 6308 rows with holdout metrics"
  say "$m AUC on the held-out 20% of the history: $auc"
  eval "${m}_auc=$auc"
done
for m in credit_risk credit_risk_lr; do
  line=$(grep "^$m,1,891," "$work/train.out") ||
    die "$m: not evaluated on 891 rows"
  auc=$(echo "$line" | cut -d, -f4)
  awk -v a="$auc" 'BEGIN { exit !(a > 0.75 && a < 1) }' ||
    die "$m: AUC $auc, expected above 0.75"
  say "$m AUC on the held-out 20% of credit_data: $auc"
done
# Both learn something; the side data is drawn to carry the outcome the
# way a real bureau score and account history do, so it must help.
awk -v a="$loan_risk_base_auc" -v b="$loan_risk_auc" \
  'BEGIN { exit !(a > 0.6 && b > a + 0.05 && b < 1) }' ||
  die "holdout AUC $loan_risk_auc with the side data, $loan_risk_base_auc" \
      "without: expected both above 0.6 and the first 0.05 higher"

# ---- Serving --------------------------------------------------------------

"$sluice" run "${common[@]}" --log-level info "$work/loan_serve.sql" \
  > "$work/serve.out" 2> "$work/serve.log" &
pid=$!
for _ in $(seq 1 120); do
  grep -q '3 persistent queries running' "$work/serve.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log"; die "serving exited"; }
  sleep 0.5
done
grep -q '3 persistent queries running' "$work/serve.log" ||
  { cat "$work/serve.log"; die "serving queries did not start"; }

/usr/bin/python3 "$here/loan_check.py" "$sluice" "$brokers" "$loans" \
  "$apps" "$offers" "$work" || { tail -20 "$work/serve.log"; exit 1; }

kill -INT "$pid"
wait "$pid" || { cat "$work/serve.log"; die "serving failed"; }
pid=

# Serving resumed the features query from the training run's offsets:
# every application has one features record, none was processed twice.
kcat -C -b "$brokers" -t "loan_features_$run" -e -q -f '%k\n' \
  2> /dev/null | sort -n > "$work/feature_keys"
seq 1 9857 | cmp -s - "$work/feature_keys" ||
  die "the features topic does not hold applications 1..9857 once each" \
      "($(wc -l < "$work/feature_keys") records): serving processed the" \
      "history again"

# The prediction log holds the probability behind each offer: for every
# offered probability as many logged scores of the offers query (a
# restart may log a prediction twice, never lose one), and the rate
# recomputed from the logged value.  The read runs --bounded: the serving
# queries resume with it and stop at the end of their input.
"$sluice" run --bounded "${common[@]}" --output csv \
  -e "SELECT score FROM prediction_log WHERE query = 'offers';" \
  > "$work/log.csv" 2> "$work/read.log" ||
  { cat "$work/read.log"; die "reading the prediction log failed"; }
/usr/bin/python3 - "$work/log.csv" "$work/offers.tsv" <<'PY'
import collections, csv, sys
logged = collections.Counter(float(r["score"])
                             for r in csv.DictReader(open(sys.argv[1])))
offered = collections.Counter()
for line in open(sys.argv[2]):
    app, at, p, rate = line.split("\t")
    p = float(p)
    offered[p] += 1
    if logged[p] < offered[p]:
        sys.exit("prediction log: no logged score %r for application %s"
                 % (p, app))
    rate_again = round(min(36.0, max(6.0, 100.0 * (0.05 + 0.6 * p)
                                     / (1.0 - p))), 2)
    if abs(rate_again - float(rate)) > 1e-9:
        sys.exit("prediction log: application %s offered %s, the formula "
                 "on the logged %r gives %.2f" % (app, rate, p, rate_again))
print("loan_e2e: the prediction log holds the score of all %d offers"
      % sum(offered.values()))
PY
say "ok"
