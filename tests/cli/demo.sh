#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `sluice demo` runs end to end on the embedded broker: every record comes
# back through the Kafka layer; the fraud demo trains both models, scores
# the live day and blocks the injected fraud.  The checks read the
# summary's numbers, not just its lines.
set -euo pipefail
sluice=${1:?usage: demo.sh SLUICE}
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
if ! "$sluice" demo --log-level warn >"$out" 2>"$err"; then
  cat "$out" "$err" >&2
  exit 1
fi

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
alerts=$(sed -n "s/^alerts: *$n blocked payments on topic alerts\$/\\1/p" \
  "$out")
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
grep -q '^latency:    arrival to decision p50 [0-9]* ms' "$out" ||
  fail "no latency line"
grep -q 'sluice run --bounded --brokers HOST:PORT' "$out" ||
  fail "no word on running it on a cluster"
echo "sluice demo: Kafka check, $scored payments scored, $block blocked"
