/* bench-util.h: shared helpers of libgasync's benchmark programs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A benchmark compares a libgasync hot path with its raw-GLib anchor with
 * bench_compare(): both run in the same rounds, one repetition of each per
 * round, the libgasync one first in even rounds and the anchor first in odd
 * ones (ABBAAB…), so that a change in the machine's load hits both alike.
 * The report gives the median of each side's figures and the median of
 * the per-round ratios with their minimum and maximum, and the load
 * average (/proc/loadavg) when the comparison started and ended. Speed is
 * never asserted: only printed.
 *
 * A #BenchFunc brackets its timed region with bench_clock_start() and
 * bench_clock_stop(), and does its set-up and tear-down outside it.
 *
 * Options: "--quick" runs one small round, so that the program runs as a
 * normal test (suite bench-smoke) and cannot rot; "--runs N" and
 * "--size N" override the defaults; "--json FILE" also appends each report
 * as one JSON object per line, for build-aux/run-benchmarks.sh to gather;
 * "--only PREFIX" runs (and reports) only the comparisons whose section
 * name starts with PREFIX, say to profile one case under callgrind.
 *
 * "--callgrind" is for runs under `valgrind --tool=callgrind
 * --instr-atstart=no`: bench_clock_start() and bench_clock_stop() switch
 * the instrumentation on and off, so that only timed regions are counted,
 * and each side of each comparison runs once to warm up, then in each of
 * BENCH_CALLGRIND_RUNS rounds at N and at 2N operations, with its counts
 * zeroed before and dumped after each run as "section/side/operations".
 * build-aux/bench-report.py takes (count(2N) - count(N)) / N of each round
 * as the marginal instructions per operation, and their median: what a
 * run pays once (creating a pool or an object, spawning threads, class
 * initialisation) cancels out. Valgrind runs one thread at a time, so the
 * counts show the work done, not contention; and how often a thread finds
 * work waiting instead of sleeping still varies from run to run, hence the
 * rounds.
 */

#pragma once

#include <errno.h>
#include <malloc.h>
#include <math.h>
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

/* Runs @size operations and returns a figure, by convention ns per
 * operation, timed with bench_clock_start() and bench_clock_stop(). */
typedef double (*BenchFunc) (guint64 size, gpointer data);

/* Whether bench_clock_start() switches callgrind's instrumentation on. */
static gboolean bench_callgrind;

/* --only: the prefix of the sections to run, or NULL for all. */
static const char *bench_only;

/* A second figure of the same run (a 99th percentile), see
 * bench_set_extra(). */
static double bench_extra;

/* The rounds of a comparison by default: the median of 7, as in the
 * issue that asked for interleaved rounds. */
#define BENCH_DEFAULT_RUNS 7

/* The rounds of a comparison under --callgrind: each gives a marginal
 * count, and the report takes their median. */
#define BENCH_CALLGRIND_RUNS 3

static inline BenchOptions
bench_parse_options (int      argc,
                     char   **argv,
                     guint64  default_size)
{
  BenchOptions o = { BENCH_DEFAULT_RUNS, default_size, FALSE, FALSE, NULL };
  const char *slash = strrchr (argv[0], '/');
  guint runs = 0;
  guint64 size = 0;

  g_set_prgname (slash != NULL ? slash + 1 : argv[0]);
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--quick"))
        {
          o.quick = TRUE;
          o.runs = 1;
          o.size = MAX (default_size / 1000, 16);
        }
      else if (g_str_equal (argv[i], "--callgrind"))
        {
          /* N and 2N: large enough that what a run pays once is small
           * beside it, small enough for valgrind; a multiple of 8 so that
           * up to 8 producers share it evenly. */
          o.callgrind = TRUE;
          o.runs = BENCH_CALLGRIND_RUNS;
          o.size = MAX (default_size / 100, 16);
          o.size -= o.size % 8;
        }
      else if (g_str_equal (argv[i], "--json") && i + 1 < argc)
        o.json = argv[++i];
      else if (g_str_equal (argv[i], "--only") && i + 1 < argc)
        bench_only = argv[++i];
      /* MAX() evaluates its arguments twice: no ++i inside it. */
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = MAX (1, atoi (argv[i + 1]));
          i++;
        }
      else if (g_str_equal (argv[i], "--size") && i + 1 < argc)
        {
          size = MAX (1, g_ascii_strtoull (argv[i + 1], NULL, 10));
          i++;
        }
    }
  /* Given ones win, wherever they are. */
  if (runs > 0)
    o.runs = runs;
  if (size > 0)
    o.size = size;
  bench_callgrind = o.callgrind;
  return o;
}

/* @o with a size @divisor times smaller in a full run (the sizes of
 * --quick and --callgrind stay), for a case whose operations cost much
 * more than the program's others. */
static inline BenchOptions
bench_options_scaled (const BenchOptions *o,
                      guint64             divisor)
{
  BenchOptions scaled = *o;

  if (!o->quick && !o->callgrind)
    scaled.size = MAX (o->size / divisor, 1);
  return scaled;
}

static inline gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Starts a timed region: returns the time, and in callgrind mode switches
 * the instrumentation on. */
static inline gint64
bench_clock_start (void)
{
  if (bench_callgrind)
    CALLGRIND_START_INSTRUMENTATION;
  return bench_now_ns ();
}

/* Ends the timed region that began at @start (a bench_clock_start()
 * result) and returns its length in ns. */
static inline gint64
bench_clock_stop (gint64 start)
{
  gint64 elapsed = bench_now_ns () - start;

  if (bench_callgrind)
    CALLGRIND_STOP_INSTRUMENTATION;
  return elapsed;
}

/* For a #BenchFunc that measures two figures in one run (a median and a
 * 99th percentile): the second one, which bench_compare() gathers into
 * its @extra result. */
static inline void
bench_set_extra (double figure)
{
  bench_extra = figure;
}

static int
bench_cmp_double (const void *a,
                  const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of @n figures; sorts them. */
static inline double
bench_median_of (double *figures,
                 guint   n)
{
  qsort (figures, n, sizeof (double), bench_cmp_double);
  return n % 2 == 1 ? figures[n / 2] : (figures[n / 2 - 1] + figures[n / 2]) / 2;
}

/* The 1-, 5- and 15-minute load averages. */
static inline void
bench_read_load (double load[3])
{
  FILE *f = fopen ("/proc/loadavg", "r");

  load[0] = load[1] = load[2] = -1;
  if (f == NULL)
    return;
  if (fscanf (f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
    load[0] = load[1] = load[2] = -1;
  fclose (f);
}

typedef struct
{
  const char *section; /* the callgrind section, not owned */
  double figure;       /* median of libgasync's figures */
  double anchor;       /* median of the anchor's figures */
  double ratio;        /* median of the per-round ratios figure / anchor */
  double ratio_min;
  double ratio_max;
  guint runs;
  guint64 size;
  double load_start[3];
  double load_end[3];
  gboolean skipped;    /* not run: --only excluded its section */
} BenchResult;

static inline void
bench_result_fill (BenchResult  *result,
                   double       *figures,
                   double       *anchors,
                   guint         runs)
{
  g_autofree double *ratios = g_new (double, runs);

  for (guint i = 0; i < runs; i++)
    ratios[i] = anchors[i] > 0 ? figures[i] / anchors[i] : 0.0;
  result->runs = runs;
  result->ratio = bench_median_of (ratios, runs);
  result->ratio_min = ratios[0];
  result->ratio_max = ratios[runs - 1];
  result->figure = bench_median_of (figures, runs);
  result->anchor = bench_median_of (anchors, runs);
}

/* One repetition of a side of a comparison: @func at @o->size, giving
 * its figure and extra figure. In callgrind mode, the run at N and then
 * one at 2N, each with the counts zeroed before and dumped after as
 * "@section/@side/<operations>"; the figures are those of the run at N. */
static inline void
bench_run_side (const BenchOptions *o,
                const char         *section,
                const char         *side,
                BenchFunc           func,
                gpointer            data,
                double             *figure,
                double             *extra)
{
  bench_extra = NAN;
  if (!o->callgrind)
    {
      *figure = func (o->size, data);
      *extra = bench_extra;
      return;
    }
  for (guint64 size = o->size; size <= 2 * o->size; size += o->size)
    {
      g_autofree char *dump = g_strdup_printf ("%s/%s/%" G_GUINT64_FORMAT,
                                               section, side, size);
      double f;

      CALLGRIND_ZERO_STATS;
      f = func (size, data);
      CALLGRIND_DUMP_STATS_AT (dump);
      if (size == o->size)
        {
          *figure = f;
          *extra = bench_extra;
        }
    }
}

/* Measures libgasync's @func against the anchor's @anchor_func, both at
 * @o->size, in @o->runs interleaved rounds (see the top of this file), and
 * fills @result. When @extra is not %NULL, it gets the same statistics
 * for the second figure each function gave with bench_set_extra().
 *
 * In callgrind mode each side first runs once to warm up (not counted),
 * and each repetition is a run at N and one at 2N (N = @o->size), dumped
 * under @section; @result then has the figures of the runs at N. */
static inline void
bench_compare (const BenchOptions *o,
               const char         *section,
               BenchFunc           func,
               gpointer            data,
               BenchFunc           anchor_func,
               gpointer            anchor_data,
               BenchResult        *result,
               BenchResult        *extra)
{
  guint runs = o->runs;
  g_autofree double *figures = g_new (double, runs);
  g_autofree double *anchors = g_new (double, runs);
  g_autofree double *extra_figures = g_new (double, runs);
  g_autofree double *extra_anchors = g_new (double, runs);

  memset (result, 0, sizeof (*result));
  result->section = section;
  result->size = o->size;
  if (bench_only != NULL && !g_str_has_prefix (section, bench_only))
    {
      result->skipped = TRUE;
      if (extra != NULL)
        *extra = *result;
      return;
    }
  bench_read_load (result->load_start);

  if (o->callgrind)
    {
      func (o->size, data);
      anchor_func (o->size, anchor_data);
    }
  for (guint i = 0; i < runs; i++)
    {
      for (guint side = 0; side < 2; side++)
        {
          /* ABBAAB…: libgasync first in even rounds. */
          if ((side == 0) == (i % 2 == 0))
            bench_run_side (o, section, "gasync", func, data,
                            &figures[i], &extra_figures[i]);
          else
            bench_run_side (o, section, "anchor", anchor_func, anchor_data,
                            &anchors[i], &extra_anchors[i]);
        }
    }

  bench_read_load (result->load_end);
  if (extra != NULL)
    {
      *extra = *result;
      bench_result_fill (extra, extra_figures, extra_anchors, runs);
    }
  bench_result_fill (result, figures, anchors, runs);
}

/* The raw-GLib anchor of task dispatch the GIO way: @size no-op tasks
 * through g_task_run_in_thread(), each completion coming back through the
 * thread-default main context; ns per task. With @max_in_flight (a
 * GUINT_TO_POINTER(), 0 for no bound) the caller iterates the context
 * whenever that many tasks are in flight, so that at most that many GTasks
 * are alive at once. A #BenchFunc. */
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

static inline double
bench_g_task_run_in_thread (guint64  size,
                            gpointer max_in_flight)
{
  guint64 bound = GPOINTER_TO_UINT (max_in_flight);
  guint64 done = 0;
  gint64 start = bench_clock_start ();

  for (guint64 i = 0; i < size; i++)
    {
      GTask *task = g_task_new (NULL, NULL, bench_g_task_done, &done);

      while (bound > 0 && i - done >= bound)
        g_main_context_iteration (NULL, TRUE);
      g_task_run_in_thread (task, bench_g_task_thread);
      g_object_unref (task);
    }
  while (done < size)
    g_main_context_iteration (NULL, TRUE);
  return (double) bench_clock_stop (start) / size;
}

/* How many GTasks the bounded g_task_run_in_thread() anchor keeps in
 * flight. */
#define BENCH_G_TASK_BOUND 64

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

/* The most producer threads bench_run_producers() takes. */
#define BENCH_MAX_PRODUCERS 8

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
  GThread *threads[BENCH_MAX_PRODUCERS];

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

static inline void
bench_no_op_pool_task (gpointer data,
                       gpointer user_data)
{
}

static inline void
bench_push_thread_pool (guint64  n,
                        gpointer pool)
{
  for (guint64 i = 0; i < n; i++)
    g_thread_pool_push (pool, GUINT_TO_POINTER (1), NULL);
}

/* The raw-GLib anchor of tiny-task dispatch: @size no-op tasks pushed from
 * @producers threads (GUINT_TO_POINTER) onto a GThreadPool of 2 threads,
 * waiting until all ran; ns per task. A #BenchFunc. */
static inline double
bench_thread_pool_2 (guint64  size,
                     gpointer producers)
{
  GThreadPool *pool = g_thread_pool_new (bench_no_op_pool_task, NULL, 2,
                                         FALSE, NULL);
  gint64 start = bench_clock_start ();
  guint64 n = bench_run_producers (GPOINTER_TO_UINT (producers), size,
                                   bench_push_thread_pool, pool);

  g_thread_pool_free (pool, FALSE, TRUE);
  return (double) bench_clock_stop (start) / n;
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

/* @s with '"' and '\' escaped, for JSON. */
static inline char *
bench_json_escape (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *s);
    }
  return g_string_free (out, FALSE);
}

/* Prints one line: what was measured and the median of its figures, the
 * anchor and the median of its figures, the median ratio (libgasync /
 * anchor: below 1 is faster than the anchor) with its range over the
 * rounds, the rounds and size, the 1-minute load average at the start and
 * end of the comparison and the peak RSS; and appends the same as JSON to
 * the --json file. */
static inline void
bench_report (const BenchOptions *o,
              const char         *what,
              const char         *unit,
              const char         *anchor,
              const BenchResult  *r)
{
  long rss = bench_peak_rss_kib ();

  if (r->skipped)
    return;
  g_print ("%-44s %10.1f %-7s | %-36s %10.1f %-7s | ratio %5.2f (%.2f..%.2f) | rounds %u size %" G_GUINT64_FORMAT " | load %.2f->%.2f | peak RSS %ld KiB\n",
           what, r->figure, unit, anchor, r->anchor, unit, r->ratio,
           r->ratio_min, r->ratio_max, r->runs, r->size,
           r->load_start[0], r->load_end[0], rss);
  if (o->json != NULL)
    {
      FILE *f = fopen (o->json, "a");
      g_autofree char *what_json = bench_json_escape (what);
      g_autofree char *anchor_json = bench_json_escape (anchor);

      if (f == NULL)
        g_error ("cannot open %s: %s", o->json, g_strerror (errno));
      fprintf (f, "{\"program\": \"%s\", \"section\": \"%s\", "
               "\"what\": \"%s\", \"unit\": \"%s\", "
               "\"value\": %.3f, \"anchor\": \"%s\", \"anchor_value\": %.3f, "
               "\"ratio\": %.4f, \"ratio_min\": %.4f, \"ratio_max\": %.4f, "
               "\"runs\": %u, \"size\": %" G_GUINT64_FORMAT ", "
               "\"load_start\": [%.2f, %.2f, %.2f], "
               "\"load_end\": [%.2f, %.2f, %.2f], "
               "\"callgrind\": %s, \"peak_rss_kib\": %ld}\n",
               g_get_prgname (), r->section, what_json, unit, r->figure, anchor_json,
               r->anchor, r->ratio, r->ratio_min, r->ratio_max, r->runs,
               r->size, r->load_start[0], r->load_start[1], r->load_start[2],
               r->load_end[0], r->load_end[1], r->load_end[2],
               o->callgrind ? "true" : "false", rss);
      fclose (f);
    }
}

/* Compares @func against the 2-thread GThreadPool anchor from one producer
 * at 1k, 10k, 100k and 1M tasks (@o->size / 1000 .. @o->size, at least 16,
 * each size once) and reports each as "@what, N tasks" in the section
 * "@section_prefix-N@section_suffix": the cost per task should stay flat. */
static inline void
bench_compare_sizes (const BenchOptions *o,
                     const char         *what,
                     const char         *section_prefix,
                     const char         *section_suffix,
                     BenchFunc           func,
                     gpointer            data)
{
  guint64 last_size = 0;
  BenchResult r;

  for (guint64 scale = 1000; scale >= 1; scale /= 10)
    {
      BenchOptions sized = *o;
      g_autofree char *sized_what = NULL;
      g_autofree char *section = NULL;

      sized.size = MAX (o->size / scale, 16);
      if (sized.size == last_size)
        continue;
      last_size = sized.size;
      sized_what = g_strdup_printf ("%s, %" G_GUINT64_FORMAT " tasks", what, sized.size);
      section = g_strdup_printf ("%s-%" G_GUINT64_FORMAT "%s", section_prefix,
                                 sized.size, section_suffix);
      bench_compare (&sized, section, func, data, bench_thread_pool_2,
                     GUINT_TO_POINTER (1), &r, NULL);
      bench_report (&sized, sized_what, "ns/task", "GThreadPool (2 threads)", &r);
    }
}
