#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A windowed count over a four-partition stream keyed by another column
# (id) than its GROUP BY key goes through a repartition topic keyed by
# the group key, and keeps its state per partition of that topic.  Two
# instances of the service (each with its own catalog file) split the
# stream's and the topic's partitions; each writes the rows it reads to
# the topic and aggregates the keys of its own partitions of it, the
# windows closing by the marks both writers send.  In the end the output
# holds exactly the per-window results one instance over all the input
# gives: every (key, window) once, with the count and sum of a Python
# oracle over the input.
# A join of that stream with a second one (three partitions, keyed by id
# too) on k runs beside it: each side goes through its own repartition
# topic, both with four partitions (the larger count), and the instances
# split them alike, so each instance joins the keys of its partitions.
# Every record of the first stream meets exactly its twin of the second
# (3 ms later, WITHIN 5 ms; the neighbours are 7 ms and more away), once.
#
#   repartition_two_instances.sh SLUICE
set -euo pipefail
. "$(dirname "$0")/assigned.sh"
sluice=${1:?usage: repartition_two_instances.sh SLUICE}
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
src=repart_src_$run
dst=repart_dst_$run
src2=repart_src2_$run
jdst=repart_join_$run
total=4000
keys=16
base=$(($(date +%s) * 1000))

# The cooperative assignor splits each topic on its own; the join's
# group must hold partition p of both topics in one member whatever the
# configuration says (it uses the range assignor).
printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n%s\n' \
  'partition.assignment.strategy=cooperative-sticky' \
  > "$work/kafka.properties"

# records.py BASE TOTAL KEYS PARTITION: record i (id i, key k(i mod
# KEYS), value i, event time BASE + 10 i ms) when i mod 4 is PARTITION,
# as id TAB value, in event-time order; then one record far ahead that
# closes every window before it.
cat > "$work/records.py" <<'PY'
import json, sys
base, total, nkeys, p = (int(a) for a in sys.argv[1:5])
for i in range(1, total + 1):
    if i % 4 == p:
        print("%d\t%s" % (i, json.dumps({"id": i, "k": "k%d" % (i % nkeys),
                                          "v": i, "ts": base + i * 10})))
print("0\t%s" % json.dumps({"id": 0, "k": "end", "v": 0,
                             "ts": base + 600000}))
PY

# records2.py BASE TOTAL KEYS PARTITION: the twins, record j (id j, key
# k(j mod KEYS), w 2 j, event time BASE + 10 j + 3 ms) when j mod 3 is
# PARTITION.
cat > "$work/records2.py" <<'PY'
import json, sys
base, total, nkeys, p = (int(a) for a in sys.argv[1:5])
for j in range(1, total + 1):
    if j % 3 == p:
        print("%d\t%s" % (j, json.dumps({"id": j, "k": "k%d" % (j % nkeys),
                                          "w": 2 * j,
                                          "ts": base + j * 10 + 3})))
PY

# check_join.py TOTAL: every id once, with its twin's w.
cat > "$work/check_join.py" <<'PY'
import json, sys
total = int(sys.argv[1])
got, copies = {}, 0
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    if r["id"] in got:
        copies += 1
    got[r["id"]] = (r["v"], r["w"])
want = {i: (i, 2 * i) for i in range(1, total + 1)}
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
wrong = sorted(i for i in want if i in got and got[i] != want[i])
for i in missing[:5]:
    print("join: missing id %d" % i)
for i in extra[:5]:
    print("join: unexpected id %d" % i)
for i in wrong[:5]:
    print("join: id %d: got %s, want %s" % (i, got[i], want[i]))
if copies:
    print("join: %d pairs emitted twice" % copies)
PY

cat > "$work/check.py" <<'PY'
import json, sys, datetime
base, total, nkeys = (int(a) for a in sys.argv[1:4])
want = {}
for i in range(1, total + 1):
    ws = (base + i * 10) // 1000 * 1000
    start = datetime.datetime.fromtimestamp(ws / 1000, datetime.timezone.utc)
    key = ("k%d" % (i % nkeys), start.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    n, s = want.get(key, (0, 0))
    want[key] = (n + 1, s + i)
got, copies = {}, 0
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    key = (r["k"], r["window_start"])
    if key in got:
        copies += 1
    got[key] = (r["n"], r["s"])
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
wrong = sorted(k for k in want if k in got and got[k] != want[k])
for k in missing[:5]:
    print("missing %s %s: want %s" % (k + (want[k],)))
for k in extra[:5]:
    print("unexpected %s %s: %s" % (k + (got[k],)))
for k in wrong[:5]:
    print("%s %s: got %s, want %s" % (k + (got[k], want[k])))
if copies:
    print("%d windows emitted twice" % copies)
if len(sys.argv) > 4:
    print("%d windows of %d keys" % (len(want), nkeys))
PY

start_instance() { # n script-args...
  local n=$1
  shift
  "$sluice" run --brokers "$brokers" --service "repart_$run" \
    --kafka-config "$work/kafka.properties" --catalog "$work/i$n.db" \
    --log-level info "$@" >"$work/i$n.out" 2>"$work/i$n.log" &
  pids+=($!)
}

wait_log() { # file pattern
  for _ in $(seq 1 160); do
    grep -qE "$2" "$1" && return 0
    sleep 0.25
  done
  echo "no \"$2\" in $1:"
  tail -20 "$1"
  return 1
}

read_dst() {
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; }
}

read_jdst() {
  { kcat -C -b "$brokers" -t "$jdst" -e -q -f '%s\n' 2>/dev/null || true; }
}

problems_now() {
  read_dst | python3 "$work/check.py" "$base" "$total" "$keys"
  read_jdst | python3 "$work/check_join.py" "$total"
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='$src', key='id', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM win WITH (topic='$dst') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM src WINDOW TUMBLING (SIZE 1 SECOND)
  GROUP BY k EMIT FINAL;
CREATE STREAM src2 (id BIGINT, k VARCHAR, w BIGINT, ts TIMESTAMP)
  WITH (topic='$src2', key='id', partitions=3, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM jn WITH (topic='$jdst') AS
  SELECT src.id AS id, src.v AS v, src2.w AS w
  FROM src JOIN src2 WITHIN 5 MILLISECONDS ON src.k = src2.k;
SQL

# The plan repartitions (EXPLAIN, embedded broker).
plan=$("$sluice" run --bounded --log-level warn -e "
CREATE STREAM src (id BIGINT, k VARCHAR, v BIGINT, ts TIMESTAMP)
  WITH (topic='src', key='id', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM win AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k EMIT FINAL;
EXPLAIN win;
CREATE STREAM src2 (id BIGINT, k VARCHAR, w BIGINT, ts TIMESTAMP)
  WITH (topic='src2', key='id', partitions=3, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM jn AS
  SELECT src.id AS id, src.v AS v, src2.w AS w
  FROM src JOIN src2 WITHIN 5 MILLISECONDS ON src.k = src2.k;
EXPLAIN jn;" 2>&1)
topic=_sluice-sluice-win-repartition-0
j0=_sluice-sluice-jn-repartition-0
j1=_sluice-sluice-jn-repartition-1
for want in "RepartitionSink topic=$topic" \
    "partitioning: by key k of topic $topic, state per partition" \
    "RepartitionSink topic=$j0" "RepartitionSink topic=$j1" \
    "partitioning: by key k of topic $j0 and key k of topic $j1, state per \
partition"; do
  grep -qF "$want" <<<"$plan" ||
    { echo "no \"$want\" in the plan:"; echo "$plan"; exit 1; }
done

# Both instances run before any record arrives: they split the four
# partitions of the stream and of the topic, four of eight each, and no
# state has to move.
start_instance 1 "$work/pipeline.sql"
wait_assigned "$work/i1.log" win 8
start_instance 2 -e "SHOW STREAMS;"
# (Cooperatively, the first instance gives four up and keeps four.)
wait_assigned "$work/i2.log" win 4
# The join's group: 4 + 3 stream partitions and 4 + 4 of its topics,
# split 8 and 7.
wait_assigned_in "$work/i2.log" jn 7 8
wait_assigned_in "$work/i1.log" jn 7 8

for p in 0 1 2 3; do
  python3 "$work/records.py" "$base" "$total" "$keys" "$p" |
    kcat -P -b "$brokers" -t "$src" -p "$p" -K $'\t'
done
for p in 0 1 2; do
  python3 "$work/records2.py" "$base" "$total" "$keys" "$p" |
    kcat -P -b "$brokers" -t "$src2" -p "$p" -K $'\t'
done

for _ in $(seq 1 120); do
  [ -z "$(problems_now)" ] && break
  for i in 0 1; do
    kill -0 "${pids[$i]}" 2>/dev/null ||
      { echo "instance $((i + 1)) ended:"; tail -30 "$work/i$((i + 1)).log";
        exit 1; }
  done
  sleep 0.5
done
# The first instance is stopped while it takes over the partitions the
# second gave up: its tasks restore them from the changelog as they
# leave the group in turn.
for i in 1 0; do
  kill -INT "${pids[$i]}"
  wait "${pids[$i]}" ||
    { echo "instance $((i + 1)) failed:"; tail -60 "$work/i$((i + 1)).log";
      exit 1; }
  if [ "$i" = 1 ]; then sleep 0.8; fi
done
pids=()

problems=$(problems_now)
if [ -n "$problems" ]; then
  echo "two instances' windows or join pairs differ from one instance's:"
  echo "$problems"
  grep -hE "assigned|restored|ERROR|WARN" "$work/i1.log" "$work/i2.log" |
    tail -20
  exit 1
fi
summary=$(read_dst | python3 "$work/check.py" "$base" "$total" "$keys" x)
echo "two instances, repartitioned, $total records: $summary, $total" \
  "join pairs, exact"
