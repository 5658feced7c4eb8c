#!/bin/bash
# demo-drive.sh BUS_NAME COMMAND...: start one of the demo services, call it
# over the session bus a few times with gdbus, stop it with SIGTERM and show
# how it shut down. Exits with the service's exit status.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -uo pipefail

name=$1; shift
path=/org/gnome/GasyncDemo
iface=org.gnome.GasyncDemo

call () {
  echo "\$ gdbus call ... $iface.$*"
  gdbus call --session -d "$name" -o "$path" -m "$iface.$1" "${@:2}"
}

"$@" &
pid=$!
if ! gdbus wait --session --timeout 20 "$name"; then
  echo "demo-drive: $name did not appear on the bus"
  kill -KILL "$pid"
  exit 1
fi
call Submit thumbnail 3
call Submit index 2
call RunningTasks
# Let the first jobs finish and the ticker tick (a demo, not a test: it
# only paces the show), then stop the service with two jobs still running.
sleep 1
call Submit upload 2
call RunningTasks
echo "\$ gdbus call ... org.freedesktop.DBus.Properties.Get $iface Ticks"
gdbus call --session -d "$name" -o "$path" \
  -m org.freedesktop.DBus.Properties.Get "$iface" Ticks
echo "\$ kill -TERM $pid"
kill -TERM "$pid"
wait "$pid"
status=$?
echo "demo-drive: $name exited with status $status"
exit $status
