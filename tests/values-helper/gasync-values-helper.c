/* gasync-values-helper.c: C value tasks for the GJS tests
 *
 * JavaScript cannot run on a worker thread, so a GJS test cannot pass a
 * GasyncValueFunc of its own; these functions start C value tasks whose
 * futures the tests await. Each value says where it was made: "worker"
 * unless the thread owned the global default main context (the GJS
 * test's loop).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include "gasync-values-helper.h"

static const char *
where (void)
{
  return g_main_context_is_owner (g_main_context_default ()) ? "owner" : "worker";
}

static gboolean
square (GCancellable  *cancellable,
        GasyncFuture  *result,
        gpointer       user_data,
        GError       **error)
{
  int n = GPOINTER_TO_INT (user_data);
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, g_str_equal (where (), "worker") ? n * n : -1);
  gasync_future_resolve_value (result, &value);
  return TRUE;
}

static gboolean
fail (GCancellable  *cancellable,
      GasyncFuture  *result,
      gpointer       user_data,
      GError       **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, user_data);
  return FALSE;
}

static gboolean
describe (GCancellable  *cancellable,
          GasyncFuture  *result,
          gpointer       user_data,
          GError       **error)
{
  g_auto(GValue) value = G_VALUE_INIT;

  g_value_init (&value, G_TYPE_STRING);
  g_value_take_string (&value, g_strdup_printf ("%s from %s",
                                                (const char *) user_data,
                                                where ()));
  gasync_future_resolve_value (result, &value);
  return TRUE;
}

static gboolean
until_cancelled (GCancellable  *cancellable,
                 GasyncFuture  *result,
                 gpointer       user_data,
                 GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!g_cancellable_is_cancelled (cancellable) &&
         g_get_monotonic_time () < deadline)
    g_usleep (1000);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/**
 * gasync_values_helper_square_in_thread:
 * @n: a number
 *
 * Returns: (transfer full): the future of @n squared, made on a worker
 *   thread (-1 if it was not)
 */
GasyncFuture *
gasync_values_helper_square_in_thread (int n)
{
  return gasync_future_run_value_in_thread (NULL, square, GINT_TO_POINTER (n), NULL);
}

/**
 * gasync_values_helper_fail_in_thread:
 * @message: the message of the error
 *
 * Returns: (transfer full): the future of a task that fails with
 *   %G_IO_ERROR_NOT_FOUND and @message
 */
GasyncFuture *
gasync_values_helper_fail_in_thread (const char *message)
{
  return gasync_future_run_value_in_thread (NULL, fail, g_strdup (message), g_free);
}

/**
 * gasync_values_helper_stopper_submit:
 * @stopper: a stopper
 * @name: the task's name
 * @text: the start of the value
 *
 * Returns: (transfer full): the future of gasync_stopper_submit() of a
 *   task that gives "@text from worker"
 */
GasyncFuture *
gasync_values_helper_stopper_submit (GasyncStopper *stopper,
                                     const char    *name,
                                     const char    *text)
{
  return gasync_stopper_submit (stopper, name, describe, g_strdup (text), g_free);
}

/**
 * gasync_values_helper_tasks_submit:
 * @tasks: a task group
 * @name: the task's name
 * @cancellable: (nullable): with it, the task waits until it fires (then
 *   fails with %G_IO_ERROR_CANCELLED); without, it gives "@name from
 *   worker"
 *
 * Returns: (transfer full): the future of gasync_tasks_submit()
 */
GasyncFuture *
gasync_values_helper_tasks_submit (GasyncTasks  *tasks,
                                   const char   *name,
                                   GCancellable *cancellable)
{
  if (cancellable != NULL)
    return gasync_tasks_submit (tasks, name, cancellable, until_cancelled, NULL, NULL);
  return gasync_tasks_submit (tasks, name, NULL, describe, g_strdup (name), g_free);
}
