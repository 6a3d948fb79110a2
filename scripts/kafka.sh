#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A real Apache Kafka broker for the Kafka integration tests and benchmarks.
#
#   scripts/kafka.sh start    start one broker, print its bootstrap address
#   scripts/kafka.sh stop     stop the broker this script started, delete it
#   scripts/kafka.sh status   say whether it runs (exit 0) or not (exit 1)
#   scripts/kafka.sh pause    stop the broker but keep its data and ports
#   scripts/kafka.sh resume   start a paused broker again on the same ports
#   scripts/kafka.sh version  print the Kafka version in use
#   scripts/kafka.sh fetch    only download the jars into the cache
#
# The broker is Apache Kafka (org.apache.kafka:kafka_2.13) with its runtime
# dependencies and Log4j 2, fetched once from Maven Central through the pom
# in scripts/kafka/ and cached outside the checkout, so later runs work
# offline.  Each start formats a fresh KRaft storage directory in a temporary
# directory and runs one combined broker+controller bound to 127.0.0.1 on
# free ports.  `start` returns once the broker answers metadata requests and
# prints only its bootstrap address on standard output; progress goes to
# standard error.  `stop` ends exactly the process `start` recorded (by pid,
# after checking its command line) and removes its data.
#
# Environment:
#   SLUICE_KAFKA_VERSION  Kafka version (default below)
#   SLUICE_KAFKA_CACHE    jar cache root (default $XDG_CACHE_HOME/sluice or
#                         ~/.cache/sluice)
#   SLUICE_KAFKA_STATE    where the running broker is recorded (default
#                         $TMPDIR/sluice-kafka-$UID)
#   SLUICE_KAFKA_HEAP     broker heap (default 512m)
set -euo pipefail

version=${SLUICE_KAFKA_VERSION:-4.1.1}
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${SLUICE_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice}
cache=$cache_root/kafka-$version
tmp=${TMPDIR:-/tmp}
state=${SLUICE_KAFKA_STATE:-$tmp/sluice-kafka-$(id -u)}
heap=${SLUICE_KAFKA_HEAP:-512m}
start_timeout=120

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 ||
    die "$1 is required (install the packages listed in scripts/deps.sh)"
}

# Downloads the broker jars into $cache/libs unless a complete copy is
# there.  The copy goes to a scratch directory first and is renamed into
# place, so an interrupted download is never mistaken for a finished one.
fetch_jars() {
  [ -f "$cache/complete" ] && return 0
  need mvn
  mkdir -p "$cache_root"
  # One download at a time: a second caller waits, then finds it done.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_root/.lock-kafka-$version"
    flock 9
    [ -f "$cache/complete" ] && { exec 9>&-; return 0; }
  fi
  local work
  work=$(mktemp -d "$tmp/sluice-kafka-fetch.XXXXXX")
  say "fetching Apache Kafka $version from Maven Central (once)"
  cp "$here/kafka/pom.xml" "$work/pom.xml"
  if ! (cd "$work" && mvn -q -B dependency:copy-dependencies \
          -Dkafka.version="$version" -DincludeScope=runtime \
          -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1); then
    cat "$work/mvn.log" >&2
    rm -rf "$work"
    die "could not fetch Apache Kafka $version"
  fi
  ls "$work/libs/kafka_2.13-$version.jar" >/dev/null 2>&1 || {
    rm -rf "$work"
    die "the download has no kafka_2.13-$version.jar"
  }
  rm -rf "$cache"
  mkdir -p "$cache"
  mv "$work/libs" "$cache/libs"
  rm -rf "$work"
  touch "$cache/complete"
  exec 9>&- 2>/dev/null || true
}

# Prints two TCP ports that are free on 127.0.0.1 right now.
free_ports() {
  python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# A Kafka cluster id: 16 random bytes in URL-safe base64 without padding.
# An id starting with "-" would read as an option to kafka-storage, so such
# ids are drawn again (Kafka's own generator does the same).
cluster_id() { # [count]
  python3 - "${1:-1}" <<'PY'
import base64, os, sys
for _ in range(int(sys.argv[1])):
    while True:
        id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        if not id.startswith("-"):
            break
    print(id)
PY
}

# True when the recorded pid is alive and is the broker of the recorded data
# directory (so a recycled pid is never mistaken for it).
recorded_broker_alive() {
  [ -f "$state/pid" ] && [ -f "$state/dir" ] || return 1
  local pid dir
  pid=$(cat "$state/pid")
  dir=$(cat "$state/dir")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$dir/server.properties"
}

# Removes the data directory and the state of the recorded broker.
forget_broker() {
  if [ -f "$state/dir" ]; then
    local dir
    dir=$(cat "$state/dir")
    case "$dir" in
      "$tmp"/sluice-kafka-data.*) rm -rf "$dir" ;;
    esac
  fi
  rm -rf "$state"
}

write_properties() {
  local dir=$1 port=$2 cport=$3
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=4
default.replication.factor=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.check.interval.ms=5000
# Tests replay history: records stamped with old event times must stay.
log.retention.ms=-1
log.segment.delete.delay.ms=1000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
}

# True while process $1 exists and has not exited (a child of this shell
# that exited stays a zombie until reaped, and kill -0 still succeeds).
alive() {
  [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}

# Formats a fresh data directory and starts the broker in it, recording it
# in $state.  Returns 0 once it answers metadata requests, 1 when it exited
# during startup (its log is shown), 2 when it did not answer in time.
launch_broker() {
  local dir port cport
  dir=$(mktemp -d "$tmp/sluice-kafka-data.XXXXXX")
  mkdir -p "$state"
  echo "$dir" >"$state/dir"
  read -r port cport < <(free_ports)
  write_properties "$dir" "$port" "$cport"
  local cp="$cache/libs/*"
  local log4j="-Dlog4j2.configurationFile=$here/kafka/log4j2.properties"
  # The storage tool runs for a second: the quick JIT tier and the serial
  # collector start it faster.
  if ! java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$log4j" -cp "$cp" \
         kafka.tools.StorageTool format \
         -t "$(cluster_id)" -c "$dir/server.properties" \
         >"$dir/format.log" 2>&1; then
    cat "$dir/format.log" >&2
    forget_broker
    die "could not format the KRaft storage directory"
  fi

  run_broker "$dir" "$port"
}

# Starts the broker of data directory $1 (formatted, with its
# server.properties) listening on port $2 and records its pid.  Returns
# as launch_broker does.
run_broker() {
  local dir=$1 port=$2
  local cp="$cache/libs/*"
  local log4j="-Dlog4j2.configurationFile=$here/kafka/log4j2.properties"
  # The broker must not inherit our standard output: a caller reading it
  # through $(...) would wait for the broker to exit.
  java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true "$log4j" \
    -cp "$cp" kafka.Kafka "$dir/server.properties" \
    </dev/null >>"$dir/broker.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$state/pid"
  echo "127.0.0.1:$port" >"$state/bootstrap"

  local waited=0
  while :; do
    if ! alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      tail -n 40 "$dir/broker.log" >&2 || true
      return 1
    fi
    if kcat -L -b "127.0.0.1:$port" -m 2 2>/dev/null |
         grep -q "broker 1 at 127.0.0.1:$port"; then
      return 0
    fi
    if [ "$waited" -ge $((start_timeout * 2)) ]; then
      tail -n 40 "$dir/broker.log" >&2 || true
      return 2
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

cmd_start() {
  if recorded_broker_alive; then
    say "already running (pid $(cat "$state/pid"))"
    cat "$state/bootstrap"
    return 0
  fi
  forget_broker
  need java
  need python3
  need kcat
  fetch_jars

  # Free ports can be taken by someone else before the broker binds them;
  # a broker that dies at startup gets two more tries on new ports.
  local attempt rc
  for attempt in 1 2 3; do
    rc=0
    launch_broker || rc=$?
    case $rc in
      0)
        cat "$state/bootstrap"
        return 0
        ;;
      1)
        forget_broker
        [ "$attempt" -lt 3 ] && say "the broker exited during startup; retrying"
        ;;
      *)
        cmd_stop >/dev/null 2>&1
        die "the broker did not answer within ${start_timeout}s"
        ;;
    esac
  done
  die "the broker exited during startup"
}

# Ends broker process $1: SIGTERM, then SIGKILL after 30 s.
end_broker() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while alive "$pid" && [ "$waited" -lt 60 ]; do
    sleep 0.5
    waited=$((waited + 1))
  done
  if alive "$pid"; then
    say "broker $pid did not stop in 30s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
}

cmd_stop() {
  if [ ! -d "$state" ]; then
    say "not running"
    return 0
  fi
  if recorded_broker_alive; then
    local pid
    pid=$(cat "$state/pid")
    end_broker "$pid"
    say "stopped broker $pid"
  else
    say "not running (removing stale state)"
  fi
  forget_broker
}

# Stops the broker and keeps what resume needs: its data directory, its
# properties (ports included) and the state.
cmd_pause() {
  recorded_broker_alive || die "not running"
  local pid
  pid=$(cat "$state/pid")
  end_broker "$pid"
  say "paused broker $pid (data kept in $(cat "$state/dir"))"
}

cmd_resume() {
  if recorded_broker_alive; then
    say "already running (pid $(cat "$state/pid"))"
    cat "$state/bootstrap"
    return 0
  fi
  [ -f "$state/dir" ] && [ -f "$state/bootstrap" ] || die "nothing paused"
  local dir port rc=0
  dir=$(cat "$state/dir")
  port=$(sed 's/.*://' "$state/bootstrap")
  [ -f "$dir/server.properties" ] || die "no broker data in $dir"
  run_broker "$dir" "$port" || rc=$?
  case $rc in
    0) cat "$state/bootstrap" ;;
    1) die "the broker exited while resuming (port $port taken?)" ;;
    *) die "the broker did not answer within ${start_timeout}s" ;;
  esac
}

cmd_status() {
  if recorded_broker_alive; then
    echo "running: $(cat "$state/bootstrap") (pid $(cat "$state/pid")," \
      "Kafka $version, data $(cat "$state/dir"))"
    return 0
  fi
  echo "not running"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  pause) cmd_pause ;;
  resume) cmd_resume ;;
  version) echo "$version" ;;
  fetch) fetch_jars ;;
  cluster-id) cluster_id "${2:-1}" ;;
  *)
    echo "usage: scripts/kafka.sh" \
      "start|stop|status|pause|resume|version|fetch|cluster-id" >&2
    exit 2
    ;;
esac
