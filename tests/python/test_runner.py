# test_runner.py: GasyncRunner and GasyncGroupRunner through the typelib:
# run functions on their threads, stop functions, results, the main-loop
# form and the async pairs.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import threading
import weakref

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import Gio, GLib, Gasync  # noqa: E402

from gasync_test_util import iterate_until  # noqa: E402


# The run or start function carries the user data, which is optional and
# comes last; the stop function is a closure called with the runner
# (issue #16: two functions with their own user data made PyGObject 3.42
# want () tuples, and hang when given None).


class Service:
    """A run function that waits until stopped, or until finish()."""

    def __init__(self):
        self.stopped = threading.Event()
        self.finished = threading.Event()
        self.stop_calls = 0
        self.stop_thread = None

    def run(self, cancellable, *args):
        while not (self.stopped.is_set() or self.finished.is_set()):
            self.stopped.wait(0.01)
        return True

    def stop(self, *args):
        self.stop_calls += 1
        self.stop_thread = threading.current_thread()
        self.stopped.set()

    def runner(self, name):
        return Gasync.Runner.new(name, self.run, self.stop)


def run_group(group):
    done = []

    def on_done(source, result):
        done.append(source.run_finish(result))

    group.run_async(None, on_done)
    return done


def test_group_of_two_one_finishes_first():
    a, b = Service(), Service()
    group = Gasync.GroupRunner.new()
    group.add(a.runner('a'))
    group.add(b.runner('b'))
    finished = []
    done = run_group(group)

    a.finished.set()
    iterate_until(lambda: done)
    results = done[0]
    assert [r.get_id() for r in results] == ['a', 'b']
    assert all(r.get_error() is None for r in results)
    assert a.stop_calls == 0
    assert b.stop_calls == 1
    assert b.stop_thread is threading.main_thread()
    del finished


def test_group_timeout_reports_unknown():
    a = Service()
    group = Gasync.GroupRunner.new()
    group.props.interrupt_timeout = 20 * 1000
    stuck = Gasync.Runner.new('stuck', lambda c: a.finished.wait(10),
                              lambda runner: None)
    group.add(stuck)
    done = run_group(group)
    GLib.idle_add(group.interrupt)
    iterate_until(lambda: done)
    [result] = done[0]
    assert result.get_id() == '_unknown_'
    assert result.get_error().matches(Gasync.error_quark(), Gasync.Error.TIMEOUT)
    a.finished.set()


def test_group_streams_results_as_they_arrive():
    # The runner package's RunAsync streams results on a channel.
    a, b = Service(), Service()
    group = Gasync.GroupRunner.new()
    group.add(b.runner('b'))
    group.add(a.runner('a'))
    streamed = []
    group.connect('result', lambda g, r: streamed.append((r.get_id(), bool(done))))
    done = run_group(group)

    a.finished.set()
    iterate_until(lambda: done)
    assert streamed == [('a', False), ('b', False)]
    assert [r.get_id() for r in done[0]] == ['a', 'b']


def test_runner_run_async_and_finished_signal():
    service = Service()
    runner = service.runner('solo')
    seen = []
    runner.connect('finished', lambda r, result: seen.append(result.get_id()))
    done = []
    runner.run_async(None, lambda r, res: done.append(r.run_finish(res)))
    service.finished.set()
    iterate_until(lambda: done)
    assert done == [True]
    assert seen == ['solo']

    try:
        runner.run(None)
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.ALREADY_STARTED)
    else:
        raise AssertionError('a second run must fail')


def test_main_loop_form_completes_with_an_error():
    state = {}

    def start(runner, cancellable, *args):
        state['cancellable'] = cancellable

    def stop(*args):
        assert state['cancellable'].is_cancelled()
        err = GLib.Error.new_literal(Gasync.error_quark(), 'closed',
                                     Gasync.Error.CLOSED)
        GLib.idle_add(lambda: runner.complete(err))

    runner = Gasync.Runner.new_for_main_loop('loop', start, stop)
    done = []

    def on_done(r, res):
        try:
            r.run_finish(res)
        except GLib.Error as e:
            done.append(e)

    runner.run_async(None, on_done)
    iterate_until(lambda: 'cancellable' in state)
    runner.interrupt()
    iterate_until(lambda: done)
    assert done[0].matches(Gasync.error_quark(), Gasync.Error.CLOSED)


def test_blocking_group_run_with_a_cancellable():
    a, b = Service(), Service()
    group = Gasync.GroupRunner.new()
    group.add(a.runner('a'))
    group.add(b.runner('b'))
    cancellable = Gio.Cancellable()
    # Cancelled from another thread while run() iterates the main context,
    # where the stop functions then run.
    threading.Timer(0.05, cancellable.cancel).start()
    results = group.run(cancellable)
    assert sorted(r.get_id() for r in results) == ['a', 'b']
    assert a.stop_calls == 1 and b.stop_calls == 1
    assert a.stop_thread is threading.main_thread()


def test_main_loop_form_completes_ok_from_python():
    # PyGObject 3.42 cannot pass None for a GError: complete_ok() is the
    # binding's way to say the service ended well.
    started = []
    runner = Gasync.Runner.new_for_main_loop(
        'loop', lambda r, c: started.append(True),
        lambda r: GLib.idle_add(r.complete_ok))
    done = []

    def on_done(r, res):
        done.append(r.run_finish(res))

    runner.run_async(None, on_done)
    iterate_until(lambda: started)
    runner.interrupt()
    iterate_until(lambda: done)
    assert done == [True]


class Callable:
    """A function object that a weak reference can watch."""

    def __init__(self, body):
        self.body = body

    def __call__(self, *args):
        return self.body(*args)


@pytest.mark.parametrize('user_data', [(), (None,), ('data',)],
                         ids=['omitted', 'none', 'given'])
def test_main_loop_form_natural_call(user_data):
    seen = []

    def start(runner, cancellable, *data):
        seen.append(('start', data))

    def stop(runner):
        seen.append(('stop', runner))
        runner.complete_ok()

    start_fn, stop_fn = Callable(start), Callable(stop)
    watch = [weakref.ref(start_fn), weakref.ref(stop_fn)]
    runner = Gasync.Runner.new_for_main_loop('loop', start_fn, stop_fn,
                                             *user_data)
    del start_fn, stop_fn
    GLib.timeout_add(10, lambda: runner.interrupt() and False)
    assert runner.run(None)
    assert seen == [('start', user_data), ('stop', runner)]

    # Released once the runner finished: no leak, no cycle through C.
    gc.collect()
    assert [w() for w in watch] == [None, None]


@pytest.mark.parametrize('user_data', [(), (None,), ('data',)],
                         ids=['omitted', 'none', 'given'])
def test_threaded_form_natural_call(user_data):
    stopped = threading.Event()
    seen = []

    def run(cancellable, *data):
        seen.append(('run', data))
        # Interrupt once the function runs: a fixed delay could fire
        # before a loaded machine starts the pool thread.
        GLib.idle_add(lambda: runner.interrupt() and False)
        return stopped.wait(10)

    def stop(runner):
        seen.append(('stop', runner.get_id()))
        stopped.set()

    runner = Gasync.Runner.new('thread', run, stop, *user_data)
    assert runner.run(None)
    assert seen == [('run', user_data), ('stop', 'thread')]


def test_runner_that_never_ran_releases_its_functions():
    start_fn = Callable(lambda runner, cancellable: None)
    stop_fn = Callable(lambda runner: None)
    watch = [weakref.ref(start_fn), weakref.ref(stop_fn)]
    runner = Gasync.Runner.new_for_main_loop('idle', start_fn, stop_fn)
    del start_fn, stop_fn
    gc.collect()
    assert [w() is None for w in watch] == [False, False]
    del runner
    gc.collect()
    assert [w() for w in watch] == [None, None]
