// test-values.js: values from thread tasks, awaited from GJS. JavaScript
// cannot run a task function on a worker thread, so the value tasks here
// are C functions of the tests' GasyncValuesHelper typelib
// (tests/values-helper/); the futures they return are awaited with
// Gio._promisify() on await_async(), and Future.all() gives their values
// in order as a GObject.ValueArray.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';
import Helper from 'gi://GasyncValuesHelper?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.Future.prototype, 'await_async', 'await_finish');
Gio._promisify(Gasync.Stopper.prototype, 'stop_async');
Gio._promisify(Gasync.Tasks.prototype, 'wait_async');

function timeout(ms) {
    return new Promise(resolve => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

// The values of a GObject.ValueArray, as a JavaScript array.
function valuesOf(array) {
    const values = [];
    for (let i = 0; i < array.n_values; i++)
        values.push(array.get_nth(i));
    return values;
}

async function rejectionOf(future) {
    try {
        const value = await future.await_async(null);
        throw new Error(`resolved with ${value}`);
    } catch (e) {
        if (!(e instanceof GLib.Error))
            throw e;
        return e;
    }
}

test('a value made on a worker thread arrives by await', async () => {
    assertEqual(await Helper.square_in_thread(7).await_async(null), 49);
    await timeout(1);
    assertEqual(await Helper.square_in_thread(-3).await_async(null), 9);
});

test('a failed value task rejects the await with its error', async () => {
    const error = await rejectionOf(Helper.fail_in_thread('no such thing'));
    assert(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND));
    assertEqual(error.message, 'no such thing');
});

test('all() gives the values of thread tasks in order', async () => {
    const futures = [1, 2, 3, 4, 5, 6].map(n => Helper.square_in_thread(n));
    const values = await Gasync.Future.all(futures).await_async(null);
    assertEqual(valuesOf(values).join(','), '1,4,9,16,25,36');
});

test('all() gives values of any kind, null for none, in order', async () => {
    const [a, b, c, d] = [0, 1, 2, 3].map(() => new Gasync.Future());
    const all = Gasync.Future.all([a, b, c, d]);
    const action = new Gio.SimpleAction({name: 'act'});
    setTimeout(() => d.resolve_value(null), 1);
    c.resolve_object(action);
    b.resolve_value('two');
    await timeout(5);
    a.resolve_value(42);
    const values = valuesOf(await all.await_async(null));
    assertEqual(values.length, 4);
    assertEqual(values[0], 42);
    assertEqual(values[1], 'two');
    assertEqual(values[2], action);
    assertEqual(values[3], null);
    assertEqual((await Gasync.Future.all([]).await_async(null)).n_values, 0);
});

test('all() is rejected by the first thread task that fails', async () => {
    const all = Gasync.Future.all([Helper.square_in_thread(2),
        Helper.fail_in_thread('second failed')]);
    assertEqual((await rejectionOf(all)).message, 'second failed');
});

test('stopper submit resolves with the value, then is refused', async () => {
    const stopper = new Gasync.Stopper();
    let failed = 0;
    stopper.connect('task-failed', () => failed++);
    assertEqual(await Helper.stopper_submit(stopper, 'c: describe', 'text')
        .await_async(null), 'text from worker');
    await stopper.stop_async(null);

    const refused = await rejectionOf(
        Helper.stopper_submit(stopper, 'c: late', 'late'));
    assert(refused.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE));
    // A JavaScript function may be given: refused, it is never called
    // (it could not run on a worker thread).
    let called = false;
    const future = stopper.submit('js: late', () => {
        called = true;
        return true;
    });
    assert(future.is_done());
    const error = await rejectionOf(future);
    assert(error.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE));
    assert(error.message.includes('js: late'));
    assert(!called);
    assertEqual(failed, 0);
});

test('tasks submit resolves with the value, or is cancelled', async () => {
    const tasks = new Gasync.Tasks({name: 'js-values'});
    assertEqual(await Helper.tasks_submit(tasks, 'c: named', null)
        .await_async(null), 'c: named from worker');

    const cancellable = new Gio.Cancellable();
    const future = Helper.tasks_submit(tasks, 'c: until cancelled', cancellable);
    await timeout(5);
    assert(!future.is_done());
    cancellable.cancel();
    const error = await rejectionOf(future);
    assert(error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
    await tasks.wait_async(null);
    assertEqual(tasks.dup_errors().length, 0);
});

run();
