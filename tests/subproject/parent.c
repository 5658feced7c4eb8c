/* parent.c: a program of a parent project that builds libgasync as a
 * subproject: it runs one task through a stopper.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Copyright 2026 The libgasync authors
 */

#include <gasync.h>

static gboolean
count_task (GCancellable  *cancellable,
            gpointer       user_data,
            GError       **error)
{
  (*(int *) user_data)++;
  return TRUE;
}

int
main (void)
{
  g_autoptr(GasyncStopper) stopper = gasync_stopper_new ();
  g_autoptr(GError) error = NULL;
  int ran = 0;

  if (!gasync_stopper_run_task (stopper, "parent", count_task, &ran, &error))
    g_error ("%s", error->message);
  gasync_stopper_stop (stopper);
  return ran == 1 && gasync_stopper_is_stopped (stopper) ? 0 : 1;
}
