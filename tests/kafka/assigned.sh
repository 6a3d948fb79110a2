# SPDX-License-Identifier: Apache-2.0
# Sourced by the Kafka tests that follow how a consumer group spreads a
# query's partitions over instances.  An instance runs a stateful query
# as several tasks (one group member each), and each task logs its own
# assignment, so an instance's share is the sum of its tasks' last ones.
#
#   assigned LOG QUERY              the partitions the instance holds now
#   wait_assigned LOG QUERY COUNT   wait (30 s at most) until it holds COUNT
#   wait_assigned_in LOG QUERY N... the same, until it holds one of N...
#   wait_split LOG1 LOG2 QUERY TOTAL  two instances hold TOTAL together

assigned() { # log query
  { grep -oE "query $2 task [0-9]+: [0-9]+ partitions? assigned" "$1" ||
      true; } |
    awk '{ last[$4] = $5 } END { n = 0; for (t in last) n += last[t];
                                 print n }'
}

wait_assigned() { # log query count
  for _ in $(seq 1 120); do
    [ "$(assigned "$1" "$2")" = "$3" ] && return 0
    sleep 0.25
  done
  echo "query $2 in $1 holds $(assigned "$1" "$2") partitions, not $3:"
  tail -n 20 "$1"
  return 1
}

wait_assigned_in() { # log query count...
  local log=$1 query=$2
  shift 2
  for _ in $(seq 1 120); do
    local n
    n=$(assigned "$log" "$query")
    for want in "$@"; do
      [ "$n" = "$want" ] && return 0
    done
    sleep 0.25
  done
  echo "query $query in $log holds $(assigned "$log" "$query") partitions," \
    "not any of $*:"
  tail -n 20 "$log"
  return 1
}

# Waits until two instances hold TOTAL partitions of the query between
# them and the second holds some: which tasks the group gives what is
# its own choice.
wait_split() { # log1 log2 query total
  for _ in $(seq 1 120); do
    local a b
    a=$(assigned "$1" "$3")
    b=$(assigned "$2" "$3")
    [ $((a + b)) -eq "$4" ] && [ "$b" -gt 0 ] && return 0
    sleep 0.25
  done
  echo "query $3: $1 holds $(assigned "$1" "$3"), $2 holds" \
    "$(assigned "$2" "$3"), not $4 between them:"
  tail -n 20 "$1" "$2"
  return 1
}
