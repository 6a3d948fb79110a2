#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Several instances of one service share a deployment: the second and
# third learn the streams and the persistent query from the command topic,
# the query's partitions spread over all of them, and when one is killed
# (SIGKILL) the others take its partitions over.  Every input record must
# reach the output (at least once).
#
#   scale_out.sh SLUICE [INSTANCES]
set -euo pipefail
sluice=${1:?usage: scale_out.sh SLUICE [INSTANCES]}
instances=${2:-3}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
run=$RANDOM$RANDOM
service=scale_$run
src=scale_src_$run
dst=scale_dst_$run

# A dead member must be noticed in seconds, not the default 45.
printf 'session.timeout.ms=6000\nheartbeat.interval.ms=1000\n' \
  > "$work/kafka.properties"

produce() { # first last
  for i in $(seq "$1" "$2"); do
    printf 'k%d\t{"id":%d,"amount":%d}\n' "$((i % 16))" "$i" "$((i % 5))"
  done | kcat -P -b "$brokers" -t "$src" -K '\t'
}

distinct_ids() {
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; } |
    sed -E 's/.*"id":([0-9]+).*/\1/' | sort -un | wc -l
}

wait_for() { # count
  for _ in $(seq 1 240); do
    [ "$(distinct_ids)" -ge "$1" ] && return 0
    sleep 0.5
  done
  echo "only $(distinct_ids) of $1 ids reached $dst"
  for i in $(seq 1 "$instances"); do
    echo "--- instance $i"; tail -20 "$work/i$i.log"
  done
  return 1
}

start_instance() { # n script-args...
  local n=$1
  shift
  "$sluice" run --brokers "$brokers" --service "$service" \
    --kafka-config "$work/kafka.properties" --catalog "$work/i$n.db" \
    --log-level info "$@" >"$work/i$n.out" 2>"$work/i$n.log" &
  pids+=($!)
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (id BIGINT, amount INT)
  WITH (topic='$src', partitions=4);
CREATE STREAM dst WITH (topic='$dst') AS
  SELECT id, amount * 10 AS tenfold FROM src;
SQL

start_instance 1 "$work/pipeline.sql"
sleep 3
for i in $(seq 2 "$instances"); do
  start_instance "$i" -e "SHOW STREAMS;"
done

produce 1 400
wait_for 400
for i in $(seq 2 "$instances"); do
  grep -q "^dst," "$work/i$i.out" ||
    { echo "instance $i did not learn stream dst:"; cat "$work/i$i.out";
      exit 1; }
done

# Instance 1 dies without a word; the others must take its partitions.
kill -9 "${pids[0]}"
produce 401 800
wait_for 800
echo "$instances instances, one killed: all 800 records reached $dst"
