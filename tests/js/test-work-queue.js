// test-work-queue.js: the main-context forms of GasyncWorkQueue and
// GasyncBatch from GJS: JavaScript begins each item's async work and ends
// its token later, at most `parallelism` in flight.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.WorkQueue.prototype, 'close_async');
Gio._promisify(Gasync.Batch.prototype, 'run_async');

const Item = GObject.registerClass({
    Properties: {
        index: GObject.ParamSpec.int('index', 'Index', 'Index',
            GObject.ParamFlags.READWRITE, 0, 1000000, 0),
    },
}, class Item extends GObject.Object {});

function makeItems(n) {
    return Array.from({length: n}, (_, i) => new Item({index: i}));
}

// Ends the token a little later, as a real async call would.
function endLater(token) {
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 1, () => {
        token.end();
        return GLib.SOURCE_REMOVE;
    });
}

test('a main-context work queue runs JS work with bounded parallelism', async () => {
    let inFlight = 0, maxInFlight = 0;
    const seen = [];
    const errors = [];
    const queue = Gasync.WorkQueue.new_for_main_context((item, token) => {
        seen.push(item.index);
        if (item.index === 7)
            throw new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'seven');
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 1, () => {
            inFlight--;
            token.end();
            return GLib.SOURCE_REMOVE;
        });
        return true;
    });
    queue.connect('error', (q, item, error) => errors.push([item.index, error.message]));
    queue.parallelism = 3;
    queue.start();
    for (const item of makeItems(20))
        assert(queue.try_enqueue(item));

    const [nDiscarded] = await queue.close_async(null);
    assertEqual(nDiscarded, 0);
    assertEqual(seen.length, 20);
    assertEqual(new Set(seen).size, 20);
    assertEqual(maxInFlight, 3);
    await new Promise(resolve => GLib.idle_add(GLib.PRIORITY_LOW, () => resolve()));
    assertEqual(errors.length, 1);
    assertEqual(errors[0][0], 7);
    assertEqual(errors[0][1], 'seven');
});

test('a main-context batch collects every error', async () => {
    const batch = Gasync.Batch.new_for_main_context((item, token) => {
        if (item.index % 5 === 0)
            throw new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, `item ${item.index}`);
        endLater(token);
        return true;
    });
    batch.parallelism = 2;
    assert(await batch.run_async(makeItems(5).slice(1), null));
    try {
        await batch.run_async(makeItems(11), null);
        assert(false, 'a failing batch succeeded');
    } catch (e) {
        assert(e.matches(Gasync.error_quark(), Gasync.Error.FAILED), `${e}`);
        assert(e.message.includes('3 of 11'), e.message);
    }
    const messages = batch.dup_errors().map(e => e.message).sort();
    assertEqual(messages.join(','), 'item 0,item 10,item 5');
});

run();
