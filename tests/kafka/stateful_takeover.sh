#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Three stateful queries over two four-partition streams keyed by their
# group and join key k (state per partition) survive a SIGKILL under
# load: a tumbling-window aggregation (tw: COUNT(*), COUNT, SUM, MIN,
# MAX), a session window (sw: GAP 150 ms) and a FULL interval join (jn:
# WITHIN 100 ms before, 50 ms after).  The input and the expected
# results are described in stateful_oracle.py.
#
#   takeover: instances A and B of one service, each with its own
#     catalog file, split every query's partitions; A is SIGKILLed at a
#     random moment while records flow, and B, already running, takes
#     A's partitions over, restoring their state from the queries'
#     changelog topics (it must say so for each query); records go on
#     flowing meanwhile and after.
#   restart: one instance is SIGKILLed at random moments while records
#     flow and restarted each time on its own catalog file.
#
# In the end the output of each query must hold exactly what the Python
# oracle computes over the whole input: every window and every join row
# (matched, or unmatched with NULLs) present, none missing, none counted
# twice, no record lost; a row emitted again (the output is
# at-least-once) must be an identical copy.  State restored from the
# wrong offsets, or not restored at all, changes counts and sums and
# loses the rows of sessions and join pairs that spanned the kill; rows
# judged late after the move are missing from the output.
# TAKEOVER_SEED fixes the kill moments.
#
#   stateful_takeover.sh SLUICE takeover|restart
set -euo pipefail
. "$(dirname "$0")/assigned.sh"
sluice=${1:?usage: stateful_takeover.sh SLUICE takeover|restart}
mode=${2:?usage: stateful_takeover.sh SLUICE takeover|restart}
case $mode in takeover | restart) ;; *) echo "unknown mode $mode"; exit 2 ;;
esac
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77
here=$(cd "$(dirname "$0")" && pwd)
oracle=$here/stateful_oracle.py

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
RANDOM=${TAKEOVER_SEED:-$$}
service=take_${mode}_$run
ltopic=take_l_$run
rtopic=take_r_$run
total=6000
slices=12
# Event times start now: results carry them as their Kafka timestamps,
# and older ones would fall to the topic's retention.
base=$(($(date +%s) * 1000))
python3 "$oracle" write "$work" "$base" "$total" "$slices"

# A dead member must leave the groups in seconds, not the default 45.
printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n' \
  > "$work/kafka.properties"

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM l (id BIGINT, k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP)
  WITH (topic='$ltopic', key='k', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM r (id BIGINT, k VARCHAR NOT NULL, w BIGINT, ts TIMESTAMP)
  WITH (topic='$rtopic', key='k', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM tw WITH (topic='take_tw_$run') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, COUNT(v) AS nv, SUM(v) AS s,
         MIN(v) AS lo, MAX(v) AS hi
  FROM l WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k EMIT FINAL;
CREATE STREAM sw WITH (topic='take_sw_$run') AS
  SELECT k, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(v) AS s
  FROM l WINDOW SESSION (GAP 150 MILLISECONDS) GROUP BY k EMIT FINAL;
CREATE STREAM jn WITH (topic='take_jn_$run') AS
  SELECT l.id AS lid, r.id AS rid
  FROM l FULL JOIN r
    WITHIN (INTERVAL '100' MILLISECOND, INTERVAL '50' MILLISECOND)
    ON l.k = r.k;
SQL

start_instance() { # name script-args...
  local name=$1
  shift
  "$sluice" run --brokers "$brokers" --service "$service" \
    --kafka-config "$work/kafka.properties" --catalog "$work/$name.db" \
    --log-level info "$@" >>"$work/$name.out" 2>>"$work/$name.log" &
  pids+=($!)
  eval "pid_$name=\$!"
}

# Waits until the file holds at least N lines matching the pattern.
wait_log() { # file pattern [N]
  for _ in $(seq 1 200); do
    [ "$(grep -cE "$2" "$1" 2>/dev/null || true)" -ge "${3:-1}" ] &&
      return 0
    sleep 0.25
  done
  echo "no \"$2\" in $1:"
  tail -30 "$1"
  return 1
}

# Slices first..last of both streams, partition by partition.
feed() { # first last pause
  for s in $(seq "$1" "$2"); do
    for side in l r; do
      topic=$ltopic
      [ "$side" = r ] && topic=$rtopic
      for p in 0 1 2 3; do
        kcat -P -b "$brokers" -t "$topic" -p "$p" -K $'\t' \
          <"$work/$side.$p.$s"
      done
    done
    sleep "$3"
  done
}

close_all() {
  for side in l r; do
    topic=$ltopic
    [ "$side" = r ] && topic=$rtopic
    for p in 0 1 2 3; do
      kcat -P -b "$brokers" -t "$topic" -p "$p" -K $'\t' \
        <"$work/$side.$p.end"
    done
  done
}

read_out() { # query
  { kcat -C -b "$brokers" -t "take_$1_$run" -e -q -f '%s\n' 2>/dev/null ||
      true; }
}

problems_now() { # [summary]
  for q in tw sw jn; do
    read_out "$q" | python3 "$oracle" check "$q" "$base" "$total" "$@"
  done
}

kill_now() { # name
  local pid
  pid=$(eval echo "\$pid_$1")
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  echo "killed $1 at $(date +%T.%N)" >>"$work/events"
}

if [ "$mode" = takeover ]; then
  start_instance a "$work/pipeline.sql"
  for q in tw sw; do
    wait_assigned "$work/a.log" "$q" 4
  done
  wait_assigned "$work/a.log" jn 8
  start_instance b -e "SHOW STREAMS;"
  for q in tw sw; do
    wait_split "$work/a.log" "$work/b.log" "$q" 4
  done
  wait_split "$work/a.log" "$work/b.log" jn 8
  sleep 1
  # Two thirds of the input arrive over ~8 s, B's partitions moving on
  # while A's wait for the group to notice A is gone.
  feed 0 7 0.4 &
  feeders+=($!)
  # (After two seconds or more: A has checkpointed rows of its own.)
  sleep "$((RANDOM % 3 + 2)).$((RANDOM % 10))"
  kill_now a
  wait "${feeders[-1]}"
  for q in tw sw; do
    wait_assigned "$work/b.log" "$q" 4
  done
  wait_assigned "$work/b.log" jn 8
  for q in tw sw jn; do
    grep -qE "query $q partition [0-9]+: restored checkpoint [0-9]+ from \
_sluice-$service-$q-changelog-0" "$work/b.log" ||
      { echo "instance b restored nothing of $q from its changelog:";
        grep -E "restored|assigned|changelog" "$work/b.log" | tail -20;
        exit 1; }
  done
  feed 8 $((slices - 1)) 0.2
  last=b
else
  start_instance a "$work/pipeline.sql"
  # Each round waits until every query of the instance holds its
  # partitions (a restarted one waits for its killed predecessor to
  # leave the groups), feeds while they run and kills the instance at a
  # random moment, then restarts it on the same catalog.
  for r in 0 1; do
    for q in tw sw; do
      wait_assigned "$work/a.log" "$q" 4
    done
    wait_assigned "$work/a.log" jn 8
    feed $((r * 4)) $((r * 4 + 3)) 0.4 &
    feeders+=($!)
    sleep "$((RANDOM % 2 + 1)).$((RANDOM % 10))"
    kill_now a
    wait "${feeders[-1]}"
    # The next instance's assignments go to a log of their own.
    mv "$work/a.log" "$work/a.$r.log"
    start_instance a -e "SHOW STREAMS;"
  done
  feed 8 $((slices - 1)) 0.2
  last=a
fi
close_all

# A restarted query waits for partitions a killed member still holds;
# then the results come within seconds.
pid=$(eval echo "\$pid_$last")
deadline=$((SECONDS + 25))
while [ "$SECONDS" -lt "$deadline" ]; do
  [ -z "$(problems_now)" ] && break
  kill -0 "$pid" 2>/dev/null ||
    { echo "instance $last ended by itself:"; tail -30 "$work/$last.log";
      exit 1; }
  sleep 0.5
done
kill -INT "$pid"
wait "$pid" || { echo "instance $last failed:"; tail -30 "$work/$last.log";
                 exit 1; }
problems=$(problems_now)
if [ -n "$problems" ]; then
  echo "$mode: the results differ from the input's:"
  echo "$problems"
  cat "$work/events"
  for f in "$work"/*.log; do
    echo "--- $f"
    grep -E "restored|assigned|late|ERROR|WARN" "$f" | tail -20
  done
  exit 1
fi
echo "$mode: $(problems_now summary | paste -sd ';' -), all exact"
