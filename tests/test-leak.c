/* test-leak.c: the leak checks for test suites
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-leak-private.h"

#include "gasync-test-util.h"

static gboolean
untrack_cb (gpointer data)
{
  gasync_leak_untrack (data);
  return G_SOURCE_REMOVE;
}

static void
test_leak_track (void)
{
  g_autoptr(GObject) a = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) b = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GPtrArray) leaks = NULL;
  g_autofree char *line = NULL;
  GasyncLeak *leak;

  g_test_summary ("A tracked object is reported with its kind, name and "
                  "age until it is untracked; the count is kept at once");
  g_assert_cmpuint (gasync_leaks_get_n_live (), ==, 0);
  gasync_leak_track (a, NULL, "first");
  gasync_leak_track (a, NULL, "again");
  gasync_leak_track (b, "Other", NULL);
  g_assert_cmpuint (gasync_leaks_get_n_live (), ==, 2);

  leaks = gasync_leaks_check (0);
  g_assert_cmpuint (leaks->len, ==, 2);
  /* Oldest first. */
  leak = leaks->pdata[0];
  g_assert_cmpstr (gasync_leak_get_kind (leak), ==, "GObject");
  g_assert_cmpstr (gasync_leak_get_name (leak), ==, "first");
  g_assert_cmpint (gasync_leak_get_age (leak), >=, gasync_leak_get_age (leaks->pdata[1]));
  line = gasync_leak_to_string (leak);
  g_assert_true (g_str_has_prefix (line, "GObject “first”, started "));
  g_assert_cmpstr (gasync_leak_get_kind (leaks->pdata[1]), ==, "Other");
  g_assert_null (gasync_leak_get_name (leaks->pdata[1]));

  gasync_leak_untrack (a);
  gasync_leak_untrack (a);
  gasync_leak_untrack (b);
  g_assert_cmpuint (gasync_leaks_get_n_live (), ==, 0);
  g_clear_pointer (&leaks, g_ptr_array_unref);
  leaks = gasync_leaks_check (0);
  g_assert_cmpuint (leaks->len, ==, 0);
}

static void
test_leak_check_waits (void)
{
  g_autoptr(GObject) a = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GPtrArray) leaks = NULL;

  g_test_summary ("The check waits for objects that stop on the "
                  "thread-default main context, iterating it");
  gasync_leak_track (a, NULL, "stops soon");
  g_timeout_add (20, untrack_cb, a);
  leaks = gasync_leaks_check (30 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (leaks->len, ==, 0);
  g_assert_true (gasync_leaks_assert_none (0));
}

static void
test_leak_assert_none_fails (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GObject) a = g_object_new (G_TYPE_OBJECT, NULL);

      gasync_leak_track (a, "GasyncStopper", "indexer");
      g_assert_false (gasync_leaks_assert_none (G_TIME_SPAN_MILLISECOND));
      gasync_leak_untrack (a);
      return;
    }

  g_test_summary ("assert_none() fails the test and names the culprits");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*1 libgasync objects still started*GasyncStopper*indexer*, started*");
}

static gboolean
tick_cb (GCancellable  *cancellable,
         gpointer       user_data,
         GError       **error)
{
  return TRUE;
}

static void
test_leak_interval (void)
{
  g_autoptr(GasyncInterval) interval = gasync_interval_new (tick_cb, NULL, NULL);
  g_autoptr(GPtrArray) leaks = NULL;
  g_autoptr(GError) error = NULL;

  g_test_summary ("A started interval is reported until it is stopped");
  gasync_interval_set_interval (interval, G_TIME_SPAN_MILLISECOND);
  g_assert_true (gasync_interval_start (interval, &error));
  g_assert_no_error (error);
  leaks = gasync_leaks_check (0);
  g_assert_cmpuint (leaks->len, ==, 1);
  g_assert_cmpstr (gasync_leak_get_kind (leaks->pdata[0]), ==, "GasyncInterval");
  g_assert_true (gasync_interval_stop (interval, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&leaks, g_ptr_array_unref);
  leaks = gasync_leaks_check (10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (leaks->len, ==, 0);
}

static gboolean
run_until_cancelled (GCancellable  *cancellable,
                     gpointer       user_data,
                     GError       **error)
{
  while (!g_cancellable_is_cancelled (cancellable))
    gasync_sleep (10 * G_TIME_SPAN_SECOND, cancellable, NULL);
  return TRUE;
}

static void
runner_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_assert_true (gasync_runner_run_finish (GASYNC_RUNNER (source), result, NULL));
  *(int *) user_data = TRUE;
}

static void
test_leak_runner (void)
{
  g_autoptr(GasyncRunner) runner = NULL;
  g_autoptr(GPtrArray) leaks = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int done = FALSE;

  g_test_summary ("A running runner is reported under its id until it "
                  "finished");
  runner = gasync_runner_new ("http", run_until_cancelled,
                              gasync_test_nothing, NULL, NULL);
  gasync_runner_run_async (runner, cancellable, runner_done_cb, &done);
  leaks = gasync_leaks_check (0);
  g_assert_cmpuint (leaks->len, ==, 1);
  g_assert_cmpstr (gasync_leak_get_kind (leaks->pdata[0]), ==, "GasyncRunner");
  g_assert_cmpstr (gasync_leak_get_name (leaks->pdata[0]), ==, "http");
  g_cancellable_cancel (cancellable);
  g_clear_pointer (&leaks, g_ptr_array_unref);
  /* The run finishes on this thread's context, which the check iterates. */
  leaks = gasync_leaks_check (10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (leaks->len, ==, 0);
  gasync_test_iterate_until_flag (NULL, &done);
}

typedef struct
{
  GasyncEventLoop *loop;
  GasyncPendingCallback *pending;
} LoopLeak;

static gboolean
loop_reserve_and_fail (gpointer   user_data,
                       GError   **error)
{
  LoopLeak *leak = user_data;

  leak->pending = gasync_event_loop_reserve_callback (leak->loop);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed");
  return FALSE;
}

static gboolean
release_cb (gpointer data)
{
  gasync_pending_callback_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_leak_event_loop (void)
{
  g_autoptr(GasyncEventLoop) loop = gasync_event_loop_new (NULL);
  g_autoptr(GPtrArray) leaks = NULL;
  g_autoptr(GError) error = NULL;
  LoopLeak leak = { loop };

  g_test_summary ("A loop that failed with reservations left is reported "
                  "until wait_on_registered() waited them out");
  g_assert_false (gasync_event_loop_start (loop, loop_reserve_and_fail, &leak, &error));
  leaks = gasync_leaks_check (0);
  g_assert_cmpuint (leaks->len, ==, 1);
  g_assert_cmpstr (gasync_leak_get_kind (leaks->pdata[0]), ==, "GasyncEventLoop");
  g_idle_add (release_cb, leak.pending);
  gasync_event_loop_wait_on_registered (loop);
  gasync_pending_callback_unref (leak.pending);
  g_assert_cmpuint (gasync_leaks_get_n_live (), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/leak/track", test_leak_track);
  g_test_add_func ("/gasync/leak/check-waits", test_leak_check_waits);
  g_test_add_func ("/gasync/leak/assert-none-fails", test_leak_assert_none_fails);
  g_test_add_func ("/gasync/leak/interval", test_leak_interval);
  g_test_add_func ("/gasync/leak/runner", test_leak_runner);
  g_test_add_func ("/gasync/leak/event-loop", test_leak_event_loop);

  return g_test_run ();
}
