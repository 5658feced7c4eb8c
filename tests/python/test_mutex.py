# test_mutex.py: GasyncMutex from Python: blocking lock with a
# cancellable, try_lock, and FIFO lock_async on the main loop.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import threading

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import Gio, GLib, Gasync  # noqa: E402

from gasync_test_util import TIMEOUT_S, iterate_until  # noqa: E402


def test_lock_try_lock_unlock():
    mutex = Gasync.Mutex.new()
    assert mutex.lock(None)
    assert not mutex.try_lock()
    mutex.unlock()
    assert mutex.try_lock()
    mutex.unlock()


def test_lock_cancelled_while_waiting_does_not_take_it():
    mutex = Gasync.Mutex.new()
    cancellable = Gio.Cancellable()
    assert mutex.try_lock()
    outcome = []

    def locker():
        try:
            outcome.append(mutex.lock(cancellable))
        except GLib.Error as e:
            outcome.append(e)

    thread = threading.Thread(target=locker)
    thread.start()
    cancellable.cancel()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive()
    assert outcome[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    mutex.unlock()
    assert mutex.try_lock()
    mutex.unlock()


def test_lock_async_fifo():
    mutex = Gasync.Mutex.new()
    assert mutex.try_lock()
    order = []

    def locked(source, result, index):
        assert source.lock_finish(result)
        order.append(index)
        GLib.idle_add(lambda: mutex.unlock() or GLib.SOURCE_REMOVE)

    for i in range(8):
        mutex.lock_async(None, locked, i)
    mutex.unlock()
    iterate_until(lambda: len(order) == 8)
    assert order == list(range(8))
    iterate_until(mutex.try_lock)
    mutex.unlock()


def test_lock_async_cancelled():
    mutex = Gasync.Mutex.new()
    cancellable = Gio.Cancellable()
    assert mutex.try_lock()
    errors = []

    def locked(source, result):
        with pytest.raises(GLib.Error) as info:
            source.lock_finish(result)
        errors.append(info.value)

    mutex.lock_async(cancellable, locked)
    cancellable.cancel()
    iterate_until(lambda: errors)
    assert errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    mutex.unlock()
    assert mutex.try_lock()
    mutex.unlock()
