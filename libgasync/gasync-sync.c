/* gasync-sync.c: the one blocking wait
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every blocking call of libgasync waits here (see gasync_wait() in
 * gasync-sync-private.h): on one of its own condition variables, for a
 * predicate, until a deadline, interrupted by a GCancellable.
 *
 * A cancellable is interrupted by a handler that takes the lock and
 * broadcasts the condition, so that no wake-up is lost between a look at
 * the predicate and the wait. The handler may run on another thread, and
 * reaches the waiter through GCancellable's GLib mutex, which TSan cannot
 * see: the waiter releases before it connects and acquires after it
 * disconnects, the handler does the opposite. Connecting and disconnecting
 * go through GObject's signal tables, behind GLib locks too: threads that
 * connect to one cancellable at once would read as a race there, so TSan
 * ignores them.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "gasync-sync-private.h"

typedef struct
{
  GasyncLock *lock;
  GasyncCond *cond;
  gboolean cancelled;  /* under lock */
} CancelWake;

static void
cancel_wake_cb (GCancellable *cancellable,
                gpointer      user_data)
{
  CancelWake *wake = user_data;

  GASYNC_TSAN_ACQUIRE (wake);
  gasync_lock (wake->lock);
  wake->cancelled = TRUE;
  gasync_cond_broadcast (wake->cond);
  gasync_unlock (wake->lock);
  GASYNC_TSAN_RELEASE (wake);
}

/* One wait on @cond: FALSE once @deadline has passed. */
static inline gboolean
wait_once (GasyncCond *cond,
           GasyncLock *lock,
           gint64      deadline)
{
  if (deadline == G_MAXINT64)
    {
      gasync_cond_wait (cond, lock);
      return TRUE;
    }
  return gasync_cond_wait_until (cond, lock, deadline);
}

/* Without @error, no message is made: translating one costs more than
 * the rest of a wake-up. */
static gboolean
set_timed_out (GError **error)
{
  if (error != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("The wait timed out"));
  return FALSE;
}

/* Returns FALSE, and sets @error, if given, to %G_IO_ERROR_CANCELLED for
 * @cancellable, which fired: without @error no message is made, since
 * GLib translates it even when nobody reads it (about 550 instructions). */
gboolean
gasync_set_cancelled_error (GCancellable  *cancellable,
                            GError       **error)
{
  if (error == NULL)
    return FALSE;
  /* It fired, but it may have been reset since. */
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         _("The wait was cancelled"));
  return FALSE;
}

/* gasync_wait() without a cancellable, once @until did not hold. */
static gboolean
wait_uncancellable (GasyncLock      *lock,
                    GasyncCond      *cond,
                    GasyncWaitFunc   until,
                    gpointer         data,
                    gint64           deadline,
                    GError         **error)
{
  for (;;)
    {
      if (!wait_once (cond, lock, deadline))
        {
          if (until != NULL && until (data))
            return TRUE;
          return set_timed_out (error);
        }
      if (until == NULL || until (data))
        return TRUE;
    }
}

/* gasync_wait() once @until did not hold: see there. */
gboolean
gasync_wait_slowpath (GasyncLock      *lock,
                      GasyncCond      *cond,
                      GasyncWaitFunc   until,
                      gpointer         data,
                      gint64           deadline,
                      GCancellable    *cancellable,
                      GError         **error)
{
  CancelWake wake = { lock, cond, FALSE };

  if (cancellable == NULL)
    return wait_uncancellable (lock, cond, until, data, deadline, error);

  /* Neither worth a connection. */
  if (g_cancellable_is_cancelled (cancellable))
    return gasync_set_cancelled_error (cancellable, error);
  if (deadline != G_MAXINT64 && g_get_monotonic_time () >= deadline)
    return set_timed_out (error);

  for (;;)
    {
      gboolean woken = FALSE;
      gboolean timed_out = FALSE;
      gulong handler_id;

      /* The handler takes the lock, and runs at once if @cancellable has
       * fired already. */
      gasync_unlock (lock);
      GASYNC_TSAN_RELEASE (&wake);
      GASYNC_TSAN_IGNORE_BEGIN ();
      handler_id = g_cancellable_connect (cancellable,
                                          G_CALLBACK (cancel_wake_cb),
                                          &wake, NULL);
      GASYNC_TSAN_IGNORE_END ();
      gasync_lock (lock);

      /* The lock was dropped: look again before each wait. */
      while (!(until != NULL ? until (data) : woken) &&
             !wake.cancelled && !timed_out)
        {
          if (wait_once (cond, lock, deadline))
            woken = TRUE;
          else
            timed_out = TRUE;
        }

      /* The disconnection waits for a handler that is running, which
       * waits for the lock. */
      gasync_unlock (lock);
      GASYNC_TSAN_IGNORE_BEGIN ();
      g_cancellable_disconnect (cancellable, handler_id);
      GASYNC_TSAN_IGNORE_END ();
      GASYNC_TSAN_ACQUIRE (&wake);
      gasync_lock (lock);

      if (until != NULL ? until (data) : woken && !wake.cancelled)
        return TRUE;
      if (wake.cancelled)
        return gasync_set_cancelled_error (cancellable, error);
      if (timed_out)
        return set_timed_out (error);
      /* It held, but no longer does since the lock was dropped. */
    }
}
