#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `sluice demo` runs end to end on the embedded broker: every record comes
# back through the Kafka layer, both models are trained and evaluated, and
# offers are priced from live predictions.
set -euo pipefail
sluice=${1:?usage: demo.sh SLUICE}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$sluice" demo --log-level warn >"$out" 2>/dev/null
grep -q "result:     every record came back" "$out"
grep -qE '^\| risk_xgb +\| +1 \| +400 \|' "$out"
grep -qE '^\| risk_lr +\| +1 \| +400 \|' "$out"
grep -q '^(8 rows)$' "$out"
# Every offer is priced at 6% or more.
awk -F'|' '/^\| +1[6-9][0-9][0-9] / { if ($6 + 0 < 6) exit 1 }' "$out"
echo "sluice demo: Kafka layer, training, evaluation and scoring ran"
