/* gasync-semaphore.c: a counting semaphore that limits concurrent tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-semaphore
 * @title: GasyncSemaphore
 * @short_description: a counting semaphore, as Go's buffered channel
 *
 * A #GasyncSemaphore holds a fixed number of slots. Go code limits how
 * many tasks run at once with a buffered channel, `make(chan struct{}, n)`;
 * libgasync uses a semaphore, for instance with
 * gasync_stopper_run_limited_async_task().
 *
 * gasync_semaphore_acquire() takes a slot, waiting for one if none is
 * free; gasync_semaphore_try_acquire() takes one only if it is free; and
 * gasync_semaphore_acquire_async() waits on a main loop instead of
 * blocking. gasync_semaphore_release() gives a slot back, straight to a
 * waiter if there is one: asynchronous waiters are served first, in the
 * order they asked, then blocked ones, in the order they blocked.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GasyncSemaphore) sem = gasync_semaphore_new (4);
 *
 * if (!gasync_semaphore_acquire (sem, cancellable, &error))
 *   return FALSE;
 * do_limited_work ();
 * gasync_semaphore_release (sem);
 * ]|
 *
 * In Python, from threads:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync
 *
 * downloads = Gasync.Semaphore.new(2)  # at most 2 at once
 * lock = threading.Lock()
 * running = [0, 0]  # now, most
 *
 *
 * def download():
 *     downloads.acquire(None)
 *     try:
 *         with lock:
 *             running[0] += 1
 *             running[1] = max(running)
 *         with lock:
 *             running[0] -= 1
 *     finally:
 *         downloads.release()
 *
 *
 * threads = [threading.Thread(target=download) for _ in range(8)]
 * for t in threads:
 *     t.start()
 * for t in threads:
 *     t.join()
 * assert running[1] <= 2 and downloads.get_n_available() == 2
 * ]|
 *
 * In JavaScript, from async functions on the main loop:
 * |[<!-- language="JavaScript" -->
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Semaphore.prototype, 'acquire_async', 'acquire_finish');
 * Gio._promisify(Gasync, 'sleep_async', 'sleep_finish');
 *
 * const downloads = Gasync.Semaphore.new(2); // at most 2 at once
 * let running = 0, most = 0;
 *
 * async function download() {
 *     await downloads.acquire_async(null);
 *     try {
 *         most = Math.max(most, ++running);
 *         await Gasync.sleep_async(1000, null);
 *         running--;
 *     } finally {
 *         downloads.release();
 *     }
 * }
 *
 * await Promise.all([...Array(8)].map(download));
 * if (most !== 2)
 *     throw new Error(`${most} at once`);
 * ]|
 *
 * Lifetime: a main-loop acquirer queued by gasync_semaphore_acquire_async()
 * keeps the semaphore alive until its callback has run, as a GIO
 * asynchronous call keeps its source object; nothing else does. Whoever
 * holds a slot needs a reference to release it.
 *
 * Threading: every function may be called from any thread. The callback
 * of gasync_semaphore_acquire_async() runs on the thread-default main
 * context of the caller of gasync_semaphore_acquire_async().
 */

/**
 * GasyncSemaphore:
 *
 * A counting semaphore with a fixed capacity.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-semaphore-private.h"

#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"

/* How many records of tasks that hold a slot are kept for reuse (see
 * gasync_semaphore_take_spare()). */
#define N_SPARES 8

/* A thread blocked in an acquire, queued until a release hands it a slot
 * or its cancellable fires. */
typedef struct
{
  GList link; /* in blocked */
  GasyncCond cond;
  gboolean granted; /* under the lock */
} Blocked;

/* Slots go straight from a release to the first waiter, so that
 * available > 0 only while no one waits (but for an instant, see
 * release_slot()): a free slot can then be taken with one
 * compare-and-swap, and a release takes the lock only when someone
 * waits.
 *
 * A release that finds no one waiting raises the count, then looks again;
 * a waiter counts itself in n_waiting, under the lock, before it looks
 * for a free slot a last time and queues. Both are sequentially
 * consistent atomics, so one of the two sees the other: the waiter the
 * slot, or the release the waiter, which it then hands the slot to under
 * the lock. */
struct _GasyncSemaphore
{
  GObject parent_instance;

  GasyncLock lock;
  int capacity;
  int available;  /* atomic */
  int n_waiting;  /* atomic; changed under the lock: in waiters and
                   * blocked, and those about to queue */
  GQueue waiters; /* GTask of acquire_async, owned; under the lock */
  GQueue blocked; /* of Blocked, first come first; under the lock */
  int n_holds;    /* atomic: slots held by tasks, see gasync_semaphore_hold() */
  gpointer spares[N_SPARES]; /* atomic: records to reuse */
  /* For tests, see gasync_semaphore_set_release_hook_for_testing(). */
  GasyncSemaphoreReleaseHook release_hook;
  gpointer release_hook_data;
};

enum {
  PROP_0,
  PROP_CAPACITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GasyncSemaphore, gasync_semaphore, G_TYPE_OBJECT)

static void
gasync_semaphore_finalize (GObject *object)
{
  GasyncSemaphore *self = GASYNC_SEMAPHORE (object);

  g_assert (g_queue_is_empty (&self->waiters));
  g_assert (g_queue_is_empty (&self->blocked));
  for (guint i = 0; i < N_SPARES; i++)
    g_free (self->spares[i]);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_semaphore_parent_class)->finalize (object);
}

static void
gasync_semaphore_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  GasyncSemaphore *self = GASYNC_SEMAPHORE (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_int (value, self->capacity);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_semaphore_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  GasyncSemaphore *self = GASYNC_SEMAPHORE (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      self->capacity = self->available = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_semaphore_class_init (GasyncSemaphoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_semaphore_finalize;
  object_class->get_property = gasync_semaphore_get_property;
  object_class->set_property = gasync_semaphore_set_property;

  /**
   * GasyncSemaphore:capacity:
   *
   * The number of slots, fixed at construction.
   *
   * Since: 0.1
   */
  properties[PROP_CAPACITY] =
    g_param_spec_int ("capacity", "Capacity", "The number of slots",
                      1, G_MAXINT, 1,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                      G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gasync_type_class_publish (klass);
}

static void
gasync_semaphore_init (GasyncSemaphore *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  self->capacity = self->available = 1;
  g_queue_init (&self->waiters);
  g_queue_init (&self->blocked);
}

/* Takes a free slot, with or without the lock. A slot is free only while
 * no one waits (see the structure), so that this never jumps a queue. */
static inline gboolean
take_free_slot (GasyncSemaphore *self)
{
  int available = g_atomic_int_get (&self->available);

  while (available > 0)
    if (g_atomic_int_compare_and_exchange_full (&self->available, available,
                                                available - 1, &available))
      return TRUE;
  return FALSE;
}

static gboolean
is_granted (gpointer data)
{
  Blocked *blocked = data;

  return blocked->granted;
}

/* Called with the lock held, by a waiter about to queue: counts it as
 * waiting, then takes a free slot if there is one (then it does not
 * wait). See the structure. */
static gboolean
enter_waiting_locked (GasyncSemaphore *self)
{
  g_atomic_int_inc (&self->n_waiting);
  if (!take_free_slot (self))
    return FALSE;
  g_atomic_int_add (&self->n_waiting, -1);
  return TRUE;
}

/* Called with the lock held: counts a waiter as no longer waiting, once
 * it left its queue. */
static inline void
leave_waiting_locked (GasyncSemaphore *self)
{
  g_atomic_int_add (&self->n_waiting, -1);
}

/* Called with the lock held: hands free slots to the first waiters, for a
 * release that raised the count as they queued. Returns the first
 * asynchronous waiter granted one, to finish once the lock is dropped;
 * the caller calls again until it returns NULL. */
static GTask *
hand_on_locked (GasyncSemaphore *self)
{
  while ((self->waiters.head != NULL || self->blocked.head != NULL) &&
         take_free_slot (self))
    {
      leave_waiting_locked (self);
      if (self->waiters.head != NULL)
        return g_queue_pop_head (&self->waiters);
      else
        {
          Blocked *blocked = g_queue_pop_head_link (&self->blocked)->data;

          blocked->granted = TRUE;
          gasync_cond_signal (&blocked->cond);
        }
    }
  return NULL;
}

/* Called with the lock held and no slot free: queues the calling thread
 * and blocks until a release hands it a slot (TRUE) or @cancellable
 * fires (FALSE, with @error set; a slot handed over in the same instant is
 * kept, as the wait's predicate wins). */
static gboolean
wait_for_slot_locked (GasyncSemaphore  *self,
                      GCancellable     *cancellable,
                      GError          **error)
{
  Blocked blocked = { { &blocked, NULL, NULL }, GASYNC_COND_INIT, FALSE };
  gboolean acquired;

  g_queue_push_tail_link (&self->blocked, &blocked.link);
  acquired = gasync_wait (&self->lock, &blocked.cond, is_granted, &blocked,
                          G_MAXINT64, cancellable, error);
  /* A release unlinks whom it grants a slot, and counts it out. */
  if (!acquired)
    {
      g_queue_unlink (&self->blocked, &blocked.link);
      leave_waiting_locked (self);
    }
  gasync_cond_clear (&blocked.cond);
  return acquired;
}

/* Before a blocking acquire queues: a slot held by a short task comes
 * free sooner than a sleep and a wake-up take (gasync_spin()). Only while
 * nobody is queued, so that waiters are still served first come first. */
static GasyncSpinResult
semaphore_try_spin (gpointer data)
{
  GasyncSemaphore *self = data;

  if (g_atomic_int_get (&self->n_waiting) != 0)
    return GASYNC_SPIN_STOP;
  return take_free_slot (self) ? GASYNC_SPIN_DONE : GASYNC_SPIN_AGAIN;
}

/* A blocking acquire, once @cancellable was found not cancelled and no
 * slot free. */
static gboolean
acquire_blocking (GasyncSemaphore  *self,
                  GCancellable     *cancellable,
                  GError          **error)
{
  gboolean acquired;

  if (gasync_spin (semaphore_try_spin, self))
    return TRUE;

  gasync_lock (&self->lock);
  acquired = enter_waiting_locked (self) ||
             wait_for_slot_locked (self, cancellable, error);
  gasync_unlock (&self->lock);
  return acquired;
}

/**
 * gasync_semaphore_new:
 * @capacity: the number of slots, at least 1
 *
 * Creates a semaphore with @capacity free slots.
 *
 * Returns: (transfer full): a new #GasyncSemaphore, or %NULL if @capacity
 *   is not positive
 *
 * Since: 0.1
 */
GasyncSemaphore *
gasync_semaphore_new (int capacity)
{
  g_return_val_if_fail (capacity > 0, NULL);

  return g_object_new (GASYNC_TYPE_SEMAPHORE, "capacity", capacity, NULL);
}

/**
 * gasync_semaphore_get_capacity:
 * @self: a #GasyncSemaphore
 *
 * Gets the number of slots of @self.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the capacity
 *
 * Since: 0.1
 */
int
gasync_semaphore_get_capacity (GasyncSemaphore *self)
{
  g_return_val_if_fail (GASYNC_IS_SEMAPHORE (self), 0);

  return self->capacity;
}

/**
 * gasync_semaphore_get_n_available:
 * @self: a #GasyncSemaphore
 *
 * Gets the number of free slots of @self at this moment. Another thread
 * may take or release one at any time, so the answer is a snapshot.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the number of free slots
 *
 * Since: 0.1
 */
int
gasync_semaphore_get_n_available (GasyncSemaphore *self)
{
  g_return_val_if_fail (GASYNC_IS_SEMAPHORE (self), 0);

  return g_atomic_int_get (&self->available);
}

/**
 * gasync_semaphore_acquire:
 * @self: a #GasyncSemaphore
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @error: return location for a #GError
 *
 * Takes a slot of @self, blocking until one is free or @cancellable is
 * cancelled. Give the slot back with gasync_semaphore_release(). Like
 * gasync_semaphore_acquire_async(), it takes no slot when @cancellable
 * was cancelled already, even if one is free.
 *
 * Threading: may be called from any thread; it blocks that thread.
 *
 * Blocking: yes, until a slot is free or @cancellable fires; it iterates
 * no main loop. gasync_semaphore_acquire_async() is its twin that does not
 * block.
 *
 * Returns: %TRUE if a slot was taken, %FALSE with %G_IO_ERROR_CANCELLED
 *   if @cancellable was cancelled first
 *
 * Since: 0.1
 */
gboolean
gasync_semaphore_acquire (GasyncSemaphore  *self,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_SEMAPHORE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return take_free_slot (self) || acquire_blocking (self, cancellable, error);
}

/**
 * gasync_semaphore_try_acquire:
 * @self: a #GasyncSemaphore
 *
 * Takes a slot of @self if one is free now, without waiting.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE if a slot was taken
 *
 * Since: 0.1
 */
gboolean
gasync_semaphore_try_acquire (GasyncSemaphore *self)
{
  g_return_val_if_fail (GASYNC_IS_SEMAPHORE (self), FALSE);

  return take_free_slot (self);
}

/* The task data of an async acquirer. */
typedef struct
{
  gulong handler_id;
  gboolean granted;
} AsyncAcquire;

/* Runs on the waiter's context. The cancel handler may be running in
 * another thread: disconnecting waits for it, and it then finds the task
 * gone from the queue. */
static void
complete_waiter (gpointer user_data)
{
  GTask *task = user_data;
  AsyncAcquire *waiter = g_task_get_task_data (task);

  /* GObject's signal tables, behind a GLib lock TSan cannot see
   * (gasync-sync-private.h). */
  GASYNC_TSAN_IGNORE_BEGIN ();
  g_cancellable_disconnect (g_task_get_cancellable (task),
                            waiter->handler_id);
  GASYNC_TSAN_IGNORE_END ();
  if (waiter->granted)
    g_task_return_boolean (task, TRUE);
  else
    {
      GError *error = NULL;

      /* Cancelled, though the cancellable may have been reset since. */
      gasync_set_cancelled_error (g_task_get_cancellable (task), &error);
      g_task_return_error (task, error);
    }
}

/* Takes over the caller's reference to @task. */
static void
finish_waiter (GTask    *task,
               gboolean  granted)
{
  AsyncAcquire *waiter = g_task_get_task_data (task);

  waiter->granted = granted;
  gasync_owner_complete (task, complete_waiter);
}

static void
waiter_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GasyncSemaphore *self = g_task_get_source_object (task);
  gboolean removed;

  gasync_lock (&self->lock);
  removed = g_queue_remove (&self->waiters, task);
  if (removed)
    leave_waiting_locked (self);
  gasync_unlock (&self->lock);

  if (removed)
    finish_waiter (task, FALSE);
}

static void
released_too_many (GasyncSemaphore *self)
{
  g_critical ("gasync_semaphore_release: released more slots than "
              "were acquired (capacity %d)", self->capacity);
}

/* Gives a slot back: see gasync_semaphore_release() and the structure. */
static void
release_slot (GasyncSemaphore *self)
{
  GTask *task = NULL;
  int available;

  if (g_atomic_int_get (&self->n_waiting) == 0)
    {
      if (G_UNLIKELY (self->release_hook != NULL))
        self->release_hook (self, self->release_hook_data);
      available = g_atomic_int_get (&self->available);
      do
        {
          if (available == self->capacity)
            {
              released_too_many (self);
              return;
            }
        }
      while (!g_atomic_int_compare_and_exchange_full (&self->available, available,
                                                      available + 1, &available));
      if (G_LIKELY (g_atomic_int_get (&self->n_waiting) == 0))
        return;

      /* Someone came to wait meanwhile, and may have queued without
       * seeing the slot. */
      do
        {
          gasync_lock (&self->lock);
          task = hand_on_locked (self);
          gasync_unlock (&self->lock);
          if (task != NULL)
            finish_waiter (task, TRUE);
        }
      while (task != NULL);
      return;
    }

  gasync_lock (&self->lock);
  /* Nobody raises the count while the lock is held and someone waits:
   * whoever releases takes the lock then. */
  if (g_atomic_int_get (&self->available) == self->capacity)
    {
      gasync_unlock (&self->lock);
      released_too_many (self);
      return;
    }

  /* The slot goes straight to the first waiter: one wake-up, and no
   * thread that comes meanwhile can take it. */
  if (self->waiters.head != NULL)
    {
      task = g_queue_pop_head (&self->waiters);
      leave_waiting_locked (self);
    }
  else if (self->blocked.head != NULL)
    {
      Blocked *blocked = g_queue_pop_head_link (&self->blocked)->data;

      leave_waiting_locked (self);
      blocked->granted = TRUE;
      /* Under the lock: the waiter's condition lives on its stack until
       * it has seen the grant, which it looks at under the lock. */
      gasync_cond_signal (&blocked->cond);
    }
  else
    g_atomic_int_inc (&self->available);
  gasync_unlock (&self->lock);

  if (task != NULL)
    finish_waiter (task, TRUE);
}

/**
 * gasync_semaphore_release:
 * @self: a #GasyncSemaphore
 *
 * Gives back a slot taken with gasync_semaphore_acquire(),
 * gasync_semaphore_try_acquire() or gasync_semaphore_acquire_async(). The
 * slot goes straight to the longest-waiting gasync_semaphore_acquire_async()
 * caller first, else to the longest-blocked gasync_semaphore_acquire(),
 * so that no thread that comes meanwhile can take it. Releasing more
 * slots than were taken is a programming error: a critical is logged and
 * the count is left unchanged.
 *
 * Threading: may be called from any thread, not only the one that took
 * the slot.
 *
 * Since: 0.1
 */
void
gasync_semaphore_release (GasyncSemaphore *self)
{
  g_return_if_fail (GASYNC_IS_SEMAPHORE (self));

  release_slot (self);
}


/**
 * gasync_semaphore_acquire_async:
 * @self: a #GasyncSemaphore
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @callback: (scope async): called when a slot was taken or the wait was
 *   cancelled
 * @user_data: data for @callback
 *
 * Takes a slot of @self without blocking the calling thread: @callback is
 * called once a slot is taken for the caller, or @cancellable was
 * cancelled. Call gasync_semaphore_acquire_finish() from it. Waiters are
 * served in the order they called this function.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_semaphore_acquire_async (GasyncSemaphore     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncAcquire *waiter;
  gboolean acquired;
  gboolean queued = FALSE;

  g_return_if_fail (GASYNC_IS_SEMAPHORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gasync_semaphore_acquire_async);
  g_task_set_name (task, "[gasync] gasync_semaphore_acquire_async");
  /* A slot taken is the caller's, even if it cancels afterwards. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (gasync_semaphore_try_acquire (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Connected before queueing, so that the handler finds the task
   * whenever it can still be cancelled; a cancellation that came between
   * the check above and the connection is caught under the lock. */
  waiter = g_new0 (AsyncAcquire, 1);
  g_task_set_task_data (task, waiter, g_free);
  if (cancellable != NULL)
    {
      /* GObject's signal tables, behind a GLib lock TSan cannot see
       * (gasync-sync-private.h). */
      GASYNC_TSAN_IGNORE_BEGIN ();
      waiter->handler_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (waiter_cancelled),
                                                  task, NULL);
      GASYNC_TSAN_IGNORE_END ();
    }

  gasync_lock (&self->lock);
  acquired = enter_waiting_locked (self);
  if (!acquired)
    queued = !g_cancellable_is_cancelled (cancellable);
  if (queued)
    g_queue_push_tail (&self->waiters, g_object_ref (task));
  else if (!acquired)
    leave_waiting_locked (self);
  gasync_unlock (&self->lock);

  /* A queued task is completed by a release or by its cancellation. */
  if (!queued)
    finish_waiter (g_steal_pointer (&task), acquired);
}

/**
 * gasync_semaphore_acquire_finish:
 * @self: a #GasyncSemaphore
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_semaphore_acquire_async(). On success the caller holds
 * a slot and must give it back with gasync_semaphore_release().
 *
 * Returns: %TRUE if a slot was taken, %FALSE with %G_IO_ERROR_CANCELLED
 *   if the wait was cancelled first
 *
 * Since: 0.1
 */
gboolean
gasync_semaphore_acquire_finish (GasyncSemaphore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_SEMAPHORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gasync_semaphore_acquire_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Private: see gasync-semaphore-private.h. */

gboolean
gasync_semaphore_try_acquire_unchecked (GasyncSemaphore *self)
{
  return take_free_slot (self);
}

gboolean
gasync_semaphore_acquire_unchecked (GasyncSemaphore *self,
                                    GCancellable    *cancellable)
{
  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  return take_free_slot (self) || acquire_blocking (self, cancellable, NULL);
}

void
gasync_semaphore_hold (GasyncSemaphore *self)
{
  /* The first count takes the reference, from a caller that holds one;
   * the last gives it back. */
  if (g_atomic_int_add (&self->n_holds, 1) == 0)
    g_object_ref (self);
}

gpointer
gasync_semaphore_take_spare (GasyncSemaphore *self)
{
  /* Exchanges, not a list: no ABA problem. */
  for (guint i = 0; i < N_SPARES; i++)
    if (g_atomic_pointer_get (&self->spares[i]) != NULL)
      {
        gpointer spare = g_atomic_pointer_exchange (&self->spares[i], NULL);

        if (spare != NULL)
          return spare;
      }
  return NULL;
}

void
gasync_semaphore_release_held (GasyncSemaphore *self,
                               gpointer         spare)
{
  guint i;

  for (i = 0; i < N_SPARES; i++)
    if (g_atomic_pointer_compare_and_exchange (&self->spares[i], NULL, spare))
      break;
  if (i == N_SPARES)
    g_free (spare);

  release_slot (self);
  if (g_atomic_int_dec_and_test (&self->n_holds))
    g_object_unref (self);
}

void
gasync_semaphore_set_release_hook_for_testing (GasyncSemaphore            *self,
                                               GasyncSemaphoreReleaseHook  hook,
                                               gpointer                    data)
{
  self->release_hook = hook;
  self->release_hook_data = data;
}
