#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# LOAD of a large CSV file into a lookup table: rows per second, with the
# raw cost of reading the same file (wc -l) beside it.
#
#   bench/load_csv.sh BUILD_DIR [ROWS]
set -euo pipefail
build=${1:?usage: load_csv.sh BUILD_DIR [ROWS]}
rows=${2:-1000000}
sluice=$build/sluice
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/data.csv" "$rows" <<'PY'
import random, sys
random.seed(7)
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("id,name,amount,ts,flag,qty\n")
    for i in range(n):
        f.write(f"{i},name{i % 1000},{random.random() * 1000:.2f},"
                f"2024-05-01T12:{i % 60:02d}:00Z,{'true' if i % 2 else 'false'},"
                f"{i % 17}\n")
PY
bytes=$(stat -c %s "$work/data.csv")

start=$(date +%s.%N)
wc -l "$work/data.csv" >/dev/null
raw=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')

start=$(date +%s.%N)
(cd "$work" && "$sluice" run --log-level warn --catalog "$work/cat.db" -e "
  CREATE TABLE big (id BIGINT PRIMARY KEY, name VARCHAR, amount DOUBLE,
                    ts TIMESTAMP, flag BOOLEAN, qty INT);
  LOAD 'data.csv' INTO big;" </dev/null)
load=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')

awk -v rows="$rows" -v bytes="$bytes" -v load="$load" -v raw="$raw" 'BEGIN {
  printf "load_csv: %d rows, %.1f MB\n", rows, bytes / 1048576
  printf "  sluice LOAD   %6.2f s  %10.0f rows/s\n", load, rows / load
  printf "  read (wc -l)  %6.2f s  LOAD takes %.1fx the raw read\n", raw,
         load / raw
}'
