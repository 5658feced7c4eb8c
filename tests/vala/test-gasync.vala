/* test-gasync.vala: the gasync-1 Vala bindings, used as a Vala program
 * would: a stopper with tasks and closers, a mutex, a cancellable sleep,
 * an event loop with a timeout, and an async call with yield.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

static void test_stopper () {
    var stopper = new Gasync.Stopper ();
    var closed = new GLib.Array<string> ();
    int ran = 0;

    try {
        assert (stopper.run_task ("vala: count", (cancellable) => {
            ran++;
            return true;
        }));
    } catch (GLib.Error e) {
        assert_not_reached ();
    }
    stopper.add_closer (() => { closed.append_val ("first"); });
    stopper.add_closer (() => { closed.append_val ("second"); });
    stopper.stop ();
    assert (ran == 1);
    assert (stopper.is_stopped ());
    /* Closers run last in, first out. */
    assert (closed.length == 2 && closed.index (0) == "second");

    try {
        stopper.run_task ("vala: late", (cancellable) => true);
        assert_not_reached ();
    } catch (GLib.Error e) {
        assert (e is Gasync.Error.UNAVAILABLE);
    }
}

static void test_mutex_and_sleep () {
    var mutex = new Gasync.Mutex ();
    var cancellable = new GLib.Cancellable ();

    try {
        mutex.lock (null);
    } catch (GLib.Error e) {
        assert_not_reached ();
    }
    assert (!mutex.try_lock ());
    mutex.unlock ();

    cancellable.cancel ();
    try {
        Gasync.sleep (GLib.TimeSpan.SECOND, cancellable);
        assert_not_reached ();
    } catch (GLib.IOError.CANCELLED e) {
    } catch (GLib.Error e) {
        assert_not_reached ();
    }
    try {
        assert (Gasync.sleep (GLib.TimeSpan.MILLISECOND, null));
    } catch (GLib.Error e) {
        assert_not_reached ();
    }
}

static void test_event_loop () {
    var loop = new Gasync.EventLoop (null);
    var order = new GLib.StringBuilder ();

    try {
        assert (loop.start (() => {
            loop.set_timeout (20 * GLib.TimeSpan.MILLISECOND, () => { order.append ("b"); return true; });
            loop.set_timeout (10 * GLib.TimeSpan.MILLISECOND, () => { order.append ("a"); return true; });
            return true;
        }));
    } catch (GLib.Error e) {
        assert_not_reached ();
    }
    assert (order.str == "ab");
}

static async void stop_async_then (Gasync.Stopper stopper, GLib.MainLoop main_loop) {
    try {
        yield stopper.stop_async (null);
    } catch (GLib.Error e) {
        assert_not_reached ();
    }
    main_loop.quit ();
}

static void test_async () {
    var stopper = new Gasync.Stopper ();
    var main_loop = new GLib.MainLoop (null, false);

    stop_async_then.begin (stopper, main_loop);
    main_loop.run ();
    assert (stopper.is_stopped ());
}

int main (string[] args) {
    GLib.Test.init (ref args);
    GLib.Test.add_func ("/gasync/vala/stopper", test_stopper);
    GLib.Test.add_func ("/gasync/vala/mutex-and-sleep", test_mutex_and_sleep);
    GLib.Test.add_func ("/gasync/vala/event-loop", test_event_loop);
    GLib.Test.add_func ("/gasync/vala/async", test_async);
    return GLib.Test.run ();
}
