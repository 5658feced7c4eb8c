# test_workers.py: GasyncWaitGroup, GasyncWorker, GasyncLatch and
# GasyncInterval through the typelib, as a Python program uses them.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import threading

import gi

gi.require_version('Gasync', '1')
from gi.repository import GLib, GObject, Gasync, Gio  # noqa: E402

from gasync_test_util import iterate_until  # noqa: E402


def flush():
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass


class Item(GObject.Object):
    number = GObject.Property(type=int)


# Wait group

def test_wait_group_blocking_wait():
    group = Gasync.WaitGroup.new()
    group.add(4)
    threads = [threading.Thread(target=group.done) for _ in range(4)]
    for t in threads:
        t.start()
    assert group.wait(None)
    assert group.get_n_outstanding() == 0
    for t in threads:
        t.join()


def test_wait_group_wait_cancelled():
    group = Gasync.WaitGroup.new()
    group.add(1)
    cancellable = Gio.Cancellable()
    threading.Timer(0.05, cancellable.cancel).start()
    try:
        group.wait(cancellable)
        assert False, 'not cancelled'
    except GLib.Error as e:
        assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert group.get_n_outstanding() == 1
    group.done()


def test_wait_group_wait_async():
    group = Gasync.WaitGroup.new()
    group.add(3)
    results = []

    def on_done(source, result):
        assert threading.current_thread() is threading.main_thread()
        results.append(source.wait_finish(result))

    group.wait_async(None, on_done)
    for _ in range(3):
        threading.Thread(target=group.done).start()
    iterate_until(lambda: results)
    assert results == [True]


def test_wait_group_wait_async_cancelled():
    group = Gasync.WaitGroup.new()
    group.add(1)
    cancellable = Gio.Cancellable()
    errors = []

    def on_done(source, result):
        try:
            source.wait_finish(result)
        except GLib.Error as e:
            errors.append(e)

    group.wait_async(cancellable, on_done)
    cancellable.cancel()
    iterate_until(lambda: errors)
    assert errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    group.done()


def test_wait_group_done_below_zero_is_critical():
    group = Gasync.WaitGroup.new()
    old = GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_ERROR)
    try:
        group.done()    # logs a critical and changes nothing
    finally:
        GLib.log_set_always_fatal(old)
    assert group.get_n_outstanding() == 0


# Worker

def test_worker_processes_objects_in_order_on_a_thread():
    seen = []
    threads = set()

    def process(item, cancellable):
        threads.add(threading.get_ident())
        seen.append(item.props.number)
        return True

    worker = Gasync.Worker.new(process)
    worker.start()
    assert worker.get_state() == Gasync.LatchState.STARTED
    for i in range(50):
        assert worker.enqueue(Item(number=i))
    worker.stop(None)
    assert worker.props.state == Gasync.LatchState.STOPPED
    assert seen == list(range(50))
    assert threading.get_ident() not in threads
    flush()


def test_worker_error_signal_on_main_thread():
    errors = []

    def process(item, cancellable):
        return item.props.number % 2 == 0    # odd items fail silently

    worker = Gasync.Worker.new(process)
    worker.connect('error', lambda w, e: errors.append(
        (threading.current_thread() is threading.main_thread(), e)))
    worker.start()
    for i in range(4):
        worker.enqueue(Item(number=i))
    worker.stop(None)
    iterate_until(lambda: len(errors) == 2)
    for on_main, e in errors:
        assert on_main
        assert e.matches(Gasync.error_quark(), Gasync.Error.FAILED)


def test_worker_lifecycle_errors():
    worker = Gasync.Worker.new(lambda item, cancellable: True)
    assert not worker.enqueue(Item())
    try:
        worker.stop(None)
        assert False, 'stopped a stopped worker'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.NOT_STARTED)
    worker.start()
    try:
        worker.start()
        assert False, 'started twice'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.ALREADY_STARTED)
    assert worker.close() == 0
    flush()


def test_worker_main_context_form():
    seen = []

    def process(item, cancellable):
        assert threading.current_thread() is threading.main_thread()
        seen.append(item.props.number)
        return True

    worker = Gasync.Worker.new_for_main_context(process)
    states = []
    worker.connect('notify::state', lambda w, p: states.append(w.props.state))
    worker.start()
    for i in range(5):
        worker.enqueue(Item(number=i))
    iterate_until(lambda: len(seen) == 5)
    worker.stop(None)
    flush()
    assert seen == list(range(5))
    assert len(states) == 4    # starting, started, stopping, stopped
    assert states[-1] == Gasync.LatchState.STOPPED


def test_worker_name_and_leak_report():
    # CockroachDB pkg/util/leaktest: AfterTest() lists what was started and
    # not stopped; a worker is listed by its name while it runs.
    def leaked():
        return [leak.get_name() for leak in Gasync.leaks_check(0)
                if leak.get_kind() == 'GasyncWorker']

    for worker in (Gasync.Worker.new(lambda item, cancellable: True),
                   Gasync.Worker.new_for_main_context(
                       lambda item, cancellable: True)):
        worker.props.name = 'py: mailer'
        assert worker.get_name() == 'py: mailer'
        assert 'py: mailer' not in leaked()
        worker.start()
        assert 'py: mailer' in leaked()
        worker.stop(None)
        assert 'py: mailer' not in leaked()
        flush()


# Latch and interval

def test_latch_transitions_and_notify():
    latch = Gasync.Latch.new()
    notified = []
    latch.connect('notify::state', lambda l, p: notified.append(l.props.state))
    assert latch.can_start()
    latch.starting()
    try:
        latch.starting()
        assert False, 'started twice'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.ALREADY_STARTED)
    threading.Thread(target=latch.started).start()
    assert latch.wait_started(None)
    iterate_until(lambda: len(notified) == 2)
    # One notify per transition, emitted later on this thread: each reads
    # the state as it is by then.
    flush()
    assert notified == [Gasync.LatchState.STARTED] * 2


def test_interval_main_context_runs_and_stops_on_error():
    runs = []
    errors = []

    def action(cancellable):
        runs.append(threading.current_thread() is threading.main_thread())
        return len(runs) < 3

    interval = Gasync.Interval.new(action)
    interval.props.interval = 10 * 1000
    interval.props.mode = Gasync.IntervalMode.MAIN_CONTEXT
    interval.props.stop_on_error = True
    interval.connect('error', lambda i, e: errors.append(e))
    interval.start()
    iterate_until(lambda: errors and
                  interval.get_state() == Gasync.LatchState.STOPPED)
    assert runs == [True, True, True]
    assert errors[0].matches(Gasync.error_quark(), Gasync.Error.FAILED)
