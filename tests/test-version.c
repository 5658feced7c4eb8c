/* test-version.c: compile-time and run-time version checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

static void
test_version_runtime_matches_headers (void)
{
  g_autofree char *joined = NULL;

  g_assert_cmpuint (gasync_get_major_version (), ==, GASYNC_MAJOR_VERSION);
  g_assert_cmpuint (gasync_get_minor_version (), ==, GASYNC_MINOR_VERSION);
  g_assert_cmpuint (gasync_get_micro_version (), ==, GASYNC_MICRO_VERSION);

  joined = g_strdup_printf ("%u.%u.%u", gasync_get_major_version (),
                            gasync_get_minor_version (),
                            gasync_get_micro_version ());
  g_assert_cmpstr (joined, ==, GASYNC_VERSION_S);
}

static void
test_version_check (void)
{
  /* Compatible: the running version itself, or anything older within the
   * same major version. */
  g_assert_null (gasync_check_version (GASYNC_MAJOR_VERSION,
                                       GASYNC_MINOR_VERSION,
                                       GASYNC_MICRO_VERSION));
  g_assert_null (gasync_check_version (GASYNC_MAJOR_VERSION, 0, 0));

  /* Not compatible: a newer minor or micro, or another major version. */
  g_assert_nonnull (gasync_check_version (GASYNC_MAJOR_VERSION,
                                          GASYNC_MINOR_VERSION + 1, 0));
  g_assert_nonnull (gasync_check_version (GASYNC_MAJOR_VERSION,
                                          GASYNC_MINOR_VERSION,
                                          GASYNC_MICRO_VERSION + 1));
  g_assert_nonnull (gasync_check_version (GASYNC_MAJOR_VERSION + 1, 0, 0));
  if (GASYNC_MAJOR_VERSION > 0)
    g_assert_nonnull (gasync_check_version (GASYNC_MAJOR_VERSION - 1, 0, 0));
}

static void
test_version_macros (void)
{
  g_assert_true (GASYNC_CHECK_VERSION (GASYNC_MAJOR_VERSION,
                                       GASYNC_MINOR_VERSION,
                                       GASYNC_MICRO_VERSION));
  g_assert_true (GASYNC_CHECK_VERSION (0, 0, 0));
  g_assert_false (GASYNC_CHECK_VERSION (GASYNC_MAJOR_VERSION + 1, 0, 0));
  g_assert_false (GASYNC_CHECK_VERSION (GASYNC_MAJOR_VERSION,
                                        GASYNC_MINOR_VERSION + 1, 0));
  g_assert_cmpint (GASYNC_ENCODE_VERSION (1, 2, 3), <,
                   GASYNC_ENCODE_VERSION (1, 3, 0));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gasync/version/runtime-matches-headers",
                   test_version_runtime_matches_headers);
  g_test_add_func ("/gasync/version/check", test_version_check);
  g_test_add_func ("/gasync/version/macros", test_version_macros);

  return g_test_run ();
}
