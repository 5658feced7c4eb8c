// test-workers.js: the main-loop forms of the worker classes from GJS:
// GasyncWaitGroup.wait_async, a main-context GasyncWorker and
// GasyncInterval, and notify::state on the owner context.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.WaitGroup.prototype, 'wait_async', 'wait_finish');

const Item = GObject.registerClass({
    Properties: {
        'number': GObject.ParamSpec.int('number', 'Number', 'The number',
            GObject.ParamFlags.READWRITE, 0, 1000, 0),
    },
}, class Item extends GObject.Object {});

function idle() {
    return new Promise(resolve => {
        GLib.idle_add(GLib.PRIORITY_LOW, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

test('wait_async resolves when the count reaches zero', async () => {
    const group = new Gasync.WaitGroup();
    group.add(3);
    const waiting = group.wait_async(null);
    for (let i = 0; i < 3; i++)
        GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            group.done();
            return GLib.SOURCE_REMOVE;
        });
    assertEqual(await waiting, true);
    assertEqual(group.get_n_outstanding(), 0);
});

test('wait_async on a zero count resolves at once', async () => {
    const group = new Gasync.WaitGroup();
    assertEqual(await group.wait_async(null), true);
});

test('wait_async rejects when cancelled', async () => {
    const group = new Gasync.WaitGroup();
    group.add(1);
    const cancellable = new Gio.Cancellable();
    const waiting = group.wait_async(cancellable);
    cancellable.cancel();
    let caught = null;
    try {
        await waiting;
    } catch (e) {
        caught = e;
    }
    assert(caught !== null, 'not cancelled');
    assert(caught.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `${caught}`);
    group.done();
});

test('a main-context worker runs JavaScript items in order', async () => {
    const seen = [];
    const errors = [];
    const worker = Gasync.Worker.new_for_main_context(item => {
        seen.push(item.number);
        return item.number !== 2;
    });
    worker.connect('error', (w, error) => errors.push(error));
    worker.start();
    assertEqual(worker.state, Gasync.LatchState.STARTED);
    for (let i = 0; i < 5; i++)
        assert(worker.enqueue(new Item({number: i})));
    while (seen.length < 5)
        // eslint-disable-next-line no-await-in-loop
        await idle();
    worker.stop(null);
    assertEqual(worker.state, Gasync.LatchState.STOPPED);
    assertEqual(seen.join(), '0,1,2,3,4');
    while (errors.length < 1)
        // eslint-disable-next-line no-await-in-loop
        await idle();
    assert(errors[0].matches(Gasync.error_quark(), Gasync.Error.FAILED), `${errors[0]}`);
    assert(!worker.enqueue(new Item()), 'a stopped worker took an item');
});

// CockroachDB pkg/util/leaktest: AfterTest() lists what was started and not
// stopped; a worker is listed by its name while it runs.
test('a named main-context worker is listed as a leak while it runs', () => {
    const leaked = () => Gasync.leaks_check(0)
        .filter(leak => leak.get_kind() === 'GasyncWorker')
        .map(leak => leak.get_name());
    const worker = Gasync.Worker.new_for_main_context(() => true);
    worker.name = 'js: mailer';
    assertEqual(worker.get_name(), 'js: mailer');
    assert(!leaked().includes('js: mailer'), 'listed before start');
    worker.start();
    assert(leaked().includes('js: mailer'), 'not listed once started');
    worker.stop(null);
    assert(!leaked().includes('js: mailer'), 'listed once stopped');
});

test('a main-context interval runs until stopped, with notify::state', async () => {
    let runs = 0;
    const states = [];
    const ticking = Gasync.Interval.new(() => {
        runs++;
        return true;
    });
    ticking.interval = 5000;
    ticking.mode = Gasync.IntervalMode.MAIN_CONTEXT;
    ticking.connect('notify::state', obj => states.push(obj.state));
    ticking.start();
    while (runs < 3)
        // eslint-disable-next-line no-await-in-loop
        await idle();
    ticking.stop(null);
    while (states.length < 4)
        // eslint-disable-next-line no-await-in-loop
        await idle();
    assertEqual(states[states.length - 1], Gasync.LatchState.STOPPED);
    assertEqual(ticking.get_state(), Gasync.LatchState.STOPPED);
});

run();
