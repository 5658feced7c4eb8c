/* gasync-task-gate.c: admitting, counting and ending the tasks and
 * workers of a stopper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-task-gate-private.h.
 */

#include "config.h"

#include "gasync-task-gate-private.h"

#include "gasync-owner-private.h"
#include "gasync-private.h"
#include "gasync-task-run-private.h"
#include "gasync-task-token-private.h"

/* The record of a pooled task or a worker: a registry record; its gate is
 * the one whose registry it comes from. */
typedef GasyncRegistryTask GateRun;

static inline GasyncTaskGate *
gate_run_get_gate (GateRun *record)
{
  GasyncRegistry *registry = gasync_registry_task_get_registry (record);

  return (GasyncTaskGate *) ((char *) registry -
                             G_STRUCT_OFFSET (GasyncTaskGate, registry));
}

void
gasync_task_gate_init (GasyncTaskGate            *self,
                       GObject                   *instance,
                       GasyncLock                *lock,
                       GMainContext              *context,
                       const GasyncTaskGateHooks *hooks,
                       guint                      failed_signal,
                       GasyncCancelTree          *refuse,
                       GCancellable              *worker_cancellable)
{
  self->instance = instance;
  self->lock = lock;
  self->context = context;
  self->hooks = hooks;
  self->failed_signal = failed_signal;
  self->refuse = refuse;
  self->task_cancellable = refuse->cancellable;
  self->worker_cancellable = worker_cancellable;
  gasync_registry_init (&self->registry, lock, sizeof (GateRun));
}

/* Checks that nothing runs and waits for the stuck report to return. */
void
gasync_task_gate_clear (GasyncTaskGate *self)
{
  gasync_thread_hold_clear (&self->workers, self->lock);
  gasync_registry_clear (&self->registry);
  gasync_leak_watch_end_locked (&self->leak, self->instance);
}

void
gasync_task_gate_set_refused_error (const char  *name,
                                    GError     **error)
{
  g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE,
               /* Translators: %s is the name of a task */
               _("The stopper is quiescing: task “%s” was not run"), name);
}

/* Counts a new task named @name in @entry, unless tasks are refused. The
 * first task takes a reference to the stopper, which the last one to end
 * gives back. *@track tells to call gasync_leak_watch_track() once the
 * lock is dropped. */
gboolean
gasync_task_gate_begin_locked (GasyncTaskGate      *self,
                               const char          *name,
                               const char          *kind,
                               GasyncRegistryEntry *entry,
                               gboolean            *track)
{
  if (self->refuse_tasks)
    return FALSE;

  if (gasync_registry_begin_locked (&self->registry, entry, name, kind) == 1)
    g_object_ref (self->instance);
  *track = gasync_leak_watch_begin_locked (&self->leak);
  return TRUE;
}

gboolean
gasync_task_gate_begin (GasyncTaskGate       *self,
                        const char           *name,
                        const char           *kind,
                        GasyncRegistryEntry  *entry,
                        GError              **error)
{
  gboolean running;
  gboolean track = FALSE;

  gasync_lock (self->lock);
  running = gasync_task_gate_begin_locked (self, name, kind, entry, &track);
  gasync_unlock (self->lock);

  if (G_UNLIKELY (track))
    gasync_leak_watch_track (&self->leak, self->instance, self->lock);
  if (!running)
    gasync_task_gate_set_refused_error (name, error);
  return running;
}

/* Ends the task counted in @entry. Returns whether it was the last task:
 * then the caller is counted in n_ending, and
 * gasync_task_gate_end_unlock() must be given that. */
gboolean
gasync_task_gate_end_locked (GasyncTaskGate      *self,
                             GasyncRegistryEntry *entry)
{
  if (gasync_registry_end_locked (&self->registry, entry) != 0)
    return FALSE;
  self->n_ending++;
  self->hooks->ended_locked (self->instance, FALSE);
  return TRUE;
}

void
gasync_task_gate_end (GasyncTaskGate      *self,
                      GasyncRegistryEntry *entry)
{
  gboolean last;

  gasync_lock (self->lock);
  last = gasync_task_gate_end_locked (self, entry);
  gasync_task_gate_end_unlock (self, last);
}

static void
async_task_run (gpointer data)
{
  GateRun *task = data;
  GasyncTaskGate *self = gate_run_get_gate (task);
  gboolean last;

  gasync_task_run_call (task, self->instance, &self->registry,
                        self->task_cancellable, self->context,
                        self->failed_signal);
  gasync_lock (self->lock);
  last = gasync_task_gate_end_locked (self, &task->entry);
  gasync_registry_task_free_locked (&self->registry, task);
  gasync_task_gate_end_unlock (self, last);
}

static void
worker_run (gpointer data)
{
  GateRun *worker = data;
  GasyncTaskGate *self = gate_run_get_gate (worker);

  gasync_task_run_call (worker, self->instance, &self->registry,
                        self->worker_cancellable, self->context,
                        self->failed_signal);

  gasync_lock (self->lock);
  gasync_registry_end_worker_locked (&self->registry, &worker->entry);
  gasync_registry_task_free_locked (&self->registry, worker);
  self->hooks->ended_locked (self->instance, TRUE);
  gasync_unlock (self->lock);

  /* Workers hold no reference (see the stopper's dispose). */
  gasync_thread_hold_leave (&self->workers, self->lock, self->instance,
                            self->hooks->workers_gone_locked, NULL);
}

/* Starts @func as a task of @kind on the pool, or with @kind NULL as a
 * worker on a thread of its own named @name; @semaphore, if any, holds a
 * slot for the task, which is given back when it returns. Or refuses it:
 * sets @error, gives the slot back, destroys @user_data on the owner
 * context and returns FALSE. The hottest path of the stopper. */
gboolean
gasync_task_gate_start (GasyncTaskGate   *self,
                        const char       *name,
                        const char       *kind,
                        GasyncSemaphore  *semaphore,
                        GasyncTaskFunc    func,
                        gpointer          user_data,
                        GDestroyNotify    destroy,
                        GError          **error)
{
  GateRun *record;
  gboolean admitted;
  gboolean track = FALSE;

  gasync_lock (self->lock);
  record = gasync_registry_task_new_locked (&self->registry);
  if (kind != NULL)
    admitted = gasync_task_gate_begin_locked (self, name, kind,
                                              &record->entry, &track);
  else if ((admitted = !self->refuse_workers))
    {
      gasync_registry_begin_worker_locked (&self->registry,
                                           &record->entry, name);
      gasync_thread_hold_enter_locked (&self->workers);
      track = gasync_leak_watch_begin_locked (&self->leak);
    }
  if (!admitted)
    gasync_registry_task_free_locked (&self->registry, record);
  gasync_unlock (self->lock);

  /* Before the task can end. */
  if (G_UNLIKELY (track))
    gasync_leak_watch_track (&self->leak, self->instance, self->lock);

  if (!admitted)
    {
      if (kind != NULL)
        gasync_task_gate_set_refused_error (name, error);
      else
        g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE,
                     /* Translators: %s is the name of a worker */
                     _("The stopper is stopping: worker “%s” was not started"),
                     name);
      if (semaphore != NULL)
        gasync_semaphore_release (semaphore);
      gasync_owner_destroy (self->context, GASYNC_OWNER_NOW_IF_OWNER, destroy,
                            user_data);
      return FALSE;
    }

  gasync_task_run_set (record, func, user_data, destroy, semaphore);
  if (kind != NULL)
    gasync_registry_task_push (record, async_task_run);
  else
    gasync_registry_task_spawn (record, worker_run, name);
  return TRUE;
}

/* Takes a slot of @semaphore (see gasync_task_run_acquire_slot(); the
 * wait ends when tasks are refused), then starts @func as a limited task
 * on the pool. Or fails: sets @error, destroys @user_data on the owner
 * context and returns FALSE. */
gboolean
gasync_task_gate_start_limited (GasyncTaskGate   *self,
                                GasyncSemaphore  *semaphore,
                                gboolean          wait,
                                GCancellable     *cancellable,
                                const char       *name,
                                GasyncTaskFunc    func,
                                gpointer          user_data,
                                GDestroyNotify    destroy,
                                GError          **error)
{
  switch (gasync_task_run_acquire_slot (semaphore, wait, cancellable,
                                        self->refuse, name, error))
    {
    case GASYNC_TASK_SLOT_ACQUIRED:
      break;
    case GASYNC_TASK_SLOT_REFUSED:
      gasync_task_gate_set_refused_error (name, error);
      G_GNUC_FALLTHROUGH;
    case GASYNC_TASK_SLOT_FAILED:
    default:
      gasync_owner_destroy (self->context, GASYNC_OWNER_NOW_IF_OWNER,
                            destroy, user_data);
      return FALSE;
    }

  return gasync_task_gate_start (self, name, "limited async task", semaphore,
                                 func, user_data, destroy, error);
}

typedef struct
{
  GasyncTaskGate *gate;
  GTask *task;
  char *name;
  GasyncSemaphore *semaphore;
  GasyncTaskFunc func;
  gpointer func_data;
  GDestroyNotify func_data_destroy;
} LimitedSubmit;

/* On a pool thread, which may block: waits for the slot as the blocking
 * form does, then returns on the task's context. */
static void
limited_submit_in_pool (gpointer data)
{
  LimitedSubmit *submit = data;
  GError *error = NULL;

  gasync_task_gate_start_limited (submit->gate, submit->semaphore, TRUE,
                                  g_task_get_cancellable (submit->task),
                                  submit->name, submit->func, submit->func_data,
                                  submit->func_data_destroy, &error);
  /* The semaphore goes with the task, on its context. */
  gasync_owner_return_boolean (submit->task, error);
  g_free (submit->name);
  g_free (submit);
}

/* gasync_task_gate_start_limited() with a wait, on a pool thread: returns
 * @task (taken; its source object holds the gate; it reports its own
 * cancellation) with TRUE once @func was started, or with the error that
 * refused it. */
void
gasync_task_gate_start_limited_async (GasyncTaskGate  *self,
                                      GTask           *task,
                                      const char      *name,
                                      GasyncSemaphore *semaphore,
                                      GasyncTaskFunc   func,
                                      gpointer         user_data,
                                      GDestroyNotify   destroy)
{
  LimitedSubmit *submit = g_new (LimitedSubmit, 1);

  *submit = (LimitedSubmit) {
    self, task, g_strdup (name), semaphore, func, user_data, destroy,
  };
  g_task_set_task_data (task, g_object_ref (semaphore), g_object_unref);
  gasync_pool_push (limited_submit_in_pool, submit);
}

/* A token's count; it holds a reference to the stopper. */
typedef struct
{
  GasyncTaskGate *gate;
  GObject *instance; /* the reference; freeing reads nothing of the gate */
  GasyncRegistryEntry entry;
} TokenData;

static void
token_end (GasyncTaskToken *token,
           gpointer         user_data)
{
  TokenData *data = user_data;

  gasync_task_gate_end (data->gate, &data->entry);
}

static void
token_data_free (gpointer user_data)
{
  TokenData *data = user_data;

  g_object_unref (data->instance);
  g_free (data);
}

GasyncTaskToken *
gasync_task_gate_begin_token (GasyncTaskGate  *self,
                              const char      *name,
                              GError         **error)
{
  TokenData *data = g_new (TokenData, 1);

  if (!gasync_task_gate_begin (self, name, "token", &data->entry, error))
    {
      g_free (data);
      return NULL;
    }

  data->gate = self;
  data->instance = g_object_ref (self->instance);
  return gasync_task_token_new (name, self->context, token_end, data,
                                token_data_free);
}

/* CockroachDB's leak checks report the stoppers never stopped: a stopper
 * that ran tasks or workers, or has @closers, and is dropped without a
 * stop (*@stop_requested, read under the lock) says so, once, naming
 * itself (@describe, with the lock held) and what it still has. */
void
gasync_task_gate_warn_unstopped (GasyncTaskGate             *self,
                                 const gboolean             *stop_requested,
                                 GasyncRegistryDescribeFunc  describe,
                                 GasyncClosers              *closers)
{
  g_autofree char *label = NULL;
  g_autofree char *registered = NULL;
  guint64 n_started;
  guint n_closers;

  gasync_lock (self->lock);
  if (!self->leak.tracked || *stop_requested || self->warned_unstopped)
    {
      gasync_unlock (self->lock);
      return;
    }
  self->warned_unstopped = TRUE;
  label = describe (self->instance);
  n_closers = gasync_closers_n_locked (closers);
  registered = gasync_registry_dump_line_locked (&self->registry);
  n_started = self->registry.n_started;
  gasync_unlock (self->lock);

  g_warning ("%s was finalized without gasync_stopper_stop() (tasks and "
             "workers it ran: %" G_GUINT64_FORMAT "; closers that will not "
             "run: %u); still registered: %s", label, n_started, n_closers,
             registered);
}
