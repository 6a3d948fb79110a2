#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks every ```sql example of a Markdown manual with `sluice check`.
#
#   check_docs.sh SLUICE_BINARY docs/sql.md
#
# The examples run in document order as one script (later examples use
# the objects that earlier ones declare), with -D env=dev for the page's
# ${env} example.  Every line outside a ```sql block becomes an empty
# line, so an error's LINE:COLUMN points into the Markdown file itself.
set -uo pipefail

sluice=${1:?usage: check_docs.sh SLUICE FILE.md}
doc=${2:?usage: check_docs.sh SLUICE FILE.md}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$doc")

awk '
  /^```sql[[:space:]]*$/ { in_sql = 1; print ""; blocks++; next }
  /^```/ && in_sql      { in_sql = 0; print ""; next }
  { print (in_sql ? $0 : "") }
  END { if (blocks == 0) exit 1 }
' "$doc" > "$work/$name" || { echo "$doc: no \`\`\`sql examples"; exit 1; }

(cd "$work" && "$sluice" check -D env=dev "$name")
