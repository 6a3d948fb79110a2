#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one SQL error case through `sluice check` and compares what it
# printed with what it must.
#
#   check_error.sh SLUICE_BINARY CASE.sql
#
# CASE.err holds the expected standard error exactly (the conventions'
# FILE:LINE:COLUMN form with the source line and caret), CASE.exit the
# expected exit status (default 1).  Standard output must stay empty.  The
# case runs in a fresh temporary directory under its own file name, as
# run_case.sh runs it through `sluice run`, so both see the same messages.
set -uo pipefail

sluice=${1:?usage: check_error.sh SLUICE CASE.sql}
case_sql=${2:?usage: check_error.sh SLUICE CASE.sql}
case_dir=$(cd "$(dirname "$case_sql")" && pwd)
name=$(basename "$case_sql" .sql)
base="$case_dir/$name"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$case_sql" "$work/$name.sql"

expected_exit=1
[ -f "$base.exit" ] && expected_exit=$(tr -d '[:space:]' < "$base.exit")

(cd "$work" && "$sluice" check "$name.sql" -D "dir=$case_dir" \
    >"$work/out" 2>"$work/err")
status=$?

failed=0
if ! diff -u --label "expected $name.err" --label "actual $name.err" \
    "$base.err" "$work/err"; then
  failed=1
fi
if [ -s "$work/out" ]; then
  echo "standard output should be empty:"; cat "$work/out"
  failed=1
fi
if [ "$status" -ne "$expected_exit" ]; then
  echo "exit status $status, expected $expected_exit"
  failed=1
fi
exit $failed
