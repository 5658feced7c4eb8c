/* bench-fanout.c: cancellation fan-out
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Async fan-out: N waiters on one GCancellable (gasync_sleep_async() for
 * an hour), one cancel, and the time until the main context delivered
 * every completion, per waiter; the anchor is N raw
 * g_cancellable_source_new() sources on the same kind of cancellable.
 *
 * Stop fan-out: N stopper tasks blocked on pool threads in gasync_sleep()
 * for an hour on their cancellable, then gasync_stopper_stop(), and the
 * time until it returned (every task has returned by then), per task; the
 * anchor is N raw threads, each blocked on a GCond until a handler it
 * connected to one shared GCancellable signals it, then disconnecting the
 * handler and exiting: one g_cancellable_cancel() and the time until
 * every thread was joined.
 *
 * The pool may have as many threads as there are tasks: the program sets
 * GASYNC_MAX_THREADS unless it is set.
 */

#include "config.h"

#include <gasync.h>

#include "bench-util.h"
#include "gasync-sync-private.h"

/* How long the set-up may wait for N blocked tasks or threads. */
#define SETUP_TIMEOUT_S 300

static guint64 completed;

static void
sleep_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gasync_sleep_finish (result, NULL);
  completed++;
}

static gboolean
source_done (GCancellable *cancellable,
             gpointer      user_data)
{
  completed++;
  return G_SOURCE_REMOVE;
}

static double
fanout (guint64  size,
        gboolean gasync)
{
  GCancellable *cancellable = g_cancellable_new ();
  gint64 start;

  completed = 0;
  for (guint64 i = 0; i < size; i++)
    {
      if (gasync)
        gasync_sleep_async (G_TIME_SPAN_HOUR, cancellable, sleep_done, NULL);
      else
        {
          GSource *source = g_cancellable_source_new (cancellable);

          g_source_set_callback (source, G_SOURCE_FUNC (source_done), NULL, NULL);
          g_source_attach (source, NULL);
          g_source_unref (source);
        }
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  start = bench_clock_start ();
  g_cancellable_cancel (cancellable);
  while (completed < size)
    g_main_context_iteration (NULL, TRUE);
  start = bench_clock_stop (start);
  g_object_unref (cancellable);
  return (double) start / size;
}

static double
fanout_gasync (guint64  size,
               gpointer data)
{
  return fanout (size, TRUE);
}

static double
fanout_glib (guint64  size,
             gpointer data)
{
  return fanout (size, FALSE);
}

/* Stop fan-out. */

typedef struct
{
  GasyncLock lock;
  GasyncCond cond;
  guint64 n_blocked;
} Started;

static Started started;

static void
started_reset (void)
{
  gasync_lock (&started.lock);
  started.n_blocked = 0;
  gasync_unlock (&started.lock);
}

static void
started_add (void)
{
  gasync_lock (&started.lock);
  started.n_blocked++;
  gasync_cond_broadcast (&started.cond);
  gasync_unlock (&started.lock);
}

/* Waits until @n tasks or threads are about to block. */
static void
started_wait (guint64 n)
{
  gint64 deadline = g_get_monotonic_time () + SETUP_TIMEOUT_S * G_USEC_PER_SEC;

  gasync_lock (&started.lock);
  while (started.n_blocked < n)
    if (!gasync_cond_wait_until (&started.cond, &started.lock, deadline))
      g_error ("only %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
               " waiters started in %d s", started.n_blocked, n, SETUP_TIMEOUT_S);
  gasync_unlock (&started.lock);
}

static gboolean
sleeper_task (GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  started_add ();
  gasync_sleep (G_TIME_SPAN_HOUR, cancellable, NULL);
  return TRUE;
}

static double
stop_fanout_gasync (guint64  size,
                    gpointer data)
{
  GasyncStopper *stopper = gasync_stopper_new ();
  gint64 start;

  /* A stop of 10,000 tasks may take seconds on a loaded machine: no
   * stuck report (but the same code path as with the default). */
  gasync_stopper_set_stuck_log_interval (stopper, G_TIME_SPAN_HOUR);
  started_reset ();
  for (guint64 i = 0; i < size; i++)
    gasync_stopper_run_async_task (stopper, "sleeper", sleeper_task, NULL, NULL, NULL);
  started_wait (size);
  start = bench_clock_start ();
  gasync_stopper_stop (stopper);
  start = bench_clock_stop (start);
  g_object_unref (stopper);
  return (double) start / size;
}

typedef struct
{
  GCancellable *cancellable;
  GMutex mutex;
  GCond cond;
  gboolean fired;
} Blocked;

static void
blocked_fire (GCancellable *cancellable,
              gpointer      data)
{
  Blocked *blocked = data;

  g_mutex_lock (&blocked->mutex);
  blocked->fired = TRUE;
  g_cond_signal (&blocked->cond);
  g_mutex_unlock (&blocked->mutex);
}

static gpointer
blocked_thread (gpointer data)
{
  Blocked *blocked = data;
  gulong id = g_cancellable_connect (blocked->cancellable, G_CALLBACK (blocked_fire),
                                     blocked, NULL);

  started_add ();
  g_mutex_lock (&blocked->mutex);
  while (!blocked->fired)
    g_cond_wait (&blocked->cond, &blocked->mutex);
  g_mutex_unlock (&blocked->mutex);
  g_cancellable_disconnect (blocked->cancellable, id);
  return NULL;
}

static double
stop_fanout_glib (guint64  size,
                  gpointer data)
{
  GCancellable *cancellable = g_cancellable_new ();
  Blocked *blocked = g_new0 (Blocked, size);
  GThread **threads = g_new (GThread *, size);
  gint64 start;

  started_reset ();
  for (guint64 i = 0; i < size; i++)
    {
      blocked[i].cancellable = cancellable;
      g_mutex_init (&blocked[i].mutex);
      g_cond_init (&blocked[i].cond);
      threads[i] = g_thread_new ("blocked", blocked_thread, &blocked[i]);
    }
  started_wait (size);
  start = bench_clock_start ();
  g_cancellable_cancel (cancellable);
  for (guint64 i = 0; i < size; i++)
    g_thread_join (threads[i]);
  start = bench_clock_stop (start);
  for (guint64 i = 0; i < size; i++)
    {
      g_cond_clear (&blocked[i].cond);
      g_mutex_clear (&blocked[i].mutex);
    }
  g_free (threads);
  g_free (blocked);
  g_object_unref (cancellable);
  return (double) start / size;
}

int
main (int    argc,
      char **argv)
{
  /* The fan-out is 10,000 waiters; --quick makes it 16. */
  BenchOptions o = bench_parse_options (argc, argv, 10000);
  g_autofree char *max_threads = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                  MAX (2 * o.size + 256, 4096));
  g_autofree char *what = NULL;
  BenchResult r;

  /* Before the pool starts. */
  g_setenv ("GASYNC_MAX_THREADS", max_threads, FALSE);
  gasync_lock_init (&started.lock);
  gasync_cond_init (&started.cond);

  bench_compare (&o, "fanout-async", fanout_gasync, NULL, fanout_glib, NULL, &r, NULL);
  bench_report (&o, "cancel fan-out, gasync_sleep_async", "ns/waiter",
                "g_cancellable_source_new", &r);

  what = g_strdup_printf ("stopper stop, %" G_GUINT64_FORMAT " tasks in gasync_sleep", o.size);
  bench_compare (&o, "fanout-stop", stop_fanout_gasync, NULL,
                 stop_fanout_glib, NULL, &r, NULL);
  bench_report (&o, what, "ns/task", "threads on a GCancellable + disconnect", &r);

  gasync_cond_clear (&started.cond);
  gasync_lock_clear (&started.lock);
  return 0;
}
