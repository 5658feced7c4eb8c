// test-typelib.js: the Gasync-1 typelib loads in GJS and shows the
// foundation API: versions and the error domain.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

test('runtime version matches the typelib constants', () => {
    assertEqual(Gasync.get_major_version(), Gasync.MAJOR_VERSION);
    assertEqual(Gasync.get_minor_version(), Gasync.MINOR_VERSION);
    assertEqual(Gasync.get_micro_version(), Gasync.MICRO_VERSION);
    assertEqual(Gasync.VERSION_S,
        `${Gasync.MAJOR_VERSION}.${Gasync.MINOR_VERSION}.${Gasync.MICRO_VERSION}`);
});

test('check_version accepts this version and refuses a newer one', () => {
    assertEqual(Gasync.check_version(Gasync.MAJOR_VERSION, Gasync.MINOR_VERSION, 0), null);
    assert(typeof Gasync.check_version(Gasync.MAJOR_VERSION + 1, 0, 0) === 'string');
});

test('the error domain is registered with its codes', () => {
    assertEqual(GLib.quark_to_string(Gasync.error_quark()), 'gasync-error-quark');
    assertEqual(Gasync.Error.FAILED, 0);
    assertEqual(Gasync.Error.CLOSED, 7);
    const err = new GLib.Error(Gasync.error_quark(), Gasync.Error.TIMEOUT, 'late');
    assert(err.matches(Gasync.error_quark(), Gasync.Error.TIMEOUT));
    assert(!err.matches(Gasync.error_quark(), Gasync.Error.FAILED));
});

test('an async test settles on the main loop', async () => {
    const value = await new Promise(resolve => {
        GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            resolve(Gasync.get_major_version());
            return GLib.SOURCE_REMOVE;
        });
    });
    assertEqual(value, Gasync.MAJOR_VERSION);
});

run();
