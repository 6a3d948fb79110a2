#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Kafka Streams peer once: resolves its jars from Maven Central
# into ~/.m2, compiles the runner into ~/.cache/sluice/bench/kstreams (never
# the checkout) and records the class path.  A rerun with unchanged sources
# is a no-op (a stamp holds the hash of the pom and the Java sources, the
# helpers shared with the Flink runner included).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${SLUICE_BENCH_CACHE:-$HOME/.cache/sluice/bench}/kstreams
stamp=$out/build.stamp

hash=$(cd "$here" && find pom.xml src ../flink/src/common -type f -print0 |
  sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$hash" && -d $out/classes ]]; then
  exit 0
fi

mkdir -p "$out"
echo "kstreams: building into $out" >&2
stage=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Debian's Maven 3.8 writes colour resets even in batch mode: strip them.
mvn -q -B -f "$here/pom.xml" -Dnexmark.build.dir="$stage" \
  compile dependency:build-classpath \
  -Dmdep.outputFile="$stage/classpath.txt" 2>&1 |
  sed 's/\x1b\[[0-9;]*m//g' >&2

# Swap the new classes in by renames, so that a run starting meanwhile
# finds a complete tree, the old or the new one, never one being written.
rm -rf "$out/classes.old"
if [[ -d $out/classes ]]; then
  mv "$out/classes" "$out/classes.old"
fi
mv "$stage/target/classes" "$out/classes"
mv "$stage/classpath.txt" "$out/classpath.txt"
echo "$hash" > "$stamp"
