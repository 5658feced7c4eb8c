/* test-faults.c: shutdown under faults that the class tests do not stage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * A closer that blocks, and an owner context that nobody iterates: the
 * shutdown still finishes, in order, and nothing runs twice. (Failing
 * tasks, FALSE without an error, functions that never return, stop from
 * inside, and a full semaphore with waiting callers at quiesce are staged
 * in test-stopper.c, test-runner.c and test-stress.c.)
 */

#include "config.h"

#include <gasync.h>

#include "gasync-test-util.h"

typedef struct
{
  gint closer_started;
  gint release;
  gint closers_run;
  gboolean stopped_seen;
  gboolean stop_done;
} Blocking;

static void
blocking_closer (gpointer data)
{
  Blocking *b = data;

  g_atomic_int_set (&b->closer_started, 1);
  /* Blocks the owner thread until the other thread lets it go. */
  gasync_test_wait_flag (&b->release);
  g_assert_false (b->stopped_seen);
  b->closers_run++;
}

static void
quick_closer (gpointer data)
{
  Blocking *b = data;

  /* Closers run newest first: this one, added last, ran before. */
  g_assert_false (g_atomic_int_get (&b->closer_started));
  b->closers_run++;
}

static gpointer
releaser_main (gpointer data)
{
  Blocking *b = data;

  gasync_test_wait_flag (&b->closer_started);
  g_atomic_int_set (&b->release, 1);
  return NULL;
}

static void
on_stopped (GasyncStopper *stopper,
            gpointer       data)
{
  Blocking *b = data;

  g_assert_cmpint (b->closers_run, ==, 2);
  b->stopped_seen = TRUE;
}

static void
stop_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Blocking *b = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (gasync_stopper_stop_finish (GASYNC_STOPPER (source), result, &error));
  g_assert_no_error (error);
  g_assert_true (b->stopped_seen);
  b->stop_done = TRUE;
}

static void
test_faults_closer_blocks (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  Blocking b = { 0 };
  GThread *releaser;

  g_test_summary ("A closer that blocks delays `stopped` and the stop's "
                  "completion until it returns; the other closers still run "
                  "once, and nothing hangs");

  g_signal_connect (stopper, "stopped", G_CALLBACK (on_stopped), &b);
  gasync_stopper_add_closer (stopper, blocking_closer, &b, NULL);
  gasync_stopper_add_closer (stopper, quick_closer, &b, NULL);
  releaser = g_thread_new ("releaser", releaser_main, &b);

  gasync_stopper_stop_async (stopper, NULL, stop_done, &b);
  gasync_test_iterate_until_flag (NULL, &b.stop_done);
  g_thread_join (releaser);

  g_assert_cmpint (b.closers_run, ==, 2);
  g_assert_true (gasync_stopper_is_stopped (stopper));
}

typedef struct
{
  gint ran;
  gint destroyed;
  gint closed;
} NotIterated;

static gboolean
count_task (GCancellable  *cancellable,
            gpointer       data,
            GError       **error)
{
  NotIterated *n = data;

  g_atomic_int_inc (&n->ran);
  return TRUE;
}

static void
count_destroy (gpointer data)
{
  NotIterated *n = data;

  g_atomic_int_inc (&n->destroyed);
}

static void
count_closer (gpointer data)
{
  NotIterated *n = data;

  g_atomic_int_inc (&n->closed);
}

static void
test_faults_context_not_iterated (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GasyncStopper *stopper;
  NotIterated n = { 0 };

  g_test_summary ("A stopper whose owner context nobody iterates still stops: "
                  "the blocking stop on the owner thread waits for the tasks "
                  "and runs the closers itself; the destroy notifies wait "
                  "for the context and run once when it is iterated");

  g_main_context_push_thread_default (context);
  stopper = gasync_stopper_new ();
  for (guint i = 0; i < 100; i++)
    g_assert_true (gasync_stopper_run_async_task (stopper, "counted", count_task,
                                                  &n, count_destroy, NULL));
  gasync_stopper_add_closer (stopper, count_closer, &n, NULL);

  gasync_stopper_stop (stopper);
  g_assert_true (gasync_stopper_is_stopped (stopper));
  g_assert_cmpint (g_atomic_int_get (&n.ran), ==, 100);
  g_assert_cmpint (g_atomic_int_get (&n.closed), ==, 1);
  g_assert_cmpuint (gasync_stopper_get_n_tasks (stopper), ==, 0);

  /* Now the context runs: every destroy notify once, then nothing else. */
  gasync_test_iterate_until_count (context, &n.destroyed, 100);
  g_assert_cmpint (n.destroyed, ==, 100);
  g_object_unref (stopper);
  gasync_test_flush (context);
  g_main_context_pop_thread_default (context);
  g_assert_cmpint (n.destroyed, ==, 100);
  g_assert_cmpint (n.closed, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/stopper/faults/closer-blocks", test_faults_closer_blocks);
  g_test_add_func ("/gasync/stopper/faults/context-not-iterated", test_faults_context_not_iterated);

  return g_test_run ();
}
