/* tasks-test-util.h: main-loop helpers for the tasks, mutex and sleep tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#pragma once

#include <glib.h>

#include "gasync-test-util.h"

static gboolean
tasks_test_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates @context until *@value (read atomically) is at least @expected, for
 * at most @seconds (scaled under valgrind). A tick wakes the context so
 * that values set by worker threads are seen too. Returns whether it did. */
static inline gboolean
tasks_test_iterate_until (GMainContext *context,
                          gint         *value,
                          gint          expected,
                          gint64        seconds)
{
  gint64 deadline = gasync_test_deadline (seconds);
  GSource *tick = g_timeout_source_new (5);

  g_source_set_callback (tick, tasks_test_tick_cb, NULL, NULL);
  g_source_attach (tick, context);
  while (g_atomic_int_get (value) < expected &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);

  return g_atomic_int_get (value) >= expected;
}
