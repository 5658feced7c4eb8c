/* gasync-worker.c: one background thread consuming work items in order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-worker
 * @title: GasyncWorker
 * @short_description: one background thread consuming work items in order
 *
 * A worker is Go's `async.Worker`: a dedicated thread that takes work
 * items from a queue, one at a time and in the order they were enqueued,
 * and passes each to a #GasyncWorkerFunc. A failed item is reported as
 * #GasyncWorker::error and the worker goes on with the next one.
 *
 * Items are #GObjects (the worker keeps a reference until the item is
 * done); C may also enqueue plain pointers with a free function using
 * gasync_worker_enqueue_pointer(). That reference or free function is the
 * item's finalizer: it runs once per item, after the item was processed or
 * discarded, on the owner context. Every accepted item is either processed
 * exactly once or discarded by gasync_worker_close(), which says how many;
 * gasync_worker_enqueue() refuses items (returns %FALSE, takes nothing)
 * while the worker is not running.
 *
 * The lifecycle follows #GasyncLatch: gasync_worker_start() moves from
 * stopped to started (and refuses with %GASYNC_ERROR_ALREADY_STARTED
 * otherwise), gasync_worker_stop() lets the queued items run and then
 * stops, gasync_worker_close() discards them and cancels the running one.
 *
 * Lifetime: neither the thread nor the main-context source keeps the
 * worker alive. Dropping the last reference to a running worker closes
 * it, as gasync_worker_close() does but without waiting: the queued items
 * are discarded (their finalizers run on the owner context), the item
 * being processed is cancelled, and the worker is finalized (its
 * destroy notify called once) when that item has returned: on the owner
 * context, which must be iterated then, for a threaded worker.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * send_mail (gpointer item, GCancellable *cancellable,
 *            gpointer user_data, GError **error)
 * {
 *   return mail_send (MAIL (item), cancellable, error);
 * }
 *
 * worker = gasync_worker_new (send_mail, NULL, NULL);
 * g_signal_connect (worker, "error", G_CALLBACK (on_error), NULL);
 * gasync_worker_start (worker, NULL);
 * gasync_worker_enqueue (worker, G_OBJECT (mail));
 * ...
 * gasync_worker_stop (worker, NULL, NULL);   // after the queued mails
 * ]|
 *
 * In Python:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync, Gio
 *
 * sent = []
 *
 *
 * def send(item, cancellable):
 *     sent.append(item.get_basename())  # one thread, items in order
 *     return True
 *
 *
 * worker = Gasync.Worker.new(send)
 * worker.start()
 * for name in ('a', 'b', 'c'):
 *     worker.enqueue(Gio.File.new_for_path('/tmp/mail-' + name))
 * worker.stop(None)  # processes what is queued, then stops
 * assert sent == ['mail-a', 'mail-b', 'mail-c']
 * ]|
 *
 * In JavaScript, with a main-context worker:
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * const sent = [];
 * const loop = new GLib.MainLoop(null, false);
 * // In GJS a worker runs its items on the main context, one at a time.
 * const worker = Gasync.Worker.new_for_main_context(file => {
 *     sent.push(file.get_basename());
 *     if (sent.length === 3)
 *         loop.quit();
 *     return true;
 * });
 * worker.start();
 * for (const name of ['a', 'b', 'c'])
 *     worker.enqueue(Gio.File.new_for_path(`/tmp/mail-${name}`));
 * loop.run();
 * worker.stop(null);
 * if (sent.join() !== 'mail-a,mail-b,mail-c')
 *     throw new Error(sent.join());
 * ]|
 *
 * JavaScript cannot run on another thread: gasync_worker_new_for_main_context()
 * makes a worker that runs its function on the owner context instead, one
 * item per main-loop iteration.
 *
 * Threading: gasync_worker_enqueue() and gasync_worker_enqueue_pointer()
 * may be called from any thread, as may the other functions of a threaded
 * worker; a main-context worker is started, stopped and closed on its
 * owner context. #GasyncWorker::error, #GObject::notify for
 * #GasyncWorker:state and the items' finalizers run on the thread-default
 * main context of the thread that created the worker.
 */

/**
 * GasyncWorker:
 *
 * A background thread, or a main-context source, that processes enqueued
 * work items one at a time and in order.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-gtask-private.h"
#include "gasync-lifecycle-private.h"
#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-property-private.h"

typedef struct
{
  gpointer data;
  GDestroyNotify free;
} Item;

struct _GasyncWorker
{
  GObject parent_instance;

  /* life.stop_requested: refuse new items, end when the queue is empty */
  GasyncLifecycle life;
  GQueue items;             /* Item, under life.lock */
  gboolean main_context_mode;

  GasyncWorkerFunc func;
  gpointer user_data;
  GDestroyNotify destroy;

  char *name; /* under life.lock */
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The "error" signal, which gasync_lifecycle_class_install() adds. */
static guint error_signal;

G_DEFINE_FINAL_TYPE (GasyncWorker, gasync_worker, G_TYPE_OBJECT)

/* Why the blocking calls refuse to run on the worker's own thread. */
#define OWN_THREAD_WHY \
  "called from the worker's own thread, which it waits for"

/* Finalizes @item on the owner context. */
static void
worker_release_item (GasyncWorker *self,
                     Item         *item)
{
  gasync_owner_destroy (self->life.owner, GASYNC_OWNER_QUEUE, item->free,
                        item->data);
  g_free (item);
}

typedef struct
{
  GasyncWorker *self;
  gpointer item;
} Call;

static gboolean
call_func (GCancellable  *cancellable,
           gpointer       data,
           GError       **error)
{
  Call *call = data;

  return call->self->func (call->item, cancellable, call->self->user_data,
                           error);
}

static void
worker_process (GasyncWorker *self,
                Item         *item,
                GCancellable *cancellable)
{
  Call call = { self, item->data };

  gasync_lifecycle_call (&self->life, call_func, "GasyncWorker item",
                         cancellable, &call, error_signal);
  worker_release_item (self, item);
}

/* Pops the next item, or returns NULL; *finished tells whether the worker
 * should end (asked to stop and nothing is left). */
static Item *
worker_pop_locked (GasyncWorker *self,
                   gboolean     *finished)
{
  Item *item = g_queue_pop_head (&self->items);

  *finished = item == NULL && self->life.stop_requested;
  return item;
}

/* Called with the lock held: whether worker_pop_locked() returns an
 * item or finishes. */
static gboolean
has_item_or_stop (gpointer data)
{
  GasyncWorker *self = data;

  return !g_queue_is_empty (&self->items) || self->life.stop_requested;
}

static void
worker_thread (gpointer      data,
               GCancellable *cancellable)
{
  GasyncWorker *self = data;
  gboolean finished = FALSE;

  while (!finished)
    {
      Item *item;

      gasync_lock (&self->life.lock);
      gasync_wait (&self->life.lock, &self->life.cond, has_item_or_stop, self,
                   G_MAXINT64, NULL, NULL);
      item = worker_pop_locked (self, &finished);
      gasync_unlock (&self->life.lock);

      if (item != NULL)
        worker_process (self, item, cancellable);
    }
}

/* One item per main-loop iteration, so that the loop stays responsive. */
static gboolean
worker_source_cb (gpointer data)
{
  GasyncWorker *self = data;
  g_autoptr(GCancellable) cancellable = NULL;
  gboolean finished;
  Item *item;

  gasync_lock (&self->life.lock);
  item = worker_pop_locked (self, &finished);
  if (self->life.source != NULL &&
      (!g_queue_is_empty (&self->items) || self->life.stop_requested))
    g_source_set_ready_time (self->life.source, 0);
  cancellable = g_object_ref (self->life.cancellable);
  gasync_unlock (&self->life.lock);

  if (item != NULL)
    worker_process (self, item, cancellable);
  if (!finished)
    return G_SOURCE_CONTINUE;

  gasync_lifecycle_end_source (&self->life);
  return G_SOURCE_REMOVE;
}

static gboolean worker_request_stop (gpointer   object,
                                     guint64   *run,
                                     GError   **error);
static gboolean worker_after_stop (gpointer object);

static const GasyncLifecycleRunner worker_runner = {
  .source_name = "[gasync] worker",
  .source_func = worker_source_cb,
  .thread_name = "gasync-worker",
  .thread_func = worker_thread,
  .request_stop = worker_request_stop,
  .after_stop = worker_after_stop,
};

static gboolean worker_request_close (GasyncWorker *self,
                                      guint64      *run,
                                      guint        *n_discarded);
static void worker_drain (GasyncWorker *self);

static void
gasync_worker_dispose (GObject *object)
{
  GasyncWorker *self = GASYNC_WORKER (object);
  guint64 run;
  guint n_discarded;

  /* Dropped while running: closed, without waiting. */
  if (worker_request_close (self, &run, &n_discarded) &&
      self->main_context_mode)
    worker_drain (self);
  if (gasync_lifecycle_dispose (&self->life))
    return;

  G_OBJECT_CLASS (gasync_worker_parent_class)->dispose (object);
}

static void
gasync_worker_finalize (GObject *object)
{
  GasyncWorker *self = GASYNC_WORKER (object);

  g_assert (g_queue_is_empty (&self->items));
  g_free (self->name);
  /* On the owner context, as every destroy notify (the contract): the
   * last reference may go in another thread. */
  gasync_owner_destroy (self->life.owner, GASYNC_OWNER_NOW_IF_OWNER,
                        self->destroy, self->user_data);
  gasync_lifecycle_clear (&self->life);

  G_OBJECT_CLASS (gasync_worker_parent_class)->finalize (object);
}

static const GasyncPropertyAccess property_access[N_PROPS] = {
  [PROP_STATE] = { G_CALLBACK (gasync_worker_get_state), NULL },
  [PROP_NAME] = {
    G_CALLBACK (gasync_worker_get_name),
    G_CALLBACK (gasync_worker_set_name),
  },
};

static void
gasync_worker_class_init (GasyncWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->dispose = gasync_worker_dispose;
  object_class->finalize = gasync_worker_finalize;

  /**
   * GasyncWorker:name:
   *
   * A name for the worker, such as `mailer`, or %NULL (the default). The
   * leak checks of gasync_leaks_check() list a running worker under it,
   * and any line the worker logs begins with it (`Worker “mailer”: …`;
   * an unnamed worker is named by its address).
   *
   * Since: 0.1
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", "Name",
                         "The name of the worker, for logs and leak checks",
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  /**
   * GasyncWorker:state:
   *
   * The lifecycle state, as in #GasyncLatch. Its #GObject::notify is
   * emitted on the owner context after each transition.
   *
   * Since: 0.1
   */

  /**
   * GasyncWorker::error:
   * @self: the #GasyncWorker
   * @error: the error of a work item
   *
   * Emitted on the owner context for each item whose function failed; the
   * worker goes on with the next item. A function that returned %FALSE
   * without an error is reported as %GASYNC_ERROR_FAILED, unless its
   * cancellable had fired: an item that was cancelled (that, or
   * %G_IO_ERROR_CANCELLED) did not fail and is not reported. With no
   * handler connected, the failure is logged as a warning instead.
   *
   * Since: 0.1
   */
  gasync_lifecycle_class_install (object_class, property_access, properties,
                                  N_PROPS, PROP_STATE, &error_signal);
}

static void
gasync_worker_init (GasyncWorker *self)
{
  gasync_type_class_acquire (self);

  gasync_lifecycle_init (&self->life, G_OBJECT (self),
                         properties[PROP_STATE], FALSE);
  g_queue_init (&self->items);
}

static GasyncWorker *
worker_new (GasyncWorkerFunc func,
            gpointer         user_data,
            GDestroyNotify   destroy,
            gboolean         main_context_mode)
{
  GasyncWorker *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (GASYNC_TYPE_WORKER, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->main_context_mode = main_context_mode;
  return self;
}

/**
 * gasync_worker_new:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   processes one item, on the worker's thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the worker is finalized
 *
 * Creates a stopped worker whose @func runs on a dedicated thread (C and
 * Python; JavaScript uses gasync_worker_new_for_main_context()). The
 * thread-default main context of the caller becomes the owner context.
 *
 * Returns: (transfer full): a new #GasyncWorker
 *
 * Since: 0.1
 */
GasyncWorker *
gasync_worker_new (GasyncWorkerFunc func,
                   gpointer         user_data,
                   GDestroyNotify   destroy)
{
  return worker_new (func, user_data, destroy, FALSE);
}

/**
 * gasync_worker_new_for_main_context:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   processes one item, on the owner context
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the worker is finalized
 *
 * Creates a stopped worker whose @func runs on the owner context (the
 * thread-default main context of the caller), one item per main-loop
 * iteration: the form for JavaScript, and for work that must stay on the
 * main thread. Start, stop and close it on the owner context;
 * gasync_worker_stop() processes the items that are left before it
 * returns.
 *
 * Returns: (transfer full): a new #GasyncWorker
 *
 * Since: 0.1
 */
GasyncWorker *
gasync_worker_new_for_main_context (GasyncWorkerFunc func,
                                    gpointer         user_data,
                                    GDestroyNotify   destroy)
{
  return worker_new (func, user_data, destroy, TRUE);
}

/**
 * gasync_worker_get_state:
 * @self: a #GasyncWorker
 *
 * Gets the lifecycle state; another thread may change it at any time.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
GasyncLatchState
gasync_worker_get_state (GasyncWorker *self)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), GASYNC_LATCH_STATE_STOPPED);

  return gasync_lifecycle_get_state (&self->life);
}

/**
 * gasync_worker_get_n_queued:
 * @self: a #GasyncWorker
 *
 * Gets the number of items waiting in the queue, not counting the one
 * being processed.
 *
 * Returns: the number of queued items
 *
 * Since: 0.1
 */
guint
gasync_worker_get_n_queued (GasyncWorker *self)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), 0);

  return gasync_read_uint (&self->life.lock, &self->items.length);
}

/**
 * gasync_worker_get_name:
 * @self: a #GasyncWorker
 *
 * Gets #GasyncWorker:name.
 *
 * Threading: the string belongs to @self and stays valid until the name
 * is changed; read it on the thread that sets it.
 *
 * Returns: (nullable): the name, or %NULL if @self has none
 *
 * Since: 0.1
 */
const char *
gasync_worker_get_name (GasyncWorker *self)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), NULL);

  return self->name;
}

/**
 * gasync_worker_set_name:
 * @self: a #GasyncWorker
 * @name: (nullable): the new name, or %NULL for none
 *
 * Sets #GasyncWorker:name. Set it on the owner context (it notifies
 * there), preferably before gasync_worker_start(): the leak checks keep
 * the name the worker had when it started.
 *
 * Since: 0.1
 */
void
gasync_worker_set_name (GasyncWorker *self,
                        const char   *name)
{
  g_return_if_fail (GASYNC_IS_WORKER (self));

  if (gasync_replace_string (&self->life.lock, &self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

/**
 * gasync_worker_start:
 * @self: a #GasyncWorker
 * @error: return location for a #GError
 *
 * Starts @self: spawns its thread (or attaches its main-context source)
 * and returns once it is %GASYNC_LATCH_STATE_STARTED. A stopped worker
 * can be started again.
 *
 * Blocking: briefly: a threaded worker returns once its thread has
 * started.
 *
 * Returns: %TRUE on success; %FALSE with %GASYNC_ERROR_ALREADY_STARTED if
 *   @self is not stopped
 *
 * Since: 0.1
 */
gboolean
gasync_worker_start (GasyncWorker  *self,
                     GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), FALSE);
  g_return_val_if_fail (self->func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gasync_lifecycle_begin (&self->life, error))
    return FALSE;

  /* Items may have come since gasync_lifecycle_begin(): ready at once. */
  return gasync_lifecycle_launch (&self->life, &worker_runner,
                                  self->main_context_mode, 0, error);
}

static gboolean
worker_push (GasyncWorker   *self,
             gpointer        data,
             GDestroyNotify  free_func)
{
  gboolean accepted;

  gasync_lock (&self->life.lock);
  accepted = self->life.running && !self->life.stop_requested;
  if (accepted)
    {
      Item *item = g_new (Item, 1);

      item->data = data;
      item->free = free_func;
      g_queue_push_tail (&self->items, item);
      if (self->life.source != NULL)
        g_source_set_ready_time (self->life.source, 0);
      else
        gasync_cond_signal (&self->life.cond);
    }
  gasync_unlock (&self->life.lock);
  return accepted;
}

/**
 * gasync_worker_enqueue:
 * @self: a #GasyncWorker
 * @item: the work item
 *
 * Queues @item behind the items already queued. The worker keeps a
 * reference to @item until it has been processed (or discarded by
 * gasync_worker_close()) and drops it on the owner context.
 *
 * Returns: %TRUE if @item was accepted; %FALSE, taking nothing, if @self
 *   is not running (not started, or stopping)
 *
 * Since: 0.1
 */
gboolean
gasync_worker_enqueue (GasyncWorker *self,
                       GObject      *item)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), FALSE);
  g_return_val_if_fail (G_IS_OBJECT (item), FALSE);

  g_object_ref (item);
  if (worker_push (self, item, g_object_unref))
    return TRUE;
  g_object_unref (item);
  return FALSE;
}

/**
 * gasync_worker_enqueue_pointer: (skip)
 * @self: a #GasyncWorker
 * @item: (nullable): the work item
 * @item_free: (nullable): the item's finalizer, called once on the owner
 *   context after @item was processed or discarded
 *
 * Queues a plain pointer as a work item, for C. The worker takes @item
 * (and calls @item_free on it) only if it accepts it.
 *
 * Returns: %TRUE if @item was accepted; %FALSE, taking nothing, if @self
 *   is not running (not started, or stopping)
 *
 * Since: 0.1
 */
gboolean
gasync_worker_enqueue_pointer (GasyncWorker   *self,
                               gpointer        item,
                               GDestroyNotify  item_free)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), FALSE);

  return worker_push (self, item, item_free);
}

/* Asks @self to stop at once: refuses new items, discards the queued ones
 * (finalized on the owner context) and cancels the one being processed.
 * Returns FALSE if it was not running; else sets *@run, the run to wait
 * for, and *@n_discarded. */
static gboolean
worker_request_close (GasyncWorker *self,
                      guint64      *run,
                      guint        *n_discarded)
{
  GQueue discarded;
  GCancellable *cancellable;
  Item *item;

  gasync_lock (&self->life.lock);
  if (!self->life.running)
    {
      gasync_unlock (&self->life.lock);
      return FALSE;
    }
  self->life.stop_requested = TRUE;
  *run = self->life.run;
  discarded = self->items;
  g_queue_init (&self->items);
  cancellable = g_object_ref (self->life.cancellable);
  gasync_cond_broadcast (&self->life.cond);
  gasync_unlock (&self->life.lock);

  gasync_lifecycle_move (&self->life, GASYNC_LIFECYCLE_STOPPABLE,
                         GASYNC_LATCH_STATE_STOPPING, NULL);
  g_cancellable_cancel (cancellable);
  g_object_unref (cancellable);

  *n_discarded = discarded.length;
  while ((item = g_queue_pop_head (&discarded)) != NULL)
    worker_release_item (self, item);
  return TRUE;
}

/* Main-context mode: runs what is left, then ends. */
static void
worker_drain (GasyncWorker *self)
{
  gboolean finished;

  do
    {
      Item *item;

      gasync_lock (&self->life.lock);
      item = worker_pop_locked (self, &finished);
      gasync_unlock (&self->life.lock);
      if (item != NULL)
        worker_process (self, item, self->life.cancellable);
    }
  while (!finished);

  gasync_lifecycle_end_source (&self->life);
}

static gboolean
worker_request_stop (gpointer   object,
                     guint64   *run,
                     GError   **error)
{
  GasyncWorker *self = object;

  return gasync_lifecycle_request_stop (&self->life, run, error);
}

/* After a stop or close was requested: a main-context worker processes
 * the rest in the caller, and is over then. */
static gboolean
worker_after_stop (gpointer object)
{
  GasyncWorker *self = object;

  if (!self->main_context_mode)
    return FALSE;
  worker_drain (self);
  return TRUE;
}

/**
 * gasync_worker_stop:
 * @self: a #GasyncWorker
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @error: return location for a #GError
 *
 * Stops @self: it refuses new items, processes the ones already queued,
 * and then becomes %GASYNC_LATCH_STATE_STOPPED. Blocks until then, or
 * until @cancellable is cancelled (the worker still goes on stopping in
 * the background; gasync_worker_close() ends it sooner). A main-context
 * worker processes the rest right here, in the caller.
 *
 * Called from the worker's own thread (by an item's function), it would
 * wait for itself forever: that is a critical, and it returns %FALSE with
 * %G_IO_ERROR_WOULD_BLOCK without stopping anything.
 *
 * Blocking: yes, until the queued items were processed and the worker
 * stopped, or @cancellable fires; it iterates no main loop (a main-context
 * worker processes them in the caller). gasync_worker_stop_async() is its
 * twin that does not block.
 *
 * Returns: %TRUE once stopped; %FALSE with %GASYNC_ERROR_NOT_STARTED if
 *   @self was not started, with %G_IO_ERROR_CANCELLED, or with
 *   %G_IO_ERROR_WOULD_BLOCK on the worker's own thread
 *
 * Since: 0.1
 */
gboolean
gasync_worker_stop (GasyncWorker  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL ||
                        G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gasync_lifecycle_refuse_own_thread (&self->life, "Worker", &self->name,
                                          "gasync_worker_stop", OWN_THREAD_WHY,
                                          error))
    return FALSE;

  return gasync_lifecycle_stop (&self->life, &worker_runner, cancellable,
                                error);
}

/**
 * gasync_worker_close:
 * @self: a #GasyncWorker
 *
 * Stops @self at once: it refuses new items, discards the queued ones
 * (their finalizers run on the owner context, unprocessed), cancels the
 * #GCancellable of the item being processed, and blocks until that item
 * returns and @self is stopped. Works also while gasync_worker_stop() is
 * under way; does nothing on a stopped worker. Called from the worker's
 * own thread, it would wait for itself forever: that is a critical, and it
 * returns 0 without closing anything.
 *
 * Blocking: yes, until the item being processed has returned; it iterates
 * no main loop. gasync_worker_close_async() is its twin that does not
 * block.
 *
 * Returns: the number of discarded items
 *
 * Since: 0.1
 */
guint
gasync_worker_close (GasyncWorker *self)
{
  guint64 run;
  guint n;

  g_return_val_if_fail (GASYNC_IS_WORKER (self), 0);

  if (gasync_lifecycle_refuse_own_thread (&self->life, "Worker", &self->name,
                                          "gasync_worker_close", OWN_THREAD_WHY,
                                          NULL))
    return 0;

  if (!worker_request_close (self, &run, &n))
    return 0;

  if (!worker_after_stop (self))
    gasync_lifecycle_wait_run (&self->life, run, NULL, NULL);
  return n;
}

/**
 * gasync_worker_stop_async:
 * @self: a #GasyncWorker
 * @cancellable: (nullable): a #GCancellable to give up waiting
 * @callback: (scope async): called once @self has stopped
 * @user_data: data for @callback
 *
 * Stops @self like gasync_worker_stop() without blocking the caller: it
 * refuses new items at once, and @callback is called once the queued
 * items were processed and @self is %GASYNC_LATCH_STATE_STOPPED. Call
 * gasync_worker_stop_finish() from it. Cancelling @cancellable gives up
 * the waiting only; the worker goes on stopping. A main-context worker
 * processes the rest before this returns, as gasync_worker_stop() does.
 *
 * Threading: may be called from any thread, also from the worker's own
 * thread (an item's function): it does not wait there. @callback runs on
 * the thread-default main context of the caller.
 *
 * Blocking: no; the wait happens on a thread of the library's pool, and
 * no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_worker_stop_async (GasyncWorker        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (GASYNC_IS_WORKER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The wait reports its own cancellation: a worker that stopped before
   * the cancellable fired has stopped. */
  task = gasync_gtask_new (self, gasync_worker_stop_async,
                           "[gasync] gasync_worker_stop_async", FALSE,
                           cancellable, callback, user_data);
  gasync_lifecycle_stop_async (&self->life, &worker_runner, task);
}

/**
 * gasync_worker_stop_finish:
 * @self: a #GasyncWorker
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_worker_stop_async().
 *
 * Returns: %TRUE once stopped; %FALSE with %GASYNC_ERROR_NOT_STARTED if
 *   @self was not started, or with %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_worker_stop_finish (GasyncWorker  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), FALSE);

  return gasync_gtask_finish_boolean (self, result, gasync_worker_stop_async,
                                      error);
}

/**
 * gasync_worker_close_async:
 * @self: a #GasyncWorker
 * @callback: (scope async): called once @self is closed
 * @user_data: data for @callback
 *
 * Closes @self like gasync_worker_close() without blocking the caller:
 * the queued items are discarded and the running one is cancelled at
 * once, and @callback is called once that item has returned and @self is
 * stopped. Call gasync_worker_close_finish() from it.
 *
 * Threading: may be called from any thread, also from the worker's own
 * thread (an item's function): it does not wait there. @callback runs on
 * the thread-default main context of the caller.
 *
 * Blocking: no; the wait happens on a thread of the library's pool, and
 * no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_worker_close_async (GasyncWorker        *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;
  guint64 run;
  guint n = 0;

  g_return_if_fail (GASYNC_IS_WORKER (self));

  task = gasync_gtask_new (self, gasync_worker_close_async,
                           "[gasync] gasync_worker_close_async", FALSE, NULL,
                           callback, user_data);
  if (!worker_request_close (self, &run, &n))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, GUINT_TO_POINTER (n), NULL);
  gasync_lifecycle_end_run_async (&self->life, &worker_runner, run, task);
}

/**
 * gasync_worker_close_finish:
 * @self: a #GasyncWorker
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_worker_close_async().
 *
 * Returns: the number of discarded items
 *
 * Since: 0.1
 */
guint
gasync_worker_close_finish (GasyncWorker  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_WORKER (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gasync_worker_close_async, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return 0;
  return GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));
}
