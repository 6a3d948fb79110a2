#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Running a script again on the same catalog and service: every CREATE
# whose definition is unchanged is a no-op, CREATE MODEL trains exactly one
# new version, and the commands the first run wrote to the service's
# command topic are not applied a second time (no extra model version, no
# output record twice).  A second catalog joining the service replays them
# once.
#
#   rerun_script.sh SLUICE
set -euo pipefail
sluice=${1:?usage: rerun_script.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
run=$RANDOM$RANDOM
service=rerun_$run

for i in $(seq 1 40); do
  printf '{"id":%d,"x":%d.5,"y":%s}\n' "$i" "$((i % 10))" \
    "$([ $((i % 10)) -ge 5 ] && echo true || echo false)"
done | kcat -P -b "$brokers" -t "ev_$run"

cat > r.sql <<SQL
CREATE STREAM ev (id BIGINT, x DOUBLE, y BOOLEAN)
  WITH (topic='ev_$run', format='json');
CREATE TRAINING SET ts AS SELECT id, x, y FROM ev;
CREATE MODEL m TYPE LOGISTIC_REGRESSION FEATURES (x) LABEL y FROM ts;
CREATE STREAM scored WITH (topic='scored_$run') AS
  SELECT id, PREDICT(m) AS p FROM ev;
SQL

versions() { # catalog: the versions of m, one per line
  "$sluice" run --bounded --brokers "$brokers" --service "$service" \
    --catalog "$1" --log-level error --output csv -e "DESCRIBE m;" |
    grep -c '^[0-9]' || true
}

runit() { # catalog
  "$sluice" run --bounded --brokers "$brokers" --service "$service" \
    --catalog "$1" --log-level warn r.sql >>run.log 2>&1 ||
    { echo "run failed:"; cat run.log; exit 1; }
}

runit a.db
runit a.db
v=$(versions a.db)
[ "$v" = 2 ] || { echo "after two runs m has $v versions, not 2"; cat run.log
                  exit 1; }

# Each input record was scored once: the second run resumed the query.
n=$(kcat -C -b "$brokers" -t "scored_$run" -e -q | wc -l)
[ "$n" = 40 ] || { echo "scored holds $n records, not 40"; exit 1; }

# A second catalog joining the service replays its commands once; when
# it is opened again, they are all applied already.
join() {
  "$sluice" run --bounded --brokers "$brokers" --service "$service" \
    --catalog b.db --log-level info -e "SHOW STREAMS;" 2>&1 >/dev/null |
    grep 'replayed' || true
}
first=$(join)
again=$(join)
case "$first" in
  *"replayed 4 commands"*"(0 applied before)"*) ;;
  *) echo "the first join did not replay the 4 commands: $first"; exit 1 ;;
esac
case "$again" in
  *"replayed 0 commands"*"(4 applied before)"*) ;;
  *) echo "reopening replayed commands again: $again"; exit 1 ;;
esac
echo "rerun_script: 2 versions after two runs, 40 records scored once"
