/* gasync-sleep.c: sleeps that a cancellable cuts short
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-sleep
 * @title: Sleeps
 * @short_description: sleeping until a time passes or a cancellable fires
 *
 * Go's `async.Sleep(ctx, d)` and `async.SleepUntil(ctx, t)` wait for a
 * time to pass or for their context to be cancelled, whichever comes
 * first. gasync_sleep() and gasync_sleep_until() do the same in a task
 * function, with a #GCancellable: they fail with %G_IO_ERROR_CANCELLED as
 * soon as it fires, without polling. Main-loop code (and JavaScript) uses
 * gasync_sleep_async(), which blocks no thread and fails the same way.
 *
 * |[<!-- language="C" -->
 * do
 *   poll_the_server ();
 * while (gasync_sleep (G_USEC_PER_SEC, cancellable, NULL));
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import GLib, Gasync, Gio
 *
 * cancellable = Gio.Cancellable()
 * threading.Timer(0.01, cancellable.cancel).start()
 * try:
 *     Gasync.sleep(60 * GLib.USEC_PER_SEC, cancellable)  # cut short
 *     raise AssertionError('slept a minute')
 * except GLib.Error as e:
 *     assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
 * ]|
 *
 * In JavaScript:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync, 'sleep_async', 'sleep_finish');
 *
 * const cancellable = new Gio.Cancellable();
 * GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
 *     cancellable.cancel();
 *     return GLib.SOURCE_REMOVE;
 * });
 * try {
 *     await Gasync.sleep_async(60 * GLib.USEC_PER_SEC, cancellable);
 *     throw new Error('slept a minute');
 * } catch (e) {
 *     if (!e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED))
 *         throw e;
 * }
 * ]|
 *
 * Durations are #GTimeSpan values in microseconds and deadlines are
 * g_get_monotonic_time() values.
 *
 * Threading: gasync_sleep() and gasync_sleep_until() may be called from
 * any thread and block it. gasync_sleep_async() completes on the
 * thread-default main context of the caller.
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-source-private.h"
#include "gasync-sync-private.h"

static gboolean
never (gpointer data)
{
  return FALSE;
}

/**
 * gasync_sleep_until:
 * @deadline: when to wake up, a g_get_monotonic_time() value
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Blocks the calling thread until @deadline, or until @cancellable is
 * cancelled, whichever comes first. A deadline in the past returns at
 * once.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: yes, until @deadline or until @cancellable fires; it iterates
 * no main loop. gasync_sleep_async() is its twin that does not block.
 *
 * Returns: %TRUE when @deadline was reached; %FALSE with
 *   %G_IO_ERROR_CANCELLED when @cancellable was cancelled (also when it
 *   was cancelled already)
 *
 * Since: 0.1
 */
gboolean
gasync_sleep_until (gint64         deadline,
                    GCancellable  *cancellable,
                    GError       **error)
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean cancelled;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (deadline <= g_get_monotonic_time ())
    return TRUE;

#ifdef __linux__
  if (cancellable != NULL)
    {
      if (gasync_cancel_sleep (cancellable, deadline))
        return gasync_set_cancelled_error (cancellable, error);
      return TRUE;
    }
#endif

  /* A condition that nobody signals: the wait ends by time or cancel. */
  gasync_lock_init (&lock);
  gasync_cond_init (&cond);
  gasync_lock (&lock);
  gasync_wait (&lock, &cond, never, NULL, deadline, cancellable, NULL);
  cancelled = g_cancellable_is_cancelled (cancellable);
  gasync_unlock (&lock);
  gasync_cond_clear (&cond);
  gasync_lock_clear (&lock);

  if (cancelled)
    return gasync_set_cancelled_error (cancellable, error);
  return TRUE;
}

/**
 * gasync_sleep:
 * @duration: how long to sleep, in microseconds
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Blocks the calling thread for @duration microseconds, or until
 * @cancellable is cancelled, whichever comes first. A zero or negative
 * duration returns at once, like Go's `time.Sleep`. It fails as
 * gasync_sleep_finish() does.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: yes, for @duration or until @cancellable fires; it iterates no
 * main loop. gasync_sleep_async() is its twin that does not block.
 *
 * Returns: %TRUE when the time passed; %FALSE with %G_IO_ERROR_CANCELLED
 *   when @cancellable was cancelled (also when it was cancelled already)
 *
 * Since: 0.1
 */
gboolean
gasync_sleep (GTimeSpan       duration,
              GCancellable   *cancellable,
              GError        **error)
{
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return gasync_sleep_until (gasync_deadline_add (g_get_monotonic_time (),
                                                 MAX (duration, 0)),
                             cancellable, error);
}

/* A sleep with a cancellable waits on it through the cancellable's hub
 * (gasync-sync.c), not with a source and a signal handler of its own: a
 * cancel then wakes the context once for all the sleeps on it, and
 * connects and disconnects nothing. The task has no cancellable, so that
 * GTask calls the callback from the cancel's dispatch, not from an idle
 * source of its own (which it does for a task whose cancellable fired). */
typedef struct
{
  GSource *timeout_source;
  GCancellable *cancellable;
  GasyncCancelEntry cancel_entry;
  /* Atomic: the timeout and the cancel may both fire, and on two threads
   * when the context is iterated elsewhere than where the sleep began. */
  int completed;
} SleepData;

static void
sleep_data_free (gpointer data)
{
  SleepData *sleep = data;

  g_source_unref (sleep->timeout_source);
  if (sleep->cancellable != NULL)
    {
      gasync_cancel_entry_remove (&sleep->cancel_entry);
      g_object_unref (sleep->cancellable);
    }
  g_free (sleep);
}

/* Completes @task, then destroys its timeout source, whichever fired; the
 * source holds the task's reference. */
static gboolean
sleep_complete (gpointer user_data)
{
  GTask *task = user_data;
  SleepData *sleep = g_task_get_task_data (task);

  if (!g_atomic_int_compare_and_exchange (&sleep->completed, FALSE, TRUE))
    return G_SOURCE_REMOVE;
  /* The timeout source holds the reference that its destruction drops. */
  g_object_ref (task);
  if (sleep->cancellable != NULL)
    gasync_cancel_entry_remove (&sleep->cancel_entry);
  /* A cancelled sleep returns FALSE, not an error: the error's message is
   * made in gasync_sleep_finish(), only for a caller that asks for it
   * (GLib translates it even when nobody reads it). */
  g_task_return_boolean (task, !g_cancellable_is_cancelled (sleep->cancellable));
  /* Destroying a source detaches it from the context's lists, guarded
   * by a GMutex TSan cannot see: see gasync-sync-private.h. */
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_source_destroy (sleep->timeout_source);
  GASYNC_TSAN_IGNORE_END ();
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/**
 * gasync_sleep_async:
 * @duration: how long to sleep, in microseconds
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the time passed or @cancellable
 *   was cancelled
 * @user_data: data for @callback
 *
 * Sleeps for @duration microseconds without blocking a thread: @callback
 * is called when the time passed (rounded up to whole milliseconds, or to
 * whole seconds beyond 49 days) or when @cancellable is cancelled,
 * whichever comes first; then call gasync_sleep_finish(). A zero or
 * negative duration completes on the next main loop iteration.
 *
 * Threading: @callback is called on the thread-default main context of
 * the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_sleep_async (GTimeSpan            duration,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SleepData *sleep;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* Without its cancellable: see SleepData. gasync_sleep_finish() checks
   * the cancellable itself. */
  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, gasync_sleep_async);
  g_task_set_name (task, "[gasync] sleep");

  /* Whichever fires first, the timeout or the cancel, completes the task
   * and takes the other one back. */
  sleep = g_new0 (SleepData, 1);
  g_task_set_task_data (task, sleep, sleep_data_free);
  sleep->timeout_source = gasync_timeout_source_new (MAX (duration, 0));
  g_source_set_static_name (sleep->timeout_source, "[gasync] sleep");
  g_source_set_callback (sleep->timeout_source, sleep_complete,
                         g_object_ref (task), g_object_unref);
  gasync_source_attach (sleep->timeout_source, g_task_get_context (task));
  if (cancellable != NULL)
    {
      sleep->cancellable = g_object_ref (cancellable);
      gasync_cancel_entry_add (&sleep->cancel_entry, cancellable,
                               g_task_get_context (task), sleep_complete,
                               task);
    }
}

/**
 * gasync_sleep_finish:
 * @result: the #GAsyncResult given to the callback of gasync_sleep_async()
 * @error: return location for a #GError, or %NULL
 *
 * Finishes gasync_sleep_async().
 *
 * Threading: call it on the context where the callback was called.
 *
 * Returns: %TRUE when the time passed; %FALSE with %G_IO_ERROR_CANCELLED
 *   when the sleep was cancelled (also when it was cancelled already), as
 *   gasync_sleep() fails
 *
 * Since: 0.1
 */
gboolean
gasync_sleep_finish (GAsyncResult  *result,
                     GError       **error)
{
  GCancellable *cancellable;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, gasync_sleep_async),
                        FALSE);

  cancellable = ((SleepData *) g_task_get_task_data (G_TASK (result)))->cancellable;
  /* As GTask's own check would: a sleep cancelled after it completed,
   * before this call, fails too. */
  if (g_task_propagate_boolean (G_TASK (result), NULL) &&
      !g_cancellable_is_cancelled (cancellable))
    return TRUE;
  return gasync_set_cancelled_error (cancellable, error);
}
