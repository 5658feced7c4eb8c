// test-work-queue.js: the main-context forms of GasyncWorkQueue and
// GasyncBatch from GJS: JavaScript begins each item's async work and ends
// its token later, at most `parallelism` in flight; a queue stops and
// starts again.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.WorkQueue.prototype, 'close_async');
Gio._promisify(Gasync.WorkQueue.prototype, 'stop_async');
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

// Mirrors blend's Test_Queue_Start_Stop_Start (async/queue_test.go).
test('a main-context work queue stops and starts again', async () => {
    const seen = [];
    let inFlight = 0;
    const queue = Gasync.WorkQueue.new_for_main_context((item, token) => {
        seen.push(item.index);
        inFlight++;
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 1, () => {
            inFlight--;
            token.end();
            return GLib.SOURCE_REMOVE;
        });
        return true;
    });
    queue.parallelism = 2;
    const items = makeItems(21);

    for (const round of [0, 1]) {
        queue.start();
        assert(queue.is_started());
        for (const item of items.slice(round * 10, (round + 1) * 10))
            assert(queue.try_enqueue(item));
        const stopping = queue.stop_async(null);
        assert(!queue.is_started());
        if (round === 0) // kept for the next start
            assert(queue.try_enqueue(items[20]));
        // eslint-disable-next-line no-await-in-loop
        assertEqual(await stopping, true);
        assertEqual(inFlight, 0);
        assertEqual(seen.length, round === 0 ? 10 : 21);
        assertEqual(queue.get_n_queued(), round === 0 ? 1 : 0);
    }
    assertEqual(new Set(seen).size, 21);
    assertEqual(seen[10], 20);

    try {
        await queue.stop_async(null);
        assert(false, 'a stopped queue stopped again');
    } catch (e) {
        assert(e.matches(Gasync.error_quark(), Gasync.Error.NOT_STARTED), `${e}`);
    }
    const [nDiscarded] = await queue.close_async(null);
    assertEqual(nDiscarded, 0);
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

// CockroachDB pkg/util/leaktest: AfterTest() lists what was started and not
// stopped; a queue is listed by its name from start to close.
test('a named main-context queue is listed as a leak until closed', async () => {
    const leaked = () => Gasync.leaks_check(0)
        .filter(leak => leak.get_kind() === 'GasyncWorkQueue')
        .map(leak => leak.get_name());
    const queue = Gasync.WorkQueue.new_for_main_context((item, token) => {
        endLater(token);
        return true;
    });
    let notified = 0;
    queue.connect('notify::name', () => notified++);
    queue.name = 'js: thumbnails';
    assertEqual(queue.get_name(), 'js: thumbnails');
    assertEqual(notified, 1);
    assert(!leaked().includes('js: thumbnails'), 'listed before start');
    queue.start();
    assert(queue.try_enqueue(makeItems(1)[0]));
    assert(leaked().includes('js: thumbnails'), 'not listed once started');
    await queue.close_async(null);
    assert(!leaked().includes('js: thumbnails'), 'listed once closed');
});

run();
