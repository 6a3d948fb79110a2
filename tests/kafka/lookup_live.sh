#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A lookup join sees its table change while it runs, and sees what
# another instance of the service writes into the table.
#
# Instance 1 (its own catalog file) declares a table WITH (topic=...)
# and a stream, and INSERTs merchant m1.  Instance 2 (another catalog
# file, the same --service) learns both from the command topic and runs
# a push query, payments LEFT JOIN merchants, printing CSV to a file.
# Payments then arrive one at a time while the table changes:
#
#   m1: grocery 0.1 (instance 1's INSERT, before instance 2 started)
#       -> travel 0.8 (instance 1's LOAD of a CSV file)
#       -> no row (a tombstone on the table's topic: deleted)
#       -> games 0.5 (instance 1's INSERT again)
#   m2: no row -> books 0.3 (the same LOAD)
#
# The join reads the table as it is when a payment is processed, and the
# table follows its topic on its own thread (which is also why this is
# no golden case: the statements of one bounded script cannot place a
# change of the table between two records of a query that runs apart
# from them), so a payment written right after a change may still meet
# the row before it: after each change
# payments are written until one meets the new row (within 10 s), and
# the next one must meet it too.  In the end every payment's row must be
# one of the states above, in that order for each merchant, never going
# back.
#
#   lookup_live.sh SLUICE
set -euo pipefail
sluice=${1:?usage: lookup_live.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
run=$$$(date +%s)
service=lookup_$run
mtopic=lookup_merchants_$run
ptopic=lookup_payments_$run

one() { # SQL: a statement run by instance 1, which then exits
  "$sluice" run --brokers "$brokers" --service "$service" \
    --catalog "$work/one.db" --log-level warn -e "$1" >>"$work/one.out" \
    2>>"$work/one.log" ||
    { echo "instance 1 failed on: $1"; cat "$work/one.log"; exit 1; }
}

one "CREATE TABLE merchants (id VARCHAR PRIMARY KEY, category VARCHAR,
                             risk DOUBLE)
       WITH (topic='$mtopic', partitions=1);
     CREATE STREAM payments (id BIGINT, merchant VARCHAR, ts TIMESTAMP)
       WITH (topic='$ptopic', partitions=1, timestamp='ts');
     INSERT INTO merchants VALUES ('m1', 'grocery', 0.1);"

"$sluice" run --brokers "$brokers" --service "$service" \
  --catalog "$work/two.db" --log-level info --output csv -e "
  SET 'auto.offset.reset' = 'earliest';
  SELECT p.id, p.merchant, m.category, m.risk
  FROM payments p LEFT JOIN merchants m ON p.merchant = m.id
  EMIT CHANGES;" >"$work/two.csv" 2>"$work/two.log" &
pid=$!
for _ in $(seq 1 120); do
  grep -q "query transient_1 started" "$work/two.log" && break
  kill -0 "$pid" 2>/dev/null ||
    { echo "instance 2 ended:"; cat "$work/two.log"; exit 1; }
  sleep 0.25
done
grep -q "table merchants follows topic $mtopic" "$work/two.log" ||
  { echo "instance 2 does not follow the table's topic:";
    cat "$work/two.log"; exit 1; }

next=0
# Writes a payment to merchant $1 and prints its id.
pay() {
  next=$((next + 1))
  printf '{"id":%d,"merchant":"%s","ts":"2024-01-01T00:00:%02d.000Z"}\n' \
    "$next" "$1" "$((next % 60))" | kcat -P -b "$brokers" -t "$ptopic"
}

# Prints "category,risk" of payment $1's row once instance 2 printed it.
row_of() {
  local line
  for _ in $(seq 1 80); do
    line=$(grep -m1 "^$1,m[0-9]," "$work/two.csv" || true)
    if [ -n "$line" ]; then
      echo "${line#*,*,}"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null ||
      { echo "instance 2 ended:" >&2; tail -20 "$work/two.log" >&2;
        return 1; }
    sleep 0.25
  done
  echo "no row for payment $1 after 20 s" >&2
  return 1
}

# One payment to merchant $1 must meet $2 at once.
meets() { # merchant want
  local got
  pay "$1"
  got=$(row_of "$next")
  [ "$got" = "$2" ] ||
    { echo "payment $next to $1 met \"$got\", expected \"$2\"";
      exit 1; }
}

# After a change of merchant $1 from $2 to $3: payments until one meets
# $3 (only $2 before it), then one more that must meet $3.
becomes() { # merchant old new
  local got
  for _ in $(seq 1 40); do
    pay "$1"
    got=$(row_of "$next")
    if [ "$got" = "$3" ]; then
      meets "$1" "$3"
      return 0
    fi
    [ "$got" = "$2" ] ||
      { echo "payment $next to $1 met \"$got\", expected \"$2\" or" \
          "\"$3\""; exit 1; }
    sleep 0.25
  done
  echo "$1 still meets \"$2\" 10 s after it became \"$3\""
  exit 1
}

meets m1 "grocery,0.1"
meets m2 ","

printf 'id,category,risk\nm1,travel,0.8\nm2,books,0.3\n' \
  >"$work/merchants.csv"
one "LOAD '$work/merchants.csv' INTO merchants;"
becomes m1 "grocery,0.1" "travel,0.8"
becomes m2 "," "books,0.3"

# A tombstone deletes m1: a key and no value.
printf 'm1\t\n' | kcat -P -b "$brokers" -t "$mtopic" -K $'\t' -Z
becomes m1 "travel,0.8" ","
meets m2 "books,0.3"

one "INSERT INTO merchants VALUES ('m1', 'games', 0.5);"
becomes m1 "," "games,0.5"

kill -INT "$pid"
wait "$pid" || { echo "instance 2 failed:"; tail -20 "$work/two.log";
                 exit 1; }
pid=

# Every payment once, each merchant's rows through its states in order.
problems=$(python3 - "$work/two.csv" "$next" <<'PY'
import csv, sys
states = {"m1": ["grocery,0.1", "travel,0.8", ",", "games,0.5"],
          "m2": [",", "books,0.3"]}
rows = list(csv.reader(open(sys.argv[1])))
if rows[0] != ["id", "merchant", "category", "risk"]:
    print("header %s" % rows[0])
ids = sorted(int(r[0]) for r in rows[1:])
if ids != list(range(1, int(sys.argv[2]) + 1)):
    print("payments printed: %s" % ids)
at = {m: 0 for m in states}
for r in sorted(rows[1:], key=lambda r: int(r[0])):
    s = ",".join(r[2:])
    seq = states[r[1]]
    if s not in seq[at[r[1]]:]:
        print("payment %s to %s met %r after %r" %
              (r[0], r[1], s, seq[at[r[1]]]))
    else:
        at[r[1]] = seq.index(s, at[r[1]])
for m, seq in states.items():
    if at[m] != len(seq) - 1:
        print("%s never reached %r" % (m, seq[-1]))
PY
)
if [ -n "$problems" ]; then
  echo "$problems"
  exit 1
fi
echo "lookup join: $next payments met each change of the table in order"
