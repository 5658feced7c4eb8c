/* bench-event-loop.c: callbacks from a worker thread to an event loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Throughput: a worker reserves and enqueues @size callbacks into a
 * GasyncEventLoop running on the main thread, beside the same number of
 * g_main_context_invoke_full() calls into a GMainLoop, and beside the
 * floor: one hand-written GSource with a locked array of calls that the
 * worker appends to, waking the context (g_source_set_ready_time()) only
 * when the array was empty, and that runs the whole batch per dispatch.
 *
 * Latency: a worker sends one callback at a time and waits until the loop
 * thread has run it. Each round measures N such round trips and gives
 * their median and 99th percentile; the report gives the median over the
 * rounds of each, for both.
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
  start = bench_clock_start ();
  if (!gasync_event_loop_start (bench.loop, start_enqueue_cb, &bench, NULL))
    g_error ("the loop failed");
  start = bench_clock_stop (start);
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
  start = bench_clock_start ();
  bench.worker = g_thread_new ("invoke", invoke_thread, &bench);
  g_main_loop_run (bench.main_loop);
  start = bench_clock_stop (start);
  g_thread_join (bench.worker);
  g_main_loop_unref (bench.main_loop);
  g_main_context_unref (bench.context);
  return (double) start / size;
}

/* Throughput: the floor, one batched source */

typedef struct
{
  GSourceFunc func;
  gpointer data;
} FloorCall;

typedef struct
{
  GSource source;
  GasyncLock lock;
  GArray *queue;  /* of FloorCall */
  GArray *spare;  /* the other array, while no dispatch holds it */
} FloorSource;

static gboolean
floor_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  FloorSource *self = (FloorSource *) source;
  GArray *batch;

  /* Before the swap: a call appended after it wakes the context again. */
  g_source_set_ready_time (source, -1);
  gasync_lock (&self->lock);
  batch = self->queue;
  self->queue = self->spare;
  self->spare = NULL;
  gasync_unlock (&self->lock);

  for (guint i = 0; i < batch->len; i++)
    {
      FloorCall *call = &g_array_index (batch, FloorCall, i);

      call->func (call->data);
    }
  g_array_set_size (batch, 0);

  gasync_lock (&self->lock);
  self->spare = batch;
  gasync_unlock (&self->lock);
  return G_SOURCE_CONTINUE;
}

static void
floor_finalize (GSource *source)
{
  FloorSource *self = (FloorSource *) source;

  g_array_unref (self->queue);
  g_clear_pointer (&self->spare, g_array_unref);
  gasync_lock_clear (&self->lock);
}

static GSourceFuncs floor_funcs = {
  .dispatch = floor_dispatch,
  .finalize = floor_finalize,
};

static GSource *
floor_source_new (void)
{
  FloorSource *self = (FloorSource *) g_source_new (&floor_funcs, sizeof (FloorSource));

  gasync_lock_init (&self->lock);
  self->queue = g_array_new (FALSE, FALSE, sizeof (FloorCall));
  self->spare = g_array_new (FALSE, FALSE, sizeof (FloorCall));
  return &self->source;
}

/* From any thread. */
static void
floor_enqueue (GSource     *source,
               GSourceFunc  func,
               gpointer     data)
{
  FloorSource *self = (FloorSource *) source;
  FloorCall call = { func, data };
  gboolean was_empty;

  gasync_lock (&self->lock);
  was_empty = self->queue->len == 0;
  g_array_append_val (self->queue, call);
  gasync_unlock (&self->lock);
  if (was_empty)
    g_source_set_ready_time (source, 0);
}

typedef struct
{
  Bench *bench;
  GSource *source;
} FloorRun;

static gpointer
floor_thread (gpointer data)
{
  FloorRun *run = data;

  for (guint64 i = 0; i < run->bench->size; i++)
    floor_enqueue (run->source, invoke_count_cb, run->bench);
  return NULL;
}

static double
bench_floor (guint64  size,
             gpointer data)
{
  Bench bench = { 0 };
  FloorRun run = { &bench, floor_source_new () };
  gint64 start;

  bench.context = g_main_context_new ();
  bench.main_loop = g_main_loop_new (bench.context, FALSE);
  bench.size = size;
  g_source_attach (run.source, bench.context);
  start = bench_clock_start ();
  bench.worker = g_thread_new ("floor", floor_thread, &run);
  g_main_loop_run (bench.main_loop);
  start = bench_clock_stop (start);
  g_thread_join (bench.worker);
  g_source_destroy (run.source);
  g_source_unref (run.source);
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

/* Measures @n round trips, through the event loop when @gasync, and
 * returns their median, with their 99th percentile as the extra figure.
 * A #BenchFunc. */
static double
round_trips (guint64  n,
             gpointer gasync)
{
  Bench bench = { 0 };
  double median;
  gint64 start;

  gasync_lock_init (&bench.lock);
  gasync_cond_init (&bench.cond);
  bench.size = n;
  bench.samples = g_new (double, n);
  bench.context = g_main_context_new ();

  start = bench_clock_start ();
  if (GPOINTER_TO_INT (gasync))
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
  bench_clock_stop (start);

  qsort (bench.samples, n, sizeof (double), bench_cmp_double);
  median = bench.samples[n / 2];
  bench_set_extra (bench.samples[MIN (n - 1, n * 99 / 100)]);
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
  BenchResult r, p99;
  g_autofree char *median_what = NULL;
  g_autofree char *p99_what = NULL;

  bench_compare (&o, "event-loop-vs-invoke", bench_gasync, NULL,
                 bench_invoke, NULL, &r, NULL);
  bench_report (&o, "event loop enqueue from a worker", "ns/call",
                "g_main_context_invoke_full", &r);
  bench_compare (&o, "event-loop-vs-floor", bench_gasync, NULL,
                 bench_floor, NULL, &r, NULL);
  bench_report (&o, "event loop enqueue from a worker", "ns/call",
                "one batched GSource (the floor)", &r);

  /* Round trips are one at a time: fewer of them per round. */
  trips.size = MAX (o.size / 100, 16);
  bench_compare (&trips, "round-trip", round_trips, GINT_TO_POINTER (TRUE),
                 round_trips, GINT_TO_POINTER (FALSE), &r, &p99);
  median_what = g_strdup_printf ("round trip worker->loop->worker, median of %" G_GUINT64_FORMAT,
                                 trips.size);
  p99_what = g_strdup_printf ("round trip worker->loop->worker, p99 of %" G_GUINT64_FORMAT,
                              trips.size);
  bench_report (&trips, median_what, "ns", "g_main_context_invoke_full", &r);
  bench_report (&trips, p99_what, "ns", "g_main_context_invoke_full", &p99);
  return 0;
}
