/* bench-tasks.c: tiny tasks through a GasyncTasks group against raw GLib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The cost per task, in ns, of starting N no-op tasks with
 * gasync_tasks_run(), waiting with gasync_tasks_wait() and then running
 * what the tasks left for the owner context (the main context of this
 * thread), against a raw GThreadPool of 2 threads (g_thread_pool_free()
 * waits), at 1k, 10k, 100k and 1M tasks.
 */

#include "config.h"

#include <gasync.h>

#include "bench-util.h"

static gboolean
no_op_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  return TRUE;
}

static double
measure_tasks (guint64  size,
               gpointer data)
{
  GasyncTasks *tasks = gasync_tasks_new ("bench");
  gint64 start = bench_clock_start ();

  for (guint64 i = 0; i < size; i++)
    gasync_tasks_run (tasks, "tiny", NULL, no_op_task, NULL, NULL);
  if (!gasync_tasks_wait (tasks, NULL, NULL))
    g_error ("the wait failed");
  while (g_main_context_iteration (NULL, FALSE))
    ;
  start = bench_clock_stop (start);
  g_object_unref (tasks);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return (double) start / size;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);

  bench_compare_sizes (&o, "GasyncTasks run + wait", "tasks", "", measure_tasks,
                       NULL);
  return 0;
}
