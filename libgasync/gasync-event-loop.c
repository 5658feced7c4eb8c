/* gasync-event-loop.c: k6's event loop on a GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-event-loop
 * @title: GasyncEventLoop
 * @short_description: an event loop that runs until all reserved work is done
 *
 * A #GasyncEventLoop runs callbacks on one thread, the thread that calls
 * gasync_event_loop_start(), in the order they were queued. Unlike a
 * #GMainLoop, it does not run until told to quit: it runs until nothing is
 * queued and nothing is *reserved*. Work that goes on elsewhere (in a
 * thread, in a chain of GIO calls) first reserves a callback with
 * gasync_event_loop_reserve_callback(); the loop then waits for that
 * reservation to be fulfilled with gasync_pending_callback_enqueue(), from
 * any thread, or released with gasync_pending_callback_cancel(). Timeouts
 * set with gasync_event_loop_set_timeout() keep the loop alive the same way.
 *
 * The first callback that fails stops the loop: no further callback runs,
 * and gasync_event_loop_start() returns that callback's error. Work that
 * was reserved may still be going on; gasync_event_loop_wait_on_registered()
 * waits for it, running the callbacks it enqueues (as k6's loop does, so
 * that modules can rely on the loop as their shutdown path), after which
 * the loop can be started again.
 *
 * Timeouts run in the order of their deadlines, as in JavaScript engines:
 * a 10 ms timeout set after a 30 ms one runs first even when both are due
 * by the time the loop looks; timeouts with the same deadline run in the
 * order they were set.
 *
 * Futures made by gasync_event_loop_new_future() run their
 * gasync_future_add_done_callback() callbacks in the loop, like promise reactions. One
 * that is rejected and has no handler when the loop goes idle stops the
 * loop with %GASYNC_ERROR_UNHANDLED_REJECTION.
 *
 * The usual pattern for asynchronous work is to reserve a callback, do the
 * work in a thread, and settle a future back in the loop:
 *
 * |[<!-- language="C" -->
 * typedef struct {
 *   GasyncPendingCallback *callback;
 *   GasyncFuture *future;
 *   char *result;
 *   GError *error;
 * } Work;
 *
 * static gboolean
 * settle_in_loop (gpointer user_data, GError **error)
 * {
 *   Work *work = user_data;
 *
 *   if (work->error != NULL)
 *     gasync_future_reject (work->future, work->error);
 *   else
 *     {
 *       g_auto(GValue) value = G_VALUE_INIT;
 *
 *       g_value_init (&value, G_TYPE_STRING);
 *       g_value_set_string (&value, work->result);
 *       gasync_future_resolve_value (work->future, &value);
 *     }
 *   return TRUE; // do not stop the loop
 * }
 *
 * static gpointer
 * work_thread (gpointer user_data)
 * {
 *   Work *work = user_data;
 *
 *   // The work itself runs here, off the loop's thread...
 *   work->result = do_the_actual_work (&work->error);
 *   // ...and the future is settled on the loop's thread.
 *   gasync_pending_callback_enqueue (work->callback, settle_in_loop,
 *                                    work, work_free);
 *   return NULL;
 * }
 *
 * static GasyncFuture *
 * do_async_work (GasyncEventLoop *loop)
 * {
 *   Work *work = g_new0 (Work, 1);
 *
 *   work->callback = gasync_event_loop_reserve_callback (loop);
 *   work->future = gasync_event_loop_new_future (loop);
 *   g_thread_unref (g_thread_new ("work", work_thread, work));
 *   return g_object_ref (work->future);
 * }
 * ]|
 *
 * In Python, with a thread of its own:
 * |[<!-- language="Python" -->
 * import threading
 *
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync
 *
 * loop = Gasync.EventLoop.new(None)
 * results = []
 *
 *
 * def first():
 *     # Runs on the loop's thread. Reserve a callback for work that ends on
 *     # another thread: the loop does not return before it has run.
 *     pending = loop.reserve_callback()
 *
 *     def work():
 *         answer = 6 * 7  # off the loop's thread
 *
 *         def settle():
 *             results.append(answer)  # back on the loop's thread
 *             return True
 *
 *         pending.enqueue(settle)
 *
 *     threading.Thread(target=work).start()
 *     return True
 *
 *
 * assert loop.start(first)  # returns once nothing is reserved any more
 * assert results == [42]
 * ]|
 *
 * In JavaScript, where the later work is a timeout on the main loop:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * const loop = Gasync.EventLoop.new(null);
 * const results = [];
 *
 * loop.start(() => {
 *     // Reserve a callback for work that ends later: the loop does not
 *     // return before it has run.
 *     const pending = loop.reserve_callback();
 *     GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
 *         pending.enqueue(() => {
 *             results.push(42);
 *             return true;
 *         });
 *         return GLib.SOURCE_REMOVE;
 *     });
 *     return true;
 * });
 * if (results[0] !== 42)
 *     throw new Error('the reserved callback did not run');
 * ]|
 *
 * Lifetime: gasync_event_loop_start() holds a reference while it runs,
 * so a loop dropped by one of its own callbacks runs on until it is out of
 * work and is finalized as start returns. Reservations, futures and
 * timeouts do not keep a loop alive: one dropped while it is not running
 * drops its queued callbacks and pending timeouts, and a callback enqueued
 * on a reservation after that is dropped too; each destroy notify is still
 * called once, on the loop's context.
 *
 * Threading: gasync_event_loop_reserve_callback(),
 * gasync_event_loop_new_future(), gasync_event_loop_set_timeout() and
 * gasync_event_loop_clear_timeout() may be called from any thread, and so
 * may gasync_pending_callback_enqueue(). gasync_event_loop_start() and
 * gasync_event_loop_wait_on_registered() run on a thread that can acquire
 * the loop's #GMainContext; every callback, timeout and destroy notify runs
 * there. Callbacks enqueued from other threads between two iterations of
 * the loop are dispatched together, in one wake-up.
 *
 * GJS runs no promise job while it is running one, nor inside the nested
 * main loop that gasync_event_loop_start() and
 * gasync_event_loop_wait_on_registered() iterate. From JavaScript, use
 * gasync_event_loop_start_async() and
 * gasync_event_loop_wait_on_registered_async(), which run the loop's
 * callbacks from the script's own main loop and can be awaited:
 *
 * |[<!-- language="JavaScript" -->
 * Gio._promisify(Gasync.EventLoop.prototype, 'start_async');
 *
 * const loop = Gasync.EventLoop.new(null);
 * loop.set_timeout(0, () => {
 *     const pending = loop.reserve_callback();
 *     fetchAsync().then(() => pending.enqueue(() => true));
 *     return true;
 * });
 * await loop.start_async(null);
 * ]|
 */

/**
 * GasyncEventLoop:
 *
 * An event loop that runs callbacks on one thread until nothing is queued
 * and no reserved callback or timeout is pending.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-gtask-private.h"
#include "gasync-leak-private.h"
#include "gasync-loop-queue-private.h"
#include "gasync-pending-callback-private.h"
#include "gasync-private.h"
#include "gasync-source-private.h"
#include "gasync-sync-private.h"

struct _GasyncEventLoop
{
  GObject parent_instance;

  GasyncEventLoopQueue *queue;

  /* On the loop's thread only. The threads that reserve callbacks read
   * the instance's class and @queue: what the loop's thread writes once
   * per callback or batch is elsewhere, not to bounce their cache line
   * (see event_loop_run_queued()). */
  gboolean running;
  gboolean failed;
  GError *error;
};

G_DEFINE_FINAL_TYPE (GasyncEventLoop, gasync_event_loop, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The loop's source: ready while callbacks are queued; dispatching runs
 * them all, in one batch. */
typedef struct
{
  GSource source;
  GasyncEventLoop *loop;
  /* The run of gasync_event_loop_start_async() (or, with @waiting, of
   * gasync_event_loop_wait_on_registered_async()) that the source ends
   * when it is done, or NULL for the blocking forms. */
  GTask *task;
  gboolean waiting;
  /* The array of the last batch, kept for the next one (see
   * GasyncEventLoopQueueBatch): here rather than in the loop, whose first
   * cache line the threads that reserve callbacks read. */
  GasyncEventLoopQueueBatch batch;
} LoopSource;

static gboolean event_loop_is_done (GasyncEventLoop *self);
static void async_run_dispatch (LoopSource *source);

/* Ready while callbacks are queued, and for an async run once it is
 * done, so that it can end. */
static gboolean
loop_source_ready (GSource *source)
{
  LoopSource *loop_source = (LoopSource *) source;
  GasyncEventLoop *self = loop_source->loop;

  if (gasync_event_loop_queue_has_items (self->queue))
    return TRUE;
  if (loop_source->task == NULL)
    return FALSE;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (loop_source->task)))
    return TRUE;
  if (loop_source->waiting)
    return gasync_event_loop_queue_get_n_reserved (self->queue) == 0;
  return event_loop_is_done (self);
}

static gboolean
loop_source_prepare (GSource *source,
                     int     *timeout)
{
  *timeout = -1;
  return loop_source_ready (source);
}

static gboolean
loop_source_check (GSource *source)
{
  return loop_source_ready (source);
}

/* The rest of event_loop_call(), out of line: the callback returned
 * @ok and set @local_error (or not). */
static G_GNUC_NO_INLINE GError *
event_loop_call_finish (gboolean  ok,
                        GError   *local_error)
{
  if (ok)
    {
      g_warning ("An event loop callback succeeded but set an error: %s",
                 local_error->message);
      g_error_free (local_error);
      return NULL;
    }

  if (local_error == NULL)
    local_error = g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED,
                                       _("An event loop callback failed without reporting an error"));
  return local_error;
}

/* Runs one callback; returns its error if it failed. Inline: a callback
 * that succeeds without an error costs a call and two tests. */
static inline GError *
event_loop_call (GasyncEventLoopFunc func,
                 gpointer            user_data)
{
  GError *local_error = NULL;
  gboolean ok = func (user_data, &local_error);

  if (G_LIKELY (ok && local_error == NULL))
    return NULL;
  return event_loop_call_finish (ok, local_error);
}

/* Takes what is queued and runs it, in one batch, in the source's array.
 * After a failure, or once @cancellable (if any) is cancelled, the rest
 * of the batch is dropped. */
static void
event_loop_run_queued (LoopSource   *loop_source,
                       GCancellable *cancellable)
{
  GasyncEventLoop *self = loop_source->loop;
  /* Out of the source while it runs, should a callback get here again. */
  GasyncEventLoopQueueBatch batch = loop_source->batch;
  /* Set in the loop only when a callback fails: the threads that reserve
   * callbacks read the loop's first cache line, and a store per callback
   * would take it from them each time. */
  GError *error = self->error;

  loop_source->batch = (GasyncEventLoopQueueBatch) { NULL, 0, 0 };
  gasync_event_loop_queue_steal (self->queue, TRUE, NULL, &batch);
  for (guint i = 0; i < batch.len; i++)
    {
      const GasyncEventLoopQueueCall *call = &batch.calls[i];

      if (error == NULL &&
          (cancellable == NULL || !g_cancellable_is_cancelled (cancellable)))
        {
          error = event_loop_call (call->func, call->user_data);
          if (G_UNLIKELY (error != NULL))
            self->error = error;
        }
      if (call->destroy != NULL)
        call->destroy (call->user_data);
    }
  gasync_event_loop_queue_batch_done (&batch);
  if (loop_source->batch.calls == NULL)
    loop_source->batch = batch;
  else
    gasync_event_loop_queue_batch_clear (&batch);
}

static gboolean
loop_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  if (((LoopSource *) source)->task != NULL)
    async_run_dispatch ((LoopSource *) source);
  else
    event_loop_run_queued ((LoopSource *) source, NULL);
  return G_SOURCE_CONTINUE;
}

static void
loop_source_finalize (GSource *source)
{
  gasync_event_loop_queue_batch_clear (&((LoopSource *) source)->batch);
}

static const GSourceFuncs loop_source_funcs = {
  loop_source_prepare,
  loop_source_check,
  loop_source_dispatch,
  loop_source_finalize,
  NULL, NULL,
};

/* Done when the loop failed, or when nothing is queued or reserved. When
 * it goes idle, a loop future rejected without a handler fails it. */
static gboolean
event_loop_is_done (GasyncEventLoop *self)
{
  g_autoptr(GPtrArray) rejected = NULL;
  gboolean done;

  if (self->error != NULL)
    return TRUE;

  done = gasync_event_loop_queue_poll_idle (self->queue, &rejected);

  for (guint i = 0; rejected != NULL && i < rejected->len; i++)
    {
      const GError *error = gasync_future_get_unhandled_error (rejected->pdata[i]);

      if (error != NULL)
        {
          self->error = g_error_new (GASYNC_ERROR, GASYNC_ERROR_UNHANDLED_REJECTION,
                                     /* Translators: %s is the error message of a rejected future */
                                     _("Unhandled rejection: %s"),
                                     error->message);
          return TRUE;
        }
    }
  return done;
}

/* After a failure: nothing queued or timed runs any more. */
static void
event_loop_fail (GasyncEventLoop *self)
{
  GasyncEventLoopQueue *queue = self->queue;

  self->failed = TRUE;
  gasync_event_loop_queue_clear_timeouts (queue);
  gasync_event_loop_queue_discard (queue);
  gasync_event_loop_queue_clear_rejections (queue);
}

/* A run of gasync_event_loop_start() or gasync_event_loop_start_async()
 * begins: the loop counts as started, and the leftovers of a failed run
 * that nobody waited for do not run. */
static void
event_loop_start_begin (GasyncEventLoop *self)
{
  gasync_leak_track (self, NULL, NULL);
  if (self->failed)
    {
      gasync_event_loop_queue_discard (self->queue);
      self->failed = FALSE;
    }
}

/* The loop's source, for @task (NULL for the blocking forms); not
 * attached. */
static GSource *
loop_source_new (GasyncEventLoop *self,
                 GTask           *task,
                 gboolean         waiting)
{
  GSource *source = g_source_new ((GSourceFuncs *) &loop_source_funcs,
                                  sizeof (LoopSource));

  ((LoopSource *) source)->loop = self;
  ((LoopSource *) source)->task = task;
  ((LoopSource *) source)->waiting = waiting;
  g_source_set_static_name (source, waiting ?
                            "[gasync] event loop wait on registered" :
                            "[gasync] event loop");
  return source;
}

/* Runs a batch of callbacks as the waiting of
 * gasync_event_loop_wait_on_registered() does: a failure is logged and
 * dropped. */
static void
run_batch_logged (GasyncEventLoopQueueBatch *batch)
{
  for (guint i = 0; i < batch->len; i++)
    {
      const GasyncEventLoopQueueCall *call = &batch->calls[i];
      g_autoptr(GError) local_error = event_loop_call (call->func,
                                                       call->user_data);

      if (local_error != NULL)
        g_debug ("An event loop callback failed while waiting on "
                 "registered callbacks: %s", local_error->message);
      if (call->destroy != NULL)
        call->destroy (call->user_data);
    }
  gasync_event_loop_queue_batch_done (batch);
}

static void
gasync_event_loop_dispose (GObject *object)
{
  GasyncEventLoop *self = GASYNC_EVENT_LOOP (object);
  if (self->queue != NULL)
    {
      gasync_event_loop_queue_close (self->queue);
      g_clear_pointer (&self->queue, gasync_event_loop_queue_unref);
    }

  G_OBJECT_CLASS (gasync_event_loop_parent_class)->dispose (object);
}

static void
gasync_event_loop_finalize (GObject *object)
{
  GasyncEventLoop *self = GASYNC_EVENT_LOOP (object);

  gasync_leak_untrack (self);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (gasync_event_loop_parent_class)->finalize (object);
}

static void
gasync_event_loop_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GasyncEventLoop *self = GASYNC_EVENT_LOOP (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_boxed (value, gasync_event_loop_get_context (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The queue is made here, on the context given or the thread-default
 * one, so that g_object_new() (GJS's `new Gasync.EventLoop()`) makes a
 * whole loop too. */
static void
gasync_event_loop_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GasyncEventLoop *self = GASYNC_EVENT_LOOP (object);
  g_autoptr(GMainContext) owner = NULL;

  switch (prop_id)
    {
    case PROP_CONTEXT:
      owner = g_value_get_boxed (value) != NULL
                ? g_main_context_ref (g_value_get_boxed (value))
                : g_main_context_ref_thread_default ();
      self->queue = gasync_event_loop_queue_new (owner);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_event_loop_class_init (GasyncEventLoopClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_event_loop_dispose;
  object_class->finalize = gasync_event_loop_finalize;
  object_class->get_property = gasync_event_loop_get_property;
  object_class->set_property = gasync_event_loop_set_property;

  /**
   * GasyncEventLoop:context:
   *
   * The #GMainContext that the loop's callbacks run on: set at
   * construction, the thread-default context of the creator when %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_CONTEXT] =
    g_param_spec_boxed ("context", "Context",
                        "The main context the callbacks run on",
                        G_TYPE_MAIN_CONTEXT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gasync_type_class_publish (klass);
}

static void
gasync_event_loop_init (GasyncEventLoop *self)
{
  gasync_type_class_acquire (self);
}

/**
 * gasync_event_loop_new:
 * @context: (nullable): the #GMainContext to run on, or %NULL for the
 *   thread-default context of the caller
 *
 * Creates an event loop whose callbacks run on @context.
 *
 * Returns: (transfer full): a new #GasyncEventLoop
 *
 * Since: 0.1
 */
GasyncEventLoop *
gasync_event_loop_new (GMainContext *context)
{
  return g_object_new (GASYNC_TYPE_EVENT_LOOP, "context", context, NULL);
}

/**
 * gasync_event_loop_get_context:
 * @self: a #GasyncEventLoop
 *
 * Gets the #GMainContext that @self runs on.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer none): the loop's context
 *
 * Since: 0.1
 */
GMainContext *
gasync_event_loop_get_context (GasyncEventLoop *self)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), NULL);

  return gasync_event_loop_queue_get_context (self->queue);
}

/**
 * gasync_event_loop_reserve_callback:
 * @self: a #GasyncEventLoop
 *
 * Tells @self that some work is going on elsewhere and will need to run a
 * callback on the loop's thread when it is done. Until the returned
 * reservation is fulfilled with gasync_pending_callback_enqueue() or
 * released with gasync_pending_callback_cancel(), gasync_event_loop_start()
 * does not return (unless a callback fails).
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): the reservation
 *
 * Since: 0.1
 */
GasyncPendingCallback *
gasync_event_loop_reserve_callback (GasyncEventLoop *self)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), NULL);

  return gasync_pending_callback_new (gasync_event_loop_queue_reserve (self->queue));
}

/**
 * gasync_event_loop_new_future:
 * @self: a #GasyncEventLoop
 *
 * Creates a future whose gasync_future_add_done_callback() callbacks run in @self, in
 * queue order with its other callbacks. If the future is rejected and has
 * no handler (a gasync_future_add_done_callback() callback, a waiter or a combinator)
 * when the loop goes idle, the loop stops with
 * %GASYNC_ERROR_UNHANDLED_REJECTION, whose message carries the
 * rejection's message.
 *
 * A future does not keep the loop running: reserve a callback for the
 * work that will settle it.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer full): a new pending #GasyncFuture
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_event_loop_new_future (GasyncEventLoop *self)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), NULL);

  return gasync_future_new_for_loop (self->queue);
}

/**
 * gasync_event_loop_set_timeout:
 * @self: a #GasyncEventLoop
 * @delay: the delay, in microseconds like every duration of this library
 *   (JavaScript's setTimeout() counts milliseconds); zero or negative runs
 *   @func as soon as the loop gets to it
 * @func: (scope notified) (closure user_data) (destroy destroy): the
 *   callback to run on the loop's thread after @delay
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data on the loop's context once
 *   @func has run or has been dropped
 *
 * Queues @func to run in @self once @delay microseconds have passed.
 * A pending timeout keeps the loop running, as a reserved callback does.
 * The delay runs on the loop's context; if the loop is not running when it
 * expires, @func runs when the loop is started again. When the loop fails,
 * its pending timeouts are dropped.
 *
 * Threading: may be called from any thread.
 *
 * Returns: the timeout's id, for gasync_event_loop_clear_timeout()
 *
 * Since: 0.1
 */
guint
gasync_event_loop_set_timeout (GasyncEventLoop     *self,
                               GTimeSpan            delay,
                               GasyncEventLoopFunc  func,
                               gpointer             user_data,
                               GDestroyNotify       destroy)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  /* Saturated: a huge delay must not wrap the deadline into the past. */
  return gasync_event_loop_queue_add_timeout (self->queue,
                                              gasync_deadline_add (g_get_monotonic_time (),
                                                                   MAX (delay, 0)),
                                              func, user_data, destroy);
}

/**
 * gasync_event_loop_clear_timeout:
 * @self: a #GasyncEventLoop
 * @id: an id returned by gasync_event_loop_set_timeout()
 *
 * Removes a pending timeout: its callback will not run, and it no longer
 * keeps the loop running. Its destroy notify runs on the loop's context.
 *
 * Threading: may be called from any thread.
 *
 * Returns: %TRUE if the timeout was pending, %FALSE if it had expired, had
 *   been cleared or never existed
 *
 * Since: 0.1
 */
gboolean
gasync_event_loop_clear_timeout (GasyncEventLoop *self,
                                 guint            id)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), FALSE);

  return gasync_event_loop_queue_remove_timeout (self->queue, id);
}

/**
 * gasync_event_loop_start:
 * @self: a #GasyncEventLoop
 * @first_func: (nullable) (scope call) (closure user_data): the first
 *   callback to run
 * @user_data: data for @first_func
 * @error: return location for the error of the callback that failed
 *
 * Runs @first_func, then the loop: it iterates the loop's context,
 * running queued callbacks in order, until nothing is queued and no
 * reserved callback or timeout is pending. The context is acquired and
 * made the thread-default context while the loop runs.
 *
 * The first callback that fails stops the loop: no further callback runs,
 * pending timeouts are dropped, and this returns the callback's error.
 * Callbacks still reserved may be enqueued later: call
 * gasync_event_loop_wait_on_registered() to wait for them before starting
 * the loop again. A loop future rejected without a handler stops the loop
 * in the same way, with %GASYNC_ERROR_UNHANDLED_REJECTION.
 *
 * Starting a loop that is running (from one of its callbacks) fails with
 * %GASYNC_ERROR_ALREADY_STARTED.
 *
 * Threading: call it on a thread that can acquire the loop's context.
 *
 * Blocking: yes, until the loop ran out of work or a callback failed; it
 * iterates the loop's context meanwhile, a nested main loop in which GJS
 * runs no promise job. gasync_event_loop_start_async() is its twin that
 * does not block.
 *
 * Returns: %TRUE once the loop ran out of work, %FALSE with @error set if
 *   a callback failed
 *
 * Since: 0.1
 */
gboolean
gasync_event_loop_start (GasyncEventLoop      *self,
                         GasyncEventLoopFunc   first_func,
                         gpointer              user_data,
                         GError              **error)
{
  GMainContext *context;
  GSource *source;
  gboolean ok;

  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->running)
    {
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED,
                           _("The event loop is already running"));
      return FALSE;
    }

  context = gasync_event_loop_queue_get_context (self->queue);
  if (!g_main_context_acquire (context))
    {
      g_critical ("%s: the loop's main context is owned by another thread",
                  G_STRFUNC);
      return FALSE;
    }

  g_object_ref (self);
  g_main_context_push_thread_default (context);
  self->running = TRUE;
  event_loop_start_begin (self);

  source = loop_source_new (self, NULL, FALSE);
  gasync_source_attach (source, context);

  if (first_func != NULL)
    self->error = event_loop_call (first_func, user_data);
  while (!event_loop_is_done (self))
    g_main_context_iteration (context, TRUE);

  g_source_destroy (source);
  g_source_unref (source);
  gasync_event_loop_queue_stop_draining (self->queue);

  if (self->error != NULL)
    event_loop_fail (self);

  self->running = FALSE;
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);

  ok = self->error == NULL;
  /* A failed run may leave reservations: the loop counts as started until
   * wait_on_registered() waited them out. */
  if (gasync_event_loop_queue_get_n_reserved (self->queue) == 0)
    gasync_leak_untrack (self);
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&self->error));
  g_object_unref (self);
  return ok;
}

/**
 * gasync_event_loop_wait_on_registered:
 * @self: a #GasyncEventLoop
 *
 * Waits until nothing is queued and no reserved callback is pending,
 * running the callbacks that are enqueued meanwhile, from any thread, in
 * order, as gasync_event_loop_start() does. They may reserve and set
 * timeouts for more work, which is waited for too. Unlike in
 * gasync_event_loop_start(), a callback that fails does not stop the
 * others: its error is logged at debug level and dropped, and so are the
 * rejections of loop futures left without a handler. The context is
 * acquired and made the thread-default context meanwhile.
 *
 * Call it after gasync_event_loop_start() failed, so that nothing of the
 * failed run is still going on (k6 modules rely on it as their shutdown
 * path); the loop can then be started again. Callbacks that were queued
 * but had not run when the loop failed, and its timeouts, were dropped
 * with the failure and do not run here.
 *
 * Threading: call it on a thread that can acquire the loop's context,
 * not from one of the loop's callbacks.
 *
 * Blocking: until the last reservation is fulfilled or released; it
 * iterates the loop's context meanwhile, a nested main loop in which GJS
 * runs no promise job. gasync_event_loop_wait_on_registered_async() is
 * its twin that does not block.
 *
 * Since: 0.1
 */
void
gasync_event_loop_wait_on_registered (GasyncEventLoop *self)
{
  GasyncEventLoopQueue *queue;
  GMainContext *context;
  GasyncEventLoopQueueBatch batch = { NULL, 0, 0 };

  g_return_if_fail (GASYNC_IS_EVENT_LOOP (self));
  g_return_if_fail (!self->running);

  queue = self->queue;
  context = gasync_event_loop_queue_get_context (queue);
  if (!g_main_context_acquire (context))
    {
      g_critical ("%s: the loop's main context is owned by another thread",
                  G_STRFUNC);
      return;
    }

  g_object_ref (self);
  g_main_context_push_thread_default (context);
  self->running = TRUE;
  self->failed = FALSE;

  for (;;)
    {
      guint n_reserved;

      if (!gasync_event_loop_queue_steal (queue, FALSE, &n_reserved, &batch))
        {
          if (n_reserved == 0)
            break;
          g_main_context_iteration (context, TRUE);
        }
      run_batch_logged (&batch);
    }
  gasync_event_loop_queue_batch_clear (&batch);

  gasync_event_loop_queue_clear_rejections (queue);

  self->running = FALSE;
  gasync_leak_untrack (self);
  g_main_context_pop_thread_default (context);
  g_main_context_release (context);
  g_object_unref (self);
}

/* Attaches the source that runs @task on the loop's context, whose
 * acquisition it gives back. */
static void
async_run_attach (GasyncEventLoop *self,
                  GTask           *task,
                  gboolean         waiting)
{
  GMainContext *context = gasync_event_loop_queue_get_context (self->queue);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GSource *source = loop_source_new (self, task, waiting);

  if (cancellable != NULL)
    {
      /* A cancellation makes the source ready. */
      GSource *cancel_source = gasync_cancel_source_new (cancellable);

      g_source_add_child_source (source, cancel_source);
      g_source_unref (cancel_source);
    }
  gasync_source_attach (source, context);
  g_source_unref (source);
  g_main_context_release (context);
}

/* The body of gasync_event_loop_start_async() and (@waiting)
 * gasync_event_loop_wait_on_registered_async(), which is @source_tag,
 * named @name: the run begins with the loop's context acquired, which
 * its source gives back. */
static void
async_run (GasyncEventLoop     *self,
           gboolean             waiting,
           gpointer             source_tag,
           const char          *name,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GMainContext *context = gasync_event_loop_queue_get_context (self->queue);
  GTask *task;

  /* The run reports its own cancellation. */
  task = gasync_gtask_new (self, source_tag, name, FALSE, cancellable,
                           callback, user_data);

  if (self->running)
    {
      g_task_return_new_error (task, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED,
                               "%s", _("The event loop is already running"));
      g_object_unref (task);
      return;
    }
  if (!g_main_context_acquire (context))
    {
      g_critical ("%s: the loop's main context is owned by another thread",
                  name);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "%s", "The loop's main context is owned by "
                               "another thread");
      g_object_unref (task);
      return;
    }

  self->running = TRUE;
  if (waiting)
    self->failed = FALSE;
  else
    event_loop_start_begin (self);
  async_run_attach (self, task, waiting);
}

/* In the source's dispatch: runs what is queued, and ends the async run
 * once it is done, or cancelled. */
static void
async_run_dispatch (LoopSource *loop_source)
{
  GasyncEventLoop *self = loop_source->loop;
  GTask *task = loop_source->task;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  guint n_reserved = 0;

  if (loop_source->waiting)
    {
      GasyncEventLoopQueueBatch batch = { NULL, 0, 0 };

      while (!g_cancellable_is_cancelled (cancellable) &&
             gasync_event_loop_queue_steal (self->queue, FALSE, &n_reserved,
                                            &batch))
        run_batch_logged (&batch);
      gasync_event_loop_queue_batch_clear (&batch);
      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        self->failed = TRUE; /* what is left does not run at the next start */
      else if (n_reserved > 0)
        return;
      gasync_event_loop_queue_clear_rejections (self->queue);
    }
  else
    {
      event_loop_run_queued (loop_source, cancellable);
      if (self->error == NULL)
        g_cancellable_set_error_if_cancelled (cancellable, &self->error);
      if (!event_loop_is_done (self))
        return;
      gasync_event_loop_queue_stop_draining (self->queue);
      if (self->error != NULL)
        event_loop_fail (self);
      error = g_steal_pointer (&self->error);
    }

  /* Done: the source ends, and so does the run, before the callback can
   * start another one. */
  g_source_destroy ((GSource *) loop_source);
  loop_source->task = NULL;
  self->running = FALSE;
  if (loop_source->waiting ||
      gasync_event_loop_queue_get_n_reserved (self->queue) == 0)
    gasync_leak_untrack (self);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/**
 * gasync_event_loop_start_async:
 * @self: a #GasyncEventLoop
 * @cancellable: (nullable): a #GCancellable that stops the loop
 * @callback: (scope async): called once the loop ran out of work or
 *   failed
 * @user_data: data for @callback
 *
 * Runs @self like gasync_event_loop_start(), without blocking the caller
 * and without iterating the context itself: the loop's callbacks run as
 * the loop's context is iterated by its thread's own main loop (in GJS,
 * the one that runs the script). @callback is called once nothing is
 * queued and no reserved callback or timeout is pending, or once a
 * callback failed; call gasync_event_loop_start_finish() from it.
 * Cancelling @cancellable stops the loop as a failing callback does, with
 * %G_IO_ERROR_CANCELLED.
 *
 * There is no first callback: queue the first work before, with
 * gasync_event_loop_set_timeout() and a zero delay, or reserve the
 * callbacks of work under way. A loop with nothing queued or reserved
 * completes in a later iteration.
 *
 * Since the loop's callbacks run from that main loop, a JavaScript
 * callback may await promises, and gasync_event_loop_start_async() may be
 * awaited from an async function.
 *
 * Threading: call it on the thread that runs the loop's context, not
 * from one of the loop's callbacks (that fails with
 * %GASYNC_ERROR_ALREADY_STARTED). @callback runs on the thread-default
 * main context of the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_event_loop_start_async (GasyncEventLoop     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_EVENT_LOOP (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  async_run (self, FALSE, gasync_event_loop_start_async,
             "gasync_event_loop_start_async", cancellable, callback,
             user_data);
}

/**
 * gasync_event_loop_start_finish:
 * @self: a #GasyncEventLoop
 * @result: the #GAsyncResult given to the callback
 * @error: return location for the error of the callback that failed
 *
 * Finishes gasync_event_loop_start_async().
 *
 * Returns: %TRUE once the loop ran out of work, %FALSE with @error set if
 *   a callback failed, if the run was cancelled, or if it could not start
 *
 * Since: 0.1
 */
gboolean
gasync_event_loop_start_finish (GasyncEventLoop  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), FALSE);

  return gasync_gtask_finish_boolean (self, result,
                                      gasync_event_loop_start_async, error);
}

/**
 * gasync_event_loop_wait_on_registered_async:
 * @self: a #GasyncEventLoop
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: (scope async): called once nothing is queued or reserved
 * @user_data: data for @callback
 *
 * Waits like gasync_event_loop_wait_on_registered(), without blocking the
 * caller and without iterating the context itself: the callbacks enqueued
 * meanwhile run as the loop's context is iterated by its thread's own
 * main loop, a failure being logged and dropped, and @callback is called
 * once nothing is queued and no reserved callback is pending. Call
 * gasync_event_loop_wait_on_registered_finish() from it. If @cancellable
 * fires first, the waiting ends with %G_IO_ERROR_CANCELLED, and what is
 * still queued then does not run at the next start.
 *
 * Threading: call it on the thread that runs the loop's context, not
 * from one of the loop's callbacks (that fails with
 * %GASYNC_ERROR_ALREADY_STARTED). @callback runs on the thread-default
 * main context of the caller.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_event_loop_wait_on_registered_async (GasyncEventLoop     *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (GASYNC_IS_EVENT_LOOP (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  async_run (self, TRUE, gasync_event_loop_wait_on_registered_async,
             "gasync_event_loop_wait_on_registered_async", cancellable,
             callback, user_data);
}

/**
 * gasync_event_loop_wait_on_registered_finish:
 * @self: a #GasyncEventLoop
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_event_loop_wait_on_registered_async().
 *
 * Returns: %TRUE once nothing is queued or reserved; %FALSE with
 *   %G_IO_ERROR_CANCELLED, or with an error if the wait could not start
 *
 * Since: 0.1
 */
gboolean
gasync_event_loop_wait_on_registered_finish (GasyncEventLoop  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  g_return_val_if_fail (GASYNC_IS_EVENT_LOOP (self), FALSE);

  return gasync_gtask_finish_boolean (self, result,
                                      gasync_event_loop_wait_on_registered_async, error);
}
