// test-event-loop.js: GasyncEventLoop and GasyncFuture from GJS, promise
// style: reservations fulfilled by main-loop work, futures awaited.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.Future.prototype, 'await_async', 'await_finish');

function later(ms, func) {
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        func();
        return GLib.SOURCE_REMOVE;
    });
}

// GJS runs no promise job while it runs one, and every test but the first
// runs in one (the harness awaits each test). gasync_event_loop_start()
// blocks until its work is done, so a loop whose work awaits promises is
// started from a main-loop callback instead, where GJS runs promise jobs in
// the loop's iterations.
function startInIdle(loop, first) {
    return new Promise((resolve, reject) => {
        GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            try {
                resolve(loop.start(first));
            } catch (e) {
                reject(e);
            }
            return GLib.SOURCE_REMOVE;
        });
    });
}

test('new Gasync.EventLoop() makes a loop on the default context', () => {
    const loop = new Gasync.EventLoop();
    let ran = false;
    assert(loop.start(() => {
        ran = true;
        return true;
    }));
    assert(ran, 'the first callback did not run');
    assert(loop.context !== null, 'no context');
});

test('a reservation fulfilled later resolves a loop future', () => {
    const loop = Gasync.EventLoop.new(null);
    const future = loop.new_future();
    const seen = [];

    assert(loop.start(() => {
        const pending = loop.reserve_callback();
        later(10, () => pending.enqueue(() => {
            future.resolve_value('done');
            return true;
        }));
        future.add_done_callback(f => seen.push(f.dup_value()));
        return true;
    }));
    assertEqual(seen.length, 1);
    assertEqual(seen[0], 'done');
});

test('an async function inside the loop awaits a future', async () => {
    const loop = Gasync.EventLoop.new(null);
    const future = loop.new_future();
    let result = null;

    assert(await startInIdle(loop, () => {
        const pending = loop.reserve_callback();
        (async () => {
            const value = await future.await_async(null);
            pending.enqueue(() => {
                result = value;
                return true;
            });
        })();
        later(10, () => future.resolve_value(5));
        return true;
    }));
    assertEqual(result, 5);
});

test('await_async settles a promise with the value or the rejection', async () => {
    const future = new Gasync.Future();
    later(10, () => future.resolve_value(7));
    assertEqual(await future.await_async(null), 7);

    const rejected = new Gasync.Future();
    later(10, () => rejected.reject(
        new GLib.Error(Gasync.error_quark(), Gasync.Error.TIMEOUT, 'too late')));
    try {
        await rejected.await_async(null);
        assert(false, 'await of a rejected future resolved');
    } catch (e) {
        assert(e.matches(Gasync.error_quark(), Gasync.Error.TIMEOUT), `${e}`);
    }
});

test('a throwing callback stops the loop; the loop can be reused', () => {
    const loop = Gasync.EventLoop.new(null);
    const ran = [];
    let pending = null;

    try {
        loop.start(() => {
            pending = loop.reserve_callback();
            throw new GLib.Error(Gasync.error_quark(), Gasync.Error.TIMEOUT, 'boom');
        });
        assert(false, 'start() did not throw');
    } catch (e) {
        assert(e.matches(Gasync.error_quark(), Gasync.Error.TIMEOUT), `${e}`);
    }
    later(10, () => pending.enqueue(() => ran.push('late') > 0));
    // k6 js/eventloop TestEventLoopWaitOnRegistered: the late callback runs.
    loop.wait_on_registered();
    assertEqual(ran.join(), 'late');
    ran.length = 0;

    assert(loop.start(() => ran.push('again') > 0));
    assertEqual(ran[0], 'again');
});

test('an unhandled rejection stops the loop', () => {
    const loop = Gasync.EventLoop.new(null);
    try {
        loop.start(() => {
            loop.new_future().reject(
                new GLib.Error(Gasync.error_quark(), Gasync.Error.FAILED, 'nobody listens'));
            return true;
        });
        assert(false, 'start() did not throw');
    } catch (e) {
        assert(e.matches(Gasync.error_quark(), Gasync.Error.UNHANDLED_REJECTION), `${e}`);
        assert(e.message.includes('nobody listens'), e.message);
    }
});

test('a timeout keeps the loop running', () => {
    const loop = Gasync.EventLoop.new(null);
    const fired = [];
    assert(loop.start(() => {
        loop.set_timeout(10 * 1000, () => fired.push('kept') > 0);
        const id = loop.set_timeout(5 * 1000, () => fired.push('cleared') > 0);
        assert(loop.clear_timeout(id));
        return true;
    }));
    assertEqual(fired.join(), 'kept');
});

test('timeouts run in deadline order', () => {
    const loop = Gasync.EventLoop.new(null);
    const fired = [];
    assert(loop.start(() => {
        loop.set_timeout(30 * 1000, () => fired.push('c') > 0);
        loop.set_timeout(10 * 1000, () => fired.push('a') > 0);
        loop.set_timeout(20 * 1000, () => fired.push('b') > 0);
        // Busy until all three are due, so the loop finds them together.
        const due = GLib.get_monotonic_time() + 31000;
        while (GLib.get_monotonic_time() < due)
            GLib.usleep(1000);
        return true;
    }));
    assertEqual(fired.join(), 'a,b,c');
});

test('combinators', async () => {
    const a = new Gasync.Future();
    const b = new Gasync.Future();
    const any = Gasync.Future.any([a, b]);
    later(5, () => a.reject(new GLib.Error(Gasync.error_quark(), Gasync.Error.FAILED, 'a')));
    later(10, () => b.resolve_value('b'));
    assertEqual(await any.await_async(null), 'b');
    const values = await Gasync.Future.all([b]).await_async(null);
    assertEqual(values.n_values, 1);
    assertEqual(values.get_nth(0), 'b');
});

run();
