/* bench-util.h: shared helpers of libgasync's benchmark programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A benchmark measures a libgasync hot path and its raw-GLib anchor in the
 * same run, each as the median of several runs, and prints both with their
 * ratio. "--quick" runs one small round, so that the program runs as a
 * normal test and cannot rot; "--runs N" and "--size N" override the
 * defaults. Speed is never asserted: only printed.
 *
 * "--json FILE" also appends each report as one JSON object per line, for
 * build-aux/run-benchmarks.sh to gather. "--callgrind" is for runs under
 * `valgrind --tool=callgrind --instr-atstart=no`: each measured section
 * runs once at a fixed small size with instrumentation on, and its counts
 * are dumped as "section/operations", so the script can divide them by
 * the number of operations.
 */

#pragma once

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gio/gio.h>
#include <valgrind/callgrind.h>

typedef struct
{
  guint runs;
  guint64 size;
  gboolean quick;
  gboolean callgrind;
  const char *json;
} BenchOptions;

typedef double (*BenchFunc) (guint64 size, gpointer data);

static inline BenchOptions
bench_parse_options (int      argc,
                     char   **argv,
                     guint64  default_size)
{
  BenchOptions o = { 15, default_size, FALSE, FALSE, NULL };
  const char *slash = strrchr (argv[0], '/');

  g_set_prgname (slash != NULL ? slash + 1 : argv[0]);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick") || g_str_equal (argv[i], "--callgrind"))
        {
          o.quick = TRUE;
          o.callgrind = g_str_equal (argv[i], "--callgrind");
          o.runs = 1;
          o.size = MAX (default_size / 1000, 10);
        }
      else if (g_str_equal (argv[i], "--json") && i + 1 < argc)
        o.json = argv[++i];
      /* MAX() evaluates its arguments twice: no ++i inside it. */
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          o.runs = MAX (1, atoi (argv[i + 1]));
          i++;
        }
      else if (g_str_equal (argv[i], "--size") && i + 1 < argc)
        {
          o.size = MAX (1, g_ascii_strtoull (argv[i + 1], NULL, 10));
          i++;
        }
    }
  return o;
}

static inline gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
bench_cmp_double (const void *a,
                  const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Runs @func @o->runs times at @o->size and returns the median of the
 * figures it returns (by convention ns per operation). In callgrind mode it
 * runs @func once with instrumentation on and dumps the counts as @label. */
static inline double
bench_median (const BenchOptions *o,
              const char         *label,
              BenchFunc           func,
              gpointer            data)
{
  g_autofree double *figures = g_new (double, o->runs);
  double median;

  if (o->callgrind)
    {
      /* The dump's name carries the number of operations. */
      g_autofree char *dump = g_strdup_printf ("%s/%" G_GUINT64_FORMAT,
                                               label, o->size);

      CALLGRIND_ZERO_STATS;
      CALLGRIND_START_INSTRUMENTATION;
      figures[0] = func (o->size, data);
      CALLGRIND_STOP_INSTRUMENTATION;
      CALLGRIND_DUMP_STATS_AT (dump);
      return figures[0];
    }
  for (guint i = 0; i < o->runs; i++)
    figures[i] = func (o->size, data);
  qsort (figures, o->runs, sizeof (double), bench_cmp_double);
  median = figures[o->runs / 2];
  return median;
}

static inline void
bench_g_task_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

static inline void
bench_g_task_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  (*(guint64 *) user_data)++;
}

/* The raw-GLib anchor of task dispatch the GIO way: @size no-op tasks
 * through g_task_run_in_thread(), each completion coming back through the
 * thread-default main context; ns per task. A #BenchFunc. */
static inline double
bench_g_task_run_in_thread (guint64  size,
                            gpointer data)
{
  guint64 done = 0;
  gint64 start = bench_now_ns ();

  for (guint64 i = 0; i < size; i++)
    {
      GTask *task = g_task_new (NULL, NULL, bench_g_task_done, &done);

      g_task_run_in_thread (task, bench_g_task_thread);
      g_object_unref (task);
    }
  while (done < size)
    g_main_context_iteration (NULL, TRUE);
  return (double) (bench_now_ns () - start) / size;
}

typedef void (*BenchPushFunc) (guint64 n, gpointer data);

typedef struct
{
  BenchPushFunc push;
  gpointer data;
  guint64 n;
} BenchProducer;

static inline gpointer
bench_producer_main (gpointer data)
{
  BenchProducer *producer = data;

  producer->push (producer->n, producer->data);
  return NULL;
}

/* Calls @push (@size / @producers, @data) from @producers threads at once
 * (from this thread when there is one), returns when all have returned,
 * and gives the number pushed in all. */
static inline guint64
bench_run_producers (guint          producers,
                     guint64        size,
                     BenchPushFunc  push,
                     gpointer       data)
{
  BenchProducer producer = { push, data, size / producers };
  GThread *threads[8];

  g_assert (producers >= 1 && producers <= G_N_ELEMENTS (threads));
  if (producers == 1)
    push (size, data);
  else
    {
      for (guint i = 0; i < producers; i++)
        threads[i] = g_thread_new ("producer", bench_producer_main, &producer);
      for (guint i = 0; i < producers; i++)
        g_thread_join (threads[i]);
    }
  return producer.n * producers;
}

/* The heap in use: small blocks, and the large ones malloc() maps on
 * their own. */
static inline size_t
bench_heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static inline long
bench_peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/* Prints one line: what was measured, its figure, the anchor's figure and
 * the ratio (libgasync / anchor: below 1 is faster than the anchor). */
static inline void
bench_report (const BenchOptions *o,
              const char         *what,
              const char         *unit,
              double              figure,
              const char         *anchor,
              double              anchor_figure)
{
  double ratio = anchor_figure > 0 ? figure / anchor_figure : 0.0;
  long rss = bench_peak_rss_kib ();

  g_print ("%-40s %10.1f %-8s | %-32s %10.1f %-8s | ratio %5.2f | runs %u size %" G_GUINT64_FORMAT " | peak RSS %ld KiB\n",
           what, figure, unit, anchor, anchor_figure, unit, ratio,
           o->runs, o->size, rss);
  if (o->json != NULL)
    {
      FILE *f = fopen (o->json, "a");

      if (f == NULL)
        g_error ("cannot open %s: %s", o->json, g_strerror (errno));
      fprintf (f, "{\"program\": \"%s\", \"what\": \"%s\", \"unit\": \"%s\", "
               "\"value\": %.3f, \"anchor\": \"%s\", \"anchor_value\": %.3f, "
               "\"ratio\": %.4f, \"runs\": %u, \"size\": %" G_GUINT64_FORMAT ", "
               "\"peak_rss_kib\": %ld}\n",
               g_get_prgname (), what, unit, figure, anchor, anchor_figure,
               ratio, o->runs, o->size, rss);
      fclose (f);
    }
}
