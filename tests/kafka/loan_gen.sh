#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `sluice gen loans` and `sluice gen applications` without a broker: the
# side tables have a row per applicant (engagements only for applicants
# with previous loans), the same seed writes the same files and another
# seed other ones, the second population gets its ids, and usage errors
# exit 2 (a missing file 3) with a message naming the problem.
#
#   loan_gen.sh SLUICE SOURCE_DIR
set -euo pipefail
sluice=${1:?usage: loan_gen.sh SLUICE SOURCE_DIR}
src=${2:?usage: loan_gen.sh SLUICE SOURCE_DIR}
loans=$src/../shared/data/lending_club.csv
credit=$src/../shared/data/credit_data.csv
unset SLUICE_BROKERS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
die() { echo "loan_gen: $*" >&2; exit 1; }

"$sluice" gen loans --file "$loans" --dir "$work/a" --credit-file "$credit" \
  2> "$work/a.log" || { cat "$work/a.log"; die "gen loans failed"; }
"$sluice" gen loans --file "$loans" --dir "$work/b" 2> /dev/null
"$sluice" gen loans --file "$loans" --dir "$work/c" --seed 2 2> /dev/null

[ "$(wc -l < "$work/a/credit_scores.csv")" -eq 9858 ] ||
  die "credit_scores.csv: expected a header and 9857 rows"
[ "$(head -1 "$work/a/credit_scores.csv")" = applicant_id,credit_score ] ||
  die "credit_scores.csv: wrong header"
[ "$(sed -n 2p "$work/a/credit_scores.csv" | cut -d, -f1)" = 1000001 ] ||
  die "credit_scores.csv: the first applicant is not 1000001"
# Previous loans are 0..4; a row only for 1 or more, defaults at most
# the loans, months within 6..120.
awk -F, 'NR > 1 && ($2 < 1 || $2 > 4 || $3 < 0 || $3 > $2 ||
                    $4 < 6 || $4 > 120) { bad++ }
         END { exit bad > 0 }' "$work/a/engagements.csv" ||
  die "engagements.csv: a row out of range"
engaged=$(($(wc -l < "$work/a/engagements.csv") - 1))
grep -q "9857 credit scores to $work/a/credit_scores.csv, $engaged engagements" \
  "$work/a.log" || die "the summary does not match the files"
[ "$engaged" -gt 7000 ] && [ "$engaged" -lt 8700 ] ||
  die "engagements.csv: $engaged rows, expected about 4 in 5 applicants"

cmp -s "$work/a/credit_scores.csv" "$work/b/credit_scores.csv" &&
  cmp -s "$work/a/engagements.csv" "$work/b/engagements.csv" ||
  die "the same seed wrote different files"
cmp -s "$work/a/credit_scores.csv" "$work/c/credit_scores.csv" &&
  die "seed 2 wrote the files of seed 1"

[ "$(wc -l < "$work/a/credit_applications.csv")" -eq 4455 ] ||
  die "credit_applications.csv: expected a header and 4454 rows"
[ "$(sed -n 1,2p "$work/a/credit_applications.csv" | tr '\n' '|')" = \
  "id,status,seniority,home,time,age,marital,records,job,expenses,income,assets,debt,amount,price|1,good,9,rent,60,30,married,no,freelance,73,129,0,0,800,846|" ] ||
  die "credit_applications.csv: wrong first rows"
[ "$(tail -1 "$work/a/credit_applications.csv" | cut -d, -f1)" = 4454 ] ||
  die "credit_applications.csv: the last id is not 4454"

expect_error() { # code message args...
  local code=$1 message=$2
  shift 2
  local rc=0
  "$sluice" gen "$@" > /dev/null 2> "$work/err" || rc=$?
  [ "$rc" -eq "$code" ] && grep -qF -- "$message" "$work/err" ||
    die "gen $*: expected exit $code with \"$message\", got $rc: $(cat "$work/err")"
}
expect_error 2 "--file is required" applications
expect_error 2 "--from-row expects a row number within the file" \
  applications --file "$loans" --from-row 101%
expect_error 2 "--rows expects a number of rows" \
  applications --file "$loans" --rows 1.5
expect_error 2 "--seed belongs to sluice gen loans" \
  applications --file "$loans" --seed 3
expect_error 2 "--no-outcome belongs to sluice gen applications" \
  loans --file "$loans" --no-outcome
expect_error 2 "broker" applications --file "$loans" --rows 1
expect_error 3 "/nonexistent/loans.csv" loans --file /nonexistent/loans.csv

# Inputs are checked before anything is written: an unreadable second
# population or a topic without a broker leaves the directory empty.
expect_error 3 "/nonexistent/credit.csv" loans --file "$loans" \
  --dir "$work/d" --credit-file /nonexistent/credit.csv
expect_error 2 "no broker given" loans --file "$loans" --dir "$work/d" \
  --credit-file "$credit" --topic transactions
expect_error 2 "sluice broker" loans --file "$loans" --dir "$work/d" \
  --topic transactions
[ ! -e "$work/d" ] || die "a failed gen loans wrote $(ls "$work/d")"
echo "loan_gen: ok"
