/* gasync-run-once.c: the run-once lifecycle of runners and groups
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-run-once-private.h"
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
  gasync_owner_invoke (self->context, GASYNC_OWNER_NOW_IF_OWNER, launch,
                       g_object_ref (object), g_object_unref);
  return TRUE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  GasyncRunOnce *self = data;

  gasync_owner_invoke (self->context, GASYNC_OWNER_NOW_IF_OWNER,
                       self->interrupt, g_object_ref (self->object),
                       g_object_unref);
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
