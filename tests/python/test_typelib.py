# test_typelib.py: the Gasync-1 typelib loads in PyGObject and shows the
# foundation API: versions and the error domain.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import gi

gi.require_version('Gasync', '1')
from gi.repository import GLib, GObject, Gasync  # noqa: E402


def test_runtime_version_matches_constants():
    assert Gasync.get_major_version() == Gasync.MAJOR_VERSION
    assert Gasync.get_minor_version() == Gasync.MINOR_VERSION
    assert Gasync.get_micro_version() == Gasync.MICRO_VERSION
    assert Gasync.VERSION_S == '%d.%d.%d' % (
        Gasync.MAJOR_VERSION, Gasync.MINOR_VERSION, Gasync.MICRO_VERSION)


def test_check_version():
    assert Gasync.check_version(Gasync.MAJOR_VERSION,
                                Gasync.MINOR_VERSION, 0) is None
    assert isinstance(Gasync.check_version(Gasync.MAJOR_VERSION + 1, 0, 0),
                      str)


def test_error_enum_is_a_gtype_with_every_code():
    assert Gasync.Error.__gtype__.name == 'GasyncError'
    assert GObject.type_is_a(Gasync.Error.__gtype__, GObject.TYPE_ENUM)
    names = [
        'FAILED', 'UNAVAILABLE', 'THROTTLED', 'TIMEOUT', 'ALREADY_STARTED',
        'NOT_STARTED', 'UNHANDLED_REJECTION', 'CLOSED',
    ]
    assert [int(getattr(Gasync.Error, n)) for n in names] == list(range(8))


def test_error_domain_matches():
    assert GLib.quark_to_string(Gasync.error_quark()) == 'gasync-error-quark'
    err = GLib.Error.new_literal(Gasync.error_quark(), 'late',
                                 Gasync.Error.TIMEOUT)
    assert err.matches(Gasync.error_quark(), Gasync.Error.TIMEOUT)
    assert not err.matches(Gasync.error_quark(), Gasync.Error.FAILED)
