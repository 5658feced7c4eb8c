/* gasync-wait-group.c: waiting for a counted set of tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-wait-group
 * @title: GasyncWaitGroup
 * @short_description: waiting for a counted set of tasks
 *
 * A wait group is Go's `sync.WaitGroup`: a counter of outstanding tasks.
 * gasync_wait_group_add() raises it before the tasks start,
 * gasync_wait_group_done() lowers it by one as each ends, and
 * gasync_wait_group_wait() blocks until it is zero; the main-loop form,
 * gasync_wait_group_wait_async(), completes instead. Lowering the counter
 * below zero is a programming error: it is refused with a critical.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GasyncWaitGroup) group = gasync_wait_group_new ();
 *
 * gasync_wait_group_add (group, n_jobs);
 * for (guint i = 0; i < n_jobs; i++)
 *   start_job (jobs[i], group);          // each calls gasync_wait_group_done()
 * if (!gasync_wait_group_wait (group, cancellable, &error))
 *   return FALSE;                        // cancelled
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync
 *
 * group = Gasync.WaitGroup.new()
 * results = [None] * 4
 *
 *
 * def fetch(i):
 *     results[i] = i * i
 *     group.done()
 *
 *
 * group.add(4)
 * for i in range(4):
 *     threading.Thread(target=fetch, args=(i,)).start()
 * group.wait(None)  # until done() was called 4 times
 * assert results == [0, 1, 4, 9]
 * ]|
 *
 * In JavaScript:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.WaitGroup.prototype, 'wait_async', 'wait_finish');
 *
 * const group = new Gasync.WaitGroup();
 * group.add(3);
 * for (let i = 1; i <= 3; i++) {
 *     GLib.timeout_add(GLib.PRIORITY_DEFAULT, i, () => {
 *         group.done();
 *         return GLib.SOURCE_REMOVE;
 *     });
 * }
 * await group.wait_async(null); // until done() was called 3 times
 * if (group.get_n_outstanding() !== 0)
 *     throw new Error('still outstanding');
 * ]|
 *
 * Lifetime: a main-loop waiter queued by gasync_wait_group_wait_async()
 * keeps the group alive until its callback has run, as a GIO asynchronous
 * call keeps its source object; nothing else does, so the tasks that call
 * gasync_wait_group_done() should hold their own references.
 *
 * Threading: every function may be called from any thread. The callback
 * of gasync_wait_group_wait_async() runs on the thread-default main
 * context of its caller.
 */

/**
 * GasyncWaitGroup:
 *
 * A counter of outstanding tasks that can be waited on until it is zero,
 * blocking or asynchronously.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"

struct _GasyncWaitGroup
{
  GObject parent_instance;

  GasyncLock lock;
  GasyncCond cond;
  gint64 count;
  guint64 n_zero;  /* times the count became zero */
  GQueue waiters;  /* AsyncWaiter */
};

G_DEFINE_FINAL_TYPE (GasyncWaitGroup, gasync_wait_group, G_TYPE_OBJECT)

/* One gasync_wait_group_wait_async() call. Whoever takes it out of
 * self->waiters (the counter reaching zero, or the cancellable) completes
 * it on the task's context. */
typedef struct
{
  GasyncWaitGroup *self;
  GTask *task;
  gulong handler;
  gboolean cancelled;
} AsyncWaiter;

static void
async_waiter_complete_cb (gpointer data)
{
  AsyncWaiter *waiter = data;

  if (waiter->handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (waiter->task),
                              waiter->handler);
  /* The disconnection waits for a handler that runs on another thread,
   * through GLib's own locks: pair it with the release at the handler's
   * end, for TSan. */
  GASYNC_TSAN_ACQUIRE (waiter);
  if (waiter->cancelled)
    g_task_return_new_error (waiter->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "%s", _("Operation was cancelled"));
  else
    g_task_return_boolean (waiter->task, TRUE);
}

static void
async_waiter_free (gpointer data)
{
  AsyncWaiter *waiter = data;

  g_object_unref (waiter->task);
  g_free (waiter);
}

/* Called with self->lock held, after taking @waiter out of the list (or
 * never putting it there). */
static void
async_waiter_complete (AsyncWaiter *waiter,
                       gboolean     cancelled)
{
  waiter->cancelled = cancelled;
  gasync_owner_invoke (g_task_get_context (waiter->task), GASYNC_OWNER_QUEUE,
                       async_waiter_complete_cb, waiter, async_waiter_free);
}

static void
async_waiter_cancelled_cb (GCancellable *cancellable,
                           gpointer      data)
{
  AsyncWaiter *waiter = data;
  GasyncWaitGroup *self;

  GASYNC_TSAN_ACQUIRE (waiter);
  self = waiter->self;
  gasync_lock (&self->lock);
  if (g_queue_remove (&self->waiters, waiter))
    async_waiter_complete (waiter, TRUE);
  GASYNC_TSAN_RELEASE (waiter);
  gasync_unlock (&self->lock);
}

/* Changes the count by @delta, refusing to go below zero. */
static void
wait_group_add (GasyncWaitGroup *self,
                gint64           delta)
{
  AsyncWaiter *waiter;

  gasync_lock (&self->lock);
  if (self->count + delta < 0)
    {
      gasync_unlock (&self->lock);
      g_critical ("Wait group count would go below zero (%" G_GINT64_FORMAT
                  " + %" G_GINT64_FORMAT "); the change is ignored",
                  self->count, delta);
      return;
    }

  self->count += delta;
  if (self->count == 0 && delta != 0)
    {
      self->n_zero++;
      while ((waiter = g_queue_pop_head (&self->waiters)) != NULL)
        async_waiter_complete (waiter, FALSE);
      gasync_cond_broadcast (&self->cond);
    }
  gasync_unlock (&self->lock);
}

static void
gasync_wait_group_finalize (GObject *object)
{
  GasyncWaitGroup *self = GASYNC_WAIT_GROUP (object);

  /* Each async waiter holds a reference through its task. */
  g_assert (g_queue_is_empty (&self->waiters));
  gasync_cond_clear (&self->cond);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_wait_group_parent_class)->finalize (object);
}

static void
gasync_wait_group_class_init (GasyncWaitGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_wait_group_finalize;

  gasync_type_class_publish (klass);
}

static void
gasync_wait_group_init (GasyncWaitGroup *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  gasync_cond_init (&self->cond);
  g_queue_init (&self->waiters);
}

/**
 * gasync_wait_group_new:
 *
 * Creates a wait group with a count of zero.
 *
 * Returns: (transfer full): a new #GasyncWaitGroup
 *
 * Since: 0.1
 */
GasyncWaitGroup *
gasync_wait_group_new (void)
{
  return g_object_new (GASYNC_TYPE_WAIT_GROUP, NULL);
}

/**
 * gasync_wait_group_get_n_outstanding:
 * @self: a #GasyncWaitGroup
 *
 * Gets the number of outstanding tasks; another thread may change it at
 * any time.
 *
 * Returns: the count, never below zero
 *
 * Since: 0.1
 */
gint64
gasync_wait_group_get_n_outstanding (GasyncWaitGroup *self)
{
  gint64 count;

  g_return_val_if_fail (GASYNC_IS_WAIT_GROUP (self), 0);

  gasync_lock (&self->lock);
  count = self->count;
  gasync_unlock (&self->lock);
  return count;
}

/**
 * gasync_wait_group_add:
 * @self: a #GasyncWaitGroup
 * @delta: the change of the count, usually the number of tasks about to
 *   start
 *
 * Adds @delta to the count. A negative @delta that would take the count
 * below zero is a programming error: it is ignored with a critical. When
 * the count becomes zero, every waiter is released.
 *
 * Since: 0.1
 */
void
gasync_wait_group_add (GasyncWaitGroup *self,
                       gint             delta)
{
  g_return_if_fail (GASYNC_IS_WAIT_GROUP (self));

  wait_group_add (self, delta);
}

/**
 * gasync_wait_group_done:
 * @self: a #GasyncWaitGroup
 *
 * Lowers the count by one, as a task ends. Calling it more often than the
 * count allows is a programming error: it is ignored with a critical.
 *
 * Since: 0.1
 */
void
gasync_wait_group_done (GasyncWaitGroup *self)
{
  g_return_if_fail (GASYNC_IS_WAIT_GROUP (self));

  wait_group_add (self, -1);
}

typedef struct
{
  GasyncWaitGroup *self;
  guint64 n_zero;
} Snapshot;

static gboolean
is_zero (gpointer data)
{
  Snapshot *snapshot = data;

  return snapshot->self->count == 0 ||
         snapshot->self->n_zero != snapshot->n_zero;
}

/**
 * gasync_wait_group_wait:
 * @self: a #GasyncWaitGroup
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @error: return location for a #GError
 *
 * Blocks until the count is zero (or became zero since the call, even if
 * it rose again) or @cancellable is cancelled. Like
 * gasync_wait_group_wait_async(), it fails when @cancellable was cancelled
 * already, even if the count is zero. Do not call it on a thread whose
 * main context must run for the tasks to end: use
 * gasync_wait_group_wait_async() there.
 *
 * Blocking: yes, until the count is zero or @cancellable fires; it
 * iterates no main loop. gasync_wait_group_wait_async() is its twin that
 * does not block.
 *
 * Returns: %TRUE once the count was zero; %FALSE with
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_wait_group_wait (GasyncWaitGroup  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  Snapshot snapshot = { self, 0 };
  gboolean zero;

  g_return_val_if_fail (GASYNC_IS_WAIT_GROUP (self), FALSE);
  g_return_val_if_fail (cancellable == NULL ||
                        G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  gasync_lock (&self->lock);
  snapshot.n_zero = self->n_zero;
  zero = gasync_wait (&self->lock, &self->cond, is_zero, &snapshot,
                      G_MAXINT64, cancellable, error);
  gasync_unlock (&self->lock);
  return zero;
}

/**
 * gasync_wait_group_wait_async:
 * @self: a #GasyncWaitGroup
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: (scope async): called when the count is zero or @cancellable
 *   is cancelled
 * @user_data: data for @callback
 *
 * Waits without blocking until the count is zero; the asynchronous form
 * of gasync_wait_group_wait(). @callback runs on the thread-default main
 * context of the caller; call gasync_wait_group_wait_finish() there.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_wait_group_wait_async (GasyncWaitGroup     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  AsyncWaiter *waiter;

  g_return_if_fail (GASYNC_IS_WAIT_GROUP (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  waiter = g_new0 (AsyncWaiter, 1);
  waiter->self = self;
  waiter->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter->task, gasync_wait_group_wait_async);
  g_task_set_name (waiter->task, "[gasync] gasync_wait_group_wait_async");
  /* Connected before the waiter is published, so that whoever completes
   * it sees the handler id; a cancellation in between is seen below. */
  GASYNC_TSAN_RELEASE (waiter);
  if (cancellable != NULL)
    waiter->handler =
      g_cancellable_connect (cancellable,
                             G_CALLBACK (async_waiter_cancelled_cb),
                             waiter, NULL);

  gasync_lock (&self->lock);
  if (g_cancellable_is_cancelled (cancellable))
    async_waiter_complete (waiter, TRUE);
  else if (self->count == 0)
    async_waiter_complete (waiter, FALSE);
  else
    g_queue_push_tail (&self->waiters, waiter);
  gasync_unlock (&self->lock);
}

/**
 * gasync_wait_group_wait_finish:
 * @self: a #GasyncWaitGroup
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_wait_group_wait_async().
 *
 * Returns: %TRUE once the count was zero; %FALSE with
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_wait_group_wait_finish (GasyncWaitGroup  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WAIT_GROUP (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gasync_wait_group_wait_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
