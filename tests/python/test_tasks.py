# test_tasks.py: GasyncTasks and the sleeps from Python: task functions on
# worker threads, loops, waits (blocking and async), tokens and errors.
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


def not_found(message):
    return GLib.Error.new_literal(Gio.io_error_quark(), message,
                                  Gio.IOErrorEnum.NOT_FOUND)


def test_run_and_wait():
    tasks = Gasync.Tasks.new('py')
    assert tasks.get_name() == 'py'
    assert tasks.props.name == 'py'
    seen = []
    main_thread = threading.get_ident()

    def body(cancellable, data):
        seen.append((threading.get_ident(), data))
        return True

    tasks.run('once', None, body, 'payload')
    assert tasks.wait(None)
    assert tasks.get_n_running() == 0
    assert len(seen) == 1
    assert seen[0][0] != main_thread
    assert seen[0][1] == 'payload'
    assert tasks.dup_errors() == []


def test_loop_stops_on_error_and_keeps_it():
    tasks = Gasync.Tasks.new('py')
    calls = []

    def body(cancellable, data):
        calls.append(1)
        if len(calls) == 3:
            raise not_found('third')
        return True

    tasks.loop('reader', None, body, None)
    assert tasks.wait(None)
    assert len(calls) == 3
    errors = tasks.dup_errors()
    assert len(errors) == 1
    assert errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
    assert errors[0].message == 'reader: third'


def test_task_failed_signal_and_clear_errors():
    tasks = Gasync.Tasks.new('py')
    failures = []
    main_thread = threading.get_ident()

    def on_failed(tasks, task_name, error):
        failures.append((threading.get_ident(), task_name, error.message))

    tasks.connect('task-failed', on_failed)

    def body(cancellable, data):
        raise not_found('gone')

    tasks.run('fetch', None, body, None)
    assert tasks.wait(None)
    iterate_until(lambda: failures)
    assert failures == [(main_thread, 'fetch', 'fetch: gone')]
    assert len(tasks.dup_errors()) == 1
    tasks.clear_errors()
    assert tasks.dup_errors() == []


def test_loop_stops_on_cancel():
    tasks = Gasync.Tasks.new('py')
    cancellable = Gio.Cancellable()
    calls = []

    def body(cancellable, data):
        calls.append(1)
        Gasync.sleep(1000, cancellable)
        return True

    tasks.loop('poller', cancellable, body, None)
    iterate_until(lambda: len(calls) >= 3)
    cancellable.cancel()
    assert tasks.wait(None)
    assert tasks.dup_errors() == []


def test_false_without_error_is_failed():
    tasks = Gasync.Tasks.new('py')
    tasks.run('silent', None, lambda cancellable, data: False, None)
    assert tasks.wait(None)
    [error] = tasks.dup_errors()
    assert error.matches(Gasync.error_quark(), Gasync.Error.FAILED)
    assert 'silent' in error.message


def test_run_background_gets_no_cancellable():
    tasks = Gasync.Tasks.new('py')
    seen = []
    tasks.run_background('bg', lambda c, d: seen.append(c) or True, None)
    assert tasks.wait(None)
    assert seen == [None]


def test_run_with_close():
    tasks = Gasync.Tasks.new('py')
    order = []

    def body(cancellable, data):
        order.append(('run', data))
        raise not_found('run failed')

    def close(cancellable):
        order.append(('close', cancellable))
        return True

    tasks.run_with_close('conn', None, body, close, 'shared')
    assert tasks.wait(None)
    assert order == [('run', 'shared'), ('close', None)]
    assert [e.message for e in tasks.dup_errors()] == ['conn: run failed']


@pytest.mark.parametrize('user_data', [(), (None,), ('data',)],
                         ids=['omitted', 'none', 'given'])
def test_run_with_close_natural_call(user_data):
    # One function with its optional user data, and a close closure
    # (issue #16): both released once the task ended.
    tasks = Gasync.Tasks.new('py')
    cancellable = Gio.Cancellable()
    order = []

    class Step:
        def __init__(self, body):
            self.body = body

        def __call__(self, *args):
            return self.body(*args)

    body = Step(lambda c, *data: order.append(('run', data)) or True)
    close = Step(lambda c: order.append(('close', c)) or False)
    watch = [weakref.ref(body), weakref.ref(close)]
    tasks.run_with_close('conn', cancellable, body, close, *user_data)
    del body, close
    assert tasks.wait(None)
    assert order == [('run', user_data), ('close', cancellable)]
    # A close step that returns False fails under its own name.
    assert [e.message for e in tasks.dup_errors()] == [
        'conn:close: Task “conn:close” failed without reporting an error']

    def released():
        gc.collect()
        return all(w() is None for w in watch)

    # The destroy notify runs on the owner context.
    iterate_until(released)


def test_wait_async_covers_a_token():
    tasks = Gasync.Tasks.new('py')
    token = tasks.begin_task('fetch')
    assert token.get_name() == 'fetch'
    assert tasks.get_n_running() == 1
    results = []

    def done(source, result):
        results.append(source.wait_finish(result))

    tasks.wait_async(None, done)
    GLib.timeout_add(20, lambda: token.end() or GLib.SOURCE_REMOVE)
    iterate_until(lambda: results)
    assert results == [True]
    assert token.is_ended()
    assert tasks.get_n_running() == 0


def test_wait_async_cancelled():
    tasks = Gasync.Tasks.new('py')
    token = tasks.begin_task('forever')
    cancellable = Gio.Cancellable()
    errors = []

    def done(source, result):
        try:
            source.wait_finish(result)
        except GLib.Error as e:
            errors.append(e)

    tasks.wait_async(cancellable, done)
    cancellable.cancel()
    iterate_until(lambda: errors)
    assert errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    token.end()


def test_default_tasks():
    assert Gasync.Tasks.get_default() is Gasync.Tasks.get_default()
    assert Gasync.Tasks.get_default().get_name() == 'async.run'


def test_sleep():
    cancellable = Gio.Cancellable()
    assert Gasync.sleep(1000, cancellable)
    assert Gasync.sleep_until(GLib.get_monotonic_time() - 1, cancellable)
    cancellable.cancel()
    # Fails as sleep_finish() does: with the CANCELLED error.
    with pytest.raises(GLib.Error) as info:
        Gasync.sleep(60 * 1000 * 1000, cancellable)
    assert info.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_sleep_async_cancelled():
    cancellable = Gio.Cancellable()
    errors = []

    def done(source, result):
        try:
            Gasync.sleep_finish(result)
        except GLib.Error as e:
            errors.append(e)

    Gasync.sleep_async(60 * 1000 * 1000, cancellable, done)
    cancellable.cancel()
    iterate_until(lambda: errors)
    assert errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
