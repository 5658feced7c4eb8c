/* gasync-workers.c: helpers shared by the latch, worker, interval and wait
 * group
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-leak-private.h"
#include "gasync-owner-private.h"
#include "gasync-source-private.h"
#include "gasync-workers-private.h"

#include "gasync-private.h"

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

  /* The handler is handed over, and waited for by the disconnection,
   * through GLib's locks, which TSan cannot see. */
  GASYNC_TSAN_ACQUIRE (waiter);
  gasync_lock (waiter->lock);
  gasync_cond_broadcast (waiter->cond);
  gasync_unlock (waiter->lock);
  GASYNC_TSAN_RELEASE (waiter);
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
  GASYNC_TSAN_RELEASE (waiter);
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
  GASYNC_TSAN_ACQUIRE (waiter);
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
  return gasync_ready_source_new (name, life_source_cb, life_source,
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
  gasync_unlock (&life->lock);
  gasync_workers_wait (&life->lock, &life->cond, NULL,
                       run_has_started, &wait, NULL);
}

gboolean
gasync_workers_life_wait_stopped (GasyncWorkersLife  *life,
                                  guint64             run,
                                  GCancellable       *cancellable,
                                  GError            **error)
{
  RunWait wait = { life, run };
  GThread *thread = NULL;

  if (!gasync_workers_wait (&life->lock, &life->cond, cancellable,
                            run_has_ended, &wait, error))
    return FALSE;

  /* Unless the next start has joined it already. */
  gasync_lock (&life->lock);
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
    gasync_owner_destroy (life->owner, GASYNC_OWNER_QUEUE, g_object_unref,
                          life->object);
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
