#!/bin/bash
# install-test.sh: install libgasync into a temporary prefix, then use it as
# a user would: pkg-config, a tiny C program, the typelib from Python and GJS,
# the PyGObject override.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

srcdir=$1
meson=${MESON:-meson}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

prefix=$work/prefix
"$meson" setup "$work/build" "$srcdir" --prefix="$prefix" --libdir=lib \
  -Dtests=false -Dexamples=false -Dgtk_doc=false -Dintrospection=enabled \
  -Dpython_override=enabled >"$work/setup.log" 2>&1 \
  || { cat "$work/setup.log"; exit 1; }
"$meson" install -C "$work/build" --quiet >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; exit 1; }

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export LD_LIBRARY_PATH=$prefix/lib
export GI_TYPELIB_PATH=$prefix/lib/girepository-1.0

echo "# pkg-config: $(pkg-config --cflags --libs gasync-1)"
test "$(pkg-config --modversion gasync-1)" = "$(sed -n "s/^  version: '\(.*\)',$/\1/p" "$srcdir/meson.build")"

cat >"$work/user.c" <<'C'
#include <gasync.h>

int
main (void)
{
  if (gasync_check_version (GASYNC_MAJOR_VERSION, GASYNC_MINOR_VERSION, 0) != NULL)
    return 1;
  if (gasync_error_quark () == 0 || GASYNC_TYPE_ERROR == G_TYPE_INVALID)
    return 2;
  g_print ("installed libgasync %s works\n", GASYNC_VERSION_S);
  return 0;
}
C
# shellcheck disable=SC2046
cc -o "$work/user" "$work/user.c" $(pkg-config --cflags --libs gasync-1)
"$work/user"

# Only <gasync.h> may be included directly.
cat >"$work/direct.c" <<'C'
#include <gasync-error.h>
int main (void) { return 0; }
C
# shellcheck disable=SC2046
if cc -c -o "$work/direct.o" "$work/direct.c" $(pkg-config --cflags gasync-1) 2>"$work/direct.log"; then
  echo "including a class header directly compiled"; exit 1
fi
grep -q 'Only <gasync.h> can be included directly' "$work/direct.log"

# Only gasync_ symbols are exported.
lib=$(readlink -f "$prefix/lib/libgasync-1.so")
test "$(basename "$(readlink "$prefix/lib/libgasync-1.so.0")")" = "$(basename "$lib")"
if nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^gasync_'; then
  echo "symbols exported without the gasync_ prefix (above)"; exit 1
fi

/usr/bin/python3 -c "
import gi
gi.require_version('Gasync', '1')
from gi.repository import Gasync
assert Gasync.check_version(Gasync.MAJOR_VERSION, Gasync.MINOR_VERSION, 0) is None
print('installed typelib loads in Python')
"
gjs -c "
imports.gi.versions.Gasync = '1';
const Gasync = imports.gi.Gasync;
if (Gasync.check_version(Gasync.MAJOR_VERSION, Gasync.MINOR_VERSION, 0) !== null)
    throw new Error('check_version failed');
print('installed typelib loads in GJS');
"
# The PyGObject override, installed inside the prefix, in its Python module
# directory: PyGObject finds it there once that is on PYTHONPATH.
override=$(find "$prefix" -path '*/gi/overrides/Gasync.py')
test -n "$override" && test "$(echo "$override" | wc -l)" -eq 1
echo "# override: ${override#"$prefix"/}"
PYTHONPATH=$(dirname "$(dirname "$(dirname "$override")")") \
GASYNC_PYTHON_OVERRIDE=$override PYTHONDONTWRITEBYTECODE=1 \
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$srcdir/tests/python/test_override.py"
echo "installed override is used"

echo "install test passed"
