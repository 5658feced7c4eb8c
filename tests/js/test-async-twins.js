// test-async-twins.js: the _async/_finish twins of the blocking calls from
// GJS, with Gio._promisify and await in the harness's real main loop, where
// the blocking forms would iterate a nested loop that runs no promise job:
// quiescing and stopping after an await, running an event loop whose
// callbacks await, waiting on its reservations, an enqueue into a full
// main-context queue, and worker and queue stops.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.Stopper.prototype, 'quiesce_async');
Gio._promisify(Gasync.Stopper.prototype, 'stop_async');
Gio._promisify(Gasync.Stopper.prototype, 'run_limited_task_async');
Gio._promisify(Gasync.EventLoop.prototype, 'start_async');
Gio._promisify(Gasync.EventLoop.prototype, 'wait_on_registered_async');
Gio._promisify(Gasync.WorkQueue.prototype, 'enqueue_async');
Gio._promisify(Gasync.WorkQueue.prototype, 'stop_async');
Gio._promisify(Gasync.WorkQueue.prototype, 'close_async');
Gio._promisify(Gasync.Worker.prototype, 'stop_async');
Gio._promisify(Gasync.Worker.prototype, 'close_async');
Gio._promisify(Gasync.Latch.prototype, 'wait_started_async');
Gio._promisify(Gasync.Latch.prototype, 'wait_stopped_async');
Gio._promisify(Gasync.Interval.prototype, 'stop_async');

function timeout(ms) {
    return new Promise(resolve => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

function errorMatches(e, domain, code) {
    return e instanceof GLib.Error && e.matches(domain, code);
}

test('quiesce_async after an await waits for a token a promise ends', async () => {
    const stopper = new Gasync.Stopper();
    const events = [];
    await timeout(5);
    const token = stopper.begin_task('js: fetch');
    (async () => {
        await timeout(30);
        events.push('work-done');
        token.end();
    })();
    const quiesced = stopper.quiesce_async(null);
    assertEqual(stopper.get_state(), Gasync.StopperState.QUIESCING);
    assertEqual(await quiesced, true);
    events.push('quiesced');
    assertEqual(events.join(','), 'work-done,quiesced');
    assertEqual(stopper.get_n_tasks(), 0);
    // Then stopping, after another await.
    await timeout(5);
    assertEqual(await stopper.stop_async(null), true);
    assert(stopper.is_stopped());
});

test('quiesce_async can be cancelled; the quiescing goes on', async () => {
    const stopper = new Gasync.Stopper();
    const token = stopper.begin_task('js: long');
    const cancellable = new Gio.Cancellable();
    const quiesced = stopper.quiesce_async(cancellable);
    cancellable.cancel();
    let error = null;
    try {
        await quiesced;
    } catch (e) {
        error = e;
    }
    assert(errorMatches(error, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
        `expected CANCELLED, got ${error}`);
    assertEqual(stopper.get_state(), Gasync.StopperState.QUIESCING);
    token.end();
    await stopper.stop_async(null);
});

test('run_limited_task_async is refused with UNAVAILABLE once quiescing', async () => {
    const stopper = new Gasync.Stopper();
    const semaphore = Gasync.Semaphore.new(1);
    await stopper.quiesce_async(null);
    let error = null;
    try {
        // Refused before it could run: a JavaScript function never runs on
        // the pool thread.
        await stopper.run_limited_task_async('js: late', semaphore, null,
            () => true);
    } catch (e) {
        error = e;
    }
    assert(errorMatches(error, Gasync.error_quark(), Gasync.Error.UNAVAILABLE),
        `expected UNAVAILABLE, got ${error}`);
    await stopper.stop_async(null);
});

test('start_async runs callbacks that await, from the real main loop', async () => {
    const loop = Gasync.EventLoop.new(null);
    const events = [];
    loop.set_timeout(0, () => {
        events.push('first');
        const pending = loop.reserve_callback();
        (async () => {
            await timeout(20);
            pending.enqueue(() => {
                events.push('settled');
                return true;
            });
        })();
        return true;
    });
    const ran = loop.start_async(null);
    assertEqual(events.length, 0);
    assertEqual(await ran, true);
    assertEqual(events.join(','), 'first,settled');
});

test('wait_on_registered_async after a failed start_async', async () => {
    const loop = Gasync.EventLoop.new(null);
    const events = [];
    const late = loop.reserve_callback();
    loop.set_timeout(0, () => {
        throw new Error('boom');
    });
    let error = null;
    try {
        await loop.start_async(null);
    } catch (e) {
        error = e;
    }
    assert(error !== null, 'start_async did not fail');
    (async () => {
        await timeout(20);
        late.enqueue(() => {
            events.push('late');
            return true;
        });
    })();
    assertEqual(await loop.wait_on_registered_async(null), true);
    assertEqual(events.join(','), 'late');
    // The loop can run again.
    assertEqual(await loop.start_async(null), true);
});

test('enqueue_async into a full main-context queue, then stop after an await', async () => {
    const begun = [];
    const queue = Gasync.WorkQueue.new_for_main_context((item, token) => {
        begun.push(item.get_name());
        (async () => {
            await timeout(5);
            token.end();
        })();
        return true;
    });
    queue.set_parallelism(1);
    queue.set_max_work(1);
    queue.start();
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const name of names) {
        // eslint-disable-next-line no-await-in-loop
        assertEqual(await queue.enqueue_async(Gio.SimpleAction.new(name, null), null),
            true);
    }
    await timeout(5);
    assertEqual(await queue.stop_async(null), true);
    assertEqual(begun.join(','), names.join(','));
    const [n] = await queue.close_async(null);
    assertEqual(n, 0);
});

test('enqueue_async waiting for room fails with CLOSED when the queue closes', async () => {
    const tokens = [];
    let release = false;
    const queue = Gasync.WorkQueue.new_for_main_context((item, token) => {
        if (release)
            token.end();
        else
            tokens.push(token);
        return true;
    });
    queue.set_parallelism(1);
    queue.set_max_work(1);
    queue.start();
    queue.try_enqueue(Gio.SimpleAction.new('a', null));
    await timeout(5);
    queue.try_enqueue(Gio.SimpleAction.new('b', null));
    const waiting = queue.enqueue_async(Gio.SimpleAction.new('c', null), null);
    const closed = queue.close_async(null);
    let error = null;
    try {
        await waiting;
    } catch (e) {
        error = e;
    }
    assert(errorMatches(error, Gasync.error_quark(), Gasync.Error.CLOSED),
        `expected CLOSED, got ${error}`);
    release = true;
    tokens.forEach(t => t.end());
    const [n] = await closed;
    assertEqual(n, 0);
});

test('a main-context worker stops with stop_async after an await', async () => {
    const processed = [];
    const worker = Gasync.Worker.new_for_main_context(item => {
        processed.push(item.get_name());
        return true;
    });
    worker.start();
    for (const name of ['x', 'y', 'z'])
        assert(worker.enqueue(Gio.SimpleAction.new(name, null)));
    await timeout(5);
    assertEqual(await worker.stop_async(null), true);
    assertEqual(processed.join(','), 'x,y,z');
    assertEqual(worker.get_state(), Gasync.LatchState.STOPPED);
    // A stopped worker is closed with nothing to discard.
    assertEqual(await worker.close_async(), 0);
});

test('latch waits are awaited; a main-context interval stops after an await', async () => {
    const latch = Gasync.Latch.new();
    latch.starting();
    const started = latch.wait_started_async(null);
    (async () => {
        await timeout(10);
        latch.started();
    })();
    assertEqual(await started, true);
    latch.stopping();
    const stopped = latch.wait_stopped_async(null);
    await timeout(5);
    latch.stopped();
    assertEqual(await stopped, true);

    let runs = 0;
    const interval = Gasync.Interval.new(() => {
        runs++;
        return true;
    });
    interval.set_mode(Gasync.IntervalMode.MAIN_CONTEXT);
    interval.set_interval(1000);
    interval.start();
    while (runs === 0)
        // eslint-disable-next-line no-await-in-loop
        await timeout(5);
    assertEqual(await interval.stop_async(null), true);
    assertEqual(interval.get_state(), Gasync.LatchState.STOPPED);
});

run();
