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

typedef GasyncEventLoopQueueItem Item;

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

struct _GasyncEventLoopQueue
{
  GasyncLock lock;
  int ref_count; /* atomic */
  GMainContext *context;
  /* Atomic: reserving is lock-free. A reservation fulfilled by a callback
   * is released under the lock, with the callback appended, so that the
   * loop never sees neither. */
  int n_reserved;

  /* Under the lock. */
  Item *head;
  Item *tail;
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

static void
items_free (GasyncEventLoopQueue *queue,
            Item                 *item)
{
  int n_refs = 0;

  while (item != NULL)
    {
      Item *next = item->next;

      n_refs += gasync_event_loop_queue_item_free (item);
      item = next;
    }
  gasync_event_loop_queue_unref_n (queue, n_refs);
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
  queue->ref_count = 1;
  queue->context = g_main_context_ref (context);
  queue->rejected = g_ptr_array_new_with_free_func (g_object_unref);
  queue->timeouts = g_hash_table_new (NULL, NULL);
  queue->timers = g_sequence_new (NULL);
  return queue;
}

GasyncEventLoopQueue *
gasync_event_loop_queue_ref (GasyncEventLoopQueue *queue)
{
  g_atomic_int_inc (&queue->ref_count);
  return queue;
}

static void
queue_free (GasyncEventLoopQueue *queue)
{
  g_assert (queue->closed);
  g_assert (queue->head == NULL);
  g_assert (g_hash_table_size (queue->timeouts) == 0);
  g_assert (queue->timer == NULL);
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
  /* Inline atomics, which TSan sees, unlike gatomicrefcount in GLib: the
   * last unref may come from any thread that used the lock. */
  if (g_atomic_int_dec_and_test (&queue->ref_count))
    queue_free (queue);
}

void
gasync_event_loop_queue_unref_n (GasyncEventLoopQueue *queue,
                                 int                   n)
{
  int old;

  if (n == 0)
    return;
  old = g_atomic_int_add (&queue->ref_count, -n);
  g_assert (old >= n);
  if (old == n)
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
  g_atomic_int_inc (&queue->n_reserved);
  return gasync_event_loop_queue_ref (queue);
}

void
gasync_event_loop_queue_drop (GasyncEventLoopQueue *queue,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  gasync_owner_destroy (queue->context, GASYNC_OWNER_NOW_IF_OWNER, destroy,
                        user_data);
}

/* Appends a callback under the lock; returns whether the loop must be
 * woken up. */
static gboolean
queue_append_locked (GasyncEventLoopQueue *queue,
                     Item                 *item,
                     gboolean              reserved)
{
  /* Only the first callback after the loop looked at an empty queue wakes
   * it: the ones that follow are taken in the same batch. (A loop that
   * waits only for reservations looks at the queue after each wake-up, so
   * the last reservation needs no wake-up of its own.) */
  gboolean wake = queue->head == NULL && !queue->draining;

  item->next = NULL;
  if (reserved)
    {
      g_assert (g_atomic_int_get (&queue->n_reserved) > 0);
      g_atomic_int_dec_and_test (&queue->n_reserved);
    }
  if (queue->head == NULL)
    queue->head = item;
  else
    queue->tail->next = item;
  queue->tail = item;
  return wake;
}

static void
queue_push_item (GasyncEventLoopQueue *queue,
                 Item                 *item,
                 gboolean              reserved)
{
  gboolean wake;

  gasync_lock (&queue->lock);
  if (queue->closed)
    {
      gasync_unlock (&queue->lock);
      gasync_event_loop_queue_drop (queue, item->user_data, item->destroy);
      if (item->release (item))
        gasync_event_loop_queue_unref (queue);
      return;
    }
  wake = queue_append_locked (queue, item, reserved);
  gasync_unlock (&queue->lock);

  if (wake)
    g_main_context_wakeup (queue->context);
}

static gboolean
item_release (Item *item)
{
  g_free (item);
  return FALSE;
}

static Item *
item_new (GasyncEventLoopQueueFunc func,
          gpointer                 user_data,
          GDestroyNotify           destroy)
{
  Item *item = g_new (Item, 1);

  item->func = func;
  item->user_data = user_data;
  item->destroy = destroy;
  item->release = item_release;
  return item;
}

/* Queues a callback that was not reserved. */
void
gasync_event_loop_queue_push (GasyncEventLoopQueue     *queue,
                              GasyncEventLoopQueueFunc  func,
                              gpointer                  user_data,
                              GDestroyNotify            destroy)
{
  queue_push_item (queue, item_new (func, user_data, destroy), FALSE);
}

/* Queues @item, made by the caller, fulfilling a reservation. */
void
gasync_event_loop_queue_push_reserved (GasyncEventLoopQueue *queue,
                                       Item                 *item)
{
  queue_push_item (queue, item, TRUE);
}

void
gasync_event_loop_queue_release (GasyncEventLoopQueue *queue)
{
  g_assert (g_atomic_int_get (&queue->n_reserved) > 0);
  /* The loop may be waiting only for this reservation. */
  if (g_atomic_int_dec_and_test (&queue->n_reserved))
    g_main_context_wakeup (queue->context);
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

GasyncEventLoopQueueItem *
gasync_event_loop_queue_steal (GasyncEventLoopQueue *queue,
                               gboolean              draining,
                               guint                *n_reserved)
{
  Item *items;

  gasync_lock (&queue->lock);
  items = g_steal_pointer (&queue->head);
  queue->tail = NULL;
  queue->draining = draining;
  if (n_reserved != NULL)
    *n_reserved = g_atomic_int_get (&queue->n_reserved);
  gasync_unlock (&queue->lock);
  return items;
}

void
gasync_event_loop_queue_discard (GasyncEventLoopQueue *queue)
{
  items_free (queue, gasync_event_loop_queue_steal (queue, FALSE, NULL));
}

gboolean
gasync_event_loop_queue_has_items (GasyncEventLoopQueue *queue)
{
  gboolean has_items;

  gasync_lock (&queue->lock);
  has_items = queue->head != NULL;
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
  idle = queue->head == NULL;
  done = idle && g_atomic_int_get (&queue->n_reserved) == 0;
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
  return g_atomic_int_get (&queue->n_reserved);
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
  gasync_event_loop_queue_release (queue);
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
      wake |= queue_append_locked (queue,
                                   item_new (timeout->func, timeout->user_data,
                                             timeout->destroy),
                                   TRUE);
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
  g_atomic_int_inc (&queue->n_reserved);
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
