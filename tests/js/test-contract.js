// test-contract.js: the owner-context seams of the contract, from GJS.
// GJS refuses to run a JavaScript function on another thread, or while it
// collects garbage (it logs a critical and skips it): whatever the library
// does that can run JavaScript must happen on the owner context, in a
// dispatch of its own. Before the fixes of issue #14, each test here hung
// (the harness's guard failed it) or logged that critical.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';
import System from 'system';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.WorkQueue.prototype, 'close_async');
Gio._promisify(Gasync.Batch.prototype, 'run_async');
Gio._promisify(Gasync.Stopper.prototype, 'stop_async');

const Item = GObject.registerClass(class ContractItem extends GObject.Object {});

// Work that ends only when its cancellable fires, from a JS handler.
function beginUntilCancelled(state) {
    return (item, token, cancellable) => {
        state.begun++;
        cancellable.connect(() => {
            state.cancelled++;
            token.end();
        });
        return true;
    };
}

function idle() {
    return new Promise(resolve => GLib.idle_add(GLib.PRIORITY_LOW, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

// The close runs on a pool thread: it must cancel the items' cancellable
// on the owner context, or the JS handler never runs, no token ends and
// close_async never completes.
test('a main-context work queue cancels its items on the owner context', async () => {
    const state = {begun: 0, cancelled: 0};
    const queue = Gasync.WorkQueue.new_for_main_context(beginUntilCancelled(state));
    queue.parallelism = 2;
    queue.shutdown_grace_period = 0;
    queue.start();
    assert(queue.try_enqueue(new Item()));
    assert(queue.try_enqueue(new Item()));
    while (state.begun < 2)
        // eslint-disable-next-line no-await-in-loop
        await idle();

    const [nDiscarded] = await queue.close_async(null);
    assertEqual(nDiscarded, 0);
    assertEqual(state.cancelled, 2);
});

test('a main-context batch cancels its items on the owner context', async () => {
    const state = {begun: 0, cancelled: 0};
    const batch = Gasync.Batch.new_for_main_context(beginUntilCancelled(state));
    batch.parallelism = 2;
    const cancellable = new Gio.Cancellable();
    const running = batch.run_async([new Item(), new Item()], cancellable);
    while (state.begun < 2)
        // eslint-disable-next-line no-await-in-loop
        await idle();

    cancellable.cancel();
    try {
        await running;
        assert(false, 'a cancelled batch succeeded');
    } catch (e) {
        assert(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `${e}`);
    }
    assertEqual(state.cancelled, 2);
    // Cancelled items are not failures.
    assertEqual(batch.dup_errors().length, 0);
});

// A token that JavaScript forgets is dropped by the garbage collector. Its
// end is what the pending stop waits for: the stop cancellable and its
// children must fire after the collection, on the owner context.
function beginForgottenTask(stopper) {
    stopper.begin_task('js: forgotten');
}

test('a token dropped by the garbage collector ends the stop after it', async () => {
    const stopper = new Gasync.Stopper();
    const fired = [];
    stopper.get_stop_cancellable().connect(() => fired.push('stop'));
    const child = stopper.new_cancellable_on_stop(null);
    child.connect(() => fired.push('child'));

    beginForgottenTask(stopper);
    assertEqual(stopper.get_n_tasks(), 1);
    const stopped = stopper.stop_async(null);
    await idle();
    assertEqual(stopper.get_state(), Gasync.StopperState.QUIESCING);

    // The warning of the forgotten token is expected; collect until the
    // wrapper is gone and its token has ended.
    for (let i = 0; i < 100 && stopper.get_n_tasks() > 0; i++) {
        System.gc();
        // eslint-disable-next-line no-await-in-loop
        await idle();
    }
    assertEqual(await stopped, true);
    assertEqual(fired.sort().join(','), 'child,stop');
    assert(stopper.is_stopped());
});

run();
