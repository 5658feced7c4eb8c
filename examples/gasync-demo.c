/* gasync-demo.c: the libgasync demo program
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 *
 * For now it shows what a C user writes to use the library: one include, a
 * version check at run time, and the error domain. Later issues grow it into
 * a D-Bus service built on the stopper, runners, tasks and event loop.
 */

#include <locale.h>
#include <stdlib.h>

#include <gasync.h>

int
main (int    argc,
      char **argv)
{
  const char *mismatch;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");

  mismatch = gasync_check_version (GASYNC_MAJOR_VERSION, GASYNC_MINOR_VERSION, 0);
  if (mismatch != NULL)
    {
      g_printerr ("gasync-demo: %s\n", mismatch);
      return EXIT_FAILURE;
    }

  g_print ("gasync-demo: compiled against libgasync %s, running %u.%u.%u\n",
           GASYNC_VERSION_S,
           gasync_get_major_version (),
           gasync_get_minor_version (),
           gasync_get_micro_version ());

  g_set_error (&error, GASYNC_ERROR, GASYNC_ERROR_UNAVAILABLE,
               "a task refused while shutting down");
  g_print ("gasync-demo: errors come in the %s domain, e.g. code %s: %s\n",
           g_quark_to_string (error->domain),
           g_enum_to_string (GASYNC_TYPE_ERROR, error->code),
           error->message);

  return EXIT_SUCCESS;
}
