#!/usr/bin/python3
# gasync-demo.py: what a Python user writes to use libgasync.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi

gi.require_version('Gasync', '1')
from gi.repository import GLib, Gasync  # noqa: E402

mismatch = Gasync.check_version(Gasync.MAJOR_VERSION, Gasync.MINOR_VERSION, 0)
if mismatch is not None:
    raise SystemExit('gasync-demo.py: ' + mismatch)

print('gasync-demo.py: running libgasync %d.%d.%d' % (
    Gasync.get_major_version(), Gasync.get_minor_version(),
    Gasync.get_micro_version()))
print('gasync-demo.py: error domain %s, UNAVAILABLE = %d' % (
    GLib.quark_to_string(Gasync.error_quark()), int(Gasync.Error.UNAVAILABLE)))
