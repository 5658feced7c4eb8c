/* gasync-mutex.c: a mutex whose lock can be cancelled
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-mutex
 * @title: GasyncMutex
 * @short_description: a mutex whose lock can be cancelled
 *
 * #GasyncMutex is Go's `MutexWithContext`: a lock whose gasync_mutex_lock()
 * takes a #GCancellable and can therefore fail, with
 * %G_IO_ERROR_CANCELLED; check its result before going on. A lock that
 * fails never leaves the mutex locked.
 *
 * Lockers queue fairly: blocking lockers (gasync_mutex_lock()) and
 * main-loop lockers (gasync_mutex_lock_async(), which blocks no thread)
 * share one first-in, first-out queue, and gasync_mutex_unlock() hands the
 * mutex directly to the first one. A locker whose cancellable fires while
 * it waits leaves the queue without taking the mutex. A locker is not
 * tied to a thread: the mutex may be unlocked from any thread.
 *
 * |[<!-- language="C" -->
 * if (!gasync_mutex_lock (mutex, cancellable, error))
 *   return FALSE;
 * update_the_shared_state ();
 * gasync_mutex_unlock (mutex);
 * ]|
 *
 * Lifetime: a main-loop locker queued by gasync_mutex_lock_async() keeps
 * the mutex alive until its callback has run, as a GIO asynchronous call
 * keeps its source object; nothing else does. Whoever holds the lock needs
 * a reference to unlock it: a mutex dropped while locked, with lockers
 * queued, leaves them waiting.
 *
 * Threading: every function may be called from any thread. The callback
 * of gasync_mutex_lock_async() is called on the thread-default main
 * context of its caller.
 */

/**
 * GasyncMutex:
 *
 * A mutual exclusion lock with cancellable, fair (FIFO) locking.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-waiter-private.h"

/* The state word lets an uncontended lock and unlock be one atomic
 * compare-and-swap each. WAITERS is set, under the lock, before a waiter
 * is queued, so that an unlock with waiters always takes the slow path and
 * hands the mutex over; it may stay set a little after the last waiter
 * left (cancelled), which costs one slow path and is then cleared. */
enum {
  STATE_LOCKED = 1 << 0,
  STATE_WAITERS = 1 << 1,
};

struct _GasyncMutex
{
  GObject parent_instance;

  int state; /* atomic */
  GasyncLock lock; /* guards waiters and the setting of WAITERS */
  GQueue waiters;
};

G_DEFINE_FINAL_TYPE (GasyncMutex, gasync_mutex, G_TYPE_OBJECT)

static void
gasync_mutex_finalize (GObject *object)
{
  GasyncMutex *self = GASYNC_MUTEX (object);

  g_assert (g_queue_is_empty (&self->waiters));
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_mutex_parent_class)->finalize (object);
}

static void
gasync_mutex_class_init (GasyncMutexClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gasync_mutex_finalize;

  gasync_type_class_publish (klass);
}

static void
gasync_mutex_init (GasyncMutex *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  g_queue_init (&self->waiters);
}

/**
 * gasync_mutex_new:
 *
 * Creates a new, unlocked mutex.
 *
 * Returns: (transfer full): a new #GasyncMutex
 *
 * Since: 0.1
 */
GasyncMutex *
gasync_mutex_new (void)
{
  return g_object_new (GASYNC_TYPE_MUTEX, NULL);
}

static gboolean
mutex_try_fast (GasyncMutex *self)
{
  return g_atomic_int_compare_and_exchange (&self->state, 0, STATE_LOCKED);
}

/* Takes the mutex if it is free and nobody queues for it; else marks that
 * a waiter is about to queue. Called with the lock held. */
static gboolean
mutex_take_or_mark (GasyncMutex *self)
{
  for (;;)
    {
      int state = g_atomic_int_get (&self->state);

      if ((state & STATE_LOCKED) == 0 && g_queue_is_empty (&self->waiters))
        {
          /* Drops a WAITERS left by cancelled waiters. */
          if (g_atomic_int_compare_and_exchange (&self->state, state, STATE_LOCKED))
            return TRUE;
        }
      else if (g_atomic_int_compare_and_exchange (&self->state, state,
                                                  state | STATE_WAITERS))
        return FALSE;
    }
}

/**
 * gasync_mutex_lock:
 * @self: a #GasyncMutex
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Locks @self, blocking the calling thread while another holder has it,
 * behind the lockers that came first. When @cancellable is cancelled
 * first (or already was), returns %FALSE with %G_IO_ERROR_CANCELLED and
 * leaves the mutex alone: the caller does not hold it.
 *
 * Threading: may be called from any thread, but not on a main context
 * that a holder needs in order to unlock; use gasync_mutex_lock_async()
 * there.
 *
 * Returns: %TRUE when the caller now holds @self, %FALSE with @error set
 *   otherwise
 *
 * Since: 0.1
 */
gboolean
gasync_mutex_lock (GasyncMutex   *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean locked;

  g_return_val_if_fail (GASYNC_IS_MUTEX (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (mutex_try_fast (self))
    return TRUE;

  gasync_lock (&self->lock);
  /* When woken, the unlocker handed the mutex over: it stays locked. */
  locked = mutex_take_or_mark (self) ||
           gasync_waiter_wait (&self->waiters, &self->lock, G_MAXINT64,
                               cancellable, error);
  gasync_unlock (&self->lock);

  return locked;
}

/**
 * gasync_mutex_try_lock:
 * @self: a #GasyncMutex
 *
 * Locks @self if it is free and nobody waits for it, without blocking.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE when the caller now holds @self
 *
 * Since: 0.1
 */
gboolean
gasync_mutex_try_lock (GasyncMutex *self)
{
  g_return_val_if_fail (GASYNC_IS_MUTEX (self), FALSE);

  return mutex_try_fast (self);
}

/**
 * gasync_mutex_unlock:
 * @self: a #GasyncMutex
 *
 * Unlocks @self, handing it to the first waiting locker if there is one.
 * Unlocking a mutex that is not locked is a programming error.
 *
 * Threading: may be called from any thread, not only the one that locked
 * @self.
 *
 * Since: 0.1
 */
void
gasync_mutex_unlock (GasyncMutex *self)
{
  gboolean was_locked;

  g_return_if_fail (GASYNC_IS_MUTEX (self));

  if (g_atomic_int_compare_and_exchange (&self->state, STATE_LOCKED, 0))
    return;

  gasync_lock (&self->lock);
  was_locked = (g_atomic_int_get (&self->state) & STATE_LOCKED) != 0;
  if (was_locked)
    {
      guint n_waiters = g_queue_get_length (&self->waiters);

      /* Set before the hand-off: an async waiter's callback may run, and
       * unlock, on another thread before this one goes on. */
      if (n_waiters == 0)
        g_atomic_int_set (&self->state, 0);
      else
        g_atomic_int_set (&self->state, STATE_LOCKED | (n_waiters > 1 ? STATE_WAITERS : 0));
      gasync_waiter_wake_one (&self->waiters);
    }
  gasync_unlock (&self->lock);

  if (!was_locked)
    g_critical ("%s: the GasyncMutex %p is not locked", G_STRFUNC, self);
}

/**
 * gasync_mutex_lock_async:
 * @self: a #GasyncMutex
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when @self is locked for the caller or
 *   @cancellable was cancelled
 * @user_data: data for @callback
 *
 * Locks @self without blocking any thread: @callback is called when the
 * caller holds @self, in the same first-in, first-out order as blocking
 * lockers; then call gasync_mutex_lock_finish(). When @cancellable is
 * cancelled first, the locker leaves the queue without taking @self.
 *
 * Threading: @callback is called on the thread-default main context of
 * the caller.
 *
 * Since: 0.1
 */
void
gasync_mutex_lock_async (GasyncMutex         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean locked;

  g_return_if_fail (GASYNC_IS_MUTEX (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gasync_mutex_lock_async);
  g_task_set_name (task, "[gasync] mutex lock");
  /* Once locked, a late cancel must not turn the result into an error:
   * the caller would hold the mutex without knowing it. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;

  locked = mutex_try_fast (self);
  if (!locked)
    {
      gasync_lock (&self->lock);
      locked = mutex_take_or_mark (self);
      if (!locked)
        gasync_waiter_wait_async (&self->waiters, &self->lock, task);
      gasync_unlock (&self->lock);
    }

  if (locked)
    g_task_return_boolean (task, TRUE);
}

/**
 * gasync_mutex_lock_finish:
 * @self: a #GasyncMutex
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError, or %NULL
 *
 * Finishes gasync_mutex_lock_async().
 *
 * Threading: call it on the context where the callback was called.
 *
 * Returns: %TRUE when the caller now holds @self; %FALSE with
 *   %G_IO_ERROR_CANCELLED when the lock was cancelled, and then the caller
 *   does not hold it
 *
 * Since: 0.1
 */
gboolean
gasync_mutex_lock_finish (GasyncMutex   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_MUTEX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result,
                                                  gasync_mutex_lock_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
