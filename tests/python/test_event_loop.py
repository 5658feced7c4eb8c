# test_event_loop.py: GasyncEventLoop and GasyncFuture from PyGObject:
# reservations enqueued from Python threads, futures settled and observed.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import threading
import time

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import GLib, Gasync  # noqa: E402


def test_reservation_enqueued_from_a_python_thread():
    loop = Gasync.EventLoop.new(None)
    future = loop.new_future()
    loop_thread = threading.get_ident()
    seen = []
    workers = []

    def first():
        pending = loop.reserve_callback()

        def work():
            def settle():
                seen.append(('settle', threading.get_ident()))
                future.resolve_value(42)
                return True
            pending.enqueue(settle)

        worker = threading.Thread(target=work)
        worker.start()
        workers.append(worker)
        future.add_done_callback(
            lambda f: seen.append((f.dup_value(), threading.get_ident())))
        return True

    assert loop.start(first)
    workers[0].join()
    assert seen == [('settle', loop_thread), (42, loop_thread)]
    assert future.is_done()
    assert future.dup_value() == 42


def test_many_reservations_from_several_threads_run_in_order():
    loop = Gasync.EventLoop.new(None)
    order = {i: [] for i in range(4)}
    workers = []

    def first():
        for i in range(4):
            pendings = [loop.reserve_callback() for _ in range(200)]

            def work(i=i, pendings=pendings):
                for n, pending in enumerate(pendings):
                    pending.enqueue(
                        lambda i=i, n=n: order[i].append(n) is None)

            worker = threading.Thread(target=work)
            worker.start()
            workers.append(worker)
        return True

    assert loop.start(first)
    for worker in workers:
        worker.join()
    assert order == {i: list(range(200)) for i in range(4)}


def test_failing_callback_stops_the_loop_and_wait_on_registered():
    loop = Gasync.EventLoop.new(None)
    ran = []
    go = threading.Event()
    workers = []

    def first():
        pending = loop.reserve_callback()

        def work():
            go.wait(30)
            pending.enqueue(lambda: ran.append('late') is None)

        worker = threading.Thread(target=work)
        worker.start()
        workers.append(worker)
        raise GLib.Error('boom')

    with pytest.raises(GLib.Error, match='boom'):
        loop.start(first)
    go.set()
    # k6 js/eventloop TestEventLoopWaitOnRegistered: the late callback runs.
    loop.wait_on_registered()
    workers[0].join()
    assert ran == ['late']
    ran.clear()

    with pytest.raises(GLib.Error) as info:
        loop.start(lambda: False)
    assert info.value.matches(Gasync.error_quark(), Gasync.Error.FAILED)

    assert loop.start(lambda: ran.append('again') is None)
    assert ran == ['again']


def test_unhandled_rejection_stops_the_loop():
    loop = Gasync.EventLoop.new(None)

    def first():
        future = loop.new_future()
        future.reject(GLib.Error.new_literal(Gasync.error_quark(),
                                             'nobody listens',
                                             Gasync.Error.FAILED))
        return True

    with pytest.raises(GLib.Error) as info:
        loop.start(first)
    assert info.value.matches(Gasync.error_quark(),
                              Gasync.Error.UNHANDLED_REJECTION)
    assert 'nobody listens' in info.value.message


def test_timeouts():
    loop = Gasync.EventLoop.new(None)
    fired = []

    def first():
        loop.set_timeout(10 * 1000, lambda: fired.append('kept') is None)
        cleared = loop.set_timeout(5 * 1000, lambda: fired.append('cleared') is None)
        assert loop.clear_timeout(cleared)
        return True

    assert loop.start(first)
    assert fired == ['kept']


def test_wait_on_registered_runs_every_late_callback():
    # k6 js/eventloop TestEventLoopAllCallbacksGetCalled
    loop = Gasync.EventLoop.new(None)
    called = []
    go = threading.Event()
    workers = []

    def bad():
        raise GLib.Error('late and bad')

    def first():
        pendings = [loop.reserve_callback() for _ in range(20)]

        def work():
            pendings[0].enqueue(bad)
            go.wait(30)
            for i, pending in enumerate(pendings[1:]):
                pending.enqueue(lambda i=i: called.append(i) is None)

        worker = threading.Thread(target=work)
        worker.start()
        workers.append(worker)
        raise GLib.Error('expected')

    for _ in range(3):
        called.clear()
        go.clear()
        with pytest.raises(GLib.Error, match='expected'):
            loop.start(first)
        go.set()
        loop.wait_on_registered()
        workers.pop().join()
        assert called == list(range(19))


def test_timeouts_run_in_deadline_order():
    loop = Gasync.EventLoop.new(None)
    fired = []

    def first():
        loop.set_timeout(30 * 1000, lambda: fired.append('c') is None)
        loop.set_timeout(10 * 1000, lambda: fired.append('a') is None)
        loop.set_timeout(20 * 1000, lambda: fired.append('b') is None)
        # Busy until all three are due, so the loop finds them together.
        due = GLib.get_monotonic_time() + 31000
        while GLib.get_monotonic_time() < due:
            time.sleep(0.001)
        return True

    assert loop.start(first)
    assert fired == ['a', 'b', 'c']


def test_run_in_thread_and_wait():
    main = threading.get_ident()
    ran_in = []

    def job(cancellable):
        ran_in.append(threading.get_ident())
        return True

    future = Gasync.Future.run_in_thread(None, job)
    assert future.wait(None)
    assert ran_in and ran_in[0] != main

    def failing(cancellable):
        raise GLib.Error('job failed')

    future = Gasync.Future.run_in_thread(None, failing)
    with pytest.raises(GLib.Error, match='job failed'):
        future.wait(None)


def test_await_async_and_combinators():
    main_loop = GLib.MainLoop()
    a = Gasync.Future.new()
    b = Gasync.Future.new()
    both = Gasync.Future.all([a, b])
    first = Gasync.Future.first([a, b])
    results = []

    def done(future, result):
        results.append(future.await_finish(result))
        main_loop.quit()

    both.await_async(None, done)
    GLib.idle_add(lambda: a.resolve_value('a') and False)
    GLib.idle_add(lambda: b.resolve_value('b') and False)
    GLib.timeout_add_seconds(30, main_loop.quit)
    main_loop.run()
    assert results == [['a', 'b']]
    assert first.dup_value() == 'a'
    assert (a.dup_value(), b.dup_value()) == ('a', 'b')
