/* test-wait-group.c: GasyncWaitGroup counts, waits and refuses to go
 * below zero
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include <gasync.h>

#include "gasync-test-util.h"

#define N_THREADS 8

static gpointer
done_thread (gpointer user_data)
{
  gasync_wait_group_done (user_data);
  return NULL;
}

static void
test_wait_group_wait (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();
  g_autoptr(GError) error = NULL;
  GThread *threads[N_THREADS];

  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 0);
  g_assert_true (gasync_wait_group_wait (group, NULL, &error));
  g_assert_no_error (error);

  gasync_wait_group_add (group, N_THREADS);
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, N_THREADS);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("done", done_thread, group);
  g_assert_true (gasync_wait_group_wait (group, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 0);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
}

static void
test_wait_group_wait_cancelled (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  gasync_wait_group_add (group, 1);
  thread = gasync_test_cancel_in_thread (cancellable, 0);
  g_assert_false (gasync_wait_group_wait (group, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (thread);
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 1);

  g_assert_false (gasync_wait_group_wait (group, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gasync_wait_group_done (group);
}

static void
test_wait_group_below_zero (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();

  g_test_summary ("done() below zero, or add() of a negative delta that "
                  "would go there, is a critical and changes nothing");

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*below zero*");
  gasync_wait_group_done (group);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 0);

  gasync_wait_group_add (group, 2);
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*below zero*");
  gasync_wait_group_add (group, -3);
  g_test_assert_expected_messages ();
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 2);

  gasync_wait_group_add (group, -2);
  g_assert_cmpint (gasync_wait_group_get_n_outstanding (group), ==, 0);
}

static void
test_wait_group_below_zero_subprocess (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();

      gasync_wait_group_done (group);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*below zero*");
}

typedef struct
{
  guint n_called;
  GThread *main_thread;
  gboolean ok;
  GError *error;
} AsyncData;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  AsyncData *data = user_data;

  g_assert_true (g_thread_self () == data->main_thread);
  g_clear_error (&data->error);
  data->ok = gasync_wait_group_wait_finish (GASYNC_WAIT_GROUP (source), result,
                                            &data->error);
  data->n_called++;
}

static void
test_wait_group_wait_async (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();
  AsyncData data[3] = { { 0, g_thread_self () }, { 0, g_thread_self () }, { 0, g_thread_self () } };
  GThread *threads[N_THREADS];

  g_test_summary ("wait_async() completes once, on the caller's context, "
                  "when the count reaches zero on other threads");

  /* Zero already: completes, but not from inside the call. */
  gasync_wait_group_wait_async (group, NULL, wait_cb, &data[0]);
  g_assert_cmpuint (data[0].n_called, ==, 0);
  gasync_test_iterate_until_count (NULL, &data[0].n_called, 1);
  g_assert_true (data[0].ok);
  g_assert_no_error (data[0].error);

  gasync_wait_group_add (group, N_THREADS);
  gasync_wait_group_wait_async (group, NULL, wait_cb, &data[1]);
  gasync_wait_group_wait_async (group, NULL, wait_cb, &data[2]);
  gasync_test_flush (NULL);
  g_assert_cmpuint (data[1].n_called, ==, 0);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("done", done_thread, group);
  gasync_test_iterate_until_count (NULL, &data[1].n_called, 1);
  gasync_test_iterate_until_count (NULL, &data[2].n_called, 1);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  gasync_test_flush (NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (data[i].n_called, ==, 1);
      g_assert_true (data[i].ok);
    }
}

static void
test_wait_group_wait_async_freed (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();

  g_test_summary ("A waiter completed on another thread is freed on the "
                  "caller's context only after that thread is done with it: "
                  "a TSan build checks the order, here without the wake-up "
                  "of a blocking iteration to order it");

  for (guint i = 1; i <= 100; i++)
    {
      AsyncData data = { 0, g_thread_self () };
      gint64 deadline = gasync_test_deadline (10);
      GThread *thread;

      gasync_wait_group_add (group, 1);
      gasync_wait_group_wait_async (group, NULL, wait_cb, &data);
      thread = g_thread_new ("done", done_thread, group);
      while (data.n_called == 0)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, FALSE);
        }
      g_thread_join (thread);
      g_assert_true (data.ok);
    }
}

static void
test_wait_group_wait_async_cancelled (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncData data = { 0, g_thread_self () };
  GThread *thread;

  gasync_wait_group_add (group, 1);

  /* Cancelled from another thread while waiting. */
  gasync_wait_group_wait_async (group, cancellable, wait_cb, &data);
  thread = gasync_test_cancel_in_thread (cancellable, 0);
  gasync_test_iterate_until_count (NULL, &data.n_called, 1);
  g_thread_join (thread);
  g_assert_false (data.ok);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* Cancelled before the call. */
  gasync_wait_group_wait_async (group, cancellable, wait_cb, &data);
  gasync_test_iterate_until_count (NULL, &data.n_called, 2);
  g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The cancelled waiters are gone: reaching zero completes nothing more,
   * and a later cancellation of a completed wait does nothing either. */
  g_cancellable_reset (cancellable);
  gasync_wait_group_wait_async (group, cancellable, wait_cb, &data);
  gasync_wait_group_done (group);
  gasync_test_iterate_until_count (NULL, &data.n_called, 3);
  g_assert_true (data.ok);
  g_assert_no_error (data.error);
  g_cancellable_cancel (cancellable);
  gasync_test_flush (NULL);
  g_assert_cmpuint (data.n_called, ==, 3);
  g_clear_error (&data.error);
}

typedef struct
{
  GasyncWaitGroup *group;
  GCancellable *cancellable;
} RaceData;

static gpointer
race_done_thread (gpointer user_data)
{
  RaceData *race = user_data;

  gasync_wait_group_done (race->group);
  return NULL;
}

static void
test_wait_group_wait_async_race (void)
{
  g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();
  guint n = gasync_test_is_slow () ? 50 : 500;

  g_test_summary ("Cancellation racing with the count reaching zero "
                  "completes each wait exactly once");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      AsyncData data = { 0, g_thread_self () };
      RaceData race = { group, cancellable };
      GThread *threads[2];

      gasync_wait_group_add (group, 1);
      gasync_wait_group_wait_async (group, cancellable, wait_cb, &data);
      threads[0] = g_thread_new ("done", race_done_thread, &race);
      threads[1] = gasync_test_cancel_in_thread (cancellable, 0);
      gasync_test_iterate_until_count (NULL, &data.n_called, 1);
      g_thread_join (threads[0]);
      g_thread_join (threads[1]);
      gasync_test_flush (NULL);
      g_assert_cmpuint (data.n_called, ==, 1);
      if (!data.ok)
        g_assert_error (data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&data.error);
    }
}

static void
test_wait_group_bad_input (void)
{
  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_WAIT_GROUP*");
  gasync_wait_group_done (NULL);
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*GASYNC_IS_WAIT_GROUP*");
  g_assert_false (gasync_wait_group_wait (NULL, NULL, NULL));
  g_test_assert_expected_messages ();
}

static int dropped_gate; /* atomic */

static gpointer
done_later_thread (gpointer data)
{
  g_autoptr(GasyncWaitGroup) group = data;

  gasync_test_wait_flag (&dropped_gate);
  gasync_wait_group_done (group);
  return NULL;
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  int *called = user_data;

  g_assert_true (gasync_wait_group_wait_finish (GASYNC_WAIT_GROUP (source), result, &error));
  g_assert_no_error (error);
  *called = TRUE;
}

static void
test_wait_group_last_unref_while_running (void)
{
  GasyncTestLifetime lifetime;
  GasyncWaitGroup *group = gasync_wait_group_new ();
  GThread *thread;
  int called = FALSE;

  g_test_summary ("A wait group dropped while a main-loop waiter waits "
                  "lives on until the waiter's callback ran, then is "
                  "finalized");
  g_test_bug ("13");
  gasync_test_lifetime_init (&lifetime);
  gasync_test_lifetime_watch (&lifetime, group);
  gasync_wait_group_add (group, 1);
  thread = g_thread_new ("done", done_later_thread, g_object_ref (group));
  gasync_wait_group_wait_async (group, NULL, waited_cb, &called);
  g_object_unref (group);
  g_atomic_int_set (&dropped_gate, TRUE);
  g_thread_join (thread);
  g_assert_false (g_atomic_int_get (&lifetime.gone));

  gasync_test_lifetime_wait (&lifetime, 0);
  g_assert_true (called);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/wait-group/wait", test_wait_group_wait);
  g_test_add_func ("/gasync/wait-group/wait-cancelled", test_wait_group_wait_cancelled);
  g_test_add_func ("/gasync/wait-group/below-zero", test_wait_group_below_zero);
  g_test_add_func ("/gasync/wait-group/below-zero-subprocess",
                   test_wait_group_below_zero_subprocess);
  g_test_add_func ("/gasync/wait-group/wait-async", test_wait_group_wait_async);
  g_test_add_func ("/gasync/wait-group/wait-async-freed", test_wait_group_wait_async_freed);
  g_test_add_func ("/gasync/wait-group/wait-async-cancelled",
                   test_wait_group_wait_async_cancelled);
  g_test_add_func ("/gasync/wait-group/wait-async-race", test_wait_group_wait_async_race);
  g_test_add_func ("/gasync/wait-group/bad-input", test_wait_group_bad_input);
  g_test_add_func ("/gasync/wait-group/last-unref-while-running",
                   test_wait_group_last_unref_while_running);

  return g_test_run ();
}
