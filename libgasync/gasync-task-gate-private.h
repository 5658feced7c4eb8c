/* gasync-task-gate-private.h: admitting, counting and ending the tasks and
 * workers of a stopper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The task side of a #GasyncStopper, below its phase machine. The gate
 * admits a task while the stopper accepts tasks (a worker while it
 * accepts workers), counts it by name in its registry, keeps the stopper
 * alive while any task runs (the first takes a reference, the thread that
 * ends the last one gives it back through the stopper's @last_ended hook),
 * lists the stopper in the leak checks from its first piece of work, and
 * runs each pooled task or worker thread through gasync-task-run. Workers
 * hold no reference to the stopper: the gate counts their threads instead
 * (gasync-thread-hold). A limited task takes a slot of its semaphore
 * first, waiting for one (in the caller's thread, or on a pool thread for
 * the async form) until tasks are refused. A refused task or worker gets
 * %GASYNC_ERROR_UNAVAILABLE; its data is destroyed on the owner context.
 * The gate also says, when the stopper is dropped without a stop, what
 * it still had.
 *
 * The stopper's lock guards the gate. What a phase change makes of an end
 * is the stopper's: the gate calls its hooks.
 */

#pragma once

#include <gio/gio.h>

#include "gasync-cancel-tree-private.h"
#include "gasync-closers-private.h"
#include "gasync-leak-private.h"
#include "gasync-registry-private.h"
#include "gasync-semaphore.h"
#include "gasync-sync-private.h"
#include "gasync-task-token.h"
#include "gasync-thread-hold-private.h"

G_BEGIN_DECLS

typedef struct
{
  /* Called with the lock held when the last task ended (@worker FALSE;
   * the ending thread is counted in n_ending then) or a worker ended. */
  void (*ended_locked) (GObject *instance,
                        gboolean worker);
  /* Called without the lock by the thread that ended the last task,
   * which holds the tasks' reference to @instance: it must decrement
   * n_ending under the lock and give that reference back. */
  void (*last_ended) (GObject *instance);
  /* Called with the lock held when the last worker thread let go. */
  void (*workers_gone_locked) (GObject *instance);
} GasyncTaskGateHooks;

typedef struct
{
  GObject *instance;            /* the stopper, not a reference */
  GasyncLock *lock;             /* the stopper's */
  GMainContext *context;        /* its owner context, not owned */
  const GasyncTaskGateHooks *hooks;
  guint failed_signal;
  GasyncCancelTree *refuse;     /* fires when tasks are refused */
  GCancellable *task_cancellable;       /* given to tasks, not owned */
  GCancellable *worker_cancellable;     /* given to workers, not owned */

  GasyncRegistry registry;
  GasyncLeakWatch leak;         /* from the first task, worker or closer */
  GasyncThreadHold workers;     /* the worker threads */
  guint n_ending;               /* threads that ended the last task and
                                 * still act on it */
  gboolean refuse_tasks;        /* set by the stopper, under the lock */
  gboolean refuse_workers;
  gboolean warned_unstopped;
} GasyncTaskGate;

void      gasync_task_gate_init          (GasyncTaskGate             *self,
                                          GObject                    *instance,
                                          GasyncLock                 *lock,
                                          GMainContext               *context,
                                          const GasyncTaskGateHooks  *hooks,
                                          guint                       failed_signal,
                                          GasyncCancelTree           *refuse,
                                          GCancellable               *worker_cancellable);
void      gasync_task_gate_clear         (GasyncTaskGate             *self);

void      gasync_task_gate_set_refused_error (const char             *name,
                                              GError                **error);
gboolean  gasync_task_gate_begin_locked  (GasyncTaskGate             *self,
                                          const char                 *name,
                                          const char                 *kind,
                                          GasyncRegistryEntry        *entry,
                                          gboolean                   *track);
gboolean  gasync_task_gate_begin         (GasyncTaskGate             *self,
                                          const char                 *name,
                                          const char                 *kind,
                                          GasyncRegistryEntry        *entry,
                                          GError                    **error);
gboolean  gasync_task_gate_end_locked    (GasyncTaskGate             *self,
                                          GasyncRegistryEntry        *entry);
void      gasync_task_gate_end           (GasyncTaskGate             *self,
                                          GasyncRegistryEntry        *entry);

/* Drops the lock taken for gasync_task_gate_end_locked(), which returned
 * @last, and finishes the last task's work. */
static inline void
gasync_task_gate_end_unlock (GasyncTaskGate *self,
                             gboolean        last)
{
  gasync_unlock (self->lock);
  if (last)
    self->hooks->last_ended (self->instance);
}

gboolean  gasync_task_gate_start         (GasyncTaskGate             *self,
                                          const char                 *name,
                                          const char                 *kind,
                                          GasyncSemaphore            *semaphore,
                                          GasyncTaskFunc              func,
                                          gpointer                    user_data,
                                          GDestroyNotify              destroy,
                                          GError                    **error);
gboolean  gasync_task_gate_start_limited (GasyncTaskGate            *self,
                                          GasyncSemaphore           *semaphore,
                                          gboolean                   wait,
                                          GCancellable              *cancellable,
                                          const char                *name,
                                          GasyncTaskFunc             func,
                                          gpointer                   user_data,
                                          GDestroyNotify             destroy,
                                          GError                   **error);
void      gasync_task_gate_start_limited_async (GasyncTaskGate      *self,
                                                GTask               *task,
                                                const char          *name,
                                                GasyncSemaphore     *semaphore,
                                                GasyncTaskFunc       func,
                                                gpointer             user_data,
                                                GDestroyNotify       destroy);
GasyncTaskToken *gasync_task_gate_begin_token (GasyncTaskGate        *self,
                                               const char            *name,
                                               GError               **error);
void      gasync_task_gate_warn_unstopped (GasyncTaskGate            *self,
                                           const gboolean            *stop_requested,
                                           GasyncRegistryDescribeFunc describe,
                                           GasyncClosers             *closers);

G_END_DECLS
