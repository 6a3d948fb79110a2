#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Nexmark harness's smoke test (CTest bench.nexmark_smoke, labels
# bench and kafka): run.sh on 5000 events of nexmark.py's small generator,
# Sluice and the raw loop only (no crate, no peers, nothing downloaded),
# every query's rows checked against the independent answer, a short q0
# latency run, and the CSV's header and rows checked.  Then a run that is
# not checked itself, whose checked pass meets a wrong q2 (another
# modulus, from a copy of the queries): it must fail, name the query and
# the system, and time nothing.
#
#   bench/nexmark/smoke.sh BUILD_DIR
#
# Needs the broker in SLUICE_TEST_BROKERS (scripts/test.sh starts one);
# without it the test is skipped (exit 77).
set -euo pipefail

build=${1:?usage: smoke.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${SLUICE_TEST_BROKERS:-}" ]; then
  echo "smoke.sh: SLUICE_TEST_BROKERS is not set: skipped" >&2
  exit 77
fi

csv=$(mktemp "${TMPDIR:-/tmp}/nexmark-smoke.XXXXXX")
wrong=$(mktemp -d "${TMPDIR:-/tmp}/nexmark-smoke-sql.XXXXXX")
trap 'rm -rf "$csv" "${csv}_latency.csv" "$wrong"' EXIT
NEXMARK_SOURCE=sample NEXMARK_EVENTS=5000 NEXMARK_PEERS= NEXMARK_CHECK=1 \
  NEXMARK_LATENCY=2 NEXMARK_RATE=500 \
  NEXMARK_BROKERS=$SLUICE_TEST_BROKERS \
  NEXMARK_PREFIX=nexmark-smoke-$(date +%s)-$$ NEXMARK_RESULTS=$csv \
  bash "$here/run.sh" "$build"

# One row for the raw loop and one per query for Sluice, with every
# number present and positive.
want="query,system,events,seconds,records_per_s,records_per_core_s"
want="$want,ratio_to_sluice,ratio_to_ceiling,peak_rss_mb"
if [ "$(head -n 1 "$csv")" != "$want" ]; then
  echo "smoke.sh: the CSV header is $(head -n 1 "$csv")" >&2
  exit 1
fi
got=$(awk -F, 'NR > 1 { print $1 "," $2 }' "$csv" | tr '\n' ' ')
expected="q0,librdkafka-raw q0,sluice q1,sluice q2,sluice q3,sluice"
expected="$expected q5,sluice q7,sluice q8,sluice "
if [ "$got" != "$expected" ]; then
  echo "smoke.sh: the CSV rows are: $got" >&2
  exit 1
fi
awk -F, 'NR > 1 && !($3 > 0 && $4 > 0 && $5 > 0 && $6 > 0 && $7 > 0 &&
                     $9 > 0) {
  print "smoke.sh: a number is missing or zero: " $0 > "/dev/stderr"
  bad = 1
}
END { exit bad }' "$csv"

cp "$here"/q*.sql "$wrong/"
sed -i 's/auction % 123 = 0/auction % 123 = 1/' "$wrong/q2.sql"
rc=0
NEXMARK_SOURCE=sample NEXMARK_EVENTS=3000 NEXMARK_CHECK=0 \
  NEXMARK_CHECK_EVENTS=2000 NEXMARK_QUERIES=q2 NEXMARK_PEERS= \
  NEXMARK_LATENCY=0 NEXMARK_BROKERS=$SLUICE_TEST_BROKERS \
  NEXMARK_PREFIX=nexmark-smoke-wrong-$(date +%s)-$$ \
  NEXMARK_RESULTS=$wrong/results.csv NEXMARK_SQL_DIR=$wrong \
  bash "$here/run.sh" "$build" 2>"$wrong/err" >"$wrong/out" || rc=$?
cat "$wrong/err" >&2
for want in "FAILED: q2 on sluice: its rows differ" \
            "the checked pass failed (above): nothing timed"; do
  if [ "$rc" != 1 ] || ! grep -qF "$want" "$wrong/err"; then
    echo "smoke.sh: a wrong q2 gave exit $rc without \"$want\"" >&2
    exit 1
  fi
done
if [ -e "$wrong/results.csv" ]; then
  echo "smoke.sh: a run whose checked pass failed wrote results" >&2
  exit 1
fi
echo "smoke.sh: ok"
