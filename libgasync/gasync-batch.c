/* gasync-batch.c: a known set of work items processed in parallel
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-batch
 * @title: GasyncBatch
 * @short_description: a known set of work items processed in parallel
 *
 * A #GasyncBatch (Go blend's `async.Batch`) processes a known list of
 * items with #GasyncBatch:parallelism workers and returns after all of
 * them, with every error collected: gasync_batch_run() fails when any item
 * failed, and gasync_batch_dup_errors() gives each item's error.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GasyncBatch) batch = gasync_batch_new (resize_image, NULL, NULL);
 * g_autoptr(GError) error = NULL;
 *
 * gasync_batch_set_parallelism (batch, 4);
 * if (!gasync_batch_run (batch, images, NULL, &error))
 *   g_warning ("Some images were not resized: %s", error->message);
 * ]|
 *
 * The same in Python:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import Gasync, Gio
 *
 * sizes = {}
 *
 *
 * def measure(item, cancellable):
 *     # Runs on a pool thread, at most 4 at a time.
 *     sizes[item.get_basename()] = len(item.get_path())
 *     return True
 *
 *
 * batch = Gasync.Batch.new(measure)
 * batch.props.parallelism = 4
 * files = [Gio.File.new_for_path('/tmp/image-%d.png' % i) for i in range(10)]
 * assert batch.run(files, None)
 * assert len(sizes) == 10
 * ]|
 *
 * And in JavaScript (GJS, as an ES module):
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Batch.prototype, 'run_async');
 * const done = [];
 * // A main-context batch begins each item on the main loop; the item's
 * // token ends when its asynchronous work is over.
 * const batch = Gasync.Batch.new_for_main_context((file, token) => {
 *     GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
 *         done.push(file.get_basename());
 *         token.end();
 *         return GLib.SOURCE_REMOVE;
 *     });
 *     return true;
 * });
 * batch.parallelism = 4;
 * const files = [...Array(10).keys()].map(i => Gio.File.new_for_path(`/tmp/image-${i}.png`));
 * await batch.run_async(files, null);
 * if (done.length !== 10)
 *     throw new Error(`${done.length} items done`);
 * ]|
 *
 * gasync_batch_new_for_main_context() is the form for JavaScript: its
 * #GasyncWorkBeginFunc runs on the owner context and ends each item's
 * #GasyncTaskToken when the item is done; run it with
 * gasync_batch_run_async().
 *
 * Lifetime: a run keeps the batch alive until it completed, as a GIO
 * asynchronous call keeps its source object: a batch dropped while
 * gasync_batch_run_async() runs is finalized after the run's callback,
 * and its destroy notify is called once.
 *
 * Threading: work functions run on worker threads; begin functions, the
 * destroy notify and async callbacks on the owner context (the
 * thread-default main context of the caller). A batch runs one list at a
 * time.
 */

/**
 * GasyncBatch:
 *
 * Processes a known list of items in parallel and collects every error.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-batch.h"
#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"
#include "gasync-work-queue-private.h"

struct _GasyncBatch
{
  GObject parent_instance;

  GasyncLock lock;
  GPtrArray *errors;
  guint n_cancelled;  /* items of the run that were cancelled */
  int running; /* atomic */

  guint parallelism;
  GasyncInterceptor *interceptor;
  GasyncWorkFunc func;
  GasyncWorkBeginFunc begin_func;
  gpointer user_data;
  GDestroyNotify destroy;
  GMainContext *owner;
};

enum {
  PROP_0,
  PROP_PARALLELISM,
  PROP_INTERCEPTOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (GasyncBatch, gasync_batch, G_TYPE_OBJECT)

static void
collect_error (GObject      *item,
               const GError *error,
               gpointer      user_data)
{
  GasyncBatch *self = user_data;

  /* Cancelled is not failed (the contract). */
  gasync_lock (&self->lock);
  if (gasync_error_is_cancelled (error))
    self->n_cancelled++;
  else
    g_ptr_array_add (self->errors, g_error_copy (error));
  gasync_unlock (&self->lock);
}

static gpointer
copy_error (gconstpointer src,
            gpointer      data)
{
  return g_error_copy (src);
}

static gpointer
copy_object (gconstpointer src,
             gpointer      data)
{
  return g_object_ref ((gpointer) src);
}

static GasyncWorkQueue *
make_queue (GasyncBatch *self,
            guint        n_items)
{
  GasyncWorkQueue *queue;

  if (self->func != NULL)
    queue = gasync_work_queue_new (self->func, self->user_data, NULL);
  else
    queue = gasync_work_queue_new_for_main_context (self->begin_func,
                                                    self->user_data, NULL);
  gasync_work_queue_set_owner_context (queue, self->owner);
  /* The caller's list (or the run's copy of it) holds the items. */
  gasync_work_queue_set_borrowed_items (queue);
  gasync_work_queue_set_error_func (queue, collect_error, self);
  gasync_work_queue_set_parallelism (queue, self->parallelism);
  if (self->func != NULL)
    gasync_work_queue_set_interceptor (queue, self->interceptor);
  gasync_work_queue_set_max_work (queue, MAX (n_items, 1));
  gasync_work_queue_set_shutdown_grace_period (queue, G_MAXINT64);
  return queue;
}

/* Sets @error from the collected errors, if any. */
static gboolean
check_errors (GasyncBatch  *self,
              guint         n_items,
              GError      **error)
{
  gboolean ok;

  gasync_lock (&self->lock);
  ok = self->errors->len == 0;
  if (self->errors->len == 1)
    g_propagate_error (error, g_error_copy (self->errors->pdata[0]));
  else if (!ok)
    g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_FAILED,
                 /* Translators: the first %u is a number of failed items,
                  * the second the number of items, %s the first error */
                 _("%u of %u items failed; the first error: %s"),
                 self->errors->len, n_items,
                 ((GError *) self->errors->pdata[0])->message);
  gasync_unlock (&self->lock);
  return ok;
}

static gboolean
run_batch (GasyncBatch   *self,
           GPtrArray     *items,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GasyncWorkQueue) queue = NULL;
  guint n_cancelled;
  gboolean ok;

  /* Both forms: a caller that gave up already gets no items run. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!g_atomic_int_compare_and_exchange (&self->running, FALSE, TRUE))
    {
      g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_ALREADY_STARTED,
                           _("The batch is running already"));
      return FALSE;
    }

  gasync_lock (&self->lock);
  g_ptr_array_set_size (self->errors, 0);
  self->n_cancelled = 0;
  gasync_unlock (&self->lock);

  queue = make_queue (self, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      gboolean queued = gasync_work_queue_try_enqueue (queue, items->pdata[i],
                                                       NULL);
      g_assert (queued);
    }
  gasync_work_queue_start (queue, NULL);
  gasync_work_queue_close (queue, cancellable, NULL);
  g_clear_object (&queue);

  gasync_lock (&self->lock);
  n_cancelled = self->n_cancelled;
  gasync_unlock (&self->lock);
  /* Once the run's cancellable fired, the run was cancelled, whatever its
   * items did, in both forms (as GTask reports an async call). */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    ok = FALSE;
  else if (!check_errors (self, items->len, error))
    ok = FALSE;
  else if (n_cancelled > 0)
    {
      /* Items cancelled by something else than the run's cancellable:
       * not done, nor failed. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                   /* Translators: the first %u is a number of cancelled
                    * items, the second the number of items */
                   _("%u of %u items were cancelled"), n_cancelled,
                   items->len);
      ok = FALSE;
    }
  else
    ok = TRUE;
  /* Not before: the next run starts by clearing the errors. */
  g_atomic_int_set (&self->running, FALSE);
  return ok;
}

static void
gasync_batch_finalize (GObject *object)
{
  GasyncBatch *self = GASYNC_BATCH (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_ptr_array_unref (self->errors);
  g_clear_object (&self->interceptor);
  g_main_context_unref (self->owner);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_batch_parent_class)->finalize (object);
}

static void
gasync_batch_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GasyncBatch *self = GASYNC_BATCH (object);

  switch (prop_id)
    {
    case PROP_PARALLELISM:
      g_value_set_uint (value, gasync_batch_get_parallelism (self));
      break;

    case PROP_INTERCEPTOR:
      g_value_set_object (value, gasync_batch_get_interceptor (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_batch_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GasyncBatch *self = GASYNC_BATCH (object);

  switch (prop_id)
    {
    case PROP_PARALLELISM:
      gasync_batch_set_parallelism (self, g_value_get_uint (value));
      break;

    case PROP_INTERCEPTOR:
      gasync_batch_set_interceptor (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gasync_batch_class_init (GasyncBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_batch_finalize;
  object_class->get_property = gasync_batch_get_property;
  object_class->set_property = gasync_batch_set_property;

  /**
   * GasyncBatch:parallelism:
   *
   * How many items are processed at the same time. The default is the
   * number of processors.
   *
   * Since: 0.1
   */
  properties[PROP_PARALLELISM] = gasync_work_queue_parallelism_pspec_new ();

  /**
   * GasyncBatch:interceptor:
   *
   * The interceptor that runs around the work function of every item, or
   * %NULL. It does not apply to the main-context form.
   *
   * Since: 0.1
   */
  properties[PROP_INTERCEPTOR] = gasync_work_queue_interceptor_pspec_new ();

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gasync_type_class_publish (klass);
}

static void
gasync_batch_init (GasyncBatch *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  self->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->parallelism = MAX (1, g_get_num_processors ());
  self->owner = g_main_context_ref_thread_default ();
}

/**
 * gasync_batch_new:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   processes one item, in a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the owner context
 *
 * Creates a batch whose items are processed by @func in worker threads.
 *
 * Returns: (transfer full): a new #GasyncBatch
 *
 * Since: 0.1
 */
GasyncBatch *
gasync_batch_new (GasyncWorkFunc func,
                  gpointer       user_data,
                  GDestroyNotify destroy)
{
  GasyncBatch *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (GASYNC_TYPE_BATCH, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * gasync_batch_new_for_main_context:
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   begins processing one item, on the owner context
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, on the owner context
 *
 * Creates a batch whose items are processed by asynchronous work on the
 * owner context, at most #GasyncBatch:parallelism in flight: the form for
 * JavaScript. Run it with gasync_batch_run_async().
 *
 * Returns: (transfer full): a new #GasyncBatch
 *
 * Since: 0.1
 */
GasyncBatch *
gasync_batch_new_for_main_context (GasyncWorkBeginFunc func,
                                   gpointer            user_data,
                                   GDestroyNotify      destroy)
{
  GasyncBatch *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (GASYNC_TYPE_BATCH, NULL);
  self->begin_func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/**
 * gasync_batch_get_parallelism:
 * @self: a #GasyncBatch
 *
 * Gets #GasyncBatch:parallelism.
 *
 * Returns: how many items are processed at the same time
 *
 * Since: 0.1
 */
guint
gasync_batch_get_parallelism (GasyncBatch *self)
{
  g_return_val_if_fail (GASYNC_IS_BATCH (self), 0);

  return self->parallelism;
}

/**
 * gasync_batch_set_parallelism:
 * @self: a #GasyncBatch
 * @parallelism: how many items to process at the same time, at least 1
 *   and at most %G_MAXUINT16
 *
 * Sets #GasyncBatch:parallelism. It takes effect at the next run.
 *
 * Since: 0.1
 */
void
gasync_batch_set_parallelism (GasyncBatch *self,
                              guint        parallelism)
{
  g_return_if_fail (GASYNC_IS_BATCH (self));
  g_return_if_fail (parallelism >= 1 && parallelism <= G_MAXUINT16);
  g_return_if_fail (!g_atomic_int_get (&self->running));

  if (self->parallelism == parallelism)
    return;
  self->parallelism = parallelism;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARALLELISM]);
}

/**
 * gasync_batch_get_interceptor:
 * @self: a #GasyncBatch
 *
 * Gets #GasyncBatch:interceptor.
 *
 * Returns: (transfer none) (nullable): the interceptor, or %NULL
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_batch_get_interceptor (GasyncBatch *self)
{
  g_return_val_if_fail (GASYNC_IS_BATCH (self), NULL);

  return self->interceptor;
}

/**
 * gasync_batch_set_interceptor:
 * @self: a #GasyncBatch
 * @interceptor: (nullable): the interceptor, or %NULL for none
 *
 * Sets #GasyncBatch:interceptor, which runs around the work function of
 * every item. It takes effect at the next run.
 *
 * Since: 0.1
 */
void
gasync_batch_set_interceptor (GasyncBatch       *self,
                              GasyncInterceptor *interceptor)
{
  g_return_if_fail (GASYNC_IS_BATCH (self));
  g_return_if_fail (interceptor == NULL || GASYNC_IS_INTERCEPTOR (interceptor));
  g_return_if_fail (!g_atomic_int_get (&self->running));

  if (g_set_object (&self->interceptor, interceptor))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERCEPTOR]);
}

/**
 * gasync_batch_dup_errors:
 * @self: a #GasyncBatch
 *
 * Gets the error of every item that failed in the last run, in the order
 * in which they failed.
 *
 * Threading: may be called from any thread.
 *
 * Returns: (transfer container) (element-type GLib.Error): the errors, maybe
 *   none
 *
 * Since: 0.1
 */
GPtrArray *
gasync_batch_dup_errors (GasyncBatch *self)
{
  GPtrArray *errors;

  g_return_val_if_fail (GASYNC_IS_BATCH (self), NULL);

  gasync_lock (&self->lock);
  errors = g_ptr_array_copy (self->errors, copy_error, NULL);
  gasync_unlock (&self->lock);
  g_ptr_array_set_free_func (errors, (GDestroyNotify) g_error_free);
  return errors;
}

/**
 * gasync_batch_run:
 * @self: a #GasyncBatch
 * @items: (element-type GObject): the items to process
 * @cancellable: (nullable): a #GCancellable to stop early
 * @error: return location for a #GError
 *
 * Processes every item in @items, #GasyncBatch:parallelism at a time, and
 * returns when all are done. Fails when any item failed: with that item's
 * error when it is the only one, otherwise with %GASYNC_ERROR_FAILED
 * counting them; gasync_batch_dup_errors() then gives each error. When
 * @cancellable fires, the running items are cancelled, the others are not
 * run, and the run fails with %G_IO_ERROR_CANCELLED; when it had fired
 * before the call, no item runs. An item that was cancelled
 * (%G_IO_ERROR_CANCELLED, or %FALSE without an error after its cancellable
 * fired) did not fail: its error is not kept, and if no item failed the
 * run fails with %G_IO_ERROR_CANCELLED. A batch runs one list at a time: a
 * run while another is going on fails with
 * %GASYNC_ERROR_ALREADY_STARTED.
 *
 * A main-context batch begins its items on the owner context, so do not
 * call this from there: use gasync_batch_run_async(). Called while that
 * context is being run, it would wait forever: that is a critical, and it
 * returns %FALSE with %G_IO_ERROR_WOULD_BLOCK without running anything.
 *
 * Blocking: yes, until every item has finished (or was cancelled or not
 * run); it iterates no main loop. gasync_batch_run_async() is its twin
 * that does not block.
 *
 * Returns: %TRUE if every item succeeded
 *
 * Since: 0.1
 */
gboolean
gasync_batch_run (GasyncBatch   *self,
                  GPtrArray     *items,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_BATCH (self), FALSE);
  g_return_val_if_fail (items != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->begin_func != NULL && g_main_context_is_owner (self->owner))
    {
      gasync_report_self_deadlock (error, "gasync_batch_run",
                                   "called on the owner context of a "
                                   "main-context batch, which alone can "
                                   "begin its items; use "
                                   "gasync_batch_run_async()");
      return FALSE;
    }

  return run_batch (self, items, cancellable, error);
}

typedef struct
{
  GTask *task;
  GPtrArray *items;
  GError *error;
} RunAsync;

static void
run_return_cb (gpointer data)
{
  RunAsync *run = data;

  /* The run lets go of the items before it reports that it is done. */
  g_clear_pointer (&run->items, g_ptr_array_unref);
  if (run->error != NULL)
    g_task_return_error (run->task, g_steal_pointer (&run->error));
  else
    g_task_return_boolean (run->task, TRUE);
}

static void
run_async_free (gpointer data)
{
  RunAsync *run = data;

  g_clear_error (&run->error);
  g_clear_pointer (&run->items, g_ptr_array_unref);
  g_object_unref (run->task);
  g_free (run);
}

static void
run_in_pool (gpointer data)
{
  RunAsync *run = data;
  GTask *task = run->task;

  run_batch (g_task_get_source_object (task), run->items,
             g_task_get_cancellable (task), &run->error);
  gasync_owner_invoke (g_task_get_context (task), GASYNC_OWNER_QUEUE,
                       run_return_cb, run, run_async_free);
}

/**
 * gasync_batch_run_async:
 * @self: a #GasyncBatch
 * @items: (element-type GObject): the items to process
 * @cancellable: (nullable): a #GCancellable to stop early
 * @callback: called when every item is done
 * @user_data: data for @callback
 *
 * Processes every item like gasync_batch_run() without blocking the
 * caller. @callback runs on the thread-default main context of the
 * caller; get the result with gasync_batch_run_finish().
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_batch_run_async (GasyncBatch         *self,
                        GPtrArray           *items,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  RunAsync *run;

  g_return_if_fail (GASYNC_IS_BATCH (self));
  g_return_if_fail (items != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run = g_new0 (RunAsync, 1);
  run->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (run->task, gasync_batch_run_async);
  g_task_set_name (run->task, "gasync_batch_run_async");
  /* Bindings may free the array after the call: keep a copy. */
  run->items = g_ptr_array_copy (items, copy_object, NULL);
  g_ptr_array_set_free_func (run->items, g_object_unref);
  gasync_pool_push (run_in_pool, run);
}

/**
 * gasync_batch_run_finish:
 * @self: a #GasyncBatch
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes gasync_batch_run_async().
 *
 * Returns: %TRUE if every item succeeded
 *
 * Since: 0.1
 */
gboolean
gasync_batch_run_finish (GasyncBatch   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_BATCH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        gasync_batch_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
