/* bench-memory.c: heap per queued item, against a raw GThreadPool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * The heap, from mallinfo2() before and after, that N queued and not yet
 * run items hold, per item, beyond the user's data: in a GasyncWorkQueue
 * that is not started, in a GasyncStopper whose async tasks wait behind
 * tasks that block every pool thread, and in a raw GThreadPool whose only
 * thread is blocked. GSlice is off (G_SLICE=always-malloc, which GLib reads
 * before main(): the program runs itself again with it when it is not set)
 * so that GLib's list nodes show up as the mallocs they are, as they are
 * from GLib 2.76 on; with GSlice, chunks freed by an earlier figure would
 * make a later one look free. Issue #10's target: at most 128 bytes; issue #17's:
 * at most 64 bytes per stopper task, with 1M queued.
 *
 * The work queue's bound (max-work) is far above N, as for a queue that
 * was not sized to its load: its ring then grows by doubling, and the
 * figure includes the slack.
 *
 * Each figure is taken once, in this fresh process: later rounds would
 * reuse what the free lists keep. In callgrind mode the timed region is
 * the enqueue loop.
 */

#include "config.h"

#include <unistd.h>

#include <gasync.h>
#include <valgrind/valgrind.h>

#include "bench-util.h"

/* The pool's maximum, set with GASYNC_MAX_THREADS, and as many blocking
 * tasks: every pool thread is blocked before the count starts, so that
 * the queued tasks cannot run and the pool creates no thread during it. */
#define N_BLOCKERS 256
#define SETUP_TIMEOUT_S 300

static gint n_ran;
static gint n_blocked;

static gboolean
work (gpointer       item,
      GCancellable  *cancellable,
      gpointer       user_data,
      GError       **error)
{
  return TRUE;
}

static double
queued_bytes_work_queue (guint64  size,
                         gpointer data)
{
  g_autoptr(GasyncWorkQueue) queue = gasync_work_queue_new_for_pointers (work, NULL, NULL, NULL);
  int *items = g_new0 (int, size);
  size_t before;
  double bytes;

  gint64 start;

  gasync_work_queue_set_max_work (queue, G_MAXINT32);
  before = bench_heap_in_use ();
  start = bench_clock_start ();
  for (guint64 i = 0; i < size; i++)
    g_assert_true (gasync_work_queue_try_enqueue_pointer (queue, &items[i], NULL));
  bench_clock_stop (start);
  bytes = (double) (bench_heap_in_use () - before) / size;
  gasync_work_queue_close (queue, NULL, NULL);
  g_free (items);
  return bytes;
}

static gboolean
blocking_task (GCancellable  *cancellable,
               gpointer       user_data,
               GError       **error)
{
  GMutex *gate = user_data;

  g_atomic_int_inc (&n_blocked);
  g_mutex_lock (gate);
  g_mutex_unlock (gate);
  return TRUE;
}

static gboolean
counted_task (GCancellable  *cancellable,
              gpointer       user_data,
              GError       **error)
{
  g_atomic_int_inc (&n_ran);
  return TRUE;
}

static double
queued_bytes_stopper (guint64  size,
                      gpointer data)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  GMutex gate;
  size_t before;
  double bytes;
  gint64 start, deadline;

  g_atomic_int_set (&n_ran, 0);
  g_mutex_init (&gate);
  g_mutex_lock (&gate);
  g_atomic_int_set (&n_blocked, 0);
  for (guint i = 0; i < N_BLOCKERS; i++)
    gasync_stopper_run_async_task (stopper, "blocker", blocking_task, &gate,
                                   NULL, NULL);
  deadline = g_get_monotonic_time () + SETUP_TIMEOUT_S * G_USEC_PER_SEC;
  while (g_atomic_int_get (&n_blocked) < N_BLOCKERS)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("only %d of %d blockers started", n_blocked, N_BLOCKERS);
      g_usleep (1000);
    }
  before = bench_heap_in_use ();
  start = bench_clock_start ();
  for (guint64 i = 0; i < size; i++)
    gasync_stopper_run_async_task (stopper, "queued", counted_task, NULL,
                                   NULL, NULL);
  bench_clock_stop (start);
  bytes = (double) (bench_heap_in_use () - before) / size;
  /* A task that ran before the count would make the figure too low. */
  if (g_atomic_int_get (&n_ran) != 0)
    g_error ("%d queued tasks ran during the measurement", n_ran);
  g_mutex_unlock (&gate);
  gasync_stopper_stop (stopper);
  g_mutex_clear (&gate);
  return bytes;
}

static void
thread_pool_work (gpointer item,
                  gpointer user_data)
{
  GMutex *gate = user_data;

  g_mutex_lock (gate);
  g_mutex_unlock (gate);
}

static double
queued_bytes_thread_pool (guint64  size,
                          gpointer data)
{
  int *items = g_new0 (int, size + 1);
  GThreadPool *pool;
  GMutex gate;
  size_t before;
  double bytes;
  gint64 start;

  g_mutex_init (&gate);
  g_mutex_lock (&gate);
  pool = g_thread_pool_new (thread_pool_work, &gate, 1, TRUE, NULL);
  g_thread_pool_push (pool, &items[0], NULL); /* blocks its thread */
  before = bench_heap_in_use ();
  start = bench_clock_start ();
  for (guint64 i = 1; i <= size; i++)
    g_thread_pool_push (pool, &items[i], NULL);
  bench_clock_stop (start);
  bytes = (double) (bench_heap_in_use () - before) / size;
  g_mutex_unlock (&gate);
  g_thread_pool_free (pool, FALSE, TRUE);
  g_mutex_clear (&gate);
  g_free (items);
  return bytes;
}

/* Drops the pool's warning that it reached its maximum: expected here. */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if (strstr (message, "reached its maximum") == NULL)
    g_log_default_handler (domain, level, message, user_data);
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o;
  BenchResult r;

  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") != 0)
    {
      /* Under valgrind a new exec would run outside it. */
      if (RUNNING_ON_VALGRIND)
        g_error ("run with G_SLICE=always-malloc");
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      execv ("/proc/self/exe", argv);
      g_error ("cannot run myself again: %s", g_strerror (errno));
    }
  g_setenv ("GASYNC_MAX_THREADS", G_STRINGIFY (N_BLOCKERS), TRUE);
  g_log_set_handler ("Gasync", G_LOG_LEVEL_WARNING, log_handler, NULL);
  o = bench_parse_options (argc, argv, 1000000);
  o.runs = 1;

  bench_compare (&o, "queued-work-queue", queued_bytes_work_queue, NULL,
                 queued_bytes_thread_pool, NULL, &r, NULL);
  bench_report (&o, "WorkQueue heap per queued item", "bytes", "GThreadPool", &r);
  /* Last: it leaves the pool with extra threads for a while. */
  bench_compare (&o, "queued-stopper", queued_bytes_stopper, NULL,
                 queued_bytes_thread_pool, NULL, &r, NULL);
  bench_report (&o, "Stopper heap per queued async task", "bytes", "GThreadPool", &r);
  return 0;
}
