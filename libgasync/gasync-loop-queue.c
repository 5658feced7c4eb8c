/* gasync-loop-queue.c: the event loop's queue, below the loop, its
 * pending callbacks and its futures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-loop-queue-private.h"
#include "gasync-owner-private.h"
#include "gasync-source-private.h"
#include "gasync-sync-private.h"

typedef GasyncEventLoopQueueCall Call;
typedef GasyncEventLoopQueueBatch Batch;

/* A timeout waits in the queue's timer list, ordered by deadline and then
 * by id (the order the timeouts were set in), until the timer source moves
 * it to the queue. */
typedef struct
{
  guint id;
  gint64 deadline;
  GSequenceIter *iter;
  GasyncEventLoopQueueFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} Timeout;

/* The queue's counts, in one atomic word, so that a reservation and the
 * reference that goes with it cost one atomic instruction: the
 * references in the low half, the reservations made so far (wrapping
 * around) in the high half. */
#define COUNT_REF G_GUINT64_CONSTANT (1)
#define COUNT_RESERVATION (G_GUINT64_CONSTANT (1) << 32)

struct _GasyncEventLoopQueue
{
  GasyncLock lock;
  /* Atomic (inline atomics, which TSan sees, unlike gatomicrefcount in
   * GLib: the last unref may come from any thread that used the lock).
   * Reserving is lock-free; the reservations settled, fulfilled or
   * released, are counted under the lock in @n_settled, and the ones
   * pending are the difference (both wrap around). A callback fulfilling
   * one is counted under the lock with the callback appended, so that
   * the loop never sees neither, and without an atomic instruction of its
   * own. */
  guint64 counts;
  guint n_settled;
  GMainContext *context;

  /* Under the lock. */
  Batch calls;
  gboolean closed;
  /* The loop took a batch and will look at the queue again before it
   * sleeps: what is pushed meanwhile needs no wake-up. */
  gboolean draining;
  GPtrArray *rejected;
  GHashTable *timeouts; /* id -> Timeout */
  GSequence *timers; /* of Timeout, soonest first */
  GSource *timer; /* created by the first timeout */
  guint last_timeout_id;
};

/* The smallest array, and the size above which an array that held only
 * an eighth of its calls is freed rather than kept (see
 * gasync_event_loop_queue_batch_done()): a burst must not keep its memory
 * for the life of the loop. */
#define MIN_CALLS 32
#define KEEP_CALLS 4096

/* Under the lock. */
static guint
queue_get_n_reserved_locked (GasyncEventLoopQueue *queue)
{
  return (guint) (__atomic_load_n (&queue->counts, __ATOMIC_ACQUIRE) >> 32) -
         queue->n_settled;
}

static void
calls_run_destroy (Batch *batch)
{
  for (guint i = 0; i < batch->len; i++)
    if (batch->calls[i].destroy != NULL)
      batch->calls[i].destroy (batch->calls[i].user_data);
  batch->len = 0;
}

static int
timeout_compare (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const Timeout *ta = a, *tb = b;

  if (ta->deadline != tb->deadline)
    return ta->deadline < tb->deadline ? -1 : 1;
  return ta->id < tb->id ? -1 : ta->id > tb->id;
}

GasyncEventLoopQueue *
gasync_event_loop_queue_new (GMainContext *context)
{
  GasyncEventLoopQueue *queue = g_new0 (GasyncEventLoopQueue, 1);

  gasync_lock_init (&queue->lock);
  queue->counts = COUNT_REF;
  queue->context = g_main_context_ref (context);
  queue->rejected = g_ptr_array_new_with_free_func (g_object_unref);
  queue->timeouts = g_hash_table_new (NULL, NULL);
  queue->timers = g_sequence_new (NULL);
  return queue;
}

GasyncEventLoopQueue *
gasync_event_loop_queue_ref (GasyncEventLoopQueue *queue)
{
  __atomic_fetch_add (&queue->counts, COUNT_REF, __ATOMIC_RELAXED);
  return queue;
}

static void
queue_free (GasyncEventLoopQueue *queue)
{
  g_assert (queue->closed);
  g_assert (queue->calls.len == 0);
  g_assert (g_hash_table_size (queue->timeouts) == 0);
  g_assert (queue->timer == NULL);
  gasync_event_loop_queue_batch_clear (&queue->calls);
  g_hash_table_unref (queue->timeouts);
  g_sequence_free (queue->timers);
  g_ptr_array_unref (queue->rejected);
  g_main_context_unref (queue->context);
  gasync_lock_clear (&queue->lock);
  g_free (queue);
}

void
gasync_event_loop_queue_unref (GasyncEventLoopQueue *queue)
{
  guint64 old = __atomic_fetch_sub (&queue->counts, COUNT_REF, __ATOMIC_ACQ_REL);

  g_assert ((guint32) old > 0);
  if ((guint32) old == 1)
    queue_free (queue);
}

GMainContext *
gasync_event_loop_queue_get_context (GasyncEventLoopQueue *queue)
{
  return queue->context;
}

GasyncEventLoopQueue *
gasync_event_loop_queue_reserve (GasyncEventLoopQueue *queue)
{
  __atomic_fetch_add (&queue->counts, COUNT_RESERVATION | COUNT_REF,
                      __ATOMIC_SEQ_CST);
  return queue;
}

void
gasync_event_loop_queue_drop (GasyncEventLoopQueue *queue,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  gasync_owner_destroy (queue->context, GASYNC_OWNER_NOW_IF_OWNER, destroy,
                        user_data);
}

/* Out of line: the arrays keep their size from one batch to the next. */
static G_GNUC_NO_INLINE void
calls_grow (Batch *batch)
{
  batch->size = MAX (MIN_CALLS, batch->size * 2);
  batch->calls = g_renew (Call, batch->calls, batch->size);
}

static inline void
call_set (Call                     *call,
          GasyncEventLoopQueueFunc  func,
          gpointer                  user_data,
          GDestroyNotify            destroy)
{
  call->func = func;
  call->user_data = user_data;
  call->destroy = destroy;
}

/* Under the lock: settles the reservation whose flag is *@settled, unless
 * it was settled already (FALSE). */
static inline gboolean
settle_locked (gboolean *settled)
{
  if (*settled)
    return FALSE;
  *settled = TRUE;
  return TRUE;
}

/* Appends a callback under the lock; returns whether the loop must be
 * woken up. */
static inline gboolean
queue_append_locked (GasyncEventLoopQueue     *queue,
                     GasyncEventLoopQueueFunc  func,
                     gpointer                  user_data,
                     GDestroyNotify            destroy,
                     gboolean                  reserved)
{
  /* Only the first callback after the loop looked at an empty queue wakes
   * it: the ones that follow are taken in the same batch. (A loop that
   * waits only for reservations looks at the queue after each wake-up, so
   * the last reservation needs no wake-up of its own.) */
  gboolean wake = queue->calls.len == 0 && !queue->draining;

  if (reserved)
    {
      g_assert (queue_get_n_reserved_locked (queue) > 0);
      queue->n_settled++;
    }
  if (G_UNLIKELY (queue->calls.len == queue->calls.size))
    calls_grow (&queue->calls);
  call_set (&queue->calls.calls[queue->calls.len++], func, user_data,
            destroy);
  return wake;
}

/* The rest of queue_push(), out of line, with the lock held: a settled
 * reservation, a closed queue or a full array. */
static G_GNUC_NO_INLINE gboolean
queue_push_slow (GasyncEventLoopQueue     *queue,
                 gboolean                 *settled,
                 GasyncEventLoopQueueFunc  func,
                 gpointer                  user_data,
                 GDestroyNotify            destroy)
{
  gboolean wake;

  if (settled != NULL && !settle_locked (settled))
    {
      gasync_unlock (&queue->lock);
      return FALSE;
    }
  if (queue->closed)
    {
      gasync_unlock (&queue->lock);
      gasync_event_loop_queue_drop (queue, user_data, destroy);
      return TRUE;
    }
  wake = queue_append_locked (queue, func, user_data, destroy,
                              settled != NULL);
  gasync_unlock (&queue->lock);

  if (wake)
    g_main_context_wakeup (queue->context);
  return TRUE;
}

/* Queues a callback, fulfilling the reservation whose flag is *@settled
 * if that is not NULL; returns FALSE if it was settled already. The usual
 * case, inline, appends to an array with room left. */
static inline gboolean
queue_push (GasyncEventLoopQueue     *queue,
            gboolean                 *settled,
            GasyncEventLoopQueueFunc  func,
            gpointer                  user_data,
            GDestroyNotify            destroy)
{
  guint len;

  gasync_lock (&queue->lock);
  len = queue->calls.len;
  if (G_UNLIKELY ((settled != NULL && *settled) || queue->closed ||
                  len == queue->calls.size))
    return queue_push_slow (queue, settled, func, user_data, destroy);
  if (settled != NULL)
    {
      *settled = TRUE;
      queue->n_settled++;
    }
  queue->calls.len = len + 1;
  call_set (&queue->calls.calls[len], func, user_data, destroy);
  /* See queue_append_locked(). */
  if (G_LIKELY (len > 0 || queue->draining))
    {
      gasync_unlock (&queue->lock);
      return TRUE;
    }
  gasync_unlock (&queue->lock);
  g_main_context_wakeup (queue->context);
  return TRUE;
}

/* Queues a callback that was not reserved. */
void
gasync_event_loop_queue_push (GasyncEventLoopQueue     *queue,
                              GasyncEventLoopQueueFunc  func,
                              gpointer                  user_data,
                              GDestroyNotify            destroy)
{
  queue_push (queue, NULL, func, user_data, destroy);
}

gboolean
gasync_event_loop_queue_push_reserved (GasyncEventLoopQueue     *queue,
                                       gboolean                 *settled,
                                       GasyncEventLoopQueueFunc  func,
                                       gpointer                  user_data,
                                       GDestroyNotify            destroy)
{
  return queue_push (queue, settled, func, user_data, destroy);
}

gboolean
gasync_event_loop_queue_release (GasyncEventLoopQueue *queue,
                                 gboolean             *settled)
{
  gboolean wake;

  gasync_lock (&queue->lock);
  if (settled != NULL && !settle_locked (settled))
    {
      gasync_unlock (&queue->lock);
      return FALSE;
    }
  g_assert (queue_get_n_reserved_locked (queue) > 0);
  queue->n_settled++;
  wake = queue_get_n_reserved_locked (queue) == 0;
  gasync_unlock (&queue->lock);
  /* The loop may be waiting only for this reservation. */
  if (wake)
    g_main_context_wakeup (queue->context);
  return TRUE;
}

void
gasync_event_loop_queue_add_rejection (GasyncEventLoopQueue *queue,
                                       gpointer              future)
{
  gasync_lock (&queue->lock);
  if (!queue->closed)
    g_ptr_array_add (queue->rejected, g_object_ref (future));
  gasync_unlock (&queue->lock);
}

gboolean
gasync_event_loop_queue_steal (GasyncEventLoopQueue *queue,
                               gboolean              draining,
                               guint                *n_reserved,
                               Batch                *batch)
{
  Batch taken;

  g_assert (batch->len == 0);
  gasync_lock (&queue->lock);
  taken = queue->calls;
  queue->calls = *batch;
  queue->draining = draining;
  if (n_reserved != NULL)
    *n_reserved = queue_get_n_reserved_locked (queue);
  gasync_unlock (&queue->lock);
  *batch = taken;
  return taken.len > 0;
}

void
gasync_event_loop_queue_batch_done (Batch *batch)
{
  if (G_UNLIKELY (batch->size > KEEP_CALLS && batch->len < batch->size / 8))
    gasync_event_loop_queue_batch_clear (batch);
  batch->len = 0;
}

void
gasync_event_loop_queue_batch_clear (Batch *batch)
{
  g_clear_pointer (&batch->calls, g_free);
  batch->len = 0;
  batch->size = 0;
}

void
gasync_event_loop_queue_discard (GasyncEventLoopQueue *queue)
{
  Batch batch = { 0 };

  gasync_event_loop_queue_steal (queue, FALSE, NULL, &batch);
  calls_run_destroy (&batch);
  gasync_event_loop_queue_batch_clear (&batch);
}

gboolean
gasync_event_loop_queue_has_items (GasyncEventLoopQueue *queue)
{
  gboolean has_items;

  gasync_lock (&queue->lock);
  has_items = queue->calls.len > 0;
  if (!has_items)
    queue->draining = FALSE;
  gasync_unlock (&queue->lock);
  return has_items;
}

void
gasync_event_loop_queue_stop_draining (GasyncEventLoopQueue *queue)
{
  gasync_lock (&queue->lock);
  queue->draining = FALSE;
  gasync_unlock (&queue->lock);
}

gboolean
gasync_event_loop_queue_poll_idle (GasyncEventLoopQueue  *queue,
                                   GPtrArray            **rejected)
{
  gboolean idle, done;

  *rejected = NULL;
  gasync_lock (&queue->lock);
  idle = queue->calls.len == 0;
  done = idle && queue_get_n_reserved_locked (queue) == 0;
  if (idle && queue->rejected->len > 0)
    {
      *rejected = g_steal_pointer (&queue->rejected);
      queue->rejected = g_ptr_array_new_with_free_func (g_object_unref);
    }
  gasync_unlock (&queue->lock);
  return done;
}

guint
gasync_event_loop_queue_get_n_reserved (GasyncEventLoopQueue *queue)
{
  guint n_reserved;

  gasync_lock (&queue->lock);
  n_reserved = queue_get_n_reserved_locked (queue);
  gasync_unlock (&queue->lock);
  return n_reserved;
}

void
gasync_event_loop_queue_clear_rejections (GasyncEventLoopQueue *queue)
{
  gasync_lock (&queue->lock);
  g_ptr_array_set_size (queue->rejected, 0);
  gasync_unlock (&queue->lock);
}

/* Arms the timer for the soonest timeout, under the lock. */
static void
queue_arm_timer_locked (GasyncEventLoopQueue *queue)
{
  GSequenceIter *first = g_sequence_get_begin_iter (queue->timers);

  if (queue->timer != NULL)
    g_source_set_ready_time (queue->timer,
                             g_sequence_iter_is_end (first)
                               ? -1
                               : ((Timeout *) g_sequence_get (first))->deadline);
}

/* Releases the reservation of a timeout taken out of the lists and drops
 * its callback. */
static void
timeout_drop (GasyncEventLoopQueue *queue,
              Timeout              *timeout)
{
  gasync_event_loop_queue_release (queue, NULL);
  gasync_event_loop_queue_drop (queue, timeout->user_data, timeout->destroy);
  g_free (timeout);
}

void
gasync_event_loop_queue_clear_timeouts (GasyncEventLoopQueue *queue)
{
  g_autoptr(GList) timeouts = NULL;

  gasync_lock (&queue->lock);
  timeouts = g_hash_table_get_values (queue->timeouts);
  g_hash_table_remove_all (queue->timeouts);
  g_sequence_remove_range (g_sequence_get_begin_iter (queue->timers),
                           g_sequence_get_end_iter (queue->timers));
  queue_arm_timer_locked (queue);
  gasync_unlock (&queue->lock);

  for (GList *l = timeouts; l != NULL; l = l->next)
    timeout_drop (queue, l->data);
}

/* The queue's one timer: when it fires, every timeout that is due joins the
 * queue, soonest deadline first (as in JavaScript engines, not in the
 * order the timeouts were set), fulfilling its reservation. */
typedef struct
{
  GSource source;
  GasyncEventLoopQueue *queue;
} TimerSource;

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  GasyncEventLoopQueue *queue = ((TimerSource *) source)->queue;
  gint64 now = g_source_get_time (source);
  gboolean wake = FALSE;

  gasync_lock (&queue->lock);
  while (!g_sequence_is_empty (queue->timers))
    {
      GSequenceIter *first = g_sequence_get_begin_iter (queue->timers);
      Timeout *timeout = g_sequence_get (first);

      if (timeout->deadline > now)
        break;
      g_sequence_remove (first);
      g_hash_table_remove (queue->timeouts, GUINT_TO_POINTER (timeout->id));
      wake |= queue_append_locked (queue, timeout->func, timeout->user_data,
                                   timeout->destroy, TRUE);
      g_free (timeout);
    }
  queue_arm_timer_locked (queue);
  gasync_unlock (&queue->lock);

  if (wake)
    g_main_context_wakeup (queue->context);
  return G_SOURCE_CONTINUE;
}

static void
timer_source_finalize (GSource *source)
{
  gasync_event_loop_queue_unref (((TimerSource *) source)->queue);
}

static const GSourceFuncs timer_source_funcs = {
  NULL, NULL,
  timer_source_dispatch,
  timer_source_finalize,
  NULL, NULL,
};

guint
gasync_event_loop_queue_add_timeout (GasyncEventLoopQueue     *queue,
                                     gint64                    deadline,
                                     GasyncEventLoopQueueFunc  func,
                                     gpointer                  user_data,
                                     GDestroyNotify            destroy)
{
  Timeout *timeout = g_new0 (Timeout, 1);
  guint id;

  timeout->deadline = deadline;
  timeout->func = func;
  timeout->user_data = user_data;
  timeout->destroy = destroy;

  gasync_lock (&queue->lock);
  do
    timeout->id = ++queue->last_timeout_id;
  while (timeout->id == 0 || g_hash_table_contains (queue->timeouts, GUINT_TO_POINTER (timeout->id)));
  id = timeout->id;
  g_hash_table_insert (queue->timeouts, GUINT_TO_POINTER (timeout->id), timeout);
  timeout->iter = g_sequence_insert_sorted (queue->timers, timeout, timeout_compare, NULL);
  __atomic_fetch_add (&queue->counts, COUNT_RESERVATION, __ATOMIC_SEQ_CST);
  if (queue->timer == NULL)
    {
      queue->timer = g_source_new ((GSourceFuncs *) &timer_source_funcs,
                                   sizeof (TimerSource));
      ((TimerSource *) queue->timer)->queue = gasync_event_loop_queue_ref (queue);
      g_source_set_static_name (queue->timer, "[gasync] event loop timer");
      g_source_set_ready_time (queue->timer, -1);
      gasync_source_attach (queue->timer, queue->context);
    }
  /* Armed under the lock, so that the timer cannot miss the new deadline. */
  queue_arm_timer_locked (queue);
  gasync_unlock (&queue->lock);

  return id;
}

gboolean
gasync_event_loop_queue_remove_timeout (GasyncEventLoopQueue *queue,
                                        guint                 id)
{
  Timeout *timeout;

  gasync_lock (&queue->lock);
  timeout = g_hash_table_lookup (queue->timeouts, GUINT_TO_POINTER (id));
  if (timeout != NULL)
    {
      g_hash_table_remove (queue->timeouts, GUINT_TO_POINTER (id));
      g_sequence_remove (timeout->iter);
      queue_arm_timer_locked (queue);
    }
  gasync_unlock (&queue->lock);

  if (timeout == NULL)
    return FALSE;

  timeout_drop (queue, timeout);
  return TRUE;
}

void
gasync_event_loop_queue_close (GasyncEventLoopQueue *queue)
{
  GSource *timer;

  gasync_event_loop_queue_clear_timeouts (queue);
  gasync_lock (&queue->lock);
  queue->closed = TRUE;
  g_ptr_array_set_size (queue->rejected, 0);
  timer = g_steal_pointer (&queue->timer);
  gasync_unlock (&queue->lock);
  if (timer != NULL)
    {
      g_source_destroy (timer);
      g_source_unref (timer);
    }
  gasync_event_loop_queue_discard (queue);
}
