#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `sluice demo` runs end to end on the embedded broker: every record comes
# back through the Kafka layer; the fraud demo trains both models on the
# history, sends the live day while the scoring queries run, decides each
# payment within moments of its arrival and blocks the injected fraud.
# The checks read the summary's numbers, not just its lines; the whole
# demo ends by itself within a minute, also under the sanitizers.
set -euo pipefail
sluice=${1:?usage: demo.sh SLUICE}
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
start=$(date +%s)
if ! timeout 120 "$sluice" demo --log-level warn >"$out" 2>"$err"; then
  cat "$out" "$err" >&2
  exit 1
fi
took=$(( $(date +%s) - start ))

fail() {
  echo "demo.sh: $*" >&2
  cat "$out" >&2
  exit 1
}

grep -q "result:     every record came back" "$out" ||
  fail "the Kafka check did not get every record back"

# Both models evaluated on the held-out day, each AUC in (0.5, 1].
line=$(grep '^models:     AUC on the held-out day: ' "$out") ||
  fail "no AUC line"
awk -v l="$line" 'BEGIN {
  if (match(l, /fraud_xgb [0-9.]+/) == 0) exit 1
  x = substr(l, RSTART + 10, RLENGTH - 10) + 0
  if (match(l, /fraud_lr [0-9.]+/) == 0) exit 1
  r = substr(l, RSTART + 9, RLENGTH - 9) + 0
  exit !(x > 0.5 && x <= 1 && r > 0.5 && r <= 1)
}' || fail "an AUC outside (0.5, 1]: $line"
# The EVALUATE table itself shows both models of version 1.
grep -qE '^\| fraud_xgb +\| +1 \| +[0-9]+ \| +0\.[5-9]' "$out" ||
  fail "no EVALUATE row for fraud_xgb"
grep -qE '^\| fraud_lr +\| +1 \| +[0-9]+ \| +0\.[5-9]' "$out" ||
  fail "no EVALUATE row for fraud_lr"

# Every live payment was scored and decided; the decisions add up.
scored=$(sed -n 's/^scored: *\([0-9]*\) live payments.*/\1/p' "$out")
n='\([0-9]*\)'
read -r allow review block < <(sed -n \
  "s/^decisions: *$n allow, $n review, $n block\$/\\1 \\2 \\3/p" "$out")
[ -n "$scored" ] && [ "$scored" -gt 1000 ] || fail "scored: '$scored'"
[ $((allow + review + block)) -eq "$scored" ] ||
  fail "decisions $allow + $review + $block != $scored"
alerts=$(sed -n \
  "s/^alerts: *$n blocked payments on topic live_alerts\$/\\1/p" "$out")
[ "$alerts" = "$block" ] && [ "$alerts" -gt 0 ] ||
  fail "alerts '$alerts', blocks '$block'"

# Each scenario of the live day is mostly caught (the generator's ground
# truth against the alerts), and few honest payments are blocked.
while read -r caught of total; do
  [ "$total" -gt 0 ] || fail "a scenario without live payments"
  [ $((caught * 10)) -ge $((total * 7)) ] ||
    fail "caught $caught of $total (under 70%)"
done < <(sed -n 's/^caught: .* \([0-9]*\) of \([0-9]*\) payments$/\1 of \2/p' \
  "$out")
[ "$(grep -c '^caught: ' "$out")" -eq 4 ] || fail "not four scenarios"
honest=$(sed -n 's/^false: *\([0-9]*\) honest payments blocked$/\1/p' "$out")
[ -n "$honest" ] && [ "$honest" -le $((block / 10)) ] ||
  fail "$honest honest payments blocked of $block"

# Five blocked payments are shown with their features and both scores.
[ "$(grep -cE '^\| +[0-9]+ \| card-[0-9]{6} \|' "$out")" -eq 5 ] ||
  fail "not five blocked payments shown"
# The live day was sent while the queries ran, and every payment sent was
# decided, each within seconds of its arrival (p50 under 5 s, p99 under
# 10 s: the time through the features, both models and the rule, not a
# wait for training).
sent=$(sed -n 's/^live: *\([0-9]*\) payments sent in .* queries ran$/\1/p' \
  "$out")
[ -n "$sent" ] && [ "$sent" = "$scored" ] ||
  fail "$sent live payments sent, $scored decided"
latency="^latency: *arrival to decision p50 $n ms, p99 $n ms, max [0-9]* ms"
read -r p50 p99 < <(sed -n "s/$latency\$/\\1 \\2/p" "$out")
[ -n "$p50" ] && [ -n "$p99" ] || fail "no latency line"
[ "$p50" -lt 5000 ] && [ "$p99" -lt 10000 ] && [ "$p50" -le "$p99" ] ||
  fail "latency p50 $p50 ms, p99 $p99 ms"
[ "$took" -lt 60 ] || fail "the demo took $took s (at most 60)"
grep -q 'sluice run --bounded --brokers HOST:PORT' "$out" ||
  fail "no word on running it on a cluster"
echo "sluice demo: Kafka check, $scored payments scored, $block blocked"
