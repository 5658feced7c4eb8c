# test_stopper.py: GasyncStopper through the typelib: run_task,
# run_async_task, running tasks, signals, stop and stop_async, a stop from
# another thread, names and leak reports.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import threading
import time

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import GLib, Gio, Gasync  # noqa: E402

from gasync_test_util import TIMEOUT_S, iterate_until  # noqa: E402


def test_run_task_returns_result_and_counts_it():
    stopper = Gasync.Stopper.new()
    seen = []

    def task(cancellable, data):
        seen.append((data, dict(stopper.dup_running_tasks()),
                     stopper.get_n_tasks(),
                     cancellable == stopper.get_quiesce_cancellable()))
        return True

    assert stopper.run_task('py: count', task, 'data')
    assert seen == [('data', {'py: count': 1}, 1, True)]
    assert stopper.dup_running_tasks() == {}
    stopper.stop()


def test_run_task_false_is_failed_naming_the_task():
    stopper = Gasync.Stopper.new()
    with pytest.raises(GLib.Error) as info:
        stopper.run_task('py: fails', lambda cancellable, data: False, None)
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.FAILED)
    assert '“py: fails”' in info.value.message
    stopper.stop()


def test_run_async_task_runs_on_another_thread():
    stopper = Gasync.Stopper.new()
    main = threading.get_ident()
    gate = threading.Event()
    started = threading.Event()
    ran = []

    def task(cancellable, data):
        started.set()
        assert gate.wait(TIMEOUT_S)
        ran.append((data, threading.get_ident() != main))
        return True

    for i in range(3):
        assert stopper.run_async_task('py: async', task, i)
    assert started.wait(TIMEOUT_S)
    assert stopper.get_n_tasks() == 3
    assert stopper.dup_running_tasks() == {'py: async': 3}
    assert 'py: async' in stopper.dump()
    gate.set()
    iterate_until(lambda: stopper.get_n_tasks() == 0)
    assert sorted(ran) == [(0, True), (1, True), (2, True)]
    stopper.stop()
    assert stopper.is_stopped()


def test_stop_refuses_tasks_and_emits_signals_in_order():
    stopper = Gasync.Stopper.new()
    events = []
    stopper.connect('quiescing', lambda s: events.append('quiescing'))
    stopper.connect('stopping', lambda s: events.append('stopping'))
    stopper.connect('stopped',
                    lambda s: events.append(('stopped', s.is_stopped())))
    stopper.connect('notify::state',
                    lambda s, pspec: events.append(s.props.state))
    stopper.add_closer(lambda: events.append('closer-1'))
    stopper.add_closer(lambda: events.append('closer-2'))

    stopper.stop()
    assert events == [
        # Both phases passed before the owner context ran: one notify.
        Gasync.StopperState.STOPPING, 'quiescing', 'stopping',
        'closer-2', 'closer-1',
        Gasync.StopperState.STOPPED, ('stopped', True),
    ]
    with pytest.raises(GLib.Error) as info:
        stopper.run_task('py: late', lambda c, d: True, None)
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE)
    with pytest.raises(GLib.Error) as info:
        stopper.run_async_task('py: late', lambda c, d: True, None)
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE)


def test_stop_async_waits_for_a_token():
    stopper = Gasync.Stopper.new()
    token = stopper.begin_task('py: main-loop work')
    assert stopper.dup_running_tasks() == {'py: main-loop work': 1}
    results = []

    def done(source, result):
        results.append(source.stop_finish(result))

    stopper.stop_async(None, done)
    GLib.idle_add(lambda: token.end() or GLib.SOURCE_REMOVE)
    iterate_until(lambda: results)
    assert results == [True]
    assert stopper.props.state == Gasync.StopperState.STOPPED


def test_limited_task_is_throttled():
    stopper = Gasync.Stopper.new()
    sem = Gasync.Semaphore.new(1)
    assert sem.try_acquire()
    with pytest.raises(GLib.Error) as info:
        stopper.run_limited_async_task('py: limited', sem, False, None,
                                       lambda c, d: True, None)
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.THROTTLED)
    sem.release()
    assert stopper.run_limited_async_task('py: limited', sem, True, None,
                                          lambda c, d: True, None)
    stopper.stop()
    assert sem.get_n_available() == 1


def test_limited_task_honours_a_cancelled_cancellable():
    # CockroachDB pkg/util/stop: RunAsyncTaskEx returns ctx.Err() for a
    # cancelled context even when the semaphore has room.
    stopper = Gasync.Stopper.new()
    sem = Gasync.Semaphore.new(1)
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    ran = []
    for wait in (False, True):
        with pytest.raises(GLib.Error) as info:
            stopper.run_limited_async_task('py: cancelled', sem, wait,
                                           cancellable,
                                           lambda c, d: ran.append(d), None)
        assert info.value.matches(Gio.io_error_quark(),
                                  Gio.IOErrorEnum.CANCELLED)
    assert sem.get_n_available() == 1
    stopper.stop()
    assert ran == []


def test_task_failed_signal():
    stopper = Gasync.Stopper.new()
    failures = []
    stopper.connect('task-failed',
                    lambda s, name, error: failures.append((name, error.code)))
    assert stopper.run_async_task('py: broken', lambda c, d: False, None)
    iterate_until(lambda: failures)
    assert failures == [('py: broken', int(Gasync.Error.FAILED))]
    stopper.stop()


def test_worker_gets_the_stop_cancellable():
    stopper = Gasync.Stopper.new()
    seen = []

    def worker(cancellable, data):
        assert cancellable == stopper.get_stop_cancellable()
        cancellable.connect(lambda c: None)
        while not cancellable.is_cancelled():
            GLib.usleep(1000)
        seen.append(stopper.get_n_tasks())
        return True

    assert stopper.run_worker('py: worker', worker, None)
    child = stopper.new_cancellable_on_stop(None)
    assert isinstance(child, Gio.Cancellable)
    stopper.stop()
    assert seen == [0]
    assert child.is_cancelled()


def leaked_stoppers():
    return [leak.get_name() for leak in Gasync.leaks_check(0)
            if leak.get_kind() == 'GasyncStopper']


class Warnings:
    """Collects the Gasync warnings logged inside a with block."""

    def __enter__(self):
        self.messages = []
        self.handler = GLib.log_set_handler(
            'Gasync', GLib.LogLevelFlags.LEVEL_WARNING,
            lambda domain, level, message, *args:
                self.messages.append(message), None)
        return self

    def __exit__(self, *exc):
        GLib.log_remove_handler('Gasync', self.handler)


def test_never_stopped_stopper_is_reported_by_name():
    # CockroachDB pkg/util/leaktest: AfterTest() fails the test, through
    # stop.PrintLeakedStoppers(), for every stopper whose Stop() was never
    # called; every stopper test defers it.
    stopper = Gasync.Stopper(name='py: indexer')
    assert stopper.props.name == 'py: indexer'
    assert leaked_stoppers().count('py: indexer') == 0
    assert stopper.run_task('py: task', lambda c, d: True, None)
    stopper.add_closer(lambda: None)
    assert leaked_stoppers().count('py: indexer') == 1

    with Warnings() as warnings:
        del stopper
        gc.collect()
    assert len(warnings.messages) == 1
    assert warnings.messages[0].startswith(
        'Stopper “py: indexer” was finalized without gasync_stopper_stop() '
        '(tasks and workers it ran: 1; closers that will not run: 1)')
    # The closer's data goes on the owner context.
    iterate_until(lambda: 'py: indexer' not in leaked_stoppers())


def test_stopped_or_unused_stopper_is_not_reported():
    # The other side of leaktest.AfterTest(): a stopped stopper is not a
    # leak, and one that never ran anything has nothing to report.
    with Warnings() as warnings:
        stopper = Gasync.Stopper(name='py: stopped')
        stopper.add_closer(lambda: None)
        stopper.props.name = 'py: stopped'
        assert stopper.run_task('py: task', lambda c, d: True, None)
        stopper.stop()
        assert 'py: stopped' not in leaked_stoppers()
        del stopper
        unused = Gasync.Stopper(name='py: unused')
        del unused
        gc.collect()
    assert warnings.messages == []


def test_stop_from_a_thread_runs_the_free_owner_context():
    # CockroachDB pkg/util/stop: TestStopper and TestStopperMultipleTasks,
    # Stop() from a goroutine that the test waits for: no thread iterates
    # the owner context, so the stopping thread runs it.
    stopper = Gasync.Stopper(name='py: free')
    main = threading.get_ident()
    events = []

    def record(what):
        events.append((what, threading.get_ident() != main))

    def until_quiescing(cancellable, data):
        deadline = time.monotonic() + TIMEOUT_S
        while not cancellable.is_cancelled():
            assert time.monotonic() < deadline
            time.sleep(0.001)
        return True

    stopper.connect('quiescing', lambda s: record('quiescing'))
    stopper.connect('stopping', lambda s: record('stopping'))
    stopper.connect('stopped', lambda s: record('stopped'))
    stopper.add_closer(lambda: record('closer'))
    for i in range(3):
        assert stopper.run_async_task('py: until quiescing', until_quiescing,
                                      None)

    thread = threading.Thread(target=stopper.stop)
    thread.start()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive(), 'the stop did not return'
    assert stopper.is_stopped()
    assert stopper.get_n_tasks() == 0
    assert events == [('quiescing', True), ('stopping', True),
                      ('closer', True), ('stopped', True)]
