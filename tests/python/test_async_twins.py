# test_async_twins.py: the _async/_finish twins of the blocking calls,
# through the typelib with callbacks: each returns before what it waits
# for has happened, and its callback runs from the caller's main loop.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import threading

import gi

gi.require_version('Gasync', '1')
from gi.repository import GLib, Gio, Gasync  # noqa: E402

from gasync_test_util import TIMEOUT_S, iterate_until  # noqa: E402


class Result:
    """A GAsyncReadyCallback that records its result, and the finish
    call's return value or error."""

    def __init__(self, finish):
        self.finish = finish
        self.done = False
        self.value = None
        self.error = None

    def __call__(self, source, result, *args):
        assert threading.current_thread() is threading.main_thread()
        try:
            self.value = getattr(source, self.finish)(result)
        except GLib.Error as e:
            self.error = e
        self.done = True

    def wait(self):
        iterate_until(lambda: self.done)
        return self


def test_quiesce_async_waits_for_a_task_then_stop_async():
    stopper = Gasync.Stopper.new()
    gate = threading.Event()
    started = threading.Event()

    def task(cancellable, data):
        started.set()
        assert gate.wait(TIMEOUT_S)
        return True

    assert stopper.run_async_task('py: gated', task, None)
    assert started.wait(TIMEOUT_S)
    quiesced = Result('quiesce_finish')
    stopper.quiesce_async(None, quiesced)
    assert stopper.get_state() == Gasync.StopperState.QUIESCING
    GLib.MainContext.default().iteration(False)
    assert not quiesced.done
    gate.set()
    assert quiesced.wait().value is True
    assert stopper.get_n_tasks() == 0

    stopped = Result('stop_finish')
    stopper.stop_async(None, stopped)
    assert stopped.wait().value is True
    assert stopper.is_stopped()


def test_quiesce_async_cancelled_wait():
    stopper = Gasync.Stopper.new()
    token = stopper.begin_task('py: token')
    cancellable = Gio.Cancellable()
    quiesced = Result('quiesce_finish')
    stopper.quiesce_async(cancellable, quiesced)
    cancellable.cancel()
    assert quiesced.wait().error.matches(Gio.io_error_quark(),
                                         Gio.IOErrorEnum.CANCELLED)
    token.end()
    stopped = Result('stop_finish')
    stopper.stop_async(None, stopped)
    assert stopped.wait().value is True


def test_run_limited_task_async_waits_for_a_slot():
    stopper = Gasync.Stopper.new()
    semaphore = Gasync.Semaphore.new(1)
    gate = threading.Event()
    started = threading.Event()
    ran = []

    def holder(cancellable, data):
        started.set()
        assert gate.wait(TIMEOUT_S)
        return True

    def waiter(cancellable):
        ran.append(cancellable == stopper.get_quiesce_cancellable())
        return True

    assert stopper.run_limited_async_task('py: holder', semaphore, False,
                                          None, holder, None)
    assert started.wait(TIMEOUT_S)
    submitted = Result('run_limited_task_finish')
    stopper.run_limited_task_async('py: waiter', semaphore, None, waiter,
                                   submitted)
    GLib.MainContext.default().iteration(False)
    assert not submitted.done
    gate.set()
    assert submitted.wait().value is True
    stopped = Result('stop_finish')
    stopper.stop_async(None, stopped)
    assert stopped.wait().value is True
    assert ran == [True]


def test_run_limited_task_async_refused_when_quiescing():
    stopper = Gasync.Stopper.new()
    semaphore = Gasync.Semaphore.new(1)
    stopper.stop()
    submitted = Result('run_limited_task_finish')
    stopper.run_limited_task_async('py: late', semaphore, None,
                                   lambda c: True, submitted)
    assert submitted.wait().error.matches(Gasync.error_quark(),
                                          Gasync.Error.UNAVAILABLE)


def test_worker_stop_async_processes_the_queue():
    processed = []
    gate = threading.Event()

    def func(item, cancellable, data):
        assert gate.wait(TIMEOUT_S)
        processed.append(item.get_name())
        return True

    worker = Gasync.Worker.new(func, None)
    worker.start()
    items = [Gio.SimpleAction.new(f'a{i}', None) for i in range(3)]
    for item in items:
        assert worker.enqueue(item)
    stopped = Result('stop_finish')
    worker.stop_async(None, stopped)
    assert not worker.enqueue(Gio.SimpleAction.new('late', None))
    GLib.MainContext.default().iteration(False)
    assert not stopped.done
    gate.set()
    assert stopped.wait().value is True
    assert processed == ['a0', 'a1', 'a2']
    assert worker.get_state() == Gasync.LatchState.STOPPED


def test_worker_stop_async_not_started():
    worker = Gasync.Worker.new(lambda item, c, d: True, None)
    stopped = Result('stop_finish')
    worker.stop_async(None, stopped)
    assert stopped.wait().error.matches(Gasync.error_quark(),
                                        Gasync.Error.NOT_STARTED)


def test_work_queue_enqueue_async_waits_for_room():
    gate = threading.Event()
    processed = []

    def work(item, cancellable, data):
        assert gate.wait(TIMEOUT_S)
        processed.append(item.get_name())
        return True

    queue = Gasync.WorkQueue.new(work, None)
    queue.set_parallelism(1)
    queue.set_max_work(1)
    queue.start()
    queue.enqueue(Gio.SimpleAction.new('a', None), None)
    iterate_until(lambda: queue.get_n_queued() == 0)
    queue.enqueue(Gio.SimpleAction.new('b', None), None)
    queued = Result('enqueue_finish')
    queue.enqueue_async(Gio.SimpleAction.new('c', None), None, queued)
    GLib.MainContext.default().iteration(False)
    assert not queued.done
    gate.set()
    assert queued.wait().value is True
    stopped = Result('stop_finish')
    queue.stop_async(None, stopped)
    assert stopped.wait().value is True
    assert processed == ['a', 'b', 'c']
    queue.close(None)


def test_work_queue_enqueue_async_cancelled():
    gate = threading.Event()
    queue = Gasync.WorkQueue.new(lambda i, c, d: gate.wait(TIMEOUT_S), None)
    queue.set_parallelism(1)
    queue.set_max_work(1)
    queue.start()
    queue.enqueue(Gio.SimpleAction.new('a', None), None)
    iterate_until(lambda: queue.get_n_queued() == 0)
    queue.enqueue(Gio.SimpleAction.new('b', None), None)
    cancellable = Gio.Cancellable()
    queued = Result('enqueue_finish')
    queue.enqueue_async(Gio.SimpleAction.new('c', None), cancellable, queued)
    cancellable.cancel()
    assert queued.wait().error.matches(Gio.io_error_quark(),
                                       Gio.IOErrorEnum.CANCELLED)
    gate.set()
    assert queue.close(None)[0] == 0


def test_event_loop_start_async_and_wait_on_registered_async():
    loop = Gasync.EventLoop.new(None)
    calls = []

    def fulfil(pending, fail):
        def cb(data):
            calls.append(fail)
            if fail:
                raise GLib.Error('failed')
            return True
        pending.enqueue(cb, None)

    def first(data):
        pending = loop.reserve_callback()
        threading.Thread(target=fulfil, args=(pending, False)).start()
        calls.append('first')
        return True

    loop.set_timeout(0, first, None)
    ran = Result('start_finish')
    loop.start_async(None, ran)
    assert calls == []
    assert ran.wait().value is True
    assert calls == ['first', False]

    # A failed run leaves a reservation to wait_on_registered_async().
    failing = loop.reserve_callback()
    late = loop.reserve_callback()
    fulfil(failing, True)
    failed = Result('start_finish')
    loop.start_async(None, failed)
    assert failed.wait().error is not None
    waited = Result('wait_on_registered_finish')
    loop.wait_on_registered_async(None, waited)
    GLib.MainContext.default().iteration(False)
    assert not waited.done
    fulfil(late, False)
    assert waited.wait().value is True
    assert calls == ['first', False, True, False]


def test_event_loop_start_async_cancelled():
    loop = Gasync.EventLoop.new(None)
    pending = loop.reserve_callback()
    cancellable = Gio.Cancellable()
    ran = Result('start_finish')
    loop.start_async(cancellable, ran)
    GLib.MainContext.default().iteration(False)
    assert not ran.done
    cancellable.cancel()
    assert ran.wait().error.matches(Gio.io_error_quark(),
                                    Gio.IOErrorEnum.CANCELLED)
    pending.cancel()
