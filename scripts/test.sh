#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test of a configured and built tree: unit tests, SQL golden
# files and fuzzing first, then the Kafka suite against a real Apache Kafka
# broker that this script starts and always stops.
#
#   scripts/test.sh BUILD_DIR
set -euo pipefail

build=${1:?usage: scripts/test.sh BUILD_DIR}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# Sanitizer settings for every test process (leak checking included).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/tests/lsan.supp:print_suppressions=0}

status=0
passed=0
failed=0
summary=$(mktemp)
# Runs ctest in the build tree and adds its counts to the totals.
run_ctest() {
  local rc=0
  (cd "$build" && ctest --output-on-failure "$@") | tee "$summary" || rc=1
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$summary" |
         tail -1)
  if [ -n "$line" ]; then
    local total bad
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
  fi
  return $rc
}

echo "== unit and SQL tests"
run_ctest -j "$jobs" -LE kafka || status=1

echo "== fuzzing the SQL front end (clang, libFuzzer, ASan)"
fuzz_seconds=${SLUICE_FUZZ_SECONDS:-45}
fuzz_build="$build/../fuzz"
harnesses="fuzz_parse fuzz_bind"
# shellcheck disable=SC2086
if CC=clang CXX=clang++ cmake -S "$here" -B "$fuzz_build" -DSLUICE_FUZZ=ON \
     -DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >"$fuzz_build.log" 2>&1 &&
   cmake --build "$fuzz_build" -j "$jobs" --target $harnesses \
     >>"$fuzz_build.log" 2>&1; then
  for harness in $harnesses; do
    corpus=$(mktemp -d)
    # Seeds: the fuzz corpus and every SQL test script.
    cp "$here"/tests/fuzz/corpus/* "$corpus"/ 2>/dev/null || true
    find "$here/tests/sql" -name '*.sql' -size -8k | while read -r f; do
      cp "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16).sql"
    done
    if "$fuzz_build/tests/$harness" -max_total_time="$fuzz_seconds" \
         -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
         "$corpus" >"$fuzz_build/$harness.log" 2>&1; then
      grep -E 'stat::number_of_executed_units' "$fuzz_build/$harness.log" |
        head -1
      echo "$harness: no crash in ${fuzz_seconds}s"
      passed=$((passed + 1))
    else
      tail -60 "$fuzz_build/$harness.log"
      echo "$harness: FAILED"
      failed=$((failed + 1))
      status=1
    fi
    rm -rf "$corpus"
  done
else
  tail -30 "$fuzz_build.log"
  echo "fuzz build FAILED"
  failed=$((failed + 1))
  status=1
fi

echo "== Kafka tests on a real Apache Kafka broker"
broker_env=$(mktemp)
stop_broker() {
  bash "$here/scripts/kafka.sh" stop >/dev/null 2>&1 || true
  rm -f "$broker_env"
}
trap stop_broker EXIT INT TERM
if bootstrap=$(bash "$here/scripts/kafka.sh" start); then
  export SLUICE_TEST_BROKERS=$bootstrap
  echo "broker: $bootstrap ($(bash "$here/scripts/kafka.sh" version))"
  run_ctest -L kafka || status=1
else
  echo "could not start the Kafka broker" >&2
  failed=$((failed + 1))
  status=1
fi

rm -f "$summary"
[ "$failed" -gt 0 ] && status=1
if [ $status -ne 0 ]; then
  echo "== FAILED"
else
  echo "== all tests passed"
fi
echo "total: $passed passed, $failed failed"
exit $status
