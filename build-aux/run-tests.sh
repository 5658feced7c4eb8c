#!/bin/bash
# run-tests.sh: build libgasync and run the whole test suite:
#   1. the default build: C tests, Python and GJS bindings tests, the install
#      test and the reference manual's coverage check;
#   2. the C tests under valgrind memcheck, with GLib's suppressions;
#   3. the C tests in an ASan+UBSan build, then the soak there: the stress
#      scenarios at random for $GASYNC_SOAK_SECONDS (60 by default);
#   4. the C tests in a TSan build;
#   5. the libFuzzer target (clang, ASan+UBSan) for a bounded time;
#   6. a parent project (tests/subproject) that builds libgasync as a Meson
#      subproject: only its own test may be defined.
# Build directories are _build, _build-asan, _build-tsan, _build-fuzz and
# _build-subproject. It ends with a
# line "summary: N passed, N failed" and fails if any test failed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

cd "$(dirname "$0")/.."
passed=0
failed=0
status=0

setup () {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi || { echo "run-tests: meson setup $dir failed"; exit 1; }
  meson compile -C "$dir" >/dev/null || { meson compile -C "$dir"; exit 1; }
}

run () {
  local label=$1; shift
  local log
  echo "=== $label: meson test $*"
  log=$(meson test --print-errorlogs "$@" 2>&1)
  local rc=$?
  echo "$log" | grep -vE '^(ninja: |$)'
  passed=$((passed + $(echo "$log" | sed -n 's/^Ok: *\([0-9]*\).*/\1/p' | tail -n1)))
  failed=$((failed + $(echo "$log" | sed -n 's/^Fail: *\([0-9]*\).*/\1/p' | tail -n1) \
                   + $(echo "$log" | sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' | tail -n1)))
  [ $rc -eq 0 ] || status=1
}

setup _build -Dgtk_doc=true
run "default build" -C _build --no-suite soak
run "valgrind memcheck" -C _build --setup valgrind --suite c

setup _build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=disabled
run "ASan+UBSan" -C _build-asan --suite c
run "soak (ASan+UBSan)" -C _build-asan --suite soak
grep -h '^# soak:' _build-asan/meson-logs/testlog.txt

setup _build-tsan -Db_sanitize=thread -Dintrospection=disabled
run "TSan" -C _build-tsan --suite c

CC=clang setup _build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
  -Db_lundef=false -Dintrospection=disabled -Dexamples=false
run "libFuzzer" -C _build-fuzz --suite fuzz

setup _build-subproject tests/subproject
run "subproject" -C _build-subproject
if [ "$(meson test -C _build-subproject --list 2>/dev/null | grep -v "^ninja:")" != "parent" ]; then
  echo "run-tests: the subproject defines tests of its own:"
  meson test -C _build-subproject --list
  failed=$((failed + 1))
  status=1
fi

echo "summary: $passed passed, $failed failed"
exit $status
