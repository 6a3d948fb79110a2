#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The PREDICT benchmark: a 200-tree, depth-6 XGBoost classifier on 20
# numeric features scoring a topic in a streaming query, beside XGBoost's
# own batch prediction of the same rows, and a LOGISTIC_REGRESSION on the
# same features beside the raw librdkafka consume-and-produce loop over
# the same records, all in one run on a real Apache Kafka broker.
#
#   bench/predict/run.sh BUILD_DIR [--smoke]
#
# Before any timing: `sluice gen records` writes the training rows
# (x0 ... x19 and a noise column) and the rows to score (id, x0 ... x19,
# 1% of the features missing) into topics that filter_project_bench
# creates with the asked partitions; both are read back with kcat;
# predict.py trains the XGBoost model on the training rows (Debian's
# xgboost 1.7, 200 rounds, max_depth 6) and one bounded `sluice run` of
# train.sql imports it (CREATE MODEL ... FROM FILE, one prediction
# thread) and trains the linear model in SQL from a training set filled
# from the training topic.
#
# Timed, each a whole process measured by filter_project_bench measure
# (wall time, user + system CPU of every thread, librdkafka's included,
# peak RSS), OMP_NUM_THREADS=1:
#   librdkafka-raw  the raw loop, copying every record of the input topic
#   sluice          `sluice run --bounded` of serve.sql, `SELECT id,
#                   SCORE AS score FROM requests` into a topic, SCORE being
#                   PREDICT(xgb), PREDICT(lr), or for the model "none"
#                   x0 / 1000 (the same query without a model)
# and XGBoost's own batch prediction of the same rows (predict.py batch:
# one XGBoosterPredictFromDense call over the whole float32 matrix, one
# thread, best of the rounds by CPU time).  The outputs are read back and
# checked (predict.py check): every row scored once, the XGBoost scores
# equal to XGBoost's own on the same rows and the linear ones to
# scikit-learn's fit of the same model, to 1e-6; a difference fails the
# run.
#
# The report: the model, the system, the rows, wall and CPU seconds,
# records/s, records/s per core (rows per CPU second), peak RSS, and for
# Sluice's runs the ratio per core to the reference (XGBoost's batch
# prediction for the XGBoost model, the raw loop for the others) and the
# target (0.80 of XGBoost's batch speed; the raw loop's rate for the
# linear model).  Only a full run with the default settings on an
# optimized build writes bench/results/predict.csv (bench/lib.sh).
#
# --smoke: a few thousand rows, for CTest (bench.predict_smoke, labels
# bench and kafka); it needs SLUICE_TEST_BROKERS (or BENCH_BROKERS) and
# exits 77 (skipped) without.
#
# Environment:
#   BENCH_RECORDS       rows to score (default 1000000; smoke 3000)
#   BENCH_TRAIN_ROWS    training rows (default 20000; smoke 3000)
#   BENCH_PARTITIONS    partitions of the topics (default 4; smoke 2)
#   BENCH_ROUNDS        rounds of XGBoost's batch prediction (default 3;
#                       smoke 1)
#   BENCH_BROKERS       use this broker instead of starting one
set -euo pipefail

build=${1:?usage: bench/predict/run.sh BUILD_DIR [--smoke]}
build=$(cd "$build" && pwd)
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
if [ "$smoke" = 1 ]; then
  records=${BENCH_RECORDS:-3000}
  train_rows=${BENCH_TRAIN_ROWS:-3000}
  partitions=${BENCH_PARTITIONS:-2}
  rounds=${BENCH_ROUNDS:-1}
else
  records=${BENCH_RECORDS:-1000000}
  train_rows=${BENCH_TRAIN_ROWS:-20000}
  partitions=${BENCH_PARTITIONS:-4}
  rounds=${BENCH_ROUNDS:-3}
fi
# Debian's interpreter, where python3-xgboost and python3-sklearn live.
python=/usr/bin/python3
tool=$build/bench/filter_project_bench
sluice=$build/sluice

say() { echo "predict bench: $*" >&2; }
for f in "$tool" "$sluice"; do
  [ -x "$f" ] || { say "$f is missing (build first)"; exit 1; }
done
command -v kcat >/dev/null || { say "kcat is required (scripts/deps.sh)"
                                exit 1; }
"$python" -c 'import xgboost, sklearn' 2>/dev/null ||
  { say "$python needs python3-xgboost and python3-sklearn"; exit 1; }

brokers=${BENCH_BROKERS:-}
if [ -z "$brokers" ] && [ "$smoke" = 1 ]; then
  brokers=${SLUICE_TEST_BROKERS:-}
  if [ -z "$brokers" ]; then
    say "SLUICE_TEST_BROKERS is not set; skipped"
    exit 77
  fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-predict.XXXXXX")
started=0
cleanup() {
  if [ "$started" = 1 ]; then
    "$root/scripts/kafka.sh" stop >/dev/null 2>&1 || true
  fi
  if [ "$smoke" = 1 ]; then rm -rf "$work"; else bench_clean_work "$work"; fi
}
trap cleanup EXIT

if [ -z "$brokers" ]; then
  export SLUICE_KAFKA_STATE=$work/kafka
  brokers=$("$root/scripts/kafka.sh" start)
  started=1
fi
say "broker $brokers; $records rows to score, $train_rows training rows," \
    "$partitions partitions"

# One prediction thread everywhere: XGBoost's OpenMP would otherwise use
# every core, and the comparison is per core.
export OMP_NUM_THREADS=1

# ---------------------------------------------------------------------
# Input, models
# ---------------------------------------------------------------------

# Topic names unique to this run, so a reused broker starts clean.
tag=$(date +%s)$$
train_topic=predict_train_$tag
in=predict_in_$tag
features=$(for j in $(seq 0 19); do printf 'x%d DOUBLE, ' "$j"; done)
gen() { # topic count seed schema [options]
  local topic=$1 count=$2 seed=$3 schema=$4
  shift 4
  "$tool" load --brokers "$brokers" --topic "$topic" \
    --partitions "$partitions" --records 0
  "$sluice" gen records --brokers "$brokers" --topic "$topic" \
    --count "$count" --seed "$seed" --schema "$schema" "$@" >&2
}
gen "$train_topic" "$train_rows" 2 "id BIGINT NOT NULL, ${features}noise DOUBLE"
gen "$in" "$records" 3 "id BIGINT NOT NULL, ${features%, }" --nulls 0.01

# Reads TOPIC back into FILE (JSON lines) and checks the count.
read_back() { # topic file count
  kcat -C -b "$brokers" -t "$1" -o beginning -e -q -f '%s\n' >"$2"
  local got
  got=$(wc -l <"$2")
  if [ "$got" != "$3" ]; then
    say "$1 holds $got records; $3 expected"
    exit 1
  fi
}
read_back "$train_topic" "$work/train.jsonl" "$train_rows"
read_back "$in" "$work/rows.jsonl" "$records"

"$python" "$here/predict.py" train "$work/train.jsonl" "$work/model.json"
"$sluice" run --brokers "$brokers" --bounded --log-level warn \
  --catalog "$work/models.db" --service "pb${tag}models" \
  -D TRAIN="$train_topic" -D MODEL_FILE="$work/model.json" \
  -D LABEL="$("$python" "$here/predict.py" label)" "$here/train.sql"

# ---------------------------------------------------------------------
# Timed runs
# ---------------------------------------------------------------------

measured=$work/measured.csv # model,system,rows,seconds,cpu_seconds,
                            # records_per_s,records_per_core_s,peak_rss_mb
: >"$measured"

# A failed command fails the run (an assignment, so that set -e sees it).
row=$("$tool" measure --records "$records" --label librdkafka-raw -- \
  "$tool" raw --brokers "$brokers" --in "$in" --out "raw_out_$tag")
echo "none,$row" >>"$measured"

# One query: a copy of the models' catalog and a service of its own, so
# that no run sees another's objects.
serve() { # model score
  local model=$1 score=$2 row
  cp "$work/models.db" "$work/$model.db"
  row=$("$tool" measure --records "$records" --label sluice -- \
    "$sluice" run --brokers "$brokers" --bounded --log-level warn \
    --catalog "$work/$model.db" --service "pb$tag$model" \
    -D IN="$in" -D OUT="${model}_out_$tag" -D SCORE="$score" \
    "$here/serve.sql")
  echo "$model,$row" >>"$measured"
}
serve none "x0 / 1000"
row=$("$python" "$here/predict.py" batch "$work/model.json" \
  "$work/rows.jsonl" "$rounds")
echo "xgboost,$row" >>"$measured"
serve xgboost "PREDICT(xgb)"
serve logistic_regression "PREDICT(lr)"

# ---------------------------------------------------------------------
# Check, report
# ---------------------------------------------------------------------

read_back "xgboost_out_$tag" "$work/xgboost.jsonl" "$records"
read_back "logistic_regression_out_$tag" "$work/lr.jsonl" "$records"
if ! "$python" "$here/predict.py" check "$work/model.json" \
       "$work/train.jsonl" "$work/rows.jsonl" "$work/xgboost.jsonl" \
       "$work/lr.jsonl" | sed 's/^/predict bench: /' >&2; then
  say "Sluice's predictions differ from the models' own (above)"
  exit 1
fi

results=$work/predict.csv
awk -F, -v OFS=, '
  { line[NR] = $0; rate[$1 "," $2] = $7 }
  END {
    print "model,system,rows,seconds,cpu_seconds,records_per_s," \
          "records_per_core_s,peak_rss_mb,compared_with,ratio,target"
    for (i = 1; i <= NR; i++) {
      split(line[i], f, ",")
      ref = ""; target = ""
      if (f[2] == "sluice") {
        if (f[1] == "xgboost") { ref = "xgboost-batch"; target = "0.80" }
        else {
          ref = "librdkafka-raw"
          if (f[1] == "logistic_regression") target = "1.00"
        }
      }
      base = ref == "xgboost-batch" ? rate["xgboost,xgboost-batch"] : \
             rate["none,librdkafka-raw"]
      ratio = ref != "" && base > 0 ? sprintf("%.2f", f[7] / base) : ""
      print line[i], ref, ratio, target
    }
  }' "$measured" >"$results"

echo
echo "PREDICT in a streaming query ($records rows, 20 features," \
     "$partitions partitions; XGBoost 200 trees, max_depth 6;" \
     "one prediction thread):"
column -s, -t <"$results" 2>/dev/null || cat "$results"
echo "outputs checked: every row scored once, equal to XGBoost's own" \
     "prediction and to scikit-learn's linear model to 1e-6"
if [ "$smoke" = 0 ]; then
  full=0
  if [ "$records" = 1000000 ] && [ "$train_rows" = 20000 ] &&
     [ "$partitions" = 4 ] && [ "$rounds" = 3 ] &&
     bench_optimized_build "$build"; then
    full=1
  fi
  bench_keep_results "$results" predict.csv "$full" "$work" "$root"
fi
