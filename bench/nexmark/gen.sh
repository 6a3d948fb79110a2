#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Nexmark events from the nexmark crate's command-line generator.
#
#   bench/nexmark/gen.sh EVENTS DIR
#
# Installs the generator once (`cargo install nexmark --features bin`, a
# pinned version, into a cache outside the checkout), generates EVENTS
# events at once (--no-wait: event times are spaced as the generator's
# default rate would space them, 10,000 events per second), and converts
# them with nexmark.py to DIR/person.jsonl, DIR/auction.jsonl and
# DIR/bid.jsonl.  Prints one line per kind: "KIND RECORDS BYTES".
#
# Environment:
#   NEXMARK_CRATE_VERSION  the crate's version (default 0.2.0)
#   SLUICE_NEXMARK_CACHE   install root (default $XDG_CACHE_HOME/sluice/
#                          nexmark or ~/.cache/sluice/nexmark)
set -euo pipefail

events=${1:?usage: gen.sh EVENTS DIR}
dir=${2:?usage: gen.sh EVENTS DIR}
here=$(cd "$(dirname "$0")" && pwd)
version=${NEXMARK_CRATE_VERSION:-0.2.0}
cache=${SLUICE_NEXMARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice/nexmark}
generator=$cache/$version/bin/nexmark

if [ ! -x "$generator" ]; then
  command -v cargo >/dev/null 2>&1 ||
    { echo "gen.sh: cargo is needed once to build the generator" >&2; exit 1; }
  echo "gen.sh: building the nexmark $version generator (once)" >&2
  cargo install nexmark --version "=$version" --features bin --locked \
    --root "$cache/$version" >&2
fi

mkdir -p "$dir"
"$generator" --number "$events" --no-wait --format json |
  python3 "$here/nexmark.py" convert - "$dir"
