#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmarks, run by `make bench`.
#
#   bench/run.sh BUILD_DIR
#
# First the engine benchmark: JSON filter+projection from one topic to
# another on a real Apache Kafka broker (scripts/kafka.sh), and in the same
# run the raw librdkafka consume-and-produce loop over the same records,
# which is the ceiling.  Each is one process measured as a whole (wall
# time, and user+system CPU of every thread, librdkafka's included);
# the report gives records/s, records/s per core (records per CPU second)
# and the ratio of Sluice to the raw loop (target: 0.6 or better).  Then
# the component benchmarks that other parts of Sluice ship in bench/,
# the stateful benchmark (bench/stateful/run.sh) and the PREDICT
# benchmark (bench/predict/run.sh) on the same broker, and last Nexmark
# (bench/nexmark/run.sh) on a broker of its own.
#
# A failure fails the run.  When the stateful, PREDICT or Nexmark part
# fails (a run failed or a checked output was wrong), the parts after it
# still run, and the script exits 1 after a line naming the parts that
# failed.  Each part writes its results file to bench/results/ only from
# a full run with its default settings on an optimized build
# (bench/lib.sh); any other run says where it wrote it.
#
# Environment:
#   BENCH_RECORDS     input records (default 1000000)
#   BENCH_PARTITIONS  partitions of the input topic (default 4)
#   BENCH_BROKERS     use this broker instead of starting one
#   BENCH_ONLY        the parts to run, of "engine components stateful
#                     predict nexmark" (default: all of them)
set -euo pipefail

build=${1:?usage: bench/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
records=${BENCH_RECORDS:-1000000}
only=" ${BENCH_ONLY:-engine components stateful predict nexmark} "
wanted() { [[ $only == *" $1 "* ]]; }
partitions=${BENCH_PARTITIONS:-4}
tool=$build/bench/filter_project_bench
sluice=$build/sluice
for f in "$tool" "$sluice"; do
  [ -x "$f" ] || { echo "bench: $f is missing (build first)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")
started=0
cleanup() {
  if [ "$started" = 1 ]; then
    "$root/scripts/kafka.sh" stop >/dev/null 2>&1 || true
  fi
  bench_clean_work "$work"
}
trap cleanup EXIT
failed_parts=""

# Runs one part's script; a failure is named at the end.
part() { # name command...
  local name=$1
  shift
  echo
  if ! "$@"; then
    echo "bench: the $name benchmark failed (see above)" >&2
    failed_parts="$failed_parts $name"
  fi
}

# JSON filter+projection beside the raw loop over the same records.
engine_bench() {
  # Topic names unique to this run, so a reused broker starts clean.
  local tag in raw_out sluice_out results header
  tag=$(date +%s)$$
  in=bench_in_$tag
  raw_out=bench_raw_out_$tag
  sluice_out=bench_sluice_out_$tag

  "$tool" load --brokers "$brokers" --topic "$in" \
    --partitions "$partitions" --records "$records"

  results=$work/filter_project.csv
  header=system,records,seconds,cpu_seconds,records_per_s
  echo "$header,records_per_core_s,peak_rss_mb" >"$results"
  "$tool" measure --records "$records" --label librdkafka-raw -- \
    "$tool" raw --brokers "$brokers" --in "$in" --out "$raw_out" \
    >>"$results"
  "$tool" measure --records "$records" --label sluice -- \
    "$sluice" run --brokers "$brokers" --bounded --log-level warn \
    --catalog "$work/catalog.db" --service "bench$tag" \
    -D IN="$in" -D OUT="$sluice_out" "$here/filter_project.sql" \
    >>"$results"

  echo
  echo "JSON filter+projection ($records records, $partitions partitions):"
  column -s, -t <"$results" 2>/dev/null || cat "$results"
  awk -F, 'NR > 1 { rate[$1] = $6 }
    END {
      if (rate["librdkafka-raw"] > 0)
        printf "ratio sluice / raw loop (records per core): %.2f " \
               "(target 0.60)\n", rate["sluice"] / rate["librdkafka-raw"]
    }' "$results"
  local full=0
  if [ "$records" = 1000000 ] && [ "$partitions" = 4 ] &&
     bench_optimized_build "$build"; then
    full=1
  fi
  bench_keep_results "$results" filter_project.csv "$full" "$work" "$root"
}

# The component benchmarks other parts of Sluice ship, when built.
component_benches() {
  if [ -x "$build/bench/bench_json_decode" ]; then
    echo
    echo "JSON decoder:"
    "$build/bench/bench_json_decode"
  fi
  if [ -x "$build/bench/bench_predict" ]; then
    echo
    echo "Model serving:"
    "$build/bench/bench_predict"
  fi
  echo
  echo "LOAD of a CSV file into a lookup table:"
  bash "$here/load_csv.sh" "$build" 1000000
  if [ -x "$build/bench/bench_udf" ]; then
    echo
    "$build/bench/bench_udf"
  fi
}

# The engine, stateful and PREDICT benchmarks share one broker; Nexmark
# starts its own.
if wanted engine || wanted stateful || wanted predict; then
  if [ -n "${BENCH_BROKERS:-}" ]; then
    brokers=$BENCH_BROKERS
  else
    brokers=$("$root/scripts/kafka.sh" start)
    started=1
  fi
  echo "bench: broker $brokers; $records records over $partitions" \
    "partitions" >&2
fi

if wanted engine; then
  engine_bench
fi
if wanted components; then
  component_benches
fi
if wanted stateful; then
  part stateful env BENCH_BROKERS="$brokers" \
    bash "$here/stateful/run.sh" "$build"
fi
if wanted predict; then
  part predict env BENCH_BROKERS="$brokers" \
    bash "$here/predict/run.sh" "$build"
fi
# Nexmark: Sluice beside the raw loop, Flink SQL and Kafka Streams on the
# nexmark crate's events, checked, on a broker of its own.
if wanted nexmark; then
  part nexmark bash "$here/nexmark/run.sh" "$build"
fi
if [ -n "$failed_parts" ]; then
  echo "bench: FAILED:$failed_parts" >&2
  exit 1
fi
