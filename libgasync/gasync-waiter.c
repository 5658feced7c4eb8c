/* gasync-waiter.c: FIFO queues of blocking and async waiters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * GasyncMutex queues its lockers and GasyncTasks its waiters here, blocking
 * threads and main-loop (GTask) waiters in one FIFO. A blocking waiter
 * sleeps on its own condition, in gasync_wait(); an async waiter blocks
 * nothing and is completed on the context of its GTask. Cancellation never
 * polls: a blocking waiter is woken by gasync_wait()'s cancellable handler,
 * an async one by a cancellable source on its task's context.
 *
 * Part of the sync layer, but a floor above gasync-sync.c: the async
 * waiters complete through a source on the task's context, which the
 * bottom floor must not depend on.
 */

#include "config.h"

#include "gasync-waiter-private.h"
#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-source-private.h"

typedef struct
{
  GList link;
  GQueue *queue;
  GasyncLock *lock;
  guint woken;  /* how, for the waker's owner; 0 while waiting */

  /* Blocking waiters. */
  GasyncCond cond;

  /* Async waiters. */
  GTask *task;
  GSource *cancel_source;
} GasyncWaiter;

static gboolean
waiter_is_woken (gpointer data)
{
  GasyncWaiter *waiter = data;

  return waiter->woken != 0;
}

/* Waits until woken (TRUE), or until @cancellable fires (FALSE with
 * G_IO_ERROR_CANCELLED) or @deadline passes (G_MAXINT64 for none; FALSE
 * with G_IO_ERROR_TIMED_OUT), whichever comes first: gasync_waiter_wait_full()
 * at the tail. */
gboolean
gasync_waiter_wait (GQueue        *queue,
                    GasyncLock    *lock,
                    gint64         deadline,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return gasync_waiter_wait_full (queue, lock, FALSE, deadline, cancellable,
                                  NULL, error);
}

/* gasync_waiter_wait(), queued at the head of @queue when @at_head (a
 * waiter that was woken, found it had lost a race, and waits again ahead
 * of the later ones), and telling in @woken_as (if not NULL) the value
 * that its waker passed to gasync_waiter_wake_one_as(): gasync_wait() on
 * the waiter's own condition. Called and returns with @lock held. */
gboolean
gasync_waiter_wait_full (GQueue        *queue,
                         GasyncLock    *lock,
                         gboolean       at_head,
                         gint64         deadline,
                         GCancellable  *cancellable,
                         guint         *woken_as,
                         GError       **error)
{
  GasyncWaiter waiter = { { &waiter, NULL, NULL }, queue, lock };
  gboolean woken;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  gasync_cond_init (&waiter.cond);
  if (at_head)
    g_queue_push_head_link (queue, &waiter.link);
  else
    g_queue_push_tail_link (queue, &waiter.link);
  woken = gasync_wait (lock, &waiter.cond, waiter_is_woken, &waiter,
                       deadline, cancellable, error);
  /* A woken waiter was taken off the queue by its waker. */
  if (!woken)
    g_queue_unlink (queue, &waiter.link);
  gasync_cond_clear (&waiter.cond);
  if (woken_as != NULL)
    *woken_as = waiter.woken;
  return woken;
}

static void
async_waiter_free (GasyncWaiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      /* The context's source lists, and the last unref disconnects from
       * the cancellable: GMainContext's and GObject's GLib locks. */
      GASYNC_TSAN_IGNORE_BEGIN ();
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
      GASYNC_TSAN_IGNORE_END ();
    }
  g_object_unref (waiter->task);
  g_free (waiter);
}

/* On the task's context, after the waiter was woken. */
static void
async_woken_cb (gpointer user_data)
{
  GasyncWaiter *waiter = user_data;

  g_task_return_boolean (waiter->task, TRUE);
  async_waiter_free (waiter);
}

/* On the task's context, when its cancellable fires. */
static gboolean
async_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GasyncWaiter *waiter = user_data;
  gboolean woken;

  GASYNC_TSAN_ACQUIRE (waiter);
  gasync_lock (waiter->lock);
  woken = waiter->woken;
  if (!woken)
    g_queue_unlink (waiter->queue, &waiter->link);
  gasync_unlock (waiter->lock);

  /* A woken waiter is completed by async_woken_cb, which is on its way. */
  if (!woken)
    {
      g_task_return_error_if_cancelled (waiter->task);
      async_waiter_free (waiter);
    }
  return G_SOURCE_REMOVE;
}

/* Queues @task, which returns TRUE once woken, or G_IO_ERROR_CANCELLED
 * when its cancellable fires first. Completes on the task's context. */
void
gasync_waiter_wait_async (GQueue     *queue,
                          GasyncLock *lock,
                          GTask      *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  GasyncWaiter *waiter = g_new0 (GasyncWaiter, 1);

  /* Woken wins over cancelled: the result must not be turned into an
   * error afterwards, or a lock handed over would be lost. */
  g_task_set_check_cancellable (task, FALSE);

  waiter->link.data = waiter;
  waiter->queue = queue;
  waiter->lock = lock;
  waiter->task = g_object_ref (task);
  if (cancellable != NULL)
    {
      /* Published to the callback through GMainContext's GMutex, which
       * also guards what attaching the source changes. */
      GASYNC_TSAN_RELEASE (waiter);
      GASYNC_TSAN_IGNORE_BEGIN ();
      waiter->cancel_source = gasync_cancel_source_new (cancellable);
      g_source_set_static_name (waiter->cancel_source,
                                "[gasync] waiter cancelled");
      g_source_set_callback (waiter->cancel_source,
                             G_SOURCE_FUNC (async_cancelled_cb), waiter,
                             NULL);
      gasync_source_attach (waiter->cancel_source, g_task_get_context (task));
      GASYNC_TSAN_IGNORE_END ();
    }
  g_queue_push_tail_link (queue, &waiter->link);
}

/* Returns TRUE for @task at once if @until (@data) holds, looked at under
 * @lock; otherwise queues it as gasync_waiter_wait_async() does, for
 * whoever makes @until true to wake. */
void
gasync_waiter_wait_async_until (GQueue         *queue,
                                GasyncLock     *lock,
                                GTask          *task,
                                GasyncWaitFunc  until,
                                gpointer        data)
{
  gboolean done;

  gasync_lock (lock);
  done = until (data);
  if (!done)
    gasync_waiter_wait_async (queue, lock, task);
  gasync_unlock (lock);

  if (done)
    g_task_return_boolean (task, TRUE);
}

/* Wakes the first waiter and removes it from @queue. Returns FALSE if
 * @queue was empty. */
gboolean
gasync_waiter_wake_one (GQueue *queue)
{
  return gasync_waiter_wake_one_as (queue, 1);
}

/* Whether the first waiter of @queue is an async one (FALSE when empty). */
gboolean
gasync_waiter_head_is_async (GQueue *queue)
{
  GasyncWaiter *waiter = g_queue_peek_head (queue);

  return waiter != NULL && waiter->task != NULL;
}

/* gasync_waiter_wake_one(), passing @woken_as (not 0) to a blocking
 * waiter's gasync_waiter_wait_full(); an async waiter completes with TRUE
 * whatever it is. */
gboolean
gasync_waiter_wake_one_as (GQueue *queue,
                           guint   woken_as)
{
  GList *link = g_queue_pop_head_link (queue);
  GasyncWaiter *waiter;

  g_assert (woken_as != 0);

  if (link == NULL)
    return FALSE;

  waiter = link->data;
  waiter->woken = woken_as;
  if (waiter->task == NULL)
    gasync_cond_signal (&waiter->cond);
  else
    gasync_owner_invoke (g_task_get_context (waiter->task), GASYNC_OWNER_QUEUE,
                         async_woken_cb, waiter, NULL);
  return TRUE;
}

void
gasync_waiter_wake_all (GQueue *queue)
{
  while (gasync_waiter_wake_one (queue))
    ;
}
