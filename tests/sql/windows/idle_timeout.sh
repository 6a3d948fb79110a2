#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A partition that goes quiet stops holding the watermark back once it
# has been silent for the stream's idle_timeout (wall time), in an
# unbounded run on a real broker; when it speaks again its record is late
# for the window that closed meanwhile.
#
#   idle_timeout.sh SLUICE
#
# Two partitions, idle_timeout 1 s, tumbling 10 s windows, EMIT CHANGES,
# event times in seconds after a minute an hour ago (the outputs carry
# them, and the broker keeps records only so long):
#   1 partition 1  a@01 v=1   [0,10) n 1
#   2 partition 0  a@02 v=2   [0,10) n 2      (after 1 is out; waits
#                             until both are out)
#   3 partition 0  a@25 v=3   [20,30) n 1     (waits until it is out)
#   - partition 1 says nothing for 2 s more: it is idle, so the watermark
#     is partition 0's, 25, and [0,10) has closed (10 <= 25)
#   4 partition 1  a@05 v=4   late: dead-lettered with reason late and
#                             counted nowhere
# Had partition 1 held the watermark back (at 1), record 4 would have
# counted in [0,10).  Needs SLUICE_TEST_BROKERS; exits 77 without.
set -euo pipefail
sluice=${1:?usage: idle_timeout.sh SLUICE [session]}
# "session": the timeout comes from SET 'idle.timeout' instead of the
# stream's own option.
mode=${2:-stream}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
run=$RANDOM$RANDOM
src=idle_src_$run
dst=idle_dst_$run

base=$((($(date +%s) - 3600) / 60 * 60))
produce() { # partition v seconds-after-base
  printf '{"k":"a","v":%d,"ts":%d}\n' "$2" $(((base + $3) * 1000)) |
    kcat -P -b "$brokers" -t "$src" -p "$1"
}

# The output rows so far, one "n,s,window_start" a line, sorted (the
# output topic has two partitions, read in no particular order).
row='s/.*"n":([0-9]+),"s":([0-9]+),"window_start":"([^"]*)".*/\1,\2,\3/'
output() {
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; } |
    sed -E "$row" | sort
}

wait_for() { # expected-output-lines
  for _ in $(seq 1 120); do
    [ "$(output)" = "$1" ] && return 0
    sleep 0.25
  done
  echo "timed out waiting for the output"
  echo "expected:"; echo "$1"
  echo "got:"; output
  cat "$work/run.log"
  exit 1
}

if [ "$mode" = session ]; then
  setting="SET 'idle.timeout' = '1 s';"
  option=
else
  setting=
  option=", idle_timeout=INTERVAL '1' SECOND"
fi
cat > "$work/pipeline.sql" <<SQL
$setting
CREATE STREAM ev (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='$src', timestamp='ts', timestamp_format='epoch_ms',
        partitions=2$option);
CREATE STREAM totals WITH (topic='$dst') AS
  SELECT k, COUNT(*) AS n, SUM(v) AS s, WINDOW_START
    FROM ev WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY k EMIT CHANGES;
SQL
"$sluice" run --brokers "$brokers" --service "idle_$run" \
  --catalog "$work/cat.db" --log-level warn "$work/pipeline.sql" \
  >"$work/run.log" 2>&1 &
pid=$!

# The statement creates the topic (listing all topics, for asking about
# this one would make the broker create it); records go to explicit
# partitions.
for _ in $(seq 1 120); do
  kcat -L -b "$brokers" 2>/dev/null | grep -q "topic \"$src\" with 2 " &&
    break
  sleep 0.25
done

w0=$(date -u -d "@$base" +%Y-%m-%dT%H:%M:%S.000Z)
w20=$(date -u -d "@$((base + 20))" +%Y-%m-%dT%H:%M:%S.000Z)
produce 1 1 1
# Record 2 after record 1's result: they are read from two partitions,
# perhaps by two tasks, in no fixed order otherwise.
wait_for "1,1,$w0"
produce 0 2 2
wait_for "1,1,$w0
2,3,$w0"
produce 0 3 25
wait_for "1,1,$w0
1,3,$w20
2,3,$w0"
sleep 2
produce 1 4 5

# Record 4 goes to the dead-letter topic as late, and nowhere else.
reason=
for _ in $(seq 1 120); do
  reason=$({ kcat -C -b "$brokers" -t "$src.dlq" -e -q -f '%h\n' \
               2>/dev/null || true; } |
           sed -nE 's/.*sluice.error.reason=([a-z_]+).*/\1/p')
  [ -n "$reason" ] && break
  sleep 0.25
done
if [ "$reason" != "late" ]; then
  echo "record 4: expected one dead letter with reason late, got '$reason'"
  cat "$work/run.log"
  exit 1
fi
kill -TERM "$pid"
wait "$pid" || { echo "sluice run failed:"; cat "$work/run.log"; exit 1; }
pid=
expected="1,1,$w0
1,3,$w20
2,3,$w0"
if [ "$(output)" != "$expected" ]; then
  echo "the late record changed a result:"; output
  exit 1
fi
echo "idle partition released the watermark; its late record dead-lettered"
