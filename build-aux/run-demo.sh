#!/bin/bash
# run-demo.sh: build libgasync in _build and run its demo program, then the
# same program through the typelib from Python and GJS.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -f _build/build.ninja ]; then
  meson setup --reconfigure _build >/dev/null
else
  meson setup _build >/dev/null
fi
meson compile -C _build >/dev/null

meson devenv -C _build ./examples/gasync-demo
meson devenv -C _build /usr/bin/python3 ../examples/gasync-demo.py
meson devenv -C _build gjs -m ../examples/gasync-demo.js
