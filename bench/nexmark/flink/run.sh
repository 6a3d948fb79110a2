#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one Nexmark query on Flink SQL (a local mini-cluster in this JVM) over
# the nexmark-* topics, bounded to their end offsets at start, writing JSON
# rows to $NEXMARK_OUT_TOPIC.  The last stdout line is the RESULT line;
# Flink's logs go to stderr.  Exit 3 for a query Flink is not run on.
#   NEXMARK_BROKERS=127.0.0.1:PORT NEXMARK_OUT_TOPIC=... \
#   NEXMARK_EVENTS=N NEXMARK_PARALLELISM=P bench/nexmark/flink/run.sh q7
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${SLUICE_BENCH_CACHE:-$HOME/.cache/sluice/bench}/flink

if [[ $# -ne 1 ]]; then
  echo "usage: $0 QUERY" >&2
  exit 2
fi
case $1 in
  q0 | q1 | q2 | q3 | q5 | q7 | q8) ;;
  *) echo "flink: query $1 is not run by this peer" >&2; exit 3 ;;
esac

"$here/build.sh"

# The module opens Flink's own launcher passes to Java 17, so Kryo and the
# code generator can reach into the JDK.
opens=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

export NEXMARK_SQL_DIR=$here
exec java -Xmx${NEXMARK_JVM_HEAP:-1g} "${opens[@]}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=${NEXMARK_LOG_LEVEL:-warn} \
  -Dorg.slf4j.simpleLogger.logFile=System.err \
  -cp "$out/classes:$(cat "$out/classpath.txt")" \
  sluice.bench.flink.FlinkNexmark "$1"
