/* bad-input-util.h: valid objects and values for the generated
 * test-bad-input.c, which includes this after its dummy_<Callback>s.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <gasync.h>

/* What the current case made, freed by release_all() in reverse order. */
static GPtrArray *made;

static gpointer
track (gpointer       data,
       GDestroyNotify free_func)
{
  if (made == NULL)
    made = g_ptr_array_new ();
  g_ptr_array_add (made, data);
  g_ptr_array_add (made, free_func);
  return data;
}

static GObject *
new_object (GType type)
{
  if (type == GASYNC_TYPE_BATCH)
    return G_OBJECT (gasync_batch_new (dummy_GasyncWorkFunc, NULL, NULL));
  if (type == GASYNC_TYPE_EVENT_LOOP)
    return G_OBJECT (gasync_event_loop_new (NULL));
  if (type == GASYNC_TYPE_FUTURE)
    return G_OBJECT (gasync_future_new ());
  if (type == GASYNC_TYPE_GROUP_RUNNER)
    return G_OBJECT (gasync_group_runner_new ());
  if (type == GASYNC_TYPE_INTERCEPTOR)
    return G_OBJECT (gasync_interceptor_new_tracing ());
  if (type == GASYNC_TYPE_MUTEX)
    return G_OBJECT (gasync_mutex_new ());
  if (type == GASYNC_TYPE_RUNNER)
    return G_OBJECT (gasync_runner_new ("x", dummy_GasyncTaskFunc, NULL, NULL,
                                        dummy_GasyncRunnerStopFunc, NULL,
                                        NULL));
  if (type == GASYNC_TYPE_SEMAPHORE)
    return G_OBJECT (gasync_semaphore_new (1));
  if (type == GASYNC_TYPE_STOPPER)
    return G_OBJECT (gasync_stopper_new ());
  if (type == GASYNC_TYPE_TASKS)
    return G_OBJECT (gasync_tasks_new ("x"));
  if (type == GASYNC_TYPE_WAIT_GROUP)
    return G_OBJECT (gasync_wait_group_new ());
  if (type == GASYNC_TYPE_WORK_QUEUE)
    return G_OBJECT (gasync_work_queue_new (dummy_GasyncWorkFunc, NULL, NULL));
  if (type == GASYNC_TYPE_WORKER)
    return G_OBJECT (gasync_worker_new (dummy_GasyncWorkerFunc, NULL, NULL));
  if (type == G_TYPE_OBJECT || type == G_TYPE_CANCELLABLE)
    return g_object_new (type, NULL);
  g_error ("bad-input-util.h: add a valid %s to new_object()",
           g_type_name (type));
}

/* A reservation on a loop of its own: cancelled before it goes, as one
 * that is neither enqueued nor cancelled warns. */
static void
release_pending_callback (gpointer pending)
{
  gasync_pending_callback_cancel (pending);
  gasync_pending_callback_unref (pending);
}

/* A valid, unused object (or boxed instance) of @type, freed by
 * release_all(). */
static gpointer
make_object (GType type)
{
  if (type == GASYNC_TYPE_PENDING_CALLBACK)
    {
      GasyncEventLoop *loop = track (gasync_event_loop_new (NULL), g_object_unref);

      return track (gasync_event_loop_reserve_callback (loop),
                    release_pending_callback);
    }
  return track (new_object (type), g_object_unref);
}

static G_GNUC_UNUSED GPtrArray *
make_ptr_array (void)
{
  return track (g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);
}

static G_GNUC_UNUSED GError *
make_error (void)
{
  return track (g_error_new_literal (GASYNC_ERROR, GASYNC_ERROR_FAILED, "x"),
                (GDestroyNotify) g_error_free);
}

static void
release_all (void)
{
  while (made != NULL && made->len > 0)
    {
      GDestroyNotify free_func = g_ptr_array_steal_index (made, made->len - 1);

      free_func (g_ptr_array_steal_index (made, made->len - 1));
    }
  g_clear_pointer (&made, g_ptr_array_unref);
}

/* The critical of a g_return_if_fail() whose expression names @param. */
static void
expect_critical_naming (const char *param)
{
  char *pattern = g_strdup_printf ("*assertion '*%s*' failed*", param);

  g_test_expect_message ("Gasync", G_LOG_LEVEL_CRITICAL, pattern);
  g_free (pattern);
}
