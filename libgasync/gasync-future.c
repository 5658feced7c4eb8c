/* gasync-future.c: a thread-safe one-shot result
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-future
 * @title: GasyncFuture
 * @short_description: a thread-safe one-shot value or error
 *
 * A #GasyncFuture holds the result of some work that may not be done yet:
 * it is pending until it is settled once, either resolved with a value
 * (gasync_future_resolve_value(), gasync_future_resolve_object()) or
 * rejected with an error (gasync_future_reject()). Later attempts to
 * settle it are ignored and return %FALSE, so that several racing
 * producers can try.
 *
 * The result can be observed in four ways:
 * gasync_future_add_done_callback() runs a callback on a main context, like
 * a promise's then();
 * gasync_future_wait() blocks a thread; gasync_future_await_async() is the
 * GIO form (`Gio._promisify()` turns it into a JavaScript promise); and
 * gasync_future_all(), gasync_future_any() and gasync_future_first()
 * combine several futures into one. gasync_future_run_in_thread() runs a
 * task function on the library's thread pool and returns the future of its
 * outcome.
 *
 * Values from threads: a #GasyncValueFunc is a task function that
 * produces a value, by resolving the result future it is given.
 * gasync_future_run_value_in_thread(), gasync_stopper_submit() and
 * gasync_tasks_submit() run one on the pool and return a future resolved
 * with that value, and gasync_future_all() collects the values of several
 * futures, in order, into a #GValueArray. From GJS, which cannot run a
 * function on a worker thread, such futures are awaited:
 * |[<!-- language="JavaScript" -->
 * Gio._promisify(Gasync.Future.prototype, 'await_async', 'await_finish');
 * const values = await Gasync.Future.all(futures).await_async(null);
 * for (let i = 0; i < values.n_values; i++)
 *     print(values.get_nth(i));
 * ]|
 *
 * A future made by gasync_event_loop_new_future() belongs to that loop: its
 * done callbacks run in the loop, and a rejection that has no handler when
 * the loop goes idle stops the loop.
 *
 * The method that Go and JavaScript call then() is named
 * gasync_future_add_done_callback(), as in Python's futures: a JavaScript
 * object with a then() method is a "thenable", and GJS would call it from
 * every `await future` and from every async function that returns a
 * future, passing its resolve function, which would receive the future,
 * a thenable again, forever.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GasyncFuture) future = gasync_future_run_in_thread (NULL, fetch, data, NULL);
 * g_autoptr(GError) error = NULL;
 *
 * if (!gasync_future_wait (future, cancellable, &error))
 *   g_warning ("fetch failed: %s", error->message);
 * ]|
 *
 * In Python, awaiting a future without blocking:
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import GLib, Gasync
 *
 * future = Gasync.Future.new()
 * main_loop = GLib.MainLoop()
 * seen = []
 *
 *
 * def on_done(future, result):
 *     seen.append(future.await_finish(result))
 *     main_loop.quit()
 *
 *
 * future.await_async(None, on_done)
 * GLib.timeout_add(10, lambda: future.resolve_value('fetched') and False)
 * main_loop.run()
 * assert seen == ['fetched']
 * ]|
 *
 * And in JavaScript (GJS, as an ES module):
 * |[<!-- language="JavaScript" -->
 * import GLib from 'gi://GLib';
 * import Gio from 'gi://Gio';
 * import Gasync from 'gi://Gasync?version=1';
 *
 * Gio._promisify(Gasync.Future.prototype, 'await_async', 'await_finish');
 *
 * const future = new Gasync.Future();
 * GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
 *     future.resolve_value('fetched');
 *     return GLib.SOURCE_REMOVE;
 * });
 * const value = await future.await_async(null);
 * if (value !== 'fetched')
 *     throw new Error(`got ${value}`);
 * ]|
 *
 * Lifetime: what will settle a future holds a reference to it (the
 * thread of gasync_future_run_in_thread(), a combinator's inputs), and so
 * does a pending gasync_future_await_async(), until its callback has run.
 * A future dropped meanwhile is finalized once it was settled and its done
 * callbacks ran; one dropped while nothing can settle it any more is
 * finalized at once, dropping its done callbacks. Either way each destroy
 * notify is called once.
 *
 * Threading: every function may be called from any thread. Callbacks run
 * on the context documented with each function, never on the thread that
 * settles the future.
 */

/**
 * GasyncFuture:
 *
 * A one-shot value or error that can be waited for from any thread.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-future-private.h"
#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-source-private.h"
#include "gasync-sync-private.h"

typedef enum
{
  STATE_PENDING,
  STATE_RESOLVED,
  STATE_REJECTED,
} State;

/* An internal observer: @func runs once, on the thread that settles the
 * future (or adds the handler to a settled one), and takes ownership of
 * @data; @drop frees @data of a handler whose future is finalized
 * pending. */
typedef void (*HandlerFunc) (GasyncFuture *future,
                             gpointer      data);

typedef struct
{
  HandlerFunc func;
  gpointer data;
  GDestroyNotify drop;
} Handler;

struct _GasyncFuture
{
  GObject parent_instance;

  GasyncLock lock;
  GasyncCond cond;

  /* Under the lock; the value and error never change once settled. */
  State state;
  GValue value;
  GError *error;
  gboolean handled;
  GArray *handlers;

  GasyncEventLoopQueue *queue;
};

G_DEFINE_FINAL_TYPE (GasyncFuture, gasync_future, G_TYPE_OBJECT)

static GValue *
value_dup (const GValue *value)
{
  GValue *copy;

  if (!G_IS_VALUE (value))
    return NULL;

  copy = g_new0 (GValue, 1);
  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
  return copy;
}

static void
value_free (gpointer value)
{
  g_boxed_free (G_TYPE_VALUE, value);
}

/* Settles @self once: with @error if it is set, else with @value (which
 * may be %NULL or unset: no value). */
static gboolean
future_settle (GasyncFuture *self,
               const GValue *value,
               const GError *error)
{
  g_autoptr(GArray) handlers = NULL;
  gboolean unhandled;

  gasync_lock (&self->lock);
  if (self->state != STATE_PENDING)
    {
      gasync_unlock (&self->lock);
      return FALSE;
    }
  if (error != NULL)
    {
      self->error = g_error_copy (error);
      self->state = STATE_REJECTED;
    }
  else
    {
      if (value != NULL && G_IS_VALUE (value))
        {
          g_value_init (&self->value, G_VALUE_TYPE (value));
          g_value_copy (value, &self->value);
        }
      self->state = STATE_RESOLVED;
    }
  handlers = g_steal_pointer (&self->handlers);
  unhandled = error != NULL && !self->handled && self->queue != NULL;
  gasync_cond_broadcast (&self->cond);
  gasync_unlock (&self->lock);

  for (guint i = 0; handlers != NULL && i < handlers->len; i++)
    {
      Handler *handler = &g_array_index (handlers, Handler, i);

      handler->func (self, handler->data);
    }

  if (unhandled)
    gasync_event_loop_queue_add_rejection (self->queue, self);
  return TRUE;
}

/* Settles @self as @other was settled. */
static gboolean
future_settle_like (GasyncFuture *self,
                    GasyncFuture *other)
{
  /* @other is settled: its value and error are fixed. */
  return future_settle (self, &other->value, other->error);
}

static void
future_add_handler (GasyncFuture   *self,
                    HandlerFunc     func,
                    gpointer        data,
                    GDestroyNotify  drop)
{
  gboolean pending;

  gasync_lock (&self->lock);
  self->handled = TRUE;
  pending = self->state == STATE_PENDING;
  if (pending)
    {
      Handler handler = { func, data, drop };

      if (self->handlers == NULL)
        self->handlers = g_array_new (FALSE, FALSE, sizeof (Handler));
      g_array_append_val (self->handlers, handler);
    }
  gasync_unlock (&self->lock);

  if (!pending)
    func (self, data);
}

static gboolean
future_is_rejected (GasyncFuture *self)
{
  gboolean rejected;

  gasync_lock (&self->lock);
  rejected = self->state == STATE_REJECTED;
  gasync_unlock (&self->lock);
  return rejected;
}

static GasyncFuture *
future_new_like (GasyncFuture *other)
{
  if (other != NULL && other->queue != NULL)
    return gasync_future_new_for_loop (other->queue);
  return gasync_future_new ();
}

static void
gasync_future_finalize (GObject *object)
{
  GasyncFuture *self = GASYNC_FUTURE (object);

  /* The last reference may go in any thread, such as a pool thread that
   * settled the last input of a combinator, after the caller read the value
   * and dropped its own: GObject's reference count orders that, with
   * atomics TSan cannot see in libgobject. The value is read under the
   * lock, so taking it orders those reads before the value is freed. */
  gasync_lock (&self->lock);
  gasync_unlock (&self->lock);

  for (guint i = 0; self->handlers != NULL && i < self->handlers->len; i++)
    {
      Handler *handler = &g_array_index (self->handlers, Handler, i);

      handler->drop (handler->data);
    }
  g_clear_pointer (&self->handlers, g_array_unref);
  if (G_IS_VALUE (&self->value))
    g_value_unset (&self->value);
  g_clear_error (&self->error);
  g_clear_pointer (&self->queue, gasync_event_loop_queue_unref);
  gasync_cond_clear (&self->cond);
  gasync_lock_clear (&self->lock);

  G_OBJECT_CLASS (gasync_future_parent_class)->finalize (object);
}

static void
gasync_future_class_init (GasyncFutureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_future_finalize;

  gasync_type_class_publish (klass);
}

static void
gasync_future_init (GasyncFuture *self)
{
  gasync_type_class_acquire (self);

  gasync_lock_init (&self->lock);
  gasync_cond_init (&self->cond);
}

/**
 * gasync_future_new:
 *
 * Creates a pending future. Its gasync_future_add_done_callback()
 * callbacks run on the thread-default main context of their caller.
 *
 * Returns: (transfer full): a new pending #GasyncFuture
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_future_new (void)
{
  return g_object_new (GASYNC_TYPE_FUTURE, NULL);
}

GasyncFuture *
gasync_future_new_for_loop (GasyncEventLoopQueue *queue)
{
  GasyncFuture *self = gasync_future_new ();

  self->queue = gasync_event_loop_queue_ref (queue);
  return self;
}

const GError *
gasync_future_get_unhandled_error (GasyncFuture *self)
{
  const GError *error;

  gasync_lock (&self->lock);
  error = self->state == STATE_REJECTED && !self->handled ? self->error : NULL;
  gasync_unlock (&self->lock);
  return error;
}

/* run_in_thread() */

typedef struct
{
  GasyncFuture *future;
  GCancellable *cancellable;
  GasyncTaskFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GMainContext *context;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  if (run->destroy != NULL)
    run->destroy (run->user_data);
  g_clear_object (&run->future);
  g_clear_object (&run->cancellable);
  g_main_context_unref (run->context);
  g_free (run);
}

static void
run_in_thread_func (gpointer data)
{
  Run *run = data;
  GasyncFuture *future = g_steal_pointer (&run->future);
  GMainContext *context = g_main_context_ref (run->context);
  g_autoptr(GError) error = NULL;

  gasync_task_func_call (run->func, "gasync_future_run_in_thread",
                         run->cancellable, run->user_data, &error);
  /* The destroy notify is queued on the caller's context before the
   * future settles, so it runs before a done callback or an await there
   * reports the outcome (the contract); the future is let go of there
   * too, once settled. */
  gasync_owner_destroy (context, GASYNC_OWNER_QUEUE, run_free, run);
  future_settle (future, NULL, error);
  gasync_owner_destroy (context, GASYNC_OWNER_QUEUE, g_object_unref, future);
  g_main_context_unref (context);
}

/**
 * gasync_future_run_in_thread:
 * @cancellable: (nullable): a #GCancellable passed to @func
 * @func: (scope notified) (closure user_data) (destroy destroy): the task
 *   function to run on a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data on the thread-default main
 *   context of the caller once @func has run
 *
 * Runs @func on the library's shared thread pool and returns the future of
 * its outcome: resolved without a value when @func succeeds, rejected with
 * its error when it fails (with %GASYNC_ERROR_FAILED if it returned %FALSE
 * without setting one). This is Go's blend.Await.
 *
 * Returns: (transfer full): the future of @func
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_future_run_in_thread (GCancellable   *cancellable,
                             GasyncTaskFunc  func,
                             gpointer        user_data,
                             GDestroyNotify  destroy)
{
  GasyncFuture *future;
  Run *run;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  run = g_new0 (Run, 1);
  run->future = gasync_future_new ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->func = func;
  run->user_data = user_data;
  run->destroy = destroy;
  run->context = g_main_context_ref_thread_default ();
  future = g_object_ref (run->future);
  gasync_pool_push (run_in_thread_func, run);
  return future;
}

/* run_value_in_thread(), and the future forms of the stopper and task
 * groups: a value task whose outcome settles a future. */

struct _GasyncValueCall
{
  GasyncFuture *future;
  char *name;
  GasyncValueFunc func;
  gpointer user_data;
  GDestroyNotify destroy;       /* cleared once handed to the context */
  GMainContext *context;
  GCancellable *cancellable;    /* for gasync_future_run_value_in_thread() */
};

GasyncValueCall *
gasync_value_call_new (const char       *name,
                       GasyncValueFunc   func,
                       gpointer          user_data,
                       GDestroyNotify    destroy,
                       GMainContext     *context,
                       GasyncFuture    **future)
{
  GasyncValueCall *call = g_new0 (GasyncValueCall, 1);

  call->future = gasync_future_new ();
  call->name = g_strdup (name);
  call->func = func;
  call->user_data = user_data;
  call->destroy = destroy;
  call->context = g_main_context_ref (context);
  *future = g_object_ref (call->future);
  return call;
}

/* A GasyncTaskFunc: runs the value task and settles its future with the
 * outcome. The destroy notify of its data is queued on the owner context
 * before the future settles, so that it runs before a done callback or an
 * await there reports the outcome (the contract's rule 2). The outcome
 * goes back to the caller through the future: it never fails the task
 * that runs it (rule 5). */
gboolean
gasync_value_call_run (GCancellable  *cancellable,
                       gpointer       data,
                       GError       **error)
{
  GasyncValueCall *call = data;
  g_autoptr(GasyncFuture) result = gasync_future_new ();
  g_autoptr(GError) local_error = NULL;

  if (gasync_value_func_call (call->func, call->name, cancellable, result,
                              call->user_data, &local_error))
    {
      /* Sealed: what settles it later is ignored, and its value and error
       * are fixed. */
      future_settle (result, NULL, NULL);
      if (result->error != NULL)
        local_error = g_error_copy (result->error);
    }
  gasync_owner_destroy (call->context, GASYNC_OWNER_QUEUE,
                        g_steal_pointer (&call->destroy), call->user_data);
  future_settle (call->future, local_error != NULL ? NULL : &result->value,
                 local_error);
  return TRUE;
}

/* On the owner context: a call that never ran (it was refused) frees its
 * data here. */
void
gasync_value_call_free (gpointer data)
{
  GasyncValueCall *call = data;

  if (call->destroy != NULL)
    call->destroy (call->user_data);
  g_object_unref (call->future);
  g_clear_object (&call->cancellable);
  g_main_context_unref (call->context);
  g_free (call->name);
  g_free (call);
}

static void
value_call_run_in_thread (gpointer data)
{
  GasyncValueCall *call = data;

  gasync_value_call_run (call->cancellable, call, NULL);
  /* The future is let go of on the caller's context too, once settled. */
  gasync_owner_destroy (call->context, GASYNC_OWNER_QUEUE,
                        gasync_value_call_free, call);
}

/**
 * gasync_future_run_value_in_thread:
 * @cancellable: (nullable): a #GCancellable passed to @func
 * @func: (scope notified) (closure user_data) (destroy destroy): the value
 *   task function to run on a worker thread
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data on the thread-default main
 *   context of the caller once @func has run
 *
 * Runs @func on the library's shared thread pool and returns the future of
 * its outcome, like gasync_future_run_in_thread(), but the future is
 * resolved with the value @func gave its result future (without a value
 * if it gave none; see #GasyncValueFunc).
 * It is rejected with the error of @func when it fails, with
 * %G_IO_ERROR_CANCELLED when it returned %FALSE without an error after
 * @cancellable fired, and with %GASYNC_ERROR_FAILED when it returned
 * %FALSE without an error otherwise. @func runs even when @cancellable is
 * cancelled already: it is for @func to look at it.
 *
 * |[<!-- language="C" -->
 * static gboolean
 * count_lines (GCancellable *cancellable, GasyncFuture *result,
 *              gpointer user_data, GError **error)
 * {
 *   g_auto(GValue) value = G_VALUE_INIT;
 *   g_autofree char *contents = NULL;
 *
 *   if (!g_file_get_contents (user_data, &contents, NULL, error))
 *     return FALSE;
 *   g_value_init (&value, G_TYPE_UINT);
 *   g_value_set_uint (&value, count_newlines (contents));
 *   gasync_future_resolve_value (result, &value);
 *   return TRUE;
 * }
 *
 * future = gasync_future_run_value_in_thread (NULL, count_lines,
 *                                             g_strdup (path), g_free);
 * ]|
 *
 * From Python:
 * |[<!-- language="Python" -->
 * def count(cancellable, result):
 *     result.resolve_value(42)
 *     return True
 *
 * future = Gasync.Future.run_value_in_thread(None, count)
 * ]|
 * JavaScript cannot run on a worker thread: GJS code awaits the futures
 * that C or Python code made this way.
 *
 * Threading: may be called from any thread. @func runs on a worker
 * thread; @destroy runs on the thread-default main context of the caller,
 * before a done callback or an await there sees the outcome. The future
 * settles on the worker thread, so gasync_future_wait() needs no main
 * context.
 *
 * Returns: (transfer full): the future of @func
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_future_run_value_in_thread (GCancellable    *cancellable,
                                   GasyncValueFunc  func,
                                   gpointer         user_data,
                                   GDestroyNotify   destroy)
{
  g_autoptr(GMainContext) context = NULL;
  GasyncValueCall *call;
  GasyncFuture *future;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  context = g_main_context_ref_thread_default ();
  call = gasync_value_call_new ("gasync_future_run_value_in_thread", func,
                                user_data, destroy, context, &future);
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  gasync_pool_push (value_call_run_in_thread, call);
  return future;
}

/* all(), any(), first() */

typedef enum
{
  COMBINE_ALL,
  COMBINE_ANY,
  COMBINE_FIRST,
} CombineMode;

typedef struct _Combine Combine;

/* One input of a combinator: the handler data of its future. */
typedef struct
{
  Combine *combine;
  GValue value;         /* all(): the input's value, once resolved */
} CombineSlot;

/* Reference-counted with the inlined g_atomic_int_*() macros, not
 * g_atomic_rc_box_*(), whose atomics inside libglib TSan cannot see: a
 * slot's last reads of @combine would seem to race with its free. */
struct _Combine
{
  int ref_count; /* atomic: each slot, and the combinator while it starts */
  GasyncFuture *result;
  CombineMode mode;
  int remaining; /* atomic */
  guint n_slots;
  CombineSlot slots[];
};

static void
combine_unref (Combine *combine)
{
  if (!g_atomic_int_dec_and_test (&combine->ref_count))
    return;

  for (guint i = 0; i < combine->n_slots; i++)
    if (G_IS_VALUE (&combine->slots[i].value))
      g_value_unset (&combine->slots[i].value);
  g_object_unref (combine->result);
  g_free (combine);
}

static void
combine_release (gpointer data)
{
  CombineSlot *slot = data;

  combine_unref (slot->combine);
}

/* all(): resolves @combine's result with the values of its inputs, in
 * order, once each slot has its value (the atomic count orders them). */
static void
combine_resolve_all (Combine *combine)
{
  g_auto(GValue) result = G_VALUE_INIT;
  GValueArray *values;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  values = g_value_array_new (combine->n_slots);
  for (guint i = 0; i < combine->n_slots; i++)
    {
      GValue *value = &combine->slots[i].value;

      /* Without a value: a NULL object, which bindings read as None or
       * null. */
      if (!G_IS_VALUE (value))
        g_value_init (value, G_TYPE_OBJECT);
      g_value_array_append (values, value);
    }
  g_value_init (&result, g_value_array_get_type ());
  g_value_take_boxed (&result, values);
  G_GNUC_END_IGNORE_DEPRECATIONS

  future_settle (combine->result, &result, NULL);
}

static void
combine_settled (GasyncFuture *future,
                 gpointer      data)
{
  CombineSlot *slot = data;
  Combine *combine = slot->combine;
  gboolean rejected = future_is_rejected (future);
  gboolean last;

  /* @future is settled: its value is fixed. */
  if (combine->mode == COMBINE_ALL && !rejected && G_IS_VALUE (&future->value))
    {
      g_value_init (&slot->value, G_VALUE_TYPE (&future->value));
      g_value_copy (&future->value, &slot->value);
    }
  last = g_atomic_int_dec_and_test (&combine->remaining);

  switch (combine->mode)
    {
    case COMBINE_ALL:
      if (rejected)
        future_settle_like (combine->result, future);
      else if (last)
        combine_resolve_all (combine);
      break;

    case COMBINE_ANY:
      if (!rejected || last)
        future_settle_like (combine->result, future);
      break;

    case COMBINE_FIRST:
      future_settle_like (combine->result, future);
      break;

    default:
      g_assert_not_reached ();
    }
  combine_release (slot);
}

static gboolean
futures_are_valid (GasyncFuture **futures,
                   guint          n_futures)
{
  for (guint i = 0; i < n_futures; i++)
    if (!GASYNC_IS_FUTURE (futures[i]))
      return FALSE;
  return TRUE;
}

static GasyncFuture *
future_combine (GasyncFuture **futures,
                guint          n_futures,
                CombineMode    mode)
{
  GasyncFuture *result;
  Combine *combine;

  /* all() of no futures is resolved at once; any() and first() need one. */
  g_return_val_if_fail (futures != NULL || n_futures == 0, NULL);
  g_return_val_if_fail (mode == COMBINE_ALL || n_futures > 0, NULL);
  g_return_val_if_fail (futures_are_valid (futures, n_futures), NULL);

  result = future_new_like (n_futures > 0 ? futures[0] : NULL);
  combine = g_malloc0 (sizeof (Combine) + n_futures * sizeof (CombineSlot));
  combine->ref_count = n_futures + 1;
  combine->result = g_object_ref (result);
  combine->mode = mode;
  combine->remaining = n_futures;
  combine->n_slots = n_futures;

  if (n_futures == 0)
    combine_resolve_all (combine);
  for (guint i = 0; i < n_futures; i++)
    {
      combine->slots[i].combine = combine;
      future_add_handler (futures[i], combine_settled, &combine->slots[i],
                          combine_release);
    }
  combine_unref (combine);
  return result;
}

/**
 * gasync_future_all:
 * @futures: (array length=n_futures) (transfer none): the futures to
 *   combine
 * @n_futures: the number of @futures
 *
 * Combines @futures like JavaScript's Promise.all(): the returned future
 * is resolved once every one of @futures is resolved, and rejected as soon
 * as one of them is rejected, with its error. With no futures it is
 * resolved at once.
 *
 * Its value is a #GValueArray (%G_TYPE_VALUE_ARRAY) of the values of
 * @futures, in the order of @futures: a copy of the value of each, or a
 * %NULL #GObject for a future resolved without a value. PyGObject reads it
 * as a list; GJS as a `GObject.ValueArray`, whose `get_nth(i)` gives the
 * value at @i (`n_values` counts them):
 * |[<!-- language="JavaScript" -->
 * const values = await Gasync.Future.all([a, b]).await_async(null);
 * const first = values.get_nth(0);
 * ]|
 *
 * If the first of @futures belongs to an event loop, so does the returned
 * future.
 *
 * Returns: (transfer full): the combined future
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_future_all (GasyncFuture **futures,
                   guint          n_futures)
{
  return future_combine (futures, n_futures, COMBINE_ALL);
}

/**
 * gasync_future_any:
 * @futures: (array length=n_futures) (transfer none): the futures to
 *   combine, at least one
 * @n_futures: the number of @futures
 *
 * Combines @futures like JavaScript's Promise.any(): the returned future
 * is resolved with the value of the first of @futures to be resolved, and
 * rejected only once all of them are rejected, with the error of the last
 * one.
 *
 * If the first of @futures belongs to an event loop, so does the returned
 * future.
 *
 * Returns: (transfer full): the combined future
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_future_any (GasyncFuture **futures,
                   guint          n_futures)
{
  return future_combine (futures, n_futures, COMBINE_ANY);
}

/**
 * gasync_future_first:
 * @futures: (array length=n_futures) (transfer none): the futures to
 *   combine, at least one
 * @n_futures: the number of @futures
 *
 * Combines @futures like JavaScript's Promise.race(): the returned future
 * is settled like the first of @futures to be settled, resolved or
 * rejected.
 *
 * If the first of @futures belongs to an event loop, so does the returned
 * future.
 *
 * Returns: (transfer full): the combined future
 *
 * Since: 0.1
 */
GasyncFuture *
gasync_future_first (GasyncFuture **futures,
                     guint          n_futures)
{
  return future_combine (futures, n_futures, COMBINE_FIRST);
}

/**
 * gasync_future_resolve_value:
 * @self: a #GasyncFuture
 * @value: (nullable): the value, copied; %NULL resolves @self without a
 *   value
 *
 * Resolves @self with @value, unless it is settled already.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was settled
 *   already (and nothing changed)
 *
 * Since: 0.1
 */
gboolean
gasync_future_resolve_value (GasyncFuture *self,
                             const GValue *value)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (self), FALSE);

  return future_settle (self, value, NULL);
}

/**
 * gasync_future_resolve_object:
 * @self: a #GasyncFuture
 * @object: (nullable): the value, referenced
 *
 * Resolves @self with @object, unless it is settled already. The value is
 * of @object's type (a %NULL object resolves @self with a %NULL
 * #GObject).
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was settled
 *   already
 *
 * Since: 0.1
 */
gboolean
gasync_future_resolve_object (GasyncFuture *self,
                              GObject      *object)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_return_val_if_fail (GASYNC_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (object == NULL || G_IS_OBJECT (object), FALSE);

  g_value_init (&value, object != NULL ? G_OBJECT_TYPE (object) : G_TYPE_OBJECT);
  g_value_set_object (&value, object);
  return future_settle (self, &value, NULL);
}

/**
 * gasync_future_reject:
 * @self: a #GasyncFuture
 * @error: the error, copied
 *
 * Rejects @self with @error, unless it is settled already.
 *
 * Returns: %TRUE if this call settled @self, %FALSE if it was settled
 *   already
 *
 * Since: 0.1
 */
gboolean
gasync_future_reject (GasyncFuture *self,
                      const GError *error)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  return future_settle (self, NULL, error);
}

/**
 * gasync_future_is_done:
 * @self: a #GasyncFuture
 *
 * Tells whether @self is settled.
 *
 * Returns: %TRUE once @self is resolved or rejected
 *
 * Since: 0.1
 */
gboolean
gasync_future_is_done (GasyncFuture *self)
{
  gboolean done;

  g_return_val_if_fail (GASYNC_IS_FUTURE (self), FALSE);

  gasync_lock (&self->lock);
  done = self->state != STATE_PENDING;
  gasync_unlock (&self->lock);
  return done;
}

/**
 * gasync_future_dup_value:
 * @self: a #GasyncFuture
 *
 * Gets a copy of the value @self was resolved with.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if @self is
 *   pending, rejected, or resolved without a value
 *
 * Since: 0.1
 */
GValue *
gasync_future_dup_value (GasyncFuture *self)
{
  GValue *value;

  g_return_val_if_fail (GASYNC_IS_FUTURE (self), NULL);

  gasync_lock (&self->lock);
  value = value_dup (&self->value);
  gasync_unlock (&self->lock);
  return value;
}

/**
 * gasync_future_get_error:
 * @self: a #GasyncFuture
 *
 * Gets the error @self was rejected with. It does not change once set.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL if @self is
 *   pending or resolved
 *
 * Since: 0.1
 */
const GError *
gasync_future_get_error (GasyncFuture *self)
{
  const GError *error;

  g_return_val_if_fail (GASYNC_IS_FUTURE (self), NULL);

  gasync_lock (&self->lock);
  error = self->error;
  gasync_unlock (&self->lock);
  return error;
}

/* add_done_callback(): then() */

typedef struct
{
  GasyncFuture *future;
  GasyncFutureDoneFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GMainContext *context;
  GasyncEventLoopQueue *queue;
} Then;

static void
then_free (gpointer data)
{
  Then *then = data;

  if (then->destroy != NULL)
    then->destroy (then->user_data);
  g_clear_object (&then->future);
  g_main_context_unref (then->context);
  g_clear_pointer (&then->queue, gasync_event_loop_queue_unref);
  g_free (then);
}

static void
then_run_cb (gpointer data)
{
  Then *then = data;

  then->func (then->future, then->user_data);
}

static gboolean
then_run_in_loop (gpointer   data,
                  GError   **error)
{
  then_run_cb (data);
  return TRUE;
}

static void
then_settled (GasyncFuture *future,
              gpointer      data)
{
  Then *then = data;

  then->future = g_object_ref (future);
  if (then->queue != NULL)
    gasync_event_loop_queue_push (then->queue, then_run_in_loop, then, then_free);
  else
    gasync_owner_invoke (then->context, GASYNC_OWNER_QUEUE, then_run_cb, then,
                         then_free);
}

static void
then_drop (gpointer data)
{
  Then *then = data;

  gasync_owner_destroy (then->context, GASYNC_OWNER_QUEUE, then_free, then);
}

/**
 * gasync_future_add_done_callback:
 * @self: a #GasyncFuture
 * @on_done: (scope notified) (closure user_data) (destroy destroy): called
 *   once @self is settled
 * @user_data: data for @on_done
 * @destroy: (nullable): called on @user_data, on the same context as
 *   @on_done, once @on_done has run or has been dropped
 *
 * Calls @on_done once @self is resolved or rejected, like a promise's
 * then(); if it is settled already, soon (never from within this call). For a future made by
 * gasync_event_loop_new_future(), @on_done is queued in the loop like any
 * other callback; otherwise it runs on the thread-default main context of
 * the caller. A handler makes the future's rejection handled.
 *
 * Since: 0.1
 */
void
gasync_future_add_done_callback (GasyncFuture         *self,
                                 GasyncFutureDoneFunc  on_done,
                                 gpointer              user_data,
                                 GDestroyNotify        destroy)
{
  Then *then;

  g_return_if_fail (GASYNC_IS_FUTURE (self));
  g_return_if_fail (on_done != NULL);

  then = g_new0 (Then, 1);
  then->func = on_done;
  then->user_data = user_data;
  then->destroy = destroy;
  if (self->queue != NULL)
    {
      then->queue = gasync_event_loop_queue_ref (self->queue);
      then->context = g_main_context_ref (gasync_event_loop_queue_get_context (self->queue));
    }
  else
    then->context = g_main_context_ref_thread_default ();
  future_add_handler (self, then_settled, then, then_drop);
}

/* wait() */

static gboolean
is_settled (gpointer data)
{
  GasyncFuture *self = data;

  return self->state != STATE_PENDING;
}

/**
 * gasync_future_wait:
 * @self: a #GasyncFuture
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @error: return location for the rejection or cancellation
 *
 * Blocks the calling thread until @self is settled or @cancellable is
 * cancelled. Do not call it on the thread of the event loop that would
 * settle @self. Waiting makes the future's rejection handled. As with
 * gasync_future_await_async(), a cancellation wins: once @cancellable is
 * cancelled, the wait fails even if @self is settled.
 *
 * Blocking: yes, until @self is settled or @cancellable fires; it iterates
 * no main loop. gasync_future_await_async() is its twin that does not
 * block.
 *
 * Returns: %TRUE if @self was resolved (read its value with
 *   gasync_future_dup_value()), %FALSE with @error set to a copy of the
 *   rejection, or to %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gasync_future_wait (GasyncFuture  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  State state;

  g_return_val_if_fail (GASYNC_IS_FUTURE (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The wait's error is set only if @self is still pending. */
  gasync_lock (&self->lock);
  self->handled = TRUE;
  gasync_wait (&self->lock, &self->cond, is_settled, self, G_MAXINT64,
               cancellable, error);
  state = self->state;
  gasync_unlock (&self->lock);

  /* As in gasync_future_await_async(): once cancelled, the wait fails,
   * settled or not. */
  if (state != STATE_PENDING &&
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  switch (state)
    {
    case STATE_RESOLVED:
      return TRUE;

    case STATE_REJECTED:
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;

    case STATE_PENDING:
    default:
      return FALSE;
    }
}

/* await_async() */

typedef struct
{
  GSource *cancel_source;
  gboolean returned;
} Await;

static void
await_free (gpointer data)
{
  Await *await = data;

  gasync_clear_source (&await->cancel_source);
  g_free (await);
}

/* On the task's context: returns the task once, settled or cancelled. */
static void
await_return (gpointer data)
{
  GTask *task = data;
  GasyncFuture *self = g_task_get_source_object (task);
  Await *await = g_task_get_task_data (task);
  GError *error;
  GValue *value;

  if (await->returned)
    return;
  await->returned = TRUE;
  gasync_clear_source (&await->cancel_source);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Settled: the value and error are fixed. Read under the lock, as every
   * reader does (see gasync_future_finalize()). */
  gasync_lock (&self->lock);
  error = self->error != NULL ? g_error_copy (self->error) : NULL;
  value = error == NULL ? value_dup (&self->value) : NULL;
  gasync_unlock (&self->lock);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, value_free);
}

static void
await_settled (GasyncFuture *future,
               gpointer      data)
{
  gasync_owner_complete (data, await_return);
}

static gboolean
await_cancelled_cb (GCancellable *cancellable,
                    gpointer      data)
{
  await_return (data);
  return G_SOURCE_REMOVE;
}

/**
 * gasync_future_await_async:
 * @self: a #GasyncFuture
 * @cancellable: (nullable): a #GCancellable to stop waiting
 * @callback: (scope async): called once @self is settled or @cancellable
 *   is cancelled
 * @user_data: data for @callback
 *
 * Waits for @self without blocking. @callback runs on the thread-default
 * main context of the caller; call gasync_future_await_finish() there.
 * Cancelling @cancellable completes the wait with %G_IO_ERROR_CANCELLED
 * but leaves @self as it is. Waiting makes the future's rejection handled.
 *
 * Blocking: no; no main loop is iterated in the meantime.
 *
 * Since: 0.1
 */
void
gasync_future_await_async (GasyncFuture        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Await *await;

  g_return_if_fail (GASYNC_IS_FUTURE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gasync_future_await_async);
  g_task_set_name (task, "gasync_future_await");
  await = g_new0 (Await, 1);
  g_task_set_task_data (task, await, await_free);

  if (cancellable != NULL)
    {
      /* The source holds no reference: the task's data destroys it. */
      await->cancel_source = gasync_cancel_source_new (cancellable);
      g_source_set_static_name (await->cancel_source, "[gasync] future await cancelled");
      g_source_set_callback (await->cancel_source, G_SOURCE_FUNC (await_cancelled_cb),
                             task, NULL);
      gasync_source_attach (await->cancel_source, g_task_get_context (task));
    }

  future_add_handler (self, await_settled, g_object_ref (task), g_object_unref);
}

/**
 * gasync_future_await_finish:
 * @self: a #GasyncFuture
 * @result: the #GAsyncResult given to the callback
 * @error: return location for the rejection or cancellation
 *
 * Finishes gasync_future_await_async().
 *
 * Returns: (transfer full) (nullable): a copy of the value @self was
 *   resolved with, or %NULL if it has none; %NULL with @error set if @self
 *   was rejected or the wait was cancelled
 *
 * Since: 0.1
 */
GValue *
gasync_future_await_finish (GasyncFuture  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (GASYNC_IS_FUTURE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gasync_future_await_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
