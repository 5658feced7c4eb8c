/* bench-mutex.c: GasyncMutex lock/unlock against GMutex
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every figure is the cost, in ns, of one lock/unlock pair around an
 * increment: uncontended in one thread, then contended by 2 and 4 threads
 * that share one counter. GasyncMutex pays for its cancellable wait and
 * its fairness (a FIFO hand-off to the first waiter, where GMutex lets the
 * running thread take the lock again), so the contended ratio is the
 * price of FIFO order.
 */

#include "config.h"

#include <gasync.h>

#include "bench-util.h"

typedef struct
{
  GasyncMutex *gasync_mutex;
  GMutex g_mutex;
  guint64 counter;
  guint64 per_thread;
} Shared;

static Shared shared;

static gpointer
gasync_thread (gpointer data)
{
  for (guint64 i = 0; i < shared.per_thread; i++)
    {
      gasync_mutex_lock (shared.gasync_mutex, NULL, NULL);
      shared.counter++;
      gasync_mutex_unlock (shared.gasync_mutex);
    }
  return NULL;
}

static gpointer
g_mutex_thread (gpointer data)
{
  for (guint64 i = 0; i < shared.per_thread; i++)
    {
      g_mutex_lock (&shared.g_mutex);
      shared.counter++;
      g_mutex_unlock (&shared.g_mutex);
    }
  return NULL;
}

typedef struct
{
  GThreadFunc func;
  guint n_threads;
} Run;

static double
measure (guint64  size,
         gpointer data)
{
  Run *run = data;
  g_autofree GThread **threads = g_new (GThread *, run->n_threads);
  gint64 start;

  shared.counter = 0;
  shared.per_thread = size / run->n_threads;
  start = bench_now_ns ();
  if (run->n_threads == 1)
    {
      run->func (NULL);
    }
  else
    {
      for (guint i = 0; i < run->n_threads; i++)
        threads[i] = g_thread_new ("bench", run->func, NULL);
      for (guint i = 0; i < run->n_threads; i++)
        g_thread_join (threads[i]);
    }
  g_assert (shared.counter == shared.per_thread * run->n_threads);
  return (double) (bench_now_ns () - start) / shared.counter;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 2000000);
  guint n_threads[] = { 1, 2, 4 };

  shared.gasync_mutex = gasync_mutex_new ();
  g_mutex_init (&shared.g_mutex);

  for (guint i = 0; i < G_N_ELEMENTS (n_threads); i++)
    {
      Run gasync_run = { gasync_thread, n_threads[i] };
      Run g_mutex_run = { g_mutex_thread, n_threads[i] };
      g_autofree char *what = NULL;
      g_autofree char *label = g_strdup_printf ("gasync-mutex-%u", n_threads[i]);
      g_autofree char *anchor_label = g_strdup_printf ("gmutex-%u", n_threads[i]);
      double figure, anchor_figure;

      if (n_threads[i] == 1)
        what = g_strdup ("GasyncMutex, uncontended");
      else
        what = g_strdup_printf ("GasyncMutex, %u threads contend", n_threads[i]);
      figure = bench_median (&o, label, measure, &gasync_run);
      anchor_figure = bench_median (&o, anchor_label, measure, &g_mutex_run);
      bench_report (&o, what, "ns/lock", figure, "GMutex", anchor_figure);
    }

  g_mutex_clear (&shared.g_mutex);
  g_object_unref (shared.gasync_mutex);
  return 0;
}
