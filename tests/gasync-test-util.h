/* gasync-test-util.h: helpers shared by libgasync's C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <string.h>

#include <glib-object.h>

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

/* Watches an object dropped while it runs: gone is set by a weak
 * reference when its last reference is gone (GObject notifies weak
 * references at the end of dispose), and each destroy notify the test
 * hands out counts a call in its own counter. */
#define GASYNC_TEST_MAX_DESTROYS 4

typedef struct
{
  GMainContext *context;
  int gone;                                  /* atomic */
  int destroyed[GASYNC_TEST_MAX_DESTROYS];   /* atomic */
} GasyncTestLifetime;

static inline void
gasync_test_lifetime_gone_cb (gpointer  data,
                              GObject  *where_the_object_was)
{
  GasyncTestLifetime *lifetime = data;

  g_atomic_int_set (&lifetime->gone, TRUE);
  g_main_context_wakeup (lifetime->context);
}

/* Before the counters are handed out: the context to wake is the
 * thread-default one of the caller. */
static inline void
gasync_test_lifetime_init (GasyncTestLifetime *lifetime)
{
  memset (lifetime, 0, sizeof *lifetime);
  lifetime->context = g_main_context_ref_thread_default ();
}

static inline void
gasync_test_lifetime_watch (GasyncTestLifetime *lifetime,
                            gpointer            object)
{
  g_object_weak_ref (G_OBJECT (object), gasync_test_lifetime_gone_cb,
                     lifetime);
}

/* A GDestroyNotify for &lifetime->destroyed[i]. */
static inline void
gasync_test_lifetime_count (gpointer counter)
{
  g_atomic_int_inc ((int *) counter);
}

/* Iterates the context until the object is gone and the first
 * @n_destroys counters were called, then checks that each was called
 * exactly once, also after whatever the context still had to run. */
static inline void
gasync_test_lifetime_wait (GasyncTestLifetime *lifetime,
                           guint               n_destroys)
{
  gint64 deadline = gasync_test_deadline (30);
  guint i;

  g_assert_cmpuint (n_destroys, <=, GASYNC_TEST_MAX_DESTROYS);
  gasync_test_iterate_until (lifetime->context, &lifetime->gone,
                             "the object to be finalized");
  /* A finalize on another thread calls the notifies right after the weak
   * reference: wait for them without blocking the context. */
  for (i = 0; i < n_destroys; i++)
    while (g_atomic_int_get (&lifetime->destroyed[i]) == 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        if (!g_main_context_iteration (lifetime->context, FALSE))
          g_thread_yield ();
      }
  while (g_main_context_iteration (lifetime->context, FALSE))
    ;
  for (i = 0; i < GASYNC_TEST_MAX_DESTROYS; i++)
    g_assert_cmpint (g_atomic_int_get (&lifetime->destroyed[i]), ==,
                     i < n_destroys ? 1 : 0);
  g_main_context_unref (lifetime->context);
}

/* A bound for a g_test_trap_subprocess() child, in microseconds: a child
 * that hangs fails instead of hanging the test. */
static inline guint64
gasync_test_subprocess_timeout (void)
{
  return (guint64) (gasync_test_deadline (30) - g_get_monotonic_time ());
}

/* In a g_test_trap_subprocess() child: lets criticals through to stderr
 * without aborting, so that the child can check that a misused call
 * returns after its critical rather than hang; the parent then expects
 * the text with g_test_trap_assert_stderr(). */
static inline void
gasync_test_criticals_not_fatal (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_fatal_mask ("Gasync", G_LOG_FATAL_MASK);
}
