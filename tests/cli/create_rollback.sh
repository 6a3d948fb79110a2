#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regression: a CREATE STREAM whose topic could not be made stayed in the
# catalog, so running the script again took it as already created.
set -euo pipefail
sluice=${1:?usage: create_rollback.sh SLUICE}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if "$sluice" run --log-level error --catalog cat.db \
     -e "CREATE STREAM s (a INT) WITH (partitions=5000);" 2>err.txt; then
  echo "CREATE with partitions=5000 succeeded"; exit 1
fi
grep -q "partitions must be between 1 and 1024, not 5000" err.txt ||
  { echo "unexpected error:"; cat err.txt; exit 1; }
"$sluice" run --log-level error --catalog cat.db --output csv \
  -e "SHOW STREAMS;" >out.txt 2>/dev/null
if [ "$(cat out.txt)" != "name,topic,format,key,timestamp" ]; then
  echo "the failed stream stayed in the catalog:"; cat out.txt; exit 1
fi
echo "a failed CREATE leaves nothing behind"
