#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interoperability with kcat on a real Apache Kafka broker: records written
# through Sluice's Kafka layer (kafka_tool) are read back by kcat, and
# records written by kcat are read by Sluice, and both sides must see
# exactly the same records: partition, offset, key, value and headers.
#
#   kcat_interop.sh KAFKA_TOOL      (broker address in SLUICE_TEST_BROKERS)
#
# Exits 77 (skipped) when no broker is configured.
set -euo pipefail
export LC_ALL=C

tool=${1:?usage: kcat_interop.sh KAFKA_TOOL}
brokers=${SLUICE_TEST_BROKERS:-}
if [ -z "$brokers" ]; then
  echo "SLUICE_TEST_BROKERS is not set: no broker to test against (skipped)"
  exit 77
fi
command -v kcat >/dev/null || { echo "kcat is not installed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-interop.XXXXXX")
run=$$-$(date +%s)
t1=interop-sluice-$run
t2=interop-kcat-$run
cleanup() {
  "$tool" delete "$brokers" "$t1" >/dev/null 2>&1 || true
  "$tool" delete "$brokers" "$t2" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

kcat_version=$(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p')
echo "broker $brokers; kcat $kcat_version; Sluice on $("$tool" version)"

# Records of many shapes: repeated keys (per-key order), UTF-8, JSON,
# quotes, backslashes, separators, a record without a key (no tab) and a
# tombstone (empty value after the tab).
note=$(printf 'caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80')
{
  for i in $(seq 1 60); do
    printf 'user-%d\t{"id":%d,"amount":%d.%02d,"note":"%s"}\n' \
      $((i % 7)) "$i" $((i * 37 % 1000)) $((i % 100)) "$note"
  done
  printf 'quote"key\tvalue with "quotes", commas, = signs and \\backslashes\\\n'
  printf 'spaces in key\t  leading and trailing spaces  \n'
  printf 'a value without a key\n'
  printf 'tombstone\t\n'
  printf 'user-3\tlast for user-3\n'
} >"$work/input"

# What both sides must read: key (NULL when absent) and value (NULL when
# empty), the way kcat -Z prints them.
awk -F'\t' 'BEGIN { OFS = "\t" }
  NF == 1 { print "NULL", $0; next }
  { v = substr($0, length($1) + 2); print $1, (v == "" ? "NULL" : v) }' \
  "$work/input" | sort >"$work/expected"
count=$(wc -l <"$work/input")

kcat_dump() {
  kcat -C -b "$brokers" -t "$1" -e -q -Z -f '%p\t%o\t%k\t%s\t%h\n' | sort
}

# Compares two dumps exactly, then their keys and values with the input.
check() {
  local what=$1 sluice_view=$2 kcat_view=$3 headers=$4
  if ! diff -u "$kcat_view" "$sluice_view"; then
    echo "FAIL: $what: Sluice and kcat read different records" >&2
    exit 1
  fi
  local n
  n=$(wc -l <"$kcat_view")
  if [ "$n" -ne "$count" ]; then
    echo "FAIL: $what: $n records read, $count written" >&2
    exit 1
  fi
  cut -f 3,4 "$kcat_view" | sort >"$work/got"
  if ! diff -u "$work/expected" "$work/got"; then
    echo "FAIL: $what: keys and values differ from what was written" >&2
    exit 1
  fi
  if cut -f 5 "$kcat_view" | grep -vqxF "$headers"; then
    echo "FAIL: $what: headers other than $headers" >&2
    exit 1
  fi
  # Records of one key keep their order: offsets rise in input order.
  local last
  last=$(awk -F'\t' '$3 == "user-3"' "$kcat_view" | sort -t$'\t' -k2,2n |
         tail -n 1 | cut -f 4)
  if [ "$last" != "last for user-3" ]; then
    echo "FAIL: $what: per-key order broken (last user-3 value: $last)" >&2
    exit 1
  fi
  echo "ok: $what: $n records identical (partition, offset, key, value," \
    "headers)"
}

# Sluice writes, kcat reads.
"$tool" create "$brokers" "$t1" 3
"$tool" produce "$brokers" "$t1" source=sluice run="$run" <"$work/input"
kcat_dump "$t1" >"$work/kcat1"
"$tool" consume "$brokers" "$t1" | sort >"$work/sluice1"
check "written by Sluice, read by kcat" "$work/sluice1" "$work/kcat1" \
  "source=sluice,run=$run"

# kcat writes, Sluice reads (as a consumer group).
"$tool" create "$brokers" "$t2" 3
kcat -P -b "$brokers" -t "$t2" -K $'\t' -Z -H source=kcat -H run="$run" \
  <"$work/input"
"$tool" consume "$brokers" "$t2" "interop-group-$run" | sort >"$work/sluice2"
kcat_dump "$t2" >"$work/kcat2"
check "written by kcat, read by Sluice" "$work/sluice2" "$work/kcat2" \
  "source=kcat,run=$run"
