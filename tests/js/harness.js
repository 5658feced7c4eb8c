// harness.js: a tiny TAP test harness for GJS tests of libgasync.
//
// Each test is a function, possibly async; run() iterates a GLib.MainLoop
// until every test has settled (or a bounded guard fires) and exits non-zero
// on any failure. GJS 1.74 has no MainLoop.runAsync, so we run it ourselves.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import System from 'system';

const tests = [];

export function test(name, fn) {
    tests.push({name, fn});
}

export function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new Error(message);
}

export function assertEqual(actual, expected, message = '') {
    if (actual !== expected)
        throw new Error(`${message} expected ${expected}, got ${actual}`);
}

export function run(guardSeconds = 60) {
    const loop = new GLib.MainLoop(null, false);
    let failed = 0;
    let finished = false;

    const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, guardSeconds, () => {
        printerr(`# tests did not settle within ${guardSeconds} s`);
        failed++;
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });

    (async () => {
        print(`1..${tests.length}`);
        for (const [i, t] of tests.entries()) {
            try {
                // eslint-disable-next-line no-await-in-loop
                await t.fn();
                print(`ok ${i + 1} ${t.name}`);
            } catch (e) {
                failed++;
                print(`not ok ${i + 1} ${t.name}`);
                printerr(`# ${e}\n${e.stack}`);
            }
        }
        finished = true;
        loop.quit();
    })();

    if (!finished)
        loop.run();
    GLib.source_remove(guard);
    System.exit(failed > 0 ? 1 : 0);
}
