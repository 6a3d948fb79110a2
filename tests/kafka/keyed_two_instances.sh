#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A windowed count over a four-partition stream keyed by its GROUP BY key
# (declared NOT NULL) keeps its state per partition, so two instances of
# the service (each with its own catalog file) split the partitions and
# each aggregates the keys of its own.  Records are keyed and placed the
# way Kafka's default partitioner does (murmur2 of the key bytes).  In the
# end the output holds exactly the per-window results one instance over
# all the input gives: every (key, window) once, with the count and sum
# of a Python oracle over the input.
#
#   keyed_two_instances.sh SLUICE
set -euo pipefail
. "$(dirname "$0")/assigned.sh"
sluice=${1:?usage: keyed_two_instances.sh SLUICE}
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
src=keyed_src_$run
dst=keyed_dst_$run
total=4000
keys=16
base=$(($(date +%s) * 1000))

printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n' \
  > "$work/kafka.properties"

# Kafka's default partitioner for keyed records: murmur2 of the key
# bytes, sign bit cleared, modulo the partition count.
cat > "$work/records.py" <<'PY'
import json, sys

def murmur2(data):
    m, h = 0x5bd1e995, (0x9747b28c ^ len(data)) & 0xffffffff
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * m) & 0xffffffff
        k ^= k >> 24
        k = (k * m) & 0xffffffff
        h = ((h * m) & 0xffffffff) ^ k
    rest = data[4 * n4:]
    if len(rest) >= 3:
        h ^= rest[2] << 16
    if len(rest) >= 2:
        h ^= rest[1] << 8
    if rest:
        h ^= rest[0]
        h = (h * m) & 0xffffffff
    h ^= h >> 13
    h = (h * m) & 0xffffffff
    return h ^ (h >> 15)

def partition(key, n):
    return (murmur2(key.encode()) & 0x7fffffff) % n

# records.py BASE TOTAL KEYS PARTITION: record i (key k(i mod KEYS),
# value i, event time BASE + 10 i ms) of that partition, as key TAB value,
# in event-time order; then one record far ahead, of a key of the
# partition, that closes every window before it.
base, total, nkeys, p = (int(a) for a in sys.argv[1:5])
own = [k for k in ("k%d" % j for j in range(nkeys)) if partition(k, 4) == p]
if not own:
    sys.exit("no key of k0..k%d is on partition %d" % (nkeys - 1, p))
for i in range(1, total + 1):
    k = "k%d" % (i % nkeys)
    if partition(k, 4) == p:
        print("%s\t%s" % (k, json.dumps({"k": k, "v": i,
                                         "ts": base + i * 10})))
print("%s\t%s" % (own[0], json.dumps({"k": own[0], "v": 0,
                                      "ts": base + 600000})))
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
  "$sluice" run --brokers "$brokers" --service "keyed_$run" \
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

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP)
  WITH (topic='$src', key='k', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
CREATE STREAM win WITH (topic='$dst') AS
  SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM src WINDOW TUMBLING (SIZE 1 SECOND)
  GROUP BY k EMIT FINAL;
SQL

# The plan keeps its state per partition (EXPLAIN, embedded broker).
plan=$("$sluice" run --log-level warn -e "
CREATE STREAM src (k VARCHAR NOT NULL, v BIGINT, ts TIMESTAMP)
  WITH (topic='src', key='k', partitions=4, timestamp='ts',
        timestamp_format='epoch_ms');
EXPLAIN SELECT k, WINDOW_START, COUNT(*) AS n, SUM(v) AS s
  FROM src WINDOW TUMBLING (SIZE 1 SECOND) GROUP BY k EMIT FINAL;" 2>&1)
grep -q "partitioning: by key k of topic src, state per partition" \
  <<<"$plan" || { echo "the window is not keyed:"; echo "$plan"; exit 1; }

# Both instances run before any record arrives: they split the four
# partitions between their tasks, and no state has to move.
start_instance 1 "$work/pipeline.sql"
wait_assigned "$work/i1.log" win 4
start_instance 2 -e "SHOW STREAMS;"
wait_split "$work/i1.log" "$work/i2.log" win 4

for p in 0 1 2 3; do
  python3 "$work/records.py" "$base" "$total" "$keys" "$p" |
    kcat -P -b "$brokers" -t "$src" -p "$p" -K $'\t'
done

for _ in $(seq 1 120); do
  [ -z "$(read_dst | python3 "$work/check.py" "$base" "$total" "$keys")" ] &&
    break
  for i in 0 1; do
    kill -0 "${pids[$i]}" 2>/dev/null ||
      { echo "instance $((i + 1)) ended:"; tail -30 "$work/i$((i + 1)).log";
        exit 1; }
  done
  sleep 0.5
done
for i in 1 0; do
  kill -INT "${pids[$i]}"
  wait "${pids[$i]}" ||
    { echo "instance $((i + 1)) failed:"; tail -30 "$work/i$((i + 1)).log";
      exit 1; }
done
pids=()

problems=$(read_dst | python3 "$work/check.py" "$base" "$total" "$keys")
if [ -n "$problems" ]; then
  echo "two instances' windows differ from one instance's:"
  echo "$problems"
  grep -hE "assigned|restored|ERROR|WARN" "$work/i1.log" "$work/i2.log" |
    tail -20
  exit 1
fi
summary=$(read_dst | python3 "$work/check.py" "$base" "$total" "$keys" x)
echo "two instances, state per partition, $total records: $summary, exact"
