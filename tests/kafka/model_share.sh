#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A model trained on one instance is served by every instance of the
# service.  Instance A, with a catalog of its own, loads history into a
# stream, fills a training set from it and trains two versions of a
# boosted-trees model (the second one large enough to be published in
# several records) and a logistic regression.  Instance B, with
# another, empty catalog, joins the same service: it replays the
# CREATE MODEL statements and, rather than train on its own copy of the
# training set (empty: A read the history), installs the versions A
# published.  Both
# then score the same records: the scores must be the same to the bit
# (the CSV prints each double in the shortest form that reads back to
# it), and both list the same versions with the same metrics and times;
# the persistent query that scores with the model runs on B as well.
# A third instance C, left running while A trains a second version of
# the logistic regression, installs it from the command topic as it
# runs and scores with it as A does.
#
#   model_share.sh SLUICE
set -euo pipefail
sluice=${1:?usage: model_share.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
run=$RANDOM$RANDOM
service=share_$run

# 300 rows of history: y depends on x and on the category, with noise
# from a fixed linear congruential sequence so that both models have
# something to learn and no feature decides alone.
awk -v OFS=, 'BEGIN {
  print "id,x,cat,ts,y"; s = 7
  for (i = 1; i <= 300; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    x = (s % 1000) / 10
    c = substr("abc", i % 3 + 1, 1)
    s = (s * 1103515245 + 12345) % 2147483648
    noise = s % 40
    y = (x + (c == "a" ? 25 : 0) + noise > 75) ? "true" : "false"
    printf "%d,%.1f,%s,2024-01-01T00:%02d:%02dZ,%s\n", i, x, c,
           int(i / 60), i % 60, y
  }
}' > history.csv

cat > a.sql <<SQL
CREATE STREAM history (id BIGINT, x DOUBLE, cat VARCHAR, ts TIMESTAMP,
  y BOOLEAN) WITH (topic='hist_$run', timestamp='ts', partitions=1);
LOAD 'history.csv' INTO history;
CREATE TRAINING SET rows AS SELECT x, cat, y FROM history;
CREATE MODEL risk TYPE XGBOOST FEATURES (x, ONE_HOT(cat)) LABEL y
  FROM rows WITH (rounds=15, max_depth=3, eta=0.3, seed=1, nthread=1,
                  holdout=0.2);
CREATE MODEL risk TYPE XGBOOST FEATURES (x, ONE_HOT(cat)) LABEL y
  FROM rows WITH (rounds=300, max_depth=8, eta=0.05, min_child_weight=0,
                  seed=1, nthread=1, holdout=0.2);
CREATE MODEL lr TYPE LOGISTIC_REGRESSION
  FEATURES (STANDARDIZE(x), ONE_HOT(cat)) LABEL y FROM rows
  WITH (lambda=0.5);
CREATE STREAM scored WITH (topic='scored_$run') AS
  SELECT id, PREDICT(risk) AS p FROM history;
SQL

score_sql="SELECT id, PREDICT(risk) AS v2, PREDICT(risk VERSION 1) AS v1,
  PREDICT(lr) AS lr FROM history;"
models_sql="SHOW MODELS;"

sql() { # catalog log statements
  "$sluice" run --bounded --brokers "$brokers" --service "$service" \
    --catalog "$1" --log-level info --output csv -e "$3" 2>>"$2"
}

"$sluice" run --bounded --brokers "$brokers" --service "$service" \
  --catalog a.db --log-level info a.sql >a.out 2>a.log ||
  { echo "instance A failed:"; cat a.log; exit 1; }

sql a.db a.log "$score_sql" >a_scores.csv
sql a.db a.log "$models_sql" >a_models.csv
sql b.db b.log "$models_sql" >b_models.csv
sql b.db b.log "$score_sql" >b_scores.csv

fail() {
  echo "$1"
  echo "--- A"; tail -30 a.log
  echo "--- B"; tail -30 b.log
  exit 1
}

n=$(($(wc -l <a_scores.csv) - 1))
[ "$n" = 300 ] || fail "A scored $n records, not 300"
grep -q ',,' a_scores.csv && fail "A left scores empty"
cmp -s a_scores.csv b_scores.csv ||
  fail "B's scores differ from A's: $(diff a_scores.csv b_scores.csv | head)"
cmp -s a_models.csv b_models.csv ||
  fail "B's versions differ from A's: $(diff a_models.csv b_models.csv)"
[ "$(grep -c '^risk,' b_models.csv)" = 2 ] ||
  fail "B lists $(grep -c '^risk,' b_models.csv) versions of risk, not 2"
grep -q 'risk version 2: installed as published' b.log ||
  fail "B did not install version 2 of risk as published"
grep -q 'risk version 1: trained' b.log &&
  fail "B trained risk itself"
# The persistent query that scores with risk runs on B too.
grep -q 'skipping' b.log && fail "B skipped commands"
sql b.db b.log "SHOW QUERIES;" | grep -q '^scored,' ||
  fail "B does not run the query scored"
# Version 2 is large enough to travel in several records.
parts=$(kcat -C -b "$brokers" -t "_sluice-$service-models" -e -q -f '%k\n' |
        grep -c '^risk/2/' || true)
[ "$parts" -ge 2 ] || fail "risk version 2 went in $parts records, not 2+"
# B's own copy of the training set is empty: what it serves came from A.
b_rows=$(($(sql b.db b.log "SELECT x FROM rows;" | wc -l) - 1))
[ "$b_rows" = 0 ] || fail "B's training set holds $b_rows rows, not 0"
a_rows=$(($(sql a.db a.log "SELECT x FROM rows;" | wc -l) - 1))
[ "$a_rows" = 300 ] || fail "A's training set holds $a_rows rows, not 300"

# An instance that is running installs a version trained meanwhile.
"$sluice" run --brokers "$brokers" --service "$service" --catalog c.db \
  --log-level info -e "SHOW MODELS;" >c.out 2>c.log &
pids+=($!)
for _ in $(seq 1 120); do
  grep -q 'lr version 1: installed as published' c.log && break
  sleep 0.5
done
grep -q 'lr version 1: installed as published' c.log ||
  fail "C did not install the published versions: $(tail c.log)"
"$sluice" run --bounded --brokers "$brokers" --service "$service" \
  --catalog a.db --log-level info -e "CREATE MODEL lr TYPE
  LOGISTIC_REGRESSION FEATURES (STANDARDIZE(x), ONE_HOT(cat)) LABEL y
  FROM rows WITH (lambda=2);" >>a.out 2>>a.log ||
  fail "A could not train version 2 of lr"
for _ in $(seq 1 120); do
  grep -q 'lr version 2: installed as published' c.log && break
  sleep 0.5
done
grep -q 'lr version 2: installed as published' c.log ||
  fail "the running instance C did not install lr version 2: $(tail c.log)"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
pids=()
sql a.db a.log "$models_sql" >a_models.csv
sql c.db c.log "$models_sql" >c_models.csv
cmp -s a_models.csv c_models.csv ||
  fail "C's versions differ from A's: $(diff a_models.csv c_models.csv)"
sql a.db a.log "SELECT id, PREDICT(lr) AS lr FROM history;" >a_lr.csv
sql c.db c.log "SELECT id, PREDICT(lr) AS lr FROM history;" >c_lr.csv
cmp -s a_lr.csv c_lr.csv || fail "C's lr version 2 scores differ from A's"
echo "model_share: B serves A's 3 versions, C the 4th trained meanwhile;" \
  "300 records scored alike"
