/* test-interval.c: GasyncInterval runs its action on an interval, on a
 * thread or on its owner context
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-sync-private.h"
#include "gasync-test-util.h"

#define INTERVAL (20 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  GasyncLock lock;
  guint n_runs;             /* atomic */
  guint n_errors;
  guint fail_from;          /* runs from this number on fail (0: never) */
  gboolean block;           /* the action waits for its cancellable */
  gboolean was_cancelled;
  guint n_blocked;          /* atomic: runs that began to block */
  gint64 first_run;
  gint64 started;
  GThread *main_thread;
  GThread *action_thread;
  GasyncTestLifetime *lifetime;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  user_data)
{
  gasync_lock_init (&fixture->lock);
  fixture->main_thread = g_thread_self ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  user_data)
{
  gasync_test_flush (NULL);
  gasync_lock_clear (&fixture->lock);
}

static gboolean
action (GCancellable  *cancellable,
        gpointer       user_data,
        GError       **error)
{
  Fixture *fixture = user_data;
  guint run;

  gasync_lock (&fixture->lock);
  fixture->action_thread = g_thread_self ();
  if (fixture->first_run == 0)
    fixture->first_run = g_get_monotonic_time ();
  gasync_unlock (&fixture->lock);

  if (fixture->block)
    {
      /* A blocking wait for the cancellable, without polling. */
      g_atomic_int_inc (&fixture->n_blocked);
      gasync_sleep (G_TIME_SPAN_HOUR, cancellable, NULL);
      gasync_lock (&fixture->lock);
      fixture->was_cancelled = g_cancellable_is_cancelled (cancellable);
      gasync_unlock (&fixture->lock);
    }

  run = g_atomic_int_add (&fixture->n_runs, 1) + 1;
  if (fixture->fail_from != 0 && run >= fixture->fail_from)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "run %u failed", run);
      return FALSE;
    }
  return TRUE;
}

static void
error_cb (GasyncInterval *interval,
          GError         *error,
          gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  fixture->n_errors++;
}

static GasyncInterval *
interval_new (Fixture            *fixture,
              GasyncIntervalMode  mode)
{
  GasyncInterval *interval = gasync_interval_new (action, fixture, NULL);

  gasync_interval_set_interval (interval, INTERVAL);
  gasync_interval_set_mode (interval, mode);
  g_signal_connect (interval, "error", G_CALLBACK (error_cb), fixture);
  return interval;
}

static void
run_repeatedly (Fixture            *fixture,
                GasyncIntervalMode  mode)
{
  g_autoptr(GasyncInterval) interval = interval_new (fixture, mode);
  g_autoptr(GError) error = NULL;
  guint n_runs;

  g_assert_true (gasync_interval_start (interval, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_interval_get_state (interval), ==, GASYNC_LATCH_STATE_STARTED);
  gasync_test_iterate_until_count (NULL, &fixture->n_runs, 3);
  g_assert_true (gasync_interval_stop (interval, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_interval_get_state (interval), ==, GASYNC_LATCH_STATE_STOPPED);

  /* Nothing runs after stop() returned. */
  n_runs = g_atomic_int_get (&fixture->n_runs);
  gasync_test_flush (NULL);
  g_usleep (2 * INTERVAL);  /* a window in which a run would show */
  gasync_test_flush (NULL);
  g_assert_cmpuint (g_atomic_int_get (&fixture->n_runs), ==, n_runs);
}

static void
test_interval_thread (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_test_summary ("A threaded interval runs its action repeatedly on "
                  "another thread, and not after stop()");

  run_repeatedly (fixture, GASYNC_INTERVAL_MODE_THREAD);
  g_assert_true (fixture->action_thread != fixture->main_thread);
}

static void
test_interval_main_context (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_test_summary ("A main-context interval runs its action repeatedly on "
                  "the owner context, and not after stop()");

  run_repeatedly (fixture, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
  g_assert_true (fixture->action_thread == fixture->main_thread);
}

static void
check_delay (Fixture            *fixture,
             GasyncIntervalMode  mode)
{
  g_autoptr(GasyncInterval) interval = interval_new (fixture, mode);
  const GTimeSpan delay = 100 * G_TIME_SPAN_MILLISECOND;

  gasync_interval_set_delay (interval, delay);
  fixture->started = g_get_monotonic_time ();
  g_assert_true (gasync_interval_start (interval, NULL));
  gasync_test_iterate_until_count (NULL, &fixture->n_runs, 1);
  g_assert_true (gasync_interval_stop (interval, NULL, NULL));
  g_assert_cmpint (fixture->first_run - fixture->started, >=, delay + INTERVAL);
}

static void
test_interval_delay (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_test_summary ("The first run comes delay plus one interval after the "
                  "start, in both modes");

  check_delay (fixture, GASYNC_INTERVAL_MODE_THREAD);
  fixture->first_run = 0;
  fixture->n_runs = 0;
  check_delay (fixture, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
}

static gboolean
interval_is_stopped (gpointer data)
{
  return gasync_interval_get_state (data) == GASYNC_LATCH_STATE_STOPPED;
}

static void
check_errors (Fixture            *fixture,
              GasyncIntervalMode  mode)
{
  GasyncInterval *interval = interval_new (fixture, mode);
  g_autoptr(GError) error = NULL;

  /* Errors go on without stop-on-error. */
  fixture->fail_from = 1;
  g_assert_true (gasync_interval_start (interval, NULL));
  gasync_test_iterate_until_count (NULL, &fixture->n_errors, 3);
  g_assert_true (gasync_interval_stop (interval, NULL, NULL));
  gasync_test_flush (NULL);

  /* With stop-on-error, the first error stops the interval by itself. */
  fixture->n_errors = 0;
  fixture->n_runs = 0;
  fixture->fail_from = 2;
  gasync_interval_set_stop_on_error (interval, TRUE);
  g_assert_true (gasync_interval_start (interval, NULL));
  gasync_test_iterate_until (NULL, interval_is_stopped, interval, 10);
  gasync_test_iterate_until_count (NULL, &fixture->n_errors, 1);
  gasync_test_flush (NULL);
  g_assert_cmpuint (fixture->n_runs, ==, 2);
  g_assert_cmpuint (fixture->n_errors, ==, 1);
  g_assert_false (gasync_interval_stop (interval, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  gasync_test_unref_and_wait (interval);
}

static void
test_interval_errors (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_test_summary ("Failed runs are emitted as ::error on the owner context; "
                  "stop-on-error stops the interval after the first one");

  check_errors (fixture, GASYNC_INTERVAL_MODE_THREAD);
  fixture->n_errors = 0;
  fixture->n_runs = 0;
  check_errors (fixture, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
}

static void
test_interval_stop_cancels (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(GasyncInterval) interval = interval_new (fixture, GASYNC_INTERVAL_MODE_THREAD);

  g_test_summary ("stop() cancels the cancellable of a run under way and "
                  "waits for it to return");

  fixture->block = TRUE;
  gasync_interval_set_interval (interval, 1);
  g_assert_true (gasync_interval_start (interval, NULL));
  gasync_test_iterate_until_count (NULL, &fixture->n_blocked, 1);
  g_assert_true (gasync_interval_stop (interval, NULL, NULL));
  g_assert_true (fixture->was_cancelled);
  g_assert_cmpuint (fixture->n_runs, ==, 1);
}

static void
test_interval_lifecycle (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GasyncInterval) interval = interval_new (fixture, GASYNC_INTERVAL_MODE_THREAD);
  g_autoptr(GError) error = NULL;

  g_assert_false (gasync_interval_stop (interval, NULL, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED);
  g_clear_error (&error);

  g_assert_true (gasync_interval_start (interval, NULL));
  g_assert_false (gasync_interval_start (interval, &error));
  g_assert_error (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED);
  g_clear_error (&error);
  g_assert_true (gasync_interval_stop (interval, NULL, NULL));
  g_assert_true (gasync_interval_start (interval, NULL));
  g_assert_true (gasync_interval_stop (interval, NULL, NULL));
}

static void
test_interval_start_stops_at_once (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  GasyncInterval *interval = interval_new (fixture, GASYNC_INTERVAL_MODE_THREAD);

  g_test_summary ("A threaded interval that fails and stops by itself at once "
                  "after it started, even before start() looked, was started: "
                  "start() succeeds");

  fixture->fail_from = 1;
  gasync_interval_set_interval (interval, 1);
  gasync_interval_set_stop_on_error (interval, TRUE);
  for (guint i = 1; i <= 1000; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (gasync_interval_start (interval, &error));
      g_assert_no_error (error);
      gasync_test_iterate_until (NULL, interval_is_stopped, interval, 10);
      gasync_test_iterate_until_count (NULL, &fixture->n_errors, i);
    }
  gasync_test_unref_and_wait (interval);
}

typedef struct
{
  GasyncInterval *interval;
  GCancellable *cancellable;    /* of the first run */
  int kept;
} Restart;

static gboolean
keep_cancellable (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  Restart *restart = user_data;

  if (!g_atomic_int_get (&restart->kept))
    {
      gasync_interval_set_interval (restart->interval, G_TIME_SPAN_HOUR);
      restart->cancellable = g_object_ref (cancellable);
      g_atomic_int_set (&restart->kept, 1);
    }
  return TRUE;
}

/* Inside the stop, once it has stopped the first run: a second run
 * begins before that stop waits. */
static void
restart_when_stopped (GCancellable *cancellable,
                      gpointer      user_data)
{
  Restart *restart = user_data;
  gint64 deadline = gasync_test_deadline (10);

  while (gasync_interval_get_state (restart->interval) != GASYNC_LATCH_STATE_STOPPED)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
  g_assert_true (gasync_interval_start (restart->interval, NULL));
}

static void
test_interval_stop_then_restart (void)
{
  Restart restart = { NULL };

  g_test_summary ("A stop returns once the run it stopped has ended, even if "
                  "another start began a new run before the stop waited");

  restart.interval = gasync_interval_new (keep_cancellable, &restart, NULL);
  gasync_interval_set_interval (restart.interval, 1);
  g_assert_true (gasync_interval_start (restart.interval, NULL));
  gasync_test_wait_flag (&restart.kept);
  g_cancellable_connect (restart.cancellable, G_CALLBACK (restart_when_stopped),
                         &restart, NULL);

  g_assert_true (gasync_interval_stop (restart.interval, NULL, NULL));
  g_assert_cmpint (gasync_interval_get_state (restart.interval), ==,
                   GASYNC_LATCH_STATE_STARTED);
  g_assert_true (gasync_interval_stop (restart.interval, NULL, NULL));
  g_object_unref (restart.cancellable);
  gasync_test_unref_and_wait (restart.interval);
}

static void
test_interval_properties (void)
{
  g_autoptr(GasyncInterval) interval = gasync_interval_new (action, NULL, NULL);
  GTimeSpan value;
  gboolean stop_on_error;
  GasyncIntervalMode mode;

  g_assert_cmpint (gasync_interval_get_interval (interval), ==, 500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (gasync_interval_get_delay (interval), ==, 0);
  g_assert_false (gasync_interval_get_stop_on_error (interval));
  g_assert_cmpint (gasync_interval_get_mode (interval), ==, GASYNC_INTERVAL_MODE_THREAD);
  g_assert_cmpint (gasync_interval_get_state (interval), ==, GASYNC_LATCH_STATE_STOPPED);

  g_object_set (interval, "interval", (gint64) 7, "delay", (gint64) 9,
                "stop-on-error", TRUE, "mode", GASYNC_INTERVAL_MODE_MAIN_CONTEXT, NULL);
  g_object_get (interval, "interval", &value, "stop-on-error", &stop_on_error,
                "mode", &mode, NULL);
  g_assert_cmpint (value, ==, 7);
  g_assert_true (stop_on_error);
  g_assert_cmpint (mode, ==, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
  g_assert_cmpint (gasync_interval_get_delay (interval), ==, 9);
  gasync_test_flush (NULL);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*interval > 0*");
  gasync_interval_set_interval (interval, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_interval_get_interval (interval), ==, 7);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*delay >= 0*");
  gasync_interval_set_delay (interval, -1);
  g_test_assert_expected_messages ();
}

static void
test_interval_notify (void)
{
  g_autoptr(GasyncInterval) interval = gasync_interval_new (action, NULL, NULL);
  guint n_notifies = 0;

  g_signal_connect (interval, "notify::delay",
                    G_CALLBACK (gasync_test_count_notify), &n_notifies);
  gasync_interval_set_delay (interval, 5);
  gasync_interval_set_delay (interval, 5);
  gasync_test_flush (NULL);
  g_assert_cmpuint (n_notifies, ==, 1);
}

static void
test_interval_bad_input (void)
{
  g_autoptr(GasyncInterval) interval = NULL;

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_null (gasync_interval_new (NULL, NULL, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_INTERVAL*");
  g_assert_false (gasync_interval_start (NULL, NULL));
  g_test_assert_expected_messages ();

  /* As a binding may make it: no action to run. */
  interval = g_object_new (GASYNC_TYPE_INTERVAL, NULL);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*func != NULL*");
  g_assert_false (gasync_interval_start (interval, NULL));
  g_test_assert_expected_messages ();
}

static void
fixture_destroy (gpointer data)
{
  Fixture *fixture = data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  gasync_test_count (&fixture->lifetime->destroyed[0]);
}

static void
test_interval_last_unref_while_running (Fixture       *fixture,
                                        gconstpointer  user_data)
{
  GasyncInterval *interval = gasync_interval_new (action, fixture, fixture_destroy);
  GasyncTestLifetime lifetime;

  g_test_summary ("Dropping a running threaded interval stops it without "
                  "waiting: the run under way is cancelled, and once it "
                  "returned the interval is finalized and its destroy "
                  "notify called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, interval);
  fixture->lifetime = &lifetime;
  fixture->block = TRUE;
  gasync_interval_set_interval (interval, 1);
  g_assert_true (gasync_interval_start (interval, NULL));
  gasync_test_iterate_until_count (NULL, &fixture->n_blocked, 1);

  g_object_unref (interval);
  gasync_test_lifetime_wait (&lifetime, 1);
  g_assert_true (fixture->was_cancelled);
  g_assert_cmpuint (g_atomic_int_get (&fixture->n_runs), ==, 1);
}

static void
test_interval_last_unref_while_running_main_context (Fixture       *fixture,
                                                     gconstpointer  user_data)
{
  GasyncInterval *interval = gasync_interval_new (action, fixture, fixture_destroy);
  GasyncTestLifetime lifetime;

  g_test_summary ("Dropping a running main-context interval stops it: its "
                  "source does not keep it alive, and its destroy notify is "
                  "called once");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, interval);
  fixture->lifetime = &lifetime;
  gasync_interval_set_interval (interval, INTERVAL);
  gasync_interval_set_mode (interval, GASYNC_INTERVAL_MODE_MAIN_CONTEXT);
  g_assert_true (gasync_interval_start (interval, NULL));
  gasync_test_iterate_until_count (NULL, &fixture->n_runs, 1);

  g_object_unref (interval);
  g_assert_true (g_atomic_int_get (&lifetime.gone));
  gasync_test_lifetime_wait (&lifetime, 1);
}

/* Misuse: the interval's own thread waiting for the interval to stop. */
static GasyncInterval *misuse_interval;
static int misuse_done; /* atomic */

static gboolean
stop_from_action (GCancellable  *cancellable,
                  gpointer       user_data,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_atomic_int_get (&misuse_done))
    return TRUE;
  g_assert_false (gasync_interval_stop (misuse_interval, NULL, &local_error));
  g_assert_error (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_cmpint (gasync_interval_get_state (misuse_interval), ==,
                   GASYNC_LATCH_STATE_STARTED);
  g_atomic_int_set (&misuse_done, TRUE);
  return TRUE;
}

static void
test_interval_stop_from_own_thread (void)
{
  g_test_summary ("gasync_interval_stop() in the action of a threaded "
                  "interval is a critical that returns, not a wait forever");
  g_test_bug ("13");
  if (g_test_subprocess ())
    {
      gasync_test_criticals_not_fatal ();
      misuse_interval = gasync_interval_new (stop_from_action, NULL, NULL);
      gasync_interval_set_interval (misuse_interval, 1);
      g_assert_true (gasync_interval_start (misuse_interval, NULL));
      gasync_test_wait_flag (&misuse_done);
      g_assert_true (gasync_interval_stop (misuse_interval, NULL, NULL));
      gasync_test_unref_and_wait (g_steal_pointer (&misuse_interval));
      return;
    }

  g_test_trap_subprocess (NULL, gasync_test_subprocess_timeout (),
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*CRITICAL*gasync_interval_stop: called from the "
                             "interval's own thread*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/gasync/interval/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("thread", test_interval_thread);
  ADD ("main-context", test_interval_main_context);
  ADD ("delay", test_interval_delay);
  ADD ("errors", test_interval_errors);
  ADD ("stop-cancels", test_interval_stop_cancels);
  ADD ("lifecycle", test_interval_lifecycle);
  ADD ("start-stops-at-once", test_interval_start_stops_at_once);
  ADD ("last-unref-while-running", test_interval_last_unref_while_running);
  ADD ("last-unref-while-running-main-context",
       test_interval_last_unref_while_running_main_context);
#undef ADD
  g_test_add_func ("/gasync/interval/stop-then-restart", test_interval_stop_then_restart);
  g_test_add_func ("/gasync/interval/properties", test_interval_properties);
  g_test_add_func ("/gasync/interval/notify", test_interval_notify);
  g_test_add_func ("/gasync/interval/bad-input", test_interval_bad_input);
  g_test_add_func ("/gasync/interval/stop-from-own-thread",
                   test_interval_stop_from_own_thread);

  return g_test_run ();
}
