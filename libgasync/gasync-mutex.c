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
 Fairness, as Go's `sync.Mutex`: blocking lockers (gasync_mutex_lock())
 * and main-loop lockers (gasync_mutex_lock_async(), which blocks no
 * thread) that find the mutex locked wait in one first-in, first-out
 * queue. The mutex has two modes:
 *
 * - In normal mode, gasync_mutex_unlock() frees the mutex and wakes the
 *   first blocking waiter to try again, but a thread that is running may
 *   take the free mutex first (it "barges"); the woken waiter that lost
 *   waits again at the head of the queue. On a machine with more than one
 *   processor, a blocking locker that finds the mutex held first retries
 *   a few times with a short pause (about a microsecond in all), as Go's
 *   does, before it queues. A short critical section under contention
 *   then costs no thread wake-up per lock. A main-loop waiter at the head
 *   of the queue is always handed the mutex directly.
 * - Once a waiter has waited longer than about 1 ms, the mutex turns to
 *   hand-off (starvation) mode: gasync_mutex_unlock() hands it, still
 *   locked, to the first waiter, and new lockers, gasync_mutex_try_lock()
 *   included, queue behind the waiters. It goes back to normal mode when
 *   the queue drains or a waiter is handed the mutex after waiting less
 *   than about 1 ms.
 *
 * So no waiter starves: under any load a waiter holds the mutex within
 * about 1 ms plus the critical sections of the waiters ahead of it, but
 * the order of lockers is first-in, first-out only in hand-off mode.
 *
 * A locker whose cancellable fires while it waits leaves the queue without
 * taking the mutex, and a woken waiter that finds its cancellable fired
 * does not take it either, and wakes the next one. A locker is not tied to
 * a thread: the mutex may be unlocked from any thread.
 *
 * |[<!-- language="C" -->
 * if (!gasync_mutex_lock (mutex, cancellable, error))
 *   return FALSE;
 * update_the_shared_state ();
 * gasync_mutex_unlock (mutex);
 * ]|
 *
 * In Python, from threads:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync, Gio
 *
 * mutex = Gasync.Mutex.new()
 * counter = [0]
 *
 *
 * def add(cancellable):
 *     for _ in range(1000):
 *         # lock() waits, but gives up with an error once @cancellable fires.
 *         mutex.lock(cancellable)
 *         try:
 *             counter[0] += 1
 *         finally:
 *             mutex.unlock()
 *
 *
 * cancellable = Gio.Cancellable()
 * threads = [threading.Thread(target=add, args=(cancellable,)) for _ in range(4)]
 * for t in threads:
 *     t.start()
 * for t in threads:
 *     t.join()
 * assert counter[0] == 4000
 * ]|
 *
 * In JavaScript, from async functions on the main loop:
 * |[<!-- language="JavaScript" -->
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Mutex.prototype, 'lock_async', 'lock_finish');
 * Gio._promisify(Gasync, 'sleep_async', 'sleep_finish');
 *
 * // lock_async() lets async functions take turns without blocking the
 * // main loop: they get the mutex in the order they asked for it.
 * const mutex = Gasync.Mutex.new();
 * const log = [];
 *
 * async function update(name) {
 *     await mutex.lock_async(null);
 *     try {
 *         log.push(`${name} begins`);
 *         await Gasync.sleep_async(1000, null); // 1 ms, holding the mutex
 *         log.push(`${name} ends`);
 *     } finally {
 *         mutex.unlock();
 *     }
 * }
 *
 * await Promise.all([update('a'), update('b')]);
 * if (log.join() !== 'a begins,a ends,b begins,b ends')
 *     throw new Error(log.join());
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
 * A mutual exclusion lock with cancellable locking that no waiter starves
 * on: see the section documentation for the fairness it promises.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-private.h"
#include "gasync-waiter-private.h"

/* The state word lets an uncontended lock and unlock be one atomic
 * compare-and-swap each, and a contended one in normal mode a few more:
 *
 * LOCKED: somebody holds the mutex. Only set by a compare-and-swap that
 *   found it clear (a locker), only cleared by the holder.
 * WAITERS: the queue may be non-empty. Set under the lock before a waiter
 *   is queued, so that an unlock with waiters takes the slow path; may stay
 *   set a little after the last waiter left (cancelled), which costs one
 *   slow path and is then cleared.
 * WOKEN: a blocking waiter was woken to try again and is on its way; an
 *   unlock need not wake another (Go's mutexWoken). Set and cleared under
 *   the lock.
 * STARVING: hand-off mode (Go's mutexStarving). Lockers queue instead of
 *   taking a free mutex and unlock hands it to the first waiter. Set, under
 *   the lock and only while the mutex is locked, by a woken waiter that has
 *   waited longer than STARVATION_US; cleared when a waiter is handed the
 *   mutex after a shorter wait or the queue drains.
 *
 * Invariants, which the code below keeps: a free mutex with waiters queued
 * has WOKEN set (someone is on the way to take it or to pass the wake-up
 * on), and STARVING implies LOCKED or an empty queue. Everything but the
 * LOCKED bit of a free, not starving mutex changes under the lock. */
enum {
  STATE_LOCKED = 1 << 0,
  STATE_WAITERS = 1 << 1,
  STATE_WOKEN = 1 << 2,
  STATE_STARVING = 1 << 3,
};

/* How long a waiter may wait before the mutex turns to strict hand-off:
 * Go's starvationThresholdNs. */
#define STARVATION_US 1000

/* How a queued blocking waiter is woken (gasync_waiter_wake_one_as()). */
enum {
  WOKEN_HANDED = 1,  /* it holds the mutex */
  WOKEN_RETRY = 2,   /* it holds WOKEN, and must try again */
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

/* Takes the mutex if it is free and not in hand-off mode: a running
 * locker may overtake the queue (normal mode). */
static inline gboolean
mutex_try_barge (GasyncMutex *self)
{
  int state = 0;

  /* The uncontended case first: one compare-and-swap. */
  while ((state & (STATE_LOCKED | STATE_STARVING)) == 0)
    {
      if (g_atomic_int_compare_and_exchange_full (&self->state, state,
                                                  state | STATE_LOCKED,
                                                  &state))
        return TRUE;
    }
  return FALSE;
}

/* Takes the mutex if it is free, and not in hand-off mode with waiters
 * queued; else marks that a waiter is about to queue, with @set (STARVING
 * from a waiter that waited too long). Either way clears @clear (WOKEN
 * from the woken waiter). Called with the lock held. */
static gboolean
mutex_take_or_mark (GasyncMutex *self,
                    int          clear,
                    int          set)
{
  int state = g_atomic_int_get (&self->state);

  for (;;)
    {
      gboolean empty = g_queue_is_empty (&self->waiters);
      gboolean take = (state & STATE_LOCKED) == 0 &&
                      ((state & STATE_STARVING) == 0 || empty);
      int next;

      if (take)
        {
          next = (state & ~clear) | STATE_LOCKED;
          /* Drops a WAITERS left by cancelled waiters. */
          if (empty)
            next &= ~(STATE_WAITERS | STATE_STARVING);
        }
      else
        next = (state & ~clear) | STATE_WAITERS | set;

      if (g_atomic_int_compare_and_exchange_full (&self->state, state, next,
                                                  &state))
        return take;
    }
}

/* Called with the lock held and the mutex locked by the caller: releases
 * it. In hand-off mode, or when the first waiter is an async one (which
 * cannot race for the mutex), hands it over, still locked; else unlocks it
 * and, unless a woken waiter is on its way already, wakes the first waiter
 * to try again. Only the caller may change the state now: bargers wait
 * for LOCKED to clear, everybody else for the lock. */
static void
mutex_release (GasyncMutex *self)
{
  int state = g_atomic_int_get (&self->state);

  g_assert (state & STATE_LOCKED);

  if (g_queue_is_empty (&self->waiters))
    {
      /* Keeps a WOKEN: that waiter is on its way, and will find it free. */
      g_atomic_int_and (&self->state,
                        ~(STATE_LOCKED | STATE_WAITERS | STATE_STARVING));
    }
  else if ((state & STATE_STARVING) != 0 ||
           gasync_waiter_head_is_async (&self->waiters))
    {
      /* Set before the hand-off: an async waiter's callback may run, and
       * unlock, on another thread before this one goes on. The first
       * waiter left hand-off mode if it was the last one (a blocking one
       * also does when it waited only briefly). */
      if (g_queue_get_length (&self->waiters) == 1)
        g_atomic_int_and (&self->state, ~(STATE_WAITERS | STATE_STARVING));
      gasync_waiter_wake_one_as (&self->waiters, WOKEN_HANDED);
    }
  else if ((state & STATE_WOKEN) != 0)
    {
      g_atomic_int_and (&self->state, ~STATE_LOCKED);
    }
  else
    {
      g_atomic_int_set (&self->state, (state & ~STATE_LOCKED) | STATE_WOKEN);
      gasync_waiter_wake_one_as (&self->waiters, WOKEN_RETRY);
    }
}

/* Called with the lock held by a waiter woken to try again that gives up
 * (cancelled): clears WOKEN, and passes the wake-up on when the mutex is
 * free, by taking it and releasing it again. When it is locked, its holder
 * will. */
static void
mutex_give_up_woken (GasyncMutex *self)
{
  int state = g_atomic_int_get (&self->state);
  int next;

  g_assert (state & STATE_WOKEN);

  do
    {
      next = state & ~STATE_WOKEN;
      if ((state & STATE_LOCKED) == 0 && !g_queue_is_empty (&self->waiters))
        next |= STATE_LOCKED;
    }
  while (!g_atomic_int_compare_and_exchange_full (&self->state, state, next,
                                                  &state));

  if ((state & STATE_LOCKED) == 0 && (next & STATE_LOCKED) != 0)
    mutex_release (self);
}

/* Called with the lock held by a blocking waiter that left the queue
 * (cancelled): drops WAITERS with the last one. */
static void
mutex_waiter_left (GasyncMutex *self)
{
  if (g_queue_is_empty (&self->waiters))
    g_atomic_int_and (&self->state, ~STATE_WAITERS);
}

/* The contended gasync_mutex_lock(), with the lock held. Kept out of line,
 * as the other slow paths, so that the uncontended lock and unlock save
 * no registers. */
static G_NO_INLINE gboolean
mutex_lock_slow (GasyncMutex   *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gint64 since = 0;
  int clear = 0;
  int set = 0;

  for (;;)
    {
      guint woken_as = 0;

      if (mutex_take_or_mark (self, clear, set))
        return TRUE;

      if (since == 0)
        since = g_get_monotonic_time ();
      /* Woken to try again and lost: back at the head of the queue. */
      if (!gasync_waiter_wait_full (&self->waiters, &self->lock, clear != 0,
                                    G_MAXINT64, cancellable, &woken_as,
                                    error))
        {
          mutex_waiter_left (self);
          return FALSE;
        }

      if (woken_as == WOKEN_HANDED)
        {
          /* Go's rule: hand-off mode ends with a waiter that did not wait
           * long, so that a steady trickle of lockers does not keep it. */
          if (g_get_monotonic_time () - since < STARVATION_US)
            g_atomic_int_and (&self->state, ~STATE_STARVING);
          return TRUE;
        }

      /* Woken to try again, WOKEN is ours. A cancelled locker never takes
       * the mutex, and passes the wake-up on. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          mutex_give_up_woken (self);
          return FALSE;
        }

      clear = STATE_WOKEN;
      set = g_get_monotonic_time () - since > STARVATION_US ? STATE_STARVING : 0;
    }
}

/* Go's active spinning (gasync_spin()): a locker that finds the mutex
 * held in normal mode retries a few times before it queues, since a short
 * critical section is often over sooner than a sleep and a wake-up. */
static GasyncSpinResult
mutex_try_spin (gpointer data)
{
  GasyncMutex *self = data;

  if ((g_atomic_int_get (&self->state) & STATE_STARVING) != 0)
    return GASYNC_SPIN_STOP;
  return mutex_try_barge (self) ? GASYNC_SPIN_DONE : GASYNC_SPIN_AGAIN;
}

static G_NO_INLINE gboolean
mutex_lock_contended (GasyncMutex   *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  gboolean locked;

  if (gasync_spin (mutex_try_spin, self))
    return TRUE;

  gasync_lock (&self->lock);
  locked = mutex_lock_slow (self, cancellable, error);
  gasync_unlock (&self->lock);
  return locked;
}

/**
 * gasync_mutex_lock:
 * @self: a #GasyncMutex
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError, or %NULL
 *
 * Locks @self, blocking the calling thread while another holder has it,
 * with the fairness described in the class documentation. When @cancellable is cancelled
 * first (or already was), returns %FALSE with %G_IO_ERROR_CANCELLED and
 * leaves the mutex alone: the caller does not hold it.
 *
 * Threading: may be called from any thread, but not on a main context
 * that a holder needs in order to unlock; use gasync_mutex_lock_async()
 * there.
 *
 * Blocking: yes, until the lock is acquired or @cancellable fires; it
 * iterates no main loop. gasync_mutex_lock_async() is its twin that does
 * not block.
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
  g_return_val_if_fail (GASYNC_IS_MUTEX (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (cancellable != NULL &&
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (mutex_try_barge (self))
    return TRUE;

  return mutex_lock_contended (self, cancellable, error);
}

/**
 * gasync_mutex_try_lock:
 * @self: a #GasyncMutex
 *
 * Locks @self if it is free and not in hand-off (starvation) mode,
 * without blocking: in normal mode it may take the mutex ahead of queued
 * waiters, as gasync_mutex_lock() does.
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

  return mutex_try_barge (self);
}

static G_NO_INLINE void
mutex_unlock_contended (GasyncMutex *self)
{
  gasync_lock (&self->lock);
  mutex_release (self);
  gasync_unlock (&self->lock);
}

/**
 * gasync_mutex_unlock:
 * @self: a #GasyncMutex
 *
 * Unlocks @self: in hand-off mode, or when the first waiting locker is a
 * main-loop one, hands it to the first waiting locker; else frees it and
 * wakes the first waiting locker, if there is one, to try again.
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
  int state = STATE_LOCKED;

  g_return_if_fail (GASYNC_IS_MUTEX (self));

  /* Uncontended, or nobody to hand over to or to wake: one compare-and-
   * swap, and the mutex is free for whoever runs first. */
  for (;;)
    {
      if ((state & STATE_LOCKED) == 0)
        {
          g_critical ("%s: the GasyncMutex %p is not locked", G_STRFUNC, self);
          return;
        }
      if ((state & STATE_STARVING) != 0 ||
          (state & (STATE_WAITERS | STATE_WOKEN)) == STATE_WAITERS)
        break;
      if (g_atomic_int_compare_and_exchange_full (&self->state, state,
                                                  state & ~STATE_LOCKED,
                                                  &state))
        return;
    }

  mutex_unlock_contended (self);
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
 * caller holds @self, in the same queue as blocking lockers (it is handed
 * the mutex once first in the queue, see the class documentation); then call gasync_mutex_lock_finish(). When @cancellable is
 * cancelled first, the locker leaves the queue without taking @self.
 *
 * Threading: @callback is called on the thread-default main context of
 * the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
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

  locked = mutex_try_barge (self);
  if (!locked)
    {
      gasync_lock (&self->lock);
      locked = mutex_take_or_mark (self, 0, 0);
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
