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

static void
no_op_pool_task (gpointer data,
                 gpointer user_data)
{
}

static double
measure_thread_pool (guint64  size,
                     gpointer data)
{
  GThreadPool *pool = g_thread_pool_new (no_op_pool_task, NULL, 2, FALSE, NULL);
  gint64 start = bench_clock_start ();

  for (guint64 i = 0; i < size; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  return (double) bench_clock_stop (start) / size;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  guint64 last_size = 0;
  BenchResult r;

  for (guint64 scale = 1000; scale >= 1; scale /= 10)
    {
      BenchOptions sized = o;
      g_autofree char *what = NULL;
      g_autofree char *section = NULL;

      sized.size = MAX (o.size / scale, 16);
      if (sized.size == last_size)
        continue;
      last_size = sized.size;
      what = g_strdup_printf ("GasyncTasks run + wait, %" G_GUINT64_FORMAT " tasks", sized.size);
      section = g_strdup_printf ("tasks-%" G_GUINT64_FORMAT, sized.size);
      bench_compare (&sized, section, measure_tasks, NULL, measure_thread_pool, NULL, &r, NULL);
      bench_report (&sized, what, "ns/task", "GThreadPool (2 threads)", &r);
    }
  return 0;
}
