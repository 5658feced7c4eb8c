/* gasync-test-util.h: helpers shared by libgasync's C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

/* A bound for waiting on a condition that should hold soon: tests wait on
 * conditions, never sleep. The valgrind setup multiplies it through
 * GASYNC_TEST_TIMEOUT_MULTIPLIER, since everything runs ~20x slower there. */
static inline gint64
gasync_test_deadline (gint64 seconds)
{
  const char *multiplier = g_getenv ("GASYNC_TEST_TIMEOUT_MULTIPLIER");
  gint64 m = multiplier != NULL ? g_ascii_strtoll (multiplier, NULL, 10) : 1;

  return g_get_monotonic_time () + MAX (m, 1) * seconds * G_USEC_PER_SEC;
}

static inline gboolean
gasync_test_deadline_cb (gpointer data)
{
  g_error ("Timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

/* Iterates @context (NULL: the thread-default one) until *@flag is set,
 * by a callback there or atomically by another thread that then wakes
 * @context; fails the test at the deadline instead of hanging. */
static inline void
gasync_test_iterate_until (GMainContext *context,
                           const int    *flag,
                           const char   *what)
{
  GMainContext *ctx = context != NULL ? g_main_context_ref (context)
                                      : g_main_context_ref_thread_default ();
  GSource *guard = g_timeout_source_new ((gasync_test_deadline (30) - g_get_monotonic_time ()) / 1000);

  g_source_set_callback (guard, gasync_test_deadline_cb, (gpointer) what, NULL);
  g_source_attach (guard, ctx);
  while (!g_atomic_int_get (flag))
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
  g_main_context_unref (ctx);
}

/* Waits in a worker thread until *@flag is set by another thread. */
static inline void
gasync_test_wait_flag (const int *flag)
{
  gint64 deadline = gasync_test_deadline (30);

  while (!g_atomic_int_get (flag))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_thread_yield ();
    }
}
