/* gasync-workers.c: helpers shared by the latch, worker, interval and wait
 * group
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-leak-private.h"
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

static void
life_latch_state_cb (GObject    *latch,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  GasyncWorkersLife *life = user_data;

  g_object_notify_by_pspec (life->object, life->state_pspec);
}

void
gasync_workers_life_init (GasyncWorkersLife *life,
                          GObject           *object,
                          GParamSpec        *state_pspec)
{
  gasync_lock_init (&life->lock);
  gasync_cond_init (&life->cond);
  life->owner = g_main_context_ref_thread_default ();
  life->mailbox = gasync_workers_mailbox_new (life->owner);
  /* Made here, so that it notifies on the same owner context. */
  life->object = object;
  life->state_pspec = state_pspec;
  life->latch = gasync_latch_new ();
  g_signal_connect (life->latch, "notify::state",
                    G_CALLBACK (life_latch_state_cb), life);
}

gboolean
gasync_workers_life_dispose (GasyncWorkersLife *life)
{
  gboolean keep;

  /* A source cannot outlive dispose: it holds a weak reference. */
  gasync_workers_life_end_source (life);

  gasync_lock (&life->lock);
  keep = life->thread_alive && !life->kept_alive;
  life->kept_alive |= keep;
  gasync_unlock (&life->lock);
  if (keep)
    {
      g_object_ref (life->object);
      return TRUE;
    }

  if (life->latch != NULL)
    g_signal_handlers_disconnect_by_data (life->latch, life);
  g_clear_object (&life->latch);
  return FALSE;
}

gboolean
gasync_workers_life_is_own_thread (GasyncWorkersLife *life)
{
  gboolean own;

  gasync_lock (&life->lock);
  own = life->thread_alive && life->thread == g_thread_self ();
  gasync_unlock (&life->lock);
  return own;
}

typedef struct
{
  GWeakRef object;
  GSourceFunc func;
} LifeSource;

static gboolean
life_source_cb (gpointer data)
{
  LifeSource *life_source = data;
  g_autoptr(GObject) object = g_weak_ref_get (&life_source->object);

  if (object == NULL)
    return G_SOURCE_REMOVE;
  return life_source->func (object);
}

static void
life_source_free (gpointer data)
{
  LifeSource *life_source = data;

  g_weak_ref_clear (&life_source->object);
  g_free (life_source);
}

GSource *
gasync_workers_life_source_new (GasyncWorkersLife *life,
                                const char        *name,
                                GSourceFunc        func)
{
  LifeSource *life_source = g_new (LifeSource, 1);

  g_weak_ref_init (&life_source->object, life->object);
  life_source->func = func;
  return gasync_workers_source_new (name, life_source_cb, life_source,
                                    life_source_free);
}

static void
life_join (GasyncWorkersLife *life)
{
  GThread *thread;

  gasync_lock (&life->lock);
  thread = g_steal_pointer (&life->thread);
  gasync_unlock (&life->lock);
  if (thread != NULL)
    g_thread_join (thread);
}

void
gasync_workers_life_clear (GasyncWorkersLife *life)
{
  /* Dispose ended the source, and kept the object while its thread ran. */
  g_assert (life->source == NULL);
  g_assert (!life->thread_alive);
  gasync_leak_untrack (life->object);
  life_join (life);
  g_clear_object (&life->cancellable);
  g_clear_pointer (&life->mailbox, gasync_workers_mailbox_close);
  g_main_context_unref (life->owner);
  gasync_cond_clear (&life->cond);
  gasync_lock_clear (&life->lock);
}

gboolean
gasync_workers_life_begin (GasyncWorkersLife  *life,
                           GError            **error)
{
  if (!gasync_latch_starting (life->latch, error))
    return FALSE;

  /* The previous thread, if any, has stopped: it ends soon after. */
  life_join (life);

  gasync_lock (&life->lock);
  life->running = TRUE;
  life->stop_requested = FALSE;
  life->run++;
  g_clear_object (&life->cancellable);
  life->cancellable = g_cancellable_new ();
  gasync_unlock (&life->lock);
  gasync_leak_track (life->object, NULL, NULL);
  return TRUE;
}

/* Waits for a given run rather than for a latch state: by the time the
 * latch is looked at, that run may have ended and the next one begun. */
typedef struct
{
  GasyncWorkersLife *life;
  guint64 run;
} RunWait;

static gboolean
run_has_started (gpointer data)
{
  RunWait *wait = data;

  return wait->life->run_started >= wait->run;
}

static gboolean
run_has_ended (gpointer data)
{
  RunWait *wait = data;

  return wait->life->run_ended >= wait->run;
}

void
gasync_workers_life_spawn (GasyncWorkersLife *life,
                           const char        *name,
                           GThreadFunc        func)
{
  RunWait wait = { life, 0 };

  /* Under the lock, which the thread takes before it starts, so that the
   * next start finds it to join. */
  gasync_lock (&life->lock);
  wait.run = life->thread_run = life->run;
  life->thread_alive = TRUE;
  life->thread = g_thread_new (name, func, life->object);
  gasync_wait (&life->lock, &life->cond, run_has_started, &wait, G_MAXINT64,
               NULL, NULL);
  gasync_unlock (&life->lock);
}

gboolean
gasync_workers_life_wait_stopped (GasyncWorkersLife  *life,
                                  guint64             run,
                                  GCancellable       *cancellable,
                                  GError            **error)
{
  RunWait wait = { life, run };
  GThread *thread = NULL;

  /* Unless the next start has joined it already. */
  gasync_lock (&life->lock);
  if (!gasync_wait (&life->lock, &life->cond, run_has_ended, &wait,
                    G_MAXINT64, cancellable, error))
    {
      gasync_unlock (&life->lock);
      return FALSE;
    }
  if (life->thread_run == run)
    thread = g_steal_pointer (&life->thread);
  gasync_unlock (&life->lock);
  if (thread != NULL)
    g_thread_join (thread);
  return TRUE;
}

gboolean
gasync_workers_life_request_stop (GasyncWorkersLife  *life,
                                  guint64            *run,
                                  GError            **error)
{
  /* Under the lock: the run cannot end and the next one begin before
   * *run says which one was stopped. */
  gasync_lock (&life->lock);
  if (!gasync_latch_stopping (life->latch, error))
    {
      gasync_unlock (&life->lock);
      return FALSE;
    }
  *run = life->run;
  life->stop_requested = TRUE;
  gasync_cond_broadcast (&life->cond);
  gasync_unlock (&life->lock);
  return TRUE;
}

GCancellable *
gasync_workers_life_dup_cancellable (GasyncWorkersLife *life)
{
  GCancellable *cancellable;

  gasync_lock (&life->lock);
  cancellable = g_object_ref (life->cancellable);
  gasync_unlock (&life->lock);
  return cancellable;
}

void
gasync_workers_life_end_source (GasyncWorkersLife *life)
{
  GSource *source;

  gasync_lock (&life->lock);
  source = g_steal_pointer (&life->source);
  gasync_unlock (&life->lock);
  if (source == NULL)
    return;
  g_source_destroy (source);
  g_source_unref (source);
  gasync_workers_life_finished (life);
}

void
gasync_workers_life_finished (GasyncWorkersLife *life)
{
  guint64 run;

  gasync_leak_untrack (life->object);
  gasync_lock (&life->lock);
  life->running = FALSE;
  run = life->run;
  gasync_unlock (&life->lock);

  /* Already stopping unless the run ended by itself. */
  gasync_latch_stopping (life->latch, NULL);
  gasync_latch_stopped (life->latch, NULL);

  /* The next run may have begun and ended already. */
  gasync_lock (&life->lock);
  life->run_ended = MAX (life->run_ended, run);
  gasync_cond_broadcast (&life->cond);
  gasync_unlock (&life->lock);
}

void
gasync_workers_life_thread_started (GasyncWorkersLife *life)
{
  gasync_latch_started (life->latch, NULL);

  gasync_lock (&life->lock);
  life->run_started = life->run;
  gasync_cond_broadcast (&life->cond);
  gasync_unlock (&life->lock);
}

void
gasync_workers_life_thread_exit (GasyncWorkersLife *life)
{
  gboolean kept;

  gasync_workers_life_finished (life);

  /* Without a reference from dispose, the object may be finalized as soon
   * as the lock is dropped (finalize joins this thread). */
  gasync_lock (&life->lock);
  life->thread_alive = FALSE;
  kept = life->kept_alive;
  life->kept_alive = FALSE;
  gasync_unlock (&life->lock);

  /* The last reference: drop it where the object lives. */
  if (kept)
    gasync_workers_destroy (life->mailbox, g_object_unref, life->object);
}

GParamSpec *
gasync_workers_state_pspec_new (void)
{
  return g_param_spec_enum ("state", "State", "The lifecycle state",
                            GASYNC_TYPE_LATCH_STATE, GASYNC_LATCH_STATE_STOPPED,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY);
}

guint
gasync_workers_error_signal_new (GType type)
{
  return g_signal_new ("error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                       G_TYPE_NONE, 1, G_TYPE_ERROR);
}
