# test_override.py: the PyGObject override (gi/overrides/Gasync.py): it is
# the one loaded; every entry point that takes a task-like function treats
# None as success and turns an exception into the task's GError; user data
# is optional everywhere; mutexes, semaphores and task tokens are context
# managers.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import threading

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import Gio, GLib, GObject, Gasync  # noqa: E402
from gi._gi import CallbackInfo, FunctionInfo, Repository  # noqa: E402

from gasync_test_util import TIMEOUT_S, iterate_until  # noqa: E402


def flush():
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass


class Item(GObject.Object):
    pass


cleanups = []


@pytest.fixture(autouse=True)
def run_cleanups():
    yield
    while cleanups:
        cleanups.pop()()


def test_the_override_is_loaded():
    module = sys.modules['gi.overrides.Gasync']
    assert Gasync.Tasks is module.Tasks
    assert Gasync._overrides_module.Tasks is module.Tasks
    # The build tree's copy uninstalled, the installed one in the install
    # test: each sets GASYNC_PYTHON_OVERRIDE to the file it means.
    expected = os.environ.get('GASYNC_PYTHON_OVERRIDE')
    if expected:
        assert os.path.samefile(module.__file__, expected)


def test_every_task_function_parameter_is_wrapped():
    # A new entry point that takes a function able to fail with a GError
    # must be added to the override too.
    checked = []
    unwrapped = []
    for info in Repository.get_default().get_infos('Gasync'):
        if isinstance(info, FunctionInfo):
            owner, callables = Gasync, [info]
        elif hasattr(info, 'get_methods'):
            owner = getattr(Gasync, info.get_name())
            callables = info.get_methods()
        else:
            continue
        for function in callables:
            name = f'{info.get_name()}.{function.get_name()}'
            for arg in function.get_arguments():
                callback = arg.get_type().get_interface()
                # A task passed as a GClosure (run_limited_task_async)
                # returns a gboolean that None must not make FALSE; a
                # runner's stop closure returns nothing.
                closure = (getattr(callback, 'get_namespace', str)() ==
                           'GObject' and callback.get_name() == 'Closure'
                           and not name.startswith('Runner.'))
                if not (closure or isinstance(callback, CallbackInfo)
                        and callback.can_throw_gerror()):
                    continue
                attr = getattr(owner, function.get_name())
                checked.append(name)
                if getattr(attr, '__module__', None) != 'gi.overrides.Gasync':
                    unwrapped.append(name)
    assert len(checked) > 20 and 'Tasks.run' in checked
    assert 'Stopper.run_limited_task_async' in checked
    assert 'Tasks.run_with_close' in checked
    assert unwrapped == []


# Each entry point below runs func once, with user_data after its own
# arguments, and returns the list that the errors it reports arrive in
# (those reported through a signal may arrive later).

def tasks_run(func, *user_data):
    tasks = Gasync.Tasks.new('py')
    tasks.run('job', None, func, *user_data)
    assert tasks.wait(None)
    return tasks.dup_errors()


def tasks_loop(func, *user_data):
    tasks = Gasync.Tasks.new('py')
    cancellable = Gio.Cancellable()

    calls = []

    def once(*args):
        calls.append(args)
        if len(calls) == 1:
            return func(*args)
        cancellable.cancel()    # ends the loop
        return True

    tasks.loop('job', cancellable, once, *user_data)
    assert tasks.wait(None)
    return tasks.dup_errors()


def tasks_run_background(func, *user_data):
    tasks = Gasync.Tasks.new('py')
    tasks.run_background('job', func, *user_data)
    assert tasks.wait(None)
    return tasks.dup_errors()


def tasks_run_with_close(func, *user_data):
    tasks = Gasync.Tasks.new('py')
    closed = []
    tasks.run_with_close('job', None, func, closed.append, *user_data)
    assert tasks.wait(None)
    assert closed == [None]    # a close step returning None succeeded
    return tasks.dup_errors()


def stopper_run_task(func, *user_data):
    stopper = Gasync.Stopper.new()
    try:
        stopper.run_task('job', func, *user_data)
        return []
    except GLib.Error as error:
        return [error]
    finally:
        stopper.stop()


def stopper_async(method, *args):
    def run(func, *user_data):
        stopper = Gasync.Stopper.new()
        errors = []
        stopper.connect('task-failed', lambda s, name, e: errors.append(e))
        returned = threading.Event()

        def task(*args):
            try:
                return func(*args)
            finally:
                returned.set()

        assert getattr(stopper, method)('job', *args, task, *user_data)
        assert returned.wait(TIMEOUT_S)
        iterate_until(lambda: stopper.get_n_tasks() == 0)
        flush()
        # Stopped after the test: a task that returns False once its
        # cancellable fired was cancelled, not failed.
        cleanups.append(stopper.stop)
        return errors
    run.__name__ = 'stopper_' + method
    return run


def future_run_in_thread(func, *user_data):
    future = Gasync.Future.run_in_thread(None, func, *user_data)
    try:
        future.wait(None)
        return []
    except GLib.Error as error:
        return [error]


def on_error_signal(obj):
    errors = []
    obj.connect('error', lambda *args: errors.append(args[-1]))
    return errors


def work_queue_new(func, *user_data):
    queue = Gasync.WorkQueue.new(func, *user_data)
    errors = on_error_signal(queue)
    queue.start()
    assert queue.enqueue(Item(), None)
    queue.close(None)
    flush()
    return errors


def ending_the_token(func):
    def begin(item, token, *args):
        try:
            return func(item, token, *args)
        finally:
            token.end()
    return begin


def work_queue_new_for_main_context(func, *user_data):
    queue = Gasync.WorkQueue.new_for_main_context(ending_the_token(func),
                                                  *user_data)
    errors = on_error_signal(queue)
    queue.start()
    assert queue.try_enqueue(Item())
    closed = []
    queue.close_async(None, lambda q, r: closed.append(q.close_finish(r)))
    iterate_until(lambda: closed)
    flush()
    return errors


def worker(constructor):
    def run(func, *user_data):
        w = getattr(Gasync.Worker, constructor)(func, *user_data)
        errors = on_error_signal(w)
        w.start()
        assert w.enqueue(Item())
        w.stop(None)
        flush()
        return errors
    run.__name__ = 'worker_' + constructor
    return run


def batch_new(func, *user_data):
    batch = Gasync.Batch.new(func, *user_data)
    try:
        batch.run([Item()], None)
    except GLib.Error:
        pass
    return batch.dup_errors()


def batch_new_for_main_context(func, *user_data):
    batch = Gasync.Batch.new_for_main_context(ending_the_token(func),
                                              *user_data)
    done = []

    def finish(b, result):
        try:
            done.append(b.run_finish(result))
        except GLib.Error as error:
            done.append(error)

    batch.run_async([Item()], None, finish)
    iterate_until(lambda: done)
    return batch.dup_errors()


def event_loop_start(func, *user_data):
    loop = Gasync.EventLoop.new(None)
    try:
        assert loop.start(func, *user_data)
        return []
    except GLib.Error as error:
        return [error]


def event_loop_set_timeout(func, *user_data):
    loop = Gasync.EventLoop.new(None)
    try:
        assert loop.start(lambda: loop.set_timeout(1000, func, *user_data))
        return []
    except GLib.Error as error:
        return [error]


def pending_callback_enqueue(func, *user_data):
    loop = Gasync.EventLoop.new(None)
    try:
        assert loop.start(
            lambda: loop.reserve_callback().enqueue(func, *user_data))
        return []
    except GLib.Error as error:
        return [error]


def interval_new(func, *user_data):
    ticks = []
    second_tick = threading.Event()

    def tick(*args):
        ticks.append(args)
        if len(ticks) == 1:
            return func(*args)
        second_tick.set()
        return True

    interval = Gasync.Interval.new(tick, *user_data)
    errors = on_error_signal(interval)
    interval.props.interval = GLib.TIME_SPAN_MILLISECOND
    assert interval.start()
    # Once the second tick runs, the first one's outcome was taken: a stop
    # before would have made a False a cancelled tick, not a failed one.
    assert second_tick.wait(TIMEOUT_S)
    interval.stop(None)
    flush()
    return errors


def runner_new(func, *user_data):
    runner = Gasync.Runner.new('job', func, lambda *args: None, *user_data)
    try:
        assert runner.run(None)
        return []
    except GLib.Error as error:
        return [error]


def interceptor_call(func, *user_data):
    try:
        Gasync.Interceptor.new_tracing().call('job', None, func, *user_data)
        return []
    except GLib.Error as error:
        return [error]


# entry point, how many arguments its function gets before the user data
ENTRY_POINTS = [
    (tasks_run, 1),
    (tasks_loop, 1),
    (tasks_run_background, 1),
    (tasks_run_with_close, 1),
    (stopper_run_task, 1),
    (stopper_async('run_async_task'), 1),
    (stopper_async('run_limited_async_task', Gasync.Semaphore.new(1), True,
                   None), 1),
    (stopper_async('run_worker'), 1),
    (future_run_in_thread, 1),
    (work_queue_new, 2),
    (work_queue_new_for_main_context, 3),
    (worker('new'), 2),
    (worker('new_for_main_context'), 2),
    (batch_new, 2),
    (batch_new_for_main_context, 3),
    (event_loop_start, 0),
    (event_loop_set_timeout, 0),
    (pending_callback_enqueue, 0),
    (interval_new, 1),
    (runner_new, 1),
    (interceptor_call, 1),
]
ENTRY_POINT_IDS = [entry.__name__ for entry, _ in ENTRY_POINTS]
USER_DATA = [(), (None,), ('data',)]
USER_DATA_IDS = ['omitted', 'none', 'given']


@pytest.mark.parametrize('user_data', USER_DATA, ids=USER_DATA_IDS)
@pytest.mark.parametrize('entry, n_args', ENTRY_POINTS, ids=ENTRY_POINT_IDS)
def test_none_is_success(entry, n_args, user_data):
    calls = []

    def func(*args):
        calls.append(args[n_args:])

    errors = entry(func, *user_data)
    assert calls == [user_data]
    assert errors == []


def expect_one_error(errors):
    iterate_until(lambda: errors)
    [error] = errors
    return error


@pytest.mark.parametrize('entry, n_args', ENTRY_POINTS, ids=ENTRY_POINT_IDS)
def test_exception_becomes_the_error(entry, n_args):
    def func(*args):
        raise ValueError('bad port')

    error = expect_one_error(entry(func))
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED)
    assert error.message.endswith('ValueError: bad port')


@pytest.mark.parametrize('entry, n_args', ENTRY_POINTS, ids=ENTRY_POINT_IDS)
def test_glib_error_is_kept(entry, n_args):
    def func(*args):
        raise GLib.Error.new_literal(Gio.io_error_quark(), 'gone',
                                     Gio.IOErrorEnum.NOT_FOUND)

    error = expect_one_error(entry(func))
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
    assert error.message.endswith('gone')
    assert 'Error' not in error.message


@pytest.mark.parametrize('entry, n_args', ENTRY_POINTS, ids=ENTRY_POINT_IDS)
def test_false_is_still_failure(entry, n_args):
    error = expect_one_error(entry(lambda *args: False))
    assert error.matches(Gasync.error_quark(), Gasync.Error.FAILED)


def test_task_error_message_names_the_task_and_the_exception():
    class PortError(Exception):
        pass

    def fetch(cancellable):
        raise PortError('no port 80')

    def empty(cancellable):
        raise KeyError

    tasks = Gasync.Tasks.new('py')
    tasks.run('fetch', None, fetch)
    tasks.run('empty', None, empty)
    assert tasks.wait(None)
    assert sorted(e.message for e in tasks.dup_errors()) == [
        'empty: KeyError', 'fetch: PortError: no port 80']


def test_close_step_returning_none_succeeds_and_false_fails():
    tasks = Gasync.Tasks.new('py')
    tasks.run_with_close('ok', None, lambda c: None, lambda c: None)
    tasks.run_with_close('bad', None, lambda c: None, lambda c: False)
    assert tasks.wait(None)
    [error] = tasks.dup_errors()
    assert error.message.startswith('bad:close: ')


@pytest.mark.parametrize('raised', ['exception', 'glib-error'])
def test_runner_start_function_that_raises_completes_the_runner(raised):
    def start(runner, cancellable):
        if raised == 'exception':
            raise OSError('no socket')
        raise GLib.Error.new_literal(Gio.io_error_quark(), 'gone',
                                     Gio.IOErrorEnum.NOT_FOUND)

    runner = Gasync.Runner.new_for_main_loop('svc', start, lambda r: None)
    done = []

    def on_done(r, result):
        try:
            done.append(r.run_finish(result))
        except GLib.Error as error:
            done.append(error)

    runner.run_async(None, on_done)
    iterate_until(lambda: done)
    [error] = done
    if raised == 'exception':
        assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED)
        assert error.message.endswith('OSError: no socket')
    else:
        assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)


def test_runner_start_function_returning_none_keeps_it_running():
    started = []
    runner = Gasync.Runner.new_for_main_loop(
        'svc', lambda r, c: started.append(r), lambda r: None)
    done = []
    runner.run_async(None, lambda r, res: done.append(r.run_finish(res)))
    iterate_until(lambda: started)
    flush()
    assert done == []
    started[0].complete_ok()
    iterate_until(lambda: done)
    assert done == [True]


def test_mutex_is_a_context_manager():
    mutex = Gasync.Mutex.new()
    with mutex as held:
        assert held is mutex
        assert not mutex.try_lock()
    assert mutex.try_lock()
    mutex.unlock()

    with pytest.raises(ZeroDivisionError):
        with mutex:
            1 / 0
    assert mutex.try_lock()
    mutex.unlock()


def test_mutex_context_manager_excludes_other_threads():
    mutex = Gasync.Mutex.new()
    inside = []
    overlaps = []

    def body():
        for _ in range(200):
            with mutex:
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(len(inside))
                inside.pop()

    threads = [threading.Thread(target=body) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S)
        assert not thread.is_alive()
    assert overlaps == []


def test_semaphore_is_a_context_manager():
    semaphore = Gasync.Semaphore.new(2)
    with semaphore as held:
        assert held is semaphore
        assert semaphore.get_n_available() == 1
        with semaphore:
            assert semaphore.get_n_available() == 0
            assert not semaphore.try_acquire()
        assert semaphore.get_n_available() == 1
    assert semaphore.get_n_available() == 2

    with pytest.raises(ZeroDivisionError):
        with semaphore:
            1 / 0
    assert semaphore.get_n_available() == 2


@pytest.mark.parametrize('owner', ['stopper', 'tasks'])
def test_task_token_is_a_context_manager(owner):
    if owner == 'stopper':
        group = Gasync.Stopper.new()
    else:
        group = Gasync.Tasks.new('py')
    count = group.get_n_tasks if owner == 'stopper' else group.get_n_running
    with group.begin_task('x') as token:
        assert isinstance(token, Gasync.TaskToken)
        assert token.get_name() == 'x'
        assert not token.is_ended()
        assert count() == 1
    assert token.is_ended()
    assert count() == 0

    with pytest.raises(ZeroDivisionError):
        with group.begin_task('y') as token:
            1 / 0
    assert token.is_ended()
    assert count() == 0

    # Ending it inside the block is fine too.
    with group.begin_task('z') as token:
        token.end()
    assert count() == 0
    if owner == 'stopper':
        group.stop()


def test_begin_task_on_a_stopped_stopper_raises():
    stopper = Gasync.Stopper.new()
    stopper.stop()
    with pytest.raises(GLib.Error) as info:
        with stopper.begin_task('late'):
            pass
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.UNAVAILABLE)


# The value functions (GasyncValueFunc): the value a Python function
# returns resolves the task's future. Each entry point below runs func
# once, with user_data after (cancellable, result), and returns the task's
# future.

def future_run_value_in_thread(func, *user_data):
    return Gasync.Future.run_value_in_thread(None, func, *user_data)


def stopper_submit(func, *user_data):
    stopper = Gasync.Stopper.new()
    failed = []
    stopper.connect('task-failed', lambda *args: failed.append(args))
    future = stopper.submit('job', func, *user_data)

    def stop():
        stopper.stop()
        # The future carries the outcome, not the signal.
        assert failed == []
    cleanups.append(stop)
    return future


def tasks_submit(func, *user_data):
    tasks = Gasync.Tasks.new('py')
    future = tasks.submit('job', None, func, *user_data)

    def wait():
        assert tasks.wait(None)
        assert tasks.dup_errors() == []
    cleanups.append(wait)
    return future


VALUE_ENTRY_POINTS = [future_run_value_in_thread, stopper_submit,
                      tasks_submit]
VALUE_ENTRY_POINT_IDS = [entry.__name__ for entry in VALUE_ENTRY_POINTS]


def outcome_of(future):
    """(value, error) of future, awaited in the main loop."""
    outcome = []

    def done(source, result):
        try:
            outcome.append((source.await_finish(result), None))
        except GLib.Error as error:
            outcome.append((None, error))

    future.await_async(None, done)
    iterate_until(lambda: outcome)
    return outcome[0]


@pytest.mark.parametrize('user_data', USER_DATA, ids=USER_DATA_IDS)
@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_returns_its_value(entry, user_data):
    calls = []

    def func(cancellable, result, *args):
        calls.append((threading.get_ident(), args))
        assert isinstance(result, Gasync.Future) and not result.is_done()
        return 'fetched'

    future = entry(func, *user_data)
    assert outcome_of(future) == ('fetched', None)
    [(thread, args)] = calls
    assert thread != threading.get_ident()    # a pool thread
    assert args == user_data


ITEM = Item()
RETURNED = [
    (42, 42),
    (1 << 40, 1 << 40),    # too big for the G_TYPE_INT of a plain int
    (-(1 << 40), -(1 << 40)),
    (1 << 63, 1 << 63),    # only a G_TYPE_UINT64 holds it
    ('text', 'text'),
    (2.5, 2.5),
    (ITEM, ITEM),
    (GObject.Value(GObject.TYPE_BOOLEAN, False), False),
    (GObject.Value(GObject.TYPE_UINT64, 1 << 63), 1 << 63),
    ([1, 'two'], [1, 'two']),
]
RETURNED_IDS = ['int', 'int64', 'negative-int64', 'uint64', 'str', 'float',
                'gobject', 'gvalue-boolean', 'gvalue-uint64', 'list']


@pytest.mark.parametrize('returned, expected', RETURNED, ids=RETURNED_IDS)
@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_return_types(entry, returned, expected):
    future = entry(lambda cancellable, result: returned)
    assert outcome_of(future) == (expected, None)
    assert future.dup_value() == expected


@pytest.mark.parametrize('returned', [None, True])
@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_none_or_true_without_a_value(entry, returned):
    future = entry(lambda cancellable, result: returned)
    assert outcome_of(future) == (None, None)
    assert future.get_error() is None


@pytest.mark.parametrize('returned', [None, True])
@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_keeps_what_it_resolved(entry, returned):
    def func(cancellable, result):
        assert result.resolve_value('mine')
        return returned

    assert outcome_of(entry(func)) == ('mine', None)

    def with_object(cancellable, result):
        assert result.resolve_object(ITEM)
        return returned

    assert outcome_of(entry(with_object)) == (ITEM, None)


@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_value_after_resolving_is_an_error(entry):
    def func(cancellable, result):
        result.resolve_value('mine')
        return 'other'

    value, error = outcome_of(entry(func))
    assert value is None
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED)
    assert error.message.endswith("ValueError: returned 'other' after "
                                  "settling its result")


@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_exception_becomes_the_error(entry):
    def func(cancellable, result):
        result.resolve_value('dropped')
        raise ValueError('bad port')

    value, error = outcome_of(entry(func))
    assert value is None
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED)
    assert error.message.endswith('ValueError: bad port')


@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_glib_error_is_kept(entry):
    def func(cancellable, result):
        raise GLib.Error.new_literal(Gio.io_error_quark(), 'gone',
                                     Gio.IOErrorEnum.NOT_FOUND)

    value, error = outcome_of(entry(func))
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
    assert error.message.endswith('gone')
    assert 'Error' not in error.message


@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_false_is_still_failure(entry):
    value, error = outcome_of(entry(lambda cancellable, result: False))
    assert error.matches(Gasync.error_quark(), Gasync.Error.FAILED)


@pytest.mark.parametrize('entry', VALUE_ENTRY_POINTS,
                         ids=VALUE_ENTRY_POINT_IDS)
def test_value_function_value_beyond_64_bits_is_an_error(entry):
    value, error = outcome_of(entry(lambda cancellable, result: 1 << 70))
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED)
    assert 'OverflowError' in error.message


def test_future_all_gives_the_returned_values():
    futures = [Gasync.Future.run_value_in_thread(None, lambda c, r, i: i, i)
               for i in range(3)]
    assert outcome_of(Gasync.Future.all(futures)) == ([0, 1, 2], None)


# Stopper.run_limited_task_async() takes its task as a GClosure and its
# user data for the callback, after it.

class Finished:
    """A GAsyncReadyCallback for run_limited_task_async(): records the
    finish call's outcome and the user data it was given."""

    def __init__(self):
        self.calls = []

    def __call__(self, stopper, result, *user_data):
        try:
            outcome = stopper.run_limited_task_finish(result)
        except GLib.Error as error:
            outcome = error
        self.calls.append((outcome, user_data))


def run_limited_task_async(func, *callback_and_data):
    stopper = Gasync.Stopper.new()
    failed = []
    stopper.connect('task-failed', lambda s, name, e: failed.append(e))
    returned = threading.Event()

    def task(*args):
        try:
            return func(*args)
        finally:
            returned.set()

    stopper.run_limited_task_async('job', Gasync.Semaphore.new(1), None,
                                   task, *callback_and_data)
    assert returned.wait(TIMEOUT_S)
    iterate_until(lambda: stopper.get_n_tasks() == 0)
    flush()
    cleanups.append(stopper.stop)
    return failed


@pytest.mark.parametrize('user_data', USER_DATA, ids=USER_DATA_IDS)
def test_run_limited_task_async_none_is_success(user_data):
    calls = []
    finished = Finished()
    failed = run_limited_task_async(lambda *args: calls.append(args),
                                    finished, *user_data)
    iterate_until(lambda: finished.calls)
    assert finished.calls == [(True, user_data)]
    [(cancellable,)] = calls
    assert isinstance(cancellable, Gio.Cancellable)
    assert failed == []


def test_run_limited_task_async_without_a_callback():
    calls = []
    failed = run_limited_task_async(lambda *args: calls.append(args))
    assert len(calls) == 1
    assert failed == []


@pytest.mark.parametrize('raised', ['exception', 'false'])
def test_run_limited_task_async_exception_fails_the_task(raised, capsys):
    def func(cancellable):
        if raised == 'false':
            return False
        raise ValueError('bad port')

    finished = Finished()
    error = expect_one_error(run_limited_task_async(func, finished))
    # The closure cannot carry the exception: the task failed, unnamed.
    assert error.matches(Gasync.error_quark(), Gasync.Error.FAILED)
    assert 'job' in error.message
    # It was started, which is what the callback reports.
    iterate_until(lambda: finished.calls)
    assert finished.calls == [(True, ())]
    if raised == 'exception':
        assert 'ValueError: bad port' in capsys.readouterr().err
