#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A persistent query keeps running while its broker is stopped and
# started again on the same ports, and catches up when it returns: every
# record written before, during and after the outage reaches the output
# (at least once).  The test runs its own broker (scripts/kafka.sh with a
# state directory of its own, paused and resumed), so the shared one in
# SLUICE_TEST_BROKERS is left alone; it only says that real-broker tests
# are wanted.
#
#   broker_restart.sh SLUICE KAFKA_SH
set -euo pipefail
sluice=${1:?usage: broker_restart.sh SLUICE KAFKA_SH}
kafka_sh=${2:?usage: broker_restart.sh SLUICE KAFKA_SH}
[ -n "${SLUICE_TEST_BROKERS:-}" ] || exit 77

work=$(mktemp -d)
export SLUICE_KAFKA_STATE=$work/kafka-state
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  bash "$kafka_sh" stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
brokers=$(bash "$kafka_sh" start 2>"$work/kafka.log") ||
  { echo "no broker:"; cat "$work/kafka.log"; exit 1; }
run=$RANDOM$RANDOM
src=outage_src_$run
dst=outage_dst_$run

produce() { # first last
  for i in $(seq "$1" "$2"); do
    printf 'k%d\t{"id":%d}\n' "$((i % 16))" "$i"
  done | kcat -P -b "$brokers" -t "$src" -K '\t'
}

distinct_ids() {
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; } |
    sed -E 's/.*"id":([0-9]+).*/\1/' | sort -un | wc -l
}

wait_for() { # count
  for _ in $(seq 1 240); do
    [ "$(distinct_ids)" -ge "$1" ] && return 0
    kill -0 "$pid" 2>/dev/null ||
      { echo "sluice ended:"; tail -30 "$work/run.log"; exit 1; }
    sleep 0.5
  done
  echo "only $(distinct_ids) of $1 ids reached $dst"
  tail -30 "$work/run.log"
  return 1
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (id BIGINT) WITH (topic='$src', partitions=2);
CREATE STREAM dst WITH (topic='$dst') AS SELECT id FROM src;
SQL
"$sluice" run --brokers "$brokers" --service "outage_$run" \
  --catalog "$work/cat.db" --log-level info "$work/pipeline.sql" \
  >"$work/run.out" 2>"$work/run.log" &
pid=$!

for _ in $(seq 1 120); do
  grep -q "query dst started" "$work/run.log" && break
  sleep 0.25
done
produce 1 1000
wait_for 1000

# The broker goes away while the query is still working through the
# next thousand records (reading some, writing their results).
produce 1001 2000
bash "$kafka_sh" pause 2>>"$work/kafka.log"
sleep 5
kill -0 "$pid" 2>/dev/null ||
  { echo "sluice ended while the broker was away:";
    tail -30 "$work/run.log"; exit 1; }
bash "$kafka_sh" resume >/dev/null 2>>"$work/kafka.log" ||
  { echo "the broker did not come back:"; cat "$work/kafka.log"; exit 1; }
produce 2001 3000
wait_for 3000

kill -INT "$pid"
wait "$pid" || { echo "sluice failed:"; tail -30 "$work/run.log"; exit 1; }
pid=
echo "broker stopped and restarted mid-query: all 3000 ids reached $dst"
