/* bench-future.c: resolve-to-callback latency of a GasyncFuture
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A worker thread resolves a future that the main thread waits on; the
 * latency is the time from gasync_future_resolve_value() on the worker to
 * the done callback running on the main thread's context. The anchor is
 * the raw GLib way to say the same: g_main_context_invoke_full() from the
 * worker. Each round makes N hand-offs, one at a time, and gives their
 * median and 99th percentile; the report gives the median over the rounds
 * of each.
 */

#include "config.h"

#include <gasync.h>

#include "bench-util.h"
#include "gasync-sync-private.h"

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  GasyncFuture *future;  /* the one to resolve next, or NULL */
  gboolean use_invoke;
  gboolean quit;
  gint64 sent_ns;
  gboolean received;
} Bench;

static Bench bench;

static gboolean
invoke_cb (gpointer data)
{
  bench.received = TRUE;
  return G_SOURCE_REMOVE;
}

static void
done_cb (GasyncFuture *future,
         gpointer      data)
{
  bench.received = TRUE;
}

static gpointer
worker_main (gpointer data)
{
  gasync_lock (&bench.lock);
  for (;;)
    {
      GasyncFuture *future;

      while (bench.future == NULL && !bench.quit)
        gasync_cond_wait (&bench.cond, &bench.lock);
      if (bench.quit)
        break;
      future = g_steal_pointer (&bench.future);
      gasync_unlock (&bench.lock);

      bench.sent_ns = bench_now_ns ();
      if (bench.use_invoke)
        g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, invoke_cb, NULL, NULL);
      else
        gasync_future_resolve_value (future, NULL);
      g_object_unref (future);

      gasync_lock (&bench.lock);
    }
  gasync_unlock (&bench.lock);
  return NULL;
}

static double
measure (guint64  size,
         gpointer data)
{
  g_autofree double *latencies = g_new (double, size);
  GThread *worker;
  gint64 start;

  bench.use_invoke = GPOINTER_TO_INT (data);
  bench.quit = FALSE;
  start = bench_clock_start ();
  worker = g_thread_new ("resolver", worker_main, NULL);
  for (guint64 i = 0; i < size; i++)
    {
      GasyncFuture *future = gasync_future_new ();

      gasync_future_add_done_callback (future, done_cb, NULL, NULL);
      bench.received = FALSE;
      gasync_lock (&bench.lock);
      bench.future = future; /* the worker takes this reference */
      gasync_cond_signal (&bench.cond);
      gasync_unlock (&bench.lock);
      while (!bench.received)
        g_main_context_iteration (NULL, TRUE);
      latencies[i] = bench_now_ns () - bench.sent_ns;
    }
  gasync_lock (&bench.lock);
  bench.quit = TRUE;
  gasync_cond_signal (&bench.cond);
  gasync_unlock (&bench.lock);
  g_thread_join (worker);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  bench_clock_stop (start);

  qsort (latencies, size, sizeof (double), bench_cmp_double);
  bench_set_extra (latencies[size * 99 / 100]);
  return latencies[size / 2];
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 10000);
  g_autofree char *median_what = g_strdup_printf ("future resolve -> callback, median of %" G_GUINT64_FORMAT, o.size);
  g_autofree char *p99_what = g_strdup_printf ("future resolve -> callback, p99 of %" G_GUINT64_FORMAT, o.size);
  BenchResult r, p99;

  gasync_lock_init (&bench.lock);
  gasync_cond_init (&bench.cond);

  bench_compare (&o, "future-resolve", measure, GINT_TO_POINTER (FALSE),
                 measure, GINT_TO_POINTER (TRUE), &r, &p99);
  bench_report (&o, median_what, "ns", "g_main_context_invoke_full", &r);
  bench_report (&o, p99_what, "ns", "g_main_context_invoke_full", &p99);

  gasync_cond_clear (&bench.cond);
  gasync_lock_clear (&bench.lock);
  return 0;
}
