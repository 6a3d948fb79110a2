#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One process runs a persistent query over a 4-partition stream as
# several group members (tasks), each on its own share of the partitions.
# Every record must come out once with the right value (ids and values
# checksummed against the input), and after a graceful stop the restarted
# process must resume exactly where every task committed: nothing lost,
# nothing read twice.
#
#   parallel_tasks.sh SLUICE
set -euo pipefail
sluice=${1:?usage: parallel_tasks.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
run=$RANDOM$RANDOM
service=par_$run
src=par_src_$run
dst=par_dst_$run

# One core gives one worker: nothing to run in parallel.
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || exit 77

produce() { # first last
  for i in $(seq "$1" "$2"); do
    printf 'k%d\t{"id":%d,"amount":%d}\n' "$((i % 64))" "$i" "$((i % 7))"
  done | kcat -P -b "$brokers" -t "$src" -K '\t'
}

# What dst must hold for ids 1..n: one line per id, "id tenfold".
expected() { # n
  for i in $(seq 1 "$1"); do echo "$i $(((i % 7) * 10))"; done
}

# dst as "id tenfold" lines sorted by id (duplicates kept).
read_dst() {
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; } |
    sed -E 's/.*"id":([0-9]+).*"tenfold":([0-9]+).*/\1 \2/' | sort -n
}

wait_for() { # count
  for _ in $(seq 1 240); do
    [ "$(read_dst | cut -d' ' -f1 | sort -u | wc -l)" -ge "$1" ] && return 0
    sleep 0.5
  done
  echo "only $(read_dst | cut -d' ' -f1 | sort -u | wc -l) of $1 ids" \
    "reached $dst"
  tail -30 "$work/run.log"
  return 1
}

start() {
  "$sluice" run --brokers "$brokers" --service "$service" \
    --catalog "$work/cat.db" --log-level info "$work/pipeline.sql" \
    >>"$work/run.out" 2>>"$work/run.log" &
  pid=$!
}

stop() {
  kill -INT "$pid"
  wait "$pid" || { echo "sluice failed:"; tail -30 "$work/run.log"; exit 1; }
  pid=
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (id BIGINT, amount INT)
  WITH (topic='$src', partitions=4);
CREATE STREAM dst WITH (topic='$dst') AS
  SELECT id, amount * 10 AS tenfold FROM src;
SQL

start

# The query runs as one task per worker (the cores, as the runtime
# counts them), at most one per partition; records come once every one
# of them holds partitions.
cores=$(getconf _NPROCESSORS_ONLN)
want=$((cores < 4 ? cores : 4))
pattern='s/.*query dst task ([0-9]+): [1-9][0-9]* partitions? assigned.*/\1/p'
busy=0
for _ in $(seq 1 120); do
  busy=$(sed -nE "$pattern" "$work/run.log" | sort -u | wc -l)
  [ "$busy" -ge "$want" ] && break
  sleep 0.5
done
tasks=$(sed -nE 's/.*query dst started: ([0-9]+) tasks?.*/\1/p' \
  "$work/run.log" | head -1)
[ "$tasks" = "$want" ] ||
  { echo "expected $want tasks, got '$tasks':"; cat "$work/run.log"; exit 1; }
[ "$busy" -eq "$tasks" ] ||
  { echo "partitions went to $busy task(s) of $tasks:";
    grep "partition" "$work/run.log"; exit 1; }

produce 1 3000
wait_for 3000

stop
produce 3001 5000
start
wait_for 5000
stop

read_dst > "$work/got"
expected 5000 > "$work/want"
if ! cmp -s "$work/got" "$work/want"; then
  echo "dst differs from the input ($(wc -l < "$work/got") records):"
  diff "$work/want" "$work/got" | head -20
  exit 1
fi
echo "$tasks tasks: 5000 records, each once with its value" \
  "($(md5sum < "$work/got" | cut -c1-12))"
