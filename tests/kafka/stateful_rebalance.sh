#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A windowed query grouped by a column that is not the record key reads
# its four source partitions and the four of its repartition topic
# (keyed by k), keeping its state per partition of that topic.  When a second
# instance joins the group and takes half of them, and later leaves, the
# first instance must go on checkpointing the state it holds and stop
# cleanly: no crash, no failure, a clean exit.
#
#   stateful_rebalance.sh SLUICE
set -euo pipefail
. "$(dirname "$0")/assigned.sh"
sluice=${1:?usage: stateful_rebalance.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
run=$$$(date +%s)
src=rebal_src_$run
dst=rebal_dst_$run
base=$(($(date +%s) * 1000))

printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n' \
  > "$work/kafka.properties"

produce() { # first last
  for p in 0 1 2 3; do
    for i in $(seq "$1" "$2"); do
      [ $((i % 4)) -eq "$p" ] || continue
      printf '{"k":"k%d","v":%d,"ts":%d}\n' "$((i % 3))" "$i" \
        "$((base + i * 10))"
    done | kcat -P -b "$brokers" -t "$src" -p "$p"
  done
}

start_instance() { # n script-args...
  local n=$1
  shift
  "$sluice" run --brokers "$brokers" --service "rebal_$run" \
    --kafka-config "$work/kafka.properties" --catalog "$work/i$n.db" \
    --log-level info "$@" >"$work/i$n.out" 2>"$work/i$n.log" &
  pids+=($!)
}

wait_log() { # file pattern [times]
  for _ in $(seq 1 120); do
    [ "$(grep -cE "$2" "$1" || true)" -ge "${3:-1}" ] && return 0
    sleep 0.25
  done
  echo "no \"$2\" in $1:"
  tail -20 "$1"
  return 1
}

alive() { # n
  kill -0 "${pids[$1]}" 2>/dev/null ||
    { echo "instance $(($1 + 1)) ended:"; tail -40 "$work/i$(($1 + 1)).log";
      exit 1; }
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='$src', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM win WITH (topic='$dst') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM src WINDOW TUMBLING (SIZE 1 SECOND)
  GROUP BY k EMIT FINAL;
SQL

start_instance 1 "$work/pipeline.sql"
wait_assigned "$work/i1.log" win 8
produce 1 1000

# A second instance joins: the group spreads the partitions over both
# instances' tasks (the second gets some, the state of those moving with
# them), and each keeps checkpointing (once a second) what it holds.
start_instance 2 -e "SHOW STREAMS;"
wait_split "$work/i1.log" "$work/i2.log" win 8
produce 1001 2000
sleep 3
alive 0
alive 1

# The second leaves gracefully; the first gets both partitions back.
kill -INT "${pids[1]}"
wait "${pids[1]}" ||
  { echo "instance 2 failed:"; tail -30 "$work/i2.log"; exit 1; }
wait_assigned "$work/i1.log" win 8
produce 2001 3000
sleep 3
alive 0
kill -INT "${pids[0]}"
wait "${pids[0]}" ||
  { echo "instance 1 failed:"; tail -30 "$work/i1.log"; exit 1; }
grep -q "query win stopped" "$work/i1.log" ||
  { echo "instance 1 did not stop cleanly:"; tail -30 "$work/i1.log";
    exit 1; }
echo "a windowed query gave up a partition, got it back and stopped cleanly"
