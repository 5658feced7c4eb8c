/* bench-stopper.c: tiny async tasks through a stopper against raw GLib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every figure is the cost per task, in ns, of starting N no-op tasks and
 * waiting until all ran: with gasync_stopper_run_async_task() (counted by
 * name, on the shared pool; gasync_stopper_quiesce() waits for them), on a
 * raw GThreadPool of 2 threads (g_thread_pool_free() waits), and with
 * g_task_run_in_thread() (whose completion comes back through the main
 * context, the GIO way). Issue #3's target: at most 1.5x the GThreadPool,
 * and faster than g_task_run_in_thread(). Then the stopper and the
 * GThreadPool with 1, 2 and 4 producer threads.
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

static void
push_stopper (guint64  n,
              gpointer stopper)
{
  for (guint64 i = 0; i < n; i++)
    gasync_stopper_run_async_task (stopper, "bench", no_op_task, NULL, NULL, NULL);
}

/* Starts @size tasks from @producers threads, then waits for all. */
static double
measure_stopper (guint64  size,
                 gpointer producers)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  gint64 start = bench_now_ns ();
  guint64 n = bench_run_producers (GPOINTER_TO_UINT (producers), size,
                                   push_stopper, stopper);
  gint64 elapsed;

  gasync_stopper_quiesce (stopper);
  elapsed = bench_now_ns () - start;
  /* Not timed: stopped, so that it is not reported as never stopped. */
  gasync_stopper_stop (stopper);
  return (double) elapsed / n;
}

static void
no_op_pool_task (gpointer data,
                 gpointer user_data)
{
}

static void
push_thread_pool (guint64  n,
                  gpointer pool)
{
  for (guint64 i = 0; i < n; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
}

static double
measure_thread_pool (guint64  size,
                     gpointer producers)
{
  GThreadPool *pool = g_thread_pool_new (no_op_pool_task, NULL, 2, FALSE, NULL);
  gint64 start = bench_now_ns ();
  guint64 n = bench_run_producers (GPOINTER_TO_UINT (producers), size,
                                   push_thread_pool, pool);

  g_thread_pool_free (pool, FALSE, TRUE);
  return (double) (bench_now_ns () - start) / n;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  gpointer one = GUINT_TO_POINTER (1);
  double stopper = bench_median (&o, "stopper-run-async-task", measure_stopper, one);
  double thread_pool = bench_median (&o, "gthreadpool-2", measure_thread_pool, one);
  double gtask = bench_median (&o, "g-task-run-in-thread", bench_g_task_run_in_thread, NULL);

  bench_report (&o, "stopper run_async_task", "ns/task", stopper,
                "GThreadPool (2 threads)", thread_pool);
  bench_report (&o, "stopper run_async_task", "ns/task", stopper,
                "g_task_run_in_thread", gtask);

  for (guint producers = 2; producers <= 4; producers *= 2)
    {
      g_autofree char *what = g_strdup_printf ("stopper run_async_task, %u producers", producers);
      g_autofree char *label = g_strdup_printf ("stopper-%u-producers", producers);
      g_autofree char *anchor_label = g_strdup_printf ("gthreadpool-2-%u-producers", producers);

      bench_report (&o, what, "ns/task",
                    bench_median (&o, label, measure_stopper, GUINT_TO_POINTER (producers)),
                    "GThreadPool (2 threads)",
                    bench_median (&o, anchor_label, measure_thread_pool, GUINT_TO_POINTER (producers)));
    }
  return 0;
}
