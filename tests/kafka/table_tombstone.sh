#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A table WITH (topic=...) follows its changelog on a real broker: records
# written by another client upsert by key, a tombstone (key, no value)
# deletes, and a later record for a key replaces its row.  A table whose
# key has two columns reads a tombstone's key as the JSON object of them,
# and deletes exactly that row.
set -euo pipefail
sluice=${1:?usage: table_tombstone.sh SLUICE}
brokers=${SLUICE_TEST_BROKERS:-}
[ -n "$brokers" ] || exit 77
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=$RANDOM$RANDOM
topic=rates_$run
common=(--brokers "$brokers" --service "tomb_$run" --catalog "$work/cat.db"
        --log-level warn --output csv)

"$sluice" run "${common[@]}" -e "
  CREATE TABLE rates (currency VARCHAR PRIMARY KEY, rate DOUBLE)
    WITH (topic='$topic', partitions=1);" >/dev/null

printf '%s\n' 'EUR	{"currency":"EUR","rate":1.08}' \
  'GBP	{"currency":"GBP","rate":1.27}' \
  'JPY	{"currency":"JPY","rate":0.0067}' \
  'EUR	{"currency":"EUR","rate":1.09}' |
  kcat -P -b "$brokers" -t "$topic" -K '	'
# A tombstone for JPY: a key and a null value.
printf 'JPY	\n' | kcat -P -b "$brokers" -t "$topic" -K '	' -Z

"$sluice" run --bounded "${common[@]}" -e "SELECT * FROM rates;" \
  >"$work/out.csv"
expected=$'currency,rate\nEUR,1.09\nGBP,1.27'
if [ "$(cat "$work/out.csv")" != "$expected" ]; then
  echo "expected:"; echo "$expected"; echo "got:"; cat "$work/out.csv"
  exit 1
fi
# Two key columns: the tombstone of FRA->LIS leaves FRA->MAD and
# LIS->FRA.
routes=routes_$run
"$sluice" run "${common[@]}" -e "
  CREATE TABLE routes (src VARCHAR, dst VARCHAR, km INT,
                       PRIMARY KEY (src, dst))
    WITH (topic='$routes', partitions=1);" >/dev/null
printf '%s\n' \
  '{"src":"FRA","dst":"LIS"}	{"src":"FRA","dst":"LIS","km":1890}' \
  '{"src":"FRA","dst":"MAD"}	{"src":"FRA","dst":"MAD","km":1420}' \
  '{"src":"LIS","dst":"FRA"}	{"src":"LIS","dst":"FRA","km":1890}' |
  kcat -P -b "$brokers" -t "$routes" -K '	'
printf '{"dst":"LIS","src":"FRA"}	\n' |
  kcat -P -b "$brokers" -t "$routes" -K '	' -Z
"$sluice" run --bounded "${common[@]}" -e "SELECT * FROM routes;" \
  >"$work/routes.csv"
expected=$'src,dst,km\nFRA,MAD,1420\nLIS,FRA,1890'
if [ "$(cat "$work/routes.csv")" != "$expected" ]; then
  echo "expected:"; echo "$expected"; echo "got:"; cat "$work/routes.csv"
  exit 1
fi
echo "changelog table: upserts, a replacement and tombstones applied"
