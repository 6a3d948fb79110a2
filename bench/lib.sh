# SPDX-License-Identifier: Apache-2.0
# Shell functions the benchmark scripts share (sourced by bench/run.sh,
# bench/stateful/run.sh, bench/predict/run.sh and bench/nexmark/run.sh).
#
# The figures committed in bench/results/ come only from full runs: every
# setting of the part at its default, an optimized build without
# sanitizers, every check passed.  Any other run (fewer records, fewer
# queries, no peers, a debug build, ...) writes its results files to a
# results/ folder of its own work directory, which outlives the run, and
# says where, so that a partial run never replaces the committed figures.

# bench_optimized_build BUILD_DIR: succeeds when BUILD_DIR was configured
# as an optimized build (Release, RelWithDebInfo or MinSizeRel) without
# SLUICE_SANITIZE.
bench_optimized_build() {
  local cache=$1/CMakeCache.txt
  [ -f "$cache" ] &&
    grep -Eq '^CMAKE_BUILD_TYPE:[A-Z]+=(Release|RelWithDebInfo|MinSizeRel)$' \
      "$cache" &&
    ! grep -Eiq '^SLUICE_SANITIZE:BOOL=(ON|TRUE|YES|Y|1)$' "$cache"
}

# bench_keep_results FILE NAME FULL WORK ROOT: stores the results file FILE
# as ROOT/bench/results/NAME when FULL is 1, else as WORK/results/NAME
# (WORK/results is then kept by bench_clean_work); prints where to
# standard error.
bench_keep_results() {
  local file=$1 name=$2 full=$3 work=$4 root=$5 dest
  if [ "$full" = 1 ]; then
    dest=$root/bench/results/$name
  else
    dest=$work/results/$name
  fi
  mkdir -p "$(dirname "$dest")"
  cp "$file" "$dest"
  if [ "$full" = 1 ]; then
    echo "bench: results written to $dest" >&2
  else
    echo "bench: not a full run with the default settings (or not an" \
         "optimized build): results written to $dest, not to" \
         "bench/results/$name" >&2
  fi
}

# bench_clean_work WORK: removes the work directory WORK, all but its
# results/ folder when a run kept results there.
bench_clean_work() {
  local work=$1
  [ -d "$work" ] || return 0
  if [ -d "$work/results" ]; then
    find "$work" -mindepth 1 -maxdepth 1 ! -name results -exec rm -rf {} +
  else
    rm -rf "$work"
  fi
}
