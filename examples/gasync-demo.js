// gasync-demo.js: what a GJS user writes to use libgasync.
// Run with: gjs -m examples/gasync-demo.js
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gasync from 'gi://Gasync?version=1';

const mismatch = Gasync.check_version(Gasync.MAJOR_VERSION, Gasync.MINOR_VERSION, 0);
if (mismatch !== null)
    throw new Error(`gasync-demo.js: ${mismatch}`);

print(`gasync-demo.js: running libgasync ${Gasync.get_major_version()}.` +
      `${Gasync.get_minor_version()}.${Gasync.get_micro_version()}`);
print(`gasync-demo.js: error domain ${GLib.quark_to_string(Gasync.error_quark())}, ` +
      `UNAVAILABLE = ${Gasync.Error.UNAVAILABLE}`);
