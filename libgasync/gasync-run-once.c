/* gasync-run-once.c: the run-once lifecycle of runners and groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-run-once-private.h"
#include "gasync-dispatch-private.h"
#include "gasync-leak-private.h"

void
gasync_run_once_init (GasyncRunOnce   *self,
                      GObject         *object,
                      GasyncOwnerFunc  interrupt)
{
  gasync_lock_init (&self->lock);
  gasync_cond_init (&self->cond);
  self->context = g_main_context_ref_thread_default ();
  self->object = object;
  self->interrupt = interrupt;
}

void
gasync_run_once_clear (GasyncRunOnce *self)
{
  gasync_leak_untrack (self->object);
  gasync_run_once_disconnect (self);
  g_clear_object (&self->task);
  g_clear_pointer (&self->context, g_main_context_unref);
  gasync_cond_clear (&self->cond);
  gasync_lock_clear (&self->lock);
}

GTask *
gasync_run_once_new_task (gpointer             object,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data,
                          gpointer             source_tag,
                          const char          *name)
{
  GTask *task = g_task_new (object, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

gboolean
gasync_run_once_begin (GasyncRunOnce   *self,
                       GObject         *object,
                       const char      *name,
                       GCancellable    *cancellable,
                       GTask           *task,
                       GasyncOwnerFunc  launch)
{
  gboolean started;

  gasync_lock (&self->lock);
  started = self->started;
  self->started = TRUE;
  gasync_unlock (&self->lock);

  if (started)
    return FALSE;

  gasync_leak_track (object, NULL, name);
  self->task = task != NULL ? g_object_ref (task) : NULL;
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  gasync_invoke_on_owner (self->context, object, launch);
  return TRUE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  GasyncRunOnce *self = data;

  gasync_invoke_on_owner (self->context, self->object, self->interrupt);
}

void
gasync_run_once_watch_cancellable (GasyncRunOnce *self)
{
  if (self->cancellable == NULL)
    return;

  /* Calls cancelled_cb() at once if it is cancelled already. */
  self->cancelled_id = g_cancellable_connect (self->cancellable,
                                              G_CALLBACK (cancelled_cb),
                                              self, NULL);
}

void
gasync_run_once_disconnect (GasyncRunOnce *self)
{
  if (self->cancelled_id != 0)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->cancellable);
}

GTask *
gasync_run_once_done (GasyncRunOnce *self)
{
  gasync_run_once_disconnect (self);

  gasync_leak_untrack (self->object);
  gasync_lock (&self->lock);
  self->done = TRUE;
  gasync_cond_broadcast (&self->cond);
  gasync_unlock (&self->lock);

  return g_steal_pointer (&self->task);
}

static gboolean
run_once_is_done (gpointer data)
{
  GasyncRunOnce *self = data;

  return self->done;
}

void
gasync_run_once_wait (GasyncRunOnce *self)
{
  /* Not read from @self once the wait is over (see wait_for() in
   * gasync-stopper.c). */
  GMainContext *context = self->context;
  GasyncOwnerWait wait = {
    context, &self->lock, &self->cond, self, run_once_is_done,
  };

  /* The run is done on the owner context: in a dispatch there. */
  if (gasync_owner_wait (&wait))
    gasync_owner_wait_end (context);
}

static gboolean
owner_wait_is_done (const GasyncOwnerWait *wait)
{
  gboolean done;

  gasync_lock (wait->lock);
  done = wait->done (wait->data);
  gasync_unlock (wait->lock);
  return done;
}

gboolean
gasync_owner_wait (const GasyncOwnerWait *wait)
{
  gboolean timed_out = FALSE;

  for (;;)
    {
      gint64 retry_at = G_MAXINT64;
      gboolean done;

      if (g_main_context_acquire (wait->context))
        {
          /* This thread is the owner context's thread until it is done:
           * it dispatches there, with it as its thread-default context,
           * as a thread running it with g_main_loop_run() would. */
          g_main_context_push_thread_default (wait->context);
          g_main_context_release (wait->context);
          /* Each iteration takes the context from whichever thread
           * iterated it last (the owner thread, between ours) through
           * GLib's own lock, which TSan cannot see: its poll array then
           * reads as written by both threads unordered. TSan ignores this
           * thread's accesses inside the iteration (the dispatched code
           * included); synchronisation is still followed. */
          while (!owner_wait_is_done (wait))
            {
              GASYNC_TSAN_IGNORE_BEGIN ();
              g_main_context_iteration (wait->context, TRUE);
              GASYNC_TSAN_IGNORE_END ();
            }
          return TRUE;
        }
      if (timed_out && wait->still_held != NULL)
        wait->still_held (wait->data);

      /* Another thread holds it: it runs it, or will. Look again at every
       * broadcast, and at @retry_at. */
      gasync_lock (wait->lock);
      done = wait->done (wait->data);
      if (!done)
        {
          if (wait->retry_at != NULL)
            retry_at = wait->retry_at (wait->data);
          gasync_wait (wait->lock, wait->cond, NULL, NULL, retry_at, NULL,
                       NULL);
          done = wait->done (wait->data);
        }
      gasync_unlock (wait->lock);

      if (done)
        return FALSE;
      timed_out = retry_at != G_MAXINT64 &&
                  g_get_monotonic_time () >= retry_at;
    }
}

void
gasync_owner_wait_end (GMainContext *context)
{
  g_main_context_pop_thread_default (context);
}

typedef struct
{
  GasyncOwnerFunc func;
  GObject *object;
} Invoke;

static gboolean
invoke_cb (gpointer data)
{
  Invoke *invoke = data;

  invoke->func (invoke->object);
  return G_SOURCE_REMOVE;
}

static void
invoke_free (gpointer data)
{
  Invoke *invoke = data;

  g_object_unref (invoke->object);
  g_free (invoke);
}

void
gasync_invoke_on_owner (GMainContext    *context,
                        GObject         *object,
                        GasyncOwnerFunc  func)
{
  Invoke *invoke;

  if (g_main_context_is_owner (context))
    {
      func (object);
      return;
    }

  invoke = g_new (Invoke, 1);
  invoke->func = func;
  invoke->object = g_object_ref (object);
  gasync_dispatch_to_context (context, invoke_cb, invoke, invoke_free);
}

GSource *
gasync_timeout_source_new (GTimeSpan timeout)
{
  GTimeSpan ms = timeout / G_TIME_SPAN_MILLISECOND +
                 (timeout % G_TIME_SPAN_MILLISECOND != 0);

  g_assert (timeout >= 0);

  if (ms <= G_MAXUINT)
    return g_timeout_source_new ((guint) ms);
  return g_timeout_source_new_seconds ((guint) MIN (ms / 1000, G_MAXUINT));
}

GSource *
gasync_timeout_source_add (GMainContext *context,
                           GTimeSpan     timeout,
                           GSourceFunc   func,
                           gpointer      data)
{
  GSource *source = gasync_timeout_source_new (timeout);

  g_source_set_static_name (source, "[gasync] timeout");
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

void
gasync_clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}
