#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `sluice run --metrics-port P`: a persistent query over the embedded
# broker stays up; GET /metrics lists every per-query metric by its exact
# name, records in equals the records inserted, lag reaches 0 once the
# query commits; other paths are 404; SIGINT stops the run with exit 0
# and the port is closed.  Standard error is a file here, so no status
# lines may appear in it.
set -euo pipefail
sluice=${1:?usage: metrics.sh SLUICE}
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

port=$(/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat >m.sql <<'SQL'
CREATE STREAM src (id INT, v DOUBLE) WITH (topic='src', format='json');
INSERT INTO src VALUES (1, 1.5), (2, 2.5), (3, 3.5), (4, 4.5), (5, 5.5);
CREATE STREAM dst AS SELECT id, v * 2 AS w FROM src WHERE id > 1;
SQL

"$sluice" run --log-level error --metrics-port "$port" m.sql \
  >out.txt 2>err.txt &
pid=$!

# Fetches a path; prints "STATUS\n" then the body.
fetch() {
  /usr/bin/python3 - "$port" "$1" <<'PY'
import sys, urllib.request, urllib.error
url = "http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2])
try:
    with urllib.request.urlopen(url, timeout=10) as r:
        print(r.status)
        print(r.headers.get("Content-Type"))
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
    print(e.headers.get("Content-Type"))
except OSError as e:
    print("unreachable", e)
PY
}

# value NAME: the sample of query dst in the last scrape, or "".
value() {
  sed -n "s/^$1{query=\"dst\"} //p" scrape.txt
}

# Waits until records_in of dst is 5 and its lag 0 (committed).
ok=
for _ in $(seq 1 150); do
  fetch /metrics >scrape.txt
  if [ "$(value sluice_query_records_in_total)" = 5 ] &&
     [ "$(value sluice_query_lag_records)" = 0 ]; then
    ok=1; break
  fi
  kill -0 "$pid" 2>/dev/null || { echo "sluice run ended:"; cat err.txt; exit 1; }
  sleep 0.2
done
[ -n "$ok" ] || { echo "records_in never reached 5 with lag 0:"; cat scrape.txt
                  cat err.txt; exit 1; }

[ "$(sed -n 1p scrape.txt)" = 200 ] || { cat scrape.txt; exit 1; }
[ "$(sed -n 2p scrape.txt)" = "text/plain; version=0.0.4; charset=utf-8" ] ||
  { echo "content type:"; sed -n 2p scrape.txt; exit 1; }
for m in records_in_total records_out_total records_failed_total \
         records_late_total dead_lettered_total skipped_total \
         commits_total running lag_records state_entries state_bytes \
         checkpoints_total last_checkpoint_seconds; do
  grep -qx "# TYPE sluice_query_$m \(counter\|gauge\)" scrape.txt ||
    { echo "no TYPE line for sluice_query_$m:"; cat scrape.txt; exit 1; }
  [ -n "$(value "sluice_query_$m")" ] ||
    { echo "no sample of sluice_query_$m for dst:"; cat scrape.txt; exit 1; }
done
check() {
  [ "$(value "$1")" = "$2" ] ||
    { echo "$1 is '$(value "$1")', not $2:"; cat scrape.txt; exit 1; }
}
check sluice_query_records_out_total 4
check sluice_query_records_failed_total 0
check sluice_query_records_late_total 0
check sluice_query_dead_lettered_total 0
check sluice_query_skipped_total 0
check sluice_query_running 1
grep -qx "sluice_predictions_total 0" scrape.txt ||
  { echo "no sluice_predictions_total 0:"; cat scrape.txt; exit 1; }
# A stateless query keeps no state; nothing was scored.
check sluice_query_state_entries 0
check sluice_query_checkpoints_total 0
for line in "# TYPE sluice_predict_batch_seconds summary" \
            "sluice_predict_batch_seconds_count 0"; do
  grep -qx "$line" scrape.txt ||
    { echo "no line '$line':"; cat scrape.txt; exit 1; }
done
commits=$(value sluice_query_commits_total)
[ "$commits" -ge 1 ] || { echo "no commits: $commits"; exit 1; }

fetch /nope >nope.txt
[ "$(sed -n 1p nope.txt)" = 404 ] || { echo "GET /nope:"; cat nope.txt; exit 1; }

kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || { echo "exit $rc after SIGINT:"; cat err.txt; exit 1; }
fetch /metrics >after.txt
grep -q '^unreachable' after.txt ||
  { echo "the metrics port is still open:"; cat after.txt; exit 1; }
if grep -q '^dst: in ' err.txt; then
  echo "status lines on a standard error that is a file:"; cat err.txt; exit 1
fi
echo "metrics served on 127.0.0.1:$port and stopped with the run"
