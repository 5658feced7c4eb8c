/* bench-mutex.c: GasyncMutex lock/unlock against GMutex
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every figure is the cost, in ns, of one lock/unlock pair around an
 * increment of a shared counter: uncontended in one thread, then
 * contended by 2, 4 and 8 threads, with a tiny critical section (the
 * increment alone) and with one of about 1 µs (the increment and a spin
 * loop calibrated at start-up; a fixed count in callgrind mode). Issue
 * #17's targets: contended at most 2x GMutex, uncontended at most 1.2x.
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
  guint spin;  /* iterations of the spin loop in the critical section */
} Shared;

static Shared shared;

/* The spin loop's iterations in callgrind mode, where time does not
 * matter but the count must not vary. */
#define CALLGRIND_SPIN 500

static volatile guint64 spin_sink;

static inline void
spin (guint n)
{
  for (guint i = 0; i < n; i++)
    spin_sink++;
}

/* How many iterations of spin() take about 1 µs: the fastest of a few
 * tries, so that a descheduled try does not count. */
static guint
calibrate_spin (void)
{
  const guint n = 1000000;
  gint64 best = G_MAXINT64;

  for (guint i = 0; i < 5; i++)
    {
      gint64 start = bench_now_ns ();

      spin (n);
      best = MIN (best, bench_now_ns () - start);
    }
  return MAX (1, (guint) (n * 1000.0 / MAX (best, 1)));
}

static gpointer
gasync_thread (gpointer data)
{
  for (guint64 i = 0; i < shared.per_thread; i++)
    {
      gasync_mutex_lock (shared.gasync_mutex, NULL, NULL);
      shared.counter++;
      spin (shared.spin);
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
      spin (shared.spin);
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
  start = bench_clock_start ();
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
  start = bench_clock_stop (start);
  g_assert (shared.counter == shared.per_thread * run->n_threads);
  return (double) start / shared.counter;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 2000000);
  guint one_us = o.callgrind ? CALLGRIND_SPIN : calibrate_spin ();
  BenchResult r;

  shared.gasync_mutex = gasync_mutex_new ();
  g_mutex_init (&shared.g_mutex);
  g_print ("1 us critical section: %u spin iterations\n", one_us);

  for (guint critical = 0; critical < 2; critical++)
    {
      shared.spin = critical == 0 ? 0 : one_us;
      for (guint n_threads = critical == 0 ? 1 : 2; n_threads <= 8; n_threads *= 2)
        {
          Run gasync_run = { gasync_thread, n_threads };
          Run g_mutex_run = { g_mutex_thread, n_threads };
          /* A contended lock may cost a thread wake-up, and a 1 µs critical
           * section 1 µs: fewer of them. */
          BenchOptions sized = bench_options_scaled (&o, n_threads == 1 ? 1 : critical == 0 ? 10 : 20);
          const char *section_kind = critical == 0 ? "tiny" : "1us";
          g_autofree char *what = NULL;
          g_autofree char *section = g_strdup_printf ("mutex-%s-%u", section_kind, n_threads);

          if (n_threads == 1)
            what = g_strdup ("GasyncMutex, uncontended");
          else
            what = g_strdup_printf ("GasyncMutex, %u threads, %s critical section",
                                    n_threads, critical == 0 ? "tiny" : "~1 us");
          bench_compare (&sized, section, measure, &gasync_run, measure, &g_mutex_run, &r, NULL);
          bench_report (&sized, what, "ns/lock", "GMutex", &r);
        }
    }

  g_mutex_clear (&shared.g_mutex);
  g_object_unref (shared.gasync_mutex);
  return 0;
}
