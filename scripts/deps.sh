#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The one list of Debian packages Sluice needs to build, test and demo.
# Installs whatever is missing when run as root; otherwise prints the exact
# apt-get line and fails.  Quick when everything is present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config make
  librdkafka-dev libsqlite3-dev lemon libcmocka-dev
  libxgboost-dev libedit-dev libpcre2-dev libssl-dev libxxhash-dev
  tzdata kcat clang libclang-rt-14-dev
  openjdk-17-jdk-headless maven
  python3 python3-xgboost python3-sklearn python3-numpy
  tmux procps
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing+=("$p") ;;
  esac
done

# A JDK and Maven that are not Debian's (an SDK install) also serve.
if command -v java >/dev/null && command -v mvn >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in openjdk-17-jdk-headless|maven) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]}")
fi

[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "sluice: missing system packages; run as root:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi

echo "sluice: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends ${missing[*]} >/dev/null
