# gasync_test_util.py: what libgasync's Python tests share
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import time

import gi

gi.require_version('GLib', '2.0')
from gi.repository import GLib  # noqa: E402

# The bound, in seconds, of a wait that should end soon.
TIMEOUT_S = 30


def iterate_until(predicate, context=None, seconds=TIMEOUT_S):
    """Iterates context (the default one) until predicate() holds, as
    gasync_test_iterate_until() does for the C tests; fails the test after
    seconds. A tick re-checks predicate() every few milliseconds, for
    conditions that other threads change without waking the context."""
    context = context or GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    tick = GLib.timeout_source_new(5)
    tick.set_callback(lambda *args: GLib.SOURCE_CONTINUE)
    tick.attach(context)
    try:
        while not predicate():
            assert time.monotonic() < deadline, \
                f'condition not reached within {seconds} s'
            # A context that another thread holds is not ours to block in.
            if context.acquire():
                try:
                    context.iteration(True)
                finally:
                    context.release()
            else:
                time.sleep(0.005)
    finally:
        tick.destroy()
    return True
