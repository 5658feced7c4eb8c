/* bench-pool.c: tiny-task dispatch on the shared pool against GLib's
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Every figure is the cost per task, in ns, of pushing N no-op tasks and
 * waiting until all ran: on libgasync's pool, on a GThreadPool with as many
 * threads as the pool's base, with 1, 2, 4 and 8 producer threads; then
 * the pool against g_task_run_in_thread() (whose completion comes back
 * through the main context, the GIO way), with all N GTasks alive at once
 * and with at most BENCH_G_TASK_BOUND in flight.
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
  start = bench_clock_start ();
  bench_run_producers (run->producers, size, run->push, NULL);
  counter_wait (&counter);
  return (double) bench_clock_stop (start) / counter.expected;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  guint base = gasync_pool_get_base_threads ();
  g_autofree char *anchor = g_strdup_printf ("GThreadPool (%u threads)", base);
  BenchResult r;

  gasync_lock_init (&counter.lock);
  gasync_cond_init (&counter.cond);
  thread_pool = g_thread_pool_new (thread_pool_task, &counter, base, FALSE, NULL);

  for (guint producers = 1; producers <= BENCH_MAX_PRODUCERS; producers *= 2)
    {
      Run pool_run = { push_pool, producers };
      Run thread_pool_run = { push_thread_pool, producers };
      g_autofree char *what = g_strdup_printf ("pool dispatch, %u producer(s)", producers);
      g_autofree char *section = g_strdup_printf ("pool-%u-producers", producers);

      bench_compare (&o, section, measure_push, &pool_run,
                     measure_push, &thread_pool_run, &r, NULL);
      bench_report (&o, what, "ns/task", anchor, &r);
    }

  {
    Run pool_run = { push_pool, 1 };
    /* g_task_run_in_thread() costs tens of µs per task here. */
    BenchOptions g_task = bench_options_scaled (&o, 10);

    bench_compare (&g_task, "pool-vs-g-task", measure_push, &pool_run,
                   bench_g_task_run_in_thread, NULL, &r, NULL);
    bench_report (&g_task, "pool dispatch, 1 producer", "ns/task",
                  "g_task_run_in_thread (all in flight)", &r);
    bench_compare (&g_task, "pool-vs-g-task-bounded", measure_push, &pool_run,
                   bench_g_task_run_in_thread, GUINT_TO_POINTER (BENCH_G_TASK_BOUND),
                   &r, NULL);
    bench_report (&g_task, "pool dispatch, 1 producer", "ns/task",
                  "g_task_run_in_thread (<=" G_STRINGIFY (BENCH_G_TASK_BOUND) " in flight)", &r);
  }

  g_thread_pool_free (thread_pool, FALSE, TRUE);
  gasync_cond_clear (&counter.cond);
  gasync_lock_clear (&counter.lock);
  return 0;
}
