#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The stateful benchmark: windowed aggregation, a stream-stream join and
# per-key history features on a real Apache Kafka broker, beside the raw
# librdkafka consume-and-produce loop over the same records in the same
# run (the ceiling).
#
#   bench/stateful/run.sh BUILD_DIR [--smoke]
#
# `sluice gen records` writes the payments (payments.sql says what they
# hold) into a topic that filter_project_bench creates with the asked
# partitions, before any timing starts; filter_project_bench runs the raw
# loop and measures every command as one whole process (wall time, user
# + system CPU of all its threads, peak RSS).  The queries:
#   tumbling   COUNT/SUM per card over ten-minute windows, KEYS cards
#   tumbling-small  the same over a second topic with KEYS / 10 cards: the
#              difference in peak RSS between the two, scaled, is the
#              memory per million keys
#   hopping    ten-minute windows every five minutes (each record in two)
#   join       the stream joined with itself on id WITHIN 1 SECOND (both
#              sides through repartition topics keyed by id)
#   join-keyed the same on card and id: keyed input, no repartition topic
#   lag        LAG and a five-minute RANGE COUNT/AVG per card
# Rates count the input records (a join reads each record once, for both
# of its sides, or once into each repartition topic).  Afterwards one sluice run reads every output topic
# back and the script checks the counts the input implies (every record
# counted once per window it falls in, every card present, one join match
# and one feature row per record), so a wrong result fails the run.
#
# --smoke: a few thousand records, for CTest (label bench); it needs
# SLUICE_TEST_BROKERS (or BENCH_BROKERS) and exits 77 (skipped) without.
# The results: filter_project_bench measure's columns, then the keys and
# the ratio to the raw loop per core, and a last row
# memory-per-million-keys whose peak_rss_mb is that figure.  Only a full
# run with the default settings on an optimized build writes them to
# bench/results/stateful.csv; another run (not the smoke run) keeps them
# in its work directory and says where (bench/lib.sh).
#
# Environment:
#   BENCH_RECORDS     input records (default 1000000; smoke 20000)
#   BENCH_PARTITIONS  partitions of the input topics (default 4; smoke 2)
#   BENCH_KEYS        distinct cards (default 100000; smoke 2000)
#   BENCH_BROKERS     use this broker instead of starting one
set -euo pipefail

build=${1:?usage: bench/stateful/run.sh BUILD_DIR [--smoke]}
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
if [ "$smoke" = 1 ]; then
  records=${BENCH_RECORDS:-20000}
  partitions=${BENCH_PARTITIONS:-2}
  keys=${BENCH_KEYS:-2000}
else
  records=${BENCH_RECORDS:-1000000}
  partitions=${BENCH_PARTITIONS:-4}
  keys=${BENCH_KEYS:-100000}
fi
small_keys=$((keys / 10))
tool=$build/bench/filter_project_bench
sluice=$build/sluice
for f in "$tool" "$sluice"; do
  [ -x "$f" ] || { echo "stateful bench: $f is missing (build first)" >&2
                   exit 1; }
done

brokers=${BENCH_BROKERS:-}
if [ -z "$brokers" ] && [ "$smoke" = 1 ]; then
  brokers=${SLUICE_TEST_BROKERS:-}
  if [ -z "$brokers" ]; then
    echo "stateful bench: SLUICE_TEST_BROKERS is not set; skipped" >&2
    exit 77
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-stateful.XXXXXX")
started=0
cleanup() {
  if [ "$started" = 1 ]; then
    "$root/scripts/kafka.sh" stop >/dev/null 2>&1 || true
  fi
  if [ "$smoke" = 1 ]; then rm -rf "$work"; else bench_clean_work "$work"; fi
}
trap cleanup EXIT

if [ -z "$brokers" ]; then
  brokers=$("$root/scripts/kafka.sh" start)
  started=1
fi
echo "stateful bench: broker $brokers; $records records over" \
     "$partitions partitions, $keys keys" >&2

# Topic names unique to this run, so a reused broker starts clean.
tag=$(date +%s)$$
in=stateful_in_$tag
in_small=stateful_in_small_$tag

# Event times end half an hour ago (every record is then in the past, and
# far inside the broker's retention, for the outputs keep them too).
span_s=$(((records + 999) / 1000))
start=$(date -u -d "@$(($(date +%s) - span_s - 1800))" +%Y-%m-%dT%H:%M:%SZ)
load() { # topic keys
  "$tool" load --brokers "$brokers" --topic "$1" \
    --partitions "$partitions" --records 0
  "$sluice" gen records --brokers "$brokers" --topic "$1" --count "$records" \
    --schema 'id BIGINT, card BIGINT, merchant INT, amount DOUBLE,
              currency VARCHAR, ts TIMESTAMP' \
    --key card --keys "$2" --start "$start" --step 1 >&2
}
load "$in" "$keys"
load "$in_small" "$small_keys"

results=$work/results.csv
columns=system,records,seconds,cpu_seconds,records_per_s
echo "$columns,records_per_core_s,peak_rss_mb" >"$work/measured.csv"
"$tool" measure --records "$records" --label librdkafka-raw -- \
  "$tool" raw --brokers "$brokers" --in "$in" --out "raw_out_$tag" \
  >>"$work/measured.csv"

# One query: its own catalog and service, so nothing is shared.
run_query() { # label query.sql topic
  local label=$1 query=$2 topic=$3
  "$tool" measure --records "$records" --label "$label" -- \
    "$sluice" run --brokers "$brokers" --bounded --log-level warn \
    --catalog "$work/$label.db" --service "st$tag$label" \
    -D IN="$topic" -D OUT="${label}_out_$tag" \
    "$here/payments.sql" "$here/$query" >>"$work/measured.csv"
}
run_query tumbling tumbling.sql "$in"
run_query tumbling-small tumbling.sql "$in_small"
run_query hopping hopping.sql "$in"
run_query join join.sql "$in"
run_query join-keyed join_keyed.sql "$in"
run_query lag lag.sql "$in"

# The results read back: counted records and cards per output topic.
"$sluice" run --brokers "$brokers" --bounded --log-level warn --output csv \
  --catalog "$work/verify.db" --service "st${tag}verify" \
  -D TUMBLING="tumbling_out_$tag" -D HOPPING="hopping_out_$tag" \
  -D JOIN="join_out_$tag" -D JOINK="join-keyed_out_$tag" \
  -D LAG="lag_out_$tag" \
  "$here/verify.sql" >"$work/verify.out"
cards=$((keys < records ? keys : records))
expected="counted,cards
$records,$cards
counted,cards
$((2 * records)),$cards
rows_out,ids
$records,$records
rows_out,ids
$records,$records
rows_out,ids
$records,$records"
if [ "$(cat "$work/verify.out")" != "$expected" ]; then
  echo "stateful bench: the outputs are wrong; expected" >&2
  echo "$expected" >&2
  echo "got" >&2
  cat "$work/verify.out" >&2
  exit 1
fi

# Ratios to the raw loop per core, and the memory per million keys from
# the two tumbling runs (their peak RSS differs by the state of
# keys - keys / 10 open windows).
awk -F, -v keys="$keys" -v small="$small_keys" '
  NR == 1 { print $0 ",keys,ratio_to_raw"; next }
  { line[NR] = $0; sys[NR] = $1; rate[$1] = $6; rss[$1] = $7 }
  END {
    for (i = 2; i <= NR; i++) {
      k = sys[i] == "tumbling-small" ? small : \
          sys[i] == "librdkafka-raw" ? "" : keys
      r = rate["librdkafka-raw"] > 0 ? rate[sys[i]] / rate["librdkafka-raw"] \
                                     : 0
      printf "%s,%s,%.2f\n", line[i], k, r
    }
    per_m = (rss["tumbling"] - rss["tumbling-small"]) * 1e6 / (keys - small)
    printf "memory-per-million-keys,,,,,,%.0f,1000000,\n", per_m
  }' "$work/measured.csv" >"$results"

echo
echo "Stateful queries ($records records, $partitions partitions," \
     "$keys cards):"
column -s, -t <"$results" 2>/dev/null || cat "$results"
echo "outputs checked: every record counted in each of its windows, one" \
     "join match and one feature row per record"
if [ "$smoke" = 0 ]; then
  full=0
  if [ "$records" = 1000000 ] && [ "$partitions" = 4 ] &&
     [ "$keys" = 100000 ] && bench_optimized_build "$build"; then
    full=1
  fi
  bench_keep_results "$results" stateful.csv "$full" "$work" "$root"
fi
