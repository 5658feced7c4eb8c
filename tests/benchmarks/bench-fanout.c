/* bench-fanout.c: cancellation fan-out
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * Fan-out: N waiters on one GCancellable (gasync_sleep_async() for an
 * hour), one cancel, and the time until the main context delivered every
 * completion, per waiter; the anchor is N raw g_cancellable_source_new()
 * sources on the same kind of cancellable.
 */

#include "config.h"

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

int
main (int    argc,
      char **argv)
{
  /* The fan-out is 10,000 waiters; --quick makes it 10. */
  BenchOptions fan = bench_parse_options (argc, argv, 10000);

  bench_report (&fan, "cancel fan-out, gasync_sleep_async", "ns/waiter",
                bench_median (&fan, "fanout-gasync", fanout_gasync, NULL),
                "g_cancellable_source_new",
                bench_median (&fan, "fanout-glib", fanout_glib, NULL));
  return 0;
}
