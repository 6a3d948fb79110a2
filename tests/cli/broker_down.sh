#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regression: with no broker listening, sluice failed after 30 s naming a
# topic request instead of the cluster.  It must fail with exit 3 within
# the metadata timeout and say which cluster it could not reach.
set -uo pipefail
sluice=${1:?usage: broker_down.sh SLUICE}
start=$(date +%s)
"$sluice" run --brokers 127.0.0.1:1 --log-level error -e "SHOW STREAMS;" \
  >/dev/null 2>err.txt
status=$?
elapsed=$(( $(date +%s) - start ))
trap 'rm -f err.txt' EXIT
[ "$status" -eq 3 ] || { echo "exit $status, expected 3"; cat err.txt; exit 1; }
grep -q "cannot reach the Kafka cluster at 127.0.0.1:1" err.txt ||
  { echo "unexpected message:"; cat err.txt; exit 1; }
[ "$elapsed" -le 20 ] || { echo "took ${elapsed}s to give up"; exit 1; }
echo "broker down: exit 3 after ${elapsed}s, cluster named"
