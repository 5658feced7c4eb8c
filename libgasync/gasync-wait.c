/* gasync-wait.c: waiting for a deadline or a cancellation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A pthread condition rather than the cancellable's file descriptor, and
 * the hand-off through GCancellable's own (GLib) mutex annotated, so that
 * TSan sees who wakes whom.
 */

#include "config.h"

#include "gasync-wait-private.h"
#include "gasync-sync-private.h"

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  gboolean cancelled;
} Waiter;

static void
wake_cb (GCancellable *cancellable,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  GASYNC_TSAN_ACQUIRE (waiter);
  gasync_lock (&waiter->lock);
  waiter->cancelled = TRUE;
  gasync_cond_broadcast (&waiter->cond);
  gasync_unlock (&waiter->lock);
  GASYNC_TSAN_RELEASE (waiter);
}

/* @time plus @span (not negative), saturated at G_MAXINT64: a huge
 * duration must not wrap a deadline into the past. */
gint64
gasync_deadline_add (gint64    time,
                     GTimeSpan span)
{
  g_assert (time >= 0 && span >= 0);

  return span > G_MAXINT64 - time ? G_MAXINT64 : time + span;
}

/* Blocks until @deadline (a g_get_monotonic_time() value) or until
 * @cancellable fires. Returns TRUE if it was cancelled. */
gboolean
gasync_wait_cancellable (GCancellable *cancellable,
                         gint64        deadline)
{
  Waiter waiter = { .cancelled = FALSE };
  gulong handler = 0;

  gasync_lock_init (&waiter.lock);
  gasync_cond_init (&waiter.cond);
  GASYNC_TSAN_RELEASE (&waiter);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_cb),
                                     &waiter, NULL);
  gasync_lock (&waiter.lock);
  while (!waiter.cancelled &&
         gasync_cond_wait_until (&waiter.cond, &waiter.lock, deadline))
    ;
  gasync_unlock (&waiter.lock);
  g_cancellable_disconnect (cancellable, handler);
  GASYNC_TSAN_ACQUIRE (&waiter);
  gasync_cond_clear (&waiter.cond);
  gasync_lock_clear (&waiter.lock);
  return waiter.cancelled;
}
