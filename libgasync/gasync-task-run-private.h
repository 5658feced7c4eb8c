/* gasync-task-run-private.h: running a task record for an object
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * What an object that runs named task functions off its owner context
 * does around each one, whatever counts them: take a slot of a semaphore
 * first if the task is limited (gasync_task_run_acquire_slot()); call the
 * function in a frame of the registry; report a failure that no caller
 * gets back on the owner context, with the object's failure signal (the
 * contract's rules 4 and 5); run the destroy notify of the task's data
 * there; give the slot back. The record comes from the object's registry
 * (gasync_registry_task_new_locked()), which the object counts it in and
 * frees it to once it has ended. A task given as a #GClosure (the
 * `_closure` forms for language bindings) runs through
 * gasync_task_run_closure().
 */

#pragma once

#include <gio/gio.h>

#include "gasync-cancel-tree-private.h"
#include "gasync-owner-private.h"
#include "gasync-registry-private.h"
#include "gasync-semaphore.h"

G_BEGIN_DECLS

/* Fills @task in, once counted. A task that holds a slot of @semaphore
 * gets a small record around @func and @user_data, reused through the
 * semaphore, and gasync_task_run_call() gives the slot and the record
 * back as soon as @func returns: only such tasks pay for it. */
void      gasync_task_run_set_slot      (GasyncRegistryTask *task,
                                         GasyncTaskFunc      func,
                                         gpointer            user_data,
                                         GDestroyNotify      destroy,
                                         GasyncSemaphore    *semaphore);
gboolean  gasync_task_run_slot_mark     (GCancellable     *cancellable,
                                         gpointer          data,
                                         GError          **error);
void      gasync_task_run_call_slot     (GasyncRegistryTask *task,
                                         gpointer          instance,
                                         GasyncRegistry   *registry,
                                         GCancellable     *cancellable,
                                         GMainContext     *context,
                                         guint             failed_signal);
void      gasync_task_run_report        (GMainContext     *context,
                                         gpointer          instance,
                                         guint             failed_signal,
                                         const char       *name,
                                         GError           *error);

/* Sets the function, data and destroy notify of @task; @semaphore, if
 * any, holds a slot for the task until its function returns. */
static inline void
gasync_task_run_set (GasyncRegistryTask *task,
                     GasyncTaskFunc      func,
                     gpointer            user_data,
                     GDestroyNotify      destroy,
                     GasyncSemaphore    *semaphore)
{
  if (G_UNLIKELY (semaphore != NULL))
    {
      gasync_task_run_set_slot (task, func, user_data, destroy, semaphore);
      return;
    }
  task->func = func;
  task->user_data = user_data;
  task->destroy = destroy;
}

/* Calls the function of @task with @cancellable, in a frame of @registry;
 * gives back the slot it held, if any, as soon as it returns; reports its
 * failure as @instance's (@failed_signal) on @context; runs the destroy
 * notify of its data on @context. The caller then ends it. Inline: a task
 * without a slot that succeeds costs the call of its function. */
static inline void
gasync_task_run_call (GasyncRegistryTask *task,
                      gpointer            instance,
                      GasyncRegistry     *registry,
                      GCancellable       *cancellable,
                      GMainContext       *context,
                      guint               failed_signal)
{
  const char *name = gasync_registry_entry_get_name (&task->entry);
  GError *error = NULL;

  if (G_UNLIKELY (task->func == gasync_task_run_slot_mark))
    {
      gasync_task_run_call_slot (task, instance, registry, cancellable,
                                 context, failed_signal);
      return;
    }
  if (G_UNLIKELY (!gasync_registry_call (registry, task->func, name,
                                         cancellable, task->user_data,
                                         &error)))
    gasync_task_run_report (context, instance, failed_signal, name, error);
  gasync_owner_destroy (context, GASYNC_OWNER_NOW_IF_OWNER, task->destroy,
                        task->user_data);
}

/* The task function of the `_closure` forms that language bindings see:
 * invokes @closure (the task's data; see gasync_task_run_closure_ref())
 * with @cancellable. The closure returns a #gboolean, %TRUE on success; a
 * %FALSE fails without a message. */
gboolean  gasync_task_run_closure       (GCancellable     *cancellable,
                                         gpointer          closure,
                                         GError          **error);
/* Takes a reference to @closure, sinks it and gives it the generic
 * marshaller if it has none; g_closure_unref() releases it. */
GClosure *gasync_task_run_closure_ref   (GClosure         *closure);

typedef enum
{
  GASYNC_TASK_SLOT_ACQUIRED,
  GASYNC_TASK_SLOT_FAILED,      /* the error is set */
  GASYNC_TASK_SLOT_REFUSED,     /* @refuse fired first; no error set */
} GasyncTaskSlot;

GasyncTaskSlot gasync_task_run_acquire_slot (GasyncSemaphore   *semaphore,
                                             gboolean           wait,
                                             GCancellable      *cancellable,
                                             GasyncCancelTree  *refuse,
                                             const char        *name,
                                             GError           **error);

G_END_DECLS
