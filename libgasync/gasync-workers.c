/* gasync-workers.c: helpers shared by the latch, worker, interval and wait
 * group
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-workers-private.h"

#include "gasync-private.h"

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

  if (gasync_failure_is_handled (emission->instance, emission->signal_id,
                                 NULL, "its work", emission->error))
    g_signal_emit (emission->instance, emission->signal_id, 0,
                   emission->error);
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
gasync_workers_emit_error (GSource      *mailbox,
                           gpointer      instance,
                           guint         signal_id,
                           GError       *error)
{
  Emission *emission = g_new (Emission, 1);

  emission->instance = g_object_ref (instance);
  emission->signal_id = signal_id;
  emission->error = error;
  gasync_workers_post (mailbox, emission_cb, emission, emission_free);
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
gasync_workers_notify (GSource      *mailbox,
                       gpointer      instance,
                       GParamSpec   *pspec)
{
  Notification *notification = g_new (Notification, 1);

  notification->instance = g_object_ref (instance);
  notification->pspec = pspec;
  gasync_workers_post (mailbox, notification_cb, notification,
                       notification_free);
}

static gboolean
nothing_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

void
gasync_workers_destroy (GSource        *mailbox,
                        GDestroyNotify  destroy,
                        gpointer        data)
{
  if (destroy != NULL)
    gasync_workers_post (mailbox, nothing_cb, data, destroy);
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
gasync_workers_source_new (const char     *name,
                           GSourceFunc     func,
                           gpointer        data,
                           GDestroyNotify  destroy)
{
  GSource *source = g_source_new (&ready_source_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, data, destroy);
  return source;
}

/* The mailbox: a ready-time source with a queue of messages under our own
 * lock. Posting only locks, queues and sets the ready time: unlike
 * attaching a new source, it allocates nothing inside GLib, whose
 * allocations under its own (futex) locks TSan would see as races. */
typedef struct
{
  GSourceFunc func;
  gpointer data;
  GDestroyNotify destroy;
} Message;

typedef struct
{
  GSource source;
  GasyncLock lock;
  GQueue messages;  /* Message */
} Mailbox;

static Message *
mailbox_pop (Mailbox *mailbox)
{
  Message *message;

  gasync_lock (&mailbox->lock);
  message = g_queue_pop_head (&mailbox->messages);
  gasync_unlock (&mailbox->lock);
  return message;
}

static void
message_run (Message *message)
{
  message->func (message->data);
  if (message->destroy != NULL)
    message->destroy (message->data);
  g_free (message);
}

static gboolean
mailbox_dispatch (GSource     *source,
                  GSourceFunc  callback,
                  gpointer     user_data)
{
  Mailbox *mailbox = (Mailbox *) source;
  Message *message;

  g_source_set_ready_time (source, -1);
  while (!g_source_is_destroyed (source) &&
         (message = mailbox_pop (mailbox)) != NULL)
    message_run (message);
  return G_SOURCE_CONTINUE;
}

/* Nothing is lost: what is left runs when the mailbox goes. */
static void
mailbox_finalize (GSource *source)
{
  Mailbox *mailbox = (Mailbox *) source;
  Message *message;

  while ((message = mailbox_pop (mailbox)) != NULL)
    message_run (message);
  gasync_lock_clear (&mailbox->lock);
}

static GSourceFuncs mailbox_funcs = {
  .dispatch = mailbox_dispatch,
  .finalize = mailbox_finalize,
};

GSource *
gasync_workers_mailbox_new (GMainContext *owner)
{
  GSource *source = g_source_new (&mailbox_funcs, sizeof (Mailbox));
  Mailbox *mailbox = (Mailbox *) source;

  gasync_lock_init (&mailbox->lock);
  g_queue_init (&mailbox->messages);
  g_source_set_static_name (source, "[gasync] mailbox");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_attach (source, owner);
  return source;
}

void
gasync_workers_post (GSource        *source,
                     GSourceFunc     func,
                     gpointer        data,
                     GDestroyNotify  destroy)
{
  Mailbox *mailbox = (Mailbox *) source;
  Message *message = g_new (Message, 1);

  message->func = func;
  message->data = data;
  message->destroy = destroy;
  /* Woken under the lock, so that the message cannot run (and drop the
   * last reference to the owner of the mailbox) before the wake-up has
   * returned. */
  gasync_lock (&mailbox->lock);
  g_queue_push_tail (&mailbox->messages, message);
  g_source_set_ready_time (source, 0);
  gasync_unlock (&mailbox->lock);
}

void
gasync_workers_mailbox_close (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}
