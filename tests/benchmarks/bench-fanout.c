/* bench-fanout.c: cancellation fan-out, and memory per queued item
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Fan-out: N waiters on one GCancellable (gasync_sleep_async() for an
 * hour), one cancel, and the time until the main context delivered every
 * completion, per waiter; the anchor is N raw g_cancellable_source_new()
 * sources on the same kind of cancellable.
 *
 * Memory: the heap that a GasyncWorkQueue (not started, so nothing runs)
 * and a raw GThreadPool (its only thread blocked) hold per queued item,
 * beyond the item itself, from mallinfo2() before and after, with GSlice
 * off so that GLib's list nodes show up as the mallocs they are.
 */

#include "config.h"

#include <malloc.h>

#include <gasync.h>

#include "bench-util.h"

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
  start = bench_now_ns ();
  g_cancellable_cancel (cancellable);
  while (completed < size)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (cancellable);
  return (double) (bench_now_ns () - start) / size;
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

static gboolean
work (gpointer       item,
      GCancellable  *cancellable,
      gpointer       user_data,
      GError       **error)
{
  return TRUE;
}

static void
thread_pool_work (gpointer item,
                  gpointer user_data)
{
  GMutex *gate = user_data;

  g_mutex_lock (gate);
  g_mutex_unlock (gate);
}

static size_t
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  /* Small blocks, and the large ones malloc() maps on their own. */
  return info.uordblks + info.hblkhd;
}

/* Bytes per queued item beyond the item itself, in a queue that does not
 * run them. */
static double
queued_bytes (guint64  size,
              gboolean gasync)
{
  int *items = g_new0 (int, size);
  GasyncWorkQueue *queue = NULL;
  GThreadPool *pool = NULL;
  GMutex gate;
  size_t before;
  double bytes;

  g_mutex_init (&gate);
  g_mutex_lock (&gate);
  if (gasync)
    {
      queue = gasync_work_queue_new_for_pointers (work, NULL, NULL, NULL);
      gasync_work_queue_set_max_work (queue, size);
    }
  else
    {
      pool = g_thread_pool_new (thread_pool_work, &gate, 1, TRUE, NULL);
      g_thread_pool_push (pool, &items[0], NULL); /* blocks its thread */
    }
  before = heap_in_use ();
  for (guint64 i = 1; i < size; i++)
    {
      if (gasync)
        g_assert_true (gasync_work_queue_try_enqueue_pointer (queue, &items[i], NULL));
      else
        g_thread_pool_push (pool, &items[i], NULL);
    }
  bytes = (double) (heap_in_use () - before) / (size - 1);
  g_mutex_unlock (&gate);
  if (gasync)
    {
      gasync_work_queue_close (queue, NULL, NULL);
      g_object_unref (queue);
    }
  else
    g_thread_pool_free (pool, FALSE, TRUE);
  g_mutex_clear (&gate);
  g_free (items);
  return bytes;
}

static double
queued_bytes_gasync (guint64  size,
                     gpointer data)
{
  return queued_bytes (size, TRUE);
}

static double
queued_bytes_glib (guint64  size,
                   gpointer data)
{
  return queued_bytes (size, FALSE);
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o;
  BenchOptions fan;

  g_setenv ("G_SLICE", "always-malloc", TRUE);
  o = bench_parse_options (argc, argv, 10000 * 1000);
  fan = o;

  /* The fan-out is 10,000 waiters; --quick makes it 10. */
  fan.size = o.quick ? 10 : 10000;
  bench_report (&fan, "cancel fan-out, gasync_sleep_async", "ns/waiter",
                bench_median (&fan, "fanout-gasync", fanout_gasync, NULL),
                "g_cancellable_source_new",
                bench_median (&fan, "fanout-glib", fanout_glib, NULL));

  /* Once, in a fresh process: later rounds reuse what GLib keeps. */
  fan.size = o.quick ? 1000 : 100000;
  fan.runs = 1;
  bench_report (&fan, "WorkQueue heap per queued item", "bytes",
                bench_median (&fan, "queued-gasync", queued_bytes_gasync, NULL),
                "GThreadPool",
                bench_median (&fan, "queued-glib", queued_bytes_glib, NULL));
  return 0;
}
