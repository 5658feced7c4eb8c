// test-stopper.js: GasyncStopper from GJS, where task functions cannot run
// (they run on worker threads): main-loop work is counted with begin_task()
// tokens, and the stop is awaited with stop_async().
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.Stopper.prototype, 'stop_async');

function timeout(ms) {
    return new Promise(resolve => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    });
}

test('stop_async waits for begin_task tokens, then closers and stopped', async () => {
    const stopper = new Gasync.Stopper();
    const events = [];
    stopper.connect('quiescing', () => events.push('quiescing'));
    stopper.connect('stopping', () => events.push('stopping'));
    stopper.connect('stopped', s => events.push(`stopped:${s.is_stopped()}`));
    stopper.add_closer(() => events.push('closer-1'));
    stopper.add_closer(() => events.push('closer-2'));

    const token = stopper.begin_task('js: fetch');
    const work = (async () => {
        try {
            await timeout(50);
            events.push('work-done');
        } finally {
            token.end();
        }
    })();
    assertEqual(stopper.get_n_tasks(), 1);
    assertEqual(stopper.dup_running_tasks()['js: fetch'], 1);

    const stopped = stopper.stop_async(null);
    assertEqual(stopper.get_state(), Gasync.StopperState.QUIESCING);
    await stopped;
    await work;
    assertEqual(events.join(','),
        'quiescing,work-done,stopping,closer-2,closer-1,stopped:true');
    assert(stopper.is_stopped());
    assert(token.is_ended());
});

test('begin_task is refused with UNAVAILABLE once quiescing', async () => {
    const stopper = new Gasync.Stopper();
    await stopper.stop_async(null);
    let refused = null;
    try {
        stopper.begin_task('js: late');
    } catch (e) {
        refused = e;
    }
    assert(refused !== null, 'begin_task did not throw');
    assert(refused.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE));
    // A second stop completes at once.
    assertEqual(await stopper.stop_async(null), true);
});

test('a token ended from a promise chain counts like a task', async () => {
    const stopper = new Gasync.Stopper();
    const tokens = [1, 2, 3].map(() => stopper.begin_task('js: many'));
    assertEqual(stopper.dup_running_tasks()['js: many'], 3);
    tokens.forEach((t, i) => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10 * i, () => {
        t.end();
        return GLib.SOURCE_REMOVE;
    }));
    await stopper.stop_async(null);
    assertEqual(stopper.get_n_tasks(), 0);
    assertEqual(stopper.get_state(), Gasync.StopperState.STOPPED);
});

function leakedStoppers() {
    return Gasync.leaks_check(0)
        .filter(leak => leak.get_kind() === 'GasyncStopper')
        .map(leak => leak.get_name());
}

// CockroachDB pkg/util/leaktest: AfterTest() reports, through
// stop.PrintLeakedStoppers(), every stopper whose Stop() was never called.
test('a named stopper is listed as a leak from its first task until stopped', async () => {
    const stopper = new Gasync.Stopper({name: 'js: indexer'});
    assertEqual(stopper.name, 'js: indexer');
    assert(!leakedStoppers().includes('js: indexer'), 'listed before any task');
    const token = stopper.begin_task('js: fetch');
    assert(leakedStoppers().includes('js: indexer'), 'not listed while running');
    GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
        token.end();
        return GLib.SOURCE_REMOVE;
    });
    await stopper.stop_async(null);
    assert(!leakedStoppers().includes('js: indexer'), 'listed once stopped');
});

// CockroachDB pkg/util/stop: TestStopper, Stop() and wait for it. GJS runs
// no thread of its own, but the blocking stop does what a stopping thread
// does: it runs the owner context while it waits, so main-loop work ends.
test('a blocking stop() runs the owner context until a token ended there ends', () => {
    const stopper = new Gasync.Stopper({name: 'js: blocking'});
    const events = [];
    stopper.add_closer(() => events.push('closer'));
    stopper.connect('stopped', () => events.push('stopped'));
    const token = stopper.begin_task('js: timer');
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
        events.push('timer');
        token.end();
        return GLib.SOURCE_REMOVE;
    });
    stopper.stop();
    assertEqual(events.join(','), 'timer,closer,stopped');
    assert(stopper.is_stopped());
});

run();
