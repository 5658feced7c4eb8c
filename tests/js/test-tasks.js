// test-tasks.js: GasyncTasks, GasyncMutex and sleeps from GJS: main-loop
// tasks counted by tokens, wait_async, FIFO lock_async and sleep_async.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.Tasks.prototype, 'wait_async', 'wait_finish');
Gio._promisify(Gasync.Mutex.prototype, 'lock_async', 'lock_finish');
Gio._promisify(Gasync, 'sleep_async', 'sleep_finish');

function isCancelled(e) {
    return e instanceof GLib.Error &&
        e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
}

test('sleep_async sleeps and is cut short by a cancellable', async () => {
    const start = GLib.get_monotonic_time();
    assertEqual(await Gasync.sleep_async(10 * 1000, null), true);
    assert(GLib.get_monotonic_time() - start >= 10 * 1000, 'slept too little');

    const cancellable = new Gio.Cancellable();
    const sleeping = Gasync.sleep_async(60 * 1000 * 1000, cancellable);
    cancellable.cancel();
    let error = null;
    try {
        await sleeping;
    } catch (e) {
        error = e;
    }
    assert(isCancelled(error), `expected CANCELLED, got ${error}`);
});

test('wait_async waits for main-loop tasks, also those begun during the wait', async () => {
    const tasks = Gasync.Tasks.new('js');
    assertEqual(tasks.get_name(), 'js');
    const order = [];

    const first = tasks.begin_task('first');
    const work = (async () => {
        await Gasync.sleep_async(5 * 1000, null);
        // Begun while the wait below is pending, before the first ends.
        const second = tasks.begin_task('second');
        first.end();
        order.push('first');
        await Gasync.sleep_async(5 * 1000, null);
        order.push('second');
        second.end();
    })();

    assertEqual(tasks.get_n_running(), 1);
    assertEqual(await tasks.wait_async(null), true);
    order.push('waited');
    await work;
    assertEqual(order.join(','), 'first,second,waited');
    assertEqual(tasks.get_n_running(), 0);
    assertEqual(tasks.dup_errors().length, 0);
});

test('wait_async is cancelled by its cancellable', async () => {
    const tasks = Gasync.Tasks.new('js');
    const token = tasks.begin_task('forever');
    const cancellable = new Gio.Cancellable();
    const waiting = tasks.wait_async(cancellable);
    cancellable.cancel();
    let error = null;
    try {
        await waiting;
    } catch (e) {
        error = e;
    }
    assert(isCancelled(error), `expected CANCELLED, got ${error}`);
    token.end();
    assertEqual(await tasks.wait_async(null), true);
});

test('lock_async hands the mutex over in FIFO order', async () => {
    const mutex = Gasync.Mutex.new();
    assert(mutex.try_lock(), 'try_lock of a free mutex');
    const order = [];
    const lockers = [];
    for (let i = 0; i < 8; i++) {
        lockers.push(mutex.lock_async(null).then(async locked => {
            assertEqual(locked, true);
            order.push(i);
            await Gasync.sleep_async(1000, null);
            mutex.unlock();
        }));
    }
    mutex.unlock();
    await Promise.all(lockers);
    assertEqual(order.join(','), '0,1,2,3,4,5,6,7');
    assert(mutex.try_lock(), 'the mutex is free again');
    mutex.unlock();
});

test('a cancelled lock_async does not take the mutex', async () => {
    const mutex = Gasync.Mutex.new();
    assert(mutex.try_lock());
    const cancellable = new Gio.Cancellable();
    const locking = mutex.lock_async(cancellable);
    cancellable.cancel();
    let error = null;
    try {
        await locking;
    } catch (e) {
        error = e;
    }
    assert(isCancelled(error), `expected CANCELLED, got ${error}`);
    mutex.unlock();
    assert(mutex.try_lock(), 'nobody took the mutex');
    mutex.unlock();
});

run();
