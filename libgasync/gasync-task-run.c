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
#include "gasync-semaphore-private.h"

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

/* The record of a task that holds a slot of a semaphore until its function
 * returns; the task's user_data, under a func that marks it. It goes back
 * to the semaphore, for the next such task, as the slot does. */
typedef struct
{
  GasyncTaskFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  GasyncSemaphore *semaphore; /* counted by gasync_semaphore_hold() */
} SlotTask;

/* Marks a task whose user_data is a SlotTask: gasync_task_run_call() calls
 * the record's function instead. */
gboolean
gasync_task_run_slot_mark (GCancellable  *cancellable,
                gpointer       data,
                GError       **error)
{
  g_assert_not_reached ();
  return FALSE;
}

/* gasync_task_run_set() with a @semaphore. */
void
gasync_task_run_set_slot (GasyncRegistryTask *task,
                          GasyncTaskFunc      func,
                          gpointer            user_data,
                          GDestroyNotify      destroy,
                          GasyncSemaphore    *semaphore)
{
  SlotTask *slot;

  slot = gasync_semaphore_take_spare (semaphore);
  if (slot == NULL)
    slot = g_new (SlotTask, 1);
  slot->func = func;
  slot->user_data = user_data;
  slot->destroy = destroy;
  slot->semaphore = semaphore;
  gasync_semaphore_hold (semaphore);
  task->func = gasync_task_run_slot_mark;
  task->user_data = slot;
  task->destroy = NULL;
}

/* gasync_task_run_call() for a task that holds a slot of a semaphore: the
 * slot goes back as soon as the function returns. */
void
gasync_task_run_call_slot (GasyncRegistryTask *task,
                           gpointer            instance,
                           GasyncRegistry     *registry,
                           GCancellable       *cancellable,
                           GMainContext       *context,
                           guint               failed_signal)
{
  const char *name = gasync_registry_entry_get_name (&task->entry);
  SlotTask *slot = task->user_data;
  GasyncTaskFunc func = slot->func;
  gpointer user_data = slot->user_data;
  GDestroyNotify destroy = slot->destroy;
  GError *error = NULL;
  gboolean ok;

  g_assert (task->func == gasync_task_run_slot_mark);
  ok = gasync_registry_call (registry, func, name, cancellable, user_data,
                             &error);
  /* Takes the record back. */
  gasync_semaphore_release_held (slot->semaphore, slot);

  if (!ok)
    gasync_task_run_report (context, instance, failed_signal, name, error);
  gasync_owner_destroy (context, GASYNC_OWNER_NOW_IF_OWNER, destroy,
                        user_data);
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
  if (cancellable != NULL &&
      g_cancellable_set_error_if_cancelled (cancellable, error))
    return GASYNC_TASK_SLOT_FAILED;

  if (!gasync_semaphore_try_acquire_unchecked (semaphore))
    {
      g_autoptr(GCancellable) child = NULL;

      if (!wait)
        {
          g_set_error (error, GASYNC_ERROR, GASYNC_ERROR_THROTTLED,
                       /* Translators: %s is the name of a task */
                       _("Task “%s” was throttled: its semaphore has no free slot"),
                       name);
          return GASYNC_TASK_SLOT_FAILED;
        }

      /* Interrupted when the caller's cancellable fires, or @refuse: by
       * @refuse's own without a caller's, which spares making a child (a
       * #GCancellable, a weak reference and a handler) for every wait.
       * The caller holds @refuse. */
      if (cancellable != NULL)
        child = gasync_cancel_tree_new_child (refuse, cancellable);
      if (!gasync_semaphore_acquire_unchecked (semaphore,
                                               child != NULL ? child :
                                               refuse->cancellable))
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return GASYNC_TASK_SLOT_FAILED;
          return GASYNC_TASK_SLOT_REFUSED;
        }
    }

  /* A slot may come free in the same instant as the cancellation. */
  if (cancellable != NULL &&
      g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      gasync_semaphore_release (semaphore);
      return GASYNC_TASK_SLOT_FAILED;
    }
  return GASYNC_TASK_SLOT_ACQUIRED;
}
