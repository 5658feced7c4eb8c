/* gasync-workers.c: helpers shared by the latch, worker, interval and wait
 * group
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-workers-private.h"
#include "gasync-dispatch-private.h"

/* A condition wait that a GCancellable interrupts: the cancel handler takes
 * the lock before it broadcasts, so that no wake-up is lost. */
typedef struct
{
  GasyncLock *lock;
  GasyncCond *cond;
  GCancellable *cancellable;
  gulong handler;
} Waiter;

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter *waiter = user_data;

  gasync_lock (waiter->lock);
  gasync_cond_broadcast (waiter->cond);
  gasync_unlock (waiter->lock);
}

static void
waiter_init (Waiter       *waiter,
             GasyncLock   *lock,
             GasyncCond   *cond,
             GCancellable *cancellable)
{
  waiter->lock = lock;
  waiter->cond = cond;
  waiter->cancellable = cancellable;
  waiter->handler = 0;
  if (cancellable != NULL)
    waiter->handler = g_cancellable_connect (cancellable,
                                             G_CALLBACK (waiter_cancelled_cb),
                                             waiter, NULL);
}

static gboolean
waiter_wait (Waiter  *waiter,
             GError **error)
{
  if (g_cancellable_set_error_if_cancelled (waiter->cancellable, error))
    return FALSE;
  gasync_cond_wait (waiter->cond, waiter->lock);
  return TRUE;
}

static void
waiter_clear (Waiter *waiter)
{
  if (waiter->handler != 0)
    g_cancellable_disconnect (waiter->cancellable, waiter->handler);
  waiter->handler = 0;
}

gboolean
gasync_workers_wait (GasyncLock              *lock,
                     GasyncCond              *cond,
                     GCancellable            *cancellable,
                     GasyncWorkersPredicate   done,
                     gpointer                 data,
                     GError                 **error)
{
  Waiter waiter;
  gboolean ok = TRUE;

  waiter_init (&waiter, lock, cond, cancellable);
  gasync_lock (lock);
  while (ok && !done (data))
    ok = waiter_wait (&waiter, error);
  gasync_unlock (lock);
  waiter_clear (&waiter);
  return ok;
}

typedef struct
{
  GObject *instance;
  guint signal_id;
  GError *error;
} Emission;

static gboolean
emission_cb (gpointer user_data)
{
  Emission *emission = user_data;

  g_signal_emit (emission->instance, emission->signal_id, 0, emission->error);
  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer user_data)
{
  Emission *emission = user_data;

  g_object_unref (emission->instance);
  g_error_free (emission->error);
  g_free (emission);
}

void
gasync_workers_emit_error (GMainContext *owner,
                           gpointer      instance,
                           guint         signal_id,
                           GError       *error)
{
  Emission *emission = g_new (Emission, 1);

  emission->instance = g_object_ref (instance);
  emission->signal_id = signal_id;
  emission->error = error;
  gasync_dispatch_to_context (owner, emission_cb, emission, emission_free);
}

typedef struct
{
  GObject *instance;
  GParamSpec *pspec;
} Notification;

static gboolean
notification_cb (gpointer user_data)
{
  Notification *notification = user_data;

  g_object_notify_by_pspec (notification->instance, notification->pspec);
  return G_SOURCE_REMOVE;
}

static void
notification_free (gpointer user_data)
{
  Notification *notification = user_data;

  g_object_unref (notification->instance);
  g_free (notification);
}

void
gasync_workers_notify (GMainContext *owner,
                       gpointer      instance,
                       GParamSpec   *pspec)
{
  Notification *notification = g_new (Notification, 1);

  notification->instance = g_object_ref (instance);
  notification->pspec = pspec;
  gasync_dispatch_to_context (owner, notification_cb, notification,
                              notification_free);
}

static gboolean
nothing_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

void
gasync_workers_destroy (GMainContext   *owner,
                        GDestroyNotify  destroy,
                        gpointer        data)
{
  if (destroy != NULL)
    gasync_dispatch_to_context (owner, nothing_cb, data, destroy);
}

static gboolean
ready_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs ready_source_funcs = {
  .dispatch = ready_source_dispatch,
};

GSource *
gasync_workers_source_new (const char  *name,
                           GSourceFunc  func,
                           gpointer     object)
{
  GSource *source = g_source_new (&ready_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, g_object_ref (object), g_object_unref);
  return source;
}
