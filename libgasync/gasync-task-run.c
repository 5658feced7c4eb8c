/* gasync-task-run.c: running a task record for an object
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-task-run-private.h.
 */

#include "config.h"

#include "gasync-task-run-private.h"

#include "gasync-owner-private.h"
#include "gasync-private.h"

/* Reports the failure of a task that has no caller to return it to, with
 * @failed_signal of @instance (its arguments: the task's name, the error)
 * on @context. Cancelled is not failed (the contract). Takes @error. */
void
gasync_task_run_report (GMainContext *context,
                        gpointer      instance,
                        guint         failed_signal,
                        const char   *name,
                        GError       *error)
{
  g_autofree char *what = NULL;

  if (gasync_error_is_cancelled (error))
    {
      g_error_free (error);
      return;
    }

  what = g_strdup_printf ("task “%s”", name);
  gasync_owner_emit_error (context, GASYNC_OWNER_NOW_IF_OWNER, instance,
                           failed_signal, GASYNC_OWNER_ARG_STRING, name, error,
                           what);
}

/* A task that holds a slot of a semaphore until its function returns. */
typedef struct
{
  GasyncTaskFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GasyncSemaphore *semaphore; /* until the slot is given back */
} SlotTask;

static gboolean
slot_task_call (GCancellable  *cancellable,
                gpointer       data,
                GError       **error)
{
  SlotTask *slot = data;
  gboolean ok = slot->func (cancellable, slot->user_data, error);

  gasync_semaphore_release (slot->semaphore);
  g_clear_object (&slot->semaphore);
  /* Without a destroy notify to run on the owner context, nothing reads
   * the record after this call (see gasync_task_run_set()). */
  if (slot->destroy == NULL)
    g_free (slot);
  return ok;
}

/* On the owner context, for a task with a destroy notify, once it ran. */
static void
slot_task_free (gpointer data)
{
  SlotTask *slot = data;

  slot->destroy (slot->user_data);
  g_free (slot);
}

void
gasync_task_run_set (GasyncRegistryTask *task,
                     GasyncTaskFunc      func,
                     gpointer            user_data,
                     GDestroyNotify      destroy,
                     GasyncSemaphore    *semaphore)
{
  SlotTask *slot;

  if (semaphore == NULL)
    {
      task->func = func;
      task->user_data = user_data;
      task->destroy = destroy;
      return;
    }
  slot = g_new (SlotTask, 1);
  slot->func = func;
  slot->user_data = user_data;
  slot->destroy = destroy;
  slot->semaphore = g_object_ref (semaphore);
  task->func = slot_task_call;
  task->user_data = slot;
  /* An admitted task always runs: without a destroy notify of its own,
   * the record goes with the call, not through the owner context. */
  task->destroy = destroy != NULL ? slot_task_free : NULL;
}

/* Calls the function of @task with @cancellable, in a frame of @registry;
 * reports its failure as @instance's; runs the destroy notify of its data
 * on @context (a slot it held is given back when its function returns).
 * The caller then ends it. */
void
gasync_task_run_call (GasyncRegistryTask *task,
                      gpointer            instance,
                      GasyncRegistry     *registry,
                      GCancellable       *cancellable,
                      GMainContext       *context,
                      guint               failed_signal)
{
  const char *name = gasync_registry_entry_get_name (&task->entry);
  GError *error = NULL;

  if (!gasync_registry_call (registry, task->func, name, cancellable,
                             task->user_data, &error))
    gasync_task_run_report (context, instance, failed_signal, name, error);

  gasync_owner_destroy (context, GASYNC_OWNER_NOW_IF_OWNER, task->destroy,
                        task->user_data);
}

gboolean
gasync_task_run_closure (GCancellable  *cancellable,
                         gpointer       closure,
                         GError       **error)
{
  GValue param = G_VALUE_INIT;
  GValue ret = G_VALUE_INIT;
  gboolean ok;

  g_value_init (&param, G_TYPE_CANCELLABLE);
  g_value_set_object (&param, cancellable);
  g_value_init (&ret, G_TYPE_BOOLEAN);
  g_closure_invoke (closure, &ret, 1, &param, NULL);
  ok = g_value_get_boolean (&ret);
  g_value_unset (&ret);
  g_value_unset (&param);
  return ok;
}

GClosure *
gasync_task_run_closure_ref (GClosure *closure)
{
  g_closure_ref (closure);
  g_closure_sink (closure);
  if (G_CLOSURE_NEEDS_MARSHAL (closure))
    g_closure_set_marshal (closure, g_cclosure_marshal_generic);
  return closure;
}

/* Takes a slot of @semaphore for the task named @name, as CockroachDB's
 * RunAsyncTaskEx does with its context: a @cancellable that fired already
 * fails it whether or not a slot is free, and so does one that fired by
 * the time a slot was acquired (the slot is given back). With no free
 * slot, fails with %GASYNC_ERROR_THROTTLED unless @wait; with @wait,
 * blocks until a slot is free, @cancellable fires (failed) or @refuse
 * fires (refused). */
GasyncTaskSlot
gasync_task_run_acquire_slot (GasyncSemaphore   *semaphore,
                              gboolean           wait,
                              GCancellable      *cancellable,
                              GasyncCancelTree  *refuse,
                              const char        *name,
                              GError           **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return GASYNC_TASK_SLOT_FAILED;

  if (!gasync_semaphore_try_acquire (semaphore))
    {
      g_autoptr(GCancellable) waiting = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!wait)
        {
          g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_THROTTLED,
                       /* Translators: %s is the name of a task */
                       _("Task “%s” was throttled: its semaphore has no free slot"),
                       name);
          return GASYNC_TASK_SLOT_FAILED;
        }

      /* Fires when the caller's cancellable does, or @refuse: @refuse's
       * own without a caller's, which spares making a child (a
       * #GCancellable, a weak reference and a handler) for every wait. */
      waiting = cancellable != NULL ?
                gasync_cancel_tree_new_child (refuse, cancellable) :
                g_object_ref (refuse->cancellable);
      if (!gasync_semaphore_acquire (semaphore, waiting, &local_error))
        {
          if (!g_cancellable_is_cancelled (cancellable))
            return GASYNC_TASK_SLOT_REFUSED;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return GASYNC_TASK_SLOT_FAILED;
        }
    }

  /* A slot may come free in the same instant as the cancellation. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      gasync_semaphore_release (semaphore);
      return GASYNC_TASK_SLOT_FAILED;
    }
  return GASYNC_TASK_SLOT_ACQUIRED;
}
