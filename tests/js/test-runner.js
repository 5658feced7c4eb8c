// test-runner.js: GasyncRunner and GasyncGroupRunner from GJS, through the
// main-loop form (JavaScript cannot run on the runners' threads) and the
// run_async/run_finish pairs with Gio._promisify.
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Gasync from 'gi://Gasync?version=1';

import {assert, assertEqual, run, test} from './harness.js';

Gio._promisify(Gasync.Runner.prototype, 'run_async', 'run_finish');
Gio._promisify(Gasync.GroupRunner.prototype, 'run_async', 'run_finish');

// A service on the main loop: it completes when stopped, or when told to.
function makeService(id) {
    const service = {starts: 0, stops: 0, cancellable: null};
    service.runner = Gasync.Runner.new_for_main_loop(id,
        (runner, cancellable) => {
            service.starts++;
            service.cancellable = cancellable;
        },
        () => {
            service.stops++;
            GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
                service.runner.complete(null);
                return GLib.SOURCE_REMOVE;
            });
        });
    return service;
}

function idle() {
    return new Promise(resolve => GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

test('run_async resolves once the interrupted service completed', async () => {
    const service = makeService('solo');
    let finished = null;
    service.runner.connect('finished', (runner, result) => {
        finished = result.get_id();
    });
    const promise = service.runner.run_async(null);
    await idle();
    assertEqual(service.starts, 1);
    service.runner.interrupt();
    assert(await promise, 'run_finish returns true');
    assertEqual(service.stops, 1);
    assert(service.cancellable.is_cancelled());
    assertEqual(finished, 'solo');
});

test('a failing completion rejects run_async with its error', async () => {
    const runner = Gasync.Runner.new_for_main_loop('failing',
        self => GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            self.complete(new GLib.Error(Gasync.error_quark(),
                Gasync.Error.CLOSED, 'closed'));
            return GLib.SOURCE_REMOVE;
        }),
        () => {});
    try {
        await runner.run_async(null);
        throw new Error('run_async should have failed');
    } catch (e) {
        assert(e.matches(Gasync.error_quark(), Gasync.Error.CLOSED), `${e}`);
    }
});

test('a group stops the others when one service completes first', async () => {
    const a = makeService('a');
    const b = makeService('b');
    const group = new Gasync.GroupRunner();
    group.add(a.runner);
    group.add(b.runner);
    const promise = group.run_async(null);
    await idle();
    a.runner.complete(null);
    const results = await promise;
    assertEqual(results.map(r => r.get_id()).join(','), 'a,b');
    assert(results.every(r => r.get_error() === null));
    assertEqual(a.stops, 0);
    assertEqual(b.stops, 1);
});

test('a group streams each result as it arrives', async () => {
    // The runner package's RunAsync streams results on a channel.
    const a = makeService('a');
    const b = makeService('b');
    const group = new Gasync.GroupRunner();
    group.add(b.runner);
    group.add(a.runner);
    const streamed = [];
    let done = false;
    group.connect('result', (self, result) => streamed.push(`${result.get_id()}:${done}`));
    const promise = group.run_async(null).then(results => {
        done = true;
        return results;
    });
    await idle();
    a.runner.complete(null);
    const results = await promise;
    assertEqual(streamed.join(), 'a:false,b:false');
    assertEqual(results.map(r => r.get_id()).join(','), 'a,b');
});

test('the natural call: a start function and a stop closure, no user data', async () => {
    // Issue #16: one function with its user data (which GJS hides) and the
    // stop function as a closure, called with the runner.
    const calls = [];
    const runner = Gasync.Runner.new_for_main_loop('natural',
        (self, cancellable, ...rest) => calls.push(['start', self, rest.length]),
        (self, ...rest) => {
            calls.push(['stop', self, rest.length]);
            self.complete(null);
        });
    const promise = runner.run_async(null);
    await idle();
    runner.interrupt();
    assert(await promise, 'run_finish returns true');
    assertEqual(calls.length, 2);
    assertEqual(calls[0][0], 'start');
    assert(calls[0][1] === runner, 'start gets the runner');
    assertEqual(calls[0][2], 0);
    assertEqual(calls[1][0], 'stop');
    assert(calls[1][1] === runner, 'stop gets the runner');
    assertEqual(calls[1][2], 0);
});

test('the threaded form and run_with_close take a closure too', () => {
    // JavaScript cannot run on their threads, but their shape must be
    // one function plus a closure for GJS as well.
    const info = Gasync.Runner.new.length;
    assertEqual(info, 3);
    assertEqual(Gasync.Runner.new_for_main_loop.length, 3);
    assertEqual(Gasync.Tasks.prototype.run_with_close.length, 4);
});

test('a group reports _unknown_ for a service past its timeout', async () => {
    const stuck = Gasync.Runner.new_for_main_loop('stuck', () => {}, () => {});
    const group = new Gasync.GroupRunner({interrupt_timeout: 20 * 1000});
    group.add(stuck);
    const promise = group.run_async(null);
    await idle();
    group.interrupt();
    const [result] = await promise;
    assertEqual(result.get_id(), '_unknown_');
    assert(result.get_error().matches(Gasync.error_quark(), Gasync.Error.TIMEOUT));
    stuck.complete(null);
});

run();
