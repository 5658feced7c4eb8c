/* test-workers-util.h: helpers for the tests of the worker classes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

#include "gasync-test-util.h"

static gboolean
workers_test_timed_out_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
workers_test_tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the thread-default main context until @done (@data) holds;
 * fails the test if that takes more than @seconds (scaled for valgrind).
 * Dispatches from other threads wake the context; a 5 ms tick re-checks
 * conditions that other threads change without one. */
static inline void
workers_test_iterate_until (gboolean (*done) (gpointer data),
                            gpointer   data,
                            gint64     seconds)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  gint64 deadline = gasync_test_deadline (seconds);
  gboolean timed_out = FALSE;
  GSource *guard = g_timeout_source_new ((deadline - g_get_monotonic_time ()) / 1000);
  GSource *tick = g_timeout_source_new (5);

  g_source_set_callback (guard, workers_test_timed_out_cb, &timed_out, NULL);
  g_source_attach (guard, context);
  g_source_set_callback (tick, workers_test_tick_cb, NULL, NULL);
  g_source_attach (tick, context);
  while (!done (data) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_main_context_unref (context);
  if (timed_out)
    g_test_fail_printf ("condition not met within %" G_GINT64_FORMAT " s", seconds);
  g_assert_false (timed_out);
}

static gboolean
workers_test_uint_reaches_cb (gpointer data)
{
  guint **pair = data;

  return (guint) g_atomic_int_get ((gint *) pair[0]) >= *pair[1];
}

/* Iterates the thread-default main context until *@value >= @target. */
static inline void
workers_test_iterate_until_uint (guint *value,
                                 guint  target)
{
  guint *pair[2] = { value, &target };

  workers_test_iterate_until (workers_test_uint_reaches_cb, pair, 30);
}

/* Runs what is pending on the thread-default main context, such as the
 * dispatched releases of references. */
static inline void
workers_test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
workers_test_is_null_cb (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Drops the caller's reference to @object and iterates the thread-default
 * main context until it is finalized: a thread still running when the
 * object was dropped gives back the reference dispose took there. */
static inline void
workers_test_unref_and_wait (gpointer object)
{
  gpointer weak = object;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  workers_test_iterate_until (workers_test_is_null_cb, &weak, 10);
}
