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
