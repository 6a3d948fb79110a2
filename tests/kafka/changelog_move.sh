#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A windowed COUNT by key over a 4-partition source keyed by the group
# key moves between instances that each have their OWN catalog file, so
# that state can only travel through the query's changelog topic
# (_sluice-<service>-<query>-changelog-0):
#
#   1. instance A runs the query and is killed (SIGKILL) mid-stream;
#      instance B, with an empty catalog, learns the query from the
#      command topic, restores the state from the changelog and finishes;
#   2. instances C and D run at once, splitting the partitions; C stops
#      gracefully and D takes its partitions over.
#
# Each time the output must hold exactly the per-window counts of the
# input (an independent count in Python): every (key, window) present
# with its count, none missing, none counted twice; a window emitted
# again (the output is at-least-once) must be an identical copy.
# MOVE_SEED fixes the kill moment.
#
#   changelog_move.sh SLUICE
set -euo pipefail
. "$(dirname "$0")/assigned.sh"
sluice=${1:?usage: changelog_move.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pids=()
feeders=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${feeders[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
run=$$$(date +%s)
RANDOM=${MOVE_SEED:-$$}
keys=8
# Event times start now: results carry them as their Kafka timestamps,
# and older ones would fall to the topic's retention.
base=$(($(date +%s) * 1000))

# A dead member must leave the group in seconds, not the default 45.
printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n' \
  > "$work/kafka.properties"

# Record i: key k(i mod 8), event time base + 5 i ms.  Key kN lives on
# partition N mod 4 (the source is keyed by k, NOT NULL, so the window
# keeps its state per partition), so that each partition is in
# event-time order and a key's records share a partition.
produce() { # topic first last
  for p in 0 1 2 3; do
    for i in $(seq "$2" "$3"); do
      [ $((i % keys % 4)) -eq "$p" ] || continue
      printf 'k%d\t{"k":"k%d","ts":%d}\n' "$((i % keys))" "$((i % keys))" \
        "$((base + i * 5))"
    done | kcat -P -b "$brokers" -t "$1" -p "$p" -K '\t'
  done
}

# Far ahead on every partition: closes every window before it.
close_windows() { # topic
  for p in 0 1 2 3; do
    printf 'k%d\t{"k":"k%d","ts":%d}\n' "$p" "$p" "$((base + 3600000))" |
      kcat -P -b "$brokers" -t "$1" -p "$p" -K '\t'
  done
}

start_instance() { # name service script-args...
  local name=$1 service=$2
  shift 2
  "$sluice" run --brokers "$brokers" --service "$service" \
    --kafka-config "$work/kafka.properties" --catalog "$work/$name.db" \
    --log-level info "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  eval "pid_$name=\$!"
}

wait_log() { # file pattern [times]
  for _ in $(seq 1 240); do
    [ "$(grep -cE "$2" "$1" 2>/dev/null || true)" -ge "${3:-1}" ] && return 0
    sleep 0.25
  done
  echo "no \"$2\" in $1:"
  tail -30 "$1"
  return 1
}

pipeline() { # src dst
  cat <<SQL
CREATE STREAM src (k VARCHAR NOT NULL, ts TIMESTAMP)
  WITH (topic='$1', key='k', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM win WITH (topic='$2') AS
  SELECT k, WINDOW_START, COUNT(*) AS n
  FROM src WINDOW TUMBLING (SIZE 1 SECOND)
  GROUP BY k EMIT FINAL;
SQL
}

# The expected windows and a check of what the output holds against them;
# prints what is wrong, or nothing.
cat > "$work/check.py" <<'PY'
import json, sys, datetime
base, total, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
want = {}
for i in range(1, total + 1):
    ws = (base + i * 5) // 1000 * 1000
    start = datetime.datetime.fromtimestamp(ws / 1000, datetime.timezone.utc)
    key = ("k%d" % (i % keys), start.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    want[key] = want.get(key, 0) + 1
got = {}
copies = 0
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    key = (r["k"], r["window_start"])
    if key in got:
        copies += 1
        if got[key] != r["n"]:
            print("%s %s: %s and then %s" % (key + (got[key], r["n"])))
    got[key] = r["n"]
for k in sorted(set(want) - set(got))[:5]:
    print("missing %s %s: want %s" % (k + (want[k],)))
for k in sorted(set(got) - set(want))[:5]:
    print("unexpected %s %s: %s" % (k + (got[k],)))
for k in sorted(k for k in want if k in got and got[k] != want[k])[:5]:
    print("%s %s: got %s, want %s" % (k + (got[k], want[k])))
if len(sys.argv) > 4:
    print("%d windows, %d emitted again" % (len(want), copies))
PY

read_dst() { # topic
  { kcat -C -b "$brokers" -t "$1" -e -q -f '%s\n' 2>/dev/null || true; }
}

# Waits until the output matches the input, then stops the instance
# named by $2 gracefully and checks once more.
finish() { # dst total name label
  local dst=$1 total=$2 name=$3 label=$4 pid
  pid=$(eval echo "\$pid_$name")
  for _ in $(seq 1 240); do
    [ -z "$(read_dst "$dst" | python3 "$work/check.py" "$base" "$total" \
            "$keys")" ] && break
    kill -0 "$pid" 2>/dev/null ||
      { echo "$label: instance $name ended:"; tail -30 "$work/$name.log";
        exit 1; }
    sleep 0.5
  done
  kill -INT "$pid"
  wait "$pid" || { echo "$label: $name failed:"; tail -30 "$work/$name.log";
                   exit 1; }
  local problems
  problems=$(read_dst "$dst" | python3 "$work/check.py" "$base" "$total" \
             "$keys")
  if [ -n "$problems" ]; then
    echo "$label: the windows differ from an uninterrupted run:"
    echo "$problems"
    for f in "$work"/*.log; do
      echo "--- $f"
      grep -E "restored|assigned|ERROR|WARN" "$f" | tail -15
    done
    exit 1
  fi
  echo "$label: $(read_dst "$dst" |
    python3 "$work/check.py" "$base" "$total" "$keys" summary), all exact"
}

# ---- 1. killed, taken over by an instance with an empty catalog --------
service=move_$run
src=move_src_$run
dst=move_dst_$run
pipeline "$src" "$dst" > "$work/pipeline.sql"
start_instance a "$service" "$work/pipeline.sql"
wait_assigned "$work/a.log" win 4
# Records arrive in slices of 300 for 3 s while A runs (checkpoints every
# second); A dies at a random moment among them.
{ for s in $(seq 0 9); do
    produce "$src" $((s * 300 + 1)) $((s * 300 + 300))
    sleep 0.3
  done; } &
feeders+=($!)
sleep "$((RANDOM % 2 + 1)).$((RANDOM % 10))"
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null || true
wait "${feeders[-1]}"

start_instance b "$service" -e "SHOW STREAMS;"
wait_assigned "$work/b.log" win 4
grep -qE "restored checkpoint [0-9]+ from _sluice-$service-win-changelog-0" \
  "$work/b.log" ||
  { echo "instance b restored nothing from the changelog:";
    grep -E "restored|assigned|changelog" "$work/b.log" | tail -20; exit 1; }
produce "$src" 3001 5000
close_windows "$src"
finish "$dst" 5000 b "killed and moved"

# ---- 2. two instances at once; one stops and the other takes over ------
service=split_$run
src=split_src_$run
dst=split_dst_$run
pipeline "$src" "$dst" > "$work/pipeline2.sql"
start_instance c "$service" "$work/pipeline2.sql"
wait_assigned "$work/c.log" win 4
produce "$src" 1 2000
start_instance d "$service" -e "SHOW STREAMS;"
wait_split "$work/c.log" "$work/d.log" win 4
produce "$src" 2001 4000
sleep 3
kill -INT "$pid_c"
wait "$pid_c" || { echo "instance c failed:"; tail -30 "$work/c.log";
                   exit 1; }
wait_assigned "$work/d.log" win 4
produce "$src" 4001 6000
close_windows "$src"
finish "$dst" 6000 d "split and taken over"
