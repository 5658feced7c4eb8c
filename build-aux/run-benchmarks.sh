#!/bin/bash
# run-benchmarks.sh: build libgasync optimised and run its benchmark suite.
#
#   build-aux/run-benchmarks.sh              medians of 15 runs at full size
#   build-aux/run-benchmarks.sh --quick      one small run each (a smoke run)
#   build-aux/run-benchmarks.sh --callgrind  instructions per operation,
#                                            under valgrind's callgrind
#
# Each benchmark prints the libgasync figure, the raw-GLib anchor measured
# in the same run, their ratio and the peak RSS. The figures are gathered
# in _build-bench/bench-report.json and drawn in _build-bench/bench-report.png
# (ratios; below 1 means libgasync is faster than its anchor). Callgrind's
# counts go to _build-bench/callgrind/ and _build-bench/callgrind-report.json.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-}
dir=_build-bench

if [ -f "$dir/build.ninja" ]; then
  meson setup --reconfigure "$dir" --buildtype=release -Dintrospection=disabled >/dev/null
else
  meson setup "$dir" --buildtype=release -Dintrospection=disabled >/dev/null
fi
meson compile -C "$dir" >/dev/null

rm -rf "$dir/bench-report.jsonl" "$dir/callgrind"
mkdir -p "$dir/callgrind"
for bench in "$dir"/tests/benchmarks/bench-*; do
  [ -f "$bench" ] && [ -x "$bench" ] || continue
  echo "=== $(basename "$bench")"
  case "$mode" in
    --callgrind)
      valgrind --tool=callgrind --instr-atstart=no --max-threads=2048 \
        --callgrind-out-file="$dir/callgrind/$(basename "$bench").%p" \
        "$bench" --callgrind --json "$dir/bench-report.jsonl" 2>/dev/null ;;
    --quick)
      "$bench" --quick --json "$dir/bench-report.jsonl" ;;
    *)
      "$bench" --json "$dir/bench-report.jsonl" ;;
  esac
done

/usr/bin/python3 build-aux/bench-report.py "$dir" "$mode"
