/* bench-event-loop.c: callbacks from a worker thread to an event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Throughput: a worker reserves and enqueues @size callbacks into a
 * GasyncEventLoop running on the main thread, beside the same number of
 * g_main_context_invoke_full() calls into a GMainLoop. Latency: a worker
 * sends one callback at a time and waits until the loop thread has run
 * it; median and 99th percentile of the round trip, for both.
 *
 * Each run uses a new GMainContext: g_main_context_invoke_full() on the
 * global default context from a worker would acquire that context and run
 * the callback in the worker itself whenever the main thread does not
 * hold it.
 */

#include "config.h"

#include <gasync.h>

#include "bench-util.h"
#include "gasync-sync-private.h"

typedef struct
{
  GasyncEventLoop *loop;
  GasyncPendingCallback *sentinel;
  GMainContext *context;
  GMainLoop *main_loop;
  GThread *worker;
  guint64 size;
  guint64 ran;

  /* Round trips. */
  GasyncLock lock;
  GasyncCond cond;
  gboolean back;
  double *samples;
} Bench;

static gboolean
count_cb (gpointer   user_data,
          GError   **error)
{
  Bench *bench = user_data;

  bench->ran++;
  return TRUE;
}

static gboolean
invoke_count_cb (gpointer user_data)
{
  Bench *bench = user_data;

  if (++bench->ran == bench->size)
    g_main_loop_quit (bench->main_loop);
  return G_SOURCE_REMOVE;
}

/* Lets the loop return: the caller's reference keeps the sentinel alive
 * through the call, while the loop thread may already drop its own. */
static void
release_sentinel (GasyncPendingCallback *sentinel)
{
  gasync_pending_callback_ref (sentinel);
  gasync_pending_callback_cancel (sentinel);
  gasync_pending_callback_unref (sentinel);
}

/* Throughput: gasync */

static gpointer
enqueue_thread (gpointer data)
{
  Bench *bench = data;

  for (guint64 i = 0; i < bench->size; i++)
    {
      GasyncPendingCallback *callback = gasync_event_loop_reserve_callback (bench->loop);

      gasync_pending_callback_enqueue (callback, count_cb, bench, NULL);
      gasync_pending_callback_unref (callback);
    }
  release_sentinel (bench->sentinel);
  return NULL;
}

static gboolean
start_enqueue_cb (gpointer   user_data,
                  GError   **error)
{
  Bench *bench = user_data;

  /* Keeps the loop running until the worker is done. */
  bench->sentinel = gasync_event_loop_reserve_callback (bench->loop);
  bench->worker = g_thread_new ("enqueue", enqueue_thread, bench);
  return TRUE;
}

static double
bench_gasync (guint64  size,
              gpointer data)
{
  Bench bench = { 0 };
  gint64 start;

  bench.context = g_main_context_new ();
  bench.loop = gasync_event_loop_new (bench.context);
  bench.size = size;
  start = bench_now_ns ();
  if (!gasync_event_loop_start (bench.loop, start_enqueue_cb, &bench, NULL))
    g_error ("the loop failed");
  start = bench_now_ns () - start;
  g_thread_join (bench.worker);
  g_assert (bench.ran == size);
  g_clear_pointer (&bench.sentinel, gasync_pending_callback_unref);
  g_object_unref (bench.loop);
  g_main_context_unref (bench.context);
  return (double) start / size;
}

/* Throughput: g_main_context_invoke_full() */

static gpointer
invoke_thread (gpointer data)
{
  Bench *bench = data;

  for (guint64 i = 0; i < bench->size; i++)
    g_main_context_invoke_full (bench->context, G_PRIORITY_DEFAULT,
                                invoke_count_cb, bench, NULL);
  return NULL;
}

static double
bench_invoke (guint64  size,
              gpointer data)
{
  Bench bench = { 0 };
  gint64 start;

  bench.context = g_main_context_new ();
  bench.main_loop = g_main_loop_new (bench.context, FALSE);
  bench.size = size;
  start = bench_now_ns ();
  bench.worker = g_thread_new ("invoke", invoke_thread, &bench);
  g_main_loop_run (bench.main_loop);
  start = bench_now_ns () - start;
  g_thread_join (bench.worker);
  g_main_loop_unref (bench.main_loop);
  g_main_context_unref (bench.context);
  return (double) start / size;
}

/* Round trips */

static void
signal_back (Bench *bench)
{
  gasync_lock (&bench->lock);
  bench->back = TRUE;
  gasync_cond_signal (&bench->cond);
  gasync_unlock (&bench->lock);
}

static void
wait_back (Bench *bench)
{
  gasync_lock (&bench->lock);
  while (!bench->back)
    gasync_cond_wait (&bench->cond, &bench->lock);
  bench->back = FALSE;
  gasync_unlock (&bench->lock);
}

static gboolean
back_cb (gpointer   user_data,
         GError   **error)
{
  signal_back (user_data);
  return TRUE;
}

static gboolean
invoke_back_cb (gpointer user_data)
{
  signal_back (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
invoke_quit_cb (gpointer user_data)
{
  Bench *bench = user_data;

  g_main_loop_quit (bench->main_loop);
  return G_SOURCE_REMOVE;
}

static gpointer
round_trip_thread (gpointer data)
{
  Bench *bench = data;

  for (guint64 i = 0; i < bench->size; i++)
    {
      gint64 start = bench_now_ns ();

      if (bench->loop != NULL)
        {
          GasyncPendingCallback *callback = gasync_event_loop_reserve_callback (bench->loop);

          gasync_pending_callback_enqueue (callback, back_cb, bench, NULL);
          gasync_pending_callback_unref (callback);
        }
      else
        g_main_context_invoke_full (bench->context, G_PRIORITY_DEFAULT,
                                    invoke_back_cb, bench, NULL);
      wait_back (bench);
      bench->samples[i] = bench_now_ns () - start;
    }

  if (bench->loop != NULL)
    release_sentinel (bench->sentinel);
  else
    g_main_context_invoke (bench->context, invoke_quit_cb, bench);
  return NULL;
}

static gboolean
start_round_trips_cb (gpointer   user_data,
                      GError   **error)
{
  Bench *bench = user_data;

  bench->sentinel = gasync_event_loop_reserve_callback (bench->loop);
  bench->worker = g_thread_new ("round-trip", round_trip_thread, bench);
  return TRUE;
}

/* Measures @n round trips and returns their median, and the 99th
 * percentile in @p99. */
static double
round_trips (guint64   n,
             gboolean  gasync,
             double   *p99)
{
  Bench bench = { 0 };
  double median;

  gasync_lock_init (&bench.lock);
  gasync_cond_init (&bench.cond);
  bench.size = n;
  bench.samples = g_new (double, n);
  bench.context = g_main_context_new ();

  if (gasync)
    {
      bench.loop = gasync_event_loop_new (bench.context);
      if (!gasync_event_loop_start (bench.loop, start_round_trips_cb, &bench, NULL))
        g_error ("the loop failed");
      g_thread_join (bench.worker);
      g_clear_pointer (&bench.sentinel, gasync_pending_callback_unref);
      g_clear_object (&bench.loop);
    }
  else
    {
      bench.main_loop = g_main_loop_new (bench.context, FALSE);
      bench.worker = g_thread_new ("round-trip", round_trip_thread, &bench);
      g_main_loop_run (bench.main_loop);
      g_thread_join (bench.worker);
      g_main_loop_unref (bench.main_loop);
    }

  qsort (bench.samples, n, sizeof (double), bench_cmp_double);
  median = bench.samples[n / 2];
  *p99 = bench.samples[MIN (n - 1, n * 99 / 100)];
  g_free (bench.samples);
  g_main_context_unref (bench.context);
  gasync_cond_clear (&bench.cond);
  gasync_lock_clear (&bench.lock);
  return median;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  BenchOptions trips = o;
  double gasync, invoke, gasync_p99, invoke_p99;

  /* Round trips are one at a time: fewer of them. */
  trips.size = MAX (o.size / 100, 10);

  invoke = bench_median (&o, "invoke-full", bench_invoke, NULL);
  gasync = bench_median (&o, "event-loop-enqueue", bench_gasync, NULL);
  bench_report (&o, "event loop enqueue from a worker", "ns/call", gasync,
                "g_main_context_invoke_full", invoke);

  gasync = round_trips (trips.size, TRUE, &gasync_p99);
  invoke = round_trips (trips.size, FALSE, &invoke_p99);
  bench_report (&trips, "round trip worker->loop->worker median", "ns", gasync,
                "g_main_context_invoke_full", invoke);
  bench_report (&trips, "round trip worker->loop->worker p99", "ns", gasync_p99,
                "g_main_context_invoke_full", invoke_p99);
  return 0;
}
