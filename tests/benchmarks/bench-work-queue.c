/* bench-work-queue.c: GasyncWorkQueue throughput beside raw GThreadPool,
 * and the 1,000,000-item stress run of issue 7
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Throughput: one producer pushes tiny items through a work queue of 4 or
 * 2 workers (default max-work, GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK, so the
 * producer waits while that many items are queued) and waits until all
 * are done; the anchors push the same items through a GThreadPool with as
 * many threads, unbounded (GThreadPool then wakes a thread on every push)
 * and bounded (the producer waits while as many items as max-work are
 * queued or running, a GMutex and GCond counter). Stress: two
 * producers push through 4 workers with max-work 64, the queue is closed
 * with no grace period, and processed + discarded must equal enqueued;
 * peak RSS shows that memory stays bounded.
 */

#include "config.h"

#include "bench-util.h"
#include "gasync-private.h"

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
                  gpointer parallelism)
{
  GasyncWorkQueue *queue = gasync_work_queue_new_for_pointers (tiny_work, NULL, NULL, NULL);
  gint64 start;

  gasync_work_queue_set_parallelism (queue, GPOINTER_TO_UINT (parallelism));
  gasync_work_queue_set_shutdown_grace_period (queue, G_MAXINT64);
  gasync_work_queue_start (queue, NULL);
  n_done = 0;
  start = bench_clock_start ();
  for (guint64 i = 0; i < size; i++)
    gasync_work_queue_enqueue_pointer (queue, GUINT_TO_POINTER (1), NULL, NULL);
  gasync_work_queue_close (queue, NULL, NULL);
  start = bench_clock_stop (start);
  g_assert_cmpint (n_done, ==, size);
  g_object_unref (queue);
  return (double) start / size;
}

typedef struct
{
  guint threads;
  guint bound;  /* 0: unbounded */
  GMutex mutex;
  GCond cond;
  guint in_flight;
  gboolean waiting;
} PoolRun;

static void
bounded_pool_func (gpointer data,
                   gpointer user_data)
{
  PoolRun *run = user_data;

  g_atomic_int_inc (&n_done);
  g_mutex_lock (&run->mutex);
  run->in_flight--;
  if (run->waiting)
    {
      run->waiting = FALSE;
      g_cond_signal (&run->cond);
    }
  g_mutex_unlock (&run->mutex);
}

static double
bench_thread_pool (guint64  size,
                   gpointer data)
{
  PoolRun *run = data;
  GThreadPool *pool;
  gint64 start;

  pool = g_thread_pool_new (run->bound > 0 ? bounded_pool_func : tiny_pool_func,
                            run, run->threads, FALSE, NULL);
  n_done = 0;
  run->in_flight = 0;
  run->waiting = FALSE;
  start = bench_clock_start ();
  for (guint64 i = 0; i < size; i++)
    {
      if (run->bound > 0)
        {
          g_mutex_lock (&run->mutex);
          while (run->in_flight >= run->bound)
            {
              run->waiting = TRUE;
              g_cond_wait (&run->cond, &run->mutex);
            }
          run->in_flight++;
          g_mutex_unlock (&run->mutex);
        }
      g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
    }
  g_thread_pool_free (pool, FALSE, TRUE);
  start = bench_clock_stop (start);
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
  BenchResult r;

  if (!stress (o.size))
    {
      g_printerr ("stress: processed + discarded != enqueued\n");
      return 1;
    }

  o = bench_options_scaled (&o, 4);
  for (guint parallelism = 4; parallelism >= 2; parallelism /= 2)
    for (guint bounded = 0; bounded < 2; bounded++)
      {
        PoolRun run = { parallelism, bounded ? GASYNC_WORK_QUEUE_DEFAULT_MAX_WORK : 0 };
        g_autofree char *what = g_strdup_printf ("GasyncWorkQueue (%u workers), per item",
                                                 parallelism);
        g_autofree char *anchor = NULL;
        g_autofree char *section = g_strdup_printf ("work-queue-%u%s", parallelism,
                                                    bounded ? "-bounded" : "");

        if (bounded)
          anchor = g_strdup_printf ("GThreadPool (%u), <= %u queued", parallelism, run.bound);
        else
          anchor = g_strdup_printf ("GThreadPool (%u threads), unbounded", parallelism);
        g_mutex_init (&run.mutex);
        g_cond_init (&run.cond);
        bench_compare (&o, section, bench_work_queue, GUINT_TO_POINTER (parallelism),
                       bench_thread_pool, &run, &r, NULL);
        bench_report (&o, what, "ns", anchor, &r);
        g_print ("throughput: GasyncWorkQueue %.0f items/s, %s %.0f items/s\n",
                 1e9 / r.figure, anchor, 1e9 / r.anchor);
        g_cond_clear (&run.cond);
        g_mutex_clear (&run.mutex);
      }
  return 0;
}
