/* gasync-work-queue.c: a bounded queue of work items and parallel workers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-work-queue
 * @title: GasyncWorkQueue
 * @short_description: a bounded queue of work items processed in parallel
 *
 * A #GasyncWorkQueue (Go blend's `async.Queue`) holds at most
 * #GasyncWorkQueue:max-work items and processes them with
 * #GasyncWorkQueue:parallelism workers, each item exactly once. Producers
 * use gasync_work_queue_enqueue(), which blocks while the queue is full,
 * or gasync_work_queue_try_enqueue(), which refuses with
 * %GASYNC_ERROR_THROTTLED instead. gasync_work_queue_close() refuses new
 * items, lets the queued ones run for #GasyncWorkQueue:shutdown-grace-period,
 * then cancels the running ones and discards the rest: it says how many
 * and hands the discarded items back (or frees them). Nothing accepted is
 * lost silently: every item is processed exactly once or discarded.
 *
 * As Go blend's queue, a queue can also be stopped and started again:
 * gasync_work_queue_stop() (or gasync_work_queue_stop_async()) processes
 * the items queued when it is called, waits for the running ones and
 * leaves the queue ready for gasync_work_queue_start(). Items enqueued
 * meanwhile are kept for the next start. Close is final.
 *
 * Items are #GObjects for bindings; C may also queue plain pointers with
 * gasync_work_queue_new_for_pointers(). Items that fail are reported with
 * the #GasyncWorkQueue::error signal (a warning when nothing handles it;
 * a cancelled item is no failure). Each item is freed (unreferenced, or
 * given to the item free function) once, on the owner context, after it
 * was processed or discarded, as #GasyncWorker does; a queue that refuses
 * an item takes nothing, and the caller keeps it.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * resize_image (GObject *item, GCancellable *cancellable,
 *               gpointer user_data, GError **error)
 * {
 *   return my_image_resize (MY_IMAGE (item), cancellable, error);
 * }
 *
 * queue = gasync_work_queue_new (resize_image, NULL, NULL);
 * gasync_work_queue_start (queue, NULL);
 * for (guint i = 0; i < images->len; i++)
 *   gasync_work_queue_enqueue (queue, images->pdata[i], NULL, NULL);
 * n_lost = gasync_work_queue_close (queue, NULL, NULL);
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync, Gio
 *
 * done = []
 *
 *
 * def upload(item, cancellable):
 *     done.append(item.get_basename())  # pool threads, 2 at a time
 *     return True
 *
 *
 * queue = Gasync.WorkQueue.new(upload)
 * queue.props.parallelism = 2
 * queue.props.max_work = 8  # enqueue() waits while 8 items are queued
 * queue.start()
 * for i in range(20):
 *     assert queue.enqueue(Gio.File.new_for_path('/tmp/photo-%d.jpg' % i), None)
 * n_discarded, discarded = queue.close(None)  # runs what is queued, then stops
 * assert n_discarded == 0 and len(done) == 20
 * ]|
 *
 * In JavaScript, with a main-context queue:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.WorkQueue.prototype, 'close_async', 'close_finish');
 *
 * const done = [];
 * // A main-context queue begins each item on the main loop; the item counts
 * // until its token ends.
 * const queue = Gasync.WorkQueue.new_for_main_context((file, token) => {
 *     GLib.timeout_add(GLib.PRIORITY_DEFAULT, 1, () => {
 *         done.push(file.get_basename());
 *         token.end();
 *         return GLib.SOURCE_REMOVE;
 *     });
 *     return true;
 * });
 * queue.parallelism = 2;
 * queue.start();
 * for (let i = 0; i < 20; i++) {
 *     if (!queue.try_enqueue(Gio.File.new_for_path(`/tmp/photo-${i}.jpg`)))
 *         throw new Error('the queue is full');
 * }
 * const [nDiscarded] = await queue.close_async(null);
 * if (nDiscarded !== 0 || done.length !== 20)
 *     throw new Error(`${nDiscarded} discarded, ${done.length} done`);
 * ]|
 *
 * The main-context form, gasync_work_queue_new_for_main_context(), is for
 * JavaScript: its #GasyncWorkBeginFunc runs on the owner's main context
 * and begins asynchronous work that ends with a #GasyncTaskToken; at most
 * #GasyncWorkQueue:parallelism items are in flight at a time. The
 * cancellable it gets is cancelled on the owner context too, whichever
 * thread closes the queue, so a JavaScript `cancelled` handler runs.
 *
 * Threading: starting, enqueueing, stopping and closing may be done from
 * any thread (the blocking stop and close not where they would wait for
 * themselves: see gasync_work_queue_stop()). Work functions run on the
 * queue's own worker threads (one per unit of parallelism, new ones at
 * each start); begin functions, signals and the destroy notify run on the
 * owner context, the thread-default main context of the thread that
 * created the queue.
 *
 * Lifetime: close the queue before dropping the last reference. If you do
 * not, dispose closes it: a threaded queue blocks there for the grace
 * period, as gasync_work_queue_close() does (do not drop it in one of its
 * own work functions, which cannot wait for themselves: that is a critical
 * and leaks the queue). Neither its threads nor the owner context keep a
 * started queue alive, but in the main-context form each item in flight
 * holds a reference until its token ends: the queue is disposed once the
 * last of them has ended, and the items still queued then are discarded
 * (freed) at once, since only the owner context could begin them. Either
 * way the destroy notify runs once, when the queue is finalized.
 */

/**
 * GasyncWorkQueue:
 *
 * A bounded queue of work items processed by parallel workers.
 *
 * Since: 0.1
 */

#include "config.h"

#include <string.h>

#include "gasync-work-queue-private.h"
#include "gasync-gtask-private.h"
#include "gasync-leak-private.h"
#include "gasync-lifecycle-private.h"
#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-property-private.h"
#include "gasync-source-private.h"
#include "gasync-sync-private.h"
#include "gasync-task-token-private.h"

typedef enum
{
  MODE_OBJECTS,
  MODE_POINTERS,
  MODE_MAIN_CONTEXT,
} Mode;

/* NEW and STOPPED may start; STARTED may stop (to STOPPING, then
 * STOPPED) or close; CLOSING and CLOSED are final. */
typedef enum
{
  STATE_NEW,
  STATE_STARTED,
  STATE_STOPPING,
  STATE_STOPPED,
  STATE_CLOSING,
  STATE_CLOSED,
} State;

struct _GasyncWorkQueue
{
  GObject parent_instance;

  /* Guards everything below up to the settings. */
  GasyncLock lock;
  GasyncCond not_empty;
  GasyncCond not_full;
  GasyncCond idle;
  gpointer *ring; /* grows up to max_work */
  guint ring_size;
  guint head;
  guint n_queued;
  guint n_in_flight;
  guint n_waiting_workers;
  guint n_waiting_producers;
  guint n_waiting_workers_producing; /* work functions waiting to enqueue */
  State state;
  gboolean aborting;
  int started; /* atomic */
  guint drain_left;         /* items a stop still takes from the queue */
  guint n_running_threads;  /* worker threads of the run, until they exit */
  guint64 run;              /* counts the starts */
  guint64 run_stopped;      /* the last run that stopped */

  /* Settings: fixed once the queue starts (or has items). */
  guint parallelism;
  guint max_work;
  GTimeSpan grace_period; /* guarded by the lock */
  GasyncInterceptor *interceptor;

  Mode mode;
  union {
    GasyncWorkFunc objects;
    GasyncWorkPointerFunc pointers;
    GasyncWorkBeginFunc begin;
  } func;
  gpointer user_data;
  GDestroyNotify destroy;
  GDestroyNotify item_free;
  gboolean borrowed_items;
  GasyncWorkQueueErrorFunc error_func;
  gpointer error_data;

  GMainContext *owner;
  GCancellable *cancellable;
  GThread **threads;
  GSource *pump;

  char *name; /* guarded by the lock */
};

enum {
  PROP_0,
  PROP_PARALLELISM,
  PROP_MAX_WORK,
  PROP_SHUTDOWN_GRACE_PERIOD,
  PROP_INTERCEPTOR,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (GasyncWorkQueue, gasync_work_queue, G_TYPE_OBJECT)

/* The queue whose worker thread this is, to catch a close from a work
 * function: it would wait for its own thread. */
static _Thread_local GasyncWorkQueue *current_queue;

/* "Work queue “thumbnails”" or "Work queue 0x…", for log lines. */
static char *
describe_locked (GasyncWorkQueue *self)
{
  return gasync_describe ("Work queue", self->name, self);
}

static char *
describe (GasyncWorkQueue *self)
{
  char *label;

  gasync_lock (&self->lock);
  label = describe_locked (self);
  gasync_unlock (&self->lock);
  return label;
}

/* Takes @error. Runs in the thread that processed the item. */
static void
report_error (GasyncWorkQueue *self,
              gpointer         item,
              GError          *error)
{
  if (self->error_func != NULL)
    {
      self->error_func (self->mode != MODE_POINTERS ? item : NULL, error,
                        self->error_data);
      g_error_free (error);
      return;
    }
  /* Cancelled is not failed (the contract). */
  if (gasync_error_is_cancelled (error))
    {
      g_error_free (error);
      return;
    }

  gasync_owner_emit_error (self->owner, GASYNC_OWNER_QUEUE, self,
                           signals[SIGNAL_ERROR], GASYNC_OWNER_ARG_OBJECT,
                           self->mode != MODE_POINTERS ? item : NULL, error,
                           "an item");
}

static void keep_item (gpointer item);

/* Frees @item, processed or discarded, on the owner context, as
 * GasyncWorker does: in order, with one wake-up of the owner context per
 * batch. */
static void
release_item (GasyncWorkQueue *self,
              gpointer         item)
{
  if (self->item_free == keep_item)
    return;
  if (self->borrowed_items)
    self->item_free (item);
  else
    gasync_owner_destroy (self->owner, GASYNC_OWNER_QUEUE, self->item_free,
                          item);
}

/* Called with the lock held and the ring full: doubles it, up to
 * max-work, so that a large bound costs memory only when it is used.
 * Out of line, as the rare path of push_locked(). */
static G_NO_INLINE void
grow_ring_locked (GasyncWorkQueue *self)
{
  guint size = MIN (MAX (self->ring_size * 2, 64), self->max_work);
  gpointer *ring = g_new (gpointer, size);

  /* Oldest first: from the head to the end of the old ring, then what
   * wrapped around to its start. */
  if (self->n_queued > 0)
    {
      guint tail = MIN (self->n_queued, self->ring_size - self->head);

      memcpy (ring, self->ring + self->head, tail * sizeof (gpointer));
      memcpy (ring + tail, self->ring, (self->n_queued - tail) * sizeof (gpointer));
    }
  g_free (self->ring);
  self->ring = ring;
  self->ring_size = size;
  self->head = 0;
}

/* Called with the lock held. Always inlined: an enqueue is the queue's
 * hot path, and a call here costs more than the push itself (left to
 * itself, GCC keeps it out of line once enqueue() is inlined in several
 * callers). */
static inline G_ALWAYS_INLINE void
push_locked (GasyncWorkQueue *self,
             gpointer         item)
{
  if (self->n_queued == self->ring_size)
    grow_ring_locked (self);
  self->ring[(self->head + self->n_queued) % self->ring_size] = item;
  self->n_queued++;

  if (self->n_waiting_workers > 0)
    gasync_cond_signal (&self->not_empty);
  if (self->pump != NULL && self->n_in_flight < self->parallelism)
    g_source_set_ready_time (self->pump, 0);
}

/* Called with the lock held: whether a worker (or the pump) may take the
 * next item. A stopping queue takes only the items that were queued when
 * the stop began. */
static gboolean
may_take_locked (GasyncWorkQueue *self)
{
  if (self->aborting || self->n_queued == 0)
    return FALSE;

  switch (self->state)
    {
    case STATE_STARTED:
    case STATE_CLOSING:
      return TRUE;
    case STATE_STOPPING:
      return self->drain_left > 0;
    case STATE_NEW:
    case STATE_STOPPED:
    case STATE_CLOSED:
    default:
      return FALSE;
    }
}

/* Called with the lock held: the run is over, the queue may start again. */
static void
stopped_locked (GasyncWorkQueue *self)
{
  g_assert (self->state == STATE_STOPPING);

  self->state = STATE_STOPPED;
  self->run_stopped = self->run;
  gasync_leak_untrack (self);
  gasync_cond_broadcast (&self->idle);
}

/* Called with the lock held and an item queued; counts it in flight. */
static gpointer
pop_locked (GasyncWorkQueue *self)
{
  gpointer item = self->ring[self->head];

  self->head = (self->head + 1) % self->ring_size;
  self->n_queued--;
  self->n_in_flight++;
  if (self->n_waiting_producers > 0)
    gasync_cond_signal (&self->not_full);
  /* A work function that waits to enqueue now waits for nothing: see
   * enqueue(). */
  if (self->state == STATE_STOPPING && --self->drain_left == 0 &&
      self->n_waiting_workers_producing > 0)
    gasync_cond_broadcast (&self->not_full);
  return item;
}

/* Called with the lock held when an item is no longer in flight. */
static void
item_done_locked (GasyncWorkQueue *self)
{
  self->n_in_flight--;
  if (self->state >= STATE_CLOSING && self->n_in_flight == 0 &&
      (self->n_queued == 0 || self->aborting))
    gasync_cond_broadcast (&self->idle);
  /* Worker threads end a threaded run themselves (worker_thread()). */
  if (self->state == STATE_STOPPING && self->mode == MODE_MAIN_CONTEXT &&
      self->n_in_flight == 0 && self->drain_left == 0)
    stopped_locked (self);
  if (self->pump != NULL && may_take_locked (self))
    g_source_set_ready_time (self->pump, 0);
}

typedef struct
{
  GasyncWorkQueue *self;
  gpointer item;
} Work;

static gboolean
work_task_func (GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  Work *work = user_data;
  GasyncWorkQueue *self = work->self;

  if (self->mode == MODE_OBJECTS)
    return self->func.objects (work->item, cancellable, self->user_data, error);
  return self->func.pointers (work->item, cancellable, self->user_data, error);
}

static void
process_item (GasyncWorkQueue *self,
              gpointer         item)
{
  Work work = { self, item };
  GError *error = NULL;
  gboolean ok;

  if (self->interceptor != NULL)
    ok = gasync_interceptor_call (self->interceptor, "work item",
                                  self->cancellable, work_task_func, &work,
                                  &error);
  else
    ok = gasync_task_func_call (work_task_func, "work item",
                                self->cancellable, &work, &error);
  if (!ok)
    report_error (self, item, error);
  release_item (self, item);
}

/* Called with the lock held: whether a worker thread stops waiting for
 * an item. */
static gboolean
worker_may_go_on (gpointer data)
{
  GasyncWorkQueue *self = data;

  return self->n_queued != 0 || self->state != STATE_STARTED;
}

static gpointer
worker_thread (gpointer data)
{
  GasyncWorkQueue *self = data;

  current_queue = self;
  gasync_lock (&self->lock);
  for (;;)
    {
      gpointer item;

      /* gasync_wait() would return at once too, but the count around it
       * would cost every item: count only a worker that waits. */
      if (!worker_may_go_on (self))
        {
          self->n_waiting_workers++;
          gasync_wait (&self->lock, &self->not_empty, worker_may_go_on, self,
                       G_MAXINT64, NULL, NULL);
          self->n_waiting_workers--;
        }
      if (!may_take_locked (self))
        break;

      item = pop_locked (self);
      gasync_unlock (&self->lock);
      process_item (self, item);
      gasync_lock (&self->lock);
      item_done_locked (self);
    }
  /* The last thread of a stopping run ends it; its threads are joined by
   * whoever starts, stops or closes the queue next. */
  if (--self->n_running_threads == 0 && self->state == STATE_STOPPING)
    stopped_locked (self);
  gasync_unlock (&self->lock);
  return NULL;
}

/* Main-context form: an item in flight until its token ends. The item
 * holds a reference to the queue until then, so that a queue dropped
 * while items are in flight is disposed (and closed) once they end. */
static void
token_ended (GasyncTaskToken *token,
             gpointer         user_data)
{
  Work *work = user_data;
  GasyncWorkQueue *self = g_steal_pointer (&work->self);

  release_item (self, g_steal_pointer (&work->item));
  gasync_lock (&self->lock);
  item_done_locked (self);
  gasync_unlock (&self->lock);
  /* At once: deferred, it would let the pump begin the next item. */
  g_object_unref (self);
}

static void
begin_item (GasyncWorkQueue *self,
            gpointer         item)
{
  g_autoptr(GasyncTaskToken) token = NULL;
  Work *work = g_new (Work, 1);
  GError *error = NULL;

  work->self = g_object_ref (self);
  work->item = item;
  token = gasync_task_token_new ("work item", self->owner, token_ended, work,
                                 g_free);
  /* A begin function may end the token, which releases the item, and
   * fail after that: the report still needs the item. */
  g_object_ref (item);
  if (self->func.begin (item, token, self->cancellable, self->user_data,
                        &error))
    {
      g_clear_error (&error);
      g_object_unref (item);
      return;
    }

  /* FALSE after the cancellable fired is a cancellation (the contract). */
  if (error == NULL &&
      !g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    gasync_set_task_failed_error (&error, "work item");
  report_error (self, item, error);
  if (!gasync_task_token_is_ended (token))
    gasync_task_token_end (token);
  g_object_unref (item);
}

/* The pump holds a weak reference: a started queue that is dropped is
 * disposed, which closes it. */
static gboolean
pump_cb (gpointer data)
{
  GasyncWorkQueue *self = data;

  GASYNC_TSAN_ACQUIRE (self);
  gasync_lock (&self->lock);
  while (may_take_locked (self) && self->n_in_flight < self->parallelism)
    {
      gpointer item = pop_locked (self);

      gasync_unlock (&self->lock);
      begin_item (self, item);
      gasync_lock (&self->lock);
    }
  gasync_unlock (&self->lock);
  GASYNC_TSAN_RELEASE (self);
  return G_SOURCE_CONTINUE;
}

/* Called with the lock held: whether the grace period of a close is
 * over. */
static gboolean
close_may_discard (gpointer data)
{
  GasyncWorkQueue *self = data;

  return self->aborting || (self->n_queued == 0 && self->n_in_flight == 0);
}

static void
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
}

/* Cancels the items' cancellable. In the main-context form their work
 * lives on the owner context, where its `cancelled` handlers must run
 * (GJS refuses a JavaScript callback on any other thread, or while it
 * collects garbage): from anywhere else, or when disposing, the cancel is
 * dispatched there, and the close waits for the items to end anyway. */
static void
cancel_items (GasyncWorkQueue *self,
              gboolean         disposing)
{
  if (self->mode == MODE_MAIN_CONTEXT &&
      (disposing || !g_main_context_is_owner (self->owner)))
    gasync_owner_invoke (self->owner, GASYNC_OWNER_QUEUE, cancel_cb,
                         g_object_ref (self->cancellable), g_object_unref);
  else
    g_cancellable_cancel (self->cancellable);
}

static gboolean
is_closed (gpointer data)
{
  GasyncWorkQueue *self = data;

  return self->state == STATE_CLOSED;
}

static gboolean
nothing_in_flight (gpointer data)
{
  GasyncWorkQueue *self = data;

  return self->n_in_flight == 0;
}

/* Joins and frees @threads, the worker threads of a run that ended (or is
 * ending), stolen from self->threads under the lock so that only one
 * caller joins them. */
static void
join_threads (GasyncWorkQueue  *self,
              GThread         **threads)
{
  if (threads == NULL)
    return;
  for (guint i = 0; i < self->parallelism; i++)
    g_thread_join (threads[i]);
  g_free (threads);
}

/* Closes @self: refuses new items, waits for the queued ones for the grace
 * period (or until @cancellable fires), then cancels and discards. A
 * stopped queue has no workers: it discards at once, as a new one does.
 * Returns
 * the discarded items, oldest first, in an array that frees them. When
 * @disposing a main-context queue, nothing can begin the queued items any
 * more (and nothing is in flight: each item holds a reference): they are
 * discarded at once. */
static GPtrArray *
close_queue (GasyncWorkQueue *self,
             GCancellable    *cancellable,
             gboolean         disposing)
{
  GPtrArray *discarded = g_ptr_array_new_with_free_func (self->item_free);
  GThread **threads;
  gint64 deadline;

  gasync_lock (&self->lock);
  if (self->state >= STATE_CLOSING)
    {
      /* A second close waits for the first; its @cancellable, too, ends
       * the grace period. */
      if (!gasync_wait (&self->lock, &self->idle, is_closed, self,
                        G_MAXINT64, cancellable, NULL))
        {
          self->aborting = TRUE;
          gasync_cond_broadcast (&self->idle);
          gasync_wait (&self->lock, &self->idle, is_closed, self, G_MAXINT64,
                       NULL, NULL);
        }
      gasync_unlock (&self->lock);
      return discarded;
    }

  if (self->state == STATE_NEW || self->state == STATE_STOPPED ||
      (disposing && self->mode == MODE_MAIN_CONTEXT))
    self->aborting = TRUE;
  self->state = STATE_CLOSING;
  gasync_cond_broadcast (&self->not_full);
  gasync_cond_broadcast (&self->not_empty);

  /* Until the grace period ends, @cancellable fires or a second close's
   * does. */
  deadline = gasync_deadline_add (g_get_monotonic_time (), self->grace_period);
  gasync_wait (&self->lock, &self->idle, close_may_discard, self, deadline,
               cancellable, NULL);

  self->aborting = TRUE;
  while (self->n_queued > 0)
    {
      g_ptr_array_add (discarded, self->ring[self->head]);
      self->head = (self->head + 1) % self->ring_size;
      self->n_queued--;
    }
  gasync_cond_broadcast (&self->not_empty);
  threads = g_steal_pointer (&self->threads);
  gasync_unlock (&self->lock);

  cancel_items (self, disposing);
  join_threads (self, threads);

  gasync_lock (&self->lock);
  gasync_wait (&self->lock, &self->idle, nothing_in_flight, self, G_MAXINT64,
               NULL, NULL);
  self->state = STATE_CLOSED;
  gasync_leak_untrack (self);
  gasync_cond_broadcast (&self->idle);
  gasync_unlock (&self->lock);

  if (self->pump != NULL)
    g_source_destroy (self->pump);

  /* The caller's unref may not be the last one: an item's token, ended on
   * the owner context, may finalize the queue. GLib's reference count is
   * invisible to TSan, so order this thread's use of the queue before that
   * finalize, which acquires. */
  GASYNC_TSAN_RELEASE (self);
  return discarded;
}

static gboolean
state_at_least (GasyncWorkQueue *self,
                State            state)
{
  gboolean result;

  gasync_lock (&self->lock);
  result = self->state >= state;
  gasync_unlock (&self->lock);
  return result;
}

static guint hand_back (GasyncWorkQueue  *self,
                        GPtrArray        *discarded,
                        GPtrArray       **out);

static void
gasync_work_queue_dispose (GObject *object)
{
  GasyncWorkQueue *self = GASYNC_WORK_QUEUE (object);

  if (current_queue == self && !state_at_least (self, STATE_CLOSED))
    {
      /* Closing would join this very thread; freeing would pull the queue
       * from under it. */
      g_autofree char *label = describe (self);

      g_critical ("%s: the last reference was dropped in one of its work "
                  "functions, so it cannot be closed; it is leaked", label);
      g_object_ref (self);
      return;
    }

  if (!state_at_least (self, STATE_CLOSED))
    hand_back (self, close_queue (self, NULL, TRUE), NULL);

  G_OBJECT_CLASS (gasync_work_queue_parent_class)->dispose (object);
}

static void
gasync_work_queue_finalize (GObject *object)
{
  GasyncWorkQueue *self = GASYNC_WORK_QUEUE (object);

  /* The last reference may be dropped by the pump's dispatch, or by an
   * item's token. */
  GASYNC_TSAN_ACQUIRE (self);
  gasync_leak_untrack (self);
  g_free (self->name);
  /* The frees of the items are queued on the owner context, before the
   * destroy notify. A thread that may run the context runs them now,
   * with whatever else was queued there before: the destroy notify then
   * runs at once. */
  if (g_main_context_acquire (self->owner))
    {
      gasync_owner_drain (self->owner);
      if (self->destroy != NULL)
        self->destroy (self->user_data);
      g_main_context_release (self->owner);
    }
  else
    gasync_owner_destroy (self->owner, GASYNC_OWNER_QUEUE, self->destroy,
                          self->user_data);
  g_clear_pointer (&self->pump, g_source_unref);
  g_clear_object (&self->interceptor);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->owner);
  g_free (self->ring);
  gasync_cond_clear (&self->not_empty);
  gasync_cond_clear (&self->not_full);
  gasync_cond_clear (&self->idle);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_work_queue_parent_class)->finalize (object);
}

static const GasyncPropertyAccess property_access[N_PROPS] = {
  [PROP_PARALLELISM] = {
    G_CALLBACK (gasync_work_queue_get_parallelism),
    G_CALLBACK (gasync_work_queue_set_parallelism),
  },
  [PROP_MAX_WORK] = {
    G_CALLBACK (gasync_work_queue_get_max_work),
    G_CALLBACK (gasync_work_queue_set_max_work),
  },
  [PROP_SHUTDOWN_GRACE_PERIOD] = {
    G_CALLBACK (gasync_work_queue_get_shutdown_grace_period),
    G_CALLBACK (gasync_work_queue_set_shutdown_grace_period),
  },
  [PROP_INTERCEPTOR] = {
    G_CALLBACK (gasync_work_queue_get_interceptor),
    G_CALLBACK (gasync_work_queue_set_interceptor),
  },
  [PROP_NAME] = {
    G_CALLBACK (gasync_work_queue_get_name),
    G_CALLBACK (gasync_work_queue_set_name),
  },
};

static void
gasync_work_queue_class_init (GasyncWorkQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_work_queue_dispose;
  object_class->finalize = gasync_work_queue_finalize;

  /**
   * GasyncWorkQueue:parallelism:
   *
   * How many items are processed at the same time: the number of worker
   * threads, or for the main-context form the number of items in flight.
   * The default is the number of processors. Fixed once the queue starts.
   *
   * Since: 0.1
   */
  properties[PROP_PARALLELISM] = gasync_work_queue_parallelism_pspec_new ();

  /**
   * GasyncWorkQueue:max-work:
   *
   * How many items may wait in the queue; gasync_work_queue_enqueue()
   * blocks while it is full. The default is
   * %GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK. Memory grows with the items that
   * really wait, so a large bound costs nothing until it is used. Fixed
   * once the queue starts or holds an item.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_WORK] =
    g_param_spec_uint ("max-work", "Max work",
                       "How many items may wait in the queue",
                       1, G_MAXINT32, GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncWorkQueue:shutdown-grace-period:
   *
   * How long gasync_work_queue_close() lets queued items still run, in
   * microseconds, before it cancels the running ones and discards the
   * rest. The default is
   * %GASYNC_WORK_QUEUE_DEFAULT_SHUTDOWN_GRACE_PERIOD; %G_MAXINT64 waits for
   * every queued item.
   *
   * Since: 0.1
   */
  properties[PROP_SHUTDOWN_GRACE_PERIOD] =
    g_param_spec_int64 ("shutdown-grace-period", "Shutdown grace period",
                        "How long queued items still run after close",
                        0, G_MAXINT64, GASYNC_WORK_QUEUE_DEFAULT_SHUTDOWN_GRACE_PERIOD,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncWorkQueue:interceptor:
   *
   * The interceptor that runs around the work function of every item (a
   * tracing, retry or timeout interceptor, or a chain of them), or %NULL.
   * It does not apply to the main-context form. Fixed once the queue
   * starts.
   *
   * Since: 0.1
   */
  properties[PROP_INTERCEPTOR] = gasync_work_queue_interceptor_pspec_new ();

  /**
   * GasyncWorkQueue:name:
   *
   * A name for the queue, such as `thumbnails`, or %NULL (the default).
   * The lines the queue logs begin with it (`Work queue “thumbnails”: …`;
   * an unnamed queue is named by its address), and the leak checks of
   * gasync_leaks_check() list a started queue under it until it is stopped
   * or closed.
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name",
                         "The name of the queue, for logs and leak checks",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  gasync_property_install (object_class, property_access, properties,
                           N_PROPS);

  /**
   * GasyncWorkQueue::error:
   * @self: the queue
   * @item: (nullable): the item that failed, %NULL for plain pointer items
   * @error: the item's error
   *
   * Emitted on the owner context for every item that failed. Errors are
   * never dropped: each failed item is reported once, and with no handler
   * connected it is logged as a warning instead. An item that was
   * cancelled (%G_IO_ERROR_CANCELLED, or %FALSE without an error after its
   * cancellable fired) did not fail and is not reported.
   *
   * Since: 0.1
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_OBJECT, G_TYPE_ERROR);

  gasync_type_class_publish (klass);
}

static void
gasync_work_queue_init (GasyncWorkQueue *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  gasync_cond_init (&self->not_empty);
  gasync_cond_init (&self->not_full);
  gasync_cond_init (&self->idle);
  self->parallelism = MAX (1, g_get_num_processors ());
  self->max_work = GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK;
  self->grace_period = GASYNC_WORK_QUEUE_DEFAULT_SHUTDOWN_GRACE_PERIOD;
  self->owner = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->item_free = g_object_unref;
}

static void
keep_item (gpointer item)
{
}

static GasyncWorkQueue *
work_queue_new (Mode           mode,
                gpointer       user_data,
                GDestroyNotify destroy)
{
  GasyncWorkQueue *self = g_object_new (GASYNC_TYPE_WORK_QUEUE, NULL);

  self->mode = mode;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * gasync_work_queue_new:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   processes one item, in a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the owner context
 *
 * Creates a queue whose items are #GObjects, processed by @func in worker
 * threads. Set its properties, then call gasync_work_queue_start().
 *
 * Returns: (transfer full): a new #GasyncWorkQueue
 *
 * Since: 0.1
 */
GasyncWorkQueue *
gasync_work_queue_new (GasyncWorkFunc func,
                       gpointer       user_data,
                       GDestroyNotify destroy)
{
  GasyncWorkQueue *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = work_queue_new (MODE_OBJECTS, user_data, destroy);
  self->func.objects = func;
  return self;
}

/**
 * gasync_work_queue_new_for_pointers: (skip)
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   processes one item, in a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the owner context
 * @item_free: (nullable): frees an item once it is processed or discarded
 *
 * Creates a queue whose items are plain pointers, for C. Each item is
 * freed with @item_free after @func returns, or when it is discarded
 * without being handed back. Queue items with
 * gasync_work_queue_enqueue_pointer().
 *
 * Returns: (transfer full): a new #GasyncWorkQueue
 *
 * Since: 0.1
 */
GasyncWorkQueue *
gasync_work_queue_new_for_pointers (GasyncWorkPointerFunc func,
                                    gpointer              user_data,
                                    GDestroyNotify        destroy,
                                    GDestroyNotify        item_free)
{
  GasyncWorkQueue *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = work_queue_new (MODE_POINTERS, user_data, destroy);
  self->func.pointers = func;
  self->item_free = item_free;
  if (self->item_free == NULL)
    self->item_free = keep_item;
  return self;
}

/**
 * gasync_work_queue_new_for_main_context:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   begins processing one item, on the owner context
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the owner context
 *
 * Creates a queue whose items are processed by asynchronous work on the
 * owner context (the thread-default main context of the caller) instead of
 * worker threads: the form for JavaScript. @func begins the work for one
 * item and ends the item's #GasyncTaskToken when it is done; at most
 * #GasyncWorkQueue:parallelism items are in flight at a time.
 *
 * Do not block the owner context while items are in flight: use
 * gasync_work_queue_try_enqueue() and gasync_work_queue_close_async() on
 * it rather than the blocking calls. A started queue that is dropped
 * without being closed is closed by dispose once no item is in flight, as
 * the description of #GasyncWorkQueue says.
 *
 * Returns: (transfer full): a new #GasyncWorkQueue
 *
 * Since: 0.1
 */
GasyncWorkQueue *
gasync_work_queue_new_for_main_context (GasyncWorkBeginFunc func,
                                        gpointer            user_data,
                                        GDestroyNotify      destroy)
{
  GasyncWorkQueue *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = work_queue_new (MODE_MAIN_CONTEXT, user_data, destroy);
  self->func.begin = func;
  return self;
}

/**
 * gasync_work_queue_get_parallelism:
 * @self: a #GasyncWorkQueue
 *
 * Gets #GasyncWorkQueue:parallelism.
 *
 * Returns: how many items are processed at the same time
 *
 * Since: 0.1
 */
guint
gasync_work_queue_get_parallelism (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), 0);

  return self->parallelism;
}

/**
 * gasync_work_queue_set_parallelism:
 * @self: a #GasyncWorkQueue
 * @parallelism: how many items to process at the same time, at least 1
 *   and at most %G_MAXUINT16
 *
 * Sets #GasyncWorkQueue:parallelism. Call it before
 * gasync_work_queue_start().
 *
 * Since: 0.1
 */
void
gasync_work_queue_set_parallelism (GasyncWorkQueue *self,
                                   guint            parallelism)
{
  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (parallelism >= 1 && parallelism <= G_MAXUINT16);
  g_return_if_fail (self->state == STATE_NEW);

  if (self->parallelism == parallelism)
    return;
  self->parallelism = parallelism;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARALLELISM]);
}

/**
 * gasync_work_queue_get_max_work:
 * @self: a #GasyncWorkQueue
 *
 * Gets #GasyncWorkQueue:max-work.
 *
 * Returns: how many items may wait in the queue
 *
 * Since: 0.1
 */
guint
gasync_work_queue_get_max_work (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), 0);

  return self->max_work;
}

/**
 * gasync_work_queue_set_max_work:
 * @self: a #GasyncWorkQueue
 * @max_work: how many items may wait in the queue, at least 1 and at most
 *   %G_MAXINT32
 *
 * Sets #GasyncWorkQueue:max-work. Call it before the first item is queued.
 *
 * Since: 0.1
 */
void
gasync_work_queue_set_max_work (GasyncWorkQueue *self,
                                guint            max_work)
{
  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (max_work >= 1 && max_work <= G_MAXINT32);
  g_return_if_fail (self->state == STATE_NEW && self->ring == NULL);

  if (self->max_work == max_work)
    return;
  self->max_work = max_work;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_WORK]);
}

/**
 * gasync_work_queue_get_shutdown_grace_period:
 * @self: a #GasyncWorkQueue
 *
 * Gets #GasyncWorkQueue:shutdown-grace-period.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the grace period in microseconds
 *
 * Since: 0.1
 */
GTimeSpan
gasync_work_queue_get_shutdown_grace_period (GasyncWorkQueue *self)
{
  GTimeSpan grace_period;

  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), 0);

  gasync_lock (&self->lock);
  grace_period = self->grace_period;
  gasync_unlock (&self->lock);
  return grace_period;
}

/**
 * gasync_work_queue_set_shutdown_grace_period:
 * @self: a #GasyncWorkQueue
 * @grace_period: how long queued items still run after close, in
 *   microseconds, not negative
 *
 * Sets #GasyncWorkQueue:shutdown-grace-period. It takes effect at the
 * next gasync_work_queue_close().
 *
 * Since: 0.1
 */
void
gasync_work_queue_set_shutdown_grace_period (GasyncWorkQueue *self,
                                             GTimeSpan        grace_period)
{
  gboolean changed;

  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (grace_period >= 0);

  gasync_lock (&self->lock);
  changed = self->grace_period != grace_period;
  self->grace_period = grace_period;
  gasync_unlock (&self->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self),
                              properties[PROP_SHUTDOWN_GRACE_PERIOD]);
}

/**
 * gasync_work_queue_get_interceptor:
 * @self: a #GasyncWorkQueue
 *
 * Gets #GasyncWorkQueue:interceptor.
 *
 * Returns: (transfer none) (nullable): the interceptor, or %NULL
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_work_queue_get_interceptor (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), NULL);

  return self->interceptor;
}

/**
 * gasync_work_queue_set_interceptor:
 * @self: a #GasyncWorkQueue
 * @interceptor: (nullable): the interceptor, or %NULL for none
 *
 * Sets #GasyncWorkQueue:interceptor, which runs around the work function
 * of every item: for example gasync_interceptor_new_retry() retries
 * failing items. Call it before gasync_work_queue_start().
 *
 * Since: 0.1
 */
void
gasync_work_queue_set_interceptor (GasyncWorkQueue   *self,
                                   GasyncInterceptor *interceptor)
{
  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (interceptor == NULL || GASYNC_IS_INTERCEPTOR (interceptor));
  g_return_if_fail (self->state == STATE_NEW);

  if (g_set_object (&self->interceptor, interceptor))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERCEPTOR]);
}

/**
 * gasync_work_queue_get_name:
 * @self: a #GasyncWorkQueue
 *
 * Gets #GasyncWorkQueue:name.
 *
 * Threading: the string belongs to @self and stays valid until the name
 * is changed; read it on the thread that sets it.
 *
 * Returns: (nullable): the name, or %NULL if @self has none
 *
 * Since: 0.1
 */
const char *
gasync_work_queue_get_name (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), NULL);

  return self->name;
}

/**
 * gasync_work_queue_set_name:
 * @self: a #GasyncWorkQueue
 * @name: (nullable): the new name, or %NULL for none
 *
 * Sets #GasyncWorkQueue:name. Set it on the owner context (it notifies
 * there), preferably before gasync_work_queue_start(): the leak checks
 * keep the name the queue had then.
 *
 * Since: 0.1
 */
void
gasync_work_queue_set_name (GasyncWorkQueue *self,
                            const char      *name)
{
  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));

  if (gasync_replace_string (&self->lock, &self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * gasync_work_queue_get_n_queued:
 * @self: a #GasyncWorkQueue
 *
 * Gets how many items wait in the queue, not counting the ones being
 * processed.
 *
 * Threading: may be called from any thread; the answer may be stale at
 * once.
 *
 * Returns: the number of waiting items
 *
 * Since: 0.1
 */
guint
gasync_work_queue_get_n_queued (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), 0);

  return gasync_read_uint (&self->lock, &self->n_queued);
}

/**
 * gasync_work_queue_is_started:
 * @self: a #GasyncWorkQueue
 *
 * Tells whether the queue is started: gasync_work_queue_start() was
 * called, and gasync_work_queue_stop() was not called since.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE from a start until the next stop (a close leaves it as
 *   it was)
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_is_started (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);

  return g_atomic_int_get (&self->started);
}

/**
 * gasync_work_queue_is_closed:
 * @self: a #GasyncWorkQueue
 *
 * Tells whether gasync_work_queue_close() was called: the queue refuses
 * new items.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE once the queue is closing or closed
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_is_closed (GasyncWorkQueue *self)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);

  return state_at_least (self, STATE_CLOSING);
}

static gboolean
set_closed_error (GError **error)
{
  g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_CLOSED,
                       _("The work queue is closed"));
  return FALSE;
}

/**
 * gasync_work_queue_start:
 * @self: a #GasyncWorkQueue
 * @error: return location for a #GError
 *
 * Starts processing: spawns #GasyncWorkQueue:parallelism worker threads,
 * or for the main-context form begins taking items on the owner context.
 * Items queued before the start are processed then. A queue that
 * gasync_work_queue_stop() has stopped can be started again, as Go
 * blend's queue can; a start while the queue is started or still stopping
 * fails with %GASYNC_ERROR_ALREADY_STARTED, and a start after close with
 * %GASYNC_ERROR_CLOSED.
 *
 * Threading: may be called from any thread.
 *
 * Blocking: briefly: it joins the threads of the previous run, which
 * have ended or are about to return.
 *
 * Returns: %TRUE if the queue started
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_start (GasyncWorkQueue  *self,
                         GError          **error)
{
  GThread **old_threads;

  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gasync_lock (&self->lock);
  if (self->state != STATE_NEW && self->state != STATE_STOPPED)
    {
      gboolean closed = self->state >= STATE_CLOSING;

      gasync_unlock (&self->lock);
      if (closed)
        return set_closed_error (error);
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED,
                           _("The work queue was started already"));
      return FALSE;
    }
  self->state = STATE_STARTED;
  self->run++;
  g_atomic_int_set (&self->started, TRUE);
  /* The threads of the last run, if no stop has joined them: they have
   * ended, or are about to return. */
  old_threads = g_steal_pointer (&self->threads);

  if (self->mode == MODE_MAIN_CONTEXT && self->pump != NULL)
    {
      /* Started again: the pump stayed attached, idle while stopped. */
      if (self->n_queued > 0)
        g_source_set_ready_time (self->pump, 0);
    }
  else if (self->mode == MODE_MAIN_CONTEXT)
    {
      /* A weak reference, which a dispatch makes strong while it runs. */
      self->pump = gasync_lifecycle_source_new (G_OBJECT (self),
                                                "[gasync] work queue",
                                                pump_cb);
      GASYNC_TSAN_RELEASE (self);
      g_source_set_ready_time (self->pump, self->n_queued > 0 ? 0 : -1);
      gasync_source_attach (self->pump, self->owner);
    }
  else
    {
      self->threads = g_new (GThread *, self->parallelism);
      self->n_running_threads = self->parallelism;
      for (guint i = 0; i < self->parallelism; i++)
        self->threads[i] = g_thread_new ("gasync-work", worker_thread, self);
    }
  gasync_unlock (&self->lock);

  join_threads (self, old_threads);

  /* Without the lock: the registry reads the name property, which takes
   * it. A stop or close that ended meanwhile untracked the queue before it
   * was tracked: untracked again then, under the lock, so that a start
   * after it is tracked after it. */
  gasync_leak_track (self, NULL, NULL);
  gasync_lock (&self->lock);
  if (self->state != STATE_STARTED && self->state != STATE_STOPPING)
    gasync_leak_untrack (self);
  gasync_unlock (&self->lock);
  return TRUE;
}

/* Called with the lock held, by a producer of a full queue: whether
 * nothing would make room for it. Only the owner context makes room in a
 * main-context queue, and only the workers in a threaded one: not when
 * every one of them waits to enqueue, in its work function
 * (@n_waiting_workers of them besides the caller), nor when the queue
 * stops and takes no more items (the stop waits for this work function). */
static gboolean
producer_deadlocks_locked (GasyncWorkQueue *self,
                           guint            n_waiting_workers)
{
  return (self->mode == MODE_MAIN_CONTEXT &&
          g_main_context_is_owner (self->owner)) ||
         (current_queue == self &&
          (n_waiting_workers + 1 >= self->parallelism ||
           (self->state == STATE_STOPPING && self->drain_left == 0)));
}

/* Called with the lock held, by a producer counted as waiting: whether it
 * stops waiting for room. */
static gboolean
producer_may_go_on (gpointer data)
{
  GasyncWorkQueue *self = data;

  return self->state >= STATE_CLOSING || self->n_queued != self->max_work ||
         producer_deadlocks_locked (self,
                                    self->n_waiting_workers_producing -
                                    (current_queue == self));
}

/* Takes @item only on success. */
static gboolean
enqueue (GasyncWorkQueue  *self,
         gpointer          item,
         gboolean          wait,
         GCancellable     *cancellable,
         GError          **error)
{
  gasync_lock (&self->lock);
  while (self->state < STATE_CLOSING && self->n_queued == self->max_work)
    {
      if (!wait)
        {
          gasync_unlock (&self->lock);
          g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_THROTTLED,
                       /* Translators: %u is the number of queued items */
                       _("The work queue is full (%u items)"), self->max_work);
          return FALSE;
        }
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (producer_deadlocks_locked (self, self->n_waiting_workers_producing))
        {
          gboolean owner = self->mode == MODE_MAIN_CONTEXT;
          gboolean stopping = self->state == STATE_STOPPING;
          g_autofree char *label = describe_locked (self);

          gasync_unlock (&self->lock);
          gasync_report_self_deadlock_of (error, label,
                                          "gasync_work_queue_enqueue",
                                          owner ?
                                          "the queue is full and this thread "
                                          "runs its owner context, which alone "
                                          "makes room; use "
                                          "gasync_work_queue_try_enqueue()" :
                                          stopping ?
                                          "the queue is full and stops, so no "
                                          "worker makes room, and the stop "
                                          "waits for this work function; use "
                                          "gasync_work_queue_try_enqueue()" :
                                          "the queue is full and every worker "
                                          "waits to enqueue from its work "
                                          "function, so none makes room; use "
                                          "gasync_work_queue_try_enqueue()");
          return FALSE;
        }
      self->n_waiting_producers++;
      self->n_waiting_workers_producing += current_queue == self;
      gasync_wait (&self->lock, &self->not_full, producer_may_go_on, self,
                   G_MAXINT64, cancellable, NULL);
      self->n_waiting_workers_producing -= current_queue == self;
      self->n_waiting_producers--;
    }

  if (self->state >= STATE_CLOSING)
    {
      gasync_unlock (&self->lock);
      return set_closed_error (error);
    }
  if (self->n_queued == self->max_work)
    {
      gasync_unlock (&self->lock);
      g_cancellable_set_error_if_cancelled (cancellable, error);
      return FALSE;
    }

  push_locked (self, item);
  gasync_unlock (&self->lock);
  return TRUE;
}

/**
 * gasync_work_queue_enqueue:
 * @self: a #GasyncWorkQueue
 * @item: the item to process
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @error: return location for a #GError
 *
 * Queues @item (the queue takes a reference), waiting while the queue is
 * full. Fails with %GASYNC_ERROR_CLOSED once the queue is closing, and
 * with %G_IO_ERROR_CANCELLED if @cancellable fires while waiting; the item
 * is not queued then. An item may be queued before the start, and while
 * the queue is stopped or stopping: it waits for the next start (see
 * gasync_work_queue_stop()).
 *
 * Threading: may be called from any thread, but not when only the caller
 * could make room in a full queue: on a thread that runs (has acquired)
 * the owner context of a main-context queue, or in a work function when
 * every other worker waits to enqueue from its work function too. That
 * would wait forever, so it fails with a critical and
 * %G_IO_ERROR_WOULD_BLOCK instead.
 *
 * Blocking: while the queue is full, until there is room, the queue closes
 * or @cancellable fires; it iterates no main loop.
 * gasync_work_queue_enqueue_async() is its twin that does not block.
 *
 * Returns: %TRUE if @item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_enqueue (GasyncWorkQueue  *self,
                           GObject          *item,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);
  g_return_val_if_fail (self->mode != MODE_POINTERS, FALSE);
  g_return_val_if_fail (G_IS_OBJECT (item), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_object_ref (item);
  if (enqueue (self, item, TRUE, cancellable, error))
    return TRUE;
  g_object_unref (item);
  return FALSE;
}

typedef struct
{
  GTask *task;
  GObject *item;
} EnqueueAsync;

/* On a pool thread, which may block: waits for room as the blocking
 * enqueue does, then returns on the task's context, where the item's
 * reference is dropped with the task. */
static void
enqueue_in_pool (gpointer data)
{
  EnqueueAsync *enqueue_async = data;
  GasyncWorkQueue *self = g_task_get_source_object (enqueue_async->task);
  GError *error = NULL;

  /* The queue's reference, taken only if it accepts the item. */
  g_object_ref (enqueue_async->item);
  if (!enqueue (self, enqueue_async->item, TRUE,
                g_task_get_cancellable (enqueue_async->task), &error))
    g_object_unref (enqueue_async->item);
  gasync_owner_return_boolean (enqueue_async->task, error);
  g_free (enqueue_async);
}

/**
 * gasync_work_queue_enqueue_async:
 * @self: a #GasyncWorkQueue
 * @item: the item to process
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @callback: (scope async): called once @item was queued or refused
 * @user_data: data for @callback
 *
 * Queues @item like gasync_work_queue_enqueue(), waiting for room while
 * the queue is full, without blocking the caller: @callback is called
 * once @item is queued (the queue took a reference) or refused. Call
 * gasync_work_queue_enqueue_finish() from it. Refusals are those of
 * gasync_work_queue_enqueue(): %GASYNC_ERROR_CLOSED once the queue is
 * closing, %G_IO_ERROR_CANCELLED if @cancellable fires while waiting; the
 * item is not queued then. An item that was queued is processed exactly
 * once or discarded, as every queued item is.
 *
 * Unlike the blocking form, this may be called on the owner context of a
 * main-context queue (a JavaScript producer awaits it there) and from a
 * work function: it makes room by not waiting in that thread.
 *
 * Threading: may be called from any thread; @callback runs on the
 * thread-default main context of the caller. Producers that wait at the
 * same time are not served in a guaranteed order.
 *
 * Blocking: no; the wait for room happens on a thread of the library's
 * pool, and no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_work_queue_enqueue_async (GasyncWorkQueue     *self,
                                 GObject             *item,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  EnqueueAsync *enqueue_async;
  GTask *task;

  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (self->mode != MODE_POINTERS);
  g_return_if_fail (G_IS_OBJECT (item));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The enqueue reports its own cancellation: an item queued before the
   * cancellable fired was queued. */
  task = gasync_gtask_new (self, gasync_work_queue_enqueue_async,
                           "[gasync] gasync_work_queue_enqueue_async", FALSE,
                           cancellable, callback, user_data);
  /* Dropped with the task, on its context. */
  g_task_set_task_data (task, g_object_ref (item), g_object_unref);

  /* Room now: queued at once, without a thread. */
  g_object_ref (item);
  if (enqueue (self, item, FALSE, NULL, NULL))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_object_unref (item);

  enqueue_async = g_new (EnqueueAsync, 1);
  enqueue_async->task = task;
  enqueue_async->item = item;
  gasync_pool_push (enqueue_in_pool, enqueue_async);
}

/**
 * gasync_work_queue_enqueue_finish:
 * @self: a #GasyncWorkQueue
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_work_queue_enqueue_async().
 *
 * Returns: %TRUE if the item was queued; %FALSE with @error set if not
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_enqueue_finish (GasyncWorkQueue  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);

  return gasync_gtask_finish_boolean (self, result,
                                      gasync_work_queue_enqueue_async, error);
}

/**
 * gasync_work_queue_try_enqueue:
 * @self: a #GasyncWorkQueue
 * @item: the item to process
 * @error: return location for a #GError
 *
 * Queues @item (the queue takes a reference) if there is room, without
 * waiting: fails with %GASYNC_ERROR_THROTTLED when the queue is full and
 * with %GASYNC_ERROR_CLOSED once it is closing.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE if @item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_try_enqueue (GasyncWorkQueue  *self,
                               GObject          *item,
                               GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);
  g_return_val_if_fail (self->mode != MODE_POINTERS, FALSE);
  g_return_val_if_fail (G_IS_OBJECT (item), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_object_ref (item);
  if (enqueue (self, item, FALSE, NULL, error))
    return TRUE;
  g_object_unref (item);
  return FALSE;
}

/**
 * gasync_work_queue_enqueue_pointer: (skip)
 * @self: a #GasyncWorkQueue made by gasync_work_queue_new_for_pointers()
 * @item: the item to process
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @error: return location for a #GError
 *
 * Queues a plain pointer, like gasync_work_queue_enqueue(). On success the
 * queue owns @item and frees it with the queue's item free function; on
 * failure the caller keeps it.
 *
 * Blocking: as gasync_work_queue_enqueue(). It has no asynchronous twin:
 * it is for C, where a thread of its own may wait.
 *
 * Returns: %TRUE if @item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_enqueue_pointer (GasyncWorkQueue  *self,
                                   gpointer          item,
                                   GCancellable     *cancellable,
                                   GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);
  g_return_val_if_fail (self->mode == MODE_POINTERS, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return enqueue (self, item, TRUE, cancellable, error);
}

/**
 * gasync_work_queue_try_enqueue_pointer: (skip)
 * @self: a #GasyncWorkQueue made by gasync_work_queue_new_for_pointers()
 * @item: the item to process
 * @error: return location for a #GError
 *
 * Queues a plain pointer without waiting, like
 * gasync_work_queue_try_enqueue(). On failure the caller keeps @item.
 *
 * Returns: %TRUE if @item was queued
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_try_enqueue_pointer (GasyncWorkQueue  *self,
                                       gpointer          item,
                                       GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);
  g_return_val_if_fail (self->mode == MODE_POINTERS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return enqueue (self, item, FALSE, NULL, error);
}

/* Hands @discarded back through @out, or frees its items on the owner
 * context; returns its length. */
static guint
hand_back (GasyncWorkQueue  *self,
           GPtrArray        *discarded,
           GPtrArray       **out)
{
  guint n = discarded->len;

  if (out != NULL)
    {
      *out = discarded;
      return n;
    }
  for (guint i = 0; i < n; i++)
    release_item (self, discarded->pdata[i]);
  g_ptr_array_set_free_func (discarded, NULL);
  g_ptr_array_unref (discarded);
  return n;
}

/* Refuses @call, a blocking call that would wait forever for itself:
 * in one of the queue's work functions, which it waits for, or, when
 * @owner_waits, on the owner context of a main-context queue whose work
 * left only that context can do. Returns TRUE, after a critical and with
 * @error set, if it refused. */
static gboolean
refuse_self_deadlock (GasyncWorkQueue  *self,
                      const char       *call,
                      gboolean          owner_waits,
                      GError          **error)
{
  g_autofree char *why = NULL;
  g_autofree char *label = NULL;

  if (current_queue == self)
    why = g_strdup_printf ("called from one of the queue's work functions, "
                           "which it waits for; use %s_async()", call);
  else if (owner_waits)
    why = g_strdup_printf ("called on the owner context of a main-context "
                           "queue with items in flight, which only that "
                           "context can end; use %s_async()", call);
  else
    return FALSE;

  label = describe (self);
  gasync_report_self_deadlock_of (error, label, call, why);
  return TRUE;
}

/* Whether a blocking close here would wait forever for the owner context:
 * the caller runs it, and items in flight (or queued ones, with no end to
 * the grace period) wait for it. */
static gboolean
close_waits_for_owner (GasyncWorkQueue *self)
{
  gboolean waits;

  if (self->mode != MODE_MAIN_CONTEXT || !g_main_context_is_owner (self->owner))
    return FALSE;

  gasync_lock (&self->lock);
  waits = (self->state == STATE_STARTED || self->state == STATE_STOPPING ||
           self->state == STATE_CLOSING) &&
          (self->n_in_flight > 0 ||
           (self->n_queued > 0 && self->grace_period == G_MAXINT64));
  gasync_unlock (&self->lock);
  return waits;
}

/* Begins to stop the current run: from now on it takes only the items
 * queued now. Sets *@run, the run to wait for. When @blocking, refuses a
 * stop on the owner context of a main-context queue with items queued or
 * in flight, which it would wait for forever. */
static gboolean
begin_stop (GasyncWorkQueue  *self,
            gboolean          blocking,
            guint64          *run,
            GError          **error)
{
  gasync_lock (&self->lock);
  if (self->state >= STATE_CLOSING)
    {
      gasync_unlock (&self->lock);
      return set_closed_error (error);
    }
  if (self->state != STATE_STARTED)
    {
      gasync_unlock (&self->lock);
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED,
                           _("The work queue is not started"));
      return FALSE;
    }
  if (blocking && self->mode == MODE_MAIN_CONTEXT &&
      (self->n_queued > 0 || self->n_in_flight > 0) &&
      g_main_context_is_owner (self->owner))
    {
      gasync_unlock (&self->lock);
      refuse_self_deadlock (self, "gasync_work_queue_stop", TRUE, error);
      return FALSE;
    }

  self->state = STATE_STOPPING;
  self->drain_left = self->n_queued;
  g_atomic_int_set (&self->started, FALSE);
  *run = self->run;
  /* Idle workers end now if nothing is left to take, and so does a
   * main-context run with nothing in flight. */
  gasync_cond_broadcast (&self->not_empty);
  if (self->n_waiting_workers_producing > 0)
    gasync_cond_broadcast (&self->not_full);
  if (self->mode == MODE_MAIN_CONTEXT && self->drain_left == 0 &&
      self->n_in_flight == 0)
    stopped_locked (self);
  gasync_unlock (&self->lock);
  return TRUE;
}

typedef struct
{
  GasyncWorkQueue *self;
  guint64 run;
} StopWait;

static gboolean
run_stopped_or_closed (gpointer data)
{
  StopWait *wait = data;

  return wait->self->run_stopped >= wait->run ||
         wait->self->state == STATE_CLOSED;
}

/* Waits until @run has stopped, even if the queue has started again since,
 * and joins its threads unless a start or close did; or until the queue
 * is closed (%GASYNC_ERROR_CLOSED), or @cancellable fires. */
static gboolean
wait_stopped (GasyncWorkQueue  *self,
              guint64           run,
              GCancellable     *cancellable,
              GError          **error)
{
  StopWait wait = { self, run };
  GThread **threads = NULL;
  gboolean stopped;

  /* Both forms fail the same way when the caller had given up already. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  gasync_lock (&self->lock);
  if (!gasync_wait (&self->lock, &self->idle, run_stopped_or_closed, &wait,
                    G_MAXINT64, cancellable, error))
    {
      gasync_unlock (&self->lock);
      return FALSE;
    }
  stopped = self->run_stopped >= run;
  if (self->state == STATE_STOPPED)
    threads = g_steal_pointer (&self->threads);
  gasync_unlock (&self->lock);
  join_threads (self, threads);

  if (!stopped)
    return set_closed_error (error);
  return TRUE;
}

/**
 * gasync_work_queue_stop:
 * @self: a #GasyncWorkQueue
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @error: return location for a #GError
 *
 * Stops the queue so that it can be started again, as Go blend's
 * `Queue.Stop()` does: the items queued when the stop begins are still
 * processed (drained), the ones being processed finish, and then the
 * worker threads end (or, in the main-context form, the owner context
 * begins no more items) and gasync_work_queue_start() may be called
 * again. Nothing is cancelled or discarded: that is what
 * gasync_work_queue_close() does, which is final.
 *
 * Enqueues are not refused while the queue stops or is stopped, as in
 * blend, whose `Enqueue()` never looks at the queue's state: items queued
 * after the stop began wait in the queue (blocking producers while it is
 * full) for the next start, or for a close to discard them.
 *
 * Blocks until the queue is stopped, or until @cancellable fires: that
 * gives up waiting (%G_IO_ERROR_CANCELLED, also when it had fired before
 * the call), but the queue goes on stopping. Unlike blend's `Stop()`, the stop is not bounded by
 * #GasyncWorkQueue:shutdown-grace-period: call gasync_work_queue_close()
 * to end it sooner. A close while the queue stops makes the stop fail
 * with %GASYNC_ERROR_CLOSED once the close is done.
 *
 * Threading: may be called from any thread but a work function's (it
 * waits for the workers), and not from the owner context of a
 * main-context queue with items queued or in flight (it waits for that
 * context): use gasync_work_queue_stop_async() there. Both would wait
 * forever, so they are refused with a critical and
 * %G_IO_ERROR_WOULD_BLOCK, and the queue goes on running.
 *
 * Blocking: yes, until the drained items are processed and the items in
 * flight have finished; it iterates no main loop.
 * gasync_work_queue_stop_async() is its twin that does not block.
 *
 * Returns: %TRUE once the queue is stopped; %FALSE with
 *   %GASYNC_ERROR_NOT_STARTED if it is not started (never started, stopped
 *   or still stopping), %GASYNC_ERROR_CLOSED if it is closed or closing,
 *   %G_IO_ERROR_CANCELLED, or %G_IO_ERROR_WOULD_BLOCK
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_stop (GasyncWorkQueue  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  guint64 run;

  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (refuse_self_deadlock (self, "gasync_work_queue_stop", FALSE, error))
    return FALSE;
  if (!begin_stop (self, TRUE, &run, error))
    return FALSE;
  return wait_stopped (self, run, cancellable, error);
}

/**
 * gasync_work_queue_close:
 * @self: a #GasyncWorkQueue
 * @cancellable: (nullable): a #GCancellable that ends the grace period
 *   early
 * @discarded: (out) (optional) (transfer container) (element-type GObject):
 *   return location for the discarded items, oldest first; the array
 *   frees them
 *
 * Closes the queue: refuses new items at once (blocked producers fail with
 * %GASYNC_ERROR_CLOSED), lets the queued items still run for
 * #GasyncWorkQueue:shutdown-grace-period (or until @cancellable fires),
 * then cancels the items being processed, waits for them to return and
 * discards the rest. Discarded items are handed back through @discarded,
 * or freed (unreferenced, or given to the item free function) when it is
 * %NULL. A queue that is not started (never started, or stopped by
 * gasync_work_queue_stop()) discards everything at once. A close while a
 * stop is under way closes the queue as above, the stop's drain
 * notwithstanding. Closing again waits for the first close and returns 0.
 *
 * Threading: may be called from any thread but a work function's (it
 * waits for the workers), and not from the owner context of a
 * main-context queue with items in flight: use
 * gasync_work_queue_close_async() there. Both would wait forever, so they
 * are refused with a critical: the queue is left open and 0 is returned.
 *
 * Blocking: yes, for the grace period and until the items in flight have
 * returned; it iterates no main loop. gasync_work_queue_close_async() is
 * its twin that does not block.
 *
 * Returns: how many items were discarded without being processed
 *
 * Since: 0.1
 */
guint
gasync_work_queue_close (GasyncWorkQueue  *self,
                         GCancellable     *cancellable,
                         GPtrArray       **discarded)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);

  if (refuse_self_deadlock (self, "gasync_work_queue_close",
                            close_waits_for_owner (self), NULL))
    return 0;

  return hand_back (self, close_queue (self, cancellable, FALSE), discarded);
}

typedef struct
{
  GTask *task;
  guint64 run;
  GError *error;
} StopAsync;

/* Returns the stop on the context of its task, and frees it. */
static void
stop_async_return (StopAsync *stop)
{
  gasync_owner_return_boolean (stop->task, stop->error);
  g_free (stop);
}

static void
stop_in_pool (gpointer data)
{
  StopAsync *stop = data;
  GTask *task = stop->task;

  wait_stopped (g_task_get_source_object (task), stop->run,
                g_task_get_cancellable (task), &stop->error);
  stop_async_return (stop);
}

/**
 * gasync_work_queue_stop_async:
 * @self: a #GasyncWorkQueue
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: called when the queue is stopped
 * @user_data: data for @callback
 *
 * Stops the queue like gasync_work_queue_stop(), so that it can be
 * started again, without blocking the caller: the stop begins at once
 * (the queue is no longer started when this returns, and takes only the
 * items queued now), and @callback runs once it is over. Get the result
 * with gasync_work_queue_stop_finish().
 *
 * Threading: may be called from any thread, including a work function
 * and the owner context of a main-context queue; no main loop is iterated
 * in the meantime. @callback runs on the thread-default main context of
 * the caller.
 *
 * Blocking: no.
 *
 * Since: 0.1
 */
void
gasync_work_queue_stop_async (GasyncWorkQueue     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  StopAsync *stop;

  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  stop = g_new0 (StopAsync, 1);
  /* The wait reports its own cancellation; a stop that was over before
   * the cancellable fired succeeded. */
  stop->task = gasync_gtask_new (self, gasync_work_queue_stop_async,
                                 "gasync_work_queue_stop_async", FALSE,
                                 cancellable, callback, user_data);
  if (!begin_stop (self, FALSE, &stop->run, &stop->error))
    {
      stop_async_return (stop);
      return;
    }
  gasync_pool_push (stop_in_pool, stop);
}

/**
 * gasync_work_queue_stop_finish:
 * @self: a #GasyncWorkQueue
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_work_queue_stop_async().
 *
 * Returns: %TRUE once the queue is stopped; %FALSE with an error as
 *   gasync_work_queue_stop() sets it
 *
 * Since: 0.1
 */
gboolean
gasync_work_queue_stop_finish (GasyncWorkQueue  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), FALSE);

  return gasync_gtask_finish_boolean (self, result,
                                      gasync_work_queue_stop_async, error);
}

static void
close_in_pool (gpointer data)
{
  GTask *task = data;
  GPtrArray *discarded;

  discarded = close_queue (g_task_get_source_object (task),
                           g_task_get_cancellable (task), FALSE);
  gasync_owner_return_pointer (task, discarded,
                               (GDestroyNotify) g_ptr_array_unref, NULL);
}

/**
 * gasync_work_queue_close_async:
 * @self: a #GasyncWorkQueue
 * @cancellable: (nullable): a #GCancellable that ends the grace period
 *   early
 * @callback: called when the queue is closed
 * @user_data: data for @callback
 *
 * Closes the queue like gasync_work_queue_close() without blocking the
 * caller. @callback runs on the thread-default main context of the
 * caller; get the result with gasync_work_queue_close_finish().
 *
 * Blocking: no; the close happens on a thread of the library's pool, and
 * no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_work_queue_close_async (GasyncWorkQueue     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GASYNC_IS_WORK_QUEUE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The cancellable ends the grace period; it is not an error. */
  task = gasync_gtask_new (self, gasync_work_queue_close_async,
                           "gasync_work_queue_close_async", FALSE,
                           cancellable, callback, user_data);
  gasync_pool_push (close_in_pool, task);
}

/**
 * gasync_work_queue_close_finish:
 * @self: a #GasyncWorkQueue
 * @result: the #GAsyncResult given to the callback
 * @discarded: (out) (optional) (transfer container) (element-type GObject):
 *   return location for the discarded items, oldest first
 * @error: return location for a #GError
 *
 * Finishes gasync_work_queue_close_async().
 *
 * Returns: how many items were discarded without being processed
 *
 * Since: 0.1
 */
guint
gasync_work_queue_close_finish (GasyncWorkQueue  *self,
                                GAsyncResult     *result,
                                GPtrArray       **discarded,
                                GError          **error)
{
  GPtrArray *array;

  g_return_val_if_fail (GASYNC_IS_WORK_QUEUE (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gasync_work_queue_close_async, 0);

  array = g_task_propagate_pointer (G_TASK (result), error);
  if (array == NULL)
    return 0;
  return hand_back (self, array, discarded);
}

GParamSpec *
gasync_work_queue_parallelism_pspec_new (void)
{
  return g_param_spec_uint ("parallelism", "Parallelism",
                            "How many items are processed at the same time",
                            1, G_MAXUINT16, 1,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY);
}

GParamSpec *
gasync_work_queue_interceptor_pspec_new (void)
{
  return g_param_spec_object ("interceptor", "Interceptor",
                              "The interceptor around each item's work "
                              "function",
                              GASYNC_TYPE_INTERCEPTOR,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                              G_PARAM_EXPLICIT_NOTIFY);
}

void
gasync_work_queue_set_error_func (GasyncWorkQueue          *self,
                                  GasyncWorkQueueErrorFunc  func,
                                  gpointer                  user_data)
{
  g_assert (self->state == STATE_NEW);

  self->error_func = func;
  self->error_data = user_data;
}

void
gasync_work_queue_set_borrowed_items (GasyncWorkQueue *self)
{
  g_assert (self->state == STATE_NEW);

  self->borrowed_items = TRUE;
}

void
gasync_work_queue_set_owner_context (GasyncWorkQueue *self,
                                     GMainContext    *context)
{
  g_assert (self->state == STATE_NEW);

  g_main_context_unref (self->owner);
  self->owner = g_main_context_ref (context);
}
