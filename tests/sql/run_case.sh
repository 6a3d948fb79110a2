#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one SQL golden case and compares what it printed with what it must.
#
#   run_case.sh SLUICE_BINARY CASE.sql
#
# Beside CASE.sql stands one or more of:
#   CASE.out   expected standard output of
#              `sluice run --bounded --output csv CASE.sql` (exit 0 unless
#              CASE.exit says otherwise)
#   CASE.dump  expected standard output of `sluice check --dump CASE.sql`
#   CASE.err   expected standard error (exactly), for error cases
#   CASE.exit  expected exit status (a number); default 0, or 1 with .err
#   CASE.args  extra arguments for sluice, one per line
# The case runs in a fresh temporary directory; ${dir} is the folder of
# CASE.sql (data files beside it) and ${build} the build tree (the example
# UDF library).  A mismatch prints a unified diff and fails.
set -uo pipefail

sluice=${1:?usage: run_case.sh SLUICE CASE.sql}
case_sql=${2:?usage: run_case.sh SLUICE CASE.sql}
case_dir=$(cd "$(dirname "$case_sql")" && pwd)
build_dir=$(cd "$(dirname "$sluice")" && pwd)
name=$(basename "$case_sql" .sql)
base="$case_dir/$name"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$case_sql" "$work/$name.sql"

extra=()
if [ -f "$base.args" ]; then
  while IFS= read -r line; do
    [ -n "$line" ] && extra+=("${line//\$\{dir\}/$case_dir}")
  done < "$base.args"
fi

expected_exit=0
[ -f "$base.err" ] && expected_exit=1
[ -f "$base.exit" ] && expected_exit=$(tr -d '[:space:]' < "$base.exit")

failed=0
compare() { # label expected-file actual-file
  if ! diff -u --label "expected $1" --label "actual $1" "$2" "$3"; then
    failed=1
  fi
}

# Cases compare what a user must see; lifecycle logs (INFO) and the
# one-line notice that the embedded broker is in use are not part of it.
run_sluice() { # output-file error-file args...
  local out=$1 errf=$2 cmd=$3
  shift 3
  (cd "$work" && "$sluice" "$cmd" --log-level warn -D "dir=$case_dir" \
      -D "build=$build_dir" \
      "${extra[@]}" "$@" >"$out" 2>"$errf.raw")
  local status=$?
  grep -v '^sluice: no Kafka broker configured' "$errf.raw" >"$errf"
  return $status
}

if [ -f "$base.dump" ]; then
  run_sluice "$work/dump.out" "$work/dump.err" check --dump "$name.sql"
  status=$?
  compare "$name.dump" "$base.dump" "$work/dump.out"
  if [ ! -f "$base.err" ] && [ $status -ne 0 ]; then
    echo "check --dump exited $status:"; cat "$work/dump.err"
    failed=1
  fi
fi

if [ -f "$base.out" ] || [ -f "$base.err" ]; then
  run_sluice "$work/run.out" "$work/run.err" run --bounded --output csv \
    "$name.sql"
  status=$?
  if [ -f "$base.out" ]; then
    compare "$name.out" "$base.out" "$work/run.out"
  fi
  if [ -f "$base.err" ]; then
    compare "$name.err" "$base.err" "$work/run.err"
  elif [ "$status" -ne "$expected_exit" ]; then
    echo "standard error:"; cat "$work/run.err"
  fi
  if [ "$status" -ne "$expected_exit" ]; then
    echo "exit status $status, expected $expected_exit"
    failed=1
  fi
fi

if [ ! -f "$base.out" ] && [ ! -f "$base.err" ] && [ ! -f "$base.dump" ]; then
  echo "$name: no .out, .err or .dump beside the script"
  failed=1
fi
exit $failed
