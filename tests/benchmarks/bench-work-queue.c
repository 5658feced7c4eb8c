/* bench-work-queue.c: GasyncWorkQueue throughput beside raw GThreadPool,
 * and the 1,000,000-item stress run of issue 7
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Throughput: one producer pushes tiny items through a work queue of
 * PARALLELISM workers and waits until all are done; the anchor pushes the
 * same items through a GThreadPool with as many threads. Stress: two
 * producers push through 4 workers with max-work 64, the queue is closed
 * with no grace period, and processed + discarded must equal enqueued;
 * peak RSS shows that memory stays bounded.
 */

#include "config.h"

#include "bench-util.h"
#include "gasync-private.h"

#define PARALLELISM 4

static int n_done;

static gboolean
tiny_work (gpointer       item,
           GCancellable  *cancellable,
           gpointer       user_data,
           GError       **error)
{
  g_atomic_int_inc (&n_done);
  return TRUE;
}

static void
tiny_pool_func (gpointer data,
                gpointer user_data)
{
  g_atomic_int_inc (&n_done);
}

static double
bench_work_queue (guint64  size,
                  gpointer data)
{
  GasyncWorkQueue *queue = gasync_work_queue_new_for_pointers (tiny_work, NULL, NULL, NULL);
  gint64 start;

  gasync_work_queue_set_parallelism (queue, PARALLELISM);
  gasync_work_queue_set_shutdown_grace_period (queue, G_MAXINT64);
  gasync_work_queue_start (queue, NULL);
  n_done = 0;
  start = bench_now_ns ();
  for (guint64 i = 0; i < size; i++)
    gasync_work_queue_enqueue_pointer (queue, GUINT_TO_POINTER (1), NULL, NULL);
  gasync_work_queue_close (queue, NULL, NULL);
  start = bench_now_ns () - start;
  g_assert_cmpint (n_done, ==, size);
  g_object_unref (queue);
  return (double) start / size;
}

static double
bench_thread_pool (guint64  size,
                   gpointer data)
{
  GThreadPool *pool = g_thread_pool_new (tiny_pool_func, NULL, PARALLELISM, FALSE, NULL);
  gint64 start;

  n_done = 0;
  start = bench_now_ns ();
  for (guint64 i = 0; i < size; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
  g_thread_pool_free (pool, FALSE, TRUE);
  start = bench_now_ns () - start;
  g_assert_cmpint (n_done, ==, size);
  return (double) start / size;
}

/* Stress. */
typedef struct
{
  GasyncWorkQueue *queue;
  guint64 n;
  guint64 n_enqueued;
} Producer;

static int n_freed;

static void
count_free (gpointer item)
{
  g_atomic_int_inc (&n_freed);
}

static gpointer
produce (gpointer data)
{
  Producer *p = data;

  for (guint64 i = 0; i < p->n; i++)
    {
      if (!gasync_work_queue_enqueue_pointer (p->queue, GUINT_TO_POINTER (1), NULL, NULL))
        break;
      p->n_enqueued++;
    }
  return NULL;
}

static gboolean
stress (guint64 size)
{
  GasyncWorkQueue *queue = gasync_work_queue_new_for_pointers (tiny_work, NULL, NULL, count_free);
  Producer producers[2] = { { queue, size / 2, 0 }, { queue, size - size / 2, 0 } };
  GThread *threads[2];
  guint64 n_enqueued;
  guint n_discarded;
  long rss_before = bench_peak_rss_kib ();
  gint64 start = bench_now_ns ();

  n_done = 0;
  n_freed = 0;
  gasync_work_queue_set_parallelism (queue, 4);
  gasync_work_queue_set_max_work (queue, 64);
  gasync_work_queue_set_shutdown_grace_period (queue, 0);
  gasync_work_queue_start (queue, NULL);
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("producer", produce, &producers[i]);
  for (guint i = 0; i < 2; i++)
    g_thread_join (threads[i]);
  n_discarded = gasync_work_queue_close (queue, NULL, NULL);
  g_object_unref (queue);

  n_enqueued = producers[0].n_enqueued + producers[1].n_enqueued;
  g_print ("stress: %" G_GUINT64_FORMAT " items, 2 producers, 4 workers, max-work 64: "
           "enqueued %" G_GUINT64_FORMAT ", processed %d, discarded %u, freed %d, "
           "%.2f s, peak RSS %ld KiB (%ld KiB before)\n",
           size, n_enqueued, n_done, n_discarded, n_freed,
           (bench_now_ns () - start) / 1e9, bench_peak_rss_kib (), rss_before);
  return n_enqueued == size && (guint64) n_done + n_discarded == n_enqueued &&
         (guint64) n_freed == n_enqueued;
}

int
main (int    argc,
      char **argv)
{
  BenchOptions o = bench_parse_options (argc, argv, 1000000);
  double queue_ns, pool_ns;

  if (!stress (o.size))
    {
      g_printerr ("stress: processed + discarded != enqueued\n");
      return 1;
    }

  if (!o.quick)
    o.size /= 4;
  queue_ns = bench_median (&o, "work-queue", bench_work_queue, NULL);
  pool_ns = bench_median (&o, "gthreadpool", bench_thread_pool, NULL);
  bench_report (&o, "GasyncWorkQueue (4 workers), per item", "ns", queue_ns,
                "GThreadPool (4 threads)", pool_ns);
  g_print ("throughput: GasyncWorkQueue %.0f items/s, GThreadPool %.0f items/s\n",
           1e9 / queue_ns, 1e9 / pool_ns);
  return 0;
}
