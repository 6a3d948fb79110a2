#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regression: a KRaft cluster id starting with "-" made kafka-storage read
# it as an option and the broker failed to start.  One id in 64 used to;
# among 2000 ids such an id would all but certainly appear.
set -euo pipefail
script=${1:?usage: cluster_id.sh scripts/kafka.sh}
ids=$(bash "$script" cluster-id 2000)
[ "$(wc -l <<<"$ids")" -eq 2000 ] || { echo "expected 2000 ids"; exit 1; }
if grep -q '^-' <<<"$ids"; then
  echo "a cluster id starts with -: $(grep -m1 '^-' <<<"$ids")"
  exit 1
fi
if grep -qvE '^[A-Za-z0-9_-]{22}$' <<<"$ids"; then
  echo "a malformed cluster id: $(grep -m1 -vE '^[A-Za-z0-9_-]{22}$' <<<"$ids")"
  exit 1
fi
echo "2000 cluster ids, none starting with -"
