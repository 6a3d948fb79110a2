#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `sluice run --metrics-port P`: three persistent queries over the
# embedded broker stay up (a filter, a window, a PREDICT); GET /metrics
# lists every metric by its exact name, records in equals the records
# inserted, lag reaches 0 once the queries commit, each operator of the
# filter's plan counts exactly the rows it received and passed on, the
# window's state size and checkpoint duration are above 0 once it has
# checkpointed, PREDICT's latency is above 0 and its rows and unseen
# ONE_HOT values are counted for the query, model and version; other
# paths are 404; SIGINT stops the run with exit 0 and the port is
# closed.  Standard error is a file here, so no status lines may appear
# in it.
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

CREATE STREAM clicks (usr VARCHAR, ts TIMESTAMP)
  WITH (topic='clicks', timestamp='ts');
INSERT INTO clicks VALUES ('a', TIMESTAMP '2024-05-01 12:00:00'),
  ('b', TIMESTAMP '2024-05-01 12:00:10'),
  ('a', TIMESTAMP '2024-05-01 12:00:20');
CREATE TABLE per_user AS SELECT usr, COUNT(*) AS n FROM clicks
  WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY usr EMIT CHANGES;

-- 'XX' was not among the countries the model was trained on.
CREATE TABLE history (id BIGINT PRIMARY KEY, amount DOUBLE,
                      country VARCHAR, fraud BOOLEAN);
INSERT INTO history VALUES (1, 10, 'DE', false), (2, 15, 'FR', false),
  (3, 900, 'DE', true), (4, 12, 'FR', false), (5, 950, 'FR', true),
  (6, 20, 'DE', false), (7, 880, 'FR', true), (8, 18, 'DE', false);
CREATE MODEL risk TYPE LOGISTIC_REGRESSION
  FEATURES (amount, ONE_HOT(country)) LABEL fraud FROM history;
CREATE STREAM payments (id BIGINT, amount DOUBLE, country VARCHAR)
  WITH (topic='payments');
INSERT INTO payments VALUES (10, 11, 'DE'), (11, 920, 'XX'), (12, 15, 'FR');
CREATE STREAM scored AS SELECT id, PREDICT(risk) AS score FROM payments;
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

# sample NAME LABELS: the value of NAME{LABELS} in the last scrape, or "".
sample() {
  grep -F "$1{$2} " scrape.txt | sed 's/.* //'
}
# value NAME [QUERY]: the sample of a per-query metric (query dst).
value() {
  sample "$1" "query=\"${2:-dst}\""
}
# model NAME: the sample of query scored with model risk version 1.
model() {
  sample "$1" 'query="scored",model="risk",version="1"'
}
positive() {
  awk -v v="$1" 'BEGIN { exit !(v != "" && v + 0 > 0) }'
}

# Waits until dst has read its 5 records and committed (lag 0), the
# window has checkpointed its state, and the 3 payments are scored.
ok=
for _ in $(seq 1 150); do
  fetch /metrics >scrape.txt
  if [ "$(value sluice_query_records_in_total)" = 5 ] &&
     [ "$(value sluice_query_lag_records)" = 0 ] &&
     positive "$(value sluice_query_checkpoints_total per_user)" &&
     positive "$(value sluice_query_state_entries per_user)" &&
     [ "$(model sluice_query_predictions_total)" = 3 ]; then
    ok=1; break
  fi
  kill -0 "$pid" 2>/dev/null || { echo "sluice run ended:"; cat err.txt; exit 1; }
  sleep 0.2
done
[ -n "$ok" ] || { echo "the queries never got there:"; cat scrape.txt
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
# A stateless query keeps no state.
check sluice_query_state_entries 0
check sluice_query_checkpoints_total 0
commits=$(value sluice_query_commits_total)
[ "$commits" -ge 1 ] || { echo "no commits: $commits"; exit 1; }

# The filter's plan, operator by operator (numbered inputs first): the
# source reads 5, the filter passes 4 (id > 1), the projection and the
# sink take those 4.
for m in records_in_total records_out_total records_failed_total \
         records_late_total; do
  grep -qx "# TYPE sluice_operator_$m counter" scrape.txt ||
    { echo "no TYPE line for sluice_operator_$m:"; cat scrape.txt; exit 1; }
done
operator() { # NUMBER KIND IN OUT
  local labels="query=\"dst\",operator=\"$1\",kind=\"$2\""
  for pair in "records_in_total $3" "records_out_total $4" \
              "records_failed_total 0" "records_late_total 0"; do
    local got
    got=$(sample "sluice_operator_${pair% *}" "$labels")
    [ "$got" = "${pair#* }" ] ||
      { echo "sluice_operator_${pair% *}{$labels} is '$got', not ${pair#* }:"
        cat scrape.txt; exit 1; }
  done
}
operator 0 Source 5 5
operator 1 Filter 5 4
operator 2 Project 4 4
operator 3 KafkaSink 4 4
n=$(grep -c '^sluice_operator_records_in_total{query="dst",' scrape.txt)
[ "$n" = 4 ] || { echo "dst has $n operators, not 4:"; cat scrape.txt; exit 1; }

# The window's state, as of its last checkpoint, and how long that took.
for m in sluice_query_state_entries sluice_query_state_bytes \
         sluice_query_checkpoints_total sluice_query_last_checkpoint_seconds
do
  positive "$(value "$m" per_user)" ||
    { echo "$m of per_user is '$(value "$m" per_user)', not above 0:"
      cat scrape.txt; exit 1; }
done

# PREDICT: the process's figures, then the query's with model risk
# version 1: 3 rows, 1 of them with a country unseen in training.
grep -qx "sluice_predictions_total 3" scrape.txt ||
  { echo "no sluice_predictions_total 3:"; cat scrape.txt; exit 1; }
for line in "# TYPE sluice_predict_batch_seconds summary" \
            "# TYPE sluice_query_predictions_total counter" \
            "# TYPE sluice_query_predict_batch_seconds summary" \
            "# TYPE sluice_query_predict_unseen_total counter"; do
  grep -qx "$line" scrape.txt ||
    { echo "no line '$line':"; cat scrape.txt; exit 1; }
done
for got in "$(model sluice_query_predict_batch_seconds_sum)" \
           "$(model sluice_query_predict_batch_seconds_count)"; do
  positive "$got" || { echo "a PREDICT latency is '$got':"; cat scrape.txt
                       exit 1; }
done
positive "$(sed -n 's/^sluice_predict_batch_seconds_sum //p' scrape.txt)" ||
  { echo "no PREDICT time in the process:"; cat scrape.txt; exit 1; }
[ "$(model sluice_query_predict_unseen_total)" = 1 ] ||
  { echo "unseen categories: '$(model sluice_query_predict_unseen_total)':"
    cat scrape.txt; exit 1; }

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
