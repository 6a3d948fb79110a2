#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Nexmark benchmark: Sluice beside the raw librdkafka loop, Flink SQL
# and Kafka Streams on the same events, broker and cores.
#
#   bench/nexmark/run.sh BUILD_DIR [--checked-pass]
#
# Steps: start a real Apache Kafka broker (scripts/kafka.sh, a state
# directory of its own); generate the events with the nexmark crate's
# generator (gen.sh) or, for the smoke test, the small generator of
# nexmark.py; load them into the three input topics before any timing;
# then for every query run, each pinned with `taskset -c` to the same
# cores: the raw consume-and-produce loop (q0 only: the ceiling), Sluice
# (`sluice run --bounded`, measured as a whole process by
# filter_project_bench measure) and every peer whose runner exists
# (bench/nexmark/<peer>/run.sh, which reports its own RESULT line).  Each
# system's output topic is read back and, when checking, compared with
# nexmark.py's independent answer.  Last, q0's end-to-end latency at a
# fixed rate (latency.py).  Prints a table and writes the CSV.
#
# A run too large to check (NEXMARK_CHECK=0, the default above 200,000
# events) first makes a checked pass: this script again, with
# --checked-pass, on NEXMARK_CHECK_EVENTS events of the same generator,
# every query on every system that runs it, each output compared with the
# independent answer, without the latency run, on a broker of its own
# (the peers read the contract's topic names; with NEXMARK_BROKERS and
# another NEXMARK_PREFIX, where no peer runs, on that broker under the
# prefix PREFIX-checked).  A disagreement in either pass names the query
# and the system and fails the run; after a failed checked pass nothing
# is timed.
#
# The CSV goes to bench/results/ only from a full run: every setting
# below at its default (NEXMARK_BROKERS aside), an optimized build, every
# run finished and every check agreed.  Any other run writes it to the
# results/ folder of its work directory, kept after the run (bench/lib.sh),
# unless NEXMARK_RESULTS names the file.
#
# Environment:
#   NEXMARK_EVENTS      events to generate (default 1000000)
#   NEXMARK_SOURCE      crate (default) or sample (nexmark.py's generator)
#   NEXMARK_PARTITIONS  partitions of each input topic (default 2)
#   NEXMARK_CORES       the `taskset -c` list every system gets (default:
#                       every core this script may run on)
#   NEXMARK_QUERIES     queries to run (default "q0 q1 q2 q3 q5 q7 q8")
#   NEXMARK_PEERS       peer folders to try (default "flink kstreams")
#   NEXMARK_CHECK       1: compare every output with the independent
#                       answer; 0: do not; default 1 up to 200000 events
#   NEXMARK_CHECK_EVENTS  events of the checked pass made before a run
#                       that is not checked (default 100000; 0: none)
#   NEXMARK_LATENCY     seconds of the q0 latency run (default 20; 0: none)
#   NEXMARK_RATE        records/s of the latency run (default 5000)
#   NEXMARK_BROKERS     use this broker instead of starting one
#   NEXMARK_PREFIX      topic name prefix (default nexmark); peers run only
#                       with the default, the names of the contract
#   NEXMARK_SQL_DIR     where Sluice's qN.sql are read (default: this
#                       folder; the smoke test points it at a wrong query)
#   NEXMARK_RESULTS     CSV written (default: see above); the latency
#                       run goes beside it, in *_latency.csv
#
# Exit status: 0 when every run finished and every check agreed, 1 when a
# check disagreed or a run failed, 77 when no broker could be had.
set -euo pipefail

build=${1:?usage: bench/nexmark/run.sh BUILD_DIR [--checked-pass]}
build=$(cd "$build" && pwd)
checked_pass=0
[ "${2:-}" = "--checked-pass" ] && checked_pass=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
all_cores=$(taskset -pc $$ | sed "s/.*: //")
all_queries="q0 q1 q2 q3 q5 q7 q8"
events=${NEXMARK_EVENTS:-1000000}
source_kind=${NEXMARK_SOURCE:-crate}
partitions=${NEXMARK_PARTITIONS:-2}
cores=${NEXMARK_CORES:-$all_cores}
queries=${NEXMARK_QUERIES:-$all_queries}
peers=${NEXMARK_PEERS-flink kstreams}
check=${NEXMARK_CHECK:-$([ "$events" -le 200000 ] && echo 1 || echo 0)}
check_events=${NEXMARK_CHECK_EVENTS:-100000}
latency_s=${NEXMARK_LATENCY:-20}
rate=${NEXMARK_RATE:-5000}
prefix=${NEXMARK_PREFIX:-nexmark}
sql_dir=${NEXMARK_SQL_DIR:-$here}
if [ "$checked_pass" = 1 ]; then
  check=1
  check_events=0
  latency_s=0
fi

tool=$build/bench/filter_project_bench
kafka_tool=$build/tests/kafka/kafka_tool
sluice=$build/sluice
for f in "$tool" "$kafka_tool" "$sluice"; do
  [ -x "$f" ] || { echo "nexmark: $f is missing (build first)" >&2; exit 1; }
done
for c in kcat taskset python3; do
  command -v "$c" >/dev/null ||
    { echo "nexmark: $c is required (scripts/deps.sh)" >&2; exit 1; }
done
ncores=$(taskset -c "$cores" nproc)

me=nexmark
[ "$checked_pass" = 1 ] && me="nexmark (checked pass)"
say() { echo "$me: $*" >&2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-nexmark.XXXXXX")
export SLUICE_KAFKA_STATE=$work/kafka
started=0
cleanup() {
  if [ "$started" = 1 ]; then
    "$root/scripts/kafka.sh" stop >/dev/null 2>&1 || true
  fi
  bench_clean_work "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------------
# Checked pass
# ---------------------------------------------------------------------

if [ "$check" = 0 ] && [ "$check_events" -gt 0 ]; then
  say "checked pass on $check_events events before the timed run"
  if [ -n "${NEXMARK_BROKERS:-}" ] && [ "$prefix" != nexmark ]; then
    pass_env=(NEXMARK_PREFIX="$prefix-checked")
  else
    pass_env=(-u NEXMARK_BROKERS)
  fi
  if ! env "${pass_env[@]}" NEXMARK_EVENTS="$check_events" \
         NEXMARK_RESULTS="$work/checked-pass.csv" \
         bash "$here/run.sh" "$build" --checked-pass >"$work/checked-pass.out"
  then
    say "the checked pass failed (above): nothing timed"
    exit 1
  fi
  say "checked pass: every output agreed with the independent answer"
fi

# ---------------------------------------------------------------------
# Broker and events
# ---------------------------------------------------------------------

if [ -n "${NEXMARK_BROKERS:-}" ]; then
  brokers=$NEXMARK_BROKERS
else
  brokers=$("$root/scripts/kafka.sh" start) || exit 77
  started=1
fi

data=$work/events
case $source_kind in
  crate) bash "$here/gen.sh" "$events" "$data" >"$work/sizes" ;;
  sample)
    python3 "$here/nexmark.py" sample "$events" "$data"
    for k in person auction bid; do
      echo "$k $(wc -l <"$data/$k.jsonl") $(wc -c <"$data/$k.jsonl")"
    done >"$work/sizes" ;;
  *) say "NEXMARK_SOURCE must be crate or sample"; exit 2 ;;
esac

# Topics of the contract, created empty (an existing one is an error, so
# that no run ever counts another run's records) and loaded before any
# timing starts.
declare -A count
for k in person auction bid; do
  "$kafka_tool" create "$brokers" "$prefix-$k" "$partitions" >/dev/null
  kcat -P -b "$brokers" -t "$prefix-$k" -X linger.ms=20 \
    -X batch.num.messages=10000 -l "$data/$k.jsonl"
  count[$k]=$(awk -v k="$k" '$1 == k { print $2 }' "$work/sizes")
done
total=$((count[person] + count[auction] + count[bid]))
bytes=$(awk '{ s += $3 } END { print s }' "$work/sizes")
say "broker $brokers; $total events ($bytes bytes of JSON:" \
    "${count[person]} persons, ${count[auction]} auctions," \
    "${count[bid]} bids) on $partitions partitions per topic;" \
    "cores $cores ($ncores)"

# The records a query reads: its input topics.
inputs_of() {
  case $1 in
    q3 | q8) echo $((count[person] + count[auction])) ;;
    *) echo "${count[bid]}" ;;
  esac
}

# ---------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------

raw_csv=$work/runs.csv # query,system,events,seconds,cpu,records_per_s,
                       # records_per_core_s,peak_rss_mb
: >"$raw_csv"
status=0
failures=() # "QUERY on SYSTEM: what went wrong"

# Records a failure of QUERY on SYSTEM, to be named again at the end.
failed() { # query system what
  say "FAILED: $1 on $2: $3"
  failures+=("$1 on $2: $3")
  status=1
}

# Reads an output topic back to FILE; a topic that cannot be read (after
# three tries: its metadata may lag just after creation) is no rows.
read_back() {
  local topic=$1 file=$2 try
  for try in 1 2 3; do
    kcat -C -b "$brokers" -t "$topic" -o beginning -e -q -f '%s\n' \
      >"$file" 2>"$work/kcat.err" && return 0
    sleep 1
  done
  say "cannot read $topic back: $(tail -n 1 "$work/kcat.err")"
  : >"$file"
}

# Reads TOPIC back and compares its records with the independent answer
# ANSWER (a query, or raw: the bids unchanged) for QUERY, when checking.
check_rows() {
  local answer=$1 q=$2 system=$3 topic=$4
  [ "$check" = 1 ] || return 0
  local file=$work/$system-$q.jsonl
  read_back "$topic" "$file"
  if ! python3 "$here/nexmark.py" check "$answer" "$data" "$file" \
         "$system" | sed "s/^/$me: $system /" >&2; then
    failed "$q" "$system" "its rows differ from nexmark.py's answer"
  fi
  rm -f "$file"
}

# Runs a command under filter_project_bench measure (which prints its CSV
# line last, after whatever the command printed) and appends the run.
measured() {
  local q=$1 label=$2 n=$3
  shift 3
  "$tool" measure --records "$n" --label "$label" -- "$@" \
    >"$work/measure.out" || return 1
  local system wall cpu rps rpcs rss
  IFS=, read -r system n wall cpu rps rpcs rss \
    < <(tail -n 1 "$work/measure.out")
  echo "$q,$system,$n,$wall,$cpu,$rps,$rpcs,$rss" >>"$raw_csv"
}

tag=$(date +%s)$$
for q in $queries; do
  n=$(inputs_of "$q")
  env_args=(-D PERSON="$prefix-person" -D AUCTION="$prefix-auction"
            -D BID="$prefix-bid")

  if [ "$q" = q0 ]; then
    out=$prefix-out-librdkafka-raw-$q
    if measured "$q" librdkafka-raw "$n" taskset -c "$cores" "$tool" raw \
         --brokers "$brokers" --in "$prefix-bid" --out "$out" \
         2>"$work/raw.err"; then
      check_rows raw "$q" librdkafka-raw "$out"
    else
      cat "$work/raw.err" >&2
      failed "$q" librdkafka-raw "the raw loop failed"
    fi
  fi

  out=$prefix-out-sluice-$q
  if measured "$q" sluice "$n" taskset -c "$cores" "$sluice" run \
       --brokers "$brokers" --bounded --log-level warn \
       --catalog "$work/$q.db" --service "nx$tag$q" "${env_args[@]}" \
       -D OUT="$out" "$sql_dir/$q.sql" 2>"$work/sluice.err"; then
    check_rows "$q" "$q" sluice "$out"
  else
    cat "$work/sluice.err" >&2
    failed "$q" sluice "the run failed"
  fi

  [ "$prefix" = nexmark ] || continue
  for peer in $peers; do
    runner=$here/$peer/run.sh
    [ -x "$runner" ] || continue
    system=$([ "$peer" = kstreams ] && echo kafka-streams || echo "$peer")
    out=$prefix-out-$system-$q
    rc=0
    NEXMARK_BROKERS=$brokers NEXMARK_OUT_TOPIC=$out NEXMARK_EVENTS=$n \
      NEXMARK_PARALLELISM=$ncores \
      taskset -c "$cores" "$runner" "$q" >"$work/peer.out" \
      2>"$work/peer.err" || rc=$?
    if [ "$rc" = 3 ]; then
      say "$q: $system does not run it"
      continue
    fi
    result=$(tail -n 1 "$work/peer.out")
    if [ "$rc" != 0 ] || [ "${result%% *}" != RESULT ]; then
      tail -n 20 "$work/peer.err" >&2
      failed "$q" "$system" "the run failed (exit $rc)"
      continue
    fi
    # RESULT seconds=S cpu_seconds=C peak_rss_mb=M records_out=N
    wall=$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<<"$result")
    cpu=$(sed -E 's/.*cpu_seconds=([0-9.]+).*/\1/' <<<"$result")
    rss=$(sed -E 's/.*peak_rss_mb=([0-9.]+).*/\1/' <<<"$result")
    awk -v q="$q" -v s="$system" -v n="$n" -v w="$wall" -v c="$cpu" \
        -v m="$rss" 'BEGIN {
      printf "%s,%s,%d,%.3f,%.3f,%.0f,%.0f,%d\n", q, s, n, w, c,
             (w > 0 ? n / w : 0), (c > 0 ? n / c : 0), m
    }' >>"$raw_csv"
    check_rows "$q" "$q" "$system" "$out"
  done
done

# ---------------------------------------------------------------------
# Latency of q0 at a fixed rate
# ---------------------------------------------------------------------

latency=""
floor=""
if [ "$latency_s" != 0 ] && [[ " $queries " == *" q0 "* ]]; then
  lin=$prefix-latency-in-$tag
  lout=$prefix-latency-out-$tag
  "$kafka_tool" create "$brokers" "$lin" "$partitions" >/dev/null
  "$kafka_tool" create "$brokers" "$lout" "$partitions" >/dev/null
  if latency=$(python3 "$here/latency.py" --brokers "$brokers" \
                 --in "$lin" --out "$lout" --rate "$rate" \
                 --seconds "$latency_s" --producer "$kafka_tool" -- \
                 taskset -c "$cores" "$sluice" run --brokers "$brokers" \
                 --log-level warn --catalog "$work/latency.db" \
                 --service "nxl$tag" -D BID="$lin" -D OUT="$lout" \
                 -D PERSON=unused -D AUCTION=unused "$sql_dir/q0.sql"); then
    :
  else
    latency=""
    failed q0 sluice "the latency run failed"
  fi
  # The same path without an engine (bids read back from the topic they
  # were written to): what producer, broker and consumer alone add.
  lfloor=$prefix-latency-floor-$tag
  "$kafka_tool" create "$brokers" "$lfloor" "$partitions" >/dev/null
  floor=$(python3 "$here/latency.py" --brokers "$brokers" --in "$lfloor" \
            --out "$lfloor" --rate "$rate" --seconds "$latency_s" \
            --producer "$kafka_tool" -- sleep 3600) || floor=""
fi

# ---------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------

results=$work/nexmark.csv
awk -F, -v OFS=, '
  { rows[NR] = $0; per_core[$1 "," $2] = $7 }
  END {
    print "query,system,events,seconds,records_per_s,records_per_core_s," \
          "ratio_to_sluice,ratio_to_ceiling,peak_rss_mb"
    ceiling = per_core["q0,librdkafka-raw"]
    for (i = 1; i <= NR; i++) {
      split(rows[i], f, ",")
      own = per_core[f[1] ",sluice"]
      to_sluice = own > 0 ? sprintf("%.2f", f[7] / own) : ""
      # The ceiling is the raw loop over the bid topic: it bounds the
      # queries that read only bids.
      bid_only = f[1] != "q3" && f[1] != "q8"
      to_ceiling = ceiling > 0 && bid_only ? \
                   sprintf("%.2f", f[7] / ceiling) : ""
      print f[1], f[2], f[3], f[4], f[6], f[7], to_sluice, to_ceiling, f[8]
    }
  }' "$raw_csv" >"$results"

echo
echo "Nexmark: $total events ($bytes bytes), $partitions partitions per" \
     "topic, $ncores cores ($cores):"
column -s, -t <"$results" 2>/dev/null || cat "$results"
if [ -n "$latency" ]; then
  echo "q0 end-to-end latency at $rate records/s for ${latency_s} s" \
       "(sluice): $latency"
  echo "the same path without an engine (producer, broker, consumer):" \
       "${floor:-not measured}"
  # Beside the main CSV: one row per measured path.
  {
    echo "query,system,rate,seconds,p50_ms,p99_ms,max_ms,records"
    for row in "sluice $latency" "none $floor"; do
      [ "${row#* }" != "" ] || continue
      sed -E 's/^([^ ]+) p50=([0-9]+) ms p99=([0-9]+) ms max=([0-9]+) ms'\
' records=([0-9]+)$/\1,\2,\3,\4,\5/' <<<"$row" |
        awk -F, -v r="$rate" -v s="$latency_s" -v OFS=, \
          '{ print "q0", $1, r, s, $2, $3, $4, $5 }'
    done
  } >"${results%.csv}_latency.csv"
fi

if [ -n "${NEXMARK_RESULTS:-}" ]; then
  mkdir -p "$(dirname "$NEXMARK_RESULTS")"
  cp "$results" "$NEXMARK_RESULTS"
  if [ -f "${results%.csv}_latency.csv" ]; then
    cp "${results%.csv}_latency.csv" "${NEXMARK_RESULTS%.csv}_latency.csv"
  fi
else
  # Only a full run with the default settings, checked, replaces the
  # committed figures.
  full=0
  if [ "$status" = 0 ] && [ "$events" = 1000000 ] &&
     [ "$source_kind" = crate ] && [ "$partitions" = 2 ] &&
     [ "$cores" = "$all_cores" ] && [ "$queries" = "$all_queries" ] &&
     [ "$peers" = "flink kstreams" ] && [ "$latency_s" = 20 ] &&
     [ "$rate" = 5000 ] && [ "$prefix" = nexmark ] &&
     [ "$sql_dir" = "$here" ] &&
     { [ "$check" = 1 ] || [ "$check_events" -gt 0 ]; } &&
     bench_optimized_build "$build"; then
    full=1
  fi
  bench_keep_results "$results" nexmark.csv "$full" "$work" "$root"
  if [ -f "${results%.csv}_latency.csv" ]; then
    bench_keep_results "${results%.csv}_latency.csv" nexmark_latency.csv \
      "$full" "$work" "$root"
  fi
fi

if [ "$status" != 0 ]; then
  say "${#failures[@]} failure(s):"
  for f in "${failures[@]}"; do
    say "  $f"
  done
fi
exit $status
