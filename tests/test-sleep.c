/* test-sleep.c: sleeps that a cancellable cuts short
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

#include "gasync-sync-private.h"
#include "gasync-test-util.h"

#define LONG_SLEEP (60 * G_USEC_PER_SEC)

static void
test_sleep_elapses (void)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_true (gasync_sleep (20 * 1000, NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 20 * 1000);

  start = g_get_monotonic_time ();
  g_assert_true (gasync_sleep_until (start + 20 * 1000, NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 20 * 1000);
}

static void
test_sleep_past_deadline (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();

  g_test_summary ("A deadline in the past, or a duration that is not "
                  "positive, returns at once.");

  g_assert_true (gasync_sleep_until (start - LONG_SLEEP, cancellable, NULL));
  g_assert_true (gasync_sleep (-LONG_SLEEP, cancellable, NULL));
  g_assert_true (gasync_sleep (0, NULL, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, <, LONG_SLEEP / 2);
}

static void
test_sleep_already_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();
  GError *error = NULL;

  g_test_summary ("A sleep whose cancellable was cancelled already fails "
                  "at once with G_IO_ERROR_CANCELLED, as the async form "
                  "does, even when there is no time left to sleep.");

  g_cancellable_cancel (cancellable);
  g_assert_false (gasync_sleep (LONG_SLEEP, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gasync_sleep_until (start + LONG_SLEEP, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gasync_sleep (0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (gasync_sleep_until (start - 1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* Without an error location, it still fails. */
  g_assert_false (gasync_sleep (LONG_SLEEP, cancellable, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, <, LONG_SLEEP / 2);
}

typedef struct
{
  GCancellable *cancellable;
  gint started;
  gint result;
  GError *error;
} Sleeper;

static gpointer
sleeper_thread (gpointer data)
{
  Sleeper *sleeper = data;
  gboolean slept;

  g_atomic_int_set (&sleeper->started, 1);
  slept = gasync_sleep (LONG_SLEEP, sleeper->cancellable, &sleeper->error);
  g_atomic_int_set (&sleeper->result, slept ? 1 : 2);
  return NULL;
}

static void
test_sleep_cancelled (void)
{
  Sleeper sleeper = { g_cancellable_new (), 0, 0, NULL };
  gint64 start = g_get_monotonic_time ();
  GThread *thread;

  g_test_summary ("A sleep fails with G_IO_ERROR_CANCELLED soon after its "
                  "cancellable is cancelled from another thread.");

  thread = g_thread_new ("sleeper", sleeper_thread, &sleeper);
  gasync_test_wait_flag (&sleeper.started);
  g_cancellable_cancel (sleeper.cancellable);
  g_thread_join (thread);

  g_assert_cmpint (sleeper.result, ==, 2);
  g_assert_error (sleeper.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&sleeper.error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, LONG_SLEEP / 2);
  g_object_unref (sleeper.cancellable);
}

typedef struct
{
  gint done;
  gboolean slept;
  GError *error;
} AsyncSleep;

static void
sleep_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncSleep *sleep = user_data;

  g_assert_null (source);
  sleep->slept = gasync_sleep_finish (result, &sleep->error);
  g_atomic_int_set (&sleep->done, 1);
}

static void
test_sleep_async (void)
{
  GMainContext *context = g_main_context_default ();
  AsyncSleep sleep = { 0 };
  gint64 start = g_get_monotonic_time ();

  gasync_sleep_async (20 * 1000, NULL, sleep_done_cb, &sleep);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_no_error (sleep.error);
  g_assert_true (sleep.slept);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 20 * 1000);

  memset (&sleep, 0, sizeof sleep);
  gasync_sleep_async (-1, NULL, sleep_done_cb, &sleep);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_no_error (sleep.error);
  g_assert_true (sleep.slept);
}

static void
test_sleep_async_cancelled (void)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncSleep sleep = { 0 };
  gint64 start = g_get_monotonic_time ();

  gasync_sleep_async (LONG_SLEEP, cancellable, sleep_done_cb, &sleep);
  g_main_context_iteration (context, FALSE);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_error (sleep.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (sleep.slept);
  g_assert_cmpint (g_get_monotonic_time () - start, <, LONG_SLEEP / 2);
  g_clear_error (&sleep.error);

  /* Already cancelled. */
  memset (&sleep, 0, sizeof sleep);
  gasync_sleep_async (LONG_SLEEP, cancellable, sleep_done_cb, &sleep);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_error (sleep.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&sleep.error);

  /* Both sources are gone: nothing is left to dispatch. */
  g_assert_false (g_main_context_pending (context));
}

typedef struct
{
  GCancellable *cancel_first; /* cancelled before the finish call */
  gint done;
  gboolean slept;
} AsyncSleepNoError;

static void
sleep_done_no_error_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  AsyncSleepNoError *sleep = user_data;

  if (sleep->cancel_first != NULL)
    g_cancellable_cancel (sleep->cancel_first);
  sleep->slept = gasync_sleep_finish (result, NULL);
  g_atomic_int_set (&sleep->done, 1);
}

static void
test_sleep_async_cancelled_no_error (void)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncSleepNoError sleep = { NULL, 0, TRUE };

  g_test_summary ("A cancelled async sleep fails without an error location "
                  "too, and a sleep cancelled after it completed but before "
                  "gasync_sleep_finish() fails as GTask's own check does.");

  gasync_sleep_async (LONG_SLEEP, cancellable, sleep_done_no_error_cb, &sleep);
  g_main_context_iteration (context, FALSE);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_false (sleep.slept);

  /* Completed, then cancelled before the finish call. */
  g_cancellable_reset (cancellable);
  memset (&sleep, 0, sizeof sleep);
  sleep.slept = TRUE;
  sleep.cancel_first = cancellable;
  gasync_sleep_async (0, cancellable, sleep_done_no_error_cb, &sleep);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_false (sleep.slept);

  /* Not cancelled: it slept. */
  g_cancellable_reset (cancellable);
  memset (&sleep, 0, sizeof sleep);
  gasync_sleep_async (0, cancellable, sleep_done_no_error_cb, &sleep);
  gasync_test_iterate_until_count (context, &sleep.done, 1);
  g_assert_true (sleep.slept);

  g_assert_false (g_main_context_pending (context));
}

typedef struct
{
  GCancellable *cancellable;
  GMainContext *context;
  AsyncSleep sleep;
  gint started;
  gint finished;
} ThreadSleep;

static gpointer
async_sleeper_thread (gpointer data)
{
  ThreadSleep *ts = data;

  g_main_context_push_thread_default (ts->context);
  gasync_sleep_async (LONG_SLEEP, ts->cancellable, sleep_done_cb, &ts->sleep);
  g_atomic_int_set (&ts->started, 1);
  gasync_test_iterate_until_count (ts->context, &ts->sleep.done, 1);
  g_main_context_pop_thread_default (ts->context);
  /* The task and both of its sources are gone now. */
  g_atomic_int_set (&ts->finished, 1);
  return NULL;
}

static void
wait_for_sleeper_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  ThreadSleep *ts = user_data;
  gint64 deadline = gasync_test_deadline (10);

  while (!g_atomic_int_get (&ts->finished) &&
         g_get_monotonic_time () < deadline)
    g_thread_yield ();
}

static void
test_sleep_async_cancelled_from_thread (void)
{
  ThreadSleep ts = { g_cancellable_new (), g_main_context_new (), { 0 }, 0, 0 };
  GThread *thread;

  g_test_summary ("An async sleep on another thread's context ends when "
                  "the cancellable fires, and its cancellation source is "
                  "freed even when it goes while the cancelling thread is "
                  "still emitting ::cancelled (GLib 2.74's own source leaks "
                  "then; valgrind and LSan see the leak).");

  thread = g_thread_new ("async-sleeper", async_sleeper_thread, &ts);
  gasync_test_wait_flag (&ts.started);
  /* A second handler keeps the emission running until the sleeper has
   * finished and dropped its sources. */
  g_signal_connect (ts.cancellable, "cancelled",
                    G_CALLBACK (wait_for_sleeper_cb), &ts);
  g_cancellable_cancel (ts.cancellable);
  g_thread_join (thread);

  g_assert_true (g_atomic_int_get (&ts.finished));
  g_assert_error (ts.sleep.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&ts.sleep.error);
  g_main_context_unref (ts.context);
  g_object_unref (ts.cancellable);
}

#define N_SLEEPERS 50

typedef struct
{
  GCancellable *cancellable;
  int n_returned;
  int n_cancelled;
} Sleepers;

static gpointer
cancelled_sleeper_thread (gpointer data)
{
  Sleepers *sleepers = data;
  g_autoptr(GError) error = NULL;

  if (!gasync_sleep (LONG_SLEEP, sleepers->cancellable, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_atomic_int_inc (&sleepers->n_cancelled);
    }
  g_atomic_int_inc (&sleepers->n_returned);
  return NULL;
}

typedef struct
{
  GCancellable *cancellable;
  guint n;
} SleepersWanted;

static gboolean
sleepers_blocked (gpointer data)
{
  SleepersWanted *wanted = data;

  return gasync_cancellable_get_n_waits (wanted->cancellable, NULL) >= wanted->n;
}

/* Waits (bounded) until @n sleeps block on @cancellable. */
static void
wait_for_sleepers (GCancellable *cancellable,
                   guint         n)
{
  SleepersWanted wanted = { cancellable, n };

  gasync_test_iterate_until (NULL, sleepers_blocked, &wanted,
                             GASYNC_TEST_TIMEOUT_SECONDS);
}

static void
test_sleep_fan_out (void)
{
  Sleepers sleepers = { g_cancellable_new (), 0, 0 };
  GThread *threads[N_SLEEPERS];

  g_test_summary ("One cancel wakes every thread sleeping on the "
                  "cancellable; a cancel and a reset while a thread "
                  "sleeps cut its sleep short too.");

  for (guint i = 0; i < N_SLEEPERS; i++)
    threads[i] = g_thread_new ("sleeper", cancelled_sleeper_thread, &sleepers);
  wait_for_sleepers (sleepers.cancellable, N_SLEEPERS);
  g_cancellable_cancel (sleepers.cancellable);
  for (guint i = 0; i < N_SLEEPERS; i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (sleepers.n_cancelled, ==, N_SLEEPERS);
  g_assert_cmpuint (gasync_cancellable_get_n_waits (sleepers.cancellable, NULL), ==, 0);

  /* Cancelled and reset before the sleeper looks again. */
  g_cancellable_reset (sleepers.cancellable);
  memset (&sleepers.n_returned, 0, 2 * sizeof (int));
  threads[0] = g_thread_new ("sleeper", cancelled_sleeper_thread, &sleepers);
  wait_for_sleepers (sleepers.cancellable, 1);
  g_cancellable_cancel (sleepers.cancellable);
  g_cancellable_reset (sleepers.cancellable);
  gasync_test_wait_flag (&sleepers.n_returned);
  g_thread_join (threads[0]);
  g_assert_cmpint (sleepers.n_cancelled, ==, 1);
  g_object_unref (sleepers.cancellable);
}

/* The handlers connected to @cancellable's ::cancelled. */
static guint
count_cancelled_handlers (GCancellable *cancellable)
{
  guint id = g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE);
  g_autoptr(GArray) handlers = g_array_new (FALSE, FALSE, sizeof (gulong));
  gulong handler;

  /* Blocks each one found, to find the next one. */
  while ((handler = g_signal_handler_find (cancellable,
                                           G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
                                           id, 0, NULL, NULL, NULL)) != 0)
    {
      g_signal_handler_block (cancellable, handler);
      g_array_append_val (handlers, handler);
    }
  for (guint i = 0; i < handlers->len; i++)
    g_signal_handler_unblock (cancellable, g_array_index (handlers, gulong, i));
  return handlers->len;
}

typedef struct
{
  int done;
  int cancelled;
  GThread *thread; /* where the callbacks must run */
} FanOut;

static void
fan_out_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FanOut *fan_out = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_thread_self () == fan_out->thread);
  if (!gasync_sleep_finish (result, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_atomic_int_inc (&fan_out->cancelled);
    }
  g_atomic_int_inc (&fan_out->done);
}

#define FAN_OUT 100

static void
test_sleep_async_fan_out (void)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  FanOut fan_out = { 0, 0, g_thread_self () };

  g_test_summary ("Async sleeps on one cancellable share one handler on it, "
                  "and one cancel completes them all on their context; "
                  "the ones that timed out before are not completed twice; "
                  "the cancellable can be reset and used again.");

  /* Two that time out first, then FAN_OUT that the cancel ends. */
  gasync_sleep_async (0, cancellable, fan_out_done_cb, &fan_out);
  gasync_sleep_async (1000, cancellable, fan_out_done_cb, &fan_out);
  for (guint i = 0; i < FAN_OUT; i++)
    gasync_sleep_async (LONG_SLEEP, cancellable, fan_out_done_cb, &fan_out);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 1);
  gasync_test_iterate_until_count (context, &fan_out.done, 2);
  g_assert_cmpint (fan_out.cancelled, ==, 0);

  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &fan_out.done, FAN_OUT + 2);
  g_assert_cmpint (fan_out.cancelled, ==, FAN_OUT);
  g_assert_false (g_main_context_pending (context));

  /* Again, after a reset. */
  g_cancellable_reset (cancellable);
  memset (&fan_out, 0, sizeof fan_out);
  fan_out.thread = g_thread_self ();
  for (guint i = 0; i < FAN_OUT; i++)
    gasync_sleep_async (LONG_SLEEP, cancellable, fan_out_done_cb, &fan_out);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &fan_out.done, FAN_OUT);
  g_assert_cmpint (fan_out.cancelled, ==, FAN_OUT);
  g_assert_cmpuint (count_cancelled_handlers (cancellable), ==, 1);
  g_assert_false (g_main_context_pending (context));
}

typedef struct
{
  GCancellable *cancellable;
  GMainContext *context;
  FanOut fan_out;
  int started;
} ContextSleeps;

static gpointer
context_sleeps_thread (gpointer data)
{
  ContextSleeps *cs = data;

  g_main_context_push_thread_default (cs->context);
  cs->fan_out.thread = g_thread_self ();
  for (guint i = 0; i < FAN_OUT; i++)
    gasync_sleep_async (LONG_SLEEP, cs->cancellable, fan_out_done_cb,
                        &cs->fan_out);
  g_atomic_int_set (&cs->started, 1);
  gasync_test_iterate_until_count (cs->context, &cs->fan_out.done, FAN_OUT);
  g_assert_false (g_main_context_pending (cs->context));
  g_main_context_pop_thread_default (cs->context);
  return NULL;
}

static void
test_sleep_async_fan_out_contexts (void)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ContextSleeps cs = { cancellable, g_main_context_new (), { 0 }, 0 };
  FanOut fan_out = { 0, 0, g_thread_self () };
  GThread *thread;

  g_test_summary ("Async sleeps on one cancellable from two contexts each "
                  "complete on their own context when it fires.");

  thread = g_thread_new ("context-sleeps", context_sleeps_thread, &cs);
  for (guint i = 0; i < FAN_OUT; i++)
    gasync_sleep_async (LONG_SLEEP, cancellable, fan_out_done_cb, &fan_out);
  gasync_test_wait_flag (&cs.started);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (context, &fan_out.done, FAN_OUT);
  g_thread_join (thread);

  g_assert_cmpint (fan_out.cancelled, ==, FAN_OUT);
  g_assert_cmpint (cs.fan_out.cancelled, ==, FAN_OUT);
  g_assert_false (g_main_context_pending (context));
  g_main_context_unref (cs.context);
}

static void
test_sleep_async_context_gone (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GMainContext *context = g_main_context_new ();
  FanOut fan_out = { 0, 0, NULL };

  g_test_summary ("Async sleeps whose context goes before they complete "
                  "are dropped without a callback and leak nothing; the "
                  "cancellable still serves sleeps on other contexts.");

  g_main_context_push_thread_default (context);
  for (guint i = 0; i < 3; i++)
    gasync_sleep_async (LONG_SLEEP, cancellable, fan_out_done_cb, &fan_out);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_assert_cmpint (fan_out.done, ==, 0);

  fan_out.thread = g_thread_self ();
  gasync_sleep_async (LONG_SLEEP, cancellable, fan_out_done_cb, &fan_out);
  g_cancellable_cancel (cancellable);
  gasync_test_iterate_until_count (NULL, &fan_out.done, 1);
  g_assert_cmpint (fan_out.cancelled, ==, 1);
}

static void
test_sleep_bad_input (void)
{
  g_autoptr(GObject) not_cancellable = g_object_new (G_TYPE_OBJECT, NULL);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  g_assert_false (gasync_sleep (0, (GCancellable *) not_cancellable, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, "*G_IS_CANCELLABLE*");
  gasync_sleep_async (0, (GCancellable *) not_cancellable, NULL, NULL);
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/sleep/elapses", test_sleep_elapses);
  g_test_add_func ("/gasync/sleep/past-deadline", test_sleep_past_deadline);
  g_test_add_func ("/gasync/sleep/already-cancelled",
                   test_sleep_already_cancelled);
  g_test_add_func ("/gasync/sleep/cancelled", test_sleep_cancelled);
  g_test_add_func ("/gasync/sleep/async", test_sleep_async);
  g_test_add_func ("/gasync/sleep/async-cancelled", test_sleep_async_cancelled);
  g_test_add_func ("/gasync/sleep/async-cancelled-no-error",
                   test_sleep_async_cancelled_no_error);
  g_test_add_func ("/gasync/sleep/async-cancelled-from-thread",
                   test_sleep_async_cancelled_from_thread);
  g_test_add_func ("/gasync/sleep/fan-out", test_sleep_fan_out);
  g_test_add_func ("/gasync/sleep/async-fan-out", test_sleep_async_fan_out);
  g_test_add_func ("/gasync/sleep/async-fan-out-contexts",
                   test_sleep_async_fan_out_contexts);
  g_test_add_func ("/gasync/sleep/async-context-gone",
                   test_sleep_async_context_gone);
  g_test_add_func ("/gasync/sleep/bad-input", test_sleep_bad_input);

  return g_test_run ();
}
