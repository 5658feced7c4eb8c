# Gasync.py: the PyGObject override of libgasync, so that Python code
# using the Gasync-1 typelib reads like Python.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Python conveniences over the Gasync-1 typelib.

PyGObject loads this module by itself on ``from gi.repository import
Gasync``. It changes five things, and nothing else:

Task functions.
    Every function that the library calls with a ``GError`` to fill (task,
    work, worker and event-loop functions, the run function of a runner,
    the value functions below) may return ``None`` for success, as Python
    functions do when they fall off their end. ``False`` still means
    failure, and any other value is passed on (a value function's is its
    value). A raised ``GLib.Error`` becomes the task's error as it is;
    any other ``Exception`` becomes a ``GLib.Error`` in the ``G_IO_ERROR``
    domain with code ``Gio.IOErrorEnum.FAILED`` and the message
    ``"TypeName: message"`` (``"ValueError: bad port"``; a ``Gasync.Tasks``
    group puts the task's name before it, as it does for every error:
    ``"fetch: ValueError: bad port"``). C code matches it without knowing
    about Python. The close step of ``Tasks.run_with_close()`` is a
    GClosure, which cannot carry an error: it may return ``None`` for
    success, but an exception there is printed and the step fails without
    its message. The start function of ``Runner.new_for_main_loop()``
    returns nothing; if it raises, the runner completes with the error as
    above, instead of running until ``complete()`` that never comes (so
    a start function that raises must not have called ``complete()``).
    The task of ``Stopper.run_limited_task_async()`` is a GClosure as
    well: ``None`` is success there too, and an exception is printed and
    fails the task without its message (the ``task-failed`` signal gets
    ``Gasync.Error.FAILED`` naming the task).

Value functions.
    The function given to ``Future.run_value_in_thread()``,
    ``Stopper.submit()`` and ``Tasks.submit()`` (a ``GasyncValueFunc``,
    called as ``func(cancellable, result, *user_data)`` on a pool thread)
    may simply return its value: the task's future resolves with it. A
    ``GObject.Object`` is resolved with ``result.resolve_object()``; any
    other value, a ``GObject.Value`` included, with
    ``result.resolve_value()``: an ``int`` is a ``G_TYPE_INT`` (a
    ``G_TYPE_INT64`` if it needs more than 32 bits, a ``G_TYPE_UINT64``
    above ``GLib.MAXINT64``), a ``str`` a ``G_TYPE_STRING``, other Python
    objects as PyGObject converts them (``GObject.TYPE_PYOBJECT`` for a
    ``list``); return a ``GObject.Value`` to choose the type::

        def count(cancellable, result, path):
            return len(os.listdir(path))

        future = stopper.submit('count', count, '/tmp')

    ``None`` resolves the future without a value, or keeps what the
    function resolved ``result`` with itself, so that
    ``result.resolve_value(x); return True`` still works. ``True`` and
    ``False`` keep their meaning as for every task function (success,
    failure); a boolean value is returned as ``GObject.Value(
    GObject.TYPE_BOOLEAN, flag)``. Exceptions become the task's error as
    above, and so does a value that cannot be put in a ``GValue`` (an
    ``int`` beyond 64 bits) or one returned after the function settled
    ``result`` itself.

Context managers.
    ``with mutex:`` locks a ``Gasync.Mutex`` (blocking, without a
    cancellable) and unlocks it; ``with semaphore:`` acquires and releases
    a slot of a ``Gasync.Semaphore``; ``with stopper.begin_task('x') as
    token:`` (or ``tasks.begin_task('x')``) ends the task token on leaving
    the block, also when it raised.

Thread states.
    PyGObject runs a Python function on a thread that Python did not make
    (the library's pool threads) inside a Python thread state that it makes
    for the call and deletes afterwards. That costs more than the rest of
    a small task (a Python task through ``Stopper.run_async_task()`` took
    about 80 us instead of 10 us on a 2-core machine). The first time a
    wrapped function runs on such a thread, the override takes one more
    reference on its thread state (``PyGILState_Ensure()``), so that the
    thread keeps it until it exits. Threads that Python made are left
    alone.

User data.
    It is optional wherever a function takes one, and passed after the
    function as in PyGObject: ``tasks.run('x', None, func)``, or
    ``tasks.run('x', None, func, data)`` to call ``func(cancellable,
    data)``. No call needs a ``()`` tuple. The user data of
    ``Stopper.run_limited_task_async()`` goes to its callback, as for every
    ``_async`` call: ``stopper.run_limited_task_async('x', semaphore, None,
    func, callback)``, or with ``data`` after ``callback``.
"""

import ctypes
import threading

from gi.module import get_introspection_module
from gi.overrides import override
from gi.repository import Gio, GLib, GObject

Gasync = get_introspection_module('Gasync')

__all__ = []


def _error_from(exception):
    """The GLib.Error that reports exception."""
    message = str(exception)
    name = type(exception).__name__
    return GLib.Error.new_literal(Gio.io_error_quark(),
                                  f'{name}: {message}' if message else name,
                                  Gio.IOErrorEnum.FAILED)


def _task(func):
    """Wraps a Python function for a callback that returns a gboolean and
    can fail with a GError: None means success, an exception the GError."""
    if func is None:
        return None

    def task(*args):
        _keep_thread_state()
        try:
            result = func(*args)
        except GLib.Error:
            raise
        except Exception as exception:
            raise _error_from(exception) from exception
        return True if result is None else result
    return task


_seen_threads = set()
_gil_state_ensure = ctypes.pythonapi.PyGILState_Ensure


def _keep_thread_state():
    """Keeps the Python thread state of a thread that Python did not make
    (see "Thread states" in the module's docstring)."""
    ident = threading.get_ident()
    if ident in _seen_threads:
        return
    _seen_threads.add(ident)
    # pylint: disable-next=protected-access
    if isinstance(threading.current_thread(), threading._DummyThread):
        _gil_state_ensure()


def _value_task(func):
    """Wraps a Python function for a GasyncValueFunc: its return value
    resolves the result future (see the module's docstring), an exception
    is the GError."""
    if func is None:
        return None

    def value_task(cancellable, result, *args):
        _keep_thread_state()
        try:
            value = func(cancellable, result, *args)
            if isinstance(value, bool):
                return value
            if value is None:
                pass    # pending: no value; settled: kept
            elif result.is_done():
                raise ValueError(f'returned {value!r} after settling its '
                                 'result')
            elif isinstance(value, GObject.Object):
                result.resolve_object(value)
            elif (isinstance(value, int)
                  and not GLib.MININT32 <= value <= GLib.MAXINT32):
                wide = (GObject.TYPE_UINT64 if value > GLib.MAXINT64
                        else GObject.TYPE_INT64)
                result.resolve_value(GObject.Value(wide, value))
            else:
                result.resolve_value(value)
        except GLib.Error:
            raise
        except Exception as exception:
            raise _error_from(exception) from exception
        return True
    return value_task


def _start(func):
    """Wraps the start function of a main-loop runner: an exception
    completes the runner with it, rather than leaving it running."""
    if func is None:
        return None

    def start(runner, *args):
        try:
            func(runner, *args)
        except GLib.Error as error:
            runner.complete(error)
        except Exception as exception:
            runner.complete(_error_from(exception))
    return start


def _step(func):
    """Wraps a Python function for a GClosure that returns a gboolean:
    None means success."""
    if func is None:
        return None

    def step(*args):
        _keep_thread_state()
        result = func(*args)
        return True if result is None else result
    return step


@override
class Batch(Gasync.Batch):
    @classmethod
    def new(cls, func, *user_data):
        return Gasync.Batch.new(_task(func), *user_data)

    @classmethod
    def new_for_main_context(cls, func, *user_data):
        return Gasync.Batch.new_for_main_context(_task(func), *user_data)


@override
class EventLoop(Gasync.EventLoop):
    def start(self, first_func=None, *user_data):
        return super().start(_task(first_func), *user_data)

    def set_timeout(self, delay, func, *user_data):
        return super().set_timeout(delay, _task(func), *user_data)


@override
class PendingCallback(Gasync.PendingCallback):
    def enqueue(self, func, *user_data):
        return super().enqueue(_task(func), *user_data)


@override
class Future(Gasync.Future):
    @staticmethod
    def run_in_thread(cancellable, func, *user_data):
        return Gasync.Future.run_in_thread(cancellable, _task(func),
                                           *user_data)

    @staticmethod
    def run_value_in_thread(cancellable, func, *user_data):
        return Gasync.Future.run_value_in_thread(cancellable,
                                                 _value_task(func),
                                                 *user_data)


@override
class Interceptor(Gasync.Interceptor):
    def call(self, name, cancellable, func, *user_data):
        return super().call(name, cancellable, _task(func), *user_data)


@override
class Interval(Gasync.Interval):
    @classmethod
    def new(cls, func, *user_data):
        return Gasync.Interval.new(_task(func), *user_data)


@override
class Runner(Gasync.Runner):
    @classmethod
    def new(cls, id, run_func, stop_func, *user_data):
        return Gasync.Runner.new(id, _task(run_func), stop_func, *user_data)

    @classmethod
    def new_for_main_loop(cls, id, start_func, stop_func, *user_data):
        return Gasync.Runner.new_for_main_loop(id, _start(start_func),
                                               stop_func, *user_data)


@override
class Stopper(Gasync.Stopper):
    def run_task(self, name, func, *user_data):
        return super().run_task(name, _task(func), *user_data)

    def run_async_task(self, name, func, *user_data):
        return super().run_async_task(name, _task(func), *user_data)

    def run_limited_async_task(self, name, semaphore, wait, cancellable,
                               func, *user_data):
        return super().run_limited_async_task(name, semaphore, wait,
                                              cancellable, _task(func),
                                              *user_data)

    def run_limited_task_async(self, name, semaphore, cancellable, func,
                               callback=None, *user_data):
        return super().run_limited_task_async(name, semaphore, cancellable,
                                              _step(func), callback,
                                              *user_data)

    def run_worker(self, name, func, *user_data):
        return super().run_worker(name, _task(func), *user_data)

    def submit(self, name, func, *user_data):
        return super().submit(name, _value_task(func), *user_data)


@override
class Tasks(Gasync.Tasks):
    def run(self, name, cancellable, func, *user_data):
        return super().run(name, cancellable, _task(func), *user_data)

    def loop(self, name, cancellable, func, *user_data):
        return super().loop(name, cancellable, _task(func), *user_data)

    def run_background(self, name, func, *user_data):
        return super().run_background(name, _task(func), *user_data)

    def run_with_close(self, name, cancellable, func, close_func,
                       *user_data):
        return super().run_with_close(name, cancellable, _task(func),
                                      _step(close_func), *user_data)

    def submit(self, name, cancellable, func, *user_data):
        return super().submit(name, cancellable, _value_task(func),
                              *user_data)


@override
class WorkQueue(Gasync.WorkQueue):
    @classmethod
    def new(cls, func, *user_data):
        return Gasync.WorkQueue.new(_task(func), *user_data)

    @classmethod
    def new_for_main_context(cls, func, *user_data):
        return Gasync.WorkQueue.new_for_main_context(_task(func), *user_data)


@override
class Worker(Gasync.Worker):
    @classmethod
    def new(cls, func, *user_data):
        return Gasync.Worker.new(_task(func), *user_data)

    @classmethod
    def new_for_main_context(cls, func, *user_data):
        return Gasync.Worker.new_for_main_context(_task(func), *user_data)


@override
class Mutex(Gasync.Mutex):
    def __enter__(self):
        self.lock(None)
        return self

    def __exit__(self, *exc_info):
        self.unlock()


@override
class Semaphore(Gasync.Semaphore):
    def __enter__(self):
        self.acquire(None)
        return self

    def __exit__(self, *exc_info):
        self.release()


@override
class TaskToken(Gasync.TaskToken):
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if not self.is_ended():
            self.end()


__all__ += ['Batch', 'EventLoop', 'PendingCallback', 'Future', 'Interceptor',
            'Interval', 'Runner', 'Stopper', 'Tasks', 'WorkQueue', 'Worker',
            'Mutex', 'Semaphore', 'TaskToken']
