/* gasync-gtask.c: the GTask side of the _async/_finish pairs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * See gasync-gtask-private.h. Every public _async function keeps its own
 * source tag (itself) and its _finish its own gtk-doc comment and instance
 * check; what they share is here.
 */

#include "config.h"

#include "gasync-gtask-private.h"

GTask *
gasync_gtask_new (gpointer             source_object,
                  gpointer             source_tag,
                  const char          *name,
                  gboolean             check_cancellable,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  if (!check_cancellable)
    g_task_set_check_cancellable (task, FALSE);
  return task;
}

gboolean
gasync_gtask_finish_boolean (gpointer       source_object,
                             GAsyncResult  *result,
                             gpointer       source_tag,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source_object), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        source_tag, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
