# test_leaks.py: the leak checks for test suites, from pytest, as the
# manual shows them: an autouse fixture that fails a test which leaves a
# libgasync object started.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi
import pytest

gi.require_version('Gasync', '1')
from gi.repository import GLib, Gasync  # noqa: E402


@pytest.fixture(autouse=True)
def no_leaks():
    yield
    leaks = Gasync.leaks_check(GLib.TIME_SPAN_SECOND)
    assert not leaks, [leak.to_string() for leak in leaks]


def test_started_interval_is_listed_until_stopped():
    interval = Gasync.Interval.new(lambda cancellable, *args: True, None)
    interval.props.interval = GLib.TIME_SPAN_MILLISECOND
    assert interval.start()

    [leak] = Gasync.leaks_check(0)
    assert leak.get_kind() == 'GasyncInterval'
    assert leak.get_age() >= 0
    assert 'GasyncInterval' in leak.to_string()
    assert Gasync.leaks_get_n_live() == 1

    assert interval.stop(None)
    assert Gasync.leaks_check(10 * GLib.TIME_SPAN_SECOND) == []


def test_nothing_started_is_nothing_listed():
    assert Gasync.leaks_get_n_live() == 0
    assert Gasync.leaks_check(0) == []
