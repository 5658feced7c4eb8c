#!/bin/bash
# run-benchmarks.sh: build libgasync optimised and run its benchmark suite.
#
#   build-aux/run-benchmarks.sh              medians of 7 interleaved rounds
#   build-aux/run-benchmarks.sh --quick      one small round each (a smoke run)
#   build-aux/run-benchmarks.sh --callgrind  marginal instructions per
#                                            operation, under callgrind
#
# Each benchmark compares a libgasync hot path with its anchor (raw GLib,
# or for the Python path concurrent.futures and Gio.Task) in the same
# rounds, alternating which goes first, and prints the medians, the median
# per-round ratio with its range, the load average at the start and end
# and the peak RSS (tests/benchmarks/bench-util.h). The records are
# gathered in _build-bench/bench-report.json, drawn in
# _build-bench/bench-report.png (ratios; below 1 means libgasync is
# faster) and tabled in _build-bench/bench-report.md, the README's table.
#
# With --callgrind only the timed regions are instrumented and each
# section runs at N and 2N operations: _build-bench/callgrind-report.json
# (and .md) give (count(2N) - count(N)) / N per operation, the figure to
# compare one commit with the next. The raw dumps are in
# _build-bench/callgrind/.
#
# The Python benchmark runs when the typelib was built (introspection is
# enabled when available), except under callgrind.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
mode=${1:-}
dir=_build-bench
# Introspection (for the Python benchmark) except under callgrind, where
# the Python benchmark does not run.
introspection=auto
[ "$mode" = --callgrind ] && introspection=disabled
options=(--buildtype=release -Dintrospection=$introspection -Dvapi=disabled
         -Dgtk_doc=false -Dexamples=false)

case "$mode" in
  ""|--quick|--callgrind) ;;
  *) echo "usage: $0 [--quick|--callgrind]" >&2; exit 2 ;;
esac

if [ -f "$dir/build.ninja" ]; then
  meson setup --reconfigure "$dir" "${options[@]}" >/dev/null
else
  meson setup "$dir" "${options[@]}" >/dev/null
fi
meson compile -C "$dir" >/dev/null

rm -rf "$dir/bench-report.jsonl" "$dir/callgrind"
mkdir -p "$dir/callgrind"
# For the report's header.
git describe --always --dirty > "$dir/bench-commit" 2>/dev/null || echo unknown > "$dir/bench-commit"
run_bench () {
  local bench=$1 name slice
  name=$(basename "$bench")
  echo "=== $name"
  # bench-memory measures malloc()'s view of the heap: GSlice off, as from
  # GLib 2.76 on (GLib reads G_SLICE before main()).
  case "$name" in
    bench-memory) slice=always-malloc ;;
    *) slice=${G_SLICE:-} ;;
  esac
  case "$mode" in
    --callgrind)
      G_SLICE=$slice valgrind --tool=callgrind --instr-atstart=no --max-threads=4096 \
        --callgrind-out-file="$dir/callgrind/$name.%p" \
        "$bench" --callgrind --json "$dir/bench-report.jsonl" 2>/dev/null ;;
    --quick)
      G_SLICE=$slice "$bench" --quick --json "$dir/bench-report.jsonl" ;;
    *)
      G_SLICE=$slice "$bench" --json "$dir/bench-report.jsonl" ;;
  esac
}

# bench-fanout last: its 10,000 threads push the load average into the
# hundreds for minutes, which would weigh on every row after it.
for bench in "$dir"/tests/benchmarks/bench-*; do
  [ -f "$bench" ] && [ -x "$bench" ] || continue
  [ "$(basename "$bench")" = bench-fanout ] || run_bench "$bench"
done

if [ "$introspection" != disabled ] && [ -f "$dir/libgasync/Gasync-1.typelib" ]; then
  echo "=== bench-python"
  # With the PyGObject override, as installed.
  PYTHONPATH="bindings/python${PYTHONPATH:+:$PYTHONPATH}" \
  GI_TYPELIB_PATH="$dir/libgasync${GI_TYPELIB_PATH:+:$GI_TYPELIB_PATH}" \
  LD_LIBRARY_PATH="$dir/libgasync${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    /usr/bin/python3 tests/benchmarks/bench-python.py $mode --json "$dir/bench-report.jsonl"
fi

[ -x "$dir/tests/benchmarks/bench-fanout" ] && run_bench "$dir/tests/benchmarks/bench-fanout"

/usr/bin/python3 build-aux/bench-report.py "$dir" "$mode"
