/* gasync-interceptor.c: wrappers around task functions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-interceptor
 * @title: GasyncInterceptor
 * @short_description: wrappers around task functions: tracing, retries,
 *   timeouts
 *
 * A #GasyncInterceptor (Go blend's `Interceptor`) runs a #GasyncTaskFunc
 * and does something around it. Three are shipped:
 * gasync_interceptor_new_tracing() logs every call with its duration,
 * gasync_interceptor_new_retry() calls a failing function again with
 * exponential backoff, and gasync_interceptor_new_timeout() cancels a
 * function that runs too long and reports %GASYNC_ERROR_TIMEOUT. C may
 * write its own with gasync_interceptor_new(). Interceptors chain:
 * gasync_interceptor_chain() makes one interceptor out of two, the first
 * wrapping the second.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GasyncInterceptor) trace = gasync_interceptor_new_tracing ();
 * g_autoptr(GasyncInterceptor) retry =
 *   gasync_interceptor_new_retry (3, 100 * G_TIME_SPAN_MILLISECOND,
 *                                 G_TIME_SPAN_SECOND);
 * g_autoptr(GasyncInterceptor) both = gasync_interceptor_chain (trace, retry);
 *
 * // Logs one record around up to three attempts of fetch().
 * ok = gasync_interceptor_call (both, "fetch", cancellable, fetch, data, &error);
 * ]|
 *
 * In Python (GJS cannot use interceptors with JavaScript functions: they
 * call task functions on pool threads):
 * |[<!-- language="Python" -->
 * import gi
 * gi.require_version('Gasync', '1')
 * from gi.repository import GLib, Gasync
 *
 * attempts = []
 *
 *
 * def flaky(cancellable):
 *     attempts.append(len(attempts))
 *     if len(attempts) < 3:
 *         raise GLib.Error('the server is busy')
 *     return True
 *
 *
 * # Up to 3 attempts, 1 ms then 2 ms apart, each logged when it ends.
 * chain = Gasync.Interceptor.new_tracing().chain(
 *     Gasync.Interceptor.new_retry(3, 1000, 2000))
 * assert chain.call('fetch', None, flaky)
 * assert attempts == [0, 1, 2]
 * ]|
 *
 * Threading: interceptors are immutable and may be shared and called from
 * any thread; the task function runs in the calling thread.
 */

/**
 * GasyncInterceptor:
 *
 * Runs a task function and does something around it.
 *
 * Since: 0.1
 */

#include "config.h"

#include "gasync-interceptor.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-sync-private.h"

struct _GasyncInterceptor
{
  GObject parent_instance;

  GasyncInterceptFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
};

G_DEFINE_FINAL_TYPE (GasyncInterceptor, gasync_interceptor, G_TYPE_OBJECT)

static void
gasync_interceptor_finalize (GObject *object)
{
  GasyncInterceptor *self = GASYNC_INTERCEPTOR (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);

  G_OBJECT_CLASS (gasync_interceptor_parent_class)->finalize (object);
}

static void
gasync_interceptor_class_init (GasyncInterceptorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  gasync_i18n_init ();

  object_class->finalize = gasync_interceptor_finalize;

  gasync_type_class_publish (klass);
}

static void
gasync_interceptor_init (GasyncInterceptor *self)
{
  gasync_type_class_acquire (self);
}

/**
 * gasync_interceptor_new: (skip)
 * @func: (scope notified) (closure user_data) (destroy destroy):
 *   runs the task function and does something around it
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Creates an interceptor from a function, for C: @func is given the task
 * function and usually runs it with gasync_interceptor_call_next().
 *
 * Returns: (transfer full): a new #GasyncInterceptor
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_interceptor_new (GasyncInterceptFunc func,
                        gpointer            user_data,
                        GDestroyNotify      destroy)
{
  GasyncInterceptor *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (GASYNC_TYPE_INTERCEPTOR, NULL);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  return self;
}

/* Tracing. */

static gboolean
trace_intercept (const char      *name,
                 GCancellable    *cancellable,
                 GasyncTaskFunc   func,
                 gpointer         func_data,
                 gpointer         user_data,
                 GError         **error)
{
  gint64 start = g_get_monotonic_time ();
  GError *local_error = NULL;
  gboolean ok;
  g_autofree char *duration = NULL;

  ok = gasync_interceptor_call_next (name, cancellable, func, func_data,
                                     &local_error);
  duration = g_strdup_printf ("%" G_GINT64_FORMAT,
                              g_get_monotonic_time () - start);
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG,
                    "GASYNC_TASK", name,
                    "GASYNC_DURATION_USEC", duration,
                    "GASYNC_RESULT", ok ? "ok" : "error",
                    "MESSAGE", "Task “%s” %s after %s µs%s%s", name,
                    ok ? "succeeded" : "failed", duration,
                    ok ? "" : ": ", ok ? "" : local_error->message);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return ok;
}

/**
 * gasync_interceptor_new_tracing:
 *
 * Creates an interceptor that logs every call: a structured log record at
 * %G_LOG_LEVEL_DEBUG in the `Gasync` domain, with the fields
 * `GASYNC_TASK` (the task's name), `GASYNC_DURATION_USEC` and
 * `GASYNC_RESULT` (`ok` or `error`), and a message that also gives the
 * error. Set `G_MESSAGES_DEBUG=Gasync` to see the records.
 *
 * Returns: (transfer full): a new #GasyncInterceptor
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_interceptor_new_tracing (void)
{
  return gasync_interceptor_new (trace_intercept, NULL, NULL);
}

/* Retries. */

typedef struct
{
  guint max_attempts;
  GTimeSpan initial_backoff;
  GTimeSpan max_backoff;
} Retry;

static gboolean
retry_intercept (const char      *name,
                 GCancellable    *cancellable,
                 GasyncTaskFunc   func,
                 gpointer         func_data,
                 gpointer         user_data,
                 GError         **error)
{
  Retry *retry = user_data;
  GTimeSpan backoff = retry->initial_backoff;

  for (guint attempt = 1; ; attempt++)
    {
      GError *local_error = NULL;

      if (gasync_interceptor_call_next (name, cancellable, func, func_data,
                                        &local_error))
        return TRUE;
      if (attempt >= retry->max_attempts ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_cancellable_is_cancelled (cancellable))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }

      g_debug ("Task “%s” failed (attempt %u of %u), retrying in %"
               G_GINT64_FORMAT " µs: %s", name, attempt, retry->max_attempts,
               backoff, local_error->message);
      g_error_free (local_error);
      gasync_sleep (backoff, cancellable, NULL);
      backoff = backoff > retry->max_backoff / 2 ? retry->max_backoff
                                                 : backoff * 2;
    }
}

/**
 * gasync_interceptor_new_retry:
 * @max_attempts: how many times to call the function at most, at least 1
 * @initial_backoff: the pause after the first failure, in microseconds,
 *   not negative
 * @max_backoff: the longest pause, in microseconds, at least
 *   @initial_backoff; the pause doubles after each failure up to it
 *
 * Creates an interceptor that calls a failing function again, after a
 * pause that doubles each time (exponential backoff), until it succeeds or
 * has failed @max_attempts times; then it reports the last error. It does
 * not retry a cancelled function, and cancelling the task's cancellable
 * ends a pause at once.
 *
 * Returns: (transfer full): a new #GasyncInterceptor
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_interceptor_new_retry (guint     max_attempts,
                              GTimeSpan initial_backoff,
                              GTimeSpan max_backoff)
{
  Retry *retry;

  g_return_val_if_fail (max_attempts >= 1, NULL);
  g_return_val_if_fail (initial_backoff >= 0, NULL);
  g_return_val_if_fail (max_backoff >= initial_backoff, NULL);

  retry = g_new (Retry, 1);
  retry->max_attempts = max_attempts;
  retry->initial_backoff = initial_backoff;
  retry->max_backoff = max_backoff;
  return gasync_interceptor_new (retry_intercept, retry, g_free);
}

/* Timeouts: a watchdog on the pool cancels the function's cancellable when
 * the timeout passes before the function returns. */

typedef struct
{
  int ref_count; /* atomic: g_atomic_int_* are builtins TSan sees */
  GasyncLock lock;
  GasyncCond cond;
  gboolean done;
  gboolean timed_out;
  gint64 deadline;
  GCancellable *cancellable;
} Watchdog;

static void
watchdog_unref (Watchdog *watchdog)
{
  if (!g_atomic_int_dec_and_test (&watchdog->ref_count))
    return;
  g_object_unref (watchdog->cancellable);
  gasync_cond_clear (&watchdog->cond);
  gasync_lock_clear (&watchdog->lock);
  g_free (watchdog);
}

static void
watchdog_run (gpointer data)
{
  Watchdog *watchdog = data;
  gboolean timed_out;

  gasync_lock (&watchdog->lock);
  timed_out = !gasync_wait (&watchdog->lock, &watchdog->cond,
                            gasync_flag_is_set, &watchdog->done,
                            watchdog->deadline, NULL, NULL);
  watchdog->timed_out = timed_out;
  gasync_unlock (&watchdog->lock);

  if (timed_out)
    g_cancellable_cancel (watchdog->cancellable);
  watchdog_unref (watchdog);
}

static void
cancel_child_cb (GCancellable *parent,
                 gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
timeout_intercept (const char      *name,
                   GCancellable    *cancellable,
                   GasyncTaskFunc   func,
                   gpointer         func_data,
                   gpointer         user_data,
                   GError         **error)
{
  GTimeSpan timeout = *(GTimeSpan *) user_data;
  Watchdog *watchdog = g_new0 (Watchdog, 1);
  GError *local_error = NULL;
  gboolean ok, timed_out;
  gulong handler = 0;

  watchdog->ref_count = 2; /* the caller and the watchdog job */
  gasync_lock_init (&watchdog->lock);
  gasync_cond_init (&watchdog->cond);
  watchdog->deadline = gasync_deadline_add (g_get_monotonic_time (), timeout);
  watchdog->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_child_cb),
                                     g_object_ref (watchdog->cancellable),
                                     g_object_unref);
  gasync_pool_push (watchdog_run, watchdog);

  ok = gasync_interceptor_call_next (name, watchdog->cancellable, func,
                                     func_data, &local_error);

  gasync_lock (&watchdog->lock);
  watchdog->done = TRUE;
  gasync_cond_signal (&watchdog->cond);
  timed_out = watchdog->timed_out;
  gasync_unlock (&watchdog->lock);
  g_cancellable_disconnect (cancellable, handler);
  watchdog_unref (watchdog);

  if (!ok && timed_out)
    {
      g_autofree char *ms = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             timeout / 1000);

      g_clear_error (&local_error);
      g_set_error (&local_error, GASYNC_ERROR, GASYNC_ERROR_TIMEOUT,
                   /* Translators: the first %s is a task name, the second
                    * a number of milliseconds */
                   _("Task “%s” timed out after %s ms"), name, ms);
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return ok;
}

/**
 * gasync_interceptor_new_timeout:
 * @timeout: how long the function may run, in microseconds, more than 0
 *
 * Creates an interceptor that bounds a function in time: when @timeout
 * passes before the function returns, the function's cancellable is
 * cancelled, and if the function then fails, the failure is reported as
 * %GASYNC_ERROR_TIMEOUT naming the task and the timeout. The function
 * must watch its cancellable to return early: C cannot stop a thread.
 * A cancellation of the task's own cancellable is passed on unchanged.
 *
 * Returns: (transfer full): a new #GasyncInterceptor
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_interceptor_new_timeout (GTimeSpan timeout)
{
  GTimeSpan *data;

  g_return_val_if_fail (timeout > 0, NULL);

  data = g_new (GTimeSpan, 1);
  *data = timeout;
  return gasync_interceptor_new (timeout_intercept, data, g_free);
}

/* Chains. */

typedef struct
{
  GasyncInterceptor *inner;
  const char *name;
  GasyncTaskFunc func;
  gpointer func_data;
} Next;

static gboolean
next_task_func (GCancellable  *cancellable,
                gpointer       user_data,
                GError       **error)
{
  Next *next = user_data;

  return gasync_interceptor_call (next->inner, next->name, cancellable,
                                  next->func, next->func_data, error);
}

static gboolean
chain_intercept (const char      *name,
                 GCancellable    *cancellable,
                 GasyncTaskFunc   func,
                 gpointer         func_data,
                 gpointer         user_data,
                 GError         **error)
{
  GasyncInterceptor **pair = user_data;
  Next next = { pair[1], name, func, func_data };

  return gasync_interceptor_call (pair[0], name, cancellable, next_task_func,
                                  &next, error);
}

static void
chain_free (gpointer data)
{
  GasyncInterceptor **pair = data;

  g_object_unref (pair[0]);
  g_object_unref (pair[1]);
  g_free (pair);
}

/**
 * gasync_interceptor_chain:
 * @self: the outer #GasyncInterceptor
 * @inner: the inner #GasyncInterceptor
 *
 * Makes one interceptor of two: @self runs around @inner, which runs
 * around the task function. Chains chain again, so
 * `chain (chain (a, b), c)` runs a around b around c.
 *
 * Returns: (transfer full): a new #GasyncInterceptor
 *
 * Since: 0.1
 */
GasyncInterceptor *
gasync_interceptor_chain (GasyncInterceptor *self,
                          GasyncInterceptor *inner)
{
  GasyncInterceptor **pair;

  g_return_val_if_fail (GASYNC_IS_INTERCEPTOR (self), NULL);
  g_return_val_if_fail (GASYNC_IS_INTERCEPTOR (inner), NULL);

  pair = g_new (GasyncInterceptor *, 2);
  pair[0] = g_object_ref (self);
  pair[1] = g_object_ref (inner);
  return gasync_interceptor_new (chain_intercept, pair, chain_free);
}

/**
 * gasync_interceptor_call:
 * @self: a #GasyncInterceptor
 * @name: the name of the task, for logs and errors
 * @cancellable: (nullable): the task's cancellable
 * @func: (scope call) (closure user_data): the task function
 * @user_data: data for @func
 * @error: return location for a #GError
 *
 * Runs @func through @self, in the calling thread. A function that
 * returns %FALSE without setting an error is reported as
 * %GASYNC_ERROR_FAILED naming the task.
 *
 * Returns: %TRUE if the task succeeded
 *
 * Since: 0.1
 */
gboolean
gasync_interceptor_call (GasyncInterceptor  *self,
                         const char         *name,
                         GCancellable       *cancellable,
                         GasyncTaskFunc      func,
                         gpointer            user_data,
                         GError            **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (GASYNC_IS_INTERCEPTOR (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->func (name, cancellable, func, user_data, self->user_data,
                  &local_error))
    {
      g_clear_error (&local_error);
      return TRUE;
    }
  if (local_error == NULL)
    gasync_set_task_failed_error (&local_error, name);
  g_propagate_error (error, local_error);
  return FALSE;
}

/**
 * gasync_interceptor_call_next: (skip)
 * @name: the name of the task
 * @cancellable: (nullable): the cancellable to run it with
 * @func: (scope call) (closure func_data): the task function given to
 *   the interceptor
 * @func_data: the data given with it
 * @error: return location for a #GError
 *
 * Runs the task function an interceptor function was given, with the
 * rule of #GasyncTaskFunc: %FALSE without an error becomes
 * %GASYNC_ERROR_FAILED naming the task. For C interceptors.
 *
 * Returns: %TRUE if the task succeeded
 *
 * Since: 0.1
 */
gboolean
gasync_interceptor_call_next (const char      *name,
                              GCancellable    *cancellable,
                              GasyncTaskFunc   func,
                              gpointer         func_data,
                              GError         **error)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  return gasync_task_func_call (func, name, cancellable, func_data, error);
}
