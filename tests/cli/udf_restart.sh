#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# C functions across processes.  With a persistent catalog, the functions
# one run creates are loaded again by the next run's catalog at open, with
# no CREATE FUNCTION; DROP FUNCTION is remembered the same way; a library
# that has gone away stops start-up with the load error.  --udf-dir loads
# every function of the libraries in a folder, for that run only.
#
#   udf_restart.sh SLUICE LIBSLUICE_EXAMPLES.so
set -euo pipefail
sluice=${1:?usage: udf_restart.sh SLUICE LIBSLUICE_EXAMPLES.so}
examples=${2:?usage: udf_restart.sh SLUICE LIBSLUICE_EXAMPLES.so}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The library is a copy in a folder of the test's own, so that it can be
# taken away below.
mkdir lib udfs
cp "$examples" lib/libsluice_examples.so
cp "$examples" udfs/libsluice_examples.so
lib=$work/lib/libsluice_examples.so

failed=0

# run NAME EXPECTED_STATUS SLUICE_ARGS...: runs sluice in csv, keeping
# standard output in NAME.out and standard error, without the notice of
# the embedded broker, in NAME.err.
run() {
  local name=$1 want=$2 status=0
  shift 2
  "$sluice" run --bounded --log-level warn --output csv "$@" \
    >"$name.out" 2>"$name.raw" || status=$?
  grep -v '^sluice: no Kafka broker configured' "$name.raw" >"$name.err" ||
    true
  if [ "$status" -ne "$want" ]; then
    echo "$name: exit status $status, expected $want"; cat "$name.err"
    failed=1
  fi
}

# expect NAME FILE: FILE (NAME.out or NAME.err) holds exactly the text on
# standard input.
expect() {
  if ! diff -u --label "expected $2" --label "actual $2" - "$1.$2"; then
    echo "$1: $2 differs"
    failed=1
  fi
}

# Run 1 registers three functions, one under another name than the
# library declares.
run create 0 --catalog cat.db -e "
CREATE FUNCTION luhn_valid(VARCHAR) RETURNS BOOLEAN
  LANGUAGE C AS '$lib';
CREATE FUNCTION risk(VARCHAR) RETURNS DOUBLE
  LANGUAGE C AS '$lib' SYMBOL 'mcc_risk';
CREATE AGGREGATE FUNCTION weighted_avg(DOUBLE, DOUBLE) RETURNS DOUBLE
  LANGUAGE C AS '$lib';"
expect create out </dev/null
expect create err </dev/null

# Run 2, a new process on the same catalog: the three are listed as C
# functions and work, the scalars in a pull query and the aggregate (with
# a scalar as its weight) in a window.  risk: 5411 0.05, 7995 0.95, 5541
# 0.25, codes not in the table 0.5.  c1: (40*0.05 + 10*0.95) / 1 = 11.5;
# c2: (30*0.25 + 60*0.5) / 0.75 = 50.
run reuse 0 --catalog cat.db -e "
SHOW FUNCTIONS;
CREATE TABLE cards (pan VARCHAR PRIMARY KEY, mcc VARCHAR);
INSERT INTO cards VALUES ('4539578763621486', '5411'),
  ('4539578763621487', '7995'), ('79927398713', '9999');
SELECT pan, luhn_valid(pan) AS ok, risk(mcc) AS risk FROM cards;
CREATE STREAM pay (card VARCHAR, amount DOUBLE, mcc VARCHAR, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES
  ('c1', 40, '5411', TIMESTAMP '2024-05-01 12:00:00'),
  ('c1', 10, '7995', TIMESTAMP '2024-05-01 12:00:10'),
  ('c2', 30, '5541', TIMESTAMP '2024-05-01 12:00:20'),
  ('c2', 60, '1234', TIMESTAMP '2024-05-01 12:00:50');
SELECT card, weighted_avg(amount, risk(mcc)) AS wavg
  FROM pay WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY card EMIT FINAL;"
grep -v ',built-in,' reuse.out >reuse.user || true
expect reuse user <<EOF
name,kind,signature,source,description
LUHN_VALID,scalar,LUHN_VALID(VARCHAR) -> BOOLEAN,C,True when a 12 to 19 digit card number passes the Luhn check. (C function luhn_valid in $lib)
RISK,scalar,RISK(VARCHAR) -> DOUBLE,C,"A risk score in [0, 1] for a four-digit merchant category code (0.5 when unknown). (C function mcc_risk in $lib)"
WEIGHTED_AVG,aggregate,"WEIGHTED_AVG(DOUBLE, DOUBLE) -> DOUBLE",C,The average of x weighted by w: sum(x * w) / sum(w). (C function weighted_avg in $lib)
pan,ok,risk
4539578763621486,true,0.05
4539578763621487,false,0.95
79927398713,false,0.5
card,wavg
c1,11.5
c2,50
EOF
expect reuse err </dev/null

# Run 3 drops one of them; run 4 no longer knows it, while the others,
# from the same library, still work (on the lookup table of run 2, which
# the catalog database keeps).
run drop 0 --catalog cat.db -e "DROP FUNCTION risk;"
expect drop err </dev/null
run dropped 1 --catalog cat.db -e "
SELECT pan, luhn_valid(pan) AS ok FROM cards;
SELECT risk('5411') AS r FROM cards;"
expect dropped out <<EOF
pan,ok
4539578763621486,true
4539578763621487,false
79927398713,false
EOF
expect dropped err <<EOF
<command line>:3:8: error: unknown function "risk"; did you mean "rank"?
SELECT risk('5411') AS r FROM cards;
       ^
EOF

# A catalog whose library has gone away does not start (exit 3).
rm "$lib"
run missing 3 --catalog cat.db -e "SELECT 1 AS one;"
expect missing out </dev/null
expect missing err <<EOF
error: cannot load UDF library "$lib": $lib: cannot open shared object file: No such file or directory
EOF

# --udf-dir: every function of every library in the folder, with no
# CREATE FUNCTION, under the names the library declares.
run udfdir 0 --udf-dir udfs --catalog udfdir.db -e "
CREATE TABLE cards (pan VARCHAR PRIMARY KEY, mcc VARCHAR, amount VARCHAR);
INSERT INTO cards VALUES ('4539578763621486', '5411', '12.34'),
  ('4539578763621487', '7995', ' -5 ');
SELECT pan, luhn_valid(pan) AS ok, mcc_risk(mcc) AS risk,
       parse_amount(amount) AS amount FROM cards;
CREATE STREAM pay (card VARCHAR, amount DOUBLE, w DOUBLE, ts TIMESTAMP)
  WITH (topic='pay', timestamp='ts', partitions=1);
INSERT INTO pay VALUES ('c1', 10, 1, TIMESTAMP '2024-05-01 12:00:00'),
  ('c1', 20, 3, TIMESTAMP '2024-05-01 12:00:10');
SELECT card, weighted_avg(amount, w) AS wavg
  FROM pay WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY card EMIT FINAL;"
expect udfdir out <<EOF
pan,ok,risk,amount
4539578763621486,true,0.05,12.34
4539578763621487,false,0.95,-5.00
card,wavg
c1,17.5
EOF
expect udfdir err </dev/null

# Functions loaded from --udf-dir belong to that run: the catalog does
# not remember them.
run udfdir_gone 1 --catalog udfdir.db -e "
SELECT luhn_valid(pan) AS ok FROM cards;"
expect udfdir_gone out </dev/null
expect udfdir_gone err <<EOF
<command line>:2:8: error: unknown function "luhn_valid"
SELECT luhn_valid(pan) AS ok FROM cards;
       ^
EOF

# A folder that cannot be read stops start-up.
run udfdir_missing 3 --udf-dir "$work/none" -e "SELECT 1 AS one;"
expect udfdir_missing err <<EOF
error: cannot read UDF folder "$work/none": No such file or directory
EOF

if [ "$failed" -ne 0 ]; then
  exit 1
fi
echo "C functions survive a restart; --udf-dir preloads a folder"
