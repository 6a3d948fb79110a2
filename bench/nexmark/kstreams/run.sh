#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one Nexmark query (q0 q1 q2 q7) on Kafka Streams over nexmark-bid,
# bounded to its end offsets at start, writing JSON rows to
# $NEXMARK_OUT_TOPIC.  The last stdout line is the RESULT line; logs go to
# stderr.  Exit 3 for a query Kafka Streams is not run on.
#   NEXMARK_BROKERS=127.0.0.1:PORT NEXMARK_OUT_TOPIC=... \
#   NEXMARK_EVENTS=N NEXMARK_PARALLELISM=P bench/nexmark/kstreams/run.sh q7
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${SLUICE_BENCH_CACHE:-$HOME/.cache/sluice/bench}/kstreams

if [[ $# -ne 1 ]]; then
  echo "usage: $0 QUERY" >&2
  exit 2
fi
case $1 in
  q0 | q1 | q2 | q7) ;;
  *) echo "kstreams: query $1 is not run by this peer" >&2; exit 3 ;;
esac

"$here/build.sh"

# Local state (q7's RocksDB store) lives outside the checkout; each run
# has its own application id and removes its state when it ends.
export NEXMARK_STATE_DIR=$out/state
mkdir -p "$NEXMARK_STATE_DIR"
exec java -Xmx${NEXMARK_JVM_HEAP:-1g} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=${NEXMARK_LOG_LEVEL:-warn} \
  -Dorg.slf4j.simpleLogger.logFile=System.err \
  -cp "$out/classes:$(cat "$out/classpath.txt")" \
  sluice.bench.kstreams.KStreamsNexmark "$1"
