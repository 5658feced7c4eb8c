/* gasync-version.c: run-time version checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

/**
 * SECTION:gasync-version
 * @title: Version information
 * @short_description: compile-time and run-time version checks
 *
 * The `GASYNC_*_VERSION` macros give the version of the headers a program
 * was compiled against; gasync_get_major_version() and its siblings give the
 * version of the library it runs with, and gasync_check_version() compares
 * the two kinds.
 *
 * |[<!-- language="C" -->
 * const char *mismatch = gasync_check_version (GASYNC_MAJOR_VERSION,
 *                                              GASYNC_MINOR_VERSION, 0);
 * if (mismatch != NULL)
 *   g_error ("libgasync: %s", mismatch);
 * ]|
 *
 * Threading: everything here may be called from any thread.
 */

#include "config.h"

#include "gasync-private.h"

/**
 * gasync_get_major_version:
 *
 * Gets the major version of the libgasync library that is running, which
 * may differ from %GASYNC_MAJOR_VERSION, the version of the headers the
 * program was compiled against.
 *
 * Returns: the major version
 *
 * Since: 0.1
 */
guint
gasync_get_major_version (void)
{
  return GASYNC_MAJOR_VERSION;
}

/**
 * gasync_get_minor_version:
 *
 * Gets the minor version of the libgasync library that is running.
 *
 * Returns: the minor version
 *
 * Since: 0.1
 */
guint
gasync_get_minor_version (void)
{
  return GASYNC_MINOR_VERSION;
}

/**
 * gasync_get_micro_version:
 *
 * Gets the micro version of the libgasync library that is running.
 *
 * Returns: the micro version
 *
 * Since: 0.1
 */
guint
gasync_get_micro_version (void)
{
  return GASYNC_MICRO_VERSION;
}

/**
 * gasync_check_version:
 * @required_major: the required major version
 * @required_minor: the required minor version
 * @required_micro: the required micro version
 *
 * Checks that the running library is compatible with the given version:
 * the same major version, and at least the given minor and micro versions.
 *
 * Returns: (nullable) (transfer none): %NULL when the running library is
 *   compatible, otherwise a translated message saying why it is not; the
 *   string belongs to libgasync
 *
 * Since: 0.1
 */
const char *
gasync_check_version (guint required_major,
                      guint required_minor,
                      guint required_micro)
{
  guint running = GASYNC_ENCODE_VERSION (GASYNC_MAJOR_VERSION,
                                         GASYNC_MINOR_VERSION,
                                         GASYNC_MICRO_VERSION);
  guint required = GASYNC_ENCODE_VERSION (required_major,
                                          required_minor,
                                          required_micro);

  gasync_i18n_init ();

  if (required_major != GASYNC_MAJOR_VERSION)
    return required_major > GASYNC_MAJOR_VERSION
           ? _("libgasync version too old (major mismatch)")
           : _("libgasync version too new (major mismatch)");
  if (required > running)
    return _("libgasync version too old (minor or micro mismatch)");

  return NULL;
}
