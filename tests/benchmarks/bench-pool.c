/* bench-pool.c: tiny-task dispatch on the shared pool against GLib's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every figure is the cost per task, in ns, of pushing N no-op tasks and
 * waiting until all ran: on libgasync's pool, on a GThreadPool with as many
 * threads as the pool's base, and with g_task_run_in_thread() (whose
 * completion comes back through the main context, the GIO way). Then the
 * same with 1, 2 and 4 producer threads.
 */

#include "config.h"

#include <gio/gio.h>

#include "bench-util.h"
#include "gasync-pool-private.h"
#include "gasync-sync-private.h"

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  guint64 expected;
  guint64 done;
} Counter;

static void
counter_reset (Counter *c,
               guint64  expected)
{
  c->expected = expected;
  c->done = 0;
}

static void
counter_add (Counter *c)
{
  gasync_lock (&c->lock);
  if (++c->done == c->expected)
    gasync_cond_signal (&c->cond);
  gasync_unlock (&c->lock);
}

static void
counter_wait (Counter *c)
{
  gasync_lock (&c->lock);
  while (c->done < c->expected)
    gasync_cond_wait (&c->cond, &c->lock);
  gasync_unlock (&c->lock);
}

static Counter counter;
static GThreadPool *thread_pool;

static void
pool_task (gpointer data)
{
  counter_add (data);
}

static void
thread_pool_task (gpointer data,
                  gpointer user_data)
{
  counter_add (user_data);
}

static void
push_pool (guint64  n,
           gpointer data)
{
  for (guint64 i = 0; i < n; i++)
    gasync_pool_push (pool_task, &counter);
}

static void
push_thread_pool (guint64  n,
                  gpointer data)
{
  for (guint64 i = 0; i < n; i++)
    g_thread_pool_push (thread_pool, GUINT_TO_POINTER (1), NULL);
}

typedef struct
{
  BenchPushFunc push;
  guint producers;
} Run;

/* Pushes @size tasks from run->producers threads and waits until all
 * ran. */
static double
measure_push (guint64  size,
              gpointer data)
{
  Run *run = data;
  gint64 start;

  counter_reset (&counter, size - size % run->producers);
  start = bench_now_ns ();
  bench_run_producers (run->producers, size, run->push, NULL);
  counter_wait (&counter);
  return (double) (bench_now_ns () - start) / counter.expected;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  guint base = gasync_pool_get_base_threads ();
  guint producers[] = { 1, 2, 4 };

  gasync_lock_init (&counter.lock);
  gasync_cond_init (&counter.cond);
  thread_pool = g_thread_pool_new (thread_pool_task, &counter, base, FALSE, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (producers); i++)
    {
      Run pool_run = { push_pool, producers[i] };
      Run thread_pool_run = { push_thread_pool, producers[i] };
      g_autofree char *what = g_strdup_printf ("pool dispatch, %u producer(s)", producers[i]);
      g_autofree char *anchor = g_strdup_printf ("GThreadPool (%u threads)", base);
      g_autofree char *pool_label = g_strdup_printf ("pool-%u", producers[i]);
      g_autofree char *anchor_label = g_strdup_printf ("gthreadpool-%u", producers[i]);
      double figure = bench_median (&o, pool_label, measure_push, &pool_run);
      double anchor_figure = bench_median (&o, anchor_label, measure_push, &thread_pool_run);

      bench_report (&o, what, "ns/task", figure, anchor, anchor_figure);
    }

  {
    Run pool_run = { push_pool, 1 };
    double figure = bench_median (&o, "pool-1-again", measure_push, &pool_run);
    double anchor_figure = bench_median (&o, "g-task-run-in-thread", bench_g_task_run_in_thread, NULL);

    bench_report (&o, "pool dispatch, 1 producer", "ns/task", figure,
                  "g_task_run_in_thread", anchor_figure);
  }

  g_thread_pool_free (thread_pool, FALSE, TRUE);
  gasync_cond_clear (&counter.cond);
  gasync_lock_clear (&counter.lock);
  return 0;
}
