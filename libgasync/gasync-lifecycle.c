/* gasync-lifecycle.c: the lifecycle shared by the latch, worker, interval
 * and work queue
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "config.h"

#include "gasync-lifecycle-private.h"
#include "gasync-leak-private.h"
#include "gasync-owner-private.h"
#include "gasync-pool-private.h"
#include "gasync-private.h"
#include "gasync-source-private.h"

#define FROM(s) GASYNC_LIFECYCLE_FROM (s)

/* A weak reference to the object, made while it is alive (GLib does not
 * clear a GWeakRef made during dispose), shared by the notifications on
 * their way to the owner context. */
struct _GasyncLifecycleLink
{
  int ref_count; /* atomic; inline atomics, which TSan sees */
  GWeakRef object;
};

static GasyncLifecycleLink *
life_link_new (GObject *object)
{
  GasyncLifecycleLink *link = g_new (GasyncLifecycleLink, 1);

  link->ref_count = 1;
  g_weak_ref_init (&link->object, object);
  return link;
}

static GasyncLifecycleLink *
life_link_ref (GasyncLifecycleLink *link)
{
  g_atomic_int_inc (&link->ref_count);
  return link;
}

static void
life_link_unref (GasyncLifecycleLink *link)
{
  if (!g_atomic_int_dec_and_test (&link->ref_count))
    return;
  g_weak_ref_clear (&link->object);
  g_free (link);
}

typedef struct
{
  GasyncLifecycleLink *link;
  GParamSpec *pspec;
} StateNotification;

static void
state_notification_cb (gpointer user_data)
{
  StateNotification *notification = user_data;
  g_autoptr(GObject) object = g_weak_ref_get (&notification->link->object);

  if (object != NULL)
    g_object_notify_by_pspec (object, notification->pspec);
}

static void
state_notification_free (gpointer user_data)
{
  StateNotification *notification = user_data;

  life_link_unref (notification->link);
  g_free (notification);
}

/* Emits notify::state on the object, on the owner context. */
static void
life_notify_state (GasyncLifecycle *life)
{
  StateNotification *notification;

  if (life->link == NULL)
    {
      gasync_owner_notify (life->owner, life->object, life->state_pspec);
      return;
    }

  notification = g_new (StateNotification, 1);
  notification->link = life_link_ref (life->link);
  notification->pspec = life->state_pspec;
  gasync_owner_invoke (life->owner, GASYNC_OWNER_QUEUE, state_notification_cb,
                       notification, state_notification_free);
}

static const char *
state_nick (GasyncLatchState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (GASYNC_TYPE_LATCH_STATE);

  return g_enum_get_value (klass, state)->value_nick;
}

/* Moves to @to if the state is one of the @from bits, under the lock;
 * the caller notifies after. */
static gboolean
life_move_locked (GasyncLifecycle   *life,
                  guint              from,
                  GasyncLatchState   to,
                  GError           **error)
{
  GasyncLatchState old = life->state;

  if ((from & (1u << old)) == 0)
    {
      g_set_error (error, GASYNC_ERROR,
                   to == GASYNC_LATCH_STATE_STARTING ?
                     GASYNC_ERROR_ALREADY_STARTED :
                   to == GASYNC_LATCH_STATE_STOPPING ?
                     GASYNC_ERROR_NOT_STARTED :
                     GASYNC_ERROR_FAILED,
                   /* Translators: the placeholders are latch states such
                    * as “started” and “stopping” */
                   _("Cannot move from “%s” to “%s”"),
                   state_nick (old), state_nick (to));
      return FALSE;
    }

  life->state = to;
  if (to == GASYNC_LATCH_STATE_STARTED && old == GASYNC_LATCH_STATE_STARTING)
    life->n_started++;
  if (to == GASYNC_LATCH_STATE_STOPPED)
    life->n_stopped++;
  gasync_cond_broadcast (&life->cond);
  return TRUE;
}

gboolean
gasync_lifecycle_move (GasyncLifecycle   *life,
                       guint              from,
                       GasyncLatchState   to,
                       GError           **error)
{
  gboolean moved;

  gasync_lock (&life->lock);
  moved = life_move_locked (life, from, to, error);
  gasync_unlock (&life->lock);

  if (moved)
    life_notify_state (life);
  return moved;
}

GasyncLatchState
gasync_lifecycle_get_state (GasyncLifecycle *life)
{
  GasyncLatchState state;

  gasync_lock (&life->lock);
  state = life->state;
  gasync_unlock (&life->lock);
  return state;
}

/* What a wait started from: it ends on a transition since, even if the
 * state has moved on again when it looks. */
typedef struct
{
  GasyncLifecycle *life;
  guint64 n_started;
  guint64 n_stopped;
  gboolean started;   /* once the wait is over */
} Snapshot;

/* Called with the lock held, as the predicates below. */
static gboolean
has_started (Snapshot *snapshot)
{
  GasyncLifecycle *life = snapshot->life;

  return life->state == GASYNC_LATCH_STATE_STARTED ||
         life->state == GASYNC_LATCH_STATE_ACTIVE ||
         life->n_started != snapshot->n_started;
}

static gboolean
has_started_or_stopped (gpointer data)
{
  Snapshot *snapshot = data;

  return has_started (snapshot) ||
         snapshot->life->n_stopped != snapshot->n_stopped;
}

static gboolean
has_stopped (gpointer data)
{
  Snapshot *snapshot = data;

  return snapshot->life->state == GASYNC_LATCH_STATE_STOPPED ||
         snapshot->life->n_stopped != snapshot->n_stopped;
}

/* Takes a snapshot and waits until @done holds for it, or @cancellable
 * is cancelled; then notes whether it has started. */
static gboolean
life_wait_since (GasyncLifecycle   *life,
                 Snapshot          *snapshot,
                 GasyncWaitFunc     done,
                 GCancellable      *cancellable,
                 GError           **error)
{
  gboolean ok;

  gasync_lock (&life->lock);
  snapshot->life = life;
  snapshot->n_started = life->n_started;
  snapshot->n_stopped = life->n_stopped;
  ok = gasync_wait (&life->lock, &life->cond, done, snapshot, G_MAXINT64,
                    cancellable, error);
  snapshot->started = has_started (snapshot);
  gasync_unlock (&life->lock);
  return ok;
}

gboolean
gasync_lifecycle_wait_started (GasyncLifecycle  *life,
                               GCancellable     *cancellable,
                               GError          **error)
{
  Snapshot snapshot;

  if (!life_wait_since (life, &snapshot, has_started_or_stopped,
                        cancellable, error))
    return FALSE;
  if (!snapshot.started)
    g_set_error_literal (error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED,
                         _("Stopped before it started"));
  return snapshot.started;
}

gboolean
gasync_lifecycle_wait_stopped (GasyncLifecycle  *life,
                               GCancellable     *cancellable,
                               GError          **error)
{
  Snapshot snapshot;

  return life_wait_since (life, &snapshot, has_stopped, cancellable, error);
}

void
gasync_lifecycle_init (GasyncLifecycle *life,
                       GObject         *object,
                       GParamSpec      *state_pspec,
                       gboolean         keep_alive)
{
  gasync_lock_init (&life->lock);
  gasync_cond_init (&life->cond);
  life->state = GASYNC_LATCH_STATE_STOPPED;
  life->owner = g_main_context_ref_thread_default ();
  life->object = object;
  life->state_pspec = state_pspec;
  if (!keep_alive)
    life->link = life_link_new (object);
}

gboolean
gasync_lifecycle_dispose (GasyncLifecycle *life)
{
  /* A source cannot outlive dispose: it holds a weak reference. */
  gasync_lifecycle_end_source (life);

  return gasync_thread_hold_keep (&life->thread_hold, &life->lock,
                                  life->object);
}

gboolean
gasync_lifecycle_refuse_own_thread (GasyncLifecycle  *life,
                                    const char       *kind,
                                    char *const      *name,
                                    const char       *call,
                                    const char       *why,
                                    GError          **error)
{
  g_autofree char *label = NULL;
  gboolean own;

  gasync_lock (&life->lock);
  own = !gasync_thread_hold_is_empty_locked (&life->thread_hold) &&
        life->thread == g_thread_self ();
  if (own && kind != NULL)
    label = gasync_describe (kind, *name, life->object);
  gasync_unlock (&life->lock);
  if (own)
    gasync_report_self_deadlock_of (error, label, call, why);
  return own;
}

gboolean
gasync_lifecycle_call (GasyncLifecycle *life,
                       GasyncTaskFunc   func,
                       const char      *task_name,
                       GCancellable    *cancellable,
                       gpointer         user_data,
                       guint            error_signal)
{
  GError *error = NULL;

  if (gasync_task_func_call (func, task_name, cancellable, user_data, &error))
    return TRUE;
  /* Cancelled is not failed (the contract). */
  if (gasync_error_is_cancelled (error))
    {
      g_error_free (error);
      return TRUE;
    }

  gasync_owner_emit_error (life->owner, GASYNC_OWNER_QUEUE, life->object,
                           error_signal, GASYNC_OWNER_ARG_NONE, NULL, error,
                           "its work");
  return FALSE;
}

typedef struct
{
  GWeakRef object;
  GSourceFunc func;
} LifeSource;

/* The source may be made on one thread (a work queue starts anywhere),
 * dispatched on the owner's and freed on a third: handed over through
 * GLib's locks, which TSan cannot see. */
static gboolean
life_source_cb (gpointer data)
{
  LifeSource *life_source = data;
  g_autoptr(GObject) object = g_weak_ref_get (&life_source->object);
  gboolean again;

  if (object == NULL)
    return G_SOURCE_REMOVE;
  GASYNC_TSAN_ACQUIRE (life_source);
  again = life_source->func (object);
  GASYNC_TSAN_RELEASE (life_source);
  return again;
}

static void
life_source_free (gpointer data)
{
  LifeSource *life_source = data;

  GASYNC_TSAN_ACQUIRE (life_source);
  g_weak_ref_clear (&life_source->object);
  g_free (life_source);
}

GSource *
gasync_lifecycle_source_new (GObject    *object,
                             const char *name,
                             GSourceFunc func)
{
  LifeSource *life_source = g_new (LifeSource, 1);

  g_weak_ref_init (&life_source->object, object);
  life_source->func = func;
  GASYNC_TSAN_RELEASE (life_source);
  return gasync_ready_source_new (name, life_source_cb, life_source,
                                  life_source_free);
}

static void
life_join (GasyncLifecycle *life)
{
  GThread *thread;

  gasync_lock (&life->lock);
  thread = g_steal_pointer (&life->thread);
  gasync_unlock (&life->lock);
  if (thread != NULL)
    g_thread_join (thread);
}

void
gasync_lifecycle_clear (GasyncLifecycle *life)
{
  /* Dispose ended the source, and kept the object while its thread ran. */
  g_assert (life->source == NULL);
  gasync_thread_hold_clear (&life->thread_hold, &life->lock);
  gasync_leak_untrack (life->object);
  life_join (life);
  g_clear_object (&life->cancellable);
  g_clear_pointer (&life->link, life_link_unref);
  g_main_context_unref (life->owner);
  gasync_cond_clear (&life->cond);
  gasync_lock_clear (&life->lock);
}

gboolean
gasync_lifecycle_begin (GasyncLifecycle  *life,
                        GError          **error)
{
  if (!gasync_lifecycle_move (life, FROM (STOPPED),
                              GASYNC_LATCH_STATE_STARTING, error))
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

static gboolean
life_start_source (GasyncLifecycle  *life,
                   const char       *name,
                   GSourceFunc       func,
                   gint64            ready_time,
                   GError          **error)
{
  /* Under the lock: the object's own threads look at the source to wake
   * it. */
  gasync_lock (&life->lock);
  life->source = gasync_lifecycle_source_new (life->object, name, func);
  g_source_set_ready_time (life->source, ready_time);
  gasync_source_attach (life->source, life->owner);
  gasync_unlock (&life->lock);

  return gasync_lifecycle_move (life, FROM (STARTING) | FROM (RESUMING) |
                                FROM (ACTIVE), GASYNC_LATCH_STATE_STARTED,
                                error);
}

/* Waits for a given run rather than for a state: by the time the state is
 * looked at, that run may have ended and the next one begun. */
typedef struct
{
  GasyncLifecycle *life;
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

/* The first act of a thread: moves to started. */
static void
life_thread_started (GasyncLifecycle *life)
{
  gasync_lifecycle_move (life, FROM (STARTING) | FROM (RESUMING) |
                         FROM (ACTIVE), GASYNC_LATCH_STATE_STARTED, NULL);

  gasync_lock (&life->lock);
  life->run_started = life->run;
  gasync_cond_broadcast (&life->cond);
  gasync_unlock (&life->lock);
}

/* The last act of a thread: finished, then the thread lets go of the
 * object (and gives back the reference dispose took, if it did). */
static void
life_thread_exit (GasyncLifecycle *life)
{
  gasync_lifecycle_finished (life);

  /* Without a reference from dispose, the object may be finalized as soon
   * as the lock is dropped (finalize joins this thread); the reference
   * dispose took is dropped where the object lives. */
  gasync_thread_hold_leave (&life->thread_hold, &life->lock, life->object,
                            NULL, life->owner);
}

static gpointer
life_thread (gpointer data)
{
  GasyncLifecycle *life = data;
  GasyncLifecycleRunFunc func;
  GCancellable *cancellable;

  gasync_lock (&life->lock);
  func = life->thread_func;
  cancellable = g_object_ref (life->cancellable);
  gasync_unlock (&life->lock);

  life_thread_started (life);
  func (life->object, cancellable);
  g_object_unref (cancellable);
  life_thread_exit (life);
  return NULL;
}

static void
life_spawn (GasyncLifecycle        *life,
            const char             *name,
            GasyncLifecycleRunFunc  func)
{
  RunWait wait = { life, 0 };

  /* Under the lock, which the thread takes before it starts, so that the
   * next start finds it to join. */
  gasync_lock (&life->lock);
  wait.run = life->thread_run = life->run;
  gasync_thread_hold_enter_locked (&life->thread_hold);
  life->thread_func = func;
  life->thread = g_thread_new (name, life_thread, life);
  gasync_wait (&life->lock, &life->cond, run_has_started, &wait, G_MAXINT64,
               NULL, NULL);
  gasync_unlock (&life->lock);
}

gboolean
gasync_lifecycle_launch (GasyncLifecycle              *life,
                         const GasyncLifecycleRunner  *runner,
                         gboolean                      main_context,
                         gint64                        ready_time,
                         GError                      **error)
{
  if (main_context)
    return life_start_source (life, runner->source_name, runner->source_func,
                              ready_time, error);
  life_spawn (life, runner->thread_name, runner->thread_func);
  return TRUE;
}

gboolean
gasync_lifecycle_wait_run (GasyncLifecycle  *life,
                           guint64           run,
                           GCancellable     *cancellable,
                           GError          **error)
{
  RunWait wait = { life, run };
  GThread *thread = NULL;

  gasync_lock (&life->lock);
  if (!gasync_wait (&life->lock, &life->cond, run_has_ended, &wait,
                    G_MAXINT64, cancellable, error))
    {
      gasync_unlock (&life->lock);
      return FALSE;
    }

  /* Unless the next start has joined it already. */
  if (life->thread_run == run)
    thread = g_steal_pointer (&life->thread);
  gasync_unlock (&life->lock);
  if (thread != NULL)
    g_thread_join (thread);
  return TRUE;
}

gboolean
gasync_lifecycle_request_stop (GasyncLifecycle  *life,
                               guint64          *run,
                               GError          **error)
{
  /* Under the lock: the run cannot end and the next one begin before
   * *run says which one was stopped. */
  gasync_lock (&life->lock);
  if (!life_move_locked (life, GASYNC_LIFECYCLE_STOPPABLE,
                         GASYNC_LATCH_STATE_STOPPING, error))
    {
      gasync_unlock (&life->lock);
      return FALSE;
    }
  *run = life->run;
  life->stop_requested = TRUE;
  gasync_cond_broadcast (&life->cond);
  gasync_unlock (&life->lock);

  life_notify_state (life);
  return TRUE;
}

gboolean
gasync_lifecycle_stop (GasyncLifecycle              *life,
                       const GasyncLifecycleRunner  *runner,
                       GCancellable                 *cancellable,
                       GError                      **error)
{
  guint64 run;

  if (!runner->request_stop (life->object, &run, error))
    return FALSE;
  if (runner->after_stop (life->object))
    return TRUE;
  return gasync_lifecycle_wait_run (life, run, cancellable, error);
}

void
gasync_lifecycle_stop_async (GasyncLifecycle             *life,
                             const GasyncLifecycleRunner *runner,
                             GTask                       *task)
{
  GError *error = NULL;
  guint64 run;

  if (!runner->request_stop (life->object, &run, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  gasync_lifecycle_end_run_async (life, runner, run, task);
}

void
gasync_lifecycle_end_run_async (GasyncLifecycle             *life,
                                const GasyncLifecycleRunner *runner,
                                guint64                      run,
                                GTask                       *task)
{
  if (runner->after_stop (life->object))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  gasync_lifecycle_wait_run_async (life, run, task);
}

GCancellable *
gasync_lifecycle_dup_cancellable (GasyncLifecycle *life)
{
  GCancellable *cancellable;

  gasync_lock (&life->lock);
  cancellable = g_object_ref (life->cancellable);
  gasync_unlock (&life->lock);
  return cancellable;
}

void
gasync_lifecycle_end_source (GasyncLifecycle *life)
{
  GSource *source;

  gasync_lock (&life->lock);
  source = g_steal_pointer (&life->source);
  gasync_unlock (&life->lock);
  if (source == NULL)
    return;
  g_source_destroy (source);
  g_source_unref (source);
  gasync_lifecycle_finished (life);
}

void
gasync_lifecycle_finished (GasyncLifecycle *life)
{
  guint64 run;

  gasync_leak_untrack (life->object);
  gasync_lock (&life->lock);
  life->running = FALSE;
  run = life->run;
  gasync_unlock (&life->lock);

  /* Already stopping unless the run ended by itself. */
  gasync_lifecycle_move (life, GASYNC_LIFECYCLE_STOPPABLE,
                         GASYNC_LATCH_STATE_STOPPING, NULL);
  gasync_lifecycle_move (life, FROM (STOPPING), GASYNC_LATCH_STATE_STOPPED,
                         NULL);

  /* The next run may have begun and ended already. */
  gasync_lock (&life->lock);
  life->run_ended = MAX (life->run_ended, run);
  gasync_cond_broadcast (&life->cond);
  gasync_unlock (&life->lock);
}

GParamSpec *
gasync_lifecycle_state_pspec_new (void)
{
  return g_param_spec_enum ("state", "State", "The lifecycle state",
                            GASYNC_TYPE_LATCH_STATE, GASYNC_LATCH_STATE_STOPPED,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY);
}

void
gasync_lifecycle_class_install (GObjectClass               *object_class,
                                const GasyncPropertyAccess *access,
                                GParamSpec                **properties,
                                guint                       n_props,
                                guint                       prop_state,
                                guint                      *error_signal)
{
  properties[prop_state] = gasync_lifecycle_state_pspec_new ();
  gasync_property_install (object_class, access, properties, n_props);
  *error_signal = g_signal_new ("error", G_TYPE_FROM_CLASS (object_class),
                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                G_TYPE_NONE, 1, G_TYPE_ERROR);
  gasync_type_class_publish (object_class);
}

/* The async waits: the snapshot is taken at the call, the wait happens on
 * a pool thread, and the task returns on its context. */
typedef struct
{
  GTask *task;
  GasyncLifecycle *life;
  GasyncWaitFunc done;   /* NULL: wait for @run */
  Snapshot snapshot;
  guint64 run;
} AsyncWait;

static void
async_wait_in_pool (gpointer data)
{
  AsyncWait *wait = data;
  GasyncLifecycle *life = wait->life;
  GCancellable *cancellable = g_task_get_cancellable (wait->task);
  GError *error = NULL;

  if (wait->done == NULL)
    gasync_lifecycle_wait_run (life, wait->run, cancellable, &error);
  else
    {
      gasync_lock (&life->lock);
      if (gasync_wait (&life->lock, &life->cond, wait->done, &wait->snapshot,
                       G_MAXINT64, cancellable, &error) &&
          wait->done == has_started_or_stopped &&
          !has_started (&wait->snapshot))
        g_set_error_literal (&error, GASYNC_ERROR, GASYNC_ERROR_NOT_STARTED,
                             _("Stopped before it started"));
      gasync_unlock (&life->lock);
    }
  gasync_owner_return_boolean (wait->task, error);
  g_free (wait);
}

static void
async_wait_push (GasyncLifecycle *life,
                 GTask           *task,
                 GasyncWaitFunc   done,
                 guint64          run)
{
  AsyncWait *wait = g_new0 (AsyncWait, 1);

  /* The wait reports its own cancellation. */
  g_task_set_check_cancellable (task, FALSE);
  wait->task = task;
  wait->life = life;
  wait->done = done;
  wait->run = run;
  gasync_lock (&life->lock);
  wait->snapshot.life = life;
  wait->snapshot.n_started = life->n_started;
  wait->snapshot.n_stopped = life->n_stopped;
  gasync_unlock (&life->lock);
  gasync_pool_push (async_wait_in_pool, wait);
}

void
gasync_lifecycle_wait_started_async (GasyncLifecycle *life,
                                     GTask           *task)
{
  async_wait_push (life, task, has_started_or_stopped, 0);
}

void
gasync_lifecycle_wait_stopped_async (GasyncLifecycle *life,
                                     GTask           *task)
{
  async_wait_push (life, task, has_stopped, 0);
}

void
gasync_lifecycle_wait_run_async (GasyncLifecycle *life,
                                 guint64          run,
                                 GTask           *task)
{
  async_wait_push (life, task, NULL, run);
}
