/* bench-stopper.c: tiny async tasks through a stopper against raw GLib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every figure is the cost per task, in ns, of starting N no-op tasks and
 * waiting until all ran: with gasync_stopper_run_async_task() (counted by
 * name, on the shared pool; gasync_stopper_quiesce() waits for them)
 * against a raw GThreadPool of 2 threads (g_thread_pool_free() waits):
 *
 * - at 1k, 10k, 100k and 1M tasks, to show whether the cost per task
 *   stays flat as the queue grows;
 * - with 2, 4 and 8 producer threads;
 * - against g_task_run_in_thread() (whose completion comes back through
 *   the main context, the GIO way), with all N GTasks alive at once and
 *   with at most BENCH_G_TASK_BOUND in flight;
 * - limited dispatch: gasync_stopper_run_limited_async_task() through a
 *   semaphore of 4, the caller waiting for a slot, against a GThreadPool
 *   of 4 threads behind a counting semaphore of 4 (GMutex and GCond) that
 *   the caller acquires before each push and the task releases.
 */

#include "config.h"

#include <gasync.h>

#include "bench-util.h"

#define LIMIT 4

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
  gint64 start = bench_clock_start ();
  guint64 n = bench_run_producers (GPOINTER_TO_UINT (producers), size,
                                   push_stopper, stopper);
  gint64 elapsed;

  gasync_stopper_quiesce (stopper);
  elapsed = bench_clock_stop (start);
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
  gint64 start = bench_clock_start ();
  guint64 n = bench_run_producers (GPOINTER_TO_UINT (producers), size,
                                   push_thread_pool, pool);

  g_thread_pool_free (pool, FALSE, TRUE);
  return (double) bench_clock_stop (start) / n;
}

/* Limited dispatch. */

static double
measure_limited (guint64  size,
                 gpointer data)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GasyncSemaphore) semaphore = gasync_semaphore_new (LIMIT);
  gint64 start = bench_clock_start ();
  gint64 elapsed;

  for (guint64 i = 0; i < size; i++)
    if (!gasync_stopper_run_limited_async_task (stopper, "bench", semaphore, TRUE,
                                                NULL, no_op_task, NULL, NULL, NULL))
      g_error ("a limited task was refused");
  gasync_stopper_quiesce (stopper);
  elapsed = bench_clock_stop (start);
  gasync_stopper_stop (stopper);
  return (double) elapsed / size;
}

typedef struct
{
  GMutex mutex;
  GCond cond;
  guint available;
} Slots;

static void
limited_pool_task (gpointer data,
                   gpointer user_data)
{
  Slots *slots = user_data;

  g_mutex_lock (&slots->mutex);
  slots->available++;
  g_cond_signal (&slots->cond);
  g_mutex_unlock (&slots->mutex);
}

static double
measure_limited_thread_pool (guint64  size,
                             gpointer data)
{
  Slots slots = { .available = LIMIT };
  GThreadPool *pool;
  gint64 start;

  g_mutex_init (&slots.mutex);
  g_cond_init (&slots.cond);
  pool = g_thread_pool_new (limited_pool_task, &slots, LIMIT, FALSE, NULL);
  start = bench_clock_start ();
  for (guint64 i = 0; i < size; i++)
    {
      g_mutex_lock (&slots.mutex);
      while (slots.available == 0)
        g_cond_wait (&slots.cond, &slots.mutex);
      slots.available--;
      g_mutex_unlock (&slots.mutex);
      g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  start = bench_clock_stop (start);
  g_cond_clear (&slots.cond);
  g_mutex_clear (&slots.mutex);
  return (double) start / size;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  gpointer one = GUINT_TO_POINTER (1);
  guint64 last_size = 0;
  BenchResult r;

  /* 1k to 1M tasks (scaled down with --quick and --callgrind). */
  for (guint64 scale = 1000; scale >= 1; scale /= 10)
    {
      BenchOptions sized = o;
      g_autofree char *what = NULL;
      g_autofree char *section = NULL;

      sized.size = MAX (o.size / scale, 16);
      if (sized.size == last_size)
        continue;
      last_size = sized.size;
      what = g_strdup_printf ("stopper run_async_task, %" G_GUINT64_FORMAT " tasks", sized.size);
      section = g_strdup_printf ("stopper-%" G_GUINT64_FORMAT "-tasks", sized.size);
      bench_compare (&sized, section, measure_stopper, one, measure_thread_pool, one, &r, NULL);
      bench_report (&sized, what, "ns/task", "GThreadPool (2 threads)", &r);
    }

  for (guint producers = 2; producers <= BENCH_MAX_PRODUCERS; producers *= 2)
    {
      g_autofree char *what = g_strdup_printf ("stopper run_async_task, %u producers", producers);
      g_autofree char *section = g_strdup_printf ("stopper-%u-producers", producers);

      bench_compare (&o, section, measure_stopper, GUINT_TO_POINTER (producers),
                     measure_thread_pool, GUINT_TO_POINTER (producers), &r, NULL);
      bench_report (&o, what, "ns/task", "GThreadPool (2 threads)", &r);
    }

  {
    /* g_task_run_in_thread() costs tens of µs per task here. */
    BenchOptions g_task = bench_options_scaled (&o, 10);

    bench_compare (&g_task, "stopper-vs-g-task", measure_stopper, one,
                   bench_g_task_run_in_thread, NULL, &r, NULL);
    bench_report (&g_task, "stopper run_async_task", "ns/task",
                  "g_task_run_in_thread (all in flight)", &r);
    bench_compare (&g_task, "stopper-vs-g-task-bounded", measure_stopper, one,
                   bench_g_task_run_in_thread, GUINT_TO_POINTER (BENCH_G_TASK_BOUND),
                   &r, NULL);
    bench_report (&g_task, "stopper run_async_task", "ns/task",
                  "g_task_run_in_thread (<=" G_STRINGIFY (BENCH_G_TASK_BOUND) " in flight)", &r);
  }

  {
    /* A wait per task once the semaphore is full: fewer of them. */
    BenchOptions limited = bench_options_scaled (&o, 10);

    bench_compare (&limited, "limited-4", measure_limited, NULL,
                   measure_limited_thread_pool, NULL, &r, NULL);
    bench_report (&limited, "stopper limited task, semaphore 4, waits", "ns/task",
                  "GThreadPool (4) + GCond semaphore 4", &r);
  }
  return 0;
}
