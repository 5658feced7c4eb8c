# test_values.py: values from thread tasks through the typelib: a
# GasyncValueFunc written in Python resolves the result future it is given
# and returns True; the value arrives as the value of the task's
# GasyncFuture (run_value_in_thread, the stopper's and the task group's
# submit), and Future.all() gives the values in order, as a list.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import threading

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import GLib, GObject, Gio, Gasync  # noqa: E402

from gasync_test_util import TIMEOUT_S, iterate_until  # noqa: E402


def await_future(future):
    """Awaits future with await_async() in a main loop, as PyGObject 3.42
    code does (it has no await on GIO calls): (value, error)."""
    outcome = []

    def done(source, result):
        try:
            outcome.append((source.await_finish(result), None))
        except GLib.Error as error:
            outcome.append((None, error))

    future.await_async(None, done)
    iterate_until(lambda: outcome)
    return outcome[0]


def test_values_of_several_types_from_a_worker_thread():
    main = threading.get_ident()
    ran_in = []

    def job(value):
        def func(cancellable, result):
            ran_in.append(threading.get_ident())
            if isinstance(value, GObject.Object):
                result.resolve_object(value)
            else:
                result.resolve_value(value)
            return True
        return func

    action = Gio.SimpleAction.new('act', None)
    # A GObject.Value holding a string or boxed is copied when the result
    # is resolved: Python may free it once the function returned.
    cases = [42, 'text', 2.5, True, action, None,
             GObject.Value(GObject.TYPE_INT64, 1 << 40),
             GObject.Value(GObject.TYPE_STRV, ['a', 'b']),
             GObject.Value(GObject.TYPE_STRING, 'value ' * 20)]
    expected = [42, 'text', 2.5, True, action, None, 1 << 40, ['a', 'b'],
                'value ' * 20]
    futures = [Gasync.Future.run_value_in_thread(None, job(v))
               for v in cases]
    for future, want in zip(futures, expected):
        assert future.wait(None)
        assert future.dup_value() == want
    assert len(ran_in) == len(cases) and main not in ran_in

    value, error = await_future(futures[1])
    assert error is None and value == 'text'


def test_a_raised_error_rejects_the_future():
    def failing(cancellable, result):
        result.resolve_value('dropped')
        raise GLib.Error.new_literal(Gio.io_error_quark(), 'no such thing',
                                     Gio.IOErrorEnum.NOT_FOUND)

    future = Gasync.Future.run_value_in_thread(None, failing)
    value, error = await_future(future)
    assert value is None
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
    assert error.message == 'no such thing'


def test_false_without_an_error_is_failed():
    # (None is success with the override: test_override.py.)
    future = Gasync.Future.run_value_in_thread(None, lambda c, r: False)
    with pytest.raises(GLib.Error) as info:
        future.wait(None)
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.FAILED)


def test_cancelled_value_task_is_cancelled():
    cancellable = Gio.Cancellable()
    started = threading.Event()

    def until_cancelled(cancellable, result):
        started.set()
        while not cancellable.is_cancelled():
            GLib.usleep(1000)
        return False

    future = Gasync.Future.run_value_in_thread(cancellable, until_cancelled)
    assert started.wait(TIMEOUT_S)
    assert not future.is_done()
    cancellable.cancel()
    with pytest.raises(GLib.Error) as info:
        future.wait(None)
    assert info.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_all_gives_the_values_in_order():
    gates = [threading.Event() for _ in range(4)]

    def job(i):
        def func(cancellable, result):
            assert gates[i].wait(TIMEOUT_S)
            result.resolve_value(f'value {i}')
            return True
        return func

    futures = [Gasync.Future.run_value_in_thread(None, job(i))
               for i in range(4)]
    without = Gasync.Future.new()
    without.resolve_value(None)
    all_future = Gasync.Future.all(futures + [without])
    # They settle in reverse order.
    for gate, future in reversed(list(zip(gates, futures))):
        gate.set()
        assert future.wait(None)
    values, error = await_future(all_future)
    assert error is None
    assert values == ['value 0', 'value 1', 'value 2', 'value 3', None]
    assert Gasync.Future.all([]).dup_value() == []


def test_stopper_submit_resolves_with_the_value():
    stopper = Gasync.Stopper.new()
    failed = []
    stopper.connect('task-failed', lambda *args: failed.append(args))
    seen = []

    def task(cancellable, result):
        seen.append((stopper.get_n_tasks(),
                     cancellable == stopper.get_quiesce_cancellable()))
        result.resolve_value('counted')
        return True

    future = stopper.submit('py: submit', task)
    value, error = await_future(future)
    assert (value, error) == ('counted', None)
    assert seen == [(1, True)]

    def failing(cancellable, result):
        raise GLib.Error('submitted task failed')

    value, error = await_future(stopper.submit('py: failing', failing))
    assert error.message == 'submitted task failed'
    stopper.stop()
    assert failed == []


def test_stopper_submit_refused_once_quiescing():
    stopper = Gasync.Stopper.new()
    stopper.stop()
    ran = []
    future = stopper.submit('py: late', lambda c, r: ran.append(1) or True)
    assert future.is_done()
    value, error = await_future(future)
    assert value is None
    assert error.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE)
    assert 'py: late' in error.message
    assert ran == []


def test_tasks_submit_resolves_with_the_value():
    tasks = Gasync.Tasks.new('py-values')
    failed = []
    tasks.connect('task-failed', lambda *args: failed.append(args))
    cancellable = Gio.Cancellable()
    got = []

    def task(c, result):
        got.append(c == cancellable)
        result.resolve_value(7)
        return True

    value, error = await_future(tasks.submit('py: seven', cancellable, task))
    assert (value, error) == (7, None)
    assert got == [True]

    def failing(c, result):
        raise GLib.Error('tasks submit failed')

    value, error = await_future(tasks.submit('py: failing', None, failing))
    assert error.message == 'tasks submit failed'
    assert tasks.wait(None)
    assert tasks.dup_errors() == []
    assert failed == []
