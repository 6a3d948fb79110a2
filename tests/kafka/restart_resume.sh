#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A persistent query stopped with SIGINT resumes from its committed
# offsets when the catalog is opened again: every input record reaches the
# output exactly once across the restart (ids counted and checked).
#
#   restart_resume.sh SLUICE
set -euo pipefail
sluice=${1:?usage: restart_resume.sh SLUICE}
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
src=restart_src_$run
dst=restart_dst_$run

produce() { # first last
  for i in $(seq "$1" "$2"); do
    printf '{"id":%d,"amount":%d.5}\n' "$i" "$((i % 7))"
  done | kcat -P -b "$brokers" -t "$src"
}

count_ids() { # distinct ids and total records in dst
  # The output topic does not exist until the query has started.
  { kcat -C -b "$brokers" -t "$dst" -e -q -f '%s\n' 2>/dev/null || true; } |
    sed -E 's/.*"id":([0-9]+).*/\1/' | sort -n > "$work/ids"
  echo "$(sort -u "$work/ids" | wc -l) $(wc -l < "$work/ids")"
}

cat > "$work/pipeline.sql" <<SQL
CREATE STREAM src (id BIGINT, amount DOUBLE)
  WITH (topic='$src', partitions=3);
CREATE STREAM dst AS SELECT id, amount * 2 AS doubled FROM src
  WHERE amount >= 0;
SQL
# topic names are per run; the stream names are fixed in the catalog.
sed -i "s/^CREATE STREAM dst AS/CREATE STREAM dst WITH (topic='$dst') AS/" \
  "$work/pipeline.sql"

produce 1 200
"$sluice" run --brokers "$brokers" --service "restart_$run" \
  --catalog "$work/cat.db" \
  --log-level warn "$work/pipeline.sql" >"$work/run1.log" 2>&1 &
pid=$!

# Wait until the first 200 records are through.
for _ in $(seq 1 120); do
  read -r distinct total < <(count_ids)
  [ "$distinct" -ge 200 ] && break
  sleep 0.5
done
kill -INT "$pid"
wait "$pid" || { echo "first run failed:"; cat "$work/run1.log"; exit 1; }
pid=
read -r distinct total < <(count_ids)
[ "$distinct" -eq 200 ] || { echo "before restart: $distinct ids"; exit 1; }

# More input while nothing runs; the restarted query must pick it up.
produce 201 300
"$sluice" run --bounded --brokers "$brokers" --service "restart_$run" \
  --catalog "$work/cat.db" \
  --log-level warn -e "SHOW QUERIES;" >"$work/run2.out" 2>"$work/run2.log" \
  || { echo "second run failed:"; cat "$work/run2.log"; exit 1; }

read -r distinct total < <(count_ids)
echo "after restart: $distinct distinct ids in $total records"
if [ "$distinct" -ne 300 ] || [ "$total" -ne 300 ]; then
  echo "expected 300 distinct ids in 300 records"
  cat "$work/run2.log"
  exit 1
fi
grep -q '^dst,terminated' "$work/run2.out" ||
  grep -q '^dst,running' "$work/run2.out" ||
  { echo "query dst not listed:"; cat "$work/run2.out"; exit 1; }
echo "restart resumed from the committed offsets: ok"
