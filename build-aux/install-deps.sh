#!/bin/bash
# install-deps.sh: install the Debian 12 packages that build and test
# libgasync. Runs apt-get as root, through sudo otherwise.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin
  # introspection and the bindings tests
  gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0
  python3-gi python3-pytest gjs
  # the Vala bindings and their test
  valac
  # reference manual, cross-linked to GLib's
  gtk-doc-tools libglib2.0-doc
  # the demo: a private session bus
  dbus-daemon
  # the fuzz target: clang's libFuzzer
  clang libclang-rt-14-dev
  # memory checking, and instruction counts for the benchmarks
  valgrind libc6-dbg
  # benchmark charts
  gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
