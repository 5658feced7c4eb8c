# test_work_queue.py: GasyncWorkQueue and GasyncBatch from PyGObject: work
# functions on worker threads, the error signal on the owner context,
# close handing back discarded items, stop and start again, and the async
# batch.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import threading

import gi

gi.require_version('Gasync', '1')
from gi.repository import GLib, GObject, Gasync  # noqa: E402

from gasync_test_util import iterate_until  # noqa: E402


class Item(GObject.Object):
    def __init__(self, index):
        super().__init__()
        self.index = index


def test_work_queue_processes_every_item_once():
    seen = []
    lock = threading.Lock()
    main_thread = threading.get_ident()

    def work(item, cancellable):
        assert threading.get_ident() != main_thread
        with lock:
            seen.append(item.index)
        return True

    queue = Gasync.WorkQueue.new(work)
    assert queue.props.max_work == 1024
    assert queue.props.shutdown_grace_period == 10 * GLib.USEC_PER_SEC
    queue.props.parallelism = 3
    queue.props.max_work = 4
    queue.start()
    items = [Item(i) for i in range(100)]
    for item in items:
        assert queue.enqueue(item, None)
    n_discarded, discarded = queue.close(None)
    assert n_discarded == 0
    assert sorted(seen) == list(range(100))


def test_work_queue_error_signal_on_owner_context():
    errors = []

    def work(item, cancellable):
        if item.index % 2:
            raise GLib.Error('odd item')
        return True

    def on_error(queue, item, error):
        errors.append((item.index, threading.get_ident()))

    queue = Gasync.WorkQueue.new(work)
    queue.connect('error', on_error)
    queue.start()
    for i in range(6):
        queue.enqueue(Item(i), None)
    queue.close(None)
    assert iterate_until(lambda: len(errors) == 3)
    assert sorted(i for i, _ in errors) == [1, 3, 5]
    assert all(t == threading.get_ident() for _, t in errors)


def test_work_queue_close_hands_back_discarded_items():
    release = threading.Event()

    def work(item, cancellable):
        while not release.is_set() and not cancellable.is_cancelled():
            release.wait(0.001)
        return True

    queue = Gasync.WorkQueue.new(work)
    queue.props.parallelism = 1
    queue.props.max_work = 2
    queue.props.shutdown_grace_period = 0
    items = [Item(i) for i in range(3)]
    for item in items[:2]:
        assert queue.try_enqueue(item)
    try:
        queue.try_enqueue(items[2])
        assert False, 'a full queue accepted an item'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.THROTTLED)
    queue.start()
    n_discarded, discarded = queue.close(None)
    assert n_discarded == len(discarded)
    assert n_discarded in (1, 2)
    expected = [1] if n_discarded == 1 else [0, 1]
    assert [item.index for item in discarded] == expected
    try:
        queue.enqueue(items[2], None)
        assert False, 'a closed queue accepted an item'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.CLOSED)


def test_work_queue_start_stop_start():
    # Mirrors blend's Test_Queue_Start_Stop_Start (async/queue_test.go):
    # start, stop, start, stop, with items processed in both rounds.
    seen = []
    lock = threading.Lock()

    def work(item, cancellable):
        with lock:
            seen.append(item.index)
        return True

    queue = Gasync.WorkQueue.new(work)
    queue.props.parallelism = 2
    queue.props.max_work = 10
    try:
        queue.stop(None)
        assert False, 'a queue that never started stopped'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.NOT_STARTED)

    for round in range(2):
        queue.start()
        assert queue.is_started()
        for i in range(round * 10, (round + 1) * 10):
            assert queue.enqueue(Item(i), None)
        assert queue.stop(None)
        assert not queue.is_started()
        assert not queue.is_closed()
        with lock:
            assert sorted(seen) == list(range((round + 1) * 10))

    n_discarded, discarded = queue.close(None)
    assert n_discarded == 0
    try:
        queue.start()
        assert False, 'a closed queue started'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.CLOSED)


def test_work_queue_stop_async_keeps_late_items():
    release = threading.Event()
    seen = []
    stopped = []

    def work(item, cancellable):
        release.wait(10)
        seen.append(item.index)
        return True

    queue = Gasync.WorkQueue.new(work)
    queue.props.parallelism = 1
    queue.start()
    for i in range(3):
        assert queue.enqueue(Item(i), None)
    queue.stop_async(None, lambda q, r: stopped.append(q.stop_finish(r)))
    assert not queue.is_started()
    # Enqueued while it stops: accepted, kept for the next start.
    assert queue.try_enqueue(Item(3))
    release.set()
    assert iterate_until(lambda: stopped)
    assert stopped == [True]
    assert seen == [0, 1, 2]
    assert queue.get_n_queued() == 1

    stopped.clear()
    queue.start()
    queue.stop_async(None, lambda q, r: stopped.append(q.stop_finish(r)))
    assert iterate_until(lambda: stopped)
    assert seen == [0, 1, 2, 3]
    assert queue.close(None)[0] == 0


def test_batch_collects_every_error():
    def work(item, cancellable):
        if item.index % 4 == 0:
            raise GLib.Error('item %d failed' % item.index)
        return True

    batch = Gasync.Batch.new(work)
    batch.props.parallelism = 2
    assert batch.run([Item(i) for i in range(1, 4)], None)
    try:
        batch.run([Item(i) for i in range(10)], None)
        assert False, 'a failing batch succeeded'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.FAILED)
        assert '3 of 10' in e.message
    messages = sorted(e.message for e in batch.dup_errors())
    assert messages == ['item 0 failed', 'item 4 failed', 'item 8 failed']


def test_batch_run_async():
    processed = []
    lock = threading.Lock()
    results = []

    def work(item, cancellable):
        with lock:
            processed.append(item.index)
        return True

    def done(batch, result):
        results.append(batch.run_finish(result))

    batch = Gasync.Batch.new(work)
    batch.run_async([Item(i) for i in range(20)], None, done)
    assert iterate_until(lambda: results)
    assert results == [True]
    assert sorted(processed) == list(range(20))


def test_interceptors_chain_tracing_retry_and_timeout():
    calls = []

    def flaky(cancellable, user_data):
        calls.append(user_data)
        if len(calls) < 3:
            raise GLib.Error('flaky')
        return True

    trace = Gasync.Interceptor.new_tracing()
    retry = Gasync.Interceptor.new_retry(3, 1000, 2000)
    chain = trace.chain(retry)
    assert chain.call('flaky', None, flaky, 'data')
    assert calls == ['data'] * 3

    def slow(cancellable, user_data):
        while not cancellable.is_cancelled():
            GLib.usleep(1000)
        return False

    timeout = Gasync.Interceptor.new_timeout(20 * 1000)
    try:
        timeout.call('slow', None, slow, None)
        assert False, 'a slow task did not time out'
    except GLib.Error as e:
        assert e.matches(Gasync.error_quark(), Gasync.Error.TIMEOUT)
        assert 'slow' in e.message


def test_work_queue_main_context_form():
    tokens = []
    closed = []

    def begin(item, token, cancellable):
        assert threading.get_ident() == main_thread
        tokens.append((item.index, token))
        return True

    main_thread = threading.get_ident()
    queue = Gasync.WorkQueue.new_for_main_context(begin)
    queue.props.parallelism = 2
    queue.start()
    for i in range(5):
        assert queue.try_enqueue(Item(i))

    ended = 0
    while ended < 5:
        assert iterate_until(lambda: len(tokens) > ended)
        in_flight = [t for _, t in tokens if not t.is_ended()]
        assert 1 <= len(in_flight) <= 2
        in_flight[0].end()
        ended += 1
    assert [i for i, _ in tokens] == list(range(5))

    queue.close_async(None, lambda q, r: closed.append(q.close_finish(r)))
    assert iterate_until(lambda: closed)
    assert closed[0][0] == 0


def leaked(kind):
    return [leak.get_name() for leak in Gasync.leaks_check(0)
            if leak.get_kind() == kind]


def test_work_queue_name_and_leak_report():
    # CockroachDB pkg/util/leaktest: AfterTest() lists what was started and
    # not stopped; a queue is listed by its name from start to close.
    queue = Gasync.WorkQueue.new(lambda item, cancellable: True)
    notified = []
    queue.connect('notify::name', lambda q, p: notified.append(q.props.name))
    assert queue.props.name is None
    queue.props.name = 'py: thumbnails'
    queue.set_name('py: thumbnails')
    assert notified == ['py: thumbnails']
    assert queue.get_name() == 'py: thumbnails'
    assert 'py: thumbnails' not in leaked('GasyncWorkQueue')
    queue.start()
    assert 'py: thumbnails' in leaked('GasyncWorkQueue')
    assert queue.close(None) == (0, [])
    assert 'py: thumbnails' not in leaked('GasyncWorkQueue')
