#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A windowed aggregation over two partitions is killed (SIGKILL) at random
# moments while records arrive, and restarted each time.  In the end its
# output must hold exactly the per-window results of an uninterrupted
# run: every (key, window) once in value, with the count and sum the
# input gives (no record lost, none counted twice).  A result emitted
# again after a restart (the output is at-least-once) must be an
# identical copy.  CRASH_SEED fixes the kill moments.
#
#   crash_window.sh SLUICE
set -euo pipefail
sluice=${1:?usage: crash_window.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pid=
feeders=()
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  for p in "${feeders[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# Topic names differ on every run; CRASH_SEED only fixes the kills.
run=$$$(date +%s)
RANDOM=${CRASH_SEED:-$$}
src=crash_src_$run
dst=crash_dst_$run
rounds=4
per_round=2000
# Event times start now: the results carry them as their Kafka
# timestamps, and older ones would fall to the topic's retention.
base=$(($(date +%s) * 1000))

# A dead member must leave the group in seconds, not the default 45.  A
# partition waiting out a restart on a loaded machine must not count as
# idle (which lets the watermark pass it): the stream's idle_timeout is
# longer than any pause here.
printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n' \
  > "$work/kafka.properties"

# Record i: key k(i mod 3), value i, event time base + 10 i ms, on
# partition i mod 2, so that each partition is in event-time order.
produce() { # first last
  for p in 0 1; do
    for i in $(seq "$1" "$2"); do
      [ $((i % 2)) -eq "$p" ] || continue
      printf '{"k":"k%d","v":%d,"ts":%d}\n' "$((i % 3))" "$i" \
        "$((base + i * 10))"
    done | kcat -P -b "$brokers" -t "$src" -p "$p"
  done
}

start() {
  "$sluice" run --brokers "$brokers" --service "crash_$run" \
    --kafka-config "$work/kafka.properties" --catalog "$work/cat.db" \
    --log-level info "$work/pipeline.sql" \
    >>"$work/run.out" 2>>"$work/run.log" &
  pid=$!
}

read_dst() {
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; }
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='$src', partitions=2, timestamp='ts',
        timestamp_format='epoch_ms', idle_timeout=INTERVAL '120' SECOND);
CREATE STREAM win WITH (topic='$dst') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM src WINDOW TUMBLING (SIZE 1 SECOND)
  GROUP BY k EMIT FINAL;
SQL

# The first start creates the source topic; records follow once the
# query runs.
start
for _ in $(seq 1 120); do
  grep -q "query win started" "$work/run.log" && break
  sleep 0.25
done
grep -q "query win started" "$work/run.log" ||
  { echo "the query did not start:"; cat "$work/run.log"; exit 1; }

# Each round feeds records while the query runs and kills it at a
# random moment (0.2 to 3 s in), then starts it again.
first=1
for r in $(seq 1 "$rounds"); do
  last=$((first + per_round - 1))
  produce "$first" "$last" &
  feeders+=($!)
  sleep "$((RANDOM % 3)).$((RANDOM % 8 + 2))"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  wait "${feeders[-1]}"
  echo "round $r: records $first..$last, killed" >> "$work/rounds"
  first=$((last + 1))
  start
done
total=$((first - 1))

# A record far ahead on both partitions closes every window before it.
for p in 0 1; do
  printf '{"k":"end","v":0,"ts":%d}\n' "$((base + 600000))" |
    kcat -P -b "$brokers" -t "$src" -p "$p"
done

# The expected results, and a check of what dst holds against them;
# prints what is wrong, or nothing.
cat > "$work/check.py" <<'PY'
import json, sys, datetime
base, total = int(sys.argv[1]), int(sys.argv[2])
want = {}
for i in range(1, total + 1):
    ws = (base + i * 10) // 1000 * 1000
    start = datetime.datetime.fromtimestamp(ws / 1000, datetime.timezone.utc)
    key = ("k%d" % (i % 3), start.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    n, s = want.get(key, (0, 0))
    want[key] = (n + 1, s + i)
got = {}
copies = 0
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    key = (r["k"], r["window_start"])
    value = (r["n"], r["s"])
    if key in got:
        copies += 1
        if got[key] != value:
            print("%s %s: %s and then %s" % (key + (got[key], value)))
    got[key] = value
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
wrong = sorted(k for k in want if k in got and got[k] != want[k])
for k in missing[:5]:
    print("missing %s %s: want %s" % (k + (want[k],)))
for k in extra[:5]:
    print("unexpected %s %s: %s" % (k + (got[k],)))
for k in wrong[:5]:
    print("%s %s: got %s, want %s" % (k + (got[k], want[k])))
if len(sys.argv) > 3:
    print("%d windows, %d emitted again" % (len(want), copies))
PY

# A restarted query may wait up to a minute for partitions a killed
# predecessor still holds.
for _ in $(seq 1 150); do
  [ -z "$(read_dst | python3 "$work/check.py" "$base" "$total")" ] && break
  kill -0 "$pid" 2>/dev/null ||
    { echo "the last run ended by itself:"; tail -30 "$work/run.log";
      exit 1; }
  sleep 0.5
done
kill -INT "$pid"
wait "$pid" || { echo "the last run failed:"; tail -30 "$work/run.log";
                 exit 1; }
pid=
problems=$(read_dst | python3 "$work/check.py" "$base" "$total")
if [ -n "$problems" ]; then
  echo "after $rounds kills the windows differ from an uninterrupted run:"
  echo "$problems"
  cat "$work/rounds"
  grep -E "restored|ERROR|WARN" "$work/run.log" | tail -20
  exit 1
fi
summary=$(read_dst | python3 "$work/check.py" "$base" "$total" summary)
echo "$rounds kills, $total records: $summary, all exact"
