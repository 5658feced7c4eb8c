#!/bin/bash
# run-demo.sh: build libgasync in _build and run its demo: a small D-Bus
# service (examples/gasync-demo.c) driven with gdbus and stopped with
# SIGTERM, then the same service written in Python and in GJS. Without a
# session bus it starts a private one (dbus-run-session).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  exec dbus-run-session -- "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
fi

if [ -f _build/build.ninja ]; then
  meson setup --reconfigure _build >/dev/null
else
  meson setup _build >/dev/null
fi
meson compile -C _build >/dev/null

drive () {
  echo
  echo "=== $1"
  meson devenv -C _build ../build-aux/demo-drive.sh "${@:2}"
}
drive "the C service" org.gnome.GasyncDemo ./examples/gasync-demo
drive "the Python service" org.gnome.GasyncDemo.Python /usr/bin/python3 ../examples/gasync-demo.py
drive "the GJS service" org.gnome.GasyncDemo.Js gjs -m ../examples/gasync-demo.js
